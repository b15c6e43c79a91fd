//! Domain monitoring end to end on both backends: adding (with the validation table), listing
//! with filters, labels and folders, removal with history kept, and scan results turning into
//! changes in the read model.

#![allow(clippy::unwrap_used)]

use keel_commands::domain::{DomainAggregate, DomainCommand, ScanReport};
use keel_commands::{execute, Execution};
use keel_events::{DomainId, Metadata, StreamId, WorkspaceId};
use keel_tests::{spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn add(app: &TestApp, ws: &str, domains: Value) -> keel_tests::Resp {
    app.post("/api/v1/domains")
        .workspace(ws)
        .json(json!({ "domains": domains }))
        .send()
        .await
}

/// Records a scan as the scanner would (the scanner itself is tested against a DNS server).
async fn record_scan(
    app: &TestApp,
    ws: &str,
    id: &str,
    fields: &[(&str, &str)],
    failed: &[&str],
) -> i64 {
    let ws: WorkspaceId = ws.parse().unwrap();
    let id: DomainId = id.parse().unwrap();
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::domain(id),
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
    };
    let cmd = DomainCommand::RecordScan(ScanReport {
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        records: json!({"mx": fields.iter().find(|f| f.0 == "mx").map(|f| f.1)}),
        failed: failed.iter().map(|f| (*f).into()).collect(),
        duration_ms: 3,
    });
    let (outcome, _) =
        execute::<DomainAggregate>(&app.store(), &exec, &cmd, keel_events::EventId::new_v7)
            .await
            .unwrap();
    outcome.last_position
}

