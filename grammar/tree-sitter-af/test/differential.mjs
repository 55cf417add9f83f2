#!/usr/bin/env node
// Differential test: the tree-sitter grammar accepts exactly the language afc's parser
// accepts. It mutates real `.af` text at random (seeded, so every run checks the same
// inputs) and asks both of each input: is there a syntax error? afc says yes with a
// diagnostic AF0001-AF0006; tree-sitter with an ERROR or MISSING node. Any disagreement
// fails and shows the input. Nesting deeper than 32 levels (AF0007) is afc's limit only;
// inputs where afc reports it are left out.
//
//   node differential.mjs --afc target/debug/afc --parser af.so [--count 3000] [--seed 1]
//        [--keep DIR]
//
// Seeds: every `.af` file of the repository and every input of test/corpus/.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const grammarDir = join(here, '..');
const repoRoot = join(grammarDir, '..', '..');

const args = { count: 3000, seed: 1, batch: 250 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  const value = process.argv[i + 1];
  if (value === undefined) throw new Error(`--${key} needs a value`);
  args[key] = ['count', 'seed', 'batch'].includes(key) ? Number(value) : value;
}
if (!args.afc || !args.parser) {
  console.error('usage: differential.mjs --afc AFC --parser PARSER.so [--count N] [--seed S] [--keep DIR]');
  process.exit(2);
}

// mulberry32: a small seeded PRNG, so that a run is reproducible.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(args.seed);
const pick = (items) => items[Math.floor(random() * items.length)];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

function afFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name.startsWith('target')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) afFiles(path, out);
    else if (entry.name.endsWith('.af') && statSync(path).size < 100_000) out.push(path);
  }
  return out;
}

function corpusInputs() {
  const inputs = [];
  const dir = join(grammarDir, 'test', 'corpus');
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    // `===\nname\n[:attrs\n]===\n\ninput\n\n---\n\ntree`
    const re = /^={3,}\n[^\n]*\n(?::[^\n]*\n)*={3,}\n\n([\s\S]*?)\n-{3,}\n/gm;
    for (const m of text.matchAll(re)) inputs.push(m[1]);
  }
  return inputs;
}

const seeds = [...afFiles(repoRoot).sort().map((p) => readFileSync(p, 'utf8')), ...corpusInputs()];
const seedLines = seeds.flatMap((s) => s.split('\n')).filter((l) => l.trim() !== '');

// What a mutation inserts: the characters and words the grammar cares about.
const PIECES = [
  '\n', '\n', '\n', ' ', '\t', '\r', '\r\n', '\uFEFF', '\f', ',', ',', '{', '}', '[', ']', '=',
  '"', '"', '.', '$', '${', '$${', '}', '\\', '\\n', '\\"', '\\d', '\\u{', '\\u{41}',
  '\\u{D800}', '\\u{110000}', '//', '///', '/', '-', '_', 'a', 'Z', '0', '9', '1.5', '250m',
  'Gi', 'e9', 'true', 'false', 'override ', 'service ', 'env ', 'policy ', 'x ', 'x', 'é',
  '${domain}', 'a.b', ' = ', ' { ', ' }', 'sealed staging ', '"k" = ', '[a, b]',
];

function mutate(text) {
  const lines = text.split('\n');
  switch (between(0, 9)) {
    case 0: case 1: case 2: { // insert a piece
      const at = between(0, text.length);
      return text.slice(0, at) + pick(PIECES) + text.slice(at);
    }
    case 3: case 4: { // delete a few characters
      const at = between(0, Math.max(0, text.length - 1));
      return text.slice(0, at) + text.slice(at + between(1, 3));
    }
    case 5: { // replace a character
      const at = between(0, Math.max(0, text.length - 1));
      return text.slice(0, at) + pick(PIECES) + text.slice(at + 1);
    }
    case 6: { // delete or duplicate a line
      const at = between(0, lines.length - 1);
      if (random() < 0.5) lines.splice(at, 1);
      else lines.splice(at, 0, lines[at]);
      return lines.join('\n');
    }
    case 7: { // move a line to column 0, or indent it
      const at = between(0, lines.length - 1);
      lines[at] = random() < 0.7 ? lines[at].trimStart() : `  ${lines[at]}`;
      return lines.join('\n');
    }
    case 8: { // a line from another file, at column 0 or indented
      const line = pick(seedLines);
      lines.splice(between(0, lines.length), 0, random() < 0.5 ? line.trimStart() : line);
      return lines.join('\n');
    }
    default: { // join two lines
      const at = between(0, Math.max(0, lines.length - 2));
      lines.splice(at, 2, `${lines[at]} ${lines[at + 1] ?? ''}`);
      return lines.join('\n');
    }
  }
}

