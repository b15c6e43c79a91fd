//! Google's APIs the Tracking Checker calls when configured: PageSpeed Insights v5
//! (`runPagespeed`, mobile and desktop) and Gemini (`generateContent`) for the summary. Either
//! failing (quota, a bad key, a timeout) leaves the scan standing: the answer says why and what
//! was used instead.

use super::detect::{Consent, Finding};
use super::loss::LossEstimate;
use super::summary::Summary;
use keel_events::SeoIssueReported;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// `KEEL_PAGESPEED_*` and `KEEL_GEMINI_*`.
#[derive(Clone, Default)]
pub struct GoogleSettings {
    pub pagespeed_api_key: Option<String>,
    /// Default `https://www.googleapis.com`.
    pub pagespeed_url: String,
    pub gemini_api_key: Option<String>,
    /// Default `https://generativelanguage.googleapis.com`.
    pub gemini_url: String,
    pub gemini_model: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for GoogleSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleSettings")
            .field(
                "pagespeed_api_key",
                &self.pagespeed_api_key.as_ref().map(|_| "***"),
            )
            .field("pagespeed_url", &self.pagespeed_url)
            .field(
                "gemini_api_key",
                &self.gemini_api_key.as_ref().map(|_| "***"),
            )
            .field("gemini_url", &self.gemini_url)
            .field("gemini_model", &self.gemini_model)
            .finish()
    }
}

/// Scores and Core Web Vitals of one strategy (mobile or desktop).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpeedScores {
    /// Lighthouse category scores, 0–100.
    pub performance: Option<f64>,
    pub accessibility: Option<f64>,
    pub best_practices: Option<f64>,
    pub seo: Option<f64>,
    /// Largest Contentful Paint, ms (lab).
    pub lcp_ms: Option<f64>,
    /// Cumulative Layout Shift (lab).
    pub cls: Option<f64>,
    /// First Contentful Paint, ms (lab).
    pub fcp_ms: Option<f64>,
    /// Total Blocking Time, ms (lab).
    pub tbt_ms: Option<f64>,
    /// Interaction to Next Paint, ms, the 75th percentile of real visits (field data, when
    /// Chrome's report has the page).
    pub inp_ms: Option<f64>,
    /// The load event, ms (lab timings of the rendered pass only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub load_ms: Option<f64>,
}

/// An error a Google API answered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GoogleError {
    /// The HTTP status (429 quota, 400 bad key or request, 403 not allowed), or 0 when no
    /// answer came.
    pub status: u16,
    /// Google's status name (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, …) or `timeout` /
    /// `unreachable`.
    pub code: String,
    pub message: String,
}

/// Speed, as measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PageSpeed {
    /// `pagespeed_insights`, `lab` (the rendered pass's own timings), `none` (nothing could
    /// measure it) or `not_requested`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub mobile: Option<SpeedScores>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub desktop: Option<SpeedScores>,
    /// What limited the measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub note: Option<String>,
    /// PageSpeed Insights' error, when it was asked and failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub error: Option<GoogleError>,
}

impl PageSpeed {
    pub fn not_requested() -> Self {
        PageSpeed {
            source: "not_requested".into(),
            mobile: None,
            desktop: None,
            note: None,
            error: None,
        }
    }

    /// The rendered pass's own timings, when PageSpeed Insights is not configured or failed
    /// (`instead`: what it answered).
    pub fn lab(lab: SpeedScores, instead: PageSpeed) -> Self {
        let why = match &instead.error {
            Some(e) => format!("PageSpeed Insights failed ({}), so ", e.message),
            None => String::new(),
        };
        PageSpeed {
            source: "lab".into(),
            mobile: None,
            desktop: Some(lab),
            note: Some(format!(
                "{why}these are lab timings of one unthrottled desktop load in headless Chromium on the scanning machine, scored on Lighthouse's desktop curves without Speed Index; not PageSpeed Insights' figures"
            )),
            error: instead.error,
        }
    }

    fn primary(&self) -> Option<&SpeedScores> {
        self.mobile.as_ref().or(self.desktop.as_ref())
    }

    /// The mobile performance score (desktop's when mobile is missing).
    pub fn performance(&self) -> Option<f64> {
        self.primary().and_then(|s| s.performance)
    }

