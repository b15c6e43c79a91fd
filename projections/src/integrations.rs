//! Integrations (`rm_integrations`): connected sources, their state and their last sync, for
//! `GET /api/v1/integrations` (Dashtray's shape) and the console.

use crate::model::{Batch, ReadModel};
use crate::Db;
use keel_events::{DomainEvent, RecordedEvent};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The `integrations` read model.
pub struct Integrations;

impl ReadModel for Integrations {
    const NAME: &'static str = "integrations";
    const STREAM_TYPES: &'static [&'static str] = &["integration"];
    const TABLES: &'static [&'static str] = &["rm_integrations"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS rm_integrations{sfx} (
                    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, site_id TEXT NOT NULL,
                    kind TEXT NOT NULL, livemode BIGINT NOT NULL, status TEXT NOT NULL,
                    credential_hint TEXT NOT NULL, webhook_secret_hint TEXT,
                    connected_at TEXT NOT NULL, last_sync_at TEXT, last_sync_status TEXT,
                    last_error TEXT, objects BIGINT NOT NULL, payments BIGINT NOT NULL,
                    refunds BIGINT NOT NULL, syncs BIGINT NOT NULL, position BIGINT NOT NULL,
                    scheduled_cancellation TEXT NOT NULL, limited_coupons TEXT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_integrations_{tag}ws ON rm_integrations{sfx} (workspace_id, connected_at, id)"
            ),
        ]
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        _batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        let at = keel_schemas::format_ts(e.occurred_at);
        let set = |sql: &str| {
            format!("UPDATE rm_integrations{sfx} SET {sql}, position = $2 WHERE id = $1")
        };
        match &e.event {
            DomainEvent::IntegrationConnected(c) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_integrations{sfx} (id, workspace_id, site_id, kind, livemode, status, \
                     credential_hint, webhook_secret_hint, connected_at, objects, payments, refunds, syncs, position, \
                     scheduled_cancellation, limited_coupons) \
                     VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, 0, 0, 0, 0, $9, $10, $11) ON CONFLICT (id) DO NOTHING"
                ))
                .bind(c.integration_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(c.site_id.to_string())
                .bind(&c.kind)
                .bind(i64::from(c.livemode))
                .bind(&c.credential_hint)
                .bind(c.webhook_secret_hint.as_deref())
                .bind(&at)
                .bind(e.position)
                .bind(&c.settings.scheduled_cancellation)
                .bind(&c.settings.limited_coupons)
                .execute(&mut *conn)
                .await?;
            }
            DomainEvent::IntegrationUpdated(u) => {
                sqlx::query(&set("scheduled_cancellation = $3, limited_coupons = $4"))
                    .bind(u.integration_id.to_string())
                    .bind(e.position)
                    .bind(&u.settings.scheduled_cancellation)
                    .bind(&u.settings.limited_coupons)
                    .execute(&mut *conn)
                    .await?;
            }
            DomainEvent::IntegrationPaused(p) => {
                sqlx::query(&set("status = 'paused'"))
                    .bind(p.integration_id.to_string())
                    .bind(e.position)
                    .execute(&mut *conn)
                    .await?;
            }
            DomainEvent::IntegrationResumed(p) => {
                sqlx::query(&set("status = 'active'"))
                    .bind(p.integration_id.to_string())
                    .bind(e.position)
                    .execute(&mut *conn)
                    .await?;
            }
            DomainEvent::IntegrationSynced(s) => {
                sqlx::query(&set(
                    "last_sync_at = $3, last_sync_status = 'ok', last_error = NULL, \
                     objects = objects + $4, payments = payments + $5, refunds = refunds + $6, syncs = syncs + 1",
                ))
                .bind(s.integration_id.to_string())
                .bind(e.position)
                .bind(&at)
                .bind(s.objects)
                .bind(s.payments)
                .bind(s.refunds)
                .execute(&mut *conn)
                .await?;
            }
            DomainEvent::IntegrationSyncFailed(f) => {
                sqlx::query(&set(
                    "last_sync_at = $3, last_sync_status = 'error', last_error = $4, syncs = syncs + 1",
                ))
                .bind(f.integration_id.to_string())
                .bind(e.position)
                .bind(&at)
                .bind(&f.error)
                .execute(&mut *conn)
                .await?;
            }
            DomainEvent::IntegrationRemoved(r) => {
                sqlx::query(&format!("DELETE FROM rm_integrations{sfx} WHERE id = $1"))
                    .bind(r.integration_id.to_string())
                    .execute(&mut *conn)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// An integration as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IntegrationRow {
    pub id: String,
    pub site_id: String,
    /// `stripe`.
    pub kind: String,
    pub livemode: bool,
    /// `active` or `paused`.
    pub status: String,
    /// The API key's first characters; the key itself is never shown.
    pub credential_hint: String,
    pub webhook_secret_hint: Option<String>,
    pub connected_at: String,
    pub last_sync_at: Option<String>,
    /// `ok` or `error` (of the last sync), absent before the first.
    pub last_sync_status: Option<String>,
    pub last_error: Option<String>,
    /// Objects read, payments and refunds recorded, over every sync.
    pub objects: i64,
    pub payments: i64,
    pub refunds: i64,
    pub syncs: i64,
    /// See `RevenueSettings`.
    pub scheduled_cancellation: String,
    pub limited_coupons: String,
}

const COLUMNS: &str = "id, site_id, kind, livemode, status, credential_hint, webhook_secret_hint, \
    connected_at, last_sync_at, last_sync_status, last_error, objects, payments, refunds, syncs, \
    scheduled_cancellation, limited_coupons";

fn row(r: &AnyRow) -> Result<IntegrationRow, sqlx::Error> {
    Ok(IntegrationRow {
        id: r.try_get(0)?,
        site_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        livemode: r.try_get::<i64, _>(3)? != 0,
        status: r.try_get(4)?,
        credential_hint: r.try_get(5)?,
        webhook_secret_hint: r.try_get(6)?,
        connected_at: r.try_get(7)?,
        last_sync_at: r.try_get(8)?,
        last_sync_status: r.try_get(9)?,
        last_error: r.try_get(10)?,
        objects: r.try_get(11)?,
        payments: r.try_get(12)?,
        refunds: r.try_get(13)?,
        syncs: r.try_get(14)?,
        scheduled_cancellation: r.try_get(15)?,
        limited_coupons: r.try_get(16)?,
    })
}

/// A page of a workspace's integrations, oldest first, and the total.
pub async fn list(
    db: &Db,
    ws: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<IntegrationRow>, i64), sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rm_integrations WHERE workspace_id = $1 ORDER BY connected_at, id LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(ws)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rm_integrations WHERE workspace_id = $1")
            .bind(ws)
            .fetch_one(&db.pool)
            .await?;
    Ok((rows.iter().map(row).collect::<Result<_, _>>()?, total))
}

/// One integration of a workspace.
pub async fn get(db: &Db, ws: &str, id: &str) -> Result<Option<IntegrationRow>, sqlx::Error> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rm_integrations WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(ws)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    r.as_ref().map(row).transpose()
}

/// Every active integration (for the worker's periodic syncs): `(workspace, id)`.
pub async fn active(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT workspace_id, id FROM rm_integrations WHERE status = 'active' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
