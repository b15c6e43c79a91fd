//! Web analytics on the write side: turning a client's pageview, custom event, goal, payment or
//! identify call into an event. Pure: the site, the time, the daily salt and the country (from the
//! edge's GeoIP lookup) arrive as arguments.

use crate::site::Site;
use crate::{
    Aggregate, AppendOutcome, AppendRequest, DomainError, EventStore, FieldError, StoreError,
    Validator,
};
use chrono::{DateTime, Duration, Utc};
use keel_events::{
    is_currency, DomainEvent, EventId, ExpectedVersion, Hit, Metadata, NewEvent, PaymentRecorded,
    PaymentRemoved, SiteId, StreamId, VisitorIdentified, WorkspaceId,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const MAX_BATCH_ITEMS: usize = 1000;
pub const MAX_PROPERTIES: usize = 30;
pub const MAX_PROPERTY_KEY_BYTES: usize = 300;
pub const MAX_PROPERTY_VALUE_BYTES: usize = 2000;
pub const MAX_GOAL_METADATA: usize = 10;
pub const MAX_GOAL_METADATA_CHARS: usize = 255;
pub const MAX_ID_CHARS: usize = 255;
pub const MAX_URL_BYTES: usize = 2000;
/// How far in the future an `occurred_at` may lie (clock skew of the sender).
pub const MAX_FUTURE_SKEW_SECS: i64 = 300;
/// A visit ends after this long without activity.
pub const SESSION_TIMEOUT_MS: i64 = 30 * 60 * 1000;
/// The source of traffic without a referrer or `utm_source`.
pub const DIRECT: &str = "Direct / None";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Pageview,
    Custom,
    Goal,
}

/// One pageview or custom event as a client sends it (already split out of its batch).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventInput {
    pub kind: Option<HitKind>,
    pub name: Option<String>,
    pub visitor_id: Option<String>,
    pub session_id: Option<String>,
    pub url: Option<String>,
    pub referrer: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    pub user_agent: Option<String>,
    /// The viewport's width in CSS pixels (Plausible's `w`): the screen class.
    pub screen_width: Option<u32>,
    pub properties: Map<String, Value>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub event_id: Option<String>,
}

/// What the edge derived from the request around the event: never the address itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeFacts {
    /// Visitor key from the daily salt, the client address and user agent, for events without a
    /// `visitor_id` (see [`anonymous_visitor_key`]).
    pub anonymous_visitor: Option<String>,
    pub country: Option<String>,
    /// The first subdivision and the city, from a GeoIP City database.
    pub region: Option<String>,
    pub city: Option<String>,
}

/// The visitor key of a client-chosen visitor id: stable, and not reversible to the id.
pub fn visitor_key(site: SiteId, visitor_id: &str) -> String {
    hash_hex(&["v", &site.to_string(), visitor_id])
}

/// The visitor key of an anonymous client: it changes with the daily salt, which is deleted after
/// a day, so neither the address nor a cross-day profile can be recovered.
pub fn anonymous_visitor_key(salt: &str, site: SiteId, ip: &str, user_agent: &str) -> String {
    hash_hex(&["a", salt, &site.to_string(), ip, user_agent])
}

/// The stream key of a payment's transaction id.
pub fn transaction_key(transaction_id: &str) -> String {
    hash_hex(&["t", transaction_id])
}

