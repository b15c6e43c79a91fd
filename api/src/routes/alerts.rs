//! `/api/v1/alerts`: conditions the worker watches, the channels it tells, and each alert's
//! firings and resolutions.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    envelope, if_match, json_body, list_filter, listed, wait_for_position, with_cursor, written,
    Data, Page, POSITION_HEADER,
};
use crate::routes::analytics::load_site;
use crate::routes::usage::{account, feature_of};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::alert::{Alert, AlertAggregate, AlertCommand, DEFAULT_WINDOW_MINUTES};
use keel_commands::api_key::{ApiKey, ApiKeyAggregate};
use keel_commands::domain::{Domain, DomainAggregate};
use keel_commands::webhook::{Webhook, WebhookAggregate};
use keel_commands::{execute, Aggregate, DomainError};
use keel_events::{AlertChannel, AlertCondition, AlertId, Role, StreamId, WebhookId, WorkspaceId};
use keel_projections::alerts::{self as rm, AlertEventView, AlertView, ALERT_SORTS, ALERT_STATES};
use keel_projections::Projection;
use serde::Deserialize;

/// A channel as a client writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelBody {
    /// Every member with a verified address (of `roles` only, when given).
    Email {
        #[serde(default)]
        #[schema(value_type = Option<Vec<String>>)]
        roles: Vec<Role>,
    },
    /// One of the workspace's webhook endpoints (it need not subscribe to `alert.*`).
    Webhook {
        #[schema(value_type = String)]
        webhook_id: WebhookId,
    },
    /// A Slack-compatible incoming-webhook URL (https, a public host). On update, leave `url`
    /// out to keep the alert's current one.
    Slack { url: Option<String> },
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertBody {
    name: Option<String>,
    /// `{"type": "traffic", "site_id", "metric": "visitors"|"pageviews", "op": "above"|"below"|"drops_by", "threshold"}`,
    /// `{"type": "usage", "feature", "percent"}`, `{"type": "dns_change", "domain_id", "fields"?}`,
    /// `{"type": "webhook_disabled", "webhook_id"?}` or `{"type": "key_unused", "key_id"?, "days"}`.
    #[schema(value_type = Option<Object>)]
    condition: Option<AlertCondition>,
    /// From 1 to 10 channels: `{"type": "email", "roles"?}`, `{"type": "webhook", "webhook_id"}`,
    /// `{"type": "slack", "url"}`.
    channels: Option<Vec<ChannelBody>>,
    /// The window measured, in minutes (5 to 10080; default 60). An alert speaks at most once
    /// per window.
    window_minutes: Option<i64>,
    /// Default true.
    enabled: Option<bool>,
}

/// The alert as of its stream (another workspace's, or a deleted one, is not found).
async fn load(state: &AppState, ws: WorkspaceId, id: AlertId) -> Result<(Alert, String), ApiError> {
    let mine = |a: &Alert| a.workspace_id == ws && !a.deleted;
    let (a, history) =
        load_aggregate::<AlertAggregate, _>(state, &StreamId::alert(id), "alert", mine).await?;
    let created = history
        .first()
        .map(|e| keel_schemas::format_ts(e.occurred_at))
        .unwrap_or_default();
    Ok((a, created))
}

/// Everything a condition names must be the workspace's.
async fn check_condition(
    state: &AppState,
    ws: WorkspaceId,
    c: &AlertCondition,
) -> Result<(), ApiError> {
    let missing = |field: &str, what: &str| -> ApiError {
        DomainError::field(field, format!("no such {what} in this workspace")).into()
    };
    match c {
        AlertCondition::Traffic { site_id, .. } => {
            if load_site(state, ws, *site_id).await?.is_none() {
                return Err(missing("condition.site_id", "site"));
            }
        }
        AlertCondition::Usage { feature, .. } => {
            if keel_commands::usage::valid_feature(feature) {
                let acc = account(state, ws).await?;
                if feature_of(&acc, feature).is_err() {
                    return Err(missing("condition.feature", "feature"));
                }
            }
        }
        AlertCondition::DnsChange { domain_id, .. } => {
            let mine = |d: &Domain| d.workspace_id == Some(ws) && !d.removed;
            if load_aggregate::<DomainAggregate, _>(
                state,
                &StreamId::domain(*domain_id),
                "domain",
                mine,
            )
            .await
            .is_err()
            {
                return Err(missing("condition.domain_id", "domain"));
            }
        }
        AlertCondition::WebhookDisabled {
            webhook_id: Some(id),
        } => {
            if load_webhook(state, ws, *id).await.is_err() {
                return Err(missing("condition.webhook_id", "webhook endpoint"));
            }
        }
        AlertCondition::KeyUnused {
            key_id: Some(id), ..
        } => {
            let mine = |k: &ApiKey| k.workspace_id == ws;
            if load_aggregate::<ApiKeyAggregate, _>(state, &StreamId::api_key(*id), "key", mine)
                .await
                .is_err()
            {
                return Err(missing("condition.key_id", "key"));
            }
        }
        AlertCondition::WebhookDisabled { webhook_id: None }
        | AlertCondition::KeyUnused { key_id: None, .. } => {}
    }
    Ok(())
}

