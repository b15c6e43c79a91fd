//! Turning observations into findings: which trackers and consent managers a page has, with
//! their ids and evidence, whether Google Consent Mode v2 defaults come before the first Google
//! tag, and which trackers load before consent.

use super::signatures::{Kind, Observation, Pass, Signature, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One piece of evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    /// `static`, `rendered` or `consented`.
    pub pass: String,
    /// `script_src`, `inline_script`, `attributes`, `pixel`, `request`, `global`, `cookie` or
    /// `consent_call`.
    pub kind: String,
    /// The URL, name or an excerpt of the script (at most 300 characters).
    pub value: String,
    /// The script that made the request, where the browser says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub initiator: Option<String>,
}

/// A tracker (or a consent manager) found on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// The signature's id (`ga4`, `meta_pixel`, `cookiebot`, …).
    pub id: String,
    pub name: String,
    /// `analytics`, `advertising`, `tag_manager`, `session_recording`, `product_analytics`,
    /// `customer_data` or `consent`.
    pub category: String,
    pub vendor: String,
    /// Measurement, container, pixel or account ids seen.
    pub ids: Vec<String>,
    /// The passes that saw it.
    pub found_in: Vec<String>,
    /// Whether it loads before the visitor consents: `true` or `false` when known (the rendered
    /// pass, a script held back by the consent manager, or no consent manager at all), absent
    /// when the static pass cannot tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub before_consent: Option<bool>,
    /// At most 5 pieces of evidence.
    pub evidence: Vec<Evidence>,
}

/// Google Consent Mode as the page sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentMode {
    /// A `gtag('consent', 'default', …)` call was found.
    pub default_set: bool,
    /// The defaults include v2's `ad_user_data` and `ad_personalization`.
    pub v2: bool,
    /// The default of each consent type (`denied` or `granted`).
    pub defaults: BTreeMap<String, String>,
    /// The defaults come before the first Google tag loads (absent: no Google tag, or no
    /// defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub before_first_tag: Option<bool>,
    /// A `gtag('consent', 'update', …)` call was found.
    pub update_seen: bool,
}

/// Consent: the managers found, Consent Mode, and what loads before consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    pub managers: Vec<Finding>,
    pub consent_mode: ConsentMode,
    /// Ids of trackers known to load before consent.
    pub trackers_before_consent: Vec<String>,
    /// Whether the rendered pass found and clicked an accept button (absent: not tried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub banner_accepted: Option<bool>,
}

const GOOGLE_TAGS: [&str; 6] = [
    "ga4",
    "universal_analytics",
    "google_tag_manager",
    "server_side_gtm",
    "google_ads",
    "google_ads_conversion",
];

fn excerpt(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 {
        format!("{}…", one_line.chars().take(299).collect::<String>())
    } else {
        one_line
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::ScriptSrc => "script_src",
        Kind::InlineScript => "inline_script",
        Kind::Attributes => "attributes",
        Kind::Pixel => "pixel",
        Kind::Request => "request",
        Kind::Global => "global",
        Kind::Cookie => "cookie",
        Kind::ConsentCall => "consent_call",
    }
}

/// A signature's matches among the observations, as a finding (with the first match's order
/// and whether every match was held back for consent), or nothing.
fn find(sig: &Signature, obs: &[Observation]) -> Option<(Finding, usize, bool)> {
    let hits: Vec<&Observation> = obs.iter().filter(|o| sig.matches(o)).collect();
    let first = hits.iter().map(|o| o.order).min()?;
    let mut ids = Vec::new();
    let mut passes = Vec::new();
    for o in &hits {
        for id in sig.ids_in(&o.value) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let p = o.pass.as_str().to_string();
        if !passes.contains(&p) {
            passes.push(p);
        }
    }
    let all_gated = hits.iter().all(|o| o.gated);
    // The same request seen again (after consent, then on the reload) is one piece of evidence.
    let mut evidence: Vec<Evidence> = Vec::new();
    for o in &hits {
        let e = Evidence {
            pass: o.pass.as_str().into(),
            kind: kind_name(o.kind).into(),
            value: excerpt(&o.value),
            initiator: o.initiator.clone(),
        };
        if !evidence.contains(&e) {
            evidence.push(e);
        }
        if evidence.len() == 5 {
            break;
        }
    }
    Some((
        Finding {
            id: sig.id.clone(),
            name: sig.name.clone(),
            category: sig.category.clone(),
            vendor: sig.vendor.clone(),
            ids,
            found_in: passes,
            before_consent: None,
            evidence,
        },
        first,
        all_gated,
    ))
}

