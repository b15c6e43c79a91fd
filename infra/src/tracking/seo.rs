//! The SEO checks a scan files as a report of its own: title, meta description, canonical, one
//! h1, image alt text, `lang`, viewport, robots noindex, hreflang and structured data.

use super::page::SeoFacts;
use keel_events::SeoIssueReported;
use serde_json::{json, Map, Value};

fn issue(t: &str, severity: &str, element: &str, details: Value) -> SeoIssueReported {
    SeoIssueReported {
        issue_type: t.into(),
        severity: severity.into(),
        element: element.into(),
        details: match details {
            Value::Object(m) => m,
            _ => Map::new(),
        },
    }
}

/// A BCP 47-ish hreflang value: `en`, `en-GB`, `zh-Hant`, `x-default`.
fn valid_hreflang(h: &str) -> bool {
    if h.eq_ignore_ascii_case("x-default") {
        return true;
    }
    let mut parts = h.split('-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The issues of a page. `x_robots` is the `X-Robots-Tag` header, if any.
pub fn check(f: &SeoFacts, page_url: &url::Url, x_robots: Option<&str>) -> Vec<SeoIssueReported> {
    let mut out = Vec::new();
    match f.title.as_deref().map(str::trim) {
        None | Some("") => out.push(issue("missing_title", "error", "title", json!({}))),
        Some(t) if t.chars().count() > 60 => out.push(issue(
            "title_too_long",
            "notice",
            "title",
            json!({"length": t.chars().count(), "max": 60}),
        )),
        Some(_) => {}
    }
    match f.meta_description.as_deref().map(str::trim) {
        None | Some("") => out.push(issue(
            "missing_meta_description",
            "warning",
            "meta[name=description]",
            json!({}),
        )),
        Some(d) if d.chars().count() > 160 => out.push(issue(
            "meta_description_too_long",
            "notice",
            "meta[name=description]",
            json!({"length": d.chars().count(), "max": 160}),
        )),
        Some(_) => {}
    }
    match f.canonical.as_deref() {
        None => out.push(issue(
            "missing_canonical",
            "notice",
            "link[rel=canonical]",
            json!({}),
        )),
        Some(c) => match url::Url::parse(c) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {
                if u.host_str() != page_url.host_str() {
                    out.push(issue(
                        "canonical_other_host",
                        "warning",
                        "link[rel=canonical]",
                        json!({"canonical": c}),
                    ));
                }
            }
            _ => out.push(issue(
                "canonical_not_absolute",
                "warning",
                "link[rel=canonical]",
                json!({"canonical": c}),
            )),
        },
    }
    match f.h1.len() {
        0 => out.push(issue("missing_h1", "warning", "h1", json!({}))),
        1 => {}
        n => out.push(issue(
            "multiple_h1",
            "notice",
            "h1",
            json!({"count": n, "texts": f.h1.iter().take(5).collect::<Vec<_>>()}),
        )),
    }
    for (selector, src) in f.images_without_alt.iter().take(50) {
        out.push(issue(
            "missing_alt",
            "warning",
            selector,
            json!({"src": src}),
        ));
    }
    if f.lang.as_deref().is_none_or(|l| l.trim().is_empty()) {
        out.push(issue("missing_lang", "warning", "html", json!({})));
    }
    if f.viewport.as_deref().is_none_or(|v| v.trim().is_empty()) {
        out.push(issue(
            "missing_viewport",
            "warning",
            "meta[name=viewport]",
            json!({}),
        ));
    }
    let noindex = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .any(|p| p == "noindex" || p == "none")
    };
    if let Some(r) = f.robots.as_deref().filter(|r| noindex(r)) {
        out.push(issue(
            "noindex",
            "error",
            "meta[name=robots]",
            json!({"content": r}),
        ));
    }
    if let Some(r) = x_robots.filter(|r| noindex(r)) {
        out.push(issue(
            "noindex",
            "error",
            "X-Robots-Tag",
            json!({"header": r}),
        ));
    }
    for (lang, href) in &f.hreflang {
        if !valid_hreflang(lang) {
            out.push(issue(
                "hreflang_invalid",
                "warning",
                &format!("link[hreflang=\"{lang}\"]"),
                json!({"hreflang": lang, "reason": "not a language code"}),
            ));
        } else if url::Url::parse(href).is_err() {
            out.push(issue(
                "hreflang_invalid",
                "warning",
                &format!("link[hreflang=\"{lang}\"]"),
                json!({"hreflang": lang, "href": href, "reason": "the link is not an absolute URL"}),
            ));
        }
    }
    for (i, block) in f.json_ld.iter().enumerate() {
        let element = format!(
            "script[type=\"application/ld+json\"]:nth-of-type({})",
            i + 1
        );
        match serde_json::from_str::<Value>(block) {
            Err(e) => out.push(issue(
                "structured_data_invalid",
                "error",
                &element,
                json!({"reason": format!("not JSON: {e}")}),
            )),
            Ok(v) => {
                let items: Vec<&Value> = match &v {
                    Value::Array(a) => a.iter().collect(),
                    Value::Object(o) => match o.get("@graph") {
                        Some(Value::Array(g)) => g.iter().collect(),
                        _ => vec![&v],
                    },
                    _ => vec![],
                };
                let has_context = v.get("@context").is_some()
                    || items.iter().all(|i| i.get("@context").is_some());
                let typed = !items.is_empty() && items.iter().all(|i| i.get("@type").is_some());
                if !has_context || !typed {
                    out.push(issue(
                        "structured_data_invalid",
                        "error",
                        &element,
                        json!({"reason": if has_context { "an item has no @type" } else { "no @context" }}),
                    ));
                }
            }
        }
    }
    out
}

