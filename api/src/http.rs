//! Request and response plumbing shared by every route: JSON bodies, list parameters and the list
//! envelope, write positions and read-your-writes.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;
use keel_commands::FieldError;
use keel_projections::query::{parse_sort, Cursor, ListFilter, Listed};
use keel_projections::Projection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Deepest nesting of arrays and objects a body may have.
pub const MAX_JSON_DEPTH: usize = 32;
/// Longest string (or object key) a body may hold, in bytes.
pub const MAX_JSON_STRING: usize = 16 * 1024;

/// Refuses bodies nested too deep or holding over-long strings, before any handler sees them.
fn check_shape(value: &Value, depth: usize) -> Result<(), ApiError> {
    if depth > MAX_JSON_DEPTH {
        return Err(ApiError::BadRequest(format!(
            "the body is nested deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    let long = || {
        ApiError::BadRequest(format!(
            "the body holds a string longer than {MAX_JSON_STRING} bytes"
        ))
    };
    match value {
        Value::String(s) if s.len() > MAX_JSON_STRING => Err(long()),
        Value::Array(items) => items.iter().try_for_each(|v| check_shape(v, depth + 1)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            if k.len() > MAX_JSON_STRING {
                return Err(long());
            }
            check_shape(v, depth + 1)
        }),
        _ => Ok(()),
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// A list's page size when `limit` is absent, and the largest it takes (larger is clamped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub default: i64,
    pub max: i64,
}

/// Keel's lists: 50 rows, at most 1,000.
pub const PAGING: Paging = Paging {
    default: DEFAULT_LIMIT,
    max: MAX_LIMIT,
};

/// The lists the DNSai document describes (domains, their changes and scan results, exports,
/// keys): 250 rows, at most 5,000, as it says.
pub const DNSAI_PAGING: Paging = Paging {
    default: 250,
    max: 5000,
};

/// Reads a body up to `max` bytes (413 past it) and parses it: malformed JSON is 400, JSON of the
/// wrong shape (unknown or mistyped fields) is 422 with the field named.
pub async fn json_body<T: DeserializeOwned>(
    mut payload: web::Payload,
    max: usize,
) -> Result<T, ApiError> {
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if buf.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge(max));
        }
        buf.extend_from_slice(&chunk);
    }
    // No body at all stands for `{}`: the document marks such bodies optional wherever every
    // field is (see `openapi::StandardErrors`).
    let value: Value = if buf.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&buf)
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?
    };
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    check_shape(&value, 1)?;
    serde_json::from_value(value).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| {
                message.starts_with("unknown field") || message.starts_with("missing field")
            })
            .unwrap_or("body")
            .to_string();
        ApiError::Validation(vec![FieldError { field, message }])
    })
}

pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn timestamp_param(pairs: &[(String, String)], name: &str) -> Result<Option<String>, ApiError> {
    param(pairs, name)
        .map(|v| {
            keel_schemas::parse_ts(v)
                .map(keel_schemas::format_ts)
                .map_err(|_| {
                    ApiError::BadRequest(format!(
                        "`{name}` must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z"
                    ))
                })
        })
        .transpose()
}

