//! The console (`/`) and the tracker script (`/js/script.js`): static files embedded in the
//! binary, so Keel needs no Node toolchain and works offline. The console is a client of the
//! public API; its CSP allows scripts and styles from Keel itself only (no inline script).

use actix_web::{web, HttpResponse};

const INDEX: &str = include_str!("../assets/console/index.html");
const APP_JS: &str = include_str!("../assets/console/app.js");
const APP_CSS: &str = include_str!("../assets/console/app.css");
const TRACKER: &str = include_str!("../assets/console/script.js");

/// The console's policy: everything from Keel itself, nothing inline, no framing.
pub const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn asset(body: &'static str, content_type: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Content-Type", content_type))
        .insert_header(("Content-Security-Policy", CONSOLE_CSP))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        // Each release may change them: revalidate, never serve stale code.
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}

pub async fn index() -> HttpResponse {
    asset(INDEX, "text/html; charset=utf-8")
}

pub async fn app_js() -> HttpResponse {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

pub async fn app_css() -> HttpResponse {
    asset(APP_CSS, "text/css; charset=utf-8")
}

/// The tracker, loaded by other sites' pages: cacheable for an hour, from any origin.
pub async fn tracker() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Content-Type", "text/javascript; charset=utf-8"))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(TRACKER)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        // The pages of emailed links (their token in the query string).
        .route("/invitations/accept", web::get().to(index))
        .route("/password-reset", web::get().to(index))
        .route("/verify-email", web::get().to(index))
        .route("/console/app.js", web::get().to(app_js))
        .route("/console/app.css", web::get().to(app_css))
        .route("/js/script.js", web::get().to(tracker));
}
