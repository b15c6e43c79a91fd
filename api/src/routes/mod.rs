pub mod admin;
pub mod alerts;
pub mod analytics;
pub mod as_of;
pub mod audit;
pub mod dashboards;
pub mod domains;
pub mod exports;
pub mod funnels;
pub mod insights;
pub mod integrations;
pub mod keys;
pub mod mcp;
pub mod ops;
pub mod people;
pub mod pixel;
pub mod query;
pub mod site_data;
pub mod sites;
pub mod stats;
pub mod tracking;
pub mod usage;
pub mod webhooks;
pub mod workspaces;

use crate::auth::Caller;
use crate::error::{current_request_id, ApiError};
use crate::state::AppState;
use actix_web::HttpRequest;
use keel_commands::{Aggregate, EventStore, Execution};
use keel_events::{EventId, Metadata, RecordedEvent, StreamId, WorkspaceId};

pub fn new_event_id() -> EventId {
    EventId::new_v7()
}

/// Who, and under which request, a command runs.
pub fn command_meta(req: &HttpRequest, caller: &Caller) -> Metadata {
    let correlation_id = req
        .headers()
        .get("X-Correlation-ID")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(128).collect());
    Metadata {
        actor: caller.actor(),
        request_id: Some(current_request_id()),
        causation_id: None,
        correlation_id,
        client_ip: crate::routes::pixel::client_ip(req).map(|ip| ip.to_string()),
    }
}

/// A path's id. One that does not parse names nothing, so it is simply not found.
pub fn path_id<T: std::str::FromStr>(raw: &str, what: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound(what))
}

/// How a command on `stream` runs for this request: as its caller, now, against `expected`
/// (the version the client pinned with `If-Match`, if the operation honours it).
pub fn execution(
    req: &HttpRequest,
    caller: &Caller,
    ws: WorkspaceId,
    stream: StreamId,
    expected: Option<i64>,
) -> Execution {
    Execution {
        tenant_id: ws,
        stream_id: stream,
        expected_version: expected,
        metadata: command_meta(req, caller),
        now: chrono::Utc::now(),
        new_stream: false,
    }
}

/// An aggregate's state folded from its stream, with the stream's history, if it exists and
/// `mine` says the caller may see it (another workspace's resource is simply not found).
pub async fn load_aggregate<A, T>(
    state: &AppState,
    stream: &StreamId,
    what: &'static str,
    mine: impl Fn(&T) -> bool,
) -> Result<(T, Vec<RecordedEvent>), ApiError>
where
    A: Aggregate<State = Option<T>>,
{
    let history = state.store.read_stream(stream).await?;
    let folded = A::fold(history.iter().map(|e| &e.event))
        .filter(|s| mine(s))
        .ok_or(ApiError::NotFound(what))?;
    Ok((folded, history))
}
