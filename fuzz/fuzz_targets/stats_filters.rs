//! The `filters` query parameter of the stats endpoints (JSON from the URL): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let _ = keel_api::routes::stats::parse_filters(raw);
});
