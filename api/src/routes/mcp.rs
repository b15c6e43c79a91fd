//! core-api's MCP endpoints (`/api/v1/mcp/*`): Keel's MCP servers, their tools, tool calls and
//! resources over REST, from the same registry as the MCP endpoint at `/mcp`.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::json_body;
use crate::mcp::{self, tools, CallRefused};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A built-in MCP server as core-api lists it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServerView {
    /// `analytics`, `domains`, `audit`, `keys` or `usage`.
    pub id: String,
    pub name: String,
    pub description: String,
    /// The names of the tools this credential may use.
    pub tools: Vec<String>,
    /// Its own MCP endpoint (Streamable HTTP); `/mcp` serves every server.
    pub endpoint: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServerList {
    pub data: Vec<ServerView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServerBody {
    pub data: ServerView,
}

/// A tool as core-api lists it: `parameters` by name (each with `required`), and the whole
/// JSON Schema as `input_schema`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ToolList {
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    /// The server (`analytics`, …); the tool's own when omitted.
    server: Option<String>,
    tool: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    arguments: Value,
}

/// What a tool answered: the REST route's own answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallResult {
    #[schema(value_type = Object)]
    pub result: Value,
    pub server: String,
    pub tool: String,
    pub duration_ms: i64,
}

fn view(req: &HttpRequest, caller: &Caller, s: &tools::Server) -> ServerView {
    ServerView {
        id: s.id.into(),
        name: s.name.into(),
        description: s.description.into(),
        tools: tools::all()
            .iter()
            .filter(|t| t.server == s.id && mcp::may_use(caller, t).is_ok())
            .map(|t| t.name.to_string())
            .collect(),
        endpoint: format!("{}/mcp/{}", crate::http::base_url(req), s.id),
    }
}

fn server(id: &str) -> Result<&'static tools::Server, ApiError> {
    tools::SERVERS
        .iter()
        .find(|s| s.id == id)
        .ok_or(ApiError::NotFound("MCP server"))
}

#[utoipa::path(get, path = "/api/v1/mcp/servers", tag = "mcp",
    responses((status = 200, description = "Keel's MCP servers, each with the tools this credential may use", body = ServerList)))]
pub async fn servers(req: HttpRequest, caller: Caller) -> HttpResponse {
    let data = tools::SERVERS
        .iter()
        .map(|s| view(&req, &caller, s))
        .collect();
    HttpResponse::Ok().json(ServerList { data })
}

#[utoipa::path(get, path = "/api/v1/mcp/servers/{id}", tag = "mcp",
    params(("id" = String, Path, description = "`analytics`, `domains`, `audit`, `keys` or `usage`")),
    responses((status = 200, body = ServerBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get_server(
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let s = server(&id)?;
    Ok(HttpResponse::Ok().json(ServerBody {
        data: view(&req, &caller, s),
    }))
}

#[utoipa::path(get, path = "/api/v1/mcp/servers/{id}/tools", tag = "mcp",
    params(("id" = String, Path, description = "the server")),
    responses((status = 200, description = "the tools of the server this credential may use", body = ToolList),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn server_tools(caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let s = server(&id)?;
    let data = tools::all()
        .iter()
        .filter(|t| t.server == s.id && mcp::may_use(&caller, t).is_ok())
        .map(|t| t.seed_listing())
        .collect();
    Ok(HttpResponse::Ok().json(ToolList { data }))
}

#[utoipa::path(post, path = "/api/v1/mcp/tools/call", tag = "mcp", request_body = CallBody,
    responses((status = 200, description = "the tool's answer; a refusal of the route it calls keeps that route's status and error", body = CallResult),
        (status = 403, description = "the credential may not use this tool", body = crate::openapi::ErrorBody),
        (status = 404, description = "no such server or tool", body = crate::openapi::ErrorBody),
        (status = 422, description = "the arguments do not fit the tool's schema: nothing ran", body = crate::openapi::ErrorBody)))]
pub async fn call(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CallBody = json_body(body, state.config.max_body_bytes).await?;
    if let Some(s) = &body.server {
        server(s)?;
    }
    let idempotency = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let outcome = mcp::run_tool(
        &req,
        &state,
        &caller,
        body.server.as_deref(),
        &body.tool,
        &body.arguments,
        idempotency.as_deref(),
        mcp::Via {
            channel: "rest",
            protocol_version: None,
            client: None,
        },
    )
    .await;
    match outcome {
        Ok(o) if o.answer.status < 400 => Ok(HttpResponse::Ok().json(CallResult {
            result: o.answer.body,
            server: o.tool.server.into(),
            tool: o.tool.name.into(),
            duration_ms: o.duration_ms,
        })),
        Ok(o) => Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(o.answer.status)
                .unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY),
        )
        .json(o.answer.body)),
        Err(CallRefused::UnknownTool(_)) => Err(ApiError::NotFound("tool")),
        Err(CallRefused::BadArguments(m)) => {
            Err(keel_commands::DomainError::field("arguments", m).into())
        }
        Err(CallRefused::NotAllowed(e)) | Err(CallRefused::Failed(e)) => Err(e),
    }
}

