//! `license-choice` (AF3013, page `docs/codes/AF3013.md`): a component passes only
//! through one side of an `OR`, the others being denied (Redis from 8.0 is
//! `RSALv2 OR SSPL OR AGPL-3.0`, so an open-source platform runs it under the AGPL).
//! A note, so that the obligations of the chosen license are a known decision.

use crate::diag::{Diagnostic, code};
use crate::lint::licenses::{self, Component, Verdict};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::LICENSE_CHOICE,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for c in ctx.inventory() {
        if let Verdict::Pass {
            chosen, refused, ..
        } = &c.verdict
        {
            if !refused.is_empty() {
                out.push(diagnostic(ctx, c, chosen, refused));
            }
        }
    }
}

/// Builds the note for one component.
#[must_use]
pub fn diagnostic(ctx: &Ctx, c: &Component, chosen: &[String], refused: &[String]) -> Diagnostic {
    let mut d = Diagnostic::new(
        code::LICENSE_CHOICE,
        format!(
            "{} is allowed only as {} (`{}` {} denied by policy `{}`)",
            licenses::describe(ctx, c),
            chosen.join(" / "),
            refused.join("`, `"),
            if refused.len() == 1 { "is" } else { "are" },
            ctx.policy.name
        ),
        c.at.0,
        c.at.1,
    )
    .label(format!("runs under {}", chosen.join(" / ")));
    if let Some((file, span)) = c.table_at.filter(|t| *t != c.at) {
        d = d.with_secondary(file, span, licenses::table_label(c));
    }
    d.help(format!(
        "make sure the platform meets the terms of {}, or pick a version or engine with a permissive license",
        chosen.join(" / ")
    ))
}
