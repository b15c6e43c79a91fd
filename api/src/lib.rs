//! Keel's HTTP API: routes, DTOs, authentication, errors, and the application wiring behind the
//! `keel` binary.

pub mod access;
pub mod activity;
pub mod alerts;
pub mod app;
pub mod auth;
pub mod console;
pub mod edge;
pub mod entropy;
pub mod error;
pub mod geo;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod limits;
pub mod mcp;
pub mod openapi;
pub mod people;
pub mod routes;
pub mod state;

pub use app::{Application, Role, RunningApp};
