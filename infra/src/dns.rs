//! DNS scanning of watched domains: the records (MX with their addresses, A, AAAA, NS, SOA, TXT,
//! SRV), email security (DMARC parsed, SPF evaluated recursively with the RFC 7208 limits, DKIM
//! selectors probed, BIMI, MTA-STS, TLS-RPT) and the email gateway behind the MX hosts. A scan
//! yields a flat summary (field → value) that changes are computed on, the full detail, and the
//! fields whose lookups failed (never reported as changes).

use async_trait::async_trait;
use keel_commands::domain::ScanReport;
use keel_events::ScanOutcome;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Record types a scan asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rtype {
    A,
    Aaaa,
    Mx,
    Ns,
    Soa,
    Txt,
    Srv,
    Ptr,
}

/// The outcome of one lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The records, each as presentation text (`10 mx.example.com` for MX, names without the
    /// trailing dot, TXT strings joined).
    Records(Vec<String>),
    /// The name exists but has no record of this type (NOERROR, empty).
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The lookup failed (timeout, SERVFAIL, refused): nothing is known.
    Failed(String),
}

impl Answer {
    fn records(&self) -> &[String] {
        match self {
            Answer::Records(r) => r,
            _ => &[],
        }
    }
    fn failed(&self) -> bool {
        matches!(self, Answer::Failed(_))
    }
    /// A void lookup in the sense of RFC 7208 §4.6.4.
    fn void(&self) -> bool {
        matches!(self, Answer::NoData | Answer::NxDomain)
            || matches!(self, Answer::Records(r) if r.is_empty())
    }
}

#[async_trait]
pub trait Lookup: Send + Sync {
    async fn lookup(&self, name: &str, rtype: Rtype) -> Answer;
}

/// Lookups through hickory, against the configured nameservers, without a cache (every scan
/// sees what the nameservers say now).
pub struct HickoryLookup {
    resolver: hickory_resolver::TokioResolver,
    timeout: Duration,
}

/// A failed lookup in the terms people know from `dig`: `SERVFAIL`, `REFUSED`, or no answer in
/// time; anything else as the resolver said it.
fn failure_reason(e: &impl std::fmt::Display, timeout: Duration) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("server failure") || lower.contains("servfail") {
        "SERVFAIL from the nameserver".into()
    } else if lower.contains("refused") {
        "REFUSED by the nameserver".into()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        format!("no answer within {} ms", timeout.as_millis())
    } else {
        text
    }
}

impl HickoryLookup {
    /// `servers`: `ip` or `ip:port`; empty for the system's resolvers.
    pub fn new(servers: &[String], timeout: Duration) -> anyhow::Result<Self> {
        use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
        use hickory_resolver::net::runtime::TokioRuntimeProvider;
        let mut builder = if servers.is_empty() {
            hickory_resolver::Resolver::builder(TokioRuntimeProvider::default())?
        } else {
            let mut ns = Vec::new();
            for s in servers {
                let addr: std::net::SocketAddr = s
                    .parse()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(|ip| (ip, 53).into()))
                    .map_err(|_| anyhow::anyhow!("KEEL_DNS_SERVERS: `{s}` is not ip or ip:port"))?;
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                ns.push(NameServerConfig::new(addr.ip(), true, vec![udp, tcp]));
            }
            hickory_resolver::Resolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], ns),
                TokioRuntimeProvider::default(),
            )
        };
        let opts = builder.options_mut();
        opts.timeout = timeout;
        opts.attempts = 2;
        opts.cache_size = 0;
        opts.ndots = 0;
        Ok(Self {
            resolver: builder.build()?,
            timeout,
        })
    }
}

/// The PTR name of an address: `10.2.0.192.in-addr.arpa`, or the nibbles under `ip6.arpa`.
pub fn reverse_name(ip: &str) -> Option<String> {
    match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            Some(format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]))
        }
        std::net::IpAddr::V6(v6) => {
            let nibbles: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|b| [b & 0x0f, b >> 4])
                .map(|n| format!("{n:x}"))
                .collect();
            Some(format!("{}.ip6.arpa", nibbles.join(".")))
        }
    }
}

