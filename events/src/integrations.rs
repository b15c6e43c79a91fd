//! Integrations: outside sources a workspace connects (Stripe first) whose objects become Keel
//! events. Credentials never appear in an event: they sit in `integration_credentials`, named
//! here by a random id and a short hint.

use crate::{IntegrationId, SiteId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationConnected {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
    /// The site whose revenue it feeds.
    pub site_id: SiteId,
    /// `stripe`.
    pub kind: String,
    /// Test-mode or live keys (`sk_test_…`/`rk_test_…` or `…_live_…`).
    pub livemode: bool,
    /// The API key's first characters (`rk_live_AbCd…`).
    pub credential_hint: String,
    pub credential_id: i64,
    /// The webhook signing secret's first characters, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret_hint: Option<String>,
    /// 0 without a webhook secret.
    #[serde(default)]
    pub webhook_secret_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationPaused {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationResumed {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
}

/// One sync ran to its end: what it read and what became events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSynced {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
    pub started_at: DateTime<Utc>,
    /// Objects read from the source.
    pub objects: i64,
    /// Payments recorded by this sync (the others were in Keel already).
    pub payments: i64,
    pub refunds: i64,
    /// The source's `created` (Unix seconds) of the newest object seen: the next sync reads from
    /// a little before it.
    pub cursor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSyncFailed {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
    pub started_at: DateTime<Utc>,
    pub error: String,
}

/// Disconnected: nothing more is read, its credentials are destroyed; what it recorded stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationRemoved {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
}
