//! `afc seal` end to end: the built binary against a copy of `examples/alternatefutures`
//! whose sealing certificate is replaced by one made in the test. What afc writes is
//! opened with RSA-OAEP and AES-GCM primitives used directly here (not afc's code); the
//! rest of each edited file must be byte-identical; the plaintext (a marker string)
//! must appear in no output and in no file.

mod seal_support;

#[path = "support/files.rs"]
mod files;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::{Oaep, RsaPrivateKey};
use seal_support as ts;
use sha2::Sha256;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The plaintext of every test: it must never show up outside a ciphertext.
const MARKER: &str = "afc-test-plaintext-5c1e9f77";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures")
}

/// A copy of the example whose certificate is the test key's.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    files::copy_dir(&example(), dir.path());
    std::fs::write(
        dir.path().join("certs/sealed-secrets.pem"),
        ts::cert_pem(ts::rsa_key()),
    )
    .expect("cert");
    dir
}

fn afc(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("afc runs");
    // afc may stop before it reads (a usage error): a broken pipe is fine.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("afc finishes")
}

fn seal(dir: &Path, secret: &str, env: Option<&str>, key: &str, extra: &[&str]) -> Output {
    let d = dir.to_str().expect("utf-8 path");
    let mut args = vec!["seal", d, "--secret", secret, "--key", key];
    if let Some(e) = env {
        args.extend(["--env", e]);
    }
    args.extend(extra);
    let out = afc(&args, MARKER.as_bytes());
    assert_no_marker_in_output(&out);
    out
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn assert_no_marker_in_output(out: &Output) {
    for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(!text(stream).contains(MARKER), "the plaintext is on {name}");
    }
}

/// No file under `dir` holds the plaintext, and no temporary file is left.
fn assert_no_marker_in_files(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read");
            assert!(
                !String::from_utf8_lossy(&bytes).contains(MARKER),
                "the plaintext is in {}",
                entry.path().display()
            );
            let name = entry.file_name().to_string_lossy();
            assert!(!name.starts_with(".afc-tmp"), "temporary file left: {name}");
        }
    }
}

/// Opens a ciphertext with the primitives themselves: `u16 BE n ‖ RSA-OAEP-SHA256(label)
/// ‖ AES-256-GCM(zero nonce, no AAD)`.
fn open_direct(key: &RsaPrivateKey, label: &str, value: &str) -> Option<Vec<u8>> {
    let raw = STANDARD.decode(value).ok()?;
    let n = usize::from(u16::from_be_bytes([*raw.first()?, *raw.get(1)?]));
    let session = key
        .decrypt(Oaep::new_with_label::<Sha256, _>(label), raw.get(2..2 + n)?)
        .ok()?;
    let cipher = Aes256Gcm::new_from_slice(&session).ok()?;
    cipher
        .decrypt(Nonce::from_slice(&[0u8; 12]), &raw[2 + n..])
        .ok()
}

/// The ciphertext at `secret.block.key` of the workspace, through afc's own reader.
fn sealed_value(dir: &Path, secret: &str, block: Option<&str>, key: &str) -> Option<String> {
    let a = afc::analyze(afc::cli::workspace::load(dir).expect("loads"));
    let s = a.sema.model.secrets.iter().find(|s| s.name == secret)?;
    s.sealed.get(&block.map(str::to_string))?.get(key).cloned()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).expect("read")
}

fn check_clean(dir: &Path) {
    let out = afc(&["check", dir.to_str().expect("utf-8")], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "afc check: {}",
        text(&out.stderr)
    );
}

