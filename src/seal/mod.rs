//! `afc seal`, the pure part: which secret, block, namespace, scope and certificate a
//! request means ([`resolve`], [`sealing_cert`]), the encryption ([`crypto`]), the edit
//! of the `.af` text that changes only the sealed value ([`edit`]), and the drill that
//! opens every sealed value with a private key ([`verify`]). No file IO here: the
//! command line (`src/cli/seal.rs`) reads the plaintext, the certificate and the key,
//! and writes the file.
//!
//! The OAEP label of a value depends on its secret's scope (FACTS.md, Sealed Secrets):
//! strict `"<namespace>/<name>"`, namespace-wide `"<namespace>"`, cluster-wide empty.
//! The namespace is the environment's (`namespace`, default `<platform>-<env>`); the name
//! is the secret's.

pub mod crypto;
pub mod edit;
pub mod verify;

use crate::Analysis;
use crate::diag::{Code, code, did_you_mean};
use crate::source::FileId;

/// A secret's scope: what its ciphertext is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Opens only as the SealedSecret with this namespace and name (the default).
    Strict,
    /// Opens under any name in this namespace.
    NamespaceWide,
    /// Opens in any namespace under any name.
    ClusterWide,
}

impl Scope {
    /// The scope of the `.af` word (`strict`, `namespace-wide`, `cluster-wide`).
    #[must_use]
    pub fn parse(word: &str) -> Option<Scope> {
        match word {
            "strict" => Some(Scope::Strict),
            "namespace-wide" => Some(Scope::NamespaceWide),
            "cluster-wide" => Some(Scope::ClusterWide),
            _ => None,
        }
    }

    /// The `.af` word (also kubeseal's `--scope` value).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Strict => "strict",
            Scope::NamespaceWide => "namespace-wide",
            Scope::ClusterWide => "cluster-wide",
        }
    }

    /// The RSA-OAEP label (kubeseal's `EncryptionLabel`).
    #[must_use]
    pub fn label(self, namespace: &str, name: &str) -> String {
        match self {
            Scope::Strict => format!("{namespace}/{name}"),
            Scope::NamespaceWide => namespace.to_string(),
            Scope::ClusterWide => String::new(),
        }
    }
}

/// A refusal of `afc seal`: a coded problem with the request or the workspace (exit
/// code 1). Messages are built from names only, never from a secret's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealError {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
}

impl SealError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            help: None,
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for SealError {
    /// `error[CODE]: message`, then `  help: ...` on its own line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// What to seal: the secret, its key, and the environment (`None` only for a
/// cluster-wide secret).
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub secret: &'a str,
    pub key: &'a str,
    pub env: Option<&'a str>,
}

/// A request resolved against the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub secret: String,
    /// The file that declares the secret.
    pub file: FileId,
    /// The label of the `sealed` block the value goes into (`None`: the unlabelled block
    /// of a cluster-wide secret).
    pub block: Option<String>,
    pub key: String,
    pub scope: Scope,
    /// The environment given (for a cluster-wide secret it only picks the cluster).
    pub env: Option<String>,
    /// The environment's namespace, when there is an environment.
    pub namespace: Option<String>,
    /// The RSA-OAEP label.
    pub label: String,
}

impl Target {
    /// What the value is sealed for, for messages: `af-staging/jwt (strict)`.
    #[must_use]
    pub fn describe(&self) -> String {
        describe_label(self.scope, &self.label)
    }
}

/// `af-staging/jwt (strict)`, `af-staging (namespace-wide)`, `any namespace (cluster-wide)`.
#[must_use]
pub fn describe_label(scope: Scope, label: &str) -> String {
    if scope == Scope::ClusterWide {
        "any namespace (cluster-wide)".to_string()
    } else {
        format!("{label} ({})", scope.as_str())
    }
}

/// True for a secret key: `[A-Za-z_][A-Za-z0-9_]*` (LANGUAGE.md, section 2).
#[must_use]
pub fn is_secret_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The diagnostics (by name) that report a sealed value that is missing, in plaintext or
/// sealed for another controller: the errors `afc seal` exists to fix, so they do not
/// stop it.
pub const SEALABLE: &[&str] = &[
    "missing-sealed-block",
    "missing-secret-key",
    "plaintext-secret",
    "sealed-wrong-key",
];

