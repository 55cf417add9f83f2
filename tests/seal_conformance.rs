//! `afc seal` against an independent implementation of the Sealed Secrets format: the
//! PyPI package `aes-gcm-rsa-oaep` (a kubeseal-compatible encryptor/decryptor built on
//! Python's `cryptography`), from the venv `conformance/install` makes. Both ways:
//! what afc seals opens in Python to the same plaintext (and only with its own label),
//! and what Python seals opens with `afc seal --verify-with`. Without the venv the test
//! says `conformance: SKIPPED` and passes.

mod seal_support;

#[path = "support/files.rs"]
mod files;

use rsa::pkcs8::EncodePrivateKey;
use seal_support as ts;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MARKER: &str = "afc-conformance-plaintext-3b8d20";

/// Reads JSON `{"key": PEM path, "open": [[label, b64]...], "seal": [[label, hex]...]}`
/// and prints `{"opened": [hex or null...], "sealed": [b64...]}`.
const SCRIPT: &str = r#"
import base64, json, sys
import aes_gcm_rsa_oaep as kubeseal
from cryptography.hazmat.primitives import serialization
req = json.load(sys.stdin)
with open(req["key"], "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
opened = []
for label, value in req["open"]:
    try:
        opened.append(kubeseal.decrypt(base64.b64decode(value), key, label=label.encode()).hex())
    except Exception:
        opened.append(None)
sealed = [
    base64.b64encode(kubeseal.encrypt(bytes.fromhex(p), key.public_key(), label=label.encode())).decode()
    for label, p in req["seal"]
]
json.dump({"opened": opened, "sealed": sealed}, sys.stdout)
"#;

fn python() -> Option<PathBuf> {
    let tools = std::env::var_os("AFC_TOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/afc-tools")))?;
    let py = tools.join("venv-crypto/bin/python");
    let ok = Command::new(&py)
        .args(["-c", "import aes_gcm_rsa_oaep, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(py)
}

fn afc(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("afc runs");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let out = child.wait_with_output().expect("afc finishes");
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(MARKER),
            "afc printed the plaintext"
        );
    }
    out
}

fn sealed_value(dir: &Path, secret: &str, block: Option<&str>, key: &str) -> String {
    let a = afc::analyze(afc::cli::workspace::load(dir).expect("loads"));
    let s = a
        .sema
        .model
        .secrets
        .iter()
        .find(|s| s.name == secret)
        .expect("secret");
    s.sealed[&block.map(str::to_string)][key].clone()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the Python side; returns (opened, sealed).
fn python_side(
    py: &Path,
    key: &Path,
    open: &[(&str, &str)],
    seal: &[(&str, &[u8])],
) -> (Vec<Option<String>>, Vec<String>) {
    let req = serde_json::json!({
        "key": key,
        "open": open.iter().map(|(l, v)| [l, v]).collect::<Vec<_>>(),
        "seal": seal.iter().map(|(l, p)| [l.to_string(), hex(p)]).collect::<Vec<_>>(),
    });
    let mut child = Command::new(py)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(req.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python finishes");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let opened = v["opened"]
        .as_array()
        .expect("opened")
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect();
    let sealed = v["sealed"]
        .as_array()
        .expect("sealed")
        .iter()
        .map(|x| x.as_str().expect("b64").to_string())
        .collect();
    (opened, sealed)
}

#[test]
fn afc_and_aes_gcm_rsa_oaep_open_each_others_values() {
    let Some(py) = python() else {
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "conformance: SKIPPED seal_conformance: no aes-gcm-rsa-oaep venv under ${{AFC_TOOLS:-$HOME/.cache/afc-tools}}/venv-crypto; run conformance/install"
        );
        return;
    };
    let ws = tempfile::tempdir().expect("tempdir");
    let dir = ws.path();
    files::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures"),
        dir,
    );
    let key = ts::rsa_key();
    std::fs::write(dir.join("certs/sealed-secrets.pem"), ts::cert_pem(key)).expect("cert");
    std::fs::write(
        dir.join("more.af"),
        "secret shared {\n  scope = namespace-wide\n}\n\nsecret global {\n  scope = cluster-wide\n}\n",
    )
    .expect("write");
    let keys = tempfile::tempdir().expect("tempdir");
    let key_file = keys.path().join("key.pem");
    std::fs::write(
        &key_file,
        key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .expect("pem")
            .as_bytes(),
    )
    .expect("key");
    let d = dir.to_str().expect("utf-8");

    // afc seals; Python opens.
    let run = |secret: &str, env: Option<&str>, k: &str| {
        let mut args = vec!["seal", d, "--secret", secret, "--key", k];
        if let Some(e) = env {
            args.extend(["--env", e]);
        }
        let out = afc(&args, MARKER.as_bytes());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("jwt", Some("staging"), "JWT_SECRET");
    run("shared", Some("production"), "TOKEN");
    run("global", None, "TOKEN");
    let jwt = sealed_value(dir, "jwt", Some("staging"), "JWT_SECRET");
    let shared = sealed_value(dir, "shared", Some("production"), "TOKEN");
    let global = sealed_value(dir, "global", None, "TOKEN");
    let open = [
        ("af-staging/jwt", jwt.as_str()),
        ("af-production/jwt", jwt.as_str()),
        ("af-production", shared.as_str()),
        ("af-staging", shared.as_str()),
        ("", global.as_str()),
        ("af-staging/global", global.as_str()),
    ];
    let want = Some(hex(MARKER.as_bytes()));
    let (opened, _) = python_side(&py, &key_file, &open, &[]);
    assert_eq!(
        opened,
        vec![want.clone(), None, want.clone(), None, want, None]
    );

    // Python seals every value of the example; afc --verify-with opens them all.
    let labels = [
        (
            "db-credentials",
            "staging",
            "username",
            "af-staging/db-credentials",
        ),
        (
            "db-credentials",
            "staging",
            "password",
            "af-staging/db-credentials",
        ),
        (
            "db-credentials",
            "production",
            "username",
            "af-production/db-credentials",
        ),
        (
            "db-credentials",
            "production",
            "password",
            "af-production/db-credentials",
        ),
        ("jwt", "staging", "JWT_SECRET", "af-staging/jwt"),
        ("jwt", "production", "JWT_SECRET", "af-production/jwt"),
    ];
    let seal: Vec<(&str, &[u8])> = labels
        .iter()
        .map(|(_, _, _, l)| (*l, MARKER.as_bytes()))
        .collect();
    let (_, sealed) = python_side(&py, &key_file, &[], &seal);
    let mut text = std::fs::read_to_string(dir.join("secrets.af")).expect("read");
    for ((secret, env, k, _), new) in labels.iter().zip(&sealed) {
        let old = sealed_value(dir, secret, Some(env), k);
        text = text.replacen(&old, new, 1);
    }
    std::fs::write(dir.join("secrets.af"), &text).expect("write");
    let kf = key_file.to_str().expect("utf-8");
    let out = afc(&["seal", d, "--verify-with", kf], b"");
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report.matches(": ok ").count(), 8, "{report}");
    // Python's staging value in production's place does not open there.
    let swapped = text.replacen(&sealed[5], &sealed[4], 1);
    std::fs::write(dir.join("secrets.af"), swapped).expect("write");
    let out = afc(&["seal", d, "--verify-with", kf], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("it was sealed for af-staging/jwt (strict)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