/// The deterministic event id of a client's `event_id` on a site: the same id always names the same
/// event, so a resent event is a duplicate in the log (UUIDv8 from SHA-256).
pub fn client_event_uuid(site: SiteId, namespace: &str, client_id: &str) -> uuid::Uuid {
    let digest = Sha256::digest(format!("{site}\u{0}{namespace}\u{0}{client_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn hash_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The path of a URL (`https://x.com/a/b?q#f` → `/a/b`), or of a bare path.
pub fn path_of(url: &str) -> Result<String, &'static str> {
    let rest = if let Some(r) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        match r.find('/') {
            Some(i) if r[..i].is_empty() => return Err("must name a host"),
            Some(i) => &r[i..],
            None if r.is_empty() => return Err("must name a host"),
            None => "/",
        }
    } else if url.starts_with('/') {
        url
    } else {
        return Err("must be an absolute http(s) URL or a path starting with /");
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..end];
    Ok(if path.is_empty() {
        "/".into()
    } else {
        path.into()
    })
}

/// The host of an http(s) URL, lowercased, without `www.` and port.
pub fn host_of(url: &str) -> Option<String> {
    let r = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = r.split(['/', '?', '#']).next()?;
    let host = host
        .rsplit('@')
        .next()?
        .split(':')
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// Well-known referrers by host, shown under their names.
fn known_source(host: &str) -> Option<&'static str> {
    let h = host.trim_start_matches("m.").trim_start_matches("l.");
    let labels: Vec<&str> = h.split('.').collect();
    let has = |name: &str| labels.contains(&name);
    Some(match h {
        "t.co" | "twitter.com" | "x.com" => "Twitter",
        "news.ycombinator.com" => "Hacker News",
        "lnkd.in" | "linkedin.com" => "LinkedIn",
        "chatgpt.com" | "chat.openai.com" => "ChatGPT",
        "perplexity.ai" => "Perplexity",
        "duckduckgo.com" => "DuckDuckGo",
        "bing.com" => "Bing",
        "github.com" => "GitHub",
        "reddit.com" | "old.reddit.com" => "Reddit",
        "youtube.com" | "youtu.be" => "YouTube",
        "instagram.com" => "Instagram",
        "facebook.com" => "Facebook",
        "ecosia.org" => "Ecosia",
        _ if has("google") => "Google",
        _ if has("yahoo") => "Yahoo!",
        _ if has("yandex") => "Yandex",
        _ if has("baidu") => "Baidu",
        _ => return None,
    })
}

/// The traffic source: `utm_source` if given (a known host named by its name), else the
/// referrer's host (known ones by name), else [`DIRECT`]. Referrals from the site itself or its
/// subdomains are internal navigation, not a source.
pub fn source_of(referrer: Option<&str>, utm_source: Option<&str>, site_domain: &str) -> String {
    if let Some(u) = utm_source.map(str::trim).filter(|u| !u.is_empty()) {
        let lower = u.to_ascii_lowercase();
        return known_source(lower.strip_prefix("www.").unwrap_or(&lower))
            .map_or_else(|| u.to_string(), str::to_string);
    }
    let Some(host) = referrer.and_then(host_of) else {
        return DIRECT.into();
    };
    let own = site_domain.strip_prefix("www.").unwrap_or(site_domain);
    if host == own || host.ends_with(&format!(".{own}")) {
        return DIRECT.into();
    }
    known_source(&host).map_or(host, str::to_string)
}

pub use crate::user_agent::{classify as classify_user_agent, screen_class, Agent, Client};

fn optional_text(
    v: &mut Validator,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = value.map(str::trim).filter(|s| !s.is_empty())?;
    v.check(
        value.chars().count() <= max,
        field,
        format!("must be at most {max} characters"),
    );
    v.check(
        !value.chars().any(char::is_control),
        field,
        "must not contain control characters",
    );
    Some(value.to_string())
}

fn check_time(v: &mut Validator, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let at = at.unwrap_or(now);
    v.check(
        at <= now + Duration::seconds(MAX_FUTURE_SKEW_SECS),
        "occurred_at",
        "must not lie in the future",
    );
    v.check(
        at.timestamp() >= 946_684_800,
        "occurred_at",
        "must not lie before 2000-01-01",
    );
    at
}

/// Properties: at most 30, keys ≤ 300 bytes, values (strings, numbers, booleans) ≤ 2,000 bytes.
fn check_properties(
    v: &mut Validator,
    field: &str,
    props: &Map<String, Value>,
    max_keys: usize,
    max_key: usize,
    max_value: usize,
    chars: bool,
) {
    v.check(
        props.len() <= max_keys,
        field,
        format!("must have at most {max_keys} keys"),
    );
    let len = |s: &str| if chars { s.chars().count() } else { s.len() };
    for (k, val) in props {
        v.check(
            !k.is_empty() && len(k) <= max_key,
            &format!("{field}.{k}"),
            format!(
                "keys must be 1-{max_key} {}",
                if chars { "characters" } else { "bytes" }
            ),
        );
        let ok = match val {
            Value::String(s) => len(s) <= max_value,
            Value::Number(_) | Value::Bool(_) | Value::Null => true,
            _ => false,
        };
        v.check(
            ok,
            &format!("{field}.{k}"),
            format!(
                "values must be strings of at most {max_value} {}, numbers, booleans or null",
                if chars { "characters" } else { "bytes" }
            ),
        );
    }
}

/// Why an event was not recorded (a bot is not an error, but it is not counted either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Invalid(Vec<FieldError>),
    Bot,
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Refusal::Bot => "the user agent is a bot's; bots are not counted".into(),
            Refusal::Invalid(fields) => fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

fn finish(v: &mut Validator) -> Result<(), Refusal> {
    v.finish().map_err(|e| match e {
        DomainError::Validation(f) => Refusal::Invalid(f),
        other => Refusal::Invalid(vec![FieldError {
            field: "event".into(),
            message: other.to_string(),
        }]),
    })
}

/// A pageview or custom event → its event and time. The site must be live and the caller's.
pub fn record_event(
    site: &Site,
    input: &EventInput,
    edge: &EdgeFacts,
    now: DateTime<Utc>,
) -> Result<(DomainEvent, DateTime<Utc>), Refusal> {
    let mut v = Validator::new();
    let kind = input.kind.unwrap_or(HitKind::Pageview);
    v.check(
        kind != HitKind::Goal,
        "type",
        "must be pageview or custom (goals go to /goals)",
    );
    let visitor_id = optional_text(
        &mut v,
        "visitor_id",
        input.visitor_id.as_deref(),
        MAX_ID_CHARS,
    );
    let visitor = match (&visitor_id, &edge.anonymous_visitor) {
        (Some(id), _) => visitor_key(site.id, id),
        (None, Some(anon)) => anon.clone(),
        (None, None) => {
            v.check(false, "visitor_id", "is required unless ip is given");
            String::new()
        }
    };
    let session_id = optional_text(
        &mut v,
        "session_id",
        input.session_id.as_deref(),
        MAX_ID_CHARS,
    );
    let name = optional_text(&mut v, "name", input.name.as_deref(), 120);
    if kind == HitKind::Custom {
        v.check(name.is_some(), "name", "is required for custom events");
    }
    let url = input
        .url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let path = match url {
        Some(u) if u.len() > MAX_URL_BYTES => {
            v.check(
                false,
                "url",
                format!("must be at most {MAX_URL_BYTES} bytes"),
            );
            None
        }
        Some(u) => match path_of(u) {
            Ok(p) => Some(p),
            Err(m) => {
                v.check(false, "url", m);
                None
            }
        },
        None => {
            v.check(
                kind != HitKind::Pageview,
                "url",
                "is required for pageviews",
            );
            None
        }
    };
    let referrer = optional_text(&mut v, "referrer", input.referrer.as_deref(), MAX_URL_BYTES);
    let utm_source = optional_text(
        &mut v,
        "utm_source",
        input.utm_source.as_deref(),
        MAX_ID_CHARS,
    );
    let utm_medium = optional_text(
        &mut v,
        "utm_medium",
        input.utm_medium.as_deref(),
        MAX_ID_CHARS,
    );
    let utm_campaign = optional_text(
        &mut v,
        "utm_campaign",
        input.utm_campaign.as_deref(),
        MAX_ID_CHARS,
    );
    let utm_content = optional_text(
        &mut v,
        "utm_content",
        input.utm_content.as_deref(),
        MAX_ID_CHARS,
    );
    let utm_term = optional_text(&mut v, "utm_term", input.utm_term.as_deref(), MAX_ID_CHARS);
    let event_id = optional_text(&mut v, "event_id", input.event_id.as_deref(), MAX_ID_CHARS);
    check_properties(
        &mut v,
        "properties",
        &input.properties,
        MAX_PROPERTIES,
        MAX_PROPERTY_KEY_BYTES,
        MAX_PROPERTY_VALUE_BYTES,
        false,
    );
    let at = check_time(&mut v, input.occurred_at, now);
    finish(&mut v)?;
    let agent = match classify_user_agent(input.user_agent.as_deref()) {
        Client::Bot => return Err(Refusal::Bot),
        Client::Human(a) => a,
    };
    let nonempty = |s: String| Some(s).filter(|s| !s.is_empty());
    let hit = Hit {
        site_id: site.id,
        workspace_id: site.workspace_id,
        visitor,
        visitor_id,
        session_id,
        name,
        source: Some(source_of(
            referrer.as_deref(),
            utm_source.as_deref(),
            &site.domain,
        )),
        url: url.map(str::to_string),
        path,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        hostname: url.and_then(host_of),
        country: edge.country.clone(),
        device: Some(agent.device.into()),
        browser: Some(agent.browser.into()),
        browser_version: nonempty(agent.browser_version),
        os: Some(agent.os.into()),
        os_version: nonempty(agent.os_version),
        screen: input.screen_width.map(|w| screen_class(w).to_string()),
        region: edge.region.clone(),
        city: edge.city.clone(),
        properties: input.properties.clone(),
        client_event_id: event_id,
        sealed: None,
    };
    let event = match kind {
        HitKind::Custom => DomainEvent::CustomEventRecorded(hit),
        _ => DomainEvent::PageviewRecorded(hit),
    };
    Ok((event, at))
}

/// Goal names: lowercase letters, digits, `_`, `:` and `-`, 1 to 64 of them.
pub fn valid_goal_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b':' | b'-')
        })
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalInput {
    pub visitor_id: String,
    pub name: String,
    pub metadata: Map<String, Value>,
    pub occurred_at: Option<DateTime<Utc>>,
}

