//! SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), as GitHub code
//! scanning and other CI tools read it: one run of the `afc` driver, a rule for each
//! code that has results (with its page as help), one result per diagnostic with its
//! place and the secondary labels as related locations. Files are named relative to
//! where afc runs ([`crate::Analysis::root`] joined with the workspace path) under the
//! `%SRCROOT%` base; stdlib files under `AFC_STDLIB`. Messages never hold a secret's
//! value, and no source snippet is included. `tests/sarif.rs` validates the output
//! against the official schema.

use super::{Diagnostic, Label, Severity, codes::Code};
use crate::Analysis;
use crate::cli::workspace::InputError;
use serde_json::{Value, json};

/// The `$schema` written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF level of a severity.
#[must_use]
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: unreserved characters and `/` kept, the rest
/// percent-encoded.
#[must_use]
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A workspace file's path relative to where afc runs: the workspace root (as given on
/// the command line) joined with the file's workspace path.
#[must_use]
pub fn run_path(root: Option<&str>, path: &str) -> String {
    let root = root.unwrap_or("").trim_end_matches('/');
    let root = root.strip_prefix("./").unwrap_or(root);
    if root.is_empty() || root == "." {
        path.to_string()
    } else {
        format!("{root}/{path}")
    }
}

/// An input error's path from where afc runs: the workspace root itself, or a file
/// under it.
#[must_use]
pub fn input_path(root: Option<&str>, path: &str) -> String {
    if root.is_some_and(|r| r == path) {
        path.to_string()
    } else {
        run_path(root, path)
    }
}

fn artifact(a: &Analysis, l: &Label) -> Value {
    let f = a.file(l.file);
    match f.path.strip_prefix("<stdlib>/") {
        Some(rest) => json!({ "uri": uri(rest), "uriBaseId": "AFC_STDLIB" }),
        None => {
            json!({ "uri": uri(&run_path(a.root.as_deref(), &f.path)), "uriBaseId": "%SRCROOT%" })
        }
    }
}

fn location(a: &Analysis, l: &Label) -> Value {
    let f = a.file(l.file);
    let idx = a.lines(l.file);
    let (start_line, start_column) = idx.line_col(&f.text, l.span.start as usize);
    let (end_line, end_column) = idx.line_col(&f.text, l.span.end as usize);
    json!({
        "physicalLocation": {
            "artifactLocation": artifact(a, l),
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    })
}

fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

fn rule(c: Code) -> Value {
    let info = c.info();
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "help": { "text": info.page, "markdown": info.page },
        "defaultConfiguration": { "level": level(info.severity) },
    })
}

fn log(rules: &[Code], results: Vec<Value>) -> String {
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "afc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|c| rule(*c)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// The diagnostics as a SARIF log.
#[must_use]
pub fn render(a: &Analysis, diags: &[Diagnostic]) -> String {
    let mut rules: Vec<Code> = diags.iter().map(|d| d.code).collect();
    rules.sort();
    rules.dedup();
    let results = diags
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rules.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": message(d) },
                "locations": [location(a, &d.primary)],
            });
            if !d.secondary.is_empty() {
                r["relatedLocations"] = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut loc = location(a, l);
                        loc["id"] = json!(i);
                        if !l.message.is_empty() {
                            loc["message"] = json!({ "text": l.message });
                        }
                        loc
                    })
                    .collect();
            }
            r
        })
        .collect();
    log(&rules, results)
}

/// Input errors (afc stopped before analysis) as a SARIF log; `root` is the workspace
/// path as given, which the errors' paths are relative to.
#[must_use]
pub fn input_errors(root: Option<&str>, errors: &[InputError]) -> String {
    let mut rules: Vec<Code> = errors.iter().map(|e| e.code).collect();
    rules.sort();
    rules.dedup();
    let results = errors
        .iter()
        .map(|e| {
            let mut phys = json!({ "artifactLocation": { "uri": uri(&input_path(root, &e.path)), "uriBaseId": "%SRCROOT%" } });
            if let Some((line, col)) = e.at {
                phys["region"] = json!({ "startLine": line, "startColumn": col });
            }
            let text = match &e.help {
                Some(h) => format!("{}\nhelp: {h}", e.message),
                None => e.message.clone(),
            };
            json!({
                "ruleId": e.code.as_str(),
                "ruleIndex": rules.iter().position(|c| *c == e.code).unwrap_or(0),
                "level": "error",
                "message": { "text": text },
                "locations": [{ "physicalLocation": phys }],
            })
        })
        .collect();
    log(&rules, results)
}

#[cfg(test)]
mod tests {
    use super::{run_path, uri};

    #[test]
    fn paths() {
        assert_eq!(run_path(Some("examples/af"), "a.af"), "examples/af/a.af");
        assert_eq!(run_path(Some("."), "a.af"), "a.af");
        assert_eq!(run_path(Some("./x/"), "a.af"), "x/a.af");
        assert_eq!(run_path(None, "a.af"), "a.af");
        assert_eq!(uri("dir with space/ä.af"), "dir%20with%20space/%C3%A4.af");
    }
}
