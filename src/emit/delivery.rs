//! Delivery: the files outside the Kustomize tree.
//!
//! ```text
//! argocd/root.yaml                          the app of apps: `kubectl apply -f` it once
//! argocd/apps/kustomization.yaml            what the root Application syncs:
//! argocd/apps/appproject-<platform>.yaml              the environments' project
//! argocd/apps/appproject-<platform>-clusters.yaml     the cluster objects' project
//! argocd/apps/application-<platform>-<env>.yaml       one per environment
//! argocd/apps/application-<platform>-cluster-<c>.yaml one per cluster with objects
//! clusters/<c>/manifests/kustomization.yaml the cluster-level objects:
//! clusters/<c>/manifests/helmchartconfig-traefik.yaml  ACME resolver (letsencrypt)
//! clusters/<c>/manifests/clusterissuer-letsencrypt.yaml (cert-manager)
//! clusters/<c>/k3s/server.yaml              /etc/rancher/k3s/config.yaml of a server
//! clusters/<c>/k3s/server-init.yaml         ... of the first server when servers > 1
//! clusters/<c>/k3s/agent.yaml               ... of an agent (when agents > 0)
//! ```
//!
//! Paths in Applications are relative to the repository: the platform's `path`, then
//! the tree above. No token, key or password is ever written.

use super::kustomize::overlay_dir;
use super::meta::{MANAGED_BY, PART_OF};
use super::routes::{CERT_MANAGER, RESOLVER};
use super::waves::ANNOTATION;
use super::yaml::{Node, stream, strs};
use super::{Ctx, Emitter, Object, View};
use crate::sema::model::Cluster;

/// Argo CD's API version.
pub const ARGOCD: &str = "argoproj.io/v1alpha1";
/// The namespace Argo CD runs in and reads Applications from.
pub const ARGOCD_NAMESPACE: &str = "argocd";
/// The in-cluster API server: where Argo CD itself runs.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// The finalizer that deletes an Application's resources with it.
pub const FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// Let's Encrypt's production ACME directory.
pub const ACME_SERVER: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Where Traefik keeps its ACME account and certificates (on its persistent volume).
pub const ACME_STORAGE: &str = "/data/acme.json";

/// The directory of the cluster-level objects of a cluster.
#[must_use]
pub fn cluster_dir(cluster: &str) -> String {
    format!("clusters/{cluster}/manifests")
}

fn labels(ctx: &Ctx) -> Node {
    Node::map()
        .with(PART_OF, ctx.platform.name.as_str())
        .with(MANAGED_BY, "afc")
}

fn meta(ctx: &Ctx, name: &str, namespace: &str, wave: i64) -> Node {
    Node::map()
        .with("name", name)
        .with("namespace", namespace)
        .with("labels", labels(ctx))
        .with(
            "annotations",
            Node::map().with(ANNOTATION, wave.to_string()),
        )
}

fn doc(api_version: &str, kind: &str, metadata: Node) -> Node {
    Node::map()
        .with("apiVersion", api_version)
        .with("kind", kind)
        .with("metadata", metadata)
}

/// A repository path: the platform's `path` joined with `rel`.
fn repo_path(ctx: &Ctx, rel: &str) -> String {
    let base = ctx.platform.path.trim_end_matches('/');
    if base.is_empty() || base == "." {
        rel.to_string()
    } else {
        format!("{base}/{rel}")
    }
}

fn sync_policy(automated: bool, create_namespace: bool) -> Node {
    let mut p = Node::map();
    if automated {
        p.push(
            "automated",
            Node::map().with("prune", true).with("selfHeal", true),
        );
    }
    let mut options = vec!["PruneLast=true"];
    if create_namespace {
        options.insert(0, "CreateNamespace=true");
    }
    p.push("syncOptions", strs(&options));
    p.push(
        "retry",
        Node::map().with("limit", 5i64).with(
            "backoff",
            Node::map()
                .with("duration", "5s")
                .with("factor", 2i64)
                .with("maxDuration", "3m"),
        ),
    );
    p
}