pub fn record_goal(
    site: &Site,
    input: &GoalInput,
    now: DateTime<Utc>,
) -> Result<(DomainEvent, DateTime<Utc>), DomainError> {
    let mut v = Validator::new();
    let visitor_id = optional_text(&mut v, "visitor_id", Some(&input.visitor_id), MAX_ID_CHARS);
    v.check(visitor_id.is_some(), "visitor_id", "must not be empty");
    v.check(
        valid_goal_name(&input.name),
        "name",
        "must be 1-64 of a-z, 0-9, _, : and -",
    );
    check_properties(
        &mut v,
        "metadata",
        &input.metadata,
        MAX_GOAL_METADATA,
        MAX_GOAL_METADATA_CHARS,
        MAX_GOAL_METADATA_CHARS,
        true,
    );
    let at = check_time(&mut v, input.occurred_at, now);
    v.finish()?;
    let visitor_id = visitor_id.unwrap_or_default();
    Ok((
        DomainEvent::GoalCompleted(Hit {
            site_id: site.id,
            workspace_id: site.workspace_id,
            visitor: visitor_key(site.id, &visitor_id),
            visitor_id: Some(visitor_id),
            session_id: None,
            name: Some(input.name.clone()),
            url: None,
            path: None,
            referrer: None,
            source: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_content: None,
            utm_term: None,
            hostname: None,
            country: None,
            device: None,
            browser: None,
            browser_version: None,
            os: None,
            os_version: None,
            screen: None,
            region: None,
            city: None,
            properties: input.metadata.clone(),
            client_event_id: None,
            sealed: None,
        }),
        at,
    ))
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentifyInput {
    pub visitor_id: String,
    pub user_id: String,
    pub traits: Map<String, Value>,
}

pub fn identify(site: &Site, input: &IdentifyInput) -> Result<DomainEvent, DomainError> {
    let mut v = Validator::new();
    v.name("visitor_id", &input.visitor_id, MAX_ID_CHARS);
    v.name("user_id", &input.user_id, MAX_ID_CHARS);
    check_properties(
        &mut v,
        "traits",
        &input.traits,
        MAX_PROPERTIES,
        MAX_PROPERTY_KEY_BYTES,
        MAX_PROPERTY_VALUE_BYTES,
        false,
    );
    v.finish()?;
    let visitor_id = input.visitor_id.trim().to_string();
    Ok(DomainEvent::VisitorIdentified(VisitorIdentified {
        site_id: site.id,
        workspace_id: site.workspace_id,
        visitor: visitor_key(site.id, &visitor_id),
        visitor_id,
        user_id: input.user_id.trim().to_string(),
        traits: input.traits.clone(),
        sealed: None,
    }))
}

/// Erasing a person: the client's visitor id names them. `key` is their data key, if they have
/// one; `already_erased` whether the visitor's stream ends with an erasure already. Nothing to
/// erase (no key, no erasure before) is a 404; a repeated request is answered as the first.
pub fn erase_visitor(
    site: &Site,
    visitor_id: &str,
    key: Option<String>,
    has_events: bool,
    already_erased: bool,
) -> Result<Option<DomainEvent>, DomainError> {
    let mut v = Validator::new();
    v.name("visitor_id", visitor_id, MAX_ID_CHARS);
    v.finish()?;
    if key.is_none() && already_erased {
        return Ok(None);
    }
    if key.is_none() && !has_events {
        return Err(DomainError::NotFound("visitor"));
    }
    Ok(Some(DomainEvent::VisitorErased(
        keel_events::VisitorErased {
            site_id: site.id,
            workspace_id: site.workspace_id,
            visitor: visitor_key(site.id, visitor_id.trim()),
            key,
        },
    )))
}

/// The stream a decided visitor event belongs on: its visitor's (hits, goals, identify calls and
/// erasures), so one visitor's events keep their order. `None` for any other event.
pub fn visitor_stream(event: &DomainEvent) -> Option<(WorkspaceId, StreamId)> {
    let (ws, site, visitor) = match event {
        DomainEvent::PageviewRecorded(h)
        | DomainEvent::CustomEventRecorded(h)
        | DomainEvent::GoalCompleted(h) => (h.workspace_id, h.site_id, &h.visitor),
        DomainEvent::VisitorIdentified(v) => (v.workspace_id, v.site_id, &v.visitor),
        DomainEvent::VisitorErased(v) => (v.workspace_id, v.site_id, &v.visitor),
        _ => return None,
    };
    Some((ws, StreamId::visitor(site, visitor)))
}

/// The event id of a decided visitor event: derived from the client's own event id when it sent
/// one (so a resent item is a duplicate, not a second hit), else `fresh`.
pub fn visitor_event_id(event: &DomainEvent, fresh: impl FnOnce() -> EventId) -> EventId {
    match event
        .hit()
        .and_then(|h| Some((h.site_id, h.client_event_id.as_deref()?)))
    {
        Some((site, id)) => EventId(client_event_uuid(site, "event", id)),
        None => fresh(),
    }
}

/// The append of a decided visitor event: one event on its visitor's stream, in any order with
/// other visitors' (the store's group commit batches them). `None` for an event that is not a
/// visitor's.
pub fn visitor_request(
    event: DomainEvent,
    event_id: EventId,
    occurred_at: DateTime<Utc>,
    metadata: Metadata,
) -> Option<AppendRequest> {
    let (tenant_id, stream_id) = visitor_stream(&event)?;
    Some(AppendRequest {
        tenant_id,
        stream_id,
        expected: ExpectedVersion::Any,
        events: vec![NewEvent {
            event_id,
            event,
            occurred_at,
        }],
        metadata,
        meter: None,
    })
}

/// Records a decided visitor event: the one write path of hits, goals, identify calls and
/// erasures, from the API, the pixel and the batch endpoint alike.
pub async fn append_visitor_event<S: EventStore + ?Sized>(
    store: &S,
    request: AppendRequest,
) -> Result<AppendOutcome, StoreError> {
    store.append(request).await
}

/// Metric ids Keel computes itself (the feed's), which a pushed metric may not take.
pub const BUILT_IN_METRICS: [&str; 5] = ["visitors", "visits", "pageviews", "events", "revenue"];
/// The SaaS metrics of a connected Stripe account, one point per site, UTC month and currency
/// (`stripe_…` is Keel's: no pushed metric takes the prefix).
pub const STRIPE_METRICS: [&str; 10] = [
    "stripe_mrr",
    "stripe_arr",
    "stripe_active_subscriptions",
    "stripe_new_mrr",
    "stripe_expansion_mrr",
    "stripe_contraction_mrr",
    "stripe_churned_mrr",
    "stripe_reactivation_mrr",
    "stripe_revenue",
    "stripe_refunds",
];
/// Largest metadata of a pushed point, as JSON.
pub const MAX_METRIC_METADATA: usize = 4096;

/// Whether `id` will do as a pushed metric's id: 1 to 100 of `a-z 0-9 _ . -`, a letter first,
/// not one of Keel's own (nor `goal:…`).
pub fn check_metric_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if !ok {
        return Err("must be 1 to 100 of a-z 0-9 _ . - starting with a letter".into());
    }
    if BUILT_IN_METRICS.contains(&id) || id.starts_with("stripe_") {
        return Err(format!("`{id}` is one of Keel's own metrics"));
    }
    Ok(())
}

