use clap::{Parser, Subcommand};
use keel_api::{Application, Role};
use keel_infra::config::Config;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Keel: an event-sourced, multi-tenant backend for API-first analytics products.
#[derive(Parser)]
#[command(name = "keel", version, about)]
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
        /// Which part of Keel this process runs (several processes share one database).
        #[arg(long, value_enum, default_value = "all")]
        role: Role,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (the same as `GET /api/v1/openapi.json`), e.g. to generate a
    /// client.
    Openapi,
    /// The log: recompute the hash chain (on the database), or read events, tail them, an
    /// entity's history and its state at an instant (over HTTP).
    Audit {
        /// What to check.
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Print a stream's history and the state folded from it (as of `--until`, default now).
    Replay {
        /// The workspace id the stream belongs to.
        #[arg(long)]
        workspace: String,
        /// A stream id: `key-<id>`, `workspace-<id>`, `site-<id>`, …
        #[arg(long)]
        stream: String,
        /// RFC 3339: the history as it was then.
        #[arg(long)]
        until: Option<String>,
    },
    /// People: create a user who signs in with a password (the first owner, for one).
    User {
        /// What to do.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Shell completions for bash, zsh or fish, on standard output.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Man pages of keel and of each of its commands (`keel.1`, `keel-keys-create.1`, …).
    Man {
        /// The directory to write them into (made if missing).
        #[arg(long, default_value = "man")]
        dir: PathBuf,
    },
    /// The client commands: they talk to a running Keel over HTTP.
    #[command(flatten)]
    Client(keel_cli::Command),
    /// Replay the whole log into fresh tables of a projection and swap them in.
    Rebuild {
        /// workspaces, api_keys, sites, analytics, dashboards, domains, webhooks, alerts, tracking, agents, integrations,
        /// or usage (the usage ledger, recounted from the log in place while appends wait)
        projection: String,
    },
}

#[derive(clap::Subcommand)]
enum UserAction {
    /// Create a user (or take an existing one) and make them a member of a workspace. The
    /// password is read from `KEEL_USER_PASSWORD`, else from the first line of standard input.
    Create {
        /// Their email address (they sign in with it).
        #[arg(long)]
        email: String,
        /// Their name (default: the part of the address before the `@`).
        #[arg(long)]
        name: Option<String>,
        /// The workspace (default: the only one; on a fresh install, a new one).
        #[arg(long)]
        workspace: Option<String>,
        /// The name of the workspace created on a fresh install.
        #[arg(long, default_value = "My workspace")]
        workspace_name: String,
        /// Their role: owner, admin, analyst, auditor or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Shorthand for `--role owner`.
        #[arg(long)]
        owner: bool,
    },
}

// Parsed once per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
enum AuditAction {
    /// Report `ok` or the first broken position of each workspace's chain (exit 1 if any broke).
    Verify {
        /// One workspace id (default: every workspace with a chain).
        #[arg(long)]
        workspace: Option<String>,
    },
    /// The client's audit commands: they talk to a running Keel over HTTP.
    #[command(flatten)]
    Client(keel_cli::audit::AuditClientAction),
}

/// A client command's end: its exit code says what failed.
fn client_exit(result: Result<(), keel_cli::client::CliError>) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.code);
        }
    }
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

