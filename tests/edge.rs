//! Issue 4 (edge and delivery) without external tools: sync waves follow every edge of
//! the graph in the example and every testdata platform, and the reference example
//! gets its Applications, routes, Traefik resolver and K3s configs. The real tools
//! (kubectl kustomize, the @kubernetes-models schemas) run in tests/conformance.rs.

use afc::emit::Object;
use afc::emit::waves::ANNOTATION;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<PathBuf> {
    let mut v = vec![repo().join("examples/alternatefutures")];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/build"))
        .expect("testdata/build")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    v.extend(dirs);
    v
}

fn analyze(dir: &Path) -> afc::Analysis {
    afc::analyze(afc::cli::workspace::load(dir).expect("readable"))
}

fn wave(o: &Object) -> i64 {
    o.doc
        .at(&["metadata", "annotations", ANNOTATION])
        .and_then(afc::emit::yaml::Node::as_str)
        .unwrap_or_else(|| panic!("{}/{} has no sync wave", o.kind, o.name))
        .parse()
        .expect("an integer wave")
}

/// For every edge "A uses B" of every environment, every object of B is in an earlier
/// wave than every object of A; namespace-wide objects come first; sites come last.
#[test]
fn sync_waves_follow_every_edge() {
    let mut edges_checked = 0;
    for dir in cases() {
        let a = analyze(&dir);
        let rendered = afc::emit::render(&a).expect("renders");
        for (env_name, _, objects) in &rendered.envs {
            let env = a
                .sema
                .model
                .envs
                .iter()
                .find(|e| &e.name == env_name)
                .expect("env");
            let mut by_owner: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
            for o in objects {
                let w = wave(o);
                match &o.owner {
                    Some(owner) => by_owner.entry(owner.as_str()).or_default().push(w),
                    None => assert_eq!(w, 0, "{}/{} is namespace-wide", o.kind, o.name),
                }
            }
            let mut edges: Vec<(&str, &str)> = Vec::new();
            for w in &env.workloads {
                edges.extend(w.uses.iter().map(|u| (w.name.as_str(), u.as_str())));
            }
            for d in &env.databases {
                edges.push((d.name.as_str(), d.credentials.as_str()));
            }
            for c in &env.caches {
                edges.extend(c.credentials.iter().map(|u| (c.name.as_str(), u.as_str())));
            }
            for (user, used) in edges {
                let (Some(u), Some(b)) = (by_owner.get(user), by_owner.get(used)) else {
                    // A cluster-wide secret lives in the base and is rendered here too;
                    // anything without objects has no wave to compare.
                    continue;
                };
                let latest_used = b.iter().max().expect("objects");
                let earliest_user = u.iter().min().expect("objects");
                assert!(
                    latest_used < earliest_user,
                    "{}/{env_name}: `{user}` (wave {earliest_user}) uses `{used}` (wave {latest_used})",
                    dir.display()
                );
                edges_checked += 1;
            }
            let site_min = env
                .workloads
                .iter()
                .filter(|w| w.kind == afc::sema::model::WorkloadKind::Site)
                .filter_map(|w| by_owner.get(w.name.as_str()))
                .flatten()
                .min();
            if let Some(site_min) = site_min {
                for (owner, waves) in &by_owner {
                    let is_site = env.workloads.iter().any(|w| {
                        w.name == *owner && w.kind == afc::sema::model::WorkloadKind::Site
                    });
                    if !is_site {
                        assert!(waves.iter().all(|w| w < site_min), "{owner} after a site");
                    }
                }
            }
        }
    }
    assert!(edges_checked >= 30, "only {edges_checked} edges checked");
}

fn yaml(files: &BTreeMap<String, String>, path: &str) -> serde_yaml::Value {
    serde_yaml::from_str(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in the output")),
    )
    .expect("YAML")
}

