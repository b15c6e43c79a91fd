//! Stripe integrations against localstripe (PyPI): a backfill equals the payments and refunds
//! made; a second sync and webhooks (localstripe's own signed deliveries, and replays) record
//! nothing twice; bad and stale signatures change nothing. Hand-made deliveries are signed by
//! Stripe's own library (npm `stripe`). On both backends.

#![allow(clippy::unwrap_used)]

use keel_tests::stripe::{signed_by_stripe, LocalStripe, KEY};
use keel_tests::{on_every_backend, spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SECRET: &str = "whsec_keel_test_signing_secret";

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

/// Waits until the integration has run `n` syncs and none is running.
async fn synced(app: &TestApp, ws: &str, id: &str, n: i64) -> Value {
    let r = app
        .eventually(&format!("/api/v1/integrations/{id}"), Some(ws), |r| {
            r.body["data"]["syncs"].as_i64() >= Some(n)
                && r.body["data"]["sync_status"] != "syncing"
        })
        .await;
    assert_eq!(r.body["data"]["sync_status"], "active", "{r:?}");
    r.body["data"].clone()
}

/// Net revenue today by currency, once it reads `want`.
async fn revenue(app: &TestApp, ws: &str, site: &str, want: Value) -> Value {
    let r = app
        .eventually(
            &format!("/api/v1/metrics?metric_id=revenue&site_id={site}"),
            Some(ws),
            |r| by_currency(&r.body) == want,
        )
        .await;
    by_currency(&r.body)
}

fn by_currency(body: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for p in body["data"].as_array().into_iter().flatten() {
        let c = p["currency"].as_str().unwrap_or("").to_string();
        let v = m.get(&c).and_then(Value::as_i64).unwrap_or(0) + p["value"].as_i64().unwrap_or(0);
        m.insert(c, json!(v));
    }
    Value::Object(m)
}

async fn events_of(app: &TestApp, ws: &str, kind: &str) -> usize {
    let r = app
        .get(&format!("/api/v1/audit/events?event_type={kind}&limit=100"))
        .workspace(ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["data"].as_array().unwrap().len()
}

/// Signed by Stripe's own library (npm `stripe`).
fn signed(payload: &str, t: i64, secret: &str) -> String {
    signed_by_stripe(payload, secret, t)
}

async fn stripe_revenue_is_backfilled_and_recorded_once_whichever_path_sees_it(b: Backend) {
    let stripe = LocalStripe::start().await;
    let url = stripe.url.clone();
    let app = spawn_app_with(b, move |c| {
        c.stripe_api_url = url;
        c.stripe_sync_interval_secs = 0;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site = site(&app, &ws).await;

    // Before Keel is connected: three payments, a partial and a full refund.
    let (_, ch1) = stripe.pay(1999, "eur", Some("v1")).await;
    let (_, ch2) = stripe.pay(500, "eur", None).await;
    stripe.pay(1000, "usd", Some("v2")).await;
    stripe.refund(&ch1, 500).await;
    stripe.refund(&ch2, 500).await;

    // Not a Stripe key; a site of no one: refused before anything is stored.
    let r = app
        .post("/api/v1/integrations")
        .workspace(&ws)
        .json(json!({"type": "stripe", "site_id": site, "api_key": "pk_test_public"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["error"]["details"]["fields"][0]["field"], "api_key");

    let r = app
        .post("/api/v1/integrations")
        .workspace(&ws)
        .json(json!({"type": "stripe", "site_id": site, "api_key": KEY, "webhook_secret": SECRET}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    assert!(!r.body.to_string().contains(KEY), "the key is never shown");
    assert!(!r.body.to_string().contains(SECRET));
    assert_eq!(r.body["data"]["type"], "stripe");
    let hook = r.body["data"]["webhook_url"].as_str().unwrap().to_string();

    // The backfill: every charge and refund, once.
    let s = synced(&app, &ws, &id, 1).await;
    assert_eq!(
        (s["payments"].as_i64(), s["refunds"].as_i64()),
        (Some(3), Some(2)),
        "{s}"
    );
    assert!(s["last_sync"].as_i64().unwrap() > 0);
    assert_eq!(
        revenue(&app, &ws, &site, json!({"EUR": 1499, "USD": 1000})).await,
        json!({"EUR": 1499, "USD": 1000})
    );
    // Dashtray's list.
    let r = app.get("/api/v1/integrations").workspace(&ws).send().await;
    assert_eq!(r.body["data"][0]["id"], id.as_str(), "{r:?}");
    assert!(r.body["data"][0]["connected_at"].as_i64().unwrap() > 1_700_000_000_000);

    // A second sync reads the same objects and records nothing.
    let r = app
        .post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let s = synced(&app, &ws, &id, 2).await;
    assert_eq!(
        (s["payments"].as_i64(), s["refunds"].as_i64()),
        (Some(3), Some(2)),
        "{s}"
    );

    // localstripe's own signed webhook: a new payment lands without a sync...
    stripe.send_webhooks_to(&hook, SECRET).await;
    let (pi4, ch4) = stripe.pay(2500, "eur", Some("v9")).await;
    assert_eq!(
        revenue(&app, &ws, &site, json!({"EUR": 3999, "USD": 1000})).await,
        json!({"EUR": 3999, "USD": 1000})
    );
    // ...and the sync that sees it too records it no second time.
    app.post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    let s = synced(&app, &ws, &id, 3).await;
    assert_eq!(s["payments"].as_i64(), Some(3), "the webhook had it: {s}");
    assert_eq!(events_of(&app, &ws, "payment.recorded").await, 4);

    // The same charge delivered again, twice: nothing new.
    let t = chrono::Utc::now().timestamp();
    let event = json!({"id": "evt_replay", "type": "charge.succeeded", "created": t,
        "data": {"object": {"id": ch4, "object": "charge", "amount": 2500, "currency": "eur",
        "status": "succeeded", "paid": true, "payment_intent": pi4, "created": t,
        "metadata": {"keel_visitor_id": "v9"}}}})
    .to_string();
    for _ in 0..2 {
        let r = app
            .post(&format!("/api/v1/integrations/{id}/stripe/webhook"))
            .header("Stripe-Signature", &signed(&event, t, SECRET))
            .raw(&event)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["recorded"], 0, "{r:?}");
    }
    // A bad signature, a stale one, none: 400, nothing recorded.
    let other = json!({"id": "evt_x", "type": "checkout.session.completed", "data": {"object": {
        "payment_status": "paid", "payment_intent": "pi_forged", "amount_total": 99999,
        "currency": "eur", "created": t}}})
    .to_string();
    for header in [
        Some(signed(&other, t, "whsec_someone_else")),
        Some(signed(&other, t - 600, SECRET)),
        None,
    ] {
        let mut call = app
            .post(&format!("/api/v1/integrations/{id}/stripe/webhook"))
            .raw(&other);
        if let Some(h) = &header {
            call = call.header("Stripe-Signature", h);
        }
        let r = call.send().await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{header:?}: {r:?}");
    }
    assert_eq!(events_of(&app, &ws, "payment.recorded").await, 4);
    assert_eq!(events_of(&app, &ws, "payment.refunded").await, 2);

    // Paused: a sync is refused; disconnected: the credentials are destroyed.
    let r = app
        .post(&format!("/api/v1/integrations/{id}/pause"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.body["data"]["status"], "paused", "{r:?}");
    let r = app
        .post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = app
        .delete(&format!("/api/v1/integrations/{id}"))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM integration_credentials")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    app.stop().await;
}

/// Custom metric sources: points pushed in batches, checked first, recorded once per id, and
/// served by the same feed as Keel's own metrics.
async fn custom_metric_points_are_pushed_once_and_served_by_the_feed(b: Backend) {
    let app = keel_tests::spawn_app(b).await;
    let ws = app.create_workspace("Acme", "pro").await;
    let t = chrono::Utc::now().timestamp_millis() - 60_000;
    let batch = json!({"points": [
        {"id": "d1", "metric_id": "hubspot_deals", "value": 12.5, "unit": "USD", "timestamp": t,
         "metadata": {"pipeline": "sales"}},
        {"id": "d2", "metric_id": "hubspot_deals", "value": 3, "unit": "USD", "timestamp": t + 1},
    ]});
    let r = app
        .post("/api/v1/metrics")
        .workspace(&ws)
        .json(batch.clone())
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"], json!({"recorded": 2, "duplicates": 0}));
    let pos = r.position();
    let r = app
        .post("/api/v1/metrics")
        .workspace(&ws)
        .json(batch)
        .send()
        .await;
    assert_eq!(
        r.body["data"],
        json!({"recorded": 0, "duplicates": 2}),
        "{r:?}"
    );
    // One bad point: every problem named, nothing recorded.
    let r = app
        .post("/api/v1/metrics")
        .workspace(&ws)
        .json(json!({"points": [
            {"id": "x", "metric_id": "visitors", "value": 1},
            {"id": "y", "metric_id": "fine_one", "value": 1, "unit": ""},
            {"id": "z", "metric_id": "fine_one", "value": 1},
        ]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let fields: Vec<&str> = r.body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["points[0].metric_id", "points[1].unit"]);
    let r = app
        .get(&format!(
            "/api/v1/metrics?metric_id=fine_one&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(
        r.body["data"],
        json!([]),
        "nothing of the refused batch: {r:?}"
    );
    // Served as Dashtray's points.
    let r = app
        .get(&format!(
            "/api/v1/metrics?metric_id=hubspot_deals&min_position={pos}"
        ))
        .workspace(&ws)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let points = r.body["data"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{r:?}");
    assert_eq!(
        (
            &points[0]["id"],
            &points[0]["value"],
            &points[0]["unit"],
            &points[0]["timestamp"]
        ),
        (&json!("d1"), &json!(12.5), &json!("USD"), &json!(t))
    );
    assert_eq!(points[0]["metadata"]["pipeline"], "sales");
    assert!(points[0].get("site_id").is_none());
    assert_eq!(points[1]["value"], 3);
    assert_eq!(r.body["pagination"]["has_more"], false);
    // Pushing takes `metrics:write`.
    let (_, reader, _) = app.create_key(&ws, "reader", &["analytics:read"]).await;
    let r = app
        .post("/api/v1/metrics")
        .token(&reader)
        .json(json!({"points": [{"metric_id": "a", "value": 1}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    app.stop().await;
}

/// A Stripe SaaS metric by currency: its points' values, oldest month first.
fn series(body: &Value) -> std::collections::BTreeMap<String, Vec<i64>> {
    let mut m = std::collections::BTreeMap::<String, Vec<i64>>::new();
    for p in body["data"].as_array().into_iter().flatten() {
        let c = p["currency"].as_str().unwrap_or("").to_string();
        m.entry(c)
            .or_default()
            .push(p["value"].as_i64().unwrap_or(0));
    }
    m
}

/// The SaaS metrics of the site in one currency, once `done` holds of them: levels (MRR, ARR,
/// paying subscriptions) at the last month, flows (movements, revenue, refunds) summed over the
/// twelve months (so a test that runs over a month's end reads the same).
async fn saas(
    app: &TestApp,
    ws: &str,
    site: &str,
    currency: &str,
    done: impl Fn(&std::collections::BTreeMap<&str, i64>) -> bool,
) -> std::collections::BTreeMap<&'static str, i64> {
    const LEVELS: [&str; 3] = ["stripe_mrr", "stripe_arr", "stripe_active_subscriptions"];
    const FLOWS: [&str; 7] = [
        "stripe_new_mrr",
        "stripe_expansion_mrr",
        "stripe_contraction_mrr",
        "stripe_churned_mrr",
        "stripe_reactivation_mrr",
        "stripe_revenue",
        "stripe_refunds",
    ];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mut out = std::collections::BTreeMap::new();
        for m in LEVELS.iter().chain(FLOWS.iter()) {
            let r = app
                .get(&format!("/api/v1/metrics?metric_id={m}&site_id={site}"))
                .workspace(ws)
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
            let values = series(&r.body).remove(currency).unwrap_or_default();
            let v = if LEVELS.contains(m) {
                values.last().copied().unwrap_or(0)
            } else {
                values.iter().sum()
            };
            out.insert(*m, v);
        }
        if done(&out) || tokio::time::Instant::now() > deadline {
            return out;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn figures(pairs: &[(&'static str, i64)]) -> std::collections::BTreeMap<&'static str, i64> {
    let mut m: std::collections::BTreeMap<&'static str, i64> = [
        "stripe_mrr",
        "stripe_arr",
        "stripe_active_subscriptions",
        "stripe_new_mrr",
        "stripe_expansion_mrr",
        "stripe_contraction_mrr",
        "stripe_churned_mrr",
        "stripe_reactivation_mrr",
        "stripe_revenue",
        "stripe_refunds",
    ]
    .into_iter()
    .map(|k| (k, 0))
    .collect();
    m.extend(pairs.iter().copied());
    m
}

/// A subscription event of Stripe's, as a webhook delivers it.
fn subscription_event(kind: &str, created: i64, quantity: i64, status: &str) -> String {
    json!({"id": format!("evt_{kind}_{created}_{quantity}"), "type": kind, "created": created,
        "data": {"object": {"id": "sub_hand", "object": "subscription", "customer": "cus_hand",
        "status": status, "start_date": created - 100, "cancel_at_period_end": false,
        "ended_at": if status == "canceled" { json!(created) } else { Value::Null },
        "currency": "usd", "items": {"data": [{"quantity": quantity, "price": {"id": "price_seat",
        "unit_amount": 500, "currency": "usd", "billing_scheme": "per_unit",
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}}}]}}}})
    .to_string()
}

/// Subscriptions: a backfill's MRR equals the one computed by hand, changes make their movements,
/// webhooks and syncs record each change once (a late, older reading undoes nothing), the
/// scheduled-cancellation setting decides when churn counts, and revenue is attributed to the
/// visitor the customer's email was identified as.
async fn stripe_subscriptions_make_mrr_and_its_movements(b: Backend) {
    let stripe = LocalStripe::start().await;
    let url = stripe.url.clone();
    let app = spawn_app_with(b, move |c| {
        c.stripe_api_url = url;
        c.stripe_sync_interval_secs = 0;
    })
    .await;
    let ws = app.create_workspace("Acme", "pro").await;
    let site = site(&app, &ws).await;
    // Alice was identified on the site before she paid.
    let r = app
        .post("/api/v1/identify")
        .workspace(&ws)
        .json(
            json!({"site_id": site, "visitor_id": "v-alice", "user_id": "u-alice",
            "traits": {"email": "Alice@Example.com"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
    let profile = format!("/api/v1/sites/{site}/visitors/v-alice");
    app.eventually(&profile, Some(&ws), |r| r.status == StatusCode::OK)
        .await;

    stripe.plan("basic", 1000, "eur", "month").await;
    stripe.plan("pro", 3000, "eur", "month").await;
    stripe.plan("yearly", 12000, "eur", "year").await;
    let alice = stripe.customer("alice@example.com").await;
    let bob = stripe.customer("bob@example.com").await;
    let carol = stripe.customer("carol@example.com").await;
    let alice_sub = stripe.subscribe(&alice, "basic").await;
    let bob_sub = stripe.subscribe(&bob, "yearly").await;
    let carol_sub = stripe.subscribe(&carol, "basic").await;
    stripe.cancel(&carol_sub).await;

    let r = app
        .post("/api/v1/integrations")
        .workspace(&ws)
        .json(json!({"type": "stripe", "site_id": site, "api_key": KEY, "webhook_secret": SECRET}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let hook = r.body["data"]["webhook_url"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["data"]["settings"],
        json!({"scheduled_cancellation": "at_period_end", "limited_coupons": "ignore"})
    );
    synced(&app, &ws, &id, 1).await;
    // By hand: Alice 10.00 and Bob 120.00/12 a month; Carol came and went.
    let want = figures(&[
        ("stripe_mrr", 2000),
        ("stripe_arr", 24000),
        ("stripe_active_subscriptions", 2),
        ("stripe_new_mrr", 3000),
        ("stripe_churned_mrr", 1000),
        ("stripe_revenue", 14000),
    ]);
    assert_eq!(saas(&app, &ws, &site, "EUR", |m| *m == want).await, want);
    // Alice's invoice and subscription are hers: her email was identified.
    let r = app
        .eventually(&profile, Some(&ws), |r| {
            r.body["data"]["subscriptions"][0]["mrr"] == 1000
        })
        .await;
    assert_eq!(
        r.body["data"]["payments"].as_array().unwrap().len(),
        1,
        "{r:?}"
    );
    assert_eq!(r.body["data"]["payments"][0]["amount"], 1000);
    assert_eq!(
        r.body["data"]["subscriptions"][0]["subscription_id"],
        alice_sub.as_str()
    );

    // Alice upgrades; a sync sees it: expansion. A second sync records nothing more.
    stripe
        .update_subscription(&alice_sub, &[("items[0][plan]", "pro")])
        .await;
    for n in [2, 3] {
        app.post(&format!("/api/v1/integrations/{id}/sync"))
            .workspace(&ws)
            .send()
            .await;
        synced(&app, &ws, &id, n).await;
    }
    let want = figures(&[
        ("stripe_mrr", 4000),
        ("stripe_arr", 48000),
        ("stripe_active_subscriptions", 2),
        ("stripe_new_mrr", 3000),
        ("stripe_expansion_mrr", 2000),
        ("stripe_churned_mrr", 1000),
        ("stripe_revenue", 14000),
    ]);
    assert_eq!(saas(&app, &ws, &site, "EUR", |m| *m == want).await, want);
    assert_eq!(events_of(&app, &ws, "subscription.changed").await, 5);

    // Bob schedules his cancellation: recorded, but he pays until his period ends...
    stripe
        .update_subscription(&bob_sub, &[("cancel_at_period_end", "true")])
        .await;
    app.post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    synced(&app, &ws, &id, 4).await;
    assert_eq!(events_of(&app, &ws, "subscription.changed").await, 6);
    assert_eq!(saas(&app, &ws, &site, "EUR", |m| *m == want).await, want);
    // ...unless scheduled cancellations count at once: the next reading churns him.
    let r = app
        .patch(&format!("/api/v1/integrations/{id}"))
        .workspace(&ws)
        .json(json!({"settings": {"scheduled_cancellation": "immediately"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["data"]["settings"]["scheduled_cancellation"],
        "immediately"
    );
    assert_eq!(r.body["data"]["settings"]["limited_coupons"], "ignore");
    let r = app
        .patch(&format!("/api/v1/integrations/{id}"))
        .workspace(&ws)
        .json(json!({"settings": {"limited_coupons": "sometimes"}}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    app.post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    synced(&app, &ws, &id, 5).await;
    let want = figures(&[
        ("stripe_mrr", 3000),
        ("stripe_arr", 36000),
        ("stripe_active_subscriptions", 1),
        ("stripe_new_mrr", 3000),
        ("stripe_expansion_mrr", 2000),
        ("stripe_churned_mrr", 2000),
        ("stripe_revenue", 14000),
    ]);
    assert_eq!(saas(&app, &ws, &site, "EUR", |m| *m == want).await, want);

    // Webhooks: a change arrives as its events, twice, and a late older one changes nothing.
    let t = chrono::Utc::now().timestamp();
    let deliveries = [
        (
            subscription_event("customer.subscription.created", t - 30, 1, "active"),
            1,
        ),
        (
            subscription_event("customer.subscription.created", t - 30, 1, "active"),
            0,
        ),
        (
            subscription_event("customer.subscription.updated", t - 10, 3, "active"),
            1,
        ),
        (
            subscription_event("customer.subscription.updated", t - 20, 2, "active"),
            0,
        ),
        (
            subscription_event("customer.subscription.deleted", t, 3, "canceled"),
            1,
        ),
        (
            subscription_event("customer.subscription.deleted", t, 3, "canceled"),
            0,
        ),
    ];
    for (event, recorded) in &deliveries {
        let r = app
            .post(&format!("/api/v1/integrations/{id}/stripe/webhook"))
            .header("Stripe-Signature", &signed(event, t, SECRET))
            .raw(event)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["recorded"], *recorded, "{event}: {r:?}");
    }
    let want_usd = figures(&[
        ("stripe_new_mrr", 500),
        ("stripe_expansion_mrr", 1000),
        ("stripe_churned_mrr", 1500),
    ]);
    assert_eq!(
        saas(&app, &ws, &site, "USD", |m| *m == want_usd).await,
        want_usd
    );
    // localstripe's own deliveries: a new subscriber's invoice is one payment, however many
    // paths bring it.
    stripe.send_webhooks_to(&hook, SECRET).await;
    let dave = stripe.customer("dave@example.com").await;
    stripe.subscribe(&dave, "basic").await;
    let payments =
        |n: i64| move |m: &std::collections::BTreeMap<&str, i64>| m["stripe_revenue"] == n;
    assert_eq!(
        saas(&app, &ws, &site, "EUR", payments(15000)).await["stripe_revenue"],
        15000
    );
    app.post(&format!("/api/v1/integrations/{id}/sync"))
        .workspace(&ws)
        .send()
        .await;
    synced(&app, &ws, &id, 6).await;
    let want = figures(&[
        ("stripe_mrr", 4000),
        ("stripe_arr", 48000),
        ("stripe_active_subscriptions", 2),
        ("stripe_new_mrr", 4000),
        ("stripe_expansion_mrr", 2000),
        ("stripe_churned_mrr", 2000),
        ("stripe_revenue", 15000),
    ]);
    assert_eq!(saas(&app, &ws, &site, "EUR", |m| *m == want).await, want);
    assert_eq!(events_of(&app, &ws, "payment.recorded").await, 4);
    app.stop().await;
}

on_every_backend!(
    stripe_subscriptions_make_mrr_and_its_movements,
    stripe_revenue_is_backfilled_and_recorded_once_whichever_path_sees_it,
    custom_metric_points_are_pushed_once_and_served_by_the_feed
);
