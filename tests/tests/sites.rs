//! Sites, end to end over HTTP, on the embedded default and on Postgres + Kafka.

#![allow(clippy::unwrap_used)]

use keel_tests::{spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::json;

async fn a_site_is_created_read_listed_updated_and_deleted(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, key, _) = app
        .create_key(&ws, "web", &["sites:write", "keys:read"])
        .await;
    let r = app
        .post("/api/v1/sites")
        .token(&key)
        .json(json!({"name": " Shop ", "domain": "shop.example.com", "currency": "EUR"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let d = &r.body["data"];
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["name"], "Shop");
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["timezone"], "UTC", "the workspace's time zone by default");
    let tracking = d["tracking_id"].as_str().unwrap().to_string();
    assert!(
        tracking.starts_with("kt_") && tracking.len() == 23,
        "{tracking}"
    );
    assert_eq!(
        r.header("Location").as_deref(),
        Some(format!("/api/v1/sites/{id}").as_str())
    );
    let pos = r.position();

    let got = app
        .get(&format!("/api/v1/sites/{id}?min_position={pos}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(got.status, StatusCode::OK, "{got:?}");
    assert_eq!(got.body["data"]["domain"], "shop.example.com");
    assert_eq!(got.body["data"]["tracking_id"], tracking.as_str());
    assert_eq!(got.header("ETag").as_deref(), Some("\"1\""));

    // A second site; the list is the workspace's, sorted and paginated.
    let r = app
        .post("/api/v1/sites")
        .token(&key)
        .json(json!({"name": "Blog", "domain": "blog.example.com", "timezone": "Europe/Berlin"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["timezone"], "Europe/Berlin");
    let list = app
        .get(&format!(
            "/api/v1/sites?sort=name&limit=1&min_position={}",
            r.position()
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    assert_eq!(list.body["meta"]["total_count"], 2);
    assert_eq!(list.body["data"][0]["name"], "Blog");
    assert!(list.body["meta"]["next"].is_string());

    // Update with If-Match; a stale version is a conflict.
    let up = app
        .patch(&format!("/api/v1/sites/{id}"))
        .token(&key)
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Shop EU", "currency": "GBP"}))
        .send()
        .await;
    assert_eq!(up.status, StatusCode::OK, "{up:?}");
    assert_eq!(up.body["data"]["currency"], "GBP");
    assert_eq!(up.body["data"]["version"], 2);
    let stale = app
        .patch(&format!("/api/v1/sites/{id}"))
        .token(&key)
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Again"}))
        .send()
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, "version_conflict")
    );
    let got = app
        .get(&format!(
            "/api/v1/sites/{id}?min_position={}",
            up.position()
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(got.body["data"]["name"], "Shop EU");

    // Delete: gone from reads and lists, and further writes are 404.
    let del = app
        .delete(&format!("/api/v1/sites/{id}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{del:?}");
    let gone = app
        .get(&format!(
            "/api/v1/sites/{id}?min_position={}",
            del.position()
        ))
        .token(&key)
        .send()
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let list = app
        .get(&format!("/api/v1/sites?min_position={}", del.position()))
        .token(&key)
        .send()
        .await;
    assert_eq!(list.body["meta"]["total_count"], 1);
    let again = app
        .delete(&format!("/api/v1/sites/{id}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn bad_sites_are_refused_with_every_field_named(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "", "domain": "https://Shop.example.com/", "timezone": "Mars/Base", "currency": "EURO"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{r:?}"
    );
    let fields: Vec<&str> = r.body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "domain", "timezone", "currency"]);
    let r = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "x", "domain": "x.com", "owner": "me"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // Reading needs sites:read, writing sites:write.
    let (_, reader, _) = app.create_key(&ws, "r", &["sites:read"]).await;
    let r = app
        .post("/api/v1/sites")
        .token(&reader)
        .json(json!({"name": "x", "domain": "x.com"}))
        .send()
        .await;
    assert_eq!(r.body["error"]["details"]["required_scope"], "sites:write");
    let r = app
        .get("/api/v1/sites/not-an-id")
        .token(&reader)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/sites").token(&reader).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["meta"]["total_count"], 0);
    app.stop().await;
}

keel_tests::on_every_backend!(
    a_site_is_created_read_listed_updated_and_deleted,
    bad_sites_are_refused_with_every_field_named,
);
