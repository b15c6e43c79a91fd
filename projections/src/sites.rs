//! The sites read model (`rm_sites`).

use crate::model::{Batch, ReadModel};
use crate::query::{list, ListFilter, Listed, Table};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// The `sites` read model.
pub struct Sites;

impl ReadModel for Sites {
    const NAME: &'static str = "sites";
    const STREAM_TYPES: &'static [&'static str] = &["site"];
    const TABLES: &'static [&'static str] = &["rm_sites"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
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
]
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        _batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        use keel_events::DomainEvent as D;
        let at = keel_schemas::format_ts(e.occurred_at);
        let v = e.stream_version;
        match &e.event {
            D::SiteCreated(c) => {
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
            D::SiteUpdated(u) => {
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
            D::SiteDeleted(d) => {
                sqlx::query(&format!(
                    "UPDATE rm_sites{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(d.site_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            // Funnels and deletions of analytics share the site's stream: the site's version
            // (its ETag, which If-Match is checked against) follows the stream.
            D::FunnelCreated(_)
            | D::FunnelUpdated(_)
            | D::FunnelDeleted(_)
            | D::AnalyticsDeleted(_) => {
                let id = e.stream_id.as_str().trim_start_matches("site-").to_string();
                sqlx::query(&format!(
                    "UPDATE rm_sites{sfx} SET version = $1 WHERE id = $2"
                ))
                .bind(v)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

pub const SITE_SORTS: &[&str] = &["created_at", "updated_at", "name", "domain"];

const SITES: Table = Table {
    name: "rm_sites",
    columns: "id, workspace_id, name, domain, timezone, currency, tracking_id, status, created_at, updated_at, version",
    status_expr: "status",
    workspace_column: "workspace_id",
    sort_exprs: &[],
};

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// The host name its traffic comes from, e.g. `shop.example.com`.
    pub domain: String,
    /// IANA time zone its reports use by default.
    pub timezone: String,
    /// ISO 4217 default currency.
    pub currency: String,
    /// Public id for the tracking pixel (safe to put in web pages).
    pub tracking_id: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn site(r: &AnyRow) -> Result<SiteView, sqlx::Error> {
    Ok(SiteView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        domain: r.try_get(3)?,
        timezone: r.try_get(4)?,
        currency: r.try_get(5)?,
        tracking_id: r.try_get(6)?,
        status: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
        version: r.try_get(10)?,
    })
}

/// Live sites of a workspace (the filter's `workspace_id` must be set).
pub async fn list_sites(db: &Db, f: &ListFilter) -> Result<Listed<SiteView>, sqlx::Error> {
    list(db, &SITES, f, Some("active")).await?.try_map(site)
}

/// A live site of one workspace by id.
pub async fn get_site(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<SiteView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_sites WHERE id = $1 AND workspace_id = $2 AND status = 'active'",
        SITES.columns
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(site).transpose()
}

/// The live site whose pixel has this public tracking id.
pub async fn by_tracking_id(db: &Db, tracking_id: &str) -> Result<Option<SiteView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_sites WHERE tracking_id = $1 AND status = 'active'",
        SITES.columns
    );
    let row = sqlx::query(&sql)
        .bind(tracking_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(site).transpose()
}

/// Whether some live site's domain covers `host`: the host itself or a parent domain, with or
/// without `www.` (a site's domain covers its subdomains).
pub async fn covers_host(db: &Db, host: &str) -> Result<bool, sqlx::Error> {
    Ok(!for_host(db, host, 1).await?.is_empty())
}

/// The live sites whose domain covers `host`, the most specific domain first (at most `limit`):
/// `shop.example.com` is covered by a site on `shop.example.com`, then one on `example.com`.
pub async fn for_host(db: &Db, host: &str, limit: usize) -> Result<Vec<SiteView>, sqlx::Error> {
    let labels: Vec<&str> = host.split('.').collect();
    // The host itself first, then its parents (never a bare top-level label).
    let candidates = std::iter::once(host.to_string())
        .chain((1..labels.len().saturating_sub(1)).map(|i| labels[i..].join(".")));
    let mut out = Vec::new();
    for c in candidates {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM rm_sites WHERE status = 'active' AND (domain = $1 OR domain = $2) ORDER BY id",
            SITES.columns
        ))
        .bind(&c)
        .bind(format!("www.{c}"))
        .fetch_all(&db.pool)
        .await?;
        for r in &rows {
            out.push(site(r)?);
            if out.len() >= limit {
                return Ok(out);
            }
        }
        if !out.is_empty() {
            return Ok(out);
        }
    }
    Ok(out)
}

/// The ids of a workspace's live sites, in id order.
pub async fn live_ids(db: &Db, workspace_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM rm_sites WHERE workspace_id = $1 AND status = 'active' ORDER BY id",
    )
    .bind(workspace_id)
    .fetch_all(&db.pool)
    .await
}
