pub mod admin;
pub mod analytics;
pub mod as_of;
pub mod audit;
pub mod dashboards;
pub mod domains;
pub mod exports;
pub mod insights;
pub mod keys;
pub mod ops;
pub mod pixel;
pub mod sites;
pub mod stats;
pub mod usage;
pub mod webhooks;
pub mod workspaces;

use crate::auth::Caller;
use crate::error::current_request_id;
use actix_web::HttpRequest;
use keel_events::{EventId, Metadata};

pub fn new_event_id() -> EventId {
    EventId::new_v7()
}

/// Who, and under which request, a command runs.
pub fn command_meta(req: &HttpRequest, caller: &Caller) -> Metadata {
    let correlation_id = req
        .headers()
        .get("X-Correlation-ID")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(128).collect());
    Metadata {
        actor: caller.actor(),
        request_id: Some(current_request_id()),
        causation_id: None,
        correlation_id,
    }
}
