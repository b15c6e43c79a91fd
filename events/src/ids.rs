use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A time-ordered (UUIDv7) identifier. Call this at the edge, never inside a decider.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies one event; unique across the whole log.
    EventId
);
id_type!(
    /// Identifies a workspace, which is also the tenant of everything inside it.
    WorkspaceId
);
id_type!(
    /// Identifies an API key (not the secret itself).
    ApiKeyId
);
id_type!(
    /// Identifies a site (a website or app whose analytics a workspace collects).
    SiteId
);
id_type!(
    /// Identifies a saved dashboard.
    DashboardId
);
id_type!(
    /// Identifies a watched domain of a workspace (derived from the workspace and the name).
    DomainId
);
id_type!(
    /// Identifies a folder of domains.
    FolderId
);
id_type!(
    /// Identifies a webhook endpoint of a workspace.
    WebhookId
);
id_type!(
    /// Identifies a saved funnel of a site.
    FunnelId
);
id_type!(
    /// Identifies a person who signs in (across workspaces).
    UserId
);
id_type!(
    /// Identifies a personal account token (not the secret itself).
    AccountTokenId
);
id_type!(
    /// Identifies an invitation to join a workspace.
    InvitationId
);
id_type!(
    /// Identifies an alert of a workspace.
    AlertId
);
id_type!(
    /// Identifies one Tracking Checker scan.
    TrackingScanId
);
id_type!(
    /// Identifies a page of a workspace's SEO reports (derived from the workspace and the URL).
    SeoPageId
);
id_type!(
    /// Identifies one SEO report.
    SeoReportId
);
id_type!(
    /// Identifies one SEO issue of a page (kept across the reports that list it).
    SeoIssueId
);
id_type!(
    /// Identifies one tool call an agent made through Keel's MCP servers.
    McpCallId
);
id_type!(
    /// Identifies an integration (a connected Stripe account) of a workspace.
    IntegrationId
);
