//! CSV exports of a workspace's domains: jobs queued by the API (table `exports`), taken by a
//! worker one at a time, written from the domains read model a page at a time, and kept in the
//! database so that any API process can serve the download.

use crate::store::SqlStore;
use keel_projections::domains::{list_domains, DomainFilter};
use keel_projections::query::{ListFilter, SortKey};
use keel_projections::Db;
use serde_json::Value;
use sqlx::Row;
use std::time::Duration;
use tokio::sync::watch;

/// Columns an export may have, in their default order.
pub const COLUMNS: &[&str] = &[
    "domain",
    "unicode",
    "tld",
    "status",
    "added_at",
    "first_seen",
    "last_scanned",
    "scan_count",
    "email_gateway",
    "dmarc_status",
    "dmarc_policy",
    "spf_status",
    "mx",
    "tags",
    "folder",
    "custom_label",
    "is_favorite",
];

fn csv() -> String {
    "csv".into()
}

/// Export formats.
pub const FORMATS: &[&str] = &["csv", "zip"];

/// What a job exports.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ExportSpec {
    /// `csv` or `zip` (the CSV in a zip archive); `csv` for jobs queued before it existed.
    #[serde(default = "csv")]
    pub format: String,
    pub columns: Vec<String>,
    pub status: Option<String>,
    pub search: Option<String>,
    pub email_gateway: Option<String>,
    pub dmarc_status: Option<String>,
    pub spf_status: Option<String>,
    pub folder_id: Option<String>,
    pub tag: Option<String>,
    pub is_favorite: Option<bool>,
}

/// An export job as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ExportJob {
    pub id: String,
    /// DNSai's name for `id`.
    pub task_id: String,
    /// `csv` or `zip` (DNSai's `export_type`).
    pub export_type: String,
    /// What was asked: columns, filters, folder_id.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    /// queued, processing, completed or failed
    pub status: String,
    /// Rows written, once completed.
    pub row_count: Option<i64>,
    /// Bytes of the CSV, once completed.
    pub file_size: Option<i64>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
    /// Where to download the file, once completed (a path).
    pub download_url: Option<String>,
    /// The same as a full URL (DNSai's `file_url`), once completed.
    pub file_url: Option<String>,
}

const JOB_COLUMNS: &str =
    "id, status, row_count, file_size, error, created_at, completed_at, spec, kind";

fn job(r: &sqlx::any::AnyRow) -> Result<ExportJob, sqlx::Error> {
    let id: String = r.try_get(0)?;
    let status: String = r.try_get(1)?;
    let raw: Option<String> = r.try_get(7)?;
    let kind: String = r.try_get(8)?;
    if kind == QUERY {
        // A query's export: its parameters are the site and the query as asked.
        let parameters: Value = raw
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        return Ok(ExportJob {
            download_url: (status == "completed").then(|| format!("/api/v1/exports/{id}/download")),
            file_url: None,
            task_id: id.clone(),
            export_type: "csv".into(),
            parameters,
            id,
            status,
            row_count: r.try_get(2)?,
            file_size: r.try_get(3)?,
            error: r.try_get(4)?,
            created_at: r.try_get(5)?,
            completed_at: r.try_get(6)?,
        });
    }
    let spec: ExportSpec = raw
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| ExportSpec {
            format: csv(),
            ..ExportSpec::default()
        });
    let parameters = serde_json::json!({
        "columns": spec.columns,
        "folder_id": spec.folder_id,
        "filters": {
            "status": spec.status, "search": spec.search, "email_gateway": spec.email_gateway,
            "dmarc_status": spec.dmarc_status, "spf_status": spec.spf_status, "tag": spec.tag,
            "is_favorite": spec.is_favorite,
        },
    });
    Ok(ExportJob {
        download_url: (status == "completed").then(|| format!("/api/v1/exports/{id}/download")),
        file_url: None,
        task_id: id.clone(),
        export_type: spec.format.clone(),
        parameters,
        id,
        status,
        row_count: r.try_get(2)?,
        file_size: r.try_get(3)?,
        error: r.try_get(4)?,
        created_at: r.try_get(5)?,
        completed_at: r.try_get(6)?,
    })
}

