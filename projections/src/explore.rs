//! The query engine behind `POST /api/v1/sites/{id}/query` (modelled on Plausible's Stats API
//! v2): any number of dimensions at once — visit properties, the page, the entry page, the goal,
//! custom event properties and time buckets — and filters with `is`, `is_not`, `contains`,
//! `contains_not`, `matches` and `matches_not` on any of them.
//!
//! The definitions are [`crate::stats`]'s: hit metrics count the hits in the range that match
//! every filter; visit metrics count the visits that start in the range and hold such a hit. A
//! dimension on the page concerns pageviews (and, for visit metrics, the entry page), one on the
//! goal goal completions (no visit metrics); a custom property groups the hits that carry it
//! (`(none)` for those that do not) and a visit under every value its matching hits carry.
//!
//! Answered from the site's hits in the range: exact, and as costly as the hits it reads.

use crate::analytics::{EXTRAS, SESSION_DIMS, VISIT_EXTRAS};
use crate::sketch::visitor_hash;
use crate::stats::{label_of, Acc, Interval};
use crate::Db;
use chrono_tz::Tz;
use regex::Regex;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Shown for a property a hit does not carry.
pub const NONE: &str = "(none)";

/// A dimension of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dim {
    /// One of the visit's properties ([`SESSION_DIMS`] or [`VISIT_EXTRAS`]).
    Visit(&'static str),
    /// The host of the hit's URL (for visit metrics, of the hit that counted the visit).
    Hostname,
    /// The page of a pageview (the entry page, for visit metrics).
    Page,
    /// The visit's first page.
    EntryPage,
    /// The page of the visit's latest pageview.
    ExitPage,
    /// The goal completed.
    Goal,
    /// A custom event property.
    Prop(String),
    /// The bucket of the hit's time (the visit's start, for visit metrics).
    Time(Interval),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Is,
    IsNot,
    Contains,
    ContainsNot,
    Matches,
    MatchesNot,
}

/// One filter: the hit's value of `dim` must (or must not) be one of, contain one of, or match
/// one of the values.
#[derive(Debug, Clone)]
pub struct Filter {
    pub op: Op,
    pub dim: Dim,
    pub values: Vec<String>,
    /// `matches`: the values compiled.
    pub patterns: Vec<Regex>,
}

impl Filter {
    fn holds(&self, value: Option<&str>) -> bool {
        let v = value.unwrap_or("");
        let any = match self.op {
            Op::Is | Op::IsNot => self.values.iter().any(|x| x == v),
            Op::Contains | Op::ContainsNot => {
                let v = v.to_lowercase();
                self.values.iter().any(|x| v.contains(&x.to_lowercase()))
            }
            Op::Matches | Op::MatchesNot => self.patterns.iter().any(|p| p.is_match(v)),
        };
        // A filter on a dimension concerns the hits that have it (a page filter, pageviews).
        value.is_some()
            && match self.op {
                Op::Is | Op::Contains | Op::Matches => any,
                _ => !any,
            }
    }
}

/// Filters combined (Plausible's `and`, `or`, `not`): a hit passes `not` when it does not pass
/// the inner filter — also when it has no value of its dimension (`not [is page /x]` admits
/// custom events; `is_not page /x` only pageviews of other pages).
#[derive(Debug, Clone)]
pub enum Logic {
    And(Vec<Logic>),
    Or(Vec<Logic>),
    Not(Box<Logic>),
    Leaf(Filter),
}

impl Logic {
    fn holds(&self, h: &HitRow, tz: Tz) -> bool {
        match self {
            Logic::And(xs) => xs.iter().all(|x| x.holds(h, tz)),
            Logic::Or(xs) => xs.iter().any(|x| x.holds(h, tz)),
            Logic::Not(x) => !x.holds(h, tz),
            Logic::Leaf(f) => f.holds(hit_value(h, &f.dim, tz).as_deref()),
        }
    }

    /// Whether any filter inside is on a custom property.
    fn on_props(&self) -> bool {
        match self {
            Logic::And(xs) | Logic::Or(xs) => xs.iter().any(Logic::on_props),
            Logic::Not(x) => x.on_props(),
            Logic::Leaf(f) => matches!(f.dim, Dim::Prop(_)),
        }
    }
}

/// A query: the site, `[from, to)` in milliseconds, the zone of time buckets.
#[derive(Debug, Clone)]
pub struct Query {
    pub site_id: String,
    pub from: i64,
    pub to: i64,
    pub tz: Tz,
    pub dims: Vec<Dim>,
    pub filters: Vec<Filter>,
    /// Logical filters; each must hold too.
    pub logic: Vec<Logic>,
}

struct HitRow {
    ts: i64,
    visitor: String,
    session: String,
    kind: String,
    name: String,
    page: String,
    dims: [String; 7],
    extras: [String; EXTRAS],
    hostname: String,
    props: Option<serde_json::Map<String, serde_json::Value>>,
    start: i64,
    last: i64,
    pageviews: i64,
    entry_page: String,
    exit_page: String,
}

