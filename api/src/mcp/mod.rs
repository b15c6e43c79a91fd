//! Keel as a Model Context Protocol server: `/mcp` (every built-in server) and `/mcp/{server}`,
//! over Streamable HTTP, speaking MCP 2026-07-28 (stateless: the version and the client's
//! capabilities in each request's `_meta`, `server/discover`) and, for clients that have not
//! moved, 2025-11-25 and earlier (`initialize`, `Mcp-Session-Id`). Nothing is kept between
//! requests: the session id a legacy client gets is derived from its credential, so any replica
//! checks it. Each tool is a REST route called on the caller's behalf with the caller's own
//! credential, so scopes, limits, tenancy, idempotency and the audit log are the REST API's
//! (ADR 0023).

pub mod remote;
pub mod tools;

use crate::auth::{authenticate, Caller};
use crate::error::{current_request_id, ApiError};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// The stateless revision.
pub const MODERN: &str = "2026-07-28";
/// Revisions reached through `initialize`, newest first.
pub const HANDSHAKE: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";
const CLIENT_CAPABILITIES_META: &str = "io.modelcontextprotocol/clientCapabilities";

// JSON-RPC and MCP error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;
const RESOURCE_NOT_FOUND: i64 = -32002;
const HEADER_MISMATCH: i64 = -32020;
const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

/// Largest `arguments` of a tool call, serialised.
pub const MAX_ARGUMENTS_BYTES: usize = 64 * 1024;

const INSTRUCTIONS: &str = "Keel's analytics, domain portfolio, audit log, API keys and usage. \
Tools act with the credential of this connection: they see and change only its workspace, within its scopes. \
Figures are exact counts. Write tools accept an idempotency key in `_meta` (`idempotencyKey`), so a retry never acts twice.";

pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in ["/mcp", "/mcp/{server}"] {
        cfg.service(
            web::resource(path)
                .route(web::post().to(endpoint))
                .route(web::get().to(no_stream))
                .route(web::delete().to(end_session))
                .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
        );
    }
    cfg.route(
        "/.well-known/oauth-protected-resource",
        web::get().to(resource_metadata),
    )
    .route(
        "/.well-known/oauth-protected-resource/mcp",
        web::get().to(resource_metadata),
    );
}

/// A JSON-RPC failure: the code, the message, optional data and the HTTP status it travels with.
#[derive(Debug)]
pub struct RpcError {
    code: i64,
    message: String,
    data: Option<Value>,
    status: StatusCode,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        let status = match code {
            PARSE_ERROR
            | INVALID_REQUEST
            | INVALID_PARAMS
            | HEADER_MISMATCH
            | UNSUPPORTED_PROTOCOL_VERSION => StatusCode::BAD_REQUEST,
            METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        RpcError {
            code,
            message: message.into(),
            data: None,
            status,
        }
    }

    fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    fn body(&self, id: &Value) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(d) = &self.data {
            error["data"] = d.clone();
        }
        json!({"jsonrpc": "2.0", "id": id, "error": error})
    }
}

/// Which revision a request speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Era {
    Modern,
    Legacy(String),
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `KEEL_PUBLIC_URL`'s origin, the configured ones, and (without a public URL) localhost's.
fn origin_allowed(state: &AppState, origin: &str) -> bool {
    let Ok(o) = url::Url::parse(origin) else {
        return false;
    };
    let canonical = o.origin().ascii_serialization();
    let configured = state
        .config
        .mcp_allowed_origins
        .split(',')
        .map(|s| s.trim().trim_end_matches('/'))
        .filter(|s| !s.is_empty())
        .filter_map(|s| url::Url::parse(s).ok())
        .map(|u| u.origin().ascii_serialization());
    if configured.into_iter().any(|c| c == canonical) {
        return true;
    }
    match &state.config.public_url {
        Some(p) => url::Url::parse(p).is_ok_and(|u| u.origin().ascii_serialization() == canonical),
        None => matches!(
            o.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
    }
}

fn cors(req: &HttpRequest, state: &AppState, resp: &mut HttpResponse) {
    let Some(origin) = header(req, "Origin") else {
        return;
    };
    if !origin_allowed(state, origin) {
        return;
    }
    let h = resp.headers_mut();
    let mut set = |k: &'static str, v: &str| {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(v) {
            h.insert(actix_web::http::header::HeaderName::from_static(k), v);
        }
    };
    set("access-control-allow-origin", origin);
    set("vary", "Origin");
    set(
        "access-control-expose-headers",
        "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
    );
}

async fn preflight(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let allowed = header(&req, "Origin").is_some_and(|o| origin_allowed(&state, o));
    if !allowed {
        return HttpResponse::Forbidden().json(json!({"jsonrpc": "2.0", "id": null,
            "error": {"code": INVALID_REQUEST, "message": "this origin may not call Keel's MCP endpoint (KEEL_MCP_ALLOWED_ORIGINS)"}}));
    }
    let mut resp = HttpResponse::NoContent()
        .insert_header(("Access-Control-Allow-Methods", "POST, GET, DELETE, OPTIONS"))
        .insert_header((
            "Access-Control-Allow-Headers",
            "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Idempotency-Key, X-Workspace-ID, Last-Event-ID",
        ))
        .insert_header(("Access-Control-Max-Age", "600"))
        .finish();
    cors(&req, &state, &mut resp);
    resp
}

fn resource_url(req: &HttpRequest) -> String {
    format!("{}/mcp", crate::http::base_url(req))
}

