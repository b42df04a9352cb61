//! Entry points for the fuzz targets in `fuzz/` (and the property tests): each parser of network
//! data run on arbitrary bytes, with what it promises checked. Not part of pdrs's API: compiled
//! only with `--cfg fuzzing` (which `cargo fuzz` sets) and in this crate's tests.
//!
//! Every function panics when a promise is broken, which is what a fuzzer reports.

use crate::retry::{Decision, Outcome, Progress, RetryPolicy};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::SystemTime;

/// A page body (`users` holds the records): either a typed error (its text bounded and free of
/// control characters), or exactly the elements of `users` as serde_json reads the same bytes,
/// with the same `total` and `more`; each record's de-duplication id, when found, is that of an
/// object.
pub fn page(data: &[u8]) {
    let page = match crate::listing::page::Page::parse(data, "users") {
        Ok(page) => page,
        Err(e) => {
            assert!(matches!(e, crate::Error::MissingWrapper { .. } | crate::Error::Decode { .. }), "{e:?}");
            let shown = e.to_string();
            fit_to_print(&shown, 4_000);
            return;
        }
    };
    // pdrs keeps records and the fields it does not use as text, checked only as JSON's grammar
    // has them: a number too large for an f64 (`"total": 1e999`) or an unpaired surrogate escape
    // (`"\uDD00"`) is read, where serde_json's `Value` refuses it. Such a field reads as absent,
    // and such a record fails (with an error) where it is decoded.
    let whole: Value = match serde_json::from_slice(data) {
        Ok(whole) => whole,
        Err(e) if beyond_grammar(&e) => {
            for record in page.records() {
                let _ = serde_json::from_str::<Value>(record.get());
            }
            return;
        }
        Err(e) => panic!("pdrs read a page serde_json does not: {e}"),
    };
    let object = whole.as_object().expect("a page pdrs read is an object");
    for record in page.records() {
        if crate::listing::page::record_id(record).is_some() {
            let value: Value = serde_json::from_str(record.get()).expect("a record is JSON");
            assert!(value.is_object(), "an id read from a record that is not an object: {}", record.get());
        }
    }
    // Of a repeated key, `Page::field` reads the first and serde_json keeps the last (both keep
    // the last `users`): compare the fields where no key repeats.
    if page.field_count() + 1 != object.len() {
        return;
    }
    let expected: &[Value] = object.get("users").and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let got: Vec<Value> =
        page.records().iter().map(|r| serde_json::from_str(r.get()).expect("a record is JSON")).collect();
    assert_eq!(got, expected, "the records are the elements of `users`, as sent");
    assert_eq!(page.field::<u64>("total"), object.get("total").and_then(Value::as_u64));
    assert_eq!(page.field::<bool>("more"), object.get("more").and_then(Value::as_bool));
}

/// An error's text as a user sees it: under `max` characters, and no control characters (a
/// server's are escaped).
fn fit_to_print(shown: &str, max: usize) {
    let count = shown.chars().count();
    assert!(count < max, "an error's text is {count} characters");
    assert!(!shown.chars().any(char::is_control), "control characters in {shown:?}");
}

/// Whether serde_json refused text that JSON's grammar allows (what a raw value may hold).
fn beyond_grammar(e: &serde_json::Error) -> bool {
    let text = e.to_string();
    [
        "number out of range",
        "lone leading surrogate in hex escape",
        "unexpected end of hex escape",
        "invalid unicode code point",
    ]
    .iter()
    .any(|m| text.starts_with(m))
}

/// An error body of any shape, under any 4xx/5xx status (from the first byte): an error of that
/// status, its message bounded however large the body.
pub fn error_body(data: &[u8]) {
    let status = StatusCode::from_u16(400 + u16::from(data.first().copied().unwrap_or(0)) % 200).expect("400..600");
    let body = bytes::Bytes::copy_from_slice(data.get(1..).unwrap_or_default());
    let api = crate::error::api_error(status, None, body.clone());
    assert!(api.errors.len() <= 100, "{} errors kept", api.errors.len());
    let error = crate::error::from_parts(status, "api.pagerduty.com".into(), None, body);
    assert_eq!(error.status(), Some(status));
    let shown = error.to_string();
    fit_to_print(&shown, 8_000);
}

/// A token endpoint's answer (`data`: a status from the first byte, an even one is 200, then
/// the body): a token whose expiry a clock can hold and whose secrets stay out of `Debug`, or an
/// error whose text is bounded and free of control characters, and which holds no token of the
/// answer.
pub fn oauth_token(data: &[u8]) {
    let (first, body) = data.split_first().map_or((0, data), |(b, rest)| (*b, rest));
    let status = if first % 2 == 0 { 200 } else { 400 + u16::from(first) % 200 };
    let status = StatusCode::from_u16(status).expect("a status");
    let now = chrono::Utc::now();
    match crate::oauth::token_from_response(status, bytes::Bytes::copy_from_slice(body), now) {
        Ok(token) => {
            assert!(status.is_success());
            if let Some(at) = token.expires_at {
                assert!(at >= now && at <= now + chrono::Duration::days(3660), "expires at {at}");
            }
            // `Debug` shows at most a secret's last four characters.
            let secrets = [Some(&token.access_token), token.refresh_token.as_ref()];
            for secret in secrets.into_iter().flatten() {
                let hint = secret.hint();
                assert!(hint.chars().count() <= 5 && secret.expose().ends_with(hint.trim_start_matches('…')));
                assert_eq!(format!("{secret:?}"), format!("Secret({hint})"));
                assert!(format!("{token:?}").contains(&format!("Secret({hint})")));
            }
        }
        Err(e) => {
            let shown = e.to_string();
            fit_to_print(&shown, 4_000);
            // Neither the text nor `Debug` of the error repeats a token the answer held.
            let sent: Value = serde_json::from_slice(body).unwrap_or_default();
            let debug = format!("{e:?}");
            for field in ["access_token", "refresh_token"] {
                if let Some(token) = sent.get(field).and_then(Value::as_str).filter(|t| t.len() >= 8) {
                    assert!(!debug.contains(token) && !shown.contains(token), "{field} in {debug}");
                }
            }
        }
    }
}