fn prop(h: &HitRow, key: &str) -> Option<String> {
    let v = h.props.as_ref()?.get(key)?;
    Some(match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => return None,
        other => other.to_string(),
    })
}

/// A hit's value of a dimension, as filters see it (`None`: the hit has none, e.g. the page of a
/// custom event).
fn hit_value(h: &HitRow, d: &Dim, tz: Tz) -> Option<String> {
    match d {
        Dim::Visit(v) => SESSION_DIMS
            .iter()
            .position(|x| x == v)
            .map(|i| h.dims[i].clone())
            .or_else(|| {
                VISIT_EXTRAS
                    .iter()
                    .position(|x| x == v)
                    .map(|i| h.extras[i].clone())
            }),
        Dim::Hostname => Some(h.hostname.clone()).filter(|x| !x.is_empty()),
        Dim::Page => (h.kind == "pageview").then(|| h.page.clone()),
        Dim::EntryPage => Some(h.entry_page.clone()).filter(|p| !p.is_empty()),
        Dim::ExitPage => Some(h.exit_page.clone()).filter(|p| !p.is_empty()),
        Dim::Goal => (h.kind == "goal").then(|| h.name.clone()),
        Dim::Prop(k) => prop(h, k),
        Dim::Time(i) => Some(label_of(tz, *i, h.ts)),
    }
}

/// Sums per group: the key holds one value per dimension, in the query's order.
pub async fn run(db: &Db, q: &Query) -> Result<BTreeMap<Vec<String>, Acc>, sqlx::Error> {
    let needs_props = q.dims.iter().any(|d| matches!(d, Dim::Prop(_)))
        || q.filters.iter().any(|f| matches!(f.dim, Dim::Prop(_)))
        || q.logic.iter().any(Logic::on_props);
    let (cond, params) = prefilter(&q.filters);
    let sql = format!(
        "SELECT h.ts, h.visitor, h.session, h.kind, h.name, h.page, h.source, h.utm_source, \
         h.utm_medium, h.utm_campaign, h.country, h.device, h.browser, s.start_ts, s.last_ts, \
         s.pageviews, s.entry_page, s.exit_page, h.hostname, {}{} FROM rm_hits h JOIN rm_sessions s ON s.id = h.session \
         WHERE h.site_id = $1 AND h.ts >= $2 AND h.ts < $3{cond}",
        VISIT_EXTRAS.map(|c| format!("h.{c}")).join(", "),
        if needs_props { ", h.properties" } else { "" }
    );
    let mut query = sqlx::query(&sql).bind(&q.site_id).bind(q.from).bind(q.to);
    for p in params {
        query = query.bind(p);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let mut out: BTreeMap<Vec<String>, Acc> = BTreeMap::new();
    // Visits starting in the range with a matching hit: one of their rows, and the values of
    // their property dimensions.
    struct Visit {
        row: HitRow,
        props: Vec<BTreeSet<String>>,
    }
    let mut visits: HashMap<String, Visit> = HashMap::new();
    let prop_dims: Vec<usize> = q
        .dims
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d, Dim::Prop(_)))
        .map(|(i, _)| i)
        .collect();
    for r in rows {
        let h = HitRow {
            ts: r.get(0),
            visitor: r.get(1),
            session: r.get(2),
            kind: r.get(3),
            name: r.get(4),
            page: r.get(5),
            dims: std::array::from_fn(|i| r.get(6 + i)),
            start: r.get(13),
            last: r.get(14),
            pageviews: r.get(15),
            entry_page: r.get(16),
            exit_page: r.get(17),
            hostname: r.get(18),
            extras: std::array::from_fn(|i| r.get(19 + i)),
            props: if needs_props {
                r.get::<Option<String>, _>(19 + EXTRAS)
                    .and_then(|p| serde_json::from_str(&p).ok())
            } else {
                None
            },
        };
        if !q
            .filters
            .iter()
            .all(|f| f.holds(hit_value(&h, &f.dim, q.tz).as_deref()))
            || !q.logic.iter().all(|l| l.holds(&h, q.tz))
        {
            continue;
        }
        // The hit's group, unless a dimension does not apply to it.
        let key: Option<Vec<String>> = q
            .dims
            .iter()
            .map(|d| match d {
                Dim::Prop(_) => Some(hit_value(&h, d, q.tz).unwrap_or_else(|| NONE.into())),
                Dim::EntryPage => Some(h.entry_page.clone()),
                Dim::ExitPage => Some(h.exit_page.clone()),
                Dim::Hostname => Some(h.hostname.clone()),
                _ => hit_value(&h, d, q.tz),
            })
            .collect();
        let in_range = h.start >= q.from && h.start < q.to;
        if in_range && !q.dims.contains(&Dim::Goal) {
            let n = prop_dims.len();
            let v = visits.entry(h.session.clone()).or_insert_with(|| Visit {
                row: HitRow {
                    props: None,
                    session: String::new(),
                    ..clone_row(&h)
                },
                props: vec![BTreeSet::new(); n],
            });
            // The visit's own values come from its earliest matching hit (a hostname may differ
            // between its hits).
            if h.ts < v.row.ts {
                v.row = HitRow {
                    props: None,
                    session: String::new(),
                    ..clone_row(&h)
                };
            }
            for (slot, &i) in prop_dims.iter().enumerate() {
                v.props[slot]
                    .insert(hit_value(&h, &q.dims[i], q.tz).unwrap_or_else(|| NONE.into()));
            }
        }
        let Some(key) = key else { continue };
        let a = out.entry(key).or_default();
        let vh = visitor_hash(&h.visitor);
        a.events += 1;
        a.pageviews += i64::from(h.kind == "pageview");
        a.visitors.insert(vh);
        if h.kind == "goal" {
            a.converters.insert(vh);
            a.completions += 1;
        }
    }
    for v in visits.values() {
        let h = &v.row;
        // One key per combination of the visit's property values.
        let mut keys: Vec<Vec<String>> = vec![vec![]];
        let mut slot = 0;
        let mut skip = false;
        for d in &q.dims {
            let values: Vec<String> = match d {
                Dim::Prop(_) => {
                    slot += 1;
                    v.props[slot - 1].iter().cloned().collect()
                }
                Dim::Page | Dim::EntryPage if h.entry_page.is_empty() => {
                    skip = true;
                    vec![]
                }
                Dim::Page | Dim::EntryPage => vec![h.entry_page.clone()],
                Dim::ExitPage if h.exit_page.is_empty() => {
                    skip = true;
                    vec![]
                }
                Dim::ExitPage => vec![h.exit_page.clone()],
                Dim::Time(i) => vec![label_of(q.tz, *i, h.start)],
                Dim::Visit(_) | Dim::Hostname => vec![hit_value(h, d, q.tz).unwrap_or_default()],
                Dim::Goal => {
                    skip = true;
                    vec![]
                }
            };
            keys = keys
                .into_iter()
                .flat_map(|k| {
                    values.iter().map(move |x| {
                        let mut k = k.clone();
                        k.push(x.clone());
                        k
                    })
                })
                .collect();
        }
        if skip {
            continue;
        }
        for key in keys {
            let a = out.entry(key).or_default();
            a.visits += 1;
            a.bounces += i64::from(h.pageviews <= 1);
            a.duration_ms += h.last - h.start;
        }
    }
    Ok(out)
}

