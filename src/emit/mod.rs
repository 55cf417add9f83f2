//! Output: the checked model becomes Kubernetes objects, and the objects become a
//! Kustomize tree (`base/` plus one `overlays/<env>/` per environment). Pure: no IO;
//! the CLI (`src/cli/build.rs`) writes what [`build`] returns.
//!
//! The pipeline:
//! 1. Views. Each environment is a view (its resolved model, from `sema`), and so is the
//!    base: the declarations as written, with no overrides and with `${domain}`,
//!    `${env}` and `${namespace}` left as written ([`crate::sema::Sema::base`]).
//! 2. Emitters ([`EMITTERS`], one module per output kind) turn a view into [`Object`]s.
//!    An emitter may also add files outside the Kustomize tree ([`Emitter::files`]:
//!    [`delivery`] writes the Argo CD applications and the cluster files) and adjust
//!    every object of a view at the end ([`Emitter::finish`]: [`waves`] sets the sync
//!    wave of every object).
//! 3. [`kustomize::base_files`] writes the base objects into `base/` and
//!    [`kustomize::overlay_files`], per environment, only the differences: `namespace`,
//!    `images`, `replicas`, JSON patches, added objects and deletions. `kubectl kustomize overlays/<env>` yields
//!    exactly the environment's objects (the conformance suite checks this). A large
//!    platform is split into shards ([`shard`]), each with its own base, overlays and
//!    Argo CD Applications, so that no one kustomization grows past what Argo CD can
//!    render.
//!
//! The output never depends on file order, declaration order or thread count: shards
//! are rendered in parallel but every file's contents are fixed, and every list is
//! sorted.

pub mod checks;
pub mod cluster_checks;
pub mod datastore;
pub mod delivery;
pub mod derive;
pub mod kustomize;
pub mod meta;
pub mod name_lengths;
pub mod namespace;
pub mod netpol;
pub mod route_conflicts;
pub mod routes;
pub mod secret;
pub mod shard;
pub mod waves;
pub mod wiring;
pub mod workload;
pub mod yaml;

use crate::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::sema::Sema;
use crate::sema::model::{Cache, Database, Env, Model, Platform, Secret, Workload};
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;
use yaml::Node;

/// The head of the marker file afc writes into the root of every output tree; the
/// relative path of every file of the tree follows, one per line.
pub const MARKER_HEAD: &str = "# Written by afc build. Every file in this directory is generated: edit the .af\n# sources and run `afc build` again. `afc build --check` fails when this tree is stale.\n# The files afc wrote:\n";

/// The files a marker lists (every line that is not empty or a `#` comment).
#[must_use]
pub fn marker_files(contents: &str) -> std::collections::BTreeSet<String> {
    contents
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// One Kubernetes object.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
    /// Whether the object lives in a namespace.
    pub namespaced: bool,
    /// The declaration it was generated from; `None` for namespace-wide objects.
    pub owner: Option<String>,
    /// The whole document (`apiVersion`, `kind`, `metadata`, ...).
    pub doc: Node,
}

impl Object {
    /// A namespaced object with `metadata.name` and `metadata.labels`.
    #[must_use]
    pub fn new(
        api_version: &'static str,
        kind: &'static str,
        name: &str,
        owner: Option<&str>,
        labels: Node,
    ) -> Self {
        let doc = Node::map()
            .with("apiVersion", api_version)
            .with("kind", kind)
            .with(
                "metadata",
                Node::map().with("name", name).with("labels", labels),
            );
        Self {
            api_version,
            kind,
            name: name.to_string(),
            namespaced: true,
            owner: owner.map(str::to_string),
            doc,
        }
    }

    /// Appends a top-level field (`spec`, `data`, ...).
    #[must_use]
    pub fn with(mut self, key: &'static str, value: impl Into<Node>) -> Self {
        self.doc.push(key, value);
        self
    }