fn bare(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

#[async_trait]
impl Lookup for HickoryLookup {
    async fn lookup(&self, name: &str, rtype: Rtype) -> Answer {
        use hickory_resolver::proto::rr::{RData, RecordType};
        let t = match rtype {
            Rtype::A => RecordType::A,
            Rtype::Aaaa => RecordType::AAAA,
            Rtype::Mx => RecordType::MX,
            Rtype::Ns => RecordType::NS,
            Rtype::Soa => RecordType::SOA,
            Rtype::Txt => RecordType::TXT,
            Rtype::Srv => RecordType::SRV,
            Rtype::Ptr => RecordType::PTR,
        };
        // Fully qualified: no search domains.
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup(fqdn.as_str(), t).await {
            Ok(l) => Answer::Records(
                l.answers()
                    .iter()
                    .filter(|r| r.record_type() == t)
                    .filter_map(|r| match &r.data {
                        RData::A(a) => Some(a.0.to_string()),
                        RData::AAAA(a) => Some(a.0.to_string()),
                        RData::MX(mx) => Some(format!(
                            "{} {}",
                            mx.preference,
                            bare(&mx.exchange.to_string())
                        )),
                        RData::NS(ns) => Some(bare(&ns.0.to_string())),
                        RData::PTR(p) => Some(bare(&p.0.to_string())),
                        RData::SOA(soa) => Some(format!(
                            "{} {} {}",
                            bare(&soa.mname.to_string()),
                            bare(&soa.rname.to_string()),
                            soa.serial
                        )),
                        RData::TXT(txt) => Some(
                            txt.txt_data
                                .iter()
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                                .collect::<String>(),
                        ),
                        RData::SRV(srv) => Some(format!(
                            "{} {} {} {}",
                            srv.priority,
                            srv.weight,
                            srv.port,
                            bare(&srv.target.to_string())
                        )),
                        _ => None,
                    })
                    .collect(),
            ),
            Err(e) if e.is_nx_domain() => Answer::NxDomain,
            Err(e) if e.is_no_records_found() => Answer::NoData,
            Err(e) => Answer::Failed(failure_reason(&e, self.timeout)),
        }
    }
}

/// The version of [`GATEWAYS`]: recorded with every scan, so a change of detection is told
/// apart from a change of MX.
pub const GATEWAY_TABLE_VERSION: u32 = 1;

/// Email gateways by the suffix of their MX hosts.
pub const GATEWAYS: &[(&str, &str)] = &[
    ("aspmx.l.google.com", "Google Workspace"),
    ("google.com", "Google Workspace"),
    ("googlemail.com", "Google Workspace"),
    ("mail.protection.outlook.com", "Microsoft 365"),
    ("outlook.com", "Microsoft 365"),
    ("ppe-hosted.com", "Proofpoint Essentials"),
    ("pphosted.com", "Proofpoint"),
    ("mimecast.com", "Mimecast"),
    ("mimecast.co.za", "Mimecast"),
    ("barracudanetworks.com", "Barracuda"),
    ("iphmx.com", "Cisco Secure Email"),
    ("messagelabs.com", "Broadcom Email Security"),
    ("trendmicro.com", "Trend Micro"),
    ("trendmicro.eu", "Trend Micro"),
    ("sophos.com", "Sophos"),
    ("fireeyecloud.com", "Trellix"),
    ("mailcontrol.com", "Forcepoint"),
    ("hornetsecurity.com", "Hornetsecurity"),
    ("mx.cloudflare.net", "Cloudflare Email Routing"),
    ("zoho.com", "Zoho Mail"),
    ("zoho.eu", "Zoho Mail"),
    ("secureserver.net", "GoDaddy"),
    ("icloud.com", "iCloud Mail"),
    ("protonmail.ch", "Proton Mail"),
    ("messagingengine.com", "Fastmail"),
    ("yandex.net", "Yandex Mail"),
    ("mailgun.org", "Mailgun"),
];

/// The gateway of a set of MX hosts: the provider of the most preferred host the table knows;
/// `Other` when none is known.
pub fn gateway(mx: &[(u16, String)]) -> Option<String> {
    let mut hosts: Vec<&(u16, String)> = mx.iter().collect();
    hosts.sort();
    let known = hosts.iter().find_map(|(_, h)| {
        GATEWAYS
            .iter()
            .find(|(sfx, _)| h == sfx || h.ends_with(&format!(".{sfx}")))
            .map(|(_, name)| (*name).to_string())
    });
    match (known, hosts.is_empty()) {
        (Some(g), _) => Some(g),
        (None, false) if hosts.iter().all(|(_, h)| h.is_empty()) => None,
        (None, false) => Some("Other".into()),
        (None, true) => None,
    }
}

/// Senders named by SPF includes, by suffix.
pub const SPF_SENDERS: &[(&str, &str)] = &[
    ("_spf.google.com", "Google Workspace"),
    ("spf.protection.outlook.com", "Microsoft 365"),
    ("sendgrid.net", "SendGrid"),
    ("mailgun.org", "Mailgun"),
    ("amazonses.com", "Amazon SES"),
    ("servers.mcsv.net", "Mailchimp"),
    ("spf.mandrillapp.com", "Mandrill"),
    ("_spf.salesforce.com", "Salesforce"),
    ("mail.zendesk.com", "Zendesk"),
    ("spf.mtasv.net", "Postmark"),
    ("hubspotemail.net", "HubSpot"),
    ("pphosted.com", "Proofpoint"),
    ("mimecast.com", "Mimecast"),
    ("zoho.com", "Zoho Mail"),
    ("zoho.eu", "Zoho Mail"),
    ("spf.brevo.com", "Brevo"),
    ("sparkpostmail.com", "SparkPost"),
    ("_spf.intercom.io", "Intercom"),
];

fn sender_of(domain: &str) -> Option<&'static str> {
    SPF_SENDERS
        .iter()
        .find(|(sfx, _)| domain == *sfx || domain.ends_with(&format!(".{sfx}")))
        .map(|(_, n)| *n)
}