/// RFC 9728: what protects the MCP endpoint. No authorization server yet: a Keel key or an
/// account token, as a Bearer header.
async fn resource_metadata(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(json!({
            "resource": resource_url(&req),
            "authorization_servers": [],
            "bearer_methods_supported": ["header"],
            "scopes_supported": [
                "analytics:read", "domains:read", "domains:write", "audit:read", "keys:read",
                "keys:write", "keys:delete", "usage:read", "usage:write", "mcp:read", "mcp:write"
            ],
            "resource_name": "Keel",
            "resource_documentation": format!("{}/docs/", crate::http::base_url(&req)),
        }))
}

fn unauthorized(req: &HttpRequest, e: ApiError) -> HttpResponse {
    let metadata = format!(
        "{}/.well-known/oauth-protected-resource/mcp",
        crate::http::base_url(req)
    );
    let mut resp = e.error_response();
    if resp.status() == StatusCode::UNAUTHORIZED {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&format!(
            "Bearer realm=\"keel\", resource_metadata=\"{metadata}\", error=\"invalid_token\""
        )) {
            resp.headers_mut()
                .insert(actix_web::http::header::WWW_AUTHENTICATE, v);
        }
    }
    resp
}

/// The session id of a legacy connection: the credential and the version, hashed. Any replica
/// recomputes it; nothing is stored.
fn session_id(credential: &str, version: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"keel mcp session v1\0");
    h.update(version.as_bytes());
    h.update(b"\0");
    h.update(credential.as_bytes());
    format!(
        "{}.{}",
        version.replace('-', ""),
        hex::encode(&h.finalize()[..20])
    )
}

fn session_version(id: &str) -> Option<String> {
    let (v, _) = id.split_once('.')?;
    HANDSHAKE
        .iter()
        .find(|h| h.replace('-', "") == v)
        .map(|s| s.to_string())
}

fn credential_of(req: &HttpRequest) -> Option<String> {
    header(req, "Authorization")
        .and_then(|h| crate::auth::credential(h).ok())
        .map(str::to_string)
}

async fn no_stream(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut resp = HttpResponse::MethodNotAllowed()
        .insert_header(("Allow", "POST, DELETE, OPTIONS"))
        .json(json!({"jsonrpc": "2.0", "id": null, "error": {"code": INVALID_REQUEST,
            "message": "Keel sends no server-initiated messages: there is no stream to open; POST requests to this endpoint"}}));
    cors(&req, &state, &mut resp);
    resp
}

/// Ends a legacy session: nothing is kept, so there is nothing to forget; a session id that is
/// not this credential's is 404 as on any request.
async fn end_session(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut resp = match (header(&req, "Mcp-Session-Id"), credential_of(&req)) {
        (Some(id), Some(cred)) => match session_version(id) {
            Some(v) if session_id(&cred, &v) == id => HttpResponse::NoContent().finish(),
            _ => HttpResponse::NotFound().json(json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": INVALID_REQUEST, "message": "unknown session: initialize again"}})),
        },
        (None, _) => HttpResponse::BadRequest().json(json!({"jsonrpc": "2.0", "id": null,
            "error": {"code": INVALID_REQUEST, "message": "no Mcp-Session-Id to end"}})),
        (Some(_), None) => unauthorized(&req, ApiError::MissingKey),
    };
    cors(&req, &state, &mut resp);
    resp
}

fn reply(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// `POST /mcp` and `POST /mcp/{server}`: one JSON-RPC message, one JSON answer.
pub async fn endpoint(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    use futures::StreamExt;
    // The body, up to the API's own limit.
    let max = state.config.max_body_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(c) if body.len() + c.len() <= max => body.extend_from_slice(&c),
            Ok(_) => {
                let mut resp = reply(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    RpcError::new(
                        INVALID_REQUEST,
                        format!("the message is larger than {max} bytes"),
                    )
                    .body(&Value::Null),
                );
                cors(&req, &state, &mut resp);
                return resp;
            }
            Err(e) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    RpcError::new(INVALID_REQUEST, format!("the body could not be read: {e}"))
                        .body(&Value::Null),
                )
            }
        }
    }
    let mut resp = handle(&req, &body, &state).await;
    cors(&req, &state, &mut resp);
    resp
}

