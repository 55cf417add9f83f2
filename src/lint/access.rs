//! `access` strings (`"VERB[,VERB] RESOURCE"`, LANGUAGE.md section 6) as the RBAC rules
//! read them, and where they are written. Their syntax is checked by the front end;
//! here a string that does not split is skipped.

use super::Ctx;
use crate::sema::value::Val;
use crate::source::{FileId, Span};

/// One grant of an `access` list.
#[derive(Clone, Debug)]
pub struct Grant<'a> {
    /// The workload that has it.
    pub workload: &'a str,
    /// The environment whose override sets it (`None`: the declaration's own list).
    pub env: Option<&'a str>,
    /// The verbs, split at commas.
    pub verbs: Vec<String>,
    /// As written: `pods/exec`, `leases.coordination.k8s.io`.
    pub resource: String,
    /// The file of the string.
    pub file: FileId,
    /// The string's span.
    pub span: Span,
}

impl Grant<'_> {
    /// The resource's name without API group and subresource: `pods` for `pods/exec`.
    #[must_use]
    pub fn base(&self) -> &str {
        let r = self.resource.split('/').next().unwrap_or("");
        r.split('.').next().unwrap_or(r)
    }

    /// The subresource: `exec` for `pods/exec`.
    #[must_use]
    pub fn subresource(&self) -> Option<&str> {
        self.resource.split_once('/').map(|(_, s)| s)
    }

    /// ` (env `staging`)` for a grant an environment gives, else nothing: for messages.
    #[must_use]
    pub fn in_env(&self) -> String {
        self.env.map_or(String::new(), |e| format!(" (env `{e}`)"))
    }

    /// True when the grant includes `verb` (or `*`).
    #[must_use]
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// Reports every grant `matches` selects, each with the rule's `diagnostic`.
pub fn report(
    ctx: &Ctx,
    out: &mut Vec<crate::diag::Diagnostic>,
    matches: fn(&Grant) -> bool,
    diagnostic: fn(&Grant) -> crate::diag::Diagnostic,
) {
    out.extend(grants(ctx).iter().filter(|g| matches(g)).map(diagnostic));
}

/// Every grant of every service and site: their own `access` lists and the lists
/// environments override them with.
#[must_use]
pub fn grants<'a>(ctx: &Ctx<'a>) -> Vec<Grant<'a>> {
    let mut out = Vec::new();
    for d in ctx
        .sema
        .decls
        .iter()
        .filter(|d| d.kind == "service" || d.kind == "site")
    {
        for (env, v) in ctx.values(d, "access") {
            let Val::List(items) = &v.val else { continue };
            for item in items {
                let Val::Str(s) = &item.val else { continue };
                let text = s.literal_text();
                let mut parts = text.split_whitespace();
                let (Some(verbs), Some(resource)) = (parts.next(), parts.next()) else {
                    continue;
                };
                out.push(Grant {
                    workload: &d.name,
                    env,
                    verbs: verbs.split(',').map(str::to_string).collect(),
                    resource: resource.to_string(),
                    file: item.file,
                    span: item.span,
                });
            }
        }
    }
    out
}

/// Kubernetes resources that are not namespaced (built-in APIs and the cluster-wide
/// kinds of the stack's own CRDs). A namespaced Role cannot grant them; asking for
/// them means a ClusterRole.
pub const CLUSTER_SCOPED: &[&str] = &[
    "apiservices",
    "certificatesigningrequests",
    "clusterissuers",
    "clusterrolebindings",
    "clusterroles",
    "componentstatuses",
    "csidrivers",
    "csinodes",
    "customresourcedefinitions",
    "flowschemas",
    "ingressclasses",
    "ipaddresses",
    "mutatingwebhookconfigurations",
    "namespaces",
    "nodes",
    "persistentvolumes",
    "podsecuritypolicies",
    "priorityclasses",
    "prioritylevelconfigurations",
    "runtimeclasses",
    "selfsubjectaccessreviews",
    "selfsubjectreviews",
    "selfsubjectrulesreviews",
    "servicecidrs",
    "storageclasses",
    "subjectaccessreviews",
    "tokenreviews",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "validatingwebhookconfigurations",
    "volumeattachments",
];
