//! The browser pixel: public endpoints a site's own pages call with its tracking id. No key; the
//! request's `Origin` must be the site's domain (or a subdomain), CORS is granted to that origin
//! only, and each client address is rate limited. Visitors are anonymous: a hash of a daily salt,
//! the address and the user agent, never the address itself.

use crate::error::ApiError;
use crate::http::{json_body, Accepted};
use crate::limits::{Check, Decision, Policy};
use crate::routes::analytics::daily_salt;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::Utc;
use keel_commands::analytics::{
    self, anonymous_visitor_key, EdgeFacts, EventInput, HitKind, Refusal,
};
use keel_commands::site::Site;
use keel_commands::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Per client address: a busy office behind one NAT still fits.
pub const PIXEL_POLICY: Policy = Policy {
    per_minute: 1200,
    burst: 200,
};

/// The client's address: the peer, or — when the peer is a proxy on a private or loopback address
/// — the first address of `X-Forwarded-For`.
pub(crate) fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    let trusted_proxy = peer.is_some_and(|ip| match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    });
    if trusted_proxy {
        let forwarded = req
            .headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer
}

/// The host of an `Origin` header (`https://shop.example.com:8443` → `shop.example.com`).
fn origin_host(req: &HttpRequest) -> Option<(String, String)> {
    let origin = req.headers().get("Origin")?.to_str().ok()?.to_string();
    let host = analytics::host_of(&origin)?;
    Some((origin, host))
}

fn origin_allowed(host: &str, domain: &str) -> bool {
    let domain = domain.strip_prefix("www.").unwrap_or(domain);
    host == domain || host.ends_with(&format!(".{domain}"))
}

fn cors(resp: &mut HttpResponseBuilder, origin: &str) {
    resp.insert_header(("Access-Control-Allow-Origin", origin.to_string()))
        .insert_header(("Vary", "Origin"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"));
}

async fn site_by_tracking_id(
    state: &AppState,
    tracking_id: &str,
) -> Result<Option<Site>, ApiError> {
    keel_projections::sites::by_tracking_id(&state.db, tracking_id)
        .await?
        .map(site_of)
        .transpose()
}

fn site_of(v: keel_projections::sites::SiteView) -> Result<Site, ApiError> {
    let bad = |_| ApiError::Internal("malformed site row".into());
    Ok(Site {
        id: v.id.parse().map_err(bad)?,
        workspace_id: v.workspace_id.parse().map_err(bad)?,
        name: v.name,
        domain: v.domain,
        timezone: v.timezone,
        currency: v.currency,
        tracking_id: v.tracking_id,
        deleted: false,
        // The pixel needs the site, not its saved funnels.
        funnels: vec![],
    })
}

/// The site a pixel request is for: by its tracking id (then the Origin must be the site's
/// domain), or without one, the one site whose domain covers the Origin (core-api's pixel).
async fn resolve_site(
    req: &HttpRequest,
    state: &AppState,
    tracking_id: Option<&str>,
) -> Result<(Site, String), ApiError> {
    if let Some(t) = tracking_id {
        return checked_site(req, state, t).await;
    }
    let (origin, host) = origin_host(req).ok_or_else(|| {
        ApiError::Forbidden(
            "the pixel answers browsers: send an Origin header (or a tracking_id)".into(),
        )
    })?;
    let mut sites = keel_projections::sites::for_host(&state.db, &host, 2).await?;
    match sites.len() {
        0 => Err(ApiError::NotFound("site")),
        1 => Ok((site_of(sites.remove(0))?, origin)),
        _ => Err(ApiError::BadRequest(format!(
            "several sites cover {origin}; send their `tracking_id`"
        ))),
    }
}

/// The site of `tracking_id`, if the request's origin is its domain; else 404 / 403.
async fn checked_site(
    req: &HttpRequest,
    state: &AppState,
    tracking_id: &str,
) -> Result<(Site, String), ApiError> {
    let site = site_by_tracking_id(state, tracking_id.trim())
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    let (origin, host) = origin_host(req).ok_or_else(|| {
        ApiError::Forbidden("the pixel answers browsers: send an Origin header".into())
    })?;
    if !origin_allowed(&host, &site.domain) {
        return Err(ApiError::Forbidden(format!(
            "origin {origin} is not this site's domain"
        )));
    }
    Ok((site, origin))
}

/// Per-address rate limit; `Err` is the 429.
async fn limit(req: &HttpRequest, state: &AppState) -> Result<Option<IpAddr>, ApiError> {
    let ip = client_ip(req);
    let check = Check {
        bucket: format!(
            "pixel:{}",
            ip.map_or_else(|| "unknown".into(), |i| i.to_string())
        ),
        policy: PIXEL_POLICY,
        quota: None,
    };
    match state.limiter.decide(&state.db, &check, Utc::now()).await? {
        Decision::Allowed(_) => Ok(ip),
        Decision::RateLimited(l) | Decision::QuotaExceeded(l) => Err(ApiError::RateLimited(l)),
    }
}

fn tracking_param(req: &HttpRequest) -> Option<String> {
    crate::http::query_pairs(req)
        .into_iter()
        .find(|(k, _)| k == "tracking_id")
        .map(|(_, v)| v)
}

#[utoipa::path(get, path = "/api/v1/pixel/config", tag = "pixel", security(()),
    params(("tracking_id" = Option<String>, Query, description = "the site's public tracking id; without it, the one site whose domain covers the Origin")),
    responses((status = 200, description = "what the pixel needs: the track URL and the session timeout (`data`), and core-api's `enabled`, `features`, `sample_rate`", body = PixelConfigAnswer),
        (status = 400, description = "no tracking id, and several sites cover the Origin", body = crate::openapi::ErrorBody),
        (status = 403, description = "no Origin, or not the site's domain", body = crate::openapi::ErrorBody),
        (status = 404, body = crate::openapi::ErrorBody), (status = 429, body = crate::openapi::ErrorBody)))]
