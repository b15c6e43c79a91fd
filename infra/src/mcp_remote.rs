//! The MCP gateway's client: Keel talking to remote MCP servers a workspace registered
//! (Streamable HTTP only; nothing is ever started on Keel's host).
//!
//! One client for both revisions of the transport: the current one (2026-07-28: stateless,
//! `server/discover`, the version and capabilities in each request's `_meta`) is tried first;
//! a server that does not know it gets the 2025-11-25 handshake (`initialize`, then the
//! `Mcp-Session-Id` it gives on every request), whose session is kept and made again when the
//! server forgets it. Answers may come as JSON or as a Server-Sent Events stream; either way at
//! most `max_bytes` are read, within the server's timeout. Host names are resolved through the
//! SSRF guard (webhooks' [`crate::webhooks::GuardedResolver`]) unless the operator allows
//! private targets; redirects are never followed. Credentials live in `mcp_server_credentials`,
//! beside the log and never in it (like webhook secrets, ADR 0014).

use dashmap::DashMap;
use keel_events::{RemoteDiscovery, RemoteTool, WorkspaceId};
use keel_projections::Db;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The current revision, tried first.
pub const MODERN: &str = "2026-07-28";
/// The handshake revision offered to servers that do not know the current one.
pub const HANDSHAKE: &str = "2025-11-25";
/// Revisions Keel accepts when a server answers `initialize` with an older one.
pub const ACCEPTED: [&str; 5] = [
    MODERN,
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];
const PROTOCOL_VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";
const CLIENT_CAPABILITIES_META: &str = "io.modelcontextprotocol/clientCapabilities";
/// Pages of `tools/list` Keel follows before it stops.
const MAX_PAGES: usize = 10;

/// The gateway's settings (`KEEL_MCP_REMOTE_*`).
#[derive(Debug, Clone)]
pub struct RemoteSettings {
    /// Allow plain http and private addresses (a server on the same network).
    pub allow_private: bool,
    /// Largest answer read from a remote server.
    pub max_bytes: usize,
    /// DNS servers for the SSRF guard's lookups (empty: the system's).
    pub dns_servers: Vec<String>,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            max_bytes: 4 << 20,
            dns_servers: vec![],
        }
    }
}

/// Why a remote server gave no usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RemoteError {
    /// The SSRF guard refused the target (before any connection).
    #[error("the server's address is not allowed: {0}")]
    Refused(String),
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    #[error("the server did not answer within {0} ms")]
    Timeout(u64),
    #[error("the server's answer is larger than {0} bytes")]
    TooLarge(usize),
    /// It answered, but not as an MCP server does.
    #[error("the server does not speak MCP over Streamable HTTP: {0}")]
    Protocol(String),
    #[error("the server answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// A JSON-RPC error from the server, as it gave it.
    #[error("the server refused the request ({code}): {message}")]
    Rpc {
        code: i64,
        message: String,
        data: Option<Value>,
    },
}

impl RemoteError {
    /// The HTTP status the gateway answers with: 504 for a timeout, 502 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            RemoteError::Timeout(_) => 504,
            _ => 502,
        }
    }
}

/// Where and how to reach one remote server.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    /// A header and its value (`Authorization: Bearer …`), when the server takes a credential.
    pub credential: Option<(String, String)>,
    pub timeout: Duration,
    /// What a kept session is filed under: the server, its URL and credential version (a new
    /// URL or credential never reuses an old session).
    pub session_key: String,
}

/// How Keel speaks to one server, once learnt.
#[derive(Debug, Clone)]
struct Session {
    version: String,
    /// The legacy handshake's session, when the server gave one.
    id: Option<String>,
}

/// A client for remote MCP servers, shared by every request of the process.
pub struct RemoteClient {
    http: reqwest::Client,
    dns: Option<Arc<crate::dns::HickoryLookup>>,
    max_bytes: usize,
    sessions: DashMap<String, Session>,
    ids: AtomicU64,
}

/// One JSON-RPC answer and the session header that came with it.
struct Reply {
    message: Value,
    session: Option<String>,
}

