//! The conformance suite: `afc build` output checked by the tools Argo CD's users rely
//! on, installed by `conformance/install` under `${AFC_TOOLS:-$HOME/.cache/afc-tools}`
//! (and `kubectl` from the machine). Without them each test prints a
//! `conformance: SKIPPED` line and passes; CI installs them.
//!
//! For `examples/alternatefutures` and every `testdata/build/<case>`:
//! - `kubectl kustomize` builds the base and every overlay with no output on stderr;
//! - every overlay yields exactly the environment's objects as afc renders them
//!   directly (same set, same content);
//! - kubernetes-validate (strict, Kubernetes 1.31) passes every built-in object, and the
//!   `@kubernetes-models/sealed-secrets` schema every SealedSecret (unknown fields
//!   rejected too), with zero problems;
//! - checkov (`--framework kubernetes`, run once over every overlay's output) fails no
//!   check other than those `conformance/checkov-accepted.txt` lists with a reason, and
//!   the README lists each of those too.
//!
//! The string battery: a generated workspace whose env values are strings that YAML
//! readers like to take for something else comes back unchanged through
//! `kubectl kustomize` and both a YAML 1.1 (PyYAML) and a YAML 1.2 (serde_yaml) reader.

#[path = "support/kustomize.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::kustomize;

struct Tools {
    python: PathBuf,
    checkov: PathBuf,
    node_dir: PathBuf,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skip(test: &str, why: &str) {
    // Straight to the stream (not `eprintln!`, which the test harness captures), so the
    // skip is visible in every `cargo test` run.
    let _ = writeln!(
        std::io::stderr(),
        "conformance: SKIPPED {test}: {why}; run conformance/install"
    );
}

fn tools(test: &str) -> Option<Tools> {
    let root = std::env::var_os("AFC_TOOLS").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/afc-tools"),
        PathBuf::from,
    );
    let t = Tools {
        python: root.join("venv/bin/python"),
        checkov: root.join("venv/bin/checkov"),
        node_dir: root.join("node"),
    };
    let missing = if !t.python.exists() || !t.checkov.exists() {
        Some(format!("no Python tools in {}", root.display()))
    } else if !t
        .node_dir
        .join("node_modules/@kubernetes-models/sealed-secrets")
        .exists()
    {
        Some(format!(
            "no @kubernetes-models/sealed-secrets in {}",
            t.node_dir.display()
        ))
    } else if !Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        Some("kubectl not found".to_string())
    } else if !Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        Some("node not found".to_string())
    } else {
        None
    };
    match missing {
        Some(why) => {
            skip(test, &why);
            None
        }
        None => Some(t),
    }
}

fn afc_build(workspace: &Path, out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_afc"))
        .args(["build", "--color", "never"])
        .arg(workspace)
        .arg("-o")
        .arg(out)
        .output()
        .expect("afc runs");
    assert!(
        o.status.success(),
        "afc build {} failed:\n{}",
        workspace.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn docs_by_key(yaml: &str) -> BTreeMap<(String, String), serde_yaml::Value> {
    let mut out = BTreeMap::new();
    for de in serde_yaml::Deserializer::from_str(yaml) {
        let v: serde_yaml::Value =
            serde::Deserialize::deserialize(de).expect("kustomize output parses");
        if v.is_null() {
            continue;
        }
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        let name = v["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            out.insert((kind.clone(), name.clone()), v).is_none(),
            "{kind}/{name} twice"
        );
    }
    out
}

fn overlays(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("overlays"))
        .expect("overlays/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut v = vec![(
        "alternatefutures".to_string(),
        repo().join("examples/alternatefutures"),
    )];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/build"))
        .expect("testdata/build exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    v.extend(dirs.into_iter().map(|d| {
        (
            d.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            d,
        )
    }));
    v
}

/// The accepted checkov findings: `ID reason` per line.
fn accepted_checkov() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo().join("conformance/checkov-accepted.txt"))
        .expect("the accepted list exists");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (id.to_string(), reason.trim().to_string())
        })
        .collect()
}

