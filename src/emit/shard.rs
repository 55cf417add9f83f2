//! Sharding: which Argo CD Application deploys each declaration.
//!
//! `kubectl kustomize` (what Argo CD's repo server runs) grows faster than linearly with
//! the number of resources in one kustomization, and Argo CD gives up after 90 s. So a
//! platform with more than [`SHARD_DECLS`] deployable declarations (services, sites,
//! databases, caches and secrets) is split into shards: each shard has its own base and
//! overlays and one Application per environment.
//!
//! The grouping follows the dependency graph, so that what a declaration uses is
//! deployed by the same Application whenever possible:
//! - the objects of the namespace as a whole go to the `core` shard (Application wave 1);
//! - every connected component of the `uses`/`credentials` graph (named after its first
//!   declaration in name order) goes whole into one of K buckets, `group-<i>`, chosen by
//!   a hash of its name (Application wave 2). K is the power of two that fills buckets
//!   about half way, so adding a declaration moves no other declaration between
//!   Applications unless K doubles; a bucket that would overflow passes the component on
//!   to the next one;
//! - a component larger than a shard is cut, in dependency order, into consecutive
//!   chunks `<component>-<i>` of at most [`SHARD_DECLS`] declarations; chunk `i` only uses
//!   chunks before it, and its Application syncs in wave `1 + i` (chunks count from 1).
//!
//! Sharding depends only on the declarations as written (the base view), so every
//! environment is split the same way.

use crate::sema::Sema;
use crate::sema::graph::EdgeKind;
use std::collections::BTreeMap;

/// The most deployable declarations one Application holds.
pub const SHARD_DECLS: usize = 100;

/// The shard of the namespace-wide objects.
pub const CORE: &str = "core";

/// Kinds a shard holds.
const DEPLOYABLE: &[&str] = &["service", "site", "database", "cache", "secret"];

/// One shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Directory and Application suffix.
    pub name: String,
    /// The sync wave of its Applications.
    pub wave: i64,
}

/// Where every declaration goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The shards in name order; empty when the platform is not sharded.
    pub shards: Vec<Shard>,
    /// Declaration name → index into `shards`.
    of: BTreeMap<String, usize>,
}

impl Plan {
    /// Whether the platform is split at all.
    #[must_use]
    pub fn sharded(&self) -> bool {
        !self.shards.is_empty()
    }

    /// The shard (index into [`Plan::shards`]) of an object owned by `owner`; the core
    /// shard for namespace-wide objects. `0` when the platform is not sharded.
    #[must_use]
    pub fn shard_of(&self, owner: Option<&str>) -> usize {
        owner
            .and_then(|o| self.of.get(o).copied())
            .unwrap_or_else(|| self.core())
    }

    fn core(&self) -> usize {
        self.shards.iter().position(|s| s.name == CORE).unwrap_or(0)
    }
}

/// FNV-1a: a hash that never changes between builds, platforms or versions.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The plan for a checked workspace.
#[must_use]
pub fn plan(sema: &Sema) -> Plan {
    plan_with(sema, SHARD_DECLS)
}