/// `limit`, `offset`, `status`, `created_after`, `created_before`, `search`, `sort`.
pub fn list_filter(
    req: &HttpRequest,
    sorts: &[&'static str],
    statuses: &[&str],
) -> Result<ListFilter, ApiError> {
    list_filter_paged(req, sorts, statuses, PAGING)
}

/// [`list_filter`] with the page size of `paging`.
pub fn list_filter_paged(
    req: &HttpRequest,
    sorts: &[&'static str],
    statuses: &[&str],
    paging: Paging,
) -> Result<ListFilter, ApiError> {
    let pairs = query_pairs(req);
    let int = |name: &str| -> Result<Option<i64>, ApiError> {
        param(&pairs, name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::BadRequest(format!("`{name}` must be an integer")))
            })
            .transpose()
    };
    // Page-based as datanostro (`page_size`) and core-api (`per_page`) document it, or
    // limit/offset.
    let page = int("page")?;
    let size_param = ["page_size", "per_page", "limit"]
        .into_iter()
        .find(|p| param(&pairs, p).is_some())
        .unwrap_or("limit");
    let limit = int(size_param)?.unwrap_or(paging.default);
    if limit < 1 {
        return Err(ApiError::BadRequest(format!(
            "`{size_param}` must be at least 1"
        )));
    }
    let limit = limit.min(paging.max);
    let offset = match page {
        Some(p) if p < 1 => {
            return Err(ApiError::BadRequest("`page` must be at least 1".into()));
        }
        Some(_) if param(&pairs, "offset").is_some() => {
            return Err(ApiError::BadRequest(
                "give `page` or `offset`, not both".into(),
            ));
        }
        Some(p) => (p - 1).saturating_mul(limit),
        None => int("offset")?.unwrap_or(0),
    };
    if offset < 0 {
        return Err(ApiError::BadRequest("`offset` must not be negative".into()));
    }
    // Checked here for every list, also those whose read model needs no waiting.
    if int("min_position")?.is_some_and(|p| p < 0) {
        return Err(ApiError::BadRequest(
            "`min_position` must not be negative".into(),
        ));
    }
    let status = param(&pairs, "status").map(str::to_string);
    if let Some(s) = &status {
        if !statuses.contains(&s.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "`status` must be one of {}",
                statuses.join(", ")
            )));
        }
    }
    let sort =
        parse_sort(param(&pairs, "sort").unwrap_or(""), sorts).map_err(ApiError::BadRequest)?;
    Ok(ListFilter {
        limit,
        offset,
        cursor: None,
        status,
        created_after: timestamp_param(&pairs, "created_after")?,
        created_before: timestamp_param(&pairs, "created_before")?,
        updated_after: timestamp_param(&pairs, "updated_after")?,
        updated_before: timestamp_param(&pairs, "updated_before")?,
        search: param(&pairs, "search")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        sort,
        workspace_id: None,
        now: keel_schemas::format_ts(chrono::Utc::now()),
    })
}

/// The order a cursor was made for, as `sort` writes it.
fn sort_text(f: &ListFilter) -> String {
    f.sort
        .iter()
        .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.column))
        .collect::<Vec<_>>()
        .join(",")
}

/// An opaque cursor: base64url of `{"s": sort, "v": [sort values…, id]}`.
fn encode_cursor(f: &ListFilter, key: &[Value]) -> String {
    use base64::Engine;
    let raw = json!({ "s": sort_text(f), "v": key }).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Reads `after` or `before` into the filter, for lists walked by keyset.
pub fn with_cursor(req: &HttpRequest, mut f: ListFilter) -> Result<ListFilter, ApiError> {
    use base64::Engine;
    let pairs = query_pairs(req);
    let (name, raw, before) = match (param(&pairs, "after"), param(&pairs, "before")) {
        (None, None) => return Ok(f),
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "give `after` or `before`, not both".into(),
            ))
        }
        (Some(a), None) => ("after", a, false),
        (None, Some(b)) => ("before", b, true),
    };
    if param(&pairs, "page").is_some() {
        return Err(ApiError::BadRequest(format!(
            "give `page` or `{name}`, not both"
        )));
    }
    let bad = || {
        ApiError::BadRequest(format!(
            "`{name}` is not a cursor of this list: take it from `meta.next` or `meta.previous`"
        ))
    };
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&decoded).map_err(|_| bad())?;
    let values = v["v"].as_array().cloned().ok_or_else(bad)?;
    if v["s"].as_str() != Some(sort_text(&f).as_str()) {
        return Err(ApiError::BadRequest(format!(
            "`{name}` was made for another `sort`; keep the sort while walking a list"
        )));
    }
    let terms = f.sort.len().max(1) + 1;
    let plain = values
        .iter()
        .all(|x| x.is_null() || x.is_string() || x.as_i64().is_some());
    if values.len() != terms || !plain || !values[terms - 1].is_string() {
        return Err(bad());
    }
    f.cursor = Some(Cursor { before, values });
    Ok(f)
}

/// Where clients reach Keel, for the links it writes: `KEEL_PUBLIC_URL`, else the request's scheme
/// and `Host` (the `X-Forwarded-*` ones only with `KEEL_TRUST_PROXY=true`).
pub fn base_url(req: &HttpRequest) -> String {
    let config = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| &s.config);
    if let Some(u) = config.and_then(|c| c.public_url.clone()) {
        return u;
    }
    let trust = config.is_some_and(|c| c.trust_proxy);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
            })
    };
    let scheme = trust
        .then(|| header("x-forwarded-proto"))
        .flatten()
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| {
            if req.app_config().secure() {
                "https".into()
            } else {
                "http".into()
            }
        });
    let host = trust
        .then(|| header("x-forwarded-host"))
        .flatten()
        .or_else(|| header("host"))
        .unwrap_or_else(|| req.app_config().host().to_string());
    format!("{scheme}://{host}")
}

