//! The Tracking Checker and SEO reports end to end. A fixture site served here has pages with
//! known tags, a consent manager with and without Consent Mode defaults, a tag manager, SEO
//! defects, and pages that fail in each way a fetch can; the same server answers PageSpeed
//! Insights and Gemini in those APIs' documented shapes (and with their errors for a bad key
//! and an exhausted quota).

#![allow(clippy::unwrap_used)]

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use keel_tests::{on_every_backend, spawn_app_with, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SHOP: &str = r#"<!doctype html>
<html lang="cs"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Boty pro všechny | Eshop</title>
<meta name="description" content="Boty, které vydrží.">
<link rel="canonical" href="{base}/shop">
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied',
    'ad_user_data': 'denied', 'ad_personalization': 'denied', 'wait_for_update': 500});
</script>
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="0a1b2c3d-0000-4000-8000-123456789abc" type="text/javascript"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-SHOP1234"></script>
<script>gtag('js', new Date()); gtag('config', 'G-SHOP1234');</script>
<script type="text/plain" data-cookieconsent="marketing">
  !function(f,b,e,v,n,t,s){n=f.fbq=function(){};t=b.createElement(e);t.src=v;}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');
  fbq('init', '123456789012345'); fbq('track', 'PageView');
</script>
<script type="text/plain" data-cookieconsent="marketing">var seznam_retargeting_id = 98765;</script>
<script type="text/plain" data-cookieconsent="marketing" src="https://c.seznam.cz/js/rc.js"></script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization", "name": "Eshop"}</script>
</head><body><h1>Boty</h1><img src="/logo.png" alt="Eshop"></body></html>"#;

const BAD: &str = r#"<!doctype html>
<html><head>
<meta name="robots" content="noindex, nofollow">
<link rel="alternate" hreflang="czech" href="https://eshop.example/cs/">
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});
var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;
j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-BAD123');</script>
<script>gtag('consent', 'default', {'ad_storage': 'denied', 'analytics_storage': 'denied'});</script>
<script>(function(h,o,t,j,a,r){h._hjSettings={hjid:3456789,hjsv:6};})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>
<script type="application/ld+json">{"@type": "Product", "name": </script>
</head><body><h1>One</h1><h1>Two</h1><img class="hero-image" src="/hero.jpg"></body></html>"#;

fn evolving(n: usize) -> String {
    let tags = if n == 0 {
        r#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-EVOLVE01"></script>
           <script src="https://static.hotjar.com/c/hotjar-111111.js?sv=6"></script>"#
    } else {
        r#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-EVOLVE02"></script>
           <script>fbq('init', '555555555555555');</script>"#
    };
    let img = if n == 0 {
        r#"<img class="banner" src="/b.png">"#
    } else {
        r#"<img class="banner" src="/b.png" alt="Banner">"#
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
        <title>Evolving</title><meta name="description" content="d"><link rel="canonical" href="{{base}}/evolving">
        {tags}</head><body><h1>E</h1>{img}</body></html>"#
    )
}

/// A page whose tags come from a tag manager script (none is in its HTML) behind a consent
/// banner of Cookiebot's markup; `{defaults}` is a Consent Mode v2 default or nothing.
const RENDERED: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rendered</title>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}{defaults}</script>
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="0a1b2c3d-0000-4000-8000-123456789abc"></script>
<script src="/cmp.js"></script>
<script src="/tm.js?id=FIXTURE"></script>
</head><body><h1>Rendered</h1><p>Tags by a tag manager.</p></body></html>"#;

const CONSENT_DEFAULTS: &str = "gtag('consent', 'default', {'ad_storage': 'denied', \
    'analytics_storage': 'denied', 'ad_user_data': 'denied', 'ad_personalization': 'denied'});";

/// The consent banner: Cookiebot's accept button; accepting stores a cookie, updates Consent
/// Mode and tells the tag manager.
const CMP_JS: &str = r#"(function () {
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  if (document.cookie.indexOf('CookieConsent=all') >= 0) return;
  document.addEventListener('DOMContentLoaded', function () {
    var d = document.createElement('div');
    d.id = 'CybotCookiebotDialog';
    d.innerHTML = '<p>We use cookies.</p><button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll">Allow all</button>';
    document.body.appendChild(d);
    d.querySelector('button').addEventListener('click', function () {
      document.cookie = 'CookieConsent=all; path=/';
      d.remove();
      gtag('consent', 'update', {'ad_storage': 'granted', 'analytics_storage': 'granted',
        'ad_user_data': 'granted', 'ad_personalization': 'granted'});
      window.dispatchEvent(new Event('fixture-consent'));
    });
  });
})();"#;

