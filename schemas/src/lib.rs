//! How events are stored and shown: `(event_type, schema_version, payload)` triples, upcasters that
//! lift old payload versions to the current shape on every read, and the fixed timestamp format
//! used in every table. The SQL migrations live beside this crate in `migrations/`.

use chrono::{DateTime, SecondsFormat, Utc};
use keel_events::DomainEvent;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The schema version written for new events of a type (1 unless the type has evolved).
pub fn current_version(event_type: &str) -> i32 {
    match event_type {
        // v2: the key's environment is recorded instead of being read off its prefix.
        "key.created" => 2,
        _ => 1,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("unknown event type `{0}`")]
    UnknownType(String),
    #[error("event type `{event_type}` has no schema version {version}")]
    UnknownVersion { event_type: String, version: i32 },
    #[error("payload of `{event_type}` does not match its schema: {source}")]
    Payload {
        event_type: String,
        source: serde_json::Error,
    },
    #[error("bad timestamp `{0}`")]
    Timestamp(String),
}

/// The stored form of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub event_type: &'static str,
    pub schema_version: i32,
    pub payload: Value,
}

pub fn to_stored(event: &DomainEvent) -> StoredEvent {
    let payload = match event {
        DomainEvent::WorkspaceCreated(e) => serde_json::to_value(e),
        DomainEvent::WorkspaceUpdated(e) => serde_json::to_value(e),
        DomainEvent::WorkspaceDeleted(e) => serde_json::to_value(e),
        DomainEvent::ApiKeyCreated(e) => serde_json::to_value(e),
        DomainEvent::ApiKeyRotated(e) => serde_json::to_value(e),
        DomainEvent::ApiKeyRevoked(e) => serde_json::to_value(e),
        DomainEvent::SiteCreated(e) => serde_json::to_value(e),
        DomainEvent::SiteUpdated(e) => serde_json::to_value(e),
        DomainEvent::SiteDeleted(e) => serde_json::to_value(e),
        DomainEvent::PageviewRecorded(e)
        | DomainEvent::CustomEventRecorded(e)
        | DomainEvent::GoalCompleted(e) => serde_json::to_value(e),
        DomainEvent::PaymentRecorded(e) => serde_json::to_value(e),
        DomainEvent::PaymentRemoved(e) => serde_json::to_value(e),
        DomainEvent::VisitorIdentified(e) => serde_json::to_value(e),
        DomainEvent::VisitorErased(e) => serde_json::to_value(e),
        DomainEvent::DashboardCreated(e) => serde_json::to_value(e),
        DomainEvent::DashboardUpdated(e) => serde_json::to_value(e),
        DomainEvent::DashboardDeleted(e) => serde_json::to_value(e),
        DomainEvent::EntitlementSet(e) => serde_json::to_value(e),
        DomainEvent::EntitlementRemoved(e) => serde_json::to_value(e),
        DomainEvent::UsageRecorded(e) => serde_json::to_value(e),
        DomainEvent::UsageThresholdReached(e) => serde_json::to_value(e),
        DomainEvent::DomainAdded(e) => serde_json::to_value(e),
        DomainEvent::DomainUpdated(e) => serde_json::to_value(e),
        DomainEvent::DomainRemoved(e) => serde_json::to_value(e),
        DomainEvent::DomainRestored(e) => serde_json::to_value(e),
        DomainEvent::DomainScanned(e) => serde_json::to_value(e),
        DomainEvent::DnsRecordChanged(e) => serde_json::to_value(e),
        DomainEvent::WhoisFetched(e) => serde_json::to_value(e),
        DomainEvent::FolderCreated(e) => serde_json::to_value(e),
        DomainEvent::FolderRenamed(e) => serde_json::to_value(e),
        DomainEvent::FolderDeleted(e) => serde_json::to_value(e),
        DomainEvent::WebhookCreated(e) => serde_json::to_value(e),
        DomainEvent::WebhookUpdated(e) => serde_json::to_value(e),
        DomainEvent::WebhookSecretRotated(e) => serde_json::to_value(e),
        DomainEvent::WebhookDisabled(e) => serde_json::to_value(e),
        DomainEvent::WebhookDeleted(e) => serde_json::to_value(e),
        DomainEvent::FunnelCreated(e) => serde_json::to_value(e),
        DomainEvent::FunnelUpdated(e) => serde_json::to_value(e),
        DomainEvent::FunnelDeleted(e) => serde_json::to_value(e),
        DomainEvent::AnalyticsDeleted(e) => serde_json::to_value(e),
        DomainEvent::UserCreated(e) => serde_json::to_value(e),
        DomainEvent::UserPasswordChanged(e) => serde_json::to_value(e),
        DomainEvent::AccountTokenCreated(e) => serde_json::to_value(e),
        DomainEvent::AccountTokenRevoked(e) => serde_json::to_value(e),
        DomainEvent::MemberAdded(e) => serde_json::to_value(e),
        DomainEvent::MemberRoleChanged(e) => serde_json::to_value(e),
        DomainEvent::MemberRemoved(e) => serde_json::to_value(e),
        DomainEvent::InvitationCreated(e) => serde_json::to_value(e),
        DomainEvent::InvitationResent(e) => serde_json::to_value(e),
        DomainEvent::InvitationRevoked(e) => serde_json::to_value(e),
        DomainEvent::InvitationAccepted(e) => serde_json::to_value(e),
        DomainEvent::UserSignedIn(e) => serde_json::to_value(e),
        DomainEvent::UserSignInFailed(e) => serde_json::to_value(e),
        DomainEvent::SecondFactorEnabled(e) => serde_json::to_value(e),
        DomainEvent::SecondFactorDisabled(e) => serde_json::to_value(e),
        DomainEvent::EmailVerified(e) => serde_json::to_value(e),
        DomainEvent::AlertCreated(e) => serde_json::to_value(e),
        DomainEvent::AlertUpdated(e) => serde_json::to_value(e),
        DomainEvent::AlertDeleted(e) => serde_json::to_value(e),
        DomainEvent::AlertFired(e) => serde_json::to_value(e),
        DomainEvent::AlertResolved(e) => serde_json::to_value(e),
        DomainEvent::TrackingScanRequested(e) => serde_json::to_value(e),
        DomainEvent::TrackingScanCompleted(e) => serde_json::to_value(e),
        DomainEvent::TrackingScanFailed(e) => serde_json::to_value(e),
        DomainEvent::McpToolCalled(e) => serde_json::to_value(e),
        DomainEvent::McpServerRegistered(e) => serde_json::to_value(e),
        DomainEvent::McpServerUpdated(e) => serde_json::to_value(e),
        DomainEvent::McpServerRemoved(e) => serde_json::to_value(e),
        DomainEvent::PaymentRefunded(e) => serde_json::to_value(e),
        DomainEvent::MetricRecorded(e) => serde_json::to_value(e),
        DomainEvent::IntegrationConnected(e) => serde_json::to_value(e),
        DomainEvent::IntegrationPaused(e) => serde_json::to_value(e),
        DomainEvent::IntegrationResumed(e) => serde_json::to_value(e),
        DomainEvent::IntegrationSynced(e) => serde_json::to_value(e),
        DomainEvent::IntegrationSyncFailed(e) => serde_json::to_value(e),
        DomainEvent::IntegrationRemoved(e) => serde_json::to_value(e),
        DomainEvent::IntegrationUpdated(e) => serde_json::to_value(e),
        DomainEvent::SubscriptionChanged(e) => serde_json::to_value(e),
        DomainEvent::SeoReportSubmitted(e) => serde_json::to_value(e),
        DomainEvent::SeoIssueOpened(e) => serde_json::to_value(e),
        DomainEvent::SeoIssueResolved(e) => serde_json::to_value(e),
    }
    // Serialising plain structs of strings, numbers and enums cannot fail.
    .unwrap_or(Value::Null);
    StoredEvent {
        event_type: event.event_type(),
        schema_version: current_version(event.event_type()),
        payload,
    }
}

