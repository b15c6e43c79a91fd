//! `/api/v1/keys`: API keys of the caller's workspace. The secret is returned once, at creation
//! or rotation; listings show its prefix only.

use crate::auth::{display_prefix, generate_key, hash_secret, Caller, KeyKind};
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    envelope, json_body, list_filter, list_filter_paged, query_pairs, wait_for_position,
    with_cursor, written, Data, Page, POSITION_HEADER,
};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use keel_commands::api_key::{ApiKey, ApiKeyAggregate, ApiKeyCommand, CreateApiKey, RotateApiKey};
use keel_commands::{execute, AppendOutcome, Execution};
use keel_events::{ApiKeyId, StreamId, Tier, WorkspaceId};
use keel_projections::api_keys::{self, ApiKeyView, KEY_SORTS, KEY_STATUSES};
use keel_projections::Projection;
use keel_schemas::format_ts;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyBody {
    name: String,
    /// Without it (as DNSai creates keys, by name only): every `:read` scope the creator holds.
    #[schema(example = json!(["keys:read", "keys:write"]))]
    scopes: Option<Vec<String>>,
    expires_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>, example = "pro")]
    rate_limit_tier: Option<Tier>,
    /// `live` (default) or `test`: only the prefix differs (`keel_live_…`, `keel_test_…`), so
    /// test keys are told apart by eye and by secret scanners.
    #[schema(value_type = Option<String>, example = "live")]
    environment: Option<Environment>,
    /// A website key (DataFast's `df_` key): it reaches only this site of the workspace — its
    /// routes, events, goals, payments, identify calls and metrics — and a body without
    /// `site_id` means this site.
    site_id: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Live,
    Test,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeyBody {
    grace_period_hours: Option<i64>,
}

/// The key's state, if it exists in this workspace (another workspace's key is simply not found).
async fn load(state: &AppState, ws: WorkspaceId, id: ApiKeyId) -> Result<ApiKey, ApiError> {
    let mine = |k: &ApiKey| k.workspace_id == ws;
    Ok(
        load_aggregate::<ApiKeyAggregate, _>(state, &StreamId::api_key(id), "api key", mine)
            .await?
            .0,
    )
}

/// A key with its secret: the answer to a creation or a rotation, the only times the secret is
/// shown. The same type is the OpenAPI schema (`KeyWithSecret`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyWithSecret {
    #[schema(value_type = String)]
    id: ApiKeyId,
    #[schema(value_type = String)]
    workspace_id: WorkspaceId,
    name: String,
    /// The first characters of the secret, shown in listings (`keel_live_Zsm6al`).
    prefix: String,
    /// DNSai's name for `prefix`.
    key_prefix: String,
    /// DNSai's: `status` is `active`.
    is_active: bool,
    /// A website key's site; `null`: every site.
    site_id: Option<String>,
    #[schema(value_type = Vec<String>, example = json!(["keys:read", "keys:write"]))]
    scopes: Vec<keel_events::Scope>,
    /// `live` or `test`, as the prefix says.
    environment: &'static str,
    #[schema(value_type = Option<String>, example = "pro")]
    rate_limit_tier: Option<Tier>,
    /// Always `active`: a new or just-rotated key.
    status: &'static str,
    expires_at: Option<String>,
    /// At creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    created_at: Option<String>,
    updated_at: String,
    /// At creation only, and `null` then: the key has not been used yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    last_used_at: Option<Option<String>>,
    /// Until when the replaced secret still works; at rotation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    previous_key_valid_until: Option<String>,
    /// core-api's name for `previous_key_valid_until`; at rotation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    grace_period_ends_at: Option<String>,
    version: i64,
    /// The full secret. Store it now: it is never shown again.
    key: String,
}

