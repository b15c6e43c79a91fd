//! Webhook delivery (ADR 0014): a fan-out that tails the log in commit order and turns every
//! event a live endpoint subscribes to into a delivery row, in the transaction that moves its
//! checkpoint; and a sender that claims due deliveries under a lease, posts them signed per the
//! Standard Webhooks scheme, and schedules retries with exponential backoff and jitter.
//!
//! Nothing is lost: a delivery exists before anything is sent, and a crash between sending and
//! recording only means the same delivery (same `webhook-id`) is sent again after its lease.

use crate::feed::{load_checkpoint, save_checkpoint};
use crate::store::{decode_row, select_columns, SqlStore};
use base64::Engine;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use keel_commands::webhook::{forbidden_ip, subscribed, WebhookAggregate, WebhookCommand};
use keel_commands::{execute, EventStore, LogCursor};
use keel_events::{
    DomainEvent, EventId, Metadata, RecordedEvent, StreamId, WebhookId, WorkspaceId,
};
use keel_projections::{Db, Dialect};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

pub const CHECKPOINT: &str = "webhooks";
const LEADER_LOCK: i64 = 0x006b_6565_6c77_686b;
const PAGE: usize = 500;
/// Deliveries claimed at once per sender, in units of its concurrency.
const CLAIM_PER_SLOT: usize = 8;
/// How much of a receiver's answer is kept.
pub const BODY_LIMIT: usize = 1024;

/// The dispatcher's settings (`KEEL_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub allow_private: bool,
    pub timeout: Duration,
    /// Waits before each retry: after the first failed attempt the first wait, and so on; when
    /// they run out the delivery has failed.
    pub schedule: Vec<Duration>,
    /// Consecutive failed attempts after which an endpoint is disabled...
    pub disable_after: i64,
    /// ...provided it has been failing for at least this long.
    pub disable_after_period: Duration,
    pub concurrency: usize,
    /// DNS servers for the SSRF guard's lookups (empty: the system's).
    pub dns_servers: Vec<String>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            schedule: parse_schedule(DEFAULT_SCHEDULE).unwrap_or_default(),
            disable_after: 20,
            disable_after_period: Duration::from_secs(24 * 3600),
            concurrency: 32,
            dns_servers: vec![],
        }
    }
}

/// About 27 hours in all: the first retry after 5 s, the last 10 h after the one before.
pub const DEFAULT_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,10h";

/// Parses `5s,5m,30m,2h` (units ms, s, m, h).
pub fn parse_schedule(raw: &str) -> Result<Vec<Duration>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let n: u64 = n
                .parse()
                .map_err(|_| format!("`{s}` is not a duration such as 30s"))?;
            Ok(match unit {
                "ms" => Duration::from_millis(n),
                "s" | "" => Duration::from_secs(n),
                "m" => Duration::from_secs(n * 60),
                "h" => Duration::from_secs(n * 3600),
                _ => return Err(format!("`{s}`: the unit must be ms, s, m or h")),
            })
        })
        .collect()
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// What listings show of a secret.
pub fn secret_hint(secret: &str) -> String {
    secret.chars().take(10).collect()
}

