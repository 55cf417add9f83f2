//! `secret-in-env` (AF3020, page `docs/codes/AF3020.md`): a literal in a workload's
//! `env { }` (or an environment's `NAME.env.KEY` override) that looks like a secret:
//! its key is named like one (`*_SECRET`, `*_PASSWORD`, `*_TOKEN`, `*_KEY`), it is a URL
//! with a password in it, or it is a long high-entropy string. Such a value is masked
//! in every output ([`secret_spans`]), whatever the policy says about the rule.

use crate::diag::{Diagnostic, code};
use crate::lint::{Ctx, Rule};
use crate::sema::value::{Spanned, Val};
use crate::source::{FileId, Span};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::SECRET_IN_ENV,
    check: Some(check),
};

/// Why a value looks secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The key's name says so.
    Name,
    /// A URL with a password.
    UrlPassword,
    /// A long random-looking string.
    Entropy,
}

/// Key suffixes (and whole keys) that name a secret.
const SECRET_SUFFIXES: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "KEY",
    "APIKEY",
    "CREDENTIALS",
];

/// Whether a key or a value looks like a secret, and why.
#[must_use]
pub fn looks_secret(key: &str, value: &str) -> Option<Why> {
    if value.trim().is_empty() {
        return None;
    }
    // `key` is `s`, or ends with `_` and `s`, ignoring case (no allocation: this runs
    // for every environment variable of every workload).
    let named = |s: &str| {
        key.len() >= s.len()
            && key.is_char_boundary(key.len() - s.len())
            && key[key.len() - s.len()..].eq_ignore_ascii_case(s)
            && (key.len() == s.len() || key.as_bytes()[key.len() - s.len() - 1] == b'_')
    };
    if SECRET_SUFFIXES.iter().any(|s| named(s)) {
        return Some(Why::Name);
    }
    if let Some((_, rest)) = value.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty()) {
                return Some(Why::UrlPassword);
            }
        }
        return None;
    }
    high_entropy(value).then_some(Why::Entropy)
}

/// At least 20 characters without spaces, letters and digits, and more than 4.2 bits
/// of Shannon entropy per character (hex digests, at most 4 bits, do not qualify).
fn high_entropy(value: &str) -> bool {
    let n = value.chars().count();
    if n < 20 || value.chars().any(char::is_whitespace) || value.starts_with('/') {
        return false;
    }
    if !(value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic()))
    {
        return false;
    }
    let mut counts = std::collections::BTreeMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = f64::from(k) / n as f64;
            -p * p.log2()
        })
        .sum();
    entropy > 4.2
}

/// One literal of an `env` block: workload, env override (if any), key, value.
pub struct EnvLiteral<'a> {
    /// The service or site.
    pub workload: &'a str,
    /// The environment whose override sets it (`None`: the workload's own `env`).
    pub env: Option<&'a str>,
    /// The variable's name.
    pub key: &'a str,
    /// The value and where it is written.
    pub value: &'a Spanned,
}

/// Every literal of every `env` block and `NAME.env.KEY` override.
#[must_use]
pub fn literals<'a>(ctx: &Ctx<'a>) -> Vec<EnvLiteral<'a>> {
    let mut out = Vec::new();
    for d in ctx
        .sema
        .decls
        .iter()
        .filter(|d| (d.kind == "service" || d.kind == "site") && ctx.is_workspace(d.file))
    {
        for (env, v) in ctx.values(d, "env") {
            if let Val::Map(m) = &v.val {
                for (key, value) in m {
                    out.push(EnvLiteral {
                        workload: &d.name,
                        env,
                        key,
                        value,
                    });
                }
            }
        }
    }
    // `NAME.env.KEY = "..."` overrides, in one pass over the environments.
    for e in ctx.sema.decls.iter().filter(|e| e.kind == "env") {
        for o in &e.overrides {
            let Some(d) = ctx.sema.get(&o.target.text) else {
                continue;
            };
            if !((d.kind == "service" || d.kind == "site") && ctx.is_workspace(d.file)) {
                continue;
            }
            if let ([attr, key], Some(value)) = (o.path.as_slice(), &o.checked) {
                if attr.text == "env" {
                    out.push(EnvLiteral {
                        workload: &d.name,
                        env: Some(&e.name),
                        key: &key.text,
                        value,
                    });
                }
            }
        }
    }
    out
}

/// The spans of every secret-looking value: the renderers mask them.
#[must_use]
pub fn secret_spans(ctx: &Ctx) -> Vec<(FileId, Span)> {
    ctx.secret_literals()
        .iter()
        .map(|(l, _)| (l.value.file, l.value.span))
        .collect()
}