/// The full URL of this request's path with `pairs` as its query.
pub fn link(req: &HttpRequest, pairs: Vec<(String, String)>) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}{}?{}", base_url(req), req.path(), query)
}

fn page_url(req: &HttpRequest, offset: i64, limit: i64) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(req)
        .into_iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "offset" | "limit" | "min_position" | "page" | "page_size" | "per_page"
            )
        })
        .collect();
    pairs.push(("limit".into(), limit.to_string()));
    pairs.push(("offset".into(), offset.to_string()));
    link(req, pairs)
}

/// The top-level field names of a schema (an object, or the parts of an `allOf`).
fn schema_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    use utoipa::openapi::{schema::Schema, RefOr};
    fn of(s: &RefOr<Schema>, out: &mut Vec<String>) {
        match s {
            RefOr::T(Schema::Object(o)) => out.extend(o.properties.keys().cloned()),
            RefOr::T(Schema::AllOf(a)) => a.items.iter().for_each(|i| of(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    of(&T::schema(), &mut out);
    out
}

/// `fields=a,b` (core-api's sparse fieldsets): each row keeps only those fields. A field the
/// rows do not have is 400, naming it and the ones they do.
pub fn sparse<T: utoipa::PartialSchema>(
    req: &HttpRequest,
    rows: Vec<Value>,
    extra: &[&str],
) -> Result<Vec<Value>, ApiError> {
    let pairs = query_pairs(req);
    let Some(raw) = param(&pairs, "fields") else {
        return Ok(rows);
    };
    let wanted: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if wanted.is_empty() {
        return Err(ApiError::BadRequest(
            "`fields` names no field; e.g. fields=id,name".into(),
        ));
    }
    let mut known = schema_fields::<T>();
    if known.is_empty() {
        known = rows
            .first()
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
    }
    known.extend(extra.iter().map(|e| e.to_string()));
    if let Some(unknown) = wanted.iter().find(|w| !known.iter().any(|k| k == *w)) {
        known.sort();
        return Err(ApiError::BadRequest(format!(
            "unknown field `{unknown}` in `fields`; the rows have: {}",
            known.join(", ")
        )));
    }
    Ok(rows
        .into_iter()
        .map(|row| match row {
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .filter(|(k, _)| wanted.contains(&k.as_str()))
                    .collect(),
            ),
            other => other,
        })
        .collect())
}

/// `include=a,b`: which of `allowed` relations to embed. Another name is 400, naming the allowed.
pub fn includes(
    req: &HttpRequest,
    allowed: &[&'static str],
) -> Result<Vec<&'static str>, ApiError> {
    let pairs = query_pairs(req);
    let Some(raw) = param(&pairs, "include") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match allowed.iter().find(|a| **a == name) {
            Some(a) if !out.contains(a) => out.push(*a),
            Some(_) => {}
            None => {
                return Err(ApiError::BadRequest(if allowed.is_empty() {
                    format!("`include={name}`: this list has no relation to include")
                } else {
                    format!(
                        "`include={name}` is not a relation of these rows; one of: {}",
                        allowed.join(", ")
                    )
                }))
            }
        }
    }
    Ok(out)
}

/// A page walked by keyset: `meta.next` / `meta.previous` carry a cursor (`after` / `before`)
/// besides the offset they show, so a client following them sees every row once even while rows
/// are added or removed. With `page`, pages are by number as in [`envelope`].
pub fn listed<T: Serialize + utoipa::PartialSchema>(
    req: &HttpRequest,
    page: Listed<T>,
    f: &ListFilter,
) -> Result<HttpResponse, ApiError> {
    listed_with(req, page, f, |_| {}, &[])
}

/// [`listed`], with `decorate` run over the rows' JSON before `fields=` picks from them (to
/// embed what `include=` asked for; `extra` names the fields it may add).
pub fn listed_with<T: Serialize + utoipa::PartialSchema>(
    req: &HttpRequest,
    page: Listed<T>,
    f: &ListFilter,
    decorate: impl FnOnce(&mut [Value]),
    extra: &[&str],
) -> Result<HttpResponse, ApiError> {
    let Listed {
        rows,
        total,
        has_next,
        has_previous,
        first_key,
        last_key,
    } = page;
    let mut rows: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect();
    decorate(&mut rows);
    let rows = sparse::<T>(req, rows, extra)?;
    let page = Listed {
        rows,
        total,
        has_next,
        has_previous,
        first_key,
        last_key,
    };
    if param(&query_pairs(req), "page").is_some() {
        return Ok(envelope(req, page.rows, page.total, f));
    }
    let url = |offset: i64, cursor: Option<(&str, String)>| {
        let mut pairs: Vec<(String, String)> = query_pairs(req)
            .into_iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "offset"
                        | "limit"
                        | "min_position"
                        | "page_size"
                        | "per_page"
                        | "after"
                        | "before"
                )
            })
            .collect();
        pairs.push(("limit".into(), f.limit.to_string()));
        pairs.push(("offset".into(), offset.max(0).to_string()));
        if let Some((name, c)) = cursor {
            pairs.push((name.into(), c));
        }
        link(req, pairs)
    };
    let shown = page.rows.len() as i64;
    let next_cursor = page
        .last_key
        .as_ref()
        .filter(|_| page.has_next)
        .map(|k| encode_cursor(f, k));
    let previous_cursor = page
        .first_key
        .as_ref()
        .filter(|_| page.has_previous)
        .map(|k| encode_cursor(f, k));
    let next = next_cursor
        .clone()
        .map(|c| url(f.offset + shown, Some(("after", c))));
    let previous = page.has_previous.then(|| {
        url(
            f.offset - f.limit,
            previous_cursor.clone().map(|c| ("before", c)),
        )
    });
    let mut meta =
        crate::openapi::ListMeta::new(page.total, f.limit, f.offset, next, previous, None);
    meta.next_cursor = next_cursor;
    meta.previous_cursor = previous_cursor;
    Ok(HttpResponse::Ok().json(Page {
        status: crate::http::Success::Ok,
        data: page.rows,
        meta,
        links: None,
        pagination: None,
    }))
}

