//! Webhook delivery (ADR 0014, 0015): a fan-out that tails the log in commit order and turns
//! each page's events that a live endpoint subscribes to into one delivery run per endpoint (a
//! row of `webhook_runs` listing its deliveries), in the transaction that moves its checkpoint;
//! and a sender that claims runs and due retries under a lease, posts them signed per the
//! Standard Webhooks scheme, and schedules retries with exponential backoff and jitter. A
//! delivery that succeeds at once stays in its run, with its outcome; one that fails becomes a
//! row of `webhook_deliveries` and is retried from there.
//!
//! Nothing is lost: a delivery exists before anything is sent, and a crash between sending and
//! recording only means the same delivery (same `webhook-id`) is sent again after its lease.

use crate::feed::{load_checkpoint, save_checkpoint};
use crate::store::{decode_row, select_columns, SqlStore};
use base64::Engine;
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
/// Runs a poll claims at once.
const CLAIM_RUNS: usize = 4;
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
pub fn generate_secret(rng: &mut impl rand::RngCore) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Whether a secret a client chose will do: 24 to 255 visible ASCII characters; a `whsec_` one
/// must be base64 of at least 24 bytes after the prefix (a Standard Webhooks secret). Without the
/// prefix its bytes are the signing key as they are.
pub fn check_client_secret(secret: &str) -> Result<(), String> {
    let len = secret.chars().count();
    if !(24..=255).contains(&len) || !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err("must be 24 to 255 visible ASCII characters".into());
    }
    if let Some(b64) = secret.strip_prefix("whsec_") {
        match base64::engine::general_purpose::STANDARD.decode(b64) {
            Ok(key) if key.len() >= 24 => {}
            _ => {
                return Err(
                    "a `whsec_` secret is base64 of at least 24 bytes after the prefix".into(),
                )
            }
        }
    }
    Ok(())
}

/// What listings show of a secret.
pub fn secret_hint(secret: &str) -> String {
    secret.chars().take(10).collect()
}

/// The Standard Webhooks signature of one message: `v1,` and the base64 HMAC-SHA256, keyed with
/// the secret's bytes, of `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    SigningKey::new(secret).map(|k| k.sign(id, timestamp, body))
}

/// A secret ready to sign with: decoded and keyed once, cloned for each message.
#[derive(Clone)]
pub struct SigningKey(Hmac<Sha256>);

impl SigningKey {
    /// A `whsec_` secret is base64 (Standard Webhooks); another (a client's own) is its bytes.
    pub fn new(secret: &str) -> Option<SigningKey> {
        let key = match secret.strip_prefix("whsec_") {
            Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64).ok()?,
            None => secret.as_bytes().to_vec(),
        };
        Hmac::<Sha256>::new_from_slice(&key).ok().map(SigningKey)
    }

    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        )
    }
}

/// A delivery's id, the same for every attempt: the event's id masked with a key derived from
/// the endpoint, so it is unique per (endpoint, event), a replayed fan-out finds the delivery it
/// made before, and the event (and from it the run that holds the delivery) can be found from
/// the id and the endpoint alone ([`event_of_delivery`]). The id hides nothing the delivery does
/// not show: its event id is part of every delivery's view.
pub fn delivery_id(webhook_id: &str, event_id: &str) -> String {
    match uuid::Uuid::parse_str(event_id) {
        Ok(e) => {
            let mut b = *e.as_bytes();
            for (x, k) in b.iter_mut().zip(delivery_mask(webhook_id)) {
                *x ^= k;
            }
            format!("msg_{}", uuid::Uuid::from_bytes(b).simple())
        }
        // Event ids are UUIDs; anything else still gets a stable id, just not a reversible one.
        Err(_) => {
            let h = Sha256::digest(format!("{webhook_id}/{event_id}").as_bytes());
            format!("msg_{}", hex_16(&h[..16]))
        }
    }
}

/// The event a delivery id of `webhook_id` stands for (the inverse of [`delivery_id`]).
pub fn event_of_delivery(webhook_id: &str, delivery_id: &str) -> Option<String> {
    let hex = delivery_id.strip_prefix("msg_")?;
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut b = *uuid::Uuid::parse_str(hex).ok()?.as_bytes();
    for (x, k) in b.iter_mut().zip(delivery_mask(webhook_id)) {
        *x ^= k;
    }
    Some(uuid::Uuid::from_bytes(b).to_string())
}

