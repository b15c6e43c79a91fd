//! Applying events to read models, guarded per source stream so that redelivery, replays and
//! crashes change nothing: an event is applied only if it is the next version of its stream.

use crate::model::{Batch, ReadModel};
use crate::Db;
use keel_events::RecordedEvent;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// The read models, by name: each is a module of this crate implementing [`ReadModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    Workspaces,
    ApiKeys,
    Sites,
    Analytics,
    Dashboards,
    Domains,
    Webhooks,
    Alerts,
    Tracking,
    Agents,
    Integrations,
}

/// Runs `$body` with `$m` standing for the read model type of `$p`.
macro_rules! with_model {
    ($p:expr, $m:ident => $body:expr) => {
        match $p {
            Projection::Workspaces => {
                type $m = crate::workspaces::Workspaces;
                $body
            }
            Projection::ApiKeys => {
                type $m = crate::api_keys::ApiKeys;
                $body
            }
            Projection::Sites => {
                type $m = crate::sites::Sites;
                $body
            }
            Projection::Analytics => {
                type $m = crate::analytics::Analytics;
                $body
            }
            Projection::Dashboards => {
                type $m = crate::dashboards::Dashboards;
                $body
            }
            Projection::Domains => {
                type $m = crate::domains::Domains;
                $body
            }
            Projection::Webhooks => {
                type $m = crate::webhooks::Webhooks;
                $body
            }
            Projection::Alerts => {
                type $m = crate::alerts::Alerts;
                $body
            }
            Projection::Tracking => {
                type $m = crate::tracking::Tracking;
                $body
            }
            Projection::Agents => {
                type $m = crate::agents::Agents;
                $body
            }
            Projection::Integrations => {
                type $m = crate::integrations::Integrations;
                $body
            }
        }
    };
}

impl Projection {
    pub const ALL: [Projection; 11] = [
        Projection::Workspaces,
        Projection::ApiKeys,
        Projection::Sites,
        Projection::Analytics,
        Projection::Dashboards,
        Projection::Domains,
        Projection::Webhooks,
        Projection::Alerts,
        Projection::Tracking,
        Projection::Agents,
        Projection::Integrations,
    ];

    /// See [`ReadModel::STREAM_TYPES`].
    pub fn stream_types(self) -> &'static [&'static str] {
        with_model!(self, M => M::STREAM_TYPES)
    }

    pub fn covers(self, stream_id: &str) -> bool {
        let t = stream_id.split_once('-').map_or(stream_id, |(t, _)| t);
        self.stream_types().contains(&t)
    }

    /// See [`ReadModel::NAME`].
    pub fn name(self) -> &'static str {
        with_model!(self, M => M::NAME)
    }

    pub fn by_name(name: &str) -> Option<Projection> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// See [`ReadModel::TABLES`].
    pub fn tables(self) -> &'static [&'static str] {
        with_model!(self, M => M::TABLES)
    }

    /// See [`ReadModel::ddl`].
    pub fn ddl(self, sfx: &str, tag: &str) -> Vec<String> {
        with_model!(self, M => M::ddl(sfx, tag))
    }

    /// See [`ReadModel::write`].
    async fn write(
        self,
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        with_model!(self, M => M::write(conn, sfx, e, batch).await)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// An event arrived before an earlier version of its stream: the feed is out of order.
    #[error("projection {projection}: {stream} version {got} arrived after version {have}")]
    Gap {
        projection: String,
        stream: String,
        have: i64,
        got: i64,
    },
}

