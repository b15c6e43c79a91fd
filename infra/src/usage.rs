//! The usage ledger (`usage_counters`, `usage_hourly`) against the log it is an inline projection
//! of: recounted from the `usage.recorded` events in one snapshot, and rebuilt from them.
//!
//! The ledger is written in the append transaction (ADR 0009), so it has no projector to replay;
//! these are how an operator (and the reliability suite) proves that the log, the counters and
//! the answers agree, and how counters are put right from the log if they ever were not.

use crate::inline::{counter_key, hour_key, upsert_counters, upsert_hourly, CounterKey, HourKey};
use crate::store::{db_error, decode_row, select_columns};
use keel_commands::StoreError;
use keel_events::DomainEvent;
use keel_projections::{Db, Dialect};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// The ledger's count of a feature in the period starting at `period_start` (0 before any
/// record): what summaries and checks show, strongly consistent with the log.
pub async fn used(
    db: &Db,
    workspace_id: &str,
    feature: &str,
    period_start: i64,
) -> Result<i64, sqlx::Error> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT used FROM usage_counters WHERE workspace_id = $1 AND feature = $2 AND period_start = $3",
    )
    .bind(workspace_id)
    .bind(feature)
    .bind(period_start)
    .fetch_optional(&db.pool)
    .await?;
    Ok(n.unwrap_or(0))
}

/// Hourly usage of a feature in `[from, to)` (ms since the epoch, whole hours): (hour, key id or
/// `""`, quantity), by hour.
pub async fn hourly(
    db: &Db,
    workspace_id: &str,
    feature: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT hour, key_id, quantity FROM usage_hourly WHERE workspace_id = $1 AND feature = $2 \
         AND hour >= $3 AND hour < $4 ORDER BY hour",
    )
    .bind(workspace_id)
    .bind(feature)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
}

/// Events decoded per query.
const PAGE: i64 = 5000;

/// One counter of the ledger whose value differs from the log's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDifference {
    pub workspace_id: String,
    pub feature: String,
    /// Start of the period, ms since the epoch (as stored).
    pub period_start: i64,
    /// The sum of the quantities of the period's `usage.recorded` events.
    pub from_log: i64,
    /// The ledger's `used` (0 when it has no row).
    pub counted: i64,
}

/// One hour of usage whose value differs from the log's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourDifference {
    pub workspace_id: String,
    pub feature: String,
    pub hour: i64,
    pub key_id: String,
    pub from_log: i64,
    pub counted: i64,
}

/// The ledger recounted from the log.
#[derive(Debug, Clone, Default)]
pub struct Recount {
    /// `usage.recorded` events read.
    pub events: usize,
    /// Counters (workspace, feature, period) the log has usage for.
    pub counters: usize,
    pub counter_differences: Vec<CounterDifference>,
    pub hour_differences: Vec<HourDifference>,
}

impl Recount {
    pub fn agrees(&self) -> bool {
        self.counter_differences.is_empty() && self.hour_differences.is_empty()
    }
}

/// What a rebuild wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct RebuildReport {
    pub events: usize,
    pub counters: usize,
    pub hours: usize,
}

#[derive(Default)]
struct Folded {
    events: usize,
    counters: BTreeMap<CounterKey, i64>,
    hours: BTreeMap<HourKey, i64>,
}

