// Tokenizes `.af` text with the extension's TextMate grammar, as VS Code does
// (vscode-textmate with the Oniguruma regex engine).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = dirname(fileURLToPath(import.meta.url));
export const extensionDir = join(here, '..');
export const repoRoot = join(extensionDir, '..', '..');

let grammarPromise;

/** The `source.af` grammar, loaded once. */
export function loadGrammar() {
  grammarPromise ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) => {
        if (scopeName !== 'source.af') return null;
        const path = join(extensionDir, 'syntaxes', 'af.tmLanguage.json');
        return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
    return registry.loadGrammar('source.af');
  })();
  return grammarPromise;
}

/**
 * The tokens of a text: `{ line, start, end, text, scopes }` per token, lines and
 * columns from 0. Line ends (`\n` or `\r\n`) are not part of any token.
 */
export async function tokenize(text) {
  const grammar = await loadGrammar();
  const tokens = [];
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, n) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      tokens.push({ line: n, start: t.startIndex, end: t.endIndex, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = result.ruleStack;
  });
  return tokens;
}
