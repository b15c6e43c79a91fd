//! Integration syncs: Stripe's charges and refunds become Keel's payments and refunds, exactly
//! once whichever path sees an object first (a sync, a webhook, both, any order, any number of
//! times): a payment is the stream of its transaction id (the charge's PaymentIntent, or the
//! charge), a refund is decided once per refund id in that stream; a subscription's changes are
//! decided in its customer's stream (an older reading never undoes a newer one).

use crate::store::SqlStore;
use crate::stripe::{Stripe, StripeError};
use dashmap::DashMap;
use keel_commands::analytics::{transaction_key, PaymentAggregate, PaymentCommand, RecordPayment};
use keel_commands::integrations::{Integration, IntegrationAggregate, IntegrationCommand};
use keel_commands::subscriptions::{
    customer_key, CustomerAggregate, Discount, Item, RecordSubscription, Snapshot,
};
use keel_commands::{execute, Aggregate, CommandError, DomainError, EventStore, Execution};
use keel_events::{EventId, IntegrationId, Metadata, StreamId};
use keel_projections::Db;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// How far before the last sync's newest object an incremental sync starts reading (objects
/// created in the same second, clocks): what it sees twice is recorded once.
pub const OVERLAP_SECS: i64 = 300;

/// What one sync read and recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub objects: i64,
    pub payments: i64,
    pub refunds: i64,
    /// Subscription changes recorded.
    pub subscriptions: i64,
    /// The newest `created` seen.
    pub cursor: i64,
}

/// A sync under way, as `GET /api/v1/integrations/{id}` shows it.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// `charges`, `refunds` or `subscriptions`.
    pub phase: String,
    pub objects: i64,
    pub started_at: String,
}

