//! Databases and caches as StatefulSets. Images, client ports and minimum resources
//! come from the stdlib's `engine` declarations; the image tag is the declared
//! `version` unless the declaration gives a full `image`.
//!
//! - `postgres`: one StatefulSet with a PVC; `PGDATA` is set explicitly (a subdirectory
//!   of the volume up to 17, the major-specific path of the 18+ image layout); the role,
//!   password and database come from the credentials secret.
//! - `yugabytedb`: `yb-master` and `yb-tserver` StatefulSets with headless Services,
//!   PVCs, a PodDisruptionBudget each, and replication factor = `replicas`; a ClusterIP
//!   Service named after the database admits clients on YSQL.
//! - `redis` / `valkey`: one StatefulSet, append-only persistence on a PVC when
//!   `storage` is set (an `emptyDir` otherwise), `--requirepass` from the credentials
//!   secret when `credentials` is set.

use super::meta::{self, labels, selector};
use super::workload::{disruption_budget, service_account};
use super::yaml::{Node, strs};
use super::{Ctx, Emitter, Object, View};
use crate::sema::model::{Cache, Database, Engine};

/// YugabyteDB's master RPC and web ports, and the tserver's.
pub const YB_MASTER_RPC: u16 = 7100;
pub const YB_MASTER_HTTP: u16 = 7000;
pub const YB_TSERVER_RPC: u16 = 9100;
pub const YB_TSERVER_HTTP: u16 = 9000;

/// The image of a database or cache: the declared `image`, or the engine's image
/// tagged with the version (through the engine's `tags` table where it has one).
#[must_use]
pub fn image(engine: Option<&Engine>, version: &str, explicit: Option<&String>) -> String {
    match (explicit, engine) {
        (Some(i), _) => i.clone(),
        (None, Some(e)) => format!(
            "{}:{}",
            e.image,
            e.tags.get(version).map_or(version, String::as_str)
        ),
        (None, None) => String::new(),
    }
}

/// The CPU (millicores) and memory (bytes) requests of one pod of an engine.
#[must_use]
pub fn engine_requests(engine: Option<&Engine>) -> (u64, u64) {
    let e = engine;
    (
        e.and_then(|e| e.cpu)
            .unwrap_or(crate::sema::model::DEFAULT_CPU_MILLIS),
        e.and_then(|e| e.memory)
            .unwrap_or(crate::sema::model::DEFAULT_MEMORY_BYTES),
    )
}

/// The pod groups of a database: `(StatefulSet name, component, replicas, cpu, memory)`.
/// YugabyteDB runs masters at half the engine's minimum and tservers at the minimum.
#[must_use]
pub fn database_pods(
    db: &Database,
    engine: Option<&Engine>,
) -> Vec<(String, &'static str, u32, u64, u64)> {
    let (cpu, mem) = engine_requests(engine);
    if db.engine == "yugabytedb" {
        vec![
            (
                format!("{}-yb-master", db.name),
                "yb-master",
                db.replicas,
                (cpu / 2).max(100),
                (mem / 2).max(128 << 20),
            ),
            (
                format!("{}-yb-tserver", db.name),
                "yb-tserver",
                db.replicas,
                cpu,
                mem,
            ),
        ]
    } else {
        vec![(db.name.clone(), "database", db.replicas, cpu, mem)]
    }
}

/// The selector and port clients of a database or cache connect to.
#[must_use]
pub fn client_endpoint(ctx: &Ctx, view: &View, name: &str) -> Option<(Node, u16)> {
    if let Some(db) = view.env.database(name) {
        let port = ctx.engine(&db.engine)?.port;
        let component = if db.engine == "yugabytedb" {
            "yb-tserver"
        } else {
            "database"
        };
        return Some((selector(name, component), port));
    }
    let cache = view.env.cache(name)?;
    Some((selector(name, "cache"), ctx.engine(&cache.engine)?.port))
}

fn field_env(name: &str, path: &str) -> Node {
    Node::map().with("name", name).with(
        "valueFrom",
        Node::map().with("fieldRef", Node::map().with("fieldPath", path)),
    )
}

fn secret_env(name: &str, secret: &str, key: &str) -> Node {
    Node::map().with("name", name).with(
        "valueFrom",
        Node::map().with(
            "secretKeyRef",
            Node::map().with("name", secret).with("key", key),
        ),
    )
}