async fn domains_are_added_validated_filed_and_removed(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Portfolio", "pro").await;
    let r = add(
        &app,
        &ws,
        json!([
            "Example.com",
            "example.com.",
            "shop.example.co.uk",
            "bücher.de",
            "https://x.com",
            "10.0.0.1",
            "co.uk",
            "*.example.org",
            "ok-domain.net"
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let d = &r.body["data"];
    assert_eq!(
        (
            d["domains_submitted"].as_i64(),
            d["domains_added"].as_i64(),
            d["domains_existing"].as_i64(),
            d["scans_queued"].as_i64()
        ),
        (Some(9), Some(4), Some(1), Some(4)),
        "{d}"
    );
    let invalid: Vec<&str> = d["domains_invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        invalid,
        ["https://x.com", "10.0.0.1", "co.uk", "*.example.org"],
        "{d}"
    );
    assert!(d["domains_invalid"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("URL"));
    let pos = r.position();
    // Again: all existing.
    let r = add(&app, &ws, json!(["EXAMPLE.COM", "xn--bcher-kva.de"])).await;
    assert_eq!(r.body["data"]["domains_existing"], 2, "{r:?}");
    assert_eq!(
        add(&app, &ws, json!([])).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let many: Vec<String> = (0..501).map(|i| format!("d{i}.example.com")).collect();
    assert_eq!(
        add(&app, &ws, json!(many)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let list = app
        .get(&format!("/api/v1/domains?min_position={pos}&sort=name"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    let names: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "example.com",
            "ok-domain.net",
            "shop.example.co.uk",
            "xn--bcher-kva.de"
        ]
    );
    assert_eq!(list.body["meta"]["total_count"], 4);
    let row = |name: &str| {
        list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["domain"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("shop.example.co.uk")["tld"], "co.uk");
    assert_eq!(row("xn--bcher-kva.de")["unicode"], "bücher.de");
    assert_eq!(
        row("example.com")["scan_summary"]["dmarc_status"],
        "missing"
    );
    let id = row("example.com")["id"].as_str().unwrap().to_string();

    // Folders and labels.
    let f = app
        .post("/api/v1/folders")
        .workspace(&ws)
        .json(json!({"name": "Production"}))
        .send()
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{f:?}");
    let folder = f.body["data"]["id"].as_str().unwrap().to_string();
    let p = app
        .patch(&format!("/api/v1/domains/{id}"))
        .workspace(&ws)
        .json(json!({"tags": ["prod", "eu"], "notes": "main site", "folder_id": folder, "is_favorite": true}))
        .send()
        .await;
    assert_eq!(p.status, StatusCode::OK, "{p:?}");
    let bad = app
        .patch(&format!("/api/v1/domains/{id}"))
        .workspace(&ws)
        .json(json!({"folder_id": uuid::Uuid::now_v7().to_string(), "tags": ["no/slash"]}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    let pos = p.position();
    for (q, n) in [
        ("tag=prod", 1),
        ("tag=pro", 0),
        (&format!("folder_id={folder}") as &str, 1),
        ("is_favorite=true", 1),
        ("is_favorite=false", 3),
        ("search=EXAMPLE", 2),
        ("dmarc_status=missing", 4),
    ] {
        let r = app
            .get(&format!("/api/v1/domains?{q}&min_position={pos}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.body["meta"]["total_count"], n, "{q}: {r:?}");
    }
    for q in ["dmarc_status=maybe", "sort=colour", "is_favorite=yes"] {
        let r = app
            .get(&format!("/api/v1/domains?{q}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {r:?}");
    }
    let folders = app
        .get(&format!("/api/v1/folders?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(folders.body["data"][0]["domain_count"], 1, "{folders:?}");

    // Scans: the first is the baseline, the next one's differences are changes.
    record_scan(
        &app,
        &ws,
        &id,
        &[
            ("mx", "10 mx1.example.com"),
            ("email_gateway", "Google Workspace"),
            ("dmarc_policy", "none"),
            ("spf_status", "valid"),
        ],
        &[],
    )
    .await;
    record_scan(
        &app,
        &ws,
        &id,
        &[("mx", "10 mx1.example.com")],
        &["email_gateway", "dmarc_policy", "spf_status"],
    )
    .await;
    let pos = record_scan(
        &app,
        &ws,
        &id,
        &[
            ("mx", "10 mx.proofpoint.com"),
            ("email_gateway", "Proofpoint"),
            ("dmarc_policy", "reject"),
            ("spf_status", "valid"),
        ],
        &[],
    )
    .await;
    let g = app
        .get(&format!("/api/v1/domains/{id}?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(g.status, StatusCode::OK, "{g:?}");
    let d = &g.body["data"];
    assert_eq!(d["scan_count"], 3);
    assert_eq!(d["scan_summary"]["email_gateway"], "Proofpoint");
    assert_eq!(d["scan_summary"]["dmarc_status"], "reject");
    assert_eq!(d["folder"]["name"], "Production");
    assert_eq!(d["notes"], "main site");
    let changed: Vec<(String, Value, Value)> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field_name"].as_str().unwrap().to_string(),
                c["old_value"].clone(),
                c["new_value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changed.len(),
        3,
        "the failed lookups changed nothing: {changed:?}"
    );
    assert!(changed.contains(&("dmarc_policy".into(), json!("none"), json!("reject"))));
    assert!(changed.contains(&(
        "email_gateway".into(),
        json!("Google Workspace"),
        json!("Proofpoint")
    )));
    let sr = app
        .get(&format!("/api/v1/domains/{id}/scan-results?limit=2"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(sr.body["meta"]["total_count"], 3, "{sr:?}");
    assert_eq!(
        sr.body["meta"]["previous"]["mx"]["previous"],
        "10 mx1.example.com"
    );
    let ch = app
        .get(&format!("/api/v1/domains/{id}/changes?limit=1"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (
            ch.body["meta"]["total_count"].as_i64(),
            ch.body["data"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1)),
        "{ch:?}"
    );

    // As it was before the scans, and its whole history.
    let h = app
        .get(&format!("/api/v1/domains/{id}/history"))
        .workspace(&ws)
        .send()
        .await;
    let events: Vec<&str> = h.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        &events[..2],
        ["domain.added", "domain.updated"],
        "{events:?}"
    );
    let updated_at = h.body["data"][1]["recorded_at"].as_str().unwrap();
    let enc: String = url::form_urlencoded::byte_serialize(updated_at.as_bytes()).collect();
    let old = app
        .get(&format!("/api/v1/domains/{id}?as_of={enc}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (
            old.body["data"]["scan_count"].as_i64(),
            old.body["data"]["is_favorite"].as_bool()
        ),
        (Some(0), Some(true)),
        "{old:?}"
    );

    // Removed: out of the list, history kept, back when added again.
    let r = app
        .delete(&format!("/api/v1/domains/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let pos = r.position();
    let l = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(l.body["meta"]["total_count"], 3);
    let l = app
        .get(&format!(
            "/api/v1/domains?status=removed&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(l.body["meta"]["total_count"], 1);
    let g = app
        .get(&format!("/api/v1/domains/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        (g.status, g.body["data"]["status"].as_str()),
        (StatusCode::OK, Some("removed"))
    );
    assert_eq!(
        app.post(&format!("/api/v1/domains/{id}/scan"))
            .workspace(&ws)
            .send()
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = add(&app, &ws, json!(["example.com"])).await;
    assert_eq!(r.body["data"]["domains_added"], 1, "restored: {r:?}");

    // Another workspace sees none of it.
    let other = app.create_workspace("Other", "pro").await;
    let g = app
        .get(&format!("/api/v1/domains/{id}"))
        .workspace(&other)
        .send()
        .await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    let (_, reader, _) = app.create_key(&ws, "reader", &["domains:read"]).await;
    let r = app
        .post("/api/v1/domains")
        .token(&reader)
        .json(json!({"domains": ["a.com"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        mod embedded { $( #[tokio::test] async fn $case() { super::$case(keel_tests::Backend::Embedded).await } )* }
        mod distributed { $( #[tokio::test] async fn $case() { super::$case(keel_tests::Backend::Distributed).await } )* }
    };
}

on_every_backend!(domains_are_added_validated_filed_and_removed);
