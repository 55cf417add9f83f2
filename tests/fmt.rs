//! The formatter's properties on every `.af` file in the repository and on random
//! mutations of them: formatting is idempotent, and the formatted workspace has exactly
//! the same model and the same diagnostics (by code and message) as before.

use afc::source::{FileId, SourceFile};
#[path = "support/files.rs"]
mod files;

use files::{af_files, root};
use std::path::PathBuf;
use std::process::Command;

/// The formatted text, or `None` when the text has syntax errors.
fn format(text: &str) -> Option<String> {
    let (tree, diags) = afc::syntax::parse(FileId(0), text);
    diags.is_empty().then(|| afc::fmt::format(text, &tree))
}

/// What must not change: the model, the diagnostics without positions, and the
/// `afc build` output (when the workspace builds).
type Meaning = (
    String,
    Vec<(String, String)>,
    Option<std::collections::BTreeMap<String, String>>,
);

fn meaning(files: &[(String, String)]) -> Meaning {
    let a = afc::analyze(
        files
            .iter()
            .map(|(p, t)| SourceFile::new(p.clone(), t.clone()))
            .collect(),
    );
    let model = serde_json::to_string(&a.sema.model).expect("model serialises");
    let diags = a
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_string(), d.message.clone()))
        .collect();
    let built = afc::emit::build(&a).ok().map(|o| o.files);
    (model, diags, built)
}

fn assert_properties(files: &[(String, String)]) {
    let formatted: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.clone(), format(t).expect("formattable")))
        .collect();
    for ((path, once), (_, orig)) in formatted.iter().zip(files) {
        let twice = format(once).unwrap_or_else(|| {
            panic!("{path}: formatted text does not parse:\n{once}\nfrom:\n{orig}")
        });
        assert_eq!(&twice, once, "{path}: formatting is not idempotent");
    }
    assert_eq!(
        meaning(files),
        meaning(&formatted),
        "formatting changed the meaning"
    );
}

#[test]
fn every_repository_file_formats_idempotently_and_keeps_its_meaning() {
    let mut workspaces: Vec<PathBuf> = vec![root().join("examples/alternatefutures")];
    for area in ["testdata/check", "testdata/build"] {
        for e in std::fs::read_dir(root().join(area))
            .expect("testdata")
            .flatten()
        {
            workspaces.push(e.path());
        }
    }
    workspaces.sort();
    let mut count = 0;
    let mut built = 0;
    for ws in &workspaces {
        let files: Vec<(String, String)> = af_files(ws)
            .iter()
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(p).expect("UTF-8"),
                )
            })
            .collect();
        if files.iter().all(|(_, t)| format(t).is_some()) {
            assert_properties(&files);
            count += files.len();
            if meaning(&files).2.is_some() {
                built += 1;
            }
        }
    }
    for (path, text) in afc::stdlib::FILES {
        assert_properties(&[((*path).to_string(), (*text).to_string())]);
        assert_eq!(
            format(text).as_deref(),
            Some(*text),
            "{path} is not formatted"
        );
    }
    let example = af_files(&root().join("examples/alternatefutures"));
    for p in example {
        let t = std::fs::read_to_string(&p).expect("UTF-8");
        assert_eq!(
            format(&t).as_deref(),
            Some(t.as_str()),
            "{} is not formatted",
            p.display()
        );
    }
    assert!(count > 30, "only {count} files formatted");
    assert!(
        built >= 5,
        "only {built} workspaces compared by their build output"
    );
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % (n.max(1) as u64)).unwrap_or(0)
    }
}

const EDITS: &[&str] = &[
    "\n",
    "\n\n\n",
    "  ",
    "\t",
    ",",
    " // c\n",
    "\n/// d\n",
    "\r\n",
];

#[test]
fn mutations_that_parse_keep_the_properties() {
    let corpus: Vec<String> = af_files(&root().join("testdata/check"))
        .into_iter()
        .chain(af_files(&root().join("examples")))
        .map(|p| std::fs::read_to_string(p).expect("UTF-8"))
        .collect();
    let mut rng = Rng(0x5eed);
    let mut tried = 0;
    for _ in 0..1500 {
        let base = &corpus[rng.below(corpus.len())];
        let mut text = base.clone();
        for _ in 0..=rng.below(4) {
            // Insert layout (whitespace, commas, comments) at a char boundary.
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, EDITS[rng.below(EDITS.len())]);
        }
        if format(&text).is_some() && format(base).is_some() {
            assert_properties(&[("m.af".to_string(), text)]);
            tried += 1;
        }
    }
    assert!(tried > 100, "only {tried} mutations parsed");
}

#[test]
fn the_command_checks_writes_and_refuses_broken_files() {
    let dir = tempfile::tempdir().expect("temp");
    let messy = "platform demo {\nrepo=\"https://example.com/demo.git\"\n}\nservice a { image = \"x:1\", port = 1 }\n";
    let file = dir.path().join("main.af");
    std::fs::write(&file, messy).expect("write");
    let afc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_afc"))
            .args(args)
            .arg(dir.path())
            .output()
            .expect("afc runs")
    };
    let out = afc(&["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("--- a/main.af")
            && diff.contains("+  repo = \"https://example.com/demo.git\""),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check writes nothing"
    );
    assert_eq!(afc(&["fmt"]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        formatted,
        "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n\nservice a {\n  image = \"x:1\"\n  port  = 1\n}\n"
    );
    assert_eq!(afc(&["fmt", "--check"]).status.code(), Some(0));
    std::fs::write(&file, "service a {\n  image = \"x\n}\n").expect("write");
    let out = afc(&["fmt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AF0002"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "service a {\n  image = \"x\n}\n"
    );
}
