//! What the API reads and changes: deliveries, kept in runs or rows, listed as one.

use super::dispatch::Item;
use super::*;

// ---------------------------------------------------------------------------------------------
// What the API reads and changes.

/// A delivery as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// pending, retrying, success or failed
    pub status: String,
    pub attempt: i64,
    pub response_status: Option<i64>,
    /// core-api's name for `response_status`.
    pub response_code: Option<i64>,
    pub response_body: Option<String>,
    pub response_time_ms: Option<i64>,
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub const DELIVERY_STATUSES: &[&str] = &["pending", "retrying", "success", "failed"];
const DELIVERY_COLUMNS: &str =
    "delivery_id, webhook_id, event_id, event_type, status, attempt, response_status, \
    response_body, response_time_ms, error, next_attempt_at, delivered_at, created_at, updated_at";

fn delivery(r: &sqlx::any::AnyRow) -> Result<DeliveryView, sqlx::Error> {
    let status: String = r.try_get(4)?;
    let next: Option<String> = r.try_get(10)?;
    let response_status: Option<i64> = r.try_get(6)?;
    Ok(DeliveryView {
        response_code: response_status,
        id: r.try_get(0)?,
        webhook_id: r.try_get(1)?,
        event_id: r.try_get(2)?,
        event_type: r.try_get(3)?,
        next_retry_at: next.filter(|_| status == "pending" || status == "retrying"),
        status,
        attempt: r.try_get(5)?,
        response_status,
        response_body: r.try_get(7)?,
        response_time_ms: r.try_get(8)?,
        error: r.try_get(9)?,
        delivered_at: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

/// A run as listings see it, without its items.
struct RunMeta {
    run_id: String,
    first: i64,
    last: i64,
    attempt: i64,
    pending: i64,
    succeeded: i64,
    next_attempt_at: Option<String>,
    created_at: String,
    updated_at: String,
}

const RUN_COLUMNS: &str = "run_id, first_position, last_position, attempt, pending, succeeded, \
    next_attempt_at, created_at, updated_at";

fn run_meta(r: &sqlx::any::AnyRow) -> Result<RunMeta, sqlx::Error> {
    Ok(RunMeta {
        run_id: r.try_get(0)?,
        first: r.try_get(1)?,
        last: r.try_get(2)?,
        attempt: r.try_get(3)?,
        pending: r.try_get(4)?,
        succeeded: r.try_get(5)?,
        next_attempt_at: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
    })
}

/// A delivery kept in a run, as the API shows it.
fn item_view(webhook_id: &str, m: &RunMeta, it: Item) -> DeliveryView {
    let delivered = it.at.is_some();
    DeliveryView {
        id: delivery_id(webhook_id, &it.e),
        webhook_id: webhook_id.to_string(),
        event_id: it.e,
        event_type: it.t,
        status: if delivered { "success" } else { "pending" }.to_string(),
        attempt: m.attempt,
        response_code: it.c,
        response_status: it.c,
        response_body: it.b,
        response_time_ms: it.ms,
        error: None,
        next_retry_at: if delivered {
            None
        } else {
            m.next_attempt_at.clone()
        },
        updated_at: it.at.clone().unwrap_or_else(|| m.updated_at.clone()),
        delivered_at: it.at,
        created_at: m.created_at.clone(),
    }
}

async fn run_items(db: &Db, run_id: &str) -> Result<Vec<Item>, sqlx::Error> {
    let items: Option<String> = sqlx::query("SELECT items FROM webhook_runs WHERE run_id = $1")
        .bind(run_id)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get(0));
    Ok(items
        .and_then(|i| serde_json::from_str(&i).ok())
        .unwrap_or_default())
}

/// One page of a listing, filled in order.
struct Page {
    skip: i64,
    limit: usize,
    out: Vec<DeliveryView>,
}

impl Page {
    fn push(&mut self, v: DeliveryView) {
        if self.skip > 0 {
            self.skip -= 1;
        } else if self.out.len() < self.limit {
            self.out.push(v);
        }
    }

    fn full(&self) -> bool {
        self.out.len() >= self.limit
    }
}

/// An endpoint's deliveries, newest first (by log position), with an exact total: the rows of
/// `webhook_deliveries` (retried deliveries) merged with the items of its runs. Runs whose items
/// all fall before the page are counted, not read.
pub async fn list_deliveries(
    db: &Db,
    webhook_id: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeliveryView>, i64), sqlx::Error> {
    let (limit, offset) = (limit.max(0), offset.max(0));
    let filter = if status.is_some() {
        "status = $2"
    } else {
        "$2 = $2"
    };
    let rows_total: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1 AND {filter}"
    ))
    .bind(webhook_id)
    .bind(status.unwrap_or(""))
    .fetch_one(&db.pool)
    .await?
    .get(0);
    // Which items of runs the listing shows: pending ones, delivered ones, or both.
    let (pending, delivered) = match status {
        None => (1i64, 1i64),
        Some("pending") => (1, 0),
        Some("success") => (0, 1),
        Some(_) => (0, 0),
    };
    let runs_total: i64 = if pending + delivered > 0 {
        sqlx::query(
            "SELECT CAST(COALESCE(SUM(pending * $2 + succeeded * $3), 0) AS BIGINT) FROM webhook_runs \
             WHERE webhook_id = $1",
        )
        .bind(webhook_id)
        .bind(pending)
        .bind(delivered)
        .fetch_one(&db.pool)
        .await?
        .get(0)
    } else {
        0
    };
    let total = rows_total + runs_total;
    if limit == 0 || offset >= total {
        return Ok((Vec::new(), total));
    }
    let want = offset.saturating_add(limit).min(rows_total);
    let rows: Vec<(i64, DeliveryView)> = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS}, position FROM webhook_deliveries WHERE webhook_id = $1 AND {filter} \
         ORDER BY position DESC, delivery_id ASC LIMIT {want}"
    ))
    .bind(webhook_id)
    .bind(status.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<i64, _>(14)?, delivery(r)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let mut rows = rows.into_iter().peekable();
    let mut page = Page {
        skip: offset,
        limit: limit as usize,
        out: Vec::new(),
    };
    let mut before = i64::MAX;
    while runs_total > 0 && !page.full() {
        let chunk: Vec<RunMeta> = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM webhook_runs WHERE webhook_id = $1 AND last_position < $2 \
             AND pending * $3 + succeeded * $4 > 0 ORDER BY last_position DESC LIMIT 500"
        ))
        .bind(webhook_id)
        .bind(before)
        .bind(pending)
        .bind(delivered)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(run_meta)
        .collect::<Result<_, _>>()?;
        for m in &chunk {
            while let Some((_, v)) = rows.next_if(|(p, _)| *p > m.last) {
                page.push(v);
            }
            if page.full() {
                break;
            }
            let count = m.pending * pending + m.succeeded * delivered;
            let rows_inside = rows.peek().is_some_and(|(p, _)| *p >= m.first);
            if !rows_inside && page.skip >= count {
                page.skip -= count;
                continue;
            }
            let mut items: Vec<Item> = run_items(db, &m.run_id)
                .await?
                .into_iter()
                .filter(|i| {
                    if i.at.is_some() {
                        delivered == 1
                    } else {
                        pending == 1
                    }
                })
                .collect();
            items.sort_by_key(|i| std::cmp::Reverse(i.p));
            for it in items {
                while let Some((_, v)) = rows.next_if(|(p, _)| *p > it.p) {
                    page.push(v);
                }
                page.push(item_view(webhook_id, m, it));
            }
            if page.full() {
                break;
            }
        }
        match chunk.last() {
            Some(m) if chunk.len() == 500 => before = m.last,
            _ => break,
        }
    }
    for (_, v) in rows {
        if page.full() {
            break;
        }
        page.push(v);
    }
    Ok((page.out, total))
}

