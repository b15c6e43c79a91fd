//! The OpenAPI document is the contract: real answers of Keel, checked against the schema the
//! document gives for their operation and status. An undocumented field, a missing required one
//! or a wrong type fails. (Schemathesis checks the same over generated requests; these are the
//! answers of a realistic session, on both backends.)

#![allow(clippy::unwrap_used)]

use keel_tests::{Backend, Resp, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Contract {
    doc: Value,
}

impl Contract {
    async fn of(app: &TestApp) -> Contract {
        let r = app.get("/api/v1/openapi.json").send().await;
        assert_eq!(r.status, StatusCode::OK);
        Contract { doc: r.body }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let path = r.trim_start_matches("#/").split('/');
                let mut v = &self.doc;
                for p in path {
                    v = &v[p];
                }
                self.resolve(v)
            }
            None => schema,
        }
    }

    /// The schema documented for `method path` answering `status`.
    fn response_schema(&self, method: &str, path: &str, status: StatusCode) -> &Value {
        let op = &self.doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let r = &op["responses"][status.as_str()];
        assert!(
            r.is_object(),
            "{method} {path} does not document status {status}"
        );
        let s = &r["content"]["application/json"]["schema"];
        assert!(
            s.is_object(),
            "{method} {path} {status}: no JSON schema documented"
        );
        self.resolve(s)
    }

    /// Every problem of `v` against `schema`, each with its JSON path.
    fn check(&self, schema: &Value, v: &Value, at: &str, problems: &mut Vec<String>) {
        self.check_with(schema, v, at, problems, false)
    }

    /// The property names an object schema documents, through `allOf`; `None` for a free-form
    /// object (any key may appear).
    fn properties(&self, schema: &Value) -> Option<Vec<String>> {
        let schema = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut names = Vec::new();
            for s in all {
                names.extend(self.properties(s)?);
            }
            return Some(names);
        }
        if schema.get("additionalProperties").is_some() {
            return None;
        }
        Some(
            schema
                .get("properties")?
                .as_object()?
                .keys()
                .cloned()
                .collect(),
        )
    }

    fn check_with(
        &self,
        schema: &Value,
        v: &Value,
        at: &str,
        problems: &mut Vec<String>,
        extra_keys_ok: bool,
    ) {
        let schema = self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = schema.get(key).and_then(Value::as_array) {
                let fits = alts.iter().any(|alt| {
                    let mut p = Vec::new();
                    self.check(alt, v, at, &mut p);
                    p.is_empty()
                });
                if !fits {
                    problems.push(format!("{at}: fits none of the {key} schemas: {v}"));
                }
                return;
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            // Each part checks its own fields; a key is undocumented only if no part has it.
            for s in all {
                self.check_with(s, v, at, problems, true);
            }
            if let (Value::Object(o), Some(known), false) =
                (v, self.properties(schema), extra_keys_ok)
            {
                for k in o.keys().filter(|k| !known.contains(k)) {
                    problems.push(format!("{at}.{k}: not in the document"));
                }
            }
            return;
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let type_ok = types.is_empty()
            || types.contains(&actual)
            || (actual == "integer" && types.contains(&"number"));
        if !type_ok {
            problems.push(format!("{at}: {actual} where the document says {types:?}"));
            return;
        }
        match v {
            Value::Object(o) => {
                let props = schema["properties"].as_object();
                if let Some(props) = props {
                    for (k, val) in o {
                        match props.get(k) {
                            Some(s) => self.check(s, val, &format!("{at}.{k}"), problems),
                            None if extra_keys_ok
                                || schema.get("additionalProperties").is_some() => {}
                            None => problems.push(format!("{at}.{k}: not in the document")),
                        }
                    }
                }
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap_or_default();
                    if !o.contains_key(r) {
                        problems.push(format!("{at}.{r}: required, but missing"));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(s) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(s, item, &format!("{at}[{i}]"), problems);
                    }
                }
            }
            _ => {}
        }
    }

    fn assert_conforms(&self, method: &str, path: &str, r: &Resp) {
        let schema = self.response_schema(method, path, r.status);
        let mut problems = Vec::new();
        self.check(schema, &r.body, "$", &mut problems);
        assert!(
            problems.is_empty(),
            "{method} {path} {}: the answer does not match the document:\n  {}\nanswer: {}",
            r.status,
            problems.join("\n  "),
            r.body
        );
    }
}

