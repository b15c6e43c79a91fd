//! Reading a workspace's log for auditors: filtered, in either direction, by a cursor that
//! concurrent appends never shift (Postgres: only transactions older than every running one are
//! read, in (transaction, position) order, as the relay reads; SQLite: one writer, by position).

use crate::store::{db_error, decode_row, select_columns_of};
use keel_commands::{LogCursor, StoreError};
use keel_events::{RecordedEvent, WorkspaceId};
use keel_projections::{Db, Dialect};

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub stream_id: Option<String>,
    pub stream_type: Option<String>,
    /// Exact, or a prefix when it ends in `.*` (`key.*`).
    pub event_type: Option<String>,
    /// `operator`, `system` or `key:<id>`.
    pub actor: Option<String>,
    /// `occurred_at` bounds, RFC 3339 as stored (`from` inclusive, `to` exclusive).
    pub from: Option<String>,
    pub to: Option<String>,
    pub after_position: Option<i64>,
    /// Only events of a stream past this version (with `stream_id`).
    pub after_version: Option<i64>,
    /// Only events recorded at or before this time (RFC 3339 as stored): the log as it was.
    pub recorded_until: Option<String>,
    pub newest_first: bool,
    /// Continue after (or, newest first, before) this row.
    pub cursor: Option<LogCursor>,
}

/// One page of at most `limit` events, and the cursor of its last row.
pub async fn read(
    db: &Db,
    ws: WorkspaceId,
    q: &AuditQuery,
    limit: i64,
) -> Result<Vec<(LogCursor, RecordedEvent)>, StoreError> {
    let pg = db.dialect == Dialect::Postgres;
    let mut sql = format!(
        "SELECT {} FROM events e WHERE e.tenant_id = {}",
        select_columns_of(db.dialect, "e."),
        if pg { "CAST($1 AS uuid)" } else { "$1" }
    );
    let mut binds: Vec<Bind> = vec![Bind::Text(ws.to_string())];
    let p = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if pg {
        sql.push_str(" AND e.txid < pg_snapshot_xmin(pg_current_snapshot())");
    }
    if let Some(s) = &q.stream_id {
        sql.push_str(&format!(
            " AND e.stream_id = {}",
            p(Bind::Text(s.clone()), &mut binds)
        ));
    }
    if let Some(t) = &q.stream_type {
        let esc = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push_str(&format!(
            " AND e.stream_id LIKE {} ESCAPE '\\'",
            p(Bind::Text(format!("{esc}-%")), &mut binds)
        ));
    }
    if let Some(t) = &q.event_type {
        match t.strip_suffix(".*") {
            Some(prefix) => {
                let esc = prefix
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                sql.push_str(&format!(
                    " AND e.event_type LIKE {} ESCAPE '\\'",
                    p(Bind::Text(format!("{esc}.%")), &mut binds)
                ));
            }
            None => sql.push_str(&format!(
                " AND e.event_type = {}",
                p(Bind::Text(t.clone()), &mut binds)
            )),
        }
    }
    if let Some(a) = &q.actor {
        let col = if pg {
            "e.metadata->>'actor'"
        } else {
            "json_extract(e.metadata, '$.actor')"
        };
        sql.push_str(&format!(
            " AND {col} = {}",
            p(Bind::Text(a.clone()), &mut binds)
        ));
    }
    let ts = |ph: String| {
        if pg {
            format!("CAST({ph} AS timestamptz)")
        } else {
            ph
        }
    };
    if let Some(f) = &q.from {
        sql.push_str(&format!(
            " AND e.occurred_at >= {}",
            ts(p(Bind::Text(f.clone()), &mut binds))
        ));
    }
    if let Some(t) = &q.to {
        sql.push_str(&format!(
            " AND e.occurred_at < {}",
            ts(p(Bind::Text(t.clone()), &mut binds))
        ));
    }
    if let Some(u) = &q.recorded_until {
        sql.push_str(&format!(
            " AND e.recorded_at <= {}",
            ts(p(Bind::Text(u.clone()), &mut binds))
        ));
    }
    if let Some(v) = q.after_version {
        sql.push_str(&format!(
            " AND e.stream_version > {}",
            p(Bind::Int(v), &mut binds)
        ));
    }
    if let Some(a) = q.after_position {
        sql.push_str(&format!(
            " AND e.position > {}",
            p(Bind::Int(a), &mut binds)
        ));
    }
    let op = if q.newest_first { "<" } else { ">" };
    if let Some(c) = &q.cursor {
        if pg {
            let t = p(Bind::Text(c.txid.to_string()), &mut binds);
            let pos = p(Bind::Int(c.position), &mut binds);
            sql.push_str(&format!(
                " AND (e.txid, e.position) {op} (CAST({t} AS xid8), {pos})"
            ));
        } else {
            sql.push_str(&format!(
                " AND e.position {op} {}",
                p(Bind::Int(c.position), &mut binds)
            ));
        }
    }
    let dir = if q.newest_first { "DESC" } else { "ASC" };
    if pg {
        sql.push_str(&format!(" ORDER BY e.txid {dir}, e.position {dir}"));
    } else if q.stream_id.is_some() {
        // One stream: its versions are in log order, and the stream's own index gives them
        // (ordering by position would walk every event of the workspace instead).
        sql.push_str(&format!(" ORDER BY e.stream_version {dir}"));
    } else {
        sql.push_str(&format!(" ORDER BY e.position {dir}"));
    }
    sql.push_str(&format!(" LIMIT {}", p(Bind::Int(limit), &mut binds)));
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = match b {
            Bind::Text(s) => query.bind(s),
            Bind::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(&db.pool).await.map_err(db_error)?;
    let (cursors, events): (Vec<_>, Vec<_>) = rows
        .iter()
        .map(decode_row)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    // Auditors read personal fields opened, or marked erased.
    let events = keel_projections::personal::open_with(db, events)
        .await
        .map_err(db_error)?;
    Ok(cursors.into_iter().zip(events).collect())
}

enum Bind {
    Text(String),
    Int(i64),
}

/// How many of the workspace's committed events [`read`] cannot show yet: on Postgres, those of
/// transactions younger than the oldest one still running anywhere in the cluster (they are shown
/// once it ends, so that a cursor never skips an event committed late). Always 0 on SQLite.
pub async fn pending(db: &Db, ws: WorkspaceId) -> Result<i64, StoreError> {
    if db.dialect != Dialect::Postgres {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE tenant_id = CAST($1 AS uuid) \
         AND txid >= pg_snapshot_xmin(pg_current_snapshot())",
    )
    .bind(ws.to_string())
    .fetch_one(&db.pool)
    .await
    .map_err(db_error)?;
    Ok(n)
}
