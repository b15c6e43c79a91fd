//! Audit page cursors handed back by clients: never a panic; one that reads writes back the
//! same cursor.
#![no_main]
use keel_api::routes::audit::{decode_cursor, encode_cursor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Ok(c) = decode_cursor(raw) {
        let again = decode_cursor(&encode_cursor(&c)).expect("an encoded cursor decodes");
        assert_eq!(again, c);
    }
});
