//! Agents' tool calls through Keel's MCP servers (`rm_mcp_calls`): who called which tool, how
//! it went and how long it took, for `GET /api/v1/mcp/calls` and the console's Agents page.

use crate::model::{Batch, ReadModel};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The `agents` read model.
pub struct Agents;

impl ReadModel for Agents {
    const NAME: &'static str = "agents";
    const STREAM_TYPES: &'static [&'static str] = &["mcpcall", "mcpserver"];
    const TABLES: &'static [&'static str] = &["rm_mcp_calls", "rm_mcp_servers"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS rm_mcp_calls{sfx} (
                    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, actor TEXT NOT NULL,
                    server TEXT NOT NULL, tool TEXT NOT NULL, arguments_sha256 TEXT NOT NULL,
                    outcome TEXT NOT NULL, status INTEGER, error TEXT, duration_ms BIGINT NOT NULL,
                    via TEXT NOT NULL, protocol_version TEXT, client TEXT, request_id TEXT,
                    created_at TEXT NOT NULL, position BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_mcp_calls_{tag}ws ON rm_mcp_calls{sfx} (workspace_id, created_at, id)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS rm_mcp_servers{sfx} (
                    workspace_id TEXT NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
                    description TEXT, url TEXT NOT NULL, timeout_ms BIGINT NOT NULL,
                    active BIGINT NOT NULL, credential_header TEXT, credential_hint TEXT,
                    credential_id BIGINT NOT NULL, protocol_version TEXT NOT NULL,
                    server_name TEXT, server_version TEXT, tools TEXT NOT NULL,
                    registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, position BIGINT NOT NULL,
                    PRIMARY KEY (workspace_id, name))"
            ),
        ]
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        _batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        use keel_events::DomainEvent;
        let at = keel_schemas::format_ts(e.occurred_at);
        match &e.event {
            DomainEvent::McpServerRegistered(r) => {
                sqlx::query(&format!(
                    "DELETE FROM rm_mcp_servers{sfx} WHERE workspace_id = $1 AND name = $2"
                ))
                .bind(r.workspace_id.to_string())
                .bind(&r.name)
                .execute(&mut *conn)
                .await?;
                sqlx::query(&format!(
                    "INSERT INTO rm_mcp_servers{sfx} (workspace_id, name, title, description, url, \
                     timeout_ms, active, credential_header, credential_hint, credential_id, \
                     protocol_version, server_name, server_version, tools, registered_at, updated_at, \
                     position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                     $15, $15, $16)"
                ))
                .bind(r.workspace_id.to_string())
                .bind(&r.name)
                .bind(&r.title)
                .bind(r.description.as_deref())
                .bind(&r.url)
                .bind(r.timeout_ms)
                .bind(i64::from(r.active))
                .bind(r.credential_header.as_deref())
                .bind(r.credential_hint.as_deref())
                .bind(r.credential_id)
                .bind(&r.discovery.protocol_version)
                .bind(r.discovery.server_name.as_deref())
                .bind(r.discovery.server_version.as_deref())
                .bind(serde_json::to_string(&r.discovery.tools).unwrap_or_else(|_| "[]".into()))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
                return Ok(());
            }
            DomainEvent::McpServerUpdated(u) => {
                let current = sqlx::query(&format!(
                    "SELECT {SERVER_COLUMNS} FROM rm_mcp_servers{sfx} WHERE workspace_id = $1 AND name = $2"
                ))
                .bind(u.workspace_id.to_string())
                .bind(&u.name)
                .fetch_optional(&mut *conn)
                .await?;
                let Some(mut r) = current.as_ref().map(server_row).transpose()? else {
                    return Ok(());
                };
                if let Some(t) = &u.title {
                    r.title = t.clone();
                }
                if let Some(d) = &u.description {
                    r.description = Some(d.clone()).filter(|d| !d.is_empty());
                }
                if let Some(url) = &u.url {
                    r.url = url.clone();
                }
                if let Some(t) = u.timeout_ms {
                    r.timeout_ms = t;
                }
                if let Some(a) = u.active {
                    r.active = a;
                }
                if let Some(v) = u.credential_id {
                    r.credential_id = v;
                    r.credential_header = u.credential_header.clone();
                    r.credential_hint = u.credential_hint.clone();
                }
                if let Some(d) = &u.discovery {
                    r.protocol_version = d.protocol_version.clone();
                    r.server_name = d.server_name.clone();
                    r.server_version = d.server_version.clone();
                    r.tools = d.tools.clone();
                }
                sqlx::query(&format!(
                    "UPDATE rm_mcp_servers{sfx} SET title = $3, description = $4, url = $5, \
                     timeout_ms = $6, active = $7, credential_header = $8, credential_hint = $9, \
                     credential_id = $10, protocol_version = $11, server_name = $12, \
                     server_version = $13, tools = $14, updated_at = $15, position = $16 \
                     WHERE workspace_id = $1 AND name = $2"
                ))
                .bind(u.workspace_id.to_string())
                .bind(&u.name)
                .bind(&r.title)
                .bind(r.description.as_deref())
                .bind(&r.url)
                .bind(r.timeout_ms)
                .bind(i64::from(r.active))
                .bind(r.credential_header.as_deref())
                .bind(r.credential_hint.as_deref())
                .bind(r.credential_id)
                .bind(&r.protocol_version)
                .bind(r.server_name.as_deref())
                .bind(r.server_version.as_deref())
                .bind(serde_json::to_string(&r.tools).unwrap_or_else(|_| "[]".into()))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
                return Ok(());
            }
            DomainEvent::McpServerRemoved(r) => {
                sqlx::query(&format!(
                    "DELETE FROM rm_mcp_servers{sfx} WHERE workspace_id = $1 AND name = $2"
                ))
                .bind(r.workspace_id.to_string())
                .bind(&r.name)
                .execute(&mut *conn)
                .await?;
                return Ok(());
            }
            _ => {}
        }
        if let DomainEvent::McpToolCalled(c) = &e.event {
            sqlx::query(&format!(
                "INSERT INTO rm_mcp_calls{sfx} (id, workspace_id, actor, server, tool, arguments_sha256, \
                 outcome, status, error, duration_ms, via, protocol_version, client, request_id, \
                 created_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, $15, $16)"
            ))
            .bind(c.call_id.to_string())
            .bind(c.workspace_id.to_string())
            .bind(e.metadata.actor.to_string())
            .bind(&c.server)
            .bind(&c.tool)
            .bind(&c.arguments_sha256)
            .bind(&c.outcome)
            .bind(c.status.map(i64::from))
            .bind(c.error.as_deref())
            .bind(c.duration_ms)
            .bind(&c.via)
            .bind(c.protocol_version.as_deref())
            .bind(c.client.as_deref())
            .bind(e.metadata.request_id.as_deref())
            .bind(keel_schemas::format_ts(e.occurred_at))
            .bind(e.position)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// A tool call as `GET /api/v1/mcp/calls` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CallRow {
    pub id: String,
    /// `key:<id>`, `user:<id>` or `operator`.
    pub actor: String,
    pub server: String,
    pub tool: String,
    pub arguments_sha256: String,
    /// `ok`, `error` or `refused`.
    pub outcome: String,
    /// The status of the route the tool called (absent when it never ran).
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// `mcp` or `rest`.
    pub via: String,
    pub protocol_version: Option<String>,
    pub client: Option<String>,
    /// The request that made the call (its id is on every event the call caused).
    pub request_id: Option<String>,
    pub created_at: String,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub actor: Option<String>,
    pub server: Option<String>,
    pub tool: Option<String>,
    pub outcome: Option<String>,
    pub via: Option<String>,
}

