//! `rbac-escalation` (AF3032, page `docs/codes/AF3032.md`): `access` with `escalate`, `bind` or
//! `impersonate`: verbs that let a workload give itself, or act with, rights it was
//! not granted.
//! Every workload gets its own ServiceAccount, and `access` becomes a namespaced Role
//! (LANGUAGE.md section 6); this rule keeps that Role least-privileged.

use crate::diag::{Diagnostic, code};
use crate::lint::access::{self, Grant};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::RBAC_ESCALATION,
    check: Some(check),
};

/// True when the grant is what this rule reports.
#[must_use]
pub fn matches(g: &Grant) -> bool {
    ["escalate", "bind", "impersonate"]
        .iter()
        .any(|v| g.has_verb(v))
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    access::report(ctx, out, matches, diagnostic);
}

/// Builds the diagnostic for one grant.
#[must_use]
pub fn diagnostic(g: &Grant) -> Diagnostic {
    let env = g.in_env();
    Diagnostic::new(
        code::RBAC_ESCALATION,
        format!("`{}`{env} is granted a privilege-escalation verb: `{} {}`", g.workload, g.verbs.join(","), g.resource),
        g.file,
        g.span,
    )
    .label("`escalate`, `bind` and `impersonate` get around RBAC")
    .help("remove the verb; managing RBAC or acting for users is work for the cluster admins, not for a workload")
}