    pub fn lcp_ms(&self) -> Option<f64> {
        self.primary().and_then(|s| s.lcp_ms)
    }

    /// Lighthouse's four scores as an SEO report carries them (core-api's names).
    pub fn scores(&self) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(s) = self.primary() {
            for (k, v) in [
                ("performance", s.performance),
                ("accessibility", s.accessibility),
                ("best_practices", s.best_practices),
                ("seo", s.seo),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), json!(v));
                }
            }
        }
        m
    }
}

/// The client for both APIs.
#[derive(Clone)]
pub struct Google {
    client: reqwest::Client,
    settings: GoogleSettings,
}

async fn call(req: reqwest::RequestBuilder) -> Result<Value, GoogleError> {
    let resp = req.send().await.map_err(|e| GoogleError {
        status: 0,
        code: if e.is_timeout() {
            "timeout"
        } else {
            "unreachable"
        }
        .into(),
        message: e.to_string().chars().take(300).collect(),
    })?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    // Google's error shape: {"error": {"code": 429, "message": "…", "status": "RESOURCE_EXHAUSTED"}}.
    let e = body.get("error");
    Err(GoogleError {
        status: status.as_u16(),
        code: e
            .and_then(|e| e.get("status"))
            .and_then(Value::as_str)
            .unwrap_or(status.canonical_reason().unwrap_or("error"))
            .to_string(),
        message: e
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .chars()
            .take(300)
            .collect(),
    })
}

fn scores_of(v: &Value) -> SpeedScores {
    let lh = &v["lighthouseResult"];
    let cat = |k: &str| {
        lh["categories"][k]["score"]
            .as_f64()
            .map(|s| (s * 100.0).round())
    };
    let audit = |k: &str| lh["audits"][k]["numericValue"].as_f64();
    SpeedScores {
        performance: cat("performance"),
        accessibility: cat("accessibility"),
        best_practices: cat("best-practices"),
        seo: cat("seo"),
        lcp_ms: audit("largest-contentful-paint").map(f64::round),
        cls: audit("cumulative-layout-shift").map(|c| (c * 1000.0).round() / 1000.0),
        fcp_ms: audit("first-contentful-paint").map(f64::round),
        tbt_ms: audit("total-blocking-time").map(f64::round),
        inp_ms: v["loadingExperience"]["metrics"]["INTERACTION_TO_NEXT_PAINT"]["percentile"]
            .as_f64(),
        load_ms: None,
    }
}

impl Google {
    pub fn new(s: &GoogleSettings) -> anyhow::Result<Google> {
        Ok(Google {
            client: reqwest::Client::builder()
                .timeout(if s.timeout.is_zero() {
                    Duration::from_secs(60)
                } else {
                    s.timeout
                })
                .user_agent(concat!("Keel/", env!("CARGO_PKG_VERSION")))
                .build()?,
            settings: s.clone(),
        })
    }

    async fn run_pagespeed(
        &self,
        key: &str,
        url: &str,
        strategy: &str,
    ) -> Result<Value, GoogleError> {
        let endpoint = format!(
            "{}/pagespeedonline/v5/runPagespeed",
            self.settings.pagespeed_url.trim_end_matches('/')
        );
        call(self.client.get(endpoint).query(&[
            ("url", url),
            ("strategy", strategy),
            ("category", "PERFORMANCE"),
            ("category", "ACCESSIBILITY"),
            ("category", "BEST_PRACTICES"),
            ("category", "SEO"),
            ("key", key),
        ]))
        .await
    }

    /// PageSpeed Insights for mobile and desktop, or why not.
    pub async fn pagespeed(&self, url: &str) -> PageSpeed {
        let Some(key) = self.settings.pagespeed_api_key.as_deref() else {
            return PageSpeed {
                source: "none".into(),
                mobile: None,
                desktop: None,
                note: Some(
                    "PageSpeed Insights is not configured (KEEL_PAGESPEED_API_KEY) and the static pass has no timings"
                        .into(),
                ),
                error: None,
            };
        };
        let (mobile, desktop) = tokio::join!(
            self.run_pagespeed(key, url, "mobile"),
            self.run_pagespeed(key, url, "desktop")
        );
        match (mobile, desktop) {
            (Err(e), Err(_)) => PageSpeed {
                source: "none".into(),
                mobile: None,
                desktop: None,
                note: Some(format!("PageSpeed Insights failed: {}", e.message)),
                error: Some(e),
            },
            (m, d) => {
                let error = m.as_ref().err().or(d.as_ref().err()).cloned();
                PageSpeed {
                    source: "pagespeed_insights".into(),
                    mobile: m.ok().map(|v| scores_of(&v)),
                    desktop: d.ok().map(|v| scores_of(&v)),
                    note: error
                        .as_ref()
                        .map(|e| format!("one strategy failed: {}", e.message)),
                    error,
                }
            }
        }
    }

