//! `/api/v1/tracking-checker` (datanostro's partner API): scan a page for trackers, consent,
//! speed and SEO, with a summary and a loss estimate; and `/api/v1/seo` (core-api): SEO reports
//! and the issues they open and resolve.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::{current_request_id, ApiError};
use crate::http::{envelope, json_body, list_filter, param, query_pairs, wait_for_position, Data};
use crate::routes::usage::{account, feature_of};
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::tracking::{
    seo_page_id, ScanCommand, ScanMeter, SeoPageAggregate, SubmitReport, TrackingScanAggregate,
    SCAN_FEATURE, SEVERITIES,
};
use keel_commands::{execute, CommandError, DomainError, EventStore};
use keel_events::{
    DomainEvent, ScanOptions, SeoIssueId, SeoIssueReported, SeoReportId, StreamId, TrackingScanId,
    WorkspaceId,
};
use keel_infra::tracking::{detect, google, loss, summary, Changes, PageInfo, Passes, SeoSection};
use keel_projections::tracking::{self as rm, ScanRow, SeoIssueEventView, SeoIssueView};
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBody {
    /// The page to scan: an http(s) URL (a bare host such as `eshop.cz` is read as
    /// `https://eshop.cz/`).
    url: String,
    /// Write a summary (Gemini when configured, else a template). Default true.
    ai_summary: Option<bool>,
    /// Measure speed (PageSpeed Insights when configured). Default true.
    pagespeed: Option<bool>,
    /// The summary's language: `en` (default), `cs`, `sk`, `de`, or any tag Gemini writes.
    language: Option<String>,
    /// Visitors a month, for the loss estimate in visitors.
    monthly_visitors: Option<i64>,
    /// Revenue a month (whole units), for the loss estimate in money.
    monthly_revenue: Option<i64>,
    /// The revenue's currency (ISO 4217).
    currency: Option<String>,
}

/// The error of a failed scan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanError {
    /// `dns`, `tls`, `timeout`, `connect`, `refused_target`, `http_status`, `not_html`,
    /// `too_large`, `too_many_redirects`, `bad_url` or `internal`.
    pub code: String,
    pub message: String,
}

/// A scan: queued, completed (with its findings) or failed (with why).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanView {
    pub id: String,
    /// `queued`, `completed` or `failed`.
    pub status: String,
    pub url: String,
    /// Where the page ended up after redirects.
    pub final_url: Option<String>,
    #[schema(value_type = Object)]
    pub options: Value,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub duration_ms: Option<i64>,
    /// The signature table the scan used.
    pub signatures_version: Option<String>,
    /// The ids of the trackers found (lists carry these; a scan's own page the whole result).
    pub tracker_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub passes: Option<Passes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub page: Option<PageInfo>,
    /// Tracker detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub trackers: Option<Vec<detect::Finding>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub consent: Option<detect::Consent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub pagespeed: Option<google::PageSpeed>,
    /// The summary (`source`: `gemini` or `template`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub ai_summary: Option<summary::Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub loss_estimate: Option<loss::LossEstimate>,
    /// The SEO report the scan filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub seo: Option<SeoSection>,
    /// What changed since the previous scan of this URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub changes: Option<Changes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub error: Option<ScanError>,
}

/// datanostro's `api_meta`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiMeta {
    /// This request's id (also `X-Request-ID`), for support and logs.
    pub request_id: String,
}

/// `{"status": "ok", "data": scan, "api_meta": {"request_id"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanEnvelope {
    pub status: crate::http::Success,
    pub data: ScanView,
    pub api_meta: ApiMeta,
}

