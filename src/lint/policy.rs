//! The platform's policy as the linter reads it: which licenses pass and how severe
//! each rule is. The policy is the one the `platform` names (`policy = NAME`, default
//! the stdlib's `open-source`).

use crate::diag::{Severity, codes::Code};
use crate::sema::{Decl, Sema};
use std::collections::{BTreeMap, BTreeSet};

/// A resolved policy.
#[derive(Clone, Debug, Default)]
pub struct Policy<'a> {
    /// The policy's name (`open-source` when the workspace has no platform).
    pub name: String,
    /// Its declaration, when it exists.
    pub decl: Option<&'a Decl>,
    allow: BTreeSet<String>,
    deny: BTreeSet<String>,
    /// Code → level set in `severity { }` (`None`: off).
    levels: BTreeMap<Code, Option<Severity>>,
}

impl<'a> Policy<'a> {
    /// The policy of the workspace's platform.
    #[must_use]
    pub fn of(sema: &'a Sema) -> Self {
        let name = sema
            .model
            .platform
            .as_ref()
            .map_or_else(|| "open-source".to_string(), |p| p.policy.clone());
        let Some(p) = sema.model.policies.iter().find(|p| p.name == name) else {
            return Self {
                name,
                ..Self::default()
            };
        };
        let levels = p
            .severity
            .iter()
            .filter_map(|(rule, level)| Some((super::lookup(rule)?, super::parse_level(level)?)))
            .collect();
        Self {
            decl: sema.get(&name),
            allow: p.allow_licenses.iter().cloned().collect(),
            deny: p.deny_licenses.iter().cloned().collect(),
            levels,
            name,
        }
    }

    /// The severity a finding of `code` is shown with, `None` when the policy turns
    /// the rule off.
    #[must_use]
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.levels.get(&code) {
            Some(level) => *level,
            None => Some(code.info().severity),
        }
    }

    /// Whether one license of an expression passes: OSI-approved or in
    /// `allow_licenses`, and not in `deny_licenses`. A `WITH` exception does not
    /// change the verdict; `GPL-2.0+` is judged as `GPL-2.0`.
    #[must_use]
    pub fn allows(&self, req: &spdx::LicenseReq) -> bool {
        let name = license_name(req);
        if self.deny.contains(&name) {
            return false;
        }
        let osi = req
            .license
            .id()
            .is_some_and(spdx::LicenseId::is_osi_approved);
        osi || self.allow.contains(&name)
    }

    /// Whether a license passes only because `allow_licenses` names it.
    #[must_use]
    pub fn allowed_by_list(&self, req: &spdx::LicenseReq) -> bool {
        let osi = req
            .license
            .id()
            .is_some_and(spdx::LicenseId::is_osi_approved);
        !osi && self.allows(req)
    }
}

/// The identifier of a license term as written in `allow_licenses` and
/// `deny_licenses`: `MIT`, `LicenseRef-RSALv2`.
#[must_use]
pub fn license_name(req: &spdx::LicenseReq) -> String {
    match &req.license {
        spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
        spdx::LicenseItem::Other(r) => r.to_string(),
    }
}
