//! One schema per declaration kind: the attributes, their types and units, defaults and
//! documentation. The checker, the language server's completion and hover, and the
//! docs all read this table.

/// The type of an attribute's value.
#[derive(Debug)]
pub enum Ty {
    Str(StrCheck),
    /// A whole number without unit, within `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// CPU: `250m`, `0.5`, `2` (stored in millicores).
    Cpu,
    /// Memory or storage: `512Mi`, `20Gi`, `1G` (stored in bytes; a unit is required).
    Bytes,
    /// A duration: `500ms`, `30s`, `5m`, `1h`, `1d` (stored in milliseconds).
    Duration,
    Bool,
    /// A reference to a declaration of one of these kinds.
    Ref(&'static [&'static str]),
    /// One of a fixed set of bare words.
    Sym(&'static [&'static str]),
    List(&'static Ty),
    /// A nested block `key { ... }` with its own attributes.
    Block(&'static [AttrSpec]),
    /// A block mapping free keys to values: `env { KEY = "v" }`.
    Map {
        keys: KeyRule,
        value: &'static Ty,
    },
    /// `sealed ENV { KEY = "ciphertext" }` blocks (one without label when cluster-wide).
    Sealed,
}

/// What the keys of a [`Ty::Map`] block look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// `[A-Za-z_][A-Za-z0-9_]*`: environment variables and secret keys.
    EnvVar,
    /// A quoted string: version ranges.
    Quoted,
    /// An attribute-style name: `[a-z_][a-z0-9_-]*` (rule names).
    Name,
}

/// Extra checks on a string value (beyond being a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrCheck {
    Any,
    /// `v1.31.4+k3s1`
    K3sVersion,
    /// `7.2.7`, `2.25.1.0`, `16`
    Version,
    /// An HTTP path starting with `/`.
    Path,
    /// A git URL (`https://`, `ssh://`, `git@`).
    GitUrl,
    /// An e-mail address.
    Email,
    /// A Kubernetes namespace (DNS label).
    Namespace,
    /// A host name; `${...}` allowed, checked once resolved.
    Host,
    /// `"VERB[,VERB] RESOURCE"`.
    Access,
    /// A SQL identifier.
    SqlName,
    /// An https URL.
    HttpsUrl,
    /// A relative file path inside the workspace.
    RelPath,
    /// Not empty.
    NonEmpty,
    /// A container image reference: `ghcr.io/acme/api:1.2.0` ([`super::image_ref`]).
    Image,
    /// An image repository, without tag or digest: `docker.io/library/postgres`.
    ImageRepo,
}

#[derive(Debug)]
pub struct AttrSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default as `.af` text, for documentation and hover (`None`: no default, or
    /// one computed from other attributes, described in `doc`).
    pub default: Option<&'static str>,
    pub doc: &'static str,
    /// May an `env` override it (`NAME.attr = value`)?
    pub overridable: bool,
}

#[derive(Debug)]
pub struct KindSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub attrs: &'static [AttrSpec],
}

