//! The `.af` parser: nom recognisers for the lexemes (names, numbers, trivia) driven by a
//! recursive-descent core that never gives up. Every error becomes a diagnostic and the
//! parser resynchronises: inside a body at the end of the line, at top level at the next
//! line that starts a declaration. So one run reports every syntax error of a file.

use super::ast::{
    Attr, Block, BlockLabel, Body, Comment, Decl, File, Ident, Item, Key, NumLit, StrLit, StrPart,
    Value, ValueKind,
};
use crate::diag::{Diagnostic, code};
use crate::source::{FileId, Span};
use nom::{
    IResult,
    bytes::complete::{take_while, take_while1},
    character::complete::{char, digit1, satisfy},
    combinator::{opt, recognize},
    sequence::{pair, tuple},
};

/// How deeply blocks and lists may nest. Real files use three levels at most.
pub const MAX_DEPTH: usize = 32;

/// The declaration keywords. A line that starts (at column 0) with one of these followed
/// by a name is where the parser resynchronises after an error.
pub const KINDS: &[&str] = &[
    "platform",
    "cluster",
    "env",
    "service",
    "site",
    "database",
    "cache",
    "secret",
    "engine",
    "component",
    "policy",
];

type R<'a, T> = IResult<&'a str, T, ()>;

fn nom_ident(i: &str) -> R<'_, &str> {
    recognize(pair(
        satisfy(|c| c.is_ascii_alphabetic() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
    ))(i)
}

/// `-?[0-9]+(\.[0-9]+)?` followed by an optional alphabetic unit.
fn nom_number(i: &str) -> R<'_, (&str, &str)> {
    let (i, num) = recognize(tuple((
        opt(char('-')),
        digit1,
        opt(pair(char('.'), digit1)),
    )))(i)?;
    let (i, unit) = take_while(|c: char| c.is_ascii_alphabetic())(i)?;
    Ok((i, (num, unit)))
}

fn nom_hspace(i: &str) -> R<'_, &str> {
    take_while(|c| c == ' ' || c == '\t' || c == '\u{feff}' || c == '\r')(i)
}

fn nom_comment(i: &str) -> R<'_, &str> {
    let (rest, _) = nom::bytes::complete::tag("//")(i)?;
    let (rest, _) = take_while(|c| c != '\n')(rest)?;
    // A CRLF line's `\r` is not part of the comment.
    let len = i.len() - rest.len();
    let body = &i[..len];
    let body = body.strip_suffix('\r').unwrap_or(body);
    Ok((&i[body.len()..], body))
}

fn nom_hex(i: &str) -> R<'_, &str> {
    take_while1(|c: char| c.is_ascii_hexdigit())(i)
}

/// Parses one file. Never fails: the tree holds what could be parsed.
#[must_use]
pub fn parse(file: FileId, src: &str) -> (File, Vec<Diagnostic>) {
    let mut p = P {
        src,
        pos: 0,
        file,
        diags: Vec::new(),
        comments: Vec::new(),
        doc: Vec::new(),
        newlines_since_doc: 0,
        depth: 0,
    };
    let mut decls = Vec::new();
    loop {
        p.trivia();
        if p.eof() {
            break;
        }
        if p.peek() == Some('}') {
            let at = p.pos;
            p.pos += 1;
            p.error(
                code::SYNTAX,
                "unexpected `}`",
                Span::new(at, at + 1),
                "this `}` closes nothing",
            );
            continue;
        }
        match p.decl() {
            Some(d) => decls.push(d),
            None => p.recover_to_decl(),
        }
    }
    let file_ast = File {
        decls,
        comments: p.comments,
    };
    (file_ast, p.diags)
}

struct P<'a> {
    src: &'a str,
    pos: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
    comments: Vec<Comment>,
    /// `///` lines seen since the last item, waiting to be attached.
    doc: Vec<String>,
    newlines_since_doc: usize,
    depth: usize,
}

