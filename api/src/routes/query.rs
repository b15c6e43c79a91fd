//! `POST /api/v1/sites/{id}/query`: any combination of metrics, dimensions, filters, range,
//! ordering and pagination in one request, modelled on Plausible's Stats API v2 so its users find
//! their way. Answered by `keel_projections::explore` with the definitions of the stats
//! endpoints.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{json_body, wait_for_position};
use crate::routes::analytics::site_of;
use crate::routes::stats::{
    change, compared_range, invalid, metric_values, range, Params, NONE_VALUE,
};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use keel_projections::analytics::{SESSION_DIMS, VISIT_EXTRAS};
use keel_projections::explore::{self, Dim, Filter, Logic, Op, Query};
use keel_projections::stats::{Acc, Interval};
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The metrics a query can ask for.
const QUERY_METRICS: [&str; 10] = [
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "conversions",
    "conversion_rate",
    "percentage",
];
const MAX_LIMIT: i64 = 10_000;
const MAX_DIMENSIONS: usize = 6;

/// A query (Plausible's Stats API v2 shape).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryBody {
    /// The site; optional (the path names it), and if given it must be the path's.
    #[schema(required = false)]
    site_id: Option<String>,
    /// visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration, events,
    /// conversions, conversion_rate, percentage (of the visitors of the same filters).
    metrics: Vec<String>,
    /// `"day"`, `"7d"`, `"30d"`, `"month"`, `"12mo"`, or `["2026-01-01", "2026-01-31"]` (dates in
    /// the site's zone, both included, or RFC 3339 instants). Default `30d`.
    #[serde(default)]
    #[schema(value_type = Object, required = false)]
    date_range: Option<Value>,
    /// Up to six of: `visit:source`, `visit:utm_source`, `visit:utm_medium`,
    /// `visit:utm_campaign`, `visit:country`, `visit:region`, `visit:city`, `visit:device`,
    /// `visit:screen`, `visit:browser`, `visit:browser_version`, `visit:os`, `visit:os_version`,
    /// `visit:utm_content`, `visit:utm_term`, `visit:entry_page`, `visit:exit_page`,
    /// `event:page`, `event:hostname`, `event:goal`, `event:props:<name>`, `time`,
    /// `time:hour`, `time:day`, `time:week`, `time:month`.
    #[serde(default)]
    #[schema(required = false)]
    dimensions: Vec<String>,
    /// Every filter must hold: `[operator, dimension, [values]]` with `is`, `is_not`,
    /// `contains`, `contains_not` (case-insensitive), `matches`, `matches_not` (regular
    /// expressions); the values of one filter are alternatives. Combine them with
    /// `["and", [filters]]`, `["or", [filters]]` and `["not", filter]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, required = false)]
    filters: Vec<Value>,
    /// `[[metric or dimension, "asc" | "desc"], …]`. Default: time ascending, else the first
    /// metric descending; ties by the dimensions ascending.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, required = false)]
    order_by: Vec<Value>,
    #[serde(default)]
    #[schema(required = false)]
    include: Option<IncludeBody>,
    #[serde(default)]
    #[schema(required = false)]
    pagination: Option<PaginationBody>,
    /// An IANA zone for the range and time buckets; default the site's.
    #[schema(required = false)]
    timezone: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncludeBody {
    /// Accepted for Plausible's clients; `meta.total_rows` is always there.
    #[serde(default)]
    #[schema(required = false)]
    total_rows: bool,
    /// Accepted for Plausible's clients; Keel has no imported data.
    #[serde(default)]
    #[schema(required = false)]
    imports: bool,
    /// `{"mode": "previous_period" | "year_over_year"}`: each row also carries the comparison
    /// range's metrics and the change.
    #[serde(default)]
    #[schema(required = false)]
    comparisons: Option<ComparisonBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComparisonBody {
    mode: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaginationBody {
    /// Rows per page, default 10,000 (Plausible's), at most 10,000.
    #[serde(default)]
    #[schema(required = false)]
    limit: Option<i64>,
    #[serde(default)]
    #[schema(required = false)]
    offset: Option<i64>,
}

/// One row: its dimensions' values and its metrics, in the query's orders.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueryRow {
    pub dimensions: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub metrics: Vec<Value>,
    /// With `include.comparisons`: the same group over the comparison range.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub comparison: Option<ComparisonRow>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ComparisonRow {
    pub dimensions: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub metrics: Vec<Value>,
    /// Per metric: the change in percent (rates: in points), null when the comparison is 0.
    #[schema(value_type = Vec<Object>)]
    pub change: Vec<Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueryMeta {
    /// Rows before pagination.
    pub total_rows: i64,
    /// Always `events`: queries read the hits.
    pub source: &'static str,
    /// With comparisons: the comparison range, `[from, to)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub comparison_date_range: Option<[String; 2]>,
}

/// The query as Keel ran it (the range resolved to instants).
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueryEcho {
    pub site_id: String,
    pub metrics: Vec<String>,
    /// `[from, to)`, RFC 3339.
    pub date_range: [String; 2],
    pub dimensions: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub filters: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub order_by: Vec<Value>,
    pub pagination: Pagination,
    pub timezone: String,
    pub include: IncludeEcho,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IncludeEcho {
    pub total_rows: bool,
    pub imports: bool,
    /// The comparison's mode, if any.
    pub comparisons: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub limit: i64,
    pub offset: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueryAnswer {
    pub results: Vec<QueryRow>,
    pub meta: QueryMeta,
    pub query: QueryEcho,
}

fn dimension(raw: &str, default_interval: Interval) -> Result<Dim, String> {
    let bare = raw
        .strip_prefix("visit:")
        .or_else(|| raw.strip_prefix("event:"))
        .unwrap_or(raw);
    if let Some(p) = raw.strip_prefix("event:props:") {
        if p.is_empty() || p.chars().count() > 100 {
            return Err("a property name must be 1 to 100 characters".into());
        }
        return Ok(Dim::Prop(p.to_string()));
    }
    Ok(match raw {
        "time" => Dim::Time(default_interval),
        "time:hour" => Dim::Time(Interval::Hour),
        "time:day" => Dim::Time(Interval::Day),
        "time:week" => Dim::Time(Interval::Week),
        "time:month" => Dim::Time(Interval::Month),
        "event:page" | "page" => Dim::Page,
        "event:goal" | "goal" => Dim::Goal,
        "visit:entry_page" | "entry_page" => Dim::EntryPage,
        "visit:exit_page" | "exit_page" => Dim::ExitPage,
        "event:hostname" | "hostname" => Dim::Hostname,
        _ => match SESSION_DIMS
            .iter()
            .chain(VISIT_EXTRAS.iter())
            .find(|d| **d == bare)
        {
            Some(d) if !raw.starts_with("event:") => Dim::Visit(d),
            _ => {
                return Err(format!(
                    "unknown dimension `{raw}`; one of visit:source, visit:utm_source, \
                     visit:utm_medium, visit:utm_campaign, visit:country, visit:device, \
                     visit:browser, visit:browser_version, visit:os, visit:os_version, \
                     visit:screen, visit:region, visit:city, visit:utm_content, visit:utm_term, visit:entry_page, \
                     visit:exit_page, event:page, event:hostname, event:goal, \
                     event:props:<name>, time, time:hour, time:day, time:week, time:month"
                ))
            }
        },
    })
}

/// A group's share of the visitors, in percent, two decimals (0 of none).
fn percentage(visitors: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (visitors as f64 * 10_000.0 / total as f64).round() / 100.0
    }
}

/// A filter, or `["and", [filters]]`, `["or", [filters]]`, `["not", filter]` (at most four deep,
/// 30 filters in all).
fn logic(
    field: &str,
    raw: &Value,
    default_interval: Interval,
    depth: usize,
    leaves: &mut usize,
) -> Result<Logic, ApiError> {
    let bad = |m: &str| invalid(field, m.to_string());
    let parts = raw
        .as_array()
        .ok_or_else(|| bad("must be [operator, dimension, [values]]"))?;
    let op = parts.first().and_then(Value::as_str);
    if !matches!(op, Some("and" | "or" | "not")) {
        *leaves += 1;
        if *leaves > 30 {
            return Err(bad("at most 30 filters in all"));
        }
        return filter_at(field, raw, default_interval).map(Logic::Leaf);
    }
    if depth >= 4 {
        return Err(bad("logical filters nest at most four deep"));
    }
    match (op, parts.get(1), parts.len()) {
        (Some("not"), Some(inner), 2) => Ok(Logic::Not(Box::new(logic(
            field,
            inner,
            default_interval,
            depth + 1,
            leaves,
        )?))),
        (Some(op), Some(Value::Array(xs)), 2) if !xs.is_empty() && op != "not" => {
            let inner = xs
                .iter()
                .map(|x| logic(field, x, default_interval, depth + 1, leaves))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if op == "and" {
                Logic::And(inner)
            } else {
                Logic::Or(inner)
            })
        }
        _ => Err(bad(
            "a logical filter is [\"and\" | \"or\", [filters]] or [\"not\", filter]",
        )),
    }
}

fn filter(i: usize, raw: &Value, default_interval: Interval) -> Result<Filter, ApiError> {
    filter_at(&format!("filters[{i}]"), raw, default_interval)
}

fn filter_at(field: &str, raw: &Value, default_interval: Interval) -> Result<Filter, ApiError> {
    let field = field.to_string();
    let bad = |m: &str| invalid(&field, m.to_string());
    let parts = raw
        .as_array()
        .ok_or_else(|| bad("must be [operator, dimension, [values]]"))?;
    let op =
        match parts.first().and_then(Value::as_str) {
            Some("is") => Op::Is,
            Some("is_not") => Op::IsNot,
            Some("contains") => Op::Contains,
            Some("contains_not") => Op::ContainsNot,
            Some("matches") => Op::Matches,
            Some("matches_not") => Op::MatchesNot,
            _ => return Err(bad(
                "the operator must be is, is_not, contains, contains_not, matches or matches_not",
            )),
        };
    if parts.len() != 3 {
        return Err(bad("must be [operator, dimension, [values]]"));
    }
    let dim = parts[1]
        .as_str()
        .ok_or_else(|| bad("the dimension must be a string"))
        .and_then(|d| dimension(d, default_interval).map_err(|e| bad(&e)))?;
    if matches!(dim, Dim::Time(_)) {
        return Err(bad("filter on time with date_range"));
    }
    let values: Vec<String> = parts[2]
        .as_array()
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .ok_or_else(|| bad("the values must be a list of 1 to 100"))?
        .iter()
        .map(|v| match v {
            // `(none)`, as rows show an empty value, stands for it in `is` and `is_not`.
            Value::String(s)
                if s == NONE_VALUE
                    && matches!(op, Op::Is | Op::IsNot)
                    && !matches!(dim, Dim::Prop(_)) =>
            {
                Ok(String::new())
            }
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(bad("each value must be a string, number or boolean")),
        })
        .collect::<Result<_, _>>()?;
    let patterns = if matches!(op, Op::Matches | Op::MatchesNot) {
        values
            .iter()
            .map(|v| {
                explore::pattern(v)
                    .map_err(|e| bad(&format!("`{v}` is not a regular expression: {e}")))
            })
            .collect::<Result<_, _>>()?
    } else {
        vec![]
    };
    Ok(Filter {
        op,
        dim,
        values,
        patterns,
    })
}

/// The path's site, of the caller's workspace (a website key: its own site only).
async fn path_site(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<keel_commands::site::Site, ApiError> {
    let ws = caller.workspace(req, state).await?;
    let raw = caller.site(Some(raw))?.unwrap_or_else(|| raw.to_string());
    site_of(state, ws, &raw).await
}

fn ts(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(keel_schemas::format_ts)
        .unwrap_or_default()
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/query", tag = "analytics", request_body = QueryBody,
    params(("id" = String, Path, description = "site id"),
        ("format" = Option<String>, Query, description = "`csv` for the rows as CSV (as does `Accept: text/csv`)"),
        ("min_position" = Option<i64>, Query, description = "wait until the analytics read model has this log position")),
    responses((status = 200, description = "one row per group of the dimensions (one row without dimensions), ordered and paginated; `meta.total_rows` counts them all. As CSV with `Accept: text/csv` or `format=csv`", content((QueryAnswer = "application/json"), (String = "text/csv"))),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, description = "an unknown metric, dimension or operator, a bad range or pattern, named on its field", body = crate::openapi::ErrorBody)))]
pub async fn query(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Another workspace's site is 404 whatever the body.
    let site = path_site(&req, &state, &caller, &path).await?;
    let body: QueryBody = json_body(body, state.config.max_body_bytes).await?;
    if body
        .site_id
        .as_deref()
        .is_some_and(|s| s != site.id.to_string())
    {
        return Err(invalid("site_id", "must be the site of the path"));
    }
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let Some(answer) = answer(&state, &site, &body, MAX_LIMIT, false).await? else {
        return Err(ApiError::Internal("the query was only checked".into()));
    };
    // `Accept: text/csv` (or `?format=csv`): the rows as a spreadsheet opens them.
    let wants_csv = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"))
        || crate::http::query_pairs(&req)
            .iter()
            .any(|(k, v)| k == "format" && v == "csv");
    if wants_csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"query.csv\"",
            ))
            .body(csv(&answer, &body.metrics)));
    }
    Ok(HttpResponse::Ok().json(answer))
}

