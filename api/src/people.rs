//! How people prove who they are: passwords (Argon2id, kept beside the log), sign-in sessions in
//! the `keel_session` cookie with a CSRF token for writes, and personal account tokens. Which
//! workspace a person's request acts in, and with which role, is decided here too.

use crate::auth::{
    constant_time_eq, hash_secret, parse_key, Caller, KeyKind, Seat, UserCaller, Via,
};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use keel_events::{Role, Tier, UserId, WorkspaceId};
use keel_schemas::{format_ts, parse_ts};

pub const SESSION_COOKIE: &str = "keel_session";
/// A session ends after this long without a request…
pub const SESSION_IDLE: Duration = Duration::days(7);
/// …and this long after sign-in, whatever happens.
pub const SESSION_MAX: Duration = Duration::days(30);
/// How often a session's or a token's last use is written down.
const TOUCH_EVERY: Duration = Duration::seconds(60);

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;

/// Passwords of ten characters or more that lead every breach list; refused whatever their case.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "0123456789",
    "0987654321",
    "1234567891",
    "12345678910",
    "123456789a",
    "a123456789",
    "1111111111",
    "0000000000",
    "1212121212",
    "1122334455",
    "5555555555",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "password!1",
    "passw0rd123",
    "p@ssw0rd123",
    "iloveyou12",
    "iloveyou123",
    "abcdefghij",
    "abcd123456",
    "abc1234567",
    "abcdef1234",
    "letmein123",
    "welcome123",
    "welcome1234",
    "admin12345",
    "administrator",
    "changeme123",
    "monkey1234",
    "dragon1234",
    "football12",
    "baseball12",
    "superman12",
    "starwars12",
    "princess12",
    "sunshine12",
    "trustno1234",
    "michael123",
    "jennifer12",
    "computer12",
    "internet12",
    "whatever12",
    "qazwsxedcrfv",
    "1q2w3e4r5t6y7u",
    "987654321a",
    "q1w2e3r4t5",
    "q1w2e3r4t5y6",
    "passwordpassword",
    "keel123456",
    "keelkeelkeel",
];

/// Why a password is refused, if it is.
pub fn weak_password(password: &str, email: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Some(format!("must be at least {MIN_PASSWORD_LEN} characters"));
    }
    if n > MAX_PASSWORD_LEN {
        return Some(format!("must be at most {MAX_PASSWORD_LEN} characters"));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Some("is one of the most common passwords; choose another".into());
    }
    let first = lower.chars().next();
    if lower.chars().all(|c| Some(c) == first) {
        return Some("must not repeat a single character".into());
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower == email.to_lowercase() || (local.len() >= 4 && lower.contains(&local)) {
        return Some("must not contain your email address".into());
    }
    None
}

/// A PHC string: Argon2id with a fresh salt and the crate's default cost (19 MiB, 2 passes).
/// Runs off the async threads.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Whether `password` matches `stored`. Without a stored hash, a hash of nothing is checked all
/// the same, so an unknown address takes as long to refuse as a wrong password.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| {
        DUMMY
            .get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(b"no such user", &salt)
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .clone()
    });
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
        && known
}

/// A TOTP code's time step, in seconds (RFC 6238's default, what authenticator apps use).
pub const TOTP_STEP_SECS: i64 = 30;

/// The 6-digit RFC 6238 code (HMAC-SHA1) of `secret` at time step `step`.
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return u32::MAX; // HMAC takes keys of any length; never reached
    };
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[off]) & 0x7f) << 24
        | u32::from(h[off + 1]) << 16
        | u32::from(h[off + 2]) << 8
        | u32::from(h[off + 3]);
    bin % 1_000_000
}

/// The time step `code` is right for at `now` (allowing one step of clock drift either way).
pub fn totp_step(secret_b32: &str, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .ok()?;
    let current = now.timestamp().div_euclid(TOTP_STEP_SECS);
    [current - 1, current, current + 1].into_iter().find(|s| {
        constant_time_eq(
            format!("{:06}", totp_code(&secret, *s)).as_bytes(),
            code.as_bytes(),
        )
    })
}

/// A new TOTP secret: 160 random bits in base32, as authenticator apps take it.
pub fn new_totp_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// The `keel_session` cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a cookie-signed request may go on: reads always, writes with the session's token in
/// `X-CSRF-Token`.
pub fn csrf_ok(method: &Method, headers: &HeaderMap, expected: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    headers
        .get("X-CSRF-Token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| constant_time_eq(sent.as_bytes(), expected.as_bytes()))
}

/// The session cookie for `token` (or, without one, the cookie that deletes it).
pub fn cookie(state: &AppState, token: Option<&str>) -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, token.unwrap_or_default().to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(!state.config.dev)
        .finish();
    match token {
        Some(_) => c.set_max_age(CookieDuration::seconds(SESSION_MAX.num_seconds())),
        None => c.make_removal(),
    }
    c
}

