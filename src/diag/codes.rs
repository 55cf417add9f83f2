//! The one table of diagnostic codes. A code is never reused or renumbered; a retired
//! code keeps its row. Each code has a page under `docs/codes/`, embedded here, shown by
//! `afc explain CODE` (a missing page does not compile).
//!
//! Ranges: `AF0xxx` syntax and input, `AF1xxx` names and types, `AF2xxx` the dependency
//! graph, `AF3xxx` policy (lint rules), `AF4xxx` output.

use super::Severity;
use serde::{Serialize, Serializer};

/// A stable diagnostic code such as `AF1002`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(&'static str);

impl Code {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The row of this code in [`CODES`].
    ///
    /// # Panics
    /// Never for the constants of [`code`]: each has a row by construction.
    #[must_use]
    pub fn info(self) -> &'static CodeInfo {
        CODES
            .iter()
            .find(|c| c.code == self.0)
            .expect("every Code constant has a row in CODES")
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

#[derive(Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    /// Kebab-case name, usable wherever a code is (`afc explain`, `severity { }`).
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The Markdown page: what it checks, why, a bad example, a fix.
    pub page: &'static str,
}

/// Looks a code up by code (`AF1002`, any case) or by name (`unknown-attribute`).
#[must_use]
pub fn lookup(key: &str) -> Option<&'static CodeInfo> {
    CODES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(key) || c.name == key)
}

macro_rules! codes {
    ($($id:ident = $code:literal, $name:literal, $sev:ident, $summary:literal;)*) => {
        /// The code constants, named after what they report.
        pub mod code {
            use super::Code;
            $(pub const $id: Code = Code($code);)*
        }
        pub static CODES: &[CodeInfo] = &[$(CodeInfo {
            code: $code,
            name: $name,
            severity: Severity::$sev,
            summary: $summary,
            page: include_str!(concat!("../../docs/codes/", $code, ".md")),
        }),*];
    };
}

