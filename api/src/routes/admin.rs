//! `/api/v1/admin/projections` (operator token): each read model's version, checkpoint, lag and
//! status, and blue/green rebuilds started over HTTP.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_projections::Projection;
use serde_json::{json, Value};
use sqlx::Row;

/// Bumped when a projection's tables or rules change (then rebuild it).
pub fn version(p: Projection) -> i64 {
    match p {
        Projection::Workspaces | Projection::ApiKeys | Projection::Sites => 1,
        Projection::Analytics => 2,
        Projection::Dashboards | Projection::Domains | Projection::Webhooks => 1,
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

async fn status(state: &AppState, p: Projection) -> Result<Value, ApiError> {
    let types = p
        .stream_types()
        .iter()
        .map(|t| format!("e.stream_id LIKE '{t}-%'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    // The furthest position this projection has applied, and what of its streams lies beyond.
    let applied: i64 = sqlx::query(
        "SELECT COALESCE(MAX(position), 0) FROM projection_streams WHERE projection = $1",
    )
    .bind(p.name())
    .fetch_one(&state.db.pool)
    .await?
    .get(0);
    let oldest = if state.db.dialect == keel_projections::Dialect::Postgres {
        "to_char(MIN(e.recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    } else {
        "MIN(e.recorded_at)"
    };
    let sql = format!(
        "SELECT COUNT(*), {oldest} FROM events e WHERE e.position > $1 AND ({types}) \
         AND NOT EXISTS (SELECT 1 FROM projection_streams g WHERE g.projection = $2 \
         AND g.stream_id = e.stream_id AND g.version >= e.stream_version)"
    );
    let row = sqlx::query(&sql)
        .bind(applied)
        .bind(p.name())
        .fetch_one(&state.db.pool)
        .await?;
    let lag_events: i64 = row.get(0);
    let oldest: Option<String> = row.get(1);
    let lag_seconds = oldest
        .and_then(|o| keel_schemas::parse_ts(&o).ok())
        .map_or(0.0, |t| {
            ((chrono::Utc::now() - t).num_milliseconds().max(0) as f64) / 1000.0
        });
    let checkpoint = match &state.config.kafka_brokers {
        None => {
            let r = sqlx::query("SELECT position FROM checkpoints WHERE name = $1")
                .bind(format!("projection:{}", p.name()))
                .fetch_optional(&state.db.pool)
                .await?;
            json!({ "kind": "log", "position": r.map_or(0, |r| r.get::<i64, _>(0)) })
        }
        Some(_) => {
            let rows = sqlx::query(
                "SELECT partition_id, next_offset FROM projector_offsets WHERE projection = $1 ORDER BY partition_id",
            )
            .bind(p.name())
            .fetch_all(&state.db.pool)
            .await?;
            json!({ "kind": "kafka", "offsets": rows.iter().map(|r| json!({
                "partition": r.get::<i32, _>(0), "next_offset": r.get::<i64, _>(1) })).collect::<Vec<_>>() })
        }
    };
    let rebuild = state.rebuilds.get(p.name()).map(|r| r.clone());
    let status = match &rebuild {
        Some(r) if r.running => "rebuilding",
        _ if lag_seconds > 60.0 => "lagging",
        _ => "live",
    };
    Ok(json!({
        "name": p.name(), "version": version(p), "status": status, "checkpoint": checkpoint,
        "applied_position": applied, "lag_events": lag_events, "lag_seconds": lag_seconds,
        "last_rebuild": rebuild.map(|r| json!({
            "running": r.running, "started_at": r.started_at, "finished_at": r.finished_at,
            "events": r.events, "total": r.total, "events_per_second": r.rate, "error": r.error,
        })),
    }))
}

#[utoipa::path(get, path = "/api/v1/admin/projections", tag = "admin",
    responses((status = 200, description = "per projection: name, version, status (live, lagging, rebuilding), checkpoint, applied_position, lag_events, lag_seconds, last_rebuild")))]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for p in Projection::ALL {
        out.push(status(&state, p).await?);
    }
    Ok(HttpResponse::Ok().json(json!({ "data": out })))
}

#[utoipa::path(post, path = "/api/v1/admin/projections/{name}/rebuild", tag = "admin",
    params(("name" = String, Path, description = "workspaces, api_keys, sites, analytics or dashboards")),
    responses((status = 202, description = "rebuild started: replay into fresh tables, then an atomic swap; the API serves the old tables until then"),
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
    Ok(
        HttpResponse::build(StatusCode::ACCEPTED).json(json!({ "data": {
            "name": p.name(), "status": "rebuilding", "status_url": "/api/v1/admin/projections",
        }})),
    )
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin/projections").route(web::get().to(list)))
        .service(web::resource("/admin/projections/{name}/rebuild").route(web::post().to(rebuild)));
}
