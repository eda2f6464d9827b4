#![no_main]
//! Server-side SCRAM-SHA-1 and SCRAM-SHA-256: arbitrary responses and
//! answers never panic. The last input byte picks the hash.

#[path = "sasl_common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mechanism = match data.last() {
        Some(b) if b & 1 == 1 => yubin_sasl::Mechanism::ScramSha1,
        _ => yubin_sasl::Mechanism::ScramSha256,
    };
    common::run(mechanism, data);
});
