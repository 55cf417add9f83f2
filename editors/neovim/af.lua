-- `.af` in Neovim: the filetype, tree-sitter highlighting and the `afc lsp` language
-- server. Put this file in ~/.config/nvim/plugin/ (or `require` it from init.lua); see
-- README.md here for building the parser. Works with Neovim 0.10 and later.

-- Where the afc checkout is (its grammar/tree-sitter-af builds the parser).
local afc_checkout = vim.env.AFC_CHECKOUT or vim.fn.expand('~/src/afc')
-- The afc binary.
local afc = vim.env.AFC or 'afc'

vim.filetype.add({ extension = { af = 'af' } })

-- nvim-treesitter (`main` branch): `:TSInstall af` builds the parser from the checkout
-- and installs its queries (highlights, folds, indents).
vim.api.nvim_create_autocmd('User', {
  pattern = 'TSUpdate',
  callback = function()
    require('nvim-treesitter.parsers').af = {
      install_info = {
        path = afc_checkout .. '/grammar/tree-sitter-af',
        queries = 'queries',
      },
    }
  end,
})

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'af',
  callback = function(args)
    vim.bo[args.buf].commentstring = '// %s'
    vim.bo[args.buf].shiftwidth = 2
    vim.bo[args.buf].expandtab = true
    -- Highlighting from the tree-sitter parser, when it is installed.
    pcall(vim.treesitter.start, args.buf, 'af')

    -- The language server: diagnostics, hover, definition, references, completion,
    -- rename, formatting (`vim.lsp.buf.format()`), code actions. A workspace is every
    -- `.af` file under the root: the enclosing git repository, or the file's folder.
    local file = vim.api.nvim_buf_get_name(args.buf)
    local git = vim.fs.find('.git', { upward = true, path = vim.fs.dirname(file) })[1]
    vim.lsp.start({
      name = 'afc',
      cmd = { afc, 'lsp' },
      root_dir = git and vim.fs.dirname(git) or vim.fs.dirname(file),
    }, { bufnr = args.buf })
  end,
})
