/**
 * @file Tree-sitter grammar for `.af` platform description files.
 * @license Apache-2.0
 *
 * It accepts the language of `../af.ebnf` (the grammar afc's parser implements):
 * - whitespace is spaces, tabs, `\r` and U+FEFF, between any two tokens of a line;
 * - line breaks are tokens (`src/scanner.c`): they separate the items of a body (as
 *   commas do), may stand between declarations and inside lists, and nowhere else;
 * - a line that starts at column 0 with `[override] KIND NAME` starts a declaration, so
 *   it cannot be an item of a body that is still open (afc reports AF0004 there, and so
 *   tree-sitter recovers by closing the body);
 * - strings end on their line; escapes and `${name}` are checked as afc checks them.
 * The one difference: afc also limits nesting to 32 levels (AF0007); this grammar does
 * not count.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/;

// `\u{...}`: 1 to 6 hex digits naming a Unicode scalar value (at most 10FFFF, not a
// surrogate D800-DFFF), as afc's parser decodes it.
const HEX = '[0-9a-fA-F]';
const NON_SURROGATE_4 = `(?:[0-9a-cA-Ce-fE-F]${HEX}{3}|[dD][0-7]${HEX}{2})`;
const SCALAR = [
  `${HEX}{1,3}`,
  NON_SURROGATE_4,
  `[1-9a-fA-F]${HEX}{4}`,
  `0${NON_SURROGATE_4}`,
  `10${HEX}{4}`,
  `0[1-9a-fA-F]${HEX}{4}`,
  `00${NON_SURROGATE_4}`,
].join('|');
const UNICODE_ESCAPE = new RegExp(`\\\\u\\{(?:${SCALAR})\\}`);

module.exports = grammar({
  name: 'af',

  word: $ => $.identifier,

  // Line breaks are not extras: see `_newline` (src/scanner.c).
  extras: $ => [/[ \t\r\uFEFF]/, $.comment],

  externals: $ => [
    // A line break.
    $._newline,
    // A line break followed, at column 0, by `[override] KIND NAME`: a new declaration.
    // Valid only between declarations.
    $._declaration_newline,
  ],

  rules: {
    source_file: $ => repeat(choice($._newline, $._declaration_newline, $.declaration)),

    declaration: $ => seq(
      optional(field('override', $.override)),
      field('kind', $.identifier),
      field('name', $.identifier),
      field('body', $.body),
    ),

    // Items are separated by line breaks or commas; separators may repeat, lead and
    // trail.
    override: _ => 'override',

    body: $ => seq(
      '{',
      repeat($._separator),
      repeat(seq($._item, repeat1($._separator))),
      optional($._item),
      '}',
    ),

    _separator: $ => choice($._newline, ','),

    _item: $ => choice($.attribute, $.block),

    attribute: $ => seq(
      field('key', choice($.identifier, $.dotted_key, $.string)),
      '=',
      field('value', $._value),
    ),

    // `backend.replicas`, `backend.env.LOG_LEVEL`: env overrides of the declaration the
    // first name refers to. No space around `.`.
    dotted_key: $ => seq(
      alias($.identifier, $.reference),
      repeat1(seq(token.immediate('.'), alias($._immediate_identifier, $.identifier))),
    ),

    block: $ => seq(
      field('key', $.identifier),
      optional(field('label', choice($.identifier, $.string))),
      field('body', $.body),
    ),

    _value: $ => choice(
      $.string,
      $.number,
      $.boolean,
      $.list,
      alias($.identifier, $.reference),
    ),

    // Line breaks may stand anywhere inside a list; commas separate the values, and one
    // may trail.
    list: $ => seq(
      '[',
      repeat($._newline),
      optional(seq(
        $._value,
        repeat($._newline),
        repeat(seq(',', repeat($._newline), $._value, repeat($._newline))),
        optional(seq(',', repeat($._newline))),
      )),
      ']',
    ),

    boolean: _ => choice('true', 'false'),

    // `3`, `0.5`, `-1`, `250m`, `512Mi`, `30s`: the unit is whatever letters follow.
    number: $ => seq(
      /-?[0-9]+(\.[0-9]+)?/,
      optional(field('unit', alias(token.immediate(/[A-Za-z]+/), $.unit))),
    ),

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation)),
      token.immediate('"'),
    ),

    // A `$` that starts neither `${` nor `$${` is text.
    string_content: _ => choice(
      token.immediate(prec(1, /[^"\\\n$]+/)),
      token.immediate('$'),
    ),

    // `$${` is a literal `${`.
    escape_sequence: _ => choice(
      token.immediate(/\\["\\ntr]/),
      token.immediate(UNICODE_ESCAPE),
      token.immediate('$${'),
    ),

    // `${domain}`, `${env}`, `${namespace}` (other names are AF1009, a semantic error).
    interpolation: $ => seq(
      token.immediate('${'),
      field('name', alias($._immediate_identifier, $.identifier)),
      token.immediate('}'),
    ),

    identifier: _ => IDENT,

    _immediate_identifier: _ => token.immediate(IDENT),

    // `//` to the end of the line; `///` (but not `////`) is documentation.
    comment: _ => token(seq('//', /[^\n]*/)),
  },
});
