//! Argo CD sync waves from the dependency graph: every object carries
//! `argocd.argoproj.io/sync-wave`, so that everything a declaration uses is applied
//! (and healthy) in an earlier wave than the declaration itself. Argo CD sorts custom
//! kinds (SealedSecret, IngressRoute, ...) after built-in ones within one wave, so the
//! order has to be carried by the waves.
//!
//! - wave 0: the objects of the namespace as a whole (Namespace, the default-deny
//!   NetworkPolicy, the route Middlewares);
//! - a secret: wave 1;
//! - a database, cache or service: one more than the highest wave of what it uses (its
//!   `uses`, or its `credentials`), at least 1;
//! - a site: after every other declaration (one more than the highest wave of any
//!   secret, data store or service), and after what it uses.

use super::{Ctx, Emitter, Object, View};
use crate::emit::yaml::Node;
use crate::sema::model::{Env, WorkloadKind};
use std::collections::BTreeMap;

/// The annotation Argo CD orders a sync by.
pub const ANNOTATION: &str = "argocd.argoproj.io/sync-wave";

/// The declarations of an environment in name order: each with what it uses (its
/// `uses`, or its `credentials`) and whether it is a site.
struct Deps<'e> {
    names: Vec<&'e str>,
    uses: Vec<Vec<Use<'e>>>,
    site: Vec<bool>,
}

/// A used name: a declaration of [`Deps`] (its index) or anything else (a secret, or a
/// name outside the environment).
#[derive(Clone, Copy)]
enum Use<'e> {
    Decl(usize),
    Other(&'e str),
}

impl<'e> Deps<'e> {
    fn of(env: &'e Env) -> Self {
        let mut decls: Vec<(&str, Vec<&str>, bool)> = Vec::new();
        for w in &env.workloads {
            let uses = w.uses.iter().map(String::as_str).collect();
            decls.push((&w.name, uses, w.kind == WorkloadKind::Site));
        }
        for d in &env.databases {
            decls.push((&d.name, vec![d.credentials.as_str()], false));
        }
        for c in &env.caches {
            decls.push((
                &c.name,
                c.credentials.iter().map(String::as_str).collect(),
                false,
            ));
        }
        // By name; of two declarations with one name (an error of `afc check`), the
        // later one counts.
        decls.reverse();
        decls.sort_by(|a, b| a.0.cmp(b.0));
        decls.dedup_by(|later, first| later.0 == first.0);
        let names: Vec<&str> = decls.iter().map(|d| d.0).collect();
        let index = |u: &'e str| match names.binary_search(&u) {
            Ok(i) => Use::Decl(i),
            Err(_) => Use::Other(u),
        };
        let uses = decls
            .iter()
            .map(|d| d.1.iter().map(|u| index(u)).collect())
            .collect();
        let site = decls.iter().map(|d| d.2).collect();
        Self { names, uses, site }
    }
}

/// The wave of declaration `root`: one more than the highest wave of what it uses (at
/// least 1), and at least `floor_sites` for a site. A use that is no declaration is in
/// wave 1, and so is a use that closes a cycle (a cycle is an error of `afc check`).
/// Depth first with an explicit stack (a `uses` chain may be as long as the platform),
/// every wave found kept in `memo`.
fn wave_of(
    root: usize,
    deps: &Deps,
    floor_sites: i64,
    memo: &mut [Option<i64>],
    on_path: &mut [bool],
) -> i64 {
    if let Some(w) = memo[root] {
        return w;
    }
    // Declaration, next use to look at, highest wave so far.
    let mut stack: Vec<(usize, usize, i64)> = vec![(root, 0, 1)];
    on_path[root] = true;
    while let Some(top) = stack.last_mut() {
        let (n, next) = (top.0, top.1);
        if let Some(&u) = deps.uses[n].get(next) {
            top.1 += 1;
            let used = match u {
                Use::Other(_) => 1,
                Use::Decl(c) => match memo[c] {
                    Some(w) => w,
                    None if on_path[c] => 1,
                    None => {
                        on_path[c] = true;
                        stack.push((c, 0, 1));
                        continue;
                    }
                },
            };
            top.2 = top.2.max(used + 1);
            continue;
        }
        let mut wave = top.2;
        if deps.site[n] {
            wave = wave.max(floor_sites);
        }
        on_path[n] = false;
        memo[n] = Some(wave);
        stack.pop();
        match stack.last_mut() {
            Some(parent) => parent.2 = parent.2.max(wave + 1),
            None => return wave,
        }
    }
    1
}