/// DKIM selectors probed, with the vendor each suggests.
pub const DKIM_SELECTORS: &[(&str, &str)] = &[
    ("google", "Google Workspace"),
    ("selector1", "Microsoft 365"),
    ("selector2", "Microsoft 365"),
    ("k1", "Mailchimp"),
    ("k2", "Mailchimp"),
    ("mandrill", "Mandrill"),
    ("s1", "SendGrid"),
    ("s2", "SendGrid"),
    ("smtpapi", "SendGrid"),
    ("mailo", "Mailgun"),
    ("pic", "Mailgun"),
    ("amazonses", "Amazon SES"),
    ("zoho", "Zoho Mail"),
    ("hs1", "HubSpot"),
    ("pm", "Postmark"),
    ("default", "generic"),
    ("dkim", "generic"),
    ("mail", "generic"),
];

/// SPF as evaluated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Spf {
    /// `valid`, `over_limit`, `missing` or `invalid`.
    pub status: &'static str,
    pub record: Option<String>,
    /// DNS-querying terms (include, a, mx, ptr, exists, redirect) across all includes.
    pub lookups: u32,
    pub void_lookups: u32,
    pub includes: Vec<String>,
    pub senders: Vec<String>,
    pub problems: Vec<String>,
}

/// RFC 7208 §4.6.4.
pub const SPF_LOOKUP_LIMIT: u32 = 10;
pub const SPF_VOID_LIMIT: u32 = 2;

fn spf_records(txt: &[String]) -> Vec<&String> {
    txt.iter()
        .filter(|t| {
            let t = t.trim_start().to_ascii_lowercase();
            t == "v=spf1" || t.starts_with("v=spf1 ")
        })
        .collect()
}

struct SpfWalk {
    lookups: u32,
    voids: u32,
    includes: Vec<String>,
    problems: Vec<String>,
    /// A lookup failed: the result is unknown, not invalid.
    failed: Option<String>,
}

/// Evaluates the SPF policy of `domain`: follows includes and redirects, counts DNS-querying
/// terms and void lookups, detects loops. `Err` when a lookup failed (nothing is known).
pub async fn evaluate_spf(dns: &dyn Lookup, domain: &str) -> Result<Spf, String> {
    let txt = dns.lookup(domain, Rtype::Txt).await;
    if let Answer::Failed(e) = &txt {
        return Err(e.clone());
    }
    let records = spf_records(txt.records());
    let record = match records.as_slice() {
        [] => {
            return Ok(Spf {
                status: "missing",
                record: None,
                lookups: 0,
                void_lookups: 0,
                includes: vec![],
                senders: vec![],
                problems: vec![],
            })
        }
        [one] => (*one).clone(),
        _ => {
            return Ok(Spf {
                status: "invalid",
                record: Some(records[0].clone()),
                lookups: 0,
                void_lookups: 0,
                includes: vec![],
                senders: vec![],
                problems: vec!["more than one v=spf1 record".into()],
            })
        }
    };
    let mut walk = SpfWalk {
        lookups: 0,
        voids: 0,
        includes: vec![],
        problems: vec![],
        failed: None,
    };
    let mut chain = vec![domain.to_ascii_lowercase()];
    walk_spf(dns, &record, &mut chain, &mut walk).await;
    if let Some(e) = walk.failed {
        return Err(e);
    }
    let over = walk.lookups > SPF_LOOKUP_LIMIT || walk.voids > SPF_VOID_LIMIT;
    if walk.lookups > SPF_LOOKUP_LIMIT {
        walk.problems.push(format!(
            "{} DNS-querying terms (the limit is {SPF_LOOKUP_LIMIT})",
            walk.lookups
        ));
    }
    if walk.voids > SPF_VOID_LIMIT {
        walk.problems.push(format!(
            "{} void lookups (the limit is {SPF_VOID_LIMIT})",
            walk.voids
        ));
    }
    let invalid = walk.problems.iter().any(|p| !p.contains("the limit is"));
    let mut senders: Vec<String> = walk
        .includes
        .iter()
        .filter_map(|i| sender_of(i))
        .map(str::to_string)
        .collect();
    senders.sort();
    senders.dedup();
    Ok(Spf {
        status: if invalid {
            "invalid"
        } else if over {
            "over_limit"
        } else {
            "valid"
        },
        record: Some(record),
        lookups: walk.lookups,
        void_lookups: walk.voids,
        includes: walk.includes,
        senders,
        problems: walk.problems,
    })
}

