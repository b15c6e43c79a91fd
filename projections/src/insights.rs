//! Reads of the analytics read model beyond the stats endpoints: one visitor's profile, the hits
//! a funnel is computed from, and per-goal daily completions for the flat metrics feed.

use crate::analytics::HOUR_MS;
use crate::sketch::Sketch;
use crate::Db;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoalCount {
    pub name: String,
    pub completions: i64,
    pub last_completed_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub transaction_id: String,
    pub amount: i64,
    pub currency: String,
    pub refunded: bool,
    pub renewal: bool,
    pub is_free_trial: bool,
    pub customer_id: Option<String>,
    pub occurred_at: String,
    /// Refunded since it was recorded (minor units; `refunded` is true once it is all of it).
    pub refunded_amount: i64,
}

/// One visitor of a site as the visitors list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitorRow {
    /// The id you send with events (`null` for the pixel's anonymous visitors, and once erased).
    pub visitor_id: Option<String>,
    pub user_id: Option<String>,
    /// From identify calls.
    #[schema(value_type = Object)]
    pub traits: Value,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub pageviews: i64,
    pub events: i64,
    pub goals: i64,
}

/// Filters and order of the visitors list.
#[derive(Debug, Clone, Default)]
pub struct VisitorFilter {
    /// Only visitors known by a user id (`true`) or not (`false`).
    pub identified: Option<bool>,
    pub user_id: Option<String>,
    /// Case-insensitive substring of the visitor id or the user id.
    pub search: Option<String>,
    /// Last seen at or after / before these instants (ms).
    pub seen_after: Option<i64>,
    pub seen_before: Option<i64>,
    /// (column, descending): last_seen (default, newest first), first_seen, pageviews, events, goals.
    pub sort: Vec<(&'static str, bool)>,
    pub limit: i64,
    pub offset: i64,
}

/// The columns the visitors list sorts by, as `sort` names them.
pub const VISITOR_SORTS: &[&str] = &["last_seen", "first_seen", "pageviews", "events", "goals"];

/// A page of a site's visitors and the exact total.
pub async fn list_visitors(
    db: &Db,
    site_id: &str,
    f: &VisitorFilter,
) -> Result<(Vec<VisitorRow>, i64), sqlx::Error> {
    let mut wheres = vec!["site_id = $1".to_string()];
    let mut texts: Vec<String> = vec![site_id.to_string()];
    let mut ints: Vec<(usize, i64)> = Vec::new();
    let mut n = 1;
    match f.identified {
        Some(true) => wheres.push("user_id IS NOT NULL".into()),
        Some(false) => wheres.push("user_id IS NULL".into()),
        None => {}
    }
    if let Some(u) = &f.user_id {
        n += 1;
        wheres.push(format!("user_id = ${n}"));
        texts.push(u.clone());
    }
    if let Some(q) = &f.search {
        n += 1;
        let esc = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        wheres.push(format!(
            "(LOWER(COALESCE(visitor_id, '')) LIKE ${n} ESCAPE '\\' OR LOWER(COALESCE(user_id, '')) LIKE ${n} ESCAPE '\\')"
        ));
        texts.push(format!("%{esc}%"));
    }
    for (op, v) in [(">=", f.seen_after), ("<", f.seen_before)] {
        if let Some(ms) = v {
            n += 1;
            wheres.push(format!("last_ts {op} ${n}"));
            ints.push((n, ms));
        }
    }
    let column = |c: &str| {
        match c {
            "first_seen" => "first_ts",
            "last_seen" => "last_ts",
            other => other,
        }
        .to_string()
    };
    let mut order: Vec<String> = f
        .sort
        .iter()
        .map(|(c, d)| {
            if *d {
                format!("{} DESC NULLS LAST", column(c))
            } else {
                format!("{} ASC NULLS FIRST", column(c))
            }
        })
        .collect();
    if order.is_empty() {
        order.push("last_ts DESC NULLS LAST".into());
    }
    order.push("visitor ASC".into());
    let where_sql = wheres.join(" AND ");
    // Binds in placeholder order: the text ones first ($1…), then the instants.
    fn bound<'q>(
        sql: &'q str,
        texts: &'q [String],
        ints: &[(usize, i64)],
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut q = sqlx::query(sql);
        for t in texts {
            q = q.bind(t.as_str());
        }
        for (_, i) in ints {
            q = q.bind(*i);
        }
        q
    }
    let sql = format!(
        "SELECT visitor_id, user_id, traits, first_ts, last_ts, pageviews, events, goals FROM rm_visitors \
         WHERE {where_sql} ORDER BY {} LIMIT {} OFFSET {}",
        order.join(", "),
        f.limit.max(0),
        f.offset.max(0)
    );
    let rows = bound(&sql, &texts, &ints).fetch_all(&db.pool).await?;
    let count_sql = format!("SELECT COUNT(*) FROM rm_visitors WHERE {where_sql}");
    let total: i64 = bound(&count_sql, &texts, &ints)
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    let out = rows
        .iter()
        .map(|r| {
            let traits: Option<String> = r.try_get(2)?;
            let first: Option<i64> = r.try_get(3)?;
            let last: Option<i64> = r.try_get(4)?;
            Ok(VisitorRow {
                visitor_id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                traits: traits
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Object(Default::default())),
                first_seen: first.map(ts),
                last_seen: last.map(ts),
                pageviews: r.try_get(5)?,
                events: r.try_get(6)?,
                goals: r.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((out, total))
}

/// What is known of one visitor of a site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitorProfile {
    pub visitor_id: Option<String>,
    pub user_id: Option<String>,
    /// From identify calls.
    #[schema(value_type = Object)]
    pub traits: Value,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub visits: i64,
    pub pageviews: i64,
    pub events: i64,
    pub goals: Vec<GoalCount>,
    pub payments: Vec<PaymentView>,
    /// Net revenue (payments minus refunds, removed payments and free trials excluded) per currency.
    pub lifetime_revenue: BTreeMap<String, i64>,
    /// Subscriptions of a connected Stripe account attributed to this visitor.
    pub subscriptions: Vec<SubscriptionView>,
}

/// A subscription attributed to a visitor, as last recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    pub subscription_id: String,
    pub status: String,
    pub plan: String,
    /// Minor units a month.
    pub mrr: i64,
    pub currency: String,
    pub cancel_at_period_end: bool,
}

fn ts(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(keel_schemas::format_ts)
        .unwrap_or_default()
}

pub async fn visitor_profile(
    db: &Db,
    site_id: &str,
    visitor: &str,
) -> Result<Option<VisitorProfile>, sqlx::Error> {
    let Some(v) = sqlx::query(
        "SELECT visitor_id, user_id, traits, first_ts, last_ts, pageviews, events FROM rm_visitors \
         WHERE site_id = $1 AND visitor = $2",
    )
    .bind(site_id)
    .bind(visitor)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(None);
    };
    let visits: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rm_sessions WHERE site_id = $1 AND visitor = $2")
            .bind(site_id)
            .bind(visitor)
            .fetch_one(&db.pool)
            .await?;
    let goals = sqlx::query(
        "SELECT name, COUNT(*), MAX(ts) FROM rm_hits WHERE site_id = $1 AND visitor = $2 AND kind = 'goal' \
         GROUP BY name ORDER BY name",
    )
    .bind(site_id)
    .bind(visitor)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| GoalCount {
        name: r.get(0),
        completions: r.get(1),
        last_completed_at: ts(r.get(2)),
    })
    .collect();
    let payments: Vec<PaymentView> = sqlx::query(
        "SELECT transaction_id, amount, currency, refunded, renewal, is_free_trial, customer_id, ts, refunded_amount FROM rm_payments \
         WHERE site_id = $1 AND visitor = $2 AND removed = 0 ORDER BY ts, transaction_id",
    )
    .bind(site_id)
    .bind(visitor)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| PaymentView {
        transaction_id: r.get(0),
        amount: r.get(1),
        currency: r.get(2),
        refunded: r.get::<i32, _>(3) != 0,
        renewal: r.get::<i32, _>(4) != 0,
        is_free_trial: r.get::<i32, _>(5) != 0,
        customer_id: r.get(6),
        occurred_at: ts(r.get(7)),
        refunded_amount: r.get(8),
    })
    .collect();
    let mut lifetime_revenue: BTreeMap<String, i64> = BTreeMap::new();
    for p in payments.iter().filter(|p| !p.is_free_trial) {
        let net = lifetime_revenue.entry(p.currency.clone()).or_default();
        if !p.refunded {
            *net += p.amount - p.refunded_amount.min(p.amount);
        }
    }
    let subscriptions = sqlx::query(
        "SELECT subscription_id, status, plan, mrr, currency, cancel_at_period_end FROM rm_subscriptions \
         WHERE site_id = $1 AND visitor = $2 ORDER BY subscription_id",
    )
    .bind(site_id)
    .bind(visitor)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| SubscriptionView {
        subscription_id: r.get(0),
        status: r.get(1),
        plan: r.get(2),
        mrr: r.get(3),
        currency: r.get(4),
        cancel_at_period_end: r.get::<i32, _>(5) != 0,
    })
    .collect();
    let traits: Option<String> = v.get(2);
    Ok(Some(VisitorProfile {
        visitor_id: v.get(0),
        user_id: v.get(1),
        traits: traits
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| Value::Object(Default::default())),
        first_seen: v.get::<Option<i64>, _>(3).map(ts),
        last_seen: v.get::<Option<i64>, _>(4).map(ts),
        visits,
        pageviews: v.get(5),
        events: v.get(6),
        goals,
        payments,
        lifetime_revenue,
        subscriptions,
    }))
}

