//! The OpenAPI 3.1 document, generated from the annotated handlers and types, Swagger UI (assets
//! compiled in, so it works offline), and `GET /api/v1/`.

use crate::auth::Caller;
use actix_web::{HttpRequest, HttpResponse};
use keel_projections::api_keys::ApiKeyView;
use keel_projections::sites::SiteView;
use keel_projections::workspaces::{WorkspaceSettingsView, WorkspaceView};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case, e.g. `validation_failed`.
    code: String,
    message: String,
    request_id: String,
    /// Present on some errors: which fields failed validation, what a limit is, and so on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, required = false)]
    details: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
    /// `error.message` again, for clients that read a top-level `message`.
    message: String,
    /// On a 429: the limit that refused (requests per minute, or calls per day).
    #[schema(required = false)]
    limit: Option<u64>,
    /// On a 429: what is left (0).
    #[schema(required = false)]
    remaining: Option<u64>,
    /// On a 429: when the limit resets, a Unix timestamp in seconds.
    #[schema(required = false)]
    reset: Option<i64>,
    /// On a 429: the same instant in RFC 3339.
    #[schema(required = false)]
    reset_at: Option<String>,
    /// On a 429: seconds to wait, as `Retry-After` says.
    #[schema(required = false)]
    retry_after: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// Exact number of rows the filters match.
    pub total_count: i64,
    pub limit: i64,
    pub offset: i64,
    /// The next page's full URL, if there is one.
    pub next: Option<String>,
    /// The previous page's full URL, if there is one.
    pub previous: Option<String>,
    /// On lists walked by keyset: the cursor in `next` (pass it as `after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub next_cursor: Option<String>,
    /// On lists walked by keyset: the cursor in `previous` (pass it as `before`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub previous_cursor: Option<String>,
    /// With `page` (as datanostro and core-api clients read them): this page's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub current_page: Option<i64>,
    /// With `page`: rows per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub per_page: Option<i64>,
    /// With `page`: the last page's number (1 for an empty list).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub last_page: Option<i64>,
    /// With `page`: 1-based number of the first row shown; `null` on an empty page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<i64>)]
    pub from: Option<Option<i64>>,
    /// With `page`: 1-based number of the last row shown; `null` on an empty page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<i64>)]
    pub to: Option<Option<i64>>,
    /// With `page`: the same as `total_count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub total: Option<i64>,
}

/// Where a page-based list is (`?page=`).
pub struct PageNumbers {
    pub current_page: i64,
    pub per_page: i64,
    pub last_page: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub total: i64,
}

impl ListMeta {
    /// Limit/offset meta, with page numbers when the list was asked by page.
    pub fn new(
        total_count: i64,
        limit: i64,
        offset: i64,
        next: Option<String>,
        previous: Option<String>,
        pages: Option<PageNumbers>,
    ) -> Self {
        ListMeta {
            total_count,
            limit,
            offset,
            next,
            previous,
            next_cursor: None,
            previous_cursor: None,
            current_page: pages.as_ref().map(|p| p.current_page),
            per_page: pages.as_ref().map(|p| p.per_page),
            last_page: pages.as_ref().map(|p| p.last_page),
            from: pages.as_ref().map(|p| p.from),
            to: pages.as_ref().map(|p| p.to),
            total: pages.as_ref().map(|p| p.total),
        }
    }
}

/// Cursors, change filters and sparse fieldsets of the resource lists (core-api's conventions).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CursorQuery {
    /// Rows after this cursor (`meta.next_cursor`; `meta.next` carries it). The offset is then
    /// only shown. Keep the `sort` while walking.
    after: Option<String>,
    /// Rows before this cursor (`meta.previous_cursor`; `meta.previous` carries it).
    before: Option<String>,
    /// Rows changed after this time (ISO 8601).
    updated_after: Option<String>,
    /// Rows changed before this time (ISO 8601).
    updated_before: Option<String>,
    /// Only these fields of each row, e.g. `id,name` (an unknown one is 400, naming it).
    fields: Option<String>,
}