fn container_port(name: &str, number: u16) -> Node {
    Node::map()
        .with("name", name)
        .with("containerPort", number)
        .with("protocol", "TCP")
}

fn tcp_probe(port: u16, period: i64) -> Node {
    Node::map()
        .with("tcpSocket", Node::map().with("port", port))
        .with("periodSeconds", period)
        .with("timeoutSeconds", 3i64)
        .with("failureThreshold", 3i64)
}

/// A container of a data store (probes on `probe_port`).
struct Container<'a> {
    name: &'a str,
    image: &'a str,
    command: Option<Vec<String>>,
    args: Vec<String>,
    ports: Vec<Node>,
    env: Vec<Node>,
    cpu: u64,
    memory: u64,
    probe_port: u16,
    mounts: Vec<Node>,
}

impl Container<'_> {
    fn node(self) -> Node {
        Node::map()
            .with("name", self.name)
            .with("image", self.image)
            .with("imagePullPolicy", "Always")
            .with_opt("command", self.command.as_deref().map(strs))
            .with_opt("args", (!self.args.is_empty()).then(|| strs(&self.args)))
            .with("ports", self.ports)
            .with("env", self.env)
            .with("resources", meta::resources(self.cpu, self.memory))
            .with("readinessProbe", tcp_probe(self.probe_port, 10))
            .with("livenessProbe", tcp_probe(self.probe_port, 20))
            .with("securityContext", meta::container_security())
            .with("volumeMounts", self.mounts)
    }
}

/// A StatefulSet of one pod group.
struct Set<'a> {
    owner: &'a str,
    name: &'a str,
    component: &'a str,
    service: String,
    replicas: u32,
    container: Node,
    volumes: Vec<Node>,
    /// The PVC size, when the data lives on a volume claim named `data`.
    storage: Option<u64>,
}

impl Set<'_> {
    fn object(self, ctx: &Ctx) -> Object {
        let labels = labels(ctx, self.owner, self.component);
        let pod = Node::map()
            .with("serviceAccountName", self.owner)
            .with("automountServiceAccountToken", false)
            .with("enableServiceLinks", false)
            .with("securityContext", meta::pod_security())
            .with("containers", vec![self.container])
            .with("volumes", self.volumes);
        let mut spec = Node::map()
            .with("serviceName", self.service)
            .with("replicas", self.replicas)
            .with("podManagementPolicy", "Parallel")
            .with(
                "selector",
                Node::map().with("matchLabels", selector(self.owner, self.component)),
            )
            .with(
                "template",
                Node::map()
                    .with("metadata", Node::map().with("labels", labels.clone()))
                    .with("spec", pod),
            );
        if let Some(size) = self.storage {
            spec.push(
                "volumeClaimTemplates",
                vec![
                    Node::map()
                        .with(
                            "metadata",
                            Node::map()
                                .with("name", "data")
                                .with("labels", labels.clone()),
                        )
                        .with(
                            "spec",
                            Node::map()
                                .with("accessModes", strs(&["ReadWriteOnce"]))
                                .with(
                                    "resources",
                                    Node::map().with(
                                        "requests",
                                        Node::map().with("storage", meta::bytes(size)),
                                    ),
                                ),
                        ),
                ],
            );
        }
        Object::new(
            "apps/v1",
            "StatefulSet",
            self.name,
            Some(self.owner),
            labels,
        )
        .with("spec", spec)
    }
}

/// A Service: headless (for a StatefulSet's pod DNS) or ClusterIP (for clients).
fn service(
    ctx: &Ctx,
    owner: &str,
    name: &str,
    component: &str,
    headless: bool,
    ports: &[(&str, u16)],
) -> Object {
    let mut spec = Node::map();
    if headless {
        spec.push("clusterIP", "None");
        spec.push("publishNotReadyAddresses", true);
    } else {
        spec.push("type", "ClusterIP");
    }
    spec.push("selector", selector(owner, component));
    spec.push(
        "ports",
        ports
            .iter()
            .map(|(n, p)| {
                Node::map()
                    .with("name", *n)
                    .with("port", *p)
                    .with("targetPort", *p)
                    .with("protocol", "TCP")
            })
            .collect::<Vec<_>>(),
    );
    Object::new(
        "v1",
        "Service",
        name,
        Some(owner),
        labels(ctx, owner, component),
    )
    .with("spec", spec)
}