/// One step of a funnel: a pageview of a path, or a goal completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Page(String),
    Goal(String),
}

/// Per visitor, their hits matching any step in `[from, to)`, in time order: `(visitor, ts, step index)`
/// for every step the hit matches.
pub async fn funnel_hits(
    db: &Db,
    site_id: &str,
    from: i64,
    to: i64,
    steps: &[Step],
) -> Result<BTreeMap<String, Vec<(i64, Vec<usize>)>>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT visitor, ts, kind, page, name FROM rm_hits WHERE site_id = $1 AND ts >= $2 AND ts < $3 \
         AND kind IN ('pageview', 'goal') ORDER BY visitor, ts, event_id",
    )
    .bind(site_id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?;
    let mut out: BTreeMap<String, Vec<(i64, Vec<usize>)>> = BTreeMap::new();
    for r in rows {
        let kind: String = r.get(2);
        let page: String = r.get(3);
        let name: String = r.get(4);
        let matched: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| match s {
                Step::Page(p) => kind == "pageview" && page == *p,
                Step::Goal(g) => kind == "goal" && name == *g,
            })
            .map(|(i, _)| i)
            .collect();
        if !matched.is_empty() {
            out.entry(r.get(0)).or_default().push((r.get(1), matched));
        }
    }
    Ok(out)
}