fn walk_spf<'a>(
    dns: &'a dyn Lookup,
    record: &'a str,
    chain: &'a mut Vec<String>,
    w: &'a mut SpfWalk,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let here = chain.last().cloned().unwrap_or_default();
        let mut redirect = None;
        for term in record.split_whitespace().skip(1) {
            if w.failed.is_some() || w.lookups > SPF_LOOKUP_LIMIT + 10 {
                return;
            }
            let t = term.to_ascii_lowercase();
            let mech = t.trim_start_matches(['+', '-', '~', '?']);
            let (name, arg) = match mech.split_once([':', '=']) {
                Some((n, a)) => (n, Some(a)),
                None => (mech.split('/').next().unwrap_or(mech), None),
            };
            match name {
                "all" | "ip4" | "ip6" | "exp" => {}
                "include" => {
                    w.lookups += 1;
                    let Some(target) = arg.map(str::to_string) else {
                        w.problems.push("include without a domain".into());
                        continue;
                    };
                    if chain.contains(&target) {
                        w.problems
                            .push(format!("include loop: {} -> {target}", chain.join(" -> ")));
                        continue;
                    }
                    w.includes.push(target.clone());
                    let txt = dns.lookup(&target, Rtype::Txt).await;
                    if let Answer::Failed(e) = &txt {
                        w.failed = Some(e.clone());
                        return;
                    }
                    if txt.void() {
                        w.voids += 1;
                    }
                    let found = spf_records(txt.records());
                    match found.as_slice() {
                        [one] => {
                            let inner = (*one).clone();
                            chain.push(target);
                            walk_spf(dns, &inner, chain, w).await;
                            chain.pop();
                        }
                        [] => w
                            .problems
                            .push(format!("include:{target} has no SPF record")),
                        _ => w
                            .problems
                            .push(format!("include:{target} has more than one SPF record")),
                    }
                }
                "redirect" => redirect = arg.map(str::to_string),
                "a" | "mx" | "ptr" | "exists" => {
                    w.lookups += 1;
                    let target = arg
                        .map(|a| a.split('/').next().unwrap_or(a).to_string())
                        .unwrap_or_else(|| here.clone());
                    if name == "ptr" || target.contains('%') {
                        continue; // macros and PTR depend on the connecting client
                    }
                    let rtype = if name == "mx" { Rtype::Mx } else { Rtype::A };
                    let a = dns.lookup(&target, rtype).await;
                    if let Answer::Failed(e) = &a {
                        w.failed = Some(e.clone());
                        return;
                    }
                    if a.void() {
                        w.voids += 1;
                    }
                }
                other if other.starts_with("v=") => {}
                other if t.contains('=') => {
                    // Unknown modifiers are ignored (RFC 7208 §6).
                    let _ = other;
                }
                other => w.problems.push(format!("unknown mechanism `{other}`")),
            }
        }
        if let Some(target) = redirect {
            w.lookups += 1;
            if chain.contains(&target) {
                w.problems
                    .push(format!("redirect loop: {} -> {target}", chain.join(" -> ")));
                return;
            }
            let txt = dns.lookup(&target, Rtype::Txt).await;
            if let Answer::Failed(e) = &txt {
                w.failed = Some(e.clone());
                return;
            }
            if txt.void() {
                w.voids += 1;
            }
            match spf_records(txt.records()).as_slice() {
                [one] => {
                    let inner = (*one).clone();
                    w.includes.push(target.clone());
                    chain.push(target);
                    walk_spf(dns, &inner, chain, w).await;
                    chain.pop();
                }
                _ => w
                    .problems
                    .push(format!("redirect={target} has no single SPF record")),
            }
        }
    })
}

/// DMARC's tags, parsed.
pub fn parse_dmarc(record: &str) -> BTreeMap<String, String> {
    record
        .split(';')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect()
}

/// Scans one domain.
/// A scan's summary as it is gathered.
#[derive(Default)]
struct Acc {
    fields: BTreeMap<String, String>,
    failed: BTreeSet<String>,
    /// Why each failed field failed.
    errors: BTreeMap<String, String>,
}

