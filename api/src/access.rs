//! The one table that says, for every route of `/api/v1`, who may call it.
//!
//! The edge middleware looks each request up here before any handler runs: a route missing from
//! the table gets no caller, so its handler fails closed. A test checks the table against the
//! OpenAPI document, so a new route cannot be forgotten.

use actix_web::http::Method;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; no key is read.
    Public,
    /// Anyone; a key, if sent, must be valid and is rate limited.
    Optional,
    /// The operator token, or a workspace key holding this scope.
    Scope(&'static str),
    /// The operator token only.
    Operator,
    /// A person (a session or an account token), whatever their role.
    Person,
}

/// What each role of a workspace member may do, as scopes (checked as a key's scopes are).
/// Owners and admins differ in what the team's rules allow (only owners manage owners).
pub fn role_scopes(role: keel_events::Role) -> &'static [&'static str] {
    use keel_events::Role;
    match role {
        Role::Owner | Role::Admin => &[
            "workspaces:write",
            "keys:write",
            "sites:write",
            "events:write",
            "analytics:write",
            "dashboards:write",
            "usage:write",
            "domains:write",
            "exports:write",
            "audit:read",
            "webhooks:write",
            "entitlements:read",
            "members:write",
            "alerts:write",
            "tracking_checker:write",
            "seo:write",
            "mcp:write",
            "integrations:write",
            "metrics:write",
        ],
        // Analytics and domains, read; dashboards and funnels, write.
        Role::Analyst => &[
            "workspaces:read",
            "sites:read",
            "analytics:read",
            "dashboards:write",
            "domains:read",
            "usage:read",
            "members:read",
            "alerts:read",
            "tracking_checker:write",
            "seo:read",
            "mcp:write",
            "integrations:read",
        ],
        // Read-only everywhere, history and the audit log included (secrets are never readable).
        Role::Auditor => &[
            "workspaces:read",
            "keys:read",
            "sites:read",
            "analytics:read",
            "dashboards:read",
            "usage:read",
            "domains:read",
            "exports:read",
            "audit:read",
            "webhooks:read",
            "entitlements:read",
            "members:read",
            "alerts:read",
            "tracking_checker:read",
            "seo:read",
            "mcp:read",
            "integrations:read",
        ],
        Role::Viewer => &[
            "workspaces:read",
            "sites:read",
            "analytics:read",
            "dashboards:read",
            "domains:read",
        ],
    }
}

/// Whether a role holds a scope.
pub fn role_grants(role: keel_events::Role, wanted: &keel_events::Scope) -> bool {
    role_scopes(role)
        .iter()
        .filter_map(|s| keel_events::Scope::parse(s).ok())
        .any(|s| s.grants(wanted))
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// The path as the router declares it, `{name}` standing for one segment.
    pub path: &'static str,
    pub access: Access,
}

const fn rule(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule {
        method,
        path,
        access,
    }
}

use Access::*;