codes! {
    SYNTAX = "AF0001", "syntax-error", Error, "the text does not follow the grammar";
    UNTERMINATED_STRING = "AF0002", "unterminated-string", Error, "a string has no closing quote on its line";
    INVALID_ESCAPE = "AF0003", "invalid-escape", Error, "a backslash escape in a string is not one of \\\\ \\\" \\n \\t \\r \\u{hex}";
    UNCLOSED = "AF0004", "unclosed-delimiter", Error, "a `{` or `[` is never closed";
    INVALID_NUMBER = "AF0005", "invalid-number", Error, "a number is malformed";
    INVALID_INTERPOLATION = "AF0006", "invalid-interpolation", Error, "a `${` in a string is not a well-formed `${name}`";
    TOO_DEEP = "AF0007", "nesting-too-deep", Error, "blocks or lists are nested deeper than afc allows";
    INVALID_UTF8 = "AF0008", "invalid-utf8", Error, "a file is not valid UTF-8";
    IO = "AF0009", "io-error", Error, "a file or directory cannot be read or written";
    LIMIT = "AF0010", "limit-exceeded", Error, "the input is larger than afc accepts (file size, file count)";
    UNKNOWN_KIND = "AF1001", "unknown-kind", Error, "a declaration starts with a word that is not a kind";
    UNKNOWN_ATTRIBUTE = "AF1002", "unknown-attribute", Error, "an attribute or block is not valid for its declaration";
    TYPE_MISMATCH = "AF1003", "type-mismatch", Error, "a value has the wrong type for its attribute";
    MISSING_ATTRIBUTE = "AF1004", "missing-attribute", Error, "a required attribute is missing";
    DUPLICATE_ATTRIBUTE = "AF1005", "duplicate-attribute", Error, "an attribute or block is given twice";
    DUPLICATE_DECLARATION = "AF1006", "duplicate-declaration", Error, "two declarations have the same name";
    INVALID_VALUE = "AF1007", "invalid-value", Error, "a value is out of range or malformed for its attribute";
    INVALID_UNIT = "AF1008", "invalid-unit", Error, "a number's unit suffix does not fit its attribute";
    UNKNOWN_VARIABLE = "AF1009", "unknown-variable", Error, "a string interpolates a variable other than domain, env, namespace";
    STDLIB_REDEFINED = "AF1010", "stdlib-redefined", Error, "a declaration reuses a stdlib name without `override`";
    OVERRIDE_NOTHING = "AF1011", "override-without-target", Error, "`override` is used on a name the stdlib does not define";
    PLATFORM_COUNT = "AF1012", "platform-count", Error, "a workspace needs exactly one `platform`";
    PLAINTEXT_SECRET = "AF1013", "plaintext-secret", Error, "a secret holds a plaintext value instead of a sealed ciphertext";
    INVALID_NAME = "AF1014", "invalid-name", Error, "a name breaks the naming rules (Kubernetes object names)";
    INVALID_OVERRIDE = "AF1015", "invalid-override", Error, "an environment override names something that cannot be overridden";
    MISSING_DOMAIN = "AF1016", "missing-domain", Error, "a string uses `${domain}` in an environment that has no domain";
    UNDEFINED_REFERENCE = "AF2001", "undefined-reference", Error, "a reference names nothing that is declared";
    WRONG_KIND = "AF2002", "wrong-kind-reference", Error, "a reference names a declaration of the wrong kind";
    CYCLE = "AF2003", "dependency-cycle", Error, "services use each other in a cycle";
    UNUSED = "AF2004", "unused-declaration", Warning, "a declaration is never used";
    UNKNOWN_RULE = "AF3001", "unknown-rule", Warning, "a `severity` entry or an `afc:allow` comment names no lint rule";
    SUPPRESSION_WITHOUT_REASON = "AF3002", "suppression-without-reason", Warning, "an `afc:allow` comment gives no reason after `--`";
    UNUSED_SUPPRESSION = "AF3003", "unused-suppression", Warning, "an `afc:allow` comment silences no finding";
    LICENSE_DENIED = "AF3010", "license-denied", Error, "a component's license is not allowed by the platform's policy";
    LICENSE_UNKNOWN = "AF3011", "license-unknown", Error, "a component has no known license";
    LICENSE_INVALID = "AF3012", "license-invalid", Error, "a license is not a valid SPDX expression, or a version range is malformed";
    LICENSE_CHOICE = "AF3013", "license-choice", Info, "a component passes only through one side of an `OR`; the others are denied";
    SECRET_IN_ENV = "AF3020", "secret-in-env", Error, "a value in `env { }` looks like a secret";
    SEALED_WRONG_KEY = "AF3021", "sealed-wrong-key", Error, "a sealed value was not sealed with a key of the size of the cluster's `sealing_cert`";
    SEALING_CERT_UNREADABLE = "AF3022", "sealing-cert-unreadable", Warning, "a cluster's `sealing_cert` cannot be read as a certificate";
    SEALED_UNKNOWN_ENV = "AF3023", "sealed-unknown-env", Error, "a `sealed` block names an environment that does not exist";
    RBAC_SECRETS_READ = "AF3030", "rbac-secrets-read", Error, "`access` can list or watch secrets";
    RBAC_WILDCARD = "AF3031", "rbac-wildcard", Error, "`access` uses a wildcard verb or resource";
    RBAC_ESCALATION = "AF3032", "rbac-escalation", Error, "`access` grants `escalate`, `bind` or `impersonate`";
    RBAC_CLUSTER_SCOPED = "AF3033", "rbac-cluster-scoped", Error, "`access` names a cluster-scoped resource";
    RBAC_POD_EXEC = "AF3034", "rbac-pod-exec", Warning, "`access` lets a workload create pods or exec or attach into them";
    MUTABLE_TAG = "AF3040", "mutable-tag", Info, "an image tag looks mutable (a branch name or a partial version)";
    MISSING_HEALTH = "AF3041", "missing-health", Warning, "a service has no `health` path for its probes";
    YUGABYTEDB_REPLICAS = "AF3042", "yugabytedb-replicas", Warning, "a YugabyteDB database has fewer than 3 replicas";
    OUTPUT_NOT_OWNED = "AF4001", "output-not-owned", Error, "the output directory holds files afc did not write";
    OUTPUT_STALE = "AF4002", "output-stale", Error, "the committed output differs from a fresh build (`afc build --check`)";
    MISSING_SEALED_BLOCK = "AF4003", "missing-sealed-block", Error, "a secret is used in an environment it has no sealed block for";
    MISSING_SECRET_KEY = "AF4004", "missing-secret-key", Error, "a data store's credentials secret lacks a key it needs";
    ENV_VAR_CONFLICT = "AF4005", "env-var-conflict", Error, "two sources give a workload the same environment variable";
    UNPINNED_IMAGE = "AF4006", "image-not-pinned", Error, "an image has no tag or digest, or is `latest`";
    IMAGE_BUILD_TAG = "AF4007", "yugabytedb-build-tag", Error, "a YugabyteDB version has no build number and no `image`";
    OBJECT_NAME_CONFLICT = "AF4008", "object-name-conflict", Error, "two declarations produce Kubernetes objects of the same kind and name";
    REPLICATED_POSTGRES = "AF4009", "replicated-postgres", Error, "a postgres database has more than one replica";
    UNPORTABLE_STRING = "AF4010", "unportable-string", Error, "a string is one kubectl kustomize cannot carry unchanged to every YAML reader";
    SECRETS_NOT_ENCRYPTED = "AF4011", "secrets-not-encrypted", Error, "a cluster does not encrypt Secrets at rest (`encrypt_secrets = false`)";
    EVEN_SERVERS = "AF4012", "even-server-count", Warning, "a cluster has an even number of servers, which adds no etcd fault tolerance";
    MISSING_ACME_EMAIL = "AF4013", "missing-acme-email", Error, "a route needs a certificate from a cluster that has no `acme_email`";
    CLUSTER_CAPACITY = "AF4014", "cluster-capacity", Error, "the environments placed on a cluster request more than its nodes provide";
    ROUTE_CONFLICT = "AF4015", "route-conflict", Error, "two routes on one cluster claim the same host";
    OBJECT_NAME_TOO_LONG = "AF4016", "object-name-too-long", Error, "a declaration's name makes one of its Kubernetes objects' names too long for Kubernetes";
    SEAL_UNKNOWN_SECRET = "AF4050", "seal-unknown-secret", Error, "`afc seal --secret` names no secret of the workspace";
    SEAL_INVALID_KEY = "AF4051", "seal-invalid-key", Error, "`afc seal --key` is not a secret key (`[A-Za-z_][A-Za-z0-9_]*`)";
    SEAL_UNKNOWN_ENV = "AF4052", "seal-unknown-env", Error, "`afc seal --env` names no environment of the workspace";
    SEAL_ENV_REQUIRED = "AF4053", "seal-env-required", Error, "`afc seal` needs `--env` for a secret that is not cluster-wide";
    SEAL_NO_CERTIFICATE = "AF4054", "seal-no-certificate", Error, "`afc seal` has no certificate: no `--cert` and no `sealing_cert` to use";
    SEAL_INVALID_CERTIFICATE = "AF4055", "seal-invalid-certificate", Error, "the sealing certificate is not a PEM X.509 certificate with a usable RSA key";
    SEAL_CERTIFICATE_EXPIRED = "AF4056", "seal-certificate-expired", Error, "the sealing certificate has expired";
    SEAL_NOT_RSA = "AF4057", "seal-not-rsa", Error, "the sealing certificate's key is not an RSA key";
    SEAL_WORKSPACE_ERRORS = "AF4058", "seal-workspace-errors", Error, "`afc seal` refuses a workspace with errors that sealing does not fix";
    SEAL_DOES_NOT_OPEN = "AF4059", "seal-does-not-open", Error, "a sealed value does not open with the key for its namespace, name and scope";
    SEAL_INVALID_PRIVATE_KEY = "AF4060", "seal-invalid-private-key", Error, "the `--verify-with` file is not an unencrypted RSA private key in PEM";
    SEAL_EDIT_FAILED = "AF4061", "seal-edit-failed", Error, "`afc seal` could not make its edit safely, so it wrote nothing";
}
