//! Every component of a platform with its license and the policy's verdict
//! (LANGUAGE.md section 7): the stack (K3s at each cluster's version, Traefik, Argo CD,
//! Sealed Secrets, and cert-manager or Linkerd when used), each data store's engine at
//! its version, and each workload's image. The four license rules and `afc licenses`
//! read this one inventory.
//!
//! A workload's license is its `license` attribute; without one, an image whose
//! repository is the `image` of a stdlib (or workspace) engine or component gets that
//! declaration's license table at the image's tag (so `hashicorp/vault:1.17.2` is
//! known to be BUSL-1.1). Anything else has no known license.

use super::{Ctx, image, version};
use crate::sema::Decl;
use crate::sema::model::{Env, Model, Workload};
use crate::source::{FileId, Span};
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// What part of the platform a component is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Role {
    /// The platform's own stack.
    Stack,
    /// The engine behind a database or cache (`of` names it).
    Engine {
        /// The database or cache.
        of: String,
    },
    /// The image of a service or site (`of` names it).
    Image {
        /// The service or site.
        of: String,
    },
}

/// Where a component's license comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum Source {
    /// The workload's `license` attribute.
    Declared,
    /// A row of the license table of an engine or component declaration.
    Table {
        /// The engine or component whose table it is.
        decl: String,
        /// The range of the row that applies.
        range: String,
    },
    /// Nowhere.
    None,
}

/// The policy's verdict on a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// The expression can be satisfied with allowed licenses. `chosen` are the allowed
    /// terms; `refused` the denied ones (not empty: it passes through one side of an
    /// `OR` only); `by_list` the allowed terms that are not OSI-approved but named by
    /// `allow_licenses`.
    Pass {
        /// The allowed terms.
        chosen: Vec<String>,
        /// The denied terms.
        refused: Vec<String>,
        /// The allowed terms that only `allow_licenses` allows.
        by_list: Vec<String>,
    },
    /// No way to satisfy it: `refused` are the denied terms.
    Denied {
        /// The denied terms.
        refused: Vec<String>,
    },
    /// No license is known.
    Unknown {
        /// Why, in words.
        reason: String,
    },
    /// The license expression or a version range is malformed.
    Invalid {
        /// What is wrong, in words.
        reason: String,
    },
}

impl Verdict {
    /// The word `afc licenses` prints.
    #[must_use]
    pub fn word(&self) -> String {
        match self {
            Verdict::Pass {
                refused,
                by_list,
                chosen,
            } => {
                let base = if by_list.is_empty() {
                    "open source"
                } else {
                    "allowed by policy"
                };
                if refused.is_empty() {
                    base.to_string()
                } else {
                    format!("{base} (as {})", chosen.join(", "))
                }
            }
            Verdict::Denied { .. } => "denied".into(),
            Verdict::Unknown { .. } => "unknown".into(),
            Verdict::Invalid { .. } => "invalid".into(),
        }
    }

    /// True when the component passes the policy.
    #[must_use]
    pub fn passes(&self) -> bool {
        matches!(self, Verdict::Pass { .. })
    }
}

/// One component at one version.
#[derive(Clone, Debug, Serialize)]
pub struct Component {
    /// The declaration it comes from: `k3s`, `redis`, or the workload for an image.
    pub name: String,
    /// How people call it: `K3s`, `Redis`, `auth`.
    pub title: String,
    #[serde(flatten)]
    /// Stack, engine or image.
    pub role: Role,
    /// The version (an image's tag), when known.
    pub version: Option<String>,
    /// For an image: the image reference.
    pub image: Option<String>,
    /// The SPDX expression judged.
    pub license: Option<String>,
    /// Where the license comes from.
    pub source: Source,
    /// The policy's verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The environments this row holds in; empty when it holds in all of them.
    pub envs: Vec<String>,
    /// Where a finding about it is reported.
    #[serde(skip)]
    pub at: (FileId, Span),
    /// The license table row it was read from (for a secondary label).
    #[serde(skip)]
    pub table_at: Option<(FileId, Span)>,
}

/// The stack components a platform always runs.
const ALWAYS: &[&str] = &["k3s", "traefik", "argocd", "sealed-secrets"];