/// The sum of every `usage.recorded` event of `tenant` (all tenants for `None`), read on `conn`
/// a page at a time (stored shapes upcast as on every read).
async fn fold_log(
    db: &Db,
    conn: &mut AnyConnection,
    tenant: Option<&str>,
) -> Result<Folded, StoreError> {
    let tenant_filter = match (tenant, db.dialect) {
        (None, _) => "",
        (Some(_), Dialect::Postgres) => " AND tenant_id = CAST($3 AS uuid)",
        (Some(_), Dialect::Sqlite) => " AND tenant_id = $3",
    };
    // Usage records, and what the ingest meters count: hits, in the month of their workspace's
    // zone and anchor day as the log had them when each was recorded.
    let sql = format!(
        "SELECT {} FROM events WHERE event_type IN ('usage.recorded', 'workspace.created', \
         'workspace.updated', 'pageview.recorded', 'custom_event.recorded', 'goal.completed') \
         AND position > $1{tenant_filter} ORDER BY position LIMIT $2",
        select_columns(db.dialect)
    );
    let mut folded = Folded::default();
    // Per workspace: its zone and when it was created.
    let mut zones: BTreeMap<String, (chrono_tz::Tz, chrono::DateTime<chrono::Utc>)> =
        BTreeMap::new();
    let mut after = 0i64;
    loop {
        let mut q = sqlx::query(&sql).bind(after).bind(PAGE);
        if let Some(t) = tenant {
            q = q.bind(t);
        }
        let rows = q.fetch_all(&mut *conn).await.map_err(db_error)?;
        for row in &rows {
            let (_, e) = decode_row(row)?;
            after = e.position;
            let ws = e.tenant_id.to_string();
            match &e.event {
                DomainEvent::UsageRecorded(u) => {
                    folded.events += 1;
                    *folded.counters.entry(counter_key(u)).or_default() += u.quantity;
                    *folded.hours.entry(hour_key(u, e.occurred_at)).or_default() += u.quantity;
                }
                DomainEvent::WorkspaceCreated(w) => {
                    let tz = w.settings.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
                    zones.insert(ws, (tz, e.occurred_at));
                }
                DomainEvent::WorkspaceUpdated(w) => {
                    if let (Some(s), Some(z)) = (&w.settings, zones.get_mut(&ws)) {
                        z.0 = s.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
                    }
                }
                event if event.hit().is_some() => {
                    let (tz, created) = zones
                        .get(&ws)
                        .copied()
                        .unwrap_or((chrono_tz::Tz::UTC, e.recorded_at));
                    use chrono::Datelike;
                    let anchor = created.with_timezone(&tz).day();
                    let (start, _) = keel_commands::usage::period_bounds(
                        keel_events::usage::UsagePeriod::Month,
                        e.recorded_at,
                        tz,
                        anchor,
                    );
                    let hour = e.recorded_at.timestamp_millis().div_euclid(3_600_000) * 3_600_000;
                    folded.events += 1;
                    *folded
                        .counters
                        .entry((ws.clone(), "events".into(), start.timestamp_millis()))
                        .or_default() += 1;
                    *folded
                        .hours
                        .entry((ws, "events".into(), hour, String::new()))
                        .or_default() += 1;
                }
                _ => {}
            }
        }
        if (rows.len() as i64) < PAGE {
            return Ok(folded);
        }
    }
}

async fn ledger(
    conn: &mut AnyConnection,
    tenant: Option<&str>,
) -> Result<(BTreeMap<CounterKey, i64>, BTreeMap<HourKey, i64>), StoreError> {
    let filter = if tenant.is_some() {
        " WHERE workspace_id = $1"
    } else {
        ""
    };
    let sql =
        format!("SELECT workspace_id, feature, period_start, used FROM usage_counters{filter}");
    let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(&sql);
    if let Some(t) = tenant {
        q = q.bind(t);
    }
    let counters = q
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(|(w, f, p, n)| ((w, f, p), n))
        .collect();
    let sql =
        format!("SELECT workspace_id, feature, hour, key_id, quantity FROM usage_hourly{filter}");
    let mut q = sqlx::query(&sql);
    if let Some(t) = tenant {
        q = q.bind(t);
    }
    let hours = q
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| ((r.get(0), r.get(1), r.get(2), r.get(3)), r.get(4)))
        .collect();
    Ok((counters, hours))
}

/// Pairs of (key, from log, counted) that differ; a missing row counts as 0, so a counter at 0
/// with no events (a hard limit that refused everything) is no difference.
fn differences<K: Ord + Clone>(
    log: &BTreeMap<K, i64>,
    counted: &BTreeMap<K, i64>,
) -> Vec<(K, i64, i64)> {
    let mut keys: Vec<&K> = log.keys().chain(counted.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (
                log.get(k).copied().unwrap_or(0),
                counted.get(k).copied().unwrap_or(0),
            );
            (a != b).then(|| (k.clone(), a, b))
        })
        .collect()
}

