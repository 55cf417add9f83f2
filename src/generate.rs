//! Generators of large, valid workspaces for benchmarks and property tests: N services
//! spread over many files, with `uses` chains, databases, caches, secrets, two
//! environments and routes. [`workspace`] is the benchmarks' fixed shape;
//! [`workspace_with`] varies it ([`Shape`]): how services are grouped into files and
//! around data stores, which have routes, their `env { }` values, and per-environment
//! overrides of env values and replicas. Deterministic for a given shape.

use crate::source::SourceFile;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Services per file in [`workspace`].
const PER_FILE: usize = 50;
/// One database, cache and secret per this many services in [`workspace`].
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

/// One of the two environments of a generated workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Staging,
    Production,
}

impl Stage {
    /// Both, in the order the platform file declares them.
    pub const ALL: [Stage; 2] = [Stage::Staging, Stage::Production];

    /// The `env` declaration's name (what `${env}` becomes).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Stage::Staging => "staging",
            Stage::Production => "production",
        }
    }

    /// Its `namespace` (what `${namespace}` becomes).
    #[must_use]
    pub fn namespace(self) -> &'static str {
        match self {
            Stage::Staging => "gen-staging",
            Stage::Production => "gen-production",
        }
    }

    /// Its `domain` (what `${domain}` becomes).
    #[must_use]
    pub fn domain(self) -> &'static str {
        match self {
            Stage::Staging => "staging.example.com",
            Stage::Production => "example.com",
        }
    }
}

/// A variable that strings may interpolate (`${domain}`, `${env}`, `${namespace}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Var {
    Domain,
    Env,
    Namespace,
}

impl Var {
    /// Its value in `stage`.
    #[must_use]
    pub fn value(self, stage: Stage) -> &'static str {
        match self {
            Var::Domain => stage.domain(),
            Var::Env => stage.name(),
            Var::Namespace => stage.namespace(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Var::Domain => "domain",
            Var::Env => "env",
            Var::Namespace => "namespace",
        }
    }
}

/// A piece of a string value: literal text or a variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    Text(String),
    Var(Var),
}

/// A string value as the `.af` source writes it: literal text and `${...}` variables.
/// Any text is allowed (quotes, `\`, control characters, a literal `${`): the generator
/// escapes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Value(pub Vec<Piece>);

impl Value {
    /// Literal text with no variables.
    #[must_use]
    pub fn text(s: impl Into<String>) -> Self {
        Value(vec![Piece::Text(s.into())])
    }

    /// The string in `stage`: every variable replaced by its value there.
    #[must_use]
    pub fn resolve(&self, stage: Stage) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Var(v) => v.value(stage),
            })
            .collect()
    }

    /// The `.af` string literal, quotes included.
    #[must_use]
    pub fn literal(&self) -> String {
        // Adjacent texts as one, so that a `$` and a `{` are seen side by side.
        let mut pieces: Vec<Piece> = Vec::new();
        for p in &self.0 {
            match (pieces.last_mut(), p) {
                (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(t),
                _ => pieces.push(p.clone()),
            }
        }
        let mut out = String::from("\"");
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Var(v) => {
                    let _ = write!(out, "${{{}}}", v.name());
                }
                Piece::Text(t) => {
                    let next_is_var = matches!(pieces.get(i + 1), Some(Piece::Var(_)));
                    let mut chars = t.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => out.push_str("\\\\"),
                            '"' => out.push_str("\\\""),
                            '\n' => out.push_str("\\n"),
                            '\t' => out.push_str("\\t"),
                            '\r' => out.push_str("\\r"),
                            // A literal `${`.
                            '$' if chars.peek() == Some(&'{') => {
                                chars.next();
                                out.push_str("$${");
                            }
                            // A `$` right before a variable (`$${` would make the
                            // variable literal text).
                            '$' if chars.peek().is_none() && next_is_var => {
                                out.push_str("\\u{24}");
                            }
                            c if c.is_control() => {
                                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                            }
                            c => out.push(c),
                        }
                    }
                }
            }
        }
        out.push('"');
        out
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::text(s)
    }
}

/// What an environment overrides of one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// `svc-N.replicas = R`.
    Replicas(u32),
    /// `svc-N.env.KEY = "value"` (a key the service has, or a new one).
    Env(String, Value),
}

