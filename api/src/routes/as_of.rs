//! The state of an entity at an instant, folded from the log: `as_of` on reads, and
//! `keel replay`.

use crate::error::ApiError;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use keel_commands::api_key::ApiKeyAggregate;
use keel_commands::workspace::WorkspaceAggregate;
use keel_commands::{Aggregate, DomainError};
use keel_events::{DomainEvent, RecordedEvent, WorkspaceId};
use keel_projections::api_keys::ApiKeyView;
use keel_projections::workspaces::{WorkspaceSettingsView, WorkspaceView};
use keel_schemas::format_ts;
use serde_json::Value;

/// `as_of` from the query string: `None` if absent; 400 if malformed; 422 if in the future.
pub fn param(req: &HttpRequest, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(raw) = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "as_of")
        .map(|(_, v)| v.into_owned())
    else {
        return Ok(None);
    };
    let at = DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::BadRequest("as_of: must be an RFC 3339 time".into()))?;
    if at > now {
        return Err(DomainError::field("as_of", "is in the future").into());
    }
    Ok(Some(at))
}

/// Every event of the workspace's streams (one stream, or every stream of a type) recorded at or
/// before `at`, in log order.
pub async fn history(
    db: &keel_projections::Db,
    ws: WorkspaceId,
    stream_id: Option<&str>,
    stream_type: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Vec<RecordedEvent>, ApiError> {
    let q = keel_infra::audit::AuditQuery {
        stream_id: stream_id.map(str::to_string),
        stream_type: stream_type.map(str::to_string),
        recorded_until: Some(format_ts(at)),
        newest_first: false,
        ..Default::default()
    };
    let mut out = Vec::new();
    loop {
        let page = keel_infra::audit::read(
            db,
            ws,
            &keel_infra::audit::AuditQuery {
                cursor: out
                    .last()
                    .map(|(c, _): &(keel_commands::LogCursor, RecordedEvent)| *c),
                ..q.clone()
            },
            1000,
        )
        .await?;
        let done = page.len() < 1000;
        out.extend(page);
        if done {
            break;
        }
    }
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// What a key's view is folded from: the aggregate, plus the times and the last rotation the view
/// shows. Serialisable, so that it can be snapshotted.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct KeyFold {
    key: Option<keel_commands::api_key::ApiKey>,
    environment: Option<String>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    /// When the last rotation was recorded, and until when it let the previous secret work.
    rotation: Option<(DateTime<Utc>, DateTime<Utc>)>,
    version: i64,
    /// The latest `recorded_at` folded in.
    recorded_until: Option<DateTime<Utc>>,
}

/// The encoding version of [`KeyFold`] snapshots: bump it when the fold changes.
const KEY_FOLD_SHAPE: i32 = 1;
/// A snapshot every this many versions of a stream.
pub const SNAPSHOT_EVERY: i64 = 20;

impl KeyFold {
    pub fn evolve(mut self, e: &RecordedEvent) -> Self {
        self.key = ApiKeyAggregate::evolve(self.key.take(), &e.event);
        match &e.event {
            DomainEvent::ApiKeyCreated(c) => self.environment = Some(c.environment.clone()),
            DomainEvent::ApiKeyRotated(r) => {
                self.rotation = Some((e.recorded_at, r.previous_valid_until));
            }
            _ => {}
        }
        self.created_at.get_or_insert(e.recorded_at);
        self.updated_at = Some(e.recorded_at);
        self.version = e.stream_version;
        self.recorded_until = self.recorded_until.max(Some(e.recorded_at));
        self
    }

    /// The key in the shape of `GET /api/v1/keys/{id}`, as of `at`; `None` if it did not exist.
    pub fn view(&self, at: DateTime<Utc>) -> Option<ApiKeyView> {
        let k = self.key.as_ref()?;
        let status = if k.revoked {
            "revoked"
        } else if k.expires_at.is_some_and(|x| x <= at) {
            "expired"
        } else {
            "active"
        };
        let rotation = self.rotation;
        let environment = self.environment.clone().unwrap_or_else(|| {
            if k.prefix.starts_with("keel_test_") {
                "test"
            } else {
                "live"
            }
            .into()
        });
        Some(ApiKeyView {
            id: k.id.to_string(),
            workspace_id: k.workspace_id.to_string(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            key_prefix: k.prefix.clone(),
            is_active: status == "active",
            site_id: k.site_id.map(|s| s.to_string()),
            environment,
            scopes: k.scopes.clone(),
            rate_limit_tier: k.rate_limit_tier,
            status: status.into(),
            created_at: self.created_at.map(format_ts).unwrap_or_default(),
            updated_at: self.updated_at.map(format_ts).unwrap_or_default(),
            expires_at: k.expires_at.map(format_ts),
            last_used_at: None,
            rotated_at: rotation.map(|r| format_ts(r.0)),
            previous_key_valid_until: rotation.filter(|r| r.1 > at).map(|r| format_ts(r.1)),
            version: self.version,
            as_of: Some(format_ts(at)),
        })
    }
}

/// A key as it was after `events` (its own stream, up to an instant), in the shape of
/// `GET /api/v1/keys/{id}`; `None` if it did not exist yet.
pub fn key_view(events: &[RecordedEvent], at: DateTime<Utc>) -> Option<ApiKeyView> {
    events
        .iter()
        .fold(KeyFold::default(), KeyFold::evolve)
        .view(at)
}

/// One key as of `at`: folded from the newest snapshot recorded by then and the events after it;
/// snapshots every [`SNAPSHOT_EVERY`] versions are saved on the way, so that no later lookup
/// folds more than that many events.
pub async fn key_at(
    store: &keel_infra::store::SqlStore,
    ws: WorkspaceId,
    id: keel_events::ApiKeyId,
    at: DateTime<Utc>,
) -> Result<Option<ApiKeyView>, ApiError> {
    let db = store.db();
    let stream = keel_events::StreamId::api_key(id);
    let until = format_ts(at);
    let snapshot = keel_infra::snapshots::latest(db, ws, &stream, KEY_FOLD_SHAPE, &until).await?;
    let (mut fold, after) = match snapshot
        .and_then(|s| Some((serde_json::from_value::<KeyFold>(s.state).ok()?, s.version)))
    {
        Some((f, v)) => (f, Some(v)),
        None => (KeyFold::default(), None),
    };
    // In version order, until the first event recorded after `at` (a stream's events are
    // recorded in version order), a page at a time: the stream's index, never its whole tail.
    let mut after = after.unwrap_or(0);
    let mut new_snapshots = Vec::new();
    'pages: loop {
        let page = store
            .read_tenant_stream_after(ws, &stream, after, SNAPSHOT_EVERY + 1)
            .await?;
        for e in &page {
            if e.recorded_at > at {
                break 'pages;
            }
            fold = fold.evolve(e);
            after = e.stream_version;
            if fold.version % SNAPSHOT_EVERY == 0 {
                if let (Ok(state), Some(r)) = (serde_json::to_value(&fold), fold.recorded_until) {
                    new_snapshots.push(keel_infra::snapshots::Snapshot {
                        version: fold.version,
                        recorded_at: format_ts(r),
                        state,
                    });
                }
            }
        }
        if (page.len() as i64) <= SNAPSHOT_EVERY {
            break;
        }
    }
    if !new_snapshots.is_empty() {
        // A cache: failing to write it only makes the next lookup as slow as this one.
        if let Err(e) =
            keel_infra::snapshots::save(db, ws, &stream, KEY_FOLD_SHAPE, &new_snapshots).await
        {
            tracing::warn!(error = %e, "could not save key snapshots");
        }
    }
    Ok(fold.view(at))
}

/// A workspace as it was, in the shape of `GET /api/v1/workspaces/{id}`.
pub fn workspace_view(events: &[RecordedEvent], at: DateTime<Utc>) -> Option<WorkspaceView> {
    let w = WorkspaceAggregate::fold(events.iter().map(|e| &e.event))?;
    let first = events.first()?;
    let last = events.last()?;
    Some(WorkspaceView {
        id: w.id.to_string(),
        name: w.name,
        slug: w.slug,
        tier: w.tier.as_str().to_string(),
        settings: WorkspaceSettingsView {
            timezone: w.settings.timezone,
            locale: w.settings.locale,
        },
        status: if w.deleted { "deleted" } else { "active" }.into(),
        created_at: format_ts(first.recorded_at),
        updated_at: format_ts(last.recorded_at),
        version: last.stream_version,
        as_of: Some(format_ts(at)),
    })
}

/// What `keel replay` and the history endpoints print for one event.
pub fn history_row(e: &RecordedEvent) -> Value {
    keel_schemas::public_event(e)
}
