//! The syntax tree. Every node carries the byte span it was parsed from; comments are
//! kept beside the tree (for the formatter) and `///` doc comments are attached to the
//! declaration or attribute below them.

use crate::source::Span;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
    /// Every `//` comment in the file, in order (doc comments included).
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    /// `///`
    pub doc: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    /// Text of the `///` lines directly above, without the slashes (one leading space
    /// stripped), joined by `\n`.
    pub doc: Option<String>,
    /// The span of the `override` keyword when present.
    pub override_kw: Option<Span>,
    pub kind: Ident,
    pub name: Ident,
    pub body: Body,
    /// From the first keyword to the closing `}` (or the end of what was parsed).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub items: Vec<Item>,
    /// The braces included.
    pub span: Span,
    /// False when the closing `}` is missing.
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Attr(Attr),
    Block(Block),
}

impl Item {
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Item::Attr(a) => a.span,
            Item::Block(b) => b.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub doc: Option<String>,
    pub key: Key,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// `a` or the dotted `a.b.c` (one segment per part).
    Path(Vec<Ident>),
    /// `"..."`: used where a block maps arbitrary text (license version ranges).
    Str(StrLit),
}

impl Key {
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Key::Path(p) => p[0].span.to(p[p.len() - 1].span),
            Key::Str(s) => s.span,
        }
    }

    /// The key as written, dotted paths joined by `.` (borrowed for a plain name or a
    /// string without interpolation, as nearly every key is).
    #[must_use]
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Key::Path(p) if p.len() == 1 => p[0].text.as_str().into(),
            Key::Path(p) => p
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join(".")
                .into(),
            Key::Str(s) => match s.parts.as_slice() {
                [StrPart::Lit(l)] => l.as_str().into(),
                _ => s.literal_text().into(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub doc: Option<String>,
    pub key: Ident,
    pub label: Option<BlockLabel>,
    pub body: Body,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BlockLabel {
    Name(Ident),
    Str(StrLit),
}

impl BlockLabel {
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            BlockLabel::Name(i) => i.text.clone(),
            BlockLabel::Str(s) => s.literal_text(),
        }
    }

    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            BlockLabel::Name(i) => i.span,
            BlockLabel::Str(s) => s.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Str(StrLit),
    Num(NumLit),
    Bool(bool),
    List(Vec<Value>),
    /// A bare name: a reference to a declaration or a stdlib symbol.
    Ref(Ident),
    /// A value that failed to parse (already reported).
    Error,
}

impl ValueKind {
    /// What the value is, for messages: "a string", "a list", ...
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Str(_) => "a string",
            ValueKind::Num(n) if n.unit.is_empty() => "a number",
            ValueKind::Num(_) => "a number with a unit",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::List(_) => "a list",
            ValueKind::Ref(_) => "a name",
            ValueKind::Error => "an invalid value",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub parts: Vec<StrPart>,
    /// The quotes included.
    pub span: Span,
}

impl StrLit {
    /// The string with every `${var}` written back as `${var}`.
    #[must_use]
    pub fn literal_text(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                StrPart::Lit(s) => out.push_str(s),
                StrPart::Var(v) => {
                    out.push_str("${");
                    out.push_str(&v.text);
                    out.push('}');
                }
            }
        }
        out
    }

    /// True when the string has no interpolation.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, StrPart::Lit(_)))
    }

    pub fn vars(&self) -> impl Iterator<Item = &Ident> {
        self.parts.iter().filter_map(|p| match p {
            StrPart::Var(v) => Some(v),
            StrPart::Lit(_) => None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already decoded (`$${` already turned into `${`).
    Lit(String),
    /// `${name}`; the span covers the name.
    Var(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NumLit {
    /// The digits, with sign and decimal point: `-1`, `0.5`, `250`.
    pub number: String,
    /// The unit suffix as written, possibly empty: `m`, `Mi`, `Gi`, `s`.
    pub unit: String,
}

impl NumLit {
    #[must_use]
    pub fn is_integer(&self) -> bool {
        !self.number.contains('.')
    }
}
