//! The formatter: one canonical layout for `.af`.
//!
//! - two-space indentation, one item per line, one blank line between declarations;
//! - `=` aligned within a run of attributes (a run ends at a blank line or a multi-line
//!   block), as in the reference platform;
//! - a block written on one line with only attributes stays on one line when it fits
//!   (`server_size { cpu = 2, memory = 4Gi }`); an empty body is `{}`;
//! - lists on one line when they fit in [`WIDTH`] columns, else one value per line with
//!   a trailing comma;
//! - comments and doc comments stay where they were (own line or end of line), blank
//!   lines are kept (at most one in a row);
//! - strings and numbers are printed exactly as written; CRLF files stay CRLF, a BOM
//!   stays.
//!
//! Formatting needs a file without syntax errors; the caller checks that first.

use crate::source::Span;
use crate::syntax::ast::{self, Body, Decl, Item, Key, Value, ValueKind};

/// The line width lists and one-line blocks must fit in.
pub const WIDTH: usize = 100;

/// Formats a file that parsed without errors.
#[must_use]
pub fn format(text: &str, file: &ast::File) -> String {
    let crlf = text
        .find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
    let mut f = Fmt {
        src: text,
        comments: &file.comments,
        out: String::new(),
    };
    if text.starts_with('\u{feff}') {
        f.out.push('\u{feff}');
    }
    f.file(file);
    let mut out = f.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if out == "\u{feff}\n" || out == "\n" {
        out.pop();
    }
    if crlf { out.replace('\n', "\r\n") } else { out }
}

struct Fmt<'a> {
    src: &'a str,
    comments: &'a [ast::Comment],
    out: String,
}

