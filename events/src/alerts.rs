//! Alerts: a condition watched by the worker and the channels told when it fires and resolves.
//! A Slack-compatible URL is a credential: the log holds only its hint, the URL itself lives in
//! a table of its own (as webhook secrets do).

use crate::{AlertId, ApiKeyId, DomainId, Role, SiteId, WebhookId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an alert watches. `value` of a firing is the condition's own measure (a count, or a
/// percentage for `drops_by` and `usage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertCondition {
    /// A site's `visitors` or `pageviews` over the window: `above` or `below` `threshold`, or
    /// `drops_by` at least `threshold` percent against the window before.
    Traffic {
        site_id: SiteId,
        metric: String,
        op: String,
        threshold: i64,
    },
    /// A metered feature's use in its current period reaching `percent` of its limit.
    Usage { feature: String, percent: i64 },
    /// Any DNS change of a domain found by the scanner within the window (or of `fields` only).
    DnsChange {
        domain_id: DomainId,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<String>,
    },
    /// A webhook endpoint (or any of the workspace's) turned off after failed deliveries.
    WebhookDisabled {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        webhook_id: Option<WebhookId>,
    },
    /// A live key (or any of the workspace's) unused for `days` days (never used counts from
    /// its creation).
    KeyUnused {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<ApiKeyId>,
        days: i64,
    },
}

impl AlertCondition {
    pub fn kind(&self) -> &'static str {
        match self {
            AlertCondition::Traffic { .. } => "traffic",
            AlertCondition::Usage { .. } => "usage",
            AlertCondition::DnsChange { .. } => "dns_change",
            AlertCondition::WebhookDisabled { .. } => "webhook_disabled",
            AlertCondition::KeyUnused { .. } => "key_unused",
        }
    }
}

/// Where a firing and its resolution are told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertChannel {
    /// Every member with a verified address (of `roles` only, when given).
    Email {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        roles: Vec<Role>,
    },
    /// One of the workspace's webhook endpoints, delivered and signed like every webhook.
    Webhook { webhook_id: WebhookId },
    /// A Slack-compatible incoming-webhook URL; the log keeps only its hint.
    Slack { url_hint: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCreated {
    pub alert_id: AlertId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub condition: AlertCondition,
    pub channels: Vec<AlertChannel>,
    pub window_minutes: i64,
    pub enabled: bool,
}

/// What changed; absent fields did not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<AlertCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<AlertChannel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDeleted {
    pub alert_id: AlertId,
    pub workspace_id: WorkspaceId,
}

/// The condition held at `window_end` over the window ending then. `webhook_ids` are the
/// alert's webhook channels at that moment: the dispatcher delivers this event to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFired {
    pub alert_id: AlertId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub condition: AlertCondition,
    pub value: i64,
    pub summary: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhook_ids: Vec<WebhookId>,
}

/// The condition no longer holds (or the alert was changed or turned off while firing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertResolved {
    pub alert_id: AlertId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub value: i64,
    pub summary: String,
    pub fired_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhook_ids: Vec<WebhookId>,
}
