; Folds (nvim-treesitter): every body and every list.
[
  (body)
  (list)
] @fold
