//! SPF records as published by anyone, followed through includes and redirects: every name
//! answers with the fuzzed record, so a record that includes anything includes itself. Never a
//! panic, never an endless walk, and the lookup count stays the RFC's business.
#![no_main]
use keel_infra::dns::{evaluate_spf, Answer, Lookup, Rtype};
use libfuzzer_sys::fuzz_target;

struct Everywhere(String);

#[async_trait::async_trait]
impl Lookup for Everywhere {
    async fn lookup(&self, _name: &str, rtype: Rtype) -> Answer {
        match rtype {
            Rtype::Txt => Answer::Records(vec![self.0.clone()]),
            _ => Answer::NxDomain,
        }
    }
}

fuzz_target!(|record: &str| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let dns = Everywhere(record.to_string());
    if let Ok(spf) = rt.block_on(evaluate_spf(&dns, "example.com")) {
        assert!(
            ["valid", "over_limit", "missing", "invalid"].contains(&spf.status),
            "{}",
            spf.status
        );
    }
});