/// `{"data": [...], "meta": {...}}` with links that walk every row exactly once.
pub fn envelope<T: Serialize>(
    req: &HttpRequest,
    rows: Vec<T>,
    total: i64,
    f: &ListFilter,
) -> HttpResponse {
    HttpResponse::Ok().json(page_of(req, rows, total, f))
}

/// The page [`envelope`] answers.
pub fn page_of<T: Serialize>(
    req: &HttpRequest,
    rows: Vec<T>,
    total: i64,
    f: &ListFilter,
) -> Page<T> {
    let end = f.offset.saturating_add(f.limit);
    let pairs = query_pairs(req);
    let paged = param(&pairs, "page").is_some();
    let (next, previous, pages, links) = if paged {
        // Pages as asked for: `page` with the size parameter the client used.
        let limit = f.limit.max(1);
        let current = f.offset / limit + 1;
        let last = ((total + limit - 1) / limit).max(1);
        let url = |n: i64| {
            let mut p: Vec<(String, String)> = pairs
                .iter()
                .filter(|(k, _)| k != "page" && k != "min_position")
                .cloned()
                .collect();
            p.push(("page".into(), n.to_string()));
            link(req, p)
        };
        let next = (current < last).then(|| url(current + 1));
        let previous = (current > 1).then(|| url(current - 1));
        let shown = rows.len() as i64;
        let pages = crate::openapi::PageNumbers {
            current_page: current,
            per_page: limit,
            last_page: last,
            from: (shown > 0).then_some(f.offset + 1),
            to: (shown > 0).then_some(f.offset + shown),
            total,
        };
        let links = PageLinks {
            first: url(1),
            last: url(last),
            prev: previous.clone(),
            next: next.clone(),
        };
        (next, previous, Some(pages), Some(links))
    } else {
        (
            (end < total).then(|| page_url(req, end, f.limit)),
            (f.offset > 0).then(|| page_url(req, (f.offset - f.limit).max(0), f.limit)),
            None,
            None,
        )
    };
    Page {
        status: crate::http::Success::Ok,
        data: rows,
        meta: crate::openapi::ListMeta::new(total, f.limit, f.offset, next, previous, pages),
        links,
        pagination: None,
    }
}

/// Dashtray's paging of a list (`GET /api/v1/metrics`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub limit: i64,
    pub offset: i64,
    pub has_more: bool,
}

/// Full URLs of the first, last, previous and next pages (page-based lists).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageLinks {
    pub first: String,
    pub last: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// `"ok"` on every success body, beside `data` (DNSai's envelope; harmless to other clients).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Success {
    #[default]
    Ok,
}

