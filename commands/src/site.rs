//! The site aggregate: a website or app of a workspace, with the domain its traffic comes from,
//! the time zone its reports use, its default currency and a public tracking id.

use crate::validation::validate_timezone;
use crate::{Aggregate, DomainError, Validator};
use keel_events::{
    is_currency, DomainEvent, SiteCreated, SiteDeleted, SiteId, SiteUpdated, WorkspaceId,
};

pub const MAX_NAME_LEN: usize = 255;

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
