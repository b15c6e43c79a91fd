use crate::activity::Activity;
use crate::limits::Limiter;
use futures::future::BoxFuture;
use keel_infra::config::Config;
use keel_infra::{Db, SqlStore};

/// Probes the broker; `None` when no broker is configured.
pub type BrokerCheck = Box<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// What every handler can reach.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub store: SqlStore,
    /// SHA-256 hex of every accepted operator token.
    pub operator_hashes: Vec<String>,
    pub broker_check: Option<BrokerCheck>,
    /// Per projection: every event up to this position was seen applied (read-your-writes).
    pub watermarks: std::sync::Mutex<std::collections::HashMap<&'static str, i64>>,
    pub limiter: Limiter,
    pub activity: Activity,
    pub key_cache: crate::auth::KeyCache,
    /// Today's salt for anonymous visitor keys: `(UTC day, salt)`.
    pub salt: std::sync::Mutex<Option<(String, String)>>,
    pub geo: Option<std::sync::Arc<crate::geo::GeoDb>>,
    /// A MaxMind City database (`KEEL_GEOIP_CITY_PATH`): hits' region and city (and country,
    /// when `KEEL_GEOIP_PATH` is unset or does not know the address).
    pub city_geo: Option<std::sync::Arc<keel_infra::geoip::GeoIp>>,
    /// Rebuilds started over the admin API, by projection.
    pub rebuilds: dashmap::DashMap<&'static str, crate::routes::admin::RebuildState>,
    /// Posts test messages to webhook endpoints, with the dispatcher's SSRF guard.
    pub webhooks: keel_infra::webhooks::Sender,
    /// The MCP gateway's client for remote servers (SSRF-guarded, sessions kept).
    pub mcp_remote: std::sync::Arc<keel_infra::mcp_remote::RemoteClient>,
    /// Stripe syncs under way in this process.
    pub syncer: keel_infra::integrations::Syncer,
    /// Outgoing mail, when `KEEL_SMTP_URL` is set.
    pub mailer: Option<keel_infra::mail::Mailer>,
    /// Workspaces' plans, zones and overrides as the ingest meters read them, each for a few
    /// seconds (a hit must not cost two stream reads).
    pub(crate) accounts: dashmap::DashMap<
        keel_events::WorkspaceId,
        (
            std::time::Instant,
            std::sync::Arc<crate::routes::usage::Account>,
        ),
    >,
    /// Where this process itself answers HTTP (the MCP endpoint calls the REST API here).
    pub self_addr: std::net::SocketAddr,
}

impl AppState {
    /// This process's HTTP address as a client reaches it from the same host.
    pub fn self_addr(&self) -> std::net::SocketAddr {
        let mut a = self.self_addr;
        if a.ip().is_unspecified() {
            a.set_ip(match a.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        a
    }
}
