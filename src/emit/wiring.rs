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
use std::borrow::Cow;

/// Where a variable's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// A literal value (empty when only the names were asked for: [`env_var_names`]).
    Value(Cow<'a, str>),
    /// `valueFrom.secretKeyRef`.
    SecretKey { secret: &'a str, key: Cow<'a, str> },
}

/// Why a workload has a variable (for messages about clashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A key of a used secret.
    SecretKey(&'a str),
    /// The credentials of a used database or cache.
    Credentials(&'a str),
    /// The URL of a used database, cache or service.
    Url(&'a str),
    /// The workload's `env { }`.
    Own,
}

impl Origin<'_> {
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
pub struct EnvVar<'a> {
    pub name: Cow<'a, str>,
    pub source: Source<'a>,
    pub origin: Origin<'a>,
}

impl EnvVar<'_> {
    /// The container `env` entry.
    #[must_use]
    pub fn to_node(self) -> Node {
        let n = Node::map().with("name", self.name.into_owned());
        match self.source {
            Source::Value(v) => n.with("value", v.into_owned()),
            Source::SecretKey { secret, key } => n.with(
                "valueFrom",
                Node::map().with(
                    "secretKeyRef",
                    Node::map()
                        .with("name", secret)
                        .with("key", key.into_owned()),
                ),
            ),
        }
    }
}

fn secret_key<'a>(
    name: Cow<'a, str>,
    secret: &'a str,
    key: impl Into<Cow<'a, str>>,
    origin: Origin<'a>,
) -> EnvVar<'a> {
    EnvVar {
        name,
        source: Source::SecretKey {
            secret,
            key: key.into(),
        },
        origin,
    }
}

/// The connection URL of a used database, cache or service, and the credential
/// variables it refers to (with `values` false, the URL's value is left empty).
fn target_vars<'a>(
    ctx: &Ctx<'a>,
    view: &View<'a>,
    used: &'a str,
    values: bool,
    creds: &mut Vec<EnvVar<'a>>,
    urls: &mut Vec<EnvVar<'a>>,
) {
    let stem = env_stem(used);
    let url = |value: &dyn Fn() -> String| EnvVar {
        name: Cow::Owned(format!("{stem}_URL")),
        source: Source::Value(if values {
            Cow::Owned(value())
        } else {
            Cow::Borrowed("")
        }),
        origin: Origin::Url(used),
    };
    match ctx.kind_of(used) {
        Some("database") => {
            let Some(db) = view.env.database(used) else {
                return;
            };
            let port = ctx.engine(&db.engine).map_or(0, |e| e.port);
            let origin = Origin::Credentials(used);
            creds.push(secret_key(
                Cow::Owned(format!("{stem}_USERNAME")),
                &db.credentials,
                "username",
                origin.clone(),
            ));
            creds.push(secret_key(
                Cow::Owned(format!("{stem}_PASSWORD")),
                &db.credentials,
                "password",
                origin,
            ));
            urls.push(url(&|| {
                format!(
                    "postgresql://$({stem}_USERNAME):$({stem}_PASSWORD)@{}:{port}/{}",
                    fqdn(view, used),
                    db.database
                )
            }));
        }
        Some("cache") => {
            let Some(cache) = view.env.cache(used) else {
                return;
            };
            let port = ctx.engine(&cache.engine).map_or(0, |e| e.port);
            if let Some(secret) = &cache.credentials {
                creds.push(secret_key(
                    Cow::Owned(format!("{stem}_PASSWORD")),
                    secret,
                    "password",
                    Origin::Credentials(used),
                ));
            }
            urls.push(url(&|| {
                let auth = if cache.credentials.is_some() {
                    format!(":$({stem}_PASSWORD)@")
                } else {
                    String::new()
                };
                format!("redis://{auth}{}:{port}", fqdn(view, used))
            }));
        }
        Some("service") => {
            if let Some(w) = view.env.workload(used) {
                urls.push(url(&|| format!("http://{}:{}", fqdn(view, used), w.port)));
            }
        }
        _ => {}
    }
}

/// Every environment variable of a workload's container, in order.
#[must_use]
pub fn env_vars<'a>(ctx: &Ctx<'a>, view: &View<'a>, w: &'a Workload) -> Vec<EnvVar<'a>> {
    vars(ctx, view, w, true)
}

/// [`env_vars`] without the values of the URLs (for checks that only need the names).
#[must_use]
pub fn env_var_names<'a>(ctx: &Ctx<'a>, view: &View<'a>, w: &'a Workload) -> Vec<EnvVar<'a>> {
    vars(ctx, view, w, false)
}

fn vars<'a>(ctx: &Ctx<'a>, view: &View<'a>, w: &'a Workload, values: bool) -> Vec<EnvVar<'a>> {
    let mut used: Vec<&str> = w.uses.iter().map(String::as_str).collect();
    used.sort_unstable();
    used.dedup();
    let mut keys = Vec::new();
    let mut creds = Vec::new();
    let mut urls = Vec::new();
    for u in used {
        if ctx.kind_of(u) == Some("secret") {
            if let Some(s) = ctx.model.secret(u) {
                for k in secret::keys(s, view) {
                    keys.push(secret_key(Cow::Borrowed(k), u, k, Origin::SecretKey(u)));
                }
            }
        } else {
            target_vars(ctx, view, u, values, &mut creds, &mut urls);
        }
    }
    let own = w.env.iter().map(|(k, v)| EnvVar {
        name: Cow::Borrowed(k.as_str()),
        source: Source::Value(Cow::Borrowed(v.as_str())),
        origin: Origin::Own,
    });
    keys.into_iter()
        .chain(creds)
        .chain(urls)
        .chain(own)
        .collect()
}