/// Query parameters of every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// Rows per page, 1 to 1000 (larger values are clamped), default 50.
    #[param(minimum = 1)]
    limit: Option<i64>,
    /// Page number (from 1), instead of `offset`: the answer adds `meta.current_page`,
    /// `per_page`, `last_page`, `from`, `to`, `total` and `links`.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Rows per page with `page` (datanostro's name; like `limit`).
    #[param(minimum = 1)]
    page_size: Option<i64>,
    /// Rows per page with `page` (core-api's name; like `limit`).
    #[param(minimum = 1)]
    per_page: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
    /// e.g. `active`, `revoked`, `expired`
    status: Option<String>,
    created_after: Option<String>,
    created_before: Option<String>,
    /// Case-insensitive substring of the name.
    search: Option<String>,
    /// e.g. `-created_at,name`
    sort: Option<String>,
    /// Wait (up to 10 s) until the read model includes the write at this position.
    #[param(minimum = 0)]
    min_position: Option<i64>,
}

/// [`ListQuery`] of the lists the DNSai document describes: larger pages.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DnsaiListQuery {
    /// Rows per page, 1 to 5000 (larger values are clamped), default 250 (as DNSai documents).
    #[param(minimum = 1)]
    limit: Option<i64>,
    /// Page number (from 1), instead of `offset`: the answer adds `meta.current_page`,
    /// `per_page`, `last_page`, `from`, `to`, `total` and `links`.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Rows per page with `page` (datanostro's name; like `limit`).
    #[param(minimum = 1)]
    page_size: Option<i64>,
    /// Rows per page with `page` (core-api's name; like `limit`).
    #[param(minimum = 1)]
    per_page: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
    /// e.g. `active`, `revoked`, `expired`
    status: Option<String>,
    created_after: Option<String>,
    created_before: Option<String>,
    /// Case-insensitive substring of the name.
    search: Option<String>,
    /// e.g. `-created_at,name`
    sort: Option<String>,
    /// Wait (up to 10 s) until the read model includes the write at this position.
    #[param(minimum = 0)]
    min_position: Option<i64>,
}

/// The range, time zone and filters of a stats query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct StatsQueryParams {
    /// `today`, `7d`, `30d` (default), `month` or `12mo`, in the time zone; ignored with `from`/`to`.
    period: Option<String>,
    /// A date (`YYYY-MM-DD`, local, inclusive) or an RFC 3339 instant.
    from: Option<String>,
    /// A date (`YYYY-MM-DD`, local, inclusive) or an RFC 3339 instant (exclusive).
    to: Option<String>,
    /// IANA time zone; defaults to the site's.
    timezone: Option<String>,
    /// JSON: `[["is"|"is_not"|"contains", dimension, [values]], …]`, all of which must hold.
    filters: Option<String>,
    /// Comma-separated metric names; default all.
    metrics: Option<String>,
    /// Aggregate and time series: `previous_period` or `year_over_year` adds `comparison` (the
    /// same query over that range, and each figure's change).
    compare: Option<String>,
    /// Wait (up to 10 s) until the read model includes the write at this position.
    #[param(minimum = 0)]
    min_position: Option<i64>,
}

