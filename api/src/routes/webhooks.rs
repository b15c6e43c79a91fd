//! `/api/v1/webhooks`: endpoints that receive a workspace's events, signed (Standard Webhooks),
//! their deliveries, manual retries and test messages. Delivery itself is the worker's
//! (`keel_infra::webhooks`).

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    envelope, if_match, json_body, list_filter, wait_for_position, written, Data, Page,
    POSITION_HEADER,
};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::webhook::{Webhook, WebhookAggregate, WebhookCommand};
use keel_commands::{execute, Aggregate, DomainError};
use keel_events::{StreamId, WebhookId, WorkspaceId};
use keel_infra::webhooks as hooks;
use keel_infra::webhooks::DeliveryView;
use keel_projections::webhooks::WebhookView;
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// https (plain http and private addresses only with `KEEL_WEBHOOKS_ALLOW_PRIVATE=true`)
    url: Option<String>,
    /// Event type patterns: `key.rotated`, `domain.*`, `usage.threshold_reached`, `*`.
    events: Option<Vec<String>>,
    /// An empty string clears it.
    description: Option<String>,
    is_active: Option<bool>,
    /// On create only: your own signing secret (24 to 255 visible ASCII characters; a `whsec_`
    /// one is base64 of at least 24 bytes, as Standard Webhooks has it). Generated if absent.
    secret: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    /// How long the previous secret keeps signing (both signatures are sent), 0 to 604800
    /// seconds; default 86400.
    previous_valid_for_seconds: Option<i64>,
}

async fn load(
    state: &AppState,
    ws: WorkspaceId,
    id: WebhookId,
) -> Result<(Webhook, i64), ApiError> {
    let mine = |w: &Webhook| w.workspace_id == ws && !w.deleted;
    let (w, history) =
        load_aggregate::<WebhookAggregate, _>(state, &StreamId::webhook(id), "webhook", mine)
            .await?;
    Ok((w, history.last().map_or(0, |e| e.stream_version)))
}

/// An endpoint as its writer sees it right after the write (counters from the dispatcher); a
/// create and a rotation also show the new secret, this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookWritten {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub is_active: bool,
    /// active, inactive (turned off by a user) or disabled (by the dispatcher, after failures)
    pub status: &'static str,
    pub disabled_reason: Option<String>,
    pub secret_hint: String,
    pub secret_version: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub consecutive_failures: i64,
    pub last_delivery_at: Option<String>,
    pub version: i64,
    /// The signing secret (`whsec_…`): on create and rotation only, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub secret: Option<String>,
    /// On rotation: until when the previous secret still signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub previous_valid_until: Option<String>,
}

async fn view(state: &AppState, w: &Webhook, version: i64) -> Result<WebhookWritten, ApiError> {
    let stats =
        keel_projections::webhooks::get(&state.db, &w.workspace_id.to_string(), &w.id.to_string())
            .await?;
    let status = if w.active {
        "active"
    } else if w.disabled_reason.is_some() {
        "disabled"
    } else {
        "inactive"
    };
    Ok(WebhookWritten {
        id: w.id.to_string(),
        workspace_id: w.workspace_id.to_string(),
        url: w.url.clone(),
        events: w.events.clone(),
        description: w.description.clone(),
        is_active: w.active,
        status,
        disabled_reason: w.disabled_reason.clone(),
        secret_hint: w.secret_hint.clone(),
        secret_version: w.secret_version,
        success_count: stats.as_ref().map_or(0, |s| s.success_count),
        failure_count: stats.as_ref().map_or(0, |s| s.failure_count),
        consecutive_failures: stats.as_ref().map_or(0, |s| s.consecutive_failures),
        last_delivery_at: stats.as_ref().and_then(|s| s.last_delivery_at.clone()),
        version,
        secret: None,
        previous_valid_until: None,
    })
}

