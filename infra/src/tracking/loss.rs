//! The loss estimate: what share of visitors and conversions a site fails to measure, as a
//! range, from what the scan found. The model and its sources are in docs/tracking-checker.md;
//! its constants are here, one per assumption.

use super::detect::{Consent, Finding};
use serde::{Deserialize, Serialize};

/// The model's name, bumped when a constant or a rule changes.
pub const MODEL: &str = "keel-loss-1";

/// Visitors who decline (or ignore) a consent banner, in percent.
const DECLINE: (f64, f64) = (30.0, 60.0);
/// Share of declined conversions Consent Mode's modelling recovers, in percent.
const MODEL_RECOVERY: (f64, f64) = (50.0, 70.0);
/// Visitors whose client-side tags an ad blocker or browser protection stops, in percent.
const BLOCKED_VISITORS: (f64, f64) = (8.0, 25.0);
/// Conversions lost the same way (buyers block less than browsers), in percent.
const BLOCKED_CONVERSIONS: (f64, f64) = (5.0, 15.0);
/// Ad-click conversions not attributed without a first-party conversion linker, in percent.
const NO_LINKER: (f64, f64) = (10.0, 30.0);
/// The Largest Contentful Paint a page should stay under, in ms.
const LCP_GOOD_MS: f64 = 2500.0;
/// Per second over that: visitors gone before the tags run, and conversions lost, in percent.
const SLOW_VISITORS_PER_S: (f64, f64) = (2.0, 5.0);
const SLOW_CONVERSIONS_PER_S: (f64, f64) = (3.0, 8.0);
const SLOW_CAP: f64 = 30.0;

/// A range in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

impl Range {
    const ZERO: Range = Range {
        low: 0.0,
        high: 0.0,
    };
    fn of((low, high): (f64, f64)) -> Range {
        Range { low, high }
    }
}

/// One reason for the loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Factor {
    /// `no_analytics`, `consent_without_consent_mode`, `consent_declined_modelled`,
    /// `no_consent_manager`, `client_side_only`, `no_conversion_linker` or `slow_page`.
    pub id: String,
    pub description: String,
    pub visitors_pct: Range,
    pub conversions_pct: Range,
}

/// An amount per month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Amount {
    pub low: i64,
    pub high: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub currency: Option<String>,
}

/// The estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LossEstimate {
    pub model: String,
    /// Share of visitors not measured.
    pub visitors_pct: Range,
    /// Share of conversions not measured or not attributed (and, for slow pages, lost).
    pub conversions_pct: Range,
    pub factors: Vec<Factor>,
    /// What could not be judged from this scan (e.g. speed without a rendered pass or PageSpeed).
    pub not_evaluated: Vec<String>,
    /// Visitors a month not measured, when the request gave `monthly_visitors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub monthly_visitors_unmeasured: Option<Amount>,
    /// Revenue a month whose conversions go unmeasured, when the request gave `monthly_revenue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub monthly_revenue_unmeasured: Option<Amount>,
}

/// What the model reads.
pub struct Inputs<'a> {
    pub trackers: &'a [Finding],
    pub consent: &'a Consent,
    /// Largest Contentful Paint in ms, from PageSpeed or the rendered pass.
    pub lcp_ms: Option<f64>,
    pub monthly_visitors: Option<i64>,
    pub monthly_revenue: Option<i64>,
    pub currency: Option<String>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn has(trackers: &[Finding], ids: &[&str]) -> bool {
    trackers.iter().any(|t| ids.contains(&t.id.as_str()))
}

