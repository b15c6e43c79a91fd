//! What every list of a read model shares: filters, whitelisted sorting, limit/offset, and exact
//! totals. Each read model's own queries live in its module.

use crate::Db;
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

/// A read model's table as a list sees it.
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) status_expr: &'static str,
    pub(crate) workspace_column: &'static str,
}

fn escape_like(s: &str) -> String {
    s.to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub(crate) async fn list(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_expressions_are_whitelisted() {
        let keys = parse_sort("-created_at, name", crate::api_keys::KEY_SORTS).expect("valid");
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
        assert!(parse_sort("secret", crate::api_keys::KEY_SORTS).is_err());
        assert!(parse_sort("name;DROP TABLE x", crate::api_keys::KEY_SORTS).is_err());
        assert!(parse_sort("name,-name", crate::api_keys::KEY_SORTS).is_err());
        assert_eq!(
            parse_sort("", crate::api_keys::KEY_SORTS).expect("empty is fine"),
            []
        );
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_Off\\"), "50\\%\\_off\\\\");
    }
}
