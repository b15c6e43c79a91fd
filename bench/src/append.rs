//! `keel-bench append`: each figure beside a baseline measured in the same run, as a ratio. Timings on a
//! shared machine are noisy; the ratio is what to compare between runs.

use chrono::Utc;
use keel_commands::{AppendRequest, EventStore};
use keel_events::{
    ApiKeyId, DomainEvent, EventId, ExpectedVersion, Metadata, NewEvent, StreamId, WorkspaceId,
    WorkspaceUpdated,
};
use keel_infra::consumer::KafkaProjector;
use keel_infra::kafka::{base_config, ensure_topic};
use keel_infra::migrate;
use keel_infra::relay::Relay;
use keel_infra::store::SqlStore;
use keel_projections::{Db, Projection};
use keel_testkit::db as testing;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

pub struct BenchOptions {
    /// A Postgres server the bench may create databases on.
    pub postgres_url: String,
    pub kafka_brokers: Option<String>,
    pub events: usize,
    pub writers: usize,
    /// Events per second for the freshness run.
    pub rate: u64,
    pub seconds: u64,
}

fn event() -> NewEvent {
    testing::sample_event()
}

/// An event with no inline projection work: the path high-volume ingestion events take.
fn plain_event() -> NewEvent {
    NewEvent {
        event_id: EventId::new_v7(),
        event: DomainEvent::WorkspaceUpdated(WorkspaceUpdated {
            name: Some("bench".into()),
            ..Default::default()
        }),
        occurred_at: Utc::now(),
    }
}