/// Runs syncs, one at a time per integration in this process, and knows how far each got.
#[derive(Clone)]
pub struct Syncer {
    pub store: SqlStore,
    pub db: Db,
    pub api_url: String,
    running: Arc<DashMap<IntegrationId, Progress>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error("recording failed: {0}")]
    Command(#[from] CommandError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl Syncer {
    pub fn new(store: SqlStore, db: Db, api_url: &str) -> Self {
        Self {
            store,
            db,
            api_url: api_url.to_string(),
            running: Arc::new(DashMap::new()),
        }
    }

    /// The sync under way for an integration, if any.
    pub fn progress(&self, id: IntegrationId) -> Option<Progress> {
        self.running.get(&id).map(|p| p.clone())
    }

    /// The integration as its stream says now.
    pub async fn load(&self, id: IntegrationId) -> Result<Option<Integration>, SyncError> {
        let history = self
            .store
            .read_stream(&StreamId::integration(id))
            .await
            .map_err(|e| SyncError::Other(e.to_string()))?;
        Ok(IntegrationAggregate::fold(history.iter().map(|e| &e.event)).filter(|i| !i.removed))
    }

    /// A client with the integration's API key.
    pub async fn client(&self, i: &Integration) -> Result<Stripe, SyncError> {
        let key = crate::stripe::credential(&self.db, i.id, i.credential_id)
            .await?
            .ok_or_else(|| SyncError::Other("the integration's API key is missing".into()))?;
        Ok(Stripe::new(&self.api_url, &key))
    }

    /// Starts a sync in the background unless one is running here; false if one was.
    pub fn start(&self, id: IntegrationId) -> bool {
        use dashmap::mapref::entry::Entry;
        match self.running.entry(id) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                v.insert(Progress {
                    phase: "starting".into(),
                    objects: 0,
                    started_at: keel_schemas::format_ts(chrono::Utc::now()),
                });
                let me = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = me.run(id).await {
                        tracing::warn!(integration = %id, error = %e, "integration sync failed");
                    }
                    me.running.remove(&id);
                });
                true
            }
        }
    }

    /// One sync to its end, recorded as `integration.synced` or `integration.sync_failed`.
    pub async fn run(&self, id: IntegrationId) -> Result<SyncReport, SyncError> {
        let Some(i) = self.load(id).await? else {
            return Err(SyncError::Other("no such integration".into()));
        };
        if i.paused {
            return Err(SyncError::Other("the integration is paused".into()));
        }
        let started_at = chrono::Utc::now();
        let outcome = async {
            let stripe = self.client(&i).await?;
            self.sync(&i, &stripe).await
        }
        .await;
        let command = match &outcome {
            Ok(r) => IntegrationCommand::RecordSync {
                started_at,
                objects: r.objects,
                payments: r.payments,
                refunds: r.refunds,
                cursor: r.cursor,
            },
            Err(e) => IntegrationCommand::RecordFailure {
                started_at,
                error: e.to_string(),
            },
        };
        let exec = system_exec(&i, StreamId::integration(id));
        match execute::<IntegrationAggregate>(&self.store, &exec, &command, EventId::new_v7).await {
            Ok(_) | Err(CommandError::Rejected(DomainError::NotFound(_))) => {}
            Err(e) => return Err(e.into()),
        }
        outcome
    }

    fn note(&self, id: IntegrationId, phase: &str, objects: i64) {
        if let Some(mut p) = self.running.get_mut(&id) {
            p.phase = phase.into();
            p.objects = objects;
        }
    }

    /// Charges, then refunds, created after the cursor (less the overlap), newest first in
    /// pages of 100.
    pub async fn sync(&self, i: &Integration, stripe: &Stripe) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport {
            cursor: i.cursor,
            ..Default::default()
        };
        // Transaction ids of the charges seen, for their refunds.
        let mut transactions: HashMap<String, String> = HashMap::new();
        for charge in self
            .read(
                i,
                stripe,
                "/v1/charges",
                &["data.payment_intent", "data.customer"],
                &mut report,
            )
            .await?
        {
            if let Some(tx) = transaction_of(&charge) {
                transactions.insert(charge["id"].as_str().unwrap_or("").to_string(), tx);
            }
            if record_charge(&self.store, &self.db, i, &charge, None).await? {
                report.payments += 1;
            }
        }
        for refund in self
            .read(i, stripe, "/v1/refunds", &[], &mut report)
            .await?
        {
            if record_refund(&self.store, &self.db, i, stripe, &refund, &mut transactions).await? {
                report.refunds += 1;
            }
        }
        self.sync_subscriptions(i, stripe, &mut report).await?;
        Ok(report)
    }

    /// Every subscription, whatever its status and age (they change after they are created):
    /// what changed since Keel's last reading is recorded.
    async fn sync_subscriptions(
        &self,
        i: &Integration,
        stripe: &Stripe,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut after: Option<String> = None;
        let mut prices = HashMap::new();
        loop {
            let seen_at = chrono::Utc::now().timestamp_millis();
            let page = stripe
                .page(
                    "/v1/subscriptions?status=all",
                    None,
                    after.as_deref(),
                    &["data.customer"],
                )
                .await?;
            after = page
                .data
                .last()
                .and_then(|c| c["id"].as_str())
                .map(str::to_string);
            for mut sub in page.data {
                report.objects += 1;
                complete_tiers(stripe, &mut sub, &mut prices).await?;
                report.subscriptions +=
                    record_subscription(&self.store, &self.db, i, None, &sub, seen_at).await?;
            }
            self.note(i.id, "subscriptions", report.objects);
            if !page.has_more || after.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// Every object of a list created since the cursor (less the overlap). Stripe lists newest
    /// first: the pages are read until one reaches an older object, without relying on
    /// `created` filters (not every list takes them).
    async fn read(
        &self,
        i: &Integration,
        stripe: &Stripe,
        path: &str,
        expand: &[&str],
        report: &mut SyncReport,
    ) -> Result<Vec<Value>, SyncError> {
        let since = (i.cursor > 0).then(|| i.cursor - OVERLAP_SECS);
        let old = |o: &Value| since.is_some_and(|s| o["created"].as_i64().unwrap_or(0) < s);
        let phase = path.trim_start_matches("/v1/");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = stripe.page(path, None, after.as_deref(), expand).await?;
            let done = page.data.iter().any(old);
            after = page
                .data
                .last()
                .and_then(|c| c["id"].as_str())
                .map(str::to_string);
            for o in page.data.into_iter().filter(|o| !old(o)) {
                report.objects += 1;
                report.cursor = report.cursor.max(o["created"].as_i64().unwrap_or(0));
                out.push(o);
            }
            self.note(i.id, phase, report.objects);
            if done || !page.has_more || after.is_none() {
                break;
            }
        }
        // Oldest first, as they happened.
        out.reverse();
        Ok(out)
    }
}

fn system_exec(i: &Integration, stream: StreamId) -> Execution {
    Execution {
        tenant_id: i.workspace_id,
        stream_id: stream,
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
        new_stream: false,
    }
}