/// One element of a container: an item (or declaration) or a comment.
enum Elem<'a> {
    Decl(&'a Decl),
    Item(&'a Item),
    Value(&'a Value),
    Comment(&'a ast::Comment),
}

impl Elem<'_> {
    fn span(&self) -> Span {
        match self {
            Elem::Decl(d) => d.span,
            Elem::Item(i) => i.span(),
            Elem::Value(v) => v.span,
            Elem::Comment(c) => c.span,
        }
    }
}

impl<'a> Fmt<'a> {
    fn text(&self, span: Span) -> &'a str {
        &self.src[span.range()]
    }

    /// Comments inside `outer` that are not inside any of `inner`.
    fn comments_in(&self, outer: Span, inner: &[Span]) -> Vec<&'a ast::Comment> {
        self.comments
            .iter()
            .filter(|c| c.span.start >= outer.start && c.span.end <= outer.end)
            .filter(|c| {
                !inner
                    .iter()
                    .any(|s| c.span.start >= s.start && c.span.end <= s.end)
            })
            .collect()
    }

    /// Is there a blank line in the whitespace right before `pos`?
    fn blank_before(&self, pos: u32) -> bool {
        let before = &self.src[..pos as usize];
        let gap_start = before.trim_end_matches([' ', '\t', '\r', '\n', ',']).len();
        self.src[gap_start..pos as usize].matches('\n').count() >= 2
    }

    /// Is `pos` on the same line as `prev_end`?
    fn same_line(&self, prev_end: u32, pos: u32) -> bool {
        !self.src[prev_end as usize..pos as usize].contains('\n')
    }

    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && self.out != "\u{feff}" {
            if !self.out.ends_with('\n') {
                self.newline();
            }
            self.out.push('\n');
        }
    }

    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    fn column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    fn comment_text(&self, c: &ast::Comment) -> &'a str {
        self.text(c.span).trim_end()
    }

    /// Prints a sequence of elements at `level`, with trailing comments kept on their
    /// line and blank lines kept. `sep` is printed after every non-comment element.
    fn elems(&mut self, mut elems: Vec<Elem<'a>>, level: usize, widths: &[usize], sep: &str) {
        elems.sort_by_key(|e| e.span().start);
        let mut prev_end: Option<u32> = None;
        let mut prev_was_decl = false;
        let mut item_idx = 0;
        for e in &elems {
            let span = e.span();
            if let Elem::Comment(c) = e {
                if prev_end.is_some_and(|p| self.same_line(p, span.start)) {
                    while self.out.ends_with('\n') {
                        self.out.pop();
                    }
                    self.out.push(' ');
                    let t = self.comment_text(c);
                    self.out.push_str(t);
                    self.newline();
                    prev_end = Some(span.end);
                    continue;
                }
            }
            if prev_end.is_some() && (prev_was_decl || self.blank_before(span.start)) {
                self.blank_line();
            }
            self.indent(level);
            match e {
                Elem::Comment(c) => {
                    let t = self.comment_text(c);
                    self.out.push_str(t);
                }
                Elem::Decl(d) => self.decl(d),
                Elem::Item(i) => {
                    let w = widths.get(item_idx).copied().unwrap_or(0);
                    self.item(i, level, w);
                    self.out.push_str(sep);
                }
                Elem::Value(v) => {
                    self.value(v, level);
                    self.out.push_str(sep);
                }
            }
            if !matches!(e, Elem::Comment(_)) {
                item_idx += 1;
            }
            prev_was_decl = matches!(e, Elem::Decl(_));
            self.newline();
            prev_end = Some(span.end);
        }
    }

    fn file(&mut self, file: &'a ast::File) {
        let spans: Vec<Span> = file.decls.iter().map(|d| d.span).collect();
        let all = Span::new(0, self.src.len());
        let mut elems: Vec<Elem> = file.decls.iter().map(Elem::Decl).collect();
        elems.extend(self.comments_in(all, &spans).into_iter().map(Elem::Comment));
        self.elems(elems, 0, &[], "");
    }

    fn decl(&mut self, d: &'a Decl) {
        if d.override_kw.is_some() {
            self.out.push_str("override ");
        }
        self.out.push_str(&d.kind.text);
        self.out.push(' ');
        self.out.push_str(&d.name.text);
        self.out.push(' ');
        self.body(&d.body, 0);
    }

    fn inner_spans(body: &Body) -> Vec<Span> {
        body.items.iter().map(Item::span).collect()
    }

    /// Prints `{ ... }` over several lines (or `{}`) after the opening line's text.
    fn body(&mut self, body: &'a Body, level: usize) {
        let comments = self.comments_in(body.span, &Self::inner_spans(body));
        if body.items.is_empty() && comments.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push('{');
        self.newline();
        let widths = self.widths(body, level + 1);
        let mut elems: Vec<Elem> = body.items.iter().map(Elem::Item).collect();
        elems.extend(comments.into_iter().map(Elem::Comment));
        self.elems(elems, level + 1, &widths, "");
        self.indent(level);
        self.out.push('}');
    }

    /// The one-line form of a block item, when it has one: written on one line in the
    /// source, attributes only, no comments, and short enough at this level.
    fn inline_form(&self, item: &'a Item, level: usize) -> Option<String> {
        let Item::Block(b) = item else { return None };
        if b.body.items.is_empty()
            || !self
                .comments_in(b.body.span, &Self::inner_spans(&b.body))
                .is_empty()
        {
            return None;
        }
        let one = self.inline_body(&b.body)?;
        (level * 2 + self.head(item).chars().count() + 1 + one.len() <= WIDTH).then_some(one)
    }

    /// `{ a = 1, b = 2 }` when the body was written on one line with attributes only.
    fn inline_body(&self, body: &'a Body) -> Option<String> {
        if self.text(body.span).contains('\n') {
            return None;
        }
        let mut parts = Vec::new();
        for item in &body.items {
            let Item::Attr(a) = item else { return None };
            let v = self.one_line_value(&a.value)?;
            parts.push(format!("{} = {v}", self.key(&a.key)));
        }
        Some(format!("{{ {} }}", parts.join(", ")))
    }

    fn key(&self, key: &'a Key) -> String {
        match key {
            Key::Path(p) => p
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join("."),
            Key::Str(s) => self.text(s.span).to_string(),
        }
    }

    /// The text before the `=` or `{` of an item, for alignment.
    fn head(&self, item: &'a Item) -> String {
        match item {
            Item::Attr(a) => self.key(&a.key),
            Item::Block(b) => match &b.label {
                None => b.key.text.clone(),
                Some(l) => format!("{} {}", b.key.text, self.label(l)),
            },
        }
    }

    fn label(&self, l: &'a ast::BlockLabel) -> String {
        match l {
            ast::BlockLabel::Name(i) => i.text.clone(),
            ast::BlockLabel::Str(s) => self.text(s.span).to_string(),
        }
    }

    /// Will this item print on one line (and so join an alignment run)?
    fn is_one_line(&self, item: &'a Item, level: usize) -> bool {
        match item {
            Item::Attr(_) => true,
            Item::Block(b) => {
                (b.body.items.is_empty() && self.comments_in(b.body.span, &[]).is_empty())
                    || self.inline_form(item, level).is_some()
            }
        }
    }

    /// The alignment width of each item: the longest head in its run. A run ends at a
    /// blank line or a multi-line block.
    fn widths(&self, body: &'a Body, level: usize) -> Vec<usize> {
        let mut widths = vec![0; body.items.len()];
        let mut run: Vec<usize> = Vec::new();
        let close = |run: &mut Vec<usize>, widths: &mut Vec<usize>| {
            let w = run
                .iter()
                .map(|&i| self.head(&body.items[i]).chars().count())
                .max()
                .unwrap_or(0);
            for &i in run.iter() {
                widths[i] = w;
            }
            run.clear();
        };
        for (i, item) in body.items.iter().enumerate() {
            if i > 0 && self.blank_before(item.span().start) {
                close(&mut run, &mut widths);
            }
            if self.is_one_line(item, level) {
                run.push(i);
            } else {
                close(&mut run, &mut widths);
            }
        }
        close(&mut run, &mut widths);
        widths
    }

    fn item(&mut self, item: &'a Item, level: usize, width: usize) {
        let head = self.head(item);
        self.out.push_str(&head);
        let pad = width.saturating_sub(head.chars().count());
        match item {
            Item::Attr(a) => {
                self.out.push_str(&" ".repeat(pad));
                self.out.push_str(" = ");
                self.value(&a.value, level);
            }
            Item::Block(b) => match self.inline_form(item, level) {
                Some(one) => {
                    self.out.push_str(&" ".repeat(pad));
                    self.out.push(' ');
                    self.out.push_str(&one);
                }
                None => {
                    self.out.push(' ');
                    self.body(&b.body, level);
                }
            },
        }
    }

    /// The value on one line, or `None` when it holds comments.
    fn one_line_value(&self, v: &'a Value) -> Option<String> {
        match &v.kind {
            ValueKind::List(items) => {
                let inner: Vec<Span> = items.iter().map(|i| i.span).collect();
                if !self.comments_in(v.span, &inner).is_empty() {
                    return None;
                }
                let parts: Option<Vec<String>> =
                    items.iter().map(|i| self.one_line_value(i)).collect();
                Some(format!("[{}]", parts?.join(", ")))
            }
            ValueKind::Bool(b) => Some(b.to_string()),
            ValueKind::Ref(id) => Some(id.text.clone()),
            ValueKind::Str(_) | ValueKind::Num(_) | ValueKind::Error => {
                Some(self.text(v.span).to_string())
            }
        }
    }

    fn value(&mut self, v: &'a Value, level: usize) {
        if let Some(one) = self.one_line_value(v) {
            if !matches!(v.kind, ValueKind::List(_)) || self.column() + one.len() <= WIDTH {
                self.out.push_str(&one);
                return;
            }
        }
        let ValueKind::List(items) = &v.kind else {
            return;
        };
        self.out.push('[');
        self.newline();
        let inner: Vec<Span> = items.iter().map(|i| i.span).collect();
        let mut elems: Vec<Elem> = items.iter().map(Elem::Value).collect();
        elems.extend(
            self.comments_in(v.span, &inner)
                .into_iter()
                .map(Elem::Comment),
        );
        self.elems(elems, level + 1, &[], ",");
        self.indent(level);
        self.out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::format;
    use crate::source::FileId;

    fn fmt(text: &str) -> String {
        let (tree, diags) = crate::syntax::parse(FileId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        format(text, &tree)
    }

    #[test]
    fn aligns_runs_and_keeps_comments() {
        let input = "// head\n\n/// Doc.\nservice a {\n  image = \"x:1\" // the image\n  port=1\n\n  replicas = 2\n  env {\n  A = \"1\"\n  LONGER = \"2\"\n  }\n  size { cpu = 2, memory = 4Gi }\n}\nservice b {}\n";
        let want = "// head\n\n/// Doc.\nservice a {\n  image = \"x:1\" // the image\n  port  = 1\n\n  replicas = 2\n  env {\n    A      = \"1\"\n    LONGER = \"2\"\n  }\n  size { cpu = 2, memory = 4Gi }\n}\n\nservice b {}\n";
        assert_eq!(fmt(input), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn breaks_long_lists_and_keeps_crlf() {
        let long: Vec<String> = (0..20).map(|i| format!("dependency-{i}")).collect();
        let input = format!("service a {{\r\n  uses = [{}]\r\n}}\r\n", long.join(","));
        let out = fmt(&input);
        assert!(out.contains("  uses = [\r\n    dependency-0,\r\n"), "{out}");
        assert!(out.ends_with("  ]\r\n}\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn list_comments_stay() {
        let input =
            "service a {\n  uses = [\n    db, // primary\n    // the cache\n    cache,\n  ]\n}\n";
        assert_eq!(fmt(input), input);
    }
}
