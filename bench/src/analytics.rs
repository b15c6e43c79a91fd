//! `keel-bench analytics`: the two analytics targets, each figure beside its baseline.
//!
//! 1. Ingestion: events/s accepted by `POST /api/v1/events` in batches of 100, against plain
//!    batched `INSERT`s of as many rows into a table shaped like the event log, in the same
//!    Postgres, in the same run (target ≥ 0.3).
//! 2. Dashboard latency for 90 days at two sizes (1M and 10M events by default): the rollups those
//!    events produce are built with the projector's own accumulator and bulk-loaded (pushing 11M
//!    events through HTTP would take the run hours), then the dashboard's queries are timed over
//!    HTTP. The large figure ÷ the small one must stay ≤ 1.5: the answer comes from rollups.

use crate::http::{get, load_counting, post, Conn};
use keel_api::{Application, Role};
use keel_infra::config::Config;
use keel_projections::analytics::{Pending, Session, HOUR_MS};
use keel_projections::Db;
use std::time::{Duration, Instant};

pub struct AnalyticsBenchOptions {
    pub postgres_url: String,
    pub seconds: u64,
    pub connections: usize,
    pub small: usize,
    pub large: usize,
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
        self.next() % n.max(1)
    }
    /// Skewed towards small values (a few pages and sources get most traffic).
    fn skewed(&mut self, n: u64) -> u64 {
        let x = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((x * x * x) * n as f64) as u64
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Rollups of `events` synthetic hits over the 90 days before `end` (ms): visits of 1–6
/// pageviews 90 s apart, 5 % ending in a goal; 200 pages, 12 sources, 30 countries.
fn synthesize(site: &str, events: usize, end: i64, seed: u64) -> Pending {
    const SOURCES: [&str; 12] = [
        "Direct / None",
        "Google",
        "Bing",
        "DuckDuckGo",
        "Twitter",
        "Hacker News",
        "Reddit",
        "LinkedIn",
        "GitHub",
        "newsletter",
        "Facebook",
        "example.org",
    ];
    const DEVICES: [&str; 3] = ["desktop", "mobile", "tablet"];
    const BROWSERS: [&str; 6] = [
        "Chrome",
        "Safari",
        "Firefox",
        "Edge",
        "Samsung Internet",
        "Opera",
    ];
    let mut rng = Rng(seed | 1);
    let mut pending = Pending::default();
    let span = 90 * 24 * HOUR_MS;
    let visitors = (events / 10).max(1000) as u64;
    let mut made = 0usize;
    while made < events {
        let visitor = splitmix(seed ^ rng.skewed(visitors));
        let start = end - span + rng.below(span as u64 - 600_000) as i64;
        let n = 1 + rng.below(6) as i64;
        let utm = rng.below(10) == 0;
        let dims = [
            SOURCES[rng.skewed(SOURCES.len() as u64) as usize].to_string(),
            if utm {
                "newsletter".into()
            } else {
                String::new()
            },
            if utm { "email".into() } else { String::new() },
            if utm {
                format!("campaign-{}", rng.below(8))
            } else {
                String::new()
            },
            format!("C{}", rng.skewed(30)),
            DEVICES[rng.skewed(3) as usize].to_string(),
            BROWSERS[rng.skewed(6) as usize].to_string(),
        ];
        let pages: Vec<String> = (0..n)
            .map(|_| format!("/page/{}", rng.skewed(200)))
            .collect();
        let session = Session {
            id: String::new(),
            start,
            last: start + (n - 1) * 90_000,
            pageviews: n,
            hits: n,
            entry_page: pages[0].clone(),
            exit_page: pages[pages.len() - 1].clone(),
            exit_ts: start + (n - 1) * 90_000,
            dims,
            extras: Default::default(),
        };
        pending.visit(site, &session, 1);
        for (k, page) in pages.iter().enumerate() {
            pending.hit(
                site,
                &session,
                start + k as i64 * 90_000,
                "pageview",
                "",
                page,
                visitor,
            );
        }
        made += n as usize;
        if rng.below(20) == 0 {
            pending.hit(site, &session, session.last, "goal", "signup", "", visitor);
            made += 1;
        }
    }
    pending
}

/// Bytes on disk (rows, TOAST and indexes) per event of the log and per row of the read models
/// the projector wrote, as Postgres reports them.
async fn storage_per_event(db: &Db) -> anyhow::Result<String> {
    sqlx::query("VACUUM ANALYZE").execute(&db.pool).await?;
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&db.pool)
            .await
            .map_err(anyhow::Error::from)
    };
    let log_bytes = one("SELECT pg_total_relation_size('events')::bigint").await?;
    let log_rows = one("SELECT COUNT(*) FROM events").await?.max(1);
    let hit_bytes = one(
        "SELECT COALESCE(SUM(pg_total_relation_size(inhrelid)), 0)::bigint FROM pg_inherits \
         WHERE inhparent = 'rm_hits'::regclass",
    )
    .await?;
    let hits = one("SELECT COUNT(*) FROM rm_hits").await?.max(1);
    let visit_bytes = one("SELECT pg_total_relation_size('rm_sessions')::bigint").await?;
    let visits = one("SELECT COUNT(*) FROM rm_sessions").await?.max(1);
    let rollup_bytes = one(
        "SELECT (pg_total_relation_size('rm_rollups') + pg_total_relation_size('rm_rollups_daily'))::bigint",
    )
    .await?;
    let rollups =
        one("SELECT (SELECT COUNT(*) FROM rm_rollups) + (SELECT COUNT(*) FROM rm_rollups_daily)")
            .await?;
    Ok(format!(
        "storage: log {} B per event ({log_rows} events) | raw hit {} B per hit ({hits} hits) | visit {} B per visit ({visits} visits) | rollups {rollup_bytes} B in {rollups} rows\n",
        log_bytes / log_rows,
        hit_bytes / hits,
        visit_bytes / visits,
    ))
}

