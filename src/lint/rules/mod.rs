//! The lint rules, one per file: each holds its `RULE` (code and check) and the one
//! helper that builds its diagnostic. The rule's name, default severity and page
//! (`docs/codes/AF3xxx.md`, shown by `afc explain`) are its row in
//! [`crate::diag::codes`].

pub mod license_choice;
pub mod license_denied;
pub mod license_invalid;
pub mod license_unknown;
pub mod missing_health;
pub mod mutable_tag;
pub mod rbac_cluster_scoped;
pub mod rbac_escalation;
pub mod rbac_pod_exec;
pub mod rbac_secrets_read;
pub mod rbac_wildcard;
pub mod sealed_unknown_env;
pub mod sealed_wrong_key;
pub mod sealing_cert_unreadable;
pub mod secret_in_env;
pub mod suppression_without_reason;
pub mod unknown_rule;
pub mod unused_suppression;
pub mod yugabytedb_replicas;
