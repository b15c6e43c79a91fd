//! People: `/api/v1/auth` (sign in and out, who am I), `/api/v1/members` (a workspace's team and
//! roles), `/api/v1/invitations` (asking someone to join, by email) and `/api/v1/account-tokens`
//! (personal tokens that act as their owner).

use crate::auth::{generate_key, hash_secret, parse_key, Caller, KeyKind, Seat, Via};
use crate::entropy::Entropy;
use crate::error::{current_request_id, ApiError};
use crate::http::{
    base_url, envelope, json_body, list_filter, param, query_pairs, Data, Page, POSITION_HEADER,
};
use crate::limits::{Check, Decision, Policy};
use crate::people as auth_people;
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use keel_commands::people::{
    normalize_email, SignInAggregate, SignInCommand, TeamAggregate, TeamCommand, UserAggregate,
    UserCommand,
};
use keel_commands::{execute, Execution};
use keel_events::{
    AccountTokenId, Actor, InvitationId, Metadata, Role, StreamId, UserId, WorkspaceId,
};
use keel_infra::people as rows;
use keel_schemas::format_ts;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Invitations are open this long unless the inviter says otherwise.
pub const INVITATION_DAYS: i64 = 7;

/// Sign-in attempts: per client address, and per account (whatever the address).
const LOGIN_PER_ADDRESS: Policy = Policy {
    per_minute: 20,
    burst: 10,
};
const LOGIN_PER_ACCOUNT: Policy = Policy {
    per_minute: 10,
    burst: 0,
};

/// Counts one attempt against a bucket; 429 when it is spent.
async fn throttle(state: &AppState, bucket: String, policy: Policy) -> Result<(), ApiError> {
    let check = Check {
        bucket,
        policy,
        quota: None,
    };
    match state.limiter.decide(&state.db, &check, Utc::now()).await? {
        Decision::Allowed(_) => Ok(()),
        Decision::RateLimited(l) | Decision::QuotaExceeded(l) => Err(ApiError::RateLimited(l)),
    }
}

async fn throttle_sign_in(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
) -> Result<(), ApiError> {
    let ip =
        crate::routes::pixel::client_ip(req).map_or_else(|| "unknown".into(), |ip| ip.to_string());
    throttle(state, format!("signin-ip:{ip}"), LOGIN_PER_ADDRESS).await?;
    throttle(
        state,
        format!("signin-account:{}", hash_secret(email)),
        LOGIN_PER_ACCOUNT,
    )
    .await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub workspace_id: String,
    /// owner, admin, analyst, auditor or viewer
    pub role: String,
    pub joined_at: String,
}

/// Who is signed in, and what they may do in the workspace this request acts in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub user: UserView,
    /// Whether a link sent to the address came back (`POST /auth/verify-email` sends one).
    pub email_verified: bool,
    /// `session` or `account_token`
    pub via: &'static str,
    /// With a session: send it back as `X-CSRF-Token` on every write.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub csrf_token: Option<String>,
    /// The workspace this request acts in (`X-Workspace-ID`, or the only one).
    pub workspace_id: Option<String>,
    pub role: Option<String>,
    /// What the role allows there.
    pub scopes: Vec<String>,
    pub workspaces: Vec<MembershipView>,
}

/// A new session: the `keel_session` cookie is set beside this answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    pub user: UserView,
    /// Send it back as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
    pub expires_at: String,
    pub workspaces: Vec<MembershipView>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
    /// The 6-digit code of the authenticator app, for an account with a second factor.
    otp: Option<String>,
}

fn user_view(u: &rows::UserRecord) -> UserView {
    UserView {
        id: u.user_id.clone(),
        email: u.email.clone(),
        name: u.name.clone(),
    }
}

async fn memberships(state: &AppState, user_id: &str) -> Result<Vec<MembershipView>, ApiError> {
    Ok(rows::memberships(&state.db, user_id)
        .await?
        .into_iter()
        .map(|m| MembershipView {
            workspace_id: m.workspace_id,
            role: m.role,
            joined_at: m.joined_at,
        })
        .collect())
}

fn user_id_of(u: &rows::UserRecord) -> Result<UserId, ApiError> {
    u.user_id
        .parse()
        .map_err(|_| ApiError::Internal("corrupt user id".into()))
}

/// A sign-in or a failed attempt, in the audit log of every workspace the person belongs to, with
/// the client's address.
async fn record_sign_in(
    state: &AppState,
    req: &HttpRequest,
    user_id: &str,
    command: SignInCommand,
) -> Result<(), ApiError> {
    let user = match &command {
        SignInCommand::Succeeded { user_id, .. } | SignInCommand::Failed { user_id, .. } => {
            *user_id
        }
    };
    for m in rows::memberships(&state.db, user_id).await? {
        let Ok(ws) = m.workspace_id.parse::<WorkspaceId>() else {
            continue;
        };
        let exec = Execution {
            tenant_id: ws,
            stream_id: StreamId::sign_in(uuid::Uuid::now_v7()),
            expected_version: None,
            metadata: person_meta(req, user),
            now: state.config.clock.now(),
            new_stream: true,
        };
        execute::<SignInAggregate>(&state.store, &exec, &command, || {
            keel_events::EventId::new_v7()
        })
        .await?;
    }
    Ok(())
}

