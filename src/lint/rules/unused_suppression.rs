//! `unused-suppression` (AF3003, page `docs/codes/AF3003.md`): an `afc:allow` comment
//! that silences no finding, because nothing of that rule is reported in the
//! declaration or attribute below it (or nothing is below it). Reported by the
//! framework ([`crate::lint::suppress`]).

use crate::diag::{Diagnostic, code, codes::Code};
use crate::lint::Rule;
use crate::lint::suppress::Suppression;

/// The rule (reported by the suppression framework, not by a check).
pub const RULE: Rule = Rule {
    code: code::UNUSED_SUPPRESSION,
    check: None,
};

/// Builds the diagnostic for one comment.
#[must_use]
pub fn diagnostic(s: &Suppression, rule: Code) -> Diagnostic {
    let (label, help) = if s.target.is_some() {
        (
            format!("no `{}` finding in the item below", rule.info().name),
            "remove the comment: the finding it silenced is gone".to_string(),
        )
    } else {
        (
            "no declaration or attribute starts on the next line".to_string(),
            "put the comment on the line directly above the declaration or attribute".to_string(),
        )
    };
    Diagnostic::new(
        code::UNUSED_SUPPRESSION,
        format!("`afc:allow {}` silences nothing", s.name),
        s.file,
        s.span,
    )
    .label(label)
    .help(help)
}
