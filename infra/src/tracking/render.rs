//! The rendered pass: the page as headless Chromium runs it, with a fresh profile. Records
//! every request the page makes (with the script that caused it), the globals and cookies it
//! sets, its Consent Mode calls as they happen and its lab timings; then, when a consent
//! manager it recognises shows its banner, accepts it and records what fires after consent.

use super::cdp::{Browser, Event, Guard};
use super::google::SpeedScores;
use super::signatures::{Kind, Observation, Pass, Table};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How the rendered pass runs.
#[derive(Clone)]
pub struct RenderSettings {
    pub chromium_path: String,
    /// `KEEL_CHROMIUM_ARGS`: extra browser flags (a proxy, host rules in tests).
    pub extra_args: Vec<String>,
    /// When set, every request the page makes is checked against it (public addresses only).
    pub dns: Option<Arc<crate::dns::HickoryLookup>>,
    /// Longest the first load may take; consenting and reloading get the same again.
    pub timeout: Duration,
}

/// What the rendered pass saw.
#[derive(Debug, Default)]
pub struct Rendered {
    pub observations: Vec<Observation>,
    /// Whether an accept button of a recognised consent manager was found and clicked (absent:
    /// no consent manager recognised).
    pub banner_accepted: Option<bool>,
    /// The first load's own timings.
    pub lab: SpeedScores,
    /// Requests refused because they went to private addresses.
    pub refused: Vec<String>,
}

/// Installed before any of the page's scripts: notes Consent Mode calls pushed to the data
/// layer (with the time), the moment a Google tag takes the data layer over (it replaces
/// `push`), and the Core Web Vitals the browser reports.
const HOOK: &str = r#"(() => {
  if (window.__keel) return;
  const k = { consent: [], tag_at: null, lcp: null, cls: 0, tbt: 0 };
  Object.defineProperty(window, '__keel', { value: k });
  const note = (it) => {
    try {
      if (it && typeof it === 'object' && it[0] === 'consent') {
        k.consent.push({ t: Date.now(), cmd: String(it[1]), params: JSON.stringify(it[2] || {}) });
      }
    } catch (e) {}
  };
  const wrap = (arr) => {
    if (!Array.isArray(arr) || arr.__keel) return arr;
    for (const it of arr) note(it);
    let push = function (...items) { items.forEach(note); return Array.prototype.push.apply(this, items); };
    Object.defineProperty(arr, '__keel', { value: true });
    Object.defineProperty(arr, 'push', {
      configurable: true,
      get() { return push; },
      set(f) { if (k.tag_at === null) k.tag_at = Date.now(); const mine = push; push = function (...items) { items.forEach(note); return f.apply(this, items); }; void mine; },
    });
    return arr;
  };
  let dl;
  try {
    Object.defineProperty(window, 'dataLayer', { configurable: true, enumerable: true, get() { return dl; }, set(v) { dl = wrap(v); } });
  } catch (e) {}
  const observe = (type, f) => { try { new PerformanceObserver((l) => l.getEntries().forEach(f)).observe({ type, buffered: true }); } catch (e) {} };
  observe('largest-contentful-paint', (e) => { k.lcp = e.startTime; });
  observe('layout-shift', (e) => { if (!e.hadRecentInput) k.cls += e.value; });
  observe('longtask', (e) => { k.tbt += Math.max(0, e.duration - 50); });
})();"#;

/// What the page holds now: globals of the signature table it defines, Consent Mode calls,
/// executable inline scripts (a tag manager injects some) and timings.
const SNAPSHOT: &str = r#"((names) => {
  const k = window.__keel || { consent: [], tag_at: null, lcp: null, cls: 0, tbt: 0 };
  const globals = names.filter((n) => {
    try { return n.split('.').reduce((o, p) => (o == null ? undefined : o[p]), window) !== undefined; } catch (e) { return false; }
  });
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
  const scripts = Array.from(document.scripts)
    .filter((s) => !s.src && (!s.type || /^(text\/javascript|application\/javascript|module)$/i.test(s.type)))
    .map((s) => s.text.slice(0, 20000))
    .filter((t) => t.trim())
    .slice(0, 200);
  return {
    globals, consent: k.consent, tag_at: k.tag_at, scripts,
    lab: {
      fcp_ms: fcp ? fcp.startTime : null, lcp_ms: k.lcp, cls: k.cls, tbt_ms: k.tbt,
      load_ms: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    },
  };
})"#;

