//! Everything under `stdlib/`, `examples/` and the passing `testdata/**/ok-*` cases
//! parses with zero diagnostics, and the example platforms and passing cases check
//! clean.

use afc::source::{FileId, SourceFile};
#[path = "support/files.rs"]
mod files;

use files::{af_files, root};
use std::path::PathBuf;

/// The workspaces that must check clean.
fn clean_workspaces() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    for area in std::fs::read_dir(root().join("testdata"))
        .expect("testdata/")
        .flatten()
    {
        for case in std::fs::read_dir(area.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if case.file_name().to_string_lossy().starts_with("ok-") {
                v.push(case.path());
            }
        }
    }
    v.sort();
    v
}

#[test]
fn every_corpus_file_parses_without_diagnostics() {
    let mut files: Vec<(String, String)> = afc::stdlib::FILES
        .iter()
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect();
    assert_eq!(
        af_files(&root().join("stdlib")).len(),
        files.len(),
        "every stdlib/*.af is embedded"
    );
    for ws in clean_workspaces() {
        for f in af_files(&ws) {
            let text = std::fs::read_to_string(&f).expect("UTF-8");
            files.push((f.display().to_string(), text));
        }
    }
    assert!(files.len() > 10);
    for (path, text) in &files {
        let (tree, diags) = afc::syntax::parse(FileId(0), text);
        assert!(diags.is_empty(), "{path}: {diags:#?}");
        assert!(!tree.decls.is_empty(), "{path} has no declarations");
    }
}

#[test]
fn examples_and_passing_cases_check_clean() {
    for ws in clean_workspaces() {
        let files = afc::cli::workspace::load(&ws).expect("readable");
        let a = afc::analyze(files);
        assert!(
            a.diagnostics.is_empty(),
            "{}: {:#?}",
            ws.display(),
            a.diagnostics
        );
    }
}

#[test]
fn the_stdlib_alone_is_consistent() {
    let a = afc::analyze(vec![SourceFile::new(
        "p.af",
        "platform p {\n  repo = \"https://example.com/p.git\"\n}\n",
    )]);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    let m = &a.sema.model;
    let engines: Vec<&str> = m.engines.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(engines, ["postgres", "redis", "valkey", "yugabytedb"]);
    let comps: Vec<&str> = m.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        comps,
        [
            "argocd",
            "cert-manager",
            "cockroachlabs-cockroachdb",
            "hashicorp-boundary",
            "hashicorp-consul",
            "hashicorp-nomad",
            "hashicorp-terraform",
            "hashicorp-vault",
            "k3s",
            "linkerd",
            "sealed-secrets",
            "traefik"
        ]
    );
    assert!(m.policies.iter().any(|p| p.name == "open-source"));
    assert!(
        m.engines
            .iter()
            .all(|e| !e.license.is_empty() && e.port > 0 && !e.image.is_empty())
    );
}
