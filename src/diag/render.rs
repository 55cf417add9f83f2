//! Renderers. `human` is miette's graphical report; `short` is one line per
//! diagnostic, `file:line:col: severity[CODE] message`; `json` is an array of objects.
//! All of them show source text only through [`crate::redact::redact`].

use super::{Diagnostic, Label, Severity};
use crate::Analysis;
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

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
    src: Arc<Shown>,
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
        Some(&*self.src)
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
/// the linter found secret-looking ([`Analysis::redactions`]) masked. Made once per file
/// and analysis ([`Analysis::shown`]), with the start of every line, so that a snippet
/// is cut from the lines around its span: N diagnostics of one file cost N small
/// reads, not N copies and scans of the whole file.
#[derive(Debug)]
pub struct Shown {
    name: String,
    text: String,
    /// The byte offset of every line, as miette counts lines (`\n`, `\r\n` or `\r`).
    starts: Vec<usize>,
}

impl Shown {
    pub(crate) fn of(a: &Analysis, id: crate::source::FileId) -> Self {
        let file: &SourceFile = a.file(id);
        let spans = a
            .redactions
            .iter()
            .filter(|(f, _)| *f == id)
            .map(|(_, s)| *s);
        let text = crate::redact::mask_spans(&crate::redact::redact(&file.text), spans);
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
                b'\r' | b'\n' => {}
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 1;
            starts.push(i);
        }
        Self {
            name: file.path.clone(),
            text,
            starts,
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl SourceCode for Shown {
    /// miette's own reading of the text from its first line, started instead at the first
    /// line of context: the same contents, lines and columns.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self.starts.partition_point(|&s| s <= span.offset()) - 1;
        // One line more than the context: miette reads an empty span from the byte
        // before it, which may end the previous line.
        let first = line.saturating_sub(context_lines_before + 1);
        let from = self.starts[first];
        let window = SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = self.text.as_bytes()[from..].read_span(
            &window,
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
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
                src: Arc::clone(a.shown(s.file)),
                labels: vec![labeled(s, false)],
                related: Vec::new(),
            });
        }
    }
    Report {
        severity: d.severity,
        message: format!("[{}] {}", d.code, d.message),
        help: d.help.clone(),
        src: Arc::clone(a.shown(d.primary.file)),
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
    a.lines(label.file)
        .line_col(&f.text, label.span.start as usize)
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
    let idx = a.lines(l.file);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        src: &dyn SourceCode,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<(Vec<u8>, usize, usize, usize, usize, usize)> {
        let c = src.read_span(&span, before, after).ok()?;
        Some((
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
        ))
    }

    /// A snippet cut from the lines around a span reads exactly as miette's own reading
    /// of the whole text: the same bytes, span, line, column and line count, for every
    /// span of a text with `\n`, `\r\n` and `\r` line breaks, blank lines and a
    /// multi-byte character, with 0 to 3 lines of context.
    #[test]
    fn a_windowed_snippet_reads_as_the_whole_text() {
        let text = "service a {\r\n  image = \"x\"\n\n\n  port = 8080\r  é = 1\n}\nlast";
        let shown = Shown {
            name: "main.af".into(),
            text: text.into(),
            starts: {
                let a = crate::Analysis {
                    files: vec![SourceFile::new("main.af", text)],
                    ..crate::Analysis::default()
                };
                Shown::of(&a, crate::source::FileId(0)).starts
            },
        };
        assert_eq!(shown.starts, [0, 13, 27, 28, 29, 43, 52, 54]);
        let whole = miette::NamedSource::new("main.af", text.to_string());
        let mut compared = 0;
        for start in 0..=text.len() {
            for end in start..=text.len() {
                for before in 0..=3 {
                    for after in 0..=3 {
                        let span = SourceSpan::new(start.into(), end - start);
                        let ours = read(&shown, span, before, after);
                        assert_eq!(
                            ours,
                            read(&whole, span, before, after),
                            "{start}..{end} with {before} lines before and {after} after"
                        );
                        compared += usize::from(ours.is_some());
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared} spans compared");
    }

    /// The text of a file is made once per analysis and shared by every report of it.
    #[test]
    fn every_report_of_a_file_shares_its_text() {
        let a = crate::analyze(vec![SourceFile::new(
            "main.af",
            "service a {\n  port = 1\n}\nservice b {\n  port = 2\n}\n",
        )]);
        let id = a.file_id("main.af").expect("the file");
        let mine: Vec<&Diagnostic> = a
            .diagnostics
            .iter()
            .filter(|d| d.primary.file == id)
            .collect();
        assert!(mine.len() >= 2, "{} diagnostics", mine.len());
        let reports: Vec<Report> = mine.iter().map(|d| report(&a, d)).collect();
        assert!(
            reports
                .windows(2)
                .all(|w| Arc::ptr_eq(&w[0].src, &w[1].src))
        );
        assert!(std::ptr::eq(a.lines(id), a.lines(id)));
    }
}
