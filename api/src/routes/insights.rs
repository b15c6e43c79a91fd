//! Visitor profiles, funnels and the flat metrics feed.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{query_pairs, wait_for_position, Data, Page};
use crate::routes::analytics::{load_site, position_header, site_of};
use crate::routes::command_meta;
use crate::routes::stats::{context, invalid, meta, range, Params, StatsAnswer};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use chrono::{NaiveDate, Utc};
use keel_commands::analytics::{valid_goal_name, visitor_key, STRIPE_METRICS};
use keel_events::SiteId;
use keel_events::StreamId;
use keel_projections::insights::{self, funnel_depth, Step};
use keel_projections::query::ListFilter;
use keel_projections::stats::{self, compute, Grouping, Interval, StatsQuery};
use keel_projections::Projection;
use serde::Serialize;
use std::collections::BTreeMap;

#[utoipa::path(get, path = "/api/v1/sites/{id}/visitors/{visitor_id}", tag = "analytics",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "site id"), ("visitor_id" = String, Path, description = "the visitor id you send with events")),
    responses((status = 200, description = "identity, first and last seen, visits, pageviews, goals completed, payments and lifetime revenue", body = Data<insights::VisitorProfile>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn visitor(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (site_raw, visitor_id) = path.into_inner();
    let id: SiteId = site_raw.parse().map_err(|_| ApiError::NotFound("site"))?;
    let site = load_site(&state, ws, id)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let profile = insights::visitor_profile(
        &state.db,
        &site.id.to_string(),
        &visitor_key(site.id, &visitor_id),
    )
    .await?
    .ok_or(ApiError::NotFound("visitor"))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: profile,
    }))
}

/// A funnel: who entered with step 1 in the range, and how far they got within the window.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Funnel {
    pub steps: Vec<FunnelStep>,
    /// Visitors who reached step 1.
    pub entered: u64,
    /// Visitors who reached the last step.
    pub completed: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    /// 1-based.
    pub step: usize,
    /// page or goal
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The page path or the goal name.
    pub target: String,
    pub visitors: u64,
    /// Percent of step 1's visitors.
    pub conversion_rate: f64,
    /// Percent of the previous step's visitors.
    pub conversion_rate_step: f64,
    /// Visitors of the previous step who did not reach this one.
    pub dropoff: u64,
    pub dropoff_rate: f64,
}

/// One point of the flat metrics feed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedPoint {
    /// This point's id: `<site>:<metric>:<date>` (and `:<currency>` for revenue); a pushed
    /// point's own id.
    pub id: String,
    /// visitors, visits, pageviews, events, revenue, goal:<name>, or a pushed metric's id
    pub metric_id: String,
    /// The site (absent for a pushed metric: it is the workspace's).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub site_id: Option<String>,
    /// The site's local day, YYYY-MM-DD (UTC for a pushed point).
    pub date: String,
    /// A count, net revenue in minor units, or a pushed point's value as sent.
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
    /// Revenue only (ISO 4217).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub currency: Option<String>,
    /// `count`, or the currency (upper case) for revenue (Dashtray).
    pub unit: String,
    /// The start of the day in the site's time zone, in milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// `{site_id, date, interval: "day"}`, and `currency` (lower case) for revenue.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
}

impl FeedPoint {
    fn new(site: &str, metric: &str, date: &str, value: i64, tz: chrono_tz::Tz) -> FeedPoint {
        let timestamp = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .and_then(|d| {
                d.and_time(chrono::NaiveTime::MIN)
                    .and_local_timezone(tz)
                    .earliest()
            })
            .map_or(0, |t| t.timestamp_millis());
        FeedPoint {
            id: format!("{site}:{metric}:{date}"),
            metric_id: metric.to_string(),
            site_id: Some(site.to_string()),
            date: date.to_string(),
            value: value.into(),
            currency: None,
            unit: "count".into(),
            timestamp,
            metadata: serde_json::json!({ "site_id": site, "date": date, "interval": "day" }),
        }
    }