async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    user: &rows::UserRecord,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let (token, csrf, expires, session_id) =
        auth_people::start_session(state, req, &user.user_id).await?;
    record_sign_in(
        state,
        req,
        &user.user_id,
        SignInCommand::Succeeded {
            user_id: user_id_of(user)?,
            session_id,
        },
    )
    .await?;
    let body = SignedIn {
        user: user_view(user),
        csrf_token: csrf,
        expires_at: format_ts(expires),
        workspaces: memberships(state, &user.user_id).await?,
    };
    Ok(HttpResponse::build(status)
        .cookie(auth_people::cookie(state, Some(&token)))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": body })))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "people", security(()), request_body = LoginBody,
    responses((status = 200, description = "signed in: the `keel_session` cookie is set (HttpOnly, SameSite=Lax, Secure unless KEEL_DEV)", body = Data<SignedIn>),
        (status = 401, description = "the email or the password is wrong (the same answer for both)", body = crate::openapi::ErrorBody),
        (status = 429, description = "too many attempts for this address or account", body = crate::openapi::ErrorBody)))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: LoginBody = json_body(body, state.config.max_body_bytes).await?;
    let email = normalize_email(&body.email);
    throttle_sign_in(&state, &req, &email).await?;
    let user = rows::user_by_email(&state.db, &email).await?;
    let stored = match &user {
        Some(u) => rows::password_hash(&state.db, &u.user_id).await?,
        None => None,
    };
    let ok = auth_people::verify_password(body.password, stored).await;
    match user {
        Some(u) if ok => {
            let factor = rows::second_factor(&state.db, &u.user_id).await?;
            if let Some(secret) = factor.secret {
                let Some(code) = body.otp else {
                    return Err(ApiError::SecondFactorRequired);
                };
                let now = state.config.clock.now();
                let step = auth_people::totp_step(&secret, &code, now);
                let fresh = match step {
                    Some(s) => rows::claim_second_factor_step(&state.db, &u.user_id, s).await?,
                    None => false,
                };
                if !fresh {
                    tracing::info!(request_id = %current_request_id(), user = %u.user_id, "sign-in refused: wrong or used second-factor code");
                    record_sign_in(
                        &state,
                        &req,
                        &u.user_id,
                        SignInCommand::Failed {
                            user_id: user_id_of(&u)?,
                            reason: "wrong_second_factor".into(),
                        },
                    )
                    .await?;
                    return Err(ApiError::InvalidCredentials);
                }
            }
            signed_in(&state, &req, &u, StatusCode::OK).await
        }
        Some(u) => {
            tracing::info!(request_id = %current_request_id(), user = %u.user_id, "sign-in refused: wrong password");
            record_sign_in(
                &state,
                &req,
                &u.user_id,
                SignInCommand::Failed {
                    user_id: user_id_of(&u)?,
                    reason: "wrong_password".into(),
                },
            )
            .await?;
            Err(ApiError::InvalidCredentials)
        }
        None => {
            tracing::info!(request_id = %current_request_id(), "sign-in refused: unknown address");
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// A reset link works this long.
pub const RESET_VALID_MINUTES: i64 = 60;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    email: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetRequested {
    /// Always `requested`: whether the address has an account is not said.
    pub status: &'static str,
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "people", security(()), request_body = ResetRequestBody,
    responses((status = 202, description = "if the address has an account, a link to choose a new password is emailed (good once, for an hour); the answer is the same either way", body = Data<ResetRequested>),
        (status = 429, description = "too many attempts for this address or account", body = crate::openapi::ErrorBody)))]
pub async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: ResetRequestBody = json_body(body, state.config.max_body_bytes).await?;
    let email = normalize_email(&body.email);
    throttle_sign_in(&state, &req, &email).await?;
    if let Some(user) = rows::user_by_email(&state.db, &email).await? {
        match state.mailer.clone() {
            Some(mailer) => {
                let token = generate_key(KeyKind::Reset, &mut rand::rngs::OsRng);
                let now = state.config.clock.now();
                let expires = now + Duration::minutes(RESET_VALID_MINUTES);
                rows::create_password_reset(
                    &state.db,
                    &hash_secret(&token),
                    &user.user_id,
                    &format_ts(now),
                    &format_ts(expires),
                )
                .await?;
                let url = format!("{}/password-reset?token={token}", base_url(&req));
                let text = format!(
                    "Someone asked to reset the password of your Keel account ({email}).\n\n\
                     Choose a new one here (the link works once, for an hour):\n{url}\n\n\
                     If it was not you, ignore this message: your password stays as it is.\n"
                );
                // Sent after the answer, which must not take longer for a known address.
                tokio::spawn(async move {
                    if let Err(e) = mailer
                        .send(&user.email, "Reset your Keel password", text)
                        .await
                    {
                        tracing::warn!(error = %e, "the password-reset email could not be sent");
                    }
                });
            }
            None => tracing::warn!(
                "a password reset was asked for, but without KEEL_SMTP_URL nothing was sent"
            ),
        }
    }
    Ok(HttpResponse::Accepted()
        .json(json!({ "status": "ok", "data": ResetRequested { status: "requested" } })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmBody {
    /// The `token` of the emailed link (`keel_reset_…`).
    token: String,
    /// The new password: at least 10 characters, not a common one.
    password: String,
}

/// Sets a person's password: the hash beside the log, the fact in it.
async fn set_password(
    state: &AppState,
    req: &HttpRequest,
    user: &rows::UserRecord,
    password: String,
) -> Result<(), ApiError> {
    let hash = auth_people::hash_password(password).await?;
    let now = state.config.clock.now();
    rows::set_password_hash(&state.db, &user.user_id, &hash, &format_ts(now)).await?;
    let user_id = user_id_of(user)?;
    let tenant = rows::memberships(&state.db, &user.user_id)
        .await?
        .first()
        .and_then(|m| m.workspace_id.parse().ok())
        .unwrap_or(WorkspaceId(uuid::Uuid::nil()));
    let exec = Execution {
        tenant_id: tenant,
        stream_id: StreamId::user(user_id),
        expected_version: None,
        metadata: person_meta(req, user_id),
        now,
        new_stream: false,
    };
    execute::<UserAggregate>(
        &state.store,
        &exec,
        &UserCommand::ChangePassword,
        Entropy::of(req).event_ids(),
    )
    .await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "people", security(()), request_body = ResetConfirmBody,
    responses((status = 204, description = "the password is changed and every session of the person has ended"),
        (status = 410, description = "the link is unknown, used or expired", body = crate::openapi::ErrorBody),
        (status = 422, description = "weak password (the link stays good)", body = crate::openapi::ErrorBody)))]
pub async fn confirm_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: ResetConfirmBody = json_body(body, state.config.max_body_bytes).await?;
    let token = body.token.trim();
    if parse_key(token) != Some(KeyKind::Reset) {
        return Err(ApiError::LinkExpired);
    }
    let hash = hash_secret(token);
    let now = format_ts(state.config.clock.now());
    let user_id = rows::password_reset_user(&state.db, &hash, &now)
        .await?
        .ok_or(ApiError::LinkExpired)?;
    let user = rows::user_by_id(&state.db, &user_id)
        .await?
        .ok_or(ApiError::LinkExpired)?;
    if let Some(m) = auth_people::weak_password(&body.password, &user.email) {
        return Err(keel_commands::DomainError::field("password", m).into());
    }
    // Used here, once: a second confirmation with the same link finds it used.
    rows::use_password_reset(&state.db, &hash, &now)
        .await?
        .ok_or(ApiError::LinkExpired)?;
    set_password(&state, &req, &user, body.password).await?;
    rows::close_password_resets(&state.db, &user.user_id, &now).await?;
    rows::revoke_sessions_of(&state.db, &user.user_id, &now).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "people", request_body = PasswordBody,
    responses((status = 204, description = "changed; every other session of the person has ended"),
        (status = 401, description = "the current password is wrong", body = crate::openapi::ErrorBody),
        (status = 422, description = "weak new password", body = crate::openapi::ErrorBody)))]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let body: PasswordBody = json_body(body, state.config.max_body_bytes).await?;
    throttle_sign_in(&state, &req, &u.email).await?;
    let stored = rows::password_hash(&state.db, &u.user_id.to_string()).await?;
    if !auth_people::verify_password(body.current_password, stored).await {
        return Err(ApiError::InvalidCredentials);
    }
    if let Some(m) = auth_people::weak_password(&body.new_password, &u.email) {
        return Err(keel_commands::DomainError::field("new_password", m).into());
    }
    let user = rows::user_by_id(&state.db, &u.user_id.to_string())
        .await?
        .ok_or(ApiError::SessionExpired)?;
    set_password(&state, &req, &user, body.new_password).await?;
    let now = format_ts(state.config.clock.now());
    match &u.via {
        Via::Session { session_id, .. } => {
            rows::revoke_other_sessions(&state.db, &user.user_id, session_id, &now).await?
        }
        Via::AccountToken { .. } => {
            rows::revoke_sessions_of(&state.db, &user.user_id, &now).await?
        }
    };
    Ok(HttpResponse::NoContent().finish())
}

