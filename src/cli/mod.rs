//! The command line: argument parsing, reading files, printing, exit codes. This and
//! the language server are the only places that do IO.
//!
//! Exit codes: 0 no errors (warnings allowed unless `--deny-warnings`), 1 errors found,
//! 2 usage or input errors (unreadable file, not UTF-8, no workspace).

pub mod build;
pub mod fmt;
pub mod fsutil;
pub mod inputs;
pub mod licenses;
pub mod rules;
pub mod seal;
pub mod workspace;

use crate::diag::render::{self, HumanOptions};
use crate::diag::{CODES, Severity, codes};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "afc",
    version,
    about = "Compiler and linter for .af platform descriptions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check a workspace: types, references, cycles.
    Check {
        /// The workspace directory (or one `.af` file).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Exit with 1 when there are warnings.
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Check, then write the Kustomize tree (base and one overlay per environment).
    Build(build::BuildArgs),
    /// Print the dependency graph.
    Graph {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format of the graph.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Colour of diagnostics: auto, always, never.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Format `.af` files in place (with `--check`: show the diff, exit 1 if any).
    Fmt {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Change nothing; print a unified diff and exit 1 when a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Seal a secret's value (read from standard input) into the `.af` file that declares it.
    Seal(seal::SealArgs),
    /// List every component (stack, engines, images) with its license and verdict.
    Licenses(licenses::LicensesArgs),
    /// List the lint rules with their default severity.
    Rules(rules::RulesArgs),
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Write a generated workspace of N services (for benchmarks).
    #[command(hide = true)]
    Gen {
        /// Number of services.
        services: usize,
        /// Directory to write into (created).
        out: PathBuf,
    },
    /// Explain a diagnostic code (`AF1002`) or name (`unknown-attribute`).
    Explain { code: String },
}

#[derive(clap::Args, Debug)]
struct OutputArgs {
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Colour of human output: auto, always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// miette's graphical report (to stderr).
    Human,
    /// `file:line:col: severity[CODE] message` (to stdout).
    Short,
    /// A JSON array (to stdout).
    Json,
    /// A SARIF 2.1.0 log (to stdout), for code scanning.
    Sarif,
    /// GitHub Actions annotations, `::error file=...::message` (to stdout).
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Runs the command line; returns the exit code.
#[must_use]
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Check {
            path,
            deny_warnings,
            out,
        } => check(&path, deny_warnings, &out),
        Command::Graph {
            path,
            format,
            color,
        } => graph(&path, format, color),
        Command::Build(args) => build::run(&args),
        Command::Fmt { path, check } => fmt::run(&path, check),
        Command::Seal(args) => seal::run(&args),
        Command::Licenses(args) => licenses::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Lsp => crate::lsp::run(),
        Command::Gen { services, out } => generate(services, &out),
        Command::Explain { code } => explain(&code),
    }
}

fn print_input_errors(errors: &[workspace::InputError], format: Format) {
    print_input_errors_in(None, errors, format);
}

/// [`print_input_errors`] for the workspace at `root`, which the errors' paths are
/// relative to (SARIF and GitHub annotations name files from where afc runs).
fn print_input_errors_in(root: Option<&str>, errors: &[workspace::InputError], format: Format) {
    match format {
        Format::Sarif => println!("{}", crate::diag::sarif::input_errors(root, errors)),
        Format::Github => {
            for e in errors {
                println!("{}", crate::diag::github::input_error(root, e));
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = errors
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "code": e.code.as_str(),
                        "name": e.code.info().name,
                        "severity": "error",
                        "message": e.message,
                        "file": e.path,
                        "line": e.at.map(|a| a.0),
                        "column": e.at.map(|a| a.1),
                        "help": e.help,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_default()
            );
        }
        Format::Short => {
            for e in errors {
                println!("{}", e.short());
            }
        }
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for e in errors {
                let _ = writeln!(err, "{}", e.short());
                if let Some(h) = &e.help {
                    let _ = writeln!(err, "  help: {h}");
                }
            }
        }
    }
}

/// Loads and analyses; `Err(exit code)` when input errors stopped it (already printed).
fn load(path: &std::path::Path, format: Format) -> Result<crate::Analysis, i32> {
    match inputs::analyze_path(path) {
        Ok(a) => Ok(a),
        Err(errors) => {
            let dir = if path.is_file() {
                path.parent().unwrap_or(path)
            } else {
                path
            };
            print_input_errors_in(Some(&dir.display().to_string()), &errors, format);
            Err(2)
        }
    }
}

/// Prints diagnostics; returns the exit code they imply.
fn report(a: &crate::Analysis, format: Format, color: Color, deny_warnings: bool) -> i32 {
    let errors = a.count(Severity::Error);
    let warnings = a.count(Severity::Warning);
    match format {
        Format::Human => {
            let opts = HumanOptions {
                color: color.enabled(),
                width: terminal_width(),
            };
            let mut err = std::io::stderr().lock();
            for d in &a.diagnostics {
                let _ = writeln!(err, "{}", render::human(a, d, opts).trim_end());
            }
            if errors + warnings > 0 {
                let _ = writeln!(err, "afc: {}", render::summary(errors, warnings));
            }
        }
        Format::Short => {
            let mut out = std::io::stdout().lock();
            for d in &a.diagnostics {
                let _ = writeln!(out, "{}", render::short(a, d));
            }
        }
        Format::Json => println!("{}", render::json(a, &a.diagnostics)),
        Format::Sarif => println!("{}", crate::diag::sarif::render(a, &a.diagnostics)),
        Format::Github => {
            let mut out = std::io::stdout().lock();
            for d in &a.diagnostics {
                let _ = writeln!(out, "{}", crate::diag::github::annotation(a, d));
            }
        }
    }
    i32::from(errors > 0 || (deny_warnings && warnings > 0))
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

fn check(path: &std::path::Path, deny_warnings: bool, out: &OutputArgs) -> i32 {
    match load(path, out.format) {
        Ok(a) => {
            let code = report(&a, out.format, out.color, deny_warnings);
            // The process ends here: freeing a large analysis piece by piece would
            // take longer than the rest of the run (see README, "Scale").
            std::mem::forget(a);
            code
        }
        Err(code) => code,
    }
}

fn graph(path: &std::path::Path, format: GraphFormat, color: Color) -> i32 {
    let a = match load(path, Format::Human) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if a.has_errors() {
        return report(&a, Format::Human, color, false);
    }
    report(&a, Format::Human, color, false);
    let text = match format {
        GraphFormat::Dot => crate::graph_out::dot(&a.sema),
        GraphFormat::Mermaid => crate::graph_out::mermaid(&a.sema),
        GraphFormat::Json => crate::graph_out::json(&a.sema),
    };
    print!("{text}");
    0
}

fn generate(services: usize, out: &std::path::Path) -> i32 {
    for f in crate::generate::workspace(services) {
        let path = out.join(&f.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, f.text));
        if let Err(e) = written {
            eprintln!("{}: error[AF0009] cannot write: {e}", path.display());
            return 2;
        }
    }
    0
}

fn explain(key: &str) -> i32 {
    match codes::lookup(key) {
        Some(info) => {
            print!("{}", info.page);
            0
        }
        None => {
            eprintln!("error: `{key}` is not a diagnostic code or name");
            let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
            eprintln!("  help: the codes are {}", codes.join(", "));
            2
        }
    }
}