    /// The object's file name in the tree: `<kind>-<name>.yaml`, lower case.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}-{}.yaml", self.kind.to_ascii_lowercase(), self.name)
    }

    /// `(kind, name)`: unique within one view.
    #[must_use]
    pub fn key(&self) -> (&'static str, &str) {
        (self.kind, &self.name)
    }

    /// The API group (`""` for the core group).
    #[must_use]
    pub fn group(&self) -> &'static str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// The API version without the group.
    #[must_use]
    pub fn version(&self) -> &'static str {
        self.api_version
            .rsplit_once('/')
            .map_or(self.api_version, |(_, v)| v)
    }

    /// Sets `metadata.namespace` (right after the name).
    pub fn set_namespace(&mut self, ns: &str) {
        if let Some(Node::Map(meta)) = self.doc.get_mut("metadata") {
            meta.retain(|(k, _)| k != "namespace");
            let at = meta
                .iter()
                .position(|(k, _)| k == "name")
                .map_or(0, |i| i + 1);
            meta.insert(at, ("namespace".into(), Node::from(ns)));
        }
    }
}

/// What an emitter renders: one environment, or the base, or one shard of either.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The resolved values. For the base, a synthetic environment with the declared
    /// values and the variables left as `${domain}`, `${env}`, `${namespace}`.
    /// Emitters look up what a declaration uses here.
    pub env: &'a Env,
    /// True for the base.
    pub base: bool,
    /// The declarations to emit objects for.
    pub part: &'a Part,
    /// What is known about the whole environment.
    pub facts: &'a Facts,
}

impl<'a> View<'a> {
    /// The services and sites to emit, in name order.
    pub fn workloads(&self) -> impl Iterator<Item = &'a Workload> + use<'a> {
        let env = self.env;
        self.part.workloads.iter().map(move |&i| &env.workloads[i])
    }

    /// The databases to emit, in name order.
    pub fn databases(&self) -> impl Iterator<Item = &'a Database> + use<'a> {
        let env = self.env;
        self.part.databases.iter().map(move |&i| &env.databases[i])
    }

    /// The caches to emit, in name order.
    pub fn caches(&self) -> impl Iterator<Item = &'a Cache> + use<'a> {
        let env = self.env;
        self.part.caches.iter().map(move |&i| &env.caches[i])
    }

    /// The secrets to emit, in name order.
    pub fn secrets<'m>(&self, model: &'m Model) -> impl Iterator<Item = &'m Secret> + use<'m, 'a> {
        self.part.secrets.iter().map(move |&i| &model.secrets[i])
    }

    /// Whether to emit the objects of the namespace as a whole.
    #[must_use]
    pub fn core(&self) -> bool {
        self.part.core
    }
}

/// The declarations of a view one rendering emits (indexes into the environment's
/// lists and the model's secrets): all of them, or one shard's.
#[derive(Clone, Debug, Default)]
pub struct Part {
    workloads: Vec<usize>,
    databases: Vec<usize>,
    caches: Vec<usize>,
    secrets: Vec<usize>,
    core: bool,
}

impl Part {
    /// Every declaration of `env`.
    #[must_use]
    pub fn all(env: &Env, model: &Model) -> Self {
        Self {
            workloads: (0..env.workloads.len()).collect(),
            databases: (0..env.databases.len()).collect(),
            caches: (0..env.caches.len()).collect(),
            secrets: (0..model.secrets.len()).collect(),
            core: true,
        }
    }

    /// One part per shard of `plan` (one part in all when it is not sharded).
    #[must_use]
    pub fn split(env: &Env, model: &Model, plan: &shard::Plan) -> Vec<Self> {
        if !plan.sharded() {
            return vec![Self::all(env, model)];
        }
        let mut parts = vec![Self::default(); plan.shards.len()];
        parts[plan.shard_of(None)].core = true;
        for (i, w) in env.workloads.iter().enumerate() {
            parts[plan.shard_of(Some(&w.name))].workloads.push(i);
        }
        for (i, d) in env.databases.iter().enumerate() {
            parts[plan.shard_of(Some(&d.name))].databases.push(i);
        }
        for (i, c) in env.caches.iter().enumerate() {
            parts[plan.shard_of(Some(&c.name))].caches.push(i);
        }
        for (i, s) in model.secrets.iter().enumerate() {
            parts[plan.shard_of(Some(&s.name))].secrets.push(i);
        }
        parts
    }

