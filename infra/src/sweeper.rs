//! Anti-entropy for projectors fed by Kafka. The broker is trusted to deliver, but a lost record
//! (a broker bug, a partition left unassigned after a rebalance, a topic recreated by hand) would
//! otherwise leave a read model short for good. The sweeper walks the log behind the projector,
//! as the relay does (final transactions only, in order, from a stored checkpoint), and checks
//! each event against the projection's stream guard: an event older than [`GRACE`] that is still
//! not applied is applied from the log (the guard makes a late duplicate from Kafka harmless).

use crate::feed::{load_checkpoint, save_checkpoint};
use crate::store::SqlStore;
use keel_commands::{EventStore, LogCursor};
use keel_events::StreamId;
use keel_projections::{apply_events, Dialect, Projection};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::watch;

/// How long Kafka gets to deliver an event before the sweeper applies it itself.
pub const GRACE: Duration = Duration::from_secs(5);
const PAGE: usize = 1000;

fn checkpoint(p: Projection) -> String {
    format!("sweep:{}", p.name())
}

/// Checks the next page of the log; returns (events checked, events repaired).
pub async fn step(
    store: &SqlStore,
    conn: &mut AnyConnection,
    p: Projection,
) -> anyhow::Result<(usize, usize)> {
    let name = checkpoint(p);
    let cursor = load_checkpoint(conn, &name).await?;
    let page = lean_page(store, conn, cursor).await?;
    let cutoff = keel_schemas::format_ts(chrono::Utc::now() - chrono::Duration::from_std(GRACE)?);
    // Guard versions of the page's streams this projection covers.
    let streams: Vec<&str> = page
        .iter()
        .map(|r| r.stream_id.as_str())
        .filter(|s| p.covers(s))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut have: HashMap<String, i64> = HashMap::new();
    for chunk in streams.chunks(500) {
        let list = (0..chunk.len())
            .map(|i| format!("(${})", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT g.stream_id, g.version FROM (VALUES {list}) AS v \
             JOIN projection_streams g ON g.projection = $1 AND g.stream_id = v.column1"
        );
        let mut q = sqlx::query(&sql).bind(p.name());
        for s in chunk {
            q = q.bind(*s);
        }
        for r in q.fetch_all(&mut *conn).await? {
            have.insert(r.get(0), r.get(1));
        }
    }
    let mut reached = None;
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut checked = 0;
    for e in &page {
        if p.covers(&e.stream_id)
            && have.get(e.stream_id.as_str()).copied().unwrap_or(0) < e.stream_version
        {
            if e.recorded_at > cutoff {
                break; // Kafka may still bring it: look again next time
            }
            missing.insert(e.stream_id.clone());
        }
        checked += 1;
        reached = Some(e.cursor);
    }
    let mut repaired = 0;
    for s in &missing {
        let events = store.read_stream(&StreamId(s.clone())).await?;
        sqlx::query(store.db().begin_write())
            .execute(&mut *conn)
            .await?;
        match apply_events(conn, p, p.name(), "", &events).await {
            Ok(n) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                repaired += n;
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return Err(e.into());
            }
        }
    }
    if repaired > 0 {
        tracing::warn!(
            projection = p.name(),
            streams = missing.len(),
            events = repaired,
            "events the feed had not delivered were applied from the log"
        );
        crate::metrics::SWEEP_REPAIRED
            .with_label_values(&[p.name()])
            .inc_by(repaired as u64);
    }
    if let Some(c) = reached {
        save_checkpoint(conn, &name, c).await?;
    }
    Ok((checked, repaired))
}

struct Lean {
    cursor: LogCursor,
    stream_id: String,
    stream_version: i64,
    /// As stored (fixed-width RFC 3339 text, so it compares as time).
    recorded_at: String,
}

/// The next page of the log in the relay's order, without payloads (nothing to decode).
async fn lean_page(
    store: &SqlStore,
    conn: &mut AnyConnection,
    after: LogCursor,
) -> Result<Vec<Lean>, sqlx::Error> {
    let sql = match store.db().dialect {
        Dialect::Postgres => format!(
            "SELECT txid::text, position, stream_id, stream_version, \
             to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM events \
             WHERE (txid, position) > (CAST($1 AS xid8), $2) AND txid < pg_snapshot_xmin(pg_current_snapshot()) \
             ORDER BY events.txid, events.position LIMIT {PAGE}"
        ),
        Dialect::Sqlite => format!(
            "SELECT '0', position, stream_id, stream_version, recorded_at FROM events \
             WHERE position > $2 AND $1 = $1 ORDER BY position LIMIT {PAGE}"
        ),
    };
    let rows = sqlx::query(&sql)
        .bind(after.txid.to_string())
        .bind(after.position)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Lean {
                cursor: LogCursor {
                    txid: r.try_get::<String, _>(0)?.parse().unwrap_or(0),
                    position: r.try_get(1)?,
                },
                stream_id: r.try_get(2)?,
                stream_version: r.try_get(3)?,
                recorded_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Sweeps behind one projection until `shutdown` turns true.
pub async fn run(store: SqlStore, p: Projection, mut shutdown: watch::Receiver<bool>) {
    let mut conn: Option<AnyConnection> = None;
    while !*shutdown.borrow() {
        if conn.is_none() {
            match store.db().dedicated().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(projection = p.name(), error = %e, "sweeper cannot connect; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let pause = match step(&store, c, p).await {
            Ok((checked, _)) if checked == PAGE => Duration::from_millis(10),
            Ok(_) => Duration::from_secs(1),
            Err(e) => {
                tracing::warn!(projection = p.name(), error = %e, "sweep failed; retrying");
                conn = None;
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
    }
}