/// The Standard Webhooks signature of one message: `v1,` and the base64 HMAC-SHA256, keyed with
/// the secret's bytes, of `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// A delivery's id, the same for every attempt: derived from the endpoint and the event, so a
/// replayed fan-out finds the row it made before.
pub fn delivery_id(webhook_id: &str, event_id: &str) -> String {
    let h = Sha256::digest(format!("{webhook_id}/{event_id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    format!("msg_{}", uuid::Uuid::from_bytes(b).simple())
}

/// The body receivers get: Standard Webhooks' `type`, `timestamp` and `data` (the event as the
/// audit API shows it).
pub fn payload(e: &RecordedEvent) -> String {
    serde_json::json!({
        "type": e.event_type(),
        "timestamp": keel_schemas::format_ts(e.occurred_at),
        "data": keel_schemas::public_event(e),
    })
    .to_string()
}

/// Stores a signing secret (before the event that names its version is appended).
pub async fn store_secret(
    db: &Db,
    webhook_id: WebhookId,
    version: i64,
    tenant: WorkspaceId,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_secrets (webhook_id, version, tenant_id, secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(webhook_id.to_string())
    .bind(version)
    .bind(tenant.to_string())
    .bind(secret)
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The secrets a message to this endpoint is signed with now: the current version, and the one
/// before while it is still valid.
pub async fn signing_secrets(
    db: &Db,
    webhook_id: &str,
    current: i64,
    previous_valid_until: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let oldest = match previous_valid_until {
        Some(until) if until > now.as_str() => current - 1,
        _ => current,
    };
    let rows = sqlx::query(
        "SELECT secret FROM webhook_secrets WHERE webhook_id = $1 AND version >= $2 AND version <= $3 ORDER BY version DESC",
    )
    .bind(webhook_id)
    .bind(oldest)
    .bind(current)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Destroys an endpoint's secrets (it was deleted).
pub async fn forget_secrets(db: &Db, webhook_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webhook_secrets WHERE webhook_id = $1")
        .bind(webhook_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The HTTP side: a client that refuses private targets, before connecting and after redirects.

/// Resolves names for the client and refuses any that leads to a forbidden address, so the
/// address checked is the address connected to (no window for DNS rebinding).
struct GuardedResolver {
    dns: Arc<crate::dns::HickoryLookup>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.dns.clone();
        let name = name.as_str().to_string();
        Box::pin(async move {
            let addrs = resolve_public(&dns, &name)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            let it: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(it)
        })
    }
}

/// Every address `name` resolves to, if all of them are public.
pub async fn resolve_public(
    dns: &crate::dns::HickoryLookup,
    name: &str,
) -> Result<Vec<IpAddr>, String> {
    use crate::dns::{Answer, Lookup, Rtype};
    if let Ok(ip) = name
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return match forbidden_ip(ip) {
            Some(reason) => Err(format!("{name} is a {reason}")),
            None => Ok(vec![ip]),
        };
    }
    let (a, aaaa) = tokio::join!(dns.lookup(name, Rtype::A), dns.lookup(name, Rtype::Aaaa));
    let mut ips = Vec::new();
    let mut failure = None;
    for answer in [a, aaaa] {
        match answer {
            Answer::Records(r) => ips.extend(r.iter().filter_map(|s| s.parse::<IpAddr>().ok())),
            Answer::Failed(e) => failure = Some(e),
            Answer::NoData | Answer::NxDomain => {}
        }
    }
    if ips.is_empty() {
        return Err(match failure {
            Some(e) => format!("{name} could not be resolved: {e}"),
            None => format!("{name} does not resolve"),
        });
    }
    if let Some((ip, reason)) = ips.iter().find_map(|ip| forbidden_ip(*ip).map(|r| (ip, r))) {
        return Err(format!("{name} resolves to {ip}, a {reason}"));
    }
    Ok(ips)
}

/// The outcome of one POST.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    pub success: bool,
    pub status_code: Option<u16>,
    pub response_time_ms: i64,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Posts signed messages, refusing private targets unless the operator allows them.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    dns: Option<Arc<crate::dns::HickoryLookup>>,
}

impl Sender {
    pub fn new(s: &WebhookSettings) -> anyhow::Result<Sender> {
        let allow_private = s.allow_private;
        // Redirects: at most 5, never to another host, never from https down to http.
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let first = attempt.previous().first().cloned();
            let next = attempt.url().clone();
            if attempt.previous().len() >= 5 {
                return attempt.error("more than 5 redirects");
            }
            match first {
                Some(f)
                    if f.host_str() != next.host_str()
                        || f.port_or_known_default() != next.port_or_known_default() =>
                {
                    attempt.stop()
                }
                Some(f) if f.scheme() == "https" && next.scheme() != "https" && !allow_private => {
                    attempt.error("redirect from https to plain http refused")
                }
                _ => attempt.follow(),
            }
        });
        let mut b = reqwest::Client::builder()
            .timeout(s.timeout)
            .connect_timeout(s.timeout.min(Duration::from_secs(5)))
            .redirect(policy)
            .user_agent(concat!("Keel-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(s.concurrency.max(1));
        let dns = if s.allow_private {
            None
        } else {
            let dns = Arc::new(crate::dns::HickoryLookup::new(
                &s.dns_servers,
                s.timeout.min(Duration::from_secs(5)),
            )?);
            b = b.dns_resolver(Arc::new(GuardedResolver { dns: dns.clone() }));
            Some(dns)
        };
        Ok(Sender {
            client: b.build()?,
            dns,
        })
    }

    /// Whether `url` may be a target now (its host resolves to public addresses only); always
    /// true when private targets are allowed.
    pub async fn check_target(&self, url: &str) -> Result<(), String> {
        let Some(dns) = &self.dns else { return Ok(()) };
        let u = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = u.host_str().ok_or("the URL names no host")?;
        resolve_public(dns, host).await.map(|_| ())
    }

    /// One signed POST of `body` as message `id`.
    pub async fn post(&self, url: &str, id: &str, body: &str, secrets: &[String]) -> Attempt {
        let started = Instant::now();
        let ts = chrono::Utc::now().timestamp();
        let signatures: Vec<String> = secrets
            .iter()
            .filter_map(|s| sign(s, id, ts, body.as_bytes()))
            .collect();
        let failed = |error: String, started: Instant| Attempt {
            success: false,
            status_code: None,
            response_time_ms: started.elapsed().as_millis() as i64,
            response_body: None,
            error: Some(error),
        };
        if signatures.is_empty() {
            return failed("the endpoint has no signing secret".into(), started);
        }
        // Literal addresses never reach the resolver: check them here.
        if self.dns.is_some() {
            if let Err(e) = self.check_literal(url) {
                return failed(e, started);
            }
        }
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signatures.join(" "))
            .body(body.to_string())
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => return failed(describe(&e), started),
        };
        let status = resp.status();
        let mut kept = Vec::new();
        let mut read_error = None;
        while kept.len() < BODY_LIMIT {
            match resp.chunk().await {
                Ok(Some(c)) => kept.extend_from_slice(&c[..c.len().min(BODY_LIMIT - kept.len())]),
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(describe(&e));
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&kept).into_owned();
        let success = status.is_success() && read_error.is_none();
        Attempt {
            success,
            status_code: Some(status.as_u16()),
            response_time_ms: started.elapsed().as_millis() as i64,
            response_body: Some(text).filter(|t| !t.is_empty()),
            error: if success {
                None
            } else if status.is_redirection() {
                Some(format!(
                    "answered {status}; redirects to another host are not followed"
                ))
            } else {
                Some(read_error.unwrap_or_else(|| format!("answered {status}")))
            },
        }
    }

    fn check_literal(&self, url: &str) -> Result<(), String> {
        let u = url::Url::parse(url).map_err(|e| e.to_string())?;
        let ip = match u.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        match forbidden_ip(ip) {
            Some(reason) => Err(format!("{ip} is a {reason}")),
            None => Ok(()),
        }
    }
}

/// An error as a receiver's operator can act on it, without internals.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut msg = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_redirect() {
        "redirect refused".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg.chars().take(500).collect()
}

// ---------------------------------------------------------------------------------------------
// Fan-out: the log, in commit order, into delivery rows.

#[derive(Debug, Clone)]
struct Sub {
    id: String,
    tenant: String,
    url: String,
    events: Vec<String>,
    active: bool,
    deleted: bool,
    secret_version: i64,
    previous_valid_until: Option<String>,
    dirty: bool,
}

/// Runs fan-out and sender until shutdown.
pub async fn run(store: SqlStore, settings: WebhookSettings, shutdown: watch::Receiver<bool>) {
    let sender = match Sender::new(&settings) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: cannot build the HTTP client; dispatcher not started");
            return;
        }
    };
    let wake = Arc::new(Notify::new());
    // Fresh deliveries go from the fan-out straight to this process's sender, already claimed
    // and with their payloads; the rest (retries, another process's leftovers) are polled.
    let (handoff, handed) = tokio::sync::mpsc::channel(8);
    // Outcomes are recorded by a task of their own, in batches, while sending goes on; the
    // channel is short, so few answered attempts are ever unrecorded (a crash repeats only those
    // and the ones in flight).
    let (outcomes, to_record) = tokio::sync::mpsc::channel(settings.concurrency.max(1) * 4);
    // Aborting this task (a crash, in tests) aborts the other two with it.
    let recorder = AbortOnDrop(Some(tokio::spawn(record_loop(
        store.clone(),
        settings.clone(),
        to_record,
    ))));
    let fan = AbortOnDrop(Some(tokio::spawn(fan_out(
        store.clone(),
        settings.clone(),
        handoff,
        wake.clone(),
        shutdown.clone(),
    ))));
    send_loop(store, sender, settings, handed, outcomes, wake, shutdown).await;
    fan.join().await;
    recorder.join().await;
}

struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl AbortOnDrop {
    async fn join(mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.await;
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

type Outcome = (Claimed, Result<Attempt, &'static str>);

/// Records outcomes as they arrive, everything waiting at once in one transaction. Ends when
/// every sender is gone.
async fn record_loop(
    store: SqlStore,
    settings: WebhookSettings,
    mut to_record: tokio::sync::mpsc::Receiver<Outcome>,
) {
    while let Some(first) = to_record.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1000 {
            match to_record.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        // Not recorded: the deliveries stay leased and are sent again when the lease ends.
        if let Err(e) = record(&store, &settings, &batch).await {
            tracing::warn!(error = %e, deliveries = batch.len(), "webhooks: outcomes not recorded: {e:#}");
        }
    }
}

/// Deliveries claimed by the fan-out for this process, with their bodies by event position.
struct Handoff {
    claimed: Vec<Claimed>,
    bodies: HashMap<i64, String>,
}

/// Until when a batch of `n` claimed deliveries is this process's: long enough even if every
/// attempt runs into the timeout.
fn lease_for(n: usize, s: &WebhookSettings) -> String {
    let rounds = n.div_ceil(s.concurrency.max(1)) as u32 + 1;
    let lease = chrono::Duration::from_std(s.timeout * rounds + Duration::from_secs(5))
        .unwrap_or_else(|_| chrono::Duration::hours(1));
    keel_schemas::format_ts(chrono::Utc::now() + lease)
}

/// The dispatcher's transactions commit without waiting for the disk (Postgres): losing one in
/// a database crash only repeats work (a page fanned out again finds its rows; an outcome not
/// recorded means one more attempt under the same id), never loses a delivery.
async fn relaxed(db: &Db, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    if db.dialect == Dialect::Postgres {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn fan_out(
    store: SqlStore,
    settings: WebhookSettings,
    handoff: tokio::sync::mpsc::Sender<Handoff>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(200);
    while !*shutdown.borrow() {
        match lead(&store, &settings, &handoff, &wake, &mut shutdown).await {
            Ok(()) => backoff = Duration::from_millis(200),
            Err(e) => {
                tracing::warn!(error = %e, "webhooks fan-out: {e:#}; retrying in {backoff:?}");
                tokio::select! { _ = tokio::time::sleep(backoff) => {}, _ = shutdown.changed() => {} }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

async fn lead(
    store: &SqlStore,
    settings: &WebhookSettings,
    handoff: &tokio::sync::mpsc::Sender<Handoff>,
    wake: &Notify,
    shutdown: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let db = store.db();
    let mut conn = db.dedicated().await?;
    if db.dialect == Dialect::Postgres {
        loop {
            let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1)")
                .bind(LEADER_LOCK)
                .fetch_one(&mut conn)
                .await?
                .try_get(0)?;
            if got {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
    let mut commits = store.commits();
    while !*shutdown.borrow() {
        let cursor = load_checkpoint(&mut conn, CHECKPOINT).await?;
        let page = store.read_all(cursor, PAGE).await?;
        let Some((last, _)) = page.last() else {
            tokio::select! {
                _ = commits.changed() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            continue;
        };
        let last = *last;
        // Room for a hand-off means this process sends the page's deliveries itself.
        let permit = handoff.try_reserve().ok();
        sqlx::query(db.begin_write()).execute(&mut conn).await?;
        let result = async {
            relaxed(db, &mut conn).await?;
            let out =
                fan_out_page(db, &mut conn, &page, permit.is_some().then_some(settings)).await?;
            save_checkpoint(&mut conn, CHECKPOINT, last).await?;
            Ok::<_, sqlx::Error>(out)
        }
        .await;
        match result {
            Ok((n, handed)) => {
                sqlx::query("COMMIT").execute(&mut conn).await?;
                if n > 0 {
                    crate::metrics::WEBHOOK_DELIVERIES
                        .with_label_values(&["created"])
                        .inc_by(n as u64);
                    match (permit, handed) {
                        (Some(p), Some(h)) if !h.claimed.is_empty() => p.send(h),
                        _ => wake.notify_one(),
                    }
                }
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                return Err(e.into());
            }
        }
    }
    Ok(())
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies one page: folds `webhook.*` events into the subscriptions and makes a delivery for
/// every live subscription an event matches. Returns how many deliveries it made and, when
/// `claim` is given, those it made already claimed for this process, with their bodies.
async fn fan_out_page(
    db: &Db,
    conn: &mut AnyConnection,
    page: &[(LogCursor, RecordedEvent)],
    claim: Option<&WebhookSettings>,
) -> Result<(usize, Option<Handoff>), sqlx::Error> {
    let mut tenants: Vec<String> = page.iter().map(|(_, e)| e.tenant_id.to_string()).collect();
    tenants.sort();
    tenants.dedup();
    let mut subs: HashMap<String, Vec<Sub>> = HashMap::new();
    for chunk in tenants.chunks(500) {
        let sql = format!(
            "SELECT webhook_id, tenant_id, url, events, active, deleted, secret_version, previous_valid_until \
             FROM webhook_subscriptions WHERE deleted = 0 AND tenant_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q.bind(t);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let events: String = r.get(3);
            subs.entry(r.get(1)).or_default().push(Sub {
                id: r.get(0),
                tenant: r.get(1),
                url: r.get(2),
                events: serde_json::from_str(&events).unwrap_or_default(),
                active: r.get::<i64, _>(4) != 0,
                deleted: r.get::<i64, _>(5) != 0,
                secret_version: r.get(6),
                previous_valid_until: r.get(7),
                dirty: false,
            });
        }
    }
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let mut rows: Vec<(String, String, String, String, &'static str, i64)> = Vec::new();
    for (_, e) in page {
        let tenant = e.tenant_id.to_string();
        let about = fold(subs.entry(tenant.clone()).or_default(), &tenant, &e.event);
        let Some(list) = subs.get(&tenant) else {
            continue;
        };
        let event_id = e.event_id.to_string();
        for s in list {
            // An endpoint is never sent events about itself (its own creation, its disabling).
            if s.active
                && !s.deleted
                && about.as_deref() != Some(s.id.as_str())
                && subscribed(&s.events, e.event_type())
            {
                rows.push((
                    delivery_id(&s.id, &event_id),
                    s.id.clone(),
                    tenant.clone(),
                    event_id.clone(),
                    e.event_type(),
                    e.position,
                ));
            }
        }
    }
    for list in subs.values() {
        for s in list.iter().filter(|s| s.dirty) {
            save_sub(conn, s).await?;
        }
    }
    let lease = claim.map(|s| lease_for(rows.len(), s));
    let mut inserted = std::collections::HashSet::new();
    for chunk in rows.chunks(100) {
        let n = chunk.len() * 6;
        let values = (0..chunk.len())
            .map(|i| {
                let b = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, 'pending', ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 3,
                    n + 3
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO webhook_deliveries (delivery_id, webhook_id, tenant_id, event_id, event_type, position, \
             status, attempt, lease_until, next_attempt_at, created_at, updated_at) VALUES {values} \
             ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id"
        );
        let mut q = sqlx::query(&sql);
        for (id, w, t, ev, ty, pos) in chunk {
            q = q.bind(id).bind(w).bind(t).bind(ev).bind(*ty).bind(*pos);
        }
        let q = q
            .bind(if lease.is_some() { 1i64 } else { 0 })
            .bind(lease.as_deref())
            .bind(&now);
        for r in q.fetch_all(&mut *conn).await? {
            inserted.insert(r.get::<String, _>(0));
        }
    }
    if lease.is_none() || inserted.is_empty() {
        return Ok((rows.len(), None));
    }
    // What this process will send: the rows it just made (a page done before made none), with
    // the events' bodies, personal fields opened.
    let positions: std::collections::HashSet<i64> = rows
        .iter()
        .filter(|r| inserted.contains(&r.0))
        .map(|r| r.5)
        .collect();
    let events: Vec<RecordedEvent> = page
        .iter()
        .filter(|(_, e)| positions.contains(&e.position))
        .map(|(_, e)| e.clone())
        .collect();
    let opened = keel_projections::personal::open(conn, &events).await?;
    let bodies = opened.iter().map(|e| (e.position, payload(e))).collect();
    let claimed = rows
        .into_iter()
        .filter(|r| inserted.contains(&r.0))
        .map(
            |(delivery_id, webhook_id, tenant_id, _, _, position)| Claimed {
                delivery_id,
                webhook_id,
                tenant_id,
                position,
                attempt: 1,
            },
        )
        .collect();
    let _ = db;
    Ok((inserted.len(), Some(Handoff { claimed, bodies })))
}

/// Folds a `webhook.*` event into the tenant's subscriptions; returns the endpoint it is about.
fn fold(list: &mut Vec<Sub>, tenant: &str, e: &DomainEvent) -> Option<String> {
    let find = |list: &mut Vec<Sub>, id: WebhookId| {
        let id = id.to_string();
        list.iter().position(|s| s.id == id)
    };
    match e {
        DomainEvent::WebhookCreated(c) => {
            list.retain(|s| s.id != c.webhook_id.to_string());
            list.push(Sub {
                id: c.webhook_id.to_string(),
                tenant: tenant.to_string(),
                url: c.url.clone(),
                events: c.events.clone(),
                active: c.active,
                deleted: false,
                secret_version: c.secret_version,
                previous_valid_until: None,
                dirty: true,
            });
            Some(c.webhook_id.to_string())
        }
        DomainEvent::WebhookUpdated(u) => {
            let i = find(list, u.webhook_id)?;
            let s = &mut list[i];
            if let Some(url) = &u.url {
                s.url = url.clone();
            }
            if let Some(p) = &u.events {
                s.events = p.clone();
            }
            if let Some(a) = u.active {
                s.active = a;
            }
            s.dirty = true;
            Some(s.id.clone())
        }
        DomainEvent::WebhookSecretRotated(r) => {
            let i = find(list, r.webhook_id)?;
            let s = &mut list[i];
            s.secret_version = r.secret_version;
            s.previous_valid_until = Some(keel_schemas::format_ts(r.previous_valid_until));
            s.dirty = true;
            Some(s.id.clone())
        }
        DomainEvent::WebhookDisabled(d) => {
            let i = find(list, d.webhook_id)?;
            list[i].active = false;
            list[i].dirty = true;
            Some(list[i].id.clone())
        }
        DomainEvent::WebhookDeleted(d) => {
            let i = find(list, d.webhook_id)?;
            list[i].active = false;
            list[i].deleted = true;
            list[i].dirty = true;
            Some(list[i].id.clone())
        }
        _ => None,
    }
}

async fn save_sub(conn: &mut AnyConnection, s: &Sub) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_subscriptions (webhook_id, tenant_id, url, events, active, deleted, secret_version, \
         previous_valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (webhook_id) DO UPDATE SET \
         url = excluded.url, events = excluded.events, active = excluded.active, deleted = excluded.deleted, \
         secret_version = excluded.secret_version, previous_valid_until = excluded.previous_valid_until",
    )
    .bind(&s.id)
    .bind(&s.tenant)
    .bind(&s.url)
    .bind(serde_json::to_string(&s.events).unwrap_or_else(|_| "[]".into()))
    .bind(s.active as i64)
    .bind(s.deleted as i64)
    .bind(s.secret_version)
    .bind(s.previous_valid_until.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sending: claim due deliveries under a lease, post them, record the outcome.

#[derive(Debug, Clone)]
struct Claimed {
    delivery_id: String,
    webhook_id: String,
    tenant_id: String,
    position: i64,
    attempt: i64,
}

async fn send_loop(
    store: SqlStore,
    sender: Sender,
    settings: WebhookSettings,
    mut handed: tokio::sync::mpsc::Receiver<Handoff>,
    outcomes: tokio::sync::mpsc::Sender<Outcome>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut next: Option<Handoff> = None;
    while !*shutdown.borrow() {
        if let Some(h) = next.take().or_else(|| handed.try_recv().ok()) {
            if let Err(e) =
                deliver(&store, &sender, &settings, h.claimed, &h.bodies, &outcomes).await
            {
                tracing::warn!(error = %e, "webhooks sender: {e:#}");
            }
            continue;
        }
        match send_due(&store, &sender, &settings, &outcomes).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhooks sender: {e:#}"),
        }
        tokio::select! {
            h = handed.recv() => next = h,
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

/// Claims, sends and records one batch of due deliveries; returns how many.
async fn send_due(
    store: &SqlStore,
    sender: &Sender,
    s: &WebhookSettings,
    outcomes: &tokio::sync::mpsc::Sender<Outcome>,
) -> anyhow::Result<usize> {
    let db = store.db();
    let now = chrono::Utc::now();
    let claim = s.concurrency.max(1) * CLAIM_PER_SLOT;
    let lease = lease_for(claim, s);
    let skip_locked = if db.dialect == Dialect::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let claimed: Vec<Claimed> = sqlx::query(&format!(
        "UPDATE webhook_deliveries SET lease_until = $1, attempt = attempt + 1, updated_at = $2 \
         WHERE delivery_id IN (SELECT delivery_id FROM webhook_deliveries WHERE status IN ('pending', 'retrying') \
         AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at \
         LIMIT {claim}{skip_locked}) \
         RETURNING delivery_id, webhook_id, tenant_id, position, attempt"
    ))
    .bind(lease)
    .bind(keel_schemas::format_ts(now))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Claimed {
        delivery_id: r.get(0),
        webhook_id: r.get(1),
        tenant_id: r.get(2),
        position: r.get(3),
        attempt: r.get(4),
    })
    .collect();
    if claimed.is_empty() {
        return Ok(0);
    }

    // The events, opened (personal fields of erased visitors stay erased).
    let positions: Vec<i64> = claimed.iter().map(|c| c.position).collect();
    let mut conn = db.pool.acquire().await?;
    let sql = format!(
        "SELECT {} FROM events WHERE position IN ({})",
        select_columns(db.dialect),
        placeholders(1, positions.len())
    );
    let mut q = sqlx::query(&sql);
    for p in &positions {
        q = q.bind(*p);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let events: Vec<RecordedEvent> = rows
        .iter()
        .map(|r| decode_row(r).map(|(_, e)| e))
        .collect::<Result<_, _>>()?;
    let opened = keel_projections::personal::open(&mut conn, &events).await?;
    drop(conn);
    let bodies: HashMap<i64, String> = opened.iter().map(|e| (e.position, payload(e))).collect();
    deliver(store, sender, s, claimed, &bodies, outcomes).await
}

/// Sends claimed deliveries and records each outcome.
async fn deliver(
    store: &SqlStore,
    sender: &Sender,
    s: &WebhookSettings,
    claimed: Vec<Claimed>,
    bodies: &HashMap<i64, String>,
    outcomes: &tokio::sync::mpsc::Sender<Outcome>,
) -> anyhow::Result<usize> {
    let db = store.db();

    // The endpoints and their secrets.
    let mut hooks: Vec<&str> = claimed.iter().map(|c| c.webhook_id.as_str()).collect();
    hooks.sort();
    hooks.dedup();
    let sql = format!(
        "SELECT webhook_id, url, active, deleted, secret_version, previous_valid_until FROM webhook_subscriptions \
         WHERE webhook_id IN ({})",
        placeholders(1, hooks.len())
    );
    let mut q = sqlx::query(&sql);
    for h in &hooks {
        q = q.bind(*h);
    }
    let mut endpoints: HashMap<String, (String, bool, bool, Vec<String>)> = HashMap::new();
    for r in q.fetch_all(&db.pool).await? {
        let id: String = r.get(0);
        let prev: Option<String> = r.get(5);
        let secrets = signing_secrets(db, &id, r.get(4), prev.as_deref()).await?;
        endpoints.insert(
            id,
            (
                r.get(1),
                r.get::<i64, _>(2) != 0,
                r.get::<i64, _>(3) != 0,
                secrets,
            ),
        );
    }

    let n = claimed.len();
    futures::stream::iter(claimed)
        .map(|c| {
            let endpoint = endpoints.get(&c.webhook_id);
            let body = bodies.get(&c.position);
            async move {
                let r = match (endpoint, body) {
                    (None, _) | (Some((_, _, true, _)), _) => Err("the endpoint was deleted"),
                    (Some((_, false, _, _)), _) => Err("the endpoint is disabled"),
                    (_, None) => Err("the event is no longer readable"),
                    (Some((url, true, false, secrets)), Some(body)) => {
                        Ok(sender.post(url, &c.delivery_id, body, secrets).await)
                    }
                };
                (c, r)
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .for_each(|o| async move {
            let _ = outcomes.send(o).await;
        })
        .await;
    Ok(n)
}

async fn record(store: &SqlStore, s: &WebhookSettings, results: &[Outcome]) -> anyhow::Result<()> {
    let db = store.db();
    let now = chrono::Utc::now();
    let now_s = keel_schemas::format_ts(now);
    // Per endpoint: successes, failures, and the failures since the batch's last success.
    let mut stats: HashMap<&str, (i64, i64, i64, bool, &str)> = HashMap::new();
    let mut conn = db.pool.acquire().await?;
    sqlx::query(db.begin_write()).execute(&mut *conn).await?;
    if let Err(e) = relaxed(db, &mut conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(e.into());
    }
    // One statement for the whole chunk: (id, status, next attempt, code, body, ms, error).
    type Row = (
        String,
        &'static str,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let mut rows: Vec<Row> = Vec::with_capacity(results.len());
    for (c, r) in results {
        let (status, next, attempt): (&'static str, Option<String>, Option<&Attempt>) = match r {
            Err(_) => ("failed", None, None),
            Ok(a) if a.success => ("success", None, Some(a)),
            Ok(a) => match s.schedule.get((c.attempt - 1).max(0) as usize) {
                Some(wait) => {
                    let jitter = rand::thread_rng().gen_range(0.8..1.2);
                    let at =
                        now + chrono::Duration::from_std(wait.mul_f64(jitter)).unwrap_or_default();
                    ("retrying", Some(keel_schemas::format_ts(at)), Some(a))
                }
                None => ("failed", None, Some(a)),
            },
        };
        let error = match r {
            Err(e) => Some(e.to_string()),
            Ok(a) => a.error.clone(),
        };
        crate::metrics::WEBHOOK_DELIVERIES
            .with_label_values(&[match (status, attempt) {
                ("success", _) => "success",
                (_, None) => "dropped",
                _ => "failure",
            }])
            .inc();
        if let Some(a) = attempt {
            let e = stats.entry(c.webhook_id.as_str()).or_insert((
                0,
                0,
                0,
                false,
                c.tenant_id.as_str(),
            ));
            if a.success {
                e.0 += 1;
                e.2 = 0;
                e.3 = true;
            } else {
                e.1 += 1;
                e.2 += 1;
            }
        }
        rows.push((
            c.delivery_id.clone(),
            status,
            next,
            attempt.and_then(|a| a.status_code).map(i64::from),
            attempt.and_then(|a| a.response_body.clone()),
            attempt.map(|a| a.response_time_ms),
            error,
        ));
    }
    let outcome = async {
        for chunk in rows.chunks(500) {
            let values = (0..chunk.len())
                .map(|i| {
                    let b = i * 7 + 1;
                    format!(
                        "(${}, ${}, ${}, CAST(${} AS BIGINT), ${}, CAST(${} AS BIGINT), ${})",
                        b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "WITH v (id, status, next_at, code, body, ms, error) AS (VALUES {values}) \
                 UPDATE webhook_deliveries SET status = v.status, next_attempt_at = v.next_at, lease_until = NULL, \
                 response_status = v.code, response_body = v.body, response_time_ms = v.ms, error = v.error, \
                 updated_at = $1, delivered_at = CASE WHEN v.status = 'success' THEN $1 ELSE webhook_deliveries.delivered_at END \
                 FROM v WHERE webhook_deliveries.delivery_id = v.id"
            );
            let mut q = sqlx::query(&sql).bind(&now_s);
            for (id, status, next, code, body, ms, error) in chunk {
                q = q
                    .bind(id)
                    .bind(*status)
                    .bind(next.as_deref())
                    .bind(*code)
                    .bind(body.as_deref())
                    .bind(*ms)
                    .bind(error.as_deref());
            }
            q.execute(&mut *conn).await?;
        }
        let mut to_disable = Vec::new();
        for (hook, (ok, failed, streak, reset, tenant)) in &stats {
            let row = sqlx::query(
                "INSERT INTO webhook_stats (webhook_id, success_count, failure_count, consecutive_failures, \
                 failing_since, last_delivery_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (webhook_id) DO UPDATE SET \
                 success_count = webhook_stats.success_count + excluded.success_count, \
                 failure_count = webhook_stats.failure_count + excluded.failure_count, \
                 consecutive_failures = CASE WHEN $7 = 1 THEN excluded.consecutive_failures \
                   ELSE webhook_stats.consecutive_failures + excluded.consecutive_failures END, \
                 failing_since = CASE WHEN excluded.consecutive_failures = 0 AND $7 = 1 THEN NULL \
                   WHEN $7 = 1 THEN excluded.failing_since \
                   ELSE COALESCE(webhook_stats.failing_since, excluded.failing_since) END, \
                 last_delivery_at = excluded.last_delivery_at \
                 RETURNING consecutive_failures, failing_since",
            )
            .bind(*hook)
            .bind(*ok)
            .bind(*failed)
            .bind(*streak)
            .bind(if *streak > 0 { Some(now_s.clone()) } else { None })
            .bind(&now_s)
            .bind(*reset as i64)
            .fetch_one(&mut *conn)
            .await?;
            let streak: i64 = row.get(0);
            let since: Option<String> = row.get(1);
            let period = chrono::Duration::from_std(s.disable_after_period).unwrap_or_default();
            let old_enough = since
                .as_deref()
                .and_then(|t| keel_schemas::parse_ts(t).ok())
                .is_some_and(|t| now - t >= period);
            if streak >= s.disable_after && old_enough {
                to_disable.push((hook.to_string(), tenant.to_string(), streak));
            }
        }
        Ok::<_, sqlx::Error>(to_disable)
    }
    .await;
    let to_disable = match outcome {
        Ok(d) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            d
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(e.into());
        }
    };
    drop(conn);
    for (hook, tenant, streak) in to_disable {
        disable(store, &hook, &tenant, streak).await?;
    }
    Ok(())
}

/// Records `webhook.disabled` through the aggregate (a no-op if it is off already).
async fn disable(store: &SqlStore, hook: &str, tenant: &str, streak: i64) -> anyhow::Result<()> {
    let (Ok(id), Ok(ws)) = (hook.parse::<WebhookId>(), tenant.parse::<WorkspaceId>()) else {
        anyhow::bail!("unreadable ids in webhook_deliveries: {hook} {tenant}");
    };
    let exec = keel_commands::Execution {
        tenant_id: ws,
        stream_id: StreamId::webhook(id),
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
    };
    let command = WebhookCommand::Disable {
        reason: format!("{streak} consecutive failed deliveries"),
        consecutive_failures: streak,
    };
    match execute::<WebhookAggregate>(store, &exec, &command, EventId::new_v7).await {
        Ok(_) => {
            tracing::warn!(
                webhook = hook,
                streak,
                "webhook disabled after consecutive failures"
            );
            Ok(())
        }
        Err(keel_commands::CommandError::Rejected(keel_commands::DomainError::NotFound(_))) => {
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("disabling webhook {hook}: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// What the API reads and changes.

/// A delivery as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// pending, retrying, success or failed
    pub status: String,
    pub attempt: i64,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
    pub response_time_ms: Option<i64>,
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub const DELIVERY_STATUSES: &[&str] = &["pending", "retrying", "success", "failed"];
const DELIVERY_COLUMNS: &str =
    "delivery_id, webhook_id, event_id, event_type, status, attempt, response_status, \
    response_body, response_time_ms, error, next_attempt_at, delivered_at, created_at, updated_at";

fn delivery(r: &sqlx::any::AnyRow) -> Result<DeliveryView, sqlx::Error> {
    let status: String = r.try_get(4)?;
    let next: Option<String> = r.try_get(10)?;
    Ok(DeliveryView {
        id: r.try_get(0)?,
        webhook_id: r.try_get(1)?,
        event_id: r.try_get(2)?,
        event_type: r.try_get(3)?,
        next_retry_at: next.filter(|_| status == "pending" || status == "retrying"),
        status,
        attempt: r.try_get(5)?,
        response_status: r.try_get(6)?,
        response_body: r.try_get(7)?,
        response_time_ms: r.try_get(8)?,
        error: r.try_get(9)?,
        delivered_at: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

/// An endpoint's deliveries, newest first, with an exact total.
pub async fn list_deliveries(
    db: &Db,
    webhook_id: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeliveryView>, i64), sqlx::Error> {
    let filter = if status.is_some() {
        "status = $2"
    } else {
        "$2 = $2"
    };
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND {filter} \
         ORDER BY position DESC, delivery_id ASC LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(webhook_id)
    .bind(status.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1 AND {filter}"
    ))
    .bind(webhook_id)
    .bind(status.unwrap_or(""))
    .fetch_one(&db.pool)
    .await?
    .get(0);
    Ok((rows.iter().map(delivery).collect::<Result<_, _>>()?, total))
}

pub async fn get_delivery(
    db: &Db,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<Option<DeliveryView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND delivery_id = $2"
    ))
    .bind(webhook_id)
    .bind(delivery_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(delivery).transpose()
}

/// Schedules a delivery that has not succeeded for an attempt now (same id). `false` if it had
/// already succeeded.
pub async fn retry_delivery(
    db: &Db,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<bool, sqlx::Error> {
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = $1, lease_until = NULL, updated_at = $1 \
         WHERE webhook_id = $2 AND delivery_id = $3 AND status <> 'success'",
    )
    .bind(&now)
    .bind(webhook_id)
    .bind(delivery_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn delivery_ids_are_stable_and_distinct() {
        let a = delivery_id("w1", "e1");
        assert_eq!(a, delivery_id("w1", "e1"));
        assert_ne!(a, delivery_id("w2", "e1"));
        assert!(a.starts_with("msg_") && a.len() == 36, "{a}");
    }

    #[test]
    fn schedules_parse_with_units() {
        assert_eq!(
            parse_schedule("100ms, 2s,5m,1h").unwrap_or_default(),
            [
                Duration::from_millis(100),
                Duration::from_secs(2),
                Duration::from_secs(300),
                Duration::from_secs(3600)
            ]
        );
        assert!(parse_schedule("5 weeks").is_err());
        let total: Duration = parse_schedule(DEFAULT_SCHEDULE)
            .unwrap_or_default()
            .iter()
            .sum();
        assert!(total > Duration::from_secs(20 * 3600) && total < Duration::from_secs(30 * 3600));
    }

    #[test]
    fn secrets_are_fresh_and_hinted() {
        let a = generate_secret();
        assert!(a.starts_with("whsec_") && a.len() > 40);
        assert_ne!(a, generate_secret());
        assert_eq!(secret_hint(&a).len(), 10);
    }
}
