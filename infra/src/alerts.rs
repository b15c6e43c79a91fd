//! What the alert worker reads and writes beside the log: a Slack-compatible URL per alert (a
//! credential, never in an event), how each channel was told, and the measures of conditions
//! that are not analytics (DNS changes, disabled endpoints, unused keys, recipients).

use keel_projections::Db;
use sqlx::Row;

/// Stores (or replaces) the Slack-compatible URL of an alert.
pub async fn store_slack_url(
    db: &Db,
    alert_id: &str,
    workspace_id: &str,
    url: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alert_slack_urls (alert_id, workspace_id, url) VALUES ($1, $2, $3) \
         ON CONFLICT (alert_id) DO UPDATE SET url = excluded.url",
    )
    .bind(alert_id)
    .bind(workspace_id)
    .bind(url)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn slack_url(db: &Db, alert_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT url FROM alert_slack_urls WHERE alert_id = $1")
        .bind(alert_id)
        .fetch_optional(&db.pool)
        .await
}

pub async fn forget_slack_url(db: &Db, alert_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM alert_slack_urls WHERE alert_id = $1")
        .bind(alert_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// How one channel was told of one firing or resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    pub event_id: String,
    /// `email`, `slack` or `webhook`.
    pub channel: &'static str,
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub recipients: Option<i64>,
    /// `sent`, `failed` or `queued`.
    pub status: &'static str,
    pub error: Option<String>,
    pub at: String,
}

/// Records a notification; the first record of a channel for an event stands.
pub async fn record_notification(db: &Db, n: &Notification) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alert_notifications (event_id, channel, webhook_id, delivery_id, recipients, status, error, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, channel, webhook_id) DO NOTHING",
    )
    .bind(&n.event_id)
    .bind(n.channel)
    .bind(n.webhook_id.as_deref().unwrap_or_default())
    .bind(n.delivery_id.as_deref())
    .bind(n.recipients)
    .bind(n.status)
    .bind(n.error.as_deref())
    .bind(&n.at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A DNS change found by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsChange {
    pub domain: String,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detected_at: String,
}

/// The changes of a domain detected at or after `since` (stored text), of `fields` only when
/// given, oldest first.
pub async fn dns_changes_since(
    db: &Db,
    workspace_id: &str,
    domain_id: &str,
    since: &str,
    fields: &[String],
) -> Result<Vec<DnsChange>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT COALESCE(d.name, ''), c.field_name, c.old_value, c.new_value, c.detected_at \
         FROM rm_domain_changes c LEFT JOIN rm_domains d ON d.domain_id = c.domain_id \
         WHERE c.workspace_id = $1 AND c.domain_id = $2 AND c.detected_at >= $3 ORDER BY c.position",
    )
    .bind(workspace_id)
    .bind(domain_id)
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| DnsChange {
            domain: r.get(0),
            field_name: r.get(1),
            old_value: r.get(2),
            new_value: r.get(3),
            detected_at: r.get(4),
        })
        .filter(|c| fields.is_empty() || fields.contains(&c.field_name))
        .collect())
}

/// The name of a live domain of a workspace, if it is one.
pub async fn domain_name(
    db: &Db,
    workspace_id: &str,
    domain_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT name FROM rm_domains WHERE workspace_id = $1 AND domain_id = $2 AND status <> 'removed'",
    )
    .bind(workspace_id)
    .bind(domain_id)
    .fetch_optional(&db.pool)
    .await
}

/// Disabled webhook endpoints of a workspace (one of them only, when given): (id, url, reason).
pub async fn disabled_webhooks(
    db: &Db,
    workspace_id: &str,
    webhook_id: Option<&str>,
) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, url, disabled_reason FROM rm_webhooks WHERE workspace_id = $1 AND status = 'disabled' \
         AND ($2 = '' OR id = $2) ORDER BY id",
    )
    .bind(workspace_id)
    .bind(webhook_id.unwrap_or_default())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Live keys of a workspace (one of them only, when given; not revoked, not expired at `now`)
/// last used — or, never used, created — before `before` (stored text): (id, name, last used).
pub async fn unused_keys(
    db: &Db,
    workspace_id: &str,
    key_id: Option<&str>,
    before: &str,
    now: &str,
) -> Result<Vec<(String, String, Option<String>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT k.id, k.name, a.last_used_at FROM rm_api_keys k LEFT JOIN key_activity a ON a.key_id = k.id \
         WHERE k.workspace_id = $1 AND k.status = 'active' AND ($2 = '' OR k.id = $2) \
         AND COALESCE(a.last_used_at, k.created_at) < $3 AND (k.expires_at IS NULL OR k.expires_at > $4) \
         ORDER BY k.id",
    )
    .bind(workspace_id)
    .bind(key_id.unwrap_or_default())
    .bind(before)
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Members of a workspace with a verified address (of `roles` only, when given): (email, name).
pub async fn recipients(
    db: &Db,
    workspace_id: &str,
    roles: &[String],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.email, u.name, m.role FROM auth_members m JOIN auth_users u ON u.user_id = m.user_id \
         WHERE m.workspace_id = $1 AND u.email_verified = 1 ORDER BY u.email",
    )
    .bind(workspace_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .filter(|r| roles.is_empty() || roles.contains(&r.get::<String, _>(2)))
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}
