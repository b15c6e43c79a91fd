//! Web-analytics facts: hits (pageviews, custom events, goal completions), payments and identities.
//! Everything derived from a request (path, traffic source, device, browser, country, visitor key)
//! is derived once, at ingestion, and recorded in the event, so that a replay never depends on a
//! parser's or a GeoIP database's version. Client IP addresses are never recorded.

use crate::{SiteId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Dimensions of analytics queries: the page, the goal, and the visit's traffic source, UTM
/// fields, country, device class and browser.
pub const DIMENSIONS: [&str; 9] = [
    "page",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "country",
    "device",
    "browser",
    "goal",
];

/// Metrics of analytics queries, in the order responses list them.
pub const METRICS: [&str; 11] = [
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "conversions",
    "conversion_rate",
    "revenue",
    "average_order_value",
];

/// Named periods of analytics queries.
pub const PERIODS: [&str; 5] = ["today", "7d", "30d", "month", "12mo"];
/// Intervals of analytics series.
pub const INTERVALS: [&str; 4] = ["hour", "day", "week", "month"];

/// Personal fields of an event, encrypted with its data subject's key (see `keel_schemas::personal`).
/// The log, the Kafka topic and every replay carry this form; a reader that holds the key opens it
/// back into the event's own fields. `data` is empty once the key is destroyed: the fields are
/// erased for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The id of the subject's key.
    pub key: String,
    /// Hex nonce, a dot, hex ciphertext of the fields as a JSON object.
    pub data: String,
}

impl Sealed {
    /// Whether the key is gone and the fields with it.
    pub fn erased(&self) -> bool {
        self.data.is_empty()
    }
}

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_term: Option<String>,
    /// The URL's host, lowercased, without `www.` and port, when the URL is absolute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// ISO 3166-1 alpha-2, when it could be derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `desktop`, `mobile`, `tablet` or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// The browser's `major.minor` version, when the user agent says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_version: Option<String>,
    /// The operating system (`Windows`, `macOS`, `iOS`, `Android`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Its `major.minor` version (Windows: `10`, `8.1`, `7`), when the user agent says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// The screen class from the viewport's width: `Mobile`, `Tablet`, `Laptop` or `Desktop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    /// The first subdivision (state, region) of the client's address, from a GeoIP City database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    /// The client's own id for the event (duplicates of it are counted once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_event_id: Option<String>,
    /// `visitor_id`, sealed, as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
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
    /// `visitor_id`, `customer_id` and `email`, sealed, as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
}

/// A point of a custom metric a workspace pushed (any source it has, Dashtray-style), once per
/// `(metric_id, point_id)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRecorded {
    pub workspace_id: WorkspaceId,
    pub metric_id: String,
    /// The client's id of the point (its de-duplication key), or one Keel drew.
    pub point_id: String,
    pub value: serde_json::Number,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Part or all of a payment was given back (a Stripe refund), once per refund id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefunded {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub transaction_id: String,
    /// The source's id of the refund (`re_…`).
    pub refund_id: String,
    /// Minor units, in the payment's currency.
    pub amount: i64,
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
    /// Empty only while sealed or once erased.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visitor_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub traits: Map<String, Value>,
    /// `visitor_id`, `user_id` and `traits`, sealed, as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
}

/// A person's erasure: the key their personal fields were sealed with is destroyed, and read
/// models drop what they held of them. Counts and revenue stay (under a key no longer theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorErased {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub visitor: String,
    /// The key destroyed, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// One widget of a dashboard: a metric of a site as a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Widget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub site_id: SiteId,
    /// A stats metric, e.g. `visitors`, `revenue`.
    pub metric: String,
    /// `hour`, `day`, `week` or `month`.
    pub interval: String,
    /// `today`, `7d`, `30d`, `month` or `12mo`.
    pub period: String,
    /// Stats filters: `[[op, dimension, [values]], …]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardCreated {
    pub dashboard_id: crate::DashboardId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// Free text (Dashtray's `description`); absent in events written before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub widgets: Vec<Widget>,
}

/// Only what changed is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DashboardUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widgets: Option<Vec<Widget>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardDeleted {
    pub dashboard_id: crate::DashboardId,
    pub workspace_id: WorkspaceId,
}

/// One step of a saved funnel: a pageview of a path, or a goal completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStepDef {
    /// `page` or `goal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The page path (starting with `/`) or the goal name.
    pub value: String,
}

/// A funnel saved on a site's stream: its name is unique on the site (case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelCreated {
    pub funnel_id: crate::FunnelId,
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub steps: Vec<FunnelStepDef>,
    /// Minutes from the first step to the last.
    pub window_minutes: i64,
}

/// Only what changed is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelUpdated {
    pub funnel_id: crate::FunnelId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<FunnelStepDef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelDeleted {
    pub funnel_id: crate::FunnelId,
    pub site_id: SiteId,
}

/// A site's analytics between `from` (inclusive) and `to` (exclusive), both on whole hours, are
/// deleted: hits, visits that started in the range, payments, and the rollups of those hours.
/// The range stays deleted: hits timestamped inside it that arrive later are not counted either.
/// Recorded on the site's stream, which the analytics projector also reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsDeleted {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
}
