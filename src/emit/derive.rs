//! Environment objects derived from the base instead of rendered.
//!
//! Most declarations look the same in every environment but for `${domain}`, `${env}`
//! and `${namespace}`, which the base keeps as written. For such a declaration the
//! environment's objects are the base objects with those placeholders replaced, and
//! its overlay patch is exactly the strings that changed: a JSON 6902 `replace` per
//! string, in document order, which is what diffing the rendered object would give.
//! Deriving skips the emitters and the diff for most of a large platform.
//!
//! A declaration is derived in an environment only when nothing else can make its
//! objects differ ([`Derive::of`]):
//! - neither it nor anything it uses or that uses it is overridden by the
//!   environment, or has a `$${` escape (whose literal `${...}` the base could not tell
//!   from a placeholder), and every secret among those has the same keys in the base and
//!   in the environment;
//! - it is not a secret, it has no `access` rules (a RoleBinding names the
//!   environment's namespace), and its route's cluster is the base's;
//! - no key of its objects and no container image holds a placeholder ([`holes`]).
//!
//! (Its users and its sync wave are the same in every environment: the graph cannot be
//! overridden.) Everything else is rendered and diffed. Tests build both ways
//! ([`super::build_rendered`] renders everything) and compare: every build golden case
//! and the example (tests/build_golden.rs), and generated workspaces with overrides,
//! escapes and variables (`derived_overlays_are_the_rendered_ones`, tests/properties.rs).

use super::kustomize::push_segment;
use super::secret::keys_in;
use super::yaml::{self, Node, Step, Visit};
use super::{Ctx, Facts};
use crate::sema::Sema;
use crate::sema::base::{DOMAIN, ENV, NAMESPACE};
use crate::sema::model::Env;
use rustc_hash::FxHashSet as HashSet;

/// The declarations whose strings hold a `$${` escape, or `None` when a declaration
/// the environments do not resolve (an engine, a cluster, ...) has one: its literal
/// `${...}` would then reach objects of every kind, so nothing is derived.
#[must_use]
pub fn escapes(sema: &Sema) -> Option<HashSet<&str>> {
    let mut out = HashSet::default();
    for d in &sema.decls {
        let mut strs = Vec::new();
        for v in d.attrs.values() {
            crate::sema::strings(&v.val, &mut strs);
        }
        let escaped = strs.iter().any(|s| {
            s.parts
                .iter()
                .any(|p| matches!(p, crate::syntax::ast::StrPart::Lit(t) if t.contains("${")))
        });
        if escaped {
            if !matches!(d.kind.as_str(), "service" | "site" | "database" | "cache") {
                return None;
            }
            out.insert(d.name.as_str());
        }
    }
    Some(out)
}

/// What one environment leaves as written: declarations it does not override, with
/// no escape (a literal `${...}`), and secrets with the same keys as in the base.
#[derive(Debug)]
pub struct Unchanged<'a> {
    overridden: HashSet<&'a str>,
    rekeyed: HashSet<&'a str>,
    escaped: &'a HashSet<&'a str>,
}

impl<'a> Unchanged<'a> {
    /// For the environment called `env` (`None` when there is no such environment).
    /// `escaped` is [`escapes`] (or an empty set where escapes do not matter).
    #[must_use]
    pub fn of(sema: &'a Sema, env: &str, escaped: &'a HashSet<&'a str>) -> Option<Self> {
        let env_decl = sema.get(env).filter(|d| d.kind == "env")?;
        let overridden = env_decl
            .overrides
            .iter()
            .map(|o| o.target.text.as_str())
            .collect();
        let rekeyed = sema
            .model
            .secrets
            .iter()
            .filter(|s| keys_in(s, None) != keys_in(s, Some(env)))
            .map(|s| s.name.as_str())
            .collect();
        Some(Self {
            overridden,
            rekeyed,
            escaped,
        })
    }

    /// Whether the declaration `name` is the same in the environment as in the base.
    #[must_use]
    pub fn decl(&self, name: &str) -> bool {
        !self.overridden.contains(name)
            && !self.escaped.contains(name)
            && !self.rekeyed.contains(name)
    }
}

