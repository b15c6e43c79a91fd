//! `keel-bench audit`: the two figures of issue 6, each beside its baseline from the same run.
//! - A full rebuild's replay rate (events/s) ÷ the projector's live apply rate on the same log.
//! - `as_of` lookup latency of a key with 10,000 events ÷ that of a key with 10 (snapshots keep
//!   it ≤ 3), and, for scale, the same lookup folding the whole history without snapshots.

use crate::http::post;
use chrono::{DateTime, Utc};
use keel_api::routes::as_of;
use keel_api::{Application, Role};
use keel_commands::{AppendRequest, EventStore};
use keel_events::{
    ApiKeyId, ApiKeyRotated, DomainEvent, ExpectedVersion, Metadata, NewEvent, StreamId,
    WorkspaceId,
};
use keel_infra::config::Config;
use keel_projections::Projection;
use rand::Rng;
use std::time::{Duration, Instant};

pub struct AuditBenchOptions {
    pub postgres_url: Option<String>,
    /// Analytics events in the log that the projector and the rebuild apply.
    pub events: usize,
    /// Events of the long-lived key.
    pub key_events: usize,
    pub lookups: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub async fn run(o: AuditBenchOptions) -> anyhow::Result<String> {
    let admin = format!("keel_admin_bench_{}", uuid::Uuid::new_v4().simple());
    let dir = tempfile::tempdir()?;
    let backend = match &o.postgres_url {
        Some(url) => Some(keel_testkit::fresh_postgres_url_in(url).await),
        None => None,
    };
    let config = Config {
        listen: "127.0.0.1:0".into(),
        database_url: backend.clone(),
        data_dir: dir.path().to_path_buf(),
        admin_token: Some(admin.clone()),
        ..Config::default()
    };
    // The API alone first: the log fills while no projector runs.
    let app = Application::build(config.clone(), Role::Api).await?;
    let port = app.port();
    let running = app.spawn();
    let store = running.store.clone();
    let db = store.db().clone();

    let ws_raw = post(
        port,
        "/api/v1/workspaces",
        &admin,
        None,
        r#"{"name":"Bench audit","tier":"enterprise"}"#,
    )
    .await?["data"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("workspace not created"))?
        .to_string();
    let ws: WorkspaceId = ws_raw.parse()?;
    let site = post(
        port,
        "/api/v1/sites",
        &admin,
        Some(&ws_raw),
        r#"{"name":"Bench","domain":"bench.example.com","timezone":"UTC"}"#,
    )
    .await?["data"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("site not created"))?
        .to_string();

    // 1. Replay rate against live apply rate.
    let mut sent = 0;
    let started = Utc::now() - chrono::Duration::hours(2);
    while sent < o.events {
        let n = (o.events - sent).min(500);
        let items: Vec<String> = (0..n)
            .map(|i| {
                let k = sent + i;
                let at = started + chrono::Duration::milliseconds((k as i64 * 7) % 7_000_000);
                format!(
                    r#"{{"site_id":"{site}","visitor_id":"v{}","url":"/p/{}","referrer":"https://www.google.com/","occurred_at":"{}"}}"#,
                    k % 5000,
                    k % 40,
                    at.to_rfc3339()
                )
            })
            .collect();
        let r = post(
            port,
            "/api/v1/events",
            &admin,
            Some(&ws_raw),
            &format!(r#"{{"events":[{}]}}"#, items.join(",")),
        )
        .await?;
        anyhow::ensure!(r["data"]["accepted"] == n, "ingestion refused: {r}");
        sent += n;
    }
    let head = store.head().await?;
    let projector = Application::build(config.clone(), Role::Projector)
        .await?
        .spawn();
    let t = Instant::now();
    let checkpoint = keel_infra::feed::checkpoint_name(Projection::Analytics);
    loop {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT position FROM checkpoints WHERE name = $1")
                .bind(&checkpoint)
                .fetch_optional(&db.pool)
                .await?;
        if at.is_some_and(|p| p >= head) {
            break;
        }
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(1800),
            "the projector did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let live = t.elapsed();
    projector.stop().await;
    let t = Instant::now();
    let report = keel_infra::rebuild::rebuild(&store, Projection::Analytics).await?;
    let replay = t.elapsed();
    let live_rate = o.events as f64 / live.as_secs_f64();
    let replay_rate = report.events as f64 / replay.as_secs_f64();

    // 2. as_of lookups: a key with 10 events and one with `key_events`.
    let mut keys: Vec<ApiKeyId> = Vec::new();
    for (name, events) in [("short-lived", 10usize), ("long-lived", o.key_events)] {
        let r = post(
            port,
            "/api/v1/keys",
            &admin,
            Some(&ws_raw),
            &format!(r#"{{"name":"{name}","scopes":["keys:read"]}}"#),
        )
        .await?;
        let id: ApiKeyId = r["data"]["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("key not created: {r}"))?
            .parse()?;
        let mut left = events - 1;
        while left > 0 {
            let n = left.min(500);
            let batch = (0..n)
                .map(|i| NewEvent {
                    event_id: keel_events::EventId::new_v7(),
                    event: DomainEvent::ApiKeyRotated(ApiKeyRotated {
                        key_id: id,
                        workspace_id: ws,
                        prefix: format!("keel_live_{i:06}"),
                        key_hash: format!("{i:064x}"),
                        previous_prefix: "keel_live_prev".into(),
                        previous_key_hash: "0".repeat(64),
                        previous_valid_until: Utc::now(),
                    }),
                    occurred_at: Utc::now(),
                })
                .collect();
            store
                .append(AppendRequest {
                    tenant_id: ws,
                    stream_id: StreamId::api_key(id),
                    expected: ExpectedVersion::Any,
                    events: batch,
                    metadata: Metadata::system(),
                    meter: None,
                })
                .await?;
            left -= n;
        }
        keys.push(id);
    }
    let (from, to) = (Utc::now() - chrono::Duration::seconds(1), Utc::now());
    let long_history: (DateTime<Utc>, DateTime<Utc>) = {
        let rows = keel_infra::audit::read(
            &db,
            ws,
            &keel_infra::audit::AuditQuery {
                stream_id: Some(StreamId::api_key(keys[1]).to_string()),
                ..Default::default()
            },
            1,
        )
        .await?;
        (rows.first().map_or(from, |(_, e)| e.recorded_at), to)
    };
    let mut rng = rand::thread_rng();
    let mut instant = |span: (DateTime<Utc>, DateTime<Utc>)| {
        let ms = (span.1 - span.0).num_milliseconds().max(1);
        span.0 + chrono::Duration::milliseconds(rng.gen_range(0..=ms))
    };
    // Without snapshots: the whole history folded (what every lookup cost before them).
    let mut full = Vec::new();
    for _ in 0..5.min(o.lookups) {
        let at = instant(long_history);
        let t = Instant::now();
        let h =
            as_of::history(&db, ws, Some(StreamId::api_key(keys[1]).as_str()), None, at).await?;
        anyhow::ensure!(
            as_of::key_view(&h, at).is_some(),
            "key not found as of {at}"
        );
        full.push(t.elapsed());
    }
    // The first lookup of the long key saves its snapshots on the way.
    let t = Instant::now();
    as_of::key_at(&store, ws, keys[1], to).await?;
    let cold = t.elapsed();
    let (mut short, mut long) = (Vec::new(), Vec::new());
    for _ in 0..o.lookups {
        for (i, out) in [(0, &mut short), (1, &mut long)] {
            let at = instant(long_history);
            let t = Instant::now();
            let v = as_of::key_at(&store, ws, keys[i], at).await?;
            out.push(t.elapsed());
            anyhow::ensure!(i == 0 || v.is_some(), "key not found as of {at}");
        }
    }
    running.stop().await;
    let (s, l, f) = (median(short), median(long), median(full));
    Ok(format!(
        "audit ({}):\n  replay: full rebuild of analytics {replay_rate:.0} events/s | live projector {live_rate:.0} events/s ({} events) | ratio {:.2}\n  as_of lookup (median of {}): key with 10 events {:.2} ms | key with {} events {:.2} ms | ratio {:.2} (target <= 3); without snapshots {:.2} ms ({:.0}x); first lookup of the long key {:.0} ms (saves its snapshots)\n",
        if backend.is_some() { "Postgres" } else { "embedded SQLite" },
        o.events,
        replay_rate / live_rate,
        o.lookups,
        s.as_secs_f64() * 1e3,
        o.key_events,
        l.as_secs_f64() * 1e3,
        l.as_secs_f64() / s.as_secs_f64(),
        f.as_secs_f64() * 1e3,
        f.as_secs_f64() / s.as_secs_f64(),
        cold.as_secs_f64() * 1e3,
    ))
}
