//! `pdrs::fuzzing::oauth_token` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pdrs::fuzzing::oauth_token(data));
