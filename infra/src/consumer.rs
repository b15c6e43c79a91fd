//! Projectors as Kafka consumer-group members. Each batch is applied in one database transaction
//! together with the partition offsets it reached, and every write is guarded by stream version,
//! so redelivery after a crash or a rebalance changes nothing.

use crate::kafka::base_config;
use keel_events::RecordedEvent;
use keel_projections::{apply_events, Db, Projection};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;

const MAX_BATCH: usize = 1000;
/// A hole in a partition's offsets that is still there after this many seeks is taken as real
/// (compaction). Each seek starts further back: `next - (2^n - 1)`, so that a broker that can
/// only serve whole record batches is eventually asked for one that starts on a boundary.
const SEEKS_BEFORE_ACCEPTING_A_HOLE: u32 = 12;

pub struct KafkaProjector {
    db: Db,
    projection: Projection,
    consumer: StreamConsumer,
    topic: String,
}

/// One received message: where it came from and what it says.
struct Received {
    partition: i32,
    offset: i64,
    /// `Ok(None)`: an event of another projection's streams (by its key), not decoded.
    event: Result<Option<RecordedEvent>, String>,
}

/// One consumer group per topic and projection: every projection reads every event.
pub fn group_id(topic: &str, p: Projection) -> String {
    format!("keel-projector.{topic}.{}", p.name())
}

