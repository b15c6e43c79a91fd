//! The analytics read model: raw hits, visits (sessions), visitors, payments, and hourly rollups
//! per site and dimension that dashboards are answered from.
//!
//! Visits are assigned as events are applied, in each visitor stream's order (which the log fixes,
//! so replays assign them the same way): a hit joins the visitor's most recent visit (per
//! `session_id`, if the client sends one) when it lies within 30 minutes of it, else it starts a
//! new one. A visit's traffic source, UTM fields, country, device and browser are those of its
//! first hit; every later hit of the visit is counted under them. Rollups only ever add: visit
//! metrics (visits, bounces, duration) are kept by subtracting a visit's old contribution and
//! adding its new one, and distinct visitors by mergeable [`Sketch`]es.

use crate::sketch::{visitor_hash, Sketch};
use keel_events::{DomainEvent, Hit, RecordedEvent};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

pub const SESSION_TIMEOUT_MS: i64 = 30 * 60 * 1000;
pub const HOUR_MS: i64 = 3_600_000;
pub const DIRECT: &str = "Direct / None";

/// Dimensions every hit of a visit shares (taken from the visit's first hit).
/// Properties of a visit that the query endpoint groups and filters by, without rollups.
pub const VISIT_EXTRAS: [&str; EXTRAS] = [
    "utm_content",
    "utm_term",
    "os",
    "os_version",
    "browser_version",
    "screen",
    "region",
    "city",
];
/// How many [`VISIT_EXTRAS`] there are.
pub const EXTRAS: usize = 8;

pub const SESSION_DIMS: [&str; 7] = [
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "country",
    "device",
    "browser",
];
/// Every dimension with rollups: the visit dimensions, the page and the goal name.
pub use keel_events::analytics::DIMENSIONS;
/// The rollup "dimension" holding site totals.
pub const ALL: &str = "all";

/// Raw hits are kept in monthly partitions on Postgres (`rm_hits_p202612`), so that retention
/// drops whole months (`keel_infra::retention`); SQLite has one table ([`crate::ddl_for`] drops
/// this clause there). A hit's event id and time never change, so `(event_id, ts)` is as unique
/// as the id.
pub const PARTITIONED: &str = " PARTITION BY RANGE (ts)";

/// The UTC month of `ts` (ms): its first instant, the next month's, and its `YYYYMM` name.
pub fn month_of(ts: i64) -> (i64, i64, String) {
    use chrono::{Datelike, TimeZone};
    let t = chrono::Utc
        .timestamp_millis_opt(ts)
        .single()
        .unwrap_or_default();
    let (y, m) = (t.year(), t.month());
    let start = |y: i32, m: u32| {
        chrono::Utc
            .with_ymd_and_hms(y, m, 1, 0, 0, 0)
            .single()
            .map_or(0, |t| t.timestamp_millis())
    };
    let next = if m == 12 {
        start(y + 1, 1)
    } else {
        start(y, m + 1)
    };
    (start(y, m), next, format!("{y:04}{m:02}"))
}

