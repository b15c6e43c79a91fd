//! `/api/v1/entitlements`: what a workspace may use, recording usage against it (hard limits held
//! exactly by the store's inline counters), checks and the per-feature summary.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{json_body, POSITION_HEADER};
use crate::routes::command_meta;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use keel_commands::usage::{
    self, all_features, resolve, usage_event_uuid, Entitlement, EntitlementCommand,
    EntitlementInput, EntitlementsAggregate, UsageInput,
};
use keel_commands::workspace::WorkspaceAggregate;
use keel_commands::{execute, Aggregate, DomainError, EventStore, Execution};
use keel_events::usage::EntitlementKind;
use keel_events::{DomainEvent, EventId, StreamId, Tier, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What the usage rules need to know about a workspace.
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) tier: Tier,
    pub(crate) tz: Tz,
    /// Day of month the billing period starts (the day the workspace was created, locally).
    pub(crate) anchor_day: u32,
    pub(crate) overrides: BTreeMap<String, keel_events::usage::EntitlementSet>,
}

pub(crate) async fn account(state: &AppState, ws: WorkspaceId) -> Result<Account, ApiError> {
    account_at(state, ws, None).await
}

/// The account as it was at `at` (its events recorded up to then), or as it is.
async fn account_at(
    state: &AppState,
    ws: WorkspaceId,
    at: Option<DateTime<Utc>>,
) -> Result<Account, ApiError> {
    account_in(&state.store, ws, at).await
}

/// [`account_at`] from a store (the alert worker has no API state).
pub(crate) async fn account_in(
    store: &keel_infra::store::SqlStore,
    ws: WorkspaceId,
    at: Option<DateTime<Utc>>,
) -> Result<Account, ApiError> {
    let until = |e: &keel_events::RecordedEvent| at.is_none_or(|t| e.recorded_at <= t);
    let mut history = store.read_stream(&StreamId::workspace(ws)).await?;
    history.retain(until);
    let w = WorkspaceAggregate::fold(history.iter().map(|e| &e.event))
        .filter(|w| !w.deleted)
        .ok_or(ApiError::NotFound("workspace"))?;
    let tz: Tz = w.settings.timezone.parse().unwrap_or(Tz::UTC);
    let anchor_day = history
        .first()
        .map_or(1, |e| e.occurred_at.with_timezone(&tz).day());
    let mut overrides = store.read_stream(&StreamId::entitlements(ws)).await?;
    overrides.retain(until);
    Ok(Account {
        tier: w.tier,
        tz,
        anchor_day,
        overrides: EntitlementsAggregate::fold(overrides.iter().map(|e| &e.event)),
    })
}

/// How long an ingest meter trusts a workspace's plan: a tier or override change counts from
/// at most this long after it.
const ACCOUNT_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Counts a hit (pageview, custom event, goal) against the workspace's `events` entitlement in
/// the month it is ingested in: the store's ledger counts it with its batch, and refuses it past
/// a hard limit (the free plan's). Other visitor events count nothing.
pub(crate) async fn meter_events(
    state: &AppState,
    mut request: keel_commands::AppendRequest,
) -> Result<keel_commands::AppendRequest, ApiError> {
    if !request.events.iter().any(|e| e.event.hit().is_some()) {
        return Ok(request);
    }
    let ws = request.tenant_id;
    let cached = state
        .accounts
        .get(&ws)
        .filter(|e| e.0.elapsed() < ACCOUNT_TTL)
        .map(|e| e.1.clone());
    let acc = match cached {
        Some(a) => a,
        None => {
            let a = std::sync::Arc::new(account(state, ws).await?);
            state
                .accounts
                .insert(ws, (std::time::Instant::now(), a.clone()));
            a
        }
    };
    let Some(ent) = resolve(acc.tier, &acc.overrides, "events") else {
        return Ok(request);
    };
    let (start, _) = ent.period_at(state.config.clock.now(), acc.tz, acc.anchor_day);
    request.meter = Some(keel_commands::Meter {
        feature: ent.feature.clone(),
        period_start: start,
        quantity: request
            .events
            .iter()
            .filter(|e| e.event.hit().is_some())
            .count() as i64,
        limit: ent.limit,
        hard: ent.hard,
    });
    Ok(request)
}

pub(crate) fn feature_of(acc: &Account, feature: &str) -> Result<Entitlement, ApiError> {
    resolve(acc.tier, &acc.overrides, feature)
        .ok_or_else(|| DomainError::FeatureNotFound(feature.to_string()).into())
}

