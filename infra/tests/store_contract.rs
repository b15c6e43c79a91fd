//! The event-store contract, one suite run against every adapter: in-memory, SQLite and Postgres.

#![allow(clippy::unwrap_used)]

use keel_commands::{AppendRequest, EventStore, InMemoryStore, LogCursor, StoreError};
use keel_events::{ApiKeyId, EventId, ExpectedVersion, Metadata, NewEvent, StreamId, WorkspaceId};
use keel_infra::store::{SqlStore, StoreOptions};
use keel_infra::Db;
use keel_testkit::{fresh_postgres, fresh_sqlite};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

enum Backend {
    Memory,
    Sqlite,
    Postgres,
}

/// Several stores over one database, like several processes (memory: the same store).
struct Harness {
    stores: Vec<Arc<dyn EventStore>>,
    sql: Vec<SqlStore>,
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    async fn open(&self, writers: usize, slow: Option<Duration>) -> Harness {
        let (db, dir): (Db, _) = match self {
            Backend::Memory => {
                let s: Arc<dyn EventStore> = Arc::new(InMemoryStore::new());
                return Harness {
                    stores: vec![s; writers],
                    sql: vec![],
                    _dir: None,
                };
            }
            Backend::Sqlite => {
                let (db, dir) = fresh_sqlite().await;
                (db, Some(dir))
            }
            Backend::Postgres => (fresh_postgres().await, None),
        };
        let mut sql = Vec::new();
        for i in 0..writers {
            // The first writer is the slow one, when asked for.
            let options = StoreOptions {
                pre_commit_delay: if i == 0 { slow } else { None },
                ..Default::default()
            };
            sql.push(
                SqlStore::start_with(db.clone(), options)
                    .await
                    .expect("store starts"),
            );
        }
        let stores = sql
            .iter()
            .map(|s| Arc::new(s.clone()) as Arc<dyn EventStore>)
            .collect();
        Harness {
            stores,
            sql,
            _dir: dir,
        }
    }
}

fn event() -> NewEvent {
    keel_testkit::sample_event()
}

fn request(stream: &StreamId, expected: ExpectedVersion, events: Vec<NewEvent>) -> AppendRequest {
    AppendRequest {
        tenant_id: WorkspaceId::new_v7(),
        stream_id: stream.clone(),
        expected,
        events,
        metadata: Metadata::system(),
        meter: None,
    }
}

/// Pages through the whole log, waiting (bounded) until `expected` events are visible: on Postgres
/// a transaction still running anywhere in the cluster holds the tail back until it ends.
async fn read_everything(s: &dyn EventStore, page: usize, expected: usize) -> Vec<EventId> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    let mut cursor = LogCursor::START;
    loop {
        let rows = s.read_all(cursor, page).await.expect("page");
        if let Some((c, _)) = rows.last() {
            cursor = *c;
        }
        let empty = rows.is_empty();
        seen.extend(rows.into_iter().map(|(_, e)| e.event_id));
        if empty && (seen.len() >= expected || tokio::time::Instant::now() > deadline) {
            return seen;
        }
        if empty {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn stream() -> StreamId {
    StreamId::api_key(ApiKeyId::new_v7())
}

async fn expected_versions_are_enforced(b: Backend) {
    let h = b.open(1, None).await;
    let s = &h.stores[0];
    let id = stream();
    let o = s
        .append(request(
            &id,
            ExpectedVersion::NoStream,
            vec![event(), event()],
        ))
        .await
        .expect("first");
    assert_eq!(o.stream_version, 2);
    assert!(o.last_position > o.first_position);
    for stale in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(1),
        ExpectedVersion::Exact(3),
    ] {
        let err = s
            .append(request(&id, stale, vec![event()]))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { actual: 2, .. }),
            "{stale:?}: {err:?}"
        );
    }
    s.append(request(&id, ExpectedVersion::Exact(2), vec![event()]))
        .await
        .expect("exact");
    let o = s
        .append(request(&id, ExpectedVersion::Any, vec![event()]))
        .await
        .expect("any");
    assert_eq!(o.stream_version, 4);
    let history = s.read_stream(&id).await.expect("read");
    assert_eq!(
        history.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(history.windows(2).all(|w| w[0].position < w[1].position));
}

