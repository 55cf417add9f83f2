//! Keeps secret values out of every output. Source snippets shown in diagnostics go
//! through [`redact`], which masks the contents of every string inside a `secret`
//! declaration. It works on the text, not on the tree, so it also covers a secret that
//! does not parse.

use std::borrow::Cow;

/// The text with the contents of every string inside a `secret` declaration replaced by
/// `*` (one per byte, so every span stays valid).
#[must_use]
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out: Option<Vec<u8>> = None;
    let bytes = text.as_bytes();
    let mut in_secret = false;
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(bytes.len(), |n| line_start + n + 1);
        let line = &text[line_start..line_end];
        if let Some(kind) = decl_keyword(line) {
            in_secret = kind == "secret";
        }
        if in_secret {
            let buf = out.get_or_insert_with(|| bytes.to_vec());
            mask_strings(line, &mut buf[line_start..line_end]);
        }
        line_start = line_end;
    }
    match out {
        // Only ASCII '*' replaced whole UTF-8 sequences, so this cannot fail.
        Some(buf) => Cow::Owned(String::from_utf8(buf).unwrap_or_default()),
        None => Cow::Borrowed(text),
    }
}

/// The text with the inside of each span masked by `*` (one per byte, so every span
/// stays valid); a span's enclosing quotes stay visible. The linter hands such spans
/// in for secret-looking values outside `secret` declarations.
#[must_use]
pub fn mask_spans(text: &str, spans: impl Iterator<Item = crate::source::Span>) -> String {
    let mut buf = text.as_bytes().to_vec();
    for span in spans {
        let (start, end) = (span.start as usize, (span.end as usize).min(buf.len()));
        if start >= end {
            continue;
        }
        let quoted = buf[start] == b'"' && end - start >= 2 && buf[end - 1] == b'"';
        let (from, to) = if quoted {
            (start + 1, end - 1)
        } else {
            (start, end)
        };
        for b in &mut buf[from..to] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // Whole UTF-8 sequences inside a span were replaced, so this cannot fail.
    String::from_utf8(buf).unwrap_or_default()
}

/// The kind keyword of a line that starts a declaration at column 0.
fn decl_keyword(line: &str) -> Option<&str> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let first = line.split([' ', '\t']).next()?;
    let word = if first == "override" {
        line[first.len()..].trim_start().split([' ', '\t']).next()?
    } else {
        first
    };
    crate::syntax::KINDS.contains(&word).then_some(word)
}

/// Masks what is between quotes (or from an unclosed quote to the end of the line).
fn mask_strings(line: &str, out: &mut [u8]) {
    let b = line.as_bytes();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' && i + 1 < b.len() && b[i + 1] != b'\n' {
                out[i] = b'*';
                out[i + 1] = b'*';
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            } else if c != b'\n' && c != b'\r' {
                out[i] = b'*';
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            break;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{mask_spans, redact};

    #[test]
    fn masks_given_spans() {
        let text = "env {\n  DB_PASSWORD = \"s3cr\u{e9}t\"\n}\n";
        let start = text.find('"').expect("quote");
        let end = text.rfind('"').expect("quote") + 1;
        let masked = mask_spans(text, std::iter::once(crate::source::Span::new(start, end)));
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("s3cr"));
        assert!(masked.contains("DB_PASSWORD = \"*******\""));
    }

    #[test]
    fn masks_only_secrets() {
        let text = "service a {\n  image = \"x\"\n}\nsecret s {\n  sealed dev {\n    K = \"hunter2é\"\n    L = \"open\n  }\n}\nservice b {\n  image = \"y\"\n}\n";
        let r = redact(text);
        assert_eq!(r.len(), text.len());
        assert!(!r.contains("hunter2"));
        assert!(!r.contains("open"));
        assert!(r.contains("image = \"x\""));
        assert!(r.contains("image = \"y\""));
        assert!(r.contains("K = \"*********\""));
    }
}
