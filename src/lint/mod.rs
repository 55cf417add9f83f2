//! The policy linter: licenses, secrets hygiene, RBAC, supply chain and operations.
//!
//! [`crate::analyze_with`] runs it in two halves ([`findings`], side by side with the
//! build checks, then [`finish`]), so `afc check`, `afc build` and the language server
//! all see the same findings. It is pure: what it needs from outside the `.af` text
//! (the bytes of a cluster's `sealing_cert`) comes in through [`Options`], which the
//! command line fills.
//!
//! Every rule is one file under `rules/` with its code (an `AF3xxx` row of
//! [`crate::diag::codes`], which carries the kebab-case name, the default severity and
//! the page `docs/codes/AF3xxx.md`), its check and the one helper that builds its
//! diagnostic. The framework then applies the platform's policy
//! (`severity { rule-name = off | warn | error }`) and the `// afc:allow rule -- reason`
//! comments ([`suppress`]). The policy also configures two checks that run elsewhere in
//! the core, [`ADOPTED`]: `unused-declaration`, `image-not-pinned`,
//! `secrets-not-encrypted` (an error under the default policy) and `even-server-count`.
//!
//! The rules run only on a workspace without syntax, type or graph errors (codes below
//! `AF3000`): the model of a broken workspace is filled with empty values, and findings
//! about them would be noise.

pub mod access;
pub mod image;
pub mod licenses;
pub mod policy;
pub mod rules;
pub mod suppress;
pub mod version;

use crate::diag::{CodeInfo, Diagnostic, Severity, code, codes::Code};
use crate::sema::Sema;
use crate::sema::value::Spanned;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast;
use rayon::prelude::*;
use rules::secret_in_env::{EnvLiteral, Why};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What the linter needs from outside the workspace's `.af` text. The default has
/// nothing, and the checks that need it are skipped.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Files the workspace refers to (a cluster's `sealing_cert`), by the path written
    /// in the `.af` text: their bytes, or why they could not be read.
    pub files: BTreeMap<String, Result<Vec<u8>, String>>,
}

/// One lint rule: its code (which names its row in the table of codes and its page)
/// and its check. A rule whose `check` is `None` is reported by the framework itself
/// (the suppression comments).
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The rule's code; its row in the table of codes names it and holds its page.
    pub code: Code,
    /// Pushes the rule's findings (with the code's default severity).
    pub check: Option<fn(&Ctx, &mut Vec<Diagnostic>)>,
}

impl Rule {
    /// The rule's row: name, default severity, summary, page.
    #[must_use]
    pub fn info(&self) -> &'static CodeInfo {
        self.code.info()
    }
}

/// Every lint rule, in code order.
pub static RULES: &[Rule] = &[
    rules::unknown_rule::RULE,
    rules::suppression_without_reason::RULE,
    rules::unused_suppression::RULE,
    rules::license_denied::RULE,
    rules::license_unknown::RULE,
    rules::license_invalid::RULE,
    rules::license_choice::RULE,
    rules::secret_in_env::RULE,
    rules::sealed_wrong_key::RULE,
    rules::sealing_cert_unreadable::RULE,
    rules::sealed_unknown_env::RULE,
    rules::rbac_secrets_read::RULE,
    rules::rbac_wildcard::RULE,
    rules::rbac_escalation::RULE,
    rules::rbac_cluster_scoped::RULE,
    rules::rbac_pod_exec::RULE,
    rules::mutable_tag::RULE,
    rules::missing_health::RULE,
    rules::yugabytedb_replicas::RULE,
];

/// Checks that run elsewhere in the core but that the policy configures like rules
/// (severity and suppressions): unused declarations and unpinned images.
pub const ADOPTED: &[Code] = &[
    code::UNUSED,
    code::UNPINNED_IMAGE,
    code::SECRETS_NOT_ENCRYPTED,
    code::EVEN_SERVERS,
];

/// True for a code the policy configures: a rule's or an adopted one.
#[must_use]
pub fn is_configurable(c: Code) -> bool {
    RULES.iter().any(|r| r.code == c) || ADOPTED.contains(&c)
}

/// Looks a configurable code up by name (`license-denied`) or code (`AF3010`).
#[must_use]
pub fn lookup(key: &str) -> Option<Code> {
    RULES
        .iter()
        .map(|r| r.code)
        .chain(ADOPTED.iter().copied())
        .find(|c| c.as_str().eq_ignore_ascii_case(key) || c.info().name == key)
}

