//! Read models: projectors that turn events into rows, guarded so that replays change nothing,
//! and the queries the API serves from those rows.

pub mod agents;
pub mod alerts;
pub mod analytics;
pub mod api_keys;
pub mod apply;
pub mod dashboards;
pub mod db;
pub mod domains;
pub mod explore;
pub mod insights;
pub mod integrations;
pub mod model;
pub mod personal;
pub mod query;
pub mod sites;
pub mod sketch;
pub mod stats;
pub mod tracking;
pub mod webhooks;
pub mod workspaces;

pub use apply::{
    apply_events, ensure_tables, has_applied, has_applied_range, ApplyError, Projection,
};
pub use db::{Db, Dialect};
pub use model::{Batch, ReadModel};

/// A read model's table definition for a backend: Postgres keeps what SQLite cannot (the raw hits'
/// partitioning, [`analytics::PARTITIONED`]).
pub fn ddl_for(stmt: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => stmt.to_string(),
        Dialect::Sqlite => stmt.replace(analytics::PARTITIONED, ""),
    }
}
