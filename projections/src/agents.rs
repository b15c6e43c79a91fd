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
    const STREAM_TYPES: &'static [&'static str] = &["mcpcall"];
    const TABLES: &'static [&'static str] = &["rm_mcp_calls"];

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
        ]
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        _batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        if let keel_events::DomainEvent::McpToolCalled(c) = &e.event {
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