/// Runs a query of `site` (pages of at most `max_limit` rows); with `check_only`, only checks
/// it (`None` when it is valid), naming every bad field.
pub(crate) async fn answer(
    state: &AppState,
    site: &keel_commands::site::Site,
    body: &QueryBody,
    max_limit: i64,
    check_only: bool,
) -> Result<Option<QueryAnswer>, ApiError> {
    // The range, through the stats endpoints' own parser.
    let mut pairs = vec![];
    match &body.date_range {
        None => {}
        Some(Value::String(p)) => {
            let period = match p.as_str() {
                "day" => "today",
                other => other,
            };
            pairs.push(("period".to_string(), period.to_string()));
        }
        Some(Value::Array(a)) if a.len() == 2 && a.iter().all(Value::is_string) => {
            pairs.push(("from".into(), a[0].as_str().unwrap_or("").into()));
            pairs.push(("to".into(), a[1].as_str().unwrap_or("").into()));
        }
        Some(_) => {
            return Err(invalid(
                "date_range",
                "must be day, 7d, 30d, month, 12mo or [from, to]",
            ))
        }
    }
    if let Some(tz) = &body.timezone {
        pairs.push(("timezone".into(), tz.clone()));
    }
    let (range_q, default_interval, _) =
        range(&Params { pairs }, &site.timezone).map_err(|e| match e {
            ApiError::Domain(keel_commands::DomainError::Validation(mut f)) => {
                for x in &mut f {
                    if matches!(x.field.as_str(), "period" | "from" | "to") {
                        x.field = "date_range".into();
                    }
                }
                ApiError::Domain(keel_commands::DomainError::Validation(f))
            }
            e => e,
        })?;

    let mut errors = Vec::new();
    if body.metrics.is_empty() {
        errors.push((
            "metrics".to_string(),
            "must name at least one metric".to_string(),
        ));
    }
    for (i, m) in body.metrics.iter().enumerate() {
        if !QUERY_METRICS.contains(&m.as_str()) {
            errors.push((
                format!("metrics[{i}]"),
                format!("unknown metric `{m}`; one of {}", QUERY_METRICS.join(", ")),
            ));
        }
    }
    if body.dimensions.len() > MAX_DIMENSIONS {
        errors.push((
            "dimensions".into(),
            format!("at most {MAX_DIMENSIONS} dimensions"),
        ));
    }
    let mut dims = Vec::new();
    for (i, d) in body.dimensions.iter().enumerate() {
        match dimension(d, default_interval) {
            Ok(x) if dims.contains(&x) => {
                errors.push((format!("dimensions[{i}]"), "is named twice".into()))
            }
            Ok(x) => dims.push(x),
            Err(e) => errors.push((format!("dimensions[{i}]"), e)),
        }
    }
    let goal_dim = dims.contains(&Dim::Goal);
    for (i, m) in body.metrics.iter().enumerate() {
        let visit_metric = matches!(
            m.as_str(),
            "visits" | "views_per_visit" | "bounce_rate" | "visit_duration"
        );
        if goal_dim && visit_metric {
            errors.push((
                format!("metrics[{i}]"),
                format!("`{m}` is not defined by goal: goals are hits, not visits"),
            ));
        }
    }
    if dims.contains(&Dim::Time(Interval::Hour)) && range_q.to - range_q.from > 31 * 86_400_000 {
        errors.push((
            "dimensions".into(),
            "hourly buckets span at most 31 days".into(),
        ));
    }
    let mut filters = Vec::new();
    let mut logical = Vec::new();
    let mut leaves = 0;
    for (i, f) in body.filters.iter().enumerate() {
        let is_logic = f
            .get(0)
            .and_then(Value::as_str)
            .is_some_and(|op| matches!(op, "and" | "or" | "not"));
        let parsed = if is_logic {
            logic(
                &format!("filters[{i}]"),
                f,
                default_interval,
                0,
                &mut leaves,
            )
            .map(|l| logical.push(l))
        } else {
            filter(i, f, default_interval).map(|f| filters.push(f))
        };
        match parsed {
            Ok(()) => {}
            Err(ApiError::Domain(keel_commands::DomainError::Validation(f))) => {
                errors.extend(f.into_iter().map(|x| (x.field, x.message)))
            }
            Err(e) => return Err(e),
        }
    }
    // Ordering: metrics and dimensions by name.
    let mut order: Vec<(usize, bool, bool)> = Vec::new(); // (index, is_metric, desc)
    for (i, o) in body.order_by.iter().enumerate() {
        let pair = o.as_array().filter(|p| p.len() == 2);
        let (Some(name), Some(dir)) = (
            pair.and_then(|p| p[0].as_str()),
            pair.and_then(|p| p[1].as_str()),
        ) else {
            errors.push((format!("order_by[{i}]"), "must be [name, asc|desc]".into()));
            continue;
        };
        let desc = match dir {
            "asc" => false,
            "desc" => true,
            _ => {
                errors.push((
                    format!("order_by[{i}]"),
                    "the direction must be asc or desc".into(),
                ));
                continue;
            }
        };
        if let Some(m) = body.metrics.iter().position(|m| m == name) {
            order.push((m, true, desc));
        } else if let Some(d) = body.dimensions.iter().position(|d| d == name) {
            order.push((d, false, desc));
        } else {
            errors.push((
                format!("order_by[{i}]"),
                format!("`{name}` is neither a metric nor a dimension of the query"),
            ));
        }
    }
    let mode = body
        .include
        .as_ref()
        .and_then(|i| i.comparisons.as_ref())
        .map(|c| c.mode.clone());
    if let Some(m) = &mode {
        if !matches!(m.as_str(), "previous_period" | "year_over_year") {
            errors.push((
                "include.comparisons.mode".into(),
                "must be previous_period or year_over_year".into(),
            ));
        }
    }
    let (limit, offset) = {
        let p = body.pagination.as_ref();
        let limit = p.and_then(|p| p.limit).unwrap_or(max_limit);
        let offset = p.and_then(|p| p.offset).unwrap_or(0);
        if !(1..=max_limit).contains(&limit) {
            errors.push((
                "pagination.limit".into(),
                format!("must be 1 to {max_limit}"),
            ));
        }
        if offset < 0 {
            errors.push(("pagination.offset".into(), "must not be negative".into()));
        }
        (limit, offset.max(0))
    };
    if !errors.is_empty() {
        return Err(ApiError::Domain(keel_commands::DomainError::Validation(
            errors
                .into_iter()
                .map(|(field, message)| keel_commands::FieldError { field, message })
                .collect(),
        )));
    }
    if check_only {
        return Ok(None);
    }

    let q = Query {
        site_id: site.id.to_string(),
        from: range_q.from,
        to: range_q.to,
        tz: range_q.tz,
        dims: dims.clone(),
        filters: filters.clone(),
        logic: logical.clone(),
    };
    let wanted: Vec<&str> = body.metrics.iter().map(String::as_str).collect();
    // Every answer here is read from raw hits: they must all be kept for the range.
    crate::routes::stats::check_raw_window(state, "date_range", q.from).await?;
    let groups = explore::run(&state.db, &q).await?;
    // Conversion rates divide by every visitor the other filters leave.
    let base = |q: &Query| {
        let q = Query {
            dims: vec![],
            filters: q
                .filters
                .iter()
                .filter(|f| f.dim != Dim::Goal)
                .cloned()
                .collect(),
            ..q.clone()
        };
        let db = state.db.clone();
        async move {
            Ok::<u64, ApiError>(
                explore::run(&db, &q)
                    .await?
                    .get(&Vec::new())
                    .map_or(0, |a| a.visitors.count()),
            )
        }
    };
    let needs_base = wanted.contains(&"conversion_rate");
    // Percentages divide by every visitor of the same filters, whatever the dimensions.
    let total = |q: &Query| {
        let q = Query {
            dims: vec![],
            ..q.clone()
        };
        let db = state.db.clone();
        async move {
            Ok::<u64, ApiError>(
                explore::run(&db, &q)
                    .await?
                    .get(&Vec::new())
                    .map_or(0, |a| a.visitors.count()),
            )
        }
    };
    let needs_total = wanted.contains(&"percentage");
    let base_now = (
        if needs_base { base(&q).await? } else { 0 },
        if needs_total { total(&q).await? } else { 0 },
    );
    let values = |a: &Acc, (base, total): (u64, u64)| -> Vec<Value> {
        let m = metric_values(a, &wanted, base, None);
        wanted
            .iter()
            .map(|w| match *w {
                "percentage" => Value::from(percentage(a.visitors.count(), total)),
                _ => m.get(w),
            })
            .collect()
    };
    let shown = |key: &[String]| -> Vec<String> {
        key.iter()
            .map(|v| {
                if v.is_empty() {
                    NONE_VALUE.to_string()
                } else {
                    v.clone()
                }
            })
            .collect()
    };
    // Without dimensions there is one row, even over an empty range.
    let mut rows: Vec<(Vec<String>, Acc)> = if dims.is_empty() {
        vec![(vec![], groups.get(&Vec::new()).cloned().unwrap_or_default())]
    } else {
        groups.into_iter().collect()
    };
    // Every time bucket of the range, when time is the only dimension (gaps as zeros).
    if let [Dim::Time(i)] = dims.as_slice() {
        let labels = keel_projections::stats::buckets(&range_q, *i);
        let mut by: BTreeMap<Vec<String>, Acc> = rows.into_iter().collect();
        rows = labels
            .into_iter()
            .map(|l| {
                let k = vec![l];
                let a = by.remove(&k).unwrap_or_default();
                (k, a)
            })
            .collect();
    }
    let mut computed: Vec<(Vec<String>, Acc, Vec<Value>)> = rows
        .into_iter()
        .map(|(k, a)| {
            let v = values(&a, base_now);
            (k, a, v)
        })
        .collect();
    let time_at = dims.iter().position(|d| matches!(d, Dim::Time(_)));
    if order.is_empty() {
        match time_at {
            Some(t) => order.push((t, false, false)),
            None => order.push((0, true, true)),
        }
    }
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NEG_INFINITY);
    computed.sort_by(|a, b| {
        for &(i, metric, desc) in &order {
            let o = if metric {
                num(&a.2[i])
                    .partial_cmp(&num(&b.2[i]))
                    .unwrap_or(std::cmp::Ordering::Equal)
            } else {
                a.0[i].cmp(&b.0[i])
            };
            let o = if desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        a.0.cmp(&b.0)
    });
    let total_rows = computed.len() as i64;

    // The comparison range and its groups.
    let comparison = match mode.as_deref() {
        Some(m) => {
            let (from, to) = compared_range(m, q.from, q.to, q.tz).unwrap_or((q.from, q.to));
            let cq = Query {
                from,
                to,
                ..q.clone()
            };
            crate::routes::stats::check_raw_window(state, "include.comparisons", cq.from).await?;
            let groups = explore::run(&state.db, &cq).await?;
            let base_then = (
                if needs_base { base(&cq).await? } else { 0 },
                if needs_total { total(&cq).await? } else { 0 },
            );
            let labels = time_at.map(|t| match dims[t] {
                Dim::Time(i) => keel_projections::stats::buckets(
                    &keel_projections::stats::StatsQuery {
                        site_id: String::new(),
                        from,
                        to,
                        tz: q.tz,
                        filters: vec![],
                    },
                    i,
                ),
                _ => vec![],
            });
            Some((from, to, groups, base_then, labels))
        }
        None => None,
    };
    // Time buckets of the current range, for matching the comparison's by position.
    let now_labels = time_at.map(|t| match dims[t] {
        Dim::Time(i) => keel_projections::stats::buckets(&range_q, i),
        _ => vec![],
    });
    let results: Vec<QueryRow> = computed
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(key, _, metrics)| {
            let comparison = comparison
                .as_ref()
                .map(|(_, _, groups, base_then, labels)| {
                    let mut ckey = key.clone();
                    if let (Some(t), Some(now), Some(then)) = (time_at, &now_labels, labels) {
                        let pos = now.iter().position(|l| *l == key[t]);
                        ckey[t] = pos.and_then(|p| then.get(p)).cloned().unwrap_or_default();
                    }
                    let a = groups.get(&ckey).cloned().unwrap_or_default();
                    let then = values(&a, *base_then);
                    let change = wanted
                        .iter()
                        .zip(metrics.iter().zip(&then))
                        .map(|(w, (n, t))| change(w, n, t))
                        .collect();
                    ComparisonRow {
                        dimensions: shown(&ckey),
                        metrics: then,
                        change,
                    }
                });
            QueryRow {
                dimensions: shown(&key),
                metrics,
                comparison,
            }
        })
        .collect();
    let answer = QueryAnswer {
        results,
        meta: QueryMeta {
            total_rows,
            source: "events",
            comparison_date_range: comparison
                .as_ref()
                .map(|(from, to, ..)| [ts(*from), ts(*to)]),
        },
        query: QueryEcho {
            site_id: site.id.to_string(),
            metrics: body.metrics.clone(),
            date_range: [ts(q.from), ts(q.to)],
            dimensions: body.dimensions.clone(),
            filters: body.filters.clone(),
            order_by: body.order_by.clone(),
            pagination: Pagination { limit, offset },
            timezone: q.tz.name().to_string(),
            include: IncludeEcho {
                total_rows: body.include.as_ref().is_some_and(|i| i.total_rows),
                imports: body.include.as_ref().is_some_and(|i| i.imports),
                comparisons: mode,
            },
        },
    };
    Ok(Some(answer))
}