/// Judges one SPDX expression under the policy.
#[must_use]
pub fn judge(ctx: &Ctx, expr: &str) -> Verdict {
    let parsed = match spdx::Expression::parse(expr) {
        Ok(p) => p,
        Err(e) => {
            let at = e.original.get(e.span.clone()).unwrap_or("").trim();
            let reason = if at.is_empty() {
                format!("`{expr}` is not an SPDX expression: {}", e.reason)
            } else {
                format!(
                    "`{expr}` is not an SPDX expression: {} (at `{at}`)",
                    e.reason
                )
            };
            return Verdict::Invalid { reason };
        }
    };
    let mut chosen = Vec::new();
    let mut refused = Vec::new();
    let mut by_list = Vec::new();
    for r in parsed.requirements() {
        let text = r.req.to_string();
        let list = if ctx.policy.allows(&r.req) {
            &mut chosen
        } else {
            &mut refused
        };
        if !list.contains(&text) {
            list.push(text.clone());
        }
        if ctx.policy.allowed_by_list(&r.req) && !by_list.contains(&text) {
            by_list.push(text);
        }
    }
    if parsed.evaluate(|r| ctx.policy.allows(r)) {
        Verdict::Pass {
            chosen,
            refused,
            by_list,
        }
    } else {
        Verdict::Denied { refused }
    }
}

/// The license of `decl`'s table (an engine's or component's) at `ver`: the
/// expression and the row's range, or the verdict that there is none.
fn from_table(
    ctx: &Ctx,
    name: &str,
    table: &[(String, String)],
    ver: Option<&str>,
) -> (Option<String>, Source, Verdict) {
    let parsed = ver.and_then(version::parse);
    match version::pick(table, parsed.as_deref()) {
        Ok(Some((range, expr))) => (
            Some(expr.clone()),
            Source::Table {
                decl: name.to_string(),
                range: range.clone(),
            },
            judge(ctx, expr),
        ),
        Ok(None) => {
            let reason = match (ver, &parsed) {
                (None, _) => {
                    format!("`{name}` has no license for every version, and no version is given")
                }
                (Some(v), None) => {
                    format!("`{v}` is not a version, so no row of `{name}`'s license table applies")
                }
                (Some(v), Some(_)) => {
                    format!("no row of `{name}`'s license table covers version `{v}`")
                }
            };
            (None, Source::None, Verdict::Unknown { reason })
        }
        Err((range, e)) => (
            None,
            Source::None,
            Verdict::Invalid {
                reason: format!(
                    "the version range `{range}` of `{name}` is malformed: {}",
                    e.0
                ),
            },
        ),
    }
}

