//! A small YAML writer over a value tree. Maps keep insertion order, so the order of
//! keys is exactly the order the emitters build them in; output is one block-style
//! document per call.
//!
//! Strings are written plain only when they match a conservative pattern that no YAML
//! 1.1 or 1.2 reader can take for anything but a string (no booleans such as `on` or
//! `yes`, no numbers such as `1_000` or `0x1F`, no timestamps, no sexagesimals, no
//! indicators). Everything else is double-quoted, with escapes for every character that
//! is not printable in both YAML versions, so a string never folds, never changes type
//! and never changes value.

use std::fmt::Write as _;

/// A map key: most are fixed words (`apiVersion`, `metadata`, ...), which a large
/// build would otherwise allocate hundreds of thousands of times.
pub type Key = std::borrow::Cow<'static, str>;

/// A YAML value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in the order they are written.
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// An empty map.
    #[must_use]
    pub fn map() -> Self {
        Node::Map(Vec::with_capacity(8))
    }

    /// Appends `key: value` to a map (no effect on other nodes); returns `self` for
    /// chaining.
    #[must_use]
    pub fn with(mut self, key: impl Into<Key>, value: impl Into<Node>) -> Self {
        self.push(key, value);
        self
    }

    /// Appends `key: value` when `value` is `Some`.
    #[must_use]
    pub fn with_opt<V: Into<Node>>(self, key: impl Into<Key>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// Appends `key: value` to a map.
    pub fn push(&mut self, key: impl Into<Key>, value: impl Into<Node>) {
        if let Node::Map(pairs) = self {
            pairs.push((key.into(), value.into()));
        }
    }

    /// The value under `key` of a map.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value under `key` of a map, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(pairs) => pairs.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Removes `key` from a map, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        match self {
            Node::Map(pairs) => {
                let i = pairs.iter().position(|(k, _)| k == key)?;
                Some(pairs.remove(i).1)
            }
            _ => None,
        }
    }

    /// The node at a path of map keys.
    #[must_use]
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The string value, if this is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The document as YAML text (ends with a newline).
    #[must_use]
    pub fn to_yaml(&self) -> String {
        self.write(true)
    }

    /// [`Node::to_yaml`] with every string on one line (double-quoted when it has a line
    /// break): for YAML text that is itself embedded in a string, such as an inline
    /// patch, which Kustomize trims at the end before reading it.
    #[must_use]
    pub fn to_yaml_flat(&self) -> String {
        self.write(false)
    }

    /// Appends [`Node::to_yaml`] to `out`.
    pub fn write_yaml(&self, out: &mut String) {
        self.write_to(out, true, ());
    }

    /// [`Node::write_yaml`], telling `visit` what it writes (see [`Visit`]).
    pub fn write_yaml_visited<'n>(&'n self, out: &mut String, visit: impl Visit<'n>) {
        self.write_to(out, true, visit);
    }

    fn write(&self, blocks: bool) -> String {
        let mut out = String::new();
        self.write_to(&mut out, blocks, ());
        out
    }

    fn write_to<'n>(&'n self, out: &mut String, blocks: bool, visit: impl Visit<'n>) {
        Writer { out, blocks, visit }.doc(self);
    }
}

impl From<&str> for Node {
    fn from(s: &str) -> Self {
        Node::Str(s.to_string())
    }
}

impl From<String> for Node {
    fn from(s: String) -> Self {
        Node::Str(s)
    }
}

impl From<&String> for Node {
    fn from(s: &String) -> Self {
        Node::Str(s.clone())
    }
}

impl From<bool> for Node {
    fn from(b: bool) -> Self {
        Node::Bool(b)
    }
}

impl From<i64> for Node {
    fn from(i: i64) -> Self {
        Node::Int(i)
    }
}

impl From<u32> for Node {
    fn from(i: u32) -> Self {
        Node::Int(i64::from(i))
    }
}

impl From<u16> for Node {
    fn from(i: u16) -> Self {
        Node::Int(i64::from(i))
    }
}

