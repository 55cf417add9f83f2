//! Golden tests for `afc build`: every directory `testdata/build/<case>/` is a workspace
//! (its `.af` files) with the expected output tree next to it in `expected/` (afc's
//! marker file there keeps the workspace loader out of it). One test per case, found by
//! glob. A failure prints a unified diff per file; `AFC_BLESS=1 cargo test --test
//! build_golden` rewrites the expectations.
//!
//! Each case also checks that the build does not depend on the order of the files and
//! that every YAML file reads back (serde_yaml, a YAML 1.2 reader) as one mapping, and
//! that overlays derived from the base equal the rendered ones (`emit::derive`; the
//! example too).

#[path = "support/files.rs"]
mod files;

use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::BTreeMap;
use std::path::Path;

fn build(files: Vec<afc::source::SourceFile>) -> Result<BTreeMap<String, String>, Failed> {
    let a = afc::analyze(files);
    let built = afc::emit::build(&a).map(|o| o.files).map_err(|diags| {
        let msgs: Vec<String> = diags
            .iter()
            .map(|d| format!("[{}] {}", d.code, d.message))
            .collect();
        Failed::from(format!("the case does not build:\n{}", msgs.join("\n")))
    })?;
    // Overlays derived from the base (`emit::derive`) are exactly the rendered ones.
    let rendered = afc::emit::build_rendered(&a).map(|o| o.files);
    if rendered.as_ref() != Ok(&built) {
        let differ: Vec<&String> = match &rendered {
            Ok(r) => built
                .keys()
                .chain(r.keys())
                .filter(|k| built.get(*k) != r.get(*k))
                .collect(),
            Err(_) => Vec::new(),
        };
        return Err(format!("derived and rendered overlays differ: {differ:?}").into());
    }
    Ok(built)
}

fn read_expected(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(
                rel,
                std::fs::read_to_string(entry.path()).unwrap_or_default(),
            );
        }
    }
    out
}

fn check_case(dir: &Path) -> Result<(), Failed> {
    let files = afc::cli::workspace::load(dir).map_err(|e| format!("unreadable case: {e:?}"))?;
    let mut reversed = files.clone();
    reversed.reverse();
    let actual = build(files)?;
    if build(reversed)? != actual {
        return Err("the output depends on the order of the files".into());
    }
    for (path, text) in &actual {
        if path.ends_with(".yaml") {
            // Every document of every file (a file may hold several) is a map or a list.
            for doc in serde_yaml::Deserializer::from_str(text) {
                match <serde_yaml::Value as serde::Deserialize>::deserialize(doc) {
                    Ok(serde_yaml::Value::Mapping(_) | serde_yaml::Value::Sequence(_)) => {}
                    Ok(other) => return Err(format!("{path}: not a mapping: {other:?}").into()),
                    Err(e) => return Err(format!("{path}: YAML error: {e}").into()),
                }
            }
        }
    }
    let expected_dir = dir.join("expected");
    if std::env::var_os("AFC_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        for (path, text) in &actual {
            let p = expected_dir.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot bless: {e}"))?;
            }
            std::fs::write(&p, text).map_err(|e| format!("cannot bless {}: {e}", p.display()))?;
        }
        return Ok(());
    }
    let expected = read_expected(&expected_dir);
    let mut report = String::new();
    let mut paths: Vec<&String> = expected.keys().chain(actual.keys()).collect();
    paths.sort();
    paths.dedup();
    for p in paths {
        let (e, a) = (
            expected.get(p).map_or("", String::as_str),
            actual.get(p).map_or("", String::as_str),
        );
        if e != a || expected.contains_key(p) != actual.contains_key(p) {
            let diff = similar::TextDiff::from_lines(e, a);
            report.push_str(
                &diff
                    .unified_diff()
                    .header(&format!("expected/{p}"), &format!("actual/{p}"))
                    .to_string(),
            );
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} differs (AFC_BLESS=1 to accept):\n{report}",
            expected_dir.display()
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let cases = files::case_dirs("build");
    assert!(cases.len() >= 2, "testdata/build/ has too few cases");
    let trials = cases
        .into_iter()
        .map(|dir| {
            let name = format!(
                "build::{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            Trial::test(name, move || check_case(&dir))
        })
        .chain([Trial::test("build::example_derived_is_rendered", || {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures");
            let files = afc::cli::workspace::load(&dir).map_err(|e| format!("{e:?}"))?;
            build(files).map(|_| ())
        })])
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
