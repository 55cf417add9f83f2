//! The typed model: one struct per kind, defaults filled in, and one resolved view per
//! environment (overrides applied, `${...}` substituted). Later stages (build, lint,
//! the language server) read this, never the syntax tree.

use super::value::{Attrs, Spanned, Val};
use crate::syntax::ast::{StrLit, StrPart};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub platform: Option<Platform>,
    pub clusters: Vec<Cluster>,
    /// Every environment, resolved.
    pub envs: Vec<Env>,
    /// In name order.
    pub secrets: Vec<Secret>,
    /// In name order.
    pub engines: Vec<Engine>,
    pub components: Vec<Component>,
    pub policies: Vec<Policy>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Platform {
    pub name: String,
    pub repo: String,
    pub revision: String,
    pub path: String,
    pub policy: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Size {
    /// Millicores.
    pub cpu: u64,
    /// Bytes.
    pub memory: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    pub name: String,
    pub distribution: String,
    pub version: String,
    pub servers: u32,
    pub agents: u32,
    pub server_size: Option<Size>,
    pub agent_size: Option<Size>,
    pub encrypt_secrets: bool,
    /// `letsencrypt` or `cert-manager`.
    pub tls: String,
    pub acme_email: Option<String>,
    pub api: String,
    pub sealing_cert: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Env {
    pub name: String,
    pub cluster: Option<String>,
    pub namespace: String,
    pub domain: Option<String>,
    pub revision: String,
    pub auto_sync: bool,
    /// Services and sites, in declaration-name order.
    pub workloads: Vec<Workload>,
    pub databases: Vec<Database>,
    pub caches: Vec<Cache>,
}

/// One resolved service, site, database or cache ([`record`]).
#[derive(Clone, Debug)]
pub(crate) enum Record {
    Workload(Workload),
    Database(Database),
    Cache(Cache),
}

/// A service, site, database or cache read through `g` (with an environment's
/// variables); `None` for declarations of other kinds.
pub(crate) fn record(kind: &str, name: &str, g: &Get) -> Option<Record> {
    Some(match kind {
        "service" => Record::Workload(workload(WorkloadKind::Service, name, g)),
        "site" => Record::Workload(workload(WorkloadKind::Site, name, g)),
        "database" => Record::Database(database(name, g)),
        "cache" => Record::Cache(cache(name, g)),
        _ => return None,
    })
}

impl Env {
    /// Adds a resolved declaration, if any ([`Env::add`]).
    pub(crate) fn add_opt(&mut self, r: Option<Record>) {
        if let Some(r) = r {
            self.add(r);
        }
    }

    /// Adds a resolved declaration (declarations come in name order).
    pub(crate) fn add(&mut self, r: Record) {
        match r {
            Record::Workload(w) => self.workloads.push(w),
            Record::Database(d) => self.databases.push(d),
            Record::Cache(c) => self.caches.push(c),
        }
    }

    /// The service or site called `name` (the lists are in name order).
    #[must_use]
    pub fn workload(&self, name: &str) -> Option<&Workload> {
        find_sorted(&self.workloads, name, |w| &w.name)
    }

    /// The database called `name`.
    #[must_use]
    pub fn database(&self, name: &str) -> Option<&Database> {
        find_sorted(&self.databases, name, |d| &d.name)
    }

    /// The cache called `name`.
    #[must_use]
    pub fn cache(&self, name: &str) -> Option<&Cache> {
        find_sorted(&self.caches, name, |c| &c.name)
    }
}

impl Model {
    /// The secret called `name`.
    #[must_use]
    pub fn secret(&self, name: &str) -> Option<&Secret> {
        find_sorted(&self.secrets, name, |s| &s.name)
    }

    /// The engine called `name`.
    #[must_use]
    pub fn engine(&self, name: &str) -> Option<&Engine> {
        find_sorted(&self.engines, name, |e| &e.name)
    }
}

fn find_sorted<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &String) -> Option<&'a T> {
    items
        .binary_search_by(|t| key(t).as_str().cmp(name))
        .ok()
        .map(|i| &items[i])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    Service,
    Site,
}

