//! The shared request pipeline: retries, rate limits, errors, the host guard, entity wrappers.

use crate::support::{json, scripted, Reply};
use pdrs::prelude::*;
use pdrs::{Error, Method, RestClient, RetryPolicy, RetryReason};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Waits = Arc<Mutex<Vec<(Duration, RetryReason)>>>;

fn observed_client(url: &str, policy: RetryPolicy) -> (RestClient, Waits) {
    let waits: Waits = Arc::default();
    let log = waits.clone();
    let policy = policy.base_delay(Duration::from_millis(5)).on_retry(move |_, wait, reason| {
        log.lock().unwrap().push((wait, reason.clone()));
    });
    (crate::support::client_with(url, policy), waits)
}

fn rate_limited() -> Reply {
    Reply::Http(
        429,
        vec![("ratelimit-reset", "0.2".into())],
        r#"{"error":{"code":2020,"message":"Rate Limit Exceeded"}}"#.into(),
    )
}

#[tokio::test]
async fn rate_limits_are_retried_after_ratelimit_reset() {
    let server = scripted(vec![rate_limited(), rate_limited(), json(200, json!({"user": {"id": "PABC"}}))]).await;
    let (pd, waits) = observed_client(&server.url, RetryPolicy::default());
    let user: Value = pd.rget("/users/PABC").await.unwrap();
    assert_eq!(user["id"], "PABC");
    assert_eq!(server.requests().len(), 3);
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2);
    for (wait, reason) in waits {
        assert_eq!(wait, Duration::from_millis(200));
        assert_eq!(reason, RetryReason::Status(429));
    }
}

#[tokio::test]
async fn typed_calls_share_the_retry_path() {
    let server = scripted(vec![rate_limited(), json(200, json!({"abilities": ["sso"]}))]).await;
    let (pd, waits) = observed_client(&server.url, RetryPolicy::default());
    let abilities = pd.api().list_abilities().send().await.unwrap().into_inner();
    assert_eq!(abilities.abilities, vec!["sso".to_string()]);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(waits.lock().unwrap().len(), 1);
    assert_eq!(server.requests()[1].header("authorization"), Some("Token token=token-abcdefgh-1234"));
}

