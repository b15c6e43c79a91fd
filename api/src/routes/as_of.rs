//! The state of an entity at an instant, folded from the log: `as_of` on reads, and
//! `keel replay`.

use crate::error::ApiError;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use keel_commands::api_key::ApiKeyAggregate;
use keel_commands::workspace::WorkspaceAggregate;
use keel_commands::{Aggregate, DomainError};
use keel_events::{DomainEvent, RecordedEvent, WorkspaceId};
use keel_schemas::format_ts;
use serde_json::{json, Value};

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

/// A key as it was after `events` (its own stream, up to an instant), in the shape of
/// `GET /api/v1/keys/{id}`; `None` if it did not exist yet.
pub fn key_view(events: &[RecordedEvent], at: DateTime<Utc>) -> Option<Value> {
    let k = ApiKeyAggregate::fold(events.iter().map(|e| &e.event))?;
    let first = events.first()?;
    let last = events.last()?;
    let rotation = events.iter().rev().find_map(|e| match &e.event {
        DomainEvent::ApiKeyRotated(r) => Some((e.recorded_at, r.previous_valid_until)),
        _ => None,
    });
    let status = if k.revoked {
        "revoked"
    } else if k.expires_at.is_some_and(|x| x <= at) {
        "expired"
    } else {
        "active"
    };
    Some(json!({
        "id": k.id, "workspace_id": k.workspace_id, "name": k.name, "prefix": k.prefix,
        "environment": events.iter().find_map(|e| match &e.event {
            DomainEvent::ApiKeyCreated(c) => Some(c.environment.clone()),
            _ => None,
        }),
        "scopes": k.scopes, "rate_limit_tier": k.rate_limit_tier.map(|t| t.as_str()), "status": status,
        "created_at": format_ts(first.recorded_at), "updated_at": format_ts(last.recorded_at),
        "expires_at": k.expires_at.map(format_ts), "last_used_at": Value::Null,
        "rotated_at": rotation.map(|r| format_ts(r.0)),
        "previous_key_valid_until": rotation.map(|r| format_ts(r.1)).filter(|_| rotation.is_some_and(|r| r.1 > at)),
        "version": last.stream_version, "as_of": format_ts(at),
    }))
}

/// A workspace as it was, in the shape of `GET /api/v1/workspaces/{id}`.
pub fn workspace_view(events: &[RecordedEvent], at: DateTime<Utc>) -> Option<Value> {
    let w = WorkspaceAggregate::fold(events.iter().map(|e| &e.event))?;
    let first = events.first()?;
    let last = events.last()?;
    Some(json!({
        "id": w.id, "name": w.name, "slug": w.slug, "tier": w.tier.as_str(),
        "settings": { "timezone": w.settings.timezone, "locale": w.settings.locale },
        "status": if w.deleted { "deleted" } else { "active" },
        "created_at": format_ts(first.recorded_at), "updated_at": format_ts(last.recorded_at),
        "version": last.stream_version, "as_of": format_ts(at),
    }))
}

/// What `keel replay` and the history endpoints print for one event.
pub fn history_row(e: &RecordedEvent) -> Value {
    crate::routes::audit::audit_view(e)
}
