//! `last_used_at` of keys and `api_calls` usage, kept without a write per request: requests note
//! the time and count the call in memory, and a background task writes both every few seconds
//! (the calls as one `usage.recorded` event per workspace and key).

use chrono::{DateTime, Utc};
use dashmap::DashMap;
use keel_events::{ApiKeyId, WorkspaceId};
use keel_projections::Db;
use keel_schemas::format_ts;

#[derive(Default)]
pub struct Activity {
    last_used: DashMap<ApiKeyId, DateTime<Utc>>,
    calls: DashMap<(WorkspaceId, ApiKeyId), i64>,
}

impl Activity {
    pub fn touch(&self, key: ApiKeyId, at: DateTime<Utc>) {
        let mut e = self.last_used.entry(key).or_insert(at);
        if *e < at {
            *e = at;
        }
    }

    pub fn count_call(&self, ws: WorkspaceId, key: ApiKeyId) {
        *self.calls.entry((ws, key)).or_default() += 1;
    }

    /// Takes the calls counted since the last time, by workspace and key.
    pub fn take_calls(&self) -> Vec<((WorkspaceId, ApiKeyId), i64)> {
        let keys: Vec<(WorkspaceId, ApiKeyId)> = self.calls.iter().map(|e| *e.key()).collect();
        keys.into_iter()
            .filter_map(|k| self.calls.remove(&k))
            .collect()
    }

    /// Gives back calls whose recording failed, for the next flush.
    pub fn restore_calls(&self, ws: WorkspaceId, key: ApiKeyId, n: i64) {
        *self.calls.entry((ws, key)).or_default() += n;
    }

    /// Writes what was noted since the last flush; a failed write is kept for the next one.
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let keys: Vec<ApiKeyId> = self.last_used.iter().map(|e| *e.key()).collect();
        let mut written = 0;
        for key in keys {
            let Some((_, at)) = self.last_used.remove(&key) else {
                continue;
            };
            let r = keel_infra::edge::record_key_use(db, &key.to_string(), &format_ts(at)).await;
            if let Err(e) = r {
                self.touch(key, at);
                return Err(e);
            }
            written += 1;
        }
        Ok(written)
    }
}
