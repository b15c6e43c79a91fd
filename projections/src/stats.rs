//! Stats over the analytics read model: one aggregate, a time series, or a breakdown by one
//! dimension, for a range of instants, optionally filtered.
//!
//! Unfiltered queries (a dashboard's default view) are answered from rollups (daily rows for whole
//! UTC days, hourly rows for the rest), so their cost follows the number of days, hours and
//! distinct values, not of events. Filtered queries are answered
//! from the site's hits in the range (exact, and as many rows as match). Both give the same
//! numbers: visitors are exact while the rollup rows of the range are small (under 512 visitors an
//! hour and value) and an estimate with a 1.6 % standard error beyond.
//!
//! Definitions, the same on both paths:
//! - hit metrics (`pageviews`, `events`, `visitors`, goal `conversions`) count hits whose time lies
//!   in the range; `events` counts every hit (pageviews, custom events, goal completions);
//! - visit metrics (`visits`, `bounce_rate`, `visit_duration`) count visits that *start* in the
//!   range and, when filtered, hold a matching hit in the range. A visit bounces with fewer than
//!   two pageviews; its duration is from its first to its last hit;
//! - a filter or breakdown on `page` concerns pageviews only (for visit metrics: the entry page),
//!   one on `goal` goal completions only; every other dimension is a property of the visit.

use crate::analytics::{ALL, HOUR_MS, SESSION_DIMS};
use crate::sketch::{visitor_hash, Sketch};
use crate::Db;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Is,
    IsNot,
    Contains,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub op: Op,
    pub dim: &'static str,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Total,
    Series(Interval),
    By(&'static str),
}

#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub site_id: String,
    /// Instants in milliseconds: `from` inclusive, `to` exclusive.
    pub from: i64,
    pub to: i64,
    pub tz: Tz,
    pub filters: Vec<Filter>,
}

/// The sums behind every metric of one group.
#[derive(Debug, Clone, Default)]
pub struct Acc {
    pub pageviews: i64,
    pub events: i64,
    pub visits: i64,
    pub bounces: i64,
    pub duration_ms: i64,
    pub visitors: Sketch,
    pub converters: Sketch,
    pub completions: i64,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rollups,
    Hits,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rollups => "rollups",
            Source::Hits => "events",
        }
    }
}

/// The column of a dimension in `rm_hits` (and, for visit dimensions, in `rm_sessions`).
fn column(dim: &str) -> &'static str {
    match dim {
        "page" => "page",
        "goal" => "name",
        "source" => "source",
        "utm_source" => "utm_source",
        "utm_medium" => "utm_medium",
        "utm_campaign" => "utm_campaign",
        "country" => "country",
        "device" => "device",
        _ => "browser",
    }
}

pub(crate) fn label_of(tz: Tz, interval: Interval, ms: i64) -> String {
    let t = Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz);
    let d = t.date_naive();
    match interval {
        Interval::Hour => t.format("%Y-%m-%dT%H:00:00%:z").to_string(),
        Interval::Day => d.to_string(),
        Interval::Week => {
            (d - Duration::days(i64::from(d.weekday().num_days_from_monday()))).to_string()
        }
        Interval::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
            .unwrap_or(d)
            .to_string(),
    }
}

/// Every bucket label of the range, in order (so gaps are filled with zeros).
pub fn buckets(q: &StatsQuery, interval: Interval) -> Vec<String> {
    // Every zone's offset is a multiple of 15 minutes, so no bucket is shorter than a step.
    const STEP: i64 = 15 * 60 * 1000;
    let mut out: Vec<String> = Vec::new();
    let mut t = q.from;
    while t < q.to {
        let l = label_of(q.tz, interval, t);
        if out.last() != Some(&l) {
            out.push(l);
        }
        t += STEP;
    }
    out
}

/// Whether every UTC offset of `tz` in the range is a whole number of hours.
fn whole_hour_offsets(tz: Tz, from: i64, to: i64) -> bool {
    let mut t = from;
    loop {
        let Some(at) = Utc.timestamp_millis_opt(t).single() else {
            return false;
        };
        if tz
            .offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
            % 3600
            != 0
        {
            return false;
        }
        if t >= to {
            return true;
        }
        t = (t + 24 * HOUR_MS).min(to);
    }
}

