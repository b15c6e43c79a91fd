//! Stripe: the REST client the integration syncs through (paging with `starting_after`,
//! increments with `created[gt]`, 429s and transient failures waited out), the
//! `Stripe-Signature` check of inbound webhooks, and the credentials kept beside the log.

use keel_events::{IntegrationId, WorkspaceId};
use keel_projections::Db;
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;

/// Stripe's API.
pub const DEFAULT_API_URL: &str = "https://api.stripe.com";
/// How far a webhook's timestamp may be from now (Stripe's libraries' default).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;
/// Objects per page (Stripe's largest).
const PAGE: usize = 100;
/// Tries of one request before the sync fails.
const ATTEMPTS: usize = 6;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StripeError {
    /// The key is not valid (401).
    #[error("Stripe refused the key: {0}")]
    InvalidKey(String),
    /// The key lacks a permission (403); `permission` names it when Stripe did.
    #[error("the key may not read {what}{}: {message}", permission.as_ref().map(|p| format!(" (it needs `{p}`)")).unwrap_or_default())]
    Forbidden {
        what: String,
        permission: Option<String>,
        message: String,
    },
    #[error("Stripe answered {status}: {message}")]
    Api { status: u16, message: String },
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
}

/// A Stripe client for one key.
#[derive(Clone)]
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    key: String,
    /// Longest wait for a 429 or a transient failure (tests shorten it).
    max_wait: Duration,
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    pub data: Vec<Value>,
    pub has_more: bool,
}

impl Stripe {
    pub fn new(base: &str, key: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Keel/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
            max_wait: Duration::from_secs(60),
        }
    }

    /// `GET path` with `query`, retried on 429 (after `Retry-After`), 5xx and connection
    /// failures with growing waits; any other refusal is returned at once.
    pub async fn get(&self, path: &str, query: &[(String, String)]) -> Result<Value, StripeError> {
        let mut wait = Duration::from_millis(500);
        let mut last = StripeError::Unreachable("no attempt made".into());
        for _ in 0..ATTEMPTS {
            let sent = self
                .http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.key)
                .query(query)
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    last = StripeError::Unreachable(e.to_string());
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(self.max_wait);
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            if (200..300).contains(&status) {
                return Ok(body);
            }
            let message = body["error"]["message"]
                .as_str()
                .unwrap_or("(no message)")
                .to_string();
            match status {
                429 | 500..=599 => {
                    last = StripeError::Api { status, message };
                    tokio::time::sleep(retry_after.unwrap_or(wait).min(self.max_wait)).await;
                    wait = (wait * 2).min(self.max_wait);
                }
                401 => return Err(StripeError::InvalidKey(message)),
                403 => {
                    return Err(StripeError::Forbidden {
                        what: path.trim_start_matches("/v1/").to_string(),
                        permission: permission_named(&message),
                        message,
                    })
                }
                _ => return Err(StripeError::Api { status, message }),
            }
        }
        Err(last)
    }

    /// One page of a list endpoint (`/v1/charges`, `/v1/refunds`), oldest-first paging by
    /// `starting_after` is the caller's: Stripe lists newest first.
    pub async fn page(
        &self,
        path: &str,
        created_gt: Option<i64>,
        starting_after: Option<&str>,
        expand: &[&str],
    ) -> Result<Page, StripeError> {
        let mut q = vec![("limit".to_string(), PAGE.to_string())];
        if let Some(t) = created_gt {
            q.push(("created[gt]".into(), t.to_string()));
        }
        if let Some(s) = starting_after {
            q.push(("starting_after".into(), s.to_string()));
        }
        for e in expand {
            q.push(("expand[]".into(), (*e).to_string()));
        }
        let v = self.get(path, &q).await?;
        Ok(Page {
            data: v["data"].as_array().cloned().unwrap_or_default(),
            has_more: v["has_more"].as_bool().unwrap_or(false),
        })
    }

    /// Whether the key may read what a sync reads; the first refusal, naming the permission.
    pub async fn check_access(&self) -> Result<(), StripeError> {
        // What the sync reads: payments and refunds, subscriptions and their customers.
        for path in [
            "/v1/charges",
            "/v1/refunds",
            "/v1/subscriptions",
            "/v1/customers",
        ] {
            self.get(path, &[("limit".into(), "1".into())]).await?;
        }
        Ok(())
    }

    #[doc(hidden)]
    pub fn with_max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }
}

/// The permission a restricted key lacks, as Stripe's 403 message names it ("… requires one of
/// the following permissions: rak_charge_read").
pub fn permission_named(message: &str) -> Option<String> {
    message
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '`' || c == '\'')
        .find(|w| w.starts_with("rak_"))
        .map(str::to_string)
}