/// The stream key of a pushed point.
pub fn metric_point_key(metric_id: &str, point_id: &str) -> String {
    hash_hex(&["m", metric_id, point_id])
}

/// One pushed point: recorded once per `(metric_id, point_id)`; a second push of it is
/// `AlreadyExists` (a duplicate).
pub struct MetricPointAggregate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetric(pub keel_events::MetricRecorded);

impl Aggregate for MetricPointAggregate {
    type State = bool;
    type Command = RecordMetric;

    fn decide(recorded: &bool, c: &RecordMetric) -> Result<Vec<DomainEvent>, DomainError> {
        if *recorded {
            return Err(DomainError::AlreadyExists("metric point"));
        }
        let p = &c.0;
        let mut v = Validator::new();
        if let Err(e) = check_metric_id(&p.metric_id) {
            v.check(false, "metric_id", e);
        }
        v.name("id", &p.point_id, MAX_ID_CHARS);
        v.check(
            p.value.as_f64().is_some_and(f64::is_finite),
            "value",
            "must be a finite number",
        );
        if let Some(u) = &p.unit {
            v.check(
                !u.is_empty() && u.chars().count() <= 32 && !u.chars().any(char::is_control),
                "unit",
                "must be 1 to 32 characters",
            );
        }
        v.check(p.timestamp >= 0, "timestamp", "must not be before 1970");
        v.check(
            serde_json::to_string(&p.metadata).map_or(0, |m| m.len()) <= MAX_METRIC_METADATA,
            "metadata",
            format!("must be at most {MAX_METRIC_METADATA} bytes of JSON"),
        );
        v.finish()?;
        Ok(vec![DomainEvent::MetricRecorded(p.clone())])
    }

