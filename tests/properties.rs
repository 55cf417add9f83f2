//! Property tests (proptest) on generated valid workspaces ([`afc::generate::Shape`]):
//! the number of services, how they are spread over files and data store groups, which
//! have routes, awkward env values (YAML look-alikes, quotes, `#`, `:`, unicode, line
//! breaks, `${env}`/`${domain}`/`${namespace}`) and per-environment overrides of env
//! values and replicas.
//!
//! - `check_*`: analysis never panics, reports no error, resolves every env value and
//!   replica count as written, and gives the same diagnostics and build output whatever
//!   the order of the files.
//! - `build_*`: `emit::build` is deterministic (twice, and with the declarations spread
//!   over files and ordered differently), and the `afc build` binary writes byte-identical trees with one
//!   thread, with the default, and from files created in another order.
//! - `kustomize_*`: through every Argo CD Application `afc build` writes, `kubectl
//!   kustomize` yields, for every workload of every environment, a Deployment whose
//!   container carries each env value of the model exactly once and unchanged (a YAML
//!   string, read with serde_yaml, and with PyYAML, a YAML 1.1 reader, when
//!   `conformance/install` put it in place), and the model's replicas; no workload is
//!   in two Applications. Without `kubectl` it prints `conformance: SKIPPED (kubectl
//!   not found)` and passes.
//!
//! What the properties found became fixed regression tests: a trailing line break or
//! trailing spaces in a patched value (`kustomize_keeps_*_in_a_patch`), and a
//! multi-line value starting with a tab, which afc now refuses (AF4010).
//!
//! `PROPTEST_CASES` overrides the number of cases of every property (1 to 64 by
//! default, so the file runs in about half a minute on two cores in debug). A failure
//! prints the smallest `Shape` proptest shrank it to, and proptest saves its seed in
//! `tests/properties.proptest-regressions` to try first next time.

#[path = "support/kustomize.rs"]
mod support;

use afc::emit::Output;
use afc::generate::{Override, Piece, Setting, Shape, Stage, Value, Var, workspace_with};
use afc::source::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde::Deserialize as _;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------------
// Strategies

/// `default` cases, or `PROPTEST_CASES`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// Strings YAML 1.1 or 1.2 readers (or kustomize) like to take for something else.
const AWKWARD: &[&str] = &[
    "",
    " ",
    "a b",
    " lead",
    "trail ",
    "\"q\"",
    "'q'",
    "a'b",
    "#",
    "a #b",
    "#c",
    ":",
    "x: y",
    "x:",
    ":x",
    "key=value",
    "a=",
    "007",
    "0777",
    "0o17",
    "0x1F",
    "0b101",
    "1e3",
    "1E3",
    "1_000",
    "+1",
    "-0",
    ".5",
    "1.",
    "1:20:30",
    "12:30",
    ".inf",
    "-.Inf",
    ".NaN",
    "true",
    "False",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "~",
    "null",
    "Null",
    "NULL",
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    "a,b",
    "- x",
    "? x",
    "--- x",
    "---",
    "...",
    "|",
    ">-",
    "!!str",
    "!x",
    "&a",
    "*a",
    "%YAML",
    "@x",
    "`x",
    "<<a",
    "2001-12-14",
    "2001-12-14T21:59:43Z",
    "é",
    "日本語",
    "🦀",
    "\u{a0}nbsp",
    "\u{feff}bom",
    "zero\u{200d}width",
    "line\nbreak",
    "\n",
    "trail\n",
    "\nlead",
    "a \nb",
    "\ttab",
    "crlf\r\nend",
    "\r",
    "\u{1b}[0m",
    "back\\slash",
    "\\n",
    "$",
    "$$",
    "$(HOME)",
    "${x}",
    "${env}",
    "${namespace}",
    "${domain}",
    "${",
    "{",
    "}",
    "%",
    "http://a@b:80/c?d=e#f",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(AWKWARD).prop_map(str::to_string),
        1 => "\\PC{0,12}",
        1 => "[ -~]{0,12}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let piece = prop_oneof![
        3 => text().prop_map(Piece::Text),
        1 => prop_oneof![Just(Var::Env), Just(Var::Domain), Just(Var::Namespace)]
            .prop_map(Piece::Var),
    ];
    proptest::collection::vec(piece, 0..4).prop_map(Value)
}

