//! Access control at the edge, end to end over HTTP, on the embedded default and on Postgres +
//! Kafka: tenancy on every route, scopes, rate limits, quotas, idempotency, hardening.

#![allow(clippy::unwrap_used)]

use keel_api::access::{Access, ROUTES};
use keel_tests::{spawn_app, spawn_app_with, Backend, Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ALL: &[&str] = &[
    "keys:read",
    "keys:write",
    "workspaces:read",
    "workspaces:write",
    "sites:read",
    "sites:write",
    "events:write",
    "analytics:read",
    "analytics:write",
    "audit:read",
    "usage:read",
    "usage:write",
    "domains:read",
    "domains:write",
    "exports:read",
    "exports:write",
    "webhooks:read",
    "webhooks:write",
    "members:read",
    "members:write",
    "alerts:read",
    "alerts:write",
    "tracking_checker:read",
    "tracking_checker:write",
    "seo:read",
    "seo:write",
    "mcp:read",
    "mcp:write",
    "integrations:read",
    "integrations:write",
    "metrics:write",
];

fn num(r: &Resp, h: &str) -> u64 {
    r.header(h)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{h} missing: {r:?}"))
}

async fn another_workspaces_ids_are_404_on_every_route_and_nothing_changes(b: Backend) {
    // Private webhook targets allowed: B's endpoint needs no DNS. B's Stripe is localstripe.
    let stripe = keel_tests::stripe::LocalStripe::start().await;
    let stripe_url = stripe.url.clone();
    let app = spawn_app_with(b, move |c| {
        c.webhooks.allow_private = true;
        c.stripe_api_url = stripe_url;
        c.stripe_sync_interval_secs = 0;
    })
    .await;
    let a = app.create_workspace("A", "pro").await;
    let other = app.create_workspace("B", "pro").await;
    let (_, key_a, _) = app.create_key(&a, "a", ALL).await;
    let (id_b, key_b, _) = app.create_key(&other, "b", ALL).await;
    let site_b = app
        .post("/api/v1/sites")
        .workspace(&other)
        .json(json!({"name": "B's shop", "domain": "b.example.com"}))
        .send()
        .await;
    assert_eq!(site_b.status, StatusCode::CREATED, "{site_b:?}");
    let pos = site_b.position();
    let site_b = site_b.body["data"]["id"].as_str().unwrap().to_string();
    let integration_b = app
        .post("/api/v1/integrations")
        .workspace(&other)
        .json(json!({"type": "stripe", "site_id": site_b, "api_key": keel_tests::stripe::KEY}))
        .send()
        .await;
    assert_eq!(
        integration_b.status,
        StatusCode::CREATED,
        "{integration_b:?}"
    );
    let integration_b = integration_b.body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let paid = app
        .post("/api/v1/payments")
        .workspace(&other)
        .json(
            json!({"site_id": site_b, "amount": 100, "currency": "USD", "transaction_id": "tx_b"}),
        )
        .send()
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{paid:?}");
    let dash_b = app
        .post("/api/v1/dashboards")
        .workspace(&other)
        .json(json!({"name": "B's board", "widgets": [{"site_id": site_b, "metric": "visitors", "interval": "day", "period": "7d"}]}))
        .send()
        .await;
    assert_eq!(dash_b.status, StatusCode::CREATED, "{dash_b:?}");
    let dash_b = dash_b.body["data"]["id"].as_str().unwrap().to_string();
    let domains_b = app
        .post("/api/v1/domains")
        .workspace(&other)
        .json(json!({"domains": ["b.example.com"]}))
        .send()
        .await;
    assert_eq!(domains_b.status, StatusCode::CREATED, "{domains_b:?}");
    let folder_b = app
        .post("/api/v1/folders")
        .workspace(&other)
        .json(json!({"name": "B's folder"}))
        .send()
        .await;
    let folder_b = folder_b.body["data"]["id"].as_str().unwrap().to_string();
    let pos = domains_b.position().max(pos);
    let listed = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&other)
        .send()
        .await;
    let domain_b = listed.body["data"][0]["id"].as_str().unwrap().to_string();
    let export_b = app
        .post("/api/v1/exports")
        .workspace(&other)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(export_b.status, StatusCode::ACCEPTED, "{export_b:?}");
    let export_b = export_b.body["data"]["task_id"]
        .as_str()
        .unwrap()
        .to_string();
    let hook_b = app
        .post("/api/v1/webhooks")
        .workspace(&other)
        .json(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
        .send()
        .await;
    assert_eq!(hook_b.status, StatusCode::CREATED, "{hook_b:?}");
    let hook_b = hook_b.body["data"]["id"].as_str().unwrap().to_string();
    let alert_b = app
        .post("/api/v1/alerts")
        .workspace(&other)
        .json(
            json!({"name": "B's alert", "condition": {"type": "webhook_disabled"},
            "channels": [{"type": "webhook", "webhook_id": hook_b}]}),
        )
        .send()
        .await;
    assert_eq!(alert_b.status, StatusCode::CREATED, "{alert_b:?}");
    let alert_b = alert_b.body["data"]["id"].as_str().unwrap().to_string();
    // B's team: a member who accepted an invitation, and an invitation still pending.
    let invited = app
        .post("/api/v1/invitations")
        .workspace(&other)
        .json(json!({"email": "bea@example.com", "role": "viewer"}))
        .send()
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{invited:?}");
    let link = invited.body["data"]["invite_url"].as_str().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let joined = app
        .post("/api/v1/invitations/accept")
        .no_token()
        .json(json!({"token": token, "name": "Bea", "password": "correct horse battery"}))
        .send()
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{joined:?}");
    let member_b = joined.body["data"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pending = app
        .post("/api/v1/invitations")
        .workspace(&other)
        .json(json!({"email": "bo@example.com", "role": "viewer"}))
        .send()
        .await;
    let invitation_b = pending.body["data"]["id"].as_str().unwrap().to_string();
    // B's Tracking Checker scan and SEO report.
    let scan_b = app
        .post("/api/v1/tracking-checker/scan")
        .workspace(&other)
        .header("Prefer", "respond-async")
        .json(json!({"url": "https://example.com/", "pagespeed": false}))
        .send()
        .await;
    assert!(scan_b.status.is_success(), "{scan_b:?}");
    let scan_b = scan_b.body["data"]["id"].as_str().unwrap().to_string();
    let report_b = app
        .post("/api/v1/seo/report")
        .workspace(&other)
        .json(json!({"url": "https://example.com/", "issues": [{"type": "missing_h1", "severity": "warning"}]}))
        .send()
        .await;
    assert_eq!(report_b.status, StatusCode::CREATED, "{report_b:?}");
    let issue_b = report_b.body["data"]["opened"][0]
        .as_str()
        .unwrap()
        .to_string();
    let report_b = report_b.body["data"]["id"].as_str().unwrap().to_string();
    let before = app
        .get(&format!("/api/v1/keys/{id_b}/history?min_position={pos}"))
        .workspace(&other)
        .send()
        .await;
    let mut tried = 0;
    for rule in ROUTES.iter().filter(|r| r.path.contains('{')) {
        if rule.path.starts_with("/api/v1/entitlements/")
            || rule.path.starts_with("/api/v1/admin/")
            || rule.path.starts_with("/api/v1/account-tokens/")
        {
            // Account tokens are a person's own (a key may not call those routes at all); the
            // people suite checks that one person cannot reach another's.
            // A feature name, not an id: the operator names the workspace in X-Workspace-ID.
            continue;
        }
        if rule.access == Access::Public {
            // No tenant's key reaches a public route: Stripe's signature is its credential
            // (the integrations suite refuses unsigned deliveries).
            continue;
        }
        let foreign = if rule.path.starts_with("/api/v1/payments/") {
            &format!("tx_b?site_id={site_b}")
        } else if rule.path.starts_with("/api/v1/dashboards/") {
            &dash_b
        } else if rule.path.starts_with("/api/v1/workspaces/") {
            &other
        } else if rule.path.starts_with("/api/v1/sites/") {
            &site_b
        } else if rule.path.starts_with("/api/v1/keys/")
            || rule.path.starts_with("/api/v1/api-keys/")
        {
            &id_b
        } else if rule.path.starts_with("/api/v1/domains/") {
            &domain_b
        } else if rule.path.starts_with("/api/v1/folders/") {
            &folder_b
        } else if rule.path.starts_with("/api/v1/exports/") {
            &export_b
        } else if rule.path.starts_with("/api/v1/webhooks/") {
            &hook_b
        } else if rule.path.starts_with("/api/v1/alerts/") {
            &alert_b
        } else if rule.path.starts_with("/api/v1/members/") {
            &member_b
        } else if rule.path.starts_with("/api/v1/invitations/") {
            &invitation_b
        } else if rule.path.starts_with("/api/v1/tracking-checker/") {
            &scan_b
        } else if rule.path.starts_with("/api/v1/seo/reports/") {
            &report_b
        } else if rule.path.starts_with("/api/v1/seo/issues/") {
            // B's workspace id, and B's issue under it.
            &issue_b
        } else if rule.path.starts_with("/api/v1/integrations/") {
            &integration_b
        } else if rule.path.starts_with("/api/v1/mcp/servers/") {
            // Keel's servers are everyone's; a name that is none is simply not found.
            "not-a-server"
        } else if rule.path.starts_with("/api/v1/mcp/resources/") {
            // B's domain, as a resource.
            &format!("keel%3A%2F%2Fdomains%2F{domain_b}")
        } else {
            panic!(
                "{}: which foreign id goes here? Add it to this test.",
                rule.path
            )
        };
        let path = rule
            .path
            .replace("{id}", foreign)
            .replace("{user_id}", foreign)
            .replace("{transaction_id}", foreign)
            .replace("{visitor_id}", "someone")
            .replace("{delivery_id}", "msg_x")
            .replace("{workspace_id}", &other)
            .replace("{uri:.*}", foreign);
        let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
        let mut call = app.call(method.clone(), &path).token(&key_a);
        if method == Method::POST || method == Method::PATCH {
            call = call.json(json!({ "name": "pwned" }));
            if rule.path.ends_with("/rotate") {
                call = call.json(json!({}));
            }
        }
        let r = call.send().await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{} {}: {r:?}",
            rule.method,
            rule.path
        );
        tried += 1;
    }
    assert!(tried >= 10, "every route with an id was tried ({tried})");
    // The operator naming a workspace that does not exist is 404 too.
    let r = app
        .get("/api/v1/keys")
        .workspace(&uuid::Uuid::now_v7().to_string())
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    // Nothing of B changed: its key works, its history and name are as they were.
    let r = app.get("/api/v1/keys").token(&key_b).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let after = app
        .get(&format!("/api/v1/keys/{id_b}/history"))
        .workspace(&other)
        .send()
        .await;
    assert_eq!(before.body, after.body);
    let d = app
        .get(&format!("/api/v1/domains/{domain_b}/history"))
        .workspace(&other)
        .send()
        .await;
    // Added, and counted in `domains`: nothing since.
    assert_eq!(d.body["data"].as_array().map(Vec::len), Some(2), "{d:?}");
    let f = app.get("/api/v1/folders").workspace(&other).send().await;
    assert_eq!(f.body["data"][0]["name"], "B's folder", "{f:?}");
    let r = app
        .delete(&format!("/api/v1/payments/tx_b?site_id={site_b}"))
        .workspace(&other)
        .send()
        .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "B's payment was still there: {r:?}"
    );
    let sb = app
        .get(&format!("/api/v1/sites/{site_b}?min_position={pos}"))
        .workspace(&other)
        .send()
        .await;
    assert_eq!(sb.body["data"]["name"], "B's shop", "{sb:?}");
    assert_eq!(sb.body["data"]["version"], 1);
    let sa = app.get("/api/v1/sites").token(&key_a).send().await;
    assert_eq!(sa.body["meta"]["total_count"], 0, "{sa:?}");
    let w = app
        .eventually(&format!("/api/v1/workspaces/{other}"), None, |r| {
            r.status == StatusCode::OK
        })
        .await;
    assert_eq!(w.body["data"]["name"], "B", "{w:?}");
    assert_eq!(w.body["data"]["status"], "active");
    // A's listing shows A alone.
    let list = app
        .get(&format!("/api/v1/workspaces?min_position={pos}"))
        .token(&key_a)
        .send()
        .await;
    assert_eq!(list.body["meta"]["total_count"], 1);
    assert_eq!(list.body["data"][0]["id"], a.as_str());
    app.stop().await;
}

