//! The dashboards read model (`rm_dashboards`).

use crate::model::{Batch, ReadModel};
use crate::query::{list, ListFilter, Listed, Table};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// The `dashboards` read model.
pub struct Dashboards;

impl ReadModel for Dashboards {
    const NAME: &'static str = "dashboards";
    const STREAM_TYPES: &'static [&'static str] = &["dashboard"];
    const TABLES: &'static [&'static str] = &["rm_dashboards"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_dashboards{sfx} (
                        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
                        widgets TEXT NOT NULL,
                        status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                        version BIGINT NOT NULL)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_dashboards_{tag}ws ON rm_dashboards{sfx} (workspace_id, created_at, id)"
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
            D::DashboardCreated(c) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_dashboards{sfx} (id, workspace_id, name, widgets, status, created_at, updated_at, \
                     version, description) VALUES ($1, $2, $3, $4, 'active', $5, $5, $6, $7)"
                ))
                .bind(c.dashboard_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(serde_json::to_string(&c.widgets).unwrap_or_else(|_| "[]".into()))
                .bind(&at)
                .bind(v)
                .bind(&c.description)
                .execute(&mut *conn)
                .await?;
            }
            D::DashboardUpdated(u) => {
                let id = e
                    .stream_id
                    .as_str()
                    .trim_start_matches("dashboard-")
                    .to_string();
                sqlx::query(&format!(
                    "UPDATE rm_dashboards{sfx} SET name = COALESCE($1, name), widgets = COALESCE($2, widgets), \
                     updated_at = $3, version = $4, description = COALESCE($6, description) WHERE id = $5"
                ))
                .bind(u.name.as_deref())
                .bind(u.widgets.as_ref().map(|w| serde_json::to_string(w).unwrap_or_else(|_| "[]".into())))
                .bind(&at)
                .bind(v)
                .bind(id)
                .bind(u.description.as_deref())
                .execute(&mut *conn)
                .await?;
            }
            D::DashboardDeleted(d) => {
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

pub const DASHBOARD_SORTS: &[&str] = &["created_at", "updated_at", "name"];

const DASHBOARDS: Table = Table {
    name: "rm_dashboards",
    columns:
        "id, workspace_id, name, widgets, status, created_at, updated_at, version, description",
    status_expr: "status",
    workspace_column: "workspace_id",
    sort_exprs: &[],
};

/// A saved dashboard as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub description: String,
    /// Always `custom`: every dashboard is made by its users (Dashtray's `type`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `[{"title", "site_id", "metric", "interval", "period", "filters"}]`
    #[schema(value_type = Vec<Object>)]
    pub widgets: serde_json::Value,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn dashboard(r: &AnyRow) -> Result<DashboardView, sqlx::Error> {
    let widgets: String = r.try_get(3)?;
    Ok(DashboardView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        description: r.try_get(8)?,
        kind: "custom",
        widgets: serde_json::from_str(&widgets).unwrap_or(serde_json::Value::Array(vec![])),
        status: r.try_get(4)?,
        created_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
        version: r.try_get(7)?,
    })
}

/// Live dashboards of a workspace (the filter's `workspace_id` must be set).
pub async fn list_dashboards(
    db: &Db,
    f: &ListFilter,
) -> Result<Listed<DashboardView>, sqlx::Error> {
    list(db, &DASHBOARDS, f, Some("active"))
        .await?
        .try_map(dashboard)
}

/// A live dashboard of one workspace by id.
pub async fn get_dashboard(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<DashboardView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_dashboards WHERE id = $1 AND workspace_id = $2 AND status = 'active'",
        DASHBOARDS.columns
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(dashboard).transpose()
}
