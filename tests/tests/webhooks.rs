//! Webhooks end to end: a real HTTP receiver started here verifies every Standard Webhooks
//! signature, fails the first attempts and counts deliveries; the dispatcher is killed mid-flight
//! and nothing is lost; SSRF targets are refused. On the embedded default and on Postgres + Kafka.

#![allow(clippy::unwrap_used)]

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use hmac::{Hmac, Mac};
use keel_tests::{spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Seen {
    /// Attempts per `webhook-id`.
    attempts: HashMap<String, u32>,
    /// Bodies of the attempts answered 2xx, by `webhook-id` (the last one).
    delivered: HashMap<String, Value>,
    bad_signatures: u32,
    /// How many of a request's signatures verified, per request, in order.
    valid_signatures: Vec<usize>,
}

#[derive(Clone)]
struct Receiver {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    secrets: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone, Copy)]
struct Behaviour {
    fail_first: u32,
    always_fail: bool,
    delay_ms: u64,
    /// Fails the first attempt of every k-th new id (0: none).
    fail_first_of_every: u32,
}

/// A Standard Webhooks check: a `whsec_` secret is base64; a client's own secret is its bytes.
fn verify(secret: &str, id: &str, ts: &str, body: &[u8], signature: &str) -> bool {
    let key = match secret.strip_prefix("whsec_") {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
        None => secret.as_bytes().to_vec(),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    signature.strip_prefix("v1,") == Some(expected.as_str())
}

async fn hook(
    req: HttpRequest,
    body: web::Bytes,
    r: web::Data<Receiver>,
    b: web::Data<Behaviour>,
) -> HttpResponse {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (id, ts, sigs) = (
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    );
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let secrets = r.secrets.lock().unwrap().clone();
    let valid = sigs
        .split(' ')
        .filter(|s| secrets.iter().any(|k| verify(k, &id, &ts, &body, s)))
        .count();
    if b.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(b.delay_ms)).await;
    }
    let mut seen = r.seen.lock().unwrap();
    if valid == 0 || !fresh || id.is_empty() {
        seen.bad_signatures += 1;
        return HttpResponse::Unauthorized().body("bad signature");
    }
    seen.valid_signatures.push(valid);
    let n = {
        let a = seen.attempts.entry(id.clone()).or_default();
        *a += 1;
        *a
    };
    let picked = b.fail_first_of_every > 0
        && n == 1
        && (seen.attempts.len() as u32).is_multiple_of(b.fail_first_of_every);
    if b.always_fail || n <= b.fail_first || picked {
        return HttpResponse::InternalServerError().body("try again");
    }
    seen.delivered
        .insert(id, serde_json::from_slice(&body).unwrap_or(Value::Null));
    HttpResponse::Ok().body("ok")
}

async fn start_receiver(b: Behaviour) -> Receiver {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let r = Receiver {
        port,
        seen: Default::default(),
        secrets: Default::default(),
    };
    let data = web::Data::new(r.clone());
    let behaviour = web::Data::new(b);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(behaviour.clone())
            .route("/hook", web::post().to(hook))
            .route(
                "/big",
                web::post().to(|| async { HttpResponse::Ok().body("x".repeat(3000)) }),
            )
            .route(
                "/redirect",
                web::post().to(move || async move {
                    HttpResponse::TemporaryRedirect()
                        .insert_header(("Location", format!("http://localhost:{port}/hook")))
                        .finish()
                }),
            )
    })
    .workers(2)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    r
}

async fn app(b: Backend, adjust: impl FnOnce(&mut keel_infra::config::Config)) -> TestApp {
    spawn_app_with(b, |c| {
        c.webhooks.enabled = true;
        c.webhooks.allow_private = true;
        c.webhooks.retry_schedule = "150ms,300ms,600ms".into();
        c.webhooks.timeout_ms = 2_000;
        adjust(c);
    })
    .await
}

