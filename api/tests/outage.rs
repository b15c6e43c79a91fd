//! Reliability scenario 4 (docs/reliability.md): Postgres stopped abruptly under concurrent
//! writes, then started again. Every write a client saw succeed is in the log, once; meanwhile
//! the API answered 503 with `Retry-After`, never 500; the same process recovers by itself; no
//! idempotency key is left in use.
//!
//! The test runs a Postgres cluster of its own (initdb in a temporary directory, on a free port)
//! so stopping it disturbs no other test. It needs the server binaries (`scripts/test` installs
//! them) and, when run as root, `runuser` to run them as the `postgres` user.

#![allow(clippy::unwrap_used)]

use sqlx::{Connection, Row};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The newest installed Postgres's `bin` directory.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Postgres server binaries under /usr/lib/postgresql (run ./scripts/test)")
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().expect("no Postgres with pg_ctl installed").1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throw-away Postgres cluster.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn run(&self, tool: &str, args: &[&str]) -> std::process::Output {
        let exe = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        c.args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn init() -> Cluster {
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("keel-outage-")
            .tempdir()
            .unwrap();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown of the cluster directory to postgres");
        }
        let c = Cluster {
            bin: postgres_bin(),
            dir,
            port: free_port(),
            as_postgres,
        };
        let out = c.run(
            "initdb",
            &[
                "-D",
                &c.data(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        c.start();
        c
    }

    fn start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let out = self.run(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-o", &opts, "-w", "start"],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Like a crash: no checkpoint, every connection cut; the next start replays the WAL.
    fn stop_abruptly(&self) {
        let out = self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
    }
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Default)]
struct Tally {
    ok: AtomicUsize,
    unavailable: AtomicUsize,
    in_use: AtomicUsize,
    unreachable: AtomicUsize,
    /// Anything else: a 500, a 503 without Retry-After, an unexpected status. Must stay empty.
    bad: Mutex<Vec<String>>,
    /// Idempotency key -> the workspace its write created, as the client saw it.
    created: Mutex<HashMap<String, String>>,
    /// When each 409 `idempotency_key_in_use` was seen.
    in_use_at: Mutex<Vec<Instant>>,
}

/// One logical write, retried under the same idempotency key until it succeeds (or `limit`).
async fn write_once(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    tally: &Tally,
    limit: Instant,
) {
    let body = serde_json::json!({ "name": format!("Outage {key}"), "slug": key, "tier": "free" });
    while Instant::now() < limit {
        let r = http
            .post(format!("{base}/api/v1/workspaces"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await;
        let r = match r {
            Ok(r) => r,
            Err(_) => {
                tally.unreachable.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let status = r.status().as_u16();
        let retry_after = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let text = r.text().await.unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        match status {
            200 | 201 => {
                let id = v["data"]["id"].as_str().unwrap_or_default().to_string();
                tally.ok.fetch_add(1, Ordering::Relaxed);
                let mut created = tally.created.lock().unwrap();
                if let Some(before) = created.insert(key.to_string(), id.clone()) {
                    if before != id {
                        tally.bad.lock().unwrap().push(format!(
                            "{key}: created {before}, then {id} under the same key"
                        ));
                    }
                }
                return;
            }
            503 if retry_after.is_some() && v["error"]["code"] == "service_unavailable" => {
                tally.unavailable.fetch_add(1, Ordering::Relaxed);
                let wait = retry_after.unwrap_or(1).min(1);
                tokio::time::sleep(Duration::from_millis(wait * 300)).await;
            }
            409 if v["error"]["code"] == "idempotency_key_in_use" => {
                tally.in_use.fetch_add(1, Ordering::Relaxed);
                tally.in_use_at.lock().unwrap().push(Instant::now());
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => {
                tally.bad.lock().unwrap().push(format!(
                    "{key}: {status} (Retry-After {retry_after:?}) {text}"
                ));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    tally
        .bad
        .lock()
        .unwrap()
        .push(format!("{key}: never succeeded"));
}

#[tokio::test]
async fn postgres_stopped_abruptly_under_writes_loses_nothing_and_the_api_recovers() {
    sqlx::any::install_default_drivers();
    let cluster = Cluster::init();
    let mut admin = sqlx::AnyConnection::connect(&cluster.url("postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE keel")
        .execute(&mut admin)
        .await
        .unwrap();
    drop(admin);
    let db_url = cluster.url("keel");

    let port = free_port();
    let token = format!("keel_admin_outage_{}", uuid::Uuid::new_v4().simple());
    let _api = Proc(
        Command::new(env!("CARGO_BIN_EXE_keel"))
            .args(["serve", "--role", "api"])
            .env("KEEL_LISTEN", format!("127.0.0.1:{port}"))
            .env("KEEL_DATABASE_URL", &db_url)
            .env("KEEL_ADMIN_TOKEN", &token)
            .env("KEEL_DB_TIMEOUT_MS", "2000")
            .env("KEEL_LOG_FORMAT", "json")
            .env("KEEL_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let started = Instant::now();
    while http.get(format!("{base}/health")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "keel never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Eight clients writing all along: before, during and after the outage.
    let tally = Arc::new(Tally::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut clients = Vec::new();
    for w in 0..8 {
        let (http, base, token, tally, stopped) = (
            http.clone(),
            base.clone(),
            token.clone(),
            tally.clone(),
            stopped.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !*stopped.borrow() {
                let key = format!("outage-{w}-{n}");
                write_once(
                    &http,
                    &base,
                    &token,
                    &key,
                    &tally,
                    Instant::now() + Duration::from_secs(120),
                )
                .await;
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = tally.ok.load(Ordering::Relaxed);
    cluster.stop_abruptly();
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let during_ok = tally.ok.load(Ordering::Relaxed) - before;
    cluster.start();
    let restarted_at = Instant::now();
    let ok_at_restart = tally.ok.load(Ordering::Relaxed);
    let recovered = loop {
        if tally.ok.load(Ordering::Relaxed) > ok_at_restart {
            break restarted_at.elapsed();
        }
        assert!(
            restarted_at.elapsed() < Duration::from_secs(60),
            "no write succeeded within 60 s of the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    tokio::time::sleep(Duration::from_secs(4)).await;
    let _ = stop.send(true);
    let mut logical = 0;
    for c in clients {
        logical += c.await.unwrap();
    }

    let bad = tally.bad.lock().unwrap().clone();
    assert!(
        bad.is_empty(),
        "answers other than success, 503 with Retry-After or 409 in use:\n{}",
        bad.join("\n")
    );
    let created = tally.created.lock().unwrap().clone();
    assert_eq!(
        created.len(),
        logical,
        "every logical write succeeded in the end"
    );

    // The log: one workspace.created per logical write, and every one a client saw.
    let mut conn = sqlx::AnyConnection::connect(&db_url).await.unwrap();
    let rows = sqlx::query(
        "SELECT CAST(tenant_id AS TEXT) FROM events WHERE event_type = 'workspace.created'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut in_log: HashMap<String, usize> = HashMap::new();
    for r in rows {
        *in_log.entry(r.get::<String, _>(0)).or_default() += 1;
    }
    let missing: Vec<&String> = created
        .values()
        .filter(|id| !in_log.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged writes missing from the log: {missing:?}"
    );
    let doubled = in_log.len() - created.len();
    assert_eq!(
        doubled,
        0,
        "{} workspaces in the log for {} logical writes",
        in_log.len(),
        created.len()
    );
    assert!(in_log.values().all(|n| *n == 1), "an event recorded twice");

    // No key left in use: once the database was back, a key was busy only as long as its
    // request ran (or its release was retried), not for the claim's 60-second lease.
    let stuck_after = tally
        .in_use_at
        .lock()
        .unwrap()
        .iter()
        .filter(|t| **t > restarted_at + Duration::from_secs(10))
        .count();
    assert_eq!(
        stuck_after, 0,
        "idempotency keys still in use 10 s after the restart"
    );
    // No claim left running. A claim whose answer could not be stored (the database died right
    // after the write) is left `released`: its next run would find its events and answer again.
    let leftover: i64 =
        sqlx::query("SELECT COUNT(*) FROM idempotency_records WHERE state = 'running'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
    assert_eq!(leftover, 0, "claims never settled");
    let released: i64 =
        sqlx::query("SELECT COUNT(*) FROM idempotency_records WHERE state = 'released'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);

    eprintln!(
        "postgres stopped abruptly for {:.0} s under 8 writing clients: {logical} logical writes, {} in the log, \
         0 lost, 0 doubled; {during_ok} acknowledged while it was down; {} answers 503 with Retry-After, 0 answers 500, \
         {} 409 key-in-use (all within 10 s of the restart), {} connection failures; first success {:.1} s after the \
         restart, no process restarted; {released} answers sent but not stored (their keys released)",
        restarted_at.duration_since(stopped_at).as_secs_f64(),
        in_log.len(),
        tally.unavailable.load(Ordering::Relaxed),
        tally.in_use.load(Ordering::Relaxed),
        tally.unreachable.load(Ordering::Relaxed),
        recovered.as_secs_f64()
    );
}