/// Current usage of a metered feature in the period containing `now`: (used, start, reset).
async fn used(
    state: &AppState,
    ws: WorkspaceId,
    acc: &Account,
    ent: &Entitlement,
    now: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>, Option<DateTime<Utc>>), ApiError> {
    let (start, end) = ent.period_at(now, acc.tz, acc.anchor_day);
    let used = keel_infra::usage::used(
        &state.db,
        &ws.to_string(),
        &ent.feature,
        start.timestamp_millis(),
    )
    .await?;
    Ok((used, start, end))
}

fn available(limit: Option<i64>, used: i64) -> Option<i64> {
    limit.map(|l| (l - used).max(0))
}

fn ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(keel_schemas::format_ts)
}

/// `{"data": …}` bodies of this module, one named schema each.
macro_rules! data_body {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        #[derive(Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub status: crate::http::Success,
            pub data: $t,
        }
    };
}

/// A usage record as accepted (or found again, for a replayed `usage_id`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UsageRecordView {
    /// Always true: a refused record is an error answer.
    recorded: bool,
    /// A replay of a `usage_id` already recorded: counted once, answered 200.
    duplicate: bool,
    feature: String,
    quantity: i64,
    /// Usage of the feature in the current period, this record included.
    current_usage: i64,
    /// Null: unlimited.
    limit: Option<i64>,
    /// What is left of the limit (never negative); null when unlimited.
    available: Option<i64>,
    period_start: String,
    /// When the period ends; null for lifetime features.
    reset_at: Option<String>,
}
data_body!(UsageRecordBody, UsageRecordView);

/// Whether an amount of a feature may be used now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckView {
    feature: String,
    /// `metered`, `boolean` or `static`.
    #[serde(rename = "type")]
    kind: &'static str,
    allowed: bool,
    /// `LIMIT_EXCEEDED`, `FEATURE_NOT_IN_PLAN`, or null.
    reason: Option<&'static str>,
    /// Metered features only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    current_usage: Option<i64>,
    /// Metered features only; null when unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, required = false)]
    limit: Option<Option<i64>>,
    /// Metered features only; null when unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, required = false)]
    available: Option<Option<i64>>,
    /// Metered features only: whether usage past the limit is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    hard: Option<bool>,
    /// Metered features only; null for lifetime features.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    reset_at: Option<Option<String>>,
    /// Static features only: their value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, required = false)]
    config: Option<Value>,
}
data_body!(CheckBody, CheckView);

/// One feature of the workspace's plan, with its usage in the current period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SummaryRow {
    feature: String,
    #[serde(rename = "type")]
    kind: &'static str,
    unit: String,
    /// `plan` or `override`.
    source: &'static str,
    /// Metered features only, from here to `hard`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    used: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, required = false)]
    limit: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, required = false)]
    available: Option<Option<i64>>,
    /// Used, in percent of the limit, to two decimals; null when unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>, required = false)]
    percentage: Option<Option<f64>>,
    /// `day`, `month` or `lifetime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    period: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    period_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    reset_at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    hard: Option<bool>,
    /// Boolean features only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    enabled: Option<bool>,
    /// Static features only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, required = false)]
    config: Option<Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AsOfMeta {
    /// The instant the summary describes.
    as_of: String,
}

/// The plan's features with their usage; `meta.as_of` with `as_of`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SummaryBody {
    pub status: crate::http::Success,
    data: Vec<SummaryRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    meta: Option<AsOfMeta>,
}

/// The workspace's entitlement of a feature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EntitlementView {
    feature: String,
    #[serde(rename = "type")]
    kind: &'static str,
    limit: Option<i64>,
    period: &'static str,
    hard: bool,
    enabled: bool,
    #[schema(value_type = Option<Object>)]
    config: Option<Value>,
    unit: String,
    /// `plan` or `override`.
    source: &'static str,
}
data_body!(EntitlementBodyView, EntitlementView);

/// Usage recorded by one API key in an interval (`key_id` null: the operator's).
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyQuantity {
    key_id: Option<String>,
    quantity: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    start: String,
    quantity: i64,
    /// With `group_by=key`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    keys: Option<Vec<KeyQuantity>>,
}

