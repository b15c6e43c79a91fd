//! `/api/v1/domains` and `/api/v1/folders`: the domains a workspace watches, their scans and
//! changes, and the folders that group them.

use crate::auth::Caller;
use crate::entropy::Entropy;
use crate::error::ApiError;
use crate::http::{
    envelope, json_body, list_filter, list_filter_paged, listed, query_pairs, wait_for_position,
    with_cursor, written, Data, Page, DNSAI_PAGING, POSITION_HEADER,
};
use crate::routes::{execution, load_aggregate, path_id};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use futures::StreamExt;
use keel_commands::domain::{
    domain_id, normalize_domain, DomainAggregate, DomainCommand, DomainMeter, FolderAggregate,
    FolderCommand, UpdateDomain, MAX_DOMAINS_PER_REQUEST,
};
use keel_commands::{execute, Aggregate, CommandError, DomainError, EventStore};
use keel_events::{DomainId, FolderId, StreamId, WorkspaceId};
use keel_projections::domains::{self as rm, DomainFilter, DOMAIN_SORTS, DOMAIN_STATUSES};
use keel_projections::Projection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDomainsBody {
    /// 1 to 500 domain names.
    domains: Vec<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDomainBody {
    tags: Option<Vec<String>>,
    notes: Option<String>,
    custom_label: Option<String>,
    /// A folder id, or null to take the domain out of its folder.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    folder_id: Option<Option<String>>,
    is_favorite: Option<bool>,
}

/// Tells an absent field (`None`) from an explicit null (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FolderBody {
    name: String,
}

/// The domain, if it exists in this workspace (removed or not).
async fn load(
    state: &AppState,
    ws: WorkspaceId,
    id: DomainId,
) -> Result<keel_commands::domain::Domain, ApiError> {
    let mine = |d: &keel_commands::domain::Domain| d.workspace_id == Some(ws);
    Ok(
        load_aggregate::<DomainAggregate, _>(state, &StreamId::domain(id), "domain", mine)
            .await?
            .0,
    )
}

/// A live folder of this workspace.
async fn folder_exists(state: &AppState, ws: WorkspaceId, raw: &str) -> Result<bool, ApiError> {
    let Ok(id) = raw.parse::<FolderId>() else {
        return Ok(false);
    };
    let history = state.store.read_stream(&StreamId::folder(id)).await?;
    Ok(FolderAggregate::fold(history.iter().map(|e| &e.event))
        .is_some_and(|f| f.workspace_id == ws && !f.deleted))
}

/// What became of an add.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DomainsAdded {
    /// Names in the request.
    pub domains_submitted: usize,
    /// Newly watched (or watched again).
    pub domains_added: usize,
    /// Already watched, or repeated in the request.
    pub domains_existing: usize,
    pub domains_invalid: Vec<InvalidDomain>,
    /// Valid names not watched because the plan's `domains` limit was reached: the last ones of
    /// the request, each with its index in `domains`.
    pub domains_refused: Vec<RefusedDomain>,
    pub scans_queued: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvalidDomain {
    /// Its index in the request's `domains`.
    pub index: usize,
    pub input: String,
    pub reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RefusedDomain {
    /// Its index in the request's `domains`.
    pub index: usize,
    pub domain: String,
    /// `feature_limit_reached`
    pub code: &'static str,
    pub message: String,
}

/// One domain with its last 100 changes.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DomainDetail {
    #[serde(flatten)]
    pub domain: rm::DomainView,
    pub changes: Vec<rm::ChangeView>,
    /// DNSai's name for `changes`.
    pub change_history: Vec<rm::ChangeView>,
    /// The latest scan flat, as `scan-results` answers it (DNSai); null before the first.
    pub scan_result: Option<rm::FlatScan>,
}