/// [`plan`] with another shard size (for tests).
#[must_use]
pub fn plan_with(sema: &Sema, limit: usize) -> Plan {
    let limit = limit.max(1);
    let deployable = |i: usize| DEPLOYABLE.contains(&sema.decls[i].kind.as_str());
    let count = (0..sema.decls.len()).filter(|&i| deployable(i)).count();
    if count <= limit {
        return Plan::default();
    }
    // Connected components over `uses` and `credentials` between deployable
    // declarations (union-find; the root of a component is its smallest index).
    let mut parent: Vec<usize> = (0..sema.decls.len()).collect();
    for (from, to, kind) in sema.graph.edges_sorted() {
        if matches!(kind, EdgeKind::Uses | EdgeKind::Credentials)
            && deployable(from)
            && deployable(to)
        {
            let (a, b) = (find(&mut parent, from), find(&mut parent, to));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    // Members of each component in dependency order (`topo` lists what is used first).
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in &sema.topo {
        if deployable(i) {
            let root = find(&mut parent, i);
            members.entry(root).or_default().push(i);
        }
    }
    // A component's name: its first member in name order.
    let mut components: Vec<(&str, Vec<usize>)> = members
        .into_values()
        .filter_map(|m| {
            let name = m.iter().map(|&i| sema.decls[i].name.as_str()).min()?;
            Some((name, m))
        })
        .collect();
    components.sort_by(|a, b| a.0.cmp(b.0));

    let buckets = (2 * count).div_ceil(limit).next_power_of_two();
    let mut fill = vec![0usize; buckets];
    let mut named: BTreeMap<String, (i64, Vec<usize>)> = BTreeMap::new();
    let width = (buckets - 1).to_string().len();
    for (name, m) in components {
        if m.len() > limit {
            let chunks = m.len().div_ceil(limit);
            let size = m.len().div_ceil(chunks);
            for (i, chunk) in m.chunks(size).enumerate() {
                let wave = 2 + i64::try_from(i).unwrap_or(i64::MAX - 2);
                named.insert(format!("{name}-{}", i + 1), (wave, chunk.to_vec()));
            }
            continue;
        }
        let start = usize::try_from(fnv1a(name) % buckets as u64).unwrap_or(0);
        // The first bucket from `start` with room; all full (cannot happen: buckets
        // hold twice the declarations on average): the emptiest.
        let b = (0..buckets)
            .map(|k| (start + k) % buckets)
            .find(|&b| fill[b] + m.len() <= limit)
            .unwrap_or_else(|| (0..buckets).min_by_key(|&b| fill[b]).unwrap_or(0));
        fill[b] += m.len();
        named
            .entry(format!("group-{b:0width$}"))
            .or_insert_with(|| (2, Vec::new()))
            .1
            .extend(m);
    }
    named.insert(CORE.to_string(), (1, Vec::new()));
    let mut plan = Plan::default();
    for (i, (name, (wave, m))) in named.into_iter().enumerate() {
        for d in m {
            plan.of.insert(sema.decls[d].name.clone(), i);
        }
        plan.shards.push(Shard { name, wave });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sema(n: usize) -> crate::Analysis {
        crate::analyze(crate::generate::workspace(n))
    }

    #[test]
    fn small_platforms_are_not_sharded() {
        let a = sema(10);
        let p = plan(&a.sema);
        assert!(!p.sharded());
        assert_eq!(p.shard_of(Some("svc-1")), 0);
    }

    #[test]
    fn components_stay_whole_and_buckets_stay_under_the_limit() {
        let a = sema(200);
        let p = plan_with(&a.sema, 60);
        assert!(p.sharded());
        assert!(p.shards.iter().any(|s| s.name == CORE && s.wave == 1));
        // A component of the generator: svc-0..svc-19, db-0, cache-0, token-0, db-0-login.
        let first = p.shard_of(Some("svc-0"));
        for name in ["svc-19", "db-0", "cache-0", "token-0", "db-0-login"] {
            assert_eq!(p.shard_of(Some(name)), first, "{name}");
        }
        let mut sizes = vec![0; p.shards.len()];
        for d in &a.sema.decls {
            if DEPLOYABLE.contains(&d.kind.as_str()) {
                sizes[p.shard_of(Some(&d.name))] += 1;
            }
        }
        assert!(sizes.iter().all(|&s| s <= 60), "{sizes:?}");
        assert_eq!(p.shard_of(None), p.core());
    }

    #[test]
    fn large_components_are_cut_in_dependency_order() {
        let a = sema(40);
        // Components of 24 declarations; a limit of 10 cuts each into three chunks.
        let p = plan_with(&a.sema, 10);
        let shard = |n: &str| &p.shards[p.shard_of(Some(n))];
        assert_eq!(shard("db-0-login").wave, 2);
        assert!(shard("svc-19").wave > shard("svc-0").wave);
        for d in &a.sema.decls {
            for (to, e) in a.sema.graph.out(a.sema.by_name[&d.name]) {
                if matches!(e.kind, EdgeKind::Uses | EdgeKind::Credentials) {
                    let used = &a.sema.decls[to].name;
                    if DEPLOYABLE.contains(&d.kind.as_str()) {
                        assert!(
                            shard(used).wave <= shard(&d.name).wave,
                            "{} → {used}",
                            d.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn adding_a_component_moves_no_other() {
        let (a, b) = (sema(400), sema(420));
        let (p, q) = (plan_with(&a.sema, 150), plan_with(&b.sema, 150));
        assert_eq!(p.shards.len(), q.shards.len());
        for d in &a.sema.decls {
            let name = Some(d.name.as_str());
            assert_eq!(
                p.shards[p.shard_of(name)].name,
                q.shards[q.shard_of(name)].name
            );
        }
    }
}