/// The names of every configurable code, for "did you mean".
pub fn names() -> impl Iterator<Item = &'static str> {
    RULES
        .iter()
        .map(|r| r.code)
        .chain(ADOPTED.iter().copied())
        .map(|c| c.info().name)
}

/// What a rule's check may read.
pub struct Ctx<'a> {
    /// The stdlib's files, then the workspace's.
    pub files: &'a [SourceFile],
    /// Their syntax trees (for the comments of `afc:allow`).
    pub asts: &'a [ast::File],
    /// The checked declarations and the typed model.
    pub sema: &'a Sema,
    /// What the command line read for the linter.
    pub options: &'a Options,
    /// The platform's policy.
    pub policy: policy::Policy<'a>,
    inventory: OnceLock<Vec<licenses::Component>>,
    /// The env literals that look like secrets (computed once: the rule reports them,
    /// and [`finish`] masks them whatever the policy says about the rule).
    secrets: OnceLock<Vec<(EnvLiteral<'a>, Why)>>,
    /// Every env override by (target, attribute), with its env: built once, so that
    /// [`Ctx::values`] does not scan every declaration for every attribute.
    overrides: HashMap<(&'a str, &'a str), Vec<(&'a str, &'a Spanned)>>,
}

impl<'a> Ctx<'a> {
    /// A context over an analysed workspace.
    #[must_use]
    pub fn new(
        files: &'a [SourceFile],
        asts: &'a [ast::File],
        sema: &'a Sema,
        options: &'a Options,
    ) -> Self {
        Self {
            files,
            asts,
            sema,
            options,
            policy: policy::Policy::of(sema),
            inventory: OnceLock::new(),
            secrets: OnceLock::new(),
            overrides: Self::index_overrides(sema),
        }
    }

    fn index_overrides(sema: &'a Sema) -> HashMap<(&'a str, &'a str), Vec<(&'a str, &'a Spanned)>> {
        let mut map: HashMap<_, Vec<_>> = HashMap::default();
        for env in sema.decls.iter().filter(|d| d.kind == "env") {
            for o in &env.overrides {
                if let (1, Some(v)) = (o.path.len(), &o.checked) {
                    map.entry((o.target.text.as_str(), o.path[0].text.as_str()))
                        .or_default()
                        .push((env.name.as_str(), v));
                }
            }
        }
        map
    }

    /// Every component of the platform with its license verdict (computed once).
    pub fn inventory(&self) -> &[licenses::Component] {
        self.inventory.get_or_init(|| licenses::inventory(self))
    }

