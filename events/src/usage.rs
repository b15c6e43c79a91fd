//! Usage metering and entitlements: what a workspace may use, and what it used.

use crate::{ApiKeyId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a feature is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementKind {
    /// Counted against a limit per period.
    Metered,
    /// On or off.
    Boolean,
    /// A fixed configuration value.
    Static,
}

impl EntitlementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntitlementKind::Metered => "metered",
            EntitlementKind::Boolean => "boolean",
            EntitlementKind::Static => "static",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "metered" => Some(Self::Metered),
            "boolean" => Some(Self::Boolean),
            "static" => Some(Self::Static),
            _ => None,
        }
    }
}

/// The window a metered limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsagePeriod {
    /// One clock hour (whole hours are the same in every time zone Keel knows, bar a few
    /// half-hour offsets, which count in UTC hours).
    Hour,
    /// From midnight to midnight in the workspace's time zone.
    Day,
    /// From the billing anchor day to the next, at midnight in the workspace's time zone.
    Month,
    /// Never resets.
    Lifetime,
}

impl UsagePeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            UsagePeriod::Hour => "hour",
            UsagePeriod::Day => "day",
            UsagePeriod::Month => "month",
            UsagePeriod::Lifetime => "lifetime",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hour" => Some(Self::Hour),
            "day" => Some(Self::Day),
            "month" => Some(Self::Month),
            "lifetime" => Some(Self::Lifetime),
            _ => None,
        }
    }
}

/// An operator set (or overrode) one entitlement of a workspace. Stream `entitlements-<workspace>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementSet {
    pub workspace_id: WorkspaceId,
    pub feature: String,
    pub kind: EntitlementKind,
    /// Metered: the limit per period (`None`: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<UsagePeriod>,
    /// Metered: whether the limit refuses usage past it (`true`) or only reports it.
    #[serde(default)]
    pub hard: bool,
    /// Boolean: granted or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Static: the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// An operator removed an override: the feature is the plan's again (or unknown, if custom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementRemoved {
    pub workspace_id: WorkspaceId,
    pub feature: String,
}

/// Usage recorded against a metered feature. Stream `usage-<workspace>-<feature>`; the event id
/// is derived from the client's `usage_id` when there is one, so a replay is the same event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRecorded {
    pub workspace_id: WorkspaceId,
    pub feature: String,
    pub quantity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_id: Option<String>,
    /// The API key that recorded it (attribution for `group_by=key`); none for operator calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<ApiKeyId>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    /// Start of the period it counts in (UTC instant of the workspace-local boundary); the Unix
    /// epoch for lifetime features.
    pub period_start: DateTime<Utc>,
    /// The limit it was checked against when decided, and whether that limit is hard: the inline
    /// counter refuses it, atomically, if a hard limit would be passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default)]
    pub hard: bool,
}

/// Usage of a feature crossed 80 % or 100 % of its limit in a period. Recorded once per
/// workspace, feature, period and threshold (its event id is derived from those).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageThresholdReached {
    pub workspace_id: WorkspaceId,
    pub feature: String,
    /// 80 or 100.
    pub threshold: u8,
    pub period_start: DateTime<Utc>,
    pub used: i64,
    pub limit: i64,
}