/// Visitors on the site right now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Realtime {
    /// Distinct visitors with a hit in the window.
    pub visitors: u64,
    pub pageviews: i64,
    pub events: i64,
    /// The most viewed pages of the window, by visitors (at most ten).
    pub top_pages: Vec<RealtimeRow>,
    /// The sources of the window's visitors, by visitors (at most ten).
    pub top_sources: Vec<RealtimeRow>,
    pub window_minutes: i64,
    /// The window's end (now), RFC 3339.
    pub as_of: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RealtimeRow {
    pub value: String,
    pub visitors: u64,
}

const REALTIME_MINUTES: i64 = 5;

#[utoipa::path(get, path = "/api/v1/sites/{id}/realtime", tag = "analytics",
    params(("id" = String, Path, description = "site id"),
        ("min_position" = Option<i64>, Query, description = "wait until the analytics read model has this log position (X-Keel-Position of an ingestion)")),
    responses((status = 200, description = "visitors, pageviews and events of the last five minutes, with the top pages and sources", body = crate::http::Data<Realtime>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn realtime(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let site = path_site(&req, &state, &caller, &path).await?;
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let now = Utc::now();
    let base = Query {
        site_id: site.id.to_string(),
        from: now.timestamp_millis() - REALTIME_MINUTES * 60_000,
        // A client's clock a little ahead still counts as now.
        to: now.timestamp_millis() + 60_000,
        tz: chrono_tz::UTC,
        dims: vec![],
        filters: vec![],
        logic: vec![],
    };
    let total = explore::run(&state.db, &base)
        .await?
        .remove(&Vec::new())
        .unwrap_or_default();
    let top = |dim: Dim| {
        let q = Query {
            dims: vec![dim],
            ..base.clone()
        };
        let db = state.db.clone();
        async move {
            let mut rows: Vec<RealtimeRow> = explore::run(&db, &q)
                .await?
                .into_iter()
                .map(|(k, a)| RealtimeRow {
                    value: k
                        .into_iter()
                        .next()
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| NONE_VALUE.into()),
                    visitors: a.visitors.count(),
                })
                .filter(|r| r.visitors > 0)
                .collect();
            rows.sort_by(|a, b| b.visitors.cmp(&a.visitors).then(a.value.cmp(&b.value)));
            rows.truncate(10);
            Ok::<_, ApiError>(rows)
        }
    };
    let data = Realtime {
        visitors: total.visitors.count(),
        pageviews: total.pageviews,
        events: total.events,
        top_pages: top(Dim::Page).await?,
        top_sources: top(Dim::Visit("source")).await?,
        window_minutes: REALTIME_MINUTES,
        as_of: keel_schemas::format_ts(now),
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ok", "data": data})))
}

/// A query's answer as CSV: one column per dimension, then per metric (and, with comparisons,
/// each metric's comparison value and change).
fn csv(body: &QueryAnswer, metrics: &[String]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let value = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => field(s),
        other => other.to_string(),
    };
    let mut head: Vec<String> = body.query.dimensions.iter().map(|d| field(d)).collect();
    head.extend(metrics.iter().map(|m| field(m)));
    let compared = body.results.iter().any(|r| r.comparison.is_some());
    if compared {
        for m in metrics {
            head.push(field(&format!("{m} (comparison)")));
            head.push(field(&format!("{m} (change)")));
        }
    }
    let mut out = head.join(",") + "\r\n";
    for r in &body.results {
        let mut row: Vec<String> = r.dimensions.iter().map(|d| field(d)).collect();
        row.extend(r.metrics.iter().map(value));
        if let Some(c) = &r.comparison {
            for (m, ch) in c.metrics.iter().zip(&c.change) {
                row.push(value(m));
                row.push(value(ch));
            }
        }
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The most rows a query's export holds.
pub const EXPORT_MAX_ROWS: i64 = 1_000_000;

#[utoipa::path(post, path = "/api/v1/sites/{id}/query/exports", tag = "analytics", request_body = QueryBody,
    params(("id" = String, Path, description = "site id")),
    responses((status = 202, description = "queued: the query's whole result as CSV (up to 1,000,000 rows; `pagination` applies), built by an api process. Poll `GET /api/v1/exports/{task_id}` and download from `/api/v1/exports/{task_id}/download` (scope `exports:read`)", body = crate::http::Data<crate::routes::exports::ExportQueued>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, description = "an unknown metric, dimension or operator, a bad range or pattern, named on its field (checked before queueing)", body = crate::openapi::ErrorBody)))]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let site = path_site(&req, &state, &caller, &path).await?;
    let raw: Value = json_body(body, state.config.max_body_bytes).await?;
    let body: QueryBody = serde_json::from_value(raw.clone()).map_err(|e| {
        ApiError::Validation(vec![keel_commands::FieldError {
            field: "body".into(),
            message: e.to_string(),
        }])
    })?;
    if body
        .site_id
        .as_deref()
        .is_some_and(|s| s != site.id.to_string())
    {
        return Err(invalid("site_id", "must be the site of the path"));
    }
    // Every bad field now, not when the job runs.
    answer(&state, &site, &body, EXPORT_MAX_ROWS, true).await?;
    let ws = caller.workspace(&req, &state).await?;
    let spec = serde_json::json!({"site_id": site.id.to_string(), "query": raw});
    let id = keel_infra::exports::queue_kind(
        &state.db,
        &ws.to_string(),
        keel_infra::exports::QUERY,
        &spec.to_string(),
        &serde_json::json!(caller.actor()),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(crate::http::Data {
        status: crate::http::Success::Ok,
        data: crate::routes::exports::ExportQueued {
            task_id: id,
            status: "queued",
        },
    }))
}