impl From<Vec<Node>> for Node {
    fn from(v: Vec<Node>) -> Self {
        Node::Seq(v)
    }
}

/// A sequence of strings.
#[must_use]
pub fn strs<S: AsRef<str>>(items: &[S]) -> Node {
    Node::Seq(
        items
            .iter()
            .map(|s| Node::Str(s.as_ref().to_string()))
            .collect(),
    )
}

/// A YAML stream: the documents separated by `---`.
pub fn stream<'a>(docs: impl IntoIterator<Item = &'a Node>) -> String {
    let mut out = String::new();
    for (i, d) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        d.write_yaml(&mut out);
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = indent;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        left -= n;
    }
}

/// A position in a document: a map key or a list index.
#[derive(Clone, Copy, Debug)]
pub enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// What the writer reports while it writes a document ([`Node::write_yaml_visited`]),
/// in document order: every map key and list index it enters and leaves, and every
/// key or string value it does not write plain. (A plain string holds only ASCII
/// letters, digits and `._/-:@+=`, so a visitor looking for other characters sees
/// every string that has one.)
pub trait Visit<'n> {
    fn enter(&mut self, step: Step<'n>);
    fn leave(&mut self);
    /// A key (`key` true) or a string value that is not plain.
    fn unplain(&mut self, s: &'n str, key: bool);
}

/// No visitor.
impl Visit<'_> for () {
    #[inline(always)]
    fn enter(&mut self, _: Step<'_>) {}
    #[inline(always)]
    fn leave(&mut self) {}
    #[inline(always)]
    fn unplain(&mut self, _: &str, _: bool) {}
}

impl<'n, T: Visit<'n>> Visit<'n> for &mut T {
    #[inline(always)]
    fn enter(&mut self, step: Step<'n>) {
        (**self).enter(step);
    }
    #[inline(always)]
    fn leave(&mut self) {
        (**self).leave();
    }
    #[inline(always)]
    fn unplain(&mut self, s: &'n str, key: bool) {
        (**self).unplain(s, key);
    }
}

/// The block-style writer: `blocks` writes multi-line strings as literal blocks.
struct Writer<'o, V> {
    out: &'o mut String,
    blocks: bool,
    visit: V,
}

impl<'n, V: Visit<'n>> Writer<'_, V> {
    fn doc(&mut self, node: &'n Node) {
        match node {
            Node::Map(p) if !p.is_empty() => self.map(p, 0),
            Node::Seq(s) if !s.is_empty() => self.seq(s, 0),
            Node::Str(s) => {
                if !is_plain_safe(s) {
                    self.visit.unplain(s, false);
                }
                push_string(self.out, s);
                self.out.push('\n');
            }
            other => {
                push_scalar(self.out, other);
                self.out.push('\n');
            }
        }
    }

    fn map(&mut self, pairs: &'n [(Key, Node)], indent: usize) {
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                pad(self.out, indent);
            }
            self.visit.enter(Step::Key(k));
            self.pair(k, key_is_plain(k), v, indent);
            self.visit.leave();
        }
    }

    /// `key: value` where the cursor is already at the key's column.
    fn pair(&mut self, key: &'n str, plain: bool, value: &'n Node, indent: usize) {
        if plain {
            self.out.push_str(key);
        } else {
            self.visit.unplain(key, true);
            push_quoted(self.out, key);
        }
        self.out.push(':');
        self.value(value, indent + 2, false);
    }

    /// A value right after `key:` or (`dash`) a list item's `-`, its lines at `indent`: a
    /// map on the next line (or on the dash's line), a list on the next line, a scalar
    /// on the same line.
    fn value(&mut self, value: &'n Node, indent: usize, dash: bool) {
        match value {
            Node::Map(p) if !p.is_empty() => {
                if dash {
                    self.out.push(' ');
                } else {
                    self.out.push('\n');
                    pad(self.out, indent);
                }
                self.map(p, indent);
            }
            Node::Seq(s) if !s.is_empty() => {
                self.out.push('\n');
                self.seq(s, indent);
            }
            Node::Str(s) => self.str(s, indent),
            other => {
                self.out.push(' ');
                push_scalar(self.out, other);
                self.out.push('\n');
            }
        }
    }

    /// ` value` and the line break after a key or a dash: plain when it can be, else a
    /// literal block (with `blocks`) when it reads back exactly, else double-quoted.
    fn str(&mut self, s: &'n str, indent: usize) {
        if is_plain_safe(s) {
            // The common case; a plain string has no line break, so it is never a block.
            self.out.push(' ');
            self.out.push_str(s);
            self.out.push('\n');
            return;
        }
        self.visit.unplain(s, false);
        if self.blocks && is_block_safe(s) {
            write_block(self.out, s, indent);
        } else {
            self.out.push(' ');
            push_quoted(self.out, s);
            self.out.push('\n');
        }
    }

    fn seq(&mut self, items: &'n [Node], indent: usize) {
        for (i, item) in items.iter().enumerate() {
            self.visit.enter(Step::Index(i));
            pad(self.out, indent);
            self.out.push('-');
            self.value(item, indent + 2, true);
            self.visit.leave();
        }
    }
}