/// A verification link works this long.
pub const VERIFY_VALID_HOURS: i64 = 24;

#[derive(Serialize, utoipa::ToSchema)]
pub struct VerificationSent {
    /// `sent`, or `verified` when the address was verified already.
    pub status: &'static str,
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "people",
    responses((status = 202, description = "a link was emailed to your address (good once, for a day)", body = Data<VerificationSent>),
        (status = 200, description = "the address is verified already", body = Data<VerificationSent>),
        (status = 409, description = "Keel has no mail server (`KEEL_SMTP_URL`)", body = crate::openapi::ErrorBody)))]
pub async fn send_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let user = rows::user_by_id(&state.db, &u.user_id.to_string())
        .await?
        .ok_or(ApiError::SessionExpired)?;
    if user.email_verified {
        return Ok(HttpResponse::Ok()
            .json(json!({ "status": "ok", "data": VerificationSent { status: "verified" } })));
    }
    let Some(mailer) = &state.mailer else {
        return Err(ApiError::Conflict(
            "Keel has no mail server to send the link with (KEEL_SMTP_URL); ask its operator"
                .into(),
        ));
    };
    throttle_sign_in(&state, &req, &user.email).await?;
    let token = generate_key(KeyKind::Verify, &mut rand::rngs::OsRng);
    let now = state.config.clock.now();
    rows::create_email_verification(
        &state.db,
        &hash_secret(&token),
        &user.user_id,
        &user.email,
        &format_ts(now),
        &format_ts(now + Duration::hours(VERIFY_VALID_HOURS)),
    )
    .await?;
    let url = format!("{}/verify-email?token={token}", base_url(&req));
    let text = format!(
        "Confirm that {email} is your address on Keel (the link works once, for a day):\n{url}\n\n\
         If you did not ask for this, ignore this message.\n",
        email = user.email
    );
    mailer
        .send(&user.email, "Confirm your email address for Keel", text)
        .await
        .map_err(|e| ApiError::Unavailable(format!("mail server: {e}")))?;
    Ok(HttpResponse::Accepted()
        .json(json!({ "status": "ok", "data": VerificationSent { status: "sent" } })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeTokenBody {
    /// The `token` of the emailed link (`keel_verify_…`).
    token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email/confirm", tag = "people", security(()), request_body = CodeTokenBody,
    responses((status = 204, description = "the address is verified"),
        (status = 410, description = "the link is unknown, used or expired", body = crate::openapi::ErrorBody),
        (status = 422, description = "the account's address changed since the link was sent", body = crate::openapi::ErrorBody)))]
pub async fn confirm_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CodeTokenBody = json_body(body, state.config.max_body_bytes).await?;
    let token = body.token.trim();
    if parse_key(token) != Some(KeyKind::Verify) {
        return Err(ApiError::LinkExpired);
    }
    let now = state.config.clock.now();
    let (user_id, email) =
        rows::use_email_verification(&state.db, &hash_secret(token), &format_ts(now))
            .await?
            .ok_or(ApiError::LinkExpired)?;
    let user_id: UserId = user_id
        .parse()
        .map_err(|_| ApiError::Internal("corrupt user id".into()))?;
    let tenant = rows::memberships(&state.db, &user_id.to_string())
        .await?
        .first()
        .and_then(|m| m.workspace_id.parse().ok())
        .unwrap_or(WorkspaceId(uuid::Uuid::nil()));
    let exec = Execution {
        tenant_id: tenant,
        stream_id: StreamId::user(user_id),
        expected_version: None,
        metadata: person_meta(&req, user_id),
        now,
        new_stream: false,
    };
    execute::<UserAggregate>(
        &state.store,
        &exec,
        &UserCommand::VerifyEmail { email },
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SecondFactorSetup {
    /// The secret, base32 (to type into an authenticator app). Shown this once.
    pub secret: String,
    /// The same as an `otpauth://` URL (for a QR code).
    pub otpauth_url: String,
}

/// Records a change of the second factor in the person's stream.
async fn second_factor_event(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    command: UserCommand,
) -> Result<(), ApiError> {
    let u = person(caller)?;
    let exec = execution(
        req,
        caller,
        person_tenant(u),
        StreamId::user(u.user_id),
        None,
    );
    execute::<UserAggregate>(&state.store, &exec, &command, Entropy::of(req).event_ids()).await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/totp", tag = "people",
    responses((status = 200, description = "a new secret to add to an authenticator app; it is in force once `POST /auth/totp/confirm` gets its first code", body = Data<SecondFactorSetup>),
        (status = 409, description = "a second factor is on already", body = crate::openapi::ErrorBody)))]
pub async fn totp_setup(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let user_id = u.user_id.to_string();
    if rows::second_factor(&state.db, &user_id)
        .await?
        .secret
        .is_some()
    {
        return Err(keel_commands::DomainError::AlreadyExists("second factor").into());
    }
    let secret = auth_people::new_totp_secret();
    if !rows::set_pending_second_factor(&state.db, &user_id, &secret).await? {
        return Err(ApiError::Conflict(
            "this account has no password to add a second factor to".into(),
        ));
    }
    let label: String =
        url::form_urlencoded::byte_serialize(format!("Keel:{}", u.email).as_bytes()).collect();
    let body = SecondFactorSetup {
        otpauth_url: format!(
            "otpauth://totp/{label}?secret={secret}&issuer=Keel&algorithm=SHA1&digits=6&period={}",
            auth_people::TOTP_STEP_SECS
        ),
        secret,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": body })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The 6-digit code the authenticator app shows now.
    code: String,
}

#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "people", request_body = CodeBody,
    responses((status = 204, description = "the second factor is on: signing in now also needs a code"),
        (status = 404, description = "no secret is being set up (`POST /auth/totp` first)", body = crate::openapi::ErrorBody),
        (status = 422, description = "not the current code", body = crate::openapi::ErrorBody)))]
