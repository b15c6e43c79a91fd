//! Webhook endpoints: where a workspace's events are delivered, which ones, and whether the
//! endpoint is on. Pure: URLs are checked as text (scheme, credentials, literal addresses); the
//! caller resolves host names and checks the addresses they lead to with [`forbidden_ip`].

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Utc};
use keel_events::{
    DomainEvent, WebhookCreated, WebhookDeleted, WebhookDisabled, WebhookId, WebhookSecretRotated,
    WebhookUpdated, WorkspaceId, EVENT_TYPES,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const MAX_PATTERNS: usize = 50;
pub const MAX_URL_LEN: usize = 2048;
pub const MAX_DESCRIPTION_LEN: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookCommand {
    Create {
        webhook_id: WebhookId,
        workspace_id: WorkspaceId,
        url: String,
        events: Vec<String>,
        description: Option<String>,
        active: bool,
        secret_hint: String,
        /// The operator allows plain http and private addresses (`KEEL_WEBHOOKS_ALLOW_PRIVATE`).
        allow_private: bool,
    },
    Update {
        url: Option<String>,
        events: Option<Vec<String>>,
        description: Option<String>,
        active: Option<bool>,
        allow_private: bool,
    },
    RotateSecret {
        secret_hint: String,
        previous_valid_until: DateTime<Utc>,
    },
    /// Turns the endpoint off after failed deliveries; a no-op when it is off already.
    Disable {
        reason: String,
        consecutive_failures: i64,
    },
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    pub secret_version: i64,
    pub secret_hint: String,
    pub disabled_reason: Option<String>,
    pub deleted: bool,
}

pub struct WebhookAggregate;

/// Whether an event type matches a pattern: the exact type, `family.*` or `*`.
pub fn matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(family) => event_type
            .strip_prefix(family)
            .is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

/// Whether any of `patterns` matches.
pub fn subscribed(patterns: &[String], event_type: &str) -> bool {
    patterns.iter().any(|p| matches(p, event_type))
}

/// Why an address must not be a webhook's target (unless the operator allows private targets):
/// loopback, private, link-local (which holds cloud metadata services), shared, unspecified,
/// multicast, documentation and other reserved ranges, in IPv4 and IPv6 (mapped forms included).
pub fn forbidden_ip(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Some("loopback address")
            } else if v6.is_unspecified() {
                Some("unspecified address")
            } else if v6.is_multicast() {
                Some("multicast address")
            } else if (s[0] & 0xfe00) == 0xfc00 {
                Some("private (unique local) address")
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Some("link-local address")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("documentation address")
            } else if s[0] == 0x0064 && s[1] == 0xff9b {
                // NAT64: the embedded IPv4 address decides.
                forbidden_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ))
            } else if s[0] == 0x2002 {
                // 6to4: likewise.
                forbidden_v4(Ipv4Addr::new(
                    (s[1] >> 8) as u8,
                    s[1] as u8,
                    (s[2] >> 8) as u8,
                    s[2] as u8,
                ))
            } else if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
                Some("cloud metadata address")
            } else {
                None
            }
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback address")
    } else if ip.is_private() {
        Some("private address")
    } else if ip.is_link_local() {
        Some(if o == [169, 254, 169, 254] {
            "cloud metadata address"
        } else {
            "link-local address"
        })
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified address")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared (carrier-grade NAT) address")
    } else if ip.is_multicast() || ip.is_broadcast() || o[0] >= 240 {
        Some("multicast or reserved address")
    } else if ip.is_documentation() || (o[0] == 198 && (o[1] & 0xfe) == 18) {
        Some("documentation or benchmarking address")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("protocol assignment address")
    } else {
        None
    }
}

/// Checks a target URL as text and returns it normalised; names the problem otherwise.
pub fn check_url(raw: &str, allow_private: bool) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a valid URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err("must use https".into()),
        other => return Err(format!("must use https, not {other}")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    let Some(host) = url.host() else {
        return Err("must name a host".into());
    };
    if !allow_private {
        let ip = match host {
            url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
            url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.');
                if name == "localhost"
                    || name.ends_with(".localhost")
                    || name.ends_with(".internal")
                    || name.ends_with(".local")
                    || !name.contains('.')
                {
                    return Err(format!("host {name} is not a public name"));
                }
                None
            }
        };
        if let Some(reason) = ip.and_then(forbidden_ip) {
            return Err(format!("targets a {reason}"));
        }
    }
    Ok(url.to_string())
}

