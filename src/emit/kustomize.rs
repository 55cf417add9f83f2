//! The Kustomize tree.
//!
//! ```text
//! base/kustomization.yaml            resources: [resources.yaml]
//! base/resources.yaml                every base object, one YAML document each
//! overlays/<env>/kustomization.yaml  namespace, resources, images, replicas, patches
//! overlays/<env>/resources.yaml      objects only this environment has
//! ```
//!
//! A sharded platform ([`super::shard`]) has this tree once per shard:
//! `base/<shard>/` and `overlays/<env>/<shard>/`.
//!
//! An overlay holds exactly the difference between the base and the environment's
//! objects. Image tags and replica counts that change go to Kustomize's `images` and
//! `replicas` fields when that is exact (the entry changes nothing else); everything
//! else that differs becomes a JSON 6902 patch, computed by diffing the base object with
//! the environment's, and a base object the environment does not have becomes a
//! `$patch: delete`. Patches are written inline in `kustomization.yaml`. Kustomize
//! applies patches before `namespace`, `replicas` and `images`, so patches are computed
//! against the environment's object with those three undone.
//!
//! Few, larger files: writing one file per object made most of a large build's time
//! inode allocation in the kernel.

use super::Object;
use super::derive;
use super::shard::Plan;
use super::yaml::{Node, stream};
use crate::lint::image::parse as parse_image;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// `apiVersion` and `kind` of a kustomization file.
fn header() -> Node {
    Node::map()
        .with("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .with("kind", "Kustomization")
}

/// JSON 6902 operations that turn `a` into `b`.
pub fn diff(path: &str, a: &Node, b: &Node, ops: &mut Vec<Node>) {
    let mut at = path.to_string();
    diff_at(&mut at, a, b, ops);
}

/// [`diff`] with the path in a buffer that grows and shrinks with the walk, so that a
/// path is only made into a string for an operation.
fn diff_at(path: &mut String, a: &Node, b: &Node, ops: &mut Vec<Node>) {
    let len = path.len();
    match (a, b) {
        (Node::Map(pa), Node::Map(pb)) => {
            for (i, (k, va)) in pa.iter().enumerate() {
                push_segment(path, k);
                // Both maps are usually built in the same key order: look there first.
                let same_place = pb.get(i).filter(|(kb, _)| kb == k);
                match same_place.or_else(|| pb.iter().find(|(kb, _)| kb == k)) {
                    Some((_, vb)) => diff_at(path, va, vb, ops),
                    None => ops.push(Node::map().with("op", "remove").with("path", path.clone())),
                }
                path.truncate(len);
            }
            for (i, (k, vb)) in pb.iter().enumerate() {
                let in_a =
                    pa.get(i).is_some_and(|(ka, _)| ka == k) || pa.iter().any(|(ka, _)| ka == k);
                if !in_a {
                    push_segment(path, k);
                    ops.push(
                        Node::map()
                            .with("op", "add")
                            .with("path", path.clone())
                            .with("value", vb.clone()),
                    );
                    path.truncate(len);
                }
            }
        }
        (Node::Seq(sa), Node::Seq(sb)) if sa.len() == sb.len() => {
            for (i, (va, vb)) in sa.iter().zip(sb).enumerate() {
                let _ = write!(path, "/{i}");
                diff_at(path, va, vb, ops);
                path.truncate(len);
            }
        }
        _ if a == b => {}
        _ => ops.push(
            Node::map()
                .with("op", "replace")
                .with("path", path.clone())
                .with("value", b.clone()),
        ),
    }
}

/// Appends `/segment`, escaped for a JSON pointer.
pub(super) fn push_segment(path: &mut String, s: &str) {
    path.push('/');
    if !s.contains(['~', '/']) {
        path.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// The object's document without `metadata.namespace` (the overlay sets it).
fn strip_namespace(o: Object) -> Node {
    let mut doc = o.doc;
    if let Some(m) = doc.get_mut("metadata") {
        m.remove("namespace");
    }
    doc
}

const CONTAINER_LISTS: &[&str] = &["initContainers", "containers"];
const REPLICA_KINDS: &[&str] = &["Deployment", "StatefulSet"];

fn pod_spec_mut(doc: &mut Node) -> Option<&mut Node> {
    doc.get_mut("spec")?.get_mut("template")?.get_mut("spec")
}

/// `(list, index, image)` of every container of a document.
fn images_of(doc: &Node) -> Vec<(&'static str, usize, String)> {
    let Some(spec) = doc.at(&["spec", "template", "spec"]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for list in CONTAINER_LISTS {
        if let Some(Node::Seq(items)) = spec.get(list) {
            for (i, c) in items.iter().enumerate() {
                if let Some(img) = c.get("image").and_then(Node::as_str) {
                    out.push((*list, i, img.to_string()));
                }
            }
        }
    }
    out
}

fn set_image(doc: &mut Node, list: &str, i: usize, image: &str) {
    if let Some(Node::Seq(items)) = pod_spec_mut(doc).and_then(|s| s.get_mut(list)) {
        if let Some(c) = items.get_mut(i).and_then(|c| c.get_mut("image")) {
            *c = Node::from(image);
        }
    }
}

/// An `images` entry: a new tag or digest for every image named `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ImageEntry {
    name: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageEntry {
    /// The entry that turns images named like `fin` into `fin`.
    fn to(fin: &str) -> Option<Self> {
        let r = parse_image(fin);
        match (r.tag, r.digest) {
            (Some(t), None) => Some(Self {
                name: r.repository.into(),
                tag: Some(t.into()),
                digest: None,
            }),
            (None, Some(d)) => Some(Self {
                name: r.repository.into(),
                tag: None,
                digest: Some(d.into()),
            }),
            _ => None,
        }
    }

    fn apply(&self, image: &str) -> Option<String> {
        let r = parse_image(image);
        (r.repository == self.name).then(|| match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{}@{d}", self.name),
            (None, Some(t)) => format!("{}:{t}", self.name),
            (None, None) => image.to_string(),
        })
    }

    fn node(&self) -> Node {
        Node::map()
            .with("name", self.name.as_str())
            .with_opt("newTag", self.tag.as_deref())
            .with_opt("digest", self.digest.as_deref())
    }
}

fn apply_all(entries: &[ImageEntry], image: &str) -> String {
    entries
        .iter()
        .find_map(|e| e.apply(image))
        .unwrap_or_else(|| image.to_string())
}

type Key<'a> = (&'static str, &'a str);

/// A shard's base objects by `(kind, name)`, for lookups (the objects themselves are
/// in key order where order matters).
type Keyed<'a> = FxHashMap<Key<'a>, &'a Object>;

/// The `images` entries of an overlay, and the base image each changed container
/// keeps in the patched document (`(kind, name, list, index) → base image`). `env` are
/// the rendered objects; `derived` the objects that are the base's but for their
/// placeholders (so their images are the base's).
fn image_entries<'a>(
    base: &Keyed<'a>,
    env: &[(Key<'a>, &Node)],
    derived: impl Iterator<Item = Key<'a>>,
) -> (Vec<ImageEntry>, BTreeSet<(Key<'a>, &'static str, usize)>) {
    // Every container: its base image (when the base object has the same container) and
    // its final image.
    let mut uses: Vec<(Key<'a>, &'static str, usize, Option<String>, String)> = Vec::new();
    for (key, doc) in env {
        let base_images = base.get(key).map(|o| images_of(&o.doc)).unwrap_or_default();
        for (list, i, fin) in images_of(doc) {
            let b = base_images
                .iter()
                .find(|(l, j, _)| *l == list && *j == i)
                .map(|(_, _, img)| img.clone());
            uses.push((*key, list, i, b, fin));
        }
    }
    let mut candidates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, _, _, b, fin) in &uses {
        if let Some(b) = b {
            if b != fin && parse_image(b).repository == parse_image(fin).repository {
                candidates
                    .entry(parse_image(b).repository.to_string())
                    .or_default()
                    .insert(fin.clone());
            }
        }
    }
    let mut entries: Vec<ImageEntry> = candidates
        .into_values()
        .filter(|fins| fins.len() == 1)
        .filter_map(|fins| fins.first().and_then(|f| ImageEntry::to(f)))
        .collect();
    if entries.is_empty() {
        return (entries, BTreeSet::new());
    }
    // An entry must leave the derived objects' images as they are.
    for key in derived {
        for (list, i, img) in base
            .get(&key)
            .map(|o| images_of(&o.doc))
            .unwrap_or_default()
        {
            uses.push((key, list, i, Some(img.clone()), img));
        }
    }
    // Drop entries until every container ends with its final image.
    loop {
        let mut bad = None;
        for (_, _, _, b, fin) in &uses {
            let t = match b {
                Some(b) if apply_all(&entries, b) == *fin => b,
                _ => fin,
            };
            if apply_all(&entries, t) != *fin {
                bad = entries.iter().position(|e| e.apply(t).is_some());
                break;
            }
        }
        match bad {
            Some(i) => {
                entries.remove(i);
            }
            None => break,
        }
    }
    let reverted = uses
        .iter()
        .filter(|(_, _, _, b, fin)| {
            b.as_ref()
                .is_some_and(|b| b != fin && apply_all(&entries, b) == *fin)
        })
        .map(|(k, l, i, _, _)| (*k, *l, *i))
        .collect();
    (entries, reverted)
}

fn replicas_of(doc: &Node) -> Option<&Node> {
    doc.at(&["spec", "replicas"])
}

/// An environment's object in an overlay.
enum EnvDoc {
    /// Rendered by the emitters (without `metadata.namespace`): diffed with the base.
    Rendered(Node),
    /// Derived from the base object ([`super::derive`]): the patch is known (its YAML
    /// text, empty when nothing changes).
    Derived(String),
}

/// One overlay: the difference between `base` and the environment's objects of one
/// shard, `rendered` by the emitters or `derived` from base objects (`(kind, name)`
/// and patch). Returns its files, relative to `dir`.
fn overlay(
    namespace: &str,
    base_ref: &str,
    base_objects: &[Object],
    base: &Keyed,
    rendered: Vec<Object>,
    derived: Vec<(Key, String)>,
) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let names: Vec<(&'static str, String)> =
        rendered.iter().map(|o| (o.kind, o.name.clone())).collect();
    let mut env_docs: Vec<(Key, EnvDoc)> = names
        .iter()
        .map(|(k, n)| (*k, n.as_str()))
        .zip(
            rendered
                .into_iter()
                .map(|o| EnvDoc::Rendered(strip_namespace(o))),
        )
        .chain(
            derived
                .into_iter()
                .map(|(k, ops)| (k, EnvDoc::Derived(ops))),
        )
        .collect();
    env_docs.sort_by(|a, b| a.0.cmp(&b.0));
    // The rendered objects (a derived object has the base's images and replicas).
    let looks: Vec<(Key, &Node)> = env_docs
        .iter()
        .filter_map(|(k, d)| match d {
            EnvDoc::Rendered(doc) => Some((*k, doc)),
            EnvDoc::Derived(_) => None,
        })
        .collect();
    let env_keys: FxHashSet<Key> = env_docs.iter().map(|(k, _)| *k).collect();
    let derived_keys = env_docs.iter().filter_map(|(k, d)| match d {
        EnvDoc::Derived(_) => Some(*k),
        EnvDoc::Rendered(_) => None,
    });
    let (entries, reverted) = image_entries(base, &looks, derived_keys);

    // Replica counts that change, for names that only one object carries.
    let mut holders: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &env_keys {
        if REPLICA_KINDS.contains(&k.0) {
            *holders.entry(k.1).or_default() += 1;
        }
    }
    let mut replicas: BTreeMap<&str, Node> = BTreeMap::new();
    for (key, doc) in &looks {
        let Some(b) = base.get(key) else { continue };
        if !REPLICA_KINDS.contains(&key.0) || holders.get(key.1) != Some(&1) {
            continue;
        }
        if let (Some(Node::Int(n)), Some(bn)) = (replicas_of(doc), replicas_of(&b.doc)) {
            if Node::Int(*n) != *bn {
                replicas.insert(key.1, Node::Int(*n));
            }
        }
    }
    drop(looks);

    let mut resources = vec![Node::from(base_ref)];
    let mut added: Vec<Node> = Vec::new();
    let mut patches = Vec::new();
    for (key, doc) in env_docs {
        let (b, doc) = match (base.get(&key), doc) {
            (None, EnvDoc::Rendered(doc)) => {
                added.push(doc);
                continue;
            }
            (None, EnvDoc::Derived(_)) => continue,
            (Some(b), doc) => (b, doc),
        };
        let patch = match doc {
            EnvDoc::Derived(text) => text,
            EnvDoc::Rendered(mut target) => {
                for (list, i, img) in images_of(&b.doc) {
                    if reverted.contains(&(key, list, i)) {
                        set_image(&mut target, list, i, &img);
                    }
                }
                if replicas.contains_key(key.1) && REPLICA_KINDS.contains(&key.0) {
                    if let (Some(spec), Some(bn)) = (target.get_mut("spec"), replicas_of(&b.doc)) {
                        if let Some(r) = spec.get_mut("replicas") {
                            *r = bn.clone();
                        }
                    }
                }
                let mut ops = Vec::new();
                diff("", &b.doc, &target, &mut ops);
                if ops.is_empty() {
                    String::new()
                } else {
                    Node::Seq(ops).to_yaml_flat()
                }
            }
        };
        if patch.is_empty() {
            continue;
        }
        let mut t = Node::map();
        if !b.group().is_empty() {
            t.push("group", b.group());
        }
        t.push("version", b.version());
        t.push("kind", b.kind);
        t.push("name", b.name.as_str());
        patches.push(Node::map().with("patch", patch).with("target", t));
    }
    for b in base_objects {
        if env_keys.contains(&b.key()) {
            continue;
        }
        let doc = Node::map()
            .with("$patch", "delete")
            .with("apiVersion", b.api_version)
            .with("kind", b.kind)
            .with("metadata", Node::map().with("name", b.name.as_str()));
        patches.push(Node::map().with("patch", doc.to_yaml_flat()));
    }
    if !added.is_empty() {
        files.push(("resources.yaml".to_string(), stream(&added)));
        resources.push(Node::from("resources.yaml"));
    }

    let mut k = header()
        .with("namespace", namespace)
        .with("resources", resources);
    if !entries.is_empty() {
        k.push(
            "images",
            entries.iter().map(ImageEntry::node).collect::<Vec<_>>(),
        );
    }
    if !replicas.is_empty() {
        k.push(
            "replicas",
            replicas
                .into_iter()
                .map(|(n, c)| Node::map().with("name", n).with("count", c))
                .collect::<Vec<_>>(),
        );
    }
    if !patches.is_empty() {
        k.push("patches", patches);
    }
    files.push(("kustomization.yaml".to_string(), k.to_yaml()));
    files
}

/// The directory of a shard's base (relative to the output root).
#[must_use]
pub fn base_dir(plan: &Plan, shard: usize) -> String {
    match plan.shards.get(shard) {
        Some(s) => format!("base/{}", s.name),
        None => "base".to_string(),
    }
}

/// The directory of an environment's overlay of a shard (relative to the output root):
/// what its Argo CD Application deploys.
#[must_use]
pub fn overlay_dir(plan: &Plan, env: &str, shard: usize) -> String {
    match plan.shards.get(shard) {
        Some(s) => format!("overlays/{env}/{}", s.name),
        None => format!("overlays/{env}"),
    }
}

/// The base of a shard: `kustomization.yaml` and `resources.yaml`, and the
/// [`derive::holes`] of each object that `derives` (found while its document is
/// written; `None` for the others).
#[must_use]
pub fn base_files<'o>(
    plan: &Plan,
    shard: usize,
    objects: &'o [Object],
    derives: impl Fn(&Object) -> bool,
) -> (Vec<(String, String)>, Vec<Option<derive::Found<'o>>>) {
    let dir = base_dir(plan, shard);
    let mut k = header();
    let mut files = Vec::new();
    let mut holes = Vec::with_capacity(objects.len());
    if objects.is_empty() {
        k.push("resources", Vec::<Node>::new());
    } else {
        k.push("resources", vec![Node::from("resources.yaml")]);
        let mut text = String::with_capacity(objects.len() * 1024);
        for (i, o) in objects.iter().enumerate() {
            if i > 0 {
                text.push_str("---\n");
            }
            holes.push(if derives(o) {
                let mut found = derive::Holes::default();
                o.doc.write_yaml_visited(&mut text, &mut found);
                found.finish()
            } else {
                o.doc.write_yaml(&mut text);
                None
            });
        }
        files.push((format!("{dir}/resources.yaml"), text));
    }
    files.push((format!("{dir}/kustomization.yaml"), k.to_yaml()));
    (files, holes)
}

/// The overlay of one environment for one shard: the difference between the shard's
/// base objects and the environment's, `rendered` or `derived` (see [`overlay`]).
#[must_use]
pub fn overlay_files(
    plan: &Plan,
    shard: usize,
    (env, namespace): (&str, &str),
    base: &[Object],
    rendered: Vec<Object>,
    derived: Vec<((&'static str, &str), String)>,
) -> Vec<(String, String)> {
    let up = if plan.sharded() { "../../.." } else { "../.." };
    let keyed: Keyed = base.iter().map(|o| (o.key(), o)).collect();
    let dir = overlay_dir(plan, env, shard);
    overlay(
        namespace,
        &format!("{up}/{}", base_dir(plan, shard)),
        base,
        &keyed,
        rendered,
        derived,
    )
    .into_iter()
    .map(|(f, text)| (format!("{dir}/{f}"), text))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs() {
        let a = Node::map()
            .with("a", 1i64)
            .with("b", Node::map().with("c/d", "x").with("e", "y"))
            .with("l", vec![Node::from("p"), Node::from("q")]);
        let b = Node::map()
            .with(
                "b",
                Node::map().with("e", "y").with("c/d", "z").with("f", true),
            )
            .with("l", vec![Node::from("p")]);
        let mut ops = Vec::new();
        diff("", &a, &b, &mut ops);
        assert_eq!(
            Node::Seq(ops).to_yaml(),
            "- op: remove\n  path: /a\n- op: replace\n  path: \"/b/c~1d\"\n  value: z\n- op: add\n  path: /b/f\n  value: true\n- op: replace\n  path: /l\n  value:\n    - p\n"
        );
        let mut none = Vec::new();
        diff("", &a, &a.clone(), &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn image_entries_apply_only_to_their_name() {
        let e = ImageEntry::to("ghcr.io/a/b:2").expect("tagged");
        assert_eq!(e.apply("ghcr.io/a/b:1").as_deref(), Some("ghcr.io/a/b:2"));
        assert_eq!(e.apply("ghcr.io/a/bc:1"), None);
        assert!(ImageEntry::to("ghcr.io/a/b:2@sha256:00").is_none());
    }
}