fn view(row: ScanRow, full: bool) -> ScanView {
    let result: Option<keel_infra::tracking::ScanResult> = row
        .result
        .and_then(|m| serde_json::from_value(Value::Object(m)).ok());
    let tracker_ids = result
        .as_ref()
        .map(|r| r.trackers.iter().map(|t| t.id.clone()).collect());
    let error = row.error_code.map(|code| ScanError {
        code,
        message: row.error_message.unwrap_or_default(),
    });
    let mut v = ScanView {
        id: row.id,
        status: row.status,
        url: row.url,
        final_url: row.final_url,
        options: row.options,
        created_at: row.created_at,
        completed_at: row.completed_at,
        duration_ms: row.duration_ms,
        signatures_version: row.signatures_version,
        tracker_ids,
        passes: None,
        page: None,
        trackers: None,
        consent: None,
        pagespeed: None,
        ai_summary: None,
        loss_estimate: None,
        seo: None,
        changes: None,
        error,
    };
    if let (true, Some(r)) = (full, result) {
        v.passes = Some(r.passes);
        v.page = Some(r.page);
        v.trackers = Some(r.trackers);
        v.consent = Some(r.consent);
        v.pagespeed = Some(r.pagespeed);
        v.ai_summary = r.summary;
        v.loss_estimate = Some(r.loss_estimate);
        v.seo = Some(r.seo);
        v.changes = r.changes;
    }
    v
}

/// The request's own event's position (read-your-writes: `GET …/scans/{id}?min_position=`).
fn with_position(
    resp: Result<HttpResponse, ApiError>,
    position: i64,
) -> Result<HttpResponse, ApiError> {
    let mut resp = resp?;
    if position > 0 {
        resp.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-keel-position"),
            HeaderValue::from(position),
        );
    }
    Ok(resp)
}

fn scan_response(status: StatusCode, row: ScanRow) -> Result<HttpResponse, ApiError> {
    let location = format!("/api/v1/tracking-checker/scans/{}", row.id);
    let mut resp = HttpResponse::build(status);
    resp.insert_header((
        LOCATION,
        HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
    ));
    if status == StatusCode::ACCEPTED {
        resp.insert_header(("Retry-After", "2"));
    }
    Ok(resp.json(ScanEnvelope {
        status: crate::http::Success::Ok,
        data: view(row, true),
        api_meta: ApiMeta {
            request_id: current_request_id(),
        },
    }))
}

/// `eshop.cz` → `https://eshop.cz/`; no fragment; the rest as given.
fn normalise(raw: &str) -> String {
    let t = raw.trim();
    let with_scheme = if t.contains("://") || t.is_empty() {
        t.to_string()
    } else {
        format!("https://{t}")
    };
    match url::Url::parse(&with_scheme) {
        Ok(mut u) => {
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => with_scheme,
    }
}

#[utoipa::path(post, path = "/api/v1/tracking-checker/scan", tag = "tracking-checker", request_body = ScanBody,
    responses(
        (status = 200, description = "the scan, completed or failed, within the wait (`KEEL_TRACKING_WAIT_MS`, 25 s by default)", body = ScanEnvelope),
        (status = 202, description = "still running (or `Prefer: respond-async`): poll `Location`", body = ScanEnvelope),
        (status = 422, body = crate::openapi::ErrorBody),
        (status = 429, description = "the workspace's `tracking_checker_api_hourly` scans are spent for this hour (`feature_limit_reached`, with `Retry-After`)", body = crate::openapi::ErrorBody)))]
