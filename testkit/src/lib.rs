//! Dev-only fixtures for Keel's tests and benchmarks, never linked into the `keel` binary: fresh
//! databases on the servers the test scripts start, a local authoritative DNS server, and sample
//! events.

pub mod db;
pub mod dns;
pub mod geoip;

pub use db::{
    fresh_postgres, fresh_postgres_url, fresh_postgres_url_in, fresh_sqlite, postgres_admin_url,
    sample_event,
};