    fn in_currency(mut self, currency: &str) -> FeedPoint {
        self.id = format!("{}:{currency}", self.id);
        self.unit = currency.to_ascii_uppercase();
        self.metadata["currency"] = serde_json::json!(currency.to_ascii_lowercase());
        self.currency = Some(currency.to_string());
        self
    }
}

/// A person erased.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub site_id: String,
    pub visitor_id: String,
    /// Always true.
    pub erased: bool,
}

const MAX_STEPS: usize = 8;
const DEFAULT_WINDOW_MINUTES: i64 = 24 * 60;

fn parse_steps(raw: &str) -> Result<Vec<Step>, ApiError> {
    let shape = "a comma-separated list of 2 to 8 steps, each `page:/path` or `goal:name`";
    let steps: Vec<Step> = raw
        .split(',')
        .map(|s| {
            let s = s.trim();
            if let Some(p) = s.strip_prefix("page:").filter(|p| p.starts_with('/')) {
                Ok(Step::Page(p.to_string()))
            } else if let Some(g) = s.strip_prefix("goal:").filter(|g| valid_goal_name(g)) {
                Ok(Step::Goal(g.to_string()))
            } else {
                Err(invalid("steps", shape))
            }
        })
        .collect::<Result<_, _>>()?;
    if !(2..=MAX_STEPS).contains(&steps.len()) {
        return Err(invalid("steps", shape));
    }
    Ok(steps)
}

/// The ad-hoc funnel of `GET /api/v1/sites/{id}/funnels?steps=…` (documented with the saved
/// funnels' list, which answers it when `steps` is given).
pub async fn funnel(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = context(&req, &state, &caller, &path).await?;
    let steps = parse_steps(
        ctx.params
            .get("steps")
            .ok_or_else(|| invalid("steps", "is required"))?,
    )?;
    let window_min = match ctx.params.get("window") {
        Some(w) => w
            .parse::<i64>()
            .ok()
            .filter(|w| (1..=90 * 24 * 60).contains(w))
            .ok_or_else(|| invalid("window", "must be 1 to 129600 minutes"))?,
        None => DEFAULT_WINDOW_MINUTES,
    };
    Ok(HttpResponse::Ok().json(funnel_answer(&state, &ctx, &steps, window_min).await?))
}

/// Who entered `steps` in the context's range and how far they got within `window_min` minutes.
pub(crate) async fn funnel_answer(
    state: &AppState,
    ctx: &crate::routes::stats::Ctx,
    steps: &[Step],
    window_min: i64,
) -> Result<StatsAnswer<Funnel>, ApiError> {
    let window = window_min * 60_000;
    let q = &ctx.q;
    let hits = insights::funnel_hits(&state.db, &q.site_id, q.from, q.to + window, steps).await?;
    let mut reached = vec![0u64; steps.len()];
    for visitor_hits in hits.values() {
        let depth = funnel_depth(visitor_hits, steps.len(), window, q.from, q.to);
        for r in reached.iter_mut().take(depth) {
            *r += 1;
        }
    }
    let pct = |n: u64, d: u64| {
        if d == 0 {
            0.0
        } else {
            (n as f64 * 10000.0 / d as f64).round() / 100.0
        }
    };
    let data: Vec<FunnelStep> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (kind, target) = match s {
                Step::Page(p) => ("page", p),
                Step::Goal(g) => ("goal", g),
            };
            let prev = if i == 0 { reached[0] } else { reached[i - 1] };
            FunnelStep {
                step: i + 1,
                kind,
                target: target.clone(),
                visitors: reached[i],
                conversion_rate: pct(reached[i], reached[0]),
                conversion_rate_step: pct(reached[i], prev),
                dropoff: prev - reached[i],
                dropoff_rate: pct(prev - reached[i], prev),
            }
        })
        .collect();
    let mut meta = meta(ctx, stats::Source::Hits);
    meta.window_minutes = Some(window_min);
    Ok(StatsAnswer {
        status: crate::http::Success::Ok,
        data: Funnel {
            entered: reached[0],
            completed: reached[steps.len() - 1],
            steps: data,
        },
        meta,
        comparison: None,
    })
}

