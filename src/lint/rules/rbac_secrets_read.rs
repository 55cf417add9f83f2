//! `rbac-secrets-read` (AF3030, page `docs/codes/AF3030.md`): `access` that can `list` or `watch`
//! secrets (or any verb, `*`, on them; or those verbs on every resource). Listing a
//! Secret returns its contents, so this reads every secret of the namespace.
//! Every workload gets its own ServiceAccount, and `access` becomes a namespaced Role
//! (LANGUAGE.md section 6); this rule keeps that Role least-privileged.

use crate::diag::{Diagnostic, code};
use crate::lint::access::{self, Grant};
use crate::lint::{Ctx, Rule};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::RBAC_SECRETS_READ,
    check: Some(check),
};

/// True when the grant is what this rule reports.
#[must_use]
pub fn matches(g: &Grant) -> bool {
    (g.base() == "secrets" || g.resource == "*")
        && g.subresource().is_none()
        && ["list", "watch", "*"].iter().any(|v| g.has_verb(v))
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    access::report(ctx, out, matches, diagnostic);
}

/// Builds the diagnostic for one grant.
#[must_use]
pub fn diagnostic(g: &Grant) -> Diagnostic {
    let env = g.in_env();
    Diagnostic::new(
        code::RBAC_SECRETS_READ,
        format!("`{}`{env} can read every secret of its namespace through `{} {}`", g.workload, g.verbs.join(","), g.resource),
        g.file,
        g.span,
    )
    .label("`list` and `watch` return the contents of every Secret")
    .help("put the secrets the workload needs in its `uses` (they arrive as environment variables); grant at most `get` on `secrets`")
}