    /// Gemini's summary when configured and it answers; otherwise `template`, saying why.
    pub async fn summary(
        &self,
        language: &str,
        trackers: &[Finding],
        consent: &Consent,
        issues: &[SeoIssueReported],
        loss: &LossEstimate,
        template: Summary,
    ) -> Summary {
        let Some(key) = self.settings.gemini_api_key.as_deref() else {
            return template;
        };
        let prompt = prompt(language, trackers, consent, issues, loss);
        let endpoint = format!(
            "{}/v1beta/models/{}:generateContent",
            self.settings.gemini_url.trim_end_matches('/'),
            self.settings.gemini_model
        );
        let body = json!({
            "systemInstruction": {"parts": [{"text": SYSTEM}]},
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {"temperature": 0.2, "maxOutputTokens": 800},
        });
        let answer = call(
            self.client
                .post(endpoint)
                .header("x-goog-api-key", key)
                .json(&body),
        )
        .await;
        let fallback = |reason: String| Summary {
            fallback_reason: Some(reason),
            ..template.clone()
        };
        match answer {
            Ok(v) => {
                let text: String = v["candidates"][0]["content"]["parts"]
                    .as_array()
                    .map(|parts| {
                        parts
                            .iter()
                            .filter_map(|p| p["text"].as_str())
                            .collect::<Vec<_>>()
                            .join("")
                    })
                    .unwrap_or_default();
                let text = text.trim().to_string();
                if text.is_empty() {
                    let why = v["promptFeedback"]["blockReason"]
                        .as_str()
                        .map(|r| format!("Gemini blocked the prompt ({r})"))
                        .unwrap_or_else(|| "Gemini answered without text".into());
                    return fallback(why);
                }
                Summary {
                    source: "gemini".into(),
                    language: language.into(),
                    text: text.chars().take(4000).collect(),
                    model: Some(self.settings.gemini_model.clone()),
                    fallback_reason: None,
                }
            }
            Err(e) => fallback(format!("Gemini: {} {} ({})", e.status, e.code, e.message)),
        }
    }
}

const SYSTEM: &str = "You summarise a website tracking audit for the site's owner. Use only the \
findings given; do not invent tools, numbers or advice beyond them. Write 4 to 6 plain sentences, \
no lists, no markdown, in the language requested.";

/// The findings only, never the page's content: names, ids, flags and counts.
pub fn prompt(
    language: &str,
    trackers: &[Finding],
    consent: &Consent,
    issues: &[SeoIssueReported],
    loss: &LossEstimate,
) -> String {
    let mut issue_counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for i in issues {
        *issue_counts.entry(i.issue_type.as_str()).or_default() += 1;
    }
    let findings = json!({
        "trackers": trackers.iter().map(|t| json!({
            "name": t.name, "category": t.category, "ids": t.ids,
            "loads_before_consent": t.before_consent,
        })).collect::<Vec<_>>(),
        "consent_managers": consent.managers.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
        "google_consent_mode": {
            "defaults_set": consent.consent_mode.default_set,
            "v2": consent.consent_mode.v2,
            "before_first_google_tag": consent.consent_mode.before_first_tag,
        },
        "seo_issues": issue_counts,
        "unmeasured_visitors_percent": [loss.visitors_pct.low, loss.visitors_pct.high],
        "unmeasured_conversions_percent": [loss.conversions_pct.low, loss.conversions_pct.high],
        "loss_factors": loss.factors.iter().map(|f| f.id.clone()).collect::<Vec<_>>(),
        "monthly_revenue_unmeasured": loss.monthly_revenue_unmeasured,
    });
    format!("Language: {language}\nFindings (JSON):\n{findings}")
}