/// A domain as it was at `as_of`, folded from its history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DomainAsOf {
    pub id: String,
    pub workspace_id: String,
    pub domain: String,
    /// active or removed
    pub status: &'static str,
    pub added_at: Option<String>,
    pub tags: Vec<String>,
    pub notes: String,
    pub custom_label: String,
    pub folder_id: Option<String>,
    pub is_favorite: bool,
    pub scan_count: i64,
    pub last_scanned: Option<String>,
    /// The fields of the last scan by then.
    pub scan_fields: Value,
    pub version: Option<i64>,
    pub as_of: String,
}

/// `GET /domains/{id}`: the live domain, or with `as_of` the domain as it was.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DomainAnswer {
    Live(Box<DomainDetail>),
    AsOf(Box<DomainAsOf>),
}

/// A domain after an update.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DomainUpdated {
    pub id: String,
    pub domain: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub custom_label: String,
    pub folder_id: Option<String>,
    pub is_favorite: bool,
    pub version: i64,
}

/// A scan page's context: each field's last change.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScanMeta {
    pub total_count: i64,
    pub limit: i64,
    pub offset: i64,
    /// The previous MX, gateway and DMARC policy and when each changed.
    pub previous: PreviousFields,
}

/// Each field's last change, `null` if it never changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviousFields {
    pub mx: Option<rm::LastChange>,
    pub email_gateway: Option<rm::LastChange>,
    pub dmarc_policy: Option<rm::LastChange>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ScanPage {
    pub status: crate::http::Success,
    pub data: Vec<rm::ScanView>,
    pub meta: ScanMeta,
}

/// Registration data of a domain: Keel's RDAP summary in `whois`, and DNSai's flat fields.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WhoisAnswer {
    pub domain: String,
    /// RDAP: registrar, dates, nameservers, statuses, DNSSEC, privacy, registrant and abuse
    /// contacts; `null` until fetched.
    pub whois: Value,
    pub fetched_at: Option<String>,
    pub domain_name: String,
    pub registrar: Option<String>,
    pub registration_date: Option<String>,
    pub expiry_date: Option<String>,
    pub updated_date: Option<String>,
    /// Comma-separated.
    pub name_servers: Option<String>,
    pub registrant_name: Option<String>,
    pub registrant_org: Option<String>,
    pub registrant_country: Option<String>,
    pub registrant_state: Option<String>,
    pub contact_email: Option<String>,
    pub registrar_abuse_email: Option<String>,
    pub registrar_abuse_phone: Option<String>,
    pub privacy_enabled: bool,
    /// `signed` or `unsigned`.
    pub dnssec_status: Option<String>,
    pub domain_statuses: Vec<String>,
    /// ok, not_found, error, or null before the first lookup.
    pub whois_status: Option<String>,
    pub whois_server: Option<String>,
    /// Where the web server (the apex's first address) is, from the latest scan: `{ip, country,
    /// region, city, lat, lon, asn, asn_name}`; `{}` without MaxMind databases
    /// (`KEEL_GEOIP_CITY_PATH`, `KEEL_GEOIP_ASN_PATH`).
    #[schema(value_type = Object)]
    pub ip_geolocation: Value,
}

/// A scan asked for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScanQueued {
    pub domain_id: String,
    /// Always `queued`.
    pub status: &'static str,
}

