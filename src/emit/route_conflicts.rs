//! Route conflicts (AF4015): two routes on one host of one cluster. Traefik serves a
//! whole cluster: two `IngressRoute`s whose rules are both ``Host(`h`)`` tie, and only
//! one of the two workloads gets the traffic, whichever Traefik sorts first. Hosts are
//! compared as DNS compares them (ASCII letters in any case), per cluster, across every
//! environment placed on it (two environments that share a cluster and a `domain`
//! clash too). Each clashing pair of declarations is reported once, at the route of the
//! one met second (environments in name order, declarations in name order), with the
//! first as related location.

use super::checks::site;
use crate::diag::{Diagnostic, code};
use crate::sema::Sema;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Pushes a diagnostic per pair of declarations whose routes share a host on a cluster.
pub fn run(sema: &Sema, diags: &mut Vec<Diagnostic>) {
    // (cluster, host) -> the first (env, workload) that routes it.
    let mut first: HashMap<(&str, String), (&str, &str)> = HashMap::default();
    let mut reported: HashSet<(&str, &str)> = HashSet::default();
    for env in &sema.model.envs {
        let cluster = env.cluster.as_deref().unwrap_or("");
        for w in &env.workloads {
            let Some(host) = w.route.as_deref() else {
                continue;
            };
            let key = (cluster, host.to_ascii_lowercase());
            let Some(&(first_env, first_name)) = first.get(&key) else {
                first.insert(key, (&env.name, &w.name));
                continue;
            };
            if !reported.insert((first_name, &w.name)) {
                continue;
            }
            let (Some(d), Some(f)) = (sema.get(&w.name), sema.get(first_name)) else {
                continue;
            };
            let (file, span) = site(sema, Some(&env.name), d, "route");
            let (first_file, first_span) = site(sema, Some(first_env), f, "route");
            let on = if cluster.is_empty() {
                String::new()
            } else {
                format!(" on cluster `{cluster}`")
            };
            let message = if first_name == w.name {
                format!(
                    "`{}` routes `{host}` in env `{first_env}` and in env `{}`, both{on}",
                    w.name, env.name
                )
            } else if first_env == env.name {
                format!(
                    "`{first_name}` and `{}` both route `{host}` in env `{}`",
                    w.name, env.name
                )
            } else {
                format!(
                    "`{first_name}` in env `{first_env}` and `{}` in env `{}` both route `{host}`{on}",
                    w.name, env.name
                )
            };
            let help = if first_env == env.name {
                "give each workload its own host: Traefik sends a host's requests to one route only"
            } else {
                "give the environments that share a cluster different `domain`s, or the workloads different hosts: Traefik sends a host's requests to one route only"
            };
            diags.push(
                Diagnostic::new(code::ROUTE_CONFLICT, message, file, span)
                    .label(format!("routes `{host}` in env `{}`", env.name))
                    .with_secondary(
                        first_file,
                        first_span,
                        format!("`{first_name}` routes `{host}` in env `{first_env}`"),
                    )
                    .help(help),
            );
        }
    }
}