/// Makes the partition of `rm_hits{sfx}` for the month starting at `month` (Postgres), unless it
/// exists. Within the caller's transaction, under a savepoint: another projector process may make
/// it at the same moment, and then this one finds it made.
pub async fn ensure_partition(
    conn: &mut AnyConnection,
    sfx: &str,
    month: i64,
) -> Result<(), sqlx::Error> {
    let (from, to, name) = month_of(month);
    let table = format!("rm_hits{sfx}_p{name}");
    if partition_exists(conn, &table).await? {
        return Ok(());
    }
    sqlx::query("SAVEPOINT keel_partition")
        .execute(&mut *conn)
        .await?;
    let made = sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {table} PARTITION OF rm_hits{sfx} FOR VALUES FROM ({from}) TO ({to})"
    ))
    .execute(&mut *conn)
    .await;
    match made {
        Ok(_) => {
            sqlx::query("RELEASE SAVEPOINT keel_partition")
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        Err(e) => {
            sqlx::query("ROLLBACK TO SAVEPOINT keel_partition")
                .execute(&mut *conn)
                .await?;
            if partition_exists(conn, &table).await? {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

async fn partition_exists(conn: &mut AnyConnection, table: &str) -> Result<bool, sqlx::Error> {
    sqlx::query("SELECT to_regclass($1)::text")
        .bind(table)
        .fetch_one(conn)
        .await
        .map(|r| r.get::<Option<String>, _>(0).is_some())
}

/// `utm_content TEXT NOT NULL, …`: the columns of [`VISIT_EXTRAS`].
fn extra_columns() -> String {
    VISIT_EXTRAS
        .map(|c| format!("{c} TEXT NOT NULL"))
        .join(", ")
}

pub fn ddl(sfx: &str, tag: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS rm_hits{sfx} (
                event_id TEXT NOT NULL, site_id TEXT NOT NULL, ts BIGINT NOT NULL, visitor TEXT NOT NULL,
                session TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, page TEXT NOT NULL,
                source TEXT NOT NULL, utm_source TEXT NOT NULL, utm_medium TEXT NOT NULL,
                utm_campaign TEXT NOT NULL, country TEXT NOT NULL, device TEXT NOT NULL,
                browser TEXT NOT NULL, properties TEXT, hostname TEXT NOT NULL, {},
                PRIMARY KEY (event_id, ts)){PARTITIONED}",
            extra_columns()
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_hits_{tag}site_ts ON rm_hits{sfx} (site_id, ts)"),
        format!("CREATE INDEX IF NOT EXISTS rm_hits_{tag}visitor ON rm_hits{sfx} (site_id, visitor, ts)"),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_sessions{sfx} (
                id TEXT PRIMARY KEY, site_id TEXT NOT NULL, visitor TEXT NOT NULL, part TEXT NOT NULL,
                created_pos BIGINT NOT NULL, start_ts BIGINT NOT NULL, last_ts BIGINT NOT NULL,
                pageviews BIGINT NOT NULL, hits BIGINT NOT NULL, entry_page TEXT NOT NULL,
                source TEXT NOT NULL, utm_source TEXT NOT NULL, utm_medium TEXT NOT NULL,
                utm_campaign TEXT NOT NULL, country TEXT NOT NULL, device TEXT NOT NULL, browser TEXT NOT NULL,
                exit_page TEXT NOT NULL, exit_ts BIGINT NOT NULL, {})",
            extra_columns()
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS rm_sessions_{tag}visitor ON rm_sessions{sfx} (site_id, visitor, part, created_pos)"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_sessions_{tag}start ON rm_sessions{sfx} (site_id, start_ts)"),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_visitors{sfx} (
                site_id TEXT NOT NULL, visitor TEXT NOT NULL, visitor_id TEXT, user_id TEXT, traits TEXT,
                first_ts BIGINT, last_ts BIGINT, pageviews BIGINT NOT NULL, events BIGINT NOT NULL,
                goals BIGINT NOT NULL, PRIMARY KEY (site_id, visitor))"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_payments{sfx} (
                site_id TEXT NOT NULL, transaction_id TEXT NOT NULL, ts BIGINT NOT NULL, amount BIGINT NOT NULL,
                currency TEXT NOT NULL, visitor TEXT, visitor_id TEXT, customer_id TEXT, email TEXT,
                renewal INTEGER NOT NULL, refunded INTEGER NOT NULL, is_free_trial INTEGER NOT NULL,
                removed INTEGER NOT NULL, refunded_amount BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (site_id, transaction_id))"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_payments_{tag}ts ON rm_payments{sfx} (site_id, ts)"),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_rollups_daily{sfx} (
                site_id TEXT NOT NULL, dim TEXT NOT NULL, day BIGINT NOT NULL, value TEXT NOT NULL,
                pageviews BIGINT NOT NULL, events BIGINT NOT NULL, visits BIGINT NOT NULL,
                bounces BIGINT NOT NULL, duration BIGINT NOT NULL, visitors BYTEA NOT NULL,
                PRIMARY KEY (site_id, dim, day, value))"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_rollups{sfx} (
                site_id TEXT NOT NULL, dim TEXT NOT NULL, hour BIGINT NOT NULL, value TEXT NOT NULL,
                pageviews BIGINT NOT NULL, events BIGINT NOT NULL, visits BIGINT NOT NULL,
                bounces BIGINT NOT NULL, duration BIGINT NOT NULL, visitors BYTEA NOT NULL,
                PRIMARY KEY (site_id, dim, hour, value))"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_deleted_ranges{sfx} (
                event_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, from_ts BIGINT NOT NULL,
                to_ts BIGINT NOT NULL)"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_deleted_ranges_{tag}site ON rm_deleted_ranges{sfx} (site_id)"),
        // Pushed points of custom metrics (`metric.recorded`); `value` is the JSON number as sent.
        format!(
            "CREATE TABLE IF NOT EXISTS rm_metric_points{sfx} (
                workspace_id TEXT NOT NULL, metric_id TEXT NOT NULL, point_id TEXT NOT NULL,
                value TEXT NOT NULL, unit TEXT, ts BIGINT NOT NULL, metadata TEXT NOT NULL,
                PRIMARY KEY (workspace_id, metric_id, point_id))"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_metric_points_{tag}ts ON rm_metric_points{sfx} (workspace_id, ts)"),
        // Subscriptions of a site's connected source as last recorded (`subscription.changed`).
        format!(
            "CREATE TABLE IF NOT EXISTS rm_subscriptions{sfx} (
                site_id TEXT NOT NULL, subscription_id TEXT NOT NULL, customer TEXT NOT NULL,
                visitor TEXT, status TEXT NOT NULL, currency TEXT NOT NULL, plan TEXT NOT NULL,
                mrr BIGINT NOT NULL, cancel_at_period_end INTEGER NOT NULL, updated_ts BIGINT NOT NULL,
                PRIMARY KEY (site_id, subscription_id))"
        ),
        // Per site, UTC month and currency: MRR movements (`new`, `expansion`, `contraction`,
        // `churn`, `reactivation`, signed), the change in paying subscriptions
        // (`subscriptions`) and refunds given (`refunds`).
        format!(
            "CREATE TABLE IF NOT EXISTS rm_revenue_months{sfx} (
                site_id TEXT NOT NULL, month TEXT NOT NULL, currency TEXT NOT NULL, kind TEXT NOT NULL,
                amount BIGINT NOT NULL, PRIMARY KEY (site_id, month, currency, kind))"
        ),
    ]
}

pub const TABLES: [&str; 10] = [
    "rm_hits",
    "rm_sessions",
    "rm_visitors",
    "rm_payments",
    "rm_rollups",
    "rm_rollups_daily",
    "rm_deleted_ranges",
    "rm_metric_points",
    "rm_subscriptions",
    "rm_revenue_months",
];

/// A rollup row's key: `(site, dimension, hour or day, value)`.
pub type RollupKey = (String, &'static str, i64, String);

/// The change to one rollup row.
#[derive(Debug, Default, Clone)]
pub struct Delta {
    pub pageviews: i64,
    pub events: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration: i64,
    /// Visitors to add (an empty sketch adds none).
    pub visitors: Sketch,
}

/// Rollup changes of one batch, written when the batch ends (one row update per key).
#[derive(Debug, Default)]
pub struct Pending {
    rollups: BTreeMap<RollupKey, Delta>,
    /// The same changes by UTC day.
    daily: BTreeMap<RollupKey, Delta>,
    /// Hits of the batch, applied together when it ends.
    hits: Vec<PendingHit>,
}

/// A visit as stored.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub start: i64,
    pub last: i64,
    pub pageviews: i64,
    pub hits: i64,
    pub entry_page: String,
    /// The page of the visit's latest pageview (by time), and that time (0 without one).
    pub exit_page: String,
    pub exit_ts: i64,
    /// Values of [`SESSION_DIMS`], in order.
    pub dims: [String; 7],
    /// Values of [`VISIT_EXTRAS`] (queried, not rolled up), in order.
    pub extras: [String; EXTRAS],
}

impl Session {
    fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![(ALL, String::new())];
        if !self.entry_page.is_empty() {
            rows.push(("page", self.entry_page.clone()));
        }
        rows.extend(
            SESSION_DIMS
                .iter()
                .zip(&self.dims)
                .map(|(d, v)| (*d, v.clone())),
        );
        rows
    }
}

impl Pending {
    /// Applies `f` to the hourly row and to the daily row of `hour`.
    fn apply(
        &mut self,
        site: &str,
        dim: &'static str,
        hour: i64,
        value: &str,
        f: impl Fn(&mut Delta),
    ) {
        f(self.delta(site, dim, hour, value));
        f(self
            .daily
            .entry((
                site.to_string(),
                dim,
                hour.div_euclid(24),
                value.to_string(),
            ))
            .or_default());
    }

    fn delta(&mut self, site: &str, dim: &'static str, hour: i64, value: &str) -> &mut Delta {
        self.rollups
            .entry((site.to_string(), dim, hour, value.to_string()))
            .or_default()
    }

