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
    #[serde(default)]
    pub settings: RevenueSettings,
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

/// How an integration counts subscription revenue (ChartMogul's and Stripe's settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueSettings {
    /// When a cancellation scheduled for the period's end counts as churn: `at_period_end`
    /// (when the subscription ends, Stripe's default) or `immediately` (when it is scheduled).
    #[serde(default = "at_period_end")]
    pub scheduled_cancellation: String,
    /// Whether a coupon of limited duration (`repeating`) reduces MRR while it lasts: `ignore`
    /// (default, as Stripe's billing analytics) or `apply`. `forever` coupons always do, `once`
    /// coupons never.
    #[serde(default = "ignore")]
    pub limited_coupons: String,
}

fn at_period_end() -> String {
    "at_period_end".into()
}

fn ignore() -> String {
    "ignore".into()
}

impl Default for RevenueSettings {
    fn default() -> Self {
        Self {
            scheduled_cancellation: at_period_end(),
            limited_coupons: ignore(),
        }
    }
}

/// The integration's settings changed (they apply to changes recorded from then on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationUpdated {
    pub integration_id: IntegrationId,
    pub workspace_id: WorkspaceId,
    pub settings: RevenueSettings,
}

/// A subscription of a customer changed in a way that matters to revenue (status, plan,
/// quantity, discount, a scheduled cancellation), with the MRR Keel decided for it and the
/// movement it made in the customer's MRR. Recorded once per change, in the customer's stream,
/// whichever path (a sync, a webhook, both, any order) saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionChanged {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    /// Stripe's id (`sub_…`).
    pub subscription_id: String,
    /// A hash of the customer's id at the source (the stream's key).
    pub customer: String,
    /// The visitor key of the person it was attributed to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
    /// Stripe's status: `active`, `past_due`, `trialing`, `canceled`, `unpaid`, …
    pub status: String,
    /// ISO 4217, upper case.
    pub currency: String,
    /// The prices and quantities, e.g. `price_basic×2 10.00/month`.
    pub plan: String,
    pub cancel_at_period_end: bool,
    /// This subscription's MRR now, in minor units of `currency`.
    pub mrr: i64,
    /// Its MRR before this change.
    pub previous_mrr: i64,
    /// `new`, `expansion`, `contraction`, `churn`, `reactivation`, or absent when the
    /// customer's MRR did not move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movement: Option<String>,
    /// The customer's MRR change in `currency` (negative for contraction and churn).
    pub amount: i64,
    /// When the change took effect (the month it counts in).
    pub effective_at: DateTime<Utc>,
    /// When the source's state was read (milliseconds since the Unix epoch): an older reading
    /// never undoes a newer.
    pub seen_at: i64,
}
