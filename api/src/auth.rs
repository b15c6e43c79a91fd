//! Who is calling: the operator token, or a workspace's API key looked up by its hash in the
//! inline key registry (so a revoked key fails on the very next request).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use keel_events::{Actor, ApiKeyId, Scope, Tier, WorkspaceId};
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The recognisable start of every workspace key (secret scanners look for it).
pub const KEY_PREFIX: &str = "keel_live_";
/// How much of a key is shown in listings.
pub const DISPLAY_PREFIX_LEN: usize = KEY_PREFIX.len() + 6;

/// A new secret: the prefix and 32 base62 characters (about 190 bits).
pub fn generate_key() -> String {
    let body: String = rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("{KEY_PREFIX}{body}")
}

/// Keys are long random strings, so a fast hash is enough: nothing to brute-force.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(DISPLAY_PREFIX_LEN).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub tier: Tier,
    pub rate_limit_tier: Option<Tier>,
}

#[derive(Debug, Clone)]
pub enum Caller {
    Operator,
    Key(KeyCaller),
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Operator => Actor::Operator,
            Caller::Key(k) => Actor::ApiKey(k.key_id),
        }
    }

    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::Key(k) => {
                let wanted = Scope::parse(scope).map_err(|e| ApiError::Internal(e.to_string()))?;
                if k.scopes.iter().any(|s| s.grants(&wanted)) {
                    Ok(())
                } else {
                    Err(ApiError::InsufficientScope(scope.into()))
                }
            }
        }
    }

    pub fn require_operator(&self) -> Result<(), ApiError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::Key(_) => Err(ApiError::Forbidden(
                "only the operator token may do this".into(),
            )),
        }
    }

    /// The workspace a workspace-scoped route acts on: the key's own, or for the operator the one
    /// named by `X-Workspace-ID` (which must exist).
    pub async fn workspace(
        &self,
        req: &HttpRequest,
        state: &AppState,
    ) -> Result<WorkspaceId, ApiError> {
        match self {
            Caller::Key(k) => Ok(k.workspace_id),
            Caller::Operator => {
                let raw = req
                    .headers()
                    .get("X-Workspace-ID")
                    .ok_or_else(|| {
                        ApiError::BadRequest(
                            "the operator token must name a workspace with X-Workspace-ID".into(),
                        )
                    })?
                    .to_str()
                    .map_err(|_| ApiError::BadRequest("X-Workspace-ID is not valid text".into()))?;
                let id: WorkspaceId = raw
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::BadRequest("X-Workspace-ID is not a valid id".into()))?;
                let live = sqlx::query(
                    "SELECT 1 FROM auth_workspaces WHERE workspace_id = $1 AND deleted = 0",
                )
                .bind(id.to_string())
                .fetch_optional(&state.db.pool)
                .await?;
                live.map(|_| id).ok_or(ApiError::NotFound("workspace"))
            }
        }
    }

    /// Whether the caller may see this workspace at all.
    pub fn can_see_workspace(&self, id: WorkspaceId) -> bool {
        match self {
            Caller::Operator => true,
            Caller::Key(k) => k.workspace_id == id,
        }
    }
}

async fn authenticate(state: &AppState, header: Option<&str>) -> Result<Caller, ApiError> {
    let header = header.ok_or(ApiError::MissingKey)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::MissingKey)?;
    let hash = hash_secret(token);
    if state
        .operator_hashes
        .iter()
        .any(|h| constant_time_eq(h.as_bytes(), hash.as_bytes()))
    {
        return Ok(Caller::Operator);
    }
    if !token.starts_with(KEY_PREFIX) {
        return Err(ApiError::InvalidKey);
    }
    let row = sqlx::query(
        "SELECT k.key_id, k.workspace_id, k.name, k.prefix, k.scopes, k.rate_limit_tier, k.status, k.expires_at, \
         k.valid_until, w.tier, w.deleted FROM auth_keys k JOIN auth_workspaces w ON w.workspace_id = k.workspace_id \
         WHERE k.key_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(ApiError::InvalidKey)?;
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let status: String = row.try_get(6)?;
    let expires_at: Option<String> = row.try_get(7)?;
    let valid_until: Option<String> = row.try_get(8)?;
    let deleted: i64 = row.try_get(10)?;
    if deleted != 0 {
        return Err(ApiError::InvalidKey);
    }
    if status == "revoked" {
        return Err(ApiError::KeyRevoked);
    }
    if expires_at.is_some_and(|e| e <= now) || valid_until.is_some_and(|v| v <= now) {
        return Err(ApiError::KeyExpired);
    }
    let bad =
        |e: &dyn std::fmt::Display| ApiError::Internal(format!("corrupt key registry row: {e}"));
    let scopes: String = row.try_get(4)?;
    let tier: String = row.try_get(9)?;
    let rate_limit_tier: Option<String> = row.try_get(5)?;
    Ok(Caller::Key(KeyCaller {
        key_id: row.try_get::<String, _>(0)?.parse().map_err(|e| bad(&e))?,
        workspace_id: row.try_get::<String, _>(1)?.parse().map_err(|e| bad(&e))?,
        name: row.try_get(2)?,
        prefix: row.try_get(3)?,
        scopes: serde_json::from_str(&scopes).map_err(|e| bad(&e))?,
        tier: tier.parse().map_err(|e: String| bad(&e))?,
        rate_limit_tier: rate_limit_tier.and_then(|t| t.parse().ok()),
    }))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            authenticate(&state, header.as_deref()).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_random_and_hashed() {
        let a = generate_key();
        let b = generate_key();
        assert!(a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 32);
        assert_ne!(a, b);
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
        assert_eq!(display_prefix(&a).len(), DISPLAY_PREFIX_LEN);
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"a", b"ab")
        );
    }
}
