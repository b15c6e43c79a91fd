//! People: a user's own stream (profile, password changes, account tokens) and a workspace's team
//! (members with roles, invitations). The team is one aggregate so that its invariants hold in
//! one decision: a workspace keeps at least one owner, only owners manage owners, an email has at
//! most one pending invitation and is never invited twice into the same workspace.

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Utc};
use keel_events::{
    AccountTokenCreated, AccountTokenId, AccountTokenRevoked, DomainEvent, InvitationAccepted,
    InvitationCreated, InvitationId, InvitationResent, InvitationRevoked, MemberAdded,
    MemberRemoved, MemberRoleChanged, Role, UserCreated, UserId, UserPasswordChanged, WorkspaceId,
};
use std::collections::BTreeMap;

pub const MAX_NAME_LEN: usize = 100;
pub const MAX_EMAIL_LEN: usize = 254;
/// Active account tokens a user may hold at once.
pub const MAX_ACCOUNT_TOKENS: usize = 50;

/// An address as Keel keeps it: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether an address looks deliverable: one `@`, a local part, a dotted domain, no spaces or
/// control characters. (Only the link that arrives proves it.)
pub fn check_email(email: &str) -> Result<(), String> {
    let Some((local, domain)) = email.split_once('@') else {
        return Err("must be an email address".into());
    };
    let ok = !local.is_empty()
        && local.len() <= 64
        && email.len() <= MAX_EMAIL_LEN
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
    if ok {
        Ok(())
    } else {
        Err("must be an email address".into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    /// Account tokens by id: whether each is still active.
    pub tokens: BTreeMap<AccountTokenId, bool>,
    pub second_factor: bool,
    pub email_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCommand {
    Create {
        user_id: UserId,
        email: String,
        name: String,
        /// A password was set with the account (its hash is kept beside the log).
        with_password: bool,
        /// The address is proven already (the account comes from an invitation sent there).
        email_verified: bool,
    },
    /// A link sent to `email` came back; refused if the address changed since.
    VerifyEmail {
        email: String,
    },
    /// The new hash is stored beside the log by the caller; the log only learns that it changed.
    ChangePassword,
    CreateToken {
        token_id: AccountTokenId,
        name: String,
        prefix: String,
        token_hash: String,
    },
    RevokeToken {
        token_id: AccountTokenId,
    },
    /// A second factor's first code was right (its secret is kept beside the log).
    EnableSecondFactor,
    DisableSecondFactor,
}

pub struct UserAggregate;

impl Aggregate for UserAggregate {
    type State = Option<User>;
    type Command = UserCommand;

    fn decide(state: &Self::State, command: &UserCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (
                None,
                UserCommand::Create {
                    user_id,
                    email,
                    name,
                    with_password,
                    email_verified,
                },
            ) => {
                let email = normalize_email(email);
                let mut v = Validator::new();
                if let Err(m) = check_email(&email) {
                    v.check(false, "email", m);
                }
                v.name("name", name, MAX_NAME_LEN).finish()?;
                let mut events = vec![DomainEvent::UserCreated(UserCreated {
                    user_id: *user_id,
                    email: email.clone(),
                    name: name.trim().to_string(),
                })];
                if *with_password {
                    events.push(DomainEvent::UserPasswordChanged(UserPasswordChanged {
                        user_id: *user_id,
                    }));
                }
                if *email_verified {
                    events.push(DomainEvent::EmailVerified(keel_events::EmailVerified {
                        user_id: *user_id,
                        email,
                    }));
                }
                Ok(events)
            }
            (Some(_), UserCommand::Create { .. }) => Err(DomainError::AlreadyExists("user")),
            (None, _) => Err(DomainError::NotFound("user")),
            (Some(u), UserCommand::ChangePassword) => Ok(vec![DomainEvent::UserPasswordChanged(
                UserPasswordChanged { user_id: u.id },
            )]),
            (
                Some(u),
                UserCommand::CreateToken {
                    token_id,
                    name,
                    prefix,
                    token_hash,
                },
            ) => {
                Validator::new().name("name", name, MAX_NAME_LEN).finish()?;
                if u.tokens.contains_key(token_id) {
                    return Err(DomainError::AlreadyExists("account token"));
                }
                let active = u.tokens.values().filter(|a| **a).count();
                if active >= MAX_ACCOUNT_TOKENS {
                    return Err(DomainError::field(
                        "name",
                        format!("a user holds at most {MAX_ACCOUNT_TOKENS} active account tokens; revoke one first"),
                    ));
                }
                Ok(vec![DomainEvent::AccountTokenCreated(
                    AccountTokenCreated {
                        token_id: *token_id,
                        user_id: u.id,
                        name: name.trim().to_string(),
                        prefix: prefix.clone(),
                        token_hash: token_hash.clone(),
                    },
                )])
            }
            (Some(u), UserCommand::VerifyEmail { email }) => {
                if normalize_email(email) != u.email {
                    return Err(DomainError::field(
                        "token",
                        "this link was sent to an address the account no longer has",
                    ));
                }
                if u.email_verified {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::EmailVerified(
                    keel_events::EmailVerified {
                        user_id: u.id,
                        email: u.email.clone(),
                    },
                )])
            }
            (Some(u), UserCommand::EnableSecondFactor) if u.second_factor => {
                Err(DomainError::AlreadyExists("second factor"))
            }
            (Some(u), UserCommand::EnableSecondFactor) => {
                Ok(vec![DomainEvent::SecondFactorEnabled(
                    keel_events::SecondFactorEnabled { user_id: u.id },
                )])
            }
            (Some(u), UserCommand::DisableSecondFactor) if !u.second_factor => {
                Err(DomainError::NotFound("second factor"))
            }
            (Some(u), UserCommand::DisableSecondFactor) => {
                Ok(vec![DomainEvent::SecondFactorDisabled(
                    keel_events::SecondFactorDisabled { user_id: u.id },
                )])
            }
            (Some(u), UserCommand::RevokeToken { token_id }) => match u.tokens.get(token_id) {
                None => Err(DomainError::NotFound("account token")),
                // Revoking twice changes nothing.
                Some(false) => Ok(vec![]),
                Some(true) => Ok(vec![DomainEvent::AccountTokenRevoked(
                    AccountTokenRevoked {
                        token_id: *token_id,
                        user_id: u.id,
                    },
                )]),
            },
        }
    }

    fn evolve(state: Self::State, event: &DomainEvent) -> Self::State {
        match (state, event) {
            (None, DomainEvent::UserCreated(e)) => Some(User {
                id: e.user_id,
                email: e.email.clone(),
                name: e.name.clone(),
                tokens: BTreeMap::new(),
                second_factor: false,
                email_verified: false,
            }),
            (Some(mut u), DomainEvent::EmailVerified(e)) => {
                u.email_verified = e.email == u.email;
                Some(u)
            }
            (Some(mut u), DomainEvent::SecondFactorEnabled(_)) => {
                u.second_factor = true;
                Some(u)
            }
            (Some(mut u), DomainEvent::SecondFactorDisabled(_)) => {
                u.second_factor = false;
                Some(u)
            }
            (Some(mut u), DomainEvent::AccountTokenCreated(e)) => {
                u.tokens.insert(e.token_id, true);
                Some(u)
            }
            (Some(mut u), DomainEvent::AccountTokenRevoked(e)) => {
                u.tokens.insert(e.token_id, false);
                Some(u)
            }
            (state, _) => state,
        }
    }
}

/// Sign-ins, for workspaces' audit logs. Each record is a stream of its own (`signin-<id>`),
/// appended without reading anything: a person's sign-ins never make a stream grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInCommand {
    Succeeded { user_id: UserId, session_id: String },
    Failed { user_id: UserId, reason: String },
}

