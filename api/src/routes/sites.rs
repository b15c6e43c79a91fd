//! `/api/v1/sites`: the sites of the caller's workspace (where analytics events come from).

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    if_match, json_body, list_filter, listed, wait_for_position, with_cursor, written, Data, Page,
    POSITION_HEADER,
};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::site::{CreateSite, Site, SiteAggregate, SiteCommand, UpdateSite};
use keel_commands::workspace::WorkspaceAggregate;
use keel_commands::{execute, Aggregate, EventStore};
use keel_events::{SiteId, StreamId, WorkspaceId};
use keel_projections::sites::{self, SiteView, SITE_SORTS};
use keel_projections::Projection;
use rand::Rng;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSiteBody {
    name: String,
    /// Host name only, e.g. `shop.example.com`.
    domain: String,
    /// IANA time zone; defaults to the workspace's.
    timezone: Option<String>,
    /// ISO 4217; defaults to `USD`.
    currency: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSiteBody {
    name: Option<String>,
    domain: Option<String>,
    timezone: Option<String>,
    currency: Option<String>,
}

/// A public tracking id: `kt_` and 20 base62 characters. Not a secret (it goes into web pages);
/// long enough that ids cannot be enumerated.
fn tracking_id(mut rng: impl rand::RngCore) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let body: String = (0..20)
        .map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())]))
        .collect();
    format!("kt_{body}")
}

/// The site, if it is live and in this workspace (another workspace's site is simply not found).
async fn load(state: &AppState, ws: WorkspaceId, id: SiteId) -> Result<Site, ApiError> {
    let mine = |s: &Site| s.workspace_id == ws && !s.deleted;
    Ok(
        load_aggregate::<SiteAggregate, _>(state, &StreamId::site(id), "site", mine)
            .await?
            .0,
    )
}

/// A site as its writer sees it right after the write, from the aggregate's state.
fn view(s: &Site, version: i64, created_at: Option<String>, updated_at: String) -> SiteView {
    SiteView {
        id: s.id.to_string(),
        workspace_id: s.workspace_id.to_string(),
        name: s.name.clone(),
        domain: s.domain.clone(),
        timezone: s.timezone.clone(),
        currency: s.currency.clone(),
        tracking_id: s.tracking_id.clone(),
        status: "active".into(),
        created_at: created_at.unwrap_or_else(|| updated_at.clone()),
        updated_at,
        version,
    }
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = CreateSiteBody,
    responses((status = 201, description = "created", body = Data<SiteView>), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: CreateSiteBody = json_body(body, state.config.max_body_bytes).await?;
    let timezone = match body.timezone {
        Some(tz) => tz,
        None => {
            let history = state.store.read_stream(&StreamId::workspace(ws)).await?;
            WorkspaceAggregate::fold(history.iter().map(|e| &e.event))
                .map_or_else(|| "UTC".into(), |w| w.settings.timezone)
        }
    };
    let entropy = Entropy::of(&req);
    let id = SiteId(entropy.uuid_v7());
    let command = SiteCommand::Create(CreateSite {
        site_id: id,
        workspace_id: ws,
        name: body.name,
        domain: body.domain.trim().to_string(),
        timezone,
        currency: body.currency.unwrap_or_else(|| "USD".into()),
        tracking_id: tracking_id(entropy.rng()),
    });
    let mut exec = execution(&req, &caller, ws, StreamId::site(id), if_match(&req)?);
    exec.expected_version = None;
    let (outcome, after) =
        execute::<SiteAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let s = after.ok_or_else(|| ApiError::Internal("site missing after create".into()))?;
    let mut resp = written(
        StatusCode::CREATED,
        &outcome,
        view(
            &s,
            outcome.stream_version,
            None,
            keel_schemas::format_ts(exec.now),
        ),
    );
    resp.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/sites/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", params(crate::openapi::ListQuery, crate::openapi::CursorQuery),
    responses((status = 200, body = Page<SiteView>), (status = 400, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Sites).await?;
    let mut f = with_cursor(&req, list_filter(&req, SITE_SORTS, &["active"])?)?;
    f.workspace_id = Some(ws.to_string());
    listed(&req, sites::list_sites(&state.db, &f).await?, &f)
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", params(crate::openapi::Fresh, ("id" = String, Path, description = "site id")),
    responses((status = 200, body = Data<SiteView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<SiteId>(&path, "site")?;
    wait_for_position(&req, &state, Projection::Sites).await?;
    let s = sites::get_site(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", s.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: s,
        }))
}

#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path, description = "site id")), request_body = UpdateSiteBody,
    responses((status = 200, body = Data<SiteView>), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<SiteId>(&path, "site")?;
    load(&state, ws, id).await?;
    let body: UpdateSiteBody = json_body(body, state.config.max_body_bytes).await?;
    let command = SiteCommand::Update(UpdateSite {
        name: body.name,
        domain: body.domain.map(|d| d.trim().to_string()),
        timezone: body.timezone,
        currency: body.currency,
    });
    let exec = execution(&req, &caller, ws, StreamId::site(id), if_match(&req)?);
    let (outcome, after) =
        execute::<SiteAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let s = after.ok_or(ApiError::NotFound("site"))?;
    let created_at = sites::get_site(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .map(|v| v.created_at);
    Ok(written(
        StatusCode::OK,
        &outcome,
        view(
            &s,
            outcome.stream_version,
            created_at,
            keel_schemas::format_ts(exec.now),
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path, description = "site id")),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<SiteId>(&path, "site")?;
    load(&state, ws, id).await?;
    let exec = execution(&req, &caller, ws, StreamId::site(id), if_match(&req)?);
    let (outcome, _) = execute::<SiteAggregate>(
        &state.store,
        &exec,
        &SiteCommand::Delete,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sites")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/sites/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}
