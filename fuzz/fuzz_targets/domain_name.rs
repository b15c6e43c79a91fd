//! What users type as domains: never a panic; a name that normalizes normalizes to itself again
//! and keeps within RFC 1035's limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(d) = keel_commands::domain::normalize_domain(input) {
        assert!(d.ascii.len() <= 253, "{:?}", d.ascii);
        assert!(d.ascii.split('.').all(|l| !l.is_empty() && l.len() <= 63));
        assert_eq!(d.ascii, d.ascii.to_ascii_lowercase());
        let again = keel_commands::domain::normalize_domain(&d.ascii)
            .unwrap_or_else(|e| panic!("{:?} normalized to {:?}, which {e}", input, d.ascii));
        assert_eq!(again.ascii, d.ascii);
        assert_eq!(again.tld, d.tld);
    }
});
