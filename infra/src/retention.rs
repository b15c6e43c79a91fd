//! Bounded raw analytics storage (issue 27, ADR 0028): raw hits older than
//! `KEEL_ANALYTICS_RAW_RETENTION_DAYS` are dropped — whole monthly partitions on Postgres (an
//! instant `DROP TABLE`, no dead rows), a `DELETE` on SQLite — with the visits that ended before
//! them. Rollups are kept forever and answer every unfiltered query beyond the window; the log
//! itself stays complete, so a rebuild re-derives everything (and the next sweep drops the old
//! months again).
//!
//! The sweep records since when raw hits are complete (`analytics_horizon`), and queries that
//! need raw hits from before then say so ([`raw_since`]).

use chrono::{DateTime, Utc};
use keel_projections::analytics::{ensure_partition, month_of};
use keel_projections::{Db, Dialect};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::time::Duration;
use tokio::sync::watch;

const DAY_MS: i64 = 86_400_000;

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Swept {
    /// Raw hits are complete from this instant (ms) on; `None` while nothing was ever dropped.
    pub raw_since: Option<i64>,
    /// Monthly partitions dropped (Postgres), e.g. `rm_hits_p202501`.
    pub partitions_dropped: Vec<String>,
    /// Raw hits deleted row by row (SQLite).
    pub hits_deleted: u64,
    /// Visits that ended before the horizon, deleted.
    pub visits_deleted: u64,
}

/// Since when raw hits are complete: `None` while nothing was ever dropped.
pub async fn raw_since(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    Ok(
        sqlx::query("SELECT raw_since FROM analytics_horizon WHERE name = 'raw'")
            .fetch_optional(&db.pool)
            .await?
            .map(|r| r.get(0)),
    )
}

/// Drops raw hits older than `keep_days` before `now`.
pub async fn sweep(db: &Db, keep_days: u64, now: DateTime<Utc>) -> anyhow::Result<Swept> {
    let keep = i64::try_from(keep_days.max(1)).unwrap_or(i64::MAX / DAY_MS - 1);
    let cutoff = now
        .timestamp_millis()
        .saturating_sub(keep.saturating_mul(DAY_MS));
    let mut conn = db.dedicated().await?;
    let mut out = Swept::default();
    let mut horizon: Option<i64> = None;
    match db.dialect {
        Dialect::Postgres => {
            // A stalled lock must not hold the projector or readers up: try again next time.
            sqlx::query("SET lock_timeout = '5s'")
                .execute(&mut conn)
                .await?;
            // This month's and the next month's partitions, ahead of the projector.
            let (this, next, _) = month_of(now.timestamp_millis());
            for month in [this, next] {
                in_tx(&mut conn, async |c| {
                    Ok(ensure_partition(c, "", month).await?)
                })
                .await?;
            }
            for (name, end) in partitions(&mut conn).await? {
                if end <= cutoff {
                    sqlx::query(&format!("DROP TABLE IF EXISTS {name}"))
                        .execute(&mut conn)
                        .await?;
                    horizon = horizon.max(Some(end));
                    out.partitions_dropped.push(name);
                }
            }
        }
        Dialect::Sqlite => {
            sqlx::query("PRAGMA busy_timeout = 10000")
                .execute(&mut conn)
                .await?;
            let r = sqlx::query("DELETE FROM rm_hits WHERE ts < $1")
                .bind(cutoff)
                .execute(&mut conn)
                .await?;
            out.hits_deleted = r.rows_affected();
            if out.hits_deleted > 0 {
                horizon = Some(cutoff);
            }
        }
    }
    let known = raw_since(db).await?;
    let dropped = horizon.is_some();
    let horizon = horizon.max(known);
    if let (Some(h), true) = (horizon, dropped) {
        let r = sqlx::query("DELETE FROM rm_sessions WHERE last_ts < $1")
            .bind(h)
            .execute(&mut conn)
            .await?;
        out.visits_deleted = r.rows_affected();
        if Some(h) != known {
            sqlx::query(
                "INSERT INTO analytics_horizon (name, raw_since, updated_at) VALUES ('raw', $1, $2) \
                 ON CONFLICT (name) DO UPDATE SET raw_since = excluded.raw_since, \
                 updated_at = excluded.updated_at",
            )
            .bind(h)
            .bind(now.to_rfc3339())
            .execute(&mut conn)
            .await?;
        }
    }
    out.raw_since = horizon;
    if !out.partitions_dropped.is_empty() || out.hits_deleted > 0 {
        tracing::info!(
            partitions = ?out.partitions_dropped,
            hits = out.hits_deleted,
            visits = out.visits_deleted,
            raw_since = ?out.raw_since,
            "raw analytics hits beyond the retention window dropped"
        );
    }
    Ok(out)
}

/// The live raw-hit partitions and where each ends (ms), by their `rm_hits_pYYYYMM` names.
async fn partitions(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let names: Vec<String> = sqlx::query(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = to_regclass('rm_hits') ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    Ok(names
        .into_iter()
        .filter_map(|n| {
            let ym = n.strip_prefix("rm_hits_p")?;
            let (y, m): (i32, u32) = (ym.get(..4)?.parse().ok()?, ym.get(4..)?.parse().ok()?);
            let start = chrono::NaiveDate::from_ymd_opt(y, m, 1)?
                .and_hms_opt(0, 0, 0)?
                .and_utc()
                .timestamp_millis();
            Some((n, month_of(start).1))
        })
        .collect())
}

async fn in_tx(
    conn: &mut AnyConnection,
    f: impl AsyncFnOnce(&mut AnyConnection) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    match f(conn).await {
        Ok(()) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(())
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// Sweeps at start and every six hours until shutdown (the projector role).
pub async fn run(
    db: Db,
    keep_days: u64,
    clock: crate::clock::Clock,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = sweep(&db, keep_days, clock.now()).await {
            tracing::warn!(error = %e, "analytics retention sweep failed; trying again later");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(6 * 3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
