//! `license-unknown` (AF3011, page `docs/codes/AF3011.md`): a component has no known
//! license: a service or site without `license` whose image afc does not know, or an
//! engine or stack component whose license table has no row for its version.

use crate::diag::{Diagnostic, code};
use crate::lint::licenses::{self, Component, Role, Verdict};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::LICENSE_UNKNOWN,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for c in ctx.inventory() {
        if let Verdict::Unknown { reason } = &c.verdict {
            out.push(diagnostic(ctx, c, reason));
        }
    }
}

/// Builds the diagnostic for one component without a license.
#[must_use]
pub fn diagnostic(ctx: &Ctx, c: &Component, reason: &str) -> Diagnostic {
    let help = match &c.role {
        Role::Image { .. } => "add the SPDX expression of the image's code: `license = \"MIT\"` (`Apache-2.0 OR MIT` for a choice)".to_string(),
        _ => format!("pin a version that the license table of `{}` covers, or add a row for it to the table", c.name),
    };
    let mut d = Diagnostic::new(
        code::LICENSE_UNKNOWN,
        format!("{} has no known license", licenses::describe(ctx, c)),
        c.at.0,
        c.at.1,
    )
    .label(reason.to_string());
    if let Some((file, span)) = c.table_at.filter(|t| *t != c.at) {
        d = d.with_secondary(file, span, licenses::table_label(c));
    }
    d.help(help)
}
