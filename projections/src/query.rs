//! Read-model queries: filters, whitelisted sorting, limit/offset, and exact totals.

use crate::Db;
use keel_events::{Scope, Tier};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// One sort key of `sort=-created_at,name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub column: &'static str,
    pub descending: bool,
}

/// Parses `-created_at,name` against the columns a list allows.
pub fn parse_sort(raw: &str, allowed: &[&'static str]) -> Result<Vec<SortKey>, String> {
    let mut keys = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (descending, name) = match part.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        let column = allowed
            .iter()
            .find(|c| **c == name)
            .ok_or_else(|| format!("cannot sort by `{name}`; allowed: {}", allowed.join(", ")))?;
        if keys.iter().any(|k: &SortKey| k.column == *column) {
            return Err(format!("`{name}` appears twice in sort"));
        }
        keys.push(SortKey { column, descending });
    }
    Ok(keys)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub limit: i64,
    pub offset: i64,
    pub status: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub search: Option<String>,
    pub sort: Vec<SortKey>,
    /// Restricts to one workspace (always set for workspace-scoped lists).
    pub workspace_id: Option<String>,
    /// Now, as stored text, for time-dependent status (`expired`).
    pub now: String,
}

pub const WORKSPACE_SORTS: &[&str] = &["created_at", "updated_at", "name", "slug", "tier"];
pub const KEY_SORTS: &[&str] = &[
    "created_at",
    "updated_at",
    "name",
    "expires_at",
    "last_used_at",
];
pub const SITE_SORTS: &[&str] = &["created_at", "updated_at", "name", "domain"];

pub const WORKSPACE_STATUSES: &[&str] = &["active", "deleted"];
pub const KEY_STATUSES: &[&str] = &["active", "expired", "revoked"];

struct Table {
    name: &'static str,
    columns: &'static str,
    status_expr: &'static str,
    workspace_column: &'static str,
}

const WORKSPACES: Table = Table {
    name: "rm_workspaces",
    columns: "id, name, slug, tier, timezone, locale, status, created_at, updated_at, version",
    status_expr: "status",
    workspace_column: "id",
};

const KEYS: Table = Table {
    name: "rm_api_keys",
    // `last_used_at` is not an event: the api records it in batches in `key_activity`.
    columns: "id, workspace_id, name, prefix, scopes, rate_limit_tier, status, created_at, updated_at, \
              expires_at, (SELECT a.last_used_at FROM key_activity a WHERE a.key_id = rm_api_keys.id) AS last_used_at, \
              rotated_at, previous_valid_until, version",
    // `$1` is always `now`.
    status_expr: "(CASE WHEN status = 'revoked' THEN 'revoked' \
                  WHEN expires_at IS NOT NULL AND expires_at <= $1 THEN 'expired' ELSE 'active' END)",
    workspace_column: "workspace_id",
};

const SITES: Table = Table {
    name: "rm_sites",
    columns: "id, workspace_id, name, domain, timezone, currency, tracking_id, status, created_at, updated_at, version",
    status_expr: "status",
    workspace_column: "workspace_id",
};

const DASHBOARDS: Table = Table {
    name: "rm_dashboards",
    columns: "id, workspace_id, name, widgets, status, created_at, updated_at, version",
    status_expr: "status",
    workspace_column: "workspace_id",
};

pub const DASHBOARD_SORTS: &[&str] = &["created_at", "updated_at", "name"];

