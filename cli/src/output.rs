//! What a command prints: aligned tables for people, JSON, NDJSON or CSV for scripts.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns (a record: one field per line).
    Table,
    /// The answer's data, pretty-printed.
    Json,
    /// One JSON document per line (one per row of a list).
    Ndjson,
    /// A header and one line per row (RFC 4180 quoting).
    Csv,
}

/// A cell: strings as they are, `null` empty, anything else as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV line (without its line ending) of these fields, quoted where they need it.
pub fn csv_line(fields: impl Iterator<Item = String>) -> String {
    fields.map(|f| csv_field(&f)).collect::<Vec<_>>().join(",")
}

/// Rows of a list: every object's keys, in the order first seen.
fn columns(rows: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for r in rows {
        if let Some(o) = r.as_object() {
            for k in o.keys() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    if cols.is_empty() && !rows.is_empty() {
        cols.push("value".into());
    }
    cols
}

fn get<'a>(row: &'a Value, col: &str) -> &'a Value {
    match row {
        Value::Object(o) => o.get(col).unwrap_or(&Value::Null),
        other if col == "value" => other,
        _ => &Value::Null,
    }
}

/// Renders `data`: a list as rows, a record as one row (a table shows it field by field).
pub fn render(data: &Value, output: Output) -> String {
    render_in(data, output, None)
}

/// [`render`], with a list shown to people as only these columns (the ones its rows have), in
/// this order; scripts (JSON, NDJSON, CSV) still get every field.
pub fn render_list(data: &Value, output: Output, table: &[&str]) -> String {
    if output != Output::Table {
        return render(data, output);
    }
    let Value::Array(rows) = data else {
        return render(data, output);
    };
    let present: Vec<String> = table
        .iter()
        .filter(|c| rows.iter().any(|r| r.get(**c).is_some()))
        .map(|c| c.to_string())
        .collect();
    if present.is_empty() {
        return render(data, output);
    }
    render_in(data, output, Some(&present))
}

/// [`render`] with the columns of a list in a given order (JSON objects keep no order).
pub fn render_in(data: &Value, output: Output, order: Option<&[String]>) -> String {
    let cols_of = |rows: &[Value]| order.map_or_else(|| columns(rows), <[String]>::to_vec);
    let mut out = String::new();
    match output {
        Output::Json => {
            out.push_str(&serde_json::to_string_pretty(data).unwrap_or_default());
            out.push('\n');
        }
        Output::Ndjson => match data {
            Value::Array(rows) => {
                for r in rows {
                    out.push_str(&r.to_string());
                    out.push('\n');
                }
            }
            other => {
                out.push_str(&other.to_string());
                out.push('\n');
            }
        },
        Output::Csv => {
            let rows: Vec<Value> = match data {
                Value::Array(rows) => rows.clone(),
                other => vec![other.clone()],
            };
            let cols = cols_of(&rows);
            out.push_str(&csv_line(cols.iter().cloned()));
            out.push_str("\r\n");
            for r in &rows {
                out.push_str(&csv_line(cols.iter().map(|c| cell(get(r, c)))));
                out.push_str("\r\n");
            }
        }
        Output::Table => match data {
            Value::Array(rows) if rows.is_empty() => out.push_str("(none)\n"),
            Value::Array(rows) => {
                let cols = cols_of(rows);
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| cols.iter().map(|c| short(&cell(get(r, c)))).collect())
                    .collect();
                out.push_str(&aligned(&cols, &cells));
            }
            Value::Object(o) => {
                let width = o.keys().map(|k| k.chars().count()).max().unwrap_or(0);
                for (k, v) in o {
                    out.push_str(&format!("{k:<width$}  {}\n", cell(v)));
                }
            }
            other => {
                out.push_str(&cell(other));
                out.push('\n');
            }
        },
    }
    out
}

/// A table cell of at most 60 characters.
fn short(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

/// Columns padded to their widest cell, two spaces apart, upper-case headers.
pub fn aligned(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let mut l = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ");
        l.truncate(l.trim_end().len());
        l.push('\n');
        l
    };
    let mut out = line(headers.iter().map(|h| h.to_uppercase()).collect());
    for r in rows {
        out.push_str(&line(r.clone()));
    }
    out
}

/// The query endpoint's rows (`{dimensions, metrics}`) as records named by the query's
/// dimensions and metrics, and those names in order.
pub fn query_rows(answer: &Value) -> (Value, Vec<String>) {
    let dims: Vec<String> = answer["query"]["dimensions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let metrics: Vec<String> = answer["query"]["metrics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let rows = answer["results"].as_array().cloned().unwrap_or_default();
    let names = dims.iter().chain(&metrics).cloned().collect();
    let rows = Value::Array(
        rows.iter()
            .map(|r| {
                let mut o = Map::new();
                for (i, d) in dims.iter().enumerate() {
                    o.insert(d.clone(), r["dimensions"][i].clone());
                }
                for (i, m) in metrics.iter().enumerate() {
                    o.insert(m.clone(), r["metrics"][i].clone());
                }
                Value::Object(o)
            })
            .collect(),
    );
    (rows, names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_render_in_every_format() {
        let data = json!([{"id": "k1", "name": "ci, nightly", "scopes": ["a", "b"]}, {"id": "k2", "name": "x"}]);
        assert_eq!(
            render(&data, Output::Table),
            "ID  NAME         SCOPES\nk1  ci, nightly  [\"a\",\"b\"]\nk2  x\n"
        );
        assert_eq!(
            render(&data, Output::Csv),
            "id,name,scopes\r\nk1,\"ci, nightly\",\"[\"\"a\"\",\"\"b\"\"]\"\r\nk2,x,\r\n"
        );
        let lines: Vec<Value> = render(&data, Output::Ndjson)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_default())
            .collect();
        assert_eq!(Value::Array(lines), data);
        let back: Value = serde_json::from_str(&render(&data, Output::Json)).unwrap_or_default();
        assert_eq!(back, data);
    }

    #[test]
    fn people_see_a_list_s_chosen_columns_and_scripts_all() {
        let data = json!([{"id": "k1", "name": "ci", "created_at": "2026-01-01", "noise": 1}]);
        assert_eq!(
            render_list(&data, Output::Table, &["id", "name", "missing"]),
            "ID  NAME\nk1  ci\n"
        );
        assert_eq!(
            render_list(&data, Output::Csv, &["id"]),
            "created_at,id,name,noise\r\n2026-01-01,k1,ci,1\r\n"
        );
        assert_eq!(
            render_list(&data, Output::Table, &["nothing"]),
            render(&data, Output::Table)
        );
    }

    #[test]
    fn a_record_is_a_field_per_line_and_query_rows_are_named() {
        assert_eq!(
            render(&json!({"visitors": 3, "bounce_rate": 50}), Output::Table),
            "bounce_rate  50\nvisitors     3\n"
        );
        let answer = json!({"query": {"dimensions": ["visit:source"], "metrics": ["visitors"]},
            "results": [{"dimensions": ["Google"], "metrics": [4]}]});
        let (rows, names) = query_rows(&answer);
        assert_eq!(rows, json!([{"visit:source": "Google", "visitors": 4}]));
        assert_eq!(
            render_in(&rows, Output::Csv, Some(&names)),
            "visit:source,visitors\r\nGoogle,4\r\n"
        );
    }
}