/// Checks event patterns and returns them sorted and without repeats.
pub fn check_patterns(patterns: &[String]) -> Result<Vec<String>, String> {
    if patterns.is_empty() {
        return Err("name at least one event type or pattern (`*` for all)".into());
    }
    if patterns.len() > MAX_PATTERNS {
        return Err(format!("at most {MAX_PATTERNS} patterns"));
    }
    let mut out = Vec::with_capacity(patterns.len());
    for p in patterns {
        let p = p.trim();
        let known = p == "*"
            || EVENT_TYPES.contains(&p)
            || p.strip_suffix(".*").is_some_and(|family| {
                EVENT_TYPES
                    .iter()
                    .any(|t| t.split_once('.').is_some_and(|(f, _)| f == family))
            });
        if !known {
            return Err(format!(
                "`{p}` is not an event type, a family such as `domain.*`, or `*`"
            ));
        }
        out.push(p.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn validate(
    v: &mut Validator,
    url: Option<&str>,
    events: Option<&[String]>,
    description: Option<&str>,
    allow_private: bool,
) -> (Option<String>, Option<Vec<String>>) {
    let url = url.and_then(|u| match check_url(u, allow_private) {
        Ok(u) => Some(u),
        Err(m) => {
            v.check(false, "url", m);
            None
        }
    });
    let events = events.and_then(|p| match check_patterns(p) {
        Ok(p) => Some(p),
        Err(m) => {
            v.check(false, "events", m);
            None
        }
    });
    if let Some(d) = description {
        v.check(
            d.chars().count() <= MAX_DESCRIPTION_LEN,
            "description",
            format!("must be at most {MAX_DESCRIPTION_LEN} characters"),
        );
        v.check(
            !d.chars().any(|c| c.is_control() && c != '\n'),
            "description",
            "must not contain control characters",
        );
    }
    (url, events)
}

impl Aggregate for WebhookAggregate {
    type State = Option<Webhook>;
    type Command = WebhookCommand;

    fn decide(
        state: &Option<Webhook>,
        command: &WebhookCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), WebhookCommand::Create { .. }) => Err(DomainError::AlreadyExists("webhook")),
            (
                None,
                WebhookCommand::Create {
                    webhook_id,
                    workspace_id,
                    url,
                    events,
                    description,
                    active,
                    secret_hint,
                    allow_private,
                },
            ) => {
                let mut v = Validator::new();
                let (url, events) = validate(
                    &mut v,
                    Some(url),
                    Some(events),
                    description.as_deref(),
                    *allow_private,
                );
                v.finish()?;
                Ok(vec![DomainEvent::WebhookCreated(WebhookCreated {
                    webhook_id: *webhook_id,
                    workspace_id: *workspace_id,
                    url: url.unwrap_or_default(),
                    events: events.unwrap_or_default(),
                    description: description
                        .as_ref()
                        .map(|d| d.trim().to_string())
                        .filter(|d| !d.is_empty()),
                    active: *active,
                    secret_hint: secret_hint.clone(),
                    secret_version: 1,
                })])
            }
            (None, _) => Err(DomainError::NotFound("webhook")),
            (Some(w), _) if w.deleted => Err(DomainError::NotFound("webhook")),
            (
                Some(w),
                WebhookCommand::Update {
                    url,
                    events,
                    description,
                    active,
                    allow_private,
                },
            ) => {
                let mut v = Validator::new();
                let (url, events) = validate(
                    &mut v,
                    url.as_deref(),
                    events.as_deref(),
                    description.as_deref(),
                    *allow_private,
                );
                v.finish()?;
                let description = description.as_ref().map(|d| d.trim().to_string());
                let changed = WebhookUpdated {
                    webhook_id: w.id,
                    workspace_id: w.workspace_id,
                    url: url.filter(|u| u != &w.url),
                    events: events.filter(|e| e != &w.events),
                    description: description
                        .filter(|d| Some(d.as_str()) != w.description.as_deref())
                        .filter(|d| !(d.is_empty() && w.description.is_none())),
                    active: active.filter(|a| *a != w.active),
                };
                let nothing = changed.url.is_none()
                    && changed.events.is_none()
                    && changed.description.is_none()
                    && changed.active.is_none();
                Ok(if nothing {
                    vec![]
                } else {
                    vec![DomainEvent::WebhookUpdated(changed)]
                })
            }
            (
                Some(w),
                WebhookCommand::RotateSecret {
                    secret_hint,
                    previous_valid_until,
                },
            ) => Ok(vec![DomainEvent::WebhookSecretRotated(
                WebhookSecretRotated {
                    webhook_id: w.id,
                    workspace_id: w.workspace_id,
                    secret_hint: secret_hint.clone(),
                    secret_version: w.secret_version + 1,
                    previous_valid_until: *previous_valid_until,
                },
            )]),
            (Some(w), WebhookCommand::Disable { .. }) if !w.active => Ok(vec![]),
            (
                Some(w),
                WebhookCommand::Disable {
                    reason,
                    consecutive_failures,
                },
            ) => Ok(vec![DomainEvent::WebhookDisabled(WebhookDisabled {
                webhook_id: w.id,
                workspace_id: w.workspace_id,
                reason: reason.clone(),
                consecutive_failures: *consecutive_failures,
            })]),
            (Some(w), WebhookCommand::Delete) => {
                Ok(vec![DomainEvent::WebhookDeleted(WebhookDeleted {
                    webhook_id: w.id,
                    workspace_id: w.workspace_id,
                })])
            }
        }
    }

    fn evolve(state: Option<Webhook>, event: &DomainEvent) -> Option<Webhook> {
        match (state, event) {
            (_, DomainEvent::WebhookCreated(e)) => Some(Webhook {
                id: e.webhook_id,
                workspace_id: e.workspace_id,
                url: e.url.clone(),
                events: e.events.clone(),
                description: e.description.clone(),
                active: e.active,
                secret_version: e.secret_version,
                secret_hint: e.secret_hint.clone(),
                disabled_reason: None,
                deleted: false,
            }),
            (Some(mut w), DomainEvent::WebhookUpdated(e)) => {
                if let Some(u) = &e.url {
                    w.url = u.clone();
                }
                if let Some(p) = &e.events {
                    w.events = p.clone();
                }
                if let Some(d) = &e.description {
                    w.description = Some(d.clone()).filter(|d| !d.is_empty());
                }
                if let Some(a) = e.active {
                    w.active = a;
                    if a {
                        w.disabled_reason = None;
                    }
                }
                Some(w)
            }
            (Some(mut w), DomainEvent::WebhookSecretRotated(e)) => {
                w.secret_version = e.secret_version;
                w.secret_hint = e.secret_hint.clone();
                Some(w)
            }
            (Some(mut w), DomainEvent::WebhookDisabled(e)) => {
                w.active = false;
                w.disabled_reason = Some(e.reason.clone());
                Some(w)
            }
            (Some(mut w), DomainEvent::WebhookDeleted(_)) => {
                w.deleted = true;
                w.active = false;
                Some(w)
            }
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use uuid::Uuid;

    type Test = TestFramework<WebhookAggregate>;

    fn create(url: &str, events: &[&str], allow_private: bool) -> WebhookCommand {
        WebhookCommand::Create {
            webhook_id: WebhookId(Uuid::from_u128(7)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
            url: url.into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            description: Some(" CRM sync ".into()),
            active: true,
            secret_hint: "whsec_AbCd".into(),
            allow_private,
        }
    }

    fn created() -> DomainEvent {
        Test::given(vec![])
            .when(create(
                "https://hooks.example.com/keel",
                &["key.rotated"],
                false,
            ))
            .events()
            .remove(0)
    }

    fn fields(e: DomainError) -> Vec<(String, String)> {
        let DomainError::Validation(f) = e else {
            panic!("{e:?}")
        };
        f.into_iter().map(|f| (f.field, f.message)).collect()
    }

    #[test]
    fn a_webhook_is_created_with_sorted_patterns_and_its_first_secret() {
        let events = Test::given(vec![])
            .when(create(
                "https://Hooks.Example.com/keel",
                &["domain.*", "key.rotated", "domain.*"],
                false,
            ))
            .events();
        let DomainEvent::WebhookCreated(c) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(c.url, "https://hooks.example.com/keel");
        assert_eq!(c.events, ["domain.*", "key.rotated"]);
        assert_eq!(c.description.as_deref(), Some("CRM sync"));
        assert_eq!(c.secret_version, 1);
    }

    #[test]
    fn plain_http_private_hosts_credentials_and_unknown_patterns_are_refused() {
        for (url, want) in [
            ("http://hooks.example.com/", "must use https"),
            ("ftp://hooks.example.com/", "must use https, not ftp"),
            ("https://user:pw@hooks.example.com/", "credentials"),
            ("https://127.0.0.1/", "loopback"),
            ("https://10.1.2.3/", "private"),
            ("https://169.254.169.254/latest", "metadata"),
            ("https://[::1]/", "loopback"),
            ("https://[fd00::1]/", "unique local"),
            ("https://[::ffff:192.168.1.1]/", "private"),
            ("https://localhost:8080/", "not a public name"),
            ("https://db.internal/", "not a public name"),
            ("https://intranet/", "not a public name"),
            ("not a url", "not a valid URL"),
        ] {
            let f = fields(Test::given(vec![]).when(create(url, &["*"], false)).error());
            assert!(
                f[0].0 == "url" && f[0].1.contains(want),
                "{url}: {f:?}, wanted {want}"
            );
        }
        let f = fields(
            Test::given(vec![])
                .when(create(
                    "https://hooks.example.com",
                    &["key.*", "nope.*", "x"],
                    false,
                ))
                .error(),
        );
        assert_eq!(f[0].0, "events", "{f:?}");
        let f = fields(
            Test::given(vec![])
                .when(create("https://hooks.example.com", &[], false))
                .error(),
        );
        assert_eq!(f[0].0, "events", "{f:?}");
    }

    #[test]
    fn the_operator_may_allow_plain_http_and_private_targets() {
        let events = Test::given(vec![])
            .when(create("http://127.0.0.1:9000/hook", &["*"], true))
            .events();
        assert!(matches!(events[0], DomainEvent::WebhookCreated(_)));
    }

    #[test]
    fn an_update_records_only_what_changed() {
        let events = Test::given(vec![created()])
            .when(WebhookCommand::Update {
                url: Some("https://hooks.example.com/keel".into()),
                events: Some(vec!["key.rotated".into(), "domain.*".into()]),
                description: None,
                active: Some(true),
                allow_private: false,
            })
            .events();
        let DomainEvent::WebhookUpdated(u) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(u.url, None);
        assert_eq!(
            u.events.as_deref(),
            Some(&["domain.*".to_string(), "key.rotated".to_string()][..])
        );
        assert_eq!(u.active, None);
        Test::given(vec![created()])
            .when(WebhookCommand::Update {
                url: None,
                events: None,
                description: Some("CRM sync".into()),
                active: None,
                allow_private: false,
            })
            .then(vec![]);
    }

    #[test]
    fn rotation_counts_secret_versions_and_disable_happens_once() {
        let w = WebhookId(Uuid::from_u128(7));
        let ws = WorkspaceId(Uuid::from_u128(1));
        let until = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        Test::given(vec![created()])
            .when(WebhookCommand::RotateSecret {
                secret_hint: "whsec_XyZw".into(),
                previous_valid_until: until,
            })
            .then(vec![DomainEvent::WebhookSecretRotated(
                WebhookSecretRotated {
                    webhook_id: w,
                    workspace_id: ws,
                    secret_hint: "whsec_XyZw".into(),
                    secret_version: 2,
                    previous_valid_until: until,
                },
            )]);
        let disabled = DomainEvent::WebhookDisabled(WebhookDisabled {
            webhook_id: w,
            workspace_id: ws,
            reason: "20 consecutive failed deliveries".into(),
            consecutive_failures: 20,
        });
        Test::given(vec![created()])
            .when(WebhookCommand::Disable {
                reason: "20 consecutive failed deliveries".into(),
                consecutive_failures: 20,
            })
            .then(vec![disabled.clone()]);
        Test::given(vec![created(), disabled])
            .when(WebhookCommand::Disable {
                reason: "again".into(),
                consecutive_failures: 21,
            })
            .then(vec![]);
    }

    #[test]
    fn a_deleted_webhook_is_gone() {
        let deleted = DomainEvent::WebhookDeleted(WebhookDeleted {
            webhook_id: WebhookId(Uuid::from_u128(7)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
        });
        Test::given(vec![created(), deleted])
            .when(WebhookCommand::Delete)
            .then_error(DomainError::NotFound("webhook"));
    }

    #[test]
    fn patterns_match_exact_types_families_and_everything() {
        assert!(matches("*", "key.rotated"));
        assert!(matches("domain.*", "domain.dns_changed"));
        assert!(!matches("domain.*", "domains.x"));
        assert!(!matches("domain.*", "key.rotated"));
        assert!(matches("key.rotated", "key.rotated"));
        assert!(!matches("key.rotated", "key.revoked"));
    }

    #[test]
    fn public_addresses_pass_the_guard() {
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert_eq!(
                forbidden_ip(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))),
                None,
                "{ip}"
            );
        }
        for ip in [
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "fe80::1",
            "::",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "198.18.0.1",
        ] {
            assert!(
                forbidden_ip(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))).is_some(),
                "{ip}"
            );
        }
    }
}
