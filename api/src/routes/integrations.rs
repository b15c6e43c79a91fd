//! `/api/v1/integrations`: Stripe accounts connected to a site (Dashtray's integrations; DataFast's
//! revenue attribution). Connecting checks the key against Stripe, keeps it beside the log and
//! starts a backfill; syncs and signed webhooks record each charge and refund once.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{envelope, json_body, list_filter, wait_for_position, Data};
use crate::routes::{execution, path_id};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::integrations::{Integration, IntegrationAggregate, IntegrationCommand};
use keel_commands::{execute, Aggregate, DomainError, EventStore};
use keel_events::{IntegrationId, StreamId, WorkspaceId};
use keel_infra::integrations::Progress;
use keel_infra::stripe::{self, Stripe, StripeError};
use keel_projections::integrations::IntegrationRow;
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectBody {
    /// `stripe`.
    #[serde(rename = "type")]
    kind: String,
    /// The site whose revenue it feeds.
    site_id: String,
    /// A restricted key (`rk_live_…`, read access to charges and refunds is enough) or a secret
    /// key. Write only: never shown again.
    api_key: String,
    /// The signing secret (`whsec_…`) of a Stripe webhook endpoint pointed at
    /// `POST /api/v1/integrations/{id}/stripe/webhook`. Write only.
    #[schema(required = false)]
    webhook_secret: Option<String>,
    /// How subscription revenue counts (defaults: `at_period_end`, `ignore`).
    #[schema(required = false)]
    settings: Option<SettingsBody>,
}

/// How an integration counts subscription revenue (see docs/integrations.md).
#[derive(Deserialize, Serialize, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// When a cancellation scheduled for the period's end counts as churn: `at_period_end`
    /// (when the subscription ends) or `immediately` (when it is scheduled).
    #[schema(required = false)]
    pub scheduled_cancellation: Option<String>,
    /// Whether coupons of limited duration (`repeating`) reduce MRR while they last: `ignore`
    /// or `apply`. Forever coupons always do; once coupons never.
    #[schema(required = false)]
    pub limited_coupons: Option<String>,
}

impl SettingsBody {
    fn over(self, base: &keel_events::RevenueSettings) -> keel_events::RevenueSettings {
        keel_events::RevenueSettings {
            scheduled_cancellation: self
                .scheduled_cancellation
                .unwrap_or_else(|| base.scheduled_cancellation.clone()),
            limited_coupons: self
                .limited_coupons
                .unwrap_or_else(|| base.limited_coupons.clone()),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    /// The settings to change; the others stay. They apply to changes recorded from now on.
    settings: SettingsBody,
}

/// An integration in Dashtray's shape (`type`, `status`, `connected_at` and `last_sync` in Unix
/// milliseconds, `sync_status`), with Keel's details.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntegrationView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `active` or `paused`.
    pub status: String,
    pub connected_at: i64,
    pub last_sync: Option<i64>,
    /// `syncing` (a sync is running), `active` (the last one went well, or none yet), `error`,
    /// or `paused`.
    pub sync_status: String,
    pub site_id: String,
    pub livemode: bool,
    pub credential_hint: String,
    pub webhook_secret_hint: Option<String>,
    /// Where Stripe sends events for this integration.
    pub webhook_url: String,
    pub last_error: Option<String>,
    /// Over every sync: objects read, payments and refunds recorded.
    pub objects: i64,
    pub payments: i64,
    pub refunds: i64,
    /// Syncs run to their end (well or not).
    pub syncs: i64,
    /// The sync under way, when one is.
    pub sync: Option<Progress>,
    pub settings: SettingsBody,
}

fn millis(ts: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.timestamp_millis())
}

