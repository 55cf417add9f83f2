//! `suppression-without-reason` (AF3002, page `docs/codes/AF3002.md`): an
//! `// afc:allow rule` comment with no `-- reason`. It still silences its finding;
//! the framework ([`crate::lint::suppress`]) reports it.

use crate::diag::{Diagnostic, code};
use crate::lint::Rule;
use crate::lint::suppress::Suppression;

/// The rule (reported by the suppression framework, not by a check).
pub const RULE: Rule = Rule {
    code: code::SUPPRESSION_WITHOUT_REASON,
    check: None,
};

/// Builds the diagnostic for one comment.
#[must_use]
pub fn diagnostic(s: &Suppression) -> Diagnostic {
    Diagnostic::new(
        code::SUPPRESSION_WITHOUT_REASON,
        format!("`afc:allow {}` gives no reason", s.name),
        s.file,
        s.span,
    )
    .label("no `-- reason`")
    .help(format!(
        "say why the finding is acceptable: `// afc:allow {} -- <reason>`",
        s.name
    ))
}
