//! `keel-bench usage`: usage records/s accepted at N concurrent writers on one feature with a
//! hard limit, against the same writers on a feature without a limit, same run (target ≥ 0.5:
//! the limit check must not serialise everything).

use crate::http::{load_counting, post, send};
use keel_api::{Application, Role};
use keel_infra::config::Config;

pub struct UsageBenchOptions {
    pub postgres_url: Option<String>,
    pub seconds: u64,
    pub connections: usize,
}

fn record(key: &str, feature: &str) -> String {
    let body = format!(r#"{{"feature":"{feature}","quantity":1}}"#);
    format!(
        "POST /api/v1/entitlements/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

pub async fn run(o: UsageBenchOptions) -> anyhow::Result<String> {
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
    let app = Application::build(config, Role::Api).await?;
    let port = app.port();
    let running = app.spawn();

    let ws = post(
        port,
        "/api/v1/workspaces",
        &admin,
        None,
        r#"{"name":"Bench usage","tier":"enterprise"}"#,
    )
    .await?["data"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("workspace not created"))?
        .to_string();
    for (feature, body) in [
        // A limit so high it never refuses: every record takes the locked, checked path.
        (
            "limited",
            r#"{"type":"metered","limit":1000000000000000,"period":"month","hard":true}"#,
        ),
        (
            "unlimited",
            r#"{"type":"metered","limit":null,"period":"month"}"#,
        ),
    ] {
        let r = send(
            port,
            "PUT",
            &format!("/api/v1/entitlements/{feature}"),
            &admin,
            Some(&ws),
            body,
        )
        .await?;
        anyhow::ensure!(r["data"]["feature"] == feature, "entitlement not set: {r}");
    }
    let mut limited = Vec::new();
    let mut unlimited = Vec::new();
    for c in 0..o.connections {
        let key = post(
            port,
            "/api/v1/keys",
            &admin,
            Some(&ws),
            &format!(r#"{{"name":"bench {c}","scopes":["usage:write"]}}"#),
        )
        .await?;
        let key = key["data"]["key"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("key not created: {key}"))?
            .to_string();
        limited.push(record(&key, "limited"));
        unlimited.push(record(&key, "unlimited"));
    }
    load_counting(port, &unlimited, o.connections, 1.0, 201).await?;
    load_counting(port, &limited, o.connections, 1.0, 201).await?;
    // Alternate the two, twice, so drift on a shared machine hits both alike.
    let half = o.seconds as f64 / 2.0;
    let (mut lim, mut unl) = (0.0, 0.0);
    let mut others = std::collections::BTreeMap::new();
    for _ in 0..2 {
        let u = load_counting(port, &unlimited, o.connections, half, 201).await?;
        let l = load_counting(port, &limited, o.connections, half, 201).await?;
        unl += u.per_second / 2.0;
        lim += l.per_second / 2.0;
        for (s, n) in u.statuses.into_iter().chain(l.statuses) {
            if s != 201 {
                *others.entry(s).or_insert(0u64) += n;
            }
        }
    }
    running.stop().await;
    Ok(format!(
        "usage records ({}, {} concurrent writers, {} s each): hard limit {lim:.0} records/s | no limit {unl:.0} records/s | ratio {:.2} (target >= 0.5){}\n",
        if backend.is_some() { "Postgres" } else { "embedded SQLite" },
        o.connections,
        o.seconds,
        lim / unl,
        if others.is_empty() { String::new() } else { format!(" | other statuses {others:?}") }
    ))
}