/// Every route host of the environment is served by exactly one `websecure`
/// IngressRoute (with TLS) and one `web` IngressRoute (redirecting), and nothing else
/// is routed.
fn routes_are_complete(
    case: &str,
    env: &str,
    a: &afc::Analysis,
    got: &BTreeMap<(String, String), serde_yaml::Value>,
) {
    let model_env = a
        .sema
        .model
        .envs
        .iter()
        .find(|e| e.name == env)
        .expect("env in the model");
    let mut want: Vec<String> = model_env
        .workloads
        .iter()
        .filter_map(|w| w.route.clone())
        .collect();
    want.sort();
    for entry_point in ["websecure", "web"] {
        let mut hosts: Vec<String> = got
            .iter()
            .filter(|((kind, _), v)| {
                kind == "IngressRoute"
                    && v["spec"]["entryPoints"]
                        .as_sequence()
                        .is_some_and(|e| e.iter().any(|x| x.as_str() == Some(entry_point)))
            })
            .flat_map(|(_, v)| {
                let tls = &v["spec"]["tls"];
                if entry_point == "websecure" {
                    assert!(
                        tls["certResolver"].as_str().is_some()
                            || tls["secretName"].as_str().is_some(),
                        "{case}/{env}: a websecure IngressRoute without TLS: {v:?}"
                    );
                }
                v["spec"]["routes"]
                    .as_sequence()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| {
                        let m = r["match"].as_str().unwrap_or_default().to_string();
                        m.strip_prefix("Host(`")
                            .and_then(|h| h.strip_suffix("`)"))
                            .unwrap_or_else(|| panic!("{case}/{env}: unexpected match {m}"))
                            .to_string()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        hosts.sort();
        assert_eq!(
            hosts, want,
            "{case}/{env}: hosts of the {entry_point} IngressRoutes"
        );
    }
}

/// The Argo CD and cluster files: every Application's path exists in the tree and
/// builds with `kubectl kustomize`, environment Applications point at their overlay
/// and revision, and the K3s configs parse. Returns the files to validate.
fn delivery_files_build(case: &str, a: &afc::Analysis, out: &Path) -> Vec<PathBuf> {
    let platform = a.sema.model.platform.as_ref().expect("platform");
    let prefix = format!("{}/", platform.path.trim_end_matches('/'));
    let mut files = vec![out.join("argocd/root.yaml")];
    let apps_dir = out.join("argocd/apps");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&apps_dir)
        .expect("argocd/apps/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "kustomization.yaml"))
        .collect();
    names.sort();
    files.extend(names);
    let mut env_apps = 0;
    for f in files.clone() {
        let v: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&f).expect("read")).expect("parses");
        if v["kind"] != "Application" {
            continue;
        }
        let path = v["spec"]["source"]["path"].as_str().expect("path");
        assert_eq!(
            v["spec"]["source"]["repoURL"].as_str(),
            Some(platform.repo.as_str())
        );
        let rel = path
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{case}: {path} is not under {prefix}"));
        let dir = out.join(rel);
        assert!(
            dir.is_dir(),
            "{case}: Application path {path} is not in the output"
        );
        let objects = docs_by_key(&kustomize(&dir));
        assert!(!objects.is_empty(), "{case}: {path} builds to nothing");
        if let Some(env) = rel.strip_prefix("overlays/") {
            env_apps += 1;
            let e = a
                .sema
                .model
                .envs
                .iter()
                .find(|e| e.name == env)
                .expect("env");
            assert_eq!(
                v["spec"]["source"]["targetRevision"].as_str(),
                Some(e.revision.as_str())
            );
            assert_eq!(
                v["spec"]["destination"]["namespace"].as_str(),
                Some(e.namespace.as_str())
            );
            assert_eq!(
                v["spec"]["syncPolicy"]["automated"].is_mapping(),
                e.auto_sync,
                "{case}/{env}: automated sync"
            );
        }
        if rel == "argocd/apps" {
            // The root owns every other Application and the projects.
            let owned = objects.keys().filter(|(k, _)| k == "Application").count();
            assert_eq!(
                owned + 1,
                files
                    .iter()
                    .filter(|p| {
                        std::fs::read_to_string(p)
                            .is_ok_and(|t| t.contains("\nkind: Application\n"))
                    })
                    .count(),
                "{case}: the root does not own every Application"
            );
        }
    }
    assert_eq!(
        env_apps,
        a.sema.model.envs.len(),
        "{case}: one Application per env"
    );
    for c in &a.sema.model.clusters {
        let k3s = out.join("clusters").join(&c.name).join("k3s");
        for (file, init) in [("server.yaml", false), ("server-init.yaml", true)] {
            let p = k3s.join(file);
            if init && c.servers < 2 {
                assert!(!p.exists(), "{case}: {} for a single server", p.display());
                continue;
            }
            let v: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(&p).expect("k3s config"))
                    .expect("YAML");
            assert_eq!(v["secrets-encryption"].as_bool(), Some(c.encrypt_secrets));
            assert_eq!(v["cluster-init"].as_bool(), init.then_some(true));
            let text = serde_yaml::to_string(&v).expect("text");
            assert!(
                !text.contains("token"),
                "{case}: a token in {}",
                p.display()
            );
        }
        assert_eq!(k3s.join("agent.yaml").exists(), c.agents > 0);
        let manifests = out.join(afc::emit::delivery::cluster_dir(&c.name));
        if manifests.is_dir() {
            for f in std::fs::read_dir(&manifests)
                .expect("dir")
                .filter_map(Result::ok)
            {
                if f.file_name() != "kustomization.yaml" {
                    files.push(f.path());
                }
            }
        }
    }
    files
}

