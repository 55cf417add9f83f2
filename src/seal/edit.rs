//! The edit `afc seal` makes to a `.af` file, computed from the text and the syntax
//! tree's spans: it replaces the bytes of one string value, or inserts one
//! `KEY = "..."` item, or inserts one `sealed ENV { ... }` block. Nothing else of the
//! file changes: comments, spacing, tabs and line endings stay as they are; inserted
//! lines take the file's own line ending (CRLF is detected) and the indentation of
//! their neighbours. [`check`] re-analyses the edited text and proves that the model
//! changed in that one value only.

use crate::Analysis;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::{self, Body, Item, Key};
use std::ops::Range;

/// One replacement: `range` of the old text becomes `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
    pub kind: EditKind,
    /// The new key is longer than the block's aligned keys: its `=` is not aligned
    /// with theirs, and `afc fmt` would realign the block.
    pub realign: bool,
}

/// What an [`Edit`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKind {
    /// The key existed: its value was replaced.
    Replaced,
    /// The block existed: the key was added.
    AddedKey,
    /// The block was added, with the key.
    AddedBlock,
}

impl Edit {
    /// The text with the edit made.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.text.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.text);
        out.push_str(&text[self.range.end..]);
        out
    }
}

/// Why no edit could be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The file declares no `secret` of that name.
    NoSecret,
    /// A body is not closed (the workspace did not check clean).
    Unclosed,
    /// The value is not a bare ciphertext (it would need quoting or escaping).
    NotCiphertext,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EditError::NoSecret => "the file does not declare that secret",
            EditError::Unclosed => "the secret's braces are not closed",
            EditError::NotCiphertext => "the value is not a base64 ciphertext",
        })
    }
}

/// Plans the edit that puts `value` (a ciphertext) at `key` of the `sealed` block
/// `block` (`None`: the unlabelled block) of secret `secret`.
///
/// # Errors
/// See [`EditError`].
pub fn plan(
    text: &str,
    tree: &ast::File,
    secret: &str,
    block: Option<&str>,
    key: &str,
    value: &str,
) -> Result<Edit, EditError> {
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return Err(EditError::NotCiphertext);
    }
    let decl = tree
        .decls
        .iter()
        .find(|d| d.kind.text == "secret" && d.name.text == secret)
        .ok_or(EditError::NoSecret)?;
    let quoted = format!("\"{value}\"");
    let style = Style::of(text);
    let mut sealed_blocks = decl.body.items.iter().filter_map(|it| match it {
        Item::Block(b) if b.key.text == "sealed" => Some(b),
        _ => None,
    });
    let target = sealed_blocks
        .clone()
        .find(|b| b.label.as_ref().map(ast::BlockLabel::text).as_deref() == block);
    if let Some(b) = target {
        let existing = b.body.items.iter().find_map(|it| match it {
            Item::Attr(a) if matches!(&a.key, Key::Path(p) if p.len() == 1 && p[0].text == key) => {
                Some(a)
            }
            _ => None,
        });
        if let Some(a) = existing {
            return Ok(Edit {
                range: a.value.span.range(),
                text: quoted,
                kind: EditKind::Replaced,
                realign: false,
            });
        }
        let (pad, realign) = alignment(text, &b.body, key);
        let item = Rendered {
            inline: format!("{key} = {quoted}"),
            lines: vec![format!("{key}{pad}= {quoted}")],
        };
        let (range, new) = insert(text, &style, &b.body, b.span, None, &item)?;
        return Ok(Edit {
            range,
            text: new,
            kind: EditKind::AddedKey,
            realign,
        });
    }
    let head = match block {
        Some(env) => format!("sealed {env} {{"),
        None => "sealed {".to_string(),
    };
    let item = Rendered {
        inline: format!("{head} {key} = {quoted} }}"),
        lines: vec![
            head,
            format!("{}{key} = {quoted}", style.unit),
            "}".to_string(),
        ],
    };
    let after = sealed_blocks.next_back().map(|b| b.span);
    let (range, new) = insert(text, &style, &decl.body, decl.span, after, &item)?;
    Ok(Edit {
        range,
        text: new,
        kind: EditKind::AddedBlock,
        realign: false,
    })
}

/// An item to insert: on one line (inside a one-line body), or as lines without
/// their indentation (inside a multi-line body).
struct Rendered {
    inline: String,
    lines: Vec<String>,
}

/// The file's line ending and indentation unit.
struct Style {
    eol: &'static str,
    unit: String,
}

