//! The domains read model: each watched domain with its labels and the summary of its latest
//! scan, every change a scan found, every scan, and folders.

use keel_events::{DomainEvent, RecordedEvent, ScanOutcome};

fn outcome_name(o: ScanOutcome) -> &'static str {
    match o {
        ScanOutcome::Answered => "answered",
        ScanOutcome::Nxdomain => "nxdomain",
        ScanOutcome::Failed => "failed",
    }
}
use serde::Serialize;
use sqlx::AnyConnection;

pub const TABLES: [&str; 5] = [
    "rm_domains",
    "rm_domain_changes",
    "rm_domain_scans",
    "rm_folders",
    "rm_domain_counts",
];

pub fn ddl(sfx: &str, tag: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS rm_domains{sfx} (
                domain_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL, unicode TEXT,
                tld TEXT NOT NULL, status TEXT NOT NULL, added_at TEXT NOT NULL, removed_at TEXT,
                tags TEXT NOT NULL, notes TEXT NOT NULL, custom_label TEXT NOT NULL, folder_id TEXT,
                is_favorite INTEGER NOT NULL, scan_count BIGINT NOT NULL, first_seen TEXT, last_scanned TEXT,
                email_gateway TEXT, dmarc_status TEXT NOT NULL, dmarc_policy TEXT, spf_status TEXT NOT NULL,
                latest_scan TEXT, whois TEXT, whois_at TEXT, updated_at TEXT NOT NULL, version BIGINT NOT NULL,
                scan_status TEXT NOT NULL, scan_error TEXT, last_error_at TEXT, scan_attempted_at TEXT)"
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS rm_domains_{tag}ws ON rm_domains{sfx} (workspace_id, added_at, domain_id)"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_domains_{tag}name ON rm_domains{sfx} (workspace_id, name)"),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_domain_changes{sfx} (
                event_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, domain_id TEXT NOT NULL,
                field_name TEXT NOT NULL, old_value TEXT, new_value TEXT, detected_at TEXT NOT NULL,
                position BIGINT NOT NULL)"
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS rm_domain_changes_{tag}domain ON rm_domain_changes{sfx} (domain_id, position)"
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS rm_domain_changes_{tag}ws ON rm_domain_changes{sfx} (workspace_id, detected_at)"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_domain_scans{sfx} (
                event_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, domain_id TEXT NOT NULL,
                scanned_at TEXT NOT NULL, fields TEXT NOT NULL, records TEXT NOT NULL, failed TEXT NOT NULL,
                duration_ms BIGINT NOT NULL, position BIGINT NOT NULL, outcome TEXT NOT NULL, error TEXT)"
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS rm_domain_scans_{tag}domain ON rm_domain_scans{sfx} (domain_id, position)"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS rm_folders{sfx} (
                folder_id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, name TEXT NOT NULL,
                status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
        ),
        format!("CREATE INDEX IF NOT EXISTS rm_folders_{tag}ws ON rm_folders{sfx} (workspace_id, created_at)"),
        // Counts of a workspace's active domains by dimension (total, gateway, dmarc, spf,
        // attention, and scan_hour: the hour of the last scan), kept as domains change, so the
        // portfolio summary reads a few rows however many domains there are.
        format!(
            "CREATE TABLE IF NOT EXISTS rm_domain_counts{sfx} (
                workspace_id TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, dim, value))"
        ),
    ]
}

/// What `dmarc_status` can be: the policy published, `missing` when there is no DMARC record,
/// `pending` while it is not known (never scanned, or its lookup never got an answer).
pub const DMARC_STATUSES: &[&str] = &["reject", "quarantine", "none", "missing", "pending"];
/// What `spf_status` can be; `pending` as for DMARC.
pub const SPF_STATUSES: &[&str] = &["valid", "over_limit", "invalid", "missing", "pending"];
/// How the last scan went: `ok`; `partial` (some lookups got no answer: their values are the
/// last good ones); `failed` (nothing answered, or the scan overran its deadline: every value
/// is the last good one); `nxdomain` (the domain does not exist); `pending` (never scanned).
pub const SCAN_STATUSES: &[&str] = &["ok", "partial", "failed", "nxdomain", "pending"];

/// `reject`, `quarantine` or `none` as published, `missing` without a DMARC record.
pub fn dmarc_status(policy: Option<&str>) -> &'static str {
    match policy {
        Some("reject") => "reject",
        Some("quarantine") => "quarantine",
        Some("none") => "none",
        _ => "missing",
    }
}

/// Applies one domain or folder event (called once per event, in stream order), keeping the
/// summary counts in step.
pub async fn write(
    conn: &mut AnyConnection,
    sfx: &str,
    e: &RecordedEvent,
) -> Result<(), sqlx::Error> {
    let counted = match &e.event {
        DomainEvent::DomainAdded(d) => Some(d.domain_id),
        DomainEvent::DomainRestored(d) => Some(d.domain_id),
        DomainEvent::DomainRemoved(d) => Some(d.domain_id),
        DomainEvent::DomainScanned(d) => Some(d.domain_id),
        _ => None,
    }
    .map(|id| id.to_string());
    let Some(id) = counted else {
        return write_rows(conn, sfx, e).await;
    };
    let before = dims(conn, sfx, &id).await?;
    write_rows(conn, sfx, e).await?;
    let after = dims(conn, sfx, &id).await?;
    count(conn, sfx, before, after).await
}

