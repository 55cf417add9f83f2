//! `license-invalid` (AF3012, page `docs/codes/AF3012.md`): a license is not a valid
//! SPDX expression (parsed with the `spdx` crate; a license outside the SPDX list is
//! written `LicenseRef-NAME`), or a version range of a license table is malformed.

use crate::diag::{Diagnostic, code};
use crate::lint::licenses::{self, Component, Verdict};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::LICENSE_INVALID,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for c in ctx.inventory() {
        if let Verdict::Invalid { reason } = &c.verdict {
            out.push(diagnostic(ctx, c, reason));
        }
    }
}

/// Builds the diagnostic for one malformed license.
#[must_use]
pub fn diagnostic(ctx: &Ctx, c: &Component, reason: &str) -> Diagnostic {
    let mut d = Diagnostic::new(
        code::LICENSE_INVALID,
        format!(
            "the license of {} cannot be read: {reason}",
            licenses::describe(ctx, c)
        ),
        c.at.0,
        c.at.1,
    )
    .label("not a valid SPDX license expression");
    if let Some((file, span)) = c.table_at.filter(|t| *t != c.at) {
        d = d.with_secondary(file, span, licenses::table_label(c));
    }
    d.help("write SPDX identifiers joined by `AND`, `OR` and parentheses (`Apache-2.0 OR MIT`); a license outside the SPDX list is `LicenseRef-NAME`; ranges are `*` or `>=7.4, <8.0`")
}
