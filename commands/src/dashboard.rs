//! Saved dashboards: named sets of widgets (a site's metric as a series over a period, filtered).

use crate::{Aggregate, DomainError, Validator};
use keel_events::analytics::{DIMENSIONS, INTERVALS, METRICS, PERIODS};
use keel_events::{
    DashboardCreated, DashboardDeleted, DashboardId, DashboardUpdated, DomainEvent, Widget,
    WorkspaceId,
};
use serde_json::Value;

pub const MAX_WIDGETS: usize = 24;
pub const MAX_NAME_LEN: usize = 255;
pub const MAX_DESCRIPTION_LEN: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashboardCommand {
    Create {
        dashboard_id: DashboardId,
        workspace_id: WorkspaceId,
        name: String,
        description: String,
        widgets: Vec<Widget>,
    },
    Update {
        name: Option<String>,
        description: Option<String>,
        widgets: Option<Vec<Widget>>,
    },
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub id: DashboardId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub description: String,
    pub widgets: Vec<Widget>,
    pub deleted: bool,
}

pub struct DashboardAggregate;

/// A filter as the stats API takes it: `[op, dimension, [string values]]`.
fn valid_filter(f: &Value) -> bool {
    let Some([op, dim, values]) = f.as_array().map(Vec::as_slice) else {
        return false;
    };
    matches!(op.as_str(), Some("is" | "is_not" | "contains"))
        && dim.as_str().is_some_and(|d| DIMENSIONS.contains(&d))
        && values
            .as_array()
            .is_some_and(|v| (1..=100).contains(&v.len()) && v.iter().all(Value::is_string))
}

fn check_description(v: &mut Validator, description: &str) {
    v.check(
        description.chars().count() <= MAX_DESCRIPTION_LEN,
        "description",
        format!("at most {MAX_DESCRIPTION_LEN} characters"),
    );
}

fn check_widgets(v: &mut Validator, widgets: &[Widget]) {
    v.check(
        widgets.len() <= MAX_WIDGETS,
        "widgets",
        format!("at most {MAX_WIDGETS} widgets"),
    );
    for (i, w) in widgets.iter().enumerate() {
        let f = |name: &str| format!("widgets[{i}].{name}");
        if let Some(t) = &w.title {
            v.name(&f("title"), t, MAX_NAME_LEN);
        }
        v.check(
            METRICS.contains(&w.metric.as_str()),
            &f("metric"),
            format!("must be one of {}", METRICS.join(", ")),
        );
        v.check(
            INTERVALS.contains(&w.interval.as_str()),
            &f("interval"),
            "must be hour, day, week or month",
        );
        v.check(
            PERIODS.contains(&w.period.as_str()),
            &f("period"),
            "must be today, 7d, 30d, month or 12mo",
        );
        v.check(
            !(w.interval == "hour" && matches!(w.period.as_str(), "12mo")),
            &f("interval"),
            "hourly series span at most 31 days",
        );
        v.check(
            w.filters.iter().all(valid_filter),
            &f("filters"),
            "each filter is [\"is\"|\"is_not\"|\"contains\", dimension, [values]]",
        );
    }
}

impl Aggregate for DashboardAggregate {
    type State = Option<Dashboard>;
    type Command = DashboardCommand;

