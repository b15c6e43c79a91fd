//! People's tables as the API reads and writes them: users, memberships, account tokens and
//! invitations (inline projections of the log), password hashes and sign-in sessions (which never
//! enter the log). No SQL lives in `api/`.

use keel_projections::Db;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub created_at: String,
    pub email_verified: bool,
}

fn user(r: &sqlx::any::AnyRow) -> UserRecord {
    UserRecord {
        user_id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        created_at: r.get(3),
        email_verified: r.get::<i64, _>(4) != 0,
    }
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT user_id, email, name, created_at, email_verified FROM auth_users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(user))
}

pub async fn user_by_id(db: &Db, user_id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    Ok(
        sqlx::query("SELECT user_id, email, name, created_at, email_verified FROM auth_users WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?
            .as_ref()
            .map(user),
    )
}

/// How many users there are (the first start offers to create the first owner).
pub async fn user_count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM auth_users")
        .fetch_one(&db.pool)
        .await
}

pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM user_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
}

/// Sets a user's password hash (a PHC string: Argon2id with its salt and parameters).
pub async fn set_password_hash(
    db: &Db,
    user_id: &str,
    hash: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_credentials (user_id, password_hash, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// A live workspace the user belongs to, and their role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub workspace_id: String,
    pub role: String,
    pub joined_at: String,
    /// The workspace's tier (its rate limits apply to the member's requests).
    pub tier: String,
}

/// Every live workspace the user belongs to, oldest membership first.
pub async fn memberships(db: &Db, user_id: &str) -> Result<Vec<Membership>, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT m.workspace_id, m.role, m.created_at, w.tier FROM auth_members m \
         JOIN auth_workspaces w ON w.workspace_id = m.workspace_id AND w.deleted = 0 \
         WHERE m.user_id = $1 ORDER BY m.created_at, m.workspace_id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Membership {
        workspace_id: r.get(0),
        role: r.get(1),
        joined_at: r.get(2),
        tier: r.get(3),
    })
    .collect())
}

/// The user's role in one live workspace and the workspace's tier, if they belong to it.
pub async fn membership(
    db: &Db,
    user_id: &str,
    workspace_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.role, w.tier FROM auth_members m \
         JOIN auth_workspaces w ON w.workspace_id = m.workspace_id AND w.deleted = 0 \
         WHERE m.user_id = $1 AND m.workspace_id = $2",
    )
    .bind(user_id)
    .bind(workspace_id)
    .fetch_optional(&db.pool)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub joined_at: String,
}

/// A page of a workspace's members, oldest first, and how many there are.
pub async fn members_page(
    db: &Db,
    workspace_id: &str,
    role: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MemberRecord>, i64), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.user_id, u.email, u.name, m.role, m.created_at FROM auth_members m \
         JOIN auth_users u ON u.user_id = m.user_id \
         WHERE m.workspace_id = $1 AND ($2 = '' OR m.role = $2) \
         ORDER BY m.created_at, m.user_id LIMIT $3 OFFSET $4",
    )
    .bind(workspace_id)
    .bind(role.unwrap_or_default())
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM auth_members WHERE workspace_id = $1 AND ($2 = '' OR role = $2)",
    )
    .bind(workspace_id)
    .bind(role.unwrap_or_default())
    .fetch_one(&db.pool)
    .await?;
    Ok((
        rows.iter()
            .map(|r| MemberRecord {
                user_id: r.get(0),
                email: r.get(1),
                name: r.get(2),
                role: r.get(3),
                joined_at: r.get(4),
            })
            .collect(),
        total,
    ))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub invitation_id: String,
    pub workspace_id: String,
    pub email: String,
    pub role: String,
    /// pending, accepted or revoked (a pending one past `expires_at` is shown as expired).
    pub status: String,
    pub expires_at: String,
    pub created_at: String,
    pub accepted_by: Option<String>,
}

