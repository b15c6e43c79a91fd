//! CSV exports of a workspace's domains: jobs queued by the API (table `exports`), taken by a
//! worker one at a time, written from the domains read model a page at a time, and kept in the
//! database so that any API process can serve the download.

use crate::store::SqlStore;
use keel_projections::domains::{list_domains, DomainFilter};
use keel_projections::query::{ListFilter, SortKey};
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

/// What a job exports.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ExportSpec {
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
        folder_id: spec.folder_id.clone(),
        tag: spec.tag.clone(),
        is_favorite: spec.is_favorite,
    };
    let mut rows = 0;
    loop {
        let (page, _) = list_domains(store.db(), ws, &f, &d).await?;
        for r in &page {
            let line: Vec<String> = columns.iter().map(|c| csv_field(&cell(r, c))).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        rows += page.len() as i64;
        if (page.len() as i64) < f.limit {
            break;
        }
        f.offset += f.limit;
    }
    Ok((out, rows))
}

/// Takes the oldest queued job (or one left processing by a worker that stopped), if any.
async fn claim(store: &SqlStore) -> Result<Option<(String, String, ExportSpec)>, sqlx::Error> {
    let db = store.db();
    let now = chrono::Utc::now();
    let stale = keel_schemas::format_ts(now - chrono::Duration::minutes(10));
    let candidate = sqlx::query(
        "SELECT id, workspace_id, spec FROM exports WHERE status = 'queued' \
         OR (status = 'processing' AND started_at < $1) ORDER BY created_at LIMIT 1",
    )
    .bind(&stale)
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
    Ok(Some((
        id,
        ws,
        serde_json::from_str(&spec).unwrap_or_default(),
    )))
}

/// Runs export jobs until `shutdown` turns true.
pub async fn run(store: SqlStore, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        match claim(&store).await {
            Ok(Some((id, ws, spec))) => {
                let result = build(&store, &ws, &spec).await;
                let now = keel_schemas::format_ts(chrono::Utc::now());
                let done = match result {
                    Ok((csv, rows)) => sqlx::query(
                        "UPDATE exports SET status = 'completed', content = $1, row_count = $2, \
                         file_size = $3, completed_at = $4 WHERE id = $5",
                    )
                    .bind(&csv)
                    .bind(rows)
                    .bind(csv.len() as i64)
                    .bind(&now)
                    .bind(&id)
                    .execute(&store.db().pool)
                    .await,
                    Err(e) => {
                        tracing::warn!(export = %id, error = %e, "export failed");
                        sqlx::query(
                            "UPDATE exports SET status = 'failed', error = $1, completed_at = $2 WHERE id = $3",
                        )
                        .bind(e.to_string())
                        .bind(&now)
                        .bind(&id)
                        .execute(&store.db().pool)
                        .await
                    }
                };
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
