//! `.pre-commit-hooks.yaml` with the real `pre-commit` (PyPI, installed by
//! `conformance/install` under `${AFC_TOOLS:-$HOME/.cache/afc-tools}`): a scratch git
//! repository holding the example platform installs the hooks from a hook repository
//! whose only commit is this checkout's `.pre-commit-hooks.yaml` (hooks `afc-check`,
//! `afc-fmt` and `afc-build-check`); a clean commit passes, and a commit adding a
//! BUSL-1.1 service is refused with the license rule's message. Without pre-commit the test prints a `conformance: SKIPPED` line and
//! passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skip(test: &str, why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "conformance: SKIPPED {test}: {why}; run conformance/install"
    );
}

fn pre_commit() -> Option<PathBuf> {
    let root = std::env::var_os("AFC_TOOLS").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/afc-tools"),
        PathBuf::from,
    );
    let p = root.join("venv/bin/pre-commit");
    p.exists().then_some(p)
}

/// PATH with the directory of the `afc` under test first (the hooks are
/// `language: system`).
fn path_with_afc() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_afc"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("PATH")
}

struct Sandbox {
    home: PathBuf,
    path: std::ffi::OsString,
}

impl Sandbox {
    fn run(&self, cwd: &Path, program: &Path, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(cwd)
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("PRE_COMMIT_HOME", self.home.join("pre-commit"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "afc test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "afc test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("runs")
    }

    fn git(&self, cwd: &Path, args: &[&str]) -> Output {
        self.run(cwd, Path::new("git"), args)
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

const VAULT: &str = "/// Secrets storage.\nservice vault {\n  image   = \"docker.io/hashicorp/vault:1.17.2\"\n  license = \"BUSL-1.1\"\n  port    = 8200\n  health  = \"/v1/sys/health\"\n}\n";

#[test]
fn hooks_pass_a_clean_commit_and_refuse_a_busl_service() {
    let test = "hooks_pass_a_clean_commit_and_refuse_a_busl_service";
    let Some(pre_commit) = pre_commit() else {
        skip(test, "no pre-commit");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = Sandbox {
        home: dir.path().join("home"),
        path: path_with_afc(),
    };
    std::fs::create_dir_all(&sandbox.home).expect("home");

    // The hook repository: this checkout's hooks file, committed.
    let hooks = dir.path().join("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::copy(
        repo().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .expect("copy hooks");
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &["commit", "-q", "-m", "hooks"],
    ] {
        let o = sandbox.git(&hooks, args);
        assert!(o.status.success(), "git {args:?}: {}", text(&o));
    }
    let rev = String::from_utf8_lossy(&sandbox.git(&hooks, &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string();

    // The platform repository: the example at its root, plus its built output.
    let ws = dir.path().join("platform");
    copy_dir(&repo().join("examples/alternatefutures"), &ws);
    let build = sandbox.run(&ws, Path::new(env!("CARGO_BIN_EXE_afc")), &["build", "."]);
    let with_build = build.status.success();
    let ids = if with_build {
        "[afc-check, afc-build-check]"
    } else {
        "[afc-check]"
    };
    if !with_build {
        skip(
            &format!("{test} (afc-build-check)"),
            &format!("`afc build` failed: {}", text(&build)),
        );
    }
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n{}",
        hooks.display(),
        if with_build {
            "      - id: afc-check\n      - id: afc-fmt\n      - id: afc-build-check\n"
        } else {
            "      - id: afc-check\n      - id: afc-fmt\n"
        }
    );
    std::fs::write(ws.join(".pre-commit-config.yaml"), config).expect("config");
    for args in [&["init", "-q", "-b", "main"][..], &["add", "."]] {
        let o = sandbox.git(&ws, args);
        assert!(o.status.success(), "git {args:?}: {}", text(&o));
    }
    let o = sandbox.run(&ws, &pre_commit, &["install"]);
    assert!(o.status.success(), "pre-commit install: {}", text(&o));

    // A clean commit passes.
    let o = sandbox.git(&ws, &["commit", "-m", "the platform"]);
    let out = text(&o);
    assert!(o.status.success(), "clean commit refused ({ids}):\n{out}");
    assert!(out.contains("afc check") && out.contains("Passed"), "{out}");
    assert!(out.contains("afc fmt"), "{out}");
    if with_build {
        assert!(out.contains("afc build --check"), "{out}");
    }

    // A BUSL-1.1 service is refused, with the rule's message.
    std::fs::write(ws.join("vault.af"), VAULT).expect("write");
    assert!(sandbox.git(&ws, &["add", "vault.af"]).status.success());
    let o = sandbox.git(&ws, &["commit", "-m", "add vault"]);
    let out = text(&o);
    assert!(
        !o.status.success(),
        "a BUSL-1.1 service was committed:\n{out}"
    );
    assert!(out.contains("afc check") && out.contains("Failed"), "{out}");
    assert!(out.contains("[AF3010]"), "{out}");
    // The human report wraps long messages, so look for the pieces.
    for piece in [
        "the image of service `vault`",
        "is licensed `BUSL-",
        "which policy `open-source` does not allow",
    ] {
        assert!(out.contains(piece), "no `{piece}` in:\n{out}");
    }
    let log = sandbox.git(&ws, &["log", "--oneline"]);
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).lines().count(),
        1,
        "only the clean commit"
    );
}
