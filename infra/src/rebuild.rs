//! Blue/green rebuild of a projection: replay the whole log into fresh `__rebuild` tables under a
//! guard namespace of their own, then, in one transaction, catch up with whatever the live
//! projector applied meanwhile, rename the tables and take over the live guard rows. The API
//! serves the old tables until the swap commits.

use crate::store::SqlStore;
use keel_commands::{EventStore, LogCursor};
use keel_projections::{apply_events, Projection};
use sqlx::{AnyConnection, Row};

const SFX: &str = "__rebuild";
const PAGE: usize = 1000;

#[derive(Debug, Clone, Copy)]
pub struct RebuildReport {
    pub events: usize,
    pub rows: i64,
}

fn guard_name(p: Projection) -> String {
    format!("{}#rebuild", p.name())
}

async fn in_tx<T>(
    store: &SqlStore,
    conn: &mut AnyConnection,
    f: impl AsyncFnOnce(&mut AnyConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    sqlx::query(store.db().begin_write())
        .execute(&mut *conn)
        .await?;
    match f(conn).await {
        Ok(v) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(v)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// How far a rebuild has got: events replayed of the log's `total` (its head position when the
/// replay started).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub events: usize,
    pub position: i64,
    pub total: i64,
    pub elapsed: std::time::Duration,
}

pub async fn rebuild(store: &SqlStore, p: Projection) -> anyhow::Result<RebuildReport> {
    rebuild_with(store, p, &|_| {}).await
}

/// [`rebuild`], calling `progress` after every page replayed.
pub async fn rebuild_with(
    store: &SqlStore,
    p: Projection,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> anyhow::Result<RebuildReport> {
    let started = std::time::Instant::now();
    let total = store.head().await.unwrap_or(0);
    let mut conn = store.db().projector_connection().await?;
    let guard = guard_name(p);
    let tag = format!("g{}_", chrono::Utc::now().timestamp_millis());
    for t in p.tables() {
        sqlx::query(&format!("DROP TABLE IF EXISTS {t}{SFX}"))
            .execute(&mut conn)
            .await?;
    }
    sqlx::query("DELETE FROM projection_streams WHERE projection = $1")
        .bind(&guard)
        .execute(&mut conn)
        .await?;
    for stmt in p.ddl(SFX, &tag) {
        sqlx::query(&keel_projections::ddl_for(&stmt, store.db().dialect))
            .execute(&mut conn)
            .await?;
    }

    let mut cursor = LogCursor::START;
    let mut events = 0;
    loop {
        let page = store.read_page_of(cursor, PAGE, p.stream_types()).await?;
        let Some(last) = page.last else { break };
        cursor = last;
        events += page.read;
        let batch = page.events;
        if !batch.is_empty() {
            in_tx(store, &mut conn, async |c| {
                Ok(apply_events(c, p, &guard, SFX, &batch).await?)
            })
            .await?;
        }
        progress(Progress {
            events,
            position: cursor.position,
            total,
            elapsed: started.elapsed(),
        });
    }

    // The swap can lose a race with the live projector (a deadlock on Postgres): try again.
    let mut attempt = 0;
    loop {
        attempt += 1;
        match in_tx(store, &mut conn, async |c| swap(store, c, p, &guard).await).await {
            Ok(()) => break,
            Err(e) if attempt < 5 => tracing::warn!(error = %e, "rebuild swap failed; retrying"),
            Err(e) => return Err(e),
        }
    }
    let rows: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {}", p.tables()[0]))
        .fetch_one(&mut conn)
        .await?
        .get(0);
    Ok(RebuildReport { events, rows })
}

async fn swap(
    store: &SqlStore,
    conn: &mut AnyConnection,
    p: Projection,
    guard: &str,
) -> anyhow::Result<()> {
    // Streams the live projection has got further on than the replay: apply the difference.
    let behind = sqlx::query(
        "SELECT l.stream_id, COALESCE(r.version, 0) FROM projection_streams l \
         LEFT JOIN projection_streams r ON r.projection = $2 AND r.stream_id = l.stream_id \
         WHERE l.projection = $1 AND l.version > COALESCE(r.version, 0)",
    )
    .bind(p.name())
    .bind(guard)
    .fetch_all(&mut *conn)
    .await?;
    for row in behind {
        let stream = keel_events::StreamId(row.get(0));
        let have: i64 = row.get(1);
        let missing: Vec<_> = store
            .read_stream(&stream)
            .await?
            .into_iter()
            .filter(|e| e.stream_version > have)
            .collect();
        apply_events(conn, p, guard, SFX, &missing).await?;
    }
    for t in p.tables() {
        sqlx::query(&format!("ALTER TABLE {t} RENAME TO {t}__old"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("ALTER TABLE {t}{SFX} RENAME TO {t}"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("DROP TABLE {t}__old"))
            .execute(&mut *conn)
            .await?;
        // Partitions (Postgres) take their table's name again: `rm_hits__rebuild_p202612` →
        // `rm_hits_p202612` (the old ones went with the old table).
        if store.db().dialect == keel_projections::Dialect::Postgres {
            let children: Vec<String> = sqlx::query(
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = to_regclass($1)",
            )
            .bind(*t)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
            let prefix = format!("{t}{SFX}_");
            for child in children {
                if let Some(rest) = child.strip_prefix(&prefix) {
                    sqlx::query(&format!("ALTER TABLE {child} RENAME TO {t}_{rest}"))
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
    }
    sqlx::query("DELETE FROM projection_streams WHERE projection = $1")
        .bind(p.name())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE projection_streams SET projection = $1 WHERE projection = $2")
        .bind(p.name())
        .bind(guard)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The shape of a projection's read model: a hash of its table definitions.
pub fn shape(p: Projection) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for stmt in p.ddl("", "") {
        h.update(stmt.split_whitespace().collect::<Vec<_>>().join(" "));
        h.update(b";");
    }
    hex::encode(&h.finalize()[..12])
}

/// Rebuilds, before anything serves, every projection whose read model was built with tables of
/// another shape (a release changed them) or of an unknown one (built before shapes were kept),
/// and records the shapes. A log with no events only records them. Returns what was rebuilt.
pub async fn reshape(store: &SqlStore) -> anyhow::Result<Vec<(Projection, RebuildReport)>> {
    // Projector processes starting together reshape one at a time: the next finds the shapes
    // recorded (an advisory lock on Postgres, held by a connection of its own; SQLite has one
    // writer).
    let db = store.db();
    let mut lock = None;
    if db.dialect == keel_projections::Dialect::Postgres {
        let mut conn = db.dedicated().await?;
        sqlx::query("SELECT pg_advisory_lock(4242002)")
            .execute(&mut conn)
            .await?;
        lock = Some(conn);
    }
    let result = reshape_locked(store).await;
    if let Some(mut conn) = lock {
        let _ = sqlx::query("SELECT pg_advisory_unlock(4242002)")
            .execute(&mut conn)
            .await;
    }
    result
}

async fn reshape_locked(store: &SqlStore) -> anyhow::Result<Vec<(Projection, RebuildReport)>> {
    let db = store.db();
    let empty = store.head().await.unwrap_or(0) == 0;
    let mut rebuilt = Vec::new();
    for p in Projection::ALL {
        let want = shape(p);
        let have: Option<String> =
            sqlx::query("SELECT shape FROM projection_shapes WHERE projection = $1")
                .bind(p.name())
                .fetch_optional(&db.pool)
                .await?
                .map(|r| r.get(0));
        if have.as_deref() == Some(want.as_str()) {
            continue;
        }
        if !empty {
            tracing::info!(
                projection = p.name(),
                "the read model's tables changed in this release: rebuilding it from the log"
            );
            let report = rebuild(store, p).await?;
            tracing::info!(
                projection = p.name(),
                events = report.events,
                "read model rebuilt"
            );
            rebuilt.push((p, report));
        }
        sqlx::query(
            "INSERT INTO projection_shapes (projection, shape, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (projection) DO UPDATE SET shape = excluded.shape, updated_at = excluded.updated_at",
        )
        .bind(p.name())
        .bind(&want)
        .bind(keel_schemas::format_ts(chrono::Utc::now()))
        .execute(&db.pool)
        .await?;
    }
    Ok(rebuilt)
}
