//! Reading a page's HTML: what its scripts, pixels and frames load (observations for the
//! signature table) and the facts an SEO check needs.

use super::signatures::{Kind, Observation, Pass};
use scraper::{ElementRef, Html, Selector};
use std::sync::OnceLock;

/// Everything the static pass takes from the HTML.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub observations: Vec<Observation>,
    pub seo: SeoFacts,
}

/// What the SEO checks look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeoFacts {
    pub title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical: Option<String>,
    pub robots: Option<String>,
    pub lang: Option<String>,
    pub viewport: Option<String>,
    pub h1: Vec<String>,
    /// Images without an `alt` attribute: (selector, src).
    pub images_without_alt: Vec<(String, String)>,
    pub images: usize,
    /// `<link rel="alternate" hreflang>`: (hreflang, href).
    pub hreflang: Vec<(String, String)>,
    /// The text of each `application/ld+json` block.
    pub json_ld: Vec<String>,
}

fn sel(s: &'static str) -> Selector {
    // The selectors below are constants; a test parses a page with each of them.
    Selector::parse(s).unwrap_or_else(|_| panic!("bad selector {s}"))
}

macro_rules! selector {
    ($s:expr) => {{
        static S: OnceLock<Selector> = OnceLock::new();
        S.get_or_init(|| sel($s))
    }};
}

fn urls_in(text: &str) -> Vec<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r#"https?://[^\s"'<>\\]+"#).unwrap_or_else(|e| panic!("{e}"))
    });
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