fn escape_like(s: &str) -> String {
    s.to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

async fn list(
    db: &Db,
    t: &Table,
    f: &ListFilter,
    default_status: Option<&str>,
) -> Result<(Vec<AnyRow>, i64), sqlx::Error> {
    let mut wheres = vec!["$1 = $1".to_string()];
    let mut binds: Vec<String> = vec![f.now.clone()];
    let mut push = |clause: String, value: String, binds: &mut Vec<String>| {
        binds.push(value);
        wheres.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(ws) = &f.workspace_id {
        push(
            format!("{} = ?", t.workspace_column),
            ws.clone(),
            &mut binds,
        );
    }
    match (&f.status, default_status) {
        (Some(s), _) => push(format!("{} = ?", t.status_expr), s.clone(), &mut binds),
        (None, Some(s)) => push(format!("{} = ?", t.status_expr), s.to_string(), &mut binds),
        _ => {}
    }
    if let Some(a) = &f.created_after {
        push("created_at > ?".into(), a.clone(), &mut binds);
    }
    if let Some(b) = &f.created_before {
        push("created_at < ?".into(), b.clone(), &mut binds);
    }
    if let Some(s) = &f.search {
        push(
            "LOWER(name) LIKE ? ESCAPE '\\'".into(),
            format!("%{}%", escape_like(s)),
            &mut binds,
        );
    }
    let where_sql = wheres.join(" AND ");
    let mut order: Vec<String> = f
        .sort
        .iter()
        .map(|k| format!("{} {}", k.column, if k.descending { "DESC" } else { "ASC" }))
        .collect();
    if order.is_empty() {
        order.push("created_at DESC".into());
    }
    // A unique last key makes the order total, so offset pages never repeat or skip a row.
    order.push("id ASC".into());
    let sql = format!(
        "SELECT {cols}, {status} AS effective_status FROM {table} WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        cols = t.columns,
        status = t.status_expr,
        table = t.name,
        order = order.join(", "),
        limit = f.limit.max(0),
        offset = f.offset.max(0),
    );
    let count_sql = format!("SELECT COUNT(*) FROM {} WHERE {where_sql}", t.name);
    let mut q = sqlx::query(&sql);
    let mut c = sqlx::query(&count_sql);
    for b in &binds {
        q = q.bind(b.clone());
        c = c.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let total: i64 = c.fetch_one(&db.pool).await?.get(0);
    Ok((rows, total))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkspaceSettingsView {
    pub timezone: String,
    pub locale: String,
}

/// A workspace as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub tier: String,
    pub settings: WorkspaceSettingsView,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn workspace(r: &AnyRow) -> Result<WorkspaceView, sqlx::Error> {
    Ok(WorkspaceView {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        slug: r.try_get(2)?,
        tier: r.try_get(3)?,
        settings: WorkspaceSettingsView {
            timezone: r.try_get(4)?,
            locale: r.try_get(5)?,
        },
        status: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        version: r.try_get(9)?,
    })
}

/// An API key as the API shows it: never the secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub prefix: String,
    /// `live` or `test`, as the key's prefix says (`keel_live_…`, `keel_test_…`).
    pub environment: String,
    #[schema(value_type = Vec<String>, example = json!(["keys:read"]))]
    pub scopes: Vec<Scope>,
    #[schema(value_type = Option<String>, example = "pro")]
    pub rate_limit_tier: Option<Tier>,
    /// active, expired or revoked
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub rotated_at: Option<String>,
    /// Until when the secret replaced by the last rotation still works.
    pub previous_key_valid_until: Option<String>,
    pub version: i64,
}

fn api_key(r: &AnyRow) -> Result<ApiKeyView, sqlx::Error> {
    let scopes: String = r.try_get(4)?;
    let tier: Option<String> = r.try_get(5)?;
    let prefix: String = r.try_get(3)?;
    Ok(ApiKeyView {
        environment: if prefix.starts_with("keel_test_") {
            "test"
        } else {
            "live"
        }
        .into(),
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        prefix,
        scopes: serde_json::from_str(&scopes).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        rate_limit_tier: tier.and_then(|t| t.parse().ok()),
        status: r.try_get(14)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        expires_at: r.try_get(9)?,
        last_used_at: r.try_get(10)?,
        rotated_at: r.try_get(11)?,
        previous_key_valid_until: r.try_get(12)?,
        version: r.try_get(13)?,
    })
}

pub async fn list_workspaces(
    db: &Db,
    f: &ListFilter,
) -> Result<(Vec<WorkspaceView>, i64), sqlx::Error> {
    let (rows, total) = list(db, &WORKSPACES, f, Some("active")).await?;
    Ok((rows.iter().map(workspace).collect::<Result<_, _>>()?, total))
}

/// A live (not deleted) workspace by id.
pub async fn get_workspace(db: &Db, id: &str) -> Result<Option<WorkspaceView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1 AND status = 'active'",
        WORKSPACES.columns, WORKSPACES.name
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(workspace).transpose()
}

pub async fn list_api_keys(db: &Db, f: &ListFilter) -> Result<(Vec<ApiKeyView>, i64), sqlx::Error> {
    let (rows, total) = list(db, &KEYS, f, None).await?;
    Ok((rows.iter().map(api_key).collect::<Result<_, _>>()?, total))
}

/// A key of one workspace by id (any status).
pub async fn get_api_key(
    db: &Db,
    workspace_id: &str,
    id: &str,
    now: &str,
) -> Result<Option<ApiKeyView>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, {} FROM rm_api_keys WHERE id = $2 AND workspace_id = $3",
        KEYS.columns, KEYS.status_expr
    );
    let row = sqlx::query(&sql)
        .bind(now)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(api_key).transpose()
}

