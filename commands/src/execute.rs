use crate::{Aggregate, AppendOutcome, AppendRequest, CommandError, EventStore, StoreError};
use chrono::{DateTime, Utc};
use keel_events::{EventId, ExpectedVersion, Metadata, NewEvent, StreamId, WorkspaceId};

/// Where and as whom a command runs.
#[derive(Debug, Clone)]
pub struct Execution {
    pub tenant_id: WorkspaceId,
    pub stream_id: StreamId,
    /// The version the client says it saw (`If-Match`); `None` lets the handler retry on contention.
    pub expected_version: Option<i64>,
    pub metadata: Metadata,
    pub now: DateTime<Utc>,
}

const MAX_ATTEMPTS: usize = 5;

/// Load → decide → append, retrying on a version conflict when the client did not pin a version.
/// Returns what was appended and the aggregate's state afterwards.
pub async fn execute<A: Aggregate>(
    store: &dyn EventStore,
    exec: &Execution,
    command: &A::Command,
    mut new_event_id: impl FnMut() -> EventId,
) -> Result<(AppendOutcome, A::State), CommandError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let history = store.read_stream(&exec.stream_id).await?;
        let version = history.last().map_or(0, |e| e.stream_version);
        if let Some(expected) = exec.expected_version {
            if expected != version {
                return Err(CommandError::Conflict {
                    stream: exec.stream_id.to_string(),
                    expected: expected.to_string(),
                    actual: version,
                });
            }
        }
        let state = A::fold(history.iter().map(|e| &e.event));
        let events = A::decide(&state, command)?;
        let last_position = history.last().map_or(0, |e| e.position);
        if events.is_empty() {
            let outcome = AppendOutcome {
                first_position: last_position,
                last_position,
                stream_version: version,
                duplicate: false,
            };
            return Ok((outcome, state));
        }
        let new_state = events.iter().fold(state, A::evolve);
        let request = AppendRequest {
            tenant_id: exec.tenant_id,
            stream_id: exec.stream_id.clone(),
            expected: if version == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(version)
            },
            events: events
                .into_iter()
                .map(|event| NewEvent {
                    event_id: new_event_id(),
                    event,
                    occurred_at: exec.now,
                })
                .collect(),
            metadata: exec.metadata.clone(),
        };
        match store.append(request).await {
            Ok(outcome) => return Ok((outcome, new_state)),
            Err(StoreError::Conflict { .. })
                if exec.expected_version.is_none() && attempt < MAX_ATTEMPTS =>
            {
                continue
            }
            Err(e) => return Err(e.into()),
        }
    }
}
