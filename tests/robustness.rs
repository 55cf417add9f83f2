//! No input makes afc panic. Several hundred random and mutated inputs (truncations,
//! byte flips, inserted tokens, deep nesting, huge numbers, unterminated strings,
//! non-UTF-8) all end in a clean result or in coded diagnostics whose spans are valid,
//! and every renderer copes with them.

use afc::diag::render::{self, HumanOptions};
use afc::source::SourceFile;
#[path = "support/files.rs"]
mod files;

use std::path::Path;
use std::process::Command;

/// SplitMix64: a small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<String> = afc::stdlib::FILES
        .iter()
        .map(|(_, t)| (*t).to_string())
        .collect();
    for dir in ["examples", "testdata/check"] {
        for e in files::all_files(&root.join(dir)) {
            if e.extension().is_some_and(|x| x == "af") {
                out.push(std::fs::read_to_string(&e).expect("corpus is UTF-8"));
            }
        }
    }
    out
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "=",
    "${",
    "$${",
    "\\",
    "\n",
    "\r\n",
    ",",
    ".",
    "//",
    "///",
    "99999999999999999999999999",
    "1e9",
    "-0.5Gi",
    "\u{feff}",
    "\t",
    "é",
    "🚀",
    "service x {",
    "override ",
    "sealed",
    "env {",
    "uses = [",
    "\\u{",
    "\0",
    "}}}}",
    "[[[[",
];

fn mutate(rng: &mut Rng, s: &str) -> String {
    let mut b: Vec<char> = s.chars().collect();
    for _ in 0..=rng.below(3) {
        let len = b.len();
        match rng.below(5) {
            0 => b.truncate(rng.below(len + 1)),
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = char::from(u8::try_from(32 + rng.below(95)).unwrap_or(b'x'));
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let j = (i + rng.below(40)).min(len);
                b.drain(i..j);
            }
            3 => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                for (k, c) in t.chars().enumerate() {
                    b.insert(i + k, c);
                }
            }
            _ if len > 0 => {
                let i = rng.below(len);
                let j = (i + rng.below(80)).min(len);
                let piece: Vec<char> = b[i..j].to_vec();
                let at = rng.below(len + 1);
                for (k, c) in piece.into_iter().enumerate() {
                    b.insert(at + k, c);
                }
            }
            _ => {}
        }
    }
    b.into_iter().collect()
}

/// Analyses and renders; checks the invariants every result must hold.
fn exercise(text: &str) -> bool {
    let a = afc::analyze(vec![SourceFile::new("fuzz.af", text)]);
    for d in &a.diagnostics {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            let f = &a.file(l.file).text;
            assert!(
                l.span.start <= l.span.end && (l.span.end as usize) <= f.len(),
                "span out of bounds: {d:?}"
            );
            assert!(
                f.is_char_boundary(l.span.start as usize)
                    && f.is_char_boundary(l.span.end as usize),
                "span splits a char: {d:?}"
            );
        }
        assert!(!render::short(&a, d).is_empty());
        assert!(render::human(&a, d, HumanOptions::default()).contains(d.code.as_str()));
    }
    let _ = render::json(&a, &a.diagnostics);
    let again = afc::analyze(vec![SourceFile::new("fuzz.af", text)]);
    assert_eq!(
        a.diagnostics, again.diagnostics,
        "analysis is not deterministic"
    );
    a.has_errors()
}

#[test]
fn mutated_corpus_never_panics() {
    let corpus = corpus();
    let mut rng = Rng(0x00af_c0de);
    let mut with_errors = 0;
    for _ in 0..600 {
        let base = &corpus[rng.below(corpus.len())];
        if exercise(&mutate(&mut rng, base)) {
            with_errors += 1;
        }
    }
    // Most mutations break something; a generator that never does is broken itself.
    assert!(
        with_errors > 300,
        "only {with_errors} of 600 mutations had errors"
    );
}

#[test]
fn hostile_inputs_end_in_errors() {
    let deep_blocks = format!(
        "platform p {{\n repo = \"https://x/y.git\"\n}}\nservice a {{\n{}\n",
        "env {\n".repeat(5000)
    );
    let deep_lists = format!("service a {{\n  args = {}\n}}\n", "[".repeat(100_000));
    let closed_lists = format!(
        "service a {{\n  args = {}{}\n}}\n",
        "[".repeat(2000),
        "]".repeat(2000)
    );
    let long_string = format!("service a {{\n  image = \"{}\n}}\n", "x".repeat(1_000_000));
    let many_braces = "}".repeat(10_000);
    let inputs: Vec<String> = vec![
        deep_blocks,
        deep_lists,
        closed_lists,
        long_string,
        many_braces,
        "service a {\n  replicas = 99999999999999999999999999999\n}\n".into(),
        "service a {\n  memory = 99999999999999999999Ei\n  cpu = 0.0001\n}\n".into(),
        "service a {\n  image = \"unterminated\n".into(),
        "service a {\n  image = \"\\u{D800}\"\n}\n".into(),
        "\"".into(),
        "=".into(),
        "service".into(),
        "service a".into(),
        "service a {".into(),
        "\u{feff}\u{feff}".into(),
        "platform p { repo = \"https://x/y.git\" } platform q { }".into(),
        "env e {\n  a.b.c.d.e.f = 1\n}\n".into(),
        "service a {\n  env {\n    X = \"${\"\n  }\n}\n".into(),
        "secret s {\n  sealed {\n    K = \"AgB\n".into(),
        "\0\0\0".into(),
    ];
    for text in &inputs {
        assert!(
            exercise(text),
            "no error for: {}",
            &text[..text.len().min(60)]
        );
    }
}

#[test]
fn the_binary_exits_1_or_2_with_a_coded_diagnostic() {
    let mut rng = Rng(7);
    let corpus = corpus();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("main.af");
    let mut runs = 0;
    for i in 0..60 {
        let bytes: Vec<u8> = if i % 6 == 0 {
            // Invalid UTF-8: a byte flipped to a lone continuation byte.
            let mut b = corpus[rng.below(corpus.len())].clone().into_bytes();
            let at = rng.below(b.len());
            b[at] = 0x80 | u8::try_from(rng.below(0x40)).unwrap_or(0);
            b
        } else {
            let base = &corpus[rng.below(corpus.len())];
            mutate(&mut rng, base).into_bytes()
        };
        std::fs::write(&file, &bytes).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_afc"))
            .args([
                "check",
                &dir.path().display().to_string(),
                "--format",
                "short",
            ])
            .output()
            .expect("afc runs");
        let code = out
            .status
            .code()
            .expect("afc exited, not killed by a signal");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match code {
            0 => {}
            1 => assert!(
                stdout.contains(": error[AF"),
                "exit 1 without a coded error: {stdout}"
            ),
            2 => assert!(
                stdout.contains("error[AF0008]"),
                "exit 2 without AF0008: {stdout}"
            ),
            other => panic!(
                "exit code {other}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
        if i % 6 == 0 {
            assert_eq!(code, 2, "invalid UTF-8 must exit 2");
        }
        runs += 1;
    }
    assert_eq!(runs, 60);
}
