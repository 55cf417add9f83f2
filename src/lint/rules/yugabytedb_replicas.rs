//! `yugabytedb-replicas` (AF3042, page `docs/codes/AF3042.md`): a YugabyteDB database
//! with fewer than 3 replicas. Replication factor 3 needs three masters and three
//! tablet servers; with fewer, losing one pod loses the database (or its quorum).

use crate::diag::{Diagnostic, code};
use crate::lint::{Ctx, Rule};
use crate::source::{FileId, Span};

/// The rule.
pub const RULE: Rule = Rule {
    code: code::YUGABYTEDB_REPLICAS,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let base = ctx.sema.base();
    let mut views: Vec<(Option<&str>, &crate::sema::model::Env)> = vec![(None, base)];
    views.extend(
        ctx.sema
            .model
            .envs
            .iter()
            .map(|e| (Some(e.name.as_str()), e)),
    );
    let mut seen: Vec<(FileId, Span)> = Vec::new();
    for (env, view) in views {
        for db in view
            .databases
            .iter()
            .filter(|d| d.engine == "yugabytedb" && d.replicas < 3)
        {
            let Some(decl) = ctx.sema.get(&db.name) else {
                continue;
            };
            let at = ctx.site(env, decl, "replicas");
            if !seen.contains(&at) {
                seen.push(at);
                out.push(diagnostic(&db.name, env, db.replicas, at));
            }
        }
    }
}

/// Builds the diagnostic for one database (in one environment, when an override sets
/// the count).
#[must_use]
pub fn diagnostic(db: &str, env: Option<&str>, replicas: u32, at: (FileId, Span)) -> Diagnostic {
    let env = env.map_or(String::new(), |e| format!(" in env `{e}`"));
    Diagnostic::new(
        code::YUGABYTEDB_REPLICAS,
        format!(
            "YugabyteDB database `{db}` has {replicas} replica{}{env}",
            if replicas == 1 { "" } else { "s" }
        ),
        at.0,
        at.1,
    )
    .label("fewer than 3: one lost pod can take the database down")
    .help("use `replicas = 3` (replication factor 3 survives the loss of one node)")
}