async fn load_webhook(
    state: &AppState,
    ws: WorkspaceId,
    id: WebhookId,
) -> Result<Webhook, ApiError> {
    let mine = |w: &Webhook| w.workspace_id == ws && !w.deleted;
    Ok(
        load_aggregate::<WebhookAggregate, _>(state, &StreamId::webhook(id), "webhook", mine)
            .await?
            .0,
    )
}

/// The channels as the log keeps them, and the Slack URL to store (if a new one was given).
async fn channels(
    state: &AppState,
    ws: WorkspaceId,
    id: AlertId,
    body: &[ChannelBody],
) -> Result<(Vec<AlertChannel>, Option<String>), ApiError> {
    let mut out = Vec::with_capacity(body.len());
    let mut slack = None;
    for (i, c) in body.iter().enumerate() {
        out.push(match c {
            ChannelBody::Email { roles } => AlertChannel::Email {
                roles: roles.clone(),
            },
            ChannelBody::Webhook { webhook_id } => {
                if load_webhook(state, ws, *webhook_id).await.is_err() {
                    return Err(DomainError::field(
                        &format!("channels[{i}].webhook_id"),
                        "no such webhook endpoint in this workspace",
                    )
                    .into());
                }
                AlertChannel::Webhook {
                    webhook_id: *webhook_id,
                }
            }
            ChannelBody::Slack { url: Some(url) } => {
                let field = format!("channels[{i}].url");
                let url =
                    keel_commands::webhook::check_url(url, state.config.webhooks.allow_private)
                        .map_err(|m| DomainError::field(&field, m))?;
                state
                    .webhooks
                    .check_target(&url)
                    .await
                    .map_err(|m| DomainError::field(&field, format!("is refused: {m}")))?;
                let hint = slack_hint(&url);
                slack = Some(url);
                AlertChannel::Slack { url_hint: hint }
            }
            ChannelBody::Slack { url: None } => {
                match keel_infra::alerts::slack_url(&state.db, &id.to_string()).await? {
                    Some(url) => AlertChannel::Slack {
                        url_hint: slack_hint(&url),
                    },
                    None => {
                        return Err(DomainError::field(
                            &format!("channels[{i}].url"),
                            "is required (this alert has no Slack URL yet)",
                        )
                        .into())
                    }
                }
            }
        });
    }
    Ok((out, slack))
}

/// `https://hooks.slack.com/…wxyz`: enough to recognise the URL, not enough to use it.
fn slack_hint(url: &str) -> String {
    let parsed = url::Url::parse(url).ok();
    let base = parsed
        .as_ref()
        .map(|u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default()))
        .unwrap_or_default();
    let tail: String = url
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{base}/…{tail}")
}

/// An alert as its writer sees it right after the write, from the aggregate's state.
fn view(a: &Alert, version: i64, created: &str, at: &str, before: Option<&AlertView>) -> AlertView {
    AlertView {
        id: a.id.to_string(),
        workspace_id: a.workspace_id.to_string(),
        name: a.name.clone(),
        condition: serde_json::to_value(&a.condition).unwrap_or_default(),
        channels: serde_json::to_value(&a.channels).unwrap_or_default(),
        window_minutes: a.window_minutes,
        enabled: a.enabled,
        state: if a.firing_since.is_some() {
            "firing"
        } else {
            "ok"
        }
        .into(),
        last_fired_at: before.and_then(|b| b.last_fired_at.clone()),
        last_resolved_at: before.and_then(|b| b.last_resolved_at.clone()),
        created_at: created.to_string(),
        updated_at: at.to_string(),
        version,
    }
}

