//! Usage metering and entitlements, end to end over HTTP, on the embedded default and on
//! Postgres + Kafka.

#![allow(clippy::unwrap_used)]

use futures::StreamExt;
use keel_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn setup(app: &TestApp, tier: &str) -> (String, String) {
    let ws = app.create_workspace("Meter", tier).await;
    let (_, key, _) = app
        .create_key(&ws, "meter", &["usage:write", "usage:read"])
        .await;
    (ws, key)
}

async fn set(app: &TestApp, ws: &str, feature: &str, body: serde_json::Value) {
    let r = app
        .call(Method::PUT, &format!("/api/v1/entitlements/{feature}"))
        .workspace(ws)
        .json(body)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn a_hard_limit_holds_exactly_under_1000_concurrent_records(b: keel_tests::Backend) {
    let app = keel_tests::spawn_app(b).await;
    let (ws, key) = setup(&app, "enterprise").await;
    set(
        &app,
        &ws,
        "jobs",
        json!({"type": "metered", "limit": 100, "period": "month", "hard": true}),
    )
    .await;
    let statuses: Vec<StatusCode> = futures::stream::iter(0..1000)
        .map(|_| {
            app.post("/api/v1/entitlements/usage")
                .token(&key)
                .json(json!({"feature": "jobs", "quantity": 1}))
                .send()
        })
        .buffer_unordered(100)
        .map(|r| r.status)
        .collect()
        .await;
    let ok = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    assert_eq!((ok, refused), (100, 900), "{statuses:?}");

    let r = app
        .post("/api/v1/entitlements/usage")
        .token(&key)
        .json(json!({"feature": "jobs"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "feature_limit_reached");
    let d = &r.body["error"]["details"];
    assert_eq!(
        (
            d["feature"].clone(),
            d["limit"].clone(),
            d["current_usage"].clone()
        ),
        (json!("jobs"), json!(100), json!(100))
    );
    assert_eq!(d["requested"], 1);
    assert!(d["upgrade_hint"].is_string());
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("recording 1 more") && message.contains("(100 used, 0 left)"),
        "{message}"
    );

    let c = app
        .get("/api/v1/entitlements/check?feature=jobs")
        .token(&key)
        .send()
        .await;
    assert_eq!(c.status, StatusCode::OK, "{c:?}");
    let d = &c.body["data"];
    assert_eq!(d["allowed"], false);
    assert_eq!(d["reason"], "LIMIT_EXCEEDED");
    assert_eq!(d["current_usage"], 100);
    assert_eq!(d["available"], 0);

    let s = app
        .get("/api/v1/entitlements/summary")
        .token(&key)
        .send()
        .await;
    let jobs = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "jobs")
        .unwrap()
        .clone();
    assert_eq!(
        (
            jobs["used"].clone(),
            jobs["available"].clone(),
            jobs["percentage"].clone()
        ),
        (json!(100), json!(0), json!(100.0))
    );
    assert!(jobs["reset_at"].is_string());
    // Both thresholds were recorded, once each.
    let db = app.db();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE event_type = 'usage.threshold_reached'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(n, 2);
    // Records of `jobs` only: the server records the key's own calls as `api_calls` usage every
    // 2 s, and a run slower than that has one of those in the log too (issue 17).
    let feature = match db.dialect {
        keel_infra::Dialect::Postgres => "payload->>'feature'",
        keel_infra::Dialect::Sqlite => "json_extract(payload, '$.feature')",
    };
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM events WHERE event_type = 'usage.recorded' AND {feature} = 'jobs'"
    ))
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(n, 100, "refused records leave nothing in the log");
    app.stop().await;
}