    fn decide(
        state: &Option<Dashboard>,
        command: &DashboardCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), DashboardCommand::Create { .. }) => {
                Err(DomainError::AlreadyExists("dashboard"))
            }
            (
                None,
                DashboardCommand::Create {
                    dashboard_id,
                    workspace_id,
                    name,
                    description,
                    widgets,
                },
            ) => {
                let mut v = Validator::new();
                v.name("name", name, MAX_NAME_LEN);
                check_description(&mut v, description);
                check_widgets(&mut v, widgets);
                v.finish()?;
                Ok(vec![DomainEvent::DashboardCreated(DashboardCreated {
                    dashboard_id: *dashboard_id,
                    workspace_id: *workspace_id,
                    name: name.trim().to_string(),
                    description: description.trim().to_string(),
                    widgets: widgets.clone(),
                })])
            }
            (None, _) => Err(DomainError::NotFound("dashboard")),
            (Some(d), _) if d.deleted => Err(DomainError::NotFound("dashboard")),
            (
                Some(d),
                DashboardCommand::Update {
                    name,
                    description,
                    widgets,
                },
            ) => {
                let mut v = Validator::new();
                if let Some(n) = name {
                    v.name("name", n, MAX_NAME_LEN);
                }
                if let Some(t) = description {
                    check_description(&mut v, t);
                }
                if let Some(w) = widgets {
                    check_widgets(&mut v, w);
                }
                v.finish()?;
                let changed = DashboardUpdated {
                    name: name
                        .as_ref()
                        .map(|n| n.trim().to_string())
                        .filter(|n| n != &d.name),
                    description: description
                        .as_ref()
                        .map(|t| t.trim().to_string())
                        .filter(|t| t != &d.description),
                    widgets: widgets.clone().filter(|w| w != &d.widgets),
                };
                Ok(if changed == DashboardUpdated::default() {
                    vec![]
                } else {
                    vec![DomainEvent::DashboardUpdated(changed)]
                })
            }
            (Some(d), DashboardCommand::Delete) => {
                Ok(vec![DomainEvent::DashboardDeleted(DashboardDeleted {
                    dashboard_id: d.id,
                    workspace_id: d.workspace_id,
                })])
            }
        }
    }

    fn evolve(state: Option<Dashboard>, event: &DomainEvent) -> Option<Dashboard> {
        match (state, event) {
            (_, DomainEvent::DashboardCreated(e)) => Some(Dashboard {
                id: e.dashboard_id,
                workspace_id: e.workspace_id,
                name: e.name.clone(),
                description: e.description.clone(),
                widgets: e.widgets.clone(),
                deleted: false,
            }),
            (Some(mut d), DomainEvent::DashboardUpdated(e)) => {
                if let Some(n) = &e.name {
                    d.name = n.clone();
                }
                if let Some(t) = &e.description {
                    d.description = t.clone();
                }
                if let Some(w) = &e.widgets {
                    d.widgets = w.clone();
                }
                Some(d)
            }
            (Some(mut d), DomainEvent::DashboardDeleted(_)) => {
                d.deleted = true;
                Some(d)
            }
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use keel_events::SiteId;
    use serde_json::json;
    use uuid::Uuid;

    type Test = TestFramework<DashboardAggregate>;

    fn widget(metric: &str, interval: &str, period: &str, filters: Vec<Value>) -> Widget {
        Widget {
            title: None,
            site_id: SiteId(Uuid::from_u128(3)),
            metric: metric.into(),
            interval: interval.into(),
            period: period.into(),
            filters,
        }
    }

    fn create(name: &str, widgets: Vec<Widget>) -> DashboardCommand {
        DashboardCommand::Create {
            dashboard_id: DashboardId(Uuid::from_u128(9)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
            name: name.into(),
            description: String::new(),
            widgets,
        }
    }

    fn created() -> DomainEvent {
        Test::given(vec![])
            .when(create(
                "Traffic",
                vec![widget("visitors", "day", "30d", vec![])],
            ))
            .events()
            .remove(0)
    }

    #[test]
    fn a_dashboard_is_created_with_valid_widgets() {
        let w = widget(
            "pageviews",
            "day",
            "7d",
            vec![json!(["is", "source", ["Google"]])],
        );
        let events = Test::given(vec![])
            .when(create(" Traffic ", vec![w.clone()]))
            .events();
        let DomainEvent::DashboardCreated(c) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(
            (c.name.as_str(), c.widgets.as_slice()),
            ("Traffic", [w].as_slice())
        );
    }

    #[test]
    fn every_bad_widget_field_is_named() {
        let bad = widget(
            "profit",
            "minute",
            "forever",
            vec![json!(["like", "page", ["/"]])],
        );
        let DomainError::Validation(fields) =
            Test::given(vec![]).when(create("", vec![bad])).error()
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "widgets[0].metric",
                "widgets[0].interval",
                "widgets[0].period",
                "widgets[0].filters"
            ]
        );
        let hourly_year = widget("visitors", "hour", "12mo", vec![]);
        assert!(matches!(
            Test::given(vec![])
                .when(create("x", vec![hourly_year]))
                .error(),
            DomainError::Validation(_)
        ));
    }

    #[test]
    fn updates_carry_only_changes_and_deleted_dashboards_are_gone() {
        Test::given(vec![created()])
            .when(DashboardCommand::Update {
                name: Some("Traffic".into()),
                description: Some(String::new()),
                widgets: None,
            })
            .then(vec![]);
        Test::given(vec![created()])
            .when(DashboardCommand::Update {
                name: Some("Sales".into()),
                description: Some(" Revenue at a glance ".into()),
                widgets: None,
            })
            .then(vec![DomainEvent::DashboardUpdated(DashboardUpdated {
                name: Some("Sales".into()),
                description: Some("Revenue at a glance".into()),
                widgets: None,
            })]);
        Test::given(vec![created()])
            .when(DashboardCommand::Update {
                name: None,
                description: Some("x".repeat(MAX_DESCRIPTION_LEN + 1)),
                widgets: None,
            })
            .then_error(DomainError::Validation(vec![crate::FieldError {
                field: "description".into(),
                message: format!("at most {MAX_DESCRIPTION_LEN} characters"),
            }]));
        let deleted = DomainEvent::DashboardDeleted(DashboardDeleted {
            dashboard_id: DashboardId(Uuid::from_u128(9)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
        });
        Test::given(vec![created(), deleted])
            .when(DashboardCommand::Delete)
            .then_error(DomainError::NotFound("dashboard"));
    }
}
