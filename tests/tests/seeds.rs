//! The seed documents' own sample code (`tests/seeds/`), run against a fresh Keel on both
//! backends: DNSai's Python snippets and its `fetch` sample, Dashtray's Node and Python samples
//! (Node's own `fetch`), and core-api's and DataFast's requests as they document them. Each
//! script exits non-zero, naming what differs, when Keel answers otherwise. See docs/compat.md.

#![allow(clippy::unwrap_used)]

use keel_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::path::{Path, PathBuf};

const DOMAINS: [&str; 3] = ["acme-corp.com", "beta-corp.com", "gamma-corp.com"];

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// Runs one sample with `program`; panics with its output when it fails.
async fn run(program: &str, script: &str, env: &[(&str, String)]) {
    let out = tokio::process::Command::new(program)
        .arg(seeds_dir().join(script))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("{program} is needed for the seed samples ({e}); scripts/test installs it")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    eprintln!("{script}: {}", stdout.trim());
}

async fn dns() -> keel_testkit::dns::DnsFixture {
    let zones = keel_testkit::dns::DnsFixture::start(&DOMAINS)
        .await
        .unwrap();
    for d in DOMAINS {
        for (name, t, values) in [
            (d.to_string(), "A", vec!["192.0.2.10".to_string()]),
            (d.to_string(), "MX", vec!["10 aspmx.l.google.com".into()]),
            (
                d.to_string(),
                "TXT",
                vec![
                    "v=spf1 ip4:192.0.2.0/24 mx -all".into(),
                    "google-site-verification=abc".into(),
                ],
            ),
            (
                format!("_dmarc.{d}"),
                "TXT",
                vec![format!("v=DMARC1; p=reject; rua=mailto:dmarc@{d}")],
            ),
        ] {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            zones.set(&name, t, &values).await.unwrap();
        }
    }
    zones
}

async fn key(app: &TestApp, ws: &str, body: serde_json::Value) -> String {
    let r = app
        .post("/api/v1/keys")
        .workspace(ws)
        .json(body)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["data"]["key"].as_str().unwrap().to_string()
}

async fn samples(b: Backend) {
    let zones = dns().await;
    // MaxMind-format City and ASN databases placing 192.0.2.0/24 (the domains' web server).
    let geo = tempfile::tempdir().unwrap();
    let (city, asn) = keel_testkit::geoip::write(geo.path());
    // A Stripe account (localstripe) with a subscriber, for Dashtray's integrations and MRR.
    let stripe = keel_tests::stripe::LocalStripe::start().await;
    stripe.plan("basic", 15000, "usd", "month").await;
    let customer = stripe.customer("buyer@seeds.example").await;
    stripe.subscribe(&customer, "basic").await;
    let stripe_url = stripe.url.clone();
    let app = keel_tests::spawn_app_with(b, move |c| {
        c.stripe_api_url = stripe_url;
        c.stripe_sync_interval_secs = 0;
        c.scanner.geoip_city_path = Some(city);
        c.scanner.geoip_asn_path = Some(asn);
        c.dns_servers = Some(zones.addr.to_string());
        c.scanner.enabled = true;
        c.scanner.dns_timeout_ms = 500;
        c.scanner.rdap_servers = Some("default=http://127.0.0.1:9/".into());
        c.webhooks.allow_private = true;
        c.webhooks.timeout_ms = 500;
    })
    .await;
    let ws = app.create_workspace("Seeds", "pro").await;
    let all = json!({"name": "samples", "scopes": [
        "workspaces:read", "keys:write", "sites:write", "events:write", "analytics:write",
        "domains:write", "exports:write", "webhooks:write", "usage:read", "integrations:read"]});
    let main = key(&app, &ws, all).await;
    let free = key(
        &app,
        &ws,
        json!({"name": "free", "scopes": ["workspaces:read", "analytics:read"], "rate_limit_tier": "free"}),
    )
    .await;
    // A site with traffic and a dashboard, for the analytics samples.
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "App", "domain": "app.seeds.example", "timezone": "UTC"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let site = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": [{"site_id": site, "visitor_id": "x", "url": "/"}]}))
        .send()
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let r = app
        .post("/api/v1/dashboards")
        .workspace(&ws)
        .json(json!({"name": "Revenue Dashboard", "description": "Track all revenue metrics",
            "widgets": [{"site_id": site, "metric": "visitors", "interval": "day", "period": "7d"}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // Stripe connected to the site, its backfill done: MRR for Dashtray's `stripe_mrr`.
    let r = app
        .post("/api/v1/integrations")
        .workspace(&ws)
        .json(json!({"type": "stripe", "site_id": site, "api_key": keel_tests::stripe::KEY}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let integration = r.body["data"]["id"].as_str().unwrap().to_string();
    app.eventually(
        &format!("/api/v1/integrations/{integration}"),
        Some(&ws),
        |r| r.body["data"]["syncs"] == 1,
    )
    .await;
    app.eventually(
        &format!("/api/v1/metrics?metric_id=stripe_mrr&site_id={site}"),
        Some(&ws),
        |r| {
            r.body["data"]
                .as_array()
                .and_then(|p| p.last())
                .is_some_and(|p| p["value"] == 15000)
        },
    )
    .await;
    // Everything written so far is readable before the samples start.
    app.get(&format!("/api/v1/dashboards?min_position={}", r.position()))
        .workspace(&ws)
        .send()
        .await;
    app.get(&format!("/api/v1/sites?min_position={}", r.position()))
        .workspace(&ws)
        .send()
        .await;
    let base = [("KEEL", app.base.clone()), ("KEEL_KEY", main.clone())];

    run(
        "python3",
        "dnsai.py",
        &[&base[..], &[("KEEL_DOMAINS", DOMAINS.join(","))]].concat(),
    )
    .await;
    run("node", "dnsai_fetch.mjs", &base).await;
    let dash = [
        ("KEEL", app.base.clone()),
        ("DASHTRAY_API_KEY", main.clone()),
        ("DASHTRAY_FREE_KEY", free.clone()),
    ];
    run("node", "dashtray.mjs", &dash).await;
    run("python3", "dashtray.py", &dash).await;
    run(
        "python3",
        "core_api.py",
        &[
            &base[..],
            &[
                ("HOOK_URL", "http://127.0.0.1:9/hook".to_string()),
                ("SITE_ORIGIN", "https://app.seeds.example".to_string()),
            ],
        ]
        .concat(),
    )
    .await;
    // A fresh free key: the Dashtray sample spent the other's minute.
    let free2 = key(
        &app,
        &ws,
        json!({"name": "free2", "scopes": ["analytics:read"], "rate_limit_tier": "free"}),
    )
    .await;
    // DataFast's website key: restricted to the site.
    let website = key(
        &app,
        &ws,
        json!({"name": "df website", "site_id": site, "scopes": ["events:write", "analytics:read"]}),
    )
    .await;
    run(
        "python3",
        "datafast.py",
        &[
            &base[..],
            &[
                ("SITE_ID", site.clone()),
                ("FREE_KEY", free2),
                ("WEBSITE_KEY", website),
            ],
        ]
        .concat(),
    )
    .await;
    app.stop().await;
}

keel_tests::on_every_backend!(samples);