    fn evolve(recorded: bool, event: &DomainEvent) -> bool {
        recorded || matches!(event, DomainEvent::MetricRecorded(_))
    }
}

/// A payment as the client sends it; `amount` was already checked to be a whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPayment {
    pub site_id: SiteId,
    pub workspace_id: WorkspaceId,
    pub transaction_id: String,
    pub amount: i64,
    pub currency: String,
    pub visitor_id: Option<String>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    pub renewal: bool,
    pub refunded: bool,
    pub is_free_trial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentCommand {
    Record(RecordPayment),
    /// A refund the source gave (once per `refund_id`; a second sight of it is `AlreadyExists`).
    Refund {
        refund_id: String,
        amount: i64,
    },
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub recorded: PaymentRecorded,
    pub removed: bool,
    /// Refunds given, by id.
    pub refunds: Vec<(String, i64)>,
}

impl Payment {
    pub fn refunded(&self) -> i64 {
        self.refunds.iter().map(|(_, a)| a).sum()
    }
}

/// One payment's stream: recorded once (a second record of the transaction id is refused as
/// `AlreadyExists`, which the edge reports as a duplicate), removed at most once.
pub struct PaymentAggregate;

impl Aggregate for PaymentAggregate {
    type State = Option<Payment>;
    type Command = PaymentCommand;

