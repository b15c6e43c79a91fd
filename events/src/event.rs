use crate::alerts::{AlertCreated, AlertDeleted, AlertFired, AlertResolved, AlertUpdated};
use crate::analytics::{
    AnalyticsDeleted, DashboardCreated, DashboardDeleted, DashboardUpdated, FunnelCreated,
    FunnelDeleted, FunnelUpdated, Hit, PaymentRecorded, PaymentRemoved, VisitorErased,
    VisitorIdentified,
};
use crate::domains::{
    DnsRecordChanged, DomainAdded, DomainRemoved, DomainRestored, DomainScanned, DomainUpdated,
    FolderCreated, FolderDeleted, FolderRenamed, WhoisFetched,
};
use crate::integrations::{
    IntegrationConnected, IntegrationPaused, IntegrationRemoved, IntegrationResumed,
    IntegrationSyncFailed, IntegrationSynced, IntegrationUpdated, SubscriptionChanged,
};
use crate::mcp::{McpServerRegistered, McpServerRemoved, McpServerUpdated, McpToolCalled};
use crate::people::{
    AccountTokenCreated, AccountTokenRevoked, EmailVerified, InvitationAccepted, InvitationCreated,
    InvitationResent, InvitationRevoked, MemberAdded, MemberRemoved, MemberRoleChanged,
    SecondFactorDisabled, SecondFactorEnabled, UserCreated, UserPasswordChanged, UserSignInFailed,
    UserSignedIn,
};
use crate::tracking::{
    SeoIssueOpened, SeoIssueResolved, SeoReportSubmitted, TrackingScanCompleted,
    TrackingScanFailed, TrackingScanRequested,
};
use crate::usage::{EntitlementRemoved, EntitlementSet, UsageRecorded, UsageThresholdReached};
use crate::webhooks::{
    WebhookCreated, WebhookDeleted, WebhookDisabled, WebhookSecretRotated, WebhookUpdated,
};
use crate::{ApiKeyId, Scope, SiteId, Tier, WorkspaceId, WorkspaceSettings};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every fact Keel records. Names are past tense; the stored `event_type` is [`DomainEvent::event_type`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    WorkspaceCreated(WorkspaceCreated),
    WorkspaceUpdated(WorkspaceUpdated),
    WorkspaceDeleted(WorkspaceDeleted),
    ApiKeyCreated(ApiKeyCreated),
    ApiKeyRotated(ApiKeyRotated),
    ApiKeyRevoked(ApiKeyRevoked),
    SiteCreated(SiteCreated),
    SiteUpdated(SiteUpdated),
    SiteDeleted(SiteDeleted),
    PageviewRecorded(Hit),
    CustomEventRecorded(Hit),
    GoalCompleted(Hit),
    PaymentRecorded(PaymentRecorded),
    PaymentRemoved(PaymentRemoved),
    VisitorIdentified(VisitorIdentified),
    VisitorErased(VisitorErased),
    DashboardCreated(DashboardCreated),
    DashboardUpdated(DashboardUpdated),
    DashboardDeleted(DashboardDeleted),
    EntitlementSet(EntitlementSet),
    EntitlementRemoved(EntitlementRemoved),
    UsageRecorded(UsageRecorded),
    UsageThresholdReached(UsageThresholdReached),
    DomainAdded(DomainAdded),
    DomainUpdated(DomainUpdated),
    DomainRemoved(DomainRemoved),
    DomainRestored(DomainRestored),
    DomainScanned(DomainScanned),
    DnsRecordChanged(DnsRecordChanged),
    WhoisFetched(WhoisFetched),
    FolderCreated(FolderCreated),
    FolderRenamed(FolderRenamed),
    FolderDeleted(FolderDeleted),
    WebhookCreated(WebhookCreated),
    WebhookUpdated(WebhookUpdated),
    WebhookSecretRotated(WebhookSecretRotated),
    WebhookDisabled(WebhookDisabled),
    WebhookDeleted(WebhookDeleted),
    FunnelCreated(FunnelCreated),
    FunnelUpdated(FunnelUpdated),
    FunnelDeleted(FunnelDeleted),
    AnalyticsDeleted(AnalyticsDeleted),
    UserCreated(UserCreated),
    UserPasswordChanged(UserPasswordChanged),
    AccountTokenCreated(AccountTokenCreated),
    AccountTokenRevoked(AccountTokenRevoked),
    MemberAdded(MemberAdded),
    MemberRoleChanged(MemberRoleChanged),
    MemberRemoved(MemberRemoved),
    InvitationCreated(InvitationCreated),
    InvitationResent(InvitationResent),
    InvitationRevoked(InvitationRevoked),
    InvitationAccepted(InvitationAccepted),
    UserSignedIn(UserSignedIn),
    UserSignInFailed(UserSignInFailed),
    SecondFactorEnabled(SecondFactorEnabled),
    SecondFactorDisabled(SecondFactorDisabled),
    EmailVerified(EmailVerified),
    AlertCreated(AlertCreated),
    AlertUpdated(AlertUpdated),
    AlertDeleted(AlertDeleted),
    AlertFired(AlertFired),
    AlertResolved(AlertResolved),
    TrackingScanRequested(TrackingScanRequested),
    TrackingScanCompleted(TrackingScanCompleted),
    TrackingScanFailed(TrackingScanFailed),
    McpToolCalled(McpToolCalled),
    McpServerRegistered(McpServerRegistered),
    McpServerUpdated(McpServerUpdated),
    McpServerRemoved(McpServerRemoved),
    PaymentRefunded(crate::analytics::PaymentRefunded),
    MetricRecorded(crate::analytics::MetricRecorded),
    IntegrationConnected(IntegrationConnected),
    IntegrationPaused(IntegrationPaused),
    IntegrationResumed(IntegrationResumed),
    IntegrationSynced(IntegrationSynced),
    IntegrationSyncFailed(IntegrationSyncFailed),
    IntegrationRemoved(IntegrationRemoved),
    IntegrationUpdated(IntegrationUpdated),
    SubscriptionChanged(SubscriptionChanged),
    SeoReportSubmitted(SeoReportSubmitted),
    SeoIssueOpened(SeoIssueOpened),
    SeoIssueResolved(SeoIssueResolved),
}

