//! Same-run baselines for single-event commands, on the Postgres server Keel runs on: a raw
//! one-row INSERT at N writers, and the postgres-es peer (cqrs-es's Postgres event store with a
//! trivial aggregate: load the stream, decide, append one event) at N writers.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

pub struct Peers {
    pub raw_insert: f64,
    pub raw_p99_ms: f64,
    pub postgres_es: f64,
    pub es_p99_ms: f64,
}

/// A workspace-like aggregate: created once, by name.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Named {
    name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NamedEvent {
    Created { name: String },
}

impl DomainEvent for NamedEvent {
    fn event_type(&self) -> String {
        "Created".into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug)]
pub struct AlreadyCreated;

impl std::fmt::Display for AlreadyCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("already created")
    }
}

impl std::error::Error for AlreadyCreated {}

impl Aggregate for Named {
    const TYPE: &'static str = "named";
    type Command = String;
    type Event = NamedEvent;
    type Error = AlreadyCreated;
    type Services = ();

    async fn handle(
        &mut self,
        name: String,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), AlreadyCreated> {
        if self.name.is_some() {
            return Err(AlreadyCreated);
        }
        sink.write(NamedEvent::Created { name }, self).await;
        Ok(())
    }

    fn apply(&mut self, event: NamedEvent) {
        let NamedEvent::Created { name } = event;
        self.name = Some(name);
    }
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE events (aggregate_type text NOT NULL, aggregate_id text NOT NULL, \
     sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL, \
     event_version text NOT NULL, payload json NOT NULL, metadata json NOT NULL, \
     PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    "CREATE TABLE raw_rows (id text PRIMARY KEY, name text NOT NULL, payload jsonb NOT NULL)",
];

fn p99(mut micros: Vec<u32>) -> f64 {
    micros.sort_unstable();
    micros
        .get((micros.len() * 99 / 100).min(micros.len().saturating_sub(1)))
        .map_or(f64::NAN, |m| f64::from(*m) / 1000.0)
}

/// Runs `op` from `writers` tasks for `secs`; operations per second and their latencies.
async fn run<F, Fut>(writers: usize, secs: f64, op: F) -> anyhow::Result<(f64, Vec<u32>)>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut micros = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                op().await?;
                micros.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            anyhow::Ok(micros)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len() as f64 / started.elapsed().as_secs_f64(), all))
}

/// Both baselines in a fresh database of the server at `url`, alternating twice.
pub async fn baselines(url: &str, writers: usize, secs: f64) -> anyhow::Result<Peers> {
    let fresh = keel_testkit::fresh_postgres_url_in(url).await;
    let pool = PgPoolOptions::new()
        .max_connections(u32::try_from(writers).unwrap_or(32))
        .connect(&fresh)
        .await?;
    for ddl in SCHEMA {
        sqlx::query(ddl).execute(&pool).await?;
    }
    let cqrs = std::sync::Arc::new(postgres_es::postgres_cqrs::<Named>(
        pool.clone(),
        vec![],
        (),
    ));
    let insert = {
        let pool = pool.clone();
        move || {
            let pool = pool.clone();
            async move {
                sqlx::query("INSERT INTO raw_rows (id, name, payload) VALUES ($1, $2, $3)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind("bench")
                    .bind(sqlx::types::Json(
                        serde_json::json!({"name": "bench", "tier": "free"}),
                    ))
                    .execute(&pool)
                    .await?;
                anyhow::Ok(())
            }
        }
    };
    let es = move || {
        let cqrs = cqrs.clone();
        async move {
            cqrs.execute(&uuid::Uuid::now_v7().to_string(), "bench".into())
                .await
                .map_err(|e| anyhow::anyhow!("postgres-es: {e}"))
        }
    };
    run(writers, 1.0, insert.clone()).await?;
    run(writers, 1.0, es.clone()).await?;
    let (mut raw, mut peer) = ((0.0, Vec::new()), (0.0, Vec::new()));
    for _ in 0..2 {
        let (r, m) = run(writers, secs / 2.0, insert.clone()).await?;
        raw.0 += r / 2.0;
        raw.1.extend(m);
        let (r, m) = run(writers, secs / 2.0, es.clone()).await?;
        peer.0 += r / 2.0;
        peer.1.extend(m);
    }
    pool.close().await;
    Ok(Peers {
        raw_insert: raw.0,
        raw_p99_ms: p99(raw.1),
        postgres_es: peer.0,
        es_p99_ms: p99(peer.1),
    })
}
