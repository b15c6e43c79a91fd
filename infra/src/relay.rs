//! The relay: tails the log (the outbox) and produces every event to Kafka, keyed by stream id so
//! per-stream order holds. Its checkpoint advances only past events the broker acknowledged.
//! Several relays may run; one holds a Postgres advisory lock and leads, the others stand by.

use crate::feed::{load_checkpoint, save_checkpoint};
use crate::kafka::{base_config, ensure_topic};
use crate::metrics;
use crate::store::SqlStore;
use keel_commands::{EventStore, LogCursor};
use keel_events::RecordedEvent;
use keel_projections::Dialect;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use sqlx::{AnyConnection, Row};
use std::time::Duration;
use tokio::sync::watch;

pub const CHECKPOINT: &str = "relay";
/// Advisory-lock key of the relay's leadership ("keelrly" in ASCII).
const LEADER_LOCK: i64 = 0x006b_6565_6c72_6c79;
const PAGE: usize = 1000;

pub struct Relay {
    store: SqlStore,
    brokers: String,
    topic: String,
    partitions: i32,
}

impl Relay {
    pub fn new(
        store: SqlStore,
        brokers: &str,
        topic: &str,
        partitions: i32,
    ) -> anyhow::Result<Relay> {
        // Fail early on a malformed configuration.
        drop(Self::producer(brokers)?);
        Ok(Relay {
            store,
            brokers: brokers.into(),
            topic: topic.into(),
            partitions,
        })
    }

    /// A new idempotent producer, made afresh whenever the relay (re)takes the lead: after
    /// delivery timeouts an idempotent producer may be left in a state it cannot leave.
    fn producer(brokers: &str) -> anyhow::Result<FutureProducer> {
        Ok(base_config(brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "2")
            .set("message.timeout.ms", "10000")
            .create()?)
    }

    /// Takes the lead when it can and relays until shutdown.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(200);
        while !*shutdown.borrow() {
            match self.lead(&mut shutdown).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(e) => {
                    tracing::warn!(error = %e, "relay: {e:#}; retrying in {backoff:?}");
                    tokio::select! { _ = tokio::time::sleep(backoff) => {}, _ = shutdown.changed() => {} }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    async fn acquire(&self, conn: &mut AnyConnection) -> anyhow::Result<bool> {
        if self.store.db().dialect == Dialect::Sqlite {
            return Ok(true); // one process owns an embedded store
        }
        let row = sqlx::query("SELECT pg_try_advisory_lock($1)")
            .bind(LEADER_LOCK)
            .fetch_one(conn)
            .await?;
        Ok(row.try_get::<bool, _>(0)?)
    }

    async fn lead(&self, shutdown: &mut watch::Receiver<bool>) -> anyhow::Result<()> {
        // The lock lives as long as this connection: if the process dies, a standby takes over.
        let mut conn = self.store.db().dedicated().await?;
        while !self.acquire(&mut conn).await? {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
        tracing::info!("relay: leading");
        ensure_topic(&self.brokers, &self.topic, self.partitions).await?;
        let producer = Self::producer(&self.brokers)?;
        let result = self.relay(&mut conn, &producer, shutdown).await;
        // On shutdown or failure, what is in flight gets its chance to be delivered.
        let _ = producer.flush(Duration::from_secs(10));
        result
    }

    async fn relay(
        &self,
        conn: &mut AnyConnection,
        producer: &FutureProducer,
        shutdown: &mut watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let mut commits = self.store.commits();
        let lag = metrics::LAG_EVENTS.with_label_values(&["relay"]);
        while !*shutdown.borrow() {
            let cursor = load_checkpoint(conn, CHECKPOINT).await?;
            let page = self.store.read_all(cursor, PAGE).await?;
            if page.is_empty() {
                if let Ok(head) = self.store.head().await {
                    lag.set((head - cursor.position).max(0));
                }
                tokio::select! {
                    _ = commits.changed() => {}
                    _ = shutdown.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
                continue;
            }
            let (acked, failure) = self.publish(producer, &page).await;
            if let Some(c) = acked {
                save_checkpoint(conn, CHECKPOINT, c).await?;
            }
            if let Some(e) = failure {
                anyhow::bail!("broker did not acknowledge: {e}");
            }
        }
        Ok(())
    }

    /// Produces a page; returns the cursor of the last event before the first failure.
    async fn publish(
        &self,
        producer: &FutureProducer,
        page: &[(LogCursor, RecordedEvent)],
    ) -> (Option<LogCursor>, Option<String>) {
        let mut deliveries = Vec::with_capacity(page.len());
        for (cursor, e) in page {
            let payload = keel_schemas::wire::encode(e);
            let event_id = e.event_id.to_string();
            let tenant = e.tenant_id.to_string();
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "event_type",
                    value: Some(e.event_type()),
                })
                .insert(Header {
                    key: "tenant_id",
                    value: Some(&tenant),
                })
                .insert(Header {
                    key: "event_id",
                    value: Some(&event_id),
                });
            let record = FutureRecord::to(&self.topic)
                .key(e.stream_id.as_str())
                .payload(&payload)
                .headers(headers);
            let sent = producer.send_result(record).map_err(|(e, _)| e.to_string());
            deliveries.push((*cursor, sent));
        }
        let mut acked = None;
        for (cursor, sent) in deliveries {
            let delivery = match sent {
                Ok(d) => d,
                Err(e) => return (acked, Some(e)),
            };
            match delivery.await {
                Ok(Ok(_)) => acked = Some(cursor),
                Ok(Err((e, _))) => return (acked, Some(e.to_string())),
                Err(_) => return (acked, Some("producer dropped the delivery".into())),
            }
        }
        (acked, None)
    }
}
