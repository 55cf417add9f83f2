//! `missing-health` (AF3041, page `docs/codes/AF3041.md`): a service without `health`,
//! the HTTP path its readiness and liveness probes ask. Without probes Kubernetes sends
//! traffic to pods that are not ready and never restarts one that hangs. (A site has
//! the default `"/"`.)

use crate::diag::{Diagnostic, code};
use crate::lint::{Ctx, Rule};
use crate::sema::Decl;

/// The rule.
pub const RULE: Rule = Rule {
    code: code::MISSING_HEALTH,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let envs: Vec<&str> = ctx
        .sema
        .model
        .envs
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for d in ctx
        .sema
        .decls
        .iter()
        .filter(|d| d.kind == "service" && ctx.is_workspace(d.file))
    {
        if d.attrs.contains_key("health") {
            continue;
        }
        let set_in: Vec<&str> = ctx
            .values(d, "health")
            .into_iter()
            .filter_map(|(e, _)| e)
            .collect();
        let lacking: Vec<&str> = envs
            .iter()
            .copied()
            .filter(|e| !set_in.contains(e))
            .collect();
        if envs.is_empty() || !lacking.is_empty() {
            let only = (!set_in.is_empty()).then_some(lacking.as_slice());
            out.push(diagnostic(d, only));
        }
    }
}

/// Builds the diagnostic; `only` lists the environments without a path when some
/// environments set one.
#[must_use]
pub fn diagnostic(service: &Decl, only: Option<&[&str]>) -> Diagnostic {
    let place = only.map_or(String::new(), |envs| {
        format!(
            " in {}",
            envs.iter()
                .map(|e| format!("env `{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    Diagnostic::new(
        code::MISSING_HEALTH,
        format!("service `{}` has no `health` path{place}", service.name),
        service.file,
        service.name_span,
    )
    .label("no readiness or liveness probe")
    .help("add the HTTP path that answers 200 when the service is ready: `health = \"/healthz\"`")
}
