//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per
//! diagnostic, which the runner turns into an annotation on the file and line:
//! `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=AF3010 license-denied::message`.
//! Paths are relative to where afc runs, as in SARIF ([`super::sarif::run_path`]).

use super::{Diagnostic, Severity};
use crate::Analysis;
use crate::cli::workspace::InputError;

/// The workflow command of a severity.
#[must_use]
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message (`%`, CR and LF).
#[must_use]
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (as data, plus `:` and `,`).
#[must_use]
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation line.
#[must_use]
pub fn annotation(a: &Analysis, d: &Diagnostic) -> String {
    let f = a.file(d.primary.file);
    let idx = a.lines(d.primary.file);
    let (line, col) = idx.line_col(&f.text, d.primary.span.start as usize);
    let (end_line, end_col) = idx.line_col(&f.text, d.primary.span.end as usize);
    let path = super::sarif::run_path(a.root.as_deref(), &f.path);
    let title = format!("{} {}", d.code, d.code.info().name);
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    format!(
        "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
        command(d.severity),
        escape_property(&path),
        escape_property(&title),
        escape_data(&message)
    )
}

/// An input error's annotation line.
#[must_use]
pub fn input_error(root: Option<&str>, e: &InputError) -> String {
    let path = super::sarif::input_path(root, &e.path);
    let at =
        e.at.map_or(String::new(), |(l, c)| format!(",line={l},col={c}"));
    let title = format!("{} {}", e.code, e.code.info().name);
    format!(
        "::error file={}{at},title={}::{}",
        escape_property(&path),
        escape_property(&title),
        escape_data(&e.message)
    )
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}