    /// The part without the services, sites, databases and caches `drop` names.
    fn without(&self, env: &Env, drop: impl Fn(&str) -> bool) -> Self {
        Self {
            workloads: keep(&self.workloads, |i| !drop(&env.workloads[i].name)),
            databases: keep(&self.databases, |i| !drop(&env.databases[i].name)),
            caches: keep(&self.caches, |i| !drop(&env.caches[i].name)),
            secrets: self.secrets.clone(),
            core: self.core,
        }
    }
}

fn keep(list: &[usize], f: impl Fn(usize) -> bool) -> Vec<usize> {
    list.iter().copied().filter(|&i| f(i)).collect()
}

/// What emitters need to know about the dependency graph, computed once per build (it
/// is the same in every environment: see [`Split::new`]).
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Declaration → the workloads that use it (sorted, no repeats).
    pub users: BTreeMap<String, Vec<String>>,
    /// Declaration → its sync wave ([`waves::waves`]).
    pub waves: BTreeMap<String, i64>,
}

impl Facts {
    #[must_use]
    pub fn of(env: &Env) -> Self {
        let (users, waves) = rayon::join(|| Self::users(env), || waves::waves(env));
        Self { users, waves }
    }

    /// Declaration -> the workloads that use it.
    fn users(env: &Env) -> BTreeMap<String, Vec<String>> {
        let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for w in &env.workloads {
            for u in &w.uses {
                users.entry(u.clone()).or_default().push(w.name.clone());
            }
        }
        for list in users.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        users
    }
}

/// Everything emitters read.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub sema: &'a Sema,
    pub model: &'a Model,
    pub platform: &'a Platform,
    /// The shard plan, made on first use ([`Ctx::plan`]).
    plan: std::sync::OnceLock<shard::Plan>,
}

impl<'a> Ctx<'a> {
    /// The context of a checked workspace with a platform.
    #[must_use]
    pub fn new(sema: &'a Sema, platform: &'a Platform) -> Self {
        Self {
            sema,
            model: &sema.model,
            platform,
            plan: std::sync::OnceLock::new(),
        }
    }

    /// Which shard deploys each declaration ([`shard::plan`]), made once.
    pub fn plan(&self) -> &shard::Plan {
        self.plan.get_or_init(|| shard::plan(self.sema))
    }

    /// The kind of a declaration (`service`, `database`, ...).
    #[must_use]
    pub fn kind_of(&self, name: &str) -> Option<&str> {
        self.sema.get(name).map(|d| d.kind.as_str())
    }

    /// A secret of the model by name.
    #[must_use]
    pub fn secret(&self, name: &str) -> Option<&crate::sema::model::Secret> {
        self.model.secret(name)
    }

    /// An engine of the model by name.
    #[must_use]
    pub fn engine(&self, name: &str) -> Option<&crate::sema::model::Engine> {
        self.model.engine(name)
    }
}

/// One kind of output.
pub trait Emitter: Sync {
    /// A short name, for messages.
    fn name(&self) -> &'static str;

    /// The objects of one view.
    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object>;

    /// Files outside the Kustomize tree (paths relative to the output root).
    fn files(&self, _ctx: &Ctx) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Adjusts every object of a view once all emitters ran (e.g. annotations that
    /// depend on the whole graph).
    fn finish(&self, _ctx: &Ctx, _view: &View, _objects: &mut [Object]) {}
}

/// Every emitter, in order. Objects of a view are sorted afterwards, so this order
/// only matters for [`Emitter::finish`], which runs in it.
pub static EMITTERS: &[&dyn Emitter] = &[
    &namespace::NamespaceEmitter,
    &workload::WorkloadEmitter,
    &datastore::DataStoreEmitter,
    &secret::SealedSecretEmitter,
    &netpol::NetworkPolicyEmitter,
    &routes::RouteEmitter,
    &delivery::DeliveryEmitter,
    // Last: it annotates every object the others made.
    &waves::WaveEmitter,
];

/// The objects of the base and of every environment.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub base: Vec<Object>,
    /// `(env name, namespace, objects)` in env-name order; objects carry their namespace.
    pub envs: Vec<(String, String, Vec<Object>)>,
}

/// The whole output: relative path → contents, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
}