/// How many steps a visitor completed in order: step 1 at some time t, each next step at or after
/// the previous one, the last no later than `t + window`. The best start is taken.
pub fn funnel_depth(
    hits: &[(i64, Vec<usize>)],
    steps: usize,
    window_ms: i64,
    from: i64,
    to: i64,
) -> usize {
    let mut best = 0;
    for (i, (t0, m)) in hits.iter().enumerate() {
        if !m.contains(&0) || *t0 < from || *t0 >= to {
            continue;
        }
        let mut depth = 1;
        for (t, m) in &hits[i + 1..] {
            if depth == steps || *t > t0 + window_ms {
                break;
            }
            if m.contains(&depth) {
                depth += 1;
            }
        }
        best = best.max(depth);
        if best == steps {
            break;
        }
    }
    best
}

/// Per (UTC hour, goal name): completions and converting visitors, from the rollups.
pub async fn goal_hours(
    db: &Db,
    site_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, i64, Sketch)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT hour, value, events, visitors FROM rm_rollups WHERE site_id = $1 AND dim = 'goal' \
         AND hour >= $2 AND hour < $3",
    )
    .bind(site_id)
    .bind(from.div_euclid(HOUR_MS))
    .bind(to.div_euclid(HOUR_MS))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let bytes: Vec<u8> = r.get(3);
            (
                r.get::<i64, _>(0) * HOUR_MS,
                r.get(1),
                r.get(2),
                Sketch::decode(&bytes).unwrap_or_default(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnels_follow_order_and_window() {
        let h = |v: &[(i64, usize)]| v.iter().map(|(t, s)| (*t, vec![*s])).collect::<Vec<_>>();
        // 0 → 1 → 2 in order within the window.
        assert_eq!(
            funnel_depth(&h(&[(0, 0), (5, 1), (9, 2)]), 3, 10, 0, 100),
            3
        );
        // Step 2 before step 1 does not count; past the window neither.
        assert_eq!(
            funnel_depth(&h(&[(0, 0), (1, 2), (5, 1)]), 3, 10, 0, 100),
            2
        );
        assert_eq!(
            funnel_depth(&h(&[(0, 0), (5, 1), (11, 2)]), 3, 10, 0, 100),
            2
        );
        // A later start can do better.
        assert_eq!(
            funnel_depth(&h(&[(0, 0), (20, 0), (25, 1), (26, 2)]), 3, 10, 0, 100),
            3
        );
        // Entering before the range does not count.
        assert_eq!(funnel_depth(&h(&[(0, 0), (5, 1)]), 2, 10, 1, 100), 0);
        // One hit can serve two identical steps only once each.
        assert_eq!(
            funnel_depth(&[(0, vec![0, 1]), (3, vec![0, 1])], 2, 10, 0, 100),
            2
        );
    }
}
