//! Web-analytics facts: hits (pageviews, custom events, goal completions), payments and identities.
//! Everything derived from a request (path, traffic source, device, browser, country, visitor key)
//! is derived once, at ingestion, and recorded in the event, so that a replay never depends on a
//! parser's or a GeoIP database's version. Client IP addresses are never recorded.

use crate::{SiteId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A pageview, a custom event or a goal completion. The time is the envelope's `occurred_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    /// The visitor key: a hash of the client's visitor id, or of a daily salt, the address and
    /// the user agent. Never reversible to either.
    pub visitor: String,
    /// The visitor id as the client sent it, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Goal name, or a custom event's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Path of `url`, without query or fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Traffic source derived from the referrer and `utm_source` (`Direct / None` without either).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_campaign: Option<String>,
    /// ISO 3166-1 alpha-2, when it could be derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `desktop`, `mobile`, `tablet` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    /// The client's own id for the event (duplicates of it are counted once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_event_id: Option<String>,
}

/// A payment, in minor units of `currency`. `transaction_id` is unique per site, forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecorded {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub transaction_id: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub renewal: bool,
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub is_free_trial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRemoved {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub transaction_id: String,
}

/// Ties a visitor to the customer's own user id, with traits (latest wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorIdentified {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub visitor: String,
    pub visitor_id: String,
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub traits: Map<String, Value>,
}