/// Builds queued query exports until shutdown (every api process runs one; a job goes to one of
/// them, and one left half-done by a process that stopped is taken again after ten minutes).
pub async fn run_exports(
    state: std::sync::Arc<AppState>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        match keel_infra::exports::claim_kind(&state.db, keel_infra::exports::QUERY).await {
            Ok(Some((id, ws, spec))) => {
                let result = build_export(&state, &ws, &spec).await;
                if let Err(e) = keel_infra::exports::finish(&state.db, &id, result).await {
                    tracing::warn!(export = %id, error = %e, "export result not saved; retried");
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_millis(300)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read export jobs; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

/// One query export: the CSV and its row count, or what stopped it (the site gone, raw hits no
/// longer kept for the range, …).
async fn build_export(state: &AppState, ws: &str, spec: &str) -> Result<(String, i64), String> {
    let spec: Value = serde_json::from_str(spec).map_err(|e| e.to_string())?;
    let body: QueryBody =
        serde_json::from_value(spec["query"].clone()).map_err(|e| e.to_string())?;
    let ws: keel_events::WorkspaceId = ws.parse().map_err(|_| "bad workspace id".to_string())?;
    let site = site_of(state, ws, spec["site_id"].as_str().unwrap_or(""))
        .await
        .map_err(|e| e.to_string())?;
    match answer(state, &site, &body, EXPORT_MAX_ROWS, false).await {
        Ok(Some(a)) => Ok((csv(&a, &body.metrics), a.results.len() as i64)),
        Ok(None) => Err("the query was only checked".into()),
        Err(ApiError::Domain(keel_commands::DomainError::Validation(fields))) => Err(fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")),
        Err(e) => Err(e.to_string()),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sites/{id}/query").route(web::post().to(query)))
        .service(web::resource("/sites/{id}/query/exports").route(web::post().to(export)))
        .service(web::resource("/sites/{id}/realtime").route(web::get().to(realtime)));
}
