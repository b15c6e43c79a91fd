//! Appends that the group commit may refuse (issue 17, docs/reliability.md, scenario 6): hard
//! usage limits, the active-key quota and slug uniqueness, each under many concurrent requests,
//! round after round. After every round the log, the answers and the inline read models agree:
//! an event is in the log if and only if its request was answered 2xx, and its position is the
//! one that answer named (`X-Keel-Position`).
//!
//! `KEEL_STRESS_ROUNDS` scales every scenario (default: 50 rounds of usage records, 10 of keys
//! and slugs).

#![allow(clippy::unwrap_used)]

use futures::StreamExt;
use keel_events::DomainEvent;
use keel_tests::{Backend, Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;

fn rounds(default: usize) -> usize {
    std::env::var("KEEL_STRESS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(default, |n: usize| (n * default / 50).max(1))
}

/// The tenant's events of `event_type` as stored, with their positions.
async fn log_of(app: &TestApp, ws: &str, event_type: &str) -> Vec<(i64, DomainEvent)> {
    let db = app.db();
    let (payload, tenant) = match db.dialect {
        keel_infra::Dialect::Postgres => ("payload::text", "CAST($1 AS uuid)"),
        keel_infra::Dialect::Sqlite => ("payload", "$1"),
    };
    let sql = format!(
        "SELECT position, schema_version, {payload} FROM events \
         WHERE tenant_id = {tenant} AND event_type = $2 ORDER BY position"
    );
    let rows: Vec<(i64, i32, String)> = sqlx::query_as(&sql)
        .bind(ws)
        .bind(event_type)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    rows.into_iter()
        .map(|(p, v, payload)| {
            let e =
                keel_schemas::from_stored(event_type, v, serde_json::from_str(&payload).unwrap())
                    .unwrap();
            (p, e)
        })
        .collect()
}

/// Positions named by the 2xx answers, checking that every other answer is the refusal expected.
fn accepted(answers: &[Resp], refusal: (StatusCode, &str)) -> BTreeSet<i64> {
    let mut ok = BTreeSet::new();
    for r in answers {
        if r.status.is_success() {
            assert!(r.position() > 0, "a 2xx without its position: {r:?}");
            assert!(
                ok.insert(r.position()),
                "two answers name one position: {r:?}"
            );
        } else {
            assert_eq!((r.status, r.code()), refusal, "{r:?}");
        }
    }
    ok
}

async fn used(app: &TestApp, ws: &str, feature: &str) -> i64 {
    let db = app.db();
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT used FROM usage_counters WHERE workspace_id = $1 AND feature = $2",
    )
    .bind(ws)
    .bind(feature)
    .fetch_optional(&db.pool)
    .await
    .unwrap();
    n.unwrap_or(0)
}

async fn summary_used(app: &TestApp, ws: &str, feature: &str) -> i64 {
    let s = app
        .get("/api/v1/entitlements/summary")
        .workspace(ws)
        .send()
        .await;
    assert_eq!(s.status, StatusCode::OK, "{s:?}");
    s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == feature)
        .unwrap()["used"]
        .as_i64()
        .unwrap()
}

const RECORDS: usize = 1000;
const LIMIT: usize = 100;
const IN_FLIGHT: usize = 100;

/// 1,000 concurrent records of 1 against a hard limit of 100, 50 times: each round on a feature
/// of its own in one workspace, so the log grows and every round also recounts the rounds before.
async fn a_hard_limit_holds_in_the_log_round_after_round(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Stress", "enterprise").await;
    let (_, key, _) = app
        .create_key(&ws, "meter", &["usage:write", "usage:read"])
        .await;
    let rounds = rounds(50);
    let started = std::time::Instant::now();
    for round in 0..rounds {
        let feature = format!("jobs_{round}");
        let r = app
            .call(Method::PUT, &format!("/api/v1/entitlements/{feature}"))
            .workspace(&ws)
            .json(json!({"type": "metered", "limit": LIMIT, "period": "month", "hard": true}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let records = futures::stream::iter(0..RECORDS)
            .map(|_| {
                app.post("/api/v1/entitlements/usage")
                    .token(&key)
                    .json(json!({"feature": feature, "quantity": 1}))
                    .send()
            })
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<Resp>>();
        // The ledger rebuilt from the log while the records go on: appends wait for it, and
        // those whose transaction began before it are redone on a fresh snapshot.
        let db = app.db();
        let ws_id = ws.clone();
        let rebuilding = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            keel_infra::usage::rebuild(&db, Some(&ws_id)).await
        });
        let answers = records.await;
        rebuilding.await.unwrap().unwrap();
        let ok = accepted(&answers, (StatusCode::FORBIDDEN, "feature_limit_reached"));
        assert_eq!(ok.len(), LIMIT, "round {round}: 2xx answers");
        // The log: exactly the accepted records, at the positions their answers named. (Other
        // features record meanwhile: the server's own `api_calls` usage of this key, every 2 s.)
        let logged: BTreeSet<i64> = log_of(&app, &ws, "usage.recorded")
            .await
            .into_iter()
            .filter(|(_, e)| matches!(e, DomainEvent::UsageRecorded(u) if u.feature == feature))
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            logged, ok,
            "round {round}: the log holds exactly the answered records"
        );
        // The ledger, the API and the ledger rebuilt from the log say the same.
        assert_eq!(
            used(&app, &ws, &feature).await,
            LIMIT as i64,
            "round {round}: ledger"
        );
        assert_eq!(
            summary_used(&app, &ws, &feature).await,
            LIMIT as i64,
            "round {round}"
        );
        let recount = keel_infra::usage::recount(&app.db(), Some(&ws))
            .await
            .unwrap();
        assert!(recount.agrees(), "round {round}: {recount:?}");
        let rebuilt = keel_infra::usage::rebuild(&app.db(), Some(&ws))
            .await
            .unwrap();
        assert!(
            rebuilt.events >= (round + 1) * LIMIT,
            "round {round}: {rebuilt:?}"
        );
        assert_eq!(
            used(&app, &ws, &feature).await,
            LIMIT as i64,
            "round {round}: rebuilt"
        );
        assert_eq!(
            summary_used(&app, &ws, &feature).await,
            LIMIT as i64,
            "round {round}"
        );
    }
    // A full rebuild of every workspace's ledger changes nothing.
    let rebuilt = keel_infra::usage::rebuild(&app.db(), None).await.unwrap();
    let recount = keel_infra::usage::recount(&app.db(), None).await.unwrap();
    assert!(recount.agrees(), "{recount:?}");
    assert_eq!(recount.events, rebuilt.events);
    let server_calls = log_of(&app, &ws, "usage.recorded")
        .await
        .into_iter()
        .filter(|(_, e)| matches!(e, DomainEvent::UsageRecorded(u) if u.feature == "api_calls"))
        .count();
    eprintln!(
        "{b:?}: {rounds} rounds of {RECORDS} records against a hard limit of {LIMIT} in {:.1} s; \
         log = answers = ledger = summary = rebuild every round ({} usage events in the log, \
         {server_calls} of them the server's api_calls records)",
        started.elapsed().as_secs_f64(),
        recount.events
    );
    app.stop().await;
}

