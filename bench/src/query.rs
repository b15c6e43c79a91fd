//! `keel-bench query`: `POST /api/v1/sites/{id}/query` at two store sizes (1M and 10M events by
//! default), each figure beside a baseline measured in the same run.
//!
//! Two sites with the same traffic (≈33k events a day, visits of three pageviews and a custom
//! event): the small one has 30 days of it, the large one ten times as many days. The query is a
//! two-dimension breakdown (`visit:source` × `visit:country`) with a property filter
//! (`event:props:plan is pro`) over the last 30 days, as a dashboard asks it: the large store
//! holds ten times the events, the question covers the same month. Its figure ÷ the small one's is
//! the target (≤ 1.5: a query's cost must follow the range it asks for, not the store's size).
//! The same breakdown over each site's whole history is printed too: that one reads every hit
//! and its cost follows the events, which the baseline (Postgres counting the same rows with
//! one `SELECT`) shows alongside.
//!
//! Hits and visits are written straight into the read model with `INSERT … SELECT` from
//! `generate_series` (pushing 11M events through the API and the projector would take the run
//! hours; the projector's rate is `keel-bench analytics`'s).

use crate::http::{post, Conn};
use keel_api::{Application, Role};
use keel_infra::config::Config;
use keel_projections::analytics::{ensure_partition, month_of};
use keel_projections::Db;
use std::time::Instant;

pub struct QueryBenchOptions {
    pub postgres_url: String,
    pub small: usize,
    pub large: usize,
    pub runs: usize,
}

const DAY_MS: i64 = 86_400_000;

fn id(v: &serde_json::Value) -> anyhow::Result<String> {
    v["data"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no id in {v}"))
}

/// `events` hits of `site` over `days` days ending at `end` (ms), in visits of three pageviews
/// and a custom event carrying `plan` (`pro` for a third of the visits, else `free`).
async fn load(db: &Db, site: &str, events: usize, days: i64, end: i64) -> anyhow::Result<()> {
    let visits = (events / 4).max(1) as i64;
    let span = days * DAY_MS;
    let start = end - span;
    // Partitions for every month of the range.
    let mut conn = db.dedicated().await?;
    let mut month = month_of(start).0;
    while month < end {
        sqlx::query("BEGIN").execute(&mut conn).await?;
        ensure_partition(&mut conn, "", month).await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
        month = month_of(month).1;
    }
    // Visit `v` starts at start + v·span/visits; its visitor is one of visits/2.
    let visit_cols = format!(
        "'{site}-' || v AS id, md5((v % {half})::text) AS visitor, \
         {start} + (v * {span} / {visits}) AS t0, \
         (ARRAY['Direct / None','Google','Bing','DuckDuckGo','Twitter','Hacker News','Reddit','LinkedIn','GitHub','newsletter','Facebook','example.org'])[1 + (v * 7) % 12] AS source, \
         'C' || (v % 30) AS country, (ARRAY['desktop','mobile','tablet'])[1 + v % 3] AS device, \
         (ARRAY['Chrome','Safari','Firefox','Edge','Samsung Internet','Opera'])[1 + v % 6] AS browser, \
         (ARRAY['Windows','macOS','iOS','Android'])[1 + v % 4] AS os, \
         '/page/' || ((v * 13) % 200) AS entry, '/page/' || ((v * 13 + 2) % 200) AS exit",
        half = (visits / 2).max(1),
    );
    let chunk: i64 = 250_000;
    let mut from = 0;
    while from < visits {
        let to = (from + chunk).min(visits);
        sqlx::query(&format!(
            "INSERT INTO rm_sessions (id, site_id, visitor, part, created_pos, start_ts, last_ts, pageviews, hits, \
             entry_page, source, utm_source, utm_medium, utm_campaign, country, device, browser, exit_page, exit_ts, \
             utm_content, utm_term, os, os_version, browser_version, screen, region, city) \
             SELECT id, '{site}', visitor, '', v, t0, t0 + 180000, 3, 4, entry, source, '', '', '', country, device, \
             browser, exit, t0 + 120000, '', '', os, '', '', 'Laptop', '', '' \
             FROM (SELECT v, {visit_cols} FROM generate_series({from}::bigint, {}::bigint) AS v) x",
            to - 1
        ))
        .execute(&db.pool)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO rm_hits (event_id, site_id, ts, visitor, session, kind, name, page, source, utm_source, \
             utm_medium, utm_campaign, country, device, browser, properties, hostname, utm_content, utm_term, \
             os, os_version, browser_version, screen, region, city) \
             SELECT x.id || '-' || k, '{site}', t0 + k * 60000, visitor, x.id, \
             CASE WHEN k = 3 THEN 'custom' ELSE 'pageview' END, CASE WHEN k = 3 THEN 'click' ELSE '' END, \
             CASE WHEN k = 0 THEN entry WHEN k = 2 THEN exit WHEN k = 1 THEN '/page/' || ((v * 17) % 200) ELSE '' END, \
             source, '', '', '', country, device, browser, \
             CASE WHEN k = 3 THEN (CASE WHEN v % 3 = 0 THEN '{{\"plan\":\"pro\"}}' ELSE '{{\"plan\":\"free\"}}' END) END, \
             'shop.example.com', '', '', os, '', '', 'Laptop', '', '' \
             FROM (SELECT v, {visit_cols} FROM generate_series({from}::bigint, {}::bigint) AS v) x \
             CROSS JOIN generate_series(0, 3) AS k",
            to - 1
        ))
        .execute(&db.pool)
        .await?;
        from = to;
    }
    sqlx::query("ANALYZE rm_hits").execute(&db.pool).await?;
    sqlx::query("ANALYZE rm_sessions").execute(&db.pool).await?;
    Ok(())
}

