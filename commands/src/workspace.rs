//! The workspace aggregate: a tenant with a name, a unique slug, a tier and settings.

use crate::validation::{validate_locale, validate_slug, validate_timezone};
use crate::{Aggregate, DomainError, Validator};
use keel_events::{
    DomainEvent, Tier, WorkspaceCreated, WorkspaceDeleted, WorkspaceId, WorkspaceSettings,
    WorkspaceUpdated,
};

pub const MAX_NAME_LEN: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateWorkspace {
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub slug: String,
    pub tier: Tier,
    pub settings: WorkspaceSettings,
}

/// `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateWorkspace {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub tier: Option<Tier>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceCommand {
    Create(CreateWorkspace),
    Update(UpdateWorkspace),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub slug: String,
    pub tier: Tier,
    pub settings: WorkspaceSettings,
    pub deleted: bool,
}

/// `None` until created.
pub type WorkspaceState = Option<Workspace>;

pub struct WorkspaceAggregate;

fn validate_settings(v: &mut Validator, settings: &WorkspaceSettings) {
    v.check(
        validate_timezone(&settings.timezone),
        "settings.timezone",
        "must be an IANA time zone such as Europe/Berlin",
    );
    v.check(
        validate_locale(&settings.locale),
        "settings.locale",
        "must be a BCP 47 language tag such as en-US",
    );
}

impl Aggregate for WorkspaceAggregate {
    type State = WorkspaceState;
    type Command = WorkspaceCommand;