/// Every event type, in the order of [`DomainEvent`] (webhook patterns are checked against it).
pub const EVENT_TYPES: &[&str] = &[
    "workspace.created",
    "workspace.updated",
    "workspace.deleted",
    "key.created",
    "key.rotated",
    "key.revoked",
    "site.created",
    "site.updated",
    "site.deleted",
    "pageview.recorded",
    "custom_event.recorded",
    "goal.completed",
    "payment.recorded",
    "payment.removed",
    "visitor.identified",
    "visitor.erased",
    "dashboard.created",
    "dashboard.updated",
    "dashboard.deleted",
    "entitlement.set",
    "entitlement.removed",
    "usage.recorded",
    "usage.threshold_reached",
    "domain.added",
    "domain.updated",
    "domain.removed",
    "domain.restored",
    "domain.scanned",
    "domain.dns_changed",
    "domain.whois_fetched",
    "folder.created",
    "folder.renamed",
    "folder.deleted",
    "webhook.created",
    "webhook.updated",
    "webhook.secret_rotated",
    "webhook.disabled",
    "webhook.deleted",
    "funnel.created",
    "funnel.updated",
    "funnel.deleted",
    "site.data_deleted",
    "user.created",
    "user.password_changed",
    "account_token.created",
    "account_token.revoked",
    "member.added",
    "member.role_changed",
    "member.removed",
    "invitation.created",
    "invitation.resent",
    "invitation.revoked",
    "invitation.accepted",
    "user.signed_in",
    "user.sign_in_failed",
    "user.second_factor_enabled",
    "user.second_factor_disabled",
    "user.email_verified",
    "alert.created",
    "alert.updated",
    "alert.deleted",
    "alert.fired",
    "alert.resolved",
    "tracking_scan.requested",
    "tracking_scan.completed",
    "tracking_scan.failed",
    "seo.report_submitted",
    "seo.issue_opened",
    "seo.issue_resolved",
    "mcp.tool_called",
    "mcp_server.registered",
    "mcp_server.updated",
    "mcp_server.removed",
    "payment.refunded",
    "integration.connected",
    "integration.paused",
    "integration.resumed",
    "integration.synced",
    "integration.sync_failed",
    "integration.removed",
    "metric.recorded",
    "integration.updated",
    "subscription.changed",
];