    /// The env literals that look like secrets, and why (computed once).
    pub fn secret_literals(&self) -> &[(EnvLiteral<'a>, Why)] {
        self.secrets
            .get_or_init(|| rules::secret_in_env::secret_literals(self))
    }

    /// True for a declaration written in the workspace (not the stdlib's).
    #[must_use]
    pub fn is_workspace(&self, file: FileId) -> bool {
        self.files
            .get(file.0 as usize)
            .is_some_and(|f| !crate::stdlib::is_stdlib_path(&f.path))
    }

    /// The values an attribute of a declaration takes: its own (if written) and every
    /// environment's override of it, each with the environment that sets it.
    #[must_use]
    pub fn values(
        &self,
        decl: &'a crate::sema::Decl,
        attr: &str,
    ) -> Vec<(Option<&'a str>, &'a Spanned)> {
        let mut out: Vec<(Option<&str>, &Spanned)> = decl
            .attrs
            .get(attr)
            .map(|v| (None, v))
            .into_iter()
            .collect();
        if let Some(envs) = self.overrides.get(&(decl.name.as_str(), attr)) {
            out.extend(envs.iter().map(|(env, v)| (Some(*env), *v)));
        }
        out
    }

    /// The modulus size in bits of the certificate at `path` (a cluster's
    /// `sealing_cert`): `None` when the command line handed no such file in (the check
    /// is skipped), `Err` with the reason when it cannot be used. Expiry is not judged
    /// here (`afc seal` refuses an expired certificate); only the key size matters.
    #[must_use]
    pub fn cert_bits(&self, path: &str) -> Option<Result<usize, String>> {
        let bytes = match self.options.files.get(path)? {
            Ok(b) => b,
            Err(e) => return Some(Err(e.clone())),
        };
        // The epoch as "now": every certificate is valid then, so only its key counts.
        Some(
            crate::seal::crypto::parse_cert(bytes, std::time::SystemTime::UNIX_EPOCH)
                .map(|c| c.bits)
                .map_err(|f| cert_failure(&f)),
        )
    }

    /// Where an attribute of `decl` gets its value in `env`: the env's override, the
    /// declaration's own attribute, or (neither written) the declaration's name.
    #[must_use]
    pub fn site(&self, env: Option<&str>, decl: &crate::sema::Decl, attr: &str) -> (FileId, Span) {
        if let Some(e) = env.and_then(|e| self.sema.get(e)) {
            if let Some(o) = e
                .overrides_of(&decl.name)
                .find(|o| o.path.len() == 1 && o.path[0].text == attr)
            {
                return (e.file, o.value.span);
            }
        }
        decl.attrs
            .get(attr)
            .map_or((decl.file, decl.name_span), |v| (v.file, v.span))
    }
}

/// No error of the front end (codes before `AF3000`): the rules only run on a
/// workspace that parsed and resolved.
#[must_use]
pub fn front_end_clean(diags: &[Diagnostic]) -> bool {
    !diags
        .iter()
        .any(|d| d.is_error() && d.code.as_str() < "AF3000")
}

/// What every rule finds, before the policy. The rules are independent: they run side
/// by side and are collected in rule order.
#[must_use]
pub fn findings(ctx: &Ctx) -> Vec<Diagnostic> {
    RULES
        .par_iter()
        .filter_map(|rule| rule.check)
        .flat_map_iter(|check| {
            let mut found = Vec::new();
            check(ctx, &mut found);
            found
        })
        .collect()
}

/// The second half of the linter: the policy and the suppressions over `findings`
/// (dropped when `diags` has front-end errors) and the [`ADOPTED`] codes in `diags`.
/// Returns the spans of secret-looking values that every output must mask (found
/// whatever the policy says about `secret-in-env`).
pub fn finish(
    ctx: &Ctx,
    findings: Vec<Diagnostic>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(FileId, Span)> {
    let mut findings = if front_end_clean(diags) {
        findings
    } else {
        Vec::new()
    };
    // Adopted codes go through the policy too.
    let (adopted, rest): (Vec<Diagnostic>, Vec<Diagnostic>) = std::mem::take(diags)
        .into_iter()
        .partition(|d| ADOPTED.contains(&d.code));
    *diags = rest;
    findings.extend(adopted);
    crate::diag::normalize(&mut findings);
    // Severity from the policy; `off` drops the finding.
    let mut kept: Vec<Diagnostic> = findings
        .into_iter()
        .filter_map(|d| ctx.policy.severity(d.code).map(|sev| d.severity(sev)))
        .collect();
    let mut meta = suppress::apply(ctx, &mut kept);
    for d in &mut meta {
        if let Some(sev) = ctx.policy.severity(d.code) {
            d.severity = sev;
        }
    }
    meta.retain(|d| ctx.policy.severity(d.code).is_some());
    diags.extend(kept);
    diags.extend(meta);
    rules::secret_in_env::secret_spans(ctx)
}

/// A level of a policy's `severity` block: `off` is `Some(None)`, `warn` and `error`
/// their severity; anything else `None`.
#[must_use]
pub fn parse_level(word: &str) -> Option<Option<Severity>> {
    match word {
        "off" => Some(None),
        "warn" => Some(Some(Severity::Warning)),
        "error" => Some(Some(Severity::Error)),
        _ => None,
    }
}

/// Why a certificate cannot be used, in words.
fn cert_failure(f: &crate::seal::crypto::CertFailure) -> String {
    use crate::seal::crypto::CertFailure as F;
    match f {
        F::NotPem => "it holds no `-----BEGIN CERTIFICATE-----` block".into(),
        F::Invalid(e) => format!("it is not a well-formed X.509 certificate ({e})"),
        F::Expired { not_after } => format!("it expired on {not_after}"),
        F::NotRsa { algorithm } => format!("its key is not an RSA key ({algorithm})"),
        F::BadRsaKey(e) => format!("its RSA key cannot be used ({e})"),
    }
}