#[test]
fn built_trees_pass_the_real_tools() {
    let Some(t) = tools("built_trees_pass_the_real_tools") else {
        return;
    };
    // Not a hidden directory: checkov skips those.
    let tmp = tempfile::Builder::new()
        .prefix("afc-conformance-")
        .tempdir()
        .expect("temp dir");
    let outputs = tmp.path().join("kustomized");
    std::fs::create_dir_all(&outputs).expect("mkdir");
    let mut to_validate: Vec<PathBuf> = Vec::new();
    let mut overlay_count = 0;
    for (name, ws) in cases() {
        let out = tmp.path().join("trees").join(&name);
        afc_build(&ws, &out);
        kustomize(&out.join("base"));
        for f in std::fs::read_dir(out.join("base"))
            .expect("base/")
            .filter_map(Result::ok)
        {
            if f.file_name() != "kustomization.yaml" {
                to_validate.push(f.path());
            }
        }
        let a = afc::analyze(afc::cli::workspace::load(&ws).expect("readable"));
        let rendered = afc::emit::render(&a).expect("renders");
        for dir in overlays(&out) {
            let env = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let yaml = kustomize(&dir);
            let file = outputs.join(format!("{name}-{env}.yaml"));
            std::fs::write(&file, &yaml).expect("write");
            to_validate.push(file);
            overlay_count += 1;
            // The overlay yields exactly the environment's objects.
            let got = docs_by_key(&yaml);
            let (_, _, objects) = rendered
                .envs
                .iter()
                .find(|(e, ..)| *e == env)
                .expect("rendered env");
            let want: BTreeMap<(String, String), serde_yaml::Value> = objects
                .iter()
                .map(|o| {
                    let v: serde_yaml::Value =
                        serde_yaml::from_str(&o.doc.to_yaml()).expect("parses");
                    ((o.kind.to_string(), o.name.clone()), v)
                })
                .collect();
            let got_keys: BTreeSet<_> = got.keys().collect();
            let want_keys: BTreeSet<_> = want.keys().collect();
            assert_eq!(
                got_keys, want_keys,
                "{name}/{env}: kustomize yields other objects"
            );
            for (k, v) in &want {
                assert_eq!(
                    &got[k], v,
                    "{name}/{env}: {}/{} differs between kubectl kustomize and afc's rendering",
                    k.0, k.1
                );
            }
            routes_are_complete(&name, &env, &a, &got);
        }
        to_validate.extend(delivery_files_build(&name, &a, &out));
    }
    assert!(overlay_count >= 8, "only {overlay_count} overlays built");

    // kubernetes-validate and the SealedSecret schema.
    let o = Command::new(&t.python)
        .arg(repo().join("conformance/check_manifests.py"))
        .arg(&t.node_dir)
        .arg(repo().join("conformance"))
        .args(&to_validate)
        .output()
        .expect("python runs");
    assert!(
        o.status.success(),
        "check_manifests.py failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        report["documents"].as_u64().unwrap_or(0) > 100,
        "too few documents: {report}"
    );
    assert!(
        report["sealed_secrets"].as_u64().unwrap_or(0) >= 6,
        "too few SealedSecrets: {report}"
    );
    for (kind, min) in [
        ("Application", 9),
        ("AppProject", 5),
        ("IngressRoute", 16),
        ("Middleware", 6),
        ("Certificate", 2),
        ("ClusterIssuer", 1),
        ("HelmChartConfig", 2),
    ] {
        assert!(
            report["kinds"][kind].as_u64().unwrap_or(0) >= min,
            "fewer than {min} {kind} documents validated: {report}"
        );
    }

    // checkov, once over every overlay's output.
    let o = Command::new(&t.checkov)
        .arg("-d")
        .arg(&outputs)
        .args([
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .env("LOG_LEVEL", "ERROR")
        .output()
        .expect("checkov runs");
    let mut data: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    if let serde_json::Value::Array(items) = &data {
        data = items
            .iter()
            .find(|d| d["check_type"] == "kubernetes")
            .cloned()
            .unwrap_or_default();
    }
    let passed = data["summary"]["passed"].as_u64().unwrap_or(0);
    assert!(
        passed > 500,
        "checkov passed only {passed} checks: {}",
        data["summary"]
    );
    let accepted = accepted_checkov();
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    for id in accepted.keys() {
        assert!(
            readme.contains(id.as_str()),
            "README does not explain the accepted checkov finding {id}"
        );
    }
    let failed = data["results"]["failed_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let unexpected: Vec<String> = failed
        .iter()
        .filter(|c| !accepted.contains_key(c["check_id"].as_str().unwrap_or_default()))
        .map(|c| format!("{} {} ({})", c["check_id"], c["resource"], c["check_name"]))
        .collect();
    assert!(
        unexpected.is_empty(),
        "checkov findings to fix or list in conformance/checkov-accepted.txt:\n{}",
        unexpected.join("\n")
    );
}

/// Strings that some YAML reader takes for a boolean, a number, a date, null, an
/// alias, a comment, or that need escapes.
fn battery() -> Vec<String> {
    let mut v: Vec<String> = [
        "on",
        "off",
        "On",
        "OFF",
        "yes",
        "no",
        "Yes",
        "NO",
        "y",
        "n",
        "Y",
        "N",
        "true",
        "false",
        "True",
        "FALSE",
        "null",
        "Null",
        "NULL",
        "~",
        "",
        " ",
        "  ",
        "1_000",
        "1__0",
        "12:30",
        "12:30:00",
        "-1:30",
        "190:20:30.15",
        "2001-01-01",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14T21:59:43Z",
        "2001-12-14 21:59:43",
        "2001-12-14  21:59:43",
        "2001-12-14\t21:59:43",
        "2001-1-1",
        "0x1F",
        "0X1f",
        "0o17",
        "017",
        "08",
        "0b101",
        "+1",
        "-1",
        "0",
        "00",
        "-0",
        "+0",
        "1e3",
        "1E+3",
        "6.8523015e+5",
        "1.5",
        ".5",
        "+.5",
        "-.5",
        "1.",
        ".inf",
        "-.Inf",
        "+.INF",
        ".NaN",
        ".nan",
        "nan",
        "inf",
        "Infinity",
        "1,000",
        "1.2.3",
        "1.2.3-rc1",
        "v1",
        "a=",
        "=a",
        "<<a",
        "-",
        "--",
        "---",
        "...",
        "?",
        ":",
        "?x",
        ":x",
        "x:",
        "x: y",
        "x:y",
        "a #b",
        "#c",
        "#",
        "@x",
        "`x",
        "!x",
        "!!str",
        "&a",
        "*a",
        "|",
        ">",
        "|-",
        ">+",
        "%YAML",
        "'q'",
        "\"q\"",
        "a'b",
        "a\"b",
        "{a: 1}",
        "{}",
        "[1, 2]",
        "[]",
        "a,b",
        "a, b",
        " lead",
        "trail ",
        "\ttab",
        "tab\tin",
        "line\nbreak",
        "\nlead",
        "trail\n",
        "\n",
        "crlf\r\nend",
        "\r",
        "a \nb",
        "back\\slash",
        "\\n",
        "\\",
        "é",
        "日本語",
        "🦀",
        "\u{a0}nbsp",
        "\u{feff}bom",
        "\u{1b}[0m",
        "\u{7}bell",
        "\u{200f}rtl",
        "zero\u{200d}width",
        "café\nau lait\n",
        "日本\n語",
        "é\n",
        "$(HOME)",
        "$$",
        "${x}",
        "%",
        "0.0.0.0/0",
        "http://a:b@c:80/d?e=f#g",
        "key=value",
        "Prune=false",
        "a b c",
        "yes please",
        "no way",
        "x-1",
        "1-x",
        "0777",
        "0o",
        "0x",
        "e",
        "E",
        "1e",
        "_",
        "__",
        "-_-",
        "+",
        "+-",
        "--- x",
        "- x",
        "? x",
        "...x",
        "*",
        "&",
        "!",
        "'",
        "\"",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    v.push("long ".repeat(400));
    v.push(format!("{}end", "x".repeat(3000)));
    assert!(v.len() >= 160, "the README promises 164 strings");
    v
}

/// Strings that kubectl kustomize cannot carry unchanged: afc refuses them (AF4010).
const UNPORTABLE: &[&str] = &[
    "=",
    "<<",
    "\u{85}nel",
    "\u{2028}ls",
    "\u{2029}ps",
    "\u{7f}del",
    "\u{80}",
    "\u{9f}",
    "\u{fffe}",
    "\u{ffff}",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14T21:59:43",
    "2001-12-14T21:59:43-5",
    "2001-12-14 21:59:43Z",
];

fn battery_workspace(values: &[String]) -> String {
    let mut env = String::new();
    for (i, s) in values.iter().enumerate() {
        env.push_str(&format!(
            "    V{i:03} = {}\n",
            afc::generate::Value::text(s.as_str()).literal()
        ));
    }
    format!(
        "platform battery {{\n  repo   = \"https://example.com/battery.git\"\n  policy = lenient\n}}\n\n// Some of the strings look like credentials to the linter.\npolicy lenient {{\n  severity {{\n    secret-in-env = off\n  }}\n}}\n\nenv dev {{\n}}\n\nservice strings {{\n  image   = \"ghcr.io/acme/strings:1.0.0\"\n  license = \"MIT\"\n  port    = 8080\n  health  = \"/healthz\"\n  env {{\n{env}  }}\n}}\n"
    )
}

#[test]
fn strings_kustomize_cannot_carry_are_refused() {
    for s in UNPORTABLE {
        let text = battery_workspace(&[(*s).to_string()]);
        let a = afc::analyze(vec![afc::source::SourceFile::new("battery.af", text)]);
        let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["AF4010"], "{s:?}");
    }
}

/// The Deployment among the documents of a YAML stream.
fn deployment(docs: &[serde_json::Value]) -> &serde_json::Value {
    docs.iter()
        .find(|d| d["kind"] == "Deployment")
        .expect("a Deployment")
}

fn env_values(deployment: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env list")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_string(),
                e["value"].clone(),
            )
        })
        .collect()
}

