//! Keel's roles as real processes: kill -9 the projector mid-stream, again and again (20 times,
//! or `KEEL_RELIABILITY_KILLS`), restart it, and find every read model equal to a from-scratch
//! rebuild (reliability scenario 1, docs/reliability.md). Analytics rollups are among them: an
//! event applied twice would count twice.

#![allow(clippy::unwrap_used)]

use chrono::Utc;
use keel_commands::api_key::{ApiKeyAggregate, ApiKeyCommand, CreateApiKey};
use keel_commands::workspace::{
    CreateWorkspace, UpdateWorkspace, WorkspaceAggregate, WorkspaceCommand,
};
use keel_commands::{execute, Execution};
use keel_commands::{AppendRequest, EventStore};
use keel_events::{
    ApiKeyId, DomainEvent, EventId, ExpectedVersion, Hit, Metadata, NewEvent, SiteId, StreamId,
    Tier, WorkspaceId, WorkspaceSettings,
};
use keel_infra::config::Config;
use keel_infra::SqlStore;
use keel_projections::Projection;
use sqlx::Row;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_role(role: &str, db_url: &str, topic: &str) -> Proc {
    let brokers =
        std::env::var("KEEL_TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into());
    spawn_role_on(role, db_url, topic, &brokers)
}

fn spawn_role_on(role: &str, db_url: &str, topic: &str, brokers: &str) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["serve", "--role", role])
        .env("KEEL_DATABASE_URL", db_url)
        .env("KEEL_KAFKA_BROKERS", brokers)
        .env("KEEL_KAFKA_TOPIC", topic)
        .env("KEEL_KAFKA_PARTITIONS", "3")
        .env("KEEL_LOG_FORMAT", "json")
        .env("KEEL_LOG", "warn")
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn keel");
    Proc(child)
}

fn exec(tenant: WorkspaceId, stream: StreamId) -> Execution {
    Execution {
        tenant_id: tenant,
        stream_id: stream,
        expected_version: None,
        metadata: Metadata::system(),
        now: Utc::now(),
        new_stream: false,
    }
}

/// Five pageviews of a few visitors of one site of `ws`.
async fn pageviews(store: &SqlStore, ws: WorkspaceId, i: usize) {
    let site = SiteId::new_v7();
    for n in 0..5 {
        let visitor = format!("{:032x}", (i * 5 + n) % 7);
        let hit = Hit {
            site_id: site,
            workspace_id: ws,
            visitor: visitor.clone(),
            visitor_id: None,
            session_id: None,
            name: None,
            url: Some(format!("https://shop.example.com/p/{}", n % 3)),
            path: Some(format!("/p/{}", n % 3)),
            referrer: None,
            source: Some(if n % 2 == 0 { "Google" } else { "Direct" }.into()),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_content: None,
            utm_term: None,
            hostname: None,
            country: None,
            device: Some("desktop".into()),
            browser: Some("Firefox".into()),
            browser_version: None,
            os: None,
            os_version: None,
            screen: None,
            region: None,
            city: None,
            properties: Default::default(),
            client_event_id: None,
            sealed: None,
        };
        store
            .append(AppendRequest {
                tenant_id: ws,
                stream_id: StreamId::visitor(site, &visitor),
                expected: ExpectedVersion::Any,
                events: vec![NewEvent {
                    event_id: EventId::new_v7(),
                    event: DomainEvent::PageviewRecorded(hit),
                    occurred_at: Utc::now(),
                }],
                metadata: Metadata::system(),
                meter: None,
            })
            .await
            .unwrap();
    }
}

/// A workspace with two keys, renamed once, and five pageviews.
async fn write_some(store: &SqlStore, i: usize) {
    let ws = WorkspaceId::new_v7();
    let create = WorkspaceCommand::Create(CreateWorkspace {
        workspace_id: ws,
        name: format!("ws {i}"),
        slug: format!("ws-{i}-{}", &ws.0.simple().to_string()[24..]),
        tier: Tier::Pro,
        settings: WorkspaceSettings::default(),
    });
    execute::<WorkspaceAggregate>(
        store,
        &exec(ws, StreamId::workspace(ws)),
        &create,
        EventId::new_v7,
    )
    .await
    .unwrap();
    for k in 0..2 {
        let id = ApiKeyId::new_v7();
        let cmd = ApiKeyCommand::Create(CreateApiKey {
            key_id: id,
            workspace_id: ws,
            name: format!("key {k}"),
            prefix: "keel_live_test".into(),
            key_hash: format!("{}", uuid::Uuid::new_v4().simple()),
            scopes: vec!["keys:read".into()],
            expires_at: None,
            rate_limit_tier: None,
            site_id: None,
            granted_by: None,
            creator_tier: None,
            now: Utc::now(),
        });
        execute::<ApiKeyAggregate>(
            store,
            &exec(ws, StreamId::api_key(id)),
            &cmd,
            EventId::new_v7,
        )
        .await
        .unwrap();
        if k == 1 {
            let revoke = ApiKeyCommand::Revoke {
                reason: Some("test".into()),
            };
            execute::<ApiKeyAggregate>(
                store,
                &exec(ws, StreamId::api_key(id)),
                &revoke,
                EventId::new_v7,
            )
            .await
            .unwrap();
        }
    }
    let rename = WorkspaceCommand::Update(UpdateWorkspace {
        name: Some(format!("ws {i} renamed")),
        ..Default::default()
    });
    execute::<WorkspaceAggregate>(
        store,
        &exec(ws, StreamId::workspace(ws)),
        &rename,
        EventId::new_v7,
    )
    .await
    .unwrap();
    pageviews(store, ws, i).await;
}

