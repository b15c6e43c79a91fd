//! The one place where every failure becomes an HTTP status and a stable error code.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use keel_commands::{CommandError, DomainError, FieldError, StoreError};
use serde_json::{json, Value};

tokio::task_local! {
    /// The request id of the request being served (set by the request-id middleware).
    pub static REQUEST_ID: String;
}

fn rate_message(l: &crate::limits::Limits) -> String {
    let burst = match l.rate.burst {
        0 => String::new(),
        b => format!(" and a burst of {b}"),
    };
    format!(
        "rate limit exceeded: the {} requests per minute{burst} allowed here are spent for this minute; retry in {} s",
        l.rate.limit,
        l.rate.retry_after_secs.unwrap_or(1)
    )
}

/// A Unix time as RFC 3339 (UTC).
fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "req_unknown".into())
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("missing API key: send `Authorization: Bearer <key>`")]
    MissingKey,
    #[error("`{0}` is not an accepted authorization scheme: send `Authorization: Bearer <key>` (`Token <key>` and `ApiKey <key>` are accepted too)")]
    UnsupportedScheme(String),
    #[error("invalid API key")]
    InvalidKey,
    #[error("this API key has been revoked")]
    KeyRevoked,
    #[error("this API key has expired")]
    KeyExpired,
    #[error("the email or the password is wrong")]
    InvalidCredentials,
    #[error("the session has ended; sign in again")]
    SessionExpired,
    #[error("you are not a member of any workspace any more")]
    NoMembership,
    #[error("this link is unknown, used or expired; ask for a new one")]
    LinkExpired,
    #[error("this account has a second factor: send the 6-digit code of your authenticator app as `otp`")]
    SecondFactorRequired,
    #[error("a write signed in by cookie must send the session's `X-CSRF-Token` (from GET /api/v1/auth/me)")]
    CsrfRejected,
    #[error("this key lacks the `{0}` scope")]
    InsufficientScope(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Domain(DomainError),
    /// A metered limit of a short period (an hour) is spent: retry when it resets.
    #[error("the {feature} limit of {limit} per {period} is spent ({used} used); it resets at {}", rfc3339(*reset_at))]
    PeriodLimitReached {
        feature: String,
        period: &'static str,
        limit: i64,
        used: i64,
        requested: i64,
        reset_at: i64,
    },
    #[error("version conflict: expected version {expected}, current version is {actual}")]
    VersionConflict { expected: String, actual: i64 },
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("a batch holds at most {max} items; this one holds {got}")]
    TooManyItems { max: usize, got: usize },
    #[error("{}", rate_message(.0))]
    RateLimited(crate::limits::Limits),
    #[error("daily API quota of this workspace exhausted; it resets at midnight UTC")]
    QuotaExceeded(crate::limits::Limits),
    #[error("this Idempotency-Key was used with another method, path or body")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still being processed; retry shortly")]
    IdempotencyKeyInUse,
    #[error("the read model has not caught up with position {0} yet")]
    NotCaughtUp(i64),
    #[error("a rebuild of {0} is already running")]
    RebuildInProgress(&'static str),
    #[error("{0}")]
    NotReady(String),
    #[error("{0}")]
    CannotRetry(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this path answers only {0}")]
    MethodNotAllowed(String),
    #[error("a dependency is unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// Every code and status, in one table.
    fn code_and_status(&self) -> (&'static str, StatusCode) {
        use ApiError::*;
        match self {
            BadRequest(_) => ("invalid_request", StatusCode::BAD_REQUEST),
            Validation(_) => ("validation_failed", StatusCode::UNPROCESSABLE_ENTITY),
            MissingKey => ("missing_api_key", StatusCode::UNAUTHORIZED),
            UnsupportedScheme(_) => ("unsupported_auth_scheme", StatusCode::UNAUTHORIZED),
            InvalidKey => ("invalid_api_key", StatusCode::UNAUTHORIZED),
            KeyRevoked => ("key_revoked", StatusCode::UNAUTHORIZED),
            KeyExpired => ("key_expired", StatusCode::UNAUTHORIZED),
            InvalidCredentials => ("invalid_credentials", StatusCode::UNAUTHORIZED),
            SessionExpired => ("session_expired", StatusCode::UNAUTHORIZED),
            NoMembership => ("no_membership", StatusCode::UNAUTHORIZED),
            LinkExpired => ("link_expired", StatusCode::GONE),
            SecondFactorRequired => ("second_factor_required", StatusCode::UNAUTHORIZED),
            CsrfRejected => ("csrf_token_invalid", StatusCode::FORBIDDEN),
            InsufficientScope(_) => ("insufficient_scope", StatusCode::FORBIDDEN),
            Forbidden(_) => ("forbidden", StatusCode::FORBIDDEN),
            NotFound(_) => ("not_found", StatusCode::NOT_FOUND),
            Domain(d) => match d {
                DomainError::Validation(_) => {
                    ("validation_failed", StatusCode::UNPROCESSABLE_ENTITY)
                }
                DomainError::NotFound(_) => ("not_found", StatusCode::NOT_FOUND),
                DomainError::AlreadyExists(_) => ("already_exists", StatusCode::CONFLICT),
                DomainError::SlugTaken(_) => ("slug_taken", StatusCode::CONFLICT),
                DomainError::NameTaken { .. } => ("name_taken", StatusCode::CONFLICT),
                DomainError::WorkspaceDeleted => ("not_found", StatusCode::NOT_FOUND),
                DomainError::KeyRevoked => ("key_revoked", StatusCode::CONFLICT),
                DomainError::KeyExpired => ("key_expired", StatusCode::CONFLICT),
                DomainError::KeyLimitReached { .. } => ("key_limit_reached", StatusCode::FORBIDDEN),
                DomainError::ScopeNotHeld(_) => ("insufficient_scope", StatusCode::FORBIDDEN),
                DomainError::TierAboveWorkspace(_) => ("forbidden", StatusCode::FORBIDDEN),
                DomainError::FeatureNotFound(_) => ("feature_not_found", StatusCode::NOT_FOUND),
                DomainError::EmailTaken(_) => ("email_taken", StatusCode::CONFLICT),
                DomainError::AlreadyMember(_) => ("already_member", StatusCode::CONFLICT),
                DomainError::InvitationPending(_) => ("invitation_pending", StatusCode::CONFLICT),
                DomainError::InvitationClosed(_) => ("invitation_closed", StatusCode::GONE),
                DomainError::LastOwner => ("last_owner", StatusCode::CONFLICT),
                DomainError::OwnerRequired => ("owner_required", StatusCode::FORBIDDEN),
                DomainError::FeatureLimitReached { .. } => {
                    ("feature_limit_reached", StatusCode::FORBIDDEN)
                }
            },
            PeriodLimitReached { .. } => ("feature_limit_reached", StatusCode::TOO_MANY_REQUESTS),
            VersionConflict { .. } => ("version_conflict", StatusCode::CONFLICT),
            PayloadTooLarge(_) => ("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            TooManyItems { .. } => ("batch_too_large", StatusCode::PAYLOAD_TOO_LARGE),
            RateLimited(_) => ("rate_limited", StatusCode::TOO_MANY_REQUESTS),
            QuotaExceeded(_) => ("quota_exceeded", StatusCode::TOO_MANY_REQUESTS),
            IdempotencyKeyReused => ("idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY),
            IdempotencyKeyInUse => ("idempotency_key_in_use", StatusCode::CONFLICT),
            NotCaughtUp(_) => ("not_caught_up", StatusCode::SERVICE_UNAVAILABLE),
            RebuildInProgress(_) => ("rebuild_in_progress", StatusCode::CONFLICT),
            NotReady(_) => ("not_ready", StatusCode::CONFLICT),
            CannotRetry(_) => ("cannot_retry", StatusCode::BAD_REQUEST),
            Conflict(_) => ("conflict", StatusCode::CONFLICT),
            MethodNotAllowed(_) => ("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
            Unavailable(_) => ("service_unavailable", StatusCode::SERVICE_UNAVAILABLE),
            Internal(_) => ("internal_error", StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    fn details(&self) -> Option<Value> {
        match self {
            ApiError::Validation(fields) | ApiError::Domain(DomainError::Validation(fields)) => {
                Some(json!({ "fields": fields }))
            }
            ApiError::InsufficientScope(s) | ApiError::Domain(DomainError::ScopeNotHeld(s)) => {
                Some(json!({ "required_scope": s }))
            }
            ApiError::Domain(DomainError::KeyLimitReached { limit }) => {
                Some(json!({ "limit": limit }))
            }
            ApiError::Domain(DomainError::FeatureLimitReached {
                feature,
                limit,
                used,
                requested,
            }) => Some(json!({
                "feature": feature, "limit": limit, "current_usage": used, "requested": requested,
                "upgrade_hint": "raise the limit with a higher tier (or an operator override), or wait for the period to reset",
            })),
            ApiError::PeriodLimitReached {
                feature,
                period,
                limit,
                used,
                requested,
                reset_at,
            } => Some(json!({
                "feature": feature, "period": period, "limit": limit, "current_usage": used,
                "requested": requested, "remaining": (limit - used).max(0), "reset": reset_at,
                "reset_at": rfc3339(*reset_at),
                "retry_after": (reset_at - chrono::Utc::now().timestamp()).max(1),
                "upgrade_hint": "wait for the period to reset, or raise the limit with a higher tier (or an operator override)",
            })),
            ApiError::Domain(DomainError::FeatureNotFound(f)) => Some(json!({ "feature": f })),
            ApiError::RateLimited(l) => Some(json!({
                "limit": l.rate.limit, "burst": l.rate.burst, "remaining": l.rate.remaining,
                "reset": l.rate.reset_at, "reset_at": rfc3339(l.rate.reset_at),
                "retry_after": l.rate.retry_after_secs,
            })),
            ApiError::QuotaExceeded(l) => l.quota.map(|q| {
                json!({ "limit": q.limit, "used": q.used, "remaining": 0, "reset": q.reset_at,
                    "reset_at": rfc3339(q.reset_at), "retry_after": q.reset_secs })
            }),
            ApiError::PayloadTooLarge(max) => Some(json!({ "max_bytes": max })),
            ApiError::TooManyItems { max, got } => Some(json!({ "max_items": max, "items": got })),
            ApiError::VersionConflict { expected, actual } => {
                Some(json!({ "expected": expected, "actual": actual }))
            }
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code_and_status().1
    }

    fn error_response(&self) -> HttpResponse {
        let (code, status) = self.code_and_status();
        let request_id = current_request_id();
        // Causes of 5xx are logged, never sent.
        if let ApiError::Internal(cause) | ApiError::Unavailable(cause) = self {
            tracing::error!(%request_id, error = %cause, "request failed");
        }
        let mut error =
            json!({ "code": code, "message": self.to_string(), "request_id": request_id });
        if let Some(d) = self.details() {
            error["details"] = d;
        }
        let mut resp = HttpResponse::build(status);
        match self {
            ApiError::RateLimited(l) => {
                resp.insert_header((
                    "Retry-After",
                    l.rate.retry_after_secs.unwrap_or(1).to_string(),
                ));
            }
            ApiError::QuotaExceeded(l) => {
                let reset = l.quota.map_or(1, |q| q.reset_secs);
                resp.insert_header(("Retry-After", reset.to_string()));
            }
            ApiError::IdempotencyKeyInUse => {
                resp.insert_header(("Retry-After", "1"));
            }
            ApiError::PeriodLimitReached { reset_at, .. } => {
                let wait = (reset_at - chrono::Utc::now().timestamp()).max(1);
                resp.insert_header(("Retry-After", wait.to_string()));
            }
            ApiError::MethodNotAllowed(allow) => {
                resp.insert_header(("Allow", allow.as_str()));
            }
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                resp.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        // The message once more at the top: the seeds' clients (Dashtray, core-api) log `message`.
        let message = error["message"].clone();
        let mut body = json!({ "error": error, "message": message });
        // The 429 figures at the top as well, where core-api's and DataFast's clients read them.
        if let ApiError::RateLimited(_) | ApiError::QuotaExceeded(_) = self {
            if let Some(d) = body["error"]["details"].as_object().cloned() {
                for k in ["limit", "remaining", "reset", "reset_at", "retry_after"] {
                    body[k] = d.get(k).cloned().unwrap_or(Value::Null);
                }
            }
        }
        resp.json(body)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound(what) => ApiError::NotFound(what),
            DomainError::WorkspaceDeleted => ApiError::NotFound("workspace"),
            other => ApiError::Domain(other),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                expected, actual, ..
            } => ApiError::VersionConflict { expected, actual },
            StoreError::Rejected(d) => d.into(),
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::EventIdReused(id) => ApiError::Internal(format!("event id {id} reused")),
            StoreError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Rejected(d) => d.into(),
            CommandError::Conflict {
                expected, actual, ..
            } => ApiError::VersionConflict { expected, actual },
            CommandError::Store(s) => s.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => ApiError::Unavailable(e.to_string()),
            // Class 08: the connection failed; 57P01-57P05: the server is shutting down, crashed,
            // is starting up or was idle too long; 53xxx: out of connections, memory or disk.
            sqlx::Error::Database(ref d)
                if d.code().as_deref().is_some_and(|c| {
                    c.starts_with("08") || c.starts_with("57P") || c.starts_with("53")
                }) =>
            {
                ApiError::Unavailable(e.to_string())
            }
            // 57014: statement_timeout cancelled the query; 55P03: lock_timeout; SQLite 5/6:
            // busy or locked past busy_timeout. All mean "try again", not "broken".
            sqlx::Error::Database(ref d)
                if matches!(d.code().as_deref(), Some("57014" | "55P03" | "5" | "6")) =>
            {
                ApiError::Unavailable(e.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}
