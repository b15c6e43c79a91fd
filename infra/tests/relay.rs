//! The relay against a real Kafka-protocol broker (started by scripts/test).

#![allow(clippy::unwrap_used)]

use keel_commands::{AppendRequest, EventStore};
use keel_events::{EventId, ExpectedVersion, Metadata, NewEvent, StreamId, WorkspaceId};
use keel_infra::relay::Relay;
use keel_infra::store::{SqlStore, StoreOptions};
use keel_testkit::fresh_postgres;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::watch;

fn brokers() -> String {
    std::env::var("KEEL_TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into())
}

fn topic() -> String {
    format!("keel.relay-test.{}", uuid::Uuid::new_v4().simple())
}

fn event() -> NewEvent {
    keel_testkit::sample_event()
}

async fn append(store: &SqlStore, stream: &StreamId) -> EventId {
    let e = event();
    let id = e.event_id;
    store
        .append(AppendRequest {
            tenant_id: WorkspaceId::new_v7(),
            stream_id: stream.clone(),
            expected: ExpectedVersion::Any,
            events: vec![e],
            metadata: Metadata::system(),
            meter: None,
        })
        .await
        .expect("append");
    id
}

/// Reads the topic until `expected` distinct events arrived (and a little longer, to catch
/// duplicates). Returns (event id, stream, version) in arrival order.
async fn consume(brokers: &str, topic: &str, expected: usize) -> Vec<(String, String, i64)> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("check-{}", uuid::Uuid::new_v4()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("topic.metadata.refresh.interval.ms", "500")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let mut distinct = HashSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut grace: Option<tokio::time::Instant> = None;
    loop {
        let now = tokio::time::Instant::now();
        if now > deadline || grace.is_some_and(|g| now > g) {
            return got;
        }
        if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(200), consumer.recv()).await {
            let e = keel_schemas::wire::decode(m.payload().unwrap()).unwrap();
            distinct.insert(e.event_id);
            got.push((
                e.event_id.to_string(),
                e.stream_id.to_string(),
                e.stream_version,
            ));
            if distinct.len() >= expected && grace.is_none() {
                grace = Some(tokio::time::Instant::now() + Duration::from_secs(1));
            }
        }
    }
}

fn check_once_in_order(got: &[(String, String, i64)], written: &HashSet<String>) {
    let ids: Vec<&String> = got.iter().map(|g| &g.0).collect();
    let unique: HashSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(unique.len(), ids.len(), "an event was delivered twice");
    assert_eq!(&unique, written, "delivered set differs from committed set");
    let mut last: HashMap<&str, i64> = HashMap::new();
    for (_, stream, version) in got {
        let prev = last.insert(stream, *version).unwrap_or(0);
        assert_eq!(*version, prev + 1, "{stream} out of order");
    }
}

#[tokio::test]
async fn slow_and_fast_transactions_are_relayed_exactly_once_in_stream_order() {
    let db = fresh_postgres().await;
    let slow = SqlStore::start_with(
        db.clone(),
        StoreOptions {
            pre_commit_delay: Some(Duration::from_millis(120)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let fast = SqlStore::start(db.clone()).await.unwrap();
    let topic = topic();
    let (stop, stop_rx) = watch::channel(false);
    let relay = tokio::spawn(
        Relay::new(fast.clone(), &brokers(), &topic, 3)
            .unwrap()
            .run(stop_rx),
    );
    let mut tasks = Vec::new();
    for (w, store) in [slow.clone(), fast.clone(), fast.clone()]
        .into_iter()
        .enumerate()
    {
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..30 {
                // Writers share streams, so order across slow and fast transactions matters.
                let stream = StreamId(format!("key-shared-{}", (i + w) % 4));
                ids.push(append(&store, &stream).await.to_string());
            }
            ids
        }));
    }
    let mut written = HashSet::new();
    for t in tasks {
        written.extend(t.await.unwrap());
    }
    let got = consume(&brokers(), &topic, written.len()).await;
    check_once_in_order(&got, &written);
    stop.send(true).unwrap();
    relay.await.unwrap();
}

struct Broker(Child);

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_broker(port: u16) -> Broker {
    let bin = std::env::var("KEEL_TANSU_BIN").expect("KEEL_TANSU_BIN (set by scripts/test)");
    let url = format!("tcp://127.0.0.1:{port}");
    let child = Command::new(bin)
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tansu");
    Broker(child)
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("broker did not start on {port}");
}

#[tokio::test]
async fn writes_succeed_while_the_broker_is_down_and_the_relay_catches_up() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let brokers = format!("127.0.0.1:{port}");
    let db = fresh_postgres().await;
    let store = SqlStore::start(db).await.unwrap();
    let topic = topic();
    let broker = start_broker(port);
    wait_for_port(port).await;
    let (stop, stop_rx) = watch::channel(false);
    let relay = tokio::spawn(
        Relay::new(store.clone(), &brokers, &topic, 2)
            .unwrap()
            .run(stop_rx),
    );
    let stream = StreamId("key-outage".into());
    let mut before = HashSet::new();
    for _ in 0..5 {
        before.insert(append(&store, &stream).await.to_string());
    }
    check_once_in_order(&consume(&brokers, &topic, before.len()).await, &before);

    drop(broker); // the broker goes away (its in-memory log with it)
    let mut during = HashSet::new();
    for _ in 0..10 {
        during.insert(append(&store, &stream).await.to_string());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _broker = start_broker(port);
    wait_for_port(port).await;
    let got = consume(&brokers, &topic, during.len()).await;
    let ids: HashSet<String> = got.iter().map(|g| g.0.clone()).collect();
    assert!(
        during.is_subset(&ids),
        "events written during the outage were lost: {} of {}",
        during.intersection(&ids).count(),
        during.len()
    );
    assert!(
        before.is_disjoint(&ids),
        "acknowledged events were sent again"
    );
    stop.send(true).unwrap();
    relay.await.unwrap();
}