#[tokio::test]
async fn unauthorized_fails_at_once() {
    let server = scripted(vec![json(401, json!({"error": {"message": "Invalid token"}}))]).await;
    let (pd, waits) = observed_client(&server.url, RetryPolicy::default());
    let err = pd.jget::<Value>("users").await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(err.to_string().contains("region"), "{err}");
    assert_eq!(server.requests().len(), 1);
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn network_failures_are_retried_then_succeed() {
    let server = scripted(vec![Reply::Drop, Reply::Drop, Reply::Drop, json(200, json!({"ok": true}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default().max_attempts(4));
    let body: Value = pd.jget("/ping").await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn network_failures_exhaust_with_the_cause() {
    let server = scripted(vec![Reply::Drop, Reply::Drop, Reply::Drop, Reply::Drop]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default().max_attempts(4));
    let err = pd.jget::<Value>("/ping").await.unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts, .. } => assert_eq!(*attempts, 4),
        other => panic!("unexpected {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn per_status_retry_map() {
    let not_found = || json(404, json!({"error": {"code": 2100, "message": "Not Found"}}));
    let server = scripted(vec![not_found(), not_found(), json(200, json!({"ok": 1}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default().retry_status(404, 3));
    let body: Value = pd.jget("/things").await.unwrap();
    assert_eq!(body["ok"], 1);
    assert_eq!(server.requests().len(), 3);

    let server = scripted(vec![not_found(), not_found(), json(200, json!({}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default().retry_status(404, 1));
    let err = pd.jget::<Value>("/things").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn post_is_retried_on_429_with_the_same_body_but_not_on_500() {
    let server = scripted(vec![rate_limited(), json(201, json!({"user": {"id": "PNEW"}}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let created: Value = pd.rpost("/users", &json!({"name": "Ann", "email": "ann@example.com"})).await.unwrap();
    assert_eq!(created["id"], "PNEW");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    let sent: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(sent, json!({"user": {"name": "Ann", "email": "ann@example.com"}}));

    let server = scripted(vec![json(500, json!({"error": {"message": "boom"}})), json(201, json!({}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let err = pd.jpost::<Value>("/users", &json!({"user": {}})).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn lookalike_hosts_and_unknown_methods_are_refused_before_sending() {
    let server = scripted(vec![json(200, json!({}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let port = server.url.rsplit(':').next().unwrap();
    let evil = format!("http://127.0.0.1.evil.example:{port}/users");
    let err = pd.jget::<Value>(evil.as_str()).await.unwrap_err();
    assert!(matches!(err, Error::UrlRefused(_)), "{err:?}");
    assert!(pd.request_named("poke", "/users").is_err());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rput_uses_self_and_wraps_the_body() {
    let server = scripted(vec![json(200, json!({"user": {"id": "PABC", "name": "New"}}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let existing = json!({"id": "PABC", "self": format!("{}/users/PABC", server.url), "name": "Old"});
    let mut changed = existing.clone();
    changed["name"] = json!("New");
    let target = pdrs::Target::try_from(&existing).unwrap();
    let updated: pdrs::rest::types::User = pd.rput(target, &changed).await.unwrap();
    assert_eq!(updated.id.as_deref(), Some("PABC"));
    let seen = &server.requests()[0];
    assert_eq!((seen.method.as_str(), seen.target.as_str()), ("PUT", "/users/PABC"));
    let sent: Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(sent["user"]["name"], "New");
}

#[tokio::test]
async fn missing_wrapper_is_a_typed_error_naming_the_keys() {
    let server = scripted(vec![json(200, json!({"users": []}))]).await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let err = pd.rget::<Value>("/users/PABC").await.unwrap_err();
    match err {
        Error::MissingWrapper { expected, got } => {
            assert_eq!(expected, "user");
            assert_eq!(got, vec!["users".to_string()]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn canonical_paths_come_from_the_spec() {
    let base = reqwest::Url::parse("https://api.pagerduty.com").unwrap();
    let at = |p: &str| pdrs::canonical_path(&base, &base.join(p).unwrap());
    assert_eq!(at("/users/PABC"), Some("/users/{id}"));
    assert_eq!(at("/users/me"), Some("/users/me"));
    assert_eq!(at("/users/PABC/contact_methods/PXYZ"), Some("/users/{id}/contact_methods/{contact_method_id}"));
    let _ = Method::GET;
}

#[tokio::test]
async fn default_headers_on_a_write() {
    let server = scripted(vec![json(201, json!({"incident": {"id": "PINC"}}))]).await;
    let pd = RestClient::builder("ignored")
        .oauth_token("oauth-access-token-9876")
        .base_url(&server.url)
        .default_from("oncall@example.com")
        .default_header("X-EARLY-ACCESS", "incident-types")
        .user_agent_suffix("my-tool/1.0")
        .build()
        .unwrap();
    let _: Value = pd.rpost("/incidents", &json!({"type": "incident", "title": "Disk full"})).await.unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.header("accept"), Some("application/vnd.pagerduty+json;version=2"));
    assert_eq!(seen.header("authorization"), Some("Bearer oauth-access-token-9876"));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("from"), Some("oncall@example.com"));
    assert_eq!(seen.header("x-early-access"), Some("incident-types"));
    assert_eq!(seen.header("user-agent"), Some(concat!("pdrs/", env!("CARGO_PKG_VERSION"), " my-tool/1.0")));
    assert_eq!(
        serde_json::from_str::<Value>(&seen.body).unwrap(),
        json!({"incident": {"type": "incident", "title": "Disk full"}})
    );
}

#[tokio::test]
async fn every_error_body_shape_parses() {
    let shapes = vec![
        (
            json!({"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Name is too long"]}}),
            Some(2001),
            vec!["Name is too long"],
        ),
        (
            json!({"error": {"message": "Invalid", "code": 2001, "errors": "just a string"}}),
            Some(2001),
            vec!["just a string"],
        ),
        (json!({"error": {"message": "Invalid", "errors": {"name": ["is taken"]}}}), None, vec!["name: is taken"]),
        (json!({"error": [{"message": "Listed", "code": "2002"}]}), Some(2002), vec![]),
        (
            json!({"status": "invalid event", "message": "Event object is invalid", "errors": ["Length of 'routing_key' is incorrect"]}),
            None,
            vec!["Length of 'routing_key' is incorrect"],
        ),
    ];
    for (body, code, errors) in shapes {
        let server = scripted(vec![json(400, body.clone())]).await;
        let (pd, _) = observed_client(&server.url, RetryPolicy::default());
        match pd.jget::<Value>("/users").await.unwrap_err() {
            Error::Api(e) => {
                assert_eq!(e.status.as_u16(), 400);
                assert_eq!(e.code, code, "{body}");
                assert_eq!(e.errors, errors, "{body}");
                assert!(e.message.is_some(), "{body}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn the_client_is_cheap_to_share() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<RestClient>();
    // A clone is a handle on the same client, not a copy of it: the same connection pool and
    // metrics (a call through the clone counts in the original), and little memory of its own.
    let pd = crate::support::client("http://127.0.0.1:9");
    let clone = pd.clone();
    assert!(
        std::mem::size_of_val(&clone) <= 8 * std::mem::size_of::<usize>(),
        "{} bytes",
        std::mem::size_of_val(&clone)
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _ = runtime.block_on(clone.request(pdrs::Method::GET, "/users").send());
    assert_eq!(pd.api_call_counts().get("GET /users"), Some(&1), "the clone's call is the original's");
}

#[tokio::test]
async fn after_and_analytics_paging() {
    let server = scripted(vec![
        json(200, json!({"alert_grouping_settings": [{"id": "A1"}, {"id": "A2"}], "after": "A2"})),
        json(200, json!({"alert_grouping_settings": [{"id": "A3"}], "after": null})),
        json(200, json!({"data": [{"id": "I1"}], "last": "c1", "more": true})),
        json(200, json!({"data": [{"id": "I2"}], "last": "c2", "more": false})),
    ])
    .await;
    let (pd, _) = observed_client(&server.url, RetryPolicy::default());
    let settings: Vec<Value> = pd.list_all("/alert_grouping_settings", pdrs::ListOptions::new()).await.unwrap();
    assert_eq!(settings.len(), 3);
    let incidents: Vec<Value> =
        futures::TryStreamExt::try_collect(pd.iter_analytics("/analytics/raw/incidents", json!({"urgency": "high"})))
            .await
            .unwrap();
    assert_eq!(incidents.iter().map(|i| i["id"].as_str().unwrap()).collect::<Vec<_>>(), ["I1", "I2"]);
    let seen = server.requests();
    assert!(seen[1].target.contains("after=A2"), "{}", seen[1].target);
    let second: Value = serde_json::from_str(&seen[3].body).unwrap();
    assert_eq!(second["starting_after"], "c1");
    assert_eq!(second["filters"]["urgency"], "high");
}
