//! The workspace's other resources from a terminal: workspaces, domains, webhooks, members and
//! invitations, alerts, usage and exports. Each action is one call of the API (lists follow
//! `meta.next` to the end), printed as the `--output` asks.

use crate::client::{exit, CliError, Client};
use crate::output::Output;
use crate::{
    columns, enc, list_all, list_fresh, print, print_list, read_input, ClientArgs, Idempotency,
};
use reqwest::Method;
use serde_json::{json, Map, Value};
use std::io::IsTerminal;
use std::time::Duration;

#[derive(clap::Subcommand, Debug)]
pub enum WorkspacesAction {
    /// The workspaces the token reaches (an operator: all of them).
    List,
    /// One workspace.
    Show {
        /// The workspace's id.
        id: String,
    },
    /// A new workspace (operator tokens).
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its URL name (default: from the name).
        #[arg(long)]
        slug: Option<String>,
        /// free, pro or enterprise.
        #[arg(long)]
        tier: Option<String>,
        /// IANA zone, e.g. Europe/Berlin.
        #[arg(long)]
        timezone: Option<String>,
        /// e.g. en-GB.
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Change a workspace's name, slug, tier or settings.
    Update {
        /// The workspace's id.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new URL name.
        #[arg(long)]
        slug: Option<String>,
        /// free, pro or enterprise.
        #[arg(long)]
        tier: Option<String>,
        /// IANA zone, e.g. Europe/Berlin.
        #[arg(long)]
        timezone: Option<String>,
        /// e.g. en-GB.
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Delete a workspace (its keys stop working).
    Delete {
        /// The workspace's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum DomainsAction {
    /// The workspace's domains.
    List,
    /// One domain, with its latest scan.
    Show {
        /// The domain's id.
        id: String,
    },
    /// Add domains: named on the command line, or one per line of a file (`#` starts a comment).
    Add {
        /// Domain names.
        domains: Vec<String>,
        /// A file of domain names, or `-` for standard input.
        #[arg(long)]
        file: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Change a domain's tags, notes, label, folder or favourite mark.
    Update {
        /// The domain's id.
        id: String,
        /// Comma-separated; replaces the tags (an empty value clears them).
        #[arg(long, value_delimiter = ',')]
        tags: Option<Vec<String>>,
        /// Free text.
        #[arg(long)]
        notes: Option<String>,
        /// A name shown instead of the domain.
        #[arg(long)]
        label: Option<String>,
        /// A folder id, or `none` to take it out of its folder.
        #[arg(long)]
        folder: Option<String>,
        /// true or false.
        #[arg(long)]
        favorite: Option<bool>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Remove a domain.
    Delete {
        /// The domain's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Scan a domain's DNS now.
    Scan {
        /// The domain's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum WebhooksAction {
    /// The workspace's webhook endpoints.
    List,
    /// One endpoint.
    Show {
        /// The endpoint's id.
        id: String,
    },
    /// A new endpoint: its signing secret is printed once.
    Create {
        /// Where deliveries are POSTed (https). (`--url` names the Keel server.)
        #[arg(long)]
        endpoint: String,
        /// Comma-separated event types, e.g. `key.created,usage.*`.
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Change an endpoint.
    Update {
        /// The endpoint's id.
        id: String,
        /// A new delivery URL.
        #[arg(long)]
        endpoint: Option<String>,
        /// Comma-separated event types (replaces them).
        #[arg(long, value_delimiter = ',')]
        events: Option<Vec<String>>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// true (deliver) or false (pause).
        #[arg(long)]
        active: Option<bool>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Delete an endpoint.
    Delete {
        /// The endpoint's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// The endpoint's deliveries, newest first.
    Deliveries {
        /// The endpoint's id.
        id: String,
        /// pending, succeeded, failed or dead.
        #[arg(long)]
        status: Option<String>,
    },
    /// Send a test event to the endpoint.
    Test {
        /// The endpoint's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// A new signing secret (printed once); the old one keeps working for a while.
    RotateSecret {
        /// The endpoint's id.
        id: String,
        /// How long the old secret still signs, in seconds.
        #[arg(long)]
        previous_valid_for: Option<i64>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum MembersAction {
    /// The workspace's members and their roles.
    List,
    /// Give a member another role.
    Update {
        /// The member's user id.
        user_id: String,
        /// owner, admin, analyst, auditor or viewer.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Take a member out of the workspace.
    Remove {
        /// The member's user id.
        user_id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Invite someone by email (the link is emailed, or printed when no mail server is set).
    Invite {
        /// Their address.
        #[arg(long)]
        email: String,
        /// owner, admin, analyst, auditor or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// How long the link works, 1 to 30 days.
        #[arg(long)]
        expires_in_days: Option<i64>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Invitations not accepted yet.
    Invitations,
}

#[derive(clap::Subcommand, Debug)]
pub enum AlertsAction {
    /// The workspace's alerts.
    List,
    /// One alert.
    Show {
        /// The alert's id.
        id: String,
    },
    /// A new alert: a JSON body (`name`, `condition`, `channels`, `window_minutes`) from a file
    /// or `-`; the flags override its fields.
    Create {
        /// A JSON file, or `-` for standard input.
        #[arg(long)]
        body: Option<String>,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// The condition as JSON, e.g. `{"type":"usage","feature":"api_calls","percent":80}`.
        #[arg(long)]
        condition: Option<String>,
        /// A channel as JSON, e.g. `{"type":"email"}`; repeat for more.
        #[arg(long = "channel")]
        channels: Vec<String>,
        /// The window measured, in minutes.
        #[arg(long)]
        window_minutes: Option<i64>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Change an alert (same fields as create).
    Update {
        /// The alert's id.
        id: String,
        /// A JSON file, or `-` for standard input.
        #[arg(long)]
        body: Option<String>,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// true or false.
        #[arg(long)]
        enabled: Option<bool>,
        /// The window measured, in minutes.
        #[arg(long)]
        window_minutes: Option<i64>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Delete an alert.
    Delete {
        /// The alert's id.
        id: String,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// When the alert fired, newest first.
    Events {
        /// The alert's id.
        id: String,
    },
}

/// `keel usage`: the plan's features with their usage, or one feature over time.
#[derive(clap::Args, Debug)]
pub struct UsageArgs {
    /// One feature's usage per interval (default: every feature's total this period).
    #[arg(long)]
    pub feature: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (with --feature).
    #[arg(long)]
    pub from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (with --feature).
    #[arg(long)]
    pub to: Option<String>,
    /// hour, day or month (with --feature).
    #[arg(long)]
    pub interval: Option<String>,
    /// `api_key` for a row per key (with --feature).
    #[arg(long)]
    pub group_by: Option<String>,
    /// RFC 3339: the summary as it was then.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum ExportAction {
    /// Export the workspace's domains as CSV: queue, wait, download.
    Domains {
        /// Comma-separated columns (default: all).
        #[arg(long, value_delimiter = ',')]
        columns: Vec<String>,
        /// Only this folder's domains.
        #[arg(long)]
        folder: Option<String>,
        /// The CSV in a zip archive.
        #[arg(long)]
        zip: bool,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Export a query's whole result as CSV (a Stats API v2 body from a file or `-`).
    Query {
        /// The site's id.
        #[arg(long)]
        site: String,
        /// A JSON file, or `-` for standard input.
        #[arg(long)]
        body: String,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<String>,
        #[command(flatten)]
        idempotency: Idempotency,
    },
    /// Export jobs, newest first.
    List,
    /// One export job.
    Show {
        /// The job's id.
        id: String,
    },
    /// Download a completed export.
    Download {
        /// The job's id.
        id: String,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<String>,
    },
}

fn set(b: &mut Map<String, Value>, k: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        b.insert(k.into(), v.into());
    }
}

fn settings(timezone: Option<String>, locale: Option<String>) -> Option<Value> {
    let mut s = Map::new();
    set(&mut s, "timezone", timezone);
    set(&mut s, "locale", locale);
    (!s.is_empty()).then_some(Value::Object(s))
}

/// Prints a write's answer, or says what happened when it has no body (204).
fn done(args: &ClientArgs, answer: &Value, what: &str) {
    if answer.is_null() {
        eprintln!("{what}");
    } else {
        print(&answer["data"], args.output);
    }
}

fn nothing_to_change(b: &Map<String, Value>) -> Result<(), CliError> {
    if b.is_empty() {
        return Err(CliError::usage(
            "nothing to change: give at least one field",
        ));
    }
    Ok(())
}

/// A whole list (reading the user's own writes), shown as `table`'s columns to people.
pub(crate) async fn list(
    c: &Client,
    args: &ClientArgs,
    path: &str,
    table: &[&str],
) -> Result<(), CliError> {
    print_list(&list_fresh(c, path).await?, args.output, table);
    Ok(())
}

/// One record (reading the user's own writes).
pub(crate) async fn show(c: &Client, args: &ClientArgs, path: &str) -> Result<(), CliError> {
    print(&c.get_fresh(path).await?["data"], args.output);
    Ok(())
}

/// `PATCH path` with the fields given (at least one); prints the result.
pub(crate) async fn update(
    c: &Client,
    args: &ClientArgs,
    path: &str,
    fields: Map<String, Value>,
    idempotency: &Idempotency,
) -> Result<(), CliError> {
    nothing_to_change(&fields)?;
    let a = c
        .write(
            Method::PATCH,
            path,
            Some(&Value::Object(fields)),
            &idempotency.key(),
        )
        .await?;
    done(args, &a, "updated");
    Ok(())
}

/// `DELETE path`; says `what` happened when the answer has no body.
pub(crate) async fn remove(
    c: &Client,
    args: &ClientArgs,
    path: &str,
    idempotency: &Idempotency,
    what: &str,
) -> Result<(), CliError> {
    let a = c
        .write(Method::DELETE, path, None, &idempotency.key())
        .await?;
    done(args, &a, what);
    Ok(())
}

pub async fn workspaces(args: &ClientArgs, action: WorkspacesAction) -> Result<(), CliError> {
    let c = args.client()?;
    match action {
        WorkspacesAction::List => {
            list(
                &c,
                args,
                "/api/v1/workspaces?limit=100",
                columns::WORKSPACES,
            )
            .await?
        }
        WorkspacesAction::Show { id } => {
            show(&c, args, &format!("/api/v1/workspaces/{}", enc(&id))).await?
        }
        WorkspacesAction::Create {
            name,
            slug,
            tier,
            timezone,
            locale,
            idempotency,
        } => {
            let mut b = Map::new();
            b.insert("name".into(), json!(name));
            set(&mut b, "slug", slug);
            set(&mut b, "tier", tier);
            set(&mut b, "settings", settings(timezone, locale));
            let a = c
                .write(
                    Method::POST,
                    "/api/v1/workspaces",
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "created");
        }
        WorkspacesAction::Update {
            id,
            name,
            slug,
            tier,
            timezone,
            locale,
            idempotency,
        } => {
            let mut b = Map::new();
            set(&mut b, "name", name);
            set(&mut b, "slug", slug);
            set(&mut b, "tier", tier);
            set(&mut b, "settings", settings(timezone, locale));
            update(
                &c,
                args,
                &format!("/api/v1/workspaces/{}", enc(&id)),
                b,
                &idempotency,
            )
            .await?;
        }
        WorkspacesAction::Delete { id, idempotency } => {
            remove(
                &c,
                args,
                &format!("/api/v1/workspaces/{}", enc(&id)),
                &idempotency,
                &format!("workspace {id} deleted"),
            )
            .await?;
        }
    }
    Ok(())
}

/// Domain names from arguments and a file: trimmed, blank lines and `#` comments skipped.
pub fn domain_names(args: Vec<String>, file: Option<&str>) -> Result<Vec<String>, CliError> {
    let mut out = args;
    if let Some(f) = file {
        for line in read_input(f)?.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() {
                out.push(line.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err(CliError::usage("no domains: name some, or give --file"));
    }
    Ok(out)
}

/// Adds one request's summary into the command's: numbers summed, lists joined.
pub fn merge_summary(into: &mut Map<String, Value>, part: &Value) {
    for (k, v) in part.as_object().into_iter().flatten() {
        match (into.get_mut(k), v) {
            (Some(Value::Number(a)), Value::Number(b)) => {
                *a = (a.as_i64().unwrap_or(0) + b.as_i64().unwrap_or(0)).into();
            }
            (Some(Value::Array(a)), Value::Array(b)) => a.extend(b.iter().cloned()),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// What `POST /api/v1/domains` takes at most in one request.
const DOMAINS_PER_REQUEST: usize = 500;

pub async fn domains(args: &ClientArgs, action: DomainsAction) -> Result<(), CliError> {
    let c = args.client()?;
    match action {
        DomainsAction::List => {
            list(&c, args, "/api/v1/domains?limit=1000", columns::DOMAINS).await?
        }
        DomainsAction::Show { id } => {
            show(&c, args, &format!("/api/v1/domains/{}", enc(&id))).await?
        }
        DomainsAction::Add {
            domains,
            file,
            idempotency,
        } => {
            let names = domain_names(domains, file.as_deref())?;
            let key = idempotency.key();
            // One summary for the whole command: counts added up, lists joined. A long list
            // shows its progress on a terminal.
            let bar = if names.len() > DOMAINS_PER_REQUEST && std::io::stderr().is_terminal() {
                let b = indicatif::ProgressBar::new(names.len() as u64);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "[{bar:30}] {pos}/{len} domains ({per_sec}, {eta})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            } else {
                indicatif::ProgressBar::hidden()
            };
            let mut summary = Map::new();
            for (n, chunk) in names.chunks(DOMAINS_PER_REQUEST).enumerate() {
                let a = c
                    .write(
                        Method::POST,
                        "/api/v1/domains",
                        Some(&json!({"domains": chunk})),
                        &format!("{key}-{n}"),
                    )
                    .await?;
                merge_summary(&mut summary, &a["data"]);
                bar.inc(chunk.len() as u64);
            }
            bar.finish_and_clear();
            print(&Value::Object(summary), args.output);
        }
        DomainsAction::Update {
            id,
            tags,
            notes,
            label,
            folder,
            favorite,
            idempotency,
        } => {
            let mut b = Map::new();
            set(
                &mut b,
                "tags",
                tags.map(|t| {
                    t.into_iter()
                        .filter(|s| !s.trim().is_empty())
                        .collect::<Vec<_>>()
                }),
            );
            set(&mut b, "notes", notes);
            set(&mut b, "custom_label", label);
            if let Some(f) = folder {
                b.insert(
                    "folder_id".into(),
                    if f == "none" { Value::Null } else { json!(f) },
                );
            }
            set(&mut b, "is_favorite", favorite);
            update(
                &c,
                args,
                &format!("/api/v1/domains/{}", enc(&id)),
                b,
                &idempotency,
            )
            .await?;
        }
        DomainsAction::Delete { id, idempotency } => {
            remove(
                &c,
                args,
                &format!("/api/v1/domains/{}", enc(&id)),
                &idempotency,
                &format!("domain {id} removed"),
            )
            .await?;
        }
        DomainsAction::Scan { id, idempotency } => {
            let a = c
                .write(
                    Method::POST,
                    &format!("/api/v1/domains/{}/scan", enc(&id)),
                    None,
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "scan requested");
        }
    }
    Ok(())
}

pub async fn webhooks(args: &ClientArgs, action: WebhooksAction) -> Result<(), CliError> {
    let c = args.client()?;
    let one = |id: &str| format!("/api/v1/webhooks/{}", enc(id));
    match action {
        WebhooksAction::List => {
            list(&c, args, "/api/v1/webhooks?limit=100", columns::WEBHOOKS).await?
        }
        WebhooksAction::Show { id } => show(&c, args, &one(&id)).await?,
        WebhooksAction::Create {
            endpoint,
            events,
            description,
            idempotency,
        } => {
            let mut b = Map::new();
            b.insert("url".into(), json!(endpoint));
            b.insert("events".into(), json!(events));
            set(&mut b, "description", description);
            let a = c
                .write(
                    Method::POST,
                    "/api/v1/webhooks",
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "created");
            if args.output == Output::Table && std::io::stderr().is_terminal() {
                eprintln!("The signing secret is shown once: store it now.");
            }
        }
        WebhooksAction::Update {
            id,
            endpoint,
            events,
            description,
            active,
            idempotency,
        } => {
            let mut b = Map::new();
            set(&mut b, "url", endpoint);
            set(&mut b, "events", events);
            set(&mut b, "description", description);
            set(&mut b, "is_active", active);
            update(&c, args, &one(&id), b, &idempotency).await?;
        }
        WebhooksAction::Delete { id, idempotency } => {
            remove(
                &c,
                args,
                &one(&id),
                &idempotency,
                &format!("webhook {id} deleted"),
            )
            .await?;
        }
        WebhooksAction::Deliveries { id, status } => {
            let mut path = format!("{}/deliveries?limit=100", one(&id));
            if let Some(s) = status {
                path.push_str(&format!("&status={}", enc(&s)));
            }
            print_list(
                &list_all(&c, &path).await?,
                args.output,
                columns::DELIVERIES,
            );
        }
        WebhooksAction::Test { id, idempotency } => {
            let a = c
                .write(
                    Method::POST,
                    &format!("{}/test", one(&id)),
                    None,
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "test event sent");
        }
        WebhooksAction::RotateSecret {
            id,
            previous_valid_for,
            idempotency,
        } => {
            let mut b = Map::new();
            set(&mut b, "previous_valid_for_seconds", previous_valid_for);
            let a = c
                .write(
                    Method::POST,
                    &format!("{}/rotate-secret", one(&id)),
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "rotated");
        }
    }
    Ok(())
}

pub async fn members(args: &ClientArgs, action: MembersAction) -> Result<(), CliError> {
    let c = args.client()?;
    match action {
        MembersAction::List => print_list(
            &list_all(&c, "/api/v1/members?limit=100").await?,
            args.output,
            columns::MEMBERS,
        ),
        MembersAction::Update {
            user_id,
            role,
            idempotency,
        } => {
            let a = c
                .write(
                    Method::PATCH,
                    &format!("/api/v1/members/{}", enc(&user_id)),
                    Some(&json!({"role": role})),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "updated");
        }
        MembersAction::Remove {
            user_id,
            idempotency,
        } => {
            remove(
                &c,
                args,
                &format!("/api/v1/members/{}", enc(&user_id)),
                &idempotency,
                &format!("member {user_id} removed"),
            )
            .await?;
        }
        MembersAction::Invite {
            email,
            role,
            expires_in_days,
            idempotency,
        } => {
            let mut b = Map::new();
            b.insert("email".into(), json!(email));
            b.insert("role".into(), json!(role));
            set(&mut b, "expires_in_days", expires_in_days);
            let a = c
                .write(
                    Method::POST,
                    "/api/v1/invitations",
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "invited");
        }
        MembersAction::Invitations => {
            list(
                &c,
                args,
                "/api/v1/invitations?limit=100",
                columns::INVITATIONS,
            )
            .await?
        }
    }
    Ok(())
}

/// A JSON object from `--body`, or an empty one.
fn body_object(body: Option<&str>) -> Result<Map<String, Value>, CliError> {
    let Some(b) = body else { return Ok(Map::new()) };
    match serde_json::from_str::<Value>(&read_input(b)?) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(CliError::usage("--body must hold a JSON object")),
        Err(e) => Err(CliError::usage(format!("--body is not JSON: {e}"))),
    }
}

fn json_arg(name: &str, raw: &str) -> Result<Value, CliError> {
    serde_json::from_str(raw).map_err(|e| CliError::usage(format!("--{name} is not JSON: {e}")))
}

pub async fn alerts(args: &ClientArgs, action: AlertsAction) -> Result<(), CliError> {
    let c = args.client()?;
    let one = |id: &str| format!("/api/v1/alerts/{}", enc(id));
    match action {
        AlertsAction::List => list(&c, args, "/api/v1/alerts?limit=100", columns::ALERTS).await?,
        AlertsAction::Show { id } => show(&c, args, &one(&id)).await?,
        AlertsAction::Create {
            body,
            name,
            condition,
            channels,
            window_minutes,
            idempotency,
        } => {
            let mut b = body_object(body.as_deref())?;
            set(&mut b, "name", name);
            set(
                &mut b,
                "condition",
                condition.map(|x| json_arg("condition", &x)).transpose()?,
            );
            if !channels.is_empty() {
                let cs = channels
                    .iter()
                    .map(|x| json_arg("channel", x))
                    .collect::<Result<Vec<_>, _>>()?;
                b.insert("channels".into(), Value::Array(cs));
            }
            set(&mut b, "window_minutes", window_minutes);
            let a = c
                .write(
                    Method::POST,
                    "/api/v1/alerts",
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            done(args, &a, "created");
        }
        AlertsAction::Update {
            id,
            body,
            name,
            enabled,
            window_minutes,
            idempotency,
        } => {
            let mut b = body_object(body.as_deref())?;
            set(&mut b, "name", name);
            set(&mut b, "enabled", enabled);
            set(&mut b, "window_minutes", window_minutes);
            update(&c, args, &one(&id), b, &idempotency).await?;
        }
        AlertsAction::Delete { id, idempotency } => {
            remove(
                &c,
                args,
                &one(&id),
                &idempotency,
                &format!("alert {id} deleted"),
            )
            .await?;
        }
        AlertsAction::Events { id } => print(
            &list_fresh(&c, &format!("{}/events?limit=100", one(&id))).await?,
            args.output,
        ),
    }
    Ok(())
}

pub async fn usage(args: &ClientArgs, u: UsageArgs) -> Result<(), CliError> {
    let c = args.client()?;
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    let Some(feature) = u.feature else {
        if u.from.is_some() || u.to.is_some() || u.interval.is_some() || u.group_by.is_some() {
            return Err(CliError::usage(
                "--from, --to, --interval and --group-by need --feature",
            ));
        }
        if let Some(a) = &u.as_of {
            q.append_pair("as_of", a);
        }
        let body = c
            .get(&format!("/api/v1/entitlements/summary?{}", q.finish()))
            .await?;
        print_list(&body["data"], args.output, columns::USAGE);
        return Ok(());
    };
    if u.as_of.is_some() {
        return Err(CliError::usage(
            "--as-of reads the summary: leave out --feature",
        ));
    }
    q.append_pair("feature", &feature);
    for (k, v) in [
        ("from", u.from),
        ("to", u.to),
        ("interval", u.interval),
        ("group_by", u.group_by),
    ] {
        if let Some(v) = v {
            q.append_pair(k, &v);
        }
    }
    let body = c.get(&format!("/api/v1/usage?{}", q.finish())).await?;
    if args.output == Output::Json {
        print(&body, args.output);
    } else {
        print(&body["data"], args.output);
    }
    Ok(())
}

/// A spinner on a terminal, nothing when piped.
pub fn spinner(template: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    b.enable_steady_tick(Duration::from_millis(120));
    b
}

/// Polls a job until it completes (or fails), then downloads its file.
async fn wait_and_download(c: &Client, id: &str, out: Option<&str>) -> Result<(), CliError> {
    let bar = spinner("{spinner} export {msg} ({elapsed})");
    let deadline = std::time::Instant::now() + Duration::from_secs(3600);
    loop {
        let job = c.get(&format!("/api/v1/exports/{}", enc(id))).await?;
        let status = job["data"]["status"].as_str().unwrap_or("").to_string();
        bar.set_message(status.clone());
        match status.as_str() {
            "completed" => break,
            "failed" => {
                bar.finish_and_clear();
                return Err(CliError::new(
                    exit::SERVER,
                    format!(
                        "export {id} failed: {}",
                        job["data"]["error"].as_str().unwrap_or("no reason given")
                    ),
                ));
            }
            _ if std::time::Instant::now() > deadline => {
                bar.finish_and_clear();
                return Err(CliError::new(
                    exit::FAILURE,
                    format!("export {id} not done after an hour"),
                ));
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    bar.finish_and_clear();
    download(c, id, out).await
}

async fn download(c: &Client, id: &str, out: Option<&str>) -> Result<(), CliError> {
    let path = format!("/api/v1/exports/{}/download", enc(id));
    match out {
        None | Some("-") => {
            c.download(&path, &mut std::io::stdout().lock()).await?;
        }
        Some(file) => {
            let mut f = std::fs::File::create(file)
                .map_err(|e| CliError::new(exit::FAILURE, format!("{file}: {e}")))?;
            let n = c.download(&path, &mut f).await?;
            eprintln!("{n} bytes written to {file}");
        }
    }
    Ok(())
}

pub async fn export(args: &ClientArgs, action: ExportAction) -> Result<(), CliError> {
    let c = args.client()?;
    match action {
        ExportAction::Domains {
            columns,
            folder,
            zip,
            out,
            idempotency,
        } => {
            let mut b = Map::new();
            if !columns.is_empty() {
                b.insert("columns".into(), json!(columns));
            }
            set(&mut b, "folder_id", folder);
            if zip {
                b.insert("export_type".into(), json!("zip"));
            }
            let a = c
                .write(
                    Method::POST,
                    "/api/v1/exports",
                    Some(&Value::Object(b)),
                    &idempotency.key(),
                )
                .await?;
            let id = a["data"]["task_id"].as_str().unwrap_or("").to_string();
            wait_and_download(&c, &id, out.as_deref()).await?;
        }
        ExportAction::Query {
            site,
            body,
            out,
            idempotency,
        } => {
            let b: Value = serde_json::from_str(&read_input(&body)?)
                .map_err(|e| CliError::usage(format!("--body is not JSON: {e}")))?;
            let a = c
                .write(
                    Method::POST,
                    &format!("/api/v1/sites/{}/query/exports", enc(&site)),
                    Some(&b),
                    &idempotency.key(),
                )
                .await?;
            let id = a["data"]["task_id"].as_str().unwrap_or("").to_string();
            wait_and_download(&c, &id, out.as_deref()).await?;
        }
        ExportAction::List => list(&c, args, "/api/v1/exports?limit=100", columns::EXPORTS).await?,
        ExportAction::Show { id } => print(
            &c.get(&format!("/api/v1/exports/{}", enc(&id))).await?["data"],
            args.output,
        ),
        ExportAction::Download { id, out } => download(&c, &id, out.as_deref()).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_files_skip_blanks_and_comments() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let f = dir.path().join("d.txt");
        std::fs::write(
            &f,
            "# mine\nexample.com\n\n  shop.example.org  # the shop\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let names = domain_names(vec!["a.example".into()], f.to_str());
        assert_eq!(
            names.map_err(|e| e.message).unwrap_or_default(),
            ["a.example", "example.com", "shop.example.org"]
        );
        assert!(domain_names(vec![], None).is_err());
    }

    #[test]
    fn summaries_of_several_requests_add_up() {
        let mut all = Map::new();
        merge_summary(
            &mut all,
            &json!({"domains_added": 500, "domains_invalid": ["x"]}),
        );
        merge_summary(
            &mut all,
            &json!({"domains_added": 2, "domains_invalid": ["y"]}),
        );
        assert_eq!(
            Value::Object(all),
            json!({"domains_added": 502, "domains_invalid": ["x", "y"]})
        );
    }
}
