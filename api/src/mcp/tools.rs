//! Keel's built-in MCP servers: each tool is one route of the REST API, called on the caller's
//! behalf (ADR 0023). The tool's arguments are a typed struct: its `utoipa` schema is the tool's
//! input schema, and deserialising into it is the validation (unknown fields refused), so an
//! argument an agent gets wrong is named before anything runs.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A built-in server: a few tools over one part of Keel.
pub struct Server {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const SERVERS: &[Server] = &[
    Server {
        id: "analytics",
        name: "Keel Analytics",
        description: "Sites and their traffic: aggregates, time series and breakdowns with filters, funnels, visitor profiles",
    },
    Server {
        id: "domains",
        name: "Keel Domains",
        description: "The domain portfolio: list and filter, details, DNS changes, WHOIS, the portfolio summary; add domains and rescan",
    },
    Server {
        id: "audit",
        name: "Keel Audit",
        description: "The event log: search it, read an entity's history or its state at an instant, verify the hash chain",
    },
    Server {
        id: "keys",
        name: "Keel API Keys",
        description: "The workspace's API keys: list, create (the secret is shown once), rotate, revoke",
    },
    Server {
        id: "usage",
        name: "Keel Usage",
        description: "Metered features: check whether an amount may be used, record usage, the plan's summary",
    },
];

/// Picks a tool's route from its checked arguments.
pub type PathChooser = fn(&Map<String, Value>) -> String;

/// One tool: which server it belongs to, what it says about itself, and the REST route it calls.
pub struct Tool {
    pub server: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The route's path with `{argument}` placeholders filled from the arguments.
    pub path: &'static str,
    /// The route as the access table names it (who may call the tool is who may call this).
    pub route: &'static str,
    pub read_only: bool,
    pub destructive: bool,
    pub schema: fn() -> Value,
    /// Checks the arguments against the tool's type and gives them back normalised.
    pub check: fn(&Value) -> Result<Map<String, Value>, String>,
    /// Where a route depends on an argument (`kind`), the path to use instead of `path`.
    pub choose_path: Option<PathChooser>,
}

fn schema_of<T: utoipa::PartialSchema>() -> Value {
    let mut v = serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({"type": "object"}));
    if let Value::Object(m) = &mut v {
        m.entry("type").or_insert(json!("object"));
        m.entry("properties").or_insert(json!({}));
    }
    v
}

fn check_as<T: DeserializeOwned + Serialize>(args: &Value) -> Result<Map<String, Value>, String> {
    let args = if args.is_null() {
        json!({})
    } else {
        args.clone()
    };
    if !args.is_object() {
        return Err("arguments must be an object".into());
    }
    let typed: T = serde_json::from_value(args).map_err(|e| e.to_string())?;
    match serde_json::to_value(typed) {
        Ok(Value::Object(m)) => Ok(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        _ => Ok(Map::new()),
    }
}

macro_rules! tool {
    ($server:literal, $name:literal, $title:literal, $method:literal, $path:literal, $route:literal,
     read_only: $ro:literal, destructive: $de:literal, $args:ty, $desc:literal) => {
        Tool {
            server: $server,
            name: $name,
            title: $title,
            description: $desc,
            method: $method,
            path: $path,
            route: $route,
            read_only: $ro,
            destructive: $de,
            schema: schema_of::<$args>,
            check: check_as::<$args>,
            choose_path: None,
        }
    };
}

/// A page of a list.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageArgs {
    /// 1 to 1000 (default 50).
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    #[schema(minimum = 0)]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatsKind {
    /// Totals over the period.
    Aggregate,
    /// One row per interval.
    Timeseries,
    /// Top values of one property.
    Breakdown,
}

