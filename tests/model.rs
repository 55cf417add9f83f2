//! The typed model of the reference platform: defaults, units, overrides per
//! environment and `${...}` substitution.

use std::path::Path;

fn example() -> afc::Analysis {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alternatefutures");
    afc::analyze(afc::cli::workspace::load(&dir).expect("example loads"))
}

#[test]
fn environments_are_resolved() {
    let a = example();
    let m = &a.sema.model;
    let p = m.platform.as_ref().expect("platform");
    assert_eq!(
        (
            p.name.as_str(),
            p.revision.as_str(),
            p.path.as_str(),
            p.policy.as_str()
        ),
        ("alternatefutures", "main", "deploy", "open-source")
    );
    let names: Vec<&str> = m.envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["production", "staging"]);
    let staging = &m.envs[1];
    assert_eq!(staging.namespace, "af-staging");
    assert_eq!(staging.cluster.as_deref(), Some("main"));
    assert_eq!(staging.revision, "main");
    let w = |env: &afc::sema::model::Env, n: &str| {
        env.workloads
            .iter()
            .find(|w| w.name == n)
            .cloned()
            .expect(n)
    };
    let auth = w(staging, "auth");
    assert_eq!(auth.replicas, 1);
    assert_eq!(
        auth.route.as_deref(),
        Some("auth.staging.alternatefutures.ai")
    );
    assert_eq!(auth.cpu, Some(250));
    assert_eq!(auth.memory, Some(256 * 1024 * 1024));
    assert_eq!(auth.uses, ["platform-db", "sessions", "jwt"]);
    let backend = w(staging, "backend");
    assert_eq!(backend.env_value("GRAPHQL_PLAYGROUND"), Some("true"));
    assert_eq!(backend.env_value("NODE_ENV"), Some("production"));
    let prod = &m.envs[0];
    assert_eq!(prod.revision, "release");
    assert_eq!(w(prod, "backend").replicas, 3);
    assert_eq!(
        w(prod, "backend").env_value("GRAPHQL_PLAYGROUND"),
        Some("false")
    );
    assert_eq!(w(prod, "auth").replicas, 2, "the default");
    let web = w(prod, "web");
    assert_eq!(web.route.as_deref(), Some("alternatefutures.ai"));
    assert_eq!(
        web.health.as_deref(),
        Some("/"),
        "a site's default health path"
    );
    let db = &prod.databases[0];
    assert_eq!(
        (
            db.engine.as_str(),
            db.replicas,
            db.storage,
            db.database.as_str()
        ),
        ("yugabytedb", 3, 50 << 30, "platform_db")
    );
    let cache = &prod.caches[0];
    assert_eq!(
        (cache.engine.as_str(), cache.storage),
        ("redis", Some(2 << 30))
    );
}

#[test]
fn clusters_and_secrets_are_typed() {
    let a = example();
    let m = &a.sema.model;
    let c = &m.clusters[0];
    assert_eq!(
        (c.servers, c.agents, c.encrypt_secrets, c.tls.as_str()),
        (3, 2, true, "letsencrypt")
    );
    let size = c.agent_size.as_ref().expect("agent size");
    assert_eq!((size.cpu, size.memory), (4000, 8 << 30));
    assert_eq!(c.sealing_cert.as_deref(), Some("certs/sealed-secrets.pem"));
    assert_eq!(c.api, "https://kubernetes.default.svc");
    let jwt = m.secrets.iter().find(|s| s.name == "jwt").expect("jwt");
    assert_eq!(jwt.scope, "strict");
    assert!(jwt.sealed[&Some("staging".to_string())]["JWT_SECRET"].starts_with("AgBLx3"));
}

#[test]
fn topological_order_puts_dependencies_first() {
    let a = example();
    let s = &a.sema;
    let pos = |n: &str| s.topo.iter().position(|i| s.decls[*i].name == n).expect(n);
    assert!(pos("db-credentials") < pos("platform-db"));
    assert!(pos("yugabytedb") < pos("platform-db"));
    assert!(pos("platform-db") < pos("auth"));
    assert!(pos("sessions") < pos("auth"));
    assert!(pos("auth") < pos("backend"));
}