/// The wave of every declaration of an environment (services, sites, data stores and
/// the secrets they use), by name.
#[must_use]
pub fn waves(env: &Env) -> BTreeMap<String, i64> {
    let deps = Deps::of(env);
    let n = deps.names.len();
    let mut memo = vec![None; n];
    let mut on_path = vec![false; n];
    let mut highest = 1;
    for i in 0..n {
        if !deps.site[i] {
            highest = highest.max(wave_of(i, &deps, 0, &mut memo, &mut on_path));
        }
    }
    for i in 0..n {
        if deps.site[i] {
            wave_of(i, &deps, highest + 1, &mut memo, &mut on_path);
        }
    }
    let mut out: BTreeMap<String, i64> = deps
        .names
        .iter()
        .zip(&memo)
        .map(|(name, w)| ((*name).to_string(), w.unwrap_or(1)))
        .collect();
    for u in deps.uses.iter().flatten() {
        if let Use::Other(name) = u {
            if !out.contains_key(*name) {
                out.insert((*name).to_string(), 1);
            }
        }
    }
    out
}

/// Sets `metadata.annotations[ANNOTATION]` (after the labels).
pub fn annotate(obj: &mut Object, wave: i64) {
    let Some(Node::Map(meta)) = obj.doc.get_mut("metadata") else {
        return;
    };
    let value = Node::from(wave.to_string());
    if let Some((_, Node::Map(ann))) = meta.iter_mut().find(|(k, _)| k == "annotations") {
        ann.retain(|(k, _)| k != ANNOTATION);
        ann.push((ANNOTATION.into(), value));
        return;
    }
    let at = meta
        .iter()
        .position(|(k, _)| k == "labels")
        .map_or(meta.len(), |i| i + 1);
    meta.insert(
        at,
        ("annotations".into(), Node::map().with(ANNOTATION, value)),
    );
}

/// Annotates every object of a view with its sync wave.
#[derive(Debug)]
pub struct WaveEmitter;

