//! Analytics ingestion: server-side events in batches, goals, payments and identify calls.
//! Each accepted item is one append to its visitor's (or payment's) stream; the store's group
//! commit puts the appends of many items and requests into few transactions.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{json_body, Accepted, Data, POSITION_HEADER};
use crate::routes::command_meta;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use keel_commands::analytics::{
    self, anonymous_visitor_key, EdgeFacts, EventInput, GoalInput, HitKind, IdentifyInput,
    PaymentAggregate, PaymentCommand, RecordPayment, MAX_BATCH_ITEMS,
};
use keel_commands::site::{Site, SiteAggregate};
use keel_commands::{
    execute, Aggregate, AppendOutcome, AppendRequest, CommandError, DomainError, EventStore,
    Execution, StoreError,
};
use keel_events::{SiteId, StreamId, WorkspaceId};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The site, if it is live and in this workspace (another workspace's site is simply not found).
pub async fn load_site(
    state: &AppState,
    ws: WorkspaceId,
    id: SiteId,
) -> Result<Option<Site>, ApiError> {
    let history = state.store.read_stream(&StreamId::site(id)).await?;
    Ok(SiteAggregate::fold(history.iter().map(|e| &e.event))
        .filter(|s| s.workspace_id == ws && !s.deleted))
}

fn parse_site(raw: &str) -> Option<SiteId> {
    raw.trim().parse().ok()
}

/// Today's salt (UTC day), shared by every replica through the database; made on first use.
pub async fn daily_salt(state: &AppState, now: DateTime<Utc>) -> Result<String, ApiError> {
    let day = now.format("%Y-%m-%d").to_string();
    if let Ok(guard) = state.salt.lock() {
        if let Some((d, s)) = guard.as_ref() {
            if *d == day {
                return Ok(s.clone());
            }
        }
    }
    let fresh: String = {
        let mut rng = rand::rngs::OsRng;
        (0..32)
            .map(|_| format!("{:02x}", rng.gen::<u8>()))
            .collect()
    };
    let salt = keel_infra::salts::of_day(&state.db, &day, &fresh).await?;
    if let Ok(mut guard) = state.salt.lock() {
        *guard = Some((day, salt.clone()));
    }
    Ok(salt)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsBody {
    /// Up to 1,000 events.
    /// Kept raw: each item is parsed on its own, so a bad one is rejected alone.
    #[schema(value_type = Vec<EventItem>)]
    events: Vec<Box<serde_json::value::RawValue>>,
}

/// One server-side event.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventItem {
    /// `pageview` (default) or `custom`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Optional with a website key (its site).
    #[serde(default)]
    site_id: String,
    /// Name of a custom event.
    name: Option<String>,
    /// Required unless `ip` is given.
    visitor_id: Option<String>,
    session_id: Option<String>,
    /// Absolute http(s) URL or a path; required for pageviews.
    url: Option<String>,
    referrer: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_content: Option<String>,
    utm_term: Option<String>,
    user_agent: Option<String>,
    /// The viewport's width in CSS pixels: the screen class (`Mobile` below 576, `Tablet` below
    /// 992, `Laptop` below 1440, else `Desktop`).
    screen_width: Option<u32>,
    /// The client's address: used to derive the country and a daily-salted visitor key, never stored.
    ip: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    properties: Map<String, Value>,
    /// RFC 3339; defaults to now.
    occurred_at: Option<String>,
    /// Your id for the event: an event with an id already seen on the site is counted once.
    event_id: Option<String>,
}

/// An RFC 3339 time, or a 422 naming the field.
fn parse_time(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                DomainError::field(
                    field,
                    "must be an RFC 3339 time such as 2026-11-01T12:00:00Z",
                )
                .into()
            })
    })
    .transpose()
}

fn item_reason(e: serde_json::Error) -> String {
    let m = e.to_string();
    m.split(" at line ").next().unwrap_or(&m).to_string()
}

/// What became of one item.
enum Fate {
    Append(Box<AppendRequest>),
    Rejected(String),
}