fn view(req: &HttpRequest, state: &AppState, r: IntegrationRow) -> IntegrationView {
    let sync = r.id.parse().ok().and_then(|id| state.syncer.progress(id));
    let sync_status = if r.status == "paused" {
        "paused"
    } else if sync.is_some() {
        "syncing"
    } else if r.last_sync_status.as_deref() == Some("error") {
        "error"
    } else {
        "active"
    };
    IntegrationView {
        webhook_url: format!(
            "{}/api/v1/integrations/{}/stripe/webhook",
            crate::http::base_url(req),
            r.id
        ),
        id: r.id,
        kind: r.kind,
        status: r.status,
        connected_at: millis(&r.connected_at).unwrap_or(0),
        last_sync: r.last_sync_at.as_deref().and_then(millis),
        sync_status: sync_status.into(),
        site_id: r.site_id,
        livemode: r.livemode,
        credential_hint: r.credential_hint,
        webhook_secret_hint: r.webhook_secret_hint,
        last_error: r.last_error,
        objects: r.objects,
        payments: r.payments,
        refunds: r.refunds,
        syncs: r.syncs,
        sync,
        settings: SettingsBody {
            scheduled_cancellation: Some(r.scheduled_cancellation),
            limited_coupons: Some(r.limited_coupons),
        },
    }
}

async fn load(
    state: &AppState,
    ws: WorkspaceId,
    id: IntegrationId,
) -> Result<(Integration, i64), ApiError> {
    let history = state.store.read_stream(&StreamId::integration(id)).await?;
    let i = IntegrationAggregate::fold(history.iter().map(|e| &e.event))
        .filter(|i| i.workspace_id == ws && !i.removed)
        .ok_or(ApiError::NotFound("integration"))?;
    Ok((i, history.last().map_or(0, |e| e.stream_version)))
}

async fn read(
    req: &HttpRequest,
    state: &AppState,
    ws: WorkspaceId,
    id: &str,
) -> Result<IntegrationView, ApiError> {
    let row = keel_projections::integrations::get(&state.db, &ws.to_string(), id)
        .await?
        .ok_or(ApiError::NotFound("integration"))?;
    Ok(view(req, state, row))
}

/// A write's answer: the integration as its stream says now, with the read model's counts
/// where it has them (it may not have caught up with this write).
async fn written_view(
    req: &HttpRequest,
    state: &AppState,
    i: &Integration,
) -> Result<IntegrationView, ApiError> {
    let row = keel_projections::integrations::get(
        &state.db,
        &i.workspace_id.to_string(),
        &i.id.to_string(),
    )
    .await?
    .unwrap_or_else(|| IntegrationRow {
        id: i.id.to_string(),
        site_id: i.site_id.to_string(),
        kind: i.kind.clone(),
        livemode: i.livemode,
        status: String::new(),
        credential_hint: i.credential_hint.clone(),
        webhook_secret_hint: i.webhook_secret_hint.clone(),
        connected_at: keel_schemas::format_ts(chrono::Utc::now()),
        last_sync_at: None,
        last_sync_status: None,
        last_error: None,
        objects: 0,
        payments: 0,
        refunds: 0,
        syncs: 0,
        scheduled_cancellation: String::new(),
        limited_coupons: String::new(),
    });
    let status = if i.paused { "paused" } else { "active" };
    Ok(view(
        req,
        state,
        IntegrationRow {
            status: status.into(),
            scheduled_cancellation: i.settings.scheduled_cancellation.clone(),
            limited_coupons: i.settings.limited_coupons.clone(),
            ..row
        },
    ))
}

/// Why a key will not do, on the field that holds it.
fn key_refused(e: StripeError) -> ApiError {
    match e {
        StripeError::Unreachable(m) => {
            ApiError::Unavailable(format!("Stripe could not be reached: {m}"))
        }
        e => DomainError::field("api_key", e.to_string()).into(),
    }
}

#[utoipa::path(post, path = "/api/v1/integrations", tag = "integrations", request_body = ConnectBody,
    responses((status = 201, description = "connected: the key reads charges and refunds; a backfill has started", body = Data<IntegrationView>),
        (status = 404, description = "no such site", body = crate::openapi::ErrorBody),
        (status = 422, description = "not a Stripe key, a key Stripe refuses, or one without a permission the sync needs (named)", body = crate::openapi::ErrorBody),
        (status = 503, description = "Stripe could not be reached", body = crate::openapi::ErrorBody)))]
