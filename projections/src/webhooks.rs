//! The `webhooks` read model: a workspace's endpoints as the API lists them. Delivery counters
//! are not events: the dispatcher keeps them in `webhook_stats`, joined in at read time.

use crate::Db;
use keel_events::{DomainEvent, RecordedEvent};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub const TABLES: [&str; 1] = ["rm_webhooks"];

pub fn ddl(sfx: &str, tag: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS rm_webhooks{sfx} (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
                description TEXT, status TEXT NOT NULL, disabled_reason TEXT, secret_hint TEXT NOT NULL,
                secret_version BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                version BIGINT NOT NULL)"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_webhooks_{tag}ws ON rm_webhooks{sfx} (workspace_id, created_at, id)"),
    ]
}

pub async fn write(
    conn: &mut AnyConnection,
    sfx: &str,
    e: &RecordedEvent,
) -> Result<(), sqlx::Error> {
    let at = keel_schemas::format_ts(e.occurred_at);
    let v = e.stream_version;
    match &e.event {
        DomainEvent::WebhookCreated(c) => {
            sqlx::query(&format!(
                "INSERT INTO rm_webhooks{sfx} (id, workspace_id, url, events, description, status, secret_hint, \
                 secret_version, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)"
            ))
            .bind(c.webhook_id.to_string())
            .bind(c.workspace_id.to_string())
            .bind(&c.url)
            .bind(serde_json::to_string(&c.events).unwrap_or_else(|_| "[]".into()))
            .bind(c.description.as_deref())
            .bind(if c.active { "active" } else { "inactive" })
            .bind(&c.secret_hint)
            .bind(c.secret_version)
            .bind(&at)
            .bind(v)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::WebhookUpdated(u) => {
            let status = u.active.map(|a| if a { "active" } else { "inactive" });
            sqlx::query(&format!(
                "UPDATE rm_webhooks{sfx} SET url = COALESCE($1, url), events = COALESCE($2, events), \
                 description = CASE WHEN $3 IS NULL THEN description WHEN $3 = '' THEN NULL ELSE $3 END, \
                 status = COALESCE($4, status), \
                 disabled_reason = CASE WHEN $4 = 'active' THEN NULL ELSE disabled_reason END, \
                 updated_at = $5, version = $6 WHERE id = $7"
            ))
            .bind(u.url.as_deref())
            .bind(u.events.as_ref().map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".into())))
            .bind(u.description.as_deref())
            .bind(status)
            .bind(&at)
            .bind(v)
            .bind(u.webhook_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::WebhookSecretRotated(r) => {
            sqlx::query(&format!(
                "UPDATE rm_webhooks{sfx} SET secret_hint = $1, secret_version = $2, updated_at = $3, version = $4 WHERE id = $5"
            ))
            .bind(&r.secret_hint)
            .bind(r.secret_version)
            .bind(&at)
            .bind(v)
            .bind(r.webhook_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::WebhookDisabled(d) => {
            sqlx::query(&format!(
                "UPDATE rm_webhooks{sfx} SET status = 'disabled', disabled_reason = $1, updated_at = $2, version = $3 WHERE id = $4"
            ))
            .bind(&d.reason)
            .bind(&at)
            .bind(v)
            .bind(d.webhook_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::WebhookDeleted(d) => {
            sqlx::query(&format!(
                "UPDATE rm_webhooks{sfx} SET status = 'deleted', updated_at = $1, version = $2 WHERE id = $3"
            ))
            .bind(&at)
            .bind(v)
            .bind(d.webhook_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// A webhook endpoint as the API shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    /// Event type patterns: `key.rotated`, `domain.*`, `*`.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub is_active: bool,
    /// active, inactive (turned off by a user) or disabled (by the dispatcher, after failures)
    pub status: String,
    pub disabled_reason: Option<String>,
    /// The first characters of the signing secret.
    pub secret_hint: String,
    pub secret_version: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub consecutive_failures: i64,
    pub last_delivery_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str =
    "w.id, w.workspace_id, w.url, w.events, w.description, w.status, w.disabled_reason, \
    w.secret_hint, w.secret_version, COALESCE(s.success_count, 0), COALESCE(s.failure_count, 0), \
    COALESCE(s.consecutive_failures, 0), s.last_delivery_at, w.created_at, w.updated_at, w.version";

fn view(r: &AnyRow) -> Result<WebhookView, sqlx::Error> {
    let events: String = r.try_get(3)?;
    let status: String = r.try_get(5)?;
    Ok(WebhookView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        url: r.try_get(2)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        description: r.try_get(4)?,
        is_active: status == "active",
        status,
        disabled_reason: r.try_get(6)?,
        secret_hint: r.try_get(7)?,
        secret_version: r.try_get(8)?,
        success_count: r.try_get(9)?,
        failure_count: r.try_get(10)?,
        consecutive_failures: r.try_get(11)?,
        last_delivery_at: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
        version: r.try_get(15)?,
    })
}

pub const STATUSES: &[&str] = &["active", "inactive", "disabled"];

/// A workspace's webhooks (not deleted), newest first, with an exact total.
pub async fn list(
    db: &Db,
    workspace_id: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<WebhookView>, i64), sqlx::Error> {
    let filter = if status.is_some() {
        "w.status = $2"
    } else {
        "w.status <> 'deleted' AND $2 = $2"
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rm_webhooks w LEFT JOIN webhook_stats s ON s.webhook_id = w.id \
         WHERE w.workspace_id = $1 AND {filter} ORDER BY w.created_at DESC, w.id ASC LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(workspace_id)
    .bind(status.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) FROM rm_webhooks w WHERE w.workspace_id = $1 AND {filter}"
    ))
    .bind(workspace_id)
    .bind(status.unwrap_or(""))
    .fetch_one(&db.pool)
    .await?
    .get(0);
    Ok((rows.iter().map(view).collect::<Result<_, _>>()?, total))
}

/// One webhook of a workspace (not deleted).
pub async fn get(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<WebhookView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rm_webhooks w LEFT JOIN webhook_stats s ON s.webhook_id = w.id \
         WHERE w.id = $1 AND w.workspace_id = $2 AND w.status <> 'deleted'"
    ))
    .bind(id)
    .bind(workspace_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(view).transpose()
}

/// The `webhooks` read model.
pub struct Webhooks;

impl crate::model::ReadModel for Webhooks {
    const NAME: &'static str = "webhooks";
    const STREAM_TYPES: &'static [&'static str] = &["webhook"];
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
        let _ = batch;
        write(conn, sfx, e).await
    }
}