    /// Adds (`sign` 1) or removes (`sign` -1) a visit's contribution to visit metrics.
    pub fn visit(&mut self, site: &str, s: &Session, sign: i64) {
        let hour = s.start.div_euclid(HOUR_MS);
        let bounce = i64::from(s.pageviews <= 1);
        for (dim, value) in s.rows() {
            self.apply(site, dim, hour, &value, |d| {
                d.visits += sign;
                d.bounces += sign * bounce;
                d.duration += sign * (s.last - s.start);
            });
        }
    }

    /// Adds one hit of visit `s` to the hit metrics of every row it counts in.
    #[allow(clippy::too_many_arguments)]
    pub fn hit(
        &mut self,
        site: &str,
        s: &Session,
        ts: i64,
        kind: &str,
        name: &str,
        page: &str,
        visitor: u64,
    ) {
        let hour = ts.div_euclid(HOUR_MS);
        let pv = i64::from(kind == "pageview");
        let mut rows: Vec<(&'static str, String)> = vec![(ALL, String::new())];
        rows.extend(
            SESSION_DIMS
                .iter()
                .zip(&s.dims)
                .map(|(d, v)| (*d, v.clone())),
        );
        if kind == "pageview" {
            rows.push(("page", page.to_string()));
        }
        if kind == "goal" {
            rows.push(("goal", name.to_string()));
        }
        for (dim, value) in rows {
            self.apply(site, dim, hour, &value, |d| {
                d.pageviews += pv;
                d.events += 1;
                d.visitors.insert_bounded(visitor);
            });
        }
    }

    /// The accumulated rows by table (`rm_rollups` by hour, `rm_rollups_daily` by day), for bulk
    /// loading (benchmarks seed fresh tables this way).
    #[allow(clippy::type_complexity)]
    pub fn into_tables(self) -> [(&'static str, &'static str, Vec<(RollupKey, Delta)>); 2] {
        [
            ("rm_rollups", "hour", self.rollups.into_iter().collect()),
            ("rm_rollups_daily", "day", self.daily.into_iter().collect()),
        ]
    }

    /// Writes the batch's rollup changes. On Postgres each row is locked before its sketch is
    /// merged, so projectors on several partitions never lose each other's visitors.
    pub async fn flush(mut self, conn: &mut AnyConnection, sfx: &str) -> Result<(), sqlx::Error> {
        let hits = std::mem::take(&mut self.hits);
        if !hits.is_empty() {
            flush_hits(conn, sfx, hits, &mut self).await?;
        }
        let postgres = conn.backend_name() == "PostgreSQL";
        for (table, col, rows) in self.into_tables() {
            flush_table(conn, postgres, &format!("{table}{sfx}"), col, rows).await?;
        }
        Ok(())
    }
}

/// Writes rollup changes set-wise, a chunk of rows at a time: missing rows are created (so there
/// is a row to lock), the chunk's rows are locked in key order and their sketches read (Postgres;
/// SQLite has a single writer), then one upsert adds the counters and stores the merged sketches.
async fn flush_table(
    conn: &mut AnyConnection,
    postgres: bool,
    table: &str,
    col: &str,
    rows: Vec<(RollupKey, Delta)>,
) -> Result<(), sqlx::Error> {
    let empty = Sketch::default().encode();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {table} (site_id, dim, {col}, value, pageviews, events, visits, bounces, duration, \
             visitors) VALUES {} ON CONFLICT DO NOTHING",
            values_with(chunk.len(), 4, 2, ", 0, 0, 0, 0, 0, $1")
        );
        let mut q = sqlx::query(&sql).bind(&empty);
        for ((site, dim, at, value), _) in chunk {
            q = q.bind(site).bind(*dim).bind(*at).bind(value);
        }
        q.execute(&mut *conn).await?;

