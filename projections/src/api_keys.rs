//! The API keys read model (`rm_api_keys`): what the API lists and shows of a key, never its
//! secret or hash (those live in the write side's `auth_keys`).

use crate::model::{Batch, ReadModel};
use crate::query::{list, ListFilter, Listed, Table};
use crate::Db;
use keel_events::RecordedEvent;
use keel_events::{Scope, Tier};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// The `api_keys` read model.
pub struct ApiKeys;

impl ReadModel for ApiKeys {
    const NAME: &'static str = "api_keys";
    const STREAM_TYPES: &'static [&'static str] = &["key"];
    const TABLES: &'static [&'static str] = &["rm_api_keys"];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS rm_api_keys{sfx} (
                        id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
                        scopes TEXT NOT NULL, rate_limit_tier TEXT, status TEXT NOT NULL,
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT,
                        last_used_at TEXT, rotated_at TEXT, previous_valid_until TEXT, version BIGINT NOT NULL,
                        site_id TEXT)"
                ),
                format!(
                    "CREATE INDEX IF NOT EXISTS rm_api_keys_{tag}ws ON rm_api_keys{sfx} (workspace_id, created_at, id)"
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
            D::ApiKeyCreated(c) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_api_keys{sfx} (id, workspace_id, name, prefix, scopes, rate_limit_tier, status, \
                     created_at, updated_at, expires_at, version, site_id) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7, $8, $9, $10)"
                ))
                .bind(c.key_id.to_string())
                .bind(c.workspace_id.to_string())
                .bind(&c.name)
                .bind(&c.prefix)
                .bind(serde_json::to_string(&c.scopes).unwrap_or_else(|_| "[]".into()))
                .bind(c.rate_limit_tier.map(|t| t.as_str()))
                .bind(&at)
                .bind(c.expires_at.map(keel_schemas::format_ts))
                .bind(v)
                .bind(c.site_id.map(|s| s.to_string()))
                .execute(&mut *conn)
                .await?;
            }
            D::ApiKeyRotated(r) => {
                sqlx::query(&format!(
                    "UPDATE rm_api_keys{sfx} SET prefix = $1, rotated_at = $2, previous_valid_until = $3, \
                     updated_at = $2, version = $4 WHERE id = $5"
                ))
                .bind(&r.prefix)
                .bind(&at)
                .bind(keel_schemas::format_ts(r.previous_valid_until))
                .bind(v)
                .bind(r.key_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            D::ApiKeyRevoked(r) => {
                sqlx::query(&format!(
                    "UPDATE rm_api_keys{sfx} SET status = 'revoked', updated_at = $1, version = $2 WHERE id = $3"
                ))
                .bind(&at)
                .bind(v)
                .bind(r.key_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

pub const KEY_SORTS: &[&str] = &[
    "created_at",
    "updated_at",
    "name",
    "expires_at",
    "last_used_at",
];
pub const KEY_STATUSES: &[&str] = &["active", "expired", "revoked"];

const KEYS: Table = Table {
    name: "rm_api_keys",
    // `last_used_at` is not an event: the api records it in batches in `key_activity`.
    columns: "id, workspace_id, name, prefix, scopes, rate_limit_tier, status, created_at, updated_at, \
              expires_at, (SELECT a.last_used_at FROM key_activity a WHERE a.key_id = rm_api_keys.id) AS last_used_at, \
              rotated_at, previous_valid_until, version, site_id",
    // `$1` is always `now`.
    status_expr: "(CASE WHEN status = 'revoked' THEN 'revoked' \
                  WHEN expires_at IS NOT NULL AND expires_at <= $1 THEN 'expired' ELSE 'active' END)",
    workspace_column: "workspace_id",
    sort_exprs: &[(
        "last_used_at",
        "(SELECT a.last_used_at FROM key_activity a WHERE a.key_id = rm_api_keys.id)",
    )],
};

/// An API key as the API shows it: never the secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub prefix: String,
    /// DNSai's name for `prefix`.
    pub key_prefix: String,
    /// DNSai's: `status` is `active`.
    pub is_active: bool,
    /// `live` or `test`, as the key's prefix says (`keel_live_…`, `keel_test_…`).
    pub environment: String,
    #[schema(value_type = Vec<String>, example = json!(["keys:read"]))]
    pub scopes: Vec<Scope>,
    #[schema(value_type = Option<String>, example = "pro")]
    pub rate_limit_tier: Option<Tier>,
    /// active, expired or revoked
    pub status: String,
    /// A website key's site: the key reaches only it. `null`: every site.
    pub site_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub rotated_at: Option<String>,
    /// Until when the secret replaced by the last rotation still works.
    pub previous_key_valid_until: Option<String>,
    pub version: i64,
    /// Set when the answer is the state as of a past time (`?as_of=`), folded from the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub as_of: Option<String>,
}

fn api_key(r: &AnyRow) -> Result<ApiKeyView, sqlx::Error> {
    let scopes: String = r.try_get(4)?;
    let tier: Option<String> = r.try_get(5)?;
    let prefix: String = r.try_get(3)?;
    // The effective status follows the columns.
    let status: String = r.try_get(15)?;
    Ok(ApiKeyView {
        key_prefix: prefix.clone(),
        is_active: status == "active",
        environment: if prefix.starts_with("keel_test_") {
            "test"
        } else {
            "live"
        }
        .into(),
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        prefix,
        scopes: serde_json::from_str(&scopes).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        rate_limit_tier: tier.and_then(|t| t.parse().ok()),
        status,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        expires_at: r.try_get(9)?,
        last_used_at: r.try_get(10)?,
        rotated_at: r.try_get(11)?,
        previous_key_valid_until: r.try_get(12)?,
        version: r.try_get(13)?,
        site_id: r.try_get(14)?,
        as_of: None,
    })
}

pub async fn list_api_keys(db: &Db, f: &ListFilter) -> Result<Listed<ApiKeyView>, sqlx::Error> {
    list(db, &KEYS, f, None).await?.try_map(api_key)
}

/// A key of one workspace by id (any status).
pub async fn get_api_key(
    db: &Db,
    workspace_id: &str,
    id: &str,
    now: &str,
) -> Result<Option<ApiKeyView>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, {} FROM rm_api_keys WHERE id = $2 AND workspace_id = $3",
        KEYS.columns, KEYS.status_expr
    );
    let row = sqlx::query(&sql)
        .bind(now)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(api_key).transpose()
}