/// The major version of a PostgreSQL version string (`16.4` → 16).
#[must_use]
pub fn major(version: &str) -> u32 {
    version
        .split(['.', '-'])
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// `(volume mount path, PGDATA)` for a PostgreSQL major version.
#[must_use]
pub fn pgdata(major: u32) -> (&'static str, String) {
    if major >= 18 {
        (
            "/var/lib/postgresql",
            format!("/var/lib/postgresql/{major}/docker"),
        )
    } else {
        (
            "/var/lib/postgresql/data",
            "/var/lib/postgresql/data/pgdata".to_string(),
        )
    }
}

fn postgres(ctx: &Ctx, db: &Database, out: &mut Vec<Object>) {
    let engine = ctx.engine(&db.engine);
    let img = image(engine, &db.version, db.image.as_ref());
    let port = engine.map_or(5432, |e| e.port);
    let (cpu, memory) = engine_requests(engine);
    let (mount_path, pgdata) = pgdata(major(&db.version));
    let container = Container {
        name: "postgres",
        image: &img,
        command: None,
        args: Vec::new(),
        ports: vec![container_port("postgres", port)],
        env: vec![
            secret_env("POSTGRES_USER", &db.credentials, "username"),
            secret_env("POSTGRES_PASSWORD", &db.credentials, "password"),
            Node::map()
                .with("name", "POSTGRES_DB")
                .with("value", db.database.as_str()),
            Node::map().with("name", "PGDATA").with("value", pgdata),
        ],
        cpu,
        memory,
        probe_port: port,
        mounts: vec![
            meta::mount("data", mount_path),
            meta::mount("tmp", "/tmp"),
            meta::mount("run", "/var/run/postgresql"),
        ],
    };
    out.push(service(
        ctx,
        &db.name,
        &db.name,
        "database",
        true,
        &[("postgres", port)],
    ));
    out.push(
        Set {
            owner: &db.name,
            name: &db.name,
            component: "database",
            service: db.name.clone(),
            replicas: db.replicas,
            container: container.node(),
            volumes: vec![meta::empty_dir("tmp"), meta::empty_dir("run")],
            storage: Some(db.storage),
        }
        .object(ctx),
    );
}

/// `--memory_limit_hard_bytes`: 85% of the container's memory limit, as the chart does.
fn hard_limit(memory: u64) -> u64 {
    memory / 100 * 85
}

fn yugabyte(ctx: &Ctx, db: &Database, out: &mut Vec<Object>) {
    let engine = ctx.engine(&db.engine);
    let img = image(engine, &db.version, db.image.as_ref());
    let ysql = engine.map_or(5433, |e| e.port);
    let n = &db.name;
    let masters_svc = format!("{n}-yb-masters");
    let tservers_svc = format!("{n}-yb-tservers");
    let master_addrs = (0..db.replicas.max(1))
        .map(|i| {
            format!(
                "{n}-yb-master-{i}.{masters_svc}.$(POD_NAMESPACE).svc.cluster.local:{YB_MASTER_RPC}"
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let env = vec![
        field_env("POD_NAME", "metadata.name"),
        field_env("POD_NAMESPACE", "metadata.namespace"),
    ];
    let mounts = vec![
        meta::mount("data", "/mnt/disk0"),
        meta::mount("tmp", "/tmp"),
    ];
    let pods = database_pods(db, engine);
    for (set_name, component, replicas, cpu, memory) in pods {
        let master = component == "yb-master";
        let (svc, rpc, http) = if master {
            (&masters_svc, YB_MASTER_RPC, YB_MASTER_HTTP)
        } else {
            (&tservers_svc, YB_TSERVER_RPC, YB_TSERVER_HTTP)
        };
        let self_addr = format!("$(POD_NAME).{svc}.$(POD_NAMESPACE).svc.cluster.local");
        let mut args = vec![
            "--fs_data_dirs=/mnt/disk0".to_string(),
            format!("--rpc_bind_addresses={self_addr}:{rpc}"),
            format!("--server_broadcast_addresses={self_addr}:{rpc}"),
            "--webserver_interface=0.0.0.0".to_string(),
            "--enable_ysql=true".to_string(),
            "--logtostderr".to_string(),
            format!("--memory_limit_hard_bytes={}", hard_limit(memory)),
        ];
        let mut ports = vec![container_port("http-ui", http), container_port("rpc", rpc)];
        if master {
            args.push(format!("--master_addresses={master_addrs}"));
            args.push(format!("--replication_factor={}", db.replicas));
        } else {
            args.push(format!("--tserver_master_addrs={master_addrs}"));
            args.push(format!("--pgsql_proxy_bind_address=0.0.0.0:{ysql}"));
            args.push("--start_cql_proxy=false".to_string());
            args.push("--start_redis_proxy=false".to_string());
            ports.push(container_port("ysql", ysql));
        }
        let binary = if master {
            "/home/yugabyte/bin/yb-master"
        } else {
            "/home/yugabyte/bin/yb-tserver"
        };
        let container = Container {
            name: component,
            image: &img,
            command: Some(vec![binary.to_string()]),
            args,
            ports,
            env: env.clone(),
            cpu,
            memory,
            probe_port: rpc,
            mounts: mounts.clone(),
        };
        let svc_ports: Vec<(&str, u16)> = if master {
            vec![("http-ui", http), ("rpc", rpc)]
        } else {
            vec![("http-ui", http), ("rpc", rpc), ("ysql", ysql)]
        };
        out.push(service(ctx, n, svc, component, true, &svc_ports));
        out.push(
            Set {
                owner: n,
                name: &set_name,
                component,
                service: svc.clone(),
                replicas,
                container: container.node(),
                volumes: vec![meta::empty_dir("tmp")],
                storage: Some(db.storage),
            }
            .object(ctx),
        );
        if replicas > 1 {
            out.push(disruption_budget(ctx, n, &set_name, component));
        }
    }
    out.push(service(ctx, n, n, "yb-tserver", false, &[("ysql", ysql)]));
}

fn cache(ctx: &Ctx, c: &Cache, out: &mut Vec<Object>) {
    let engine = ctx.engine(&c.engine);
    let img = image(engine, &c.version, c.image.as_ref());
    let port = engine.map_or(6379, |e| e.port);
    let (cpu, memory) = engine_requests(engine);
    let mut args: Vec<String> = vec![
        "--port".into(),
        port.to_string(),
        "--dir".into(),
        "/data".into(),
    ];
    if c.storage.is_some() {
        args.extend(["--appendonly".into(), "yes".into()]);
    } else {
        args.extend([
            "--appendonly".into(),
            "no".into(),
            "--save".into(),
            String::new(),
        ]);
    }
    let mut env = Vec::new();
    if let Some(secret) = &c.credentials {
        env.push(secret_env("CACHE_PASSWORD", secret, "password"));
        args.extend(["--requirepass".into(), "$(CACHE_PASSWORD)".into()]);
    }
    let container = Container {
        name: c.engine.as_str(),
        image: &img,
        command: None,
        args,
        ports: vec![container_port("redis", port)],
        env,
        cpu,
        memory,
        probe_port: port,
        mounts: vec![meta::mount("data", "/data"), meta::mount("tmp", "/tmp")],
    };
    let mut volumes = vec![meta::empty_dir("tmp")];
    if c.storage.is_none() {
        volumes.insert(0, meta::empty_dir("data"));
    }
    out.push(service(
        ctx,
        &c.name,
        &c.name,
        "cache",
        true,
        &[("redis", port)],
    ));
    out.push(
        Set {
            owner: &c.name,
            name: &c.name,
            component: "cache",
            service: c.name.clone(),
            replicas: 1,
            container: container.node(),
            volumes,
            storage: c.storage,
        }
        .object(ctx),
    );
}

/// Emits every database and cache.
#[derive(Debug)]
pub struct DataStoreEmitter;

impl Emitter for DataStoreEmitter {
    fn name(&self) -> &'static str {
        "data-stores"
    }

    fn objects(&self, ctx: &Ctx, view: &View) -> Vec<Object> {
        let mut out = Vec::new();
        for db in view.databases() {
            let component = if db.engine == "yugabytedb" {
                "yb-tserver"
            } else {
                "database"
            };
            out.push(service_account(ctx, &db.name, component));
            if db.engine == "yugabytedb" {
                yugabyte(ctx, db, &mut out);
            } else {
                postgres(ctx, db, &mut out);
            }
        }
        for c in view.caches() {
            out.push(service_account(ctx, &c.name, "cache"));
            cache(ctx, c, &mut out);
        }
        out
    }
}