/// The first phrase of a declaration's documentation (`K3s` from `K3s: the ...`), or
/// its name.
fn title(decl: Option<&Decl>, name: &str) -> String {
    decl.and_then(|d| d.doc.as_deref())
        .map(|doc| {
            doc.split([':', '.', ',', '\n'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty() && t.len() <= 32)
        .unwrap_or_else(|| name.to_string())
}

/// The span of a declaration's `license` table, or its name.
fn table_span(decl: &Decl) -> (FileId, Span) {
    decl.attrs
        .get("license")
        .map_or((decl.file, decl.name_span), |v| {
            (v.file, v.key_span.to(v.span))
        })
}

/// The inventory, sorted: the stack first, then engines and images by name; rows that
/// are the same in every environment are merged.
#[must_use]
pub fn inventory(ctx: &Ctx) -> Vec<Component> {
    let model = &ctx.sema.model;
    let mut out: Vec<Component> = Vec::new();
    stack(ctx, model, &mut out);
    let base = ctx.sema.base();
    let mut views: Vec<(Option<&str>, &Env)> = vec![(None, base)];
    views.extend(model.envs.iter().map(|e| (Some(e.name.as_str()), e)));
    let env_names: Vec<String> = model.envs.iter().map(|e| e.name.clone()).collect();
    let mut per_env: Vec<(Option<&str>, Component)> = Vec::new();
    for (env, view) in &views {
        per_env.extend(engines(ctx, *env, view).into_iter().map(|c| (*env, c)));
    }
    let mut merged = merge(per_env);
    merged.extend(images(ctx, &views));
    // With environments, a row only the base view has (every environment overrides
    // it) is never deployed; a row every environment has holds everywhere.
    if !env_names.is_empty() {
        merged.retain(|m| !m.envs.is_empty());
        for m in &mut merged {
            if env_names.iter().all(|e| m.envs.contains(e)) {
                m.envs.clear();
            }
        }
    }
    merged.sort_by(|a, b| {
        (&a.role, &a.name, &a.version, &a.envs).cmp(&(&b.role, &b.name, &b.version, &b.envs))
    });
    out.extend(merged);
    out
}

/// Merges the rows of every view: one row per distinct (name, role, version, license,
/// verdict, place), with the environments it holds in. The index finds a row's
/// candidates without scanning every row; the verdict, which has no order, is compared
/// within them.
fn merge(per_env: Vec<(Option<&str>, Component)>) -> Vec<Component> {
    type Key<'k> = (
        &'k Role,
        &'k str,
        Option<&'k str>,
        Option<&'k str>,
        Option<&'k str>,
        (FileId, Span),
    );
    // `(first component, environments)`.
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut index: std::collections::BTreeMap<Key, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, (env, c)) in per_env.iter().enumerate() {
        let key: Key = (
            &c.role,
            &c.name,
            c.version.as_deref(),
            c.license.as_deref(),
            c.image.as_deref(),
            c.at,
        );
        let bucket = index.entry(key).or_default();
        match bucket
            .iter()
            .find(|&&r| per_env[rows[r].0].1.verdict == c.verdict)
        {
            Some(&r) => rows[r].1.extend(env.map(str::to_string)),
            None => {
                bucket.push(rows.len());
                rows.push((i, env.map(|e| vec![e.to_string()]).unwrap_or_default()));
            }
        }
    }
    drop(index);
    let mut components: Vec<Option<Component>> =
        per_env.into_iter().map(|(_, c)| Some(c)).collect();
    rows.into_iter()
        .filter_map(|(i, envs)| {
            let mut c = components.get_mut(i)?.take()?;
            c.envs = envs;
            Some(c)
        })
        .collect()
}

fn stack(ctx: &Ctx, model: &Model, out: &mut Vec<Component>) {
    let sema = ctx.sema;
    let platform = sema.decls.iter().find(|d| d.kind == "platform");
    let mut names: Vec<&str> = ALWAYS.to_vec();
    if model.clusters.iter().any(|c| c.tls == "cert-manager") {
        names.push("cert-manager");
    }
    let linkerd_user = sema
        .decls
        .iter()
        .filter(|d| d.kind == "service" || d.kind == "site")
        .find_map(|d| {
            ctx.values(d, "mesh")
                .into_iter()
                .next()
                .map(|(env, _)| (d, env))
        });
    if linkerd_user.is_some() {
        names.push("linkerd");
    }
    for name in names {
        let Some(comp) = model.components.iter().find(|c| c.name == name) else {
            continue;
        };
        let decl = sema.get(name);
        let own = decl.filter(|d| ctx.is_workspace(d.file));
        // (version, where) per place that makes the platform run it.
        let mut places: Vec<(String, (FileId, Span))> = Vec::new();
        match (name, own) {
            (_, Some(d)) => places.push((comp.version.clone(), table_span(d))),
            ("k3s", None) => {
                for c in &model.clusters {
                    if let Some(cd) = sema.get(&c.name) {
                        let at = cd
                            .attrs
                            .get("version")
                            .map_or((cd.file, cd.name_span), |v| (v.file, v.span));
                        places.push((c.version.clone(), at));
                    }
                }
            }
            ("cert-manager", None) => {
                for c in model.clusters.iter().filter(|c| c.tls == "cert-manager") {
                    if let Some(cd) = sema.get(&c.name) {
                        places.push((comp.version.clone(), ctx.site(None, cd, "tls")));
                    }
                }
            }
            ("linkerd", None) => {
                if let Some((d, env)) = linkerd_user {
                    places.push((comp.version.clone(), ctx.site(env, d, "mesh")));
                }
            }
            _ => {}
        }
        if places.is_empty() {
            if let Some(p) = platform {
                places.push((comp.version.clone(), (p.file, p.name_span)));
            }
        }
        places.sort();
        places.dedup_by(|a, b| a.0 == b.0);
        for (ver, at) in places {
            let (license, source, verdict) = from_table(ctx, name, &comp.license, Some(&ver));
            out.push(Component {
                name: name.to_string(),
                title: title(decl, name),
                role: Role::Stack,
                version: Some(ver),
                image: comp.image.clone(),
                license,
                source,
                verdict,
                envs: Vec::new(),
                at,
                table_at: decl.map(table_span),
            });
        }
    }
}

fn engines(ctx: &Ctx, env: Option<&str>, view: &Env) -> Vec<Component> {
    let model = &ctx.sema.model;
    let stores = view
        .databases
        .iter()
        .map(|d| (&d.name, &d.engine, &d.version))
        .chain(view.caches.iter().map(|c| (&c.name, &c.engine, &c.version)));
    let mut out = Vec::new();
    for (store, engine, ver) in stores {
        let (Some(e), Some(store_decl)) = (model.engine(engine), ctx.sema.get(store)) else {
            continue;
        };
        let engine_decl = ctx.sema.get(engine);
        let (license, source, verdict) = from_table(ctx, engine, &e.license, Some(ver));
        out.push(Component {
            name: engine.clone(),
            title: title(engine_decl, engine),
            role: Role::Engine { of: store.clone() },
            version: Some(ver.clone()),
            image: None,
            license,
            source,
            verdict,
            envs: Vec::new(),
            at: ctx.site(env, store_decl, "version"),
            table_at: engine_decl.map(table_span),
        });
    }
    out
}

/// An engine or component by its image: its name and license table.
type Known<'m> = (&'m str, &'m [(String, String)]);

/// The engine or component whose `image` is this repository.
fn known_image<'m>(model: &'m Model, repository: &str) -> Option<Known<'m>> {
    let want = image::canonical_repository(repository);
    model
        .engines
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                Some(e.image.as_str()),
                e.license.as_slice(),
            )
        })
        .chain(
            model
                .components
                .iter()
                .map(|c| (c.name.as_str(), c.image.as_deref(), c.license.as_slice())),
        )
        .find(|(_, img, _)| img.is_some_and(|i| image::canonical_repository(i) == want))
        .map(|(n, _, t)| (n, t))
}