pub async fn scan(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: ScanBody = json_body(body, state.config.max_body_bytes).await?;
    let acc = account(&state, ws).await?;
    let ent = feature_of(&acc, SCAN_FEATURE)?;
    let now = state.config.clock.now();
    let (period_start, period_end) = ent.period_at(now, acc.tz, acc.anchor_day);
    let id = TrackingScanId(Entropy::of(&req).uuid_v7());
    let command = ScanCommand::Request {
        scan_id: id,
        workspace_id: ws,
        url: normalise(&body.url),
        options: ScanOptions {
            ai_summary: body.ai_summary.unwrap_or(true),
            pagespeed: body.pagespeed.unwrap_or(true),
            language: body
                .language
                .as_deref()
                .map(str::trim)
                .unwrap_or("en")
                .to_string(),
            monthly_visitors: body.monthly_visitors,
            monthly_revenue: body.monthly_revenue,
            currency: body.currency.map(|c| c.trim().to_ascii_uppercase()),
        },
        key_id: match &caller {
            Caller::Key(k) => Some(k.key_id),
            _ => None,
        },
        request_id: Some(current_request_id()),
        meter: ScanMeter {
            limit: ent.limit,
            hard: ent.hard,
            period_start,
        },
    };
    let mut exec = execution(&req, &caller, ws, StreamId::tracking_scan(id), None);
    exec.new_stream = true;
    let position = match execute::<TrackingScanAggregate>(
        &state.store,
        &exec,
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await
    {
        Ok((outcome, _)) => outcome.last_position,
        Err(CommandError::Rejected(DomainError::FeatureLimitReached {
            feature,
            limit,
            used,
            requested,
        })) => {
            return Err(ApiError::PeriodLimitReached {
                feature,
                period: ent.period.as_str(),
                limit,
                used,
                requested,
                reset_at: period_end.map_or(now.timestamp() + 3600, |e| e.timestamp()),
            })
        }
        Err(e) => return Err(e.into()),
    };
    keel_infra::tracking::wake().notify_one();
    let prefer_async = req
        .headers()
        .get("Prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.to_ascii_lowercase().contains("respond-async"));
    let wait = if prefer_async {
        Duration::ZERO
    } else {
        Duration::from_millis(state.config.tracking.wait_ms)
    };
    let deadline = tokio::time::Instant::now() + wait;
    let (ws_s, id_s) = (ws.to_string(), id.to_string());
    loop {
        let row = rm::get_scan(&state.db, &ws_s, &id_s).await?;
        match row {
            Some(r) if r.status != "queued" => {
                return with_position(scan_response(StatusCode::OK, r), position)
            }
            Some(r) if tokio::time::Instant::now() >= deadline => {
                return with_position(scan_response(StatusCode::ACCEPTED, r), position)
            }
            None if tokio::time::Instant::now() >= deadline => {
                // Not projected yet: answer from the request itself.
                return with_position(
                    scan_response(
                        StatusCode::ACCEPTED,
                        ScanRow {
                            id: id_s.clone(),
                            workspace_id: ws_s.clone(),
                            url: match &command {
                                ScanCommand::Request { url, .. } => url.clone(),
                                _ => String::new(),
                            },
                            status: "queued".into(),
                            options: match &command {
                                ScanCommand::Request { options, .. } => {
                                    serde_json::to_value(options).unwrap_or_default()
                                }
                                _ => Value::Null,
                            },
                            request_id: Some(current_request_id()),
                            final_url: None,
                            signatures_version: None,
                            result: None,
                            error_code: None,
                            error_message: None,
                            duration_ms: None,
                            created_at: keel_schemas::format_ts(exec.now),
                            completed_at: None,
                        },
                    ),
                    position,
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/tracking-checker/scans", tag = "tracking-checker",
    params(crate::openapi::ListQuery,
        ("url" = Option<String>, Query, description = "only scans of this URL (as normalised: `https://eshop.cz/`)")),
    responses((status = 200, description = "the workspace's scans, newest first; each with `tracker_ids` (the findings are on the scan's own page)", body = crate::http::Page<ScanView>)))]
pub async fn scans(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Tracking).await?;
    let mut f = list_filter(&req, &[], &["queued", "completed", "failed"])?;
    let pairs = query_pairs(&req);
    let filter = rm::ScanFilter {
        url: param(&pairs, "url").map(normalise),
        status: f.status.clone(),
    };
    let (rows, total) =
        rm::list_scans(&state.db, &ws.to_string(), &filter, f.limit, f.offset, true).await?;
    f.workspace_id = Some(ws.to_string());
    let rows: Vec<ScanView> = rows.into_iter().map(|r| view(r, false)).collect();
    Ok(envelope(&req, rows, total, &f))
}

#[utoipa::path(get, path = "/api/v1/tracking-checker/scans/{id}", tag = "tracking-checker",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "scan id")),
    responses((status = 200, body = ScanEnvelope), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get_scan(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<TrackingScanId>(&path, "scan")?;
    wait_for_position(&req, &state, Projection::Tracking).await?;
    let row = rm::get_scan(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("scan"))?;
    scan_response(StatusCode::OK, row)
}

// ---------------------------------------------------------------------------------------------
// SEO reports (core-api)

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// `missing_alt`, `missing_title`, … (lower-case letters, digits, `_`, `-`).
    #[serde(rename = "type")]
    issue_type: String,
    /// `critical`, `error`, `warning`, `notice` or `info`.
    severity: String,
    /// What on the page (a selector, a URL); empty for the page itself.
    #[serde(default)]
    element: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    details: Map<String, Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    url: String,
    /// Scores from 0 to 100 (`performance`, `accessibility`, `best_practices`, `seo`, …).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    scores: Map<String, Value>,
    /// Every issue the page has now: issues of this URL not listed are resolved.
    #[serde(default)]
    issues: Vec<IssueBody>,
}

/// A report as recorded, and what it changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: String,
    pub url: String,
    #[schema(value_type = Object)]
    pub scores: Map<String, Value>,
    /// Issues listed (each type and element once).
    pub issues: i64,
    /// Issue ids opened (new or back).
    pub opened: Vec<String>,
    /// Issue ids resolved (no longer listed).
    pub resolved: Vec<String>,
    pub source: String,
    pub created_at: String,
}

#[utoipa::path(post, path = "/api/v1/seo/report", tag = "seo", request_body = ReportBody,
    responses((status = 201, body = Data<ReportView>), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: ReportBody = json_body(body, state.config.max_body_bytes).await?;
    let url = normalise(&body.url);
    let page_id = seo_page_id(ws, &url);
    let entropy = Entropy::of(&req);
    let report_id = SeoReportId(entropy.uuid_v7());
    let issues: Vec<SeoIssueReported> = body
        .issues
        .into_iter()
        .map(|i| SeoIssueReported {
            issue_type: i.issue_type,
            severity: i.severity.trim().to_ascii_lowercase(),
            element: i.element,
            details: i.details,
        })
        .collect();
    let command = SubmitReport {
        report_id,
        page_id,
        workspace_id: ws,
        url: url.clone(),
        scores: body.scores,
        new_ids: issues
            .iter()
            .map(|_| SeoIssueId(entropy.uuid_v7()))
            .collect(),
        issues,
        source: "api".into(),
        scan_id: None,
    };
    let exec = execution(&req, &caller, ws, StreamId::seo_page(page_id), None);
    let (outcome, _) =
        execute::<SeoPageAggregate>(&state.store, &exec, &command, entropy.event_ids()).await?;
    let mut view = ReportView {
        id: report_id.to_string(),
        url,
        scores: command.scores.clone(),
        issues: 0,
        opened: vec![],
        resolved: vec![],
        source: "api".into(),
        created_at: keel_schemas::format_ts(exec.now),
    };
    // What this append recorded (a concurrent report of the same page may come just before).
    let recorded = state
        .store
        .read_stream(&StreamId::seo_page(page_id))
        .await?;
    for e in recorded
        .iter()
        .filter(|e| (outcome.first_position..=outcome.last_position).contains(&e.position))
    {
        match &e.event {
            DomainEvent::SeoReportSubmitted(r) => {
                view.issues = r.issues.len() as i64;
                view.created_at = keel_schemas::format_ts(e.occurred_at);
            }
            DomainEvent::SeoIssueOpened(o) => view.opened.push(o.issue_id.to_string()),
            DomainEvent::SeoIssueResolved(r) => view.resolved.push(r.issue_id.to_string()),
            _ => {}
        }
    }
    Ok(crate::http::written(StatusCode::CREATED, &outcome, view))
}

/// The workspace a path names, as the caller may see it: their own, or (the operator) any
/// live one. Another workspace is not found.
async fn path_workspace(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<WorkspaceId, ApiError> {
    let named = path_id::<WorkspaceId>(raw, "workspace")?;
    let mine = match caller {
        Caller::Operator if req.headers().get("X-Workspace-ID").is_none() => {
            if keel_infra::edge::workspace_is_live(&state.db, &named.to_string()).await? {
                named
            } else {
                return Err(ApiError::NotFound("workspace"));
            }
        }
        _ => caller.workspace(req, state).await?,
    };
    if mine == named {
        Ok(named)
    } else {
        Err(ApiError::NotFound("workspace"))
    }
}

#[utoipa::path(get, path = "/api/v1/seo/issues/{workspace_id}", tag = "seo",
    params(("workspace_id" = String, Path, description = "your workspace's id (another is 404)"), crate::openapi::ListQuery,
        ("url" = Option<String>, Query, description = "only this page"),
        ("severity" = Option<String>, Query, description = "`critical`, `error`, `warning`, `notice` or `info`"),
        ("type" = Option<String>, Query, description = "only this issue type (`missing_alt`, …)")),
    responses((status = 200, description = "the workspace's SEO issues, newest first; `status` `open` (default), `resolved` or `all`", body = crate::http::Page<SeoIssueView>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn issues(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = path_workspace(&req, &state, &caller, &path).await?;
    wait_for_position(&req, &state, Projection::Tracking).await?;
    let mut f = list_filter(&req, &[], &["open", "resolved", "all"])?;
    let pairs = query_pairs(&req);
    let severity = param(&pairs, "severity").map(str::to_string);
    if let Some(s) = &severity {
        if !SEVERITIES.contains(&s.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "`severity` must be one of {}",
                SEVERITIES.join(", ")
            )));
        }
    }
    let filter = rm::IssueFilter {
        url: param(&pairs, "url").map(normalise),
        severity,
        issue_type: param(&pairs, "type")
            .or_else(|| param(&pairs, "issue_type"))
            .map(str::to_string),
        status: match f.status.as_deref() {
            None => Some("open".into()),
            Some("all") => None,
            Some(s) => Some(s.to_string()),
        },
    };
    let (rows, total) =
        rm::list_issues(&state.db, &ws.to_string(), &filter, f.limit, f.offset).await?;
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(&req, rows, total, &f))
}

/// An issue with its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssueDetail {
    #[serde(flatten)]
    pub issue: SeoIssueView,
    /// Opened, resolved, reopened: oldest first.
    pub history: Vec<SeoIssueEventView>,
}

#[utoipa::path(get, path = "/api/v1/seo/issues/{workspace_id}/{id}", tag = "seo",
    params(crate::openapi::Fresh, ("workspace_id" = String, Path, description = "your workspace's id"), ("id" = String, Path, description = "issue id")),
    responses((status = 200, body = Data<IssueDetail>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_ws, raw_id) = path.into_inner();
    let ws = path_workspace(&req, &state, &caller, &raw_ws).await?;
    let id = path_id::<SeoIssueId>(&raw_id, "issue")?;
    wait_for_position(&req, &state, Projection::Tracking).await?;
    let (ws_s, id_s) = (ws.to_string(), id.to_string());
    let issue = rm::get_issue(&state.db, &ws_s, &id_s)
        .await?
        .ok_or(ApiError::NotFound("issue"))?;
    let history = rm::issue_history(&state.db, &ws_s, &id_s).await?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: IssueDetail { issue, history },
    }))
}

