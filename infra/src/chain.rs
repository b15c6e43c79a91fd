//! Tamper evidence: every event is chained to the previous event of its workspace by a SHA-256
//! hash over a canonical encoding of the event, and the chain head is kept per workspace.
//!
//! The chainer tails the log like the relay (by transaction id, so a late commit is never passed
//! over) and, in one transaction per page, appends a link per event to `event_chain` (workspace,
//! sequence, position, previous hash, hash) and moves the workspace's head in `chain_heads`. Only
//! one chainer works at a time (an advisory lock on Postgres; SQLite has one writer). [`verify`]
//! recomputes a workspace's chain from the events as stored and reports the first break: an
//! edited event, a deleted one, rows moved to other positions, a removed link, a truncated tail,
//! or an event that appeared in the log without having been chained.

use crate::feed::{load_checkpoint, save_checkpoint};
use crate::store::{select_columns, select_columns_of, SqlStore};
use keel_commands::LogCursor;
use keel_projections::{Db, Dialect};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::watch;

/// The hash before a workspace's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const CHECKPOINT: &str = "chain";
const PAGE: i64 = 1000;

/// An event row as stored (every column as text, as the log is read everywhere).
#[derive(Debug, Clone)]
pub struct StoredRow {
    pub txid: String,
    pub position: i64,
    pub event_id: String,
    pub tenant_id: String,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: String,
    pub metadata: String,
    pub occurred_at: String,
    pub recorded_at: String,
}

impl StoredRow {
    fn read(r: &sqlx::any::AnyRow, at: usize) -> Result<Self, sqlx::Error> {
        Ok(StoredRow {
            txid: r.try_get(at)?,
            position: r.try_get(at + 1)?,
            event_id: r.try_get(at + 2)?,
            tenant_id: r.try_get(at + 3)?,
            stream_id: r.try_get(at + 4)?,
            stream_version: r.try_get(at + 5)?,
            event_type: r.try_get(at + 6)?,
            schema_version: r.try_get(at + 7)?,
            payload: r.try_get(at + 8)?,
            metadata: r.try_get(at + 9)?,
            occurred_at: r.try_get(at + 10)?,
            recorded_at: r.try_get(at + 11)?,
        })
    }
}

/// JSON with object keys sorted and no insignificant space: the same bytes whichever database
/// stored it (Postgres' `jsonb` reorders keys and spaces its text).
pub fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The canonical encoding of an event: a JSON array of its identity, type, schema version,
/// payload, metadata and times. (The position is not in it: the chain's order is.)
pub fn canonical_event(r: &StoredRow) -> String {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::String(s.to_string()));
    let mut out = String::new();
    let head = serde_json::json!([
        r.event_id,
        r.tenant_id,
        r.stream_id,
        r.stream_version,
        r.event_type,
        r.schema_version
    ])
    .to_string();
    out.push_str(&head[..head.len() - 1]);
    out.push(',');
    canonical_json(&parse(&r.payload), &mut out);
    out.push(',');
    canonical_json(&parse(&r.metadata), &mut out);
    out.push(',');
    out.push_str(&Value::String(r.occurred_at.clone()).to_string());
    out.push(',');
    out.push_str(&Value::String(r.recorded_at.clone()).to_string());
    out.push(']');
    out
}

/// The link hash: SHA-256 over the previous hash and the event's canonical encoding.
pub fn link(prev: &str, r: &StoredRow) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical_event(r).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn cursor_sql(dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "SELECT {} FROM events WHERE (txid, position) > (CAST($1 AS xid8), $2) \
             AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.txid, events.position LIMIT $3",
            select_columns(dialect)
        ),
        Dialect::Sqlite => format!(
            "SELECT {} FROM events WHERE position > $2 AND $1 = $1 ORDER BY position LIMIT $3",
            select_columns(dialect)
        ),
    }
}