/// Metric ids of the flat feed (plus `goal:<name>`, and `revenue` per currency).
const FEED_METRICS: [&str; 5] = ["visitors", "visits", "pageviews", "events", "revenue"];

#[utoipa::path(get, path = "/api/v1/metrics", tag = "analytics",
    params(crate::openapi::Fresh, ("metric_id" = Option<String>, Query, description = "visitors, visits, pageviews, events, revenue, goal:<name>, a pushed metric's id, or a Stripe SaaS metric (stripe_mrr, stripe_arr, stripe_active_subscriptions, stripe_new_mrr, stripe_expansion_mrr, stripe_contraction_mrr, stripe_churned_mrr, stripe_reactivation_mrr, stripe_revenue, stripe_refunds: one point per UTC month and currency, the last twelve months by default); default all"),
        ("site_id" = Option<String>, Query, description = "one site; default every site of the workspace"),
        ("start_date" = Option<String>, Query, pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", description = "YYYY-MM-DD in each site's time zone; default 30 days ago"),
        ("end_date" = Option<String>, Query, pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", description = "YYYY-MM-DD, inclusive; default today"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "points per page, default 50, at most 1000"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "points to skip")),
    responses((status = 200, description = "one point per metric, site and local day, sorted by site, metric and date", body = Page<FeedPoint>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn metrics_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    // The workspace's sites come from the sites read model: both must have caught up.
    wait_for_position(&req, &state, Projection::Sites).await?;
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let params = Params {
        pairs: query_pairs(&req),
    };
    let metric = params.get("metric_id").map(str::to_string);
    // A pushed metric's id names none of the built-in ones.
    let mut pushed = false;
    if let Some(m) = &metric {
        let goal_ok = m.strip_prefix("goal:").is_some_and(valid_goal_name);
        pushed = keel_commands::analytics::check_metric_id(m).is_ok();
        if !FEED_METRICS.contains(&m.as_str())
            && !STRIPE_METRICS.contains(&m.as_str())
            && !goal_ok
            && !pushed
        {
            return Err(invalid(
                "metric_id",
                format!(
                    "must be one of {}, {}, goal:<name>, or a pushed metric's id",
                    FEED_METRICS.join(", "),
                    STRIPE_METRICS.join(", ")
                ),
            ));
        }
    }
    let stripe_only = metric
        .as_deref()
        .is_some_and(|m| STRIPE_METRICS.contains(&m));
    // A website key's feed is its site's.
    let sites = match caller.site(params.get("site_id"))?.as_deref() {
        Some(raw) => {
            let id: SiteId = raw.parse().map_err(|_| ApiError::NotFound("site"))?;
            vec![load_site(&state, ws, id)
                .await?
                .ok_or(ApiError::NotFound("site"))?]
        }
        None => {
            let ids = keel_projections::sites::live_ids(&state.db, &ws.to_string()).await?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(s) = load_site(
                    &state,
                    ws,
                    id.parse()
                        .map_err(|_| ApiError::Internal("bad site id".into()))?,
                )
                .await?
                {
                    out.push(s);
                }
            }
            out
        }
    };
    let date = |field: &str, raw: Option<&str>| -> Result<Option<NaiveDate>, ApiError> {
        raw.map(|r| {
            NaiveDate::parse_from_str(r, "%Y-%m-%d")
                .map_err(|_| invalid(field, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
    };
    let end = date("end_date", params.get("end_date"))?;
    let start = date("start_date", params.get("start_date"))?;
    let (start_param, end_param) = (start, end);
    let mut points: Vec<FeedPoint> = Vec::new();
    // Built-in metrics per site; pushed ones are the workspace's (a website key's feed is its
    // site's only).
    let sites = if pushed { vec![] } else { sites };
    for site in &sites {
        let today = Utc::now()
            .with_timezone(
                &site
                    .timezone
                    .parse::<chrono_tz::Tz>()
                    .unwrap_or(chrono_tz::UTC),
            )
            .date_naive();
        let end = end.unwrap_or(today);
        let start = start.unwrap_or(end - chrono::Duration::days(29));
        let pairs = vec![
            ("from".to_string(), start.to_string()),
            ("to".to_string(), end.to_string()),
        ];
        if !stripe_only {
            let (mut q, _, _) = range(&Params { pairs }, &site.timezone)?;
            q.site_id = site.id.to_string();
            points.extend(site_points(&state, &q, metric.as_deref()).await?);
        }
        if metric.is_none() || stripe_only {
            // Months, UTC: the last twelve by default.
            let end = end_param.unwrap_or_else(|| Utc::now().date_naive());
            let start = start_param.unwrap_or_else(|| {
                end.with_day(1)
                    .and_then(|d| d.checked_sub_months(chrono::Months::new(11)))
                    .unwrap_or(end)
            });
            points.extend(
                stripe_points(&state, &site.id.to_string(), start, end, metric.as_deref()).await?,
            );
        }
    }
    let site_key = caller.site(None)?.is_some();
    if !site_key && metric.as_deref().is_none_or(|_| pushed) {
        let today = Utc::now().date_naive();
        let end = end.unwrap_or(today);
        let start = start.unwrap_or(end - chrono::Duration::days(29));
        let ms = |d: NaiveDate| {
            d.and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .timestamp_millis()
        };
        for p in keel_projections::analytics::metric_points(
            &state.db,
            &ws.to_string(),
            metric.as_deref(),
            ms(start),
            ms(end + chrono::Duration::days(1)),
        )
        .await?
        {
            let date = chrono::DateTime::<Utc>::from_timestamp_millis(p.ts)
                .map(|t| t.date_naive().to_string())
                .unwrap_or_default();
            points.push(FeedPoint {
                id: p.point_id,
                metric_id: p.metric_id,
                site_id: None,
                date,
                value: p.value,
                currency: None,
                unit: p.unit.unwrap_or_else(|| "count".into()),
                timestamp: p.ts,
                metadata: p.metadata,
            });
        }
    }
    // Dashtray's default page is 100 points.
    let (limit, offset) = params.page_or(100)?;
    let total = points.len() as i64;
    let page: Vec<FeedPoint> = points
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let f = ListFilter {
        limit,
        offset,
        cursor: None,
        status: None,
        created_after: None,
        created_before: None,
        updated_after: None,
        updated_before: None,
        search: None,
        sort: vec![],
        workspace_id: None,
        now: String::new(),
    };
    // Dashtray's `pagination` beside Keel's `meta`.
    let mut body = crate::http::page_of(&req, page, total, &f);
    body.pagination = Some(crate::http::Pagination {
        limit,
        offset,
        has_more: offset.saturating_add(limit) < total,
    });
    Ok(HttpResponse::Ok().json(body))
}

/// Points of custom metrics, pushed in a batch.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    /// 1 to 1000 points.
    points: Vec<PushPoint>,
}

/// One point of a custom metric (Dashtray's fields).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushPoint {
    /// Your id of the point: a point pushed again with the same id (and metric) is a duplicate,
    /// recorded once. Without one, every push is a new point.
    #[schema(required = false)]
    id: Option<String>,
    /// 1 to 100 of `a-z 0-9 _ . -`, a letter first; not one of Keel's own metrics.
    metric_id: String,
    #[schema(value_type = f64)]
    value: serde_json::Number,
    /// `USD`, `count`, `%`… (at most 32 characters).
    #[schema(required = false)]
    unit: Option<String>,
    /// Milliseconds since the Unix epoch (default now).
    #[schema(required = false)]
    timestamp: Option<i64>,
    #[schema(value_type = Object, required = false)]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PushAnswer {
    /// Points recorded now.
    pub recorded: i64,
    /// Points Keel had already (same metric and id).
    pub duplicates: i64,
}

/// Most points one push may carry.
pub const MAX_PUSH: usize = 1000;

#[utoipa::path(post, path = "/api/v1/metrics", tag = "analytics", request_body = PushBody,
    responses((status = 200, description = "every point checked first, then each recorded once (`metric.recorded`); served by `GET /api/v1/metrics?metric_id=…`", body = Data<PushAnswer>),
        (status = 413, description = "more than 1000 points", body = crate::openapi::ErrorBody),
        (status = 422, description = "a point that will not do, named as `points[i].field`: nothing was recorded", body = crate::openapi::ErrorBody)))]
pub async fn push_metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    use keel_commands::analytics::{metric_point_key, MetricPointAggregate, RecordMetric};
    use keel_commands::{Aggregate, CommandError, DomainError, Execution, FieldError};
    let ws = caller.workspace(&req, &state).await?;
    let body: PushBody = crate::http::json_body(body, state.config.max_body_bytes).await?;
    if body.points.len() > MAX_PUSH {
        return Err(ApiError::TooManyItems {
            max: MAX_PUSH,
            got: body.points.len(),
        });
    }
    if body.points.is_empty() {
        return Err(DomainError::field("points", "must hold at least one point").into());
    }
    let entropy = Entropy::of(&req);
    let now = Utc::now().timestamp_millis();
    // Every point is checked before any is recorded.
    let mut commands = Vec::with_capacity(body.points.len());
    let mut errors: Vec<FieldError> = Vec::new();
    for (i, p) in body.points.into_iter().enumerate() {
        let command = RecordMetric(keel_events::MetricRecorded {
            workspace_id: ws,
            metric_id: p.metric_id.trim().to_string(),
            point_id: p
                .id
                .map(|id| id.trim().to_string())
                .unwrap_or_else(|| entropy.uuid_v7().to_string()),
            value: p.value,
            unit: p.unit.map(|u| u.trim().to_string()),
            timestamp: p.timestamp.unwrap_or(now),
            metadata: p.metadata.unwrap_or_default(),
        });
        match MetricPointAggregate::decide(&false, &command) {
            Ok(_) => commands.push(command),
            Err(DomainError::Validation(fields)) => {
                errors.extend(fields.into_iter().map(|f| FieldError {
                    field: format!("points[{i}].{}", f.field),
                    message: f.message,
                }))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors).into());
    }
    let (mut recorded, mut duplicates, mut last) = (0, 0, 0);
    let mut ids = entropy.event_ids();
    for command in commands {
        let exec = Execution {
            tenant_id: ws,
            stream_id: StreamId::metric_point(
                ws,
                &metric_point_key(&command.0.metric_id, &command.0.point_id),
            ),
            expected_version: None,
            metadata: command_meta(&req, &caller),
            now: Utc::now(),
            new_stream: false,
        };
        match keel_commands::execute::<MetricPointAggregate>(
            &state.store,
            &exec,
            &command,
            &mut ids,
        )
        .await
        {
            Ok((outcome, _)) => {
                recorded += 1;
                last = outcome.last_position;
            }
            Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => duplicates += 1,
            Err(e) => return Err(e.into()),
        }
    }
    let mut resp = HttpResponse::Ok();
    position_header(&mut resp, last);
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: PushAnswer {
            recorded,
            duplicates,
        },
    }))
}

