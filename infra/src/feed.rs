//! The in-process feed: projectors that tail the log directly (embedded default, and Postgres
//! without Kafka). Checkpoint and read-model writes commit in one transaction.

use crate::metrics;
use crate::store::SqlStore;
use keel_commands::LogCursor;
use keel_projections::{apply_events, Db, Projection};
use sqlx::{AnyConnection, Row};
use std::time::Duration;
use tokio::sync::watch;

/// Events per page of the log (and so per transaction while catching up).
const PAGE: usize = 1000;

pub fn checkpoint_name(p: Projection) -> String {
    format!("projection:{}", p.name())
}

/// Where a projection's feed stands: a position of the log (the embedded feed), or a next offset
/// per Kafka partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedProgress {
    /// Read from the log: the last position taken.
    Log { position: i64 },
    /// Consumed from Kafka: per partition, the next offset to read.
    Kafka { offsets: Vec<PartitionOffset> },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PartitionOffset {
    pub partition: i32,
    pub next_offset: i64,
}

/// Where `p`'s feed stands; `kafka` says which feed this deployment runs.
pub async fn progress(db: &Db, p: Projection, kafka: bool) -> Result<FeedProgress, sqlx::Error> {
    if !kafka {
        let r = sqlx::query("SELECT position FROM checkpoints WHERE name = $1")
            .bind(checkpoint_name(p))
            .fetch_optional(&db.pool)
            .await?;
        return Ok(FeedProgress::Log {
            position: r.map_or(0, |r| r.get::<i64, _>(0)),
        });
    }
    let rows = sqlx::query(
        "SELECT partition_id, next_offset FROM projector_offsets WHERE projection = $1 ORDER BY partition_id",
    )
    .bind(p.name())
    .fetch_all(&db.pool)
    .await?;
    Ok(FeedProgress::Kafka {
        offsets: rows
            .iter()
            .map(|r| PartitionOffset {
                partition: r.get(0),
                next_offset: r.get(1),
            })
            .collect(),
    })
}

pub async fn load_checkpoint(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<LogCursor, sqlx::Error> {
    let row = sqlx::query("SELECT txid, position FROM checkpoints WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.map_or(LogCursor::START, |r| LogCursor {
        txid: r.get(0),
        position: r.get(1),
    }))
}

