//! Entitlements and usage: the plans' built-in features, operators' overrides (an aggregate per
//! workspace), the periods usage counts in, and the decision to record usage. Pure: the clock,
//! the workspace's zone and the current count arrive as arguments.

use crate::{
    Aggregate, AppendOutcome, AppendRequest, DomainError, EventStore, StoreError, Validator,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use keel_events::usage::{
    EntitlementKind, EntitlementRemoved, EntitlementSet, UsagePeriod, UsageRecorded,
    UsageThresholdReached,
};
use keel_events::{
    ApiKeyId, DomainEvent, EventId, ExpectedVersion, Metadata, NewEvent, StreamId, Tier,
    WorkspaceId,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Largest quantity one record may carry.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// Largest limit an operator may set.
pub const MAX_LIMIT: i64 = 1_000_000_000_000_000;
/// Metadata of one record, serialised.
pub const MAX_METADATA_BYTES: usize = 4096;
pub const MAX_METADATA_KEYS: usize = 50;
/// A static entitlement's value, serialised.
pub const MAX_CONFIG_BYTES: usize = 16 * 1024;
/// Soft-limit thresholds, in percent of the limit.
pub const THRESHOLDS: [u8; 2] = [80, 100];

/// The built-in features every plan has: each is counted where it is used (`api_calls` by the
/// edge, `events` by the ingest meter, `domains` by the domain aggregate's appends,
/// `tracking_checker_api_hourly` by the scan aggregate's). Seats and
/// storage come when something uses them; an operator may still define them as custom features.
pub const BUILT_IN: [&str; 4] = [
    "api_calls",
    "events",
    "domains",
    "tracking_checker_api_hourly",
];

/// What a workspace may use of one feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub feature: String,
    pub kind: EntitlementKind,
    /// Metered: the limit per period; `None` is unlimited.
    pub limit: Option<i64>,
    pub period: UsagePeriod,
    pub hard: bool,
    /// Boolean: granted.
    pub enabled: bool,
    pub config: Option<Value>,
    pub unit: String,
    /// `plan` or `override`.
    pub source: &'static str,
}

impl Entitlement {
    /// The period `now` falls in. `api_calls` counts UTC days, as the edge's daily quota does, so
    /// the calls it refuses and the calls the ledger reports fall in the same day; every other
    /// feature counts in the workspace's time zone (`tz`), months from `anchor_day`.
    pub fn period_at(
        &self,
        now: DateTime<Utc>,
        tz: Tz,
        anchor_day: u32,
    ) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        let tz = if self.feature == "api_calls" {
            Tz::UTC
        } else {
            tz
        };
        period_bounds(self.period, now, tz, anchor_day)
    }

    fn metered(
        feature: &str,
        limit: Option<i64>,
        period: UsagePeriod,
        hard: bool,
        unit: &str,
    ) -> Self {
        Entitlement {
            feature: feature.into(),
            kind: EntitlementKind::Metered,
            limit,
            period,
            hard,
            enabled: true,
            config: None,
            unit: unit.into(),
            source: "plan",
        }
    }

    /// Whether the feature is in the plan at all (a boolean that is off, or a metered limit of
    /// zero, is not).
    pub fn granted(&self) -> bool {
        match self.kind {
            EntitlementKind::Metered => self.limit != Some(0),
            EntitlementKind::Boolean => self.enabled,
            EntitlementKind::Static => true,
        }
    }
}

/// The plan's entitlement of a built-in feature on `tier`; `None` for any other feature.
pub fn plan_entitlement(tier: Tier, feature: &str) -> Option<Entitlement> {
    use Tier::*;
    let pick = |l: [Option<i64>; 5]| match tier {
        Free => l[0],
        Starter => l[1],
        Pro => l[2],
        Agency => l[3],
        Enterprise => l[4],
    };
    Some(match feature {
        "api_calls" => Entitlement::metered(
            feature,
            Some(tier.daily_quota() as i64),
            UsagePeriod::Day,
            true,
            "calls",
        ),
        "events" => Entitlement::metered(
            feature,
            pick([
                Some(100_000),
                Some(1_000_000),
                Some(10_000_000),
                Some(50_000_000),
                None,
            ]),
            UsagePeriod::Month,
            tier == Free,
            "events",
        ),
        "domains" => Entitlement::metered(
            feature,
            pick([
                Some(10),
                Some(100),
                Some(1_000),
                Some(10_000),
                Some(100_000),
            ]),
            UsagePeriod::Lifetime,
            true,
            "domains",
        ),
        // datanostro's partner API: 60 scans an hour per project, more for agencies.
        "tracking_checker_api_hourly" => Entitlement::metered(
            feature,
            pick([Some(60), Some(60), Some(60), Some(600), Some(3_000)]),
            UsagePeriod::Hour,
            true,
            "scans",
        ),
        _ => return None,
    })
}