/// The image rows of every view, merged like [`merge`]'s. A workload's row is a
/// function of its name, image, `license` and the place they are written (the verdict
/// follows from them), so rows are merged on those, borrowed, before any is made:
/// a platform has thousands of workloads in every view, and most rows are the same in
/// every environment.
fn images(ctx: &Ctx, views: &[(Option<&str>, &Env)]) -> Vec<Component> {
    type Key<'k> = (&'k str, &'k str, Option<&'k str>, (FileId, Span));
    struct Row<'k> {
        workload: &'k Workload,
        at: (FileId, Span),
        envs: Vec<String>,
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::default();
    for &(env, view) in views {
        for w in &view.workloads {
            let Some(decl) = ctx.sema.get(&w.name) else {
                continue;
            };
            let attr = if w.license.is_some() {
                "license"
            } else {
                "image"
            };
            let at = ctx.site(env, decl, attr);
            let key = (w.name.as_str(), w.image.as_str(), w.license.as_deref(), at);
            match index.entry(key) {
                std::collections::hash_map::Entry::Occupied(r) => {
                    rows[*r.get()].envs.extend(env.map(str::to_string));
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(rows.len());
                    rows.push(Row {
                        workload: w,
                        at,
                        envs: env.map(|e| vec![e.to_string()]).unwrap_or_default(),
                    });
                }
            }
        }
    }
    drop(index);
    // Thousands of workloads share a handful of license expressions and images.
    let mut verdicts = HashMap::default();
    let mut known = HashMap::default();
    rows.into_iter()
        .map(|r| {
            let mut c = image(ctx, r.workload, r.at, &mut verdicts, &mut known);
            c.envs = r.envs;
            c
        })
        .collect()
}