pub async fn save_checkpoint(
    conn: &mut AnyConnection,
    name: &str,
    c: LogCursor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO checkpoints (name, txid, position, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET txid = excluded.txid, position = excluded.position, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(c.txid)
    .bind(c.position)
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a projector's tail stands: the position it has read up to (kept in memory), and the
/// last one written to its checkpoint.
struct Tail {
    at: LogCursor,
    saved: LogCursor,
    saved_at: std::time::Instant,
}

/// A page being read ahead: where it starts, and the read.
type Ahead = (
    LogCursor,
    tokio::task::JoinHandle<Result<crate::store::Page, keel_commands::StoreError>>,
);

/// How often a projector that reads only other projections' events writes down where it is.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// Applies one page of the log if there is one. Returns how many events it read (a page shorter
/// than [`PAGE`] is the end of the log for now).
///
/// A page without an event of this projection opens no transaction: the tail moves on in memory
/// and the checkpoint is written at most every [`SAVE_EVERY`] (an idle projector writes it within
/// about a second).
/// Re-reading such events after a restart changes nothing. A page with events of this projection
/// is applied and checkpointed in one transaction, as before.
///
/// A full page is probably followed by another: the next one is read (on a pooled connection)
/// while this one is applied, and taken by the next step if the tail did reach its start.
async fn step(
    store: &SqlStore,
    conn: &mut AnyConnection,
    projection: Projection,
    tail: &mut Tail,
    ahead: &mut Option<Ahead>,
) -> anyhow::Result<usize> {
    let name = checkpoint_name(projection);
    let page = match ahead.take() {
        Some((from, read)) if from == tail.at => read.await??,
        _ => {
            store
                .read_page_of(tail.at, PAGE, projection.stream_types())
                .await?
        }
    };
    let Some(last) = page.last else {
        return Ok(0);
    };
    if page.read == PAGE {
        let store = store.clone();
        let types = projection.stream_types();
        *ahead = Some((
            last,
            tokio::spawn(async move { store.read_page_of(last, PAGE, types).await }),
        ));
    }
    let events = page.events;
    if events.is_empty() {
        tail.at = last;
        if tail.saved_at.elapsed() >= SAVE_EVERY {
            save(conn, &name, tail).await?;
        }
        return Ok(page.read);
    }
    sqlx::query(store.db().begin_write())
        .execute(&mut *conn)
        .await?;
    let result = async {
        apply_events(conn, projection, projection.name(), "", &events).await?;
        save_checkpoint(conn, &name, last).await?;
        anyhow::Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            tail.at = last;
            tail.saved = last;
            tail.saved_at = std::time::Instant::now();
            Ok(page.read)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// Writes the tail's position to the checkpoint, if it moved.
async fn save(conn: &mut AnyConnection, name: &str, tail: &mut Tail) -> anyhow::Result<()> {
    if tail.at != tail.saved {
        save_checkpoint(conn, name, tail.at).await?;
        tail.saved = tail.at;
    }
    tail.saved_at = std::time::Instant::now();
    Ok(())
}

/// Runs one projection off the log until `shutdown` turns true.
pub async fn run(store: SqlStore, projection: Projection, mut shutdown: watch::Receiver<bool>) {
    let mut commits = store.commits();
    let mut conn: Option<AnyConnection> = None;
    let mut tail: Option<Tail> = None;
    let mut ahead: Option<Ahead> = None;
    let mut lag_at = std::time::Instant::now()
        .checked_sub(SAVE_EVERY)
        .unwrap_or_else(std::time::Instant::now);
    let lag = metrics::LAG_EVENTS.with_label_values(&[&format!("projector:{}", projection.name())]);
    while !*shutdown.borrow() {
        if conn.is_none() {
            match store.db().projector_connection().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(projection = projection.name(), error = %e, "projector cannot connect; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        if tail.is_none() {
            match load_checkpoint(c, &checkpoint_name(projection)).await {
                Ok(at) => {
                    tail = Some(Tail {
                        at,
                        saved: at,
                        saved_at: std::time::Instant::now(),
                    })
                }
                Err(e) => {
                    tracing::warn!(projection = projection.name(), error = %e, "projector cannot read its checkpoint; retrying");
                    conn = None;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            }
        }
        let Some(t) = tail.as_mut() else { continue };
        match step(&store, c, projection, t, &mut ahead).await {
            Ok(n) if n == PAGE => continue,
            Ok(_) => {
                // At the end of the log: write down where the tail is (at most every second, so
                // a burst of other projections' events costs no write each), and the lag.
                if t.saved_at.elapsed() >= SAVE_EVERY {
                    if let Err(e) = save(c, &checkpoint_name(projection), t).await {
                        tracing::warn!(projection = projection.name(), error = %e, "projector cannot save its checkpoint; retrying");
                        conn = None;
                        continue;
                    }
                }
                if lag_at.elapsed() >= SAVE_EVERY {
                    lag_at = std::time::Instant::now();
                    if let Ok(head) = store.head().await {
                        lag.set((head - t.at.position).max(0));
                    }
                }
                tokio::select! {
                    _ = commits.changed() => {}
                    _ = shutdown.changed() => {}
                    // A commit by another process is not signalled here: poll as well.
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
            }
            Err(e) => {
                tracing::warn!(projection = projection.name(), error = %e, "projector step failed; retrying");
                conn = None;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    // Where the tail got to, for the next start.
    if let (Some(c), Some(t)) = (conn.as_mut(), tail.as_mut()) {
        let _ = save(c, &checkpoint_name(projection), t).await;
    }
}