#[utoipa::path(get, path = "/api/v1/seo/reports/{id}", tag = "seo",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "report id")),
    responses((status = 200, body = Data<keel_projections::tracking::SeoReportView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<SeoReportId>(&path, "report")?;
    wait_for_position(&req, &state, Projection::Tracking).await?;
    let r = rm::get_report(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("report"))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: r,
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tracking-checker/scan").route(web::post().to(scan)))
        .service(web::resource("/tracking-checker/scans").route(web::get().to(scans)))
        .service(web::resource("/tracking-checker/scans/{id}").route(web::get().to(get_scan)))
        .service(web::resource("/seo/report").route(web::post().to(report)))
        .service(web::resource("/seo/reports/{id}").route(web::get().to(get_report)))
        .service(web::resource("/seo/issues/{workspace_id}").route(web::get().to(issues)))
        .service(web::resource("/seo/issues/{workspace_id}/{id}").route(web::get().to(issue)));
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn a_bare_host_is_read_as_https_and_fragments_go() {
        assert_eq!(normalise(" eshop.cz "), "https://eshop.cz/");
        assert_eq!(
            normalise("HTTP://Eshop.CZ/Boty?x=1#top"),
            "http://eshop.cz/Boty?x=1"
        );
        assert_eq!(normalise("ftp://x"), "ftp://x/");
    }
}