/// Which declarations of one environment are derived from the base, and the values
/// that replace the placeholders.
#[derive(Debug)]
pub struct Derive<'a> {
    derived: HashSet<&'a str>,
    vars: [(&'static str, &'a str); 3],
}

impl<'a> Derive<'a> {
    /// Nothing derived: every object is rendered.
    #[must_use]
    pub fn none(env: &'a Env) -> Self {
        Self {
            derived: HashSet::default(),
            vars: vars(env),
        }
    }

    /// The declarations of `env` that can be derived from the base (see the module
    /// doc). `escaped` is [`escapes`].
    #[must_use]
    pub fn of(
        ctx: &Ctx<'a>,
        escaped: Option<&'a HashSet<&'a str>>,
        base: &'a Env,
        env: &'a Env,
        facts: &Facts,
    ) -> Self {
        let Some(escaped) = escaped else {
            return Self::none(env);
        };
        let Some(unchanged) = Unchanged::of(ctx.sema, &env.name, escaped) else {
            return Self::none(env);
        };
        let same = |name: &str| unchanged.decl(name);
        let base_cluster = ctx.model.envs.first().and_then(|e| e.cluster.as_deref());
        let same_cluster = env.cluster.as_deref() == base_cluster;
        // The users and the waves are the same in every environment (the graph cannot be
        // overridden), so what is left to compare is the declaration and its neighbours.
        let settled = |name: &str, uses: &[String]| {
            same(name)
                && uses.iter().all(|u| same(u))
                && facts
                    .users
                    .get(name)
                    .is_none_or(|users| users.iter().all(|u| same(u)))
        };
        let mut derived = HashSet::default();
        for w in &base.workloads {
            let routed_elsewhere = w.route.is_some() && !same_cluster;
            if w.access.is_empty() && !routed_elsewhere && settled(&w.name, &w.uses) {
                derived.insert(w.name.as_str());
            }
        }
        for name in base
            .databases
            .iter()
            .map(|d| &d.name)
            .chain(base.caches.iter().map(|c| &c.name))
        {
            if settled(name, &[]) {
                derived.insert(name.as_str());
            }
        }
        Self {
            derived,
            vars: vars(env),
        }
    }

    /// Whether the objects of the declaration `owner` are derived.
    #[must_use]
    pub fn derives(&self, owner: &str) -> bool {
        self.derived.contains(owner)
    }

    /// The patch that turns a base document into the environment's, from its
    /// [`holes`]: a `replace` for every string that holds a placeholder, in document
    /// order, as the YAML text of the operations (empty when nothing changes). The same
    /// text as `Node::Seq(ops).to_yaml_flat()`, written without building the nodes.
    #[must_use]
    pub fn patch(&self, holes: &[(String, &str)]) -> String {
        let mut text = String::new();
        for (path, s) in holes {
            let mut out = std::borrow::Cow::Borrowed(*s);
            for (placeholder, value) in self.vars {
                if out.contains(placeholder) {
                    out = std::borrow::Cow::Owned(out.replace(placeholder, value));
                }
            }
            if out != *s {
                text.push_str("- op: replace\n  path: ");
                yaml::push_string(&mut text, path);
                text.push_str("\n  value: ");
                yaml::push_string(&mut text, &out);
                text.push('\n');
            }
        }
        text
    }
}

/// The strings of a base document that hold a placeholder, with their JSON pointers, in
/// document order.
pub type Found<'a> = Vec<(String, &'a str)>;

/// The [`Found`] strings of a base document; `None` when a key or a container image
/// holds one (the object must be rendered).
#[must_use]
pub fn holes(doc: &Node) -> Option<Found<'_>> {
    let mut found = Holes::default();
    doc.write_yaml_visited(&mut String::new(), &mut found);
    found.finish()
}

/// Finds a document's [`holes`] while the YAML writer writes it
/// ([`Node::write_yaml_visited`]): the writer reports every string it does not write
/// plain, and a string with `${` is never plain.
#[derive(Default)]
pub struct Holes<'a> {
    at: Vec<Step<'a>>,
    found: Found<'a>,
    /// A key or an image holds a placeholder.
    refused: bool,
}

