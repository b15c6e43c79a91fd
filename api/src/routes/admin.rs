//! `/api/v1/admin/projections` (operator token): each read model's version, checkpoint, lag and
//! status, and blue/green rebuilds started over HTTP.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::Data;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_infra::feed::FeedProgress;
use keel_projections::Projection;
use serde::Serialize;

/// Bumped when a projection's tables or rules change (then rebuild it).
pub fn version(p: Projection) -> i64 {
    match p {
        Projection::Workspaces | Projection::ApiKeys | Projection::Sites => 1,
        // 3: refunds (`rm_payments.refunded_amount`).
        Projection::Analytics => 3,
        Projection::Dashboards | Projection::Domains | Projection::Webhooks => 1,
        Projection::Alerts | Projection::Tracking => 1,
        // 2: remote MCP servers (`rm_mcp_servers`).
        Projection::Agents => 2,
        Projection::Integrations => 1,
    }
}

/// A rebuild started over HTTP, as the status list shows it.
#[derive(Debug, Clone, Default)]
pub struct RebuildState {
    pub running: bool,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub events: usize,
    pub total: i64,
    pub rate: f64,
    pub error: Option<String>,
}

/// A read model's state, as the operator sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectionStatus {
    pub name: &'static str,
    /// Bumped when its tables or rules change (then rebuild it).
    pub version: i64,
    /// live, lagging (over a minute behind) or rebuilding
    pub status: &'static str,
    pub checkpoint: FeedProgress,
    /// The furthest log position it has applied.
    pub applied_position: i64,
    /// Events of its streams it has not applied yet.
    pub lag_events: i64,
    /// Age of the oldest of them.
    pub lag_seconds: f64,
    /// The last rebuild started over HTTP by this process, if any.
    pub last_rebuild: Option<RebuildView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RebuildView {
    pub running: bool,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Events replayed so far.
    pub events: usize,
    /// Events to replay.
    pub total: i64,
    pub events_per_second: f64,
    pub error: Option<String>,
}

async fn status(state: &AppState, p: Projection) -> Result<ProjectionStatus, ApiError> {
    let lag = keel_projections::apply::lag(&state.db, p).await?;
    let lag_seconds = lag.oldest.map_or(0.0, |t| {
        ((chrono::Utc::now() - t).num_milliseconds().max(0) as f64) / 1000.0
    });
    let checkpoint =
        keel_infra::feed::progress(&state.db, p, state.config.kafka.brokers.is_some()).await?;
    let rebuild = state.rebuilds.get(p.name()).map(|r| r.clone());
    let status = match &rebuild {
        Some(r) if r.running => "rebuilding",
        _ if lag_seconds > 60.0 => "lagging",
        _ => "live",
    };
    Ok(ProjectionStatus {
        name: p.name(),
        version: version(p),
        status,
        checkpoint,
        applied_position: lag.applied_position,
        lag_events: lag.events,
        lag_seconds,
        last_rebuild: rebuild.map(|r| RebuildView {
            running: r.running,
            started_at: r.started_at,
            finished_at: r.finished_at,
            events: r.events,
            total: r.total,
            events_per_second: r.rate,
            error: r.error,
        }),
    })
}

/// A rebuild started.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RebuildStarted {
    pub name: &'static str,
    /// Always `rebuilding`.
    pub status: &'static str,
    /// Where to follow it.
    pub status_url: &'static str,
}

#[utoipa::path(get, path = "/api/v1/admin/projections", tag = "admin",
    responses((status = 200, description = "every read model's state", body = Data<Vec<ProjectionStatus>>)))]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for p in Projection::ALL {
        out.push(status(&state, p).await?);
    }
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: out,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/projections/{name}/rebuild", tag = "admin",
    params(("name" = String, Path, description = "workspaces, api_keys, sites, analytics, dashboards, domains or webhooks")),
    responses((status = 202, description = "rebuild started: replay into fresh tables, then an atomic swap; the API serves the old tables until then", body = Data<RebuildStarted>),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "a rebuild of it is already running", body = crate::openapi::ErrorBody)))]
pub async fn rebuild(
    _req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = Projection::by_name(&path).ok_or(ApiError::NotFound("projection"))?;
    {
        let mut entry = state.rebuilds.entry(p.name()).or_default();
        if entry.running {
            return Err(ApiError::RebuildInProgress(p.name()));
        }
        *entry = RebuildState {
            running: true,
            started_at: keel_schemas::format_ts(chrono::Utc::now()),
            ..Default::default()
        };
    }
    let st = state.clone();
    tokio::spawn(async move {
        let progress_state = st.clone();
        let progress = move |pr: keel_infra::rebuild::Progress| {
            if let Some(mut r) = progress_state.rebuilds.get_mut(p.name()) {
                r.events = pr.events;
                r.total = pr.total;
                r.rate = pr.events as f64 / pr.elapsed.as_secs_f64().max(1e-3);
            }
        };
        let result = keel_infra::rebuild::rebuild_with(&st.store, p, &progress).await;
        if let Some(mut r) = st.rebuilds.get_mut(p.name()) {
            r.running = false;
            r.finished_at = Some(keel_schemas::format_ts(chrono::Utc::now()));
            if let Err(e) = result {
                tracing::error!(projection = p.name(), error = %e, "rebuild failed");
                r.error = Some(e.to_string());
            }
        }
    });
    Ok(HttpResponse::build(StatusCode::ACCEPTED).json(Data {
        status: crate::http::Success::Ok,
        data: RebuildStarted {
            name: p.name(),
            status: "rebuilding",
            status_url: "/api/v1/admin/projections",
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/analytics/retention", tag = "admin",
    responses((status = 200, description = "raw hits older than `KEEL_ANALYTICS_RAW_RETENTION_DAYS` dropped now (the projector role also does it every six hours); rollups stay", body = Data<keel_infra::retention::Swept>)))]
pub async fn retention(
    state: web::Data<AppState>,
    _caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let swept = keel_infra::retention::sweep(
        &state.db,
        state.config.analytics_raw_retention_days,
        state.config.clock.now(),
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: swept,
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin/projections").route(web::get().to(list)))
        .service(web::resource("/admin/projections/{name}/rebuild").route(web::post().to(rebuild)))
        .service(web::resource("/admin/analytics/retention").route(web::post().to(retention)));
}