async fn replays_of_a_usage_id_count_once_and_soft_limits_only_report(b: keel_tests::Backend) {
    let app = keel_tests::spawn_app(b).await;
    let (ws, key) = setup(&app, "pro").await;
    set(
        &app,
        &ws,
        "exports",
        json!({"type": "metered", "limit": 10, "period": "day", "hard": false, "unit": "files"}),
    )
    .await;
    let send = |id: &'static str, q: i64| {
        app.post("/api/v1/entitlements/usage")
            .token(&key)
            .json(json!({"feature": "exports", "quantity": q, "usage_id": id, "metadata": {"job": "a"}}))
            .send()
    };
    let first = send("u-1", 7).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert_eq!(first.body["data"]["current_usage"], 7);
    for _ in 0..3 {
        let again = send("u-1", 7).await;
        assert_eq!(again.status, StatusCode::OK, "{again:?}");
        assert_eq!(again.body["data"]["duplicate"], true);
        assert_eq!(again.body["data"]["current_usage"], 7);
    }
    // The same id with another quantity is a mistake, said as such.
    let clash = send("u-1", 3).await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY, "{clash:?}");
    // Past a soft limit: recorded, and reported.
    let over = send("u-2", 5).await;
    assert_eq!(over.status, StatusCode::CREATED, "{over:?}");
    assert_eq!(over.body["data"]["current_usage"], 12);
    assert_eq!(over.body["data"]["available"], 0);
    let c = app
        .get("/api/v1/entitlements/check?feature=exports&quantity=1")
        .token(&key)
        .send()
        .await;
    assert_eq!(c.body["data"]["allowed"], true, "{c:?}");
    assert_eq!(c.body["data"]["reason"], "LIMIT_EXCEEDED");
    // The Idempotency-Key header replays the first answer.
    let idem = || {
        app.post("/api/v1/entitlements/usage")
            .token(&key)
            .header("Idempotency-Key", "idem-1")
            .json(json!({"feature": "exports", "quantity": 2}))
            .send()
    };
    let a = idem().await;
    let b2 = idem().await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    assert_eq!(a.body, b2.body);
    let s = app
        .get("/api/v1/entitlements/summary")
        .token(&key)
        .send()
        .await;
    let exports = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "exports")
        .unwrap()
        .clone();
    assert_eq!(exports["used"], 14);
    assert_eq!(exports["unit"], "files");
    // The summary as it was: right after the first record, and before the feature existed.
    let log = app
        .eventually("/api/v1/audit/events?order=asc&limit=500", Some(&ws), |r| {
            r.body["meta"]["pending"] == 0
        })
        .await;
    let at = |t: &str| {
        log.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["event_type"] == t && (t != "usage.recorded" || e["data"]["feature"] == "exports")
            })
            .unwrap_or_else(|| panic!("{t}: {log:?}"))["recorded_at"]
            .as_str()
            .unwrap()
            .replace('+', "%2B")
    };
    let s = app
        .get(&format!(
            "/api/v1/entitlements/summary?as_of={}",
            at("usage.recorded")
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(s.status, StatusCode::OK, "{s:?}");
    let exports = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "exports")
        .unwrap()
        .clone();
    assert_eq!(exports["used"], 7, "{s:?}");
    let s = app
        .get(&format!(
            "/api/v1/entitlements/summary?as_of={}",
            at("workspace.created")
        ))
        .workspace(&ws)
        .send()
        .await;
    assert!(
        s.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["feature"] != "exports"),
        "{s:?}"
    );
    let s = app
        .get("/api/v1/entitlements/summary?as_of=2999-01-01T00:00:00Z")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(s.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The key made 10 calls: each counts as api_calls usage, recorded in batches by the server
    // and attributed to the key (the operator's calls below do not count).
    let r = app
        .eventually(
            "/api/v1/usage?feature=api_calls&interval=hour&group_by=key",
            Some(&ws),
            |r| r.body["data"]["total"] == 10,
        )
        .await;
    assert_eq!(r.body["data"]["total"], 10, "{r:?}");
    let keys: Vec<_> = r.body["data"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["keys"].as_array().unwrap().clone())
        .collect();
    assert!(keys.iter().all(|k| k["key_id"].is_string()), "{keys:?}");
    let s = app
        .get("/api/v1/entitlements/summary")
        .workspace(&ws)
        .send()
        .await;
    let calls = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "api_calls")
        .unwrap()
        .clone();
    assert_eq!(
        (calls["used"].clone(), calls["limit"].clone()),
        (json!(10), json!(1_000_000))
    );
    app.stop().await;
}