pub async fn totp_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let body: CodeBody = json_body(body, state.config.max_body_bytes).await?;
    let user_id = u.user_id.to_string();
    let pending = rows::second_factor(&state.db, &user_id)
        .await?
        .pending
        .ok_or(ApiError::NotFound("second factor being set up"))?;
    let step = auth_people::totp_step(&pending, &body.code, state.config.clock.now()).ok_or_else(
        || keel_commands::DomainError::field("code", "is not the current code of this secret"),
    )?;
    rows::claim_second_factor_step(&state.db, &user_id, step).await?;
    second_factor_event(&state, &req, &caller, UserCommand::EnableSecondFactor).await?;
    rows::enable_second_factor(&state.db, &user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableBody {
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/totp/disable", tag = "people", request_body = DisableBody,
    responses((status = 204, description = "the second factor is off"),
        (status = 401, description = "wrong password", body = crate::openapi::ErrorBody),
        (status = 404, description = "no second factor is on", body = crate::openapi::ErrorBody)))]
pub async fn totp_disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let body: DisableBody = json_body(body, state.config.max_body_bytes).await?;
    throttle_sign_in(&state, &req, &u.email).await?;
    let user_id = u.user_id.to_string();
    let stored = rows::password_hash(&state.db, &user_id).await?;
    if !auth_people::verify_password(body.password, stored).await {
        return Err(ApiError::InvalidCredentials);
    }
    second_factor_event(&state, &req, &caller, UserCommand::DisableSecondFactor).await?;
    rows::disable_second_factor(&state.db, &user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LogoutQuery {
    /// `true`: end every session of this person, on every device.
    everywhere: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "people", params(LogoutQuery),
    responses((status = 204, description = "signed out; the cookie is cleared")))]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let Caller::User(u) = &caller else {
        return Err(ApiError::Internal("logout without a person".into()));
    };
    let pairs = query_pairs(&req);
    let everywhere = match param(&pairs, "everywhere") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "`everywhere` must be true or false".into(),
            ))
        }
    };
    let now = format_ts(state.config.clock.now());
    if everywhere {
        rows::revoke_sessions_of(&state.db, &u.user_id.to_string(), &now).await?;
    } else {
        match &u.via {
            Via::Session { session_id, .. } => {
                rows::revoke_session(&state.db, session_id, &now).await?
            }
            Via::AccountToken { .. } => {
                return Err(ApiError::BadRequest(
                    "an account token has no session: revoke it with DELETE /api/v1/account-tokens/{id}, or end every session with ?everywhere=true".into(),
                ))
            }
        }
    }
    Ok(HttpResponse::NoContent()
        .cookie(auth_people::cookie(&state, None))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "people",
    responses((status = 200, description = "the signed-in person, their workspaces and, with a session, the CSRF token", body = Data<MeView>),
        (status = 401, body = crate::openapi::ErrorBody)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let Caller::User(u) = &caller else {
        return Err(ApiError::Internal("me without a person".into()));
    };
    let (workspace_id, role) = match &u.seat {
        Seat::In(ws, role) => (Some(ws.to_string()), Some(*role)),
        _ => (None, None),
    };
    let email_verified = rows::user_by_id(&state.db, &u.user_id.to_string())
        .await?
        .is_some_and(|r| r.email_verified);
    let body = MeView {
        email_verified,
        user: UserView {
            id: u.user_id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
        },
        via: match u.via {
            Via::Session { .. } => "session",
            Via::AccountToken { .. } => "account_token",
        },
        csrf_token: match &u.via {
            Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
            Via::AccountToken { .. } => None,
        },
        workspace_id,
        role: role.map(|r| r.to_string()),
        scopes: role.map_or_else(Vec::new, |r| {
            crate::access::role_scopes(r)
                .iter()
                .map(|s| s.to_string())
                .collect()
        }),
        workspaces: memberships(&state, &u.user_id.to_string()).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": body })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// owner, admin, analyst, auditor or viewer
    pub role: String,
    pub joined_at: String,
}

fn member_view(m: rows::MemberRecord) -> MemberView {
    MemberView {
        user_id: m.user_id,
        email: m.email,
        name: m.name,
        role: m.role,
        joined_at: m.joined_at,
    }
}

fn role_param(raw: Option<&str>) -> Result<Option<Role>, ApiError> {
    raw.map(|r| {
        r.parse::<Role>().map_err(|m| {
            ApiError::Validation(vec![keel_commands::FieldError {
                field: "role".into(),
                message: m,
            }])
        })
    })
    .transpose()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MembersQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    /// Only members with this role.
    role: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/members", tag = "people", params(MembersQuery),
    responses((status = 200, description = "the workspace's members, longest-standing first", body = Page<MemberView>)))]
pub async fn members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let f = list_filter(&req, &[], &[])?;
    let pairs = query_pairs(&req);
    let role = role_param(param(&pairs, "role"))?;
    let (page, total) = rows::members_page(
        &state.db,
        &ws.to_string(),
        role.map(Role::as_str),
        f.limit,
        f.offset,
    )
    .await?;
    Ok(envelope(
        &req,
        page.into_iter().map(member_view).collect(),
        total,
        &f,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// owner, admin, analyst, auditor or viewer (only owners grant or take away `owner`)
    role: String,
}

async fn member(state: &AppState, ws: WorkspaceId, user: UserId) -> Result<MemberView, ApiError> {
    // The team is small; its page holds the member.
    let (all, _) = rows::members_page(&state.db, &ws.to_string(), None, 100_000, 0).await?;
    all.into_iter()
        .find(|m| m.user_id == user.to_string())
        .map(member_view)
        .ok_or(ApiError::NotFound("member"))
}

#[utoipa::path(patch, path = "/api/v1/members/{user_id}", tag = "people", params(("user_id" = String, Path, description = "the member's user id")), request_body = RoleBody,
    responses((status = 200, body = Data<MemberView>),
        (status = 403, description = "only owners grant or take away the owner role", body = crate::openapi::ErrorBody),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "the workspace's last owner keeps that role", body = crate::openapi::ErrorBody)))]
