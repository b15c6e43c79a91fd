//! Every event variant survives its stored shape, the Kafka wire shape and, for events that carry
//! personal data, sealing and opening: domain event → stored → domain event is the identity.
//!
//! A new variant does not compile in `index` below until it is given a place, and the test fails
//! until it has a sample here and a type in `EVENT_TYPES`: a variant cannot be forgotten in
//! `schemas`.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use keel_events::{
    DomainEvent, EventId, Metadata, RecordedEvent, StreamId, WorkspaceId, EVENT_TYPES,
};
use keel_schemas::personal::{open, seal, subject, SubjectKey};
use keel_schemas::{current_version, from_stored, to_stored, wire};
use serde_json::{json, Value};

/// The variant's place in `EVENT_TYPES` (which follows the order of [`DomainEvent`]).
fn index(e: &DomainEvent) -> usize {
    use DomainEvent::*;
    match e {
        WorkspaceCreated(_) => 0,
        WorkspaceUpdated(_) => 1,
        WorkspaceDeleted(_) => 2,
        ApiKeyCreated(_) => 3,
        ApiKeyRotated(_) => 4,
        ApiKeyRevoked(_) => 5,
        SiteCreated(_) => 6,
        SiteUpdated(_) => 7,
        SiteDeleted(_) => 8,
        PageviewRecorded(_) => 9,
        CustomEventRecorded(_) => 10,
        GoalCompleted(_) => 11,
        PaymentRecorded(_) => 12,
        PaymentRemoved(_) => 13,
        VisitorIdentified(_) => 14,
        VisitorErased(_) => 15,
        DashboardCreated(_) => 16,
        DashboardUpdated(_) => 17,
        DashboardDeleted(_) => 18,
        EntitlementSet(_) => 19,
        EntitlementRemoved(_) => 20,
        UsageRecorded(_) => 21,
        UsageThresholdReached(_) => 22,
        DomainAdded(_) => 23,
        DomainUpdated(_) => 24,
        DomainRemoved(_) => 25,
        DomainRestored(_) => 26,
        DomainScanned(_) => 27,
        DnsRecordChanged(_) => 28,
        WhoisFetched(_) => 29,
        FolderCreated(_) => 30,
        FolderRenamed(_) => 31,
        FolderDeleted(_) => 32,
        WebhookCreated(_) => 33,
        WebhookUpdated(_) => 34,
        WebhookSecretRotated(_) => 35,
        WebhookDisabled(_) => 36,
        WebhookDeleted(_) => 37,
        FunnelCreated(_) => 38,
        FunnelUpdated(_) => 39,
        FunnelDeleted(_) => 40,
        AnalyticsDeleted(_) => 41,
        UserCreated(_) => 42,
        UserPasswordChanged(_) => 43,
        AccountTokenCreated(_) => 44,
        AccountTokenRevoked(_) => 45,
        MemberAdded(_) => 46,
        MemberRoleChanged(_) => 47,
        MemberRemoved(_) => 48,
        InvitationCreated(_) => 49,
        InvitationResent(_) => 50,
        InvitationRevoked(_) => 51,
        InvitationAccepted(_) => 52,
        UserSignedIn(_) => 53,
        UserSignInFailed(_) => 54,
        SecondFactorEnabled(_) => 55,
        SecondFactorDisabled(_) => 56,
        EmailVerified(_) => 57,
        AlertCreated(_) => 58,
        AlertUpdated(_) => 59,
        AlertDeleted(_) => 60,
        AlertFired(_) => 61,
        AlertResolved(_) => 62,
        TrackingScanRequested(_) => 63,
        TrackingScanCompleted(_) => 64,
        TrackingScanFailed(_) => 65,
        SeoReportSubmitted(_) => 66,
        SeoIssueOpened(_) => 67,
        SeoIssueResolved(_) => 68,
        McpToolCalled(_) => 69,
        McpServerRegistered(_) => 70,
        McpServerUpdated(_) => 71,
        McpServerRemoved(_) => 72,
        PaymentRefunded(_) => 73,
        IntegrationConnected(_) => 74,
        IntegrationPaused(_) => 75,
        IntegrationResumed(_) => 76,
        IntegrationSynced(_) => 77,
        IntegrationSyncFailed(_) => 78,
        IntegrationRemoved(_) => 79,
        MetricRecorded(_) => 80,
        IntegrationUpdated(_) => 81,
        SubscriptionChanged(_) => 82,
    }
}

