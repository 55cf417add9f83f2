//! The environment's Namespace, with the Pod Security Standard `restricted` enforced
//! (every pod afc writes meets it).

use super::meta::platform_labels;
use super::{Ctx, Emitter, Object, View};

/// Emits the Namespace of each environment (not in the base: it has no namespace).
#[derive(Debug)]
pub struct NamespaceEmitter;

impl Emitter for NamespaceEmitter {
    fn name(&self) -> &'static str {
        "namespace"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        if view.base || !view.core() {
            return Vec::new();
        }
        let labels = platform_labels(ctx)
            .with("pod-security.kubernetes.io/enforce", "restricted")
            .with("pod-security.kubernetes.io/enforce-version", "latest");
        let mut ns = Object::new("v1", "Namespace", &view.env.namespace, None, labels);
        ns.namespaced = false;
        vec![ns]
    }
}
