//! Keel's benchmarks (the `keel-bench` binary): each measures a path of Keel beside a baseline
//! taken in the same run on the same machine, and reports the ratio (docs/benchmarks.md).

pub mod analytics;
pub mod append;
pub mod audit;
pub mod domains;
pub mod http;
pub mod peer;
pub mod query;
pub mod usage;
pub mod webhooks;
