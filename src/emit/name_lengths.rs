//! Object names too long for Kubernetes (AF4016). A declaration's name is at most 63
//! characters (AF1014), but some of its objects add a suffix, and some kinds allow less:
//! - a Service's name is a DNS label (RFC 1035): at most 63 characters;
//! - a StatefulSet's pods carry the label `controller-revision-hash` =
//!   `<StatefulSet name>-<10-character hash>`, and a label value is at most 63
//!   characters, so the controller creates no pod at all for a StatefulSet name over 52
//!   (kubernetes/kubernetes#64023);
//! - every other object name is a DNS subdomain (RFC 1123): at most 253 characters.
//!
//! The API server accepts such a StatefulSet and then never starts its pods, and
//! refuses such a Service only when Argo CD syncs: neither `kubectl kustomize` nor a
//! schema sees it. Each declaration is reported once, at its name, with the longest name
//! it may have.

use crate::diag::{Diagnostic, code};
use crate::sema::Sema;
use std::borrow::Cow;

/// The longest name Kubernetes accepts for an object of `kind`, what goes wrong past
/// it, and why.
fn limit(kind: &str) -> (usize, &'static str, &'static str) {
    match kind {
        "Service" => (
            63,
            "the API server refuses a Service name over 63",
            "a Service's name is a DNS label",
        ),
        "StatefulSet" => (
            52,
            "Kubernetes starts no pod for a StatefulSet name over 52",
            "its pods are labelled `controller-revision-hash: <name>-<10-character hash>`, and a label value is at most 63 characters",
        ),
        _ => (
            253,
            "the API server refuses an object name over 253",
            "an object name is a DNS subdomain",
        ),
    }
}

/// Pushes a diagnostic per declaration with an object name over its kind's limit.
/// `names` are the objects of every declaration ([`super::checks::object_names`]).
pub fn run(sema: &Sema, names: &[(&'static str, Cow<'_, str>, &str)], diags: &mut Vec<Diagnostic>) {
    let mut i = 0;
    while i < names.len() {
        // The objects of one declaration are next to each other.
        let owner = names[i].2;
        let end = i + names[i..].iter().take_while(|n| n.2 == owner).count();
        let objects = &names[i..end];
        i = end;
        if owner.is_empty() {
            continue;
        }
        let Some((kind, name, _)) = objects.iter().find(|(k, n, _)| n.len() > limit(k).0) else {
            continue;
        };
        let Some(d) = sema.get(owner) else { continue };
        // The longest declaration name that keeps every object within its limit (each
        // object's name is the declaration's name and a suffix).
        let longest = objects
            .iter()
            .map(|(k, n, _)| {
                limit(k)
                    .0
                    .saturating_sub(n.len().saturating_sub(owner.len()))
            })
            .min()
            .unwrap_or(0);
        let (_, what, why) = limit(kind);
        let object = if name.as_ref() == owner {
            format!("its {kind}")
        } else {
            format!("its {kind} `{name}`")
        };
        diags.push(
            Diagnostic::new(
                code::OBJECT_NAME_TOO_LONG,
                format!(
                    "the name of {} `{owner}` is too long for {object}: {what}",
                    d.kind
                ),
                d.file,
                d.name_span,
            )
            .label(format!("makes a {kind} name of {} characters", name.len()))
            .help(format!(
                "shorten the name to at most {longest} characters ({why})"
            )),
        );
    }
}