fn parse<T: DeserializeOwned>(event_type: &str, payload: Value) -> Result<T, SchemaError> {
    serde_json::from_value(payload).map_err(|source| SchemaError::Payload {
        event_type: event_type.into(),
        source,
    })
}

/// Lift a payload of an older schema version to the current one, a version at a time, so every
/// read path (aggregate loads, the relay and Kafka consumers, the log-fed projectors, the audit
/// API, replays) sees only the current shape. Stored rows are never rewritten.
pub fn upcast(event_type: &str, version: i32, payload: Value) -> Result<Value, SchemaError> {
    let current = current_version(event_type);
    if !(1..=current).contains(&version) {
        return Err(SchemaError::UnknownVersion {
            event_type: event_type.into(),
            version,
        });
    }
    let mut payload = payload;
    for from in version..current {
        payload = match (event_type, from) {
            ("key.created", 1) => key_created_v1_to_v2(payload),
            _ => {
                return Err(SchemaError::UnknownVersion {
                    event_type: event_type.into(),
                    version: from,
                })
            }
        };
    }
    Ok(payload)
}

/// `key.created` v1 → v2: the environment, which v1 left to the prefix.
fn key_created_v1_to_v2(mut payload: Value) -> Value {
    if let Value::Object(m) = &mut payload {
        let test = m
            .get("prefix")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("keel_test_"));
        m.entry("environment")
            .or_insert_with(|| Value::String(if test { "test" } else { "live" }.into()));
    }
    payload
}