/// The median of `runs` round trips of `request` (after one to warm up), in ms.
async fn timed(port: u16, request: &str, runs: usize) -> anyhow::Result<f64> {
    let mut conn = Conn::open(port).await?;
    conn.roundtrip(request.as_bytes()).await?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let status = conn.roundtrip(request.as_bytes()).await?;
        anyhow::ensure!(status == 200, "the query answered {status}: {request}");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The baseline: Postgres counting the rows the query reads (the range's hits with the
/// property), grouped by the same two columns, in one `SELECT`; median of `runs`, in ms.
async fn baseline(db: &Db, site: &str, from: i64, to: i64, runs: usize) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for _ in 0..=runs {
        let t = Instant::now();
        sqlx::query(
            "SELECT source, country, COUNT(DISTINCT visitor), COUNT(*) FROM rm_hits \
             WHERE site_id = $1 AND ts >= $2 AND ts < $3 AND properties LIKE '%\"plan\":\"pro\"%' \
             GROUP BY source, country",
        )
        .bind(site)
        .bind(from)
        .bind(to)
        .fetch_all(&db.pool)
        .await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.remove(0);
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

pub async fn run(o: QueryBenchOptions) -> anyhow::Result<String> {
    let url = keel_testkit::fresh_postgres_url_in(&o.postgres_url).await;
    let admin = format!("keel_admin_bench_{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        listen: "127.0.0.1:0".into(),
        database_url: Some(url.clone()),
        admin_token: Some(admin.clone()),
        // The whole-history queries read every hit: give them the time (the default statement
        // timeout, 5 s, stops the 10M one on this machine).
        db_timeout_ms: 600_000,
        ..Config::default()
    };
    let app = Application::build(config.clone(), Role::Api).await?;
    Application::build(config.clone(), Role::Projector)
        .await?
        .spawn()
        .stop()
        .await;
    let port = app.port();
    let running = app.spawn();
    let db = Db::connect(&url, 4).await?;
    let ws = id(&post(
        port,
        "/api/v1/workspaces",
        &admin,
        None,
        r#"{"name":"Bench","tier":"enterprise"}"#,
    )
    .await?)?;
    let now = chrono::Utc::now().timestamp_millis();
    // The data ends an hour ago, so the last 30 days hold 30 days of it at both sizes.
    let end = now - 3_600_000;
    let per_day = (o.small / 30).max(1);
    let mut out = String::new();
    let mut month = Vec::new();
    for n in [o.small, o.large] {
        let days = (n / per_day) as i64;
        let site = id(&post(
            port,
            "/api/v1/sites",
            &admin,
            Some(&ws),
            r#"{"name":"Shop","domain":"shop.example.com","timezone":"UTC"}"#,
        )
        .await?)?;
        let t = Instant::now();
        load(&db, &site, n, days, end).await?;
        let loaded = t.elapsed().as_secs_f64();
        let first = chrono::DateTime::from_timestamp_millis(end - days * DAY_MS)
            .unwrap_or_default()
            .date_naive();
        let last = chrono::Utc::now().date_naive();
        let request = |range: &str| {
            let body = format!(
                r#"{{"metrics":["visitors","visits","pageviews","events"],"date_range":{range},"dimensions":["visit:source","visit:country"],"filters":[["is","event:props:plan",["pro"]]]}}"#
            );
            format!(
                "POST /api/v1/sites/{site}/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {admin}\r\nX-Workspace-ID: {ws}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        let recent = timed(port, &request("\"30d\""), o.runs).await?;
        let recent_base = baseline(&db, &site, now - 31 * DAY_MS, now, o.runs).await?;
        let whole = timed(port, &request(&format!(r#"["{first}","{last}"]"#)), o.runs).await?;
        let whole_base = baseline(&db, &site, end - days * DAY_MS - DAY_MS, now, o.runs).await?;
        let line = format!(
            "query, source × country where plan is pro, {n} events over {days} days (loaded in {loaded:.0} s): \
             last 30 days {recent:.1} ms (baseline SELECT {recent_base:.1} ms) | whole history {whole:.1} ms (baseline SELECT {whole_base:.1} ms)\n"
        );
        eprint!("{line}");
        out.push_str(&line);
        month.push(recent);
    }
    out.push_str(&format!(
        "query latency ratio, last 30 days, {} events ÷ {} events in the store: {:.2} (target <= 1.5)\n",
        o.large,
        o.small,
        month[1] / month[0]
    ));
    running.stop().await;
    Ok(out)
}