#[test]
fn string_battery_survives_kustomize_and_yaml_readers() {
    let strings = battery();
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let text = battery_workspace(&strings);
    std::fs::write(ws.join("battery.af"), text).expect("write");
    let out = tmp.path().join("out");
    afc_build(&ws, &out);
    let expected: BTreeMap<String, serde_json::Value> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("V{i:03}"), serde_json::Value::String(s.clone())))
        .collect();

    // afc's own file through a YAML 1.2 reader (always; no tools needed).
    let base = std::fs::read_to_string(out.join("base/resources.yaml")).expect("base");
    let docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&base)
        .map(|d| serde::Deserialize::deserialize(d).expect("parses"))
        .collect();
    assert_eq!(
        env_values(deployment(&docs)),
        expected,
        "serde_yaml reads afc's output differently"
    );

    let Some(t) = tools("string_battery_survives_kustomize_and_yaml_readers") else {
        return;
    };
    let reread = |file: &Path| -> Vec<serde_json::Value> {
        let o = Command::new(&t.python)
            .arg(repo().join("conformance/yaml11_read.py"))
            .arg(file)
            .output()
            .expect("python");
        assert!(
            o.status.success(),
            "yaml11_read.py: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).expect("JSON")
    };
    // afc's own file through a YAML 1.1 reader.
    let docs = reread(&out.join("base/resources.yaml"));
    assert_eq!(
        env_values(deployment(&docs)),
        expected,
        "PyYAML (YAML 1.1) reads afc's output differently"
    );
    // Through kubectl kustomize, then both readers.
    let yaml = kustomize(&out.join("overlays/dev"));
    let file = tmp.path().join("kustomized.yaml");
    std::fs::write(&file, &yaml).expect("write");
    let docs = reread(&file);
    let dep = docs
        .iter()
        .find(|d| d["kind"] == "Deployment")
        .expect("the Deployment");
    let got = env_values(dep);
    for (k, want) in &expected {
        assert_eq!(
            got.get(k),
            Some(want),
            "{k}: kubectl kustomize + PyYAML changed the value"
        );
    }
    let by_key = docs_by_key(&yaml);
    let dep12: serde_json::Value =
        serde_json::to_value(&by_key[&("Deployment".to_string(), "strings".to_string())])
            .expect("JSON");
    assert_eq!(
        env_values(&dep12),
        expected,
        "kubectl kustomize + serde_yaml changed a value"
    );
}

