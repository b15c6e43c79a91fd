//! The workspace and API-key slice, end to end over HTTP, on the embedded default and on
//! Postgres + Kafka. One suite, both backends.

#![allow(clippy::unwrap_used)]

use keel_tests::{spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

const ALL_KEY_SCOPES: &[&str] = &[
    "keys:read",
    "keys:write",
    "workspaces:read",
    "workspaces:write",
];

async fn health_and_readiness_need_no_key(b: Backend) {
    let app = spawn_app(b).await;
    let r = app.get("/api/v1/health").no_token().send().await;
    assert_eq!(r.status, StatusCode::OK);
    // Dashtray's shape: healthy, a millisecond timestamp, the version.
    assert_eq!(r.body["status"], "healthy");
    let ms = r.body["timestamp"].as_i64().unwrap_or_default();
    let now = chrono::Utc::now().timestamp_millis();
    assert!((now - ms).abs() < 60_000, "{r:?}");
    assert_eq!(r.body["version"], env!("CARGO_PKG_VERSION"));
    assert!(r
        .header("X-Request-ID")
        .is_some_and(|id| id.starts_with("req_")));
    let r = app.get("/api/v1/ready/").no_token().send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .get("/api/v1/health")
        .no_token()
        .header("X-Request-ID", "my-trace-1")
        .send()
        .await;
    assert_eq!(r.header("X-Request-ID").as_deref(), Some("my-trace-1"));
    app.stop().await;
}

async fn a_key_is_shown_once_and_then_authenticates(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (id, secret, pos) = app.create_key(&ws, "ci", ALL_KEY_SCOPES).await;
    assert!(secret.starts_with("keel_live_"));
    let list = app
        .get(&format!("/api/v1/keys?min_position={pos}"))
        .token(&secret)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    assert_eq!(list.body["meta"]["total_count"], 1);
    let row = &list.body["data"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(
        row["prefix"].as_str().map(|p| secret.starts_with(p)),
        Some(true)
    );
    let text = list.body.to_string();
    assert!(
        !text.contains(&secret) && !text.contains("hash"),
        "a listing leaked the secret: {text}"
    );
    let one = app
        .get(&format!("/api/v1/keys/{id}"))
        .token(&secret)
        .send()
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body["data"].get("key").is_none());
    let me = app.get("/api/v1/").token(&secret).send().await;
    assert_eq!(me.body["data"]["caller"]["workspace_id"], ws.as_str());
    app.stop().await;
}

async fn a_revoked_key_fails_on_the_very_next_request(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (id, secret, _) = app.create_key(&ws, "ci", ALL_KEY_SCOPES).await;
    assert_eq!(
        app.get("/api/v1/").token(&secret).send().await.status,
        StatusCode::OK
    );
    let r = app
        .delete(&format!("/api/v1/keys/{id}"))
        .token(&secret)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app.get("/api/v1/keys").token(&secret).send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "key_revoked")
    );
    // Revoking again is harmless.
    let r = app
        .delete(&format!("/api/v1/keys/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.stop().await;
}

async fn rotation_keeps_both_secrets_working_for_the_grace_period(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (id, old, _) = app.create_key(&ws, "ci", ALL_KEY_SCOPES).await;
    let r = app
        .post(&format!("/api/v1/keys/{id}/rotate"))
        .token(&old)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let new = r.body["data"]["key"]
        .as_str()
        .expect("new secret")
        .to_string();
    assert_ne!(new, old);
    assert_eq!(
        app.get("/api/v1/").token(&old).send().await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/").token(&new).send().await.status,
        StatusCode::OK
    );
    // A rotation without grace retires the current secret at once.
    let r = app
        .post(&format!("/api/v1/keys/{id}/rotate"))
        .token(&new)
        .json(json!({"grace_period_hours": 0}))
        .send()
        .await;
    let newest = r.body["data"]["key"].as_str().expect("newest").to_string();
    let r = app.get("/api/v1/").token(&new).send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "key_expired")
    );
    assert_eq!(
        app.get("/api/v1/").token(&newest).send().await.status,
        StatusCode::OK
    );
    let r = app
        .post(&format!("/api/v1/keys/{id}/rotate"))
        .token(&newest)
        .json(json!({"grace_period_hours": -1}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

async fn the_free_tier_allows_three_active_keys(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let mut ids = vec![];
    for i in 0..3 {
        ids.push(
            app.create_key(&ws, &format!("k{i}"), &["keys:read"])
                .await
                .0,
        );
    }
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "k4", "scopes": ["keys:read"]}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "key_limit_reached"),
        "{r:?}"
    );
    assert_eq!(r.body["error"]["details"]["limit"], 3);
    // Revoking one frees a slot.
    app.delete(&format!("/api/v1/keys/{}", ids[0]))
        .workspace(&ws)
        .send()
        .await;
    app.create_key(&ws, "k4", &["keys:read"]).await;
    app.stop().await;
}

