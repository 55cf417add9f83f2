//! Container image references: `[registry/]repository[:tag][@digest]`.

use crate::sema::image_ref::split_registry;
pub use crate::sema::image_ref::{ImageRef, parse};

/// The repository in one canonical form, so that `redis`, `library/redis` and
/// `docker.io/library/redis` compare equal: registry included (Docker Hub's
/// `docker.io` when none is written), Docker Hub's official images under `library/`,
/// lower-case.
#[must_use]
pub fn canonical_repository(repository: &str) -> String {
    let repo = repository.to_ascii_lowercase();
    let (registry, path) = split_registry(&repo);
    let registry = match registry {
        None | Some("index.docker.io" | "registry-1.docker.io") => "docker.io",
        Some(r) => r,
    };
    if registry == "docker.io" && !path.contains('/') {
        format!("docker.io/library/{path}")
    } else {
        format!("{registry}/{path}")
    }
}

/// Why a tag looks mutable, or `None` for one that names one release: a full version
/// (`1.8.0`, `v2.3.1`, `2.25.1.0-b381`, `1.1.0-rc1`) or a build identifier with digits
/// and no known moving word. Mutable-looking: branch and channel names (`main`,
/// `stable`, `edge`, `nightly`), tags without digits (`alpine`), and partial versions
/// (`8`, `7.2`, `v3-alpine`) that move with every patch release.
#[must_use]
pub fn mutable_reason(tag: &str) -> Option<String> {
    const MOVING: &[&str] = &[
        "latest",
        "main",
        "master",
        "develop",
        "dev",
        "devel",
        "trunk",
        "head",
        "stable",
        "edge",
        "nightly",
        "canary",
        "next",
        "beta",
        "alpha",
        "testing",
        "unstable",
        "current",
        "lts",
        "prod",
        "production",
        "staging",
    ];
    let lower = tag.to_ascii_lowercase();
    let body = lower.strip_prefix('v').unwrap_or(&lower);
    let numbers =
        super::version::parse(body).filter(|_| body.starts_with(|c: char| c.is_ascii_digit()));
    if numbers.as_ref().is_some_and(|v| v.len() >= 3) {
        return None;
    }
    if let Some(word) = lower.split(['-', '_', '.']).find(|w| MOVING.contains(w)) {
        return Some(format!("`{word}` names a branch or channel that moves"));
    }
    if !lower.chars().any(|c| c.is_ascii_digit()) {
        return Some("a tag without a version moves with every release".into());
    }
    // One or two numbers: a partial version, unless it is a date or build number.
    if numbers.is_some_and(|v| v.first().is_some_and(|n| *n < 1000)) {
        return Some(format!(
            "a partial version (`{tag}`) moves with every patch release"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let r = parse("ghcr.io/acme/api:1.2.0");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("ghcr.io/acme/api", Some("1.2.0"), None)
        );
        let r = parse("localhost:5000/api@sha256:abc");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("localhost:5000/api", None, Some("sha256:abc"))
        );
        let r = parse("redis:7.2@sha256:abc");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("redis", Some("7.2"), Some("sha256:abc"))
        );
    }

    #[test]
    fn canonical() {
        assert_eq!(canonical_repository("redis"), "docker.io/library/redis");
        assert_eq!(
            canonical_repository("docker.io/library/redis"),
            "docker.io/library/redis"
        );
        assert_eq!(
            canonical_repository("hashicorp/vault"),
            "docker.io/hashicorp/vault"
        );
        assert_eq!(
            canonical_repository("Quay.io/argoproj/argocd"),
            "quay.io/argoproj/argocd"
        );
    }

    #[test]
    fn mutable_tags() {
        for tag in [
            "main",
            "stable",
            "alpine",
            "8",
            "7.2",
            "v3-alpine",
            "1.2-slim",
            "nightly-2024",
            "latest",
        ] {
            assert!(mutable_reason(tag).is_some(), "{tag}");
        }
        for tag in [
            "1.8.0",
            "v2.3.1",
            "2.25.1.0-b381",
            "1.1.0-rc1",
            "7.2.7-alpine",
            "20240101",
            "sha-3f2a9c1",
        ] {
            assert!(mutable_reason(tag).is_none(), "{tag}");
        }
    }
}
