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
}
