//! `keel-bench http`: what a client feels on each HTTP path, beside same-run baselines.
//!
//! Reads (a key's `GET /api/v1/`, a single resource, a list page of ten with its exact total, the
//! operator's workspace list) against an unauthenticated route of the same binary
//! (`/api/v1/health`), under the same load generator. Single-event commands (`POST /workspaces`
//! at one and at N connections, `POST /keys` at N) against a raw one-row INSERT at N writers and
//! the postgres-es peer (cqrs-es with a trivial aggregate) at N writers, on the same Postgres
//! server. Routes alternate so that drift on a shared machine hits them alike.

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
    /// Latencies of the successful requests, in microseconds, sorted.
    pub(crate) micros: Vec<u32>,
}

impl Load {
    /// The `q` quantile of the latencies (0.5, 0.99), in milliseconds.
    pub(crate) fn ms(&self, q: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        let i = ((self.micros.len() as f64 * q).ceil() as usize).clamp(1, self.micros.len()) - 1;
        f64::from(self.micros[i]) / 1000.0
    }
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
    let requests: Vec<Vec<u8>> = requests.iter().map(|r| r.clone().into_bytes()).collect();
    load_gen(port, connections, secs, ok_status, move |conn, _| {
        requests[conn % requests.len()].clone()
    })
    .await
}

/// `connections` keep-alive connections, each sending `make(connection, n)` as its `n`th
/// request until `secs` have passed; counts responses of status `ok` and their latencies.
pub(crate) async fn load_gen(
    port: u16,
    connections: usize,
    secs: f64,
    ok_status: u16,
    make: impl Fn(usize, u64) -> Vec<u8> + Send + Sync + 'static,
) -> anyhow::Result<Load> {
    let make = std::sync::Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..connections {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(port).await?;
            let mut statuses = std::collections::BTreeMap::new();
            let mut micros = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let request = make(i, n);
                n += 1;
                let t = Instant::now();
                let status = conn.roundtrip(&request).await?;
                if status == ok_status {
                    micros.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                }
                *statuses.entry(status).or_insert(0u64) += 1;
            }
            anyhow::Ok((statuses, micros))
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    let mut micros = Vec::new();
    for t in tasks {
        let (s, m) = t.await??;
        for (s, n) in s {
            *statuses.entry(s).or_insert(0) += n;
        }
        micros.extend(m);
    }
    micros.sort_unstable();
    let elapsed = started.elapsed().as_secs_f64();
    let ok = statuses.get(&ok_status).copied().unwrap_or(0);
    Ok(Load {
        per_second: ok as f64 / elapsed,
        statuses,
        micros,
    })
}