async fn write_rows(
    conn: &mut AnyConnection,
    sfx: &str,
    e: &RecordedEvent,
) -> Result<(), sqlx::Error> {
    let at = keel_schemas::format_ts(e.occurred_at);
    let v = e.stream_version;
    match &e.event {
        DomainEvent::DomainAdded(d) => {
            sqlx::query(&format!(
                "INSERT INTO rm_domains{sfx} (domain_id, workspace_id, name, unicode, tld, status, added_at, \
                 tags, notes, custom_label, is_favorite, scan_count, dmarc_status, spf_status, updated_at, version, \
                 scan_status) \
                 VALUES ($1, $2, $3, $4, $5, 'active', $6, '[]', '', '', 0, 0, 'pending', 'pending', $6, $7, 'pending')"
            ))
            .bind(d.domain_id.to_string())
            .bind(d.workspace_id.to_string())
            .bind(&d.name)
            .bind(d.unicode.as_deref())
            .bind(&d.tld)
            .bind(&at)
            .bind(v)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::DomainRestored(d) => {
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET status = 'active', removed_at = NULL, updated_at = $1, version = $2 \
                 WHERE domain_id = $3"
            ))
            .bind(&at)
            .bind(v)
            .bind(d.domain_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::DomainRemoved(d) => {
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET status = 'removed', removed_at = $1, updated_at = $1, version = $2 \
                 WHERE domain_id = $3"
            ))
            .bind(&at)
            .bind(v)
            .bind(d.domain_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::DomainUpdated(u) => {
            let folder = u.folder_id.as_ref().map(|f| (f.is_empty(), f.clone()));
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET tags = COALESCE($1, tags), notes = COALESCE($2, notes), \
                 custom_label = COALESCE($3, custom_label), \
                 folder_id = CASE WHEN $4 = 1 THEN NULL WHEN CAST($5 AS TEXT) IS NOT NULL THEN CAST($5 AS TEXT) ELSE folder_id END, \
                 is_favorite = COALESCE($6, is_favorite), updated_at = $7, version = $8 WHERE domain_id = $9"
            ))
            .bind(
                u.tags
                    .as_ref()
                    .map(|t| serde_json::to_string(t).unwrap_or_else(|_| "[]".into())),
            )
            .bind(u.notes.as_deref())
            .bind(u.custom_label.as_deref())
            .bind(i32::from(folder.as_ref().is_some_and(|f| f.0)))
            .bind(folder.filter(|f| !f.0).map(|f| f.1))
            .bind(u.is_favorite.map(i32::from))
            .bind(&at)
            .bind(v)
            .bind(u.domain_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::DomainScanned(s) => {
            let field = |k: &str| s.fields.get(k).cloned();
            let failed = |k: &str| s.failed.iter().any(|f| f == k);
            let latest = serde_json::json!({
                "scanned_at": at, "outcome": s.outcome, "error": s.error, "fields": s.fields,
                "records": s.records, "failed": s.failed, "duration_ms": s.duration_ms,
            });
            match s.outcome {
                // A failed lookup leaves the summary column it feeds as it was.
                ScanOutcome::Answered => {
                    let partial = !s.failed.is_empty();
                    sqlx::query(&format!(
                        "UPDATE rm_domains{sfx} SET scan_count = scan_count + 1, first_seen = COALESCE(first_seen, $1), \
                         last_scanned = $1, scan_attempted_at = $1, status = 'active', \
                         email_gateway = CASE WHEN $2 = 1 THEN email_gateway ELSE CAST($3 AS TEXT) END, \
                         dmarc_policy = CASE WHEN $4 = 1 THEN dmarc_policy ELSE CAST($5 AS TEXT) END, \
                         dmarc_status = CASE WHEN $4 = 1 THEN dmarc_status ELSE CAST($6 AS TEXT) END, \
                         spf_status = CASE WHEN $7 = 1 THEN spf_status ELSE CAST($8 AS TEXT) END, \
                         scan_status = $12, scan_error = $13, \
                         last_error_at = CASE WHEN $14 = 1 THEN $1 ELSE last_error_at END, \
                         latest_scan = $9, updated_at = $1, version = $10 WHERE domain_id = $11"
                    ))
                    .bind(&at)
                    .bind(i32::from(failed("email_gateway")))
                    .bind(field("email_gateway"))
                    .bind(i32::from(failed("dmarc_policy")))
                    .bind(field("dmarc_policy"))
                    .bind(dmarc_status(s.fields.get("dmarc_policy").map(String::as_str)))
                    .bind(i32::from(failed("spf_status")))
                    .bind(field("spf_status").unwrap_or_else(|| "missing".into()))
                    .bind(latest.to_string())
                    .bind(v)
                    .bind(s.domain_id.to_string())
                    .bind(if partial { "partial" } else { "ok" })
                    .bind(s.error.as_deref())
                    .bind(i32::from(partial))
                    .execute(&mut *conn)
                    .await?;
                }
                // The domain does not exist: it is inactive, and its last values stand (its
                // change history says when it went).
                ScanOutcome::Nxdomain => {
                    sqlx::query(&format!(
                        "UPDATE rm_domains{sfx} SET scan_count = scan_count + 1, first_seen = COALESCE(first_seen, $1), \
                         last_scanned = $1, scan_attempted_at = $1, status = 'inactive', scan_status = 'nxdomain', \
                         scan_error = $2, latest_scan = $3, updated_at = $1, version = $4 WHERE domain_id = $5"
                    ))
                    .bind(&at)
                    .bind(s.error.as_deref())
                    .bind(latest.to_string())
                    .bind(v)
                    .bind(s.domain_id.to_string())
                    .execute(&mut *conn)
                    .await?;
                }
                // Nothing was learned: only the failure is recorded; the last good scan stays
                // the latest.
                ScanOutcome::Failed => {
                    sqlx::query(&format!(
                        "UPDATE rm_domains{sfx} SET scan_attempted_at = $1, scan_status = 'failed', scan_error = $2, \
                         last_error_at = $1, updated_at = $1, version = $3 WHERE domain_id = $4"
                    ))
                    .bind(&at)
                    .bind(s.error.as_deref())
                    .bind(v)
                    .bind(s.domain_id.to_string())
                    .execute(&mut *conn)
                    .await?;
                }
            }
            sqlx::query(&format!(
                "INSERT INTO rm_domain_scans{sfx} (event_id, workspace_id, domain_id, scanned_at, fields, records, \
                 failed, duration_ms, position, outcome, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(e.event_id.to_string())
            .bind(s.workspace_id.to_string())
            .bind(s.domain_id.to_string())
            .bind(&at)
            .bind(serde_json::to_string(&s.fields).unwrap_or_else(|_| "{}".into()))
            .bind(s.records.to_string())
            .bind(serde_json::to_string(&s.failed).unwrap_or_else(|_| "[]".into()))
            .bind(s.duration_ms)
            .bind(e.position)
            .bind(outcome_name(s.outcome))
            .bind(s.error.as_deref())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::DnsRecordChanged(c) => {
            sqlx::query(&format!(
                "INSERT INTO rm_domain_changes{sfx} (event_id, workspace_id, domain_id, field_name, old_value, \
                 new_value, detected_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            ))
            .bind(e.event_id.to_string())
            .bind(c.workspace_id.to_string())
            .bind(c.domain_id.to_string())
            .bind(&c.field_name)
            .bind(c.old_value.as_deref())
            .bind(c.new_value.as_deref())
            .bind(&at)
            .bind(e.position)
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET version = $1 WHERE domain_id = $2"
            ))
            .bind(v)
            .bind(c.domain_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::WhoisFetched(w) => {
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET whois = $1, whois_at = $2, version = $3 WHERE domain_id = $4"
            ))
            .bind(w.whois.to_string())
            .bind(&at)
            .bind(v)
            .bind(w.domain_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::FolderCreated(f) => {
            sqlx::query(&format!(
                "INSERT INTO rm_folders{sfx} (folder_id, workspace_id, name, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'active', $4, $4)"
            ))
            .bind(f.folder_id.to_string())
            .bind(f.workspace_id.to_string())
            .bind(&f.name)
            .bind(&at)
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::FolderRenamed(f) => {
            sqlx::query(&format!(
                "UPDATE rm_folders{sfx} SET name = $1, updated_at = $2 WHERE folder_id = $3"
            ))
            .bind(&f.name)
            .bind(&at)
            .bind(f.folder_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        DomainEvent::FolderDeleted(f) => {
            sqlx::query(&format!(
                "UPDATE rm_folders{sfx} SET status = 'deleted', updated_at = $1 WHERE folder_id = $2"
            ))
            .bind(&at)
            .bind(f.folder_id.to_string())
            .execute(&mut *conn)
            .await?;
            // Its domains are unfiled.
            sqlx::query(&format!(
                "UPDATE rm_domains{sfx} SET folder_id = NULL WHERE folder_id = $1"
            ))
            .bind(f.folder_id.to_string())
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Sort keys of the domain list.
pub const DOMAIN_SORTS: &[&str] = &["added_at", "name", "last_scanned", "scan_count", "tld"];
/// `active`; `inactive` while its last scan found it does not exist (NXDOMAIN; it is still
/// watched and scanned); `removed`. Lists show active and inactive domains unless asked.
pub const DOMAIN_STATUSES: &[&str] = &["active", "inactive", "removed"];

/// Filters of `GET /api/v1/domains` beyond the common list ones.
#[derive(Debug, Clone, Default)]
pub struct DomainFilter {
    pub email_gateway: Option<String>,
    pub dmarc_status: Option<String>,
    pub spf_status: Option<String>,
    pub scan_status: Option<String>,
    pub folder_id: Option<String>,
    pub tag: Option<String>,
    pub is_favorite: Option<bool>,
}

const DOMAIN_COLUMNS: &str = "d.domain_id, d.workspace_id, d.name, d.unicode, d.tld, d.status, d.added_at, \
    d.removed_at, d.tags, d.notes, d.custom_label, f.folder_id, f.name, d.is_favorite, d.scan_count, \
    d.first_seen, d.last_scanned, d.email_gateway, d.dmarc_status, d.dmarc_policy, d.spf_status, \
    d.latest_scan, d.whois, d.whois_at, d.updated_at, d.version, d.scan_status, d.scan_error, \
    d.last_error_at";

/// Folders that were deleted do not count: a domain filed in one is unfiled.
const DOMAIN_FROM: &str =
    "rm_domains d LEFT JOIN rm_folders f ON f.folder_id = d.folder_id AND f.status = 'active'";

fn json_col(raw: Option<String>) -> serde_json::Value {
    raw.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The folder a domain is in.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FolderRef {
    pub id: String,
    pub name: Option<String>,
}

/// What the latest scan found, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScanSummary {
    /// The email provider the MX records point at (`google`, `microsoft`, …), if any.
    pub email_gateway: Option<String>,
    /// reject, quarantine, none, missing (no DMARC record), or pending (not known yet: never
    /// scanned, or its lookup never got an answer)
    pub dmarc_status: String,
    pub dmarc_policy: Option<String>,
    /// valid, over_limit, invalid, missing, or pending (not known yet)
    pub spf_status: String,
    /// How the last scan went: ok; partial (some lookups got no answer, their values are the
    /// last good ones); failed (nothing answered, or the scan overran its deadline: every value
    /// is the last good one); nxdomain (the domain does not exist); pending (never scanned).
    pub scan_status: String,
    /// Why the last scan failed or was partial, or that the domain does not exist.
    pub scan_error: Option<String>,
    /// When a scan last failed, wholly or partly.
    pub last_error_at: Option<String>,
    /// DNS lookups the SPF record needs.
    pub spf_lookups: Option<serde_json::Value>,
    /// MX hosts by preference.
    pub mx: Option<serde_json::Value>,
    pub scanned_at: Option<serde_json::Value>,
}

/// A watched domain as the API shows it. The list leaves out `notes`, `latest_scan`, `whois` and
/// `whois_fetched_at`; one domain's answer has them (and its last changes).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DomainView {
    pub id: String,
    pub workspace_id: String,
    /// ASCII (punycode) form.
    pub domain: String,
    /// Unicode form of an internationalised name.
    pub unicode: Option<String>,
    pub tld: String,
    /// active; inactive (its last scan found it does not exist, NXDOMAIN: still watched and
    /// scanned); removed
    pub status: String,
    pub added_at: String,
    pub removed_at: Option<String>,
    /// Strings.
    pub tags: serde_json::Value,
    pub custom_label: String,
    pub folder: Option<FolderRef>,
    pub is_favorite: bool,
    pub scan_count: i64,
    pub first_seen: Option<String>,
    pub last_scanned: Option<String>,
    pub scan_summary: ScanSummary,
    pub updated_at: String,
    pub version: i64,
    /// DNSai's name: the detected email gateway (as `scan_summary.email_gateway`).
    pub email_gateway: Option<String>,
    /// DNSai's name: the DMARC policy (`p=`): reject, quarantine, none, or null.
    pub dmarc_policy_p: Option<String>,
    /// DNSai's name: the SPF record's text, or null.
    pub spf: Option<String>,
    /// DNSai's name: when the domain was last scanned (as `last_scanned`).
    pub scanned_at: Option<String>,
    /// DNSai's name: the folder's id (as `folder.id`).
    pub folder_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub notes: Option<String>,
    /// The whole latest scan: fields, records and failed lookups.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub latest_scan: Option<serde_json::Value>,
    /// Registration data (RDAP), `null` until fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub whois: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub whois_fetched_at: Option<Option<String>>,
}

fn domain_row(r: &sqlx::any::AnyRow, full: bool) -> Result<DomainView, sqlx::Error> {
    use sqlx::Row;
    let latest = json_col(r.try_get(21)?);
    let fields = latest.get("fields").cloned().unwrap_or_default();
    let folder = r.try_get::<Option<String>, _>(11)?.map(|id| FolderRef {
        id,
        name: r.try_get::<Option<String>, _>(12).ok().flatten(),
    });
    let email_gateway: Option<String> = r.try_get(17)?;
    let dmarc_policy: Option<String> = r.try_get(19)?;
    let last_scanned: Option<String> = r.try_get(16)?;
    let folder_id = folder.as_ref().map(|f| f.id.clone());
    Ok(DomainView {
        email_gateway: email_gateway.clone(),
        dmarc_policy_p: dmarc_policy.clone(),
        spf: fields
            .get("spf_record")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        scanned_at: last_scanned.clone(),
        folder_id,
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        domain: r.try_get(2)?,
        unicode: r.try_get(3)?,
        tld: r.try_get(4)?,
        status: r.try_get(5)?,
        added_at: r.try_get(6)?,
        removed_at: r.try_get(7)?,
        tags: json_col(r.try_get(8)?),
        custom_label: r.try_get(10)?,
        folder,
        is_favorite: r
            .try_get::<i32, _>(13)
            .map(|f| f != 0)
            .or_else(|_| r.try_get::<i64, _>(13).map(|f| f != 0))?,
        scan_count: r.try_get(14)?,
        first_seen: r.try_get(15)?,
        last_scanned,
        scan_summary: ScanSummary {
            email_gateway,
            dmarc_status: r.try_get(18)?,
            dmarc_policy,
            spf_status: r.try_get(20)?,
            scan_status: r.try_get(26)?,
            scan_error: r.try_get(27)?,
            last_error_at: r.try_get(28)?,
            spf_lookups: fields.get("spf_lookups").cloned(),
            mx: fields.get("mx").cloned(),
            scanned_at: latest.get("scanned_at").cloned(),
        },
        updated_at: r.try_get(24)?,
        version: r.try_get(25)?,
        notes: if full { Some(r.try_get(9)?) } else { None },
        whois: if full {
            Some(json_col(r.try_get(22)?))
        } else {
            None
        },
        whois_fetched_at: if full { Some(r.try_get(23)?) } else { None },
        latest_scan: full.then_some(latest),
    })
}

/// One detected change of a scanned field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub id: String,
    /// The domain's name (DNSai's field).
    pub domain_name: String,
    /// e.g. `mx`, `dmarc_policy`, `spf`
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detected_at: String,
}

/// One scan of a domain.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScanView {
    pub id: String,
    pub scanned_at: String,
    /// What the scan derived (mx, email gateway, DMARC, SPF, …).
    pub fields: serde_json::Value,
    /// The DNS records read.
    pub records: serde_json::Value,
    /// Lookups that failed.
    pub failed: serde_json::Value,
    pub duration_ms: i64,
    /// answered (the nameservers answered; `failed` lists lookups that did not), nxdomain (the
    /// domain does not exist), or failed (nothing was learned: `error` says why)
    pub outcome: String,
    /// Why lookups failed, or that the domain does not exist.
    pub error: Option<String>,
}

/// The latest scan of a domain flat, with DNSai's field names (its `scan-results`), and Keel's
/// `outcome`, `error` and `failed` beside them. Server locations and ASNs are null unless
/// MaxMind-format databases are configured; PTR is null until the scanner reads it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, utoipa::ToSchema)]
pub struct FlatScan {
    /// The scan's id.
    pub id: String,
    pub scanned_at: String,
    /// MX hosts by preference, e.g. `10 mx1.example.com, 20 mx2.example.com`.
    pub mx: Option<String>,
    /// The SPF record (`v=spf1 …`).
    pub spf: Option<String>,
    /// The DMARC record (`v=DMARC1; p=…`).
    pub dmarc: Option<String>,
    /// reject, quarantine or none.
    pub dmarc_policy_p: Option<String>,
    pub dmarc_rua: Option<String>,
    pub dmarc_ruf: Option<String>,
    /// TXT records, ` | ` between them.
    pub txt: Option<String>,
    pub a_records: Option<String>,
    pub aaaa_records: Option<String>,
    pub ns: Option<String>,
    pub soa: Option<String>,
    pub bimi: Option<String>,
    pub srv: Option<String>,
    pub ptr: Option<String>,
    pub email_gateway: Option<String>,
    /// Services the TXT records verify the domain with (e.g. `Google Search Console, Stripe`).
    pub tech_in_dns: Option<String>,
    /// Addresses of the most preferred MX host.
    pub mx_server_ipv4: Option<String>,
    pub mx_server_ipv6: Option<String>,
    pub mx_server_country: Option<String>,
    pub mx_server_region: Option<String>,
    pub mx_server_city: Option<String>,
    pub mx_server_lat: Option<f64>,
    pub mx_server_lon: Option<f64>,
    pub mx_server_asn: Option<String>,
    pub mx_server_asn_name: Option<String>,
    pub a_server_country: Option<String>,
    pub a_server_region: Option<String>,
    pub a_server_city: Option<String>,
    pub a_server_lat: Option<f64>,
    pub a_server_lon: Option<f64>,
    pub a_server_asn: Option<String>,
    pub a_server_asn_name: Option<String>,
    /// Where DKIM keys were found, e.g. `google._domainkey.example.com`.
    pub dkim_hosts: Option<String>,
    pub dkim_selectors: Option<String>,
    pub dkim_vendors: Option<String>,
    /// The first DKIM key record found.
    pub dkim: Option<String>,
    /// DNS-querying terms in the top-level SPF record.
    pub spf_main_lookups: Option<i64>,
    /// DNS-querying terms in the records it includes.
    pub spf_nested_lookups: Option<i64>,
    /// All of them (RFC 7208 allows 10).
    pub spf_total_lookups: Option<i64>,
    pub spf_email_senders: Option<String>,
    /// `ok` (10 lookups or fewer) or `exceeded`.
    pub spf_limit: Option<String>,
    pub previous_mx: Option<String>,
    pub mx_changed_date: Option<String>,
    pub previous_email_gateway: Option<String>,
    pub gateway_changed_date: Option<String>,
    pub previous_dmarc_p: Option<String>,
    pub dmarc_p_changed_date: Option<String>,
    /// answered, nxdomain or failed (Keel).
    pub outcome: String,
    /// Why lookups failed, or that the domain does not exist (Keel).
    pub error: Option<String>,
    /// Fields whose lookups failed (Keel).
    pub failed: serde_json::Value,
}

/// TXT prefixes by which services verify a domain (matched case-insensitively).
pub const TXT_VERIFICATIONS: &[(&str, &str)] = &[
    ("google-site-verification=", "Google Search Console"),
    ("ms=", "Microsoft 365"),
    ("facebook-domain-verification=", "Facebook"),
    ("apple-domain-verification=", "Apple"),
    ("atlassian-domain-verification=", "Atlassian"),
    ("docusign=", "DocuSign"),
    ("adobe-idp-site-verification=", "Adobe"),
    ("stripe-verification=", "Stripe"),
    ("zoom_verify_", "Zoom"),
    ("hubspot-developer-verification=", "HubSpot"),
    ("globalsign-domain-verification=", "GlobalSign"),
    ("openai-domain-verification=", "OpenAI"),
    ("slack-domain-verification=", "Slack"),
    ("dropbox-domain-verification=", "Dropbox"),
    ("miro-verification=", "Miro"),
    ("citrix-verification-code=", "Citrix"),
    ("yandex-verification:", "Yandex"),
    ("amazonses:", "Amazon SES"),
    ("canva-site-verification=", "Canva"),
    ("webexdomainverification", "Webex"),
    ("cisco-ci-domain-verification=", "Cisco"),
    ("onetrust-domain-verification=", "OneTrust"),
    ("klaviyo-site-verification=", "Klaviyo"),
    ("mailchimp-verification=", "Mailchimp"),
    ("zapier-domain-verification-challenge=", "Zapier"),
    ("have-i-been-pwned-verification=", "Have I Been Pwned"),
];

/// The services a domain's TXT records verify it with, in the table's order.
pub fn tech_in_txt(txt: &[String]) -> Vec<&'static str> {
    TXT_VERIFICATIONS
        .iter()
        .filter(|(prefix, _)| {
            txt.iter()
                .any(|t| t.trim().to_ascii_lowercase().starts_with(prefix))
        })
        .map(|(_, name)| *name)
        .collect()
}

/// DNS-querying terms of one SPF record (include, a, mx, ptr, exists, redirect).
pub fn spf_terms(record: &str) -> i64 {
    record
        .split_whitespace()
        .skip(1)
        .map(|t| {
            t.trim_start_matches(['+', '-', '~', '?'])
                .to_ascii_lowercase()
        })
        .filter(|t| {
            t.starts_with("include:")
                || t.starts_with("exists:")
                || t.starts_with("redirect=")
                || ["a", "mx", "ptr"].contains(&t.as_str())
                || t.starts_with("a:")
                || t.starts_with("a/")
                || t.starts_with("mx:")
                || t.starts_with("mx/")
                || t.starts_with("ptr:")
        })
        .count() as i64
}

impl FlatScan {
    /// `scan` flat, for `domain`, with the last change of the MX, gateway and DMARC policy.
    pub fn of(
        domain: &str,
        scan: &ScanView,
        mx: Option<&LastChange>,
        gateway: Option<&LastChange>,
        dmarc: Option<&LastChange>,
    ) -> FlatScan {
        let f = |k: &str| {
            scan.fields
                .get(k)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let records = &scan.records;
        let primary = records["mx"].as_array().and_then(|m| m.first());
        let first_ip = |family: &str| {
            primary
                .and_then(|m| m[family].as_array())
                .and_then(|a| a.first())
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let txt: Vec<String> = records["txt"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let tech = tech_in_txt(&txt);
        let spf = f("spf_record");
        let total = f("spf_lookups").and_then(|v| v.parse::<i64>().ok());
        let main = spf.as_deref().map(spf_terms);
        let selectors = f("dkim_selectors");
        FlatScan {
            id: scan.id.clone(),
            scanned_at: scan.scanned_at.clone(),
            mx: f("mx"),
            dmarc: f("dmarc_record"),
            dmarc_policy_p: f("dmarc_policy"),
            dmarc_rua: f("dmarc_rua"),
            dmarc_ruf: f("dmarc_ruf"),
            txt: f("txt"),
            a_records: f("a"),
            aaaa_records: f("aaaa"),
            ns: f("ns"),
            soa: f("soa"),
            bimi: f("bimi"),
            srv: f("srv"),
            ptr: records["ptr"]
                .as_array()
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.iter()
                        .map(|e| {
                            let names: Vec<&str> = e["names"]
                                .as_array()
                                .map(|n| n.iter().filter_map(|x| x.as_str()).collect())
                                .unwrap_or_default();
                            format!(
                                "{}={}",
                                e["ip"].as_str().unwrap_or_default(),
                                names.join(" ")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            email_gateway: f("email_gateway"),
            tech_in_dns: (!tech.is_empty()).then(|| tech.join(", ")),
            mx_server_ipv4: first_ip("ipv4"),
            mx_server_ipv6: first_ip("ipv6"),
            dkim_hosts: selectors.as_ref().map(|s| {
                s.split(", ")
                    .map(|sel| format!("{sel}._domainkey.{domain}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            dkim_selectors: selectors,
            dkim_vendors: f("dkim_vendors"),
            dkim: records["dkim"]
                .as_array()
                .and_then(|k| k.first())
                .and_then(|k| k["record"].as_str())
                .map(str::to_string),
            spf_main_lookups: main,
            spf_nested_lookups: match (total, main) {
                (Some(t), Some(m)) => Some((t - m).max(0)),
                _ => None,
            },
            spf_total_lookups: total,
            spf_email_senders: f("spf_senders"),
            spf_limit: total.map(|t| if t > 10 { "exceeded" } else { "ok" }.to_string()),
            spf,
            previous_mx: mx.and_then(|c| c.previous.clone()),
            mx_changed_date: mx.map(|c| c.changed_at.clone()),
            previous_email_gateway: gateway.and_then(|c| c.previous.clone()),
            gateway_changed_date: gateway.map(|c| c.changed_at.clone()),
            previous_dmarc_p: dmarc.and_then(|c| c.previous.clone()),
            dmarc_p_changed_date: dmarc.map(|c| c.changed_at.clone()),
            outcome: scan.outcome.clone(),
            error: scan.error.clone(),
            failed: scan.failed.clone(),
            ..FlatScan::default()
        }
        .placed(&records["geo"])
    }

    /// The MX and web servers' places, as the scan recorded them (MaxMind databases).
    fn placed(mut self, geo: &serde_json::Value) -> FlatScan {
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        let mx = &geo["mx"];
        self.mx_server_country = text(&mx["country"]);
        self.mx_server_region = text(&mx["region"]);
        self.mx_server_city = text(&mx["city"]);
        self.mx_server_lat = mx["lat"].as_f64();
        self.mx_server_lon = mx["lon"].as_f64();
        self.mx_server_asn = text(&mx["asn"]);
        self.mx_server_asn_name = text(&mx["asn_name"]);
        let a = &geo["a"];
        self.a_server_country = text(&a["country"]);
        self.a_server_region = text(&a["region"]);
        self.a_server_city = text(&a["city"]);
        self.a_server_lat = a["lat"].as_f64();
        self.a_server_lon = a["lon"].as_f64();
        self.a_server_asn = text(&a["asn"]);
        self.a_server_asn_name = text(&a["asn_name"]);
        self
    }
}

/// The last change of one field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LastChange {
    pub previous: Option<String>,
    pub current: Option<String>,
    pub changed_at: String,
}

/// A folder with how many active domains it holds.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FolderView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
    pub domain_count: i64,
}

/// A page of a workspace's domains and the exact total.
pub async fn list_domains(
    db: &crate::Db,
    ws: &str,
    f: &crate::query::ListFilter,
    d: &DomainFilter,
) -> Result<crate::query::Listed<DomainView>, sqlx::Error> {
    use crate::query::{bind_all, Bind, Order};
    use sqlx::Row;
    let mut wheres = vec!["d.workspace_id = $1".to_string()];
    let mut binds: Vec<Bind> = vec![ws.to_string().into()];
    let mut push = |clause: &str, value: String, binds: &mut Vec<Bind>| {
        binds.push(value.into());
        wheres.push(clause.replace('?', &format!("${}", binds.len())));
    };
    match &f.status {
        Some(status) => push("d.status = ?", status.clone(), &mut binds),
        None => push("d.status <> ?", "removed".into(), &mut binds),
    }
    if let Some(s) = &f.search {
        let esc = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        push(
            "(d.name LIKE ? ESCAPE '\\' OR LOWER(COALESCE(d.unicode, '')) LIKE ? ESCAPE '\\' OR LOWER(d.custom_label) LIKE ? ESCAPE '\\')",
            format!("%{esc}%"),
            &mut binds,
        );
    }
    for (column, op, value) in [
        ("d.added_at", ">", &f.created_after),
        ("d.added_at", "<", &f.created_before),
        ("d.updated_at", ">", &f.updated_after),
        ("d.updated_at", "<", &f.updated_before),
    ] {
        if let Some(v) = value {
            push(&format!("{column} {op} ?"), v.clone(), &mut binds);
        }
    }
    if let Some(g) = &d.email_gateway {
        push(
            "LOWER(COALESCE(d.email_gateway, 'none')) = ?",
            g.to_lowercase(),
            &mut binds,
        );
    }
    if let Some(s) = &d.dmarc_status {
        push("d.dmarc_status = ?", s.clone(), &mut binds);
    }
    if let Some(s) = &d.spf_status {
        push("d.spf_status = ?", s.clone(), &mut binds);
    }
    if let Some(s) = &d.scan_status {
        push("d.scan_status = ?", s.clone(), &mut binds);
    }
    if let Some(folder) = &d.folder_id {
        push("f.folder_id = ?", folder.clone(), &mut binds);
    }
    if let Some(t) = &d.tag {
        // Tags are stored as a JSON array of strings.
        push(
            "d.tags LIKE ? ESCAPE '\\'",
            format!(
                "%{}%",
                serde_json::Value::String(t.clone())
                    .to_string()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ),
            &mut binds,
        );
    }
    if let Some(fav) = d.is_favorite {
        wheres.push(format!("d.is_favorite = {}", i32::from(fav)));
    }
    let count_sql = format!(
        "SELECT COUNT(*) FROM {DOMAIN_FROM} WHERE {}",
        wheres.join(" AND ")
    );
    let total: i64 = bind_all(sqlx::query(&count_sql), &binds)
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    let order = Order::new(
        &f.sort,
        ("added_at", true),
        &|c| format!("d.{c}"),
        &["scan_count"],
        "d.domain_id",
    );
    let mut page = order
        .page(db, f, &wheres, &binds, |where_sql, order_by, paging| {
            format!(
                "SELECT {DOMAIN_COLUMNS}, {} FROM {DOMAIN_FROM} WHERE {where_sql} ORDER BY {order_by} {paging}",
                order.select()
            )
        })
        .await?;
    page.total = total;
    page.try_map(|r| domain_row(r, false))
}

/// One domain of a workspace (removed ones too: their history stays readable).
pub async fn get_domain(
    db: &crate::Db,
    ws: &str,
    id: &str,
) -> Result<Option<DomainView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {DOMAIN_COLUMNS} FROM {DOMAIN_FROM} WHERE d.workspace_id = $1 AND d.domain_id = $2"
    ))
    .bind(ws)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(|r| domain_row(r, true)).transpose()
}

/// A page of a domain's changes, newest first, and the total.
pub async fn changes(
    db: &crate::Db,
    ws: &str,
    domain: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ChangeView>, i64), sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query(&format!(
        "SELECT c.event_id, c.field_name, c.old_value, c.new_value, c.detected_at, d.name FROM rm_domain_changes c \
         LEFT JOIN rm_domains d ON d.domain_id = c.domain_id \
         WHERE c.workspace_id = $1 AND c.domain_id = $2 ORDER BY c.position DESC, c.event_id LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(ws)
    .bind(domain)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rm_domain_changes WHERE workspace_id = $1 AND domain_id = $2",
    )
    .bind(ws)
    .bind(domain)
    .fetch_one(&db.pool)
    .await?;
    let out = rows
        .iter()
        .map(|r| {
            Ok(ChangeView {
                id: r.try_get(0)?,
                domain_name: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
                field_name: r.try_get(1)?,
                old_value: r.try_get(2)?,
                new_value: r.try_get(3)?,
                detected_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((out, total))
}

/// A page of a domain's scans, newest first, and the total.
pub async fn scans(
    db: &crate::Db,
    ws: &str,
    domain: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ScanView>, i64), sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query(&format!(
        "SELECT event_id, scanned_at, fields, records, failed, duration_ms, outcome, error FROM rm_domain_scans \
         WHERE workspace_id = $1 AND domain_id = $2 ORDER BY position DESC, event_id LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    ))
    .bind(ws)
    .bind(domain)
    .fetch_all(&db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rm_domain_scans WHERE workspace_id = $1 AND domain_id = $2",
    )
    .bind(ws)
    .bind(domain)
    .fetch_one(&db.pool)
    .await?;
    let out = rows
        .iter()
        .map(|r| {
            Ok(ScanView {
                id: r.try_get(0)?,
                scanned_at: r.try_get(1)?,
                fields: json_col(r.try_get(2)?),
                records: json_col(r.try_get(3)?),
                failed: json_col(r.try_get(4)?),
                duration_ms: r.try_get(5)?,
                outcome: r.try_get(6)?,
                error: r.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((out, total))
}

/// The previous value of a scan field and when it last changed, from the change history.
pub async fn last_change(
    db: &crate::Db,
    ws: &str,
    domain: &str,
    field: &str,
) -> Result<Option<LastChange>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT old_value, new_value, detected_at FROM rm_domain_changes \
         WHERE workspace_id = $1 AND domain_id = $2 AND field_name = $3 ORDER BY position DESC LIMIT 1",
    )
    .bind(ws)
    .bind(domain)
    .bind(field)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(LastChange {
            previous: r.try_get(0)?,
            current: r.try_get(1)?,
            changed_at: r.try_get(2)?,
        })
    })
    .transpose()
}

/// A workspace's live folders with how many active domains each holds.
pub async fn folders(db: &crate::Db, ws: &str) -> Result<Vec<FolderView>, sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT f.folder_id, f.name, f.created_at, f.updated_at, \
         (SELECT COUNT(*) FROM rm_domains d WHERE d.folder_id = f.folder_id AND d.status <> 'removed') \
         FROM rm_folders f WHERE f.workspace_id = $1 AND f.status = 'active' ORDER BY f.name, f.folder_id",
    )
    .bind(ws)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FolderView {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                created_at: r.try_get(2)?,
                updated_at: r.try_get(3)?,
                domain_count: r.try_get(4)?,
            })
        })
        .collect()
}

/// What a domain counts towards in the summary (nothing unless active).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dims {
    workspace_id: String,
    /// Watched: active or inactive.
    watched: bool,
    /// Exists (its last answered scan found it): its values count in the distributions.
    active: bool,
    /// Answered at least once: its gateway is known.
    scanned: bool,
    gateway: String,
    dmarc: String,
    spf: String,
    scan: String,
    scan_hour: Option<String>,
}

impl Dims {
    fn attention(&self) -> &'static str {
        if matches!(self.dmarc.as_str(), "missing" | "none")
            || matches!(self.spf.as_str(), "missing" | "over_limit" | "invalid")
        {
            "yes"
        } else {
            "no"
        }
    }

    fn counted(&self) -> Vec<(&'static str, String)> {
        if !self.watched {
            return vec![];
        }
        let mut v = vec![("total", "all".to_string()), ("scan", self.scan.clone())];
        if self.active {
            v.push(("dmarc", self.dmarc.clone()));
            v.push(("spf", self.spf.clone()));
            v.push(("attention", self.attention().to_string()));
            if self.scanned {
                v.push(("gateway", self.gateway.clone()));
            }
        }
        if let Some(h) = &self.scan_hour {
            v.push(("scan_hour", h.clone()));
        }
        v
    }
}

/// The hour of an RFC 3339 time as fixed-width text (so text order is time order).
pub fn hour_key(ts: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| format!("{:010}", t.timestamp().div_euclid(3600)))
}

async fn dims(conn: &mut AnyConnection, sfx: &str, id: &str) -> Result<Option<Dims>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query(&format!(
        "SELECT workspace_id, status, email_gateway, dmarc_status, spf_status, last_scanned, scan_status, \
         scan_count FROM rm_domains{sfx} WHERE domain_id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Dims {
        workspace_id: r.get(0),
        watched: r.get::<String, _>(1) != "removed",
        active: r.get::<String, _>(1) == "active",
        scanned: r.get::<i64, _>(7) > 0,
        scan: r.get(6),
        gateway: r
            .get::<Option<String>, _>(2)
            .unwrap_or_else(|| "None".into()),
        dmarc: r.get(3),
        spf: r.get(4),
        scan_hour: r.get::<Option<String>, _>(5).as_deref().and_then(hour_key),
    }))
}

async fn count(
    conn: &mut AnyConnection,
    sfx: &str,
    before: Option<Dims>,
    after: Option<Dims>,
) -> Result<(), sqlx::Error> {
    let mut delta: std::collections::BTreeMap<(String, &'static str, String), i64> =
        Default::default();
    for (d, sign) in [(before, -1), (after, 1)] {
        if let Some(d) = d {
            for (dim, value) in d.counted() {
                *delta
                    .entry((d.workspace_id.clone(), dim, value))
                    .or_default() += sign;
            }
        }
    }
    for ((ws, dim, value), n) in delta.into_iter().filter(|(_, n)| *n != 0) {
        sqlx::query(&format!(
            "INSERT INTO rm_domain_counts{sfx} (workspace_id, dim, value, n) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, dim, value) DO UPDATE SET n = rm_domain_counts{sfx}.n + excluded.n"
        ))
        .bind(&ws)
        .bind(dim)
        .bind(&value)
        .bind(n)
        .execute(&mut *conn)
        .await?;
        if n < 0 {
            sqlx::query(&format!(
                "DELETE FROM rm_domain_counts{sfx} WHERE workspace_id = $1 AND dim = $2 AND value = $3 AND n = 0"
            ))
            .bind(&ws)
            .bind(dim)
            .bind(&value)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

fn pct(n: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (n as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

/// The portfolio summary of a workspace, from the counts (a few dozen rows at any size) and the
/// newest changes of the past week.
/// A workspace's domains at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Watched domains: active and inactive.
    pub total_domains: i64,
    /// How their last scans went: ok, partial, failed, nxdomain (inactive) and pending (never
    /// scanned), as shares of all watched domains.
    pub scan_status: Vec<StatusShare>,
    /// Of the active domains scanned at least once, most used first; percentages of those.
    pub email_gateways: Vec<GatewayShare>,
    /// reject, quarantine, none, missing: of the active domains whose DMARC is known (not
    /// pending), as shares of those.
    pub dmarc: Vec<StatusShare>,
    /// valid, over_limit, invalid, missing: of the active domains whose SPF is known.
    pub spf: Vec<StatusShare>,
    pub scan_freshness: Freshness,
    /// The last 20 changes of the past 7 days, newest first.
    pub recent_changes: Vec<RecentChange>,
    /// Domains with DMARC missing or `none`, or SPF missing, over the lookup limit or invalid.
    pub needs_attention_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GatewayShare {
    pub name: String,
    pub count: i64,
    pub percentage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusShare {
    pub status: String,
    pub count: i64,
    pub percentage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Freshness {
    pub last_24h: i64,
    pub last_24h_percentage: f64,
    pub last_7d: i64,
    pub last_7d_percentage: f64,
    pub never_scanned: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecentChange {
    pub id: String,
    pub domain_id: String,
    pub domain: String,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detected_at: String,
}

pub async fn summary(
    db: &crate::Db,
    ws: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Summary, sqlx::Error> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT dim, value, n FROM rm_domain_counts WHERE workspace_id = $1")
        .bind(ws)
        .fetch_all(&db.pool)
        .await?;
    let hour_now = now.timestamp().div_euclid(3600);
    let (mut day, mut week, mut scanned) = (0i64, 0i64, 0i64);
    let mut by: std::collections::BTreeMap<String, Vec<(String, i64)>> = Default::default();
    for r in &rows {
        let (dim, value, n): (String, String, i64) = (r.get(0), r.get(1), r.get(2));
        if dim == "scan_hour" {
            let h: i64 = value.parse().unwrap_or(0);
            scanned += n;
            if h > hour_now - 24 {
                day += n;
            }
            if h > hour_now - 24 * 7 {
                week += n;
            }
        } else {
            by.entry(dim).or_default().push((value, n));
        }
    }
    let get = |dim: &str, value: &str| {
        by.get(dim)
            .and_then(|v| v.iter().find(|(k, _)| k == value))
            .map_or(0, |(_, n)| *n)
    };
    let total = get("total", "all");
    let mut gateways: Vec<(String, i64)> = by.get("gateway").cloned().unwrap_or_default();
    gateways.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let week_ago = keel_schemas::format_ts(now - chrono::Duration::days(7));
    let changes = sqlx::query(
        "SELECT c.event_id, c.domain_id, d.name, c.field_name, c.old_value, c.new_value, c.detected_at \
         FROM rm_domain_changes c JOIN rm_domains d ON d.domain_id = c.domain_id \
         WHERE c.workspace_id = $1 AND c.detected_at >= $2 ORDER BY c.detected_at DESC, c.position DESC LIMIT 20",
    )
    .bind(ws)
    .bind(&week_ago)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| RecentChange {
        id: r.get(0),
        domain_id: r.get(1),
        domain: r.get(2),
        field_name: r.get(3),
        old_value: r.get(4),
        new_value: r.get(5),
        detected_at: r.get(6),
    })
    .collect::<Vec<_>>();
    // Each distribution is of the domains it knows: percentages of its own sum.
    let dist = |dim: &str, values: &[&str]| {
        let known: i64 = values.iter().map(|v| get(dim, v)).sum();
        values
            .iter()
            .map(|v| {
                let n = get(dim, v);
                StatusShare {
                    status: (*v).to_string(),
                    count: n,
                    percentage: pct(n, known),
                }
            })
            .collect::<Vec<_>>()
    };
    let gateway_total: i64 = gateways.iter().map(|(_, n)| n).sum();
    Ok(Summary {
        total_domains: total,
        scan_status: dist("scan", SCAN_STATUSES),
        email_gateways: gateways
            .iter()
            .map(|(name, n)| GatewayShare {
                name: name.clone(),
                count: *n,
                percentage: pct(*n, gateway_total),
            })
            .collect(),
        dmarc: dist("dmarc", &DMARC_STATUSES[..4]),
        spf: dist("spf", &SPF_STATUSES[..4]),
        scan_freshness: Freshness {
            last_24h: day,
            last_24h_percentage: pct(day, total),
            last_7d: week,
            last_7d_percentage: pct(week, total),
            never_scanned: total - scanned,
        },
        recent_changes: changes,
        needs_attention_count: get("attention", "yes"),
    })
}

/// The `domains` read model: domains, folders, their scans and changes, and summary counts.
pub struct Domains;

impl crate::model::ReadModel for Domains {
    const NAME: &'static str = "domains";
    const STREAM_TYPES: &'static [&'static str] = &["domain", "folder"];
    const TABLES: &'static [&'static str] = &TABLES;

    fn ddl(sfx: &str, tag: &str) -> Vec<String> {
        ddl(sfx, tag)
    }

    async fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        batch: &mut crate::model::Batch,
    ) -> Result<(), sqlx::Error> {
        let _ = batch;
        write(conn, sfx, e).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scan() -> ScanView {
        ScanView {
            id: "s1".into(),
            scanned_at: "2026-12-01T00:00:00.000000Z".into(),
            fields: json!({
                "mx": "10 aspmx.l.google.com, 20 alt1.aspmx.l.google.com",
                "email_gateway": "Google Workspace",
                "dmarc_record": "v=DMARC1; p=reject; rua=mailto:d@example.com",
                "dmarc_policy": "reject",
                "dmarc_rua": "mailto:d@example.com",
                "spf_record": "v=spf1 include:_spf.google.com mx -all",
                "spf_lookups": "5",
                "spf_senders": "Google Workspace",
                "dkim_selectors": "google, s1",
                "a": "192.0.2.1",
                "txt": "google-site-verification=abc | v=spf1 include:_spf.google.com mx -all",
            }),
            records: json!({
                "mx": [{"preference": 10, "host": "aspmx.l.google.com", "ipv4": ["192.0.2.25"], "ipv6": []}],
                "txt": ["google-site-verification=abc", "stripe-verification=xyz", "v=spf1 include:_spf.google.com mx -all"],
                "dkim": [{"selector": "google", "host": "google._domainkey.example.com", "record": "v=DKIM1; k=rsa; p=MIIB"}],
                "ptr": [{"ip": "192.0.2.1", "names": ["web.example.com"]}, {"ip": "192.0.2.25", "names": ["mx.example.com", "mail.example.com"]}],
            }),
            failed: json!([]),
            duration_ms: 12,
            outcome: "answered".into(),
            error: None,
        }
    }

    #[test]
    fn a_scan_reads_flat_with_dnsai_names() {
        let changed = LastChange {
            previous: Some("10 mx.old.example".into()),
            current: Some("10 aspmx.l.google.com".into()),
            changed_at: "2026-11-30T00:00:00Z".into(),
        };
        let f = FlatScan::of("example.com", &scan(), Some(&changed), None, None);
        assert_eq!(f.dmarc_policy_p.as_deref(), Some("reject"));
        assert_eq!(
            f.spf.as_deref(),
            Some("v=spf1 include:_spf.google.com mx -all")
        );
        assert_eq!(
            (
                f.spf_main_lookups,
                f.spf_nested_lookups,
                f.spf_total_lookups
            ),
            (Some(2), Some(3), Some(5))
        );
        assert_eq!(f.spf_limit.as_deref(), Some("ok"));
        assert_eq!(f.mx_server_ipv4.as_deref(), Some("192.0.2.25"));
        assert_eq!(f.mx_server_ipv6, None);
        assert_eq!(f.a_records.as_deref(), Some("192.0.2.1"));
        assert_eq!(
            f.dkim_hosts.as_deref(),
            Some("google._domainkey.example.com, s1._domainkey.example.com")
        );
        assert_eq!(f.dkim.as_deref(), Some("v=DKIM1; k=rsa; p=MIIB"));
        assert_eq!(
            f.tech_in_dns.as_deref(),
            Some("Google Search Console, Stripe")
        );
        assert_eq!(
            f.ptr.as_deref(),
            Some("192.0.2.1=web.example.com, 192.0.2.25=mx.example.com mail.example.com")
        );
        assert_eq!(f.previous_mx.as_deref(), Some("10 mx.old.example"));
        assert_eq!(f.mx_changed_date.as_deref(), Some("2026-11-30T00:00:00Z"));
        assert_eq!(f.previous_email_gateway, None);
        assert_eq!(f.outcome, "answered");
    }

    #[test]
    fn spf_terms_count_what_queries_dns() {
        assert_eq!(spf_terms("v=spf1 -all"), 0);
        assert_eq!(
            spf_terms("v=spf1 ip4:192.0.2.0/24 a mx:mail.example.com ~include:x.example ?exists:%{i}.e redirect=_spf.example ptr -all"),
            6
        );
    }
}