pub async fn get_delivery(
    db: &Db,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<Option<DeliveryView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND delivery_id = $2"
    ))
    .bind(webhook_id)
    .bind(delivery_id)
    .fetch_optional(&db.pool)
    .await?;
    if let Some(r) = row {
        return delivery(&r).map(Some);
    }
    // Not retried: an item of the run that holds its event's position.
    let Some(event) = event_of_delivery(webhook_id, delivery_id) else {
        return Ok(None);
    };
    let by_id = match db.dialect {
        Dialect::Postgres => "CAST($1 AS uuid)",
        Dialect::Sqlite => "$1",
    };
    let Some(position) = sqlx::query(&format!(
        "SELECT position FROM events WHERE event_id = {by_id}"
    ))
    .bind(&event)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| r.get::<i64, _>(0)) else {
        return Ok(None);
    };
    let Some(m) = sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM webhook_runs WHERE webhook_id = $1 AND last_position >= $2 \
         ORDER BY last_position LIMIT 1"
    ))
    .bind(webhook_id)
    .bind(position)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(run_meta)
    .transpose()?
    .filter(|m| m.first <= position) else {
        return Ok(None);
    };
    Ok(run_items(db, &m.run_id)
        .await?
        .into_iter()
        .find(|i| i.p == position && i.e == event)
        .map(|i| item_view(webhook_id, &m, i)))
}

/// Schedules a delivery that has not succeeded for an attempt now (same id). `false` if it had
/// already succeeded (or does not exist). A delivery still pending in its run is already on its
/// way: nothing changes.
pub async fn retry_delivery(
    db: &Db,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<bool, sqlx::Error> {
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = $1, lease_until = NULL, updated_at = $1 \
         WHERE webhook_id = $2 AND delivery_id = $3 AND status <> 'success'",
    )
    .bind(&now)
    .bind(webhook_id)
    .bind(delivery_id)
    .execute(&db.pool)
    .await?;
    if done.rows_affected() > 0 {
        return Ok(true);
    }
    Ok(get_delivery(db, webhook_id, delivery_id)
        .await?
        .is_some_and(|d| d.status == "pending"))
}

/// Deletes the deliveries finished before `before`: closed runs, and delivery rows that
/// succeeded or failed for good. An open run, or a delivery still to be retried, stays whatever
/// its age; the endpoint's counters (`webhook_stats`) are not touched. Returns the runs and the
/// rows deleted.
pub async fn purge_finished(
    db: &Db,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, u64), sqlx::Error> {
    let before = keel_schemas::format_ts(before);
    let runs = sqlx::query("DELETE FROM webhook_runs WHERE open = 0 AND updated_at < $1")
        .bind(&before)
        .execute(&db.pool)
        .await?
        .rows_affected();
    let rows = sqlx::query(
        "DELETE FROM webhook_deliveries WHERE status IN ('success', 'failed') AND updated_at < $1",
    )
    .bind(&before)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok((runs, rows))
}