/// The "done when" for the reference example.
#[test]
fn the_example_is_delivered() {
    let a = analyze(&repo().join("examples/alternatefutures"));
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let files = afc::emit::build(&a).expect("builds").files;
    for (env, rev) in [("staging", "main"), ("production", "release")] {
        let app = yaml(
            &files,
            &format!("argocd/apps/application-alternatefutures-{env}.yaml"),
        );
        assert_eq!(app["spec"]["source"]["targetRevision"].as_str(), Some(rev));
        assert_eq!(
            app["spec"]["source"]["path"].as_str(),
            Some(format!("deploy/overlays/{env}").as_str())
        );
        assert_eq!(app["spec"]["project"].as_str(), Some("alternatefutures"));
        assert_eq!(
            app["metadata"]["finalizers"][0].as_str(),
            Some("resources-finalizer.argocd.argoproj.io")
        );
        assert_eq!(
            app["spec"]["syncPolicy"]["automated"]["prune"].as_bool(),
            Some(true)
        );
        assert_eq!(
            app["spec"]["syncPolicy"]["automated"]["selfHeal"].as_bool(),
            Some(true)
        );
        assert_eq!(
            app["spec"]["syncPolicy"]["syncOptions"][0].as_str(),
            Some("CreateNamespace=true")
        );
    }
    let rendered = afc::emit::render(&a).expect("renders");
    for (env, _, objects) in &rendered.envs {
        let domain = if env == "staging" {
            "staging.alternatefutures.ai"
        } else {
            "alternatefutures.ai"
        };
        let mut hosts: Vec<String> = objects
            .iter()
            .filter(|o| o.kind == "IngressRoute" && !o.name.ends_with("-http"))
            .map(|o| {
                assert_eq!(
                    o.doc
                        .at(&["spec", "tls", "certResolver"])
                        .and_then(afc::emit::yaml::Node::as_str),
                    Some("letsencrypt")
                );
                o.doc.to_yaml()
            })
            .collect();
        hosts.sort();
        assert_eq!(hosts.len(), 3, "{env}");
        for host in [
            format!("auth.{domain}"),
            format!("api.{domain}"),
            domain.to_string(),
        ] {
            assert_eq!(
                hosts
                    .iter()
                    .filter(|h| h.contains(&format!("Host(`{host}`)")))
                    .count(),
                1,
                "{env}: {host}"
            );
        }
    }
    let hcc = yaml(
        &files,
        "clusters/main/manifests/helmchartconfig-traefik.yaml",
    );
    assert_eq!(hcc["metadata"]["name"].as_str(), Some("traefik"));
    assert_eq!(hcc["metadata"]["namespace"].as_str(), Some("kube-system"));
    let values: serde_yaml::Value =
        serde_yaml::from_str(hcc["spec"]["valuesContent"].as_str().expect("string"))
            .expect("values are YAML");
    let args: Vec<&str> = values["additionalArguments"]
        .as_sequence()
        .expect("args")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        args.contains(&"--certificatesresolvers.letsencrypt.acme.email=ops@alternatefutures.ai")
    );
    assert!(args.contains(&"--certificatesresolvers.letsencrypt.acme.storage=/data/acme.json"));
    assert!(args.contains(&"--certificatesresolvers.letsencrypt.acme.tlschallenge=true"));
    assert_eq!(values["persistence"]["enabled"].as_bool(), Some(true));
    let init = yaml(&files, "clusters/main/k3s/server-init.yaml");
    assert_eq!(init["secrets-encryption"].as_bool(), Some(true));
    assert_eq!(init["cluster-init"].as_bool(), Some(true));
    let server = yaml(&files, "clusters/main/k3s/server.yaml");
    assert_eq!(server["secrets-encryption"].as_bool(), Some(true));
    assert!(server["cluster-init"].is_null());
    assert!(files.contains_key("clusters/main/k3s/agent.yaml"));
    let root = yaml(&files, "argocd/root.yaml");
    assert_eq!(
        root["spec"]["source"]["path"].as_str(),
        Some("deploy/argocd/apps")
    );
}

