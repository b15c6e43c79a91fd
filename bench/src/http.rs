//! `keel-bench http`: the cost of the edge. An authenticated `GET` of a small resource (key
//! lookup, rate limiter, quota, scope, tenancy, read model) against an unauthenticated route of
//! the same binary (`/api/v1/health`), under the same load generator, in the same run; printed
//! as requests/s and their ratio.

use keel_api::{Application, Role};
use keel_infra::config::Config;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct HttpBenchOptions {
    pub seconds: u64,
    pub connections: usize,
    /// Postgres instead of the embedded SQLite store.
    pub database_url: Option<String>,
}

/// One keep-alive HTTP/1.1 connection that sends the same request over and over: as little
/// client work as possible, so the server is what is measured.
pub(crate) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub(crate) async fn open(port: u16) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(8192),
        })
    }

    /// Sends `request` and reads one response; returns its status.
    pub(crate) async fn roundtrip(&mut self, request: &[u8]) -> anyhow::Result<u16> {
        self.stream.write_all(request).await?;
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end])?.to_ascii_lowercase();
                let status: u16 = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("bad status line"))?;
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                let total = end + 4 + len;
                while self.buf.len() < total {
                    self.fill().await?;
                }
                self.buf.drain(..total);
                return Ok(status);
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            anyhow::bail!("connection closed");
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

pub(crate) struct Load {
    pub(crate) per_second: f64,
    pub(crate) statuses: std::collections::BTreeMap<u16, u64>,
}

/// Each connection sends its own request of `requests` (round robin), so that every connection
/// can use its own key and no key's rate limit binds during the run.
async fn load(
    port: u16,
    requests: &[String],
    connections: usize,
    secs: f64,
) -> anyhow::Result<Load> {
    load_counting(port, requests, connections, secs, 200).await
}

/// Like [`load`], counting responses of status `ok` as successes.
pub(crate) async fn load_counting(
    port: u16,
    requests: &[String],
    connections: usize,
    secs: f64,
    ok_status: u16,
) -> anyhow::Result<Load> {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..connections {
        let request = requests[i % requests.len()].clone().into_bytes();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(port).await?;
            let mut statuses = std::collections::BTreeMap::new();
            while Instant::now() < deadline {
                *statuses
                    .entry(conn.roundtrip(&request).await?)
                    .or_insert(0u64) += 1;
            }
            anyhow::Ok(statuses)
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        for (s, n) in t.await?? {
            *statuses.entry(s).or_insert(0) += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = statuses.get(&ok_status).copied().unwrap_or(0);
    Ok(Load {
        per_second: ok as f64 / elapsed,
        statuses,
    })
}

pub(crate) fn get(path: &str, token: Option<&str>) -> String {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n")
}

pub(crate) async fn post(
    port: u16,
    path: &str,
    token: &str,
    ws: Option<&str>,
    body: &str,
) -> anyhow::Result<serde_json::Value> {
    send(port, "POST", path, token, ws, body).await
}

/// One request on its own connection; the response body as JSON.
pub(crate) async fn send(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    ws: Option<&str>,
    body: &str,
) -> anyhow::Result<serde_json::Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let ws = ws
        .map(|w| format!("X-Workspace-ID: {w}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n{ws}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .ok_or_else(|| anyhow::anyhow!("no body"))?;
    Ok(serde_json::from_str(body)?)
}

pub async fn run(o: HttpBenchOptions) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let admin = format!("keel_admin_bench_{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        database_url: o.database_url.clone(),
        admin_token: Some(admin.clone()),
        ..Config::default()
    };
    let backend = if config.is_embedded() {
        "embedded SQLite"
    } else {
        "Postgres"
    };
    let app = Application::build(config, Role::All).await?;
    let port = app.port();
    let running = app.spawn();

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
    // A key per connection (the workspace's plan allows 1,000): no key's rate limit binds.
    let mut keys = Vec::new();
    for i in 0..o.connections {
        let key = post(
            port,
            "/api/v1/keys",
            &admin,
            Some(&ws),
            &format!(r#"{{"name":"bench {i}","scopes":["workspaces:read"]}}"#),
        )
        .await?;
        keys.push(
            key["data"]["key"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("key not created: {key}"))?
                .to_string(),
        );
    }
    let hello = vec![get("/api/v1/health", None)];
    let whoami: Vec<String> = keys.iter().map(|k| get("/api/v1/", Some(k))).collect();
    let authed: Vec<String> = keys
        .iter()
        .map(|k| get(&format!("/api/v1/workspaces/{ws}"), Some(k)))
        .collect();
    // The read model catches up, then every route warms up.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !load(port, &authed, 1, 0.05)
        .await?
        .statuses
        .contains_key(&200)
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the workspace never became readable"
        );
    }
    for r in [&hello, &whoami, &authed] {
        load(port, r, o.connections, 1.0).await?;
    }
    // Alternate the routes, twice, so drift on a shared machine hits them alike.
    let slice = o.seconds as f64 / 2.0;
    let mut runs: [Vec<Load>; 3] = Default::default();
    for _ in 0..2 {
        for (i, r) in [&hello, &whoami, &authed].into_iter().enumerate() {
            runs[i].push(load(port, r, o.connections, slice).await?);
        }
    }
    let mut other_statuses = std::collections::BTreeMap::new();
    for l in runs.iter().flatten() {
        for (s, n) in &l.statuses {
            if *s != 200 {
                *other_statuses.entry(*s).or_insert(0) += n;
            }
        }
    }
    let mean = |v: &[Load]| v.iter().map(|l| l.per_second).sum::<f64>() / v.len() as f64;
    let (hello_rps, whoami_rps, read_rps) = (mean(&runs[0]), mean(&runs[1]), mean(&runs[2]));
    running.stop().await;
    let warn = if other_statuses.is_empty() {
        String::new()
    } else {
        format!(" | non-200 responses: {other_statuses:?}")
    };
    let c = o.connections;
    let s = o.seconds;
    Ok(format!(
        "edge cost ({backend}, {c} connections, {s} s per route):\n\
         authenticated GET /api/v1/ (key, rate limit, quota, caller resource): {whoami_rps:.0} req/s | \
         unauthenticated GET /api/v1/health {hello_rps:.0} req/s | ratio {r1:.2} (target >= 0.5){warn}\n\
         authenticated GET /api/v1/workspaces/{{id}} (the above + a read-model query): {read_rps:.0} req/s | \
         unauthenticated GET /api/v1/health {hello_rps:.0} req/s | ratio {r2:.2}\n",
        r1 = whoami_rps / hello_rps,
        r2 = read_rps / hello_rps,
    ))
}