async fn handle(req: &HttpRequest, body: &[u8], state: &AppState) -> HttpResponse {
    // DNS rebinding: a page of another origin may not drive a local agent's connection.
    if let Some(origin) = header(req, "Origin") {
        if !origin_allowed(state, origin) {
            return reply(
                StatusCode::FORBIDDEN,
                RpcError::new(
                    INVALID_REQUEST,
                    format!("origin {origin} may not call Keel's MCP endpoint (KEEL_MCP_ALLOWED_ORIGINS)"),
                )
                .body(&Value::Null),
            );
        }
    }
    let server = req.match_info().get("server").map(str::to_string);
    let accept = header(req, "Accept").unwrap_or("*/*").to_ascii_lowercase();
    if !(accept.contains("application/json") || accept.contains("*/*")) {
        return reply(
            StatusCode::NOT_ACCEPTABLE,
            RpcError::new(
                INVALID_REQUEST,
                "send `Accept: application/json, text/event-stream`",
            )
            .body(&Value::Null),
        );
    }
    let ctype = header(req, "Content-Type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !ctype.starts_with("application/json") {
        return reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RpcError::new(
                INVALID_REQUEST,
                "the body must be JSON (`Content-Type: application/json`)",
            )
            .body(&Value::Null),
        );
    }
    if body.len() > state.config.max_body_bytes {
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            RpcError::new(
                INVALID_REQUEST,
                format!(
                    "the message is larger than {} bytes",
                    state.config.max_body_bytes
                ),
            )
            .body(&Value::Null),
        );
    }
    let msg: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                RpcError::new(PARSE_ERROR, format!("Parse error: {e}")).body(&Value::Null),
            )
        }
    };
    let Value::Object(msg) = msg else {
        return reply(
            StatusCode::BAD_REQUEST,
            RpcError::new(
                INVALID_REQUEST,
                "one JSON-RPC message per request (batches are not part of MCP)",
            )
            .body(&Value::Null),
        );
    };
    let id = msg.get("id").cloned();
    let method = msg
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_string);
    // Who is calling (for every message, notifications too): a Keel key or an account token.
    let workspace = header(req, "X-Workspace-ID").map(|s| s.trim().to_string());
    let caller = match authenticate(state, header(req, "Authorization"), workspace.as_deref()).await
    {
        Ok(c) => c,
        Err(e) => return unauthorized(req, e),
    };
    // `/mcp/<server>`: one of Keel's, or a remote one the workspace registered.
    if let Some(s) = &server {
        let known = tools::SERVERS.iter().any(|x| x.id == s)
            || remote::live(req, state, &caller, s)
                .await
                .ok()
                .flatten()
                .is_some_and(|r| r.active);
        if !known {
            return reply(
                StatusCode::NOT_FOUND,
                RpcError::new(
                    INVALID_REQUEST,
                    format!(
                        "no MCP server `{s}`: Keel's are {}, besides the workspace's remote servers (GET /api/v1/mcp/servers)",
                        tools::SERVERS
                            .iter()
                            .map(|x| x.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .body(&Value::Null),
            );
        }
    }
    // Notifications and responses: accepted, nothing to answer.
    let (Some(id), Some(method)) = (id.clone(), method) else {
        if msg.get("jsonrpc") != Some(&json!("2.0")) {
            return reply(
                StatusCode::BAD_REQUEST,
                RpcError::new(INVALID_REQUEST, "not a JSON-RPC 2.0 message").body(&Value::Null),
            );
        }
        return HttpResponse::Accepted().finish();
    };
    if msg.get("jsonrpc") != Some(&json!("2.0")) || !(id.is_string() || id.is_i64() || id.is_u64())
    {
        return reply(
            StatusCode::BAD_REQUEST,
            RpcError::new(
                INVALID_REQUEST,
                "`jsonrpc` must be \"2.0\" and `id` a string or an integer",
            )
            .body(&Value::Null),
        );
    }
    let params = msg.get("params").cloned().unwrap_or(json!({}));
    if !params.is_object() {
        return reply(
            StatusCode::BAD_REQUEST,
            RpcError::new(INVALID_PARAMS, "`params` must be an object").body(&id),
        );
    }
    // Methods answered here count against the caller's rate limit like any request; a tool
    // call or a resource read is counted once, by the route it calls (a remote tool's call,
    // which calls no route, is counted when it is forwarded).
    if !matches!(
        method.as_str(),
        "tools/call" | "resources/read" | "resources/list"
    ) {
        if let Err(e) = charge(state, &caller).await {
            return limited(e, &id);
        }
    }
    let era = match era_of(req, &method, &params) {
        Ok(e) => e,
        Err(e) => return reply(e.status, e.body(&id)),
    };
    let ctx = Ctx {
        req,
        state,
        caller: &caller,
        server: server.as_deref(),
        era: era.clone(),
    };
    let (status, result, session) = match dispatch(&ctx, &method, &params).await {
        Ok((mut result, session)) => {
            if era == Era::Modern {
                if let Value::Object(m) = &mut result {
                    m.insert("resultType".into(), json!("complete"));
                    // Cacheable results say for how long, and for whom.
                    if let Some((ttl_ms, scope)) = cache_hint(&method) {
                        m.insert("ttlMs".into(), json!(ttl_ms));
                        m.insert("cacheScope".into(), json!(scope));
                    }
                }
            }
            (
                StatusCode::OK,
                json!({"jsonrpc": "2.0", "id": id, "result": result}),
                session,
            )
        }
        Err(e) => (e.status, e.body(&id), None),
    };
    let mut resp = HttpResponse::build(status);
    resp.content_type("application/json");
    if let Some(s) = session {
        resp.insert_header(("Mcp-Session-Id", s));
    }
    if let Era::Legacy(v) = &era {
        resp.insert_header(("MCP-Protocol-Version", v.as_str()));
    } else {
        resp.insert_header(("MCP-Protocol-Version", MODERN));
    }
    resp.body(result.to_string())
}

/// Counts one request against the caller's rate limit and quota.
async fn charge(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    use crate::limits::Decision;
    match state
        .limiter
        .decide(
            &state.db,
            &crate::edge::check_for(caller),
            chrono::Utc::now(),
        )
        .await?
    {
        Decision::Allowed(_) => {}
        Decision::RateLimited(l) => return Err(ApiError::RateLimited(l)),
        Decision::QuotaExceeded(l) => return Err(ApiError::QuotaExceeded(l)),
    }
    if let Caller::Key(k) = caller {
        state.activity.count_call(k.workspace_id, k.key_id);
    }
    Ok(())
}

/// A refusal of [`charge`] as the endpoint answers it: 429 with `Retry-After` and a JSON-RPC
/// error.
fn limited(e: ApiError, id: &Value) -> HttpResponse {
    let wait = match &e {
        ApiError::QuotaExceeded(l) => l.quota.as_ref().map_or(1, |q| q.reset_secs),
        ApiError::RateLimited(l) => l.rate.retry_after_secs.unwrap_or(1),
        _ => return e.error_response(),
    };
    HttpResponse::TooManyRequests()
        .insert_header(("Retry-After", wait.to_string()))
        .content_type("application/json")
        .body(
            RpcError::new(
                INTERNAL_ERROR,
                format!("rate limit exceeded: retry in {wait} s"),
            )
            .body(id)
            .to_string(),
        )
}

/// How long a client may reuse a result, and whether across credentials: what describes Keel
/// is public and stable; what depends on the credential is private; data is never stale-served.
fn cache_hint(method: &str) -> Option<(u64, &'static str)> {
    match method {
        "server/discover" | "resources/templates/list" => Some((3_600_000, "public")),
        "tools/list" | "prompts/list" => Some((60_000, "private")),
        "resources/list" | "resources/read" => Some((0, "private")),
        _ => None,
    }
}

/// The revision of a request: the modern envelope when `_meta` carries a protocol version, else
/// the legacy handshake's (with its session and version headers checked).
fn era_of(req: &HttpRequest, method: &str, params: &Value) -> Result<Era, RpcError> {
    let meta = params.get("_meta");
    let modern = meta.is_some_and(|m| m.get(PROTOCOL_VERSION_META).is_some());
    if modern && method != "initialize" {
        let meta = meta
            .and_then(Value::as_object)
            .ok_or_else(|| RpcError::new(INVALID_PARAMS, "params._meta must be an object"))?;
        if !meta.contains_key(CLIENT_CAPABILITIES_META) {
            return Err(RpcError::new(
                INVALID_PARAMS,
                format!("params._meta is missing the required envelope key(s): {CLIENT_CAPABILITIES_META}"),
            ));
        }
        let version = &meta[PROTOCOL_VERSION_META];
        if header(req, "MCP-Protocol-Version") != version.as_str() {
            return Err(RpcError::new(
                HEADER_MISMATCH,
                "mcp-protocol-version header does not match the request envelope's protocol version",
            ));
        }
        if header(req, "Mcp-Method") != Some(method) {
            return Err(RpcError::new(
                HEADER_MISMATCH,
                "mcp-method header does not match the request body's method",
            ));
        }
        let name_key = match method {
            "tools/call" | "prompts/get" => Some("name"),
            "resources/read" => Some("uri"),
            _ => None,
        };
        if let Some(k) = name_key {
            if let Some(v) = params.get(k).and_then(Value::as_str) {
                if header(req, "Mcp-Name") != Some(v) {
                    return Err(RpcError::new(
                        HEADER_MISMATCH,
                        format!(
                            "mcp-name header does not match the request body's '{k}' parameter"
                        ),
                    ));
                }
            }
        }
        let Some(v) = version.as_str() else {
            return Err(RpcError::new(
                INVALID_PARAMS,
                "the protocol-version envelope value must be a string",
            ));
        };
        if v != MODERN {
            return Err(RpcError::new(
                UNSUPPORTED_PROTOCOL_VERSION,
                "Unsupported protocol version",
            )
            .with_data(json!({"supported": [MODERN], "requested": v})));
        }
        return Ok(Era::Modern);
    }
    if method == "server/discover" {
        // A discover without the envelope: answer it as the modern revision would.
        return Ok(Era::Modern);
    }
    if method == "initialize" {
        let asked = params
            .get("protocolVersion")
            .and_then(Value::as_str)
            .unwrap_or(HANDSHAKE[0]);
        let v = HANDSHAKE
            .iter()
            .find(|h| **h == asked)
            .unwrap_or(&HANDSHAKE[0]);
        return Ok(Era::Legacy(v.to_string()));
    }
    let version = match header(req, "MCP-Protocol-Version") {
        Some(v) if HANDSHAKE.contains(&v) => v.to_string(),
        Some(v) => {
            return Err(RpcError::new(
                INVALID_REQUEST,
                format!(
                    "unsupported MCP-Protocol-Version `{v}`: Keel speaks {MODERN} and {}",
                    HANDSHAKE.join(", ")
                ),
            ))
        }
        // Before 2025-06-18 clients sent no version header.
        None => "2025-03-26".to_string(),
    };
    if let Some(id) = header(req, "Mcp-Session-Id") {
        let known = credential_of(req)
            .zip(session_version(id))
            .is_some_and(|(cred, v)| session_id(&cred, &v) == id);
        if !known {
            return Err(RpcError {
                status: StatusCode::NOT_FOUND,
                ..RpcError::new(INVALID_REQUEST, "unknown session: initialize again")
            });
        }
    }
    Ok(Era::Legacy(version))
}

struct Ctx<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    caller: &'a Caller,
    server: Option<&'a str>,
    era: Era,
}

impl Ctx<'_> {
    /// The tools this caller may use, on this endpoint.
    fn visible(&self) -> Vec<&'static tools::Tool> {
        tools::all()
            .iter()
            .filter(|t| self.server.is_none_or(|s| s == t.server))
            .filter(|t| self.may_use(t).is_ok())
            .collect()
    }

    fn may_use(&self, t: &tools::Tool) -> Result<(), ApiError> {
        may_use(self.caller, t)
    }
}

