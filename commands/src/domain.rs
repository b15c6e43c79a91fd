//! The domain aggregate: a domain a workspace watches, its labels, and the record of its scans.
//! A scan's flat summary is compared with the last known values: every field that differs is a
//! change; fields whose lookups failed are neither compared nor forgotten.

use crate::{Aggregate, DomainError, Validator};
use keel_events::usage::UsageRecorded;
use keel_events::{
    ApiKeyId, DnsRecordChanged, DomainAdded, DomainEvent, DomainId, DomainRemoved, DomainRestored,
    DomainScanned, DomainUpdated, FolderCreated, FolderDeleted, FolderId, FolderRenamed,
    ScanOutcome, WhoisFetched, WorkspaceId,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

pub const MAX_DOMAINS_PER_REQUEST: usize = 500;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;
pub const MAX_NOTES_CHARS: usize = 2000;
pub const MAX_LABEL_CHARS: usize = 100;
pub const MAX_FOLDER_NAME: usize = 100;

/// A domain name as Keel stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainName {
    /// ASCII (punycode), lowercase, no trailing dot.
    pub ascii: String,
    /// The Unicode form, when it differs.
    pub unicode: Option<String>,
    /// The public suffix (`com`, `co.uk`); the last label when the suffix list does not know it.
    pub tld: String,
}

/// Normalises what a user typed into a domain name, or says why it is not one (RFC 1035/1123:
/// labels of 1–63 letters, digits and inner hyphens, at most 253 characters; IDNs converted to
/// punycode; lowercased; one trailing dot dropped).
pub fn normalize_domain(input: &str) -> Result<DomainName, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Err("is empty");
    }
    if s.contains("://") {
        return Err("is a URL: give the domain alone (example.com)");
    }
    if s.parse::<Ipv4Addr>().is_ok()
        || s.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<Ipv6Addr>()
            .is_ok()
    {
        return Err("is an IP address, not a domain");
    }
    if s.contains('/') {
        return Err("has a path: give the domain alone (example.com)");
    }
    if s.contains(':') {
        return Err("has a port: give the domain alone (example.com)");
    }
    if s.contains('*') {
        return Err("is a wildcard: give each domain itself");
    }
    if s.contains('@') {
        return Err("is an email address: give its domain (after the @)");
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains spaces");
    }
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.starts_with('.') || s.contains("..") {
        return Err("has an empty label");
    }
    let ascii = idna::domain_to_ascii(s)
        .map_err(|_| "is not a valid internationalised domain name")?
        .to_ascii_lowercase();
    if ascii.len() > 253 {
        return Err("is longer than 253 characters");
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for l in &labels {
        if l.is_empty() {
            return Err("has an empty label");
        }
        if l.len() > 63 {
            return Err("has a label longer than 63 characters");
        }
        if !l
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("may contain only letters, digits, hyphens and dots");
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err("has a label starting or ending with a hyphen");
        }
    }
    if labels.len() < 2 {
        return Err("is a bare top-level domain, not a domain");
    }
    if labels
        .last()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("has an all-numeric top-level domain");
    }
    let tld = match psl::suffix(ascii.as_bytes()) {
        Some(sfx) if sfx.is_known() => String::from_utf8_lossy(sfx.as_bytes()).into_owned(),
        _ => labels.last().map(|l| (*l).to_string()).unwrap_or_default(),
    };
    if tld == ascii {
        return Err("is a public suffix (like co.uk), not a domain");
    }
    let (unicode, _) = idna::domain_to_unicode(&ascii);
    Ok(DomainName {
        unicode: (unicode != ascii).then_some(unicode),
        ascii,
        tld,
    })
}

/// The id of a workspace's domain: the same name in the same workspace is the same domain, so
/// adding it twice finds the first.
pub fn domain_id(ws: WorkspaceId, ascii: &str) -> DomainId {
    DomainId(crate::usage::custom_uuid(&[
        &ws.to_string(),
        "domain",
        ascii,
    ]))
}