/// The estimate for a scan's findings.
pub fn estimate(i: &Inputs) -> LossEstimate {
    let mut factors = Vec::new();
    let mut not_evaluated = Vec::new();
    let analytics = i.trackers.iter().any(|t| {
        matches!(
            t.category.as_str(),
            "analytics" | "product_analytics" | "customer_data"
        )
    }) || has(i.trackers, &["google_tag_manager", "server_side_gtm"]);
    let google = has(
        i.trackers,
        &[
            "ga4",
            "universal_analytics",
            "google_tag_manager",
            "server_side_gtm",
            "google_ads",
            "google_ads_conversion",
            "google_ads_remarketing",
        ],
    );
    if !analytics {
        factors.push(Factor {
            id: "no_analytics".into(),
            description: "No analytics found: visits and conversions are not measured at all."
                .into(),
            visitors_pct: Range::of((100.0, 100.0)),
            conversions_pct: Range::of((100.0, 100.0)),
        });
    } else {
        let mode = &i.consent.consent_mode;
        if !i.consent.managers.is_empty() && google {
            if mode.v2 && mode.before_first_tag == Some(true) {
                factors.push(Factor {
                    id: "consent_declined_modelled".into(),
                    description: "Visitors who decline consent are not observed; Consent Mode v2 lets Google model part of their conversions.".into(),
                    visitors_pct: Range::of(DECLINE),
                    conversions_pct: Range::of((
                        DECLINE.0 * (1.0 - MODEL_RECOVERY.1 / 100.0),
                        DECLINE.1 * (1.0 - MODEL_RECOVERY.0 / 100.0),
                    )),
                });
            } else {
                factors.push(Factor {
                    id: "consent_without_consent_mode".into(),
                    description: "A consent banner without Consent Mode v2 defaults before the first Google tag: visitors who decline are lost to Google's measurement, and nothing is modelled.".into(),
                    visitors_pct: Range::of(DECLINE),
                    conversions_pct: Range::of(DECLINE),
                });
            }
        } else if i.consent.managers.is_empty() && !i.trackers.is_empty() {
            factors.push(Factor {
                id: "no_consent_manager".into(),
                description: "No consent manager found: trackers load before consent. Nothing is lost to measurement now, but under EU rules this is a compliance risk, and adding a banner without Consent Mode would cost the share above.".into(),
                visitors_pct: Range::ZERO,
                conversions_pct: Range::ZERO,
            });
        }
        if !has(i.trackers, &["server_side_gtm"]) {
            factors.push(Factor {
                id: "client_side_only".into(),
                description: "All tracking runs in the browser: ad blockers and browser tracking protection stop part of it.".into(),
                visitors_pct: Range::of(BLOCKED_VISITORS),
                conversions_pct: Range::of(BLOCKED_CONVERSIONS),
            });
        }
    }
    let ads_without_linker = has(
        i.trackers,
        &["google_ads_remarketing", "google_ads_conversion"],
    ) && !has(
        i.trackers,
        &["ga4", "google_ads", "google_tag_manager", "server_side_gtm"],
    );
    if ads_without_linker {
        factors.push(Factor {
            id: "no_conversion_linker".into(),
            description: "Google Ads tags without a Google tag or Tag Manager to keep the click id in a first-party cookie: conversions from browsers that block third-party cookies go unattributed.".into(),
            visitors_pct: Range::ZERO,
            conversions_pct: Range::of(NO_LINKER),
        });
    }
    match i.lcp_ms {
        Some(lcp) if lcp > LCP_GOOD_MS => {
            let over = (lcp - LCP_GOOD_MS) / 1000.0;
            let scale = |(l, h): (f64, f64)| Range {
                low: (l * over).min(SLOW_CAP),
                high: (h * over).min(SLOW_CAP),
            };
            factors.push(Factor {
                id: "slow_page".into(),
                description: format!(
                    "The largest content appears after {:.1} s (good: under 2.5 s): visitors leave before the tags run, and fewer of those who stay buy.",
                    lcp / 1000.0
                ),
                visitors_pct: scale(SLOW_VISITORS_PER_S),
                conversions_pct: scale(SLOW_CONVERSIONS_PER_S),
            });
        }
        Some(_) => {}
        None => not_evaluated.push("speed".to_string()),
    }
    // Independent shares compound: what is measured is the product of what each lets through.
    let combine = |pick: fn(&Factor) -> Range| {
        let (mut low, mut high) = (1.0, 1.0);
        for f in &factors {
            let r = pick(f);
            low *= 1.0 - r.low / 100.0;
            high *= 1.0 - r.high / 100.0;
        }
        Range {
            low: round1((1.0 - low) * 100.0),
            high: round1((1.0 - high) * 100.0),
        }
    };
    let visitors_pct = combine(|f| f.visitors_pct);
    let conversions_pct = combine(|f| f.conversions_pct);
    for f in &mut factors {
        f.visitors_pct = Range {
            low: round1(f.visitors_pct.low),
            high: round1(f.visitors_pct.high),
        };
        f.conversions_pct = Range {
            low: round1(f.conversions_pct.low),
            high: round1(f.conversions_pct.high),
        };
    }
    let amount = |total: i64, r: Range, currency: Option<String>| Amount {
        low: (total as f64 * r.low / 100.0).round() as i64,
        high: (total as f64 * r.high / 100.0).round() as i64,
        currency,
    };
    LossEstimate {
        model: MODEL.into(),
        visitors_pct,
        conversions_pct,
        monthly_visitors_unmeasured: i.monthly_visitors.map(|v| amount(v, visitors_pct, None)),
        monthly_revenue_unmeasured: i
            .monthly_revenue
            .map(|v| amount(v, conversions_pct, i.currency.clone())),
        factors,
        not_evaluated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracking::detect::ConsentMode;

    fn finding(id: &str, category: &str) -> Finding {
        Finding {
            id: id.into(),
            name: id.into(),
            category: category.into(),
            vendor: "v".into(),
            ids: vec![],
            found_in: vec!["static".into()],
            before_consent: None,
            evidence: vec![],
        }
    }

    #[test]
    fn a_banner_without_consent_mode_costs_the_declined_share_compounded_with_blockers() {
        let trackers = [finding("ga4", "analytics")];
        let consent = Consent {
            managers: vec![finding("cookiebot", "consent")],
            ..Consent::default()
        };
        let e = estimate(&Inputs {
            trackers: &trackers,
            consent: &consent,
            lcp_ms: Some(4500.0),
            monthly_visitors: Some(10_000),
            monthly_revenue: Some(1_000_000),
            currency: Some("CZK".into()),
        });
        let ids: Vec<_> = e.factors.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "consent_without_consent_mode",
                "client_side_only",
                "slow_page"
            ]
        );
        // 1 − 0.7 × 0.92 × 0.96 = 38.2 %; 1 − 0.4 × 0.75 × 0.90 = 73 %.
        assert_eq!(
            e.visitors_pct,
            Range {
                low: 38.2,
                high: 73.0
            }
        );
        assert_eq!(e.monthly_visitors_unmeasured.as_ref().unwrap().low, 3820);
        let revenue = e.monthly_revenue_unmeasured.unwrap();
        assert_eq!(revenue.currency.as_deref(), Some("CZK"));
        assert!(revenue.low > 0 && revenue.high > revenue.low);
        // With v2 defaults before the tag, conversions are partly modelled.
        let consent = Consent {
            managers: vec![finding("cookiebot", "consent")],
            consent_mode: ConsentMode {
                default_set: true,
                v2: true,
                before_first_tag: Some(true),
                ..ConsentMode::default()
            },
            ..Consent::default()
        };
        let e2 = estimate(&Inputs {
            trackers: &trackers,
            consent: &consent,
            lcp_ms: None,
            monthly_visitors: None,
            monthly_revenue: None,
            currency: None,
        });
        assert_eq!(e2.factors[0].id, "consent_declined_modelled");
        assert_eq!(
            e2.factors[0].conversions_pct,
            Range {
                low: 9.0,
                high: 30.0
            }
        );
        assert_eq!(e2.not_evaluated, ["speed"]);
    }

    #[test]
    fn no_analytics_at_all_is_everything_unmeasured() {
        let e = estimate(&Inputs {
            trackers: &[],
            consent: &Consent::default(),
            lcp_ms: Some(1000.0),
            monthly_visitors: None,
            monthly_revenue: None,
            currency: None,
        });
        assert_eq!(
            e.visitors_pct,
            Range {
                low: 100.0,
                high: 100.0
            }
        );
        assert!(e.not_evaluated.is_empty());
    }
}