fn id_of(v: &Value) -> Option<&str> {
    v.as_str().or_else(|| v["id"].as_str())
}

/// A charge's payment in Keel: its PaymentIntent's id (what a Checkout Session names too), or
/// its own id for a charge made without one.
pub fn transaction_of(charge: &Value) -> Option<String> {
    id_of(&charge["payment_intent"])
        .or_else(|| charge["id"].as_str())
        .map(str::to_string)
}

/// A short text field of Stripe's, if it will do as one of Keel's.
fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 255 && !s.chars().any(char::is_control))
        .map(str::to_string)
}

/// Records a succeeded charge as a payment (its visitor from `metadata.keel_visitor_id`, the
/// PaymentIntent's, or a Checkout Session's `client_reference_id`); true if it is new.
pub async fn record_charge(
    store: &SqlStore,
    db: &Db,
    i: &Integration,
    charge: &Value,
    client_reference_id: Option<&str>,
) -> Result<bool, SyncError> {
    if charge["status"] != "succeeded" || charge["paid"] == false {
        return Ok(false);
    }
    let Some(tx) = transaction_of(charge) else {
        return Ok(false);
    };
    let visitor = text(&charge["metadata"]["keel_visitor_id"])
        .or_else(|| text(&charge["payment_intent"]["metadata"]["keel_visitor_id"]))
        .or_else(|| client_reference_id.and_then(|c| text(&Value::from(c))));
    let email = text(&charge["billing_details"]["email"])
        .or_else(|| text(&charge["receipt_email"]))
        .filter(|e| {
            e.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        });
    let customer = &charge["customer"];
    let visitor = match visitor {
        Some(v) => Some(v),
        None => {
            attributed(
                db,
                i,
                customer,
                email.as_deref().or_else(|| customer["email"].as_str()),
            )
            .await?
        }
    };
    let payment = Payment {
        transaction_id: tx,
        amount: charge["amount"].as_i64().unwrap_or(0),
        currency: charge["currency"]
            .as_str()
            .unwrap_or("")
            .to_ascii_uppercase(),
        created: charge["created"].as_i64().unwrap_or(0),
        visitor_id: visitor,
        customer_id: id_of(&charge["customer"]).and_then(|c| text(&Value::from(c))),
        email,
        renewal: false,
    };
    record_payment(store, i, payment).await
}

/// A payment as Stripe's objects give it.
pub struct Payment {
    pub transaction_id: String,
    pub amount: i64,
    pub currency: String,
    /// Unix seconds.
    pub created: i64,
    pub visitor_id: Option<String>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    /// A subscription's later invoice (`billing_reason: subscription_cycle`).
    pub renewal: bool,
}

