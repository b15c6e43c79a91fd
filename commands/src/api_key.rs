//! The API-key aggregate: created once (the secret is shown to the caller, only its hash is kept),
//! rotated with a grace period, revoked for good.

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Duration, Utc};
use keel_events::{
    ApiKeyCreated, ApiKeyId, ApiKeyRevoked, ApiKeyRotated, DomainEvent, Scope, Tier, WorkspaceId,
};

pub const MAX_NAME_LEN: usize = 255;
/// The longest grace period a rotation may give the old secret.
pub const MAX_GRACE_PERIOD_HOURS: i64 = 24 * 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateApiKey {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    /// As sent by the client; validated here.
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate_limit_tier: Option<Tier>,
    /// A website key: restricted to this site of the workspace (the caller checked it exists).
    pub site_id: Option<keel_events::SiteId>,
    /// The scopes of the key creating this one; `None` for the operator, who may grant anything.
    pub granted_by: Option<Vec<Scope>>,
    /// The workspace tier of the key creating this one; `None` for the operator, who may give
    /// any rate-limit tier. A key may slow a new key down, not lift it above its plan.
    pub creator_tier: Option<Tier>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateApiKey {
    pub prefix: String,
    pub key_hash: String,
    pub grace_period_hours: i64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyCommand {
    Create(CreateApiKey),
    Rotate(RotateApiKey),
    Revoke { reason: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate_limit_tier: Option<Tier>,
    /// A website key's site.
    pub site_id: Option<keel_events::SiteId>,
    pub revoked: bool,
}

pub type ApiKeyState = Option<ApiKey>;

pub struct ApiKeyAggregate;

/// The scopes of a key created without any (DNSai creates keys by name only): every `:read`
/// scope its creator holds, so such a key can look but not change anything.
pub fn default_scopes(granted_by: Option<&[Scope]>) -> Vec<String> {
    keel_events::SCOPE_RESOURCES
        .iter()
        .map(|r| format!("{r}:read"))
        .filter(|s| {
            let wanted = Scope::parse(s);
            match (granted_by, wanted) {
                (None, Ok(_)) => true,
                (Some(held), Ok(w)) => held.iter().any(|h| h.grants(&w)),
                (_, Err(_)) => false,
            }
        })
        .collect()
}

fn validate_create(c: &CreateApiKey) -> Result<Vec<Scope>, DomainError> {
    let mut v = Validator::new();
    v.name("name", &c.name, MAX_NAME_LEN);
    v.check(
        !c.scopes.is_empty(),
        "scopes",
        "at least one scope is required",
    );
    v.check(c.scopes.len() <= 64, "scopes", "at most 64 scopes");
    let mut scopes = Vec::new();
    for (i, raw) in c.scopes.iter().enumerate() {
        match Scope::parse(raw) {
            Ok(s) => scopes.push(s),
            Err(e) => {
                v.check(false, &format!("scopes[{i}]"), e.to_string());
            }
        }
    }
    if let Some(exp) = c.expires_at {
        v.check(exp > c.now, "expires_at", "must be in the future");
    }
    v.finish()?;
    if let (Some(wanted), Some(tier)) = (c.rate_limit_tier, c.creator_tier) {
        if wanted.rank() > tier.rank() {
            return Err(DomainError::TierAboveWorkspace(tier));
        }
    }
    scopes.sort();
    scopes.dedup();
    if let Some(held) = &c.granted_by {
        if let Some(missing) = scopes.iter().find(|s| !held.iter().any(|h| h.grants(s))) {
            return Err(DomainError::ScopeNotHeld(missing.to_string()));
        }
    }
    Ok(scopes)
}

impl Aggregate for ApiKeyAggregate {
    type State = ApiKeyState;
    type Command = ApiKeyCommand;

    fn decide(
        state: &ApiKeyState,
        command: &ApiKeyCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), ApiKeyCommand::Create(_)) => Err(DomainError::AlreadyExists("api key")),
            (None, ApiKeyCommand::Create(c)) => {
                let scopes = validate_create(c)?;
                Ok(vec![DomainEvent::ApiKeyCreated(ApiKeyCreated {
                    key_id: c.key_id,
                    workspace_id: c.workspace_id,
                    name: c.name.trim().to_string(),
                    prefix: c.prefix.clone(),
                    key_hash: c.key_hash.clone(),
                    scopes,
                    expires_at: c.expires_at,
                    rate_limit_tier: c.rate_limit_tier,
                    environment: if c.prefix.starts_with("keel_test_") {
                        "test".into()
                    } else {
                        "live".into()
                    },
                    site_id: c.site_id,
                })])
            }
            (None, _) => Err(DomainError::NotFound("api key")),
            // Revoking twice is harmless: the key stays revoked and nothing new is recorded.
            (Some(k), ApiKeyCommand::Revoke { .. }) if k.revoked => Ok(vec![]),
            (Some(k), ApiKeyCommand::Revoke { reason }) => {
                Ok(vec![DomainEvent::ApiKeyRevoked(ApiKeyRevoked {
                    key_id: k.id,
                    workspace_id: k.workspace_id,
                    reason: reason.clone(),
                })])
            }
            (Some(k), ApiKeyCommand::Rotate(_)) if k.revoked => Err(DomainError::KeyRevoked),
            (Some(k), ApiKeyCommand::Rotate(r)) => {
                if k.expires_at.is_some_and(|e| e <= r.now) {
                    return Err(DomainError::KeyExpired);
                }
                Validator::new()
                    .check(
                        (0..=MAX_GRACE_PERIOD_HOURS).contains(&r.grace_period_hours),
                        "grace_period_hours",
                        format!("must be between 0 and {MAX_GRACE_PERIOD_HOURS}"),
                    )
                    .finish()?;
                Ok(vec![DomainEvent::ApiKeyRotated(ApiKeyRotated {
                    key_id: k.id,
                    workspace_id: k.workspace_id,
                    prefix: r.prefix.clone(),
                    key_hash: r.key_hash.clone(),
                    previous_prefix: k.prefix.clone(),
                    previous_key_hash: k.key_hash.clone(),
                    previous_valid_until: r.now + Duration::hours(r.grace_period_hours),
                })])
            }
        }
    }

    fn evolve(state: ApiKeyState, event: &DomainEvent) -> ApiKeyState {
        match (state, event) {
            (_, DomainEvent::ApiKeyCreated(e)) => Some(ApiKey {
                id: e.key_id,
                workspace_id: e.workspace_id,
                name: e.name.clone(),
                prefix: e.prefix.clone(),
                key_hash: e.key_hash.clone(),
                scopes: e.scopes.clone(),
                expires_at: e.expires_at,
                rate_limit_tier: e.rate_limit_tier,
                site_id: e.site_id,
                revoked: false,
            }),
            (Some(mut k), DomainEvent::ApiKeyRotated(e)) => {
                k.prefix = e.prefix.clone();
                k.key_hash = e.key_hash.clone();
                Some(k)
            }
            (Some(mut k), DomainEvent::ApiKeyRevoked(_)) => {
                k.revoked = true;
                Some(k)
            }
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_key_made_without_scopes_may_read_what_its_creator_may() {
        let all = default_scopes(None);
        assert_eq!(all.len(), keel_events::SCOPE_RESOURCES.len());
        assert!(all.iter().all(|s| s.ends_with(":read")));
        let held = [
            Scope::parse("domains:write").unwrap(),
            Scope::parse("keys:read").unwrap(),
        ];
        assert_eq!(default_scopes(Some(&held)), ["keys:read", "domains:read"]);
    }

    use super::*;
    use crate::testing::TestFramework;
    use chrono::TimeZone;
    use uuid::Uuid;

    type Test = TestFramework<ApiKeyAggregate>;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    fn key_id() -> ApiKeyId {
        ApiKeyId(Uuid::from_u128(7))
    }

    fn ws() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(1))
    }

    fn scopes(s: &[&str]) -> Vec<Scope> {
        s.iter()
            .map(|s| Scope::parse(s).expect("valid scope"))
            .collect()
    }

    fn create(scope_names: &[&str], granted_by: Option<Vec<Scope>>) -> ApiKeyCommand {
        ApiKeyCommand::Create(CreateApiKey {
            key_id: key_id(),
            workspace_id: ws(),
            name: "ci".into(),
            prefix: "keel_live_aaaa".into(),
            key_hash: "h1".into(),
            scopes: scope_names.iter().map(|s| s.to_string()).collect(),
            expires_at: None,
            rate_limit_tier: None,
            site_id: None,
            granted_by,
            creator_tier: None,
            now: now(),
        })
    }

    fn created() -> DomainEvent {
        DomainEvent::ApiKeyCreated(ApiKeyCreated {
            key_id: key_id(),
            workspace_id: ws(),
            name: "ci".into(),
            prefix: "keel_live_aaaa".into(),
            key_hash: "h1".into(),
            scopes: scopes(&["keys:read", "keys:write"]),
            expires_at: None,
            rate_limit_tier: None,
            environment: "live".into(),
            site_id: None,
        })
    }

    fn revoked() -> DomainEvent {
        DomainEvent::ApiKeyRevoked(ApiKeyRevoked {
            key_id: key_id(),
            workspace_id: ws(),
            reason: None,
        })
    }

    fn rotate(hours: i64) -> ApiKeyCommand {
        ApiKeyCommand::Rotate(RotateApiKey {
            prefix: "keel_live_bbbb".into(),
            key_hash: "h2".into(),
            grace_period_hours: hours,
            now: now(),
        })
    }

    #[test]
    fn a_key_is_created_with_sorted_unique_scopes() {
        Test::given(vec![])
            .when(create(&["keys:write", "keys:read", "keys:write"], None))
            .then(vec![created()]);
    }

    #[test]
    fn unknown_scopes_and_past_expiry_are_field_errors() {
        let mut c = match create(&["keys:read", "nope:read", "keys:admin"], None) {
            ApiKeyCommand::Create(c) => c,
            _ => unreachable!(),
        };
        c.expires_at = Some(now() - Duration::seconds(1));
        let DomainError::Validation(fields) =
            Test::given(vec![]).when(ApiKeyCommand::Create(c)).error()
        else {
            panic!("expected validation error")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["scopes[1]", "scopes[2]", "expires_at"]);
    }

    #[test]
    fn a_key_without_scopes_is_refused() {
        let err = Test::given(vec![]).when(create(&[], None)).error();
        assert!(matches!(err, DomainError::Validation(f) if f[0].field == "scopes"));
    }

    #[test]
    fn a_key_cannot_grant_scopes_it_lacks() {
        Test::given(vec![])
            .when(create(
                &["keys:read", "domains:write"],
                Some(scopes(&["keys:write"])),
            ))
            .then_error(DomainError::ScopeNotHeld("domains:write".into()));
    }

    #[test]
    fn a_key_cannot_give_a_new_key_a_tier_above_its_workspace() {
        let with_tier = |tier, creator| match create(&["keys:read"], None) {
            ApiKeyCommand::Create(c) => ApiKeyCommand::Create(CreateApiKey {
                rate_limit_tier: Some(tier),
                creator_tier: creator,
                ..c
            }),
            other => other,
        };
        Test::given(vec![])
            .when(with_tier(Tier::Pro, Some(Tier::Starter)))
            .then_error(DomainError::TierAboveWorkspace(Tier::Starter));
        // Slower than its own plan is fine; the operator may give any tier.
        let slower = Test::given(vec![])
            .when(with_tier(Tier::Free, Some(Tier::Starter)))
            .events();
        assert_eq!(slower.len(), 1);
        let operator = Test::given(vec![])
            .when(with_tier(Tier::Enterprise, None))
            .events();
        assert_eq!(operator.len(), 1);
    }

    #[test]
    fn write_scope_lets_a_key_grant_read_of_the_same_resource() {
        Test::given(vec![])
            .when(create(&["keys:read"], Some(scopes(&["keys:write"]))))
            .events();
    }

    #[test]
    fn rotation_keeps_the_old_secret_valid_for_the_grace_period() {
        Test::given(vec![created()])
            .when(rotate(24))
            .then(vec![DomainEvent::ApiKeyRotated(ApiKeyRotated {
                key_id: key_id(),
                workspace_id: ws(),
                prefix: "keel_live_bbbb".into(),
                key_hash: "h2".into(),
                previous_prefix: "keel_live_aaaa".into(),
                previous_key_hash: "h1".into(),
                previous_valid_until: now() + Duration::hours(24),
            })]);
    }

    #[test]
    fn a_grace_period_out_of_range_is_refused() {
        let err = Test::given(vec![created()]).when(rotate(-1)).error();
        assert!(matches!(err, DomainError::Validation(f) if f[0].field == "grace_period_hours"));
        Test::given(vec![created()])
            .when(rotate(MAX_GRACE_PERIOD_HOURS + 1))
            .error();
    }

    #[test]
    fn a_revoked_key_cannot_be_rotated_and_revoking_again_records_nothing() {
        Test::given(vec![created()])
            .when(ApiKeyCommand::Revoke { reason: None })
            .then(vec![revoked()]);
        Test::given(vec![created(), revoked()])
            .when(rotate(1))
            .then_error(DomainError::KeyRevoked);
        Test::given(vec![created(), revoked()])
            .when(ApiKeyCommand::Revoke { reason: None })
            .then(vec![]);
    }

    #[test]
    fn an_expired_key_cannot_be_rotated() {
        let mut ev = created();
        if let DomainEvent::ApiKeyCreated(c) = &mut ev {
            c.expires_at = Some(now() - Duration::minutes(1));
        }
        Test::given(vec![ev])
            .when(rotate(1))
            .then_error(DomainError::KeyExpired);
    }

    #[test]
    fn an_unknown_key_cannot_be_revoked() {
        Test::given(vec![])
            .when(ApiKeyCommand::Revoke { reason: None })
            .then_error(DomainError::NotFound("api key"));
    }
}
