//! `sealed-wrong-key` (AF3021, page `docs/codes/AF3021.md`): a sealed value whose RSA
//! block (the wrapped session key, after the 2-byte length prefix) does not have the
//! size of the key in the `sealing_cert` of the cluster the value is deployed to. Such
//! a value was sealed for another controller and will not open. The outer shape of the
//! ciphertext is read by [`crate::sealed::shape`], the one parser of the format; a
//! value without that shape is plaintext (`AF1013`).

use crate::diag::{Diagnostic, code};
use crate::lint::{Ctx, Rule};
use crate::sema::value::{Spanned, Val};
use std::collections::BTreeSet;

/// The rule.
pub const RULE: Rule = Rule {
    code: code::SEALED_WRONG_KEY,
    check: Some(check),
};

/// What one value should have been sealed with.
pub struct Expected<'a> {
    /// The secret's name.
    pub secret: &'a str,
    /// The key of the value.
    pub key: &'a str,
    /// The `sealed` block's environment (`None`: the cluster-wide block).
    pub env: Option<&'a str>,
    /// The cluster the value is deployed to.
    pub cluster: &'a str,
    /// The size of the cluster's key, in bits.
    pub bits: usize,
    /// The size of the key the value was sealed with, in bits.
    pub found_bits: usize,
}

fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let model = &ctx.sema.model;
    for d in ctx.sema.decls.iter().filter(|d| d.kind == "secret") {
        let Some(Val::Sealed(blocks)) = d.attrs.get("sealed").map(|v| &v.val) else {
            continue;
        };
        for (label, block) in blocks {
            // The clusters this block is deployed to.
            let clusters: BTreeSet<&str> = model
                .envs
                .iter()
                .filter(|e| label.as_ref().is_none_or(|l| *l == e.name))
                .filter_map(|e| e.cluster.as_deref())
                .collect();
            for cluster in clusters {
                let Some(path) = model
                    .clusters
                    .iter()
                    .find(|c| c.name == cluster)
                    .and_then(|c| c.sealing_cert.as_deref())
                else {
                    continue;
                };
                let Some(Ok(bits)) = ctx.cert_bits(path) else {
                    continue;
                };
                for (key, v) in &block.keys {
                    let Val::Str(s) = &v.val else { continue };
                    let Some(shape) = crate::sealed::shape(&s.literal_text()) else {
                        continue;
                    };
                    if shape.rsa_len != bits.div_ceil(8) {
                        let e = Expected {
                            secret: &d.name,
                            key,
                            env: label.as_deref(),
                            cluster,
                            bits,
                            found_bits: shape.rsa_len * 8,
                        };
                        out.push(diagnostic(&e, v));
                    }
                }
            }
        }
    }
}

/// Builds the diagnostic for one value. It names the key, never the value.
#[must_use]
pub fn diagnostic(e: &Expected, value: &Spanned) -> Diagnostic {
    let env = e.env.map_or(String::new(), |l| format!(" for `{l}`"));
    Diagnostic::new(
        code::SEALED_WRONG_KEY,
        format!(
            "`{}` of secret `{}`{env} was sealed with a {}-bit key, but the `sealing_cert` of cluster `{}` has a {}-bit key",
            e.key, e.secret, e.found_bits, e.cluster, e.bits
        ),
        value.file,
        value.span,
    )
    .label(format!("an RSA block of {} bytes; the cluster's key needs {}", e.found_bits / 8, e.bits.div_ceil(8)))
    .help(format!(
        "seal it again with the cluster's certificate: `printf '%s' \"$VALUE\" | afc seal --secret {} --key {}{}`",
        e.secret,
        e.key,
        e.env.map_or(String::new(), |l| format!(" --env {l}"))
    ))
}
