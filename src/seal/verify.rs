//! `afc seal --verify-with KEY.pem`: opens every sealed value of the workspace with a
//! private key, as the controller would (with the label of the value's own namespace,
//! name and scope), and reports the ones that do not open. For those it also tries the
//! labels of the workspace's other environments, secrets and scopes, so a value sealed
//! for `staging` but pasted into `production` is named as such.
//!
//! The opened plaintexts are dropped (and wiped) at once; nothing of them is reported.

use super::crypto::{self, OpenFailure};
use super::{Scope, describe_label};
use crate::Analysis;
use crate::sema::value::Val;
use crate::source::{FileId, Span};
use rsa::RsaPrivateKey;

/// The most other labels tried per value that does not open.
const MAX_GUESSES: usize = 256;

/// The verdict on one sealed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub secret: String,
    /// The `sealed` block's label (`None`: the unlabelled cluster-wide block).
    pub block: Option<String>,
    pub key: String,
    pub file: FileId,
    /// The value's span.
    pub span: Span,
    pub scope: Scope,
    /// The label it must open with (`None` when the block names no environment).
    pub label: Option<String>,
    pub result: Result<(), Problem>,
}

impl Outcome {
    /// What the value must open as: `af-staging/jwt (strict)`.
    #[must_use]
    pub fn expected(&self) -> String {
        match &self.label {
            Some(l) => describe_label(self.scope, l),
            None => "no namespace: its block names no environment".to_string(),
        }
    }

    /// `jwt.JWT_SECRET [staging]`, `jwt.K [cluster-wide]`.
    #[must_use]
    pub fn name(&self) -> String {
        let block = self.block.as_deref().unwrap_or("cluster-wide");
        format!("{}.{} [{block}]", self.secret, self.key)
    }
}

/// Why a value does not open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The block is labelled with a name that is not an environment.
    NoSuchEnv,
    /// Opening failed; `opens_as` is another label it does open with, if one was found.
    Open {
        failure: OpenFailure,
        opens_as: Option<String>,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NoSuchEnv => f.write_str("its block names no environment of the workspace"),
            Problem::Open {
                opens_as: Some(other),
                ..
            } => write!(f, "it was sealed for {other}"),
            Problem::Open { failure, .. } => write!(f, "{failure}"),
        }
    }
}

