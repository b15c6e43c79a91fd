//! `/api/v1/audit`: tamper evidence of the workspace's log.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::Data;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_schemas::PublicEvent;
use serde::Serialize;

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "ok, or the first broken position of the workspace's hash chain, with the reason", body = Data<ChainReport>)))]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let v = keel_infra::chain::verify(&state.db, &ws.to_string()).await?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: ChainReport {
            status: if v.ok { "ok" } else { "broken" },
            ok: v.ok,
            checked: v.checked,
            head_seq: v.head_seq,
            head_hash: v.head_hash,
            first_broken: v.first_broken,
            pending: v.pending,
        },
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit/verify").route(web::get().to(verify)))
        .service(web::resource("/audit/events").route(web::get().to(events)));
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// `desc` (newest first, default) or `asc`.
    order: Option<String>,
    /// 1–500 (default 50).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    stream_id: Option<String>,
    /// `workspace`, `key`, `site`, `visitor`, `usage`, …
    stream_type: Option<String>,
    /// Exact (`key.rotated`) or a prefix (`key.*`).
    event_type: Option<String>,
    /// `operator`, `system`, a key id (or `key:<id>`) or `user:<id>` (a person).
    actor: Option<String>,
    /// RFC 3339, on `occurred_at` (inclusive).
    from: Option<String>,
    /// RFC 3339, on `occurred_at` (exclusive).
    to: Option<String>,
    after_position: Option<String>,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

/// A page cursor of the audit log: `c1.<txid>.<position>`.
pub fn encode_cursor(c: &keel_commands::LogCursor) -> String {
    format!("c1.{}.{}", c.txid, c.position)
}

/// Reads a cursor given back by a client; anything else is 400.
pub fn decode_cursor(raw: &str) -> Result<keel_commands::LogCursor, ApiError> {
    let mut parts = raw.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("c1"), Some(t), Some(p), None) => Ok(keel_commands::LogCursor {
            txid: t.parse().map_err(|_| bad("cursor: malformed"))?,
            position: p.parse().map_err(|_| bad("cursor: malformed"))?,
        }),
        _ => Err(bad("cursor: malformed")),
    }
}

fn parse_time(field: &str, raw: &Option<String>) -> Result<Option<String>, ApiError> {
    raw.as_deref()
        .map(|r| {
            chrono::DateTime::parse_from_rfc3339(r.trim())
                .map(|t| keel_schemas::format_ts(t.with_timezone(&chrono::Utc)))
                .map_err(|_| bad(format!("{field}: must be an RFC 3339 time")))
        })
        .transpose()
}

fn audit_query(p: &EventsParams) -> Result<(keel_infra::audit::AuditQuery, i64), ApiError> {
    let newest_first = match p.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(bad("order: must be asc or desc")),
    };
    let limit = match p.limit.as_deref() {
        None => 50,
        Some(l) => match l.trim().parse::<i64>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ => return Err(bad("limit: must be from 1 to 500")),
        },
    };
    let actor = p.actor.as_deref().map(|a| match a {
        "operator" | "system" => a.to_string(),
        id if id.starts_with("key:") || id.starts_with("user:") => id.to_string(),
        id => format!("key:{id}"),
    });
    Ok((
        keel_infra::audit::AuditQuery {
            stream_id: p.stream_id.clone(),
            stream_type: p.stream_type.clone(),
            event_type: p.event_type.clone(),
            actor,
            from: parse_time("from", &p.from)?,
            to: parse_time("to", &p.to)?,
            after_position: p
                .after_position
                .as_deref()
                .map(|a| {
                    a.trim()
                        .parse::<i64>()
                        .map_err(|_| bad("after_position: must be an integer"))
                })
                .transpose()?,
            after_version: None,
            recorded_until: None,
            newest_first,
            cursor: p.cursor.as_deref().map(decode_cursor).transpose()?,
        },
        limit,
    ))
}

/// One event as auditors read it.
pub fn audit_view(e: &keel_events::RecordedEvent) -> PublicEvent<'_> {
    PublicEvent::of(e)
}

/// A page of the log.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage<'a> {
    pub status: crate::http::Success,
    pub data: Vec<PublicEvent<'a>>,
    pub meta: AuditMeta,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditMeta {
    pub limit: i64,
    /// asc or desc
    pub order: &'static str,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
    /// The next page's full URL (this query with that cursor); `null` at the end.
    pub next: Option<String>,
    /// Pass as `cursor` with `order=asc` to read only events that commit after this answer
    /// (`keel audit tail --follow` polls with it): the last row's cursor of an ascending page,
    /// even at the end; the newest row's of a first descending page; `null` otherwise.
    pub tail_cursor: Option<String>,
    /// Committed events not readable yet because an older transaction is still running.
    pub pending: i64,
}

