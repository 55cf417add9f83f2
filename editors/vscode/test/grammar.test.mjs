// The TextMate grammar on the repository's real `.af` files, and against afc's golden
// diagnostics (testdata/check/*/expected.txt): it flags as `invalid` what afc rejects
// lexically, and nothing on a line where afc reports nothing. Run with `node --test`.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { extensionDir, repoRoot, tokenize } from './tokenize.mjs';

function afFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name.startsWith('target')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) afFiles(path, out);
    else if (entry.name.endsWith('.af')) out.push(path);
  }
  return out.sort();
}

const isInvalid = (token) => token.scopes.some((s) => s.startsWith('invalid'));
const where = (file, t) => `${relative(repoRoot, file)}:${t.line + 1}:${t.start + 1} ${JSON.stringify(t.text)}`;

// The golden cases of `afc check`: a directory per case with its files and
// expected.txt, whose first lines are `FILE:LINE:COLUMN: severity[CODE] message`. A
// case without expected.txt (being written) is left out.
const checkDir = join(repoRoot, 'testdata', 'check');
const cases = readdirSync(checkDir).sort().flatMap((name) => {
  const dir = join(checkDir, name);
  if (!existsSync(join(dir, 'expected.txt'))) return [];
  const expected = readFileSync(join(dir, 'expected.txt'), 'utf8');
  const diagnostics = [...expected.matchAll(/^([^\s:]+\.af):(\d+):(\d+): (\w+)\[(AF\d+)\] (.*)$/gm)].map((m) => ({
    file: join(dir, m[1]),
    line: Number(m[2]) - 1,
    column: Number(m[3]) - 1,
    severity: m[4],
    code: m[5],
    message: m[6],
  }));
  return [{ name, dir, diagnostics }];
});

// Real files: every `.af` file but those of golden cases that expect an error (and of
// cases not written yet).
const caseDirs = readdirSync(checkDir).map((name) => join(checkDir, name));
const validDirs = new Set(cases.filter((c) => !c.diagnostics.some((d) => d.severity === 'error')).map((c) => c.dir));
const realFiles = afFiles(repoRoot).filter((f) => !caseDirs.some((d) => f.startsWith(d + '/') && !validDirs.has(d)));

test('the golden cases are found', () => {
  assert.ok(cases.length >= 30, `only ${cases.length} cases under ${checkDir}`);
  assert.ok(cases.length - validDirs.size >= 25);
  assert.ok(realFiles.length >= 15, `only ${realFiles.length} .af files`);
});

test('real .af files have no invalid token', async () => {
  for (const file of realFiles) {
    const tokens = await tokenize(readFileSync(file, 'utf8'));
    const invalid = tokens.filter(isInvalid).map((t) => where(file, t));
    assert.deepEqual(invalid, [], `invalid tokens in ${relative(repoRoot, file)}`);
  }
});

// The kinds the grammar knows (tests/editors.rs checks that they are afc's).
const tmGrammar = JSON.parse(readFileSync(join(extensionDir, 'syntaxes', 'af.tmLanguage.json'), 'utf8'));
const KINDS = /\(((?:[a-z]+\|){4,}[a-z]+)\)/.exec(tmGrammar.repository.declaration.patterns[0].begin)[1].split('|');

test('declaration headers are highlighted: kind, name, brace', async () => {
  let headers = 0;
  for (const file of realFiles) {
    const tokens = await tokenize(readFileSync(file, 'utf8'));
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, n) => {
      const m = /^(\uFEFF?)((?:override )?)([a-z]+) ([a-z0-9-]+) \{/.exec(line);
      if (!m) return;
      headers++;
      const at = (column) => tokens.find((t) => t.line === n && t.start <= column && column < t.end);
      const kindAt = m[1].length + m[2].length;
      // An unknown kind (AF1001) is no keyword.
      const known = KINDS.includes(m[3]);
      assert.equal(at(kindAt).scopes.includes('keyword.declaration.af'), known, where(file, at(kindAt)));
      const nameAt = kindAt + m[3].length + 1;
      assert.ok(at(nameAt).scopes.includes('entity.name.type.af'), where(file, at(nameAt)));
      const braceAt = nameAt + m[4].length + 1;
      assert.ok(at(braceAt).scopes.includes('punctuation.section.block.begin.af'), where(file, at(braceAt)));
      if (m[2]) assert.ok(at(m[1].length).scopes.includes('storage.modifier.override.af'), where(file, at(0)));
    });
  }
  assert.ok(headers >= 40, `only ${headers} declarations found`);
});

// Lexical errors the grammar can see, by code; AF0001 only for a stray `}`.
const FLAGGED = new Set(['AF0002', 'AF0003', 'AF0005', 'AF0006', 'AF1009']);
const flagged = (d) => FLAGGED.has(d.code) || (d.code === 'AF0001' && d.message.startsWith('unexpected `}`'));

test('what afc rejects lexically is invalid at the place afc reports', async () => {
  let checked = 0;
  for (const c of cases) {
    for (const d of c.diagnostics.filter(flagged)) {
      const tokens = await tokenize(readFileSync(d.file, 'utf8'));
      const token = tokens.find((t) => t.line === d.line && t.start <= d.column && d.column < t.end);
      assert.ok(token && isInvalid(token), `${c.name}: ${d.code} at ${d.line + 1}:${d.column + 1}: ${token && where(d.file, token)} ${token?.scopes}`);
      checked++;
    }
  }
  assert.ok(checked >= 7, `only ${checked} diagnostics checked`);
});

test('nothing is invalid on a line where afc reports nothing', async () => {
  for (const c of cases) {
    for (const file of afFiles(c.dir)) {
      const lines = new Set(c.diagnostics.filter((d) => d.file === file).map((d) => d.line));
      const tokens = await tokenize(readFileSync(file, 'utf8'));
      const stray = tokens.filter((t) => isInvalid(t) && !lines.has(t.line)).map((t) => where(file, t));
      assert.deepEqual(stray, [], `${c.name}`);
    }
  }
});

test('the manifest points at the grammar, the language configuration and the client', () => {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8'));
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'af');
  assert.deepEqual(language.extensions, ['.af']);
  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, 'af');
  const tm = JSON.parse(readFileSync(join(extensionDir, grammar.path), 'utf8'));
  assert.equal(tm.scopeName, grammar.scopeName);
  const config = JSON.parse(readFileSync(join(extensionDir, language.configuration), 'utf8'));
  assert.equal(config.comments.lineComment, '//');
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']']]);
  assert.ok(config.autoClosingPairs.some((p) => p.open === '"' && p.close === '"'));
  assert.equal(manifest.contributes.configuration.properties['afc.path'].default, 'afc');
  assert.equal(manifest.main, './out/extension.js');
  assert.ok(existsSync(join(extensionDir, 'src', 'extension.ts')));
  for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is pinned to an exact version`);
  }
});
