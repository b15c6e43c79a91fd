//! What every list of a read model shares: filters, whitelisted sorting, limit/offset, and exact
//! totals. Each read model's own queries live in its module.

use crate::Db;
use serde_json::Value;
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

/// Where a keyset page starts: the sort values (then the id) of the row just before it (`after`)
/// or just after it (`before`). Pages walked this way never repeat or skip a row, however many
/// rows are added or removed between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub before: bool,
    pub values: Vec<Value>,
}

/// A page of a list: its rows, the exact total the filters match, whether rows lie beyond it on
/// either side, and the keys of its first and last rows (for the cursors of the links).
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub has_next: bool,
    pub has_previous: bool,
    pub first_key: Option<Vec<Value>>,
    pub last_key: Option<Vec<Value>>,
}

impl<T> Listed<T> {
    /// The same page with its rows mapped.
    pub fn try_map<U, E>(self, f: impl FnMut(&T) -> Result<U, E>) -> Result<Listed<U>, E> {
        Ok(Listed {
            rows: self.rows.iter().map(f).collect::<Result<_, _>>()?,
            total: self.total,
            has_next: self.has_next,
            has_previous: self.has_previous,
            first_key: self.first_key,
            last_key: self.last_key,
        })
    }
}

/// A value bound to a list query.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

impl From<String> for Bind {
    fn from(s: String) -> Self {
        Bind::Text(s)
    }
}

/// Binds every value in order.
pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.clone()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// The total order of a list: its sort keys (SQL expressions), then the id, ascending. NULL
/// counts as the smallest value on both backends.
pub(crate) struct Order {
    terms: Vec<(String, bool)>,
    /// Terms whose values are integers (the rest are text).
    numeric: Vec<bool>,
}

