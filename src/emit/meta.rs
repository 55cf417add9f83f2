//! Shared pieces of every object: labels, quantities, names, security contexts.

use super::yaml::Node;
use super::{Ctx, View};

/// The label every selector and policy matches on: the declaration's name.
pub const NAME: &str = "app.kubernetes.io/name";
/// The role of the pods: `service`, `site`, `database`, `cache`, `yb-master`, `yb-tserver`.
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The platform's name.
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// Always `afc`.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// The user and group every container runs as (above 10000, so it never matches a
/// user of the node).
pub const RUN_AS: i64 = 10001;

/// The name of the policy that denies all traffic a namespace's pods did not ask for.
pub const DEFAULT_DENY: &str = "afc-default-deny";

/// The recommended labels of an object that belongs to declaration `name`.
#[must_use]
pub fn labels(ctx: &Ctx, name: &str, component: &str) -> Node {
    Node::map()
        .with(NAME, name)
        .with(COMPONENT, component)
        .with(PART_OF, ctx.platform.name.as_str())
        .with(MANAGED_BY, "afc")
}

/// Labels of namespace-wide objects (no name or component).
#[must_use]
pub fn platform_labels(ctx: &Ctx) -> Node {
    Node::map()
        .with(PART_OF, ctx.platform.name.as_str())
        .with(MANAGED_BY, "afc")
}

/// The selector of the pods of declaration `name` in role `component`.
#[must_use]
pub fn selector(name: &str, component: &str) -> Node {
    Node::map().with(NAME, name).with(COMPONENT, component)
}

/// CPU in millicores as a Kubernetes quantity: `250m`, `2`.
#[must_use]
pub fn cpu(millis: u64) -> String {
    if millis % 1000 == 0 {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// Bytes as a Kubernetes quantity: `512Mi`, `4Gi`, or plain bytes.
#[must_use]
pub fn bytes(b: u64) -> String {
    const UNITS: &[(&str, u64)] = &[
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if b >= *size && b % size == 0 {
            return format!("{}{unit}", b / size);
        }
    }
    b.to_string()
}

/// `requests` and `limits`: memory limit = request (memory cannot be taken back
/// without killing), CPU limit = twice the request (CPU is throttled, never killed).
#[must_use]
pub fn resources(cpu_millis: u64, memory: u64) -> Node {
    Node::map()
        .with(
            "requests",
            Node::map()
                .with("cpu", cpu(cpu_millis))
                .with("memory", bytes(memory)),
        )
        .with(
            "limits",
            Node::map()
                .with("cpu", cpu(cpu_millis.saturating_mul(2)))
                .with("memory", bytes(memory)),
        )
}

/// A declaration name as an environment-variable stem: `platform-db` → `PLATFORM_DB`.
#[must_use]
pub fn env_stem(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

/// The in-cluster DNS name of a Service in the view's namespace.
#[must_use]
pub fn fqdn(view: &View, service: &str) -> String {
    format!("{service}.{}.svc.cluster.local", view.env.namespace)
}

/// The pod-level security context: non-root, fixed UID/GID, `RuntimeDefault` seccomp.
#[must_use]
pub fn pod_security() -> Node {
    Node::map()
        .with("runAsNonRoot", true)
        .with("runAsUser", RUN_AS)
        .with("runAsGroup", RUN_AS)
        .with("fsGroup", RUN_AS)
        .with("seccompProfile", Node::map().with("type", "RuntimeDefault"))
}

/// The container-level security context: no privilege escalation, no capabilities,
/// read-only root file system.
#[must_use]
pub fn container_security() -> Node {
    Node::map()
        .with("allowPrivilegeEscalation", false)
        .with("privileged", false)
        .with("readOnlyRootFilesystem", true)
        .with("runAsNonRoot", true)
        .with("runAsUser", RUN_AS)
        .with("runAsGroup", RUN_AS)
        .with(
            "capabilities",
            Node::map().with("drop", vec![Node::from("ALL")]),
        )
        .with("seccompProfile", Node::map().with("type", "RuntimeDefault"))
}

/// A writable `emptyDir` volume.
#[must_use]
pub fn empty_dir(name: &str) -> Node {
    Node::map().with("name", name).with("emptyDir", Node::map())
}

/// A volume mount.
#[must_use]
pub fn mount(name: &str, path: &str) -> Node {
    Node::map().with("name", name).with("mountPath", path)
}

/// True when an image names a fixed version: a digest, or a tag other than `latest`.
#[must_use]
pub fn is_pinned(image: &str) -> bool {
    let r = crate::lint::image::parse(image);
    !r.repository.is_empty()
        && (r.digest.is_some_and(|d| d.contains(':') && d.len() > 8)
            || r.tag.is_some_and(|t| !t.is_empty() && t != "latest"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(cpu(250), "250m");
        assert_eq!(cpu(2000), "2");
        assert_eq!(cpu(1500), "1500m");
        assert_eq!(bytes(512 << 20), "512Mi");
        assert_eq!(bytes(4 << 30), "4Gi");
        assert_eq!(bytes(1_000_000_000), "1000000000");
        assert_eq!(bytes(1536 << 20), "1536Mi");
    }

    #[test]
    fn images() {
        use crate::lint::image::{ImageRef, parse};
        assert_eq!(
            parse("localhost:5000/a/b:1.2@sha256:abc"),
            ImageRef {
                repository: "localhost:5000/a/b",
                tag: Some("1.2"),
                digest: Some("sha256:abc")
            }
        );
        assert_eq!(
            parse("localhost:5000/a/b"),
            ImageRef {
                repository: "localhost:5000/a/b",
                tag: None,
                digest: None
            }
        );
        assert!(is_pinned("ghcr.io/a/b:1.0"));
        assert!(is_pinned("ghcr.io/a/b@sha256:0123456789abcdef"));
        assert!(!is_pinned("ghcr.io/a/b"));
        assert!(!is_pinned("ghcr.io/a/b:latest"));
        assert!(!is_pinned("localhost:5000/b"));
        assert_eq!(env_stem("platform-db"), "PLATFORM_DB");
    }
}
