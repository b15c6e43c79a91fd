//! The site aggregate: a website or app of a workspace, with the domain its traffic comes from,
//! the time zone its reports use, its default currency and a public tracking id.

use crate::analytics::valid_goal_name;
use crate::validation::validate_timezone;
use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Timelike, Utc};
use keel_events::{
    is_currency, AnalyticsDeleted, DomainEvent, FunnelCreated, FunnelDeleted, FunnelId,
    FunnelStepDef, FunnelUpdated, SiteCreated, SiteDeleted, SiteId, SiteUpdated, WorkspaceId,
};

pub const MAX_NAME_LEN: usize = 255;
/// Saved funnels a site keeps at most.
pub const MAX_FUNNELS: usize = 100;
pub const MAX_FUNNEL_NAME_LEN: usize = 100;
/// Steps of a funnel: at least two, at most eight.
pub const FUNNEL_STEPS: std::ops::RangeInclusive<usize> = 2..=8;
/// Minutes from a funnel's first step to its last: a minute to 90 days (default a day).
pub const FUNNEL_WINDOW: std::ops::RangeInclusive<i64> = 1..=90 * 24 * 60;
pub const DEFAULT_FUNNEL_WINDOW: i64 = 24 * 60;

/// A funnel as the site keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFunnel {
    pub id: FunnelId,
    pub name: String,
    pub steps: Vec<FunnelStepDef>,
    pub window_minutes: i64,
}

/// A new saved funnel; the id is drawn at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFunnel {
    pub funnel_id: FunnelId,
    pub name: String,
    pub steps: Vec<FunnelStepDef>,
    pub window_minutes: Option<i64>,
}

/// `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelChange {
    pub funnel_id: FunnelId,
    pub name: Option<String>,
    pub steps: Option<Vec<FunnelStepDef>>,
    pub window_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSite {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub currency: String,
    /// Generated at the edge: deciders draw no random numbers.
    pub tracking_id: String,
}

/// `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateSite {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteCommand {
    Create(CreateSite),
    Update(UpdateSite),
    Delete,
    CreateFunnel(NewFunnel),
    UpdateFunnel(FunnelChange),
    DeleteFunnel(FunnelId),
    /// Deletes the site's analytics between `from` and `to` (whole hours, `to` not after `now`).
    DeleteData {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: SiteId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub currency: String,
    pub tracking_id: String,
    pub deleted: bool,
    /// Saved funnels, in the order they were created.
    pub funnels: Vec<SavedFunnel>,
}

pub type SiteState = Option<Site>;

pub struct SiteAggregate;

/// A bare host name as a browser sends it in `Origin`: lowercase labels of letters, digits and
/// inner hyphens, at least two of them (or `localhost`), no scheme, port or path.
pub fn validate_domain(domain: &str) -> Result<(), &'static str> {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if domain.len() <= 253
        && (labels.len() >= 2 || domain == "localhost")
        && labels.iter().all(label_ok)
    {
        Ok(())
    } else {
        Err("must be a lowercase host name such as example.com, without scheme, port or path")
    }
}

fn check_fields(v: &mut Validator, domain: Option<&str>, tz: Option<&str>, currency: Option<&str>) {
    if let Some(d) = domain {
        if let Err(m) = validate_domain(d) {
            v.check(false, "domain", m);
        }
    }
    if let Some(tz) = tz {
        v.check(
            validate_timezone(tz),
            "timezone",
            "must be an IANA time zone such as Europe/Berlin",
        );
    }
    if let Some(c) = currency {
        v.check(
            is_currency(c),
            "currency",
            "must be an ISO 4217 code such as USD",
        );
    }
}

fn check_steps(v: &mut Validator, steps: &[FunnelStepDef]) {
    if !FUNNEL_STEPS.contains(&steps.len()) {
        v.check(
            false,
            "steps",
            format!(
                "must hold {} to {} steps",
                FUNNEL_STEPS.start(),
                FUNNEL_STEPS.end()
            ),
        );
    }
    for (i, step) in steps.iter().enumerate() {
        match step.kind.as_str() {
            "page" => v.check(
                step.value.starts_with('/')
                    && step.value.len() <= 2048
                    && !step.value.chars().any(char::is_control),
                &format!("steps[{i}].value"),
                "a page step is a path starting with /",
            ),
            "goal" => v.check(
                valid_goal_name(&step.value),
                &format!("steps[{i}].value"),
                "a goal step is a goal name: 1-64 of a-z, 0-9, _, : and -",
            ),
            _ => v.check(false, &format!("steps[{i}].type"), "must be page or goal"),
        };
    }
}

