//! The scan's summary: a template in the requested language (en, cs, sk, de; other languages
//! get English and say so), or Gemini's text when configured (see `google.rs`). The prompt for
//! Gemini holds only the findings, never the page's content.

use super::detect::{Consent, Finding};
use super::loss::LossEstimate;
use keel_events::SeoIssueReported;
use serde::{Deserialize, Serialize};

/// The summary as the response carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    /// `gemini` or `template`.
    pub source: String,
    /// The language written in (the requested one, or `en` when no template has it).
    pub language: String,
    pub text: String,
    /// The Gemini model, for `gemini`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub model: Option<String>,
    /// Why Gemini was not used although configured (quota, bad key, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub fallback_reason: Option<String>,
}

/// Languages the template speaks.
pub const TEMPLATE_LANGUAGES: [&str; 4] = ["en", "cs", "sk", "de"];

struct Words {
    /// Plural forms: one, few (2–4), many (Czech and Slovak; English and German use one/many).
    tools: [&'static str; 3],
    issues: [&'static str; 3],
    errors: [&'static str; 3],
    found: &'static str,
    none_found: &'static str,
    manager: &'static str,
    no_manager: &'static str,
    mode_ok: &'static str,
    mode_late: &'static str,
    mode_v1: &'static str,
    mode_missing: &'static str,
    before: &'static str,
    seo: &'static str,
    seo_none: &'static str,
    loss: &'static str,
    loss_money: &'static str,
}

fn words(lang: &str) -> Option<&'static Words> {
    Some(match lang {
        "en" => &Words {
            tools: ["tracking tool", "tracking tools", "tracking tools"],
            issues: ["issue", "issues", "issues"],
            errors: ["error", "errors", "errors"],
            found: "We found {n} {tools} on {url}: {list}.",
            none_found: "We found no tracking tools on {url}.",
            manager: "Consent manager: {list}.",
            no_manager: "No consent manager found.",
            mode_ok: "Google Consent Mode v2 defaults are set before the first Google tag.",
            mode_late: "Google Consent Mode defaults are set, but only after the first Google tag loads.",
            mode_v1: "Google Consent Mode defaults lack v2's ad_user_data and ad_personalization.",
            mode_missing: "Google tags run without Google Consent Mode defaults.",
            before: "Loading before consent: {list}.",
            seo: "SEO: {n} {issues} ({e} {errors}).",
            seo_none: "SEO: no issues found.",
            loss: "Estimated unmeasured share: {vl}–{vh} % of visitors and {cl}–{ch} % of conversions.",
            loss_money: "That is {ml}–{mh} {cur} of monthly revenue measured poorly or not at all.",
        },
        "cs" => &Words {
            tools: ["měřicí nástroj", "měřicí nástroje", "měřicích nástrojů"],
            issues: ["problém", "problémy", "problémů"],
            errors: ["chyba", "chyby", "chyb"],
            found: "Na {url} jsme našli {n} {tools}: {list}.",
            none_found: "Na {url} jsme nenašli žádné měřicí nástroje.",
            manager: "Správa souhlasů: {list}.",
            no_manager: "Nenašli jsme žádnou správu souhlasů (cookie lištu).",
            mode_ok: "Výchozí hodnoty Google Consent Mode v2 jsou nastavené před prvním tagem Googlu.",
            mode_late: "Výchozí hodnoty Google Consent Mode jsou nastavené až po načtení prvního tagu Googlu.",
            mode_v1: "Výchozím hodnotám Google Consent Mode chybí ad_user_data a ad_personalization z verze 2.",
            mode_missing: "Tagy Googlu běží bez výchozích hodnot Google Consent Mode.",
            before: "Před udělením souhlasu se načítá: {list}.",
            seo: "SEO: {n} {issues} ({e} {errors}).",
            seo_none: "SEO: žádné problémy.",
            loss: "Odhad neměřeného podílu: {vl}–{vh} % návštěvníků a {cl}–{ch} % konverzí.",
            loss_money: "To je {ml}–{mh} {cur} měsíčních tržeb měřených špatně nebo vůbec.",
        },
        "sk" => &Words {
            tools: ["merací nástroj", "meracie nástroje", "meracích nástrojov"],
            issues: ["problém", "problémy", "problémov"],
            errors: ["chyba", "chyby", "chýb"],
            found: "Na {url} sme našli {n} {tools}: {list}.",
            none_found: "Na {url} sme nenašli žiadne meracie nástroje.",
            manager: "Správa súhlasov: {list}.",
            no_manager: "Nenašli sme žiadnu správu súhlasov (cookie lištu).",
            mode_ok: "Predvolené hodnoty Google Consent Mode v2 sú nastavené pred prvým tagom Googlu.",
            mode_late: "Predvolené hodnoty Google Consent Mode sú nastavené až po načítaní prvého tagu Googlu.",
            mode_v1: "Predvoleným hodnotám Google Consent Mode chýba ad_user_data a ad_personalization z verzie 2.",
            mode_missing: "Tagy Googlu bežia bez predvolených hodnôt Google Consent Mode.",
            before: "Pred udelením súhlasu sa načítava: {list}.",
            seo: "SEO: {n} {issues} ({e} {errors}).",
            seo_none: "SEO: žiadne problémy.",
            loss: "Odhad nemeraného podielu: {vl}–{vh} % návštevníkov a {cl}–{ch} % konverzií.",
            loss_money: "To je {ml}–{mh} {cur} mesačných tržieb meraných zle alebo vôbec.",
        },
        "de" => &Words {
            tools: ["Tracking-Werkzeug", "Tracking-Werkzeuge", "Tracking-Werkzeuge"],
            issues: ["Problem", "Probleme", "Probleme"],
            errors: ["Fehler", "Fehler", "Fehler"],
            found: "Auf {url} haben wir {n} {tools} gefunden: {list}.",
            none_found: "Auf {url} haben wir keine Tracking-Werkzeuge gefunden.",
            manager: "Consent-Manager: {list}.",
            no_manager: "Kein Consent-Manager gefunden.",
            mode_ok: "Die Standardwerte des Google Consent Mode v2 werden vor dem ersten Google-Tag gesetzt.",
            mode_late: "Die Standardwerte des Google Consent Mode werden erst nach dem ersten Google-Tag gesetzt.",
            mode_v1: "Den Standardwerten des Google Consent Mode fehlen ad_user_data und ad_personalization aus Version 2.",
            mode_missing: "Google-Tags laufen ohne Standardwerte des Google Consent Mode.",
            before: "Vor der Einwilligung geladen: {list}.",
            seo: "SEO: {n} {issues} ({e} {errors}).",
            seo_none: "SEO: keine Probleme gefunden.",
            loss: "Geschätzter nicht gemessener Anteil: {vl}–{vh} % der Besucher und {cl}–{ch} % der Conversions.",
            loss_money: "Das sind {ml}–{mh} {cur} Monatsumsatz, die schlecht oder gar nicht gemessen werden.",
        },
        _ => return None,
    })
}

fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in pairs {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// The form of a noun for `n`: one, few (2–4) or many (0, 5 and more).
fn plural(forms: &[&'static str; 3], n: usize) -> &'static str {
    match n {
        1 => forms[0],
        2..=4 => forms[1],
        _ => forms[2],
    }
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The templated summary of a scan in `language` (English when the template lacks it).
pub fn template(
    language: &str,
    url: &str,
    trackers: &[Finding],
    consent: &Consent,
    seo: &[SeoIssueReported],
    loss: &LossEstimate,
) -> Summary {
    let base = language.split('-').next().unwrap_or("en");
    let (lang, w) = match words(base) {
        Some(w) => (base, w),
        None => ("en", words("en").unwrap_or_else(|| unreachable!())),
    };
    let names = |f: &[Finding]| {
        f.iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    parts.push(if trackers.is_empty() {
        fill(w.none_found, &[("url", url.to_string())])
    } else {
        fill(
            w.found,
            &[
                ("n", trackers.len().to_string()),
                ("tools", plural(&w.tools, trackers.len()).to_string()),
                ("url", url.to_string()),
                ("list", names(trackers)),
            ],
        )
    });
    parts.push(if consent.managers.is_empty() {
        w.no_manager.to_string()
    } else {
        fill(w.manager, &[("list", names(&consent.managers))])
    });
    let mode = &consent.consent_mode;
    let google = trackers.iter().any(|t| t.vendor == "Google");
    if google {
        parts.push(
            match (mode.default_set, mode.v2, mode.before_first_tag) {
                (false, _, _) => w.mode_missing,
                (true, _, Some(false)) => w.mode_late,
                (true, false, _) => w.mode_v1,
                (true, true, _) => w.mode_ok,
            }
            .to_string(),
        );
    }
    if !consent.trackers_before_consent.is_empty() {
        let before: Vec<Finding> = trackers
            .iter()
            .filter(|t| consent.trackers_before_consent.contains(&t.id))
            .cloned()
            .collect();
        parts.push(fill(w.before, &[("list", names(&before))]));
    }
    parts.push(if seo.is_empty() {
        w.seo_none.to_string()
    } else {
        let errors = seo
            .iter()
            .filter(|i| matches!(i.severity.as_str(), "error" | "critical"))
            .count();
        fill(
            w.seo,
            &[
                ("n", seo.len().to_string()),
                ("issues", plural(&w.issues, seo.len()).to_string()),
                ("e", errors.to_string()),
                ("errors", plural(&w.errors, errors).to_string()),
            ],
        )
    });
    parts.push(fill(
        w.loss,
        &[
            ("vl", number(loss.visitors_pct.low)),
            ("vh", number(loss.visitors_pct.high)),
            ("cl", number(loss.conversions_pct.low)),
            ("ch", number(loss.conversions_pct.high)),
        ],
    ));
    if let Some(m) = &loss.monthly_revenue_unmeasured {
        parts.push(fill(
            w.loss_money,
            &[
                ("ml", m.low.to_string()),
                ("mh", m.high.to_string()),
                ("cur", m.currency.clone().unwrap_or_default()),
            ],
        ));
    }
    Summary {
        source: "template".into(),
        language: lang.into(),
        text: parts.join(" ").replace("  ", " ").replace(" .", "."),
        model: None,
        fallback_reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracking::loss::{estimate, Inputs};

    #[test]
    fn every_template_language_fills_every_placeholder() {
        let trackers = vec![Finding {
            id: "ga4".into(),
            name: "Google Analytics 4".into(),
            category: "analytics".into(),
            vendor: "Google".into(),
            ids: vec![],
            found_in: vec![],
            before_consent: Some(true),
            evidence: vec![],
        }];
        let consent = Consent {
            trackers_before_consent: vec!["ga4".into()],
            ..Consent::default()
        };
        let loss = estimate(&Inputs {
            trackers: &trackers,
            consent: &consent,
            lcp_ms: None,
            monthly_visitors: None,
            monthly_revenue: Some(100_000),
            currency: Some("CZK".into()),
        });
        for lang in TEMPLATE_LANGUAGES {
            let s = template(lang, "https://eshop.cz/", &trackers, &consent, &[], &loss);
            assert_eq!(s.language, lang);
            assert!(!s.text.contains('{'), "{lang}: {}", s.text);
            assert!(s.text.contains("Google Analytics 4") && s.text.contains("CZK"));
        }
        let cs = template("cs", "https://eshop.cz/", &trackers, &consent, &[], &loss);
        assert!(cs
            .text
            .starts_with("Na https://eshop.cz/ jsme našli 1 měřicí nástroj: "));
        assert!(cs.text.contains("SEO: žádné problémy."), "{}", cs.text);
        let three = vec![trackers[0].clone(); 3];
        let cs3 = template("cs", "https://eshop.cz/", &three, &consent, &[], &loss);
        assert!(
            cs3.text.contains("jsme našli 3 měřicí nástroje"),
            "{}",
            cs3.text
        );
        let other = template("fr", "https://eshop.cz/", &trackers, &consent, &[], &loss);
        assert_eq!(other.language, "en");
    }
}