/// The tag manager: GA4 and Hotjar at once (Hotjar before consent is the page's defect), the
/// Meta Pixel only after consent.
const TM_JS: &str = r#"(function () {
  function add(src) { var s = document.createElement('script'); s.async = true; s.src = src; document.head.appendChild(s); }
  function inline(text) { var s = document.createElement('script'); s.text = text; document.head.appendChild(s); }
  add('https://www.googletagmanager.com/gtag/js?id=G-RENDER123');
  add('https://static.hotjar.com/c/hotjar-1234567.js?sv=6');
  function marketing() {
    inline("window.fbq = window.fbq || function () {}; fbq('init', '555000111222333'); fbq('track', 'PageView');");
    add('https://connect.facebook.net/en_US/fbevents.js');
  }
  if (document.cookie.indexOf('CookieConsent=all') >= 0) marketing();
  else window.addEventListener('fixture-consent', marketing);
})();"#;

/// What the fixture server saw of the Google APIs.
#[derive(Clone, Default)]
struct Fixture {
    port: u16,
    evolving: Arc<AtomicUsize>,
    gemini_prompts: Arc<Mutex<Vec<String>>>,
    pagespeed_calls: Arc<Mutex<Vec<String>>>,
}

fn google_error(status: u16, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({
        "error": {"code": status, "message": message, "status": code}
    }))
}

fn key_error(key: &str) -> Option<HttpResponse> {
    match key {
        "bad" => Some(google_error(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
        )),
        "quota" => Some(google_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per day'.",
        )),
        _ => None,
    }
}

async fn pagespeed(req: HttpRequest, f: web::Data<Fixture>) -> HttpResponse {
    let q: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    f.pagespeed_calls
        .lock()
        .unwrap()
        .push(format!("{} {}", get("strategy"), get("url")));
    if let Some(e) = key_error(&get("key")) {
        return e;
    }
    let mobile = get("strategy") == "mobile";
    HttpResponse::Ok().json(json!({
        "id": get("url"),
        "loadingExperience": {"metrics": {"INTERACTION_TO_NEXT_PAINT": {"percentile": 240, "category": "AVERAGE"}}},
        "lighthouseResult": {
            "categories": {
                "performance": {"score": if mobile { 0.42 } else { 0.91 }},
                "accessibility": {"score": 0.88},
                "best-practices": {"score": 0.96},
                "seo": {"score": 0.75}
            },
            "audits": {
                "largest-contentful-paint": {"numericValue": if mobile { 4812.3 } else { 1900.0 }},
                "cumulative-layout-shift": {"numericValue": 0.0512},
                "first-contentful-paint": {"numericValue": 2100.4},
                "total-blocking-time": {"numericValue": 350.0}
            }
        }
    }))
}

async fn gemini(req: HttpRequest, body: web::Json<Value>, f: web::Data<Fixture>) -> HttpResponse {
    let key = req
        .headers()
        .get("x-goog-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if let Some(e) = key_error(&key) {
        return e;
    }
    let prompt = body["contents"][0]["parts"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    f.gemini_prompts.lock().unwrap().push(prompt);
    HttpResponse::Ok().json(json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": "Na webu běží Google Analytics 4 a Meta Pixel až po souhlasu."}]},
            "finishReason": "STOP"}],
        "modelVersion": "gemini-2.5-flash"
    }))
}

