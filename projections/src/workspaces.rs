//! The workspaces read model (`rm_workspaces`): one row per workspace, live or deleted.

use crate::model::{Batch, ReadModel};
use crate::query::{list, ListFilter, Listed, Table};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// The `workspaces` read model.
pub struct Workspaces;

impl ReadModel for Workspaces {
    const NAME: &'static str = "workspaces";
    const STREAM_TYPES: &'static [&'static str] = &["workspace"];
    const TABLES: &'static [&'static str] = &["rm_workspaces"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_workspaces{sfx} (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL, tier TEXT NOT NULL,
                        timezone TEXT NOT NULL, locale TEXT NOT NULL, status TEXT NOT NULL,
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version BIGINT NOT NULL)"
                ),
                format!("CREATE INDEX IF NOT EXISTS rm_workspaces_{tag}created ON rm_workspaces{sfx} (created_at, id)"),
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
            D::WorkspaceCreated(c) => {
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
            D::WorkspaceUpdated(u) => {
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
            D::WorkspaceDeleted(d) => {
                sqlx::query(&format!(
                    "UPDATE rm_workspaces{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(d.workspace_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

pub const WORKSPACE_SORTS: &[&str] = &["created_at", "updated_at", "name", "slug", "tier"];
pub const WORKSPACE_STATUSES: &[&str] = &["active", "deleted"];

const WORKSPACES: Table = Table {
    name: "rm_workspaces",
    columns: "id, name, slug, tier, timezone, locale, status, created_at, updated_at, version",
    status_expr: "status",
    workspace_column: "id",
    sort_exprs: &[],
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkspaceSettingsView {
    pub timezone: String,
    pub locale: String,
}

/// A workspace as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub tier: String,
    pub settings: WorkspaceSettingsView,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Set when the answer is the state as of a past time (`?as_of=`), folded from the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub as_of: Option<String>,
}

fn workspace(r: &AnyRow) -> Result<WorkspaceView, sqlx::Error> {
    Ok(WorkspaceView {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        slug: r.try_get(2)?,
        tier: r.try_get(3)?,
        settings: WorkspaceSettingsView {
            timezone: r.try_get(4)?,
            locale: r.try_get(5)?,
        },
        status: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        version: r.try_get(9)?,
        as_of: None,
    })
}

pub async fn list_workspaces(
    db: &Db,
    f: &ListFilter,
) -> Result<Listed<WorkspaceView>, sqlx::Error> {
    list(db, &WORKSPACES, f, Some("active"))
        .await?
        .try_map(workspace)
}

/// A live (not deleted) workspace by id.
pub async fn get_workspace(db: &Db, id: &str) -> Result<Option<WorkspaceView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1 AND status = 'active'",
        WORKSPACES.columns, WORKSPACES.name
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(workspace).transpose()
}
