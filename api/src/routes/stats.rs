//! `/api/v1/sites/{id}/stats/*`: aggregate, time series and breakdown of a site's analytics.
//! See `keel_projections::stats` for what every metric counts.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{query_pairs, wait_for_position};
use crate::routes::analytics::load_site;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use keel_commands::{DomainError, FieldError};
use keel_events::SiteId;
use keel_projections::analytics::DIMENSIONS;
use keel_projections::stats::{
    self, buckets, compute, local_midnight, Acc, Filter, Grouping, Interval, Op, Revenue,
    StatsQuery,
};
use keel_projections::Projection;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Every metric, in the order responses list them.
pub use keel_events::analytics::METRICS;
/// Metrics a breakdown row can carry (`conversion_rate` only by `goal`).
const BREAKDOWN_METRICS: [&str; 7] = [
    "visitors",
    "visits",
    "pageviews",
    "bounce_rate",
    "visit_duration",
    "events",
    "conversion_rate",
];
/// Shown for a dimension that has no value (no UTM campaign, no known country).
pub const NONE_VALUE: &str = "(none)";
const MAX_RANGE_DAYS: i64 = 3 * 366;

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Domain(DomainError::Validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }]))
}

pub(crate) struct Params {
    pub(crate) pairs: Vec<(String, String)>,
}

impl Params {
    /// `limit` (default 50, clamped to 1..=1000) and `offset` (≥ 0) of a paginated answer.
    pub(crate) fn page(&self) -> Result<(i64, i64), ApiError> {
        self.page_or(crate::http::DEFAULT_LIMIT)
    }