const KEYS: &[&str] = &["LOG_LEVEL", "INDEX", "A", "a", "_", "X_1", "Mixed_Case"];

/// Keys: the two every service has, and others; none a service receives from what it
/// uses (`API_TOKEN`, `DB_…`, `CACHE_…`, `SVC_…`).
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => "[A-Za-z_][A-Za-z0-9_]{0,10}",
    ]
    .prop_filter("a variable the service receives", |k| {
        !(k == "API_TOKEN" || ["DB_", "CACHE_", "SVC_"].iter().any(|p| k.starts_with(p)))
    })
}

/// The value as written, variables as `${name}`.
fn written(v: &Value) -> String {
    v.0.iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Var(Var::Env) => "${env}",
            Piece::Var(Var::Domain) => "${domain}",
            Piece::Var(Var::Namespace) => "${namespace}",
        })
        .collect()
}

/// An env entry that the checks accept as written and in both environments: not
/// refused as a string kubectl kustomize cannot carry, and not taken for a secret.
fn entry() -> impl Strategy<Value = (String, Value)> {
    (key(), value()).prop_filter("refused by the checks", |(k, v)| {
        Stage::ALL
            .iter()
            .map(|s| v.resolve(*s))
            .chain([written(v)])
            .all(|r| {
                afc::emit::checks::unportable(&r).is_none()
                    && afc::lint::rules::secret_in_env::looks_secret(k, &r).is_none()
            })
    })
}

fn stage() -> impl Strategy<Value = Stage> {
    prop_oneof![Just(Stage::Staging), Just(Stage::Production)]
}

/// A valid shape of 1 to `max` services with up to `entries` extra env entries and as
/// many overrides.
fn shape(max: usize, entries: usize) -> impl Strategy<Value = Shape> {
    shape_in(1..=max, 1..=25, entries)
}

/// A valid shape of `services` services and `per_store` services per data store group.
/// Indices are drawn freely and taken modulo the number of services, so every part
/// shrinks on its own.
fn shape_in(
    services: std::ops::RangeInclusive<usize>,
    per_store: std::ops::RangeInclusive<usize>,
    entries: usize,
) -> impl Strategy<Value = Shape> {
    let setting = prop_oneof![
        (0..=5u32).prop_map(Setting::Replicas),
        entry().prop_map(|(k, v)| Setting::Env(k, v)),
    ];
    (
        services,
        1..=60usize,
        per_store,
        0..=4usize,
        any::<bool>(),
        proptest::collection::vec((any::<usize>(), entry()), 0..=entries),
        proptest::collection::vec((stage(), any::<usize>(), setting), 0..=entries),
    )
        .prop_map(
            |(n, per_file, per_store, route_every, reverse, env, overrides)| Shape {
                services: n,
                per_file,
                per_store,
                route_every,
                reverse,
                env: env.into_iter().map(|(i, (k, v))| (i % n, k, v)).collect(),
                overrides: overrides
                    .into_iter()
                    .map(|(stage, i, setting)| Override {
                        stage,
                        service: i % n,
                        setting,
                    })
                    .collect(),
            },
        )
}

/// The files in an order drawn from `seed`.
fn shuffled(mut files: Vec<SourceFile>, seed: u64) -> Vec<SourceFile> {
    let mut x = seed | 1;
    for i in (1..files.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        files.swap(i, (x % (i as u64 + 1)) as usize);
    }
    files
}

// ---------------------------------------------------------------------------------
// Helpers

fn stage_of(env: &str) -> Stage {
    Stage::ALL
        .into_iter()
        .find(|s| s.name() == env)
        .unwrap_or_else(|| panic!("unexpected env {env}"))
}

fn index_of(workload: &str) -> usize {
    workload
        .strip_prefix("svc-")
        .and_then(|i| i.parse().ok())
        .unwrap_or_else(|| panic!("unexpected workload {workload}"))
}

