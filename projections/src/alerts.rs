//! The alerts read model: alerts as the API lists them (`rm_alerts`) and each one's firings and
//! resolutions (`rm_alert_events`). How each channel was told is not an event: the worker keeps
//! it in `alert_notifications`, joined in at read time.

use crate::model::{Batch, ReadModel};
use crate::query::{list, ListFilter, Listed, Table};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// The `alerts` read model.
pub struct Alerts;

impl ReadModel for Alerts {
    const NAME: &'static str = "alerts";
    const STREAM_TYPES: &'static [&'static str] = &["alert"];
    const TABLES: &'static [&'static str] = &["rm_alerts", "rm_alert_events"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS rm_alerts{sfx} (
                    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                    condition TEXT NOT NULL, channels TEXT NOT NULL, window_minutes BIGINT NOT NULL,
                    enabled INTEGER NOT NULL, state TEXT NOT NULL, last_fired_at TEXT, last_resolved_at TEXT,
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                    version BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_alerts_{tag}ws ON rm_alerts{sfx} (workspace_id, created_at, id)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS rm_alert_events{sfx} (
                    event_id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, workspace_id TEXT NOT NULL,
                    kind TEXT NOT NULL, value BIGINT NOT NULL, summary TEXT NOT NULL, window_start TEXT,
                    window_end TEXT, fired_at TEXT, occurred_at TEXT NOT NULL, position BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_alert_events_{tag}alert ON rm_alert_events{sfx} (alert_id, position)"
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
        let id = e
            .stream_id
            .as_str()
            .trim_start_matches("alert-")
            .to_string();
        let json = |x: &dyn erased::Json| x.text();
        match &e.event {
            D::AlertCreated(c) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_alerts{sfx} (id, workspace_id, name, kind, condition, channels, window_minutes, \
                     enabled, state, created_at, updated_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ok', $9, $9, $10)"
                ))
                .bind(c.alert_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(c.condition.kind())
                .bind(json(&c.condition))
                .bind(json(&c.channels))
                .bind(c.window_minutes)
                .bind(i64::from(c.enabled))
                .bind(&at)
                .bind(v)
                .execute(&mut *conn)
                .await?;
            }
            D::AlertUpdated(u) => {
                sqlx::query(&format!(
                    "UPDATE rm_alerts{sfx} SET name = COALESCE($1, name), kind = COALESCE($2, kind), \
                     condition = COALESCE($3, condition), channels = COALESCE($4, channels), \
                     window_minutes = COALESCE($5, window_minutes), enabled = COALESCE($6, enabled), \
                     updated_at = $7, version = $8 WHERE id = $9"
                ))
                .bind(u.name.as_deref())
                .bind(u.condition.as_ref().map(|c| c.kind()))
                .bind(u.condition.as_ref().map(|c| json(c)))
                .bind(u.channels.as_ref().map(|c| json(c)))
                .bind(u.window_minutes)
                .bind(u.enabled.map(i64::from))
                .bind(&at)
                .bind(v)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            }
            // A deleted alert leaves the read model, its history with it (the log keeps both).
            D::AlertDeleted(_) => {
                for table in ["rm_alerts", "rm_alert_events"] {
                    let column = if table == "rm_alerts" {
                        "id"
                    } else {
                        "alert_id"
                    };
                    sqlx::query(&format!("DELETE FROM {table}{sfx} WHERE {column} = $1"))
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            D::AlertFired(f) => {
                sqlx::query(&format!(
                    "UPDATE rm_alerts{sfx} SET state = 'firing', last_fired_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
                sqlx::query(&format!(
                    "INSERT INTO rm_alert_events{sfx} (event_id, alert_id, workspace_id, kind, value, summary, \
                     window_start, window_end, fired_at, occurred_at, position) \
                     VALUES ($1, $2, $3, 'fired', $4, $5, $6, $7, NULL, $8, $9)"
                ))
                .bind(e.event_id.to_string())
                .bind(&id)
                .bind(f.workspace_id.to_string())
                .bind(f.value)
                .bind(&f.summary)
                .bind(keel_schemas::format_ts(f.window_start))
                .bind(keel_schemas::format_ts(f.window_end))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
            }
            D::AlertResolved(r) => {
                sqlx::query(&format!(
                    "UPDATE rm_alerts{sfx} SET state = 'ok', last_resolved_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
                sqlx::query(&format!(
                    "INSERT INTO rm_alert_events{sfx} (event_id, alert_id, workspace_id, kind, value, summary, \
                     window_start, window_end, fired_at, occurred_at, position) \
                     VALUES ($1, $2, $3, 'resolved', $4, $5, NULL, NULL, $6, $7, $8)"
                ))
                .bind(e.event_id.to_string())
                .bind(&id)
                .bind(r.workspace_id.to_string())
                .bind(r.value)
                .bind(&r.summary)
                .bind(keel_schemas::format_ts(r.fired_at))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Serializing the event's parts to the stored text, whatever their type.
mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

pub const ALERT_SORTS: &[&str] = &["created_at", "updated_at", "name"];
/// `state` values a list may filter on (`status=firing`).
pub const ALERT_STATES: &[&str] = &["ok", "firing"];

const ALERTS: Table = Table {
    name: "rm_alerts",
    columns: "id, workspace_id, name, condition, channels, window_minutes, enabled, state, last_fired_at, \
              last_resolved_at, created_at, updated_at, version",
    status_expr: "state",
    workspace_column: "workspace_id",
    sort_exprs: &[],
};

/// An alert as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// `{"type": "traffic" | "usage" | "dns_change" | "webhook_disabled" | "key_unused", …}`
    #[schema(value_type = Object)]
    pub condition: serde_json::Value,
    /// `[{"type": "email" | "webhook" | "slack", …}]`; a Slack URL only as its hint.
    #[schema(value_type = Vec<Object>)]
    pub channels: serde_json::Value,
    pub window_minutes: i64,
    pub enabled: bool,
    /// `ok` or `firing`.
    pub state: String,
    pub last_fired_at: Option<String>,
    pub last_resolved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn alert(r: &AnyRow) -> Result<AlertView, sqlx::Error> {
    let condition: String = r.try_get(3)?;
    let channels: String = r.try_get(4)?;
    Ok(AlertView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        condition: serde_json::from_str(&condition).unwrap_or_default(),
        channels: serde_json::from_str(&channels).unwrap_or(serde_json::Value::Array(vec![])),
        window_minutes: r.try_get(5)?,
        enabled: r.try_get::<i64, _>(6)? != 0,
        state: r.try_get(7)?,
        last_fired_at: r.try_get(8)?,
        last_resolved_at: r.try_get(9)?,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        version: r.try_get(12)?,
    })
}

/// A workspace's alerts (the filter's `workspace_id` must be set; `status` filters on the
/// state).
pub async fn list_alerts(db: &Db, f: &ListFilter) -> Result<Listed<AlertView>, sqlx::Error> {
    list(db, &ALERTS, f, None).await?.try_map(alert)
}

/// An alert of one workspace by id.
pub async fn get_alert(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<AlertView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_alerts WHERE id = $1 AND workspace_id = $2",
        ALERTS.columns
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(alert).transpose()
}

/// Every enabled alert, for the worker.
pub async fn enabled_alerts(db: &Db) -> Result<Vec<AlertView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_alerts WHERE enabled = 1 ORDER BY id",
        ALERTS.columns
    );
    sqlx::query(&sql)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(alert)
        .collect()
}

/// How one channel was told of a firing or resolution.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    /// `email`, `slack` or `webhook`.
    pub channel: String,
    /// The webhook endpoint, for `webhook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub webhook_id: Option<String>,
    /// The delivery to look up under the endpoint's deliveries, for `webhook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub delivery_id: Option<String>,
    /// How many members were written to, for `email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub recipients: Option<i64>,
    /// `sent` or `failed` (`queued` for a webhook: see its delivery).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub error: Option<String>,
    pub at: String,
}

/// A firing or a resolution of an alert.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AlertEventView {
    /// The event's id in the log.
    pub id: String,
    pub alert_id: String,
    /// `fired` or `resolved`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The condition's measure: a count, or a percentage (`drops_by`, `usage`).
    pub value: i64,
    pub summary: String,
    /// The window measured, for `fired`.
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// When the firing this resolves began, for `resolved`.
    pub fired_at: Option<String>,
    pub occurred_at: String,
    pub notifications: Vec<NotificationView>,
}

/// A page of an alert's firings and resolutions, newest first, and the total.
pub async fn alert_events(
    db: &Db,
    ws: &str,
    alert: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AlertEventView>, i64), sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT event_id, alert_id, kind, value, summary, window_start, window_end, fired_at, occurred_at \
         FROM rm_alert_events WHERE workspace_id = $1 AND alert_id = $2 \
         ORDER BY position DESC, event_id LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(ws)
    .bind(alert)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rm_alert_events WHERE workspace_id = $1 AND alert_id = $2",
    )
    .bind(ws)
    .bind(alert)
    .fetch_one(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get(0)?;
        out.push(AlertEventView {
            notifications: notifications(db, &id).await?,
            id,
            alert_id: r.try_get(1)?,
            kind: r.try_get(2)?,
            value: r.try_get(3)?,
            summary: r.try_get(4)?,
            window_start: r.try_get(5)?,
            window_end: r.try_get(6)?,
            fired_at: r.try_get(7)?,
            occurred_at: r.try_get(8)?,
        });
    }
    Ok((out, total))
}

async fn notifications(db: &Db, event_id: &str) -> Result<Vec<NotificationView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT channel, webhook_id, delivery_id, recipients, status, error, at FROM alert_notifications \
         WHERE event_id = $1 ORDER BY channel, webhook_id",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NotificationView {
                channel: r.try_get(0)?,
                webhook_id: Some(r.try_get::<String, _>(1)?).filter(|w| !w.is_empty()),
                delivery_id: r.try_get(2)?,
                recipients: r.try_get(3)?,
                status: r.try_get(4)?,
                error: r.try_get(5)?,
                at: r.try_get(6)?,
            })
        })
        .collect()
}
