//! `afc licenses [PATH] [--format table|json]`: every component of the platform (the
//! stack, each engine at its version, each workload's image) with its license and the
//! policy's verdict ([`crate::lint::licenses`]). Exit 1 when a license finding is an
//! error (as `afc check` would report it), 2 on input errors.

use super::{Color, Format, load, report};
use crate::diag::{Severity, code};
use crate::lint::licenses::{Component, Role};
use crate::lint::{Ctx, Options};
use std::path::PathBuf;

/// The arguments of `afc licenses`.
#[derive(clap::Args, Debug)]
pub(crate) struct LicensesArgs {
    /// The workspace directory (or one `.af` file).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// `table` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = LicensesFormat::Table)]
    format: LicensesFormat,
    /// Colour of diagnostics: auto, always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LicensesFormat {
    Table,
    Json,
}

/// What part of the platform a component is, for the table: `stack`, `cache sessions`.
fn part(a: &crate::Analysis, c: &Component) -> String {
    let kind_of = |name: &str| {
        a.sema
            .get(name)
            .map_or("workload", |d| d.kind.as_str())
            .to_string()
    };
    match &c.role {
        Role::Stack => "stack".into(),
        Role::Engine { of } | Role::Image { of } => format!("{} {of}", kind_of(of)),
    }
}

/// The component's name in the table: the stack's and engines' titles; an image's
/// repository.
fn name(c: &Component) -> String {
    match (&c.role, &c.image) {
        (Role::Image { .. }, Some(img)) => crate::lint::image::parse(img).repository.to_string(),
        _ => c.title.clone(),
    }
}

/// The table, one line per component (columns padded, no trailing spaces).
#[must_use]
pub fn table(a: &crate::Analysis, components: &[Component]) -> String {
    let with_envs = components.iter().any(|c| !c.envs.is_empty());
    let mut rows: Vec<Vec<String>> = vec![
        ["COMPONENT", "PART", "VERSION", "LICENSE", "VERDICT"]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
    ];
    if with_envs {
        rows[0].push("ENVS".into());
    }
    for c in components {
        let mut row = vec![
            name(c),
            part(a, c),
            c.version.clone().unwrap_or_else(|| "-".into()),
            c.license.clone().unwrap_or_else(|| "-".into()),
            c.verdict.word(),
        ];
        if with_envs {
            row.push(if c.envs.is_empty() {
                "all".into()
            } else {
                c.envs.join(", ")
            });
        }
        rows.push(row);
    }
    let cols = rows[0].len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < cols {
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs `afc licenses`.
pub(crate) fn run(args: &LicensesArgs) -> i32 {
    let a = match load(&args.path, Format::Human) {
        Ok(a) => a,
        Err(code) => return code,
    };
    // A workspace that does not check has no reliable model: show why, list nothing.
    if a.diagnostics
        .iter()
        .any(|d| d.is_error() && d.code.as_str() < "AF3000")
    {
        return report(&a, Format::Human, args.color, false);
    }
    let options = Options::default();
    let ctx = Ctx::new(&a.files, &a.asts, &a.sema, &options);
    let components = ctx.inventory();
    match args.format {
        LicensesFormat::Table => {
            let platform = a
                .sema
                .model
                .platform
                .as_ref()
                .map_or("", |p| p.name.as_str());
            println!(
                "Components of platform `{platform}` under policy `{}`:\n",
                ctx.policy.name
            );
            print!("{}", table(&a, components));
            let passing = components.iter().filter(|c| c.verdict.passes()).count();
            println!(
                "\n{} component{}: {passing} allowed, {} not",
                components.len(),
                if components.len() == 1 { "" } else { "s" },
                components.len() - passing
            );
        }
        LicensesFormat::Json => {
            let items: Vec<serde_json::Value> = components
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    v["summary"] = serde_json::Value::String(c.verdict.word());
                    v
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_default()
            );
        }
    }
    let license_codes = [
        code::LICENSE_DENIED,
        code::LICENSE_UNKNOWN,
        code::LICENSE_INVALID,
    ];
    i32::from(
        a.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error && license_codes.contains(&d.code)),
    )
}