/// Which workspace a person acts in: the one `X-Workspace-ID` names (if they belong to it), or
/// their only one.
async fn seat(
    state: &AppState,
    user_id: &str,
    workspace: Option<&str>,
) -> Result<(Seat, Tier), ApiError> {
    let parse_role = |r: &str| {
        r.parse::<Role>()
            .map_err(|e| ApiError::Internal(format!("corrupt membership: {e}")))
    };
    let parse_tier = |t: &str| {
        t.parse::<Tier>()
            .map_err(|e| ApiError::Internal(format!("corrupt workspace tier: {e}")))
    };
    match workspace.filter(|w| !w.is_empty()) {
        Some(raw) => {
            let ws: WorkspaceId = raw
                .parse()
                .map_err(|_| ApiError::BadRequest("X-Workspace-ID is not a valid id".into()))?;
            match keel_infra::people::membership(&state.db, user_id, &ws.to_string()).await? {
                Some((role, tier)) => Ok((Seat::In(ws, parse_role(&role)?), parse_tier(&tier)?)),
                None => {
                    // Someone who belongs nowhere any more hears that, whatever they name.
                    let all = keel_infra::people::memberships(&state.db, user_id).await?;
                    if all.is_empty() {
                        return Err(ApiError::NoMembership);
                    }
                    Ok((Seat::NotMember, best_tier(&all)))
                }
            }
        }
        None => {
            let all = keel_infra::people::memberships(&state.db, user_id).await?;
            match all.as_slice() {
                [] => Err(ApiError::NoMembership),
                [one] => Ok((
                    Seat::In(
                        one.workspace_id
                            .parse()
                            .map_err(|_| ApiError::Internal("corrupt membership".into()))?,
                        parse_role(&one.role)?,
                    ),
                    parse_tier(&one.tier)?,
                )),
                many => Ok((Seat::Unnamed(many.len()), best_tier(many))),
            }
        }
    }
}

/// Without a seat, a person's requests are limited at the best tier among their workspaces.
fn best_tier(all: &[keel_infra::people::Membership]) -> Tier {
    all.iter()
        .filter_map(|m| m.tier.parse::<Tier>().ok())
        .max_by_key(|t| t.requests_per_minute())
        .unwrap_or(Tier::Free)
}

fn stale(last: &str, now: DateTime<Utc>) -> bool {
    parse_ts(last).map_or(true, |t| now - t >= TOUCH_EVERY)
}

/// The person a session cookie belongs to.
pub async fn by_session(
    state: &AppState,
    token: &str,
    workspace: Option<&str>,
) -> Result<Caller, ApiError> {
    if parse_key(token) != Some(KeyKind::Session) {
        return Err(ApiError::SessionExpired);
    }
    let hash = hash_secret(token);
    let s = keel_infra::people::session_by_hash(&state.db, &hash)
        .await?
        .ok_or(ApiError::SessionExpired)?;
    let now = state.config.clock.now();
    let ended = s.revoked
        || parse_ts(&s.expires_at).map_or(true, |t| t <= now)
        || parse_ts(&s.last_seen_at).map_or(true, |t| t + SESSION_IDLE <= now);
    if ended {
        return Err(ApiError::SessionExpired);
    }
    let user = keel_infra::people::user_by_id(&state.db, &s.user_id)
        .await?
        .ok_or(ApiError::SessionExpired)?;
    let (seat, tier) = seat(state, &s.user_id, workspace).await?;
    if stale(&s.last_seen_at, now) {
        keel_infra::people::touch_session(&state.db, &s.session_id, &format_ts(now)).await?;
    }
    Ok(Caller::User(UserCaller {
        user_id: user_id(&user.user_id)?,
        email: user.email,
        name: user.name,
        via: Via::Session {
            session_id: s.session_id,
            csrf_token: s.csrf_token,
        },
        seat,
        tier,
    }))
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::Internal("corrupt user id".into()))
}