/// 60 concurrent key creations against a free workspace's quota of 3 active keys, in a fresh
/// workspace each round: exactly 3 keys exist, in the log, the registry and the keys read model.
async fn the_key_quota_holds_in_the_log_round_after_round(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let rounds = rounds(10);
    for round in 0..rounds {
        let ws = app
            .create_workspace(&format!("Quota {round}"), "free")
            .await;
        let answers: Vec<Resp> = futures::stream::iter(0..60)
            .map(|i| {
                app.post("/api/v1/keys")
                    .workspace(&ws)
                    .json(json!({"name": format!("k{i}"), "scopes": ["keys:read"]}))
                    .send()
            })
            .buffer_unordered(60)
            .collect()
            .await;
        let ok = accepted(&answers, (StatusCode::FORBIDDEN, "key_limit_reached"));
        assert_eq!(ok.len(), 3, "round {round}: 2xx answers");
        let logged: BTreeSet<i64> = log_of(&app, &ws, "key.created")
            .await
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            logged, ok,
            "round {round}: the log holds exactly the created keys"
        );
        let db = app.db();
        let active: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_keys WHERE workspace_id = $1 AND status = 'active'",
        )
        .bind(&ws)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(active, 3, "round {round}: the registry");
        let last = ok.iter().max().unwrap();
        let r = app
            .get(&format!("/api/v1/keys?min_position={last}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.body["meta"]["total_count"], 3, "round {round}: {r:?}");
    }
    app.stop().await;
}

/// 40 concurrent workspaces asking for one slug, and 40 concurrent renames of other workspaces
/// to one slug: one wins each, and the log names that slug once.
async fn a_slug_is_taken_once_in_the_log_round_after_round(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let rounds = rounds(10);
    for round in 0..rounds {
        let slug = format!("contended-{round}");
        let answers: Vec<Resp> = futures::stream::iter(0..40)
            .map(|i| {
                app.post("/api/v1/workspaces")
                    .json(json!({"name": format!("W {round} {i}"), "slug": slug, "tier": "free"}))
                    .send()
            })
            .buffer_unordered(40)
            .collect()
            .await;
        let ok = accepted(&answers, (StatusCode::CONFLICT, "slug_taken"));
        assert_eq!(ok.len(), 1, "round {round}: 2xx answers");
        let winner = answers.iter().find(|r| r.status.is_success()).unwrap();
        let ws = winner.body["data"]["id"].as_str().unwrap();
        let logged: Vec<i64> = log_of(&app, ws, "workspace.created")
            .await
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            logged,
            ok.iter().copied().collect::<Vec<_>>(),
            "round {round}"
        );
        let db = app.db();
        let created_with_slug: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_workspaces WHERE slug = $1 AND deleted = 0",
        )
        .bind(&slug)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(created_with_slug, 1, "round {round}: the registry");

        // Renames: 40 other workspaces all asking for one new slug.
        let mut others = Vec::new();
        for i in 0..40 {
            others.push(
                app.create_workspace(&format!("R {round} {i}"), "free")
                    .await,
            );
        }
        let renamed = format!("renamed-{round}");
        let answers: Vec<Resp> = futures::stream::iter(others.iter())
            .map(|w| {
                app.patch(&format!("/api/v1/workspaces/{w}"))
                    .json(json!({"slug": renamed}))
                    .send()
            })
            .buffer_unordered(40)
            .collect()
            .await;
        let ok = accepted(&answers, (StatusCode::CONFLICT, "slug_taken"));
        assert_eq!(ok.len(), 1, "round {round}: renames answered 2xx");
        let mut logged = BTreeSet::new();
        for w in &others {
            for (p, e) in log_of(&app, w, "workspace.updated").await {
                if matches!(&e, DomainEvent::WorkspaceUpdated(u) if u.slug.as_deref() == Some(renamed.as_str()))
                {
                    logged.insert(p);
                }
            }
        }
        assert_eq!(
            logged, ok,
            "round {round}: the log holds exactly the answered rename"
        );
    }
    app.stop().await;
}

keel_tests::on_every_backend!(
    multi_thread;
    a_hard_limit_holds_in_the_log_round_after_round,
    the_key_quota_holds_in_the_log_round_after_round,
    a_slug_is_taken_once_in_the_log_round_after_round,
);
