//! Every diagnostic code has a page, the page's bad example produces the code and its
//! fix does not, codes and names are unique, every front-end and lint code has a
//! failing golden case under `testdata/check/`, and every lint rule a passing one
//! (`ok-af3xxx-*`).

use afc::diag::CODES;
use afc::source::SourceFile;
use std::collections::BTreeSet;
use std::path::Path;

/// The fenced blocks of one section of a page: (language, text).
fn blocks<'a>(page: &'a str, section: &str) -> Vec<(&'a str, &'a str)> {
    let Some(start) = page.find(&format!("\n## {section}\n")) else {
        return Vec::new();
    };
    let rest = &page[start + section.len() + 5..];
    let rest = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut out = Vec::new();
    let mut parts = rest.split("```");
    parts.next();
    while let (Some(block), _) = (parts.next(), parts.next()) {
        let (lang, text) = block.split_once('\n').unwrap_or((block, ""));
        out.push((lang, text));
    }
    out
}

fn codes_of(text: &str) -> BTreeSet<&'static str> {
    let a = afc::analyze(vec![SourceFile::new("example.af", text)]);
    a.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn codes_and_names_are_unique() {
    let codes: BTreeSet<_> = CODES.iter().map(|c| c.code).collect();
    let names: BTreeSet<_> = CODES.iter().map(|c| c.name).collect();
    assert_eq!(codes.len(), CODES.len());
    assert_eq!(names.len(), CODES.len());
    for c in CODES {
        assert!(c.code.len() == 6 && c.code.starts_with("AF"), "{}", c.code);
        assert!(
            c.name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{}",
            c.name
        );
    }
}

#[test]
fn every_page_has_its_sections() {
    for c in CODES {
        let title = format!("# {} {}\n", c.code, c.name);
        assert!(
            c.page.starts_with(&title),
            "{}: the page must start with `{title}`",
            c.code
        );
        for section in ["Why", "Example", "Fix"] {
            assert!(
                c.page.contains(&format!("\n## {section}\n")),
                "{}: no `## {section}`",
                c.code
            );
        }
        assert!(
            !blocks(c.page, "Example").is_empty(),
            "{}: no example block",
            c.code
        );
    }
}

#[test]
fn every_af_example_produces_its_code_and_every_fix_does_not() {
    let mut checked = 0;
    for c in CODES {
        for (lang, text) in blocks(c.page, "Example") {
            if lang == "af" {
                let got = codes_of(text);
                assert!(
                    got.contains(c.code),
                    "{}: the page's example gives {got:?}",
                    c.code
                );
                checked += 1;
            }
        }
        for (lang, text) in blocks(c.page, "Fix") {
            if lang == "af" {
                let got = codes_of(text);
                assert!(
                    !got.contains(c.code),
                    "{}: the page's fix still gives it",
                    c.code
                );
            }
        }
    }
    assert!(checked >= 25, "only {checked} pages have an `af` example");
}

#[test]
fn every_front_end_code_has_a_failing_golden_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/check");
    let mut seen = String::new();
    for entry in std::fs::read_dir(&root).expect("testdata/check exists") {
        let p = entry.expect("readable").path().join("expected.txt");
        seen.push_str(&std::fs::read_to_string(p).unwrap_or_default());
    }
    // Input errors stop afc before analysis; tests/cli.rs covers them.
    let input_errors = ["AF0008", "AF0009", "AF0010"];
    for c in CODES {
        let front_end = c.code.starts_with("AF0")
            || c.code.starts_with("AF1")
            || c.code.starts_with("AF2")
            || c.code.starts_with("AF3");
        if front_end && !input_errors.contains(&c.code) {
            assert!(
                seen.contains(&format!("[{}]", c.code)),
                "{} has no failing case under testdata/check/",
                c.code
            );
        }
    }
}

#[test]
fn every_lint_rule_has_a_passing_golden_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/check");
    let names: Vec<String> = std::fs::read_dir(&root)
        .expect("testdata/check exists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for rule in afc::lint::RULES {
        let prefix = format!("ok-{}-", rule.code.as_str().to_ascii_lowercase());
        assert!(
            names.iter().any(|n| n.starts_with(&prefix)),
            "{} ({}) has no passing case `testdata/check/{prefix}*`",
            rule.code,
            rule.info().name
        );
    }
}
