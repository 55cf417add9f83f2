//! `afc rules [--format table|json]`: the lint rules with their code, name, default
//! severity and summary. `afc explain CODE|NAME` prints a rule's page.

use crate::diag::Severity;
use crate::lint::{ADOPTED, RULES};

/// The arguments of `afc rules`.
#[derive(clap::Args, Debug)]
pub(crate) struct RulesArgs {
    /// `table` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum RulesFormat {
    Table,
    Json,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warn",
        Severity::Info => "info",
    }
}

/// Every rule the policy configures, in code order, as a table.
#[must_use]
pub fn table() -> String {
    let mut codes: Vec<_> = RULES
        .iter()
        .map(|r| r.code)
        .chain(ADOPTED.iter().copied())
        .collect();
    codes.sort();
    let width = codes.iter().map(|c| c.info().name.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:<6}  {:<width$}  {:<7}  SUMMARY\n",
        "CODE", "NAME", "DEFAULT"
    );
    for c in codes {
        let i = c.info();
        out.push_str(&format!(
            "{:<6}  {:<width$}  {:<7}  {}\n",
            i.code,
            i.name,
            level(i.severity),
            i.summary
        ));
    }
    out
}

/// Runs `afc rules`.
pub(crate) fn run(args: &RulesArgs) -> i32 {
    match args.format {
        RulesFormat::Table => {
            print!("{}", table());
            println!(
                "\nSet a rule's level in the platform's policy: `severity {{ rule-name = off | warn | error }}`."
            );
            println!(
                "Silence one finding: `// afc:allow rule-name -- reason` on the line above it."
            );
        }
        RulesFormat::Json => {
            let mut codes: Vec<_> = RULES
                .iter()
                .map(|r| r.code)
                .chain(ADOPTED.iter().copied())
                .collect();
            codes.sort();
            let items: Vec<serde_json::Value> = codes
                .iter()
                .map(|c| {
                    let i = c.info();
                    serde_json::json!({
                        "code": i.code,
                        "name": i.name,
                        "default": level(i.severity),
                        "summary": i.summary,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_default()
            );
        }
    }
    0
}