pub async fn change_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let user = path_id::<UserId>(&path, "member")?;
    // Another workspace's member (or nobody) is not found, whatever the body says.
    if rows::membership(&state.db, &user.to_string(), &ws.to_string())
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("member"));
    }
    let body: RoleBody = json_body(body, state.config.max_body_bytes).await?;
    let role = role_param(Some(&body.role))?.unwrap_or(Role::Viewer);
    let command = TeamCommand::ChangeRole {
        workspace_id: ws,
        user_id: user,
        role,
        by_owner: caller.is_owner(),
    };
    let exec = execution(&req, &caller, ws, StreamId::team(ws), None);
    let (outcome, _) =
        execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .json(json!({ "status": "ok", "data": member(&state, ws, user).await? })))
}

#[utoipa::path(delete, path = "/api/v1/members/{user_id}", tag = "people", params(("user_id" = String, Path, description = "the member's user id")),
    responses((status = 204, description = "removed: their sessions and tokens no longer reach this workspace"),
        (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "the workspace's last owner cannot leave", body = crate::openapi::ErrorBody)))]
pub async fn remove_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let user = path_id::<UserId>(&path, "member")?;
    let command = TeamCommand::Remove {
        workspace_id: ws,
        user_id: user,
        by_owner: caller.is_owner(),
    };
    let exec = execution(&req, &caller, ws, StreamId::team(ws), None);
    let (outcome, _) =
        execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub role: String,
    /// pending, accepted, revoked or expired
    pub status: String,
    pub expires_at: String,
    pub created_at: String,
    pub accepted_by: Option<String>,
    /// On create and resend: whether the link went out by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub email_sent: Option<bool>,
    /// On create and resend, when it did not go out by email (no `KEEL_SMTP_URL`, or the server
    /// refused): the link to pass on yourself. Shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub invite_url: Option<String>,
}