        let sql = format!(
            "SELECT t.site_id, t.dim, t.{col}, t.value, t.visitors FROM (VALUES {}) AS v \
             JOIN {table} t ON t.site_id = v.column1 AND t.dim = v.column2 AND t.{col} = v.column3 \
             AND t.value = v.column4 ORDER BY t.site_id, t.dim, t.{col}, t.value{}",
            values(chunk.len(), 4),
            if postgres { " FOR UPDATE OF t" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        for ((site, dim, at, value), _) in chunk {
            q = q.bind(site).bind(*dim).bind(*at).bind(value);
        }
        let mut stored: std::collections::HashMap<(String, String, i64, String), Vec<u8>> = q
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| ((r.get(0), r.get(1), r.get(2), r.get(3)), r.get(4)))
            .collect();

        let sql = format!(
            "INSERT INTO {table} AS t (site_id, dim, {col}, value, pageviews, events, visits, bounces, duration, \
             visitors) VALUES {} ON CONFLICT (site_id, dim, {col}, value) DO UPDATE SET \
             pageviews = t.pageviews + excluded.pageviews, events = t.events + excluded.events, \
             visits = t.visits + excluded.visits, bounces = t.bounces + excluded.bounces, \
             duration = t.duration + excluded.duration, visitors = excluded.visitors",
            values(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for ((site, dim, at, value), d) in chunk {
            let key = (site.clone(), dim.to_string(), *at, value.clone());
            let visitors = match stored.remove(&key) {
                Some(bytes) if d.visitors.count() == 0 => bytes,
                Some(bytes) => {
                    let mut sketch = d.visitors.clone();
                    if !sketch.merge_encoded(&bytes) {
                        tracing::warn!(site, dim, at, "unreadable visitor sketch replaced");
                    }
                    sketch.encode()
                }
                // Created just above, so always read; were it not, the batch's own visitors.
                None => d.visitors.encode(),
            };
            q = q
                .bind(site)
                .bind(*dim)
                .bind(*at)
                .bind(value)
                .bind(d.pageviews)
                .bind(d.events)
                .bind(d.visits)
                .bind(d.bounces)
                .bind(d.duration)
                .bind(visitors);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Applies one analytics event (called once per event, in stream order).
pub async fn write(
    conn: &mut AnyConnection,
    sfx: &str,
    e: &RecordedEvent,
    pending: &mut Pending,
) -> Result<(), sqlx::Error> {
    let ts = e.occurred_at.timestamp_millis();
    match &e.event {
        DomainEvent::PageviewRecorded(h) => {
            pending.hits.push(pending_hit(e, h, "pageview"));
            Ok(())
        }
        DomainEvent::CustomEventRecorded(h) => {
            pending.hits.push(pending_hit(e, h, "custom"));
            Ok(())
        }
        DomainEvent::GoalCompleted(h) => {
            pending.hits.push(pending_hit(e, h, "goal"));
            Ok(())
        }
        DomainEvent::PaymentRecorded(p) => {
            let site = p.site_id.to_string();
            if deleted_at(conn, sfx, &site, ts).await? {
                return Ok(());
            }
            sqlx::query(&format!(
                "INSERT INTO rm_payments{sfx} (site_id, transaction_id, ts, amount, currency, visitor, visitor_id, \
                 customer_id, email, renewal, refunded, is_free_trial, removed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0) ON CONFLICT DO NOTHING"
            ))
            .bind(p.site_id.to_string())
            .bind(&p.transaction_id)
            .bind(ts)
            .bind(p.amount)
            .bind(&p.currency)
            .bind(p.visitor.as_deref())
            .bind(p.visitor_id.as_deref())
            .bind(p.customer_id.as_deref())
            .bind(p.email.as_deref())
            .bind(i32::from(p.renewal))
            .bind(i32::from(p.refunded))
            .bind(i32::from(p.is_free_trial))
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        DomainEvent::MetricRecorded(m) => {
            sqlx::query(&format!(
                "INSERT INTO rm_metric_points{sfx} (workspace_id, metric_id, point_id, value, unit, ts, metadata) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
            ))
            .bind(m.workspace_id.to_string())
            .bind(&m.metric_id)
            .bind(&m.point_id)
            .bind(m.value.to_string())
            .bind(m.unit.as_deref())
            .bind(m.timestamp)
            .bind(serde_json::to_string(&m.metadata).unwrap_or_else(|_| "{}".into()))
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        DomainEvent::SubscriptionChanged(c) => {
            let site = c.site_id.to_string();
            sqlx::query(&format!(
                "INSERT INTO rm_subscriptions{sfx} (site_id, subscription_id, customer, visitor, status, \
                 currency, plan, mrr, cancel_at_period_end, updated_ts) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (site_id, subscription_id) \
                 DO UPDATE SET customer = excluded.customer, visitor = excluded.visitor, \
                 status = excluded.status, currency = excluded.currency, plan = excluded.plan, \
                 mrr = excluded.mrr, cancel_at_period_end = excluded.cancel_at_period_end, \
                 updated_ts = excluded.updated_ts"
            ))
            .bind(&site)
            .bind(&c.subscription_id)
            .bind(&c.customer)
            .bind(c.visitor.as_deref())
            .bind(&c.status)
            .bind(&c.currency)
            .bind(&c.plan)
            .bind(c.mrr)
            .bind(i32::from(c.cancel_at_period_end))
            .bind(c.effective_at.timestamp_millis())
            .execute(&mut *conn)
            .await?;
            let month = c.effective_at.format("%Y-%m").to_string();
            let paying = i64::from(c.mrr > 0) - i64::from(c.previous_mrr > 0);
            let mut adds = vec![];
            if let Some(m) = &c.movement {
                adds.push((m.as_str(), c.amount));
            }
            if paying != 0 {
                adds.push(("subscriptions", paying));
            }
            for (kind, amount) in adds {
                add_month(conn, sfx, &site, &month, &c.currency, kind, amount).await?;
            }
            Ok(())
        }
        DomainEvent::PaymentRefunded(p) => {
            let month = e.occurred_at.format("%Y-%m").to_string();
            sqlx::query(&format!(
                "INSERT INTO rm_revenue_months{sfx} (site_id, month, currency, kind, amount) \
                 SELECT site_id, $3, currency, 'refunds', $4 FROM rm_payments{sfx} \
                 WHERE site_id = $1 AND transaction_id = $2 \
                 ON CONFLICT (site_id, month, currency, kind) \
                 DO UPDATE SET amount = rm_revenue_months{sfx}.amount + excluded.amount"
            ))
            .bind(p.site_id.to_string())
            .bind(&p.transaction_id)
            .bind(&month)
            .bind(p.amount)
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "UPDATE rm_payments{sfx} SET refunded_amount = refunded_amount + $3, \
                 refunded = CASE WHEN refunded_amount + $3 >= amount THEN 1 ELSE refunded END \
                 WHERE site_id = $1 AND transaction_id = $2"
            ))
            .bind(p.site_id.to_string())
            .bind(&p.transaction_id)
            .bind(p.amount)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        DomainEvent::PaymentRemoved(p) => {
            sqlx::query(&format!(
                "UPDATE rm_payments{sfx} SET removed = 1 WHERE site_id = $1 AND transaction_id = $2"
            ))
            .bind(p.site_id.to_string())
            .bind(&p.transaction_id)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        DomainEvent::VisitorIdentified(v) => {
            let traits = serde_json::to_string(&v.traits).unwrap_or_else(|_| "{}".into());
            sqlx::query(&format!(
                "INSERT INTO rm_visitors{sfx} (site_id, visitor, visitor_id, user_id, traits, pageviews, events, goals) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, 0) ON CONFLICT (site_id, visitor) DO UPDATE SET \
                 visitor_id = excluded.visitor_id, user_id = excluded.user_id, traits = excluded.traits"
            ))
            .bind(v.site_id.to_string())
            .bind(&v.visitor)
            .bind(&v.visitor_id)
            .bind(&v.user_id)
            .bind(traits)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        DomainEvent::VisitorErased(v) => {
            // This batch's hits from before the erasure go in first, under the visitor's key.
            std::mem::take(pending).flush(conn, sfx).await?;
            let site = v.site_id.to_string();
            // Counts and revenue stay, under a key that no visitor id leads to.
            let anonymous = format!("erased-{}", e.event_id);
            sqlx::query(&format!(
                "DELETE FROM rm_visitors{sfx} WHERE site_id = $1 AND visitor = $2"
            ))
            .bind(&site)
            .bind(&v.visitor)
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "UPDATE rm_payments{sfx} SET visitor = $3, visitor_id = NULL, customer_id = NULL, \
                 email = NULL WHERE site_id = $1 AND visitor = $2"
            ))
            .bind(&site)
            .bind(&v.visitor)
            .bind(&anonymous)
            .execute(&mut *conn)
            .await?;
            for table in ["rm_hits", "rm_sessions", "rm_subscriptions"] {
                sqlx::query(&format!(
                    "UPDATE {table}{sfx} SET visitor = $3 WHERE site_id = $1 AND visitor = $2"
                ))
                .bind(&site)
                .bind(&v.visitor)
                .bind(&anonymous)
                .execute(&mut *conn)
                .await?;
            }
            // The API destroys the key when it records the erasure; should it have stopped in
            // between, this finishes the job.
            if let Some(key) = &v.key {
                crate::personal::destroy(conn, key).await?;
            }
            Ok(())
        }
        DomainEvent::AnalyticsDeleted(d) => {
            // This batch's hits from before the deletion go in first, so that it deletes them.
            std::mem::take(pending).flush(conn, sfx).await?;
            delete_range(
                conn,
                sfx,
                &e.event_id.to_string(),
                &d.site_id.to_string(),
                d.from.timestamp_millis(),
                d.to.timestamp_millis(),
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Adds to a month's revenue figure.
async fn add_month(
    conn: &mut AnyConnection,
    sfx: &str,
    site: &str,
    month: &str,
    currency: &str,
    kind: &str,
    amount: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO rm_revenue_months{sfx} (site_id, month, currency, kind, amount) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id, month, currency, kind) \
         DO UPDATE SET amount = rm_revenue_months{sfx}.amount + excluded.amount"
    ))
    .bind(site)
    .bind(month)
    .bind(currency)
    .bind(kind)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const DAY_HOURS: i64 = 24;

/// The advisory-lock class of sites' deleted ranges (two-key advisory locks on Postgres).
const RANGE_LOCK_CLASS: i32 = 0x6b72; // "kr"

/// On Postgres, locks the sites' deleted ranges until the transaction ends: shared to read them
/// before counting hits, exclusive to add one. Projectors of other partitions then never count a
/// hit inside a range whose deletion commits meanwhile. (SQLite has a single writer.)
async fn lock_ranges(
    conn: &mut AnyConnection,
    sites: &[&str],
    exclusive: bool,
) -> Result<(), sqlx::Error> {
    if conn.backend_name() != "PostgreSQL" || sites.is_empty() {
        return Ok(());
    }
    let f = if exclusive {
        "pg_advisory_xact_lock"
    } else {
        "pg_advisory_xact_lock_shared"
    };
    for chunk in sites.chunks(CHUNK) {
        let sql = format!(
            "SELECT {f}({RANGE_LOCK_CLASS}, hashtext(v.column1))::TEXT FROM (VALUES {}) AS v",
            values(chunk.len(), 1)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(*s);
        }
        q.fetch_all(&mut *conn).await?;
    }
    Ok(())
}

/// Whether `ts` of `site` lies in a deleted range.
async fn deleted_at(
    conn: &mut AnyConnection,
    sfx: &str,
    site: &str,
    ts: i64,
) -> Result<bool, sqlx::Error> {
    lock_ranges(conn, &[site], false).await?;
    Ok(sqlx::query(&format!(
        "SELECT 1 FROM rm_deleted_ranges{sfx} WHERE site_id = $1 AND from_ts <= $2 AND to_ts > $2 LIMIT 1"
    ))
    .bind(site)
    .bind(ts)
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

/// The deleted ranges of `sites`, by site.
async fn deleted_ranges(
    conn: &mut AnyConnection,
    sfx: &str,
    sites: &[&str],
) -> Result<std::collections::HashMap<String, Vec<(i64, i64)>>, sqlx::Error> {
    let mut out: std::collections::HashMap<String, Vec<(i64, i64)>> =
        std::collections::HashMap::new();
    lock_ranges(conn, sites, false).await?;
    for chunk in sites.chunks(CHUNK) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT site_id, from_ts, to_ts FROM rm_deleted_ranges{sfx} WHERE site_id IN ({list})"
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(*s);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
        }
    }
    Ok(out)
}

/// Deletes a site's analytics in `[from, to)` (whole hours) and remembers the range, so that hits
/// and payments timestamped inside it are not counted when they arrive later (or on a replay, in
/// whatever order partitions deliver them): the result is the same in any order.
async fn delete_range(
    conn: &mut AnyConnection,
    sfx: &str,
    event_id: &str,
    site: &str,
    from: i64,
    to: i64,
) -> Result<(), sqlx::Error> {
    lock_ranges(conn, &[site], true).await?;
    let fresh = sqlx::query(&format!(
        "INSERT INTO rm_deleted_ranges{sfx} (event_id, site_id, from_ts, to_ts) VALUES ($1, $2, $3, $4)          ON CONFLICT DO NOTHING"
    ))
    .bind(event_id)
    .bind(site)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(());
    }
    // Visitors lose the hits they had in the range; their first and last seen follow what stays.
    let touched: Vec<(String, i64, i64, i64)> = sqlx::query(&format!(
        "SELECT visitor, SUM(CASE WHEN kind = 'pageview' THEN 1 ELSE 0 END), COUNT(*),          SUM(CASE WHEN kind = 'goal' THEN 1 ELSE 0 END) FROM rm_hits{sfx}          WHERE site_id = $1 AND ts >= $2 AND ts < $3 GROUP BY visitor"
    ))
    .bind(site)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    for (table, col) in [
        ("rm_hits", "ts"),
        ("rm_sessions", "start_ts"),
        ("rm_payments", "ts"),
    ] {
        sqlx::query(&format!(
            "DELETE FROM {table}{sfx} WHERE site_id = $1 AND {col} >= $2 AND {col} < $3"
        ))
        .bind(site)
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    for (visitor, pageviews, events, goals) in &touched {
        sqlx::query(&format!(
            "UPDATE rm_visitors{sfx} SET pageviews = pageviews - $3, events = events - $4, goals = goals - $5,              first_ts = (SELECT MIN(h.ts) FROM rm_hits{sfx} h WHERE h.site_id = $1 AND h.visitor = $2),              last_ts = (SELECT MAX(h.ts) FROM rm_hits{sfx} h WHERE h.site_id = $1 AND h.visitor = $2)              WHERE site_id = $1 AND visitor = $2"
        ))
        .bind(site)
        .bind(visitor)
        .bind(*pageviews)
        .bind(*events)
        .bind(*goals)
        .execute(&mut *conn)
        .await?;
    }
    // A visitor left with nothing (no hits, no identity) is gone.
    sqlx::query(&format!(
        "DELETE FROM rm_visitors{sfx} WHERE site_id = $1 AND events <= 0 AND first_ts IS NULL          AND visitor_id IS NULL AND user_id IS NULL"
    ))
    .bind(site)
    .execute(&mut *conn)
    .await?;
    // Hourly rollups of the range go; days wholly inside it go; a day the range cuts is summed
    // again from the hours it keeps.
    let (first_hour, end_hour) = (from.div_euclid(HOUR_MS), to.div_euclid(HOUR_MS));
    sqlx::query(&format!(
        "DELETE FROM rm_rollups{sfx} WHERE site_id = $1 AND hour >= $2 AND hour < $3"
    ))
    .bind(site)
    .bind(first_hour)
    .bind(end_hour)
    .execute(&mut *conn)
    .await?;
    let (first_day, last_day) = (
        first_hour.div_euclid(DAY_HOURS),
        (end_hour - 1).div_euclid(DAY_HOURS),
    );
    sqlx::query(&format!(
        "DELETE FROM rm_rollups_daily{sfx} WHERE site_id = $1 AND day >= $2 AND day <= $3"
    ))
    .bind(site)
    .bind(first_day)
    .bind(last_day)
    .execute(&mut *conn)
    .await?;
    let mut cut: Vec<i64> = vec![];
    if first_hour.rem_euclid(DAY_HOURS) != 0 {
        cut.push(first_day);
    }
    if end_hour.rem_euclid(DAY_HOURS) != 0 && !cut.contains(&last_day) {
        cut.push(last_day);
    }
    let mut rows: BTreeMap<RollupKey, Delta> = BTreeMap::new();
    for day in cut {
        let stored = sqlx::query(&format!(
            "SELECT dim, value, pageviews, events, visits, bounces, duration, visitors FROM rm_rollups{sfx}              WHERE site_id = $1 AND hour >= $2 AND hour < $3"
        ))
        .bind(site)
        .bind(day * DAY_HOURS)
        .bind((day + 1) * DAY_HOURS)
        .fetch_all(&mut *conn)
        .await?;
        for r in stored {
            let dim: String = r.get(0);
            let Some(dim) = DIMENSIONS
                .iter()
                .chain(std::iter::once(&ALL))
                .find(|d| **d == dim)
            else {
                continue;
            };
            let d = rows
                .entry((site.to_string(), dim, day, r.get(1)))
                .or_default();
            d.pageviews += r.get::<i64, _>(2);
            d.events += r.get::<i64, _>(3);
            d.visits += r.get::<i64, _>(4);
            d.bounces += r.get::<i64, _>(5);
            d.duration += r.get::<i64, _>(6);
            let bytes: Vec<u8> = r.get(7);
            if !d.visitors.merge_encoded(&bytes) {
                tracing::warn!(site, day, "unreadable visitor sketch skipped");
            }
        }
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    flush_table(
        conn,
        postgres,
        &format!("rm_rollups_daily{sfx}"),
        "day",
        rows.into_iter().collect(),
    )
    .await
}

/// A hit waiting for its batch's flush.
#[derive(Debug, Clone)]
pub struct PendingHit {
    event_id: String,
    position: i64,
    site: String,
    visitor: String,
    visitor_id: Option<String>,
    part: String,
    ts: i64,
    kind: &'static str,
    name: String,
    page: String,
    /// The dimensions a visit starting with this hit gets.
    dims: [String; 7],
    /// And its [`VISIT_EXTRAS`].
    extras: [String; EXTRAS],
    /// The hit's own host.
    hostname: String,
    properties: Option<String>,
}

fn pending_hit(e: &RecordedEvent, h: &Hit, kind: &'static str) -> PendingHit {
    PendingHit {
        event_id: e.event_id.to_string(),
        position: e.position,
        site: h.site_id.to_string(),
        visitor: h.visitor.clone(),
        visitor_id: h.visitor_id.clone(),
        part: s(&h.session_id),
        ts: e.occurred_at.timestamp_millis(),
        kind,
        name: s(&h.name),
        page: if kind == "pageview" {
            s(&h.path)
        } else {
            String::new()
        },
        dims: [
            h.source.clone().unwrap_or_else(|| DIRECT.into()),
            s(&h.utm_source),
            s(&h.utm_medium),
            s(&h.utm_campaign),
            s(&h.country),
            h.device.clone().unwrap_or_else(|| "unknown".into()),
            h.browser.clone().unwrap_or_else(|| "unknown".into()),
        ],
        extras: [
            s(&h.utm_content),
            s(&h.utm_term),
            s(&h.os),
            s(&h.os_version),
            s(&h.browser_version),
            s(&h.screen),
            s(&h.region),
            s(&h.city),
        ],
        hostname: s(&h.hostname),
        properties: (!h.properties.is_empty())
            .then(|| serde_json::to_string(&h.properties).unwrap_or_default()),
    }
}

/// Rows per multi-row statement (27 parameters a row at most: far below every backend's limit).
const CHUNK: usize = 200;

/// `rows` tuples of `cols` parameters, numbered from `$1`.
fn values(rows: usize, cols: usize) -> String {
    values_with(rows, cols, 1, "")
}

/// `rows` tuples of `cols` parameters numbered from `$first`, each closed by `extra` (fixed SQL:
/// constants or a parameter shared by every row).
fn values_with(rows: usize, cols: usize, first: usize, extra: &str) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (0..cols)
                .map(|c| format!("${}", first + r * cols + c))
                .collect();
            format!("({}{extra})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies the batch's hits in order: one query loads the current visit of every visitor in the
/// batch, visits are assigned in memory, and hits, visits and visitors are written with multi-row
/// statements.
async fn flush_hits(
    conn: &mut AnyConnection,
    sfx: &str,
    mut hits: Vec<PendingHit>,
    pending: &mut Pending,
) -> Result<(), sqlx::Error> {
    // Hits inside a deleted range are not counted.
    let sites: std::collections::BTreeSet<&str> = hits.iter().map(|h| h.site.as_str()).collect();
    let ranges = deleted_ranges(conn, sfx, &sites.into_iter().collect::<Vec<_>>()).await?;
    if !ranges.is_empty() {
        hits.retain(|h| {
            !ranges
                .get(&h.site)
                .is_some_and(|rs| rs.iter().any(|(a, b)| h.ts >= *a && h.ts < *b))
        });
        if hits.is_empty() {
            return Ok(());
        }
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    type Key = (String, String, String);
    let mut current: std::collections::HashMap<Key, Session> = std::collections::HashMap::new();
    let mut by_site: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for h in &hits {
        by_site.entry(&h.site).or_default().insert(&h.visitor);
    }
    for (site, visitors) in by_site {
        let visitors: Vec<&str> = visitors.into_iter().collect();
        for chunk in visitors.chunks(CHUNK) {
            let list = (0..chunk.len())
                .map(|i| format!("(${})", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let columns = format!(
                "s.id, s.start_ts, s.last_ts, s.pageviews, s.hits, s.entry_page, \
                 s.source, s.utm_source, s.utm_medium, s.utm_campaign, s.country, s.device, s.browser, \
                 s.visitor, s.part, s.exit_page, s.exit_ts, {}",
                VISIT_EXTRAS.map(|c| format!("s.{c}")).join(", ")
            );
            // On Postgres a lateral subquery per visitor: the planner cannot but look each one
            // up by the (site, visitor, part, created_pos) index. Joined with the list instead,
            // it scanned every visit of the site once the table's statistics were stale (as on
            // a fresh deployment, where this query took most of the projector's time).
            let sql = if postgres {
                format!(
                    "SELECT {columns} FROM (VALUES {list}) AS v CROSS JOIN LATERAL ( \
                       SELECT DISTINCT ON (s.part) s.* FROM rm_sessions{sfx} s \
                       WHERE s.site_id = $1 AND s.visitor = v.column1 \
                       ORDER BY s.part DESC, s.created_pos DESC) s"
                )
            } else {
                format!(
                    "SELECT {columns} FROM (VALUES {list}) AS v JOIN rm_sessions{sfx} s \
                     ON s.site_id = $1 AND s.visitor = v.column1 \
                     WHERE s.created_pos = ( \
                       SELECT MAX(t.created_pos) FROM rm_sessions{sfx} t WHERE t.site_id = s.site_id \
                       AND t.visitor = s.visitor AND t.part = s.part)"
                )
            };
            let mut q = sqlx::query(&sql).bind(site);
            for v in chunk {
                q = q.bind(*v);
            }
            for r in q.fetch_all(&mut *conn).await? {
                let session = Session {
                    id: r.get(0),
                    start: r.get(1),
                    last: r.get(2),
                    pageviews: r.get(3),
                    hits: r.get(4),
                    entry_page: r.get(5),
                    exit_page: r.get(15),
                    exit_ts: r.get(16),
                    dims: std::array::from_fn(|i| r.get(6 + i)),
                    extras: std::array::from_fn(|i| r.get(17 + i)),
                };
                current.insert((site.to_string(), r.get(13), r.get(14)), session);
            }
        }
    }
    // Assign visits in stream order; remember every visit that changed.
    let mut dirty: BTreeMap<String, (Session, Key, i64)> = BTreeMap::new();
    let mut session_of: Vec<String> = Vec::with_capacity(hits.len());
    let mut dims_of: Vec<([String; 7], [String; EXTRAS])> = Vec::with_capacity(hits.len());
    for h in &hits {
        let key = (h.site.clone(), h.visitor.clone(), h.part.clone());
        let pv = i64::from(h.kind == "pageview");
        let joined = current
            .get(&key)
            .filter(|c| h.ts >= c.start - SESSION_TIMEOUT_MS && h.ts <= c.last + SESSION_TIMEOUT_MS)
            .cloned();
        let after = if let Some(before) = joined {
            pending.visit(&h.site, &before, -1);
            let mut n = before;
            n.start = n.start.min(h.ts);
            n.last = n.last.max(h.ts);
            n.pageviews += pv;
            n.hits += 1;
            if n.entry_page.is_empty() && pv == 1 {
                n.entry_page = h.page.clone();
            }
            if pv == 1 && h.ts >= n.exit_ts {
                n.exit_page = h.page.clone();
                n.exit_ts = h.ts;
            }
            n
        } else {
            Session {
                id: h.event_id.clone(),
                start: h.ts,
                last: h.ts,
                pageviews: pv,
                hits: 1,
                entry_page: h.page.clone(),
                exit_page: h.page.clone(),
                exit_ts: if pv == 1 { h.ts } else { 0 },
                dims: h.dims.clone(),
                extras: h.extras.clone(),
            }
        };
        pending.visit(&h.site, &after, 1);
        pending.hit(
            &h.site,
            &after,
            h.ts,
            h.kind,
            &h.name,
            &h.page,
            visitor_hash(&h.visitor),
        );
        let created = dirty.get(&after.id).map_or(h.position, |d| d.2);
        dirty.insert(after.id.clone(), (after.clone(), key.clone(), created));
        session_of.push(after.id.clone());
        dims_of.push((after.dims.clone(), after.extras.clone()));
        current.insert(key, after);
    }
    // Visits: inserted or brought up to date (a visit's dimensions and creation never change).
    let sessions: Vec<_> = dirty.into_values().collect();
    for chunk in sessions.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO rm_sessions{sfx} (id, site_id, visitor, part, created_pos, start_ts, last_ts, pageviews, hits, \
             entry_page, source, utm_source, utm_medium, utm_campaign, country, device, browser, exit_page, exit_ts, \
             {}) \
             VALUES {} ON CONFLICT (id) DO UPDATE SET start_ts = excluded.start_ts, last_ts = excluded.last_ts, \
             pageviews = excluded.pageviews, hits = excluded.hits, entry_page = excluded.entry_page, \
             exit_page = excluded.exit_page, exit_ts = excluded.exit_ts",
            VISIT_EXTRAS.join(", "),
            values(chunk.len(), 19 + EXTRAS)
        );
        let mut q = sqlx::query(&sql);
        for (v, (site, visitor, part), created) in chunk {
            q = q
                .bind(&v.id)
                .bind(site)
                .bind(visitor)
                .bind(part)
                .bind(*created)
                .bind(v.start)
                .bind(v.last)
                .bind(v.pageviews)
                .bind(v.hits)
                .bind(&v.entry_page);
            for d in &v.dims {
                q = q.bind(d);
            }
            q = q.bind(&v.exit_page).bind(v.exit_ts);
            for x in &v.extras {
                q = q.bind(x);
            }
        }
        q.execute(&mut *conn).await?;
    }
    // Hits, with their visit and its dimensions, into their months' partitions.
    if postgres {
        let months: std::collections::BTreeSet<i64> =
            hits.iter().map(|h| month_of(h.ts).0).collect();
        for m in months {
            ensure_partition(conn, sfx, m).await?;
        }
    }
    let rows: Vec<_> = hits.iter().zip(session_of).zip(dims_of).collect();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO rm_hits{sfx} (event_id, site_id, ts, visitor, session, kind, name, page, source, utm_source, \
             utm_medium, utm_campaign, country, device, browser, properties, {}, hostname) \
             VALUES {} ON CONFLICT DO NOTHING",
            VISIT_EXTRAS.join(", "),
            values(chunk.len(), 17 + EXTRAS)
        );
        let mut q = sqlx::query(&sql);
        for ((h, session), (dims, extras)) in chunk {
            q = q
                .bind(&h.event_id)
                .bind(&h.site)
                .bind(h.ts)
                .bind(&h.visitor)
                .bind(session)
                .bind(h.kind)
                .bind(&h.name)
                .bind(&h.page);
            for d in dims {
                q = q.bind(d);
            }
            q = q.bind(h.properties.as_deref());
            for x in extras {
                q = q.bind(x);
            }
            q = q.bind(&h.hostname);
        }
        q.execute(&mut *conn).await?;
    }
    // Visitors: one upsert per visitor of the batch.
    // (visitor id, first, last, pageviews, events, goals)
    type Totals = (Option<String>, i64, i64, i64, i64, i64);
    let mut visitors: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for h in &hits {
        let v = visitors
            .entry((h.site.clone(), h.visitor.clone()))
            .or_insert((None, i64::MAX, i64::MIN, 0, 0, 0));
        if v.0.is_none() {
            v.0.clone_from(&h.visitor_id);
        }
        v.1 = v.1.min(h.ts);
        v.2 = v.2.max(h.ts);
        v.3 += i64::from(h.kind == "pageview");
        v.4 += 1;
        v.5 += i64::from(h.kind == "goal");
    }
    let visitors: Vec<_> = visitors.into_iter().collect();
    for chunk in visitors.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO rm_visitors{sfx} (site_id, visitor, visitor_id, first_ts, last_ts, pageviews, events, goals) \
             VALUES {} ON CONFLICT (site_id, visitor) DO UPDATE SET \
             visitor_id = COALESCE(rm_visitors{sfx}.visitor_id, excluded.visitor_id), \
             first_ts = CASE WHEN rm_visitors{sfx}.first_ts IS NULL OR excluded.first_ts < rm_visitors{sfx}.first_ts \
               THEN excluded.first_ts ELSE rm_visitors{sfx}.first_ts END, \
             last_ts = CASE WHEN rm_visitors{sfx}.last_ts IS NULL OR excluded.last_ts > rm_visitors{sfx}.last_ts \
               THEN excluded.last_ts ELSE rm_visitors{sfx}.last_ts END, \
             pageviews = rm_visitors{sfx}.pageviews + excluded.pageviews, \
             events = rm_visitors{sfx}.events + excluded.events, goals = rm_visitors{sfx}.goals + excluded.goals",
            values(chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for ((site, visitor), (id, first, last, pv, ev, goals)) in chunk {
            q = q
                .bind(site)
                .bind(visitor)
                .bind(id.as_deref())
                .bind(*first)
                .bind(*last)
                .bind(*pv)
                .bind(*ev)
                .bind(*goals);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The `analytics` read model: hits, sessions, rollups, goals and revenue of visitor and payment streams.
pub struct Analytics;

impl crate::model::ReadModel for Analytics {
    const NAME: &'static str = "analytics";
    /// Sites' streams carry deletions of their analytics (`site.data_deleted`).
    const STREAM_TYPES: &'static [&'static str] =
        &["visitor", "payment", "site", "metricpoint", "customer"];
    const TABLES: &'static [&'static str] = &TABLES;

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        ddl(sfx, tag)
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        batch: &mut crate::model::Batch,
    ) -> Result<(), sqlx::Error> {
        write(conn, sfx, e, &mut batch.analytics).await
    }
}

/// A pushed point of a custom metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    pub metric_id: String,
    pub point_id: String,
    pub value: serde_json::Number,
    pub unit: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub ts: i64,
    pub metadata: serde_json::Value,
}

/// A workspace's pushed points in `[from_ms, to_ms)`, of one metric or all, by metric and time.
pub async fn metric_points(
    db: &crate::Db,
    ws: &str,
    metric: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<MetricPoint>, sqlx::Error> {
    let sql = format!(
        "SELECT metric_id, point_id, value, unit, ts, metadata FROM rm_metric_points \
         WHERE workspace_id = $1 AND ts >= $2 AND ts < $3{} ORDER BY metric_id, ts, point_id",
        if metric.is_some() {
            " AND metric_id = $4"
        } else {
            ""
        }
    );
    let mut q = sqlx::query(&sql).bind(ws).bind(from_ms).bind(to_ms);
    if let Some(m) = metric {
        q = q.bind(m);
    }
    let rows = q.fetch_all(&db.pool).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let value: String = r.get(2);
            let metadata: String = r.get(5);
            MetricPoint {
                metric_id: r.get(0),
                point_id: r.get(1),
                value: value.parse().unwrap_or_else(|_| 0.into()),
                unit: r.get(3),
                ts: r.get(4),
                metadata: serde_json::from_str(&metadata).unwrap_or_default(),
            }
        })
        .collect())
}

/// A site's revenue figures by UTC month (`YYYY-MM`), currency and kind (see
/// `rm_revenue_months`), oldest first.
pub async fn revenue_months(
    db: &crate::Db,
    site: &str,
) -> Result<Vec<(String, String, String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT month, currency, kind, amount FROM rm_revenue_months WHERE site_id = $1 \
         ORDER BY month, currency, kind",
    )
    .bind(site)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

/// A site's payments (not removed) as `(ts ms, currency, amount)`, for cash by month.
pub async fn payment_amounts(
    db: &crate::Db,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT ts, currency, amount FROM rm_payments WHERE site_id = $1 AND removed = 0 \
         AND ts >= $2 AND ts < $3",
    )
    .bind(site)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The visitor id of the person a site identified with this user id, or with this email among
/// their traits (`email`), most recent first: how revenue from an outside source (a Stripe
/// customer) is attributed to a visitor.
pub async fn identified_visitor(
    db: &crate::Db,
    site: &str,
    user_id: Option<&str>,
    email: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    if let Some(u) = user_id.filter(|u| !u.is_empty()) {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT visitor_id FROM rm_visitors WHERE site_id = $1 AND user_id = $2 \
             AND visitor_id IS NOT NULL ORDER BY COALESCE(last_ts, 0) DESC LIMIT 1",
        )
        .bind(site)
        .bind(u)
        .fetch_optional(&db.pool)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    let Some(email) = email
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| e.contains('@'))
    else {
        return Ok(None);
    };
    // Narrowed in SQL, decided here: traits are JSON text on both backends.
    let rows = sqlx::query(
        "SELECT visitor_id, traits FROM rm_visitors WHERE site_id = $1 AND visitor_id IS NOT NULL \
         AND LOWER(traits) LIKE $2 ORDER BY COALESCE(last_ts, 0) DESC LIMIT 50",
    )
    .bind(site)
    .bind(format!("%{email}%"))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().find_map(|r| {
        let traits: Option<String> = r.get(1);
        let t: serde_json::Value = serde_json::from_str(traits.as_deref()?).ok()?;
        t["email"]
            .as_str()
            .filter(|e| e.trim().eq_ignore_ascii_case(&email))
            .and(r.get::<Option<String>, _>(0))
    }))
}