/// Chains the next page of the log, if any. Returns how many events it chained.
pub async fn step(db: &Db, conn: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    sqlx::query(db.begin_write()).execute(&mut *conn).await?;
    let r = async {
        if db.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(4242001)")
                .execute(&mut *conn)
                .await?;
        }
        let cursor = load_checkpoint(conn, CHECKPOINT).await?;
        let rows = sqlx::query(&cursor_sql(db.dialect))
            .bind(cursor.txid.to_string())
            .bind(cursor.position)
            .bind(PAGE)
            .fetch_all(&mut *conn)
            .await?;
        let rows: Vec<StoredRow> = rows
            .iter()
            .map(|r| StoredRow::read(r, 0))
            .collect::<Result<_, _>>()?;
        let Some(last) = rows.last() else {
            return Ok(0);
        };
        let last = LogCursor {
            txid: last.txid.parse().unwrap_or(0),
            position: last.position,
        };
        // Heads of the page's workspaces.
        let mut tenants: Vec<&str> = rows.iter().map(|r| r.tenant_id.as_str()).collect();
        tenants.sort_unstable();
        tenants.dedup();
        let mut heads: HashMap<String, (i64, String)> = HashMap::new();
        for chunk in tenants.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| format!("(${i})"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT h.tenant_id, h.seq, h.hash FROM (VALUES {list}) AS v \
                 JOIN chain_heads h ON h.tenant_id = v.column1"
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q.bind(*t);
            }
            for r in q.fetch_all(&mut *conn).await? {
                heads.insert(r.get(0), (r.get(1), r.get(2)));
            }
        }
        let mut links: Vec<(String, i64, i64, String, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let head = heads
                .entry(r.tenant_id.clone())
                .or_insert_with(|| (0, GENESIS.to_string()));
            let hash = link(&head.1, r);
            links.push((r.tenant_id.clone(), head.0 + 1, r.position, head.1.clone(), hash.clone()));
            *head = (head.0 + 1, hash);
        }
        for chunk in links.chunks(200) {
            let values = (0..chunk.len())
                .map(|i| {
                    let b = 5 * i;
                    format!("(${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO event_chain (tenant_id, seq, position, prev_hash, hash) VALUES {values}"
            );
            let mut q = sqlx::query(&sql);
            for (t, seq, pos, prev, hash) in chunk {
                q = q.bind(t).bind(*seq).bind(*pos).bind(prev).bind(hash);
            }
            q.execute(&mut *conn).await?;
        }
        let positions: HashMap<&str, i64> = links
            .iter()
            .map(|(t, _, p, _, _)| (t.as_str(), *p))
            .collect();
        let heads: Vec<(String, i64, String, i64)> = heads
            .into_iter()
            .filter_map(|(t, (seq, hash))| positions.get(t.as_str()).map(|p| (t.clone(), seq, hash, *p)))
            .collect();
        for chunk in heads.chunks(200) {
            let values = (0..chunk.len())
                .map(|i| {
                    let b = 4 * i;
                    format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO chain_heads (tenant_id, seq, hash, position) VALUES {values} \
                 ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
                 position = excluded.position"
            );
            let mut q = sqlx::query(&sql);
            for (t, seq, hash, pos) in chunk {
                q = q.bind(t).bind(*seq).bind(hash).bind(*pos);
            }
            q.execute(&mut *conn).await?;
        }
        save_checkpoint(conn, CHECKPOINT, last).await?;
        Ok(rows.len())
    }
    .await;
    match r {
        Ok(n) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(n)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// Chains the log as it grows until `shutdown` turns true.
pub async fn run(store: SqlStore, mut shutdown: watch::Receiver<bool>) {
    let mut commits = store.commits();
    let mut conn: Option<AnyConnection> = None;
    while !*shutdown.borrow() {
        if conn.is_none() {
            match store.db().dedicated().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "chainer cannot connect; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match step(store.db(), c).await {
            // A short page was the end of the log: wait for the next commit.
            Ok(n) if n as i64 == PAGE => continue,
            Ok(_) => {
                tokio::select! {
                    _ = commits.changed() => {}
                    _ = shutdown.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "chainer step failed; retrying");
                conn = None;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// Where a chain broke.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Break {
    /// The log position of the first event that does not verify (or of its link).
    pub position: i64,
    pub seq: i64,
    pub reason: &'static str,
}

/// The result of recomputing a workspace's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub ok: bool,
    /// Links checked.
    pub checked: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub first_broken: Option<Break>,
    /// Committed events of the workspace the chainer has not reached yet.
    pub pending: i64,
}

/// Links verified per query.
const VERIFY_PAGE: i64 = 5000;

/// Recomputes the chain of `tenant` from the events as stored.
/// Every workspace that has a chain.
pub async fn tenants(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT tenant_id FROM chain_heads ORDER BY tenant_id")
        .fetch_all(&db.pool)
        .await
}

pub async fn verify(db: &Db, tenant: &str) -> Result<Verification, sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    // Links, head, checkpoint and pending count all come from one snapshot: read one statement
    // at a time, a link the chainer commits meanwhile would show a head past the last link
    // read (a chain reported truncated when it is not) or an event neither checked nor pending.
    let begin = match db.dialect {
        Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        // A deferred transaction: its first read fixes the snapshot (WAL) until it ends.
        Dialect::Sqlite => "BEGIN",
    };
    sqlx::query(begin).execute(&mut *conn).await?;
    let v = verify_in(db, &mut conn, tenant).await;
    // Read-only: ending it either way changes nothing.
    let end = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    if end.is_err() {
        // Never hand a connection back to the pool inside a transaction.
        let _ = conn.close().await;
    }
    let v = v?;
    end?;
    Ok(v)
}

async fn verify_in(
    db: &Db,
    conn: &mut AnyConnection,
    tenant: &str,
) -> Result<Verification, sqlx::Error> {
    let cols = select_columns_of(db.dialect, "e.");
    // A page of links at a time (by sequence number): a workspace of millions of events is
    // verified in bounded memory.
    let sql = format!(
        "SELECT c.seq, c.position, c.prev_hash, c.hash, e.position IS NOT NULL, {cols} \
         FROM event_chain c LEFT JOIN events e ON e.position = c.position \
         WHERE c.tenant_id = $1 AND c.seq > $2 AND c.seq <= $3 ORDER BY c.seq"
    );
    let mut prev = GENESIS.to_string();
    let mut checked = 0i64;
    let mut broken: Option<Break> = None;
    'pages: loop {
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(checked)
            .bind(checked + VERIFY_PAGE)
            .fetch_all(&mut *conn)
            .await?;
        let full = rows.len() as i64 == VERIFY_PAGE;
        for r in &rows {
            let seq: i64 = r.get(0);
            let position: i64 = r.get(1);
            let prev_hash: String = r.get(2);
            let hash: String = r.get(3);
            let present: bool = r
                .try_get::<bool, _>(4)
                .or_else(|_| r.try_get::<i64, _>(4).map(|n| n != 0))?;
            let fail = |reason| {
                Some(Break {
                    position,
                    seq,
                    reason,
                })
            };
            broken = if seq != checked + 1 {
                fail("a link of the chain is missing")
            } else if prev_hash != prev {
                fail("a link of the chain was altered")
            } else if !present {
                fail("the event was deleted")
            } else {
                let row = StoredRow::read(r, 5)?;
                if row.tenant_id != tenant {
                    fail("another workspace's event stands at this position")
                } else if link(&prev, &row) != hash {
                    fail("the event was altered or moved")
                } else {
                    None
                }
            };
            if broken.is_some() {
                break 'pages;
            }
            checked += 1;
            prev = hash;
        }
        if !full {
            break;
        }
    }
    let head = sqlx::query("SELECT seq, hash, position FROM chain_heads WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| {
            (
                r.get::<i64, _>(0),
                r.get::<String, _>(1),
                r.get::<i64, _>(2),
            )
        });
    let (head_seq, head_hash) = head
        .clone()
        .map_or((0, GENESIS.to_string()), |(s, h, _)| (s, h));
    if broken.is_none() && (head_seq != checked || head_hash != prev) {
        broken = Some(Break {
            position: head.map_or(0, |h| h.2),
            seq: head_seq,
            reason: "the chain was truncated (its head is past its last link)",
        });
    }
    // Events of the workspace up to the chainer's checkpoint must all be in the chain.
    let cp = load_checkpoint(conn, CHECKPOINT).await?;
    let behind = match db.dialect {
        Dialect::Postgres => "(e.txid, e.position) <= (CAST($2 AS xid8), $3)",
        Dialect::Sqlite => "e.position <= $3 AND $2 = $2",
    };
    let unchained = |cond: &str| {
        format!(
            "SELECT MIN(e.position), COUNT(*) FROM events e WHERE e.tenant_id = {} AND {cond} \
             AND NOT EXISTS (SELECT 1 FROM event_chain c WHERE c.position = e.position)",
            if db.dialect == Dialect::Postgres {
                "CAST($1 AS uuid)"
            } else {
                "$1"
            }
        )
    };
    let r = sqlx::query(&unchained(behind))
        .bind(tenant)
        .bind(cp.txid.to_string())
        .bind(cp.position)
        .fetch_one(&mut *conn)
        .await?;
    let (first_unchained, n_unchained): (Option<i64>, i64) = (r.get(0), r.get(1));
    if broken.is_none() && n_unchained > 0 {
        broken = Some(Break {
            position: first_unchained.unwrap_or(0),
            seq: 0,
            reason: "the event is in the log but not in the chain (inserted afterwards)",
        });
    }
    let ahead = match db.dialect {
        Dialect::Postgres => "(e.txid, e.position) > (CAST($2 AS xid8), $3)",
        Dialect::Sqlite => "e.position > $3 AND $2 = $2",
    };
    let pending: i64 = sqlx::query(&unchained(ahead))
        .bind(tenant)
        .bind(cp.txid.to_string())
        .bind(cp.position)
        .fetch_one(&mut *conn)
        .await?
        .get(1);
    Ok(Verification {
        ok: broken.is_none(),
        checked,
        head_seq,
        head_hash,
        first_broken: broken,
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(payload: &str) -> StoredRow {
        StoredRow {
            txid: "1".into(),
            position: 1,
            event_id: "e".into(),
            tenant_id: "t".into(),
            stream_id: "s".into(),
            stream_version: 1,
            event_type: "x.y".into(),
            schema_version: 1,
            payload: payload.into(),
            metadata: r#"{"actor":"operator"}"#.into(),
            occurred_at: "2026-01-01T00:00:00.000000Z".into(),
            recorded_at: "2026-01-01T00:00:00.000000Z".into(),
        }
    }

    #[test]
    fn the_encoding_ignores_key_order_and_spacing_but_not_content() {
        let a = row(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#);
        let b = row(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
        assert_eq!(canonical_event(&a), canonical_event(&b));
        assert_eq!(link(GENESIS, &a), link(GENESIS, &b));
        let c = row(r#"{"a":{"x":"s","y":[1,3]},"b":1}"#);
        assert_ne!(link(GENESIS, &a), link(GENESIS, &c));
        assert_ne!(link(GENESIS, &a), link(&link(GENESIS, &a), &a));
        assert!(canonical_event(&a)
            .starts_with(r#"["e","t","s",1,"x.y",1,{"a":{"x":"s","y":[1,2]},"b":1},"#));
    }
}