fn invitation_view(i: rows::InvitationRecord, now: &str) -> InvitationView {
    let status = if i.status == "pending" && i.expires_at.as_str() <= now {
        "expired".to_string()
    } else {
        i.status
    };
    InvitationView {
        id: i.invitation_id,
        workspace_id: i.workspace_id,
        email: i.email,
        role: i.role,
        status,
        expires_at: i.expires_at,
        created_at: i.created_at,
        accepted_by: i.accepted_by,
        email_sent: None,
        invite_url: None,
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    email: String,
    /// owner (owners only), admin, analyst, auditor or viewer
    role: String,
    /// How long the link works, 1 to 30 days; default 7.
    expires_in_days: Option<i64>,
}

/// Sends the link by email when a mail server is configured; otherwise (or when it refuses) the
/// link goes back to the inviter. Either way the link itself is never logged.
async fn deliver(
    state: &AppState,
    req: &HttpRequest,
    view: &mut InvitationView,
    token: &str,
    inviter: &str,
) {
    let url = format!("{}/invitations/accept?token={token}", base_url(req));
    // From the workspace's own stream: its read model may not have caught up with a workspace
    // created a moment ago.
    let workspace =
        match view.workspace_id.parse() {
            Ok(ws) => crate::routes::load_aggregate::<
                keel_commands::workspace::WorkspaceAggregate,
                _,
            >(state, &StreamId::workspace(ws), "workspace", |w| !w.deleted)
            .await
            .ok()
            .map(|(w, _)| w.name),
            Err(_) => None,
        }
        .map_or_else(|| "a workspace".to_string(), |name| format!("\"{name}\""));
    match &state.mailer {
        Some(mailer) => {
            let body = format!(
                "{inviter} invited you to join {workspace} on Keel as {role}.\n\n\
                 Accept the invitation here (the link works once, until {expires}):\n{url}\n\n\
                 If you did not expect this, ignore this message.\n",
                role = view.role,
                expires = view.expires_at,
            );
            match mailer
                .send(
                    &view.email,
                    &format!("You are invited to {workspace} on Keel"),
                    body,
                )
                .await
            {
                Ok(()) => {
                    view.email_sent = Some(true);
                    tracing::info!(invitation = %view.id, "invitation emailed");
                }
                Err(e) => {
                    tracing::warn!(invitation = %view.id, error = %e, "invitation email failed; the link was returned to the inviter");
                    view.email_sent = Some(false);
                    view.invite_url = Some(url);
                }
            }
        }
        None => {
            tracing::info!(invitation = %view.id, "no KEEL_SMTP_URL: the invitation link was returned to the inviter");
            view.email_sent = Some(false);
            view.invite_url = Some(url);
        }
    }
}

fn inviter_name(caller: &Caller) -> String {
    match caller {
        Caller::User(u) => format!("{} <{}>", u.name, u.email),
        Caller::Operator => "The operator".into(),
        Caller::Key(k) => format!("The API key \"{}\"", k.name),
    }
}

#[utoipa::path(post, path = "/api/v1/invitations", tag = "people", request_body = InviteBody,
    responses((status = 201, description = "invited: the link is emailed, or returned in `data.invite_url` without a mail server", body = Data<InvitationView>),
        (status = 403, description = "only owners invite owners", body = crate::openapi::ErrorBody),
        (status = 409, description = "already a member, or an invitation for this address is pending", body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: InviteBody = json_body(body, state.config.max_body_bytes).await?;
    let role = role_param(Some(&body.role))?.unwrap_or(Role::Viewer);
    let days = body.expires_in_days.unwrap_or(INVITATION_DAYS);
    if !(1..=30).contains(&days) {
        return Err(keel_commands::DomainError::field("expires_in_days", "must be 1 to 30").into());
    }
    let entropy = Entropy::of(&req);
    let token = generate_key(KeyKind::Invitation, &mut entropy.rng());
    let id = InvitationId(entropy.uuid_v7());
    let now = state.config.clock.now();
    let command = TeamCommand::Invite {
        invitation_id: id,
        workspace_id: ws,
        email: body.email,
        role,
        expires_at: now + Duration::days(days),
        token_hash: hash_secret(&token),
        now,
        by_owner: caller.is_owner(),
    };
    let exec = Execution {
        now,
        ..execution(&req, &caller, ws, StreamId::team(ws), None)
    };
    let (outcome, _) =
        execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let record = rows::invitation_by_id(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or_else(|| ApiError::Internal("invitation missing after create".into()))?;
    let mut view = invitation_view(record, &format_ts(now));
    deliver(&state, &req, &mut view, &token, &inviter_name(&caller)).await;
    Ok(HttpResponse::Created()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .insert_header(("Location", format!("/api/v1/invitations/{id}")))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": view })))
}

#[utoipa::path(get, path = "/api/v1/invitations", tag = "people", params(crate::openapi::ListQuery),
    responses((status = 200, description = "the workspace's invitations, newest first; `status` = pending, expired, accepted or revoked", body = Page<InvitationView>)))]
pub async fn invitations(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let f = list_filter(&req, &[], &["pending", "expired", "accepted", "revoked"])?;
    let now = format_ts(state.config.clock.now());
    let (page, total) = rows::invitations_page(
        &state.db,
        &ws.to_string(),
        f.status.as_deref(),
        &now,
        f.limit,
        f.offset,
    )
    .await?;
    Ok(envelope(
        &req,
        page.into_iter().map(|i| invitation_view(i, &now)).collect(),
        total,
        &f,
    ))
}

#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "people", params(("id" = String, Path, description = "invitation id")),
    responses((status = 204, description = "revoked: the link no longer works"), (status = 404, body = crate::openapi::ErrorBody),
        (status = 410, description = "already accepted", body = crate::openapi::ErrorBody)))]
