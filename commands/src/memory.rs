use crate::store::check_expected;
use crate::{AppendOutcome, AppendRequest, EventStore, LogCursor, StoreError};
use async_trait::async_trait;
use chrono::Utc;
use keel_events::{EventId, RecordedEvent, StreamId};
use std::collections::HashMap;
use std::sync::Mutex;

/// An event store in memory, for domain tests. Same contract as the database adapters.
#[derive(Default)]
pub struct InMemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    log: Vec<RecordedEvent>,
    by_id: HashMap<EventId, usize>,
    versions: HashMap<StreamId, i64>,
}

impl InMemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Internal("in-memory store poisoned".into()))
    }
}

#[async_trait]
impl EventStore for InMemoryStore {
    async fn append(&self, req: AppendRequest) -> Result<AppendOutcome, StoreError> {
        let mut inner = self.lock()?;
        if req.events.is_empty() {
            let v = inner.versions.get(&req.stream_id).copied().unwrap_or(0);
            check_expected(&req.stream_id, req.expected, v)?;
            return Ok(AppendOutcome {
                first_position: 0,
                last_position: 0,
                stream_version: v,
                duplicate: false,
            });
        }
        let existing: Vec<usize> = req
            .events
            .iter()
            .filter_map(|e| inner.by_id.get(&e.event_id).copied())
            .collect();
        if existing.len() == req.events.len() {
            let first = &inner.log[existing[0]];
            let last = &inner.log[existing[existing.len() - 1]];
            return Ok(AppendOutcome {
                first_position: first.position,
                last_position: last.position,
                stream_version: last.stream_version,
                duplicate: true,
            });
        }
        if let Some(e) = req
            .events
            .iter()
            .find(|e| inner.by_id.contains_key(&e.event_id))
        {
            return Err(StoreError::EventIdReused(e.event_id));
        }
        let current = inner.versions.get(&req.stream_id).copied().unwrap_or(0);
        check_expected(&req.stream_id, req.expected, current)?;
        let recorded_at = Utc::now();
        let mut version = current;
        let first_position = inner.log.len() as i64 + 1;
        for e in req.events {
            version += 1;
            let position = inner.log.len() as i64 + 1;
            let index = inner.log.len();
            inner.by_id.insert(e.event_id, index);
            inner.log.push(RecordedEvent {
                event_id: e.event_id,
                tenant_id: req.tenant_id,
                stream_id: req.stream_id.clone(),
                stream_version: version,
                position,
                event: e.event,
                schema_version: 1,
                metadata: req.metadata.clone(),
                occurred_at: e.occurred_at,
                recorded_at,
            });
        }
        inner.versions.insert(req.stream_id, version);
        Ok(AppendOutcome {
            first_position,
            last_position: inner.log.len() as i64,
            stream_version: version,
            duplicate: false,
        })
    }

    async fn read_stream(&self, stream_id: &StreamId) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .log
            .iter()
            .filter(|e| &e.stream_id == stream_id)
            .cloned()
            .collect())
    }

    async fn read_all(
        &self,
        after: LogCursor,
        limit: usize,
    ) -> Result<Vec<(LogCursor, RecordedEvent)>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .log
            .iter()
            .filter(|e| e.position > after.position)
            .take(limit)
            .map(|e| {
                (
                    LogCursor {
                        txid: 0,
                        position: e.position,
                    },
                    e.clone(),
                )
            })
            .collect())
    }
}
