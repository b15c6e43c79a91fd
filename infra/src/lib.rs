//! Adapters: the SQL event store (Postgres, SQLite), migrations, the Kafka relay and consumer,
//! checkpoints, configuration and telemetry.

pub mod alerts;
pub mod audit;
pub mod chain;
pub mod clock;
pub mod config;
pub mod consumer;
pub mod dns;
pub mod edge;
pub mod exports;
pub mod feed;
pub mod geoip;
pub mod idempotency;
mod inline;
pub mod integrations;
pub use inline::slug_in_use;
pub mod kafka;
pub mod mail;
pub mod mcp_remote;
pub mod metrics;
pub mod migrate;
pub mod people;
pub mod rdap;
pub mod rebuild;
pub mod relay;
pub mod retention;
pub mod salts;
pub mod scanner;
pub mod snapshots;
pub mod store;
pub mod stripe;
pub mod sweeper;
pub mod tracking;
pub mod usage;
pub mod webhooks;

pub use keel_projections::{Db, Dialect};
pub use store::SqlStore;
