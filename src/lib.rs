//! afc: the compiler and linter for `.af` platform descriptions.
//!
//! [`analyze`] is the pure core: source texts in, syntax trees, the checked model, the
//! dependency graph and diagnostics out. It does no file IO and prints nothing; the
//! command line (`src/cli/`) and the language server read files and show results.

pub mod cli;
pub mod diag;
pub mod emit;
pub mod fmt;
pub mod generate;
pub mod graph_out;
pub mod lint;
pub mod lsp;
pub mod redact;
pub mod seal;
pub mod sealed;
pub mod sema;
pub mod source;
pub mod stdlib;
pub mod syntax;

use diag::{Diagnostic, Severity};
use rayon::prelude::*;
use source::{FileId, SourceFile};
use syntax::ast;

/// Everything afc knows about a workspace.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The stdlib files first, then the workspace's, sorted by path.
    pub files: Vec<SourceFile>,
    pub asts: Vec<ast::File>,
    pub sema: sema::Sema,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of values that look secret outside a `secret` (in `env { }`): every
    /// renderer masks them, as [`redact`] masks the strings of `secret` declarations.
    pub redactions: Vec<(FileId, source::Span)>,
    /// The workspace directory as the command line was given it (`None` from the pure
    /// core): reports for CI (SARIF, GitHub annotations) name files relative to where
    /// afc runs.
    pub root: Option<String>,
    /// Per file, made on first use: renderers ask for many positions in one file.
    lines: std::sync::OnceLock<Vec<std::sync::OnceLock<source::LineIndex>>>,
    /// Per file, made on first use: the text as snippets show it ([`diag::render`]).
    shown: std::sync::OnceLock<Vec<std::sync::OnceLock<std::sync::Arc<diag::render::Shown>>>>,
}

impl Analysis {
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    #[must_use]
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The line index of a file, made once per analysis: reporting N diagnostics of
    /// one file costs N lookups, not N scans of the file.
    #[must_use]
    pub fn lines(&self, id: FileId) -> &source::LineIndex {
        once_per_file(&self.lines, self.files.len(), id)
            .get_or_init(|| source::LineIndex::new(&self.file(id).text))
    }

    /// The text of a file as snippets show it (secrets masked), made once per analysis.
    pub(crate) fn shown(&self, id: FileId) -> &std::sync::Arc<diag::render::Shown> {
        once_per_file(&self.shown, self.files.len(), id)
            .get_or_init(|| std::sync::Arc::new(diag::render::Shown::of(self, id)))
    }

    /// The id of a workspace file by its display path.
    #[must_use]
    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .and_then(|i| u32::try_from(i).ok())
            .map(FileId)
    }
}

/// The slot of file `id` in a per-file cache of `n` files.
fn once_per_file<T>(
    cache: &std::sync::OnceLock<Vec<std::sync::OnceLock<T>>>,
    n: usize,
    id: FileId,
) -> &std::sync::OnceLock<T> {
    &cache.get_or_init(|| (0..n).map(|_| std::sync::OnceLock::new()).collect())[id.0 as usize]
}

/// Analyses a workspace: its files in any order (they are sorted by path here, so the
/// result never depends on the order given). The stdlib is loaded first.
#[must_use]
pub fn analyze(workspace: Vec<SourceFile>) -> Analysis {
    analyze_cached(workspace, &mut ParseCache::default())
}

/// Parses kept between analyses, so that an edit reparses only the edited file (the
/// language server keeps one). Keyed by path; a changed text is parsed again. Built from
/// the previous [`Analysis`] by moving its trees out ([`ParseCache::from_analysis`]), so
/// reusing a parse copies nothing.
#[derive(Debug, Default)]
pub struct ParseCache {
    parsed: std::collections::HashMap<String, (String, ast::File, Vec<Diagnostic>)>,
}

impl ParseCache {
    /// Parses every file (in parallel) ahead of an analysis that will reuse the trees.
    #[must_use]
    pub fn parse(files: &[SourceFile]) -> Self {
        let parsed = files
            .par_iter()
            .map(|f| {
                let (tree, diags) = syntax::parse(FileId(0), &f.text);
                (f.path.clone(), (f.text.clone(), tree, diags))
            })
            .collect();
        Self { parsed }
    }