fn group_key(grouping: Grouping, tz: Tz, ms: i64, value: &str) -> String {
    match grouping {
        Grouping::Total => String::new(),
        Grouping::Series(i) => label_of(tz, i, ms),
        Grouping::By(_) => value.to_string(),
    }
}

/// Whether rollups answer `q` (no filters, whole hours, zones of whole-hour offsets); else it
/// reads raw hits.
pub fn rollups_answer(q: &StatsQuery) -> bool {
    let aligned = q.from.rem_euclid(HOUR_MS) == 0 && q.to.rem_euclid(HOUR_MS) == 0;
    q.filters.is_empty() && aligned && whole_hour_offsets(q.tz, q.from, q.to)
}

/// Sums per group (bucket label, dimension value, or `""` for the total).
pub async fn compute(
    db: &Db,
    q: &StatsQuery,
    grouping: Grouping,
) -> Result<(BTreeMap<String, Acc>, Source), sqlx::Error> {
    if rollups_answer(q) {
        Ok((from_rollups(db, q, grouping).await?, Source::Rollups))
    } else {
        Ok((from_hits(db, q, grouping).await?, Source::Hits))
    }
}

const DAY_MS: i64 = 24 * HOUR_MS;

/// Which rollup rows answer `[from, to)`: `(table, time column, first, end, unit in ms)`. Whole UTC
/// days come from daily rows when each day falls into one group (totals and breakdowns always;
/// series only in zones at UTC+0), the ragged edges from hourly rows.
fn segments(
    q: &StatsQuery,
    grouping: Grouping,
) -> Vec<(&'static str, &'static str, i64, i64, i64)> {
    let hourly = |a: i64, b: i64| ("rm_rollups", "hour", a / HOUR_MS, b / HOUR_MS, HOUR_MS);
    let first_day = q.from.div_euclid(DAY_MS) + i64::from(q.from.rem_euclid(DAY_MS) != 0);
    let end_day = q.to.div_euclid(DAY_MS);
    let daily_ok = match grouping {
        Grouping::Total | Grouping::By(_) => true,
        Grouping::Series(Interval::Hour) => false,
        Grouping::Series(_) => utc_offsets_zero(q.tz, q.from, q.to),
    };
    if !daily_ok || first_day >= end_day {
        return vec![hourly(q.from, q.to)];
    }
    let mut out = vec![("rm_rollups_daily", "day", first_day, end_day, DAY_MS)];
    if q.from < first_day * DAY_MS {
        out.push(hourly(q.from, first_day * DAY_MS));
    }
    if end_day * DAY_MS < q.to {
        out.push(hourly(end_day * DAY_MS, q.to));
    }
    out
}

fn utc_offsets_zero(tz: Tz, from: i64, to: i64) -> bool {
    let mut t = from;
    loop {
        let Some(at) = Utc.timestamp_millis_opt(t).single() else {
            return false;
        };
        if tz
            .offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
            != 0
        {
            return false;
        }
        if t >= to {
            return true;
        }
        t = (t + DAY_MS).min(to);
    }
}

