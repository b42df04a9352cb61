//! `pdrs::fuzzing::error_body` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pdrs::fuzzing::error_body(data));
