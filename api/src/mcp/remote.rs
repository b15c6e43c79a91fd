//! The gateway's side of the API: remote MCP servers a workspace registered, their tools
//! listed beside Keel's own (`<server>.<tool>` on `/mcp`, plain names on `/mcp/<server>`), and
//! calls forwarded to them with the server's credential, through the SSRF guard.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use keel_commands::mcp::RemoteServer;
use keel_commands::DomainError;
use keel_events::{RemoteDiscovery, WorkspaceId};
use keel_infra::mcp_remote::{RemoteError, Target};
use keel_projections::agents::RemoteServerRow;
use serde_json::{json, Value};
use std::time::Duration;

/// What may call a remote tool: a remote server's tools may do anything, so calling one takes
/// `mcp:write`, whatever the server says of them.
pub const CALL_SCOPE: &str = "mcp:write";

pub fn may_call(caller: &Caller) -> Result<(), ApiError> {
    caller.check_access(crate::access::Access::Scope(CALL_SCOPE))
}

/// The header and value a credential is sent as: `Authorization: Bearer <credential>`, or the
/// credential as it is in a header of the admin's choosing.
pub fn credential_header(header: &str, secret: &str) -> (String, String) {
    if header.eq_ignore_ascii_case("authorization") {
        ("Authorization".into(), format!("Bearer {secret}"))
    } else {
        (header.to_string(), secret.to_string())
    }
}

/// How a session with this server is filed: a new URL or credential never reuses one.
pub fn session_key(ws: WorkspaceId, name: &str, url: &str, credential_id: i64) -> String {
    format!("{ws}/{name}/{credential_id}/{url}")
}

/// Where and how to reach a registered server (its credential read from beside the log).
pub async fn target_of(
    state: &AppState,
    ws: WorkspaceId,
    name: &str,
    url: &str,
    timeout_ms: i64,
    credential: Option<(&str, i64)>,
) -> Result<Target, ApiError> {
    let version = credential.map_or(0, |(_, v)| v.max(0));
    let credential = match credential {
        Some((header, version)) if version > 0 => {
            let secret = keel_infra::mcp_remote::credential(&state.db, ws, name, version)
                .await?
                .ok_or_else(|| {
                    ApiError::Internal(format!(
                        "the credential of MCP server `{name}` (version {version}) is missing"
                    ))
                })?;
            Some(credential_header(header, &secret))
        }
        _ => None,
    };
    Ok(Target {
        url: url.to_string(),
        credential,
        timeout: Duration::from_millis(timeout_ms.max(1) as u64),
        session_key: session_key(ws, name, url, version),
    })
}

/// Where and how to reach a server with a credential not stored yet (`(header, secret, id)`):
/// a registration or a change, before the server has taken it.
pub fn target_given(
    ws: WorkspaceId,
    name: &str,
    url: &str,
    timeout_ms: i64,
    credential: Option<(&str, &str, i64)>,
) -> Target {
    Target {
        url: url.to_string(),
        credential: credential.map(|(h, secret, _)| credential_header(h, secret)),
        timeout: Duration::from_millis(timeout_ms.max(1) as u64),
        session_key: session_key(ws, name, url, credential.map_or(0, |(_, _, id)| id)),
    }
}

/// A new credential's id (see [`crate::entropy::Entropy::positive_id`]).
pub fn new_credential_id(req: &actix_web::HttpRequest) -> i64 {
    crate::entropy::Entropy::of(req).positive_id()
}

/// A registered server's target.
pub async fn target_of_server(
    state: &AppState,
    ws: WorkspaceId,
    s: &RemoteServer,
) -> Result<Target, ApiError> {
    target_of(
        state,
        ws,
        &s.name,
        &s.url,
        s.timeout_ms,
        s.credential_header.as_deref().map(|h| (h, s.credential_id)),
    )
    .await
}

/// Connects to a server being registered or changed and lists its tools; a server that
/// cannot be reached or does not speak MCP is refused on the `url` field, saying why.
pub async fn discover(state: &AppState, target: &Target) -> Result<RemoteDiscovery, ApiError> {
    state
        .mcp_remote
        .discover(target)
        .await
        .map_err(|e| match e {
            RemoteError::Http {
                status: 401 | 403, ..
            } => DomainError::field("credential", format!("was not accepted by the server: {e}"))
                .into(),
            e => DomainError::field("url", format!("is refused: {e}")).into(),
        })
}

