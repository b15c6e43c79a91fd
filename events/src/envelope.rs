use crate::{ApiKeyId, DashboardId, DomainEvent, EventId, SiteId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stream is the history of one aggregate instance, named `<type>-<uuid>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(pub String);

impl StreamId {
    pub fn workspace(id: WorkspaceId) -> Self {
        Self(format!("workspace-{id}"))
    }
    pub fn api_key(id: ApiKeyId) -> Self {
        Self(format!("key-{id}"))
    }
    pub fn site(id: SiteId) -> Self {
        Self(format!("site-{id}"))
    }
    pub fn dashboard(id: DashboardId) -> Self {
        Self(format!("dashboard-{id}"))
    }
    /// One visitor's timeline on one site (`visitor` is the visitor key, a hex hash).
    pub fn visitor(site: SiteId, visitor: &str) -> Self {
        Self(format!("visitor-{site}-{visitor}"))
    }
    /// One payment of a site; `transaction_key` is a hash of its transaction id.
    pub fn payment(site: SiteId, transaction_key: &str) -> Self {
        Self(format!("payment-{site}-{transaction_key}"))
    }
    /// One customer of a site's connected source (Stripe), and their subscriptions; `key` is a
    /// hash of the source's customer id.
    pub fn customer(site: SiteId, key: &str) -> Self {
        Self(format!("customer-{site}-{key}"))
    }
    /// A workspace's entitlement overrides.
    pub fn domain(id: crate::DomainId) -> Self {
        Self(format!("domain-{id}"))
    }
    pub fn alert(id: crate::AlertId) -> Self {
        Self(format!("alert-{id}"))
    }
    pub fn tracking_scan(id: crate::TrackingScanId) -> Self {
        Self(format!("trackscan-{id}"))
    }
    /// One tool call of an agent (MCP).
    pub fn mcp_call(id: crate::McpCallId) -> Self {
        Self(format!("mcpcall-{id}"))
    }
    /// A remote MCP server a workspace registered, by its name there (names are unique per
    /// workspace because the stream is the name's).
    pub fn mcp_server(ws: WorkspaceId, name: &str) -> Self {
        Self(format!("mcpserver-{ws}-{name}"))
    }
    /// One point of a workspace's custom metric (`key`: a hash of the metric and point ids).
    pub fn metric_point(ws: WorkspaceId, key: &str) -> Self {
        Self(format!("metricpoint-{ws}-{key}"))
    }
    /// A connected outside source (Stripe).
    pub fn integration(id: crate::IntegrationId) -> Self {
        Self(format!("integration-{id}"))
    }
    /// One page's SEO reports and issues.
    pub fn seo_page(id: crate::SeoPageId) -> Self {
        Self(format!("seopage-{id}"))
    }
    pub fn webhook(id: crate::WebhookId) -> Self {
        Self(format!("webhook-{id}"))
    }
    pub fn folder(id: crate::FolderId) -> Self {
        Self(format!("folder-{id}"))
    }
    /// A person: their profile, password changes and account tokens.
    pub fn user(id: crate::UserId) -> Self {
        Self(format!("user-{id}"))
    }
    /// One sign-in (or failed attempt), as one workspace's audit log records it.
    pub fn sign_in(id: uuid::Uuid) -> Self {
        Self(format!("signin-{id}"))
    }
    /// A workspace's members and invitations (the last owner is guarded here).
    pub fn team(ws: WorkspaceId) -> Self {
        Self(format!("team-{ws}"))
    }
    pub fn entitlements(ws: WorkspaceId) -> Self {
        Self(format!("entitlements-{ws}"))
    }
    /// A workspace's usage of one feature (feature names hold no `-`-free guarantee; the
    /// workspace id before them fixes the split).
    pub fn usage(ws: WorkspaceId, feature: &str) -> Self {
        Self(format!("usage-{ws}-{feature}"))
    }
    /// The part before the first `-`: `workspace`, `key`, …
    pub fn stream_type(&self) -> &str {
        self.0.split_once('-').map(|(t, _)| t).unwrap_or(&self.0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the writer expects the stream's current version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the current version is.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have exactly this version (versions start at 1).
    Exact(i64),
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    Operator,
    ApiKey(ApiKeyId),
    /// A person, signed in or through one of their account tokens.
    User(crate::UserId),
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Operator => f.write_str("operator"),
            Actor::ApiKey(id) => write!(f, "key:{id}"),
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

impl std::str::FromStr for Actor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Actor::Operator),
            "system" => Ok(Actor::System),
            other => other
                .strip_prefix("key:")
                .and_then(|id| id.parse().ok())
                .map(Actor::ApiKey)
                .or_else(|| {
                    other
                        .strip_prefix("user:")
                        .and_then(|id| id.parse().ok())
                        .map(Actor::User)
                })
                .ok_or_else(|| format!("unknown actor `{other}`")),
        }
    }
}

impl Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Context recorded beside every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The address the request came from (people's and keys' commands; never analytics hits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
}

impl Metadata {
    pub fn system() -> Self {
        Self {
            actor: Actor::System,
            request_id: None,
            causation_id: None,
            correlation_id: None,
            client_ip: None,
        }
    }
}

/// An event about to be appended. Its id and time were chosen by the caller, so a retried append
/// with the same id is recognised as the same event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub event_id: EventId,
    pub event: DomainEvent,
    pub occurred_at: DateTime<Utc>,
}

/// An event as read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub event_id: EventId,
    pub tenant_id: WorkspaceId,
    pub stream_id: StreamId,
    pub stream_version: i64,
    /// Global position in the log: unique, and increasing along each stream.
    pub position: i64,
    pub event: DomainEvent,
    pub schema_version: i32,
    pub metadata: Metadata,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    pub fn event_type(&self) -> &'static str {
        self.event.event_type()
    }
}