async fn create_hook(app: &TestApp, ws: &str, url: &str, events: &[&str]) -> (String, String) {
    let r = app
        .post("/api/v1/webhooks")
        .workspace(ws)
        .json(json!({"url": url, "events": events, "description": "test receiver"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let d = &r.body["data"];
    let secret = d["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(d["secret_hint"], json!(secret[..10]));
    (d["id"].as_str().unwrap().to_string(), secret)
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    // Long enough for a killed dispatcher's leases to run out (16 s in the crash test).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !f() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn signed_retried_counted(b: Backend) {
    let rx = start_receiver(Behaviour {
        fail_first: 2,
        always_fail: false,
        delay_ms: 0,
        fail_first_of_every: 0,
    })
    .await;
    let app = app(b, |_| {}).await;
    let ws = app.create_workspace("Hooks", "pro").await;
    let url = format!("http://127.0.0.1:{}/hook", rx.port);
    let (id, secret) = create_hook(&app, &ws, &url, &["key.*"]).await;
    rx.secrets.lock().unwrap().push(secret.clone());

    // Three key events (delivered), one site event (not subscribed).
    let (key, _, _) = app.create_key(&ws, "k", &["keys:read"]).await;
    let r = app
        .post(&format!("/api/v1/keys/{key}/rotate"))
        .workspace(&ws)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .delete(&format!("/api/v1/keys/{key}"))
        .workspace(&ws)
        .send()
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    until("three deliveries", || {
        rx.seen.lock().unwrap().delivered.len() == 3
    })
    .await;
    {
        let seen = rx.seen.lock().unwrap();
        assert_eq!(seen.bad_signatures, 0);
        // Two failures, then success, each time under the same webhook-id.
        assert!(
            seen.attempts.values().all(|n| *n == 3),
            "{:?}",
            seen.attempts
        );
        let mut types: Vec<&str> = seen
            .delivered
            .values()
            .map(|v| v["type"].as_str().unwrap())
            .collect();
        types.sort();
        assert_eq!(types, ["key.created", "key.revoked", "key.rotated"]);
        for v in seen.delivered.values() {
            assert_eq!(v["data"]["workspace_id"], json!(ws));
            assert_eq!(v["data"]["data"]["key_id"], json!(key));
            assert!(v["data"]["data"].get("key_hash").is_none(), "{v}");
            assert!(v["timestamp"].is_string());
        }
    }

    // The counters and the delivery log agree.
    let w = app
        .eventually(&format!("/api/v1/webhooks/{id}"), Some(&ws), |r| {
            r.body["data"]["success_count"] == json!(3)
        })
        .await;
    let d = &w.body["data"];
    assert_eq!(
        (
            d["success_count"].clone(),
            d["failure_count"].clone(),
            d["consecutive_failures"].clone()
        ),
        (json!(3), json!(6), json!(0)),
        "{w:?}"
    );
    assert!(d["last_delivery_at"].is_string() && d["is_active"] == json!(true));
    assert!(d.get("secret").is_none(), "the secret is shown once");
    let list = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries?status=success"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(list.body["meta"]["total_count"], json!(3), "{list:?}");
    for d in list.body["data"].as_array().unwrap() {
        assert_eq!(
            (d["attempt"].clone(), d["response_status"].clone()),
            (json!(3), json!(200))
        );
        assert!(d["delivered_at"].is_string() && d["next_retry_at"].is_null());
        assert!(rx
            .seen
            .lock()
            .unwrap()
            .attempts
            .contains_key(d["id"].as_str().unwrap()));
    }
    let none = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(none.body["meta"]["total_count"], json!(0));
    let bad = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries?status=lost"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let first = list.body["data"][0]["id"].as_str().unwrap().to_string();
    let again = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/{first}/retry"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::BAD_REQUEST, "cannot_retry"),
        "{again:?}"
    );
    let unknown = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/msg_nope/retry"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // A rotation: until the previous secret expires, both sign.
    let r = app
        .post(&format!("/api/v1/webhooks/{id}/rotate-secret"))
        .workspace(&ws)
        .json(json!({"previous_valid_for_seconds": 3600}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let new_secret = r.body["data"]["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    assert_eq!(r.body["data"]["secret_version"], json!(2));
    rx.secrets.lock().unwrap().push(new_secret.clone());
    let before = rx.seen.lock().unwrap().valid_signatures.len();
    app.create_key(&ws, "k2", &["keys:read"]).await;
    until("the delivery after the rotation", || {
        rx.seen.lock().unwrap().delivered.len() == 4
    })
    .await;
    assert!(
        rx.seen.lock().unwrap().valid_signatures[before..]
            .iter()
            .all(|n| *n == 2),
        "both the old and the new secret sign during the grace period"
    );

    // The test message: sent now, answered, body truncated to 1 KiB.
    let t = app
        .post(&format!("/api/v1/webhooks/{id}/test"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(t.status, StatusCode::OK, "{t:?}");
    assert!(t.body["data"]["response_time_ms"].is_i64());
    let r = app
        .patch(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .json(json!({"url": format!("http://127.0.0.1:{}/big", rx.port)}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let t = app
        .post(&format!("/api/v1/webhooks/{id}/test"))
        .workspace(&ws)
        .send()
        .await;
    let d = &t.body["data"];
    assert_eq!(
        (d["success"].clone(), d["status_code"].clone()),
        (json!(true), json!(200)),
        "{t:?}"
    );
    assert_eq!(d["response_body"].as_str().unwrap().len(), 1024);

    // Redirects to another host are not followed.
    app.patch(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .json(json!({"url": format!("http://127.0.0.1:{}/redirect", rx.port)}))
        .send()
        .await;
    let t = app
        .post(&format!("/api/v1/webhooks/{id}/test"))
        .workspace(&ws)
        .send()
        .await;
    let d = &t.body["data"];
    assert_eq!(
        (d["success"].clone(), d["status_code"].clone()),
        (json!(false), json!(307)),
        "{t:?}"
    );
    assert!(
        d["error"].as_str().unwrap().contains("another host"),
        "{t:?}"
    );

    // The listing, scopes and deletion.
    let l = app
        .eventually("/api/v1/webhooks", Some(&ws), |r| {
            r.body["data"][0]["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/redirect"))
        })
        .await;
    assert_eq!(l.body["meta"]["total_count"], json!(1), "{l:?}");
    let (_, reader, _) = app.create_key(&ws, "reader", &["webhooks:read"]).await;
    let r = app
        .post("/api/v1/webhooks")
        .token(&reader)
        .json(json!({"url": url, "events": ["*"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .delete(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(&format!(
            "/api/v1/webhooks/{id}?min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let secrets: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_secrets WHERE webhook_id = $1")
            .bind(&id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert_eq!(secrets, 0, "a deleted endpoint's secrets are destroyed");
}

/// core-api: a client may choose the signing secret; deliveries show `response_code`.
#[tokio::test]
async fn a_clients_own_secret_signs_its_deliveries() {
    let rx = start_receiver(Behaviour {
        fail_first: 0,
        always_fail: false,
        delay_ms: 0,
        fail_first_of_every: 0,
    })
    .await;
    let app = app(Backend::Embedded, |_| {}).await;
    let ws = app.create_workspace("Hooks", "pro").await;
    let url = format!("http://127.0.0.1:{}/hook", rx.port);
    let secret = "core-api-signing-secret-0123456789";
    for bad in ["too-short", "whsec_notbase64atall!!!!!!!!!!"] {
        let r = app
            .post("/api/v1/webhooks")
            .workspace(&ws)
            .json(json!({"url": url, "events": ["key.*"], "secret": bad}))
            .send()
            .await;
        assert_eq!(
            (r.status, &r.body["error"]["details"]["fields"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("secret")),
            "{r:?}"
        );
    }
    let r = app
        .post("/api/v1/webhooks")
        .workspace(&ws)
        .json(json!({"url": url, "events": ["key.*"], "secret": secret}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["secret"], secret, "shown once, as given");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    rx.secrets.lock().unwrap().push(secret.to_string());
    let r = app
        .patch(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .json(json!({"secret": "another-secret-that-is-long-enough"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    app.create_key(&ws, "k", &["keys:read"]).await;
    until("a delivery", || {
        rx.seen.lock().unwrap().delivered.len() == 1
    })
    .await;
    assert_eq!(rx.seen.lock().unwrap().bad_signatures, 0);
    let list = app
        .eventually(
            &format!("/api/v1/webhooks/{id}/deliveries"),
            Some(&ws),
            |r| r.body["data"][0]["status"] == json!("success"),
        )
        .await;
    let d = &list.body["data"][0];
    assert_eq!(
        (&d["response_code"], &d["response_status"]),
        (&json!(200), &json!(200)),
        "{list:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_counted_embedded() {
    signed_retried_counted(Backend::Embedded).await;
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_counted_distributed() {
    signed_retried_counted(Backend::Distributed).await;
}

async fn failing_endpoint_is_disabled(b: Backend) {
    let rx = start_receiver(Behaviour {
        fail_first: 0,
        always_fail: true,
        delay_ms: 0,
        fail_first_of_every: 0,
    })
    .await;
    let app = app(b, |c| {
        c.webhooks.retry_schedule = "100ms".into();
        c.webhooks.disable_after = 4;
        c.webhooks.disable_after_secs = 0;
    })
    .await;
    let ws = app.create_workspace("Down", "pro").await;
    let url = format!("http://127.0.0.1:{}/hook", rx.port);
    let (id, secret) = create_hook(&app, &ws, &url, &["site.*"]).await;
    rx.secrets.lock().unwrap().push(secret);
    for i in 0..3 {
        let r = app
            .post("/api/v1/sites")
            .workspace(&ws)
            .json(json!({"name": format!("S{i}"), "domain": format!("s{i}.example.com")}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let w = app
        .eventually(&format!("/api/v1/webhooks/{id}"), Some(&ws), |r| {
            r.body["data"]["status"] == json!("disabled")
        })
        .await;
    assert_eq!(w.body["data"]["is_active"], json!(false), "{w:?}");
    assert!(
        w.body["data"]["consecutive_failures"].as_i64().unwrap() >= 4,
        "{w:?}"
    );
    assert!(w.body["data"]["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("consecutive failed deliveries"));
    // Recorded as an event, by the system.
    let audit = app
        .eventually(
            "/api/v1/audit/events?event_type=webhook.disabled",
            Some(&ws),
            |r| {
                r.body["meta"]["pending"] == json!(0)
                    && r.body["data"].as_array().is_some_and(|a| !a.is_empty())
            },
        )
        .await;
    assert_eq!(audit.body["data"][0]["actor"], json!("system"), "{audit:?}");
    // Every delivery ends failed (retries exhausted, or the endpoint is off); a retry waits for
    // the endpoint to be enabled again.
    let failed = app
        .eventually(
            &format!("/api/v1/webhooks/{id}/deliveries?status=failed"),
            Some(&ws),
            |r| r.body["meta"]["total_count"] == json!(3),
        )
        .await;
    assert_eq!(failed.body["meta"]["total_count"], json!(3), "{failed:?}");
    let did = failed.body["data"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/{did}/retry"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = app
        .patch(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .json(json!({"is_active": true}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.body["data"]["status"].clone()),
        (StatusCode::OK, json!("active")),
        "{r:?}"
    );
    let before = rx
        .seen
        .lock()
        .unwrap()
        .attempts
        .get(&did)
        .copied()
        .unwrap_or(0);
    let r = app
        .post(&format!("/api/v1/webhooks/{id}/deliveries/{did}/retry"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    assert_eq!(
        r.body["data"]["id"],
        json!(did),
        "a retried delivery keeps its id"
    );
    until("the manual retry", || {
        rx.seen
            .lock()
            .unwrap()
            .attempts
            .get(&did)
            .copied()
            .unwrap_or(0)
            > before
    })
    .await;
}

#[tokio::test]
async fn a_failing_endpoint_is_disabled_embedded() {
    failing_endpoint_is_disabled(Backend::Embedded).await;
}

#[tokio::test]
async fn a_failing_endpoint_is_disabled_distributed() {
    failing_endpoint_is_disabled(Backend::Distributed).await;
}

#[tokio::test]
async fn private_and_unsafe_targets_are_refused() {
    let dns = keel_testkit::dns::DnsFixture::start(&["hooks-test.com"])
        .await
        .unwrap();
    dns.set("inside.hooks-test.com", "A", &["10.0.0.5"])
        .await
        .unwrap();
    dns.set("meta.hooks-test.com", "A", &["169.254.169.254"])
        .await
        .unwrap();
    dns.set("mixed.hooks-test.com", "A", &["93.184.216.34", "127.0.0.1"])
        .await
        .unwrap();
    dns.set("public.hooks-test.com", "A", &["93.184.216.34"])
        .await
        .unwrap();
    let addr = dns.addr.to_string();
    let app = spawn_app_with(Backend::Embedded, |c| {
        c.dns_servers = Some(addr);
    })
    .await;
    let ws = app.create_workspace("Guarded", "pro").await;
    for (url, want) in [
        ("http://hooks.example.com/x", "https"),
        ("https://127.0.0.1/x", "loopback"),
        ("https://10.1.2.3:8443/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "metadata"),
        ("https://[::1]/x", "loopback"),
        ("https://[::ffff:127.0.0.1]/x", "loopback"),
        ("https://localhost/x", "not a public name"),
        ("https://user:pass@public.hooks-test.com/x", "credentials"),
        ("https://inside.hooks-test.com/x", "private address"),
        ("https://meta.hooks-test.com/x", "metadata"),
        ("https://mixed.hooks-test.com/x", "loopback"),
        ("https://nowhere.hooks-test.com/x", "does not resolve"),
    ] {
        let r = app
            .post("/api/v1/webhooks")
            .workspace(&ws)
            .json(json!({"url": url, "events": ["*"]}))
            .send()
            .await;
        let msg = r.body["error"]["details"]["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {r:?}");
        assert!(msg.contains(want), "{url}: {msg}, wanted {want}");
    }
    let r = app
        .post("/api/v1/webhooks")
        .workspace(&ws)
        .json(json!({"url": "https://public.hooks-test.com/x", "events": ["nonsense.*"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let (id, _) = create_hook(
        &app,
        &ws,
        "https://public.hooks-test.com/x",
        &["domain.*", "key.rotated"],
    )
    .await;
    let r = app
        .patch(&format!("/api/v1/webhooks/{id}"))
        .workspace(&ws)
        .json(json!({"url": "https://inside.hooks-test.com/x"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // A name that resolved to a public address at creation and now leads inside is refused at
    // send time, before any connection.
    dns.set("public.hooks-test.com", "A", &["127.0.0.1"])
        .await
        .unwrap();
    let t = app
        .post(&format!("/api/v1/webhooks/{id}/test"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(t.body["data"]["success"], json!(false), "{t:?}");
    assert!(
        t.body["data"]["error"]
            .as_str()
            .unwrap()
            .contains("loopback"),
        "{t:?}"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_secrets")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "refused requests store nothing");
}

/// The dispatcher (a worker process) is killed while deliveries are in flight; a new one finishes
/// the work: every event arrives, under one id per event, and the log of deliveries is complete.
#[tokio::test]
async fn killing_the_dispatcher_mid_flight_loses_nothing() {
    let rx = start_receiver(Behaviour {
        fail_first: 0,
        always_fail: false,
        delay_ms: 150,
        fail_first_of_every: 0,
    })
    .await;
    let app = spawn_app_with(Backend::Distributed, |c| {
        c.webhooks.allow_private = true;
    })
    .await;
    let ws = app.create_workspace("Crash", "pro").await;
    let (hook, secret) = create_hook(
        &app,
        &ws,
        &format!("http://127.0.0.1:{}/hook", rx.port),
        &["site.*"],
    )
    .await;
    rx.secrets.lock().unwrap().push(secret);
    let sites = |from: usize, to: usize| {
        let app = &app;
        let ws = ws.clone();
        async move {
            for i in from..to {
                let r = app
                    .post("/api/v1/sites")
                    .workspace(&ws)
                    .json(json!({"name": format!("S{i}"), "domain": format!("s{i}.example.com")}))
                    .send()
                    .await;
                assert_eq!(r.status, StatusCode::CREATED);
            }
        }
    };
    sites(0, 40).await;
    let worker = |c: &keel_infra::config::Config| {
        let mut c = c.clone();
        c.webhooks.enabled = true;
        c.webhooks.concurrency = 4;
        c.webhooks.timeout_ms = 1_000;
        c.webhooks.retry_schedule = "100ms,200ms".into();
        async move {
            keel_api::Application::build(c, keel_api::Role::Worker)
                .await
                .unwrap()
                .spawn()
        }
    };
    let first = worker(&app.config).await;
    until("some deliveries", || {
        rx.seen.lock().unwrap().delivered.len() >= 8
    })
    .await;
    first.kill();
    let at_kill = rx.seen.lock().unwrap().delivered.len();
    assert!(at_kill < 40, "the kill came too late to test anything");
    sites(40, 60).await;
    let second = worker(&app.config).await;
    until("all 60 deliveries", || {
        rx.seen.lock().unwrap().delivered.len() == 60
    })
    .await;

    {
        let seen = rx.seen.lock().unwrap();
        let mut events: Vec<&str> = seen
            .delivered
            .values()
            .map(|v| v["data"]["event_id"].as_str().unwrap())
            .collect();
        events.sort();
        events.dedup();
        assert_eq!(events.len(), 60, "one delivery id per event");
        // Only attempts in flight at the kill (4, the concurrency) or answered but not yet
        // recorded (the recorder's queue of 16 and the batch it was writing, at most 16) are
        // sent again; in practice a handful.
        let resent: u32 = seen.attempts.values().map(|n| n - 1).sum();
        assert!(resent <= 4 + 16 + 16, "{resent} attempts repeated");
        assert_eq!(seen.bad_signatures, 0);
    }
    let all = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries?limit=100"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(all.body["meta"]["total_count"], json!(60), "{all:?}");
    assert!(all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == json!("success")));
    second.stop().await;
}

/// Most first attempts succeed and stay in their runs; every third fails once and becomes a row
/// of its own. The listing merges both, newest event first, with exact totals and stable pages;
/// every delivery can be read and retried by its id. Past the retention, finished deliveries go.
async fn listings_merge_runs_and_retries(backend: Backend) {
    let rx = start_receiver(Behaviour {
        fail_first: 0,
        always_fail: false,
        delay_ms: 0,
        fail_first_of_every: 3,
    })
    .await;
    let app = app(backend, |_| {}).await;
    let ws = app.create_workspace("Merge", "pro").await;
    let (hook, secret) = create_hook(
        &app,
        &ws,
        &format!("http://127.0.0.1:{}/hook", rx.port),
        &["site.*"],
    )
    .await;
    rx.secrets.lock().unwrap().push(secret);
    for i in 0..25 {
        let r = app
            .post("/api/v1/sites")
            .workspace(&ws)
            .json(json!({"name": format!("M{i}"), "domain": format!("m{i}.example.com")}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    until("25 deliveries", || {
        rx.seen.lock().unwrap().delivered.len() == 25
    })
    .await;
    let list = |q: String| {
        let (app, ws, hook) = (&app, ws.clone(), hook.clone());
        async move {
            app.get(&format!("/api/v1/webhooks/{hook}/deliveries?{q}"))
                .workspace(&ws)
                .send()
                .await
        }
    };
    // Outcomes are recorded a moment after the receiver answers.
    let mut full = list("limit=100".into()).await;
    for _ in 0..100 {
        let done = full.body["data"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["status"] == json!("success")));
        if done && full.body["meta"]["total_count"] == json!(25) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        full = list("limit=100".into()).await;
    }
    let data = full.body["data"].as_array().unwrap().clone();
    assert_eq!(
        (data.len(), full.body["meta"]["total_count"].clone()),
        (25, json!(25)),
        "{full:?}"
    );
    let attempts = rx.seen.lock().unwrap().attempts.clone();
    let mut retried = 0;
    for d in &data {
        assert_eq!(d["status"], json!("success"), "{d}");
        let id = d["id"].as_str().unwrap();
        assert_eq!(d["attempt"], json!(attempts[id]), "{d}");
        retried += usize::from(attempts[id] == 2);
    }
    assert_eq!(retried, 8, "every third id failed once");
    // Newest first: event ids (UUIDv7, appended one after another) descend.
    let events: Vec<&str> = data
        .iter()
        .map(|d| d["event_id"].as_str().unwrap())
        .collect();
    assert!(events.windows(2).all(|w| w[0] > w[1]), "{events:?}");
    // Pages of 4 put together are the whole list.
    let mut paged = Vec::new();
    for offset in (0..28).step_by(4) {
        let p = list(format!("limit=4&offset={offset}")).await;
        assert_eq!(p.body["meta"]["total_count"], json!(25));
        paged.extend(
            p.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].clone()),
        );
    }
    let ids: Vec<Value> = data.iter().map(|d| d["id"].clone()).collect();
    assert_eq!(paged, ids);
    for (status, n) in [
        ("success", 25),
        ("retrying", 0),
        ("pending", 0),
        ("failed", 0),
    ] {
        let p = list(format!("status={status}")).await;
        assert_eq!(p.body["meta"]["total_count"], json!(n), "{status}: {p:?}");
    }
    // Each delivery by its id, whichever table holds it; none can be retried (all succeeded).
    for d in &data {
        let id = d["id"].as_str().unwrap();
        let one = app
            .get(&format!("/api/v1/webhooks/{hook}/deliveries/{id}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(one.body["data"], *d, "{one:?}");
        let again = app
            .post(&format!("/api/v1/webhooks/{hook}/deliveries/{id}/retry"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(again.code(), "cannot_retry", "{again:?}");
    }
    let unknown = app
        .get(&format!(
            "/api/v1/webhooks/{hook}/deliveries/msg_{}",
            uuid::Uuid::new_v4().simple()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let w = app
        .eventually(&format!("/api/v1/webhooks/{hook}"), Some(&ws), |r| {
            r.body["data"]["success_count"] == json!(25)
        })
        .await;
    assert_eq!(
        (
            w.body["data"]["success_count"].clone(),
            w.body["data"]["failure_count"].clone()
        ),
        (json!(25), json!(8)),
        "{w:?}"
    );

    // Retention: deliveries finished longer ago than it are deleted. One still to be retried
    // stays, whatever its age, and so does a recent one; the counters keep counting.
    let pool = &app.db().pool;
    let row = data
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .find(|id| attempts[id] == 2)
        .unwrap();
    let long_ago = "2020-01-01T00:00:00.000000Z";
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = '2999-01-01T00:00:00.000000Z' \
         WHERE delivery_id = $1",
    )
    .bind(&row)
    .execute(pool)
    .await
    .unwrap();
    for table in ["webhook_runs", "webhook_deliveries"] {
        sqlx::query(&format!(
            "UPDATE {table} SET updated_at = $1 WHERE webhook_id = $2"
        ))
        .bind(long_ago)
        .bind(&hook)
        .execute(pool)
        .await
        .unwrap();
    }
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Recent", "domain": "recent.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let recent = app
        .eventually(&format!("/api/v1/webhooks/{hook}"), Some(&ws), |r| {
            r.body["data"]["success_count"] == json!(26)
        })
        .await;
    assert_eq!(
        recent.body["data"]["success_count"],
        json!(26),
        "{recent:?}"
    );
    let (runs, rows) = keel_infra::webhooks::purge_finished(
        &app.db(),
        chrono::Utc::now() - chrono::Duration::days(30),
    )
    .await
    .unwrap();
    assert!(runs >= 1, "{runs} runs deleted");
    assert_eq!(rows, 7, "the retried deliveries but the one still retrying");
    let left = list("limit=100".into()).await;
    let left_ids: Vec<&str> = left.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(left.body["meta"]["total_count"], json!(2), "{left:?}");
    assert!(left_ids.contains(&row.as_str()), "{left:?}");
    let gone = data
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .find(|id| *id != row)
        .unwrap();
    let one = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries/{gone}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(one.status, StatusCode::NOT_FOUND, "{one:?}");
    let w = app
        .get(&format!("/api/v1/webhooks/{hook}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (
            w.body["data"]["success_count"].clone(),
            w.body["data"]["failure_count"].clone()
        ),
        (json!(26), json!(8)),
        "{w:?}"
    );
}

#[tokio::test]
async fn listings_merge_runs_and_retries_embedded() {
    listings_merge_runs_and_retries(Backend::Embedded).await;
}

#[tokio::test]
async fn listings_merge_runs_and_retries_distributed() {
    listings_merge_runs_and_retries(Backend::Distributed).await;
}