/// Whether a caller may use a tool: whether it may call the tool's route.
pub fn may_use(caller: &Caller, t: &tools::Tool) -> Result<(), ApiError> {
    let method = actix_web::http::Method::from_bytes(t.method.as_bytes())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let rule = crate::access::find(&method, t.route)
        .ok_or_else(|| ApiError::Internal(format!("{} has no access rule", t.route)))?;
    caller.check_access(rule.access)
}

fn server_info() -> Value {
    json!({"name": "keel", "title": "Keel", "version": env!("CARGO_PKG_VERSION")})
}

fn capabilities() -> Value {
    json!({"tools": {"listChanged": false}, "resources": {"listChanged": false, "subscribe": false}})
}

async fn dispatch(
    ctx: &Ctx<'_>,
    method: &str,
    params: &Value,
) -> Result<(Value, Option<String>), RpcError> {
    let plain = |v: Value| Ok((v, None));
    match (method, &ctx.era) {
        ("initialize", Era::Legacy(v)) => {
            let session = credential_of(ctx.req).map(|c| session_id(&c, v));
            Ok((
                json!({
                    "protocolVersion": v,
                    "capabilities": capabilities(),
                    "serverInfo": server_info(),
                    "instructions": INSTRUCTIONS,
                }),
                session,
            ))
        }
        ("server/discover", _) => plain(json!({
            "supportedVersions": [MODERN],
            "capabilities": capabilities(),
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
            "_meta": {"io.modelcontextprotocol/serverInfo": server_info()},
        })),
        ("ping", Era::Legacy(_)) => plain(json!({})),
        ("tools/list", _) => {
            let mut tools: Vec<Value> = ctx.visible().iter().map(|t| t.listing()).collect();
            if remote::may_call(ctx.caller).is_ok() {
                for r in remote::active_servers(ctx.req, ctx.state, ctx.caller).await {
                    if ctx.server.is_some_and(|s| s != r.name) {
                        continue;
                    }
                    let prefix = ctx.server.is_none();
                    tools.extend(r.tools.iter().map(|t| remote::listing(&r, t, prefix)));
                }
            }
            plain(json!({"tools": tools}))
        }
        ("tools/call", _) => plain(call(ctx, params).await?),
        ("resources/templates/list", _) => plain(json!({"resourceTemplates": templates(ctx)})),
        ("resources/list", _) => plain(list_resources(ctx).await),
        ("resources/read", _) => plain(read_resource(ctx, params).await?),
        ("prompts/list", _) => plain(json!({"prompts": []})),
        ("logging/setLevel", Era::Legacy(_)) => plain(json!({})),
        (m, _) => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {m}"),
        )),
    }
}

