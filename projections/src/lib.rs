//! Read models: projectors that turn events into rows, guarded so that replays change nothing,
//! and the queries the API serves from those rows.

pub mod db;

pub use db::{Db, Dialect};