/// Read-your-writes on a read that takes nothing else.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Fresh {
    /// Wait (up to 10 s) until the read model includes the write at this position (a write's
    /// `X-Keel-Position`); else 503 `not_caught_up`.
    #[param(minimum = 0)]
    min_position: Option<i64>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer <key>`; the schemes `Token <key>` and \
                         `ApiKey <key>` are accepted too. Any other scheme is 401 \
                         `unsupported_auth_scheme`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "keel_session",
                    "A person's session from `POST /api/v1/auth/login`; writes also send \
                     `X-CSRF-Token` (from `GET /api/v1/auth/me`). Account tokens \
                     (`keel_acct_…`) go in `Authorization: Bearer` like keys.",
                ),
            )),
        );
    }
}

/// Every operation documents the errors the edge and the error mapping can answer with, so a
/// client (and Schemathesis) finds each status it may meet in the document. Operations keep
/// their own, more specific descriptions where they have them.
struct StandardErrors;

/// A documented header: never `required` (which ones a response carries depends on the caller
/// and the backend), so that clients and Schemathesis know its name, type and meaning.
fn header(integer: bool, description: &str) -> utoipa::openapi::header::Header {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(if integer {
            Type::Integer
        } else {
            Type::String
        }))
        .description(Some(description))
        .build()
}

fn header_param(
    name: &str,
    description: &str,
    schema: utoipa::openapi::schema::ObjectBuilder,
) -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// The headers every operation reads or sets, by what it is: authenticated or public, a read or
/// a write, versioned (`If-Match`) or not.
fn document_headers(
    op: &mut utoipa::openapi::path::Operation,
    path: &str,
    method: &actix_web::http::Method,
    public: bool,
    writes: bool,
) {
    use actix_web::http::Method;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    let params = op.parameters.get_or_insert_with(Vec::new);
    if !public {
        params.push(header_param(
            "X-Workspace-ID",
            "With the operator token: the workspace to act in (an API key acts in its own).",
            string(),
        ));
    }
    if writes && !public {
        params.push(header_param(
            "Idempotency-Key",
            "Any unique string (1 to 255 visible ASCII characters): a retry with the same key and \
             body gets the first response again, with `Idempotent-Replayed: true`.",
            string()
                .min_length(Some(1))
                .max_length(Some(crate::idempotency::MAX_KEY_LEN))
                .pattern(Some("^[\\x21-\\x7e]+$")),
        ));
    }
    let versioned = [
        "/workspaces/{id}",
        "/sites/{id}",
        "/dashboards/{id}",
        "/alerts/{id}",
        "/webhooks/{id}",
        "/domains/{id}",
    ]
    .iter()
    .any(|p| path.ends_with(p))
        && (*method == Method::PATCH || *method == Method::DELETE)
        || path.ends_with("/webhooks/{id}/rotate-secret");
    if versioned {
        params.push(header_param(
            "If-Match",
            "The version you read (the `ETag`, e.g. `\"3\"`): the write is refused with 409 \
             `version_conflict` if the resource changed since.",
            string(),
        ));
    }
    for (code, response) in op.responses.responses.iter_mut() {
        let utoipa::openapi::RefOr::T(response) = response else {
            continue;
        };
        let h = &mut response.headers;
        h.insert(
            "X-Request-ID".into(),
            header(false, "This request's id (yours, if you sent a valid one); errors repeat it as `request_id`."),
        );
        if !public {
            for (name, description) in [
                (
                    "X-RateLimit-Limit",
                    "Requests allowed per minute for this key's tier (its burst is extra allowance in the same window).",
                ),
                (
                    "X-RateLimit-Remaining",
                    "Requests the current one-minute window still accepts (limit + burst − used).",
                ),
                ("X-RateLimit-Reset", "When the current window resets: a Unix timestamp in seconds (the next whole UTC minute)."),
                (
                    "X-API-Quota-Limit",
                    "Requests allowed per day for the workspace's plan.",
                ),
                ("X-API-Quota-Used", "Requests counted today."),
                ("X-API-Quota-Reset", "When the daily quota resets: a Unix timestamp in seconds (the next midnight UTC)."),
            ] {
                h.insert(name.into(), header(true, description));
            }
        }
        if code == "429" || code == "503" {
            h.insert(
                "Retry-After".into(),
                header(true, "Seconds to wait before trying again."),
            );
        }
        if code.starts_with('2') && writes {
            h.insert(
                "X-Keel-Position".into(),
                header(true, "The log position of the write's last event: pass it as `min_position` to read your write."),
            );
            h.insert(
                "Idempotent-Replayed".into(),
                header(false, "`true` when this is the stored response of an earlier request with the same Idempotency-Key."),
            );
        }
        if code.starts_with('2')
            && (versioned || path.ends_with("/{id}"))
            && *method != Method::DELETE
        {
            h.insert(
                "ETag".into(),
                header(false, "The resource's version (`\"3\"`): send it as If-Match to update only what you read."),
            );
        }
    }
}

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        // Bodies whose every field is optional may be left out (the API reads no body as `{}`).
        let optional_bodies: std::collections::HashSet<String> = openapi
            .components
            .as_ref()
            .map(|c| {
                c.schemas
                    .iter()
                    .filter(|(_, s)| match s {
                        utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(o)) => {
                            o.required.is_empty()
                        }
                        _ => false,
                    })
                    .map(|(name, _)| format!("#/components/schemas/{name}"))
                    .collect()
            })
            .unwrap_or_default();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("GET", item.get.as_mut()),
                ("POST", item.post.as_mut()),
                ("PUT", item.put.as_mut()),
                ("PATCH", item.patch.as_mut()),
                ("DELETE", item.delete.as_mut()),
                ("OPTIONS", item.options.as_mut()),
            ];
            for (method, op) in operations {
                let Some(op) = op else { continue };
                if let Some(body) = op.request_body.as_mut() {
                    let all_optional = body.content.values().all(|c| match &c.schema {
                        Some(utoipa::openapi::RefOr::Ref(r)) => {
                            optional_bodies.contains(&r.ref_location)
                        }
                        _ => false,
                    });
                    if all_optional && !body.content.is_empty() {
                        body.required = Some(utoipa::openapi::Required::False);
                    }
                }
                let method = actix_web::http::Method::from_bytes(method.as_bytes())
                    .unwrap_or(actix_web::http::Method::GET);
                let access = crate::access::ROUTES
                    .iter()
                    .find(|r| {
                        r.method == method.as_str() && crate::access::doc_path(r.path) == *path
                    })
                    .map(|r| r.access);
                let public = matches!(access, Some(crate::access::Access::Public));
                let writes = method != actix_web::http::Method::GET
                    && method != actix_web::http::Method::OPTIONS;
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description).into());
                };
                add(
                    "400",
                    "invalid_request: a malformed parameter, header or body",
                );
                if !public {
                    add(
                        "401",
                        "missing_api_key, invalid_api_key, key_revoked or key_expired",
                    );
                    add(
                        "403",
                        "insufficient_scope, forbidden, or a plan limit reached",
                    );
                }
                add("404", "not_found: no such resource in this workspace");
                if writes {
                    add(
                        "409",
                        "version_conflict, idempotency_key_in_use, or a state that forbids it",
                    );
                    add(
                        "413",
                        "payload_too_large: the body exceeds the configured limit",
                    );
                }
                add(
                    "422",
                    "validation_failed: the request is well-formed but not acceptable",
                );
                add("429", "rate_limited or quota_exceeded, with Retry-After");
                add(
                    "503",
                    "service_unavailable: a dependency is away, with Retry-After",
                );
                document_headers(op, path, &method, public, writes);
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Keel API", description = "Event-sourced, multi-tenant API platform for analytics products."),
    paths(
        crate::routes::ops::health,
        crate::routes::ops::ready,
        crate::routes::workspaces::create,
        crate::routes::workspaces::list,
        crate::routes::workspaces::get,
        crate::routes::workspaces::project,
        crate::routes::workspaces::update,
        crate::routes::workspaces::delete,
        crate::routes::keys::alias_list,
        crate::routes::keys::alias_create,
        crate::routes::keys::alias_get,
        crate::routes::keys::alias_rotate,
        crate::routes::keys::alias_revoke,
        crate::routes::keys::create,
        crate::routes::keys::list,
        crate::routes::keys::get,
        crate::routes::keys::rotate,
        crate::routes::keys::revoke,
        crate::routes::keys::history,
        crate::routes::sites::create,
        crate::routes::sites::list,
        crate::routes::sites::get,
        crate::routes::sites::update,
        crate::routes::sites::delete,
        crate::routes::analytics::ingest,
        crate::routes::analytics::goal,
        crate::routes::analytics::identify,
        crate::routes::analytics::payment,
        crate::routes::analytics::remove_payment,
        crate::routes::stats::aggregate,
        crate::routes::stats::timeseries,
        crate::routes::stats::breakdown,
        crate::routes::query::query,
        crate::routes::query::export,
        crate::routes::query::realtime,
        crate::routes::domains::add,
        crate::routes::domains::list,
        crate::routes::domains::get,
        crate::routes::domains::update,
        crate::routes::domains::remove,
        crate::routes::domains::changes,
        crate::routes::domains::scan_results,
        crate::routes::domains::whois,
        crate::routes::domains::scan_now,
        crate::routes::domains::history,
        crate::routes::domains::list_folders,
        crate::routes::domains::summary,
        crate::routes::exports::create,
        crate::routes::exports::list,
        crate::routes::exports::get,
        crate::routes::exports::download,
        crate::routes::domains::create_folder,
        crate::routes::domains::rename_folder,
        crate::routes::domains::delete_folder,
        crate::routes::insights::visitors,
        crate::routes::insights::visitor,
        crate::routes::insights::erase_visitor,
        crate::routes::funnels::list,
        crate::routes::funnels::create,
        crate::routes::funnels::get,
        crate::routes::funnels::update,
        crate::routes::funnels::delete,
        crate::routes::funnels::results,
        crate::routes::site_data::delete,
        crate::routes::site_data::list,
        crate::routes::site_data::get,
        crate::routes::insights::metrics_feed,
        crate::routes::insights::push_metrics,
        crate::routes::audit::verify,
        crate::routes::admin::list,
        crate::routes::admin::rebuild,
        crate::routes::admin::retention,
        crate::routes::workspaces::history,
        crate::routes::audit::events,
        crate::routes::usage::record,
        crate::routes::usage::series,
        crate::routes::usage::check,
        crate::routes::usage::summary,
        crate::routes::usage::put,
        crate::routes::usage::remove,
        crate::routes::dashboards::create,
        crate::routes::dashboards::list,
        crate::routes::dashboards::get,
        crate::routes::dashboards::update,
        crate::routes::dashboards::delete,
        crate::routes::dashboards::data,
        crate::routes::alerts::create,
        crate::routes::alerts::list,
        crate::routes::alerts::get,
        crate::routes::alerts::update,
        crate::routes::alerts::delete,
        crate::routes::alerts::events,
        crate::routes::webhooks::create,
        crate::routes::webhooks::list,
        crate::routes::webhooks::get,
        crate::routes::webhooks::update,
        crate::routes::webhooks::delete,
        crate::routes::webhooks::rotate,
        crate::routes::webhooks::test,
        crate::routes::webhooks::deliveries,
        crate::routes::webhooks::delivery,
        crate::routes::webhooks::retry,
        crate::routes::pixel::config,
        crate::routes::pixel::track,
        crate::routes::pixel::preflight,
        crate::routes::people::login,
        crate::routes::people::logout,
        crate::routes::people::me,
        crate::routes::people::request_reset,
        crate::routes::people::confirm_reset,
        crate::routes::people::change_password,
        crate::routes::people::totp_setup,
        crate::routes::people::send_verification,
        crate::routes::people::confirm_verification,
        crate::routes::people::totp_confirm,
        crate::routes::people::totp_disable,
        crate::routes::people::members,
        crate::routes::people::change_role,
        crate::routes::people::remove_member,
        crate::routes::people::invite,
        crate::routes::people::invitations,
        crate::routes::people::revoke_invitation,
        crate::routes::people::resend,
        crate::routes::people::accept,
        crate::routes::people::create_token,
        crate::routes::people::tokens,
        crate::routes::people::revoke_token,
        crate::routes::tracking::scan,
        crate::routes::tracking::scans,
        crate::routes::tracking::get_scan,
        crate::routes::tracking::report,
        crate::routes::tracking::get_report,
        crate::routes::tracking::issues,
        crate::routes::tracking::issue,
        crate::routes::mcp::servers,
        crate::routes::mcp::calls,
        crate::routes::mcp::get_server,
        crate::routes::mcp::server_tools,
        crate::routes::mcp::register,
        crate::routes::integrations::connect,
        crate::routes::integrations::list,
        crate::routes::integrations::get,
        crate::routes::integrations::update,
        crate::routes::integrations::pause,
        crate::routes::integrations::resume,
        crate::routes::integrations::sync,
        crate::routes::integrations::remove,
        crate::routes::integrations::webhook,
        crate::routes::mcp::update_server,
        crate::routes::mcp::refresh_server,
        crate::routes::mcp::remove_server,
        crate::routes::mcp::call,
        crate::routes::mcp::resource,
    ),
    components(schemas(WorkspaceSettingsView, WorkspaceView, ApiKeyView, SiteView, keel_projections::dashboards::DashboardView, keel_projections::webhooks::WebhookView, keel_infra::webhooks::DeliveryView, ErrorBody, ListMeta)),
    modifiers(&BearerAuth, &StandardErrors),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    name_operations(&mut doc);
    doc
}