#[utoipa::path(post, path = "/api/v1/alerts", tag = "alerts", request_body = AlertBody,
    responses((status = 201, description = "created", body = Data<AlertView>),
        (status = 400, body = crate::openapi::ErrorBody),
        (status = 422, description = "a bad condition or channel, or one naming what is not the workspace's", body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: AlertBody = json_body(body, state.config.max_body_bytes).await?;
    let id = AlertId(Entropy::of(&req).uuid_v7());
    let condition = body
        .condition
        .ok_or_else(|| DomainError::field("condition", "is required"))?;
    let (chans, slack) = channels(&state, ws, id, &body.channels.unwrap_or_default()).await?;
    let command = AlertCommand::Create {
        alert_id: id,
        workspace_id: ws,
        name: body.name.unwrap_or_default(),
        condition: condition.clone(),
        channels: chans,
        window_minutes: body.window_minutes.unwrap_or(DEFAULT_WINDOW_MINUTES),
        enabled: body.enabled.unwrap_or(true),
    };
    // Validate first (nothing stored for a refused request), then check what it names.
    AlertAggregate::decide(&None, &command)?;
    check_condition(&state, ws, &condition).await?;
    if let Some(url) = &slack {
        keel_infra::alerts::store_slack_url(&state.db, &id.to_string(), &ws.to_string(), url)
            .await?;
    }
    let mut exec = execution(&req, &caller, ws, StreamId::alert(id), if_match(&req)?);
    exec.expected_version = None;
    let (outcome, after) =
        execute::<AlertAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let a = after.ok_or_else(|| ApiError::Internal("alert missing after create".into()))?;
    let now = keel_schemas::format_ts(exec.now);
    let mut resp = written(
        StatusCode::CREATED,
        &outcome,
        view(&a, outcome.stream_version, &now, &now, None),
    );
    resp.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/alerts/{id}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(crate::openapi::ListQuery, crate::openapi::CursorQuery),
    responses((status = 200, description = "the workspace's alerts, paginated; `status` is `ok` or `firing`", body = Page<AlertView>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Alerts).await?;
    let mut f = with_cursor(&req, list_filter(&req, ALERT_SORTS, ALERT_STATES)?)?;
    f.workspace_id = Some(ws.to_string());
    listed(&req, rm::list_alerts(&state.db, &f).await?, &f)
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts", params(crate::openapi::Fresh, ("id" = String, Path, description = "alert id")),
    responses((status = 200, body = Data<AlertView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<AlertId>(&path, "alert")?;
    wait_for_position(&req, &state, Projection::Alerts).await?;
    let a = rm::get_alert(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("alert"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", a.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: a,
        }))
}

#[utoipa::path(patch, path = "/api/v1/alerts/{id}", tag = "alerts", params(("id" = String, Path, description = "alert id")), request_body = AlertBody,
    responses((status = 200, body = Data<AlertView>), (status = 400, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<AlertId>(&path, "alert")?;
    let (current, created) = load(&state, ws, id).await?;
    let body: AlertBody = json_body(body, state.config.max_body_bytes).await?;
    let (chans, slack) = match &body.channels {
        Some(c) => {
            let (c, s) = channels(&state, ws, id, c).await?;
            (Some(c), s)
        }
        None => (None, None),
    };
    let command = AlertCommand::Update {
        name: body.name,
        condition: body.condition.clone(),
        channels: chans.clone(),
        window_minutes: body.window_minutes,
        enabled: body.enabled,
    };
    if let Some(c) = &body.condition {
        check_condition(&state, ws, c).await?;
    }
    let exec = execution(&req, &caller, ws, StreamId::alert(id), if_match(&req)?);
    // A new Slack URL is stored only for a write the decider accepts.
    AlertAggregate::decide(&Some(current), &command)?;
    if let Some(url) = &slack {
        keel_infra::alerts::store_slack_url(&state.db, &id.to_string(), &ws.to_string(), url)
            .await?;
    }
    let (outcome, after) =
        execute::<AlertAggregate>(&state.store, &exec, &command, Entropy::of(&req).event_ids())
            .await?;
    let a = after.ok_or(ApiError::NotFound("alert"))?;
    if !a
        .channels
        .iter()
        .any(|c| matches!(c, AlertChannel::Slack { .. }))
    {
        keel_infra::alerts::forget_slack_url(&state.db, &id.to_string()).await?;
    }
    let before = rm::get_alert(&state.db, &ws.to_string(), &id.to_string()).await?;
    Ok(written(
        StatusCode::OK,
        &outcome,
        view(
            &a,
            outcome.stream_version,
            &created,
            &keel_schemas::format_ts(exec.now),
            before.as_ref(),
        ),
    ))
}

#[utoipa::path(delete, path = "/api/v1/alerts/{id}", tag = "alerts", params(("id" = String, Path, description = "alert id")),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<AlertId>(&path, "alert")?;
    load(&state, ws, id).await?;
    let exec = execution(&req, &caller, ws, StreamId::alert(id), if_match(&req)?);
    let (outcome, _) = execute::<AlertAggregate>(
        &state.store,
        &exec,
        &AlertCommand::Delete,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    keel_infra::alerts::forget_slack_url(&state.db, &id.to_string()).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}/events", tag = "alerts",
    params(("id" = String, Path, description = "alert id"), crate::openapi::ListQuery),
    responses((status = 200, description = "firings and resolutions, newest first, each with how its channels were told", body = Page<AlertEventView>),
        (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<AlertId>(&path, "alert")?;
    load(&state, ws, id).await?;
    wait_for_position(&req, &state, Projection::Alerts).await?;
    let mut f = list_filter(&req, &[], &[])?;
    let (rows, total) = rm::alert_events(
        &state.db,
        &ws.to_string(),
        &id.to_string(),
        f.limit,
        f.offset,
    )
    .await?;
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(&req, rows, total, &f))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/alerts")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/alerts/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/alerts/{id}/events").route(web::get().to(events)));
}

#[cfg(test)]
mod tests {
    use super::slack_hint;

    #[test]
    fn a_slack_hint_keeps_the_host_and_four_characters() {
        assert_eq!(
            slack_hint("https://hooks.slack.com/services/T000/B000/XXXXabcd"),
            "https://hooks.slack.com/…abcd"
        );
    }
}