fn render_view(ctx: &Ctx, view: &View) -> Vec<Object> {
    let mut objects: Vec<Object> = EMITTERS.iter().flat_map(|e| e.objects(ctx, view)).collect();
    if !view.base {
        for o in objects.iter_mut().filter(|o| o.namespaced) {
            o.set_namespace(&view.env.namespace);
        }
    }
    for e in EMITTERS {
        e.finish(ctx, view, &mut objects);
    }
    objects.sort_by(|a, b| a.key().cmp(&b.key()));
    objects
}

/// Renders every view whole (not split into shards).
///
/// # Errors
/// The analysis has errors (including the build checks of [`checks`]).
pub fn render(a: &Analysis) -> Result<Rendered, Vec<Diagnostic>> {
    let ctx = context(a)?;
    // The plan of an unsharded platform: one part holding every declaration.
    let whole = shard::Plan::default();
    let facts = Facts::of(a.sema.base());
    let one = |env, base| Split::new(env, base, ctx.model, &whole, &facts).render(&ctx, 0);
    let base = one(a.sema.base(), true);
    let envs = a
        .sema
        .model
        .envs
        .par_iter()
        .map(|env| (env.name.clone(), env.namespace.clone(), one(env, false)))
        .collect();
    Ok(Rendered { base, envs })
}

/// The emitters' context, or the error diagnostics when the analysis has errors.
fn context(a: &Analysis) -> Result<Ctx<'_>, Vec<Diagnostic>> {
    if a.has_errors() {
        return Err(a
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect());
    }
    let Some(platform) = a.sema.model.platform.as_ref() else {
        return Err(Vec::new());
    };
    Ok(Ctx::new(&a.sema, platform))
}

/// A view split into the parts of a plan.
struct Split<'a> {
    env: &'a Env,
    base: bool,
    parts: Vec<Part>,
    facts: &'a Facts,
}

impl<'a> Split<'a> {
    /// `facts` are the base's: `uses`, `credentials` and `engine` cannot be overridden
    /// (sema refuses it), so the graph, the users and the waves are the same in every
    /// environment.
    fn new(env: &'a Env, base: bool, model: &Model, plan: &shard::Plan, facts: &'a Facts) -> Self {
        Self {
            env,
            base,
            parts: Part::split(env, model, plan),
            facts,
        }
    }

    fn render(&self, ctx: &Ctx, shard: usize) -> Vec<Object> {
        self.render_part(ctx, &self.parts[shard])
    }

    fn render_part(&self, ctx: &Ctx, part: &Part) -> Vec<Object> {
        render_view(
            ctx,
            &View {
                env: self.env,
                base: self.base,
                part,
                facts: self.facts,
            },
        )
    }

    /// The environment's objects of a shard: the patches of those `how` derives from
    /// `base` (the shard's base objects, with their [`derive::holes`]), and the rendered
    /// rest.
    #[allow(clippy::type_complexity)]
    fn overlay_objects<'b>(
        &self,
        ctx: &Ctx,
        shard: usize,
        how: &derive::Derive,
        base: &'b [Object],
        holes: &[Option<Vec<(String, &str)>>],
    ) -> (Vec<((&'static str, &'b str), String)>, Vec<Object>) {
        let derives = |o: &'b Object| o.owner.as_deref().filter(|n| how.derives(n));
        // A declaration with an object that cannot be derived is rendered whole.
        let failed: HashSet<&str> = base
            .iter()
            .zip(holes)
            .filter(|(_, h)| h.is_none())
            .filter_map(|(o, _)| derives(o))
            .collect();
        let derived = base
            .iter()
            .zip(holes)
            .filter_map(|(o, h)| {
                let owner = derives(o)?;
                let h = h.as_ref().filter(|_| !failed.contains(owner))?;
                Some((o.key(), how.patch(h)))
            })
            .collect();
        let part = self.parts[shard].without(self.env, |n| how.derives(n) && !failed.contains(n));
        (derived, self.render_part(ctx, &part))
    }
}

/// Builds the output tree and hands every file to `sink` as soon as it is made (from
/// several threads, in no particular order); the marker file comes last. Memory stays
/// bounded by a few shards' objects, whatever the size of the platform. The contents
/// of every file do not depend on the thread count.
///
/// # Errors
/// `Err` with the error diagnostics when the analysis has errors; `Ok(Err(e))` with
/// the first error of `sink`.
pub fn build_each<E: Send>(
    a: &Analysis,
    sink: &(dyn Fn(&str, String) -> Result<(), E> + Sync),
) -> Result<Result<(), E>, Vec<Diagnostic>> {
    build_with(a, true, sink)
}

