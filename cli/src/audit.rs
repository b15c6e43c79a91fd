//! The log from a terminal: `keel audit events` (filtered pages), `tail` (the newest events, and
//! with `--follow` every event as it commits, each once and in log order), `history` (an entity's
//! events) and `as-of` (an entity's state at an instant). `keel audit verify`, which reads the
//! database itself, is the server's command beside these.

use crate::client::{CliError, Client};
use crate::output::{csv_line, Output};
use crate::{enc, print, ClientArgs};
use serde_json::Value;
use std::time::Duration;

/// Which events: the filters of `GET /api/v1/audit/events`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AuditFilters {
    /// One stream, e.g. `key-<id>`.
    #[arg(long)]
    pub stream: Option<String>,
    /// `workspace`, `key`, `site`, `domain`, `usage`, …
    #[arg(long)]
    pub stream_type: Option<String>,
    /// Exact (`key.rotated`) or a prefix (`key.*`).
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// `operator`, `system`, a key id or `user:<id>`.
    #[arg(long)]
    pub actor: Option<String>,
}

impl AuditFilters {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("stream_id", &self.stream),
            ("stream_type", &self.stream_type),
            ("event_type", &self.event_type),
            ("actor", &self.actor),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum AuditClientAction {
    /// The workspace's events, newest first (or `--order asc`), over HTTP.
    Events {
        #[command(flatten)]
        client: ClientArgs,
        #[command(flatten)]
        filters: AuditFilters,
        /// RFC 3339, on occurred_at (inclusive).
        #[arg(long)]
        from: Option<String>,
        /// RFC 3339, on occurred_at (exclusive).
        #[arg(long)]
        to: Option<String>,
        /// asc or desc.
        #[arg(long, default_value = "desc")]
        order: String,
        /// Events at most (every page is read up to it).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The newest events, oldest of them first; with `--follow`, then every event as it commits.
    Tail {
        #[command(flatten)]
        client: ClientArgs,
        #[command(flatten)]
        filters: AuditFilters,
        /// How many of the newest events to print first (0 to 500).
        #[arg(long, short = 'n', default_value_t = 10)]
        lines: u32,
        /// Keep reading: print each new event once, in log order, until interrupted.
        #[arg(long, short = 'f')]
        follow: bool,
        /// Milliseconds between polls when there is nothing new.
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
    },
    /// An entity's events, oldest first: `key/<id>`, `domain/<id>`, `workspace/<id>`, or any
    /// stream id (`site-<id>`, …).
    History {
        #[command(flatten)]
        client: ClientArgs,
        /// `KIND/ID` or a stream id.
        entity: String,
    },
    /// An entity's state at an instant, folded from its events: `key/<id>`, `domain/<id>` or
    /// `workspace/<id>`.
    AsOf {
        #[command(flatten)]
        client: ClientArgs,
        /// `KIND/ID`.
        entity: String,
        /// RFC 3339, e.g. 2026-11-01T00:00:00Z.
        instant: String,
    },
}

/// `key/ID`, `key:ID` or `key-ID` → (`key`, `ID`).
pub fn entity(raw: &str) -> Result<(String, String), CliError> {
    let raw = raw.trim();
    let split = raw
        .split_once('/')
        .or_else(|| raw.split_once(':'))
        .or_else(|| raw.split_once('-'));
    match split {
        Some((kind, id)) if !kind.is_empty() && !id.is_empty() => {
            Ok((kind.to_ascii_lowercase(), id.to_string()))
        }
        _ => Err(CliError::usage(format!(
            "`{raw}`: name an entity as KIND/ID, e.g. key/5f0c…"
        ))),
    }
}

/// The resource path of the kinds that have `…/history` and `?as_of=`.
fn resource(kind: &str) -> Option<&'static str> {
    match kind {
        "key" | "keys" | "api_key" => Some("keys"),
        "domain" | "domains" => Some("domains"),
        "workspace" | "workspaces" => Some("workspaces"),
        _ => None,
    }
}

fn query(pairs: &[(&str, String)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

/// Prints events one at a time (a follower cannot wait for the whole list to align columns).
struct Printer {
    output: Output,
    header: bool,
}

const COLUMNS: [&str; 6] = [
    "position",
    "occurred_at",
    "event_type",
    "stream_id",
    "actor",
    "event_id",
];

impl Printer {
    fn event(&mut self, e: &Value) {
        let cell = |k: &str| match &e[k] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => v.to_string(),
        };
        match self.output {
            Output::Json | Output::Ndjson => println!("{e}"),
            Output::Csv => {
                if !self.header {
                    print!("{}\r\n", csv_line(COLUMNS.iter().map(|c| c.to_string())));
                    self.header = true;
                }
                print!("{}\r\n", csv_line(COLUMNS.iter().map(|c| cell(c))));
            }
            Output::Table => println!(
                "{:>8}  {:<24}  {:<24}  {:<44}  {}",
                cell("position"),
                cell("occurred_at"),
                cell("event_type"),
                cell("stream_id"),
                cell("actor")
            ),
        }
    }
}

pub async fn run(action: AuditClientAction) -> Result<(), CliError> {
    match action {
        AuditClientAction::Events {
            client,
            filters,
            from,
            to,
            order,
            limit,
        } => {
            let c = client.client()?;
            let mut pairs = filters.pairs();
            pairs.push(("order", order));
            pairs.push(("limit", limit.clamp(1, 500).to_string()));
            if let Some(f) = from {
                pairs.push(("from", f));
            }
            if let Some(t) = to {
                pairs.push(("to", t));
            }
            let mut rows = read_events(&c, pairs, Some(limit)).await?;
            rows.truncate(limit);
            crate::print_list(&Value::Array(rows), client.output, crate::columns::EVENTS);
            Ok(())
        }
        AuditClientAction::Tail {
            client,
            filters,
            lines,
            follow,
            interval_ms,
        } => {
            let c = client.client()?;
            tail(
                &c,
                &filters,
                lines.min(500),
                follow,
                interval_ms,
                client.output,
            )
            .await
        }
        AuditClientAction::History {
            client,
            entity: raw,
        } => {
            let c = client.client()?;
            let (kind, id) = entity(&raw)?;
            let rows = match resource(&kind) {
                Some(r) => {
                    crate::list_all(&c, &format!("/api/v1/{r}/{}/history?limit=100", enc(&id)))
                        .await?
                }
                None => {
                    // Any other stream: its events from the log.
                    let pairs = vec![
                        ("stream_id", format!("{kind}-{id}")),
                        ("order", "asc".to_string()),
                        ("limit", "500".to_string()),
                    ];
                    let rows = read_events(&c, pairs, None).await?;
                    Value::Array(rows)
                }
            };
            crate::print_list(&rows, client.output, crate::columns::EVENTS);
            Ok(())
        }
        AuditClientAction::AsOf {
            client,
            entity: raw,
            instant,
        } => {
            let c = client.client()?;
            let (kind, id) = entity(&raw)?;
            let r = resource(&kind).ok_or_else(|| {
                CliError::usage(format!(
                    "`{kind}`: as-of reads keys, domains and workspaces (key/ID, domain/ID, workspace/ID)"
                ))
            })?;
            let body = c
                .get(&format!(
                    "/api/v1/{r}/{}?{}",
                    enc(&id),
                    query(&[("as_of", instant)])
                ))
                .await?;
            print(&body["data"], client.output);
            Ok(())
        }
    }
}

/// The log's events for `pairs` (filters, order, page size), page after page by `next_cursor`,
/// until `limit` rows (if any) or the end.
async fn read_events(
    c: &Client,
    pairs: Vec<(&'static str, String)>,
    limit: Option<usize>,
) -> Result<Vec<Value>, CliError> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    while limit.map_or(true, |l| rows.len() < l) {
        let mut p = pairs.clone();
        if let Some(cur) = &cursor {
            p.push(("cursor", cur.clone()));
        }
        let page = c
            .get(&format!("/api/v1/audit/events?{}", query(&p)))
            .await?;
        rows.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["meta"]["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    Ok(rows)
}

/// The last `lines` events, then (following) each new one once, in the log's order: every poll
/// resumes at the `meta.tail_cursor` of the answer before, which the server places after the last
/// event it showed and never past one still committing.
async fn tail(
    c: &Client,
    filters: &AuditFilters,
    lines: u32,
    follow: bool,
    interval_ms: u64,
    output: Output,
) -> Result<(), CliError> {
    let mut printer = Printer {
        output,
        header: false,
    };
    let mut p = filters.pairs();
    p.push(("order", "desc".into()));
    p.push(("limit", lines.max(1).to_string()));
    let first = c
        .get(&format!("/api/v1/audit/events?{}", query(&p)))
        .await?;
    let newest = first["data"].as_array().cloned().unwrap_or_default();
    if lines > 0 {
        for e in newest.iter().rev() {
            printer.event(e);
        }
    }
    if !follow {
        return Ok(());
    }
    let mut cursor = first["meta"]["tail_cursor"].as_str().map(str::to_string);
    loop {
        let mut p = filters.pairs();
        p.push(("order", "asc".into()));
        p.push(("limit", "500".into()));
        if let Some(cur) = &cursor {
            p.push(("cursor", cur.clone()));
        }
        let page = c
            .get(&format!("/api/v1/audit/events?{}", query(&p)))
            .await?;
        for e in page["data"].as_array().into_iter().flatten() {
            printer.event(e);
        }
        if let Some(t) = page["meta"]["tail_cursor"].as_str() {
            cursor = Some(t.to_string());
        }
        if page["meta"]["next_cursor"].is_null() {
            tokio::time::sleep(Duration::from_millis(interval_ms.max(50))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_named_kind_and_id() {
        let ok = |s: &str| entity(s).map_err(|e| e.message).unwrap_or_default();
        assert_eq!(ok("key/abc"), ("key".into(), "abc".into()));
        assert_eq!(ok("Domain:d-1"), ("domain".into(), "d-1".into()));
        assert_eq!(
            ok("site-0b5e-11"),
            ("site".into(), "0b5e-11".into()),
            "a stream id"
        );
        assert!(entity("key").is_err());
        assert!(entity("/abc").is_err());
    }
}