/// One override in an environment: `svc-<service>.…` in `env <stage> { }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub stage: Stage,
    pub service: usize,
    pub setting: Setting,
}

/// The shape of a generated workspace.
///
/// Services are `svc-0` … `svc-<services - 1>`; service `i` uses data store group
/// `i / per_store` (a database, a cache and a secret of that group) and, unless it is the
/// first of its group, `svc-<i - 1>`. Every service has `env { LOG_LEVEL = "info",
/// INDEX = "<i>" }`, then its entries of [`Shape::env`] (one with a key it already has
/// replaces that value).
///
/// The workspace checks clean when every index is below `services`, `per_file` and
/// `per_store` are at least 1, env keys are valid (`[A-Za-z_][A-Za-z0-9_]*`) and do not
/// clash with the variables a service receives from what it uses (`API_TOKEN`,
/// `DB_<g>_…`, `CACHE_<g>_URL`, `SVC_<i>_URL`), and no value is refused by the checks
/// (`secret-in-env`, strings kubectl kustomize cannot carry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub services: usize,
    /// Services per file (`services/part-NNNN.af`).
    pub per_file: usize,
    /// Services per data store group.
    pub per_store: usize,
    /// Service `i` has a route when `i % route_every == 0`; 0 for no routes.
    pub route_every: usize,
    /// Declarations in descending order within each file (the output must not change).
    pub reverse: bool,
    /// Extra `env { }` entries: `(service, key, value)`; a later entry for the same
    /// service and key wins.
    pub env: Vec<(usize, String, Value)>,
    /// Per-environment overrides, written in this order; a later one for the same
    /// environment, service and attribute wins (in the place of the first).
    pub overrides: Vec<Override>,
}

impl Shape {
    /// The shape of [`workspace`]: 50 services a file, a data store group per 20,
    /// routes on even services, and `svc-0.replicas = 1` in staging.
    #[must_use]
    pub fn new(services: usize) -> Self {
        Shape {
            services,
            per_file: PER_FILE,
            per_store: PER_STORE,
            route_every: 2,
            reverse: false,
            env: Vec::new(),
            overrides: vec![Override {
                stage: Stage::Staging,
                service: 0,
                setting: Setting::Replicas(1),
            }],
        }
    }

    /// Whether service `i` has a route.
    #[must_use]
    pub fn routed(&self, i: usize) -> bool {
        self.route_every > 0 && i % self.route_every == 0
    }

    /// Service `i`'s `env { }` as written, in order.
    #[must_use]
    pub fn declared_env(&self, i: usize) -> Vec<(String, Value)> {
        let mut entries = vec![
            ("LOG_LEVEL".to_string(), Value::text("info")),
            ("INDEX".to_string(), Value::text(i.to_string())),
        ];
        for (s, k, v) in &self.env {
            if *s != i {
                continue;
            }
            match entries.iter_mut().find(|(key, _)| key == k) {
                Some(e) => e.1 = v.clone(),
                None => entries.push((k.clone(), v.clone())),
            }
        }
        entries
    }

    /// The overrides of `stage`, deduplicated, in order: `(target, value literal)`.
    fn stage_overrides(&self, stage: Stage) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for o in self.overrides.iter().filter(|o| o.stage == stage) {
            let (target, value) = match &o.setting {
                Setting::Replicas(r) => (format!("svc-{}.replicas", o.service), r.to_string()),
                Setting::Env(k, v) => (format!("svc-{}.env.{k}", o.service), v.literal()),
            };
            match out.iter_mut().find(|(t, _)| *t == target) {
                Some(e) => e.1 = value,
                None => out.push((target, value)),
            }
        }
        out
    }

    /// Service `i`'s env variables in `stage`, resolved: what the model should hold.
    #[must_use]
    pub fn env_in(&self, stage: Stage, i: usize) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = self
            .declared_env(i)
            .into_iter()
            .map(|(k, v)| (k, v.resolve(stage)))
            .collect();
        for o in self
            .overrides
            .iter()
            .filter(|o| o.stage == stage && o.service == i)
        {
            if let Setting::Env(k, v) = &o.setting {
                env.insert(k.clone(), v.resolve(stage));
            }
        }
        env
    }

    /// Service `i`'s replicas in `stage`.
    #[must_use]
    pub fn replicas_in(&self, stage: Stage, i: usize) -> u32 {
        self.overrides
            .iter()
            .filter(|o| o.stage == stage && o.service == i)
            .filter_map(|o| match o.setting {
                Setting::Replicas(r) => Some(r),
                Setting::Env(..) => None,
            })
            .next_back()
            .unwrap_or(2)
    }
}

