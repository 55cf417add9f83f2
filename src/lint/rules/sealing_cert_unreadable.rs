//! `sealing-cert-unreadable` (AF3022, page `docs/codes/AF3022.md`): a cluster's
//! `sealing_cert` cannot be read, or is not a PEM X.509 certificate with an RSA key.
//! Without it neither `afc seal` nor the key-size check of sealed values
//! ([`super::sealed_wrong_key`]) can work. The command line reads the file; an
//! analysis without it (the language server, a test) skips this rule.

use crate::diag::{Diagnostic, code};
use crate::lint::{Ctx, Rule};
use crate::sema::Decl;

/// The rule.
pub const RULE: Rule = Rule {
    code: code::SEALING_CERT_UNREADABLE,
    check: Some(check),
};

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for c in &ctx.sema.model.clusters {
        let (Some(path), Some(decl)) = (&c.sealing_cert, ctx.sema.get(&c.name)) else {
            continue;
        };
        if let Some(Err(reason)) = ctx.cert_bits(path) {
            out.push(diagnostic(decl, path, &reason));
        }
    }
}

/// Builds the diagnostic for one cluster.
#[must_use]
pub fn diagnostic(cluster: &Decl, path: &str, reason: &str) -> Diagnostic {
    let (file, span) = cluster
        .attrs
        .get("sealing_cert")
        .map_or((cluster.file, cluster.name_span), |v| (v.file, v.span));
    Diagnostic::new(
        code::SEALING_CERT_UNREADABLE,
        format!(
            "the `sealing_cert` of cluster `{}` cannot be used: {reason}",
            cluster.name
        ),
        file,
        span,
    )
    .label(format!("`{path}`, relative to the workspace"))
    .help("fetch the controller's certificate: `kubeseal --fetch-cert > certs/sealed-secrets.pem`")
}