async fn page(req: HttpRequest, f: web::Data<Fixture>) -> HttpResponse {
    let html = |body: String| {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body)
    };
    match req.path() {
        "/shop" => html(SHOP.replace("{base}", &f.url(""))),
        "/bad" => HttpResponse::Ok()
            .content_type("text/html")
            .insert_header(("X-Robots-Tag", "noarchive"))
            .body(BAD),
        "/evolving" => {
            html(evolving(f.evolving.load(Ordering::SeqCst)).replace("{base}", &f.url("")))
        }
        "/old-shop" => HttpResponse::Found()
            .insert_header(("Location", "/shop"))
            .finish(),
        "/loop" => HttpResponse::Found()
            .insert_header(("Location", "/loop"))
            .finish(),
        "/rendered" => html(RENDERED.replace("{defaults}", CONSENT_DEFAULTS)),
        "/rendered-plain" => html(RENDERED.replace("{defaults}", "")),
        "/cmp.js" => HttpResponse::Ok()
            .content_type("application/javascript")
            .body(CMP_JS),
        "/tm.js" => HttpResponse::Ok()
            .content_type("application/javascript")
            .body(TM_JS),
        "/logo.png" => HttpResponse::Ok()
            .content_type("image/png")
            .body(vec![0x89, b'P', b'N', b'G']),
        "/big" => html(format!("<html>{}</html>", "x".repeat(200_000))),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            html("<html></html>".into())
        }
        _ => HttpResponse::NotFound().body("no such page"),
    }
}

async fn start_fixture() -> Fixture {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let f = Fixture {
        port: listener.local_addr().unwrap().port(),
        ..Fixture::default()
    };
    let data = web::Data::new(f.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/pagespeedonline/v5/runPagespeed", web::get().to(pagespeed))
            .route(
                "/v1beta/models/{model}:generateContent",
                web::post().to(gemini),
            )
            .default_service(web::get().to(page))
    })
    .workers(2)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    f
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

async fn app_for(b: Backend, f: &Fixture, keys: Option<&str>) -> TestApp {
    let base = f.url("");
    let keys = keys.map(str::to_string);
    spawn_app_with(b, move |c| {
        c.tracking.allow_private = true;
        c.tracking.timeout_ms = 2_000;
        c.tracking.max_bytes = 100_000;
        c.tracking.wait_ms = 15_000;
        if let Some(k) = keys {
            c.tracking.pagespeed_api_key = Some(k.clone());
            c.tracking.pagespeed_url = base.clone();
            c.tracking.gemini_api_key = Some(k);
            c.tracking.gemini_url = base;
        }
    })
    .await
}

/// A scan as a client makes one: the answer, or (when the scan outlasts the request's wait, as
/// it may on a loaded machine) the scan polled at its `Location` until it is done.
async fn scan(app: &TestApp, key: &str, body: Value) -> keel_tests::Resp {
    let r = app
        .post("/api/v1/tracking-checker/scan/")
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .json(body)
        .send()
        .await;
    if r.status != StatusCode::ACCEPTED {
        return r;
    }
    let location = r.header("Location").unwrap();
    let request_id = r.body["api_meta"]["request_id"].clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let mut p = app
            .get(&location)
            .no_token()
            .header("Authorization", &format!("ApiKey {key}"))
            .send()
            .await;
        if p.body["data"]["status"] != "queued" || tokio::time::Instant::now() > deadline {
            // The scan as the first answer would have carried it.
            p.body["api_meta"]["request_id"] = request_id;
            p.headers.insert(
                "X-Request-ID",
                r.header("X-Request-ID").unwrap().parse().unwrap(),
            );
            return p;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

fn tracker<'a>(scan: &'a Value, id: &str) -> &'a Value {
    scan["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {}", scan["trackers"]))
}