impl<'a> Holes<'a> {
    /// The holes, or `None` when the object must be rendered.
    #[must_use]
    pub fn finish(self) -> Option<Found<'a>> {
        (!self.refused).then_some(self.found)
    }
}

impl<'a> Visit<'a> for Holes<'a> {
    fn enter(&mut self, step: Step<'a>) {
        self.at.push(step);
    }

    fn leave(&mut self) {
        self.at.pop();
    }

    fn unplain(&mut self, s: &'a str, key: bool) {
        if self.refused || !has_placeholder(s) {
            return;
        }
        if key {
            self.refused = true;
            return;
        }
        let path = pointer(&self.at);
        if is_image(&path) {
            self.refused = true;
        } else {
            self.found.push((path, s));
        }
    }
}

/// The JSON pointer of a position (only made for a string that holds a placeholder:
/// most of a document has none).
fn pointer(at: &[Step]) -> String {
    use std::fmt::Write as _;
    let mut path = String::new();
    for step in at {
        match step {
            Step::Key(k) => push_segment(&mut path, k),
            Step::Index(i) => {
                let _ = write!(path, "/{i}");
            }
        }
    }
    path
}

/// Whether `s` holds `${` (a byte scan: the walk tests every key and string of the
/// base, most of them short and without a `$`).
fn has_placeholder(s: &str) -> bool {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'$') {
        let at = from + i;
        if b.get(at + 1) == Some(&b'{') {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Whether a JSON pointer is a container's image (where the overlay would use
/// Kustomize's `images` rather than a patch).
fn is_image(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/spec/template/spec/") else {
        return false;
    };
    let Some((list, rest)) = rest.split_once('/') else {
        return false;
    };
    let Some((index, field)) = rest.split_once('/') else {
        return false;
    };
    matches!(list, "containers" | "initContainers")
        && !index.is_empty()
        && index.bytes().all(|b| b.is_ascii_digit())
        && field == "image"
}

/// Each placeholder and its value in `env` (an environment with no `domain` keeps
/// `${domain}`: a declaration that uses it is an error and nothing is built).
fn vars(env: &Env) -> [(&'static str, &str); 3] {
    [
        (DOMAIN, env.domain.as_deref().unwrap_or(DOMAIN)),
        (ENV, env.name.as_str()),
        (NAMESPACE, env.namespace.as_str()),
    ]
}

#[cfg(test)]
mod tests {
    use super::{has_placeholder, holes};
    use crate::emit::yaml::Node;

    #[test]
    fn holes_are_the_strings_with_placeholders_in_document_order() {
        let doc = Node::map()
            .with(
                "metadata",
                Node::map().with("name", "a").with("ns", "${namespace}"),
            )
            .with(
                "spec",
                Node::map().with(
                    "env",
                    vec![
                        Node::from("plain"),
                        Node::from("x.${domain}"),
                        Node::from("$(A)"),
                    ],
                ),
            );
        let found = holes(&doc).expect("derivable");
        assert_eq!(
            found,
            vec![
                ("/metadata/ns".to_string(), "${namespace}"),
                ("/spec/env/1".to_string(), "x.${domain}")
            ]
        );
        let keyed = Node::map().with("a", Node::map().with("${env}", "x"));
        assert_eq!(holes(&keyed), None, "a key with a placeholder");
        let image = Node::map().with(
            "spec",
            Node::map().with(
                "template",
                Node::map().with(
                    "spec",
                    Node::map().with("containers", vec![Node::map().with("image", "r/${env}:1")]),
                ),
            ),
        );
        assert_eq!(holes(&image), None, "an image with a placeholder");
    }

    #[test]
    fn placeholders_are_found_anywhere_and_only_with_a_brace() {
        for s in ["${domain}", "a.${env}", "x$y${namespace}", "$${", "$$${x}"] {
            assert!(has_placeholder(s), "{s:?}");
        }
        for s in ["", "$", "a$", "$ {", "$(DB_USER)", "{$}", "$x{"] {
            assert!(!has_placeholder(s), "{s:?}");
        }
    }
}