async fn keys_answer_as_documented(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let c = Contract::of(&app).await;
    let ws = app.create_workspace("Contract", "pro").await;

    let created = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(
            json!({"name": "backend", "scopes": ["keys:read", "keys:write"],
            "environment": "test", "rate_limit_tier": "starter",
            "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    c.assert_conforms("post", "/api/v1/keys", &created);
    // The fields a client needs are there, and documented (above).
    let d = &created.body["data"];
    for f in [
        "environment",
        "created_at",
        "updated_at",
        "last_used_at",
        "key",
    ] {
        assert!(d.get(f).is_some(), "{f} missing from {d}");
    }
    assert_eq!(d["environment"], "test");
    let id = d["id"].as_str().unwrap().to_string();

    let rotated = app
        .post(&format!("/api/v1/keys/{id}/rotate"))
        .workspace(&ws)
        .json(json!({"grace_period_hours": 1}))
        .send()
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{rotated:?}");
    c.assert_conforms("post", "/api/v1/keys/{id}/rotate", &rotated);
    assert!(rotated.body["data"]["previous_key_valid_until"].is_string());

    let got = app
        .get(&format!(
            "/api/v1/keys/{id}?min_position={}",
            rotated.position()
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(got.status, StatusCode::OK, "{got:?}");
    c.assert_conforms("get", "/api/v1/keys/{id}", &got);

    let list = app.get("/api/v1/keys").workspace(&ws).send().await;
    c.assert_conforms("get", "/api/v1/keys", &list);
    // By page: page numbers and links are documented too.
    let paged = app
        .get("/api/v1/keys?page=1&per_page=1")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(paged.body["meta"]["current_page"], 1, "{paged:?}");
    c.assert_conforms("get", "/api/v1/keys", &paged);

    let history = app
        .get(&format!("/api/v1/keys/{id}/history"))
        .workspace(&ws)
        .send()
        .await;
    c.assert_conforms("get", "/api/v1/keys/{id}/history", &history);

    let missing = app
        .get("/api/v1/keys/not-a-key")
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    c.assert_conforms("get", "/api/v1/keys/{id}", &missing);

    let invalid = app
        .post("/api/v1/keys")
        .workspace(&ws)
        .json(json!({"name": "", "scopes": []}))
        .send()
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    c.assert_conforms("post", "/api/v1/keys", &invalid);
    app.stop().await;
}

/// Answers of the other resources whose documents are typed, checked the same way.
async fn workspaces_and_sites_answer_as_documented(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let c = Contract::of(&app).await;
    let created = app
        .post("/api/v1/workspaces")
        .json(json!({"name": "Docs", "tier": "free", "settings": {"timezone": "Europe/Berlin"}}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    c.assert_conforms("post", "/api/v1/workspaces", &created);
    let ws = created.body["data"]["id"].as_str().unwrap().to_string();
    let got = app
        .get(&format!(
            "/api/v1/workspaces/{ws}?min_position={}",
            created.position()
        ))
        .send()
        .await;
    c.assert_conforms("get", "/api/v1/workspaces/{id}", &got);
    let list = app.get("/api/v1/workspaces").send().await;
    c.assert_conforms("get", "/api/v1/workspaces", &list);
    let site = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com", "currency": "EUR"}))
        .send()
        .await;
    assert_eq!(site.status, StatusCode::CREATED, "{site:?}");
    c.assert_conforms("post", "/api/v1/sites", &site);
    let sites = app
        .get(&format!("/api/v1/sites?min_position={}", site.position()))
        .workspace(&ws)
        .send()
        .await;
    c.assert_conforms("get", "/api/v1/sites", &sites);
    app.stop().await;
}

/// Usage and entitlements: every kind of feature, limited and not, in every answer shape.
async fn usage_answers_as_documented(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let c = Contract::of(&app).await;
    let ws = app.create_workspace("Usage", "pro").await;
    let (_, key, _) = app
        .create_key(&ws, "meter", &["usage:write", "usage:read"])
        .await;
    let put = |feature: &'static str, body: Value| {
        let app = &app;
        let ws = ws.clone();
        async move {
            app.call(
                reqwest::Method::PUT,
                &format!("/api/v1/entitlements/{feature}"),
            )
            .workspace(&ws)
            .json(body)
            .send()
            .await
        }
    };
    for (feature, body) in [
        (
            "jobs",
            json!({"type": "metered", "limit": 2, "period": "month", "hard": true}),
        ),
        (
            "free_jobs",
            json!({"type": "metered", "limit": null, "period": "lifetime"}),
        ),
        ("sso", json!({"type": "boolean", "enabled": true})),
        (
            "theme",
            json!({"type": "static", "config": {"color": "blue"}}),
        ),
        ("beta", json!({"type": "boolean", "enabled": false})),
    ] {
        let r = put(feature, body).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        c.assert_conforms("put", "/api/v1/entitlements/{feature}", &r);
    }
    let record = |body: Value| {
        app.post("/api/v1/entitlements/usage")
            .token(&key)
            .json(body)
            .send()
    };
    let r = record(json!({"feature": "jobs", "quantity": 2, "usage_id": "u-1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    c.assert_conforms("post", "/api/v1/entitlements/usage", &r);
    let again = record(json!({"feature": "jobs", "quantity": 2, "usage_id": "u-1"})).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    c.assert_conforms("post", "/api/v1/entitlements/usage", &again);
    let over = record(json!({"feature": "jobs"})).await;
    assert_eq!(over.status, StatusCode::FORBIDDEN, "{over:?}");
    c.assert_conforms("post", "/api/v1/entitlements/usage", &over);
    let r = record(json!({"feature": "free_jobs", "quantity": 5})).await;
    c.assert_conforms("post", "/api/v1/entitlements/usage", &r);
    for feature in ["jobs", "free_jobs", "sso", "theme", "beta", "api_calls"] {
        let r = app
            .get(&format!("/api/v1/entitlements/check?feature={feature}"))
            .token(&key)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        c.assert_conforms("get", "/api/v1/entitlements/check", &r);
    }
    let s = app
        .get("/api/v1/entitlements/summary")
        .token(&key)
        .send()
        .await;
    c.assert_conforms("get", "/api/v1/entitlements/summary", &s);
    let kinds: Vec<&str> = s.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["type"].as_str())
        .collect();
    for k in ["metered", "boolean", "static"] {
        assert!(kinds.contains(&k), "{k} missing from the summary: {s:?}");
    }
    let s = app
        .get("/api/v1/entitlements/summary?as_of=2020-01-01T00:00:00Z")
        .token(&key)
        .send()
        .await;
    c.assert_conforms("get", "/api/v1/entitlements/summary", &s);
    for q in ["", "&interval=hour&group_by=key"] {
        let r = app
            .get(&format!("/api/v1/usage?feature=jobs{q}"))
            .token(&key)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        c.assert_conforms("get", "/api/v1/usage", &r);
    }
    app.stop().await;
}

/// Analytics, dashboards, webhooks, domains, audit and the operator's views: a realistic session,
/// every answer checked against its documented schema (Schemathesis reaches most of these only
/// with made-up ids, so mostly their 404s).
async fn the_rest_answers_as_documented(b: Backend) {
    let app = keel_tests::spawn_app_with(b, |c| {
        c.webhooks.allow_private = true;
    })
    .await;
    let c = Contract::of(&app).await;
    let ws = app.create_workspace("Everything", "enterprise").await;
    let site = app
        .post("/api/v1/sites")
        .workspace(&ws)
        .json(json!({"name": "Shop", "domain": "shop.example.com", "currency": "EUR"}))
        .send()
        .await;
    let site_id = site.body["data"]["id"].as_str().unwrap().to_string();
    let checked = |method: &'static str, path: &'static str, r: Resp| {
        c.assert_conforms(method, path, &r);
        r
    };

    // Ingestion.
    let batch = app
        .post("/api/v1/events")
        .workspace(&ws)
        .json(json!({"events": [
            {"site_id": site_id, "visitor_id": "v1", "url": "https://shop.example.com/pricing", "event_id": "e1"},
            {"site_id": site_id, "visitor_id": "v1", "url": "https://shop.example.com/buy"},
            {"site_id": site_id, "type": "custom", "visitor_id": "v1"},
        ]}))
        .send()
        .await;
    assert_eq!(batch.status, StatusCode::ACCEPTED, "{batch:?}");
    checked("post", "/api/v1/events", batch);
    let goal = app
        .post("/api/v1/goals")
        .workspace(&ws)
        .json(json!({"site_id": site_id, "visitor_id": "v1", "name": "signup"}))
        .send()
        .await;
    checked("post", "/api/v1/goals", goal);
    let identify = app
        .post("/api/v1/identify")
        .workspace(&ws)
        .json(json!({"site_id": site_id, "visitor_id": "v1", "user_id": "u1", "traits": {"plan": "pro"}}))
        .send()
        .await;
    checked("post", "/api/v1/identify", identify);
    let pay = json!({"site_id": site_id, "amount": 1999, "currency": "EUR", "transaction_id": "t1", "visitor_id": "v1"});
    let paid = app
        .post("/api/v1/payments")
        .workspace(&ws)
        .json(pay.clone())
        .send()
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{paid:?}");
    let pos = paid.position();
    checked("post", "/api/v1/payments", paid);
    let dup = app
        .post("/api/v1/payments")
        .workspace(&ws)
        .json(pay)
        .send()
        .await;
    assert_eq!(dup.status, StatusCode::OK, "{dup:?}");
    checked("post", "/api/v1/payments", dup);

    // Reads of it.
    let get = |path: String| {
        let app = &app;
        let ws = ws.clone();
        async move { app.get(&path).workspace(&ws).send().await }
    };
    let all = "visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration,events,revenue,average_order_value";
    let r = get(format!(
        "/api/v1/sites/{site_id}/stats/aggregate?period=7d&metrics={all}&min_position={pos}"
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.body["data"]["revenue"]["EUR"].is_object(), "{r:?}");
    checked("get", "/api/v1/sites/{id}/stats/aggregate", r);
    let r = get(format!(
        "/api/v1/sites/{site_id}/stats/timeseries?period=7d&metrics={all}"
    ))
    .await;
    checked("get", "/api/v1/sites/{id}/stats/timeseries", r);
    let r = get(format!(
        "/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=page"
    ))
    .await;
    assert_eq!(
        r.body["data"][0]["page"]
            .as_str()
            .map(|p| p.starts_with('/')),
        Some(true),
        "{r:?}"
    );
    checked("get", "/api/v1/sites/{id}/stats/breakdown", r);
    let r = get(format!("/api/v1/sites/{site_id}/stats/breakdown?period=7d&dimension=goal&metrics=visitors,conversion_rate")).await;
    checked("get", "/api/v1/sites/{id}/stats/breakdown", r);
    let r = get(format!(
        "/api/v1/sites/{site_id}/funnels?period=7d&steps=page:/pricing,goal:signup"
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    checked("get", "/api/v1/sites/{id}/funnels", r);
    // Saved funnels and a deletion of analytics.
    let f = app
        .post(&format!("/api/v1/sites/{site_id}/funnels"))
        .workspace(&ws)
        .json(json!({"name": "Signup", "steps": [{"type": "page", "value": "/pricing"}, {"type": "goal", "value": "signup"}]}))
        .send()
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{f:?}");
    let funnel = f.body["data"]["id"].as_str().unwrap().to_string();
    checked("post", "/api/v1/sites/{id}/funnels", f);
    let r = get(format!("/api/v1/sites/{site_id}/funnels")).await;
    assert_eq!(r.body["data"][0]["id"], funnel.as_str(), "{r:?}");
    checked("get", "/api/v1/sites/{id}/funnels", r);
    let r = get(format!(
        "/api/v1/sites/{site_id}/funnels/{funnel}/results?period=7d"
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    checked("get", "/api/v1/sites/{id}/funnels/{funnel_id}/results", r);
    let r = app
        .delete(&format!(
            "/api/v1/sites/{site_id}/data?from=2020-01-01&to=2020-01-02"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert!(matches!(r.status.as_u16(), 200 | 202), "{r:?}");
    checked("delete", "/api/v1/sites/{id}/data", r);
    let r = get(format!("/api/v1/sites/{site_id}/data/deletions")).await;
    checked("get", "/api/v1/sites/{id}/data/deletions", r);
    let r = get(format!("/api/v1/sites/{site_id}/visitors/v1")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    checked("get", "/api/v1/sites/{id}/visitors/{visitor_id}", r);
    let r = get("/api/v1/metrics?limit=5".into()).await;
    checked("get", "/api/v1/metrics", r);

    // Dashboards.
    let d = app
        .post("/api/v1/dashboards")
        .workspace(&ws)
        .json(json!({"name": "Sales", "widgets": [{"site_id": site_id, "metric": "visitors", "interval": "day", "period": "7d"}]}))
        .send()
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{d:?}");
    let dash = d.body["data"]["id"].as_str().unwrap().to_string();
    checked("post", "/api/v1/dashboards", d);
    let r = get(format!("/api/v1/dashboards/{dash}/data")).await;
    checked("get", "/api/v1/dashboards/{id}/data", r);
    let r = get("/api/v1/dashboards".into()).await;
    checked("get", "/api/v1/dashboards", r);

    // Webhooks.
    let h = app
        .post("/api/v1/webhooks")
        .workspace(&ws)
        .json(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
        .send()
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{h:?}");
    let hook = h.body["data"]["id"].as_str().unwrap().to_string();
    checked("post", "/api/v1/webhooks", h);
    let r = app
        .post(&format!("/api/v1/webhooks/{hook}/rotate-secret"))
        .workspace(&ws)
        .send()
        .await;
    checked("post", "/api/v1/webhooks/{id}/rotate-secret", r);
    let r = app
        .post(&format!("/api/v1/webhooks/{hook}/test"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"]["success"], false, "{r:?}");
    checked("post", "/api/v1/webhooks/{id}/test", r);
    let r = get(format!("/api/v1/webhooks/{hook}/deliveries")).await;
    checked("get", "/api/v1/webhooks/{id}/deliveries", r);

    // Domains.
    let r = app
        .post("/api/v1/domains")
        .workspace(&ws)
        .json(json!({"domains": ["example.com", "not a domain"]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let pos = r.position();
    checked("post", "/api/v1/domains", r);
    let r = get(format!("/api/v1/domains?min_position={pos}")).await;
    let domain = r.body["data"][0]["id"].as_str().unwrap().to_string();
    checked("get", "/api/v1/domains", r);
    let r = get(format!("/api/v1/domains/{domain}")).await;
    checked("get", "/api/v1/domains/{id}", r);
    let r = get(format!(
        "/api/v1/domains/{domain}?as_of={}",
        keel_schemas::format_ts(chrono::Utc::now())
    ))
    .await;
    assert!(r.body["data"]["as_of"].is_string(), "{r:?}");
    checked("get", "/api/v1/domains/{id}", r);
    let r = app
        .call(reqwest::Method::PATCH, &format!("/api/v1/domains/{domain}"))
        .workspace(&ws)
        .json(json!({"tags": ["vip"]}))
        .send()
        .await;
    checked("patch", "/api/v1/domains/{id}", r);
    for path in ["scan-results", "changes", "whois", "history"] {
        let r = get(format!("/api/v1/domains/{domain}/{path}")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {r:?}");
        let doc = match path {
            "scan-results" => "/api/v1/domains/{id}/scan-results",
            "changes" => "/api/v1/domains/{id}/changes",
            "whois" => "/api/v1/domains/{id}/whois",
            _ => "/api/v1/domains/{id}/history",
        };
        checked("get", doc, r);
    }
    let r = app
        .post("/api/v1/folders")
        .workspace(&ws)
        .json(json!({"name": "Clients"}))
        .send()
        .await;
    checked("post", "/api/v1/folders", r);
    let r = get("/api/v1/folders".into()).await;
    checked("get", "/api/v1/folders", r);
    let r = get("/api/v1/dashboard/summary".into()).await;
    checked("get", "/api/v1/dashboard/summary", r);
    let r = app
        .post("/api/v1/exports")
        .workspace(&ws)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    checked("post", "/api/v1/exports", r);
    let r = get("/api/v1/exports".into()).await;
    checked("get", "/api/v1/exports", r);

    // Audit, operations and the operator.
    let r = get("/api/v1/audit/events?limit=5".into()).await;
    checked("get", "/api/v1/audit/events", r);
    let r = get("/api/v1/audit/verify".into()).await;
    checked("get", "/api/v1/audit/verify", r);
    let r = get(format!("/api/v1/workspaces/{ws}/history")).await;
    checked("get", "/api/v1/workspaces/{id}/history", r);
    let r = app.get("/api/v1/admin/projections").send().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    checked("get", "/api/v1/admin/projections", r);
    checked(
        "get",
        "/api/v1/health",
        app.get("/api/v1/health").send().await,
    );
    checked(
        "get",
        "/api/v1/ready",
        app.get("/api/v1/ready").send().await,
    );
    let r = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/sites/{site_id}/visitors/v1"),
        )
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    checked("delete", "/api/v1/sites/{id}/visitors/{visitor_id}", r);
    app.stop().await;
}

keel_tests::on_every_backend!(
    keys_answer_as_documented,
    the_rest_answers_as_documented,
    workspaces_and_sites_answer_as_documented,
    usage_answers_as_documented,
);