fn push_scalar(out: &mut String, n: &Node) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Node::Str(s) => push_string(out, s),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

/// True when a string of several lines reads back exactly from a literal block
/// (`|` or `|-`): it has a line break, ends with at most one, holds nothing that needs
/// an escape but line breaks, its first line does not start with a space, and no line
/// is made of spaces only (a literal block would read such a line as empty).
fn is_block_safe(s: &str) -> bool {
    if s.starts_with([' ', '\n']) || s.ends_with("\n\n") || !s.contains('\n') {
        return false;
    }
    // ASCII characters that need an escape: every control but the line break, and DEL
    // (one pass without branches: patches make long strings).
    let controls = s.bytes().fold(false, |bad, c| {
        bad | ((c < 0x20) & (c != b'\n')) | (c == 0x7f)
    });
    !controls
        && !s
            .split('\n')
            .any(|line| !line.is_empty() && line.bytes().all(|c| c == b' '))
        && (s.is_ascii() || !s.chars().any(|c| c != '\n' && needs_escape(c)))
}

/// ` |` (or ` |-` without a final line break), then every line at `indent`.
fn write_block(out: &mut String, s: &str, indent: usize) {
    let (body, chomp) = match s.strip_suffix('\n') {
        Some(body) => (body, " |\n"),
        None => (s, " |-\n"),
    };
    out.push_str(chomp);
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// [`is_plain_safe`] for a map key. A fixed key (`Cow::Borrowed`, a `&'static str`:
/// its address never holds another text) is tested once per thread and remembered by
/// address and length, since a build writes the same few dozen fixed keys millions of
/// times; a key made at run time is tested every time.
fn key_is_plain(key: &Key) -> bool {
    use std::cell::Cell;
    const SLOTS: usize = 256;
    thread_local! {
        /// Direct-mapped: (address, length, plain) of the last fixed key in each slot.
        static SEEN: [Cell<(usize, usize, bool)>; SLOTS] =
            const { [const { Cell::new((0, 0, false)) }; SLOTS] };
    }
    let std::borrow::Cow::Borrowed(k) = key else {
        return is_plain_safe(key);
    };
    let (addr, len) = (k.as_ptr() as usize, k.len());
    let slot = ((addr >> 3) ^ len) % SLOTS;
    SEEN.with(|seen| {
        let (a, l, plain) = seen[slot].get();
        if a == addr && l == len {
            return plain;
        }
        let plain = is_plain_safe(k);
        seen[slot].set((addr, len, plain));
        plain
    })
}

/// Words that some YAML version reads as a boolean or null (compared ignoring case).
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// True when `s` can be written as a plain scalar and every YAML 1.1 and 1.2 reader
/// reads it back as this exact string: it starts with a letter, `_` or `/`, holds only
/// ASCII letters, digits and `._/-:@+=`, does not end with `:`, and is not a boolean or
/// null word. (Numbers, timestamps, sexagesimals, `.inf` and `.nan` all start with a
/// digit, a sign or a dot, so they are never plain.)
#[must_use]
pub fn is_plain_safe(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_' || first == b'/')
        && s.bytes().all(|b| PLAIN[usize::from(b)])
        && !s.ends_with(':')
        && !(s.len() <= 5
            // Every reserved word starts with one of these letters (`| 0x20` lower-cases).
            && matches!(first | 0x20, b'y' | b'n' | b't' | b'f' | b'o')
            && RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

/// The bytes a plain scalar may hold ([`is_plain_safe`]): ASCII letters, digits and
/// `._/-:@+=`. A table, because every key and string of a build is tested.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'.' | b'_' | b'/' | b'-' | b':' | b'@' | b'+' | b'=');
        b += 1;
    }
    t
};

/// Characters escaped inside double quotes: everything that is not printable in YAML
/// 1.1 and 1.2 alike, line separators, and the byte-order mark.
fn needs_escape(c: char) -> bool {
    let u = u32::from(c);
    if u < 0x7f {
        return u < 0x20;
    }
    u <= 0x9f || matches!(u, 0x2028 | 0x2029 | 0xfeff | 0xfffe | 0xffff)
}

/// The string as a YAML scalar: plain when [`is_plain_safe`], otherwise double-quoted.
#[must_use]
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_string(&mut out, s);
    out
}

