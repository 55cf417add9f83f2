//! `kubectl kustomize` for the tests that check afc's trees against the real tool.

use std::path::Path;
use std::process::Command;

/// `kubectl kustomize DIR`: stdout; fails on a non-zero exit or any stderr output.
pub fn kustomize(dir: &Path) -> String {
    let o = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success(),
        "kubectl kustomize {} failed:\n{stderr}",
        dir.display()
    );
    assert!(
        stderr.trim().is_empty(),
        "kubectl kustomize {} warned:\n{stderr}",
        dir.display()
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}