/// The answer of every read and write of one resource: `{"status": "ok", "data": …}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Data<T> {
    pub status: Success,
    pub data: T,
}

/// The answer of a write that is taken now and applied later: `accepted`, or `ignored` (a bot's
/// hit, which is answered but not recorded).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub status: &'static str,
    /// Why a hit was ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub reason: Option<&'static str>,
}

impl Accepted {
    pub const ACCEPTED: Accepted = Accepted {
        status: "accepted",
        reason: None,
    };
}

/// The answer of every list: a page of rows and where the others are.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub status: Success,
    pub data: Vec<T>,
    pub meta: crate::openapi::ListMeta,
    /// With `page`: the first, last, previous and next pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub links: Option<PageLinks>,
    /// On the metrics list: `{limit, offset, has_more}` (Dashtray).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub pagination: Option<Pagination>,
}

/// The `If-Match` version, if any (`"3"`, `3` or `W/"3"`).
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    req.headers()
        .get("If-Match")
        .map(|v| {
            let s = v
                .to_str()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"');
            s.parse::<i64>().map_err(|_| {
                ApiError::BadRequest("If-Match must be a version number such as \"3\"".into())
            })
        })
        .transpose()
}

fn watermark(state: &AppState, projection: Projection) -> i64 {
    state
        .watermarks
        .lock()
        .map(|w| w.get(projection.name()).copied().unwrap_or(0))
        .unwrap_or(0)
}

fn raise_watermark(state: &AppState, projection: Projection, to: i64) {
    if let Ok(mut w) = state.watermarks.lock() {
        let e = w.entry(projection.name()).or_insert(0);
        *e = (*e).max(to);
    }
}

/// Waits briefly until `projection` has applied the event at `min_position` and every event
/// before it (read-your-writes). Answers 503 `not_caught_up` if that takes more than 5 s.
pub async fn wait_for_position(
    req: &HttpRequest,
    state: &AppState,
    projection: Projection,
) -> Result<(), ApiError> {
    let pairs = query_pairs(req);
    let Some(raw) = param(&pairs, "min_position") else {
        return Ok(());
    };
    let position: i64 = raw
        .parse()
        .map_err(|_| ApiError::BadRequest("`min_position` must be an integer".into()))?;
    if position < 0 {
        return Err(ApiError::BadRequest(
            "`min_position` must not be negative".into(),
        ));
    }
    if position == 0 {
        return Ok(());
    }
    let Some(stream) = state.store.stream_of_position(position).await? else {
        return Err(ApiError::BadRequest(format!(
            "no event at position {position}"
        )));
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let low = watermark(state, projection);
        let this_one =
            keel_projections::has_applied(&state.db, projection, stream.as_str(), position).await?;
        if this_one
            && (position <= low
                || keel_projections::has_applied_range(&state.db, projection, low, position)
                    .await?)
        {
            raise_watermark(state, projection, position);
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::NotCaughtUp(position));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub const POSITION_HEADER: &str = "X-Keel-Position";

/// A write's response: the body, the position of its last event and the stream's new version.
pub fn written<T: Serialize>(
    status: actix_web::http::StatusCode,
    outcome: &keel_commands::AppendOutcome,
    body: T,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .insert_header(("ETag", format!("\"{}\"", outcome.stream_version)))
        .json(json!({ "status": Success::Ok, "data": body }))
}

/// For a nested object of a request body: serde reads a struct from a JSON array too (by field
/// order); the API's contract is an object (or `null`), so anything else is refused.
pub fn object_or_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::de::Error;
    match <Value as serde::Deserialize>::deserialize(d)? {
        Value::Null => Ok(None),
        v @ Value::Object(_) => serde_json::from_value(v)
            .map(Some)
            .map_err(D::Error::custom),
        _ => Err(D::Error::custom("expected an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_nested_too_deep_or_with_huge_strings_are_refused() {
        let mut deep = json!(1);
        for _ in 0..MAX_JSON_DEPTH {
            deep = json!([deep]);
        }
        assert!(check_shape(&deep, 1).is_err());
        let mut ok = json!(1);
        for _ in 0..MAX_JSON_DEPTH - 1 {
            ok = json!([ok]);
        }
        assert!(check_shape(&ok, 1).is_ok());
        assert!(check_shape(&json!({ "a": "x".repeat(MAX_JSON_STRING + 1) }), 1).is_err());
        assert!(check_shape(&json!({ "a": "x".repeat(MAX_JSON_STRING) }), 1).is_ok());
    }
}
