//! One `SealedSecret` (bitnami.com/v1alpha1) per secret per environment, from that
//! environment's `sealed` block; a `cluster-wide` secret uses its one block in every
//! environment (and so lives in the base). The scope annotation sits on the object,
//! where the controller reads it to decrypt, and on the template, which becomes the
//! Secret. No plaintext exists here: the values are ciphertexts.

use super::meta::labels;
use super::yaml::Node;
use super::{Ctx, Emitter, Object, View};
use crate::sema::model::Secret;
use std::collections::{BTreeMap, BTreeSet};

/// The annotation of a non-strict scope (strict, the default, has none).
#[must_use]
pub fn scope_annotation(scope: &str) -> Option<&'static str> {
    match scope {
        "cluster-wide" => Some("sealedsecrets.bitnami.com/cluster-wide"),
        "namespace-wide" => Some("sealedsecrets.bitnami.com/namespace-wide"),
        _ => None,
    }
}

/// The sealed block a view uses: the cluster-wide block, or the environment's. The
/// base has only cluster-wide blocks.
#[must_use]
pub fn block<'a>(s: &'a Secret, view: &View) -> Option<&'a BTreeMap<String, String>> {
    if s.scope == "cluster-wide" {
        s.sealed.get(&None)
    } else if view.base {
        None
    } else {
        s.sealed.get(&Some(view.env.name.clone()))
    }
}

/// The keys a view's workloads read from a secret. The base has no block of a strict
/// secret, so it lists the keys of every block (each overlay corrects its own).
#[must_use]
pub fn keys<'s>(s: &'s Secret, view: &View) -> Vec<&'s str> {
    keys_in(s, (!view.base).then_some(view.env.name.as_str()))
}

/// [`keys`] in the environment called `env`, or in the base (`None`).
#[must_use]
pub fn keys_in<'s>(s: &'s Secret, env: Option<&str>) -> Vec<&'s str> {
    let block = if s.scope == "cluster-wide" {
        s.sealed.get(&None)
    } else if let Some(env) = env {
        s.sealed.get(&Some(env.to_string()))
    } else {
        let all: BTreeSet<&str> = s
            .sealed
            .values()
            .flat_map(BTreeMap::keys)
            .map(String::as_str)
            .collect();
        return all.into_iter().collect();
    };
    block
        .map(|b| b.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Emits the SealedSecrets.
#[derive(Debug)]
pub struct SealedSecretEmitter;

impl Emitter for SealedSecretEmitter {
    fn name(&self) -> &'static str {
        "sealed-secrets"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        let mut out = Vec::new();
        for s in view.secrets(ctx.model) {
            let Some(data) = block(s, view) else { continue };
            let labels = labels(ctx, &s.name, "secret");
            let annotations =
                scope_annotation(&s.scope).map_or_else(Node::map, |a| Node::map().with(a, "true"));
            let mut meta = Node::map()
                .with("name", s.name.as_str())
                .with("labels", labels.clone());
            if scope_annotation(&s.scope).is_some() {
                meta.push("annotations", annotations.clone());
            }
            let encrypted = data
                .iter()
                .fold(Node::map(), |m, (k, v)| m.with(k.clone(), v.as_str()));
            let mut obj = Object::new(
                "bitnami.com/v1alpha1",
                "SealedSecret",
                &s.name,
                Some(&s.name),
                labels,
            )
            .with(
                "spec",
                Node::map().with("encryptedData", encrypted).with(
                    "template",
                    Node::map().with("metadata", meta).with("type", "Opaque"),
                ),
            );
            if scope_annotation(&s.scope).is_some() {
                if let Some(m) = obj.doc.get_mut("metadata") {
                    m.push("annotations", annotations);
                }
            }
            out.push(obj);
        }
        out
    }
}