fn secret_view(
    k: &ApiKey,
    secret: &str,
    outcome: &AppendOutcome,
    now: DateTime<Utc>,
) -> KeyWithSecret {
    KeyWithSecret {
        id: k.id,
        workspace_id: k.workspace_id,
        name: k.name.clone(),
        prefix: k.prefix.clone(),
        key_prefix: k.prefix.clone(),
        is_active: true,
        site_id: k.site_id.map(|s| s.to_string()),
        scopes: k.scopes.clone(),
        environment: if k.prefix.starts_with(KeyKind::Test.prefix()) {
            "test"
        } else {
            "live"
        },
        rate_limit_tier: k.rate_limit_tier,
        status: "active",
        expires_at: k.expires_at.map(format_ts),
        created_at: None,
        updated_at: format_ts(now),
        last_used_at: None,
        previous_key_valid_until: None,
        grace_period_ends_at: None,
        version: outcome.stream_version,
        key: secret.to_string(),
    }
}

#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = CreateKeyBody,
    responses((status = 201, description = "created; `data.key` holds the secret, shown once", body = Data<KeyWithSecret>), (status = 403, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: CreateKeyBody = json_body(body, state.config.max_body_bytes).await?;
    let site_id = match caller.site(body.site_id.as_deref())? {
        None => None,
        Some(raw) => {
            let missing =
                || keel_commands::DomainError::field("site_id", "no such site in this workspace");
            let id: keel_events::SiteId = raw.parse().map_err(|_| missing())?;
            crate::routes::analytics::load_site(&state, ws, id)
                .await?
                .ok_or_else(missing)?;
            Some(id)
        }
    };
    let kind = match body.environment {
        Some(Environment::Test) => KeyKind::Test,
        _ => KeyKind::Live,
    };
    let entropy = Entropy::of(&req);
    let secret = generate_key(kind, &mut entropy.rng());
    let id = ApiKeyId(entropy.uuid_v7());
    // A person grants at most what their role holds.
    let role_scopes: Vec<keel_events::Scope> = match &caller {
        Caller::User(u) => crate::access::role_scopes(u.workspace()?.1)
            .iter()
            .filter_map(|s| keel_events::Scope::parse(s).ok())
            .collect(),
        _ => Vec::new(),
    };
    let now = Utc::now();
    let command = ApiKeyCommand::Create(CreateApiKey {
        key_id: id,
        workspace_id: ws,
        name: body.name,
        prefix: display_prefix(&secret),
        key_hash: hash_secret(&secret),
        scopes: body.scopes.unwrap_or_else(|| {
            keel_commands::api_key::default_scopes(match &caller {
                Caller::Operator => None,
                Caller::Key(k) => Some(&k.scopes),
                Caller::User(_) => Some(&role_scopes),
            })
        }),
        expires_at: body.expires_at,
        rate_limit_tier: body.rate_limit_tier,
        site_id,
        granted_by: match &caller {
            Caller::Operator => None,
            Caller::Key(k) => Some(k.scopes.clone()),
            Caller::User(_) => Some(role_scopes.clone()),
        },
        creator_tier: match &caller {
            Caller::Operator => None,
            Caller::Key(k) => Some(k.tier),
            Caller::User(u) => Some(u.tier),
        },
        now,
    });
    let (outcome, after) = execute::<ApiKeyAggregate>(
        &state.store,
        &Execution {
            now,
            new_stream: !Entropy::of(&req).is_seeded(),
            ..execution(&req, &caller, ws, StreamId::api_key(id), None)
        },
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    let k = after.ok_or_else(|| ApiError::Internal("key missing after create".into()))?;
    let body = KeyWithSecret {
        created_at: Some(format_ts(now)),
        last_used_at: Some(None),
        ..secret_view(&k, &secret, &outcome, now)
    };
    Ok(written(StatusCode::CREATED, &outcome, body))
}

#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", params(crate::openapi::DnsaiListQuery, crate::openapi::CursorQuery,
        ("include" = Option<String>, Query, description = "`workspace`: embed each key's workspace")),
    responses((status = 200, body = Page<ApiKeyView>), (status = 400, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    if let Some(at) = crate::routes::as_of::param(&req, Utc::now())? {
        return keys_as_of(&req, &state, ws, at).await;
    }
    wait_for_position(&req, &state, Projection::ApiKeys).await?;
    let f = list_filter_paged(&req, KEY_SORTS, KEY_STATUSES, crate::http::DNSAI_PAGING)?;
    let mut f = with_cursor(&req, f)?;
    f.workspace_id = Some(ws.to_string());
    let include = crate::http::includes(&req, &["workspace"])?;
    let page = api_keys::list_api_keys(&state.db, &f).await?;
    // `include=workspace`: every key of this list is of one workspace, read once.
    let workspace = match include.contains(&"workspace") {
        true => Some(
            serde_json::to_value(crate::routes::workspaces::current(&state, ws).await?)
                .unwrap_or_default(),
        ),
        false => None,
    };
    crate::http::listed_with(
        &req,
        page,
        &f,
        |rows| {
            if let Some(w) = workspace {
                for r in rows {
                    r["workspace"] = w.clone();
                }
            }
        },
        &include,
    )
}

/// The keys that were active at `at` (with `scope`, if given), folded from the log.
async fn keys_as_of(
    req: &HttpRequest,
    state: &AppState,
    ws: WorkspaceId,
    at: chrono::DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let mut f = list_filter_paged(req, KEY_SORTS, KEY_STATUSES, crate::http::DNSAI_PAGING)?;
    let scope = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned());
    let events = crate::routes::as_of::history(&state.db, ws, None, Some("key"), at).await?;
    let mut by_stream: std::collections::BTreeMap<String, Vec<keel_events::RecordedEvent>> =
        Default::default();
    for e in events {
        by_stream
            .entry(e.stream_id.to_string())
            .or_default()
            .push(e);
    }
    let mut rows: Vec<ApiKeyView> = by_stream
        .values()
        .filter_map(|h| crate::routes::as_of::key_view(h, at))
        .filter(|k| k.status == "active")
        .filter(|k| {
            scope
                .as_deref()
                .is_none_or(|s| k.scopes.iter().any(|x| x.as_str() == s))
        })
        .collect();
    rows.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let total = rows.len() as i64;
    let page: Vec<_> = rows
        .into_iter()
        .skip(f.offset as usize)
        .take(f.limit as usize)
        .collect();
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(req, page, total, &f))
}