/// SQL conditions that every hit passing the filters meets (parameters from `$4`), so that fewer
/// rows reach [`Filter::holds`], which still decides: `is` on a column, and a property's name and
/// (single) value as substrings of its JSON text.
fn prefilter(filters: &[Filter]) -> (String, Vec<String>) {
    let mut cond = String::new();
    let mut params: Vec<String> = Vec::new();
    let list = |params: &mut Vec<String>, values: &[String]| -> String {
        let first = 4 + params.len();
        params.extend(values.iter().cloned());
        (first..first + values.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A JSON string of these characters is written as they are (no escapes).
    let plain = |s: &str| !s.chars().any(|c| c == '"' || c == '\\' || c.is_control());
    for f in filters.iter().filter(|f| f.op == Op::Is) {
        let column = match &f.dim {
            Dim::Visit(c) => Some(format!("h.{c}")),
            Dim::Hostname => Some("h.hostname".into()),
            Dim::Page => Some("h.page".into()),
            Dim::Goal => Some("h.name".into()),
            Dim::EntryPage => Some("s.entry_page".into()),
            Dim::ExitPage => Some("s.exit_page".into()),
            Dim::Prop(_) | Dim::Time(_) => None,
        };
        if let Some(column) = column {
            let kind = match f.dim {
                Dim::Page => " AND h.kind = 'pageview'",
                Dim::Goal => " AND h.kind = 'goal'",
                _ => "",
            };
            let ps = list(&mut params, &f.values);
            cond.push_str(&format!(" AND {column} IN ({ps}){kind}"));
        } else if let Dim::Prop(k) = &f.dim {
            if !plain(k) {
                continue;
            }
            // `_` and `%` match more than themselves: the condition only admits more rows.
            let ps = list(&mut params, &[format!("%\"{k}\":%")]);
            cond.push_str(&format!(" AND h.properties LIKE {ps}"));
            if let [v] = f.values.as_slice() {
                if plain(v) {
                    let ps = list(&mut params, &[format!("%{v}%")]);
                    cond.push_str(&format!(" AND h.properties LIKE {ps}"));
                }
            }
        }
    }
    (cond, params)
}

fn clone_row(h: &HitRow) -> HitRow {
    HitRow {
        ts: h.ts,
        visitor: h.visitor.clone(),
        session: h.session.clone(),
        kind: h.kind.clone(),
        name: h.name.clone(),
        page: h.page.clone(),
        dims: h.dims.clone(),
        extras: h.extras.clone(),
        hostname: h.hostname.clone(),
        props: h.props.clone(),
        start: h.start,
        last: h.last,
        pageviews: h.pageviews,
        entry_page: h.entry_page.clone(),
        exit_page: h.exit_page.clone(),
    }
}

/// A `matches` filter's pattern (Rust's regular expressions, RE2's syntax), of bounded size.
pub fn pattern(p: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(p)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())
}