/// `None` leaves a field as it is; an empty string clears notes, the label or the folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateDomain {
    pub tags: Option<Vec<String>>,
    pub notes: Option<String>,
    pub custom_label: Option<String>,
    /// Checked to exist by the caller.
    pub folder_id: Option<String>,
    pub is_favorite: Option<bool>,
}

/// A scan as the scanner made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub fields: BTreeMap<String, String>,
    pub records: Value,
    /// Fields whose lookups failed.
    pub failed: Vec<String>,
    pub duration_ms: i64,
    pub outcome: ScanOutcome,
    /// Why lookups failed, or that the domain does not exist.
    pub error: Option<String>,
}

impl ScanReport {
    /// A scan that learned nothing, for `reason`.
    pub fn failed(reason: impl Into<String>, duration_ms: i64) -> Self {
        Self {
            fields: BTreeMap::new(),
            records: Value::Null,
            failed: vec![],
            duration_ms,
            outcome: ScanOutcome::Failed,
            error: Some(reason.into()),
        }
    }
}

/// The `domains` entitlement a watched domain counts against: a lifetime count that a domain
/// added (or restored) takes one of and a removed one gives back, recorded as `usage.recorded`
/// in the same append, so the store's ledger holds a hard limit exactly (ADR 0009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DomainMeter {
    pub limit: Option<i64>,
    pub hard: bool,
    /// The key that asked, for usage by key.
    pub key_id: Option<ApiKeyId>,
}

