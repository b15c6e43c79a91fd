use crate::StoreError;
use serde::Serialize;

/// One invalid field of a request, reported back as `details.fields[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Why a command was refused by the domain. Not an infrastructure failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    #[error("the slug `{0}` is already taken")]
    SlugTaken(String),
    #[error("a {resource} named `{name}` already exists")]
    NameTaken {
        resource: &'static str,
        name: String,
    },
    #[error("the workspace has been deleted")]
    WorkspaceDeleted,
    #[error("the API key has been revoked")]
    KeyRevoked,
    #[error("the API key has expired")]
    KeyExpired,
    #[error("the workspace's tier allows at most {limit} active API keys")]
    KeyLimitReached { limit: i64 },
    #[error("cannot grant scope `{0}`, which the calling key does not hold")]
    ScopeNotHeld(String),
    #[error("only the operator may give a key a rate-limit tier above the workspace's ({0})")]
    TierAboveWorkspace(keel_events::Tier),
    #[error("a user with the email `{0}` already exists")]
    EmailTaken(String),
    #[error("`{0}` is already a member of this workspace")]
    AlreadyMember(String),
    #[error("an invitation for `{0}` is already pending; resend or revoke it")]
    InvitationPending(String),
    #[error("the invitation has {0}")]
    InvitationClosed(&'static str),
    #[error("a workspace keeps at least one owner: make another member owner first")]
    LastOwner,
    #[error("only an owner may grant, change or remove the owner role")]
    OwnerRequired,
    #[error("feature `{0}` is not known to this workspace")]
    FeatureNotFound(String),
    #[error("recording {requested} more would pass the {feature} limit of {limit} ({used} used, {remaining} left); {hint}", remaining = (limit - used).max(0), hint = limit_hint(feature))]
    FeatureLimitReached {
        feature: String,
        limit: i64,
        used: i64,
        /// The quantity the refused request asked for.
        requested: i64,
    },
}

/// What to do about a reached limit: lifetime counts free up, periods reset.
fn limit_hint(feature: &str) -> &'static str {
    match feature {
        "domains" => "remove domains you no longer watch or upgrade the plan",
        _ => "upgrade the plan or wait for the period to reset",
    }
}

impl DomainError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        DomainError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// Why executing a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// The caller's expected version was stale (or retries were exhausted under contention).
    #[error("version conflict on {stream}: expected {expected}, found {actual}")]
    Conflict {
        stream: String,
        expected: String,
        actual: i64,
    },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                stream,
                expected,
                actual,
            } => CommandError::Conflict {
                stream,
                expected,
                actual,
            },
            StoreError::Rejected(d) => CommandError::Rejected(d),
            other => CommandError::Store(other),
        }
    }
}
