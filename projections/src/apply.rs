//! Applying events to read models, guarded per source stream so that redelivery, replays and
//! crashes change nothing: an event is applied only if it is the next version of its stream.

use crate::Db;
use keel_events::RecordedEvent;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeSet, HashMap};

/// A read model: its tables and how events change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    Workspaces,
    ApiKeys,
    Sites,
    Analytics,
    Dashboards,
    Domains,
    Webhooks,
}

impl Projection {
    pub const ALL: [Projection; 7] = [
        Projection::Workspaces,
        Projection::ApiKeys,
        Projection::Sites,
        Projection::Analytics,
        Projection::Dashboards,
        Projection::Domains,
        Projection::Webhooks,
    ];

    /// The stream types (the part of a stream id before the first `-`) whose events it reads;
    /// it neither applies nor tracks any other stream.
    pub fn stream_types(self) -> &'static [&'static str] {
        match self {
            Projection::Workspaces => &["workspace"],
            Projection::ApiKeys => &["key"],
            Projection::Sites => &["site"],
            Projection::Analytics => &["visitor", "payment"],
            Projection::Dashboards => &["dashboard"],
            Projection::Domains => &["domain", "folder"],
            Projection::Webhooks => &["webhook"],
        }
    }

    pub fn covers(self, stream_id: &str) -> bool {
        let t = stream_id.split_once('-').map_or(stream_id, |(t, _)| t);
        self.stream_types().contains(&t)
    }

    pub fn name(self) -> &'static str {
        match self {
            Projection::Workspaces => "workspaces",
            Projection::ApiKeys => "api_keys",
            Projection::Sites => "sites",
            Projection::Analytics => "analytics",
            Projection::Dashboards => "dashboards",
            Projection::Domains => "domains",
            Projection::Webhooks => "webhooks",
        }
    }

    pub fn by_name(name: &str) -> Option<Projection> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Base names of the tables it owns.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Projection::Workspaces => &["rm_workspaces"],
            Projection::ApiKeys => &["rm_api_keys"],
            Projection::Sites => &["rm_sites"],
            Projection::Analytics => &crate::analytics::TABLES,
            Projection::Dashboards => &["rm_dashboards"],
            Projection::Domains => &crate::domains::TABLES,
            Projection::Webhooks => &crate::webhooks::TABLES,
        }
    }

    /// DDL for its tables with a name suffix (`""` live, `"__rebuild"` for a blue/green rebuild).
    /// Index names carry `tag`, unique per build, because index names are global and survive the
    /// table renames of a swap.
    pub fn ddl(self, sfx: &str, tag: &str) -> Vec<String> {
        match self {
            Projection::Workspaces => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_workspaces{sfx} (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL, tier TEXT NOT NULL,
                        timezone TEXT NOT NULL, locale TEXT NOT NULL, status TEXT NOT NULL,
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version BIGINT NOT NULL)"
                ),
                format!("CREATE INDEX IF NOT EXISTS rm_workspaces_{tag}created ON rm_workspaces{sfx} (created_at, id)"),
            ],
            Projection::ApiKeys => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_api_keys{sfx} (
                        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
                        scopes TEXT NOT NULL, rate_limit_tier TEXT, status TEXT NOT NULL,
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT,
                        last_used_at TEXT, rotated_at TEXT, previous_valid_until TEXT, version BIGINT NOT NULL)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_api_keys_{tag}ws ON rm_api_keys{sfx} (workspace_id, created_at, id)"
                ),
            ],
            Projection::Sites => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_sites{sfx} (
                        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, domain TEXT NOT NULL,
                        timezone TEXT NOT NULL, currency TEXT NOT NULL, tracking_id TEXT NOT NULL,
                        status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                        version BIGINT NOT NULL)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_sites_{tag}ws ON rm_sites{sfx} (workspace_id, created_at, id)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_sites_{tag}tracking ON rm_sites{sfx} (tracking_id)"
                ),
            ],
            Projection::Analytics => crate::analytics::ddl(sfx, tag),
            Projection::Domains => crate::domains::ddl(sfx, tag),
            Projection::Webhooks => crate::webhooks::ddl(sfx, tag),
            Projection::Dashboards => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_dashboards{sfx} (
                        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, widgets TEXT NOT NULL,
                        status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                        version BIGINT NOT NULL)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_dashboards_{tag}ws ON rm_dashboards{sfx} (workspace_id, created_at, id)"
                ),
            ],
        }
    }

    /// Writes one event's effect. Called only for the next version of the event's stream.
    async fn write(
        self,
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        pending: &mut crate::analytics::Pending,
    ) -> Result<(), sqlx::Error> {
        use keel_events::DomainEvent as D;
        if self == Projection::Analytics {
            return crate::analytics::write(conn, sfx, e, pending).await;
        }
        if self == Projection::Domains {
            return crate::domains::write(conn, sfx, e).await;
        }
        if self == Projection::Webhooks {
            return crate::webhooks::write(conn, sfx, e).await;
        }
        let at = keel_schemas::format_ts(e.occurred_at);
        let v = e.stream_version;
        match (self, &e.event) {
            (Projection::Workspaces, D::WorkspaceCreated(c)) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_workspaces{sfx} (id, name, slug, tier, timezone, locale, status, created_at, \
                     updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7, $8)"
                ))
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(&c.slug)
                .bind(c.tier.as_str())
                .bind(&c.settings.timezone)
                .bind(&c.settings.locale)
                .bind(&at)
                .bind(v)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Workspaces, D::WorkspaceUpdated(u)) => {
                sqlx::query(&format!(
                    "UPDATE rm_workspaces{sfx} SET name = COALESCE($1, name), slug = COALESCE($2, slug), \
                     tier = COALESCE($3, tier), timezone = COALESCE($4, timezone), locale = COALESCE($5, locale), \
                     updated_at = $6, version = $7 WHERE id = $8"
                ))
                .bind(u.name.as_deref())
                .bind(u.slug.as_deref())
                .bind(u.tier.map(|t| t.as_str()))
                .bind(u.settings.as_ref().map(|s| s.timezone.as_str()))
                .bind(u.settings.as_ref().map(|s| s.locale.as_str()))
                .bind(&at)
                .bind(v)
                .bind(e.tenant_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Workspaces, D::WorkspaceDeleted(d)) => {
                sqlx::query(&format!(
                    "UPDATE rm_workspaces{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(d.workspace_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            (Projection::ApiKeys, D::ApiKeyCreated(c)) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_api_keys{sfx} (id, workspace_id, name, prefix, scopes, rate_limit_tier, status, \
                     created_at, updated_at, expires_at, version) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7, $8, $9)"
                ))
                .bind(c.key_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(&c.prefix)
                .bind(serde_json::to_string(&c.scopes).unwrap_or_else(|_| "[]".into()))
                .bind(c.rate_limit_tier.map(|t| t.as_str()))
                .bind(&at)
                .bind(c.expires_at.map(keel_schemas::format_ts))
                .bind(v)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::ApiKeys, D::ApiKeyRotated(r)) => {
                sqlx::query(&format!(
                    "UPDATE rm_api_keys{sfx} SET prefix = $1, rotated_at = $2, previous_valid_until = $3, \
                     updated_at = $2, version = $4 WHERE id = $5"
                ))
                .bind(&r.prefix)
                .bind(&at)
                .bind(keel_schemas::format_ts(r.previous_valid_until))
                .bind(v)
                .bind(r.key_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            (Projection::ApiKeys, D::ApiKeyRevoked(r)) => {
                sqlx::query(&format!(
                    "UPDATE rm_api_keys{sfx} SET status = 'revoked', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(r.key_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Sites, D::SiteCreated(c)) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_sites{sfx} (id, workspace_id, name, domain, timezone, currency, tracking_id, \
                     status, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8, $9)"
                ))
                .bind(c.site_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(&c.domain)
                .bind(&c.timezone)
                .bind(&c.currency)
                .bind(&c.tracking_id)
                .bind(&at)
                .bind(v)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Sites, D::SiteUpdated(u)) => {
                let id = e.stream_id.as_str().trim_start_matches("site-").to_string();
                sqlx::query(&format!(
                    "UPDATE rm_sites{sfx} SET name = COALESCE($1, name), domain = COALESCE($2, domain), \
                     timezone = COALESCE($3, timezone), currency = COALESCE($4, currency), updated_at = $5, \
                     version = $6 WHERE id = $7"
                ))
                .bind(u.name.as_deref())
                .bind(u.domain.as_deref())
                .bind(u.timezone.as_deref())
                .bind(u.currency.as_deref())
                .bind(&at)
                .bind(v)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Sites, D::SiteDeleted(d)) => {
                sqlx::query(&format!(
                    "UPDATE rm_sites{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(d.site_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Dashboards, D::DashboardCreated(c)) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_dashboards{sfx} (id, workspace_id, name, widgets, status, created_at, updated_at, \
                     version) VALUES ($1, $2, $3, $4, 'active', $5, $5, $6)"
                ))
                .bind(c.dashboard_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(serde_json::to_string(&c.widgets).unwrap_or_else(|_| "[]".into()))
                .bind(&at)
                .bind(v)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Dashboards, D::DashboardUpdated(u)) => {
                let id = e
                    .stream_id
                    .as_str()
                    .trim_start_matches("dashboard-")
                    .to_string();
                sqlx::query(&format!(
                    "UPDATE rm_dashboards{sfx} SET name = COALESCE($1, name), widgets = COALESCE($2, widgets), \
                     updated_at = $3, version = $4 WHERE id = $5"
                ))
                .bind(u.name.as_deref())
                .bind(u.widgets.as_ref().map(|w| serde_json::to_string(w).unwrap_or_else(|_| "[]".into())))
                .bind(&at)
                .bind(v)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            (Projection::Dashboards, D::DashboardDeleted(d)) => {
                sqlx::query(&format!(
                    "UPDATE rm_dashboards{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(d.dashboard_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            _ => {}
        }
        Ok(())
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
/// The guard is set-wise: one statement creates the rows of streams not seen before (at version
/// 0, so there is a row to lock), one locks every stream row of the batch in key order and reads
/// its version, the batch is checked and written, and one upsert records the new versions. A
/// concurrent duplicate (two projector processes during a rebalance) waits on the locks, then
/// reads the versions the other committed and skips what it applied.
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
    let streams: Vec<&str> = mine
        .iter()
        .map(|e| e.stream_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let postgres = conn.backend_name() == "PostgreSQL";
    // Per stream: the version applied so far, and the position reached in this batch if any.
    let mut versions: HashMap<&str, (i64, Option<i64>)> = HashMap::new();
    for chunk in streams.chunks(GUARD_CHUNK) {
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
            if let Some(s) = chunk.iter().find(|s| **s == id) {
                versions.insert(s, (r.get(1), None));
            }
        }
    }
    let mut applied = 0;
    let mut pending = crate::analytics::Pending::default();
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
        projection.write(conn, sfx, e, &mut pending).await?;
        applied += 1;
    }
    pending.flush(conn, sfx).await?;
    // Record the versions reached (streams whose events were all skipped keep theirs).
    let moved: Vec<(&str, i64, i64)> = streams
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
                sqlx::query(&stmt).execute(&db.pool).await?;
            }
        }
    }
    Ok(())
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
