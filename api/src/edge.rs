//! The edge: every request to `/api/v1` passes here before its handler. In order: the access
//! rule of the route, the caller (401), the rate limit and daily quota (429), the scope (403),
//! then `Idempotency-Key` handling for writes. Authenticated responses, errors included, carry
//! the rate-limit and quota headers.

use crate::access::{self, Access};
use crate::auth::{authenticate, Caller};
use crate::error::ApiError;
use crate::limits::{Check, Decision, Limits, Policy};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use keel_events::Tier;

/// The operator token's own bucket: the highest tier's rate, no quota.
const OPERATOR_TIER: Tier = Tier::Enterprise;

pub(crate) fn check_for(caller: &Caller) -> Check {
    match caller {
        Caller::Operator => Check {
            bucket: "operator".into(),
            policy: Policy::for_tier(OPERATOR_TIER),
            quota: None,
        },
        Caller::Key(k) => Check {
            bucket: format!("key:{}", k.key_id),
            policy: Policy::for_tier(k.rate_tier()),
            quota: Some((k.workspace_id.to_string(), k.tier.daily_quota())),
        },
        // A person's requests are theirs (whichever session or token), at their workspace's
        // rate; people's clicks do not count against the workspace's API quota.
        Caller::User(u) => Check {
            bucket: format!("user:{}", u.user_id),
            policy: Policy::for_tier(u.tier),
            quota: None,
        },
    }
}

fn set_header(res: &mut ServiceResponse<BoxBody>, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

fn with_limit_headers(
    mut res: ServiceResponse<BoxBody>,
    limits: &Limits,
) -> ServiceResponse<BoxBody> {
    set_header(&mut res, "x-ratelimit-limit", limits.rate.limit);
    set_header(&mut res, "x-ratelimit-remaining", limits.rate.remaining);
    set_header(&mut res, "x-ratelimit-reset", limits.rate.reset_at);
    if let Some(q) = limits.quota {
        set_header(&mut res, "x-api-quota-limit", q.limit);
        set_header(&mut res, "x-api-quota-used", q.used);
        set_header(&mut res, "x-api-quota-reset", q.reset_at);
    }
    res
}

fn refuse(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(rule) = access::find(req.method(), req.path()) else {
        // A known path asked with a method it does not answer: 405 naming the ones it does
        // (before the router, whose own 405 has no body). Not a route at all: the router's 404.
        let allowed = access::allowed(req.path());
        if !allowed.is_empty() {
            return Ok(refuse(req, ApiError::MethodNotAllowed(allowed.join(", "))));
        }
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let header = req
        .headers()
        .get("Authorization")
        .map(|v| v.to_str().unwrap_or("\u{0}").to_string());
    // A key in `Authorization` wins over a session cookie sent along with it.
    let session = match header {
        None => crate::people::session_cookie(req.headers()),
        Some(_) => None,
    };
    let anonymous = header.is_none() && session.is_none();
    if rule.access == Access::Public || (rule.access == Access::Optional && anonymous) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(refuse(
            req,
            ApiError::Internal("application state missing".into()),
        ));
    };
    let workspace = req
        .headers()
        .get("X-Workspace-ID")
        .map(|v| v.to_str().unwrap_or("\u{0}").trim().to_string());
    let authenticated = match &session {
        Some(token) => crate::people::by_session(&state, token, workspace.as_deref()).await,
        None => authenticate(&state, header.as_deref(), workspace.as_deref()).await,
    };
    let caller = match authenticated {
        Ok(c) => c,
        Err(e) => return Ok(refuse(req, e)),
    };
    // A write signed in by cookie must prove it comes from Keel's own pages.
    if let Caller::User(crate::auth::UserCaller {
        via: crate::auth::Via::Session { csrf_token, .. },
        ..
    }) = &caller
    {
        if !crate::people::csrf_ok(req.method(), req.headers(), csrf_token) {
            return Ok(refuse(req, ApiError::CsrfRejected));
        }
    }
    let now = chrono::Utc::now();
    if let Caller::Key(k) = &caller {
        state.activity.touch(k.key_id, now);
    }
    let limits = match state
        .limiter
        .decide(&state.db, &check_for(&caller), now)
        .await
    {
        Ok(Decision::Allowed(l)) => l,
        Ok(Decision::RateLimited(l)) => {
            keel_infra::metrics::REQUESTS_LIMITED
                .with_label_values(&["rate_limited"])
                .inc();
            return Ok(with_limit_headers(
                refuse(req, ApiError::RateLimited(l)),
                &l,
            ));
        }
        Ok(Decision::QuotaExceeded(l)) => {
            keel_infra::metrics::REQUESTS_LIMITED
                .with_label_values(&["quota_exceeded"])
                .inc();
            return Ok(with_limit_headers(
                refuse(req, ApiError::QuotaExceeded(l)),
                &l,
            ));
        }
        Err(e) => return Ok(refuse(req, e.into())),
    };
    // A call the limiter let through counts as `api_calls` usage (recorded in batches).
    if let Caller::Key(k) = &caller {
        state.activity.count_call(k.workspace_id, k.key_id);
    }
    // A website key outside its site hears that first: no scope would let it there.
    if let Err(e) = caller
        .check_website_path(req.path())
        .and_then(|()| caller.check_access(rule.access))
    {
        return Ok(with_limit_headers(refuse(req, e), &limits));
    }
    req.extensions_mut().insert(caller.clone());
    req.extensions_mut().insert(limits);
    let idempotency_key = req
        .headers()
        .get("Idempotency-Key")
        .map(|v| v.to_str().unwrap_or("\u{0}").to_string());
    let res = match idempotency_key {
        Some(key) if crate::idempotency::applies_to(req.method()) => {
            crate::idempotency::run(req, next, &state, &caller, &key).await?
        }
        _ => next.call(req).await?.map_into_boxed_body(),
    };
    Ok(with_limit_headers(res, &limits))
}
