; Indents (Helix): the items of a body and the values of a list are indented; a
; closing bracket goes back.
[
  (body)
  (list)
] @indent

[
  "}"
  "]"
] @outdent
