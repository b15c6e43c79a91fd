//! The Tracking Checker (worker role): takes requested scans, fetches each page through the
//! SSRF guard, reads it against the signature table, checks its SEO, measures its speed, writes
//! a summary and a loss estimate, files an SEO report of its findings and records the result
//! (or the failure) through the scan aggregate.

pub mod cdp;
pub mod detect;
pub mod google;
pub mod loss;
pub mod page;
pub mod render;
pub mod seo;
pub mod signatures;
pub mod summary;

use crate::store::SqlStore;
use keel_commands::tracking::{
    scan_report_id, seo_page_id, ScanCommand, SeoPageAggregate, SubmitReport, TrackingScanAggregate,
};
use keel_commands::{execute, CommandError, DomainError, Execution};
use keel_events::{
    EventId, Metadata, ScanOptions, SeoIssueId, SeoReportId, StreamId, TrackingScanId, WorkspaceId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// The Tracking Checker's settings (`KEEL_SCANNER_ALLOW_PRIVATE`, `KEEL_TRACKING_*`,
/// `KEEL_CHROMIUM_PATH`, `KEEL_PAGESPEED_*`, `KEEL_GEMINI_*`).
#[derive(Clone, Default)]
pub struct Settings {
    pub allow_private: bool,
    /// Longest the page fetch may take.
    pub timeout: Duration,
    pub max_bytes: usize,
    pub concurrency: usize,
    pub dns_servers: Vec<String>,
    pub chromium_path: Option<String>,
    /// Extra browser flags (`KEEL_CHROMIUM_ARGS`).
    pub chromium_args: Vec<String>,
    pub google: google::GoogleSettings,
}

/// How a scan went through its passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Passes {
    /// The HTML as served was read.
    #[serde(rename = "static")]
    pub static_html: bool,
    /// A browser ran the page (and, with a consent manager, ran it again after accepting).
    pub rendered: bool,
    /// Why the rendered pass did not run, or what limited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub note: Option<String>,
}

/// The HTTP side of the fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PageInfo {
    pub status_code: u16,
    pub content_type: String,
    pub bytes: i64,
    /// The URL redirected elsewhere (at most 5 times): the scan's `final_url` is where.
    pub redirected: bool,
    pub response_ms: i64,
}

/// What the page's own SEO report holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeoSection {
    /// The report filed for this scan (see `/api/v1/seo/issues/{workspace_id}`).
    pub report_id: String,
    #[schema(value_type = Object)]
    pub scores: Map<String, Value>,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<keel_events::SeoIssueReported>,
}

/// What changed since the previous completed scan of the same URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Changes {
    pub previous_scan_id: String,
    pub previous_scanned_at: String,
    /// Trackers and consent managers found now but not then.
    pub added: Vec<String>,
    /// Found then but not now.
    pub removed: Vec<String>,
    /// `tracker:id` pairs (measurement ids) new since then.
    pub ids_added: Vec<String>,
    pub ids_removed: Vec<String>,
}

/// A completed scan's findings: the `result` of the `tracking_scan.completed` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScanResult {
    pub passes: Passes,
    pub page: PageInfo,
    pub trackers: Vec<detect::Finding>,
    pub consent: detect::Consent,
    pub seo: SeoSection,
    pub pagespeed: google::PageSpeed,
    /// Absent when `ai_summary` was false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub summary: Option<summary::Summary>,
    pub loss_estimate: loss::LossEstimate,
    /// Absent on a URL's first scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub changes: Option<Changes>,
}

/// Why a page could not be scanned (the `tracking_scan.failed` event's code and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFailure {
    pub code: &'static str,
    pub message: String,
}

impl ScanFailure {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// The page as fetched.
pub struct Fetched {
    pub final_url: url::Url,
    pub html: String,
    pub info: PageInfo,
    pub x_robots: Option<String>,
}

/// Fetches pages for the static pass, refusing private targets unless allowed.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
    max_bytes: usize,
}

const MAX_REDIRECTS: usize = 5;

