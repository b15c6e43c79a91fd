use crate::DomainError;
use async_trait::async_trait;
use keel_events::{
    EventId, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId, WorkspaceId,
};

/// One atomic append: all of `events` land on `stream_id`, or none does.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub tenant_id: WorkspaceId,
    pub stream_id: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub metadata: Metadata,
    /// Usage this append counts without an event of its own (an ingested analytics event counts
    /// one of the `events` feature): the store's ledger counts it with the batch, and refuses the
    /// whole append (`FeatureLimitReached`) when it would pass a hard limit.
    pub meter: Option<Meter>,
}

/// Usage of the tenant's `feature` in the period starting at `period_start`, checked against
/// `limit` (held only if `hard`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    pub feature: String,
    pub period_start: chrono::DateTime<chrono::Utc>,
    pub quantity: i64,
    pub limit: Option<i64>,
    pub hard: bool,
}

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Global position of the first and last event appended (or of the originals, for a duplicate).
    pub first_position: i64,
    pub last_position: i64,
    /// The stream's version after the append (for a duplicate: the version of the original last event).
    pub stream_version: i64,
    /// Every event id already existed: nothing was written.
    pub duplicate: bool,
}

/// A place in the log to read after. Ordered by `(txid, position)`: on Postgres `txid` is the
/// appending transaction's id, so that a reader never passes a transaction that may still commit;
/// on stores with a single writer it is 0 and positions alone order the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LogCursor {
    pub txid: i64,
    pub position: i64,
}

impl LogCursor {
    pub const START: LogCursor = LogCursor {
        txid: 0,
        position: 0,
    };
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The stream's version did not match the expectation; nothing was written.
    #[error("version conflict on {stream}: expected {expected}, found {actual}")]
    Conflict {
        stream: String,
        expected: String,
        actual: i64,
    },
    /// Some (not all) of the event ids of the request already exist.
    #[error("event id {0} already exists with different content")]
    EventIdReused(EventId),
    /// An inline projection refused the events (a uniqueness or quota guard).
    #[error(transparent)]
    Rejected(DomainError),
    /// The database could not be reached or timed out.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else (a bug, a corrupt row).
    #[error("store error: {0}")]
    Internal(String),
}

/// The event log. Adapters: [`crate::InMemoryStore`] (tests), Postgres and SQLite (in `keel-infra`).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Append atomically with optimistic concurrency on the stream's version. An append whose
    /// event ids all exist already is a no-op reporting the original positions.
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError>;

    /// Every event of one stream, in version order.
    async fn read_stream(&self, stream_id: &StreamId) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Up to `limit` committed events after `after`, in an order that a tailing reader can follow
    /// without ever skipping an event that commits later.
    async fn read_all(
        &self,
        after: LogCursor,
        limit: usize,
    ) -> Result<Vec<(LogCursor, RecordedEvent)>, StoreError>;
}

pub(crate) fn expected_label(e: ExpectedVersion) -> String {
    match e {
        ExpectedVersion::Any => "any".into(),
        ExpectedVersion::NoStream => "no_stream".into(),
        ExpectedVersion::Exact(n) => n.to_string(),
    }
}

/// Checks an expectation against the current version (0 = no stream).
pub fn check_expected(
    stream: &StreamId,
    expected: ExpectedVersion,
    current: i64,
) -> Result<(), StoreError> {
    let ok = match expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => current == 0,
        ExpectedVersion::Exact(n) => current == n,
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            stream: stream.to_string(),
            expected: expected_label(expected),
            actual: current,
        })
    }
}
