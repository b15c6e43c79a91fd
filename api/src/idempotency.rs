//! `Idempotency-Key` on POST, PUT, PATCH and DELETE.
//!
//! The first request with a key claims it (a row in `idempotency_records` with a lease), runs,
//! and stores its response for 24 hours; later requests with the same key and the same method,
//! path and body get that response again with `Idempotent-Replayed: true`. Another body under the
//! same key is 422 `idempotency_key_reused`; a request arriving while the first still runs is 409
//! `idempotency_key_in_use`. If the process dies mid-request the lease lapses after
//! [`LEASE`] and the next request with the key runs again; a request that fails (5xx) or is
//! dropped by a disconnecting client releases its claim at once. Responses that are not results
//! (5xx, 429) are not stored.
//!
//! A run that failed may still have committed (the database died after the commit, before its
//! answer), so a released claim keeps its row: its seed ([`Entropy`]) makes the next run draw the
//! same ids, and that run finds the first run's events instead of writing them twice (ADR 0016).
//! Only a 429, which never reaches a command, forgets the key.
//!
//! At rest, the key is a hash, and the response body and the seed are encrypted with a key derived
//! from the idempotency key, so a creation response that shows a secret once keeps it out of the
//! database, and so does the seed it was drawn from.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use keel_infra::idempotency::{self as store, End, NewClaim, Record};
use keel_projections::Db;
use keel_schemas::format_ts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a claim holds without its request finishing (a crashed process's claim lapses).
pub const LEASE: Duration = Duration::from_secs(60);
/// How long a response is replayed.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);
pub const MAX_KEY_LEN: usize = 255;
/// The response headers a replay repeats; request ids and rate-limit headers are the replay's own.
const REPLAYED_HEADERS: &[&str] = &["content-type", "location", "etag", "x-keel-position"];

pub fn applies_to(method: &actix_web::http::Method) -> bool {
    use actix_web::http::Method;
    [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method)
}

fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// What makes two requests "the same": method, path and query, the workspace header, the body.
pub fn fingerprint(method: &str, target: &str, workspace_header: &[u8], body: &[u8]) -> String {
    sha256_hex(&[method.as_bytes(), target.as_bytes(), workspace_header, body])
}

/// How a key is stored: hashed with its scope (the workspace id, or `operator`).
pub fn key_hash(scope: &str, key: &str) -> String {
    sha256_hex(&[scope.as_bytes(), key.as_bytes()])
}

fn cipher(scope: &str, key: &str) -> ChaCha20Poly1305 {
    let mut h = Sha256::new();
    h.update(b"keel idempotency response v1\0");
    h.update(scope.as_bytes());
    h.update(b"\0");
    h.update(key.as_bytes());
    let k = h.finalize();
    let key: [u8; 32] = k.into();
    // A SHA-256 digest is exactly a ChaCha20 key.
    ChaCha20Poly1305::new(&key.into())
}

fn seal(cipher: &ChaCha20Poly1305, plain: &[u8]) -> Result<String, ApiError> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let n =
        Nonce::try_from(&nonce[..]).map_err(|_| ApiError::Internal("bad nonce length".into()))?;
    let sealed = cipher
        .encrypt(&n, plain)
        .map_err(|_| ApiError::Internal("could not encrypt a stored response".into()))?;
    Ok(format!("{}.{}", hex::encode(nonce), hex::encode(sealed)))
}

fn open(cipher: &ChaCha20Poly1305, stored: &str) -> Result<Vec<u8>, ApiError> {
    let bad = || ApiError::Internal("a stored idempotent response is unreadable".into());
    let (nonce, sealed) = stored.split_once('.').ok_or_else(bad)?;
    let nonce = hex::decode(nonce).map_err(|_| bad())?;
    let sealed = hex::decode(sealed).map_err(|_| bad())?;
    let n = Nonce::try_from(&nonce[..]).map_err(|_| bad())?;
    cipher.decrypt(&n, sealed.as_ref()).map_err(|_| bad())
}

/// Releases a claim whose request ended without a result, or was dropped mid-way.
///
/// Released, the row stays (state `released`, seed kept) for the next run of the request; a
/// forgotten one (429: no command ran) is deleted.
struct Claim {
    db: Db,
    scope: String,
    key_hash: String,
    owner: String,
    settled: bool,
}

impl Claim {
    async fn release(&mut self) {
        self.end(End::Release).await
    }

    async fn forget(&mut self) {
        self.end(End::Forget).await
    }

