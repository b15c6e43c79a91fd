//! Read models: projectors that turn events into rows, guarded so that replays change nothing,
//! and the queries the API serves from those rows.

pub mod analytics;
pub mod apply;
pub mod db;
pub mod domains;
pub mod insights;
pub mod personal;
pub mod query;
pub mod sketch;
pub mod stats;
pub mod webhooks;

pub use apply::{
    apply_events, ensure_tables, has_applied, has_applied_range, ApplyError, Projection,
};
pub use db::{Db, Dialect};
