//! The command executor on the in-memory store: load, decide, append, retry.

#![allow(clippy::unwrap_used)]

use chrono::Utc;
use keel_commands::workspace::{
    CreateWorkspace, UpdateWorkspace, WorkspaceAggregate, WorkspaceCommand,
};
use keel_commands::{execute, CommandError, EventStore, Execution, InMemoryStore};
use keel_events::{EventId, Metadata, StreamId, Tier, WorkspaceId, WorkspaceSettings};

fn exec(ws: WorkspaceId, expected: Option<i64>) -> Execution {
    Execution {
        tenant_id: ws,
        stream_id: StreamId::workspace(ws),
        expected_version: expected,
        metadata: Metadata::system(),
        now: Utc::now(),
        new_stream: false,
    }
}

fn create(ws: WorkspaceId) -> WorkspaceCommand {
    WorkspaceCommand::Create(CreateWorkspace {
        workspace_id: ws,
        name: "Acme".into(),
        slug: "acme".into(),
        tier: Tier::Free,
        settings: WorkspaceSettings::default(),
    })
}

#[tokio::test]
async fn commands_append_their_events_and_return_the_new_state() {
    let store = InMemoryStore::new();
    let ws = WorkspaceId::new_v7();
    let (outcome, state) =
        execute::<WorkspaceAggregate>(&store, &exec(ws, None), &create(ws), EventId::new_v7)
            .await
            .expect("created");
    assert_eq!(outcome.stream_version, 1);
    assert_eq!(state.expect("exists").name, "Acme");
    assert_eq!(
        store
            .read_stream(&StreamId::workspace(ws))
            .await
            .expect("read")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_stale_if_match_version_is_a_conflict_and_appends_nothing() {
    let store = InMemoryStore::new();
    let ws = WorkspaceId::new_v7();
    execute::<WorkspaceAggregate>(&store, &exec(ws, None), &create(ws), EventId::new_v7)
        .await
        .expect("created");
    let update = WorkspaceCommand::Update(UpdateWorkspace {
        name: Some("New".into()),
        ..Default::default()
    });
    let err = execute::<WorkspaceAggregate>(&store, &exec(ws, Some(0)), &update, EventId::new_v7)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CommandError::Conflict { actual: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        store
            .read_stream(&StreamId::workspace(ws))
            .await
            .expect("read")
            .len(),
        1
    );
    execute::<WorkspaceAggregate>(&store, &exec(ws, Some(1)), &update, EventId::new_v7)
        .await
        .expect("updated");
}

#[tokio::test]
async fn a_refused_command_appends_nothing() {
    let store = InMemoryStore::new();
    let ws = WorkspaceId::new_v7();
    let err = execute::<WorkspaceAggregate>(
        &store,
        &exec(ws, None),
        &WorkspaceCommand::Delete,
        EventId::new_v7,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CommandError::Rejected(_)));
    assert!(store
        .read_all(Default::default(), 10)
        .await
        .expect("read")
        .is_empty());
}

/// Event ids drawn from a fixed sequence, as a request under an idempotency key draws them.
fn seeded(seed: u128) -> impl FnMut() -> EventId {
    let mut n = 0u128;
    move || {
        n += 1;
        EventId(uuid::Uuid::from_u128(seed * 1000 + n))
    }
}

#[tokio::test]
async fn a_second_run_with_the_same_ids_returns_the_first_runs_events_and_appends_nothing() {
    // Given a workspace created, then renamed by a run whose answer was lost,
    let store = InMemoryStore::new();
    let ws = WorkspaceId::new_v7();
    execute::<WorkspaceAggregate>(&store, &exec(ws, None), &create(ws), EventId::new_v7)
        .await
        .expect("created");
    let rename = |name: &str| {
        WorkspaceCommand::Update(UpdateWorkspace {
            name: Some(name.into()),
            ..Default::default()
        })
    };
    let (first, _) =
        execute::<WorkspaceAggregate>(&store, &exec(ws, Some(1)), &rename("Run one"), seeded(7))
            .await
            .expect("renamed");
    // and renamed again since by someone else,
    execute::<WorkspaceAggregate>(&store, &exec(ws, None), &rename("Later"), EventId::new_v7)
        .await
        .expect("renamed later");
    // when the lost run is run again with the same ids (and its now stale If-Match),
    let (again, state) =
        execute::<WorkspaceAggregate>(&store, &exec(ws, Some(1)), &rename("Run one"), seeded(7))
            .await
            .expect("answered, not a conflict");
    // then it answers with the first run's events and the state right after them,
    assert!(again.duplicate);
    assert_eq!(
        (
            again.first_position,
            again.last_position,
            again.stream_version
        ),
        (
            first.first_position,
            first.last_position,
            first.stream_version
        )
    );
    assert_eq!(state.expect("exists").name, "Run one");
    // and the stream holds each write once.
    let history = store.read_stream(&StreamId::workspace(ws)).await.unwrap();
    assert_eq!(history.len(), 3);
    // Other ids are another request: decided afresh.
    let (other, _) =
        execute::<WorkspaceAggregate>(&store, &exec(ws, None), &rename("Run one"), seeded(8))
            .await
            .expect("renamed");
    assert!(!other.duplicate);
    assert_eq!(other.stream_version, 4);
}

#[tokio::test]
async fn a_new_stream_is_decided_unread_and_read_after_all_if_it_holds_events() {
    // Given a workspace stream that already holds its creation
    let store = InMemoryStore::new();
    let ws = WorkspaceId::new_v7();
    execute::<WorkspaceAggregate>(&store, &exec(ws, None), &create(ws), EventId::new_v7)
        .await
        .expect("created");
    // When the same creation runs as if its id had just been drawn (nothing read first)
    let fresh = Execution {
        new_stream: true,
        ..exec(ws, None)
    };
    let err = execute::<WorkspaceAggregate>(&store, &fresh, &create(ws), EventId::new_v7)
        .await
        .unwrap_err();
    // Then the append's `NoStream` fails, the retry reads the stream, and the decider refuses
    assert!(
        matches!(
            err,
            CommandError::Rejected(keel_commands::DomainError::AlreadyExists(_))
        ),
        "decided against the stored state: {err:?}"
    );
    assert_eq!(
        store
            .read_stream(&StreamId::workspace(ws))
            .await
            .expect("read")
            .len(),
        1
    );
    // And on a stream that is indeed new, it creates as usual
    let other = WorkspaceId::new_v7();
    let (outcome, _) = execute::<WorkspaceAggregate>(
        &store,
        &Execution {
            new_stream: true,
            ..exec(other, None)
        },
        &create(other),
        EventId::new_v7,
    )
    .await
    .expect("created");
    assert_eq!(outcome.stream_version, 1);
}