async fn a_repeated_event_id_is_a_no_op_reporting_the_original(b: Backend) {
    let h = b.open(1, None).await;
    let s = &h.stores[0];
    let id = stream();
    let events = vec![event(), event()];
    let first = s
        .append(request(&id, ExpectedVersion::NoStream, events.clone()))
        .await
        .expect("first");
    // Even with an expectation that is now stale, a retry of the same events is recognised.
    let again = s
        .append(request(&id, ExpectedVersion::NoStream, events.clone()))
        .await
        .expect("retry");
    assert!(again.duplicate);
    assert_eq!(
        (
            again.first_position,
            again.last_position,
            again.stream_version
        ),
        (first.first_position, first.last_position, 2)
    );
    let err = s
        .append(request(
            &id,
            ExpectedVersion::Any,
            vec![events[0].clone(), event()],
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EventIdReused(_)), "{err:?}");
    assert_eq!(s.read_stream(&id).await.expect("read").len(), 2);
    assert_eq!(read_everything(s.as_ref(), 100, 2).await.len(), 2);
}

async fn read_all_pages_through_the_log_in_order(b: Backend) {
    let h = b.open(1, None).await;
    let s = &h.stores[0];
    let mut ids = Vec::new();
    for _ in 0..5 {
        let evs = vec![event(), event(), event()];
        ids.extend(evs.iter().map(|e| e.event_id));
        s.append(request(&stream(), ExpectedVersion::Any, evs))
            .await
            .expect("append");
    }
    assert_eq!(read_everything(s.as_ref(), 4, ids.len()).await, ids);
}

async fn a_tailing_reader_never_skips_a_late_commit(b: Backend) {
    // Writer 0 holds every transaction open for 150 ms; writers 1-2 commit at once.
    let h = b.open(3, Some(Duration::from_millis(150))).await;
    let per_writer = 25;
    let mut tasks = Vec::new();
    for (w, store) in h.stores.iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..per_writer {
                let e = event();
                ids.push(e.event_id);
                let stream = StreamId(format!("key-w{w}-{}", i % 3));
                store
                    .append(request(&stream, ExpectedVersion::Any, vec![e]))
                    .await
                    .expect("append");
            }
            ids
        }));
    }
    let reader = h.stores[1].clone();
    let total = per_writer * h.stores.len();
    let tail = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut cursor = LogCursor::START;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while seen.len() < total && tokio::time::Instant::now() < deadline {
            let page = reader.read_all(cursor, 7).await.expect("tail");
            if let Some((c, _)) = page.last() {
                cursor = *c;
            }
            seen.extend(page.into_iter().map(|(_, e)| e.event_id));
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        seen
    });
    let mut written = HashSet::new();
    for t in tasks {
        written.extend(t.await.expect("writer"));
    }
    let seen = tail.await.expect("reader");
    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an event was read twice");
    assert_eq!(unique, written, "the tailing reader skipped events");
}

async fn concurrent_appends_are_group_committed(b: Backend) {
    let h = b.open(1, None).await;
    let n = 200;
    let futures: Vec<_> = (0..n)
        .map(|_| {
            let s = h.stores[0].clone();
            tokio::spawn(async move {
                s.append(request(&stream(), ExpectedVersion::NoStream, vec![event()]))
                    .await
            })
        })
        .collect();
    let mut positions = HashSet::new();
    for f in futures {
        positions.insert(f.await.expect("task").expect("append").last_position);
    }
    assert_eq!(positions.len(), n, "every append got its own position");
    if let Some(sql) = h.sql.first() {
        let batches = sql.batches_committed();
        assert!(
            batches < n as u64 / 2,
            "{n} appends took {batches} transactions"
        );
    }
}

async fn concurrent_writers_on_one_stream_get_one_winner_per_version(b: Backend) {
    let h = b.open(2, None).await;
    let id = stream();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = h.stores[i % 2].clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            s.append(request(
                &id,
                ExpectedVersion::Exact((i / 4) as i64),
                vec![event()],
            ))
            .await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => wins += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    let versions: Vec<i64> = h.stores[0]
        .read_stream(&id)
        .await
        .expect("read")
        .iter()
        .map(|e| e.stream_version)
        .collect();
    assert_eq!(
        versions,
        (1..=wins as i64).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod memory { $( #[tokio::test] async fn $case() { super::$case(super::Backend::Memory).await } )* }
        mod sqlite { $( #[tokio::test] async fn $case() { super::$case(super::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $case() { super::$case(super::Backend::Postgres).await } )* }
    };
}

contract!(
    expected_versions_are_enforced,
    a_repeated_event_id_is_a_no_op_reporting_the_original,
    read_all_pages_through_the_log_in_order,
    a_tailing_reader_never_skips_a_late_commit,
    concurrent_appends_are_group_committed,
    concurrent_writers_on_one_stream_get_one_winner_per_version,
);
