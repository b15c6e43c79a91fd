//! `/api/v1/exports`: CSV exports of the workspace's domains, written by a worker.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{envelope, json_body, list_filter};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use keel_commands::DomainError;
use keel_infra::exports::{ExportSpec, COLUMNS};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportFilters {
    status: Option<String>,
    search: Option<String>,
    email_gateway: Option<String>,
    dmarc_status: Option<String>,
    spf_status: Option<String>,
    tag: Option<String>,
    is_favorite: Option<bool>,
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
}

fn job_view(r: &sqlx::any::AnyRow) -> Result<Value, sqlx::Error> {
    let id: String = r.try_get(0)?;
    let status: String = r.try_get(1)?;
    Ok(json!({
        "id": id, "status": status,
        "row_count": r.try_get::<Option<i64>, _>(2)?, "file_size": r.try_get::<Option<i64>, _>(3)?,
        "error": r.try_get::<Option<String>, _>(4)?,
        "created_at": r.try_get::<String, _>(5)?, "completed_at": r.try_get::<Option<String>, _>(6)?,
        "download_url": (status == "completed").then(|| format!("/api/v1/exports/{id}/download")),
    }))
}

const JOB_COLUMNS: &str = "id, status, row_count, file_size, error, created_at, completed_at";

#[utoipa::path(post, path = "/api/v1/exports", tag = "domains", request_body = CreateExportBody,
    responses((status = 202, description = "{task_id, status: queued}"), (status = 422, body = crate::openapi::ErrorBody)))]
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
    check("status", &f.status, &["active", "removed"], &mut errors);
    check(
        "dmarc_status",
        &f.dmarc_status,
        &["reject", "quarantine", "none", "missing"],
        &mut errors,
    );
    check(
        "spf_status",
        &f.spf_status,
        &["valid", "over_limit", "invalid", "missing"],
        &mut errors,
    );
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
    let id = format!("exp_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(
        "INSERT INTO exports (id, workspace_id, status, spec, created_by, created_at) \
         VALUES ($1, $2, 'queued', $3, $4, $5)",
    )
    .bind(&id)
    .bind(ws.to_string())
    .bind(serde_json::to_string(&spec).unwrap_or_default())
    .bind(serde_json::to_string(&caller_actor(&caller)).unwrap_or_default())
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .execute(&state.db.pool)
    .await?;
    Ok(HttpResponse::Accepted().json(json!({ "data": { "task_id": id, "status": "queued" } })))
}

fn caller_actor(caller: &Caller) -> Value {
    json!(caller.actor())
}

#[utoipa::path(get, path = "/api/v1/exports", tag = "domains", params(crate::openapi::ListQuery),
    responses((status = 200, description = "export jobs, newest first: status (queued, processing, completed, failed), row_count, file_size, created_at, completed_at")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let mut f = list_filter(&req, &[], &["queued", "processing", "completed", "failed"])?;
    let status = f.status.clone();
    let filter = if status.is_some() {
        " AND status = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE workspace_id = $1{filter} \
         ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
        f.limit, f.offset
    );
    let mut q = sqlx::query(&sql).bind(ws.to_string());
    let count_sql = format!("SELECT COUNT(*) FROM exports WHERE workspace_id = $1{filter}");
    let mut c = sqlx::query_scalar::<_, i64>(&count_sql).bind(ws.to_string());
    if let Some(s) = &status {
        q = q.bind(s.clone());
        c = c.bind(s.clone());
    }
    let rows = q.fetch_all(&state.db.pool).await?;
    let total = c.fetch_one(&state.db.pool).await?;
    let rows: Vec<Value> = rows.iter().map(job_view).collect::<Result<_, _>>()?;
    f.workspace_id = Some(ws.to_string());
    Ok(envelope(&req, rows, total, &f))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "domains", params(("id" = String, Path, description = "export id")),
    responses((status = 200, description = "the job"), (status = 404, body = crate::openapi::ErrorBody)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let row = sqlx::query(&format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE id = $1 AND workspace_id = $2"
    ))
    .bind(path.as_str())
    .bind(ws.to_string())
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(ApiError::NotFound("export"))?;
    Ok(HttpResponse::Ok().json(json!({ "data": job_view(&row)? })))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "domains", params(("id" = String, Path, description = "export id")),
    responses((status = 200, description = "the CSV (text/csv)"), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, description = "not completed yet (or failed)", body = crate::openapi::ErrorBody)))]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ws = caller.workspace(&req, &state).await?;
    let row =
        sqlx::query("SELECT status, content FROM exports WHERE id = $1 AND workspace_id = $2")
            .bind(path.as_str())
            .bind(ws.to_string())
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or(ApiError::NotFound("export"))?;
    let status: String = row.try_get(0)?;
    let Some(content) = row
        .try_get::<Option<String>, _>(1)?
        .filter(|_| status == "completed")
    else {
        return Err(ApiError::NotReady(format!(
            "the export is {status}, not completed"
        )));
    };
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
            format!("attachment; filename=\"domains-{}.csv\"", path.as_str()),
        ))
        .streaming(futures::stream::iter(chunks)))
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
