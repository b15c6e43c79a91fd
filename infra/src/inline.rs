//! Inline projections: written inside the append transaction, for what must be consistent at once —
//! the key registry used by authentication (a revoked key fails on the very next request), slug
//! uniqueness and the active-key quota.

use crate::store::AppendFailure;
use chrono::{DateTime, Utc};
use keel_commands::{DomainError, StoreError};
use keel_events::{DomainEvent, WorkspaceId};
use keel_projections::Db;
use keel_schemas::format_ts;
use sqlx::{AnyConnection, Row};

fn refused(e: DomainError) -> AppendFailure {
    AppendFailure::Refused(StoreError::Rejected(e))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// Whether applying this event may refuse it (a uniqueness or quota guard). Such appends run
/// under a savepoint; the others go through the batch's bulk insert.
pub(crate) fn may_refuse(event: &DomainEvent) -> bool {
    match event {
        DomainEvent::WorkspaceCreated(_) | DomainEvent::ApiKeyCreated(_) => true,
        DomainEvent::WorkspaceUpdated(u) => u.slug.is_some(),
        _ => false,
    }
}

pub(crate) async fn apply(
    _db: &Db,
    conn: &mut AnyConnection,
    tenant: WorkspaceId,
    event: &DomainEvent,
    occurred_at: DateTime<Utc>,
    _position: i64,
) -> Result<(), AppendFailure> {
    match event {
        DomainEvent::WorkspaceCreated(e) => {
            let r = sqlx::query(
                "INSERT INTO auth_workspaces (workspace_id, slug, tier, max_active_keys) VALUES ($1, $2, $3, $4)",
            )
            .bind(e.workspace_id.to_string())
            .bind(&e.slug)
            .bind(e.tier.as_str())
            .bind(e.tier.max_active_keys())
            .execute(&mut *conn)
            .await;
            match r {
                Err(err) if is_unique_violation(&err) => {
                    return Err(refused(DomainError::SlugTaken(e.slug.clone())))
                }
                r => {
                    r?;
                }
            }
        }
        DomainEvent::WorkspaceUpdated(e) => {
            if let Some(slug) = &e.slug {
                let r = sqlx::query("UPDATE auth_workspaces SET slug = $1 WHERE workspace_id = $2")
                    .bind(slug)
                    .bind(tenant.to_string())
                    .execute(&mut *conn)
                    .await;
                match r {
                    Err(err) if is_unique_violation(&err) => {
                        return Err(refused(DomainError::SlugTaken(slug.clone())))
                    }
                    r => {
                        r?;
                    }
                }
            }
            if let Some(tier) = e.tier {
                sqlx::query("UPDATE auth_workspaces SET tier = $1, max_active_keys = $2 WHERE workspace_id = $3")
                    .bind(tier.as_str())
                    .bind(tier.max_active_keys())
                    .bind(tenant.to_string())
                    .execute(&mut *conn)
                    .await?;
            }
        }
        DomainEvent::WorkspaceDeleted(e) => {
            // The slug is released for reuse; keys of the workspace stop authenticating.
            sqlx::query(
                "UPDATE auth_workspaces SET deleted = 1, slug = NULL WHERE workspace_id = $1",
            )
            .bind(e.workspace_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::ApiKeyCreated(e) => {
            // The row lock taken by this update serialises quota checks of one workspace across processes.
            let locked = sqlx::query(
                "UPDATE auth_workspaces SET key_seq = key_seq + 1 WHERE workspace_id = $1 AND deleted = 0",
            )
            .bind(e.workspace_id.to_string())
            .execute(&mut *conn)
            .await?;
            if locked.rows_affected() == 0 {
                return Err(refused(DomainError::NotFound("workspace")));
            }
            let now = format_ts(occurred_at);
            let row = sqlx::query(
                "SELECT w.max_active_keys, (SELECT COUNT(DISTINCT k.key_id) FROM auth_keys k \
                   WHERE k.workspace_id = w.workspace_id AND k.status = 'active' \
                   AND (k.expires_at IS NULL OR k.expires_at > $2)) \
                 FROM auth_workspaces w WHERE w.workspace_id = $1",
            )
            .bind(e.workspace_id.to_string())
            .bind(&now)
            .fetch_one(&mut *conn)
            .await?;
            let (limit, active): (i64, i64) = (row.get(0), row.get(1));
            if active >= limit {
                return Err(refused(DomainError::KeyLimitReached { limit }));
            }
            let scopes = serde_json::to_string(&e.scopes).unwrap_or_else(|_| "[]".into());
            sqlx::query(
                "INSERT INTO auth_keys (key_hash, key_id, workspace_id, name, prefix, scopes, rate_limit_tier, \
                 status, expires_at, valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, NULL)",
            )
            .bind(&e.key_hash)
            .bind(e.key_id.to_string())
            .bind(e.workspace_id.to_string())
            .bind(&e.name)
            .bind(&e.prefix)
            .bind(scopes)
            .bind(e.rate_limit_tier.map(|t| t.as_str()))
            .bind(e.expires_at.map(format_ts))
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::ApiKeyRotated(e) => {
            sqlx::query(
                "INSERT INTO auth_keys (key_hash, key_id, workspace_id, name, prefix, scopes, rate_limit_tier, \
                 status, expires_at, valid_until) \
                 SELECT $1, key_id, workspace_id, name, $2, scopes, rate_limit_tier, status, expires_at, NULL \
                 FROM auth_keys WHERE key_hash = $3",
            )
            .bind(&e.key_hash)
            .bind(&e.prefix)
            .bind(&e.previous_key_hash)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE auth_keys SET valid_until = $1 WHERE key_hash = $2")
                .bind(format_ts(e.previous_valid_until))
                .bind(&e.previous_key_hash)
                .execute(&mut *conn)
                .await?;
        }
        DomainEvent::ApiKeyRevoked(e) => {
            sqlx::query("UPDATE auth_keys SET status = 'revoked' WHERE key_id = $1")
                .bind(e.key_id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        // Sites and analytics need nothing consistent with the append: their read models are
        // eventual (payments' uniqueness is their stream's `NoStream` expectation).
        DomainEvent::SiteCreated(_)
        | DomainEvent::SiteUpdated(_)
        | DomainEvent::SiteDeleted(_)
        | DomainEvent::PageviewRecorded(_)
        | DomainEvent::CustomEventRecorded(_)
        | DomainEvent::GoalCompleted(_)
        | DomainEvent::PaymentRecorded(_)
        | DomainEvent::PaymentRemoved(_)
        | DomainEvent::VisitorIdentified(_)
        | DomainEvent::DashboardCreated(_)
        | DomainEvent::DashboardUpdated(_)
        | DomainEvent::DashboardDeleted(_) => {}
    }
    Ok(())
}