fn errors(a: &afc::Analysis) -> Vec<String> {
    a.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| afc::diag::render::short(a, d))
        .collect()
}

fn build(files: Vec<SourceFile>) -> (afc::Analysis, Output) {
    let a = afc::analyze(files);
    let out = afc::emit::build(&a).unwrap_or_else(|_| panic!("build failed: {:#?}", errors(&a)));
    (a, out)
}

fn write_workspace(dir: &Path, files: &[SourceFile]) {
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, &f.text).expect("write");
    }
}

fn afc_build(dir: &Path, out: Option<&Path>, threads: Option<&str>) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_afc"));
    c.args(["build", "--color", "never"]).arg(dir);
    if let Some(out) = out {
        c.arg("-o").arg(out);
    }
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    let o = c.output().expect("afc runs");
    assert!(
        o.status.success(),
        "afc build {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

/// Every document of a multi-document YAML text, as JSON (serde_yaml: YAML 1.2).
fn yaml_docs(text: &str) -> Vec<Json> {
    serde_yaml::Deserializer::from_str(text)
        .map(|de| {
            let v = serde_yaml::Value::deserialize(de).expect("valid YAML");
            serde_json::to_value(v).expect("JSON-compatible YAML")
        })
        .filter(|v| !v.is_null())
        .collect()
}

// ---------------------------------------------------------------------------------
// check

proptest! {
    // Analysis alone is fast: more cases.
    #![proptest_config(config(64))]

    /// No panic, no error; the model holds every env value and replica count as the
    /// shape wrote them, `${...}` resolved per environment.
    #[test]
    fn check_is_clean_and_resolves_what_was_written(shape in shape(80, 12)) {
        let a = afc::analyze(workspace_with(&shape));
        let errs = errors(&a);
        prop_assert!(errs.is_empty(), "errors: {errs:#?}");
        prop_assert_eq!(a.sema.model.envs.len(), 2);
        for env in &a.sema.model.envs {
            let stage = stage_of(&env.name);
            prop_assert_eq!(&env.namespace, stage.namespace());
            prop_assert_eq!(env.workloads.len(), shape.services);
            for w in &env.workloads {
                let i = index_of(&w.name);
                let want: Vec<(String, String)> = shape.env_in(stage, i).into_iter().collect();
                prop_assert_eq!(&w.env, &want, "{} {}", env.name, w.name);
                prop_assert_eq!(w.replicas, shape.replicas_in(stage, i), "{} {}", env.name, w.name);
            }
        }
    }

    /// The order files are given in changes neither the diagnostics nor the build.
    #[test]
    fn check_does_not_depend_on_file_order(shape in shape(40, 12), seed in any::<u64>()) {
        let files = workspace_with(&shape);
        let (a, out) = build(files.clone());
        let (b, out_b) = build(shuffled(files, seed));
        prop_assert_eq!(&a.diagnostics, &b.diagnostics);
        prop_assert!(out == out_b, "the build differs with the files shuffled");
    }
}

// ---------------------------------------------------------------------------------
// build

proptest! {
    #![proptest_config(config(24))]

    /// `emit::build` gives the same output twice, and the same however the services
    /// are spread over files and ordered in them (the order of the files:
    /// `check_does_not_depend_on_file_order`).
    #[test]
    fn build_is_deterministic(shape in shape(60, 12), per_file in 1..=60usize) {
        let files = workspace_with(&shape);
        let (_, first) = build(files.clone());
        let (_, again) = build(files);
        prop_assert!(first == again, "two builds differ");
        let regrouped = Shape { per_file, reverse: !shape.reverse, ..shape.clone() };
        let (_, regrouped) = build(workspace_with(&regrouped));
        if first != regrouped {
            let diff = differing(&first, &regrouped);
            prop_assert!(false, "the build differs regrouped ({per_file} a file): {diff:?}");
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// The overlays of declarations derived from the base (`emit::derive`: the base
    /// objects with `${domain}`, `${env}` and `${namespace}` replaced) are exactly those
    /// of the objects the emitters render, with overrides, escaped `$${...}` and
    /// variables anywhere in env values.
    #[test]
    fn derived_overlays_are_the_rendered_ones(shape in shape(40, 12)) {
        same_derived_and_rendered(&shape)?;
    }

    /// The same for sharded platforms (over 100 deployable declarations).
    #[test]
    fn derived_overlays_are_the_rendered_ones_sharded(shape in shape_in(31..=36, 1..=1, 12)) {
        same_derived_and_rendered(&shape)?;
    }
}

/// The paths whose contents differ between two builds (or that only one has).
fn differing<'a>(a: &'a Output, b: &'a Output) -> BTreeSet<&'a String> {
    a.files
        .keys()
        .chain(b.files.keys())
        .filter(|k| a.files.get(*k) != b.files.get(*k))
        .collect()
}

fn same_derived_and_rendered(shape: &Shape) -> Result<(), TestCaseError> {
    let (a, derived) = build(workspace_with(shape));
    let rendered = afc::emit::build_rendered(&a).expect("builds");
    let differ = differing(&derived, &rendered);
    prop_assert!(
        differ.is_empty(),
        "derived and rendered overlays differ: {differ:?}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(8))]

    /// The binary writes byte-identical trees with one thread and with the default,
    /// whatever order the files were created in; half the cases are sharded.
    #[test]
    fn build_binary_is_deterministic(
        shape in prop_oneof![shape(30, 8), shape_in(31..=40, 1..=1, 8)],
        seed in any::<u64>(),
    ) {
        let files = workspace_with(&shape);
        let tmp = tempfile::tempdir().expect("temp dir");
        let (ws, ws2) = (tmp.path().join("ws"), tmp.path().join("ws2"));
        write_workspace(&ws, &files);
        write_workspace(&ws2, &shuffled(files, seed));
        let one = tmp.path().join("one");
        let many = tmp.path().join("many");
        let other = tmp.path().join("other");
        afc_build(&ws, Some(&one), Some("1"));
        afc_build(&ws, Some(&many), None);
        afc_build(&ws2, Some(&other), Some("2"));
        let t = tree(&one);
        prop_assert!(!t.is_empty());
        prop_assert!(t == tree(&many), "RAYON_NUM_THREADS=1 and the default differ");
        prop_assert!(t == tree(&other), "files created in another order build differently");
    }
}

// ---------------------------------------------------------------------------------
// kubectl kustomize

fn kubectl() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// PyYAML from `conformance/install`, when it is there.
fn yaml11_reader() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let root = std::env::var_os("AFC_TOOLS").map_or_else(
        || {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/afc-tools")
        },
        std::path::PathBuf::from,
    );
    let python = root.join("venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/yaml11_read.py");
    (python.exists() && script.exists()).then_some((python, script))
}

/// `kubectl kustomize DIR` (or, for a directory without a kustomization, its YAML files
/// as Argo CD reads a plain directory).
fn kustomize(dir: &Path) -> String {
    let has_kustomization = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .any(|k| dir.join(k).exists());
    if !has_kustomization {
        let mut out = String::new();
        for (path, bytes) in tree(dir) {
            if path.ends_with(".yaml") || path.ends_with(".yml") {
                out.push_str("---\n");
                out.push_str(&String::from_utf8(bytes).expect("UTF-8"));
            }
        }
        return out;
    }
    support::kustomize(dir)
}

/// One Argo CD Application: its name, source path and destination namespace.
struct App {
    name: String,
    path: String,
    namespace: String,
}

fn applications(argocd: &Path) -> Vec<App> {
    let mut apps = Vec::new();
    for (path, bytes) in tree(argocd) {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        for d in yaml_docs(&String::from_utf8(bytes).expect("UTF-8")) {
            if d["kind"] != "Application" {
                continue;
            }
            let s = |v: &Json| v.as_str().unwrap_or_default().to_string();
            apps.push(App {
                name: s(&d["metadata"]["name"]),
                path: s(&d["spec"]["source"]["path"]),
                namespace: s(&d["spec"]["destination"]["namespace"]),
            });
        }
    }
    apps
}

/// `(namespace, kind, name)` of a workload object.
type Key = (String, String, String);

/// The Deployments and StatefulSets among `docs`, keyed by namespace (the object's, or
/// the Application's destination), kind and name.
fn workloads(docs: &[Json], default_ns: &str, into: &mut BTreeMap<Key, (String, Json)>, app: &str) {
    for d in docs {
        let kind = d["kind"].as_str().unwrap_or_default();
        if kind != "Deployment" && kind != "StatefulSet" {
            continue;
        }
        let ns = d["metadata"]["namespace"].as_str().unwrap_or(default_ns);
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        let key = (ns.to_string(), kind.to_string(), name.to_string());
        if let Some((other, _)) = into.insert(key.clone(), (app.to_string(), d.clone())) {
            panic!("{key:?} is in two Applications: {other} and {app}");
        }
    }
}

/// Every env value and the replicas of every workload of the model, checked in what a
/// reader made of the kustomized objects.
fn check_workloads(
    a: &afc::Analysis,
    objects: &BTreeMap<Key, (String, Json)>,
    reader: &str,
) -> Result<(), TestCaseError> {
    for env in &a.sema.model.envs {
        for w in &env.workloads {
            let key = (
                env.namespace.clone(),
                "Deployment".to_string(),
                w.name.clone(),
            );
            let Some((app, dep)) = objects.get(&key) else {
                return Err(TestCaseError::fail(format!(
                    "{reader}: no Deployment {key:?} in any Application"
                )));
            };
            let containers = dep["spec"]["template"]["spec"]["containers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let c = containers
                .iter()
                .find(|c| c["name"] == w.name.as_str())
                .or(containers.first());
            let list = c
                .and_then(|c| c["env"].as_array())
                .cloned()
                .unwrap_or_default();
            for (k, v) in &w.env {
                let found: Vec<&Json> = list.iter().filter(|e| e["name"] == k.as_str()).collect();
                prop_assert_eq!(
                    found.len(),
                    1,
                    "{}: {}/{} (Application {}): env {} appears {} times",
                    reader,
                    env.name,
                    w.name,
                    app,
                    k,
                    found.len()
                );
                prop_assert!(
                    found[0].get("valueFrom").is_none(),
                    "{reader}: {}/{}: env {k} has a valueFrom",
                    env.name,
                    w.name
                );
                prop_assert_eq!(
                    &found[0]["value"],
                    &Json::String(v.clone()),
                    "{}: {}/{} (Application {}): env {} changed",
                    reader,
                    env.name,
                    w.name,
                    app,
                    k
                );
            }
            prop_assert_eq!(
                &dep["spec"]["replicas"],
                &Json::from(w.replicas),
                "{}: {}/{}: replicas",
                reader,
                env.name,
                w.name
            );
        }
    }
    Ok(())
}

/// Builds the workspace of `shape` with the binary, runs `kubectl kustomize` on every
/// Application's source, and checks every workload of the model in what came out.
/// Returns how many Applications deploy into the environments' namespaces.
fn through_kustomize(shape: &Shape) -> Result<usize, TestCaseError> {
    let files = workspace_with(shape);
    let a = afc::analyze(files.clone());
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path();
    write_workspace(ws, &files);
    afc_build(ws, None, None);
    let apps = applications(&ws.join("deploy/argocd"));
    let namespaces: BTreeSet<&str> = a
        .sema
        .model
        .envs
        .iter()
        .map(|e| e.namespace.as_str())
        .collect();
    prop_assert!(
        namespaces
            .iter()
            .all(|ns| apps.iter().any(|app| app.namespace == *ns)),
        "an environment has no Application"
    );
    let yaml11 = yaml11_reader();
    let mut paths = BTreeSet::new();
    let mut objects = BTreeMap::new();
    let mut objects11 = BTreeMap::new();
    for app in &apps {
        if !paths.insert(app.path.clone()) {
            continue;
        }
        let yaml = kustomize(&ws.join(&app.path));
        workloads(&yaml_docs(&yaml), &app.namespace, &mut objects, &app.name);
        if let Some((python, script)) = &yaml11 {
            let file = tmp.path().join("kustomized.yaml");
            std::fs::write(&file, &yaml).expect("write");
            let o = Command::new(python)
                .arg(script)
                .arg(&file)
                .output()
                .expect("python");
            prop_assert!(
                o.status.success(),
                "yaml11_read.py: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let docs: Vec<Json> = serde_json::from_slice(&o.stdout).expect("JSON");
            workloads(&docs, &app.namespace, &mut objects11, &app.name);
        }
    }
    check_workloads(&a, &objects, "kubectl kustomize + serde_yaml")?;
    if yaml11.is_some() {
        check_workloads(&a, &objects11, "kubectl kustomize + PyYAML")?;
    }
    Ok(apps
        .iter()
        .filter(|app| namespaces.contains(app.namespace.as_str()))
        .count())
}

fn kubectl_or_skip() -> bool {
    static SKIP: std::sync::Once = std::sync::Once::new();
    let found = kubectl();
    if !found {
        SKIP.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "conformance: SKIPPED (kubectl not found)"
            );
        });
    }
    found
}

proptest! {
    // Each case runs afc and kubectl a few times: few cases, and shrinking bounded in
    // time (a minute or two) rather than in steps.
    #![proptest_config(Config {
        max_shrink_iters: 10_000,
        max_shrink_time: 120_000,
        ..config(8)
    })]

    /// Every env value of every workload comes out of `kubectl kustomize` unchanged,
    /// through the Applications Argo CD would sync.
    #[test]
    fn kustomize_keeps_env_values(shape in shape(10, 16)) {
        if kubectl_or_skip() {
            through_kustomize(&shape)?;
        }
    }
}