#[utoipa::path(get, path = "/api/v1/mcp/resources/{uri}", tag = "mcp",
    params(("uri" = String, Path, description = "a `keel://` URI, URL-encoded or not (`keel://sites/{id}/stats?period=30d`, `keel://domains/{id}`, `keel://keys/{id}`, `keel://audit/streams/{stream}`)")),
    responses((status = 200, description = "the resource: `uri`, `mime_type` and its JSON as `data`"),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // The rest of the path, URL-decoded (slashes may come encoded or not), with its query.
    let raw = req
        .path()
        .split_once("/mcp/resources/")
        .map(|(_, r)| r.to_string())
        .unwrap_or_default();
    let mut uri = url::form_urlencoded::parse(format!("u={}", raw.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !req.query_string().is_empty() && !uri.contains('?') {
        uri = format!("{uri}?{}", req.query_string());
    }
    match mcp::read_uri(&req, &state, &uri).await {
        Ok(a) if a.status < 400 => Ok(HttpResponse::Ok().json(json!({
            "uri": uri, "mime_type": "application/json", "data": a.body,
        }))),
        Ok(a) => Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(a.status)
                .unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY),
        )
        .json(a.body)),
        Err(None) => Err(ApiError::NotFound("resource")),
        Err(Some(e)) => Err(e),
    }
}

#[utoipa::path(get, path = "/api/v1/mcp/calls", tag = "mcp",
    params(crate::openapi::ListQuery,
        ("actor" = Option<String>, Query, description = "`key:<id>`, `user:<id>` or `operator`"),
        ("server" = Option<String>, Query, description = "`analytics`, `domains`, …"),
        ("tool" = Option<String>, Query, description = "a tool's name"),
        ("outcome" = Option<String>, Query, description = "`ok`, `error` or `refused`"),
        ("via" = Option<String>, Query, description = "`mcp` (the MCP endpoint) or `rest`")),
    responses((status = 200, description = "the workspace's tool calls, newest first: who, which tool, how it went, how long it took; each is also a `mcp.tool_called` event of the audit log", body = crate::http::Page<keel_projections::agents::CallRow>)))]
pub async fn calls(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    use crate::http::{envelope, list_filter, param, query_pairs, wait_for_position};
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, keel_projections::Projection::Agents).await?;
    let mut f = list_filter(&req, &[], &[])?;
    let pairs = query_pairs(&req);
    let outcome = param(&pairs, "outcome").map(str::to_string);
    if let Some(o) = &outcome {
        if !keel_commands::mcp::OUTCOMES.contains(&o.as_str()) {
            return Err(ApiError::BadRequest(
                "`outcome` is one of ok, error, refused".into(),
            ));
        }
    }
    let filter = keel_projections::agents::CallFilter {
        actor: param(&pairs, "actor").map(str::to_string),
        server: param(&pairs, "server").map(str::to_string),
        tool: param(&pairs, "tool").map(str::to_string),
        outcome,
        via: param(&pairs, "via").map(str::to_string),
    };
    let (rows, total) = keel_projections::agents::list_calls(
        &state.db,
        &ws.to_string(),
        &filter,
        f.limit,
        f.offset,
    )
    .await?;
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(&req, rows, total, &f))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/mcp/calls").route(web::get().to(calls)))
        .service(web::resource("/mcp/servers").route(web::get().to(servers)))
        .service(web::resource("/mcp/servers/{id}").route(web::get().to(get_server)))
        .service(web::resource("/mcp/servers/{id}/tools").route(web::get().to(server_tools)))
        .service(web::resource("/mcp/tools/call").route(web::post().to(call)))
        .service(web::resource("/mcp/resources/{uri:.*}").route(web::get().to(resource)));
}