pub fn from_stored(
    event_type: &str,
    schema_version: i32,
    payload: Value,
) -> Result<DomainEvent, SchemaError> {
    let payload = upcast(event_type, schema_version, payload)?;
    Ok(match event_type {
        "workspace.created" => DomainEvent::WorkspaceCreated(parse(event_type, payload)?),
        "workspace.updated" => DomainEvent::WorkspaceUpdated(parse(event_type, payload)?),
        "workspace.deleted" => DomainEvent::WorkspaceDeleted(parse(event_type, payload)?),
        "key.created" => DomainEvent::ApiKeyCreated(parse(event_type, payload)?),
        "key.rotated" => DomainEvent::ApiKeyRotated(parse(event_type, payload)?),
        "key.revoked" => DomainEvent::ApiKeyRevoked(parse(event_type, payload)?),
        "site.created" => DomainEvent::SiteCreated(parse(event_type, payload)?),
        "site.updated" => DomainEvent::SiteUpdated(parse(event_type, payload)?),
        "site.deleted" => DomainEvent::SiteDeleted(parse(event_type, payload)?),
        "pageview.recorded" => DomainEvent::PageviewRecorded(parse(event_type, payload)?),
        "custom_event.recorded" => DomainEvent::CustomEventRecorded(parse(event_type, payload)?),
        "goal.completed" => DomainEvent::GoalCompleted(parse(event_type, payload)?),
        "payment.recorded" => DomainEvent::PaymentRecorded(parse(event_type, payload)?),
        "payment.removed" => DomainEvent::PaymentRemoved(parse(event_type, payload)?),
        "visitor.identified" => DomainEvent::VisitorIdentified(parse(event_type, payload)?),
        "visitor.erased" => DomainEvent::VisitorErased(parse(event_type, payload)?),
        "dashboard.created" => DomainEvent::DashboardCreated(parse(event_type, payload)?),
        "dashboard.updated" => DomainEvent::DashboardUpdated(parse(event_type, payload)?),
        "dashboard.deleted" => DomainEvent::DashboardDeleted(parse(event_type, payload)?),
        "entitlement.set" => DomainEvent::EntitlementSet(parse(event_type, payload)?),
        "entitlement.removed" => DomainEvent::EntitlementRemoved(parse(event_type, payload)?),
        "usage.recorded" => DomainEvent::UsageRecorded(parse(event_type, payload)?),
        "usage.threshold_reached" => {
            DomainEvent::UsageThresholdReached(parse(event_type, payload)?)
        }
        "domain.added" => DomainEvent::DomainAdded(parse(event_type, payload)?),
        "domain.updated" => DomainEvent::DomainUpdated(parse(event_type, payload)?),
        "domain.removed" => DomainEvent::DomainRemoved(parse(event_type, payload)?),
        "domain.restored" => DomainEvent::DomainRestored(parse(event_type, payload)?),
        "domain.scanned" => DomainEvent::DomainScanned(parse(event_type, payload)?),
        "domain.dns_changed" => DomainEvent::DnsRecordChanged(parse(event_type, payload)?),
        "domain.whois_fetched" => DomainEvent::WhoisFetched(parse(event_type, payload)?),
        "folder.created" => DomainEvent::FolderCreated(parse(event_type, payload)?),
        "folder.renamed" => DomainEvent::FolderRenamed(parse(event_type, payload)?),
        "folder.deleted" => DomainEvent::FolderDeleted(parse(event_type, payload)?),
        "webhook.created" => DomainEvent::WebhookCreated(parse(event_type, payload)?),
        "webhook.updated" => DomainEvent::WebhookUpdated(parse(event_type, payload)?),
        "webhook.secret_rotated" => DomainEvent::WebhookSecretRotated(parse(event_type, payload)?),
        "webhook.disabled" => DomainEvent::WebhookDisabled(parse(event_type, payload)?),
        "webhook.deleted" => DomainEvent::WebhookDeleted(parse(event_type, payload)?),
        "funnel.created" => DomainEvent::FunnelCreated(parse(event_type, payload)?),
        "funnel.updated" => DomainEvent::FunnelUpdated(parse(event_type, payload)?),
        "funnel.deleted" => DomainEvent::FunnelDeleted(parse(event_type, payload)?),
        "site.data_deleted" => DomainEvent::AnalyticsDeleted(parse(event_type, payload)?),
        "user.created" => DomainEvent::UserCreated(parse(event_type, payload)?),
        "user.password_changed" => DomainEvent::UserPasswordChanged(parse(event_type, payload)?),
        "account_token.created" => DomainEvent::AccountTokenCreated(parse(event_type, payload)?),
        "account_token.revoked" => DomainEvent::AccountTokenRevoked(parse(event_type, payload)?),
        "member.added" => DomainEvent::MemberAdded(parse(event_type, payload)?),
        "member.role_changed" => DomainEvent::MemberRoleChanged(parse(event_type, payload)?),
        "member.removed" => DomainEvent::MemberRemoved(parse(event_type, payload)?),
        "invitation.created" => DomainEvent::InvitationCreated(parse(event_type, payload)?),
        "invitation.resent" => DomainEvent::InvitationResent(parse(event_type, payload)?),
        "invitation.revoked" => DomainEvent::InvitationRevoked(parse(event_type, payload)?),
        "invitation.accepted" => DomainEvent::InvitationAccepted(parse(event_type, payload)?),
        "user.signed_in" => DomainEvent::UserSignedIn(parse(event_type, payload)?),
        "user.sign_in_failed" => DomainEvent::UserSignInFailed(parse(event_type, payload)?),
        "user.second_factor_enabled" => {
            DomainEvent::SecondFactorEnabled(parse(event_type, payload)?)
        }
        "user.second_factor_disabled" => {
            DomainEvent::SecondFactorDisabled(parse(event_type, payload)?)
        }
        "user.email_verified" => DomainEvent::EmailVerified(parse(event_type, payload)?),
        "alert.created" => DomainEvent::AlertCreated(parse(event_type, payload)?),
        "alert.updated" => DomainEvent::AlertUpdated(parse(event_type, payload)?),
        "alert.deleted" => DomainEvent::AlertDeleted(parse(event_type, payload)?),
        "alert.fired" => DomainEvent::AlertFired(parse(event_type, payload)?),
        "alert.resolved" => DomainEvent::AlertResolved(parse(event_type, payload)?),
        "tracking_scan.requested" => {
            DomainEvent::TrackingScanRequested(parse(event_type, payload)?)
        }
        "tracking_scan.completed" => {
            DomainEvent::TrackingScanCompleted(parse(event_type, payload)?)
        }
        "tracking_scan.failed" => DomainEvent::TrackingScanFailed(parse(event_type, payload)?),
        "mcp.tool_called" => DomainEvent::McpToolCalled(parse(event_type, payload)?),
        "mcp_server.registered" => DomainEvent::McpServerRegistered(parse(event_type, payload)?),
        "mcp_server.updated" => DomainEvent::McpServerUpdated(parse(event_type, payload)?),
        "mcp_server.removed" => DomainEvent::McpServerRemoved(parse(event_type, payload)?),
        "payment.refunded" => DomainEvent::PaymentRefunded(parse(event_type, payload)?),
        "metric.recorded" => DomainEvent::MetricRecorded(parse(event_type, payload)?),
        "integration.connected" => DomainEvent::IntegrationConnected(parse(event_type, payload)?),
        "integration.paused" => DomainEvent::IntegrationPaused(parse(event_type, payload)?),
        "integration.resumed" => DomainEvent::IntegrationResumed(parse(event_type, payload)?),
        "integration.synced" => DomainEvent::IntegrationSynced(parse(event_type, payload)?),
        "integration.sync_failed" => {
            DomainEvent::IntegrationSyncFailed(parse(event_type, payload)?)
        }
        "integration.removed" => DomainEvent::IntegrationRemoved(parse(event_type, payload)?),
        "integration.updated" => DomainEvent::IntegrationUpdated(parse(event_type, payload)?),
        "subscription.changed" => DomainEvent::SubscriptionChanged(parse(event_type, payload)?),
        "seo.report_submitted" => DomainEvent::SeoReportSubmitted(parse(event_type, payload)?),
        "seo.issue_opened" => DomainEvent::SeoIssueOpened(parse(event_type, payload)?),
        "seo.issue_resolved" => DomainEvent::SeoIssueResolved(parse(event_type, payload)?),
        other => return Err(SchemaError::UnknownType(other.into())),
    })
}

