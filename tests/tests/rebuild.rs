//! `keel rebuild`: a projection is replayed into fresh tables and swapped in while the API keeps
//! serving; afterwards the tables equal the incrementally built ones.

#![allow(clippy::unwrap_used)]

use keel_projections::Projection;
use keel_tests::{spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

async fn rows(app: &keel_tests::TestApp, ws: &str) -> serde_json::Value {
    let r = app
        .get("/api/v1/keys?limit=1000&sort=name")
        .workspace(ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.body["data"].clone()
}

async fn rebuild_swaps_in_equal_tables_while_serving(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Big", "enterprise").await;
    let mut pos = 0;
    for i in 0..40 {
        let (id, _, p) = app
            .create_key(&ws, &format!("key {i:02}"), &["keys:read"])
            .await;
        pos = p;
        if i % 5 == 0 {
            pos = app
                .delete(&format!("/api/v1/keys/{id}"))
                .workspace(&ws)
                .send()
                .await
                .position();
        }
    }
    let ready = app
        .get(&format!("/api/v1/keys?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(ready.status, StatusCode::OK);
    let before = rows(&app, &ws).await;
    // The workspaces projection is its own consumer: wait for it too (min_position above only
    // waited for the keys).
    let before_ws = app
        .get(&format!("/api/v1/workspaces/{ws}?min_position={pos}"))
        .send()
        .await
        .body;
    assert_eq!(before_ws["data"]["name"], "Big", "{before_ws}");

    // Readers hammer the API during the rebuild; every request must succeed.
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (stop, served) = (stop.clone(), served.clone());
        let client = app.client.clone();
        let url = format!("{}/api/v1/keys?limit=5", app.base);
        let (admin, ws) = (app.admin.clone(), ws.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .get(&url)
                    .bearer_auth(&admin)
                    .header("X-Workspace-ID", &ws)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    r.status(),
                    StatusCode::OK,
                    "the API failed during a rebuild"
                );
                served.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let store = app.running.as_ref().unwrap().store.clone();
    for p in Projection::ALL {
        let report = keel_infra::rebuild::rebuild(&store, p).await.unwrap();
        assert!(report.events >= 49, "replayed {} events", report.events);
    }
    stop.store(true, Ordering::Relaxed);
    reader.await.unwrap();
    assert!(served.load(Ordering::Relaxed) > 0);
    assert_eq!(rows(&app, &ws).await, before);
    assert_eq!(
        app.get(&format!("/api/v1/workspaces/{ws}"))
            .send()
            .await
            .body,
        before_ws
    );
    // And the projection goes on from there.
    let r = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "after", "scopes": ["keys:read"]}))
        .send()
        .await;
    let after = app
        .get(&format!(
            "/api/v1/keys?min_position={}&search=after",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(after.body["meta"]["total_count"], 1);
    app.stop().await;
}

/// A release whose read model has other tables than the ones in the database: the start finds
/// the shape changed and rebuilds that projection from the log; an unchanged one is left alone.
async fn a_read_model_of_another_shape_is_rebuilt_at_start(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Reshaped", "pro").await;
    let r = app
        .post("/api/v1/domains")
        .workspace(&ws)
        .json(json!({"domains": ["example.com", "example.org"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let pos = r.position();
    let before = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(before.body["meta"]["total_count"], 2, "{before:?}");
    let store = app.store();
    assert!(
        keel_infra::rebuild::reshape(&store)
            .await
            .unwrap()
            .is_empty(),
        "the start recorded every shape"
    );
    // The tables an older release made: a column fewer, and the shape it recorded.
    let db = app.db();
    sqlx::query("ALTER TABLE rm_domains DROP COLUMN scan_error")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE projection_shapes SET shape = 'older' WHERE projection = 'domains'")
        .execute(&db.pool)
        .await
        .unwrap();
    // Two starts at once (Postgres): one rebuilds, the other finds the shape recorded.
    let (one, two) = if matches!(b, Backend::Distributed) {
        let other = app.store();
        let (one, two) = tokio::join!(
            keel_infra::rebuild::reshape(&store),
            keel_infra::rebuild::reshape(&other)
        );
        (one.unwrap(), two.unwrap())
    } else {
        (keel_infra::rebuild::reshape(&store).await.unwrap(), vec![])
    };
    let rebuilt: Vec<_> = one.iter().chain(&two).map(|(p, _)| *p).collect();
    assert_eq!(rebuilt, vec![Projection::Domains]);
    let after = app.get("/api/v1/domains").workspace(&ws).send().await;
    assert_eq!(after.status, StatusCode::OK, "{after:?}");
    assert_eq!(after.body["meta"]["total_count"], 2, "{after:?}");
    assert!(after.body["data"][0]["scan_summary"]
        .as_object()
        .unwrap()
        .contains_key("scan_error"));
    assert!(keel_infra::rebuild::reshape(&store)
        .await
        .unwrap()
        .is_empty());
    app.stop().await;
}

mod embedded {
    #[tokio::test]
    async fn rebuild_swaps_in_equal_tables_while_serving() {
        super::rebuild_swaps_in_equal_tables_while_serving(keel_tests::Backend::Embedded).await
    }
    #[tokio::test]
    async fn a_read_model_of_another_shape_is_rebuilt_at_start() {
        super::a_read_model_of_another_shape_is_rebuilt_at_start(keel_tests::Backend::Embedded)
            .await
    }
}

mod distributed {
    #[tokio::test]
    async fn rebuild_swaps_in_equal_tables_while_serving() {
        super::rebuild_swaps_in_equal_tables_while_serving(keel_tests::Backend::Distributed).await
    }
    #[tokio::test]
    async fn a_read_model_of_another_shape_is_rebuilt_at_start() {
        super::a_read_model_of_another_shape_is_rebuilt_at_start(keel_tests::Backend::Distributed)
            .await
    }
}