/// Plausible's Stats API v1 parameters, as `GET /api/v1/sites/{id}/stats/*` takes them.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsArgs {
    /// The site's id (`list_sites`).
    pub site_id: String,
    #[schema(inline)]
    pub kind: StatsKind,
    /// `day`, `7d`, `30d` (default), `month`, `6mo`, `12mo`, `year`, `all` or `custom` (with
    /// `date` as `YYYY-MM-DD,YYYY-MM-DD`).
    #[schema(example = "30d")]
    pub period: Option<String>,
    /// The day the period ends on (`YYYY-MM-DD`), or the range of a `custom` period.
    pub date: Option<String>,
    /// Comma-separated: `visitors`, `visits`, `pageviews`, `views_per_visit`, `bounce_rate`,
    /// `visit_duration`, `events`, `conversion_rate`, `revenue`.
    #[schema(example = "visitors,pageviews")]
    pub metrics: Option<String>,
    /// For `breakdown`: `event:page`, `visit:source`, `visit:country`, `visit:device`, …
    #[schema(example = "visit:source")]
    pub property: Option<String>,
    /// Plausible's filter syntax: `event:page==/pricing;visit:country==CZ`.
    pub filters: Option<String>,
    /// For `timeseries`: `date` or `month` (and `hour` for a day).
    pub interval: Option<String>,
    /// For `breakdown`: how many values (default 100).
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelArgs {
    pub site_id: String,
    pub funnel_id: String,
    pub period: Option<String>,
    pub date: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorArgs {
    pub site_id: String,
    /// The visitor id (as sent with `identify`, or the anonymous one).
    pub visitor_id: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainListArgs {
    /// Part of a name (Unicode or punycode).
    pub search: Option<String>,
    /// `active`, `expiring`, `expired`, …
    pub status: Option<String>,
    /// A folder id.
    pub folder: Option<String>,
    pub tag: Option<String>,
    /// `name`, `-expires_at`, `-last_scanned`, …
    pub sort: Option<String>,
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    #[schema(minimum = 0)]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainView {
    /// The domain, its latest scan and its labels.
    Detail,
    /// Its DNS and registration changes.
    Changes,
    /// The WHOIS (RDAP) record.
    Whois,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainArgs {
    pub domain_id: String,
    /// `detail` (default), `changes` or `whois`.
    #[schema(inline)]
    pub view: Option<DomainView>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDomainsArgs {
    /// 1 to 500 names.
    #[schema(min_items = 1, max_items = 500)]
    pub domains: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainIdArgs {
    pub domain_id: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditSearchArgs {
    /// Exact (`key.rotated`) or a prefix (`key.*`).
    pub event_type: Option<String>,
    /// `workspace`, `key`, `site`, `domain`, `mcp_call`, …
    pub stream_type: Option<String>,
    pub stream_id: Option<String>,
    /// `operator`, `system`, `key:<id>` or `user:<id>`.
    pub actor: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// `desc` (default) or `asc`.
    pub order: Option<String>,
    #[schema(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Key,
    Domain,
    Workspace,
    Site,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityArgs {
    #[schema(inline)]
    pub kind: EntityKind,
    pub id: String,
    /// RFC 3339: the entity as it was then, folded from the log. Without it: its history.
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyArgs {
    pub name: String,
    /// `keys:read`, `analytics:read`, `domains:write`, … (at most the caller's own).
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    /// `live` (default) or `test`.
    pub environment: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeyArgs {
    pub key_id: String,
    /// How long the old secret keeps working (default 24).
    #[schema(minimum = 0, maximum = 720)]
    pub grace_period_hours: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyIdArgs {
    pub key_id: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckUsageArgs {
    /// The feature's key (`api_calls`, `tracking_checker_api_hourly`, …).
    pub feature: String,
    /// How much would be used (default 1).
    #[schema(minimum = 1)]
    pub quantity: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordUsageArgs {
    pub feature: String,
    #[schema(minimum = 1)]
    pub quantity: Option<u64>,
    /// Your id for this record: the same id again is counted once.
    pub usage_id: Option<String>,
}

fn stats_path(args: &Map<String, Value>) -> String {
    let kind = args
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("aggregate");
    format!("/api/v1/sites/{{site_id}}/stats/{kind}")
}

fn domain_path(args: &Map<String, Value>) -> String {
    match args.get("view").and_then(Value::as_str) {
        Some("changes") => "/api/v1/domains/{domain_id}/changes".into(),
        Some("whois") => "/api/v1/domains/{domain_id}/whois".into(),
        _ => "/api/v1/domains/{domain_id}".into(),
    }
}

fn entity_path(args: &Map<String, Value>) -> String {
    let kind = match args.get("kind").and_then(Value::as_str) {
        Some("domain") => "domains",
        Some("workspace") => "workspaces",
        Some("site") => "sites",
        _ => "keys",
    };
    if args.contains_key("as_of") {
        format!("/api/v1/{kind}/{{id}}")
    } else {
        format!("/api/v1/{kind}/{{id}}/history")
    }
}

/// Every built-in tool.
pub fn all() -> &'static [Tool] {
    static TOOLS: std::sync::OnceLock<Vec<Tool>> = std::sync::OnceLock::new();
    TOOLS.get_or_init(|| {
        vec![
            tool!("analytics", "list_sites", "List sites", "GET", "/api/v1/sites", "/api/v1/sites",
                read_only: true, destructive: false, PageArgs,
                "The workspace's sites (id, name, domain, timezone, currency, tracking id), a page at a time."),
            Tool {
                choose_path: Some(stats_path),
                ..tool!("analytics", "query_stats", "Query site statistics", "GET",
                    "/api/v1/sites/{site_id}/stats/aggregate", "/api/v1/sites/{id}/stats/aggregate",
                    read_only: true, destructive: false, StatsArgs,
                    "A site's traffic over a period, exact counts: `aggregate` for totals, `timeseries` for one row per day (or hour, month), `breakdown` for the top values of a property (pages, sources, countries, devices, goals). Filters use Plausible's syntax.")
            },
            tool!("analytics", "funnel_results", "Funnel results", "GET",
                "/api/v1/sites/{site_id}/funnels/{funnel_id}/results", "/api/v1/sites/{id}/funnels/{funnel_id}/results",
                read_only: true, destructive: false, FunnelArgs,
                "How many visitors reached each step of a funnel over a period, and how many dropped off."),
            tool!("analytics", "visitor_profile", "Visitor profile", "GET",
                "/api/v1/sites/{site_id}/visitors/{visitor_id}", "/api/v1/sites/{id}/visitors/{visitor_id}",
                read_only: true, destructive: false, VisitorArgs,
                "One visitor: identity, first and last seen, visits, pages, goals and payments."),
            tool!("domains", "list_domains", "List domains", "GET", "/api/v1/domains", "/api/v1/domains",
                read_only: true, destructive: false, DomainListArgs,
                "The portfolio's domains with their latest scan, filtered by name, status, folder or tag, sorted, a page at a time."),
            Tool {
                choose_path: Some(domain_path),
                ..tool!("domains", "get_domain", "Get a domain", "GET", "/api/v1/domains/{domain_id}",
                    "/api/v1/domains/{id}", read_only: true, destructive: false, DomainArgs,
                    "One domain: its detail (latest scan, labels), its DNS and registration changes, or its WHOIS record.")
            },
            tool!("domains", "portfolio_summary", "Portfolio summary", "GET", "/api/v1/dashboard/summary",
                "/api/v1/dashboard/summary", read_only: true, destructive: false, NoArgs,
                "Counts of the portfolio: domains by status, expiring soon, recent changes."),
            tool!("domains", "add_domains", "Add domains", "POST", "/api/v1/domains", "/api/v1/domains",
                read_only: false, destructive: false, AddDomainsArgs,
                "Adds 1 to 500 domains to the portfolio (each is scanned soon after); names already there are reported, not added twice."),
            tool!("domains", "rescan_domain", "Rescan a domain", "POST", "/api/v1/domains/{domain_id}/scan",
                "/api/v1/domains/{id}/scan", read_only: false, destructive: false, DomainIdArgs,
                "Queues a fresh DNS, mail and registration scan of a domain."),
            tool!("audit", "search_audit_log", "Search the audit log", "GET", "/api/v1/audit/events",
                "/api/v1/audit/events", read_only: true, destructive: false, AuditSearchArgs,
                "The workspace's events, newest first, filtered by type, stream, actor and time; page with `cursor`."),
            Tool {
                choose_path: Some(entity_path),
                ..tool!("audit", "entity_history", "Entity history", "GET", "/api/v1/keys/{id}/history",
                    "/api/v1/keys/{id}/history", read_only: true, destructive: false, EntityArgs,
                    "Every change of a key, domain, site or workspace, or (with `as_of`) its state at that instant, folded from the log.")
            },
            tool!("audit", "verify_audit_chain", "Verify the audit chain", "GET", "/api/v1/audit/verify",
                "/api/v1/audit/verify", read_only: true, destructive: false, NoArgs,
                "Recomputes the workspace's hash chain over its log and says whether any event was altered or removed."),
            tool!("keys", "list_keys", "List API keys", "GET", "/api/v1/keys", "/api/v1/keys",
                read_only: true, destructive: false, PageArgs,
                "The workspace's API keys: name, prefix, scopes, environment, last use; never a secret."),
            tool!("keys", "create_key", "Create an API key", "POST", "/api/v1/keys", "/api/v1/keys",
                read_only: false, destructive: false, CreateKeyArgs,
                "Creates a key with the given scopes (at most the caller's). The secret is in this answer only; it is stored hashed."),
            tool!("keys", "rotate_key", "Rotate an API key", "POST", "/api/v1/keys/{key_id}/rotate",
                "/api/v1/keys/{id}/rotate", read_only: false, destructive: false, RotateKeyArgs,
                "Gives a key a new secret (shown once); the old one keeps working for the grace period."),
            tool!("keys", "revoke_key", "Revoke an API key", "DELETE", "/api/v1/keys/{key_id}",
                "/api/v1/keys/{id}", read_only: false, destructive: true, KeyIdArgs,
                "Revokes a key at once: its next request fails. Cannot be undone."),
            tool!("usage", "check_usage", "Check usage", "GET", "/api/v1/entitlements/check",
                "/api/v1/entitlements/check", read_only: true, destructive: false, CheckUsageArgs,
                "Whether the workspace may use this much of a feature now, with its limit, use and reset time."),
            tool!("usage", "record_usage", "Record usage", "POST", "/api/v1/entitlements/usage",
                "/api/v1/entitlements/usage", read_only: false, destructive: false, RecordUsageArgs,
                "Records usage of a metered feature (refused past the plan's limit); the same `usage_id` is counted once."),
            tool!("usage", "usage_summary", "Usage summary", "GET", "/api/v1/entitlements/summary",
                "/api/v1/entitlements/summary", read_only: true, destructive: false, NoArgs,
                "Every feature of the plan: limit, use this period, what is left, when it resets."),
        ]
    })
}

/// A tool by name (and server, when given).
pub fn find(server: Option<&str>, name: &str) -> Option<&'static Tool> {
    all()
        .iter()
        .find(|t| t.name == name && server.is_none_or(|s| s == t.server))
}

/// Percent-encodes one path segment.
fn segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The REST request a call makes: path and query (or JSON body) from the checked arguments.
pub struct Request {
    pub method: &'static str,
    pub path_and_query: String,
    pub body: Option<Value>,
}

impl Tool {
    pub fn request(&self, args: &Map<String, Value>) -> Result<Request, String> {
        let template = self
            .choose_path
            .map_or_else(|| self.path.to_string(), |f| f(args));
        let mut rest = args.clone();
        let mut path = String::new();
        let mut chars = template.split('{');
        path.push_str(chars.next().unwrap_or_default());
        for part in chars {
            let (name, tail) = part.split_once('}').ok_or("bad path template")?;
            let value = rest
                .remove(name)
                .map(|v| scalar(&v))
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("missing field `{name}`"))?;
            path.push_str(&segment(&value));
            path.push_str(tail);
        }
        // Arguments that only chose the route.
        for routing in ["kind", "view"] {
            if self.choose_path.is_some() && template.find(routing).is_none() {
                rest.remove(routing);
            }
        }
        if matches!(self.method, "POST" | "PATCH" | "PUT") {
            return Ok(Request {
                method: self.method,
                path_and_query: path,
                body: Some(Value::Object(rest)),
            });
        }
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest.iter().map(|(k, v)| (k.clone(), scalar(v))))
            .finish();
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query);
        }
        Ok(Request {
            method: self.method,
            path_and_query: path,
            body: None,
        })
    }

    /// The tool as `tools/list` shows it.
    pub fn listing(&self) -> Value {
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": (self.schema)(),
            "annotations": {
                "title": self.title,
                "readOnlyHint": self.read_only,
                "destructiveHint": self.destructive,
                "idempotentHint": self.read_only,
                "openWorldHint": false,
            },
            "_meta": {"keel/server": self.server},
        })
    }

    /// The seed's shape of a tool (`GET /api/v1/mcp/servers/{id}/tools`): parameters by name.
    pub fn seed_listing(&self) -> Value {
        let schema = (self.schema)();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut parameters = Map::new();
        if let Some(props) = schema["properties"].as_object() {
            for (name, p) in props {
                let mut p = p.clone();
                if let Value::Object(m) = &mut p {
                    m.insert("required".into(), json!(required.contains(&name.as_str())));
                }
                parameters.insert(name.clone(), p);
            }
        }
        json!({
            "name": self.name,
            "server": self.server,
            "description": self.description,
            "parameters": parameters,
            "input_schema": schema,
            "read_only": self.read_only,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_unique_name_an_object_schema_and_a_known_route() {
        let mut names: Vec<_> = all().iter().map(|t| t.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "tool names repeat");
        for t in all() {
            assert!(SERVERS.iter().any(|s| s.id == t.server), "{}", t.name);
            let s = (t.schema)();
            assert_eq!(s["type"], "object", "{}: {s}", t.name);
            assert!(
                crate::access::find(
                    &actix_web::http::Method::from_bytes(t.method.as_bytes()).unwrap(),
                    t.route
                )
                .is_some(),
                "{}: {} {} is not in the access table",
                t.name,
                t.method,
                t.route
            );
            assert!(t
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        }
    }

    #[test]
    fn arguments_are_checked_against_the_type_and_fill_the_route() {
        let t = find(Some("analytics"), "query_stats").unwrap();
        let args = (t.check)(
            &json!({"site_id": "s 1", "kind": "breakdown", "property": "visit:source", "limit": 5}),
        )
        .unwrap();
        let r = t.request(&args).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.path_and_query,
            "/api/v1/sites/s%201/stats/breakdown?limit=5&property=visit%3Asource"
        );
        let e = (t.check)(&json!({"site_id": "s", "kind": "everything"})).unwrap_err();
        assert!(e.contains("unknown variant `everything`"), "{e}");
        let e = (t.check)(&json!({"kind": "aggregate"})).unwrap_err();
        assert!(e.contains("missing field `site_id`"), "{e}");
        let e = (t.check)(&json!({"site_id": "s", "kind": "aggregate", "sites": 1})).unwrap_err();
        assert!(e.contains("unknown field `sites`"), "{e}");
        assert!((t.check)(&json!([1])).is_err());

        let t = find(None, "revoke_key").unwrap();
        let r = t
            .request(&(t.check)(&json!({"key_id": "k/1"})).unwrap())
            .unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            ("DELETE", "/api/v1/keys/k%2F1")
        );
        let t = find(None, "add_domains").unwrap();
        let r = t
            .request(&(t.check)(&json!({"domains": ["a.cz"]})).unwrap())
            .unwrap();
        assert_eq!(r.body, Some(json!({"domains": ["a.cz"]})));
        let t = find(None, "entity_history").unwrap();
        let r = t
            .request(
                &(t.check)(&json!({"kind": "domain", "id": "d1", "as_of": "2026-01-01T00:00:00Z"}))
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v1/domains/d1?as_of=2026-01-01T00%3A00%3A00Z"
        );
    }
}