/// A feature name: `[a-z0-9_:.-]{1,64}`.
pub fn valid_feature(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_:.-".contains(&b))
}

/// The period containing `now`: its start and (unless lifetime) its end, as instants. Days and
/// months begin at local midnight in `tz`; a month begins on `anchor_day` (1–31), or on the
/// month's last day when it is shorter.
pub fn period_bounds(
    period: UsagePeriod,
    now: DateTime<Utc>,
    tz: Tz,
    anchor_day: u32,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let today = now.with_timezone(&tz).date_naive();
    match period {
        UsagePeriod::Lifetime => (DateTime::<Utc>::UNIX_EPOCH, None),
        UsagePeriod::Hour => {
            let secs = now.timestamp() - now.timestamp().rem_euclid(3600);
            let start = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(now);
            (start, Some(start + Duration::hours(1)))
        }
        UsagePeriod::Day => (
            local_midnight(tz, today),
            Some(local_midnight(tz, today + Duration::days(1))),
        ),
        UsagePeriod::Month => {
            let this = anchor_in(today.year(), today.month(), anchor_day);
            let (start, end) = if today >= this {
                let (y, m) = next_month(today.year(), today.month());
                (this, anchor_in(y, m, anchor_day))
            } else {
                let (y, m) = prev_month(today.year(), today.month());
                (anchor_in(y, m, anchor_day), this)
            };
            (local_midnight(tz, start), Some(local_midnight(tz, end)))
        }
    }
}

fn next_month(y: i32, m: u32) -> (i32, u32) {
    if m == 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

fn prev_month(y: i32, m: u32) -> (i32, u32) {
    if m == 1 {
        (y - 1, 12)
    } else {
        (y, m - 1)
    }
}

/// The anchor day in month `m` of `y`, clamped to the month's length.
fn anchor_in(y: i32, m: u32, anchor: u32) -> NaiveDate {
    let anchor = anchor.clamp(1, 31);
    (1..=anchor)
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(y, m, d))
        .unwrap_or_default()
}

