//! The edge's own tables: operator tokens, the key registry as authentication reads it, when keys
//! were last used, and daily API quota counts. The API process reads and writes them here, so
//! that no SQL lives in `api/`.

use keel_projections::Db;
use sqlx::Row;

/// Hashes of the operator tokens kept in the database (one is generated on first start when none
/// is configured).
pub async fn operator_token_hashes(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    Ok(sqlx::query("SELECT token_hash FROM operator_tokens")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect())
}

/// Keeps a generated operator token's hash.
pub async fn store_operator_token(
    db: &Db,
    hash: &str,
    created_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO operator_tokens (token_hash, created_at) VALUES ($1, $2)")
        .bind(hash)
        .bind(created_at)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

/// A key as authentication reads it from the registry (`auth_keys` joined with its workspace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub key_id: String,
    pub workspace_id: String,
    pub name: String,
    pub prefix: String,
    /// JSON array of scopes.
    pub scopes: String,
    pub rate_limit_tier: Option<String>,
    pub status: String,
    pub expires_at: Option<String>,
    /// Until when a rotated-out secret still works.
    pub valid_until: Option<String>,
    /// The workspace's tier.
    pub tier: String,
    pub workspace_deleted: bool,
    pub key_hash: String,
    /// A website key's site.
    pub site_id: Option<String>,
}

/// The key whose secret hashes to `hash`, if any.
pub async fn key_by_hash(db: &Db, hash: &str) -> Result<Option<KeyRecord>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT k.key_id, k.workspace_id, k.name, k.prefix, k.scopes, k.rate_limit_tier, k.status, k.expires_at, \
         k.valid_until, w.tier, w.deleted, k.key_hash, k.site_id FROM auth_keys k JOIN auth_workspaces w ON w.workspace_id = k.workspace_id \
         WHERE k.key_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(KeyRecord {
            key_id: r.try_get(0)?,
            workspace_id: r.try_get(1)?,
            name: r.try_get(2)?,
            prefix: r.try_get(3)?,
            scopes: r.try_get(4)?,
            rate_limit_tier: r.try_get(5)?,
            status: r.try_get(6)?,
            expires_at: r.try_get(7)?,
            valid_until: r.try_get(8)?,
            tier: r.try_get(9)?,
            workspace_deleted: r.try_get::<i64, _>(10)? != 0,
            key_hash: r.try_get(11)?,
            site_id: r.try_get(12)?,
        })
    })
    .transpose()
}

/// Whether the workspace exists and is not deleted.
pub async fn workspace_is_live(db: &Db, workspace_id: &str) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT 1 FROM auth_workspaces WHERE workspace_id = $1 AND deleted = 0")
            .bind(workspace_id)
            .fetch_optional(&db.pool)
            .await?
            .is_some(),
    )
}

/// Records when a key was last used; an older time never replaces a newer one.
pub async fn record_key_use(db: &Db, key_id: &str, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO key_activity (key_id, last_used_at) VALUES ($1, $2) \
         ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at \
         WHERE key_activity.last_used_at < excluded.last_used_at",
    )
    .bind(key_id)
    .bind(at)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Requests a workspace has made on a UTC day, as counted so far.
pub async fn quota_used(db: &Db, workspace_id: &str, day: &str) -> Result<i64, sqlx::Error> {
    Ok(
        sqlx::query("SELECT used FROM api_quota_usage WHERE workspace_id = $1 AND day = $2")
            .bind(workspace_id)
            .bind(day)
            .fetch_optional(&db.pool)
            .await?
            .map_or(0, |r| r.get(0)),
    )
}

/// Adds `n` requests to a workspace's count of a UTC day.
pub async fn add_quota_used(
    db: &Db,
    workspace_id: &str,
    day: &str,
    n: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_quota_usage (workspace_id, day, used) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id, day) DO UPDATE SET used = api_quota_usage.used + excluded.used",
    )
    .bind(workspace_id)
    .bind(day)
    .bind(n)
    .execute(&db.pool)
    .await
    .map(|_| ())
}