impl Acc {
    /// The field's value, or the field marked failed when its lookup failed.
    fn put(&mut self, field: &str, answer: &Answer, value: Option<String>) {
        if let Answer::Failed(e) = answer {
            self.fail(field, e);
        } else if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.fields.insert(field.to_string(), v);
        }
    }

    fn fail(&mut self, field: &str, why: &str) {
        self.failed.insert(field.to_string());
        self.errors.insert(field.to_string(), why.to_string());
    }

    /// The failures in one line, fields grouped by reason: `request timed out (dmarc_policy,
    /// dmarc_record); …`.
    fn error(&self) -> Option<String> {
        let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (field, why) in &self.errors {
            by.entry(why.as_str()).or_default().push(field.as_str());
        }
        (!by.is_empty()).then(|| {
            by.iter()
                .map(|(why, fields)| format!("{why} ({})", fields.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// The first failure among `answers`, for a scan that learned nothing.
fn first_failure(answers: &[&Answer]) -> String {
    answers
        .iter()
        .find_map(|a| match a {
            Answer::Failed(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "no answer".into())
}

pub async fn scan(dns: &dyn Lookup, domain: &str) -> ScanReport {
    let started = Instant::now();
    let mut acc = Acc::default();
    let mut records = serde_json::Map::new();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let d = domain;
    let dmarc_name = format!("_dmarc.{d}");
    let bimi_name = format!("default._bimi.{d}");
    let sts_name = format!("_mta-sts.{d}");
    let rpt_name = format!("_smtp._tls.{d}");
    let (a, aaaa, mx, ns, soa, txt, dmarc, bimi, sts, rpt) = futures::join!(
        dns.lookup(d, Rtype::A),
        dns.lookup(d, Rtype::Aaaa),
        dns.lookup(d, Rtype::Mx),
        dns.lookup(d, Rtype::Ns),
        dns.lookup(d, Rtype::Soa),
        dns.lookup(d, Rtype::Txt),
        dns.lookup(&dmarc_name, Rtype::Txt),
        dns.lookup(&bimi_name, Rtype::Txt),
        dns.lookup(&sts_name, Rtype::Txt),
        dns.lookup(&rpt_name, Rtype::Txt),
    );
    // Whether the domain exists, and whether anything answered for it at all.
    let apex = [&a, &aaaa, &mx, &ns, &soa, &txt];
    let answered = apex
        .iter()
        .any(|x| matches!(x, Answer::Records(r) if !r.is_empty()));
    let unanswered = |outcome: ScanOutcome, error: String| ScanReport {
        fields: BTreeMap::new(),
        records: json!({ "error": error }),
        failed: vec![],
        duration_ms: started.elapsed().as_millis() as i64,
        outcome,
        error: Some(error),
    };
    if !answered && (soa == Answer::NxDomain || ns == Answer::NxDomain) {
        return unanswered(
            ScanOutcome::Nxdomain,
            format!("{d} does not exist (NXDOMAIN)"),
        );
    }
    if apex.iter().all(|x| x.failed()) {
        return unanswered(
            ScanOutcome::Failed,
            format!("no nameserver answered for {d}: {}", first_failure(&apex)),
        );
    }
    acc.put("a", &a, Some(sorted(a.records().to_vec()).join(", ")));
    acc.put(
        "aaaa",
        &aaaa,
        Some(sorted(aaaa.records().to_vec()).join(", ")),
    );
    acc.put("ns", &ns, Some(sorted(ns.records().to_vec()).join(", ")));
    // The serial changes with every zone edit: kept in the records, not compared.
    acc.put(
        "soa",
        &soa,
        soa.records().first().map(|s| {
            s.rsplit_once(' ')
                .map_or(s.clone(), |(head, _)| head.to_string())
        }),
    );
    let txt_values = sorted(txt.records().to_vec());
    acc.put("txt", &txt, Some(txt_values.join(" | ")));

    // MX, their addresses and the gateway.
    let mut mx_hosts: Vec<(u16, String)> = mx
        .records()
        .iter()
        .filter_map(|r| {
            let (p, h) = r.split_once(' ')?;
            Some((p.parse().ok()?, h.to_string()))
        })
        .collect();
    mx_hosts.sort();
    let mut mx_detail = Vec::new();
    let mut mx_ips_failed = None;
    for (pref, host) in mx_hosts.iter().take(10) {
        let (v4, v6) = futures::join!(dns.lookup(host, Rtype::A), dns.lookup(host, Rtype::Aaaa));
        if v4.failed() || v6.failed() {
            mx_ips_failed = Some(first_failure(&[&v4, &v6]));
        }
        mx_detail.push(
            json!({ "preference": pref, "host": host, "ipv4": v4.records(), "ipv6": v6.records() }),
        );
    }
    acc.put(
        "mx",
        &mx,
        Some(
            mx_hosts
                .iter()
                .map(|(p, h)| format!("{p} {h}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    if let Some(why) = mx_ips_failed {
        acc.fail("mx_ips", &why);
    } else {
        let ips: Vec<String> = mx_detail
            .iter()
            .map(|m| {
                let mut all: Vec<String> = m["ipv4"]
                    .as_array()
                    .into_iter()
                    .chain(m["ipv6"].as_array())
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                all.sort();
                format!(
                    "{}={}",
                    m["host"].as_str().unwrap_or_default(),
                    all.join(" ")
                )
            })
            .collect();
        acc.put("mx_ips", &mx, Some(ips.join("; ")));
    }
    acc.put("email_gateway", &mx, gateway(&mx_hosts));

    // DMARC.
    let dmarc_record = dmarc
        .records()
        .iter()
        .find(|t| t.trim_start().to_ascii_lowercase().starts_with("v=dmarc1"))
        .cloned();
    let tags = dmarc_record.as_deref().map(parse_dmarc).unwrap_or_default();
    acc.put("dmarc_record", &dmarc, dmarc_record.clone());
    for (field, tag) in [
        ("dmarc_policy", "p"),
        ("dmarc_subdomain_policy", "sp"),
        ("dmarc_pct", "pct"),
        ("dmarc_rua", "rua"),
        ("dmarc_ruf", "ruf"),
    ] {
        acc.put(field, &dmarc, tags.get(tag).map(|v| v.to_ascii_lowercase()));
    }

    // SPF.
    let spf = evaluate_spf(dns, d).await;
    match &spf {
        Ok(s) => {
            acc.fields.insert("spf_status".into(), s.status.into());
            if let Some(r) = &s.record {
                acc.fields.insert("spf_record".into(), r.clone());
                acc.fields
                    .insert("spf_lookups".into(), s.lookups.to_string());
                acc.fields
                    .insert("spf_void_lookups".into(), s.void_lookups.to_string());
            }
            if !s.senders.is_empty() {
                acc.fields
                    .insert("spf_senders".into(), s.senders.join(", "));
            }
        }
        Err(e) => {
            for f in [
                "spf_status",
                "spf_record",
                "spf_lookups",
                "spf_void_lookups",
                "spf_senders",
            ] {
                acc.fail(f, e);
            }
        }
    }

    // DKIM selectors.
    let probes = futures::future::join_all(DKIM_SELECTORS.iter().map(|(sel, vendor)| {
        let name = format!("{sel}._domainkey.{d}");
        async move { (*sel, *vendor, dns.lookup(&name, Rtype::Txt).await) }
    }))
    .await;
    if probes.iter().any(|(_, _, a)| a.failed()) {
        let why = first_failure(&probes.iter().map(|(_, _, a)| a).collect::<Vec<_>>());
        acc.fail("dkim_selectors", &why);
        acc.fail("dkim_vendors", &why);
    } else {
        let found: Vec<(&str, &str)> = probes
            .iter()
            .filter(|(_, _, a)| a.records().iter().any(|t| t.contains("p=")))
            .map(|(s, v, _)| (*s, *v))
            .collect();
        let sels: Vec<&str> = found.iter().map(|(s, _)| *s).collect();
        let mut vendors: Vec<&str> = found
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| *v != "generic")
            .collect();
        vendors.sort_unstable();
        vendors.dedup();
        if !sels.is_empty() {
            acc.fields.insert("dkim_selectors".into(), sels.join(", "));
        }
        if !vendors.is_empty() {
            acc.fields.insert("dkim_vendors".into(), vendors.join(", "));
        }
        // The keys themselves: kept in the records (not compared between scans).
        let keys: Vec<Value> = probes
            .iter()
            .filter_map(|(sel, _, a)| {
                let record = a.records().iter().find(|t| t.contains("p="))?;
                Some(json!({ "selector": sel, "host": format!("{sel}._domainkey.{d}"), "record": record }))
            })
            .collect();
        records.insert("dkim".into(), Value::Array(keys));
    }

    // BIMI, MTA-STS, TLS-RPT.
    let first_with = |a: &Answer, prefix: &str| {
        a.records()
            .iter()
            .find(|t| t.trim_start().to_ascii_lowercase().starts_with(prefix))
            .cloned()
    };
    acc.put("bimi", &bimi, first_with(&bimi, "v=bimi1"));
    acc.put("mta_sts", &sts, first_with(&sts, "v=stsv1"));
    acc.put("tls_rpt", &rpt, first_with(&rpt, "v=tlsrptv1"));

    // SRV records of mail and chat services.
    let srv_names = [
        "_autodiscover._tcp",
        "_submission._tcp",
        "_imaps._tcp",
        "_sip._tls",
    ];
    let srvs = futures::future::join_all(srv_names.iter().map(|s| {
        let name = format!("{s}.{d}");
        async move { (*s, dns.lookup(&name, Rtype::Srv).await) }
    }))
    .await;
    if srvs.iter().any(|(_, a)| a.failed()) {
        acc.fail(
            "srv",
            &first_failure(&srvs.iter().map(|(_, a)| a).collect::<Vec<_>>()),
        );
    } else {
        let v: Vec<String> = srvs
            .iter()
            .flat_map(|(s, a)| a.records().iter().map(move |r| format!("{s} {r}")))
            .collect();
        if !v.is_empty() {
            acc.fields.insert("srv".into(), sorted(v).join(", "));
        }
    }

    let lookup_error = |a: &Answer| match a {
        Answer::Failed(e) => Some(e.clone()),
        _ => None,
    };
    records.insert("a".into(), json!(a.records()));
    records.insert("aaaa".into(), json!(aaaa.records()));
    // Reverse DNS of the web and mail servers: kept in the records (not compared between scans;
    // a lookup that fails leaves its address out).
    let mut ptr_ips: Vec<String> = a.records().iter().take(4).cloned().collect();
    if let Some(ip) = mx_detail
        .first()
        .and_then(|m| m["ipv4"].as_array())
        .and_then(|a| a.first())
        .and_then(Value::as_str)
    {
        if !ptr_ips.iter().any(|i| i == ip) {
            ptr_ips.push(ip.to_string());
        }
    }
    let ptrs = futures::future::join_all(ptr_ips.iter().filter_map(|ip| {
        let name = reverse_name(ip)?;
        Some(async move { (ip.clone(), dns.lookup(&name, Rtype::Ptr).await) })
    }))
    .await;
    records.insert(
        "ptr".into(),
        Value::Array(
            ptrs.into_iter()
                .filter_map(|(ip, answer)| match answer {
                    Answer::Records(names) if !names.is_empty() => {
                        Some(json!({ "ip": ip, "names": names }))
                    }
                    _ => None,
                })
                .collect(),
        ),
    );
    records.insert("mx".into(), Value::Array(mx_detail));
    records.insert("ns".into(), json!(ns.records()));
    records.insert("soa".into(), json!(soa.records().first()));
    records.insert("txt".into(), json!(txt_values));
    records.insert(
        "dmarc".into(),
        json!({ "record": dmarc_record, "tags": tags }),
    );
    records.insert(
        "spf".into(),
        match &spf {
            Ok(s) => json!(s),
            Err(e) => json!({ "error": e }),
        },
    );
    records.insert("gateway_table_version".into(), json!(GATEWAY_TABLE_VERSION));
    records.insert(
        "errors".into(),
        json!({
            "a": lookup_error(&a), "aaaa": lookup_error(&aaaa), "mx": lookup_error(&mx),
            "ns": lookup_error(&ns), "soa": lookup_error(&soa), "txt": lookup_error(&txt),
            "dmarc": lookup_error(&dmarc),
        }),
    );
    ScanReport {
        error: acc.error(),
        fields: acc.fields,
        records: Value::Object(records),
        failed: acc.failed.into_iter().collect(),
        duration_ms: started.elapsed().as_millis() as i64,
        outcome: ScanOutcome::Answered,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    /// Pure unit tests of the SPF rules over an in-memory zone; the scanner as a whole is tested
    /// against a real DNS server (tests/tests/domains.rs).
    struct Zone(HashMap<(String, &'static str), Answer>);

    #[async_trait]
    impl Lookup for Zone {
        async fn lookup(&self, name: &str, rtype: Rtype) -> Answer {
            let t = match rtype {
                Rtype::Txt => "txt",
                Rtype::A => "a",
                Rtype::Mx => "mx",
                _ => "other",
            };
            self.0
                .get(&(name.to_string(), t))
                .cloned()
                .unwrap_or(Answer::NxDomain)
        }
    }

    #[test]
    fn reverse_names_follow_rfc_1035_and_3596() {
        assert_eq!(
            reverse_name("192.0.2.10").as_deref(),
            Some("10.2.0.192.in-addr.arpa")
        );
        assert_eq!(
            reverse_name("2001:db8::1").as_deref(),
            Some("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
        );
        assert_eq!(reverse_name("not an ip"), None);
    }

    fn zone(entries: &[(&str, &'static str, &str)]) -> Zone {
        Zone(
            entries
                .iter()
                .map(|(n, t, v)| ((n.to_string(), *t), Answer::Records(vec![v.to_string()])))
                .collect(),
        )
    }

    #[tokio::test]
    async fn nested_includes_are_counted_and_senders_named() {
        let z = zone(&[
            (
                "example.com",
                "txt",
                "v=spf1 include:_spf.google.com include:mail.example.com mx -all",
            ),
            (
                "_spf.google.com",
                "txt",
                "v=spf1 include:_netblocks.google.com ~all",
            ),
            (
                "_netblocks.google.com",
                "txt",
                "v=spf1 ip4:192.0.2.0/24 ~all",
            ),
            ("mail.example.com", "txt", "v=spf1 a ip4:198.51.100.1 -all"),
            ("mail.example.com", "a", "198.51.100.1"),
            ("example.com", "mx", "10 mail.example.com"),
        ]);
        let s = evaluate_spf(&z, "example.com").await.unwrap();
        assert_eq!(
            (s.status, s.lookups, s.void_lookups),
            ("valid", 5, 0),
            "{s:?}"
        );
        assert_eq!(s.senders, ["Google Workspace"]);
    }

    #[tokio::test]
    async fn more_than_ten_lookups_or_two_voids_is_over_the_limit() {
        let mut entries = vec![("big.com", "txt", "v=spf1 include:i0.com include:i1.com include:i2.com include:i3.com include:i4.com include:i5.com -all".to_string())];
        for i in 0..6 {
            entries.push((
                Box::leak(format!("i{i}.com").into_boxed_str()),
                "txt",
                "v=spf1 a:x.com -all".to_string(),
            ));
        }
        entries.push(("x.com", "a", "192.0.2.1".into()));
        let e: Vec<(&str, &'static str, &str)> = entries
            .iter()
            .map(|(a, b, c)| (*a, *b, c.as_str()))
            .collect();
        let s = evaluate_spf(&zone(&e), "big.com").await.unwrap();
        assert_eq!((s.status, s.lookups), ("over_limit", 12), "{s:?}");

        let z = zone(&[(
            "void.com",
            "txt",
            "v=spf1 a:gone1.com a:gone2.com mx:gone3.com -all",
        )]);
        let s = evaluate_spf(&z, "void.com").await.unwrap();
        assert_eq!((s.status, s.void_lookups), ("over_limit", 3), "{s:?}");
    }

    #[tokio::test]
    async fn loops_missing_and_broken_records() {
        let z = zone(&[
            ("a.com", "txt", "v=spf1 include:b.com -all"),
            ("b.com", "txt", "v=spf1 include:a.com -all"),
            ("bad.com", "txt", "v=spf1 include:nospf.com frobnicate -all"),
            ("nospf.com", "txt", "hello"),
        ]);
        let s = evaluate_spf(&z, "a.com").await.unwrap();
        assert_eq!(s.status, "invalid");
        assert!(s.problems[0].contains("loop"), "{s:?}");
        assert_eq!(
            evaluate_spf(&z, "none.com").await.unwrap().status,
            "missing"
        );
        let s = evaluate_spf(&z, "bad.com").await.unwrap();
        assert_eq!(s.status, "invalid");
        assert_eq!(s.problems.len(), 2, "{s:?}");
        let mut failing = zone(&[("x.com", "txt", "v=spf1 include:y.com -all")]);
        failing
            .0
            .insert(("y.com".into(), "txt"), Answer::Failed("timeout".into()));
        assert!(
            evaluate_spf(&failing, "x.com").await.is_err(),
            "a failed lookup is not a verdict"
        );
    }

    /// Answers every lookup the same way, after `delay`.
    struct Always(Answer, Duration);

    #[async_trait]
    impl Lookup for Always {
        async fn lookup(&self, _: &str, _: Rtype) -> Answer {
            tokio::time::sleep(self.1).await;
            self.0.clone()
        }
    }

    #[tokio::test]
    async fn a_scan_says_whether_the_domain_exists_and_whether_anything_answered() {
        // No such name: inactive, not a domain without records.
        let gone = scan(&zone(&[]), "gone.example").await;
        assert_eq!(gone.outcome, ScanOutcome::Nxdomain, "{gone:?}");
        assert!(gone.fields.is_empty() && gone.failed.is_empty());
        assert!(gone.error.unwrap().contains("NXDOMAIN"));

        // A dead or refusing server: nothing learned, and why.
        let dead = Always(Answer::Failed("request timed out".into()), Duration::ZERO);
        let failed = scan(&dead, "example.com").await;
        assert_eq!(failed.outcome, ScanOutcome::Failed, "{failed:?}");
        assert!(
            failed.fields.is_empty(),
            "no value from no answer: {failed:?}"
        );
        assert_eq!(
            failed.error.as_deref(),
            Some("no nameserver answered for example.com: request timed out")
        );

        // The apex answers but DMARC's lookup fails: partial, the failure named, never "missing".
        let mut z = zone(&[("example.com", "a", "192.0.2.1")]);
        z.0.insert(
            ("_dmarc.example.com".into(), "txt"),
            Answer::Failed("SERVFAIL".into()),
        );
        let partial = scan(&z, "example.com").await;
        assert_eq!(partial.outcome, ScanOutcome::Answered);
        assert_eq!(
            partial.fields.get("a").map(String::as_str),
            Some("192.0.2.1")
        );
        assert!(
            partial.failed.contains(&"dmarc_policy".to_string()),
            "{partial:?}"
        );
        assert!(!partial.fields.contains_key("dmarc_policy"));
        let why = partial.error.unwrap();
        assert!(
            why.starts_with("SERVFAIL (") && why.contains("dmarc_policy"),
            "{why}"
        );
    }

    #[tokio::test]
    async fn a_scan_over_its_deadline_is_a_failure_with_the_reason() {
        let slow = Always(Answer::NoData, Duration::from_secs(5));
        let r = crate::scanner::scan_within(&slow, "example.com", Duration::from_millis(50)).await;
        assert_eq!(r.outcome, ScanOutcome::Failed);
        assert_eq!(
            r.error.as_deref(),
            Some("the scan took longer than its deadline of 50 ms")
        );
    }

    #[test]
    fn gateways_come_from_the_most_preferred_known_host() {
        assert_eq!(
            gateway(&[
                (20, "alt1.aspmx.l.google.com".into()),
                (10, "mx1.example.com".into())
            ]),
            Some("Google Workspace".into())
        );
        assert_eq!(
            gateway(&[(10, "example-com.mail.protection.outlook.com".into())]),
            Some("Microsoft 365".into())
        );
        assert_eq!(
            gateway(&[(10, "mx1.example.com".into())]),
            Some("Other".into())
        );
        assert_eq!(gateway(&[]), None);
        assert_eq!(
            parse_dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com; pct=50")
                .get("p")
                .map(String::as_str),
            Some("reject")
        );
    }
}
