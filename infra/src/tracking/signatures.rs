//! The signature table (`signatures.json`, versioned) and matching observations against it.

use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

/// Where an observation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// The HTML as served.
    Static,
    /// The page as a browser ran it, before any consent was given.
    Rendered,
    /// The page as a browser ran it after accepting the consent banner.
    Consented,
}

impl Pass {
    pub fn as_str(self) -> &'static str {
        match self {
            Pass::Static => "static",
            Pass::Rendered => "rendered",
            Pass::Consented => "consented",
        }
    }
}

/// What kind of thing was observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A `<script src>` (absolute URL).
    ScriptSrc,
    /// The text of an inline `<script>`.
    InlineScript,
    /// A script element's attributes, `name="value"` separated by spaces.
    Attributes,
    /// A URL in `<img>`, `<iframe>` or `<noscript>` (tracking pixels).
    Pixel,
    /// A request the page made (rendered pass).
    Request,
    /// A global variable the page defined (rendered pass).
    Global,
    /// A cookie the page set (rendered pass).
    Cookie,
    /// A Consent Mode call the page pushed to its data layer, as it happened (rendered pass).
    ConsentCall,
}

impl Kind {
    fn is_url(self) -> bool {
        matches!(self, Kind::ScriptSrc | Kind::Pixel | Kind::Request)
    }
}

/// One thing seen on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub pass: Pass,
    pub kind: Kind,
    pub value: String,
    /// The script that caused it, where the browser says.
    pub initiator: Option<String>,
    /// Document order (static) or request order (rendered).
    pub order: usize,
    /// The script element is held back until consent (`type="text/plain"` with a consent
    /// manager's category attribute).
    pub gated: bool,
}

#[derive(Debug, Deserialize)]
struct RawTable {
    version: String,
    trackers: Vec<RawSignature>,
    consent_managers: Vec<RawSignature>,
}

#[derive(Debug, Deserialize)]
struct RawSignature {
    id: String,
    name: String,
    #[serde(default)]
    category: Option<String>,
    vendor: String,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    inline: Vec<String>,
    #[serde(default)]
    attrs: Vec<String>,
    #[serde(default)]
    globals: Vec<String>,
    #[serde(default)]
    cookies: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    not_hosts: Vec<String>,
    #[serde(default)]
    accept: Vec<String>,
}

/// One compiled signature.
#[derive(Debug)]
pub struct Signature {
    pub id: String,
    pub name: String,
    pub category: String,
    pub vendor: String,
    urls: Vec<Regex>,
    inline: Vec<Regex>,
    attrs: Vec<Regex>,
    globals: Vec<String>,
    cookies: Vec<Regex>,
    ids: Vec<Regex>,
    not_hosts: Vec<String>,
    /// Selectors of the accept-all button (consent managers).
    pub accept: Vec<String>,
}

/// The compiled table.
#[derive(Debug)]
pub struct Table {
    pub version: String,
    pub trackers: Vec<Signature>,
    pub consent_managers: Vec<Signature>,
}

pub const SOURCE: &str = include_str!("signatures.json");

fn compile(raw: RawSignature, consent: bool) -> Result<Signature, String> {
    let re = |list: &[String]| -> Result<Vec<Regex>, String> {
        list.iter()
            .map(|p| Regex::new(p).map_err(|e| format!("{}: pattern `{p}`: {e}", raw.id)))
            .collect()
    };
    Ok(Signature {
        urls: re(&raw.urls)?,
        inline: re(&raw.inline)?,
        attrs: re(&raw.attrs)?,
        cookies: re(&raw.cookies)?,
        ids: re(&raw.ids)?,
        category: raw
            .category
            .clone()
            .unwrap_or_else(|| if consent { "consent" } else { "other" }.into()),
        id: raw.id,
        name: raw.name,
        vendor: raw.vendor,
        globals: raw.globals,
        not_hosts: raw.not_hosts,
        accept: raw.accept,
    })
}

/// Parses and compiles a table (the built-in one, or another for tests).
pub fn parse(source: &str) -> Result<Table, String> {
    let raw: RawTable = serde_json::from_str(source).map_err(|e| e.to_string())?;
    Ok(Table {
        version: raw.version,
        trackers: raw
            .trackers
            .into_iter()
            .map(|s| compile(s, false))
            .collect::<Result<_, _>>()?,
        consent_managers: raw
            .consent_managers
            .into_iter()
            .map(|s| compile(s, true))
            .collect::<Result<_, _>>()?,
    })
}