/// Every row of the projection's tables as text, in a stable order.
async fn snapshot(db: &keel_infra::Db, p: Projection) -> Vec<String> {
    let mut out = Vec::new();
    for t in p.tables() {
        let sql = match db.dialect {
            keel_infra::Dialect::Postgres => {
                format!("SELECT CAST(row_to_json(t) AS TEXT) FROM {t} t ORDER BY 1")
            }
            keel_infra::Dialect::Sqlite => {
                format!("SELECT json_object('row', CAST(rowid AS TEXT)) FROM {t} ORDER BY 1")
            }
        };
        for r in sqlx::query(&sql).fetch_all(&db.pool).await.unwrap() {
            out.push(r.get::<String, _>(0));
        }
    }
    out
}

/// How many (projection, stream) versions have been applied in all.
async fn applied(db: &keel_infra::Db) -> i64 {
    sqlx::query("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM projection_streams")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get(0)
}

async fn caught_up(store: &SqlStore, db: &keel_infra::Db) -> bool {
    let head = store.head().await.unwrap();
    for p in Projection::ALL {
        if !keel_projections::has_applied_range(db, p, 0, head)
            .await
            .unwrap()
        {
            return false;
        }
    }
    true
}

#[tokio::test]
async fn a_projector_killed_mid_stream_ends_equal_to_a_rebuild() {
    let url = keel_testkit::fresh_postgres_url().await;
    let topic = format!("keel.kill-test.{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let db = keel_api::app::open_database(&config).await.unwrap();
    let store = SqlStore::start(db.clone()).await.unwrap();

    let kills: usize = std::env::var("KEEL_RELIABILITY_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let started = std::time::Instant::now();
    let _relay = spawn_role("relay", &url, &topic);
    let mut projector = spawn_role("projector", &url, &topic);
    // Events flow the whole time: a workspace's worth every 50 ms until the last kill, at
    // least 300.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut i = 0;
            while i < 300 || !*stopped.borrow() {
                write_some(&store, i).await;
                i += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            i
        })
    };
    for _ in 0..kills {
        // Kill only once this projector has applied something: mid-stream, not mid-join.
        let before = applied(&db).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while applied(&db).await <= before && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(projector); // SIGKILL: no chance to finish a batch or commit offsets
                         // Come back after the group's session timeout (6 s), like a supervisor's restart delay.
                         // (Tansu, the test broker, can strand partitions when a new member joins a group that
                         // still lists a dead one; Apache Kafka reassigns either way.)
        tokio::time::sleep(Duration::from_secs(10)).await;
        projector = spawn_role("projector", &url, &topic);
    }
    let _ = stop.send(true);
    let written = writer.await.unwrap();
    let events = store.head().await.unwrap();
    // Generous: Tansu sometimes withholds a partition's tail for about a minute after restarts
    // (seen near offset 500 of a partition), then delivers it; Apache Kafka does not.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while !caught_up(&store, &db).await {
        if tokio::time::Instant::now() > deadline {
            let q = |sql: &'static str| {
                let db = db.clone();
                async move {
                    sqlx::query(sql)
                        .fetch_all(&db.pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.get::<String, _>(0))
                        .collect::<Vec<_>>()
                }
            };
            panic!(
                "projector never caught up:\n events {:?}\n relay {:?}\n offsets {:?}\n guards {:?}",
                q("SELECT CAST(COUNT(*) AS TEXT) || ' max ' || CAST(MAX(position) AS TEXT) FROM events").await,
                q("SELECT name || ' ' || CAST(position AS TEXT) FROM checkpoints").await,
                q("SELECT projection || ' p' || CAST(partition_id AS TEXT) || ' -> ' || CAST(next_offset AS TEXT) FROM projector_offsets ORDER BY 1").await,
                q("SELECT projection || ' ' || CAST(COUNT(*) AS TEXT) || ' ' || CAST(SUM(version) AS TEXT) FROM projection_streams GROUP BY projection").await,
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let recovered = started.elapsed();
    let live: Vec<Vec<String>> = futures_snapshots(&db).await;
    assert_eq!(live[0].len(), written, "one row per workspace");
    assert_eq!(live[1].len(), 2 * written, "one row per key");
    let hits: i64 = sqlx::query("SELECT COUNT(*) FROM rm_hits")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(hits, 5 * written as i64, "every pageview applied once");
    for p in Projection::ALL {
        keel_infra::rebuild::rebuild(&store, p).await.unwrap();
    }
    assert_eq!(
        futures_snapshots(&db).await,
        live,
        "live read models differ from a rebuild"
    );
    eprintln!(
        "projector killed {kills} times: {events} events ({written} workspaces), every read model equal to a rebuild, \
         0 applied twice, {:.0} s in all",
        recovered.as_secs_f64()
    );
    drop(projector);
}

async fn futures_snapshots(db: &keel_infra::Db) -> Vec<Vec<String>> {
    let mut v = Vec::new();
    for p in Projection::ALL {
        v.push(snapshot(db, p).await);
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Scenario 2: the relay killed under load, with long-held transactions.

/// The relay's checkpoint (its cursor in the log, as text), empty before its first page.
async fn relay_checkpoint(db: &keel_infra::Db) -> String {
    sqlx::query(
        "SELECT CAST(txid AS TEXT) || ':' || CAST(position AS TEXT) FROM checkpoints WHERE name = 'relay'",
    )
    .fetch_optional(&db.pool)
    .await
    .unwrap()
    .map(|r| r.get::<String, _>(0))
    .unwrap_or_default()
}

/// Everything on the topic, from the start, until `expected` distinct events have arrived and
/// two quiet seconds more (to catch duplicates): (event id, stream, version) in arrival order.
async fn read_topic(
    brokers: &str,
    topic: &str,
    expected: usize,
    limit: Duration,
) -> Vec<(String, String, i64)> {
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::Message;
    let consumer: StreamConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("check-{}", uuid::Uuid::new_v4()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("topic.metadata.refresh.interval.ms", "500")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut got = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    let deadline = tokio::time::Instant::now() + limit;
    let mut quiet_until: Option<tokio::time::Instant> = None;
    loop {
        let now = tokio::time::Instant::now();
        if now > deadline || quiet_until.is_some_and(|q| now > q) {
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
            if distinct.len() >= expected {
                quiet_until = Some(tokio::time::Instant::now() + Duration::from_secs(2));
            }
        }
    }
}

/// Per stream, in arrival order, each version is either the next one or a repeat of one already
/// seen (a relay killed between the broker's acknowledgement and its checkpoint publishes that
/// page again). Returns how many repeats there were.
fn check_stream_order(got: &[(String, String, i64)]) -> usize {
    let mut last: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut repeats = 0;
    for (id, stream, version) in got {
        let max = last.entry(stream).or_insert(0);
        if *version <= *max {
            repeats += 1;
        } else {
            assert_eq!(
                *version,
                *max + 1,
                "{stream}: version {version} ({id}) arrived after {max}, a gap"
            );
            *max = *version;
        }
    }
    repeats
}

#[tokio::test]
async fn a_relay_killed_under_load_publishes_exactly_the_committed_set_in_stream_order() {
    use std::collections::HashSet;
    let url = keel_testkit::fresh_postgres_url().await;
    let topic = format!("keel.relay-kill.{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let db = keel_api::app::open_database(&config).await.unwrap();
    let fast = SqlStore::start(db.clone()).await.unwrap();
    // Its transactions stay open 3 s after their events are written: later transactions commit
    // first, with higher positions, and the relay must neither skip these nor publish past them
    // out of stream order.
    let slow = SqlStore::start_with(
        db.clone(),
        keel_infra::store::StoreOptions {
            pre_commit_delay: Some(Duration::from_secs(3)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let kills: usize = std::env::var("KEEL_RELIABILITY_RELAY_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);

    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Writers on eight shared streams: four fast, one slow. Every fifth append of a fast writer
    // is followed by one that expects a version the stream is not at: it is rolled back, and
    // its event must never reach Kafka.
    let mut writers = Vec::new();
    for w in 0..5usize {
        let store = if w == 4 { slow.clone() } else { fast.clone() };
        let stopped = stopped.clone();
        writers.push(tokio::spawn(async move {
            let (mut acked, mut rejected) = (Vec::new(), Vec::new());
            let mut i = 0usize;
            while !*stopped.borrow() {
                let stream = StreamId(format!("key-relay-{}", (i + w) % 8));
                let e = keel_testkit::sample_event();
                let id = e.event_id.to_string();
                let request = |expected, e| AppendRequest {
                    tenant_id: WorkspaceId::new_v7(),
                    stream_id: stream.clone(),
                    expected,
                    events: vec![e],
                    metadata: Metadata::system(),
                    meter: None,
                };
                store
                    .append(request(ExpectedVersion::Any, e))
                    .await
                    .unwrap();
                acked.push(id);
                if w < 4 && i.is_multiple_of(5) {
                    let e = keel_testkit::sample_event();
                    let id = e.event_id.to_string();
                    let r = store
                        .append(request(ExpectedVersion::Exact(1_000_000), e))
                        .await;
                    assert!(r.is_err(), "an append at a wrong version was accepted");
                    rejected.push(id);
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (acked, rejected)
        }));
    }

    let started = std::time::Instant::now();
    let mut relay = spawn_role("relay", &url, &topic);
    for k in 0..kills {
        // Kill once this relay has published something (mid-stream, not mid-start), at a moment
        // that moves from cycle to cycle: between pages, mid-page, before a checkpoint.
        let before = relay_checkpoint(&db).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while relay_checkpoint(&db).await == before && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis((k as u64 * 37) % 250)).await;
        drop(relay); // SIGKILL, whatever it was doing
        relay = spawn_role("relay", &url, &topic);
    }
    let _ = stop.send(true);
    let (mut acked, mut rejected) = (HashSet::new(), HashSet::new());
    for w in writers {
        let (a, r) = w.await.unwrap();
        acked.extend(a);
        rejected.extend(r);
    }
    let killed_at = std::time::Instant::now();
    let committed: HashSet<String> = sqlx::query("SELECT CAST(event_id AS TEXT) FROM events")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    assert_eq!(
        committed, acked,
        "the log holds exactly the acknowledged appends"
    );

    let brokers =
        std::env::var("KEEL_TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into());
    let got = read_topic(&brokers, &topic, committed.len(), Duration::from_secs(180)).await;
    let caught_up = killed_at.elapsed();
    let published: HashSet<String> = got.iter().map(|g| g.0.clone()).collect();
    let lost = committed.difference(&published).count();
    let foreign: Vec<&String> = published.difference(&committed).collect();
    assert_eq!(lost, 0, "committed events missing from Kafka");
    assert!(
        foreign.is_empty(),
        "events on the topic that were never committed: {foreign:?}"
    );
    assert!(
        published.is_disjoint(&rejected),
        "a rolled-back append reached Kafka"
    );
    let repeats = check_stream_order(&got);
    eprintln!(
        "relay killed {kills} times: {} events committed ({} rolled back), {} on the topic, 0 lost, \
         {repeats} published again after a kill, stream order kept; {:.0} s in all, {:.1} s from the last \
         kill to every event on the topic",
        committed.len(),
        rejected.len(),
        got.len(),
        started.elapsed().as_secs_f64(),
        caught_up.as_secs_f64()
    );
    drop(relay);
}

// ---------------------------------------------------------------------------------------------
// Scenario 3: the broker unreachable for 30 s under load, its log intact when it returns.

/// A Tansu broker of this test's own, reached through a gate the test can shut: shut, every
/// connection to the broker is cut and new ones are refused, as when a broker is down; opened,
/// the broker is back with its log intact. (Tansu's in-memory log would not survive a restart of
/// the process, and its Postgres storage needs a schema that its crate does not ship.)
struct Broker {
    _child: Proc,
    port: u16,
    open: tokio::sync::watch::Sender<bool>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Broker {
    async fn new() -> Broker {
        let bin = std::env::var("KEEL_TANSU_BIN").expect("KEEL_TANSU_BIN (set by scripts/test)");
        let (inner, port) = (free_port(), free_port());
        let child = Proc(
            Command::new(bin)
                .args([
                    "broker",
                    "--listener-url",
                    &format!("tcp://127.0.0.1:{inner}"),
                    // Clients are told to come back through the gate.
                    "--advertised-listener-url",
                    &format!("tcp://127.0.0.1:{port}"),
                    "--storage-engine",
                    "memory://tansu/",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start tansu"),
        );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", inner))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (open, gate) = tokio::sync::watch::channel(true);
        tokio::spawn(Self::gate(port, inner, gate));
        Broker {
            _child: child,
            port,
            open,
        }
    }

    async fn gate(port: u16, inner: u16, mut open: tokio::sync::watch::Receiver<bool>) {
        loop {
            while !*open.borrow_and_update() {
                if open.changed().await.is_err() {
                    return;
                }
            }
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket
                .bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
                .unwrap();
            let listener = socket.listen(128).unwrap();
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut client, _)) = accepted else { continue };
                        connections.spawn(async move {
                            if let Ok(mut upstream) = tokio::net::TcpStream::connect(("127.0.0.1", inner)).await {
                                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                            }
                        });
                    }
                    changed = open.changed() => {
                        if changed.is_err() || !*open.borrow() {
                            break;
                        }
                    }
                }
            }
            // Shut: the listener goes (new connections are refused) and every connection is cut.
            drop(listener);
            connections.shutdown().await;
        }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn stop(&self) {
        let _ = self.open.send(false);
    }

    fn start(&self) {
        let _ = self.open.send(true);
    }
}

/// How far the relay is behind the log: events committed and not yet acknowledged by Kafka.
async fn relay_lag(db: &keel_infra::Db) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) FROM events WHERE position > COALESCE((SELECT position FROM checkpoints WHERE name = 'relay'), 0)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get(0)
}

#[tokio::test]
async fn a_broker_stopped_for_30_s_under_load_loses_nothing_and_lag_recovers() {
    let outage = Duration::from_secs(
        std::env::var("KEEL_RELIABILITY_BROKER_OUTAGE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
    );
    let broker = Broker::new().await;
    let brokers = broker.address();
    let url = keel_testkit::fresh_postgres_url().await;
    let topic = format!("keel.broker-outage.{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let db = keel_api::app::open_database(&config).await.unwrap();
    let store = SqlStore::start(db.clone()).await.unwrap();
    let _relay = spawn_role_on("relay", &url, &topic, &brokers);
    let _projector = spawn_role_on("projector", &url, &topic, &brokers);

    // Writes all along; every append must succeed (the writer unwraps).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut i = 0;
            while !*stopped.borrow() {
                write_some(&store, i).await;
                i += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            i
        })
    };
    // Normal service first: the projector has applied something and the relay keeps up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while applied(&db).await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the projector never started applying"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let lag_before = relay_lag(&db).await;

    broker.stop();
    let head_at_stop = store.head().await.unwrap();
    tokio::time::sleep(outage).await;
    let written_during = store.head().await.unwrap() - head_at_stop;
    let lag_peak = relay_lag(&db).await;
    broker.start();
    let back = std::time::Instant::now();
    // Lag returns to normal: the relay's backlog drains while writes go on.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while relay_lag(&db).await > lag_before.max(50) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "relay lag stayed at {} (it was {lag_before} before the outage)",
            relay_lag(&db).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let relay_recovered = back.elapsed();

    let _ = stop.send(true);
    let written = writer.await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while !caught_up(&store, &db).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the projector never caught up after the broker came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let projector_recovered = back.elapsed();

    // Nothing lost: every committed event is on the topic, and every read model holds it once.
    let committed: std::collections::HashSet<String> =
        sqlx::query("SELECT CAST(event_id AS TEXT) FROM events")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
    let got = read_topic(&brokers, &topic, committed.len(), Duration::from_secs(120)).await;
    let published: std::collections::HashSet<String> = got.iter().map(|g| g.0.clone()).collect();
    assert_eq!(
        committed.difference(&published).count(),
        0,
        "committed events missing from the topic"
    );
    assert!(
        published.is_subset(&committed),
        "uncommitted events on the topic"
    );
    let repeats = check_stream_order(&got);
    let live = futures_snapshots(&db).await;
    assert_eq!(live[0].len(), written, "one row per workspace");
    let hits: i64 = sqlx::query("SELECT COUNT(*) FROM rm_hits")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(hits, 5 * written as i64, "every pageview applied once");
    for p in Projection::ALL {
        keel_infra::rebuild::rebuild(&store, p).await.unwrap();
    }
    assert_eq!(
        futures_snapshots(&db).await,
        live,
        "live read models differ from a rebuild"
    );
    eprintln!(
        "broker unreachable {:.0} s under load: {written_during} events appended meanwhile (every append succeeded), relay lag {lag_before} before, {lag_peak} at the end of the outage, back to normal {:.1} s after the broker returned; projector caught up {:.1} s after; {} events committed, all on the topic ({repeats} repeats), 0 lost, read models equal to a rebuild",
        outage.as_secs_f64(),
        relay_recovered.as_secs_f64(),
        projector_recovered.as_secs_f64(),
        committed.len()
    );
}