/// Records a payment once; true if it is new.
pub async fn record_payment(
    store: &SqlStore,
    i: &Integration,
    p: Payment,
) -> Result<bool, SyncError> {
    let command = PaymentCommand::Record(RecordPayment {
        site_id: i.site_id,
        workspace_id: i.workspace_id,
        transaction_id: p.transaction_id.clone(),
        amount: p.amount,
        currency: p.currency,
        visitor_id: p.visitor_id,
        customer_id: p.customer_id,
        email: p.email,
        renewal: p.renewal,
        refunded: false,
        is_free_trial: false,
    });
    let mut exec = system_exec(
        i,
        StreamId::payment(i.site_id, &transaction_key(&p.transaction_id)),
    );
    if let Some(at) = chrono::DateTime::from_timestamp(p.created, 0) {
        exec.now = at.min(chrono::Utc::now());
    }
    match execute::<PaymentAggregate>(store, &exec, &command, EventId::new_v7).await {
        Ok(_) => Ok(true),
        Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Records a succeeded refund once against its charge's payment (recording the charge first
/// when Keel has not seen it); true if it is new.
pub async fn record_refund(
    store: &SqlStore,
    db: &Db,
    i: &Integration,
    stripe: &Stripe,
    refund: &Value,
    transactions: &mut HashMap<String, String>,
) -> Result<bool, SyncError> {
    if refund["status"] != "succeeded" {
        return Ok(false);
    }
    let (Some(refund_id), Some(charge_id)) = (refund["id"].as_str(), id_of(&refund["charge"]))
    else {
        return Ok(false);
    };
    let tx = match transactions.get(charge_id) {
        Some(tx) => tx.clone(),
        None => {
            let charge = stripe
                .get(
                    &format!("/v1/charges/{charge_id}"),
                    &[("expand[]".into(), "payment_intent".into())],
                )
                .await?;
            record_charge(store, db, i, &charge, None).await?;
            let tx = transaction_of(&charge)
                .ok_or_else(|| SyncError::Other(format!("charge {charge_id} has no id")))?;
            transactions.insert(charge_id.to_string(), tx.clone());
            tx
        }
    };
    let command = PaymentCommand::Refund {
        refund_id: refund_id.to_string(),
        amount: refund["amount"].as_i64().unwrap_or(0),
    };
    let exec = system_exec(i, StreamId::payment(i.site_id, &transaction_key(&tx)));
    match execute::<PaymentAggregate>(store, &exec, &command, EventId::new_v7).await {
        Ok(_) => Ok(true),
        Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => Ok(false),
        // A charge Keel never recorded (it failed): nothing to refund.
        Err(CommandError::Rejected(DomainError::NotFound(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The visitor a Stripe customer was identified as on the integration's site: by the user id in
/// the customer's metadata (`keel_user_id` or `user_id`), else by their email.
pub async fn attributed(
    db: &Db,
    i: &Integration,
    customer: &Value,
    email: Option<&str>,
) -> Result<Option<String>, SyncError> {
    if let Some(v) = text(&customer["metadata"]["keel_visitor_id"]) {
        return Ok(Some(v));
    }
    let user = text(&customer["metadata"]["keel_user_id"])
        .or_else(|| text(&customer["metadata"]["user_id"]));
    let email = email.or_else(|| customer["email"].as_str());
    if user.is_none() && email.is_none() {
        return Ok(None);
    }
    Ok(keel_projections::analytics::identified_visitor(
        db,
        &i.site_id.to_string(),
        user.as_deref(),
        email,
    )
    .await?)
}

/// Records a paid invoice as its payment (the same payment as its charge's, whichever comes
/// first); true if it is new. An invoice of nothing pays nothing.
pub async fn record_invoice(
    store: &SqlStore,
    db: &Db,
    i: &Integration,
    invoice: &Value,
) -> Result<bool, SyncError> {
    let amount = invoice["amount_paid"].as_i64().unwrap_or(0);
    if invoice["status"] != "paid" && invoice["paid"] != true || amount <= 0 {
        return Ok(false);
    }
    // Older API versions name the PaymentIntent or charge; newer ones list the payments.
    let tx = id_of(&invoice["payment_intent"])
        .or_else(|| id_of(&invoice["charge"]))
        .or_else(|| id_of(&invoice["payments"]["data"][0]["payment"]["payment_intent"]))
        .or_else(|| id_of(&invoice["payments"]["data"][0]["payment"]["charge"]));
    let Some(tx) = tx.map(str::to_string) else {
        return Ok(false);
    };
    let email = text(&invoice["customer_email"]).filter(|e| e.contains('@'));
    let visitor = match text(&invoice["metadata"]["keel_visitor_id"])
        .or_else(|| text(&invoice["subscription_details"]["metadata"]["keel_visitor_id"]))
    {
        Some(v) => Some(v),
        None => attributed(db, i, &invoice["customer"], email.as_deref()).await?,
    };
    let paid_at = invoice["status_transitions"]["paid_at"]
        .as_i64()
        .or_else(|| invoice["created"].as_i64())
        .unwrap_or(0);
    record_payment(
        store,
        i,
        Payment {
            transaction_id: tx,
            amount,
            currency: invoice["currency"]
                .as_str()
                .unwrap_or("")
                .to_ascii_uppercase(),
            created: paid_at,
            visitor_id: visitor,
            customer_id: id_of(&invoice["customer"]).and_then(|c| text(&Value::from(c))),
            email,
            renewal: invoice["billing_reason"] == "subscription_cycle",
        },
    )
    .await
}

/// A subscription item's price: the `price` object, or a legacy `plan`, in one shape.
fn price_of(item: &Value) -> &Value {
    if item["price"].is_object() {
        &item["price"]
    } else {
        &item["plan"]
    }
}

/// Fetches the tiers of tiered prices a list left out (Stripe expands them only on request, and
/// not four levels deep), once per sync.
pub async fn complete_tiers(
    stripe: &Stripe,
    sub: &mut Value,
    cache: &mut HashMap<String, Value>,
) -> Result<(), SyncError> {
    let Some(items) = sub["items"]["data"].as_array_mut() else {
        return Ok(());
    };
    for item in items {
        let key = if item["price"].is_object() {
            "price"
        } else {
            "plan"
        };
        let p = &item[key];
        if p["billing_scheme"] != "tiered" || p["tiers"].is_array() {
            continue;
        }
        let Some(id) = p["id"].as_str().map(str::to_string) else {
            continue;
        };
        if !cache.contains_key(&id) {
            let path = format!("/v1/{key}s/{id}");
            let full = stripe
                .get(&path, &[("expand[]".into(), "tiers".into())])
                .await?;
            cache.insert(id.clone(), full);
        }
        item[key]["tiers"] = cache[&id]["tiers"].clone();
    }
    Ok(())
}

/// What a tiered price costs for a quantity (Stripe's `graduated` and `volume` modes).
pub fn tiered_amount(tiers: &[Value], mode: &str, quantity: i64) -> i64 {
    let up_to = |t: &Value| t["up_to"].as_i64().unwrap_or(i64::MAX);
    let unit = |t: &Value| {
        t["unit_amount"].as_i64().unwrap_or_else(|| {
            t["unit_amount_decimal"]
                .as_str()
                .and_then(|d| d.parse::<f64>().ok())
                .map_or(0, |d| d.round() as i64)
        })
    };
    let flat = |t: &Value| t["flat_amount"].as_i64().unwrap_or(0);
    if mode == "volume" {
        return tiers
            .iter()
            .find(|t| quantity <= up_to(t))
            .map_or(0, |t| unit(t) * quantity + flat(t));
    }
    let mut total = 0;
    let mut from = 0;
    for t in tiers {
        if quantity <= from {
            break;
        }
        let to = up_to(t).min(quantity);
        total += unit(t) * (to - from) + flat(t);
        from = to;
    }
    total
}

/// A Stripe subscription as Keel reads it; `None` for something that is not one.
pub fn snapshot(sub: &Value, visitor_id: Option<String>) -> Option<Snapshot> {
    let subscription_id = text(&sub["id"])?;
    let customer_id = id_of(&sub["customer"]).map(str::to_string)?;
    let mut items = Vec::new();
    for item in sub["items"]["data"].as_array().into_iter().flatten() {
        let p = price_of(item);
        let quantity = item["quantity"].as_i64().unwrap_or(1).max(0);
        let recurring = if p["recurring"].is_object() {
            &p["recurring"]
        } else {
            p
        };
        let amount = if p["billing_scheme"] == "tiered" {
            tiered_amount(
                p["tiers"].as_array().map_or(&[][..], |t| &t[..]),
                p["tiers_mode"].as_str().unwrap_or("graduated"),
                quantity,
            )
        } else {
            let unit = p["unit_amount"]
                .as_i64()
                .or_else(|| p["amount"].as_i64())
                .or_else(|| {
                    p["unit_amount_decimal"]
                        .as_str()
                        .and_then(|d| d.parse::<f64>().ok())
                        .map(|d| d.round() as i64)
                })
                .unwrap_or(0);
            unit * quantity
        };
        items.push(Item {
            price_id: text(&p["id"]).unwrap_or_else(|| "price".into()),
            amount,
            quantity,
            interval: recurring["interval"]
                .as_str()
                .unwrap_or("month")
                .to_string(),
            interval_count: recurring["interval_count"].as_i64().unwrap_or(1),
            metered: recurring["usage_type"] == "metered",
        });
    }
    let currency = sub["currency"]
        .as_str()
        .or_else(|| {
            sub["items"]["data"][0]["price"]["currency"]
                .as_str()
                .or_else(|| sub["items"]["data"][0]["plan"]["currency"].as_str())
        })
        .unwrap_or("")
        .to_string();
    // One discount (`discount`), or the first of `discounts` when expanded.
    let d = if sub["discount"].is_object() {
        &sub["discount"]
    } else {
        &sub["discounts"][0]
    };
    let discount = d["coupon"].is_object().then(|| Discount {
        percent_off: d["coupon"]["percent_off"].as_f64(),
        amount_off: d["coupon"]["amount_off"].as_i64(),
        duration: d["coupon"]["duration"]
            .as_str()
            .unwrap_or("once")
            .to_string(),
        ends_at: d["end"].as_i64(),
    });
    Some(Snapshot {
        subscription_id,
        customer_id,
        status: sub["status"].as_str().unwrap_or("").to_string(),
        currency,
        items,
        discount,
        cancel_at_period_end: sub["cancel_at_period_end"] == true,
        start_date: sub["start_date"]
            .as_i64()
            .or_else(|| sub["created"].as_i64())
            .unwrap_or(0),
        trial_end: sub["trial_end"].as_i64(),
        ended_at: sub["ended_at"].as_i64(),
        canceled_at: sub["canceled_at"].as_i64(),
        visitor_id,
    })
}

/// Records what changed in a subscription since Keel's last reading of it (read at `seen_at`,
/// milliseconds since the Unix epoch); the number of changes recorded. Its customer is expanded, or fetched with
/// `stripe` when given, for attribution.
pub async fn record_subscription(
    store: &SqlStore,
    db: &Db,
    i: &Integration,
    stripe: Option<&Stripe>,
    sub: &Value,
    seen_at: i64,
) -> Result<i64, SyncError> {
    let mut customer = sub["customer"].clone();
    if let (Some(id), Some(stripe)) = (customer.as_str().map(str::to_string), stripe) {
        if let Ok(c) = stripe.get(&format!("/v1/customers/{id}"), &[]).await {
            customer = c;
        }
    }
    let visitor = match text(&sub["metadata"]["keel_visitor_id"]) {
        Some(v) => Some(v),
        None => attributed(db, i, &customer, None).await?,
    };
    let Some(snapshot) = snapshot(sub, visitor) else {
        return Ok(0);
    };
    let stream = StreamId::customer(i.site_id, &customer_key(&snapshot.customer_id));
    let command = RecordSubscription {
        site_id: i.site_id,
        workspace_id: i.workspace_id,
        snapshot,
        settings: i.settings.clone(),
        seen_at,
    };
    let before = store
        .read_stream(&stream)
        .await
        .map_err(|e| SyncError::Other(e.to_string()))?
        .last()
        .map_or(0, |e| e.stream_version);
    let exec = system_exec(i, stream);
    match execute::<CustomerAggregate>(store, &exec, &command, EventId::new_v7).await {
        Ok((outcome, _)) => Ok((outcome.stream_version - before).max(0)),
        Err(CommandError::Rejected(DomainError::Validation(_))) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tiered_prices_cost_what_stripe_bills() {
        let tiers = [
            json!({"up_to": 5, "unit_amount": 1000, "flat_amount": null}),
            json!({"up_to": 10, "unit_amount": 800, "flat_amount": 500}),
            json!({"up_to": null, "unit_amount": 500}),
        ];
        // Graduated: 5 × 10.00, then 3 × 8.00 + 5.00.
        assert_eq!(tiered_amount(&tiers, "graduated", 8), 5000 + 2400 + 500);
        assert_eq!(
            tiered_amount(&tiers, "graduated", 12),
            5000 + 4000 + 500 + 1000
        );
        // Volume: every unit at the tier the quantity falls in.
        assert_eq!(tiered_amount(&tiers, "volume", 8), 6400 + 500);
        assert_eq!(tiered_amount(&tiers, "volume", 12), 6000);
    }

    #[test]
    fn a_subscription_reads_from_prices_or_legacy_plans() {
        let sub = json!({"id": "sub_1", "customer": {"id": "cus_1", "email": "a@b.co"},
            "status": "active", "start_date": 1_790_000_000, "cancel_at_period_end": false,
            "items": {"data": [
                {"quantity": 2, "price": {"id": "price_a", "unit_amount": 1500, "currency": "eur",
                 "billing_scheme": "per_unit", "recurring": {"interval": "month", "interval_count": 1,
                 "usage_type": "licensed"}}},
                {"quantity": 1, "plan": {"id": "plan_b", "amount": 12000, "currency": "eur",
                 "interval": "year", "interval_count": 1, "usage_type": "licensed"}}]},
            "discount": {"coupon": {"percent_off": 10.0, "duration": "forever"}, "end": null}});
        let s = snapshot(&sub, None).unwrap();
        assert_eq!(s.customer_id, "cus_1");
        assert_eq!(s.currency, "eur");
        assert_eq!(
            s.items
                .iter()
                .map(|i| (i.amount, i.interval.as_str()))
                .collect::<Vec<_>>(),
            [(3000, "month"), (12000, "year")]
        );
        let settings = keel_events::RevenueSettings::default();
        assert_eq!(
            keel_commands::subscriptions::mrr(&s, &settings, 1_790_000_000),
            (4000.0_f64 * 0.9).round() as i64
        );
    }
}