#[test]
fn replaces_a_value_in_place_and_nothing_else() {
    let ws = workspace();
    let dir = ws.path();
    let before = read(dir, "secrets.af");
    let old = sealed_value(dir, "jwt", Some("staging"), "JWT_SECRET").expect("old value");
    std::fs::set_permissions(
        dir.join("secrets.af"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let out = seal(dir, "jwt", Some("staging"), "JWT_SECRET", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("for af-staging/jwt (strict)"),
        "{}",
        text(&out.stderr)
    );
    let new = sealed_value(dir, "jwt", Some("staging"), "JWT_SECRET").expect("new value");
    assert_ne!(new, old);
    assert_eq!(before.matches(&old).count(), 1);
    assert_eq!(
        read(dir, "secrets.af"),
        before.replacen(&old, &new, 1),
        "other bytes changed"
    );
    // The 4096-bit test key, the controller's default: a 512-byte RSA block.
    let raw = STANDARD.decode(&new).expect("standard base64");
    assert_eq!(&raw[..2], &[0x02, 0x00]);
    assert_eq!(raw.len(), 2 + 512 + MARKER.len() + 16);
    let key = ts::rsa_key();
    assert_eq!(
        open_direct(key, "af-staging/jwt", &new).as_deref(),
        Some(MARKER.as_bytes())
    );
    // Bound to its namespace and name: not production's, not another secret's.
    for other in [
        "af-production/jwt",
        "af-staging/db-credentials",
        "af-staging",
        "",
    ] {
        assert_eq!(open_direct(key, other, &new), None, "opens as {other}");
    }
    // Other files are untouched; the file keeps its permissions; the example checks.
    for f in ["platform.af", "environments.af", "services.af", "data.af"] {
        assert_eq!(
            read(dir, f),
            std::fs::read_to_string(example().join(f)).expect("read"),
            "{f}"
        );
    }
    let mode = std::fs::metadata(dir.join("secrets.af"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    check_clean(dir);
    assert_no_marker_in_files(dir);
}

#[test]
fn adds_a_key_to_an_existing_block() {
    let ws = workspace();
    let dir = ws.path();
    let before = read(dir, "secrets.af");
    let out = seal(dir, "jwt", Some("production"), "JWT_REFRESH", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Longer than `JWT_SECRET`: one space before `=`, and a note that `afc fmt` realigns.
    assert!(
        text(&out.stderr).contains("`afc fmt` realigns them"),
        "{}",
        text(&out.stderr)
    );
    let new = sealed_value(dir, "jwt", Some("production"), "JWT_REFRESH").expect("added");
    let after = read(dir, "secrets.af");
    // Exactly one line inserted, with the block's indentation, right below the last key.
    let prod_key = sealed_value(dir, "jwt", Some("production"), "JWT_SECRET").expect("kept");
    let anchor = format!("    JWT_SECRET = \"{prod_key}\"\n");
    assert_eq!(
        after,
        before.replacen(
            &anchor,
            &format!("{anchor}    JWT_REFRESH = \"{new}\"\n"),
            1
        )
    );
    assert_eq!(
        open_direct(ts::rsa_key(), "af-production/jwt", &new).as_deref(),
        Some(MARKER.as_bytes())
    );
    check_clean(dir);
    assert_no_marker_in_files(dir);
}

#[test]
fn adds_a_block_for_a_new_environment() {
    let ws = workspace();
    let dir = ws.path();
    // A new environment: the secrets have no `sealed dev` block yet (an error that
    // sealing fixes, so it does not stop afc).
    let envs =
        read(dir, "environments.af") + "\nenv dev {\n  domain = \"dev.alternatefutures.ai\"\n}\n";
    std::fs::write(dir.join("environments.af"), envs).expect("write");
    // A third environment needs two more agents (AF4014, the cluster's capacity).
    let platform = read(dir, "platform.af");
    assert!(platform.contains("agents          = 2"));
    std::fs::write(
        dir.join("platform.af"),
        platform.replace("agents          = 2", "agents          = 4"),
    )
    .expect("write");
    let before = read(dir, "secrets.af");
    let out = seal(dir, "jwt", Some("dev"), "JWT_SECRET", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let new = sealed_value(dir, "jwt", Some("dev"), "JWT_SECRET").expect("added");
    let prod_key = sealed_value(dir, "jwt", Some("production"), "JWT_SECRET").expect("kept");
    let anchor = format!("    JWT_SECRET = \"{prod_key}\"\n  }}\n");
    assert_eq!(
        read(dir, "secrets.af"),
        before.replacen(
            &anchor,
            &format!("{anchor}  sealed dev {{\n    JWT_SECRET = \"{new}\"\n  }}\n"),
            1
        )
    );
    // The default namespace is `<platform>-<env>`.
    assert_eq!(
        open_direct(ts::rsa_key(), "alternatefutures-dev/jwt", &new).as_deref(),
        Some(MARKER.as_bytes())
    );
    assert_no_marker_in_files(dir);
}

#[test]
fn keeps_crlf_line_endings() {
    let ws = workspace();
    let dir = ws.path();
    let crlf = read(dir, "secrets.af").replace('\n', "\r\n");
    std::fs::write(dir.join("secrets.af"), &crlf).expect("write");
    let out = seal(dir, "db-credentials", Some("staging"), "host", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = read(dir, "secrets.af");
    let new = sealed_value(dir, "db-credentials", Some("staging"), "host").expect("added");
    let pw = sealed_value(dir, "db-credentials", Some("staging"), "password").expect("kept");
    let anchor = format!("    password = \"{pw}\"\r\n");
    // `username` and `password` align their `=`: the new key is padded to match.
    assert_eq!(
        after,
        crlf.replacen(&anchor, &format!("{anchor}    host     = \"{new}\"\r\n"), 1)
    );
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    assert_eq!(
        open_direct(ts::rsa_key(), "af-staging/db-credentials", &new).as_deref(),
        Some(MARKER.as_bytes())
    );
}

#[test]
fn a_symbolic_link_stays_a_link() {
    let ws = workspace();
    let dir = ws.path();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let real = elsewhere.path().join("secrets.af");
    std::fs::rename(dir.join("secrets.af"), &real).expect("move");
    std::os::unix::fs::symlink(&real, dir.join("secrets.af")).expect("symlink");
    let out = seal(dir, "jwt", Some("staging"), "JWT_SECRET", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let meta = std::fs::symlink_metadata(dir.join("secrets.af")).expect("meta");
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let v = sealed_value(dir, "jwt", Some("staging"), "JWT_SECRET").expect("value");
    assert!(std::fs::read_to_string(&real).expect("read").contains(&v));
    assert_no_marker_in_files(elsewhere.path());
}

#[test]
fn raw_prints_the_ciphertext_and_edits_nothing() {
    let ws = workspace();
    let dir = ws.path();
    let before = read(dir, "secrets.af");
    let out = seal(dir, "jwt", Some("production"), "JWT_SECRET", &["--raw"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let ct = printed.strip_suffix('\n').expect("one line");
    assert!(!ct.contains('\n'));
    assert_eq!(
        open_direct(ts::rsa_key(), "af-production/jwt", ct).as_deref(),
        Some(MARKER.as_bytes())
    );
    assert_eq!(read(dir, "secrets.af"), before);
}

#[test]
fn from_file_and_scopes() {
    let ws = workspace();
    let dir = ws.path();
    let extra = "secret shared {\n  scope = namespace-wide\n}\n\nsecret global {\n  scope = cluster-wide\n}\n";
    std::fs::write(dir.join("more.af"), extra).expect("write");
    let value_dir = tempfile::tempdir().expect("tempdir");
    let value_file = value_dir.path().join("value");
    std::fs::write(&value_file, "binary\0value\n").expect("write");
    let vf = value_file.to_str().expect("utf-8");
    let out = seal(
        dir,
        "shared",
        Some("staging"),
        "TOKEN",
        &["--from-file", vf],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The trailing line break is sealed as given, with a note.
    assert!(
        text(&out.stderr).contains("ends with a line break"),
        "{}",
        text(&out.stderr)
    );
    let v = sealed_value(dir, "shared", Some("staging"), "TOKEN").expect("sealed");
    let key = ts::rsa_key();
    assert_eq!(
        open_direct(key, "af-staging", &v).as_deref(),
        Some(&b"binary\0value\n"[..])
    );
    assert_eq!(open_direct(key, "af-staging/shared", &v), None);
    // Cluster-wide: no `--env`, the unlabelled block, the empty label.
    let out = seal(dir, "global", None, "TOKEN", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("any namespace (cluster-wide)"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        read(dir, "more.af")
            .contains("secret global {\n  scope = cluster-wide\n  sealed {\n    TOKEN = \"")
    );
    let v = sealed_value(dir, "global", None, "TOKEN").expect("sealed");
    assert_eq!(open_direct(key, "", &v).as_deref(), Some(MARKER.as_bytes()));
    assert_no_marker_in_files(dir);
}

#[test]
fn a_certificate_given_on_the_command_line_wins() {
    let ws = workspace();
    let dir = ws.path();
    let certs = tempfile::tempdir().expect("tempdir");
    let other = certs.path().join("other.pem");
    std::fs::write(&other, ts::cert_pem(ts::other_rsa_key())).expect("write");
    let out = seal(
        dir,
        "jwt",
        Some("staging"),
        "JWT_SECRET",
        &["--raw", "--cert", other.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ct = text(&out.stdout);
    let ct = ct.trim_end();
    // A 2048-bit key: a 256-byte RSA block.
    assert_eq!(&STANDARD.decode(ct).expect("base64")[..2], &[0x01, 0x00]);
    assert_eq!(
        open_direct(ts::other_rsa_key(), "af-staging/jwt", ct).as_deref(),
        Some(MARKER.as_bytes())
    );
    assert_eq!(open_direct(ts::rsa_key(), "af-staging/jwt", ct), None);
}

/// Runs a seal that must be refused: exit code, code in stderr, nothing changed.
fn refused(dir: &Path, args: &[&str], exit: i32, code: &str) -> String {
    let before: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    let mut all = vec!["seal", dir.to_str().expect("utf-8")];
    all.extend(args);
    let out = afc(&all, MARKER.as_bytes());
    assert_no_marker_in_output(&out);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(exit), "{args:?}: {err}");
    assert!(err.contains(code), "{args:?}: expected {code} in {err}");
    for (p, bytes) in before {
        assert_eq!(
            std::fs::read(&p).expect("read"),
            bytes,
            "{} changed",
            p.display()
        );
    }
    assert_no_marker_in_files(dir);
    err
}

#[test]
fn refusals_of_the_request() {
    let ws = workspace();
    let dir = ws.path();
    let e = refused(
        dir,
        &["--secret", "jtw", "--env", "staging", "--key", "K"],
        1,
        "error[AF4050]",
    );
    assert!(e.contains("did you mean `jwt`?"), "{e}");
    refused(
        dir,
        &["--secret", "backend", "--env", "staging", "--key", "K"],
        1,
        "error[AF4050]",
    );
    refused(
        dir,
        &["--secret", "jwt", "--env", "staging", "--key", "jwt-secret"],
        1,
        "error[AF4051]",
    );
    let e = refused(
        dir,
        &["--secret", "jwt", "--env", "prod", "--key", "K"],
        1,
        "error[AF4052]",
    );
    assert!(e.contains("did you mean `production`?"), "{e}");
    refused(dir, &["--secret", "jwt", "--key", "K"], 1, "error[AF4053]");
    // Usage errors: exit 2.
    refused(dir, &["--env", "staging", "--key", "K"], 2, "--secret");
    refused(
        dir,
        &["--secret", "jwt", "--key", "K", "--verify-with", "k.pem"],
        2,
        "cannot be used with",
    );
}

#[test]
fn refusals_of_the_certificate() {
    let ws = workspace();
    let dir = ws.path();
    let cert = dir.join("certs/sealed-secrets.pem");
    let args = ["--secret", "jwt", "--env", "staging", "--key", "JWT_SECRET"];
    std::fs::write(&cert, ts::expired_cert_pem(ts::rsa_key())).expect("write");
    let e = refused(dir, &args, 1, "error[AF4056]");
    assert!(e.contains("certs/sealed-secrets.pem` expired on"), "{e}");
    std::fs::write(&cert, ts::ed25519_cert_pem(ts::rsa_key())).expect("write");
    let e = refused(dir, &args, 1, "error[AF4057]");
    assert!(e.contains("Ed25519"), "{e}");
    let key_pem = ts::rsa_key()
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .expect("pem");
    std::fs::write(&cert, key_pem.as_bytes()).expect("write");
    refused(dir, &args, 1, "error[AF4055]");
    std::fs::remove_file(&cert).expect("rm");
    let e = refused(dir, &args, 2, "error[AF0009]");
    assert!(
        e.contains("cannot read certificate `certs/sealed-secrets.pem`"),
        "{e}"
    );
    // No `sealing_cert` and no `--cert`.
    let platform =
        read(dir, "platform.af").replace("  sealing_cert    = \"certs/sealed-secrets.pem\"\n", "");
    std::fs::write(dir.join("platform.af"), platform).expect("write");
    refused(dir, &args, 1, "error[AF4054]");
}

#[test]
fn refusals_of_the_input() {
    let ws = workspace();
    let dir = ws.path();
    let d = dir.to_str().expect("utf-8");
    let out = afc(
        &[
            "seal", d, "--secret", "jwt", "--env", "staging", "--key", "K",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the value is empty"),
        "{}",
        text(&out.stderr)
    );
    let missing = dir.join("no-such-value");
    let out = afc(
        &[
            "seal",
            d,
            "--secret",
            "jwt",
            "--env",
            "staging",
            "--key",
            "K",
            "--from-file",
            missing.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error[AF0009]"),
        "{}",
        text(&out.stderr)
    );
    // A workspace with errors: its diagnostics, then the refusal.
    std::fs::write(
        dir.join("broken.af"),
        "service broken {\n  image = \"ghcr.io/x/y:1\"\n  port = 80\n  replica = 3\n}\n",
    )
    .expect("write");
    let e = refused(
        dir,
        &["--secret", "jwt", "--env", "staging", "--key", "JWT_SECRET"],
        1,
        "error[AF4058]",
    );
    assert!(e.contains("AF1002"), "{e}");
}

/// A terminal on standard input is refused (typing the value would echo it). Needs
/// util-linux `script` for the pseudo-terminal; without it the test says so and passes.
#[test]
fn a_terminal_on_stdin_is_refused() {
    if Command::new("script").arg("--version").output().is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "seal: SKIPPED a_terminal_on_stdin_is_refused: no `script`"
        );
        return;
    }
    let ws = workspace();
    let cmd = format!(
        "{} seal {} --secret jwt --env staging --key JWT_SECRET",
        env!("CARGO_BIN_EXE_afc"),
        ws.path().display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("which is a terminal"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        read(ws.path(), "secrets.af"),
        std::fs::read_to_string(example().join("secrets.af")).expect("read")
    );
}

/// Seals every value of the example with the test key, then `--verify-with` opens them.
#[test]
fn verify_with_a_private_key() {
    let ws = workspace();
    let dir = ws.path();
    let d = dir.to_str().expect("utf-8");
    let keys = tempfile::tempdir().expect("tempdir");
    let key_file = keys.path().join("key.pem");
    std::fs::write(
        &key_file,
        ts::rsa_key()
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .expect("pem")
            .as_bytes(),
    )
    .expect("write");
    let kf = key_file.to_str().expect("utf-8");
    // The example's own values were sealed for another controller: none opens.
    let out = afc(&["seal", d, "--verify-with", kf], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).matches("error[AF4059]").count(),
        6,
        "{}",
        text(&out.stdout)
    );
    for (secret, keys) in [
        ("db-credentials", ["username", "password"].as_slice()),
        ("jwt", &["JWT_SECRET"]),
    ] {
        for env in ["staging", "production"] {
            for key in keys {
                let out = seal(dir, secret, Some(env), key, &[]);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            }
        }
    }
    let out = afc(&["seal", d, "--verify-with", kf], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout).matches(": ok ").count(),
        6,
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("all 6 sealed values open"),
        "{}",
        text(&out.stderr)
    );
    assert_no_marker_in_output(&out);
    // A staging value pasted into production is named as such.
    let stg = sealed_value(dir, "jwt", Some("staging"), "JWT_SECRET").expect("value");
    let prod = sealed_value(dir, "jwt", Some("production"), "JWT_SECRET").expect("value");
    std::fs::write(
        dir.join("secrets.af"),
        read(dir, "secrets.af").replacen(&prod, &stg, 1),
    )
    .expect("write");
    let out = afc(&["seal", d, "--verify-with", kf], b"");
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("error[AF4059] jwt.JWT_SECRET [production] does not open as af-production/jwt (strict): it was sealed for af-staging/jwt (strict)"),
        "{report}"
    );
    assert!(report.starts_with("secrets.af:"), "{report}");
    assert!(
        text(&out.stderr).contains("5 of 6 sealed values open"),
        "{}",
        text(&out.stderr)
    );
    // Not a private key.
    let cert = dir.join("certs/sealed-secrets.pem");
    let out = afc(
        &["seal", d, "--verify-with", cert.to_str().expect("utf-8")],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error[AF4060]"),
        "{}",
        text(&out.stderr)
    );
    assert_no_marker_in_files(dir);
}