#[utoipa::path(get, path = "/api/v1/keys/{id}", tag = "keys", params(crate::openapi::Fresh, ("id" = String, Path, description = "key id")),
    responses((status = 200, body = Data<ApiKeyView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<ApiKeyId>(&path, "api key")?;
    if let Some(at) = crate::routes::as_of::param(&req, Utc::now())? {
        let k = crate::routes::as_of::key_at(&state.store, ws, id, at)
            .await?
            .ok_or(ApiError::NotFound("api key"))?;
        return Ok(HttpResponse::Ok().json(Data {
            status: crate::http::Success::Ok,
            data: k,
        }));
    }
    wait_for_position(&req, &state, Projection::ApiKeys).await?;
    let now = format_ts(Utc::now());
    let k = api_keys::get_api_key(&state.db, &ws.to_string(), &id.to_string(), &now)
        .await?
        .ok_or(ApiError::NotFound("api key"))?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: k,
    }))
}

#[utoipa::path(post, path = "/api/v1/keys/{id}/rotate", tag = "keys", params(("id" = String, Path, description = "key id")), request_body = RotateKeyBody,
    responses((status = 200, description = "rotated; `data.key` holds the new secret", body = Data<KeyWithSecret>), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)))]
pub async fn rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<ApiKeyId>(&path, "api key")?;
    let body: RotateKeyBody = json_body(body, state.config.max_body_bytes).await?;
    let current = load(&state, ws, id).await?;
    // A rotated key keeps its environment.
    let kind = if current.prefix.starts_with(KeyKind::Test.prefix()) {
        KeyKind::Test
    } else {
        KeyKind::Live
    };
    let secret = generate_key(kind, &mut Entropy::of(&req).rng());
    let now = Utc::now();
    let command = ApiKeyCommand::Rotate(RotateApiKey {
        prefix: display_prefix(&secret),
        key_hash: hash_secret(&secret),
        grace_period_hours: body.grace_period_hours.unwrap_or(24),
        now,
    });
    let (outcome, after) = execute::<ApiKeyAggregate>(
        &state.store,
        &Execution {
            now,
            ..execution(&req, &caller, ws, StreamId::api_key(id), None)
        },
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    state.key_cache.evict_workspace(ws);
    let k = after.ok_or(ApiError::NotFound("api key"))?;
    let until = format_ts(now + chrono::Duration::hours(command_grace(&command)));
    let body = KeyWithSecret {
        previous_key_valid_until: Some(until.clone()),
        grace_period_ends_at: Some(until),
        ..secret_view(&k, &secret, &outcome, now)
    };
    Ok(written(StatusCode::OK, &outcome, body))
}