async fn prepare(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    ws: WorkspaceId,
    sites: &mut HashMap<SiteId, Option<Site>>,
    raw: &serde_json::value::RawValue,
    now: DateTime<Utc>,
) -> Result<Fate, ApiError> {
    let item: EventItem = match serde_json::from_str(raw.get()) {
        Ok(i) => i,
        Err(e) => return Ok(Fate::Rejected(item_reason(e))),
    };
    // A website key's own site when the item names none; another site is 403.
    let Some(named) = caller.site(Some(&item.site_id))? else {
        return Ok(Fate::Rejected("site_id: required".into()));
    };
    let Some(site_id) = parse_site(&named) else {
        return Ok(Fate::Rejected("site_id: site not found".into()));
    };
    if let std::collections::hash_map::Entry::Vacant(slot) = sites.entry(site_id) {
        slot.insert(load_site(state, ws, site_id).await?);
    }
    let Some(site) = sites.get(&site_id).cloned().flatten() else {
        return Ok(Fate::Rejected("site_id: site not found".into()));
    };
    let occurred_at = match parse_time("occurred_at", item.occurred_at.as_deref()) {
        Ok(t) => t,
        Err(_) => {
            return Ok(Fate::Rejected(
                "occurred_at: must be an RFC 3339 time".into(),
            ))
        }
    };
    let kind = match item.kind.as_deref() {
        None | Some("pageview") => HitKind::Pageview,
        Some("custom") => HitKind::Custom,
        Some(_) => return Ok(Fate::Rejected("type: must be pageview or custom".into())),
    };
    let mut edge = EdgeFacts::default();
    if let Some(ip) = item.ip.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let Ok(addr) = ip.parse::<std::net::IpAddr>() else {
            return Ok(Fate::Rejected("ip: must be an IPv4 or IPv6 address".into()));
        };
        edge = crate::geo::place(state, addr);
        if item.visitor_id.is_none() {
            let salt = daily_salt(state, now).await?;
            edge.anonymous_visitor = Some(anonymous_visitor_key(
                &salt,
                site.id,
                &addr.to_string(),
                item.user_agent.as_deref().unwrap_or(""),
            ));
        }
    }
    let input = EventInput {
        kind: Some(kind),
        name: item.name,
        visitor_id: item.visitor_id,
        session_id: item.session_id,
        url: item.url,
        referrer: item.referrer,
        utm_source: item.utm_source,
        utm_medium: item.utm_medium,
        utm_campaign: item.utm_campaign,
        utm_content: item.utm_content,
        utm_term: item.utm_term,
        user_agent: item.user_agent,
        screen_width: item.screen_width,
        properties: item.properties,
        occurred_at,
        event_id: item.event_id,
    };
    let (event, at) = match analytics::record_event(&site, &input, &edge, now) {
        Ok(x) => x,
        Err(r) => return Ok(Fate::Rejected(r.reason())),
    };
    let event_id = analytics::visitor_event_id(&event, crate::routes::new_event_id);
    let request = analytics::visitor_request(event, event_id, at, command_meta(req, caller))
        .ok_or_else(|| ApiError::Internal("a hit without a visitor".into()))?;
    Ok(Fate::Append(Box::new(
        crate::routes::usage::meter_events(state, request).await?,
    )))
}

/// What became of a batch.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchResult {
    /// Items recorded now.
    pub accepted: u64,
    /// Items recorded before (same `event_id`): counted once.
    pub duplicate: u64,
    /// Items refused; `errors` says why.
    pub rejected: usize,
    pub errors: Vec<ItemRefused>,
}

/// One refused item of a batch.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemRefused {
    /// Its index in `events`.
    pub index: usize,
    pub reason: String,
}

/// A recorded (or already recorded) payment.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentAnswer {
    pub site_id: String,
    pub transaction_id: String,
    pub amount: i64,
    pub currency: String,
    /// recorded or duplicate
    pub status: &'static str,
}

pub fn position_header(resp: &mut actix_web::HttpResponseBuilder, last: i64) {
    if last > 0 {
        resp.insert_header((POSITION_HEADER, last.to_string()));
    }
}

#[utoipa::path(post, path = "/api/v1/events", tag = "analytics", request_body = EventsBody,
    responses((status = 202, description = "counts of accepted, duplicate and rejected items, with each rejected item's index and reason", body = Data<BatchResult>),
        (status = 404, description = "no item names a site of the workspace", body = crate::openapi::ErrorBody),
        (status = 413, description = "over 1,000 items or 1 MiB", body = crate::openapi::ErrorBody)))]