/// Recounts the ledger of `tenant` (every tenant for `None`) from the log and compares, reading
/// both in one snapshot: appends committing meanwhile are either in both or in neither.
pub async fn recount(db: &Db, tenant: Option<&str>) -> Result<Recount, StoreError> {
    let mut conn = db.pool.acquire().await.map_err(db_error)?;
    let begin = match db.dialect {
        Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        // A deferred transaction: its first read fixes the snapshot (WAL) until it ends.
        Dialect::Sqlite => "BEGIN",
    };
    sqlx::query(begin)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    let read = async {
        let folded = fold_log(db, &mut conn, tenant).await?;
        let (counters, hours) = ledger(&mut conn, tenant).await?;
        Ok::<_, StoreError>((folded, counters, hours))
    }
    .await;
    // Read-only: ending it either way changes nothing; a connection that cannot end its
    // transaction is closed rather than handed back to the pool inside one.
    if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
        let _ = conn.close().await;
    }
    let (folded, counters, hours) = read?;
    Ok(Recount {
        events: folded.events,
        counters: folded.counters.len(),
        counter_differences: differences(&folded.counters, &counters)
            .into_iter()
            .map(|((w, f, p), from_log, counted)| CounterDifference {
                workspace_id: w,
                feature: f,
                period_start: p,
                from_log,
                counted,
            })
            .collect(),
        hour_differences: differences(&folded.hours, &hours)
            .into_iter()
            .map(|((w, f, h, k), from_log, counted)| HourDifference {
                workspace_id: w,
                feature: f,
                hour: h,
                key_id: k,
                from_log,
                counted,
            })
            .collect(),
    })
}

/// Replaces the ledger of `tenant` (every tenant for `None`) with the sums of the log, while
/// appends go on.
///
/// On Postgres the usage tables are locked (`EXCLUSIVE`: reads go on, writes wait) before the
/// transaction's snapshot is taken, so every append that touched them has committed and is
/// counted, and every later one waits and then adds to the rebuilt rows (a group commit whose
/// snapshot predates the rebuild meets a serialization failure and is redone, ADR 0004). On
/// SQLite the write lock does the same.
pub async fn rebuild(db: &Db, tenant: Option<&str>) -> Result<RebuildReport, StoreError> {
    let mut conn = db.dedicated().await.map_err(db_error)?;
    let run = rebuild_on(db, &mut conn, tenant).await;
    if run.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
    }
    run
}

async fn rebuild_on(
    db: &Db,
    conn: &mut AnyConnection,
    tenant: Option<&str>,
) -> Result<RebuildReport, StoreError> {
    let exec = |sql: &'static str| sqlx::query(sql);
    match db.dialect {
        Dialect::Postgres => {
            exec("BEGIN ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            // Not a query: the snapshot is taken by the first statement after it.
            exec("LOCK TABLE usage_counters, usage_hourly IN EXCLUSIVE MODE")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
        }
        Dialect::Sqlite => {
            exec(db.begin_write())
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
        }
    }
    let folded = fold_log(db, conn, tenant).await?;
    let filter = if tenant.is_some() {
        " WHERE workspace_id = $1"
    } else {
        ""
    };
    for table in ["usage_counters", "usage_hourly"] {
        let sql = format!("DELETE FROM {table}{filter}");
        let mut q = sqlx::query(&sql);
        if let Some(t) = tenant {
            q = q.bind(t);
        }
        q.execute(&mut *conn).await.map_err(db_error)?;
    }
    let counters: Vec<(CounterKey, i64)> = folded.counters.into_iter().collect();
    upsert_counters(conn, &counters, "excluded.used")
        .await
        .map_err(db_error)?;
    let hours: Vec<(HourKey, i64)> = folded.hours.into_iter().collect();
    upsert_hourly(conn, &hours).await.map_err(db_error)?;
    exec("COMMIT").execute(&mut *conn).await.map_err(db_error)?;
    Ok(RebuildReport {
        events: folded.events,
        counters: counters.len(),
        hours: hours.len(),
    })
}