/// Local midnight of `date` in `tz` (the first instant of the day across a DST gap).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..3)
        .find_map(|h| {
            tz.from_local_datetime(&(naive + Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
}

/// The event id of a record with the client's `usage_id`: the same id for the same workspace,
/// feature and usage id, so a replay is the same event (counted once, forever).
pub fn usage_event_uuid(ws: WorkspaceId, feature: &str, usage_id: &str) -> uuid::Uuid {
    custom_uuid(&[&ws.to_string(), "usage", feature, usage_id])
}

/// The event id of a threshold crossing: one per workspace, feature, period and threshold.
pub fn threshold_event_uuid(
    ws: WorkspaceId,
    feature: &str,
    period_start: DateTime<Utc>,
    threshold: u8,
) -> uuid::Uuid {
    custom_uuid(&[
        &ws.to_string(),
        "threshold",
        feature,
        &period_start.timestamp_millis().to_string(),
        &threshold.to_string(),
    ])
}

pub(crate) fn custom_uuid(parts: &[&str]) -> uuid::Uuid {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&h.finalize()[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The thresholds `used` has reached of `limit`.
pub fn reached_thresholds(used: i64, limit: Option<i64>) -> Vec<u8> {
    match limit {
        Some(l) if l > 0 => THRESHOLDS
            .into_iter()
            .filter(|t| used.saturating_mul(100) >= l.saturating_mul(i64::from(*t)))
            .collect(),
        _ => vec![],
    }
}

/// The server's own `api_calls` record for `calls` calls one key made (soft: the edge's daily
/// quota already refused what was over it, and a call that was served is never un-served).
pub fn record_api_calls(
    ws: WorkspaceId,
    key_id: ApiKeyId,
    calls: i64,
    ent: &Entitlement,
    period_start: DateTime<Utc>,
) -> UsageRecorded {
    UsageRecorded {
        workspace_id: ws,
        feature: ent.feature.clone(),
        quantity: calls,
        usage_id: None,
        key_id: Some(key_id),
        metadata: Map::new(),
        period_start,
        limit: ent.limit,
        hard: false,
    }
}

/// The append of a decided usage record: a stream of its own (`usage-<workspace>-<event id>`),
/// so records never contend on a stream version. A hard limit is held by the store, which
/// refuses the append (`FeatureLimitReached`) when the record would pass it (ADR 0009).
pub fn record_request(
    record: UsageRecorded,
    event_id: EventId,
    occurred_at: DateTime<Utc>,
    metadata: Metadata,
) -> AppendRequest {
    let ws = record.workspace_id;
    AppendRequest {
        tenant_id: ws,
        stream_id: StreamId::usage(ws, &event_id.0.simple().to_string()),
        expected: ExpectedVersion::Any,
        events: vec![NewEvent {
            event_id,
            event: DomainEvent::UsageRecorded(record),
            occurred_at,
        }],
        metadata,
        meter: None,
    }
}

/// The appends of the thresholds `used` has reached in the period starting at `period_start`:
/// each event id is derived from workspace, feature, period and threshold, so each is recorded
/// at most once whoever crosses it, and the next record past it retries one that failed.
pub fn threshold_requests(
    ws: WorkspaceId,
    ent: &Entitlement,
    used: i64,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
    metadata: &Metadata,
) -> Vec<(u8, AppendRequest)> {
    let Some(limit) = ent.limit else {
        return vec![];
    };
    reached_thresholds(used, Some(limit))
        .into_iter()
        .map(|t| {
            let id = threshold_event_uuid(ws, &ent.feature, period_start, t);
            let request = AppendRequest {
                tenant_id: ws,
                stream_id: StreamId::usage(ws, &id.simple().to_string()),
                expected: ExpectedVersion::Any,
                events: vec![NewEvent {
                    event_id: EventId(id),
                    event: DomainEvent::UsageThresholdReached(UsageThresholdReached {
                        workspace_id: ws,
                        feature: ent.feature.clone(),
                        threshold: t,
                        period_start,
                        used,
                        limit,
                    }),
                    occurred_at: now,
                }],
                metadata: metadata.clone(),
                meter: None,
            };
            (t, request)
        })
        .collect()
}

/// Records a decided usage record: the one write path of usage, for clients' records and the
/// server's own `api_calls` alike.
pub async fn append_record<S: EventStore + ?Sized>(
    store: &S,
    record: UsageRecorded,
    event_id: EventId,
    occurred_at: DateTime<Utc>,
    metadata: Metadata,
) -> Result<AppendOutcome, StoreError> {
    store
        .append(record_request(record, event_id, occurred_at, metadata))
        .await
}

/// Records the thresholds `used` has reached; returns those that could not be recorded (the
/// next record past them tries again).
pub async fn append_thresholds<S: EventStore + ?Sized>(
    store: &S,
    ws: WorkspaceId,
    ent: &Entitlement,
    used: i64,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
    metadata: &Metadata,
) -> Vec<(u8, StoreError)> {
    let mut failed = Vec::new();
    for (t, request) in threshold_requests(ws, ent, used, period_start, now, metadata) {
        if let Err(e) = store.append(request).await {
            failed.push((t, e));
        }
    }
    failed
}

/// A client's usage record, as received.
#[derive(Debug, Clone, Default)]
pub struct UsageInput {
    pub feature: String,
    /// Raw, so that a fraction or a string is refused by name.
    pub quantity: Option<Value>,
    pub metadata: Map<String, Value>,
    pub usage_id: Option<String>,
}

/// Validates a record's quantity (an integer from 1 to [`MAX_QUANTITY`]; absent means 1).
pub fn quantity(raw: Option<&Value>) -> Result<i64, DomainError> {
    let Some(raw) = raw else { return Ok(1) };
    match raw.as_i64() {
        Some(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(q),
        Some(_) => Err(DomainError::field(
            "quantity",
            format!("must be from 1 to {MAX_QUANTITY}"),
        )),
        None => Err(DomainError::field("quantity", "must be a positive integer")),
    }
}

/// Decides a usage record against the feature's entitlement: the event to append (the store's
/// inline counter then holds a hard limit atomically), or why it cannot be recorded.
pub fn record_usage(
    ws: WorkspaceId,
    key_id: Option<ApiKeyId>,
    ent: &Entitlement,
    input: &UsageInput,
    period_start: DateTime<Utc>,
) -> Result<UsageRecorded, DomainError> {
    let mut v = Validator::new();
    let q = quantity(input.quantity.as_ref());
    if let Err(DomainError::Validation(fields)) = &q {
        for f in fields {
            v.check(false, &f.field, f.message.clone());
        }
    }
    let meta_len = serde_json::to_string(&input.metadata).map_or(usize::MAX, |s| s.len());
    v.check(
        input.metadata.len() <= MAX_METADATA_KEYS && meta_len <= MAX_METADATA_BYTES,
        "metadata",
        format!("at most {MAX_METADATA_KEYS} keys and {MAX_METADATA_BYTES} bytes"),
    );
    if let Some(id) = &input.usage_id {
        v.check(
            (1..=255).contains(&id.len()) && !id.chars().any(char::is_control),
            "usage_id",
            "1 to 255 characters, no control characters",
        );
    }
    v.check(
        ent.kind == EntitlementKind::Metered,
        "feature",
        format!(
            "`{}` is {}, not metered: nothing to record",
            ent.feature,
            ent.kind.as_str()
        ),
    );
    v.finish()?;
    Ok(UsageRecorded {
        workspace_id: ws,
        feature: ent.feature.clone(),
        quantity: q?,
        usage_id: input.usage_id.clone(),
        key_id,
        metadata: input.metadata.clone(),
        period_start,
        limit: ent.limit,
        hard: ent.hard && ent.limit.is_some(),
    })
}

/// An operator's entitlement change, as received (`PUT /api/v1/entitlements/{feature}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntitlementInput {
    pub kind: Option<String>,
    /// Raw, so that a fraction or a string is refused by name; JSON null is unlimited.
    pub limit: Option<Value>,
    pub period: Option<String>,
    pub hard: Option<bool>,
    pub enabled: Option<bool>,
    pub config: Option<Value>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EntitlementCommand {
    Set {
        workspace_id: WorkspaceId,
        feature: String,
        input: EntitlementInput,
    },
    Remove {
        workspace_id: WorkspaceId,
        feature: String,
    },
}

/// The overrides of one workspace (stream `entitlements-<workspace>`), by feature.
pub struct EntitlementsAggregate;

impl Aggregate for EntitlementsAggregate {
    type State = BTreeMap<String, EntitlementSet>;
    type Command = EntitlementCommand;

    fn decide(
        state: &Self::State,
        command: &Self::Command,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            EntitlementCommand::Set {
                workspace_id,
                feature,
                input,
            } => {
                let set = entitlement_set(*workspace_id, feature, input)?;
                if state.get(feature) == Some(&set) {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::EntitlementSet(set)])
            }
            EntitlementCommand::Remove {
                workspace_id,
                feature,
            } => {
                if !state.contains_key(feature) {
                    return Err(DomainError::NotFound("entitlement override"));
                }
                Ok(vec![DomainEvent::EntitlementRemoved(EntitlementRemoved {
                    workspace_id: *workspace_id,
                    feature: feature.clone(),
                })])
            }
        }
    }

    fn evolve(mut state: Self::State, event: &DomainEvent) -> Self::State {
        match event {
            DomainEvent::EntitlementSet(s) => {
                state.insert(s.feature.clone(), s.clone());
            }
            DomainEvent::EntitlementRemoved(r) => {
                state.remove(&r.feature);
            }
            _ => {}
        }
        state
    }
}

fn entitlement_set(
    ws: WorkspaceId,
    feature: &str,
    i: &EntitlementInput,
) -> Result<EntitlementSet, DomainError> {
    let mut v = Validator::new();
    v.check(
        valid_feature(feature),
        "feature",
        "1 to 64 of a-z, 0-9, _ : . -",
    );
    let kind = i.kind.as_deref().and_then(EntitlementKind::parse);
    v.check(kind.is_some(), "type", "must be metered, boolean or static");
    let plan = plan_entitlement(Tier::Free, feature);
    let mut out = EntitlementSet {
        workspace_id: ws,
        feature: feature.to_string(),
        kind: kind.unwrap_or(EntitlementKind::Metered),
        limit: None,
        period: None,
        hard: false,
        enabled: None,
        config: None,
        unit: i.unit.clone(),
    };
    if let Some(u) = &i.unit {
        v.check((1..=32).contains(&u.len()), "unit", "1 to 32 characters");
    }
    match kind {
        Some(EntitlementKind::Metered) => {
            out.limit = match &i.limit {
                None | Some(Value::Null) => None,
                Some(l) => match l.as_i64() {
                    Some(n) if (0..=MAX_LIMIT).contains(&n) => Some(n),
                    _ => {
                        v.check(
                            false,
                            "limit",
                            format!("an integer from 0 to {MAX_LIMIT}, or null for unlimited"),
                        );
                        None
                    }
                },
            };
            let period = match i.period.as_deref() {
                None => plan.as_ref().map(|p| p.period),
                Some(p) => UsagePeriod::parse(p),
            };
            v.check(period.is_some(), "period", "must be day, month or lifetime");
            out.period = period;
            out.hard = i.hard.unwrap_or(true);
            v.check(i.enabled.is_none(), "enabled", "only for boolean features");
            v.check(i.config.is_none(), "config", "only for static features");
        }
        Some(EntitlementKind::Boolean) => {
            v.check(i.enabled.is_some(), "enabled", "required: true or false");
            out.enabled = i.enabled;
            v.check(i.limit.is_none(), "limit", "only for metered features");
            v.check(i.period.is_none(), "period", "only for metered features");
            v.check(i.config.is_none(), "config", "only for static features");
        }
        Some(EntitlementKind::Static) => {
            let len = i
                .config
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok())
                .map_or(0, |s| s.len());
            v.check(
                i.config.is_some() && len <= MAX_CONFIG_BYTES,
                "config",
                format!("required, at most {MAX_CONFIG_BYTES} bytes of JSON"),
            );
            out.config = i.config.clone();
            v.check(i.limit.is_none(), "limit", "only for metered features");
            v.check(i.period.is_none(), "period", "only for metered features");
            v.check(i.enabled.is_none(), "enabled", "only for boolean features");
        }
        None => {}
    }
    v.finish()?;
    Ok(out)
}

/// The workspace's entitlement of `feature`: its override, else its plan's, else none (unknown).
pub fn resolve(
    tier: Tier,
    overrides: &BTreeMap<String, EntitlementSet>,
    feature: &str,
) -> Option<Entitlement> {
    let plan = plan_entitlement(tier, feature);
    match overrides.get(feature) {
        Some(o) => Some(Entitlement {
            feature: feature.to_string(),
            kind: o.kind,
            limit: o.limit,
            period: o
                .period
                .or(plan.as_ref().map(|p| p.period))
                .unwrap_or(UsagePeriod::Month),
            hard: o.hard,
            enabled: o.enabled.unwrap_or(o.kind != EntitlementKind::Boolean),
            config: o.config.clone(),
            unit: o
                .unit
                .clone()
                .or(plan.map(|p| p.unit))
                .unwrap_or_else(|| "units".into()),
            source: "override",
        }),
        None => plan,
    }
}

/// Every feature the workspace has: the built-ins and its overrides, by name.
pub fn all_features(tier: Tier, overrides: &BTreeMap<String, EntitlementSet>) -> Vec<Entitlement> {
    let mut names: Vec<&str> = BUILT_IN.to_vec();
    names.extend(overrides.keys().map(String::as_str));
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|f| resolve(tier, overrides, f))
        .collect()
}

#[cfg(test)]
mod api_call_days {
    use super::*;

    #[test]
    fn api_calls_count_utc_days_whatever_the_workspace_zone_and_other_features_local_ones() {
        let tz: Tz = "Asia/Tokyo".parse().unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-14T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let calls = plan_entitlement(Tier::Pro, "api_calls").unwrap();
        let (start, end) = calls.period_at(now, tz, 1);
        assert_eq!(keel_schemas_ts(start), "2026-11-14T00:00:00Z");
        assert_eq!(
            end.map(keel_schemas_ts).as_deref(),
            Some("2026-11-15T00:00:00Z")
        );
        let mut jobs = calls.clone();
        jobs.feature = "jobs".into();
        let (start, _) = jobs.period_at(now, tz, 1);
        assert_eq!(
            keel_schemas_ts(start),
            "2026-11-14T15:00:00Z",
            "Tokyo's midnight of the 15th"
        );
    }

    fn keel_schemas_ts(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;

    type Test = TestFramework<EntitlementsAggregate>;
    use chrono::TimeZone;
    use serde_json::json;
    use uuid::Uuid;

    fn ws() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(1))
    }

    fn set(feature: &str, input: EntitlementInput) -> EntitlementCommand {
        EntitlementCommand::Set {
            workspace_id: ws(),
            feature: feature.into(),
            input,
        }
    }

    fn metered(limit: i64, period: &str, hard: bool) -> EntitlementInput {
        EntitlementInput {
            kind: Some("metered".into()),
            limit: Some(json!(limit)),
            period: Some(period.into()),
            hard: Some(hard),
            ..Default::default()
        }
    }

    fn set_event(feature: &str, limit: i64, period: UsagePeriod, hard: bool) -> DomainEvent {
        DomainEvent::EntitlementSet(EntitlementSet {
            workspace_id: ws(),
            feature: feature.into(),
            kind: EntitlementKind::Metered,
            limit: Some(limit),
            period: Some(period),
            hard,
            enabled: None,
            config: None,
            unit: None,
        })
    }

    #[test]
    fn an_override_is_an_event_and_setting_the_same_again_is_none() {
        Test::given(vec![])
            .when(set("events", metered(500, "day", true)))
            .then(vec![set_event("events", 500, UsagePeriod::Day, true)]);
        Test::given(vec![set_event("events", 500, UsagePeriod::Day, true)])
            .when(set("events", metered(500, "day", true)))
            .then(vec![]);
        Test::given(vec![])
            .when(EntitlementCommand::Remove {
                workspace_id: ws(),
                feature: "events".into(),
            })
            .then_error(DomainError::NotFound("entitlement override"));
    }

    #[test]
    fn bad_overrides_name_every_field() {
        let DomainError::Validation(fields) = Test::given(vec![])
            .when(set(
                "Bad Name",
                EntitlementInput {
                    kind: Some("metered".into()),
                    limit: Some(json!(1.5)),
                    period: Some("week".into()),
                    enabled: Some(true),
                    ..Default::default()
                },
            ))
            .error()
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["feature", "limit", "period", "enabled"]);
        assert!(matches!(
            Test::given(vec![])
                .when(set(
                    "sso",
                    EntitlementInput {
                        kind: Some("boolean".into()),
                        ..Default::default()
                    }
                ))
                .error(),
            DomainError::Validation(_)
        ));
    }

    #[test]
    fn overrides_win_over_the_plan_and_custom_features_exist_only_as_overrides() {
        let overrides =
            EntitlementsAggregate::fold(&[set_event("events", 7, UsagePeriod::Day, true)]);
        let e = resolve(Tier::Pro, &overrides, "events").unwrap();
        assert_eq!(
            (e.limit, e.period, e.hard, e.source),
            (Some(7), UsagePeriod::Day, true, "override")
        );
        let plan = resolve(Tier::Pro, &overrides, "domains").unwrap();
        assert_eq!((plan.limit, plan.source), (Some(1_000), "plan"));
        assert!(resolve(Tier::Pro, &overrides, "gpu_minutes").is_none());
        let names: Vec<_> = all_features(Tier::Free, &overrides)
            .into_iter()
            .map(|e| e.feature)
            .collect();
        assert_eq!(
            names,
            [
                "api_calls",
                "domains",
                "events",
                "tracking_checker_api_hourly"
            ]
        );
    }

    #[test]
    fn months_run_from_the_anchor_day_at_local_midnight() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Anchor on the 15th; 14 Nov 23:00 UTC is already the 15th in Berlin (UTC+1).
        let (start, end) = period_bounds(UsagePeriod::Month, at("2026-11-14T23:00:00Z"), tz, 15);
        assert_eq!(start, at("2026-11-14T23:00:00Z"));
        assert_eq!(end, Some(at("2026-12-14T23:00:00Z")));
        // One second earlier is the previous period.
        let (start, end) = period_bounds(UsagePeriod::Month, at("2026-11-14T22:59:59Z"), tz, 15);
        assert_eq!(start, at("2026-10-14T22:00:00Z")); // summer time until 25 Oct
        assert_eq!(end, Some(at("2026-11-14T23:00:00Z")));
        // An anchor of 31 falls on the last day of shorter months.
        let (start, end) =
            period_bounds(UsagePeriod::Month, at("2027-02-28T12:00:00Z"), Tz::UTC, 31);
        assert_eq!(start, at("2027-02-28T00:00:00Z"));
        assert_eq!(end, Some(at("2027-03-31T00:00:00Z")));
        let (start, _) = period_bounds(UsagePeriod::Month, at("2027-02-27T12:00:00Z"), Tz::UTC, 31);
        assert_eq!(start, at("2027-01-31T00:00:00Z"));
        // Days, across a DST change (the 25 Oct day is 25 hours long in Berlin).
        let (start, end) = period_bounds(UsagePeriod::Hour, at("2026-10-25T12:34:56Z"), tz, 1);
        assert_eq!(
            (start, end),
            (at("2026-10-25T12:00:00Z"), Some(at("2026-10-25T13:00:00Z")))
        );
        let (start, end) = period_bounds(UsagePeriod::Day, at("2026-10-25T12:00:00Z"), tz, 1);
        assert_eq!(start, at("2026-10-24T22:00:00Z"));
        assert_eq!(end, Some(at("2026-10-25T23:00:00Z")));
        assert_eq!(
            period_bounds(
                UsagePeriod::Lifetime,
                Utc.timestamp_opt(9, 0).unwrap(),
                tz,
                1
            ),
            (DateTime::<Utc>::UNIX_EPOCH, None)
        );
    }

    #[test]
    fn records_validate_quantity_and_metadata_and_carry_the_limit() {
        let ent = plan_entitlement(Tier::Free, "events").unwrap();
        let input = |q: Value| UsageInput {
            feature: "events".into(),
            quantity: Some(q),
            ..Default::default()
        };
        let p = DateTime::<Utc>::UNIX_EPOCH;
        let ok = record_usage(ws(), None, &ent, &input(json!(3)), p).unwrap();
        assert_eq!((ok.quantity, ok.limit, ok.hard), (3, Some(100_000), true));
        for bad in [
            json!(0),
            json!(-1),
            json!(1.5),
            json!("2"),
            json!(MAX_QUANTITY + 1),
        ] {
            assert!(
                record_usage(ws(), None, &ent, &input(bad.clone()), p).is_err(),
                "{bad}"
            );
        }
        let mut big = input(json!(1));
        big.metadata
            .insert("k".into(), json!("x".repeat(MAX_METADATA_BYTES)));
        assert!(record_usage(ws(), None, &ent, &big, p).is_err());
        assert_eq!(reached_thresholds(79, Some(100)), Vec::<u8>::new());
        assert_eq!(reached_thresholds(80, Some(100)), vec![80]);
        assert_eq!(reached_thresholds(150, Some(100)), vec![80, 100]);
        assert_eq!(reached_thresholds(150, None), Vec::<u8>::new());
    }

    fn jobs(limit: Option<i64>) -> Entitlement {
        let mut e = Entitlement::metered("jobs", limit, UsagePeriod::Month, true, "jobs");
        e.source = "override";
        e
    }

    #[test]
    fn a_record_goes_to_a_stream_of_its_own_expecting_nothing() {
        let at = Utc.with_ymd_and_hms(2027, 1, 5, 12, 0, 0).unwrap();
        let record = record_api_calls(ws(), ApiKeyId(Uuid::from_u128(7)), 12, &jobs(Some(100)), at);
        assert!(!record.hard, "the server's own calls are never refused");
        let id = EventId(Uuid::from_u128(9));
        let r = record_request(record, id, at, Metadata::system());
        assert_eq!(
            r.stream_id,
            StreamId::usage(ws(), &id.0.simple().to_string())
        );
        assert_eq!(r.expected, ExpectedVersion::Any);
        assert!(matches!(&r.events[0].event, DomainEvent::UsageRecorded(u) if u.quantity == 12));
    }

    #[test]
    fn thresholds_are_asked_once_per_period_with_ids_anyone_would_derive() {
        let start = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let now = start + Duration::days(3);
        let ask = |used| {
            threshold_requests(
                ws(),
                &jobs(Some(100)),
                used,
                start,
                now,
                &Metadata::system(),
            )
        };
        assert!(ask(79).is_empty());
        let at_80: Vec<u8> = ask(80).iter().map(|(t, _)| *t).collect();
        assert_eq!(at_80, [80]);
        let at_100 = ask(100);
        assert_eq!(
            at_100.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            [80, 100]
        );
        // Whoever crosses 80 % asks for the same event: the store keeps it once.
        assert_eq!(
            ask(80)[0].1.events[0].event_id,
            at_100[0].1.events[0].event_id
        );
        // Unlimited features have no thresholds.
        assert!(
            threshold_requests(ws(), &jobs(None), 1_000, start, now, &Metadata::system())
                .is_empty()
        );
    }
}
