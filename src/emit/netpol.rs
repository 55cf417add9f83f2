//! NetworkPolicies from the dependency graph.
//!
//! - `afc-default-deny` selects every pod of the namespace for ingress and egress, so
//!   nothing flows that no policy below admits.
//! - Per workload: ingress only from the workloads that use it, on its port (and from
//!   the ingress controller's namespace, `kube-system` for K3s's Traefik, when it has a
//!   `route`); egress to DNS (CoreDNS in `kube-system`), to what it uses on their
//!   ports, and to addresses outside the cluster (everything but K3s's default pod
//!   and service networks, `10.42.0.0/16` and `10.43.0.0/16`).
//! - Per data store: ingress from the workloads that use it on its client port; egress
//!   to DNS only. YugabyteDB's masters and tservers of one database also reach each
//!   other on every port.
//! - `mesh = linkerd`: the proxy's inbound port 4143 is admitted beside the app port,
//!   and the workload may reach the `linkerd` namespace (its control plane).

use super::datastore::{self, client_endpoint};
use super::meta::{DEFAULT_DENY, NAME, platform_labels, selector};
use super::workload::component;
use super::yaml::{Node, strs};
use super::{Ctx, Emitter, Object, View};
use std::collections::BTreeMap;

/// The namespace of K3s's bundled Traefik (the ingress controller).
pub const INGRESS_NAMESPACE: &str = "kube-system";
/// K3s's default pod and service networks: not "outside the cluster".
pub const CLUSTER_CIDRS: &[&str] = &["10.42.0.0/16", "10.43.0.0/16"];
/// Linkerd's inbound proxy port.
pub const LINKERD_INBOUND: u16 = 4143;

fn ports(list: &[u16]) -> Vec<Node> {
    list.iter()
        .map(|p| Node::map().with("protocol", "TCP").with("port", *p))
        .collect()
}

fn namespace(name: &str) -> Node {
    Node::map().with(
        "namespaceSelector",
        Node::map().with(
            "matchLabels",
            Node::map().with("kubernetes.io/metadata.name", name),
        ),
    )
}

fn pods(sel: Node) -> Node {
    Node::map().with("podSelector", Node::map().with("matchLabels", sel))
}

fn named(name: &str) -> Node {
    pods(Node::map().with(NAME, name))
}

fn dns() -> Node {
    let coredns = namespace(INGRESS_NAMESPACE).with(
        "podSelector",
        Node::map().with("matchLabels", Node::map().with("k8s-app", "kube-dns")),
    );
    Node::map().with("to", vec![coredns]).with(
        "ports",
        vec![
            Node::map().with("protocol", "UDP").with("port", 53u16),
            Node::map().with("protocol", "TCP").with("port", 53u16),
        ],
    )
}

fn outside() -> Node {
    Node::map().with(
        "to",
        vec![
            Node::map().with(
                "ipBlock",
                Node::map()
                    .with("cidr", "0.0.0.0/0")
                    .with("except", strs(CLUSTER_CIDRS)),
            ),
        ],
    )
}

fn policy(
    ctx: &Ctx,
    owner: &str,
    name: &str,
    component: &str,
    ingress: Vec<Node>,
    egress: Vec<Node>,
) -> Object {
    Object::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        name,
        Some(owner),
        super::meta::labels(ctx, owner, component),
    )
    .with(
        "spec",
        Node::map()
            .with(
                "podSelector",
                Node::map().with("matchLabels", selector(owner, component)),
            )
            .with("policyTypes", strs(&["Ingress", "Egress"]))
            .with("ingress", ingress)
            .with("egress", egress),
    )
}

/// Ingress from the users of `name` on `port`, when it has users.
fn from_users(
    users: &BTreeMap<String, Vec<String>>,
    name: &str,
    port_list: &[u16],
) -> Option<Node> {
    let u = users.get(name)?;
    Some(
        Node::map()
            .with("from", u.iter().map(|u| named(u)).collect::<Vec<_>>())
            .with("ports", ports(port_list)),
    )
}

fn meshed(view: &View, name: &str) -> bool {
    view.env.workload(name).is_some_and(|w| w.mesh.is_some())
}

/// The namespace's default-deny policy.
fn default_deny(ctx: &Ctx) -> Object {
    Object::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        DEFAULT_DENY,
        None,
        platform_labels(ctx),
    )
    .with(
        "spec",
        Node::map()
            .with("podSelector", Node::map())
            .with("policyTypes", strs(&["Ingress", "Egress"])),
    )
}

/// Emits the namespace's default-deny policy and one policy per pod group.
#[derive(Debug)]
pub struct NetworkPolicyEmitter;

impl Emitter for NetworkPolicyEmitter {
    fn name(&self) -> &'static str {
        "network-policies"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        let env = view.env;
        let users = &view.facts.users;
        let mut out = Vec::new();
        if view.core() {
            out.push(default_deny(ctx));
        }
        for w in view.workloads() {
            let mesh = w.mesh.is_some();
            let own_ports: Vec<u16> = if mesh {
                vec![w.port, LINKERD_INBOUND]
            } else {
                vec![w.port]
            };
            let mut ingress: Vec<Node> =
                from_users(users, &w.name, &own_ports).into_iter().collect();
            if w.route.is_some() {
                ingress.push(
                    Node::map()
                        .with("from", vec![namespace(INGRESS_NAMESPACE)])
                        .with("ports", ports(&own_ports)),
                );
            }
            let mut egress = vec![dns()];
            let mut used: Vec<&str> = w.uses.iter().map(String::as_str).collect();
            used.sort_unstable();
            used.dedup();
            for u in used {
                let target = match ctx.kind_of(u) {
                    Some("service") => env.workload(u).map(|t| (selector(u, component(t)), t.port)),
                    Some("database" | "cache") => client_endpoint(ctx, view, u),
                    _ => None,
                };
                if let Some((sel, port)) = target {
                    let mut p = vec![port];
                    if meshed(view, u) {
                        p.push(LINKERD_INBOUND);
                    }
                    egress.push(
                        Node::map()
                            .with("to", vec![pods(sel)])
                            .with("ports", ports(&p)),
                    );
                }
            }
            if mesh {
                egress.push(Node::map().with("to", vec![namespace("linkerd")]));
            }
            egress.push(outside());
            out.push(policy(ctx, &w.name, &w.name, component(w), ingress, egress));
        }
        for db in view.databases() {
            let engine = ctx.engine(&db.engine);
            let port = engine.map_or(0, |e| e.port);
            if db.engine == "yugabytedb" {
                for (set, component, ..) in datastore::database_pods(db, engine) {
                    let mut ingress = vec![Node::map().with("from", vec![named(&db.name)])];
                    if component == "yb-tserver" {
                        ingress.extend(from_users(users, &db.name, &[port]));
                    }
                    let egress = vec![dns(), Node::map().with("to", vec![named(&db.name)])];
                    out.push(policy(ctx, &db.name, &set, component, ingress, egress));
                }
            } else {
                let ingress: Vec<Node> = from_users(users, &db.name, &[port]).into_iter().collect();
                out.push(policy(
                    ctx,
                    &db.name,
                    &db.name,
                    "database",
                    ingress,
                    vec![dns()],
                ));
            }
        }
        for c in view.caches() {
            let port = ctx.engine(&c.engine).map_or(0, |e| e.port);
            let ingress: Vec<Node> = from_users(users, &c.name, &[port]).into_iter().collect();
            out.push(policy(ctx, &c.name, &c.name, "cache", ingress, vec![dns()]));
        }
        out
    }
}
