//! Who is calling: the operator token, or a workspace's API key looked up by its hash in the
//! inline key registry (so a revoked key fails on the very next request).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use dashmap::DashMap;
use keel_events::{Actor, ApiKeyId, Role, Scope, Tier, UserId, WorkspaceId};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// What a secret is, as its prefix says (secret scanners match these prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A workspace key for production traffic: `keel_live_…`.
    Live,
    /// A workspace key marked for tests and development: `keel_test_…`.
    Test,
    /// A generated operator token: `keel_admin_…`.
    Admin,
    /// A person's account token: `keel_acct_…` (DataFast's `dft_`).
    Account,
    /// The secret of an invitation link: `keel_inv_…`.
    Invitation,
    /// A sign-in session, in the `keel_session` cookie: `keel_sess_…`.
    Session,
    /// The secret of a password-reset link: `keel_reset_…`.
    Reset,
    /// The secret of an email-verification link: `keel_verify_…`.
    Verify,
}

impl KeyKind {
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Live => "keel_live_",
            KeyKind::Test => "keel_test_",
            KeyKind::Admin => "keel_admin_",
            KeyKind::Account => "keel_acct_",
            KeyKind::Invitation => "keel_inv_",
            KeyKind::Session => "keel_sess_",
            KeyKind::Reset => "keel_reset_",
            KeyKind::Verify => "keel_verify_",
        }
    }

    pub fn environment(self) -> &'static str {
        match self {
            KeyKind::Test => "test",
            _ => "live",
        }
    }
}

/// Random characters in a secret: 32 of base62, about 190 bits.
const RANDOM_LEN: usize = 32;
/// A CRC-32 of prefix and random part, in 6 base62 characters: a mistyped or truncated key is
/// recognised without a database lookup.
const CHECKSUM_LEN: usize = 6;
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// How much of a key listings show: the prefix and six random characters.
pub const DISPLAY_RANDOM_LEN: usize = 6;

fn checksum(text: &str) -> String {
    let mut n = crc32fast::hash(text.as_bytes()) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// A new secret: prefix, 32 random base62 characters, 6 checksum characters.
pub fn generate_key(kind: KeyKind, rng: &mut impl rand::RngCore) -> String {
    let body: String = (0..RANDOM_LEN)
        .map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())]))
        .collect();
    let head = format!("{}{body}", kind.prefix());
    let check = checksum(&head);
    format!("{head}{check}")
}

/// The kind of a well-formed secret; `None` for anything malformed, truncated or mistyped.
pub fn parse_key(token: &str) -> Option<KeyKind> {
    let kind = [
        KeyKind::Live,
        KeyKind::Test,
        KeyKind::Admin,
        KeyKind::Account,
        KeyKind::Invitation,
        KeyKind::Session,
        KeyKind::Reset,
        KeyKind::Verify,
    ]
    .into_iter()
    .find(|k| token.starts_with(k.prefix()))?;
    let rest = &token[kind.prefix().len()..];
    if rest.len() != RANDOM_LEN + CHECKSUM_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (head, check) = token.split_at(token.len() - CHECKSUM_LEN);
    constant_time_eq(checksum(head).as_bytes(), check.as_bytes()).then_some(kind)
}

/// Keys are long random strings, so a fast hash is enough: nothing to brute-force.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn display_prefix(secret: &str) -> String {
    let prefix_len = parse_key(secret).map_or(0, |k| k.prefix().len());
    secret
        .chars()
        .take(prefix_len + DISPLAY_RANDOM_LEN)
        .collect()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
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
    /// A website key's site (DataFast's `df_` key): it reaches that site only.
    pub site_id: Option<keel_events::SiteId>,
}

impl KeyCaller {
    /// The tier whose rate limit applies: the key's own override, else its workspace's.
    pub fn rate_tier(&self) -> Tier {
        self.rate_limit_tier.unwrap_or(self.tier)
    }
}

/// How a person proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    /// The `keel_session` cookie; writes must echo its CSRF token.
    Session {
        session_id: String,
        csrf_token: String,
    },
    /// An account token in `Authorization`.
    AccountToken { token_id: String },
}

/// Which workspace a person's request acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    /// Named by `X-Workspace-ID` (or their only one), with their role there.
    In(WorkspaceId, Role),
    /// `X-Workspace-ID` names a workspace they do not belong to (or none that is live).
    NotMember,
    /// They belong to several and named none.
    Unnamed(usize),
    /// They belong to none.
    Nowhere,
}