    async fn end(&mut self, how: End) {
        self.settled = true;
        let r = store::end(&self.db, &self.scope, &self.key_hash, &self.owner, how).await;
        if let Err(e) = r {
            // The database is away (an outage is the usual reason a request fails): keep trying
            // in the background, so a client retrying once it is back finds the key free
            // rather than in use until the lease lapses.
            tracing::warn!(error = %e, "could not release an idempotency claim; retrying until the database answers");
            let (db, scope, key_hash, owner) = (
                self.db.clone(),
                self.scope.clone(),
                self.key_hash.clone(),
                self.owner.clone(),
            );
            tokio::spawn(async move {
                let deadline = tokio::time::Instant::now() + LEASE;
                while tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    if store::end(&db, &scope, &key_hash, &owner, how)
                        .await
                        .is_ok()
                    {
                        return;
                    }
                }
            });
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.settled {
            let mut rest = Claim {
                db: self.db.clone(),
                scope: std::mem::take(&mut self.scope),
                key_hash: std::mem::take(&mut self.key_hash),
                owner: std::mem::take(&mut self.owner),
                settled: true,
            };
            // Outside a runtime (process teardown) the lease lapses instead.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { rest.release().await });
            }
        }
    }
}

enum Outcome {
    Claimed(Claim, Entropy),
    Replay(HttpResponse),
}

async fn claim(
    db: &Db,
    scope: &str,
    key_hash: &str,
    caller: &str,
    fingerprint: &str,
    crypt: &ChaCha20Poly1305,
) -> Result<Outcome, ApiError> {
    let owner = uuid::Uuid::new_v4().simple().to_string();
    for _ in 0..5 {
        let now = Utc::now();
        let lease_until = format_ts(now + LEASE);
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let inserted = store::insert_claim(
            db,
            &NewClaim {
                scope,
                key_hash,
                caller,
                fingerprint,
                owner: &owner,
                lease_until: &lease_until,
                created_at: &format_ts(now),
                expires_at: &format_ts(now + RETENTION),
                sealed_seed: &seal(crypt, &seed)?,
            },
        )
        .await?;
        let claimed = |seed: [u8; 32], since: DateTime<Utc>| {
            let ms = u64::try_from(since.timestamp_millis()).unwrap_or_default();
            Outcome::Claimed(
                Claim {
                    db: db.clone(),
                    scope: scope.into(),
                    key_hash: key_hash.into(),
                    owner: owner.clone(),
                    settled: false,
                },
                Entropy::seeded(seed, ms),
            )
        };
        if inserted {
            return Ok(claimed(seed, now));
        }
        let Some(rec) = store::fetch(db, scope, key_hash).await? else {
            continue; // expired and purged in between: try again
        };
        let now_s = format_ts(now);
        if rec.expires_at <= now_s {
            store::delete_expired(db, scope, key_hash, &rec.expires_at).await?;
            continue;
        }
        if rec.caller != caller || rec.fingerprint != fingerprint {
            return Err(ApiError::IdempotencyKeyReused);
        }
        if rec.state == "done" {
            return Ok(Outcome::Replay(replay(&rec, crypt)?));
        }
        if rec.state == "running" && rec.lease_until > now_s {
            return Err(ApiError::IdempotencyKeyInUse);
        }
        // The previous run failed, or its process died: run again, from the same seed (a record
        // from before seeds were kept gets a new one; it cannot have drawn from any).
        let (seed, since) = match &rec.seed {
            Some(sealed) => {
                let plain = open(crypt, sealed)?;
                let seed: [u8; 32] = plain.try_into().map_err(|_| {
                    ApiError::Internal("a stored idempotency seed is unreadable".into())
                })?;
                let since = DateTime::parse_from_rfc3339(&rec.created_at)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(now);
                (seed, since)
            }
            None => (seed, now),
        };
        let taken = store::take_over(
            db,
            &rec,
            scope,
            key_hash,
            &owner,
            &lease_until,
            &seal(crypt, &seed)?,
        )
        .await?;
        if taken {
            if rec.state == "running" {
                tracing::warn!("taking over an idempotency key whose first request never finished");
            }
            return Ok(claimed(seed, since));
        }
    }
    Err(ApiError::IdempotencyKeyInUse)
}

fn replay(rec: &Record, crypt: &ChaCha20Poly1305) -> Result<HttpResponse, ApiError> {
    let status = rec
        .status
        .and_then(|s| StatusCode::from_u16(u16::try_from(s).ok()?).ok())
        .ok_or_else(|| ApiError::Internal("stored response has no status".into()))?;
    let headers: Vec<(String, String)> = rec
        .headers
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::Internal(format!("stored headers unreadable: {e}")))?
        .unwrap_or_default();
    let body = rec
        .body
        .as_deref()
        .map(|b| open(crypt, b))
        .transpose()?
        .unwrap_or_default();
    let mut resp = HttpResponse::build(status);
    for (k, v) in headers {
        resp.insert_header((k, v));
    }
    resp.insert_header(("Idempotent-Replayed", "true"));
    Ok(resp.body(body))
}

