//! The console in a real browser (Debian's headless Chromium over WebDriver): a person signs in,
//! reads the same numbers the API answers and filters by clicking; a key is shown once; an
//! auditor reads a key's history and its state at a past instant; the tracker script on a
//! fixture page records pageviews and a custom event; strangers' strings never execute.

#![allow(clippy::unwrap_used)]

use actix_web::{web, App, HttpResponse, HttpServer};
use keel_tests::browser::Browser;
use keel_tests::{spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

/// `email` joins `ws` as `role` through an invitation (no mail server: the link comes back).
async fn join(app: &TestApp, ws: &str, email: &str, role: &str) {
    let r = app
        .post("/api/v1/invitations")
        .workspace(ws)
        .json(json!({"email": email, "role": role}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let url = r.body["data"]["invite_url"].as_str().unwrap();
    let token = url.split("token=").nth(1).unwrap();
    let r = app
        .post("/api/v1/invitations/accept")
        .no_token()
        .json(json!({"token": token, "name": email, "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.goto(&format!("{}/#/sign-in", app.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("#signin").await;
    b.find("nav a[aria-current=page]").await;
}

async fn site(app: &TestApp, ws: &str) -> Value {
    let r = app
        .post("/api/v1/sites")
        .workspace(ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com", "timezone": "UTC"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // The pixel finds sites in the read model: wait for it.
    let pos = r.position();
    app.get(&format!("/api/v1/sites?min_position={pos}"))
        .workspace(ws)
        .send()
        .await;
    r.body["data"].clone()
}

/// Waits until the site's analytics include the write at `pos`; the aggregate then.
async fn aggregate(app: &TestApp, ws: &str, site: &str, pos: i64, filters: Option<&str>) -> Value {
    let f = filters
        .map(|f| format!("&filters={}", urlencoding(f)))
        .unwrap_or_default();
    let r = app
        .get(&format!(
            "/api/v1/sites/{site}/stats/aggregate?period=30d&metrics=visitors,pageviews,events&min_position={pos}{f}"
        ))
        .workspace(ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["data"].clone()
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The number a figure of the dashboard shows (digits only: the browser formats for its locale).
async fn figure(b: &Browser, metric: &str, expected: i64) {
    b.text_until(&format!("[data-metric={metric}] .value"), |t| {
        t.chars().filter(char::is_ascii_digit).collect::<String>() == expected.to_string()
    })
    .await;
}

async fn a_person_reads_the_dashboard_and_filters_it_by_clicking(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.dev = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "ana@example.com", "analyst").await;
    let s = site(&app, &ws).await;
    let id = s["id"].as_str().unwrap().to_string();
    let (_, key, _) = app.create_key(&ws, "ingest", &["events:write"]).await;
    let mut events = vec![];
    for v in ["n1", "n2", "n3"] {
        events.push(json!({"site_id": id, "visitor_id": v, "url": "https://shop.example.com/pricing", "utm_source": "newsletter",
            "properties": {"plan": "pro"}, "screen_width": 390,
            "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"}));
    }
    for v in ["d1", "d2"] {
        events.push(json!({"site_id": id, "visitor_id": v, "url": "https://shop.example.com/"}));
    }
    events.push(json!({"site_id": id, "visitor_id": "d2", "url": "https://shop.example.com/docs"}));
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({ "events": events }))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let pos = r.position();
    let all = aggregate(&app, &ws, &id, pos, None).await;
    assert_eq!(
        (all["visitors"].as_i64(), all["pageviews"].as_i64()),
        (Some(5), Some(6))
    );

    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "ana@example.com").await;
    b.click(&format!("a[href='#/sites/{id}']")).await;
    b.find("body[data-loaded=dashboard]").await;
    figure(&b, "visitors", 5).await;
    figure(&b, "pageviews", 6).await;
    // Realtime: the five visitors just sent, most on the pricing page.
    b.text_until("#realtime", |t| t.contains(": 5") && t.contains("/pricing"))
        .await;
    // A custom property broken down through the query endpoint.
    b.fill("#prop-name", "plan").await;
    b.click("#properties button[type=submit]").await;
    let t = b
        .text_until("#properties table", |t| t.contains("pro"))
        .await;
    assert!(t.contains("pro") && t.contains("(none)"), "{t}");
    let row = b
        .eval("return [...document.querySelectorAll('#properties tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        .await;
    assert!(
        row.as_array().unwrap().contains(&json!(["pro", "3", "3"])),
        "{row}"
    );
    // The chart's last point is the API's last bucket.
    let series = app
        .get(&format!(
            "/api/v1/sites/{id}/stats/timeseries?period=30d&interval=day"
        ))
        .workspace(&ws)
        .send()
        .await;
    let last = series.body["data"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let point = b
        .eval("const c = [...document.querySelectorAll('svg.chart circle')]; const l = c[c.length - 1]; return [l.dataset.date, Number(l.dataset.value)];")
        .await;
    assert_eq!(point, json!([last["date"], last["visitors"]]), "{last}");
    // The sources panel lists what the breakdown answers.
    let breakdown = app
        .get(&format!(
            "/api/v1/sites/{id}/stats/breakdown?period=30d&dimension=source"
        ))
        .workspace(&ws)
        .send()
        .await;
    let top = &breakdown.body["data"][0];
    assert_eq!(top["source"], "newsletter", "{breakdown:?}");
    let row = b
        .eval("return [...document.querySelectorAll('[data-panel=source] tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        .await;
    assert_eq!(row[0][0], "newsletter", "{row}");
    assert_eq!(row[0][1].as_str().unwrap(), "3", "{row}");
    // The panels of the query endpoint: systems and screens from the user agents and widths.
    b.text_until("[data-panel='visit:os'] tbody", |t| t.contains("iOS"))
        .await;
    let os = b
        .eval("return [...document.querySelectorAll(\"[data-panel='visit:os'] tbody tr\")].map(r => [...r.cells].map(c => c.textContent))")
        .await;
    assert_eq!(
        os,
        json!([["iOS", "3", "3"], ["unknown", "2", "3"]]),
        "{os}"
    );
    b.text_until("[data-panel='visit:screen'] tbody", |t| {
        t.contains("Mobile")
    })
    .await;
    b.screenshot("dashboard").await;

    // Clicking the row filters the whole dashboard, and the URL says so.
    let rows = b.all("[data-panel=source] tbody tr").await;
    rows[0].click().await.unwrap();
    b.find(".chip").await;
    let url = b.url().await;
    assert!(url.contains("filters="), "{url}");
    let filtered = aggregate(
        &app,
        &ws,
        &id,
        pos,
        Some(r#"[["is","source",["newsletter"]]]"#),
    )
    .await;
    assert_eq!(filtered["visitors"], 3, "{filtered}");
    figure(&b, "visitors", 3).await;
    figure(&b, "pageviews", 3).await;
    let chip = b.text_until(".chip", |t| !t.is_empty()).await;
    assert!(chip.contains("source is newsletter"), "{chip}");
    // The link is shareable: opened afresh, it shows the same filtered figures.
    b.goto(&url).await;
    b.find("body[data-loaded=dashboard]").await;
    figure(&b, "visitors", 3).await;
    // Removing the chip removes the filter.
    b.click(".chip button").await;
    figure(&b, "visitors", 5).await;
    // A funnel: the same visitors per step as the API's.
    b.fill("#funnel-steps", "page:/, page:/docs").await;
    b.click("section[aria-label=Funnel] button[type=submit]")
        .await;
    let steps = b.text_until("#funnel tbody", |t| t.contains("/docs")).await;
    let api_funnel = app
        .get(&format!(
            "/api/v1/sites/{id}/funnels?steps=page:/,page:/docs&period=30d"
        ))
        .workspace(&ws)
        .send()
        .await;
    let visitors: Vec<i64> = api_funnel.body["data"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["visitors"].as_i64().unwrap())
        .collect();
    assert_eq!(visitors, [2, 1], "{api_funnel:?}");
    let shown = b
        .eval("return [...document.querySelectorAll('#funnel tbody tr')].map(r => Number(r.cells[1].textContent.replace(/\\D/g, '')))")
        .await;
    assert_eq!(shown, json!(visitors), "{steps}");
    assert!(b.url().await.contains("funnel="));
    // Realtime: the visitors of the last five minutes (all five arrived just now).
    let live = b.text_until("#realtime", |t| !t.contains('…')).await;
    assert!(live.contains(": 5 "), "{live}");
    // A visitor's profile, from the visitors list.
    b.click(&format!("a[href='#/sites/{id}/visitors']")).await;
    b.click(&format!("a[href='#/sites/{id}/visitors/d2']"))
        .await;
    b.text_until("h1", |t| t == "Visitor d2").await;
    let profile = app
        .get(&format!("/api/v1/sites/{id}/visitors/d2"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(profile.body["data"]["pageviews"], 2, "{profile:?}");
    b.text_until(".figures", |t| {
        t.contains("Pageviews\n2") || t.contains("Pageviews 2")
    })
    .await;
    // A saved dashboard: each widget's series as the API answers it.
    let r = app
        .post("/api/v1/dashboards")
        .workspace(&ws)
        .json(json!({"name": "Growth", "widgets": [{"title": "Daily visitors", "site_id": id, "metric": "visitors", "interval": "day", "period": "7d"}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let dash = r.body["data"]["id"].as_str().unwrap().to_string();
    let data = app
        .get(&format!(
            "/api/v1/dashboards/{dash}/data?min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    let last = data.body["data"]["widgets"][0]["series"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["value"]
        .clone();
    assert_eq!(last, 5, "{data:?}");
    b.goto(&format!("{}/#/dashboards/{dash}", app.base)).await;
    b.find("[data-widget='0'] svg circle").await;
    let shown = b
        .eval("const c = [...document.querySelectorAll(\"[data-widget='0'] svg circle\")]; return Number(c[c.length - 1].dataset.value)")
        .await;
    assert_eq!(shown, last);
    // The chart saved from the site's dashboard as a widget of a new saved dashboard.
    b.goto(&format!("{}/#/sites/{id}?period=7d", app.base))
        .await;
    b.find("body[data-loaded=dashboard]").await;
    b.fill("#w-title", "From the console").await;
    b.fill("#w-name", "Console made").await;
    b.click("#save-widget").await;
    b.text_until("#save-widget-out", |t| t.contains("Console made"))
        .await;
    // The browser wrote it; the list (a read model) has it once it caught up with that write.
    let r = app
        .eventually("/api/v1/dashboards?search=console", Some(&ws), |r| {
            r.body["data"][0]["name"] == "Console made"
        })
        .await;
    let made = r.body["data"][0].clone();
    assert_eq!(made["name"], "Console made", "{r:?}");
    assert_eq!(
        made["widgets"],
        json!([{"title": "From the console", "site_id": id, "metric": "visitors", "interval": "day", "period": "7d"}])
    );
    b.click("#save-widget-out a").await;
    b.click("[data-widget='0'] button").await;
    b.text_until("main", |t| !t.contains("From the console"))
        .await;
    let r = app
        .get(&format!(
            "/api/v1/dashboards/{}",
            made["id"].as_str().unwrap()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"]["widgets"], json!([]), "{r:?}");
    b.close().await;
    app.stop().await;
}

async fn a_key_is_shown_once_and_an_auditor_replays_its_history(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.dev = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "owner@example.com", "owner").await;
    join(&app, &ws, "audrey@example.com", "auditor").await;
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "owner@example.com").await;
    b.click("nav a[href='#/keys']").await;
    b.fill("#key-name", "ci deploys").await;
    b.click("#create-key").await;
    let secret = b.text_until("#key-secret", |t| !t.is_empty()).await;
    assert!(secret.starts_with("keel_live_"), "{secret}");
    b.screenshot("keys").await;
    // The list has it; the secret is nowhere once the page is left.
    let r = app.get("/api/v1/keys").workspace(&ws).send().await;
    let key = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "ci deploys")
        .unwrap()
        .clone();
    let id = key["id"].as_str().unwrap().to_string();
    b.click("nav a[href='#/sites']").await;
    b.find("section[aria-label=Sites] tbody").await;
    b.click("nav a[href='#/keys']").await;
    b.text_until("section[aria-label=Keys] tbody", |t| {
        t.contains("ci deploys")
    })
    .await;
    let html = b.client.source().await.unwrap();
    assert!(!html.contains(&secret), "the secret is shown once");
    b.close().await;

    // Later it is revoked; an auditor sees its history and its state before that.
    let r = app
        .delete(&format!("/api/v1/keys/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "audrey@example.com").await;
    b.goto(&format!("{}/#/keys/{id}", app.base)).await;
    let timeline = b
        .text_until("ol.timeline", |t| t.contains("key.revoked"))
        .await;
    assert!(timeline.contains("key.created"), "{timeline}");
    // The state as of its creation: active, as it was then.
    let first = b.all("ol.timeline li button").await;
    first[0].click().await.unwrap();
    let state = b
        .text_until("#as-of-state pre", |t| t.contains("\"status\""))
        .await;
    assert!(state.contains("\"status\": \"active\""), "{state}");
    assert!(!state.contains(&secret));
    b.screenshot("key-history").await;
    // The audit log, with the chain verified.
    b.click("nav a[href='#/audit']").await;
    b.text_until("#chain", |t| t.contains("verifies")).await;
    b.text_until("section[aria-label=Events] tbody", |t| {
        t.contains("key.revoked")
    })
    .await;
    b.screenshot("audit").await;
    // The workspace's own history, and its state when it was made.
    b.click(&format!("a[href='#/history/workspaces/{ws}']"))
        .await;
    b.text_until("ol.timeline", |t| t.contains("workspace.created"))
        .await;
    b.all("ol.timeline li button").await[0]
        .click()
        .await
        .unwrap();
    let then = b
        .text_until("#as-of-state pre", |t| t.contains("\"name\""))
        .await;
    assert!(then.contains("\"name\": \"Acme\""), "{then}");
    b.close().await;
    app.stop().await;
}

/// A page of a customer's site that loads the tracker from Keel.
async fn fixture_site(keel: &str, tracking_id: &str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let page = format!(
        r#"<!doctype html><html><head><title>Shop</title>
<script defer data-site="{tracking_id}" src="{keel}/js/script.js"></script></head>
<body><h1>Shop</h1>
<button id="signup">Sign up</button> <button id="spa">Pricing</button>
<script>
document.getElementById("signup").addEventListener("click", function () {{ window.keel("signup", {{props: {{plan: "pro"}}}}); }});
document.getElementById("spa").addEventListener("click", function () {{ history.pushState({{}}, "", "/pricing"); }});
</script></body></html>"#
    );
    let server = HttpServer::new(move || {
        let page = page.clone();
        App::new().default_service(web::get().to(move || {
            let page = page.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(page)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    port
}

async fn the_tracker_records_pageviews_and_custom_events(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.dev = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "ana@example.com", "analyst").await;
    let s = site(&app, &ws).await;
    let id = s["id"].as_str().unwrap().to_string();
    let r = reqwest::get(format!("{}/js/script.js", app.base))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let port = fixture_site(&app.base, s["tracking_id"].as_str().unwrap()).await;
    let b = Browser::start(&["shop.example.com"]).await;
    b.goto(&format!("http://shop.example.com:{port}/")).await;
    b.find("#signup").await;
    // The first pageview, then a navigation of a single-page app, then a custom event.
    b.eval("return new Promise(r => { const t = () => window.keel && window.keel.on ? r(true) : setTimeout(t, 50); t(); })")
        .await;
    b.click("#spa").await;
    b.click("#signup").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let agg = loop {
        let a = aggregate(&app, &ws, &id, 0, None).await;
        if a["events"].as_i64() >= Some(3) || tokio::time::Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        (
            agg["pageviews"].as_i64(),
            agg["events"].as_i64(),
            agg["visitors"].as_i64()
        ),
        (Some(2), Some(3), Some(1)),
        "{agg}"
    );
    let pages = app
        .get(&format!(
            "/api/v1/sites/{id}/stats/breakdown?period=30d&dimension=page&sort=value"
        ))
        .workspace(&ws)
        .send()
        .await;
    let values: Vec<&str> = pages.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["page"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["/", "/pricing"], "{pages:?}");
    // The tracker sends the viewport's width: the window's screen class; the user agent says
    // the browser and the system.
    let width = b.eval("return window.innerWidth").await.as_u64().unwrap();
    let classes = app
        .post(&format!("/api/v1/sites/{id}/query"))
        .workspace(&ws)
        .json(json!({"metrics": ["pageviews"], "date_range": "30d",
            "dimensions": ["visit:screen", "visit:browser", "visit:os"]}))
        .send()
        .await;
    let want = keel_commands::user_agent::screen_class(width as u32);
    assert_eq!(
        classes.body["results"][0]["dimensions"],
        json!([want, "Chrome", "Linux"]),
        "{classes:?}"
    );
    b.close().await;

    // And they are on the dashboard.
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "ana@example.com").await;
    b.goto(&format!("{}/#/sites/{id}", app.base)).await;
    b.find("body[data-loaded=dashboard]").await;
    figure(&b, "pageviews", 2).await;
    figure(&b, "events", 3).await;
    b.close().await;
    app.stop().await;
}

/// Strings a stranger can send through the pixel and the API, each trying to run script.
const PAYLOADS: [&str; 4] = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 2\">",
    "javascript:window.__pwned = 3",
    "\"><svg onload=\"window.__pwned = 4\">",
];

async fn strangers_strings_are_shown_never_run(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.dev = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "ana@example.com", "analyst").await;
    let s = site(&app, &ws).await;
    let id = s["id"].as_str().unwrap().to_string();
    let tid = s["tracking_id"].as_str().unwrap().to_string();
    let client = reqwest::Client::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let r = client
            .post(format!("{}/api/v1/pixel/track", app.base))
            .header("Origin", "https://shop.example.com")
            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
            .header("X-Forwarded-For", format!("203.0.113.{}", i + 1))
            .json(&json!({"tracking_id": tid, "url": format!("https://shop.example.com/{}?utm_source={}&utm_campaign={}",
                urlencoding(p), urlencoding(p), urlencoding(p)), "referrer": p}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{r:?}");
    }
    let (_, key, _) = app.create_key(&ws, "ingest", &["events:write"]).await;
    let events: Vec<Value> = PAYLOADS
        .iter()
        .map(|p| json!({"site_id": id, "visitor_id": "x", "type": "custom", "name": p, "url": "https://shop.example.com/", "referrer": format!("https://{p}.example/")}))
        .collect();
    let r = app
        .post("/api/v1/events")
        .token(&key)
        .json(json!({ "events": events }))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    aggregate(&app, &ws, &id, r.position(), None).await;

    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "ana@example.com").await;
    b.goto(&format!("{}/#/sites/{id}", app.base)).await;
    b.find("body[data-loaded=dashboard]").await;
    // Shown as text: the campaigns panel holds the payloads verbatim.
    let campaigns = b
        .text_until("[data-panel=utm_campaign] tbody", |t| t.contains("onerror"))
        .await;
    assert!(
        campaigns.contains("<script>window.__pwned = 1</script>"),
        "{campaigns}"
    );
    // Clicking one filters by it, also as text.
    let rows = b.all("[data-panel=utm_campaign] tbody tr").await;
    rows[0].click().await.unwrap();
    b.find(".chip").await;
    b.find("body[data-loaded=dashboard]").await;
    for page in ["#/sites", "#/audit"] {
        b.goto(&format!("{}/{page}", app.base)).await;
        b.find("nav a[aria-current=page]").await;
    }
    b.goto(&format!("{}/#/sites/{id}", app.base)).await;
    b.find("body[data-loaded=dashboard]").await;
    let verdict = b
        .eval("return [window.__pwned === undefined, document.querySelectorAll('img[src=x], svg[onload], script:not([src])').length, [...document.querySelectorAll('a[href]')].filter(a => !/^(https?:|#)/.test(a.getAttribute('href'))).length]")
        .await;
    assert_eq!(
        verdict,
        json!([true, 0, 0]),
        "nothing ran, nothing became markup"
    );
    // The second wall: the console's CSP allows no inline script.
    let r = reqwest::get(format!("{}/", app.base)).await.unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    b.close().await;
    app.stop().await;
}

async fn every_page_is_accessible_and_an_invitation_link_opens_in_the_console(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.dev = true;
        c.webhooks.allow_private = true;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "owner@example.com", "owner").await;
    let s = site(&app, &ws).await;
    let id = s["id"].as_str().unwrap().to_string();
    let b = Browser::start(&[]).await;
    b.goto(&format!("{}/#/sign-in", app.base)).await;
    b.find("#email").await;
    let mut report = vec![];
    report.extend(b.accessibility_violations().await);
    sign_in(&b, &app, "owner@example.com").await;
    // An invitation, sent from the API; its link opens the console's page for it.
    let r = app
        .post("/api/v1/invitations")
        .workspace(&ws)
        .json(json!({"email": "new@example.com", "role": "viewer"}))
        .send()
        .await;
    let link = r.body["data"]["invite_url"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/domains")
        .workspace(&ws)
        .json(json!({"domains": ["acme-corp.com"]}))
        .send()
        .await;
    let pos = r.position();
    let r = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    let domain = r.body["data"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/webhooks")
        .workspace(&ws)
        .json(json!({"url": "http://127.0.0.1:9/hook", "events": ["key.*"]}))
        .send()
        .await;
    let hook = r.body["data"]["id"].as_str().unwrap().to_string();
    let domain_page = format!("#/domains/{domain}");
    let hook_page = format!("#/webhooks/{hook}");
    for (page, ready) in [
        (domain_page.as_str(), "section[aria-label=Changes] tbody"),
        ("#/domains", "#distributions section"),
        (hook_page.as_str(), "section[aria-label=Deliveries] tbody"),
        ("#/sites", "section[aria-label=Sites] tbody"),
        (
            "#/dashboards",
            "section[aria-label='Saved dashboards'] tbody",
        ),
        (
            &format!("#/sites/{id}") as &str,
            "body[data-loaded=dashboard]",
        ),
        ("#/domains", "section[aria-label=Portfolio] tbody"),
        ("#/keys", "section[aria-label=Keys] tbody"),
        ("#/webhooks", "section[aria-label=Endpoints] tbody"),
        ("#/alerts", "section[aria-label=Alerts] tbody"),
        ("#/members", "section[aria-label=Members] tbody"),
        ("#/audit", "section[aria-label=Events] tbody"),
        ("#/operator", "#operator-token"),
    ] {
        b.goto(&format!("{}/{page}", app.base)).await;
        b.find(ready).await;
        for v in b.accessibility_violations().await {
            report.push(format!("{page}: {v}"));
        }
        let name = page.trim_start_matches("#/").replace('/', "-");
        let name = name.split('-').next().unwrap().to_string()
            + if page.matches('/').count() > 1 {
                "-detail"
            } else {
                ""
            };
        b.screenshot(&format!("page-{name}")).await;
    }
    // An admin invites someone from the members page (no mail server: the link is shown).
    b.goto(&format!("{}/#/members", app.base)).await;
    b.fill("#invite-email", "ivy@example.com").await;
    b.click("#invite").await;
    let shown = b
        .text_until("#invite-out", |t| t.contains("keel_inv_"))
        .await;
    assert!(shown.contains("ivy@example.com"), "{shown}");
    b.text_until("section[aria-label=Invitations] tbody", |t| {
        t.contains("ivy@example.com")
    })
    .await;
    // An alert made from its form: a disabled endpoint, told by email and to the endpoint.
    b.goto(&format!("{}/#/alerts", app.base)).await;
    b.fill("#a-name", "Endpoint down").await;
    b.find("#a-type")
        .await
        .select_by_value("webhook_disabled")
        .await
        .unwrap();
    b.find("#a-to-hook")
        .await
        .select_by_value(&hook)
        .await
        .unwrap();
    b.click("#create-alert").await;
    b.text_until("section[aria-label=Alerts] tbody", |t| {
        t.contains("Endpoint down")
    })
    .await;
    let r = app.get("/api/v1/alerts").workspace(&ws).send().await;
    let made = &r.body["data"][0];
    assert_eq!(
        made["condition"],
        json!({"type": "webhook_disabled"}),
        "{r:?}"
    );
    assert_eq!(
        made["channels"],
        json!([{"type": "email"}, {"type": "webhook", "webhook_id": hook}])
    );
    b.click("section[aria-label=Alerts] tbody a").await;
    b.find("section[aria-label='Firings and resolutions'] tbody")
        .await;
    report.extend(b.accessibility_violations().await);
    // Narrow (a phone) as well as wide.
    b.client.set_window_size(375, 800).await.unwrap();
    b.goto(&format!("{}/#/sites/{id}", app.base)).await;
    b.find("body[data-loaded=dashboard]").await;
    let overflow = b
        .eval("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        .await;
    let wide = b.eval("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className)").await;
    assert_eq!(
        overflow,
        json!(true),
        "the dashboard fits 375 px; wider: {wide}"
    );
    b.screenshot("dashboard-375").await;
    b.close().await;
    assert!(report.is_empty(), "axe-core: {report:#?}");

    // The invitee opens the emailed link in a browser of their own, joins, and is signed in.
    let b = Browser::start(&[]).await;
    b.goto(&link).await;
    b.fill("#name", "Newt").await;
    b.fill("#password", PASSWORD).await;
    let violations = b.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    b.click("#accept").await;
    b.find("nav a[aria-current=page]").await;
    let who = b.text_until("#user", |t| !t.is_empty()).await;
    assert_eq!(who, "new@example.com");
    let r = app.get("/api/v1/members").workspace(&ws).send().await;
    assert_eq!(r.body["meta"]["total_count"], 2, "{r:?}");
    b.close().await;
    app.stop().await;
}

/// The Tracking Checker page: a scan run from the form is watched until it completes, its
/// findings (Keel's own script, no consent manager, SEO defects) and summary are shown, a rescan
/// says what changed, and the page passes axe-core.
async fn the_tracking_checker_scans_a_page_and_shows_its_findings(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.dev = true;
        c.tracking.allow_private = true;
        c.tracking.timeout_ms = 5_000;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "owner@example.com", "owner").await;
    let port = fixture_site(&app.base, "kt_consoletest").await;
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "owner@example.com").await;
    b.goto(&format!("{}/#/tracking", app.base)).await;
    b.fill("#s-url", &format!("http://127.0.0.1:{port}/")).await;
    b.find("#s-language")
        .await
        .select_by_value("cs")
        .await
        .unwrap();
    b.click("#run-scan").await;
    let status = b
        .text_until("#scan-status", |t| t.starts_with("Completed"))
        .await;
    assert!(status.starts_with("Completed"), "{status}");
    let trackers = b
        .text_until("section[aria-label=Trackers] tbody", |t| t.contains("Keel"))
        .await;
    assert!(trackers.contains("kt_consoletest"), "{trackers}");
    let summary = b.text_until("#scan-summary", |t| !t.is_empty()).await;
    assert!(summary.starts_with("Na http://127.0.0.1"), "{summary}");
    let seo = b
        .text_until("section[aria-label=SEO] tbody", |t| {
            t.contains("missing_lang")
        })
        .await;
    assert!(seo.contains("missing_meta_description"), "{seo}");
    let consent = b
        .find("section[aria-label=Consent]")
        .await
        .text()
        .await
        .unwrap();
    assert!(consent.contains("none found"), "{consent}");
    let mut report = b.accessibility_violations().await;
    b.screenshot("page-tracking-detail").await;
    // The list shows the scan and the page's SEO issues; a rescan compares with it.
    b.goto(&format!("{}/#/tracking", app.base)).await;
    b.text_until("section[aria-label=Scans] tbody", |t| t.contains("keel"))
        .await;
    b.text_until("section[aria-label='SEO issues'] tbody", |t| {
        t.contains("missing_lang")
    })
    .await;
    report.extend(b.accessibility_violations().await);
    b.screenshot("page-tracking").await;
    b.fill("#s-url", &format!("http://127.0.0.1:{port}/")).await;
    b.click("#run-scan").await;
    b.text_until("#scan-status", |t| t.starts_with("Completed"))
        .await;
    let added = b.text_until("#scan-added", |t| !t.is_empty()).await;
    assert_eq!(added, "nothing");
    b.close().await;
    assert!(report.is_empty(), "axe-core: {report:#?}");
    app.stop().await;
}

/// The Agents page: how to connect, Keel's servers with the tools the person's role allows, and
/// every tool call an agent made (a refused one too), filterable, linked to the audit log.
async fn the_agents_page_shows_how_to_connect_and_every_tool_call(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.dev = true;
        c.mcp_remote_allow_private = true;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "owner@example.com", "owner").await;
    site(&app, &ws).await;
    let (_, key, _) = app.create_key(&ws, "agent", &["sites:read"]).await;
    // An agent calls two tools over MCP (2026-07-28): one it may use, one it may not.
    let http = reqwest::Client::new();
    for (id, tool) in [(1, "list_sites"), (2, "revoke_key")] {
        let r = http
            .post(format!("{}/mcp", app.base))
            .bearer_auth(&key)
            .header("MCP-Protocol-Version", "2026-07-28")
            .header("Mcp-Method", "tools/call")
            .header("Mcp-Name", tool)
            .json(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
                "name": tool, "arguments": if tool == "revoke_key" { json!({"key_id": "k"}) } else { json!({}) },
                "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "test-agent", "version": "1"}}}}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status() == 400, "{r:?}");
    }
    let remote = keel_tests::mcp::RemoteServer::start(&[]);
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "owner@example.com").await;
    b.goto(&format!("{}/#/agents", app.base)).await;
    let endpoint = b.text_until("#mcp-endpoint", |t| !t.is_empty()).await;
    assert_eq!(endpoint, format!("{}/mcp", app.base));
    let servers = b
        .text_until("section[aria-label=\"Keel's MCP servers\"] tbody", |t| {
            t.contains("Keel Analytics")
        })
        .await;
    assert!(
        servers.contains("revoke_key"),
        "an owner may use the key tools: {servers}"
    );
    let calls = b
        .text_until("section[aria-label='Tool calls'] tbody", |t| {
            t.contains("list_sites") && t.contains("revoke_key")
        })
        .await;
    assert!(calls.contains("test-agent"), "{calls}");
    assert!(calls.contains("refused"), "{calls}");
    // The owner registers a remote MCP server with the form; its tools are listed.
    b.fill("#r-name", "weather").await;
    b.fill("#r-url", &remote.url).await;
    b.click("#register-server").await;
    let listed = b
        .text_until("section[aria-label='Remote MCP servers'] tbody", |t| {
            t.contains("weather.forecast")
        })
        .await;
    assert!(listed.contains(&remote.url), "{listed}");
    assert!(listed.contains("on · MCP 2026-07-28"), "{listed}");
    let violations = b.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    b.screenshot("page-agents").await;
    b.eval("document.querySelector(\"section[aria-label='Remote MCP servers']\").scrollIntoView()")
        .await;
    b.screenshot("page-agents-remote").await;
    // Turned off from the page.
    b.click("button[aria-label='Turn off weather']").await;
    b.text_until("section[aria-label='Remote MCP servers'] tbody", |t| {
        t.contains("off · MCP")
    })
    .await;
    // Only the refused one.
    b.find("#call-outcome")
        .await
        .select_by_value("refused")
        .await
        .unwrap();
    b.text_until("section[aria-label='Tool calls'] tbody", |t| {
        t.contains("revoke_key") && !t.contains("list_sites")
    })
    .await;
    // The calls in the audit log.
    b.click("#calls-in-audit").await;
    b.text_until("section[aria-label=Events] tbody", |t| {
        t.contains("mcp.tool_called")
    })
    .await;
    b.close().await;
    app.stop().await;
}

/// An owner connects a Stripe account (localstripe) to a site from the Integrations page; the
/// backfill's payments show on the page, and the account is paused and removed from it.
async fn the_integrations_page_connects_stripe_and_shows_the_sync(backend: Backend) {
    let stripe = keel_tests::stripe::LocalStripe::start().await;
    stripe.pay(1999, "eur", Some("v1")).await;
    stripe.pay(500, "eur", None).await;
    stripe.plan("basic", 1000, "eur", "month").await;
    let customer = stripe.customer("alice@example.com").await;
    stripe.subscribe(&customer, "basic").await;
    let url = stripe.url.clone();
    let app = spawn_app_with(backend, move |c| {
        c.dev = true;
        c.stripe_api_url = url;
        c.stripe_sync_interval_secs = 0;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    join(&app, &ws, "owner@example.com", "owner").await;
    site(&app, &ws).await;
    let b = Browser::start(&[]).await;
    sign_in(&b, &app, "owner@example.com").await;
    b.goto(&format!("{}/#/integrations", app.base)).await;
    // A publishable key is refused, saying why.
    b.fill("#i-key", "pk_test_nope").await;
    b.click("#connect-stripe").await;
    b.text_until("#integration-out", |t| t.contains("api_key"))
        .await;
    b.fill("#i-key", keel_tests::stripe::KEY).await;
    b.click("#connect-stripe").await;
    // The backfill's three payments (one the subscription's invoice), once the list has caught
    // up (the page is read again).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let table = loop {
        b.goto(&format!("{}/#/sites", app.base)).await;
        b.goto(&format!("{}/#/integrations", app.base)).await;
        let t = b
            .text_until("section[aria-label='Connected accounts']", |t| {
                !t.contains("Loading")
            })
            .await;
        if t.contains("Stripe test") && t.contains("active") && !t.contains("syncing") {
            let payments = b
                .eval("return document.querySelector(\"section[aria-label='Connected accounts'] tbody tr td:nth-child(5)\").textContent")
                .await;
            if payments == "3" {
                let saas = b
                    .text_until("#saas", |t| !t.is_empty() && !t.contains("Loading"))
                    .await;
                if saas.contains("10.00") {
                    break t;
                }
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "{t}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(
        !table.contains(keel_tests::stripe::KEY),
        "the key is never shown"
    );
    let violations = b.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    // MRR as a chart, its movements as bars.
    b.find("#saas .saas-chart svg.chart").await;
    b.find("#saas svg.movements rect.stripe_new_mrr").await;
    b.screenshot("page-integrations").await;
    b.eval("document.getElementById('saas').scrollIntoView(); return true")
        .await;
    b.screenshot("page-integrations-saas").await;
    // Scheduled cancellations count when scheduled: saved on the integration.
    b.eval("const s = document.querySelector(\"select[aria-label^='Scheduled cancellations']\"); s.value = 'immediately'; s.dispatchEvent(new Event('change')); return true")
        .await;
    b.text_until("#integration-out", |t| t.contains("Saved"))
        .await;
    let r = app.get("/api/v1/integrations").workspace(&ws).send().await;
    assert_eq!(
        r.body["data"][0]["settings"]["scheduled_cancellation"], "immediately",
        "{r:?}"
    );
    let id = b
        .eval("return document.querySelector(\"button[aria-label^='Pause']\").getAttribute('aria-label').slice(6)")
        .await;
    let id = id.as_str().unwrap().to_string();
    b.click(&format!("button[aria-label='Pause {id}']")).await;
    b.find(&format!("button[aria-label='Resume {id}']")).await;
    b.close().await;
    app.stop().await;
}

macro_rules! embedded {
    ($($case:ident),* $(,)?) => {
        mod embedded { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case(keel_tests::Backend::Embedded).await }
        )* }
    };
}

// The console is a client of the API, which the other suites test on both backends; here, one.
embedded!(
    a_person_reads_the_dashboard_and_filters_it_by_clicking,
    a_key_is_shown_once_and_an_auditor_replays_its_history,
    the_tracker_records_pageviews_and_custom_events,
    strangers_strings_are_shown_never_run,
    every_page_is_accessible_and_an_invitation_link_opens_in_the_console,
    the_tracking_checker_scans_a_page_and_shows_its_findings,
    the_agents_page_shows_how_to_connect_and_every_tool_call,
    the_integrations_page_connects_stripe_and_shows_the_sync,
);
