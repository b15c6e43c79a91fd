//! Inline projections: written inside the append transaction, for what must be consistent at once —
//! the key registry used by authentication (a revoked key fails on the very next request), slug
//! uniqueness and the active-key quota.

use crate::store::AppendFailure;
use chrono::{DateTime, Utc};
use keel_commands::AppendRequest;
use keel_commands::{DomainError, StoreError};
use keel_events::usage::UsageRecorded;
use keel_events::{ApiKeyCreated, DomainEvent, WorkspaceId};
use keel_projections::Db;
use keel_projections::Dialect;
use keel_schemas::format_ts;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// Whether a workspace (live, or deleted but not yet freed) holds `slug`.
pub async fn slug_in_use(db: &Db, slug: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT 1 FROM auth_workspaces WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?
        .is_some())
}

fn refused(e: DomainError) -> AppendFailure {
    AppendFailure::Refused(StoreError::Rejected(e))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// The slug of a request that creates a workspace (and does nothing else).
pub(crate) fn new_workspace_slug(req: &AppendRequest) -> Option<&str> {
    match req.events.as_slice() {
        [e] => match &e.event {
            DomainEvent::WorkspaceCreated(w) => Some(w.slug.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Which of `slugs` a workspace holds already (one lookup for a whole batch).
pub(crate) async fn slugs_taken(
    conn: &mut AnyConnection,
    slugs: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut taken = HashSet::new();
    for chunk in slugs.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT slug FROM auth_workspaces WHERE slug IN ({list})");
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for s in chunk {
            q = q.bind(*s);
        }
        taken.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(taken)
}

/// The key a request creates (and does nothing else).
pub(crate) fn new_key(req: &AppendRequest) -> Option<&ApiKeyCreated> {
    match req.events.as_slice() {
        [e] => match &e.event {
            DomainEvent::ApiKeyCreated(k) => Some(k),
            _ => None,
        },
        _ => None,
    }
}

/// Room for new active keys: per live workspace of `workspaces`, `(room, limit)`. On Postgres the
/// workspaces' registry rows are locked (in id order) until the transaction ends, as the
/// one-by-one path's quota check locks them, so no other process creates keys in them meanwhile.
pub(crate) async fn key_room(
    db: &Db,
    conn: &mut AnyConnection,
    workspaces: &[String],
    now: &str,
) -> Result<HashMap<String, (i64, i64)>, sqlx::Error> {
    let mut room = HashMap::new();
    for chunk in workspaces.chunks(500) {
        let list = (2..chunk.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let lock = if db.dialect == Dialect::Postgres {
            " ORDER BY workspace_id FOR UPDATE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT workspace_id, max_active_keys FROM auth_workspaces \
             WHERE deleted = 0 AND $1 = $1 AND workspace_id IN ({list}){lock}"
        );
        let mut q = sqlx::query(&sql).bind(now);
        for w in chunk {
            q = q.bind(w);
        }
        let limits: Vec<(String, i64)> = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let sql = format!(
            "SELECT workspace_id, COUNT(DISTINCT key_id) FROM auth_keys WHERE status = 'active' \
             AND (expires_at IS NULL OR expires_at > $1) AND workspace_id IN ({list}) GROUP BY workspace_id"
        );
        let mut q = sqlx::query(&sql).bind(now);
        for w in chunk {
            q = q.bind(w);
        }
        let active: HashMap<String, i64> = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (w, limit) in limits {
            let used = active.get(&w).copied().unwrap_or(0);
            room.insert(w, (limit - used, limit));
        }
    }
    Ok(room)
}

/// A new key's registry row (its quota already checked).
pub(crate) async fn insert_key(
    conn: &mut AnyConnection,
    e: &ApiKeyCreated,
) -> Result<(), sqlx::Error> {
    let scopes = serde_json::to_string(&e.scopes).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO auth_keys (key_hash, key_id, workspace_id, name, prefix, scopes, rate_limit_tier, \
         status, expires_at, valid_until, site_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, NULL, $9)",
    )
    .bind(&e.key_hash)
    .bind(e.key_id.to_string())
    .bind(e.workspace_id.to_string())
    .bind(&e.name)
    .bind(&e.prefix)
    .bind(scopes)
    .bind(e.rate_limit_tier.map(|t| t.as_str()))
    .bind(e.expires_at.map(format_ts))
    .bind(e.site_id.map(|s| s.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether applying this event may refuse it (a uniqueness or quota guard). Such appends run
/// under a savepoint; the others go through the batch's bulk insert.
pub(crate) fn may_refuse(event: &DomainEvent) -> bool {
    match event {
        DomainEvent::WorkspaceCreated(_)
        | DomainEvent::ApiKeyCreated(_)
        | DomainEvent::UserCreated(_) => true,
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
            insert_key(conn, e).await?;
        }
        DomainEvent::ApiKeyRotated(e) => {
            sqlx::query(
                "INSERT INTO auth_keys (key_hash, key_id, workspace_id, name, prefix, scopes, rate_limit_tier, \
                 status, expires_at, valid_until, site_id) \
                 SELECT $1, key_id, workspace_id, name, $2, scopes, rate_limit_tier, status, expires_at, NULL, site_id \
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
        DomainEvent::UserPasswordChanged(_)
        | DomainEvent::UserCreated(_)
        | DomainEvent::AccountTokenCreated(_)
        | DomainEvent::AccountTokenRevoked(_)
        | DomainEvent::MemberAdded(_)
        | DomainEvent::MemberRoleChanged(_)
        | DomainEvent::MemberRemoved(_)
        | DomainEvent::InvitationCreated(_)
        | DomainEvent::InvitationResent(_)
        | DomainEvent::InvitationRevoked(_)
        | DomainEvent::InvitationAccepted(_)
        | DomainEvent::EmailVerified(_) => apply_people(conn, event, occurred_at).await?,
        // The audit log's; nothing to keep consistent.
        DomainEvent::UserSignedIn(_)
        | DomainEvent::UserSignInFailed(_)
        | DomainEvent::SecondFactorEnabled(_)
        | DomainEvent::SecondFactorDisabled(_) => {}
        // Sites and analytics need nothing consistent with the append: their read models are
        // eventual (payments' uniqueness is their stream's `NoStream` expectation).
        DomainEvent::SiteCreated(_)
        | DomainEvent::SiteUpdated(_)
        | DomainEvent::SiteDeleted(_)
        | DomainEvent::PageviewRecorded(_)
        | DomainEvent::CustomEventRecorded(_)
        | DomainEvent::GoalCompleted(_)
        | DomainEvent::PaymentRecorded(_)
        | DomainEvent::PaymentRefunded(_)
        | DomainEvent::MetricRecorded(_)
        | DomainEvent::SubscriptionChanged(_)
        | DomainEvent::PaymentRemoved(_)
        | DomainEvent::VisitorIdentified(_)
        | DomainEvent::VisitorErased(_)
        | DomainEvent::DomainAdded(_)
        | DomainEvent::DomainUpdated(_)
        | DomainEvent::DomainRemoved(_)
        | DomainEvent::DomainRestored(_)
        | DomainEvent::DomainScanned(_)
        | DomainEvent::DnsRecordChanged(_)
        | DomainEvent::WhoisFetched(_)
        | DomainEvent::FolderCreated(_)
        | DomainEvent::FolderRenamed(_)
        | DomainEvent::FolderDeleted(_)
        | DomainEvent::WebhookCreated(_)
        | DomainEvent::WebhookUpdated(_)
        | DomainEvent::WebhookSecretRotated(_)
        | DomainEvent::WebhookDisabled(_)
        | DomainEvent::WebhookDeleted(_)
        | DomainEvent::FunnelCreated(_)
        | DomainEvent::FunnelUpdated(_)
        | DomainEvent::FunnelDeleted(_)
        | DomainEvent::AnalyticsDeleted(_)
        | DomainEvent::DashboardCreated(_)
        | DomainEvent::DashboardUpdated(_)
        | DomainEvent::DashboardDeleted(_)
        | DomainEvent::EntitlementSet(_)
        | DomainEvent::EntitlementRemoved(_)
        | DomainEvent::UsageThresholdReached(_)
        | DomainEvent::AlertCreated(_)
        | DomainEvent::AlertUpdated(_)
        | DomainEvent::AlertDeleted(_)
        | DomainEvent::AlertFired(_)
        | DomainEvent::AlertResolved(_)
        | DomainEvent::TrackingScanRequested(_)
        | DomainEvent::TrackingScanCompleted(_)
        | DomainEvent::TrackingScanFailed(_)
        | DomainEvent::McpToolCalled(_)
        | DomainEvent::McpServerRegistered(_)
        | DomainEvent::McpServerUpdated(_)
        | DomainEvent::McpServerRemoved(_)
        | DomainEvent::IntegrationConnected(_)
        | DomainEvent::IntegrationPaused(_)
        | DomainEvent::IntegrationResumed(_)
        | DomainEvent::IntegrationSynced(_)
        | DomainEvent::IntegrationSyncFailed(_)
        | DomainEvent::IntegrationRemoved(_)
        | DomainEvent::IntegrationUpdated(_)
        | DomainEvent::SeoReportSubmitted(_)
        | DomainEvent::SeoIssueOpened(_)
        | DomainEvent::SeoIssueResolved(_) => {}
        // Planned batches count usage set-wise (`UsageLedger`); this is the one-by-one path.
        DomainEvent::UsageRecorded(u) => apply_usage(conn, u, occurred_at).await?,
    }
    Ok(())
}

/// Users, members, account tokens and invitations: what signing in and every person's request
/// look up, so a removed member or a revoked token fails on the very next request.
async fn apply_people(
    conn: &mut AnyConnection,
    event: &DomainEvent,
    occurred_at: DateTime<Utc>,
) -> Result<(), AppendFailure> {
    let at = format_ts(occurred_at);
    match event {
        DomainEvent::UserCreated(e) => {
            let r = sqlx::query(
                "INSERT INTO auth_users (user_id, email, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(e.user_id.to_string())
            .bind(&e.email)
            .bind(&e.name)
            .bind(&at)
            .execute(&mut *conn)
            .await;
            match r {
                Err(err) if is_unique_violation(&err) => {
                    return Err(refused(DomainError::EmailTaken(e.email.clone())))
                }
                r => {
                    r?;
                }
            }
        }
        DomainEvent::UserPasswordChanged(_) => {}
        DomainEvent::EmailVerified(e) => {
            sqlx::query(
                "UPDATE auth_users SET email_verified = 1 WHERE user_id = $1 AND email = $2",
            )
            .bind(e.user_id.to_string())
            .bind(&e.email)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::AccountTokenCreated(e) => {
            sqlx::query(
                "INSERT INTO auth_account_tokens (token_hash, token_id, user_id, name, prefix, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'active', $6)",
            )
            .bind(&e.token_hash)
            .bind(e.token_id.to_string())
            .bind(e.user_id.to_string())
            .bind(&e.name)
            .bind(&e.prefix)
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::AccountTokenRevoked(e) => {
            sqlx::query("UPDATE auth_account_tokens SET status = 'revoked' WHERE token_id = $1")
                .bind(e.token_id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        DomainEvent::MemberAdded(e) => {
            sqlx::query(
                "INSERT INTO auth_members (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(e.workspace_id.to_string())
            .bind(e.user_id.to_string())
            .bind(e.role.as_str())
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::MemberRoleChanged(e) => {
            sqlx::query(
                "UPDATE auth_members SET role = $1 WHERE workspace_id = $2 AND user_id = $3",
            )
            .bind(e.role.as_str())
            .bind(e.workspace_id.to_string())
            .bind(e.user_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::MemberRemoved(e) => {
            sqlx::query("DELETE FROM auth_members WHERE workspace_id = $1 AND user_id = $2")
                .bind(e.workspace_id.to_string())
                .bind(e.user_id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        DomainEvent::InvitationCreated(e) => {
            sqlx::query(
                "INSERT INTO auth_invitations (invitation_id, token_hash, workspace_id, email, role, status, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
            )
            .bind(e.invitation_id.to_string())
            .bind(&e.token_hash)
            .bind(e.workspace_id.to_string())
            .bind(&e.email)
            .bind(e.role.as_str())
            .bind(format_ts(e.expires_at))
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::InvitationResent(e) => {
            sqlx::query(
                "UPDATE auth_invitations SET token_hash = $1, expires_at = $2 WHERE invitation_id = $3",
            )
            .bind(&e.token_hash)
            .bind(format_ts(e.expires_at))
            .bind(e.invitation_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::InvitationRevoked(e) => {
            sqlx::query("UPDATE auth_invitations SET status = 'revoked' WHERE invitation_id = $1")
                .bind(e.invitation_id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        DomainEvent::InvitationAccepted(e) => {
            sqlx::query(
                "UPDATE auth_invitations SET status = 'accepted', accepted_by = $1 WHERE invitation_id = $2",
            )
            .bind(e.user_id.to_string())
            .bind(e.invitation_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}

const HOUR_MS: i64 = 3_600_000;

pub(crate) type CounterKey = (String, String, i64);
pub(crate) type HourKey = (String, String, i64, String);

pub(crate) fn counter_key(u: &UsageRecorded) -> CounterKey {
    (
        u.workspace_id.to_string(),
        u.feature.clone(),
        u.period_start.timestamp_millis(),
    )
}

pub(crate) fn hour_key(u: &UsageRecorded, at: DateTime<Utc>) -> HourKey {
    (
        u.workspace_id.to_string(),
        u.feature.clone(),
        at.timestamp_millis().div_euclid(HOUR_MS) * HOUR_MS,
        u.key_id.map(|k| k.to_string()).unwrap_or_default(),
    )
}

/// The usage of one group-commit batch, decided set-wise: the counters of every hard-limited
/// feature the batch touches are locked once (`FOR UPDATE`, in key order) and read, each request
/// is then accepted or refused in memory in arrival order, and the counters are written back
/// with one statement. Limits hold exactly and the check costs no round trip per record.
#[derive(Default)]
pub(crate) struct UsageLedger {
    hard: HashMap<CounterKey, i64>,
    hard_dirty: HashSet<CounterKey>,
    soft: HashMap<CounterKey, i64>,
    hourly: HashMap<HourKey, i64>,
}

/// The usage a request counts: its usage records, and its meter (as a record of no key).
fn usage_of(
    req: &AppendRequest,
) -> impl Iterator<Item = (std::borrow::Cow<'_, UsageRecorded>, DateTime<Utc>)> {
    let metered = req.meter.as_ref().map(|m| {
        // Counted when ingested (a hit's own time may be the client's).
        (
            std::borrow::Cow::Owned(metered(req.tenant_id, m)),
            Utc::now(),
        )
    });
    req.events
        .iter()
        .filter_map(|e| match &e.event {
            DomainEvent::UsageRecorded(u) => Some((std::borrow::Cow::Borrowed(u), e.occurred_at)),
            _ => None,
        })
        .chain(metered)
}

/// A meter as the usage record it stands for.
pub(crate) fn metered(tenant: keel_events::WorkspaceId, m: &keel_commands::Meter) -> UsageRecorded {
    UsageRecorded {
        workspace_id: tenant,
        feature: m.feature.clone(),
        quantity: m.quantity,
        usage_id: None,
        key_id: None,
        metadata: serde_json::Map::new(),
        period_start: m.period_start,
        limit: m.limit,
        hard: m.hard && m.limit.is_some(),
    }
}

impl UsageLedger {
    /// Locks and reads the hard-limited counters `requests` touch.
    pub(crate) async fn lock<'a>(
        db: &Db,
        conn: &mut AnyConnection,
        requests: impl Iterator<Item = &'a AppendRequest>,
    ) -> Result<Self, sqlx::Error> {
        let mut keys: Vec<CounterKey> = requests
            .flat_map(usage_of)
            .filter(|(u, _)| u.hard)
            .map(|(u, _)| counter_key(&u))
            .collect();
        keys.sort();
        keys.dedup();
        let mut ledger = UsageLedger::default();
        for chunk in keys.chunks(300) {
            let rows = |first: usize| {
                (0..chunk.len())
                    .map(|i| {
                        let b = first + 3 * i;
                        format!("(${}, ${}, ${})", b, b + 1, b + 2)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let sql = format!(
                "INSERT INTO usage_counters (workspace_id, feature, period_start, used) \
                 SELECT column1, column2, column3, 0 FROM (VALUES {}) AS v WHERE true \
                 ON CONFLICT (workspace_id, feature, period_start) DO NOTHING",
                rows(1)
            );
            let mut q = sqlx::query(&sql);
            for (w, f, p) in chunk {
                q = q.bind(w).bind(f).bind(*p);
            }
            q.execute(&mut *conn).await?;
            let sql = format!(
                "SELECT c.workspace_id, c.feature, c.period_start, c.used FROM (VALUES {}) AS v \
                 JOIN usage_counters c ON c.workspace_id = v.column1 AND c.feature = v.column2 \
                 AND c.period_start = v.column3 ORDER BY c.workspace_id, c.feature, c.period_start{}",
                rows(1),
                if db.dialect == Dialect::Postgres { " FOR UPDATE OF c" } else { "" }
            );
            let mut q = sqlx::query(&sql);
            for (w, f, p) in chunk {
                q = q.bind(w).bind(f).bind(*p);
            }
            for r in q.fetch_all(&mut *conn).await? {
                ledger.hard.insert((r.get(0), r.get(1), r.get(2)), r.get(3));
            }
        }
        Ok(ledger)
    }

    /// Accepts a request's usage, or refuses the whole request if it would pass a hard limit.
    pub(crate) fn reserve(&mut self, req: &AppendRequest) -> Result<(), DomainError> {
        let mut next: HashMap<CounterKey, i64> = HashMap::new();
        for (u, _) in usage_of(req).filter(|(u, _)| u.hard) {
            let key = counter_key(&u);
            let used = next
                .get(&key)
                .or_else(|| self.hard.get(&key))
                .copied()
                .unwrap_or(0);
            let limit = u.limit.unwrap_or(i64::MAX);
            // Giving back (a removed domain) is never refused, even over a lowered limit.
            if u.quantity > 0 && used.saturating_add(u.quantity) > limit {
                return Err(DomainError::FeatureLimitReached {
                    feature: u.feature.clone(),
                    limit,
                    used,
                    requested: u.quantity,
                });
            }
            next.insert(key, used + u.quantity);
        }
        for (k, v) in next {
            self.hard_dirty.insert(k.clone());
            self.hard.insert(k, v);
        }
        for (u, at) in usage_of(req) {
            if !u.hard {
                *self.soft.entry(counter_key(&u)).or_default() += u.quantity;
            }
            *self.hourly.entry(hour_key(&u, at)).or_default() += u.quantity;
        }
        Ok(())
    }

    /// Writes the batch's counters and hourly usage.
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let hard: Vec<(CounterKey, i64)> = self
            .hard_dirty
            .into_iter()
            .filter_map(|k| self.hard.get(&k).map(|v| (k, *v)))
            .collect();
        upsert_counters(conn, &hard, "excluded.used").await?;
        let soft: Vec<(CounterKey, i64)> = self.soft.into_iter().collect();
        upsert_counters(conn, &soft, "usage_counters.used + excluded.used").await?;
        let hourly: Vec<(HourKey, i64)> = self.hourly.into_iter().collect();
        upsert_hourly(conn, &hourly).await
    }
}

/// Adds `rows` to the hourly usage.
pub(crate) async fn upsert_hourly(
    conn: &mut AnyConnection,
    rows: &[(HourKey, i64)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| {
                let b = 1 + 5 * i;
                format!("(${}, ${}, ${}, ${}, ${})", b, b + 1, b + 2, b + 3, b + 4)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO usage_hourly (workspace_id, feature, hour, key_id, quantity) VALUES {values} \
             ON CONFLICT (workspace_id, feature, hour, key_id) DO UPDATE SET \
             quantity = usage_hourly.quantity + excluded.quantity"
        );
        let mut q = sqlx::query(&sql);
        for ((w, f, h, k), n) in chunk {
            q = q.bind(w).bind(f).bind(*h).bind(k).bind(*n);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn upsert_counters(
    conn: &mut AnyConnection,
    rows: &[(CounterKey, i64)],
    set: &str,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| {
                let b = 1 + 4 * i;
                format!("(${}, ${}, ${}, ${})", b, b + 1, b + 2, b + 3)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO usage_counters (workspace_id, feature, period_start, used) VALUES {values} \
             ON CONFLICT (workspace_id, feature, period_start) DO UPDATE SET used = {set}"
        );
        let mut q = sqlx::query(&sql);
        for ((w, f, p), n) in chunk {
            q = q.bind(w).bind(f).bind(*p).bind(*n);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One usage record on its own (the savepoint path): the same rules, one statement each.
pub(crate) async fn apply_usage(
    conn: &mut AnyConnection,
    u: &UsageRecorded,
    at: DateTime<Utc>,
) -> Result<(), AppendFailure> {
    let (w, f, p) = counter_key(u);
    if u.hard {
        let limit = u.limit.unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO usage_counters (workspace_id, feature, period_start, used) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (workspace_id, feature, period_start) DO NOTHING",
        )
        .bind(&w)
        .bind(&f)
        .bind(p)
        .execute(&mut *conn)
        .await?;
        let took = sqlx::query(
            "UPDATE usage_counters SET used = used + $4 WHERE workspace_id = $1 AND feature = $2 \
             AND period_start = $3 AND (used + $4 <= $5 OR $4 <= 0)",
        )
        .bind(&w)
        .bind(&f)
        .bind(p)
        .bind(u.quantity)
        .bind(limit)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if took == 0 {
            let used: i64 = sqlx::query(
                "SELECT used FROM usage_counters WHERE workspace_id = $1 AND feature = $2 AND period_start = $3",
            )
            .bind(&w)
            .bind(&f)
            .bind(p)
            .fetch_one(&mut *conn)
            .await?
            .get(0);
            return Err(refused(DomainError::FeatureLimitReached {
                feature: f,
                limit,
                used,
                requested: u.quantity,
            }));
        }
    } else {
        upsert_counters(
            conn,
            &[((w, f, p), u.quantity)],
            "usage_counters.used + excluded.used",
        )
        .await?;
    }
    upsert_hourly(conn, &[(hour_key(u, at), u.quantity)]).await?;
    Ok(())
}
