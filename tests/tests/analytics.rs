//! Web analytics end to end: ingestion (events, goals, payments, identify) and the stats API, on
//! the embedded default and on Postgres + Kafka. The property test ingests random traffic and
//! checks every stats endpoint against a brute-force recomputation from the raw events.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use keel_tests::{spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

const GEO_CSV: &str = "ip_start,ip_end,country\n1.0.0.0,1.0.0.255,AU\n8.8.8.0,8.8.8.255,US\n2001:db8::,2001:db8::ffff,DE\n";

async fn app_with_geo(b: Backend) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("geo.csv");
    std::fs::write(&path, GEO_CSV).unwrap();
    // And a City database placing 192.0.2.0/24 in Berlin (the CSV does not know it).
    let (city, _) = keel_testkit::geoip::write(dir.path());
    let app = spawn_app_with(b, |c| {
        c.geoip_path = Some(path);
        c.scanner.geoip_city_path = Some(city);
    })
    .await;
    (app, dir)
}

async fn site(app: &TestApp, ws: &str, domain: &str, tz: &str) -> String {
    let r = app
        .post("/api/v1/sites")
        .workspace(ws)
        .json(json!({"name": "Shop", "domain": domain, "timezone": tz}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["data"]["id"].as_str().unwrap().to_string()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

async fn ingestion_keeps_valid_items_and_names_the_rest(b: Backend) {
    let (app, _geo) = app_with_geo(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "shop.example.com", "UTC").await;
    let (_, key, _) = app
        .create_key(&ws, "ingest", &["events:write", "analytics:read"])
        .await;
    let now = Utc::now();
    let at = (now - Duration::minutes(5)).to_rfc3339();
    let good = json!({"site_id": site_id, "visitor_id": "v1", "url": "https://shop.example.com/a?x=1",
        "referrer": "https://news.ycombinator.com/item", "user_agent": CHROME, "ip": "8.8.8.8",
        "occurred_at": at, "event_id": "e-1", "properties": {"plan": "pro", "n": 3}});
    let batch = json!({"events": [
        good,
        good,                                                                     // 1: duplicate
        {"site_id": site_id, "visitor_id": "v2", "url": "ftp://nope"},            // 2: bad url
        {"site_id": uuid::Uuid::now_v7().to_string(), "visitor_id": "v", "url": "/"}, // 3: unknown site
        {"site_id": site_id, "visitor_id": "v3", "url": "/", "user_agent": "Googlebot/2.1"}, // 4: bot
        {"site_id": site_id, "type": "custom", "visitor_id": "v1"},               // 5: no name
        {"site_id": site_id, "url": "/b", "ip": "1.0.0.9", "user_agent": IPHONE}, // 6: anonymous visitor
        {"site_id": site_id, "visitor_id": "v1", "url": "/c", "colour": "red"},   // 7: unknown field
        {"site_id": site_id, "type": "custom", "name": "signup_click", "visitor_id": "v1", "occurred_at": at}, // 8
        {"site_id": site_id, "visitor_id": "v4", "url": "/", "occurred_at": "2026-13-45"}, // 9: bad date
        "not an object",                                                          // 10
    ]});
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(batch.clone())
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let d = &r.body["data"];
    assert_eq!(
        (
            d["accepted"].as_u64(),
            d["duplicate"].as_u64(),
            d["rejected"].as_u64()
        ),
        (Some(3), Some(1), Some(7)),
        "{d}"
    );
    let rejected: Vec<u64> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, [2, 3, 4, 5, 7, 9, 10]);
    let reason = |i: u64| {
        d["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["index"] == i)
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(reason(2).contains("url"), "{}", reason(2));
    assert!(reason(3).contains("site"), "{}", reason(3));
    assert!(reason(4).contains("bot"), "{}", reason(4));
    assert!(reason(5).contains("name"), "{}", reason(5));
    assert!(reason(7).contains("colour"), "{}", reason(7));
    assert!(reason(9).contains("occurred_at"), "{}", reason(9));
    let pos = r.position();
    assert!(pos > 0);

    // Sent again, the event with an id is a duplicate; the others have no id and count again.
    let again = json!({"events": [batch["events"][0].clone()]});
    let r2 = app
        .post("/api/v1/events")
        .token(&key)
        .json(again)
        .send()
        .await;
    assert_eq!(r2.body["data"]["duplicate"], 1, "{r2:?}");

    let agg = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/aggregate?period=7d&min_position={pos}"
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(agg.status, StatusCode::OK, "{agg:?}");
    let a = &agg.body["data"];
    assert_eq!(a["pageviews"], 2, "{a}");
    assert_eq!(a["events"], 3, "{a}");
    assert_eq!(a["visitors"], 2, "{a}");
    let countries = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=country"
        ))
        .token(&key)
        .send()
        .await;
    let rows: Vec<(String, u64)> = countries.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["country"].as_str().unwrap().to_string(),
                r["visitors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("AU".to_string(), 1), ("US".to_string(), 1)],
        "{countries:?}"
    );
    let sources = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=source"
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(
        sources.body["data"][0]["source"], "Direct / None",
        "{sources:?}"
    );
    assert_eq!(
        sources.body["data"][1]["source"], "Hacker News",
        "{sources:?}"
    );

    // Limits of a batch, and a batch of nothing but unknown sites.
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({"site_id": site_id, "visitor_id": "v", "url": "/"}))
        .collect();
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({"events": many}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large"),
        "{r:?}"
    );
    let huge = json!({"events": [{"site_id": site_id, "visitor_id": "v", "url": "/", "properties": {"p": "x".repeat(10_000)}}]});
    let mut items = Vec::new();
    for _ in 0..120 {
        items.push(huge["events"][0].clone());
    }
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({"events": items}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{r:?}");
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({"events": [{"site_id": uuid::Uuid::now_v7().to_string(), "visitor_id": "v", "url": "/"}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    // Another workspace's site is unknown too; a reader cannot write.
    let other = app.create_workspace("Other", "pro").await;
    let foreign = site(&app, &other, "other.example.com", "UTC").await;
    let r = app
        .get(&format!("/api/v1/sites/{foreign}/stats/aggregate"))
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let (_, reader, _) = app.create_key(&ws, "reader", &["analytics:read"]).await;
    let r = app
        .post("/api/v1/events")
        .token(&reader)
        .json(json!({"events": []}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    app.stop().await;
}

async fn goals_payments_and_identify(b: Backend) {
    let (app, _geo) = app_with_geo(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "shop.example.com", "UTC").await;
    let at = (Utc::now() - Duration::minutes(10)).to_rfc3339();
    let post = |path: &'static str, body: Value| {
        let app = &app;
        let ws = ws.clone();
        async move { app.post(path).workspace(&ws).json(body).send().await }
    };
    let r = post(
        "/api/v1/events",
        json!({"events": [
        {"site_id": site_id, "visitor_id": "buyer", "url": "/pricing", "occurred_at": at},
        {"site_id": site_id, "visitor_id": "browser", "url": "/", "occurred_at": at}]}),
    )
    .await;
    assert_eq!(r.body["data"]["accepted"], 2, "{r:?}");
    let r = post(
        "/api/v1/goals",
        json!({"site_id": site_id, "visitor_id": "buyer", "name": "checkout:done",
        "metadata": {"plan": "pro"}, "occurred_at": at}),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    for (bad, field) in [
        (
            json!({"site_id": site_id, "visitor_id": "buyer", "name": "Checkout Done"}),
            "name",
        ),
        (
            json!({"site_id": site_id, "visitor_id": "buyer", "name": "ok", "metadata": (0..11).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
            "metadata",
        ),
    ] {
        let r = post("/api/v1/goals", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(
            r.body["error"]["details"]["fields"][0]["field"], field,
            "{r:?}"
        );
    }
    let r = post(
        "/api/v1/goals",
        json!({"site_id": uuid::Uuid::now_v7().to_string(), "visitor_id": "b", "name": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let pay = |tx: &str, amount: Value, currency: &str, refunded: bool| {
        json!({"site_id": site_id, "amount": amount, "currency": currency, "transaction_id": tx,
            "visitor_id": "buyer", "customer_id": "cus_1", "email": "b@example.com", "refunded": refunded, "occurred_at": at})
    };
    let r = post("/api/v1/payments", pay("tx_1", json!(4999), "USD", false)).await;
    assert_eq!(
        (r.status, &r.body["data"]["status"]),
        (StatusCode::CREATED, &json!("recorded")),
        "{r:?}"
    );
    let r = post("/api/v1/payments", pay("tx_1", json!(4999), "USD", false)).await;
    assert_eq!(
        (r.status, &r.body["data"]["status"]),
        (StatusCode::OK, &json!("duplicate")),
        "{r:?}"
    );
    assert_eq!(
        post("/api/v1/payments", pay("tx_2", json!(1000), "USD", true))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        post("/api/v1/payments", pay("tx_3", json!(700), "EUR", false))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        post("/api/v1/payments", pay("tx_4", json!(300), "EUR", false))
            .await
            .status,
        StatusCode::CREATED
    );
    for (body, field) in [
        (pay("tx_5", json!(-1), "USD", false), "amount"),
        (pay("tx_5", json!(19.99), "USD", false), "amount"),
        (pay("tx_5", json!(100), "ABC", false), "currency"),
        (
            json!({"site_id": site_id, "amount": 1, "currency": "USD", "transaction_id": "tx_5", "occurred_at": "yesterday"}),
            "occurred_at",
        ),
    ] {
        let r = post("/api/v1/payments", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(
            r.body["error"]["details"]["fields"][0]["field"], field,
            "{r:?}"
        );
    }
    // Removal is an event too; the transaction id stays taken.
    let r = app
        .delete(&format!("/api/v1/payments/tx_4?site_id={site_id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app
        .delete(&format!("/api/v1/payments/tx_4?site_id={site_id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = post("/api/v1/payments", pay("tx_4", json!(300), "EUR", false)).await;
    assert_eq!(r.body["data"]["status"], "duplicate", "{r:?}");
    let r = post("/api/v1/identify", json!({"site_id": site_id, "visitor_id": "buyer", "user_id": "user_42", "traits": {"plan": "pro"}})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let r = post(
        "/api/v1/identify",
        json!({"site_id": site_id, "visitor_id": "buyer", "user_id": ""}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let pos = r.position().max(0);
    let _ = pos;

    let head = app.db();
    let last: i64 = sqlx::query_scalar("SELECT MAX(position) FROM events")
        .fetch_one(&head.pool)
        .await
        .unwrap();
    let agg = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/aggregate?period=7d&min_position={last}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(agg.status, StatusCode::OK, "{agg:?}");
    let a = &agg.body["data"];
    assert_eq!(a["visitors"], 2, "{a}");
    assert_eq!(a["conversions"], 1, "{a}");
    assert_eq!(a["conversion_rate"], 50.0, "{a}");
    assert_eq!(
        a["revenue"]["USD"],
        json!({"gross": 5999, "refunds": 1000, "net": 4999, "count": 2}),
        "{a}"
    );
    assert_eq!(
        a["revenue"]["EUR"],
        json!({"gross": 700, "refunds": 0, "net": 700, "count": 1}),
        "{a}"
    );
    assert_eq!(a["average_order_value"]["EUR"], 700, "{a}");
    // Filtered to the goal: its converters, and the rate against every visitor.
    let f = enc(r#"[["is","goal",["checkout:done"]]]"#);
    let agg = app
        .get(&format!("/api/v1/sites/{site_id}/stats/aggregate?period=7d&filters={f}&metrics=visitors,conversions,conversion_rate,revenue"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(agg.body["data"]["conversions"], 1, "{agg:?}");
    assert_eq!(agg.body["data"]["conversion_rate"], 50.0, "{agg:?}");
    assert_eq!(agg.body["data"]["revenue"]["USD"]["net"], 4999, "{agg:?}");
    assert!(agg.body["data"].get("pageviews").is_none());
    for (q, field) in [
        ("period=fortnight", "period"),
        ("from=2026-01-01", "to"),
        ("from=2026-02-30&to=2026-03-01", "from"),
        ("period=today&timezone=Mars/Base", "timezone"),
        ("period=today&filters=%5B1%5D", "filters"),
        ("period=today&metrics=visitors,profit", "metrics"),
    ] {
        let r = app
            .get(&format!("/api/v1/sites/{site_id}/stats/aggregate?{q}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {r:?}");
        assert_eq!(
            r.body["error"]["details"]["fields"][0]["field"], field,
            "{q}: {r:?}"
        );
    }
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Brute force.

#[derive(Debug, Clone)]
struct Ev {
    visitor: String,
    ts: i64,
    kind: &'static str,
    page: String,
    name: String,
    /// Own visit dimensions: source, utm_source, utm_medium, utm_campaign, country, device, browser.
    dims: [String; 7],
    /// The custom property `plan`, when the hit carries one.
    plan: Option<String>,
    /// Own values of [`EXTRAS`] (a visit takes its first hit's); the URL's host.
    extras: [String; 8],
    hostname: String,
    json: Value,
}

#[derive(Debug, Clone)]
struct Visit {
    start: i64,
    last: i64,
    pageviews: i64,
    entry_page: String,
    /// The page of its latest pageview.
    exit_page: String,
    dims: [String; 7],
    /// Values of [`EXTRAS`] of its first hit.
    extras: [String; 8],
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const DIMS: [&str; 7] = [
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "country",
    "device",
    "browser",
];
const ALL_DIMS: [&str; 9] = [
    "page",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "country",
    "device",
    "browser",
    "goal",
];

/// Visit properties the query endpoint groups by, beyond [`DIMS`].
const EXTRAS: [&str; 8] = [
    "utm_content",
    "utm_term",
    "os",
    "os_version",
    "browser_version",
    "screen",
    "region",
    "city",
];

fn generate(site: &str, seed: u64, start: i64, span_ms: i64) -> Vec<Ev> {
    let mut rng = Rng(seed | 1);
    let referrers: [(Option<&str>, &str); 4] = [
        (None, "Direct / None"),
        (Some("https://www.google.com/search?q=x"), "Google"),
        (
            Some("https://news.ycombinator.com/item?id=1"),
            "Hacker News",
        ),
        (Some("https://blog.example.org/post"), "blog.example.org"),
    ];
    // The user agent and what it says: device, browser, its version, the system, its version.
    let uas = [
        (CHROME, "desktop", "Chrome", "120.0", "Windows", "10"),
        (IPHONE, "mobile", "Safari", "17.0", "iOS", "17.0"),
        (FIREFOX, "desktop", "Firefox", "121.0", "Linux", ""),
    ];
    // The address and its country, region and city.
    let ips = [
        ("8.8.8.8", "US", "", ""),
        ("1.0.0.1", "AU", "", ""),
        ("2001:db8::5", "DE", "", ""),
        ("9.9.9.9", "", "", ""),
        ("192.0.2.7", "DE", "Land Berlin", "Berlin"),
    ];
    // The viewport's width and its class.
    let screens = [
        (None, ""),
        (Some(390), "Mobile"),
        (Some(1280), "Laptop"),
        (Some(1920), "Desktop"),
    ];
    let pages = ["/", "/pricing", "/blog/a", "/blog/b", "/docs"];
    let goals = ["signup", "checkout:done"];
    let mut out = Vec::new();
    for v in 0..24 {
        let visitor = format!("visitor-{seed}-{v}");
        let (ip, country, region, city) = *rng.pick(&ips);
        let (ua, device, browser, browser_version, os, os_version) = *rng.pick(&uas);
        let (width, screen) = *rng.pick(&screens);
        let mut t = start + rng.below(span_ms as u64 / 2) as i64;
        for _visit in 0..1 + rng.below(3) {
            let (referrer, source) = *rng.pick(&referrers);
            let utm = if rng.below(4) == 0 {
                Some(("newsletter", "email", "nov"))
            } else {
                None
            };
            let source = if utm.is_some() { "newsletter" } else { source };
            for h in 0..1 + rng.below(5) {
                if t >= start + span_ms {
                    break;
                }
                let kind = match rng.below(10) {
                    0 => "custom",
                    1 if h > 0 => "goal",
                    _ => "pageview",
                };
                let page = rng.pick(&pages).to_string();
                let name = match kind {
                    "goal" => rng.pick(&goals).to_string(),
                    "custom" => "click".to_string(),
                    _ => String::new(),
                };
                let at = Utc.timestamp_millis_opt(t).unwrap().to_rfc3339();
                let json = match kind {
                    "goal" => {
                        json!({"site_id": site, "visitor_id": visitor, "name": name, "occurred_at": at})
                    }
                    _ => {
                        let mut j = json!({"site_id": site, "visitor_id": visitor, "type": kind,
                            "url": format!("https://{}{page}?ref=1", host_of(&page)), "user_agent": ua, "ip": ip,
                            "occurred_at": at, "event_id": format!("{visitor}-{t}")});
                        if kind == "custom" {
                            j["name"] = json!(name);
                        }
                        if let Some(w) = width {
                            j["screen_width"] = json!(w);
                        }
                        // A custom property on some hits (no draw: the traffic stays the same).
                        if let Some(plan) = plan_of(kind, &page, t) {
                            j["properties"] = json!({"plan": plan});
                        }
                        if h == 0 {
                            if let Some(r) = referrer {
                                j["referrer"] = json!(r);
                            }
                            if let Some((s, m, c)) = utm {
                                j["utm_source"] = json!(s);
                                j["utm_medium"] = json!(m);
                                j["utm_campaign"] = json!(c);
                                j["utm_content"] = json!(content_of(t));
                                j["utm_term"] = json!("shoes");
                            }
                        } else {
                            j["referrer"] = json!("https://shop.example.com/");
                        }
                        j
                    }
                };
                let (us, um, uc) = utm.unwrap_or(("", "", ""));
                let dims = if kind == "goal" {
                    ["Direct / None", "", "", "", "", "unknown", "unknown"].map(str::to_string)
                } else if h == 0 {
                    [source, us, um, uc, country, device, browser].map(str::to_string)
                } else {
                    ["Direct / None", "", "", "", country, device, browser].map(str::to_string)
                };
                let plan = plan_of(kind, &page, t).map(str::to_string);
                let (content, term) = match (kind, h, utm) {
                    ("goal", _, _) | (_, 1.., _) | (_, 0, None) => ("", ""),
                    (_, 0, Some(_)) => (content_of(t), "shoes"),
                };
                let extras = if kind == "goal" {
                    Default::default()
                } else {
                    [
                        content,
                        term,
                        os,
                        os_version,
                        browser_version,
                        screen,
                        region,
                        city,
                    ]
                    .map(str::to_string)
                };
                let hostname = if kind == "goal" {
                    String::new()
                } else {
                    host_of(&page).to_string()
                };
                out.push(Ev {
                    visitor: visitor.clone(),
                    ts: t,
                    kind,
                    page: if kind == "pageview" {
                        page
                    } else {
                        String::new()
                    },
                    plan,
                    extras,
                    hostname,
                    name,
                    dims,
                    json,
                });
                // Mostly inside a visit; sometimes exactly at the 30-minute edge (still inside).
                t += match rng.below(8) {
                    0 => 30 * 60_000,
                    _ => (1 + rng.below(20) as i64) * 60_000 + rng.below(59_000) as i64,
                };
            }
            t += (31 + rng.below(600) as i64) * 60_000;
        }
    }
    out
}

/// A generated campaign's utm_content (no draw: the traffic stays the same).
fn content_of(t: i64) -> &'static str {
    if (t / 1000) % 2 == 0 {
        "hero"
    } else {
        "footer"
    }
}

/// The host of a generated page's URL: the blog has its own.
fn host_of(page: &str) -> &'static str {
    if page.starts_with("/blog") {
        "blog.shop.example.com"
    } else {
        "shop.example.com"
    }
}

/// The `plan` property of a generated hit: custom events carry `pro` or `free`, pageviews of
/// the pricing page `trial`, others none.
fn plan_of(kind: &str, page: &str, t: i64) -> Option<&'static str> {
    match kind {
        "custom" => Some(if t % 2 == 0 { "pro" } else { "free" }),
        "pageview" if page == "/pricing" => Some("trial"),
        _ => None,
    }
}

/// Hits with the index of their visit, and the visits, as the definitions say.
fn sessionize(events: &[Ev]) -> (Vec<(Ev, usize)>, Vec<Visit>) {
    let mut by_visitor: BTreeMap<&str, Vec<&Ev>> = BTreeMap::new();
    for e in events {
        by_visitor.entry(&e.visitor).or_default().push(e);
    }
    let mut hits = Vec::new();
    let mut visits: Vec<Visit> = Vec::new();
    for (_, mut evs) in by_visitor {
        evs.sort_by_key(|e| e.ts);
        let mut current: Option<usize> = None;
        for e in evs {
            let join = current.is_some_and(|i| e.ts - visits[i].last <= 30 * 60_000);
            if !join {
                visits.push(Visit {
                    start: e.ts,
                    last: e.ts,
                    pageviews: 0,
                    entry_page: String::new(),
                    exit_page: String::new(),
                    dims: e.dims.clone(),
                    extras: e.extras.clone(),
                });
                current = Some(visits.len() - 1);
            }
            let i = current.unwrap();
            let v = &mut visits[i];
            v.last = e.ts;
            if e.kind == "pageview" {
                v.pageviews += 1;
                if v.entry_page.is_empty() {
                    v.entry_page = e.page.clone();
                }
                v.exit_page = e.page.clone();
            }
            hits.push((e.clone(), i));
        }
    }
    (hits, visits)
}

#[derive(Debug, Clone)]
struct F {
    op: &'static str,
    dim: &'static str,
    values: Vec<&'static str>,
}

fn value_of(e: &Ev, visit: &Visit, dim: &str) -> Option<String> {
    match dim {
        "page" => (e.kind == "pageview").then(|| e.page.clone()),
        "goal" => (e.kind == "goal").then(|| e.name.clone()),
        "plan" => e.plan.clone(),
        d if EXTRAS.contains(&d) => {
            Some(visit.extras[EXTRAS.iter().position(|x| *x == d)?].clone())
        }
        "hostname" => (!e.hostname.is_empty()).then(|| e.hostname.clone()),
        d => Some(visit.dims[DIMS.iter().position(|x| *x == d).unwrap()].clone()),
    }
}

fn matches(e: &Ev, visit: &Visit, filters: &[F]) -> bool {
    filters.iter().all(|f| {
        // A filter on a dimension concerns the hits that have it.
        let Some(v) = value_of(e, visit, f.dim) else {
            return false;
        };
        let contains = || {
            f.values
                .iter()
                .any(|x| v.to_lowercase().contains(&x.to_lowercase()))
        };
        let regex = || {
            f.values
                .iter()
                .any(|x| regex::Regex::new(x).unwrap().is_match(&v))
        };
        match f.op {
            "is" => f.values.iter().any(|x| *x == v),
            "is_not" => !f.values.iter().any(|x| *x == v),
            "contains_not" => !contains(),
            "matches" => regex(),
            "matches_not" => !regex(),
            _ => contains(),
        }
    })
}

#[derive(Debug, Default, Clone)]
struct Sums {
    visitors: HashSet<String>,
    converters: HashSet<String>,
    pageviews: i64,
    events: i64,
    visits: i64,
    bounces: i64,
    duration: i64,
}

/// Sums per group key (`""` for the total) over hits in `[from, to)`, following the definitions.
fn brute(
    hits: &[(Ev, usize)],
    visits: &[Visit],
    from: i64,
    to: i64,
    filters: &[F],
    key: &dyn Fn(&Ev, &Visit, bool) -> Option<String>,
) -> BTreeMap<String, Sums> {
    brute_where(hits, visits, from, to, &|e, v| matches(e, v, filters), key)
}

/// [`brute`] with any condition on a hit.
fn brute_where(
    hits: &[(Ev, usize)],
    visits: &[Visit],
    from: i64,
    to: i64,
    pred: &dyn Fn(&Ev, &Visit) -> bool,
    key: &dyn Fn(&Ev, &Visit, bool) -> Option<String>,
) -> BTreeMap<String, Sums> {
    let mut out: BTreeMap<String, Sums> = BTreeMap::new();
    let mut counted = HashSet::new();
    for (e, vi) in hits {
        let v = &visits[*vi];
        if e.ts < from || e.ts >= to || !pred(e, v) {
            continue;
        }
        if let Some(k) = key(e, v, false) {
            let s = out.entry(k).or_default();
            s.visitors.insert(e.visitor.clone());
            s.events += 1;
            s.pageviews += i64::from(e.kind == "pageview");
            if e.kind == "goal" {
                s.converters.insert(e.visitor.clone());
            }
        }
        if v.start >= from && v.start < to && counted.insert(*vi) {
            if let Some(k) = key(e, v, true) {
                let s = out.entry(k).or_default();
                s.visits += 1;
                s.bounces += i64::from(v.pageviews <= 1);
                s.duration += v.last - v.start;
            }
        }
    }
    out
}

fn ratio(n: i64, d: i64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn expected_metrics(s: &Sums, base: usize) -> Value {
    json!({
        "visitors": s.visitors.len(), "visits": s.visits, "pageviews": s.pageviews,
        "views_per_visit": (ratio(s.pageviews, s.visits) * 100.0).round() / 100.0,
        "bounce_rate": (ratio(s.bounces, s.visits) * 100.0).round() as i64,
        "visit_duration": (ratio(s.duration, s.visits) / 1000.0).round() as i64,
        "events": s.events, "conversions": s.converters.len(),
        "conversion_rate": (ratio(s.converters.len() as i64, base as i64) * 100.0 * 100.0).round() / 100.0,
    })
}

fn pick(v: &Value, fields: &[&str]) -> Value {
    Value::Object(
        fields
            .iter()
            .filter_map(|f| v.get(*f).map(|x| ((*f).to_string(), x.clone())))
            .collect(),
    )
}

const CORE: [&str; 9] = [
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "conversions",
    "conversion_rate",
];

fn filters_json(fs: &[F]) -> String {
    enc(&Value::Array(fs.iter().map(|f| json!([f.op, f.dim, f.values])).collect()).to_string())
}

fn label(tz: Tz, interval: &str, ms: i64) -> String {
    let t = Utc.timestamp_millis_opt(ms).unwrap().with_timezone(&tz);
    match interval {
        "hour" => t.format("%Y-%m-%dT%H:00:00%:z").to_string(),
        _ => t.date_naive().to_string(),
    }
}

fn midnight(tz: Tz, d: NaiveDate) -> i64 {
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp_millis()
}

async fn every_stats_endpoint_equals_a_brute_force_recomputation(b: Backend) {
    let (app, _geo) = app_with_geo(b).await;
    let ws = app.create_workspace("Acme", "enterprise").await;
    let site_id = site(&app, &ws, "shop.example.com", "America/New_York").await;
    // Four whole UTC days ending well before now; traffic over the middle three.
    let today = Utc::now().date_naive();
    let day0 = today - Duration::days(6);
    let start = Utc
        .from_utc_datetime(&day0.and_hms_opt(0, 0, 0).unwrap())
        .timestamp_millis()
        + 86_400_000;
    let span = 3 * 86_400_000;
    let events = generate(&site_id, 0x5eed_1234 ^ (b as u64), start, span);
    assert!(events.len() > 100, "{}", events.len());

    // Ingest in batches of 100, each visitor's events in time order (visitors interleaved).
    let mut per_visitor: BTreeMap<String, Vec<&Ev>> = BTreeMap::new();
    for e in &events {
        per_visitor.entry(e.visitor.clone()).or_default().push(e);
    }
    for list in per_visitor.values_mut() {
        list.sort_by_key(|e| e.ts);
    }
    let mut order = Vec::new();
    let mut i = 0;
    while order.len() < events.len() {
        for list in per_visitor.values() {
            if let Some(e) = list.get(i) {
                order.push(*e);
            }
        }
        i += 1;
    }
    let mut goals = Vec::new();
    let mut pending: Vec<Value> = Vec::new();
    let mut last = 0;
    let flush = |items: Vec<Value>| {
        let app = &app;
        let ws = ws.clone();
        async move {
            if items.is_empty() {
                return 0;
            }
            let n = items.len() as u64;
            let r = app
                .post("/api/v1/events")
                .workspace(&ws)
                .json(json!({"events": items}))
                .send()
                .await;
            assert_eq!(r.body["data"]["accepted"], n, "{r:?}");
            r.position()
        }
    };
    for e in &order {
        if e.kind == "goal" {
            // A goal must follow its visitor's earlier events: send what is pending first.
            last = last.max(flush(std::mem::take(&mut pending)).await);
            let r = app
                .post("/api/v1/goals")
                .workspace(&ws)
                .json(e.json.clone())
                .send()
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
            last = last.max(r.position());
            goals.push(e.json.clone());
        } else {
            pending.push(e.json.clone());
            if pending.len() == 100 {
                last = last.max(flush(std::mem::take(&mut pending)).await);
            }
        }
    }
    last = last.max(flush(std::mem::take(&mut pending)).await);
    // Ingesting the events with ids again changes nothing.
    let with_ids: Vec<Value> = order
        .iter()
        .filter(|e| e.kind != "goal")
        .map(|e| e.json.clone())
        .collect();
    for chunk in with_ids.chunks(500) {
        let r = app
            .post("/api/v1/events")
            .workspace(&ws)
            .json(json!({"events": chunk}))
            .send()
            .await;
        assert_eq!(r.body["data"]["duplicate"], chunk.len() as u64, "{r:?}");
    }
    let (hits, visits) = sessionize(&events);

    let get = |q: String| {
        let app = &app;
        let ws = ws.clone();
        let site_id = site_id.clone();
        async move {
            let r = app
                .get(&format!(
                    "/api/v1/sites/{site_id}/stats/{q}&min_position={last}"
                ))
                .workspace(&ws)
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
            r.body
        }
    };
    let filter_sets: Vec<Vec<F>> = vec![
        vec![],
        vec![F {
            op: "is",
            dim: "source",
            values: vec!["Google", "Hacker News"],
        }],
        vec![F {
            op: "is_not",
            dim: "device",
            values: vec!["mobile"],
        }],
        vec![F {
            op: "contains",
            dim: "page",
            values: vec!["BLOG"],
        }],
        vec![F {
            op: "is",
            dim: "goal",
            values: vec!["signup"],
        }],
        vec![
            F {
                op: "is",
                dim: "country",
                values: vec!["US", "DE"],
            },
            F {
                op: "is_not",
                dim: "page",
                values: vec!["/docs"],
            },
        ],
    ];
    let mut sources_seen = HashSet::new();
    for tz_name in [
        "America/New_York",
        "UTC",
        "Asia/Kolkata",
        "Australia/Sydney",
    ] {
        let tz: Tz = tz_name.parse().unwrap();
        let d_from = Utc
            .timestamp_millis_opt(start)
            .unwrap()
            .with_timezone(&tz)
            .date_naive();
        let d_to = d_from + Duration::days(2);
        let from = midnight(tz, d_from);
        let to = midnight(tz, d_to + Duration::days(1));
        let range = format!("from={d_from}&to={d_to}&timezone={}", enc(tz_name));
        for fs in &filter_sets {
            let fq = if fs.is_empty() {
                String::new()
            } else {
                format!("&filters={}", filters_json(fs))
            };
            let no_goal: Vec<F> = fs.iter().filter(|f| f.dim != "goal").cloned().collect();
            let total = |_: &Ev, _: &Visit, _: bool| Some(String::new());
            let sums = brute(&hits, &visits, from, to, fs, &total);
            let base = brute(&hits, &visits, from, to, &no_goal, &total);
            let s = sums.get("").cloned().unwrap_or_default();
            let base_visitors = base.get("").map_or(0, |x| x.visitors.len());
            let body = get(format!("aggregate?{range}{fq}")).await;
            sources_seen.insert(body["meta"]["source"].as_str().unwrap().to_string());
            assert_eq!(
                pick(&body["data"], &CORE),
                expected_metrics(&s, base_visitors),
                "aggregate {tz_name} {fs:?}"
            );

            for interval in ["day", "hour"] {
                let bucket = |e: &Ev, v: &Visit, visit: bool| {
                    Some(label(tz, interval, if visit { v.start } else { e.ts }))
                };
                let sums = brute(&hits, &visits, from, to, fs, &bucket);
                let base = brute(&hits, &visits, from, to, &no_goal, &bucket);
                let body = get(format!("timeseries?{range}{fq}&interval={interval}")).await;
                let rows = body["data"].as_array().unwrap();
                let expected_len = if interval == "day" {
                    3
                } else {
                    ((to - from) / 3_600_000) as usize
                };
                assert_eq!(rows.len(), expected_len, "{interval} {tz_name}");
                for row in rows {
                    let label = row["date"].as_str().unwrap().to_string();
                    let s = sums.get(&label).cloned().unwrap_or_default();
                    let bv = base.get(&label).map_or(0, |x| x.visitors.len());
                    assert_eq!(
                        pick(row, &CORE),
                        expected_metrics(&s, bv),
                        "timeseries {interval} {label} {tz_name} {fs:?}"
                    );
                }
            }
            if tz_name != "America/New_York" && tz_name != "Asia/Kolkata" {
                continue; // breakdowns in two zones are enough
            }
            for dim in ALL_DIMS {
                let by = |e: &Ev, v: &Visit, visit: bool| -> Option<String> {
                    if visit {
                        match dim {
                            "goal" => None,
                            "page" => (!v.entry_page.is_empty()).then(|| v.entry_page.clone()),
                            d => Some(v.dims[DIMS.iter().position(|x| *x == d).unwrap()].clone()),
                        }
                    } else {
                        value_of(e, v, dim)
                    }
                };
                let sums = brute(&hits, &visits, from, to, fs, &by);
                let body = get(format!("breakdown?{range}{fq}&dimension={dim}&limit=1000")).await;
                let rows = body["data"].as_array().unwrap();
                assert_eq!(
                    body["meta"]["total_count"],
                    sums.len(),
                    "breakdown {dim} {fs:?}: {body}"
                );
                let fields: &[&str] = if dim == "goal" {
                    &["visitors", "events", "conversion_rate"]
                } else {
                    &[
                        "visitors",
                        "visits",
                        "pageviews",
                        "bounce_rate",
                        "visit_duration",
                        "events",
                    ]
                };
                let mut prev = u64::MAX;
                for row in rows {
                    let raw = row[dim].as_str().unwrap();
                    let value = if raw == "(none)" { "" } else { raw };
                    let s = sums.get(value).cloned().unwrap_or_default();
                    let base = brute(&hits, &visits, from, to, &no_goal, &total)
                        .get("")
                        .map_or(0, |x| x.visitors.len());
                    let mut exp = expected_metrics(&s, base);
                    if dim == "goal" {
                        exp["visitors"] = json!(s.converters.len());
                        exp["conversion_rate"] = json!(
                            (ratio(s.converters.len() as i64, base as i64) * 10000.0).round()
                                / 100.0
                        );
                    }
                    assert_eq!(
                        pick(row, fields),
                        pick(&exp, fields),
                        "breakdown {dim}={value} {tz_name} {fs:?}"
                    );
                    let v = row["visitors"].as_u64().unwrap();
                    assert!(v <= prev, "sorted by visitors");
                    prev = v;
                }
            }
        }
    }
    assert_eq!(
        sources_seen.len(),
        2,
        "both the rollup and the event paths were checked: {sources_seen:?}"
    );

    // The query endpoint: several dimensions at once, every operator, custom properties and
    // comparisons, against the same brute force.
    let query = |body: Value| {
        let app = &app;
        let ws = ws.clone();
        let site_id = site_id.clone();
        async move {
            let r = app
                .post(&format!(
                    "/api/v1/sites/{site_id}/query?min_position={last}"
                ))
                .workspace(&ws)
                .json(body.clone())
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK, "{body}: {r:?}");
            r.body
        }
    };
    let tz: Tz = "Asia/Kolkata".parse().unwrap();
    let d_from = Utc
        .timestamp_millis_opt(start)
        .unwrap()
        .with_timezone(&tz)
        .date_naive();
    let d_to = d_from + Duration::days(2);
    let (from, to) = (midnight(tz, d_from), midnight(tz, d_to + Duration::days(1)));
    let range = json!([d_from.to_string(), d_to.to_string()]);
    const QM: [&str; 6] = [
        "visitors",
        "visits",
        "pageviews",
        "bounce_rate",
        "visit_duration",
        "events",
    ];
    let metrics_of = |s: &Sums| -> Vec<Value> {
        let e = expected_metrics(s, 0);
        QM.iter().map(|m| e[*m].clone()).collect()
    };
    let query_filters: Vec<(Value, Vec<F>)> = vec![
        (json!([]), vec![]),
        (
            json!([["contains_not", "visit:source", ["GOOGLE"]]]),
            vec![F {
                op: "contains_not",
                dim: "source",
                values: vec!["google"],
            }],
        ),
        (
            json!([
                ["matches", "event:page", ["^/blog/"]],
                ["is", "visit:device", ["desktop"]]
            ]),
            vec![
                F {
                    op: "matches",
                    dim: "page",
                    values: vec!["^/blog/"],
                },
                F {
                    op: "is",
                    dim: "device",
                    values: vec!["desktop"],
                },
            ],
        ),
        (
            json!([
                ["is", "visit:utm_term", ["shoes"]],
                ["contains", "event:hostname", ["BLOG"]]
            ]),
            vec![
                F {
                    op: "is",
                    dim: "utm_term",
                    values: vec!["shoes"],
                },
                F {
                    op: "contains",
                    dim: "hostname",
                    values: vec!["blog"],
                },
            ],
        ),
        (
            json!([
                ["is", "visit:os", ["iOS", "Linux"]],
                ["is_not", "visit:screen", ["Desktop"]]
            ]),
            vec![
                F {
                    op: "is",
                    dim: "os",
                    values: vec!["iOS", "Linux"],
                },
                F {
                    op: "is_not",
                    dim: "screen",
                    values: vec!["Desktop"],
                },
            ],
        ),
        (
            // Visits without a UTM term, as rows name the empty value.
            json!([["is", "visit:utm_term", ["(none)"]]]),
            vec![F {
                op: "is",
                dim: "utm_term",
                values: vec![""],
            }],
        ),
        (
            json!([["matches_not", "visit:country", ["^(US|DE)$"]]]),
            vec![F {
                op: "matches_not",
                dim: "country",
                values: vec!["^(US|DE)$"],
            }],
        ),
    ];
    for (qf, fs) in &query_filters {
        // Two dimensions: the visit's source and the page.
        let by = |e: &Ev, v: &Visit, visit: bool| -> Option<String> {
            let source = &v.dims[0];
            let page = if visit {
                (!v.entry_page.is_empty()).then(|| v.entry_page.clone())?
            } else {
                value_of(e, v, "page")?
            };
            Some(format!("{source}\u{1}{page}"))
        };
        let sums = brute(&hits, &visits, from, to, fs, &by);
        let body = query(
            json!({"metrics": QM, "date_range": range, "timezone": "Asia/Kolkata",
            "dimensions": ["visit:source", "event:page"], "filters": qf}),
        )
        .await;
        let rows = body["results"].as_array().unwrap();
        assert_eq!(body["meta"]["total_rows"], sums.len(), "{qf}: {body}");
        assert_eq!(rows.len(), sums.len(), "{qf}");
        let mut prev = u64::MAX;
        for row in rows {
            let d = row["dimensions"].as_array().unwrap();
            let source = d[0].as_str().unwrap();
            let source = if source == "(none)" { "" } else { source };
            let key = format!("{source}\u{1}{}", d[1].as_str().unwrap());
            let s = sums.get(&key).cloned().unwrap_or_default();
            assert_eq!(row["metrics"], json!(metrics_of(&s)), "{qf} {key}");
            let v = row["metrics"][0].as_u64().unwrap();
            assert!(v <= prev, "ordered by visitors, descending");
            prev = v;
        }
        // A visit's utm_content beside each hit's host (a visit counts under the host of its
        // first matching hit).
        let by_content = |e: &Ev, v: &Visit, _: bool| -> Option<String> {
            Some(format!("{}\u{1}{}", v.extras[0], e.hostname))
        };
        let sums = brute(&hits, &visits, from, to, fs, &by_content);
        let body = query(
            json!({"metrics": QM, "date_range": range, "timezone": "Asia/Kolkata",
            "dimensions": ["visit:utm_content", "event:hostname"], "filters": qf}),
        )
        .await;
        let got: BTreeMap<String, Value> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let d = |i: usize| {
                    let v = r["dimensions"][i].as_str().unwrap();
                    if v == "(none)" {
                        String::new()
                    } else {
                        v.to_string()
                    }
                };
                (format!("{}\u{1}{}", d(0), d(1)), r["metrics"].clone())
            })
            .collect();
        let expected: BTreeMap<String, Value> = sums
            .iter()
            .map(|(k, s)| (k.clone(), json!(metrics_of(s))))
            .collect();
        assert_eq!(got, expected, "utm_content × hostname {qf}");
        if fs.is_empty() {
            let keys: Vec<&String> = expected.keys().collect();
            assert!(
                keys.iter().any(|k| k.starts_with("hero\u{1}"))
                    && keys.iter().any(|k| k.starts_with("footer\u{1}")),
                "the traffic has both: {keys:?}"
            );
        }
        // The exit page: a visit property, like the entry page.
        let by_exit = |_: &Ev, v: &Visit, _: bool| -> Option<String> {
            (!v.exit_page.is_empty()).then(|| v.exit_page.clone())
        };
        let sums = brute(&hits, &visits, from, to, fs, &by_exit);
        let body = query(
            json!({"metrics": QM, "date_range": range, "timezone": "Asia/Kolkata",
            "dimensions": ["visit:exit_page"], "filters": qf}),
        )
        .await;
        let got: BTreeMap<String, Value> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["dimensions"][0] != "(none)")
            .map(|r| {
                (
                    r["dimensions"][0].as_str().unwrap().to_string(),
                    r["metrics"].clone(),
                )
            })
            .collect();
        let expected: BTreeMap<String, Value> = sums
            .iter()
            .map(|(k, s)| (k.clone(), json!(metrics_of(s))))
            .collect();
        assert_eq!(got, expected, "exit pages {qf}");
        // What the user agent, the screen and the address say, two at a time.
        for (d1, d2) in [
            ("os", "city"),
            ("browser_version", "screen"),
            ("os_version", "region"),
        ] {
            let by = |e: &Ev, v: &Visit, _: bool| -> Option<String> {
                Some(format!(
                    "{}\u{1}{}",
                    value_of(e, v, d1)?,
                    value_of(e, v, d2)?
                ))
            };
            let sums = brute(&hits, &visits, from, to, fs, &by);
            let body = query(json!({"metrics": QM, "date_range": range,
                "timezone": "Asia/Kolkata", "filters": qf,
                "dimensions": [format!("visit:{d1}"), format!("visit:{d2}")]}))
            .await;
            let got: BTreeMap<String, Value> = body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let d = |i: usize| {
                        let v = r["dimensions"][i].as_str().unwrap();
                        if v == "(none)" {
                            String::new()
                        } else {
                            v.to_string()
                        }
                    };
                    (format!("{}\u{1}{}", d(0), d(1)), r["metrics"].clone())
                })
                .collect();
            let expected: BTreeMap<String, Value> = sums
                .iter()
                .map(|(k, s)| (k.clone(), json!(metrics_of(s))))
                .collect();
            assert_eq!(got, expected, "{d1} × {d2} {qf}");
            if fs.is_empty() && d1 == "os" {
                assert!(
                    expected.keys().any(|k| k.ends_with("\u{1}Berlin")),
                    "the traffic has a visit from Berlin: {:?}",
                    expected.keys().collect::<Vec<_>>()
                );
            }
        }
        // A custom property: hits by their value (`(none)` without one); a visit under every
        // value its matching hits carry.
        let mut want: BTreeMap<String, Sums> = BTreeMap::new();
        let mut seen: HashMap<(usize, String), ()> = HashMap::new();
        for (e, vi) in &hits {
            let v = &visits[*vi];
            if e.ts < from || e.ts >= to || !matches(e, v, fs) {
                continue;
            }
            let value = e.plan.clone().unwrap_or_else(|| "(none)".into());
            let s = want.entry(value.clone()).or_default();
            s.visitors.insert(e.visitor.clone());
            s.events += 1;
            s.pageviews += i64::from(e.kind == "pageview");
            if v.start >= from && v.start < to && seen.insert((*vi, value.clone()), ()).is_none() {
                s.visits += 1;
                s.bounces += i64::from(v.pageviews <= 1);
                s.duration += v.last - v.start;
            }
        }
        let body = query(
            json!({"metrics": QM, "date_range": range, "timezone": "Asia/Kolkata",
            "dimensions": ["event:props:plan"], "filters": qf,
            "order_by": [["event:props:plan", "asc"]]}),
        )
        .await;
        let got: Vec<(String, Value)> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["dimensions"][0].as_str().unwrap().to_string(),
                    r["metrics"].clone(),
                )
            })
            .collect();
        let expected: Vec<(String, Value)> = want
            .iter()
            .map(|(k, s)| (k.clone(), json!(metrics_of(s))))
            .collect();
        assert_eq!(got, expected, "props {qf}");
        if fs.is_empty() {
            let keys: Vec<&str> = want.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                ["(none)", "free", "pro", "trial"],
                "the traffic has every value"
            );
        }
    }
    // Logical filters: (country is US, or not a desktop) and not on a blog page — `not` also
    // admits the hits without a page (custom events, goals), `is_not` would not.
    let pred = |e: &Ev, v: &Visit| -> bool {
        let leaf = |op: &'static str, dim: &'static str, value: &'static str| {
            matches(
                e,
                v,
                &[F {
                    op,
                    dim,
                    values: vec![value],
                }],
            )
        };
        (leaf("is", "country", "US") || !leaf("is", "device", "desktop"))
            && !leaf("contains", "page", "blog")
    };
    let by_source = |e: &Ev, v: &Visit, visit: bool| -> Option<String> {
        let goal = if visit {
            String::new()
        } else {
            value_of(e, v, "goal").unwrap_or_default()
        };
        Some(format!("{}\u{1}{goal}", v.dims[0]))
    };
    let sums = brute_where(&hits, &visits, from, to, &pred, &by_source);
    let body = query(json!({"metrics": QM,
        "date_range": range, "timezone": "Asia/Kolkata", "dimensions": ["visit:source"],
        "filters": [["or", [["is", "visit:country", ["US"]], ["not", ["is", "visit:device", ["desktop"]]]]],
                    ["not", ["contains", "event:page", ["blog"]]]]}))
    .await;
    let mut by_source_only: BTreeMap<String, Sums> = BTreeMap::new();
    for (k, s) in &sums {
        let source = k.split('\u{1}').next().unwrap().to_string();
        let t = by_source_only.entry(source).or_default();
        t.visitors.extend(s.visitors.iter().cloned());
        t.events += s.events;
        t.pageviews += s.pageviews;
        t.visits += s.visits;
        t.bounces += s.bounces;
        t.duration += s.duration;
    }
    let got: BTreeMap<String, Value> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["dimensions"][0].as_str().unwrap().to_string(),
                r["metrics"].clone(),
            )
        })
        .collect();
    let expected: BTreeMap<String, Value> = by_source_only
        .iter()
        .map(|(k, s)| {
            (
                if k.is_empty() {
                    "(none)".into()
                } else {
                    k.clone()
                },
                json!(metrics_of(s)),
            )
        })
        .collect();
    assert_eq!(got, expected, "logical filters: {body}");
    // Each source's share of the visitors the same filters leave.
    let all: HashSet<&String> = by_source_only.values().flat_map(|s| &s.visitors).collect();
    let body = query(json!({"metrics": ["visitors", "percentage"], "date_range": range,
        "timezone": "Asia/Kolkata", "dimensions": ["visit:source"],
        "filters": [["or", [["is", "visit:country", ["US"]], ["not", ["is", "visit:device", ["desktop"]]]]],
                    ["not", ["contains", "event:page", ["blog"]]]]}))
    .await;
    let mut shares = 0.0;
    for r in body["results"].as_array().unwrap() {
        let source = r["dimensions"][0].as_str().unwrap();
        let n = by_source_only[source].visitors.len();
        let want = (n as f64 * 10_000.0 / all.len() as f64).round() / 100.0;
        assert_eq!(r["metrics"], json!([n, want]), "{source}: {body}");
        shares += want;
    }
    assert!(
        shares >= 99.9,
        "a visitor has one source per visit, at least: {shares}"
    );
    assert!(
        sums.keys()
            .any(|k| k.ends_with("\u{1}signup") || k.ends_with("\u{1}checkout:done")),
        "goals pass `not` on a page: {:?}",
        sums.keys().collect::<Vec<_>>()
    );
    // A filter on a property, and the comparison with the previous period: the last two days
    // against the two before.
    let fs = vec![F {
        op: "is",
        dim: "plan",
        values: vec!["pro", "trial"],
    }];
    let mid = midnight(tz, d_from + Duration::days(1));
    let range2 = json!([(d_from + Duration::days(1)).to_string(), d_to.to_string()]);
    let body = query(
        json!({"metrics": QM, "date_range": range2, "timezone": "Asia/Kolkata",
        "filters": [["is", "event:props:plan", ["pro", "trial"]]],
        "include": {"comparisons": {"mode": "previous_period"}}}),
    )
    .await;
    let total = |_: &Ev, _: &Visit, _: bool| Some(String::new());
    let now = brute(&hits, &visits, mid, to, &fs, &total);
    let then = brute(&hits, &visits, mid - (to - mid), mid, &fs, &total);
    let row = &body["results"][0];
    assert!(
        now.contains_key("") && then.contains_key(""),
        "both periods have matching traffic"
    );
    assert_eq!(
        row["metrics"],
        json!(metrics_of(&now.get("").cloned().unwrap_or_default()))
    );
    assert_eq!(
        row["comparison"]["metrics"],
        json!(metrics_of(&then.get("").cloned().unwrap_or_default())),
        "{body}"
    );
    // The aggregate and the time series compare the same way.
    let day2 = d_from + Duration::days(1);
    let body = get(format!(
        "aggregate?from={day2}&to={d_to}&timezone=Asia%2FKolkata&compare=previous_period&metrics=visitors,visits,pageviews,bounce_rate,visit_duration,events"
    ))
    .await;
    let all_now = brute(&hits, &visits, mid, to, &[], &total);
    let all_then = brute(&hits, &visits, mid - (to - mid), mid, &[], &total);
    let exp = |m: &BTreeMap<String, Sums>| {
        let e = expected_metrics(&m.get("").cloned().unwrap_or_default(), 0);
        pick(&e, &QM)
    };
    assert_eq!(pick(&body["data"], &QM), exp(&all_now), "{body}");
    assert_eq!(
        pick(&body["comparison"]["data"], &QM),
        exp(&all_then),
        "{body}"
    );
    assert_eq!(body["comparison"]["mode"], "previous_period");
    let body = get(format!(
        "timeseries?from={day2}&to={d_to}&timezone=Asia%2FKolkata&compare=previous_period&interval=day&metrics=visitors"
    ))
    .await;
    let then_days: Vec<Value> = body["comparison"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].clone())
        .collect();
    assert_eq!(
        then_days,
        [
            json!((d_from - Duration::days(1)).to_string()),
            json!(d_from.to_string())
        ],
        "{body}"
    );
    let (a, b) = (
        row["metrics"][0].as_f64().unwrap(),
        row["comparison"]["metrics"][0].as_f64().unwrap(),
    );
    assert_eq!(
        row["comparison"]["change"][0],
        if b == 0.0 {
            Value::Null
        } else {
            json!(((a - b) / b * 100.0).round() as i64)
        }
    );
    app.stop().await;
}

/// A visit is counted on the local day it starts; hits on the local day they happen. Checked at
/// New York's midnight and across its autumn DST change (a 25-hour local day).
async fn local_days_follow_the_time_zone(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "shop.example.com", "America/New_York").await;
    // 2025-11-02: clocks go back at 02:00 EDT; local midnight is 04:00Z, the next one 05:00Z.
    let at = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
            .to_rfc3339()
    };
    let ev = |v: &str, t: &str| json!({"site_id": site_id, "visitor_id": v, "url": "/", "occurred_at": at(t)});
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": [
            ev("a", "2025-11-02T03:59:00Z"), // Nov 1, 23:59 EDT
            ev("a", "2025-11-02T04:10:00Z"), // Nov 2, 00:10 EDT: same visit, started Nov 1
            ev("b", "2025-11-03T04:30:00Z"), // Nov 2, 23:30 EST (the 25th local hour)
            ev("c", "2025-11-03T05:00:00Z"), // Nov 3, 00:00 EST
        ]}))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 4, "{r:?}");
    let body = app
        .get(&format!("/api/v1/sites/{site_id}/stats/timeseries?from=2025-11-01&to=2025-11-03&metrics=visitors,visits,pageviews&min_position={}", r.position()))
        .workspace(&ws)
        .send()
        .await
        .body;
    assert_eq!(
        body["data"],
        json!([
            {"date": "2025-11-01", "visitors": 1, "visits": 1, "pageviews": 1},
            {"date": "2025-11-02", "visitors": 2, "visits": 1, "pageviews": 2},
            {"date": "2025-11-03", "visitors": 1, "visits": 1, "pageviews": 1},
        ]),
        "{body}"
    );
    let hours = app
        .get(&format!("/api/v1/sites/{site_id}/stats/timeseries?from=2025-11-02&to=2025-11-02&interval=hour&metrics=pageviews"))
        .workspace(&ws)
        .send()
        .await
        .body;
    assert_eq!(hours["data"].as_array().unwrap().len(), 25, "{hours}");
    assert_eq!(hours["data"][1]["date"], "2025-11-02T01:00:00-04:00");
    assert_eq!(hours["data"][2]["date"], "2025-11-02T01:00:00-05:00");
    // In UTC the same hits fall on other days.
    let utc = app
        .get(&format!("/api/v1/sites/{site_id}/stats/timeseries?from=2025-11-02&to=2025-11-03&timezone=UTC&metrics=pageviews"))
        .workspace(&ws)
        .send()
        .await
        .body;
    assert_eq!(
        utc["data"],
        json!([{"date": "2025-11-02", "pageviews": 2}, {"date": "2025-11-03", "pageviews": 2}]),
        "{utc}"
    );
    app.stop().await;
}

async fn visitor_profiles_funnels_and_the_metrics_feed(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "shop.example.com", "UTC").await;
    let t0 = Utc::now() - Duration::days(3);
    let at = |mins: i64| (t0 + Duration::minutes(mins)).to_rfc3339();
    let pv = |v: &str, path: &str, m: i64| json!({"site_id": site_id, "visitor_id": v, "url": path, "occurred_at": at(m)});
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": [
            pv("a", "/", 0), pv("a", "/pricing", 1), pv("b", "/", 0), pv("b", "/pricing", 1),
            pv("c", "/pricing", 0), pv("d", "/", 0),
        ]}))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 6, "{r:?}");
    for (v, m) in [("a", 2), ("c", 1), ("d", 2 * 24 * 60)] {
        let r = app.post("/api/v1/goals").workspace(&ws)
            .json(json!({"site_id": site_id, "visitor_id": v, "name": "signup", "occurred_at": at(m)})).send().await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    }
    let r = app
        .post("/api/v1/payments")
        .workspace(&ws)
        .json(json!({"site_id": site_id, "visitor_id": "a",
        "amount": 1000, "currency": "USD", "transaction_id": "tx_a", "occurred_at": at(3)}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app.post("/api/v1/identify").workspace(&ws)
        .json(json!({"site_id": site_id, "visitor_id": "a", "user_id": "user_1", "traits": {"plan": "pro"}})).send().await;
    let pos = r.position();

    let p = app
        .get(&format!(
            "/api/v1/sites/{site_id}/visitors/a?min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(p.status, StatusCode::OK, "{p:?}");
    let d = &p.body["data"];
    assert_eq!(
        (d["visitor_id"].as_str(), d["user_id"].as_str()),
        (Some("a"), Some("user_1")),
        "{d}"
    );
    assert_eq!(d["traits"]["plan"], "pro");
    assert_eq!(
        (
            d["visits"].as_i64(),
            d["pageviews"].as_i64(),
            d["events"].as_i64()
        ),
        (Some(1), Some(2), Some(3)),
        "{d}"
    );
    assert_eq!(d["goals"][0]["name"], "signup");
    assert_eq!(d["payments"][0]["transaction_id"], "tx_a");
    assert_eq!(d["lifetime_revenue"], json!({"USD": 1000}));
    assert_eq!(d["first_seen"].as_str().unwrap()[..16], at(0)[..16]);
    let r = app
        .get(&format!("/api/v1/sites/{site_id}/visitors/nobody"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The visitors list (DataFast): filters, sort, counts.
    let list = |q: &str| {
        let app = &app;
        let url = format!("/api/v1/sites/{site_id}/visitors?{q}");
        let ws = ws.clone();
        async move { app.get(&url).workspace(&ws).send().await }
    };
    let ids = |r: &keel_tests::Resp| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["visitor_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = list(&format!("min_position={pos}")).await;
    assert_eq!(all.status, StatusCode::OK, "{all:?}");
    assert_eq!(all.body["meta"]["total_count"], 4, "{all:?}");
    assert_eq!(
        ids(&all)[0],
        "d",
        "newest first: d came back two days later"
    );
    let by_views = list("sort=-events&limit=1").await;
    assert_eq!(ids(&by_views), ["a"], "{by_views:?}");
    assert_eq!(by_views.body["meta"]["total_count"], 4);
    assert!(by_views.body["meta"]["next"].is_string());
    let known = list("identified=true").await;
    assert_eq!(ids(&known), ["a"], "{known:?}");
    assert_eq!(known.body["data"][0]["user_id"], "user_1");
    assert_eq!(known.body["data"][0]["traits"]["plan"], "pro");
    assert_eq!(known.body["data"][0]["goals"], 1);
    assert_eq!(ids(&list("identified=false").await).len(), 3);
    assert_eq!(ids(&list("search=USER_").await), ["a"]);
    let recent = list(&format!("seen_after={}", enc(&at(24 * 60)))).await;
    assert_eq!(ids(&recent), ["d"], "{recent:?}");
    for bad in ["identified=maybe", "sort=visits", "seen_after=yesterday"] {
        assert_eq!(list(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let funnel = |q: &str| {
        let app = &app;
        let ws = ws.clone();
        let url = format!("/api/v1/sites/{site_id}/funnels?period=7d&{q}");
        async move { app.get(&url).workspace(&ws).send().await }
    };
    let f = funnel("steps=page:/,page:/pricing,goal:signup").await;
    assert_eq!(f.status, StatusCode::OK, "{f:?}");
    let got: Vec<u64> = f.body["data"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["visitors"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [3, 2, 1], "{f:?}");
    assert_eq!(f.body["data"]["steps"][1]["dropoff"], 1);
    assert_eq!(f.body["data"]["steps"][2]["conversion_rate"], 33.33);
    // A window of three days lets d's late signup count — but d never saw /pricing.
    let f = funnel("steps=page:/,goal:signup&window=4320").await;
    let got: Vec<u64> = f.body["data"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["visitors"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [3, 2], "{f:?}");
    let f = funnel("steps=page:/,goal:signup&window=60").await;
    assert_eq!(f.body["data"]["steps"][1]["visitors"], 1, "{f:?}");
    for bad in [
        "steps=page:/",
        "steps=page:/,bogus",
        "steps=page:/,goal:Sign%20up",
        "steps=page:/,goal:x&window=0",
    ] {
        let r = funnel(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {r:?}");
    }

    // The flat feed: one point per metric and day; following `next` yields every point once.
    let mut url = format!("/api/v1/metrics?site_id={site_id}&metric_id=pageviews&limit=7");
    let mut values = Vec::new();
    loop {
        let r = app.get(&url).workspace(&ws).send().await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        values.extend(
            r.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["value"].as_i64().unwrap()),
        );
        match r.body["meta"]["next"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(values.len(), 30);
    assert_eq!(values.iter().sum::<i64>(), 6);
    let r = app
        .get(&format!(
            "/api/v1/metrics?metric_id=goal:signup&limit=1000&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    let pts = r.body["data"].as_array().unwrap();
    assert!(!pts.is_empty(), "{r:?}");
    assert!(
        pts.iter()
            .all(|p| p["metric_id"] == "goal:signup" && p["site_id"] == site_id.as_str()),
        "{r:?}"
    );
    assert_eq!(
        pts.iter()
            .map(|p| p["value"].as_i64().unwrap())
            .sum::<i64>(),
        3
    );
    let r = app
        .get(&format!(
            "/api/v1/metrics?metric_id=revenue&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    let pts = r.body["data"].as_array().unwrap();
    assert_eq!(
        pts.iter()
            .map(|p| p["value"].as_i64().unwrap())
            .sum::<i64>(),
        1000,
        "{r:?}"
    );
    assert!(pts.iter().all(|p| p["currency"] == "USD"));
    // Dashtray's point: id, unit, a millisecond timestamp, metadata; and `pagination`.
    let p = &pts[0];
    assert_eq!(p["unit"], "USD", "{p}");
    assert_eq!(p["metadata"]["currency"], "usd");
    assert_eq!(p["metadata"]["interval"], "day");
    assert!(p["id"].as_str().is_some_and(|id| id.contains(":revenue:")));
    let day = chrono::NaiveDate::parse_from_str(p["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(
        p["timestamp"].as_i64(),
        Some(
            day.and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        ),
        "a UTC site's day starts at midnight UTC: {p}"
    );
    assert_eq!(r.body["pagination"]["limit"], 100, "Dashtray's default");
    assert_eq!(r.body["pagination"]["offset"], 0);
    assert_eq!(r.body["pagination"]["has_more"], false);
    let r = app
        .get("/api/v1/metrics?metric_id=pageviews&limit=10")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["pagination"]["has_more"], true, "{r:?}");
    // `profit` could be a pushed metric's id; `Profit!` cannot be any metric's.
    for bad in [
        "metric_id=Profit!",
        "metric_id=goal:",
        "start_date=yesterday",
    ] {
        let r = app
            .get(&format!("/api/v1/metrics?{bad}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {r:?}");
    }
    app.stop().await;
}

/// DataFast's website keys: a key restricted to one site reaches that site only, and a body
/// without `site_id` means its site.
async fn a_website_key_reaches_its_site_only(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_a = site(&app, &ws, "a.example.com", "UTC").await;
    let site_b = site(&app, &ws, "b.example.com", "UTC").await;
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "df_ website key", "site_id": site_a,
            "scopes": ["events:write", "analytics:read", "sites:read"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["site_id"], json!(site_a));
    let key = r.body["data"]["key"].as_str().unwrap().to_string();
    let key_id = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "nowhere", "site_id": uuid::Uuid::now_v7().to_string(), "scopes": ["events:write"]}))
        .send()
        .await;
    assert_eq!(
        (r.status, &r.body["error"]["details"]["fields"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("site_id")),
        "{r:?}"
    );

    // Bodies without site_id are its site's; another site is 403 and nothing is written.
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({"events": [{"visitor_id": "v1", "url": "/"}, {"visitor_id": "v2", "url": "/x"}]}))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 2, "{r:?}");
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({"events": [{"visitor_id": "v3", "url": "/"}, {"site_id": site_b, "visitor_id": "v4", "url": "/"}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app
        .post("/api/v1/goals")
        .token(&key)
        .json(json!({"visitor_id": "v1", "name": "signup"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let pos = r.position();
    let r = app
        .post("/api/v1/goals")
        .token(&key)
        .json(json!({"site_id": site_b, "visitor_id": "v1", "name": "signup"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let agg = app
        .get(&format!(
            "/api/v1/sites/{site_a}/stats/aggregate?period=7d&metrics=visitors,pageviews&min_position={pos}"
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(
        agg.body["data"],
        json!({"visitors": 2, "pageviews": 2}),
        "{agg:?}"
    );
    for path in [
        format!("/api/v1/sites/{site_b}/stats/aggregate?period=7d"),
        format!("/api/v1/sites/{site_b}"),
        "/api/v1/sites".to_string(),
    ] {
        let r = app.get(&path).token(&key).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {r:?}");
        assert!(
            r.body["message"].as_str().unwrap().contains("website key"),
            "{r:?}"
        );
    }
    let own = app
        .get(&format!("/api/v1/sites/{site_a}?min_position={pos}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK, "{own:?}");
    // The metrics feed is its site's.
    let feed = app
        .get("/api/v1/metrics?metric_id=pageviews")
        .token(&key)
        .send()
        .await;
    assert!(
        feed.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["site_id"] == json!(site_a)),
        "{feed:?}"
    );
    // It lists as a website key.
    let k = app
        .get(&format!("/api/v1/keys/{key_id}?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(k.body["data"]["site_id"], json!(site_a), "{k:?}");
    app.stop().await;
}

async fn the_pixel_takes_hits_from_its_sites_origin_only(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com"}))
        .send()
        .await;
    let site_id = r.body["data"]["id"].as_str().unwrap().to_string();
    let tracking = r.body["data"]["tracking_id"].as_str().unwrap().to_string();
    let seen = app
        .get(&format!(
            "/api/v1/sites/{site_id}?min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let origin = "https://www.shop.example.com";

    let pre = app
        .call(reqwest::Method::OPTIONS, "/api/v1/pixel/track")
        .no_token()
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT, "{pre:?}");
    assert_eq!(
        pre.header("Access-Control-Allow-Origin").as_deref(),
        Some(origin)
    );
    let pre = app
        .call(reqwest::Method::OPTIONS, "/api/v1/pixel/track")
        .no_token()
        .header("Origin", "https://evil.example.net")
        .send()
        .await;
    assert_eq!(pre.status, StatusCode::FORBIDDEN, "{pre:?}");
    assert!(pre.header("Access-Control-Allow-Origin").is_none());

    let cfg = app
        .get(&format!("/api/v1/pixel/config?tracking_id={tracking}"))
        .no_token()
        .header("Origin", origin)
        .send()
        .await;
    assert_eq!(cfg.status, StatusCode::OK, "{cfg:?}");
    assert_eq!(cfg.body["data"]["domain"], "shop.example.com");
    assert_eq!(
        cfg.header("Access-Control-Allow-Origin").as_deref(),
        Some(origin)
    );
    let r = app
        .get(&format!("/api/v1/pixel/config?tracking_id={tracking}"))
        .no_token()
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no Origin: {r:?}");
    let r = app
        .get("/api/v1/pixel/config?tracking_id=kt_nope")
        .no_token()
        .header("Origin", origin)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    let hit = |url: &str, ua: &str, from: &str| {
        let app = &app;
        let body = json!({"tracking_id": tracking, "url": url, "referrer": "https://news.ycombinator.com/"});
        let ua = ua.to_string();
        let from = from.to_string();
        async move {
            app.post("/api/v1/pixel/track")
                .no_token()
                .header("Origin", &from)
                .header("User-Agent", &ua)
                .header("Content-Type", "text/plain")
                .json(body)
                .send()
                .await
        }
    };
    let r = hit(
        "https://shop.example.com/?utm_source=newsletter&utm_campaign=nov",
        CHROME,
        origin,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    assert_eq!(
        r.header("Access-Control-Allow-Origin").as_deref(),
        Some(origin)
    );
    let r2 = hit("https://shop.example.com/pricing", CHROME, origin).await;
    assert_eq!(r2.status, StatusCode::ACCEPTED, "{r2:?}");
    let bot = hit("https://shop.example.com/", "Googlebot/2.1", origin).await;
    assert_eq!(
        (bot.status, &bot.body["data"]["status"]),
        (StatusCode::ACCEPTED, &json!("ignored")),
        "{bot:?}"
    );
    assert!(
        bot.body["data"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("bot")),
        "an ignored hit says why: {bot:?}"
    );
    let evil = hit(
        "https://shop.example.com/",
        CHROME,
        "https://evil.example.net",
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN, "{evil:?}");
    let bad = hit("javascript:alert(1)", CHROME, origin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");

    let agg = app
        .get(&format!("/api/v1/sites/{site_id}/stats/aggregate?period=7d&metrics=visitors,pageviews,visits&min_position={}", r2.position()))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        agg.body["data"],
        json!({"visitors": 1, "pageviews": 2, "visits": 1}),
        "{agg:?}"
    );
    let utm = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=utm_campaign"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(utm.body["data"][0]["utm_campaign"], "nov", "{utm:?}");
    let src = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=source"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        src.body["data"][0]["source"], "newsletter",
        "utm_source wins over the referrer: {src:?}"
    );

    // core-api's pixel: no tracking id (the Origin names the site), `event`, `user_agent`.
    let cfg = app
        .get("/api/v1/pixel/config")
        .no_token()
        .header("Origin", origin)
        .send()
        .await;
    assert_eq!(cfg.status, StatusCode::OK, "{cfg:?}");
    assert_eq!(
        (
            &cfg.body["enabled"],
            &cfg.body["features"],
            &cfg.body["sample_rate"]
        ),
        (
            &json!(true),
            &json!({"pageviews": true, "events": true, "sessions": true}),
            &json!(1.0)
        ),
        "{cfg:?}"
    );
    assert_eq!(cfg.body["data"]["tracking_id"], json!(tracking));
    let track = |event: &str| {
        let app = &app;
        let body = json!({"event": event, "url": "https://shop.example.com/signup",
            "referrer": "https://google.com", "user_agent": FIREFOX, "properties": {"title": "Sign up"}});
        async move {
            app.post("/api/v1/pixel/track")
                .no_token()
                .header("Origin", origin)
                .json(body)
                .send()
                .await
        }
    };
    let r = track("pageview").await;
    assert_eq!(
        (r.status, &r.body["tracked"]),
        (StatusCode::OK, &json!(true)),
        "{r:?}"
    );
    let r = track("signup").await;
    assert_eq!(r.body["tracked"], true, "{r:?}");
    let agg = app
        .get(&format!(
            "/api/v1/sites/{site_id}/stats/aggregate?period=7d&metrics=pageviews,events&min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        agg.body["data"],
        json!({"pageviews": 3, "events": 4}),
        "a pageview and a custom event more (events count every hit): {agg:?}"
    );
    let r = app
        .get("/api/v1/pixel/config")
        .no_token()
        .header("Origin", "https://nowhere.example.org")
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    // Two sites on one domain: the Origin cannot say which.
    let other = app.create_workspace("Other", "pro").await;
    let r = app
        .post("/api/v1/sites")
        .workspace(&other)
        .json(json!({"name": "Shop too", "domain": "shop.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    app.get(&format!("/api/v1/sites?min_position={}", r.position()))
        .workspace(&other)
        .send()
        .await;
    let r = track("pageview").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert!(r.body["message"].as_str().unwrap().contains("tracking_id"));
    app.stop().await;
}

async fn dashboards_are_saved_and_answer_every_widget(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "shop.example.com", "UTC").await;
    let at = (Utc::now() - Duration::days(2)).to_rfc3339();
    let ev = |v: &str, path: &str| json!({"site_id": site_id, "visitor_id": v, "url": path, "occurred_at": at});
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": [ev("a", "/a"), ev("a", "/b"), ev("b", "/a"), ev("c", "/c")]}))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 4, "{r:?}");
    let pos = r.position();
    let (_, key, _) = app.create_key(&ws, "dash", &["analytics:write"]).await;
    let widgets = json!([
        {"title": "Pageviews", "site_id": site_id, "metric": "pageviews", "interval": "day", "period": "7d"},
        {"site_id": site_id, "metric": "visitors", "interval": "week", "period": "30d", "filters": [["is", "page", ["/a"]]]},
    ]);
    let r = app
        .post("/api/v1/dashboards")
        .token(&key)
        .json(json!({"name": "Traffic", "description": "Where visitors come from", "widgets": widgets}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    // Dashtray's fields: description and type.
    assert_eq!(r.body["data"]["description"], "Where visitors come from");
    assert_eq!(r.body["data"]["type"], "custom");
    assert_eq!(
        r.header("Location").unwrap(),
        format!("/api/v1/dashboards/{id}")
    );
    for (body, field) in [
        (
            json!({"name": "x", "widgets": [{"site_id": site_id, "metric": "profit", "interval": "day", "period": "7d"}]}),
            "widgets[0].metric",
        ),
        (
            json!({"name": "x", "widgets": [{"site_id": uuid::Uuid::now_v7().to_string(), "metric": "visits", "interval": "day", "period": "7d"}]}),
            "widgets[0].site_id",
        ),
        (json!({"name": ""}), "name"),
    ] {
        let r = app
            .post("/api/v1/dashboards")
            .token(&key)
            .json(body)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(
            r.body["error"]["details"]["fields"][0]["field"], field,
            "{r:?}"
        );
    }
    let list = app
        .get(&format!("/api/v1/dashboards?min_position={}", r.position()))
        .token(&key)
        .send()
        .await;
    assert_eq!(list.body["meta"]["total_count"], 1, "{list:?}");
    assert_eq!(list.body["data"][0]["widgets"][0]["title"], "Pageviews");
    assert_eq!(
        (
            &list.body["data"][0]["description"],
            &list.body["data"][0]["type"]
        ),
        (&json!("Where visitors come from"), &json!("custom"))
    );
    let r = app
        .patch(&format!("/api/v1/dashboards/{id}"))
        .token(&key)
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Traffic & goals"}))
        .send()
        .await;
    assert_eq!(
        (r.status, &r.body["data"]["version"]),
        (StatusCode::OK, &json!(2)),
        "{r:?}"
    );
    let r = app
        .patch(&format!("/api/v1/dashboards/{id}"))
        .token(&key)
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Stale"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    let d = app
        .get(&format!("/api/v1/dashboards/{id}/data?min_position={pos}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.body["data"]["name"], "Traffic & goals");
    let series = |i: usize| {
        d.body["data"]["widgets"][i]["series"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(series(0).len(), 7);
    assert_eq!(
        series(0)
            .iter()
            .map(|p| p["value"].as_i64().unwrap())
            .sum::<i64>(),
        4,
        "{d:?}"
    );
    assert_eq!(d.body["data"]["widgets"][0]["source"], "rollups");
    assert_eq!(
        series(1)
            .iter()
            .map(|p| p["value"].as_i64().unwrap())
            .sum::<i64>(),
        2,
        "{d:?}"
    );
    assert_eq!(d.body["data"]["widgets"][1]["source"], "events");

    let r = app
        .delete(&format!("/api/v1/dashboards/{id}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    for path in [
        format!("/api/v1/dashboards/{id}?min_position={}", r.position()),
        format!("/api/v1/dashboards/{id}/data"),
    ] {
        let r = app.get(&path).token(&key).send().await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {r:?}");
    }
    app.stop().await;
}

/// Retention drops raw hits beyond the window (whole months on Postgres) and the visits that
/// ended before them; every query rollups answer is unchanged, queries that need raw hits from
/// before the horizon say so, and a rebuild's old months are dropped again by the next sweep.
async fn retention_drops_raw_hits_and_rollups_still_answer(b: Backend) {
    let app = spawn_app_with(b, |c| c.analytics_raw_retention_days = 60).await;
    let ws = app.create_workspace("Acme", "enterprise").await;
    let site_id = site(&app, &ws, "shop.example.com", "UTC").await;
    let now = Utc::now();
    let mut events = vec![];
    for (days, visitors) in [(200, 3), (120, 2), (10, 4)] {
        let at = (now - Duration::days(days))
            .date_naive()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc();
        for v in 0..visitors {
            let visitor = format!("v{days}-{v}");
            for (k, page) in ["/", "/pricing"].iter().enumerate().take(1 + v % 2) {
                let t = (at + Duration::minutes(k as i64)).to_rfc3339();
                events.push(json!({"site_id": site_id, "visitor_id": visitor, "url": format!("https://shop.example.com{page}"),
                    "referrer": if v == 0 { "https://www.google.com/" } else { "" }, "occurred_at": t}));
            }
            events.push(
                json!({"site_id": site_id, "visitor_id": visitor, "type": "custom", "name": "click",
                "properties": {"plan": "pro"}, "occurred_at": at.to_rfc3339()}),
            );
        }
    }
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({ "events": events }))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], events.len(), "{r:?}");
    let pos = r.position();
    let from = (now - Duration::days(250)).date_naive();
    let to = now.date_naive();
    // What rollups answer: totals, breakdowns and a monthly series over the whole range.
    let rollup_answers = |min: i64| {
        let app = &app;
        let (ws, site_id) = (ws.clone(), site_id.clone());
        async move {
            let mut out = vec![];
            for q in [
                "stats/aggregate?metrics=visitors,visits,pageviews,events,bounce_rate,visit_duration".to_string(),
                "stats/breakdown?dimension=source".to_string(),
                "stats/breakdown?dimension=page".to_string(),
                "stats/timeseries?interval=month&metrics=visitors,pageviews,visits".to_string(),
            ] {
                let r = app
                    .get(&format!("/api/v1/sites/{site_id}/{q}&from={from}&to={to}&min_position={min}"))
                    .workspace(&ws)
                    .send()
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
                assert_eq!(r.body["meta"]["source"], "rollups", "{q}: {r:?}");
                out.push(r.body["data"].clone());
            }
            out
        }
    };
    let before = rollup_answers(pos).await;
    assert_eq!(before[0]["visitors"], 9, "{:?}", before[0]);
    let filtered = format!(
        "/api/v1/sites/{site_id}/stats/aggregate?from={from}&to={to}&filters={}",
        enc(r#"[["is","page",["/pricing"]]]"#)
    );
    let r = app.get(&filtered).workspace(&ws).send().await;
    assert_eq!(r.body["data"]["visitors"], 4, "{r:?}");
    let query = |range: Value| {
        let app = &app;
        let (ws, site_id) = (ws.clone(), site_id.clone());
        async move {
            app.post(&format!("/api/v1/sites/{site_id}/query"))
                .workspace(&ws)
                .json(
                    json!({"metrics": ["visitors", "events"], "date_range": range,
                    "dimensions": ["visit:source", "event:props:plan"]}),
                )
                .send()
                .await
        }
    };
    let recent = query(json!("30d")).await;
    assert_eq!(recent.status, StatusCode::OK, "{recent:?}");
    let whole = json!([from.to_string(), to.to_string()]);
    assert_eq!(query(whole.clone()).await.status, StatusCode::OK);

    let raw = |sql: &'static str, at: i64| {
        let db = app.db();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(at)
                .fetch_one(&db.pool)
                .await
                .unwrap()
        }
    };
    let cutoff = (now - Duration::days(60)).timestamp_millis();
    assert!(raw("SELECT COUNT(*) FROM rm_hits WHERE ts < $1", cutoff).await > 0);
    let swept = app.post("/api/v1/admin/analytics/retention").send().await;
    assert_eq!(swept.status, StatusCode::OK, "{swept:?}");
    let since = swept.body["data"]["raw_since"].as_i64().unwrap();
    let latest_cutoff = (Utc::now() - Duration::days(60)).timestamp_millis();
    assert!(
        since <= latest_cutoff && since > (now - Duration::days(120)).timestamp_millis(),
        "{swept:?}"
    );
    match b {
        Backend::Embedded => assert_eq!(swept.body["data"]["hits_deleted"], 12, "{swept:?}"),
        _ => {
            let dropped = swept.body["data"]["partitions_dropped"].as_array().unwrap();
            assert_eq!(
                dropped.len(),
                2,
                "the months of 200 and 120 days ago: {swept:?}"
            );
        }
    }
    assert_eq!(swept.body["data"]["visits_deleted"], 5, "{swept:?}");
    let check = |label: &'static str, since: i64| {
        let raw = &raw;
        async move {
            assert_eq!(
                raw("SELECT COUNT(*) FROM rm_hits WHERE ts < $1", since).await,
                0,
                "{label}"
            );
            assert_eq!(
                raw("SELECT COUNT(*) FROM rm_sessions WHERE last_ts < $1", since).await,
                0,
                "{label}"
            );
            assert_eq!(
                raw("SELECT COUNT(*) FROM rm_hits WHERE ts >= $1", since).await,
                10,
                "{label}"
            );
        }
    };
    check("after the sweep", since).await;
    // Rollups answer as before; raw-hit queries from before the horizon say so; later ones
    // answer as before.
    assert_eq!(rollup_answers(pos).await, before);
    let r = app.get(&filtered).workspace(&ws).send().await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert!(r.body.to_string().contains("no longer kept"), "{r:?}");
    let r = query(whole.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert!(r.body.to_string().contains("date_range"), "{r:?}");
    assert_eq!(
        query(json!("30d")).await.body["results"],
        recent.body["results"]
    );
    // Nothing more to drop.
    let again = app.post("/api/v1/admin/analytics/retention").send().await;
    assert_eq!(again.body["data"]["raw_since"], since, "{again:?}");
    assert_eq!(again.body["data"]["visits_deleted"], 0, "{again:?}");

    // A rebuild re-derives everything from the log, old months included; the next sweep drops
    // them again (on Postgres it finds the rebuilt partitions under their usual names).
    let r = app
        .post("/api/v1/admin/projections/analytics/rebuild")
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    app.eventually("/api/v1/admin/projections", None, |r| {
        r.body["data"].as_array().is_some_and(|a| {
            a.iter().any(|p| {
                p["name"] == "analytics"
                    && p["last_rebuild"]["running"] == false
                    && p["last_rebuild"]["finished_at"].is_string()
            })
        })
    })
    .await;
    assert!(raw("SELECT COUNT(*) FROM rm_hits WHERE ts < $1", since).await > 0);
    let swept = app.post("/api/v1/admin/analytics/retention").send().await;
    // The same months on Postgres; on SQLite the cutoff has moved on by the seconds since.
    let since_now = swept.body["data"]["raw_since"].as_i64().unwrap();
    assert!(
        since_now >= since && since_now <= since + 600_000,
        "{swept:?}"
    );
    check("after the rebuild's sweep", since_now).await;
    assert_eq!(rollup_answers(pos).await, before);
    app.stop().await;
}

/// The query endpoint refuses what it cannot answer, naming the field, and answers an empty
/// site with one zero row.
async fn the_query_endpoint_names_what_it_refuses(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "q.example.com", "UTC").await;
    let path = format!("/api/v1/sites/{site_id}/query");
    for (body, field) in [
        (json!({"metrics": []}), "metrics"),
        (json!({"metrics": ["revenue"]}), "metrics[0]"),
        (
            json!({"metrics": ["visitors"], "dimensions": ["visit:planet"]}),
            "dimensions[0]",
        ),
        (
            json!({"metrics": ["visits"], "dimensions": ["event:goal"]}),
            "metrics[0]",
        ),
        (
            json!({"metrics": ["visitors"], "filters": [["like", "visit:source", ["x"]]]}),
            "filters[0]",
        ),
        (
            json!({"metrics": ["visitors"], "filters": [["is", "visit:source", ["x"]], ["or", []]]}),
            "filters[1]",
        ),
        (
            json!({"metrics": ["visitors"], "filters": [["not", ["not", ["not", ["not", ["not", ["is", "visit:os", ["x"]]]]]]]]}),
            "filters[0]",
        ),
        (
            json!({"metrics": ["visitors"], "filters": [["matches", "event:page", ["(unclosed"]]]}),
            "filters[0]",
        ),
        (
            json!({"metrics": ["visitors"], "filters": [["or", [["is", "visit:source", ["x"]]], "extra"]]}),
            "filters[0]",
        ),
        (
            json!({"metrics": ["visitors"], "date_range": "fortnight"}),
            "date_range",
        ),
        (
            json!({"metrics": ["visitors"], "order_by": [["pageviews", "desc"]]}),
            "order_by[0]",
        ),
        (
            json!({"metrics": ["visitors"], "include": {"comparisons": {"mode": "last_week"}}}),
            "include.comparisons.mode",
        ),
        (
            json!({"metrics": ["visitors"], "pagination": {"limit": 0}}),
            "pagination.limit",
        ),
    ] {
        let r = app
            .post(&path)
            .workspace(&ws)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(
            r.body["error"]["details"]["fields"][0]["field"], field,
            "{body}: {r:?}"
        );
    }
    let r = app
        .post(&path)
        .workspace(&ws)
        .json(json!({"metrics": ["visitors", "pageviews"], "date_range": "7d"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["results"],
        json!([{"dimensions": [], "metrics": [0, 0]}])
    );
    assert_eq!(r.body["meta"]["total_rows"], 1);
    // Every day of the range, zeros included, oldest first.
    let r = app
        .post(&path)
        .workspace(&ws)
        .json(json!({"metrics": ["visitors"], "date_range": "7d", "dimensions": ["time:day"]}))
        .send()
        .await;
    assert_eq!(r.body["results"].as_array().unwrap().len(), 7, "{r:?}");
    app.stop().await;
}

/// Realtime: the last five minutes' visitors, read as soon as the ingestion's position; a
/// query's rows as CSV.
async fn realtime_visitors_and_a_query_as_csv(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site_id = site(&app, &ws, "live.example.com", "UTC").await;
    let now = Utc::now();
    let old = (now - Duration::minutes(20)).to_rfc3339();
    let events = json!({"events": [
        {"site_id": site_id, "visitor_id": "a", "url": "https://live.example.com/", "referrer": "https://www.google.com/"},
        {"site_id": site_id, "visitor_id": "a", "url": "https://live.example.com/pricing"},
        {"site_id": site_id, "visitor_id": "b", "url": "https://live.example.com/pricing", "properties": {"plan": "a, \"b\""}},
        {"site_id": site_id, "visitor_id": "c", "url": "https://live.example.com/old", "occurred_at": old},
    ]});
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(events)
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 4, "{r:?}");
    let pos = r.position();
    let r = app
        .get(&format!(
            "/api/v1/sites/{site_id}/realtime?min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = &r.body["data"];
    assert_eq!(
        (d["visitors"].as_u64(), d["pageviews"].as_i64()),
        (Some(2), Some(3)),
        "{r:?}"
    );
    assert_eq!(
        d["top_pages"][0],
        json!({"value": "/pricing", "visitors": 2})
    );
    assert_eq!(d["window_minutes"], 5);
    let sources: Vec<&str> = d["top_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"Google"), "{r:?}");
    // The same traffic as CSV, a property's quotes and comma escaped.
    let r = app
        .post(&format!(
            "/api/v1/sites/{site_id}/query?format=csv&min_position={pos}"
        ))
        .workspace(&ws)
        .json(
            json!({"metrics": ["visitors", "pageviews"], "date_range": "7d",
            "dimensions": ["event:props:plan"], "order_by": [["event:props:plan", "asc"]],
            "include": {"comparisons": {"mode": "previous_period"}}}),
        )
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(
        r.body.as_str().unwrap(),
        "event:props:plan,visitors,pageviews,visitors (comparison),visitors (change),pageviews (comparison),pageviews (change)\r\n\
         (none),2,3,0,,0,\r\n\
         \"a, \"\"b\"\"\",1,1,0,,0,\r\n"
    );
    let sync_csv = r.body.as_str().unwrap().to_string();
    // The same as a job (for results too large for one answer): checked now, built by an api
    // process, downloaded from the exports.
    let export_body = json!({"metrics": ["visitors", "pageviews"], "date_range": "7d",
        "dimensions": ["event:props:plan"], "order_by": [["event:props:plan", "asc"]],
        "include": {"comparisons": {"mode": "previous_period"}}});
    let bad = app
        .post(&format!("/api/v1/sites/{site_id}/query/exports"))
        .workspace(&ws)
        .json(json!({"metrics": ["revenue"]}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    assert!(bad.body.to_string().contains("metrics[0]"), "{bad:?}");
    let queued = app
        .post(&format!("/api/v1/sites/{site_id}/query/exports"))
        .workspace(&ws)
        .json(export_body)
        .send()
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{queued:?}");
    let task = queued.body["data"]["task_id"].as_str().unwrap().to_string();
    let job = app
        .eventually(&format!("/api/v1/exports/{task}"), Some(&ws), |r| {
            r.body["data"]["status"] == "completed" || r.body["data"]["status"] == "failed"
        })
        .await;
    assert_eq!(job.body["data"]["status"], "completed", "{job:?}");
    assert_eq!(job.body["data"]["row_count"], 2, "{job:?}");
    assert_eq!(job.body["data"]["parameters"]["site_id"], site_id.as_str());
    let file = app
        .get(&format!("/api/v1/exports/{task}/download"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(file.status, StatusCode::OK, "{file:?}");
    assert!(file
        .header("content-disposition")
        .unwrap()
        .contains(&format!("query-{task}.csv")));
    assert_eq!(file.body.as_str().unwrap(), sync_csv);
    app.stop().await;
}

keel_tests::on_every_backend!(
    realtime_visitors_and_a_query_as_csv,
    the_query_endpoint_names_what_it_refuses,
    retention_drops_raw_hits_and_rollups_still_answer,
    a_website_key_reaches_its_site_only,
    ingestion_keeps_valid_items_and_names_the_rest,
    goals_payments_and_identify,
    every_stats_endpoint_equals_a_brute_force_recomputation,
    local_days_follow_the_time_zone,
    visitor_profiles_funnels_and_the_metrics_feed,
    the_pixel_takes_hits_from_its_sites_origin_only,
    dashboards_are_saved_and_answer_every_widget,
);

#[allow(dead_code)]
fn unused(_: HashMap<(), ()>) {}

/// Several projector processes share the analytics work: they are members of one Kafka consumer
/// group, so the partitions (and with them the visitor streams) are split between them and move
/// when one joins or leaves. What they build together equals what one projector builds replaying
/// the log. Stage one runs one projector, stage two both, stage three only the second; every
/// visitor's traffic is spread over the three stages, so visits go on across processes.
async fn projector_processes_share_the_analytics_work() {
    use keel_api::{Application, Role};
    use keel_projections::Projection;
    let api = keel_tests::spawn_app_as(Backend::Distributed, Role::Api, |_| {}).await;
    let relay = Application::build(api.config.clone(), Role::Relay)
        .await
        .unwrap()
        .spawn();
    let first = Application::build(api.config.clone(), Role::Projector)
        .await
        .unwrap()
        .spawn();
    let ws = api.create_workspace("Acme", "enterprise").await;
    let sites = [
        site(&api, &ws, "shop.example.com", "UTC").await,
        site(&api, &ws, "blog.example.com", "Europe/Paris").await,
    ];
    let start = Utc::now().timestamp_millis() - 3 * 86_400_000;
    // Each visitor's events in time order, then dealt out to three stages by thirds.
    let mut per_visitor: BTreeMap<String, Vec<Ev>> = BTreeMap::new();
    for (i, s) in sites.iter().enumerate() {
        for seed in 0..4u64 {
            for e in generate(s, 0x70_0000 + 10 * i as u64 + seed, start, 86_400_000) {
                per_visitor.entry(e.visitor.clone()).or_default().push(e);
            }
        }
    }
    let mut stages: [Vec<Ev>; 3] = Default::default();
    for list in per_visitor.values_mut() {
        list.sort_by_key(|e| e.ts);
        let n = list.len();
        for (k, e) in list.drain(..).enumerate() {
            stages[(3 * k / n.max(1)).min(2)].push(e);
        }
    }
    let db = api.db();
    let send = async |events: &[Ev]| -> i64 {
        let mut last = 0;
        let mut batch: Vec<Value> = Vec::new();
        for e in events {
            if e.kind == "goal" {
                if !batch.is_empty() {
                    let r = api
                        .post("/api/v1/events")
                        .workspace(&ws)
                        .json(json!({ "events": std::mem::take(&mut batch) }))
                        .send()
                        .await;
                    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
                    last = last.max(r.position());
                }
                let r = api
                    .post("/api/v1/goals")
                    .workspace(&ws)
                    .json(e.json.clone())
                    .send()
                    .await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
                last = last.max(r.position());
            } else {
                batch.push(e.json.clone());
                if batch.len() == 50 {
                    let r = api
                        .post("/api/v1/events")
                        .workspace(&ws)
                        .json(json!({ "events": std::mem::take(&mut batch) }))
                        .send()
                        .await;
                    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
                    last = last.max(r.position());
                }
            }
        }
        if !batch.is_empty() {
            let r = api
                .post("/api/v1/events")
                .workspace(&ws)
                .json(json!({ "events": batch }))
                .send()
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
            last = last.max(r.position());
        }
        last
    };
    let applied = async |up_to: i64| {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(90);
        while !keel_projections::has_applied_range(&db, Projection::Analytics, 0, up_to)
            .await
            .unwrap()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the analytics projection did not reach position {up_to}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    let hits = async || -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM rm_hits")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };

    let last = send(&stages[0]).await;
    applied(last).await;
    let after_first = hits().await;
    assert!(after_first > 0);
    let second = Application::build(api.config.clone(), Role::Projector)
        .await
        .unwrap()
        .spawn();
    let last = send(&stages[1]).await;
    applied(last).await;
    first.stop().await;
    let before_third = hits().await;
    let last = send(&stages[2]).await;
    applied(last).await;
    // The second process alone applied the third stage.
    assert!(hits().await > before_third);

    // Every table of the read model, row by row (rows as text, in order), before and after a
    // rebuild: one projector replaying the whole log into fresh tables that are then swapped in.
    let dump = async || -> Vec<(String, i64, String)> {
        let mut out = Vec::new();
        for t in keel_projections::analytics::TABLES {
            let row = sqlx::query(&format!(
                "SELECT COUNT(*), COALESCE(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x"
            ))
            .fetch_one(&db.pool)
            .await
            .unwrap();
            use sqlx::Row;
            out.push((t.to_string(), row.get(0), row.get(1)));
        }
        out
    };
    let together = dump().await;
    assert!(
        together
            .iter()
            .any(|(t, n, _)| t == "rm_sessions" && *n > 50),
        "{together:?}"
    );
    let report = keel_infra::rebuild::rebuild(&api.store(), Projection::Analytics)
        .await
        .unwrap();
    assert!(report.events > 0);
    assert_eq!(together, dump().await, "two projectors ≠ one");
    second.stop().await;
    relay.stop().await;
    api.stop().await;
}

mod shared_work {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn projector_processes_share_the_analytics_work() {
        super::projector_processes_share_the_analytics_work().await
    }
}
