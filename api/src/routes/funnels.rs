//! `/api/v1/sites/{id}/funnels`: funnels saved on a site (DataFast's saved funnels), their
//! results, and the ad-hoc funnel of `?steps=` kept beside them.
//!
//! A site's funnels live on the site's own stream, so the decider sees every name of the site
//! at once (409 `name_taken` on a duplicate) and a read after a write never lags.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{if_match, json_body, page_of, query_pairs, written, Data, Page};
use crate::routes::analytics::load_site;
use crate::routes::insights::{funnel, funnel_answer, Funnel};
use crate::routes::stats::{context, Params, StatsAnswer};
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::site::{FunnelChange, NewFunnel, SavedFunnel, Site, SiteAggregate, SiteCommand};
use keel_commands::{execute, Aggregate, EventStore};
use keel_events::{DomainEvent, FunnelId, FunnelStepDef, RecordedEvent, SiteId, StreamId};
use keel_projections::insights::Step;
use keel_projections::query::ListFilter;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One step of a saved funnel.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelStepBody {
    /// `page` (a pageview of a path) or `goal` (a goal completion).
    #[serde(rename = "type")]
    #[schema(example = "page")]
    pub kind: String,
    /// The path, starting with `/`, or the goal's name.
    #[schema(example = "/pricing")]
    pub value: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFunnelBody {
    /// 1 to 100 characters, unique on the site (case-insensitively).
    name: String,
    /// 2 to 8 steps, in order.
    steps: Vec<FunnelStepBody>,
    /// Minutes from the first step to the last: 1 to 129600, default 1440 (a day).
    #[serde(alias = "window")]
    window_minutes: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFunnelBody {
    name: Option<String>,
    steps: Option<Vec<FunnelStepBody>>,
    #[serde(alias = "window")]
    window_minutes: Option<i64>,
}

/// A saved funnel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedFunnelView {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub steps: Vec<FunnelStepBody>,
    pub window_minutes: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The saved funnels' list, or (with `steps`) the ad-hoc funnel's result.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FunnelsAnswer {
    Saved(Page<SavedFunnelView>),
    Adhoc(StatsAnswer<Funnel>),
}

fn defs(steps: Vec<FunnelStepBody>) -> Vec<FunnelStepDef> {
    steps
        .into_iter()
        .map(|s| FunnelStepDef {
            kind: s.kind,
            value: s.value,
        })
        .collect()
}

/// When each funnel of the stream was created and last changed.
fn times(history: &[RecordedEvent]) -> HashMap<FunnelId, (String, String)> {
    let mut out: HashMap<FunnelId, (String, String)> = HashMap::new();
    for e in history {
        let at = keel_schemas::format_ts(e.occurred_at);
        match &e.event {
            DomainEvent::FunnelCreated(c) => {
                out.insert(c.funnel_id, (at.clone(), at));
            }
            DomainEvent::FunnelUpdated(u) => {
                if let Some(t) = out.get_mut(&u.funnel_id) {
                    t.1 = at;
                }
            }
            _ => {}
        }
    }
    out
}

fn view(
    site: &Site,
    f: &SavedFunnel,
    times: &HashMap<FunnelId, (String, String)>,
) -> SavedFunnelView {
    let (created_at, updated_at) = times.get(&f.id).cloned().unwrap_or_default();
    SavedFunnelView {
        id: f.id.to_string(),
        site_id: site.id.to_string(),
        name: f.name.clone(),
        steps: f
            .steps
            .iter()
            .map(|s| FunnelStepBody {
                kind: s.kind.clone(),
                value: s.value.clone(),
            })
            .collect(),
        window_minutes: f.window_minutes,
        created_at,
        updated_at,
    }
}

/// The live site of the caller's workspace, with its stream's history.
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

/// Runs a funnel command on the site's stream; the site after it, with its history.
async fn run(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    site: &Site,
    command: SiteCommand,
) -> Result<(keel_commands::AppendOutcome, Site, Vec<RecordedEvent>), ApiError> {
    let exec = execution(
        req,
        caller,
        site.workspace_id,
        StreamId::site(site.id),
        if_match(req)?,
    );
    let (outcome, after) =
        execute::<SiteAggregate>(&state.store, &exec, &command, Entropy::of(req).event_ids())
            .await?;
    let after = after.ok_or(ApiError::NotFound("site"))?;
    let history = state.store.read_stream(&StreamId::site(site.id)).await?;
    Ok((outcome, after, history))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/funnels", tag = "analytics",
    params(("id" = String, Path, description = "site id"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "saved funnels per page, default 50"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "saved funnels to skip"),
        ("steps" = Option<String>, Query, description = "an ad-hoc funnel instead of the list: 2 to 8 ordered steps, comma-separated, `page:/pricing,goal:signup` (required with any of the parameters below)"),
        ("window" = Option<i64>, Query, description = "with steps: minutes from the first step to the last, default 1440 (a day)"),
        ("period" = Option<String>, Query, description = "with steps: as for stats; visitors enter with step 1 in the range"),
        ("from" = Option<String>, Query, description = "with steps: as for stats"), ("to" = Option<String>, Query, description = "with steps: as for stats"),
        ("timezone" = Option<String>, Query, description = "with steps: as for stats")),
    responses((status = 200, description = "the site's saved funnels, oldest first; with `steps`, the ad-hoc funnel's visitors, conversion and drop-off per step", body = FunnelsAnswer),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params {
        pairs: query_pairs(&req),
    };
    // Any of the ad-hoc funnel's parameters asks for it (and `steps` is then required).
    const ADHOC: [&str; 6] = ["steps", "window", "period", "from", "to", "timezone"];
    if params
        .pairs
        .iter()
        .any(|(k, _)| ADHOC.contains(&k.as_str()))
    {
        return funnel(req, state, caller, path).await;
    }
    let (site, history) = load(&req, &state, &caller, &path).await?;
    let (limit, offset) = params.page()?;
    let t = times(&history);
    let total = site.funnels.len() as i64;
    let rows: Vec<SavedFunnelView> = site
        .funnels
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|f| view(&site, f, &t))
        .collect();
    let f = ListFilter {
        limit,
        offset,
        ..ListFilter::default()
    };
    Ok(HttpResponse::Ok().json(page_of(&req, rows, total, &f)))
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/funnels", tag = "analytics", request_body = CreateFunnelBody,
    params(("id" = String, Path, description = "site id")),
    responses((status = 201, description = "saved", body = Data<SavedFunnelView>), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "`name_taken`: another funnel of the site has this name", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (site, _) = load(&req, &state, &caller, &path).await?;
    let body: CreateFunnelBody = json_body(body, state.config.max_body_bytes).await?;
    let id = FunnelId(Entropy::of(&req).uuid_v7());
    let command = SiteCommand::CreateFunnel(NewFunnel {
        funnel_id: id,
        name: body.name,
        steps: defs(body.steps),
        window_minutes: body.window_minutes,
    });
    let (outcome, after, history) = run(&req, &state, &caller, &site, command).await?;
    let f = after
        .funnels
        .iter()
        .find(|f| f.id == id)
        .ok_or(ApiError::NotFound("funnel"))?;
    let mut resp = written(
        StatusCode::CREATED,
        &outcome,
        view(&after, f, &times(&history)),
    );
    resp.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/sites/{}/funnels/{id}", site.id))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

fn find(site: &Site, raw: &str) -> Result<SavedFunnel, ApiError> {
    let id: FunnelId = path_id(raw, "funnel")?;
    site.funnels
        .iter()
        .find(|f| f.id == id)
        .cloned()
        .ok_or(ApiError::NotFound("funnel"))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/funnels/{funnel_id}", tag = "analytics",
    params(("id" = String, Path, description = "site id"), ("funnel_id" = String, Path, description = "funnel id")),
    responses((status = 200, body = Data<SavedFunnelView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_raw, funnel_raw) = path.into_inner();
    let (site, history) = load(&req, &state, &caller, &site_raw).await?;
    let f = find(&site, &funnel_raw)?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: view(&site, &f, &times(&history)),
    }))
}

#[utoipa::path(patch, path = "/api/v1/sites/{id}/funnels/{funnel_id}", tag = "analytics", request_body = UpdateFunnelBody,
    params(("id" = String, Path, description = "site id"), ("funnel_id" = String, Path, description = "funnel id")),
    responses((status = 200, body = Data<SavedFunnelView>), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "`name_taken`, or `version_conflict` with If-Match", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (site_raw, funnel_raw) = path.into_inner();
    let (site, _) = load(&req, &state, &caller, &site_raw).await?;
    let f = find(&site, &funnel_raw)?;
    let body: UpdateFunnelBody = json_body(body, state.config.max_body_bytes).await?;
    let command = SiteCommand::UpdateFunnel(FunnelChange {
        funnel_id: f.id,
        name: body.name,
        steps: body.steps.map(defs),
        window_minutes: body.window_minutes,
    });
    let (outcome, after, history) = run(&req, &state, &caller, &site, command).await?;
    let f = after
        .funnels
        .iter()
        .find(|g| g.id == f.id)
        .ok_or(ApiError::NotFound("funnel"))?;
    Ok(written(
        StatusCode::OK,
        &outcome,
        view(&after, f, &times(&history)),
    ))
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}/funnels/{funnel_id}", tag = "analytics",
    params(("id" = String, Path, description = "site id"), ("funnel_id" = String, Path, description = "funnel id")),
    responses((status = 204, description = "deleted; its name is free again"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_raw, funnel_raw) = path.into_inner();
    let (site, _) = load(&req, &state, &caller, &site_raw).await?;
    let f = find(&site, &funnel_raw)?;
    let (outcome, _, _) = run(
        &req,
        &state,
        &caller,
        &site,
        SiteCommand::DeleteFunnel(f.id),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((
            crate::http::POSITION_HEADER,
            outcome.last_position.to_string(),
        ))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/funnels/{funnel_id}/results", tag = "analytics",
    params(("id" = String, Path, description = "site id"), ("funnel_id" = String, Path, description = "funnel id"),
        ("period" = Option<String>, Query, description = "as for stats; visitors enter with step 1 in the range"),
        ("from" = Option<String>, Query, description = "as for stats"), ("to" = Option<String>, Query, description = "as for stats"),
        ("timezone" = Option<String>, Query, description = "as for stats")),
    responses((status = 200, description = "the saved funnel's visitors, conversion and drop-off per step, within its window", body = StatsAnswer<Funnel>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn results(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_raw, funnel_raw) = path.into_inner();
    let ws = caller.workspace(&req, &state).await?;
    let site_id: SiteId = path_id(&site_raw, "site")?;
    let site = load_site(&state, ws, site_id)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    let f = find(&site, &funnel_raw)?;
    let ctx = context(&req, &state, &caller, &site_raw).await?;
    let steps: Vec<Step> = f
        .steps
        .iter()
        .map(|s| match s.kind.as_str() {
            "goal" => Step::Goal(s.value.clone()),
            _ => Step::Page(s.value.clone()),
        })
        .collect();
    Ok(HttpResponse::Ok().json(funnel_answer(&state, &ctx, &steps, f.window_minutes).await?))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sites/{id}/funnels")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/sites/{id}/funnels/{funnel_id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/sites/{id}/funnels/{funnel_id}/results").route(web::get().to(results)),
    );
}
