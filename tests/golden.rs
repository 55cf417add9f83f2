//! Golden tests for `afc check`: every directory `testdata/check/<case>/` is a workspace
//! whose expected diagnostics sit next to it in `expected.txt` — first one short line per
//! diagnostic (`file:line:col: severity[CODE] message`), then the graphical reports as a
//! person sees them (no colour, width 80). One test per case, found by glob.
//! `AFC_BLESS=1 cargo test --test golden` rewrites the expectations.

use afc::diag::render::{self, HumanOptions};
use libtest_mimic::{Arguments, Failed, Trial};

#[path = "support/files.rs"]
mod files;
use std::path::Path;

fn render_case(dir: &Path) -> String {
    // As the command line does: with the certificates the workspace names.
    let a = afc::cli::inputs::analyze_path(dir).expect("golden cases are readable");
    let mut out = String::new();
    for d in &a.diagnostics {
        out.push_str(&render::short(&a, d));
        out.push('\n');
    }
    if !a.diagnostics.is_empty() {
        out.push('\n');
    }
    for d in &a.diagnostics {
        out.push_str(render::human(&a, d, HumanOptions::default()).trim_end());
        out.push_str("\n\n");
    }
    out
}

fn check_case(dir: &Path) -> Result<(), Failed> {
    let actual = render_case(dir);
    let path = dir.join("expected.txt");
    if std::env::var_os("AFC_BLESS").is_some() {
        std::fs::write(&path, &actual)
            .map_err(|e| format!("cannot bless {}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header("expected.txt", "actual")
        .to_string();
    Err(format!(
        "{} differs (AFC_BLESS=1 to accept):\n{diff}",
        path.display()
    )
    .into())
}

fn main() {
    let args = Arguments::from_args();
    let trials = files::case_dirs("check")
        .into_iter()
        .map(|dir| {
            let name = format!(
                "check::{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            Trial::test(name, move || check_case(&dir))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