const WS: &str = "0192f3a0-7b1c-7def-8abc-0123456789ab";
const ID: &str = "0192f3a0-7b1c-7def-8abc-fedcba987654";
const T: &str = "2026-12-03T10:11:12.345678Z";

fn hit() -> Value {
    json!({"site_id": ID, "workspace_id": WS, "visitor": "v-1", "visitor_id": "client-7",
        "session_id": "s-1", "name": "signup", "url": "https://shop.example.com/p/1?utm_source=x",
        "path": "/p/1", "referrer": "https://www.google.com/", "source": "Google",
        "utm_source": "x", "utm_medium": "cpc", "utm_campaign": "winter", "utm_content": "hero",
        "utm_term": "shoes", "hostname": "shop.example.com", "country": "DE",
        "device": "Desktop", "browser": "Firefox", "browser_version": "121.0", "os": "Linux",
        "os_version": "6.1", "screen": "Laptop", "region": "Land Berlin", "city": "Berlin",
        "properties": {"plan": "pro", "n": 3},
        "client_event_id": "ce-1"})
}

fn widget() -> Value {
    json!({"title": "Visitors", "site_id": ID, "metric": "visitors", "interval": "day",
        "period": "30d", "filters": [["path", "is", "/"]]})
}

/// One sample of every variant, every field set (optional ones too): payloads as the domain
/// types serialise them.
fn samples() -> Vec<DomainEvent> {
    macro_rules! ev {
        ($variant:ident, $json:expr) => {{
            let payload: Value = $json;
            let e = DomainEvent::$variant(
                serde_json::from_value(payload.clone())
                    .unwrap_or_else(|err| panic!("{}: {err}", stringify!($variant))),
            );
            // Every field of the sample is in the stored shape: a misspelt field would
            // otherwise be dropped silently and never round-tripped.
            let stored = to_stored(&e).payload;
            for k in payload.as_object().unwrap().keys() {
                assert!(
                    stored.get(k).is_some(),
                    "{}: field `{k}` of the sample is not stored",
                    stringify!($variant)
                );
            }
            e
        }};
    }
    vec![
        ev!(
            WorkspaceCreated,
            json!({"workspace_id": WS, "name": "Acme", "slug": "acme",
            "tier": "pro", "settings": {"timezone": "Europe/Berlin", "locale": "de-DE"}})
        ),
        ev!(
            WorkspaceUpdated,
            json!({"name": "Acme 2", "slug": "acme-2", "tier": "agency",
            "settings": {"timezone": "UTC", "locale": "en-US"}})
        ),
        ev!(WorkspaceDeleted, json!({"workspace_id": WS})),
        ev!(
            ApiKeyCreated,
            json!({"key_id": ID, "workspace_id": WS, "name": "backend",
            "prefix": "keel_live_Zsm6al", "key_hash": "ab12", "scopes": ["keys:read", "usage:write"],
            "expires_at": T, "rate_limit_tier": "pro", "environment": "live"})
        ),
        ev!(
            ApiKeyCreated,
            json!({"key_id": ID, "workspace_id": WS, "name": "df website key",
            "prefix": "keel_live_Zsm6al", "key_hash": "ab13", "scopes": ["events:write"],
            "expires_at": null, "rate_limit_tier": null, "environment": "live", "site_id": ID})
        ),
        ev!(
            ApiKeyRotated,
            json!({"key_id": ID, "workspace_id": WS, "prefix": "keel_live_new123",
            "key_hash": "cd34", "previous_prefix": "keel_live_Zsm6al", "previous_key_hash": "ab12",
            "previous_valid_until": T})
        ),
        ev!(
            ApiKeyRevoked,
            json!({"key_id": ID, "workspace_id": WS, "reason": "leaked"})
        ),
        ev!(
            SiteCreated,
            json!({"site_id": ID, "workspace_id": WS, "name": "Shop",
            "domain": "shop.example.com", "timezone": "Europe/Berlin", "currency": "EUR",
            "tracking_id": "kt_abc"})
        ),
        ev!(
            SiteUpdated,
            json!({"name": "Shop 2", "domain": "shop2.example.com",
            "timezone": "UTC", "currency": "USD"})
        ),
        ev!(SiteDeleted, json!({"site_id": ID, "workspace_id": WS})),
        ev!(PageviewRecorded, hit()),
        ev!(CustomEventRecorded, hit()),
        ev!(GoalCompleted, hit()),
        ev!(
            PaymentRecorded,
            json!({"site_id": ID, "workspace_id": WS, "transaction_id": "tx-1",
            "amount": 4999, "currency": "EUR", "visitor": "v-1", "visitor_id": "client-7",
            "customer_id": "cus_1", "email": "ada@example.com", "renewal": true, "refunded": true,
            "is_free_trial": true})
        ),
        ev!(
            PaymentRemoved,
            json!({"site_id": ID, "workspace_id": WS, "transaction_id": "tx-1"})
        ),
        ev!(
            VisitorIdentified,
            json!({"site_id": ID, "workspace_id": WS, "visitor": "v-1",
            "visitor_id": "client-7", "user_id": "u-1", "traits": {"plan": "pro"}})
        ),
        ev!(
            VisitorErased,
            json!({"site_id": ID, "workspace_id": WS, "visitor": "v-1",
            "key": "k-1"})
        ),
        ev!(
            DashboardCreated,
            json!({"dashboard_id": ID, "workspace_id": WS, "name": "Main",
            "widgets": [widget()]})
        ),
        ev!(
            DashboardCreated,
            json!({"dashboard_id": ID, "workspace_id": WS, "name": "Main",
            "description": "Revenue at a glance", "widgets": []})
        ),
        ev!(
            DashboardUpdated,
            json!({"name": "Main 2", "widgets": [widget(), widget()]})
        ),
        ev!(DashboardUpdated, json!({"description": "Now with churn"})),
        ev!(
            DashboardDeleted,
            json!({"dashboard_id": ID, "workspace_id": WS})
        ),
        ev!(
            FunnelCreated,
            json!({"funnel_id": ID, "site_id": ID, "workspace_id": WS, "name": "Signup",
            "steps": [{"type": "page", "value": "/pricing"}, {"type": "goal", "value": "signup"}],
            "window_minutes": 1440})
        ),
        ev!(FunnelUpdated, json!({"funnel_id": ID, "name": "Signup 2"})),
        ev!(
            FunnelUpdated,
            json!({"funnel_id": ID, "steps": [{"type": "page", "value": "/"},
            {"type": "page", "value": "/pricing"}], "window_minutes": 30})
        ),
        ev!(FunnelDeleted, json!({"funnel_id": ID, "site_id": ID})),
        ev!(
            AnalyticsDeleted,
            json!({"site_id": ID, "workspace_id": WS, "from": T, "to": "2026-03-02T00:00:00Z"})
        ),
        ev!(
            EntitlementSet,
            json!({"workspace_id": WS, "feature": "jobs", "kind": "metered",
            "limit": 100, "period": "month", "hard": true, "enabled": true,
            "config": {"x": 1}, "unit": "jobs"})
        ),
        ev!(
            EntitlementRemoved,
            json!({"workspace_id": WS, "feature": "jobs"})
        ),
        ev!(
            UsageRecorded,
            json!({"workspace_id": WS, "feature": "jobs", "quantity": 3,
            "usage_id": "u-1", "key_id": ID, "metadata": {"job": "a"}, "period_start": T,
            "limit": 100, "hard": true})
        ),
        ev!(
            UsageThresholdReached,
            json!({"workspace_id": WS, "feature": "jobs",
            "threshold": 80, "period_start": T, "used": 80, "limit": 100})
        ),
        ev!(
            DomainAdded,
            json!({"domain_id": ID, "workspace_id": WS, "name": "xn--bcher-kva.de",
            "unicode": "bücher.de", "tld": "de"})
        ),
        ev!(
            DomainUpdated,
            json!({"domain_id": ID, "workspace_id": WS, "tags": ["a", "b"],
            "notes": "n", "custom_label": "L", "folder_id": ID, "is_favorite": true})
        ),
        ev!(DomainRemoved, json!({"domain_id": ID, "workspace_id": WS})),
        ev!(DomainRestored, json!({"domain_id": ID, "workspace_id": WS})),
        ev!(
            DomainScanned,
            json!({"domain_id": ID, "workspace_id": WS,
            "fields": {"dmarc_policy_p": "reject", "spf": "v=spf1 -all"},
            "records": {"mx": ["10 mx.example.com."]}, "failed": ["caa"], "duration_ms": 42})
        ),
        ev!(
            DomainScanned,
            json!({"domain_id": ID, "workspace_id": WS, "fields": {}, "records": null,
            "duration_ms": 1800, "outcome": "failed",
            "error": "no nameserver answered for example.com: SERVFAIL from the nameserver"})
        ),
        ev!(
            DnsRecordChanged,
            json!({"domain_id": ID, "workspace_id": WS,
            "field_name": "spf", "old_value": "v=spf1 ~all", "new_value": "v=spf1 -all"})
        ),
        ev!(
            WhoisFetched,
            json!({"domain_id": ID, "workspace_id": WS,
            "whois": {"registrar": "Example Registrar", "expires_at": T}})
        ),
        ev!(
            FolderCreated,
            json!({"folder_id": ID, "workspace_id": WS, "name": "Clients"})
        ),
        ev!(
            FolderRenamed,
            json!({"folder_id": ID, "workspace_id": WS, "name": "Customers"})
        ),
        ev!(FolderDeleted, json!({"folder_id": ID, "workspace_id": WS})),
        ev!(
            WebhookCreated,
            json!({"webhook_id": ID, "workspace_id": WS,
            "url": "https://hooks.example.com/keel", "events": ["key.*"], "description": "d",
            "active": true, "secret_hint": "whsec_ab…", "secret_version": 1})
        ),
        ev!(
            WebhookUpdated,
            json!({"webhook_id": ID, "workspace_id": WS,
            "url": "https://hooks.example.com/v2", "events": ["*"], "description": "e",
            "active": false})
        ),
        ev!(
            WebhookSecretRotated,
            json!({"webhook_id": ID, "workspace_id": WS,
            "secret_hint": "whsec_cd…", "secret_version": 2, "previous_valid_until": T})
        ),
        ev!(
            WebhookDisabled,
            json!({"webhook_id": ID, "workspace_id": WS,
            "reason": "failing", "consecutive_failures": 20})
        ),
        ev!(
            WebhookDeleted,
            json!({"webhook_id": ID, "workspace_id": WS})
        ),
        ev!(
            UserCreated,
            json!({"user_id": ID, "email": "ada@example.com", "name": "Ada"})
        ),
        ev!(UserPasswordChanged, json!({"user_id": ID})),
        ev!(
            AccountTokenCreated,
            json!({"token_id": ID, "user_id": ID, "name": "laptop",
            "prefix": "keel_acct_abcdef", "token_hash": "h"})
        ),
        ev!(AccountTokenRevoked, json!({"token_id": ID, "user_id": ID})),
        ev!(
            MemberAdded,
            json!({"workspace_id": WS, "user_id": ID, "email": "ada@example.com",
            "role": "analyst", "invitation_id": ID})
        ),
        ev!(
            MemberRoleChanged,
            json!({"workspace_id": WS, "user_id": ID, "role": "admin", "previous_role": "analyst"})
        ),
        ev!(MemberRemoved, json!({"workspace_id": WS, "user_id": ID})),
        ev!(
            InvitationCreated,
            json!({"invitation_id": ID, "workspace_id": WS, "email": "bob@example.com",
            "role": "auditor", "expires_at": T, "token_hash": "h"})
        ),
        ev!(
            InvitationResent,
            json!({"invitation_id": ID, "workspace_id": WS, "expires_at": T,
            "token_hash": "h2", "previous_token_hash": "h"})
        ),
        ev!(
            InvitationRevoked,
            json!({"invitation_id": ID, "workspace_id": WS})
        ),
        ev!(
            InvitationAccepted,
            json!({"invitation_id": ID, "workspace_id": WS, "user_id": ID})
        ),
        ev!(UserSignedIn, json!({"user_id": ID, "session_id": "s-1"})),
        ev!(SecondFactorEnabled, json!({"user_id": ID})),
        ev!(SecondFactorDisabled, json!({"user_id": ID})),
        ev!(
            EmailVerified,
            json!({"user_id": ID, "email": "ada@example.com"})
        ),
        ev!(
            UserSignInFailed,
            json!({"user_id": ID, "reason": "wrong_password"})
        ),
        ev!(
            AlertCreated,
            json!({"alert_id": ID, "workspace_id": WS, "name": "Traffic drop",
            "condition": {"type": "traffic", "site_id": ID, "metric": "visitors", "op": "drops_by", "threshold": 50},
            "channels": [{"type": "email"}, {"type": "webhook", "webhook_id": ID},
                {"type": "slack", "url_hint": "https://hooks.slack.com/…wxyz"}],
            "window_minutes": 60, "enabled": true})
        ),
        ev!(
            AlertCreated,
            json!({"alert_id": ID, "workspace_id": WS, "name": "DNS",
            "condition": {"type": "dns_change", "domain_id": ID, "fields": ["mx"]},
            "channels": [{"type": "email", "roles": ["owner", "admin"]}],
            "window_minutes": 5, "enabled": false})
        ),
        ev!(
            AlertUpdated,
            json!({"condition": {"type": "key_unused", "days": 30}, "enabled": false})
        ),
        ev!(
            AlertUpdated,
            json!({"name": "Quota", "condition": {"type": "usage", "feature": "events", "percent": 80},
            "channels": [], "window_minutes": 1440})
        ),
        ev!(
            AlertUpdated,
            json!({"condition": {"type": "webhook_disabled", "webhook_id": ID}})
        ),
        ev!(AlertDeleted, json!({"alert_id": ID, "workspace_id": WS})),
        ev!(
            AlertFired,
            json!({"alert_id": ID, "workspace_id": WS, "name": "Traffic drop",
            "condition": {"type": "webhook_disabled"}, "value": 1,
            "summary": "1 webhook endpoint disabled", "window_start": T, "window_end": T,
            "webhook_ids": [ID]})
        ),
        ev!(
            AlertResolved,
            json!({"alert_id": ID, "workspace_id": WS, "name": "Traffic drop", "value": 0,
            "summary": "no webhook endpoint disabled", "fired_at": T})
        ),
        ev!(
            TrackingScanRequested,
            json!({"scan_id": ID, "workspace_id": WS, "url": "https://eshop.cz/",
            "options": {"ai_summary": true, "pagespeed": true, "language": "cs",
            "monthly_visitors": 20000, "monthly_revenue": 500000, "currency": "CZK"},
            "key_id": ID, "request_id": "req_1"})
        ),
        ev!(
            TrackingScanRequested,
            json!({"scan_id": ID, "workspace_id": WS, "url": "https://eshop.cz/",
            "options": {"ai_summary": false, "pagespeed": false, "language": "en"}})
        ),
        ev!(
            TrackingScanCompleted,
            json!({"scan_id": ID, "workspace_id": WS, "url": "https://eshop.cz/",
            "final_url": "https://www.eshop.cz/", "signatures_version": "2026-12-06",
            "duration_ms": 912, "result": {"trackers": [{"id": "ga4", "ids": ["G-ABC123"]}]}})
        ),
        ev!(
            TrackingScanFailed,
            json!({"scan_id": ID, "workspace_id": WS, "url": "https://eshop.cz/",
            "code": "dns", "message": "eshop.cz does not resolve", "duration_ms": 12})
        ),
        ev!(
            SeoReportSubmitted,
            json!({"report_id": ID, "page_id": ID, "workspace_id": WS,
            "url": "https://example.com/page", "scores": {"performance": 85, "seo": 95},
            "issues": [{"type": "missing_alt", "severity": "warning", "element": "img.hero-image"},
                {"type": "missing_h1", "severity": "warning", "element": "",
                 "details": {"h1_count": 0}}],
            "source": "tracking_checker", "scan_id": ID})
        ),
        ev!(
            SeoIssueOpened,
            json!({"issue_id": ID, "page_id": ID, "workspace_id": WS, "report_id": ID,
            "url": "https://example.com/page", "issue_type": "missing_alt", "severity": "warning",
            "element": "img.hero-image", "details": {"src": "/hero.jpg"}, "reopened": true})
        ),
        ev!(
            SeoIssueResolved,
            json!({"issue_id": ID, "page_id": ID, "workspace_id": WS, "report_id": ID,
            "url": "https://example.com/page"})
        ),
        ev!(
            McpToolCalled,
            json!({"call_id": ID, "workspace_id": WS, "server": "keys", "tool": "revoke_key",
            "arguments_sha256": "ab12", "outcome": "ok", "status": 200, "duration_ms": 14,
            "via": "mcp", "protocol_version": "2026-07-28", "client": "claude-code"})
        ),
        ev!(
            McpToolCalled,
            json!({"call_id": ID, "workspace_id": WS, "server": "analytics", "tool": "nope",
            "arguments_sha256": "ab12", "outcome": "refused", "error": "Unknown tool: `nope`",
            "duration_ms": 0, "via": "rest"})
        ),
        ev!(
            McpServerRegistered,
            json!({"workspace_id": WS, "name": "weather", "title": "Weather",
            "url": "https://mcp.example.com/mcp", "timeout_ms": 10000, "active": true,
            "credential_header": "Authorization", "credential_hint": "sk_l…", "credential_id": 1,
            "discovery": {"protocol_version": "2025-11-25", "server_name": "weather", "server_version": "1.0",
            "tools": [{"name": "forecast", "description": "The forecast", "input_schema":
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            "annotations": {"readOnlyHint": true}}]}})
        ),
        ev!(
            McpServerRegistered,
            json!({"workspace_id": WS, "name": "open", "title": "open", "url": "https://o.example/mcp",
            "timeout_ms": 5000, "active": false, "credential_id": 0,
            "discovery": {"protocol_version": "2026-07-28", "tools": []}})
        ),
        ev!(
            McpServerUpdated,
            json!({"workspace_id": WS, "name": "weather", "active": false, "credential_id": 0})
        ),
        ev!(
            McpServerRemoved,
            json!({"workspace_id": WS, "name": "weather"})
        ),
        ev!(
            PaymentRefunded,
            json!({"site_id": ID, "workspace_id": WS, "transaction_id": "pi_123",
            "refund_id": "re_1", "amount": 500})
        ),
        ev!(
            IntegrationConnected,
            json!({"integration_id": ID, "workspace_id": WS, "site_id": ID, "kind": "stripe",
            "livemode": false, "credential_hint": "rk_test_AbCd…", "credential_id": 77,
            "webhook_secret_hint": "whsec_Ab…", "webhook_secret_id": 78,
            "settings": {"scheduled_cancellation": "immediately", "limited_coupons": "ignore"}})
        ),
        ev!(
            IntegrationConnected,
            json!({"integration_id": ID, "workspace_id": WS, "site_id": ID, "kind": "stripe",
            "livemode": true, "credential_hint": "sk_live_AbCd…", "credential_id": 77,
            "webhook_secret_id": 0})
        ),
        ev!(
            IntegrationPaused,
            json!({"integration_id": ID, "workspace_id": WS})
        ),
        ev!(
            IntegrationResumed,
            json!({"integration_id": ID, "workspace_id": WS})
        ),
        ev!(
            IntegrationSynced,
            json!({"integration_id": ID, "workspace_id": WS, "started_at": "2026-12-07T05:00:00Z",
            "objects": 12, "payments": 10, "refunds": 2, "cursor": 1796620971})
        ),
        ev!(
            IntegrationSyncFailed,
            json!({"integration_id": ID, "workspace_id": WS, "started_at": "2026-12-07T05:00:00Z",
            "error": "Stripe answered 401: Invalid API Key provided"})
        ),
        ev!(
            IntegrationRemoved,
            json!({"integration_id": ID, "workspace_id": WS})
        ),
        ev!(
            MetricRecorded,
            json!({"workspace_id": WS, "metric_id": "hubspot_deals", "point_id": "d-2026-12-07",
            "value": 12.5, "unit": "USD", "timestamp": 1796620971000_i64,
            "metadata": {"pipeline": "sales"}})
        ),
        ev!(
            MetricRecorded,
            json!({"workspace_id": WS, "metric_id": "signups", "point_id": "p1", "value": 3,
            "timestamp": 0})
        ),
        ev!(
            IntegrationUpdated,
            json!({"integration_id": ID, "workspace_id": WS, "settings": {
            "scheduled_cancellation": "immediately", "limited_coupons": "apply"}})
        ),
        ev!(
            SubscriptionChanged,
            json!({"site_id": ID, "workspace_id": WS, "subscription_id": "sub_1", "customer": "ab12",
            "visitor": "cd34", "status": "active", "currency": "EUR", "plan": "price_1×2 10.00/month",
            "cancel_at_period_end": false, "mrr": 2000, "previous_mrr": 1000,
            "movement": "expansion", "amount": 1000, "effective_at": T, "seen_at": 1796620971123_i64})
        ),
        ev!(
            SubscriptionChanged,
            json!({"site_id": ID, "workspace_id": WS, "subscription_id": "sub_2", "customer": "ab12",
            "status": "canceled", "currency": "USD", "plan": "plan_y 120.00/year",
            "cancel_at_period_end": false, "mrr": 0, "previous_mrr": 1000, "amount": 0,
            "effective_at": T, "seen_at": 1796620971123_i64})
        ),
    ]
}

