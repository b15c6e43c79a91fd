//! Keel as an MCP server, driven by the official MCP Python SDK (PyPI `mcp`, installed by
//! scripts/test): over Streamable HTTP in the stateless 2026-07-28 revision and in the
//! 2025-11-25 handshake, on both backends; and core-api's REST face of the same servers.

#![allow(clippy::unwrap_used)]

use keel_tests::{on_every_backend, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

use keel_tests::mcp::{python, RemoteServer};

/// Runs the SDK client with `steps`; returns what it printed.
async fn agent(app: &TestApp, key: &str, mode: &str, steps: Value) -> Value {
    agent_at(app, "/mcp", key, mode, steps).await
}

/// [`agent`] on another path of the endpoint (`/mcp/<server>`).
async fn agent_at(app: &TestApp, path: &str, key: &str, mode: &str, steps: Value) -> Value {
    let cfg =
        json!({"url": format!("{}{path}", app.base), "key": key, "mode": mode, "steps": steps});
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/mcp/agent.py");
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("the MCP SDK's Python is needed ({e}); scripts/test installs it")
            });
        child
            .stdin
            .take()
            .unwrap()
            .write_all(cfg.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "the SDK client failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    })
    .await
    .unwrap()
}

fn tool_names(list: &Value) -> Vec<String> {
    list["ok"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// A site with three pageviews by two visitors; returns (site id, log position).
async fn site_with_traffic(app: &TestApp, ws: &str) -> (String, i64) {
    let r = app
        .post("/api/v1/sites")
        .workspace(ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com", "timezone": "UTC"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let site = r.body["data"]["id"].as_str().unwrap().to_string();
    let at = (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
    let events: Vec<Value> = [("v1", "/"), ("v1", "/pricing"), ("v2", "/")]
        .iter()
        .map(|(v, p)| {
            json!({"site_id": site, "visitor_id": v, "url": format!("https://shop.example.com{p}"),
                   "occurred_at": at})
        })
        .collect();
    let r = app
        .post("/api/v1/events")
        .workspace(ws)
        .json(json!({"events": events}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    (site, r.position())
}

async fn an_agent_works_through_the_sdk_with_the_keys_own_rights(b: Backend) {
    let app = spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (site, pos) = site_with_traffic(&app, &ws).await;
    let (_, agent_key, _) = app
        .create_key(
            &ws,
            "agent",
            &[
                "sites:read",
                "analytics:read",
                "keys:write",
                "keys:delete",
                "audit:read",
                "usage:read",
            ],
        )
        .await;
    let (_, reader, _) = app
        .create_key(&ws, "reader", &["sites:read", "analytics:read"])
        .await;
    let (victim_id, victim, _) = app.create_key(&ws, "victim", &["sites:read"]).await;

    // The REST figures, once projected.
    let rest = app
        .get(&format!(
            "/api/v1/sites/{site}/stats/aggregate?period=7d&metrics=visitors,pageviews&min_position={pos}"
        ))
        .token(&reader)
        .send()
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{rest:?}");

    // The stateless revision (the SDK probes server/discover and adopts it).
    let out = agent(
        &app,
        &agent_key,
        "auto",
        json!([
            {"op": "list_tools"},
            {"op": "call_tool", "name": "query_stats",
             "arguments": {"site_id": site, "kind": "aggregate", "period": "7d", "metrics": "visitors,pageviews"}},
            {"op": "read_resource", "uri": format!("keel://sites/{site}/stats?period=7d")},
            {"op": "list_resource_templates"},
            {"op": "call_tool", "name": "revoke_key", "arguments": {"key_id": victim_id},
             "meta": {"idempotencyKey": "revoke-victim-1"}},
            {"op": "call_tool", "name": "revoke_key", "arguments": {"key_id": victim_id},
             "meta": {"idempotencyKey": "revoke-victim-1"}},
            {"op": "call_tool", "name": "no_such_tool", "arguments": {}},
            {"op": "call_tool", "name": "query_stats", "arguments": {"site_id": site, "kind": "everything"}},
            {"op": "call_tool", "name": "list_keys", "arguments": {"limit": "x".repeat(70_000)}},
            {"op": "call_tool", "name": "list_domains", "arguments": {}},
        ]),
    )
    .await;
    assert_eq!(out["era"], "modern", "{out}");
    let steps = out["steps"].as_array().unwrap();
    let tools = tool_names(&steps[0]);
    // Only what the key may do: no domain or usage-writing tools.
    for t in [
        "query_stats",
        "list_sites",
        "revoke_key",
        "create_key",
        "search_audit_log",
        "check_usage",
    ] {
        assert!(tools.contains(&t.to_string()), "{t} missing from {tools:?}");
    }
    for t in ["list_domains", "add_domains", "record_usage"] {
        assert!(!tools.contains(&t.to_string()), "{t} listed in {tools:?}");
    }
    let q = &steps[1]["ok"];
    assert_eq!(q["isError"], false, "{q}");
    assert_eq!(
        q["structuredContent"]["data"], rest.body["data"],
        "the tool's figures are the API's: {q}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(q["content"][0]["text"].as_str().unwrap()).unwrap(),
        q["structuredContent"]
    );
    let res = &steps[2]["ok"]["contents"][0];
    let body: Value = serde_json::from_str(res["text"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"]["visitors"], 2, "{body}");
    assert!(steps[3]["ok"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["uriTemplate"] == "keel://domains/{domain_id}"));
    // Revoked once; the retry with the same idempotency key is the same answer, not a second act.
    assert_eq!(steps[4]["ok"]["isError"], false, "{}", steps[4]);
    assert_eq!(steps[5]["ok"], steps[4]["ok"]);
    let r = app.get("/api/v1/sites").token(&victim).send().await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    // Bad input: JSON-RPC errors, nothing executed.
    assert_eq!(steps[6]["error"]["code"], -32602, "{}", steps[6]);
    assert!(steps[6]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no_such_tool"));
    assert_eq!(steps[7]["error"]["code"], -32602, "{}", steps[7]);
    assert!(steps[7]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown variant `everything`"));
    assert_eq!(steps[8]["error"]["code"], -32602, "{}", steps[8]);
    assert!(steps[8]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bytes"));
    assert_eq!(steps[9]["error"]["code"], -32602, "{}", steps[9]);

    // The handshake revision, for clients that have not moved: the same tools, the same answers.
    let out = agent(
        &app,
        &reader,
        "legacy",
        json!([
            {"op": "list_tools"},
            {"op": "call_tool", "name": "query_stats",
             "arguments": {"site_id": site, "kind": "aggregate", "period": "7d", "metrics": "visitors,pageviews"}},
            {"op": "call_tool", "name": "revoke_key", "arguments": {"key_id": victim_id}},
        ]),
    )
    .await;
    assert_eq!(out["era"], "legacy", "{out}");
    assert_eq!(out["initialize"]["protocolVersion"], "2025-11-25");
    assert_eq!(
        tool_names(&out["steps"][0]),
        [
            "list_sites",
            "query_stats",
            "funnel_results",
            "visitor_profile"
        ],
        "a read-only key sees no write tools"
    );
    assert_eq!(
        out["steps"][1]["ok"]["structuredContent"]["data"],
        rest.body["data"]
    );
    assert_eq!(out["steps"][2]["error"]["code"], -32602);

    // Every call is on the record, whatever came of it: nine calls, five never ran.
    let calls = app
        .eventually("/api/v1/mcp/calls?limit=50", Some(&ws), |r| {
            // The list and its count are two reads: wait for both to have every call.
            r.body["meta"]["total_count"] == 9
                && r.body["data"].as_array().is_some_and(|d| d.len() == 9)
        })
        .await;
    assert_eq!(calls.body["meta"]["total_count"], 9, "{calls:?}");
    let rows = calls.body["data"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| rows.iter().filter(|c| f(c)).count();
    assert_eq!(count(&|c| c["outcome"] == "refused"), 5, "{rows:?}");
    assert_eq!(
        count(&|c| c["tool"] == "revoke_key" && c["outcome"] == "ok" && c["via"] == "mcp"),
        2
    );
    let q = rows
        .iter()
        .find(|c| {
            c["tool"] == "query_stats"
                && c["protocol_version"] == "2026-07-28"
                && c["outcome"] == "ok"
        })
        .unwrap();
    assert_eq!(
        (q["server"].as_str(), q["status"].as_i64()),
        (Some("analytics"), Some(200))
    );
    assert!(q["actor"].as_str().unwrap().starts_with("key:"), "{q}");
    assert_eq!(q["arguments_sha256"].as_str().unwrap().len(), 64);
    let log = app
        .get("/api/v1/audit/events?event_type=mcp.tool_called&limit=50")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(log.body["data"].as_array().unwrap().len(), 9, "{log:?}");

    // The audit log has the revocation, by the agent's key, under the MCP request.
    let log = app
        .get(&format!(
            "/api/v1/audit/events?event_type=key.revoked&stream_id=key-{victim_id}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(log.status, StatusCode::OK, "{log:?}");
    assert_eq!(log.body["data"].as_array().unwrap().len(), 1, "{log:?}");
    app.stop().await;
}

/// The endpoint's HTTP edges: no credential is 401 with where to learn how to get one; a page of
/// another origin is refused; no stream to open; a session id that is not the credential's is 404.
#[tokio::test]
async fn the_endpoint_guards_its_edges() {
    let app = spawn_app(Backend::Embedded).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (_, key, _) = app.create_key(&ws, "agent", &["sites:read"]).await;
    let http = reqwest::Client::new();
    let url = format!("{}/mcp", app.base);
    let discover = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}});

    let r = http.post(&url).json(&discover).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        challenge.contains("/.well-known/oauth-protected-resource/mcp"),
        "{challenge}"
    );
    let prm: Value = http
        .get(format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prm["resource"], url);
    assert_eq!(prm["bearer_methods_supported"], json!(["header"]));

    let r = http
        .post(&url)
        .bearer_auth(&key)
        .header("Origin", "https://evil.example")
        .json(&discover)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = http.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);

    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    let r = http
        .post(&url)
        .bearer_auth(&key)
        .header("MCP-Protocol-Version", "2025-11-25")
        .header(
            "Mcp-Session-Id",
            "20251125.0000000000000000000000000000000000000000",
        )
        .json(&ping)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The modern envelope with a version Keel does not speak: -32022 naming the supported ones.
    let r = http
        .post(&url)
        .bearer_auth(&key)
        .header("MCP-Protocol-Version", "2099-01-01")
        .header("Mcp-Method", "tools/list")
        .json(
            &json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2099-01-01",
            "io.modelcontextprotocol/clientCapabilities": {}}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32022);
    assert_eq!(body["error"]["data"]["supported"], json!(["2026-07-28"]));

    let big = format!(
        r#"{{"jsonrpc": "2.0", "id": 4, "method": "ping", "params": {{"pad": "{}"}}}}"#,
        "x".repeat(1_100_000)
    );
    let r = http
        .post(&url)
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let st = r.status();
    assert_eq!(
        st,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        r.text().await.unwrap()
    );

    let r = http
        .post(&url)
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32700);
    app.stop().await;
}

/// core-api's REST face: servers with the tools this key may use, a tool's parameters, a call,
/// a resource by its URL-encoded URI; unknown ones are 404 and bad arguments 422.
#[tokio::test]
async fn the_seed_endpoints_answer_in_core_apis_shapes() {
    let app = spawn_app(Backend::Embedded).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let (site, pos) = site_with_traffic(&app, &ws).await;
    let (_, key, _) = app
        .create_key(&ws, "agent", &["mcp:write", "sites:read", "analytics:read"])
        .await;
    let r = app.get("/api/v1/mcp/servers").token(&key).send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let analytics = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "analytics")
        .unwrap()
        .clone();
    assert_eq!(
        analytics["tools"],
        json!([
            "list_sites",
            "query_stats",
            "funnel_results",
            "visitor_profile"
        ])
    );
    let keys = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "keys")
        .unwrap()
        .clone();
    assert_eq!(keys["tools"], json!([]), "no key scopes, no key tools");

    let r = app
        .get("/api/v1/mcp/servers/analytics/tools")
        .token(&key)
        .send()
        .await;
    let q = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "query_stats")
        .unwrap()
        .clone();
    assert_eq!(q["parameters"]["site_id"]["required"], true, "{q}");
    assert_eq!(q["parameters"]["period"]["required"], false, "{q}");

    let r = app.get("/api/v1/mcp/servers/nope").token(&key).send().await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let rest = app
        .get(&format!(
            "/api/v1/sites/{site}/stats/aggregate?period=7d&min_position={pos}"
        ))
        .token(&key)
        .send()
        .await;
    let r = app
        .post("/api/v1/mcp/tools/call")
        .token(&key)
        .json(json!({"server": "analytics", "tool": "query_stats",
                     "arguments": {"site_id": site, "kind": "aggregate", "period": "7d"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["result"]["data"], rest.body["data"]);
    let calls = app
        .eventually("/api/v1/mcp/calls?via=rest", Some(&ws), |r| {
            r.body["data"].as_array().is_some_and(|d| d.len() == 1)
        })
        .await;
    assert_eq!(calls.body["data"][0]["via"], "rest", "{calls:?}");

    let r = app
        .post("/api/v1/mcp/tools/call")
        .token(&key)
        .json(json!({"server": "analytics", "tool": "query_stats", "arguments": {"kind": "aggregate"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = app
        .post("/api/v1/mcp/tools/call")
        .token(&key)
        .json(json!({"tool": "read_file", "arguments": {"path": "/etc/passwd"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    let uri: String = url::form_urlencoded::byte_serialize(
        format!("keel://sites/{site}/stats?period=7d").as_bytes(),
    )
    .collect();
    let r = app
        .get(&format!("/api/v1/mcp/resources/{uri}"))
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"]["data"], rest.body["data"]);
    let r = app
        .get("/api/v1/mcp/resources/keel://nothing/here")
        .token(&key)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    app.stop().await;
}

/// The gateway: an admin registers remote MCP servers (one on the current revision with a
/// credential, one that only knows the 2025-11-25 handshake); an agent lists their tools beside
/// Keel's and calls them through Keel; every call is on the record; the credential is never
/// shown nor logged; a server turned off or removed is gone.
async fn remote_servers_are_registered_listed_and_called_through_keel(b: Backend) {
    let app = keel_tests::spawn_app_with(b, |c| c.mcp_remote_allow_private = true).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let token = "s3cret-remote-token-0123456789";
    let modern = RemoteServer::start(&["--token", token]);
    let legacy = RemoteServer::start(&["--legacy", "--name", "old-weather"]);

    // A wrong credential, an unreachable server and bad fields are refused, naming the field.
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(json!({"name": "weather", "url": modern.url, "credential": "wrong-token"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(
        r.body["error"]["details"]["fields"][0]["field"], "credential",
        "{r:?}"
    );
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(json!({"name": "analytics", "url": "ftp://x", "timeout_ms": 5}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let fields: Vec<&str> = r.body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "url", "timeout_ms"], "{r:?}");
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(json!({"name": "nobody", "url": "http://127.0.0.1:9/mcp", "timeout_ms": 2000}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(
        r.body["error"]["details"]["fields"][0]["field"], "url",
        "{r:?}"
    );

    // Registered: Keel connected, learnt the revision and the tools.
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(
            json!({"name": "weather", "title": "Weather", "url": modern.url,
                     "credential": token, "timeout_ms": 2000}),
        )
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let d = &r.body["data"];
    assert_eq!(d["protocol_version"], "2026-07-28", "{d}");
    assert_eq!(d["server_name"], "weather");
    assert_eq!(d["credential_hint"], "s3cr…");
    let names: Vec<&str> = d["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["forecast", "broken", "slow"], "{d}");
    assert!(
        !r.body.to_string().contains(token),
        "the credential is never shown"
    );
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(json!({"name": "weather", "url": modern.url}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = app
        .post("/api/v1/mcp/servers")
        .workspace(&ws)
        .json(json!({"name": "old", "url": legacy.url}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["protocol_version"], "2025-11-25", "{r:?}");
    let pos = r.position();

    // Listed beside Keel's own servers, in the seed's shape.
    let r = app
        .get(&format!("/api/v1/mcp/servers?min_position={pos}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let remote: Vec<&Value> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "remote")
        .collect();
    assert_eq!(remote.len(), 2, "{r:?}");
    assert_eq!(remote[1]["id"], "weather");
    assert_eq!(remote[1]["tools"], json!(["forecast", "broken", "slow"]));
    assert!(!r.body.to_string().contains(token));
    let r = app
        .get("/api/v1/mcp/servers/weather/tools")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        r.body["data"][0]["parameters"]["city"]["required"], true,
        "{r:?}"
    );

    // An agent sees them and calls them, over both revisions of the remote side.
    let (_, agent_key, _) = app
        .create_key(&ws, "agent", &["mcp:write", "sites:read"])
        .await;
    let (_, reader, _) = app.create_key(&ws, "reader", &["mcp:read"]).await;
    let out = agent(
        &app,
        &agent_key,
        "auto",
        json!([
            {"op": "list_tools"},
            {"op": "call_tool", "name": "weather.forecast", "arguments": {"city": "Oslo"}},
            {"op": "call_tool", "name": "old.forecast", "arguments": {"city": "Rome", "days": 3}},
            {"op": "call_tool", "name": "weather.broken", "arguments": {}},
            {"op": "call_tool", "name": "weather.slow", "arguments": {"seconds": 5}},
            {"op": "call_tool", "name": "weather.nope", "arguments": {}},
            {"op": "call_tool", "name": "weather.forecast", "arguments": {"city": "x".repeat(70_000)}},
        ]),
    )
    .await;
    let steps = out["steps"].as_array().unwrap();
    let tools = tool_names(&steps[0]);
    for t in [
        "list_sites",
        "weather.forecast",
        "weather.slow",
        "old.forecast",
    ] {
        assert!(tools.contains(&t.to_string()), "{t} missing from {tools:?}");
    }
    let text = |s: &Value| {
        s["ok"]["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(steps[1]["ok"]["isError"], false, "{}", steps[1]);
    assert!(text(&steps[1]).contains("Sunny in Oslo"), "{}", steps[1]);
    assert!(text(&steps[2]).contains("Sunny in Rome"), "{}", steps[2]);
    assert_eq!(steps[3]["ok"]["isError"], true, "{}", steps[3]);
    assert!(
        text(&steps[3]).contains("Error executing tool broken"),
        "{}",
        steps[3]
    );
    // Past the server's timeout (2 s): a tool error the agent can read.
    assert_eq!(steps[4]["ok"]["isError"], true, "{}", steps[4]);
    assert!(text(&steps[4]).contains("within 2000 ms"), "{}", steps[4]);
    assert_eq!(steps[5]["error"]["code"], -32602, "{}", steps[5]);
    assert_eq!(steps[6]["error"]["code"], -32602, "{}", steps[6]);
    // On the server's own endpoint, its tools keep their own names.
    let out = agent_at(
        &app,
        "/mcp/weather",
        &agent_key,
        "auto",
        json!([{"op": "list_tools"},
               {"op": "call_tool", "name": "forecast", "arguments": {"city": "Bergen"}}]),
    )
    .await;
    assert_eq!(tool_names(&out["steps"][0]), ["forecast", "broken", "slow"]);
    assert!(text(&out["steps"][1]).contains("Sunny in Bergen"));
    // A read-only credential sees no remote tool and may not call one.
    let out = agent(
        &app,
        &reader,
        "auto",
        json!([{"op": "list_tools"},
               {"op": "call_tool", "name": "weather.forecast", "arguments": {"city": "Oslo"}}]),
    )
    .await;
    assert!(!tool_names(&out["steps"][0]).iter().any(|t| t.contains('.')));
    assert_eq!(out["steps"][1]["error"]["code"], -32602, "{out}");
    // The REST face: core-api's call shape.
    let r = app
        .post("/api/v1/mcp/tools/call")
        .token(&agent_key)
        .json(json!({"server": "old", "tool": "forecast", "arguments": {"city": "Lima"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.body["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Sunny in Lima"));

    // Every call is on the record: server, tool, outcome.
    let calls = app
        .eventually(
            "/api/v1/mcp/calls?server=weather&limit=50",
            Some(&ws),
            |r| {
                r.body["meta"]["total_count"] == 7
                    && r.body["data"].as_array().is_some_and(|d| d.len() == 7)
            },
        )
        .await;
    let rows = calls.body["data"].as_array().unwrap();
    let outcome = |tool: &str, o: &str| {
        rows.iter()
            .filter(|c| c["tool"] == tool && c["outcome"] == o)
            .count()
    };
    assert_eq!(outcome("forecast", "ok"), 2, "{rows:?}");
    assert_eq!(outcome("broken", "error"), 1, "{rows:?}");
    assert_eq!(outcome("slow", "error"), 1, "{rows:?}");
    assert_eq!(outcome("nope", "refused"), 1, "{rows:?}");
    assert_eq!(outcome("forecast", "refused"), 2, "{rows:?}");
    let slow = rows.iter().find(|c| c["tool"] == "slow").unwrap();
    assert_eq!(slow["status"], 504, "{slow}");

    // The credential is in no event.
    let log = app
        .get("/api/v1/audit/events?event_type=mcp_server.registered")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(log.body["data"].as_array().unwrap().len(), 2, "{log:?}");
    assert!(!log.body.to_string().contains(token));

    // Turned off: its tools are gone and calls refused; removed: not found, credential destroyed.
    let r = app
        .patch("/api/v1/mcp/servers/weather")
        .workspace(&ws)
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"]["active"], false);
    // A call is refused at once (the server's stream decides); the list follows the read model.
    let refused = app
        .post("/api/v1/mcp/tools/call")
        .token(&agent_key)
        .json(json!({"server": "weather", "tool": "forecast", "arguments": {"city": "Oslo"}}))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    let r = app
        .get(&format!(
            "/api/v1/mcp/servers/weather?min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"]["remote"]["active"], false, "{r:?}");
    let out = agent(
        &app,
        &agent_key,
        "auto",
        json!([{"op": "list_tools"},
               {"op": "call_tool", "name": "weather.forecast", "arguments": {"city": "Oslo"}}]),
    )
    .await;
    assert!(!tool_names(&out["steps"][0]).contains(&"weather.forecast".to_string()));
    assert_eq!(out["steps"][1]["error"]["code"], -32602, "{out}");
    let r = app
        .delete("/api/v1/mcp/servers/weather")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app
        .get(&format!(
            "/api/v1/mcp/servers/weather?min_position={}",
            r.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mcp_server_credentials")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // A server that stopped answering: a 502, on the record.
    drop(legacy);
    let r = app
        .post("/api/v1/mcp/tools/call")
        .token(&agent_key)
        .json(json!({"server": "old", "tool": "forecast", "arguments": {"city": "Lima"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{r:?}");
    app.stop().await;
}

on_every_backend!(
    an_agent_works_through_the_sdk_with_the_keys_own_rights,
    remote_servers_are_registered_listed_and_called_through_keel
);

/// Without the operator's leave, the gateway refuses private addresses and plain http, before
/// any connection.
#[tokio::test]
async fn a_private_remote_server_is_refused_unless_allowed() {
    let app = spawn_app(Backend::Embedded).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let server = RemoteServer::start(&[]);
    for (url, says) in [
        (server.url.clone(), "https"),
        (server.url.replace("http://", "https://"), "loopback"),
        ("https://10.1.2.3/mcp".to_string(), "private"),
        ("https://[::1]/mcp".to_string(), "loopback"),
        ("https://169.254.169.254/mcp".to_string(), "metadata"),
        ("https://mcp.internal/mcp".to_string(), "not a public name"),
    ] {
        let r = app
            .post("/api/v1/mcp/servers")
            .workspace(&ws)
            .json(json!({"name": "local", "url": url}))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {r:?}");
        let f = &r.body["error"]["details"]["fields"][0];
        assert_eq!(f["field"], "url", "{r:?}");
        assert!(
            f["message"].as_str().unwrap().contains(says),
            "{url}: {r:?}"
        );
    }
    // Only owners and admins register servers: an analyst's mcp:write is not enough.
    let (_, key, _) = app.create_key(&ws, "agent", &["mcp:write"]).await;
    let r = app
        .post("/api/v1/mcp/servers")
        .token(&key)
        .json(json!({"name": "local", "url": "https://mcp.example.com/mcp"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    app.stop().await;
}
