//! Container image references, as containerd and Docker read them (the grammar of
//! `distribution/reference`):
//!
//! ```text
//! reference   := name [ ":" tag ] [ "@" digest ]
//! name        := [ registry "/" ] path-component { "/" path-component }
//! registry    := host [ ":" port ]      (the first component, when it has a `.` or
//!                                        a `:`, is `localhost`, or has upper case)
//! host        := label { "." label }    label: [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
//! path-component := [a-z0-9]+ { ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ }
//! tag         := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest      := algorithm ":" hex      algorithm: [A-Za-z][A-Za-z0-9]* joined by + . _ -
//!                                       hex: 64 digits for sha256, 128 for sha512, else >= 32
//! ```
//!
//! and the name is at most 255 characters. Kubernetes accepts any string as an image;
//! the node then fails to pull it (`InvalidImageName`), so afc checks the grammar.

/// The parts of an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The repository with its registry, as written (`ghcr.io/acme/api`, `redis`).
    pub repository: &'a str,
    /// The tag after the last `:` of the last path segment.
    pub tag: Option<&'a str>,
    /// The digest after `@` (`sha256:...`).
    pub digest: Option<&'a str>,
}

/// Splits an image reference.
#[must_use]
pub fn parse(image: &str) -> ImageRef<'_> {
    // Byte loops: references are short, and every view of a large platform splits
    // thousands of them. (`@`, `/` and `:` are ASCII, so every cut is a char boundary.)
    let (rest, digest) = match image.bytes().position(|b| b == b'@') {
        Some(i) => (&image[..i], Some(&image[i + 1..])),
        None => (image, None),
    };
    // A `:` after the last `/` starts the tag (one before it is a registry's port).
    let last_slash = rest.bytes().rposition(|b| b == b'/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].bytes().position(|b| b == b':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    ImageRef {
        repository,
        tag,
        digest,
    }
}

/// A repository's registry, when it names one, and the path after it. The first
/// component names a registry when more follow and it has a `.` or a `:`, is
/// `localhost`, or has upper case (which a path component cannot).
#[must_use]
pub fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, path))
            if first.bytes().any(|b| b == b'.' || b == b':')
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), path)
        }
        _ => (None, name),
    }
}

/// Why `image` is not an image reference, if it is not. `repository` asks for a name
/// alone (an engine's or a component's image, tagged later with its version).
#[must_use]
pub fn problem(image: &str, repository: bool) -> Option<String> {
    let why = why_not(image, repository)?;
    let what = if repository {
        "an image repository"
    } else {
        "an image reference"
    };
    Some(format!("`{image}` is not {what}: {why}"))
}

fn why_not(image: &str, repository: bool) -> Option<String> {
    if image.is_empty() {
        return Some("it is empty".into());
    }
    // Printable ASCII has no space or control character: the common case, byte by byte.
    let blank = |c: &char| c.is_whitespace() || c.is_control();
    let printable_ascii = image.bytes().all(|b| b > b' ' && b < 0x7f);
    if let Some(c) = (!printable_ascii)
        .then(|| image.chars().find(blank))
        .flatten()
    {
        return Some(if c == ' ' {
            "it holds a space".into()
        } else {
            format!("it holds the character U+{:04X}", u32::from(c))
        });
    }
    let ImageRef {
        repository: name,
        tag,
        digest,
    } = parse(image);
    if repository && (tag.is_some() || digest.is_some()) {
        return Some("it has a tag or digest; the version gives the tag".into());
    }
    if name.len() > 255 {
        return Some(format!(
            "its name is {} characters long, and at most 255 are allowed",
            name.len()
        ));
    }
    let (registry, path) = split_registry(name);
    if let Some(registry) = registry.filter(|r| !is_registry(r)) {
        return Some(format!(
            "the registry `{registry}` is not a host name with an optional port"
        ));
    }
    if let Some(bad) = path.split('/').find(|p| !is_path_component(p)) {
        return Some(if bad.is_empty() {
            "its repository path has an empty component (`//`, or `/` at an end)".into()
        } else {
            format!(
                "the path component `{bad}` is not lower-case letters and digits, with `.`, `_`, `__` or `-` only between them"
            )
        });
    }
    if let Some(tag) = tag {
        if !is_tag(tag) {
            return Some(format!(
                "the tag `{tag}` is not 1 to 128 letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`"
            ));
        }
    }
    if let Some(digest) = digest {
        if let Some(why) = digest_problem(digest) {
            return Some(why);
        }
    }
    None
}