/// A folder after a write.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FolderWritten {
    pub id: String,
    pub name: String,
    /// On create: 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub domain_count: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/domains", tag = "domains", request_body = AddDomainsBody,
    responses((status = 201, description = "what became of each name", body = Data<DomainsAdded>),
        (status = 422, description = "no domains, or more than 500", body = crate::openapi::ErrorBody)))]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: AddDomainsBody = json_body(body, state.config.max_body_bytes).await?;
    if body.domains.is_empty() || body.domains.len() > MAX_DOMAINS_PER_REQUEST {
        return Err(DomainError::field("domains", "give 1 to 500 domains").into());
    }
    let mut invalid = Vec::new();
    let mut seen = BTreeSet::new();
    let mut repeated = 0;
    let mut names = Vec::new();
    for (index, input) in body.domains.iter().enumerate() {
        match normalize_domain(input) {
            Err(reason) => invalid.push(InvalidDomain {
                index,
                input: input.clone(),
                reason: format!("`{}` {reason}", input.trim()),
            }),
            Ok(n) if !seen.insert(n.ascii.clone()) => repeated += 1,
            Ok(n) => names.push((index, n)),
        }
    }
    let meter = domain_meter(&state, ws, &caller).await?;
    // Near a hard limit the adds go one at a time, in request order, so that the names refused
    // are the last ones; otherwise concurrently (the store's ledger holds the limit either way).
    let room = match (meter.hard, meter.limit) {
        (true, Some(limit)) => {
            limit - keel_infra::usage::used(&state.db, &ws.to_string(), "domains", 0).await?
        }
        _ => i64::MAX,
    };
    let concurrency = if (names.len() as i64) > room { 1 } else { 16 };
    let state_ref = &state;
    let req_ref = &req;
    let caller_ref = &caller;
    // Each domain's event ids drawn here, in request order: the adds run concurrently.
    let entropy = Entropy::of(&req);
    let names: Vec<_> = names
        .into_iter()
        .map(|n| (n, entropy.event_ids()))
        .collect();
    enum Added {
        New(DomainId, i64),
        Existing,
        Refused(usize, String, DomainError),
    }
    let results: Vec<Result<Added, ApiError>> = futures::stream::iter(names)
        .map(|((index, name), ids)| async move {
            let id = domain_id(ws, &name.ascii);
            let ascii = name.ascii.clone();
            let cmd = DomainCommand::Add {
                domain_id: id,
                workspace_id: ws,
                name,
                meter,
            };
            let e = execution(req_ref, caller_ref, ws, StreamId::domain(id), None);
            match execute::<DomainAggregate>(&state_ref.store, &e, &cmd, ids).await {
                Ok((outcome, _)) => Ok(Added::New(id, outcome.last_position)),
                Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => Ok(Added::Existing),
                Err(CommandError::Rejected(e @ DomainError::FeatureLimitReached { .. })) => {
                    Ok(Added::Refused(index, ascii, e))
                }
                Err(e) => Err(e.into()),
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    let mut added = Vec::new();
    let mut refused = Vec::new();
    let mut last_position = 0;
    let mut existing = repeated;
    for r in results {
        match r? {
            Added::New(id, p) => {
                added.push(id);
                last_position = last_position.max(p);
            }
            Added::Existing => existing += 1,
            Added::Refused(index, domain, e) => refused.push(RefusedDomain {
                index,
                domain,
                code: "feature_limit_reached",
                message: e.to_string(),
            }),
        }
    }
    keel_infra::scanner::queue(&state.db, ws, &added).await?;
    let mut resp = HttpResponse::build(StatusCode::CREATED);
    if last_position > 0 {
        resp.insert_header((POSITION_HEADER, last_position.to_string()));
    }
    Ok(resp.json(Data {
        status: crate::http::Success::Ok,
        data: DomainsAdded {
            domains_submitted: body.domains.len(),
            domains_added: added.len(),
            domains_existing: existing,
            domains_invalid: invalid,
            domains_refused: refused,
            scans_queued: added.len(),
        },
    }))
}

/// The workspace's `domains` entitlement, as the adds and removals of this request count against.
async fn domain_meter(
    state: &AppState,
    ws: WorkspaceId,
    caller: &Caller,
) -> Result<DomainMeter, ApiError> {
    let acc = crate::routes::usage::account(state, ws).await?;
    let ent = crate::routes::usage::feature_of(&acc, "domains")?;
    Ok(DomainMeter {
        limit: ent.limit,
        hard: ent.hard,
        key_id: match caller {
            Caller::Key(k) => Some(k.key_id),
            Caller::Operator | Caller::User(_) => None,
        },
    })
}

fn one_of(
    pairs: &[(String, String)],
    name: &str,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match crate::http::param(pairs, name) {
        None | Some("") => Ok(None),
        Some(v) if allowed.is_empty() || allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(_) => Err(ApiError::BadRequest(format!(
            "`{name}` must be one of {}",
            allowed.join(", ")
        ))),
    }
}

#[utoipa::path(get, path = "/api/v1/domains", tag = "domains",
    params(crate::openapi::DnsaiListQuery, crate::openapi::CursorQuery,
        ("include" = Option<String>, Query, description = "`folder` (always embedded as `folder`)"),
        ("email_gateway" = Option<String>, Query, description = "gateway name, or `none`"),
        ("dmarc_status" = Option<String>, Query, description = "reject, quarantine, none, missing or pending"),
        ("spf_status" = Option<String>, Query, description = "valid, over_limit, invalid, missing or pending"),
        ("scan_status" = Option<String>, Query, description = "ok, partial, failed, nxdomain or pending"),
        ("folder_id" = Option<String>, Query, description = "folder id"),
        ("tag" = Option<String>, Query, description = "one tag"),
        ("is_favorite" = Option<bool>, Query, description = "true or false")),
    responses((status = 200, description = "a page of domains with their scan summary", body = Page<rm::DomainView>), (status = 400, body = crate::openapi::ErrorBody)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let f = list_filter_paged(&req, DOMAIN_SORTS, DOMAIN_STATUSES, DNSAI_PAGING)?;
    let mut f = with_cursor(&req, f)?;
    let pairs = query_pairs(&req);
    let d = DomainFilter {
        email_gateway: one_of(&pairs, "email_gateway", &[])?,
        dmarc_status: one_of(&pairs, "dmarc_status", rm::DMARC_STATUSES)?,
        spf_status: one_of(&pairs, "spf_status", rm::SPF_STATUSES)?,
        scan_status: one_of(&pairs, "scan_status", rm::SCAN_STATUSES)?,
        folder_id: one_of(&pairs, "folder_id", &[])?,
        tag: one_of(&pairs, "tag", &[])?,
        is_favorite: one_of(&pairs, "is_favorite", &["true", "false"])?.map(|v| v == "true"),
    };
    // A domain's folder is always embedded (`folder`); `include=folder` asks for what is there.
    crate::http::includes(&req, &["folder"])?;
    let page = rm::list_domains(&state.db, &ws.to_string(), &f, &d).await?;
    f.workspace_id = Some(ws.to_string());
    listed(&req, page, &f)
}

/// A domain as it was at `at`, folded from its stream.
async fn domain_as_of(
    state: &AppState,
    ws: WorkspaceId,
    id: DomainId,
    at: chrono::DateTime<Utc>,
) -> Result<DomainAsOf, ApiError> {
    let events: Vec<_> = state
        .store
        .read_tenant_stream(ws, &StreamId::domain(id))
        .await?
        .into_iter()
        .filter(|e| e.recorded_at <= at)
        .collect();
    let d = DomainAggregate::fold(events.iter().map(|e| &e.event))
        .ok_or(ApiError::NotFound("domain"))?;
    let first = events
        .first()
        .map(|e| keel_schemas::format_ts(e.recorded_at));
    let last = events.last();
    let scanned = events
        .iter()
        .rev()
        .find(|e| matches!(e.event, keel_events::DomainEvent::DomainScanned(_)));
    Ok(DomainAsOf {
        id: id.to_string(),
        workspace_id: ws.to_string(),
        domain: d.name,
        status: if d.removed { "removed" } else { "active" },
        added_at: first,
        tags: d.tags,
        notes: d.notes,
        custom_label: d.custom_label,
        folder_id: Some(d.folder_id).filter(|f| !f.is_empty()),
        is_favorite: d.is_favorite,
        scan_count: d.scans,
        last_scanned: scanned.map(|e| keel_schemas::format_ts(e.recorded_at)),
        scan_fields: serde_json::to_value(&d.last).unwrap_or(Value::Null),
        version: last.map(|e| e.stream_version),
        as_of: keel_schemas::format_ts(at),
    })
}

#[utoipa::path(get, path = "/api/v1/domains/{id}", tag = "domains",
    params(crate::openapi::Fresh, ("id" = String, Path, description = "domain id"), ("as_of" = Option<String>, Query, description = "RFC 3339: the domain as it was then")),
    responses((status = 200, description = "the domain, its latest scan, its last 100 changes and WHOIS (with `as_of`: as it was then)", body = Data<DomainAnswer>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    if let Some(at) = crate::routes::as_of::param(&req, Utc::now())? {
        return Ok(HttpResponse::Ok().json(Data {
            status: crate::http::Success::Ok,
            data: DomainAnswer::AsOf(Box::new(domain_as_of(&state, ws, id, at).await?)),
        }));
    }
    wait_for_position(&req, &state, Projection::Domains).await?;
    let d = rm::get_domain(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("domain"))?;
    let (ws_s, id_s) = (ws.to_string(), id.to_string());
    let (changes, _) = rm::changes(&state.db, &ws_s, &id_s, 100, 0).await?;
    let scan_result = latest_flat(&state, &ws_s, &id_s, &d.domain).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("\"{}\"", d.version)))
        .json(Data {
            status: crate::http::Success::Ok,
            data: DomainAnswer::Live(Box::new(DomainDetail {
                domain: d,
                change_history: changes.clone(),
                changes,
                scan_result,
            })),
        }))
}