#[derive(Debug, Clone)]
pub struct UserCaller {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub via: Via,
    pub seat: Seat,
    /// The tier of the seat's workspace (its rate limits apply); `free` without a seat.
    pub tier: Tier,
}

impl UserCaller {
    /// The workspace this request acts in, or why there is none.
    pub fn workspace(&self) -> Result<(WorkspaceId, Role), ApiError> {
        match &self.seat {
            Seat::In(ws, role) => Ok((*ws, *role)),
            Seat::NotMember => Err(ApiError::NotFound("workspace")),
            Seat::Unnamed(n) => Err(ApiError::BadRequest(format!(
                "you belong to {n} workspaces: name one with X-Workspace-ID"
            ))),
            Seat::Nowhere => Err(ApiError::Forbidden(
                "you belong to no workspace yet: accept an invitation first".into(),
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Caller {
    Operator,
    Key(KeyCaller),
    User(UserCaller),
}

fn website_only(site: keel_events::SiteId) -> ApiError {
    ApiError::Forbidden(format!(
        "this website key reaches only site {site} (its routes, events, goals, payments, identify and metrics)"
    ))
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Operator => Actor::Operator,
            Caller::Key(k) => Actor::ApiKey(k.key_id),
            Caller::User(u) => Actor::User(u.user_id),
        }
    }

    /// Whether the caller may manage owners: the operator, or an owner of the workspace.
    pub fn is_owner(&self) -> bool {
        match self {
            Caller::Operator => true,
            Caller::Key(_) => false,
            Caller::User(u) => matches!(u.seat, Seat::In(_, Role::Owner)),
        }
    }

    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::User(u) => {
                let (_, role) = u.workspace()?;
                let wanted = Scope::parse(scope).map_err(|e| ApiError::Internal(e.to_string()))?;
                if crate::access::role_grants(role, &wanted) {
                    Ok(())
                } else {
                    Err(ApiError::Forbidden(format!(
                        "your role ({role}) does not allow this (it needs `{scope}`)"
                    )))
                }
            }
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

    /// Whether the caller may call a route with this access rule.
    pub fn check_access(&self, access: crate::access::Access) -> Result<(), ApiError> {
        use crate::access::Access;
        match access {
            Access::Public | Access::Optional => Ok(()),
            Access::Scope(scope) => self.require(scope),
            Access::Operator => self.require_operator(),
            Access::Person => match self {
                Caller::User(_) => Ok(()),
                _ => Err(ApiError::Forbidden(
                    "only a person may do this: sign in, or use an account token (keel_acct_…)"
                        .into(),
                )),
            },
        }
    }

    /// A website key's site, if the caller is one.
    pub fn website(&self) -> Option<keel_events::SiteId> {
        match self {
            Caller::Key(k) => k.site_id,
            Caller::Operator | Caller::User(_) => None,
        }
    }

    /// The site a request names (`given`), checked against a website key: without one, a
    /// website key's own site; another site is 403. `None` when neither says.
    pub fn site(&self, given: Option<&str>) -> Result<Option<String>, ApiError> {
        match (self.website(), given.filter(|g| !g.is_empty())) {
            (None, g) => Ok(g.map(str::to_string)),
            (Some(own), None) => Ok(Some(own.to_string())),
            (Some(own), Some(g)) if g == own.to_string() => Ok(Some(g.to_string())),
            (Some(own), Some(_)) => Err(website_only(own)),
        }
    }

    /// Whether a website key may call this path at all: its site's routes, ingestion, the metrics
    /// feed and the index. Other keys may call anything their scopes allow.
    pub fn check_website_path(&self, path: &str) -> Result<(), ApiError> {
        let Some(own) = self.website() else {
            return Ok(());
        };
        let path = path.trim_end_matches('/');
        let own_site = format!("/api/v1/sites/{own}");
        let allowed = path == "/api/v1"
            || path == own_site
            || path.starts_with(&format!("{own_site}/"))
            || [
                "/api/v1/events",
                "/api/v1/goals",
                "/api/v1/identify",
                "/api/v1/payments",
                "/api/v1/metrics",
            ]
            .contains(&path)
            || path.starts_with("/api/v1/payments/");
        if allowed {
            Ok(())
        } else {
            Err(website_only(own))
        }
    }

    pub fn require_operator(&self) -> Result<(), ApiError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::Key(_) | Caller::User(_) => Err(ApiError::Forbidden(
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
            Caller::User(u) => u.workspace().map(|(ws, _)| ws),
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
                if keel_infra::edge::workspace_is_live(&state.db, &id.to_string()).await? {
                    Ok(id)
                } else {
                    Err(ApiError::NotFound("workspace"))
                }
            }
        }
    }

    /// Whether the caller may see this workspace at all.
    pub fn can_see_workspace(&self, id: WorkspaceId) -> bool {
        match self {
            Caller::Operator => true,
            Caller::Key(k) => k.workspace_id == id,
            Caller::User(u) => matches!(u.seat, Seat::In(ws, _) if ws == id),
        }
    }
}

/// How long a looked-up key is trusted without asking the registry again. Writes through this
/// process (rotation, revocation, plan changes, deletion) evict at once; another replica's write
/// is seen within this time.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(2);
const KEY_CACHE_MAX: usize = 100_000;

struct CachedKey {
    caller: KeyCaller,
    expires_at: Option<String>,
    valid_until: Option<String>,
    fetched: Instant,
}

/// Active keys recently seen, by hash: most requests authenticate without a database call.
#[derive(Default)]
pub struct KeyCache {
    entries: DashMap<String, CachedKey>,
}

impl KeyCache {
    fn get(&self, hash: &str, now: &str) -> Option<Result<Caller, ApiError>> {
        let e = self.entries.get(hash)?;
        if e.fetched.elapsed() > KEY_CACHE_TTL {
            drop(e);
            self.entries.remove(hash);
            return None;
        }
        let expired = e.expires_at.as_deref().is_some_and(|x| x <= now)
            || e.valid_until.as_deref().is_some_and(|v| v <= now);
        Some(if expired {
            Err(ApiError::KeyExpired)
        } else {
            Ok(Caller::Key(e.caller.clone()))
        })
    }

    fn put(&self, hash: String, entry: CachedKey) {
        if self.entries.len() >= KEY_CACHE_MAX {
            self.entries.clear();
        }
        self.entries.insert(hash, entry);
    }

    /// Forgets every key of a workspace (after a write that may change what they may do).
    pub fn evict_workspace(&self, ws: WorkspaceId) {
        self.entries.retain(|_, e| e.caller.workspace_id != ws);
    }
}

/// The secret of an `Authorization` header: `Bearer <key>`, or the seeds' `Token <key>`
/// (datanostro) and `ApiKey <key>` (its partner API); the scheme is case-insensitive.
pub fn credential(header: &str) -> Result<&str, ApiError> {
    let header = header.trim();
    let known = |s: &str| ["bearer", "token", "apikey"].contains(&s.to_ascii_lowercase().as_str());
    let Some((scheme, token)) = header.split_once(' ') else {
        return Err(if known(header) {
            ApiError::MissingKey
        } else {
            // A bare key: never echoed back.
            ApiError::UnsupportedScheme("(none)".into())
        });
    };
    if !known(scheme) {
        return Err(ApiError::UnsupportedScheme(
            scheme.chars().take(20).collect::<String>(),
        ));
    }
    Some(token.trim())
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::MissingKey)
}

/// Who is calling, from an `Authorization` header. A malformed workspace key is refused before any
/// lookup; a well-formed one is looked up by its hash in the inline key registry (so a revoked key
/// fails on the very next request).
pub async fn authenticate(
    state: &AppState,
    header: Option<&str>,
    workspace: Option<&str>,
) -> Result<Caller, ApiError> {
    let token = credential(header.ok_or(ApiError::MissingKey)?)?;
    let hash = hash_secret(token);
    // Every configured hash is compared, whatever matches first.
    let operator = state.operator_hashes.iter().fold(false, |hit, h| {
        hit | constant_time_eq(h.as_bytes(), hash.as_bytes())
    });
    if operator {
        return Ok(Caller::Operator);
    }
    match parse_key(token) {
        Some(KeyKind::Live | KeyKind::Test) => {}
        Some(KeyKind::Account) => {
            return crate::people::by_account_token(state, &hash, workspace).await
        }
        _ => return Err(ApiError::InvalidKey),
    }
    let now = keel_schemas::format_ts(chrono::Utc::now());
    if let Some(hit) = state.key_cache.get(&hash, &now) {
        return hit;
    }
    let row = keel_infra::edge::key_by_hash(&state.db, &hash)
        .await?
        .ok_or(ApiError::InvalidKey)?;
    if !constant_time_eq(row.key_hash.as_bytes(), hash.as_bytes()) {
        return Err(ApiError::InvalidKey);
    }
    let (status, expires_at, valid_until) = (&row.status, &row.expires_at, &row.valid_until);
    if row.workspace_deleted {
        return Err(ApiError::InvalidKey);
    }
    if status == "revoked" {
        return Err(ApiError::KeyRevoked);
    }
    if expires_at.as_deref().is_some_and(|e| e <= now.as_str())
        || valid_until.as_deref().is_some_and(|v| v <= now.as_str())
    {
        return Err(ApiError::KeyExpired);
    }
    let bad =
        |e: &dyn std::fmt::Display| ApiError::Internal(format!("corrupt key registry row: {e}"));
    let caller = KeyCaller {
        key_id: row.key_id.parse().map_err(|e| bad(&e))?,
        workspace_id: row.workspace_id.parse().map_err(|e| bad(&e))?,
        name: row.name.clone(),
        prefix: row.prefix.clone(),
        scopes: serde_json::from_str(&row.scopes).map_err(|e| bad(&e))?,
        tier: row.tier.parse().map_err(|e: String| bad(&e))?,
        rate_limit_tier: row.rate_limit_tier.as_deref().and_then(|t| t.parse().ok()),
        site_id: row
            .site_id
            .as_deref()
            .map(|s| s.parse().map_err(|e| bad(&e)))
            .transpose()?,
    };
    state.key_cache.put(
        hash,
        CachedKey {
            caller: caller.clone(),
            expires_at: expires_at.clone(),
            valid_until: valid_until.clone(),
            fetched: Instant::now(),
        },
    );
    Ok(Caller::Key(caller))
}

/// The caller the edge middleware authenticated for this request. A handler of a route missing
/// from the access table finds none and fails closed.
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(req.extensions().get::<Caller>().cloned().ok_or_else(|| {
            ApiError::Internal(format!(
                "{} {} has no access rule",
                req.method(),
                req.path()
            ))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_and_apikey_schemes_are_accepted_and_others_named() {
        for h in [
            "Bearer keel_live_x",
            "bearer keel_live_x",
            "Token keel_live_x",
            "ApiKey keel_live_x",
            "APIKEY   keel_live_x ",
        ] {
            assert_eq!(credential(h).ok(), Some("keel_live_x"), "{h}");
        }
        assert!(matches!(credential("Bearer "), Err(ApiError::MissingKey)));
        let e = credential("Basic dXNlcjpwYXNz").unwrap_err();
        assert!(
            matches!(&e, ApiError::UnsupportedScheme(s) if s == "Basic"),
            "{e}"
        );
        let message = e.to_string();
        assert!(
            message.contains("Bearer <key>")
                && message.contains("Token <key>")
                && message.contains("ApiKey <key>"),
            "{message}"
        );
        assert!(matches!(
            credential("keel_live_x"),
            Err(ApiError::UnsupportedScheme(s)) if s == "(none)"
        ));
    }

    #[test]
    fn keys_are_prefixed_random_checksummed_and_hashed() {
        let a = generate_key(KeyKind::Live, &mut rand::rngs::OsRng);
        let b = generate_key(KeyKind::Live, &mut rand::rngs::OsRng);
        assert!(a.starts_with("keel_live_") && a.len() == "keel_live_".len() + 38);
        assert_ne!(a, b);
        assert_eq!(parse_key(&a), Some(KeyKind::Live));
        assert_eq!(
            parse_key(&generate_key(KeyKind::Test, &mut rand::rngs::OsRng)),
            Some(KeyKind::Test)
        );
        assert_eq!(
            parse_key(&generate_key(KeyKind::Admin, &mut rand::rngs::OsRng)),
            Some(KeyKind::Admin)
        );
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
        assert_eq!(
            display_prefix(&a).len(),
            "keel_live_".len() + DISPLAY_RANDOM_LEN
        );
    }

    #[test]
    fn a_mistyped_truncated_or_foreign_key_is_recognised_without_a_lookup() {
        let key = generate_key(KeyKind::Live, &mut rand::rngs::OsRng);
        // Every single-character substitution in the random part breaks the checksum.
        for i in "keel_live_".len()..key.len() {
            let mut typo = key.clone().into_bytes();
            typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
            let typo = String::from_utf8(typo).unwrap_or_default();
            assert_eq!(parse_key(&typo), None, "{typo}");
        }
        assert_eq!(parse_key(&key[..key.len() - 1]), None);
        assert_eq!(parse_key(&format!("{key}x")), None);
        assert_eq!(parse_key(&key.replace("keel_live_", "keel_test_")), None);
        assert_eq!(parse_key("keel_live_not-a-real-key"), None);
        assert_eq!(parse_key("sk_live_abc"), None);
        assert_eq!(parse_key(""), None);
    }

    #[test]
    fn comparison_is_total() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"a", b"ab"));
    }
}