fn invitation(r: &sqlx::any::AnyRow) -> InvitationRecord {
    InvitationRecord {
        invitation_id: r.get(0),
        workspace_id: r.get(1),
        email: r.get(2),
        role: r.get(3),
        status: r.get(4),
        expires_at: r.get(5),
        created_at: r.get(6),
        accepted_by: r.get(7),
    }
}

const INVITATION_COLUMNS: &str =
    "invitation_id, workspace_id, email, role, status, expires_at, created_at, accepted_by";

/// A page of a workspace's invitations, newest first; `status` filters (`expired` meaning
/// pending past its expiry, `pending` only the open ones).
pub async fn invitations_page(
    db: &Db,
    workspace_id: &str,
    status: Option<&str>,
    now: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InvitationRecord>, i64), sqlx::Error> {
    let filter = match status {
        Some("pending") => " AND status = 'pending' AND expires_at > $2",
        Some("expired") => " AND status = 'pending' AND expires_at <= $2",
        Some("accepted") => " AND status = 'accepted' AND $2 = $2",
        Some("revoked") => " AND status = 'revoked' AND $2 = $2",
        _ => " AND $2 = $2",
    };
    let rows = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM auth_invitations WHERE workspace_id = $1{filter} \
         ORDER BY created_at DESC, invitation_id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(workspace_id)
    .bind(now)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM auth_invitations WHERE workspace_id = $1{filter}"
    ))
    .bind(workspace_id)
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    Ok((rows.iter().map(invitation).collect(), total))
}

pub async fn invitation_by_token_hash(
    db: &Db,
    hash: &str,
) -> Result<Option<InvitationRecord>, sqlx::Error> {
    Ok(sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM auth_invitations WHERE token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(invitation))
}

pub async fn invitation_by_id(
    db: &Db,
    workspace_id: &str,
    invitation_id: &str,
) -> Result<Option<InvitationRecord>, sqlx::Error> {
    Ok(sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM auth_invitations WHERE workspace_id = $1 AND invitation_id = $2"
    ))
    .bind(workspace_id)
    .bind(invitation_id)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(invitation))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTokenRecord {
    pub token_id: String,
    pub user_id: String,
    pub name: String,
    pub prefix: String,
    pub status: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

fn token(r: &sqlx::any::AnyRow) -> AccountTokenRecord {
    AccountTokenRecord {
        token_id: r.get(0),
        user_id: r.get(1),
        name: r.get(2),
        prefix: r.get(3),
        status: r.get(4),
        created_at: r.get(5),
        last_used_at: r.get(6),
    }
}

const TOKEN_COLUMNS: &str = "token_id, user_id, name, prefix, status, created_at, last_used_at";

pub async fn account_token_by_hash(
    db: &Db,
    hash: &str,
) -> Result<Option<AccountTokenRecord>, sqlx::Error> {
    Ok(sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM auth_account_tokens WHERE token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(token))
}

/// A user's account tokens, newest first.
pub async fn account_tokens_of(
    db: &Db,
    user_id: &str,
) -> Result<Vec<AccountTokenRecord>, sqlx::Error> {
    Ok(sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM auth_account_tokens WHERE user_id = $1 ORDER BY created_at DESC, token_id DESC"
    ))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(token)
    .collect())
}

/// Notes when an account token was last used (at most about once a minute per token).
pub async fn touch_account_token(db: &Db, token_id: &str, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE auth_account_tokens SET last_used_at = $1 WHERE token_id = $2")
        .bind(now)
        .bind(token_id)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession<'a> {
    pub session_hash: &'a str,
    pub session_id: &'a str,
    pub user_id: &'a str,
    pub csrf_token: &'a str,
    pub now: &'a str,
    pub expires_at: &'a str,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn create_session(db: &Db, s: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_sessions (session_hash, session_id, user_id, csrf_token, created_at, last_seen_at, \
         expires_at, client_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
    )
    .bind(s.session_hash)
    .bind(s.session_id)
    .bind(s.user_id)
    .bind(s.csrf_token)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.client_ip)
    .bind(s.user_agent)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub session_id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub revoked: bool,
}

