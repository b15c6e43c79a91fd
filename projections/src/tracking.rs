//! The Tracking Checker and SEO read model: scans as the API lists them (`rm_tracking_scans`,
//! with each one's result document), SEO reports (`rm_seo_reports`), the issues they opened
//! (`rm_seo_issues`, one row per page, type and element) and each issue's history
//! (`rm_seo_issue_events`: opened, reopened, resolved).

use crate::model::{Batch, ReadModel};
use crate::Db;
use keel_events::RecordedEvent;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The `tracking` read model.
pub struct Tracking;

impl ReadModel for Tracking {
    const NAME: &'static str = "tracking";
    const STREAM_TYPES: &'static [&'static str] = &["trackscan", "seopage"];
    const TABLES: &'static [&'static str] = &[
        "rm_tracking_scans",
        "rm_seo_reports",
        "rm_seo_issues",
        "rm_seo_issue_events",
    ];

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS rm_tracking_scans{sfx} (
                    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, url TEXT NOT NULL, status TEXT NOT NULL,
                    options TEXT NOT NULL, request_id TEXT, key_id TEXT, final_url TEXT, signatures_version TEXT,
                    result TEXT, error_code TEXT, error_message TEXT, duration_ms BIGINT,
                    created_at TEXT NOT NULL, completed_at TEXT, position BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_tracking_scans_{tag}ws ON rm_tracking_scans{sfx} (workspace_id, created_at, id)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_tracking_scans_{tag}url ON rm_tracking_scans{sfx} (workspace_id, url, created_at)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_tracking_scans_{tag}status ON rm_tracking_scans{sfx} (status, created_at)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS rm_seo_reports{sfx} (
                    id TEXT PRIMARY KEY, page_id TEXT NOT NULL, workspace_id TEXT NOT NULL, url TEXT NOT NULL,
                    scores TEXT NOT NULL, issues INTEGER NOT NULL, source TEXT NOT NULL, scan_id TEXT,
                    created_at TEXT NOT NULL, position BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_seo_reports_{tag}ws ON rm_seo_reports{sfx} (workspace_id, created_at, id)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS rm_seo_issues{sfx} (
                    id TEXT PRIMARY KEY, page_id TEXT NOT NULL, workspace_id TEXT NOT NULL, url TEXT NOT NULL,
                    issue_type TEXT NOT NULL, severity TEXT NOT NULL, element TEXT NOT NULL, details TEXT NOT NULL,
                    status TEXT NOT NULL, created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL,
                    resolved_at TEXT, last_report_id TEXT NOT NULL, times_opened INTEGER NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_seo_issues_{tag}ws ON rm_seo_issues{sfx} (workspace_id, status, created_at, id)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_seo_issues_{tag}page ON rm_seo_issues{sfx} (page_id, issue_type, element)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS rm_seo_issue_events{sfx} (
                    event_id TEXT PRIMARY KEY, issue_id TEXT NOT NULL, workspace_id TEXT NOT NULL,
                    kind TEXT NOT NULL, report_id TEXT NOT NULL, severity TEXT, occurred_at TEXT NOT NULL,
                    position BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS rm_seo_issue_events_{tag}issue ON rm_seo_issue_events{sfx} (issue_id, position)"
            ),
        ]
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        _batch: &mut Batch,
    ) -> Result<(), sqlx::Error> {
        use keel_events::DomainEvent as D;
        let at = keel_schemas::format_ts(e.occurred_at);
        let text = |v: &dyn erased::Json| v.text();
        match &e.event {
            D::TrackingScanRequested(r) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_tracking_scans{sfx} (id, workspace_id, url, status, options, request_id, \
                     key_id, created_at, position) VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8)"
                ))
                .bind(r.scan_id.to_string())
                .bind(r.workspace_id.to_string())
                .bind(&r.url)
                .bind(text(&r.options))
                .bind(r.request_id.as_deref())
                .bind(r.key_id.map(|k| k.to_string()))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
            }
            D::TrackingScanCompleted(c) => {
                sqlx::query(&format!(
                    "UPDATE rm_tracking_scans{sfx} SET status = 'completed', final_url = $1, \
                     signatures_version = $2, result = $3, duration_ms = $4, completed_at = $5 WHERE id = $6"
                ))
                .bind(&c.final_url)
                .bind(&c.signatures_version)
                .bind(text(&c.result))
                .bind(c.duration_ms)
                .bind(&at)
                .bind(c.scan_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            D::TrackingScanFailed(f) => {
                sqlx::query(&format!(
                    "UPDATE rm_tracking_scans{sfx} SET status = 'failed', error_code = $1, error_message = $2, \
                     duration_ms = $3, completed_at = $4 WHERE id = $5"
                ))
                .bind(&f.code)
                .bind(&f.message)
                .bind(f.duration_ms)
                .bind(&at)
                .bind(f.scan_id.to_string())
                .execute(&mut *conn)
                .await?;
            }
            D::SeoReportSubmitted(r) => {
                sqlx::query(&format!(
                    "INSERT INTO rm_seo_reports{sfx} (id, page_id, workspace_id, url, scores, issues, source, \
                     scan_id, created_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ))
                .bind(r.report_id.to_string())
                .bind(r.page_id.to_string())
                .bind(r.workspace_id.to_string())
                .bind(&r.url)
                .bind(text(&r.scores))
                .bind(r.issues.len() as i64)
                .bind(&r.source)
                .bind(r.scan_id.map(|s| s.to_string()))
                .bind(&at)
                .bind(e.position)
                .execute(&mut *conn)
                .await?;
                // Issues still open are seen again: their latest severity and details.
                for i in &r.issues {
                    sqlx::query(&format!(
                        "UPDATE rm_seo_issues{sfx} SET severity = $1, details = $2, last_seen_at = $3, \
                         last_report_id = $4 WHERE page_id = $5 AND issue_type = $6 AND element = $7 AND status = 'open'"
                    ))
                    .bind(&i.severity)
                    .bind(text(&i.details))
                    .bind(&at)
                    .bind(r.report_id.to_string())
                    .bind(r.page_id.to_string())
                    .bind(&i.issue_type)
                    .bind(&i.element)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            D::SeoIssueOpened(o) => {
                if o.reopened {
                    sqlx::query(&format!(
                        "UPDATE rm_seo_issues{sfx} SET status = 'open', severity = $1, details = $2, \
                         last_seen_at = $3, resolved_at = NULL, last_report_id = $4, \
                         times_opened = times_opened + 1 WHERE id = $5"
                    ))
                    .bind(&o.severity)
                    .bind(text(&o.details))
                    .bind(&at)
                    .bind(o.report_id.to_string())
                    .bind(o.issue_id.to_string())
                    .execute(&mut *conn)
                    .await?;
                } else {
                    sqlx::query(&format!(
                        "INSERT INTO rm_seo_issues{sfx} (id, page_id, workspace_id, url, issue_type, severity, \
                         element, details, status, created_at, last_seen_at, resolved_at, last_report_id, \
                         times_opened) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9, NULL, $10, 1)"
                    ))
                    .bind(o.issue_id.to_string())
                    .bind(o.page_id.to_string())
                    .bind(o.workspace_id.to_string())
                    .bind(&o.url)
                    .bind(&o.issue_type)
                    .bind(&o.severity)
                    .bind(&o.element)
                    .bind(text(&o.details))
                    .bind(&at)
                    .bind(o.report_id.to_string())
                    .execute(&mut *conn)
                    .await?;
                }
                history(
                    conn,
                    sfx,
                    e,
                    &o.issue_id.to_string(),
                    &o.workspace_id.to_string(),
                    if o.reopened { "reopened" } else { "opened" },
                    &o.report_id.to_string(),
                    Some(&o.severity),
                )
                .await?;
            }
            D::SeoIssueResolved(r) => {
                sqlx::query(&format!(
                    "UPDATE rm_seo_issues{sfx} SET status = 'resolved', resolved_at = $1, last_report_id = $2 \
                     WHERE id = $3"
                ))
                .bind(&at)
                .bind(r.report_id.to_string())
                .bind(r.issue_id.to_string())
                .execute(&mut *conn)
                .await?;
                history(
                    conn,
                    sfx,
                    e,
                    &r.issue_id.to_string(),
                    &r.workspace_id.to_string(),
                    "resolved",
                    &r.report_id.to_string(),
                    None,
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn history(
    conn: &mut AnyConnection,
    sfx: &str,
    e: &RecordedEvent,
    issue: &str,
    ws: &str,
    kind: &str,
    report: &str,
    severity: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO rm_seo_issue_events{sfx} (event_id, issue_id, workspace_id, kind, report_id, severity, \
         occurred_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(e.event_id.to_string())
    .bind(issue)
    .bind(ws)
    .bind(kind)
    .bind(report)
    .bind(severity)
    .bind(keel_schemas::format_ts(e.occurred_at))
    .bind(e.position)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

/// A scan as the read model has it; the API shapes the response from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRow {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    /// `queued`, `completed` or `failed`.
    pub status: String,
    pub options: Value,
    pub request_id: Option<String>,
    pub final_url: Option<String>,
    pub signatures_version: Option<String>,
    pub result: Option<Map<String, Value>>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub duration_ms: Option<i64>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

const SCAN_COLUMNS: &str =
    "id, workspace_id, url, status, options, request_id, final_url, signatures_version, \
     result, error_code, error_message, duration_ms, created_at, completed_at";

fn scan(r: &AnyRow, with_result: bool) -> Result<ScanRow, sqlx::Error> {
    let options: String = r.try_get(4)?;
    let result: Option<String> = if with_result { r.try_get(8)? } else { None };
    Ok(ScanRow {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        url: r.try_get(2)?,
        status: r.try_get(3)?,
        options: serde_json::from_str(&options).unwrap_or_default(),
        request_id: r.try_get(5)?,
        final_url: r.try_get(6)?,
        signatures_version: r.try_get(7)?,
        result: result.and_then(|t| serde_json::from_str(&t).ok()),
        error_code: r.try_get(9)?,
        error_message: r.try_get(10)?,
        duration_ms: r.try_get(11)?,
        created_at: r.try_get(12)?,
        completed_at: r.try_get(13)?,
    })
}

/// One scan of a workspace, with its result.
pub async fn get_scan(db: &Db, ws: &str, id: &str) -> Result<Option<ScanRow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {SCAN_COLUMNS} FROM rm_tracking_scans WHERE id = $1 AND workspace_id = $2"
    ))
    .bind(id)
    .bind(ws)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(|r| scan(r, true)).transpose()
}

/// What a scan list may filter on.
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    pub url: Option<String>,
    pub status: Option<String>,
}

/// A page of a workspace's scans, newest first, with results when `with_results`, and the
/// total.
pub async fn list_scans(
    db: &Db,
    ws: &str,
    f: &ScanFilter,
    limit: i64,
    offset: i64,
    with_results: bool,
) -> Result<(Vec<ScanRow>, i64), sqlx::Error> {
    let mut wheres = vec!["workspace_id = $1".to_string()];
    let mut binds = vec![ws.to_string()];
    if let Some(u) = &f.url {
        binds.push(u.clone());
        wheres.push(format!("url = ${}", binds.len()));
    }
    if let Some(s) = &f.status {
        binds.push(s.clone());
        wheres.push(format!("status = ${}", binds.len()));
    }
    let w = wheres.join(" AND ");
    let sql = format!(
        "SELECT {SCAN_COLUMNS} FROM rm_tracking_scans WHERE {w} ORDER BY created_at DESC, id DESC \
         LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    let count = format!("SELECT COUNT(*) FROM rm_tracking_scans WHERE {w}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar::<_, i64>(&count);
    for b in &binds {
        q = q.bind(b.clone());
        c = c.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let total = c.fetch_one(&db.pool).await?;
    let rows = rows
        .iter()
        .map(|r| scan(r, with_results))
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// The queued scans, oldest first (the worker's queue).
pub async fn queued_scans(db: &Db, limit: i64) -> Result<Vec<ScanRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {SCAN_COLUMNS} FROM rm_tracking_scans WHERE status = 'queued' \
         ORDER BY created_at, id LIMIT {}",
        limit.max(0)
    ))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| scan(r, false))
    .collect()
}

/// The latest completed scan of the same URL in the workspace before `before` (what a rescan
/// is compared with).
pub async fn previous_scan(
    db: &Db,
    ws: &str,
    url: &str,
    before: &str,
) -> Result<Option<ScanRow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {SCAN_COLUMNS} FROM rm_tracking_scans WHERE workspace_id = $1 AND url = $2 \
         AND status = 'completed' AND created_at < $3 ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(ws)
    .bind(url)
    .bind(before)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(|r| scan(r, true)).transpose()
}

/// An SEO issue as the API lists it (core-api's fields first).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SeoIssueView {
    pub id: String,
    pub url: String,
    pub issue_type: String,
    /// `critical`, `error`, `warning`, `notice` or `info`.
    pub severity: String,
    /// What the issue is about on the page (a selector, a URL); empty for the page itself.
    pub element: String,
    #[schema(value_type = Object)]
    pub details: Value,
    /// When the issue was first reported.
    pub created_at: String,
    /// `open` or `resolved`.
    pub status: String,
    /// The last report that listed it (or, once resolved, the one that no longer did).
    pub last_report_id: String,
    pub last_seen_at: String,
    pub resolved_at: Option<String>,
    /// How many times it was opened (1, or more after it came back).
    pub times_opened: i64,
}

const ISSUE_COLUMNS: &str = "id, url, issue_type, severity, element, details, created_at, status, \
     last_report_id, last_seen_at, resolved_at, times_opened";

fn issue(r: &AnyRow) -> Result<SeoIssueView, sqlx::Error> {
    let details: String = r.try_get(5)?;
    Ok(SeoIssueView {
        id: r.try_get(0)?,
        url: r.try_get(1)?,
        issue_type: r.try_get(2)?,
        severity: r.try_get(3)?,
        element: r.try_get(4)?,
        details: serde_json::from_str(&details).unwrap_or(Value::Object(Map::new())),
        created_at: r.try_get(6)?,
        status: r.try_get(7)?,
        last_report_id: r.try_get(8)?,
        last_seen_at: r.try_get(9)?,
        resolved_at: r.try_get(10)?,
        times_opened: r.try_get::<i64, _>(11)?,
    })
}

/// What an issue list may filter on; `status` `None` means every issue.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub url: Option<String>,
    pub severity: Option<String>,
    pub issue_type: Option<String>,
    pub status: Option<String>,
}

/// A page of a workspace's SEO issues, newest first, and the total.
pub async fn list_issues(
    db: &Db,
    ws: &str,
    f: &IssueFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SeoIssueView>, i64), sqlx::Error> {
    let mut wheres = vec!["workspace_id = $1".to_string()];
    let mut binds = vec![ws.to_string()];
    for (column, value) in [
        ("url", &f.url),
        ("severity", &f.severity),
        ("issue_type", &f.issue_type),
        ("status", &f.status),
    ] {
        if let Some(v) = value {
            binds.push(v.clone());
            wheres.push(format!("{column} = ${}", binds.len()));
        }
    }
    let w = wheres.join(" AND ");
    let sql = format!(
        "SELECT {ISSUE_COLUMNS} FROM rm_seo_issues WHERE {w} ORDER BY created_at DESC, id DESC \
         LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    let count = format!("SELECT COUNT(*) FROM rm_seo_issues WHERE {w}");
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query_scalar::<_, i64>(&count);
    for b in &binds {
        q = q.bind(b.clone());
        c = c.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let total = c.fetch_one(&db.pool).await?;
    let rows = rows.iter().map(issue).collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// One issue of a workspace.
pub async fn get_issue(db: &Db, ws: &str, id: &str) -> Result<Option<SeoIssueView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ISSUE_COLUMNS} FROM rm_seo_issues WHERE id = $1 AND workspace_id = $2"
    ))
    .bind(id)
    .bind(ws)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(issue).transpose()
}

/// One step of an issue's history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SeoIssueEventView {
    /// `opened`, `reopened` or `resolved`.
    #[serde(rename = "type")]
    pub kind: String,
    pub report_id: String,
    /// The severity reported, for `opened` and `reopened`.
    pub severity: Option<String>,
    pub occurred_at: String,
}