/// The public JSON of an event's payload with secrets' hashes removed (audit API, webhooks).
pub fn public_payload(event: &DomainEvent) -> Value {
    let mut v = to_stored(event).payload;
    if let Value::Object(map) = &mut v {
        map.remove("key_hash");
        map.remove("previous_key_hash");
        map.remove("token_hash");
        map.remove("previous_token_hash");
        // Personal fields not opened by the reader: say whether they are erased, never show the
        // ciphertext.
        if let Some(sealed) = map.remove("sealed") {
            let erased = sealed.get("data").and_then(Value::as_str) == Some("");
            map.insert(
                "personal_data".into(),
                Value::String(if erased { "erased" } else { "sealed" }.into()),
            );
        }
    }
    v
}

/// One event as auditors and webhook receivers see it: its place in the log, who caused it, and
/// its public payload in the type's current shape.
pub fn public_event(e: &keel_events::RecordedEvent) -> Value {
    serde_json::to_value(PublicEvent::of(e)).unwrap_or(Value::Null)
}

/// [`public_event`] before it becomes a JSON tree: serialized straight to text where only text
/// is needed (webhook bodies). Fields in alphabetical order, as a JSON object prints them. Also
/// the schema of every history and audit row in the OpenAPI document.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct PublicEvent<'a> {
    /// `operator`, `key:<id>`, `user:<id>` or `system`
    #[schema(value_type = String)]
    actor: &'a keel_events::Actor,
    /// The event that caused this one, if any.
    #[schema(value_type = Option<String>)]
    causation_id: &'a Option<keel_events::EventId>,
    /// The address the command came from, when it came over HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    client_ip: &'a Option<String>,
    #[schema(value_type = Option<String>)]
    correlation_id: &'a Option<String>,
    /// The event's fields, always in the type's current shape (the row may hold an older one).
    #[schema(value_type = Object)]
    data: Data<'a>,
    #[schema(value_type = String)]
    event_id: &'a keel_events::EventId,
    /// e.g. `key.rotated`
    event_type: &'static str,
    occurred_at: String,
    /// Position in the log (global order).
    position: i64,
    recorded_at: String,
    #[schema(value_type = Option<String>)]
    request_id: &'a Option<String>,
    schema_version: i32,
    stored_schema_version: i32,
    #[schema(value_type = String)]
    stream_id: &'a keel_events::StreamId,
    /// Version of its stream.
    version: i64,
    #[schema(value_type = String)]
    workspace_id: &'a keel_events::WorkspaceId,
}