impl KindSpec {
    #[must_use]
    pub fn attr(&self, name: &str) -> Option<&'static AttrSpec> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

macro_rules! attr {
    ($name:literal, $ty:expr, req, $doc:literal) => {
        AttrSpec {
            name: $name,
            ty: $ty,
            required: true,
            default: None,
            doc: $doc,
            overridable: false,
        }
    };
    ($name:literal, $ty:expr, req, over, $doc:literal) => {
        AttrSpec {
            name: $name,
            ty: $ty,
            required: true,
            default: None,
            doc: $doc,
            overridable: true,
        }
    };
    ($name:literal, $ty:expr, $default:expr, $doc:literal) => {
        AttrSpec {
            name: $name,
            ty: $ty,
            required: false,
            default: $default,
            doc: $doc,
            overridable: false,
        }
    };
    ($name:literal, $ty:expr, $default:expr, over, $doc:literal) => {
        AttrSpec {
            name: $name,
            ty: $ty,
            required: false,
            default: $default,
            doc: $doc,
            overridable: true,
        }
    };
}

const SIZE: &[AttrSpec] = &[
    attr!("cpu", Ty::Cpu, req, "CPU of one node: `2`, `500m`."),
    attr!("memory", Ty::Bytes, req, "Memory of one node: `4Gi`."),
];

const USES_KINDS: &[&str] = &["database", "cache", "service", "secret"];

/// Attributes shared by `service` and `site` (`route` and `health` differ).
macro_rules! workload_attrs {
    ($route:expr, $health:expr) => {
        &[
            attr!("image", Ty::Str(StrCheck::Image), req, over, "Container image with a tag or digest: `ghcr.io/acme/api:1.2.0`."),
            attr!("port", Ty::Int { min: 1, max: 65535 }, req, over, "The container port the workload listens on (1-65535)."),
            $health,
            attr!("replicas", Ty::Int { min: 0, max: 10000 }, Some("2"), over, "Number of pods."),
            attr!("uses", Ty::List(&Ty::Ref(USES_KINDS)), Some("[]"), "Databases, caches, services and secrets this workload uses: each becomes env vars, a network policy rule and a sync-wave edge."),
            $route,
            attr!("cpu", Ty::Cpu, Some("100m"), over, "CPU request (`250m`, `0.5`, `2`); the limit is twice the request."),
            attr!("memory", Ty::Bytes, Some("128Mi"), over, "Memory request (`256Mi`); the limit equals the request."),
            attr!("env", Ty::Map { keys: KeyRule::EnvVar, value: &Ty::Str(StrCheck::Any) }, None, over, "Environment variables: `env { LOG_LEVEL = \"info\" }`."),
            attr!("license", Ty::Str(StrCheck::NonEmpty), None, over, "SPDX license expression of the image's code: `MIT`, `Apache-2.0 OR MIT`."),
            attr!("access", Ty::List(&Ty::Str(StrCheck::Access)), Some("[]"), over, "Kubernetes API rights, `\"VERB[,VERB] RESOURCE\"`: `\"get,watch configmaps\"`."),
            attr!("command", Ty::List(&Ty::Str(StrCheck::Any)), None, over, "The container's command (entrypoint)."),
            attr!("args", Ty::List(&Ty::Str(StrCheck::Any)), None, over, "The container's arguments."),
            attr!("mesh", Ty::Sym(&["linkerd"]), None, over, "Opt in to a service mesh: `mesh = linkerd`."),
        ]
    };
}

pub static KINDS: &[KindSpec] = &[
    KindSpec {
        kind: "platform",
        doc: "The platform: exactly one per workspace. Argo CD syncs it from `repo`.",
        attrs: &[
            attr!(
                "repo",
                Ty::Str(StrCheck::GitUrl),
                req,
                "Git URL Argo CD syncs from."
            ),
            attr!(
                "revision",
                Ty::Str(StrCheck::NonEmpty),
                Some("\"HEAD\""),
                "Branch, tag or commit Argo CD tracks."
            ),
            attr!(
                "path",
                Ty::Str(StrCheck::RelPath),
                Some("\"deploy\""),
                "Where the build output is committed, relative to the workspace."
            ),
            attr!(
                "policy",
                Ty::Ref(&["policy"]),
                Some("open-source"),
                "The lint policy."
            ),
        ],
    },
    KindSpec {
        kind: "cluster",
        doc: "A K3s cluster.",
        attrs: &[
            attr!(
                "distribution",
                Ty::Sym(&["k3s"]),
                Some("k3s"),
                "The Kubernetes distribution."
            ),
            attr!(
                "version",
                Ty::Str(StrCheck::K3sVersion),
                None,
                "K3s version, `v1.31.4+k3s1` form; defaults to the stdlib `k3s` component's."
            ),
            attr!(
                "servers",
                Ty::Int { min: 1, max: 99 },
                Some("1"),
                "Number of server (control-plane) nodes."
            ),
            attr!(
                "agents",
                Ty::Int { min: 0, max: 9999 },
                Some("0"),
                "Number of agent (worker) nodes."
            ),
            attr!(
                "server_size",
                Ty::Block(SIZE),
                None,
                "Size of one server: `{ cpu = 2, memory = 4Gi }`."
            ),
            attr!(
                "agent_size",
                Ty::Block(SIZE),
                None,
                "Size of one agent: `{ cpu = 4, memory = 8Gi }`."
            ),
            attr!(
                "encrypt_secrets",
                Ty::Bool,
                Some("true"),
                "etcd encryption at rest for Secrets."
            ),
            attr!(
                "tls",
                Ty::Sym(&["letsencrypt", "cert-manager"]),
                Some("letsencrypt"),
                "How routes get certificates."
            ),
            attr!(
                "acme_email",
                Ty::Str(StrCheck::Email),
                None,
                "ACME account e-mail; required when a route uses Let's Encrypt."
            ),
            attr!(
                "api",
                Ty::Str(StrCheck::HttpsUrl),
                Some("\"https://kubernetes.default.svc\""),
                "API server URL: the Argo CD destination."
            ),
            attr!(
                "sealing_cert",
                Ty::Str(StrCheck::RelPath),
                None,
                "Path (relative to the workspace) of the Sealed Secrets controller's public certificate (PEM)."
            ),
        ],
    },
    KindSpec {
        kind: "env",
        doc: "A deployment environment: one Kustomize overlay and one Argo CD Application. Dotted keys (`backend.replicas = 3`) override a workload's attribute here.",
        attrs: &[
            attr!(
                "cluster",
                Ty::Ref(&["cluster"]),
                None,
                "The cluster it runs on; required when there is more than one."
            ),
            attr!(
                "namespace",
                Ty::Str(StrCheck::Namespace),
                None,
                "Kubernetes namespace; default `<platform>-<env>`."
            ),
            attr!(
                "domain",
                Ty::Str(StrCheck::Host),
                None,
                "The value of `${domain}` in this environment."
            ),
            attr!(
                "revision",
                Ty::Str(StrCheck::NonEmpty),
                None,
                "Git revision Argo CD tracks for it; default the platform's."
            ),
            attr!(
                "auto_sync",
                Ty::Bool,
                Some("true"),
                "Automated sync with prune and self-heal."
            ),
        ],
    },
    KindSpec {
        kind: "service",
        doc: "A long-running container behind a ClusterIP Service.",
        attrs: workload_attrs!(
            attr!(
                "route",
                Ty::Str(StrCheck::Host),
                None,
                over,
                "Public host name; implies TLS: `\"api.${domain}\"`."
            ),
            attr!(
                "health",
                Ty::Str(StrCheck::Path),
                None,
                over,
                "HTTP path for readiness and liveness probes."
            )
        ),
    },
    KindSpec {
        kind: "site",
        doc: "A web front end (e.g. Next.js), always public.",
        attrs: workload_attrs!(
            attr!(
                "route",
                Ty::Str(StrCheck::Host),
                req,
                over,
                "Public host name; implies TLS: `\"${domain}\"`."
            ),
            attr!(
                "health",
                Ty::Str(StrCheck::Path),
                Some("\"/\""),
                over,
                "HTTP path for readiness and liveness probes."
            )
        ),
    },
    KindSpec {
        kind: "database",
        doc: "A stateful SQL database.",
        attrs: &[
            attr!(
                "engine",
                Ty::Ref(&["engine"]),
                req,
                "`yugabytedb` or `postgres`."
            ),
            attr!(
                "version",
                Ty::Str(StrCheck::Version),
                req,
                over,
                "Engine version: `2.25.1.0`, `16.4`."
            ),
            attr!(
                "replicas",
                Ty::Int { min: 1, max: 99 },
                None,
                over,
                "Number of replicas; default 3 for yugabytedb, 1 for postgres."
            ),
            attr!(
                "storage",
                Ty::Bytes,
                req,
                over,
                "Volume size per replica: `50Gi`."
            ),
            attr!(
                "credentials",
                Ty::Ref(&["secret"]),
                req,
                "A secret with keys `username` and `password`."
            ),
            attr!(
                "database",
                Ty::Str(StrCheck::SqlName),
                None,
                "Database name; default the declaration's name."
            ),
            attr!(
                "image",
                Ty::Str(StrCheck::Image),
                None,
                over,
                "Full image reference with a tag or digest; default the engine's image tagged with `version` (YugabyteDB tags carry a build number: `docker.io/yugabytedb/yugabyte:2.25.1.0-b381`)."
            ),
        ],
    },
    KindSpec {
        kind: "cache",
        doc: "An in-memory store.",
        attrs: &[
            attr!("engine", Ty::Ref(&["engine"]), req, "`redis` or `valkey`."),
            attr!(
                "version",
                Ty::Str(StrCheck::Version),
                req,
                over,
                "Engine version: `7.2.7`, `8.1`."
            ),
            attr!(
                "storage",
                Ty::Bytes,
                None,
                over,
                "Volume size; omit for no persistence."
            ),
            attr!(
                "credentials",
                Ty::Ref(&["secret"]),
                None,
                "A secret with key `password`."
            ),
            attr!(
                "image",
                Ty::Str(StrCheck::Image),
                None,
                over,
                "Full image reference with a tag or digest; default the engine's image tagged with `version`."
            ),
        ],
    },
    KindSpec {
        kind: "secret",
        doc: "A Kubernetes Secret that exists in git only as a SealedSecret.",
        attrs: &[
            attr!(
                "scope",
                Ty::Sym(&["strict", "namespace-wide", "cluster-wide"]),
                Some("strict"),
                "Sealing scope: what the ciphertext is bound to."
            ),
            attr!(
                "sealed",
                Ty::Sealed,
                None,
                "`sealed ENV { KEY = \"<ciphertext>\" }` per environment; one block with no label when cluster-wide."
            ),
        ],
    },
    KindSpec {
        kind: "engine",
        doc: "A stateful component's metadata (stdlib: yugabytedb, postgres, redis, valkey).",
        attrs: &[
            attr!(
                "image",
                Ty::Str(StrCheck::ImageRepo),
                req,
                "Image repository, without tag (the tag comes from `version`)."
            ),
            attr!("port", Ty::Int { min: 1, max: 65535 }, req, "Client port."),
            attr!(
                "license",
                Ty::Map {
                    keys: KeyRule::Quoted,
                    value: &Ty::Str(StrCheck::NonEmpty)
                },
                req,
                "SPDX expression per version range: `\"<7.4\" = \"BSD-3-Clause\"`."
            ),
            attr!(
                "serves",
                Ty::Sym(&["database", "cache"]),
                None,
                "What it can back: a `database` or a `cache`."
            ),
            attr!(
                "tags",
                Ty::Map {
                    keys: KeyRule::Quoted,
                    value: &Ty::Str(StrCheck::NonEmpty)
                },
                None,
                "Image tag per version where the two differ: `\"2.25.1.0\" = \"2.25.1.0-b381\"` (YugabyteDB tags carry a build number)."
            ),
            attr!("cpu", Ty::Cpu, None, "Minimum CPU request per replica."),
            attr!(
                "memory",
                Ty::Bytes,
                None,
                "Minimum memory request per replica."
            ),
        ],
    },
    KindSpec {
        kind: "component",
        doc: "A part of the platform's own stack (stdlib: k3s, traefik, argocd, sealed-secrets, cert-manager, linkerd).",
        attrs: &[
            attr!(
                "version",
                Ty::Str(StrCheck::NonEmpty),
                req,
                "The version the platform deploys."
            ),
            attr!(
                "image",
                Ty::Str(StrCheck::ImageRepo),
                None,
                "Image repository."
            ),
            attr!(
                "license",
                Ty::Map {
                    keys: KeyRule::Quoted,
                    value: &Ty::Str(StrCheck::NonEmpty)
                },
                req,
                "SPDX expression per version range."
            ),
        ],
    },
    KindSpec {
        kind: "policy",
        doc: "Lint policy: license allow and deny lists and rule severities.",
        attrs: &[
            attr!(
                "allow_licenses",
                Ty::List(&Ty::Str(StrCheck::NonEmpty)),
                None,
                "SPDX ids allowed besides OSI-approved ones."
            ),
            attr!(
                "deny_licenses",
                Ty::List(&Ty::Str(StrCheck::NonEmpty)),
                None,
                "SPDX ids refused even when OSI-approved."
            ),
            attr!(
                "severity",
                Ty::Map {
                    keys: KeyRule::Name,
                    value: &Ty::Sym(&["off", "warn", "error"])
                },
                None,
                "Rule severities: `severity { unused-declaration = off }`."
            ),
        ],
    },
];

/// The schema of a kind.
#[must_use]
pub fn kind(name: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.kind == name)
}

/// What a type accepts, for messages: "a whole number from 1 to 65535".
#[must_use]
pub fn describe(ty: &Ty) -> String {
    match ty {
        Ty::Str(_) => "a string".into(),
        Ty::Int { min, max } => format!("a whole number from {min} to {max}"),
        Ty::Cpu => "a CPU amount such as `250m` or `2`".into(),
        Ty::Bytes => "a size such as `512Mi` or `20Gi`".into(),
        Ty::Duration => "a duration such as `30s` or `5m`".into(),
        Ty::Bool => "`true` or `false`".into(),
        Ty::Ref(kinds) => format!("the name of a {}", crate::sema::one_of(kinds, "or")),
        Ty::Sym(words) => format!(
            "one of {}",
            words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::List(Ty::Ref(kinds)) => {
            format!("a list of names of {}", crate::sema::one_of(kinds, "or"))
        }
        Ty::List(inner) => format!("a list of {}", plural(&describe(inner))),
        Ty::Block(_) | Ty::Map { .. } | Ty::Sealed => "a block `{ ... }`".into(),
    }
}

fn plural(s: &str) -> String {
    s.strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .map_or_else(|| s.to_string(), |r| format!("{r}s"))
}
