//! People: users, their membership of workspaces with a role, invitations and personal account
//! tokens.
//!
//! Credentials never appear in an event: password hashes live in the `user_credentials` table and
//! sessions in `user_sessions`; the log says only that a password was set. Invitation links and
//! account tokens appear only as SHA-256 hashes of long random secrets (as API keys do), which
//! the public payload strips.

use crate::WorkspaceId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role in a workspace. Each maps onto a fixed set of scopes (`keel-api`'s access
/// table); an owner may do everything, including deleting the workspace and managing owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Analyst,
    Auditor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Analyst,
        Role::Auditor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}`; expected owner, admin, analyst, auditor or viewer")
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    pub user_id: crate::UserId,
    /// Lower-cased; unique among users.
    pub email: String,
    pub name: String,
}

/// A password was set or changed. The hash itself is in `user_credentials`, never here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPasswordChanged {
    pub user_id: crate::UserId,
}

/// A personal account token (`keel_acct_…`): it acts as its user in every workspace the user
/// belongs to, capped by the user's role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTokenCreated {
    pub token_id: crate::AccountTokenId,
    pub user_id: crate::UserId,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTokenRevoked {
    pub token_id: crate::AccountTokenId,
    pub user_id: crate::UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAdded {
    pub workspace_id: WorkspaceId,
    pub user_id: crate::UserId,
    pub email: String,
    pub role: Role,
    /// The invitation this member accepted; absent when the operator added them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<crate::InvitationId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRoleChanged {
    pub workspace_id: WorkspaceId,
    pub user_id: crate::UserId,
    pub role: Role,
    pub previous_role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRemoved {
    pub workspace_id: WorkspaceId,
    pub user_id: crate::UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation_id: crate::InvitationId,
    pub workspace_id: WorkspaceId,
    /// Lower-cased.
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// SHA-256 of the secret in the invitation link.
    pub token_hash: String,
}

/// A new link replaces the old one (which stops working) and the expiry starts again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationResent {
    pub invitation_id: crate::InvitationId,
    pub workspace_id: WorkspaceId,
    pub expires_at: DateTime<Utc>,
    pub token_hash: String,
    pub previous_token_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRevoked {
    pub invitation_id: crate::InvitationId,
    pub workspace_id: WorkspaceId,
}

/// Always followed, in the same append, by the [`MemberAdded`] it led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationAccepted {
    pub invitation_id: crate::InvitationId,
    pub workspace_id: WorkspaceId,
    pub user_id: crate::UserId,
}

/// A person signed in (recorded in each workspace they belong to, for its auditors). The client
/// address is the event's `client_ip` metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSignedIn {
    pub user_id: crate::UserId,
    /// The session it started (its id, never its secret).
    pub session_id: String,
}

/// Someone tried to sign in as this person and failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSignInFailed {
    pub user_id: crate::UserId,
    /// `wrong_password`
    pub reason: String,
}

/// The person turned on a second factor (TOTP). Its secret is never in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorEnabled {
    pub user_id: crate::UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorDisabled {
    pub user_id: crate::UserId,
}

/// A link sent to the address came back: the person holds that mailbox. (Accepting an
/// invitation, which was sent there, proves it too.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailVerified {
    pub user_id: crate::UserId,
    pub email: String,
}