    fn decide(
        state: &Option<Payment>,
        command: &PaymentCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match (state, command) {
            (Some(_), PaymentCommand::Record(_)) => Err(DomainError::AlreadyExists("payment")),
            (None, PaymentCommand::Record(c)) => {
                let mut v = Validator::new();
                v.name("transaction_id", &c.transaction_id, MAX_ID_CHARS);
                v.check(c.amount >= 0, "amount", "must not be negative");
                v.check(
                    is_currency(&c.currency),
                    "currency",
                    "must be an ISO 4217 code such as USD",
                );
                let visitor_id =
                    optional_text(&mut v, "visitor_id", c.visitor_id.as_deref(), MAX_ID_CHARS);
                let customer_id = optional_text(
                    &mut v,
                    "customer_id",
                    c.customer_id.as_deref(),
                    MAX_ID_CHARS,
                );
                let email = optional_text(&mut v, "email", c.email.as_deref(), 320);
                if let Some(e) = &email {
                    v.check(
                        e.split_once('@')
                            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.')),
                        "email",
                        "must be an email address",
                    );
                }
                v.finish()?;
                Ok(vec![DomainEvent::PaymentRecorded(PaymentRecorded {
                    site_id: c.site_id,
                    workspace_id: c.workspace_id,
                    transaction_id: c.transaction_id.trim().to_string(),
                    amount: c.amount,
                    currency: c.currency.clone(),
                    visitor: visitor_id.as_deref().map(|id| visitor_key(c.site_id, id)),
                    visitor_id,
                    customer_id,
                    email,
                    renewal: c.renewal,
                    refunded: c.refunded,
                    is_free_trial: c.is_free_trial,
                    sealed: None,
                })])
            }
            (None, PaymentCommand::Refund { .. }) => Err(DomainError::NotFound("payment")),
            (Some(p), PaymentCommand::Refund { refund_id, .. })
                if p.refunds.iter().any(|(id, _)| id == refund_id) =>
            {
                Err(DomainError::AlreadyExists("refund"))
            }
            (Some(p), PaymentCommand::Refund { refund_id, amount }) => {
                let mut v = Validator::new();
                v.name("refund_id", refund_id, MAX_ID_CHARS);
                v.check(*amount > 0, "amount", "must be above 0");
                v.check(
                    p.refunded() + amount <= p.recorded.amount,
                    "amount",
                    format!(
                        "refunds would pass the payment's {} ({} refunded already)",
                        p.recorded.amount,
                        p.refunded()
                    ),
                );
                v.finish()?;
                Ok(vec![DomainEvent::PaymentRefunded(
                    keel_events::PaymentRefunded {
                        site_id: p.recorded.site_id,
                        workspace_id: p.recorded.workspace_id,
                        transaction_id: p.recorded.transaction_id.clone(),
                        refund_id: refund_id.trim().to_string(),
                        amount: *amount,
                    },
                )])
            }
            (None, PaymentCommand::Remove) => Err(DomainError::NotFound("payment")),
            (Some(p), PaymentCommand::Remove) if p.removed => Err(DomainError::NotFound("payment")),
            (Some(p), PaymentCommand::Remove) => {
                Ok(vec![DomainEvent::PaymentRemoved(PaymentRemoved {
                    site_id: p.recorded.site_id,
                    workspace_id: p.recorded.workspace_id,
                    transaction_id: p.recorded.transaction_id.clone(),
                })])
            }
        }
    }

