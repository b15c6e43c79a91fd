//! `keel-bench webhooks`: deliveries per second from the dispatcher to a local receiver that
//! answers at once, beside a bare HTTP client posting the same bodies to the same receiver at
//! the same concurrency, same run (target ≥ 0.5).
//!
//! The events are ingested first with delivery off; then a worker process starts and the clock
//! runs until the receiver has counted every delivery: fan-out from the log, claims, payloads
//! read from the log, signatures, posts and the recorded outcomes are all inside the figure.

use crate::http::post;
use actix_web::{web, App, HttpResponse, HttpServer};
use futures::StreamExt;
use keel_api::{Application, Role};
use keel_infra::config::Config;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct WebhookBenchOptions {
    pub postgres_url: Option<String>,
    pub deliveries: usize,
    pub concurrency: usize,
}

#[derive(Default)]
struct Counter {
    n: AtomicUsize,
    first: Mutex<Option<String>>,
}

async fn receive(c: web::Data<Counter>, body: web::Bytes) -> HttpResponse {
    if c.n.fetch_add(1, Ordering::Relaxed) == 0 {
        *c.first.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(String::from_utf8_lossy(&body).into_owned());
    }
    HttpResponse::Ok().finish()
}

async fn wait_for(c: &Counter, n: usize, limit: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while c.n.load(Ordering::Relaxed) < n {
        anyhow::ensure!(
            started.elapsed() < limit,
            "only {} of {n} arrived within {limit:?}",
            c.n.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(started.elapsed())
}

pub async fn run(o: WebhookBenchOptions) -> anyhow::Result<String> {
    let counter = web::Data::new(Counter::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let rx_port = listener.local_addr()?.port();
    let data = counter.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook", web::post().to(receive))
    })
    .workers(1)
    .listen(listener)?
    .run();
    let receiver = server.handle();
    tokio::spawn(server);

    let admin = format!("keel_admin_bench_{}", uuid::Uuid::new_v4().simple());
    let dir = tempfile::tempdir()?;
    let database_url = match &o.postgres_url {
        Some(url) => Some(keel_testkit::fresh_postgres_url_in(url).await),
        None => None,
    };
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        database_url: database_url.clone(),
        data_dir: dir.path().to_path_buf(),
        admin_token: Some(admin.clone()),
        ..Config::default()
    };
    config.scanner.enabled = false;
    config.webhooks.enabled = false;
    config.webhooks.allow_private = true;
    config.webhooks.concurrency = o.concurrency;
    // The API alone: no projector or chainer competes with the dispatcher for the machine.
    let api = Application::build(config.clone(), Role::Api).await?;
    let port = api.port();
    let api = api.spawn();
    let ws = post(
        port,
        "/api/v1/workspaces",
        &admin,
        None,
        r#"{"name":"Bench","tier":"enterprise"}"#,
    )
    .await?;
    let ws = ws["data"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("workspace not created: {ws}"))?
        .to_string();
    let site = post(
        port,
        "/api/v1/sites",
        &admin,
        Some(&ws),
        r#"{"name":"Shop","domain":"shop.example.com","timezone":"UTC"}"#,
    )
    .await?;
    let site = site["data"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("site not created: {site}"))?
        .to_string();
    let hook = post(
        port,
        "/api/v1/webhooks",
        &admin,
        Some(&ws),
        &format!(r#"{{"url":"http://127.0.0.1:{rx_port}/hook","events":["pageview.recorded"]}}"#),
    )
    .await?;
    anyhow::ensure!(
        hook["data"]["secret"].is_string(),
        "webhook not created: {hook}"
    );
    for start in (0..o.deliveries).step_by(1000) {
        let events: Vec<serde_json::Value> = (start..(start + 1000).min(o.deliveries))
            .map(|i| serde_json::json!({"site_id": site, "visitor_id": format!("v{i}"),
                "url": format!("https://shop.example.com/p/{}", i % 50), "referrer": "https://www.google.com/"}))
            .collect();
        let r = post(
            port,
            "/api/v1/events",
            &admin,
            Some(&ws),
            &serde_json::json!({ "events": events }).to_string(),
        )
        .await?;
        anyhow::ensure!(
            r["data"]["accepted"].as_u64() == Some(events.len() as u64),
            "ingestion: {r}"
        );
    }

    // The dispatcher: a worker process on the same database.
    let mut worker_config = config.clone();
    worker_config.webhooks.enabled = true;
    let worker = Application::build(worker_config, Role::Worker)
        .await?
        .spawn();
    // From the first delivery to the last (the worker's start-up is not a delivery cost).
    wait_for(&counter, 1, Duration::from_secs(60)).await?;
    let elapsed = wait_for(&counter, o.deliveries, Duration::from_secs(600)).await?;
    let dispatched = (o.deliveries - 1) as f64 / elapsed.as_secs_f64();
    worker.stop().await;
    let body = counter
        .first
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default();

    // The baseline: the same number of posts of a delivery's body, at the same concurrency.
    counter.n.store(0, Ordering::Relaxed);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .build()?;
    let url = format!("http://127.0.0.1:{rx_port}/hook");
    let started = Instant::now();
    let failures = futures::stream::iter(0..o.deliveries)
        .map(|i| {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move {
                client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("webhook-id", format!("msg_{i}"))
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false)
            }
        })
        .buffer_unordered(o.concurrency)
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    let bare = o.deliveries as f64 / started.elapsed().as_secs_f64();
    api.stop().await;
    receiver.stop(true).await;
    Ok(format!(
        "webhook deliveries ({}, {} events, concurrency {}, body {} bytes): dispatcher {dispatched:.0}/s ({:.1} s from the first delivery to the last, fan-out included) | bare HTTP client {bare:.0}/s{} | ratio {:.2} (target >= 0.5)\n",
        if o.postgres_url.is_some() { "Postgres" } else { "embedded SQLite" },
        o.deliveries,
        o.concurrency,
        body.len(),
        elapsed.as_secs_f64(),
        if failures > 0 { format!(" ({failures} failed)") } else { String::new() },
        dispatched / bare
    ))
}
