//! A generator of large, valid workspaces for benchmarks and property tests: N services
//! spread over many files, with `uses` chains, databases, caches, secrets, two
//! environments and routes on half the services. Deterministic for a given N.

use crate::source::SourceFile;
use base64::Engine as _;
use std::fmt::Write as _;

/// Services per file.
const PER_FILE: usize = 50;
/// One database, cache and secret per this many services.
const PER_STORE: usize = 20;

/// A well-formed (not decryptable) sealed ciphertext: the right outer shape for a
/// 4096-bit controller key, with bytes derived from `seed`.
fn fake_ciphertext(seed: usize) -> String {
    let mut raw = vec![0x02, 0x00];
    let mut x = seed as u64 ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..(512 + 16 + 24) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        raw.push(x.to_le_bytes()[0]);
    }
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// The files of a workspace with `n` services.
#[must_use]
pub fn workspace(n: usize) -> Vec<SourceFile> {
    let stores = n.div_ceil(PER_STORE).max(1);
    let mut files = Vec::new();
    files.push(SourceFile::new(
        "platform.af",
        "/// A generated platform.\nplatform generated {\n  repo     = \"https://git.example.com/generated.git\"\n  revision = \"main\"\n}\n\ncluster main {\n  version         = \"v1.31.4+k3s1\"\n  servers         = 3\n  agents          = 200\n  server_size     { cpu = 8, memory = 32Gi }\n  agent_size      { cpu = 32, memory = 128Gi }\n  acme_email      = \"ops@example.com\"\n}\n\nenv staging {\n  namespace = \"gen-staging\"\n  domain    = \"staging.example.com\"\n\n  svc-0.replicas = 1\n}\n\nenv production {\n  namespace = \"gen-production\"\n  domain    = \"example.com\"\n  revision  = \"release\"\n}\n",
    ));
    let mut data = String::new();
    for s in 0..stores {
        let _ = write!(
            data,
            "secret db-{s}-login {{\n  sealed staging {{\n    username = \"{u1}\"\n    password = \"{p1}\"\n  }}\n  sealed production {{\n    username = \"{u2}\"\n    password = \"{p2}\"\n  }}\n}}\n\n\
             database db-{s} {{\n  engine      = postgres\n  version     = \"16.4\"\n  storage     = 10Gi\n  credentials = db-{s}-login\n}}\n\n\
             cache cache-{s} {{\n  engine  = valkey\n  version = \"8.1.0\"\n  storage = 1Gi\n}}\n\n\
             secret token-{s} {{\n  sealed staging {{\n    API_TOKEN = \"{t1}\"\n  }}\n  sealed production {{\n    API_TOKEN = \"{t2}\"\n  }}\n}}\n\n",
            u1 = fake_ciphertext(s * 8),
            p1 = fake_ciphertext(s * 8 + 1),
            u2 = fake_ciphertext(s * 8 + 2),
            p2 = fake_ciphertext(s * 8 + 3),
            t1 = fake_ciphertext(s * 8 + 4),
            t2 = fake_ciphertext(s * 8 + 5),
        );
    }
    files.push(SourceFile::new("data.af", data));
    for f in 0..n.div_ceil(PER_FILE) {
        let mut text = String::new();
        for i in f * PER_FILE..((f + 1) * PER_FILE).min(n) {
            let store = i / PER_STORE;
            let mut uses = vec![
                format!("db-{store}"),
                format!("cache-{store}"),
                format!("token-{store}"),
            ];
            // A chain: every service but the first of its group uses the one before.
            if i % PER_STORE != 0 {
                uses.push(format!("svc-{}", i - 1));
            }
            let _ = write!(
                text,
                "/// Generated service {i}.\nservice svc-{i} {{\n  image   = \"registry.example.com/team-{team}/svc-{i}:1.{i}.0\"\n  license = \"Apache-2.0\"\n  port    = 8080\n  health  = \"/healthz\"\n  uses    = [{uses}]\n",
                team = i % 37,
                uses = uses.join(", "),
            );
            if i % 2 == 0 {
                let _ = writeln!(text, "  route   = \"svc-{i}.${{domain}}\"");
            }
            let _ = write!(
                text,
                "  cpu     = 100m\n  memory  = 128Mi\n  env {{\n    LOG_LEVEL = \"info\"\n    INDEX     = \"{i}\"\n  }}\n}}\n\n"
            );
        }
        files.push(SourceFile::new(format!("services/part-{f:04}.af"), text));
    }
    files
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_workspaces_check_clean() {
        for n in [1, 21, 120] {
            let a = crate::analyze(super::workspace(n));
            let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "n={n}: {errors:#?}");
            assert_eq!(a.sema.model.envs[0].workloads.len(), n);
        }
    }
}
