// The external scanner of the `.af` grammar: line breaks.
//
// A line break separates the items of a body, so it is a token, not whitespace. A line
// break followed at column 0 by `[override] KIND NAME` (KIND a declaration kind) is a
// different token, valid only between declarations: afc's parser (`decl_starts_at` in
// src/syntax/parser.rs) never reads such a line as an item of an open body; it reports
// the unclosed `{` (AF0004) and goes on with the new declaration. Tree-sitter does the
// same: it closes the body with a MISSING `}` there.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  NEWLINE,
  DECLARATION_NEWLINE,
};

// The declaration kinds: afc::syntax::KINDS (tests/editors.rs keeps them equal).
static const char *const KINDS[] = {
  "platform",
  "cluster",
  "env",
  "service",
  "site",
  "database",
  "cache",
  "secret",
  "engine",
  "component",
  "policy",
  NULL,
};

#define WORD_CAP 16

static bool is_ident_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int32_t c) {
  return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }

// Reads an identifier. Returns its length (0 when none starts here); `word` holds it
// when it is shorter than WORD_CAP.
static unsigned read_word(TSLexer *lexer, char word[WORD_CAP]) {
  unsigned len = 0;
  if (!is_ident_start(lexer->lookahead)) return 0;
  while (is_ident_char(lexer->lookahead)) {
    if (len + 1 < WORD_CAP) word[len] = (char)lexer->lookahead;
    len++;
    lexer->advance(lexer, false);
  }
  word[len + 1 < WORD_CAP ? len : WORD_CAP - 1] = '\0';
  return len;
}

static bool is_kind(const char *word, unsigned len) {
  if (len + 1 >= WORD_CAP) return false;
  for (const char *const *kind = KINDS; *kind != NULL; kind++) {
    if (strcmp(word, *kind) == 0) return true;
  }
  return false;
}

// At column 0: does `[override] KIND NAME` start here? (Looks ahead only.)
static bool declaration_starts(TSLexer *lexer) {
  char word[WORD_CAP];
  unsigned len = read_word(lexer, word);
  if (len == 0) return false;
  if (len == 8 && strcmp(word, "override") == 0) {
    while (is_blank(lexer->lookahead)) lexer->advance(lexer, false);
    len = read_word(lexer, word);
  }
  if (!is_kind(word, len) || !is_blank(lexer->lookahead)) return false;
  while (is_blank(lexer->lookahead)) lexer->advance(lexer, false);
  return is_ident_start(lexer->lookahead);
}

void *tree_sitter_af_external_scanner_create(void) { return NULL; }

void tree_sitter_af_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_af_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_af_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

bool tree_sitter_af_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  if (!valid_symbols[NEWLINE] && !valid_symbols[DECLARATION_NEWLINE]) return false;
  // The whitespace of the grammar's extras, then one line break.
  while (is_blank(lexer->lookahead) || lexer->lookahead == '\r' || lexer->lookahead == 0xFEFF) {
    lexer->advance(lexer, true);
  }
  if (lexer->lookahead != '\n') return false;
  lexer->advance(lexer, false);
  lexer->mark_end(lexer);
  lexer->result_symbol = declaration_starts(lexer) ? DECLARATION_NEWLINE : NEWLINE;
  return true;
}
