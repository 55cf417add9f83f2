//! `afc check --format sarif` against the SARIF 2.1.0 schema, with a real validator:
//! Python's `jsonschema` and the schema file of Microsoft's SARIF SDK
//! (`@microsoft/sarif-multitool-linux`, `sarif-2.1.0.json`), both installed by
//! `conformance/install` under `${AFC_TOOLS:-$HOME/.cache/afc-tools}`. Without them the
//! validation test prints a `conformance: SKIPPED` line and passes; the shape tests
//! below need nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn afc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("afc runs")
}

fn skip(test: &str, why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "conformance: SKIPPED {test}: {why}; run conformance/install"
    );
}

/// The Python with `jsonschema` and the schema file, when installed.
fn validator(test: &str) -> Option<(PathBuf, PathBuf)> {
    let root = std::env::var_os("AFC_TOOLS").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/afc-tools"),
        PathBuf::from,
    );
    let python = root.join("venv/bin/python");
    let schema = root.join("node/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    let has_jsonschema = python.exists()
        && Command::new(&python)
            .args(["-c", "import jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !has_jsonschema {
        skip(test, &format!("no Python jsonschema in {}", root.display()));
        return None;
    }
    if !schema.exists() {
        skip(test, &format!("no SARIF schema at {}", schema.display()));
        return None;
    }
    Some((python, schema))
}

const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
bad = 0
for path in sys.argv[2:]:
    doc = json.load(open(path))
    for e in sorted(v.iter_errors(doc), key=lambda e: e.json_path):
        bad += 1
        print(f"{path}: {e.json_path}: {e.message}")
print(f"{len(sys.argv) - 2} logs, {bad} schema errors")
sys.exit(1 if bad else 0)
"#;

/// Validates SARIF logs; `Ok` with the validator's report, or `Err` with it.
fn validate(python: &Path, schema: &Path, logs: &[PathBuf]) -> Result<String, String> {
    let out = Command::new(python)
        .arg("-c")
        .arg(VALIDATE)
        .arg(schema)
        .args(logs)
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// The SARIF logs of the example and of every failing golden case.
fn logs(dir: &Path) -> Vec<PathBuf> {
    let mut workspaces = vec![repo().join("examples/alternatefutures")];
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/check"))
        .expect("testdata/check")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    workspaces.extend(cases);
    let mut out = Vec::new();
    for (i, ws) in workspaces.iter().enumerate() {
        let o = afc(&["check", "--format", "sarif", &ws.display().to_string()]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{}: exit {:?}: {}",
            ws.display(),
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
        let p = dir.join(format!("{i:03}.sarif"));
        std::fs::write(&p, &o.stdout).expect("write log");
        out.push(p);
    }
    out
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let Some((python, schema)) = validator("sarif_output_validates_against_the_schema") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = logs(dir.path());
    assert!(logs.len() > 40, "only {} logs", logs.len());
    match validate(&python, &schema, &logs) {
        Ok(report) => assert!(report.contains(" 0 schema errors"), "{report}"),
        Err(report) => panic!("SARIF output does not validate:\n{report}"),
    }
    // The validator is not vacuous: a log with a level SARIF does not know fails.
    let broken = dir.path().join("broken.sarif");
    let text = std::fs::read_to_string(&logs[1])
        .expect("log")
        .replace("\"level\": \"error\"", "\"level\": \"fatal\"");
    assert!(text.contains("fatal"), "the second log has an error result");
    std::fs::write(&broken, text).expect("write");
    assert!(
        validate(&python, &schema, &[broken]).is_err(),
        "a broken log validated"
    );
}

#[test]
fn sarif_names_rules_places_and_paths_from_where_afc_runs() {
    let case = repo().join("testdata/check/af3010-license-denied");
    let o = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args([
            "check",
            "--format",
            "sarif",
            "testdata/check/af3010-license-denied",
        ])
        .current_dir(repo())
        .output()
        .expect("afc runs");
    assert_eq!(o.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "afc");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = usize::try_from(r["ruleIndex"].as_u64().expect("index")).expect("fits");
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "testdata/check/af3010-license-denied/main.af"
        );
        assert!(loc["region"]["startLine"].as_u64().expect("line") >= 1);
    }
    let denied = rules
        .iter()
        .find(|r| r["id"] == "AF3010")
        .expect("AF3010 is a rule");
    assert_eq!(denied["name"], "license-denied");
    assert!(
        denied["help"]["markdown"]
            .as_str()
            .expect("page")
            .starts_with("# AF3010 license-denied")
    );
    assert!(case.exists());
}

#[test]
fn github_annotations_name_file_line_and_title() {
    let o = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args([
            "check",
            "--format",
            "github",
            "testdata/check/af3041-missing-health",
        ])
        .current_dir(repo())
        .output()
        .expect("afc runs");
    assert_eq!(o.status.code(), Some(0), "warnings only");
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("::warning file=testdata/check/af3041-missing-health/main.af,line="),
            "{l}"
        );
        assert!(l.contains(",title=AF3041 missing-health::service `"), "{l}");
        assert!(!l[2..].contains('\n'));
    }
}