/// The built-in table, compiled once.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| match parse(SOURCE) {
        Ok(t) => t,
        // A unit test compiles every pattern; a broken table never ships.
        Err(e) => panic!("the built-in signature table does not compile: {e}"),
    })
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
}

impl Signature {
    /// Whether this observation is evidence of the signature.
    pub fn matches(&self, o: &Observation) -> bool {
        let any = |list: &[Regex]| list.iter().any(|r| r.is_match(&o.value));
        let hit = match o.kind {
            k if k.is_url() => any(&self.urls),
            Kind::InlineScript => any(&self.inline),
            Kind::Attributes => any(&self.attrs),
            Kind::Global => self.globals.iter().any(|g| g == &o.value),
            Kind::Cookie => any(&self.cookies),
            _ => false,
        };
        if !hit || self.not_hosts.is_empty() {
            return hit;
        }
        // Only URLs on other hosts count (a vendor's script served first-party). Inline text
        // names its host in the URL it loads.
        let url = if o.kind.is_url() {
            Some(o.value.clone())
        } else {
            self.inline
                .iter()
                .find_map(|r| r.find(&o.value))
                .map(|m| m.as_str().to_string())
                .map(|u| {
                    if u.starts_with("//") {
                        format!("https:{u}")
                    } else {
                        u
                    }
                })
        };
        match url.as_deref().and_then(host_of) {
            Some(h) => !self
                .not_hosts
                .iter()
                .any(|n| h == *n || h.ends_with(&format!(".{n}"))),
            None => false,
        }
    }

    /// The account or measurement ids in an observation that matched.
    /// The global variables that give the tracker away.
    pub fn globals(&self) -> &[String] {
        &self.globals
    }

    pub fn ids_in(&self, value: &str) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.ids {
            for c in r.captures_iter(value) {
                if let Some(m) = c.get(1).or_else(|| c.get(0)) {
                    let id = m.as_str().to_string();
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(kind: Kind, value: &str) -> Observation {
        Observation {
            pass: Pass::Static,
            kind,
            value: value.into(),
            initiator: None,
            order: 0,
            gated: false,
        }
    }

    fn find<'a>(id: &str) -> &'a Signature {
        table()
            .trackers
            .iter()
            .chain(&table().consent_managers)
            .find(|s| s.id == id)
            .unwrap()
    }

    #[test]
    fn the_built_in_table_compiles_and_names_each_signature_once() {
        let t = parse(SOURCE).unwrap();
        let mut ids: Vec<_> = t
            .trackers
            .iter()
            .chain(&t.consent_managers)
            .map(|s| s.id.as_str())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(t.consent_managers.iter().all(|c| !c.accept.is_empty()));
    }

    #[test]
    fn measurement_ids_come_out_of_what_matched() {
        let ga4 = find("ga4");
        let o = obs(
            Kind::ScriptSrc,
            "https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ",
        );
        assert!(ga4.matches(&o));
        assert_eq!(ga4.ids_in(&o.value), ["G-ABC123XYZ"]);
        let meta = find("meta_pixel");
        let o = obs(
            Kind::InlineScript,
            "!function(f,b,e,v,n,t,s){}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');\nfbq('init', '1234567890123');\nfbq('track', 'PageView');",
        );
        assert!(meta.matches(&o));
        assert_eq!(meta.ids_in(&o.value), ["1234567890123"]);
        let sklik = find("seznam_sklik");
        let o = obs(Kind::InlineScript, "var seznam_retargeting_id = 123456;");
        assert!(sklik.matches(&o));
        assert_eq!(sklik.ids_in(&o.value), ["123456"]);
    }

    #[test]
    fn google_tag_manager_on_a_first_party_host_is_server_side_tagging() {
        let ss = find("server_side_gtm");
        let gtm = find("google_tag_manager");
        let own = obs(Kind::ScriptSrc, "https://sst.eshop.cz/gtm.js?id=GTM-AB12CD");
        let google = obs(
            Kind::ScriptSrc,
            "https://www.googletagmanager.com/gtm.js?id=GTM-AB12CD",
        );
        assert!(ss.matches(&own));
        assert!(!ss.matches(&google));
        assert!(gtm.matches(&google));
        assert!(!gtm.matches(&own));
        let inline = obs(
            Kind::InlineScript,
            "(function(w,d,s,l,i){w[l].push({'gtm.start':new Date().getTime()});j.src='https://sst.eshop.cz/gtm.js?id='+i;})(window,document,'script','dataLayer','GTM-AB12CD');",
        );
        assert!(ss.matches(&inline));
        assert_eq!(ss.ids_in(&inline.value), ["GTM-AB12CD"]);
    }
}
