//! `pdrs::fuzzing::budget_answers` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pdrs::fuzzing::budget_answers(data));
