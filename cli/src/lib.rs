//! The client commands of `keel`: `keel serve` runs Keel, these talk to one over HTTP, as
//! HashiCorp's tools do. A profile saved by `keel login` (or `KEEL_URL`/`KEEL_TOKEN`) says which
//! server and as whom; `--output table|json|ndjson|csv` says how to print; the exit code says
//! what went wrong ([`client::exit`]).

pub mod audit;
pub mod client;
pub mod output;
pub mod profiles;
pub mod resources;

use client::{exit, CliError, Client};
use output::{render, render_in, Output};
use profiles::{Profile, Profiles};
use reqwest::Method;
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal};

/// Where and as whom: a profile, and what overrides it.
#[derive(clap::Args, Clone, Debug)]
pub struct ClientArgs {
    /// The profile saved by `keel login`.
    #[arg(long, global = true, env = "KEEL_PROFILE", default_value = "default")]
    pub profile: String,
    /// The server's base URL (instead of the profile's).
    #[arg(long, global = true, env = "KEEL_URL")]
    pub url: Option<String>,
    /// An API key, account token or operator token (instead of the profile's).
    #[arg(long, global = true, env = "KEEL_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The workspace, for tokens that reach several (operator and account tokens).
    #[arg(long, global = true, env = "KEEL_WORKSPACE")]
    pub workspace: Option<String>,
    /// How to print: aligned columns, or JSON, NDJSON or CSV for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "table")]
    pub output: Output,
}

impl ClientArgs {
    pub(crate) fn client(&self) -> Result<Client, CliError> {
        let saved = Profiles::load()?.profiles.remove(&self.profile);
        let url = self
            .url
            .clone()
            .or_else(|| saved.as_ref().map(|p| p.url.clone()))
            .ok_or_else(|| {
                CliError::new(
                    exit::AUTH,
                    format!(
                        "no server: run `keel login --url URL --token TOKEN` (profile `{}`) or set KEEL_URL",
                        self.profile
                    ),
                )
            })?;
        let token = self
            .token
            .clone()
            .or_else(|| saved.as_ref().map(|p| p.token.clone()));
        let workspace = self
            .workspace
            .clone()
            .or_else(|| saved.and_then(|p| p.workspace));
        Ok(Client::new(&url, token, workspace))
    }
}

/// A write's idempotency key: given, or a fresh one (so the command's own retries act once).
#[derive(clap::Args, Clone, Debug)]
pub struct Idempotency {
    /// Sent as `Idempotency-Key`; the same key again answers what the first call did.
    #[arg(long)]
    pub idempotency_key: Option<String>,
}

