//! `/api/v1/dashboards`: saved sets of widgets, and every widget's series in one call.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    if_match, json_body, list_filter, listed, wait_for_position, with_cursor, written, Data, Page,
    POSITION_HEADER,
};
use crate::routes::analytics::load_site;
use crate::routes::stats::{parse_filters, range, series, Params};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::dashboard::{Dashboard, DashboardAggregate, DashboardCommand};
use keel_commands::execute;
use keel_events::{DashboardId, StreamId, Widget, WorkspaceId};
use keel_projections::dashboards::{self, DashboardView, DASHBOARD_SORTS};
use keel_projections::stats::Interval;
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardBody {
    name: Option<String>,
    /// Free text, at most 2,000 characters.
    description: Option<String>,
    /// `[{"title", "site_id", "metric", "interval", "period", "filters"}]`, at most 24.
    #[schema(value_type = Option<Vec<Object>>)]
    widgets: Option<Vec<Widget>>,
}

/// The dashboard as of its stream, and when it was created (as the read model says it).
async fn load(
    state: &AppState,
    ws: WorkspaceId,
    id: DashboardId,
) -> Result<(Dashboard, String), ApiError> {
    let mine = |d: &Dashboard| d.workspace_id == ws && !d.deleted;
    let (d, history) =
        load_aggregate::<DashboardAggregate, _>(state, &StreamId::dashboard(id), "dashboard", mine)
            .await?;
    let created = history
        .first()
        .map(|e| keel_schemas::format_ts(e.occurred_at))
        .unwrap_or_default();
    Ok((d, created))
}

/// Every widget's site must be a live site of the workspace.
async fn check_sites(
    state: &AppState,
    ws: WorkspaceId,
    widgets: &[Widget],
) -> Result<(), ApiError> {
    for (i, w) in widgets.iter().enumerate() {
        if load_site(state, ws, w.site_id).await?.is_none() {
            return Err(keel_commands::DomainError::field(
                &format!("widgets[{i}].site_id"),
                "no such site in this workspace",
            )
            .into());
        }
    }
    Ok(())
}

/// A dashboard as its writer sees it right after the write, from the aggregate's state.
fn view(d: &Dashboard, version: i64, created: &str, at: &str) -> DashboardView {
    DashboardView {
        id: d.id.to_string(),
        workspace_id: d.workspace_id.to_string(),
        name: d.name.clone(),
        description: d.description.clone(),
        kind: "custom",
        widgets: serde_json::to_value(&d.widgets).unwrap_or(Value::Array(vec![])),
        status: "active".into(),
        created_at: created.to_string(),
        updated_at: at.to_string(),
        version,
    }
}