fn delivery_mask(webhook_id: &str) -> [u8; 16] {
    let h = Sha256::digest(format!("keel/webhook-delivery/{webhook_id}").as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&h[..16]);
    k
}

fn hex_16(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The body receivers get: Standard Webhooks' `type`, `timestamp` and `data` (the event as the
/// audit API shows it).
pub fn payload(e: &RecordedEvent) -> String {
    // Serialized straight to text (no JSON tree in between); keys in alphabetical order, as
    // before.
    #[derive(serde::Serialize)]
    struct Body<'a> {
        data: keel_schemas::PublicEvent<'a>,
        timestamp: String,
        #[serde(rename = "type")]
        kind: &'static str,
    }
    serde_json::to_string(&Body {
        data: keel_schemas::PublicEvent::of(e),
        timestamp: keel_schemas::format_ts(e.occurred_at),
        kind: e.event_type(),
    })
    .unwrap_or_default()
}

/// Stores a signing secret (before the event that names its version is appended). True when it
/// is stored now or the very same secret already was (a second run of the same request).
pub async fn store_secret(
    db: &Db,
    webhook_id: WebhookId,
    version: i64,
    tenant: WorkspaceId,
    secret: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO webhook_secrets (webhook_id, version, tenant_id, secret, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (webhook_id, version) DO NOTHING",
    )
    .bind(webhook_id.to_string())
    .bind(version)
    .bind(tenant.to_string())
    .bind(secret)
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1 || stored_secret(db, webhook_id, version).await?.as_deref() == Some(secret))
}

