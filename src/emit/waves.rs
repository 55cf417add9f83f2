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

/// What each declaration of an environment uses (names), and whether it is a site.
fn deps(env: &Env) -> BTreeMap<String, (Vec<String>, bool)> {
    let mut out: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
    for w in &env.workloads {
        out.insert(
            w.name.clone(),
            (w.uses.clone(), w.kind == WorkloadKind::Site),
        );
    }
    for d in &env.databases {
        out.insert(d.name.clone(), (vec![d.credentials.clone()], false));
    }
    for c in &env.caches {
        out.insert(
            c.name.clone(),
            (c.credentials.iter().cloned().collect(), false),
        );
    }
    out
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
    // A secret, or anything outside the environment: the first wave after the namespace.
    let Some((uses, site)) = deps.get(name) else {
        return 1;
    };
    if visiting.iter().any(|v| v == name) {
        // A cycle (already an error of `afc check`): stop here.
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

/// The wave of every declaration of an environment (services, sites, data stores and
/// the secrets they use), by name.
#[must_use]
pub fn waves(env: &Env) -> BTreeMap<String, i64> {
    let deps = deps(env);
    let mut memo = BTreeMap::new();
    let mut visiting = Vec::new();
    let mut highest = 1;
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