    /// [`Params::page`] with another default size.
    pub(crate) fn page_or(&self, default: i64) -> Result<(i64, i64), ApiError> {
        let limit = match self.get("limit") {
            Some(l) => l.parse::<i64>().ok().filter(|l| *l >= 1).ok_or_else(|| {
                ApiError::BadRequest("`limit` must be an integer of at least 1".into())
            })?,
            None => default,
        };
        let offset = match self.get("offset") {
            Some(o) => o.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(|| {
                ApiError::BadRequest("`offset` must be a non-negative integer".into())
            })?,
            None => 0,
        };
        Ok((limit.clamp(1, crate::http::MAX_LIMIT), offset))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

pub(crate) enum Bound {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

pub(crate) fn parse_bound(field: &str, raw: &str) -> Result<Bound, ApiError> {
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(Bound::Date(d));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| Bound::Instant(t.with_timezone(&Utc)))
        .map_err(|_| invalid(field, "must be a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// The query's range, time zone and default interval.
pub(crate) fn range(p: &Params, site_tz: &str) -> Result<(StatsQuery, Interval, String), ApiError> {
    let tz_name = p.get("timezone").unwrap_or(site_tz).to_string();
    let tz: Tz = tz_name.parse().map_err(|_| {
        invalid(
            "timezone",
            "must be an IANA time zone such as Europe/Berlin",
        )
    })?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let day = |d: NaiveDate| local_midnight(tz, d).timestamp_millis();
    let (from, to, interval, period) = match (p.get("from"), p.get("to")) {
        (Some(f), Some(t)) => {
            let from = match parse_bound("from", f)? {
                Bound::Date(d) => day(d),
                Bound::Instant(i) => i.timestamp_millis(),
            };
            let to = match parse_bound("to", t)? {
                Bound::Date(d) => day(d + Duration::days(1)),
                Bound::Instant(i) => i.timestamp_millis(),
            };
            (from, to, Interval::Day, "custom")
        }
        (Some(_), None) => return Err(invalid("to", "is required with from")),
        (None, Some(_)) => return Err(invalid("from", "is required with to")),
        (None, None) => {
            let period = p.get("period").unwrap_or("30d");
            let month_start =
                |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
            let next_month = |d: NaiveDate| month_start(month_start(d) + Duration::days(32));
            match period {
                "today" => (
                    day(today),
                    day(today + Duration::days(1)),
                    Interval::Hour,
                    "today",
                ),
                "7d" => (
                    day(today - Duration::days(6)),
                    day(today + Duration::days(1)),
                    Interval::Day,
                    "7d",
                ),
                "30d" => (
                    day(today - Duration::days(29)),
                    day(today + Duration::days(1)),
                    Interval::Day,
                    "30d",
                ),
                "month" => (
                    day(month_start(today)),
                    day(next_month(today)),
                    Interval::Day,
                    "month",
                ),
                "12mo" => {
                    let mut start = month_start(today);
                    for _ in 0..11 {
                        start = month_start(start - Duration::days(1));
                    }
                    (day(start), day(next_month(today)), Interval::Month, "12mo")
                }
                _ => {
                    return Err(invalid(
                        "period",
                        "must be today, 7d, 30d, month or 12mo (or give from and to)",
                    ))
                }
            }
        }
    };
    if to <= from {
        return Err(invalid("to", "must be after from"));
    }
    if to - from > MAX_RANGE_DAYS * 86_400_000 {
        return Err(invalid(
            "to",
            format!("a range may span at most {MAX_RANGE_DAYS} days"),
        ));
    }
    let filters = match p.get("filters") {
        Some(raw) => parse_filters(raw)?,
        None => Vec::new(),
    };
    Ok((
        StatsQuery {
            site_id: String::new(),
            from,
            to,
            tz,
            filters,
        },
        interval,
        period.to_string(),
    ))
}

fn dimension(field: &str, raw: &str) -> Result<&'static str, ApiError> {
    DIMENSIONS
        .iter()
        .find(|d| **d == raw)
        .copied()
        .ok_or_else(|| {
            invalid(
                field,
                format!(
                    "unknown dimension `{raw}`; one of {}",
                    DIMENSIONS.join(", ")
                ),
            )
        })
}

/// `[["is", "source", ["Google", "Bing"]], ["contains", "page", ["/blog"]]]`: every filter must
/// hold; the values of one filter are alternatives.
pub fn parse_filters(raw: &str) -> Result<Vec<Filter>, ApiError> {
    let shape = "must be a JSON array of [operator, dimension, [values]] with operator is, is_not or contains";
    let v: Value = serde_json::from_str(raw).map_err(|_| invalid("filters", shape))?;
    let items = v.as_array().ok_or_else(|| invalid("filters", shape))?;
    let mut out = Vec::new();
    for f in items {
        let parts = f
            .as_array()
            .filter(|a| a.len() == 3)
            .ok_or_else(|| invalid("filters", shape))?;
        let op = match parts[0].as_str() {
            Some("is") => Op::Is,
            Some("is_not") => Op::IsNot,
            Some("contains") => Op::Contains,
            _ => return Err(invalid("filters", shape)),
        };
        let dim = dimension("filters", parts[1].as_str().unwrap_or(""))?;
        let values: Vec<String> = parts[2]
            .as_array()
            .ok_or_else(|| invalid("filters", shape))?
            .iter()
            .map(|x| {
                x.as_str().map(|s| {
                    if s == NONE_VALUE {
                        String::new()
                    } else {
                        s.to_string()
                    }
                })
            })
            .collect::<Option<_>>()
            .ok_or_else(|| invalid("filters", "filter values must be strings"))?;
        if values.is_empty() || values.len() > 100 {
            return Err(invalid("filters", "a filter needs 1 to 100 values"));
        }
        out.push(Filter { op, dim, values });
    }
    Ok(out)
}

fn metrics(p: &Params, allowed: &[&'static str]) -> Result<Vec<&'static str>, ApiError> {
    match p.get("metrics") {
        None => Ok(allowed.to_vec()),
        Some(raw) => raw
            .split(',')
            .map(|m| {
                allowed
                    .iter()
                    .find(|a| **a == m.trim())
                    .copied()
                    .ok_or_else(|| {
                        invalid(
                            "metrics",
                            format!("unknown metric `{m}`; one of {}", allowed.join(", ")),
                        )
                    })
            })
            .collect(),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn ratio(n: i64, d: i64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// One group's metrics: those asked for with `metrics=` (absent ones are left out).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Metrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pageviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub views_per_visit: Option<f64>,
    /// Percent of visits with one pageview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounce_rate: Option<i64>,
    /// Mean seconds per visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<i64>,
    /// Visitors who completed the goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversions: Option<u64>,
    /// Percent of the unfiltered visitors who converted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_rate: Option<f64>,
    /// Per currency (ISO 4217).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<BTreeMap<String, Revenue>>,
    /// Net revenue per payment, per currency, in minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_order_value: Option<BTreeMap<String, i64>>,
}

impl Metrics {
    /// One metric by name (dashboards' widgets chart one).
    pub fn get(&self, name: &str) -> Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get(name).cloned())
            .unwrap_or(Value::Null)
    }
}

/// The metrics of one group. `base_visitors` is the denominator of conversion rates.
pub(crate) fn metric_values(
    a: &Acc,
    wanted: &[&str],
    base_visitors: u64,
    revenue: Option<&BTreeMap<String, Revenue>>,
) -> Metrics {
    let mut m = Metrics::default();
    let visitors = a.visitors.count();
    for w in wanted {
        match *w {
            "visitors" => m.visitors = Some(visitors),
            "visits" => m.visits = Some(a.visits),
            "pageviews" => m.pageviews = Some(a.pageviews),
            "views_per_visit" => m.views_per_visit = Some(round2(ratio(a.pageviews, a.visits))),
            "bounce_rate" => {
                m.bounce_rate = Some((ratio(a.bounces, a.visits) * 100.0).round() as i64)
            }
            "visit_duration" => {
                m.visit_duration = Some((ratio(a.duration_ms, a.visits) / 1000.0).round() as i64)
            }
            "events" => m.events = Some(a.events),
            "conversions" => m.conversions = Some(a.converters.count()),
            "conversion_rate" => {
                m.conversion_rate = Some(round2(
                    ratio(a.converters.count() as i64, base_visitors as i64) * 100.0,
                ))
            }
            "revenue" => m.revenue = Some(revenue.cloned().unwrap_or_default()),
            "average_order_value" => {
                m.average_order_value = Some(
                    revenue
                        .map(|r| {
                            r.iter()
                                .map(|(c, x)| (c.clone(), ratio(x.net, x.count).round() as i64))
                                .collect()
                        })
                        .unwrap_or_default(),
                )
            }
            _ => {}
        }
    }
    m
}

/// One bucket of a time series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesRow {
    /// The bucket: `2026-11-01`, `2026-11-01 13:00`, a week's Monday, or `2026-11`.
    pub date: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// One group of a breakdown: the dimension's value under the dimension's name (`"page": "/a"`),
/// and its metrics.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreakdownRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub group: BTreeMap<&'static str, String>,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// What an analytics answer covers and where it came from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatsMeta {
    /// The period asked for (`7d`, `30d`, `month`, `custom`, …).
    pub period: String,
    pub from: String,
    pub to: String,
    pub timezone: String,
    /// rollups or events
    pub source: &'static str,
    /// Time series only: hour, day, week or month.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub interval: Option<&'static str>,
    /// Breakdowns only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub dimension: Option<&'static str>,
    /// Funnels only: how long a visitor has from one step to the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub window_minutes: Option<i64>,
    /// Breakdowns only: groups in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub total_count: Option<i64>,
    /// Breakdowns only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub limit: Option<i64>,
    /// Breakdowns only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub offset: Option<i64>,
    /// Breakdowns only: the next page's URL, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub next: Option<Option<String>>,
    /// Breakdowns only: the previous page's URL, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub previous: Option<Option<String>>,
}

/// An analytics answer: `data` and `meta`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsAnswer<T> {
    pub status: crate::http::Success,
    pub data: T,
    pub meta: StatsMeta,
    /// With `compare`: the same query over the comparison range.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub comparison: Option<Comparison<T>>,
}

/// The comparison range's answer, and the change of each figure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Comparison<T> {
    /// `previous_period` (the range just before, as long) or `year_over_year`.
    pub mode: String,
    pub from: String,
    pub to: String,
    pub data: T,
    /// Per metric: the change in percent (rates: in points), null when the comparison is 0;
    /// for a time series, totals over the range.
    #[schema(value_type = Object)]
    pub change: BTreeMap<String, Value>,
}

/// The change from `then` to `now` of one figure: percent, or points for rates.
pub(crate) fn change(metric: &str, now: &Value, then: &Value) -> Value {
    let (Some(a), Some(b)) = (now.as_f64(), then.as_f64()) else {
        return Value::Null;
    };
    if matches!(metric, "bounce_rate" | "conversion_rate" | "percentage") {
        return serde_json::json!(((a - b) * 100.0).round() / 100.0);
    }
    if b == 0.0 {
        return Value::Null;
    }
    serde_json::json!(((a - b) / b * 100.0).round() as i64)
}

/// The range to compare with: the one just before, as long, or the same a year earlier.
pub(crate) fn compared_range(mode: &str, from: i64, to: i64, tz: Tz) -> Option<(i64, i64)> {
    match mode {
        "previous_period" => Some((from - (to - from), from)),
        "year_over_year" => {
            let shift = |ms: i64| {
                DateTime::<Utc>::from_timestamp_millis(ms)
                    .and_then(|t| {
                        t.with_timezone(&tz)
                            .checked_sub_months(chrono::Months::new(12))
                    })
                    .map_or(ms, |t| t.timestamp_millis())
            };
            Some((shift(from), shift(to)))
        }
        _ => None,
    }
}

/// The `compare` parameter: the mode and the comparison's query, if asked for.
fn comparison_query(ctx: &Ctx) -> Result<Option<(String, StatsQuery)>, ApiError> {
    let Some(mode) = ctx.params.get("compare") else {
        return Ok(None);
    };
    let (from, to) = compared_range(mode, ctx.q.from, ctx.q.to, ctx.q.tz)
        .ok_or_else(|| invalid("compare", "must be previous_period or year_over_year"))?;
    Ok(Some((
        mode.to_string(),
        StatsQuery {
            from,
            to,
            ..ctx.q.clone()
        },
    )))
}

fn stamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(keel_schemas::format_ts)
        .unwrap_or_default()
}

pub(crate) struct Ctx {
    pub(crate) q: StatsQuery,
    pub(crate) interval: Interval,
    pub(crate) period: String,
    pub(crate) params: Params,
}

pub(crate) async fn context(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
) -> Result<Ctx, ApiError> {
    let ws = caller.workspace(req, state).await?;
    let id: SiteId = raw_id.parse().map_err(|_| ApiError::NotFound("site"))?;
    let site = load_site(state, ws, id)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    wait_for_position(req, state, Projection::Analytics).await?;
    let params = Params {
        pairs: query_pairs(req),
    };
    let (mut q, default_interval, period) = range(&params, &site.timezone)?;
    q.site_id = site.id.to_string();
    let interval = match params.get("interval") {
        None => default_interval,
        Some("hour") => Interval::Hour,
        Some("day") => Interval::Day,
        Some("week") => Interval::Week,
        Some("month") => Interval::Month,
        Some(_) => return Err(invalid("interval", "must be hour, day, week or month")),
    };
    if interval == Interval::Hour && q.to - q.from > 31 * 86_400_000 {
        return Err(invalid("interval", "hourly series span at most 31 days"));
    }
    Ok(Ctx {
        q,
        interval,
        period,
        params,
    })
}

pub(crate) fn meta(ctx: &Ctx, source: stats::Source) -> StatsMeta {
    let ts = |ms: i64| {
        DateTime::<Utc>::from_timestamp_millis(ms)
            .map(keel_schemas::format_ts)
            .unwrap_or_default()
    };
    StatsMeta {
        period: ctx.period.clone(),
        from: ts(ctx.q.from),
        to: ts(ctx.q.to),
        timezone: ctx.q.tz.name().to_string(),
        source: source.as_str(),
        interval: None,
        dimension: None,
        window_minutes: None,
        total_count: None,
        limit: None,
        offset: None,
        next: None,
        previous: None,
    }
}

/// The query without its goal filters: the base that conversion rates divide by.
fn without_goals(q: &StatsQuery) -> Option<StatsQuery> {
    q.filters
        .iter()
        .any(|f| f.dim == "goal")
        .then(|| StatsQuery {
            filters: q
                .filters
                .iter()
                .filter(|f| f.dim != "goal")
                .cloned()
                .collect(),
            ..q.clone()
        })
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/stats/aggregate", tag = "analytics",
    params(("id" = String, Path, description = "site id"), crate::openapi::StatsQueryParams),
    responses((status = 200, description = "the metrics asked for, over the whole range", body = StatsAnswer<Metrics>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn aggregate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = context(&req, &state, &caller, &path).await?;
    let wanted = metrics(&ctx.params, &METRICS)?;
    let compare = comparison_query(&ctx)?;
    let (data, source) = totals(&state, &ctx.q, &wanted).await?;
    let comparison = match compare {
        Some((mode, q)) => {
            let (then, _) = totals(&state, &q, &wanted).await?;
            let change = wanted
                .iter()
                .map(|m| (m.to_string(), change(m, &data.get(m), &then.get(m))))
                .collect();
            Some(Comparison {
                mode,
                from: stamp(q.from),
                to: stamp(q.to),
                data: then,
                change,
            })
        }
        None => None,
    };
    Ok(HttpResponse::Ok().json(StatsAnswer {
        status: crate::http::Success::Ok,
        data,
        meta: meta(&ctx, source),
        comparison,
    }))
}

/// [`compute`], unless it needs raw hits from before the retention horizon: then a 422 that
/// says so (rollups answer unfiltered queries of whole hours at any age).
async fn answer(
    state: &AppState,
    q: &StatsQuery,
    grouping: Grouping,
) -> Result<(BTreeMap<String, stats::Acc>, stats::Source), ApiError> {
    if !stats::rollups_answer(q) {
        check_raw_window(state, "period", q.from).await?;
    }
    Ok(compute(&state.db, q, grouping).await?)
}

/// A 422 on `field` when raw hits from `from` (ms) on are no longer all kept.
pub async fn check_raw_window(state: &AppState, field: &str, from: i64) -> Result<(), ApiError> {
    match keel_infra::retention::raw_since(&state.db).await? {
        Some(since) if from < since => Err(invalid(
            field,
            format!(
                "raw hits before {} are no longer kept (KEEL_ANALYTICS_RAW_RETENTION_DAYS = {}), \
                 and this query needs them: start the range later, or drop the filters and \
                 dimensions that rollups cannot answer",
                keel_schemas::format_ts(DateTime::from_timestamp_millis(since).unwrap_or_default()),
                state.config.analytics_raw_retention_days
            ),
        )),
        _ => Ok(()),
    }
}

/// The metrics asked for over a whole range.
async fn totals(
    state: &AppState,
    q: &StatsQuery,
    wanted: &[&str],
) -> Result<(Metrics, stats::Source), ApiError> {
    let (groups, source) = answer(state, q, Grouping::Total).await?;
    let total = groups.get("").cloned().unwrap_or_default();
    let base = match without_goals(q) {
        Some(q) => answer(state, &q, Grouping::Total)
            .await?
            .0
            .get("")
            .map_or(0, |a| a.visitors.count()),
        None => total.visitors.count(),
    };
    let revenue = if wanted
        .iter()
        .any(|m| m.contains("revenue") || *m == "average_order_value")
    {
        stats::revenue(&state.db, q, None).await?
    } else {
        BTreeMap::new()
    };
    Ok((metric_values(&total, wanted, base, revenue.get("")), source))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/stats/timeseries", tag = "analytics",
    params(("id" = String, Path, description = "site id"), crate::openapi::StatsQueryParams,
        ("interval" = Option<String>, Query, description = "hour, day, week or month")),
    responses((status = 200, description = "every bucket of the range, with the metrics asked for", body = StatsAnswer<Vec<SeriesRow>>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn timeseries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = context(&req, &state, &caller, &path).await?;
    let wanted = metrics(&ctx.params, &METRICS)?;
    let compare = comparison_query(&ctx)?;
    let (data, source) = series(&state, &ctx.q, ctx.interval, &wanted).await?;
    // The comparison's buckets, in order beside this range's; changes of the range's totals.
    let comparison = match compare {
        Some((mode, q)) => {
            let (then, _) = series(&state, &q, ctx.interval, &wanted).await?;
            let (now_total, _) = totals(&state, &ctx.q, &wanted).await?;
            let (then_total, _) = totals(&state, &q, &wanted).await?;
            let change = wanted
                .iter()
                .map(|m| {
                    (
                        m.to_string(),
                        change(m, &now_total.get(m), &then_total.get(m)),
                    )
                })
                .collect();
            Some(Comparison {
                mode,
                from: stamp(q.from),
                to: stamp(q.to),
                data: then,
                change,
            })
        }
        None => None,
    };
    let mut meta = meta(&ctx, source);
    meta.interval = Some(match ctx.interval {
        Interval::Hour => "hour",
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    });
    Ok(HttpResponse::Ok().json(StatsAnswer {
        status: crate::http::Success::Ok,
        data,
        meta,
        comparison,
    }))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/stats/breakdown", tag = "analytics",
    params(("id" = String, Path, description = "site id"), crate::openapi::StatsQueryParams,
        ("dimension" = String, Query, description = "page, source, utm_source, utm_medium, utm_campaign, country, device, browser or goal"),
        ("sort" = Option<String>, Query, description = "`-visitors` (default), `-pageviews`, `-visits`, `-events` or `value`"),
        ("limit" = Option<i64>, Query, description = "rows per page, default 50, at most 1000"),
        ("offset" = Option<i64>, Query, description = "rows to skip")),
    responses((status = 200, description = "one row per value of the dimension, under the dimension's name (`\"page\": \"/a\"`), with the metrics asked for", body = StatsAnswer<Vec<BreakdownRow>>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn breakdown(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = context(&req, &state, &caller, &path).await?;
    let dim = dimension(
        "dimension",
        ctx.params
            .get("dimension")
            .or_else(|| ctx.params.get("property"))
            .ok_or_else(|| invalid("dimension", "is required"))?,
    )?;
    let allowed: Vec<&'static str> = BREAKDOWN_METRICS
        .iter()
        .copied()
        .filter(|m| *m != "conversion_rate" || dim == "goal")
        .filter(|m| dim != "goal" || matches!(*m, "visitors" | "events" | "conversion_rate"))
        .collect();
    let wanted = metrics(&ctx.params, &allowed)?;
    let (groups, source) = answer(&state, &ctx.q, Grouping::By(dim)).await?;
    let base = if dim == "goal" {
        let q = without_goals(&ctx.q).unwrap_or_else(|| ctx.q.clone());
        answer(&state, &q, Grouping::Total)
            .await?
            .0
            .get("")
            .map_or(0, |a| a.visitors.count())
    } else {
        0
    };
    let sort = ctx.params.get("sort").unwrap_or("-visitors");
    let key = |a: &Acc| -> i64 {
        match sort.trim_start_matches('-') {
            "pageviews" => a.pageviews,
            "visits" => a.visits,
            "events" => a.events,
            _ => a.visitors.count() as i64,
        }
    };
    if !matches!(
        sort,
        "-visitors"
            | "visitors"
            | "-pageviews"
            | "pageviews"
            | "-visits"
            | "visits"
            | "-events"
            | "events"
            | "value"
            | "-value"
    ) {
        return Err(invalid(
            "sort",
            "must be one of -visitors, -pageviews, -visits, -events, value",
        ));
    }
    let mut rows: Vec<(String, Acc, i64)> = groups
        .into_iter()
        .map(|(v, a)| {
            let k = key(&a);
            (v, a, k)
        })
        .collect();
    let desc = sort.starts_with('-');
    rows.sort_by(|a, b| {
        let by_value = a.0.cmp(&b.0);
        if sort.ends_with("value") {
            if desc {
                by_value.reverse()
            } else {
                by_value
            }
        } else {
            let o = a.2.cmp(&b.2);
            (if desc { o.reverse() } else { o }).then(by_value)
        }
    });
    let (limit, offset) = ctx.params.page()?;
    let total = rows.len() as i64;
    let data: Vec<BreakdownRow> = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(value, a, _)| BreakdownRow {
            group: BTreeMap::from([(
                dim,
                if value.is_empty() {
                    NONE_VALUE.to_string()
                } else {
                    value
                },
            )]),
            metrics: metric_values(&a, &wanted, base, None),
        })
        .collect();
    let link = |off: i64| {
        let mut pairs: Vec<(String, String)> = ctx
            .params
            .pairs
            .iter()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .cloned()
            .collect();
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), off.to_string()));
        crate::http::link(&req, pairs)
    };
    let mut meta = meta(&ctx, source);
    meta.dimension = Some(dim);
    meta.total_count = Some(total);
    meta.limit = Some(limit);
    meta.offset = Some(offset);
    meta.next =
        Some((offset.saturating_add(limit) < total).then(|| link(offset.saturating_add(limit))));
    meta.previous = Some((offset > 0).then(|| link((offset - limit).max(0))));
    Ok(HttpResponse::Ok().json(StatsAnswer {
        status: crate::http::Success::Ok,
        data,
        meta,
        comparison: None,
    }))
}

/// Every bucket of the range with the `wanted` metrics (the time series; also dashboards' widgets).
pub(crate) async fn series(
    state: &AppState,
    q: &StatsQuery,
    interval: Interval,
    wanted: &[&str],
) -> Result<(Vec<SeriesRow>, stats::Source), ApiError> {
    let grouping = Grouping::Series(interval);
    let (groups, source) = answer(state, q, grouping).await?;
    let base = match without_goals(q) {
        Some(q) => Some(answer(state, &q, grouping).await?.0),
        None => None,
    };
    let revenue = if wanted
        .iter()
        .any(|m| m.contains("revenue") || *m == "average_order_value")
    {
        stats::revenue(&state.db, q, Some(interval)).await?
    } else {
        BTreeMap::new()
    };
    let empty = Acc::default();
    let data = buckets(q, interval)
        .into_iter()
        .map(|label| {
            let a = groups.get(&label).unwrap_or(&empty);
            let b = base.as_ref().map_or(a.visitors.count(), |b| {
                b.get(&label).map_or(0, |x| x.visitors.count())
            });
            SeriesRow {
                metrics: metric_values(a, wanted, b, revenue.get(&label)),
                date: label,
            }
        })
        .collect();
    Ok((data, source))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sites/{id}/stats/aggregate").route(web::get().to(aggregate)))
        .service(web::resource("/sites/{id}/stats/timeseries").route(web::get().to(timeseries)))
        .service(web::resource("/sites/{id}/stats/breakdown").route(web::get().to(breakdown)));
}