fn command_grace(c: &ApiKeyCommand) -> i64 {
    match c {
        ApiKeyCommand::Rotate(r) => r.grace_period_hours,
        _ => 0,
    }
}

#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "keys", params(("id" = String, Path, description = "key id")),
    responses((status = 204, description = "revoked"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<ApiKeyId>(&path, "api key")?;
    load(&state, ws, id).await?;
    let reason = query_pairs(&req)
        .into_iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v);
    let command = ApiKeyCommand::Revoke { reason };
    let (outcome, _) = execute::<ApiKeyAggregate>(
        &state.store,
        &Execution {
            now: Utc::now(),
            ..execution(&req, &caller, ws, StreamId::api_key(id), None)
        },
        &command,
        Entropy::of(&req).event_ids(),
    )
    .await?;
    state.key_cache.evict_workspace(ws);
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

/// Every event of the key, oldest first, with who did it and when; hashes are never shown.
#[utoipa::path(get, path = "/api/v1/keys/{id}/history", tag = "keys", params(("id" = String, Path, description = "key id")),
    responses((status = 200, body = Page<keel_schemas::PublicEvent>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<ApiKeyId>(&path, "api key")?;
    let events = state
        .store
        .read_tenant_stream(ws, &StreamId::api_key(id))
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound("api key"));
    }
    let mut f = list_filter(&req, &[], &[])?;
    let total = events.len() as i64;
    let rows: Vec<_> = events
        .iter()
        .skip(f.offset as usize)
        .take(f.limit as usize)
        .map(crate::routes::audit::audit_view)
        .collect();
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(&req, rows, total, &f))
}

// core-api's paths for the same operations (`/api/v1/api-keys`): the same handlers.

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "keys", params(crate::openapi::DnsaiListQuery, crate::openapi::CursorQuery),
    responses((status = 200, description = "as `GET /api/v1/keys` (core-api's path)", body = Page<ApiKeyView>), (status = 400, body = crate::openapi::ErrorBody)))]
pub async fn alias_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    list(req, state, caller).await
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "keys", request_body = CreateKeyBody,
    responses((status = 201, description = "as `POST /api/v1/keys` (core-api's path)", body = Data<KeyWithSecret>), (status = 403, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn alias_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    create(req, state, caller, body).await
}

#[utoipa::path(get, path = "/api/v1/api-keys/{id}", tag = "keys", params(("id" = String, Path, description = "key id")),
    responses((status = 200, description = "as `GET /api/v1/keys/{id}` (core-api's path)", body = Data<ApiKeyView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn alias_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    get(req, state, caller, path).await
}

#[utoipa::path(post, path = "/api/v1/api-keys/{id}/rotate", tag = "keys", params(("id" = String, Path, description = "key id")), request_body = RotateKeyBody,
    responses((status = 200, description = "as `POST /api/v1/keys/{id}/rotate` (core-api's path)", body = Data<KeyWithSecret>), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)))]
pub async fn alias_rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    rotate(req, state, caller, path, body).await
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "keys", params(("id" = String, Path, description = "key id")),
    responses((status = 204, description = "revoked, as `DELETE /api/v1/keys/{id}` (core-api's path)"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn alias_revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    revoke(req, state, caller, path).await
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api-keys")
            .route(web::get().to(alias_list))
            .route(web::post().to(alias_create)),
    )
    .service(
        web::resource("/api-keys/{id}")
            .route(web::get().to(alias_get))
            .route(web::delete().to(alias_revoke)),
    )
    .service(web::resource("/api-keys/{id}/rotate").route(web::post().to(alias_rotate)))
    .service(
        web::resource("/keys")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/keys/{id}")
            .route(web::get().to(get))
            .route(web::delete().to(revoke)),
    )
    .service(web::resource("/keys/{id}/rotate").route(web::post().to(rotate)))
    .service(web::resource("/keys/{id}/history").route(web::get().to(history)));
}