/// Clicks the first visible element matching one of the selectors (in the page or an open
/// shadow root) and says which.
const CLICK: &str = r#"((sels) => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const roots = [document];
  document.querySelectorAll('*').forEach((e) => { if (e.shadowRoot) roots.push(e.shadowRoot); });
  for (const sel of sels) for (const root of roots) {
    let el = null;
    try { el = root.querySelector(sel); } catch (e) { continue; }
    if (el && visible(el)) { el.click(); return sel; }
  }
  return null;
})"#;

#[derive(Debug, Default, Deserialize)]
struct Snapshot {
    #[serde(default)]
    globals: Vec<String>,
    #[serde(default)]
    consent: Vec<ConsentCall>,
    tag_at: Option<f64>,
    #[serde(default)]
    scripts: Vec<String>,
    #[serde(default)]
    lab: Lab,
}

#[derive(Debug, Clone, Deserialize)]
struct ConsentCall {
    t: f64,
    cmd: String,
    params: String,
}

#[derive(Debug, Default, Deserialize)]
struct Lab {
    fcp_ms: Option<f64>,
    lcp_ms: Option<f64>,
    cls: Option<f64>,
    tbt_ms: Option<f64>,
    load_ms: Option<f64>,
}

/// One request the page made.
#[derive(Debug)]
struct Request {
    url: String,
    initiator: Option<String>,
}

