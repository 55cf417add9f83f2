//! Inputs at and past afc's limits end in a coded diagnostic and exit 1 or 2 — never a
//! crash, a hang or a half-written output.

use std::path::Path;
use std::process::{Command, Output};

fn afc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .output()
        .expect("afc runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const PLATFORM: &str = "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("main.af"), PLATFORM).expect("write");
    dir
}

fn check(dir: &Path) -> Output {
    afc(&["check", &dir.display().to_string(), "--format", "short"])
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let dir = workspace();
    let big = " ".repeat(17 * 1024 * 1024);
    std::fs::write(dir.path().join("big.af"), big).expect("write");
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("big.af: error[AF0010]"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_symlink_loop_is_an_input_error() {
    let dir = workspace();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("symlink");
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("error[AF0009] symbolic link loop"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_dangling_link_is_an_input_error() {
    let dir = workspace();
    std::os::unix::fs::symlink(dir.path().join("nowhere.af"), dir.path().join("gone.af"))
        .expect("symlink");
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("error[AF0009]"), "{}", text(&out));
}

#[test]
fn deep_nesting_and_huge_numbers_are_coded_errors() {
    let dir = workspace();
    let deep = format!(
        "service a {{\n  image = \"x:1.0.0\"\n  port = 1\n  args = {}{}\n  replicas = 99999999999999999999999\n}}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    std::fs::write(dir.path().join("deep.af"), deep).expect("write");
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("error[AF0007]") && t.contains("error[AF1007]"),
        "{t}"
    );
}

#[test]
fn a_workspace_without_platform_is_a_coded_error() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("a.af"), "cluster main {\n}\n").expect("write");
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("a.af:1:1: error[AF1012]"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_output_directory_that_cannot_be_written_is_an_io_error() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures");
    let blocker = tempfile::NamedTempFile::new().expect("temp file");
    // A directory cannot be made inside a regular file.
    let target = blocker.path().join("deploy");
    let out = afc(&[
        "build",
        &example.display().to_string(),
        "-o",
        &target.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("[AF0009]"), "{}", text(&out));
    assert!(!target.exists());
}