const inputs = [...seeds];
while (inputs.length < seeds.length + args.count) {
  let text = pick(seeds);
  for (let n = between(1, 3); n > 0; n--) text = mutate(text);
  inputs.push(text);
}

const work = args.keep ?? mkdtempSync(join(tmpdir(), 'af-differential-'));
mkdirSync(work, { recursive: true });

// afc: one workspace per batch (the parse of a file never depends on the others).
const SYNTAX = /^AF000[1-6]$/;
// The checker, not the parser, reports a label on a block that takes none, with AF0001
// (src/sema/value.rs). In the JSON a diagnostic's label text follows its message under
// the same key, so either may be what JSON.parse keeps.
const afcVerdict = new Map(); // file -> codes of syntax errors (empty: none)
const tooDeep = new Set();
const files = [];
for (let b = 0; b * args.batch < inputs.length; b++) {
  const dir = join(work, `batch${String(b).padStart(3, '0')}`);
  mkdirSync(dir, { recursive: true });
  const batch = inputs.slice(b * args.batch, (b + 1) * args.batch);
  batch.forEach((text, i) => {
    const file = join(dir, `m${String(b * args.batch + i).padStart(5, '0')}.af`);
    writeFileSync(file, text);
    files.push(file);
    afcVerdict.set(file, []);
  });
  const run = spawnSync(args.afc, ['check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`afc check ${dir} exited ${run.status}: ${run.stderr}`);
  }
  for (const d of JSON.parse(run.stdout).diagnostics ?? JSON.parse(run.stdout)) {
    const file = join(dir, d.at.file);
    if (d.code === 'AF0007') tooDeep.add(file);
    if (SYNTAX.test(d.code) && afcVerdict.has(file)) afcVerdict.get(file).push(d.code);
  }
}

// tree-sitter: every file in one run.
const list = join(work, 'paths.txt');
writeFileSync(list, files.join('\n'));
const ts = spawnSync('tree-sitter', ['parse', '-l', args.parser, '--lang-name', 'af', '--quiet', '--json-summary', '--paths', list], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
const json = ts.stdout.slice(ts.stdout.search(/^\{$/m));
const tsError = new Map(JSON.parse(json).parse_summaries.map((s) => [s.file, !s.successful]));

let agree = 0;
const disagree = [];
for (const file of files) {
  if (tooDeep.has(file)) continue;
  const afcSays = afcVerdict.get(file).length > 0;
  const tsSays = tsError.get(file);
  if (tsSays === undefined) throw new Error(`tree-sitter did not report ${file}`);
  if (afcSays === tsSays) agree++;
  else disagree.push({ file, afc: afcVerdict.get(file), treeSitter: tsSays });
}

const withErrors = files.filter((f) => afcVerdict.get(f).length > 0).length;
for (const d of disagree.slice(0, 10)) {
  console.log(`DISAGREE ${relative(work, d.file)}: afc ${d.afc.length ? d.afc.join(',') : 'no syntax error'}, ` +
    `tree-sitter ${d.treeSitter ? 'error' : 'no error'}`);
  console.log(JSON.stringify(readFileSync(d.file, 'utf8')));
}
console.log(`differential: ${files.length} inputs (seed ${args.seed}; ${withErrors} with syntax errors, ` +
  `${tooDeep.size} too deep and skipped): ${agree} agree, ${disagree.length} disagree`);
if (!args.keep) rmSync(work, { recursive: true, force: true });
process.exit(disagree.length === 0 ? 0 : 1);