proptest! {
    #![proptest_config(Config {
        max_shrink_iters: 10_000,
        max_shrink_time: 120_000,
        ..config(1)
    })]

    /// The same past `afc::emit::shard::SHARD_DECLS` deployable declarations, where the
    /// build splits the platform into several Applications per environment (31 services
    /// with a data store group each: 155).
    #[test]
    fn kustomize_keeps_env_values_sharded(shape in shape_in(31..=36, 1..=1, 16)) {
        if kubectl_or_skip() {
            let apps = through_kustomize(&shape)?;
            prop_assert!(apps > 2, "not sharded: {apps} Applications for 2 environments");
        }
    }
}

/// One service whose `LOG_LEVEL` production overrides with `value`, through kustomize.
fn override_through_kustomize(value: &str) {
    let mut shape = Shape::new(1);
    shape.overrides.push(Override {
        stage: Stage::Production,
        service: 0,
        setting: Setting::Env("LOG_LEVEL".into(), Value::text(value)),
    });
    if kubectl_or_skip() {
        through_kustomize(&shape).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// afc writes the overlay's JSON patch with the value as a `|` block scalar on the
/// patch's last line, and kustomize drops the patch text's final line break: the value
/// arrives as `"debug"`.
#[test]
fn kustomize_keeps_a_trailing_line_break_in_a_patch() {
    override_through_kustomize("debug\n");
}

/// The same with a `|-` block scalar whose last line ends in a space: `"a\nb"` arrives.
#[test]
fn kustomize_keeps_trailing_spaces_in_a_patch() {
    override_through_kustomize("a\nb ");
}

/// kustomize writes a patched object's multi-line strings as literal blocks and cannot
/// read back one whose first line starts with a tab ("found a tab character where an
/// indentation space is expected"), whatever the patch changes: afc refuses such a
/// value (AF4010) rather than emit an overlay that does not build.
#[test]
fn a_multi_line_value_starting_with_a_tab_is_refused() {
    let mut shape = Shape::new(1);
    shape.overrides.push(Override {
        stage: Stage::Production,
        service: 0,
        setting: Setting::Env("LOG_LEVEL".into(), Value::text("\tx\ny")),
    });
    let a = afc::analyze(workspace_with(&shape));
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.is_error() && d.code.as_str() == "AF4010"),
        "{:#?}",
        a.diagnostics
    );
}