impl RemoteClient {
    pub fn new(s: &RemoteSettings) -> anyhow::Result<Self> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Keel-MCP-Gateway/", env!("CARGO_PKG_VERSION")));
        let dns = if s.allow_private {
            None
        } else {
            let dns = Arc::new(crate::dns::HickoryLookup::new(
                &s.dns_servers,
                Duration::from_secs(5),
            )?);
            b = b.dns_resolver(Arc::new(crate::webhooks::GuardedResolver::new(dns.clone())));
            Some(dns)
        };
        Ok(Self {
            http: b.build()?,
            dns,
            max_bytes: s.max_bytes.max(1024),
            sessions: DashMap::new(),
            ids: AtomicU64::new(1),
        })
    }

    /// Refuses a target the SSRF guard would refuse, with the guard's reason (the resolver
    /// refuses it again at connection time, so a name that changes its answer gains nothing).
    async fn guard(&self, url: &str) -> Result<(), RemoteError> {
        let Some(dns) = &self.dns else { return Ok(()) };
        let u = url::Url::parse(url).map_err(|e| RemoteError::Refused(e.to_string()))?;
        let host = u
            .host_str()
            .ok_or_else(|| RemoteError::Refused("the URL names no host".into()))?;
        crate::webhooks::resolve_public(dns, host)
            .await
            .map(|_| ())
            .map_err(RemoteError::Refused)
    }

    /// Connects afresh (forgetting any kept session) and lists the server's tools.
    pub async fn discover(&self, t: &Target) -> Result<RemoteDiscovery, RemoteError> {
        self.guard(&t.url).await?;
        self.sessions.remove(&t.session_key);
        let deadline = tokio::time::Instant::now() + t.timeout;
        let (session, info) = self.connect(t, deadline).await?;
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let result = self
                .request(t, &session, "tools/list", params, None, deadline)
                .await?;
            let page = result["tools"].as_array().ok_or_else(|| {
                RemoteError::Protocol("`tools/list` answered without a `tools` list".into())
            })?;
            for tool in page {
                tools.push(remote_tool(tool)?);
            }
            cursor = result["nextCursor"]
                .as_str()
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
        Ok(RemoteDiscovery {
            protocol_version: session.version.clone(),
            server_name: info["name"].as_str().map(|s| s.chars().take(200).collect()),
            server_version: info["version"]
                .as_str()
                .map(|s| s.chars().take(100).collect()),
            tools,
        })
    }

    /// Calls one tool; the server's `CallToolResult` as it gave it (a tool's own failure is
    /// `isError: true` in it, not an `Err`).
    pub async fn call_tool(
        &self,
        t: &Target,
        name: &str,
        arguments: &Value,
    ) -> Result<Value, RemoteError> {
        self.guard(&t.url).await?;
        let deadline = tokio::time::Instant::now() + t.timeout;
        let params = json!({"name": name, "arguments": arguments});
        let kept = self.sessions.get(&t.session_key).map(|s| s.clone());
        let session = match kept {
            Some(s) => s,
            None => self.connect(t, deadline).await?.0,
        };
        match self
            .request(
                t,
                &session,
                "tools/call",
                params.clone(),
                Some(name),
                deadline,
            )
            .await
        {
            // The server forgot the session (a restart, an expiry): once more, afresh.
            Err(RemoteError::Http { status: 404, .. }) if session.id.is_some() => {
                self.sessions.remove(&t.session_key);
                let (session, _) = self.connect(t, deadline).await?;
                self.request(t, &session, "tools/call", params, Some(name), deadline)
                    .await
            }
            other => other,
        }
    }

    /// Learns how to speak to the server: the current revision if it knows it, else the
    /// handshake. The session is kept for the next calls; `serverInfo` is returned.
    async fn connect(
        &self,
        t: &Target,
        deadline: tokio::time::Instant,
    ) -> Result<(Session, Value), RemoteError> {
        let modern = Session {
            version: MODERN.into(),
            id: None,
        };
        match self
            .request(t, &modern, "server/discover", json!({}), None, deadline)
            .await
        {
            Ok(r)
                if r["supportedVersions"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|x| x == MODERN)) =>
            {
                self.sessions.insert(t.session_key.clone(), modern.clone());
                // The revision puts it in `_meta`; some servers give it as `serverInfo`.
                let info = match &r["_meta"]["io.modelcontextprotocol/serverInfo"] {
                    Value::Null => r["serverInfo"].clone(),
                    i => i.clone(),
                };
                return Ok((modern, info));
            }
            // Not reachable at all: no point in a second try.
            Err(
                e @ (RemoteError::Refused(_)
                | RemoteError::Unreachable(_)
                | RemoteError::Timeout(_)
                | RemoteError::TooLarge(_)),
            ) => return Err(e),
            // A 401 or 403 is about the credential, whatever the revision.
            Err(
                e @ RemoteError::Http {
                    status: 401 | 403, ..
                },
            ) => return Err(e),
            _ => {}
        }
        let id = self.next_id();
        let body = json!({
            "jsonrpc": "2.0", "id": id, "method": "initialize",
            "params": {
                "protocolVersion": HANDSHAKE,
                "capabilities": {},
                "clientInfo": {"name": "keel-gateway", "version": env!("CARGO_PKG_VERSION")},
            },
        });
        let handshake = Session {
            version: HANDSHAKE.into(),
            id: None,
        };
        let reply = self
            .post(
                t,
                &handshake,
                "initialize",
                None,
                &body,
                id,
                deadline,
                false,
            )
            .await?;
        let result = result_of(reply.message)?;
        let version = result["protocolVersion"].as_str().unwrap_or_default();
        if !ACCEPTED.contains(&version) {
            return Err(RemoteError::Protocol(format!(
                "the server speaks MCP revision `{version}`; Keel speaks {}",
                ACCEPTED.join(", ")
            )));
        }
        let session = Session {
            version: version.to_string(),
            id: reply.session,
        };
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        self.post(
            t,
            &session,
            "notifications/initialized",
            None,
            &note,
            0,
            deadline,
            true,
        )
        .await?;
        self.sessions.insert(t.session_key.clone(), session.clone());
        Ok((session, result["serverInfo"].clone()))
    }

    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// One request; its result, or the server's error.
    async fn request(
        &self,
        t: &Target,
        session: &Session,
        method: &str,
        mut params: Value,
        name: Option<&str>,
        deadline: tokio::time::Instant,
    ) -> Result<Value, RemoteError> {
        if session.version == MODERN {
            params["_meta"] = json!({
                PROTOCOL_VERSION_META: MODERN,
                CLIENT_CAPABILITIES_META: {},
                "io.modelcontextprotocol/clientInfo": {"name": "keel-gateway", "version": env!("CARGO_PKG_VERSION")},
            });
        }
        let id = self.next_id();
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let reply = self
            .post(t, session, method, name, &body, id, deadline, false)
            .await?;
        result_of(reply.message)
    }

    /// Posts one message and reads the answer to it (JSON, or the matching message of an SSE
    /// stream); a notification expects 202 and no body.
    #[allow(clippy::too_many_arguments)]
    async fn post(
        &self,
        t: &Target,
        session: &Session,
        method: &str,
        name: Option<&str>,
        body: &Value,
        id: u64,
        deadline: tokio::time::Instant,
        notification: bool,
    ) -> Result<Reply, RemoteError> {
        let ms = t.timeout.as_millis() as u64;
        let work = async {
            let mut r = self
                .http
                .post(&t.url)
                .header("Accept", "application/json, text/event-stream")
                .json(body);
            if method != "initialize" {
                r = r.header("MCP-Protocol-Version", &session.version);
            }
            if session.version == MODERN {
                r = r.header("Mcp-Method", method);
                if let Some(n) = name {
                    r = r.header("Mcp-Name", n);
                }
            }
            if let Some(s) = &session.id {
                r = r.header("Mcp-Session-Id", s);
            }
            if let Some((h, v)) = &t.credential {
                r = r.header(h.as_str(), v.as_str());
            }
            let resp = r.send().await.map_err(|e| transport_error(&e))?;
            let status = resp.status().as_u16();
            let session_id = resp
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let sse = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.starts_with("text/event-stream"));
            if notification {
                if !(200..300).contains(&status) {
                    let text = self.read_text(resp).await.unwrap_or_default();
                    return Err(http_error(status, &text));
                }
                return Ok(Reply {
                    message: Value::Null,
                    session: session_id,
                });
            }
            if sse && (200..300).contains(&status) {
                let message = self.read_sse(resp, id).await?;
                return Ok(Reply {
                    message,
                    session: session_id,
                });
            }
            let text = self.read_text(resp).await?;
            match serde_json::from_str::<Value>(&text) {
                // A JSON-RPC answer, even on a 4xx (servers put errors there too).
                Ok(v)
                    if v.get("jsonrpc").is_some()
                        && (v.get("result").is_some() || v.get("error").is_some()) =>
                {
                    if !(200..300).contains(&status) && v.get("error").is_none() {
                        return Err(http_error(status, &text));
                    }
                    Ok(Reply {
                        message: v,
                        session: session_id,
                    })
                }
                _ if !(200..300).contains(&status) => Err(http_error(status, &text)),
                _ => Err(RemoteError::Protocol(format!(
                    "`{method}` got HTTP {status} without a JSON-RPC answer"
                ))),
            }
        };
        match tokio::time::timeout_at(deadline, work).await {
            Ok(r) => r,
            Err(_) => Err(RemoteError::Timeout(ms)),
        }
    }

    /// The body as text, at most `max_bytes` of it.
    async fn read_text(&self, mut resp: reqwest::Response) -> Result<String, RemoteError> {
        if resp
            .content_length()
            .is_some_and(|n| n as usize > self.max_bytes)
        {
            return Err(RemoteError::TooLarge(self.max_bytes));
        }
        let mut buf = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e))? {
            if buf.len() + chunk.len() > self.max_bytes {
                return Err(RemoteError::TooLarge(self.max_bytes));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Reads an event stream until the answer to request `id` (other messages, such as
    /// progress notifications, are passed over).
    async fn read_sse(&self, mut resp: reqwest::Response, id: u64) -> Result<Value, RemoteError> {
        let mut read = 0usize;
        let mut parser = SseParser::default();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e))? {
            read += chunk.len();
            if read > self.max_bytes {
                return Err(RemoteError::TooLarge(self.max_bytes));
            }
            for data in parser.push(&chunk) {
                let Ok(v) = serde_json::from_str::<Value>(&data) else {
                    continue;
                };
                if v["id"] == json!(id) && (v.get("result").is_some() || v.get("error").is_some()) {
                    return Ok(v);
                }
            }
        }
        Err(RemoteError::Protocol(
            "the event stream ended without an answer".into(),
        ))
    }

    /// Forgets every kept session of a server (it was changed or removed).
    pub fn forget(&self, prefix: &str) {
        self.sessions.retain(|k, _| !k.starts_with(prefix));
    }
}

