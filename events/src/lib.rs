//! Keel's domain vocabulary: identifiers, value types, the events themselves and the envelope that
//! carries them through the log. Nothing here does I/O; every other crate depends on this one.

pub mod alerts;
pub mod analytics;
pub mod domains;
mod envelope;
mod event;
mod ids;
pub mod integrations;
pub mod mcp;
pub mod people;
pub mod tracking;
pub mod usage;
mod values;
pub mod webhooks;

pub use alerts::{
    AlertChannel, AlertCondition, AlertCreated, AlertDeleted, AlertFired, AlertResolved,
    AlertUpdated,
};
pub use analytics::{
    AnalyticsDeleted, DashboardCreated, DashboardDeleted, DashboardUpdated, FunnelCreated,
    FunnelDeleted, FunnelStepDef, FunnelUpdated, Hit, MetricRecorded, PaymentRecorded,
    PaymentRefunded, PaymentRemoved, Sealed, VisitorErased, VisitorIdentified, Widget,
};
pub use domains::{
    DnsRecordChanged, DomainAdded, DomainRemoved, DomainRestored, DomainScanned, DomainUpdated,
    FolderCreated, FolderDeleted, FolderRenamed, ScanOutcome, WhoisFetched,
};
pub use envelope::{Actor, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId};
pub use event::*;
pub use ids::{
    AccountTokenId, AlertId, ApiKeyId, DashboardId, DomainId, EventId, FolderId, FunnelId,
    IntegrationId, InvitationId, McpCallId, SeoIssueId, SeoPageId, SeoReportId, SiteId,
    TrackingScanId, UserId, WebhookId, WorkspaceId,
};
pub use integrations::{
    IntegrationConnected, IntegrationPaused, IntegrationRemoved, IntegrationResumed,
    IntegrationSyncFailed, IntegrationSynced, IntegrationUpdated, RevenueSettings,
    SubscriptionChanged,
};
pub use mcp::{
    McpServerRegistered, McpServerRemoved, McpServerUpdated, McpToolCalled, RemoteDiscovery,
    RemoteTool,
};
pub use people::{
    AccountTokenCreated, AccountTokenRevoked, EmailVerified, InvitationAccepted, InvitationCreated,
    InvitationResent, InvitationRevoked, MemberAdded, MemberRemoved, MemberRoleChanged, Role,
    SecondFactorDisabled, SecondFactorEnabled, UserCreated, UserPasswordChanged, UserSignInFailed,
    UserSignedIn,
};
pub use tracking::{
    ScanOptions, SeoIssueOpened, SeoIssueReported, SeoIssueResolved, SeoReportSubmitted,
    TrackingScanCompleted, TrackingScanFailed, TrackingScanRequested,
};
pub use values::{is_currency, Scope, ScopeError, Tier, WorkspaceSettings, SCOPE_RESOURCES};
pub use webhooks::{
    WebhookCreated, WebhookDeleted, WebhookDisabled, WebhookSecretRotated, WebhookUpdated,
};
