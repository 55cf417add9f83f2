//! Suppression comments: `// afc:allow rule-name -- reason` on the line directly above
//! a declaration or an attribute silences one finding of that rule within it. Several
//! such comments may stand one per line above the same item (doc comments may be mixed
//! in); each silences one finding. A comment without a reason, or one that silences
//! nothing, is itself reported; so is one that names no rule.

use super::{Ctx, rules};
use crate::diag::{Diagnostic, codes::Code};
use crate::source::{FileId, LineIndex, Span};
use crate::syntax::ast;

/// One parsed `afc:allow` comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The file of the comment.
    pub file: FileId,
    /// The comment.
    pub span: Span,
    /// The rule, when the name is one.
    pub rule: Option<Code>,
    /// The name as written.
    pub name: String,
    /// The span of the name.
    pub name_span: Span,
    /// The text after `--`, when not empty.
    pub reason: Option<String>,
    /// The declaration or attribute it applies to, when one starts on the line after
    /// the comment block.
    pub target: Option<Span>,
}

/// The marker that starts a suppression comment.
pub const MARKER: &str = "afc:allow";

/// Parses one comment's text (`// afc:allow name -- reason`): the name with its byte
/// offset in the text, and the reason. `None` when it is not a suppression.
#[must_use]
pub fn parse_comment(text: &str) -> Option<(usize, &str, Option<&str>)> {
    let body = text.strip_prefix("//")?;
    if body.starts_with('/') {
        return None;
    }
    let trimmed = body.trim_start();
    let rest = trimmed.strip_prefix(MARKER)?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let (spec, reason) = match rest.split_once("--") {
        Some((s, r)) => (s, Some(r.trim()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let name = spec.trim();
    let name_at = if name.is_empty() {
        text.len() - rest.len()
    } else {
        text.len() - rest.len() + rest.find(name).unwrap_or(0)
    };
    Some((name_at, name, reason))
}

/// Collects the starts and spans of every declaration, attribute and block of a file.
fn items(file: &ast::File) -> Vec<Span> {
    fn body(b: &ast::Body, out: &mut Vec<Span>) {
        for it in &b.items {
            out.push(it.span());
            if let ast::Item::Block(bl) = it {
                body(&bl.body, out);
            }
        }
    }
    let mut out = Vec::new();
    for d in &file.decls {
        let start = d
            .override_kw
            .map_or(d.span.start, |s| s.start.min(d.span.start));
        out.push(Span {
            start,
            end: d.span.end,
        });
        body(&d.body, &mut out);
    }
    out.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    out
}

/// Every suppression comment of the workspace's files.
#[must_use]
pub fn collect(ctx: &Ctx) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (i, (f, tree)) in ctx.files.iter().zip(ctx.asts).enumerate() {
        if crate::stdlib::is_stdlib_path(&f.path) {
            continue;
        }
        // Most files have no suppression: nothing to index.
        let marked = |c: &&ast::Comment| {
            !c.doc
                && f.text
                    .get(c.span.range())
                    .is_some_and(|t| parse_comment(t).is_some())
        };
        if !tree.comments.iter().any(|c| marked(&c)) {
            continue;
        }
        let file = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        let idx = LineIndex::new(&f.text);
        let spans = items(tree);
        let comment_lines: std::collections::BTreeSet<usize> = tree
            .comments
            .iter()
            .filter(|c| {
                let line = idx.line(c.span.start as usize);
                f.text[idx.line_start(line)..c.span.start as usize]
                    .trim()
                    .is_empty()
            })
            .map(|c| idx.line(c.span.start as usize))
            .collect();
        for c in tree.comments.iter().filter(|c| !c.doc) {
            let Some(text) = f.text.get(c.span.range()) else {
                continue;
            };
            let Some((name_at, name, reason)) = parse_comment(text) else {
                continue;
            };
            let line = idx.line(c.span.start as usize);
            // Only a comment on a line of its own stands above something.
            let target = if comment_lines.contains(&line) {
                let mut next = line + 1;
                while comment_lines.contains(&next) {
                    next += 1;
                }
                (next < idx.line_count())
                    .then(|| {
                        let start = idx.line_start(next);
                        let end = if next + 1 < idx.line_count() {
                            idx.line_start(next + 1)
                        } else {
                            f.text.len()
                        };
                        spans
                            .iter()
                            .find(|s| (start..end).contains(&(s.start as usize)))
                            .copied()
                    })
                    .flatten()
            } else {
                None
            };
            let start = c.span.start as usize + name_at;
            out.push(Suppression {
                file,
                span: c.span,
                rule: super::lookup(name),
                name: name.to_string(),
                name_span: Span::new(start, start + name.len()),
                reason: reason.map(str::to_string),
                target,
            });
        }
    }
    out
}

/// Applies the suppressions to `findings` (sorted by [`Diagnostic::sort_key`]),
/// removing the findings they silence; returns the framework's own diagnostics about
/// the comments. Each suppression silences the first finding of its rule within its
/// target that no earlier suppression silenced; found by binary search, since a
/// workspace may suppress thousands of findings.
pub fn apply(ctx: &Ctx, findings: &mut Vec<Diagnostic>) -> Vec<Diagnostic> {
    debug_assert!(
        findings
            .windows(2)
            .all(|w| w[0].sort_key() <= w[1].sort_key())
    );
    let mut silenced = vec![false; findings.len()];
    let mut meta = Vec::new();
    for s in collect(ctx) {
        let Some(rule) = s.rule else {
            meta.push(rules::unknown_rule::in_comment(&s));
            continue;
        };
        if s.reason.is_none() {
            meta.push(rules::suppression_without_reason::diagnostic(&s));
        }
        let hit = s.target.and_then(|t| {
            // The findings of the file from the target's start on: a finding within the
            // target starts there or later, and no later than its end.
            let from = findings
                .partition_point(|d| (d.primary.file, d.primary.span.start) < (s.file, t.start));
            (from..findings.len())
                .take_while(|&i| {
                    let d = &findings[i];
                    d.primary.file == s.file && d.primary.span.start <= t.end
                })
                .find(|&i| {
                    let d = &findings[i];
                    !silenced[i] && d.code == rule && d.primary.span.end <= t.end
                })
        });
        match hit {
            Some(i) => silenced[i] = true,
            // A rule the policy turns off has nothing to silence; that is no mistake.
            None if ctx.policy.severity(rule).is_none() => {}
            None => meta.push(rules::unused_suppression::diagnostic(&s, rule)),
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !silenced[i - 1]
    });
    meta
}

#[cfg(test)]
mod tests {
    use super::parse_comment;

    #[test]
    fn comments() {
        assert_eq!(
            parse_comment("// afc:allow missing-health -- no HTTP"),
            Some((13, "missing-health", Some("no HTTP")))
        );
        assert_eq!(parse_comment("//afc:allow x"), Some((12, "x", None)));
        assert_eq!(parse_comment("// afc:allow x --   "), Some((13, "x", None)));
        assert_eq!(parse_comment("// afc:allowed"), None);
        assert_eq!(parse_comment("/// afc:allow x -- doc"), None);
        assert_eq!(parse_comment("// note"), None);
    }
}