pub const ROUTES: &[Rule] = &[
    rule("GET", "/api/v1", Optional),
    rule("GET", "/api/v1/health", Public),
    rule("GET", "/api/v1/ready", Public),
    rule("GET", "/api/v1/openapi.json", Public),
    rule("GET", "/api/v1/openapi.yaml", Public),
    rule("GET", "/api/v1/workspaces", Scope("workspaces:read")),
    rule("GET", "/api/v1/projects", Scope("workspaces:read")),
    rule("POST", "/api/v1/workspaces", Operator),
    rule("GET", "/api/v1/workspaces/{id}", Scope("workspaces:read")),
    rule(
        "PATCH",
        "/api/v1/workspaces/{id}",
        Scope("workspaces:write"),
    ),
    // Only the operator deletes a workspace; the handler says so after the id is found to be the
    // caller's own, so a key learns nothing about other workspaces' ids (404, never 403).
    rule(
        "DELETE",
        "/api/v1/workspaces/{id}",
        Scope("workspaces:delete"),
    ),
    rule("GET", "/api/v1/keys", Scope("keys:read")),
    rule("POST", "/api/v1/keys", Scope("keys:write")),
    rule("GET", "/api/v1/keys/{id}", Scope("keys:read")),
    rule("DELETE", "/api/v1/keys/{id}", Scope("keys:delete")),
    rule("POST", "/api/v1/keys/{id}/rotate", Scope("keys:write")),
    rule("GET", "/api/v1/keys/{id}/history", Scope("keys:read")),
    // core-api's names for the key routes (same handlers; `api-keys:*` scopes are `keys:*`).
    rule("GET", "/api/v1/api-keys", Scope("keys:read")),
    rule("POST", "/api/v1/api-keys", Scope("keys:write")),
    rule("GET", "/api/v1/api-keys/{id}", Scope("keys:read")),
    rule("DELETE", "/api/v1/api-keys/{id}", Scope("keys:delete")),
    rule("POST", "/api/v1/api-keys/{id}/rotate", Scope("keys:write")),
    rule("GET", "/api/v1/webhooks", Scope("webhooks:read")),
    rule("POST", "/api/v1/webhooks", Scope("webhooks:write")),
    rule("GET", "/api/v1/webhooks/{id}", Scope("webhooks:read")),
    rule("PATCH", "/api/v1/webhooks/{id}", Scope("webhooks:write")),
    rule("DELETE", "/api/v1/webhooks/{id}", Scope("webhooks:delete")),
    rule(
        "POST",
        "/api/v1/webhooks/{id}/rotate-secret",
        Scope("webhooks:write"),
    ),
    rule(
        "POST",
        "/api/v1/webhooks/{id}/test",
        Scope("webhooks:write"),
    ),
    rule(
        "GET",
        "/api/v1/webhooks/{id}/deliveries",
        Scope("webhooks:read"),
    ),
    rule(
        "GET",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}",
        Scope("webhooks:read"),
    ),
    rule(
        "POST",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
        Scope("webhooks:write"),
    ),
    rule("GET", "/api/v1/sites", Scope("sites:read")),
    rule("POST", "/api/v1/sites", Scope("sites:write")),
    rule("GET", "/api/v1/sites/{id}", Scope("sites:read")),
    rule("PATCH", "/api/v1/sites/{id}", Scope("sites:write")),
    rule("DELETE", "/api/v1/sites/{id}", Scope("sites:delete")),
    rule("POST", "/api/v1/events", Scope("events:write")),
    rule("POST", "/api/v1/goals", Scope("events:write")),
    rule("POST", "/api/v1/identify", Scope("events:write")),
    rule("POST", "/api/v1/payments", Scope("events:write")),
    rule(
        "DELETE",
        "/api/v1/payments/{transaction_id}",
        Scope("events:write"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/stats/aggregate",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/stats/timeseries",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/stats/breakdown",
        Scope("analytics:read"),
    ),
    rule("POST", "/api/v1/sites/{id}/query", Scope("analytics:read")),
    rule(
        "POST",
        "/api/v1/sites/{id}/query/exports",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/realtime",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/visitors",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/visitors/{visitor_id}",
        Scope("analytics:read"),
    ),
    rule(
        "DELETE",
        "/api/v1/sites/{id}/visitors/{visitor_id}",
        Scope("analytics:write"),
    ),
    rule("GET", "/api/v1/sites/{id}/funnels", Scope("analytics:read")),
    rule(
        "POST",
        "/api/v1/sites/{id}/funnels",
        Scope("dashboards:write"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/funnels/{funnel_id}",
        Scope("analytics:read"),
    ),
    rule(
        "PATCH",
        "/api/v1/sites/{id}/funnels/{funnel_id}",
        Scope("dashboards:write"),
    ),
    rule(
        "DELETE",
        "/api/v1/sites/{id}/funnels/{funnel_id}",
        Scope("dashboards:delete"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/funnels/{funnel_id}/results",
        Scope("analytics:read"),
    ),
    rule(
        "DELETE",
        "/api/v1/sites/{id}/data",
        Scope("analytics:delete"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/data/deletions",
        Scope("analytics:read"),
    ),
    rule(
        "GET",
        "/api/v1/sites/{id}/data/deletions/{deletion_id}",
        Scope("analytics:read"),
    ),
    rule("GET", "/api/v1/metrics", Scope("analytics:read")),
    rule("POST", "/api/v1/metrics", Scope("metrics:write")),
    rule("GET", "/api/v1/domains", Scope("domains:read")),
    rule("POST", "/api/v1/domains", Scope("domains:write")),
    rule("GET", "/api/v1/domains/{id}", Scope("domains:read")),
    rule("PATCH", "/api/v1/domains/{id}", Scope("domains:write")),
    rule("DELETE", "/api/v1/domains/{id}", Scope("domains:delete")),
    rule("GET", "/api/v1/domains/{id}/changes", Scope("domains:read")),
    rule(
        "GET",
        "/api/v1/domains/{id}/scan-results",
        Scope("domains:read"),
    ),
    rule("GET", "/api/v1/domains/{id}/whois", Scope("domains:read")),
    rule("POST", "/api/v1/domains/{id}/scan", Scope("domains:write")),
    rule("GET", "/api/v1/domains/{id}/history", Scope("domains:read")),
    rule("GET", "/api/v1/folders", Scope("domains:read")),
    rule("GET", "/api/v1/dashboard/summary", Scope("domains:read")),
    rule("POST", "/api/v1/exports", Scope("exports:write")),
    rule("GET", "/api/v1/exports", Scope("exports:read")),
    rule("GET", "/api/v1/exports/{id}", Scope("exports:read")),
    rule(
        "GET",
        "/api/v1/exports/{id}/download",
        Scope("exports:read"),
    ),
    rule("POST", "/api/v1/folders", Scope("domains:write")),
    rule("PATCH", "/api/v1/folders/{id}", Scope("domains:write")),
    rule("DELETE", "/api/v1/folders/{id}", Scope("domains:delete")),
    rule("GET", "/api/v1/alerts", Scope("alerts:read")),
    rule("POST", "/api/v1/alerts", Scope("alerts:write")),
    rule("GET", "/api/v1/alerts/{id}", Scope("alerts:read")),
    rule("PATCH", "/api/v1/alerts/{id}", Scope("alerts:write")),
    rule("DELETE", "/api/v1/alerts/{id}", Scope("alerts:delete")),
    rule("GET", "/api/v1/alerts/{id}/events", Scope("alerts:read")),
    rule(
        "POST",
        "/api/v1/tracking-checker/scan",
        Scope("tracking_checker:write"),
    ),
    rule(
        "GET",
        "/api/v1/tracking-checker/scans",
        Scope("tracking_checker:read"),
    ),
    rule(
        "GET",
        "/api/v1/tracking-checker/scans/{id}",
        Scope("tracking_checker:read"),
    ),
    rule("POST", "/api/v1/seo/report", Scope("seo:write")),
    rule("GET", "/api/v1/seo/reports/{id}", Scope("seo:read")),
    rule(
        "GET",
        "/api/v1/seo/issues/{workspace_id}",
        Scope("seo:read"),
    ),
    rule(
        "GET",
        "/api/v1/seo/issues/{workspace_id}/{id}",
        Scope("seo:read"),
    ),
    rule("GET", "/api/v1/dashboards", Scope("analytics:read")),
    rule("POST", "/api/v1/dashboards", Scope("dashboards:write")),
    rule("GET", "/api/v1/dashboards/{id}", Scope("analytics:read")),
    rule(
        "PATCH",
        "/api/v1/dashboards/{id}",
        Scope("dashboards:write"),
    ),
    rule(
        "DELETE",
        "/api/v1/dashboards/{id}",
        Scope("dashboards:delete"),
    ),
    rule(
        "GET",
        "/api/v1/dashboards/{id}/data",
        Scope("analytics:read"),
    ),
    rule("POST", "/api/v1/entitlements/usage", Scope("usage:write")),
    rule("GET", "/api/v1/entitlements/check", Scope("usage:read")),
    rule("GET", "/api/v1/usage", Scope("usage:read")),
    rule("GET", "/api/v1/audit/verify", Scope("audit:read")),
    rule("GET", "/api/v1/integrations", Scope("integrations:read")),
    rule("POST", "/api/v1/integrations", Scope("integrations:write")),
    rule(
        "GET",
        "/api/v1/integrations/{id}",
        Scope("integrations:read"),
    ),
    rule(
        "DELETE",
        "/api/v1/integrations/{id}",
        Scope("integrations:write"),
    ),
    rule(
        "PATCH",
        "/api/v1/integrations/{id}",
        Scope("integrations:write"),
    ),
    rule(
        "POST",
        "/api/v1/integrations/{id}/pause",
        Scope("integrations:write"),
    ),
    rule(
        "POST",
        "/api/v1/integrations/{id}/resume",
        Scope("integrations:write"),
    ),
    rule(
        "POST",
        "/api/v1/integrations/{id}/sync",
        Scope("integrations:write"),
    ),
    // Stripe calls it; the body's signature is the credential.
    rule("POST", "/api/v1/integrations/{id}/stripe/webhook", Public),
    rule("GET", "/api/v1/mcp/servers", Scope("mcp:read")),
    // Remote MCP servers are the workspace's configuration: owners and admins register them.
    rule("POST", "/api/v1/mcp/servers", Scope("workspaces:write")),
    rule(
        "PATCH",
        "/api/v1/mcp/servers/{id}",
        Scope("workspaces:write"),
    ),
    rule(
        "DELETE",
        "/api/v1/mcp/servers/{id}",
        Scope("workspaces:write"),
    ),
    rule(
        "POST",
        "/api/v1/mcp/servers/{id}/refresh",
        Scope("workspaces:write"),
    ),
    rule("GET", "/api/v1/mcp/calls", Scope("mcp:read")),
    rule("GET", "/api/v1/mcp/servers/{id}", Scope("mcp:read")),
    rule("GET", "/api/v1/mcp/servers/{id}/tools", Scope("mcp:read")),
    rule("POST", "/api/v1/mcp/tools/call", Scope("mcp:write")),
    rule("GET", "/api/v1/mcp/resources/{uri:.*}", Scope("mcp:read")),
    rule("GET", "/api/v1/admin/projections", Operator),
    rule("POST", "/api/v1/admin/projections/{name}/rebuild", Operator),
    rule("POST", "/api/v1/admin/analytics/retention", Operator),
    rule(
        "GET",
        "/api/v1/workspaces/{id}/history",
        Scope("audit:read"),
    ),
    rule("GET", "/api/v1/audit/events", Scope("audit:read")),
    rule("GET", "/api/v1/entitlements/summary", Scope("usage:read")),
    // Entitlements are the operator's to grant (with X-Workspace-ID).
    rule("PUT", "/api/v1/entitlements/{feature}", Operator),
    rule("DELETE", "/api/v1/entitlements/{feature}", Operator),
    // The pixel: no key; the handlers check the site's Origin and limit each client address.
    rule("GET", "/api/v1/pixel/config", Public),
    rule("POST", "/api/v1/pixel/track", Public),
    rule("OPTIONS", "/api/v1/pixel/track", Public),
    // People: signing in, the team, invitations, personal account tokens.
    rule("POST", "/api/v1/auth/login", Public),
    rule("POST", "/api/v1/auth/logout", Person),
    rule("GET", "/api/v1/auth/me", Person),
    // Anyone may ask for a reset link (the answer is the same whether the address is known); the
    // link's secret is the credential for the second step.
    rule("POST", "/api/v1/auth/password-reset", Public),
    rule("POST", "/api/v1/auth/password-reset/confirm", Public),
    rule("POST", "/api/v1/auth/password", Person),
    rule("POST", "/api/v1/auth/verify-email", Person),
    rule("POST", "/api/v1/auth/verify-email/confirm", Public),
    rule("POST", "/api/v1/auth/totp", Person),
    rule("POST", "/api/v1/auth/totp/confirm", Person),
    rule("POST", "/api/v1/auth/totp/disable", Person),
    rule("GET", "/api/v1/members", Scope("members:read")),
    rule("PATCH", "/api/v1/members/{user_id}", Scope("members:write")),
    rule(
        "DELETE",
        "/api/v1/members/{user_id}",
        Scope("members:delete"),
    ),
    rule("GET", "/api/v1/invitations", Scope("members:read")),
    rule("POST", "/api/v1/invitations", Scope("members:write")),
    // The link's secret is the credential.
    rule("POST", "/api/v1/invitations/accept", Public),
    rule(
        "DELETE",
        "/api/v1/invitations/{id}",
        Scope("members:delete"),
    ),
    rule(
        "POST",
        "/api/v1/invitations/{id}/resend",
        Scope("members:write"),
    ),
    rule("GET", "/api/v1/account-tokens", Person),
    rule("POST", "/api/v1/account-tokens", Person),
    rule("DELETE", "/api/v1/account-tokens/{id}", Person),
];

/// A route's path as the OpenAPI document writes it (`{uri:.*}`, the rest of the path, is
/// `{uri}` there).
pub fn doc_path(pattern: &str) -> String {
    pattern.replace(":.*}", "}")
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut s = path.split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            // `{name:.*}`: the rest of the path, slashes included.
            (Some(a), Some(b)) if a.starts_with('{') && a.ends_with(":.*}") => {
                return !b.is_empty();
            }
            (Some(a), Some(b)) => {
                let wildcard = a.starts_with('{') && a.ends_with('}');
                if !(wildcard && !b.is_empty() || a == b) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The methods a path answers to (empty when it is no route at all), for `405` and `Allow`.
pub fn allowed(path: &str) -> Vec<&'static str> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    // The most specific patterns win, as in the document: `/entitlements/check` is its own
    // path there, not an instance of `/entitlements/{feature}`.
    let wildcards = |p: &str| p.split('/').filter(|s| s.starts_with('{')).count();
    let matching: Vec<&Rule> = ROUTES.iter().filter(|r| matches(r.path, path)).collect();
    let fewest = matching.iter().map(|r| wildcards(r.path)).min();
    let mut methods: Vec<&'static str> = matching
        .iter()
        .filter(|r| Some(wildcards(r.path)) == fewest)
        .map(|r| r.method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// The rule for a request, if its method and path name a route of the table.
pub fn find(method: &Method, path: &str) -> Option<&'static Rule> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    ROUTES
        .iter()
        .find(|r| r.method == method.as_str() && matches(r.path, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods_come_from_the_most_specific_paths() {
        assert_eq!(allowed("/api/v1/keys/"), vec!["GET", "POST"]);
        assert_eq!(allowed("/api/v1/entitlements/check"), vec!["GET"]);
        assert_eq!(
            allowed("/api/v1/entitlements/api_calls"),
            vec!["DELETE", "PUT"]
        );
        assert!(allowed("/api/v1/nowhere").is_empty());
    }

    #[test]
    fn paths_match_segment_by_segment() {
        let get = Method::GET;
        assert_eq!(
            find(&get, "/api/v1/keys/abc/history").map(|r| r.path),
            Some("/api/v1/keys/{id}/history")
        );
        assert_eq!(
            find(&get, "/api/v1/keys/").map(|r| r.path),
            Some("/api/v1/keys")
        );
        assert_eq!(find(&get, "/api/v1/").map(|r| r.path), Some("/api/v1"));
        assert!(find(&get, "/api/v1/keys//history").is_none());
        assert!(find(&get, "/api/v1/keys/a/b").is_none());
        assert!(find(&Method::PUT, "/api/v1/keys/a").is_none());
        assert_eq!(
            find(&Method::POST, "/api/v1/workspaces").map(|r| r.access),
            Some(Access::Operator)
        );
    }

    #[test]
    fn every_documented_operation_has_exactly_one_rule_and_every_rule_is_documented() {
        let doc = crate::openapi::spec();
        let mut documented = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let ops = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PUT", item.put.is_some()),
                ("OPTIONS", item.options.is_some()),
            ];
            for (m, present) in ops {
                if present {
                    documented.push((m, path.clone()));
                }
            }
        }
        for (m, path) in &documented {
            let n = ROUTES
                .iter()
                .filter(|r| r.method == *m && doc_path(r.path) == path.as_str())
                .count();
            assert_eq!(n, 1, "{m} {path} needs exactly one access rule");
        }
        for r in ROUTES {
            let undocumented =
                ["/api/v1", "/api/v1/openapi.json", "/api/v1/openapi.yaml"].contains(&r.path);
            assert!(
                undocumented
                    || documented
                        .iter()
                        .any(|(m, p)| *m == r.method && *p == doc_path(r.path)),
                "{} {} is in the access table but not in the OpenAPI document",
                r.method,
                r.path
            );
        }
        for r in ROUTES {
            if let Access::Scope(s) = r.access {
                assert!(keel_events::Scope::parse(s).is_ok(), "{s} is not a scope");
            }
        }
    }
}
