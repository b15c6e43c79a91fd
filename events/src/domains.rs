//! Domain monitoring: the domains a workspace watches, their folders, every DNS scan, every
//! change a scan finds, and registration (RDAP) data.

use crate::{DomainId, FolderId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A domain a workspace watches. `name` is the ASCII (punycode) form, lowercase, no trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAdded {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The Unicode form, for internationalised names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode: Option<String>,
    /// The public suffix (`com`, `co.uk`).
    pub tld: String,
}

/// Only the fields that changed are present; an empty string clears a text field or the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainUpdated {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_favorite: Option<bool>,
}

/// No longer watched; its history stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRemoved {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
}

/// Watched again after a removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRestored {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
}

/// One DNS scan. `fields` is the flat, comparable summary (field name → value) that changes are
/// computed on; `records` the full detail; `failed` the lookups that failed (their fields are
/// absent and never count as changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainScanned {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub records: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    pub duration_ms: i64,
    /// Whether the domain answered at all; absent (`answered`) in scans recorded before it existed.
    #[serde(default, skip_serializing_if = "ScanOutcome::is_answered")]
    pub outcome: ScanOutcome,
    /// Why lookups failed (`failed` or `answered` with failed lookups), or that the name does not
    /// exist (`nxdomain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a scan could learn about a domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanOutcome {
    /// The domain's nameservers answered; `fields` hold what they said, `failed` the lookups that
    /// did not get an answer.
    #[default]
    Answered,
    /// The domain does not exist: its apex is NXDOMAIN. Nothing else was looked up.
    Nxdomain,
    /// Nothing could be learned (every lookup of the apex timed out or was refused, or the scan
    /// overran its deadline): no field is known, the last good values stand.
    Failed,
}

impl ScanOutcome {
    pub fn is_answered(&self) -> bool {
        *self == ScanOutcome::Answered
    }
}

/// A field of the scan summary that differs from the previous scan's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecordChanged {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Registration data fetched over RDAP (or why it could not be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoisFetched {
    pub domain_id: DomainId,
    pub workspace_id: WorkspaceId,
    pub whois: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderCreated {
    pub folder_id: FolderId,
    pub workspace_id: WorkspaceId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRenamed {
    pub folder_id: FolderId,
    pub workspace_id: WorkspaceId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderDeleted {
    pub folder_id: FolderId,
    pub workspace_id: WorkspaceId,
}