/// The script (or document) behind a request, as `Network.requestWillBeSent` tells it.
fn initiator_of(p: &Value) -> Option<String> {
    let i = &p["initiator"];
    let mut stack = Some(&i["stack"]);
    while let Some(s) = stack.filter(|s| s.is_object()) {
        if let Some(url) = s["callFrames"].as_array().and_then(|f| {
            f.iter()
                .find_map(|c| c["url"].as_str().filter(|u| !u.is_empty()))
        }) {
            return Some(url.to_string());
        }
        stack = Some(&s["parent"]);
    }
    i["url"]
        .as_str()
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

/// The session's events until `until`: requests are recorded; returns when the page has loaded
/// (if `need_load`) and made no request for `quiet`, or at `until`.
async fn settle(
    events: &mut mpsc::UnboundedReceiver<(Option<String>, Event)>,
    session: &str,
    requests: &mut Vec<Request>,
    need_load: bool,
    until: Instant,
) {
    let quiet = Duration::from_millis(700);
    let mut loaded = !need_load;
    let mut last = Instant::now();
    loop {
        let wake = if loaded {
            (last + quiet).min(until)
        } else {
            until
        };
        match tokio::time::timeout_at(wake, events.recv()).await {
            Ok(Some((s, e))) => {
                if s.as_deref() != Some(session) {
                    continue;
                }
                match e.method.as_str() {
                    "Page.loadEventFired" => {
                        loaded = true;
                        last = Instant::now();
                    }
                    "Network.requestWillBeSent" => {
                        let url = e.params["request"]["url"].as_str().unwrap_or_default();
                        if url.starts_with("http://") || url.starts_with("https://") {
                            requests.push(Request {
                                url: url.to_string(),
                                initiator: initiator_of(&e.params).filter(|i| i != url),
                            });
                        }
                        last = Instant::now();
                    }
                    _ => {}
                }
            }
            Ok(None) => return,
            Err(_) => return,
        }
    }
}

async fn snapshot(b: &Browser, session: &str, table: &Table) -> Result<Snapshot, String> {
    let names: Vec<&String> = table.trackers.iter().flat_map(|s| s.globals()).collect();
    let v = b
        .call(
            Some(session),
            "Runtime.evaluate",
            json!({
                "expression": format!("{SNAPSHOT}({})", json!(names)),
                "returnByValue": true,
            }),
            Duration::from_secs(10),
        )
        .await?;
    Ok(serde_json::from_value(v["result"]["value"].clone()).unwrap_or_default())
}

async fn cookies(b: &Browser) -> Vec<String> {
    match b
        .call(
            None,
            "Storage.getCookies",
            json!({}),
            Duration::from_secs(5),
        )
        .await
    {
        Ok(v) => v["cookies"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Observations of one phase, in the order things happened.
fn observe(
    pass: Pass,
    requests: &[Request],
    snap: &Snapshot,
    cookies: &[String],
    start: usize,
) -> Vec<Observation> {
    let mut out = Vec::new();
    let mut push = |kind: Kind, value: String, initiator: Option<String>, order: usize| {
        out.push(Observation {
            pass,
            kind,
            value,
            initiator,
            order,
            gated: false,
        })
    };
    // Consent Mode defaults in effect before a Google tag took over the data layer (or when
    // none ever did) come first; later ones after every request.
    for c in &snap.consent {
        let early = snap.tag_at.is_none_or(|t| c.t <= t);
        let order = if early { start } else { usize::MAX / 2 };
        push(
            Kind::ConsentCall,
            format!("gtag(\"consent\", \"{}\", {})", c.cmd, c.params),
            None,
            order,
        );
    }
    for (i, r) in requests.iter().enumerate() {
        push(
            Kind::Request,
            r.url.clone(),
            r.initiator.clone(),
            start + 1 + i,
        );
    }
    let after = start + 1 + requests.len();
    for (i, g) in snap.globals.iter().enumerate() {
        push(Kind::Global, g.clone(), None, after + i);
    }
    let after = after + snap.globals.len();
    for (i, c) in cookies.iter().enumerate() {
        push(Kind::Cookie, c.clone(), None, after + i);
    }
    let after = after + cookies.len();
    for (i, s) in snap.scripts.iter().enumerate() {
        push(Kind::InlineScript, s.clone(), None, after + i);
    }
    out
}

fn guard(dns: Arc<crate::dns::HickoryLookup>) -> Guard {
    Arc::new(move |url: String| {
        let dns = dns.clone();
        Box::pin(async move {
            let Ok(u) = url::Url::parse(&url) else {
                return Ok(());
            };
            match u.scheme() {
                "http" | "https" | "ws" | "wss" => {}
                // data:, blob: and the like never leave the browser.
                _ => return Ok(()),
            }
            let Some(host) = u.host_str() else {
                return Err("no host".into());
            };
            crate::webhooks::resolve_public(&dns, host)
                .await
                .map(|_| ())
        })
    })
}

/// Runs the page at `url` (already fetched by the static pass), before and after consent.
/// `static_obs` tells which consent managers the served HTML holds.
pub async fn render(
    s: &RenderSettings,
    url: &str,
    table: &Table,
    static_obs: &[Observation],
) -> Result<Rendered, String> {
    let (tx, mut events) = mpsc::unbounded_channel();
    let browser = Browser::launch(
        &s.chromium_path,
        &s.extra_args,
        s.dns.clone().map(guard),
        tx,
    )
    .await?;
    let step = Duration::from_secs(10);
    let target = browser
        .call(
            None,
            "Target.createTarget",
            json!({"url": "about:blank"}),
            step,
        )
        .await?;
    let attached = browser
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
            step,
        )
        .await?;
    let session = attached["sessionId"]
        .as_str()
        .ok_or("no session from the browser")?
        .to_string();
    let sid = Some(session.as_str());
    browser.call(sid, "Page.enable", json!({}), step).await?;
    browser.call(sid, "Network.enable", json!({}), step).await?;
    if s.dns.is_some() {
        browser
            .call(
                sid,
                "Fetch.enable",
                json!({"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}),
                step,
            )
            .await?;
    }
    browser
        .call(
            sid,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": HOOK}),
            step,
        )
        .await?;

    // Before consent.
    let deadline = Instant::now() + s.timeout;
    let nav = browser
        .call(sid, "Page.navigate", json!({"url": url}), s.timeout)
        .await?;
    if let Some(e) = nav["errorText"].as_str().filter(|e| !e.is_empty()) {
        return Err(format!("the browser could not load the page: {e}"));
    }
    let mut before = Vec::new();
    settle(&mut events, &session, &mut before, true, deadline).await;
    let snap = snapshot(&browser, &session, table).await?;
    let jar = cookies(&browser).await;
    let mut rendered = Rendered {
        lab: lab_scores(&snap.lab),
        observations: observe(Pass::Rendered, &before, &snap, &jar, 0),
        ..Rendered::default()
    };

    // The consent managers seen so far, and their accept buttons.
    let seen: Vec<&Observation> = static_obs.iter().chain(&rendered.observations).collect();
    let mut selectors: Vec<&String> = Vec::new();
    for m in &table.consent_managers {
        if seen.iter().any(|o| m.matches(o)) {
            selectors.extend(m.accept.iter());
        }
    }
    if !selectors.is_empty() {
        // Banners often appear a moment after load.
        let until = Instant::now() + Duration::from_secs(3).min(s.timeout);
        let mut clicked = false;
        loop {
            let v = browser
                .call(
                    sid,
                    "Runtime.evaluate",
                    json!({"expression": format!("{CLICK}({})", json!(selectors)), "returnByValue": true}),
                    step,
                )
                .await?;
            if v["result"]["value"].is_string() {
                clicked = true;
                break;
            }
            if Instant::now() >= until {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        rendered.banner_accepted = Some(clicked);
        if clicked {
            let start = rendered.observations.len() + before.len() + 1;
            let mut after = Vec::new();
            settle(
                &mut events,
                &session,
                &mut after,
                false,
                Instant::now() + s.timeout / 2,
            )
            .await;
            let snap_click = snapshot(&browser, &session, table).await?;
            // Then the page again, now that consent is stored.
            browser
                .call(sid, "Page.reload", json!({}), s.timeout)
                .await?;
            let mut reload = Vec::new();
            settle(
                &mut events,
                &session,
                &mut reload,
                true,
                Instant::now() + s.timeout,
            )
            .await;
            let snap_reload = snapshot(&browser, &session, table).await?;
            let jar = cookies(&browser).await;
            rendered
                .observations
                .extend(observe(Pass::Consented, &after, &snap_click, &[], start));
            let start = start + 10_000;
            rendered.observations.extend(observe(
                Pass::Consented,
                &reload,
                &snap_reload,
                &jar,
                start,
            ));
        }
    }
    rendered.refused = browser
        .refused
        .lock()
        .map(|r| r.iter().map(|(u, why)| format!("{u}: {why}")).collect())
        .unwrap_or_default();
    Ok(rendered)
}

/// Lighthouse's log-normal scoring of one metric (its `p10` and median for desktop).
fn log_normal_score(value: f64, p10: f64, median: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    const INVERSE_ERFC_ONE_FIFTH: f64 = 0.906_193_802_436_823_2;
    let x = (value / median).max(f64::MIN_POSITIVE).ln();
    let p10_log = -(p10 / median).max(f64::MIN_POSITIVE).ln();
    let standardized = x * INVERSE_ERFC_ONE_FIFTH / p10_log;
    ((1.0 - erf(standardized)) / 2.0).clamp(0.0, 1.0)
}

/// The error function (Abramowitz and Stegun 7.1.26; error below 1.5e-7).
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    sign * y
}

/// The lab timings as scores: Lighthouse 10's desktop curves and weights over the metrics a
/// single load measures (FCP, LCP, TBT, CLS; Speed Index is not measured, so its weight is
/// shared out). An estimate from one unthrottled load, not PageSpeed Insights' figure.
fn lab_scores(l: &Lab) -> SpeedScores {
    let parts = [
        (l.fcp_ms, 934.0, 1600.0, 0.10),
        (l.lcp_ms.or(l.fcp_ms), 1200.0, 2400.0, 0.25),
        (l.tbt_ms, 150.0, 350.0, 0.30),
        (l.cls, 0.1, 0.25, 0.25),
    ];
    let mut total = 0.0;
    let mut weight = 0.0;
    for (v, p10, median, w) in parts {
        if let Some(v) = v {
            total += log_normal_score(v, p10, median) * w;
            weight += w;
        }
    }
    let round = |v: f64| (v * 10.0).round() / 10.0;
    SpeedScores {
        performance: (weight > 0.0).then(|| (total / weight * 100.0).round()),
        lcp_ms: l.lcp_ms.or(l.fcp_ms).map(round),
        cls: l.cls.map(|c| (c * 1000.0).round() / 1000.0),
        fcp_ms: l.fcp_ms.map(round),
        tbt_ms: l.tbt_ms.map(round),
        load_ms: l.load_ms.map(round),
        ..SpeedScores::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lighthouse_curves_score_the_median_at_half_and_p10_at_nine_tenths() {
        assert!((log_normal_score(2400.0, 1200.0, 2400.0) - 0.5).abs() < 1e-6);
        assert!((log_normal_score(1200.0, 1200.0, 2400.0) - 0.9).abs() < 1e-3);
        assert_eq!(log_normal_score(0.0, 1200.0, 2400.0), 1.0);
        assert!(log_normal_score(20_000.0, 1200.0, 2400.0) < 0.01);
    }

    #[test]
    fn a_fast_page_scores_high_and_a_slow_one_low() {
        let fast = lab_scores(&Lab {
            fcp_ms: Some(300.0),
            lcp_ms: Some(400.0),
            cls: Some(0.0),
            tbt_ms: Some(0.0),
            load_ms: Some(500.0),
        });
        assert!(fast.performance.unwrap() >= 95.0, "{fast:?}");
        let slow = lab_scores(&Lab {
            fcp_ms: Some(4000.0),
            lcp_ms: Some(9000.0),
            cls: Some(0.4),
            tbt_ms: Some(1200.0),
            load_ms: Some(9500.0),
        });
        assert!(slow.performance.unwrap() < 20.0, "{slow:?}");
        assert_eq!(lab_scores(&Lab::default()).performance, None);
    }

    #[test]
    fn a_request_is_tied_to_the_script_on_its_stack_else_to_the_document() {
        let p = json!({"initiator": {"type": "script", "stack": {"callFrames": [],
            "parent": {"callFrames": [{"url": "https://eshop.cz/gtm.js"}]}}}});
        assert_eq!(initiator_of(&p).as_deref(), Some("https://eshop.cz/gtm.js"));
        let p = json!({"initiator": {"type": "parser", "url": "https://eshop.cz/"}});
        assert_eq!(initiator_of(&p).as_deref(), Some("https://eshop.cz/"));
        assert_eq!(initiator_of(&json!({"initiator": {"type": "other"}})), None);
    }

    #[tokio::test]
    async fn the_browser_may_reach_public_addresses_only() {
        let dns = Arc::new(
            crate::dns::HickoryLookup::new(&["127.0.0.1:9".into()], Duration::from_millis(300))
                .unwrap(),
        );
        let g = guard(dns);
        let refused = g("http://169.254.169.254/latest/meta-data".into())
            .await
            .unwrap_err();
        assert!(refused.contains("169.254.169.254"), "{refused}");
        assert!(g("http://[::1]:8080/".into()).await.is_err());
        assert!(g("http://10.0.0.1/pixel.gif".into()).await.is_err());
        assert!(g("ws://127.0.0.1:9222/devtools".into()).await.is_err());
        assert_eq!(g("https://93.184.216.34/".into()).await, Ok(()));
        assert_eq!(g("data:text/plain,hi".into()).await, Ok(()));
        // A name the guard cannot resolve is refused: the browser might resolve it elsewhere.
        assert!(g("http://tracker.invalid/x.js".into()).await.is_err());
    }

    #[test]
    fn consent_defaults_count_as_early_only_before_a_google_tag_took_over() {
        let snap = |tag_at| Snapshot {
            consent: vec![ConsentCall {
                t: 100.0,
                cmd: "default".into(),
                params: r#"{"ad_storage":"denied"}"#.into(),
            }],
            tag_at,
            ..Snapshot::default()
        };
        let req = [Request {
            url: "https://www.googletagmanager.com/gtag/js?id=G-X".into(),
            initiator: None,
        }];
        let early = observe(Pass::Rendered, &req, &snap(Some(150.0)), &[], 0);
        assert_eq!(early[0].kind, Kind::ConsentCall);
        assert!(early[0].order < early[1].order);
        assert_eq!(
            early[0].value,
            r#"gtag("consent", "default", {"ad_storage":"denied"})"#
        );
        let late = observe(Pass::Rendered, &req, &snap(Some(50.0)), &[], 0);
        assert!(late[0].order > late[1].order);
        let never = observe(Pass::Rendered, &req, &snap(None), &[], 0);
        assert!(never[0].order < never[1].order);
    }
}