// mimalloc: the dispatcher, the projectors and the API allocate many small, short-lived objects
// across threads; glibc's allocator spent about a tenth of the webhook dispatcher's time
// (docs/benchmarks.md, webhooks, round 4).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// A multi-threaded runtime: the background work of a process (relay, projectors, chainer, webhook
// dispatcher, scanner) spreads over the machine's cores beside the HTTP workers, which have
// threads of their own (under `actix_web::main` it all shared one thread; docs/operations.md).
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The client commands read no server configuration; their exit code says what failed.
    let cli = match cli.command {
        Command::Client(c) => client_exit(keel_cli::run(c).await),
        Command::Audit {
            action: AuditAction::Client(a),
        } => client_exit(keel_cli::audit::run(a).await),
        Command::Man { dir } => {
            use clap::CommandFactory;
            std::fs::create_dir_all(&dir)?;
            // Not built first: generate_to builds the tree itself without the `help` pages.
            clap_mangen::generate_to(Cli::command(), &dir)?;
            let pages = std::fs::read_dir(&dir)?.count();
            eprintln!("{pages} man pages in {}", dir.display());
            return Ok(());
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "keel", &mut std::io::stdout());
            return Ok(());
        }
        command => Cli { command, ..cli },
    };
    if let Command::Openapi = cli.command {
        println!(
            "{}",
            serde_json::to_string_pretty(&keel_api::openapi::spec())?
        );
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config);
    match cli.command {
        Command::Serve { role } => {
            let app = Application::build(config.clone(), role).await?;
            if app.port() != 0 {
                tracing::info!(listen = %config.listen, port = app.port(), ?role, embedded = config.is_embedded(), "keel is serving");
            }
            eprintln!("{}", keel_api::app::banner(&config, role, app.port()));
            app.run_until_stopped().await
        }
        Command::Openapi
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::Client(_)
        | Command::Audit {
            action: AuditAction::Client(_),
        } => {
            unreachable!("answered before the configuration is read")
        }
        Command::Migrate => {
            keel_api::app::open_database(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Audit {
            action: AuditAction::Verify { workspace },
        } => {
            let db = keel_api::app::open_database(&config).await?;
            let tenants: Vec<String> = match workspace {
                Some(w) => vec![w],
                None => keel_infra::chain::tenants(&db).await?,
            };
            let mut broken = 0;
            for t in &tenants {
                let v = keel_infra::chain::verify(&db, t).await?;
                match &v.first_broken {
                    None => println!(
                        "{t}: ok ({} events chained, head {}, {} not chained yet)",
                        v.checked, v.head_hash, v.pending
                    ),
                    Some(b) => {
                        broken += 1;
                        println!(
                            "{t}: BROKEN at position {} (link {}): {}",
                            b.position, b.seq, b.reason
                        );
                    }
                }
            }
            if broken > 0 {
                anyhow::bail!("{broken} of {} chains broken", tenants.len());
            }
            Ok(())
        }
        Command::Replay {
            workspace,
            stream,
            until,
        } => {
            let ws: keel_events::WorkspaceId = workspace
                .parse()
                .map_err(|_| anyhow::anyhow!("--workspace: not a workspace id"))?;
            let at = match until {
                Some(u) => chrono::DateTime::parse_from_rfc3339(&u)
                    .map_err(|_| anyhow::anyhow!("--until: must be an RFC 3339 time"))?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let db = keel_api::app::open_database(&config).await?;
            let events = keel_api::routes::as_of::history(&db, ws, Some(&stream), None, at)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if events.is_empty() {
                anyhow::bail!("no stream `{stream}` in workspace {ws} (as of {at})");
            }
            for e in &events {
                println!("{}", keel_api::routes::as_of::history_row(e));
            }
            let state = match stream.split_once('-').map(|(t, _)| t) {
                Some("key") => keel_api::routes::as_of::key_view(&events, at)
                    .map(serde_json::to_value)
                    .transpose()?,
                Some("workspace") => keel_api::routes::as_of::workspace_view(&events, at)
                    .map(serde_json::to_value)
                    .transpose()?,
                _ => None,
            };
            match state {
                Some(s) => println!("state as of {}: {s}", keel_schemas::format_ts(at)),
                None => println!(
                    "({} events; no folded view for this stream type)",
                    events.len()
                ),
            }
            Ok(())
        }
        Command::User {
            action:
                UserAction::Create {
                    email,
                    name,
                    workspace,
                    workspace_name,
                    role,
                    owner,
                },
        } => {
            let role: keel_events::Role = if owner {
                keel_events::Role::Owner
            } else {
                role.parse()
                    .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?
            };
            let password = match std::env::var("KEEL_USER_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    if std::io::stdin().is_terminal() {
                        eprint!("password for {email}: ");
                    }
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let db = keel_api::app::open_database(&config).await?;
            let store = keel_infra::SqlStore::start(db).await?;
            let made = keel_api::people::create_user(
                &store,
                &email,
                &name,
                password,
                workspace.as_deref(),
                &workspace_name,
                role,
            )
            .await?;
            if made.new_workspace {
                println!("created workspace {}", made.workspace_id);
            }
            println!(
                "{} user {} <{}> is {} of workspace {}; they sign in with POST /api/v1/auth/login",
                if made.existed { "existing" } else { "created" },
                made.user_id,
                email,
                made.role,
                made.workspace_id
            );
            Ok(())
        }
        Command::Rebuild { projection } if projection == "usage" => {
            let db = keel_api::app::open_database(&config).await?;
            let before = keel_infra::usage::recount(&db, None).await?;
            let report = keel_infra::usage::rebuild(&db, None).await?;
            println!(
                "rebuilt usage: {} events recounted into {} counters and {} hours ({} counters and {} hours differed from the log)",
                report.events,
                report.counters,
                report.hours,
                before.counter_differences.len(),
                before.hour_differences.len()
            );
            Ok(())
        }
        Command::Rebuild { projection } => {
            let p = keel_projections::Projection::by_name(&projection).ok_or_else(|| {
                let known: Vec<&str> = keel_projections::Projection::ALL
                    .iter()
                    .map(|p| p.name())
                    .chain(["usage"])
                    .collect();
                anyhow::anyhow!(
                    "unknown projection `{projection}`; known: {}",
                    known.join(", ")
                )
            })?;
            let db = keel_api::app::open_database(&config).await?;
            let store = keel_infra::SqlStore::start(db).await?;
            // A bar on a terminal; piped (a cron job, a log), only the final line.
            let bar = if std::io::stderr().is_terminal() {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "[{bar:30}] {percent:>3}%  {msg}  ({elapsed})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("#>-"),
                );
                b
            } else {
                indicatif::ProgressBar::hidden()
            };
            let progress = |pr: keel_infra::rebuild::Progress| {
                let rate = pr.events as f64 / pr.elapsed.as_secs_f64().max(1e-3);
                bar.set_length(pr.total.max(0) as u64);
                bar.set_position(pr.position.max(0) as u64);
                bar.set_message(format!("{} events  {rate:.0} events/s", pr.events));
            };
            let report = keel_infra::rebuild::rebuild_with(&store, p, &progress).await?;
            bar.finish_and_clear();
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_version_says_keel() {
        let v = Cli::command().render_version().to_string();
        assert_eq!(v.trim(), format!("keel {}", env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn every_argument_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id != "help" && id != "version" && a.get_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "keel", &mut missing);
        assert!(missing.is_empty(), "undescribed: {missing:?}");
    }

    #[test]
    fn rebuild_names_every_projection_and_usage() {
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("rebuild")
            .expect("rebuild")
            .render_long_help()
            .to_string();
        for name in keel_projections::Projection::ALL
            .iter()
            .map(|p| p.name())
            .chain(["usage"])
        {
            assert!(help.contains(name), "{name} missing from: {help}");
        }
    }
}