/// Bulk-loads rollups into fresh tables.
async fn load_rollups(db: &Db, pending: Pending) -> anyhow::Result<usize> {
    let mut n = 0;
    for (table, col, rows) in pending.into_tables() {
        n += rows.len();
        for chunk in rows.chunks(500) {
            let mut sql = format!(
                "INSERT INTO {table} (site_id, dim, {col}, value, pageviews, events, visits, bounces, duration, visitors) VALUES "
            );
            for i in 0..chunk.len() {
                let b = i * 10;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10
                ));
            }
            let mut q = sqlx::query(&sql);
            for ((site, dim, t, value), d) in chunk {
                q = q
                    .bind(site.clone())
                    .bind(*dim)
                    .bind(*t)
                    .bind(value.clone())
                    .bind(d.pageviews)
                    .bind(d.events)
                    .bind(d.visits)
                    .bind(d.bounces)
                    .bind(d.duration)
                    .bind(d.visitors.encode());
            }
            q.execute(&db.pool).await?;
        }
        sqlx::query(&format!("ANALYZE {table}"))
            .execute(&db.pool)
            .await?;
    }
    Ok(n)
}

async fn timed(port: u16, request: &str, runs: usize) -> anyhow::Result<f64> {
    let mut conn = Conn::open(port).await?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let status = conn.roundtrip(request.as_bytes()).await?;
        anyhow::ensure!(
            status == 200,
            "dashboard query answered {status}: {request}"
        );
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The console's dashboard as a browser loads it: every request at once over at most six
/// connections (a browser's limit per host), timed until the last answer; the median of `runs`.
async fn page_load(port: u16, requests: &[String], runs: usize) -> anyhow::Result<f64> {
    let lanes = requests.len().clamp(1, 6);
    let mut conns = Vec::with_capacity(lanes);
    for _ in 0..lanes {
        conns.push(Conn::open(port).await?);
    }
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut tasks = Vec::new();
        for (lane, mut conn) in conns.drain(..).enumerate() {
            let mine: Vec<String> = requests.iter().skip(lane).step_by(lanes).cloned().collect();
            tasks.push(tokio::spawn(async move {
                for r in &mine {
                    let status = conn.roundtrip(r.as_bytes()).await?;
                    anyhow::ensure!(status == 200, "dashboard query answered {status}: {r}");
                }
                Ok::<Conn, anyhow::Error>(conn)
            }));
        }
        for task in tasks {
            conns.push(task.await??);
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn id(v: &serde_json::Value) -> anyhow::Result<String> {
    v["data"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("not created: {v}"))
}

pub async fn run(o: AnalyticsBenchOptions) -> anyhow::Result<String> {
    let url = keel_testkit::fresh_postgres_url_in(&o.postgres_url).await;
    let admin = format!("keel_admin_bench_{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        listen: "127.0.0.1:0".into(),
        database_url: Some(url.clone()),
        admin_token: Some(admin.clone()),
        ..Config::default()
    };
    // The API role alone, as in a deployment where projectors run in their own processes; the
    // projector's rate is measured on its own below.
    let app = Application::build(config.clone(), Role::Api).await?;
    // A projector process records the read models' shapes while the log is empty, then stops:
    // otherwise the one measured below would start by rebuilding every read model.
    Application::build(config.clone(), Role::Projector)
        .await?
        .spawn()
        .stop()
        .await;
    let port = app.port();
    let running = app.spawn();
    let mut out = String::new();

    // 1. Ingestion. Four workspaces (so all of the store's writers take part), a site and a key
    // each; every connection sends its own batch of 100 pageviews of 100 visitors, again and again.
    let mut requests = Vec::new();
    let mut sites = Vec::new();
    for w in 0..4 {
        let ws = id(&post(
            port,
            "/api/v1/workspaces",
            &admin,
            None,
            &format!(r#"{{"name":"Bench {w}","tier":"enterprise"}}"#),
        )
        .await?)?;
        let site = id(&post(
            port,
            "/api/v1/sites",
            &admin,
            Some(&ws),
            r#"{"name":"Shop","domain":"shop.example.com","timezone":"UTC"}"#,
        )
        .await?)?;
        sites.push((ws.clone(), site.clone()));
        for c in 0..o.connections.div_ceil(4) {
            let key = post(
                port,
                "/api/v1/keys",
                &admin,
                Some(&ws),
                &format!(r#"{{"name":"bench {c}","scopes":["events:write"]}}"#),
            )
            .await?;
            let key = key["data"]["key"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("key not created: {key}"))?
                .to_string();
            let events: Vec<serde_json::Value> = (0..100)
                .map(|i| serde_json::json!({"site_id": site, "visitor_id": format!("v{w}-{c}-{i}"),
                    "url": format!("https://shop.example.com/page/{}", i % 20), "referrer": "https://www.google.com/",
                    "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"}))
                .collect();
            let body = serde_json::json!({ "events": events }).to_string();
            requests.push(format!(
                "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        }
    }
    load_counting(port, &requests, o.connections, 1.0, 202).await?;
    let l = load_counting(port, &requests, o.connections, o.seconds as f64, 202).await?;
    let ingest_rate = l.per_second * 100.0;
    let db = Db::connect(&url, 8).await?;
    let rows = (ingest_rate * 2.0).clamp(20_000.0, 400_000.0) as usize;
    let sample = keel_events::DomainEvent::PageviewRecorded(keel_events::Hit {
        site_id: sites[0].1.parse().map_err(|_| anyhow::anyhow!("site id"))?,
        workspace_id: sites[0]
            .0
            .parse()
            .map_err(|_| anyhow::anyhow!("workspace id"))?,
        visitor: "0123456789abcdef0123456789abcdef".into(),
        visitor_id: Some("v0".into()),
        session_id: None,
        name: None,
        url: Some("https://shop.example.com/page/1".into()),
        path: Some("/page/1".into()),
        referrer: Some("https://www.google.com/".into()),
        source: Some("Google".into()),
        utm_source: None,
        utm_medium: None,
        utm_campaign: None,
        utm_content: None,
        utm_term: None,
        hostname: None,
        country: None,
        device: Some("desktop".into()),
        browser: Some("Firefox".into()),
        browser_version: None,
        os: None,
        os_version: None,
        screen: None,
        region: None,
        city: None,
        properties: Default::default(),
        client_event_id: None,
        sealed: None,
    });
    let raw = crate::append::raw_insert_rate(&db, rows, &sample).await?;
    let others: Vec<String> = l
        .statuses
        .iter()
        .filter(|(s, _)| **s != 202)
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    out.push_str(&format!(
        "ingestion, POST /api/v1/events in batches of 100 ({} connections, {} s): {ingest_rate:.0} events/s | raw batched INSERT {raw:.0} rows/s | ratio {:.2} (target >= 0.3){}\n",
        o.connections,
        o.seconds,
        ingest_rate / raw,
        if others.is_empty() { String::new() } else { format!(" | other statuses {}", others.join(", ")) }
    ));

    // The analytics projector catching up with what was ingested, on its own.
    let backlog: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE stream_id LIKE 'visitor-%'")
            .fetch_one(&db.pool)
            .await?;
    let projector = Application::build(config.clone(), Role::Projector)
        .await?
        .spawn();
    let started = Instant::now();
    let window = Duration::from_secs(o.seconds.max(10) * 2);
    let mut applied: i64 = 0;
    while started.elapsed() < window && applied < backlog {
        tokio::time::sleep(Duration::from_millis(250)).await;
        applied = sqlx::query_scalar("SELECT COUNT(*) FROM rm_hits")
            .fetch_one(&db.pool)
            .await
            .unwrap_or(0);
    }
    let rate = applied as f64 / started.elapsed().as_secs_f64();
    projector.stop().await;
    out.push_str(&storage_per_event(&db).await?);
    out.push_str(&format!(
        "analytics projector (hits, visits, visitors, hourly and daily rollups): {rate:.0} events/s applied ({applied} of {backlog} in {:.0} s) | ingestion {ingest_rate:.0} events/s | ratio {:.2}\n",
        started.elapsed().as_secs_f64(),
        rate / ingest_rate
    ));

    // 2. Dashboard latency at two sizes, on two more sites of the first workspace.
    let (ws, _) = sites[0].clone();
    let today = chrono::Utc::now().date_naive();
    let end = chrono::NaiveDateTime::from(today)
        .and_utc()
        .timestamp_millis();
    let from = today - chrono::Duration::days(90);
    let to = today - chrono::Duration::days(1);
    let mut figures = Vec::new();
    let mut pages = Vec::new();
    for (n, seed) in [(o.small, 1u64), (o.large, 2u64)] {
        let site = id(&post(
            port,
            "/api/v1/sites",
            &admin,
            Some(&ws),
            r#"{"name":"Dash","domain":"dash.example.com","timezone":"UTC"}"#,
        )
        .await?)?;
        let t = Instant::now();
        let pending = synthesize(&site, n, end, seed);
        let rows = load_rollups(&db, pending).await?;
        let built = t.elapsed().as_secs_f64();
        let base = format!("/api/v1/sites/{site}/stats");
        let range = format!("from={from}&to={to}&timezone=UTC");
        let queries = [
            ("aggregate", format!("{base}/aggregate?{range}")),
            (
                "timeseries by day",
                format!("{base}/timeseries?{range}&interval=day"),
            ),
            (
                "top pages",
                format!("{base}/breakdown?{range}&dimension=page&limit=10"),
            ),
            (
                "top sources",
                format!("{base}/breakdown?{range}&dimension=source&limit=10"),
            ),
        ];
        let with_auth = |path: &str| {
            get(path, None).replace(
                "\r\n\r\n",
                &format!("\r\nAuthorization: Bearer {admin}\r\nX-Workspace-ID: {ws}\r\n\r\n"),
            )
        };
        // What the console's dashboard asks for, all at once: the figures and the period
        // before, the chart, seven panels and the realtime count.
        let figures_q = "metrics=visitors,visits,pageviews,bounce_rate,visit_duration,events,conversions,revenue";
        let prev_from = from - chrono::Duration::days(90);
        let now = chrono::Utc::now();
        let realtime = format!(
            "from={}&to={}",
            (now - chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M:%SZ"),
            now.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let mut console: Vec<String> = vec![
            with_auth(&format!("{base}/aggregate?{range}&{figures_q}")),
            with_auth(&format!(
                "{base}/aggregate?from={prev_from}&to={}&timezone=UTC&{figures_q}",
                from - chrono::Duration::days(1)
            )),
            with_auth(&format!(
                "{base}/timeseries?{range}&interval=day&metrics=visitors,pageviews"
            )),
            with_auth(&format!("{base}/aggregate?metrics=visitors&{realtime}")),
        ];
        for dim in [
            "source",
            "utm_campaign",
            "page",
            "country",
            "device",
            "browser",
            "goal",
        ] {
            console.push(with_auth(&format!(
                "{base}/breakdown?{range}&dimension={dim}&limit=10"
            )));
        }
        page_load(port, &console, 2).await?; // warm
        let page = page_load(port, &console, 7).await?;
        pages.push(page);
        let mut total = 0.0;
        let mut parts = Vec::new();
        for (name, path) in &queries {
            let req = get(path, None).replace(
                "\r\n\r\n",
                &format!("\r\nAuthorization: Bearer {admin}\r\nX-Workspace-ID: {ws}\r\n\r\n"),
            );
            timed(port, &req, 2).await?; // warm
            let ms = timed(port, &req, 7).await?;
            total += ms;
            parts.push(format!("{name} {ms:.1} ms"));
        }
        figures.push(total);
        out.push_str(&format!(
            "dashboard, 90 days, {n} events ({rows} rollup rows, built and loaded in {built:.0} s): {total:.1} ms ({})\n",
            parts.join(", ")
        ));
    }
    out.push_str(&format!(
        "dashboard latency ratio, {} events ÷ {} events: {:.2} (target <= 1.5)\n",
        o.large,
        o.small,
        figures[1] / figures[0]
    ));
    out.push_str(&format!(
        "console dashboard page (11 calls, 6 at a time, until every panel has its data): {:.1} ms at {} events, {:.1} ms at {} events; ratio {:.2} (target <= 1.5)\n",
        pages[0],
        o.small,
        pages[1],
        o.large,
        pages[1] / pages[0]
    ));
    running.stop().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(out)
}
