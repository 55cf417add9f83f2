//! `mutable-tag` (AF3040, page `docs/codes/AF3040.md`): an image tag that looks like it
//! moves: a branch or channel name (`main`, `stable`), a tag without a version
//! (`alpine`), or a partial version (`8`, `7.2`) that follows every patch release. A
//! note: the same manifest can then run different code tomorrow. Full versions
//! (`1.8.0`, `2.25.1.0-b381`) and digests pass; images with no tag or `latest` are
//! `image-not-pinned` (AF4006).

use crate::diag::{Diagnostic, code};
use crate::lint::image;
use crate::lint::{Ctx, Rule};
use crate::sema::value::{Spanned, Val};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::MUTABLE_TAG,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let kinds = ["service", "site", "database", "cache"];
    for d in ctx
        .sema
        .decls
        .iter()
        .filter(|d| kinds.contains(&d.kind.as_str()) && ctx.is_workspace(d.file))
    {
        for (env, v) in ctx.values(d, "image") {
            let Val::Str(s) = &v.val else { continue };
            let text = s.literal_text();
            if text.contains("${") {
                continue;
            }
            let parts = image::parse(&text);
            let Some(tag) = parts
                .tag
                .filter(|t| parts.digest.is_none() && *t != "latest")
            else {
                continue;
            };
            if let Some(reason) = image::mutable_reason(tag) {
                out.push(diagnostic(&d.name, env, &text, &reason, v));
            }
        }
    }
}

/// Builds the note for one image.
#[must_use]
pub fn diagnostic(
    owner: &str,
    env: Option<&str>,
    image: &str,
    reason: &str,
    at: &Spanned,
) -> Diagnostic {
    let env = env.map_or(String::new(), |e| format!(" (env `{e}`)"));
    Diagnostic::new(
        code::MUTABLE_TAG,
        format!("the image of `{owner}`{env} has a tag that may move: `{image}`"),
        at.file,
        at.span,
    )
    .label(reason.to_string())
    .help("pin a full version (`1.8.0`) or, better, a digest (`repository@sha256:...`), so every deploy runs the same code")
}