pub async fn config(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    limit(&req, &state).await?;
    let tracking = tracking_param(&req);
    let (site, origin) = resolve_site(&req, &state, tracking.as_deref()).await?;
    let mut resp = HttpResponse::Ok();
    cors(&mut resp, &origin);
    Ok(resp.json(PixelConfigAnswer {
        status: crate::http::Success::Ok,
        data: PixelConfig {
            tracking_id: site.tracking_id,
            domain: site.domain,
            track_url: "/api/v1/pixel/track",
            session_timeout_minutes: 30,
            events: &["pageview", "custom"],
        },
        enabled: true,
        features: PixelFeatures {
            pageviews: true,
            events: true,
            sessions: true,
        },
        sample_rate: 1.0,
    }))
}

/// The pixel's configuration: Keel's in `data`, core-api's at the top.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PixelConfigAnswer {
    pub status: crate::http::Success,
    pub data: PixelConfig,
    /// Always true: a live site's pixel records (core-api).
    pub enabled: bool,
    pub features: PixelFeatures,
    /// The share of hits recorded: always 1.0 (no sampling).
    pub sample_rate: f64,
}

/// What the pixel records (core-api).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PixelFeatures {
    pub pageviews: bool,
    pub events: bool,
    pub sessions: bool,
}

/// The answer to a hit: Keel's `data`, and core-api's `tracked`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tracked {
    pub status: crate::http::Success,
    pub data: Accepted,
    /// Whether the hit was recorded (false for a bot's).
    pub tracked: bool,
}

/// What the pixel script needs to know.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PixelConfig {
    pub tracking_id: String,
    pub domain: String,
    /// Where to POST hits.
    pub track_url: &'static str,
    pub session_timeout_minutes: u32,
    /// Hit types the pixel may send.
    pub events: &'static [&'static str],
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PixelBody {
    /// The site's tracking id; without it, the one site whose domain covers the `Origin`.
    tracking_id: Option<String>,
    /// `pageview` (default) or `custom`.
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    /// core-api's form of `type` and `name`: `pageview`, or a custom event's name.
    event: Option<String>,
    /// The page's URL; `utm_*` query parameters in it are read.
    url: String,
    referrer: Option<String>,
    /// The visitor's user agent, when the request relays it (core-api); else the request's own
    /// `User-Agent` is the visitor's.
    user_agent: Option<String>,
    /// The viewport's width in CSS pixels (the screen class); `w` is Plausible's name for it.
    #[serde(alias = "w")]
    screen_width: Option<u32>,
    #[serde(default)]
    #[schema(value_type = Object)]
    properties: Map<String, Value>,
}

fn utm(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

#[utoipa::path(post, path = "/api/v1/pixel/track", tag = "pixel", security(()), request_body = PixelBody,
    responses((status = 202, description = "accepted (or ignored, for bots)", body = Tracked),
        (status = 200, description = "the same, for a hit without `tracking_id` (core-api's pixel)", body = Tracked),
        (status = 400, description = "no tracking id, and several sites cover the Origin", body = crate::openapi::ErrorBody),
        (status = 403, description = "no Origin, or not the site's domain", body = crate::openapi::ErrorBody),
        (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody),
        (status = 429, body = crate::openapi::ErrorBody)))]