/// A site as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// The host name its traffic comes from, e.g. `shop.example.com`.
    pub domain: String,
    /// IANA time zone its reports use by default.
    pub timezone: String,
    /// ISO 4217 default currency.
    pub currency: String,
    /// Public id for the tracking pixel (safe to put in web pages).
    pub tracking_id: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn site(r: &AnyRow) -> Result<SiteView, sqlx::Error> {
    Ok(SiteView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        domain: r.try_get(3)?,
        timezone: r.try_get(4)?,
        currency: r.try_get(5)?,
        tracking_id: r.try_get(6)?,
        status: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
        version: r.try_get(10)?,
    })
}

/// Live sites of a workspace (the filter's `workspace_id` must be set).
pub async fn list_sites(db: &Db, f: &ListFilter) -> Result<(Vec<SiteView>, i64), sqlx::Error> {
    let (rows, total) = list(db, &SITES, f, Some("active")).await?;
    Ok((rows.iter().map(site).collect::<Result<_, _>>()?, total))
}

/// A live site of one workspace by id.
pub async fn get_site(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<SiteView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_sites WHERE id = $1 AND workspace_id = $2 AND status = 'active'",
        SITES.columns
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(site).transpose()
}

/// A saved dashboard as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// `[{"title", "site_id", "metric", "interval", "period", "filters"}]`
    #[schema(value_type = Vec<Object>)]
    pub widgets: serde_json::Value,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn dashboard(r: &AnyRow) -> Result<DashboardView, sqlx::Error> {
    let widgets: String = r.try_get(3)?;
    Ok(DashboardView {
        id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        widgets: serde_json::from_str(&widgets).unwrap_or(serde_json::Value::Array(vec![])),
        status: r.try_get(4)?,
        created_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
        version: r.try_get(7)?,
    })
}

/// Live dashboards of a workspace (the filter's `workspace_id` must be set).
pub async fn list_dashboards(
    db: &Db,
    f: &ListFilter,
) -> Result<(Vec<DashboardView>, i64), sqlx::Error> {
    let (rows, total) = list(db, &DASHBOARDS, f, Some("active")).await?;
    Ok((rows.iter().map(dashboard).collect::<Result<_, _>>()?, total))
}

/// A live dashboard of one workspace by id.
pub async fn get_dashboard(
    db: &Db,
    workspace_id: &str,
    id: &str,
) -> Result<Option<DashboardView>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM rm_dashboards WHERE id = $1 AND workspace_id = $2 AND status = 'active'",
        DASHBOARDS.columns
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(dashboard).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_expressions_are_whitelisted() {
        let keys = parse_sort("-created_at, name", KEY_SORTS).expect("valid");
        assert_eq!(
            keys,
            [
                SortKey {
                    column: "created_at",
                    descending: true
                },
                SortKey {
                    column: "name",
                    descending: false
                }
            ]
        );
        assert!(parse_sort("secret", KEY_SORTS).is_err());
        assert!(parse_sort("name;DROP TABLE x", KEY_SORTS).is_err());
        assert!(parse_sort("name,-name", KEY_SORTS).is_err());
        assert_eq!(parse_sort("", KEY_SORTS).expect("empty is fine"), []);
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_Off\\"), "50\\%\\_off\\\\");
    }
}