#[test]
fn every_variant_has_a_sample_and_a_type() {
    let samples = samples();
    let mut seen = vec![false; EVENT_TYPES.len()];
    for e in &samples {
        let i = index(e);
        assert!(
            i < EVENT_TYPES.len(),
            "{} has no place in EVENT_TYPES",
            e.event_type()
        );
        assert_eq!(EVENT_TYPES[i], e.event_type(), "EVENT_TYPES order");
        seen[i] = true;
    }
    let missing: Vec<&str> = EVENT_TYPES
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !**s)
        .map(|(t, _)| *t)
        .collect();
    assert!(missing.is_empty(), "no sample for {missing:?}");
}

#[test]
fn every_variant_round_trips_through_its_stored_shape() {
    for e in samples() {
        let s = to_stored(&e);
        assert_eq!(s.event_type, e.event_type());
        assert_eq!(s.schema_version, current_version(s.event_type));
        // Through text, as the database keeps it.
        let text = s.payload.to_string();
        let back = from_stored(
            s.event_type,
            s.schema_version,
            serde_json::from_str(&text).unwrap(),
        )
        .unwrap_or_else(|err| panic!("{}: {err}", s.event_type));
        assert_eq!(back, e, "{}", s.event_type);
    }
}

#[test]
fn every_variant_round_trips_through_the_wire() {
    let at: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 12, 3, 10, 11, 12).unwrap();
    for (i, e) in samples().into_iter().enumerate() {
        let recorded = RecordedEvent {
            event_id: EventId::new_v7(),
            tenant_id: WS.parse::<WorkspaceId>().unwrap(),
            stream_id: StreamId(format!("test-{i}")),
            stream_version: i as i64 + 1,
            position: 1000 + i as i64,
            schema_version: current_version(e.event_type()),
            event: e,
            metadata: Metadata::system(),
            occurred_at: at,
            recorded_at: at,
        };
        let back = wire::decode(&wire::encode(&recorded)).unwrap();
        assert_eq!(back, recorded, "{}", recorded.event.event_type());
    }
}

#[test]
fn events_with_personal_data_round_trip_sealed_and_opened() {
    let key = SubjectKey::generate();
    let mut personal = 0;
    for e in samples() {
        if subject(&e).is_none() {
            continue;
        }
        personal += 1;
        let mut sealed = e.clone();
        seal(&mut sealed, &key);
        assert_ne!(sealed, e, "{}: nothing was sealed", e.event_type());
        let s = to_stored(&sealed);
        let mut back = from_stored(s.event_type, s.schema_version, s.payload).unwrap();
        open(&mut back, Some(&key)).unwrap();
        assert_eq!(back, e, "{}", e.event_type());
    }
    assert!(
        personal >= 5,
        "hits, payments and identifications carry personal data"
    );
}
