//! `rbac-wildcard` (AF3031, page `docs/codes/AF3031.md`): `access` with a wildcard verb (`*`) or
//! resource (`*`, `pods/*`): it grants whatever the API server adds later too.
//! Every workload gets its own ServiceAccount, and `access` becomes a namespaced Role
//! (LANGUAGE.md section 6); this rule keeps that Role least-privileged.

use crate::diag::{Diagnostic, code};
use crate::lint::access::{self, Grant};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::RBAC_WILDCARD,
    check: Some(check),
};

/// True when the grant is what this rule reports.
#[must_use]
pub fn matches(g: &Grant) -> bool {
    g.has_verb("*") || g.resource.contains('*')
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    access::report(ctx, out, matches, diagnostic);
}

/// Builds the diagnostic for one grant.
#[must_use]
pub fn diagnostic(g: &Grant) -> Diagnostic {
    let env = g.in_env();
    Diagnostic::new(
        code::RBAC_WILDCARD,
        format!(
            "`{}`{env} is granted a wildcard: `{} {}`",
            g.workload,
            g.verbs.join(","),
            g.resource
        ),
        g.file,
        g.span,
    )
    .label("a wildcard grants every present and future verb or resource")
    .help("list the verbs and resources the workload needs: `\"get,watch configmaps\"`")
}