/// The operation id of a handler `fn` at `path`: the path's fixed segments after `/api/v1`,
/// then the words of the function's name the path does not say already (`GET
/// /api/v1/keys/{id}/history`, `history` → `keys_history`; `GET /api/v1/keys`, `list` →
/// `keys_list`; `DELETE /api/v1/invitations/{id}`, `revoke_invitation` → `invitations_revoke`).
/// Handlers of different resources share names (`list`, `create`, …); OpenAPI wants ids unique,
/// and generated clients name their methods after them.
pub fn operation_id(path: &str, function: &str) -> String {
    let fixed: Vec<String> = path
        .trim_start_matches("/api/v1")
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|s| s.replace(['-', '.'], "_"))
        .collect();
    let said: Vec<&str> = fixed.iter().flat_map(|s| s.split('_')).collect();
    let new: Vec<&str> = function
        .split('_')
        .filter(|w| !said.iter().any(|s| s == w || *s == format!("{w}s")))
        .collect();
    fixed
        .iter()
        .map(String::as_str)
        .chain(new)
        .collect::<Vec<_>>()
        .join("_")
}

fn name_operations(doc: &mut utoipa::openapi::OpenApi) {
    let mut seen = std::collections::BTreeSet::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let function = op.operation_id.clone().unwrap_or_else(|| method.into());
            let mut id = operation_id(path, &function);
            if seen.contains(&id) {
                id = format!("{id}_{method}");
            }
            seen.insert(id.clone());
            op.operation_id = Some(id);
        }
    }
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(spec())
}