struct App<'a> {
    name: String,
    project: String,
    revision: &'a str,
    path: String,
    server: &'a str,
    namespace: &'a str,
    automated: bool,
    create_namespace: bool,
    wave: i64,
}

fn application(ctx: &Ctx, app: &App) -> Node {
    let mut metadata = meta(ctx, &app.name, ARGOCD_NAMESPACE, app.wave);
    metadata.push("finalizers", strs(&[FINALIZER]));
    doc(ARGOCD, "Application", metadata).with(
        "spec",
        Node::map()
            .with("project", app.project.as_str())
            .with(
                "source",
                Node::map()
                    .with("repoURL", ctx.platform.repo.as_str())
                    .with("targetRevision", app.revision)
                    .with("path", app.path.as_str()),
            )
            .with(
                "destination",
                Node::map()
                    .with("server", app.server)
                    .with("namespace", app.namespace),
            )
            .with(
                "syncPolicy",
                sync_policy(app.automated, app.create_namespace),
            ),
    )
}

fn server_of<'a>(ctx: &'a Ctx, cluster: Option<&str>) -> &'a str {
    cluster
        .and_then(|c| ctx.model.clusters.iter().find(|x| x.name == c))
        .map_or(IN_CLUSTER, |c| c.api.as_str())
}

fn env_project(ctx: &Ctx) -> Node {
    let mut destinations: Vec<(String, String)> = ctx
        .model
        .envs
        .iter()
        .map(|e| {
            (
                server_of(ctx, e.cluster.as_deref()).to_string(),
                e.namespace.clone(),
            )
        })
        .collect();
    destinations.sort();
    destinations.dedup();
    doc(
        ARGOCD,
        "AppProject",
        meta(ctx, &ctx.platform.name, ARGOCD_NAMESPACE, -1),
    )
    .with(
        "spec",
        Node::map()
            .with("sourceRepos", strs(&[ctx.platform.repo.as_str()]))
            .with(
                "destinations",
                destinations
                    .iter()
                    .map(|(s, n)| {
                        Node::map()
                            .with("server", s.as_str())
                            .with("namespace", n.as_str())
                    })
                    .collect::<Vec<_>>(),
            )
            .with(
                "clusterResourceWhitelist",
                vec![Node::map().with("group", "").with("kind", "Namespace")],
            ),
    )
}

fn clusters_project(ctx: &Ctx, clusters: &[&Cluster]) -> Node {
    let destinations: Vec<Node> = clusters
        .iter()
        .map(|c| {
            Node::map()
                .with("server", c.api.as_str())
                .with("namespace", "kube-system")
        })
        .collect();
    let mut whitelist = Vec::new();
    if clusters.iter().any(|c| c.tls == "cert-manager") {
        whitelist.push(
            Node::map()
                .with("group", "cert-manager.io")
                .with("kind", "ClusterIssuer"),
        );
    }
    doc(
        ARGOCD,
        "AppProject",
        meta(
            ctx,
            &format!("{}-clusters", ctx.platform.name),
            ARGOCD_NAMESPACE,
            -1,
        ),
    )
    .with(
        "spec",
        Node::map()
            .with("sourceRepos", strs(&[ctx.platform.repo.as_str()]))
            .with("destinations", destinations)
            .with("clusterResourceWhitelist", whitelist),
    )
}

/// The Traefik values that add the ACME resolver: account e-mail, storage on the
/// chart's persistent volume, TLS-ALPN challenge; Traefik keeps one replica, since
/// the volume (K3s's `local-path`) is bound to one node.
#[must_use]
pub fn traefik_values(email: &str) -> String {
    let arg = |k: &str, v: &str| format!("--certificatesresolvers.{RESOLVER}.acme.{k}={v}");
    let values = Node::map()
        .with(
            "additionalArguments",
            strs(&[
                arg("email", email),
                arg("storage", ACME_STORAGE),
                arg("tlschallenge", "true"),
                arg("caserver", ACME_SERVER),
            ]),
        )
        .with(
            "persistence",
            Node::map()
                .with("enabled", true)
                .with("name", "data")
                .with("path", "/data")
                .with("size", "128Mi")
                .with("accessMode", "ReadWriteOnce"),
        )
        .with("deployment", Node::map().with("replicas", 1i64));
    values.to_yaml()
}