async fn from_rollups(
    db: &Db,
    q: &StatsQuery,
    grouping: Grouping,
) -> Result<BTreeMap<String, Acc>, sqlx::Error> {
    let dims: Vec<&str> = match grouping {
        Grouping::By(d) => vec![d],
        _ => vec![ALL, "goal"],
    };
    let mut out: BTreeMap<String, Acc> = BTreeMap::new();
    for (table, col, lo, hi, unit) in segments(q, grouping) {
        for dim in &dims {
            let rows = sqlx::query(&format!(
                "SELECT {col}, value, pageviews, events, visits, bounces, duration, visitors FROM {table} \
                 WHERE site_id = $1 AND dim = $2 AND {col} >= $3 AND {col} < $4"
            ))
            .bind(&q.site_id)
            .bind(*dim)
            .bind(lo)
            .bind(hi)
            .fetch_all(&db.pool)
            .await?;
            for r in rows {
                let at: i64 = r.get(0);
                let value: String = r.get(1);
                let key = group_key(grouping, q.tz, at * unit, &value);
                let bytes: &[u8] = r.get(7);
                let a = out.entry(key).or_default();
                if *dim == "goal" && !matches!(grouping, Grouping::By(_)) {
                    merge_stored(&mut a.converters, bytes);
                    a.completions += r.get::<i64, _>(3);
                    continue;
                }
                a.pageviews += r.get::<i64, _>(2);
                a.events += r.get::<i64, _>(3);
                a.visits += r.get::<i64, _>(4);
                a.bounces += r.get::<i64, _>(5);
                a.duration_ms += r.get::<i64, _>(6);
                merge_stored(&mut a.visitors, bytes);
                if *dim == "goal" {
                    merge_stored(&mut a.converters, bytes);
                    a.completions += r.get::<i64, _>(3);
                }
            }
        }
    }
    Ok(out)
}

fn merge_stored(into: &mut Sketch, bytes: &[u8]) {
    if !into.merge_encoded(bytes) {
        tracing::warn!(
            len = bytes.len(),
            "unreadable visitor sketch in a rollup row; skipped"
        );
    }
}