pub async fn ingest(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: EventsBody = json_body(body, state.config.max_body_bytes).await?;
    if body.events.len() > MAX_BATCH_ITEMS {
        return Err(ApiError::TooManyItems {
            max: MAX_BATCH_ITEMS,
            got: body.events.len(),
        });
    }
    let now = Utc::now();
    let mut sites = HashMap::new();
    let mut fates = Vec::with_capacity(body.events.len());
    for raw in &body.events {
        fates.push(prepare(&state, &req, &caller, ws, &mut sites, raw, now).await?);
    }
    drop(body);
    if !fates.is_empty() && sites.values().all(Option::is_none) {
        return Err(ApiError::NotFound("site"));
    }
    // Queued in item order, so one visitor's events keep the batch's order in its stream.
    let appends = fates.into_iter().map(|f| async {
        match f {
            Fate::Append(r) => Ok(analytics::append_visitor_event(&state.store, *r).await),
            Fate::Rejected(reason) => Err(reason),
        }
    });
    let results = join_all(appends).await;
    let (mut accepted, mut duplicate, mut last) = (0u64, 0u64, 0i64);
    let mut errors = Vec::new();
    let mut unavailable = 0usize;
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Err(reason) => errors.push(ItemRefused { index, reason }),
            Ok(Ok(AppendOutcome {
                duplicate: true, ..
            })) => duplicate += 1,
            Ok(Ok(o)) => {
                accepted += 1;
                last = last.max(o.last_position);
            }
            Ok(Err(StoreError::EventIdReused(_))) => duplicate += 1,
            // Past the plan's events limit: refused for good, not to be resent this period.
            Ok(Err(StoreError::Rejected(e))) => errors.push(ItemRefused {
                index,
                reason: e.to_string(),
            }),
            Ok(Err(e)) => {
                unavailable += 1;
                tracing::warn!(error = %e, index, "event not appended");
                errors.push(ItemRefused {
                    index,
                    reason: "temporarily unavailable; resend this item".into(),
                });
            }
        }
    }
    if unavailable > 0 && accepted == 0 && duplicate == 0 {
        return Err(ApiError::Unavailable(
            "the event store did not take the batch".into(),
        ));
    }
    let mut resp = HttpResponse::build(StatusCode::ACCEPTED);
    position_header(&mut resp, last);
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: BatchResult {
            accepted,
            duplicate,
            rejected: errors.len(),
            errors,
        },
    }))
}

/// The site a body names, or a website key's own when it names none; another site is 403.
fn site_named(caller: &Caller, given: &str) -> Result<String, ApiError> {
    caller
        .site(Some(given))?
        .ok_or_else(|| DomainError::field("site_id", "is required").into())
}

pub async fn site_of(state: &AppState, ws: WorkspaceId, raw: &str) -> Result<Site, ApiError> {
    let id = parse_site(raw).ok_or(ApiError::NotFound("site"))?;
    load_site(state, ws, id)
        .await?
        .ok_or(ApiError::NotFound("site"))
}