/// A registered server's tool as Keel lists it on `/mcp` (named `prefix` + its name).
pub fn listing(server: &RemoteServerRow, tool: &keel_events::RemoteTool, prefix: bool) -> Value {
    let name = if prefix {
        format!("{}.{}", server.name, tool.name)
    } else {
        tool.name.clone()
    };
    let mut v = json!({
        "name": name,
        "description": tool.description.clone().unwrap_or_default(),
        "inputSchema": tool.input_schema,
        "_meta": {"keel/server": server.name, "keel/remote": true},
    });
    if let Some(t) = &tool.title {
        v["title"] = json!(t);
    }
    if !tool.annotations.is_null() {
        v["annotations"] = tool.annotations.clone();
    }
    v
}

/// The seed's shape of a remote tool (`GET /api/v1/mcp/servers/{id}/tools`).
pub fn seed_listing(server: &str, tool: &keel_events::RemoteTool) -> Value {
    let schema = &tool.input_schema;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut parameters = serde_json::Map::new();
    if let Some(props) = schema["properties"].as_object() {
        for (name, p) in props {
            let mut p = p.clone();
            if let Value::Object(m) = &mut p {
                m.insert("required".into(), json!(required.contains(&name.as_str())));
            }
            parameters.insert(name.clone(), p);
        }
    }
    json!({
        "name": tool.name,
        "server": server,
        "description": tool.description.clone().unwrap_or_default(),
        "parameters": parameters,
        "input_schema": schema,
        "remote": true,
    })
}

/// The workspace's active remote servers (none for a caller without one).
pub async fn active_servers(
    req: &actix_web::HttpRequest,
    state: &AppState,
    caller: &Caller,
) -> Vec<RemoteServerRow> {
    let Ok(ws) = caller.workspace(req, state).await else {
        return vec![];
    };
    keel_projections::agents::list_servers(&state.db, &ws.to_string())
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.active)
        .collect()
}

/// A registered server by name, in the caller's workspace, as its stream says now (not the
/// read model): a server just turned off or removed takes no more calls, on any replica.
pub async fn live(
    req: &actix_web::HttpRequest,
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<Option<RemoteServer>, ApiError> {
    use keel_commands::{Aggregate, EventStore};
    if keel_commands::mcp::check_server_name(name).is_err() {
        return Ok(None);
    }
    let ws = caller.workspace(req, state).await?;
    let history = state
        .store
        .read_stream(&keel_events::StreamId::mcp_server(ws, name))
        .await?;
    Ok(
        keel_commands::mcp::McpServerAggregate::fold(history.iter().map(|e| &e.event))
            .server
            .filter(|s| s.workspace_id == ws),
    )
}

/// A registered server by name, in the caller's workspace, from the read model.
pub async fn find(
    req: &actix_web::HttpRequest,
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<Option<RemoteServerRow>, ApiError> {
    if keel_commands::mcp::check_server_name(name).is_err() {
        return Ok(None);
    }
    let ws = caller.workspace(req, state).await?;
    Ok(keel_projections::agents::get_server(&state.db, &ws.to_string(), name).await?)
}

/// A registered server as the API shows it after a change (from the aggregate's state).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RemoteServerView {
    /// Its id: the name, also the prefix of its tools on `/mcp` (`<name>.<tool>`).
    pub id: String,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub timeout_ms: i64,
    pub active: bool,
    /// The header the credential is sent in; the credential itself is never shown.
    pub credential_header: Option<String>,
    pub credential_hint: Option<String>,
    pub credential_id: i64,
    pub protocol_version: String,
    pub server_name: Option<String>,
    pub server_version: Option<String>,
    /// The tools as the server listed them (names without the prefix).
    #[schema(value_type = Vec<Object>)]
    pub tools: Vec<keel_events::RemoteTool>,
    /// The stream's version (send it back as `If-Match`).
    pub version: i64,
}

impl RemoteServerView {
    pub fn of(s: &RemoteServer, version: i64) -> Self {
        Self {
            id: s.name.clone(),
            name: s.name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            url: s.url.clone(),
            timeout_ms: s.timeout_ms,
            active: s.active,
            credential_header: s.credential_header.clone(),
            credential_hint: s.credential_hint.clone(),
            credential_id: s.credential_id,
            protocol_version: s.discovery.protocol_version.clone(),
            server_name: s.discovery.server_name.clone(),
            server_version: s.discovery.server_version.clone(),
            tools: s.discovery.tools.clone(),
            version,
        }
    }
}

/// A gateway failure as a REST answer: 504 for a timeout, 422 when the server refused the
/// arguments, 502 otherwise.
pub fn failure_answer(server: &str, e: &RemoteError) -> super::Answer {
    let (status, code) = match e {
        RemoteError::Timeout(_) => (504, "gateway_timeout"),
        RemoteError::Rpc { code: -32602, .. } => (422, "validation_failed"),
        _ => (502, "bad_gateway"),
    };
    super::Answer {
        status,
        body: json!({"error": {"code": code, "message": format!("MCP server `{server}`: {e}")}}),
    }
}
