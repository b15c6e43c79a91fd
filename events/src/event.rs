use crate::{ApiKeyId, Scope, Tier, WorkspaceId, WorkspaceSettings};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every fact Keel records. Names are past tense; the stored `event_type` is [`DomainEvent::event_type`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    WorkspaceCreated(WorkspaceCreated),
    WorkspaceUpdated(WorkspaceUpdated),
    WorkspaceDeleted(WorkspaceDeleted),
    ApiKeyCreated(ApiKeyCreated),
    ApiKeyRotated(ApiKeyRotated),
    ApiKeyRevoked(ApiKeyRevoked),
}

impl DomainEvent {
    /// The stable, public name of the event (also used by webhook patterns).
    pub fn event_type(&self) -> &'static str {
        match self {
            DomainEvent::WorkspaceCreated(_) => "workspace.created",
            DomainEvent::WorkspaceUpdated(_) => "workspace.updated",
            DomainEvent::WorkspaceDeleted(_) => "workspace.deleted",
            DomainEvent::ApiKeyCreated(_) => "key.created",
            DomainEvent::ApiKeyRotated(_) => "key.rotated",
            DomainEvent::ApiKeyRevoked(_) => "key.revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceCreated {
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub slug: String,
    pub tier: Tier,
    pub settings: WorkspaceSettings,
}

/// Only the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WorkspaceUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<WorkspaceSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDeleted {
    pub workspace_id: WorkspaceId,
}

/// The secret never appears in an event: only its hash and its public prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate_limit_tier: Option<Tier>,
}

/// A new secret replaces the old one; the old one keeps working until `previous_valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRotated {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub prefix: String,
    pub key_hash: String,
    pub previous_prefix: String,
    pub previous_key_hash: String,
    pub previous_valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRevoked {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