#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub name: String,
    pub image: String,
    pub port: u16,
    pub health: Option<String>,
    pub replicas: u32,
    pub uses: Vec<String>,
    pub route: Option<String>,
    /// Millicores.
    pub cpu: Option<u64>,
    /// Bytes.
    pub memory: Option<u64>,
    /// `env { }` in key order (a list, not a map: a workload has a few, and an
    /// environment model holds every workload).
    pub env: Vec<(String, String)>,
    pub license: Option<String>,
    pub access: Vec<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub mesh: Option<String>,
}

/// The CPU request of a workload that sets no `cpu`, in millicores.
pub const DEFAULT_CPU_MILLIS: u64 = 100;
/// The memory request of a workload that sets no `memory`, in bytes.
pub const DEFAULT_MEMORY_BYTES: u64 = 128 << 20;

impl Workload {
    /// The CPU request in millicores: `cpu`, or [`DEFAULT_CPU_MILLIS`].
    #[must_use]
    pub fn cpu_request(&self) -> u64 {
        self.cpu.unwrap_or(DEFAULT_CPU_MILLIS)
    }

    /// The value of `env` entry `key`.
    #[must_use]
    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.env[i].1.as_str())
    }

    /// The memory request in bytes: `memory`, or [`DEFAULT_MEMORY_BYTES`].
    #[must_use]
    pub fn memory_request(&self) -> u64 {
        self.memory.unwrap_or(DEFAULT_MEMORY_BYTES)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Database {
    pub name: String,
    pub engine: String,
    pub version: String,
    pub replicas: u32,
    /// Bytes per replica.
    pub storage: u64,
    pub credentials: String,
    pub database: String,
    /// The full image reference when given (`image`); otherwise the engine's image
    /// tagged with `version`.
    pub image: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cache {
    pub name: String,
    pub engine: String,
    pub version: String,
    pub storage: Option<u64>,
    pub credentials: Option<String>,
    /// The full image reference when given (`image`); otherwise the engine's image
    /// tagged with `version`.
    pub image: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Secret {
    pub name: String,
    /// `strict`, `namespace-wide` or `cluster-wide`.
    pub scope: String,
    /// Environment (`None` for the cluster-wide block) → key → ciphertext.
    #[serde(serialize_with = "sealed_map")]
    pub sealed: BTreeMap<Option<String>, BTreeMap<String, String>>,
}

/// Serialises the unlabelled (cluster-wide) block under the key `""`.
fn sealed_map<S: serde::Serializer>(
    m: &BTreeMap<Option<String>, BTreeMap<String, String>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(m.iter().map(|(k, v)| (k.as_deref().unwrap_or(""), v)))
}

#[derive(Clone, Debug, Serialize)]
pub struct Engine {
    pub name: String,
    pub image: String,
    pub port: u16,
    /// Version range → SPDX expression, in written order.
    pub license: Vec<(String, String)>,
    pub serves: Option<String>,
    /// Version → image tag, where they differ.
    pub tags: BTreeMap<String, String>,
    pub cpu: Option<u64>,
    pub memory: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Component {
    pub name: String,
    pub version: String,
    pub image: Option<String>,
    pub license: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub allow_licenses: Vec<String>,
    pub deny_licenses: Vec<String>,
    pub severity: BTreeMap<String, String>,
}

/// The values of `${domain}`, `${env}` and `${namespace}` in one environment.
#[derive(Clone, Debug)]
pub struct Vars<'a> {
    pub domain: Option<&'a str>,
    pub env: &'a str,
    pub namespace: &'a str,
}

impl Vars<'_> {
    /// The string with its variables substituted; `Err(name)` names the first variable
    /// with no value.
    pub fn subst(&self, s: &StrLit) -> Result<String, String> {
        let mut out = String::new();
        for p in &s.parts {
            match p {
                StrPart::Lit(t) => out.push_str(t),
                StrPart::Var(v) => match v.text.as_str() {
                    "domain" => out.push_str(self.domain.ok_or_else(|| v.text.clone())?),
                    "env" => out.push_str(self.env),
                    "namespace" => out.push_str(self.namespace),
                    other => return Err(other.to_string()),
                },
            }
        }
        Ok(out)
    }
}

/// Typed reads from checked attributes. A missing or mistyped value (already reported)
/// reads as the type's empty value, so a model exists even for a workspace with errors.
pub(crate) struct Get<'a> {
    pub attrs: &'a Attrs,
    pub vars: Option<&'a Vars<'a>>,
}

impl Get<'_> {
    fn raw(&self, key: &str) -> Option<&Val> {
        self.attrs.get(key).map(|s| &s.val)
    }

    fn text(&self, s: &StrLit) -> String {
        match self.vars {
            Some(v) => v.subst(s).unwrap_or_else(|_| s.literal_text()),
            None => s.literal_text(),
        }
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Val::Str(s) => Some(self.text(s)),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.raw(key)? {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn u32(&self, key: &str, default: u32) -> u32 {
        self.int(key)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(default)
    }

    pub fn quantity(&self, key: &str) -> Option<u64> {
        match self.raw(key)? {
            Val::Cpu(v) | Val::Bytes(v) | Val::Duration(v) => Some(*v),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str, default: bool) -> bool {
        match self.raw(key) {
            Some(Val::Bool(b)) => *b,
            _ => default,
        }
    }

    /// A reference or a symbol, as its name.
    pub fn name(&self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Val::Ref(id) => Some(id.text.clone()),
            Val::Sym(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn names(&self, key: &str) -> Vec<String> {
        self.list(key)
            .iter()
            .filter_map(|s| match &s.val {
                Val::Ref(id) => Some(id.text.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn strs(&self, key: &str) -> Option<Vec<String>> {
        match self.raw(key)? {
            Val::List(items) => Some(
                items
                    .iter()
                    .filter_map(|s| match &s.val {
                        Val::Str(t) => Some(self.text(t)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn list(&self, key: &str) -> &[Spanned] {
        match self.raw(key) {
            Some(Val::List(items)) => items,
            _ => &[],
        }
    }

    /// A map of strings (`env { }`, `tags { }`) as a list in key order: the entries
    /// whose value is a string or a name.
    pub fn str_pairs(&self, key: &str) -> Vec<(String, String)> {
        match self.raw(key) {
            Some(Val::Map(m)) => m
                .iter()
                .filter_map(|(k, v)| match &v.val {
                    Val::Str(s) => Some((k.clone(), self.text(s))),
                    Val::Sym(s) => Some((k.clone(), s.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// [`Get::str_pairs`] as a map.
    pub fn str_map(&self, key: &str) -> BTreeMap<String, String> {
        self.str_pairs(key).into_iter().collect()
    }

    /// A `license { "range" = "expr" }` block in written order.
    pub fn license_table(&self, key: &str) -> Vec<(String, String)> {
        let mut rows: Vec<(&Spanned, String, String)> = match self.raw(key) {
            Some(Val::Map(m)) => m
                .iter()
                .filter_map(|(k, v)| match &v.val {
                    Val::Str(s) => Some((v, k.clone(), s.literal_text())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        rows.sort_by_key(|(v, _, _)| v.span.start);
        rows.into_iter().map(|(_, k, e)| (k, e)).collect()
    }

    pub fn size(&self, key: &str) -> Option<Size> {
        match self.raw(key)? {
            Val::Block(b) => {
                let g = Get {
                    attrs: b,
                    vars: None,
                };
                Some(Size {
                    cpu: g.quantity("cpu")?,
                    memory: g.quantity("memory")?,
                })
            }
            _ => None,
        }
    }
}

pub(crate) fn workload(kind: WorkloadKind, name: &str, g: &Get) -> Workload {
    Workload {
        kind,
        name: name.to_string(),
        image: g.str("image").unwrap_or_default(),
        port: g
            .int("port")
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0),
        health: g
            .str("health")
            .or_else(|| (kind == WorkloadKind::Site).then(|| "/".to_string())),
        replicas: g.u32("replicas", 2),
        uses: g.names("uses"),
        route: g.str("route"),
        cpu: g.quantity("cpu"),
        memory: g.quantity("memory"),
        env: g.str_pairs("env"),
        license: g.str("license"),
        access: g.strs("access").unwrap_or_default(),
        command: g.strs("command"),
        args: g.strs("args"),
        mesh: g.name("mesh"),
    }
}

pub(crate) fn database(name: &str, g: &Get) -> Database {
    let engine = g.name("engine").unwrap_or_default();
    let default_replicas = if engine == "yugabytedb" { 3 } else { 1 };
    Database {
        name: name.to_string(),
        version: g.str("version").unwrap_or_default(),
        replicas: g.u32("replicas", default_replicas),
        storage: g.quantity("storage").unwrap_or(0),
        credentials: g.name("credentials").unwrap_or_default(),
        database: g.str("database").unwrap_or_else(|| name.replace('-', "_")),
        image: g.str("image"),
        engine,
    }
}

pub(crate) fn cache(name: &str, g: &Get) -> Cache {
    Cache {
        name: name.to_string(),
        engine: g.name("engine").unwrap_or_default(),
        version: g.str("version").unwrap_or_default(),
        storage: g.quantity("storage"),
        credentials: g.name("credentials"),
        image: g.str("image"),
    }
}

pub(crate) fn cluster(name: &str, g: &Get, default_version: &str) -> Cluster {
    Cluster {
        name: name.to_string(),
        distribution: g.name("distribution").unwrap_or_else(|| "k3s".into()),
        version: g
            .str("version")
            .unwrap_or_else(|| default_version.to_string()),
        servers: g.u32("servers", 1),
        agents: g.u32("agents", 0),
        server_size: g.size("server_size"),
        agent_size: g.size("agent_size"),
        encrypt_secrets: g.bool("encrypt_secrets", true),
        tls: g.name("tls").unwrap_or_else(|| "letsencrypt".into()),
        acme_email: g.str("acme_email"),
        api: g
            .str("api")
            .unwrap_or_else(|| "https://kubernetes.default.svc".into()),
        sealing_cert: g.str("sealing_cert"),
    }
}

pub(crate) fn secret(name: &str, g: &Get) -> Secret {
    let sealed = match g.attrs.get("sealed").map(|s| &s.val) {
        Some(Val::Sealed(blocks)) => blocks
            .iter()
            .map(|(label, block)| {
                let keys = block
                    .keys
                    .iter()
                    .filter_map(|(k, v)| match &v.val {
                        Val::Str(s) => Some((k.clone(), s.literal_text())),
                        _ => None,
                    })
                    .collect();
                (label.clone(), keys)
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    Secret {
        name: name.to_string(),
        scope: g.name("scope").unwrap_or_else(|| "strict".into()),
        sealed,
    }
}

pub(crate) fn engine(name: &str, g: &Get) -> Engine {
    Engine {
        name: name.to_string(),
        image: g.str("image").unwrap_or_default(),
        port: g
            .int("port")
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0),
        license: g.license_table("license"),
        serves: g.name("serves"),
        tags: g.str_map("tags"),
        cpu: g.quantity("cpu"),
        memory: g.quantity("memory"),
    }
}

pub(crate) fn component(name: &str, g: &Get) -> Component {
    Component {
        name: name.to_string(),
        version: g.str("version").unwrap_or_default(),
        image: g.str("image"),
        license: g.license_table("license"),
    }
}

pub(crate) fn policy(name: &str, g: &Get) -> Policy {
    Policy {
        name: name.to_string(),
        allow_licenses: g.strs("allow_licenses").unwrap_or_default(),
        deny_licenses: g.strs("deny_licenses").unwrap_or_default(),
        severity: g.str_map("severity"),
    }
}