/// Issues from PageSpeed scores (0–100) when the scan measured them.
pub fn speed_issues(performance: Option<f64>) -> Vec<SeoIssueReported> {
    match performance {
        Some(p) if p < 50.0 => vec![issue("slow_page", "warning", "", json!({"performance": p}))],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_every_defect_has_every_issue_and_a_good_one_none() {
        let u = url::Url::parse("https://shop.example/").unwrap();
        let bad = SeoFacts {
            title: None,
            canonical: Some("/relative".into()),
            robots: Some("NOINDEX, follow".into()),
            images_without_alt: vec![("img.hero".into(), "/h.jpg".into())],
            hreflang: vec![("english".into(), "https://shop.example/en".into())],
            json_ld: vec![
                "{not json".into(),
                r#"{"@context":"https://schema.org"}"#.into(),
            ],
            h1: vec!["a".into(), "b".into()],
            ..SeoFacts::default()
        };
        let types: Vec<_> = check(&bad, &u, Some("noarchive"))
            .into_iter()
            .map(|i| i.issue_type)
            .collect();
        assert_eq!(
            types,
            [
                "missing_title",
                "missing_meta_description",
                "canonical_not_absolute",
                "multiple_h1",
                "missing_alt",
                "missing_lang",
                "missing_viewport",
                "noindex",
                "hreflang_invalid",
                "structured_data_invalid",
                "structured_data_invalid"
            ]
        );
        let good = SeoFacts {
            title: Some("Shoes".into()),
            meta_description: Some("Shoes for all".into()),
            canonical: Some("https://shop.example/".into()),
            lang: Some("en".into()),
            viewport: Some("width=device-width".into()),
            h1: vec!["Shoes".into()],
            hreflang: vec![("x-default".into(), "https://shop.example/".into())],
            json_ld: vec![
                r#"{"@context":"https://schema.org","@graph":[{"@type":"Organization"}]}"#.into(),
            ],
            ..SeoFacts::default()
        };
        assert_eq!(check(&good, &u, None), []);
    }
}
