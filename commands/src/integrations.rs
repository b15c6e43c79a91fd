//! Integrations: a Stripe account connected to a site of a workspace. Pure: the caller checks
//! the key against Stripe and stores the credentials (beside the log) before connecting, and
//! runs the syncs whose outcomes are recorded here.

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Utc};
use keel_events::{
    DomainEvent, IntegrationConnected, IntegrationId, IntegrationPaused, IntegrationRemoved,
    IntegrationResumed, IntegrationSyncFailed, IntegrationSynced, IntegrationUpdated,
    RevenueSettings, SiteId, WorkspaceId,
};

pub const KINDS: [&str; 1] = ["stripe"];
/// Longest sync error kept.
pub const MAX_ERROR: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationCommand {
    Connect {
        integration_id: IntegrationId,
        workspace_id: WorkspaceId,
        site_id: SiteId,
        kind: String,
        livemode: bool,
        credential_hint: String,
        credential_id: i64,
        webhook_secret_hint: Option<String>,
        webhook_secret_id: i64,
        settings: RevenueSettings,
    },
    /// New revenue settings (they apply to changes recorded from then on).
    Configure(RevenueSettings),
    Pause,
    Resume,
    RecordSync {
        started_at: DateTime<Utc>,
        objects: i64,
        payments: i64,
        refunds: i64,
        cursor: i64,
    },
    RecordFailure {
        started_at: DateTime<Utc>,
        error: String,
    },
    Remove,
}

/// A connected integration, as its stream tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub id: IntegrationId,
    pub workspace_id: WorkspaceId,
    pub site_id: SiteId,
    pub kind: String,
    pub livemode: bool,
    pub paused: bool,
    pub credential_hint: String,
    pub credential_id: i64,
    pub webhook_secret_hint: Option<String>,
    pub webhook_secret_id: i64,
    /// Where the next sync starts reading (the source's `created`, Unix seconds; 0: from the
    /// beginning).
    pub cursor: i64,
    pub settings: RevenueSettings,
    pub removed: bool,
}

fn check_settings(v: &mut Validator, s: &RevenueSettings) {
    use crate::subscriptions::{LIMITED_COUPONS, SCHEDULED_CANCELLATION};
    v.check(
        SCHEDULED_CANCELLATION.contains(&s.scheduled_cancellation.as_str()),
        "settings.scheduled_cancellation",
        "must be at_period_end or immediately",
    );
    v.check(
        LIMITED_COUPONS.contains(&s.limited_coupons.as_str()),
        "settings.limited_coupons",
        "must be ignore or apply",
    );
}

pub struct IntegrationAggregate;

impl Aggregate for IntegrationAggregate {
    type State = Option<Integration>;
    type Command = IntegrationCommand;

