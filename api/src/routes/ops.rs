//! Health, readiness and metrics: unauthenticated.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;

/// The process is up (Dashtray's shape, with Keel's RFC 3339 time beside it).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `healthy`.
    pub status: &'static str,
    pub version: &'static str,
    /// Now, in milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// Now, RFC 3339.
    pub time: String,
}

/// Whether the process can serve: its database answers, and its broker when it has one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// ready or unavailable
    pub status: &'static str,
    pub checks: ReadinessChecks,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadinessChecks {
    pub database: bool,
    /// `null` without Kafka.
    pub broker: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/health", tag = "operations", security(), responses((status = 200, description = "alive", body = Health)))]
pub async fn health() -> HttpResponse {
    let now = chrono::Utc::now();
    HttpResponse::Ok().json(Health {
        status: "healthy",
        version: env!("CARGO_PKG_VERSION"),
        timestamp: now.timestamp_millis(),
        time: keel_schemas::format_ts(now),
    })
}

#[utoipa::path(get, path = "/api/v1/ready", tag = "operations", security(), responses((status = 200, description = "ready", body = Readiness), (status = 503, description = "a dependency is down", body = Readiness, headers(("Retry-After" = u32, description = "seconds to wait")))))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db_ok = tokio::time::timeout(std::time::Duration::from_secs(2), state.db.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let broker = match &state.broker_check {
        Some(check) => Some(check().await),
        None => None,
    };
    let ok = db_ok && broker.unwrap_or(true);
    let body = Readiness {
        status: if ok { "ready" } else { "unavailable" },
        checks: ReadinessChecks {
            database: db_ok,
            broker,
        },
    };
    Ok(if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(body)
    })
}

pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(keel_infra::metrics::render())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready));
}
