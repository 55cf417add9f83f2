//! Renderers. `human` is miette's graphical report; `short` is one line per
//! diagnostic, `file:line:col: severity[CODE] message`; `json` is an array of objects.
//! All of them show source text only through [`crate::redact::redact`].

use super::{Diagnostic, Label, Severity};
use crate::Analysis;
use crate::source::{LineIndex, SourceFile};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;
use std::fmt;

/// Options for the graphical renderer.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self {
            color: false,
            width: 80,
        }
    }
}

struct Report {
    severity: Severity,
    message: String,
    help: Option<String>,
    src: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// A file's text as snippets show it: strings of `secret` declarations and the values
/// the linter found secret-looking ([`Analysis::redactions`]) masked.
fn named_source(a: &Analysis, id: crate::source::FileId) -> NamedSource<String> {
    let file: &SourceFile = a.file(id);
    let spans = a
        .redactions
        .iter()
        .filter(|(f, _)| *f == id)
        .map(|(_, s)| *s);
    let text = crate::redact::mask_spans(&crate::redact::redact(&file.text), spans);
    NamedSource::new(&file.path, text)
}

fn labeled(label: &Label, primary: bool) -> LabeledSpan {
    let text = (!label.message.is_empty()).then(|| label.message.clone());
    if primary {
        LabeledSpan::new_primary_with_span(text, label.span.range())
    } else {
        LabeledSpan::new_with_span(text, label.span.range())
    }
}

fn report(a: &Analysis, d: &Diagnostic) -> Report {
    let mut labels = vec![labeled(&d.primary, true)];
    let mut related: Vec<Report> = Vec::new();
    for s in &d.secondary {
        if s.file == d.primary.file {
            labels.push(labeled(s, false));
        } else if let Some(r) = related
            .iter_mut()
            .find(|r| r.src.name() == a.file(s.file).path)
        {
            r.labels.push(labeled(s, false));
        } else {
            related.push(Report {
                severity: Severity::Info,
                message: "note: related location".into(),
                help: None,
                src: named_source(a, s.file),
                labels: vec![labeled(s, false)],
                related: Vec::new(),
            });
        }
    }
    Report {
        severity: d.severity,
        message: format!("[{}] {}", d.code, d.message),
        help: d.help.clone(),
        src: named_source(a, d.primary.file),
        labels,
        related,
    }
}

/// The graphical report of one diagnostic.
#[must_use]
pub fn human(a: &Analysis, d: &Diagnostic, opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report(a, d)).is_err() {
        out = short(a, d);
    }
    out
}

/// 1-based line and column of a label's start.
#[must_use]
pub fn position(a: &Analysis, label: &Label) -> (usize, usize) {
    let f = a.file(label.file);
    LineIndex::new(&f.text).line_col(&f.text, label.span.start as usize)
}

/// `file:line:col: severity[CODE] message`
#[must_use]
pub fn short(a: &Analysis, d: &Diagnostic) -> String {
    let (line, col) = position(a, &d.primary);
    format!(
        "{}:{line}:{col}: {}[{}] {}",
        a.file(d.primary.file).path,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    /// The primary place; its `message` is the label's text.
    at: JsonLabel<'a>,
    related: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

fn json_label<'a>(a: &'a Analysis, l: &'a Label) -> JsonLabel<'a> {
    let f = a.file(l.file);
    let idx = LineIndex::new(&f.text);
    let (line, column) = idx.line_col(&f.text, l.span.start as usize);
    let (end_line, end_column) = idx.line_col(&f.text, l.span.end as usize);
    JsonLabel {
        file: &f.path,
        line,
        column,
        end_line,
        end_column,
        message: &l.message,
    }
}

/// All diagnostics as a JSON array.
#[must_use]
pub fn json(a: &Analysis, diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiag> = diags
        .iter()
        .map(|d| JsonDiag {
            code: d.code.as_str(),
            name: d.code.info().name,
            severity: d.severity.as_str(),
            message: &d.message,
            at: json_label(a, &d.primary),
            related: d.secondary.iter().map(|l| json_label(a, l)).collect(),
            help: d.help.as_deref(),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

/// "2 errors, 1 warning"
#[must_use]
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