/// Version `version` of an endpoint's secret, if stored.
pub async fn stored_secret(
    db: &Db,
    webhook_id: WebhookId,
    version: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT secret FROM webhook_secrets WHERE webhook_id = $1 AND version = $2")
        .bind(webhook_id.to_string())
        .bind(version)
        .fetch_optional(&db.pool)
        .await
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
pub(crate) struct GuardedResolver {
    dns: Arc<crate::dns::HickoryLookup>,
}

impl GuardedResolver {
    pub(crate) fn new(dns: Arc<crate::dns::HickoryLookup>) -> Self {
        Self { dns }
    }
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// Whether the endpoint answered 2xx.
    pub success: bool,
    pub status_code: Option<u16>,
    pub response_time_ms: i64,
    /// The first 1 KiB of the endpoint's answer.
    pub response_body: Option<String>,
    /// Why no answer came (refused target, timeout, connection error).
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
        let keys: Vec<SigningKey> = secrets.iter().filter_map(|s| SigningKey::new(s)).collect();
        match url::Url::parse(url) {
            Ok(u) => self.post_to(&u, id, body.to_string(), &keys).await,
            Err(e) => Attempt {
                success: false,
                status_code: None,
                response_time_ms: 0,
                response_body: None,
                error: Some(format!("bad URL: {e}")),
            },
        }
    }

    /// [`Sender::post`] to a parsed URL, with a body it may keep (no copies per attempt).
    pub async fn post_to(
        &self,
        url: &url::Url,
        id: &str,
        body: String,
        keys: &[SigningKey],
    ) -> Attempt {
        let started = Instant::now();
        let ts = chrono::Utc::now().timestamp();
        let signatures: Vec<String> = keys
            .iter()
            .map(|k| k.sign(id, ts, body.as_bytes()))
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
        let request = self
            .client
            .post(url.clone())
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signatures.join(" "));
        self.send(url, request, body, started).await
    }

    /// An unsigned JSON POST through the same guarded client (a Slack-compatible incoming
    /// webhook, whose URL is its secret).
    pub async fn post_plain(&self, url: &str, body: String) -> Attempt {
        let started = Instant::now();
        match url::Url::parse(url) {
            Ok(u) => {
                let request = self.client.post(u.clone());
                self.send(&u, request, body, started).await
            }
            Err(e) => Attempt {
                success: false,
                status_code: None,
                response_time_ms: 0,
                response_body: None,
                error: Some(format!("bad URL: {e}")),
            },
        }
    }

    async fn send(
        &self,
        url: &url::Url,
        request: reqwest::RequestBuilder,
        body: String,
        started: Instant,
    ) -> Attempt {
        let failed = |error: String, started: Instant| Attempt {
            success: false,
            status_code: None,
            response_time_ms: started.elapsed().as_millis() as i64,
            response_body: None,
            error: Some(error),
        };
        // Literal addresses never reach the resolver: check them here.
        if self.dns.is_some() {
            if let Err(e) = self.check_literal(url) {
                return failed(e, started);
            }
        }
        let sent = request
            .header("content-type", "application/json")
            .body(body)
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

    fn check_literal(&self, u: &url::Url) -> Result<(), String> {
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

mod deliveries;
mod dispatch;

pub use deliveries::{
    get_delivery, list_deliveries, purge_finished, retry_delivery, DeliveryView, DELIVERY_STATUSES,
};
pub use dispatch::run;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_secret_is_checked_and_signs_as_its_bytes() {
        assert!(check_client_secret("short").is_err());
        assert!(check_client_secret(&"x".repeat(256)).is_err());
        assert!(check_client_secret("has a space but is long enough").is_err());
        assert!(check_client_secret("whsec_abc123def456ghi789jkl012").is_err());
        assert!(check_client_secret("my-own-signing-secret-1234567").is_ok());
        assert!(check_client_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
        let raw = "my-own-signing-secret-1234567";
        let mut mac = Hmac::<Sha256>::new_from_slice(raw.as_bytes()).expect("key");
        mac.update(b"msg_1.1700000000.{}");
        let want = format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        );
        assert_eq!(sign(raw, "msg_1", 1_700_000_000, b"{}"), Some(want));
    }

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
    fn delivery_ids_are_stable_distinct_and_lead_back_to_their_event() {
        let a = delivery_id("w1", "e1");
        assert_eq!(a, delivery_id("w1", "e1"));
        assert_ne!(a, delivery_id("w2", "e1"));
        assert!(a.starts_with("msg_") && a.len() == 36, "{a}");

        let event = uuid::Uuid::now_v7().to_string();
        let d = delivery_id("wh_1", &event);
        assert!(d.starts_with("msg_") && d.len() == 36, "{d}");
        assert_eq!(d, delivery_id("wh_1", &event));
        assert_ne!(d, delivery_id("wh_2", &event));
        assert_eq!(
            event_of_delivery("wh_1", &d).as_deref(),
            Some(event.as_str())
        );
        assert_ne!(
            event_of_delivery("wh_2", &d).as_deref(),
            Some(event.as_str())
        );
        for bad in [
            "",
            "msg_",
            "msg_zz",
            "x",
            "msg_0123456789abcdef0123456789abcdeg",
        ] {
            assert_eq!(event_of_delivery("wh_1", bad), None, "{bad}");
        }
    }

    #[test]
    fn payloads_are_the_public_event_as_text() {
        let ws = uuid::Uuid::now_v7().to_string();
        let e = keel_schemas::wire::decode(
            serde_json::json!({
                "event_id": uuid::Uuid::now_v7().to_string(),
                "tenant_id": ws,
                "stream_id": "site-1", "stream_version": 3, "position": 42,
                "event_type": "site.deleted", "schema_version": 1,
                "payload": {"site_id": uuid::Uuid::now_v7().to_string(), "workspace_id": ws},
                "metadata": {"actor": "system", "request_id": "req_1"},
                "occurred_at": "2026-11-24T10:00:00.000000Z",
                "recorded_at": "2026-11-24T10:00:00.100000Z",
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let tree = serde_json::json!({
            "type": e.event_type(),
            "timestamp": keel_schemas::format_ts(e.occurred_at),
            "data": keel_schemas::public_event(&e),
        });
        assert_eq!(payload(&e), tree.to_string());
        assert_eq!(tree["data"]["position"], serde_json::json!(42));
        assert_eq!(tree["data"]["request_id"], serde_json::json!("req_1"));
        assert!(tree["data"]["causation_id"].is_null());
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
        let a = generate_secret(&mut rand::rngs::OsRng);
        assert!(a.starts_with("whsec_") && a.len() > 40);
        assert_ne!(a, generate_secret(&mut rand::rngs::OsRng));
        assert_eq!(secret_hint(&a).len(), 10);
    }
}
