//! `DELETE /api/v1/sites/{id}/data`: deleting a site's analytics for a time range (DataFast),
//! recorded as a `site.data_deleted` event and carried out by the analytics projector; and the
//! deletions as jobs one can follow.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{query_pairs, Data, Page, POSITION_HEADER};
use crate::routes::stats::{invalid, parse_bound, Bound, Params};
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use keel_commands::site::{Site, SiteAggregate, SiteCommand};
use keel_commands::{execute, Aggregate, EventStore};
use keel_events::{DomainEvent, EventId, RecordedEvent, SiteId, StreamId};
use keel_projections::query::ListFilter;
use keel_projections::Projection;
use serde::Serialize;

/// How long a deletion request waits for the projector before it answers 202 with the job.
const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A deletion of a site's analytics for a range, as a job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DataDeletion {
    /// The job's id (the id of its `site.data_deleted` event).
    pub id: String,
    pub site_id: String,
    /// Start of the range, inclusive (RFC 3339, UTC).
    pub from: String,
    /// End of the range, exclusive.
    pub to: String,
    /// `pending` while the analytics projector works on it, then `completed`.
    #[schema(example = "completed")]
    pub status: &'static str,
    pub requested_at: String,
    /// The log position of the event (pass it as `min_position` to read after it).
    pub position: i64,
}

async fn load(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<(Site, Vec<RecordedEvent>), ApiError> {
    let ws = caller.workspace(req, state).await?;
    let id: SiteId = path_id(raw, "site")?;
    let history = state.store.read_stream(&StreamId::site(id)).await?;
    let site = SiteAggregate::fold(history.iter().map(|e| &e.event))
        .filter(|s| s.workspace_id == ws && !s.deleted)
        .ok_or(ApiError::NotFound("site"))?;
    Ok((site, history))
}

async fn job(state: &AppState, e: &RecordedEvent) -> Result<Option<DataDeletion>, ApiError> {
    let DomainEvent::AnalyticsDeleted(d) = &e.event else {
        return Ok(None);
    };
    let done = keel_projections::has_applied(
        &state.db,
        Projection::Analytics,
        e.stream_id.as_str(),
        e.position,
    )
    .await?;
    Ok(Some(DataDeletion {
        id: e.event_id.to_string(),
        site_id: d.site_id.to_string(),
        from: keel_schemas::format_ts(d.from),
        to: keel_schemas::format_ts(d.to),
        status: if done { "completed" } else { "pending" },
        requested_at: keel_schemas::format_ts(e.occurred_at),
        position: e.position,
    }))
}

/// A bound of the range: a date in the site's time zone (`to` inclusive: up to the next
/// midnight) or an RFC 3339 time.
fn bound(
    params: &Params,
    name: &'static str,
    tz: chrono_tz::Tz,
) -> Result<DateTime<Utc>, ApiError> {
    let raw = params
        .get(name)
        .ok_or_else(|| invalid(name, "is required (a date YYYY-MM-DD or an RFC 3339 time)"))?;
    Ok(match parse_bound(name, raw)? {
        Bound::Instant(t) => t,
        Bound::Date(d) => {
            let d = if name == "to" {
                d + Duration::days(1)
            } else {
                d
            };
            keel_projections::stats::local_midnight(tz, d)
        }
    })
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}/data", tag = "analytics",
    params(("id" = String, Path, description = "site id"),
        ("from" = String, Query, description = "start: a date (YYYY-MM-DD, the site's time zone) or an RFC 3339 time on a whole hour"),
        ("to" = String, Query, description = "end: a date (inclusive) or an RFC 3339 time on a whole hour (exclusive); not in the future")),
    responses((status = 200, description = "deleted: hits, visits that started in the range, payments and the range's rollups are gone; the range stays deleted (events timestamped inside it that arrive later are not counted)", body = Data<DataDeletion>),
        (status = 202, description = "recorded; the deletion is still running: follow the job at Location", body = Data<DataDeletion>),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 422, description = "a bound is missing, not on a whole hour (UTC), in the future, or `to` is not after `from`", body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (site, _) = load(&req, &state, &caller, &path).await?;
    let params = Params {
        pairs: query_pairs(&req),
    };
    let tz: chrono_tz::Tz = site.timezone.parse().unwrap_or(chrono_tz::UTC);
    let (from, to) = (bound(&params, "from", tz)?, bound(&params, "to", tz)?);
    let exec = execution(
        &req,
        &caller,
        site.workspace_id,
        StreamId::site(site.id),
        None,
    );
    let command = SiteCommand::DeleteData {
        from,
        to,
        now: exec.now,
    };
    let (outcome, _) =
        execute::<SiteAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let stream = StreamId::site(site.id);
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline
        && !keel_projections::has_applied(
            &state.db,
            Projection::Analytics,
            stream.as_str(),
            outcome.last_position,
        )
        .await?
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let history = state.store.read_stream(&stream).await?;
    let event = history
        .iter()
        .find(|e| e.position == outcome.last_position)
        .ok_or_else(|| ApiError::Internal("the deletion's event is missing".into()))?;
    let deletion = job(&state, event)
        .await?
        .ok_or_else(|| ApiError::Internal("the deletion's event is of another type".into()))?;
    let mut resp = if deletion.status == "completed" {
        HttpResponse::Ok()
    } else {
        HttpResponse::Accepted()
    };
    resp.insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .insert_header((
            LOCATION,
            format!("/api/v1/sites/{}/data/deletions/{}", site.id, deletion.id),
        ));
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: deletion,
    }))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/data/deletions", tag = "analytics",
    params(("id" = String, Path, description = "site id"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "default 50"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "rows to skip")),
    responses((status = 200, description = "the site's deletions of analytics, newest first", body = Page<DataDeletion>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, history) = load(&req, &state, &caller, &path).await?;
    let params = Params {
        pairs: query_pairs(&req),
    };
    let (limit, offset) = params.page()?;
    let all: Vec<&RecordedEvent> = history
        .iter()
        .rev()
        .filter(|e| matches!(e.event, DomainEvent::AnalyticsDeleted(_)))
        .collect();
    let mut rows = vec![];
    for e in all
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
    {
        rows.extend(job(&state, e).await?);
    }
    let f = ListFilter {
        limit,
        offset,
        ..ListFilter::default()
    };
    Ok(HttpResponse::Ok().json(crate::http::page_of(&req, rows, all.len() as i64, &f)))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/data/deletions/{deletion_id}", tag = "analytics",
    params(("id" = String, Path, description = "site id"), ("deletion_id" = String, Path, description = "the job's id")),
    responses((status = 200, description = "the deletion: pending or completed", body = Data<DataDeletion>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_raw, raw) = path.into_inner();
    let (_, history) = load(&req, &state, &caller, &site_raw).await?;
    let id: EventId = path_id(&raw, "deletion")?;
    let e = history
        .iter()
        .find(|e| e.event_id == id)
        .ok_or(ApiError::NotFound("deletion"))?;
    let deletion = job(&state, e)
        .await?
        .ok_or(ApiError::NotFound("deletion"))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: deletion,
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sites/{id}/data").route(web::delete().to(delete)))
        .service(web::resource("/sites/{id}/data/deletions").route(web::get().to(list)))
        .service(
            web::resource("/sites/{id}/data/deletions/{deletion_id}").route(web::get().to(get)),
        );
}