/// The URL's host must resolve to public addresses (unless the operator allows private ones).
async fn check_target(state: &AppState, url: &str) -> Result<(), ApiError> {
    // Only well-formed URLs reach the lookup; the decider names every other problem.
    if keel_commands::webhook::check_url(url, state.config.webhooks.allow_private).is_err() {
        return Ok(());
    }
    state
        .webhooks
        .check_target(url)
        .await
        .map_err(|m| DomainError::field("url", format!("is refused: {m}")).into())
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookBody,
    responses((status = 201, description = "created; `data.secret` (`whsec_…`) is shown this once", body = Data<WebhookWritten>),
        (status = 422, description = "bad url (not https, private or unresolvable host, credentials) or unknown event pattern", body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: WebhookBody = json_body(body, state.config.max_body_bytes).await?;
    let url = body.url.unwrap_or_default();
    let entropy = Entropy::of(&req);
    let id = WebhookId(entropy.uuid_v7());
    let secret = match body.secret {
        Some(s) => {
            hooks::check_client_secret(&s)
                .map_err(|m| keel_commands::DomainError::field("secret", &m))?;
            s
        }
        None => hooks::generate_secret(&mut entropy.rng()),
    };
    let command = WebhookCommand::Create {
        webhook_id: id,
        workspace_id: ws,
        url: url.clone(),
        events: body.events.unwrap_or_default(),
        description: body.description,
        active: body.is_active.unwrap_or(true),
        secret_hint: hooks::secret_hint(&secret),
        allow_private: state.config.webhooks.allow_private,
    };
    // Validate first (nothing stored for a refused request), then look the host up.
    WebhookAggregate::decide(&None, &command)?;
    check_target(&state, &url).await?;
    if !hooks::store_secret(&state.db, id, 1, ws, &secret).await? {
        // Only a run of this same request (same idempotency seed) draws this id.
        return Err(ApiError::Internal(
            "the new endpoint's id already has another secret".into(),
        ));
    }
    let mut exec = execution(&req, &caller, ws, StreamId::webhook(id), if_match(&req)?);
    exec.expected_version = None;
    let (outcome, after) =
        execute::<WebhookAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let w = after.ok_or_else(|| ApiError::Internal("webhook missing after create".into()))?;
    let mut data = view(&state, &w, outcome.stream_version).await?;
    data.secret = Some(secret);
    let mut resp = written(StatusCode::CREATED, &outcome, data);
    resp.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/webhooks/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(crate::openapi::ListQuery),
    responses((status = 200, description = "the workspace's webhooks (status active, inactive or disabled), newest first, paginated", body = Page<WebhookView>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Webhooks).await?;
    let f = list_filter(&req, &["created_at"], keel_projections::webhooks::STATUSES)?;
    let (rows, total) = keel_projections::webhooks::list(
        &state.db,
        &ws.to_string(),
        f.status.as_deref(),
        f.limit,
        f.offset,
    )
    .await?;
    Ok(envelope(&req, rows, total, &f))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(crate::openapi::Fresh, ("id" = String, Path, description = "webhook id")),
    responses((status = 200, body = Data<WebhookView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    wait_for_position(&req, &state, Projection::Webhooks).await?;
    let w = keel_projections::webhooks::get(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", w.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: w,
        }))
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path, description = "webhook id")), request_body = WebhookBody,
    responses((status = 200, description = "the endpoint after the change; `is_active: true` also re-enables an endpoint the dispatcher disabled", body = Data<WebhookWritten>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    let (current, _) = load(&state, ws, id).await?;
    let body: WebhookBody = json_body(body, state.config.max_body_bytes).await?;
    if body.secret.is_some() {
        return Err(keel_commands::DomainError::field(
            "secret",
            "a secret is changed by POST /api/v1/webhooks/{id}/rotate-secret",
        )
        .into());
    }
    let command = WebhookCommand::Update {
        url: body.url.clone(),
        events: body.events,
        description: body.description,
        active: body.is_active,
        allow_private: state.config.webhooks.allow_private,
    };
    WebhookAggregate::decide(&Some(current), &command)?;
    if let Some(url) = &body.url {
        check_target(&state, url).await?;
    }
    let exec = execution(&req, &caller, ws, StreamId::webhook(id), if_match(&req)?);
    let (outcome, after) =
        execute::<WebhookAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let w = after.ok_or(ApiError::NotFound("webhook"))?;
    let data = view(&state, &w, outcome.stream_version).await?;
    Ok(written(StatusCode::OK, &outcome, data))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path, description = "webhook id")),
    responses((status = 204, description = "deleted: nothing more is delivered and its secrets are destroyed"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    load(&state, ws, id).await?;
    let exec = execution(&req, &caller, ws, StreamId::webhook(id), if_match(&req)?);
    let (outcome, _) = execute::<WebhookAggregate>(
        &state.store,
        &exec,
        &WebhookCommand::Delete,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    hooks::forget_secrets(&state.db, &id.to_string()).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", params(("id" = String, Path, description = "webhook id")), request_body(content = RotateBody, description = "optional"),
    responses((status = 200, description = "the new `data.secret`, shown this once; the previous one keeps signing until `previous_valid_until`", body = Data<WebhookWritten>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    let (current, version) = load(&state, ws, id).await?;
    let raw = actix_web::body::to_bytes(actix_web::body::BodyStream::new(body))
        .await
        .map_err(|_| ApiError::BadRequest("unreadable body".into()))?;
    let body: RotateBody = if raw.iter().all(u8::is_ascii_whitespace) {
        RotateBody::default()
    } else {
        serde_json::from_slice(&raw)
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?
    };
    let grace = body.previous_valid_for_seconds.unwrap_or(86_400);
    if !(0..=604_800).contains(&grace) {
        return Err(DomainError::field("previous_valid_for_seconds", "must be 0 to 604800").into());
    }
    let secret = hooks::generate_secret(&mut Entropy::of(&req).rng());
    // A second run of a rotation whose answer was lost (same idempotency seed, same secret)
    // finds its secret current: it stores nothing, and `execute` finds its event.
    let again =
        hooks::stored_secret(&state.db, id, current.secret_version).await? == Some(secret.clone());
    let next = current.secret_version + 1;
    // The secret is stored before the event that names its version; a concurrent rotation finds
    // the version taken.
    if !again
        && !matches!(
            hooks::store_secret(&state.db, id, next, ws, &secret).await,
            Ok(true)
        )
    {
        return Err(ApiError::VersionConflict {
            expected: version.to_string(),
            actual: version + 1,
        });
    }
    let mut exec = execution(&req, &caller, ws, StreamId::webhook(id), if_match(&req)?);
    if exec.expected_version.is_none() {
        exec.expected_version = Some(version);
    }
    let until = exec.now + chrono::Duration::seconds(grace);
    let command = WebhookCommand::RotateSecret {
        secret_hint: hooks::secret_hint(&secret),
        previous_valid_until: until,
    };
    let (outcome, after) =
        execute::<WebhookAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let w = after.ok_or(ApiError::NotFound("webhook"))?;
    let mut data = view(&state, &w, outcome.stream_version).await?;
    data.secret = Some(secret);
    data.previous_valid_until = Some(keel_schemas::format_ts(until));
    Ok(written(StatusCode::OK, &outcome, data))
}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path, description = "webhook id")),
    responses((status = 200, description = "one signed `webhook.test` message, sent now, and how the endpoint answered", body = Data<keel_infra::webhooks::Attempt>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn test(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    let (w, _) = load(&state, ws, id).await?;
    let now = chrono::Utc::now();
    let message = format!("msg_test_{}", uuid::Uuid::now_v7().simple());
    let body = json!({
        "type": "webhook.test",
        "timestamp": keel_schemas::format_ts(now),
        "data": { "webhook_id": w.id, "workspace_id": ws, "message": "A test message from Keel." },
    })
    .to_string();
    let secrets =
        hooks::signing_secrets(&state.db, &id.to_string(), w.secret_version, None).await?;
    let attempt = state.webhooks.post(&w.url, &message, &body, &secrets).await;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: attempt,
    }))
}

/// The query the handler reads through `list_filter`; declared for the OpenAPI document.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DeliveryParams {
    /// pending, retrying, success or failed
    status: Option<String>,
    #[param(minimum = 1)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path, description = "webhook id"), DeliveryParams),
    responses((status = 200, description = "the endpoint's deliveries, newest event first, paginated", body = Page<DeliveryView>),
        (status = 400, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<WebhookId>(&path, "webhook")?;
    load(&state, ws, id).await?;
    let f = list_filter(&req, &["created_at"], hooks::DELIVERY_STATUSES)?;
    let (rows, total) = hooks::list_deliveries(
        &state.db,
        &id.to_string(),
        f.status.as_deref(),
        f.limit,
        f.offset,
    )
    .await?;
    Ok(envelope(&req, rows, total, &f))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id"), ("delivery_id" = String, Path, description = "delivery id (`msg_…`, the `webhook-id` header)")),
    responses((status = 200, body = Data<DeliveryView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delivery(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (wid, did) = path.into_inner();
    let id = path_id::<WebhookId>(&wid, "webhook")?;
    load(&state, ws, id).await?;
    let d = hooks::get_delivery(&state.db, &id.to_string(), &did)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: d,
    }))
}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks",
    params(("id" = String, Path, description = "webhook id"), ("delivery_id" = String, Path, description = "delivery id")),
    responses((status = 202, description = "scheduled for an attempt now, under the same id", body = Data<DeliveryView>),
        (status = 400, description = "`cannot_retry`: it already succeeded", body = crate::openapi::ErrorBody),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "the endpoint is not active; enable it first", body = crate::openapi::ErrorBody)))]
pub async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (wid, did) = path.into_inner();
    let id = path_id::<WebhookId>(&wid, "webhook")?;
    let (w, _) = load(&state, ws, id).await?;
    let d = hooks::get_delivery(&state.db, &id.to_string(), &did)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    if d.status == "success" {
        return Err(ApiError::CannotRetry(
            "this delivery already succeeded".into(),
        ));
    }
    if !w.active {
        return Err(ApiError::Conflict(
            "the webhook is not active; set is_active to true first".into(),
        ));
    }
    if !hooks::retry_delivery(&state.db, &id.to_string(), &did).await? {
        return Err(ApiError::CannotRetry(
            "this delivery already succeeded".into(),
        ));
    }
    let d = hooks::get_delivery(&state.db, &id.to_string(), &did)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    Ok(HttpResponse::Accepted().json(Data {
        status: crate::http::Success::Ok,
        data: d,
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/webhooks/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/webhooks/{id}/rotate-secret").route(web::post().to(rotate)))
    .service(web::resource("/webhooks/{id}/test").route(web::post().to(test)))
    .service(web::resource("/webhooks/{id}/deliveries").route(web::get().to(deliveries)))
    .service(
        web::resource("/webhooks/{id}/deliveries/{delivery_id}").route(web::get().to(delivery)),
    )
    .service(
        web::resource("/webhooks/{id}/deliveries/{delivery_id}/retry").route(web::post().to(retry)),
    );
}
