//! `afc build` as a user meets it: exit codes, the default output path, byte-identical
//! rebuilds (any thread count), all-or-nothing writes, refusing a directory afc does not
//! own, and `--check` catching a hand edit with a readable diff.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn example() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/alternatefutures"
    ))
}

/// A copy of the example workspace in a fresh temporary directory.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for entry in walkdir::WalkDir::new(example())
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(example()).expect("inside");
        let to = tmp.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    tmp
}

fn afc(args: &[&str], dir: &Path, threads: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_afc"));
    c.args(args).current_dir(dir).env("NO_COLOR", "1");
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    c.output().expect("afc runs")
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("readable"))
        })
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn builds_into_the_platform_path_byte_identically() {
    let ws = workspace();
    let first = afc(&["build", "."], ws.path(), None);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = ws.path().join("deploy");
    let a = tree(&out);
    assert!(a.contains_key(".afc-output"));
    assert!(a.contains_key("base/kustomization.yaml"));
    assert!(a.contains_key("overlays/staging/kustomization.yaml"));
    assert!(a.contains_key("overlays/production/kustomization.yaml"));
    // The marker lists every file.
    let marker = text(&a[".afc-output"]);
    for path in a.keys().filter(|p| *p != ".afc-output") {
        assert!(
            marker.lines().any(|l| l == path),
            "{path} not in the marker"
        );
    }
    // Again, with one thread: nothing changes, nothing is rewritten.
    let second = afc(&["build", "."], ws.path(), Some("1"));
    assert!(second.status.success());
    assert!(
        text(&second.stderr).contains("up to date"),
        "{}",
        text(&second.stderr)
    );
    assert_eq!(tree(&out), a);
    // A fresh build with one thread into another directory is byte-identical.
    let other = ws.path().join("other");
    let third = afc(&["build", ".", "-o", "other"], ws.path(), Some("1"));
    assert!(third.status.success());
    assert_eq!(tree(&other), a);
    // The output is never read back as part of the workspace.
    let check = afc(&["check", "."], ws.path(), None);
    assert!(check.status.success(), "{}", text(&check.stderr));
}

/// A rebuild links the files that did not change to the previous tree's (same inode:
/// nothing written, no new inode) and writes the ones that did; the tree is what a fresh
/// build writes.
#[cfg(unix)]
#[test]
fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let ws = workspace();
    assert!(afc(&["build", "."], ws.path(), None).status.success());
    let out = ws.path().join("deploy");
    let inode = |rel: &str| std::fs::metadata(out.join(rel)).expect(rel).ino();
    let base = inode("base/resources.yaml");
    let staging = inode("overlays/staging/kustomization.yaml");
    let staging_text =
        std::fs::read(out.join("overlays/staging/kustomization.yaml")).expect("read");
    let envs = ws.path().join("environments.af");
    let src = std::fs::read_to_string(&envs).expect("environments.af");
    std::fs::write(
        &envs,
        src.replace(
            "backend.env.GRAPHQL_PLAYGROUND = \"true\"",
            "backend.env.GRAPHQL_PLAYGROUND = \"false\"",
        ),
    )
    .expect("write");
    let rebuilt = afc(&["build", "."], ws.path(), None);
    assert!(rebuilt.status.success(), "{}", text(&rebuilt.stderr));
    assert_eq!(
        inode("base/resources.yaml"),
        base,
        "an unchanged file was rewritten"
    );
    assert_ne!(
        inode("overlays/staging/kustomization.yaml"),
        staging,
        "a changed file was kept"
    );
    assert_ne!(
        std::fs::read(out.join("overlays/staging/kustomization.yaml")).expect("read"),
        staging_text
    );
    let fresh = afc(&["build", ".", "-o", "fresh"], ws.path(), None);
    assert!(fresh.status.success());
    assert_eq!(tree(&out), tree(&ws.path().join("fresh")));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let ws = workspace();
    assert!(afc(&["build", "."], ws.path(), None).status.success());
    let out = ws.path().join("deploy");
    let before = tree(&out);
    let services = ws.path().join("services.af");
    let src = std::fs::read_to_string(&services).expect("services.af");
    std::fs::write(
        &services,
        src.replace("port    = 4000", "port    = 4000\n  replica = 3"),
    )
    .expect("write");
    let failed = afc(&["build", "."], ws.path(), None);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    assert!(text(&failed.stderr).contains("AF1002"));
    assert_eq!(tree(&out), before);
    // Nothing is left behind beside the output either.
    let leftovers: Vec<_> = std::fs::read_dir(ws.path())
        .expect("readable")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".afc-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_directory_with_foreign_files_is_never_wiped() {
    let ws = workspace();
    let out = ws.path().join("deploy");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("notes.md"), "mine").expect("write");
    let o = afc(&["build", "."], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("AF4001") && err.contains("notes.md"), "{err}");
    assert_eq!(tree(&out).len(), 1);

    // The same for a file added to afc's own tree.
    std::fs::remove_file(out.join("notes.md")).expect("rm");
    assert!(afc(&["build", "."], ws.path(), None).status.success());
    std::fs::write(out.join("base/extra.yaml"), "kind: Mine\n").expect("write");
    let before = tree(&out);
    let o = afc(&["build", "."], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("base/extra.yaml"));
    assert_eq!(tree(&out), before);

    // An output path that is a file.
    std::fs::write(ws.path().join("afile"), "x").expect("write");
    let o = afc(&["build", ".", "-o", "afile"], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("AF4001"));
}

