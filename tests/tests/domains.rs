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
        new_stream: false,
    };
    let cmd = DomainCommand::RecordScan(ScanReport {
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        records: json!({"mx": fields.iter().find(|f| f.0 == "mx").map(|f| f.1)}),
        failed: failed.iter().map(|f| (*f).into()).collect(),
        duration_ms: 3,
        outcome: Default::default(),
        error: None,
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
        "pending",
        "never scanned: not known, not missing"
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
        ("dmarc_status=pending", 4),
        ("dmarc_status=missing", 0),
        ("scan_status=pending", 4),
    ] {
        let r = app
            .get(&format!("/api/v1/domains?{q}&min_position={pos}"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(r.body["meta"]["total_count"], n, "{q}: {r:?}");
    }
    for q in [
        "dmarc_status=maybe",
        "scan_status=fine",
        "sort=colour",
        "is_favorite=yes",
    ] {
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
        .get(&format!(
            "/api/v1/domains/{id}/scan-results?all=true&limit=2"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(sr.body["meta"]["total_count"], 3, "{sr:?}");
    assert_eq!(
        sr.body["meta"]["previous"]["mx"]["previous"],
        "10 mx1.example.com"
    );
    // DNSai's names beside Keel's: the detail, its flat latest scan and its change history.
    assert_eq!(d["dmarc_policy_p"], "reject", "{d}");
    assert_eq!(d["email_gateway"], "Proofpoint");
    assert_eq!(d["folder_id"], d["folder"]["id"]);
    assert_eq!(d["scanned_at"], d["last_scanned"]);
    assert_eq!(d["change_history"], d["changes"]);
    assert_eq!(d["change_history"][0]["domain_name"], d["domain"]);
    assert_eq!(d["scan_result"]["dmarc_policy_p"], "reject");
    assert_eq!(d["scan_result"]["mx"], "10 mx.proofpoint.com");
    assert_eq!(d["scan_result"]["previous_mx"], "10 mx1.example.com");
    assert_eq!(
        d["scan_result"]["previous_email_gateway"],
        "Google Workspace"
    );
    assert_eq!(d["scan_result"]["previous_dmarc_p"], "none");
    assert!(d["scan_result"]["dmarc_p_changed_date"].is_string(), "{d}");
    let latest = app
        .get(&format!("/api/v1/domains/{id}/scan-results"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(latest.body["status"], "ok", "{latest:?}");
    assert_eq!(latest.body["data"], d["scan_result"], "{latest:?}");
    for field in [
        "mx",
        "spf",
        "dmarc",
        "dmarc_policy_p",
        "dmarc_rua",
        "dmarc_ruf",
        "txt",
        "a_records",
        "aaaa_records",
        "ns",
        "soa",
        "bimi",
        "srv",
        "ptr",
        "email_gateway",
        "tech_in_dns",
        "mx_server_ipv4",
        "mx_server_ipv6",
        "mx_server_country",
        "mx_server_asn_name",
        "a_server_city",
        "dkim_hosts",
        "dkim_selectors",
        "dkim_vendors",
        "dkim",
        "spf_main_lookups",
        "spf_nested_lookups",
        "spf_total_lookups",
        "spf_email_senders",
        "spf_limit",
        "previous_mx",
        "mx_changed_date",
        "previous_email_gateway",
        "gateway_changed_date",
        "previous_dmarc_p",
        "dmarc_p_changed_date",
        "scanned_at",
    ] {
        assert!(
            latest.body["data"].get(field).is_some(),
            "{field} missing: {latest:?}"
        );
    }
    let rows = app
        .get(&format!(
            "/api/v1/domains?search=example&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    let row = rows.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(id))
        .cloned()
        .unwrap();
    for field in [
        "id",
        "domain",
        "email_gateway",
        "dmarc_policy_p",
        "spf",
        "scanned_at",
        "added_at",
        "folder_id",
        "is_favorite",
        "tags",
    ] {
        assert!(row.get(field).is_some(), "{field} missing: {row}");
    }
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

    // The portfolio summary.
    let sum = app
        .get(&format!("/api/v1/dashboard/summary?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(sum.status, StatusCode::OK, "{sum:?}");
    let s = &sum.body["data"];
    assert_eq!(s["total_domains"], 4, "{s}");
    // Three were never scanned: pending, not "no gateway" or "DMARC missing".
    assert_eq!(
        s["email_gateways"],
        json!([{"name": "Proofpoint", "count": 1, "percentage": 100.0}]),
        "{s}"
    );
    assert_eq!(
        s["dmarc"][0],
        json!({"status": "reject", "count": 1, "percentage": 100.0})
    );
    assert_eq!(s["dmarc"][3]["count"], 0);
    assert_eq!(s["spf"][0]["count"], 1);
    assert_eq!(
        s["scan_status"][4],
        json!({"status": "pending", "count": 3, "percentage": 75.0})
    );
    assert_eq!(s["scan_freshness"]["last_24h"], 1);
    assert_eq!(s["scan_freshness"]["never_scanned"], 3);
    assert_eq!(s["needs_attention_count"], 0, "{s}");
    assert_eq!(s["recent_changes"].as_array().unwrap().len(), 3);
    assert_eq!(s["recent_changes"][0]["domain"], "example.com");

    // A CSV export of the tagged domains, written by the worker.
    let e = app
        .post("/api/v1/exports")
        .workspace(&ws)
        .json(json!({"columns": ["domain", "tld", "tags", "dmarc_status", "folder"], "filters": {"tag": "prod"}}))
        .send()
        .await;
    assert_eq!(e.status, StatusCode::ACCEPTED, "{e:?}");
    assert_eq!(e.body["data"]["status"], "queued");
    let task = e.body["data"]["task_id"].as_str().unwrap().to_string();
    let job = app
        .eventually(&format!("/api/v1/exports/{task}"), Some(&ws), |r| {
            r.body["data"]["status"] == "completed"
        })
        .await;
    assert_eq!(job.body["data"]["row_count"], 1, "{job:?}");
    let csv = app
        .get(&format!("/api/v1/exports/{task}/download"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{csv:?}");
    let text = csv.body.as_str().unwrap();
    assert_eq!(
        text,
        "domain,tld,tags,dmarc_status,folder\r\nexample.com,com,eu; prod,reject,Production\r\n"
    );
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let listed = app.get("/api/v1/exports").workspace(&ws).send().await;
    assert_eq!(listed.body["meta"]["total_count"], 1, "{listed:?}");
    assert_eq!(listed.body["data"][0]["file_size"], text.len());
    let bad = app
        .post("/api/v1/exports")
        .workspace(&ws)
        .json(json!({"columns": ["domain", "password"], "filters": {"dmarc_status": "maybe"}}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    assert_eq!(
        bad.body["error"]["details"]["fields"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{bad:?}"
    );
    // As DNSai asks for it: export_type zip, its filter names; the job shows task_id,
    // parameters and a full file_url.
    let e = app
        .post("/api/v1/exports")
        .workspace(&ws)
        .json(
            json!({"export_type": "zip", "columns": ["domain", "email_gateway"],
            "filters": {"gateway": "Proofpoint", "dmarc_policy": "reject"}}),
        )
        .send()
        .await;
    assert_eq!(e.status, StatusCode::ACCEPTED, "{e:?}");
    let task = e.body["data"]["task_id"].as_str().unwrap().to_string();
    let job = app
        .eventually(&format!("/api/v1/exports/{task}"), Some(&ws), |r| {
            r.body["data"]["status"] == "completed"
        })
        .await;
    let j = &job.body["data"];
    assert_eq!(
        (
            &j["export_type"],
            &j["task_id"],
            &j["parameters"]["filters"]["email_gateway"]
        ),
        (&json!("zip"), &json!(task), &json!("Proofpoint")),
        "{job:?}"
    );
    assert_eq!(
        j["file_url"],
        json!(format!("{}/api/v1/exports/{task}/download", app.base))
    );
    let zipped = app
        .client
        .get(j["file_url"].as_str().unwrap())
        .bearer_auth(&app.admin)
        .header("X-Workspace-ID", &ws)
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-type"], "application/zip");
    let bytes = zipped.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut inner = String::new();
    std::io::Read::read_to_string(&mut archive.by_index(0).unwrap(), &mut inner).unwrap();
    assert_eq!(inner, "domain,email_gateway\r\nexample.com,Proofpoint\r\n");
    let r = app
        .post("/api/v1/exports")
        .workspace(&ws)
        .json(json!({"export_type": "pdf"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");

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
        &events[..3],
        ["domain.added", "usage.recorded", "domain.updated"],
        "its place in the domains count is taken in the same append: {events:?}"
    );
    let updated_at = h.body["data"][2]["recorded_at"].as_str().unwrap();
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

/// The zones of the scanner test: a company on Google Workspace, Google's own records its SPF
/// and MX point at, a gateway it moves to, and two domains with broken SPF.
async fn dns() -> keel_testkit::dns::DnsFixture {
    let z = keel_testkit::dns::DnsFixture::start(&[
        "acme-corp.com",
        "google.com",
        "pphosted.com",
        "loop-corp.com",
        "void-corp.com",
        // Names under it that it has no records for are NXDOMAIN.
        "org",
    ])
    .await
    .unwrap();
    for (name, t, values) in [
        ("acme-corp.com", "A", &["192.0.2.10"][..]),
        ("acme-corp.com", "MX", &["10 aspmx.l.google.com"]),
        (
            "acme-corp.com",
            "TXT",
            &[
                "v=spf1 include:_spf.google.com include:spf.acme-corp.com -all",
                "google-site-verification=abc",
            ],
        ),
        (
            "spf.acme-corp.com",
            "TXT",
            &["v=spf1 ip4:192.0.2.0/24 -all"],
        ),
        (
            "_dmarc.acme-corp.com",
            "TXT",
            &["v=DMARC1; p=none; rua=mailto:dmarc@acme-corp.com"],
        ),
        (
            "google._domainkey.acme-corp.com",
            "TXT",
            &["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"],
        ),
        ("_mta-sts.acme-corp.com", "TXT", &["v=STSv1; id=20261101"]),
        (
            "_spf.google.com",
            "TXT",
            &["v=spf1 include:_netblocks.google.com ~all"],
        ),
        (
            "_netblocks.google.com",
            "TXT",
            &["v=spf1 ip4:64.233.160.0/19 ~all"],
        ),
        ("aspmx.l.google.com", "A", &["142.250.1.26"]),
        ("mx0a-001.pphosted.com", "A", &["67.231.1.1"]),
        (
            "loop-corp.com",
            "TXT",
            &["v=spf1 include:spf.loop-corp.com -all"],
        ),
        (
            "spf.loop-corp.com",
            "TXT",
            &["v=spf1 include:loop-corp.com -all"],
        ),
        (
            "void-corp.com",
            "TXT",
            &["v=spf1 a:gone1.void-corp.com a:gone2.void-corp.com mx:gone3.void-corp.com -all"],
        ),
    ] {
        z.set(name, t, values).await.unwrap();
    }
    z
}

/// An RDAP server on 127.0.0.1: one registered domain, 404 for the rest.
async fn rdap() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
                let (status, body) = if path == "/domain/acme-corp.com" {
                    ("200 OK", json!({
                        "objectClassName": "domain", "ldhName": "ACME-CORP.COM",
                        "status": ["client transfer prohibited"],
                        "events": [
                            {"eventAction": "registration", "eventDate": "2001-05-01T00:00:00Z"},
                            {"eventAction": "expiration", "eventDate": "2027-05-01T00:00:00Z"}
                        ],
                        "nameservers": [{"ldhName": "NS1.ACME-CORP.COM"}],
                        "secureDNS": {"delegationSigned": false},
                        "port43": "whois.markmonitor.com",
                        "entities": [{"roles": ["registrar"], "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}],
                            "vcardArray": ["vcard", [["fn", {}, "text", "MarkMonitor Inc."]]],
                            "entities": [{"roles": ["abuse"], "vcardArray": ["vcard", [
                                ["email", {}, "text", "abusecomplaints@markmonitor.com"],
                                ["tel", {}, "uri", "tel:+1.2086851750"]]]}]},
                            {"roles": ["registrant"], "vcardArray": ["vcard", [
                                ["org", {}, "text", "Acme Corp"],
                                ["adr", {"cc": "US"}, "text", ["", "", "", "", "CA", "", ""]]]]}],
                        "redacted": [{"name": {"type": "Registrant Name"}}]
                    }).to_string())
                } else {
                    ("404 Not Found", json!({"errorCode": 404}).to_string())
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/rdap+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    addr
}

async fn scanned(app: &TestApp, ws: &str, id: &str, count: i64) -> Value {
    let r = app
        .eventually(&format!("/api/v1/domains/{id}"), Some(ws), |r| {
            r.body["data"]["scan_count"].as_i64() >= Some(count)
        })
        .await;
    assert_eq!(r.body["data"]["scan_count"], count, "{r:?}");
    r.body["data"].clone()
}

async fn the_scanner_reads_a_real_dns_server_and_records_exactly_what_changed(b: Backend) {
    let zones = dns().await;
    let addr = zones.addr.to_string();
    let registry = rdap().await;
    let app = keel_tests::spawn_app_with(b, |c| {
        c.scanner.enabled = true;
        c.dns_servers = Some(addr);
        c.scanner.dns_timeout_ms = 1_000;
        c.scanner.rdap_servers = Some(format!("default=http://{registry}/"));
    })
    .await;
    let ws = app.create_workspace("Scanned", "pro").await;
    let r = add(
        &app,
        &ws,
        json!([
            "acme-corp.com",
            "loop-corp.com",
            "void-corp.com",
            "nowhere-corp.com",
            "gone-corp.org"
        ]),
    )
    .await;
    assert_eq!(r.body["data"]["scans_queued"], 5, "{r:?}");
    let pos = r.position();
    let list = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    let id_of = |name: &str| {
        list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["domain"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let acme = id_of("acme-corp.com");
    let d = scanned(&app, &ws, &acme, 1).await;
    let f = &d["latest_scan"]["fields"];
    assert_eq!(f["email_gateway"], "Google Workspace", "{d}");
    assert_eq!(f["mx"], "10 aspmx.l.google.com");
    assert_eq!(f["mx_ips"], "aspmx.l.google.com=142.250.1.26");
    assert_eq!(f["a"], "192.0.2.10");
    assert_eq!(f["dmarc_policy"], "none");
    assert_eq!(f["dmarc_rua"], "mailto:dmarc@acme-corp.com");
    assert_eq!(
        (f["spf_status"].as_str(), f["spf_lookups"].as_str()),
        (Some("valid"), Some("3")),
        "{f}"
    );
    assert_eq!(f["spf_senders"], "Google Workspace");
    assert_eq!(f["dkim_selectors"], "google");
    assert_eq!(f["mta_sts"], "v=STSv1; id=20261101");
    assert_eq!(f["ns"], "ns1.acme-corp.com");
    assert!(
        d["latest_scan"]["failed"].as_array().unwrap().is_empty(),
        "{d}"
    );
    assert_eq!(d["scan_summary"]["dmarc_status"], "none");
    assert!(
        d["changes"].as_array().unwrap().is_empty(),
        "the first scan is the baseline"
    );

    let broken = |name: &str| {
        let id = id_of(name);
        let app = &app;
        let ws = ws.clone();
        async move { scanned(app, &ws, &id, 1).await }
    };
    let l = broken("loop-corp.com").await;
    assert_eq!(l["latest_scan"]["fields"]["spf_status"], "invalid", "{l}");
    assert!(
        l["latest_scan"]["records"]["spf"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("loop"),
        "{l}"
    );
    let v = broken("void-corp.com").await;
    assert_eq!(
        (
            v["latest_scan"]["fields"]["spf_status"].as_str(),
            v["latest_scan"]["fields"]["spf_void_lookups"].as_str()
        ),
        (Some("over_limit"), Some("3")),
        "{v}"
    );
    // No server answers for it (the fixture refuses names outside its zones): a failed scan,
    // not a domain without DMARC.
    let nowhere = id_of("nowhere-corp.com");
    let n = app
        .eventually(&format!("/api/v1/domains/{nowhere}"), Some(&ws), |r| {
            r.body["data"]["scan_summary"]["scan_status"] == "failed"
        })
        .await
        .body["data"]
        .clone();
    let s = &n["scan_summary"];
    assert_eq!(
        (s["dmarc_status"].as_str(), s["spf_status"].as_str()),
        (Some("pending"), Some("pending")),
        "nothing is known of it: {n}"
    );
    assert!(
        s["scan_error"]
            .as_str()
            .unwrap()
            .starts_with("no nameserver answered for nowhere-corp.com: REFUSED"),
        "{n}"
    );
    assert!(s["last_error_at"].is_string(), "{n}");
    assert_eq!(
        (n["scan_count"].as_i64(), n["status"].as_str()),
        (Some(0), Some("active"))
    );
    // It does not exist: inactive, said once, and still listed.
    let gone = id_of("gone-corp.org");
    let g = scanned(&app, &ws, &gone, 1).await;
    assert_eq!(
        (
            g["status"].as_str(),
            g["scan_summary"]["scan_status"].as_str()
        ),
        (Some("inactive"), Some("nxdomain")),
        "{g}"
    );
    assert_eq!(g["scan_summary"]["dmarc_status"], "pending", "{g}");
    let listed = app
        .get("/api/v1/domains?scan_status=nxdomain")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        listed.body["data"][0]["domain"], "gone-corp.org",
        "{listed:?}"
    );
    // The summary counts what could not be looked at apart from what was found.
    let summary = app
        .get("/api/v1/dashboard/summary")
        .workspace(&ws)
        .send()
        .await;
    let sm = &summary.body["data"];
    let share = |list: &str, status: &str| {
        sm[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["status"] == status)
            .map(|x| x["count"].as_i64().unwrap())
    };
    assert_eq!(sm["total_domains"], 5, "{summary:?}");
    assert_eq!(
        (
            share("scan_status", "ok"),
            share("scan_status", "failed"),
            share("scan_status", "nxdomain")
        ),
        (Some(3), Some(1), Some(1)),
        "{summary:?}"
    );
    assert_eq!(
        (share("dmarc", "none"), share("dmarc", "missing")),
        (Some(1), Some(2)),
        "only the three that answered: {summary:?}"
    );
    // It comes back.
    zones
        .set("gone-corp.org", "A", &["192.0.2.77"])
        .await
        .unwrap();
    app.post(&format!("/api/v1/domains/{gone}/scan"))
        .workspace(&ws)
        .send()
        .await;
    let g = scanned(&app, &ws, &gone, 2).await;
    assert_eq!(
        (
            g["status"].as_str(),
            g["scan_summary"]["scan_status"].as_str()
        ),
        (Some("active"), Some("ok")),
        "{g}"
    );
    let c = app
        .get(&format!("/api/v1/domains/{gone}/changes"))
        .workspace(&ws)
        .send()
        .await;
    assert!(
        c.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field_name"] == "status" && c["new_value"] == "active"),
        "{c:?}"
    );

    // The company moves its mail behind Proofpoint and enforces DMARC.
    zones
        .set("acme-corp.com", "MX", &["10 mx0a-001.pphosted.com"])
        .await
        .unwrap();
    zones
        .set(
            "_dmarc.acme-corp.com",
            "TXT",
            &["v=DMARC1; p=reject; rua=mailto:dmarc@acme-corp.com"],
        )
        .await
        .unwrap();
    let r = app
        .post(&format!("/api/v1/domains/{acme}/scan"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let d = scanned(&app, &ws, &acme, 2).await;
    let mut changed: Vec<(String, Value, Value)> = d["changes"]
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
    changed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        changed,
        vec![
            ("dmarc_policy".into(), json!("none"), json!("reject")),
            (
                "dmarc_record".into(),
                json!("v=DMARC1; p=none; rua=mailto:dmarc@acme-corp.com"),
                json!("v=DMARC1; p=reject; rua=mailto:dmarc@acme-corp.com")
            ),
            (
                "email_gateway".into(),
                json!("Google Workspace"),
                json!("Proofpoint")
            ),
            (
                "mx".into(),
                json!("10 aspmx.l.google.com"),
                json!("10 mx0a-001.pphosted.com")
            ),
            (
                "mx_ips".into(),
                json!("aspmx.l.google.com=142.250.1.26"),
                json!("mx0a-001.pphosted.com=67.231.1.1")
            ),
        ]
    );
    assert_eq!(d["scan_summary"]["dmarc_status"], "reject");
    // Registration data over RDAP, fetched on add; a domain the registry does not know says so.
    let w = app
        .eventually(&format!("/api/v1/domains/{acme}/whois"), Some(&ws), |r| {
            !r.body["data"]["whois"].is_null()
        })
        .await;
    let whois = &w.body["data"]["whois"];
    assert_eq!(whois["registrar"]["name"], "MarkMonitor Inc.", "{w:?}");
    assert_eq!(whois["expires_at"], "2027-05-01T00:00:00Z");
    assert_eq!(whois["nameservers"], json!(["ns1.acme-corp.com"]));
    assert_eq!(
        (whois["dnssec"].as_bool(), whois["privacy"].as_bool()),
        (Some(false), Some(true))
    );
    // DNSai's flat fields beside the summary.
    let flat = &w.body["data"];
    for (field, want) in [
        ("domain_name", json!("acme-corp.com")),
        ("registrar", json!("MarkMonitor Inc.")),
        ("registration_date", json!("2001-05-01T00:00:00Z")),
        ("expiry_date", json!("2027-05-01T00:00:00Z")),
        ("name_servers", json!("ns1.acme-corp.com")),
        ("registrant_org", json!("Acme Corp")),
        ("registrant_country", json!("US")),
        ("registrant_state", json!("CA")),
        (
            "registrar_abuse_email",
            json!("abusecomplaints@markmonitor.com"),
        ),
        ("registrar_abuse_phone", json!("+1.2086851750")),
        ("privacy_enabled", json!(true)),
        ("dnssec_status", json!("unsigned")),
        ("domain_statuses", json!(["client transfer prohibited"])),
        ("whois_status", json!("ok")),
        ("whois_server", json!("whois.markmonitor.com")),
    ] {
        assert_eq!(flat[field], want, "{field}: {w:?}");
    }
    let w = app
        .eventually(
            &format!("/api/v1/domains/{nowhere}/whois"),
            Some(&ws),
            |r| !r.body["data"]["whois"].is_null(),
        )
        .await;
    assert_eq!(w.body["data"]["whois"]["status"], "not_found", "{w:?}");
    let sr = app
        .get(&format!("/api/v1/domains/{acme}/scan-results?all=true"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        sr.body["meta"]["previous"]["email_gateway"]["previous"], "Google Workspace",
        "{sr:?}"
    );
    app.stop().await;
}

/// A server that breaks, then dies, then comes back: the domain shows each failure with its
/// reason and keeps its last good values; nothing is reported missing or changed.
async fn a_broken_or_dead_nameserver_is_a_failed_scan_not_missing_records(b: Backend) {
    let zones = dns().await;
    let app = keel_tests::spawn_app_with(b, |c| {
        c.scanner.enabled = true;
        c.dns_servers = Some(zones.addr.to_string());
        c.scanner.dns_timeout_ms = 300;
    })
    .await;
    let ws = app.create_workspace("Outage", "pro").await;
    let r = add(&app, &ws, json!(["acme-corp.com"])).await;
    let pos = r.position();
    let list = app
        .get(&format!("/api/v1/domains?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    let id = list.body["data"][0]["id"].as_str().unwrap().to_string();
    let d = scanned(&app, &ws, &id, 1).await;
    assert_eq!(d["scan_summary"]["dmarc_status"], "none", "{d}");
    assert_eq!(d["scan_summary"]["scan_status"], "ok", "{d}");

    for (mode, why) in [
        (keel_testkit::dns::DnsMode::Servfail, "SERVFAIL"),
        (
            keel_testkit::dns::DnsMode::Silent,
            "NO ANSWER WITHIN 300 MS",
        ),
    ] {
        zones.set_mode(mode);
        let before = app
            .get(&format!("/api/v1/domains/{id}"))
            .workspace(&ws)
            .send()
            .await
            .body["data"]["updated_at"]
            .clone();
        app.post(&format!("/api/v1/domains/{id}/scan"))
            .workspace(&ws)
            .send()
            .await;
        let f = app
            .eventually(&format!("/api/v1/domains/{id}"), Some(&ws), |r| {
                r.body["data"]["scan_summary"]["scan_status"] == "failed"
                    && r.body["data"]["updated_at"] != before
            })
            .await
            .body["data"]
            .clone();
        let s = &f["scan_summary"];
        let error = s["scan_error"].as_str().unwrap();
        assert!(
            error.starts_with("no nameserver answered for acme-corp.com")
                || error.starts_with("the scan took longer than its deadline"),
            "{mode:?}: {f}"
        );
        assert!(error.to_uppercase().contains(why), "{mode:?}: {error}");
        assert_eq!(s["last_error_at"], f["updated_at"], "{f}");
        assert_eq!(
            (
                s["dmarc_status"].as_str(),
                s["email_gateway"].as_str(),
                f["scan_count"].as_i64()
            ),
            (Some("none"), Some("Google Workspace"), Some(1)),
            "the last good values stand: {f}"
        );
        let scans = app
            .get(&format!("/api/v1/domains/{id}/scan-results?all=true"))
            .workspace(&ws)
            .send()
            .await;
        assert_eq!(scans.body["data"][0]["outcome"], "failed", "{scans:?}");
        assert_eq!(scans.body["data"][0]["error"], error, "{scans:?}");
    }
    zones.set_mode(keel_testkit::dns::DnsMode::Serve);
    app.post(&format!("/api/v1/domains/{id}/scan"))
        .workspace(&ws)
        .send()
        .await;
    let d = scanned(&app, &ws, &id, 2).await;
    assert_eq!(d["scan_summary"]["scan_status"], "ok", "{d}");
    assert!(d["scan_summary"]["scan_error"].is_null(), "{d}");
    let c = app
        .get(&format!("/api/v1/domains/{id}/changes"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        c.body["meta"]["total_count"], 0,
        "an outage changes no record: {c:?}"
    );
    app.stop().await;
}

/// Used and limit of the `domains` entitlement.
async fn domains_used(app: &TestApp, ws: &str) -> (i64, i64) {
    let s = app
        .get("/api/v1/entitlements/summary")
        .workspace(ws)
        .send()
        .await;
    let f = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "domains")
        .unwrap()
        .clone();
    (f["used"].as_i64().unwrap(), f["limit"].as_i64().unwrap())
}

/// The free plan watches 10 domains: the 11th and 12th of a request are refused by index, the
/// count goes down when one is removed, and the summary says so.
async fn the_domains_limit_counts_watched_domains_and_refuses_the_extra_ones(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Small", "free").await;
    let names: Vec<String> = (0..12).map(|i| format!("site{i:02}.example")).collect();
    let mut body = names.clone();
    body.insert(3, "not a domain".into());
    let r = add(&app, &ws, json!(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let pos = r.position();
    let d = &r.body["data"];
    assert_eq!(d["domains_added"], 10, "{r:?}");
    assert_eq!(d["domains_invalid"][0]["index"], 3, "{r:?}");
    let refused = d["domains_refused"].as_array().unwrap();
    assert_eq!(
        refused
            .iter()
            .map(|x| (x["index"].as_u64().unwrap(), x["domain"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        vec![(11, "site10.example"), (12, "site11.example")],
        "the last ones of the request: {r:?}"
    );
    assert_eq!(refused[0]["code"], "feature_limit_reached");
    let message = refused[0]["message"].as_str().unwrap();
    assert!(
        message
            .starts_with("recording 1 more would pass the domains limit of 10 (10 used, 0 left)"),
        "{message}"
    );
    assert_eq!(domains_used(&app, &ws).await, (10, 10));
    // Adding a watched one again takes nothing; a new one is refused.
    let r = add(&app, &ws, json!(["site00.example", "site10.example"])).await;
    assert_eq!(
        (
            r.body["data"]["domains_existing"].as_i64(),
            r.body["data"]["domains_refused"][0]["index"].as_i64()
        ),
        (Some(1), Some(1)),
        "{r:?}"
    );
    // Removing one gives its place back.
    let list = app
        .get(&format!("/api/v1/domains?search=site00&min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    let id = list.body["data"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{list:?}"))
        .to_string();
    let gone = app
        .delete(&format!("/api/v1/domains/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{gone:?}");
    assert_eq!(domains_used(&app, &ws).await, (9, 10));
    let r = add(&app, &ws, json!(["site10.example"])).await;
    assert_eq!(r.body["data"]["domains_added"], 1, "{r:?}");
    // Restoring a removed one counts again.
    let r = add(&app, &ws, json!(["site00.example"])).await;
    assert_eq!(r.body["data"]["domains_refused"][0]["index"], 0, "{r:?}");
    assert_eq!(domains_used(&app, &ws).await, (10, 10));
    app.stop().await;
}

keel_tests::on_every_backend!(
    the_domains_limit_counts_watched_domains_and_refuses_the_extra_ones,
    domains_are_added_validated_filed_and_removed,
    the_scanner_reads_a_real_dns_server_and_records_exactly_what_changed,
    a_broken_or_dead_nameserver_is_a_failed_scan_not_missing_records,
);
