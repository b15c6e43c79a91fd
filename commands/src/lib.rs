//! The write side: commands, aggregates with pure `decide`/`evolve`, domain errors, the
//! [`EventStore`] port, an in-memory store and a given/when/then test harness.
//!
//! Nothing here touches a database, a clock or a random source: ids and times arrive in commands.

mod aggregate;
pub mod alert;
pub mod analytics;
pub mod api_key;
pub mod dashboard;
pub mod domain;
mod error;
mod execute;
pub mod integrations;
pub mod mcp;
mod memory;
pub mod people;
pub mod site;
mod store;
pub mod subscriptions;
pub mod testing;
pub mod tracking;
pub mod usage;
pub mod user_agent;
mod validation;
pub mod webhook;
pub mod workspace;

pub use aggregate::Aggregate;
pub use error::{CommandError, DomainError, FieldError};
pub use execute::{execute, Execution};
pub use memory::InMemoryStore;
pub use store::{
    check_expected, AppendOutcome, AppendRequest, EventStore, LogCursor, Meter, StoreError,
};
pub use validation::{generate_slug, validate_slug, Validator};