pub async fn revoke_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<InvitationId>(&path, "invitation")?;
    let command = TeamCommand::Revoke {
        invitation_id: id,
        workspace_id: ws,
    };
    let exec = execution(&req, &caller, ws, StreamId::team(ws), None);
    let (outcome, _) =
        execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "people", params(("id" = String, Path, description = "invitation id")),
    responses((status = 200, description = "a new link (the old one stops working), open for another 7 days", body = Data<InvitationView>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody),
        (status = 410, description = "accepted or revoked", body = crate::openapi::ErrorBody)))]
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<InvitationId>(&path, "invitation")?;
    let entropy = Entropy::of(&req);
    let token = generate_key(KeyKind::Invitation, &mut entropy.rng());
    let now = state.config.clock.now();
    let command = TeamCommand::Resend {
        invitation_id: id,
        workspace_id: ws,
        expires_at: now + Duration::days(INVITATION_DAYS),
        token_hash: hash_secret(&token),
        now,
    };
    let exec = Execution {
        now,
        ..execution(&req, &caller, ws, StreamId::team(ws), None)
    };
    let (outcome, _) =
        execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let record = rows::invitation_by_id(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("invitation"))?;
    let mut view = invitation_view(record, &format_ts(now));
    deliver(&state, &req, &mut view, &token, &inviter_name(&caller)).await;
    Ok(HttpResponse::Ok()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": view })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The `token` of the invitation link (`keel_inv_…`).
    token: String,
    /// Your name; required when this address has no account yet.
    name: Option<String>,
    /// A new password (at least 10 characters, not a common one) or, when this address has an
    /// account already, its password.
    password: String,
}

#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "people", security(()), request_body = AcceptBody,
    responses((status = 201, description = "joined and signed in: the `keel_session` cookie is set", body = Data<SignedIn>),
        (status = 401, description = "the address has an account and this is not its password", body = crate::openapi::ErrorBody),
        (status = 404, description = "no invitation has this token", body = crate::openapi::ErrorBody),
        (status = 409, description = "already a member", body = crate::openapi::ErrorBody),
        (status = 410, description = "expired, used or revoked", body = crate::openapi::ErrorBody),
        (status = 422, description = "weak password or missing name", body = crate::openapi::ErrorBody)))]
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: AcceptBody = json_body(body, state.config.max_body_bytes).await?;
    if parse_key(body.token.trim()) != Some(KeyKind::Invitation) {
        return Err(ApiError::NotFound("invitation"));
    }
    let inv = rows::invitation_by_token_hash(&state.db, &hash_secret(body.token.trim()))
        .await?
        .ok_or(ApiError::NotFound("invitation"))?;
    throttle_sign_in(&state, &req, &inv.email).await?;
    let now = state.config.clock.now();
    // Closed invitations are refused before any account is made.
    match inv.status.as_str() {
        "accepted" => {
            return Err(keel_commands::DomainError::InvitationClosed("already been used").into())
        }
        "revoked" => {
            return Err(keel_commands::DomainError::InvitationClosed("been revoked").into())
        }
        _ if inv.expires_at.as_str() <= format_ts(now).as_str() => {
            return Err(keel_commands::DomainError::InvitationClosed("expired").into())
        }
        _ => {}
    }
    let ws: WorkspaceId = inv
        .workspace_id
        .parse()
        .map_err(|_| ApiError::Internal("corrupt invitation".into()))?;
    let invitation_id: InvitationId = inv
        .invitation_id
        .parse()
        .map_err(|_| ApiError::Internal("corrupt invitation".into()))?;
    let entropy = Entropy::of(&req);
    let user = match rows::user_by_email(&state.db, &inv.email).await? {
        Some(existing) => {
            let stored = rows::password_hash(&state.db, &existing.user_id).await?;
            if !auth_people::verify_password(body.password, stored).await {
                return Err(ApiError::InvalidCredentials);
            }
            existing
        }
        None => {
            let name = body.name.unwrap_or_default();
            let mut fields = Vec::new();
            if name.trim().is_empty() {
                fields.push(keel_commands::FieldError {
                    field: "name".into(),
                    message: "is required for a new account".into(),
                });
            }
            if let Some(m) = auth_people::weak_password(&body.password, &inv.email) {
                fields.push(keel_commands::FieldError {
                    field: "password".into(),
                    message: m,
                });
            }
            if !fields.is_empty() {
                return Err(ApiError::Validation(fields));
            }
            let user_id = UserId(entropy.uuid_v7());
            let hash = auth_people::hash_password(body.password).await?;
            rows::set_password_hash(&state.db, &user_id.to_string(), &hash, &format_ts(now))
                .await?;
            let exec = Execution {
                tenant_id: ws,
                stream_id: StreamId::user(user_id),
                expected_version: None,
                metadata: person_meta(&req, user_id),
                now,
                new_stream: !entropy.is_seeded(),
            };
            let command = UserCommand::Create {
                user_id,
                email: inv.email.clone(),
                name,
                with_password: true,
                // The invitation was sent to this address, and its link came back.
                email_verified: true,
            };
            execute::<UserAggregate>(&state.store, &exec, &command, entropy.event_ids()).await?;
            rows::user_by_id(&state.db, &user_id.to_string())
                .await?
                .ok_or_else(|| ApiError::Internal("user missing after create".into()))?
        }
    };
    let user_id: UserId = user
        .user_id
        .parse()
        .map_err(|_| ApiError::Internal("corrupt user id".into()))?;
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::team(ws),
        expected_version: None,
        metadata: person_meta(&req, user_id),
        now,
        new_stream: false,
    };
    let command = TeamCommand::Accept {
        invitation_id,
        workspace_id: ws,
        user_id,
        email: user.email.clone(),
        now,
    };
    execute::<TeamAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids()).await?;
    if !user.email_verified {
        // An account that existed proved its mailbox now: the invitation was sent there.
        let exec = Execution {
            stream_id: StreamId::user(user_id),
            ..exec
        };
        let verify = UserCommand::VerifyEmail {
            email: user.email.clone(),
        };
        execute::<UserAggregate>(&state.store, &exec, &verify, || {
            keel_events::EventId::new_v7()
        })
        .await?;
    }
    signed_in(&state, &req, &user, StatusCode::CREATED).await
}