fn env_block(text: &mut String, stage: Stage, header: &str, overrides: &[(String, String)]) {
    let _ = write!(text, "env {} {{\n{header}", stage.name());
    if !overrides.is_empty() {
        text.push('\n');
        for (target, value) in overrides {
            let _ = writeln!(text, "  {target} = {value}");
        }
    }
    text.push_str("}\n");
}

/// The files of a workspace with `n` services ([`Shape::new`]).
#[must_use]
pub fn workspace(n: usize) -> Vec<SourceFile> {
    workspace_with(&Shape::new(n))
}

/// The files of a workspace of the given shape.
#[must_use]
pub fn workspace_with(shape: &Shape) -> Vec<SourceFile> {
    let n = shape.services;
    let per_store = shape.per_store.max(1);
    let per_file = shape.per_file.max(1);
    let stores = n.div_ceil(per_store).max(1);
    let mut files = Vec::new();
    let mut platform = String::from(
        "/// A generated platform.\nplatform generated {\n  repo     = \"https://git.example.com/generated.git\"\n  revision = \"main\"\n}\n\ncluster main {\n  version         = \"v1.31.4+k3s1\"\n  servers         = 3\n  agents          = 200\n  server_size     { cpu = 8, memory = 32Gi }\n  agent_size      { cpu = 32, memory = 128Gi }\n  acme_email      = \"ops@example.com\"\n}\n\n",
    );
    env_block(
        &mut platform,
        Stage::Staging,
        "  namespace = \"gen-staging\"\n  domain    = \"staging.example.com\"\n",
        &shape.stage_overrides(Stage::Staging),
    );
    platform.push('\n');
    env_block(
        &mut platform,
        Stage::Production,
        "  namespace = \"gen-production\"\n  domain    = \"example.com\"\n  revision  = \"release\"\n",
        &shape.stage_overrides(Stage::Production),
    );
    files.push(SourceFile::new("platform.af", platform));
    let mut groups: Vec<String> = Vec::new();
    for s in 0..stores {
        let mut data = String::new();
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
        groups.push(data);
    }
    if shape.reverse {
        groups.reverse();
    }
    files.push(SourceFile::new("data.af", groups.concat()));
    for f in 0..n.div_ceil(per_file) {
        let mut decls: Vec<String> = Vec::new();
        for i in f * per_file..((f + 1) * per_file).min(n) {
            let mut text = String::new();
            let store = i / per_store;
            let mut uses = vec![
                format!("db-{store}"),
                format!("cache-{store}"),
                format!("token-{store}"),
            ];
            // A chain: every service but the first of its group uses the one before.
            if i % per_store != 0 {
                uses.push(format!("svc-{}", i - 1));
            }
            let _ = write!(
                text,
                "/// Generated service {i}.\nservice svc-{i} {{\n  image   = \"registry.example.com/team-{team}/svc-{i}:1.{i}.0\"\n  license = \"Apache-2.0\"\n  port    = 8080\n  health  = \"/healthz\"\n  uses    = [{uses}]\n",
                team = i % 37,
                uses = uses.join(", "),
            );
            if shape.routed(i) {
                let _ = writeln!(text, "  route   = \"svc-{i}.${{domain}}\"");
            }
            text.push_str("  cpu     = 100m\n  memory  = 128Mi\n  env {\n");
            let env = shape.declared_env(i);
            let width = env.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in &env {
                let _ = writeln!(text, "    {k:<width$} = {}", v.literal());
            }
            text.push_str("  }\n}\n\n");
            decls.push(text);
        }
        if shape.reverse {
            decls.reverse();
        }
        files.push(SourceFile::new(
            format!("services/part-{f:04}.af"),
            decls.concat(),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::{Override, Piece, Setting, Shape, Stage, Value, Var, workspace, workspace_with};

    fn errors(a: &crate::Analysis) -> Vec<&crate::diag::Diagnostic> {
        a.diagnostics.iter().filter(|d| d.is_error()).collect()
    }

    #[test]
    fn generated_workspaces_check_clean() {
        for n in [1, 21, 120] {
            let a = crate::analyze(workspace(n));
            assert!(errors(&a).is_empty(), "n={n}: {:#?}", errors(&a));
            assert_eq!(a.sema.model.envs[0].workloads.len(), n);
        }
    }

    /// `workspace(n)` is what the benchmarks measure: its bytes must not change. The
    /// hashes were taken from the generator before it was parameterised.
    #[test]
    fn workspace_output_is_pinned() {
        use sha2::{Digest, Sha256};
        for (n, want) in [
            (
                0,
                "395bac227e1d2650fab9f132ea946e56755754421044945a6fe8019594ac435d",
            ),
            (
                1,
                "9376772c7275a1da855cfdd1285042369b38c2a835df215144c6b8287505e0c2",
            ),
            (
                2,
                "ac290e394397c3a95cac18034c479095a6ae20c1e402df38dc1de7a173559f2a",
            ),
            (
                19,
                "8f43749ff6af0a8190097427df8f0650f0940f0e5be83b9a856b53bca01c0b7f",
            ),
            (
                20,
                "26a4b8a9e15c08b31ab9c557718ee9876850cf61b1a6c833bc057c582be020ac",
            ),
            (
                21,
                "e87d9ecd82fd3703c8f18e83768a69b5c2bb79f341ffeed6ac9147b6a1a8600d",
            ),
            (
                49,
                "2ee802282062d90340aa87e6f14291a03e278268c0d12742bb8e6dcd24cecdcb",
            ),
            (
                50,
                "71c44367377ad979d366f3f980f67abc33d2189747e50d1c8ab59779bbc25cd0",
            ),
            (
                51,
                "97643938911c135d6bfb14c91f8c04d8b3f76775b64c84dc43f2b7a8a7b1f984",
            ),
            (
                120,
                "83d4a3fdcfa6e0c94a503a63c57bb29eb563307e63d83de832e141329ab32cb9",
            ),
            (
                1000,
                "5bc804bdc7d772c2aaa99052b20d15059ee2b9c27d5a69ab6693da5c005e2b31",
            ),
        ] {
            let mut h = Sha256::new();
            for f in workspace(n) {
                h.update(f.path.as_bytes());
                h.update([0]);
                h.update(f.text.as_bytes());
                h.update([0]);
            }
            assert_eq!(
                format!("{:x}", h.finalize()),
                want,
                "workspace({n}) changed"
            );
        }
    }

    #[test]
    fn literals_round_trip_through_the_parser() {
        let values = [
            Value::text(""),
            Value::text("a \"q\" \\ \n\t\r \u{1b} é 🦀 $ ${x} $${ {"),
            Value(vec![Piece::Text("$".into()), Piece::Var(Var::Env)]),
            Value(vec![Piece::Text("a$".into()), Piece::Text("{b".into())]),
            Value(vec![
                Piece::Text("${".into()),
                Piece::Var(Var::Domain),
                Piece::Text("}$".into()),
                Piece::Var(Var::Namespace),
                Piece::Text("$".into()),
            ]),
        ];
        let mut shape = Shape::new(2);
        for (i, v) in values.iter().enumerate() {
            shape.env.push((i % 2, format!("V{i}"), v.clone()));
            shape.overrides.push(Override {
                stage: Stage::Production,
                service: 1,
                setting: Setting::Env(format!("O{i}"), v.clone()),
            });
        }
        shape.overrides.push(Override {
            stage: Stage::Production,
            service: 1,
            setting: Setting::Replicas(5),
        });
        let a = crate::analyze(workspace_with(&shape));
        assert!(errors(&a).is_empty(), "{:#?}", errors(&a));
        for (e, stage) in a
            .sema
            .model
            .envs
            .iter()
            .zip([Stage::Production, Stage::Staging])
        {
            assert_eq!(e.name, stage.name());
            for (i, w) in e.workloads.iter().enumerate() {
                let want: Vec<(String, String)> = shape.env_in(stage, i).into_iter().collect();
                assert_eq!(w.env, want, "{} {}", e.name, w.name);
                assert_eq!(w.replicas, shape.replicas_in(stage, i));
            }
        }
    }
}