/// `host[:port]`, or a bracketed IPv6 address with an optional port.
fn is_registry(s: &str) -> bool {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        ("", port)
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let host_ok = s.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or one or more `-`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator, then an alphanumeric (the last byte is alphanumeric).
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if !alnum(b[i]) {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn is_tag(s: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    !s.is_empty()
        && s.len() <= 128
        && s.starts_with(word)
        && s.chars().all(|c| word(c) || c == '.' || c == '-')
}

fn digest_problem(d: &str) -> Option<String> {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return Some(format!("the digest `{d}` is not `algorithm:hex`"));
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['+', '.', '_', '-']).all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !algorithm_ok {
        return Some(format!(
            "the digest algorithm `{algorithm}` is not a name like `sha256`"
        ));
    }
    let want = match algorithm {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    let hex_ok = hex.chars().all(|c| c.is_ascii_hexdigit())
        && want.map_or(hex.len() >= 32, |n| hex.len() == n);
    if !hex_ok {
        return Some(match want {
            Some(n) => format!("a `{algorithm}` digest is {n} hexadecimal digits"),
            None => "a digest is at least 32 hexadecimal digits".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:4b4bbd1f1b0a2bd1fd2ab1c9a3e1e6c4bc7b2b1d2f2a9a5e1b1c1d1e1f1a1b1c";

    #[test]
    fn references_containerd_pulls() {
        for ok in [
            "nginx",
            "nginx:1.27",
            "library/nginx:latest",
            "docker.io/library/nginx:1.27.0",
            "ghcr.io/acme/api:1.2.0",
            "registry.example.com:5000/team/api:v1.2.3-rc.1",
            "localhost/api:dev",
            "localhost:5000/api",
            "[::1]:5000/api:1",
            "Registry.Example.com/acme/api:1",
            "quay.io/argoproj/argocd",
            "a.b/c__d/e_f/g.h/i---j:TAG_1.0-x",
            "docker.io/yugabytedb/yugabyte:2.25.1.0-b381",
            &format!("ghcr.io/acme/api@{SHA}"),
            &format!("ghcr.io/acme/api:1.0@{SHA}"),
        ] {
            assert_eq!(problem(ok, false), None, "{ok}");
        }
    }

    #[test]
    fn references_containerd_refuses() {
        for (bad, why) in [
            ("", "empty"),
            ("ghcr.io/acme/API:1", "`API`"),
            ("ghcr.io/acme/api with space:1", "a space"),
            ("ghcr.io/acme/api\t:1", "U+0009"),
            ("ghcr.io//api:1", "empty component"),
            ("ghcr.io/acme/api/:1", "empty component"),
            ("ghcr.io/acme/-api:1", "`-api`"),
            ("ghcr.io/acme/a___b:1", "`a___b`"),
            ("ghcr.io/acme/a..b:1", "`a..b`"),
            ("ghcr.io/acme/api:", "tag ``"),
            ("ghcr.io/acme/api:.1", "tag `.1`"),
            ("ghcr.io/acme/api:1:2", "tag `1:2`"),
            ("-bad.io/acme/api:1", "registry `-bad.io`"),
            ("ghcr.io:port/acme/api:1", "registry `ghcr.io:port`"),
            ("ghcr.io/acme/api@sha256:abc", "64 hexadecimal"),
            ("ghcr.io/acme/api@md5", "`algorithm:hex`"),
            (
                "ghcr.io/acme/api@1sha:0123456789abcdef0123456789abcdef",
                "algorithm `1sha`",
            ),
        ] {
            let p = problem(bad, false).unwrap_or_else(|| panic!("{bad:?} passes"));
            assert!(p.contains(why), "{bad:?}: {p}");
        }
        let long = format!("ghcr.io/{}:1", "a".repeat(250));
        assert!(problem(&long, false).is_some_and(|p| p.contains("at most 255")));
        let long_tag = format!("ghcr.io/acme/api:{}", "1".repeat(129));
        assert!(problem(&long_tag, false).is_some());
    }

    #[test]
    fn a_repository_has_no_tag() {
        assert_eq!(problem("docker.io/rancher/k3s", true), None);
        assert_eq!(problem("localhost:5000/k3s", true), None);
        let p = problem("docker.io/rancher/k3s:v1.31", true).expect("refused");
        assert!(p.contains("is not an image repository"), "{p}");
        assert!(problem(&format!("docker.io/rancher/k3s@{SHA}"), true).is_some());
    }
}
