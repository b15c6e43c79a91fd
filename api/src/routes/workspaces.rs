//! `/api/v1/workspaces`: the operator manages every workspace; a key sees only its own.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    if_match, json_body, list_filter, listed, wait_for_position, with_cursor, written, Data, Page,
    POSITION_HEADER,
};
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::workspace::{
    CreateWorkspace, UpdateWorkspace, Workspace, WorkspaceAggregate, WorkspaceCommand,
};
use keel_commands::{execute, generate_slug, Execution};
use keel_events::{StreamId, Tier, WorkspaceId, WorkspaceSettings};
use keel_projections::workspaces::{
    self, WorkspaceSettingsView, WorkspaceView, WORKSPACE_SORTS, WORKSPACE_STATUSES,
};
use keel_projections::Projection;
use serde::Deserialize;
use serde::Serialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// IANA time zone, e.g. Europe/Berlin
    timezone: Option<String>,
    locale: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspaceBody {
    name: String,
    slug: Option<String>,
    #[schema(value_type = Option<String>, example = "free")]
    tier: Option<Tier>,
    #[serde(default, deserialize_with = "crate::http::object_or_null")]
    settings: Option<SettingsBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkspaceBody {
    name: Option<String>,
    slug: Option<String>,
    #[schema(value_type = Option<String>, example = "free")]
    tier: Option<Tier>,
    #[serde(default, deserialize_with = "crate::http::object_or_null")]
    settings: Option<SettingsBody>,
}

/// A workspace as its writer sees it right after the write, from the aggregate's state.
fn view(
    w: &Workspace,
    version: i64,
    created_at: Option<String>,
    updated_at: String,
) -> WorkspaceView {
    WorkspaceView {
        id: w.id.to_string(),
        name: w.name.clone(),
        slug: w.slug.clone(),
        tier: w.tier.as_str().to_string(),
        settings: WorkspaceSettingsView {
            timezone: w.settings.timezone.clone(),
            locale: w.settings.locale.clone(),
        },
        status: if w.deleted { "deleted" } else { "active" }.into(),
        created_at: created_at.unwrap_or_else(|| updated_at.clone()),
        updated_at,
        version,
        as_of: None,
    }
}

/// A workspace as its log says it is now: never behind a write, unlike the read model (for the
/// answers that embed it, and the caller's own project).
pub async fn current(state: &AppState, id: WorkspaceId) -> Result<WorkspaceView, ApiError> {
    let (w, history) = crate::routes::load_aggregate::<WorkspaceAggregate, _>(
        state,
        &StreamId::workspace(id),
        "workspace",
        |w: &Workspace| !w.deleted,
    )
    .await?;
    let at =
        |e: Option<&keel_events::RecordedEvent>| e.map(|e| keel_schemas::format_ts(e.occurred_at));
    let version = history.last().map_or(0, |e| e.stream_version);
    Ok(view(
        &w,
        version,
        at(history.first()),
        at(history.last()).unwrap_or_default(),
    ))
}

#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", request_body = CreateWorkspaceBody,
    responses((status = 201, description = "created", body = Data<WorkspaceView>), (status = 403, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateWorkspaceBody = json_body(body, state.config.max_body_bytes).await?;
    let id = WorkspaceId(Entropy::of(&req).uuid_v7());
    let slug = match body.slug {
        Some(s) => s,
        None => {
            let base = generate_slug(&body.name);
            // A generated slug that is taken gets a short suffix from the new id.
            if keel_infra::slug_in_use(&state.db, &base).await? {
                format!("{base}-{}", &id.0.simple().to_string()[24..])
            } else {
                base
            }
        }
    };
    let defaults = WorkspaceSettings::default();
    let settings = body
        .settings
        .map_or(defaults.clone(), |s| WorkspaceSettings {
            timezone: s.timezone.unwrap_or(defaults.timezone),
            locale: s.locale.unwrap_or(defaults.locale),
        });
    let command = WorkspaceCommand::Create(CreateWorkspace {
        workspace_id: id,
        name: body.name,
        slug,
        tier: body.tier.unwrap_or_default(),
        settings,
    });
    let now = chrono::Utc::now();
    let exec = Execution {
        now,
        new_stream: !Entropy::of(&req).is_seeded(),
        ..execution(&req, &caller, id, StreamId::workspace(id), None)
    };
    let (outcome, state_after) =
        execute::<WorkspaceAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let w =
        state_after.ok_or_else(|| ApiError::Internal("workspace missing after create".into()))?;
    let mut resp = written(
        actix_web::http::StatusCode::CREATED,
        &outcome,
        view(
            &w,
            outcome.stream_version,
            None,
            keel_schemas::format_ts(now),
        ),
    );
    resp.headers_mut().insert(
        actix_web::http::header::LOCATION,
        actix_web::http::header::HeaderValue::from_str(&format!("/api/v1/workspaces/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces", params(crate::openapi::ListQuery, crate::openapi::CursorQuery),
    responses((status = 200, body = Page<WorkspaceView>), (status = 400, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    wait_for_position(&req, &state, Projection::Workspaces).await?;
    let mut f = with_cursor(
        &req,
        list_filter(&req, WORKSPACE_SORTS, WORKSPACE_STATUSES)?,
    )?;
    match &caller {
        Caller::Key(k) => f.workspace_id = Some(k.workspace_id.to_string()),
        Caller::User(u) => f.workspace_id = Some(u.workspace()?.0.to_string()),
        Caller::Operator => {}
    }
    listed(&req, workspaces::list_workspaces(&state.db, &f).await?, &f)
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}", tag = "workspaces", params(crate::openapi::Fresh, ("id" = String, Path, description = "workspace id")),
    responses((status = 200, body = Data<WorkspaceView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<WorkspaceId>(&path, "workspace")?;
    if !caller.can_see_workspace(id) {
        return Err(ApiError::NotFound("workspace"));
    }
    if let Some(at) = crate::routes::as_of::param(&req, chrono::Utc::now())? {
        let history = crate::routes::as_of::history(
            &state.db,
            id,
            Some(StreamId::workspace(id).as_str()),
            None,
            at,
        )
        .await?;
        let w = crate::routes::as_of::workspace_view(&history, at)
            .ok_or(ApiError::NotFound("workspace"))?;
        return Ok(HttpResponse::Ok().json(Data {
            status: crate::http::Success::Ok,
            data: w,
        }));
    }
    wait_for_position(&req, &state, Projection::Workspaces).await?;
    let w = workspaces::get_workspace(&state.db, &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("workspace"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", w.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: w,
        }))
}

#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", tag = "workspaces", params(("id" = String, Path, description = "workspace id")), request_body = UpdateWorkspaceBody,
    responses((status = 200, body = Data<WorkspaceView>), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<WorkspaceId>(&path, "workspace")?;
    if !caller.can_see_workspace(id) {
        return Err(ApiError::NotFound("workspace"));
    }
    let body: UpdateWorkspaceBody = json_body(body, state.config.max_body_bytes).await?;
    if body.tier.is_some() {
        // The plan is the operator's to set, not the customer's.
        caller.require_operator()?;
    }
    let (timezone, locale) = body
        .settings
        .map_or((None, None), |s| (s.timezone, s.locale));
    let command = WorkspaceCommand::Update(UpdateWorkspace {
        name: body.name,
        slug: body.slug,
        tier: body.tier,
        timezone,
        locale,
    });
    let now = chrono::Utc::now();
    let exec = Execution {
        now,
        ..execution(&req, &caller, id, StreamId::workspace(id), if_match(&req)?)
    };
    let (outcome, after) =
        execute::<WorkspaceAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    state.key_cache.evict_workspace(id);
    let w = after.ok_or(ApiError::NotFound("workspace"))?;
    let created_at = workspaces::get_workspace(&state.db, &id.to_string())
        .await?
        .map(|v| v.created_at);
    Ok(written(
        actix_web::http::StatusCode::OK,
        &outcome,
        view(
            &w,
            outcome.stream_version,
            created_at,
            keel_schemas::format_ts(now),
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{id}", tag = "workspaces", params(("id" = String, Path, description = "workspace id")),
    responses((status = 204, description = "deleted"), (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<WorkspaceId>(&path, "workspace")?;
    if !caller.can_see_workspace(id) {
        return Err(ApiError::NotFound("workspace"));
    }
    caller.require_operator()?;
    let exec = execution(&req, &caller, id, StreamId::workspace(id), if_match(&req)?);
    let (outcome, _) = execute::<WorkspaceAggregate>(
        &state.store,
        &exec,
        &WorkspaceCommand::Delete,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    state.key_cache.evict_workspace(id);
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/history", tag = "workspaces", params(("id" = String, Path, description = "workspace id")),
    responses((status = 200, body = Page<keel_schemas::PublicEvent>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<WorkspaceId>(&path, "workspace")?;
    if !caller.can_see_workspace(id) {
        return Err(ApiError::NotFound("workspace"));
    }
    let events = state
        .store
        .read_tenant_stream(id, &StreamId::workspace(id))
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound("workspace"));
    }
    let mut f = crate::http::list_filter(&req, &[], &[])?;
    let total = events.len() as i64;
    let rows: Vec<_> = events
        .iter()
        .skip(f.offset as usize)
        .take(f.limit as usize)
        .map(crate::routes::audit::audit_view)
        .collect();
    f.workspace_id = Some(id.to_string());
    Ok(crate::http::envelope(&req, rows, total, &f))
}

/// The caller's workspace as Dashtray shows a project.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "createdAt")]
    pub created_at_ms: i64,
    /// RFC 3339 (Keel).
    pub created_at: String,
    pub tier: String,
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "workspaces",
    responses((status = 200, description = "the caller's workspace as Dashtray's project (`X-Workspace-ID` for the operator)", body = Data<Project>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn project(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let w = current(&state, ws).await?;
    let created_at_ms = keel_schemas::parse_ts(&w.created_at)
        .map(|t| t.timestamp_millis())
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: Project {
            id: w.id,
            name: w.name,
            slug: w.slug,
            created_at_ms,
            created_at: w.created_at,
            tier: w.tier,
        },
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/projects").route(web::get().to(project)))
        .service(
            web::resource("/workspaces")
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/workspaces/{id}")
                .route(web::get().to(get))
                .route(web::patch().to(update))
                .route(web::delete().to(delete)),
        )
        .service(web::resource("/workspaces/{id}/history").route(web::get().to(history)));
}