/// A 429's headers (`Retry-After`, `ratelimit-reset`, `daily-ratelimit-remaining`,
/// `daily-ratelimit-reset`, one per line of `data`): the first retry waits at most the policy's
/// `max_delay`, or the call returns at once because the hint is longer or the day's quota is
/// spent; no wait is over [`crate::retry::MAX_HINT`] (10^9 seconds), however far off a date the
/// server names.
pub fn rate_limit_headers(data: &[u8]) {
    let mut headers = HeaderMap::new();
    let names = ["retry-after", "ratelimit-reset", "daily-ratelimit-remaining", "daily-ratelimit-reset"];
    for (name, value) in names.iter().zip(data.split(|b| *b == b'\n')) {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.insert(*name, value);
        }
    }
    let now = SystemTime::now();
    if let Some(hint) = crate::retry::server_hint(&headers, now) {
        assert!(hint <= crate::retry::MAX_HINT, "hint {hint:?}");
    }
    let policy = RetryPolicy::default();
    let progress = Progress { attempts: 1, ..Progress::default() };
    match policy.decide(&Method::GET, Outcome::Status(StatusCode::TOO_MANY_REQUESTS, &headers), &progress, now) {
        Decision::Retry(wait, _) => assert!(wait <= policy.max_delay, "waits {wait:?}"),
        Decision::TooLongToWait(wait) => {
            assert!(
                wait > policy.max_delay || crate::retry::daily_quota_spent(&headers).is_some(),
                "gave up on a wait of {wait:?}"
            );
            assert!(wait <= crate::retry::MAX_HINT, "reports a wait of {wait:?}");
        }
        Decision::GiveUp => panic!("a first 429 is retried or reported with its wait"),
    }
}

/// A run of answers telling a rate-limit budget (`data`: lines of `limit remaining reset flags`,
/// any of them garbage; the flags' bits: keep the request in flight, an operation's own limit,
/// answer without headers): the budget never makes a request wait for a reset longer than the
/// longest wait, nor for an answer when none is in flight, and what it reports never panics.
pub fn budget_answers(data: &[u8]) {
    use crate::budget::{Budget, Pause};
    use std::time::Duration;
    let longest = Duration::from_secs(60);
    let budget = std::sync::Arc::new(Budget::default());
    let mut held = Vec::new();
    for line in data.split(|b| *b == b'\n').take(64) {
        let fields: Vec<&[u8]> = line.split(|b| *b == b' ').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or_default();
        let flags = field(3).first().copied().unwrap_or(0);
        let operation = if flags & 2 != 0 { "POST /incidents" } else { "GET /users" };
        match budget.try_reserve(operation, longest) {
            Ok(slot) => {
                let mut headers = HeaderMap::new();
                if flags & 4 == 0 {
                    for (name, i) in [("ratelimit-limit", 0), ("ratelimit-remaining", 1), ("ratelimit-reset", 2)] {
                        if let Ok(value) = HeaderValue::from_bytes(field(i)) {
                            headers.insert(name, value);
                        }
                    }
                    if flags & 2 != 0 {
                        headers.insert("x-pd-operation-limit", HeaderValue::from_static("1"));
                    }
                }
                if flags & 1 != 0 {
                    held.push(slot);
                } else {
                    slot.answered(&headers);
                }
            }
            Err(Pause::Reset(wait)) => assert!(wait <= longest, "waits {wait:?} for a reset"),
            Err(Pause::InFlight) => {
                assert!(!held.is_empty(), "waits for an answer with nothing in flight");
                // The oldest request in flight is answered.
                held.remove(0);
            }
        }
        let _ = budget.quotas();
    }
}

/// A webhook delivery (`data`: a secret's length, the secret, then the signature header and the
/// body on either side of the first newline): verifying and decoding never panic, and the body
/// signed with the secret verifies, alone or among other signatures; a refusal's text is bounded
/// and free of control characters.
pub fn webhook(data: &[u8]) {
    let (length, rest) = data.split_first().map_or((0, data), |(n, rest)| (usize::from(*n) % 64, rest));
    let (secret, rest) = rest.split_at(length.min(rest.len()));
    let secret = String::from_utf8_lossy(secret);
    let (header, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&rest[..i]), &rest[i + 1..]),
        None => (String::from_utf8_lossy(rest), &[][..]),
    };
    let verified = crate::webhooks::verify(&secret, body, Some(&header)).err();
    for refusal in [verified, crate::webhooks::parse(body).err()].into_iter().flatten() {
        let shown = refusal.to_string();
        fit_to_print(&shown, 1_000);
    }
    if !secret.is_empty() {
        let signature = crate::webhooks::sign(&secret, body);
        assert!(crate::webhooks::verify(&secret, body, Some(&signature)).is_ok());
        let among = format!("{},{signature}", header.replace(',', ""));
        assert!(crate::webhooks::verify(&secret, body, Some(&among)).is_ok(), "{among:?}");
    }
}
