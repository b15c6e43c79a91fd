use crate::{Aggregate, AppendOutcome, AppendRequest, CommandError, EventStore, StoreError};
use chrono::{DateTime, Utc};
use keel_events::{
    EventId, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId, WorkspaceId,
};

/// Where and as whom a command runs.
#[derive(Debug, Clone)]
pub struct Execution {
    pub tenant_id: WorkspaceId,
    pub stream_id: StreamId,
    /// The version the client says it saw (`If-Match`); `None` lets the handler retry on contention.
    pub expected_version: Option<i64>,
    pub metadata: Metadata,
    pub now: DateTime<Utc>,
    /// The stream's id was drawn just now from fresh randomness (a creation without an
    /// `Idempotency-Key`): nothing can be in it yet, so the first attempt decides on the empty
    /// state without reading it. Should it hold something after all, the append's `NoStream`
    /// expectation fails and the retry reads it as usual.
    pub new_stream: bool,
}

const MAX_ATTEMPTS: usize = 5;

/// Load → decide → append, retrying on a version conflict when the client did not pin a version.
/// Returns what was appended and the aggregate's state afterwards.
///
/// Event ids come from `new_event_id`, drawn once per event and kept across conflict retries.
/// When that source is deterministic (a request under an `Idempotency-Key` draws from a seed
/// kept with the key), a second run of a write whose first run committed but whose answer was
/// lost finds its own events in the stream: it returns them, `duplicate` set, with the state
/// right after them, instead of deciding again against a state that already contains them.
pub async fn execute<A: Aggregate>(
    store: &dyn EventStore,
    exec: &Execution,
    command: &A::Command,
    mut new_event_id: impl FnMut() -> EventId,
) -> Result<(AppendOutcome, A::State), CommandError> {
    let mut ids: Vec<EventId> = vec![new_event_id()];
    let mut attempt = 0;
    loop {
        attempt += 1;
        let history = if exec.new_stream && attempt == 1 {
            Vec::new()
        } else {
            store.read_stream(&exec.stream_id).await?
        };
        if let Some(done) = already_appended::<A>(&history, &mut ids, &mut new_event_id) {
            return Ok(done);
        }
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
        while ids.len() < events.len() {
            ids.push(new_event_id());
        }
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
                .zip(&ids)
                .map(|(event, id)| NewEvent {
                    event_id: *id,
                    event,
                    occurred_at: exec.now,
                })
                .collect(),
            metadata: exec.metadata.clone(),
            meter: None,
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

/// The events a previous run of this very request appended, found by their ids: the run of
/// consecutive events whose ids are those `new_event_id` draws, in order.
fn already_appended<A: Aggregate>(
    history: &[RecordedEvent],
    ids: &mut Vec<EventId>,
    new_event_id: &mut impl FnMut() -> EventId,
) -> Option<(AppendOutcome, A::State)> {
    let start = history.iter().position(|e| e.event_id == ids[0])?;
    let mut end = start + 1;
    while end < history.len() {
        let k = end - start;
        if ids.len() <= k {
            ids.push(new_event_id());
        }
        if history[end].event_id != ids[k] {
            break;
        }
        end += 1;
    }
    let (first, last) = (&history[start], &history[end - 1]);
    let outcome = AppendOutcome {
        first_position: first.position,
        last_position: last.position,
        stream_version: last.stream_version,
        duplicate: true,
    };
    Some((outcome, A::fold(history[..end].iter().map(|e| &e.event))))
}