/// Whether a script element waits for consent: a consent manager's markup for blocked scripts.
fn gated(e: &ElementRef) -> bool {
    let v = e.value();
    let plain = v
        .attr("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("text/plain"));
    let marked = v.attrs().any(|(n, _)| {
        matches!(
            n,
            "data-cookieconsent"
                | "data-cookiecategory"
                | "data-category"
                | "data-consent"
                | "data-service"
                | "data-cookie-consent"
                | "data-cmplz-src"
                | "data-usercentrics"
                | "data-cookiescript"
        )
    }) || v
        .attr("class")
        .is_some_and(|c| c.contains("optanon-category") || c.contains("cmplz-"));
    plain && marked
}

/// A short CSS selector for an element (`img.hero-image`, `img#logo`, or `img[src="…"]`).
fn describe(e: &ElementRef) -> String {
    let v = e.value();
    let tag = v.name();
    if let Some(id) = v.id() {
        return format!("{tag}#{id}");
    }
    if let Some(class) = v.classes().next() {
        return format!("{tag}.{class}");
    }
    match v.attr("src") {
        Some(src) => format!(
            "{tag}[src=\"{}\"]",
            src.chars().take(200).collect::<String>()
        ),
        None => tag.to_string(),
    }
}

fn text(e: &ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// Reads `html`, resolving relative URLs against `base`.
pub fn parse(html: &str, base: &url::Url) -> Parsed {
    let doc = Html::parse_document(html);
    let resolve = |s: &str| {
        base.join(s.trim())
            .map(|u| u.to_string())
            .unwrap_or_else(|_| s.to_string())
    };
    let mut out = Parsed::default();
    let mut order = 0usize;
    let mut push = |out: &mut Parsed, kind: Kind, value: String, gated: bool| {
        order += 1;
        out.observations.push(Observation {
            pass: Pass::Static,
            kind,
            value,
            initiator: None,
            order,
            gated,
        });
    };
    // Scripts, pixels, frames and noscript fallbacks, in document order.
    for e in doc.select(selector!("script, img, iframe, noscript, link[rel]")) {
        let v = e.value();
        match v.name() {
            "script" => {
                let held = gated(&e);
                let attrs: Vec<String> = v
                    .attrs()
                    .map(|(n, val)| format!("{n}=\"{}\"", val.replace('"', "&quot;")))
                    .collect();
                if !attrs.is_empty() {
                    push(&mut out, Kind::Attributes, attrs.join(" "), held);
                }
                // Blocked scripts keep their source in a data attribute until consent.
                let src = v
                    .attr("src")
                    .or_else(|| v.attr("data-src"))
                    .or_else(|| v.attr("data-cmplz-src"));
                if let Some(src) = src.filter(|s| !s.trim().is_empty()) {
                    push(&mut out, Kind::ScriptSrc, resolve(src), held);
                }
                let body = e.text().collect::<String>();
                let kind = v.attr("type").unwrap_or("").to_ascii_lowercase();
                if kind == "application/ld+json" {
                    out.seo.json_ld.push(body);
                } else if !body.trim().is_empty() {
                    push(&mut out, Kind::InlineScript, body, held);
                }
            }
            "img" | "iframe" => {
                if v.name() == "img" {
                    out.seo.images += 1;
                    if v.attr("alt").is_none() && !inside_noscript(&e) {
                        out.seo
                            .images_without_alt
                            .push((describe(&e), v.attr("src").unwrap_or_default().to_string()));
                    }
                }
                if let Some(src) = v.attr("src").filter(|s| !s.trim().is_empty()) {
                    push(&mut out, Kind::Pixel, resolve(src), false);
                }
            }
            "noscript" => {
                // With scripting on, a parser keeps noscript content as text.
                let inner: String = e.text().collect();
                for u in urls_in(&inner.replace("&amp;", "&")) {
                    push(&mut out, Kind::Pixel, u, false);
                }
            }
            "link" => {
                let rel = v.attr("rel").unwrap_or_default().to_ascii_lowercase();
                let href = v.attr("href").unwrap_or_default();
                if rel.split_whitespace().any(|r| r == "canonical") && out.seo.canonical.is_none() {
                    out.seo.canonical = Some(href.trim().to_string());
                }
                if rel.split_whitespace().any(|r| r == "alternate") {
                    if let Some(h) = v.attr("hreflang") {
                        out.seo
                            .hreflang
                            .push((h.trim().to_string(), href.trim().to_string()));
                    }
                }
                if rel
                    .split_whitespace()
                    .any(|r| r == "preload" || r == "modulepreload")
                    && v.attr("as").is_none_or(|a| a == "script")
                    && !href.is_empty()
                {
                    push(&mut out, Kind::ScriptSrc, resolve(href), false);
                }
            }
            _ => {}
        }
    }
    let seo = &mut out.seo;
    seo.title = doc
        .select(selector!("head title, title"))
        .next()
        .map(|t| text(&t));
    for m in doc.select(selector!("meta[name]")) {
        let name = m
            .value()
            .attr("name")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let content = m.value().attr("content").map(|c| c.trim().to_string());
        match name.as_str() {
            "description" if seo.meta_description.is_none() => seo.meta_description = content,
            "robots" => {
                seo.robots = Some(match (&seo.robots, content) {
                    (Some(a), Some(b)) => format!("{a}, {b}"),
                    (a, b) => a.clone().or(b).unwrap_or_default(),
                })
            }
            "viewport" if seo.viewport.is_none() => seo.viewport = content,
            _ => {}
        }
    }
    seo.lang = doc
        .select(selector!("html"))
        .next()
        .and_then(|h| h.value().attr("lang").map(|l| l.trim().to_string()));
    seo.h1 = doc.select(selector!("h1")).map(|h| text(&h)).collect();
    out
}

fn inside_noscript(e: &ElementRef) -> bool {
    e.ancestors().any(|a| {
        a.value()
            .as_element()
            .is_some_and(|el| el.name() == "noscript")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_pixels_and_seo_facts_come_out_in_document_order() {
        let base = url::Url::parse("https://shop.example/cs/").unwrap();
        let html = r#"<!doctype html><html lang="cs"><head>
            <title> Shop </title>
            <meta name="description" content="Boty">
            <meta name="robots" content="noindex">
            <link rel="canonical" href="https://shop.example/cs/">
            <link rel="alternate" hreflang="en" href="https://shop.example/en/">
            <script async src="/js/app.js"></script>
            <script type="text/plain" data-cookieconsent="marketing" src="https://connect.facebook.net/en_US/fbevents.js"></script>
            <script>fbq('init', '1234567890123');</script>
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"Product"}</script>
            </head><body>
            <noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1234567890123&amp;ev=PageView&amp;noscript=1"/></noscript>
            <h1>Boty</h1><h1>Again</h1>
            <img class="hero-image" src="/hero.jpg"><img src="/a.png" alt="">
            </body></html>"#;
        let p = parse(html, &base);
        let urls: Vec<_> = p
            .observations
            .iter()
            .filter(|o| o.kind == Kind::ScriptSrc || o.kind == Kind::Pixel)
            .map(|o| (o.value.as_str(), o.gated))
            .collect();
        assert_eq!(
            urls,
            [
                ("https://shop.example/js/app.js", false),
                ("https://connect.facebook.net/en_US/fbevents.js", true),
                (
                    "https://www.facebook.com/tr?id=1234567890123&ev=PageView&noscript=1",
                    false
                ),
                ("https://shop.example/hero.jpg", false),
                ("https://shop.example/a.png", false),
            ]
        );
        assert!(p
            .observations
            .iter()
            .any(|o| o.kind == Kind::InlineScript && o.value.contains("fbq('init'")));
        let s = &p.seo;
        assert_eq!(s.title.as_deref(), Some("Shop"));
        assert_eq!(s.meta_description.as_deref(), Some("Boty"));
        assert_eq!(s.robots.as_deref(), Some("noindex"));
        assert_eq!(s.lang.as_deref(), Some("cs"));
        assert_eq!(s.viewport, None);
        assert_eq!(s.h1, ["Boty", "Again"]);
        assert_eq!(
            s.images_without_alt,
            [("img.hero-image".to_string(), "/hero.jpg".to_string())]
        );
        assert_eq!(
            s.hreflang,
            [("en".into(), "https://shop.example/en/".into())]
        );
        assert_eq!(s.json_ld.len(), 1);
    }
}