impl Style {
    fn of(text: &str) -> Style {
        let eol = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        let mut unit: Option<String> = None;
        for line in text.lines() {
            let ws: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            if ws.is_empty() || ws.len() == line.trim_end_matches('\r').len() {
                continue;
            }
            if ws.starts_with('\t') {
                unit = Some("\t".to_string());
                break;
            }
            if unit.as_ref().is_none_or(|u| ws.len() < u.len()) {
                unit = Some(ws);
            }
        }
        Style {
            eol,
            unit: unit.unwrap_or_else(|| "  ".to_string()),
        }
    }
}

/// Inserts `item` into `body` (whose owner, a declaration or block, spans `owner`):
/// after the item spanning `after`, or else after the body's last item. Returns the
/// range to replace (empty except when an empty one-line body is opened up) and the
/// text to put there.
fn insert(
    text: &str,
    style: &Style,
    body: &Body,
    owner: Span,
    after: Option<Span>,
    item: &Rendered,
) -> Result<(Range<usize>, String), EditError> {
    if !body.closed || body.span.len() < 2 {
        return Err(EditError::Unclosed);
    }
    let open = body.span.start as usize;
    let close = body.span.end as usize - 1;
    let eol = style.eol;
    let owner_indent = indent_of(text, owner.start as usize);
    let last = body.items.last().map(Item::span);
    let anchor = after.or(last);
    if !text[open..close].contains('\n') {
        // A one-line body.
        return Ok(match anchor {
            Some(a) => (a.end as usize..a.end as usize, format!(", {}", item.inline)),
            None if starts_line(text, owner.start as usize) => {
                // `NAME {}` on its own line: open it up.
                let inner = format!("{owner_indent}{}", style.unit);
                (
                    open + 1..close,
                    format!(
                        "{eol}{}{eol}{owner_indent}",
                        indent_lines(&item.lines, &inner, eol)
                    ),
                )
            }
            None => (open + 1..close, format!(" {} ", item.inline)),
        });
    }
    // A multi-line body: the new item's indentation is its neighbours'.
    let indent = match anchor {
        Some(s) if starts_line(text, s.start as usize) => indent_of(text, s.start as usize),
        _ => format!("{owner_indent}{}", style.unit),
    };
    let lines = indent_lines(&item.lines, &indent, eol);
    let close_line = line_start(text, close);
    match after {
        // After a given item that ends its line (before the body's last line): the
        // lines go right below it.
        Some(a)
            if rest_is_trivia(text, a.end as usize)
                && line_start(text, a.end as usize) < close_line =>
        {
            let at = next_line_start(text, a.end as usize);
            Ok((at..at, format!("{lines}{eol}")))
        }
        // The closing brace starts its line: the lines go just above it.
        _ if starts_line(text, close)
            && anchor.is_none_or(|a| line_start(text, a.end as usize) < close_line) =>
        {
            Ok((close_line..close_line, format!("{lines}{eol}")))
        }
        // Something shares the line (`A = "x" }`): break the line after the anchor.
        _ => {
            let at = anchor.map_or(open + 1, |a| a.end as usize);
            Ok((at..at, format!("{eol}{lines}")))
        }
    }
}

/// The lines, each indented, joined by `eol` (no final `eol`). The first line gets
/// `indent`; later lines get `indent` too (their own relative indentation is in them).
fn indent_lines(lines: &[String], indent: &str, eol: &str) -> String {
    lines
        .iter()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join(eol)
}

