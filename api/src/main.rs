use clap::{Parser, Subcommand};
use keel_api::{Application, Role};
use keel_infra::config::Config;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Keel: an event-sourced, multi-tenant backend for API-first analytics products.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./keel.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Keel (every role on the embedded store unless configured otherwise).
    Serve {
        #[arg(long, value_enum, default_value = "all")]
        role: Role,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Measure append throughput and end-to-end freshness, each beside a same-run baseline.
    /// Needs a Postgres server (KEEL_DATABASE_URL or --postgres) and, for freshness, KEEL_KAFKA_BROKERS.
    Bench {
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
    /// Measure what the edge costs: an authenticated GET of a small resource ÷ an unauthenticated
    /// route of the same binary, same load generator, same run. Embedded SQLite unless --postgres.
    BenchHttp {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Analytics: ingestion through POST /api/v1/events against raw INSERTs, and dashboard
    /// latency at two data sizes (needs Postgres).
    BenchAnalytics {
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
    /// Replay the whole log into fresh tables of a projection and swap them in.
    Rebuild {
        /// workspaces, api_keys, sites or analytics
        projection: String,
    },
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KEEL_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,rdkafka=warn"));
    let json = match config.log_format.as_deref() {
        Some(f) => f == "json",
        None => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config);
    match cli.command {
        Command::Serve { role } => {
            let app = Application::build(config.clone(), role).await?;
            if app.port() != 0 {
                tracing::info!(listen = %config.listen, port = app.port(), ?role, embedded = config.is_embedded(), "keel is serving");
            }
            app.run_until_stopped().await
        }
        Command::Migrate => {
            keel_api::app::open_database(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Bench {
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
                        "keel bench needs a Postgres server: --postgres URL or KEEL_DATABASE_URL"
                    )
                })?;
            let report = keel_infra::bench::run(keel_infra::bench::BenchOptions {
                postgres_url,
                kafka_brokers: config.kafka_brokers.clone(),
                events,
                writers,
                rate,
                seconds,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::BenchHttp {
            seconds,
            connections,
            postgres,
        } => {
            let report = keel_api::bench::run(keel_api::bench::HttpBenchOptions {
                seconds,
                connections,
                database_url: postgres,
            })
            .await?;
            print!("{report}");
            Ok(())
        }
        Command::BenchAnalytics {
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
                        "keel bench-analytics needs a Postgres server: --postgres URL or KEEL_DATABASE_URL"
                    )
                })?;
            let report =
                keel_api::bench_analytics::run(keel_api::bench_analytics::AnalyticsBenchOptions {
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
        Command::Rebuild { projection } => {
            let p = keel_projections::Projection::by_name(&projection).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown projection `{projection}`; known: workspaces, api_keys, sites, analytics"
                )
            })?;
            let db = keel_api::app::open_database(&config).await?;
            let store = keel_infra::SqlStore::start(db).await?;
            let report = keel_infra::rebuild::rebuild(&store, p).await?;
            println!(
                "rebuilt {}: {} events replayed, {} rows, swapped in",
                p.name(),
                report.events,
                report.rows
            );
            Ok(())
        }
    }
}