/// The cluster-level objects of a cluster: Traefik's `HelmChartConfig` with the ACME
/// resolver (Let's Encrypt with an `acme_email`), or cert-manager's `ClusterIssuer`.
#[must_use]
pub fn cluster_objects(ctx: &Ctx, c: &Cluster) -> Vec<Object> {
    let labels = labels(ctx);
    let mut out = Vec::new();
    if c.tls == "cert-manager" {
        let mut acme = Node::map().with("server", ACME_SERVER);
        if let Some(email) = &c.acme_email {
            acme.push("email", email.as_str());
        }
        acme.push(
            "privateKeySecretRef",
            Node::map().with("name", format!("{RESOLVER}-account-key")),
        );
        acme.push(
            "solvers",
            vec![Node::map().with(
                "http01",
                Node::map().with("ingress", Node::map().with("ingressClassName", "traefik")),
            )],
        );
        let mut o = Object::new(CERT_MANAGER, "ClusterIssuer", RESOLVER, None, labels)
            .with("spec", Node::map().with("acme", acme));
        o.namespaced = false;
        out.push(o);
    } else if let Some(email) = &c.acme_email {
        let mut o = Object::new(
            "helm.cattle.io/v1",
            "HelmChartConfig",
            "traefik",
            None,
            labels,
        )
        .with(
            "spec",
            Node::map().with("valuesContent", traefik_values(email)),
        );
        o.set_namespace("kube-system");
        out.push(o);
    }
    for o in &mut out {
        super::waves::annotate(o, 0);
    }
    out
}

fn kustomization(resources: &[String]) -> String {
    Node::map()
        .with("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .with("kind", "Kustomization")
        .with("resources", strs(resources))
        .to_yaml()
}

/// The host of an `https://` URL (no port), unless it is the in-cluster address.
fn api_host(api: &str) -> Option<&str> {
    let rest = api.strip_prefix("https://")?;
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty() && host != "kubernetes.default.svc").then_some(host)
}

/// K3s configuration files of a cluster: `(file name, contents)`.
#[must_use]
pub fn k3s_configs(ctx: &Ctx, c: &Cluster) -> Vec<(String, String)> {
    let node_labels = strs(&[
        format!("afc.dev/platform={}", ctx.platform.name),
        format!("afc.dev/cluster={}", c.name),
    ]);
    let head = |role: &str, more: &str| {
        format!(
            "# K3s {role} configuration of cluster {} (K3s {}): install as\n# /etc/rancher/k3s/config.yaml. {more}\n# No token is written here: give it with K3S_TOKEN (or `token:` in a file kept\n# out of git).\n",
            c.name, c.version
        )
    };
    let server = |init: bool| {
        let mut n = Node::map().with("write-kubeconfig-mode", "0600");
        if let Some(host) = api_host(&c.api) {
            n.push("tls-san", strs(&[host]));
        }
        n.push("secrets-encryption", c.encrypt_secrets);
        if init {
            n.push("cluster-init", true);
        }
        n.push("node-label", node_labels.clone());
        n.to_yaml()
    };
    let mut out = Vec::new();
    if c.servers > 1 {
        out.push((
            "server-init.yaml".to_string(),
            head(
                "first server",
                "It starts the embedded etcd\n# (`cluster-init`); the other servers join it.",
            ) + &server(true),
        ));
        out.push((
            "server.yaml".to_string(),
            head(
                "joining server",
                "Give the first server's address with\n# K3S_URL=https://<first server>:6443.",
            ) + &server(false),
        ));
    } else {
        out.push((
            "server.yaml".to_string(),
            head("server", "A single server (SQLite datastore).") + &server(false),
        ));
    }
    if c.agents > 0 {
        let agent = Node::map().with("node-label", node_labels.clone());
        out.push((
            "agent.yaml".to_string(),
            head(
                "agent",
                "Give a server's address with\n# K3S_URL=https://<server>:6443.",
            ) + &agent.to_yaml(),
        ));
    }
    out
}

