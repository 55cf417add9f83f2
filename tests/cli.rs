//! `afc` as a user meets it: exit codes, stdout and stderr of each command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn afc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("afc runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> String {
    root()
        .join("examples/alternatefutures")
        .display()
        .to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn workspace(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    dir
}

const PLATFORM: &[u8] = b"platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n";

#[test]
fn the_example_checks_clean_and_silent() {
    let out = afc(&["check", &example()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn errors_exit_1_with_code_and_place() {
    let dir = workspace(&[(
        "main.af",
        b"platform demo {\n  repo = \"https://example.com/demo.git\"\n  revison = \"main\"\n}\n",
    )]);
    let p = dir.path().display().to_string();
    let out = afc(&["check", &p]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[AF1002]")
            && err.contains("main.af:3:3")
            && err.contains("did you mean `revision`?"),
        "{err}"
    );
    let out = afc(&["check", &p, "--format", "short"]);
    assert_eq!(
        text(&out.stdout),
        "main.af:3:3: error[AF1002] unknown attribute `revison` in a `platform`\n"
    );
    let out = afc(&["check", &p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["code"], "AF1002");
    assert_eq!(v[0]["at"]["line"], 3);
    assert_eq!(
        v[0]["message"],
        "unknown attribute `revison` in a `platform`"
    );
    assert_eq!(v[0]["at"]["column"], 3);
    assert_eq!(v[0]["at"]["file"], "main.af");
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = workspace(&[(
        "main.af",
        b"platform demo {\n  repo = \"https://example.com/demo.git\"\n}\ncluster spare {\n}\n",
    )]);
    let p = dir.path().display().to_string();
    let out = afc(&["check", &p]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("[AF2004]"));
    assert_eq!(
        afc(&["check", &p, "--deny-warnings"]).status.code(),
        Some(1)
    );
}

#[test]
fn non_utf8_is_an_input_error_with_file_and_offset() {
    let mut body = PLATFORM.to_vec();
    body.extend_from_slice(b"// caf\xe9\n");
    let dir = workspace(&[("bad.af", &body)]);
    let out = afc(&[
        "check",
        &dir.path().display().to_string(),
        "--format",
        "short",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let s = text(&out.stdout);
    assert!(
        s.starts_with("bad.af:4:7: error[AF0008]")
            && s.contains(&format!("offset {}", PLATFORM.len() + 6)),
        "{s}"
    );
}

#[test]
fn missing_path_and_empty_workspace_are_input_errors() {
    let out = afc(&["check", "/nonexistent/afc-test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[AF0009]"));
    let dir = workspace(&[("README.md", b"no af here")]);
    let out = afc(&["check", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no `.af` files"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(afc(&["check", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(afc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(afc(&["explain", "AF9999"]).status.code(), Some(2));
}

#[test]
fn hidden_target_and_output_directories_are_skipped() {
    let dir = workspace(&[
        ("main.af", PLATFORM),
        (".git/bad.af", b"garbage {{{"),
        ("target/bad.af", b"garbage {{{"),
        ("deploy/.afc-output", b""),
        ("deploy/bad.af", b"garbage {{{"),
        ("nested/more/ok.af", b"cluster main {\n}\nenv dev {\n}\n"),
    ]);
    let out = afc(&["check", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn file_order_does_not_change_the_result() {
    let a = workspace(&[
        ("a.af", PLATFORM),
        (
            "b.af",
            b"service x {\n  port = 1\n}\nservice x {\n  port = 2\n}\n",
        ),
    ]);
    let out1 = afc(&["check", &a.path().display().to_string(), "--format", "json"]);
    let out2 = afc(&["check", &a.path().display().to_string(), "--format", "json"]);
    assert_eq!(out1.stdout, out2.stdout);
    assert_eq!(out1.status.code(), Some(1));
}

#[test]
fn graph_mermaid_shows_every_edge_of_the_example() {
    let out = afc(&["graph", &example(), "--format", "mermaid"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for edge in [
        "auth -->|uses| platform_db",
        "auth -->|uses| sessions",
        "auth -->|uses| jwt",
        "backend -->|uses| platform_db",
        "backend -->|uses| auth",
        "backend -->|uses| jwt",
        "platform_db -->|credentials| db_credentials",
        "platform_db -->|engine| yugabytedb",
        "sessions -->|engine| redis",
        "staging -->|cluster| main",
        "production -->|cluster| main",
        "alternatefutures -->|policy| open_source",
    ] {
        assert!(s.contains(edge), "missing `{edge}` in:\n{s}");
    }
    assert!(s.starts_with("flowchart LR\n"));
}

#[test]
fn graph_dot_and_json() {
    let out = afc(&["graph", &example(), "--format", "dot"]);
    let s = text(&out.stdout);
    assert!(
        s.starts_with("digraph platform {")
            && s.contains("\"backend\" -> \"auth\" [label=\"uses\"];"),
        "{s}"
    );
    let out = afc(&["graph", &example(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let order: Vec<&str> = v["order"]
        .as_array()
        .expect("order")
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    let pos = |n: &str| order.iter().position(|x| *x == n).expect(n);
    assert!(pos("db-credentials") < pos("platform-db"));
    assert!(pos("platform-db") < pos("auth"));
    assert!(pos("auth") < pos("backend"));
}

#[test]
fn graph_refuses_a_broken_workspace() {
    let dir = workspace(&[("main.af", b"service a {\n  uses = [b]\n}\n")]);
    let out = afc(&["graph", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn explain_prints_a_page_by_code_or_name() {
    let out = afc(&["explain", "AF2003"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("# AF2003 dependency-cycle"));
    let out = afc(&["explain", "unknown-attribute"]);
    assert!(text(&out.stdout).starts_with("# AF1002"));
}

#[test]
fn a_plaintext_secret_is_never_printed() {
    let marker = "Plaintext-Marker-4711";
    let body = format!(
        "platform demo {{\n  repo = \"https://example.com/demo.git\"\n}}\nenv dev {{\n}}\nsecret s {{\n  sealed dev {{\n    K = \"{marker}\"\n    L = \"{marker}\\q\n  }}\n}}\nservice a {{\n  image = \"x:1\"\n  port = 1\n  uses = [s]\n}}\n"
    );
    let dir = workspace(&[("main.af", body.as_bytes())]);
    let p = dir.path().display().to_string();
    for format in ["human", "short", "json"] {
        let out = afc(&["check", &p, "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains("AF1013") || all.contains("AF0002"), "{all}");
        assert!(
            !all.contains(marker) && !all.contains("4711"),
            "{format} leaks:\n{all}"
        );
    }
}

#[test]
fn a_single_file_can_be_checked() {
    let p = root().join("testdata/check/ok-minimal/main.af");
    let out = afc(&["check", &p.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(Path::new(&p).exists());
}