const COLUMNS: &str = "id, actor, server, tool, arguments_sha256, outcome, status, error, \
    duration_ms, via, protocol_version, client, request_id, created_at";

fn row(r: &AnyRow) -> Result<CallRow, sqlx::Error> {
    Ok(CallRow {
        id: r.try_get(0)?,
        actor: r.try_get(1)?,
        server: r.try_get(2)?,
        tool: r.try_get(3)?,
        arguments_sha256: r.try_get(4)?,
        outcome: r.try_get(5)?,
        status: r.try_get(6)?,
        error: r.try_get(7)?,
        duration_ms: r.try_get(8)?,
        via: r.try_get(9)?,
        protocol_version: r.try_get(10)?,
        client: r.try_get(11)?,
        request_id: r.try_get(12)?,
        created_at: r.try_get(13)?,
    })
}

/// A page of a workspace's tool calls, newest first, and the total.
pub async fn list_calls(
    db: &Db,
    ws: &str,
    f: &CallFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CallRow>, i64), sqlx::Error> {
    let mut wheres = vec!["workspace_id = $1".to_string()];
    let mut binds = vec![ws.to_string()];
    for (col, v) in [
        ("actor", &f.actor),
        ("server", &f.server),
        ("tool", &f.tool),
        ("outcome", &f.outcome),
        ("via", &f.via),
    ] {
        if let Some(v) = v {
            binds.push(v.clone());
            wheres.push(format!("{col} = ${}", binds.len()));
        }
    }
    let w = wheres.join(" AND ");
    let sql = format!(
        "SELECT {COLUMNS} FROM rm_mcp_calls WHERE {w} ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    let count = format!("SELECT COUNT(*) FROM rm_mcp_calls WHERE {w}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar::<_, i64>(&count);
    for b in &binds {
        q = q.bind(b.clone());
        c = c.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let total = c.fetch_one(&db.pool).await?;
    Ok((rows.iter().map(row).collect::<Result<_, _>>()?, total))
}

/// A remote MCP server a workspace registered, as the API shows it (never its credential).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RemoteServerRow {
    /// The server's id: its name in the workspace, the prefix of its tools on `/mcp`.
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub timeout_ms: i64,
    pub active: bool,
    /// The header the credential goes in, when there is one.
    pub credential_header: Option<String>,
    /// The credential's first characters (`sk_l…`).
    pub credential_hint: Option<String>,
    pub credential_id: i64,
    /// The MCP revision Keel and the server speak.
    pub protocol_version: String,
    pub server_name: Option<String>,
    pub server_version: Option<String>,
    /// The tools as the server last listed them.
    #[schema(value_type = Vec<Object>)]
    pub tools: Vec<keel_events::RemoteTool>,
    pub registered_at: String,
    pub updated_at: String,
}

const SERVER_COLUMNS: &str = "name, title, description, url, timeout_ms, active, \
    credential_header, credential_hint, credential_id, protocol_version, server_name, \
    server_version, tools, registered_at, updated_at";

fn server_row(r: &AnyRow) -> Result<RemoteServerRow, sqlx::Error> {
    let tools: String = r.try_get(12)?;
    Ok(RemoteServerRow {
        name: r.try_get(0)?,
        title: r.try_get(1)?,
        description: r.try_get(2)?,
        url: r.try_get(3)?,
        timeout_ms: r.try_get(4)?,
        active: r.try_get::<i64, _>(5)? != 0,
        credential_header: r.try_get(6)?,
        credential_hint: r.try_get(7)?,
        credential_id: r.try_get(8)?,
        protocol_version: r.try_get(9)?,
        server_name: r.try_get(10)?,
        server_version: r.try_get(11)?,
        tools: serde_json::from_str(&tools).unwrap_or_default(),
        registered_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
    })
}

/// A workspace's remote servers, by name.
pub async fn list_servers(db: &Db, ws: &str) -> Result<Vec<RemoteServerRow>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {SERVER_COLUMNS} FROM rm_mcp_servers WHERE workspace_id = $1 ORDER BY name"
    ))
    .bind(ws)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(server_row).collect()
}

/// One of a workspace's remote servers.
pub async fn get_server(
    db: &Db,
    ws: &str,
    name: &str,
) -> Result<Option<RemoteServerRow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {SERVER_COLUMNS} FROM rm_mcp_servers WHERE workspace_id = $1 AND name = $2"
    ))
    .bind(ws)
    .bind(name)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(server_row).transpose()
}