/// Queues an export of `spec` for the worker; returns the job's id (`exp_…`).
pub async fn queue(
    db: &Db,
    workspace_id: &str,
    spec: &ExportSpec,
    created_by: &Value,
) -> Result<String, sqlx::Error> {
    queue_kind(
        db,
        workspace_id,
        DOMAINS,
        &serde_json::to_string(spec).unwrap_or_default(),
        created_by,
    )
    .await
}

/// The kind of the domains' exports (built by the worker role here).
pub const DOMAINS: &str = "domains";
/// The kind of a query's export (built by an api process: `keel_api`'s query engine).
pub const QUERY: &str = "query";

/// Queues a job of `kind` with its spec (JSON); returns its id.
pub async fn queue_kind(
    db: &Db,
    workspace_id: &str,
    kind: &str,
    spec: &str,
    created_by: &Value,
) -> Result<String, sqlx::Error> {
    let id = format!("exp_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(
        "INSERT INTO exports (id, workspace_id, status, spec, created_by, created_at, kind) \
         VALUES ($1, $2, 'queued', $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(workspace_id)
    .bind(spec)
    .bind(created_by.to_string())
    .bind(keel_schemas::format_ts(chrono::Utc::now()))
    .bind(kind)
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// A workspace's jobs, newest first, with the exact total.
pub async fn list_jobs(
    db: &Db,
    workspace_id: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ExportJob>, i64), sqlx::Error> {
    let filter = if status.is_some() {
        " AND status = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE workspace_id = $1{filter} \
         ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    let mut q = sqlx::query(&sql).bind(workspace_id);
    let count_sql = format!("SELECT COUNT(*) FROM exports WHERE workspace_id = $1{filter}");
    let mut c = sqlx::query_scalar::<_, i64>(&count_sql).bind(workspace_id);
    if let Some(s) = status {
        q = q.bind(s);
        c = c.bind(s);
    }
    let rows = q.fetch_all(&db.pool).await?;
    let total = c.fetch_one(&db.pool).await?;
    Ok((rows.iter().map(job).collect::<Result<_, _>>()?, total))
}

/// One job of a workspace.
pub async fn get_job(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<ExportJob>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE id = $1 AND workspace_id = $2"
    ))
    .bind(id)
    .bind(workspace_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(job).transpose()
}

/// A job's status and, once completed, its CSV.
/// A job's status, its CSV once completed, and its format (`csv` or `zip`).
pub async fn content(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<(String, Option<String>, String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT status, content, CASE WHEN kind = 'domains' THEN spec END, kind FROM exports \
         WHERE id = $1 AND workspace_id = $2",
    )
    .bind(id)
    .bind(workspace_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        let spec: Option<String> = r.try_get(2)?;
        let format = spec
            .and_then(|s| serde_json::from_str::<ExportSpec>(&s).ok())
            .map_or_else(csv, |s| s.format);
        Ok((r.try_get(0)?, r.try_get(1)?, format, r.try_get(3)?))
    })
    .transpose()
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is prefixed with `'` so that spreadsheets never run it as a formula.
pub fn csv_field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn cell(row: &Value, column: &str) -> String {
    let v = match column {
        "email_gateway" | "dmarc_status" | "dmarc_policy" | "spf_status" | "mx" => {
            &row["scan_summary"][column]
        }
        "folder" => &row["folder"]["name"],
        other => &row[other],
    };
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Writes the CSV of one job; returns it and its row count.
pub async fn build(
    store: &SqlStore,
    ws: &str,
    spec: &ExportSpec,
) -> Result<(String, i64), sqlx::Error> {
    let columns: Vec<&str> = if spec.columns.is_empty() {
        COLUMNS.to_vec()
    } else {
        spec.columns.iter().map(String::as_str).collect()
    };
    let mut out = columns.join(",");
    out.push_str("\r\n");
    let mut f = ListFilter {
        limit: 1000,
        offset: 0,
        status: spec.status.clone(),
        search: spec.search.clone(),
        sort: vec![SortKey {
            column: "name",
            descending: false,
        }],
        ..ListFilter::default()
    };
    let d = DomainFilter {
        email_gateway: spec.email_gateway.clone(),
        dmarc_status: spec.dmarc_status.clone(),
        spf_status: spec.spf_status.clone(),
        scan_status: None,
        folder_id: spec.folder_id.clone(),
        tag: spec.tag.clone(),
        is_favorite: spec.is_favorite,
    };
    let mut rows = 0;
    loop {
        let page = list_domains(store.db(), ws, &f, &d).await?;
        for r in &page.rows {
            // Cells are read from the row's JSON shape, as the API shows it.
            let r = serde_json::to_value(r).unwrap_or_default();
            let line: Vec<String> = columns.iter().map(|c| csv_field(&cell(&r, c))).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        rows += page.rows.len() as i64;
        // Walked by keyset: domains added or removed meanwhile shift no page.
        match page.last_key {
            Some(key) if page.has_next => {
                f.cursor = Some(keel_projections::query::Cursor {
                    before: false,
                    values: key,
                })
            }
            _ => break,
        }
    }
    Ok((out, rows))
}

/// Takes the oldest queued job of `kind` (or one left processing by a runner that stopped), if
/// any: `(id, workspace, spec)`.
pub async fn claim_kind(
    db: &Db,
    kind: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let now = chrono::Utc::now();
    let stale = keel_schemas::format_ts(now - chrono::Duration::minutes(10));
    let candidate = sqlx::query(
        "SELECT id, workspace_id, spec FROM exports WHERE kind = $2 AND (status = 'queued' \
         OR (status = 'processing' AND started_at < $1)) ORDER BY created_at LIMIT 1",
    )
    .bind(&stale)
    .bind(kind)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = candidate else { return Ok(None) };
    let (id, ws, spec): (String, String, String) = (r.get(0), r.get(1), r.get(2));
    // Only one worker wins the job.
    let won = sqlx::query(
        "UPDATE exports SET status = 'processing', started_at = $1 WHERE id = $2 \
         AND (status = 'queued' OR (status = 'processing' AND started_at < $3))",
    )
    .bind(keel_schemas::format_ts(now))
    .bind(&id)
    .bind(&stale)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if won == 0 {
        return Ok(None);
    }
    Ok(Some((id, ws, spec)))
}

async fn claim(store: &SqlStore) -> Result<Option<(String, String, ExportSpec)>, sqlx::Error> {
    Ok(claim_kind(store.db(), DOMAINS)
        .await?
        .map(|(id, ws, spec)| (id, ws, serde_json::from_str(&spec).unwrap_or_default())))
}

/// Records a job's outcome: its CSV and row count, or why it failed.
pub async fn finish(
    db: &Db,
    id: &str,
    result: Result<(String, i64), String>,
) -> Result<(), sqlx::Error> {
    let now = keel_schemas::format_ts(chrono::Utc::now());
    match result {
        Ok((csv, rows)) => sqlx::query(
            "UPDATE exports SET status = 'completed', content = $1, row_count = $2, \
             file_size = $3, completed_at = $4 WHERE id = $5",
        )
        .bind(&csv)
        .bind(rows)
        .bind(csv.len() as i64)
        .bind(&now)
        .bind(id)
        .execute(&db.pool)
        .await
        .map(|_| ()),
        Err(e) => {
            tracing::warn!(export = %id, error = %e, "export failed");
            sqlx::query(
                "UPDATE exports SET status = 'failed', error = $1, completed_at = $2 WHERE id = $3",
            )
            .bind(e)
            .bind(&now)
            .bind(id)
            .execute(&db.pool)
            .await
            .map(|_| ())
        }
    }
}

/// Runs export jobs until `shutdown` turns true.
pub async fn run(store: SqlStore, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        match claim(&store).await {
            Ok(Some((id, ws, spec))) => {
                let result = build(&store, &ws, &spec).await.map_err(|e| e.to_string());
                let done = finish(store.db(), &id, result).await;
                if let Err(e) = done {
                    tracing::warn!(export = %id, error = %e, "export result not saved; retried");
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read export jobs; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("example.com"), "example.com");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