async fn a_missing_scope_is_403_naming_it_and_the_index_says_who_calls(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "starter").await;
    let (_, reader, _) = app.create_key(&ws, "reader", &["keys:read"]).await;
    let r = app
        .post("/api/v1/keys")
        .token(&reader)
        .json(json!({"name": "x", "scopes": []}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    assert_eq!(r.body["error"]["details"]["required_scope"], "keys:write");
    assert!(r.header("X-RateLimit-Limit").is_some(), "{r:?}");
    let r = app
        .get(&format!("/api/v1/workspaces/{ws}"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(
        r.body["error"]["details"]["required_scope"],
        "workspaces:read"
    );
    let r = app
        .post("/api/v1/workspaces")
        .token(&reader)
        .json(json!({"name": "n"}))
        .send()
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));

    let me = app.get("/api/v1/").token(&reader).send().await;
    assert_eq!(me.status, StatusCode::OK, "{me:?}");
    let c = &me.body["data"]["caller"];
    assert_eq!(c["type"], "api_key");
    assert_eq!(c["workspace_id"], ws.as_str());
    assert_eq!(c["key_name"], "reader");
    assert!(c["prefix"].as_str().unwrap().starts_with("keel_live_"));
    assert_eq!(c["tier"], "starter");
    assert_eq!(c["rate_limit"]["requests_per_minute"], 1000);
    assert_eq!(c["rate_limit"]["burst"], 200);
    assert_eq!(c["quota"]["calls_per_day"], 100_000);
    assert_eq!(
        me.body["data"]["endpoints"]["POST /api/v1/keys"],
        "keys:write"
    );
    assert_eq!(me.body["data"]["api_version"], "v1");
    let anon = app.get("/api/v1").no_token().send().await;
    assert_eq!(anon.body["data"]["caller"], Value::Null);
    assert!(anon.header("X-RateLimit-Limit").is_none());
    // A key may not lift a new key above its workspace's plan; the operator may.
    let (_, writer, _) = app.create_key(&ws, "writer", &["keys:write"]).await;
    let r = app
        .post("/api/v1/keys")
        .token(&writer)
        .json(json!({"name": "fast", "scopes": ["keys:read"], "rate_limit_tier": "enterprise"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    assert_eq!(r.code(), "forbidden", "{r:?}");
    assert!(r.body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("rate-limit tier above the workspace's")));
    let r = app
        .post("/api/v1/keys")
        .token(&writer)
        .json(json!({"name": "slow", "scopes": ["keys:read"], "rate_limit_tier": "free"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.stop().await;
}

async fn malformed_unknown_revoked_and_test_keys(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, secret, _) = app.create_key(&ws, "ci", ALL).await;
    // One character changed: the checksum no longer matches.
    let mut typo = secret.clone().into_bytes();
    let last = typo.len() - 10;
    typo[last] = if typo[last] == b'x' { b'y' } else { b'x' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in [typo.as_str(), "keel_live_short", "Bearer", "sk_test_123"] {
        let r = app.get("/api/v1/keys").token(bad).send().await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "invalid_api_key"),
            "{bad}"
        );
        assert!(r.header("X-RateLimit-Limit").is_none());
        assert!(!r.body.to_string().contains(bad) || bad == "Bearer");
    }
    let r = app.get("/api/v1/keys").no_token().send().await;
    assert_eq!(r.code(), "missing_api_key");
    // The seeds' other schemes carry the same key; any other scheme is named, the key never.
    for scheme in ["Token", "ApiKey", "bearer"] {
        let r = app
            .get("/api/v1/keys")
            .no_token()
            .header("Authorization", &format!("{scheme} {secret}"))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}: {r:?}");
    }
    for header in [format!("Basic {secret}"), secret.clone()] {
        let r = app
            .get("/api/v1/keys")
            .no_token()
            .header("Authorization", &header)
            .send()
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNAUTHORIZED, "unsupported_auth_scheme"),
            "{r:?}"
        );
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("`Token <key>`") && !message.contains(&secret),
            "{message}"
        );
        // And once more at the top, where the seeds' clients look.
        assert_eq!(r.body["message"], message, "{r:?}");
    }
    let (id, test_key) = app
        .create_key_with(
            &ws,
            json!({"name": "t", "scopes": ["keys:read"], "environment": "test"}),
        )
        .await;
    assert!(test_key.starts_with("keel_test_"), "{test_key}");
    let r = app
        .eventually(&format!("/api/v1/keys/{id}"), Some(&ws), |r| {
            r.status == StatusCode::OK
        })
        .await;
    assert_eq!(r.body["data"]["environment"], "test", "{r:?}");
    let r = app.get("/api/v1/keys").token(&test_key).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // last_used_at is written in batches: it shows up within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = app
            .get(&format!("/api/v1/keys/{id}"))
            .workspace(&ws)
            .send()
            .await;
        if r.body["data"]["last_used_at"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "last_used_at never set: {r:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let r = app
        .delete(&format!("/api/v1/keys/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app.get("/api/v1/keys").token(&test_key).send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "key_revoked")
    );
    let (_, expiring) = app
        .create_key_with(
            &ws,
            json!({"name": "e", "scopes": ["keys:read"], "expires_at": (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339()}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let r = app.get("/api/v1/keys").token(&expiring).send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "key_expired")
    );
    app.stop().await;
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Calls `n` times at once with `key`; returns (status, X-RateLimit-Reset) of each answer.
async fn hammer(app: &TestApp, key: &str, n: usize) -> Vec<(StatusCode, u64)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let client = app.client.clone();
        let url = format!("{}/api/v1/", app.base);
        let key = key.to_string();
        tasks.push(tokio::spawn(async move {
            let r = client.get(&url).bearer_auth(&key).send().await.unwrap();
            let reset = r.headers()["X-RateLimit-Reset"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap();
            (r.status(), reset)
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Per window (its reset time): how many answers were 200 and how many 429.
fn per_window(answers: &[(StatusCode, u64)]) -> std::collections::BTreeMap<u64, (u64, u64)> {
    let mut m = std::collections::BTreeMap::new();
    for (status, reset) in answers {
        let e: &mut (u64, u64) = m.entry(*reset).or_default();
        match *status {
            StatusCode::OK => e.0 += 1,
            StatusCode::TOO_MANY_REQUESTS => e.1 += 1,
            s => panic!("unexpected {s}"),
        }
    }
    m
}

async fn rate_limit_headers_count_down_and_429_says_when_to_retry(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let (_, key, _) = app.create_key(&ws, "free", &["keys:read"]).await;
    let ok = app.get("/api/v1/keys").token(&key).send().await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    assert_eq!(num(&ok, "X-RateLimit-Limit"), 60);
    // The window is the current UTC minute; Reset is when it ends, as a Unix timestamp.
    let now = unix_now();
    let reset = num(&ok, "X-RateLimit-Reset");
    assert_eq!(reset % 60, 0, "a whole minute: {reset}");
    assert!(
        reset > now.saturating_sub(2) && reset <= now + 61,
        "{reset} vs {now}"
    );
    assert_eq!(num(&ok, "X-API-Quota-Limit"), 10_000);
    let quota_reset = num(&ok, "X-API-Quota-Reset");
    assert_eq!(quota_reset % 86_400, 0, "midnight UTC: {quota_reset}");
    assert!(quota_reset > now && quota_reset <= now + 86_400);
    let remaining = num(&ok, "X-RateLimit-Remaining");
    assert!(remaining <= 59, "{remaining}");
    let second = app.get("/api/v1/keys").token(&key).send().await;
    if num(&second, "X-RateLimit-Reset") == reset {
        assert_eq!(
            num(&second, "X-RateLimit-Remaining"),
            remaining - 1,
            "{second:?}"
        );
    }
    let used = num(&second, "X-API-Quota-Used");

    // A free key may spend its 60 requests at once; then it waits for the next minute. The
    // answers are grouped by window, since a minute may end while they are sent.
    let answers = hammer(&app, &key, 130).await;
    let windows = per_window(&answers);
    for (w, (ok, _)) in &windows {
        assert!(*ok <= 60, "window {w}: {ok} accepted");
    }
    let (&w, &(ok_in_w, limited_in_w)) = windows
        .iter()
        .find(|(_, (_, limited))| *limited > 0)
        .expect("some requests were refused");
    assert!(limited_in_w > 0);
    if w == reset {
        assert_eq!(
            ok_in_w,
            60 - 2,
            "the two calls before spent 2 of this window"
        );
    } else {
        assert_eq!(ok_in_w, 60, "a later window: all 60 for the hammer");
    }
    let limited = app.get("/api/v1/keys").token(&key).send().await;
    if limited.status == StatusCode::TOO_MANY_REQUESTS {
        assert_eq!(limited.code(), "rate_limited", "{limited:?}");
        let reset = num(&limited, "X-RateLimit-Reset");
        let retry = num(&limited, "Retry-After");
        // Dashtray's sample: wait = reset * 1000 - Date.now(), small and not negative.
        let wait = reset as i64 - unix_now() as i64;
        assert!((0..=60).contains(&wait), "{wait}");
        assert!(
            (1..=61).contains(&retry) && (retry as i64 - wait).abs() <= 2,
            "{retry} vs {wait}"
        );
        assert_eq!(num(&limited, "X-RateLimit-Remaining"), 0);
        let d = &limited.body["error"]["details"];
        assert_eq!(
            (
                d["limit"].as_u64(),
                d["remaining"].as_u64(),
                d["reset"].as_u64()
            ),
            (Some(60), Some(0), Some(reset))
        );
        // core-api's and DataFast's clients read the figures at the top.
        assert_eq!(limited.body["limit"], 60);
        assert_eq!(limited.body["remaining"], 0);
        assert_eq!(limited.body["reset"], reset);
        assert_eq!(limited.body["retry_after"], retry);
        assert!(limited.body["reset_at"]
            .as_str()
            .is_some_and(|t| t.ends_with(":00Z")));
        assert!(limited.body["error"]["request_id"].is_string());
        assert!(limited.body["message"]
            .as_str()
            .unwrap()
            .contains("60 requests per minute"));
    }
    let mut accepted: u64 = windows.values().map(|(ok, _)| ok).sum();
    if limited.status == StatusCode::OK {
        accepted += 1; // a new minute began before it
    }
    let me = app.get("/api/v1/").token(&key).send().await;
    if me.status == StatusCode::OK {
        assert_eq!(
            num(&me, "X-API-Quota-Used"),
            used + accepted + 1,
            "refused calls are not counted"
        );
    }

    // Burst is extra allowance in the window: a starter key (1,000 a minute, burst 200) is
    // granted at most 1,200 per window, and all of 300 sent at once.
    let (_, fast) = app
        .create_key_with(
            &ws,
            json!({"name": "fast", "scopes": ["keys:read"], "rate_limit_tier": "starter"}),
        )
        .await;
    let answers = hammer(&app, &fast, 300).await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{:?}",
        per_window(&answers)
    );
    app.stop().await;
}

async fn past_the_daily_quota_calls_get_429_quota_exceeded(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let (_, key) = app
        .create_key_with(
            &ws,
            json!({"name": "k", "scopes": ["keys:read"], "rate_limit_tier": "enterprise"}),
        )
        .await;
    // 9,999 of the free tier's 10,000 calls were made earlier today.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    sqlx::query("INSERT INTO api_quota_usage (workspace_id, day, used) VALUES ($1, $2, 9999)")
        .bind(&ws)
        .bind(&today)
        .execute(&app.db().pool)
        .await
        .unwrap();
    let last = app.get("/api/v1/keys").token(&key).send().await;
    assert_eq!(last.status, StatusCode::OK, "{last:?}");
    assert_eq!(num(&last, "X-API-Quota-Used"), 10_000);
    let over = app.get("/api/v1/keys").token(&key).send().await;
    assert_eq!(
        (over.status, over.code()),
        (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"),
        "{over:?}"
    );
    let retry = num(&over, "Retry-After");
    assert!((1..=86_400).contains(&retry), "{retry}");
    assert_eq!(over.body["error"]["details"]["limit"], 10_000);
    // The operator is not bound by a workspace's quota.
    let r = app.get("/api/v1/keys").workspace(&ws).send().await;
    assert_eq!(r.status, StatusCode::OK);
    // The count is written back: a restart would start from it.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let used: i64 = sqlx::query_scalar::<_, i64>(
            "SELECT used FROM api_quota_usage WHERE workspace_id = $1 AND day = $2",
        )
        .bind(&ws)
        .bind(&today)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        if used == 10_000 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "quota count never flushed: {used}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.stop().await;
}

async fn count_keys(app: &TestApp, ws: &str) -> i64 {
    let r = app
        .get(&format!(
            "/api/v1/keys/?limit=1000&min_position={}",
            i64::MAX / 2
        ))
        .workspace(ws)
        .send()
        .await;
    let _ = r;
    // The inline registry is always current, whatever the read models' lag.
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM auth_keys WHERE workspace_id = $1")
        .bind(ws)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn idempotent_writes_make_one_effect_and_replay_verbatim(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, key, _) = app.create_key(&ws, "ci", ALL).await;
    let body = json!({"name": "made once", "scopes": ["keys:read"]});
    let first = app
        .post("/api/v1/keys")
        .token(&key)
        .header("Idempotency-Key", "create-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert!(first.header("Idempotent-Replayed").is_none());
    for _ in 0..5 {
        let again = app
            .post("/api/v1/keys")
            .token(&key)
            .header("Idempotency-Key", "create-1")
            .json(body.clone())
            .send()
            .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.header("Idempotent-Replayed").as_deref(), Some("true"));
        assert_eq!(again.body, first.body, "replayed verbatim, secret included");
        assert_eq!(
            again.header("X-Keel-Position"),
            first.header("X-Keel-Position")
        );
        assert_eq!(again.header("ETag"), first.header("ETag"));
        assert_ne!(again.header("X-Request-ID"), first.header("X-Request-ID"));
        assert!(again.header("X-RateLimit-Remaining").is_some());
    }
    // PUT too (core-api covers it): an entitlement set twice under one key is set once.
    let put = |limit: i64| {
        app.call(reqwest::Method::PUT, "/api/v1/entitlements/jobs")
            .workspace(&ws)
            .header("Idempotency-Key", "put-1")
            .json(json!({"type": "metered", "limit": limit, "period": "month"}))
    };
    let first_put = put(10).send().await;
    assert_eq!(first_put.status, StatusCode::OK, "{first_put:?}");
    let again = put(10).send().await;
    assert_eq!(
        again.header("Idempotent-Replayed").as_deref(),
        Some("true"),
        "{again:?}"
    );
    assert_eq!(again.body, first_put.body);
    let other = put(20).send().await;
    assert_eq!(other.code(), "idempotency_key_reused", "{other:?}");
    assert_eq!(count_keys(&app, &ws).await, 2);

    // Many at once with a fresh key: one runs, the rest replay it or hear it is in flight.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/keys", app.base);
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(&url)
                .bearer_auth(&key)
                .header("Idempotency-Key", "create-2")
                .json(&json!({"name": "made once too", "scopes": ["keys:read"]}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let replayed = r.headers().contains_key("Idempotent-Replayed");
            let v: Value = r.json().await.unwrap();
            (status, replayed, v)
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let (status, replayed, v) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created.push((replayed, v)),
            StatusCode::CONFLICT => assert_eq!(v["error"]["code"], "idempotency_key_in_use"),
            s => panic!("unexpected {s}: {v}"),
        }
    }
    assert_eq!(
        created.iter().filter(|(r, _)| !r).count(),
        1,
        "one execution"
    );
    assert!(created.windows(2).all(|w| w[0].1 == w[1].1));
    assert_eq!(count_keys(&app, &ws).await, 3);

    // The same key with another body, path or method is refused.
    let r = app
        .post("/api/v1/keys")
        .token(&key)
        .header("Idempotency-Key", "create-1")
        .json(json!({"name": "something else", "scopes": ["keys:read"]}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
        "{r:?}"
    );
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .token(&key)
        .header("Idempotency-Key", "create-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.code(), "idempotency_key_reused");
    // Keys are scoped per workspace: another workspace may use the same one.
    let other = app.create_workspace("Other", "pro").await;
    let r = app
        .post("/api/v1/keys")
        .workspace(&other)
        .header("Idempotency-Key", "create-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.header("Idempotent-Replayed").is_none());
    // Validation failures are results too, and replay as such; malformed keys are refused.
    let bad = json!({"name": "", "scopes": ["nope"]});
    for _ in 0..2 {
        let r = app
            .post("/api/v1/keys")
            .token(&key)
            .header("Idempotency-Key", "bad-1")
            .json(bad.clone())
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    }
    let r = app
        .post("/api/v1/keys")
        .token(&key)
        .header("Idempotency-Key", "k".repeat(256).as_str())
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    // Nothing stored holds the secret in clear.
    let secret = first.body["data"]["key"].as_str().unwrap();
    let rows: Vec<String> = sqlx::query_scalar::<_, String>(
        "SELECT COALESCE(response_body, '') FROM idempotency_records",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| !r.contains(secret)));
    app.stop().await;
}

async fn an_idempotency_key_in_flight_is_409_and_a_crashed_claim_lapses(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (key_id, key, _) = app.create_key(&ws, "ci", ALL).await;
    let body = json!({"name": "after a crash", "scopes": ["keys:read"]}).to_string();
    // A process claimed this key and died mid-request: its claim is in the table, running.
    let fp = keel_api::idempotency::fingerprint("POST", "/api/v1/keys?", b"", body.as_bytes());
    let hash = keel_api::idempotency::key_hash(&ws, "crash-1");
    let now = chrono::Utc::now();
    sqlx::query(
        "INSERT INTO idempotency_records (scope, key_hash, caller, fingerprint, state, owner, lease_until, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, 'running', 'dead-process', $5, $6, $7)",
    )
    .bind(&ws)
    .bind(&hash)
    .bind(format!("key:{key_id}"))
    .bind(&fp)
    .bind(keel_schemas::format_ts(now + chrono::Duration::seconds(60)))
    .bind(keel_schemas::format_ts(now))
    .bind(keel_schemas::format_ts(now + chrono::Duration::hours(24)))
    .execute(&app.db().pool)
    .await
    .unwrap();
    let send = || {
        app.post("/api/v1/keys")
            .token(&key)
            .header("Idempotency-Key", "crash-1")
            .raw(&body)
            .send()
    };
    let r = send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "idempotency_key_in_use"),
        "{r:?}"
    );
    assert!(r.header("Retry-After").is_some());
    // Its lease lapses: the next request runs, once.
    sqlx::query("UPDATE idempotency_records SET lease_until = $1 WHERE key_hash = $2")
        .bind(keel_schemas::format_ts(now - chrono::Duration::seconds(1)))
        .bind(&hash)
        .execute(&app.db().pool)
        .await
        .unwrap();
    let r = send().await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let again = send().await;
    assert_eq!(again.header("Idempotent-Replayed").as_deref(), Some("true"));
    assert_eq!(again.body, r.body);
    assert_eq!(count_keys(&app, &ws).await, 2);
    app.stop().await;
}

/// The first run of each write committed, but its answer never reached the client (the
/// database, the process or the connection died after the commit): the claim was released with
/// no response stored. The retry under the same key must answer what the first run would have,
/// the same ids and the same secret shown once, and the log must hold the write once.
async fn a_write_whose_answer_was_lost_is_answered_by_its_retry_not_run_twice(b: Backend) {
    let app = spawn_app_with(b, |c| c.webhooks.allow_private = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, key, _) = app.create_key(&ws, "ci", ALL).await;
    let (rotated_id, _, _) = app.create_key(&ws, "to rotate", &["keys:read"]).await;
    let writes: Vec<(&str, String, Option<&str>, Value)> = vec![
        (
            "operator",
            "/api/v1/workspaces".into(),
            None,
            json!({"name": "Lost answer", "slug": "lost-answer"}),
        ),
        (
            "operator",
            "/api/v1/workspaces".into(),
            None,
            json!({"name": "Lost answer"}),
        ),
        (
            &ws,
            "/api/v1/keys".into(),
            Some(&key),
            json!({"name": "shown once", "scopes": ["keys:read"]}),
        ),
        (
            &ws,
            format!("/api/v1/keys/{rotated_id}/rotate"),
            Some(&key),
            json!({}),
        ),
        (
            &ws,
            "/api/v1/webhooks".into(),
            Some(&key),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}),
        ),
        (
            &ws,
            "/api/v1/sites".into(),
            Some(&key),
            json!({"name": "Blog", "domain": "blog.example.com"}),
        ),
        (
            &ws,
            "/api/v1/domains".into(),
            Some(&key),
            json!({"domains": ["lost.example", "answer.example"]}),
        ),
    ];
    for (i, (scope, path, token, body)) in writes.into_iter().enumerate() {
        lost_then_retried(&app, scope, &path, token, &body, &format!("lost-{i}")).await;
    }
    // A webhook's secret rotated, its answer lost: the retry shows the secret the first run stored.
    let hook = app
        .post("/api/v1/webhooks")
        .token(&key)
        .json(json!({"url": "http://127.0.0.1:9/other", "events": ["*"]}))
        .send()
        .await;
    let hook_id = hook.body["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/webhooks/{hook_id}/rotate-secret");
    let (_, retry) = lost_then_retried(&app, &ws, &path, Some(&key), &json!({}), "lost-hook").await;
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT secret FROM webhook_secrets WHERE webhook_id = $1 ORDER BY version",
    )
    .bind(&hook_id)
    .fetch_all(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(stored.len(), 2, "one rotation: {stored:?}");
    assert_eq!(
        Some(stored[1].as_str()),
        retry.body["data"]["secret"].as_str()
    );
    // The retried rotation left its key working with the secret it showed, and nothing behind.
    let rotations: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE event_type = 'key.rotated' AND CAST(tenant_id AS TEXT) = $1",
    )
    .bind(&ws)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(rotations, 1);
    app.stop().await;
}

async fn lost_then_retried(
    app: &TestApp,
    scope: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
    idem: &str,
) -> (Resp, Resp) {
    let send = || {
        let c = app
            .post(path)
            .header("Idempotency-Key", idem)
            .json(body.clone());
        match token {
            Some(t) => c.token(t),
            None => c,
        }
        .send()
    };
    let log_before = log_size(app).await;
    let first = send().await;
    assert!(first.status.is_success(), "{path}: {first:?}");
    let log_after = log_size(app).await;
    assert!(log_after > log_before, "{path} wrote nothing");
    // The answer is lost: the claim released after a 5xx, nothing stored.
    let hash = keel_api::idempotency::key_hash(scope, idem);
    let lost = sqlx::query(
        "UPDATE idempotency_records SET state = 'released', response_status = NULL, \
         response_headers = NULL, response_body = NULL WHERE key_hash = $1 AND state = 'done'",
    )
    .bind(&hash)
    .execute(&app.db().pool)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(lost, 1, "{path}");
    let retry = send().await;
    assert_eq!(retry.status, first.status, "{path}: {retry:?}");
    assert!(
        retry.header("Idempotent-Replayed").is_none(),
        "{path}: run again, not replayed"
    );
    assert_eq!(
        retry.position(),
        first.position(),
        "{path}: the first run's events"
    );
    for f in [
        "id",
        "key",
        "secret",
        "slug",
        "tracking_id",
        "version",
        "prefix",
        "domains_added",
        "scans_queued",
    ] {
        assert_eq!(
            retry.body["data"][f], first.body["data"][f],
            "{path}: {f}\n{first:?}\n{retry:?}"
        );
    }
    assert_eq!(log_size(app).await, log_after, "{path}: written twice");
    // Now the answer is stored: the next retry replays it.
    let third = send().await;
    assert_eq!(
        third.header("Idempotent-Replayed").as_deref(),
        Some("true"),
        "{path}"
    );
    assert_eq!(third.body, retry.body, "{path}");
    (first, retry)
}

async fn log_size(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn hardening_request_ids_limits_headers_and_cors(b: Backend) {
    let app = spawn_app_with(b, |c| c.max_body_bytes = 4096).await;
    let ws = app.create_workspace("Acme", "pro").await;
    // A well-formed request id is kept; a malformed one is replaced.
    let r = app
        .get("/api/v1/keys")
        .workspace(&ws)
        .header("X-Request-ID", "client-abc_123")
        .send()
        .await;
    assert_eq!(r.header("X-Request-ID").as_deref(), Some("client-abc_123"));
    let r = app
        .get("/api/v1/keys/nope")
        .workspace(&ws)
        .header("X-Request-ID", "bad id with spaces")
        .send()
        .await;
    let id = r.header("X-Request-ID").unwrap();
    assert!(id.starts_with("req_"), "{id}");
    assert_eq!(r.body["error"]["request_id"], id.as_str());
    // Body too large, too deep, strings too long.
    let big = json!({"name": "x".repeat(5000), "scopes": []});
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(big)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .header("Idempotency-Key", "big")
        .json(json!({"name": "x".repeat(5000), "scopes": []}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let deep = format!(
        "{{\"name\": \"n\", \"scopes\": [], \"x\": {}1{}}}",
        "[".repeat(40),
        "]".repeat(40)
    );
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .raw(&deep)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("deeper"));
    // Security headers everywhere, CORS closed.
    for r in [
        app.get("/api/v1/health").no_token().send().await,
        app.get("/api/v1/nowhere").no_token().send().await,
        app.get("/api/v1/keys").no_token().send().await,
    ] {
        assert_eq!(
            r.header("X-Content-Type-Options").as_deref(),
            Some("nosniff"),
            "{r:?}"
        );
        assert_eq!(r.header("X-Frame-Options").as_deref(), Some("DENY"));
        assert!(r.header("Content-Security-Policy").is_some(), "{r:?}");
        assert!(r.header("X-Request-ID").is_some());
    }
    let preflight = app
        .call(Method::OPTIONS, "/api/v1/keys")
        .no_token()
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await;
    assert!(
        preflight.header("Access-Control-Allow-Origin").is_none(),
        "{preflight:?}"
    );
    let r = app
        .get("/api/v1/keys")
        .workspace(&ws)
        .header("Origin", "https://evil.example")
        .send()
        .await;
    assert!(r.header("Access-Control-Allow-Origin").is_none());
    app.stop().await;
}

/// What Schemathesis found (docs/reliability.md), kept: 405 with `Allow` on a known path,
/// bounds of pagination parameters, nested objects that must be objects, errors in JSON.
async fn methods_bounds_and_shapes_answer_as_documented(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let r = app
        .call(Method::PUT, "/api/v1/keys")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    assert_eq!(r.header("Allow").as_deref(), Some("GET, POST"));
    let r = app.call(Method::PUT, "/api/v1/nowhere").send().await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    for bad in [
        "/api/v1/keys?min_position=-1",
        "/api/v1/keys?limit=0",
        "/api/v1/metrics?limit=0",
        "/api/v1/usage",
    ] {
        let r = app.get(bad).workspace(&ws).send().await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{bad}"
        );
    }
    // Far past the end: an empty page and no next link (no overflow).
    let r = app
        .get(&format!("/api/v1/keys?offset={}", i64::MAX))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["meta"]["next"], Value::Null);
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .json(json!({"settings": [null, null]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
}

keel_tests::on_every_backend!(
    another_workspaces_ids_are_404_on_every_route_and_nothing_changes,
    a_missing_scope_is_403_naming_it_and_the_index_says_who_calls,
    malformed_unknown_revoked_and_test_keys,
    rate_limit_headers_count_down_and_429_says_when_to_retry,
    past_the_daily_quota_calls_get_429_quota_exceeded,
    idempotent_writes_make_one_effect_and_replay_verbatim,
    an_idempotency_key_in_flight_is_409_and_a_crashed_claim_lapses,
    a_write_whose_answer_was_lost_is_answered_by_its_retry_not_run_twice,
    hardening_request_ids_limits_headers_and_cors,
    methods_bounds_and_shapes_answer_as_documented,
);

/// Postgres only: a statement that outlives `db_timeout_ms` is cancelled and the client hears
/// 503 with Retry-After, not a hang or a 500.
#[tokio::test]
async fn a_database_call_past_its_timeout_is_503_with_retry_after() {
    let app = spawn_app_with(Backend::Distributed, |c| c.db_timeout_ms = 500).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, key, _) = app.create_key(&ws, "ci", ALL).await;
    let db = app.db();
    let mut blocker = db.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE auth_keys IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let started = Instant::now();
    let r = app.get("/api/v1/keys").token(&key).send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
        "{r:?}"
    );
    assert!(r.header("Retry-After").is_some());
    assert!(
        !r.body.to_string().contains("statement"),
        "no internals: {r:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    blocker.rollback().await.unwrap();
    let r = app.get("/api/v1/keys").token(&key).send().await;
    assert_eq!(r.status, StatusCode::OK);
    app.stop().await;
}

#[test]
fn every_scope_in_the_access_table_is_a_known_scope() {
    for r in ROUTES {
        if let Access::Scope(s) = r.access {
            assert!(keel_events::Scope::parse(s).is_ok(), "{s}");
        }
    }
}