/// What a REST call answered.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

fn loopback() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("keel-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// Calls a route of the REST API as the caller: same credential, same workspace header, the
/// idempotency key when one is given, and this request's id.
pub async fn rest(
    req: &HttpRequest,
    state: &AppState,
    method: &str,
    path_and_query: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Result<Answer, ApiError> {
    let addr = state.self_addr();
    let url = format!("http://{addr}{path_and_query}");
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut r = loopback()
        .request(method, url)
        .header("X-Request-ID", current_request_id());
    for name in ["Authorization", "X-Workspace-ID"] {
        if let Some(v) = header(req, name) {
            r = r.header(name, v);
        }
    }
    if let Some(k) = idempotency_key {
        r = r.header("Idempotency-Key", k);
    }
    if let Some(b) = body {
        r = r.json(b);
    }
    let resp = r
        .send()
        .await
        .map_err(|e| ApiError::Unavailable(format!("the API did not answer: {e}")))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| ApiError::Unavailable(format!("the API's answer was cut: {e}")))?;
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        json!({"text": String::from_utf8_lossy(&bytes).chars().take(10_000).collect::<String>()})
    });
    Ok(Answer { status, body })
}

fn idempotency_key(req: &HttpRequest, params: &Value) -> Option<String> {
    let meta = &params["_meta"];
    meta.get("idempotencyKey")
        .or_else(|| meta.get("idempotency_key"))
        .or_else(|| meta.get("keel/idempotencyKey"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| header(req, "Idempotency-Key").map(str::to_string))
}

/// The outcome of one tool call, as both the endpoint and `POST /api/v1/mcp/tools/call` give it.
pub struct CallOutcome {
    pub server: String,
    pub tool: String,
    pub answer: Answer,
    pub duration_ms: i64,
    /// A remote tool's `CallToolResult` as its server gave it (Keel's own tools answer with
    /// their route's JSON in `answer`).
    pub remote: Option<Value>,
}

/// Why a call was refused before anything ran.
pub enum CallRefused {
    UnknownTool(String),
    BadArguments(String),
    NotAllowed(ApiError),
    Failed(ApiError),
}

/// How a call came in, for the record.
pub struct Via<'a> {
    /// `mcp` or `rest`.
    pub channel: &'static str,
    pub protocol_version: Option<&'a str>,
    pub client: Option<&'a str>,
}