/// A platform past the shard size: every environment is deployed by several Argo CD
/// Applications; together they yield exactly the environment's objects, each once;
/// each Application's overlay builds on its own; and an Application never syncs before
/// one it depends on.
#[test]
fn a_sharded_platform_deploys_every_object_once_in_dependency_order() {
    if !Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        skip(
            "a_sharded_platform_deploys_every_object_once",
            "kubectl not found",
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    // 240 services and 48 stores and secrets: past the 100 declarations of one shard.
    let files = afc::generate::workspace(240);
    for f in &files {
        let p = ws.join(&f.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, &f.text).expect("write");
    }
    let out = tmp.path().join("out");
    afc_build(&ws, &out);
    let a = afc::analyze(afc::cli::workspace::load(&ws).expect("readable"));
    let plan = afc::emit::shard::plan(&a.sema);
    assert!(plan.shards.len() >= 3, "{plan:?}");
    let rendered = afc::emit::render(&a).expect("renders");
    let platform = a.sema.model.platform.as_ref().expect("platform");
    let prefix = format!("{}/", platform.path.trim_end_matches('/'));
    for (env, _, objects) in &rendered.envs {
        let file = out.join(format!(
            "argocd/apps/application-{}-{env}.yaml",
            platform.name
        ));
        let text = std::fs::read_to_string(&file).expect("the env's Applications");
        let mut got: BTreeMap<(String, String), serde_yaml::Value> = BTreeMap::new();
        // Declaration → the wave of the Application that deploys it.
        let mut wave_of: BTreeMap<String, i64> = BTreeMap::new();
        let mut apps = 0;
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let app: serde_yaml::Value = serde::Deserialize::deserialize(doc).expect("YAML");
            assert_eq!(app["kind"], "Application");
            apps += 1;
            let wave: i64 = app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
                .as_str()
                .and_then(|w| w.parse().ok())
                .expect("a sync wave");
            let path = app["spec"]["source"]["path"].as_str().expect("path");
            let dir = out.join(path.strip_prefix(&prefix).expect("under the platform path"));
            for (key, v) in docs_by_key(&kustomize(&dir)) {
                let owner = v["metadata"]["labels"]["app.kubernetes.io/name"]
                    .as_str()
                    .map(str::to_string);
                match owner {
                    Some(o) => {
                        wave_of.insert(o, wave);
                    }
                    // The namespace's own objects: the first Application to sync.
                    None => assert_eq!(wave, 1, "{key:?} is not in the core Application"),
                }
                assert!(
                    got.insert(key.clone(), v).is_none(),
                    "{key:?} in two Applications"
                );
            }
        }
        assert_eq!(apps, plan.shards.len(), "{env}: one Application per shard");
        let want: BTreeMap<(String, String), serde_yaml::Value> = objects
            .iter()
            .map(|o| {
                let v: serde_yaml::Value = serde_yaml::from_str(&o.doc.to_yaml()).expect("parses");
                ((o.kind.to_string(), o.name.clone()), v)
            })
            .collect();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{env}: the Applications yield other objects"
        );
        for (k, v) in &want {
            assert_eq!(&got[k], v, "{env}: {k:?} differs from afc's rendering");
        }
        // What a declaration uses is deployed by the same Application or an earlier wave.
        let e = a
            .sema
            .model
            .envs
            .iter()
            .find(|e| &e.name == env)
            .expect("env");
        for w in &e.workloads {
            for u in &w.uses {
                if let (Some(used), Some(user)) = (wave_of.get(u), wave_of.get(&w.name)) {
                    assert!(
                        used <= user,
                        "{env}: {} (wave {user}) uses {u} (wave {used})",
                        w.name
                    );
                }
            }
        }
    }
}