impl<'a> PublicEvent<'a> {
    pub fn of(e: &'a keel_events::RecordedEvent) -> PublicEvent<'a> {
        PublicEvent {
            actor: &e.metadata.actor,
            causation_id: &e.metadata.causation_id,
            client_ip: &e.metadata.client_ip,
            correlation_id: &e.metadata.correlation_id,
            data: Data::of(&e.event),
            event_id: &e.event_id,
            event_type: e.event_type(),
            occurred_at: format_ts(e.occurred_at),
            position: e.position,
            recorded_at: format_ts(e.recorded_at),
            request_id: &e.metadata.request_id,
            schema_version: current_version(e.event_type()),
            stored_schema_version: e.schema_version,
            stream_id: &e.stream_id,
            version: e.stream_version,
            workspace_id: &e.tenant_id,
        }
    }
}

/// An event's public payload: a hit (the bulk of the log) with nothing sealed serialized as it
/// is, since [`public_payload`] would change nothing in it; anything else through the JSON tree.
enum Data<'a> {
    Hit(&'a keel_events::Hit),
    Tree(Value),
}

impl<'a> Data<'a> {
    fn of(event: &'a DomainEvent) -> Data<'a> {
        match event {
            DomainEvent::PageviewRecorded(h)
            | DomainEvent::CustomEventRecorded(h)
            | DomainEvent::GoalCompleted(h)
                if h.sealed.is_none() =>
            {
                Data::Hit(h)
            }
            other => Data::Tree(public_payload(other)),
        }
    }
}

impl serde::Serialize for Data<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Hit(h) => h.serialize(s),
            Data::Tree(v) => v.serialize(s),
        }
    }
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text with microseconds, so that text order is
/// time order in every backend.
pub fn format_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, SchemaError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| SchemaError::Timestamp(s.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel_events::{ApiKeyId, ApiKeyRevoked, WorkspaceId};

    #[test]
    fn hits_serialize_to_the_same_public_json_as_the_tree() {
        let ws = WorkspaceId::new_v7();
        let hit: keel_events::Hit = serde_json::from_value(serde_json::json!({
            "site_id": keel_events::SiteId::new_v7(), "workspace_id": ws, "visitor": "v1",
            "visitor_id": "client-7", "url": "https://shop.example.com/p/1",
            "referrer": "https://www.google.com/", "name": "pageview", "props": {"plan": "pro"}
        }))
        .unwrap();
        let e = DomainEvent::PageviewRecorded(hit);
        assert!(matches!(Data::of(&e), Data::Hit(_)));
        assert_eq!(
            serde_json::to_value(Data::of(&e)).unwrap(),
            public_payload(&e)
        );
    }

    #[test]
    fn events_round_trip_through_their_stored_shape() {
        let e = DomainEvent::ApiKeyRevoked(ApiKeyRevoked {
            key_id: ApiKeyId::new_v7(),
            workspace_id: WorkspaceId::new_v7(),
            reason: Some("leaked".into()),
        });
        let s = to_stored(&e);
        assert_eq!(s.event_type, "key.revoked");
        assert_eq!(
            from_stored(s.event_type, s.schema_version, s.payload).expect("parses"),
            e
        );
    }

    #[test]
    fn unknown_types_and_versions_are_errors_not_panics() {
        assert!(matches!(
            from_stored("nope", 1, Value::Null),
            Err(SchemaError::UnknownType(_))
        ));
        assert!(matches!(
            from_stored("key.revoked", 99, Value::Null),
            Err(SchemaError::UnknownVersion { .. })
        ));
        assert!(matches!(
            from_stored("key.revoked", 1, Value::Null),
            Err(SchemaError::Payload { .. })
        ));
    }

    #[test]
    fn old_key_created_payloads_are_lifted_to_v2() {
        let v1 = serde_json::json!({
            "key_id": ApiKeyId::new_v7(), "workspace_id": WorkspaceId::new_v7(), "name": "ci",
            "prefix": "keel_test_abcd", "key_hash": "h", "scopes": ["keys:read"],
            "expires_at": null, "rate_limit_tier": null,
        });
        let Ok(DomainEvent::ApiKeyCreated(k)) = from_stored("key.created", 1, v1.clone()) else {
            panic!("a v1 key.created must read")
        };
        assert_eq!(k.environment, "test");
        // A v1 payload is not a v2 one: the upcaster is what makes it readable.
        assert!(from_stored("key.created", 2, v1).is_err());
        let stored = to_stored(&DomainEvent::ApiKeyCreated(k.clone()));
        assert_eq!(
            (stored.event_type, stored.schema_version),
            ("key.created", 2)
        );
        assert_eq!(
            from_stored("key.created", 2, stored.payload).expect("v2 reads"),
            DomainEvent::ApiKeyCreated(k)
        );
        assert!(matches!(
            from_stored("key.created", 3, Value::Null),
            Err(SchemaError::UnknownVersion { .. })
        ));
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = parse_ts("2026-01-02T03:04:05Z").expect("ts");
        let b = a + chrono::Duration::microseconds(1);
        assert!(format_ts(a) < format_ts(b));
        assert_eq!(format_ts(a), "2026-01-02T03:04:05.000000Z");
        assert_eq!(parse_ts(&format_ts(b)).expect("ts"), b);
    }
}