async fn plans_overrides_and_bad_input(b: keel_tests::Backend) {
    let app = keel_tests::spawn_app(b).await;
    let (ws, key) = setup(&app, "starter").await;
    // The plan's built-in features.
    let s = app
        .get("/api/v1/entitlements/summary")
        .token(&key)
        .send()
        .await;
    let names: Vec<_> = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "api_calls",
            "domains",
            "events",
            "tracking_checker_api_hourly"
        ]
    );
    // Unknown feature: 404; a switched-off boolean: not in plan.
    let r = app
        .post("/api/v1/entitlements/usage")
        .token(&key)
        .json(json!({"feature": "gpu_minutes"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "feature_not_found")
    );
    let r = app
        .get("/api/v1/entitlements/check?feature=gpu_minutes")
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    set(
        &app,
        &ws,
        "sso",
        json!({"type": "boolean", "enabled": false}),
    )
    .await;
    let r = app
        .get("/api/v1/entitlements/check?feature=sso")
        .token(&key)
        .send()
        .await;
    assert_eq!(r.body["data"]["allowed"], false, "{r:?}");
    assert_eq!(r.body["data"]["reason"], "FEATURE_NOT_IN_PLAN");
    set(
        &app,
        &ws,
        "theme",
        json!({"type": "static", "config": {"color": "teal"}}),
    )
    .await;
    let r = app
        .get("/api/v1/entitlements/check?feature=theme")
        .token(&key)
        .send()
        .await;
    assert_eq!(r.body["data"]["config"]["color"], "teal", "{r:?}");
    // Bad quantities and metadata.
    for q in [
        json!(0),
        json!(-3),
        json!(1.5),
        json!("2"),
        json!(2_000_000_000i64),
    ] {
        let r = app
            .post("/api/v1/entitlements/usage")
            .token(&key)
            .json(json!({"feature": "events", "quantity": q}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {r:?}");
        assert_eq!(r.body["error"]["details"]["fields"][0]["field"], "quantity");
    }
    let r = app
        .post("/api/v1/entitlements/usage")
        .token(&key)
        .json(json!({"feature": "events", "metadata": {"k": "x".repeat(5000)}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app
        .get("/api/v1/entitlements/check?feature=events&quantity=abc")
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // Only the operator grants entitlements; keys may not.
    let r = app
        .call(Method::PUT, "/api/v1/entitlements/events")
        .token(&key)
        .json(json!({"type": "metered", "limit": null}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app
        .call(Method::PUT, "/api/v1/entitlements/events")
        .workspace(&ws)
        .json(json!({"type": "metered", "limit": 1.5, "period": "week"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // An override, then its removal: the plan applies again.
    set(
        &app,
        &ws,
        "events",
        json!({"type": "metered", "limit": null}),
    )
    .await;
    let c = app
        .get("/api/v1/entitlements/check?feature=events")
        .token(&key)
        .send()
        .await;
    assert_eq!(c.body["data"]["limit"], serde_json::Value::Null, "{c:?}");
    let r = app
        .delete("/api/v1/entitlements/events")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let c = app
        .get("/api/v1/entitlements/check?feature=events")
        .token(&key)
        .send()
        .await;
    assert_eq!(c.body["data"]["limit"], 1_000_000);
    app.stop().await;
}

/// Periods roll over exactly at local midnight (days) and at the billing anchor (months), in the
/// workspace's zone, on a manual clock: no sleeps.
async fn periods_roll_over_exactly_at_the_anchor_in_the_workspace_zone(b: keel_tests::Backend) {
    use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
    let clock =
        keel_infra::clock::Clock::manual(Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap());
    let app = keel_tests::spawn_app_with(b, |c| c.clock = clock.clone()).await;
    let r = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "Zoned", "tier": "enterprise", "settings": {"timezone": "Europe/Berlin", "locale": "de-DE"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let ws = r.body["data"]["id"].as_str().unwrap().to_string();
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    // The workspace was created (by the wall clock) on its billing anchor day.
    let created: DateTime<Utc> = r.body["data"]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let anchor = created.with_timezone(&tz).day();
    let (key_id, key, _) = app
        .create_key(&ws, "meter", &["usage:write", "usage:read"])
        .await;
    set(
        &app,
        &ws,
        "daily_jobs",
        json!({"type": "metered", "limit": 2, "period": "day"}),
    )
    .await;
    set(
        &app,
        &ws,
        "monthly_jobs",
        json!({"type": "metered", "limit": 1, "period": "month"}),
    )
    .await;
    let record = |feature: &'static str| {
        app.post("/api/v1/entitlements/usage")
            .token(&key)
            .json(json!({"feature": feature}))
            .send()
    };
    // Days: 1 Jan 2027 ends at 23:00 UTC in Berlin (UTC+1).
    assert_eq!(record("daily_jobs").await.status, StatusCode::CREATED);
    assert_eq!(record("daily_jobs").await.status, StatusCode::CREATED);
    assert_eq!(record("daily_jobs").await.status, StatusCode::FORBIDDEN);
    clock.set(Utc.with_ymd_and_hms(2027, 1, 1, 22, 59, 59).unwrap());
    assert_eq!(record("daily_jobs").await.status, StatusCode::FORBIDDEN);
    clock.advance(Duration::seconds(1));
    let r = record("daily_jobs").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["current_usage"], 1);
    assert_eq!(r.body["data"]["reset_at"], "2027-01-02T23:00:00.000000Z");
    // The same usage as a series: by Berlin day, and by UTC hour per key.
    let s = app
        .get("/api/v1/usage?feature=daily_jobs&from=2027-01-01T00:00:00Z&to=2027-01-03T00:00:00Z")
        .token(&key)
        .send()
        .await;
    assert_eq!(s.status, StatusCode::OK, "{s:?}");
    let q: Vec<_> = s.body["data"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_str().unwrap().to_string(),
                p["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        q,
        [
            ("2026-12-31T23:00:00.000000Z".to_string(), 2),
            ("2027-01-01T23:00:00.000000Z".to_string(), 1),
            ("2027-01-02T23:00:00.000000Z".to_string(), 0),
        ]
    );
    let s = app
        .get("/api/v1/usage?feature=daily_jobs&from=2027-01-01T12:00:00Z&to=2027-01-02T00:00:00Z&interval=hour&group_by=key")
        .token(&key)
        .send()
        .await;
    let points = s.body["data"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 12, "{s:?}");
    assert_eq!(points[0]["quantity"], 2);
    assert_eq!(
        points[0]["keys"],
        json!([{"key_id": key_id, "quantity": 2}])
    );
    assert_eq!(points[11]["quantity"], 1);
    assert_eq!(s.body["data"]["total"], 3);
    for bad in [
        "interval=week",
        "group_by=site",
        "from=yesterday",
        "from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z",
    ] {
        let r = app
            .get(&format!("/api/v1/usage?feature=daily_jobs&{bad}"))
            .token(&key)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {r:?}");
    }
    // Months: from the anchor day of January 2027 at local midnight.
    let boundary = tz
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(2027, 1, anchor)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    clock.set(boundary - Duration::seconds(1));
    assert_eq!(record("monthly_jobs").await.status, StatusCode::CREATED);
    let r = record("monthly_jobs").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    clock.set(boundary);
    let r = record("monthly_jobs").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let next = tz
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(2027, 2, anchor.min(28))
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        r.body["data"]["reset_at"],
        json!(keel_schemas::format_ts(next))
    );
    assert_eq!(record("monthly_jobs").await.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

/// Every ingested pageview, custom event and goal counts one `events` in its month, in the
/// group commit; past a hard limit the extra ones are refused by index, and the log recounts to
/// the same figure.
async fn ingested_events_are_counted_and_a_hard_limit_refuses_the_extra_ones(
    b: keel_tests::Backend,
) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Counted", "free").await;
    set(
        &app,
        &ws,
        "events",
        json!({"type": "metered", "limit": 5, "period": "month", "hard": true}),
    )
    .await;
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let site = r.body["data"]["id"].as_str().unwrap().to_string();
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    let hit = |i: usize| json!({"site_id": site, "visitor_id": format!("v{i}"), "url": format!("/p/{i}"), "user_agent": ua});
    let r = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": (0..3).map(hit).collect::<Vec<_>>()}))
        .send()
        .await;
    assert_eq!(r.body["data"]["accepted"], 3, "{r:?}");
    // One at a time, so which ones pass is the order they were sent in.
    let mut refused = Vec::new();
    for i in 3..7 {
        let r = app
            .post("/api/v1/events")
            .workspace(&ws)
            .json(json!({"events": [hit(i)]}))
            .send()
            .await;
        if r.body["data"]["rejected"] == 1 {
            let reason = r.body["data"]["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .to_string();
            refused.push((i, reason));
        }
    }
    assert_eq!(
        refused.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        vec![5, 6],
        "{refused:?}"
    );
    assert!(
        refused[0]
            .1
            .starts_with("recording 1 more would pass the events limit of 5 (5 used, 0 left)"),
        "{refused:?}"
    );
    let s = app
        .get("/api/v1/entitlements/summary")
        .workspace(&ws)
        .send()
        .await;
    let events = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "events")
        .unwrap()
        .clone();
    assert_eq!(
        (events["used"].as_i64(), events["limit"].as_i64()),
        (Some(5), Some(5)),
        "{events}"
    );
    let recount = keel_infra::usage::recount(&app.db(), Some(&ws))
        .await
        .unwrap();
    assert!(recount.agrees(), "{recount:?}");
    app.stop().await;
}

keel_tests::on_every_backend!(
    ingested_events_are_counted_and_a_hard_limit_refuses_the_extra_ones,
    a_hard_limit_holds_exactly_under_1000_concurrent_records,
    replays_of_a_usage_id_count_once_and_soft_limits_only_report,
    plans_overrides_and_bad_input,
    periods_roll_over_exactly_at_the_anchor_in_the_workspace_zone,
);