pub async fn connect(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: ConnectBody = json_body(body, state.config.max_body_bytes).await?;
    if body.kind != "stripe" {
        return Err(DomainError::field("type", "must be stripe").into());
    }
    let key = body.api_key.trim().to_string();
    let Some(livemode) = stripe::key_mode(&key) else {
        return Err(DomainError::field(
            "api_key",
            "must be a Stripe secret or restricted key (sk_… or rk_…)",
        )
        .into());
    };
    let secret = body
        .webhook_secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(s) = secret {
        if !s.starts_with("whsec_") || s.len() > 255 || !s.chars().all(|c| c.is_ascii_graphic()) {
            return Err(DomainError::field(
                "webhook_secret",
                "must be a Stripe signing secret (whsec_…)",
            )
            .into());
        }
    }
    let site = crate::routes::analytics::site_of(&state, ws, &body.site_id).await?;
    Stripe::new(&state.config.stripe_api_url, &key)
        .check_access()
        .await
        .map_err(key_refused)?;
    let entropy = Entropy::of(&req);
    let id = IntegrationId(entropy.uuid_v7());
    let credential_id = entropy.positive_id();
    let secret_id = secret.map_or(0, |_| credential_id.wrapping_add(1).max(1));
    let stored =
        keel_infra::stripe::store_credential(&state.db, id, ws, "api_key", credential_id, &key)
            .await?
            && match secret {
                Some(s) => {
                    keel_infra::stripe::store_credential(
                        &state.db,
                        id,
                        ws,
                        "webhook_secret",
                        secret_id,
                        s,
                    )
                    .await?
                }
                None => true,
            };
    if !stored {
        return Err(ApiError::Internal(
            "the new integration's credentials collide with stored ones".into(),
        ));
    }
    let command = IntegrationCommand::Connect {
        integration_id: id,
        workspace_id: ws,
        site_id: site.id,
        kind: "stripe".into(),
        livemode,
        credential_hint: stripe::hint(&key),
        credential_id,
        webhook_secret_hint: secret.map(stripe::hint),
        webhook_secret_id: secret_id,
        settings: body
            .settings
            .map(|b| b.over(&Default::default()))
            .unwrap_or_default(),
    };
    let exec = execution(&req, &caller, ws, StreamId::integration(id), None);
    let (outcome, after) =
        execute::<IntegrationAggregate>(&state.store, &exec, &command, entropy.event_ids()).await?;
    let i = after.ok_or_else(|| ApiError::Internal("integration missing after connect".into()))?;
    state.syncer.start(id);
    let data = written_view(&req, &state, &i).await?;
    let mut resp = crate::http::written(StatusCode::CREATED, &outcome, data);
    resp.headers_mut().insert(
        actix_web::http::header::LOCATION,
        actix_web::http::header::HeaderValue::from_str(&format!("/api/v1/integrations/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations", params(crate::openapi::ListQuery),
    responses((status = 200, description = "the workspace's integrations, oldest first", body = crate::http::Page<IntegrationView>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Integrations).await?;
    let mut f = list_filter(&req, &[], &[])?;
    let (rows, total) =
        keel_projections::integrations::list(&state.db, &ws.to_string(), f.limit, f.offset).await?;
    f.workspace_id = Some(ws.to_string());
    let rows: Vec<IntegrationView> = rows.into_iter().map(|r| view(&req, &state, r)).collect();
    Ok(envelope(&req, rows, total, &f))
}

#[utoipa::path(get, path = "/api/v1/integrations/{id}", tag = "integrations",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "integration id")),
    responses((status = 200, body = Data<IntegrationView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<IntegrationId>(&path, "integration")?;
    wait_for_position(&req, &state, Projection::Integrations).await?;
    let data = read(&req, &state, ws, &id.to_string()).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ok", "data": data})))
}

async fn change(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    path: &str,
    command: IntegrationCommand,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(req, state).await?;
    let id = path_id::<IntegrationId>(path, "integration")?;
    load(state, ws, id).await?;
    let exec = execution(
        req,
        caller,
        ws,
        StreamId::integration(id),
        crate::http::if_match(req)?,
    );
    let (outcome, after) = execute::<IntegrationAggregate>(
        &state.store,
        &exec,
        &command,
        Entropy::of(req).event_ids(),
    )
    .await?;
    let i = after.ok_or(ApiError::NotFound("integration"))?;
    let data = written_view(req, state, &i).await?;
    Ok(crate::http::written(StatusCode::OK, &outcome, data))
}

#[utoipa::path(patch, path = "/api/v1/integrations/{id}", tag = "integrations", request_body = UpdateBody,
    params(("id" = String, Path, description = "integration id")),
    responses((status = 200, description = "the settings changed (they apply to subscription changes recorded from now on)", body = Data<IntegrationView>),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<IntegrationId>(&path, "integration")?;
    // Another workspace's integration is 404 whatever the body.
    let (i, _) = load(&state, ws, id).await?;
    let body: UpdateBody = json_body(body, state.config.max_body_bytes).await?;
    let settings = body.settings.over(&i.settings);
    change(
        &req,
        &state,
        &caller,
        &path,
        IntegrationCommand::Configure(settings),
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/integrations/{id}/pause", tag = "integrations",
    params(("id" = String, Path, description = "integration id")),
    responses((status = 200, description = "paused: no sync runs and webhooks are acknowledged without recording", body = Data<IntegrationView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn pause(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    change(&req, &state, &caller, &path, IntegrationCommand::Pause).await
}

#[utoipa::path(post, path = "/api/v1/integrations/{id}/resume", tag = "integrations",
    params(("id" = String, Path, description = "integration id")),
    responses((status = 200, description = "active again; a sync catches up", body = Data<IntegrationView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let resp = change(&req, &state, &caller, &path, IntegrationCommand::Resume).await?;
    if let Ok(id) = path.parse() {
        state.syncer.start(id);
    }
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/integrations/{id}/sync", tag = "integrations",
    params(("id" = String, Path, description = "integration id")),
    responses((status = 202, description = "a sync runs (or was running already); follow it on the integration (`sync_status`, `sync`)", body = Data<IntegrationView>),
        (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "the integration is paused", body = crate::openapi::ErrorBody)))]
pub async fn sync(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<IntegrationId>(&path, "integration")?;
    let (i, _) = load(&state, ws, id).await?;
    if i.paused {
        return Err(ApiError::Conflict(
            "the integration is paused: resume it first".into(),
        ));
    }
    state.syncer.start(id);
    let data = written_view(&req, &state, &i).await?;
    Ok(HttpResponse::Accepted().json(json!({"status": "ok", "data": data})))
}

#[utoipa::path(delete, path = "/api/v1/integrations/{id}", tag = "integrations",
    params(("id" = String, Path, description = "integration id")),
    responses((status = 204, description = "disconnected: its credentials are destroyed; what it recorded stays"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<IntegrationId>(&path, "integration")?;
    load(&state, ws, id).await?;
    let exec = execution(
        &req,
        &caller,
        ws,
        StreamId::integration(id),
        crate::http::if_match(&req)?,
    );
    let (outcome, _) = execute::<IntegrationAggregate>(
        &state.store,
        &exec,
        &IntegrationCommand::Remove,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    keel_infra::stripe::forget_credentials(&state.db, id).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((
            crate::http::POSITION_HEADER,
            outcome.last_position.to_string(),
        ))
        .finish())
}

/// What a webhook delivery came to.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookAnswer {
    pub received: bool,
    /// The event's type, as Stripe named it.
    #[serde(rename = "type")]
    pub kind: String,
    /// Payments, refunds and subscription changes this delivery recorded (0 for what Keel had
    /// already, or a reading older than Keel's).
    pub recorded: i64,
    /// False for a type Keel does not act on (acknowledged all the same).
    pub handled: bool,
}

#[utoipa::path(post, path = "/api/v1/integrations/{id}/stripe/webhook", tag = "integrations",
    params(("id" = String, Path, description = "integration id"),
        ("Stripe-Signature" = String, Header, description = "`t=<unix>,v1=<hmac>`, Stripe's signature of the body")),
    request_body(content = Object, description = "a Stripe event, as Stripe sends it"),
    responses((status = 200, description = "verified and acted on once (`charge.succeeded`, `charge.refunded`, `payment_intent.succeeded`, `checkout.session.completed`, `invoice.paid`, `customer.subscription.created|updated|deleted`); other types are acknowledged", body = WebhookAnswer),
        (status = 400, description = "no, a bad or a stale signature, or not a Stripe event: nothing recorded", body = crate::openapi::ErrorBody),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<IntegrationId>(&path, "integration")?;
    let i = state
        .syncer
        .load(id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or(ApiError::NotFound("integration"))?;
    if i.webhook_secret_id == 0 {
        return Err(ApiError::BadRequest(
            "this integration has no webhook signing secret: connect it again with `webhook_secret`".into(),
        ));
    }
    let secret = keel_infra::stripe::credential(&state.db, id, i.webhook_secret_id)
        .await?
        .ok_or_else(|| ApiError::Internal("the webhook secret is missing".into()))?;
    let header = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("the Stripe-Signature header is missing".into()))?;
    stripe::verify_signature(
        &body,
        header,
        &[secret],
        chrono::Utc::now().timestamp(),
        stripe::SIGNATURE_TOLERANCE_SECS,
    )
    .map_err(ApiError::BadRequest)?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not a Stripe event: {e}")))?;
    let kind = event["type"].as_str().unwrap_or("").to_string();
    let object = &event["data"]["object"];
    if kind.is_empty() || !object.is_object() {
        return Err(ApiError::BadRequest(
            "the body is not a Stripe event (`type`, `data.object`)".into(),
        ));
    }
    let answer = |recorded: i64, handled: bool| {
        HttpResponse::Ok().json(WebhookAnswer {
            received: true,
            kind: kind.clone(),
            recorded,
            handled,
        })
    };
    if i.paused {
        return Ok(answer(0, false));
    }
    let failed = |e: keel_infra::integrations::SyncError| ApiError::Unavailable(e.to_string());
    use keel_infra::integrations as sync;
    let recorded = match kind.as_str() {
        "charge.succeeded" => {
            let mut charge = object.clone();
            expand_intent(&state, &i, &mut charge).await;
            i64::from(
                sync::record_charge(&state.store, &state.db, &i, &charge, None)
                    .await
                    .map_err(failed)?,
            )
        }
        "charge.refunded" => {
            let mut charge = object.clone();
            expand_intent(&state, &i, &mut charge).await;
            let mut n = i64::from(
                sync::record_charge(&state.store, &state.db, &i, &charge, None)
                    .await
                    .map_err(failed)?,
            );
            let stripe = state.syncer.client(&i).await.map_err(failed)?;
            let charge_id = charge["id"].as_str().unwrap_or_default().to_string();
            let refunds = match charge["refunds"]["data"].as_array() {
                Some(r) if !r.is_empty() => r.clone(),
                // Newer API versions leave refunds out of the charge: ask for them.
                _ => stripe
                    .get("/v1/refunds", &[("charge".into(), charge_id.clone())])
                    .await
                    .map_err(|e| ApiError::Unavailable(e.to_string()))?["data"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            };
            let mut known = std::collections::HashMap::new();
            if let Some(tx) = sync::transaction_of(&charge) {
                known.insert(charge_id, tx);
            }
            for r in &refunds {
                n += i64::from(
                    sync::record_refund(&state.store, &state.db, &i, &stripe, r, &mut known)
                        .await
                        .map_err(failed)?,
                );
            }
            n
        }
        "payment_intent.succeeded" => {
            // Its charge: embedded (`latest_charge` expanded) or fetched.
            let charge = match &object["latest_charge"] {
                Value::Object(_) => Some(object["latest_charge"].clone()),
                Value::String(c) => {
                    let stripe = state.syncer.client(&i).await.map_err(failed)?;
                    Some(
                        stripe
                            .get(&format!("/v1/charges/{c}"), &[])
                            .await
                            .map_err(|e| ApiError::Unavailable(e.to_string()))?,
                    )
                }
                _ => None,
            };
            match charge {
                Some(mut charge) => {
                    charge["payment_intent"] = object.clone();
                    i64::from(
                        sync::record_charge(&state.store, &state.db, &i, &charge, None)
                            .await
                            .map_err(failed)?,
                    )
                }
                None => 0,
            }
        }
        "checkout.session.completed" => {
            let paid = object["payment_status"] == "paid";
            match (paid, object["payment_intent"].as_str()) {
                (true, Some(intent)) => i64::from(
                    sync::record_payment(
                        &state.store,
                        &i,
                        sync::Payment {
                            transaction_id: intent.to_string(),
                            amount: object["amount_total"].as_i64().unwrap_or(0),
                            currency: object["currency"]
                                .as_str()
                                .unwrap_or("")
                                .to_ascii_uppercase(),
                            created: object["created"].as_i64().unwrap_or(0),
                            visitor_id: object["client_reference_id"]
                                .as_str()
                                .or_else(|| object["metadata"]["keel_visitor_id"].as_str())
                                .map(str::to_string),
                            customer_id: object["customer"].as_str().map(str::to_string),
                            email: object["customer_details"]["email"]
                                .as_str()
                                .map(str::to_string),
                            renewal: false,
                        },
                    )
                    .await
                    .map_err(failed)?,
                ),
                // Subscriptions' sessions pay through invoices; unpaid ones pay later.
                _ => 0,
            }
        }
        // `invoice.payment_succeeded` is what older integrations (and localstripe) send.
        "invoice.paid" | "invoice.payment_succeeded" => i64::from(
            sync::record_invoice(&state.store, &state.db, &i, object)
                .await
                .map_err(failed)?,
        ),
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.paused"
        | "customer.subscription.resumed" => {
            let stripe = state.syncer.client(&i).await.map_err(failed)?;
            let mut sub = object.clone();
            sync::complete_tiers(&stripe, &mut sub, &mut Default::default())
                .await
                .map_err(failed)?;
            let seen_at = event["created"]
                .as_i64()
                .map_or_else(|| chrono::Utc::now().timestamp_millis(), |t| t * 1000);
            sync::record_subscription(&state.store, &state.db, &i, Some(&stripe), &sub, seen_at)
                .await
                .map_err(failed)?
        }
        _ => return Ok(answer(0, false)),
    };
    Ok(answer(recorded, true))
}

/// A webhook's charge names its PaymentIntent and customer by id; their metadata and email (the
/// visitor) are fetched.
async fn expand_intent(state: &AppState, i: &Integration, charge: &mut Value) {
    if charge["metadata"]["keel_visitor_id"].is_string() {
        return;
    }
    let Ok(stripe) = state.syncer.client(i).await else {
        return;
    };
    for (field, path) in [
        ("payment_intent", "/v1/payment_intents"),
        ("customer", "/v1/customers"),
    ] {
        if let Some(id) = charge[field].as_str().map(str::to_string) {
            if let Ok(object) = stripe.get(&format!("{path}/{id}"), &[]).await {
                charge[field] = object;
            }
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/integrations")
            .route(web::get().to(list))
            .route(web::post().to(connect)),
    )
    .service(
        web::resource("/integrations/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(remove)),
    )
    .service(web::resource("/integrations/{id}/pause").route(web::post().to(pause)))
    .service(web::resource("/integrations/{id}/resume").route(web::post().to(resume)))
    .service(web::resource("/integrations/{id}/sync").route(web::post().to(sync)))
    .service(web::resource("/integrations/{id}/stripe/webhook").route(web::post().to(webhook)));
}
