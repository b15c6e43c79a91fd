//! The `keel` client commands against a running Keel, on the embedded store and on Postgres
//! (issue 28): login and profiles, keys (the secret printed once), 10,000 events from a file,
//! stats equal to the API's, every output format parsed back, idempotent writes, exit codes.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Server {
    _proc: Proc,
    base: String,
    admin: String,
    _data: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(postgres: bool) -> Server {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let admin = format!("keel_admin_cli_{}", uuid::Uuid::new_v4().simple());
    let log = std::fs::File::create(data.path().join("keel.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keel"));
    cmd.args(["serve"])
        .env("KEEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KEEL_ADMIN_TOKEN", &admin)
        .env("KEEL_DATA_DIR", data.path())
        .env("KEEL_LOG", "warn")
        .env_remove("KEEL_DATABASE_URL")
        .env_remove("KEEL_KAFKA_BROKERS")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    if postgres {
        cmd.env(
            "KEEL_DATABASE_URL",
            keel_testkit::fresh_postgres_url().await,
        );
    }
    let proc = Proc(cmd.spawn().expect("spawn keel"));
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{base}/api/v1/ready")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "{base} never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server {
        _proc: proc,
        base,
        admin,
        _data: data,
    }
}

/// Runs `keel ARGS` with its profiles in `config`; `(exit code, stdout, stderr)`.
fn keel(config: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .env("KEEL_CONFIG_DIR", config)
        .env_remove("KEEL_URL")
        .env_remove("KEEL_TOKEN")
        .env_remove("KEEL_WORKSPACE")
        .env_remove("KEEL_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `keel ARGS -o json`, which must succeed: its JSON.
fn keel_json(config: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let (code, out, err) = keel(config, &all, None);
    assert_eq!(code, 0, "keel {args:?}: {err}{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("keel {args:?}: {e}: {out}"))
}

async fn api(s: &Server, token: &str, ws: Option<&str>, path: &str) -> Value {
    let mut r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .bearer_auth(token);
    if let Some(w) = ws {
        r = r.header("X-Workspace-ID", w);
    }
    r.send().await.unwrap().json().await.unwrap()
}

async fn the_command_line_drives_a_running_keel(postgres: bool) {
    let s = start(postgres).await;
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let ws: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/workspaces", s.base))
        .bearer_auth(&s.admin)
        .json(&json!({"name": "Acme", "tier": "enterprise"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ws = ws["data"]["id"].as_str().unwrap().to_string();

    // Login: checked against the server, saved for the owner only.
    let (code, _, err) = keel(
        cfg,
        &["login", "--url", &s.base, "--token", "keel_nope"],
        None,
    );
    assert_eq!(code, 3, "a token the server does not know: {err}");
    let (code, _, err) = keel(
        cfg,
        &["login", "--url", &s.base, "--workspace", &ws],
        Some(&format!("{}\n", s.admin)),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("as operator"), "{err}");
    let file = cfg.join("profiles.toml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(keel_json(cfg, &["whoami"])["type"], "operator");

    // A site and a key: the secret once, never in the list.
    let site = keel_json(
        cfg,
        &[
            "sites",
            "create",
            "--name",
            "Shop",
            "--domain",
            "shop.example.com",
        ],
    );
    let site = site["id"].as_str().unwrap().to_string();
    let key = keel_json(
        cfg,
        &[
            "keys",
            "create",
            "--name",
            "ingest",
            "--scopes",
            "events:write,analytics:read",
        ],
    );
    let secret = key["key"].as_str().unwrap().to_string();
    let list = keel_json(cfg, &["keys", "list"]);
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == key["id"])
        .unwrap();
    assert!(listed.get("key").is_none_or(Value::is_null), "{listed}");
    assert!(!list.to_string().contains(&secret));
    // The same idempotency key twice: one key.
    let again = |n: &str| {
        keel_json(
            cfg,
            &[
                "keys",
                "create",
                "--name",
                n,
                "--scopes",
                "keys:read",
                "--idempotency-key",
                "cli-test-1",
            ],
        )
    };
    assert_eq!(again("once")["id"], again("once")["id"]);

    // A second profile with the key (its token read from stdin), and 10,000 events from a file.
    let (code, _, err) = keel(
        cfg,
        &["login", "--profile", "ingest", "--url", &s.base],
        Some(&secret),
    );
    assert_eq!(code, 0, "{err}");
    let mut ndjson = String::new();
    for i in 0..10_000 {
        let e = json!({"visitor_id": format!("v{}", i % 1000), "url": format!("https://shop.example.com/p/{}", i % 7),
            "referrer": if i % 3 == 0 { "https://www.google.com/" } else { "" }, "event_id": format!("e{i}")});
        ndjson.push_str(&e.to_string());
        ndjson.push('\n');
        if i == 5000 {
            ndjson.push_str("not json\n[1]\n{\"visitor_id\": \"x\"}\n\n");
        }
    }
    let events = cfg.join("events.ndjson");
    std::fs::write(&events, &ndjson).unwrap();
    let sent = keel_json(
        cfg,
        &[
            "events",
            "send",
            "--profile",
            "ingest",
            "--file",
            events.to_str().unwrap(),
            "--site",
            &site,
        ],
    );
    assert_eq!(
        (&sent["accepted"], &sent["duplicate"], &sent["rejected"]),
        (&json!(10_000), &json!(0), &json!(3)),
        "{sent}"
    );
    let lines: Vec<u64> = sent["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [5002, 5003, 5004], "{sent}");
    // Sent again from stdin: every event a duplicate (their ids were seen).
    let (code, out, err) = keel(
        cfg,
        &[
            "events",
            "send",
            "--profile",
            "ingest",
            "--file",
            "-",
            "--site",
            &site,
        ],
        Some(&ndjson),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("accepted 0, duplicate 10000, rejected 3\n"),
        "{out}"
    );

    // Stats as the API answers them, once the projection has the events.
    let deadline = Instant::now() + Duration::from_secs(60);
    let expected = loop {
        let a = api(
            &s,
            &secret,
            None,
            &format!("/api/v1/sites/{site}/stats/aggregate?period=7d"),
        )
        .await;
        if a["data"]["pageviews"] == 10_000 || Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Rollups count visitors with a sketch beyond 256 a row: close to 1,000, not exact.
    let visitors = expected["data"]["visitors"].as_u64().unwrap();
    assert!((950..=1050).contains(&visitors), "{expected}");
    let got = keel_json(
        cfg,
        &[
            "stats",
            "aggregate",
            "--profile",
            "ingest",
            "--site",
            &site,
            "--period",
            "7d",
        ],
    );
    assert_eq!(got, expected["data"]);
    let by_page = api(
        &s,
        &secret,
        None,
        &format!("/api/v1/sites/{site}/stats/breakdown?period=7d&dimension=page"),
    )
    .await;
    let rows = by_page["data"].as_array().unwrap();
    assert_eq!(rows.len(), 7, "{by_page}");
    let breakdown = |output: &str| {
        let (code, out, err) = keel(
            cfg,
            &[
                "stats",
                "breakdown",
                "--profile",
                "ingest",
                "--site",
                &site,
                "--period",
                "7d",
                "--dimension",
                "page",
                "-o",
                output,
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let nd: Vec<Value> = breakdown("ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&nd, rows);
    let csv = breakdown("csv");
    let mut csv_lines = csv.lines();
    let header: Vec<&str> = csv_lines.next().unwrap().split(',').collect();
    let page_col = header.iter().position(|h| *h == "page").unwrap();
    let visitors_col = header.iter().position(|h| *h == "visitors").unwrap();
    let from_csv: Vec<(String, u64)> = csv_lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[page_col].to_string(), f[visitors_col].parse().unwrap())
        })
        .collect();
    let from_api: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["page"].as_str().unwrap().to_string(),
                r["visitors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_csv, from_api);
    let table = breakdown("table");
    assert!(
        table.starts_with("PAGE") || table.contains("PAGE "),
        "{table}"
    );
    assert_eq!(table.lines().count(), 8, "{table}");
    // A filter from the command line, and any query from a file.
    let filtered = keel_json(
        cfg,
        &[
            "stats",
            "aggregate",
            "--profile",
            "ingest",
            "--site",
            &site,
            "--period",
            "7d",
            "--filter",
            "source is Google",
        ],
    );
    let api_filtered = api(
        &s,
        &secret,
        None,
        &format!(
            "/api/v1/sites/{site}/stats/aggregate?period=7d&filters=%5B%5B%22is%22%2C%22source%22%2C%5B%22Google%22%5D%5D%5D"
        ),
    )
    .await;
    assert_eq!(filtered, api_filtered["data"]);
    assert_eq!(filtered["visitors"], 334, "{filtered}");
    let q = cfg.join("query.json");
    std::fs::write(
        &q,
        json!({"metrics": ["visitors"], "date_range": "7d", "dimensions": ["visit:source"],
            "order_by": [["visit:source", "asc"]]})
        .to_string(),
    )
    .unwrap();
    let (code, out, err) = keel(
        cfg,
        &[
            "stats",
            "query",
            "--profile",
            "ingest",
            "--site",
            &site,
            "--body",
            q.to_str().unwrap(),
            "-o",
            "csv",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "visit:source,visitors\r\nDirect / None,666\r\nGoogle,334\r\n"
    );

    // Exit codes tell failures apart.
    let code = |args: &[&str]| keel(cfg, args, None).0;
    assert_eq!(code(&["keys", "show", "nope"]), 4, "not found");
    assert_eq!(code(&["whoami", "--token", "keel_wrong"]), 3, "bad token");
    assert_eq!(
        code(&[
            "stats",
            "aggregate",
            "--site",
            &site,
            "--period",
            "fortnight"
        ]),
        7,
        "invalid"
    );
    assert_eq!(
        code(&["keys", "list", "--profile", "nobody"]),
        3,
        "no server"
    );
    assert_eq!(code(&["keys", "create"]), 2, "usage");
    assert_eq!(code(&["logout", "--profile", "nobody"]), 4);
    assert_eq!(code(&["logout", "--profile", "ingest"]), 0);
    assert_eq!(
        code(&["stats", "aggregate", "--profile", "ingest", "--site", &site]),
        3
    );
}

#[tokio::test]
async fn the_command_line_on_the_embedded_store() {
    the_command_line_drives_a_running_keel(false).await;
}

#[tokio::test]
async fn the_command_line_on_postgres() {
    the_command_line_drives_a_running_keel(true).await;
}

#[test]
fn completions_are_generated_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = keel(dir.path(), &["completions", shell], None);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("keel") && out.contains("events"), "{shell}");
    }
}
