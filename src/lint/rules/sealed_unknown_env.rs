//! `sealed-unknown-env` (AF3023, page `docs/codes/AF3023.md`): a `sealed ENV { }` block
//! whose label is no environment of the workspace. Nothing deploys it: usually a typo,
//! or an environment that was renamed or removed.

use crate::diag::{Diagnostic, code, did_you_mean};
use crate::lint::{Ctx, Rule};
use crate::sema::Decl;
use crate::sema::value::Val;
use crate::source::Span;

/// The rule.
pub const RULE: Rule = Rule {
    code: code::SEALED_UNKNOWN_ENV,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let envs: Vec<&str> = ctx
        .sema
        .decls
        .iter()
        .filter(|d| d.kind == "env")
        .map(|d| d.name.as_str())
        .collect();
    for d in ctx.sema.decls.iter().filter(|d| d.kind == "secret") {
        let Some(Val::Sealed(blocks)) = d.attrs.get("sealed").map(|v| &v.val) else {
            continue;
        };
        for (label, block) in blocks {
            if let Some(l) = label {
                if !envs.contains(&l.as_str()) {
                    out.push(diagnostic(
                        d,
                        l,
                        block.label_span.unwrap_or(block.span),
                        &envs,
                    ));
                }
            }
        }
    }
}

/// Builds the diagnostic for one block.
#[must_use]
pub fn diagnostic(secret: &Decl, label: &str, span: Span, envs: &[&str]) -> Diagnostic {
    let help = match did_you_mean(label, envs.iter().copied()) {
        Some(e) => format!("did you mean `sealed {e}`?"),
        None if envs.is_empty() => {
            "the workspace declares no `env`: add one, or remove the block".into()
        }
        None => format!(
            "the environments are {}; remove the block or rename it",
            envs.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Diagnostic::new(
        code::SEALED_UNKNOWN_ENV,
        format!(
            "secret `{}` has a `sealed {label}` block, but there is no env `{label}`",
            secret.name
        ),
        secret.file,
        span,
    )
    .label("no such environment")
    .help(help)
}
