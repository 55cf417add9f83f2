//! Diagnostics: the one type every stage reports with, the table of stable codes, and
//! renderers (miette's graphical report, a one-line `short` form and JSON).
//!
//! A diagnostic never carries a secret's value: messages are built from names, and
//! source snippets go through [`crate::redact`] before they are shown.

pub mod codes;
pub mod github;
pub mod render;
pub mod sarif;
pub mod suggest;

use crate::source::{FileId, Span};
use serde::Serialize;

pub use codes::{CODES, Code, CodeInfo, code};
pub use suggest::did_you_mean;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A labelled place in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self {
            file,
            span,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; its message may be empty.
    pub primary: Label,
    /// The other ends of a relation: the first declaration of a duplicate, every hop of a
    /// cycle, the declaration a reference points to.
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// Machine-applicable fixes (the language server offers them as code actions).
    pub fixes: Vec<Fix>,
}

/// A text edit that fixes a diagnostic: replace `span` of `file` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>, file: FileId, span: Span) -> Self {
        Self {
            code,
            severity: code.info().severity,
            message: message.into(),
            primary: Label::new(file, span, ""),
            secondary: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Adds a fix that replaces `span` (in the primary file) with `replacement`.
    #[must_use]
    pub fn fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            file: self.primary.file,
            span,
            replacement: replacement.into(),
        });
        self
    }

    #[must_use]
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    #[must_use]
    pub fn with_secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label::new(file, span, message));
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are shown in: by file, position, then code.
    #[must_use]
    pub fn sort_key(&self) -> (FileId, u32, u32, &'static str, &str) {
        (
            self.primary.file,
            self.primary.span.start,
            self.primary.span.end,
            self.code.as_str(),
            &self.message,
        )
    }
}

/// Sorts and removes exact duplicates, so output never depends on the order in which
/// parallel stages finished.
pub fn normalize(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

#[cfg(test)]
mod tests {
    use super::suggest::did_you_mean;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("replica", ["replicas", "route"]),
            Some("replicas")
        );
        assert_eq!(did_you_mean("imgae", ["image", "port"]), Some("image"));
        assert_eq!(did_you_mean("zzz", ["image", "port"]), None);
    }
}