#[test]
fn check_catches_a_hand_edit_with_a_diff() {
    let ws = workspace();
    let missing = afc(&["build", ".", "--check"], ws.path(), None);
    assert_eq!(missing.status.code(), Some(1), "no output yet is stale");
    assert!(afc(&["build", "."], ws.path(), None).status.success());
    let clean = afc(&["build", ".", "--check"], ws.path(), None);
    assert!(clean.status.success(), "{}", text(&clean.stderr));

    let file = ws.path().join("deploy/base/resources.yaml");
    let src = std::fs::read_to_string(&file).expect("deployment");
    std::fs::write(&file, src.replacen("replicas: 2", "replicas: 5", 1)).expect("write");
    let before = tree(&ws.path().join("deploy"));
    let o = afc(&["build", ".", "--check"], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    let diff = text(&o.stdout);
    assert!(
        diff.contains("--- deploy/base/resources.yaml (committed)"),
        "{diff}"
    );
    assert!(
        diff.contains("+++ deploy/base/resources.yaml (built)"),
        "{diff}"
    );
    assert!(
        diff.contains("-  replicas: 5") && diff.contains("+  replicas: 2"),
        "{diff}"
    );
    assert!(text(&o.stderr).contains("AF4002"));
    assert_eq!(
        tree(&ws.path().join("deploy")),
        before,
        "--check writes nothing"
    );

    // A file the build does not make and a file it makes that is gone: every differing
    // file once, in path order, counted.
    std::fs::write(ws.path().join("deploy/base/extra.yaml"), "x: 1\n").expect("write");
    let overlay = std::fs::read_dir(ws.path().join("deploy/overlays"))
        .expect("overlays")
        .next()
        .expect("an environment")
        .expect("entry")
        .path()
        .join("kustomization.yaml");
    std::fs::remove_file(&overlay).expect("remove");
    let o = afc(&["build", ".", "--check"], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    let diff = text(&o.stdout);
    let headers: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .collect();
    let env = overlay.parent().and_then(Path::file_name).expect("env");
    let gone = format!(
        "deploy/overlays/{}/kustomization.yaml",
        env.to_string_lossy()
    );
    assert_eq!(
        headers,
        [
            "--- deploy/base/extra.yaml (committed)".to_string(),
            "+++ /dev/null (not built)".to_string(),
            "--- deploy/base/resources.yaml (committed)".to_string(),
            "+++ deploy/base/resources.yaml (built)".to_string(),
            "--- /dev/null (missing)".to_string(),
            format!("+++ {gone} (built)"),
        ],
        "{diff}"
    );
    assert!(
        text(&o.stderr).contains("3 files differ"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn json_errors_for_output_conflicts() {
    let ws = workspace();
    std::fs::create_dir_all(ws.path().join("deploy")).expect("mkdir");
    std::fs::write(ws.path().join("deploy/x"), "x").expect("write");
    let o = afc(&["build", ".", "--format", "json"], ws.path(), None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v[0]["code"], "AF4001");
}

/// A sharded platform (shards are rendered and written side by side) builds to the same
/// bytes with one thread, two and the default; the marker lists every file.
#[test]
fn a_sharded_build_is_byte_identical_for_any_thread_count() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    for f in afc::generate::workspace(400) {
        let p = ws.join(&f.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, &f.text).expect("write");
    }
    let mut trees = Vec::new();
    for (dir, threads) in [("one", Some("1")), ("two", Some("2")), ("default", None)] {
        let o = afc(&["build", "ws", "-o", dir], tmp.path(), threads);
        assert!(o.status.success(), "{}", text(&o.stderr));
        trees.push(tree(&tmp.path().join(dir)));
    }
    let shards = trees[0]
        .keys()
        .filter(|p| p.starts_with("base/") && p.ends_with("/kustomization.yaml"))
        .count();
    assert!(shards > 4, "not sharded: {shards} bases");
    assert!(
        trees[0] == trees[1] && trees[0] == trees[2],
        "the output depends on the thread count"
    );
    let marker = text(&trees[0][".afc-output"]);
    assert_eq!(
        marker.lines().filter(|l| !l.starts_with('#')).count(),
        trees[0].len() - 1
    );
}
