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