/// An issue's history, oldest first.
pub async fn issue_history(
    db: &Db,
    ws: &str,
    id: &str,
) -> Result<Vec<SeoIssueEventView>, sqlx::Error> {
    sqlx::query(
        "SELECT kind, report_id, severity, occurred_at FROM rm_seo_issue_events \
         WHERE issue_id = $1 AND workspace_id = $2 ORDER BY position, event_id",
    )
    .bind(id)
    .bind(ws)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(SeoIssueEventView {
            kind: r.try_get(0)?,
            report_id: r.try_get(1)?,
            severity: r.try_get(2)?,
            occurred_at: r.try_get(3)?,
        })
    })
    .collect()
}

/// An SEO report as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SeoReportView {
    pub id: String,
    pub url: String,
    #[schema(value_type = Object)]
    pub scores: Value,
    /// How many issues it listed.
    pub issues: i64,
    /// `api`, or `tracking_checker` for a scan's own report.
    pub source: String,
    pub scan_id: Option<String>,
    pub created_at: String,
}

/// One report of a workspace.
pub async fn get_report(db: &Db, ws: &str, id: &str) -> Result<Option<SeoReportView>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, url, scores, issues, source, scan_id, created_at FROM rm_seo_reports \
         WHERE id = $1 AND workspace_id = $2",
    )
    .bind(id)
    .bind(ws)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        let scores: String = r.try_get(2)?;
        Ok(SeoReportView {
            id: r.try_get(0)?,
            url: r.try_get(1)?,
            scores: serde_json::from_str(&scores).unwrap_or(Value::Object(Map::new())),
            issues: r.try_get::<i64, _>(3)?,
            source: r.try_get(4)?,
            scan_id: r.try_get(5)?,
            created_at: r.try_get(6)?,
        })
    })
    .transpose()
}