    fn decide(
        state: &Option<Integration>,
        command: &IntegrationCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        let live = || {
            state
                .as_ref()
                .filter(|i| !i.removed)
                .ok_or(DomainError::NotFound("integration"))
        };
        match command {
            IntegrationCommand::Connect {
                integration_id,
                workspace_id,
                site_id,
                kind,
                livemode,
                credential_hint,
                credential_id,
                webhook_secret_hint,
                webhook_secret_id,
                settings,
            } => {
                if state.is_some() {
                    return Err(DomainError::AlreadyExists("integration"));
                }
                let mut v = Validator::new();
                v.check(KINDS.contains(&kind.as_str()), "type", "must be stripe");
                v.check(*credential_id > 0, "api_key", "needs a stored credential");
                v.check(
                    webhook_secret_hint.is_some() == (*webhook_secret_id > 0),
                    "webhook_secret",
                    "needs a stored secret",
                );
                check_settings(&mut v, settings);
                v.finish()?;
                Ok(vec![DomainEvent::IntegrationConnected(
                    IntegrationConnected {
                        integration_id: *integration_id,
                        workspace_id: *workspace_id,
                        site_id: *site_id,
                        kind: kind.clone(),
                        livemode: *livemode,
                        credential_hint: credential_hint.clone(),
                        credential_id: *credential_id,
                        webhook_secret_hint: webhook_secret_hint.clone(),
                        webhook_secret_id: *webhook_secret_id,
                        settings: settings.clone(),
                    },
                )])
            }
            IntegrationCommand::Configure(settings) => {
                let i = live()?;
                let mut v = Validator::new();
                check_settings(&mut v, settings);
                v.finish()?;
                if &i.settings == settings {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::IntegrationUpdated(IntegrationUpdated {
                    integration_id: i.id,
                    workspace_id: i.workspace_id,
                    settings: settings.clone(),
                })])
            }
            IntegrationCommand::Pause => {
                let i = live()?;
                if i.paused {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::IntegrationPaused(IntegrationPaused {
                    integration_id: i.id,
                    workspace_id: i.workspace_id,
                })])
            }
            IntegrationCommand::Resume => {
                let i = live()?;
                if !i.paused {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::IntegrationResumed(IntegrationResumed {
                    integration_id: i.id,
                    workspace_id: i.workspace_id,
                })])
            }
            IntegrationCommand::RecordSync {
                started_at,
                objects,
                payments,
                refunds,
                cursor,
            } => {
                let i = live()?;
                let mut v = Validator::new();
                v.check(
                    *objects >= 0 && *payments >= 0 && *refunds >= 0,
                    "objects",
                    "counts must not be negative",
                );
                v.finish()?;
                Ok(vec![DomainEvent::IntegrationSynced(IntegrationSynced {
                    integration_id: i.id,
                    workspace_id: i.workspace_id,
                    started_at: *started_at,
                    objects: *objects,
                    payments: *payments,
                    refunds: *refunds,
                    // Never backwards: a sync that saw nothing newer keeps the cursor.
                    cursor: (*cursor).max(i.cursor),
                })])
            }
            IntegrationCommand::RecordFailure { started_at, error } => {
                let i = live()?;
                Ok(vec![DomainEvent::IntegrationSyncFailed(
                    IntegrationSyncFailed {
                        integration_id: i.id,
                        workspace_id: i.workspace_id,
                        started_at: *started_at,
                        error: error.chars().take(MAX_ERROR).collect(),
                    },
                )])
            }
            IntegrationCommand::Remove => {
                let i = live()?;
                Ok(vec![DomainEvent::IntegrationRemoved(IntegrationRemoved {
                    integration_id: i.id,
                    workspace_id: i.workspace_id,
                })])
            }
        }
    }

    fn evolve(state: Option<Integration>, event: &DomainEvent) -> Option<Integration> {
        match event {
            DomainEvent::IntegrationConnected(c) => Some(Integration {
                id: c.integration_id,
                workspace_id: c.workspace_id,
                site_id: c.site_id,
                kind: c.kind.clone(),
                livemode: c.livemode,
                paused: false,
                credential_hint: c.credential_hint.clone(),
                credential_id: c.credential_id,
                webhook_secret_hint: c.webhook_secret_hint.clone(),
                webhook_secret_id: c.webhook_secret_id,
                cursor: 0,
                settings: c.settings.clone(),
                removed: false,
            }),
            DomainEvent::IntegrationUpdated(u) => state.map(|i| Integration {
                settings: u.settings.clone(),
                ..i
            }),
            DomainEvent::IntegrationPaused(_) => state.map(|i| Integration { paused: true, ..i }),
            DomainEvent::IntegrationResumed(_) => state.map(|i| Integration { paused: false, ..i }),
            DomainEvent::IntegrationSynced(s) => state.map(|i| Integration {
                cursor: s.cursor,
                ..i
            }),
            DomainEvent::IntegrationRemoved(_) => state.map(|i| Integration { removed: true, ..i }),
            _ => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework as Test;
    use uuid::Uuid;

    fn connect() -> IntegrationCommand {
        IntegrationCommand::Connect {
            integration_id: IntegrationId(Uuid::from_u128(1)),
            workspace_id: WorkspaceId(Uuid::from_u128(2)),
            site_id: SiteId(Uuid::from_u128(3)),
            kind: "stripe".into(),
            livemode: false,
            credential_hint: "rk_test_AbCd…".into(),
            credential_id: 9,
            webhook_secret_hint: None,
            webhook_secret_id: 0,
            settings: RevenueSettings::default(),
        }
    }

    fn connected() -> DomainEvent {
        Test::<IntegrationAggregate>::given(vec![])
            .when(connect())
            .events()
            .remove(0)
    }

    fn synced(cursor: i64) -> IntegrationCommand {
        IntegrationCommand::RecordSync {
            started_at: Utc::now(),
            objects: 3,
            payments: 2,
            refunds: 1,
            cursor,
        }
    }

    #[test]
    fn an_integration_connects_once_and_its_cursor_never_goes_back() {
        Test::<IntegrationAggregate>::given(vec![connected()])
            .when(connect())
            .then_error(DomainError::AlreadyExists("integration"));
        let first = Test::<IntegrationAggregate>::given(vec![connected()])
            .when(synced(100))
            .events();
        let later = Test::<IntegrationAggregate>::given(vec![connected(), first[0].clone()])
            .when(synced(50))
            .events();
        let DomainEvent::IntegrationSynced(s) = &later[0] else {
            panic!("{later:?}")
        };
        assert_eq!(s.cursor, 100);
    }

    #[test]
    fn pausing_twice_is_one_pause_and_a_removed_integration_takes_nothing() {
        let paused = Test::<IntegrationAggregate>::given(vec![connected()])
            .when(IntegrationCommand::Pause)
            .events();
        assert_eq!(paused.len(), 1);
        Test::<IntegrationAggregate>::given(vec![connected(), paused[0].clone()])
            .when(IntegrationCommand::Pause)
            .then(vec![]);
        let removed = Test::<IntegrationAggregate>::given(vec![connected()])
            .when(IntegrationCommand::Remove)
            .events();
        Test::<IntegrationAggregate>::given(vec![connected(), removed[0].clone()])
            .when(synced(1))
            .then_error(DomainError::NotFound("integration"));
    }

    #[test]
    fn a_connection_without_its_stored_credentials_is_refused() {
        let IntegrationCommand::Connect {
            integration_id,
            workspace_id,
            site_id,
            livemode,
            credential_hint,
            ..
        } = connect()
        else {
            unreachable!()
        };
        let e = Test::<IntegrationAggregate>::given(vec![])
            .when(IntegrationCommand::Connect {
                integration_id,
                workspace_id,
                site_id,
                kind: "paypal".into(),
                livemode,
                credential_hint,
                credential_id: 0,
                webhook_secret_hint: Some("whsec_…".into()),
                webhook_secret_id: 0,
                settings: RevenueSettings {
                    scheduled_cancellation: "later".into(),
                    ..RevenueSettings::default()
                },
            })
            .error();
        let DomainError::Validation(f) = e else {
            panic!("{e:?}")
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "type",
                "api_key",
                "webhook_secret",
                "settings.scheduled_cancellation"
            ]
        );
    }
}