pub struct SignInAggregate;

impl Aggregate for SignInAggregate {
    type State = bool;
    type Command = SignInCommand;

    fn decide(recorded: &bool, command: &SignInCommand) -> Result<Vec<DomainEvent>, DomainError> {
        if *recorded {
            return Err(DomainError::AlreadyExists("sign-in record"));
        }
        Ok(vec![match command {
            SignInCommand::Succeeded {
                user_id,
                session_id,
            } => DomainEvent::UserSignedIn(keel_events::UserSignedIn {
                user_id: *user_id,
                session_id: session_id.clone(),
            }),
            SignInCommand::Failed { user_id, reason } => {
                DomainEvent::UserSignInFailed(keel_events::UserSignInFailed {
                    user_id: *user_id,
                    reason: reason.clone(),
                })
            }
        }])
    }

    fn evolve(_: bool, _: &DomainEvent) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub token_hash: String,
    pub status: InvitationStatus,
}

impl Invitation {
    fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.status == InvitationStatus::Pending && self.expires_at > now
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Team {
    pub members: BTreeMap<UserId, Member>,
    pub invitations: BTreeMap<InvitationId, Invitation>,
}

impl Team {
    pub fn owners(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.role == Role::Owner)
            .count()
    }
}

/// `by_owner`: the caller is an owner of the workspace or the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamCommand {
    Invite {
        invitation_id: InvitationId,
        workspace_id: WorkspaceId,
        email: String,
        role: Role,
        expires_at: DateTime<Utc>,
        token_hash: String,
        now: DateTime<Utc>,
        by_owner: bool,
    },
    Resend {
        invitation_id: InvitationId,
        workspace_id: WorkspaceId,
        expires_at: DateTime<Utc>,
        token_hash: String,
        now: DateTime<Utc>,
    },
    Revoke {
        invitation_id: InvitationId,
        workspace_id: WorkspaceId,
    },
    Accept {
        invitation_id: InvitationId,
        workspace_id: WorkspaceId,
        user_id: UserId,
        /// The accepting user's address, which must be the invited one.
        email: String,
        now: DateTime<Utc>,
    },
    /// The operator (or `keel user create --workspace …`) adds a user directly.
    Add {
        workspace_id: WorkspaceId,
        user_id: UserId,
        email: String,
        role: Role,
    },
    ChangeRole {
        workspace_id: WorkspaceId,
        user_id: UserId,
        role: Role,
        by_owner: bool,
    },
    Remove {
        workspace_id: WorkspaceId,
        user_id: UserId,
        by_owner: bool,
    },
}