#[utoipa::path(post, path = "/api/v1/dashboards", tag = "dashboards", request_body = DashboardBody,
    responses((status = 201, description = "created", body = Data<DashboardView>), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: DashboardBody = json_body(body, state.config.max_body_bytes).await?;
    let widgets = body.widgets.unwrap_or_default();
    check_sites(&state, ws, &widgets).await?;
    let id = DashboardId(Entropy::of(&req).uuid_v7());
    let command = DashboardCommand::Create {
        dashboard_id: id,
        workspace_id: ws,
        name: body.name.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        widgets,
    };
    let mut exec = execution(&req, &caller, ws, StreamId::dashboard(id), if_match(&req)?);
    exec.expected_version = None;
    let (outcome, after) =
        execute::<DashboardAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let d = after.ok_or_else(|| ApiError::Internal("dashboard missing after create".into()))?;
    let now = keel_schemas::format_ts(exec.now);
    let mut resp = written(
        StatusCode::CREATED,
        &outcome,
        view(&d, outcome.stream_version, &now, &now),
    );
    resp.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/dashboards/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/dashboards", tag = "dashboards", params(crate::openapi::ListQuery, crate::openapi::CursorQuery),
    responses((status = 200, description = "the workspace's dashboards, paginated", body = Page<DashboardView>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Dashboards).await?;
    let mut f = with_cursor(&req, list_filter(&req, DASHBOARD_SORTS, &["active"])?)?;
    f.workspace_id = Some(ws.to_string());
    listed(&req, dashboards::list_dashboards(&state.db, &f).await?, &f)
}

#[utoipa::path(get, path = "/api/v1/dashboards/{id}", tag = "dashboards", params(crate::openapi::Fresh, ("id" = String, Path, description = "dashboard id")),
    responses((status = 200, body = Data<DashboardView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DashboardId>(&path, "dashboard")?;
    wait_for_position(&req, &state, Projection::Dashboards).await?;
    let d = dashboards::get_dashboard(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("dashboard"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", d.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: d,
        }))
}

#[utoipa::path(patch, path = "/api/v1/dashboards/{id}", tag = "dashboards", params(("id" = String, Path, description = "dashboard id")), request_body = DashboardBody,
    responses((status = 200, body = Data<DashboardView>), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DashboardId>(&path, "dashboard")?;
    let (_, created) = load(&state, ws, id).await?;
    let body: DashboardBody = json_body(body, state.config.max_body_bytes).await?;
    if let Some(w) = &body.widgets {
        check_sites(&state, ws, w).await?;
    }
    let command = DashboardCommand::Update {
        name: body.name,
        description: body.description,
        widgets: body.widgets,
    };
    let exec = execution(&req, &caller, ws, StreamId::dashboard(id), if_match(&req)?);
    let (outcome, after) =
        execute::<DashboardAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let d = after.ok_or(ApiError::NotFound("dashboard"))?;
    Ok(written(
        StatusCode::OK,
        &outcome,
        view(
            &d,
            outcome.stream_version,
            &created,
            &keel_schemas::format_ts(exec.now),
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/dashboards/{id}", tag = "dashboards", params(("id" = String, Path, description = "dashboard id")),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DashboardId>(&path, "dashboard")?;
    load(&state, ws, id).await?;
    let exec = execution(&req, &caller, ws, StreamId::dashboard(id), if_match(&req)?);
    let (outcome, _) = execute::<DashboardAggregate>(
        &state.store,
        &exec,
        &DashboardCommand::Delete,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

/// A dashboard with each widget's series.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DashboardData {
    pub id: String,
    pub name: String,
    pub widgets: Vec<WidgetData>,
}

/// A widget as saved, with its series over its period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WidgetData {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub widget: keel_events::Widget,
    pub series: Vec<WidgetPoint>,
    /// rollups or events; absent when the widget's site is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub source: Option<&'static str>,
    /// Why the widget has no series.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub error: Option<&'static str>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WidgetPoint {
    pub date: String,
    /// The widget's metric in that bucket (a number, or per-currency amounts for revenue).
    pub value: Value,
}

#[utoipa::path(get, path = "/api/v1/dashboards/{id}/data", tag = "dashboards", params(crate::openapi::Fresh, ("id" = String, Path, description = "dashboard id")),
    responses((status = 200, description = "the dashboard with each widget's series", body = Data<DashboardData>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn data(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DashboardId>(&path, "dashboard")?;
    let (d, _) = load(&state, ws, id).await?;
    wait_for_position(&req, &state, Projection::Analytics).await?;
    let mut widgets = Vec::with_capacity(d.widgets.len());
    for w in &d.widgets {
        let mut out = WidgetData {
            widget: w.clone(),
            series: vec![],
            source: None,
            error: None,
        };
        let Some(site) = load_site(&state, ws, w.site_id).await? else {
            out.error = Some("the site has been deleted");
            widgets.push(out);
            continue;
        };
        let mut pairs = vec![("period".to_string(), w.period.clone())];
        if !w.filters.is_empty() {
            pairs.push((
                "filters".into(),
                Value::Array(w.filters.clone()).to_string(),
            ));
        }
        let params = Params { pairs };
        let (mut q, _, _) = range(&params, &site.timezone)?;
        q.site_id = site.id.to_string();
        if let Some(raw) = params.get("filters") {
            q.filters = parse_filters(raw)?;
        }
        let interval = match w.interval.as_str() {
            "hour" => Interval::Hour,
            "week" => Interval::Week,
            "month" => Interval::Month,
            _ => Interval::Day,
        };
        let (rows, source) = series(&state, &q, interval, &[w.metric.as_str()]).await?;
        out.series = rows
            .into_iter()
            .map(|r| WidgetPoint {
                value: r.metrics.get(w.metric.as_str()),
                date: r.date,
            })
            .collect();
        out.source = Some(source.as_str());
        widgets.push(out);
    }
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: DashboardData {
            id: d.id.to_string(),
            name: d.name,
            widgets,
        },
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/dashboards")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/dashboards/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/dashboards/{id}/data").route(web::get().to(data)));
}
