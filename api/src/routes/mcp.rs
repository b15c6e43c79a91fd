//! core-api's MCP endpoints (`/api/v1/mcp/*`): Keel's MCP servers, their tools, tool calls and
//! resources over REST, from the same registry as the MCP endpoint at `/mcp`.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::json_body;
use crate::http::Data;
use crate::mcp::remote::{self, RemoteServerView};
use crate::mcp::{self, tools, CallRefused};
use crate::routes::execution;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An MCP server as core-api lists it: one of Keel's, or a remote one the workspace registered.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServerView {
    /// `analytics`, `domains`, `audit`, `keys`, `usage`, or a remote server's name.
    pub id: String,
    pub name: String,
    pub description: String,
    /// The names of the tools this credential may use.
    pub tools: Vec<String>,
    /// Its own MCP endpoint (Streamable HTTP); `/mcp` serves every server.
    pub endpoint: String,
    /// `builtin` or `remote`.
    pub kind: &'static str,
    /// A remote server: where it is and how Keel reaches it (never its credential).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub remote: Option<RemoteDetails>,
}

/// A remote server's registration.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RemoteDetails {
    pub url: String,
    pub active: bool,
    pub timeout_ms: i64,
    pub credential_header: Option<String>,
    pub credential_hint: Option<String>,
    pub protocol_version: String,
    pub server_name: Option<String>,
    pub server_version: Option<String>,
    pub registered_at: String,
    pub updated_at: String,
}

fn remote_view(
    req: &HttpRequest,
    caller: &Caller,
    r: &keel_projections::agents::RemoteServerRow,
) -> ServerView {
    ServerView {
        id: r.name.clone(),
        name: r.title.clone(),
        description: r.description.clone().unwrap_or_default(),
        tools: if remote::may_call(caller).is_ok() {
            r.tools.iter().map(|t| t.name.clone()).collect()
        } else {
            vec![]
        },
        endpoint: format!("{}/mcp/{}", crate::http::base_url(req), r.name),
        kind: "remote",
        remote: Some(RemoteDetails {
            url: r.url.clone(),
            active: r.active,
            timeout_ms: r.timeout_ms,
            credential_header: r.credential_header.clone(),
            credential_hint: r.credential_hint.clone(),
            protocol_version: r.protocol_version.clone(),
            server_name: r.server_name.clone(),
            server_version: r.server_version.clone(),
            registered_at: r.registered_at.clone(),
            updated_at: r.updated_at.clone(),
        }),
    }
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
        kind: "builtin",
        remote: None,
    }
}

fn server(id: &str) -> Result<&'static tools::Server, ApiError> {
    tools::SERVERS
        .iter()
        .find(|s| s.id == id)
        .ok_or(ApiError::NotFound("MCP server"))
}

/// The workspace's remote servers, after the caller's own writes.
async fn remotes(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<keel_projections::agents::RemoteServerRow>, ApiError> {
    let Ok(ws) = caller.workspace(req, state).await else {
        // The operator naming no workspace sees Keel's servers only.
        return Ok(vec![]);
    };
    crate::http::wait_for_position(req, state, keel_projections::Projection::Agents).await?;
    Ok(keel_projections::agents::list_servers(&state.db, &ws.to_string()).await?)
}

async fn remote_named(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<keel_projections::agents::RemoteServerRow, ApiError> {
    crate::http::wait_for_position(req, state, keel_projections::Projection::Agents).await?;
    remote::find(req, state, caller, id)
        .await?
        .ok_or(ApiError::NotFound("MCP server"))
}

#[utoipa::path(get, path = "/api/v1/mcp/servers", tag = "mcp",
    responses((status = 200, description = "Keel's MCP servers, then the workspace's remote ones (`kind: remote`), each with the tools this credential may use", body = ServerList)))]
pub async fn servers(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let mut data: Vec<ServerView> = tools::SERVERS
        .iter()
        .map(|s| view(&req, &caller, s))
        .collect();
    for r in remotes(&req, &state, &caller).await? {
        data.push(remote_view(&req, &caller, &r));
    }
    Ok(HttpResponse::Ok().json(ServerList { data }))
}