/// Checks and runs one tool call, and puts it on the record (`mcp.tool_called`), whatever came
/// of it.
#[allow(clippy::too_many_arguments)]
pub async fn run_tool(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    server: Option<&str>,
    name: &str,
    arguments: &Value,
    idempotency: Option<&str>,
    via: Via<'_>,
) -> Result<CallOutcome, CallRefused> {
    let started = Instant::now();
    let raw = serde_json::to_vec(arguments).unwrap_or_default();
    let arguments_sha256 = hex::encode(Sha256::digest(&raw));
    let outcome = match remote_target(req, state, caller, server, name).await {
        Some(r) => forward(req, state, caller, r, arguments, &raw, &via).await,
        None => {
            attempt(
                req,
                state,
                caller,
                server,
                name,
                arguments,
                &raw,
                idempotency,
            )
            .await
        }
    };
    let cut = |s: &str| {
        s.chars()
            .take(keel_commands::mcp::MAX_NAME)
            .collect::<String>()
    };
    let (server_name, tool_name) = match &outcome {
        Ok(o) => (o.server.clone(), o.tool.clone()),
        // A refused call is filed under the server and tool the caller named: `<server>.<tool>`
        // on `/mcp` names a remote server's tool.
        Err(_) => match (server, name.split_once('.')) {
            (None, Some((s, t))) if tools::find(None, name).is_none() => (cut(s), cut(t)),
            _ => (
                cut(server
                    .or_else(|| tools::find(None, name).map(|t| t.server))
                    .unwrap_or("unknown")),
                cut(if name.is_empty() { "(none)" } else { name }),
            ),
        },
    };
    let (result, status, error) = match &outcome {
        // A remote tool's own failure: it ran, and said it failed.
        Ok(CallOutcome {
            remote: Some(r),
            answer,
            ..
        }) if r["isError"] == json!(true) => (
            "error",
            Some(answer.status),
            Some(
                r["content"][0]["text"]
                    .as_str()
                    .unwrap_or("the tool reported an error")
                    .chars()
                    .take(500)
                    .collect(),
            ),
        ),
        Ok(o) if o.answer.status < 400 => ("ok", Some(o.answer.status), None),
        Ok(o) => (
            "error",
            Some(o.answer.status),
            o.answer.body["error"]["message"]
                .as_str()
                .map(|m| m.chars().take(500).collect()),
        ),
        Err(CallRefused::UnknownTool(m)) | Err(CallRefused::BadArguments(m)) => {
            ("refused", None, Some(m.chars().take(500).collect()))
        }
        Err(CallRefused::NotAllowed(e)) | Err(CallRefused::Failed(e)) => (
            "refused",
            None,
            Some(e.to_string().chars().take(500).collect()),
        ),
    };
    let event = keel_events::McpToolCalled {
        call_id: keel_events::McpCallId::new_v7(),
        workspace_id: keel_events::WorkspaceId(uuid::Uuid::nil()),
        server: server_name,
        tool: tool_name,
        arguments_sha256,
        outcome: result.into(),
        status,
        error,
        duration_ms: started.elapsed().as_millis() as i64,
        via: via.channel.into(),
        protocol_version: via.protocol_version.map(str::to_string),
        client: via
            .client
            .map(|c| c.chars().take(keel_commands::mcp::MAX_NAME).collect()),
    };
    record(req, state, caller, event).await;
    outcome
}

/// The call as an event of its own stream, in the caller's workspace. A call of a caller
/// without one (the operator naming none) has no workspace log to go into.
async fn record(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    mut event: keel_events::McpToolCalled,
) {
    let ws = match caller {
        Caller::Key(k) => Some(k.workspace_id),
        Caller::User(u) => u.workspace().ok().map(|(ws, _)| ws),
        Caller::Operator => header(req, "X-Workspace-ID").and_then(|h| h.trim().parse().ok()),
    };
    let Some(ws) = ws else {
        tracing::info!(tool = %event.tool, "MCP call without a workspace: not recorded");
        return;
    };
    event.workspace_id = ws;
    let stream = keel_events::StreamId::mcp_call(event.call_id);
    let mut exec = crate::routes::execution(req, caller, ws, stream, None);
    exec.new_stream = true;
    let command = keel_commands::mcp::RecordCall(event);
    if let Err(e) = keel_commands::execute::<keel_commands::mcp::McpCallAggregate>(
        &state.store,
        &exec,
        &command,
        crate::entropy::Entropy::of(req).event_ids(),
    )
    .await
    {
        tracing::warn!(error = %e, tool = %command.0.tool, "MCP call not recorded");
    }
}

#[allow(clippy::too_many_arguments)]
async fn attempt(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    server: Option<&str>,
    name: &str,
    arguments: &Value,
    raw: &[u8],
    idempotency: Option<&str>,
) -> Result<CallOutcome, CallRefused> {
    let tool = tools::find(server, name).ok_or_else(|| {
        CallRefused::UnknownTool(match server {
            Some(s) => format!("Unknown tool: `{name}` is not a tool of server `{s}`"),
            None => format!("Unknown tool: `{name}`"),
        })
    })?;
    if raw.len() > MAX_ARGUMENTS_BYTES {
        return Err(CallRefused::BadArguments(format!(
            "the arguments are {} bytes; at most {MAX_ARGUMENTS_BYTES} are accepted",
            raw.len()
        )));
    }
    may_use(caller, tool).map_err(CallRefused::NotAllowed)?;
    let args = (tool.check)(arguments)
        .map_err(|e| CallRefused::BadArguments(format!("Invalid arguments for `{name}`: {e}")))?;
    let request = tool
        .request(&args)
        .map_err(|e| CallRefused::BadArguments(format!("Invalid arguments for `{name}`: {e}")))?;
    let started = Instant::now();
    let answer = rest(
        req,
        state,
        request.method,
        &request.path_and_query,
        request.body.as_ref(),
        // A key of its own per tool: the same key on the request that carried the call (REST's
        // `POST /mcp/tools/call`) names a different request.
        idempotency
            .filter(|_| !tool.read_only)
            .map(|k| format!("mcp.{}.{k}", tool.name))
            .as_deref(),
    )
    .await
    .map_err(CallRefused::Failed)?;
    Ok(CallOutcome {
        server: tool.server.to_string(),
        tool: tool.name.to_string(),
        answer,
        duration_ms: started.elapsed().as_millis() as i64,
        remote: None,
    })
}

/// A call meant for a remote server: `server` names one the workspace registered, or (on
/// `/mcp`) the tool is named `<server>.<tool>`. `None` for Keel's own tools.
async fn remote_target(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    server: Option<&str>,
    name: &str,
) -> Option<(keel_commands::mcp::RemoteServer, String)> {
    let (server, tool) = match server {
        Some(s) if tools::SERVERS.iter().any(|x| x.id == s) => return None,
        Some(s) => (s, name),
        None => name.split_once('.')?,
    };
    let row = remote::live(req, state, caller, server).await.ok()??;
    Some((row, tool.to_string()))
}

