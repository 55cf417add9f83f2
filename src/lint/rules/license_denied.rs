//! `license-denied` (AF3010, page `docs/codes/AF3010.md`): a component's SPDX
//! expression cannot be satisfied with licenses the platform's policy allows (`OR`
//! needs one allowed side, `AND` every side). The default policy `open-source` allows
//! OSI-approved licenses only.

use crate::diag::{Diagnostic, code};
use crate::lint::licenses::{self, Component, Verdict};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::LICENSE_DENIED,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for c in ctx.inventory() {
        if let Verdict::Denied { refused } = &c.verdict {
            out.push(diagnostic(ctx, c, refused));
        }
    }
}

/// Builds the diagnostic for one denied component.
#[must_use]
pub fn diagnostic(ctx: &Ctx, c: &Component, refused: &[String]) -> Diagnostic {
    let expr = c.license.as_deref().unwrap_or("");
    let mut d = Diagnostic::new(
        code::LICENSE_DENIED,
        format!(
            "{} is licensed `{expr}`, which policy `{}` does not allow",
            licenses::describe(ctx, c),
            ctx.policy.name
        ),
        c.at.0,
        c.at.1,
    )
    .label(format!(
        "not open source under `{}`: {}",
        ctx.policy.name,
        refused.join(", ")
    ));
    if let Some((file, span)) = c.table_at.filter(|t| *t != c.at) {
        d = d.with_secondary(file, span, licenses::table_label(c));
    }
    let fallback = format!(
        "replace it with an open-source alternative, or allow the license in the platform's policy (`allow_licenses = [\"{}\"]`)",
        refused.first().map_or("", String::as_str)
    );
    d.help(match licenses::alternatives(ctx, c) {
        Some(ideas) => {
            format!("{ideas}; or accept the license in the platform's policy (`allow_licenses`)")
        }
        None => fallback,
    })
}
