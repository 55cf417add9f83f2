//! `rbac-cluster-scoped` (AF3033, page `docs/codes/AF3033.md`): `access` naming a cluster-scoped
//! resource (`nodes`, `namespaces`, `persistentvolumes`, `clusterroles`, CRDs, ...):
//! a workload's rights end at its namespace.
//! Every workload gets its own ServiceAccount, and `access` becomes a namespaced Role
//! (LANGUAGE.md section 6); this rule keeps that Role least-privileged.

use crate::diag::{Diagnostic, code};
use crate::lint::access::{self, Grant};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::RBAC_CLUSTER_SCOPED,
    check: Some(check),
};

/// True when the grant is what this rule reports.
#[must_use]
pub fn matches(g: &Grant) -> bool {
    access::CLUSTER_SCOPED.contains(&g.base())
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    access::report(ctx, out, matches, diagnostic);
}

/// Builds the diagnostic for one grant.
#[must_use]
pub fn diagnostic(g: &Grant) -> Diagnostic {
    let env = g.in_env();
    Diagnostic::new(
        code::RBAC_CLUSTER_SCOPED,
        format!("`{}`{env} asks for a cluster-scoped resource: `{} {}`", g.workload, g.verbs.join(","), g.resource),
        g.file,
        g.span,
    )
    .label("not namespaced: this would need a ClusterRole")
    .help("drop the grant: a workload's rights end at its namespace; cluster-wide tooling belongs to the cluster admins")
}