fn check_window(v: &mut Validator, window: Option<i64>) {
    if let Some(w) = window {
        v.check(
            FUNNEL_WINDOW.contains(&w),
            "window_minutes",
            format!(
                "must be {} to {} minutes",
                FUNNEL_WINDOW.start(),
                FUNNEL_WINDOW.end()
            ),
        );
    }
}

/// Another live funnel of the site already has this name (names compare case-insensitively).
fn name_taken(site: &Site, name: &str, except: Option<FunnelId>) -> bool {
    site.funnels
        .iter()
        .any(|f| Some(f.id) != except && f.name.to_lowercase() == name.to_lowercase())
}

fn whole_hour(t: &DateTime<Utc>) -> bool {
    t.minute() == 0 && t.second() == 0 && t.nanosecond() == 0
}

impl Aggregate for SiteAggregate {
    type State = SiteState;
    type Command = SiteCommand;

    fn decide(state: &SiteState, command: &SiteCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), SiteCommand::Create(_)) => Err(DomainError::AlreadyExists("site")),
            (None, SiteCommand::Create(c)) => {
                let mut v = Validator::new();
                v.name("name", &c.name, MAX_NAME_LEN);
                check_fields(
                    &mut v,
                    Some(&c.domain),
                    Some(&c.timezone),
                    Some(&c.currency),
                );
                v.finish()?;
                Ok(vec![DomainEvent::SiteCreated(SiteCreated {
                    site_id: c.site_id,
                    workspace_id: c.workspace_id,
                    name: c.name.trim().to_string(),
                    domain: c.domain.clone(),
                    timezone: c.timezone.clone(),
                    currency: c.currency.clone(),
                    tracking_id: c.tracking_id.clone(),
                })])
            }
            (None, _) => Err(DomainError::NotFound("site")),
            (Some(s), _) if s.deleted => Err(DomainError::NotFound("site")),
            (Some(s), SiteCommand::Update(u)) => {
                let mut v = Validator::new();
                if let Some(name) = &u.name {
                    v.name("name", name, MAX_NAME_LEN);
                }
                check_fields(
                    &mut v,
                    u.domain.as_deref(),
                    u.timezone.as_deref(),
                    u.currency.as_deref(),
                );
                v.finish()?;
                let changed = SiteUpdated {
                    name: u
                        .name
                        .as_ref()
                        .map(|n| n.trim().to_string())
                        .filter(|n| n != &s.name),
                    domain: u.domain.clone().filter(|d| d != &s.domain),
                    timezone: u.timezone.clone().filter(|t| t != &s.timezone),
                    currency: u.currency.clone().filter(|c| c != &s.currency),
                };
                if changed == SiteUpdated::default() {
                    Ok(vec![])
                } else {
                    Ok(vec![DomainEvent::SiteUpdated(changed)])
                }
            }
            (Some(s), SiteCommand::Delete) => Ok(vec![DomainEvent::SiteDeleted(SiteDeleted {
                site_id: s.id,
                workspace_id: s.workspace_id,
            })]),
            (Some(s), SiteCommand::CreateFunnel(c)) => {
                if s.funnels.iter().any(|f| f.id == c.funnel_id) {
                    return Err(DomainError::AlreadyExists("funnel"));
                }
                let mut v = Validator::new();
                v.name("name", &c.name, MAX_FUNNEL_NAME_LEN);
                check_steps(&mut v, &c.steps);
                check_window(&mut v, c.window_minutes);
                v.check(
                    s.funnels.len() < MAX_FUNNELS,
                    "name",
                    format!("a site keeps at most {MAX_FUNNELS} funnels; delete one first"),
                );
                v.finish()?;
                let name = c.name.trim().to_string();
                if name_taken(s, &name, None) {
                    return Err(DomainError::NameTaken {
                        resource: "funnel",
                        name,
                    });
                }
                Ok(vec![DomainEvent::FunnelCreated(FunnelCreated {
                    funnel_id: c.funnel_id,
                    site_id: s.id,
                    workspace_id: s.workspace_id,
                    name,
                    steps: c.steps.clone(),
                    window_minutes: c.window_minutes.unwrap_or(DEFAULT_FUNNEL_WINDOW),
                })])
            }
            (Some(s), SiteCommand::UpdateFunnel(c)) => {
                let f = s
                    .funnels
                    .iter()
                    .find(|f| f.id == c.funnel_id)
                    .ok_or(DomainError::NotFound("funnel"))?;
                let mut v = Validator::new();
                if let Some(name) = &c.name {
                    v.name("name", name, MAX_FUNNEL_NAME_LEN);
                }
                if let Some(steps) = &c.steps {
                    check_steps(&mut v, steps);
                }
                check_window(&mut v, c.window_minutes);
                v.finish()?;
                let name = c.name.as_ref().map(|n| n.trim().to_string());
                if let Some(n) = &name {
                    if name_taken(s, n, Some(f.id)) {
                        return Err(DomainError::NameTaken {
                            resource: "funnel",
                            name: n.clone(),
                        });
                    }
                }
                let changed = FunnelUpdated {
                    funnel_id: f.id,
                    name: name.filter(|n| n != &f.name),
                    steps: c.steps.clone().filter(|st| st != &f.steps),
                    window_minutes: c.window_minutes.filter(|w| *w != f.window_minutes),
                };
                if changed.name.is_none()
                    && changed.steps.is_none()
                    && changed.window_minutes.is_none()
                {
                    Ok(vec![])
                } else {
                    Ok(vec![DomainEvent::FunnelUpdated(changed)])
                }
            }
            (Some(s), SiteCommand::DeleteFunnel(id)) => {
                if !s.funnels.iter().any(|f| f.id == *id) {
                    return Err(DomainError::NotFound("funnel"));
                }
                Ok(vec![DomainEvent::FunnelDeleted(FunnelDeleted {
                    funnel_id: *id,
                    site_id: s.id,
                })])
            }
            (Some(s), SiteCommand::DeleteData { from, to, now }) => {
                let mut v = Validator::new();
                v.check(
                    whole_hour(from),
                    "from",
                    "must be a whole hour (UTC): analytics are kept by the hour",
                );
                v.check(
                    whole_hour(to),
                    "to",
                    "must be a whole hour (UTC): analytics are kept by the hour",
                );
                v.check(from < to, "to", "must be after from");
                v.check(to <= now, "to", "must not be in the future");
                v.finish()?;
                Ok(vec![DomainEvent::AnalyticsDeleted(AnalyticsDeleted {
                    site_id: s.id,
                    workspace_id: s.workspace_id,
                    from: *from,
                    to: *to,
                })])
            }
        }
    }

    fn evolve(state: SiteState, event: &DomainEvent) -> SiteState {
        match (state, event) {
            (_, DomainEvent::SiteCreated(e)) => Some(Site {
                id: e.site_id,
                workspace_id: e.workspace_id,
                name: e.name.clone(),
                domain: e.domain.clone(),
                timezone: e.timezone.clone(),
                currency: e.currency.clone(),
                tracking_id: e.tracking_id.clone(),
                deleted: false,
                funnels: vec![],
            }),
            (Some(mut s), DomainEvent::SiteUpdated(e)) => {
                if let Some(n) = &e.name {
                    s.name = n.clone();
                }
                if let Some(d) = &e.domain {
                    s.domain = d.clone();
                }
                if let Some(t) = &e.timezone {
                    s.timezone = t.clone();
                }
                if let Some(c) = &e.currency {
                    s.currency = c.clone();
                }
                Some(s)
            }
            (Some(mut s), DomainEvent::SiteDeleted(_)) => {
                s.deleted = true;
                Some(s)
            }
            (Some(mut s), DomainEvent::FunnelCreated(e)) => {
                s.funnels.push(SavedFunnel {
                    id: e.funnel_id,
                    name: e.name.clone(),
                    steps: e.steps.clone(),
                    window_minutes: e.window_minutes,
                });
                Some(s)
            }
            (Some(mut s), DomainEvent::FunnelUpdated(e)) => {
                if let Some(f) = s.funnels.iter_mut().find(|f| f.id == e.funnel_id) {
                    if let Some(n) = &e.name {
                        f.name = n.clone();
                    }
                    if let Some(st) = &e.steps {
                        f.steps = st.clone();
                    }
                    if let Some(w) = e.window_minutes {
                        f.window_minutes = w;
                    }
                }
                Some(s)
            }
            (Some(mut s), DomainEvent::FunnelDeleted(e)) => {
                s.funnels.retain(|f| f.id != e.funnel_id);
                Some(s)
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

    type Test = TestFramework<SiteAggregate>;

    fn id() -> SiteId {
        SiteId(Uuid::from_u128(7))
    }

    fn ws() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(1))
    }

    fn create(domain: &str, tz: &str, currency: &str) -> SiteCommand {
        SiteCommand::Create(CreateSite {
            site_id: id(),
            workspace_id: ws(),
            name: " Shop ".into(),
            domain: domain.into(),
            timezone: tz.into(),
            currency: currency.into(),
            tracking_id: "kt_abc".into(),
        })
    }

    fn created() -> DomainEvent {
        DomainEvent::SiteCreated(SiteCreated {
            site_id: id(),
            workspace_id: ws(),
            name: "Shop".into(),
            domain: "shop.example.com".into(),
            timezone: "Europe/Berlin".into(),
            currency: "EUR".into(),
            tracking_id: "kt_abc".into(),
        })
    }

    #[test]
    fn a_new_site_is_created_with_a_trimmed_name() {
        Test::given(vec![])
            .when(create("shop.example.com", "Europe/Berlin", "EUR"))
            .then(vec![created()]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = Test::given(vec![])
            .when(create("https://Shop.example.com/x", "Mars/Base", "EURO"))
            .error();
        let DomainError::Validation(fields) = err else {
            panic!("expected validation, got {err:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["domain", "timezone", "currency"]);
    }

    #[test]
    fn an_update_records_only_what_changed() {
        let update = UpdateSite {
            name: Some("Shop".into()),
            currency: Some("USD".into()),
            ..Default::default()
        };
        Test::given(vec![created()])
            .when(SiteCommand::Update(update))
            .then(vec![DomainEvent::SiteUpdated(SiteUpdated {
                currency: Some("USD".into()),
                ..Default::default()
            })]);
    }

    #[test]
    fn a_deleted_site_is_gone() {
        let deleted = DomainEvent::SiteDeleted(SiteDeleted {
            site_id: id(),
            workspace_id: ws(),
        });
        Test::given(vec![created()])
            .when(SiteCommand::Delete)
            .then(vec![deleted.clone()]);
        Test::given(vec![created(), deleted])
            .when(SiteCommand::Update(UpdateSite::default()))
            .then_error(DomainError::NotFound("site"));
    }

    fn step(kind: &str, value: &str) -> FunnelStepDef {
        FunnelStepDef {
            kind: kind.into(),
            value: value.into(),
        }
    }

    fn fid(n: u128) -> FunnelId {
        FunnelId(Uuid::from_u128(100 + n))
    }

    fn new_funnel(n: u128, name: &str) -> SiteCommand {
        SiteCommand::CreateFunnel(NewFunnel {
            funnel_id: fid(n),
            name: name.into(),
            steps: vec![step("page", "/pricing"), step("goal", "signup")],
            window_minutes: None,
        })
    }

    fn funnel_created(n: u128, name: &str) -> DomainEvent {
        DomainEvent::FunnelCreated(FunnelCreated {
            funnel_id: fid(n),
            site_id: id(),
            workspace_id: ws(),
            name: name.into(),
            steps: vec![step("page", "/pricing"), step("goal", "signup")],
            window_minutes: DEFAULT_FUNNEL_WINDOW,
        })
    }

    #[test]
    fn a_funnel_is_saved_with_a_day_as_its_window() {
        Test::given(vec![created()])
            .when(new_funnel(1, " Signup "))
            .then(vec![funnel_created(1, "Signup")]);
    }

    #[test]
    fn a_funnel_name_is_unique_on_its_site_whatever_its_case() {
        Test::given(vec![created(), funnel_created(1, "Signup")])
            .when(new_funnel(2, "SIGNUP"))
            .then_error(DomainError::NameTaken {
                resource: "funnel",
                name: "SIGNUP".into(),
            });
        // Renaming another funnel onto it is refused too; renaming a funnel to itself is no change.
        let rename = |n: u128, name: &str| {
            SiteCommand::UpdateFunnel(FunnelChange {
                funnel_id: fid(n),
                name: Some(name.into()),
                steps: None,
                window_minutes: None,
            })
        };
        Test::given(vec![
            created(),
            funnel_created(1, "Signup"),
            funnel_created(2, "Checkout"),
        ])
        .when(rename(2, "signup"))
        .then_error(DomainError::NameTaken {
            resource: "funnel",
            name: "signup".into(),
        });
        Test::given(vec![created(), funnel_created(1, "Signup")])
            .when(rename(1, "Signup"))
            .then(vec![]);
        // A deleted funnel's name is free again.
        let deleted = DomainEvent::FunnelDeleted(FunnelDeleted {
            funnel_id: fid(1),
            site_id: id(),
        });
        Test::given(vec![created(), funnel_created(1, "Signup"), deleted])
            .when(new_funnel(2, "Signup"))
            .then(vec![funnel_created(2, "Signup")]);
    }

    #[test]
    fn a_funnel_needs_two_to_eight_well_formed_steps() {
        let err = Test::given(vec![created()])
            .when(SiteCommand::CreateFunnel(NewFunnel {
                funnel_id: fid(1),
                name: "".into(),
                steps: vec![
                    step("page", "pricing"),
                    step("goal", "Sign Up"),
                    step("click", "x"),
                ],
                window_minutes: Some(0),
            }))
            .error();
        let DomainError::Validation(fields) = err else {
            panic!("expected validation, got {err:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "steps[0].value",
                "steps[1].value",
                "steps[2].type",
                "window_minutes"
            ]
        );
        let one = Test::given(vec![created()])
            .when(SiteCommand::CreateFunnel(NewFunnel {
                funnel_id: fid(1),
                name: "One".into(),
                steps: vec![step("page", "/")],
                window_minutes: None,
            }))
            .error();
        assert!(matches!(one, DomainError::Validation(f) if f[0].field == "steps"));
    }

    #[test]
    fn an_unknown_funnel_is_not_found() {
        Test::given(vec![created()])
            .when(SiteCommand::DeleteFunnel(fid(9)))
            .then_error(DomainError::NotFound("funnel"));
    }

    #[test]
    fn analytics_are_deleted_by_whole_hours_up_to_now() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let now = t("2026-03-05T12:34:00Z");
        Test::given(vec![created()])
            .when(SiteCommand::DeleteData {
                from: t("2026-03-01T00:00:00Z"),
                to: t("2026-03-02T00:00:00Z"),
                now,
            })
            .then(vec![DomainEvent::AnalyticsDeleted(AnalyticsDeleted {
                site_id: id(),
                workspace_id: ws(),
                from: t("2026-03-01T00:00:00Z"),
                to: t("2026-03-02T00:00:00Z"),
            })]);
        let err = Test::given(vec![created()])
            .when(SiteCommand::DeleteData {
                from: t("2026-03-01T00:30:00Z"),
                to: t("2026-03-05T13:00:00Z"),
                now,
            })
            .error();
        let DomainError::Validation(fields) = err else {
            panic!("expected validation, got {err:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["from", "to"]);
        let backwards = Test::given(vec![created()])
            .when(SiteCommand::DeleteData {
                from: t("2026-03-02T00:00:00Z"),
                to: t("2026-03-01T00:00:00Z"),
                now,
            })
            .error();
        assert!(
            matches!(backwards, DomainError::Validation(f) if f[0].message == "must be after from")
        );
    }

    #[test]
    fn domains_are_bare_host_names() {
        for ok in [
            "example.com",
            "a.b-c.example.co.uk",
            "localhost",
            "xn--bcher-kva.de",
        ] {
            assert!(validate_domain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "example",
            "Example.com",
            "http://x.com",
            "x.com/",
            "x.com:80",
            "-a.com",
            "a..com",
        ] {
            assert!(validate_domain(bad).is_err(), "{bad}");
        }
    }
}
