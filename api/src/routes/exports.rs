//! `/api/v1/exports`: CSV exports of the workspace's domains, written by a worker.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{envelope, json_body, list_filter_paged, Data, Page};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::DomainError;
use keel_infra::exports::{ExportJob, ExportSpec, COLUMNS};
use keel_projections::domains as rm;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportFilters {
    status: Option<String>,
    search: Option<String>,
    /// Also `gateway` (DNSai's name).
    #[serde(alias = "gateway")]
    email_gateway: Option<String>,
    /// Also `dmarc_policy` (DNSai's name).
    #[serde(alias = "dmarc_policy")]
    dmarc_status: Option<String>,
    spf_status: Option<String>,
    tag: Option<String>,
    is_favorite: Option<bool>,
}

/// A queued export.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportQueued {
    /// The job's id: poll `GET /api/v1/exports/{task_id}`.
    pub task_id: String,
    /// Always `queued`.
    pub status: &'static str,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExportBody {
    /// Default: every column, in order (domain, unicode, tld, status, added_at, first_seen,
    /// last_scanned, scan_count, email_gateway, dmarc_status, dmarc_policy, spf_status, mx, tags,
    /// folder, custom_label, is_favorite).
    #[serde(default)]
    columns: Vec<String>,
    filters: Option<ExportFilters>,
    folder_id: Option<String>,
    /// `csv` (default) or `zip` (the CSV in a zip archive).
    export_type: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/exports", tag = "domains", request_body = CreateExportBody,
    responses((status = 202, description = "queued", body = Data<ExportQueued>), (status = 422, body = crate::openapi::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let body: CreateExportBody = json_body(body, state.config.max_body_bytes).await?;
    let mut errors = Vec::new();
    for (i, c) in body.columns.iter().enumerate() {
        if !COLUMNS.contains(&c.as_str()) {
            errors.push((
                format!("columns[{i}]"),
                format!("must be one of {}", COLUMNS.join(", ")),
            ));
        }
    }
    let f = body.filters.unwrap_or(ExportFilters {
        status: None,
        search: None,
        email_gateway: None,
        dmarc_status: None,
        spf_status: None,
        tag: None,
        is_favorite: None,
    });
    let check =
        |field: &str, v: &Option<String>, allowed: &[&str], errors: &mut Vec<(String, String)>| {
            if let Some(v) = v {
                if !allowed.contains(&v.as_str()) {
                    errors.push((
                        format!("filters.{field}"),
                        format!("must be one of {}", allowed.join(", ")),
                    ));
                }
            }
        };
    check("status", &f.status, rm::DOMAIN_STATUSES, &mut errors);
    check(
        "dmarc_status",
        &f.dmarc_status,
        rm::DMARC_STATUSES,
        &mut errors,
    );
    check("spf_status", &f.spf_status, rm::SPF_STATUSES, &mut errors);
    let format = body.export_type.unwrap_or_else(|| "csv".into());
    if !keel_infra::exports::FORMATS.contains(&format.as_str()) {
        errors.push((
            "export_type".into(),
            format!("must be one of {}", keel_infra::exports::FORMATS.join(", ")),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(
            errors
                .into_iter()
                .map(|(field, message)| keel_commands::FieldError { field, message })
                .collect(),
        )
        .into());
    }
    let spec = ExportSpec {
        format,
        columns: body.columns,
        status: f.status,
        search: f.search,
        email_gateway: f.email_gateway,
        dmarc_status: f.dmarc_status,
        spf_status: f.spf_status,
        folder_id: body.folder_id,
        tag: f.tag,
        is_favorite: f.is_favorite,
    };
    let id = keel_infra::exports::queue(&state.db, &ws.to_string(), &spec, &json!(caller.actor()))
        .await?;
    Ok(HttpResponse::Accepted().json(Data {
        status: crate::http::Success::Ok,
        data: ExportQueued {
            task_id: id,
            status: "queued",
        },
    }))
}

#[utoipa::path(get, path = "/api/v1/exports", tag = "domains", params(crate::openapi::DnsaiListQuery),
    responses((status = 200, description = "export jobs, newest first", body = Page<ExportJob>)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let mut f = list_filter_paged(
        &req,
        &[],
        &["queued", "processing", "completed", "failed"],
        crate::http::DNSAI_PAGING,
    )?;
    let (rows, total) = keel_infra::exports::list_jobs(
        &state.db,
        &ws.to_string(),
        f.status.as_deref(),
        f.limit,
        f.offset,
    )
    .await?;
    f.workspace_id = Some(ws.to_string());
    let rows = rows.into_iter().map(|j| with_file_url(&req, j)).collect();
    Ok(envelope(&req, rows, total, &f))
}

/// DNSai's `file_url`: the download link as a full URL.
fn with_file_url(req: &HttpRequest, mut job: ExportJob) -> ExportJob {
    job.file_url = job
        .download_url
        .as_ref()
        .map(|p| format!("{}{p}", crate::http::base_url(req)));
    job
}

#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "domains", params(("id" = String, Path, description = "export id")),
    responses((status = 200, description = "the job", body = Data<ExportJob>), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let job = keel_infra::exports::get_job(&state.db, &ws.to_string(), path.as_str())
        .await?
        .ok_or(ApiError::NotFound("export"))?;
    Ok(HttpResponse::Ok().json(crate::http::Data {
        status: crate::http::Success::Ok,
        data: with_file_url(&req, job),
    }))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "domains", params(("id" = String, Path, description = "export id")),
    responses((status = 200, description = "the CSV (or, for an export_type zip, a zip archive holding it)", content_type = "text/csv", body = String), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "not completed yet (or failed)", body = crate::openapi::ErrorBody)))]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let (status, content, format, kind) =
        keel_infra::exports::content(&state.db, &ws.to_string(), path.as_str())
            .await?
            .ok_or(ApiError::NotFound("export"))?;
    let Some(content) = content.filter(|_| status == "completed") else {
        return Err(ApiError::NotReady(format!(
            "the export is {status}, not completed"
        )));
    };
    let name = format!("{kind}-{}", path.as_str());
    if format == "zip" {
        let zipped = zipped(&format!("{name}.csv"), content.as_bytes())
            .map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{name}.zip\""),
            ))
            .body(zipped));
    }
    // Sent a chunk at a time.
    let chunks: Vec<Result<actix_web::web::Bytes, actix_web::Error>> = content
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(actix_web::web::Bytes::copy_from_slice(c)))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .streaming(futures::stream::iter(chunks)))
}

/// One file, deflated, in a zip archive.
fn zipped(name: &str, bytes: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, options)?;
    w.write_all(bytes)?;
    Ok(w.finish()?.into_inner())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/exports")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/exports/{id}").route(web::get().to(get)))
    .service(web::resource("/exports/{id}/download").route(web::get().to(download)));
}
