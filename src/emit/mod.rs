//! Output: the checked model becomes Kubernetes objects, and the objects become a
//! Kustomize tree (`base/` plus one `overlays/<env>/` per environment). Pure: no IO;
//! the CLI (`src/cli/build.rs`) writes what [`build`] returns.
//!
//! The pipeline:
//! 1. Views. Each environment is a view (its resolved model, from `sema`), and so is the
//!    base: the declarations as written, with no overrides and with `${domain}`,
//!    `${env}` and `${namespace}` left as written ([`view::base_env`]).
//! 2. Emitters ([`EMITTERS`], one module per output kind) turn a view into [`Object`]s.
//!    An emitter may also add files outside the Kustomize tree ([`Emitter::files`]:
//!    [`delivery`] writes the Argo CD applications and the cluster files) and adjust
//!    every object of a view at the end ([`Emitter::finish`]: [`waves`] sets the sync
//!    wave of every object).
//! 3. [`kustomize::assemble`] writes the base objects into `base/` and, per
//!    environment, only the differences: `namespace`, `images`, `replicas`, JSON
//!    patches, added objects and deletions. `kubectl kustomize overlays/<env>` yields
//!    exactly the environment's objects (the conformance suite checks this).
//!
//! The output never depends on file order, declaration order or thread count: views
//! are rendered in parallel but collected in order, and every list is sorted.

pub mod checks;
pub mod cluster_checks;
pub mod datastore;
pub mod delivery;
pub mod kustomize;
pub mod meta;
pub mod namespace;
pub mod netpol;
pub mod routes;
pub mod secret;
pub mod view;
pub mod waves;
pub mod wiring;
pub mod workload;
pub mod yaml;

use crate::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::sema::Sema;
use crate::sema::model::{Env, Model, Platform};
use rayon::prelude::*;
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
    pub fn with(mut self, key: &str, value: impl Into<Node>) -> Self {
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

/// What an emitter renders: one environment, or the base.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// The resolved values. For the base, a synthetic environment with the declared
    /// values and the variables left as `${domain}`, `${env}`, `${namespace}`.
    pub env: &'a Env,
    /// True for the base.
    pub base: bool,
}

/// Everything emitters read.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub sema: &'a Sema,
    pub model: &'a Model,
    pub platform: &'a Platform,
}

impl Ctx<'_> {
    /// The kind of a declaration (`service`, `database`, ...).
    #[must_use]
    pub fn kind_of(&self, name: &str) -> Option<&str> {
        self.sema.get(name).map(|d| d.kind.as_str())
    }

    /// A secret of the model by name.
    #[must_use]
    pub fn secret(&self, name: &str) -> Option<&crate::sema::model::Secret> {
        self.model.secrets.iter().find(|s| s.name == name)
    }

    /// An engine of the model by name.
    #[must_use]
    pub fn engine(&self, name: &str) -> Option<&crate::sema::model::Engine> {
        self.model.engines.iter().find(|e| e.name == name)
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

/// Renders every view. `Err` with the error diagnostics when the analysis has errors.
///
/// # Errors
/// The analysis has errors (including the build checks of [`checks`]).
pub fn render(a: &Analysis) -> Result<Rendered, Vec<Diagnostic>> {
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
    let ctx = Ctx {
        sema: &a.sema,
        model: &a.sema.model,
        platform,
    };
    let base_env = view::base_env(&a.sema);
    let base = render_view(
        &ctx,
        &View {
            env: &base_env,
            base: true,
        },
    );
    let envs = a
        .sema
        .model
        .envs
        .par_iter()
        .map(|env| {
            let objects = render_view(&ctx, &View { env, base: false });
            (env.name.clone(), env.namespace.clone(), objects)
        })
        .collect();
    Ok(Rendered { base, envs })
}

/// Builds the output tree: the Kustomize base and overlays, the files of every
/// emitter, and the marker file.
///
/// # Errors
/// The analysis has errors.
pub fn build(a: &Analysis) -> Result<Output, Vec<Diagnostic>> {
    let rendered = render(a)?;
    let mut files = kustomize::assemble(&rendered);
    if let Some(platform) = a.sema.model.platform.as_ref() {
        let ctx = Ctx {
            sema: &a.sema,
            model: &a.sema.model,
            platform,
        };
        for e in EMITTERS {
            files.extend(e.files(&ctx));
        }
    }
    let mut marker = MARKER_HEAD.to_string();
    for path in files.keys() {
        marker.push_str(path);
        marker.push('\n');
    }
    files.insert(crate::cli::workspace::OUTPUT_MARKER.to_string(), marker);
    Ok(Output { files })
}