/// The person an account token (`keel_acct_…`, already hashed) belongs to.
pub async fn by_account_token(
    state: &AppState,
    hash: &str,
    workspace: Option<&str>,
) -> Result<Caller, ApiError> {
    let t = keel_infra::people::account_token_by_hash(&state.db, hash)
        .await?
        .ok_or(ApiError::InvalidKey)?;
    if t.status != "active" {
        return Err(ApiError::KeyRevoked);
    }
    let user = keel_infra::people::user_by_id(&state.db, &t.user_id)
        .await?
        .ok_or(ApiError::InvalidKey)?;
    let (seat, tier) = seat(state, &t.user_id, workspace).await?;
    let now = state.config.clock.now();
    if t.last_used_at.as_deref().is_none_or(|l| stale(l, now)) {
        keel_infra::people::touch_account_token(&state.db, &t.token_id, &format_ts(now)).await?;
    }
    Ok(Caller::User(UserCaller {
        user_id: user_id(&user.user_id)?,
        email: user.email,
        name: user.name,
        via: Via::AccountToken {
            token_id: t.token_id,
        },
        seat,
        tier,
    }))
}

/// A new session for a user who just proved who they are: its cookie token and CSRF token.
pub async fn start_session(
    state: &AppState,
    req: &actix_web::HttpRequest,
    user_id: &str,
) -> Result<(String, String, DateTime<Utc>, String), ApiError> {
    let mut rng = rand::rngs::OsRng;
    let token = crate::auth::generate_key(KeyKind::Session, &mut rng);
    let csrf = crate::auth::generate_key(KeyKind::Session, &mut rng)
        .trim_start_matches(KeyKind::Session.prefix())
        .to_string();
    let now = state.config.clock.now();
    let expires = now + SESSION_MAX;
    let session_id = uuid::Uuid::now_v7().to_string();
    let ip = crate::routes::pixel::client_ip(req).map(|ip| ip.to_string());
    let agent: Option<String> = req
        .headers()
        .get("User-Agent")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect());
    keel_infra::people::create_session(
        &state.db,
        &keel_infra::people::NewSession {
            session_hash: &hash_secret(&token),
            session_id: &session_id,
            user_id,
            csrf_token: &csrf,
            now: &format_ts(now),
            expires_at: &format_ts(expires),
            client_ip: ip.as_deref(),
            user_agent: agent.as_deref(),
        },
    )
    .await?;
    // Signing in replaces the session the browser had (no fixation).
    if let Some(old) = session_cookie(req.headers()) {
        if let Some(s) = keel_infra::people::session_by_hash(&state.db, &hash_secret(&old)).await? {
            keel_infra::people::revoke_session(&state.db, &s.session_id, &format_ts(now)).await?;
        }
    }
    Ok((token, csrf, expires, session_id))
}

/// What `keel user create` did.
#[derive(Debug)]
pub struct CreatedUser {
    pub user_id: UserId,
    pub workspace_id: WorkspaceId,
    pub role: Role,
    /// The account existed already and was only added to the workspace.
    pub existed: bool,
    /// The workspace was created for this first owner.
    pub new_workspace: bool,
}