/// Whether a key looks like a Stripe secret or restricted key, and whether it is live.
pub fn key_mode(key: &str) -> Option<bool> {
    let live = ["sk_live_", "rk_live_"].iter().any(|p| key.starts_with(p));
    let test = ["sk_test_", "rk_test_"].iter().any(|p| key.starts_with(p));
    (live || test)
        .then_some(live)
        .filter(|_| key.len() <= 255 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) over `payload` with any of
/// `secrets` (two during a secret roll), within `tolerance` seconds of `now`.
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secrets: &[String],
    now: i64,
    tolerance: i64,
) -> Result<(), String> {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(v.to_string()),
            _ => {}
        }
    }
    let t = t.ok_or("the Stripe-Signature header has no timestamp")?;
    if v1.is_empty() {
        return Err("the Stripe-Signature header has no v1 signature".into());
    }
    if (now - t).abs() > tolerance {
        return Err(format!(
            "the signature's timestamp is {} s away from now (at most {tolerance})",
            (now - t).abs()
        ));
    }
    for secret in secrets {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        let expected = mac.finalize().into_bytes();
        for sig in &v1 {
            if let Ok(given) = hex::decode(sig) {
                // Constant time: `Mac::verify_slice` would need the Mac again.
                if given.len() == expected.len()
                    && given
                        .iter()
                        .zip(expected.iter())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
                {
                    return Ok(());
                }
            }
        }
    }
    Err("no v1 signature matches the endpoint's secret".into())
}

// ---------------------------------------------------------------------------------------------
// Credentials, beside the log.

/// Stores a credential (`api_key` or `webhook_secret`) of an integration under `id`, before the
/// event naming it is appended. True when stored now or the very same one already was.
pub async fn store_credential(
    db: &Db,
    integration: IntegrationId,
    ws: WorkspaceId,
    kind: &str,
    id: i64,
    secret: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO integration_credentials (integration_id, credential_id, workspace_id, kind, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (integration_id, credential_id) DO NOTHING",
    )
    .bind(integration.to_string())
    .bind(id)
    .bind(ws.to_string())
    .bind(kind)
    .bind(secret)
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1 || credential(db, integration, id).await?.as_deref() == Some(secret))
}

/// An integration's credential `id`, if stored.
pub async fn credential(
    db: &Db,
    integration: IntegrationId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT secret FROM integration_credentials WHERE integration_id = $1 AND credential_id = $2",
    )
    .bind(integration.to_string())
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Destroys every credential of an integration (it was removed).
pub async fn forget_credentials(db: &Db, integration: IntegrationId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM integration_credentials WHERE integration_id = $1")
        .bind(integration.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The first characters of a secret, to tell secrets apart.
pub fn hint(secret: &str) -> String {
    let keep = if secret.starts_with("whsec_") { 10 } else { 12 };
    format!("{}…", secret.chars().take(keep).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(payload);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_signature_is_checked_against_every_secret_and_v1_within_the_tolerance() {
        let body = br#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        let secrets = vec!["whsec_old".to_string(), "whsec_new".to_string()];
        let good = format!(
            "t={now},v1={},v1={}",
            "00".repeat(32),
            sign("whsec_new", now, body)
        );
        assert_eq!(verify_signature(body, &good, &secrets, now, 300), Ok(()));
        // Another body, another secret, a stale timestamp, no signature: refused.
        assert!(verify_signature(b"{}", &good, &secrets, now, 300).is_err());
        assert!(verify_signature(body, &good, &["whsec_x".into()], now, 300).is_err());
        let stale = verify_signature(body, &good, &secrets, now + 301, 300).unwrap_err();
        assert!(stale.contains("301 s"), "{stale}");
        assert!(verify_signature(body, &format!("t={now}"), &secrets, now, 300).is_err());
        assert!(verify_signature(body, "garbage", &secrets, now, 300).is_err());
    }

    /// An HTTP server answering each connection with the next of `answers`; counts requests.
    async fn serve(
        answers: Vec<String>,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            for answer in answers {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = sock.write_all(answer.as_bytes()).await;
                let _ = sock.shutdown().await;
            }
        });
        (url, count)
    }

    fn answer(status: &str, extra: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
            body.len()
        )
    }

    #[tokio::test]
    async fn a_429_is_waited_out_for_its_retry_after_and_a_403_names_the_permission() {
        let (url, count) = serve(vec![
            answer(
                "429 Too Many Requests",
                "retry-after: 1\r\n",
                r#"{"error":{"message":"Too many requests"}}"#,
            ),
            answer("200 OK", "", r#"{"data":[],"has_more":false}"#),
        ])
        .await;
        let started = std::time::Instant::now();
        let page = Stripe::new(&url, "sk_test_x")
            .page("/v1/charges", None, None, &[])
            .await
            .unwrap();
        assert!(page.data.is_empty() && !page.has_more);
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "waited for Retry-After"
        );

        let (url, _) = serve(vec![answer(
            "403 Forbidden",
            "",
            r#"{"error":{"message":"Having the 'rak_refund_read' permission would allow this request to continue."}}"#,
        )])
        .await;
        let e = Stripe::new(&url, "rk_test_x")
            .check_access()
            .await
            .unwrap_err();
        assert!(e.to_string().contains("rak_refund_read"), "{e}");
        assert!(matches!(e, StripeError::Forbidden { .. }));
    }

    #[test]
    fn keys_and_permissions_are_read_as_stripe_writes_them() {
        assert_eq!(key_mode("rk_test_abc123"), Some(false));
        assert_eq!(key_mode("sk_live_abc123"), Some(true));
        assert_eq!(key_mode("pk_test_abc"), None);
        assert_eq!(key_mode("sk_test_a b"), None);
        assert_eq!(
            permission_named("The provided key 'rk_test_***abc' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_charge_read' permission would allow this request to continue."),
            Some("rak_charge_read".into())
        );
        assert_eq!(permission_named("nothing here"), None);
    }
}