/// A request with a JSON body on a keep-alive connection.
pub(crate) fn with_body(
    method: &str,
    path: &str,
    token: &str,
    ws: Option<&str>,
    body: &str,
) -> Vec<u8> {
    let ws = ws
        .map(|w| format!("X-Workspace-ID: {w}\r\n"))
        .unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n{ws}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
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
    let n = o.connections;

    let created = |v: &serde_json::Value, what: &str| -> anyhow::Result<String> {
        v["data"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("{what} not created: {v}"))
    };
    let ws = created(
        &post(
            port,
            "/api/v1/workspaces",
            &admin,
            None,
            r#"{"name":"Bench","tier":"enterprise"}"#,
        )
        .await?,
        "workspace",
    )?;
    // A key per connection (the workspace's plan allows 1,000): no key's rate limit binds.
    let mut keys = Vec::new();
    for i in 0..n {
        let key = post(
            port,
            "/api/v1/keys",
            &admin,
            Some(&ws),
            &format!(r#"{{"name":"bench {i}","scopes":["workspaces:read","keys:read"]}}"#),
        )
        .await?;
        keys.push(
            key["data"]["key"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("key not created: {key}"))?
                .to_string(),
        );
    }
    // A workspace per connection for `POST /keys`: no workspace reaches its plan's key limit.
    let mut key_homes = Vec::new();
    for i in 0..n {
        key_homes.push(created(
            &post(
                port,
                "/api/v1/workspaces",
                &admin,
                None,
                &format!(r#"{{"name":"Keys {i}","tier":"enterprise"}}"#),
            )
            .await?,
            "workspace",
        )?);
    }
    let per_key = |path: &str| -> Vec<String> { keys.iter().map(|k| get(path, Some(k))).collect() };
    let reads: Vec<(&str, Vec<String>)> = vec![
        (
            "GET /api/v1/health (no key)",
            vec![get("/api/v1/health", None)],
        ),
        ("GET /api/v1/ (key, no read model)", per_key("/api/v1/")),
        (
            "GET /api/v1/workspaces/{id} (key)",
            per_key(&format!("/api/v1/workspaces/{ws}")),
        ),
        (
            "GET /api/v1/keys?limit=10 (key, total_count)",
            per_key("/api/v1/keys?limit=10"),
        ),
        (
            "GET /api/v1/workspaces?limit=10 (operator)",
            vec![get("/api/v1/workspaces?limit=10", Some(&admin))],
        ),
    ];
    // The read models catch up, then every route warms up.
    let deadline = Instant::now() + Duration::from_secs(10);
    for (name, r) in &reads {
        while !load(port, r, 1, 0.05).await?.statuses.contains_key(&200) {
            anyhow::ensure!(Instant::now() < deadline, "{name} never answered 200");
        }
        load(port, r, n, 1.0).await?;
    }
    let slice = o.seconds as f64 / 2.0;
    let mut read_runs: Vec<Vec<Load>> = reads.iter().map(|_| Vec::new()).collect();
    for _ in 0..2 {
        for (i, (_, r)) in reads.iter().enumerate() {
            read_runs[i].push(load(port, r, n, slice).await?);
        }
    }

    // Commands: every request names a new workspace (or key).
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let create_ws = |connections: usize, round: usize| {
        let admin = admin.clone();
        let tag = tag.clone();
        move |c: usize, i: u64| {
            with_body(
                "POST",
                "/api/v1/workspaces",
                &admin,
                None,
                &format!(r#"{{"name":"w {tag} {connections} {round} {c} {i}"}}"#),
            )
        }
    };
    let create_key = |round: usize| {
        let admin = admin.clone();
        let homes = key_homes.clone();
        move |c: usize, i: u64| {
            with_body(
                "POST",
                "/api/v1/keys",
                &admin,
                Some(&homes[c % homes.len()]),
                &format!(r#"{{"name":"k {round} {c} {i}","scopes":["workspaces:read"]}}"#),
            )
        }
    };
    load_gen(port, n, 1.0, 201, create_ws(n, 0)).await?;
    load_gen(port, n, 1.0, 201, create_key(0)).await?;
    let mut writes: [Vec<Load>; 3] = Default::default();
    for round in 1..=2 {
        writes[0].push(load_gen(port, 1, slice, 201, create_ws(1, round)).await?);
        writes[1].push(load_gen(port, n, slice, 201, create_ws(n, round)).await?);
        writes[2].push(load_gen(port, n, slice, 201, create_key(round)).await?);
    }
    running.stop().await;

    let peers = match &o.database_url {
        Some(url) => Some(crate::peer::baselines(url, n, o.seconds as f64).await?),
        None => None,
    };

    let mut other_statuses = std::collections::BTreeMap::new();
    for l in read_runs.iter().flatten().chain(writes.iter().flatten()) {
        for (s, c) in &l.statuses {
            if !matches!(*s, 200 | 201) {
                *other_statuses.entry(*s).or_insert(0) += c;
            }
        }
    }
    let merged = |v: &[Load]| -> Load {
        let mut micros: Vec<u32> = v.iter().flat_map(|l| l.micros.iter().copied()).collect();
        micros.sort_unstable();
        Load {
            per_second: v.iter().map(|l| l.per_second).sum::<f64>() / v.len() as f64,
            statuses: Default::default(),
            micros,
        }
    };
    let health = merged(&read_runs[0]).per_second;
    let s = o.seconds;
    let mut out =
        format!("HTTP paths ({backend}, {n} connections, {s} s per path, alternating):\n");
    let targets = [
        "",
        "target >= 0.6",
        "target >= 0.5",
        "target >= 0.3",
        "target >= 0.3",
    ];
    for (i, (name, _)) in reads.iter().enumerate() {
        let l = merged(&read_runs[i]);
        out += &format!(
            "  {name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | ÷ health {:.2} {}\n",
            l.per_second,
            l.ms(0.5),
            l.ms(0.99),
            l.per_second / health,
            targets[i]
        );
    }
    let names = [
        "POST /api/v1/workspaces, 1 connection".to_string(),
        format!("POST /api/v1/workspaces, {n} connections"),
        format!("POST /api/v1/keys, {n} connections"),
    ];
    for (i, name) in names.iter().enumerate() {
        let l = merged(&writes[i]);
        out += &format!(
            "  {name}: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
            l.per_second,
            l.ms(0.5),
            l.ms(0.99)
        );
        if let (Some(p), true) = (&peers, i > 0) {
            out += &format!(
                " | ÷ raw INSERT {:.2} (target >= 1.0) | ÷ postgres-es {:.2} (target >= 2.0)",
                l.per_second / p.raw_insert,
                l.per_second / p.postgres_es
            );
        }
        out += "\n";
    }
    if let Some(p) = peers {
        out += &format!(
            "  baselines, {n} writers, same server: raw 1-row INSERT {:.0}/s (p99 {:.1} ms) | postgres-es {:.0} commands/s (p99 {:.1} ms)\n",
            p.raw_insert, p.raw_p99_ms, p.postgres_es, p.es_p99_ms
        );
    }
    if !other_statuses.is_empty() {
        out += &format!("  non-2xx responses: {other_statuses:?}\n");
    }
    Ok(out)
}