async fn the_key_quota_holds_under_concurrent_creation(b: Backend) {
    let app = spawn_app(b).await;
    let free = app.create_workspace("Free", "free").await;
    let pro = app.create_workspace("Pro", "pro").await;
    let attempts = |ws: &str| {
        let calls: Vec<_> = (0..12)
            .map(|i| {
                app.post("/api/v1/keys")
                    .workspace(ws)
                    .json(json!({"name": format!("k{i}"), "scopes": ["keys:read"]}))
            })
            .collect();
        futures::future::join_all(calls.into_iter().map(|c| c.send()))
    };
    let free_results = attempts(&free).await;
    let created = free_results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created, 3,
        "free allows exactly 3 active keys: {free_results:?}"
    );
    assert!(free_results
        .iter()
        .all(|r| r.status == StatusCode::CREATED || r.code() == "key_limit_reached"));
    let pro_results = attempts(&pro).await;
    assert!(
        pro_results.iter().all(|r| r.status == StatusCode::CREATED),
        "{pro_results:?}"
    );
    app.stop().await;
}

async fn bad_input_gets_a_clear_error_and_writes_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let post = |body: &str| app.post("/api/v1/keys").workspace(&ws).raw(body);
    let r = post("{\"name\": ").send().await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let r = post("[1,2]").send().await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = post(r#"{"name": "x", "scopes": ["keys:read"], "colour": "red"}"#)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
    );
    assert_eq!(r.body["error"]["details"]["fields"][0]["field"], "colour");
    let long = "x".repeat(256);
    let r = post(
        &json!({"name": long, "scopes": ["nope:read"], "expires_at": "2001-01-01T00:00:00Z"})
            .to_string(),
    )
    .send()
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: HashSet<&str> = r.body["error"]["details"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, HashSet::from(["name", "scopes[0]", "expires_at"]));
    let r = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "", "tier": "platinum"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .get("/api/v1/keys")
        .no_token()
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "missing_api_key")
    );
    let r = app
        .get("/api/v1/keys")
        .token("keel_live_not-a-real-key")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "invalid_api_key")
    );
    let r = app
        .get("/api/v1/keys?limit=abc")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .get("/api/v1/keys?sort=key_hash")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .get("/api/v1/keys?created_after=yesterday")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .get(&format!("/api/v1/keys/{}", uuid::Uuid::new_v4()))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/keys").send().await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "the operator must name a workspace"
    );
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .raw(&"x".repeat(2 * 1024 * 1024))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    // None of it wrote anything.
    let list = app
        .eventually("/api/v1/keys", Some(&ws), |r| r.status == StatusCode::OK)
        .await;
    assert_eq!(list.body["meta"]["total_count"], 0);
    app.stop().await;
}

