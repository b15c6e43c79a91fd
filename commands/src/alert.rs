//! Alerts: a watched condition and the channels told about it. The worker measures conditions
//! and asks this decider to fire or resolve; the rules of when an alert may speak are here:
//! once while firing, at most once per window, never about a condition it no longer has.

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Duration, Utc};
use keel_events::{
    AlertChannel, AlertCondition, AlertCreated, AlertDeleted, AlertFired, AlertId, AlertResolved,
    AlertUpdated, DomainEvent, WebhookId, WorkspaceId,
};

pub const MAX_NAME_LEN: usize = 255;
pub const MAX_CHANNELS: usize = 10;
pub const MAX_FIELDS: usize = 32;
/// Windows from five minutes to a week.
pub const MIN_WINDOW_MINUTES: i64 = 5;
pub const MAX_WINDOW_MINUTES: i64 = 7 * 24 * 60;
pub const DEFAULT_WINDOW_MINUTES: i64 = 60;
pub const TRAFFIC_METRICS: [&str; 2] = ["visitors", "pageviews"];
pub const TRAFFIC_OPS: [&str; 3] = ["above", "below", "drops_by"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertCommand {
    Create {
        alert_id: AlertId,
        workspace_id: WorkspaceId,
        name: String,
        condition: AlertCondition,
        channels: Vec<AlertChannel>,
        window_minutes: i64,
        enabled: bool,
    },
    Update {
        name: Option<String>,
        condition: Option<AlertCondition>,
        channels: Option<Vec<AlertChannel>>,
        window_minutes: Option<i64>,
        enabled: Option<bool>,
    },
    Delete,
    /// The worker found `condition` holding over `[window_start, window_end)`, measured as
    /// `value`. Nothing happens if the alert is off, firing already, fired less than a window
    /// ago, or no longer has that condition and window (it was changed since it was read).
    Fire {
        condition: AlertCondition,
        window_minutes: i64,
        value: i64,
        summary: String,
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    },
    /// The worker found the condition no longer holding; nothing happens unless firing.
    Resolve {
        value: i64,
        summary: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub condition: AlertCondition,
    pub channels: Vec<AlertChannel>,
    pub window_minutes: i64,
    pub enabled: bool,
    pub deleted: bool,
    /// When the current firing began; `None` while resolved.
    pub firing_since: Option<DateTime<Utc>>,
    /// The end of the window of the last firing (the next may come a window later).
    pub last_fired: Option<DateTime<Utc>>,
}

impl Alert {
    /// The webhook endpoints among the channels.
    pub fn webhook_ids(&self) -> Vec<WebhookId> {
        webhook_ids(&self.channels)
    }
}

pub fn webhook_ids(channels: &[AlertChannel]) -> Vec<WebhookId> {
    channels
        .iter()
        .filter_map(|c| match c {
            AlertChannel::Webhook { webhook_id } => Some(*webhook_id),
            _ => None,
        })
        .collect()
}

pub struct AlertAggregate;

fn check_condition(v: &mut Validator, c: &AlertCondition) {
    match c {
        AlertCondition::Traffic {
            metric,
            op,
            threshold,
            ..
        } => {
            v.check(
                TRAFFIC_METRICS.contains(&metric.as_str()),
                "condition.metric",
                "must be visitors or pageviews",
            );
            v.check(
                TRAFFIC_OPS.contains(&op.as_str()),
                "condition.op",
                "must be above, below or drops_by",
            );
            if op == "drops_by" {
                v.check(
                    (1..=100).contains(threshold),
                    "condition.threshold",
                    "a drop is a percentage from 1 to 100",
                );
            } else {
                v.check(
                    (0..=1_000_000_000_000).contains(threshold),
                    "condition.threshold",
                    "must be a count from 0 to 10^12",
                );
            }
        }
        AlertCondition::Usage { feature, percent } => {
            v.check(
                crate::usage::valid_feature(feature),
                "condition.feature",
                "must be a feature name (lowercase letters, digits, _ and -)",
            );
            v.check(
                (1..=1000).contains(percent),
                "condition.percent",
                "must be a percentage of the limit from 1 to 1000",
            );
        }
        AlertCondition::DnsChange { fields, .. } => {
            v.check(
                fields.len() <= MAX_FIELDS,
                "condition.fields",
                format!("at most {MAX_FIELDS} fields"),
            );
            v.check(
                fields.iter().all(|f| {
                    !f.is_empty()
                        && f.len() <= 64
                        && f.bytes()
                            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
                }),
                "condition.fields",
                "each is a scan field name such as mx, spf_status or dmarc_policy",
            );
        }
        AlertCondition::WebhookDisabled { .. } => {}
        AlertCondition::KeyUnused { days, .. } => {
            v.check(
                (1..=3650).contains(days),
                "condition.days",
                "must be from 1 to 3650",
            );
        }
    }
}

fn check_channels(v: &mut Validator, channels: &[AlertChannel]) {
    v.check(
        (1..=MAX_CHANNELS).contains(&channels.len()),
        "channels",
        format!("from 1 to {MAX_CHANNELS} channels"),
    );
    let hooks = webhook_ids(channels);
    let mut distinct = hooks.clone();
    distinct.sort();
    distinct.dedup();
    v.check(
        distinct.len() == hooks.len(),
        "channels",
        "a webhook endpoint appears once",
    );
    v.check(
        channels
            .iter()
            .filter(|c| matches!(c, AlertChannel::Email { .. }))
            .count()
            <= 1,
        "channels",
        "at most one email channel",
    );
    v.check(
        channels
            .iter()
            .filter(|c| matches!(c, AlertChannel::Slack { .. }))
            .count()
            <= 1,
        "channels",
        "at most one Slack channel",
    );
}

fn check_window(v: &mut Validator, minutes: i64) {
    v.check(
        (MIN_WINDOW_MINUTES..=MAX_WINDOW_MINUTES).contains(&minutes),
        "window_minutes",
        format!("must be from {MIN_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES}"),
    );
}

fn resolved(a: &Alert, since: DateTime<Utc>, value: i64, summary: &str) -> DomainEvent {
    DomainEvent::AlertResolved(AlertResolved {
        alert_id: a.id,
        workspace_id: a.workspace_id,
        name: a.name.clone(),
        value,
        summary: summary.to_string(),
        fired_at: since,
        webhook_ids: a.webhook_ids(),
    })
}

impl Aggregate for AlertAggregate {
    type State = Option<Alert>;
    type Command = AlertCommand;

    fn decide(
        state: &Option<Alert>,
        command: &AlertCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), AlertCommand::Create { .. }) => Err(DomainError::AlreadyExists("alert")),
            (
                None,
                AlertCommand::Create {
                    alert_id,
                    workspace_id,
                    name,
                    condition,
                    channels,
                    window_minutes,
                    enabled,
                },
            ) => {
                let mut v = Validator::new();
                v.name("name", name, MAX_NAME_LEN);
                check_condition(&mut v, condition);
                check_channels(&mut v, channels);
                check_window(&mut v, *window_minutes);
                v.finish()?;
                Ok(vec![DomainEvent::AlertCreated(AlertCreated {
                    alert_id: *alert_id,
                    workspace_id: *workspace_id,
                    name: name.trim().to_string(),
                    condition: condition.clone(),
                    channels: channels.clone(),
                    window_minutes: *window_minutes,
                    enabled: *enabled,
                })])
            }
            (None, _) => Err(DomainError::NotFound("alert")),
            (Some(a), _) if a.deleted => Err(DomainError::NotFound("alert")),
            (
                Some(a),
                AlertCommand::Update {
                    name,
                    condition,
                    channels,
                    window_minutes,
                    enabled,
                },
            ) => {
                let mut v = Validator::new();
                if let Some(n) = name {
                    v.name("name", n, MAX_NAME_LEN);
                }
                if let Some(c) = condition {
                    check_condition(&mut v, c);
                }
                if let Some(c) = channels {
                    check_channels(&mut v, c);
                }
                if let Some(w) = window_minutes {
                    check_window(&mut v, *w);
                }
                v.finish()?;
                let changed = AlertUpdated {
                    name: name
                        .as_ref()
                        .map(|n| n.trim().to_string())
                        .filter(|n| n != &a.name),
                    condition: condition.clone().filter(|c| c != &a.condition),
                    channels: channels.clone().filter(|c| c != &a.channels),
                    window_minutes: window_minutes.filter(|w| *w != a.window_minutes),
                    enabled: enabled.filter(|e| *e != a.enabled),
                };
                if changed == AlertUpdated::default() {
                    return Ok(vec![]);
                }
                let mut out = vec![];
                // A firing is about the condition it measured: a new condition or window, or
                // turning the alert off, ends it (told to the channels it had).
                if let Some(since) = a.firing_since {
                    let why = if changed.enabled == Some(false) {
                        Some("the alert was turned off")
                    } else if changed.condition.is_some() || changed.window_minutes.is_some() {
                        Some("the alert's condition was changed")
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        out.push(resolved(a, since, 0, why));
                    }
                }
                out.push(DomainEvent::AlertUpdated(changed));
                Ok(out)
            }
            (Some(a), AlertCommand::Delete) => Ok(vec![DomainEvent::AlertDeleted(AlertDeleted {
                alert_id: a.id,
                workspace_id: a.workspace_id,
            })]),
            (
                Some(a),
                AlertCommand::Fire {
                    condition,
                    window_minutes,
                    value,
                    summary,
                    window_start,
                    window_end,
                },
            ) => {
                let stale = condition != &a.condition || *window_minutes != a.window_minutes;
                let too_soon = a
                    .last_fired
                    .is_some_and(|t| *window_end < t + Duration::minutes(a.window_minutes));
                if !a.enabled || a.firing_since.is_some() || stale || too_soon {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::AlertFired(AlertFired {
                    alert_id: a.id,
                    workspace_id: a.workspace_id,
                    name: a.name.clone(),
                    condition: a.condition.clone(),
                    value: *value,
                    summary: summary.clone(),
                    window_start: *window_start,
                    window_end: *window_end,
                    webhook_ids: a.webhook_ids(),
                })])
            }
            (Some(a), AlertCommand::Resolve { value, summary }) => Ok(match a.firing_since {
                Some(since) => vec![resolved(a, since, *value, summary)],
                None => vec![],
            }),
        }
    }

    fn evolve(state: Option<Alert>, event: &DomainEvent) -> Option<Alert> {
        match (state, event) {
            (_, DomainEvent::AlertCreated(e)) => Some(Alert {
                id: e.alert_id,
                workspace_id: e.workspace_id,
                name: e.name.clone(),
                condition: e.condition.clone(),
                channels: e.channels.clone(),
                window_minutes: e.window_minutes,
                enabled: e.enabled,
                deleted: false,
                firing_since: None,
                last_fired: None,
            }),
            (Some(mut a), DomainEvent::AlertUpdated(e)) => {
                if let Some(n) = &e.name {
                    a.name = n.clone();
                }
                if let Some(c) = &e.condition {
                    a.condition = c.clone();
                }
                if let Some(c) = &e.channels {
                    a.channels = c.clone();
                }
                if let Some(w) = e.window_minutes {
                    a.window_minutes = w;
                }
                if let Some(en) = e.enabled {
                    a.enabled = en;
                }
                Some(a)
            }
            (Some(mut a), DomainEvent::AlertDeleted(_)) => {
                a.deleted = true;
                a.firing_since = None;
                Some(a)
            }
            (Some(mut a), DomainEvent::AlertFired(e)) => {
                a.firing_since = Some(e.window_end);
                a.last_fired = Some(e.window_end);
                Some(a)
            }
            (Some(mut a), DomainEvent::AlertResolved(_)) => {
                a.firing_since = None;
                Some(a)
            }
            (s, _) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use keel_events::{DomainId, SiteId};
    use uuid::Uuid;

    type Test = TestFramework<AlertAggregate>;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minutes)
    }

    fn drop_of(pct: i64) -> AlertCondition {
        AlertCondition::Traffic {
            site_id: SiteId(Uuid::from_u128(3)),
            metric: "visitors".into(),
            op: "drops_by".into(),
            threshold: pct,
        }
    }

    fn hook() -> WebhookId {
        WebhookId(Uuid::from_u128(7))
    }

    fn create(condition: AlertCondition, channels: Vec<AlertChannel>) -> AlertCommand {
        AlertCommand::Create {
            alert_id: AlertId(Uuid::from_u128(9)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
            name: " Traffic drop ".into(),
            condition,
            channels,
            window_minutes: 60,
            enabled: true,
        }
    }

    fn created() -> DomainEvent {
        Test::given(vec![])
            .when(create(
                drop_of(50),
                vec![
                    AlertChannel::Email { roles: vec![] },
                    AlertChannel::Webhook { webhook_id: hook() },
                ],
            ))
            .events()
            .remove(0)
    }

    fn fire_at(minutes: i64) -> AlertCommand {
        AlertCommand::Fire {
            condition: drop_of(50),
            window_minutes: 60,
            value: 80,
            summary: "visitors dropped by 80%".into(),
            window_start: t(minutes - 60),
            window_end: t(minutes),
        }
    }

    fn fired_at(minutes: i64) -> DomainEvent {
        Test::given(vec![created()])
            .when(fire_at(minutes))
            .events()
            .remove(0)
    }

    fn resolve() -> AlertCommand {
        AlertCommand::Resolve {
            value: 0,
            summary: "visitors back".into(),
        }
    }

    #[test]
    fn an_alert_is_created_with_its_name_trimmed() {
        match created() {
            DomainEvent::AlertCreated(c) => {
                assert_eq!(c.name, "Traffic drop");
                assert_eq!(c.window_minutes, 60);
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_condition_out_of_range_is_refused_field_by_field() {
        let e = Test::given(vec![])
            .when(AlertCommand::Create {
                alert_id: AlertId(Uuid::from_u128(9)),
                workspace_id: WorkspaceId(Uuid::from_u128(1)),
                name: "x".into(),
                condition: AlertCondition::Traffic {
                    site_id: SiteId(Uuid::from_u128(3)),
                    metric: "bounces".into(),
                    op: "drops_by".into(),
                    threshold: 150,
                },
                channels: vec![],
                window_minutes: 1,
                enabled: true,
            })
            .error();
        let DomainError::Validation(fields) = e else {
            panic!("{e:?}")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "condition.metric",
                "condition.threshold",
                "channels",
                "window_minutes"
            ]
        );
    }

    #[test]
    fn the_same_webhook_twice_is_refused() {
        Test::given(vec![])
            .when(create(
                AlertCondition::WebhookDisabled { webhook_id: None },
                vec![
                    AlertChannel::Webhook { webhook_id: hook() },
                    AlertChannel::Webhook { webhook_id: hook() },
                ],
            ))
            .then_error(DomainError::field(
                "channels",
                "a webhook endpoint appears once",
            ));
    }

    #[test]
    fn firing_names_the_webhook_channels_that_receive_it() {
        match fired_at(120) {
            DomainEvent::AlertFired(f) => {
                assert_eq!(f.webhook_ids, vec![hook()]);
                assert_eq!((f.window_start, f.window_end), (t(60), t(120)));
                assert_eq!(f.name, "Traffic drop");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_firing_alert_does_not_fire_again() {
        Test::given(vec![created(), fired_at(120)])
            .when(fire_at(200))
            .then(vec![]);
    }

    #[test]
    fn after_resolving_it_fires_again_only_a_window_later() {
        let resolved = Test::given(vec![created(), fired_at(120)])
            .when(resolve())
            .events()
            .remove(0);
        let history = vec![created(), fired_at(120), resolved];
        Test::given(history.clone()).when(fire_at(150)).then(vec![]);
        assert_eq!(
            Test::given(history).when(fire_at(180)).events().len(),
            1,
            "a full window after the last firing"
        );
    }

    #[test]
    fn resolving_tells_when_the_firing_began() {
        match Test::given(vec![created(), fired_at(120)])
            .when(resolve())
            .events()
            .remove(0)
        {
            DomainEvent::AlertResolved(r) => {
                assert_eq!(r.fired_at, t(120));
                assert_eq!(r.webhook_ids, vec![hook()]);
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn an_alert_that_is_not_firing_has_nothing_to_resolve() {
        Test::given(vec![created()]).when(resolve()).then(vec![]);
    }

    #[test]
    fn a_stale_measurement_does_not_fire() {
        let changed = Test::given(vec![created()])
            .when(AlertCommand::Update {
                name: None,
                condition: Some(drop_of(20)),
                channels: None,
                window_minutes: None,
                enabled: None,
            })
            .events();
        Test::given([vec![created()], changed].concat())
            .when(fire_at(120))
            .then(vec![]);
    }

    #[test]
    fn a_disabled_alert_does_not_fire() {
        let off = Test::given(vec![created()])
            .when(AlertCommand::Update {
                name: None,
                condition: None,
                channels: None,
                window_minutes: None,
                enabled: Some(false),
            })
            .events();
        Test::given([vec![created()], off].concat())
            .when(fire_at(120))
            .then(vec![]);
    }

    #[test]
    fn changing_the_condition_of_a_firing_alert_resolves_it_first() {
        let events = Test::given(vec![created(), fired_at(120)])
            .when(AlertCommand::Update {
                name: None,
                condition: Some(AlertCondition::DnsChange {
                    domain_id: DomainId(Uuid::from_u128(4)),
                    fields: vec!["mx".into()],
                }),
                channels: None,
                window_minutes: None,
                enabled: None,
            })
            .events();
        assert_eq!(events.len(), 2);
        assert!(
            matches!(&events[0], DomainEvent::AlertResolved(r) if r.summary.contains("changed")),
            "{events:?}"
        );
        assert!(matches!(events[1], DomainEvent::AlertUpdated(_)));
    }

    #[test]
    fn renaming_a_firing_alert_leaves_it_firing() {
        let events = Test::given(vec![created(), fired_at(120)])
            .when(AlertCommand::Update {
                name: Some("Renamed".into()),
                condition: None,
                channels: None,
                window_minutes: None,
                enabled: None,
            })
            .events();
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn an_update_that_changes_nothing_records_nothing() {
        Test::given(vec![created()])
            .when(AlertCommand::Update {
                name: Some("Traffic drop".into()),
                condition: Some(drop_of(50)),
                channels: None,
                window_minutes: Some(60),
                enabled: Some(true),
            })
            .then(vec![]);
    }

    #[test]
    fn a_deleted_alert_is_gone() {
        let deleted = Test::given(vec![created()])
            .when(AlertCommand::Delete)
            .events();
        Test::given([vec![created()], deleted].concat())
            .when(fire_at(120))
            .then_error(DomainError::NotFound("alert"));
    }
}