/// The row of one workload's image, reported at `at`.
fn image<'m>(
    ctx: &'m Ctx,
    w: &Workload,
    at: (FileId, Span),
    verdicts: &mut HashMap<String, Verdict>,
    known: &mut HashMap<String, Option<Known<'m>>>,
) -> Component {
    let model = &ctx.sema.model;
    let parts = image::parse(&w.image);
    let tag = parts.tag.map(str::to_string);
    let (license, source, verdict, table_at) = if let Some(l) = &w.license {
        let verdict = verdicts
            .entry(l.clone())
            .or_insert_with(|| judge(ctx, l))
            .clone();
        (Some(l.clone()), Source::Declared, verdict, None)
    } else if let Some((name, table)) = *known
        .entry(parts.repository.to_string())
        .or_insert_with(|| known_image(model, parts.repository))
    {
        let (license, source, verdict) = from_table(ctx, name, table, tag.as_deref());
        (license, source, verdict, ctx.sema.get(name).map(table_span))
    } else {
        let reason = format!(
            "`{}` has no `license`, and its image is not one afc knows",
            w.name
        );
        (None, Source::None, Verdict::Unknown { reason }, None)
    };
    Component {
        name: w.name.clone(),
        title: w.name.clone(),
        role: Role::Image { of: w.name.clone() },
        version: tag,
        image: Some(w.image.clone()),
        license,
        source,
        verdict,
        envs: Vec::new(),
        at,
        table_at,
    }
}

/// The secondary label on the license table a component was judged by.
#[must_use]
pub fn table_label(c: &Component) -> String {
    match &c.source {
        Source::Table { decl, range } => {
            format!("the licenses of `{decl}` (row `{range}` applies)")
        }
        _ => format!("the licenses of `{}`", c.name),
    }
}

/// The component in words: `Redis 7.4.2 (the engine of cache `sessions`)`.
#[must_use]
pub fn describe(ctx: &Ctx, c: &Component) -> String {
    let ver = c
        .version
        .as_deref()
        .map_or(String::new(), |v| format!(" {v}"));
    let envs = match c.envs.as_slice() {
        [] => String::new(),
        [one] => format!(" in env `{one}`"),
        many => format!(
            " in envs {}",
            many.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    match &c.role {
        Role::Stack => format!("{}{ver} (part of the platform's stack){envs}", c.title),
        Role::Engine { of } => {
            let kind = ctx.sema.get(of).map_or("data store", |d| d.kind.as_str());
            format!("{}{ver} (the engine of {kind} `{of}`){envs}", c.title)
        }
        Role::Image { of } => {
            let kind = ctx.sema.get(of).map_or("workload", |d| d.kind.as_str());
            format!(
                "the image of {kind} `{of}` (`{}`){envs}",
                c.image.as_deref().unwrap_or("")
            )
        }
    }
}

/// Versions of the same table, and other engines serving the same kind, whose license
/// passes: what a denied component could become. `None` when there is nothing to
/// suggest.
#[must_use]
pub fn alternatives(ctx: &Ctx, c: &Component) -> Option<String> {
    let model = &ctx.sema.model;
    let Source::Table { decl, range } = &c.source else {
        return None;
    };
    let table = model
        .engines
        .iter()
        .find(|e| &e.name == decl)
        .map(|e| e.license.as_slice())
        .or_else(|| {
            model
                .components
                .iter()
                .find(|x| &x.name == decl)
                .map(|x| x.license.as_slice())
        })?;
    let mut ideas: Vec<String> = table
        .iter()
        .filter(|(r, e)| r != range && judge(ctx, e).passes())
        .map(|(r, e)| format!("a version in `{r}` ({e})"))
        .collect();
    if let Role::Engine { .. } = c.role {
        let serves = model
            .engines
            .iter()
            .find(|e| &e.name == decl)
            .and_then(|e| e.serves.clone());
        for e in model
            .engines
            .iter()
            .filter(|e| &e.name != decl && e.serves.is_some() && e.serves == serves)
        {
            if let Some((_, expr)) = e.license.iter().rev().find(|(_, x)| judge(ctx, x).passes()) {
                ideas.push(format!("`engine = {}` ({expr})", e.name));
            }
        }
    }
    (!ideas.is_empty()).then(|| format!("use {}", ideas.join(", or ")))
}
