//! `rbac-pod-exec` (AF3034, page `docs/codes/AF3034.md`): `access` that lets a workload create
//! pods, or exec or attach into them (`create pods`, `pods/exec`, `pods/attach`):
//! whoever can start or enter a pod can read what that pod mounts.
//! Every workload gets its own ServiceAccount, and `access` becomes a namespaced Role
//! (LANGUAGE.md section 6); this rule keeps that Role least-privileged.

use crate::diag::{Diagnostic, code};
use crate::lint::access::{self, Grant};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::RBAC_POD_EXEC,
    check: Some(check),
};

/// True when the grant is what this rule reports.
#[must_use]
pub fn matches(g: &Grant) -> bool {
    (g.base() == "pods" && g.subresource().is_none() && (g.has_verb("create") || g.has_verb("*")))
        || matches!(g.resource.as_str(), "pods/exec" | "pods/attach")
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    access::report(ctx, out, matches, diagnostic);
}

/// Builds the diagnostic for one grant.
#[must_use]
pub fn diagnostic(g: &Grant) -> Diagnostic {
    let env = g.in_env();
    Diagnostic::new(
        code::RBAC_POD_EXEC,
        format!("`{}`{env} can run code in pods through `{} {}`", g.workload, g.verbs.join(","), g.resource),
        g.file,
        g.span,
    )
    .label("starting or entering a pod reads what that pod can mount")
    .help("drop the grant; if the workload really must, say why: `// afc:allow rbac-pod-exec -- reason`")
}