/// Splits an SSE byte stream into the `data` of its events.
#[derive(Default)]
pub struct SseParser {
    line: Vec<u8>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds bytes; the data of every event they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut done = Vec::new();
        for &b in bytes {
            if b != b'\n' {
                self.line.push(b);
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if !self.data.is_empty() {
                    done.push(std::mem::take(&mut self.data).join("\n"));
                }
                continue;
            }
            let line = String::from_utf8_lossy(&line);
            if let Some(rest) = line.strip_prefix("data:") {
                self.data
                    .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
            }
        }
        done
    }
}

fn transport_error(e: &reqwest::Error) -> RemoteError {
    // The guard's refusal comes back from the resolver as a connect error; say what it was.
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut text = Vec::new();
    while let Some(s) = source {
        text.push(s.to_string());
        source = s.source();
    }
    let all = text.join(": ");
    if all.contains(" is a ") || all.contains(" resolves to ") {
        if let Some(reason) = text
            .iter()
            .find(|t| t.contains(" is a ") || t.contains(" resolves to "))
        {
            return RemoteError::Refused(reason.clone());
        }
    }
    if e.is_timeout() {
        return RemoteError::Timeout(0);
    }
    RemoteError::Unreachable(all)
}

fn http_error(status: u16, text: &str) -> RemoteError {
    let message: String = text.trim().chars().take(300).collect();
    RemoteError::Http {
        status,
        message: if message.is_empty() {
            "(no body)".into()
        } else {
            message
        },
    }
}