impl Order {
    /// `sort` (or `default` when empty), each column mapped through `exprs`, then `id`;
    /// `numeric` names the integer columns.
    pub(crate) fn new(
        sort: &[SortKey],
        default: (&'static str, bool),
        exprs: &dyn Fn(&str) -> String,
        numeric: &[&str],
        id: &str,
    ) -> Order {
        let mut columns: Vec<(&str, bool)> =
            sort.iter().map(|k| (k.column, k.descending)).collect();
        if columns.is_empty() {
            columns.push(default);
        }
        let mut terms: Vec<(String, bool)> = columns.iter().map(|(c, d)| (exprs(c), *d)).collect();
        let mut kinds: Vec<bool> = columns.iter().map(|(c, _)| numeric.contains(c)).collect();
        terms.push((id.to_string(), false));
        kinds.push(false);
        Order {
            terms,
            numeric: kinds,
        }
    }

    /// How many values a cursor of this order holds.
    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// `ORDER BY` for walking forward, or backward (to read the page before a cursor).
    pub(crate) fn by(&self, backward: bool) -> String {
        self.terms
            .iter()
            .map(|(e, desc)| {
                if *desc != backward {
                    format!("{e} DESC NULLS LAST")
                } else {
                    format!("{e} ASC NULLS FIRST")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The columns that carry each row's key, named `keel_k0`, `keel_k1`, ….
    pub(crate) fn select(&self) -> String {
        self.terms
            .iter()
            .enumerate()
            .map(|(i, (e, _))| format!("{e} AS keel_k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Rows strictly past the cursor in its direction, as a `WHERE` clause; values are pushed to
    /// `binds` (placeholders `$n` follow their position there).
    pub(crate) fn past(&self, cursor: &Cursor, binds: &mut Vec<Bind>) -> String {
        // A value is bound as its term's type, whatever the cursor says: a doctored cursor
        // gives an odd page, never a failed query.
        let numeric = &self.numeric;
        let bind = |i: usize, v: &Value, binds: &mut Vec<Bind>| -> String {
            binds.push(match (numeric[i], v) {
                (true, Value::Number(n)) => Bind::Int(n.as_i64().unwrap_or_default()),
                (true, Value::String(s)) => Bind::Int(s.parse().unwrap_or_default()),
                (true, _) => Bind::Int(0),
                (false, Value::String(s)) => Bind::Text(s.clone()),
                (false, other) => Bind::Text(other.to_string()),
            });
            format!("${}", binds.len())
        };
        let mut alternatives = Vec::new();
        for (i, (expr, desc)) in self.terms.iter().enumerate() {
            let mut parts = Vec::new();
            for (j, (e, _)) in self.terms.iter().enumerate().take(i) {
                parts.push(match &cursor.values[j] {
                    Value::Null => format!("{e} IS NULL"),
                    v => format!("{e} = {}", bind(j, v, binds)),
                });
            }
            let greater = *desc == cursor.before;
            parts.push(match (&cursor.values[i], greater) {
                (Value::Null, true) => format!("{expr} IS NOT NULL"),
                (Value::Null, false) => "1 = 0".to_string(),
                (v, true) => format!("{expr} > {}", bind(i, v, binds)),
                (v, false) => format!("({expr} < {} OR {expr} IS NULL)", bind(i, v, binds)),
            });
            alternatives.push(format!("({})", parts.join(" AND ")));
        }
        format!("({})", alternatives.join(" OR "))
    }

    /// The key of a row read with [`Order::select`].
    pub(crate) fn key_of(&self, row: &AnyRow) -> Vec<Value> {
        (0..self.terms.len())
            .map(|i| {
                let name = format!("keel_k{i}");
                if let Ok(v) = row.try_get::<Option<String>, _>(name.as_str()) {
                    return v.map_or(Value::Null, Value::String);
                }
                match row.try_get::<Option<i64>, _>(name.as_str()) {
                    Ok(Some(n)) => Value::from(n),
                    _ => Value::Null,
                }
            })
            .collect()
    }

    /// Runs a page query: `sql_for(where, order, limit)` must select [`Order::select`]'s columns.
    /// Reads one row more than asked to know whether the walk goes on.
    pub(crate) async fn page(
        &self,
        db: &Db,
        f: &ListFilter,
        wheres: &[String],
        binds: &[Bind],
        sql_for: impl Fn(&str, &str, String) -> String,
    ) -> Result<Listed<AnyRow>, sqlx::Error> {
        let mut binds = binds.to_vec();
        let mut wheres = wheres.to_vec();
        let backward = f.cursor.as_ref().is_some_and(|c| c.before);
        if let Some(c) = &f.cursor {
            if c.values.len() != self.len() {
                return Err(sqlx::Error::Protocol(
                    "a cursor does not match the list's order".into(),
                ));
            }
            wheres.push(self.past(c, &mut binds));
        }
        let limit = f.limit.max(0);
        let paging = match f.cursor {
            Some(_) => format!("LIMIT {}", limit + 1),
            None => format!("LIMIT {} OFFSET {}", limit + 1, f.offset.max(0)),
        };
        let sql = sql_for(&wheres.join(" AND "), &self.by(backward), paging);
        let mut rows = bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&db.pool)
            .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        if backward {
            rows.reverse();
        }
        let (has_next, has_previous) = match &f.cursor {
            None => (more, f.offset > 0),
            Some(c) if c.before => (true, more),
            Some(_) => (more, true),
        };
        Ok(Listed {
            first_key: rows.first().map(|r| self.key_of(r)),
            last_key: rows.last().map(|r| self.key_of(r)),
            rows,
            total: 0,
            has_next,
            has_previous,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub limit: i64,
    pub offset: i64,
    /// A keyset cursor (`after` / `before`); the offset is then only shown, not used.
    pub cursor: Option<Cursor>,
    pub status: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub updated_after: Option<String>,
    pub updated_before: Option<String>,
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
    /// Sort names whose SQL expression is not the column of that name.
    pub(crate) sort_exprs: &'static [(&'static str, &'static str)],
}

impl Table {
    fn expr(&self, column: &str) -> String {
        self.sort_exprs
            .iter()
            .find(|(n, _)| *n == column)
            .map_or_else(|| column.to_string(), |(_, e)| e.to_string())
    }
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
) -> Result<Listed<AnyRow>, sqlx::Error> {
    let mut wheres = vec!["$1 = $1".to_string()];
    let mut binds: Vec<Bind> = vec![f.now.clone().into()];
    let mut push = |clause: String, value: String, binds: &mut Vec<Bind>| {
        binds.push(value.into());
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
    if let Some(a) = &f.updated_after {
        push("updated_at > ?".into(), a.clone(), &mut binds);
    }
    if let Some(b) = &f.updated_before {
        push("updated_at < ?".into(), b.clone(), &mut binds);
    }
    if let Some(s) = &f.search {
        push(
            "LOWER(name) LIKE ? ESCAPE '\\'".into(),
            format!("%{}%", escape_like(s)),
            &mut binds,
        );
    }
    // The total (every row the filters match, wherever the page is) rides along with the page as
    // a scalar subquery over the same parameters: one statement, not two. Only an empty page
    // needs a count of its own.
    let count_sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {}",
        t.name,
        wheres.join(" AND ")
    );
    // A unique last key makes the order total, so pages never repeat or skip a row.
    let order = Order::new(&f.sort, ("created_at", true), &|c| t.expr(c), &[], "id");
    let mut page = order
        .page(db, f, &wheres, &binds, |where_sql, order_by, paging| {
            format!(
                "SELECT {cols}, {status} AS effective_status, {keys}, ({count_sql}) AS keel_total \
                 FROM {table} WHERE {where_sql} ORDER BY {order_by} {paging}",
                cols = t.columns,
                status = t.status_expr,
                keys = order.select(),
                table = t.name,
            )
        })
        .await?;
    page.total = match page.rows.first() {
        Some(row) => row.try_get("keel_total")?,
        None => bind_all(sqlx::query(&count_sql), &binds)
            .fetch_one(&db.pool)
            .await?
            .get(0),
    };
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    fn order() -> Order {
        let sort = parse_sort("-last_used_at,name", crate::api_keys::KEY_SORTS).expect("valid");
        Order::new(&sort, ("created_at", true), &|c| c.to_string(), &[], "id")
    }

    #[test]
    fn a_keyset_continues_after_the_cursor_with_null_as_the_smallest_value() {
        let o = order();
        assert_eq!(
            o.by(false),
            "last_used_at DESC NULLS LAST, name ASC NULLS FIRST, id ASC NULLS FIRST"
        );
        assert_eq!(
            o.by(true),
            "last_used_at ASC NULLS FIRST, name DESC NULLS LAST, id DESC NULLS LAST"
        );
        let mut binds = vec![Bind::Text("now".into())];
        let after = Cursor {
            before: false,
            values: vec![json!("2026-01-01"), json!("b"), json!("k1")],
        };
        assert_eq!(
            o.past(&after, &mut binds),
            "(((last_used_at < $2 OR last_used_at IS NULL)) OR (last_used_at = $3 AND name > $4) \
             OR (last_used_at = $5 AND name = $6 AND id > $7))"
        );
        assert_eq!(binds.len(), 7);
        // A NULL sort value: after it in descending order only NULLs remain.
        let mut binds = vec![];
        let after_null = Cursor {
            before: false,
            values: vec![Value::Null, json!("b"), json!("k1")],
        };
        assert_eq!(
            o.past(&after_null, &mut binds),
            "((1 = 0) OR (last_used_at IS NULL AND name > $1) \
             OR (last_used_at IS NULL AND name = $2 AND id > $3))"
        );
        // Before a cursor the comparisons turn round.
        let mut binds = vec![];
        let before_null = Cursor {
            before: true,
            ..after_null
        };
        assert_eq!(
            o.past(&before_null, &mut binds),
            "((last_used_at IS NOT NULL) OR (last_used_at IS NULL AND (name < $1 OR name IS NULL)) \
             OR (last_used_at IS NULL AND name = $2 AND (id < $3 OR id IS NULL)))"
        );
    }

    #[test]
    fn cursor_values_are_bound_as_their_columns_type() {
        let o = Order::new(
            &[],
            ("scan_count", false),
            &|c| c.to_string(),
            &["scan_count"],
            "id",
        );
        let mut binds = vec![];
        let c = Cursor {
            before: false,
            values: vec![json!("12"), json!(5)],
        };
        o.past(&c, &mut binds);
        assert!(matches!(binds[0], Bind::Int(12)));
        assert!(matches!(&binds[2], Bind::Text(t) if t == "5"));
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_Off\\"), "50\\%\\_off\\\\");
    }
}
