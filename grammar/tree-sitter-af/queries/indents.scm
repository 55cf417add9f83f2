; Indents (nvim-treesitter): the items of a body and the values of a list are indented.
[
  (body)
  (list)
] @indent.begin

[
  "}"
  "]"
] @indent.branch

(comment) @indent.auto
