//! Reliability scenarios (issue 9, docs/reliability.md): each bounded in time, each on its own
//! fresh database. Scenario 5 so far: optimistic concurrency under 10,000 concurrent appends.

#![allow(clippy::unwrap_used)]

use keel_commands::{AppendRequest, EventStore, LogCursor, StoreError};
use keel_events::{ApiKeyId, EventId, ExpectedVersion, Metadata, StreamId, WorkspaceId};
use keel_infra::store::SqlStore;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const APPENDS: usize = 10_000;
/// Appends that expect the same version: at most one of them may win it.
const CONTENDERS: usize = 10;
/// Store instances over the same database, as several api processes would be.
const PROCESSES: usize = 4;

async fn one_winner_per_version(db: keel_infra::Db, stride: usize) {
    let mut stores = Vec::new();
    for _ in 0..PROCESSES {
        stores.push(SqlStore::start(db.clone()).await.unwrap());
    }
    let stream = StreamId::api_key(ApiKeyId::new_v7());
    let tenant = WorkspaceId::new_v7();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(APPENDS);
    // `stride` 1 spawns in version order (contenders of a version together, nearly every version
    // won); a stride coprime to APPENDS spawns a fixed permutation, so appends for later versions
    // race ahead of earlier ones and contenders of one version arrive far apart.
    for n in 0..APPENDS {
        let i = (n * stride) % APPENDS;
        let store = stores[n % PROCESSES].clone();
        let stream = stream.clone();
        tasks.push(tokio::spawn(async move {
            let mut e = keel_testkit::sample_event();
            e.event_id = EventId::new_v7();
            let id = e.event_id;
            let r = store
                .append(AppendRequest {
                    tenant_id: tenant,
                    stream_id: stream,
                    expected: ExpectedVersion::Exact((i / CONTENDERS) as i64),
                    events: vec![e],
                    metadata: Metadata::system(),
                    meter: None,
                })
                .await;
            (i, id, r)
        }));
    }
    let mut winners: Vec<(i64, EventId)> = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        let (i, id, r) = t.await.unwrap();
        match r {
            Ok(o) => {
                assert!(!o.duplicate);
                assert_eq!(
                    o.stream_version,
                    (i / CONTENDERS) as i64 + 1,
                    "a winner got the version it expected to create"
                );
                winners.push((o.stream_version, id));
            }
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("append {i}: unexpected {e:?}"),
        }
    }
    let elapsed = started.elapsed();
    winners.sort();
    let versions: Vec<i64> = winners.iter().map(|w| w.0).collect();
    assert!(!versions.is_empty(), "nobody won");
    assert_eq!(
        versions,
        (1..=versions.len() as i64).collect::<Vec<_>>(),
        "exactly one winner per version, no gaps"
    );
    // The stream holds exactly the winners' events, in their versions.
    let stored = stores[0].read_stream(&stream).await.unwrap();
    let stored: Vec<(i64, EventId)> = stored
        .iter()
        .map(|e| (e.stream_version, e.event_id))
        .collect();
    assert_eq!(stored, winners);
    // No event id twice anywhere in the log, and every winner in it.
    let wanted: HashSet<EventId> = winners.iter().map(|w| w.1).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ids = HashSet::new();
    let mut cursor = LogCursor::START;
    loop {
        let page = stores[0].read_all(cursor, 1000).await.unwrap();
        if page.is_empty() {
            if wanted.is_subset(&ids) || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        for (c, e) in page {
            cursor = c;
            assert!(
                ids.insert(e.event_id),
                "event id {} twice in the log",
                e.event_id
            );
        }
    }
    assert!(wanted.is_subset(&ids), "every winner is in the log");
    eprintln!(
        "one stream, {APPENDS} concurrent appends over {PROCESSES} stores ({CONTENDERS} per expected version, stride {stride}): \
         {} won, {conflicts} conflicts, 0 gaps, 0 duplicate ids, {:.1} s",
        winners.len(),
        elapsed.as_secs_f64()
    );
}

#[tokio::test]
async fn ten_thousand_concurrent_appends_on_one_stream_sqlite() {
    let (db, _dir) = keel_testkit::fresh_sqlite().await;
    one_winner_per_version(db.clone(), 1).await;
    one_winner_per_version(db, 7919).await;
}

#[tokio::test]
async fn ten_thousand_concurrent_appends_on_one_stream_postgres() {
    let db = keel_testkit::fresh_postgres().await;
    one_winner_per_version(db.clone(), 1).await;
    one_winner_per_version(db, 7919).await;
}