#[utoipa::path(patch, path = "/api/v1/domains/{id}", tag = "domains", params(("id" = String, Path, description = "domain id")),
    request_body = UpdateDomainBody,
    responses((status = 200, description = "updated", body = Data<DomainUpdated>), (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    load(&state, ws, id).await?;
    let body: UpdateDomainBody = json_body(body, state.config.max_body_bytes).await?;
    let folder_id = match body.folder_id {
        None => None,
        Some(None) => Some(String::new()),
        Some(Some(f)) => {
            if !folder_exists(&state, ws, f.trim()).await? {
                return Err(
                    DomainError::field("folder_id", "no such folder in this workspace").into(),
                );
            }
            Some(f.trim().to_string())
        }
    };
    let cmd = DomainCommand::Update(UpdateDomain {
        tags: body.tags,
        notes: body.notes,
        custom_label: body.custom_label,
        folder_id,
        is_favorite: body.is_favorite,
    });
    let mut e = execution(&req, &caller, ws, StreamId::domain(id), None);
    e.expected_version = crate::http::if_match(&req)?;
    let (outcome, after) =
        execute::<DomainAggregate>(&state.store, &e, &cmd, Entropy::of(&req).event_ids()).await?;
    let d = after.ok_or(ApiError::NotFound("domain"))?;
    Ok(written(
        StatusCode::OK,
        &outcome,
        DomainUpdated {
            id: id.to_string(),
            domain: d.name,
            tags: d.tags,
            notes: d.notes,
            custom_label: d.custom_label,
            folder_id: Some(d.folder_id).filter(|f| !f.is_empty()),
            is_favorite: d.is_favorite,
            version: outcome.stream_version,
        },
    ))
}

#[utoipa::path(delete, path = "/api/v1/domains/{id}", tag = "domains", params(("id" = String, Path, description = "domain id")),
    responses((status = 204, description = "no longer watched (its history stays)"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    load(&state, ws, id).await?;
    let meter = domain_meter(&state, ws, &caller).await?;
    let e = execution(&req, &caller, ws, StreamId::domain(id), None);
    let (outcome, _) = execute::<DomainAggregate>(
        &state.store,
        &e,
        &DomainCommand::Remove(meter),
        Entropy::of(&req).event_ids(),
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/domains/{id}/changes", tag = "domains", params(("id" = String, Path, description = "domain id"), crate::openapi::DnsaiListQuery),
    responses((status = 200, description = "changes, newest first", body = Page<rm::ChangeView>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    load(&state, ws, id).await?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let mut f = list_filter_paged(&req, &[], &[], DNSAI_PAGING)?;
    let (rows, total) = rm::changes(
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

/// What `scan-results` answers: the latest scan flat (DNSai's shape), or with `all=true` every
/// scan, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ScanResults {
    Latest(Box<Data<Option<rm::FlatScan>>>),
    All(Box<ScanPage>),
}

/// The MX, gateway and DMARC policy's last changes.
async fn previous_fields(state: &AppState, ws: &str, id: &str) -> Result<PreviousFields, ApiError> {
    Ok(PreviousFields {
        mx: rm::last_change(&state.db, ws, id, "mx").await?,
        email_gateway: rm::last_change(&state.db, ws, id, "email_gateway").await?,
        dmarc_policy: rm::last_change(&state.db, ws, id, "dmarc_policy").await?,
    })
}

/// The latest scan of a domain, flat; `None` before its first scan.
async fn latest_flat(
    state: &AppState,
    ws: &str,
    id: &str,
    domain: &str,
) -> Result<Option<rm::FlatScan>, ApiError> {
    let (latest, _) = rm::scans(&state.db, ws, id, 1, 0).await?;
    let Some(scan) = latest.first() else {
        return Ok(None);
    };
    let p = previous_fields(state, ws, id).await?;
    Ok(Some(rm::FlatScan::of(
        domain,
        scan,
        p.mx.as_ref(),
        p.email_gateway.as_ref(),
        p.dmarc_policy.as_ref(),
    )))
}

#[utoipa::path(get, path = "/api/v1/domains/{id}/scan-results", tag = "domains", params(("id" = String, Path, description = "domain id"),
        ("all" = Option<bool>, Query, description = "`true`: every scan, newest first, paged (with the list parameters), each with its fields, records and failed lookups"),
        crate::openapi::DnsaiListQuery),
    responses((status = 200, description = "the latest scan flat, with DNSai's field names (`data` is null before the first scan); with all=true, every scan and meta.previous (the previous MX, gateway and DMARC policy and when each changed)", body = ScanResults), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn scan_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    let pairs = query_pairs(&req);
    let all = one_of(&pairs, "all", &["true", "false"])?.is_some_and(|v| v == "true");
    let aggregate = load(&state, ws, id).await?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let f = list_filter_paged(&req, &[], &[], DNSAI_PAGING)?;
    let (ws_s, id_s) = (ws.to_string(), id.to_string());
    if !all {
        let domain = aggregate.name.clone();
        return Ok(HttpResponse::Ok().json(ScanResults::Latest(Box::new(Data {
            status: crate::http::Success::Ok,
            data: latest_flat(&state, &ws_s, &id_s, &domain).await?,
        }))));
    }
    let (rows, total) = rm::scans(&state.db, &ws_s, &id_s, f.limit, f.offset).await?;
    Ok(HttpResponse::Ok().json(ScanResults::All(Box::new(ScanPage {
        status: crate::http::Success::Ok,
        data: rows,
        meta: ScanMeta {
            total_count: total,
            limit: f.limit,
            offset: f.offset,
            previous: previous_fields(&state, &ws_s, &id_s).await?,
        },
    }))))
}

#[utoipa::path(get, path = "/api/v1/domains/{id}/whois", tag = "domains", params(crate::openapi::Fresh, ("id" = String, Path, description = "domain id")),
    responses((status = 200, description = "registration data (RDAP): registrar, dates, nameservers, statuses, DNSSEC, privacy; null until fetched", body = Data<WhoisAnswer>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn whois(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let d = rm::get_domain(&state.db, &ws.to_string(), &id.to_string())
        .await?
        .ok_or(ApiError::NotFound("domain"))?;
    let w = d.whois.unwrap_or(Value::Null);
    // Where the domain's web server is, as its latest scan recorded it (MaxMind databases).
    let (latest, _) = rm::scans(&state.db, &ws.to_string(), &id.to_string(), 1, 0).await?;
    let ip_geolocation = latest
        .first()
        .map(|s| s.records["geo"]["a"].clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    let text = |v: &Value| v.as_str().map(str::to_string);
    let nameservers: Vec<&str> = w["nameservers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: WhoisAnswer {
            domain_name: d.domain.clone(),
            registrar: text(&w["registrar"]["name"]),
            registration_date: text(&w["registered_at"]),
            expiry_date: text(&w["expires_at"]),
            updated_date: text(&w["updated_at"]),
            name_servers: (!nameservers.is_empty()).then(|| nameservers.join(", ")),
            registrant_name: text(&w["registrant"]["name"]),
            registrant_org: text(&w["registrant"]["org"]),
            registrant_country: text(&w["registrant"]["country"]),
            registrant_state: text(&w["registrant"]["state"]),
            contact_email: text(&w["registrant"]["email"]),
            registrar_abuse_email: text(&w["abuse"]["email"]),
            registrar_abuse_phone: text(&w["abuse"]["phone"]),
            privacy_enabled: w["privacy"].as_bool().unwrap_or(false),
            dnssec_status: w["dnssec"]
                .as_bool()
                .map(|s| if s { "signed" } else { "unsigned" }.to_string()),
            domain_statuses: w["statuses"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            whois_status: text(&w["status"]),
            whois_server: text(&w["whois_server"]),
            ip_geolocation,
            domain: d.domain,
            whois: w,
            fetched_at: d.whois_fetched_at.flatten(),
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/domains/{id}/scan", tag = "domains", params(("id" = String, Path, description = "domain id")),
    responses((status = 202, description = "queued for the scanner", body = Data<ScanQueued>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn scan_now(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    let d = load(&state, ws, id).await?;
    if d.removed {
        return Err(ApiError::NotFound("domain"));
    }
    keel_infra::scanner::queue(&state.db, ws, &[id]).await?;
    Ok(HttpResponse::Accepted().json(Data {
        status: crate::http::Success::Ok,
        data: ScanQueued {
            domain_id: id.to_string(),
            status: "queued",
        },
    }))
}

#[utoipa::path(get, path = "/api/v1/domains/{id}/history", tag = "domains", params(("id" = String, Path, description = "domain id"), crate::openapi::ListQuery),
    responses((status = 200, body = Page<keel_schemas::PublicEvent>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let id = path_id::<DomainId>(&path, "domain")?;
    let events = state
        .store
        .read_tenant_stream(ws, &StreamId::domain(id))
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound("domain"));
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

#[utoipa::path(get, path = "/api/v1/folders", tag = "domains", params(crate::openapi::Fresh),
    responses((status = 200, description = "the workspace's folders with their domain counts", body = Data<Vec<rm::FolderView>>)))]
pub async fn list_folders(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let rows = rm::folders(&state.db, &ws.to_string()).await?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: rows,
    }))
}

#[utoipa::path(post, path = "/api/v1/folders", tag = "domains", request_body = FolderBody,
    responses((status = 201, description = "created", body = Data<FolderWritten>), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create_folder(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: FolderBody = json_body(body, state.config.max_body_bytes).await?;
    let id = FolderId(Entropy::of(&req).uuid_v7());
    let cmd = FolderCommand::Create {
        folder_id: id,
        workspace_id: ws,
        name: body.name,
    };
    let e = execution(&req, &caller, ws, StreamId::folder(id), None);
    let (outcome, after) =
        execute::<FolderAggregate>(&state.store, &e, &cmd, Entropy::of(&req).event_ids()).await?;
    let f = after.ok_or_else(|| ApiError::Internal("folder missing after create".into()))?;
    Ok(written(
        StatusCode::CREATED,
        &outcome,
        FolderWritten {
            id: f.id.to_string(),
            name: f.name,
            domain_count: Some(0),
        },
    ))
}

async fn folder_command(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw: &str,
    cmd: FolderCommand,
) -> Result<(keel_commands::AppendOutcome, keel_commands::domain::Folder), ApiError> {
    let ws = caller.workspace(req, state).await?;
    let id: FolderId = raw.parse().map_err(|_| ApiError::NotFound("folder"))?;
    if !folder_exists(state, ws, raw).await? {
        return Err(ApiError::NotFound("folder"));
    }
    let e = execution(req, caller, ws, StreamId::folder(id), None);
    let (outcome, after) =
        execute::<FolderAggregate>(&state.store, &e, &cmd, Entropy::of(req).event_ids()).await?;
    Ok((outcome, after.ok_or(ApiError::NotFound("folder"))?))
}

#[utoipa::path(patch, path = "/api/v1/folders/{id}", tag = "domains", params(("id" = String, Path, description = "folder id")), request_body = FolderBody,
    responses((status = 200, description = "renamed", body = Data<FolderWritten>), (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn rename_folder(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: FolderBody = json_body(body, state.config.max_body_bytes).await?;
    let (outcome, f) = folder_command(
        &req,
        &state,
        &caller,
        &path,
        FolderCommand::Rename(body.name),
    )
    .await?;
    Ok(written(
        StatusCode::OK,
        &outcome,
        FolderWritten {
            id: f.id.to_string(),
            name: f.name,
            domain_count: None,
        },
    ))
}

#[utoipa::path(delete, path = "/api/v1/folders/{id}", tag = "domains", params(("id" = String, Path, description = "folder id")),
    responses((status = 204, description = "deleted; its domains are no longer in a folder"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn delete_folder(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (outcome, _) = folder_command(&req, &state, &caller, &path, FolderCommand::Delete).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((POSITION_HEADER, outcome.last_position.to_string()))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/dashboard/summary", tag = "domains", params(crate::openapi::Fresh),
    responses((status = 200, description = "total domains; email gateway, DMARC and SPF distributions with counts and percentages; scan freshness (last 24 h, last 7 d); the last 20 changes of the past 7 days; needs_attention_count (DMARC missing or none, or SPF missing, over the limit or invalid)", body = Data<rm::Summary>)))]
pub async fn summary(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    wait_for_position(&req, &state, Projection::Domains).await?;
    let s = rm::summary(&state.db, &ws.to_string(), state.config.clock.now()).await?;
    Ok(HttpResponse::Ok().json(Data {
        status: crate::http::Success::Ok,
        data: s,
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/domains")
            .route(web::get().to(list))
            .route(web::post().to(add)),
    )
    .service(
        web::resource("/domains/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(remove)),
    )
    .service(web::resource("/domains/{id}/changes").route(web::get().to(changes)))
    .service(web::resource("/domains/{id}/scan-results").route(web::get().to(scan_results)))
    .service(web::resource("/domains/{id}/whois").route(web::get().to(whois)))
    .service(web::resource("/domains/{id}/scan").route(web::post().to(scan_now)))
    .service(web::resource("/domains/{id}/history").route(web::get().to(history)))
    .service(web::resource("/dashboard/summary").route(web::get().to(summary)))
    .service(
        web::resource("/folders")
            .route(web::get().to(list_folders))
            .route(web::post().to(create_folder)),
    )
    .service(
        web::resource("/folders/{id}")
            .route(web::patch().to(rename_folder))
            .route(web::delete().to(delete_folder)),
    );
}