/// Records one decided visitor event (a goal or an identify call) and answers 202.
async fn append_one(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    event: keel_events::DomainEvent,
    at: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let event_id = Entropy::of(req).event_ids()();
    let request = analytics::visitor_request(event, event_id, at, command_meta(req, caller))
        .ok_or_else(|| ApiError::Internal("not a visitor event".into()))?;
    let request = crate::routes::usage::meter_events(state, request).await?;
    let outcome = analytics::append_visitor_event(&state.store, request).await?;
    let mut resp = HttpResponse::build(StatusCode::ACCEPTED);
    position_header(&mut resp, outcome.last_position);
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: Accepted::ACCEPTED,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    /// Optional with a website key (its site).
    #[serde(default)]
    site_id: String,
    visitor_id: String,
    /// `[a-z0-9_:-]{1,64}`
    name: String,
    /// At most 10 keys; keys and values at most 255 characters.
    #[serde(default)]
    #[schema(value_type = Object)]
    metadata: Map<String, Value>,
    /// RFC 3339; defaults to now.
    occurred_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/goals", tag = "analytics", request_body = GoalBody,
    responses((status = 202, description = "accepted", body = Data<Accepted>), (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: GoalBody = json_body(body, state.config.max_body_bytes).await?;
    let site = site_of(&state, ws, &site_named(&caller, &body.site_id)?).await?;
    let input = GoalInput {
        visitor_id: body.visitor_id,
        name: body.name,
        metadata: body.metadata,
        occurred_at: parse_time("occurred_at", body.occurred_at.as_deref())?,
    };
    let (event, at) = analytics::record_goal(&site, &input, Utc::now())?;
    append_one(&state, &req, &caller, event, at).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifyBody {
    /// Optional with a website key (its site).
    #[serde(default)]
    site_id: String,
    visitor_id: String,
    /// Your user id, at most 255 characters.
    user_id: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    traits: Map<String, Value>,
}

#[utoipa::path(post, path = "/api/v1/identify", tag = "analytics", request_body = IdentifyBody,
    responses((status = 202, description = "accepted", body = Data<Accepted>), (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn identify(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: IdentifyBody = json_body(body, state.config.max_body_bytes).await?;
    let site = site_of(&state, ws, &site_named(&caller, &body.site_id)?).await?;
    let input = IdentifyInput {
        visitor_id: body.visitor_id,
        user_id: body.user_id,
        traits: body.traits,
    };
    let event = analytics::identify(&site, &input)?;
    append_one(&state, &req, &caller, event, Utc::now()).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// Optional with a website key (its site).
    #[serde(default)]
    site_id: String,
    /// Minor units (cents), a whole number ≥ 0.
    #[schema(value_type = i64)]
    amount: Value,
    /// ISO 4217.
    currency: String,
    /// Unique per site, forever: a second payment with it is a duplicate.
    transaction_id: String,
    visitor_id: Option<String>,
    customer_id: Option<String>,
    email: Option<String>,
    #[serde(default)]
    renewal: bool,
    #[serde(default)]
    refunded: bool,
    #[serde(default)]
    is_free_trial: bool,
    /// RFC 3339; defaults to now.
    occurred_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/payments", tag = "analytics", request_body = PaymentBody,
    responses((status = 201, description = "recorded", body = Data<PaymentAnswer>), (status = 200, description = "a duplicate of a recorded transaction id; nothing changed", body = Data<PaymentAnswer>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn payment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: PaymentBody = json_body(body, state.config.max_body_bytes).await?;
    let site = site_of(&state, ws, &site_named(&caller, &body.site_id)?).await?;
    let Some(amount) = body.amount.as_i64() else {
        return Err(DomainError::field(
            "amount",
            "must be a whole number of minor units (e.g. 1999 for 19.99)",
        )
        .into());
    };
    let now = Utc::now();
    let at = parse_time("occurred_at", body.occurred_at.as_deref())?.unwrap_or(now);
    if at > now + chrono::Duration::seconds(analytics::MAX_FUTURE_SKEW_SECS) {
        return Err(DomainError::field("occurred_at", "must not lie in the future").into());
    }
    let transaction_id = body.transaction_id.trim().to_string();
    let command = PaymentCommand::Record(RecordPayment {
        site_id: site.id,
        workspace_id: ws,
        transaction_id: transaction_id.clone(),
        amount,
        currency: body.currency.clone(),
        visitor_id: body.visitor_id,
        customer_id: body.customer_id,
        email: body.email,
        renewal: body.renewal,
        refunded: body.refunded,
        is_free_trial: body.is_free_trial,
    });
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::payment(site.id, &analytics::transaction_key(&transaction_id)),
        expected_version: None,
        metadata: command_meta(&req, &caller),
        now: at,
        new_stream: false,
    };
    let view = |status: &'static str| Data {
        status: crate::http::Success::Ok,
        data: PaymentAnswer {
            site_id: site.id.to_string(),
            transaction_id: transaction_id.clone(),
            amount,
            currency: body.currency.clone(),
            status,
        },
    };
    match execute::<PaymentAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
        .await
    {
        Ok((outcome, _)) => {
            let mut resp = HttpResponse::build(StatusCode::CREATED);
            position_header(&mut resp, outcome.last_position);
            Ok(resp.json(view("recorded")))
        }
        Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => {
            Ok(HttpResponse::Ok().json(view("duplicate")))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(delete, path = "/api/v1/payments/{transaction_id}", tag = "analytics",
    params(("transaction_id" = String, Path, description = "the payment's transaction id"), ("site_id" = String, Query, description = "the site of the payment")),
    responses((status = 204, description = "removed (a payment.removed event)"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn remove_payment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let given = crate::http::query_pairs(&req)
        .into_iter()
        .find(|(k, _)| k == "site_id")
        .map(|(_, v)| v);
    let site_id = caller
        .site(given.as_deref())?
        .ok_or_else(|| ApiError::BadRequest("`site_id` is required".into()))?;
    let site = site_of(&state, ws, &site_id).await?;
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::payment(site.id, &analytics::transaction_key(path.trim())),
        expected_version: None,
        metadata: command_meta(&req, &caller),
        now: Utc::now(),
        new_stream: false,
    };
    let (outcome, _) = execute::<PaymentAggregate>(
        &state.store,
        &exec,
        &PaymentCommand::Remove,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/events").route(web::post().to(ingest)))
        .service(web::resource("/goals").route(web::post().to(goal)))
        .service(web::resource("/identify").route(web::post().to(identify)))
        .service(web::resource("/payments").route(web::post().to(payment)))
        .service(
            web::resource("/payments/{transaction_id}").route(web::delete().to(remove_payment)),
        );
}