    fn decide(
        state: &WorkspaceState,
        command: &WorkspaceCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), WorkspaceCommand::Create(_)) => Err(DomainError::AlreadyExists("workspace")),
            (None, WorkspaceCommand::Create(c)) => {
                let mut v = Validator::new();
                v.name("name", &c.name, MAX_NAME_LEN);
                if let Err(m) = validate_slug(&c.slug) {
                    v.check(false, "slug", m);
                }
                validate_settings(&mut v, &c.settings);
                v.finish()?;
                Ok(vec![DomainEvent::WorkspaceCreated(WorkspaceCreated {
                    workspace_id: c.workspace_id,
                    name: c.name.trim().to_string(),
                    slug: c.slug.clone(),
                    tier: c.tier,
                    settings: c.settings.clone(),
                })])
            }
            (None, _) => Err(DomainError::NotFound("workspace")),
            (Some(w), _) if w.deleted => Err(DomainError::NotFound("workspace")),
            (Some(w), WorkspaceCommand::Update(u)) => {
                let mut v = Validator::new();
                if let Some(name) = &u.name {
                    v.name("name", name, MAX_NAME_LEN);
                }
                if let Some(slug) = &u.slug {
                    if let Err(m) = validate_slug(slug) {
                        v.check(false, "slug", m);
                    }
                }
                let settings = WorkspaceSettings {
                    timezone: u
                        .timezone
                        .clone()
                        .unwrap_or_else(|| w.settings.timezone.clone()),
                    locale: u
                        .locale
                        .clone()
                        .unwrap_or_else(|| w.settings.locale.clone()),
                };
                validate_settings(&mut v, &settings);
                v.finish()?;
                let changed = WorkspaceUpdated {
                    name: u
                        .name
                        .as_ref()
                        .map(|n| n.trim().to_string())
                        .filter(|n| n != &w.name),
                    slug: u.slug.clone().filter(|s| s != &w.slug),
                    tier: u.tier.filter(|t| t != &w.tier),
                    settings: Some(settings).filter(|s| s != &w.settings),
                };
                if changed == WorkspaceUpdated::default() {
                    Ok(vec![])
                } else {
                    Ok(vec![DomainEvent::WorkspaceUpdated(changed)])
                }
            }
            (Some(w), WorkspaceCommand::Delete) => {
                Ok(vec![DomainEvent::WorkspaceDeleted(WorkspaceDeleted {
                    workspace_id: w.id,
                })])
            }
        }
    }

    fn evolve(state: WorkspaceState, event: &DomainEvent) -> WorkspaceState {
        match (state, event) {
            (_, DomainEvent::WorkspaceCreated(e)) => Some(Workspace {
                id: e.workspace_id,
                name: e.name.clone(),
                slug: e.slug.clone(),
                tier: e.tier,
                settings: e.settings.clone(),
                deleted: false,
            }),
            (Some(mut w), DomainEvent::WorkspaceUpdated(e)) => {
                if let Some(n) = &e.name {
                    w.name = n.clone();
                }
                if let Some(s) = &e.slug {
                    w.slug = s.clone();
                }
                if let Some(t) = e.tier {
                    w.tier = t;
                }
                if let Some(s) = &e.settings {
                    w.settings = s.clone();
                }
                Some(w)
            }
            (Some(mut w), DomainEvent::WorkspaceDeleted(_)) => {
                w.deleted = true;
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

    type Test = TestFramework<WorkspaceAggregate>;

    fn id() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(1))
    }

    fn created() -> DomainEvent {
        DomainEvent::WorkspaceCreated(WorkspaceCreated {
            workspace_id: id(),
            name: "Acme".into(),
            slug: "acme".into(),
            tier: Tier::Free,
            settings: WorkspaceSettings::default(),
        })
    }

    fn create(name: &str, slug: &str) -> WorkspaceCommand {
        WorkspaceCommand::Create(CreateWorkspace {
            workspace_id: id(),
            name: name.into(),
            slug: slug.into(),
            tier: Tier::Free,
            settings: WorkspaceSettings::default(),
        })
    }

    #[test]
    fn a_new_workspace_is_created() {
        Test::given(vec![])
            .when(create("Acme", "acme"))
            .then(vec![created()]);
    }

    #[test]
    fn a_workspace_cannot_be_created_twice() {
        Test::given(vec![created()])
            .when(create("Acme", "acme"))
            .then_error(DomainError::AlreadyExists("workspace"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let cmd = WorkspaceCommand::Create(CreateWorkspace {
            workspace_id: id(),
            name: "x".repeat(256),
            slug: "Bad Slug".into(),
            tier: Tier::Free,
            settings: WorkspaceSettings {
                timezone: "Mars/Base".into(),
                locale: "??".into(),
            },
        });
        let err = Test::given(vec![]).when(cmd).error();
        let DomainError::Validation(fields) = err else {
            panic!("expected validation error, got {err:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["name", "slug", "settings.timezone", "settings.locale"]
        );
    }

    #[test]
    fn an_update_records_only_what_changed() {
        let update = UpdateWorkspace {
            name: Some("Acme".into()),
            tier: Some(Tier::Pro),
            timezone: Some("Europe/Berlin".into()),
            ..Default::default()
        };
        Test::given(vec![created()])
            .when(WorkspaceCommand::Update(update))
            .then(vec![DomainEvent::WorkspaceUpdated(WorkspaceUpdated {
                tier: Some(Tier::Pro),
                settings: Some(WorkspaceSettings {
                    timezone: "Europe/Berlin".into(),
                    locale: "en-US".into(),
                }),
                ..Default::default()
            })]);
    }

    #[test]
    fn an_update_that_changes_nothing_records_nothing() {
        let update = UpdateWorkspace {
            name: Some("Acme".into()),
            ..Default::default()
        };
        Test::given(vec![created()])
            .when(WorkspaceCommand::Update(update))
            .then(vec![]);
    }

    #[test]
    fn a_deleted_workspace_is_gone() {
        let deleted = DomainEvent::WorkspaceDeleted(WorkspaceDeleted { workspace_id: id() });
        Test::given(vec![created()])
            .when(WorkspaceCommand::Delete)
            .then(vec![deleted.clone()]);
        Test::given(vec![created(), deleted.clone()])
            .when(WorkspaceCommand::Update(UpdateWorkspace::default()))
            .then_error(DomainError::NotFound("workspace"));
        Test::given(vec![created(), deleted])
            .when(WorkspaceCommand::Delete)
            .then_error(DomainError::NotFound("workspace"));
    }

    #[test]
    fn an_unknown_workspace_cannot_be_updated() {
        Test::given(vec![])
            .when(WorkspaceCommand::Delete)
            .then_error(DomainError::NotFound("workspace"));
    }
}