impl<'a> P<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn eof(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn advance_to(&mut self, rest: &str) {
        self.pos = self.src.len() - rest.len();
    }

    fn error(&mut self, c: crate::diag::Code, msg: impl Into<String>, span: Span, label: &str) {
        self.diags
            .push(Diagnostic::new(c, msg, self.file, span).label(label));
    }

    /// A description of what stands at the current position, for "found ..." messages.
    fn found(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some('\n') => "end of line".into(),
            Some('\r') if self.peek2() == Some('\n') => "end of line".into(),
            Some('"') => "a string".into(),
            Some(c) if c.is_ascii_digit() => "a number".into(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => match nom_ident(self.rest()) {
                Ok((_, w)) => format!("`{w}`"),
                Err(_) => format!("`{c}`"),
            },
            Some(c) if c.is_control() => format!("character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    /// The span of the token at the current position (one char, or a whole word).
    fn here(&self) -> Span {
        if let Ok((rest, _)) = nom_ident(self.rest()) {
            return Span::new(self.pos, self.src.len() - rest.len());
        }
        let len = self.peek().map_or(0, char::len_utf8);
        Span::new(self.pos, self.pos + len)
    }

    fn expected(&mut self, what: &str) {
        let found = self.found();
        let span = self.here();
        self.error(
            code::SYNTAX,
            format!("expected {what}, found {found}"),
            span,
            &format!("expected {what}"),
        );
    }

    /// Spaces and tabs (and a BOM, and the `\r` of CRLF).
    fn hspace(&mut self) {
        if let Ok((rest, _)) = nom_hspace(self.rest()) {
            self.advance_to(rest);
        }
    }

    /// Spaces, newlines, commas (when `commas`) and comments, collecting doc comments.
    fn trivia_inner(&mut self, commas: bool) {
        loop {
            self.hspace();
            match self.peek() {
                Some('\n') => {
                    self.pos += 1;
                    self.newlines_since_doc += 1;
                    if self.newlines_since_doc > 1 {
                        self.doc.clear();
                    }
                }
                Some(',') if commas => self.pos += 1,
                Some('/') if self.peek2() == Some('/') => self.comment(),
                _ => return,
            }
        }
    }

    fn trivia(&mut self) {
        self.trivia_inner(false);
    }

    fn comment(&mut self) {
        let Ok((rest, text)) = nom_comment(self.rest()) else {
            return;
        };
        let start = self.pos;
        self.advance_to(rest);
        let doc = text.starts_with("///") && !text.starts_with("////");
        self.comments.push(Comment {
            span: Span::new(start, self.pos),
            doc,
        });
        if doc {
            if self.newlines_since_doc > 1 {
                self.doc.clear();
            }
            let line = &text[3..];
            self.doc
                .push(line.strip_prefix(' ').unwrap_or(line).to_string());
            self.newlines_since_doc = 0;
        } else {
            self.doc.clear();
        }
    }

    fn take_doc(&mut self) -> Option<String> {
        if self.doc.is_empty() || self.newlines_since_doc > 1 {
            self.doc.clear();
            return None;
        }
        let d = self.doc.join("\n");
        self.doc.clear();
        Some(d)
    }

    fn ident(&mut self) -> Option<Ident> {
        let (rest, text) = nom_ident(self.rest()).ok()?;
        let start = self.pos;
        self.advance_to(rest);
        Some(Ident {
            text: text.to_string(),
            span: Span::new(start, self.pos),
        })
    }

    fn column_zero(&self, at: usize) -> bool {
        at == 0 || self.src.as_bytes()[at - 1] == b'\n'
    }

    /// Does a declaration start at `at`: at column 0, an optional `override`, a kind
    /// keyword, a name?
    fn decl_starts_at(&self, at: usize) -> bool {
        if !self.column_zero(at) {
            return false;
        }
        let mut s = &self.src[at..];
        if let Ok((rest, w)) = nom_ident(s) {
            if w == "override" {
                s = rest.trim_start_matches([' ', '\t']);
            }
        }
        let Ok((rest, w)) = nom_ident(s) else {
            return false;
        };
        if !KINDS.contains(&w) || !rest.starts_with([' ', '\t']) {
            return false;
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        nom_ident(rest).is_ok()
    }

    /// After an error at top level: skip to the next line that starts a declaration.
    fn recover_to_decl(&mut self) {
        while !self.eof() {
            match self.rest().find('\n') {
                Some(nl) => self.pos += nl + 1,
                None => self.pos = self.src.len(),
            }
            if self.decl_starts_at(self.pos) {
                break;
            }
        }
        self.doc.clear();
    }

    /// After an error inside a body: skip the rest of the line, but not a `}` that
    /// closes the body (brackets opened on the skipped part are balanced first).
    fn recover_line(&mut self) {
        let mut balance = 0i32;
        let mut in_str = false;
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            match b {
                b'\n' => return,
                b'"' => in_str = !in_str,
                b'\\' if in_str => self.pos += 1,
                b'{' | b'[' if !in_str => balance += 1,
                b'}' | b']' if !in_str => {
                    if balance == 0 && b == b'}' {
                        return;
                    }
                    balance -= 1;
                }
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(bytes.len());
    }

    /// Skips a bracketed region too deep to parse, from its opening bracket to the
    /// matching close (or the end of the file).
    fn skip_balanced(&mut self) {
        let bytes = self.src.as_bytes();
        let mut depth = 0usize;
        let mut in_str = false;
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            self.pos += 1;
            match b {
                b'\n' => in_str = false,
                b'"' => in_str = !in_str,
                b'\\' if in_str => self.pos += 1,
                b'{' | b'[' if !in_str => depth += 1,
                b'}' | b']' if !in_str => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.pos.min(bytes.len());
    }

    fn too_deep(&mut self) -> bool {
        if self.depth < MAX_DEPTH {
            return false;
        }
        let at = self.pos;
        self.error(
            code::TOO_DEEP,
            format!("nesting deeper than {MAX_DEPTH} levels"),
            Span::new(at, at + 1),
            "this opens one level too many",
        );
        self.skip_balanced();
        true
    }

    fn decl(&mut self) -> Option<Decl> {
        let doc = self.take_doc();
        let start = self.pos;
        let mut override_kw = None;
        let Some(mut kind) = self.ident() else {
            self.expected("a declaration such as `service NAME { ... }`");
            return None;
        };
        if kind.text == "override" {
            override_kw = Some(kind.span);
            self.hspace();
            kind = match self.ident() {
                Some(k) => k,
                None => {
                    self.expected("a declaration kind after `override`");
                    return None;
                }
            };
        }
        self.hspace();
        let Some(name) = self.ident() else {
            self.expected(&format!("a name after `{}`", kind.text));
            return None;
        };
        self.hspace();
        if self.peek() != Some('{') {
            self.expected(&format!("`{{` to open the body of `{}`", name.text));
            return None;
        }
        let body = self.body()?;
        Some(Decl {
            doc,
            override_kw,
            kind,
            name,
            span: Span::new(start, body.span.end as usize),
            body,
        })
    }

    /// At `{`. Returns `None` only when nesting is too deep (reported).
    fn body(&mut self) -> Option<Body> {
        if self.too_deep() {
            return None;
        }
        let open = self.pos;
        self.pos += 1;
        self.depth += 1;
        let mut items = Vec::new();
        let closed = loop {
            self.trivia_inner(true);
            if self.eof() {
                self.error(
                    code::UNCLOSED,
                    "unclosed `{`: the file ends before its `}`",
                    Span::new(open, open + 1),
                    "this `{` is never closed",
                );
                break false;
            }
            if self.peek() == Some('}') {
                self.pos += 1;
                break true;
            }
            if self.decl_starts_at(self.pos) {
                let next = self.here();
                self.diags.push(
                    Diagnostic::new(
                        code::UNCLOSED,
                        "unclosed `{`: a new declaration starts before its `}`",
                        self.file,
                        Span::new(open, open + 1),
                    )
                    .label("this `{` is never closed")
                    .with_secondary(self.file, next, "the next declaration starts here")
                    .help("add `}` before the next declaration"),
                );
                break false;
            }
            if let Some(item) = self.item() {
                items.push(item);
                self.after_item();
            } else {
                self.recover_line();
            }
        };
        self.depth -= 1;
        self.doc.clear();
        Some(Body {
            items,
            span: Span::new(open, self.pos),
            closed,
        })
    }

    /// After an item: only a new line, a comma, a comment or `}` may follow.
    fn after_item(&mut self) {
        self.hspace();
        match self.peek() {
            None | Some('\n' | ',' | '}') => {}
            Some('/') if self.peek2() == Some('/') => {}
            Some(c) => {
                self.expected("a new line or `,` between items");
                // When the next item starts right here, parse it; otherwise skip.
                if !(c.is_ascii_alphabetic() || c == '_' || c == '"') {
                    self.recover_line();
                }
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let doc = self.take_doc();
        let start = self.pos;
        let key = if self.peek() == Some('"') {
            Key::Str(self.string()?)
        } else {
            let Some(first) = self.ident() else {
                self.expected("an attribute, a block or `}`");
                return None;
            };
            let mut segs = vec![first];
            while self.peek() == Some('.') {
                self.pos += 1;
                match self.ident() {
                    Some(seg) => segs.push(seg),
                    None => {
                        self.expected("a name after `.`");
                        return None;
                    }
                }
            }
            Key::Path(segs)
        };
        self.hspace();
        match self.peek() {
            Some('=') => {
                self.pos += 1;
                self.hspace();
                // A bad value still makes an attribute, so that no "missing
                // attribute" error follows the syntax error.
                let value = match self.value() {
                    Some(v) => v,
                    None => {
                        let at = self.pos;
                        self.recover_line();
                        Value {
                            kind: ValueKind::Error,
                            span: Span::new(at, self.pos.max(at)),
                        }
                    }
                };
                Some(Item::Attr(Attr {
                    doc,
                    span: Span::new(start, value.span.end as usize),
                    key,
                    value,
                }))
            }
            Some('{') => {
                let key = self.block_key(key)?;
                let body = self.body()?;
                Some(Item::Block(Block {
                    doc,
                    key,
                    label: None,
                    span: Span::new(start, body.span.end as usize),
                    body,
                }))
            }
            Some('"') | Some('a'..='z' | 'A'..='Z' | '_') => {
                let key = self.block_key(key)?;
                let label = if self.peek() == Some('"') {
                    BlockLabel::Str(self.string()?)
                } else {
                    BlockLabel::Name(self.ident()?)
                };
                self.hspace();
                if self.peek() != Some('{') {
                    self.expected(&format!("`{{` after the label of `{}`", key.text));
                    return None;
                }
                let body = self.body()?;
                Some(Item::Block(Block {
                    doc,
                    key,
                    label: Some(label),
                    span: Span::new(start, body.span.end as usize),
                    body,
                }))
            }
            _ => {
                self.expected(&format!("`=` or `{{` after `{}`", key.text()));
                None
            }
        }
    }

    /// A block's key must be one plain name.
    fn block_key(&mut self, key: Key) -> Option<Ident> {
        match key {
            Key::Path(mut segs) if segs.len() == 1 => segs.pop(),
            other => {
                self.error(
                    code::SYNTAX,
                    "a block needs a plain name before its `{`",
                    other.span(),
                    "expected a name like `env` or `sealed`",
                );
                None
            }
        }
    }

    fn value(&mut self) -> Option<Value> {
        let start = self.pos;
        let kind = match self.peek() {
            Some('"') => ValueKind::Str(self.string()?),
            Some('[') => return self.list(),
            Some(c) if c.is_ascii_digit() || c == '-' => ValueKind::Num(self.number()?),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let id = self.ident()?;
                match id.text.as_str() {
                    "true" => ValueKind::Bool(true),
                    "false" => ValueKind::Bool(false),
                    _ => ValueKind::Ref(id),
                }
            }
            _ => {
                self.expected("a value (a string, number, list, `true`, `false` or a name)");
                return None;
            }
        };
        Some(Value {
            kind,
            span: Span::new(start, self.pos),
        })
    }

    fn number(&mut self) -> Option<NumLit> {
        let start = self.pos;
        let parsed = nom_number(self.rest());
        let ok = match parsed {
            Ok((rest, (num, unit))) => {
                // A number must end where its unit ends.
                let bad_tail = rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
                if bad_tail {
                    None
                } else {
                    self.advance_to(rest);
                    Some(NumLit {
                        number: num.to_string(),
                        unit: unit.to_string(),
                    })
                }
            }
            Err(_) => None,
        };
        if ok.is_none() {
            let end = start
                + self.rest()[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                    .map_or(self.rest().len(), |n| n + 1);
            self.pos = end;
            self.error(
                code::INVALID_NUMBER,
                "invalid number",
                Span::new(start, end),
                "expected digits, an optional `.digits` part and a unit such as `Mi`",
            );
        }
        ok
    }

    fn list(&mut self) -> Option<Value> {
        if self.too_deep() {
            return None;
        }
        let open = self.pos;
        self.pos += 1;
        self.depth += 1;
        let mut items = Vec::new();
        let result = loop {
            self.trivia();
            match self.peek() {
                None => {
                    self.error(
                        code::UNCLOSED,
                        "unclosed `[`: the file ends before its `]`",
                        Span::new(open, open + 1),
                        "this `[` is never closed",
                    );
                    break false;
                }
                Some(']') => {
                    self.pos += 1;
                    break true;
                }
                _ => {}
            }
            let Some(v) = self.value() else {
                break false;
            };
            items.push(v);
            self.trivia();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {}
                None => {}
                _ => {
                    self.expected("`,` or `]` in a list");
                    break false;
                }
            }
        };
        self.depth -= 1;
        result.then(|| Value {
            kind: ValueKind::List(items),
            span: Span::new(open, self.pos),
        })
    }

    /// At `"`. Strings end on their line; escapes and `${name}` are decoded.
    fn string(&mut self) -> Option<StrLit> {
        let start = self.pos;
        self.pos += 1;
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut ok = true;
        loop {
            let Some(c) = self.peek() else {
                return self.unterminated(start);
            };
            match c {
                '\n' => return self.unterminated(start),
                '\r' if self.peek2() == Some('\n') => return self.unterminated(start),
                '"' => {
                    self.pos += 1;
                    break;
                }
                '\\' => ok &= self.escape(&mut buf),
                '$' if self.rest().starts_with("$${") => {
                    buf.push_str("${");
                    self.pos += 3;
                }
                '$' if self.rest().starts_with("${") => {
                    if !buf.is_empty() {
                        parts.push(StrPart::Lit(std::mem::take(&mut buf)));
                    }
                    match self.interpolation() {
                        Some(var) => parts.push(StrPart::Var(var)),
                        None => ok = false,
                    }
                }
                _ => {
                    // A run of ordinary text at once (up to the next character the arms
                    // above look at; at least the current one, an ASCII `$` or `\r` when
                    // no arm took it).
                    let rest = self.rest();
                    let n = rest
                        .bytes()
                        .position(|b| matches!(b, b'"' | b'\\' | b'$' | b'\n' | b'\r'))
                        .unwrap_or(rest.len())
                        .max(1);
                    buf.push_str(&rest[..n]);
                    self.pos += n;
                }
            }
        }
        if !buf.is_empty() || parts.is_empty() {
            parts.push(StrPart::Lit(buf));
        }
        // A string with a bad escape or interpolation is reported and not used, so
        // no second error follows from its half-decoded value.
        if !ok {
            return None;
        }
        Some(StrLit {
            parts,
            span: Span::new(start, self.pos),
        })
    }

    fn unterminated(&mut self, start: usize) -> Option<StrLit> {
        let end = self.pos;
        let end = if self.src[..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        self.diags.push(
            Diagnostic::new(
                code::UNTERMINATED_STRING,
                "unterminated string",
                self.file,
                Span::new(start, end.max(start + 1)),
            )
            .label("this string is never closed")
            .help("close it with `\"` on the same line; strings cannot span lines (write `\\n` for a line break)"),
        );
        None
    }

    /// At `\`. Decodes one escape into `buf`; reports a bad one and returns false.
    fn escape(&mut self, buf: &mut String) -> bool {
        let start = self.pos;
        self.pos += 1;
        let decoded = match self.peek() {
            Some('\\') => Some('\\'),
            Some('"') => Some('"'),
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            Some('u') => {
                self.pos += 1;
                let rest = self.rest();
                let parsed = rest
                    .strip_prefix('{')
                    .and_then(|r| nom_hex(r).ok())
                    .filter(|(r, hex)| r.starts_with('}') && hex.len() <= 6);
                match parsed {
                    Some((r, hex)) => {
                        let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                        self.advance_to(&r[1..]);
                        if let Some(ch) = ch {
                            buf.push(ch);
                            return true;
                        }
                        self.error(
                            code::INVALID_ESCAPE,
                            "`\\u{...}` names no Unicode scalar value",
                            Span::new(start, self.pos),
                            "not a valid character",
                        );
                        return false;
                    }
                    None => {
                        self.error(
                            code::INVALID_ESCAPE,
                            "malformed `\\u` escape",
                            Span::new(start, self.pos),
                            "expected `\\u{` 1 to 6 hex digits `}`",
                        );
                        return false;
                    }
                }
            }
            _ => None,
        };
        if let Some(ch) = decoded {
            buf.push(ch);
            self.pos += 1;
            return true;
        }
        // Never quote the character: it may be part of a secret.
        let len = match self.peek() {
            Some('\n' | '\r') | None => 0,
            Some(c) => c.len_utf8(),
        };
        self.pos += len;
        self.diags.push(
            Diagnostic::new(
                code::INVALID_ESCAPE,
                "unknown escape in a string",
                self.file,
                Span::new(start, self.pos),
            )
            .label("not a valid escape")
            .help(
                "the escapes are \\\\ \\\" \\n \\t \\r and \\u{hex}; write `\\\\` for a backslash",
            ),
        );
        false
    }

    /// At `${`. Reads `${name}`.
    fn interpolation(&mut self) -> Option<Ident> {
        let start = self.pos;
        self.pos += 2;
        let name = self.ident();
        if let Some(name) = name {
            if self.peek() == Some('}') {
                self.pos += 1;
                return Some(name);
            }
        }
        // Skip to the `}` or the end of the string.
        let rest = self.rest();
        let stop = rest.find(['}', '"', '\n']).unwrap_or(rest.len());
        self.pos += stop;
        if self.peek() == Some('}') {
            self.pos += 1;
        }
        self.diags.push(
            Diagnostic::new(
                code::INVALID_INTERPOLATION,
                "malformed interpolation",
                self.file,
                Span::new(start, self.pos),
            )
            .label("expected `${name}`")
            .help("the variables are ${domain}, ${env} and ${namespace}; write `$${` for a literal `${`"),
        );
        None
    }
}
