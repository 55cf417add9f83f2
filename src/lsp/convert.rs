//! Conversions between afc's byte spans and diagnostics and the LSP's UTF-16
//! positions and diagnostics.

use super::Server;
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, LineIndex, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
};

fn position_in(idx: &LineIndex, text: &str, offset: usize) -> Position {
    let (line, col) = idx.utf16_col(text, offset);
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// The LSP range of a span of a file of the analysis (its line index is made once).
pub(crate) fn range(s: &Server, file: FileId, span: Span) -> Range {
    let idx = s.analysis.lines(file);
    let text = &s.analysis.file(file).text;
    Range::new(
        position_in(idx, text, span.start as usize),
        position_in(idx, text, span.end as usize),
    )
}

pub(crate) fn offset(text: &str, pos: Position) -> usize {
    LineIndex::new(text).offset_of_utf16(text, pos.line as usize, pos.character as usize)
}

pub(crate) fn location(s: &Server, file: FileId, span: Span) -> Option<Location> {
    let f = s.analysis.file(file);
    Some(Location::new(s.uri_of(&f.path)?, range(s, file, span)))
}

pub(crate) fn diagnostic(s: &Server, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: location(s, l.file, l.span)?,
                message: l.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(s, d.primary.file, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("afc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}
