//! What a workload receives from what it uses (LANGUAGE.md section 4), as environment
//! variables, in a fixed order:
//! 1. the keys of every used secret (`KEY` from a `secretKeyRef`), by secret then key;
//! 2. the credentials of every used database and cache (`<NAME>_USERNAME`,
//!    `<NAME>_PASSWORD`, from a `secretKeyRef` to its `credentials` secret);
//! 3. `<NAME>_URL` of every used database, cache and service, by name; a URL names the
//!    credentials only as `$(<NAME>_USERNAME)` / `$(<NAME>_PASSWORD)`, which the kubelet
//!    expands when the container starts, so no password is ever written down;
//! 4. the workload's own `env { }`, by key (last, so it may refer to all of the above
//!    with `$(VAR)`).

use super::meta::{env_stem, fqdn};
use super::yaml::Node;
use super::{Ctx, View, secret};
use crate::sema::model::Workload;

/// Where a variable's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A literal value.
    Value(String),
    /// `valueFrom.secretKeyRef`.
    SecretKey { secret: String, key: String },
}

/// Why a workload has a variable (for messages about clashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A key of a used secret.
    SecretKey(String),
    /// The credentials of a used database or cache.
    Credentials(String),
    /// The URL of a used database, cache or service.
    Url(String),
    /// The workload's `env { }`.
    Own,
}

impl Origin {
    /// "a key of secret `jwt`", for messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Origin::SecretKey(s) => format!("a key of secret `{s}`"),
            Origin::Credentials(s) => format!("the credentials of `{s}`"),
            Origin::Url(s) => format!("the URL of `{s}`"),
            Origin::Own => "its own `env`".to_string(),
        }
    }
}

/// One environment variable of a workload's container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub source: Source,
    pub origin: Origin,
}

impl EnvVar {
    /// The container `env` entry.
    #[must_use]
    pub fn to_node(&self) -> Node {
        let n = Node::map().with("name", self.name.as_str());
        match &self.source {
            Source::Value(v) => n.with("value", v.as_str()),
            Source::SecretKey { secret, key } => n.with(
                "valueFrom",
                Node::map().with(
                    "secretKeyRef",
                    Node::map()
                        .with("name", secret.as_str())
                        .with("key", key.as_str()),
                ),
            ),
        }
    }
}

fn secret_key(name: String, secret: &str, key: &str, origin: Origin) -> EnvVar {
    EnvVar {
        name,
        source: Source::SecretKey {
            secret: secret.to_string(),
            key: key.to_string(),
        },
        origin,
    }
}

/// The connection URL of a used database, cache or service, and the credential
/// variables it refers to.
fn target_vars(
    ctx: &Ctx,
    view: &View,
    used: &str,
    creds: &mut Vec<EnvVar>,
    urls: &mut Vec<EnvVar>,
) {
    let stem = env_stem(used);
    let url = |value: String| EnvVar {
        name: format!("{stem}_URL"),
        source: Source::Value(value),
        origin: Origin::Url(used.to_string()),
    };
    match ctx.kind_of(used) {
        Some("database") => {
            let Some(db) = view.env.database(used) else {
                return;
            };
            let port = ctx.engine(&db.engine).map_or(0, |e| e.port);
            let origin = Origin::Credentials(used.to_string());
            creds.push(secret_key(
                format!("{stem}_USERNAME"),
                &db.credentials,
                "username",
                origin.clone(),
            ));
            creds.push(secret_key(
                format!("{stem}_PASSWORD"),
                &db.credentials,
                "password",
                origin,
            ));
            urls.push(url(format!(
                "postgresql://$({stem}_USERNAME):$({stem}_PASSWORD)@{}:{port}/{}",
                fqdn(view, used),
                db.database
            )));
        }
        Some("cache") => {
            let Some(cache) = view.env.cache(used) else {
                return;
            };
            let port = ctx.engine(&cache.engine).map_or(0, |e| e.port);
            let auth = match &cache.credentials {
                Some(secret) => {
                    creds.push(secret_key(
                        format!("{stem}_PASSWORD"),
                        secret,
                        "password",
                        Origin::Credentials(used.to_string()),
                    ));
                    format!(":$({stem}_PASSWORD)@")
                }
                None => String::new(),
            };
            urls.push(url(format!("redis://{auth}{}:{port}", fqdn(view, used))));
        }
        Some("service") => {
            if let Some(w) = view.env.workload(used) {
                urls.push(url(format!("http://{}:{}", fqdn(view, used), w.port)));
            }
        }
        _ => {}
    }
}

/// Every environment variable of a workload's container, in order.
#[must_use]
pub fn env_vars(ctx: &Ctx, view: &View, w: &Workload) -> Vec<EnvVar> {
    let mut used: Vec<&str> = w.uses.iter().map(String::as_str).collect();
    used.sort_unstable();
    used.dedup();
    let mut keys = Vec::new();
    let mut creds = Vec::new();
    let mut urls = Vec::new();
    for u in &used {
        if ctx.kind_of(u) == Some("secret") {
            if let Some(s) = ctx.secret(u) {
                for k in secret::keys(s, view) {
                    keys.push(secret_key(
                        k.clone(),
                        u,
                        &k,
                        Origin::SecretKey((*u).to_string()),
                    ));
                }
            }
        } else {
            target_vars(ctx, view, u, &mut creds, &mut urls);
        }
    }
    let own = w.env.iter().map(|(k, v)| EnvVar {
        name: k.clone(),
        source: Source::Value(v.clone()),
        origin: Origin::Own,
    });
    keys.into_iter()
        .chain(creds)
        .chain(urls)
        .chain(own)
        .collect()
}