fn person_meta(req: &HttpRequest, user: UserId) -> Metadata {
    Metadata {
        actor: Actor::User(user),
        request_id: Some(current_request_id()),
        causation_id: None,
        correlation_id: req
            .headers()
            .get("X-Correlation-ID")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(128).collect()),
        client_ip: crate::routes::pixel::client_ip(req).map(|ip| ip.to_string()),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountTokenView {
    pub id: String,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    /// active or revoked
    pub status: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// The token (`keel_acct_…`): on create only, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub token: Option<String>,
}

fn token_view(t: rows::AccountTokenRecord) -> AccountTokenView {
    AccountTokenView {
        id: t.token_id,
        name: t.name,
        prefix: t.prefix,
        status: t.status,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        token: None,
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountTokenBody {
    name: String,
}

fn person(caller: &Caller) -> Result<&crate::auth::UserCaller, ApiError> {
    match caller {
        Caller::User(u) => Ok(u),
        _ => Err(ApiError::Internal(
            "a person's route without a person".into(),
        )),
    }
}

/// The tenant a person's own events are recorded under: the workspace the request acts in (so
/// that workspace's auditors see them), else none.
fn person_tenant(u: &crate::auth::UserCaller) -> WorkspaceId {
    match u.seat {
        Seat::In(ws, _) => ws,
        _ => WorkspaceId(uuid::Uuid::nil()),
    }
}

#[utoipa::path(post, path = "/api/v1/account-tokens", tag = "people", request_body = AccountTokenBody,
    responses((status = 201, description = "`data.token` (`keel_acct_…`) is shown this once; it acts as you in every workspace you belong to (choose one with X-Workspace-ID), with your role there", body = Data<AccountTokenView>),
        (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let body: AccountTokenBody = json_body(body, state.config.max_body_bytes).await?;
    let entropy = Entropy::of(&req);
    let token = generate_key(KeyKind::Account, &mut entropy.rng());
    let id = AccountTokenId(entropy.uuid_v7());
    let command = UserCommand::CreateToken {
        token_id: id,
        name: body.name,
        prefix: crate::auth::display_prefix(&token),
        token_hash: hash_secret(&token),
    };
    let exec = execution(
        &req,
        &caller,
        person_tenant(u),
        StreamId::user(u.user_id),
        None,
    );
    let (outcome, _) =
        execute::<UserAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let record = rows::account_tokens_of(&state.db, &u.user_id.to_string())
        .await?
        .into_iter()
        .find(|t| t.token_id == id.to_string())
        .ok_or_else(|| ApiError::Internal("account token missing after create".into()))?;
    let mut view = token_view(record);
    view.token = Some(token);
    Ok(HttpResponse::Created()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok", "data": view })))
}

#[utoipa::path(get, path = "/api/v1/account-tokens", tag = "people", params(crate::openapi::ListQuery),
    responses((status = 200, description = "your account tokens, newest first (prefixes only)", body = Page<AccountTokenView>)))]
pub async fn tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let f = list_filter(&req, &[], &["active", "revoked"])?;
    let all: Vec<_> = rows::account_tokens_of(&state.db, &u.user_id.to_string())
        .await?
        .into_iter()
        .filter(|t| f.status.as_deref().is_none_or(|s| s == t.status))
        .collect();
    let total = all.len() as i64;
    let page = all
        .into_iter()
        .skip(f.offset.max(0) as usize)
        .take(f.limit.max(0) as usize)
        .map(token_view)
        .collect();
    Ok(envelope(&req, page, total, &f))
}

#[utoipa::path(delete, path = "/api/v1/account-tokens/{id}", tag = "people", params(("id" = String, Path, description = "account token id")),
    responses((status = 204, description = "revoked: the token fails on its very next request"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let u = person(&caller)?;
    let id = path_id::<AccountTokenId>(&path, "account token")?;
    let exec = execution(
        &req,
        &caller,
        person_tenant(u),
        StreamId::user(u.user_id),
        None,
    );
    let (outcome, _) = execute::<UserAggregate>(
        &state.store,
        &exec,
        &UserCommand::RevokeToken { token_id: id },
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/login").route(web::post().to(login)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/me").route(web::get().to(me)))
        .service(web::resource("/auth/password").route(web::post().to(change_password)))
        .service(web::resource("/auth/totp").route(web::post().to(totp_setup)))
        .service(web::resource("/auth/verify-email").route(web::post().to(send_verification)))
        .service(
            web::resource("/auth/verify-email/confirm").route(web::post().to(confirm_verification)),
        )
        .service(web::resource("/auth/totp/confirm").route(web::post().to(totp_confirm)))
        .service(web::resource("/auth/totp/disable").route(web::post().to(totp_disable)))
        .service(web::resource("/auth/password-reset").route(web::post().to(request_reset)))
        .service(web::resource("/auth/password-reset/confirm").route(web::post().to(confirm_reset)))
        .service(web::resource("/members").route(web::get().to(members)))
        .service(
            web::resource("/members/{user_id}")
                .route(web::patch().to(change_role))
                .route(web::delete().to(remove_member)),
        )
        .service(
            web::resource("/invitations")
                .route(web::get().to(invitations))
                .route(web::post().to(invite)),
        )
        .service(web::resource("/invitations/accept").route(web::post().to(accept)))
        .service(web::resource("/invitations/{id}").route(web::delete().to(revoke_invitation)))
        .service(web::resource("/invitations/{id}/resend").route(web::post().to(resend)))
        .service(
            web::resource("/account-tokens")
                .route(web::get().to(tokens))
                .route(web::post().to(create_token)),
        )
        .service(web::resource("/account-tokens/{id}").route(web::delete().to(revoke_token)));
}