#[utoipa::path(get, path = "/api/v1/mcp/servers/{id}", tag = "mcp",
    params(("id" = String, Path, description = "`analytics`, `domains`, `audit`, `keys`, `usage` or a remote server's name")),
    responses((status = 200, body = ServerBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get_server(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let data = match server(&id) {
        Ok(s) => view(&req, &caller, s),
        Err(_) => remote_view(
            &req,
            &caller,
            &remote_named(&req, &state, &caller, &id).await?,
        ),
    };
    Ok(HttpResponse::Ok().json(ServerBody { data }))
}

#[utoipa::path(get, path = "/api/v1/mcp/servers/{id}/tools", tag = "mcp",
    params(("id" = String, Path, description = "the server")),
    responses((status = 200, description = "the tools of the server this credential may use (a remote server's as it last listed them)", body = ToolList),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn server_tools(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let data = match server(&id) {
        Ok(s) => tools::all()
            .iter()
            .filter(|t| t.server == s.id && mcp::may_use(&caller, t).is_ok())
            .map(|t| t.seed_listing())
            .collect(),
        Err(_) => {
            let r = remote_named(&req, &state, &caller, &id).await?;
            if remote::may_call(&caller).is_ok() {
                r.tools
                    .iter()
                    .map(|t| remote::seed_listing(&r.name, t))
                    .collect()
            } else {
                vec![]
            }
        }
    };
    Ok(HttpResponse::Ok().json(ToolList { data }))
}

/// Registering or changing a remote MCP server.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerBody {
    /// Registration only: the server's id in the workspace, 1 to 32 of `a-z 0-9 -` (a letter
    /// first); its tools are `<name>.<tool>` on `/mcp`. Cannot be changed.
    #[schema(required = false)]
    name: Option<String>,
    /// Registration only, required: its Streamable HTTP endpoint (`https://…/mcp`). Changing it
    /// connects again.
    #[schema(required = false)]
    url: Option<String>,
    #[schema(required = false)]
    title: Option<String>,
    /// An empty description clears it.
    #[schema(required = false)]
    description: Option<String>,
    /// The credential the server takes (a token or key), sent in `credential_header`. Write
    /// only: never shown again. `null` removes it.
    #[schema(value_type = Option<String>, required = false)]
    #[serde(default, deserialize_with = "present")]
    credential: Option<Option<String>>,
    /// The header the credential is sent in (default `Authorization`, as `Bearer <credential>`).
    #[schema(required = false)]
    credential_header: Option<String>,
    /// How long a call may take, 1000 to 60000 ms (default 10000).
    #[schema(required = false)]
    timeout_ms: Option<i64>,
    /// Off: its tools are neither listed nor callable (default on).
    #[schema(required = false)]
    active: Option<bool>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

const MAX_CREDENTIAL: usize = 4096;

fn check_credential(c: &str) -> Result<(), ApiError> {
    let ok = !c.is_empty()
        && c.len() <= MAX_CREDENTIAL
        && c.chars().all(|ch| ch.is_ascii_graphic() || ch == ' ');
    if ok {
        Ok(())
    } else {
        Err(keel_commands::DomainError::field(
            "credential",
            "must be 1 to 4096 visible ASCII characters",
        )
        .into())
    }
}

/// The server's stream: its state and version.
async fn stream_of(
    state: &AppState,
    ws: keel_events::WorkspaceId,
    name: &str,
) -> Result<(keel_commands::mcp::RemoteServerState, i64), ApiError> {
    use keel_commands::{Aggregate, EventStore};
    let history = state
        .store
        .read_stream(&keel_events::StreamId::mcp_server(ws, name))
        .await?;
    let folded = keel_commands::mcp::McpServerAggregate::fold(history.iter().map(|e| &e.event));
    Ok((folded, history.last().map_or(0, |e| e.stream_version)))
}

/// Stores a new credential under the id the command will name.
async fn store_credential(
    state: &AppState,
    ws: keel_events::WorkspaceId,
    name: &str,
    id: i64,
    secret: &str,
) -> Result<(), ApiError> {
    if keel_infra::mcp_remote::store_credential(&state.db, ws, name, id, secret).await? {
        Ok(())
    } else {
        // Only a run of this same request (same idempotency seed) draws this id.
        Err(ApiError::Internal(
            "the new credential's id is taken by another credential".into(),
        ))
    }
}

#[utoipa::path(post, path = "/api/v1/mcp/servers", tag = "mcp", request_body = RemoteServerBody,
    responses((status = 201, description = "registered: Keel connected, learnt the protocol revision and listed the tools", body = Data<RemoteServerView>),
        (status = 409, description = "a server of this name is registered", body = crate::openapi::ErrorBody),
        (status = 422, description = "bad name or URL, a private or unreachable address, a server that does not speak MCP or refused the credential", body = crate::openapi::ErrorBody)))]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    use keel_commands::mcp::{McpServerAggregate, McpServerCommand, NewCredential};
    use keel_commands::{execute, Aggregate};
    let ws = caller.workspace(&req, &state).await?;
    let body: RemoteServerBody = json_body(body, state.config.max_body_bytes).await?;
    let name = body.name.clone().unwrap_or_default();
    let url = body
        .url
        .clone()
        .ok_or_else(|| keel_commands::DomainError::field("url", "is required"))?;
    let secret = body.credential.clone().flatten();
    if let Some(c) = &secret {
        check_credential(c)?;
    }
    let header = body
        .credential_header
        .clone()
        .unwrap_or_else(|| "Authorization".into());
    let (current, version) = stream_of(&state, ws, &name).await?;
    let credential_id = remote::new_credential_id(&req);
    let command = |discovery: keel_events::RemoteDiscovery| McpServerCommand::Register {
        workspace_id: ws,
        name: name.clone(),
        title: body.title.clone(),
        description: body.description.clone(),
        url: url.clone(),
        timeout_ms: body.timeout_ms,
        active: body.active.unwrap_or(true),
        credential: secret.as_ref().map(|s| NewCredential {
            id: credential_id,
            header: header.clone(),
            hint: keel_infra::mcp_remote::hint(s),
        }),
        discovery,
        allow_private: state.config.mcp_remote_allow_private,
    };
    // Everything that can be checked without the server is checked first.
    let empty = keel_events::RemoteDiscovery {
        protocol_version: String::new(),
        server_name: None,
        server_version: None,
        tools: vec![],
    };
    McpServerAggregate::decide(&current, &command(empty))?;
    let target = remote::target_given(
        ws,
        &name,
        url.trim(),
        body.timeout_ms
            .unwrap_or(keel_commands::mcp::DEFAULT_TIMEOUT_MS),
        secret
            .as_deref()
            .map(|s| (header.as_str(), s, credential_id)),
    );
    let discovery = remote::discover(&state, &target).await?;
    // Stored only once the server took it, under an id no other request draws.
    if let Some(s) = &secret {
        store_credential(&state, ws, &name, credential_id, s).await?;
    }
    let mut exec = execution(
        &req,
        &caller,
        ws,
        keel_events::StreamId::mcp_server(ws, &name),
        None,
    );
    exec.expected_version = Some(crate::http::if_match(&req)?.unwrap_or(version));
    let (outcome, after) = execute::<McpServerAggregate>(
        &state.store,
        &exec,
        &command(discovery),
        crate::entropy::Entropy::of(&req).event_ids(),
    )
    .await?;
    let s = after
        .server
        .ok_or_else(|| ApiError::Internal("MCP server missing after registration".into()))?;
    // Rows a failed earlier request left under this name are no one's.
    keel_infra::mcp_remote::forget_credentials(&state.db, ws, &name, s.credential_id).await?;
    let mut resp = crate::http::written(
        actix_web::http::StatusCode::CREATED,
        &outcome,
        RemoteServerView::of(&s, outcome.stream_version),
    );
    resp.headers_mut().insert(
        actix_web::http::header::LOCATION,
        actix_web::http::header::HeaderValue::from_str(&format!("/api/v1/mcp/servers/{name}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

/// Changes a server (`refresh`: asks it for its tools again, changing nothing else).
async fn change(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    name: &str,
    body: RemoteServerBody,
    refresh: bool,
) -> Result<HttpResponse, ApiError> {
    use keel_commands::mcp::{
        CredentialChange, McpServerAggregate, McpServerCommand, NewCredential,
    };
    use keel_commands::{execute, Aggregate};
    let ws = caller.workspace(req, state).await?;
    if keel_commands::mcp::check_server_name(name).is_err() {
        return Err(ApiError::NotFound("MCP server"));
    }
    let (current, version) = stream_of(state, ws, name).await?;
    let Some(s) = current.server.clone() else {
        return Err(ApiError::NotFound("MCP server"));
    };
    if body.name.as_deref().is_some_and(|n| n != name) {
        return Err(keel_commands::DomainError::field(
            "name",
            "cannot be changed: remove the server and register it again",
        )
        .into());
    }
    let credential_id = remote::new_credential_id(req);
    let credential = match &body.credential {
        None if body.credential_header.is_some() && s.credential_id > 0 => {
            return Err(keel_commands::DomainError::field(
                "credential_header",
                "is changed together with the credential: send `credential` too",
            )
            .into())
        }
        None => CredentialChange::Keep,
        Some(None) => CredentialChange::Clear,
        Some(Some(c)) => {
            check_credential(c)?;
            CredentialChange::Set(NewCredential {
                id: credential_id,
                header: body
                    .credential_header
                    .clone()
                    .or(s.credential_header.clone())
                    .unwrap_or_else(|| "Authorization".into()),
                hint: keel_infra::mcp_remote::hint(c),
            })
        }
    };
    let command = |discovery: Option<keel_events::RemoteDiscovery>| McpServerCommand::Update {
        title: body.title.clone(),
        description: body.description.clone(),
        url: body.url.clone(),
        timeout_ms: body.timeout_ms,
        active: body.active,
        credential: credential.clone(),
        discovery,
        allow_private: state.config.mcp_remote_allow_private,
    };
    McpServerAggregate::decide(&current, &command(None))?;
    // A new URL or credential (or a refresh) connects again and lists the tools anew.
    let reconnect = refresh
        || body.url.as_deref().is_some_and(|u| u.trim() != s.url)
        || !matches!(credential, CredentialChange::Keep);
    let discovery = if reconnect {
        let url = body.url.as_deref().map(str::trim).unwrap_or(&s.url);
        let timeout = body.timeout_ms.unwrap_or(s.timeout_ms);
        let target = match (&credential, &body.credential) {
            (CredentialChange::Set(c), Some(Some(secret))) => {
                remote::target_given(ws, name, url, timeout, Some((&c.header, secret, c.id)))
            }
            (CredentialChange::Clear, _) => remote::target_given(ws, name, url, timeout, None),
            _ => {
                remote::target_of(
                    state,
                    ws,
                    name,
                    url,
                    timeout,
                    s.credential_header.as_deref().map(|h| (h, s.credential_id)),
                )
                .await?
            }
        };
        Some(remote::discover(state, &target).await?)
    } else {
        None
    };
    if let (CredentialChange::Set(c), Some(Some(secret))) = (&credential, &body.credential) {
        store_credential(state, ws, name, c.id, secret).await?;
    }
    let mut exec = execution(
        req,
        caller,
        ws,
        keel_events::StreamId::mcp_server(ws, name),
        None,
    );
    exec.expected_version = Some(crate::http::if_match(req)?.unwrap_or(version));
    let (outcome, after) = execute::<McpServerAggregate>(
        &state.store,
        &exec,
        &command(discovery),
        crate::entropy::Entropy::of(req).event_ids(),
    )
    .await?;
    let s = after.server.ok_or(ApiError::NotFound("MCP server"))?;
    // Older credentials are no longer named by the server's state: destroyed, and sessions
    // made with them forgotten.
    keel_infra::mcp_remote::forget_credentials(&state.db, ws, name, s.credential_id).await?;
    state.mcp_remote.forget(&format!("{ws}/{name}/"));
    Ok(crate::http::written(
        actix_web::http::StatusCode::OK,
        &outcome,
        RemoteServerView::of(&s, outcome.stream_version),
    ))
}

#[utoipa::path(patch, path = "/api/v1/mcp/servers/{id}", tag = "mcp", request_body = RemoteServerBody,
    params(("id" = String, Path, description = "a remote server's name")),
    responses((status = 200, description = "the server after the change (a new URL or credential connects again and lists its tools anew)", body = Data<RemoteServerView>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update_server(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RemoteServerBody = json_body(body, state.config.max_body_bytes).await?;
    change(&req, &state, &caller, &id, body, false).await
}

#[utoipa::path(post, path = "/api/v1/mcp/servers/{id}/refresh", tag = "mcp",
    params(("id" = String, Path, description = "a remote server's name")),
    responses((status = 200, description = "the server with its tools as it lists them now", body = Data<RemoteServerView>),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 422, description = "the server could not be reached or refused", body = crate::openapi::ErrorBody)))]
pub async fn refresh_server(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = RemoteServerBody {
        name: None,
        url: None,
        title: None,
        description: None,
        credential: None,
        credential_header: None,
        timeout_ms: None,
        active: None,
    };
    change(&req, &state, &caller, &id, body, true).await
}

#[utoipa::path(delete, path = "/api/v1/mcp/servers/{id}", tag = "mcp",
    params(("id" = String, Path, description = "a remote server's name")),
    responses((status = 204, description = "removed: its tools are gone and its credential destroyed"),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn remove_server(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    use keel_commands::mcp::{McpServerAggregate, McpServerCommand};
    let ws = caller.workspace(&req, &state).await?;
    if keel_commands::mcp::check_server_name(&id).is_err() {
        return Err(ApiError::NotFound("MCP server"));
    }
    let (current, version) = stream_of(&state, ws, &id).await?;
    if current.server.is_none() {
        return Err(ApiError::NotFound("MCP server"));
    }
    let mut exec = execution(
        &req,
        &caller,
        ws,
        keel_events::StreamId::mcp_server(ws, &id),
        None,
    );
    exec.expected_version = Some(crate::http::if_match(&req)?.unwrap_or(version));
    let (outcome, _) = keel_commands::execute::<McpServerAggregate>(
        &state.store,
        &exec,
        &McpServerCommand::Remove,
        crate::entropy::Entropy::of(&req).event_ids(),
    )
    .await?;
    keel_infra::mcp_remote::forget_credentials(&state.db, ws, &id, 0).await?;
    state.mcp_remote.forget(&format!("{ws}/{id}/"));
    Ok(HttpResponse::NoContent()
        .insert_header((
            crate::http::POSITION_HEADER,
            outcome.last_position.to_string(),
        ))
        .finish())
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
        if server(s).is_err() && remote::live(&req, &state, &caller, s).await?.is_none() {
            return Err(ApiError::NotFound("MCP server"));
        }
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
            server: o.server,
            tool: o.tool,
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
        .service(
            web::resource("/mcp/servers")
                .route(web::get().to(servers))
                .route(web::post().to(register)),
        )
        .service(
            web::resource("/mcp/servers/{id}")
                .route(web::get().to(get_server))
                .route(web::patch().to(update_server))
                .route(web::delete().to(remove_server)),
        )
        .service(web::resource("/mcp/servers/{id}/refresh").route(web::post().to(refresh_server)))
        .service(web::resource("/mcp/servers/{id}/tools").route(web::get().to(server_tools)))
        .service(web::resource("/mcp/tools/call").route(web::post().to(call)))
        .service(web::resource("/mcp/resources/{uri:.*}").route(web::get().to(resource)));
}
