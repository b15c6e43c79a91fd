//! DMARC TXT records as published by anyone: never a panic; tags come back trimmed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|record: &str| {
    for (tag, value) in keel_infra::dns::parse_dmarc(record) {
        assert_eq!(tag.trim(), tag);
        assert_eq!(value.trim(), value);
    }
});
