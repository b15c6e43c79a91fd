//! Registration data over RDAP (RFC 9083: JSON over HTTP): registrar, registration, expiry and
//! last-change dates, nameservers, statuses, DNSSEC, and whether the registrant is hidden behind
//! a privacy service or redacted.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Where to ask: a default base URL and per-TLD servers, from `KEEL_RDAP_SERVERS`
/// (`default=https://rdap.org/,com=https://rdap.verisign.com/com/v1/`).
#[derive(Debug, Clone)]
pub struct RdapServers {
    pub default: String,
    pub by_tld: BTreeMap<String, String>,
}

impl RdapServers {
    pub fn parse(raw: Option<&str>) -> anyhow::Result<Self> {
        let mut s = RdapServers {
            default: "https://rdap.org/".into(),
            by_tld: BTreeMap::new(),
        };
        for part in raw
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("KEEL_RDAP_SERVERS: `{part}` is not tld=url"))?;
            let url = if v.ends_with('/') {
                v.to_string()
            } else {
                format!("{v}/")
            };
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "KEEL_RDAP_SERVERS: `{v}` is not an http(s) URL"
            );
            if k == "default" {
                s.default = url;
            } else {
                s.by_tld
                    .insert(k.trim_start_matches('.').to_ascii_lowercase(), url);
            }
        }
        Ok(s)
    }

    /// The lookup URL of a domain: its TLD's server (the longest matching suffix) or the default.
    pub fn url(&self, domain: &str, tld: &str) -> String {
        let base = self
            .by_tld
            .iter()
            .filter(|(t, _)| tld == t.as_str() || tld.ends_with(&format!(".{t}")))
            .max_by_key(|(t, _)| t.len())
            .map_or(&self.default, |(_, u)| u);
        format!("{base}domain/{domain}")
    }
}

pub struct Rdap {
    client: reqwest::Client,
    servers: RdapServers,
}

impl Rdap {
    pub fn new(servers: RdapServers, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .user_agent("keel-domain-monitor")
                .redirect(reqwest::redirect::Policy::limited(3))
                .build()?,
            servers,
        })
    }

    /// The registration data, `{"status": "not_found"}` when the registry has no such domain, or
    /// `Err` when nothing could be learnt (try again later).
    pub async fn fetch(&self, domain: &str, tld: &str) -> Result<Value, String> {
        let url = self.servers.url(domain, tld);
        let r = self
            .client
            .get(&url)
            .header("Accept", "application/rdap+json, application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        match r.status().as_u16() {
            404 => Ok(json!({ "status": "not_found", "source": url })),
            200 => {
                let v: Value = r
                    .json()
                    .await
                    .map_err(|e| format!("{url}: not RDAP JSON: {e}"))?;
                let mut out = parse(&v);
                out["source"] = json!(url);
                Ok(out)
            }
            s => Err(format!("{url}: HTTP {s}")),
        }
    }
}

fn vcard_field<'a>(entity: &'a Value, field: &str) -> Option<&'a str> {
    entity["vcardArray"][1]
        .as_array()?
        .iter()
        .find(|p| p[0] == field)
        .and_then(|p| p[3].as_str())
}

/// A vCard property's parameters and value.
fn vcard_prop<'a>(entity: &'a Value, field: &str) -> Option<&'a Value> {
    entity["vcardArray"][1]
        .as_array()?
        .iter()
        .find(|p| p[0] == field)
}