/// The SQL condition of the filters on `rm_hits h`, and its parameters (numbered from `first`).
fn filter_sql(filters: &[Filter], first: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut params = Vec::new();
    let mut n = first;
    for f in filters {
        let col = format!("h.{}", column(f.dim));
        let kind = match f.dim {
            "page" => " AND h.kind = 'pageview'",
            "goal" => " AND h.kind = 'goal'",
            _ => "",
        };
        let list = |params: &mut Vec<String>, n: &mut usize| {
            f.values
                .iter()
                .map(|v| {
                    params.push(v.clone());
                    *n += 1;
                    format!("${}", *n - 1)
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cond = match f.op {
            Op::Is => format!("{col} IN ({})", list(&mut params, &mut n)),
            Op::IsNot => format!("{col} NOT IN ({})", list(&mut params, &mut n)),
            Op::Contains => {
                let likes = f
                    .values
                    .iter()
                    .map(|v| {
                        let esc = v
                            .to_lowercase()
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_");
                        params.push(format!("%{esc}%"));
                        n += 1;
                        format!("LOWER({col}) LIKE ${} ESCAPE '\\'", n - 1)
                    })
                    .collect::<Vec<_>>()
                    .join(" OR ");
                format!("({likes})")
            }
        };
        sql.push_str(&format!(" AND ({cond}{kind})"));
    }
    (sql, params)
}

struct VisitRow {
    start: i64,
    last: i64,
    pageviews: i64,
    entry_page: String,
    dims: [String; 7],
}

async fn from_hits(
    db: &Db,
    q: &StatsQuery,
    grouping: Grouping,
) -> Result<BTreeMap<String, Acc>, sqlx::Error> {
    let (cond, params) = filter_sql(&q.filters, 4);
    let sql = format!(
        "SELECT h.ts, h.visitor, h.session, h.kind, h.name, h.page, h.source, h.utm_source, h.utm_medium, \
         h.utm_campaign, h.country, h.device, h.browser, s.start_ts, s.last_ts, s.pageviews, s.entry_page \
         FROM rm_hits h JOIN rm_sessions s ON s.id = h.session \
         WHERE h.site_id = $1 AND h.ts >= $2 AND h.ts < $3{cond}"
    );
    let mut query = sqlx::query(&sql).bind(&q.site_id).bind(q.from).bind(q.to);
    for p in &params {
        query = query.bind(p);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let mut out: BTreeMap<String, Acc> = BTreeMap::new();
    let mut visits: HashMap<String, VisitRow> = HashMap::new();
    for r in rows {
        let ts: i64 = r.get(0);
        let visitor: String = r.get(1);
        let session: String = r.get(2);
        let kind: String = r.get(3);
        let name: String = r.get(4);
        let page: String = r.get(5);
        let dims: [String; 7] = std::array::from_fn(|i| r.get(6 + i));
        let start: i64 = r.get(13);
        if start >= q.from && start < q.to {
            visits.entry(session).or_insert_with(|| VisitRow {
                start,
                last: r.get(14),
                pageviews: r.get(15),
                entry_page: r.get(16),
                dims: dims.clone(),
            });
        }
        let value = match grouping {
            Grouping::By("page") if kind != "pageview" => continue,
            Grouping::By("goal") if kind != "goal" => continue,
            Grouping::By("page") => page.clone(),
            Grouping::By("goal") => name.clone(),
            Grouping::By(d) => SESSION_DIMS
                .iter()
                .position(|x| *x == d)
                .map(|i| dims[i].clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let a = out
            .entry(group_key(grouping, q.tz, ts, &value))
            .or_default();
        let h = visitor_hash(&visitor);
        a.events += 1;
        a.pageviews += i64::from(kind == "pageview");
        a.visitors.insert(h);
        if kind == "goal" {
            a.converters.insert(h);
            a.completions += 1;
        }
    }
    for v in visits.values() {
        let value = match grouping {
            Grouping::By("goal") => continue,
            Grouping::By("page") if v.entry_page.is_empty() => continue,
            Grouping::By("page") => v.entry_page.clone(),
            Grouping::By(d) => SESSION_DIMS
                .iter()
                .position(|x| *x == d)
                .map(|i| v.dims[i].clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let a = out
            .entry(group_key(grouping, q.tz, v.start, &value))
            .or_default();
        a.visits += 1;
        a.bounces += i64::from(v.pageviews <= 1);
        a.duration_ms += v.last - v.start;
    }
    Ok(out)
}

/// Revenue of one currency, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Revenue {
    pub gross: i64,
    pub refunds: i64,
    pub net: i64,
    pub count: i64,
}

/// Revenue per group and currency: payments (not removed, not free trials) in the range; when
/// filtered, only those of visitors with a matching hit in the range.
pub async fn revenue(
    db: &Db,
    q: &StatsQuery,
    interval: Option<Interval>,
) -> Result<BTreeMap<String, BTreeMap<String, Revenue>>, sqlx::Error> {
    let (cond, params) = filter_sql(&q.filters, 4);
    let semi = if q.filters.is_empty() {
        String::new()
    } else {
        format!(
            " AND p.visitor IN (SELECT h.visitor FROM rm_hits h WHERE h.site_id = $1 AND h.ts >= $2 AND h.ts < $3{cond})"
        )
    };
    let sql = format!(
        "SELECT p.ts, p.currency, p.amount, p.refunded, p.refunded_amount FROM rm_payments p WHERE p.site_id = $1 AND p.ts >= $2 \
         AND p.ts < $3 AND p.removed = 0 AND p.is_free_trial = 0{semi}"
    );
    let mut query = sqlx::query(&sql).bind(&q.site_id).bind(q.from).bind(q.to);
    for p in &params {
        query = query.bind(p);
    }
    let mut out: BTreeMap<String, BTreeMap<String, Revenue>> = BTreeMap::new();
    for r in query.fetch_all(&db.pool).await? {
        let ts: i64 = r.get(0);
        let key = interval.map_or_else(String::new, |i| label_of(q.tz, i, ts));
        let rev = out.entry(key).or_default().entry(r.get(1)).or_default();
        let amount: i64 = r.get(2);
        rev.gross += amount;
        rev.count += 1;
        // A payment marked refunded when it was recorded is refunded whole; refunds recorded
        // since (`payment.refunded`) count as they were given.
        rev.refunds += if r.get::<i32, _>(3) != 0 {
            amount
        } else {
            r.get::<i64, _>(4).min(amount)
        };
        rev.net = rev.gross - rev.refunds;
    }
    Ok(out)
}

/// Local midnight of `date` in `tz` as an instant (the earliest, across a DST gap).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc)),
    }
}