/// `mesh = linkerd` puts the injection annotation on the pod template.
#[test]
fn meshed_pods_are_injected() {
    let a = analyze(&repo().join("testdata/build/yugabyte-mesh"));
    let rendered = afc::emit::render(&a).expect("renders");
    let mut meshed = 0;
    for (_, _, objects) in &rendered.envs {
        for o in objects.iter().filter(|o| o.kind == "Deployment") {
            let inject = o
                .doc
                .at(&[
                    "spec",
                    "template",
                    "metadata",
                    "annotations",
                    "linkerd.io/inject",
                ])
                .and_then(afc::emit::yaml::Node::as_str);
            assert_eq!(inject, Some("enabled"), "{}", o.name);
            meshed += 1;
        }
    }
    assert_eq!(meshed, 4);
    let a = analyze(&repo().join("examples/alternatefutures"));
    let rendered = afc::emit::render(&a).expect("renders");
    for (_, _, objects) in &rendered.envs {
        for o in objects.iter().filter(|o| o.kind == "Deployment") {
            assert!(
                o.doc
                    .at(&["spec", "template", "metadata", "annotations"])
                    .is_none()
            );
        }
    }
}

/// The capacity check adds up the example exactly as documented (AF4014): it fits,
/// and one more backend replica of 4 CPUs in production would not.
#[test]
fn capacity_sums_the_example() {
    let a = analyze(&repo().join("examples/alternatefutures"));
    let model = &a.sema.model;
    let (mut cpu, mut mem) = (0, 0);
    for e in &model.envs {
        let (c, m) = afc::emit::cluster_checks::env_requests(model, e);
        cpu += c;
        mem += m;
    }
    // staging 5550m + production 6800m; 10.25Gi + 11.5Gi.
    assert_eq!(cpu, 12_350);
    assert_eq!(mem, 21 * (1 << 30) + 768 * (1 << 20));
    let (cap_cpu, cap_mem) =
        afc::emit::cluster_checks::allocatable(&model.clusters[0]).expect("sizes declared");
    assert_eq!(cap_cpu, 3 * 1_700 + 2 * 3_800);
    assert!(cpu <= cap_cpu && mem <= cap_mem);
}

fn diagnostics(text: &str) -> Vec<(String, String)> {
    let a = afc::analyze(vec![afc::source::SourceFile::new("p.af", text)]);
    a.diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_string(), d.message.clone()))
        .collect()
}

/// The cluster checks name what is wrong: the shortfall, the servers, the route.
#[test]
fn cluster_checks_name_the_problem() {
    let head = "platform demo {\n  repo = \"https://example.com/demo.git\"\n}\n\nenv dev {\n  domain = \"dev.example.com\"\n}\n\n";
    let small = format!(
        "{head}cluster main {{\n  servers = 2\n  server_size {{ cpu = 1, memory = 2Gi }}\n  acme_email = \"ops@example.com\"\n}}\n\nservice api {{\n  image    = \"ghcr.io/acme/api:1.0.0\"\n  port     = 8080\n  replicas = 4\n  cpu      = 500m\n  memory   = 1Gi\n}}\n"
    );
    let d = diagnostics(&small);
    assert!(
        d.contains(&(
            "AF4014".into(),
            "the environments on cluster `main` (dev) do not fit: CPU: 2 requested, 1400m available, 600m short; memory: 4Gi requested, 2Gi available, 2Gi short".into()
        )),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|(c, m)| c == "AF4012" && m.contains("2 servers")),
        "{d:?}"
    );
    // Exactly at capacity fits: 2 servers x (1000m - 300m) = 1400m, 2 x (2Gi - 1Gi).
    let fits = small
        .replace("replicas = 4", "replicas = 2")
        .replace("cpu      = 500m", "cpu      = 700m");
    assert!(
        !diagnostics(&fits).iter().any(|(c, _)| c == "AF4014"),
        "{:?}",
        diagnostics(&fits)
    );
    let no_email = format!(
        "{head}cluster main {{\n  encrypt_secrets = false\n}}\n\nsite www {{\n  image = \"ghcr.io/acme/www:1.0.0\"\n  port  = 3000\n  route = \"${{domain}}\"\n}}\n"
    );
    let d = diagnostics(&no_email);
    assert!(
        d.iter()
            .any(|(c, m)| c == "AF4013" && m.contains("`dev.example.com`")),
        "{d:?}"
    );
    assert!(d.iter().any(|(c, _)| c == "AF4011"), "{d:?}");
    // Both are errors: nothing is built.
    let a = afc::analyze(vec![afc::source::SourceFile::new("p.af", &no_email)]);
    assert!(afc::emit::build(&a).is_err());
}