/// [`build_each`], with every environment object rendered by the emitters (`derive`
/// false) or, where [`derive`] allows, derived from the base. Both give the same
/// output; tests compare them.
fn build_with<E: Send>(
    a: &Analysis,
    derive: bool,
    sink: &(dyn Fn(&str, String) -> Result<(), E> + Sync),
) -> Result<Result<(), E>, Vec<Diagnostic>> {
    let ctx = context(a)?;
    // Three independent walks of the whole platform, side by side.
    let ((plan, escaped), facts) = rayon::join(
        || rayon::join(|| ctx.plan(), || derive::escapes(&a.sema)),
        || Facts::of(a.sema.base()),
    );
    let split = |env, base| Split::new(env, base, ctx.model, plan, &facts);
    let (base, envs) = rayon::join(
        || split(a.sema.base(), true),
        || {
            let envs = &a.sema.model.envs;
            envs.par_iter().map(|e| split(e, false)).collect::<Vec<_>>()
        },
    );
    let derives: Vec<derive::Derive> = envs
        .par_iter()
        .map(|e| {
            if derive {
                derive::Derive::of(&ctx, escaped.as_ref(), base.env, e.env, &facts)
            } else {
                derive::Derive::none(e.env)
            }
        })
        .collect();
    let shards = plan.shards.len().max(1);
    let paths: Result<Vec<Vec<String>>, E> = (0..shards)
        .into_par_iter()
        .map(|s| {
            let base_objects = base.render(&ctx, s);
            let (mut files, holes) = kustomize::base_files(plan, s, &base_objects, |o| {
                derives
                    .iter()
                    .any(|d| o.owner.as_deref().is_some_and(|n| d.derives(n)))
            });
            for (env, how) in envs.iter().zip(&derives) {
                let (derived, rendered) = env.overlay_objects(&ctx, s, how, &base_objects, &holes);
                files.extend(kustomize::overlay_files(
                    plan,
                    s,
                    (&env.env.name, &env.env.namespace),
                    &base_objects,
                    rendered,
                    derived,
                ));
            }
            let mut paths = Vec::with_capacity(files.len());
            for (path, text) in files {
                sink(&path, text)?;
                paths.push(path);
            }
            Ok(paths)
        })
        .collect();
    let mut paths: Vec<String> = match paths {
        Ok(p) => p.into_iter().flatten().collect(),
        Err(e) => return Ok(Err(e)),
    };
    for e in EMITTERS {
        for (path, text) in e.files(&ctx) {
            if let Err(e) = sink(&path, text) {
                return Ok(Err(e));
            }
            paths.push(path);
        }
    }
    paths.sort();
    let mut marker = MARKER_HEAD.to_string();
    for path in &paths {
        marker.push_str(path);
        marker.push('\n');
    }
    Ok(sink(crate::cli::workspace::OUTPUT_MARKER, marker))
}

/// Builds the output tree: the Kustomize base and overlays, the files of every
/// emitter, and the marker file (all in memory; see [`build_each`]).
///
/// # Errors
/// The analysis has errors.
pub fn build(a: &Analysis) -> Result<Output, Vec<Diagnostic>> {
    build_in_memory(a, true)
}

/// [`build`] with every environment object rendered by the emitters, none derived
/// from the base ([`derive`]): the same output, the slow way. For tests.
///
/// # Errors
/// The analysis has errors.
#[doc(hidden)]
pub fn build_rendered(a: &Analysis) -> Result<Output, Vec<Diagnostic>> {
    build_in_memory(a, false)
}

fn build_in_memory(a: &Analysis, derive: bool) -> Result<Output, Vec<Diagnostic>> {
    let files = std::sync::Mutex::new(BTreeMap::new());
    let sink = |path: &str, text: String| -> Result<(), std::convert::Infallible> {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_string(), text);
        Ok(())
    };
    let Ok(()) = build_with(a, derive, &sink)?;
    Ok(Output {
        files: files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    })
}