/// Forwards a call to a remote server: the caller may call remote tools, the server is on,
/// the tool is one it listed and the arguments are an object within bounds; then one
/// `tools/call` with the server's credential, through the SSRF guard, within its timeout.
async fn forward(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    (server, tool): (keel_commands::mcp::RemoteServer, String),
    arguments: &Value,
    raw: &[u8],
    via: &Via<'_>,
) -> Result<CallOutcome, CallRefused> {
    if !server.discovery.tools.iter().any(|t| t.name == tool) {
        return Err(CallRefused::UnknownTool(format!(
            "Unknown tool: `{tool}` is not a tool of server `{}` (as it last listed them; POST /api/v1/mcp/servers/{}/refresh asks again)",
            server.name, server.name
        )));
    }
    if !server.active {
        return Err(CallRefused::NotAllowed(ApiError::Forbidden(format!(
            "MCP server `{}` is turned off",
            server.name
        ))));
    }
    if raw.len() > MAX_ARGUMENTS_BYTES {
        return Err(CallRefused::BadArguments(format!(
            "the arguments are {} bytes; at most {MAX_ARGUMENTS_BYTES} are accepted",
            raw.len()
        )));
    }
    let arguments = match arguments {
        Value::Null => json!({}),
        Value::Object(_) => arguments.clone(),
        _ => {
            return Err(CallRefused::BadArguments(format!(
                "Invalid arguments for `{tool}`: arguments must be an object"
            )))
        }
    };
    remote::may_call(caller).map_err(CallRefused::NotAllowed)?;
    if via.channel == "mcp" {
        charge(state, caller)
            .await
            .map_err(CallRefused::NotAllowed)?;
    }
    let ws = caller
        .workspace(req, state)
        .await
        .map_err(CallRefused::Failed)?;
    let target = remote::target_of_server(state, ws, &server)
        .await
        .map_err(CallRefused::Failed)?;
    let started = Instant::now();
    let (answer, remote) = match state.mcp_remote.call_tool(&target, &tool, &arguments).await {
        Ok(result) => (
            Answer {
                status: 200,
                body: result.clone(),
            },
            Some(result),
        ),
        Err(e) => (remote::failure_answer(&server.name, &e), None),
    };
    Ok(CallOutcome {
        server: server.name,
        tool,
        answer,
        duration_ms: started.elapsed().as_millis() as i64,
        remote,
    })
}

async fn call(ctx: &Ctx<'_>, params: &Value) -> Result<Value, RpcError> {
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::new(INVALID_PARAMS, "`name` (the tool) is required"))?;
    let arguments = params.get("arguments").cloned().unwrap_or(json!({}));
    let key = idempotency_key(ctx.req, params);
    let version = match &ctx.era {
        Era::Modern => MODERN.to_string(),
        Era::Legacy(v) => v.clone(),
    };
    let client = params["_meta"]["io.modelcontextprotocol/clientInfo"]["name"].as_str();
    match run_tool(
        ctx.req,
        ctx.state,
        ctx.caller,
        ctx.server,
        name,
        &arguments,
        key.as_deref(),
        Via {
            channel: "mcp",
            protocol_version: Some(&version),
            client,
        },
    )
    .await
    {
        Ok(CallOutcome {
            remote: Some(r), ..
        }) => Ok(remote_result(r)),
        Ok(o) => Ok(tool_result(&o.answer)),
        Err(CallRefused::UnknownTool(m)) | Err(CallRefused::BadArguments(m)) => {
            Err(RpcError::new(INVALID_PARAMS, m))
        }
        Err(CallRefused::NotAllowed(e)) => Err(RpcError::new(
            INVALID_PARAMS,
            format!("`{name}` is not available to this credential: {e}"),
        )),
        Err(CallRefused::Failed(e)) => Err(RpcError::new(INTERNAL_ERROR, e.to_string())),
    }
}

/// A remote tool's result as Keel passes it on: its content, structured content and error
/// flag (nothing else of what the server sent).
fn remote_result(r: Value) -> Value {
    let mut out = json!({
        "content": r.get("content").cloned().unwrap_or(json!([])),
        "isError": r["isError"] == json!(true),
    });
    if let Some(s) = r.get("structuredContent").filter(|s| s.is_object()) {
        out["structuredContent"] = s.clone();
    }
    out
}

/// A REST answer as a tool result: the JSON as structured content and as text; a refusal of
/// the API (4xx, 5xx) is a tool error the agent can read and act on.
fn tool_result(a: &Answer) -> Value {
    let structured = match &a.body {
        Value::Object(_) => a.body.clone(),
        other => json!({"data": other}),
    };
    let text = if a.status >= 400 {
        let msg = a.body["error"]["message"]
            .as_str()
            .or_else(|| a.body["message"].as_str())
            .unwrap_or("the request failed");
        format!("HTTP {}: {msg}", a.status)
    } else {
        structured.to_string()
    };
    json!({
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured,
        "isError": a.status >= 400,
    })
}

/// Resource templates: the URIs `resources/read` understands.
fn templates(ctx: &Ctx<'_>) -> Vec<Value> {
    resource_routes()
        .iter()
        .filter(|r| ctx.server.is_none_or(|s| s == r.server))
        .map(|r| {
            json!({"uriTemplate": r.template, "name": r.name, "description": r.description,
                   "mimeType": "application/json"})
        })
        .collect()
}

struct ResourceRoute {
    server: &'static str,
    template: &'static str,
    name: &'static str,
    description: &'static str,
}

