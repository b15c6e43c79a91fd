//! The Tracking Checker (scans of a web page for trackers, consent and SEO) and SEO reports.
//!
//! A scan is requested (with its hourly usage, in the same append), then completed or failed by
//! the worker that ran it. What a scan found is a document of its own shape (versioned by its
//! signature table), kept as JSON. SEO issues are decided per page (`seo-<page>`): a report
//! opens the issues not open yet and resolves those it no longer lists.

use crate::{ApiKeyId, SeoIssueId, SeoPageId, SeoReportId, TrackingScanId, WorkspaceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a scan was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanOptions {
    /// Write a summary (Gemini when configured, else a template).
    pub ai_summary: bool,
    /// Measure speed (PageSpeed Insights when configured, else the rendered pass's timings).
    pub pagespeed: bool,
    /// The summary's language (`en`, `cs`, `sk`, `de`, …).
    pub language: String,
    /// For the loss estimate in visitors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_visitors: Option<i64>,
    /// For the loss estimate in money (minor units are not used: a whole amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_revenue: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingScanRequested {
    pub scan_id: TrackingScanId,
    pub workspace_id: WorkspaceId,
    /// The URL as given (normalised: no fragment, lower-case host).
    pub url: String,
    pub options: ScanOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<ApiKeyId>,
    /// The request id of the call that asked (the seed's `api_meta.request_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What the scan found: `result` follows the response's `ScanResult` shape, of signature table
/// `signatures_version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingScanCompleted {
    pub scan_id: TrackingScanId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub final_url: String,
    pub signatures_version: String,
    pub duration_ms: i64,
    pub result: Map<String, Value>,
}

/// The page could not be scanned: `code` is one of `dns`, `tls`, `timeout`, `connect`,
/// `refused_target`, `http_status`, `not_html`, `too_large`, `too_many_redirects`, `internal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingScanFailed {
    pub scan_id: TrackingScanId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub code: String,
    pub message: String,
    pub duration_ms: i64,
}

/// One issue as a report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoIssueReported {
    #[serde(rename = "type")]
    pub issue_type: String,
    pub severity: String,
    #[serde(default)]
    pub element: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

/// A report of one page: its scores and every issue it has now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoReportSubmitted {
    pub report_id: SeoReportId,
    pub page_id: SeoPageId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub scores: Map<String, Value>,
    pub issues: Vec<SeoIssueReported>,
    /// `api`, or `tracking_checker` for a scan's own report.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<TrackingScanId>,
}

/// An issue (a page, a type and an element) reported while not open: new, or back after it
/// was resolved (`reopened`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoIssueOpened {
    pub issue_id: SeoIssueId,
    pub page_id: SeoPageId,
    pub workspace_id: WorkspaceId,
    pub report_id: SeoReportId,
    pub url: String,
    pub issue_type: String,
    pub severity: String,
    pub element: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
    #[serde(default)]
    pub reopened: bool,
}

/// An open issue a later report of its page no longer lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoIssueResolved {
    pub issue_id: SeoIssueId,
    pub page_id: SeoPageId,
    pub workspace_id: WorkspaceId,
    pub report_id: SeoReportId,
    pub url: String,
}