/// True for an error that does not stop sealing: one that sealing fixes (see
/// [`SEALABLE`]), or a policy finding (`AF3xxx`: a license, an RBAC rule), which says
/// nothing about the secret's structure.
#[must_use]
pub fn is_sealable(d: &crate::diag::Diagnostic) -> bool {
    SEALABLE.contains(&d.code.info().name) || d.code.as_str().starts_with("AF3")
}

/// Refuses a workspace with errors, except the missing sealed values of [`SEALABLE`]:
/// sealing into a workspace that does not check could not be checked itself.
///
/// # Errors
/// [`code::SEAL_WORKSPACE_ERRORS`] when other errors are present.
pub fn require_clean(a: &Analysis) -> Result<(), SealError> {
    let errors = a
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !is_sealable(d))
        .count();
    if errors == 0 {
        return Ok(());
    }
    let s = if errors == 1 { "" } else { "s" };
    Err(SealError::new(
        code::SEAL_WORKSPACE_ERRORS,
        format!(
            "the workspace has {errors} error{s}; afc seals only into a workspace that checks clean"
        ),
    )
    .help("fix the errors above (`afc check`), then seal again"))
}

/// Resolves a request: the secret (declared in the workspace, not the stdlib), the key's
/// form, the environment, the block, the scope and the OAEP label.
///
/// # Errors
/// An unknown secret or environment, a malformed key, or a missing or superfluous
/// `--env`.
pub fn resolve(a: &Analysis, req: &Request) -> Result<Target, SealError> {
    let model = &a.sema.model;
    let decl = a.sema.get(req.secret).filter(|d| !d.stdlib);
    let secret = match decl {
        Some(d) if d.kind == "secret" => model
            .secrets
            .iter()
            .find(|s| s.name == req.secret)
            .ok_or_else(|| {
                SealError::new(
                    code::SEAL_UNKNOWN_SECRET,
                    format!("no secret named `{}`", req.secret),
                )
            })?,
        Some(d) => {
            return Err(SealError::new(
                code::SEAL_UNKNOWN_SECRET,
                format!(
                    "`{}` is {} {}, not a secret",
                    req.secret,
                    article(&d.kind),
                    d.kind
                ),
            )
            .help(secret_list(a)));
        }
        None => {
            let names = a
                .sema
                .decls
                .iter()
                .filter(|d| d.kind == "secret" && !d.stdlib)
                .map(|d| d.name.as_str());
            let help = match did_you_mean(req.secret, names) {
                Some(n) => format!("did you mean `{n}`?"),
                None => secret_list(a),
            };
            return Err(SealError::new(
                code::SEAL_UNKNOWN_SECRET,
                format!("no secret named `{}` in the workspace", req.secret),
            )
            .help(help));
        }
    };
    let file = decl.map(|d| d.file).unwrap_or(FileId(0));
    if !is_secret_key(req.key) {
        return Err(SealError::new(code::SEAL_INVALID_KEY, format!("`{}` is not a secret key", req.key)).help(
            "a key is letters, digits and `_`, not starting with a digit (`[A-Za-z_][A-Za-z0-9_]*`): it becomes an environment variable",
        ));
    }
    let scope = Scope::parse(&secret.scope).unwrap_or(Scope::Strict);
    let env = match req.env {
        Some(name) => Some(model.envs.iter().find(|e| e.name == name).ok_or_else(|| {
            let names = model.envs.iter().map(|e| e.name.as_str());
            let help = match did_you_mean(name, names) {
                Some(n) => format!("did you mean `{n}`?"),
                None if model.envs.is_empty() => "the workspace declares no `env`".to_string(),
                None => format!(
                    "the environments are {}",
                    model
                        .envs
                        .iter()
                        .map(|e| format!("`{}`", e.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            SealError::new(
                code::SEAL_UNKNOWN_ENV,
                format!("no environment named `{name}`"),
            )
            .help(help)
        })?),
        None => None,
    };
    let (block, namespace, label) = match (scope, env) {
        (Scope::ClusterWide, env) => (None, env.map(|e| e.namespace.clone()), String::new()),
        (_, Some(e)) => (
            Some(e.name.clone()),
            Some(e.namespace.clone()),
            scope.label(&e.namespace, &secret.name),
        ),
        (_, None) => {
            let envs = model
                .envs
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>();
            let example = envs.first().copied().unwrap_or("ENV");
            return Err(SealError::new(
                code::SEAL_ENV_REQUIRED,
                format!(
                    "secret `{}` is {}: its ciphertext depends on the environment's namespace, so `--env` is required",
                    secret.name,
                    scope.as_str()
                ),
            )
            .help(format!("add `--env {example}`")));
        }
    };
    Ok(Target {
        secret: secret.name.clone(),
        file,
        block,
        key: req.key.to_string(),
        scope,
        env: env.map(|e| e.name.clone()),
        namespace,
        label,
    })
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn secret_list(a: &Analysis) -> String {
    let names: Vec<String> = a
        .sema
        .model
        .secrets
        .iter()
        .filter(|s| a.sema.get(&s.name).is_some_and(|d| !d.stdlib))
        .map(|s| format!("`{}`", s.name))
        .collect();
    if names.is_empty() {
        "the workspace declares no `secret`".to_string()
    } else {
        format!("the secrets are {}", names.join(", "))
    }
}

/// The workspace's certificate for an environment: the `sealing_cert` of the env's
/// cluster (of the only cluster when there is one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertRef {
    pub cluster: String,
    /// As written: relative to the workspace.
    pub path: String,
}

/// Picks the certificate `afc seal` uses when `--cert` is not given.
///
/// # Errors
/// [`code::SEAL_NO_CERTIFICATE`]: no cluster, several clusters and no environment to
/// choose, or a cluster without `sealing_cert`.
pub fn sealing_cert(a: &Analysis, env: Option<&str>) -> Result<CertRef, SealError> {
    let model = &a.sema.model;
    let fetch = "fetch it with `kubeseal --fetch-cert > certs/sealed-secrets.pem`";
    let cluster = match model.clusters.as_slice() {
        [] => {
            return Err(SealError::new(
                code::SEAL_NO_CERTIFICATE,
                "no certificate to seal with: the workspace declares no cluster",
            )
            .help(format!(
                "pass `--cert FILE` ({fetch}), or declare a cluster with `sealing_cert`"
            )));
        }
        [only] => only,
        several => {
            let chosen = env
                .and_then(|e| model.envs.iter().find(|x| x.name == e))
                .and_then(|e| e.cluster.as_deref())
                .and_then(|c| several.iter().find(|x| x.name == c));
            chosen.ok_or_else(|| {
                SealError::new(
                    code::SEAL_NO_CERTIFICATE,
                    "no certificate to seal with: the workspace has several clusters and no `--env` picks one",
                )
                .help("pass `--env ENV` (its cluster's `sealing_cert` is used) or `--cert FILE`")
            })?
        }
    };
    match &cluster.sealing_cert {
        Some(path) => Ok(CertRef {
            cluster: cluster.name.clone(),
            path: path.clone(),
        }),
        None => Err(SealError::new(
            code::SEAL_NO_CERTIFICATE,
            format!("no certificate to seal with: cluster `{}` has no `sealing_cert`", cluster.name),
        )
        .help(format!(
            "{fetch} and add `sealing_cert = \"certs/sealed-secrets.pem\"` to cluster `{}`, or pass `--cert FILE`",
            cluster.name
        ))),
    }
}

/// The error for a certificate that cannot be sealed with; `shown` is its path.
#[must_use]
pub fn cert_error(shown: &str, failure: &crypto::CertFailure) -> SealError {
    use crypto::CertFailure as F;
    let refetch = "fetch the controller's current certificate: `kubeseal --fetch-cert`";
    match failure {
        F::NotPem => SealError::new(
            code::SEAL_INVALID_CERTIFICATE,
            format!("`{shown}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)"),
        )
        .help(refetch),
        F::Invalid(e) => SealError::new(
            code::SEAL_INVALID_CERTIFICATE,
            format!("`{shown}` is not a valid X.509 certificate: {e}"),
        )
        .help(refetch),
        F::BadRsaKey(e) => SealError::new(
            code::SEAL_INVALID_CERTIFICATE,
            format!("the RSA key of `{shown}` cannot be used: {e}"),
        )
        .help(refetch),
        F::Expired { not_after } => SealError::new(
            code::SEAL_CERTIFICATE_EXPIRED,
            format!("the certificate `{shown}` expired on {not_after}"),
        )
        .help(format!("{refetch}; kubeseal refuses expired certificates too")),
        F::NotRsa { algorithm } => SealError::new(
            code::SEAL_NOT_RSA,
            format!("the certificate `{shown}` has a key of type {algorithm}; Sealed Secrets needs an RSA key"),
        )
        .help(format!("this is not a Sealed Secrets controller's certificate: {refetch}")),
    }
}

/// The error for a private key file that cannot be used by `--verify-with`.
#[must_use]
pub fn key_error(shown: &str, failure: &crypto::KeyFailure) -> SealError {
    use crypto::KeyFailure as F;
    let (message, help) = match failure {
        F::NotPem => (
            format!(
                "`{shown}` holds no RSA private key (`RSA PRIVATE KEY` or `PRIVATE KEY` PEM block)"
            ),
            "export the controller's key: `kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o jsonpath='{.items[0].data.tls\\.key}' | base64 -d`",
        ),
        F::Encrypted => (
            format!("`{shown}` holds an encrypted private key"),
            "decrypt it first (`openssl pkey -in KEY -out PLAIN.pem`) and keep the result out of git",
        ),
        F::Invalid(e) => (
            format!("`{shown}` is not a usable RSA private key: {e}"),
            "the file must be a PKCS #1 or PKCS #8 RSA private key in PEM",
        ),
    };
    SealError::new(code::SEAL_INVALID_PRIVATE_KEY, message).help(help)
}

#[cfg(test)]
#[path = "../../tests/seal_support/mod.rs"]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    pub(crate) const PLATFORM: &str = "platform acme {\n  repo = \"https://example.com/acme.git\"\n}\n\ncluster main {\n  sealing_cert = \"certs/main.pem\"\n}\n\nenv staging {\n  namespace = \"acme-stg\"\n}\n\nenv production {}\n\nservice api {\n  image = \"ghcr.io/acme/api:1.0.0\"\n  license = \"MIT\"\n  health = \"/health\"\n  port = 80\n  uses = [jwt, shared, global]\n}\n";

    pub(crate) fn workspace(secrets: &str) -> Analysis {
        crate::analyze(vec![
            SourceFile::new("platform.af", PLATFORM),
            SourceFile::new("secrets.af", secrets),
        ])
    }

    const SECRETS: &str = "secret jwt {}\nsecret shared {\n  scope = namespace-wide\n}\nsecret global {\n  scope = cluster-wide\n}\n";

    fn req<'a>(secret: &'a str, key: &'a str, env: Option<&'a str>) -> Request<'a> {
        Request { secret, key, env }
    }

    #[test]
    fn labels_per_scope() {
        assert_eq!(Scope::Strict.label("ns", "jwt"), "ns/jwt");
        assert_eq!(Scope::NamespaceWide.label("ns", "jwt"), "ns");
        assert_eq!(Scope::ClusterWide.label("ns", "jwt"), "");
        for s in [Scope::Strict, Scope::NamespaceWide, Scope::ClusterWide] {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse("global"), None);
    }

    #[test]
    fn resolves_namespace_scope_and_label() {
        let a = workspace(SECRETS);
        // Missing sealed blocks are errors that sealing fixes: they do not stop it.
        assert!(require_clean(&a).is_ok(), "{:?}", a.diagnostics);
        let t = resolve(&a, &req("jwt", "JWT_SECRET", Some("staging"))).expect("resolves");
        assert_eq!(t.label, "acme-stg/jwt");
        assert_eq!(t.block.as_deref(), Some("staging"));
        assert_eq!(t.scope, Scope::Strict);
        assert_eq!(a.file(t.file).path, "secrets.af");
        // The default namespace is `<platform>-<env>`.
        let t = resolve(&a, &req("jwt", "K", Some("production"))).expect("resolves");
        assert_eq!(t.label, "acme-production/jwt");
        assert_eq!(t.describe(), "acme-production/jwt (strict)");
        let t = resolve(&a, &req("shared", "K", Some("staging"))).expect("resolves");
        assert_eq!(
            (t.label.as_str(), t.scope),
            ("acme-stg", Scope::NamespaceWide)
        );
        let t = resolve(&a, &req("global", "K", None)).expect("resolves");
        assert_eq!((t.label.as_str(), t.block.as_deref()), ("", None));
        assert_eq!(t.describe(), "any namespace (cluster-wide)");
        let t = resolve(&a, &req("global", "K", Some("staging"))).expect("resolves");
        assert_eq!((t.label.as_str(), t.block.as_deref()), ("", None));
    }

    #[test]
    fn refusals_have_their_codes() {
        let a = workspace(SECRETS);
        let err = |r: Request| resolve(&a, &r).expect_err("refused");
        let e = err(req("jtw", "K", Some("staging")));
        assert_eq!(e.code, code::SEAL_UNKNOWN_SECRET);
        assert_eq!(e.help.as_deref(), Some("did you mean `jwt`?"));
        let e = err(req("api", "K", Some("staging")));
        assert_eq!(e.code, code::SEAL_UNKNOWN_SECRET);
        assert!(e.message.contains("is a service"), "{e}");
        // Stdlib declarations are not the workspace's.
        assert_eq!(
            err(req("redis", "K", Some("staging"))).code,
            code::SEAL_UNKNOWN_SECRET
        );
        for bad in ["", "1X", "A-B", "A.B", "Ä"] {
            assert_eq!(
                err(req("jwt", bad, Some("staging"))).code,
                code::SEAL_INVALID_KEY,
                "{bad}"
            );
        }
        let e = err(req("jwt", "K", Some("stagin")));
        assert_eq!(e.code, code::SEAL_UNKNOWN_ENV);
        assert_eq!(e.help.as_deref(), Some("did you mean `staging`?"));
        let e = err(req("jwt", "K", None));
        assert_eq!(e.code, code::SEAL_ENV_REQUIRED);
        assert_eq!(err(req("shared", "K", None)).code, code::SEAL_ENV_REQUIRED);
    }

    #[test]
    fn certificate_choice() {
        let a = workspace(SECRETS);
        assert_eq!(
            sealing_cert(&a, Some("staging")),
            Ok(CertRef {
                cluster: "main".into(),
                path: "certs/main.pem".into()
            })
        );
        assert_eq!(sealing_cert(&a, None).map(|c| c.cluster), Ok("main".into()));
        let no_cert = PLATFORM.replace("  sealing_cert = \"certs/main.pem\"\n", "");
        let b = crate::analyze(vec![SourceFile::new("p.af", no_cert)]);
        let e = sealing_cert(&b, Some("staging")).expect_err("no cert");
        assert_eq!(e.code, code::SEAL_NO_CERTIFICATE);
        assert!(
            e.message.contains("cluster `main` has no `sealing_cert`"),
            "{e}"
        );
        let two = PLATFORM
            .replace("env staging {\n", "env staging {\n  cluster = edge\n")
            .replace("env production {}", "env production {\n  cluster = main\n}")
            + "cluster edge {\n  sealing_cert = \"certs/edge.pem\"\n}\n";
        let c = crate::analyze(vec![
            SourceFile::new("p.af", two),
            SourceFile::new("s.af", SECRETS),
        ]);
        assert!(require_clean(&c).is_ok(), "{:?}", c.diagnostics);
        assert_eq!(
            sealing_cert(&c, Some("staging")).map(|c| c.path),
            Ok("certs/edge.pem".into())
        );
        assert_eq!(
            sealing_cert(&c, Some("production")).map(|c| c.path),
            Ok("certs/main.pem".into())
        );
        assert_eq!(
            sealing_cert(&c, None).map_err(|e| e.code),
            Err(code::SEAL_NO_CERTIFICATE)
        );
        let none = crate::analyze(vec![SourceFile::new(
            "p.af",
            "platform x {\n  repo = \"https://e.com/x.git\"\n}\n",
        )]);
        assert_eq!(
            sealing_cert(&none, None).map_err(|e| e.code),
            Err(code::SEAL_NO_CERTIFICATE)
        );
    }

    #[test]
    fn a_workspace_with_errors_is_refused() {
        let a = workspace("secret jwt {\n  sealed staging {\n    K = \"plaintext\"\n  }\n}\n");
        let e = require_clean(&a).expect_err("refused");
        assert_eq!(e.code, code::SEAL_WORKSPACE_ERRORS);
        assert!(!e.to_string().contains("plaintext"));
        assert!(require_clean(&workspace(SECRETS)).is_ok());
    }

    #[test]
    fn errors_render_with_code_and_help() {
        let e = SealError::new(code::SEAL_UNKNOWN_SECRET, "no secret named `x`")
            .help("did you mean `y`?");
        assert_eq!(
            e.to_string(),
            "error[AF4050]: no secret named `x`\n  help: did you mean `y`?"
        );
    }
}
