//! Webhooks: endpoints a workspace registers to receive its events as signed HTTP deliveries.
//!
//! Signing secrets never appear in an event (they sit in the `webhook_secrets` table, see ADR
//! 0014); an event names a secret only by its version and a short hint.

use crate::{WebhookId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCreated {
    pub webhook_id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    /// Event type patterns: an exact type (`key.rotated`), a family (`domain.*`) or `*`.
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub active: bool,
    /// The first characters of the secret (`whsec_AbCd`), to tell secrets apart.
    pub secret_hint: String,
    pub secret_version: i64,
}

/// Only the fields that changed are present; an empty description clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUpdated {
    pub webhook_id: WebhookId,
    pub workspace_id: WorkspaceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A new signing secret; deliveries are signed with both until `previous_valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSecretRotated {
    pub webhook_id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub secret_hint: String,
    pub secret_version: i64,
    pub previous_valid_until: DateTime<Utc>,
}

/// The dispatcher turned the endpoint off after too many consecutive failed deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDisabled {
    pub webhook_id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub reason: String,
    pub consecutive_failures: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeleted {
    pub webhook_id: WebhookId,
    pub workspace_id: WorkspaceId,
}
