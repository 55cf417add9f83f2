//! The editor grammars know the declaration kinds by name: the TextMate grammar of the
//! VS Code extension (to highlight them as keywords and to close a body where a new
//! declaration starts), the tree-sitter grammar's external scanner (likewise) and the
//! highlight queries. These tests keep every such list equal to the compiler's
//! (`afc::syntax::KINDS`), and make sure the grammars' tests declare every kind.
//! The grammars themselves are tested by `editors/test`.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn kinds() -> BTreeSet<String> {
    afc::syntax::KINDS
        .iter()
        .map(|k| (*k).to_string())
        .collect()
}

/// Every alternation of at least five lowercase words, `(a|b|c|d|e)` or `(?:a|...)`,
/// in a text (regexes of a TextMate grammar).
fn word_alternations(text: &str) -> Vec<BTreeSet<String>> {
    let mut found = Vec::new();
    for (open, _) in text.match_indices('(') {
        let rest = text[open + 1..]
            .strip_prefix("?:")
            .unwrap_or(&text[open + 1..]);
        let Some(close) = rest.find(')') else {
            continue;
        };
        let group = &rest[..close];
        let words: Vec<&str> = group.split('|').collect();
        if words.len() >= 5
            && words
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        {
            found.push(words.iter().map(|w| (*w).to_string()).collect());
        }
    }
    found
}

/// The quoted words of `(#any-of? @CAPTURE "a" "b" ...)` in a query.
fn any_of(query: &str, capture: &str) -> BTreeSet<String> {
    let start = query
        .find(&format!("#any-of? @{capture}"))
        .unwrap_or_else(|| panic!("no `#any-of? @{capture}` in the query"));
    let list = &query[start..start + query[start..].find(')').expect("`)` after #any-of?")];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn textmate_grammar_knows_every_kind() {
    let grammar = read("editors/vscode/syntaxes/af.tmLanguage.json");
    let lists = word_alternations(&grammar);
    // The declaration's begin, and the end of every body and list (a declaration at
    // column 0 closes them).
    assert!(
        lists.len() >= 4,
        "expected the kinds in the declaration rule and in the ends of bodies and lists, found {lists:?}"
    );
    for list in lists {
        assert_eq!(list, kinds(), "a list of kinds in af.tmLanguage.json");
    }
}

#[test]
fn tree_sitter_scanner_knows_every_kind() {
    let scanner = read("grammar/tree-sitter-af/src/scanner.c");
    let start = scanner
        .find("KINDS[] = {")
        .expect("the KINDS array in scanner.c");
    let end = start + scanner[start..].find("NULL").expect("NULL ends KINDS");
    let listed: BTreeSet<String> = scanner[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert_eq!(
        listed,
        kinds(),
        "KINDS in grammar/tree-sitter-af/src/scanner.c"
    );
}

#[test]
fn highlight_queries_know_every_kind() {
    for path in [
        "grammar/tree-sitter-af/queries/highlights.scm",
        "editors/helix/queries/af/highlights.scm",
    ] {
        assert_eq!(
            any_of(&read(path), "keyword"),
            kinds(),
            "the keywords of {path}"
        );
    }
}

#[test]
fn grammar_tests_declare_every_kind() {
    for path in [
        "editors/vscode/test/declarations.af",
        "grammar/tree-sitter-af/test/highlight/every-construct.af",
        "grammar/tree-sitter-af/test/corpus/declarations.txt",
    ] {
        let text = read(path);
        for kind in afc::syntax::KINDS {
            let declared = text.lines().any(|line| {
                let line = line.strip_prefix("override ").unwrap_or(line);
                line.strip_prefix(kind)
                    .and_then(|rest| rest.strip_prefix(' '))
                    .is_some_and(|rest| rest.contains('{'))
            });
            assert!(declared, "{path} declares no `{kind}`");
        }
    }
}