/// A workspace's hash chain, recomputed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// ok or broken
    pub status: &'static str,
    pub ok: bool,
    /// Links checked.
    pub checked: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// Where it broke first, if it did.
    pub first_broken: Option<keel_infra::chain::Break>,
    /// Events of the workspace the chainer has not reached yet.
    pub pending: i64,
}

#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventsParams),
    responses((status = 200, description = "a page of the workspace's log, next_cursor, and pending: committed events not readable yet because an older transaction is still running (they appear once it ends, so a cursor never skips one); with Accept: application/x-ndjson the whole filtered history, one event per line", content((AuditPage = "application/json"), (PublicEvent = "application/x-ndjson"))),
        (status = 400, description = "malformed cursor, time or parameter", body = crate::openapi::ErrorBody),
        (status = 404, description = "stream_id names no stream of the workspace", body = crate::openapi::ErrorBody)))]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<EventsParams>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (mut q, limit) = audit_query(&params)?;
    if let Some(s) = &q.stream_id {
        let exists = keel_infra::audit::read(
            &state.db,
            ws,
            &keel_infra::audit::AuditQuery {
                stream_id: Some(s.clone()),
                ..Default::default()
            },
            1,
        )
        .await?;
        if exists.is_empty() {
            return Err(ApiError::NotFound("stream"));
        }
    }
    let ndjson = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/x-ndjson"));
    if ndjson {
        // The whole history, a page at a time: never all of it in memory.
        let db = state.db.clone();
        let stream = futures::stream::unfold(Some(q), move |state_q| {
            let db = db.clone();
            async move {
                let mut q = state_q?;
                match keel_infra::audit::read(&db, ws, &q, 500).await {
                    Ok(page) if page.is_empty() => None,
                    Ok(page) => {
                        let mut out = String::new();
                        for (_, e) in &page {
                            out.push_str(
                                &serde_json::to_string(&audit_view(e)).unwrap_or_default(),
                            );
                            out.push('\n');
                        }
                        let done = page.len() < 500;
                        q.cursor = page.last().map(|(c, _)| *c);
                        Some((
                            Ok::<_, actix_web::Error>(actix_web::web::Bytes::from(out)),
                            (!done).then_some(q),
                        ))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "audit stream failed midway");
                        Some((
                            Err(actix_web::error::ErrorInternalServerError(
                                "audit stream failed",
                            )),
                            None,
                        ))
                    }
                }
            }
        });
        return Ok(HttpResponse::Ok()
            .content_type("application/x-ndjson")
            .streaming(stream));
    }
    // Counted first: whatever is not pending now is in the page read next.
    let pending = keel_infra::audit::pending(&state.db, ws).await?;
    let mut page = keel_infra::audit::read(&state.db, ws, &q, limit + 1).await?;
    let more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    let next = more
        .then(|| page.last().map(|(c, _)| encode_cursor(c)))
        .flatten();
    // Where a follower resumes to read only what commits after this answer: oldest first, after
    // this page's last row (or where it was asked to start, if nothing came); newest first from
    // the top, after the newest row.
    let tail_cursor = match (q.newest_first, &q.cursor) {
        (false, asked) => page
            .last()
            .map(|(c, _)| encode_cursor(c))
            .or_else(|| asked.as_ref().map(encode_cursor)),
        (true, None) => page.first().map(|(c, _)| encode_cursor(c)),
        (true, Some(_)) => None,
    };
    q.cursor = None;
    let rows: Vec<_> = page.iter().map(|(_, e)| audit_view(e)).collect();
    let next_url = next.as_ref().map(|c| {
        let mut pairs: Vec<(String, String)> = crate::http::query_pairs(&req)
            .into_iter()
            .filter(|(k, _)| k != "cursor")
            .collect();
        pairs.push(("cursor".into(), c.clone()));
        crate::http::link(&req, pairs)
    });
    Ok(HttpResponse::Ok().json(AuditPage {
        status: crate::http::Success::Ok,
        data: rows,
        meta: AuditMeta {
            limit,
            order: if q.newest_first { "desc" } else { "asc" },
            next_cursor: next,
            next: next_url,
            tail_cursor,
            pending,
        },
    }))
}
