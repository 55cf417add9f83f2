//! Per `service` and `site`: a ServiceAccount with no API token, a Deployment, a
//! ClusterIP Service, a PodDisruptionBudget when it runs more than one replica, and a
//! Role and RoleBinding when it has `access`.

use super::meta::{self, labels, selector};
use super::wiring::env_vars;
use super::yaml::{Node, strs};
use super::{Ctx, Emitter, Object, View};
use crate::sema::model::{Workload, WorkloadKind};

/// The name of the container port every workload listens on.
pub const PORT_NAME: &str = "http";

/// `service` or `site`.
#[must_use]
pub fn component(w: &Workload) -> &'static str {
    match w.kind {
        WorkloadKind::Service => "service",
        WorkloadKind::Site => "site",
    }
}

/// A ServiceAccount that mounts no token.
#[must_use]
pub fn service_account(ctx: &Ctx, name: &str, component: &str) -> Object {
    Object::new(
        "v1",
        "ServiceAccount",
        name,
        Some(name),
        labels(ctx, name, component),
    )
    .with("automountServiceAccountToken", false)
}

/// A PodDisruptionBudget that keeps all but one pod up during voluntary disruptions.
#[must_use]
pub fn disruption_budget(ctx: &Ctx, owner: &str, name: &str, component: &str) -> Object {
    Object::new(
        "policy/v1",
        "PodDisruptionBudget",
        name,
        Some(owner),
        labels(ctx, owner, component),
    )
    .with(
        "spec",
        Node::map().with("maxUnavailable", 1i64).with(
            "selector",
            Node::map().with("matchLabels", selector(owner, component)),
        ),
    )
}

fn probe(w: &Workload, period: i64) -> Node {
    let action = match &w.health {
        Some(path) => (
            "httpGet",
            Node::map()
                .with("path", path.as_str())
                .with("port", PORT_NAME),
        ),
        None => ("tcpSocket", Node::map().with("port", PORT_NAME)),
    };
    Node::map()
        .with(action.0, action.1)
        .with("periodSeconds", period)
        .with("timeoutSeconds", 3i64)
        .with("failureThreshold", 3i64)
}

fn container(ctx: &Ctx, view: &View, w: &Workload) -> Node {
    let env: Vec<Node> = env_vars(ctx, view, w)
        .into_iter()
        .map(super::wiring::EnvVar::to_node)
        .collect();
    Node::map()
        .with("name", w.name.as_str())
        .with("image", w.image.as_str())
        .with("imagePullPolicy", "Always")
        .with_opt("command", w.command.as_deref().map(strs))
        .with_opt("args", w.args.as_deref().map(strs))
        .with(
            "ports",
            vec![
                Node::map()
                    .with("name", PORT_NAME)
                    .with("containerPort", w.port)
                    .with("protocol", "TCP"),
            ],
        )
        .with("env", env)
        .with(
            "resources",
            meta::resources(w.cpu_request(), w.memory_request()),
        )
        .with("readinessProbe", probe(w, 10))
        .with("livenessProbe", probe(w, 20))
        .with("securityContext", meta::container_security())
        .with("volumeMounts", vec![meta::mount("tmp", "/tmp")])
}

/// The annotation that has Linkerd's proxy injector add the proxy to a pod.
pub const LINKERD_INJECT: &str = "linkerd.io/inject";

/// The pod template's metadata: the labels, and `linkerd.io/inject: enabled` when the
/// workload opts in to the mesh.
fn pod_metadata(w: &Workload, labels: Node) -> Node {
    let meta = Node::map().with("labels", labels);
    match w.mesh.as_deref() {
        Some("linkerd") => meta.with("annotations", Node::map().with(LINKERD_INJECT, "enabled")),
        _ => meta,
    }
}