/// The message format on Kafka: one JSON object per event, the payload in its stored shape (so
/// consumers upcast it like any other reader).
pub mod personal;
pub mod wire {
    use super::*;
    use keel_events::{Metadata, RecordedEvent, StreamId};
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct WireEvent {
        event_id: String,
        tenant_id: String,
        stream_id: String,
        stream_version: i64,
        position: i64,
        event_type: String,
        schema_version: i32,
        payload: Value,
        metadata: Metadata,
        occurred_at: String,
        recorded_at: String,
    }

    pub fn encode(e: &RecordedEvent) -> Vec<u8> {
        let stored = to_stored(&e.event);
        let w = WireEvent {
            event_id: e.event_id.to_string(),
            tenant_id: e.tenant_id.to_string(),
            stream_id: e.stream_id.to_string(),
            stream_version: e.stream_version,
            position: e.position,
            event_type: stored.event_type.into(),
            schema_version: stored.schema_version,
            payload: stored.payload,
            metadata: e.metadata.clone(),
            occurred_at: format_ts(e.occurred_at),
            recorded_at: format_ts(e.recorded_at),
        };
        serde_json::to_vec(&w).unwrap_or_default()
    }

    #[derive(Debug, thiserror::Error)]
    pub enum WireError {
        #[error("not a Keel event message: {0}")]
        Json(#[from] serde_json::Error),
        #[error(transparent)]
        Schema(#[from] SchemaError),
        #[error("bad id: {0}")]
        Id(String),
    }

    pub fn decode(bytes: &[u8]) -> Result<RecordedEvent, WireError> {
        let w: WireEvent = serde_json::from_slice(bytes)?;
        Ok(RecordedEvent {
            event_id: w
                .event_id
                .parse()
                .map_err(|_| WireError::Id(w.event_id.clone()))?,
            tenant_id: w
                .tenant_id
                .parse()
                .map_err(|_| WireError::Id(w.tenant_id.clone()))?,
            stream_id: StreamId(w.stream_id),
            stream_version: w.stream_version,
            position: w.position,
            event: from_stored(&w.event_type, w.schema_version, w.payload)?,
            schema_version: w.schema_version,
            metadata: w.metadata,
            occurred_at: parse_ts(&w.occurred_at)?,
            recorded_at: parse_ts(&w.recorded_at)?,
        })
    }
}
