//! Routes: per workload with a `route`, a Traefik `IngressRoute` on the `websecure`
//! entry point (TLS from the cluster's Let's Encrypt resolver, or from a cert-manager
//! `Certificate` with `tls = cert-manager`) and one on `web` that only redirects to
//! HTTPS; per namespace the two Middlewares they use (`redirectScheme`, and security
//! headers with HSTS). With cert-manager, a NetworkPolicy also admits Traefik to the
//! HTTP-01 solver pods cert-manager starts in the namespace.

use super::meta::{labels, platform_labels};
use super::netpol::INGRESS_NAMESPACE;
use super::workload::{PORT_NAME, component};
use super::yaml::{Node, strs};
use super::{Ctx, Emitter, Object, View};
use crate::sema::model::Cluster;

/// Traefik's API version (Traefik >= 2.10 and every v3).
pub const TRAEFIK: &str = "traefik.io/v1alpha1";
/// cert-manager's API version.
pub const CERT_MANAGER: &str = "cert-manager.io/v1";
/// The name of the ACME resolver in Traefik's static configuration, and of the
/// cert-manager `ClusterIssuer`.
pub const RESOLVER: &str = "letsencrypt";
/// The Middleware that redirects HTTP to HTTPS.
pub const REDIRECT: &str = "afc-redirect-https";
/// The Middleware that sets HSTS and the other security headers.
pub const HEADERS: &str = "afc-security-headers";
/// The NetworkPolicy that admits Traefik to cert-manager's HTTP-01 solver pods.
pub const SOLVER_POLICY: &str = "afc-acme-http01-solver";
/// The port cert-manager's HTTP-01 solver listens on.
pub const SOLVER_PORT: u16 = 8089;
/// HSTS max-age: one year.
pub const HSTS_SECONDS: i64 = 31_536_000;

/// The cluster a view deploys to. The base (no environment) takes the cluster of the
/// first environment, so that overlays patch as little as possible.
#[must_use]
pub fn cluster_of<'a>(ctx: &'a Ctx, view: &View) -> Option<&'a Cluster> {
    let name = if view.base {
        ctx.model.envs.first().and_then(|e| e.cluster.as_deref())
    } else {
        view.env.cluster.as_deref()
    }?;
    ctx.model.clusters.iter().find(|c| c.name == name)
}

/// True when the cluster's routes get certificates from cert-manager.
#[must_use]
pub fn uses_cert_manager(cluster: Option<&Cluster>) -> bool {
    cluster.is_some_and(|c| c.tls == "cert-manager")
}

/// The name of the TLS Secret (and cert-manager Certificate) of a workload's route.
#[must_use]
pub fn tls_secret(workload: &str) -> String {
    format!("{workload}-tls")
}

fn route_rule(host: &str, service: &str, middleware: &str) -> Node {
    Node::map()
        .with("kind", "Rule")
        .with("match", format!("Host(`{host}`)"))
        .with("middlewares", vec![Node::map().with("name", middleware)])
        .with(
            "services",
            vec![
                Node::map()
                    .with("kind", "Service")
                    .with("name", service)
                    .with("port", PORT_NAME),
            ],
        )
}

fn middlewares(ctx: &Ctx) -> Vec<Object> {
    let redirect = Object::new(TRAEFIK, "Middleware", REDIRECT, None, platform_labels(ctx)).with(
        "spec",
        Node::map().with(
            "redirectScheme",
            Node::map().with("scheme", "https").with("permanent", true),
        ),
    );
    let headers = Object::new(TRAEFIK, "Middleware", HEADERS, None, platform_labels(ctx)).with(
        "spec",
        Node::map().with(
            "headers",
            Node::map()
                .with("stsSeconds", HSTS_SECONDS)
                .with("stsIncludeSubdomains", true)
                .with("stsPreload", true)
                .with("forceSTSHeader", true)
                .with("frameDeny", true)
                .with("contentTypeNosniff", true)
                .with("browserXssFilter", true)
                .with("referrerPolicy", "strict-origin-when-cross-origin"),
        ),
    );
    vec![redirect, headers]
}

fn solver_policy(ctx: &Ctx) -> Object {
    let from = Node::map().with(
        "namespaceSelector",
        Node::map().with(
            "matchLabels",
            Node::map().with("kubernetes.io/metadata.name", INGRESS_NAMESPACE),
        ),
    );
    Object::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        SOLVER_POLICY,
        None,
        platform_labels(ctx),
    )
    .with(
        "spec",
        Node::map()
            .with(
                "podSelector",
                Node::map().with(
                    "matchLabels",
                    Node::map().with("acme.cert-manager.io/http01-solver", "true"),
                ),
            )
            .with("policyTypes", strs(&["Ingress"]))
            .with(
                "ingress",
                vec![Node::map().with("from", vec![from]).with(
                    "ports",
                    vec![
                            Node::map()
                                .with("protocol", "TCP")
                                .with("port", SOLVER_PORT),
                        ],
                )],
            ),
    )
}

/// Emits the routes of every workload with a `route`.
#[derive(Debug)]
pub struct RouteEmitter;

impl Emitter for RouteEmitter {
    fn name(&self) -> &'static str {
        "routes"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        let cluster = cluster_of(ctx, view);
        let cert_manager = uses_cert_manager(cluster);
        let mut out = Vec::new();
        for w in view.workloads() {
            let Some(host) = w.route.as_deref() else {
                continue;
            };
            let component = component(w);
            let tls = if cert_manager {
                Node::map().with("secretName", tls_secret(&w.name))
            } else {
                Node::map().with("certResolver", RESOLVER)
            };
            out.push(
                Object::new(
                    TRAEFIK,
                    "IngressRoute",
                    &w.name,
                    Some(&w.name),
                    labels(ctx, &w.name, component),
                )
                .with(
                    "spec",
                    Node::map()
                        .with("entryPoints", strs(&["websecure"]))
                        .with("routes", vec![route_rule(host, &w.name, HEADERS)])
                        .with("tls", tls),
                ),
            );
            out.push(
                Object::new(
                    TRAEFIK,
                    "IngressRoute",
                    &format!("{}-http", w.name),
                    Some(&w.name),
                    labels(ctx, &w.name, component),
                )
                .with(
                    "spec",
                    Node::map()
                        .with("entryPoints", strs(&["web"]))
                        .with("routes", vec![route_rule(host, &w.name, REDIRECT)]),
                ),
            );
            if cert_manager {
                out.push(
                    Object::new(
                        CERT_MANAGER,
                        "Certificate",
                        &tls_secret(&w.name),
                        Some(&w.name),
                        labels(ctx, &w.name, component),
                    )
                    .with(
                        "spec",
                        Node::map()
                            .with("secretName", tls_secret(&w.name))
                            .with("dnsNames", strs(&[host]))
                            .with(
                                "issuerRef",
                                Node::map()
                                    .with("name", RESOLVER)
                                    .with("kind", "ClusterIssuer")
                                    .with("group", "cert-manager.io"),
                            ),
                    ),
                );
            }
        }
        // The namespace-wide route objects, with the first shard's routes.
        if view.core() && view.env.workloads.iter().any(|w| w.route.is_some()) {
            out.extend(middlewares(ctx));
            if cert_manager {
                out.push(solver_policy(ctx));
            }
        }
        out
    }
}
