//! The edge with real processes and a real Redis: one rate limit shared by two api processes,
//! the Redis script's exactness on a simulated clock, and no plaintext key anywhere after a run.

#![allow(clippy::unwrap_used)]

use keel_api::limits::{Check, Decision, Policy, QuotaDay, RedisLimiter};
use keel_events::Tier;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The private redis-server the test scripts start. Without one these tests fail: they must
/// never pass by skipping.
fn redis_url() -> String {
    std::env::var("KEEL_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect(
            "KEEL_TEST_REDIS_URL: run the tests through ./scripts/test, which starts redis-server",
        )
}

struct Proc(Child);

impl Proc {
    /// SIGTERM, then wait: the process flushes what it batches before it exits.
    fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn day() -> QuotaDay {
    QuotaDay {
        day: "2030-03-17".into(),
        reset_at: 1_900_108_800,
        reset_secs: 1,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_keel(envs: &[(&str, String)], log: &Path) -> (Proc, String) {
    let port = free_port();
    let log = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keel"));
    cmd.args(["serve", "--role", "api"])
        .env("KEEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KEEL_LOG_FORMAT", "json")
        .env("KEEL_LOG", "debug,sqlx=debug,actix_web=debug")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let child = Proc(cmd.spawn().expect("spawn keel"));
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/api/v1/health")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{base} never became healthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    workspace: Option<&str>,
    body: Option<Value>,
) -> (reqwest::StatusCode, Value) {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(w) = workspace {
        req = req.header("X-Workspace-ID", w);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn the_redis_script_grants_exactly_limit_plus_burst_per_window_across_two_clients() {
    let url = redis_url();
    let a = RedisLimiter::connect(&url).await.unwrap();
    let b = RedisLimiter::connect(&url).await.unwrap();
    for tier in [Tier::Free, Tier::Starter, Tier::Pro] {
        let p = Policy::for_tier(tier);
        let check = Check {
            bucket: format!("exact-{}-{}", tier, uuid::Uuid::new_v4().simple()),
            policy: p,
            quota: None,
        };
        // Twice the allowance within one simulated window (a whole minute), alternating
        // between two clients; then the same in the next window.
        let start = 1_900_000_020_000_000_i64;
        let sends = 2 * p.allowance() as i64;
        let gap = 60_000_000 / sends;
        for window in 0..2 {
            let mut accepted = 0;
            for i in 0..sends {
                let limiter = if i % 2 == 0 { &a } else { &b };
                let at = start + window * 60_000_000 + i * gap;
                let d = limiter.decide(&check, Some(at), &day()).await.unwrap();
                if let Decision::Allowed(l) = d {
                    accepted += 1;
                    assert_eq!(l.rate.reset_at, 1_900_000_080 + 60 * window);
                }
            }
            assert_eq!(accepted, p.allowance(), "{tier} window {window}");
        }
    }
    // Concurrent callers at one instant: the quota binds first.
    let p = Policy::for_tier(Tier::Starter);
    let check = Check {
        bucket: format!("burst-{}", uuid::Uuid::new_v4().simple()),
        policy: p,
        quota: Some((format!("ws-{}", uuid::Uuid::new_v4().simple()), 150)),
    };
    let now = 1_900_000_020_000_000_i64;
    let today = day();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let limiter = if i % 2 == 0 { &a } else { &b };
        tasks.push(limiter.decide(&check, Some(now), &today));
    }
    let results = futures::future::join_all(tasks).await;
    let allowed = results
        .iter()
        .filter(|d| matches!(d, Ok(Decision::Allowed(_))))
        .count();
    let over_quota = results
        .iter()
        .filter(|d| matches!(d, Ok(Decision::QuotaExceeded(_))))
        .count();
    assert_eq!(
        allowed, 150,
        "the quota (150) binds before the window (1,200)"
    );
    assert_eq!(over_quota, 150);
}

#[tokio::test]
async fn two_api_processes_share_one_rate_limit_through_redis() {
    let db = keel_testkit::fresh_postgres_url().await;
    let admin = format!("keel_admin_shared_{}", uuid::Uuid::new_v4().simple());
    let dir = tempfile::tempdir().unwrap();
    let envs = vec![
        ("KEEL_DATABASE_URL", db.clone()),
        ("KEEL_REDIS_URL", redis_url()),
        ("KEEL_ADMIN_TOKEN", admin.clone()),
    ];
    // Migrations first, so the two processes do not race to apply them.
    let (first, base1) = spawn_keel(&envs, &dir.path().join("a.log"));
    let client = reqwest::Client::new();
    wait_ready(&client, &base1).await;
    let (second, base2) = spawn_keel(&envs, &dir.path().join("b.log"));
    wait_ready(&client, &base2).await;

    let (s, ws) = call(
        &client,
        reqwest::Method::POST,
        format!("{base1}/api/v1/workspaces"),
        &admin,
        None,
        Some(json!({"name": "Shared", "tier": "free"})),
    )
    .await;
    assert_eq!(s, 201, "{ws}");
    let ws = ws["data"]["id"].as_str().unwrap().to_string();
    let (s, key) = call(
        &client,
        reqwest::Method::POST,
        format!("{base2}/api/v1/keys"),
        &admin,
        Some(&ws),
        Some(json!({"name": "busy", "scopes": ["keys:read"], "rate_limit_tier": "free"})),
    )
    .await;
    assert_eq!(s, 201, "{key}");
    let key_id = key["data"]["id"].as_str().unwrap().to_string();
    let key = key["data"]["key"].as_str().unwrap().to_string();

    // Far more than the limit (60 a minute), from both processes at once.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = client.clone();
        let url = format!("{}/api/v1/", if i % 2 == 0 { &base1 } else { &base2 });
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for _ in 0..30 {
                let r = client.get(&url).bearer_auth(&key).send().await.unwrap();
                let reset: u64 = r.headers()["x-ratelimit-reset"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                answers.push((i % 2, r.status().as_u16(), reset));
            }
            answers
        }));
    }
    // Per window (a minute may end while they are sent): 200s and 429s, per process.
    let mut windows: std::collections::BTreeMap<u64, ([u64; 2], u64)> = Default::default();
    for t in tasks {
        for (p, status, reset) in t.await.unwrap() {
            let w = windows.entry(reset).or_default();
            match status {
                200 => w.0[p] += 1,
                429 => w.1 += 1,
                s => panic!("unexpected {s}"),
            }
        }
    }
    eprintln!("shared limit, per window: {windows:?}");
    // One shared count: 60 per window across both processes. Two separate in-process limiters
    // would have granted 60 each.
    for (w, (ok, _)) in &windows {
        assert!(ok[0] + ok[1] <= 60, "window {w}: {ok:?}");
    }
    let (_, (ok, _)) = windows
        .iter()
        .find(|(_, (_, limited))| *limited > 0)
        .expect("some were refused");
    assert_eq!(ok[0] + ok[1], 60, "{windows:?}");
    assert!(ok[0] > 0 && ok[1] > 0, "{windows:?}");
    let accepted: u64 = windows.values().map(|(ok, _)| ok[0] + ok[1]).sum();
    // The quota, too, is one count: every accepted call of both processes.
    // (A refused call reports the count without adding to it.)
    let me = client
        .get(format!("{base1}/api/v1/"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let counted = u64::from(me.status() == 200);
    let used: u64 = me.headers()["x-api-quota-used"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(used, accepted + counted, "{me:?}");
    // A revocation through one process reaches the other's key cache within its TTL.
    let (s, _) = call(
        &client,
        reqwest::Method::DELETE,
        format!("{base1}/api/v1/keys/{key_id}"),
        &admin,
        Some(&ws),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let revoked_at = Instant::now();
    loop {
        let (s, body) = call(
            &client,
            reqwest::Method::GET,
            format!("{base2}/api/v1/"),
            &key,
            None,
            None,
        )
        .await;
        if s == 401 {
            assert_eq!(body["error"]["code"], "key_revoked");
            break;
        }
        assert!(
            revoked_at.elapsed() < keel_api::auth::KEY_CACHE_TTL + Duration::from_millis(500),
            "the other process still accepts a revoked key"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.terminate();
    second.terminate();
}

fn grep_dir(dir: &Path, needles: &[String]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(grep_dir(&path, needles));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        for n in needles {
            if bytes.windows(n.len()).any(|w| w == n.as_bytes()) {
                hits.push(format!("{} holds {}…", path.display(), &n[..16]));
            }
        }
    }
    hits
}

/// Creates, uses, rotates and revokes keys, sends bad ones, replays an idempotent creation;
/// returns every secret it saw.
async fn exercise_keys(client: &reqwest::Client, base: &str, admin: &str) -> Vec<String> {
    let (s, ws) = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/workspaces"),
        admin,
        None,
        Some(json!({"name": "Leaky? workspace", "tier": "pro"})),
    )
    .await;
    assert_eq!(s, 201, "{ws}");
    let ws = ws["data"]["id"].as_str().unwrap().to_string();
    let mut secrets = Vec::new();
    let (s, k) = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/keys"),
        admin,
        Some(&ws),
        Some(json!({"name": "main", "scopes": ["keys:read", "keys:write"]})),
    )
    .await;
    assert_eq!(s, 201);
    let id = k["data"]["id"].as_str().unwrap().to_string();
    let key = k["data"]["key"].as_str().unwrap().to_string();
    secrets.push(key.clone());
    for _ in 0..3 {
        let (s, _) = call(
            client,
            reqwest::Method::GET,
            format!("{base}/api/v1/keys"),
            &key,
            None,
            None,
        )
        .await;
        assert_eq!(s, 200);
    }
    // Idempotent creation (its response, with the secret, is stored for replay) and its replay.
    for _ in 0..2 {
        let r = client
            .post(format!("{base}/api/v1/keys"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "leak-check")
            .json(&json!({"name": "child", "scopes": ["keys:read"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        secrets.push(v["data"]["key"].as_str().unwrap().to_string());
    }
    let (s, r) = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/keys/{id}/rotate"),
        &key,
        None,
        Some(json!({"grace_period_hours": 1})),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let rotated = r["data"]["key"].as_str().unwrap().to_string();
    secrets.push(rotated.clone());
    // Wrong keys: a typo of a real one, a revoked one.
    let last = if rotated.ends_with('x') { 'y' } else { 'x' };
    let typo = format!("{}{last}", &rotated[..rotated.len() - 1]);
    let (s, _) = call(
        client,
        reqwest::Method::GET,
        format!("{base}/api/v1/keys"),
        &typo,
        None,
        None,
    )
    .await;
    assert_eq!(s, 401);
    secrets.push(typo);
    let (s, _) = call(
        client,
        reqwest::Method::DELETE,
        format!("{base}/api/v1/keys/{id}"),
        &rotated,
        None,
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = call(
        client,
        reqwest::Method::GET,
        format!("{base}/api/v1/keys"),
        &rotated,
        None,
        None,
    )
    .await;
    assert_eq!(s, 401);
    secrets.dedup();
    secrets
}

async fn no_plaintext_key_after_a_run(postgres: bool) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let admin = format!("keel_admin_grep_{}", uuid::Uuid::new_v4().simple());
    let mut envs = vec![
        ("KEEL_DATA_DIR", data.display().to_string()),
        ("KEEL_ADMIN_TOKEN", admin.clone()),
    ];
    let db_url = if postgres {
        let url = keel_testkit::fresh_postgres_url().await;
        envs.push(("KEEL_DATABASE_URL", url.clone()));
        Some(url)
    } else {
        None
    };
    let log = dir.path().join("keel.log");
    let (proc_, base) = spawn_keel(&envs, &log);
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;
    let mut secrets = exercise_keys(&client, &base, &admin).await;
    secrets.push(admin.clone());
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    proc_.terminate();

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.contains("request"), "the run logged requests");
    let mut hits = Vec::new();
    for s in &secrets {
        if logs.contains(s.as_str()) {
            hits.push(format!("log holds {}…", &s[..16]));
        }
        if metrics.contains(s.as_str()) {
            hits.push(format!("metrics hold {}…", &s[..16]));
        }
    }
    // A control: the same search finds what was stored in clear (a workspace's name).
    let control = vec!["Leaky? workspace".to_string()];
    let mut control_found = false;
    if data.exists() {
        hits.extend(grep_dir(&data, &secrets));
        control_found |= !grep_dir(&data, &control).is_empty();
    }
    if let Some(url) = db_url {
        let db = keel_infra::Db::connect(&url, 2).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar::<_, String>(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert!(tables.len() > 5, "{tables:?}");
        for t in tables {
            let rows: Vec<String> =
                sqlx::query_scalar::<_, String>(&format!("SELECT t::text FROM \"{t}\" t"))
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
            control_found |= rows.iter().any(|r| r.contains(control[0].as_str()));
            for s in &secrets {
                if rows.iter().any(|r| r.contains(s.as_str())) {
                    hits.push(format!("table {t} holds {}…", &s[..16]));
                }
            }
        }
    }
    assert!(control_found, "the search cannot see stored text");
    assert!(hits.is_empty(), "plaintext keys found: {hits:#?}");
}

#[tokio::test]
async fn no_plaintext_key_in_logs_metrics_or_the_embedded_database_after_a_run() {
    no_plaintext_key_after_a_run(false).await;
}

#[tokio::test]
async fn no_plaintext_key_in_logs_metrics_or_postgres_after_a_run() {
    no_plaintext_key_after_a_run(true).await;
}