impl DomainEvent {
    /// The hit an analytics event carries, if it is one.
    pub fn hit(&self) -> Option<&Hit> {
        match self {
            DomainEvent::PageviewRecorded(h)
            | DomainEvent::CustomEventRecorded(h)
            | DomainEvent::GoalCompleted(h) => Some(h),
            _ => None,
        }
    }

    /// The stable, public name of the event (also used by webhook patterns).
    pub fn event_type(&self) -> &'static str {
        match self {
            DomainEvent::WorkspaceCreated(_) => "workspace.created",
            DomainEvent::WorkspaceUpdated(_) => "workspace.updated",
            DomainEvent::WorkspaceDeleted(_) => "workspace.deleted",
            DomainEvent::ApiKeyCreated(_) => "key.created",
            DomainEvent::ApiKeyRotated(_) => "key.rotated",
            DomainEvent::ApiKeyRevoked(_) => "key.revoked",
            DomainEvent::SiteCreated(_) => "site.created",
            DomainEvent::SiteUpdated(_) => "site.updated",
            DomainEvent::SiteDeleted(_) => "site.deleted",
            DomainEvent::PageviewRecorded(_) => "pageview.recorded",
            DomainEvent::CustomEventRecorded(_) => "custom_event.recorded",
            DomainEvent::GoalCompleted(_) => "goal.completed",
            DomainEvent::PaymentRecorded(_) => "payment.recorded",
            DomainEvent::PaymentRemoved(_) => "payment.removed",
            DomainEvent::VisitorIdentified(_) => "visitor.identified",
            DomainEvent::VisitorErased(_) => "visitor.erased",
            DomainEvent::DashboardCreated(_) => "dashboard.created",
            DomainEvent::DashboardUpdated(_) => "dashboard.updated",
            DomainEvent::DashboardDeleted(_) => "dashboard.deleted",
            DomainEvent::EntitlementSet(_) => "entitlement.set",
            DomainEvent::EntitlementRemoved(_) => "entitlement.removed",
            DomainEvent::UsageRecorded(_) => "usage.recorded",
            DomainEvent::UsageThresholdReached(_) => "usage.threshold_reached",
            DomainEvent::DomainAdded(_) => "domain.added",
            DomainEvent::DomainUpdated(_) => "domain.updated",
            DomainEvent::DomainRemoved(_) => "domain.removed",
            DomainEvent::DomainRestored(_) => "domain.restored",
            DomainEvent::DomainScanned(_) => "domain.scanned",
            DomainEvent::DnsRecordChanged(_) => "domain.dns_changed",
            DomainEvent::WhoisFetched(_) => "domain.whois_fetched",
            DomainEvent::FolderCreated(_) => "folder.created",
            DomainEvent::FolderRenamed(_) => "folder.renamed",
            DomainEvent::FolderDeleted(_) => "folder.deleted",
            DomainEvent::WebhookCreated(_) => "webhook.created",
            DomainEvent::WebhookUpdated(_) => "webhook.updated",
            DomainEvent::WebhookSecretRotated(_) => "webhook.secret_rotated",
            DomainEvent::WebhookDisabled(_) => "webhook.disabled",
            DomainEvent::WebhookDeleted(_) => "webhook.deleted",
            DomainEvent::FunnelCreated(_) => "funnel.created",
            DomainEvent::FunnelUpdated(_) => "funnel.updated",
            DomainEvent::FunnelDeleted(_) => "funnel.deleted",
            DomainEvent::AnalyticsDeleted(_) => "site.data_deleted",
            DomainEvent::UserCreated(_) => "user.created",
            DomainEvent::UserPasswordChanged(_) => "user.password_changed",
            DomainEvent::AccountTokenCreated(_) => "account_token.created",
            DomainEvent::AccountTokenRevoked(_) => "account_token.revoked",
            DomainEvent::MemberAdded(_) => "member.added",
            DomainEvent::MemberRoleChanged(_) => "member.role_changed",
            DomainEvent::MemberRemoved(_) => "member.removed",
            DomainEvent::InvitationCreated(_) => "invitation.created",
            DomainEvent::InvitationResent(_) => "invitation.resent",
            DomainEvent::InvitationRevoked(_) => "invitation.revoked",
            DomainEvent::InvitationAccepted(_) => "invitation.accepted",
            DomainEvent::UserSignedIn(_) => "user.signed_in",
            DomainEvent::UserSignInFailed(_) => "user.sign_in_failed",
            DomainEvent::SecondFactorEnabled(_) => "user.second_factor_enabled",
            DomainEvent::SecondFactorDisabled(_) => "user.second_factor_disabled",
            DomainEvent::EmailVerified(_) => "user.email_verified",
            DomainEvent::AlertCreated(_) => "alert.created",
            DomainEvent::AlertUpdated(_) => "alert.updated",
            DomainEvent::AlertDeleted(_) => "alert.deleted",
            DomainEvent::AlertFired(_) => "alert.fired",
            DomainEvent::AlertResolved(_) => "alert.resolved",
            DomainEvent::TrackingScanRequested(_) => "tracking_scan.requested",
            DomainEvent::TrackingScanCompleted(_) => "tracking_scan.completed",
            DomainEvent::TrackingScanFailed(_) => "tracking_scan.failed",
            DomainEvent::SeoReportSubmitted(_) => "seo.report_submitted",
            DomainEvent::SeoIssueOpened(_) => "seo.issue_opened",
            DomainEvent::SeoIssueResolved(_) => "seo.issue_resolved",
            DomainEvent::McpToolCalled(_) => "mcp.tool_called",
            DomainEvent::McpServerRegistered(_) => "mcp_server.registered",
            DomainEvent::McpServerUpdated(_) => "mcp_server.updated",
            DomainEvent::McpServerRemoved(_) => "mcp_server.removed",
            DomainEvent::PaymentRefunded(_) => "payment.refunded",
            DomainEvent::MetricRecorded(_) => "metric.recorded",
            DomainEvent::IntegrationConnected(_) => "integration.connected",
            DomainEvent::IntegrationPaused(_) => "integration.paused",
            DomainEvent::IntegrationResumed(_) => "integration.resumed",
            DomainEvent::IntegrationSynced(_) => "integration.synced",
            DomainEvent::IntegrationSyncFailed(_) => "integration.sync_failed",
            DomainEvent::IntegrationRemoved(_) => "integration.removed",
            DomainEvent::IntegrationUpdated(_) => "integration.updated",
            DomainEvent::SubscriptionChanged(_) => "subscription.changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceCreated {
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub slug: String,
    pub tier: Tier,
    pub settings: WorkspaceSettings,
}

/// Only the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WorkspaceUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<WorkspaceSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDeleted {
    pub workspace_id: WorkspaceId,
}

/// The secret never appears in an event: only its hash and its public prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate_limit_tier: Option<Tier>,
    /// `live` or `test`, as chosen at creation. Schema version 2; version 1 events did not carry
    /// it, and their upcaster derives it from the prefix (`keel_test_…`).
    pub environment: String,
    /// A website key (DataFast's `df_` key): it reaches this site only. Absent: every site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<crate::SiteId>,
}

/// A new secret replaces the old one; the old one keeps working until `previous_valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRotated {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub prefix: String,
    pub key_hash: String,
    pub previous_prefix: String,
    pub previous_key_hash: String,
    pub previous_valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRevoked {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A site: where analytics events come from. `tracking_id` is public (it goes into web pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCreated {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub currency: String,
    pub tracking_id: String,
}

/// Only the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SiteUpdated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteDeleted {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
}