/// A contact's name, organisation, address (country and state), email and phone, as far as its
/// vCard gives them (registries redact much of it).
fn contact(e: &Value) -> Value {
    let adr = vcard_prop(e, "adr");
    let part = |i: usize| {
        adr.and_then(|a| a[3].as_array())
            .and_then(|parts| parts.get(i))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let country = adr.and_then(|a| a[1]["cc"].as_str()).or_else(|| part(6));
    let phone = vcard_prop(e, "tel")
        .and_then(|t| t[3].as_str())
        .map(|t| t.trim_start_matches("tel:").to_string());
    json!({
        "name": vcard_field(e, "fn").filter(|s| !s.is_empty()),
        "org": vcard_field(e, "org").filter(|s| !s.is_empty()),
        "country": country,
        "state": part(4),
        "email": vcard_field(e, "email").filter(|s| !s.is_empty()),
        "phone": phone,
    })
}

/// The summary of an RDAP domain object.
pub fn parse(v: &Value) -> Value {
    let entities: Vec<&Value> = v["entities"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let with_role = |role: &str| {
        entities.iter().copied().find(|e| {
            e["roles"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == role))
        })
    };
    let registrar = with_role("registrar").map(|e| {
        json!({
            "name": vcard_field(e, "fn"),
            "iana_id": e["publicIds"].as_array().and_then(|ids| ids.iter()
                .find(|i| i["type"].as_str().is_some_and(|t| t.to_ascii_lowercase().contains("iana")))
                .and_then(|i| i["identifier"].as_str())),
        })
    });
    let event = |action: &str| {
        v["events"].as_array().and_then(|ev| {
            ev.iter()
                .find(|e| e["eventAction"] == action)
                .and_then(|e| e["eventDate"].as_str())
        })
    };
    let mut nameservers: Vec<String> = v["nameservers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["ldhName"].as_str())
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    nameservers.sort();
    let statuses: Vec<String> = v["status"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let registrant = with_role("registrant");
    let privacy_words = [
        "privacy",
        "redacted",
        "proxy",
        "withheld",
        "not disclosed",
        "data protected",
    ];
    let registrant_text = registrant
        .map(|r| {
            [vcard_field(r, "fn"), vcard_field(r, "org")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let redacted = v["redacted"].as_array().is_some_and(|a| !a.is_empty())
        || registrant.is_some_and(|r| {
            r["remarks"].as_array().is_some_and(|rs| {
                rs.iter().any(|m| {
                    m["title"]
                        .as_str()
                        .is_some_and(|t| t.to_ascii_lowercase().contains("redact"))
                })
            })
        });
    let privacy = redacted
        || registrant.is_none()
        || privacy_words.iter().any(|w| registrant_text.contains(w));
    // The registrar's abuse contact is an entity of the registrar entity.
    let abuse = with_role("registrar").and_then(|r| {
        r["entities"].as_array().and_then(|a| {
            a.iter().find(|e| {
                e["roles"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x == "abuse"))
            })
        })
    });
    json!({
        "status": "ok",
        "domain": v["ldhName"].as_str().map(|n| n.to_ascii_lowercase()),
        "registrar": registrar,
        "registrant": registrant.map(contact),
        "abuse": abuse.map(contact),
        "whois_server": v["port43"].as_str(),
        "registered_at": event("registration"),
        "expires_at": event("expiration"),
        "updated_at": event("last changed"),
        "nameservers": nameservers,
        "statuses": statuses,
        "dnssec": v["secureDNS"]["delegationSigned"].as_bool().unwrap_or(false),
        "privacy": privacy,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_rdap_domain_object_is_summarised() {
        let v = json!({
            "objectClassName": "domain", "ldhName": "ACME-CORP.COM",
            "status": ["client transfer prohibited"],
            "events": [
                {"eventAction": "registration", "eventDate": "2001-05-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": "2027-05-01T00:00:00Z"},
                {"eventAction": "last changed", "eventDate": "2026-01-02T00:00:00Z"}
            ],
            "nameservers": [{"ldhName": "NS2.ACME-CORP.COM"}, {"ldhName": "ns1.acme-corp.com"}],
            "secureDNS": {"delegationSigned": true},
            "entities": [
                {"roles": ["registrar"], "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}],
                 "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "MarkMonitor Inc."]]]},
                {"roles": ["registrant"], "vcardArray": ["vcard", [["fn", {}, "text", "Domains By Proxy, LLC"]]]}
            ]
        });
        let s = parse(&v);
        assert_eq!(
            s["registrar"],
            json!({"name": "MarkMonitor Inc.", "iana_id": "292"})
        );
        assert_eq!(s["expires_at"], "2027-05-01T00:00:00Z");
        assert_eq!(
            s["nameservers"],
            json!(["ns1.acme-corp.com", "ns2.acme-corp.com"])
        );
        assert_eq!(
            (s["dnssec"].as_bool(), s["privacy"].as_bool()),
            (Some(true), Some(true))
        );
        assert_eq!(s["registrant"]["name"], "Domains By Proxy, LLC");
        let open = json!({"ldhName": "x.com", "entities": [{"roles": ["registrant"],
            "vcardArray": ["vcard", [["fn", {}, "text", "Acme Corporation"]]]}]});
        assert_eq!(parse(&open)["privacy"], false);
    }

    #[test]
    fn contacts_come_from_the_vcards() {
        let v = json!({
            "ldhName": "example.org", "port43": "whois.example-registry.org",
            "entities": [
                {"roles": ["registrar"], "vcardArray": ["vcard", [["fn", {}, "text", "Registrar Inc."]]],
                 "entities": [{"roles": ["abuse"], "vcardArray": ["vcard", [
                    ["fn", {}, "text", "Abuse desk"],
                    ["email", {}, "text", "abuse@registrar.example"],
                    ["tel", {"type": "voice"}, "uri", "tel:+1.5555550100"]]]}]},
                {"roles": ["registrant"], "vcardArray": ["vcard", [
                    ["fn", {}, "text", "Jane Doe"], ["org", {}, "text", "Example Org"],
                    ["adr", {"cc": "US"}, "text", ["", "", "1 Main St", "Springfield", "IL", "62701", ""]],
                    ["email", {}, "text", "jane@example.org"]]]}
            ]
        });
        let s = parse(&v);
        assert_eq!(
            s["registrant"],
            json!({"name": "Jane Doe", "org": "Example Org", "country": "US", "state": "IL",
                "email": "jane@example.org", "phone": null})
        );
        assert_eq!(s["abuse"]["email"], "abuse@registrar.example");
        assert_eq!(s["abuse"]["phone"], "+1.5555550100");
        assert_eq!(s["whois_server"], "whois.example-registry.org");
        assert_eq!(s["privacy"], false);
    }

    #[test]
    fn servers_are_chosen_by_the_longest_tld() {
        let s = RdapServers::parse(Some(
            "default=http://127.0.0.1:9/,uk=http://uk/,co.uk=http://co-uk",
        ))
        .unwrap();
        assert_eq!(s.url("a.co.uk", "co.uk"), "http://co-uk/domain/a.co.uk");
        assert_eq!(s.url("a.org.uk", "org.uk"), "http://uk/domain/a.org.uk");
        assert_eq!(s.url("a.com", "com"), "http://127.0.0.1:9/domain/a.com");
        assert!(RdapServers::parse(Some("com")).is_err());
        assert!(RdapServers::parse(Some("com=ftp://x")).is_err());
    }
}