fn literal_forbidden(u: &url::Url) -> Option<String> {
    let ip = match u.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return None,
    };
    keel_commands::webhook::forbidden_ip(ip).map(|reason| format!("{ip} is a {reason}"))
}

impl Fetcher {
    pub fn new(s: &Settings) -> anyhow::Result<Fetcher> {
        let allow_private = s.allow_private;
        // Redirects: at most 5, to http(s) only, never to a private literal address (names are
        // checked by the resolver, when connecting).
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            let next = attempt.url().clone();
            if !matches!(next.scheme(), "http" | "https") {
                return attempt.error(format!("redirect to a {} URL refused", next.scheme()));
            }
            if !allow_private {
                if let Some(reason) = literal_forbidden(&next) {
                    return attempt.error(format!("refused target: {reason}"));
                }
            }
            attempt.follow()
        });
        let mut b = reqwest::Client::builder()
            .timeout(s.timeout)
            .connect_timeout(s.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .user_agent(concat!(
                "Mozilla/5.0 (compatible; KeelTrackingChecker/",
                env!("CARGO_PKG_VERSION"),
                ")"
            ));
        if !s.allow_private {
            let dns = Arc::new(crate::dns::HickoryLookup::new(
                &s.dns_servers,
                s.timeout.min(Duration::from_secs(5)),
            )?);
            b = b.dns_resolver(Arc::new(crate::webhooks::GuardedResolver::new(dns)));
        }
        Ok(Fetcher {
            client: b.build()?,
            allow_private,
            max_bytes: s.max_bytes,
        })
    }

    /// The page at `url`, or why not.
    pub async fn fetch(&self, url: &str) -> Result<Fetched, ScanFailure> {
        let started = Instant::now();
        let u = url::Url::parse(url).map_err(|e| ScanFailure::new("bad_url", e.to_string()))?;
        if !self.allow_private {
            if let Some(reason) = literal_forbidden(&u) {
                return Err(ScanFailure::new(
                    "refused_target",
                    format!("{reason}; only public addresses are scanned"),
                ));
            }
        }
        let resp = self
            .client
            .get(u.clone())
            .header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let final_url = resp.url().clone();
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let x_robots = resp
            .headers()
            .get("x-robots-tag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if !status.is_success() {
            return Err(ScanFailure::new(
                "http_status",
                format!("{final_url} answered {status}"),
            ));
        }
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !(mime == "text/html" || mime == "application/xhtml+xml" || mime.is_empty()) {
            return Err(ScanFailure::new(
                "not_html",
                format!("{final_url} is `{mime}`, not an HTML page"),
            ));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(ScanFailure::new(
                "too_large",
                format!("the page is larger than {} bytes", self.max_bytes),
            ));
        }
        let mut body = Vec::new();
        let mut resp = resp;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if body.len() + c.len() > self.max_bytes {
                        return Err(ScanFailure::new(
                            "too_large",
                            format!("the page is larger than {} bytes", self.max_bytes),
                        ));
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => return Err(classify(&e)),
            }
        }
        Ok(Fetched {
            html: String::from_utf8_lossy(&body).into_owned(),
            info: PageInfo {
                status_code: status.as_u16(),
                content_type,
                bytes: body.len() as i64,
                redirected: final_url != u,
                response_ms: started.elapsed().as_millis() as i64,
            },
            final_url,
            x_robots,
        })
    }
}

