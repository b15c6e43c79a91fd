//! `keel-bench`: Keel's benchmarks, each figure printed beside a baseline measured in the same run
//! (docs/benchmarks.md). A tool of its own, never linked into the `keel` binary.

use clap::{Parser, Subcommand};
use keel_infra::config::Config;
use std::path::PathBuf;

/// Keel's benchmarks: every figure beside a same-run baseline, as a ratio.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./keel.toml if present); KEEL_* variables apply as for keel.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure append throughput and end-to-end freshness, each beside a same-run baseline.
    /// Needs a Postgres server (KEEL_DATABASE_URL or --postgres) and, for freshness, KEEL_KAFKA_BROKERS.
    #[command(alias = "bench")]
    Append {
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, default_value_t = 32)]
        writers: usize,
        /// Events per second during the freshness run.
        #[arg(long, default_value_t = 200)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// What a client feels on each HTTP path: reads ÷ an unauthenticated route of the same binary,
    /// single-event commands (POST /workspaces, POST /keys) beside a raw 1-row INSERT and the
    /// postgres-es peer at as many writers (with --postgres), same load generator, same run.
    /// Embedded SQLite unless --postgres.
    #[command(alias = "bench-http")]
    Http {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Analytics: ingestion through POST /api/v1/events against raw INSERTs, and dashboard
    /// latency at two data sizes (needs Postgres).
    #[command(alias = "bench-analytics")]
    Analytics {
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent senders (the group commit fills its batches from many of them).
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 1_000_000)]
        small: usize,
        #[arg(long, default_value_t = 10_000_000)]
        large: usize,
    },
    /// The query endpoint (a two-dimension breakdown with a property filter) at two store
    /// sizes, beside Postgres counting the same rows (needs Postgres).
    #[command(alias = "bench-query")]
    Query {
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        small: usize,
        #[arg(long, default_value_t = 10_000_000)]
        large: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Usage records/s with a hard limit against no limit, same writers, same run.
    #[command(alias = "bench-usage")]
    Usage {
        /// Postgres to run on (a fresh database is made in it); default: embedded SQLite.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
    },
    /// A full rebuild's replay rate against the live projector, and as_of lookups of a key with
    /// 10 events against one with 10,000 (snapshots), same run.
    #[command(alias = "bench-audit")]
    Audit {
        /// Postgres to run on (a fresh database is made in it); default: embedded SQLite.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 50_000)]
        events: usize,
        #[arg(long, default_value_t = 10_000)]
        key_events: usize,
        #[arg(long, default_value_t = 200)]
        lookups: usize,
    },
    /// Webhook deliveries per second beside a bare HTTP client, same receiver, same run.
    #[command(alias = "bench-webhooks")]
    Webhooks {
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 20_000)]
        deliveries: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// Domains scanned per second against a local DNS server beside plain lookups, and the
    /// portfolio summary latency at two sizes (needs Postgres).
    #[command(alias = "bench-domains")]
    Domains {
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 1_000)]
        domains: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10_000)]
        small: usize,
        #[arg(long, default_value_t = 100_000)]
        large: usize,
    },
}

// The same allocator and runtime as the keel binary, so what is measured is what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEEL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match cli.command {
        Command::Append {
            postgres,
            events,
            writers,
            rate,
            seconds,
        } => {
            let postgres_url = postgres
                .or(config
                    .database_url
                    .clone()
                    .filter(|u| u.starts_with("postgres")))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "keel-bench append needs a Postgres server: --postgres URL or KEEL_DATABASE_URL"
                    )
                })?;
            let report = keel_bench::append::run(keel_bench::append::BenchOptions {
                postgres_url,
                kafka_brokers: config.kafka.brokers.clone(),
                events,
                writers,
                rate,
                seconds,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Http {
            seconds,
            connections,
            postgres,
        } => {
            let report = keel_bench::http::run(keel_bench::http::HttpBenchOptions {
                seconds,
                connections,
                database_url: postgres,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Usage {
            postgres,
            seconds,
            connections,
        } => {
            let report = keel_bench::usage::run(keel_bench::usage::UsageBenchOptions {
                postgres_url: postgres,
                seconds,
                connections,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Webhooks {
            postgres,
            deliveries,
            concurrency,
        } => {
            let report = keel_bench::webhooks::run(keel_bench::webhooks::WebhookBenchOptions {
                postgres_url: postgres,
                deliveries,
                concurrency,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Domains {
            postgres,
            domains,
            concurrency,
            small,
            large,
        } => {
            let report = keel_bench::domains::run(keel_bench::domains::DomainBenchOptions {
                postgres_url: postgres,
                domains,
                concurrency,
                small,
                large,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Audit {
            postgres,
            events,
            key_events,
            lookups,
        } => {
            let report = keel_bench::audit::run(keel_bench::audit::AuditBenchOptions {
                postgres_url: postgres,
                events,
                key_events,
                lookups,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Query {
            postgres,
            small,
            large,
            runs,
        } => {
            let postgres_url = postgres
                .or(config
                    .database_url
                    .clone()
                    .filter(|u| u.starts_with("postgres")))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "keel-bench query needs a Postgres server: --postgres URL or KEEL_DATABASE_URL"
                    )
                })?;
            let report = keel_bench::query::run(keel_bench::query::QueryBenchOptions {
                postgres_url,
                small,
                large,
                runs,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::Analytics {
            postgres,
            seconds,
            connections,
            small,
            large,
        } => {
            let postgres_url = postgres
                .or(config
                    .database_url
                    .clone()
                    .filter(|u| u.starts_with("postgres")))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "keel-bench analytics needs a Postgres server: --postgres URL or KEEL_DATABASE_URL"
                    )
                })?;
            let report = keel_bench::analytics::run(keel_bench::analytics::AnalyticsBenchOptions {
                postgres_url,
                seconds,
                connections,
                small,
                large,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
    }
}