fn consent_calls() -> &'static (regex::Regex, regex::Regex, regex::Regex) {
    static RE: OnceLock<(regex::Regex, regex::Regex, regex::Regex)> = OnceLock::new();
    RE.get_or_init(|| {
        let compile = |p: &str| regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        (
            compile(r#"(?s)['"]consent['"]\s*,\s*['"]default['"]\s*,\s*\{([^}]*)\}"#),
            compile(r#"['"]?([a-z_]+)['"]?\s*:\s*['"](granted|denied)['"]"#),
            compile(r#"['"]consent['"]\s*,\s*['"]update['"]"#),
        )
    })
}

/// What one pass (static, or rendered before consent) tells about consent mode.
pub fn consent_mode(obs: &[Observation], first_google_tag: Option<usize>) -> ConsentMode {
    let (default_re, pair_re, update_re) = consent_calls();
    let mut mode = ConsentMode::default();
    let mut default_order = None;
    for o in obs
        .iter()
        .filter(|o| matches!(o.kind, Kind::InlineScript | Kind::ConsentCall))
    {
        if let Some(c) = default_re.captures(&o.value) {
            mode.default_set = true;
            default_order = Some(default_order.map_or(o.order, |d: usize| d.min(o.order)));
            for p in pair_re.captures_iter(&c[1]) {
                mode.defaults.insert(p[1].to_string(), p[2].to_string());
            }
        }
        if update_re.is_match(&o.value) {
            mode.update_seen = true;
        }
    }
    mode.v2 = mode.defaults.contains_key("ad_user_data")
        && mode.defaults.contains_key("ad_personalization");
    mode.before_first_tag = match (default_order, first_google_tag) {
        (Some(d), Some(t)) => Some(d <= t),
        (None, Some(_)) => Some(false),
        _ => None,
    };
    mode
}

/// Findings from one set of observations (the static pass, or the rendered passes together).
pub fn detect(table: &Table, obs: &[Observation]) -> (Vec<Finding>, Consent) {
    // Which came first, Consent Mode defaults or a Google tag, is read in one pass: the
    // rendered one (calls and requests as they happened) when it ran, else the HTML's order.
    let timing: Vec<Observation> = if obs.iter().any(|o| o.pass == Pass::Rendered) {
        obs.iter()
            .filter(|o| {
                o.pass == Pass::Rendered && !matches!(o.kind, Kind::InlineScript | Kind::Attributes)
            })
            .cloned()
            .collect()
    } else {
        obs.to_vec()
    };
    let mut trackers = Vec::new();
    let mut first_google = None::<usize>;
    let mut gated = BTreeMap::new();
    for sig in &table.trackers {
        if let Some((f, _, all_gated)) = find(sig, obs) {
            if GOOGLE_TAGS.contains(&f.id.as_str()) {
                if let Some((_, first, _)) = find(sig, &timing) {
                    first_google = Some(first_google.map_or(first, |g| g.min(first)));
                }
            }
            gated.insert(f.id.clone(), all_gated);
            trackers.push(f);
        }
    }
    let managers: Vec<Finding> = table
        .consent_managers
        .iter()
        .filter_map(|s| find(s, obs).map(|(f, _, _)| f))
        .collect();
    let static_only = obs.iter().all(|o| o.pass == Pass::Static);
    // Rendered: a tracker seen before consent was given loaded before consent.
    let rendered_before: Vec<String> = obs
        .iter()
        .filter(|o| o.pass == Pass::Rendered)
        .flat_map(|o| {
            table
                .trackers
                .iter()
                .filter(|s| s.matches(o))
                .map(|s| s.id.clone())
        })
        .collect();
    for f in &mut trackers {
        f.before_consent = if !static_only {
            Some(rendered_before.contains(&f.id))
        } else if managers.is_empty() {
            Some(true)
        } else if gated.get(&f.id).copied().unwrap_or(false) {
            Some(false)
        } else {
            None
        };
    }
    let consent = Consent {
        trackers_before_consent: trackers
            .iter()
            .filter(|f| f.before_consent == Some(true))
            .map(|f| f.id.clone())
            .collect(),
        consent_mode: ConsentMode {
            // An update after the banner is accepted counts, in whichever pass.
            update_seen: consent_mode(obs, None).update_seen,
            ..consent_mode(&timing, first_google)
        },
        managers,
        banner_accepted: None,
    };
    (trackers, consent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracking::page;
    use crate::tracking::signatures::table;

    fn scan(html: &str) -> (Vec<Finding>, Consent) {
        let base = url::Url::parse("https://eshop.cz/").unwrap();
        detect(table(), &page::parse(html, &base).observations)
    }

    #[test]
    fn consent_mode_v2_defaults_before_the_google_tag_are_recognised() {
        let html = r#"<html><head>
          <script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
            gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied',
              'ad_user_data': 'denied', 'ad_personalization': 'denied', 'wait_for_update': 500});</script>
          <script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="00000000-1111-2222-3333-444444444444"></script>
          <script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST1234"></script>
          <script>gtag('js', new Date()); gtag('config', 'G-TEST1234'); gtag('config', 'AW-123456789');</script>
        </head></html>"#;
        let (trackers, consent) = scan(html);
        let ids: Vec<_> = trackers
            .iter()
            .map(|f| (f.id.as_str(), f.ids.clone(), f.before_consent))
            .collect();
        assert_eq!(
            ids,
            [
                ("ga4", vec!["G-TEST1234".to_string()], None),
                ("google_ads", vec!["AW-123456789".to_string()], None),
            ]
        );
        assert_eq!(consent.managers.len(), 1);
        assert_eq!(consent.managers[0].id, "cookiebot");
        assert_eq!(
            consent.managers[0].ids,
            ["00000000-1111-2222-3333-444444444444"]
        );
        let m = &consent.consent_mode;
        assert!(m.default_set && m.v2 && !m.update_seen);
        assert_eq!(m.before_first_tag, Some(true));
        assert_eq!(m.defaults["ad_user_data"], "denied");
    }

    #[test]
    fn without_a_consent_manager_every_tracker_loads_before_consent() {
        let html = r#"<script>gtag('config', 'G-LATE1234');
            gtag('consent', 'default', {'ad_storage': 'denied'});</script>
            <script src="https://static.hotjar.com/c/hotjar-123456.js?sv=6"></script>"#;
        let (trackers, consent) = scan(html);
        assert_eq!(consent.trackers_before_consent, ["ga4", "hotjar"]);
        assert!(trackers.iter().all(|t| t.before_consent == Some(true)));
        let m = &consent.consent_mode;
        // In the same script as the tag, but not v2; same element counts as before.
        assert!(m.default_set && !m.v2);
        assert_eq!(m.before_first_tag, Some(true));
        assert_eq!(trackers[1].ids, ["123456"]);
    }
}