/// Usage of a feature per interval, zero-filled.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesView {
    feature: String,
    unit: String,
    /// `hour` or `day`.
    interval: &'static str,
    from: String,
    to: String,
    total: i64,
    points: Vec<SeriesPoint>,
}
data_body!(SeriesBody, SeriesView);

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageBody {
    feature: String,
    /// A positive integer (default 1).
    #[schema(value_type = Option<i64>)]
    quantity: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    metadata: Map<String, Value>,
    /// Your id for this record: a record with an id already seen is counted once, forever.
    usage_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/entitlements/usage", tag = "usage", request_body = UsageBody,
    responses((status = 201, description = "recorded", body = UsageRecordBody),
        (status = 200, description = "a replay of a usage_id already recorded: counted once", body = UsageRecordBody),
        (status = 403, description = "feature_limit_reached: nothing recorded", body = crate::openapi::ErrorBody),
        (status = 404, description = "feature_not_found", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: UsageBody = json_body(body, state.config.max_body_bytes).await?;
    let now = state.config.clock.now();
    let acc = account(&state, ws).await?;
    let ent = feature_of(&acc, &body.feature)?;
    let (start, _) = ent.period_at(now, acc.tz, acc.anchor_day);
    let key_id = match &caller {
        Caller::Key(k) => Some(k.key_id),
        Caller::Operator | Caller::User(_) => None,
    };
    let input = UsageInput {
        feature: body.feature.clone(),
        quantity: body.quantity,
        metadata: body.metadata,
        usage_id: body.usage_id,
    };
    let event = usage::record_usage(ws, key_id, &ent, &input, start)?;
    let event_id = match &input.usage_id {
        Some(u) => EventId(usage_event_uuid(ws, &ent.feature, u)),
        None => Entropy::of(&req).event_ids()(),
    };
    let quantity = event.quantity;
    let stream = StreamId::usage(ws, &event_id.0.simple().to_string());
    let outcome = usage::append_record(
        &state.store,
        event,
        event_id,
        now,
        command_meta(&req, &caller),
    )
    .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(keel_commands::StoreError::EventIdReused(_)) => {
            return Err(DomainError::field(
                "usage_id",
                "already used for a different record of this feature",
            )
            .into())
        }
        Err(e) => return Err(e.into()),
    };
    // Without a usage_id, only a run of this same request (under its Idempotency-Key) draws this
    // event id: its first run committed and was not answered. The answer is the first run's.
    let duplicate = outcome.duplicate && input.usage_id.is_some();
    if duplicate {
        // A replay must be the same record: the first one is in its own stream.
        let first = state.store.read_stream(&stream).await?;
        let same = first.iter().any(|e| {
            matches!(&e.event, DomainEvent::UsageRecorded(u) if u.quantity == quantity && u.feature == ent.feature)
        });
        if !same {
            return Err(DomainError::field(
                "usage_id",
                "already used for a different record of this feature",
            )
            .into());
        }
    }
    let (used, start, reset) = used(&state, ws, &acc, &ent, now).await?;
    if !duplicate {
        let meta = command_meta(&req, &caller);
        for (t, e) in
            usage::append_thresholds(&state.store, ws, &ent, used, start, now, &meta).await
        {
            // The next record past the threshold tries again.
            tracing::warn!(error = %e, feature = %ent.feature, threshold = t, "threshold event not recorded");
        }
    }
    let status = if duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut resp = HttpResponse::build(status);
    if outcome.last_position > 0 {
        resp.insert_header((POSITION_HEADER, outcome.last_position.to_string()));
    }
    Ok(resp.json(UsageRecordBody {
        status: crate::http::Success::Ok,
        data: UsageRecordView {
            recorded: true,
            duplicate,
            feature: ent.feature,
            quantity,
            current_usage: used,
            limit: ent.limit,
            available: available(ent.limit, used),
            period_start: keel_schemas::format_ts(start),
            reset_at: ts(reset),
        },
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    feature: String,
    /// How much would be used (default 1).
    quantity: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/entitlements/check", tag = "usage", params(CheckParams),
    responses((status = 200, description = "whether the amount may be used now, and why not", body = CheckBody),
        (status = 404, description = "feature_not_found", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<CheckParams>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let quantity = match params.quantity.as_deref() {
        None => 1,
        Some(raw) => usage::quantity(Some(
            &raw.trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::Null),
        ))?,
    };
    let now = state.config.clock.now();
    let acc = account(&state, ws).await?;
    let ent = feature_of(&acc, &params.feature)?;
    let mut out = CheckView {
        feature: ent.feature.clone(),
        kind: ent.kind.as_str(),
        allowed: true,
        reason: None,
        current_usage: None,
        limit: None,
        available: None,
        hard: None,
        reset_at: None,
        config: None,
    };
    if !ent.granted() {
        out.allowed = false;
        out.reason = Some("FEATURE_NOT_IN_PLAN");
        return Ok(HttpResponse::Ok().json(CheckBody {
            status: crate::http::Success::Ok,
            data: out,
        }));
    }
    match ent.kind {
        EntitlementKind::Metered => {
            let (used, _, reset) = used(&state, ws, &acc, &ent, now).await?;
            let over = ent.limit.is_some_and(|l| used.saturating_add(quantity) > l);
            out.allowed = !(over && ent.hard);
            out.reason = over.then_some("LIMIT_EXCEEDED");
            out.current_usage = Some(used);
            out.limit = Some(ent.limit);
            out.available = Some(available(ent.limit, used));
            out.hard = Some(ent.hard);
            out.reset_at = Some(ts(reset));
        }
        EntitlementKind::Boolean => {}
        EntitlementKind::Static => {
            out.config = Some(ent.config.clone().unwrap_or(Value::Null));
        }
    }
    Ok(HttpResponse::Ok().json(CheckBody {
        status: crate::http::Success::Ok,
        data: out,
    }))
}

#[utoipa::path(get, path = "/api/v1/entitlements/summary", tag = "usage",
    responses((status = 200, description = "per feature: used, limit, available, percentage, reset_at, unit", body = SummaryBody)))]
pub async fn summary(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let as_of = crate::routes::as_of::param(&req, state.config.clock.now())?;
    let now = as_of.unwrap_or_else(|| state.config.clock.now());
    let acc = account_at(&state, ws, as_of).await?;
    // As of an instant, usage is summed from the log (the counters only know the present).
    let past = match as_of {
        None => None,
        Some(at) => Some(usage_as_of(&state, ws, &acc, at).await?),
    };
    let mut rows = Vec::new();
    for ent in all_features(acc.tier, &acc.overrides) {
        let mut row = SummaryRow {
            feature: ent.feature.clone(),
            kind: ent.kind.as_str(),
            unit: ent.unit.clone(),
            source: ent.source,
            used: None,
            limit: None,
            available: None,
            percentage: None,
            period: None,
            period_start: None,
            reset_at: None,
            hard: None,
            enabled: None,
            config: None,
        };
        match ent.kind {
            EntitlementKind::Metered => {
                let (used, start, reset) = match &past {
                    None => used(&state, ws, &acc, &ent, now).await?,
                    Some(sums) => {
                        let (start, end) = ent.period_at(now, acc.tz, acc.anchor_day);
                        let used = sums
                            .get(&(ent.feature.clone(), start.timestamp_millis()))
                            .copied()
                            .unwrap_or(0);
                        (used, start, end)
                    }
                };
                row.used = Some(used);
                row.limit = Some(ent.limit);
                row.available = Some(available(ent.limit, used));
                row.percentage = Some(match ent.limit {
                    Some(l) if l > 0 => Some((used as f64 * 10_000.0 / l as f64).round() / 100.0),
                    Some(_) => Some(100.0),
                    None => None,
                });
                row.period = Some(ent.period.as_str());
                row.period_start = Some(keel_schemas::format_ts(start));
                row.reset_at = Some(ts(reset));
                row.hard = Some(ent.hard);
            }
            EntitlementKind::Boolean => row.enabled = Some(ent.enabled),
            EntitlementKind::Static => {
                row.config = Some(ent.config.clone().unwrap_or(Value::Null));
            }
        }
        rows.push(row);
    }
    Ok(HttpResponse::Ok().json(SummaryBody {
        status: crate::http::Success::Ok,
        data: rows,
        meta: as_of.map(|at| AsOfMeta {
            as_of: keel_schemas::format_ts(at),
        }),
    }))
}

/// Usage per (feature, period start) recorded up to `at`, in the periods containing `at`.
async fn usage_as_of(
    state: &AppState,
    ws: WorkspaceId,
    acc: &Account,
    at: DateTime<Utc>,
) -> Result<std::collections::HashMap<(String, i64), i64>, ApiError> {
    let earliest = all_features(acc.tier, &acc.overrides)
        .iter()
        .filter(|e| e.kind == EntitlementKind::Metered)
        .map(|e| e.period_at(at, acc.tz, acc.anchor_day).0)
        .min()
        .unwrap_or(at);
    let q = keel_infra::audit::AuditQuery {
        // Records of the usage streams and of domain streams (a domain's place in `domains`).
        event_type: Some("usage.recorded".into()),
        from: Some(keel_schemas::format_ts(earliest)),
        recorded_until: Some(keel_schemas::format_ts(at)),
        ..Default::default()
    };
    let mut sums = std::collections::HashMap::new();
    let mut cursor = None;
    loop {
        let page = keel_infra::audit::read(
            &state.db,
            ws,
            &keel_infra::audit::AuditQuery {
                cursor,
                ..q.clone()
            },
            1000,
        )
        .await?;
        for (_, e) in &page {
            if let DomainEvent::UsageRecorded(u) = &e.event {
                *sums
                    .entry((u.feature.clone(), u.period_start.timestamp_millis()))
                    .or_default() += u.quantity;
            }
        }
        if page.len() < 1000 {
            break;
        }
        cursor = page.last().map(|(c, _)| *c);
    }
    Ok(sums)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntitlementBody {
    /// `metered`, `boolean` or `static`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Metered: the limit per period; null for unlimited.
    #[schema(value_type = Option<i64>)]
    #[serde(default, deserialize_with = "present")]
    limit: Option<Value>,
    /// Metered: `day`, `month` (from the billing anchor day) or `lifetime`.
    period: Option<String>,
    /// Metered: refuse usage past the limit (default true).
    hard: Option<bool>,
    /// Boolean: granted or not.
    enabled: Option<bool>,
    /// Static: any JSON value.
    #[schema(value_type = Option<Object>)]
    config: Option<Value>,
    unit: Option<String>,
}

/// Keeps an explicit `null` (unlimited) apart from an absent field.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn override_exec(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    ws: WorkspaceId,
) -> Execution {
    Execution {
        tenant_id: ws,
        stream_id: StreamId::entitlements(ws),
        expected_version: None,
        metadata: command_meta(req, caller),
        now: state.config.clock.now(),
        new_stream: false,
    }
}

#[utoipa::path(put, path = "/api/v1/entitlements/{feature}", tag = "usage", request_body = EntitlementBody,
    params(("feature" = String, Path, description = "a built-in feature or a custom one")),
    responses((status = 200, description = "the workspace's entitlement of the feature after the change", body = EntitlementBodyView),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: EntitlementBody = json_body(body, state.config.max_body_bytes).await?;
    let feature = path.into_inner();
    let command = EntitlementCommand::Set {
        workspace_id: ws,
        feature: feature.clone(),
        input: EntitlementInput {
            kind: body.kind,
            limit: body.limit,
            period: body.period,
            hard: body.hard,
            enabled: body.enabled,
            config: body.config,
            unit: body.unit,
        },
    };
    let exec = override_exec(&state, &req, &caller, ws);
    let (outcome, _) = execute::<EntitlementsAggregate>(
        &state.store,
        &exec,
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    let acc = account(&state, ws).await?;
    let ent = feature_of(&acc, &feature)?;
    let mut resp = HttpResponse::Ok();
    if outcome.last_position > 0 {
        resp.insert_header((POSITION_HEADER, outcome.last_position.to_string()));
    }
    Ok(resp.json(EntitlementBodyView {
        status: crate::http::Success::Ok,
        data: EntitlementView {
            kind: ent.kind.as_str(),
            limit: ent.limit,
            period: ent.period.as_str(),
            hard: ent.hard,
            enabled: ent.enabled,
            config: ent.config,
            unit: ent.unit,
            source: ent.source,
            feature: ent.feature,
        },
    }))
}

#[utoipa::path(delete, path = "/api/v1/entitlements/{feature}", tag = "usage",
    params(("feature" = String, Path)),
    responses((status = 204, description = "override removed: the plan's entitlement applies again"),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let command = EntitlementCommand::Remove {
        workspace_id: ws,
        feature: path.into_inner(),
    };
    let exec = override_exec(&state, &req, &caller, ws);
    let (outcome, _) = execute::<EntitlementsAggregate>(
        &state.store,
        &exec,
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    let mut resp = HttpResponse::NoContent();
    if outcome.last_position > 0 {
        resp.insert_header((POSITION_HEADER, outcome.last_position.to_string()));
    }
    Ok(resp.finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/usage").route(web::get().to(series)))
        .service(web::resource("/entitlements/usage").route(web::post().to(record)))
        .service(web::resource("/entitlements/check").route(web::get().to(check)))
        .service(web::resource("/entitlements/summary").route(web::get().to(summary)))
        .service(
            web::resource("/entitlements/{feature}")
                .route(web::put().to(put))
                .route(web::delete().to(remove)),
        );
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesParams {
    /// The metered feature.
    feature: String,
    /// RFC 3339; default: `to` minus 30 days (or 48 hours for `interval=hour`).
    from: Option<String>,
    /// RFC 3339; default now.
    to: Option<String>,
    /// `hour` or `day` (days in the workspace's time zone; default).
    interval: Option<String>,
    /// `key`: each point split by the API key that recorded the usage.
    group_by: Option<String>,
}

const MAX_POINTS: i64 = 2_000;

fn parse_at(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| DomainError::field(field, "must be an RFC 3339 time").into())
    })
    .transpose()
}

#[utoipa::path(get, path = "/api/v1/usage", tag = "usage", params(SeriesParams),
    responses((status = 200, description = "usage of the feature per interval, zero-filled, optionally per API key", body = SeriesBody),
        (status = 404, description = "feature_not_found", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn series(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let acc = account(&state, ws).await?;
    let ent = feature_of(&acc, &params.feature)?;
    let hourly = match params.interval.as_deref() {
        None | Some("day") => false,
        Some("hour") => true,
        Some(_) => return Err(DomainError::field("interval", "must be hour or day").into()),
    };
    let by_key = match params.group_by.as_deref() {
        None => false,
        Some("key") => true,
        Some(_) => return Err(DomainError::field("group_by", "must be key").into()),
    };
    let to = parse_at("to", params.to.as_deref())?.unwrap_or_else(|| state.config.clock.now());
    let from = parse_at("from", params.from.as_deref())?.unwrap_or_else(|| {
        to - if hourly {
            chrono::Duration::hours(48)
        } else {
            chrono::Duration::days(30)
        }
    });
    if from >= to {
        return Err(DomainError::field("from", "must be before to").into());
    }
    // Bucket starts: whole UTC hours, or local midnights.
    let mut starts = Vec::new();
    let mut t = if hourly {
        DateTime::from_timestamp_millis(from.timestamp_millis().div_euclid(3_600_000) * 3_600_000)
            .unwrap_or(from)
    } else {
        usage::local_midnight(acc.tz, from.with_timezone(&acc.tz).date_naive())
    };
    while t < to {
        starts.push(t);
        if starts.len() as i64 > MAX_POINTS {
            return Err(DomainError::field(
                "from",
                format!("at most {MAX_POINTS} points; narrow the range or use interval=day"),
            )
            .into());
        }
        t = if hourly {
            t + chrono::Duration::hours(1)
        } else {
            usage::local_midnight(
                acc.tz,
                t.with_timezone(&acc.tz).date_naive() + chrono::Duration::days(1),
            )
        };
    }
    let rows = keel_infra::usage::hourly(
        &state.db,
        &ws.to_string(),
        &ent.feature,
        starts.first().map_or(0, |s| s.timestamp_millis()),
        to.timestamp_millis(),
    )
    .await?;
    let mut totals = vec![0i64; starts.len()];
    let mut keys: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); starts.len()];
    for (hour, k, q) in rows {
        let at = DateTime::from_timestamp_millis(hour).unwrap_or_default();
        let i = starts.partition_point(|s| *s <= at);
        if i == 0 {
            continue;
        }
        totals[i - 1] += q;
        if by_key {
            *keys[i - 1].entry(k).or_default() += q;
        }
    }
    let points: Vec<SeriesPoint> = starts
        .iter()
        .enumerate()
        .map(|(i, s)| SeriesPoint {
            start: keel_schemas::format_ts(*s),
            quantity: totals[i],
            keys: by_key.then(|| {
                keys[i]
                    .iter()
                    .map(|(k, q)| KeyQuantity {
                        key_id: (!k.is_empty()).then(|| k.clone()),
                        quantity: *q,
                    })
                    .collect()
            }),
        })
        .collect();
    Ok(HttpResponse::Ok().json(SeriesBody {
        status: crate::http::Success::Ok,
        data: SeriesView {
            feature: ent.feature,
            unit: ent.unit,
            interval: if hourly { "hour" } else { "day" },
            from: keel_schemas::format_ts(from),
            to: keel_schemas::format_ts(to),
            total: totals.iter().sum::<i64>(),
            points,
        },
    }))
}