    /// The `sealing_cert` paths written in the parsed files' clusters (plain strings):
    /// what the command line must read before the analysis that lints certificates.
    #[must_use]
    pub fn sealing_certs(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .parsed
            .values()
            .flat_map(|(_, tree, _)| &tree.decls)
            .filter(|d| d.kind.text == "cluster")
            .flat_map(|d| &d.body.items)
            .filter_map(|item| match item {
                ast::Item::Attr(a) if a.key.text() == "sealing_cert" => match &a.value.kind {
                    ast::ValueKind::Str(s) if s.is_plain() => Some(s.literal_text()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Takes the trees of an analysis that is no longer needed, with each file's parse
    /// diagnostics (the `AF0xxx` ones), for the next analysis to reuse.
    #[must_use]
    pub fn from_analysis(a: Analysis) -> Self {
        let mut parse_diags: Vec<Vec<Diagnostic>> = vec![Vec::new(); a.files.len()];
        for d in a.diagnostics {
            let syntax = d.code.as_str().starts_with("AF000");
            if let Some(list) = parse_diags
                .get_mut(d.primary.file.0 as usize)
                .filter(|_| syntax)
            {
                list.push(d);
            }
        }
        let parsed = a
            .files
            .into_iter()
            .zip(a.asts)
            .zip(parse_diags)
            .map(|((f, tree), diags)| (f.path, (f.text, tree, diags)))
            .collect();
        Self { parsed }
    }
}

/// [`analyze`], reusing the parse of every file whose text is unchanged since the last
/// call with the same cache.
#[must_use]
pub fn analyze_cached(workspace: Vec<SourceFile>, cache: &mut ParseCache) -> Analysis {
    analyze_with(workspace, cache, &lint::Options::default())
}

/// [`analyze_cached`] with what the linter needs from outside the `.af` text (the
/// certificates the workspace names), which the command line reads
/// ([`cli::inputs`]).
#[must_use]
pub fn analyze_with(
    mut workspace: Vec<SourceFile>,
    cache: &mut ParseCache,
    options: &lint::Options,
) -> Analysis {
    workspace.sort_by(|a, b| a.path.cmp(&b.path));
    let mut files = stdlib::sources();
    files.extend(workspace);
    // Take each reusable parse out of the cache (a move, not a copy); parse the rest.
    let reused: Vec<Option<(ast::File, Vec<Diagnostic>)>> = files
        .iter()
        .map(|f| match cache.parsed.remove(&f.path) {
            Some((text, tree, diags)) if text == f.text => Some((tree, diags)),
            _ => None,
        })
        .collect();
    cache.parsed.clear();
    let parsed: Vec<(ast::File, Vec<Diagnostic>)> = files
        .par_iter()
        .zip(reused)
        .enumerate()
        .map(|(i, (f, reused))| {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            match reused {
                Some((tree, mut diags)) => {
                    // A file's parse diagnostics only point into that file.
                    for d in &mut diags {
                        d.primary.file = id;
                        d.secondary.iter_mut().for_each(|l| l.file = id);
                        d.fixes.iter_mut().for_each(|x| x.file = id);
                    }
                    (tree, diags)
                }
                None => syntax::parse(id, &f.text),
            }
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut asts = Vec::with_capacity(parsed.len());
    for (tree, diags) in parsed {
        asts.push(tree);
        diagnostics.extend(diags);
    }
    let sema = sema::analyze(&files, &asts, &mut diagnostics);
    // The build checks and the lint rules side by side; the rules' findings are dropped
    // if the build checks find a front-end error (as if they had run after them).
    let ctx = lint::Ctx::new(&files, &asts, &sema, options);
    let sema_clean = !diagnostics.iter().any(Diagnostic::is_error);
    let (checked, findings) = rayon::join(
        || {
            let mut found = Vec::new();
            if sema_clean {
                emit::checks::run(&sema, &mut found);
            }
            found
        },
        || {
            if lint::front_end_clean(&diagnostics) {
                lint::findings(&ctx)
            } else {
                Vec::new()
            }
        },
    );
    diagnostics.extend(checked);
    let redactions = lint::finish(&ctx, findings, &mut diagnostics);
    drop(ctx);
    diag::normalize(&mut diagnostics);
    Analysis {
        files,
        asts,
        sema,
        diagnostics,
        redactions,
        root: None,
        ..Analysis::default()
    }
}