pub async fn session_by_hash(db: &Db, hash: &str) -> Result<Option<SessionRecord>, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT session_id, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at \
         FROM user_sessions WHERE session_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| SessionRecord {
        session_id: r.get(0),
        user_id: r.get(1),
        csrf_token: r.get(2),
        created_at: r.get(3),
        last_seen_at: r.get(4),
        expires_at: r.get(5),
        revoked: r.get::<Option<String>, _>(6).is_some(),
    }))
}

pub async fn touch_session(db: &Db, session_id: &str, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE user_sessions SET last_seen_at = $1 WHERE session_id = $2")
        .bind(now)
        .bind(session_id)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

/// Ends one session.
pub async fn revoke_session(db: &Db, session_id: &str, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE user_sessions SET revoked_at = $1 WHERE session_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(session_id)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Ends every session of a user ("sign out everywhere", a password change); returns how many.
pub async fn revoke_sessions_of(db: &Db, user_id: &str, now: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&db.pool)
    .await?
    .rows_affected())
}

/// Ids of every live workspace, oldest first (for the command line's first owner).
pub async fn live_workspaces(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT workspace_id FROM auth_workspaces WHERE deleted = 0 ORDER BY workspace_id",
    )
    .fetch_all(&db.pool)
    .await
}

/// Keeps a password-reset link's hash (good once until `expires_at`).
pub async fn create_password_reset(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Uses a password-reset link: the user it was for, if it exists, is unused and has not expired
/// at `now`. Marked used in the same statement, so a link works once even when raced.
pub async fn use_password_reset(
    db: &Db,
    token_hash: &str,
    now: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE user_password_resets SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}

/// Ends every other reset link of a user (after one was used).
pub async fn close_password_resets(db: &Db, user_id: &str, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE user_password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// The user a reset link is for, if it is unused and open at `now` (without using it).
pub async fn password_reset_user(
    db: &Db,
    token_hash: &str,
    now: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM user_password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}

/// Ends every session of a user but one (after a password change made in that one).
pub async fn revoke_other_sessions(
    db: &Db,
    user_id: &str,
    keep_session_id: &str,
    now: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_sessions SET revoked_at = $1 WHERE user_id = $2 AND session_id <> $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(keep_session_id)
    .execute(&db.pool)
    .await?
    .rows_affected())
}

/// A user's second factor: the secret in force and one being set up (base32).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactor {
    pub secret: Option<String>,
    pub pending: Option<String>,
}

pub async fn second_factor(db: &Db, user_id: &str) -> Result<SecondFactor, sqlx::Error> {
    Ok(sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT totp_secret, totp_pending FROM user_credentials WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|(secret, pending)| SecondFactor { secret, pending })
    .unwrap_or_default())
}

/// Keeps a secret being set up (it replaces an earlier one that was never confirmed).
pub async fn set_pending_second_factor(
    db: &Db,
    user_id: &str,
    secret: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE user_credentials SET totp_pending = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(secret)
            .execute(&db.pool)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Puts the pending secret in force (once its first code was right).
pub async fn enable_second_factor(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE user_credentials SET totp_secret = totp_pending, totp_pending = NULL WHERE user_id = $1 AND totp_pending IS NOT NULL",
    )
    .bind(user_id)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

pub async fn disable_second_factor(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE user_credentials SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE user_id = $1",
    )
    .bind(user_id)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Claims a code's time step: true once per step and only for steps after the last one claimed,
/// so a code (or an older one) never works twice, even when raced.
pub async fn claim_second_factor_step(
    db: &Db,
    user_id: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_credentials SET totp_last_step = $2 \
         WHERE user_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1)
}

/// Keeps an email-verification link's hash (for `email`, good once until `expires_at`).
pub async fn create_email_verification(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    email: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_email_verifications (token_hash, user_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .bind(expires_at)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Uses an email-verification link: `(user_id, email)` if it is unused and open at `now`.
pub async fn use_email_verification(
    db: &Db,
    token_hash: &str,
    now: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE user_email_verifications SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, email",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}