async fn a_scan_finds_known_tags_consent_and_seo_defects(b: Backend) {
    let f = start_fixture().await;
    let app = app_for(b, &f, None).await;
    let ws = app.create_workspace("Agency", "agency").await;
    let (_, key, _) = app
        .create_key(&ws, "partner", &["tracking_checker:write", "seo:read"])
        .await;

    // The shop: tags inline and by URL, Cookiebot, Consent Mode v2 before the first tag, and
    // marketing tags held back for consent.
    let r = scan(
        &app,
        &key,
        json!({"url": f.url("/old-shop"), "ai_summary": true, "pagespeed": true, "language": "cs",
               "monthly_visitors": 40000, "monthly_revenue": 2000000, "currency": "czk"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["api_meta"]["request_id"].as_str(),
        r.header("X-Request-ID").as_deref()
    );
    let s = &r.body["data"];
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(s["url"], f.url("/old-shop"));
    assert_eq!(s["final_url"], f.url("/shop"));
    assert_eq!(s["page"]["redirected"], true);
    assert_eq!(s["passes"]["static"], true);
    assert_eq!(s["passes"]["rendered"], false);
    assert!(s["passes"]["note"]
        .as_str()
        .unwrap()
        .contains("KEEL_CHROMIUM_PATH"));
    assert_eq!(
        ids(&s["trackers"]),
        ["ga4", "meta_pixel", "seznam_sklik"],
        "{}",
        s["trackers"]
    );
    assert_eq!(tracker(s, "ga4")["ids"], json!(["G-SHOP1234"]));
    assert_eq!(tracker(s, "meta_pixel")["ids"], json!(["123456789012345"]));
    assert_eq!(tracker(s, "seznam_sklik")["ids"], json!(["98765"]));
    // Held back by Cookiebot: known not to load before consent; GA4 (Consent Mode) unknown
    // from the static pass alone.
    assert_eq!(tracker(s, "meta_pixel")["before_consent"], false);
    assert_eq!(tracker(s, "seznam_sklik")["before_consent"], false);
    assert!(tracker(s, "ga4").get("before_consent").is_none());
    assert_eq!(ids(&s["consent"]["managers"]), ["cookiebot"]);
    assert_eq!(
        s["consent"]["managers"][0]["ids"],
        json!(["0a1b2c3d-0000-4000-8000-123456789abc"])
    );
    let mode = &s["consent"]["consent_mode"];
    assert_eq!(
        (&mode["default_set"], &mode["v2"], &mode["before_first_tag"]),
        (&json!(true), &json!(true), &json!(true))
    );
    assert_eq!(mode["defaults"]["ad_user_data"], "denied");
    assert_eq!(s["seo"]["issues"], json!([]), "{}", s["seo"]);
    assert_eq!(s["pagespeed"]["source"], "none");
    assert_eq!(s["ai_summary"]["source"], "template");
    assert_eq!(s["ai_summary"]["language"], "cs");
    let text = s["ai_summary"]["text"].as_str().unwrap();
    assert!(
        text.contains("Google Analytics 4") && text.contains("Cookiebot"),
        "{text}"
    );
    let loss = &s["loss_estimate"];
    let factors: Vec<_> = ids(&loss["factors"]);
    assert_eq!(factors, ["consent_declined_modelled", "client_side_only"]);
    assert_eq!(loss["not_evaluated"], json!(["speed"]));
    assert_eq!(loss["monthly_revenue_unmeasured"]["currency"], "CZK");
    assert!(s.get("changes").is_none());

    // The defects page: no consent manager (everything loads before consent), GTM with
    // Consent Mode defaults only after it (and not v2), Hotjar, and every SEO defect.
    let r = scan(&app, &key, json!({"url": f.url("/bad"), "language": "de"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let s = &r.body["data"];
    assert_eq!(ids(&s["trackers"]), ["google_tag_manager", "hotjar"]);
    assert_eq!(
        tracker(s, "google_tag_manager")["ids"],
        json!(["GTM-BAD123"])
    );
    assert_eq!(tracker(s, "hotjar")["ids"], json!(["3456789"]));
    assert_eq!(
        s["consent"]["trackers_before_consent"],
        json!(["google_tag_manager", "hotjar"])
    );
    let mode = &s["consent"]["consent_mode"];
    assert_eq!(
        (&mode["default_set"], &mode["v2"], &mode["before_first_tag"]),
        (&json!(true), &json!(false), &json!(false))
    );
    let types: Vec<_> = s["seo"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "missing_title",
            "missing_meta_description",
            "missing_canonical",
            "multiple_h1",
            "missing_alt",
            "missing_lang",
            "missing_viewport",
            "noindex",
            "hreflang_invalid",
            "structured_data_invalid"
        ]
    );
    assert!(s["ai_summary"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Auf http://127.0.0.1"));
    assert_eq!(
        ids(&s["loss_estimate"]["factors"]),
        ["no_consent_manager", "client_side_only"]
    );

    // The scan's SEO report is the workspace's, listed with the documented fields (the report
    // and the scan are different streams: on Kafka they may be projected in either order).
    let path = format!("/api/v1/seo/issues/{ws}");
    let r = app
        .eventually(&path, Some(&ws), |r| {
            r.body["data"].as_array().is_some_and(|d| d.len() == 10)
        })
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 10, "{r:?}");
    let alt = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["issue_type"] == "missing_alt")
        .unwrap();
    for field in [
        "id",
        "url",
        "issue_type",
        "severity",
        "details",
        "created_at",
    ] {
        assert!(alt.get(field).is_some(), "{field} in {alt}");
    }
    assert_eq!(alt["element"], "img.hero-image");
    assert_eq!(alt["url"], f.url("/bad"));
    let r = app
        .get(&format!("/api/v1/seo/issues/{ws}?severity=error"))
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .send()
        .await;
    let errors: Vec<_> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["issue_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    // Another workspace's issues are not found.
    let other = app.create_workspace("Other", "pro").await;
    let r = app
        .get(&format!("/api/v1/seo/issues/{other}"))
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    // Past scans: listed newest first with their trackers, each readable whole.
    let r = app
        .get("/api/v1/tracking-checker/scans")
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let rows = r.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["tracker_ids"],
        json!(["google_tag_manager", "hotjar"])
    );
    let one = app
        .get(&format!(
            "/api/v1/tracking-checker/scans/{}",
            rows[1]["id"].as_str().unwrap()
        ))
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .send()
        .await;
    assert_eq!(one.body["data"]["final_url"], f.url("/shop"));
    assert_eq!(ids(&one.body["data"]["trackers"]).len(), 3);
    app.stop().await;
}

async fn a_rescan_reports_what_changed_and_resolves_fixed_seo_issues(b: Backend) {
    let f = start_fixture().await;
    let app = app_for(b, &f, None).await;
    let ws = app.create_workspace("Shop", "pro").await;
    let (_, key, _) = app
        .create_key(&ws, "k", &["tracking_checker:write", "seo:read"])
        .await;
    let first = scan(&app, &key, json!({"url": f.url("/evolving")})).await;
    assert_eq!(first.body["data"]["status"], "completed", "{first:?}");
    f.evolving.store(1, Ordering::SeqCst);
    let r = scan(&app, &key, json!({"url": f.url("/evolving")})).await;
    let c = &r.body["data"]["changes"];
    assert_eq!(c["previous_scan_id"], first.body["data"]["id"]);
    assert_eq!(c["added"], json!(["meta_pixel"]));
    assert_eq!(c["removed"], json!(["hotjar"]));
    assert_eq!(
        c["ids_added"],
        json!(["ga4:G-EVOLVE02", "meta_pixel:555555555555555"])
    );
    assert_eq!(c["ids_removed"], json!(["ga4:G-EVOLVE01", "hotjar:111111"]));
    // The banner got its alt text: the issue is resolved, with its history.
    let r = app
        .eventually(
            &format!("/api/v1/seo/issues/{ws}?status=all"),
            Some(&ws),
            |r| r.body["data"][0]["status"] == "resolved",
        )
        .await;
    let rows = r.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{r:?}");
    assert_eq!(rows[0]["status"], "resolved");
    let r = app
        .get(&format!(
            "/api/v1/seo/issues/{ws}/{}",
            rows[0]["id"].as_str().unwrap()
        ))
        .no_token()
        .header("Authorization", &format!("ApiKey {key}"))
        .send()
        .await;
    let kinds: Vec<_> = r.body["data"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "resolved"]);
    app.stop().await;
}

async fn seo_reports_open_dedupe_and_resolve_issues(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let ws = app.create_workspace("Core", "pro").await;
    let (_, writer, _) = app.create_key(&ws, "w", &["seo:write"]).await;
    let (_, reader, _) = app.create_key(&ws, "r", &["seo:read"]).await;
    let report = json!({
        "url": "https://example.com/page",
        "scores": {"performance": 85, "accessibility": 92, "best_practices": 88, "seo": 95},
        "issues": [
            {"type": "missing_alt", "severity": "warning", "element": "img.hero-image"},
            {"type": "missing_alt", "severity": "warning", "element": "img.hero-image"},
            {"type": "thin_content", "severity": "notice", "details": {"words": 120}}
        ]
    });
    let r = app
        .post("/api/v1/seo/report")
        .token(&writer)
        .json(report)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["issues"], 2);
    assert_eq!(r.body["data"]["opened"].as_array().unwrap().len(), 2);
    let pos = r.position();
    // A reader cannot write; the writer's report is readable.
    let r = app
        .post("/api/v1/seo/report")
        .token(&reader)
        .json(json!({"url": "https://example.com/"}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app
        .get(&format!("/api/v1/seo/issues/{ws}?min_position={pos}"))
        .token(&reader)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["meta"]["total_count"], 2, "{r:?}");
    // The same page again, alt text fixed and severity of the other raised: one resolved, none
    // opened, the other's severity follows.
    let r = app
        .post("/api/v1/seo/report")
        .token(&writer)
        .json(json!({"url": "https://example.com/page",
            "issues": [{"type": "thin_content", "severity": "warning", "details": {"words": 90}}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["data"]["opened"], json!([]));
    assert_eq!(r.body["data"]["resolved"].as_array().unwrap().len(), 1);
    let pos = r.position();
    let r = app
        .get(&format!("/api/v1/seo/issues/{ws}?min_position={pos}"))
        .token(&reader)
        .send()
        .await;
    let open = r.body["data"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0]["issue_type"].as_str(), open[0]["severity"].as_str()),
        (Some("thin_content"), Some("warning"))
    );
    assert_eq!(open[0]["details"]["words"], 90);
    let r = app
        .get(&format!(
            "/api/v1/seo/issues/{ws}?status=resolved&type=missing_alt&url=https://example.com/page"
        ))
        .token(&reader)
        .send()
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1, "{r:?}");
    // Bad input names each field; nothing is recorded.
    let r = app
        .post("/api/v1/seo/report")
        .token(&writer)
        .json(json!({"url": "example", "scores": {"seo": 101},
            "issues": [{"type": "x", "severity": "fatal"}]}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let fields: Vec<_> = r.body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["scores.seo", "issues[0].severity"]);
    app.stop().await;
}

/// With a browser, the rendered pass finds what a tag manager injects (with the script that
/// did), accepts the consent banner and tells what fires only after consent; Consent Mode is
/// read as the page ran it, and speed comes from the browser's own timings.
async fn the_rendered_pass_finds_injected_tags_and_what_fires_after_consent(b: Backend) {
    let f = start_fixture().await;
    let app = spawn_app_with(b, |c| {
        c.tracking.allow_private = true;
        c.tracking.timeout_ms = 10_000;
        c.tracking.wait_ms = 30_000;
        c.tracking.chromium_path = Some("chromium".into());
        // Hermetic: every name but the fixture's fails at once.
        c.tracking.chromium_args =
            r#"--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1""#.into();
    })
    .await;
    let ws = app.create_workspace("Agency", "agency").await;
    let (_, key, _) = app
        .create_key(&ws, "partner", &["tracking_checker:write"])
        .await;
    let r = scan(
        &app,
        &key,
        json!({"url": f.url("/rendered"), "ai_summary": false, "pagespeed": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let s = &r.body["data"];
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(
        s["passes"],
        json!({"static": true, "rendered": true}),
        "{}",
        s["passes"]
    );
    assert_eq!(
        ids(&s["trackers"]),
        ["ga4", "meta_pixel", "hotjar"],
        "{}",
        s["trackers"]
    );
    // Injected by the tag manager: only the browser saw it, and tells which script asked.
    let ga4 = tracker(s, "ga4");
    assert_eq!(ga4["ids"], json!(["G-RENDER123"]));
    assert_eq!(ga4["found_in"], json!(["rendered", "consented"]), "{ga4}");
    assert_eq!(ga4["before_consent"], true);
    assert_eq!(ga4["evidence"][0]["kind"], "request");
    assert_eq!(
        ga4["evidence"][0]["initiator"],
        f.url("/tm.js?id=FIXTURE"),
        "{ga4}"
    );
    let hotjar = tracker(s, "hotjar");
    assert_eq!(hotjar["ids"], json!(["1234567"]));
    assert_eq!(hotjar["before_consent"], true);
    // The Meta Pixel waits for consent.
    let meta = tracker(s, "meta_pixel");
    assert_eq!(meta["found_in"], json!(["consented"]), "{meta}");
    assert_eq!(meta["before_consent"], false);
    assert_eq!(meta["ids"], json!(["555000111222333"]));
    let c = &s["consent"];
    assert_eq!(ids(&c["managers"]), ["cookiebot"]);
    assert_eq!(c["banner_accepted"], true, "{c}");
    assert_eq!(c["trackers_before_consent"], json!(["ga4", "hotjar"]));
    let m = &c["consent_mode"];
    assert_eq!(
        (
            &m["default_set"],
            &m["v2"],
            &m["before_first_tag"],
            &m["update_seen"]
        ),
        (&json!(true), &json!(true), &json!(true), &json!(true)),
        "{m}"
    );
    assert_eq!(m["defaults"]["ad_user_data"], "denied");
    // No PageSpeed key: the browser's own timings, labelled as such.
    let p = &s["pagespeed"];
    assert_eq!(p["source"], "lab", "{p}");
    assert!(p["note"].as_str().unwrap().contains("lab timings"));
    let perf = p["desktop"]["performance"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&perf), "{p}");
    assert!(p["desktop"]["fcp_ms"].as_f64().unwrap() > 0.0, "{p}");
    assert_eq!(s["seo"]["scores"]["performance"].as_f64(), Some(perf));

    // The same banner without Consent Mode defaults: the Google tag goes first.
    let r = scan(
        &app,
        &key,
        json!({"url": f.url("/rendered-plain"), "ai_summary": false, "pagespeed": false}),
    )
    .await;
    let s = &r.body["data"];
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(s["passes"]["rendered"], true);
    let m = &s["consent"]["consent_mode"];
    assert_eq!(m["default_set"], false, "{m}");
    assert_eq!(m["before_first_tag"], false, "{m}");
    assert_eq!(s["consent"]["banner_accepted"], true);
    assert_eq!(s["pagespeed"]["source"], "not_requested");
}

on_every_backend!(
    the_rendered_pass_finds_injected_tags_and_what_fires_after_consent,
    a_scan_finds_known_tags_consent_and_seo_defects,
    a_rescan_reports_what_changed_and_resolves_fixed_seo_issues,
    seo_reports_open_dedupe_and_resolve_issues
);

/// Each way a fetch can fail is its own clear error; the scan is recorded as failed.
#[tokio::test]
async fn a_page_that_cannot_be_scanned_fails_with_a_clear_code() {
    let f = start_fixture().await;
    let app = app_for(Backend::Embedded, &f, None).await;
    let ws = app.create_workspace("W", "pro").await;
    let (_, key, _) = app.create_key(&ws, "k", &["tracking_checker:write"]).await;
    for (path, code) in [
        ("/logo.png", "not_html"),
        ("/nothing-here", "http_status"),
        ("/big", "too_large"),
        ("/slow", "timeout"),
        ("/loop", "too_many_redirects"),
    ] {
        let r = scan(&app, &key, json!({"url": f.url(path), "pagespeed": false})).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {r:?}");
        assert_eq!(r.body["data"]["status"], "failed", "{path}: {r:?}");
        assert_eq!(r.body["data"]["error"]["code"], code, "{path}: {r:?}");
        assert!(!r.body["data"]["error"]["message"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let r = scan(&app, &key, json!({"url": "https://no-such-host.invalid/"})).await;
    assert_eq!(r.body["data"]["error"]["code"], "dns", "{r:?}");
    // Bad input is refused before anything is recorded.
    let r = scan(
        &app,
        &key,
        json!({"url": "ftp://eshop.cz", "language": "Czech"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    app.stop().await;
}

/// Without `KEEL_SCANNER_ALLOW_PRIVATE`, private targets are refused, by literal address and by
/// a name that resolves to one.
#[tokio::test]
async fn private_targets_are_refused() {
    let f = start_fixture().await;
    let app = spawn_app_with(Backend::Embedded, |c| c.tracking.timeout_ms = 3_000).await;
    let ws = app.create_workspace("W", "pro").await;
    let (_, key, _) = app.create_key(&ws, "k", &["tracking_checker:write"]).await;
    for url in [
        f.url("/shop"),
        format!("http://localhost:{}/shop", f.port),
        "http://[::1]/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let r = scan(&app, &key, json!({"url": url, "pagespeed": false})).await;
        assert_eq!(r.body["data"]["status"], "failed", "{url}: {r:?}");
        assert_eq!(
            r.body["data"]["error"]["code"], "refused_target",
            "{url}: {r:?}"
        );
    }
    app.stop().await;
}

/// 60 scans an hour per workspace, exactly, under concurrency: the rest are 429 with the
/// entitlement's error and when to retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_61st_scan_in_an_hour_is_refused() {
    let f = start_fixture().await;
    // Mid-hour on the app's clock: the requests never straddle two hours.
    let now = chrono::Utc::now();
    let mid = now - chrono::Duration::seconds(now.timestamp().rem_euclid(3600))
        + chrono::Duration::minutes(30);
    let app = spawn_app_with(Backend::Embedded, move |c| {
        c.tracking.allow_private = true;
        c.tracking.timeout_ms = 2_000;
        c.clock = keel_infra::clock::Clock::manual(mid);
    })
    .await;
    let ws = app.create_workspace("W", "pro").await;
    let (_, key, _) = app.create_key(&ws, "k", &["tracking_checker:write"]).await;
    let url = f.url("/shop");
    let calls = (0..70).map(|_| {
        app.post("/api/v1/tracking-checker/scan")
            .no_token()
            .header("Authorization", &format!("ApiKey {key}"))
            .header("Prefer", "respond-async")
            .json(json!({"url": url, "pagespeed": false, "ai_summary": false}))
            .send()
    });
    let answers = futures::future::join_all(calls).await;
    // 202, or 200 when the worker finished before the answer was written.
    let accepted = answers
        .iter()
        .filter(|r| r.status == StatusCode::ACCEPTED || r.status == StatusCode::OK)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        (accepted, refused.len()),
        (60, 10),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let r = refused[0];
    assert_eq!(r.code(), "feature_limit_reached");
    assert_eq!(
        r.body["error"]["details"]["feature"],
        "tracking_checker_api_hourly"
    );
    assert_eq!(r.body["error"]["details"]["limit"], 60);
    let wait: i64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    app.stop().await;
}

/// PageSpeed Insights and Gemini when configured; their errors (a bad key, a spent quota) are
/// reported and the scan stands on the template.
#[tokio::test]
async fn pagespeed_and_gemini_are_used_when_configured_and_their_errors_reported() {
    let f = start_fixture().await;
    let app = app_for(Backend::Embedded, &f, Some("good-key")).await;
    let ws = app.create_workspace("W", "pro").await;
    let (_, key, _) = app.create_key(&ws, "k", &["tracking_checker:write"]).await;
    let r = scan(&app, &key, json!({"url": f.url("/shop"), "language": "cs"})).await;
    let s = &r.body["data"];
    assert_eq!(s["status"], "completed", "{r:?}");
    let ps = &s["pagespeed"];
    assert_eq!(ps["source"], "pagespeed_insights", "{ps}");
    assert_eq!(ps["mobile"]["performance"], 42.0);
    assert_eq!(ps["desktop"]["performance"], 91.0);
    assert_eq!(ps["mobile"]["lcp_ms"], 4812.0);
    assert_eq!(ps["mobile"]["inp_ms"], 240.0);
    assert_eq!(s["seo"]["scores"]["best_practices"], 96.0);
    let types: Vec<_> = s["seo"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["slow_page"]);
    assert!(ids(&s["loss_estimate"]["factors"]).contains(&"slow_page".to_string()));
    assert_eq!(s["ai_summary"]["source"], "gemini");
    assert_eq!(s["ai_summary"]["model"], "gemini-2.5-flash");
    assert!(s["ai_summary"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Na webu"));
    // The prompt holds the findings, not the page.
    let prompts = f.gemini_prompts.lock().unwrap().clone();
    assert_eq!(prompts.len(), 1);
    assert!(prompts[0].contains("G-SHOP1234") && prompts[0].contains("Language: cs"));
    assert!(!prompts[0].contains("Boty"), "{}", prompts[0]);
    let calls = f.pagespeed_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "{calls:?}");
    app.stop().await;

    for (k, status, code) in [
        ("bad", 400, "INVALID_ARGUMENT"),
        ("quota", 429, "RESOURCE_EXHAUSTED"),
    ] {
        let app = app_for(Backend::Embedded, &f, Some(k)).await;
        let ws = app.create_workspace("W", "pro").await;
        let (_, key, _) = app.create_key(&ws, "k", &["tracking_checker:write"]).await;
        let r = scan(&app, &key, json!({"url": f.url("/shop"), "language": "sk"})).await;
        let s = &r.body["data"];
        assert_eq!(s["status"], "completed", "{r:?}");
        assert_eq!(s["pagespeed"]["source"], "none");
        assert_eq!(s["pagespeed"]["error"]["status"], status);
        assert_eq!(s["pagespeed"]["error"]["code"], code);
        assert_eq!(s["ai_summary"]["source"], "template");
        assert_eq!(s["ai_summary"]["language"], "sk");
        let why = s["ai_summary"]["fallback_reason"].as_str().unwrap();
        assert!(
            why.contains(&status.to_string()) && why.contains(code),
            "{why}"
        );
        app.stop().await;
    }
}