impl KafkaProjector {
    pub fn new(
        db: Db,
        projection: Projection,
        brokers: &str,
        topic: &str,
        instance_id: Option<&str>,
    ) -> anyhow::Result<KafkaProjector> {
        let mut config = base_config(brokers);
        if let Some(id) = instance_id {
            config.set("group.instance.id", format!("{id}.{}", projection.name()));
        }
        let consumer: StreamConsumer = config
            .set("group.id", group_id(topic, projection))
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", "6000")
            .set("heartbeat.interval.ms", "1000")
            // Freshness: a broker that holds fetches for the full wait would otherwise add 500 ms.
            .set("fetch.wait.max.ms", "20")
            .create()?;
        Ok(KafkaProjector {
            db,
            projection,
            consumer,
            topic: topic.into(),
        })
    }

    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let name = self.projection.name();
        let mut subscribed = false;
        let mut conn: Option<AnyConnection> = None;
        let mut pending: Vec<Received> = Vec::new();
        // Per partition, the offset last sought back to (a hole seen twice is real).
        let mut sought: BTreeMap<i32, (i64, u32)> = BTreeMap::new();
        // Approximate: the head of the log minus the newest position of the last batch.
        let lag = crate::metrics::LAG_EVENTS.with_label_values(&[&format!("projector:{name}")]);
        while !*shutdown.borrow() {
            if !subscribed {
                match self.consumer.subscribe(&[&self.topic]) {
                    Ok(()) => subscribed = true,
                    Err(e) => {
                        tracing::warn!(projection = name, error = %e, "projector cannot subscribe; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            if pending.is_empty() {
                tokio::select! {
                    m = self.consumer.recv() => match m {
                        Ok(m) => pending.push(received(&m, self.projection)),
                        Err(e) => {
                            tracing::warn!(projection = name, error = %e, "projector receive failed");
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            continue;
                        }
                    },
                    _ = shutdown.changed() => break,
                }
                // Take whatever else is already there, briefly, to batch the transaction.
                while pending.len() < MAX_BATCH {
                    match tokio::time::timeout(Duration::from_millis(2), self.consumer.recv()).await
                    {
                        Ok(Ok(m)) => pending.push(received(&m, self.projection)),
                        _ => break,
                    }
                }
            }
            if conn.is_none() {
                match self.db.projector_connection().await {
                    Ok(c) => conn = Some(c),
                    Err(e) => {
                        tracing::warn!(projection = name, error = %e, "projector cannot reach the database; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            // The batch is kept and retried until it commits: nothing received is dropped.
            match self.apply(c, &pending, &sought).await {
                Ok(Applied { reached, seeks }) => {
                    if let Some(max) = pending
                        .iter()
                        .filter_map(|m| {
                            m.event
                                .as_ref()
                                .ok()
                                .and_then(|e| e.as_ref())
                                .map(|e| e.position)
                        })
                        .max()
                    {
                        if let Ok(row) =
                            sqlx::query("SELECT COALESCE(MAX(position), 0) FROM events")
                                .fetch_one(&self.db.pool)
                                .await
                        {
                            lag.set((row.get::<i64, _>(0) - max).max(0));
                        }
                    }
                    pending.clear();
                    let mut tpl = TopicPartitionList::new();
                    for (partition, next) in reached {
                        let _ =
                            tpl.add_partition_offset(&self.topic, partition, Offset::Offset(next));
                    }
                    // Kafka's own commit only saves redelivery; the database holds the truth.
                    if tpl.count() > 0 {
                        let _ = self.consumer.commit(&tpl, CommitMode::Async);
                    }
                    for (partition, next) in seeks {
                        let entry = sought.entry(partition).or_insert((next, 0));
                        *entry = if entry.0 == next {
                            (next, entry.1 + 1)
                        } else {
                            (next, 1)
                        };
                        let back = (1i64 << (entry.1 - 1).min(40)) - 1;
                        let target = (next - back).max(0);
                        tracing::warn!(
                            projection = name,
                            partition,
                            expected = next,
                            seek_to = target,
                            "offsets skipped ahead of the stored position; seeking back"
                        );
                        if let Err(e) = self.consumer.seek(
                            &self.topic,
                            partition,
                            Offset::Offset(target),
                            Duration::from_secs(5),
                        ) {
                            tracing::warn!(projection = name, partition, error = %e, "seek failed; will retry on the next message");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(projection = name, error = %e, "projector batch failed; retrying");
                    conn = None;
                    tokio::select! { _ = tokio::time::sleep(Duration::from_millis(500)) => {}, _ = shutdown.changed() => {} }
                }
            }
        }
        close(self.consumer, name).await;
    }

    /// Applies a batch and records the offsets reached, in one transaction. Messages before the
    /// stored offset of their partition were applied before and are skipped; a message after it
    /// (a hole: the broker skipped records) stops that partition and asks for a seek back.
    async fn apply(
        &self,
        conn: &mut AnyConnection,
        batch: &[Received],
        sought: &BTreeMap<i32, (i64, u32)>,
    ) -> anyhow::Result<Applied> {
        sqlx::query(self.db.begin_write())
            .execute(&mut *conn)
            .await?;
        let result = async {
            let mut expected: BTreeMap<i32, i64> = BTreeMap::new();
            for r in sqlx::query(
                "SELECT partition_id, next_offset FROM projector_offsets WHERE projection = $1 AND topic = $2",
            )
            .bind(self.projection.name())
            .bind(&self.topic)
            .fetch_all(&mut *conn)
            .await?
            {
                expected.insert(r.get::<i64, _>(0) as i32, r.get(1));
            }
            let mut events = Vec::new();
            let mut reached: BTreeMap<i32, i64> = BTreeMap::new();
            let mut seeks: BTreeMap<i32, i64> = BTreeMap::new();
            for m in batch {
                if seeks.contains_key(&m.partition) {
                    continue;
                }
                if let Some(&next) = expected.get(&m.partition) {
                    if m.offset < next {
                        continue; // applied before
                    }
                    // A hole: seek back (further each time); one still there after that is real.
                    let tries = sought.get(&m.partition).filter(|(o, _)| *o == next).map_or(0, |(_, n)| *n);
                    if m.offset > next {
                        if tries < SEEKS_BEFORE_ACCEPTING_A_HOLE {
                            seeks.insert(m.partition, next);
                            continue;
                        }
                        tracing::error!(
                            projection = self.projection.name(),
                            partition = m.partition,
                            expected = next,
                            got = m.offset,
                            "offsets missing from the topic; going on from the next one"
                        );
                    }
                }
                if let Some(e) = m
                    .event
                    .clone()
                    .map_err(|e| anyhow::anyhow!("partition {} offset {}: {e}", m.partition, m.offset))?
                {
                    events.push(e);
                }
                expected.insert(m.partition, m.offset + 1);
                reached.insert(m.partition, m.offset + 1);
            }
            apply_events(conn, self.projection, self.projection.name(), "", &events).await?;
            for (partition, next) in &reached {
                sqlx::query(
                    "INSERT INTO projector_offsets (projection, topic, partition_id, next_offset) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (projection, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset",
                )
                .bind(self.projection.name())
                .bind(&self.topic)
                .bind(*partition as i64)
                .bind(*next)
                .execute(&mut *conn)
                .await?;
            }
            anyhow::Ok(Applied { reached, seeks })
        }
        .await;
        match result {
            Ok(applied) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                Ok(applied)
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }
}

/// What one batch did: offsets reached per partition, and partitions to re-read from an offset.
struct Applied {
    reached: BTreeMap<i32, i64>,
    seeks: BTreeMap<i32, i64>,
}

/// A message as received. The key is the event's stream: an event of another projection's
/// streams is not decoded (every projection's group reads every event).
fn received(m: &rdkafka::message::BorrowedMessage<'_>, projection: Projection) -> Received {
    let other = m
        .key()
        .and_then(|k| std::str::from_utf8(k).ok())
        .is_some_and(|stream| !projection.covers(stream));
    let event = match m.payload() {
        Some(_) if other => Ok(None),
        Some(p) => keel_schemas::wire::decode(p)
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Err("empty message".into()),
    };
    Received {
        partition: m.partition(),
        offset: m.offset(),
        event,
    }
}

/// Closes a consumer (it leaves its group) on a thread of its own, waiting at most 10 s.
/// librdkafka can block forever in a close that meets a pending rebalance (`rd_kafka_assign`
/// waits without a timeout, confluentinc/librdkafka#4884); on the runtime's thread that would
/// hang the whole stop, so past the wait the thread is left behind and the stop goes on.
async fn close(consumer: StreamConsumer, name: &'static str) {
    let (done, closed) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("keel-consumer-close".into())
        .spawn(move || {
            drop(consumer);
            let _ = done.send(());
        });
    if spawned.is_err() {
        tracing::warn!(
            projection = name,
            "could not start a thread to close the consumer"
        );
        return;
    }
    if tokio::time::timeout(Duration::from_secs(10), closed)
        .await
        .is_err()
    {
        tracing::warn!(
            projection = name,
            "the Kafka consumer did not close within 10 s (a librdkafka hang); leaving it behind"
        );
    }
}