/// Appends [`string`]`(s)`.
pub fn push_string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

/// Appends `s` double-quoted, with escapes (runs of characters that need none are
/// copied at once).
fn push_quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if needs_escape(c) => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        } else {
            out.push_str(escape);
        }
        run = i + c.len_utf8();
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition [`is_block_safe`] implements, one character at a time.
    fn block_safe_by_definition(s: &str) -> bool {
        s.contains('\n')
            && !s.starts_with([' ', '\n'])
            && !s.ends_with("\n\n")
            && !s.chars().any(|c| c != '\n' && needs_escape(c))
            && !s.chars().any(|c| c == '\u{7f}' || c == '\t')
            && !s
                .split('\n')
                .any(|l| !l.is_empty() && l.chars().all(|c| c == ' '))
    }

    #[test]
    fn fixed_keys_are_remembered_exactly() {
        const KEYS: &[&str] = &["name", "a b", "yes", "app.kubernetes.io/name", "", "x:"];
        for _ in 0..3 {
            for k in KEYS {
                assert_eq!(key_is_plain(&Key::Borrowed(k)), is_plain_safe(k), "{k:?}");
                // A prefix of a fixed key has its address and another length.
                if let Some(p) = k.get(..1) {
                    assert_eq!(key_is_plain(&Key::Borrowed(p)), is_plain_safe(p), "{p:?}");
                }
                assert!(!key_is_plain(&Key::Owned(format!("{k} "))));
            }
        }
    }

    #[test]
    fn text_beyond_ascii_is_a_literal_block() {
        let doc = Node::map().with("v", "café\nau lait\n");
        assert_eq!(doc.to_yaml(), "v: |\n  café\n  au lait\n");
        // A line separator still needs an escape.
        let doc = Node::map().with("v", "a\u{2028}\nb");
        assert_eq!(doc.to_yaml(), "v: \"a\\u2028\\nb\"\n");
    }

    proptest::proptest! {
        #[test]
        fn block_safety_follows_the_definition(s in "[ a:\n\t\r\u{7f}\u{85}\u{e9}\u{2028}-]{0,24}") {
            proptest::prop_assert_eq!(is_block_safe(&s), block_safe_by_definition(&s), "{:?}", s);
        }
    }

    #[test]
    fn reserved_words_are_never_plain() {
        for w in RESERVED {
            let title = format!("{}{}", w[..1].to_ascii_uppercase(), &w[1..]);
            for s in [w.to_string(), w.to_ascii_uppercase(), title] {
                assert!(!is_plain_safe(&s), "{s}");
            }
        }
        for s in ["name", "nodes", "tag", "ports", "off-by"] {
            assert!(is_plain_safe(s), "{s}");
        }
    }

    #[test]
    fn block_layout() {
        let doc = Node::map()
            .with("apiVersion", "v1")
            .with("kind", "Service")
            .with(
                "metadata",
                Node::map().with("name", "auth").with("labels", Node::map()),
            )
            .with(
                "spec",
                Node::map().with(
                    "ports",
                    vec![Node::map().with("name", "http").with("port", 3001u16)],
                ),
            )
            .with("empty", Node::Seq(vec![]))
            .with("flag", true);
        assert_eq!(
            doc.to_yaml(),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: auth\n  labels: {}\nspec:\n  ports:\n    - name: http\n      port: 3001\nempty: []\nflag: true\n"
        );
    }

    #[test]
    fn nested_sequences_and_maps_in_sequences() {
        let doc = Node::map().with(
            "a",
            vec![
                Node::map()
                    .with("b", vec![Node::from("x")])
                    .with("c", Node::map().with("d", 1i64)),
                Node::Seq(vec![Node::from("z")]),
            ],
        );
        assert_eq!(
            doc.to_yaml(),
            "a:\n  - b:\n      - x\n    c:\n      d: 1\n  -\n    - z\n"
        );
    }

    #[test]
    fn quoting_is_conservative() {
        for s in [
            "on",
            "On",
            "ON",
            "yes",
            "No",
            "y",
            "n",
            "off",
            "true",
            "False",
            "null",
            "~",
            "",
            "1_000",
            "12:30",
            "2001-01-01",
            "0x1F",
            "0o17",
            "017",
            "1e3",
            ".inf",
            "-.inf",
            ".NaN",
            "+1",
            "-1",
            "1.0",
            "=",
            "<<",
            "- a",
            "a: b",
            "a #b",
            " lead",
            "trail ",
            "foo:",
            "*ref",
            "&anchor",
            "!tag",
            "%x",
            "@at",
            "`x",
            "|",
            ">",
            "'q'",
            "\"q\"",
            "{a}",
            "[a]",
            "a,b",
            "?x",
            "#c",
        ] {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
            assert!(string(s).starts_with('"'), "{s:?}");
        }
        for s in [
            "backend",
            "ghcr.io/acme/api:1.2.0",
            "/health",
            "app.kubernetes.io/name",
            "RuntimeDefault",
            "http://a.b.svc.cluster.local:80",
            "Prune=false",
            "yesterday",
            "online",
        ] {
            assert!(is_plain_safe(s), "{s:?} may be plain");
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(string("a\"b\\c\nd\te\r"), "\"a\\\"b\\\\c\\nd\\te\\r\"");
        assert_eq!(
            string("\u{0}\u{7}\u{1b}\u{7f}\u{85}\u{2028}\u{feff}"),
            "\"\\u0000\\u0007\\u001B\\u007F\\u0085\\u2028\\uFEFF\""
        );
        assert_eq!(string("héllo wörld ✓ 🦀"), "\"héllo wörld ✓ 🦀\"");
    }

    #[test]
    fn multi_line_strings_are_literal_blocks_that_read_back_exactly() {
        let cases = [
            ("a\nb\n", true),
            ("- op: replace\n  path: /spec\n  value: 1\n", true),
            ("no final break\nx", true),
            ("blank\n\nline\n", true),
            ("trailing space \n", true),
            ("  leading\n", false),
            ("\nfirst empty\n", false),
            ("two breaks\n\n", false),
            ("spaces only\n   \nx\n", false),
            ("tab\there\n", false),
            ("single line", false),
        ];
        for (s, block) in cases {
            let yaml = Node::map()
                .with("k", s)
                .with("l", vec![Node::from(s)])
                .to_yaml();
            assert_eq!(yaml.contains("k: |"), block, "{s:?}: {yaml}");
            let back: serde_yaml::Value = serde_yaml::from_str(&yaml).expect("parses");
            assert_eq!(back["k"].as_str(), Some(s), "{yaml}");
            assert_eq!(back["l"][0].as_str(), Some(s), "{yaml}");
        }
    }
}
