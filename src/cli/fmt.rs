//! `afc fmt [PATH] [--check]`: formats every `.af` file of a workspace in place, or with
//! `--check` prints a unified diff of what would change and exits 1.

use super::fsutil::{real_path, write_atomic};
use super::workspace;
use std::io::Write;
use std::path::Path;

/// Runs the command; returns the exit code.
pub fn run(path: &Path, check: bool) -> i32 {
    let files = match workspace::load(path) {
        Ok(f) => f,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}", e.short());
            }
            return 2;
        }
    };
    // Refuse to format anything while a file has syntax errors: it could lose text.
    let a = crate::analyze(files);
    let syntax: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with("AF0"))
        .collect();
    if !syntax.is_empty() {
        let mut err = std::io::stderr().lock();
        for d in &syntax {
            let _ = writeln!(err, "{}", crate::diag::render::short(&a, d));
        }
        let _ = writeln!(
            err,
            "afc fmt: fix the syntax errors first; nothing was formatted"
        );
        return 1;
    }
    let mut changed = 0;
    let mut out = std::io::stdout().lock();
    for (i, f) in a.files.iter().enumerate() {
        if crate::stdlib::is_stdlib_path(&f.path) {
            continue;
        }
        let formatted = crate::fmt::format(&f.text, &a.asts[i]);
        if formatted == f.text {
            continue;
        }
        changed += 1;
        if check {
            let diff = similar::TextDiff::from_lines(&f.text, &formatted);
            let _ = write!(
                out,
                "{}",
                diff.unified_diff()
                    .header(&format!("a/{}", f.path), &format!("b/{}", f.path))
            );
            continue;
        }
        let target = real_path(path, &f.path);
        if let Err(e) = write_atomic(&target, formatted.as_bytes()) {
            eprintln!("{}: error[AF0009] cannot write: {e}", f.path);
            return 2;
        }
        eprintln!("formatted {}", f.path);
    }
    if check && changed > 0 {
        eprintln!("afc fmt: {changed} file(s) would be reformatted");
        return 1;
    }
    0
}
