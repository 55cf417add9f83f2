//! The base view: the declarations as written, with no environment's overrides and with
//! the variables left as `${domain}`, `${env}` and `${namespace}`. Every overlay
//! resolves them. Computed once per analysis: [`crate::sema::Sema::base`].

use crate::sema::Sema;
use crate::sema::model::{Env, Get, Record, Vars, record};
use rayon::prelude::*;

/// The placeholders the base keeps where an environment has values.
pub const DOMAIN: &str = "${domain}";
pub const ENV: &str = "${env}";
pub const NAMESPACE: &str = "${namespace}";

/// A synthetic environment holding the declared values of every service, site,
/// database and cache (in name order, as in every resolved environment).
#[must_use]
pub(super) fn base_env(sema: &Sema) -> Env {
    let vars = Vars {
        domain: Some(DOMAIN),
        env: ENV,
        namespace: NAMESPACE,
    };
    let mut decls: Vec<&crate::sema::Decl> = sema.decls.iter().collect();
    decls.sort_by(|a, b| a.name.cmp(&b.name));
    let mut env = Env {
        name: ENV.to_string(),
        cluster: None,
        namespace: NAMESPACE.to_string(),
        domain: Some(DOMAIN.to_string()),
        revision: String::new(),
        auto_sync: true,
        workloads: Vec::new(),
        databases: Vec::new(),
        caches: Vec::new(),
    };
    let records: Vec<Option<Record>> = decls
        .par_iter()
        .map(|d| {
            let g = Get {
                attrs: &d.attrs,
                vars: Some(&vars),
            };
            record(&d.kind, &d.name, &g)
        })
        .collect();
    for r in records {
        env.add_opt(r);
    }
    env
}