/// The same document as YAML (datanostro's `openapi.yaml`).
pub async fn document_yaml() -> HttpResponse {
    match spec().to_yaml() {
        Ok(y) => HttpResponse::Ok()
            .content_type("application/yaml; charset=utf-8")
            .body(y),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::Internal(
            e.to_string(),
        )),
    }
}

/// Redoc, vendored (no CDN): `/redoc` reads `/api/v1/openapi.json`.
const REDOC_JS: &[u8] = include_bytes!("../assets/redoc/redoc.standalone.js");

const REDOC_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keel API reference</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="/api/v1/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
"#;

pub async fn redoc() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:",
        ))
        .body(REDOC_PAGE)
}

pub async fn redoc_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(REDOC_JS)
}

pub fn service() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", spec())
}

/// Who is calling, what it may do, and where things are. Without `Authorization` it answers
/// anonymously; with one, the key must be valid (and the call counts against its limits).
pub async fn index(req: HttpRequest) -> HttpResponse {
    use actix_web::HttpMessage;
    let caller = req.extensions().get::<Caller>().cloned();
    let limits = req.extensions().get::<crate::limits::Limits>().copied();
    let rate = limits.map(|l| {
        json!({
            "requests_per_minute": l.rate.limit, "burst": l.rate.burst,
            "remaining": l.rate.remaining, "reset": l.rate.reset_at, "reset_seconds": l.rate.reset_secs,
        })
    });
    let quota = limits.and_then(|l| l.quota).map(|q| {
        json!({ "calls_per_day": q.limit, "used_today": q.used, "reset": q.reset_at, "reset_seconds": q.reset_secs })
    });
    let who = match caller {
        Some(Caller::Operator) => json!({ "type": "operator", "rate_limit": rate }),
        Some(Caller::Key(k)) => json!({
            "type": "api_key", "key_id": k.key_id, "key_name": k.name, "prefix": k.prefix,
            "workspace_id": k.workspace_id, "tier": k.tier, "rate_limit_tier": k.rate_tier(),
            "scopes": k.scopes, "rate_limit": rate, "quota": quota,
        }),
        Some(Caller::User(u)) => {
            let (workspace_id, role) = match &u.seat {
                crate::auth::Seat::In(ws, role) => (Some(ws.to_string()), Some(role.as_str())),
                _ => (None, None),
            };
            json!({
                "type": "user", "user_id": u.user_id, "email": u.email, "name": u.name,
                "workspace_id": workspace_id, "role": role, "rate_limit": rate,
            })
        }
        None => json!(null),
    };
    // The caller changes per request; the rest is the same for everyone and is rendered once.
    static FIXED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let fixed = FIXED.get_or_init(|| {
        let mut endpoints = serde_json::Map::new();
        for r in crate::access::ROUTES {
            let name = format!("{} {}", r.method, r.path);
            let access = match r.access {
                crate::access::Access::Public => "public".to_string(),
                crate::access::Access::Optional => "public; a key is optional".to_string(),
                crate::access::Access::Scope(s) => s.to_string(),
                crate::access::Access::Operator => "operator".to_string(),
                crate::access::Access::Person => "a person (session or account token)".to_string(),
            };
            endpoints.insert(name, json!(access));
        }
        format!(
            r#""endpoints":{},"links":{}}}}}"#,
            Value::Object(endpoints),
            json!({"openapi": "/api/v1/openapi.json", "docs": "/docs/", "metrics": "/metrics"})
        )
    });
    let body = format!(
        r#"{{"status":"ok","data":{{"api_version":"v1","version":{},"caller":{who},{fixed}"#,
        json!(env!("CARGO_PKG_VERSION"))
    );
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the path of operation `op` has a `{name}` segment.
    fn ops_path_has(doc: &serde_json::Value, op: &serde_json::Value, name: &str) -> bool {
        doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .find(|(_, ops)| {
                ops.as_object()
                    .is_some_and(|o| o.values().any(|x| std::ptr::eq(x, op)))
            })
            .is_some_and(|(path, _)| path.contains(&format!("{{{name}}}")))
    }

    #[test]
    fn operation_ids_are_unique_and_named_by_their_path() {
        assert_eq!(operation_id("/api/v1/keys", "list"), "keys_list");
        assert_eq!(
            operation_id("/api/v1/keys/{id}/history", "history"),
            "keys_history"
        );
        assert_eq!(
            operation_id("/api/v1/sites/{id}/stats/aggregate", "aggregate"),
            "sites_stats_aggregate"
        );
        assert_eq!(
            operation_id("/api/v1/tracking-checker/scan", "scan"),
            "tracking_checker_scan"
        );
        assert_eq!(
            operation_id("/api/v1/invitations/{id}", "revoke_invitation"),
            "invitations_revoke"
        );
        assert_eq!(operation_id("/api/v1/health", "health"), "health");
        let doc = serde_json::to_value(spec()).unwrap_or_default();
        let mut ids = Vec::new();
        for ops in doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.values())
        {
            for op in ops.as_object().into_iter().flat_map(|o| o.values()) {
                for param in op["parameters"].as_array().into_iter().flatten() {
                    let name = param["name"].as_str().unwrap_or_default();
                    let in_path = ops_path_has(&doc, op, name);
                    assert_eq!(
                        param["in"] == "path",
                        in_path,
                        "{}: parameter {name} is in {}",
                        op["operationId"],
                        param["in"]
                    );
                }
                if let Some(id) = op["operationId"].as_str() {
                    assert!(
                        id.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                        "{id}"
                    );
                    ids.push(id.to_string());
                }
            }
        }
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert!(ids.len() > 150, "{}", ids.len());
        assert_eq!(unique.len(), ids.len(), "duplicate operationIds");
    }
}