async fn following_next_visits_every_row_exactly_once(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Big", "pro").await;
    let mut created = HashSet::new();
    let mut pos = 0;
    for i in 0..7 {
        let (id, _, p) = app
            .create_key(&ws, &format!("key {i}"), &["keys:read"])
            .await;
        created.insert(id);
        pos = p;
    }
    let mut url = format!("/api/v1/keys/?limit=3&sort=name&min_position={pos}");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = app.get(&url).workspace(&ws).send().await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["meta"]["total_count"], 7);
        seen.extend(
            r.body["data"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|k| k["id"].as_str().expect("id").to_string()),
        );
        pages += 1;
        match r.body["meta"]["next"].as_str() {
            Some(next) => {
                // A full URL, as DNSai's loop `requests.get(data["meta"]["next"])` needs.
                assert!(
                    next.starts_with(&format!("{}/api/v1/keys?", app.base)),
                    "{next}"
                );
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);
    // Page numbers, as datanostro (`page_size`) and core-api (`per_page`) clients send them.
    for size in ["per_page", "page_size"] {
        let r = app
            .get(&format!("/api/v1/keys?page=2&{size}=3&sort=name"))
            .workspace(&ws)
            .send()
            .await;
        let m = &r.body["meta"];
        assert_eq!(
            (
                m["current_page"].as_i64(),
                m["per_page"].as_i64(),
                m["last_page"].as_i64(),
                m["from"].as_i64(),
                m["to"].as_i64(),
                m["total"].as_i64()
            ),
            (Some(2), Some(3), Some(3), Some(4), Some(6), Some(7)),
            "{r:?}"
        );
        assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
        let links = &r.body["links"];
        let page = |n: i64| format!("{}/api/v1/keys?{size}=3&sort=name&page={n}", app.base);
        assert_eq!(
            (
                &links["first"],
                &links["last"],
                &links["prev"],
                &links["next"]
            ),
            (
                &json!(page(1)),
                &json!(page(3)),
                &json!(page(1)),
                &json!(page(3))
            ),
            "{r:?}"
        );
        assert_eq!(m["next"], links["next"]);
    }
    let r = app
        .get("/api/v1/keys?page=3&per_page=3")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (
            r.body["meta"]["to"].as_i64(),
            r.body["links"]["next"].is_null()
        ),
        (Some(7), true),
        "{r:?}"
    );
    for bad in ["page=0", "page=2&offset=3", "page=1&per_page=0"] {
        let r = app
            .get(&format!("/api/v1/keys?{bad}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {r:?}");
    }
    let r = app.get("/api/v1/keys?limit=2").workspace(&ws).send().await;
    assert!(
        r.body.get("links").is_none() && r.body["meta"].get("current_page").is_none(),
        "limit/offset lists stay as they were: {r:?}"
    );
    // DNSai's lists (keys among them) page by 250, up to 5,000; larger is clamped.
    let r = app.get("/api/v1/keys").workspace(&ws).send().await;
    assert_eq!(r.body["meta"]["limit"], 250);
    let r = app
        .get("/api/v1/keys?limit=9000")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["meta"]["limit"], 5000);
    // Keel's own lists: 50, up to 1,000.
    let r = app
        .get("/api/v1/sites?limit=9000")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["meta"]["limit"], 1000, "{r:?}");
    let r = app
        .get("/api/v1/keys?search=KEY%203")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["meta"]["total_count"], 1);
    let r = app
        .get("/api/v1/keys?sort=-name&limit=1")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"][0]["name"], "key 6");
    let r = app
        .get("/api/v1/keys?created_after=2999-01-01T00:00:00Z")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["meta"]["total_count"], 0);
    app.stop().await;
}

async fn status_filters_see_revocations(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "starter").await;
    let (a, _, _) = app.create_key(&ws, "a", &["keys:read"]).await;
    app.create_key(&ws, "b", &["keys:read"]).await;
    let r = app
        .delete(&format!("/api/v1/keys/{a}"))
        .workspace(&ws)
        .send()
        .await;
    let pos = r.position();
    let revoked = app
        .get(&format!("/api/v1/keys?status=revoked&min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(revoked.body["meta"]["total_count"], 1);
    assert_eq!(revoked.body["data"][0]["id"], a.as_str());
    let active = app
        .get("/api/v1/keys?status=active")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(active.body["meta"]["total_count"], 1);
    assert_eq!(
        app.get("/api/v1/keys?status=bogus")
            .workspace(&ws)
            .send()
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    app.stop().await;
}

async fn a_stale_if_match_is_a_version_conflict(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Acme 2"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"]["version"], 2);
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .header("If-Match", "\"1\"")
        .json(json!({"name": "Acme 3"}))
        .send()
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "version_conflict")
    );
    let r = app
        .eventually(&format!("/api/v1/workspaces/{ws}"), None, |r| {
            r.body["data"]["version"] == 2
        })
        .await;
    assert_eq!(r.body["data"]["name"], "Acme 2");
    app.stop().await;
}

