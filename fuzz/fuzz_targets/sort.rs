//! The `sort` parameter of every list: never a panic; only allowed fields come back.
#![no_main]
use libfuzzer_sys::fuzz_target;

const ALLOWED: &[&str] = &["created_at", "name", "updated_at"];

fuzz_target!(|raw: &str| {
    if let Ok(keys) = keel_projections::query::parse_sort(raw, ALLOWED) {
        for k in keys {
            assert!(ALLOWED.contains(&k.column), "{:?}", k.column);
        }
    }
});