/// Opens every sealed value of the workspace's secrets with `key`; in file order.
#[must_use]
pub fn run(a: &Analysis, key: &RsaPrivateKey) -> Vec<Outcome> {
    let model = &a.sema.model;
    let guesses = candidates(a);
    let mut out = Vec::new();
    for d in a
        .sema
        .decls
        .iter()
        .filter(|d| d.kind == "secret" && !d.stdlib)
    {
        let Some(Val::Sealed(blocks)) = d.attrs.get("sealed").map(|v| &v.val) else {
            continue;
        };
        let scope = model
            .secrets
            .iter()
            .find(|s| s.name == d.name)
            .and_then(|s| Scope::parse(&s.scope))
            .unwrap_or(Scope::Strict);
        for (block, sb) in blocks {
            let namespace = block
                .as_ref()
                .and_then(|b| model.envs.iter().find(|e| &e.name == b))
                .map(|e| e.namespace.as_str());
            let label = match (scope, namespace) {
                (Scope::ClusterWide, _) => Some(String::new()),
                (_, Some(ns)) => Some(scope.label(ns, &d.name)),
                (_, None) => None,
            };
            for (k, v) in &sb.keys {
                let Val::Str(s) = &v.val else { continue };
                let value = s.literal_text();
                let result = match &label {
                    None => Err(Problem::NoSuchEnv),
                    Some(l) => open_as(key, l, &value, &guesses),
                };
                out.push(Outcome {
                    secret: d.name.clone(),
                    block: block.clone(),
                    key: k.clone(),
                    file: v.file,
                    span: v.span,
                    scope,
                    label: label.clone(),
                    result,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.file, o.span.start));
    out
}

fn open_as(
    key: &RsaPrivateKey,
    label: &str,
    value: &str,
    guesses: &[(Scope, String)],
) -> Result<(), Problem> {
    match crypto::open(key, label, value) {
        Ok(_plain) => Ok(()),
        Err(failure @ OpenFailure::Unwrap) => {
            let opens_as = guesses
                .iter()
                .filter(|(_, l)| l != label)
                .take(MAX_GUESSES)
                .find(|(_, l)| crypto::open(key, l, value).is_ok())
                .map(|(s, l)| describe_label(*s, l));
            Err(Problem::Open { failure, opens_as })
        }
        Err(failure) => Err(Problem::Open {
            failure,
            opens_as: None,
        }),
    }
}

/// Every label a value of this workspace could have been sealed with: strict for each
/// environment and secret, namespace-wide for each environment, and cluster-wide.
fn candidates(a: &Analysis) -> Vec<(Scope, String)> {
    let model = &a.sema.model;
    let mut out: Vec<(Scope, String)> = Vec::new();
    for e in &model.envs {
        for s in &model.secrets {
            out.push((Scope::Strict, Scope::Strict.label(&e.namespace, &s.name)));
        }
        out.push((Scope::NamespaceWide, e.namespace.clone()));
    }
    out.push((Scope::ClusterWide, String::new()));
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|(_, l)| seen.insert(l.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::test_support;
    use crate::source::SourceFile;

    fn ws(secrets: &str) -> Analysis {
        let platform = "platform acme {\n  repo = \"https://example.com/acme.git\"\n}\n\nenv staging {}\nenv production {\n  namespace = \"prod\"\n}\n\nservice api {\n  image = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  health = \"/health\"\n  port = 80\n  uses = [jwt, global]\n}\n";
        crate::analyze(vec![
            SourceFile::new("platform.af", platform),
            SourceFile::new("secrets.af", secrets),
        ])
    }

    #[test]
    fn reports_values_that_do_not_open_and_what_they_open_as() {
        let key = test_support::rsa_key();
        let public = key.to_public_key();
        let seal = |label: &str| crypto::seal(&public, label, b"v").expect("seal");
        let secrets = format!(
            "secret jwt {{\n  sealed staging {{\n    A = \"{}\"\n    B = \"{}\"\n  }}\n  sealed production {{\n    A = \"{}\"\n    B = \"{}\"\n  }}\n}}\nsecret global {{\n  scope = cluster-wide\n  sealed {{\n    G = \"{}\"\n  }}\n}}\n",
            seal("acme-staging/jwt"),
            seal("prod/jwt"),
            seal("prod/jwt"),
            seal("prod"),
            seal(""),
        );
        let a = ws(&secrets);
        assert!(
            crate::seal::require_clean(&a).is_ok(),
            "{:?}",
            a.diagnostics
        );
        let got = run(&a, key);
        let summary: Vec<(String, Result<(), Problem>)> =
            got.iter().map(|o| (o.name(), o.result.clone())).collect();
        assert_eq!(
            summary,
            vec![
                ("jwt.A [staging]".into(), Ok(())),
                (
                    "jwt.B [staging]".into(),
                    Err(Problem::Open {
                        failure: OpenFailure::Unwrap,
                        opens_as: Some("prod/jwt (strict)".into())
                    })
                ),
                ("jwt.A [production]".into(), Ok(())),
                (
                    "jwt.B [production]".into(),
                    Err(Problem::Open {
                        failure: OpenFailure::Unwrap,
                        opens_as: Some("prod (namespace-wide)".into())
                    })
                ),
                ("global.G [cluster-wide]".into(), Ok(())),
            ]
        );
        assert_eq!(got[1].expected(), "acme-staging/jwt (strict)");
        assert_eq!(a.file(got[0].file).path, "secrets.af");
    }

    #[test]
    fn another_key_opens_nothing() {
        let key = test_support::rsa_key();
        let other = test_support::other_rsa_key();
        let v = crypto::seal(&other.to_public_key(), "acme-staging/jwt", b"v").expect("seal");
        let a = ws(&format!(
            "secret jwt {{\n  sealed staging {{\n    A = \"{v}\"\n  }}\n}}\nsecret global {{\n  scope = cluster-wide\n}}\n"
        ));
        let got = run(&a, key);
        assert_eq!(got.len(), 1);
        assert!(
            matches!(&got[0].result, Err(Problem::Open { opens_as: None, .. })),
            "{:?}",
            got[0].result
        );
    }
}