async fn fresh_db(admin_url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(&testing::fresh_postgres_url_in(admin_url).await, 40).await?;
    migrate::run(&db).await?;
    keel_projections::ensure_tables(&db).await?;
    Ok(db)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Events/s through the store with `writers` concurrent appenders, and raw multi-row INSERT rows/s
/// into an identically indexed table of the same database.
pub async fn append_throughput(
    o: &BenchOptions,
    make: fn() -> NewEvent,
    per_append: usize,
) -> anyhow::Result<(f64, f64)> {
    let db = fresh_db(&o.postgres_url).await?;
    let store = SqlStore::start(db.clone()).await?;
    let per_writer = o.events / o.writers / per_append * per_append;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..o.writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_writer / per_append {
                let stream = StreamId::api_key(ApiKeyId::new_v7());
                store
                    .append(AppendRequest {
                        tenant_id: WorkspaceId::new_v7(),
                        stream_id: stream,
                        expected: ExpectedVersion::NoStream,
                        events: (0..per_append).map(|_| make()).collect(),
                        metadata: Metadata::system(),
                        meter: None,
                    })
                    .await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let store_rate = (per_writer * o.writers) as f64 / started.elapsed().as_secs_f64();

    // Baseline: the same rows, written as fast as plain SQL can, with the same indexes.
    let raw_rate = raw_insert_rate(&db, per_writer * o.writers, &make().event).await?;
    Ok((store_rate, raw_rate))
}

/// Rows/s of plain multi-row `INSERT`s (500 rows per statement, 4 connections) of `rows` copies
/// of `event` into `events_baseline`, a table created `LIKE events INCLUDING ALL` (the same
/// indexes) in the same database: the baseline of every ingestion figure.
pub async fn raw_insert_rate(db: &Db, rows: usize, event: &DomainEvent) -> anyhow::Result<f64> {
    sqlx::query("CREATE TABLE IF NOT EXISTS events_baseline (LIKE events INCLUDING ALL)")
        .execute(&db.pool)
        .await?;
    let payload = keel_schemas::to_stored(event).payload.to_string();
    let event_type = event.event_type();
    let metadata = serde_json::to_string(&Metadata::system())?;
    let batch = 500;
    let conns = 4;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (db, payload, metadata) = (db.clone(), payload.clone(), metadata.clone());
        let mine = rows / conns + usize::from(c < rows % conns);
        tasks.push(tokio::spawn(async move {
            let mut left = mine;
            while left > 0 {
                let n = left.min(batch);
                let mut sql = String::from(
                    "INSERT INTO events_baseline (event_id, tenant_id, stream_id, stream_version, event_type, \
                     schema_version, payload, metadata, occurred_at, recorded_at) VALUES ",
                );
                for i in 0..n {
                    if i > 0 {
                        sql.push(',');
                    }
                    let b = i * 5;
                    sql.push_str(&format!(
                        "(CAST(${} AS uuid), CAST(${} AS uuid), ${}, 1, '{event_type}', 1, CAST(${} AS jsonb), \
                         CAST(${} AS jsonb), now(), now())",
                        b + 1, b + 2, b + 3, b + 4, b + 5
                    ));
                }
                let mut q = sqlx::query(&sql);
                for _ in 0..n {
                    q = q
                        .bind(uuid::Uuid::now_v7().to_string())
                        .bind(uuid::Uuid::now_v7().to_string())
                        .bind(format!("bench-{}", uuid::Uuid::now_v7()))
                        .bind(payload.clone())
                        .bind(metadata.clone());
                }
                q.execute(&db.pool).await?;
                left -= n;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}

/// Commit → visible in a read model through relay, Kafka and a projector: p50 and p99 in ms,
/// beside a plain produce → consume round trip on the same broker.
pub async fn freshness(
    o: &BenchOptions,
    brokers: &str,
) -> anyhow::Result<((f64, f64), (f64, f64))> {
    let db = fresh_db(&o.postgres_url).await?;
    let store = SqlStore::start(db.clone()).await?;
    let topic = format!("keel.bench.{}", uuid::Uuid::new_v4().simple());
    ensure_topic(brokers, &topic, 6).await?;
    let (stop, stop_rx) = watch::channel(false);
    let relay = tokio::spawn(Relay::new(store.clone(), brokers, &topic, 6)?.run(stop_rx.clone()));
    let projector = tokio::spawn(
        KafkaProjector::new(db.clone(), Projection::ApiKeys, brokers, &topic, None)?
            .run(stop_rx.clone()),
    );
    // Warm up: the first events wait for the consumer group to form.
    let warm = StreamId::api_key(ApiKeyId::new_v7());
    let o1 = store
        .append(AppendRequest {
            tenant_id: WorkspaceId::new_v7(),
            stream_id: warm.clone(),
            expected: ExpectedVersion::Any,
            events: vec![event()],
            metadata: Metadata::system(),
            meter: None,
        })
        .await?;
    while !keel_projections::has_applied(&db, Projection::ApiKeys, warm.as_str(), o1.last_position)
        .await?
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let committed: Arc<tokio::sync::Mutex<Vec<(i64, Instant)>>> = Default::default();
    let total = (o.rate * o.seconds) as usize;
    let writer = {
        let (store, committed) = (store.clone(), committed.clone());
        let interval = Duration::from_secs_f64(1.0 / o.rate as f64);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            for _ in 0..total {
                tick.tick().await;
                let out = store
                    .append(AppendRequest {
                        tenant_id: WorkspaceId::new_v7(),
                        stream_id: StreamId::api_key(ApiKeyId::new_v7()),
                        expected: ExpectedVersion::NoStream,
                        events: vec![event()],
                        metadata: Metadata::system(),
                        meter: None,
                    })
                    .await?;
                committed
                    .lock()
                    .await
                    .push((out.last_position, Instant::now()));
            }
            anyhow::Ok(())
        })
    };
    let mut latencies = Vec::with_capacity(total);
    let mut seen = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(o.seconds + 60);
    while latencies.len() < total && Instant::now() < deadline {
        let rows =
            sqlx::query("SELECT position FROM projection_streams WHERE projection = 'api_keys'")
                .fetch_all(&db.pool)
                .await?;
        let now = Instant::now();
        let visible: std::collections::HashSet<i64> =
            rows.iter().map(|r| r.get::<i64, _>(0)).collect();
        for (pos, at) in committed.lock().await.iter() {
            if !seen.contains(pos) && visible.contains(pos) {
                seen.insert(*pos);
                latencies.push(now.duration_since(*at).as_secs_f64() * 1000.0);
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writer.await??;
    stop.send(true)?;
    let _ = relay.await;
    let _ = projector.await;
    latencies.sort_by(f64::total_cmp);
    let keel = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));

    // Baseline: produce one message at a time at the same rate, consume it, same broker.
    let raw_topic = format!("keel.bench.raw.{}", uuid::Uuid::new_v4().simple());
    ensure_topic(brokers, &raw_topic, 6).await?;
    let producer: FutureProducer = base_config(brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "2")
        .create()?;
    let consumer: StreamConsumer = base_config(brokers)
        .set("group.id", format!("bench-{}", uuid::Uuid::new_v4()))
        .set("fetch.wait.max.ms", "20")
        .set("auto.offset.reset", "earliest")
        .create()?;
    consumer.subscribe(&[&raw_topic])?;
    let samples = total.min(500);
    let mut raw = Vec::with_capacity(samples);
    for i in 0..samples {
        let key = i.to_string();
        let sent = Instant::now();
        producer
            .send(
                FutureRecord::to(&raw_topic).key(&key).payload("x"),
                Duration::from_secs(5),
            )
            .await
            .map_err(|(e, _)| e)?;
        loop {
            let m = tokio::time::timeout(Duration::from_secs(30), consumer.recv()).await??;
            if rdkafka::Message::key(&m) == Some(key.as_bytes()) {
                break;
            }
        }
        raw.push(sent.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs_f64(1.0 / o.rate as f64)).await;
    }
    raw.sort_by(f64::total_cmp);
    Ok((keel, (percentile(&raw, 0.5), percentile(&raw, 0.99))))
}

pub async fn run(o: BenchOptions) -> anyhow::Result<String> {
    let mut out = String::new();
    for (label, make, per_append) in [
        (
            "single-event appends, no inline projection work",
            plain_event as fn() -> NewEvent,
            1,
        ),
        (
            "50-event appends, no inline projection work",
            plain_event as fn() -> NewEvent,
            50,
        ),
        (
            "50-event appends of key revocations (an inline UPDATE each)",
            event as fn() -> NewEvent,
            50,
        ),
    ] {
        let (store, raw) = append_throughput(&o, make, per_append).await?;
        out.push_str(&format!(
            "append throughput, {label} ({} writers, {} events): store {:.0} events/s | raw batched INSERT {:.0} rows/s | ratio {:.2} (target >= 0.5)\n",
            o.writers, o.events, store, raw, store / raw
        ));
    }
    match &o.kafka_brokers {
        Some(brokers) => {
            let ((p50, p99), (r50, r99)) = freshness(&o, brokers).await?;
            out.push_str(&format!(
                "end-to-end freshness ({} events/s for {} s, through Kafka): p50 {:.1} ms, p99 {:.1} ms (target p99 < 250 ms) | raw produce->consume p50 {:.1} ms, p99 {:.1} ms | p99 ratio {:.2}\n",
                o.rate, o.seconds, p50, p99, r50, r99, p99 / r99
            ));
        }
        None => out.push_str("end-to-end freshness: skipped (set KEEL_KAFKA_BROKERS)\n"),
    }
    Ok(out)
}
