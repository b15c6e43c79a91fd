//! Keel's HTTP API: routes, DTOs, authentication, errors, and the application wiring behind the
//! `keel` binary.

pub mod app;
pub mod auth;
pub mod error;
pub mod http;
pub mod openapi;
pub mod routes;
pub mod state;

pub use app::{Application, Role, RunningApp};