/// A site's Stripe SaaS metrics, one point per UTC month from `start`'s to `end`'s and currency:
/// MRR, ARR and paying subscriptions at the month's end; movements, revenue and refunds during
/// it (contraction and churn as the positive amounts lost).
async fn stripe_points(
    state: &AppState,
    site: &str,
    start: NaiveDate,
    end: NaiveDate,
    metric: Option<&str>,
) -> Result<Vec<FeedPoint>, ApiError> {
    let wants = |m: &str| metric.is_none_or(|x| x == m);
    let first = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut months = Vec::new();
    let mut m = first(start);
    while m <= first(end) && months.len() < 1200 {
        months.push(m);
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    let Some(&last) = months.last() else {
        return Ok(vec![]);
    };
    let label = |d: NaiveDate| d.format("%Y-%m").to_string();
    // (currency, month) → kind → amount.
    let mut figures: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
    for (month, currency, kind, amount) in
        keel_projections::analytics::revenue_months(&state.db, site).await?
    {
        *figures
            .entry((currency, month))
            .or_default()
            .entry(kind)
            .or_default() += amount;
    }
    let ms = |d: NaiveDate| {
        d.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis()
    };
    let after_last = last
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    if wants("stripe_revenue") {
        for (ts, currency, amount) in keel_projections::analytics::payment_amounts(
            &state.db,
            site,
            ms(months[0]),
            ms(after_last),
        )
        .await?
        {
            let month = chrono::DateTime::<Utc>::from_timestamp_millis(ts)
                .map(|t| t.format("%Y-%m").to_string())
                .unwrap_or_default();
            *figures
                .entry((currency, month))
                .or_default()
                .entry("revenue".into())
                .or_default() += amount;
        }
    }
    let currencies: std::collections::BTreeSet<String> =
        figures.keys().map(|(c, _)| c.clone()).collect();
    const MOVES: [&str; 5] = ["new", "expansion", "contraction", "churn", "reactivation"];
    let mut out = Vec::new();
    for currency in &currencies {
        let of = |month: &str, kind: &str| {
            figures
                .get(&(currency.clone(), month.to_string()))
                .and_then(|k| k.get(kind))
                .copied()
                .unwrap_or(0)
        };
        // Levels before the first month shown.
        let first_label = label(months[0]);
        let (mut mrr, mut paying) = figures
            .iter()
            .filter(|((c, m), _)| c == currency && *m < first_label)
            .fold((0, 0), |(mrr, paying), (_, k)| {
                (
                    mrr + MOVES
                        .iter()
                        .map(|m| k.get(*m).copied().unwrap_or(0))
                        .sum::<i64>(),
                    paying + k.get("subscriptions").copied().unwrap_or(0),
                )
            });
        for &month in &months {
            let l = label(month);
            mrr += MOVES.iter().map(|m| of(&l, m)).sum::<i64>();
            paying += of(&l, "subscriptions");
            let values = [
                ("stripe_mrr", mrr),
                ("stripe_arr", mrr * 12),
                ("stripe_active_subscriptions", paying),
                ("stripe_new_mrr", of(&l, "new")),
                ("stripe_expansion_mrr", of(&l, "expansion")),
                ("stripe_contraction_mrr", -of(&l, "contraction")),
                ("stripe_churned_mrr", -of(&l, "churn")),
                ("stripe_reactivation_mrr", of(&l, "reactivation")),
                ("stripe_revenue", of(&l, "revenue")),
                ("stripe_refunds", of(&l, "refunds")),
            ];
            for (name, value) in values {
                if !wants(name) {
                    continue;
                }
                let date = month.to_string();
                let count = name == "stripe_active_subscriptions";
                out.push(FeedPoint {
                    id: format!("{site}:{name}:{l}:{currency}"),
                    metric_id: name.to_string(),
                    site_id: Some(site.to_string()),
                    date: date.clone(),
                    value: value.into(),
                    currency: Some(currency.clone()),
                    unit: if count {
                        "count".into()
                    } else {
                        currency.to_ascii_uppercase()
                    },
                    timestamp: ms(month),
                    metadata: serde_json::json!({
                        "site_id": site, "date": date, "interval": "month",
                        "currency": currency.to_ascii_lowercase(),
                    }),
                });
            }
        }
    }
    // Sorted like the rest of the feed: by metric, then date (then currency).
    out.sort_by(|a, b| {
        (&a.metric_id, a.timestamp, &a.currency).cmp(&(&b.metric_id, b.timestamp, &b.currency))
    });
    Ok(out)
}

async fn site_points(
    state: &AppState,
    q: &StatsQuery,
    metric: Option<&str>,
) -> Result<Vec<FeedPoint>, ApiError> {
    let wants = |m: &str| metric.is_none_or(|x| x == m);
    let labels = stats::buckets(q, Interval::Day);
    let (groups, _) = compute(&state.db, q, Grouping::Series(Interval::Day)).await?;
    let mut out = Vec::new();
    let site = &q.site_id;
    let point = |m: &str, d: &str, value: i64| FeedPoint::new(site, m, d, value, q.tz);
    for m in ["events", "pageviews", "visitors", "visits"] {
        if !wants(m) {
            continue;
        }
        for d in &labels {
            let a = groups.get(d).cloned().unwrap_or_default();
            let v = match m {
                "visitors" => a.visitors.count() as i64,
                "visits" => a.visits,
                "pageviews" => a.pageviews,
                _ => a.events,
            };
            out.push(point(m, d, v));
        }
    }
    if metric.is_none() || metric.is_some_and(|m| m.starts_with("goal:")) {
        let mut goals: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (ms, name, completions, _) in
            insights::goal_hours(&state.db, site, q.from, q.to).await?
        {
            let label = chrono::DateTime::<Utc>::from_timestamp_millis(ms)
                .map(|t| t.with_timezone(&q.tz).date_naive().to_string())
                .unwrap_or_default();
            *goals.entry(name).or_default().entry(label).or_default() += completions;
        }
        for (name, days) in goals {
            let id = format!("goal:{name}");
            if !wants(&id) {
                continue;
            }
            for d in &labels {
                out.push(point(&id, d, days.get(d).copied().unwrap_or(0)));
            }
        }
    }
    if wants("revenue") {
        let rev = stats::revenue(&state.db, q, Some(Interval::Day)).await?;
        let currencies: std::collections::BTreeSet<&String> =
            rev.values().flat_map(|m| m.keys()).collect();
        for c in currencies {
            for d in &labels {
                let net = rev.get(d).and_then(|m| m.get(c)).map_or(0, |r| r.net);
                out.push(point("revenue", d, net).in_currency(c));
            }
        }
    }
    Ok(out)
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}/visitors/{visitor_id}", tag = "analytics",
    params(("id" = String, Path, description = "site id"), ("visitor_id" = String, Path, description = "the visitor id you send with events")),
    responses((status = 200, description = "erased: the person's data key is destroyed, so their personal fields (visitor id, user id, traits, customer id, email) can no longer be read from the log by anyone; read models drop them (X-Keel-Position for read-your-writes); counts and revenue stay. A repeated request answers the same", body = Data<Erased>),
        (status = 404, description = "no such site, or nothing is known of this visitor", body = crate::openapi::ErrorBody)))]