/// The spaces between a new key and its `=`, and whether the key is too long to join
/// the block's aligned `=` signs. When every item of the block is an attribute on its
/// own line and their `=` signs share a column, the padding puts the new key's `=`
/// there too if the key fits; else one space (and, if it does not fit, `afc fmt` will
/// realign the block: afc seal changes no other line).
fn alignment(text: &str, body: &Body, key: &str) -> (String, bool) {
    let one = || (" ".to_string(), false);
    let mut column = None;
    let mut key_col = 0;
    for it in &body.items {
        let Item::Attr(a) = it else { return one() };
        let start = a.span.start as usize;
        let key_end = a.key.span().end as usize;
        let between = text
            .get(key_end..a.value.span.start as usize)
            .unwrap_or_default();
        let eq = between.find('=').map(|i| i + key_end);
        let (Some(eq), true) = (eq, starts_line(text, start)) else {
            return one();
        };
        let col = text[line_start(text, eq)..eq].chars().count();
        if column.is_some_and(|c| c != col) {
            return one();
        }
        column = Some(col);
        key_col = text[line_start(text, start)..start].chars().count();
    }
    let width = key_col + key.chars().count();
    match column {
        Some(col) if width < col => (" ".repeat(col - width), false),
        Some(col) => (" ".to_string(), width + 1 > col),
        None => one(),
    }
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

fn next_line_start(text: &str, pos: usize) -> usize {
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

/// The spaces and tabs that start the line holding `pos`.
fn indent_of(text: &str, pos: usize) -> String {
    let start = line_start(text, pos);
    text[start..]
        .trim_start_matches('\u{feff}')
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// True when only indentation precedes `pos` on its line.
fn starts_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos]
        .trim_start_matches('\u{feff}')
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// True when only spaces, commas and a `//` comment follow `pos` on its line.
fn rest_is_trivia(text: &str, pos: usize) -> bool {
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let rest = text[pos..end].trim_start_matches([' ', '\t', ',', '\r']);
    rest.is_empty() || rest.starts_with("//")
}

/// Re-analyses the workspace with `file`'s text replaced by `new_text` and checks that
/// it has no error the old text did not have (sealing may fix a missing sealed value,
/// never add a problem) and that its model is the old one with exactly one change:
/// `key` of the `block` of `secret` is `value`.
///
/// # Errors
/// A description (names and codes only, never values) of what differs.
pub fn check(
    a: &Analysis,
    file: FileId,
    new_text: &str,
    secret: &str,
    block: Option<&str>,
    key: &str,
    value: &str,
) -> Result<(), String> {
    let changed = &a.file(file).path;
    let files: Vec<SourceFile> = a
        .files
        .iter()
        .filter(|f| !crate::stdlib::is_stdlib_path(&f.path))
        .map(|f| {
            if &f.path == changed {
                SourceFile::new(f.path.clone(), new_text)
            } else {
                f.clone()
            }
        })
        .collect();
    let b = crate::analyze(files);
    let mut before: Vec<(&str, &str)> = a
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    for d in b.diagnostics.iter().filter(|d| d.is_error()) {
        match before
            .iter()
            .position(|x| *x == (d.code.as_str(), d.message.as_str()))
        {
            Some(i) => {
                before.swap_remove(i);
            }
            None => {
                return Err(format!(
                    "the edited `{changed}` does not check: error[{}] {}",
                    d.code, d.message
                ));
            }
        }
    }
    let mut expected = a.sema.model.clone();
    let Some(s) = expected.secrets.iter_mut().find(|s| s.name == secret) else {
        return Err(format!("no secret `{secret}` in the model"));
    };
    s.sealed
        .entry(block.map(str::to_string))
        .or_default()
        .insert(key.to_string(), value.to_string());
    if format!("{expected:?}") != format!("{:?}", b.sema.model) {
        return Err(format!(
            "the edited `{changed}` would change more than `{key}` of secret `{secret}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value with the shape of a ciphertext (not a real one: edits do not care).
    const CT: &str = "AgBz+/9=";

    fn edit(text: &str, block: Option<&str>, key: &str) -> (String, EditKind) {
        let (tree, diags) = crate::syntax::parse(FileId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        let e = plan(text, &tree, "jwt", block, key, CT).expect("planned");
        // Every edit keeps the whole old text around it: a prefix and a suffix.
        let out = e.apply(text);
        assert!(out.starts_with(&text[..e.range.start]));
        assert!(out.ends_with(&text[e.range.end..]));
        (out, e.kind)
    }

    #[test]
    fn replaces_only_the_value() {
        let text = "// c\nsecret jwt {\n  sealed staging {\n    A = \"old\"  // keep\n    B = \"x\"\n  }\n}\n";
        let (out, kind) = edit(text, Some("staging"), "A");
        assert_eq!(kind, EditKind::Replaced);
        assert_eq!(out, text.replace("\"old\"", &format!("\"{CT}\"")));
    }

    #[test]
    fn adds_a_key_below_the_last_one_with_its_indentation() {
        let text = "secret jwt {\n  sealed staging {\n    A = \"x\" // a\n    // trailing\n  }\n  sealed prod {\n    A = \"x\"\n  }\n}\n";
        let (out, kind) = edit(text, Some("staging"), "BB");
        assert_eq!(kind, EditKind::AddedKey);
        assert_eq!(
            out,
            text.replace(
                "    // trailing\n",
                &format!("    // trailing\n    BB = \"{CT}\"\n")
            )
        );
    }

    #[test]
    fn aligns_with_aligned_equals_signs() {
        let text = "secret jwt {\n  sealed staging {\n    username = \"x\"\n    password = \"y\"\n  }\n}\n";
        let (out, _) = edit(text, Some("staging"), "host");
        assert!(
            out.contains(&format!(
                "    password = \"y\"\n    host     = \"{CT}\"\n  }}"
            )),
            "{out}"
        );
        // A key too long to align gets one space, and a note that `afc fmt` realigns.
        let realign = |t: &str, key: &str| {
            let (tree, _) = crate::syntax::parse(FileId(0), t);
            plan(t, &tree, "jwt", Some("staging"), key, CT)
                .expect("plan")
                .realign
        };
        assert!(realign(text, "connection_url"));
        assert!(!realign(text, "host"));
        assert!(!realign(text, "hostname"), "as long as the others: aligned");
        let (out, _) = edit(text, Some("staging"), "connection_url");
        assert!(
            out.contains(&format!("    connection_url = \"{CT}\"\n")),
            "{out}"
        );
        // Unaligned signs: one space.
        let text =
            "secret jwt {\n  sealed staging {\n    user = \"x\"\n    password = \"y\"\n  }\n}\n";
        let (out, _) = edit(text, Some("staging"), "k");
        assert!(out.contains(&format!("    k = \"{CT}\"\n")), "{out}");
        assert!(!realign(text, "much_longer_key"), "nothing was aligned");
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let text = "secret jwt {\r\n  sealed staging {\r\n    A = \"x\"\r\n  }\r\n}\r\n";
        let (out, _) = edit(text, Some("staging"), "B");
        assert_eq!(
            out,
            text.replace(
                "    A = \"x\"\r\n",
                &format!("    A = \"x\"\r\n    B = \"{CT}\"\r\n")
            )
        );
        let (out, kind) = edit(text, Some("prod"), "B");
        assert_eq!(kind, EditKind::AddedBlock);
        assert_eq!(
            out,
            text.replace(
                "  }\r\n}",
                &format!("  }}\r\n  sealed prod {{\r\n    B = \"{CT}\"\r\n  }}\r\n}}")
            )
        );
        assert!(
            !out.replace("\r\n", "").contains('\n'),
            "a bare LF was inserted"
        );
    }

    #[test]
    fn keeps_tabs() {
        let text = "secret jwt {\n\tsealed staging {\n\t\tA = \"x\"\n\t}\n}\n";
        let (out, _) = edit(text, Some("staging"), "B");
        assert_eq!(
            out,
            text.replace(
                "\t\tA = \"x\"\n",
                &format!("\t\tA = \"x\"\n\t\tB = \"{CT}\"\n")
            )
        );
        let (out, _) = edit(text, Some("prod"), "B");
        assert_eq!(
            out,
            text.replace(
                "\t}\n}",
                &format!("\t}}\n\tsealed prod {{\n\t\tB = \"{CT}\"\n\t}}\n}}")
            )
        );
    }

    #[test]
    fn one_line_bodies_stay_on_one_line() {
        let text = "secret jwt {\n  sealed dev { A = \"x\" }\n}\n";
        let (out, _) = edit(text, Some("dev"), "B");
        assert_eq!(
            out,
            text.replace("A = \"x\" }", &format!("A = \"x\", B = \"{CT}\" }}"))
        );
        let (out, _) = edit(text, Some("dev"), "A");
        assert_eq!(out, text.replace("\"x\"", &format!("\"{CT}\"")));
        let text = "secret jwt { sealed dev { A = \"x\" } }\n";
        let (out, kind) = edit(text, Some("prod"), "B");
        assert_eq!(kind, EditKind::AddedBlock);
        assert_eq!(
            out,
            format!(
                "secret jwt {{ sealed dev {{ A = \"x\" }}, sealed prod {{ B = \"{CT}\" }} }}\n"
            )
        );
        // A trailing comma stays where it was.
        let text = "secret jwt {\n  sealed dev { A = \"x\", }\n}\n";
        let (out, _) = edit(text, Some("dev"), "B");
        assert_eq!(
            out,
            text.replace("A = \"x\", }", &format!("A = \"x\", B = \"{CT}\", }}"))
        );
    }

    #[test]
    fn empty_bodies_open_up() {
        let (out, kind) = edit("secret jwt {}\n", Some("staging"), "K");
        assert_eq!(kind, EditKind::AddedBlock);
        assert_eq!(
            out,
            format!("secret jwt {{\n  sealed staging {{\n    K = \"{CT}\"\n  }}\n}}\n")
        );
        let (out, _) = edit("secret jwt { }\r\n", None, "K");
        assert_eq!(
            out,
            format!("secret jwt {{\r\n  sealed {{\r\n    K = \"{CT}\"\r\n  }}\r\n}}\r\n")
        );
        let text = "secret jwt {\n    sealed dev {}\n}\n";
        let (out, kind) = edit(text, Some("dev"), "K");
        assert_eq!(kind, EditKind::AddedKey);
        assert_eq!(
            out,
            format!("secret jwt {{\n    sealed dev {{\n        K = \"{CT}\"\n    }}\n}}\n")
        );
        // An empty body that does not start its line gets its item inline.
        let (out, _) = edit("secret jwt { sealed dev {} }\n", Some("dev"), "K");
        assert_eq!(
            out,
            format!("secret jwt {{ sealed dev {{ K = \"{CT}\" }} }}\n")
        );
        // An empty multi-line block.
        let text = "secret jwt {\n  sealed dev {\n  }\n}\n";
        let (out, _) = edit(text, Some("dev"), "K");
        assert_eq!(
            out,
            format!("secret jwt {{\n  sealed dev {{\n    K = \"{CT}\"\n  }}\n}}\n")
        );
    }

    #[test]
    fn a_new_block_goes_after_the_last_sealed_block() {
        let text = "/// doc\nsecret jwt {\n  sealed staging {\n    A = \"x\"\n  } // after\n  // about scope\n  scope = strict\n}\n";
        let (out, _) = edit(text, Some("prod"), "A");
        assert_eq!(
            out,
            text.replace(
                "  } // after\n",
                &format!("  }} // after\n  sealed prod {{\n    A = \"{CT}\"\n  }}\n")
            )
        );
        // No sealed block yet: at the end of the body, after comments.
        let text = "secret jwt {\n  scope = namespace-wide\n  // end\n}\n";
        let (out, _) = edit(text, Some("prod"), "A");
        assert_eq!(
            out,
            text.replace(
                "  // end\n",
                &format!("  // end\n  sealed prod {{\n    A = \"{CT}\"\n  }}\n")
            )
        );
    }

    #[test]
    fn a_closing_brace_that_shares_a_line() {
        let text = "secret jwt {\n  sealed dev {\n    A = \"x\" }\n}\n";
        let (out, _) = edit(text, Some("dev"), "B");
        assert_eq!(
            out,
            text.replace("A = \"x\" }", &format!("A = \"x\"\n    B = \"{CT}\" }}"))
        );
        let text = "secret jwt {\n  sealed dev {\n    A = \"x\"\n  } }\n";
        let (out, _) = edit(text, Some("prod"), "B");
        assert_eq!(
            out,
            text.replace(
                "  } }",
                &format!("  }}\n  sealed prod {{\n    B = \"{CT}\"\n  }} }}")
            )
        );
    }

    #[test]
    fn the_file_may_end_without_a_newline_and_start_with_a_bom() {
        let text = "\u{feff}secret jwt {\n  sealed dev {\n    A = \"x\"\n  }\n}";
        let (out, _) = edit(text, Some("dev"), "B");
        assert_eq!(
            out,
            text.replace(
                "    A = \"x\"\n",
                &format!("    A = \"x\"\n    B = \"{CT}\"\n")
            )
        );
        let (out, _) = edit("\u{feff}secret jwt {}", Some("dev"), "B");
        assert_eq!(
            out,
            format!("\u{feff}secret jwt {{\n  sealed dev {{\n    B = \"{CT}\"\n  }}\n}}")
        );
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        let text = "secret jwt {}\n";
        let (tree, _) = crate::syntax::parse(FileId(0), text);
        assert_eq!(
            plan(text, &tree, "other", None, "K", CT),
            Err(EditError::NoSecret)
        );
        for bad in ["a\"b", "a\\b", "a\nb", "${x}"] {
            assert_eq!(
                plan(text, &tree, "jwt", None, "K", bad),
                Err(EditError::NotCiphertext)
            );
        }
        let text = "secret jwt {\n  sealed dev {\n";
        let (tree, _) = crate::syntax::parse(FileId(0), text);
        assert_eq!(
            plan(text, &tree, "jwt", Some("dev"), "K", CT),
            Err(EditError::Unclosed)
        );
    }

    #[test]
    fn check_accepts_the_one_change_and_nothing_else() {
        let platform = "platform acme {\n  repo = \"https://example.com/acme.git\"\n}\nenv staging {}\nservice api {\n  image = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  health = \"/health\"\n  port = 80\n  uses = [jwt]\n}\n";
        let ct = |c: u8| crate::sealed::join(&[c; 256], &[c; 20]);
        let (old, new, other) = (ct(1), ct(2), ct(3));
        let secrets = format!(
            "secret jwt {{\n  sealed staging {{\n    A = \"{old}\"\n    B = \"{old}\"\n  }}\n}}\n"
        );
        let a = crate::analyze(vec![
            SourceFile::new("platform.af", platform),
            SourceFile::new("secrets.af", secrets.clone()),
        ]);
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        let file = a.file_id("secrets.af").expect("file");
        let e = plan(
            &secrets,
            &a.asts[file.0 as usize],
            "jwt",
            Some("staging"),
            "A",
            &new,
        )
        .expect("plan");
        let edited = e.apply(&secrets);
        assert_eq!(
            check(&a, file, &edited, "jwt", Some("staging"), "A", &new),
            Ok(())
        );
        // The same text claimed as another key's change, or another value.
        assert!(check(&a, file, &edited, "jwt", Some("staging"), "B", &new).is_err());
        assert!(check(&a, file, &edited, "jwt", Some("staging"), "A", &other).is_err());
        // A second value changed too.
        let both = edited.replacen(&old, &other, 1);
        let msg =
            check(&a, file, &both, "jwt", Some("staging"), "A", &new).expect_err("two changes");
        assert!(msg.contains("would change more than `A`"), "{msg}");
        // An edit that breaks the file.
        let broken = edited.replacen("sealed staging {", "sealed staging {{", 1);
        let msg = check(&a, file, &broken, "jwt", Some("staging"), "A", &new).expect_err("broken");
        assert!(msg.contains("does not check: error[AF"), "{msg}");
        // Comments and spacing are not in the model: the check leaves them to `plan`.
        let spaced = format!("// note\n{edited}");
        assert_eq!(
            check(&a, file, &spaced, "jwt", Some("staging"), "A", &new),
            Ok(())
        );
    }

    /// In a file `afc fmt` leaves alone, every edit (but a key too long to align) keeps
    /// it that way.
    #[test]
    fn formatted_files_stay_formatted() {
        let fmt = |t: &str| {
            let (tree, diags) = crate::syntax::parse(FileId(0), t);
            assert!(diags.is_empty(), "{diags:?}");
            crate::fmt::format(t, &tree)
        };
        let two = format!(
            "secret jwt {{\n  sealed staging {{\n    username = \"{CT}\"\n    password = \"{CT}\"\n  }}\n}}\n"
        );
        let scoped = format!(
            "/// Doc.\nsecret jwt {{\n  scope = namespace-wide\n  sealed staging {{\n    A = \"{CT}\" // note\n  }}\n}}\n\n// end\n"
        );
        let inputs = [
            two.clone(),
            two.replace('\n', "\r\n"),
            scoped,
            "secret jwt {}\n".to_string(),
        ];
        for input in &inputs {
            assert_eq!(&fmt(input), input, "the input is not formatted");
            for (block, key) in [
                (Some("staging"), "host"),
                (Some("staging"), "username"),
                (Some("staging"), "A"),
                (Some("production"), "K"),
            ] {
                let (tree, _) = crate::syntax::parse(FileId(0), input);
                let e = plan(input, &tree, "jwt", block, key, CT).expect("plan");
                let out = e.apply(input);
                if !e.realign {
                    assert_eq!(fmt(&out), out, "{key} in {block:?} of {input:?}");
                }
            }
        }
    }

    #[test]
    fn style_detection() {
        assert_eq!(Style::of("a\r\nb\n").eol, "\r\n");
        assert_eq!(Style::of("a\nb\r\n").eol, "\n");
        assert_eq!(Style::of("a").eol, "\n");
        assert_eq!(Style::of("a {\n    b\n      c\n}\n").unit, "    ");
        assert_eq!(Style::of("a {\n\tb\n}\n").unit, "\t");
        assert_eq!(Style::of("a {}\n   \n").unit, "  ");
    }
}