/// A failure as a scan reports it: which kind, and what to do about it.
fn classify(e: &reqwest::Error) -> ScanFailure {
    use std::error::Error;
    let mut chain = String::new();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !chain.contains(&t) {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&t);
        }
        source = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    let code = if lower.contains("refused target")
        || lower.contains("private")
        || lower.contains("loopback")
        || lower.contains("reserved")
        || lower.contains("link-local")
        || (lower.contains("resolves to") && lower.contains(", a "))
        || lower.contains(" is a ")
    {
        "refused_target"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_redirect() || lower.contains("redirect") {
        "too_many_redirects"
    } else if lower.contains("could not be resolved")
        || lower.contains("does not resolve")
        || lower.contains("dns")
    {
        "dns"
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("ssl")
    {
        "tls"
    } else {
        "connect"
    };
    let message = if chain.is_empty() {
        e.to_string()
    } else {
        chain
    };
    ScanFailure::new(code, message.chars().take(500).collect::<String>())
}

/// A scan the worker took.
#[derive(Debug, Clone)]
pub struct Job {
    pub scan_id: TrackingScanId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub options: ScanOptions,
    pub requested_at: String,
}

/// Everything a scan needs.
pub struct Scanner {
    pub store: SqlStore,
    pub fetcher: Fetcher,
    pub settings: Settings,
    pub google: google::Google,
    /// The rendered pass, when a browser is configured.
    pub render: Option<render::RenderSettings>,
}

impl Scanner {
    pub fn new(store: SqlStore, settings: Settings) -> anyhow::Result<Scanner> {
        let render = match &settings.chromium_path {
            Some(path) if !path.trim().is_empty() => Some(render::RenderSettings {
                chromium_path: path.clone(),
                extra_args: settings.chromium_args.clone(),
                dns: if settings.allow_private {
                    None
                } else {
                    Some(Arc::new(crate::dns::HickoryLookup::new(
                        &settings.dns_servers,
                        settings.timeout.min(Duration::from_secs(5)),
                    )?))
                },
                timeout: settings.timeout,
            }),
            _ => None,
        };
        Ok(Scanner {
            render,
            fetcher: Fetcher::new(&settings)?,
            google: google::Google::new(&settings.google)?,
            store,
            settings,
        })
    }

    /// Scans one page and records the outcome; returns whether it completed.
    pub async fn run(&self, job: &Job) -> anyhow::Result<bool> {
        let started = Instant::now();
        let outcome = self.scan(job).await;
        let ms = started.elapsed().as_millis() as i64;
        let (command, completed) = match outcome {
            Ok((final_url, result)) => {
                let result = match serde_json::to_value(&result) {
                    Ok(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                (
                    ScanCommand::Complete {
                        final_url,
                        signatures_version: signatures::table().version.clone(),
                        duration_ms: ms,
                        result,
                    },
                    true,
                )
            }
            Err(f) => (
                ScanCommand::Fail {
                    code: f.code.to_string(),
                    message: f.message,
                    duration_ms: ms,
                },
                false,
            ),
        };
        let exec = Execution {
            tenant_id: job.workspace_id,
            stream_id: StreamId::tracking_scan(job.scan_id),
            expected_version: None,
            metadata: Metadata::system(),
            now: chrono::Utc::now(),
            new_stream: false,
        };
        match execute::<TrackingScanAggregate>(&self.store, &exec, &command, EventId::new_v7).await
        {
            Ok(_) => Ok(completed),
            // Another worker finished it first.
            Err(CommandError::Rejected(DomainError::AlreadyExists(_))) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn scan(&self, job: &Job) -> Result<(String, ScanResult), ScanFailure> {
        let fetched = self.fetcher.fetch(&job.url).await?;
        let parsed = page::parse(&fetched.html, &fetched.final_url);
        let table = signatures::table();
        let mut observations = parsed.observations.clone();
        let final_url = fetched.final_url.to_string();
        let (passes, lab, banner_accepted) = match &self.render {
            None => (
                Passes {
                    static_html: true,
                    rendered: false,
                    note: Some(
                        "static HTML only: no browser configured (KEEL_CHROMIUM_PATH)".into(),
                    ),
                },
                None,
                None,
            ),
            Some(rs) => match render::render(rs, &final_url, table, &observations).await {
                Ok(r) => {
                    observations.extend(r.observations);
                    let note = (!r.refused.is_empty()).then(|| {
                        format!(
                            "the browser was refused {} request(s) to addresses that are not public: {}",
                            r.refused.len(),
                            r.refused
                                .iter()
                                .take(3)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    });
                    (
                        Passes {
                            static_html: true,
                            rendered: true,
                            note,
                        },
                        Some(r.lab),
                        r.banner_accepted,
                    )
                }
                Err(e) => {
                    tracing::warn!(scan = %job.scan_id, error = %e, "rendered pass failed");
                    (
                        Passes {
                            static_html: true,
                            rendered: false,
                            note: Some(format!("static HTML only: the rendered pass failed: {e}")),
                        },
                        None,
                        None,
                    )
                }
            },
        };
        let (trackers, mut consent) = detect::detect(table, &observations);
        consent.banner_accepted = banner_accepted;
        let pagespeed = if job.options.pagespeed {
            let measured = self.google.pagespeed(&final_url).await;
            match lab {
                Some(lab) if measured.source == "none" => google::PageSpeed::lab(lab, measured),
                _ => measured,
            }
        } else {
            google::PageSpeed::not_requested()
        };
        let mut issues = seo::check(&parsed.seo, &fetched.final_url, fetched.x_robots.as_deref());
        issues.extend(seo::speed_issues(pagespeed.performance()));
        let loss = loss::estimate(&loss::Inputs {
            trackers: &trackers,
            consent: &consent,
            lcp_ms: pagespeed.lcp_ms(),
            monthly_visitors: job.options.monthly_visitors,
            monthly_revenue: job.options.monthly_revenue,
            currency: job.options.currency.clone(),
        });
        let summary = if job.options.ai_summary {
            let template = summary::template(
                &job.options.language,
                &final_url,
                &trackers,
                &consent,
                &issues,
                &loss,
            );
            Some(
                self.google
                    .summary(
                        &job.options.language,
                        &trackers,
                        &consent,
                        &issues,
                        &loss,
                        template,
                    )
                    .await,
            )
        } else {
            None
        };
        let changes = self.changes(job, &trackers, &consent).await;
        let report_id = self
            .file_report(job, pagespeed.scores(), &issues)
            .await
            .map_err(|e| {
                ScanFailure::new("internal", format!("the SEO report was not filed: {e}"))
            })?;
        Ok((
            final_url,
            ScanResult {
                passes,
                page: fetched.info,
                trackers,
                consent,
                seo: SeoSection {
                    report_id: report_id.to_string(),
                    scores: pagespeed.scores(),
                    issues,
                },
                pagespeed,
                summary,
                loss_estimate: loss,
                changes,
            },
        ))
    }

    async fn changes(
        &self,
        job: &Job,
        trackers: &[detect::Finding],
        consent: &detect::Consent,
    ) -> Option<Changes> {
        let prev = keel_projections::tracking::previous_scan(
            self.store.db(),
            &job.workspace_id.to_string(),
            &job.url,
            &job.requested_at,
        )
        .await
        .ok()??;
        let before: ScanResult = serde_json::from_value(Value::Object(prev.result?)).ok()?;
        let names = |t: &[detect::Finding], c: &detect::Consent| -> Vec<String> {
            t.iter().chain(&c.managers).map(|f| f.id.clone()).collect()
        };
        let ids = |t: &[detect::Finding]| -> Vec<String> {
            t.iter()
                .flat_map(|f| f.ids.iter().map(move |i| format!("{}:{i}", f.id)))
                .collect()
        };
        let (now, then) = (
            names(trackers, consent),
            names(&before.trackers, &before.consent),
        );
        let (ids_now, ids_then) = (ids(trackers), ids(&before.trackers));
        let minus = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|x| !b.contains(x)).cloned().collect()
        };
        Some(Changes {
            previous_scan_id: prev.id,
            previous_scanned_at: prev.completed_at.unwrap_or(prev.created_at),
            added: minus(&now, &then),
            removed: minus(&then, &now),
            ids_added: minus(&ids_now, &ids_then),
            ids_removed: minus(&ids_then, &ids_now),
        })
    }

    async fn file_report(
        &self,
        job: &Job,
        scores: Map<String, Value>,
        issues: &[keel_events::SeoIssueReported],
    ) -> anyhow::Result<SeoReportId> {
        // The report is about the page as asked for (where it redirects may change): its
        // issues join that URL's. One report per scan, whoever files it.
        let page_url = &job.url;
        let report_id = scan_report_id(job.scan_id);
        let page_id = seo_page_id(job.workspace_id, page_url);
        let command = SubmitReport {
            report_id,
            page_id,
            workspace_id: job.workspace_id,
            url: page_url.clone(),
            scores,
            issues: issues.to_vec(),
            new_ids: issues.iter().map(|_| SeoIssueId::new_v7()).collect(),
            source: "tracking_checker".into(),
            scan_id: Some(job.scan_id),
        };
        let exec = Execution {
            tenant_id: job.workspace_id,
            stream_id: StreamId::seo_page(page_id),
            expected_version: None,
            metadata: Metadata::system(),
            now: chrono::Utc::now(),
            new_stream: false,
        };
        execute::<SeoPageAggregate>(&self.store, &exec, &command, EventId::new_v7).await?;
        Ok(report_id)
    }
}

/// What an API in the same process notifies when it records a scan request (the worker then
/// looks at once instead of at its next poll).
pub fn wake() -> &'static Notify {
    static WAKE: std::sync::OnceLock<Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

/// Takes requested scans from the read model and runs them, `concurrency` at a time, until
/// shutdown. `wake` is notified by an API in the same process when it records a request.
pub async fn run(scanner: Arc<Scanner>, mut shutdown: watch::Receiver<bool>) {
    let running: Arc<Mutex<HashSet<TrackingScanId>>> = Arc::new(Mutex::new(HashSet::new()));
    let slots = Arc::new(tokio::sync::Semaphore::new(
        scanner.settings.concurrency.max(1),
    ));
    loop {
        let free = slots.available_permits();
        if free > 0 {
            match keel_projections::tracking::queued_scans(
                scanner.store.db(),
                (free + running.lock().map_or(0, |r| r.len())) as i64,
            )
            .await
            {
                Ok(rows) => {
                    for row in rows {
                        let (Ok(scan_id), Ok(workspace_id)) = (
                            row.id.parse::<TrackingScanId>(),
                            row.workspace_id.parse::<WorkspaceId>(),
                        ) else {
                            continue;
                        };
                        let options: ScanOptions = match serde_json::from_value(row.options) {
                            Ok(o) => o,
                            Err(e) => {
                                tracing::warn!(scan = %scan_id, error = %e, "unreadable scan options");
                                continue;
                            }
                        };
                        if !running.lock().is_ok_and(|mut r| r.insert(scan_id)) {
                            continue;
                        }
                        let Ok(permit) = slots.clone().try_acquire_owned() else {
                            running.lock().map(|mut r| r.remove(&scan_id)).ok();
                            break;
                        };
                        let job = Job {
                            scan_id,
                            workspace_id,
                            url: row.url,
                            options,
                            requested_at: row.created_at,
                        };
                        let scanner = scanner.clone();
                        let running = running.clone();
                        tokio::spawn(async move {
                            if let Err(e) = scanner.run(&job).await {
                                tracing::warn!(scan = %job.scan_id, error = %e, "tracking scan not recorded; will retry");
                                // Leave it queued; try again after a pause.
                                tokio::time::sleep(Duration::from_secs(5)).await;
                            }
                            // The read model shows the outcome only once projected: keep the id
                            // claimed until then so the scan is not taken twice.
                            for _ in 0..100 {
                                match keel_projections::tracking::get_scan(
                                    scanner.store.db(),
                                    &job.workspace_id.to_string(),
                                    &job.scan_id.to_string(),
                                )
                                .await
                                {
                                    Ok(Some(s)) if s.status != "queued" => break,
                                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                                }
                            }
                            running.lock().map(|mut r| r.remove(&job.scan_id)).ok();
                            drop(permit);
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read queued tracking scans; will retry")
                }
            }
        }
        tokio::select! {
            _ = wake().notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