fn result_of(message: Value) -> Result<Value, RemoteError> {
    if let Some(e) = message.get("error") {
        return Err(RemoteError::Rpc {
            code: e["code"].as_i64().unwrap_or(-32603),
            message: e["message"]
                .as_str()
                .unwrap_or("(no message)")
                .chars()
                .take(500)
                .collect(),
            data: e.get("data").cloned(),
        });
    }
    match message.get("result") {
        Some(r) if r.is_object() => Ok(r.clone()),
        _ => Err(RemoteError::Protocol("an answer without a result".into())),
    }
}

fn remote_tool(t: &Value) -> Result<RemoteTool, RemoteError> {
    let name = t["name"]
        .as_str()
        .ok_or_else(|| RemoteError::Protocol("a tool without a name".into()))?;
    let text = |v: &Value, max: usize| v.as_str().map(|s| s.chars().take(max).collect::<String>());
    Ok(RemoteTool {
        name: name.to_string(),
        title: text(&t["title"], 200),
        description: text(&t["description"], 4000),
        input_schema: match &t["inputSchema"] {
            Value::Null => json!({"type": "object"}),
            s => s.clone(),
        },
        annotations: t.get("annotations").cloned().unwrap_or(Value::Null),
    })
}

// ---------------------------------------------------------------------------------------------
// Credentials, beside the log.

