//! Snapshots of folded stream state (table `stream_snapshots`), so that reading an entity as of an
//! instant folds at most a few events past the nearest snapshot instead of its whole history.

use crate::store::db_error;
use keel_commands::StoreError;
use keel_events::{StreamId, WorkspaceId};
use keel_projections::Db;
use sqlx::Row;

/// One snapshot: the state after `version`, all of whose events were recorded by `recorded_at`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub version: i64,
    pub recorded_at: String,
    pub state: serde_json::Value,
}

/// The newest snapshot of the stream (in `shape`) usable at `at` (RFC 3339 as stored).
pub async fn latest(
    db: &Db,
    ws: WorkspaceId,
    stream: &StreamId,
    shape: i32,
    at: &str,
) -> Result<Option<Snapshot>, StoreError> {
    let row = sqlx::query(
        "SELECT version, recorded_at, state FROM stream_snapshots \
         WHERE stream_id = $1 AND shape = $2 AND tenant_id = $3 AND recorded_at <= $4 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(stream.as_str())
    .bind(shape)
    .bind(ws.to_string())
    .bind(at)
    .fetch_optional(&db.pool)
    .await
    .map_err(db_error)?;
    let Some(r) = row else { return Ok(None) };
    let state: String = r.get(2);
    // An unreadable snapshot is only a slower read.
    Ok(serde_json::from_str(&state).ok().map(|state| Snapshot {
        version: r.get(0),
        recorded_at: r.get(1),
        state,
    }))
}

/// Saves snapshots (existing ones are kept: a snapshot of a version never changes).
pub async fn save(
    db: &Db,
    ws: WorkspaceId,
    stream: &StreamId,
    shape: i32,
    snapshots: &[Snapshot],
) -> Result<(), StoreError> {
    for chunk in snapshots.chunks(100) {
        let rows = (0..chunk.len())
            .map(|i| {
                let b = 6 * i;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO stream_snapshots (tenant_id, stream_id, shape, version, recorded_at, state) \
             VALUES {rows} ON CONFLICT DO NOTHING"
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q
                .bind(ws.to_string())
                .bind(stream.as_str())
                .bind(shape)
                .bind(s.version)
                .bind(s.recorded_at.clone())
                .bind(s.state.to_string());
        }
        q.execute(&db.pool).await.map_err(db_error)?;
    }
    Ok(())
}