/// The [`literals`] that look like secrets, and why (see [`Ctx::secret_literals`],
/// which computes this once for the rule and the masking).
#[must_use]
pub fn secret_literals<'a>(ctx: &Ctx<'a>) -> Vec<(EnvLiteral<'a>, Why)> {
    literals(ctx)
        .into_iter()
        .filter_map(|l| match &l.value.val {
            Val::Str(s) => looks_secret(l.key, &s.literal_text()).map(|why| (l, why)),
            _ => None,
        })
        .collect()
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (l, why) in ctx.secret_literals() {
        out.push(diagnostic(l, *why));
    }
}

/// Builds the diagnostic. It names the key and the workload, never the value.
#[must_use]
pub fn diagnostic(l: &EnvLiteral, why: Why) -> Diagnostic {
    let env = l.env.map_or(String::new(), |e| format!(" (env `{e}`)"));
    let label = match why {
        Why::Name => "a secret by its name (value hidden)",
        Why::UrlPassword => "a URL with a password in it (value hidden)",
        Why::Entropy => "a long random-looking value (value hidden)",
    };
    Diagnostic::new(
        code::SECRET_IN_ENV,
        format!("`{}` of `{}`{env} looks like a secret written in plain text", l.key, l.workload),
        l.value.file,
        l.value.span,
    )
    .label(label)
    .help(format!(
        "move it into a `secret` (sealed with `afc seal`) and add that secret to the `uses` of `{}`; then remove the value from git history",
        l.workload
    ))
}

#[cfg(test)]
mod tests {
    use super::{Why, looks_secret};

    /// The values are masked whether the rule reports them or the policy turns it off.
    #[test]
    fn secret_values_are_masked_with_the_rule_on_or_off() {
        let service = "service api {\n  image  = \"ghcr.io/a/api:1.0.0\"\n  port   = 80\n  health = \"/\"\n  env {\n    DB_PASSWORD = \"hunter2\"\n    LOG_LEVEL   = \"info\"\n  }\n}\n";
        for (policy, reported) in [
            ("", 1),
            (
                "  policy = quiet\n}\n\npolicy quiet {\n  severity {\n    secret-in-env = off\n  }\n",
                0,
            ),
        ] {
            let text = format!(
                "platform demo {{\n  repo = \"https://example.com/demo.git\"\n{policy}}}\n\n{service}"
            );
            let a = crate::analyze(vec![crate::source::SourceFile::new("main.af", &text)]);
            let found = a
                .diagnostics
                .iter()
                .filter(|d| d.code == crate::diag::code::SECRET_IN_ENV)
                .count();
            assert_eq!(found, reported, "{policy}");
            let masked: Vec<&str> = a
                .redactions
                .iter()
                .map(|(f, span)| &a.files[f.0 as usize].text[span.range()])
                .collect();
            assert_eq!(masked, ["\"hunter2\""], "{policy}");
        }
    }

    #[test]
    fn detection() {
        assert_eq!(looks_secret("DB_PASSWORD", "hunter2"), Some(Why::Name));
        assert_eq!(looks_secret("STRIPE_KEY", "x"), Some(Why::Name));
        assert_eq!(looks_secret("TOKEN", "x"), Some(Why::Name));
        assert_eq!(looks_secret("db_password", "x"), Some(Why::Name));
        assert_eq!(looks_secret("Api_Key", "x"), Some(Why::Name));
        assert_eq!(looks_secret("MONKEY", "x"), None, "a suffix without `_`");
        assert_eq!(looks_secret("KEY_ID", "x"), None);
        assert_eq!(looks_secret("é_TOKEN", "x"), Some(Why::Name));
        assert_eq!(looks_secret("ÉKEY", "x"), None);
        assert_eq!(looks_secret("API_TOKEN", ""), None);
        assert_eq!(
            looks_secret("DATABASE_URL", "postgres://app:s3cret@db:5432/app"),
            Some(Why::UrlPassword)
        );
        assert_eq!(
            looks_secret("DATABASE_URL", "postgres://app@db:5432/app"),
            None
        );
        assert_eq!(
            looks_secret("SIGNING", "q8ZfT3kLw9XbN2vRc7YpJ4sHd6GmA1eU"),
            Some(Why::Entropy)
        );
        assert_eq!(
            looks_secret("GIT_SHA", "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
            None
        );
        assert_eq!(looks_secret("NODE_ENV", "production"), None);
        assert_eq!(looks_secret("KEYCLOAK_REALM", "platform"), None);
        assert_eq!(
            looks_secret("MESSAGE", "hello world this is long text 12345"),
            None
        );
    }
}
