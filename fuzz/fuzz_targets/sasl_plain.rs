#![no_main]
//! Server-side Plain: arbitrary responses and answers never panic.

#[path = "sasl_common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(yubin_sasl::Mechanism::Plain, data);
});
