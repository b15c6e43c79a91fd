//! Tracking Checker scans and SEO pages: what a scan request records (with its hourly usage),
//! how a worker's result ends it, and how an SEO report opens and resolves a page's issues.

use crate::{Aggregate, DomainError, Validator};
use chrono::{DateTime, Utc};
use keel_events::usage::UsageRecorded;
use keel_events::{
    ApiKeyId, DomainEvent, ScanOptions, SeoIssueId, SeoIssueOpened, SeoIssueReported,
    SeoIssueResolved, SeoPageId, SeoReportId, SeoReportSubmitted, TrackingScanCompleted,
    TrackingScanFailed, TrackingScanId, TrackingScanRequested, WorkspaceId,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The metered feature a scan counts against.
pub const SCAN_FEATURE: &str = "tracking_checker_api_hourly";
/// Longest URL a scan or a report accepts.
pub const MAX_URL_LEN: usize = 2048;
/// Most issues one report may list.
pub const MAX_ISSUES: usize = 500;
/// Severities an SEO issue may have, worst first.
pub const SEVERITIES: [&str; 5] = ["critical", "error", "warning", "notice", "info"];
/// How a failed scan is classified.
pub const FAILURE_CODES: [&str; 11] = [
    "dns",
    "tls",
    "timeout",
    "connect",
    "refused_target",
    "http_status",
    "not_html",
    "too_large",
    "too_many_redirects",
    "bad_url",
    "internal",
];

/// The hourly entitlement as the request found it: the store's ledger holds it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanMeter {
    pub limit: Option<i64>,
    pub hard: bool,
    pub period_start: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanCommand {
    Request {
        scan_id: TrackingScanId,
        workspace_id: WorkspaceId,
        url: String,
        options: ScanOptions,
        key_id: Option<ApiKeyId>,
        request_id: Option<String>,
        meter: ScanMeter,
    },
    Complete {
        final_url: String,
        signatures_version: String,
        duration_ms: i64,
        result: Map<String, Value>,
    },
    Fail {
        code: String,
        message: String,
        duration_ms: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    Queued,
    Completed,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub scan_id: TrackingScanId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub status: ScanStatus,
}

pub struct TrackingScanAggregate;

/// Whether `url` is an absolute http(s) URL with a host, short enough to scan or report.
pub fn check_page_url(v: &mut Validator, field: &str, url: &str) {
    let parsed = url::Url::parse(url);
    v.check(
        matches!(&parsed, Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())),
        field,
        "must be an absolute http:// or https:// URL with a host",
    );
    v.check(
        url.len() <= MAX_URL_LEN,
        field,
        format!("must be at most {MAX_URL_LEN} characters"),
    );
}

/// A language tag for the summary: `en`, `cs`, `pt-BR`, …
fn valid_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or_default();
    let region = parts.next();
    parts.next().is_none()
        && (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
}

impl Aggregate for TrackingScanAggregate {
    type State = Option<Scan>;
    type Command = ScanCommand;

    fn decide(
        state: &Option<Scan>,
        command: &ScanCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), ScanCommand::Request { .. }) => Err(DomainError::AlreadyExists("scan")),
            (
                None,
                ScanCommand::Request {
                    scan_id,
                    workspace_id,
                    url,
                    options,
                    key_id,
                    request_id,
                    meter,
                },
            ) => {
                let mut v = Validator::new();
                check_page_url(&mut v, "url", url);
                v.check(
                    valid_language(&options.language),
                    "language",
                    "must be a language tag such as `en`, `cs` or `pt-BR`",
                );
                v.check(
                    options.monthly_visitors.is_none_or(|n| n >= 0),
                    "monthly_visitors",
                    "must not be negative",
                );
                v.check(
                    options.monthly_revenue.is_none_or(|n| n >= 0),
                    "monthly_revenue",
                    "must not be negative",
                );
                v.check(
                    options
                        .currency
                        .as_deref()
                        .is_none_or(keel_events::is_currency),
                    "currency",
                    "must be an ISO 4217 code such as `EUR` or `CZK`",
                );
                v.finish()?;
                Ok(vec![
                    DomainEvent::TrackingScanRequested(TrackingScanRequested {
                        scan_id: *scan_id,
                        workspace_id: *workspace_id,
                        url: url.clone(),
                        options: options.clone(),
                        key_id: *key_id,
                        request_id: request_id.clone(),
                    }),
                    DomainEvent::UsageRecorded(UsageRecorded {
                        workspace_id: *workspace_id,
                        feature: SCAN_FEATURE.into(),
                        quantity: 1,
                        usage_id: None,
                        key_id: *key_id,
                        metadata: Map::new(),
                        period_start: meter.period_start,
                        limit: meter.limit,
                        hard: meter.hard && meter.limit.is_some(),
                    }),
                ])
            }
            (None, _) => Err(DomainError::NotFound("scan")),
            (Some(s), _) if s.status != ScanStatus::Queued => {
                Err(DomainError::AlreadyExists("scan result"))
            }
            (
                Some(s),
                ScanCommand::Complete {
                    final_url,
                    signatures_version,
                    duration_ms,
                    result,
                },
            ) => Ok(vec![DomainEvent::TrackingScanCompleted(
                TrackingScanCompleted {
                    scan_id: s.scan_id,
                    workspace_id: s.workspace_id,
                    url: s.url.clone(),
                    final_url: final_url.clone(),
                    signatures_version: signatures_version.clone(),
                    duration_ms: (*duration_ms).max(0),
                    result: result.clone(),
                },
            )]),
            (
                Some(s),
                ScanCommand::Fail {
                    code,
                    message,
                    duration_ms,
                },
            ) => {
                let code = if FAILURE_CODES.contains(&code.as_str()) {
                    code.clone()
                } else {
                    "internal".to_string()
                };
                Ok(vec![DomainEvent::TrackingScanFailed(TrackingScanFailed {
                    scan_id: s.scan_id,
                    workspace_id: s.workspace_id,
                    url: s.url.clone(),
                    code,
                    message: message.chars().take(1000).collect(),
                    duration_ms: (*duration_ms).max(0),
                })])
            }
        }
    }

    fn evolve(state: Option<Scan>, event: &DomainEvent) -> Option<Scan> {
        match event {
            DomainEvent::TrackingScanRequested(e) => Some(Scan {
                scan_id: e.scan_id,
                workspace_id: e.workspace_id,
                url: e.url.clone(),
                status: ScanStatus::Queued,
            }),
            DomainEvent::TrackingScanCompleted(_) => state.map(|s| Scan {
                status: ScanStatus::Completed,
                ..s
            }),
            DomainEvent::TrackingScanFailed(_) => state.map(|s| Scan {
                status: ScanStatus::Failed,
                ..s
            }),
            _ => state,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SEO pages

/// The page id of `url` (normalised) in a workspace: one stream per page.
pub fn seo_page_id(ws: WorkspaceId, url: &str) -> SeoPageId {
    SeoPageId(crate::usage::custom_uuid(&[
        &ws.to_string(),
        "seo-page",
        url,
    ]))
}

/// The SEO report a scan files of its own findings (one per scan, whoever files it).
pub fn scan_report_id(scan: TrackingScanId) -> SeoReportId {
    SeoReportId(crate::usage::custom_uuid(&[
        &scan.to_string(),
        "seo-report",
    ]))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitReport {
    pub report_id: SeoReportId,
    pub page_id: SeoPageId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub scores: Map<String, Value>,
    pub issues: Vec<SeoIssueReported>,
    /// Ids for issues this page has never had, one per reported issue (unused ones are dropped).
    pub new_ids: Vec<SeoIssueId>,
    pub source: String,
    pub scan_id: Option<TrackingScanId>,
}

/// One issue of a page, known by its type and element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageIssue {
    pub issue_id: SeoIssueId,
    pub open: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeoPage {
    pub workspace_id: Option<WorkspaceId>,
    /// By (type, element).
    pub issues: BTreeMap<(String, String), PageIssue>,
}

pub struct SeoPageAggregate;

fn valid_issue_type(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_report(v: &mut Validator, c: &SubmitReport) {
    check_page_url(v, "url", &c.url);
    v.check(c.scores.len() <= 20, "scores", "at most 20 scores");
    for (k, val) in &c.scores {
        v.check(
            valid_issue_type(k),
            "scores",
            format!("score names are lower-case letters, digits and `_` (`{k}` is not)"),
        );
        v.check(
            val.as_f64().is_some_and(|n| (0.0..=100.0).contains(&n)),
            &format!("scores.{k}"),
            "must be a number from 0 to 100",
        );
    }
    v.check(
        c.issues.len() <= MAX_ISSUES,
        "issues",
        format!("at most {MAX_ISSUES} issues in one report"),
    );
    for (i, issue) in c.issues.iter().enumerate() {
        v.check(
            valid_issue_type(&issue.issue_type),
            &format!("issues[{i}].type"),
            "must be 1-64 lower-case letters, digits, `_` or `-`",
        );
        v.check(
            SEVERITIES.contains(&issue.severity.as_str()),
            &format!("issues[{i}].severity"),
            format!("must be one of {}", SEVERITIES.join(", ")),
        );
        v.check(
            issue.element.chars().count() <= 500,
            &format!("issues[{i}].element"),
            "must be at most 500 characters",
        );
        v.check(
            serde_json::to_string(&issue.details).map_or(0, |s| s.len()) <= 16 * 1024,
            &format!("issues[{i}].details"),
            "must be at most 16 KiB of JSON",
        );
    }
}

impl Aggregate for SeoPageAggregate {
    type State = SeoPage;
    type Command = SubmitReport;

    fn decide(state: &SeoPage, c: &SubmitReport) -> Result<Vec<DomainEvent>, DomainError> {
        let mut v = Validator::new();
        check_report(&mut v, c);
        v.finish()?;
        if state.workspace_id.is_some_and(|w| w != c.workspace_id) {
            return Err(DomainError::NotFound("page"));
        }
        // The report as recorded: each (type, element) once, the first listing kept.
        let mut seen = std::collections::BTreeSet::new();
        let issues: Vec<SeoIssueReported> = c
            .issues
            .iter()
            .filter(|i| seen.insert((i.issue_type.clone(), i.element.trim().to_string())))
            .map(|i| SeoIssueReported {
                element: i.element.trim().to_string(),
                ..i.clone()
            })
            .collect();
        let mut events = vec![DomainEvent::SeoReportSubmitted(SeoReportSubmitted {
            report_id: c.report_id,
            page_id: c.page_id,
            workspace_id: c.workspace_id,
            url: c.url.clone(),
            scores: c.scores.clone(),
            issues: issues.clone(),
            source: c.source.clone(),
            scan_id: c.scan_id,
        })];
        let mut fresh = c.new_ids.iter();
        for i in &issues {
            let key = (i.issue_type.clone(), i.element.clone());
            let (issue_id, reopened) = match state.issues.get(&key) {
                Some(known) if known.open => continue,
                Some(known) => (known.issue_id, true),
                None => match fresh.next() {
                    Some(id) => (*id, false),
                    None => {
                        return Err(DomainError::field(
                            "issues",
                            "internal: not enough issue ids for this report",
                        ))
                    }
                },
            };
            events.push(DomainEvent::SeoIssueOpened(SeoIssueOpened {
                issue_id,
                page_id: c.page_id,
                workspace_id: c.workspace_id,
                report_id: c.report_id,
                url: c.url.clone(),
                issue_type: i.issue_type.clone(),
                severity: i.severity.clone(),
                element: i.element.clone(),
                details: i.details.clone(),
                reopened,
            }));
        }
        for (key, known) in &state.issues {
            if known.open && !seen.contains(key) {
                events.push(DomainEvent::SeoIssueResolved(SeoIssueResolved {
                    issue_id: known.issue_id,
                    page_id: c.page_id,
                    workspace_id: c.workspace_id,
                    report_id: c.report_id,
                    url: c.url.clone(),
                }));
            }
        }
        Ok(events)
    }

    fn evolve(mut state: SeoPage, event: &DomainEvent) -> SeoPage {
        match event {
            DomainEvent::SeoReportSubmitted(e) => state.workspace_id = Some(e.workspace_id),
            DomainEvent::SeoIssueOpened(e) => {
                state.issues.insert(
                    (e.issue_type.clone(), e.element.clone()),
                    PageIssue {
                        issue_id: e.issue_id,
                        open: true,
                    },
                );
            }
            DomainEvent::SeoIssueResolved(e) => {
                for known in state.issues.values_mut() {
                    if known.issue_id == e.issue_id {
                        known.open = false;
                    }
                }
            }
            _ => {}
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework as Test;
    use serde_json::json;
    use uuid::Uuid;

    const WS: WorkspaceId = WorkspaceId(Uuid::from_u128(1));
    const SCAN: TrackingScanId = TrackingScanId(Uuid::from_u128(2));
    const PAGE: SeoPageId = SeoPageId(Uuid::from_u128(3));

    fn options() -> ScanOptions {
        ScanOptions {
            ai_summary: true,
            pagespeed: true,
            language: "cs".into(),
            monthly_visitors: None,
            monthly_revenue: None,
            currency: None,
        }
    }

    fn hour() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T22:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn request(url: &str) -> ScanCommand {
        ScanCommand::Request {
            scan_id: SCAN,
            workspace_id: WS,
            url: url.into(),
            options: options(),
            key_id: None,
            request_id: Some("req_1".into()),
            meter: ScanMeter {
                limit: Some(60),
                hard: true,
                period_start: hour(),
            },
        }
    }

    fn requested() -> DomainEvent {
        DomainEvent::TrackingScanRequested(TrackingScanRequested {
            scan_id: SCAN,
            workspace_id: WS,
            url: "https://eshop.cz/".into(),
            options: options(),
            key_id: None,
            request_id: Some("req_1".into()),
        })
    }

    #[test]
    fn a_scan_request_counts_one_against_the_hourly_limit_in_the_same_append() {
        Test::<TrackingScanAggregate>::given(vec![])
            .when(request("https://eshop.cz/"))
            .then(vec![
                requested(),
                DomainEvent::UsageRecorded(UsageRecorded {
                    workspace_id: WS,
                    feature: SCAN_FEATURE.into(),
                    quantity: 1,
                    usage_id: None,
                    key_id: None,
                    metadata: Map::new(),
                    period_start: hour(),
                    limit: Some(60),
                    hard: true,
                }),
            ]);
    }

    #[test]
    fn a_scan_of_anything_but_a_web_page_or_in_an_unknown_language_is_refused() {
        for url in [
            "ftp://eshop.cz/",
            "eshop.cz",
            "http://",
            "javascript:alert(1)",
        ] {
            let e = Test::<TrackingScanAggregate>::given(vec![])
                .when(request(url))
                .error();
            assert!(
                matches!(e, DomainError::Validation(f) if f[0].field == "url"),
                "{url}"
            );
        }
        let mut bad = request("https://eshop.cz/");
        if let ScanCommand::Request { options, .. } = &mut bad {
            options.language = "Czech".into();
            options.currency = Some("czk".into());
        }
        let e = Test::<TrackingScanAggregate>::given(vec![])
            .when(bad)
            .error();
        let DomainError::Validation(fields) = e else {
            panic!("{e:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["language", "currency"]);
    }

    #[test]
    fn a_scan_ends_once_completed_or_failed() {
        let done = Test::<TrackingScanAggregate>::given(vec![requested()])
            .when(ScanCommand::Complete {
                final_url: "https://www.eshop.cz/".into(),
                signatures_version: "1".into(),
                duration_ms: 812,
                result: Map::new(),
            })
            .events();
        assert!(
            matches!(&done[0], DomainEvent::TrackingScanCompleted(c) if c.final_url == "https://www.eshop.cz/")
        );
        Test::<TrackingScanAggregate>::given(vec![requested(), done[0].clone()])
            .when(ScanCommand::Fail {
                code: "timeout".into(),
                message: "late".into(),
                duration_ms: 1,
            })
            .then_error(DomainError::AlreadyExists("scan result"));
        let failed = Test::<TrackingScanAggregate>::given(vec![requested()])
            .when(ScanCommand::Fail {
                code: "something odd".into(),
                message: "boom".into(),
                duration_ms: 5,
            })
            .events();
        assert!(matches!(&failed[0], DomainEvent::TrackingScanFailed(f) if f.code == "internal"));
        Test::<TrackingScanAggregate>::given(vec![])
            .when(ScanCommand::Fail {
                code: "dns".into(),
                message: "x".into(),
                duration_ms: 0,
            })
            .then_error(DomainError::NotFound("scan"));
    }

    fn issue(t: &str, element: &str) -> SeoIssueReported {
        SeoIssueReported {
            issue_type: t.into(),
            severity: "warning".into(),
            element: element.into(),
            details: Map::new(),
        }
    }

    fn report(n: u128, issues: Vec<SeoIssueReported>) -> SubmitReport {
        SubmitReport {
            report_id: SeoReportId(Uuid::from_u128(100 + n)),
            page_id: PAGE,
            workspace_id: WS,
            url: "https://example.com/page".into(),
            scores: json!({"performance": 85, "seo": 95})
                .as_object()
                .unwrap()
                .clone(),
            new_ids: (0..issues.len() as u128)
                .map(|i| SeoIssueId(Uuid::from_u128(1000 * n + i)))
                .collect(),
            issues,
            source: "api".into(),
            scan_id: None,
        }
    }

    fn history(commands: &[SubmitReport]) -> Vec<DomainEvent> {
        let mut log = Vec::new();
        for c in commands {
            let state = SeoPageAggregate::fold(log.iter());
            log.extend(SeoPageAggregate::decide(&state, c).unwrap());
        }
        log
    }

    #[test]
    fn a_report_opens_new_issues_once_and_resolves_those_it_no_longer_lists() {
        let first = report(
            1,
            vec![issue("missing_alt", "img.hero"), issue("missing_h1", "")],
        );
        let events = Test::<SeoPageAggregate>::given(vec![])
            .when(first.clone())
            .events();
        let opened: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                DomainEvent::SeoIssueOpened(o) => Some((o.issue_type.as_str(), o.issue_id)),
                _ => None,
            })
            .collect();
        assert_eq!(
            opened,
            [
                ("missing_alt", SeoIssueId(Uuid::from_u128(1000))),
                ("missing_h1", SeoIssueId(Uuid::from_u128(1001)))
            ]
        );
        // The same issue again opens nothing; the one gone is resolved.
        let second = report(2, vec![issue("missing_alt", " img.hero ")]);
        let events = Test::<SeoPageAggregate>::given(history(std::slice::from_ref(&first)))
            .when(second.clone())
            .events();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(&events[1], DomainEvent::SeoIssueResolved(r)
            if r.issue_id == SeoIssueId(Uuid::from_u128(1001))));
        // Back again: the same issue, reopened.
        let third = report(3, vec![issue("missing_h1", "")]);
        let events = Test::<SeoPageAggregate>::given(history(&[first, second]))
            .when(third)
            .events();
        assert!(matches!(&events[1], DomainEvent::SeoIssueOpened(o)
            if o.issue_id == SeoIssueId(Uuid::from_u128(1001)) && o.reopened));
        assert!(matches!(&events[2], DomainEvent::SeoIssueResolved(r)
            if r.issue_id == SeoIssueId(Uuid::from_u128(1000))));
    }

    #[test]
    fn a_report_lists_each_issue_once_and_refuses_bad_scores_and_severities() {
        let twice = report(
            1,
            vec![issue("missing_alt", "img"), issue("missing_alt", "img")],
        );
        let events = Test::<SeoPageAggregate>::given(vec![]).when(twice).events();
        assert_eq!(events.len(), 2);
        let mut bad = report(1, vec![issue("Missing Alt", "img")]);
        bad.issues[0].severity = "fatal".into();
        bad.scores.insert("seo".into(), json!(120));
        let DomainError::Validation(fields) =
            Test::<SeoPageAggregate>::given(vec![]).when(bad).error()
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["scores.seo", "issues[0].type", "issues[0].severity"]
        );
    }
}