/// `keel user create`: a person with a password, made a member of a workspace with `role`
/// without an invitation (the operator's own path, e.g. for the first owner). Without
/// `workspace`, the only workspace there is, or — on a fresh install — a new one named
/// `workspace_name`.
pub async fn create_user(
    store: &keel_infra::SqlStore,
    email: &str,
    name: &str,
    password: String,
    workspace: Option<&str>,
    workspace_name: &str,
    role: Role,
) -> anyhow::Result<CreatedUser> {
    use keel_commands::people::{
        normalize_email, TeamAggregate, TeamCommand, UserAggregate, UserCommand,
    };
    use keel_commands::{execute, Execution};
    use keel_events::{Metadata, StreamId};
    let db = store.db();
    let email = normalize_email(email);
    let existing = keel_infra::people::user_by_email(db, &email).await?;
    if existing.is_none() {
        if let Some(m) = weak_password(&password, &email) {
            anyhow::bail!("the password {m}");
        }
    }
    let now = Utc::now();
    let operator = |tenant: WorkspaceId, stream: StreamId| Execution {
        tenant_id: tenant,
        stream_id: stream,
        expected_version: None,
        metadata: Metadata {
            actor: keel_events::Actor::Operator,
            request_id: None,
            causation_id: None,
            correlation_id: Some("keel user create".into()),
            client_ip: None,
        },
        now,
        new_stream: false,
    };
    let ids = || std::iter::repeat_with(keel_events::EventId::new_v7);
    let mut new_workspace = false;
    let ws: WorkspaceId = match workspace {
        Some(w) => {
            let ws: WorkspaceId = w
                .parse()
                .map_err(|_| anyhow::anyhow!("--workspace: not a workspace id"))?;
            if !keel_infra::edge::workspace_is_live(db, &ws.to_string()).await? {
                anyhow::bail!("no live workspace {ws}");
            }
            ws
        }
        None => {
            let live = keel_infra::people::live_workspaces(db).await?;
            match live.as_slice() {
                [one] => one.parse()?,
                [] => {
                    use keel_commands::workspace::{
                        CreateWorkspace, WorkspaceAggregate, WorkspaceCommand,
                    };
                    let ws = WorkspaceId::new_v7();
                    let command = WorkspaceCommand::Create(CreateWorkspace {
                        workspace_id: ws,
                        name: workspace_name.to_string(),
                        slug: keel_commands::generate_slug(workspace_name),
                        tier: Tier::default(),
                        settings: keel_events::WorkspaceSettings::default(),
                    });
                    let mut id = ids();
                    execute::<WorkspaceAggregate>(
                        store,
                        &operator(ws, StreamId::workspace(ws)),
                        &command,
                        || id.next().unwrap_or_else(keel_events::EventId::new_v7),
                    )
                    .await?;
                    new_workspace = true;
                    ws
                }
                many => anyhow::bail!(
                    "there are {} workspaces: name one with --workspace",
                    many.len()
                ),
            }
        }
    };
    let (user_id, existed) = match existing {
        Some(u) => (u.user_id.parse()?, true),
        None => {
            let user_id = UserId::new_v7();
            let hash = hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            keel_infra::people::set_password_hash(db, &user_id.to_string(), &hash, &format_ts(now))
                .await?;
            let command = UserCommand::Create {
                user_id,
                email: email.clone(),
                name: name.to_string(),
                with_password: true,
                email_verified: false,
            };
            let mut id = ids();
            execute::<UserAggregate>(
                store,
                &operator(ws, StreamId::user(user_id)),
                &command,
                || id.next().unwrap_or_else(keel_events::EventId::new_v7),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            (user_id, false)
        }
    };
    let command = TeamCommand::Add {
        workspace_id: ws,
        user_id,
        email,
        role,
    };
    let mut id = ids();
    execute::<TeamAggregate>(store, &operator(ws, StreamId::team(ws)), &command, || {
        id.next().unwrap_or_else(keel_events::EventId::new_v7)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(CreatedUser {
        user_id,
        workspace_id: ws,
        role,
        existed,
        new_workspace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_repetitive_and_self_naming_passwords_are_refused() {
        assert!(weak_password("short", "a@example.com").is_some());
        assert!(weak_password("Password123", "a@example.com").is_some());
        assert!(weak_password("aaaaaaaaaaaa", "a@example.com").is_some());
        assert!(weak_password("xx-adalovelace-xx", "adalovelace@example.com").is_some());
        assert!(weak_password("correct horse battery", "ada@example.com").is_none());
    }

    #[test]
    fn totp_codes_are_rfc_6238s() {
        // RFC 6238, appendix B (SHA-1): at 59 s the 8-digit code is 94287082, at 1111111109 s
        // 07081804; their last six digits are the 6-digit codes.
        let secret = b"12345678901234567890";
        assert_eq!(totp_code(secret, 59 / 30), 287_082);
        assert_eq!(totp_code(secret, 1_111_111_109 / 30), 81_804);
        let b32 = data_encoding::BASE32_NOPAD.encode(secret);
        let at = DateTime::<Utc>::from_timestamp(1_111_111_109, 0).unwrap_or_default();
        assert_eq!(totp_step(&b32, "081804", at), Some(1_111_111_109 / 30));
        assert_eq!(totp_step(&b32, "081805", at), None);
        assert_eq!(totp_step(&b32, "81804", at), None);
        // One step of drift either way is accepted, two are not.
        let later = at + Duration::seconds(30);
        assert!(totp_step(&b32, "081804", later).is_some());
        assert!(totp_step(&b32, "081804", later + Duration::seconds(30)).is_none());
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            actix_web::http::header::COOKIE,
            actix_web::http::header::HeaderValue::from_static(
                "a=1; keel_session=keel_sess_x ; b=2",
            ),
        );
        assert_eq!(session_cookie(&h).as_deref(), Some("keel_sess_x"));
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn writes_need_the_csrf_token_and_reads_do_not() {
        let mut h = HeaderMap::new();
        assert!(csrf_ok(&Method::GET, &h, "t0k"));
        assert!(!csrf_ok(&Method::POST, &h, "t0k"));
        h.insert(
            actix_web::http::header::HeaderName::from_static("x-csrf-token"),
            actix_web::http::header::HeaderValue::from_static("t0k"),
        );
        assert!(csrf_ok(&Method::DELETE, &h, "t0k"));
        assert!(!csrf_ok(&Method::PATCH, &h, "other"));
    }
}
