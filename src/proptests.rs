//! Property tests of what parses network data: error bodies, page bodies, rate-limit and
//! `Retry-After` headers, webhook signature headers. The properties: no panic on any input,
//! bounded output, and the right answer where one exists.

use proptest::prelude::*;
use serde_json::{json, Value};

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("error".to_string()),
                    Just("errors".to_string()),
                    Just("message".to_string()),
                    Just("code".to_string()),
                    Just("users".to_string()),
                    "[a-z]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn error_bodies_of_any_shape_parse(body in any_json(), status in 400u16..600) {
        let status = reqwest::StatusCode::from_u16(status).unwrap();
        let bytes = bytes::Bytes::from(body.to_string());
        let api = crate::error::api_error(status, None, bytes);
        prop_assert!(api.errors.len() <= 100);
        let error = crate::error::from_parts(status, "h".into(), None, api.body.clone().into_inner());
        prop_assert_eq!(error.status(), Some(status));
        prop_assert!(error.to_string().len() < 40_000);
    }

    #[test]
    fn error_bodies_as_raw_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let status = reqwest::StatusCode::BAD_REQUEST;
        let _ = crate::error::from_parts(status, String::new(), None, body.into()).to_string();
    }

    #[test]
    fn page_bodies_of_any_shape_give_their_records_or_a_typed_error(body in any_json()) {
        let text = body.to_string();
        match crate::listing::page::Page::parse(text.as_bytes(), "users") {
            Ok(page) => {
                // The records are the elements of `users`, each as it was sent.
                let whole: Value = serde_json::from_str(&text).unwrap();
                let expected = whole.get("users").and_then(Value::as_array).cloned().unwrap_or_default();
                let got: Vec<serde_json::Value> =
                    page.records().iter().map(|r| serde_json::from_str(r.get()).unwrap()).collect();
                prop_assert_eq!(got, expected);
            }
            Err(e) => prop_assert!(matches!(e, crate::Error::MissingWrapper { .. }), "{:?}", e),
        }
    }

    #[test]
    fn page_bytes_of_any_kind_never_panic(body in prop::collection::vec(any::<u8>(), 0..512), cut in 0usize..512) {
        let _ = crate::listing::page::Page::parse(&body, "users");
        let valid = br#"{"users": [{"id": "P1", "name": "a\u00e9"}, {"id": 2}], "more": true, "total": 9}"#;
        let cut = cut.min(valid.len());
        // A body cut short is an error, never a shorter page.
        prop_assert!(cut == valid.len() || crate::listing::page::Page::parse(&valid[..cut], "users").is_err());
    }

    #[test]
    fn rate_limit_headers_never_panic_and_stay_bounded(
        reset in ".{0,30}", retry_after in ".{0,40}", seconds in any::<f64>(),
    ) {
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in [("ratelimit-reset", reset), ("retry-after", retry_after)] {
            if let Ok(v) = reqwest::header::HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        if let Some(d) = crate::retry::server_hint(&headers, std::time::SystemTime::now()) {
            prop_assert!(d.as_secs_f64() <= 1e9);
        }
        let mut numeric = reqwest::header::HeaderMap::new();
        numeric.insert("retry-after", reqwest::header::HeaderValue::from_str(&seconds.to_string()).unwrap());
        let hint = crate::retry::server_hint(&numeric, std::time::SystemTime::now());
        if seconds.is_finite() && seconds >= 0.0 {
            prop_assert!(hint.is_some());
        } else {
            prop_assert!(hint.is_none());
        }
    }

    #[test]
    fn retry_decisions_are_bounded_for_any_hint(reset in any::<u32>(), attempts in 1u32..20) {
        let policy = crate::RetryPolicy::default();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("ratelimit-reset", reqwest::header::HeaderValue::from(reset));
        let progress = crate::retry::Progress { attempts, ..Default::default() };
        let outcome = crate::retry::Outcome::Status(reqwest::StatusCode::TOO_MANY_REQUESTS, &headers);
        match policy.decide(&reqwest::Method::GET, outcome, &progress, std::time::SystemTime::now()) {
            crate::retry::Decision::Retry(wait, _) => {
                prop_assert!(wait <= policy.max_delay);
                prop_assert!(attempts < policy.max_attempts);
            }
            crate::retry::Decision::TooLongToWait(wait) => prop_assert!(wait > policy.max_delay),
            crate::retry::Decision::GiveUp => prop_assert!(attempts >= policy.max_attempts),
        }
    }

    #[test]
    fn webhook_signature_headers_never_panic(header in ".{0,300}", body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = crate::webhooks::verify("secret", &body, Some(&header));
    }

    #[test]
    fn the_right_signature_is_found_among_others(
        body in prop::collection::vec(any::<u8>(), 0..256),
        noise in prop::collection::vec("v[0-9]=[0-9a-f]{0,70}|[ -~]{0,20}", 0..5),
        at in 0usize..6,
    ) {
        let good = crate::webhooks::sign("secret", &body);
        let mut parts: Vec<String> = noise.into_iter().filter(|p| !p.contains(',')).collect();
        parts.insert(at.min(parts.len()), good);
        prop_assert!(crate::webhooks::verify("secret", &body, Some(&parts.join(","))).is_ok());
        prop_assert!(crate::webhooks::verify("other", &body, Some(&parts.join(","))).is_err());
    }

    #[test]
    fn the_fuzz_targets_hold_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        crate::fuzzing::page(&data);
        crate::fuzzing::error_body(&data);
        crate::fuzzing::rate_limit_headers(&data);
        crate::fuzzing::budget_answers(&data);
        crate::fuzzing::webhook(&data);
        crate::fuzzing::oauth_token(&data);
    }

    #[test]
    fn the_fuzz_targets_hold_on_json(body in any_json(), first in any::<u8>()) {
        let text = body.to_string();
        crate::fuzzing::page(text.as_bytes());
        let mut error = vec![first];
        error.extend_from_slice(text.as_bytes());
        crate::fuzzing::error_body(&error);
        crate::fuzzing::oauth_token(&error);
    }
}

/// The fuzz targets' seed inputs (`fuzz/seeds/<target>/`), each run through its target: the
/// cases a fuzzer starts from hold in every test run too.
#[test]
fn the_fuzz_seeds_hold() {
    type Target = fn(&[u8]);
    let targets: [(&str, Target); 6] = [
        ("page", crate::fuzzing::page),
        ("error_body", crate::fuzzing::error_body),
        ("rate_limit_headers", crate::fuzzing::rate_limit_headers),
        ("budget_answers", crate::fuzzing::budget_answers),
        ("webhook", crate::fuzzing::webhook),
        ("oauth_token", crate::fuzzing::oauth_token),
    ];
    for (target, run) in targets {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            if std::panic::catch_unwind(|| run(&data)).is_err() {
                panic!("{}: the {target} target fails on it", path.display());
            }
            seen += 1;
        }
        assert!(seen > 0, "no seeds for {target}");
    }
}
