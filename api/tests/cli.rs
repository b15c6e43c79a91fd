//! Keel's clients (issue 28). The `keel` client commands against a running Keel, on the embedded
//! store and on Postgres: login and profiles (token, or email and password), keys (the secret
//! printed once), 10,000 events from a file, stats equal to the API's, every output format parsed
//! back, idempotent writes, exit codes, the other resources, and the audit log followed while
//! others write. The generated Python and TypeScript clients: regenerated without a difference,
//! and their examples run against a live server.

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
        .env("KEEL_WEBHOOKS_ALLOW_PRIVATE", "true")
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

/// `keel ARGS` with its profiles in `config` and none of the caller's KEEL_* settings.
fn keel_command(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keel"));
    cmd.args(args)
        .env("KEEL_CONFIG_DIR", config)
        .env_remove("KEEL_URL")
        .env_remove("KEEL_TOKEN")
        .env_remove("KEEL_WORKSPACE")
        .env_remove("KEEL_PROFILE");
    cmd
}

/// Runs `keel ARGS` with its profiles in `config`; `(exit code, stdout, stderr)`.
fn keel(config: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = keel_command(config, args)
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
    let ws = workspace_over_http(&s, "Acme").await;

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

/// A workspace made by the operator over HTTP: its id.
async fn workspace_over_http(s: &Server, name: &str) -> String {
    let ws: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/workspaces", s.base))
        .bearer_auth(&s.admin)
        .json(&json!({"name": name, "tier": "enterprise"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ws["data"]["id"].as_str().unwrap().to_string()
}

/// The operator makes a workspace from the command line and logs in to it (the default
/// profile): its id.
fn operator_in_new_workspace(s: &Server, cfg: &Path, name: &str) -> String {
    let ws = keel_json(
        cfg,
        &[
            "workspaces",
            "create",
            "--name",
            name,
            "--tier",
            "enterprise",
            "--url",
            &s.base,
            "--token",
            &s.admin,
        ],
    );
    let ws = ws["id"].as_str().unwrap().to_string();
    let (code, _, err) = keel(
        cfg,
        &["login", "--url", &s.base, "--workspace", &ws],
        Some(&format!("{}\n", s.admin)),
    );
    assert_eq!(code, 0, "{err}");
    ws
}

/// `keel audit tail --follow` in the background: the lines it printed so far.
struct Tail {
    _proc: Proc,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn tail(config: &Path, args: &[&str]) -> Tail {
    use std::io::BufRead;
    let mut child = keel_command(config, args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines() {
            match l {
                Ok(l) => sink.lock().unwrap().push(l),
                Err(_) => break,
            }
        }
    });
    Tail {
        _proc: Proc(child),
        lines,
    }
}

impl Tail {
    /// Waits until at least `n` lines came (or a minute passed): the lines.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.lines.lock().unwrap().clone();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The whole log of a workspace, oldest first, as the API pages it.
async fn whole_log(s: &Server, ws: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = "/api/v1/audit/events?order=asc&limit=500".to_string();
    loop {
        let page = api(s, &s.admin, Some(ws), &path).await;
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/audit/events?order=asc&limit=500&cursor={c}"),
            None => return out,
        }
    }
}

async fn resources_and_the_audit_log(postgres: bool) {
    let s = start(postgres).await;
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    // A workspace, made and renamed from the command line by the operator.
    let ws = operator_in_new_workspace(&s, cfg, "Acme");
    let renamed = keel_json(cfg, &["workspaces", "update", &ws, "--name", "Acme Ltd"]);
    assert_eq!(renamed["name"], "Acme Ltd", "{renamed}");
    assert_eq!(
        keel(cfg, &["workspaces", "update", &ws], None).0,
        2,
        "nothing to change"
    );

    // Domains from arguments and a file; one updated; its history and its state before.
    let list = cfg.join("domains.txt");
    std::fs::write(
        &list,
        "# ours\nexample.com\n\nshop.example.org # the shop\n",
    )
    .unwrap();
    let added = keel_json(
        cfg,
        &[
            "domains",
            "add",
            "acme.example.net",
            "--file",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(added["domains_added"], 3, "{added}");
    // Lists come from a projection a moment behind the log; the command line reads its own
    // writes (it passes the last write's position as min_position).
    let listed = keel_json(cfg, &["domains", "list"]);
    let mut names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["acme.example.net", "example.com", "shop.example.org"]
    );
    let id = listed.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let before = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let updated = keel_json(
        cfg,
        &[
            "domains",
            "update",
            &id,
            "--tags",
            "prod,eu",
            "--favorite",
            "true",
        ],
    );
    assert_eq!(updated["tags"], json!(["eu", "prod"]), "{updated}");
    let history = keel_json(cfg, &["audit", "history", &format!("domain/{id}")]);
    let types: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    // The domain's stream: added, counted, then (scans may come between) updated.
    assert_eq!(types[..2], ["domain.added", "usage.recorded"], "{history}");
    assert!(types.contains(&"domain.updated"), "{history}");
    let then = keel_json(cfg, &["audit", "as-of", &format!("domain/{id}"), &before]);
    assert_eq!(then["tags"], json!([]), "{then}");
    assert_eq!(
        keel(
            cfg,
            &["audit", "as-of", &format!("site/{id}"), &before],
            None
        )
        .0,
        2
    );

    // A webhook endpoint: its secret once, paused, deleted.
    let hook = keel_json(
        cfg,
        &[
            "webhooks",
            "create",
            "--endpoint",
            "http://127.0.0.1:9/keel",
            "--events",
            "key.created,domain.*",
        ],
    );
    assert!(
        hook["secret"].as_str().unwrap_or("").starts_with("whsec_"),
        "{hook}"
    );
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let paused = keel_json(cfg, &["webhooks", "update", &hook_id, "--active", "false"]);
    assert_eq!(paused["is_active"], false, "{paused}");
    assert!(keel_json(cfg, &["webhooks", "list"])
        .to_string()
        .contains(&hook_id));
    assert_eq!(keel(cfg, &["webhooks", "delete", &hook_id], None).0, 0);
    assert_eq!(keel(cfg, &["webhooks", "show", &hook_id], None).0, 4);

    // A person: invited, joined, signed in from the command line with a password.
    let invited = keel_json(
        cfg,
        &[
            "members",
            "invite",
            "--email",
            "ana@example.com",
            "--role",
            "admin",
        ],
    );
    let link = invited["invite_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{invited}"));
    let token = link.split("token=").nth(1).unwrap().to_string();
    let joined = reqwest::Client::new()
        .post(format!("{}/api/v1/invitations/accept", s.base))
        .json(&json!({"token": token, "name": "Ana", "password": "a long passphrase 42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 201);
    let sign_in = |password: &str| {
        let args = [
            "login",
            "--profile",
            "ana",
            "--url",
            &s.base,
            "--email",
            "ana@example.com",
        ];
        keel(cfg, &args, Some(&format!("{password}\n")))
    };
    let (code, _, err) = sign_in("wrong password");
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = sign_in("a long passphrase 42");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ana@example.com"), "{err}");
    let me = keel_json(cfg, &["whoami", "--profile", "ana"]);
    assert_eq!(me["type"], "user", "{me}");
    let members = keel_json(cfg, &["members", "list", "--profile", "ana"]);
    let ana = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ana@example.com")
        .unwrap_or_else(|| panic!("{members}"));
    assert_eq!(ana["role"], "admin");
    let usage = keel_json(cfg, &["usage"]);
    assert!(usage.is_array(), "{usage}");

    // An export of the domains, queued, waited for and downloaded.
    let out = cfg.join("domains.csv");
    let (code, _, err) = keel(
        cfg,
        &[
            "export",
            "domains",
            "--columns",
            "domain,tags",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("domain,tags"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains("shop.example.org"), "{csv}");

    // The log, followed while another process writes to it: every event once, in log order.
    let follower = tail(
        cfg,
        &[
            "audit",
            "tail",
            "-n",
            "1",
            "--follow",
            "--interval-ms",
            "100",
            "-o",
            "ndjson",
        ],
    );
    let first = follower.wait_for(1).await;
    // `-n 1`: the newest event when it started; it follows from there.
    let first: Value = serde_json::from_str(&first[0]).unwrap();
    let newest = first["event_id"].clone();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (base, admin, ws) = (s.base.clone(), s.admin.clone(), ws.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0..10 {
                    let r = http
                        .post(format!("{base}/api/v1/keys"))
                        .bearer_auth(&admin)
                        .header("X-Workspace-ID", &ws)
                        .json(&json!({"name": format!("w{w}-{i}"), "scopes": ["keys:read"]}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    // The writers' events are committed, but on Postgres the log shows them only once every
    // older transaction in the cluster has ended (`meta.pending`; other tests write beside this
    // one): read it until it has them all.
    let ids = |rows: &[Value]| {
        rows.iter()
            .map(|e| e["event_id"].clone())
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let (log, start) = loop {
        let log = whole_log(&s, &ws).await;
        let start = log
            .iter()
            .position(|e| e["event_id"] == newest)
            .expect("the log keeps every event it showed");
        let made = log[start..]
            .iter()
            .filter(|e| e["event_type"] == "key.created")
            .count();
        if made == 40 {
            break (log, start);
        }
        assert!(Instant::now() < deadline, "{made} of 40 keys in the log");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let expected = ids(&log[start..]);
    let printed = |lines: &[String]| {
        lines
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["event_id"].clone())
            .collect::<Vec<_>>()
    };
    let got = printed(&follower.wait_for(expected.len()).await);
    assert!(
        got.len() >= expected.len(),
        "{} of {}",
        got.len(),
        expected.len()
    );
    assert_eq!(
        got[..expected.len()],
        expected,
        "every event once, in order"
    );
    // Whatever it printed since (the scanner may still append) continues the log: nothing twice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = printed(&follower.lines.lock().unwrap().clone());
    let log = ids(&whole_log(&s, &ws).await[start..]);
    assert!(log.len() >= got.len());
    assert_eq!(got, log[..got.len()], "nothing twice, nothing out of order");
    // Without --follow: the newest n, oldest first; and as CSV, parsed back (compared with the
    // log read before and after, so that an event appended meanwhile cannot confuse it).
    let mut tries = 0;
    loop {
        let before = whole_log(&s, &ws).await;
        let (code, out, err) = keel(cfg, &["audit", "tail", "-n", "3", "-o", "csv"], None);
        assert_eq!(code, 0, "{err}");
        let after = whole_log(&s, &ws).await;
        tries += 1;
        if ids(&before) != ids(&after) && tries < 10 {
            continue;
        }
        let rows: Vec<&str> = out.lines().collect();
        assert!(
            rows[0].starts_with("position,occurred_at,event_type"),
            "{out}"
        );
        let tailed: Vec<&str> = rows[1..]
            .iter()
            .map(|r| r.rsplit(',').next().unwrap())
            .collect();
        let last3: Vec<&str> = after[after.len() - 3..]
            .iter()
            .map(|e| e["event_id"].as_str().unwrap())
            .collect();
        assert_eq!(tailed, last3);
        break;
    }
    // A remembered position this server does not have (it was reset): forgotten, and the read
    // made without it.
    let positions = cfg.join("positions.toml");
    assert!(std::fs::read_to_string(&positions)
        .unwrap()
        .contains(&s.base));
    std::fs::write(&positions, format!("\"{}\" = 999999999\n", s.base)).unwrap();
    let keys = keel_json(cfg, &["keys", "list"]);
    assert!(keys.as_array().unwrap().len() >= 40, "{keys}");
    assert!(!std::fs::read_to_string(&positions)
        .unwrap()
        .contains("999999999"));
    let page = keel_json(
        cfg,
        &["audit", "events", "--type", "domain.*", "--limit", "2"],
    );
    assert_eq!(page.as_array().map(Vec::len), Some(2), "{page}");
}

#[tokio::test]
async fn resources_and_the_audit_log_on_the_embedded_store() {
    resources_and_the_audit_log(false).await;
}

#[tokio::test]
async fn resources_and_the_audit_log_on_postgres() {
    resources_and_the_audit_log(true).await;
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

#[test]
fn man_pages_are_generated_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let man = dir.path().join("man");
    let (code, _, err) = keel(dir.path(), &["man", "--dir", man.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    for page in [
        "keel.1",
        "keel-keys-create.1",
        "keel-audit-tail.1",
        "keel-serve.1",
    ] {
        let text =
            std::fs::read_to_string(man.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page}: {text}"
        );
    }
    let create = std::fs::read_to_string(man.join("keel-keys-create.1")).unwrap();
    assert!(create.contains("printed once"), "{create}");
    assert!(
        !std::fs::read_dir(&man).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("-help")),
        "no pages for the help pseudo-command"
    );
}

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs a command to its end: `(exit code, stdout + stderr)`.
fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_generated_clients_match_the_api() {
    // Regenerated from this build's document by the pinned generators: no difference.
    let (code, out) = run(Command::new(repo().join("scripts/generate-clients"))
        .arg("--check")
        .env("KEEL_BIN", env!("CARGO_BIN_EXE_keel")));
    assert_eq!(code, 0, "{out}");
}

#[tokio::test]
async fn the_generated_clients_examples_run() {
    let venv = std::env::var("KEEL_CLIENTS_VENV")
        .expect("KEEL_CLIENTS_VENV: run through scripts/test (ensure_client_generators)");
    let s = start(false).await;
    let ws = workspace_over_http(&s, "Clients").await;
    let env = [
        ("KEEL_URL", s.base.as_str()),
        ("KEEL_TOKEN", s.admin.as_str()),
        ("KEEL_WORKSPACE", ws.as_str()),
    ];
    let python = repo().join("clients/python");
    let (code, out) = run(Command::new(format!("{venv}/bin/python"))
        .arg("examples/quickstart.py")
        .current_dir(&python)
        .env("PYTHONPATH", python.join("keel-client"))
        .envs(env));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("accepted 30, duplicate 0, rejected 0"),
        "{out}"
    );
    assert!(out.contains("visitors 5, pageviews 30"), "{out}");
    assert!(out.contains("4 keys:"), "{out}");

    let ts = repo().join("clients/typescript");
    // Type-checked against the generated schema, then run (from dist/, beside node_modules).
    let (code, out) = run(Command::new(ts.join("node_modules/.bin/tsc"))
        .args(["-p", "."])
        .current_dir(&ts));
    assert_eq!(code, 0, "tsc: {out}");
    let (code, out) = run(Command::new("node")
        .arg("dist/examples/quickstart.js")
        .current_dir(&ts)
        .envs(env));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("accepted 30, duplicate 0, rejected 0"),
        "{out}"
    );
    assert!(out.contains("visitors 5, pageviews 30"), "{out}");
    assert!(
        out.contains("8 keys:"),
        "the Python example's 4 and these: {out}"
    );
}

/// A tmux session running one shell command in a terminal of 160×50.
struct Tmux(String);

impl Tmux {
    fn start(command: &str, env: &[(&str, &str)]) -> Tmux {
        let name = format!("keel-cli-{}", uuid::Uuid::new_v4().simple());
        let mut cmd = Command::new("tmux");
        cmd.args(["new-session", "-d", "-s", &name, "-x", "160", "-y", "50"]);
        for (k, v) in env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        // The pane stays open after the command ends, so its last screen can be read.
        cmd.arg(format!("{command}; echo '[done]'; sleep 600"));
        let (code, out) = run(&mut cmd);
        assert_eq!(code, 0, "tmux: {out}");
        Tmux(name)
    }

    fn screen(&self) -> String {
        run(Command::new("tmux").args(["capture-pane", "-p", "-t", &self.0])).1
    }

    /// Polls the screen until `done(screen)` (or 60 s): every screen seen.
    async fn watch(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        loop {
            let s = self.screen();
            let finished = done(&s);
            seen.push(s);
            if finished || Instant::now() > deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

#[tokio::test]
async fn a_terminal_shows_progress_and_aligned_tables() {
    let s = start(false).await;
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    operator_in_new_workspace(&s, cfg, "Terminal");
    let site = keel_json(
        cfg,
        &[
            "sites",
            "create",
            "--name",
            "T",
            "--domain",
            "t.example.com",
        ],
    );
    let site = site["id"].as_str().unwrap().to_string();
    for name in ["ingest", "a much longer key name", "ci"] {
        keel_json(
            cfg,
            &["keys", "create", "--name", name, "--scopes", "keys:read"],
        );
    }
    let file = cfg.join("events.ndjson");
    let mut lines = String::new();
    for i in 0..3000 {
        lines.push_str(
            &json!({"visitor_id": format!("v{i}"), "url": "https://t.example.com/", "event_id": format!("t{i}")})
                .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&file, lines).unwrap();
    let bin = env!("CARGO_BIN_EXE_keel");
    let env = [("KEEL_CONFIG_DIR", cfg.to_str().unwrap())];

    // On a terminal, the send shows its progress while it runs, then only the summary.
    let send = Tmux::start(
        &format!(
            "{bin} events send --file {} --site {site} --batch 20",
            file.display()
        ),
        &env,
    );
    let screens = send.watch(|s| s.contains("[done]")).await;
    let last = screens.last().unwrap();
    assert!(
        last.contains("accepted 3000, duplicate 0, rejected 0"),
        "{last}"
    );
    assert!(
        screens.iter().any(|s| s.contains("events sent")),
        "no progress was shown: {screens:?}"
    );
    assert!(!last.contains("events sent"), "the bar is cleared: {last}");
    // Piped, the same command prints nothing but its summary.
    let (code, out, err) = keel(
        cfg,
        &[
            "events",
            "send",
            "--file",
            file.to_str().unwrap(),
            "--site",
            &site,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "accepted 0, duplicate 3000, rejected 0\n");
    assert!(!err.contains("events sent"), "{err}");

    // A table: every column starts where its header does, on every row.
    let list = Tmux::start(&format!("{bin} keys list"), &env);
    let screen = list.watch(|s| s.contains("[done]")).await.pop().unwrap();
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.starts_with("ID "))
        .take_while(|l| !l.starts_with("[done]"))
        .collect();
    assert_eq!(rows.len(), 4, "a header and three keys: {screen}");
    let header = rows[0];
    let name_at = header.find("NAME").unwrap();
    for row in &rows[1..] {
        let chars: Vec<char> = row.chars().collect();
        assert!(
            chars[name_at - 1] == ' ' && chars[name_at] != ' ',
            "NAME column misaligned:\n{screen}"
        );
    }
    assert!(
        rows.iter().any(|r| r.contains("a much longer key name")),
        "{screen}"
    );
}