/// Stores a server's credential under `id` (before the event naming it is appended). True when
/// it is stored now or the very same one already was (a retried request).
pub async fn store_credential(
    db: &Db,
    ws: WorkspaceId,
    name: &str,
    id: i64,
    secret: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO mcp_server_credentials (workspace_id, name, credential_id, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, name, credential_id) DO NOTHING",
    )
    .bind(ws.to_string())
    .bind(name)
    .bind(id)
    .bind(secret)
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1 || credential(db, ws, name, id).await?.as_deref() == Some(secret))
}

/// A server's credential `id`, if stored.
pub async fn credential(
    db: &Db,
    ws: WorkspaceId,
    name: &str,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT secret FROM mcp_server_credentials WHERE workspace_id = $1 AND name = $2 AND credential_id = $3",
    )
    .bind(ws.to_string())
    .bind(name)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Destroys every credential of a server but `keep` (all of them when `keep` is 0): replaced
/// or cleared ones, a removed server's, and any a failed request left behind.
pub async fn forget_credentials(
    db: &Db,
    ws: WorkspaceId,
    name: &str,
    keep: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM mcp_server_credentials WHERE workspace_id = $1 AND name = $2 AND credential_id <> $3",
    )
    .bind(ws.to_string())
    .bind(name)
    .bind(keep)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The first characters of a credential, to tell credentials apart.
pub fn hint(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stream_gives_each_events_data_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: message\r\ndata: {\"a\":").is_empty());
        let out = p.push(b"1}\r\n\r\n: a comment\n\ndata: x\ndata: y\n\n");
        assert_eq!(out, vec!["{\"a\":1}".to_string(), "x\ny".to_string()]);
    }

    #[test]
    fn a_json_rpc_error_keeps_the_servers_code_and_message() {
        let e = result_of(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Unknown tool: nope"}}))
            .unwrap_err();
        assert_eq!(
            e,
            RemoteError::Rpc {
                code: -32602,
                message: "Unknown tool: nope".into(),
                data: None
            }
        );
        assert!(result_of(json!({"jsonrpc": "2.0", "id": 1, "result": 3})).is_err());
    }

    #[test]
    fn a_hint_shows_four_characters() {
        assert_eq!(hint("sk_live_abcdef"), "sk_l…");
        assert_eq!(hint("ab"), "ab…");
    }
}