fn resource_routes() -> &'static [ResourceRoute] {
    &[
        ResourceRoute {
            server: "analytics",
            template: "keel://sites/{site_id}/stats{?period,date,filters}",
            name: "Site statistics",
            description: "A site's aggregate figures over a period (default 30d)",
        },
        ResourceRoute {
            server: "domains",
            template: "keel://domains/{domain_id}",
            name: "Domain",
            description: "One domain of the portfolio with its latest scan",
        },
        ResourceRoute {
            server: "audit",
            template: "keel://audit/streams/{stream_id}",
            name: "Stream history",
            description: "The events of one stream of the log (a key, a domain, a site…)",
        },
        ResourceRoute {
            server: "keys",
            template: "keel://keys/{key_id}",
            name: "API key",
            description: "One API key (never its secret)",
        },
    ]
}

/// The REST route behind a `keel://` URI, or `None` when it names nothing Keel has.
pub fn resource_request(uri: &str) -> Option<String> {
    let u = url::Url::parse(uri).ok()?;
    if u.scheme() != "keel" {
        return None;
    }
    let host = u.host_str()?;
    let segs: Vec<String> = u
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).map(percent_decode).collect())
        .unwrap_or_default();
    let seg = |s: &str| -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let query = |allowed: &[&str], default: &[(&str, &str)]| -> String {
        let mut pairs: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| allowed.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (k, v) in default {
            if !pairs.iter().any(|(pk, _)| pk == k) {
                pairs.push((k.to_string(), v.to_string()));
            }
        }
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        if q.is_empty() {
            q
        } else {
            format!("?{q}")
        }
    };
    match (host, segs.as_slice()) {
        ("sites", [id, stats]) if stats == "stats" => Some(format!(
            "/api/v1/sites/{}/stats/aggregate{}",
            seg(id),
            query(
                &["period", "date", "filters", "metrics"],
                &[("period", "30d")]
            )
        )),
        ("domains", [id]) => Some(format!("/api/v1/domains/{}", seg(id))),
        ("keys", [id]) => Some(format!("/api/v1/keys/{}", seg(id))),
        ("audit", [streams, stream]) if streams == "streams" => Some(format!(
            "/api/v1/audit/events?stream_id={}&order=asc&limit=500",
            seg(stream)
        )),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

async fn list_resources(ctx: &Ctx<'_>) -> Value {
    // The caller's sites, when it may read analytics.
    let mut resources = Vec::new();
    if ctx.server.is_none_or(|s| s == "analytics")
        && ctx.caller.require("analytics:read").is_ok()
        && ctx.caller.require("sites:read").is_ok()
    {
        if let Ok(a) = rest(
            ctx.req,
            ctx.state,
            "GET",
            "/api/v1/sites?limit=100",
            None,
            None,
        )
        .await
        {
            for s in a.body["data"].as_array().into_iter().flatten() {
                if let Some(id) = s["id"].as_str() {
                    resources.push(json!({
                        "uri": format!("keel://sites/{id}/stats?period=30d"),
                        "name": format!("{} — last 30 days", s["name"].as_str().unwrap_or(id)),
                        "mimeType": "application/json",
                    }));
                }
            }
        }
    }
    json!({"resources": resources})
}

/// Reads a `keel://` resource through its REST route.
pub async fn read_uri(
    req: &HttpRequest,
    state: &AppState,
    uri: &str,
) -> Result<Answer, Option<ApiError>> {
    let path = resource_request(uri).ok_or(None)?;
    rest(req, state, "GET", &path, None, None)
        .await
        .map_err(Some)
}

async fn read_resource(ctx: &Ctx<'_>, params: &Value) -> Result<Value, RpcError> {
    let uri = params
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::new(INVALID_PARAMS, "`uri` is required"))?;
    match read_uri(ctx.req, ctx.state, uri).await {
        Ok(a) if a.status < 400 => Ok(json!({"contents": [{
            "uri": uri, "mimeType": "application/json", "text": a.body.to_string()
        }]})),
        Ok(a) if a.status == 404 => {
            Err(RpcError::new(RESOURCE_NOT_FOUND, "Resource not found")
                .with_data(json!({"uri": uri})))
        }
        Ok(a) => Err(RpcError::new(
            INVALID_PARAMS,
            format!(
                "{uri}: HTTP {}: {}",
                a.status,
                a.body["error"]["message"].as_str().unwrap_or("refused")
            ),
        )),
        Err(None) => {
            Err(RpcError::new(RESOURCE_NOT_FOUND, "Resource not found")
                .with_data(json!({"uri": uri})))
        }
        Err(Some(e)) => Err(RpcError::new(INTERNAL_ERROR, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keel_uris_name_their_rest_routes_and_nothing_else() {
        assert_eq!(
            resource_request("keel://sites/s1/stats?period=7d&evil=1").as_deref(),
            Some("/api/v1/sites/s1/stats/aggregate?period=7d")
        );
        assert_eq!(
            resource_request("keel://domains/d%2F1").as_deref(),
            Some("/api/v1/domains/d%2F1")
        );
        assert_eq!(
            resource_request("keel://audit/streams/key-abc").as_deref(),
            Some("/api/v1/audit/events?stream_id=key-abc&order=asc&limit=500")
        );
        // Dot segments cannot climb out of the route they name.
        assert_eq!(
            resource_request("keel://domains/..%2F..%2Fadmin").as_deref(),
            Some("/api/v1/domains/..%2F..%2Fadmin")
        );
        assert_eq!(resource_request("https://sites/s1/stats"), None);
        assert_eq!(resource_request("keel://nothing/x"), None);
    }

    #[test]
    fn a_session_id_is_the_credentials_and_names_its_version() {
        let a = session_id("keel_live_abc", "2025-11-25");
        assert_eq!(session_version(&a).as_deref(), Some("2025-11-25"));
        assert_ne!(a, session_id("keel_live_abd", "2025-11-25"));
        assert_eq!(session_version("20991231.00"), None);
    }
}
