//! Personal data: sealed per person in the log, erased on request by destroying the person's key,
//! dropped from the read models, and the hash chain still verifies. On both backends.

#![allow(clippy::unwrap_used)]

use keel_tests::{spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ALICE: &str = "alice@example.com";

async fn site(app: &TestApp, ws: &str) -> String {
    let r = app
        .post("/api/v1/sites")
        .workspace(ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com", "timezone": "UTC"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["data"]["id"].as_str().unwrap().to_string()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every row of a table as text, for "is this string anywhere in it".
async fn table_text(app: &TestApp, table: &str) -> String {
    let sql = match app.db().dialect {
        keel_projections::Dialect::Postgres => format!("SELECT CAST(t AS TEXT) FROM {table} t"),
        keel_projections::Dialect::Sqlite => format!("SELECT * FROM {table}"),
    };
    let rows = sqlx::query(&sql).fetch_all(&app.db().pool).await.unwrap();
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn audit_of(app: &TestApp, ws: &str, event_type: &str) -> Vec<Value> {
    let r = app
        .eventually(
            &format!("/api/v1/audit/events?order=asc&limit=500&event_type={event_type}"),
            Some(ws),
            |r| r.body["meta"]["pending"] == 0,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["data"].as_array().unwrap().clone()
}

async fn a_person_is_erased_and_the_chain_still_verifies(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Shop", "pro").await;
    let site_id = site(&app, &ws).await;
    let post = |path: &'static str, body: Value| {
        let app = &app;
        let ws = ws.clone();
        async move {
            let r = app.post(path).workspace(&ws).json(body).send().await;
            assert!(r.status.is_success(), "{path}: {r:?}");
            r
        }
    };
    let at = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    post(
        "/api/v1/events",
        json!({"events": [
            {"site_id": site_id, "visitor_id": ALICE, "url": "/", "occurred_at": at},
            {"site_id": site_id, "visitor_id": ALICE, "url": "/pricing", "occurred_at": at},
            {"site_id": site_id, "visitor_id": "bob", "url": "/", "occurred_at": at},
        ]}),
    )
    .await;
    post(
        "/api/v1/identify",
        json!({"site_id": site_id, "visitor_id": ALICE, "user_id": "user_alice", "traits": {"name": "Alice Liddell"}}),
    )
    .await;
    post(
        "/api/v1/identify",
        json!({"site_id": site_id, "visitor_id": "bob", "user_id": "user_bob", "traits": {"name": "Bob"}}),
    )
    .await;
    let pos = post(
        "/api/v1/payments",
        json!({"site_id": site_id, "visitor_id": ALICE, "amount": 4200, "currency": "EUR",
            "transaction_id": "tx_alice", "customer_id": "cus_alice", "email": ALICE, "occurred_at": at}),
    )
    .await
    .position();

    // Nothing personal is in the log in the clear; the read model and auditors see it opened.
    let log = table_text(&app, "events").await;
    for secret in [
        ALICE,
        "user_alice",
        "Alice Liddell",
        "cus_alice",
        "user_bob",
    ] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
    let profile = |who: &str, pos: i64| {
        let app = &app;
        let ws = ws.clone();
        let url = format!(
            "/api/v1/sites/{site_id}/visitors/{}?min_position={pos}",
            enc(who)
        );
        async move { app.get(&url).workspace(&ws).send().await }
    };
    let p = profile(ALICE, pos).await;
    assert_eq!(p.status, StatusCode::OK, "{p:?}");
    assert_eq!(p.body["data"]["user_id"], "user_alice");
    assert_eq!(p.body["data"]["traits"]["name"], "Alice Liddell");
    assert_eq!(p.body["data"]["payments"][0]["customer_id"], "cus_alice");
    let identified = audit_of(&app, &ws, "visitor.identified").await;
    assert!(
        identified
            .iter()
            .any(|e| e["data"]["user_id"] == "user_alice"),
        "{identified:?}"
    );
    let stats = |pos: i64| {
        let app = &app;
        let ws = ws.clone();
        let url = format!("/api/v1/sites/{site_id}/stats/aggregate?period=7d&metrics=visitors,pageviews,revenue&min_position={pos}");
        async move {
            let r = app.get(&url).workspace(&ws).send().await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
            r.body["data"].clone()
        }
    };
    let before = stats(pos).await;

    // Erased.
    let keys_before = table_text(&app, "subject_keys").await.lines().count();
    assert_eq!(keys_before, 2, "one key per person");
    let url = format!("/api/v1/sites/{site_id}/visitors/{}", enc(ALICE));
    let r = app.delete(&url).workspace(&ws).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"]["erased"], true);
    let pos = r.position();
    assert!(pos > 0, "{r:?}");
    assert_eq!(table_text(&app, "subject_keys").await.lines().count(), 1);

    assert_eq!(profile(ALICE, pos).await.status, StatusCode::NOT_FOUND);
    let bob = profile("bob", pos).await;
    assert_eq!(bob.body["data"]["user_id"], "user_bob", "{bob:?}");
    assert_eq!(stats(pos).await, before, "counts and revenue stay");
    for table in ["rm_visitors", "rm_payments", "rm_hits", "rm_sessions"] {
        let text = table_text(&app, table).await;
        for secret in [ALICE, "user_alice", "Alice Liddell", "cus_alice"] {
            assert!(!text.contains(secret), "{secret} still in {table}");
        }
    }
    let identified = audit_of(&app, &ws, "visitor.identified").await;
    assert_eq!(identified.len(), 2);
    let erased: Vec<&Value> = identified
        .iter()
        .filter(|e| e["data"]["personal_data"] == "erased")
        .collect();
    assert_eq!(erased.len(), 1, "{identified:?}");
    assert!(erased[0]["data"].get("user_id").is_none(), "{identified:?}");
    assert!(identified
        .iter()
        .any(|e| e["data"]["user_id"] == "user_bob"));
    let payments = audit_of(&app, &ws, "payment.recorded").await;
    assert_eq!(payments[0]["data"]["personal_data"], "erased");
    assert_eq!(payments[0]["data"]["amount"], 4200);
    assert_eq!(audit_of(&app, &ws, "visitor.erased").await.len(), 1);
    let v = app
        .eventually("/api/v1/audit/verify", Some(&ws), |r| {
            r.body["data"]["pending"] == 0
        })
        .await;
    assert_eq!(v.body["data"]["status"], "ok", "{v:?}");

    // Asked again: the same answer, nothing new recorded. Unknown people and sites: 404.
    let r = app.delete(&url).workspace(&ws).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(audit_of(&app, &ws, "visitor.erased").await.len(), 1);
    let r = app
        .delete(&format!("/api/v1/sites/{site_id}/visitors/nobody"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = app
        .delete(&format!(
            "/api/v1/sites/{}/visitors/bob",
            uuid::Uuid::now_v7()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let (_, reader, _) = app.create_key(&ws, "reader", &["analytics:read"]).await;
    let r = app.delete(&url).token(&reader).send().await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");

    // A rebuild from the log cannot bring anything back.
    let r = app
        .post("/api/v1/admin/projections/analytics/rebuild")
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    app.eventually("/api/v1/admin/projections", None, |r| {
        r.body["data"].as_array().is_some_and(|a| {
            a.iter()
                .any(|p| p["name"] == "analytics" && p["last_rebuild"]["running"] == false)
        })
    })
    .await;
    assert_eq!(profile(ALICE, pos).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        profile("bob", pos).await.body["data"]["user_id"],
        "user_bob"
    );
    assert_eq!(stats(pos).await, before);
    let text = table_text(&app, "rm_payments").await;
    assert!(!text.contains("cus_alice"), "{text}");

    // Alice comes back: a new person to Keel, under a new key; the old data stays erased.
    let pos = post(
        "/api/v1/events",
        json!({"events": [{"site_id": site_id, "visitor_id": ALICE, "url": "/again"}]}),
    )
    .await
    .position();
    let p = profile(ALICE, pos).await;
    assert_eq!(p.status, StatusCode::OK, "{p:?}");
    assert_eq!(p.body["data"]["visitor_id"], ALICE);
    assert!(p.body["data"]["user_id"].is_null(), "{p:?}");
    assert_eq!(table_text(&app, "subject_keys").await.lines().count(), 2);
    app.stop().await;
}

keel_tests::on_every_backend!(a_person_is_erased_and_the_chain_still_verifies);
