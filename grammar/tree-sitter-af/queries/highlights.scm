; Highlights for `.af`. Capture names follow nvim-treesitter's; editors/helix/queries/af/
; holds the same patterns with Helix's names (editors/helix/update-queries makes it).
; Each node is captured by one pattern only, so the order of patterns does not matter.

; Declarations. Only the known kinds are keywords (any other word there is AF1001).
((declaration
  kind: (identifier) @keyword)
  (#any-of? @keyword
    "platform" "cluster" "env" "service" "site" "database" "cache" "secret" "engine"
    "component" "policy"))

(override) @keyword.modifier

(declaration
  name: (identifier) @type.definition)

; Attributes and blocks.
(attribute
  key: (identifier) @property)

(dotted_key
  (identifier) @property)

(block
  key: (identifier) @property)

(block
  label: (identifier) @label)

; Values. A reference names a declaration (`uses = [db]`, the `db` of `db.storage`) or a
; stdlib symbol (`engine = redis`, `tls = letsencrypt`).
(reference) @variable

(boolean) @boolean

(number) @number

(string) @string

(escape_sequence) @string.escape

(interpolation
  [
    "${"
    "}"
  ] @punctuation.special)

(interpolation
  name: (identifier) @variable.builtin)

; Comments: `///` (not `////`) is documentation.
((comment) @comment.documentation
  (#match? @comment.documentation "^///([^/]|$)"))

((comment) @comment
  (#not-match? @comment "^///([^/]|$)"))

; Punctuation.
"=" @operator

(body
  [
    "{"
    "}"
  ] @punctuation.bracket)

(list
  [
    "["
    "]"
  ] @punctuation.bracket)

[
  ","
  "."
] @punctuation.delimiter