fn deployment(ctx: &Ctx, view: &View, w: &Workload) -> Object {
    let component = component(w);
    let labels = labels(ctx, &w.name, component);
    let pod = Node::map()
        .with("serviceAccountName", w.name.as_str())
        .with("automountServiceAccountToken", false)
        .with("enableServiceLinks", false)
        .with("securityContext", meta::pod_security())
        .with("containers", vec![container(ctx, view, w)])
        .with("volumes", vec![meta::empty_dir("tmp")]);
    Object::new(
        "apps/v1",
        "Deployment",
        &w.name,
        Some(&w.name),
        labels.clone(),
    )
    .with(
        "spec",
        Node::map()
            .with("replicas", w.replicas)
            .with(
                "selector",
                Node::map().with("matchLabels", selector(&w.name, component)),
            )
            .with(
                "template",
                Node::map()
                    .with("metadata", pod_metadata(w, labels))
                    .with("spec", pod),
            ),
    )
}

fn service(ctx: &Ctx, w: &Workload) -> Object {
    let component = component(w);
    Object::new(
        "v1",
        "Service",
        &w.name,
        Some(&w.name),
        labels(ctx, &w.name, component),
    )
    .with(
        "spec",
        Node::map()
            .with("type", "ClusterIP")
            .with("selector", selector(&w.name, component))
            .with(
                "ports",
                vec![
                    Node::map()
                        .with("name", PORT_NAME)
                        .with("port", w.port)
                        .with("targetPort", PORT_NAME)
                        .with("protocol", "TCP"),
                ],
            ),
    )
}

/// `"get,watch configmaps"` → one Role rule. Resources are `name[.group][/subresource]`.
#[must_use]
pub fn rule(access: &str) -> Option<Node> {
    let mut parts = access.split_whitespace();
    let (verbs, resource) = (parts.next()?, parts.next()?);
    let (res, sub) = match resource.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (resource, None),
    };
    let (name, group) = res.split_once('.').unwrap_or((res, ""));
    let full = match sub {
        Some(s) => format!("{name}/{s}"),
        None => name.to_string(),
    };
    let verbs: Vec<&str> = verbs.split(',').collect();
    Some(
        Node::map()
            .with("apiGroups", strs(&[group]))
            .with("resources", strs(&[full]))
            .with("verbs", strs(&verbs)),
    )
}

fn rbac(ctx: &Ctx, view: &View, w: &Workload) -> Vec<Object> {
    if w.access.is_empty() {
        return Vec::new();
    }
    let component = component(w);
    let rules: Vec<Node> = w.access.iter().filter_map(|a| rule(a)).collect();
    let role = Object::new(
        "rbac.authorization.k8s.io/v1",
        "Role",
        &w.name,
        Some(&w.name),
        labels(ctx, &w.name, component),
    )
    .with("rules", rules);
    let mut subject = Node::map()
        .with("kind", "ServiceAccount")
        .with("name", w.name.as_str());
    if !view.base {
        subject.push("namespace", view.env.namespace.as_str());
    }
    let binding = Object::new(
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        &w.name,
        Some(&w.name),
        labels(ctx, &w.name, component),
    )
    .with(
        "roleRef",
        Node::map()
            .with("apiGroup", "rbac.authorization.k8s.io")
            .with("kind", "Role")
            .with("name", w.name.as_str()),
    )
    .with("subjects", vec![subject]);
    vec![role, binding]
}

/// Emits the objects of every service and site.
#[derive(Debug)]
pub struct WorkloadEmitter;

impl Emitter for WorkloadEmitter {
    fn name(&self) -> &'static str {
        "workloads"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        let mut out = Vec::new();
        for w in view.workloads() {
            out.push(service_account(ctx, &w.name, component(w)));
            out.push(deployment(ctx, view, w));
            out.push(service(ctx, w));
            if w.replicas > 1 {
                out.push(disruption_budget(ctx, &w.name, &w.name, component(w)));
            }
            out.extend(rbac(ctx, view, w));
        }
        out
    }
}