impl Idempotency {
    fn key(&self) -> String {
        self.idempotency_key
            .clone()
            .unwrap_or_else(|| format!("keel-cli-{}", uuid::Uuid::new_v4().simple()))
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Save a server's URL and token as a profile (checked against the server first); or sign
    /// in with `--email` and save an account token made for this machine.
    Login {
        /// The server's base URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        url: String,
        /// The token (default: the first line of standard input, so it stays out of the shell's
        /// history).
        #[arg(long, conflicts_with = "email")]
        token: Option<String>,
        /// Sign in as this person instead: the password is read from `KEEL_PASSWORD`, else from
        /// the first line of standard input.
        #[arg(long)]
        email: Option<String>,
        /// The current code of the person's authenticator app, if they set up a second factor.
        #[arg(long, requires = "email")]
        otp: Option<String>,
        /// The workspace, for tokens that reach several.
        #[arg(long)]
        workspace: Option<String>,
        /// The profile to save it as.
        #[arg(long, env = "KEEL_PROFILE", default_value = "default")]
        profile: String,
    },
    /// Forget a saved profile.
    Logout {
        /// The profile to forget.
        #[arg(long, env = "KEEL_PROFILE", default_value = "default")]
        profile: String,
    },
    /// Who the profile's token is, and its rate limit.
    Whoami {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// API keys: list, show, create (the secret is printed once), revoke.
    Keys {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Sites: list, show, create, update, delete.
    Sites {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: SitesAction,
    },
    /// A site's analytics: aggregate, timeseries, breakdown, or any query.
    Stats {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: StatsAction,
    },
    /// Send pageviews and custom events.
    Events {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: EventsAction,
    },
    /// Workspaces: list, show, create, update, delete.
    Workspaces {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::WorkspacesAction,
    },
    /// Monitored domains: list, show, add (from arguments or a file), update, delete, scan.
    Domains {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::DomainsAction,
    },
    /// Webhook endpoints and their deliveries.
    Webhooks {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::WebhooksAction,
    },
    /// The workspace's people: members, roles, invitations.
    Members {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::MembersAction,
    },
    /// Alerts: list, show, create, update, delete, and when they fired.
    Alerts {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::AlertsAction,
    },
    /// The plan's features and their usage, or one feature's usage over time.
    Usage {
        #[command(flatten)]
        client: ClientArgs,
        #[command(flatten)]
        args: resources::UsageArgs,
    },
    /// Exports: domains or a query's result as CSV (queued, waited for, downloaded), and jobs.
    Export {
        #[command(flatten)]
        client: ClientArgs,
        #[command(subcommand)]
        action: resources::ExportAction,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysAction {
    /// The workspace's keys (never their secrets).
    List {
        /// Keys per request (every page is read).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One key.
    Show {
        /// The key's id.
        id: String,
    },
    /// A new key: its secret is printed once and never again.
    Create {
        /// What the key is for.
        #[arg(long)]
        name: String,
        /// Comma-separated, e.g. `events:write,analytics:read`.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// RFC 3339.
        #[arg(long)]
        expires_at: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Revoke a key: it stops working at once.
    Revoke {
        /// The key's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// A new secret for a key (printed once); the old one stops working.
    Rotate {
        /// The key's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum SitesAction {
    /// The workspace's sites.
    List,
    /// One site.
    Show {
        /// The site's id.
        id: String,
    },
    /// A new site.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// The domain its pages are on.
        #[arg(long)]
        domain: String,
        /// IANA zone of the site's days, e.g. Europe/Berlin.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Change a site's name, domain or time zone.
    Update {
        /// The site's id.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new domain.
        #[arg(long)]
        domain: Option<String>,
        /// IANA zone, e.g. Europe/Berlin.
        #[arg(long)]
        timezone: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Delete a site.
    Delete {
        /// The site's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
}

/// The range and filters every stats command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct StatsRange {
    /// The site's id.
    #[arg(long)]
    pub site: String,
    /// today, 7d, 30d, month, 6mo, 12mo (or --from/--to).
    #[arg(long)]
    pub period: Option<String>,
    /// First day, YYYY-MM-DD (with --to).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[arg(long)]
    pub to: Option<String>,
    /// `DIMENSION OPERATOR VALUE[|VALUE…]`, e.g. `source is Google|Bing` or `page contains /blog`;
    /// repeat for more (all must hold).
    #[arg(long = "filter")]
    pub filters: Vec<String>,
    /// Compare with `previous_period` or `year_over_year`.
    #[arg(long)]
    pub compare: Option<String>,
    /// Comma-separated metrics (default: the endpoint's).
    #[arg(long)]
    pub metrics: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum StatsAction {
    /// Totals over the range.
    Aggregate {
        #[command(flatten)]
        range: StatsRange,
    },
    /// One row per hour, day, week or month.
    Timeseries {
        #[command(flatten)]
        range: StatsRange,
        /// hour, day, week or month (default: by the range).
        #[arg(long)]
        interval: Option<String>,
    },
    /// One row per value of a dimension.
    Breakdown {
        #[command(flatten)]
        range: StatsRange,
        /// source, page, country, device, browser, utm_*, goal.
        #[arg(long)]
        dimension: String,
        /// Rows at most.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Any query of the query endpoint (Plausible's Stats API v2 body), from a file or `-`.
    Query {
        /// The site's id.
        #[arg(long)]
        site: String,
        /// A JSON file, or `-` for standard input.
        #[arg(long)]
        body: String,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum EventsAction {
    /// Send events: one JSON object per line (`POST /api/v1/events` items), in batches.
    Send {
        /// An NDJSON file, or `-` for standard input.
        #[arg(long)]
        file: String,
        /// The site of items that name none.
        #[arg(long)]
        site: Option<String>,
        /// Items per request (at most 1,000).
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
}

/// Runs a client command; the error carries the exit code.
pub async fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Login {
            url,
            token,
            email,
            otp,
            workspace,
            profile,
        } => {
            let token = match email {
                Some(email) => Some(sign_in(&url, &email, otp).await?),
                None => token,
            };
            login(url, token, workspace, profile).await
        }
        Command::Logout { profile } => {
            let mut all = Profiles::load()?;
            if all.profiles.remove(&profile).is_none() {
                return Err(CliError::new(
                    exit::NOT_FOUND,
                    format!("no profile `{profile}`"),
                ));
            }
            all.save()?;
            eprintln!("profile `{profile}` forgotten");
            Ok(())
        }
        Command::Whoami { client } => {
            let c = client.client()?;
            let body = c.get("/api/v1").await?;
            print(&body["data"]["caller"], client.output);
            Ok(())
        }
        Command::Keys { client, action } => keys(&client, action).await,
        Command::Sites { client, action } => sites(&client, action).await,
        Command::Stats { client, action } => stats(&client, action).await,
        Command::Events { client, action } => events(&client, action).await,
        Command::Workspaces { client, action } => resources::workspaces(&client, action).await,
        Command::Domains { client, action } => resources::domains(&client, action).await,
        Command::Webhooks { client, action } => resources::webhooks(&client, action).await,
        Command::Members { client, action } => resources::members(&client, action).await,
        Command::Alerts { client, action } => resources::alerts(&client, action).await,
        Command::Usage { client, args } => resources::usage(&client, args).await,
        Command::Export { client, action } => resources::export(&client, action).await,
    }
}

pub(crate) fn print(data: &Value, output: Output) {
    print!("{}", render(data, output));
}

/// The columns a table of each kind of row shows (JSON, NDJSON and CSV carry every field).
pub(crate) mod columns {
    pub const KEYS: &[&str] = &[
        "id",
        "name",
        "prefix",
        "scopes",
        "status",
        "last_used_at",
        "expires_at",
    ];
    pub const SITES: &[&str] = &["id", "name", "domain", "timezone", "status", "created_at"];
    pub const WORKSPACES: &[&str] = &["id", "name", "slug", "tier", "status", "created_at"];
    pub const DOMAINS: &[&str] = &[
        "id",
        "domain",
        "status",
        "tags",
        "folder",
        "is_favorite",
        "last_scanned",
    ];
    pub const WEBHOOKS: &[&str] = &["id", "url", "events", "status", "last_delivery_at"];
    pub const DELIVERIES: &[&str] = &[
        "id",
        "event_type",
        "status",
        "attempt",
        "response_status",
        "created_at",
    ];
    pub const MEMBERS: &[&str] = &["user_id", "email", "name", "role", "joined_at"];
    pub const INVITATIONS: &[&str] = &["id", "email", "role", "status", "expires_at"];
    pub const ALERTS: &[&str] = &[
        "id",
        "name",
        "state",
        "enabled",
        "window_minutes",
        "last_fired_at",
    ];
    pub const EXPORTS: &[&str] = &["id", "status", "export_type", "row_count", "created_at"];
    pub const USAGE: &[&str] = &[
        "feature",
        "used",
        "limit",
        "available",
        "percentage",
        "reset_at",
    ];
    pub const EVENTS: &[&str] = &[
        "position",
        "occurred_at",
        "event_type",
        "stream_id",
        "actor",
    ];
}

/// A list, shown to people as `table`'s columns.
pub(crate) fn print_list(data: &Value, output: Output, table: &[&str]) {
    print!("{}", output::render_list(data, output, table));
}

/// A file's text, or standard input's for `-`.
pub(crate) fn read_input(path: &str) -> Result<String, CliError> {
    if path == "-" {
        Ok(std::io::read_to_string(std::io::stdin())?)
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::new(exit::FAILURE, format!("{path}: {e}")))
    }
}

/// Every row of a list, following `meta.next` (the next page's full URL) to the end.
pub async fn list_all(c: &Client, first: &str) -> Result<Value, CliError> {
    let page = c.get(first).await?;
    follow(c, page).await
}

/// [`list_all`], its first page reading the user's own writes ([`Client::get_fresh`]).
pub async fn list_fresh(c: &Client, first: &str) -> Result<Value, CliError> {
    let page = c.get_fresh(first).await?;
    follow(c, page).await
}

async fn follow(c: &Client, mut page: Value) -> Result<Value, CliError> {
    let mut rows = Vec::new();
    loop {
        match &page["data"] {
            Value::Array(a) => rows.extend(a.iter().cloned()),
            other => return Ok(other.clone()),
        }
        // The next page's path and query, on the profile's base (the server may sit behind a
        // proxy that names itself differently).
        let path = match page["meta"]["next"].as_str().map(url::Url::parse) {
            Some(Ok(next)) if rows.len() < 1_000_000 => match next.query() {
                Some(q) => format!("{}?{q}", next.path()),
                None => next.path().to_string(),
            },
            _ => break,
        };
        page = c.get(&path).await?;
    }
    Ok(Value::Array(rows))
}

/// Signs in with an email and password (and a second-factor code), makes an account token named
/// for this machine, and signs the session out again: the token is what the profile keeps.
async fn sign_in(url: &str, email: &str, otp: Option<String>) -> Result<String, CliError> {
    let password = match std::env::var("KEEL_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if password.is_empty() {
        return Err(CliError::usage(
            "a password is required (KEEL_PASSWORD, or on stdin)",
        ));
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".into());
    Client::new(url, None, None)
        .account_token(
            email,
            &password,
            otp.as_deref(),
            &format!("keel cli on {host}"),
        )
        .await
}

async fn login(
    url: String,
    token: Option<String>,
    workspace: Option<String>,
    profile: String,
) -> Result<(), CliError> {
    let token = match token {
        Some(t) => t,
        None => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim().to_string()
        }
    };
    if token.is_empty() {
        return Err(CliError::usage(
            "a token is required (--token, or on stdin)",
        ));
    }
    let url = url.trim_end_matches('/').to_string();
    url::Url::parse(&url).map_err(|e| CliError::usage(format!("--url: {e}")))?;
    let c = Client::new(&url, Some(token.clone()), workspace.clone());
    let body = c.get("/api/v1").await?;
    let caller = &body["data"]["caller"];
    if caller.is_null() {
        return Err(CliError::new(
            exit::AUTH,
            "the server does not know this token",
        ));
    }
    let mut all = Profiles::load()?;
    all.profiles.insert(
        profile.clone(),
        Profile {
            url: url.clone(),
            token,
            workspace,
        },
    );
    let path = all.save()?;
    let who = match caller["type"].as_str() {
        Some("api_key") => format!(
            "key {} ({})",
            caller["key_name"].as_str().unwrap_or(""),
            caller["prefix"].as_str().unwrap_or("")
        ),
        Some("user") => caller["email"].as_str().unwrap_or("a user").to_string(),
        Some(other) => other.to_string(),
        None => "?".into(),
    };
    eprintln!(
        "logged in to {url} as {who}; profile `{profile}` saved in {}",
        path.display()
    );
    Ok(())
}

async fn keys(args: &ClientArgs, action: KeysAction) -> Result<(), CliError> {
    let c = args.client()?;
    match action {
        KeysAction::List { limit } => {
            let rows =
                list_fresh(&c, &format!("/api/v1/keys?limit={}", limit.clamp(1, 100))).await?;
            print_list(&rows, args.output, columns::KEYS);
        }
        KeysAction::Show { id } => {
            let body = c.get_fresh(&format!("/api/v1/keys/{}", enc(&id))).await?;
            print(&body["data"], args.output);
        }
        KeysAction::Create {
            name,
            scopes,
            expires_at,
            idempotency,
        } => {
            let mut b = json!({"name": name, "scopes": scopes});
            if let Some(e) = expires_at {
                b["expires_at"] = json!(e);
            }
            let body = c
                .write(Method::POST, "/api/v1/keys", Some(&b), &idempotency.key())
                .await?;
            print(&body["data"], args.output);
            if args.output == Output::Table && std::io::stderr().is_terminal() {
                eprintln!("The key is shown once: store it now.");
            }
        }
        KeysAction::Revoke { id, idempotency } => {
            let body = c
                .write(
                    Method::DELETE,
                    &format!("/api/v1/keys/{}", enc(&id)),
                    None,
                    &idempotency.key(),
                )
                .await?;
            if body.is_null() {
                eprintln!("key {id} revoked");
            } else {
                print(&body["data"], args.output);
            }
        }
        KeysAction::Rotate { id, idempotency } => {
            let body = c
                .write(
                    Method::POST,
                    &format!("/api/v1/keys/{}/rotate", enc(&id)),
                    None,
                    &idempotency.key(),
                )
                .await?;
            print(&body["data"], args.output);
        }
    }
    Ok(())
}

async fn sites(args: &ClientArgs, action: SitesAction) -> Result<(), CliError> {
    let c = args.client()?;
    let body = match action {
        SitesAction::List => {
            print_list(
                &list_fresh(&c, "/api/v1/sites?limit=100").await?,
                args.output,
                columns::SITES,
            );
            return Ok(());
        }
        SitesAction::Update {
            id,
            name,
            domain,
            timezone,
            idempotency,
        } => {
            let mut b = serde_json::Map::new();
            for (k, v) in [("name", name), ("domain", domain), ("timezone", timezone)] {
                if let Some(v) = v {
                    b.insert(k.into(), json!(v));
                }
            }
            let path = format!("/api/v1/sites/{}", enc(&id));
            return resources::update(&c, args, &path, b, &idempotency).await;
        }
        SitesAction::Delete { id, idempotency } => {
            let path = format!("/api/v1/sites/{}", enc(&id));
            let what = format!("site {id} deleted");
            return resources::remove(&c, args, &path, &idempotency, &what).await;
        }
        SitesAction::Show { id } => c.get_fresh(&format!("/api/v1/sites/{}", enc(&id))).await?,
        SitesAction::Create {
            name,
            domain,
            timezone,
            idempotency,
        } => {
            let b = json!({"name": name, "domain": domain, "timezone": timezone});
            c.write(Method::POST, "/api/v1/sites", Some(&b), &idempotency.key())
                .await?
        }
    };
    print(&body["data"], args.output);
    Ok(())
}

pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `source is Google|Bing` → `["is", "source", ["Google", "Bing"]]`.
pub fn parse_filter(raw: &str) -> Result<Value, CliError> {
    let mut parts = raw.trim().splitn(3, char::is_whitespace);
    let (Some(dim), Some(op), Some(values)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CliError::usage(format!(
            "--filter `{raw}`: expected DIMENSION OPERATOR VALUE, e.g. `source is Google`"
        )));
    };
    let values: Vec<&str> = values.trim().split('|').collect();
    Ok(json!([op, dim, values]))
}

fn stats_query(r: &StatsRange, extra: &[(&str, String)]) -> Result<String, CliError> {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(p) = &r.period {
        q.append_pair("period", p);
    }
    if let Some(f) = &r.from {
        q.append_pair("from", f);
    }
    if let Some(t) = &r.to {
        q.append_pair("to", t);
    }
    if !r.filters.is_empty() {
        let fs = r
            .filters
            .iter()
            .map(|f| parse_filter(f))
            .collect::<Result<Vec<_>, _>>()?;
        q.append_pair("filters", &Value::Array(fs).to_string());
    }
    if let Some(c) = &r.compare {
        q.append_pair("compare", c);
    }
    if let Some(m) = &r.metrics {
        q.append_pair("metrics", m);
    }
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    Ok(q.finish())
}

async fn stats(args: &ClientArgs, action: StatsAction) -> Result<(), CliError> {
    let c = args.client()?;
    let (path, extra, range) = match action {
        StatsAction::Query { site, body } => {
            let text = read_input(&body)?;
            let b: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::usage(format!("--body is not JSON: {e}")))?;
            let answer = c
                .call(
                    Method::POST,
                    &format!("/api/v1/sites/{}/query", enc(&site)),
                    Some(&b),
                    None,
                )
                .await?;
            if args.output == Output::Json {
                print(&answer, args.output);
            } else {
                let (rows, names) = output::query_rows(&answer);
                print!("{}", render_in(&rows, args.output, Some(&names)));
            }
            return Ok(());
        }
        StatsAction::Aggregate { range } => ("aggregate", vec![], range),
        StatsAction::Timeseries { range, interval } => (
            "timeseries",
            interval.map(|i| vec![("interval", i)]).unwrap_or_default(),
            range,
        ),
        StatsAction::Breakdown {
            range,
            dimension,
            limit,
        } => {
            let mut extra = vec![("dimension", dimension)];
            if let Some(l) = limit {
                extra.push(("limit", l.to_string()));
            }
            ("breakdown", extra, range)
        }
    };
    let q = stats_query(&range, &extra)?;
    let body = c
        .get_fresh(&format!(
            "/api/v1/sites/{}/stats/{path}?{q}",
            enc(&range.site)
        ))
        .await?;
    if args.output == Output::Json && body.get("comparison").is_some() {
        print(&body, args.output);
    } else {
        print(&body["data"], args.output);
    }
    Ok(())
}

/// What a send did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: u64,
    /// `(line, reason)` of each rejected item.
    pub errors: Vec<(usize, String)>,
}

async fn events(args: &ClientArgs, action: EventsAction) -> Result<(), CliError> {
    let EventsAction::Send { file, site, batch } = action;
    let c = args.client()?;
    let batch = batch.clamp(1, 1000);
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&file)
                .map_err(|e| CliError::new(exit::FAILURE, format!("{file}: {e}")))?,
        ))
    };
    // The bar goes to a terminal only; piped, the command prints its summary and nothing else.
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} events sent ({per_sec}) {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut sent = Sent::default();
    let mut pending: Vec<(usize, Value)> = Vec::with_capacity(batch);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut batches = 0usize;
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(mut o)) => {
                if let Some(s) = &site {
                    o.entry("site_id").or_insert_with(|| json!(s));
                }
                pending.push((n + 1, Value::Object(o)));
            }
            Ok(_) => {
                sent.rejected += 1;
                sent.errors.push((n + 1, "not a JSON object".into()));
            }
            Err(e) => {
                sent.rejected += 1;
                sent.errors.push((n + 1, format!("not JSON: {e}")));
            }
        }
        if pending.len() == batch {
            send_batch(&c, &run, batches, &mut pending, &mut sent, &bar).await?;
            batches += 1;
        }
    }
    if !pending.is_empty() {
        send_batch(&c, &run, batches, &mut pending, &mut sent, &bar).await?;
    }
    bar.finish_and_clear();
    let summary = json!({
        "accepted": sent.accepted, "duplicate": sent.duplicate, "rejected": sent.rejected,
        "errors": sent.errors.iter().map(|(l, r)| json!({"line": l, "reason": r})).collect::<Vec<_>>(),
    });
    match args.output {
        Output::Table => {
            println!(
                "accepted {}, duplicate {}, rejected {}",
                sent.accepted, sent.duplicate, sent.rejected
            );
            for (l, r) in &sent.errors {
                println!("line {l}: {r}");
            }
        }
        other => print(&summary, other),
    }
    Ok(())
}

async fn send_batch(
    c: &Client,
    run: &str,
    n: usize,
    pending: &mut Vec<(usize, Value)>,
    sent: &mut Sent,
    bar: &indicatif::ProgressBar,
) -> Result<(), CliError> {
    let items: Vec<(usize, Value)> = std::mem::take(pending);
    let body = json!({"events": items.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()});
    // One key per batch of this run: a batch retried after a lost answer is counted once.
    let answer = c
        .write(
            Method::POST,
            "/api/v1/events",
            Some(&body),
            &format!("keel-cli-{run}-{n}"),
        )
        .await?;
    let d = &answer["data"];
    sent.accepted += d["accepted"].as_u64().unwrap_or(0);
    sent.duplicate += d["duplicate"].as_u64().unwrap_or(0);
    sent.rejected += d["rejected"].as_u64().unwrap_or(0);
    for e in d["errors"].as_array().into_iter().flatten() {
        let index = e["index"].as_u64().unwrap_or(0) as usize;
        let line = items.get(index).map_or(0, |(l, _)| *l);
        sent.errors
            .push((line, e["reason"].as_str().unwrap_or("").to_string()));
    }
    bar.inc(items.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_from_the_command_line() {
        assert_eq!(
            parse_filter("source is Google|Bing").unwrap_or_default(),
            json!(["is", "source", ["Google", "Bing"]])
        );
        assert_eq!(
            parse_filter("page contains /blog posts").unwrap_or_default(),
            json!(["contains", "page", ["/blog posts"]])
        );
        assert!(parse_filter("source").is_err());
    }
}