async fn read_body(req: &mut ServiceRequest, max: usize) -> Result<web::Bytes, ApiError> {
    let mut payload = req.take_payload();
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if buf.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge(max));
        }
        buf.extend_from_slice(&chunk);
    }
    let bytes = buf.freeze();
    req.set_payload(actix_web::dev::Payload::from(bytes.clone()));
    Ok(bytes)
}

/// Runs a write under its `Idempotency-Key`.
pub async fn run(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !valid_key(key) {
        let e = ApiError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
        ));
        return Ok(req.into_response(e.error_response()));
    }
    let body = match read_body(&mut req, state.config.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let (scope, who) = match caller {
        Caller::Key(k) => (k.workspace_id.to_string(), format!("key:{}", k.key_id)),
        Caller::Operator => ("operator".to_string(), "operator".to_string()),
        Caller::User(u) => (
            u.workspace()
                .map_or_else(|_| "user".to_string(), |(ws, _)| ws.to_string()),
            format!("user:{}", u.user_id),
        ),
    };
    let target = format!("{}?{}", req.path(), req.query_string());
    let workspace_header = req
        .headers()
        .get("X-Workspace-ID")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let fingerprint = fingerprint(req.method().as_str(), &target, &workspace_header, &body);
    let key_hash = key_hash(&scope, key);
    let crypt = cipher(&scope, key);
    let mut claim = match claim(&state.db, &scope, &key_hash, &who, &fingerprint, &crypt).await {
        Ok(Outcome::Claimed(c, entropy)) => {
            req.extensions_mut().insert(entropy);
            c
        }
        Ok(Outcome::Replay(resp)) => return Ok(req.into_response(resp)),
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(e) => {
            claim.release().await;
            return Err(e);
        }
    };
    let status = res.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        claim.forget().await;
        return Ok(res.map_into_boxed_body());
    }
    if status.is_server_error() {
        claim.release().await;
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, http_res) = res.into_parts();
    let headers: Vec<(String, String)> = http_res
        .headers()
        .iter()
        .filter(|(k, _)| REPLAYED_HEADERS.contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let mut head = HttpResponse::build(status);
    for (k, v) in http_res.headers() {
        head.append_header((k.clone(), v.clone()));
    }
    let bytes = match actix_web::body::to_bytes(http_res.into_body()).await {
        Ok(b) => b,
        Err(_) => {
            claim.release().await;
            let e = ApiError::Internal("could not read a response body".into());
            return Ok(ServiceResponse::new(http_req, e.error_response()));
        }
    };
    let stored = async {
        let sealed = seal(&crypt, &bytes)?;
        let headers =
            serde_json::to_string(&headers).map_err(|e| ApiError::Internal(e.to_string()))?;
        let done = store::complete(
            &state.db,
            &claim.scope,
            &claim.key_hash,
            &claim.owner,
            i64::from(status.as_u16()),
            &headers,
            &sealed,
        )
        .await?;
        Ok::<bool, ApiError>(done)
    }
    .await;
    match stored {
        Ok(true) => claim.settled = true,
        Ok(false) => {
            claim.settled = true;
            tracing::warn!("an idempotency claim was taken over before its response was stored");
        }
        Err(e) => {
            tracing::error!(error = %e, "could not store an idempotent response; releasing the key");
            claim.release().await;
        }
    }
    Ok(ServiceResponse::new(http_req, head.body(bytes)))
}

/// Deletes records past their 24 hours.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    store::purge_expired(db, &format_ts(now)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(valid_key("a"));
        assert!(valid_key(&"k".repeat(255)));
        assert!(!valid_key(&"k".repeat(256)));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key("é"));
    }

    #[test]
    fn stored_bodies_open_only_with_the_same_key() {
        let a = cipher("ws", "key-1");
        let sealed = seal(&a, b"{\"key\":\"secret\"}").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(open(&a, &sealed).unwrap(), b"{\"key\":\"secret\"}");
        assert!(open(&cipher("ws", "key-2"), &sealed).is_err());
        assert!(open(&cipher("other", "key-1"), &sealed).is_err());
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(sha256_hex(&[b"ab", b"c"]), sha256_hex(&[b"a", b"bc"]));
    }
}