async fn workspaces_are_updated_and_deleted_with_their_keys(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let r = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "Other", "slug": "acme"}))
        .send()
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "slug_taken"));
    let (_, secret, _) = app.create_key(&ws, "ci", ALL_KEY_SCOPES).await;
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .token(&secret)
        .json(json!({"settings": {"timezone": "Europe/Berlin"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["data"]["settings"],
        json!({"timezone": "Europe/Berlin", "locale": "en-US"})
    );
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .token(&secret)
        .json(json!({"tier": "enterprise"}))
        .send()
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a customer cannot change its own plan"
    );
    let r = app
        .patch(&format!("/api/v1/workspaces/{ws}"))
        .json(json!({"settings": {"timezone": "Nowhere/Land"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .delete(&format!("/api/v1/workspaces/{ws}"))
        .token(&secret)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.delete(&format!("/api/v1/workspaces/{ws}")).send().await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let pos = r.position();
    let r = app.get("/api/v1/").token(&secret).send().await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "keys of a deleted workspace stop working"
    );
    let r = app
        .get(&format!("/api/v1/workspaces/{ws}?min_position={pos}"))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Its slug is free again.
    let r = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "New", "slug": "acme"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.stop().await;
}

async fn key_history_lists_every_event_with_actor(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "free").await;
    let (id, secret, _) = app.create_key(&ws, "ci", ALL_KEY_SCOPES).await;
    app.post(&format!("/api/v1/keys/{id}/rotate"))
        .token(&secret)
        .json(json!({}))
        .send()
        .await;
    app.delete(&format!("/api/v1/keys/{id}"))
        .workspace(&ws)
        .send()
        .await;
    let r = app
        .get(&format!("/api/v1/keys/{id}/history"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let rows = r.body["data"].as_array().expect("rows");
    let types: Vec<&str> = rows
        .iter()
        .filter_map(|e| e["event_type"].as_str())
        .collect();
    assert_eq!(types, ["key.created", "key.rotated", "key.revoked"]);
    let actors: Vec<&str> = rows.iter().filter_map(|e| e["actor"].as_str()).collect();
    assert_eq!(actors[0], "operator");
    assert_eq!(actors[1], format!("key:{id}"));
    assert!(rows.iter().all(|e| e["request_id"]
        .as_str()
        .is_some_and(|r| r.starts_with("req_"))));
    assert!(!r.body.to_string().contains("key_hash"));
    app.stop().await;
}

async fn the_openapi_document_describes_every_route(b: Backend) {
    let app = spawn_app(b).await;
    let r = app.get("/api/v1/openapi.json").no_token().send().await;
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths: HashSet<&str> = r.body["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/api/v1/workspaces",
        "/api/v1/workspaces/{id}",
        "/api/v1/keys",
        "/api/v1/keys/{id}",
        "/api/v1/keys/{id}/rotate",
        "/api/v1/keys/{id}/history",
        "/api/v1/health",
        "/api/v1/ready",
    ] {
        assert!(paths.contains(p), "{p} missing from the OpenAPI document");
    }
    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .expect("docs");
    assert_eq!(docs.status(), StatusCode::OK);
    // datanostro: Redoc at /redoc and the document as YAML, both served from the binary.
    let redoc = app
        .client
        .get(format!("{}/redoc", app.base))
        .send()
        .await
        .expect("redoc");
    assert_eq!(redoc.status(), StatusCode::OK);
    let page = redoc.text().await.expect("html");
    assert!(
        page.contains(r#"<script src="/redoc/redoc.standalone.js">"#)
            && page.contains(r#"spec-url="/api/v1/openapi.json""#)
            && !page.contains("https://"),
        "{page}"
    );
    let js = app
        .client
        .get(format!("{}/redoc/redoc.standalone.js", app.base))
        .send()
        .await
        .expect("redoc.js");
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/javascript"));
    assert!(js.bytes().await.expect("js").len() > 500_000);
    // In a real browser, Redoc renders the document offline: its operations are on the page.
    let dom = keel_tests::browser::dump_dom(&format!("{}/redoc", app.base)).await;
    assert!(
        dom.contains("Keel API") && dom.contains("/api/v1/keys/{id}/rotate"),
        "Redoc did not render the document: {}",
        &dom[..dom.len().min(2000)]
    );
    let yaml = app.get("/api/v1/openapi.yaml").no_token().send().await;
    assert_eq!(yaml.status, StatusCode::OK, "{yaml:?}");
    let text = yaml.body.as_str().expect("yaml text");
    assert!(
        text.starts_with("openapi: 3.1.0"),
        "{}",
        &text[..100.min(text.len())]
    );
    assert!(text.contains("/api/v1/keys/{id}/rotate:"));
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("keel_http_request_duration_seconds"),
        "{metrics}"
    );
    let _: Value = r.body;
    app.stop().await;
}

keel_tests::on_every_backend!(
    health_and_readiness_need_no_key,
    a_key_is_shown_once_and_then_authenticates,
    a_revoked_key_fails_on_the_very_next_request,
    rotation_keeps_both_secrets_working_for_the_grace_period,
    the_free_tier_allows_three_active_keys,
    the_key_quota_holds_under_concurrent_creation,
    bad_input_gets_a_clear_error_and_writes_nothing,
    following_next_visits_every_row_exactly_once,
    status_filters_see_revocations,
    a_stale_if_match_is_a_version_conflict,
    workspaces_are_updated_and_deleted_with_their_keys,
    key_history_lists_every_event_with_actor,
    the_openapi_document_describes_every_route,
    links_are_full_urls_on_the_public_base_or_a_trusted_proxys,
    walking_the_links_while_rows_are_added_sees_each_row_once,
    core_api_list_conventions_filter_pick_and_embed,
    the_workspace_reads_as_a_dashtray_project,
    a_key_created_by_name_only_may_read_what_its_creator_may,
    core_apis_key_routes_scopes_and_tier_work,
);

/// Walks a list by its links (`meta.next`, or `meta.previous` when `backward`), from `url`;
/// returns the ids in the order seen and the last page's body.
async fn walk(app: &keel_tests::TestApp, url: &str, backward: bool) -> (Vec<String>, Value) {
    let link = if backward { "previous" } else { "next" };
    let mut url = url.to_string();
    let mut seen = Vec::new();
    loop {
        let r = app.get(&url).send().await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let mut ids: Vec<String> = r.body["data"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|w| w["id"].as_str().expect("id").to_string())
            .collect();
        if backward {
            ids.reverse();
        }
        seen.extend(ids);
        match r.body["meta"][link].as_str() {
            Some(next) => url = next.to_string(),
            None => return (seen, r.body),
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

/// The DNSai loop (`url = data["meta"]["next"]`) sees every row once while rows are added: the
/// links carry a keyset cursor, so rows added before the cursor shift no page. Backward too.
async fn walking_the_links_while_rows_are_added_sees_each_row_once(b: Backend) {
    let app = spawn_app(b).await;
    let mut initial = HashSet::new();
    let mut pos = 0;
    for i in 0..36 {
        let r = app
            .post("/api/v1/workspaces")
            .json(json!({"name": format!("W{i:02}"), "tier": "free"}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        initial.insert(r.body["data"]["id"].as_str().unwrap().to_string());
        pos = pos.max(
            r.header("X-Keel-Position")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0),
        );
    }
    for (round, sort) in ["", "&sort=name", "&sort=-name,created_at"]
        .iter()
        .enumerate()
    {
        // Rows are added while the walk runs: the newest sort first by default, and their names
        // fall between the others'.
        let writer = {
            let (client, base, admin) = (app.client.clone(), app.base.clone(), app.admin.clone());
            tokio::spawn(async move {
                for i in 0..12 {
                    let r = client
                        .post(format!("{base}/api/v1/workspaces"))
                        .bearer_auth(&admin)
                        .json(&json!({"name": format!("W{:02}{round}", i * 3), "tier": "free"}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::CREATED);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        };
        let start = format!("/api/v1/workspaces?limit=5&min_position={pos}{sort}");
        let (seen, last) = walk(&app, &start, false).await;
        writer.await.unwrap();
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: a row was seen twice");
        assert!(initial.is_subset(&unique), "{sort}: a row was skipped");
        // And back from the last page by `meta.previous`.
        if let Some(previous) = last["meta"]["previous"].as_str() {
            let (back, _) = walk(&app, previous, true).await;
            let back_unique: HashSet<_> = back.iter().cloned().collect();
            assert_eq!(back_unique.len(), back.len(), "{sort}: twice walking back");
            let last_page: HashSet<String> = last["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["id"].as_str().unwrap().to_string())
                .collect();
            assert!(back_unique.is_disjoint(&last_page), "{sort}");
            let all: HashSet<_> = back_unique.union(&last_page).cloned().collect();
            assert!(initial.is_subset(&all), "{sort}: skipped walking back");
        }
    }
    // A cursor is refused when it is not one, or was made for another sort.
    let r = app.get("/api/v1/workspaces?after=bm9wZQ").send().await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    let first = app.get("/api/v1/workspaces?limit=2&sort=name").send().await;
    let cursor = first.body["meta"]["next_cursor"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/workspaces?limit=2&after={cursor}"))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert!(
        r.body["message"].as_str().unwrap().contains("sort"),
        "{r:?}"
    );
    let r = app
        .get(&format!(
            "/api/v1/workspaces?limit=2&sort=name&after={cursor}&before={cursor}"
        ))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    app.stop().await;
}

/// core-api's list conventions: `updated_after` / `updated_before`, `fields=` (sparse
/// fieldsets) and `include=`.
async fn core_api_list_conventions_filter_pick_and_embed(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Core", "pro").await;
    let (a, _, _) = app.create_key(&ws, "a", &["keys:read"]).await;
    let (_b, _, _) = app.create_key(&ws, "b", &["keys:read"]).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let r = app
        .post(&format!("/api/v1/keys/{a}/rotate"))
        .workspace(&ws)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let pos = r.header("X-Keel-Position").unwrap_or_default();
    let ids = |r: &keel_tests::Resp| -> Vec<String> {
        r.body["data"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|k| k["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let changed = app
        .get(&format!(
            "/api/v1/keys?updated_after={between}&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(ids(&changed), vec![a.clone()], "{changed:?}");
    let unchanged = app
        .get(&format!("/api/v1/keys?updated_before={between}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(ids(&unchanged).len(), 1, "{unchanged:?}");
    assert!(!ids(&unchanged).contains(&a));
    let bad = app
        .get("/api/v1/keys?updated_after=yesterday")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");

    // Sparse fieldsets: exactly the fields named.
    let picked = app
        .get("/api/v1/keys?fields=id,name")
        .workspace(&ws)
        .send()
        .await;
    for row in picked.body["data"].as_array().unwrap() {
        let mut keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["id", "name"], "{picked:?}");
    }
    let unknown = app
        .get("/api/v1/keys?fields=id,owner")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{unknown:?}");
    assert!(
        unknown.body["message"]
            .as_str()
            .unwrap()
            .contains("`owner`"),
        "{unknown:?}"
    );
    // Known fields are known on an empty page too.
    let empty = app
        .get("/api/v1/keys?fields=prefix&status=revoked")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{empty:?}");

    // include: a key's workspace, embedded; with fields, it can be picked.
    let r = app
        .get("/api/v1/keys?include=workspace&fields=id,workspace")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    for row in r.body["data"].as_array().unwrap() {
        assert_eq!(row["workspace"]["id"], json!(ws), "{r:?}");
        assert_eq!(row["workspace"]["name"], "Core");
    }
    let r = app
        .get("/api/v1/keys?include=owner")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert!(r.body["message"].as_str().unwrap().contains("workspace"));
    // (The operator's list of workspaces, once it holds this one.)
    let r = app
        .eventually("/api/v1/workspaces?fields=id,slug,tier", None, |r| {
            r.body["data"][0].is_object()
        })
        .await;
    assert_eq!(r.body["data"][0].as_object().map(|o| o.len()), Some(3));
    app.stop().await;
}

/// Dashtray's `GET /api/v1/projects`: the key's workspace as a project, `createdAt` in ms.
async fn the_workspace_reads_as_a_dashtray_project(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("My SaaS App", "pro").await;
    let (_, key, pos) = app.create_key(&ws, "dash", &["workspaces:read"]).await;
    let r = app
        .get(&format!("/api/v1/projects?min_position={pos}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = &r.body["data"];
    assert_eq!(d["id"], json!(ws));
    assert_eq!(d["name"], "My SaaS App");
    assert_eq!(d["slug"], "my-saas-app");
    let created = chrono::DateTime::parse_from_rfc3339(d["created_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    assert_eq!(d["createdAt"].as_i64(), Some(created), "{r:?}");
    let (_, other, _) = app.create_key(&ws, "no", &["keys:read"]).await;
    let r = app.get("/api/v1/projects").token(&other).send().await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    app.stop().await;
}

/// DNSai creates keys by name only and lists them with `key_prefix` and `is_active`.
async fn a_key_created_by_name_only_may_read_what_its_creator_may(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("DNS", "pro").await;
    let (_, creator, _) = app
        .create_key(&ws, "admin", &["keys:write", "domains:write"])
        .await;
    let r = app
        .post("/api/v1/keys")
        .token(&creator)
        .json(json!({"name": "reporting"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        r.body["data"]["scopes"],
        json!(["domains:read", "keys:read"]),
        "{r:?}"
    );
    assert_eq!(r.body["data"]["key_prefix"], r.body["data"]["prefix"]);
    assert_eq!(r.body["data"]["is_active"], true);
    let key = r.body["data"]["key"].as_str().unwrap().to_string();
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let pos = r.position();
    assert_eq!(
        app.get("/api/v1/domains").token(&key).send().await.status,
        StatusCode::OK
    );
    let w = app
        .post("/api/v1/domains")
        .token(&key)
        .json(json!({"domains": ["example.com"]}))
        .send()
        .await;
    assert_eq!(w.status, StatusCode::FORBIDDEN, "read only: {w:?}");
    let r = app
        .delete(&format!("/api/v1/keys/{id}"))
        .token(&creator)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let list = app
        .get(&format!(
            "/api/v1/keys?min_position={}",
            pos.max(r.position())
        ))
        .token(&creator)
        .send()
        .await;
    let row = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == json!(id))
        .cloned()
        .unwrap();
    assert_eq!(
        (&row["is_active"], &row["status"]),
        (&json!(false), &json!("revoked")),
        "{row}"
    );
    assert!(row["key_prefix"]
        .as_str()
        .is_some_and(|p| key.starts_with(p)));
    // The operator's default: every read scope.
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "all eyes"}))
        .send()
        .await;
    assert!(r.body["data"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s.as_str().unwrap().ends_with(":read")));
    app.stop().await;
}

/// core-api: `/api/v1/api-keys`, its scope names (`api-keys:*`, `:delete`, `webhooks:*`) and
/// its `business` tier.
async fn core_apis_key_routes_scopes_and_tier_work(b: Backend) {
    let app = spawn_app(b).await;
    let r = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "Biz", "tier": "business"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["tier"], "agency", "business reads as agency");
    let ws = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .post("/api/v1/api-keys")
        .workspace(&ws)
        .json(json!({"name": "Mobile App Key", "scopes": ["api-keys:read", "api-keys:delete", "webhooks:*"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        r.body["data"]["scopes"],
        json!(["keys:delete", "keys:read", "webhooks:*"]),
        "{r:?}"
    );
    let deleter = r.body["data"]["key"].as_str().unwrap().to_string();
    let (reader_id, reader, pos) = app.create_key(&ws, "reader", &["api-keys:read"]).await;
    let list = app
        .get(&format!("/api/v1/api-keys?min_position={pos}"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    assert_eq!(list.body["meta"]["total_count"], 2);
    let one = app
        .get(&format!("/api/v1/api-keys/{reader_id}"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(one.body["data"]["name"], "reader", "{one:?}");
    // Reading does not delete; `delete` does, and `webhooks:*` reaches every webhook route.
    let r = app
        .delete(&format!("/api/v1/api-keys/{reader_id}"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(
        (r.status, &r.body["error"]["details"]["required_scope"]),
        (StatusCode::FORBIDDEN, &json!("keys:delete")),
        "{r:?}"
    );
    let r = app
        .post(&format!("/api/v1/api-keys/{reader_id}/rotate"))
        .token(&deleter)
        .json(json!({"grace_period_hours": 1}))
        .send()
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "delete is not write: {r:?}"
    );
    let r = app
        .delete(&format!("/api/v1/api-keys/{reader_id}"))
        .token(&deleter)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app.get("/api/v1/webhooks").token(&deleter).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // Rotation answers core-api's `grace_period_ends_at` too.
    let (id, _, _) = app.create_key(&ws, "rotated", &["keys:read"]).await;
    let r = app
        .post(&format!("/api/v1/api-keys/{id}/rotate"))
        .workspace(&ws)
        .json(json!({"grace_period_hours": 24}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["data"]["grace_period_ends_at"],
        r.body["data"]["previous_key_valid_until"]
    );
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "x", "scopes": ["posts:read"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    app.stop().await;
}

async fn next_of(app: &keel_tests::TestApp, ws: &str, pos: i64, forwarded: bool) -> String {
    let mut call = app
        .get(&format!("/api/v1/keys?limit=1&min_position={pos}"))
        .workspace(ws);
    if forwarded {
        call = call
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "edge.example.net");
    }
    let r = call.send().await;
    r.body["meta"]["next"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `meta.next` is a full URL: on `KEEL_PUBLIC_URL` when set; else on the request's own scheme and
/// host, the `X-Forwarded-*` ones only when the proxy is trusted.
async fn links_are_full_urls_on_the_public_base_or_a_trusted_proxys(b: Backend) {
    for (public, trust) in [
        (None, false),
        (None, true),
        (Some("https://api.example.com"), true),
    ] {
        let app = keel_tests::spawn_app_with(b, |c| {
            c.public_url = public.map(str::to_string);
            c.trust_proxy = trust;
        })
        .await;
        let ws = app.create_workspace("Links", "pro").await;
        app.create_key(&ws, "a", &["keys:read"]).await;
        let (_, _, pos) = app.create_key(&ws, "b", &["keys:read"]).await;
        let (plain, forwarded) = (
            next_of(&app, &ws, pos, false).await,
            next_of(&app, &ws, pos, true).await,
        );
        // The offset is shown; the cursor (`after`) decides.
        let want = |base: &str| format!("{base}/api/v1/keys?limit=1&offset=1&after=");
        let is = |got: &str, base: &str| {
            assert!(got.starts_with(&want(base)), "{got} is not on {base}");
        };
        match (public, trust) {
            (Some(p), _) => {
                is(&plain, p);
                is(&forwarded, p); // the public URL wins
            }
            (None, true) => {
                is(&plain, &app.base);
                is(&forwarded, "https://edge.example.net");
            }
            (None, false) => {
                is(&plain, &app.base);
                is(&forwarded, &app.base); // untrusted headers are ignored
            }
        }
        app.stop().await;
    }
}