pub async fn erase_visitor(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (site_raw, visitor_id) = path.into_inner();
    let site = site_of(&state, ws, &site_raw).await?;
    let visitor = visitor_key(site.id, visitor_id.trim());
    let stream = StreamId::visitor(site.id, &visitor);
    let key = keel_projections::personal::subject_key(&state.db, &ws.to_string(), &visitor).await?;
    let last = state.store.last_event_type(&stream).await?;
    let event = keel_commands::analytics::erase_visitor(
        &site,
        &visitor_id,
        key.clone(),
        last.is_some(),
        last.as_deref() == Some("visitor.erased"),
    )?;
    let mut resp = HttpResponse::Ok();
    if let Some(event) = event {
        let at = state.config.clock.now();
        let request = keel_commands::analytics::visitor_request(
            event,
            Entropy::of(&req).event_ids()(),
            at,
            command_meta(&req, &caller),
        )
        .ok_or_else(|| ApiError::Internal("an erasure without a visitor".into()))?;
        let outcome = keel_commands::analytics::append_visitor_event(&state.store, request).await?;
        // Recorded first, destroyed second: a crash in between leaves a recorded erasure whose
        // projector destroys the key.
        if let Some(k) = &key {
            let mut conn = state.db.pool.acquire().await?;
            keel_projections::personal::destroy(&mut conn, k).await?;
        }
        position_header(&mut resp, outcome.last_position);
    }
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: Erased {
            site_id: site.id.to_string(),
            visitor_id: visitor_id.trim().to_string(),
            erased: true,
        },
    }))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/visitors", tag = "analytics",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "site id"),
        ("identified" = Option<bool>, Query, description = "only visitors with a user id (true) or without (false)"),
        ("user_id" = Option<String>, Query, description = "this user's visitors"),
        ("search" = Option<String>, Query, description = "case-insensitive part of the visitor id or user id"),
        ("seen_after" = Option<String>, Query, description = "last seen at or after (RFC 3339 or YYYY-MM-DD)"),
        ("seen_before" = Option<String>, Query, description = "last seen before (RFC 3339 or YYYY-MM-DD)"),
        ("sort" = Option<String>, Query, description = "last_seen (default, `-last_seen`: newest first), first_seen, pageviews, events, goals; `-` for descending"),
        ("limit" = Option<i64>, Query, description = "1 to 1000, default 50"),
        ("offset" = Option<i64>, Query, description = "rows to skip")),
    responses((status = 200, description = "the site's visitors: ids, traits, first and last seen, counts", body = Page<keel_projections::insights::VisitorRow>),
        (status = 400, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn visitors(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    use keel_projections::insights::{list_visitors, VisitorFilter, VISITOR_SORTS};
    let ws = caller.workspace(&req, &state).await?;
    let id: SiteId = path.parse().map_err(|_| ApiError::NotFound("site"))?;
    let site = load_site(&state, ws, id)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let params = Params {
        pairs: query_pairs(&req),
    };
    let (limit, offset) = params.page()?;
    let instant = |name: &str| -> Result<Option<i64>, ApiError> {
        params
            .get(name)
            .map(|raw| {
                keel_schemas::parse_ts(raw)
                    .map(|t| t.timestamp_millis())
                    .or_else(|_| {
                        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(|d| {
                            d.and_time(chrono::NaiveTime::MIN)
                                .and_utc()
                                .timestamp_millis()
                        })
                    })
                    .map_err(|_| {
                        ApiError::BadRequest(format!(
                            "`{name}` must be an RFC 3339 time or a date (YYYY-MM-DD)"
                        ))
                    })
            })
            .transpose()
    };
    let identified = match params.get("identified") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(ApiError::BadRequest(
                "`identified` must be true or false".into(),
            ))
        }
    };
    let sort = keel_projections::query::parse_sort(params.get("sort").unwrap_or(""), VISITOR_SORTS)
        .map_err(ApiError::BadRequest)?
        .into_iter()
        .map(|k| (k.column, k.descending))
        .collect();
    let f = VisitorFilter {
        identified,
        user_id: params.get("user_id").map(str::to_string),
        search: params.get("search").map(str::to_string),
        seen_after: instant("seen_after")?,
        seen_before: instant("seen_before")?,
        sort,
        limit,
        offset,
    };
    let (rows, total) = list_visitors(&state.db, &site.id.to_string(), &f).await?;
    let lf = ListFilter {
        limit,
        offset,
        ..ListFilter::default()
    };
    Ok(crate::http::envelope(&req, rows, total, &lf))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sites/{id}/visitors").route(web::get().to(visitors)))
        .service(
            web::resource("/sites/{id}/visitors/{visitor_id}")
                .route(web::get().to(visitor))
                .route(web::delete().to(erase_visitor)),
        )
        .service(
            web::resource("/metrics")
                .route(web::get().to(metrics_feed))
                .route(web::post().to(push_metrics)),
        );
}
