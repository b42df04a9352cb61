//! `pdrs::fuzzing::rate_limit_headers` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pdrs::fuzzing::rate_limit_headers(data));
