//! Checks of the clusters (part of every analysis, like [`super::checks`]):
//! - `encrypt_secrets = false` is an error (AF4011): Secrets would sit in etcd in
//!   plain text;
//! - an even number of servers is a warning (AF4012): etcd's quorum is a majority, so
//!   `2n` servers survive no more losses than `2n - 1`;
//! - a route on a cluster whose certificates come from Let's Encrypt (Traefik's ACME
//!   resolver) needs `acme_email` (AF4013);
//! - the requests of every environment placed on a cluster (every replica, data stores
//!   included) plus the K3s system reserve of every node must fit the nodes the cluster
//!   declares (AF4014). Skipped when `server_size` or (with agents) `agent_size` is not
//!   declared.

use super::datastore::{database_pods, engine_requests};
use super::meta::{bytes, cpu};
use crate::diag::{Diagnostic, code};
use crate::sema::Sema;
use crate::sema::model::{Cluster, Env, Model};

/// CPU (millicores) K3s and its bundled add-ons take on each server: the server
/// process with the API server, controllers, scheduler and embedded etcd, plus CoreDNS,
/// Traefik, metrics-server and the local-path provisioner.
pub const SERVER_RESERVE_CPU: u64 = 300;
/// Memory (bytes) reserved on each server, for the same.
pub const SERVER_RESERVE_MEMORY: u64 = 1 << 30;
/// CPU (millicores) reserved on each agent: the K3s agent (kubelet, containerd,
/// flannel, kube-proxy) and Traefik's ServiceLB pod.
pub const AGENT_RESERVE_CPU: u64 = 200;
/// Memory (bytes) reserved on each agent.
pub const AGENT_RESERVE_MEMORY: u64 = 256 << 20;

/// The summed CPU (millicores) and memory (bytes) requests of an environment: every
/// replica of every service and site, every pod of every database and cache.
#[must_use]
pub fn env_requests(model: &Model, env: &Env) -> (u64, u64) {
    let engine = |name: &str| model.engine(name);
    let (mut c, mut m) = (0u64, 0u64);
    for w in &env.workloads {
        c += w.cpu_request() * u64::from(w.replicas);
        m += w.memory_request() * u64::from(w.replicas);
    }
    for d in &env.databases {
        for (_, _, replicas, pc, pm) in database_pods(d, engine(&d.engine)) {
            c += pc * u64::from(replicas);
            m += pm * u64::from(replicas);
        }
    }
    for k in &env.caches {
        let (pc, pm) = engine_requests(engine(&k.engine));
        c += pc;
        m += pm;
    }
    (c, m)
}

/// What the cluster's nodes provide for workloads: `(cpu, memory)` of every node minus
/// the reserve; `None` when a size it needs is not declared.
#[must_use]
pub fn allocatable(c: &Cluster) -> Option<(u64, u64)> {
    let s = c.server_size.as_ref()?;
    let servers = u64::from(c.servers);
    let agents = u64::from(c.agents);
    let (mut cpu, mut mem) = (
        servers * s.cpu.saturating_sub(SERVER_RESERVE_CPU),
        servers * s.memory.saturating_sub(SERVER_RESERVE_MEMORY),
    );
    if agents > 0 {
        let a = c.agent_size.as_ref()?;
        cpu += agents * a.cpu.saturating_sub(AGENT_RESERVE_CPU);
        mem += agents * a.memory.saturating_sub(AGENT_RESERVE_MEMORY);
    }
    Some((cpu, mem))
}

/// Runs the cluster checks; pushes their diagnostics.
pub fn run(sema: &Sema, diags: &mut Vec<Diagnostic>) {
    let model = &sema.model;
    for c in &model.clusters {
        let Some(decl) = sema.get(&c.name) else {
            continue;
        };
        let at = |attr: &str| {
            decl.attrs
                .get(attr)
                .map_or((decl.file, decl.name_span), |v| (v.file, v.span))
        };
        if !c.encrypt_secrets {
            let (file, span) = at("encrypt_secrets");
            diags.push(
                Diagnostic::new(
                    code::SECRETS_NOT_ENCRYPTED,
                    format!("cluster `{}` does not encrypt Secrets at rest", c.name),
                    file,
                    span,
                )
                .label("Secrets would be stored in etcd in plain text")
                .help("set `encrypt_secrets = true` (K3s `secrets-encryption`, only possible at first start)"),
            );
        }
        if c.servers % 2 == 0 {
            let (file, span) = at("servers");
            diags.push(
                Diagnostic::new(
                    code::EVEN_SERVERS,
                    format!(
                        "cluster `{}` has {} servers: etcd tolerates no more failures than with {}",
                        c.name,
                        c.servers,
                        c.servers - 1
                    ),
                    file,
                    span,
                )
                .label("an even number of etcd members")
                .help(format!(
                    "use {} or {} servers",
                    c.servers - 1,
                    c.servers + 1
                )),
            );
        }
        let envs: Vec<&Env> = model
            .envs
            .iter()
            .filter(|e| e.cluster.as_deref() == Some(c.name.as_str()))
            .collect();
        if c.tls == "letsencrypt" && c.acme_email.is_none() {
            let routes: Vec<String> = envs
                .iter()
                .flat_map(|e| {
                    e.workloads
                        .iter()
                        .filter_map(|w| w.route.as_ref().map(|r| format!("`{r}`")))
                })
                .collect();
            if let Some(first) = routes.first() {
                diags.push(
                    Diagnostic::new(
                        code::MISSING_ACME_EMAIL,
                        format!(
                            "cluster `{}` serves routes ({first}{}) with Let's Encrypt but has no `acme_email`",
                            c.name,
                            if routes.len() > 1 { ", ..." } else { "" }
                        ),
                        decl.file,
                        decl.name_span,
                    )
                    .label("no ACME account e-mail")
                    .help("add `acme_email = \"ops@example.com\"` to the cluster"),
                );
            }
        }
        let Some((cap_cpu, cap_mem)) = allocatable(c) else {
            continue;
        };
        let (mut need_cpu, mut need_mem) = (0u64, 0u64);
        for e in &envs {
            let (rc, rm) = env_requests(model, e);
            need_cpu += rc;
            need_mem += rm;
        }
        let mut short = Vec::new();
        if need_cpu > cap_cpu {
            short.push(format!(
                "CPU: {} requested, {} available, {} short",
                cpu(need_cpu),
                cpu(cap_cpu),
                cpu(need_cpu - cap_cpu)
            ));
        }
        if need_mem > cap_mem {
            short.push(format!(
                "memory: {} requested, {} available, {} short",
                bytes(need_mem),
                bytes(cap_mem),
                bytes(need_mem - cap_mem)
            ));
        }
        if !short.is_empty() {
            let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
            diags.push(
                Diagnostic::new(
                    code::CLUSTER_CAPACITY,
                    format!(
                        "the environments on cluster `{}` ({}) do not fit: {}",
                        c.name,
                        names.join(", "),
                        short.join("; ")
                    ),
                    decl.file,
                    decl.name_span,
                )
                .label("too small for its environments")
                .help("add nodes, declare larger `server_size`/`agent_size`, or lower replicas and requests (the K3s reserve per node is explained by `afc explain AF4014`)"),
            );
        }
    }
}
