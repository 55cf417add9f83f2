//! `unknown-rule` (AF3001, page `docs/codes/AF3001.md`): a policy's `severity` block or
//! an `afc:allow` comment names something that is not a lint rule.

use crate::diag::{Diagnostic, code, did_you_mean};
use crate::lint::suppress::Suppression;
use crate::lint::{Ctx, Rule};
use crate::sema::value::Val;
use crate::source::{FileId, Span};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::UNKNOWN_RULE,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for d in ctx
        .sema
        .decls
        .iter()
        .filter(|d| d.kind == "policy" && ctx.is_workspace(d.file))
    {
        let Some(Val::Map(levels)) = d.attrs.get("severity").map(|v| &v.val) else {
            continue;
        };
        for (name, v) in levels {
            if crate::lint::lookup(name).is_none() {
                out.push(diagnostic(
                    name,
                    v.file,
                    v.key_span,
                    "in this policy's `severity`",
                ));
            }
        }
    }
}

/// The finding for a suppression comment whose name is no rule.
#[must_use]
pub fn in_comment(s: &Suppression) -> Diagnostic {
    diagnostic(&s.name, s.file, s.name_span, "in this `afc:allow` comment")
}

/// Builds the diagnostic: `name` at `span`, with a "did you mean".
#[must_use]
pub fn diagnostic(name: &str, file: FileId, span: Span, place: &str) -> Diagnostic {
    let help = match did_you_mean(name, crate::lint::names()) {
        Some(n) => format!("did you mean `{n}`?"),
        None if name.is_empty() => {
            "name the rule: `// afc:allow RULE -- reason`; `afc rules` lists them".into()
        }
        None => "`afc rules` lists the rules".into(),
    };
    let shown = if name.is_empty() {
        "(nothing)".to_string()
    } else {
        format!("`{name}`")
    };
    Diagnostic::new(
        code::UNKNOWN_RULE,
        format!("{shown} is not a lint rule"),
        file,
        span,
    )
    .label(format!("unknown rule {place}"))
    .help(help)
}
