//! Bearer tokens as sent by anyone: never a panic, and nothing but a well-formed secret with a
//! valid checksum passes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    if let Some(kind) = keel_api::auth::parse_key(token) {
        assert!(token.is_ascii());
        assert!(token.starts_with(kind.prefix()));
    }
});