impl Emitter for WaveEmitter {
    fn name(&self) -> &'static str {
        "sync waves"
    }

    fn objects(&self, _ctx: &Ctx, _view: &View) -> Vec<Object> {
        Vec::new()
    }

    fn finish(&self, _ctx: &Ctx, view: &View, objects: &mut [Object]) {
        let waves = &view.facts.waves;
        for o in objects {
            let wave = o
                .owner
                .as_ref()
                .map_or(0, |n| waves.get(n).copied().unwrap_or(1));
            annotate(o, wave);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::model::{Cache, Database, Workload};
    use proptest::prelude::*;

    /// The definition, recursively over names (how waves were first computed).
    fn waves_by_definition(env: &Env) -> BTreeMap<String, i64> {
        let mut deps: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
        for w in &env.workloads {
            deps.insert(
                w.name.clone(),
                (w.uses.clone(), w.kind == WorkloadKind::Site),
            );
        }
        for d in &env.databases {
            deps.insert(d.name.clone(), (vec![d.credentials.clone()], false));
        }
        for c in &env.caches {
            deps.insert(
                c.name.clone(),
                (c.credentials.iter().cloned().collect(), false),
            );
        }
        fn wave_of(
            name: &str,
            deps: &BTreeMap<String, (Vec<String>, bool)>,
            floor_sites: i64,
            memo: &mut BTreeMap<String, i64>,
            visiting: &mut Vec<String>,
        ) -> i64 {
            if let Some(w) = memo.get(name) {
                return *w;
            }
            let Some((uses, site)) = deps.get(name) else {
                return 1;
            };
            if visiting.iter().any(|v| v == name) {
                return 1;
            }
            visiting.push(name.to_string());
            let mut wave = 1;
            for u in uses {
                wave = wave.max(wave_of(u, deps, floor_sites, memo, visiting) + 1);
            }
            if *site {
                wave = wave.max(floor_sites);
            }
            visiting.pop();
            memo.insert(name.to_string(), wave);
            wave
        }
        let (mut memo, mut visiting, mut highest) = (BTreeMap::new(), Vec::new(), 1);
        for (name, (uses, site)) in &deps {
            if !*site {
                highest = highest.max(wave_of(name, &deps, 0, &mut memo, &mut visiting));
            }
            for u in uses {
                if !deps.contains_key(u) {
                    memo.insert(u.clone(), 1);
                }
            }
        }
        for (name, (_, site)) in &deps {
            if *site {
                wave_of(name, &deps, highest + 1, &mut memo, &mut visiting);
            }
        }
        memo
    }

    fn workload(name: String, uses: Vec<String>, site: bool) -> Workload {
        Workload {
            kind: if site {
                WorkloadKind::Site
            } else {
                WorkloadKind::Service
            },
            name,
            image: String::new(),
            port: 80,
            health: None,
            replicas: 1,
            uses,
            route: None,
            cpu: None,
            memory: None,
            env: Vec::new(),
            license: None,
            access: Vec::new(),
            command: None,
            args: None,
            mesh: None,
        }
    }

    fn env_of(workloads: Vec<Workload>) -> Env {
        Env {
            name: "e".into(),
            cluster: None,
            namespace: "e".into(),
            domain: None,
            revision: "main".into(),
            auto_sync: true,
            workloads,
            databases: Vec::new(),
            caches: Vec::new(),
        }
    }

    /// An environment over names `d0`..`d11` (and secrets `s0`..`s2`): declarations
    /// of every kind, sites, cycles, repeated names and uses of undeclared names.
    fn env() -> impl Strategy<Value = Env> {
        let name = prop_oneof![4 => (0..12u8).prop_map(|i| format!("d{i}")), 1 => (0..3u8).prop_map(|i| format!("s{i}"))];
        let decl = (0..4u8, 0..12u8, proptest::collection::vec(name, 0..4));
        proptest::collection::vec(decl, 0..16).prop_map(|decls| {
            let mut env = env_of(Vec::new());
            for (kind, n, uses) in decls {
                let name = format!("d{n}");
                match kind {
                    0 | 1 => env.workloads.push(workload(name, uses, kind == 1)),
                    2 => env.databases.push(Database {
                        name,
                        engine: String::new(),
                        version: String::new(),
                        replicas: 1,
                        storage: 0,
                        credentials: uses.first().cloned().unwrap_or_else(|| "s0".into()),
                        database: String::new(),
                        image: None,
                    }),
                    _ => env.caches.push(Cache {
                        name,
                        engine: String::new(),
                        version: String::new(),
                        storage: None,
                        credentials: uses.first().cloned(),
                        image: None,
                    }),
                }
            }
            env
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn waves_follow_the_definition(env in env()) {
            prop_assert_eq!(waves(&env), waves_by_definition(&env));
        }
    }

    /// A chain `svc-000000 -> svc-000001 -> ...` walked on a thread with a small stack:
    /// a walk that recursed once per link would overflow it.
    #[test]
    fn a_chain_longer_than_the_stack_has_a_wave_per_link() {
        let n = 50_000;
        let mut env = env_of(Vec::new());
        let name = |i: usize| format!("svc-{i:06}");
        for i in 0..n {
            let uses = if i + 1 == n {
                vec![]
            } else {
                vec![name(i + 1)]
            };
            env.workloads.push(workload(name(i), uses, false));
        }
        let waves = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || waves(&env))
            .expect("thread")
            .join()
            .expect("no overflow");
        // The first in name order uses the whole chain: the deepest walk comes first.
        assert_eq!(waves[&name(0)], i64::try_from(n).unwrap());
        assert_eq!(waves[&name(n - 1)], 1);
    }
}