/// Applies `events` in order inside the caller's open transaction. Each is guarded by the
/// `(guard, stream)` row: already applied → skipped; not the next version → [`ApplyError::Gap`].
/// Returns how many were applied.
///
/// The guard is set-wise, with a fast path for what nearly every batch is: each stream's events
/// in it are the next versions after the stored one. One conditional `UPDATE` moves every such
/// stream's row from the version before the batch to its last one (and locks it), one insert
/// creates the rows of streams seen for the first time; both return the streams they took.
/// Anything else — a redelivery, a row another process moved meanwhile (the update then finds
/// its condition false once that process commits), a gap — goes the careful way: the rows are
/// created if missing, locked in key order and read, the batch is checked event by event, and
/// one upsert records the versions reached. A concurrent duplicate (two projector processes
/// during a rebalance) therefore waits on the locks, then reads the versions the other
/// committed and skips what it applied.
pub async fn apply_events(
    conn: &mut AnyConnection,
    projection: Projection,
    guard: &str,
    sfx: &str,
    events: &[RecordedEvent],
) -> Result<usize, ApplyError> {
    // Personal fields arrive sealed (from the log, Kafka or a replay): open them, or learn that
    // they were erased.
    let opened = crate::personal::open(conn, events).await?;
    let mine: Vec<&RecordedEvent> = opened
        .iter()
        .filter(|e| projection.covers(e.stream_id.as_str()))
        .collect();
    if mine.is_empty() {
        return Ok(0);
    }
    // Per stream: the first and last version in the batch and the last one's position, if its
    // events are consecutive versions in order (else `None`: only the careful way will do).
    let mut spans: BTreeMap<&str, Option<(i64, i64, i64)>> = BTreeMap::new();
    for e in &mine {
        let v = e.stream_version;
        spans
            .entry(e.stream_id.as_str())
            .and_modify(|span| {
                *span = span
                    .filter(|(_, last, _)| v == last + 1)
                    .map(|(first, _, _)| (first, v, e.position));
            })
            .or_insert(Some((v, v, e.position)));
    }
    // Per stream: the version applied so far, and the position reached in this batch if any.
    let mut versions: HashMap<&str, (i64, Option<i64>)> = HashMap::new();
    let runs: Vec<(&str, i64, i64, i64)> = spans
        .iter()
        .filter_map(|(s, span)| span.map(|(first, last, pos)| (*s, first, last, pos)))
        .collect();
    for chunk in runs.chunks(GUARD_CHUNK) {
        let rows = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4,
                    4 * i + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE projection_streams SET version = v.column3, position = v.column4 \
             FROM (VALUES {rows}) AS v WHERE projection_streams.projection = $1 \
             AND projection_streams.stream_id = v.column1 AND projection_streams.version = v.column2 \
             RETURNING projection_streams.stream_id"
        );
        let mut q = sqlx::query(&sql).bind(guard);
        for (s, first, last, pos) in chunk {
            q = q.bind(*s).bind(first - 1).bind(*last).bind(*pos);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.get(0);
            if let Some((s, Some((first, _, _)))) = spans.get_key_value(id.as_str()) {
                versions.insert(*s, (first - 1, None));
            }
        }
    }
    let new: Vec<&(&str, i64, i64, i64)> = runs
        .iter()
        .filter(|(s, first, _, _)| *first == 1 && !versions.contains_key(s))
        .collect();
    for chunk in new.chunks(GUARD_CHUNK) {
        let rows = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO projection_streams (projection, stream_id, version, position) VALUES {rows} \
             ON CONFLICT (projection, stream_id) DO NOTHING RETURNING stream_id"
        );
        let mut q = sqlx::query(&sql).bind(guard);
        for (s, _, last, pos) in chunk {
            q = q.bind(*s).bind(*last).bind(*pos);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.get(0);
            if let Some((s, _)) = spans.get_key_value(id.as_str()) {
                versions.insert(*s, (0, None));
            }
        }
    }
    let careful: Vec<&str> = spans
        .keys()
        .copied()
        .filter(|s| !versions.contains_key(s))
        .collect();
    let postgres = conn.backend_name() == "PostgreSQL";
    for chunk in careful.chunks(GUARD_CHUNK) {
        let rows = (0..chunk.len())
            .map(|i| format!("($1, ${}, 0, 0)", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO projection_streams (projection, stream_id, version, position) VALUES {rows} \
             ON CONFLICT (projection, stream_id) DO NOTHING"
        );
        let mut q = sqlx::query(&sql).bind(guard);
        for s in chunk {
            q = q.bind(*s);
        }
        q.execute(&mut *conn).await?;
        // A join with a VALUES list (not `IN (…)`): the planner then looks each stream up by the
        // key even while the table's statistics are stale, as they are on a fresh deployment.
        let list = (0..chunk.len())
            .map(|i| format!("(${})", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT g.stream_id, g.version FROM (VALUES {list}) AS v \
             JOIN projection_streams g ON g.projection = $1 AND g.stream_id = v.column1 \
             ORDER BY g.stream_id{}",
            if postgres { " FOR UPDATE OF g" } else { "" }
        );
        let mut q = sqlx::query(&sql).bind(guard);
        for s in chunk {
            q = q.bind(*s);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.get(0);
            if let Some((s, _)) = spans.get_key_value(id.as_str()) {
                versions.insert(*s, (r.get(1), None));
            }
        }
    }
    let mut applied = 0;
    let mut batch = Batch::default();
    for e in mine {
        let stream = e.stream_id.as_str();
        let have = versions.get(stream).map_or(0, |v| v.0);
        if e.stream_version <= have {
            continue;
        }
        if e.stream_version != have + 1 {
            return Err(ApplyError::Gap {
                projection: guard.to_string(),
                stream: stream.to_string(),
                have,
                got: e.stream_version,
            });
        }
        versions.insert(stream, (e.stream_version, Some(e.position)));
        projection.write(conn, sfx, e, &mut batch).await?;
        applied += 1;
    }
    batch.flush(conn, sfx).await?;
    // Record the versions the careful way reached (the fast path recorded its own; streams whose
    // events were all skipped keep theirs).
    let moved: Vec<(&str, i64, i64)> = careful
        .iter()
        .filter_map(|s| versions.get(s).and_then(|(v, p)| p.map(|p| (*s, *v, p))))
        .collect();
    for chunk in moved.chunks(GUARD_CHUNK) {
        let rows = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO projection_streams (projection, stream_id, version, position) VALUES {rows} \
             ON CONFLICT (projection, stream_id) DO UPDATE SET version = excluded.version, \
             position = excluded.position"
        );
        let mut q = sqlx::query(&sql).bind(guard);
        for (s, v, p) in chunk {
            q = q.bind(*s).bind(*v).bind(*p);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(applied)
}

/// Streams per guard statement.
const GUARD_CHUNK: usize = 500;

/// Creates the live tables of every projection that has none yet.
pub async fn ensure_tables(db: &Db) -> Result<(), sqlx::Error> {
    for p in Projection::ALL {
        let exists = sqlx::query(&format!("SELECT 1 FROM {} LIMIT 1", p.tables()[0]))
            .fetch_optional(&db.pool)
            .await
            .is_ok();
        if !exists {
            for stmt in p.ddl("", "") {
                sqlx::query(&crate::ddl_for(&stmt, db.dialect))
                    .execute(&db.pool)
                    .await?;
            }
        }
    }
    Ok(())
}

/// How far a projection is behind the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lag {
    /// The furthest log position it has applied.
    pub applied_position: i64,
    /// Events of its streams beyond that which it has not applied.
    pub events: i64,
    /// When the oldest of them was recorded.
    pub oldest: Option<chrono::DateTime<chrono::Utc>>,
}

/// How far `projection` is behind the log.
pub async fn lag(db: &Db, projection: Projection) -> Result<Lag, sqlx::Error> {
    let types = projection
        .stream_types()
        .iter()
        .map(|t| format!("e.stream_id LIKE '{t}-%'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let applied: i64 = sqlx::query(
        "SELECT COALESCE(MAX(position), 0) FROM projection_streams WHERE projection = $1",
    )
    .bind(projection.name())
    .fetch_one(&db.pool)
    .await?
    .get(0);
    let oldest = if db.dialect == crate::Dialect::Postgres {
        "to_char(MIN(e.recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    } else {
        "MIN(e.recorded_at)"
    };
    let sql = format!(
        "SELECT COUNT(*), {oldest} FROM events e WHERE e.position > $1 AND ({types}) \
         AND NOT EXISTS (SELECT 1 FROM projection_streams g WHERE g.projection = $2 \
         AND g.stream_id = e.stream_id AND g.version >= e.stream_version)"
    );
    let row = sqlx::query(&sql)
        .bind(applied)
        .bind(projection.name())
        .fetch_one(&db.pool)
        .await?;
    let oldest: Option<String> = row.get(1);
    Ok(Lag {
        applied_position: applied,
        events: row.get(0),
        oldest: oldest.and_then(|o| keel_schemas::parse_ts(&o).ok()),
    })
}

/// Whether the projection has applied every committed event with a position in `(after, up_to]`
/// (read-your-writes across streams: partitions of a Kafka feed progress independently).
pub async fn has_applied_range(
    db: &Db,
    projection: Projection,
    after: i64,
    up_to: i64,
) -> Result<bool, sqlx::Error> {
    let types = projection
        .stream_types()
        .iter()
        .map(|t| format!("e.stream_id LIKE '{t}-%'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let missing = sqlx::query(&format!(
        "SELECT 1 FROM events e WHERE e.position > $2 AND e.position <= $3 AND ({types}) AND NOT EXISTS ( \
           SELECT 1 FROM projection_streams g WHERE g.projection = $1 AND g.stream_id = e.stream_id \
           AND g.version >= e.stream_version) LIMIT 1"
    ))
    .bind(projection.name())
    .bind(after)
    .bind(up_to)
    .fetch_optional(&db.pool)
    .await?;
    Ok(missing.is_none())
}

/// Whether the projection has applied the event at `position` of `stream_id` (read-your-writes).
pub async fn has_applied(
    db: &Db,
    projection: Projection,
    stream_id: &str,
    position: i64,
) -> Result<bool, sqlx::Error> {
    if !projection.covers(stream_id) {
        return Ok(true);
    }
    let row = sqlx::query(
        "SELECT position FROM projection_streams WHERE projection = $1 AND stream_id = $2",
    )
    .bind(projection.name())
    .bind(stream_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some_and(|r| r.get::<i64, _>(0) >= position))
}