/// Writes the Argo CD applications and the cluster files.
#[derive(Debug)]
pub struct DeliveryEmitter;

impl Emitter for DeliveryEmitter {
    fn name(&self) -> &'static str {
        "delivery"
    }

    fn objects(&self, _ctx: &Ctx, _view: &View) -> Vec<Object> {
        Vec::new()
    }

    fn files(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let mut files = Vec::new();
        let platform = &ctx.platform.name;
        let mut apps: Vec<(String, Vec<Node>)> = Vec::new();
        apps.push((
            format!("appproject-{platform}.yaml"),
            vec![env_project(ctx)],
        ));
        let plan = ctx.plan();
        for e in &ctx.model.envs {
            // One Application per environment, or per shard of it: all in one file.
            let shards: Vec<(String, usize, i64)> = if plan.sharded() {
                plan.shards
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("{platform}-{}-{}", e.name, s.name), i, s.wave))
                    .collect()
            } else {
                vec![(format!("{platform}-{}", e.name), 0, 1)]
            };
            let docs: Vec<Node> = shards
                .into_iter()
                .map(|(name, shard, wave)| {
                    let app = App {
                        name,
                        project: platform.clone(),
                        revision: &e.revision,
                        path: repo_path(ctx, &overlay_dir(plan, &e.name, shard)),
                        server: server_of(ctx, e.cluster.as_deref()),
                        namespace: &e.namespace,
                        automated: e.auto_sync,
                        create_namespace: true,
                        wave,
                    };
                    application(ctx, &app)
                })
                .collect();
            apps.push((format!("application-{platform}-{}.yaml", e.name), docs));
        }
        let mut infra: Vec<&Cluster> = Vec::new();
        let mut clusters: Vec<&Cluster> = ctx.model.clusters.iter().collect();
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        for c in clusters {
            let dir = format!("clusters/{}/k3s", c.name);
            for (name, text) in k3s_configs(ctx, c) {
                files.push((format!("{dir}/{name}"), text));
            }
            let objects = cluster_objects(ctx, c);
            if objects.is_empty() {
                continue;
            }
            infra.push(c);
            let mdir = cluster_dir(&c.name);
            let names: Vec<String> = objects.iter().map(Object::file_name).collect();
            for o in &objects {
                files.push((format!("{mdir}/{}", o.file_name()), o.doc.to_yaml()));
            }
            files.push((format!("{mdir}/kustomization.yaml"), kustomization(&names)));
            let app = App {
                name: format!("{platform}-cluster-{}", c.name),
                project: format!("{platform}-clusters"),
                revision: &ctx.platform.revision,
                path: repo_path(ctx, &mdir),
                server: &c.api,
                namespace: "kube-system",
                automated: true,
                create_namespace: false,
                wave: 0,
            };
            apps.push((
                format!("application-{}.yaml", app.name),
                vec![application(ctx, &app)],
            ));
        }
        if !infra.is_empty() {
            apps.push((
                format!("appproject-{platform}-clusters.yaml"),
                vec![clusters_project(ctx, &infra)],
            ));
        }
        apps.sort_by(|a, b| a.0.cmp(&b.0));
        let names: Vec<String> = apps.iter().map(|(n, _)| n.clone()).collect();
        for (name, docs) in apps {
            files.push((format!("argocd/apps/{name}"), stream(&docs)));
        }
        files.push((
            "argocd/apps/kustomization.yaml".into(),
            kustomization(&names),
        ));
        let root = App {
            name: platform.clone(),
            project: "default".into(),
            revision: &ctx.platform.revision,
            path: repo_path(ctx, "argocd/apps"),
            server: IN_CLUSTER,
            namespace: ARGOCD_NAMESPACE,
            automated: true,
            create_namespace: false,
            wave: 0,
        };
        files.push(("argocd/root.yaml".into(), application(ctx, &root).to_yaml()));
        files
    }
}
