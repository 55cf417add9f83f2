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
    use super::redact;

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