pub async fn track(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ip = limit(&req, &state).await?;
    let body: PixelBody = json_body(body, 64 * 1024).await?;
    // core-api's pixel (no tracking id) answers 200; Keel's 202.
    let status = match body.tracking_id {
        Some(_) => StatusCode::ACCEPTED,
        None => StatusCode::OK,
    };
    let (site, origin) = resolve_site(&req, &state, body.tracking_id.as_deref()).await?;
    let now = Utc::now();
    // The body's user agent, when given, is the visitor's (core-api's pixel relays it); else the
    // request's own.
    let user_agent = body.user_agent.clone().or_else(|| {
        req.headers()
            .get("User-Agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let salt = daily_salt(&state, now).await?;
    let edge = EdgeFacts {
        anonymous_visitor: Some(anonymous_visitor_key(
            &salt,
            site.id,
            &ip.map_or_else(String::new, |i| i.to_string()),
            user_agent.as_deref().unwrap_or(""),
        )),
        ..ip.map(|i| crate::geo::place(&state, i)).unwrap_or_default()
    };
    let (kind, name) = match (body.kind.as_deref(), body.event.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(DomainError::field("event", "give `type` or `event`, not both").into())
        }
        (None | Some("pageview"), None) | (None, Some("pageview")) => {
            (HitKind::Pageview, body.name)
        }
        (Some("custom"), None) => (HitKind::Custom, body.name),
        (None, Some(event)) => (HitKind::Custom, Some(event.to_string())),
        (Some(_), None) => {
            return Err(DomainError::field("type", "must be pageview or custom").into())
        }
    };
    let input = EventInput {
        kind: Some(kind),
        name,
        utm_source: utm(&body.url, "utm_source"),
        utm_medium: utm(&body.url, "utm_medium"),
        utm_campaign: utm(&body.url, "utm_campaign"),
        utm_content: utm(&body.url, "utm_content"),
        utm_term: utm(&body.url, "utm_term"),
        url: Some(body.url),
        referrer: body.referrer,
        user_agent,
        screen_width: body.screen_width,
        properties: body.properties,
        ..EventInput::default()
    };
    let mut resp = HttpResponse::build(status);
    cors(&mut resp, &origin);
    let (event, at) = match analytics::record_event(&site, &input, &edge, now) {
        Ok(x) => x,
        Err(Refusal::Bot) => {
            return Ok(resp.json(Tracked {
                status: crate::http::Success::Ok,
                data: Accepted {
                    status: "ignored",
                    reason: Some("the user agent is a bot or crawler; its hits are not recorded"),
                },
                tracked: false,
            }))
        }
        Err(Refusal::Invalid(fields)) => return Err(DomainError::Validation(fields).into()),
    };
    let metadata = keel_events::Metadata {
        actor: keel_events::Actor::System,
        request_id: Some(crate::error::current_request_id()),
        causation_id: None,
        correlation_id: None,
        // Never a visitor's address.
        client_ip: None,
    };
    let request = analytics::visitor_request(event, crate::routes::new_event_id(), at, metadata)
        .ok_or_else(|| ApiError::Internal("a hit without a visitor".into()))?;
    let request = crate::routes::usage::meter_events(&state, request).await?;
    let outcome = analytics::append_visitor_event(&state.store, request).await?;
    resp.insert_header((
        crate::http::POSITION_HEADER,
        outcome.last_position.to_string(),
    ));
    Ok(resp.json(Tracked {
        status: crate::http::Success::Ok,
        data: Accepted::ACCEPTED,
        tracked: true,
    }))
}

#[utoipa::path(options, path = "/api/v1/pixel/track", tag = "pixel", security(()),
    responses((status = 204, description = "CORS preflight: allowed for an Origin that is some site's domain"),
        (status = 403, description = "the Origin is no site's domain")))]
pub async fn preflight(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (origin, host) =
        origin_host(&req).ok_or_else(|| ApiError::Forbidden("no Origin".into()))?;
    let known = keel_projections::sites::covers_host(&state.db, &host).await?;
    if !known {
        return Err(ApiError::Forbidden(format!(
            "origin {origin} is no site's domain"
        )));
    }
    let mut resp = HttpResponse::NoContent();
    cors(&mut resp, &origin);
    Ok(resp
        .insert_header(("Access-Control-Allow-Methods", "GET, POST, OPTIONS"))
        .insert_header(("Access-Control-Allow-Headers", "Content-Type"))
        .insert_header(("Access-Control-Max-Age", "86400"))
        .finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/pixel/config").route(web::get().to(config)))
        .service(
            web::resource("/pixel/track")
                .route(web::post().to(track))
                .route(web::method(actix_web::http::Method::OPTIONS).to(preflight)),
        );
}
