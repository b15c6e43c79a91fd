//! Integration syncs: Stripe's charges and refunds become Keel's payments and refunds, exactly
//! once whichever path sees an object first (a sync, a webhook, both, any order, any number of
//! times): a payment is the stream of its transaction id (the charge's PaymentIntent, or the
//! charge), a refund is decided once per refund id in that stream.

use crate::store::SqlStore;
use crate::stripe::{Stripe, StripeError};
use dashmap::DashMap;
use keel_commands::analytics::{transaction_key, PaymentAggregate, PaymentCommand, RecordPayment};
use keel_commands::integrations::{Integration, IntegrationAggregate, IntegrationCommand};
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
    /// The newest `created` seen.
    pub cursor: i64,
}

/// A sync under way, as `GET /api/v1/integrations/{id}` shows it.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// `charges` or `refunds`.
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
                &["data.payment_intent"],
                &mut report,
            )
            .await?
        {
            if let Some(tx) = transaction_of(&charge) {
                transactions.insert(charge["id"].as_str().unwrap_or("").to_string(), tx);
            }
            if record_charge(&self.store, i, &charge, None).await? {
                report.payments += 1;
            }
        }
        for refund in self
            .read(i, stripe, "/v1/refunds", &[], &mut report)
            .await?
        {
            if record_refund(&self.store, i, stripe, &refund, &mut transactions).await? {
                report.refunds += 1;
            }
        }
        Ok(report)
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
        renewal: false,
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
            record_charge(store, i, &charge, None).await?;
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