impl DomainMeter {
    fn record(&self, workspace_id: WorkspaceId, quantity: i64) -> DomainEvent {
        DomainEvent::UsageRecorded(UsageRecorded {
            workspace_id,
            feature: "domains".into(),
            quantity,
            usage_id: None,
            key_id: self.key_id,
            metadata: serde_json::Map::new(),
            period_start: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            limit: self.limit,
            hard: self.hard && self.limit.is_some(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainCommand {
    Add {
        domain_id: DomainId,
        workspace_id: WorkspaceId,
        name: DomainName,
        meter: DomainMeter,
    },
    Update(UpdateDomain),
    Remove(DomainMeter),
    RecordScan(ScanReport),
    RecordWhois(Value),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Domain {
    pub id: Option<DomainId>,
    pub workspace_id: Option<WorkspaceId>,
    pub name: String,
    pub removed: bool,
    pub tags: Vec<String>,
    pub notes: String,
    pub custom_label: String,
    pub folder_id: String,
    pub is_favorite: bool,
    /// The last known value of every field a scan has reported.
    pub last: BTreeMap<String, String>,
    /// Scans that got an answer (the first sets the baseline changes are found against).
    pub scans: i64,
    /// The last scan found the name does not exist.
    pub inactive: bool,
}

pub type DomainState = Option<Domain>;

pub struct DomainAggregate;

fn check_update(v: &mut Validator, u: &UpdateDomain) {
    if let Some(tags) = &u.tags {
        v.check(tags.len() <= MAX_TAGS, "tags", "at most 20 tags");
        for (i, t) in tags.iter().enumerate() {
            let t = t.trim();
            v.check(
                !t.is_empty()
                    && t.chars().count() <= MAX_TAG_CHARS
                    && t.chars()
                        .all(|c| c.is_alphanumeric() || " -_.:".contains(c)),
                &format!("tags[{i}]"),
                "1 to 50 letters, digits, spaces, '-', '_', '.' or ':'",
            );
        }
    }
    if let Some(n) = &u.notes {
        v.check(
            n.chars().count() <= MAX_NOTES_CHARS,
            "notes",
            "at most 2000 characters",
        );
    }
    if let Some(l) = &u.custom_label {
        v.check(
            l.chars().count() <= MAX_LABEL_CHARS,
            "custom_label",
            "at most 100 characters",
        );
    }
}

fn tags_of(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| t.trim().to_string()).collect();
    out.sort();
    out.dedup();
    out
}

/// The fields that differ between the last known values and a scan, skipping failed lookups.
pub fn changes(
    last: &BTreeMap<String, String>,
    scan: &ScanReport,
) -> Vec<(String, Option<String>, Option<String>)> {
    let mut names: Vec<&String> = last.keys().chain(scan.fields.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| !scan.failed.contains(n))
        .filter_map(|n| {
            let (old, new) = (last.get(n), scan.fields.get(n));
            (old != new).then(|| (n.clone(), old.cloned(), new.cloned()))
        })
        .collect()
}

impl Aggregate for DomainAggregate {
    type State = DomainState;
    type Command = DomainCommand;

    fn decide(
        state: &DomainState,
        command: &DomainCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (
                None,
                DomainCommand::Add {
                    domain_id,
                    workspace_id,
                    name,
                    meter,
                },
            ) => Ok(vec![
                DomainEvent::DomainAdded(DomainAdded {
                    domain_id: *domain_id,
                    workspace_id: *workspace_id,
                    name: name.ascii.clone(),
                    unicode: name.unicode.clone(),
                    tld: name.tld.clone(),
                }),
                meter.record(*workspace_id, 1),
            ]),
            (Some(d), DomainCommand::Add { meter, .. }) if d.removed => {
                let workspace_id = d.workspace_id.unwrap_or(WorkspaceId(uuid::Uuid::nil()));
                Ok(vec![
                    DomainEvent::DomainRestored(DomainRestored {
                        domain_id: d.id.unwrap_or(DomainId(uuid::Uuid::nil())),
                        workspace_id,
                    }),
                    meter.record(workspace_id, 1),
                ])
            }
            (Some(_), DomainCommand::Add { .. }) => Err(DomainError::AlreadyExists("domain")),
            (None, _) => Err(DomainError::NotFound("domain")),
            (Some(d), _) if d.removed => Err(DomainError::NotFound("domain")),
            (Some(d), cmd) => {
                let (domain_id, workspace_id) = (
                    d.id.unwrap_or(DomainId(uuid::Uuid::nil())),
                    d.workspace_id.unwrap_or(WorkspaceId(uuid::Uuid::nil())),
                );
                match cmd {
                    DomainCommand::Add { .. } => Err(DomainError::AlreadyExists("domain")),
                    DomainCommand::Update(u) => {
                        let mut v = Validator::new();
                        check_update(&mut v, u);
                        v.finish()?;
                        let changed = DomainUpdated {
                            domain_id,
                            workspace_id,
                            tags: u.tags.as_deref().map(tags_of).filter(|t| *t != d.tags),
                            notes: u.notes.clone().filter(|n| *n != d.notes),
                            custom_label: u
                                .custom_label
                                .as_ref()
                                .map(|l| l.trim().to_string())
                                .filter(|l| *l != d.custom_label),
                            folder_id: u.folder_id.clone().filter(|f| *f != d.folder_id),
                            is_favorite: u.is_favorite.filter(|f| *f != d.is_favorite),
                        };
                        let nothing = changed.tags.is_none()
                            && changed.notes.is_none()
                            && changed.custom_label.is_none()
                            && changed.folder_id.is_none()
                            && changed.is_favorite.is_none();
                        Ok(if nothing {
                            vec![]
                        } else {
                            vec![DomainEvent::DomainUpdated(changed)]
                        })
                    }
                    DomainCommand::Remove(meter) => Ok(vec![
                        DomainEvent::DomainRemoved(DomainRemoved {
                            domain_id,
                            workspace_id,
                        }),
                        meter.record(workspace_id, -1),
                    ]),
                    DomainCommand::RecordScan(scan) => {
                        // The first scan sets the baseline: nothing "changed" yet. A domain that
                        // does not exist, or could not be looked at, changes no field: its last
                        // good values stand until it answers again.
                        let mut found = match scan.outcome {
                            ScanOutcome::Answered if d.scans > 0 => changes(&d.last, scan),
                            _ => vec![],
                        };
                        // Vanishing from the DNS, and coming back, is a change of its own.
                        let status = |inactive: bool| {
                            Some(if inactive { "inactive" } else { "active" }.to_string())
                        };
                        match scan.outcome {
                            ScanOutcome::Nxdomain if !d.inactive && d.scans > 0 => {
                                found.insert(0, ("status".into(), status(false), status(true)))
                            }
                            ScanOutcome::Answered if d.inactive => {
                                found.insert(0, ("status".into(), status(true), status(false)))
                            }
                            _ => {}
                        }
                        let mut events = vec![DomainEvent::DomainScanned(DomainScanned {
                            domain_id,
                            workspace_id,
                            fields: scan.fields.clone(),
                            records: scan.records.clone(),
                            failed: scan.failed.clone(),
                            duration_ms: scan.duration_ms,
                            outcome: scan.outcome,
                            error: scan.error.clone(),
                        })];
                        events.extend(found.into_iter().map(
                            |(field_name, old_value, new_value)| {
                                DomainEvent::DnsRecordChanged(DnsRecordChanged {
                                    domain_id,
                                    workspace_id,
                                    field_name,
                                    old_value,
                                    new_value,
                                })
                            },
                        ));
                        Ok(events)
                    }
                    DomainCommand::RecordWhois(w) => {
                        Ok(vec![DomainEvent::WhoisFetched(WhoisFetched {
                            domain_id,
                            workspace_id,
                            whois: w.clone(),
                        })])
                    }
                }
            }
        }
    }

    fn evolve(state: DomainState, event: &DomainEvent) -> DomainState {
        match (state, event) {
            (_, DomainEvent::DomainAdded(e)) => Some(Domain {
                id: Some(e.domain_id),
                workspace_id: Some(e.workspace_id),
                name: e.name.clone(),
                ..Domain::default()
            }),
            (Some(mut d), DomainEvent::DomainRestored(_)) => {
                d.removed = false;
                Some(d)
            }
            (Some(mut d), DomainEvent::DomainRemoved(_)) => {
                d.removed = true;
                Some(d)
            }
            (Some(mut d), DomainEvent::DomainUpdated(u)) => {
                if let Some(t) = &u.tags {
                    d.tags.clone_from(t);
                }
                if let Some(n) = &u.notes {
                    d.notes.clone_from(n);
                }
                if let Some(l) = &u.custom_label {
                    d.custom_label.clone_from(l);
                }
                if let Some(f) = &u.folder_id {
                    d.folder_id.clone_from(f);
                }
                if let Some(f) = u.is_favorite {
                    d.is_favorite = f;
                }
                Some(d)
            }
            (Some(mut d), DomainEvent::DomainScanned(s)) => {
                match s.outcome {
                    ScanOutcome::Answered => d.inactive = false,
                    ScanOutcome::Nxdomain => {
                        d.inactive = true;
                        return Some(d);
                    }
                    ScanOutcome::Failed => return Some(d),
                }
                d.scans += 1;
                let failed = &s.failed;
                d.last
                    .retain(|k, _| failed.contains(k) || s.fields.contains_key(k));
                for (k, v) in &s.fields {
                    d.last.insert(k.clone(), v.clone());
                }
                Some(d)
            }
            (state, _) => state,
        }
    }
}

/// Folders group a workspace's domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderCommand {
    Create {
        folder_id: FolderId,
        workspace_id: WorkspaceId,
        name: String,
    },
    Rename(String),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: FolderId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub deleted: bool,
}

pub struct FolderAggregate;

impl Aggregate for FolderAggregate {
    type State = Option<Folder>;
    type Command = FolderCommand;

    fn decide(
        state: &Option<Folder>,
        command: &FolderCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        let name_ok = |n: &str| {
            let mut v = Validator::new();
            v.name("name", n, MAX_FOLDER_NAME);
            v.finish()
        };
        match (state, command) {
            (
                None,
                FolderCommand::Create {
                    folder_id,
                    workspace_id,
                    name,
                },
            ) => {
                name_ok(name)?;
                Ok(vec![DomainEvent::FolderCreated(FolderCreated {
                    folder_id: *folder_id,
                    workspace_id: *workspace_id,
                    name: name.trim().to_string(),
                })])
            }
            (Some(_), FolderCommand::Create { .. }) => Err(DomainError::AlreadyExists("folder")),
            (None, _) => Err(DomainError::NotFound("folder")),
            (Some(f), _) if f.deleted => Err(DomainError::NotFound("folder")),
            (Some(f), FolderCommand::Rename(n)) => {
                name_ok(n)?;
                Ok(if n.trim() == f.name {
                    vec![]
                } else {
                    vec![DomainEvent::FolderRenamed(FolderRenamed {
                        folder_id: f.id,
                        workspace_id: f.workspace_id,
                        name: n.trim().to_string(),
                    })]
                })
            }
            (Some(f), FolderCommand::Delete) => {
                Ok(vec![DomainEvent::FolderDeleted(FolderDeleted {
                    folder_id: f.id,
                    workspace_id: f.workspace_id,
                })])
            }
        }
    }

    fn evolve(state: Option<Folder>, event: &DomainEvent) -> Option<Folder> {
        match (state, event) {
            (_, DomainEvent::FolderCreated(e)) => Some(Folder {
                id: e.folder_id,
                workspace_id: e.workspace_id,
                name: e.name.clone(),
                deleted: false,
            }),
            (Some(mut f), DomainEvent::FolderRenamed(e)) => {
                f.name.clone_from(&e.name);
                Some(f)
            }
            (Some(mut f), DomainEvent::FolderDeleted(_)) => {
                f.deleted = true;
                Some(f)
            }
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::TestFramework;

    type Test = TestFramework<DomainAggregate>;

    fn ws() -> WorkspaceId {
        WorkspaceId(uuid::Uuid::from_u128(1))
    }

    fn add(name: &str) -> DomainCommand {
        let name = normalize_domain(name).unwrap();
        DomainCommand::Add {
            domain_id: domain_id(ws(), &name.ascii),
            workspace_id: ws(),
            name,
            meter: METER,
        }
    }

    const METER: DomainMeter = DomainMeter {
        limit: Some(10),
        hard: true,
        key_id: None,
    };

    fn counted(quantity: i64) -> DomainEvent {
        METER.record(ws(), quantity)
    }

    fn added(name: &str) -> DomainEvent {
        Test::given(vec![]).when(add(name)).events().remove(0)
    }

    fn scan(fields: &[(&str, &str)], failed: &[&str]) -> DomainCommand {
        DomainCommand::RecordScan(ScanReport {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            records: Value::Null,
            failed: failed.iter().map(|f| (*f).to_string()).collect(),
            duration_ms: 5,
            outcome: ScanOutcome::Answered,
            error: None,
        })
    }

    fn unanswered(outcome: ScanOutcome) -> DomainCommand {
        DomainCommand::RecordScan(ScanReport {
            outcome,
            ..ScanReport::failed("SERVFAIL", 5)
        })
    }

    fn field_changes(events: &[DomainEvent]) -> Vec<(String, Option<String>, Option<String>)> {
        events
            .iter()
            .filter_map(|e| match e {
                DomainEvent::DnsRecordChanged(c) => Some((
                    c.field_name.clone(),
                    c.old_value.clone(),
                    c.new_value.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    fn scanned(given: Vec<DomainEvent>, cmd: DomainCommand) -> Vec<DomainEvent> {
        Test::given(given).when(cmd).events()
    }

    #[test]
    fn good_and_bad_inputs_each_with_a_reason() {
        let good = [
            ("Example.COM", "example.com", "com"),
            ("example.com.", "example.com", "com"),
            ("  shop.example.co.uk ", "shop.example.co.uk", "co.uk"),
            ("bücher.de", "xn--bcher-kva.de", "de"),
            ("xn--bcher-kva.de", "xn--bcher-kva.de", "de"),
            ("a-b.example.org", "a-b.example.org", "org"),
            ("internal.corp", "internal.corp", "corp"),
        ];
        for (input, ascii, tld) in good {
            let n = normalize_domain(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((n.ascii.as_str(), n.tld.as_str()), (ascii, tld), "{input}");
        }
        assert_eq!(
            normalize_domain("bücher.de").unwrap().unicode.as_deref(),
            Some("bücher.de")
        );
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        let bad: [(&str, &str); 17] = [
            ("", "empty"),
            ("https://example.com", "URL"),
            ("example.com/path", "path"),
            ("example.com:8080", "port"),
            ("192.168.1.1", "IP address"),
            ("2001:db8::1", "IP address"),
            ("*.example.com", "wildcard"),
            ("com", "bare top-level"),
            ("co.uk", "public suffix"),
            ("exa mple.com", "spaces"),
            ("-example.com", "hyphen"),
            ("example-.com", "hyphen"),
            ("exa_mple.com", "letters, digits"),
            ("example..com", "empty label"),
            (&long_label, "63"),
            (&long_name, "253"),
            ("bob@example.com", "email"),
        ];
        for (input, why) in bad {
            let e = normalize_domain(input).expect_err(input);
            assert!(e.contains(why), "{input}: {e} (wanted {why})");
        }
        assert!(normalize_domain("example.123").is_err());
    }

    #[test]
    fn a_domain_is_added_once_and_restored_after_removal() {
        Test::given(vec![added("example.com")])
            .when(add("EXAMPLE.com"))
            .then_error(DomainError::AlreadyExists("domain"));
        let removed = DomainEvent::DomainRemoved(DomainRemoved {
            domain_id: domain_id(ws(), "example.com"),
            workspace_id: ws(),
        });
        Test::given(vec![added("example.com")])
            .when(DomainCommand::Remove(METER))
            .then(vec![removed.clone(), counted(-1)]);
        Test::given(vec![added("example.com"), removed.clone()])
            .when(add("example.com"))
            .then(vec![
                DomainEvent::DomainRestored(DomainRestored {
                    domain_id: domain_id(ws(), "example.com"),
                    workspace_id: ws(),
                }),
                counted(1),
            ]);
        Test::given(vec![added("example.com"), removed])
            .when(DomainCommand::Remove(METER))
            .then_error(DomainError::NotFound("domain"));
        // Each watched domain takes one of the lifetime `domains` count, in the same append.
        let events = Test::given(vec![]).when(add("example.net")).events();
        assert_eq!(events[1], counted(1), "{events:?}");
        let DomainEvent::UsageRecorded(u) = &events[1] else {
            unreachable!()
        };
        assert_eq!(
            (u.feature.as_str(), u.hard, u.limit),
            ("domains", true, Some(10))
        );
        assert_eq!(
            domain_id(ws(), "example.com"),
            domain_id(ws(), "example.com")
        );
        assert_ne!(
            domain_id(ws(), "example.com"),
            domain_id(WorkspaceId(uuid::Uuid::from_u128(2)), "example.com")
        );
    }

    #[test]
    fn the_first_scan_is_the_baseline_and_later_ones_report_each_changed_field() {
        let first = scanned(
            vec![added("example.com")],
            scan(
                &[("mx", "10 mx1.example.com"), ("dmarc_policy", "none")],
                &[],
            ),
        );
        assert_eq!(first.len(), 1, "baseline only: {first:?}");
        let mut history = vec![added("example.com")];
        history.extend(first);
        let second = scanned(
            history.clone(),
            scan(
                &[("mx", "10 mx2.example.com"), ("spf_status", "valid")],
                &[],
            ),
        );
        let changes: Vec<(String, Option<String>, Option<String>)> = second
            .iter()
            .filter_map(|e| match e {
                DomainEvent::DnsRecordChanged(c) => Some((
                    c.field_name.clone(),
                    c.old_value.clone(),
                    c.new_value.clone(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            changes,
            vec![
                ("dmarc_policy".into(), Some("none".into()), None),
                (
                    "mx".into(),
                    Some("10 mx1.example.com".into()),
                    Some("10 mx2.example.com".into())
                ),
                ("spf_status".into(), None, Some("valid".into())),
            ]
        );
    }

    #[test]
    fn a_failed_lookup_is_not_a_change_and_its_last_value_is_kept() {
        let mut history = vec![added("example.com")];
        history.extend(scanned(
            history.clone(),
            scan(&[("mx", "10 mx1.example.com"), ("a", "192.0.2.1")], &[]),
        ));
        let failed = scanned(history.clone(), scan(&[("a", "192.0.2.1")], &["mx"]));
        assert_eq!(failed.len(), 1, "no change for a failed lookup: {failed:?}");
        history.extend(failed);
        // Back, unchanged: still no change, because the last known value was kept.
        let back = scanned(
            history,
            scan(&[("mx", "10 mx1.example.com"), ("a", "192.0.2.1")], &[]),
        );
        assert_eq!(back.len(), 1, "{back:?}");
    }

    #[test]
    fn a_scan_that_learned_nothing_changes_nothing_and_keeps_the_baseline() {
        let mut history = vec![added("example.com")];
        // Failing before any answer: the first answered scan is still the baseline.
        history.extend(scanned(history.clone(), unanswered(ScanOutcome::Failed)));
        let first = scanned(history.clone(), scan(&[("mx", "10 mx1.example.com")], &[]));
        assert_eq!(first.len(), 1, "baseline only: {first:?}");
        history.extend(first);
        let failed = scanned(history.clone(), unanswered(ScanOutcome::Failed));
        assert_eq!(
            failed.len(),
            1,
            "a failed scan changes no field: {failed:?}"
        );
        history.extend(failed);
        let same = scanned(history, scan(&[("mx", "10 mx1.example.com")], &[]));
        assert!(field_changes(&same).is_empty(), "{same:?}");
    }

    #[test]
    fn a_domain_that_vanishes_turns_inactive_once_and_active_when_it_answers_again() {
        let mut history = vec![added("example.com")];
        history.extend(scanned(
            history.clone(),
            scan(&[("mx", "10 mx1.example.com")], &[]),
        ));
        let gone = scanned(history.clone(), unanswered(ScanOutcome::Nxdomain));
        assert_eq!(
            field_changes(&gone),
            vec![(
                "status".into(),
                Some("active".into()),
                Some("inactive".into())
            )],
            "its records are not reported removed one by one"
        );
        history.extend(gone);
        let still = scanned(history.clone(), unanswered(ScanOutcome::Nxdomain));
        assert!(field_changes(&still).is_empty(), "{still:?}");
        history.extend(still);
        let back = scanned(history, scan(&[("mx", "10 mx2.example.com")], &[]));
        assert_eq!(
            field_changes(&back),
            vec![
                (
                    "status".into(),
                    Some("inactive".into()),
                    Some("active".into())
                ),
                (
                    "mx".into(),
                    Some("10 mx1.example.com".into()),
                    Some("10 mx2.example.com".into())
                ),
            ],
            "compared with the last values it had"
        );
        // Never answered: no status change to report on its first scan.
        let never = scanned(
            vec![added("example.org")],
            unanswered(ScanOutcome::Nxdomain),
        );
        assert!(field_changes(&never).is_empty(), "{never:?}");
    }

    #[test]
    fn updates_record_only_what_changed_and_refuse_bad_tags() {
        let events = scanned(
            vec![added("example.com")],
            DomainCommand::Update(UpdateDomain {
                tags: Some(vec!["prod".into(), " prod ".into(), "eu".into()]),
                is_favorite: Some(false),
                ..Default::default()
            }),
        );
        let DomainEvent::DomainUpdated(u) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(u.tags, Some(vec!["eu".to_string(), "prod".to_string()]));
        assert_eq!(u.is_favorite, None, "already not a favourite");
        let DomainError::Validation(f) = Test::given(vec![added("example.com")])
            .when(DomainCommand::Update(UpdateDomain {
                tags: Some(vec!["ok".into(), "not/ok".into()]),
                notes: Some("x".repeat(2001)),
                ..Default::default()
            }))
            .error()
        else {
            panic!()
        };
        let names: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["tags[1]", "notes"]);
    }
}