pub struct TeamAggregate;

fn member_with_email<'a>(team: &'a Team, email: &str) -> Option<&'a Member> {
    team.members.values().find(|m| m.email == email)
}

impl Aggregate for TeamAggregate {
    type State = Team;
    type Command = TeamCommand;

    fn decide(team: &Team, command: &TeamCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            TeamCommand::Invite {
                invitation_id,
                workspace_id,
                email,
                role,
                expires_at,
                token_hash,
                now,
                by_owner,
            } => {
                let email = normalize_email(email);
                check_email(&email).map_err(|m| DomainError::field("email", m))?;
                if *role == Role::Owner && !by_owner {
                    return Err(DomainError::OwnerRequired);
                }
                if member_with_email(team, &email).is_some() {
                    return Err(DomainError::AlreadyMember(email));
                }
                if team
                    .invitations
                    .values()
                    .any(|i| i.email == email && i.open_at(*now))
                {
                    return Err(DomainError::InvitationPending(email));
                }
                if team.invitations.contains_key(invitation_id) {
                    return Err(DomainError::AlreadyExists("invitation"));
                }
                Ok(vec![DomainEvent::InvitationCreated(InvitationCreated {
                    invitation_id: *invitation_id,
                    workspace_id: *workspace_id,
                    email,
                    role: *role,
                    expires_at: *expires_at,
                    token_hash: token_hash.clone(),
                })])
            }
            TeamCommand::Resend {
                invitation_id,
                workspace_id,
                expires_at,
                token_hash,
                now,
            } => {
                let i = team
                    .invitations
                    .get(invitation_id)
                    .ok_or(DomainError::NotFound("invitation"))?;
                match i.status {
                    InvitationStatus::Accepted => {
                        return Err(DomainError::InvitationClosed("already been accepted"))
                    }
                    InvitationStatus::Revoked => {
                        return Err(DomainError::InvitationClosed("been revoked"))
                    }
                    InvitationStatus::Pending => {}
                }
                // An expired invitation may be resent: it opens again, unless the address has
                // another open one or became a member meanwhile.
                if member_with_email(team, &i.email).is_some() {
                    return Err(DomainError::AlreadyMember(i.email.clone()));
                }
                if team
                    .invitations
                    .iter()
                    .any(|(id, o)| id != invitation_id && o.email == i.email && o.open_at(*now))
                {
                    return Err(DomainError::InvitationPending(i.email.clone()));
                }
                Ok(vec![DomainEvent::InvitationResent(InvitationResent {
                    invitation_id: *invitation_id,
                    workspace_id: *workspace_id,
                    expires_at: *expires_at,
                    token_hash: token_hash.clone(),
                    previous_token_hash: i.token_hash.clone(),
                })])
            }
            TeamCommand::Revoke {
                invitation_id,
                workspace_id,
            } => {
                let i = team
                    .invitations
                    .get(invitation_id)
                    .ok_or(DomainError::NotFound("invitation"))?;
                match i.status {
                    InvitationStatus::Revoked => Ok(vec![]),
                    InvitationStatus::Accepted => {
                        Err(DomainError::InvitationClosed("already been accepted"))
                    }
                    InvitationStatus::Pending => {
                        Ok(vec![DomainEvent::InvitationRevoked(InvitationRevoked {
                            invitation_id: *invitation_id,
                            workspace_id: *workspace_id,
                        })])
                    }
                }
            }
            TeamCommand::Accept {
                invitation_id,
                workspace_id,
                user_id,
                email,
                now,
            } => {
                let i = team
                    .invitations
                    .get(invitation_id)
                    .ok_or(DomainError::NotFound("invitation"))?;
                match i.status {
                    InvitationStatus::Accepted => {
                        return Err(DomainError::InvitationClosed("already been used"))
                    }
                    InvitationStatus::Revoked => {
                        return Err(DomainError::InvitationClosed("been revoked"))
                    }
                    InvitationStatus::Pending if i.expires_at <= *now => {
                        return Err(DomainError::InvitationClosed("expired"))
                    }
                    InvitationStatus::Pending => {}
                }
                if normalize_email(email) != i.email {
                    return Err(DomainError::field(
                        "token",
                        "this invitation is for another email address",
                    ));
                }
                if team.members.contains_key(user_id) {
                    return Err(DomainError::AlreadyMember(i.email.clone()));
                }
                Ok(vec![
                    DomainEvent::InvitationAccepted(InvitationAccepted {
                        invitation_id: *invitation_id,
                        workspace_id: *workspace_id,
                        user_id: *user_id,
                    }),
                    DomainEvent::MemberAdded(MemberAdded {
                        workspace_id: *workspace_id,
                        user_id: *user_id,
                        email: i.email.clone(),
                        role: i.role,
                        invitation_id: Some(*invitation_id),
                    }),
                ])
            }
            TeamCommand::Add {
                workspace_id,
                user_id,
                email,
                role,
            } => {
                if team.members.contains_key(user_id) {
                    return Err(DomainError::AlreadyMember(normalize_email(email)));
                }
                Ok(vec![DomainEvent::MemberAdded(MemberAdded {
                    workspace_id: *workspace_id,
                    user_id: *user_id,
                    email: normalize_email(email),
                    role: *role,
                    invitation_id: None,
                })])
            }
            TeamCommand::ChangeRole {
                workspace_id,
                user_id,
                role,
                by_owner,
            } => {
                let m = team
                    .members
                    .get(user_id)
                    .ok_or(DomainError::NotFound("member"))?;
                if m.role == *role {
                    return Ok(vec![]);
                }
                if (m.role == Role::Owner || *role == Role::Owner) && !by_owner {
                    return Err(DomainError::OwnerRequired);
                }
                if m.role == Role::Owner && team.owners() == 1 {
                    return Err(DomainError::LastOwner);
                }
                Ok(vec![DomainEvent::MemberRoleChanged(MemberRoleChanged {
                    workspace_id: *workspace_id,
                    user_id: *user_id,
                    role: *role,
                    previous_role: m.role,
                })])
            }
            TeamCommand::Remove {
                workspace_id,
                user_id,
                by_owner,
            } => {
                let m = team
                    .members
                    .get(user_id)
                    .ok_or(DomainError::NotFound("member"))?;
                if m.role == Role::Owner && !by_owner {
                    return Err(DomainError::OwnerRequired);
                }
                if m.role == Role::Owner && team.owners() == 1 {
                    return Err(DomainError::LastOwner);
                }
                Ok(vec![DomainEvent::MemberRemoved(MemberRemoved {
                    workspace_id: *workspace_id,
                    user_id: *user_id,
                })])
            }
        }
    }

    fn evolve(mut team: Team, event: &DomainEvent) -> Team {
        match event {
            DomainEvent::InvitationCreated(e) => {
                team.invitations.insert(
                    e.invitation_id,
                    Invitation {
                        email: e.email.clone(),
                        role: e.role,
                        expires_at: e.expires_at,
                        token_hash: e.token_hash.clone(),
                        status: InvitationStatus::Pending,
                    },
                );
            }
            DomainEvent::InvitationResent(e) => {
                if let Some(i) = team.invitations.get_mut(&e.invitation_id) {
                    i.expires_at = e.expires_at;
                    i.token_hash = e.token_hash.clone();
                }
            }
            DomainEvent::InvitationRevoked(e) => {
                if let Some(i) = team.invitations.get_mut(&e.invitation_id) {
                    i.status = InvitationStatus::Revoked;
                }
            }
            DomainEvent::InvitationAccepted(e) => {
                if let Some(i) = team.invitations.get_mut(&e.invitation_id) {
                    i.status = InvitationStatus::Accepted;
                }
            }
            DomainEvent::MemberAdded(e) => {
                team.members.insert(
                    e.user_id,
                    Member {
                        email: e.email.clone(),
                        role: e.role,
                    },
                );
            }
            DomainEvent::MemberRoleChanged(e) => {
                if let Some(m) = team.members.get_mut(&e.user_id) {
                    m.role = e.role;
                }
            }
            DomainEvent::MemberRemoved(e) => {
                team.members.remove(&e.user_id);
            }
            _ => {}
        }
        team
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use uuid::Uuid;

    type Team = TestFramework<TeamAggregate>;
    type Users = TestFramework<UserAggregate>;

    fn ws() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(1))
    }
    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(100 + n))
    }
    fn inv(n: u128) -> InvitationId {
        InvitationId(Uuid::from_u128(200 + n))
    }
    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    fn added(n: u128, role: Role) -> DomainEvent {
        DomainEvent::MemberAdded(MemberAdded {
            workspace_id: ws(),
            user_id: user(n),
            email: format!("u{n}@example.com"),
            role,
            invitation_id: None,
        })
    }

    fn invited(n: u128, email: &str, role: Role, expires: i64) -> DomainEvent {
        DomainEvent::InvitationCreated(InvitationCreated {
            invitation_id: inv(n),
            workspace_id: ws(),
            email: email.into(),
            role,
            expires_at: t(expires),
            token_hash: format!("h{n}"),
        })
    }

    fn invite(n: u128, email: &str, role: Role, by_owner: bool) -> TeamCommand {
        TeamCommand::Invite {
            invitation_id: inv(n),
            workspace_id: ws(),
            email: email.into(),
            role,
            expires_at: t(7 * 86_400),
            token_hash: format!("h{n}"),
            now: t(0),
            by_owner,
        }
    }

    fn accept(n: u128, u: u128, email: &str, now: i64) -> TeamCommand {
        TeamCommand::Accept {
            invitation_id: inv(n),
            workspace_id: ws(),
            user_id: user(u),
            email: email.into(),
            now: t(now),
        }
    }

    #[test]
    fn an_invitation_records_the_normalised_address_and_a_pending_duplicate_is_refused() {
        Team::given(vec![added(1, Role::Owner)])
            .when(invite(1, " Bob@Example.COM ", Role::Analyst, false))
            .then(vec![invited(
                1,
                "bob@example.com",
                Role::Analyst,
                7 * 86_400,
            )]);
        Team::given(vec![
            added(1, Role::Owner),
            invited(1, "bob@example.com", Role::Analyst, 7 * 86_400),
        ])
        .when(invite(2, "bob@example.com", Role::Viewer, true))
        .then_error(DomainError::InvitationPending("bob@example.com".into()));
        // Once the first has expired, the address may be invited again.
        Team::given(vec![invited(1, "bob@example.com", Role::Analyst, -1)])
            .when(invite(2, "bob@example.com", Role::Viewer, true))
            .then(vec![invited(
                2,
                "bob@example.com",
                Role::Viewer,
                7 * 86_400,
            )]);
        Team::given(vec![added(1, Role::Owner)])
            .when(invite(2, "u1@example.com", Role::Viewer, true))
            .then_error(DomainError::AlreadyMember("u1@example.com".into()));
        Team::given(vec![])
            .when(invite(2, "not an address", Role::Viewer, true))
            .then_error(DomainError::field("email", "must be an email address"));
    }

    #[test]
    fn only_owners_invite_owners() {
        Team::given(vec![added(1, Role::Owner)])
            .when(invite(1, "bob@example.com", Role::Owner, false))
            .then_error(DomainError::OwnerRequired);
        Team::given(vec![added(1, Role::Owner)])
            .when(invite(1, "bob@example.com", Role::Owner, true))
            .then(vec![invited(1, "bob@example.com", Role::Owner, 7 * 86_400)]);
    }

    #[test]
    fn an_invitation_is_accepted_once_before_it_expires_by_its_own_address() {
        let given = vec![invited(1, "bob@example.com", Role::Auditor, 100)];
        let member = DomainEvent::MemberAdded(MemberAdded {
            workspace_id: ws(),
            user_id: user(2),
            email: "bob@example.com".into(),
            role: Role::Auditor,
            invitation_id: Some(inv(1)),
        });
        let accepted = DomainEvent::InvitationAccepted(InvitationAccepted {
            invitation_id: inv(1),
            workspace_id: ws(),
            user_id: user(2),
        });
        Team::given(given.clone())
            .when(accept(1, 2, "Bob@example.com", 50))
            .then(vec![accepted.clone(), member.clone()]);
        Team::given(given.clone())
            .when(accept(1, 2, "bob@example.com", 100))
            .then_error(DomainError::InvitationClosed("expired"));
        Team::given(given.clone())
            .when(accept(1, 3, "eve@example.com", 50))
            .then_error(DomainError::field(
                "token",
                "this invitation is for another email address",
            ));
        let mut used = given.clone();
        used.extend([accepted, member]);
        Team::given(used)
            .when(accept(1, 2, "bob@example.com", 60))
            .then_error(DomainError::InvitationClosed("already been used"));
        let mut revoked = given;
        revoked.push(DomainEvent::InvitationRevoked(InvitationRevoked {
            invitation_id: inv(1),
            workspace_id: ws(),
        }));
        Team::given(revoked)
            .when(accept(1, 2, "bob@example.com", 60))
            .then_error(DomainError::InvitationClosed("been revoked"));
        Team::given(vec![])
            .when(accept(9, 2, "bob@example.com", 60))
            .then_error(DomainError::NotFound("invitation"));
    }

    #[test]
    fn a_resend_replaces_the_link_and_reopens_an_expired_invitation() {
        let events = Team::given(vec![invited(1, "bob@example.com", Role::Viewer, -5)])
            .when(TeamCommand::Resend {
                invitation_id: inv(1),
                workspace_id: ws(),
                expires_at: t(86_400),
                token_hash: "fresh".into(),
                now: t(0),
            })
            .events();
        assert_eq!(
            events,
            vec![DomainEvent::InvitationResent(InvitationResent {
                invitation_id: inv(1),
                workspace_id: ws(),
                expires_at: t(86_400),
                token_hash: "fresh".into(),
                previous_token_hash: "h1".into(),
            })]
        );
    }

    #[test]
    fn the_last_owner_can_neither_leave_nor_be_demoted() {
        let one_owner = vec![added(1, Role::Owner), added(2, Role::Admin)];
        Team::given(one_owner.clone())
            .when(TeamCommand::ChangeRole {
                workspace_id: ws(),
                user_id: user(1),
                role: Role::Admin,
                by_owner: true,
            })
            .then_error(DomainError::LastOwner);
        Team::given(one_owner.clone())
            .when(TeamCommand::Remove {
                workspace_id: ws(),
                user_id: user(1),
                by_owner: true,
            })
            .then_error(DomainError::LastOwner);
        // With a second owner, the first may step down.
        let mut two = one_owner.clone();
        two.push(added(3, Role::Owner));
        Team::given(two)
            .when(TeamCommand::ChangeRole {
                workspace_id: ws(),
                user_id: user(1),
                role: Role::Viewer,
                by_owner: true,
            })
            .then(vec![DomainEvent::MemberRoleChanged(MemberRoleChanged {
                workspace_id: ws(),
                user_id: user(1),
                role: Role::Viewer,
                previous_role: Role::Owner,
            })]);
        // An admin manages everyone but owners.
        Team::given(one_owner.clone())
            .when(TeamCommand::ChangeRole {
                workspace_id: ws(),
                user_id: user(2),
                role: Role::Owner,
                by_owner: false,
            })
            .then_error(DomainError::OwnerRequired);
        Team::given(one_owner.clone())
            .when(TeamCommand::Remove {
                workspace_id: ws(),
                user_id: user(2),
                by_owner: false,
            })
            .then(vec![DomainEvent::MemberRemoved(MemberRemoved {
                workspace_id: ws(),
                user_id: user(2),
            })]);
        Team::given(one_owner)
            .when(TeamCommand::Remove {
                workspace_id: ws(),
                user_id: user(9),
                by_owner: true,
            })
            .then_error(DomainError::NotFound("member"));
    }

    #[test]
    fn account_tokens_are_created_under_a_name_and_revoked_once() {
        let created = DomainEvent::UserCreated(UserCreated {
            user_id: user(1),
            email: "ada@example.com".into(),
            name: "Ada".into(),
        });
        Users::given(vec![])
            .when(UserCommand::Create {
                user_id: user(1),
                email: "Ada@Example.com".into(),
                name: " Ada ".into(),
                with_password: false,
                email_verified: false,
            })
            .then(vec![created.clone()]);
        Users::given(vec![])
            .when(UserCommand::Create {
                user_id: user(1),
                email: "ada@example.com".into(),
                name: "Ada".into(),
                with_password: true,
                email_verified: false,
            })
            .then(vec![
                created.clone(),
                DomainEvent::UserPasswordChanged(UserPasswordChanged { user_id: user(1) }),
            ]);
        Users::given(vec![created.clone()])
            .when(UserCommand::Create {
                user_id: user(1),
                email: "ada@example.com".into(),
                name: "Ada".into(),
                with_password: false,
                email_verified: false,
            })
            .then_error(DomainError::AlreadyExists("user"));
        let token = AccountTokenId(Uuid::from_u128(9));
        let made = DomainEvent::AccountTokenCreated(AccountTokenCreated {
            token_id: token,
            user_id: user(1),
            name: "laptop".into(),
            prefix: "keel_acct_abcdef".into(),
            token_hash: "h".into(),
        });
        Users::given(vec![created.clone()])
            .when(UserCommand::CreateToken {
                token_id: token,
                name: "laptop".into(),
                prefix: "keel_acct_abcdef".into(),
                token_hash: "h".into(),
            })
            .then(vec![made.clone()]);
        let revoked = DomainEvent::AccountTokenRevoked(AccountTokenRevoked {
            token_id: token,
            user_id: user(1),
        });
        Users::given(vec![created.clone(), made.clone()])
            .when(UserCommand::RevokeToken { token_id: token })
            .then(vec![revoked.clone()]);
        Users::given(vec![created, made, revoked])
            .when(UserCommand::RevokeToken { token_id: token })
            .then(vec![]);
        Users::given(vec![])
            .when(UserCommand::ChangePassword)
            .then_error(DomainError::NotFound("user"));
    }
}