    fn evolve(state: Option<Payment>, event: &DomainEvent) -> Option<Payment> {
        match event {
            DomainEvent::PaymentRecorded(r) => Some(Payment {
                recorded: r.clone(),
                removed: false,
                refunds: vec![],
            }),
            DomainEvent::PaymentRefunded(r) => state.map(|mut p| {
                p.refunds.push((r.refund_id.clone(), r.amount));
                p
            }),
            DomainEvent::PaymentRemoved(_) => state.map(|p| Payment { removed: true, ..p }),
            _ => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework;
    use chrono::TimeZone;
    use uuid::Uuid;

    type Test = TestFramework<PaymentAggregate>;

    fn site() -> Site {
        Site {
            id: SiteId(Uuid::from_u128(7)),
            workspace_id: WorkspaceId(Uuid::from_u128(1)),
            name: "Shop".into(),
            domain: "shop.example.com".into(),
            timezone: "UTC".into(),
            currency: "USD".into(),
            tracking_id: "kt_x".into(),
            deleted: false,
            funnels: vec![],
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap()
    }

    fn record(txid: &str, amount: i64, currency: &str) -> PaymentCommand {
        PaymentCommand::Record(RecordPayment {
            site_id: site().id,
            workspace_id: site().workspace_id,
            transaction_id: txid.into(),
            amount,
            currency: currency.into(),
            visitor_id: Some("v1".into()),
            customer_id: None,
            email: Some("a@b.co".into()),
            renewal: false,
            refunded: false,
            is_free_trial: false,
        })
    }

    fn recorded(txid: &str) -> DomainEvent {
        Test::given(vec![])
            .when(record(txid, 1999, "EUR"))
            .events()
            .remove(0)
    }

    #[test]
    fn visitor_events_go_to_their_visitors_stream_and_a_client_event_id_is_kept() {
        let input = EventInput {
            visitor_id: Some("v1".into()),
            url: Some("https://shop.example.com/a".into()),
            event_id: Some("client-1".into()),
            ..EventInput::default()
        };
        let (hit, at) = record_event(&site(), &input, &EdgeFacts::default(), now()).unwrap();
        let fresh = || EventId(Uuid::from_u128(99));
        let id = visitor_event_id(&hit, fresh);
        assert_eq!(id, visitor_event_id(&hit, fresh), "a resend is a duplicate");
        assert_ne!(id, fresh());
        let request = visitor_request(hit, id, at, Metadata::system()).unwrap();
        let goal = GoalInput {
            visitor_id: "v1".into(),
            name: "signup".into(),
            metadata: Map::new(),
            occurred_at: None,
        };
        let (goal, _) = record_goal(&site(), &goal, now()).unwrap();
        assert_eq!(visitor_event_id(&goal, fresh), fresh());
        let expected = StreamId::visitor(site().id, &visitor_key(site().id, "v1"));
        assert_eq!(request.stream_id, expected);
        assert_eq!(visitor_stream(&goal), Some((site().workspace_id, expected)));
        assert_eq!(request.tenant_id, site().workspace_id);
        let payment = recorded("tx_1");
        assert!(visitor_request(payment, fresh(), now(), Metadata::system()).is_none());
    }

    #[test]
    fn a_payment_is_recorded_once_with_its_visitor_key() {
        let events = Test::given(vec![])
            .when(record("tx_1", 1999, "EUR"))
            .events();
        let DomainEvent::PaymentRecorded(p) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!((p.amount, p.currency.as_str()), (1999, "EUR"));
        assert_eq!(
            p.visitor.as_deref(),
            Some(visitor_key(site().id, "v1").as_str())
        );
        Test::given(vec![recorded("tx_1")])
            .when(record("tx_1", 5, "USD"))
            .then_error(DomainError::AlreadyExists("payment"));
    }

    #[test]
    fn negative_amounts_and_unknown_currencies_are_refused_together() {
        let DomainError::Validation(fields) =
            Test::given(vec![]).when(record("tx", -1, "XXY")).error()
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["amount", "currency"]);
    }

    #[test]
    fn a_payment_is_removed_once_and_stays_taken() {
        let removed = DomainEvent::PaymentRemoved(PaymentRemoved {
            site_id: site().id,
            workspace_id: site().workspace_id,
            transaction_id: "tx_1".into(),
        });
        Test::given(vec![recorded("tx_1")])
            .when(PaymentCommand::Remove)
            .then(vec![removed.clone()]);
        Test::given(vec![recorded("tx_1"), removed.clone()])
            .when(PaymentCommand::Remove)
            .then_error(DomainError::NotFound("payment"));
        Test::given(vec![recorded("tx_1"), removed])
            .when(record("tx_1", 1, "USD"))
            .then_error(DomainError::AlreadyExists("payment"));
        Test::given(vec![])
            .when(PaymentCommand::Remove)
            .then_error(DomainError::NotFound("payment"));
    }

    #[test]
    fn a_pushed_point_is_recorded_once_and_never_under_a_built_in_name() {
        let point = |metric: &str, value: serde_json::Number| {
            RecordMetric(keel_events::MetricRecorded {
                workspace_id: site().workspace_id,
                metric_id: metric.into(),
                point_id: "p1".into(),
                value,
                unit: Some("USD".into()),
                timestamp: 1_796_620_971_000,
                metadata: serde_json::Map::new(),
            })
        };
        let ok = point("hubspot.deals", serde_json::Number::from_f64(12.5).unwrap());
        let events = TestFramework::<MetricPointAggregate>::given(vec![])
            .when(ok.clone())
            .events();
        assert_eq!(events, vec![DomainEvent::MetricRecorded(ok.0.clone())]);
        TestFramework::<MetricPointAggregate>::given(events)
            .when(ok)
            .then_error(DomainError::AlreadyExists("metric point"));
        for bad in ["visitors", "goal:signup", "Deals", ""] {
            let e = TestFramework::<MetricPointAggregate>::given(vec![])
                .when(point(bad, 1.into()))
                .error();
            assert!(matches!(e, DomainError::Validation(_)), "{bad}: {e:?}");
        }
    }

    #[test]
    fn a_refund_is_recorded_once_per_id_and_never_past_the_payment() {
        let refund = |id: &str, amount: i64| PaymentCommand::Refund {
            refund_id: id.into(),
            amount,
        };
        let refunded = |id: &str, amount: i64| {
            DomainEvent::PaymentRefunded(keel_events::PaymentRefunded {
                site_id: site().id,
                workspace_id: site().workspace_id,
                transaction_id: "tx_1".into(),
                refund_id: id.into(),
                amount,
            })
        };
        let DomainEvent::PaymentRecorded(p) = recorded("tx_1") else {
            unreachable!()
        };
        Test::given(vec![recorded("tx_1")])
            .when(refund("re_1", p.amount))
            .then(vec![refunded("re_1", p.amount)]);
        Test::given(vec![recorded("tx_1"), refunded("re_1", 1)])
            .when(refund("re_1", 1))
            .then_error(DomainError::AlreadyExists("refund"));
        let e = Test::given(vec![recorded("tx_1"), refunded("re_1", 1)])
            .when(refund("re_2", p.amount))
            .error();
        assert!(matches!(e, DomainError::Validation(_)), "{e:?}");
        Test::given(vec![])
            .when(refund("re_1", 1))
            .then_error(DomainError::NotFound("payment"));
    }

    #[test]
    fn erasing_a_person_names_their_key_once_and_is_refused_for_strangers() {
        // Given a visitor with a data key, when erased, then the key to destroy is recorded.
        let erased = erase_visitor(&site(), " v1 ", Some("k1".into()), true, false).unwrap();
        assert_eq!(
            erased,
            Some(DomainEvent::VisitorErased(keel_events::VisitorErased {
                site_id: site().id,
                workspace_id: site().workspace_id,
                visitor: visitor_key(site().id, "v1"),
                key: Some("k1".into()),
            }))
        );
        // Given an erasure already recorded and no key since, when asked again, then nothing new.
        assert_eq!(
            erase_visitor(&site(), "v1", None, true, true).unwrap(),
            None
        );
        // Given events but no key (a crash lost it, or nothing was personal), the read models
        // are still told to drop the person.
        assert!(erase_visitor(&site(), "v1", None, true, false)
            .unwrap()
            .is_some());
        // Given nothing at all of this visitor: not found. Given an empty id: refused.
        assert_eq!(
            erase_visitor(&site(), "nobody", None, false, false),
            Err(DomainError::NotFound("visitor"))
        );
        assert!(matches!(
            erase_visitor(&site(), "  ", None, false, false),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn an_event_gets_its_path_source_client_screen_and_place_at_ingestion() {
        let input = EventInput {
            visitor_id: Some("v1".into()),
            url: Some("https://shop.example.com/pricing?x=1#top".into()),
            referrer: Some("https://www.google.co.uk/search?q=keel".into()),
            user_agent: Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1".into()),
            screen_width: Some(390),
            ..EventInput::default()
        };
        let edge = EdgeFacts {
            country: Some("DE".into()),
            region: Some("Bavaria".into()),
            city: Some("Munich".into()),
            ..EdgeFacts::default()
        };
        let (e, at) = record_event(&site(), &input, &edge, now()).unwrap();
        assert_eq!(at, now());
        let h = e.hit().unwrap();
        assert_eq!(h.path.as_deref(), Some("/pricing"));
        assert_eq!(h.source.as_deref(), Some("Google"));
        assert_eq!(
            (h.device.as_deref(), h.browser.as_deref()),
            (Some("mobile"), Some("Safari"))
        );
        assert_eq!(
            (
                h.browser_version.as_deref(),
                h.os.as_deref(),
                h.os_version.as_deref(),
                h.screen.as_deref()
            ),
            (Some("17.0"), Some("iOS"), Some("17.0"), Some("Mobile"))
        );
        assert_eq!(
            (h.country.as_deref(), h.region.as_deref(), h.city.as_deref()),
            (Some("DE"), Some("Bavaria"), Some("Munich"))
        );
        assert_eq!(e.event_type(), "pageview.recorded");
    }

    #[test]
    fn bad_events_name_every_bad_field_and_bots_are_refused() {
        let input = EventInput {
            kind: Some(HitKind::Custom),
            url: Some("ftp://x".into()),
            occurred_at: Some(now() + Duration::hours(2)),
            properties: (0..31).map(|i| (format!("k{i}"), Value::from(i))).collect(),
            ..EventInput::default()
        };
        let Err(Refusal::Invalid(fields)) =
            record_event(&site(), &input, &EdgeFacts::default(), now())
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["visitor_id", "name", "url", "properties", "occurred_at"]
        );
        let bot = EventInput {
            visitor_id: Some("v".into()),
            url: Some("/".into()),
            user_agent: Some("Googlebot/2.1 (+http://www.google.com/bot.html)".into()),
            ..EventInput::default()
        };
        assert_eq!(
            record_event(&site(), &bot, &EdgeFacts::default(), now()),
            Err(Refusal::Bot)
        );
    }

    #[test]
    fn sources_come_from_utm_then_referrer_and_self_referrals_are_direct() {
        let d = "shop.example.com";
        assert_eq!(source_of(None, None, d), DIRECT);
        assert_eq!(
            source_of(Some("https://shop.example.com/a"), None, d),
            DIRECT
        );
        assert_eq!(
            source_of(Some("https://blog.shop.example.com/a"), None, d),
            DIRECT
        );
        assert_eq!(
            source_of(Some("https://news.ycombinator.com/item?id=1"), None, d),
            "Hacker News"
        );
        assert_eq!(
            source_of(Some("https://www.example.org:8443/x"), None, d),
            "example.org"
        );
        assert_eq!(
            source_of(Some("https://t.co/abc"), Some("newsletter"), d),
            "newsletter"
        );
        assert_eq!(source_of(None, Some("twitter.com"), d), "Twitter");
        assert_eq!(path_of("https://x.com"), Ok("/".into()));
        assert_eq!(path_of("/a/b?c"), Ok("/a/b".into()));
        assert!(path_of("x.com/a").is_err() && path_of("https:///a").is_err());
    }

    #[test]
    fn goal_names_and_metadata_are_checked() {
        let g = |name: &str, n: usize| GoalInput {
            visitor_id: "v1".into(),
            name: name.into(),
            metadata: (0..n)
                .map(|i| (format!("k{i}"), Value::from("x")))
                .collect(),
            occurred_at: None,
        };
        assert!(record_goal(&site(), &g("signup:pro-plan_2", 10), now()).is_ok());
        for bad in ["", "Signup", "a b", &"a".repeat(65)] {
            assert!(record_goal(&site(), &g(bad, 0), now()).is_err(), "{bad}");
        }
        assert!(record_goal(&site(), &g("ok", 11), now()).is_err());
    }

    #[test]
    fn client_event_ids_name_one_event_per_site() {
        let s = site().id;
        let other = SiteId(Uuid::from_u128(8));
        assert_eq!(
            client_event_uuid(s, "event", "e1"),
            client_event_uuid(s, "event", "e1")
        );
        assert_ne!(
            client_event_uuid(s, "event", "e1"),
            client_event_uuid(other, "event", "e1")
        );
        assert_ne!(visitor_key(s, "v"), visitor_key(other, "v"));
        assert_eq!(visitor_key(s, "v").len(), 32);
    }
}
