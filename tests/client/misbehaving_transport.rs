//! The pipeline against servers that misbehave on purpose: 5xx, bodies cut short, redirects to
//! other hosts, endless and huge bodies, silence, failing token refreshes.

use crate::support::{json, scripted, serve, Reply, Seen};
use pdrs::oauth::{OAuthClient, Token, TokenSource};
use pdrs::prelude::*;
use pdrs::{Error, EventsClient, Method, RestClient, RetryPolicy, Secret};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn fast() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(5))
}

fn client(url: &str) -> RestClient {
    crate::support::client_with(url, fast())
}

fn user_body() -> String {
    json!({"user": {"id": "PABC", "name": "A name long enough to be cut in half"}}).to_string()
}

/// `GET /users/PABC` raw and then typed, each reading user PABC.
async fn reads_user_pabc_raw_then_typed(url: &str) {
    let pd = client(url);
    let raw: Value = pd.rget("/users/PABC").await.unwrap();
    assert_eq!(raw["id"], "PABC");
    let typed = pd.api().get_user().id("PABC").send().await.unwrap().into_inner();
    assert_eq!(typed.user.and_then(|u| u.id).as_deref(), Some("PABC"));
}

#[tokio::test]
async fn a_500_on_get_is_retried_for_raw_and_typed_calls() {
    let server = scripted(vec![
        Reply::Http(500, vec![], "{}".into()),
        json(200, json!({"user": {"id": "PABC"}})),
        Reply::Http(500, vec![], "{}".into()),
        json(200, json!({"user": {"id": "PABC"}})),
    ])
    .await;
    reads_user_pabc_raw_then_typed(&server.url).await;
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_body_cut_short_is_retried_for_raw_and_typed_gets() {
    let server = scripted(vec![
        Reply::Cut(200, user_body()),
        Reply::Http(200, vec![], user_body()),
        Reply::Cut(200, user_body()),
        Reply::Http(200, vec![], user_body()),
    ])
    .await;
    reads_user_pabc_raw_then_typed(&server.url).await;
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_post_is_not_retried_after_it_reached_the_server() {
    let server = scripted(vec![Reply::Cut(201, user_body()), Reply::Http(500, vec![], "{}".into())]).await;
    let pd = client(&server.url);
    let err = pd.rpost::<Value>("/teams", &json!({"name": "Ops"})).await.unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err:?}");
    let server2 = scripted(vec![Reply::Http(500, vec![], "{}".into()), json(201, json!({"team": {}}))]).await;
    let err = client(&server2.url).rpost::<Value>("/teams", &json!({"name": "Ops"})).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len() + server2.requests().len(), 2);
}

#[tokio::test]
async fn redirects_to_another_port_are_refused_and_nothing_reaches_it() {
    let elsewhere = serve(|_: &Seen| json(202, json!({"status": "success", "dedup_key": "stolen"}))).await;
    let location = format!("{}/v2/enqueue", elsewhere.url);
    let events_server = scripted(vec![Reply::Http(307, vec![("location", location.clone())], String::new())]).await;
    let events = EventsClient::builder("R0UTINGKEY0123456789").base_url(&events_server.url).build().unwrap();
    let err = events.trigger("Disk full", "db-1").send().await.unwrap_err();
    assert!(matches!(err, Error::RedirectRefused { ref location } if location.contains(&elsewhere.url)), "{err:?}");

    let rest =
        scripted(vec![Reply::Http(307, vec![("location", format!("{}/teams", elsewhere.url))], String::new())]).await;
    let pd =
        RestClient::builder("token-abcdefgh-1234").base_url(&rest.url).default_from("me@example.com").build().unwrap();
    let err = pd.rpost::<Value>("/teams", &json!({"name": "Secret team"})).await.unwrap_err();
    assert!(matches!(err, Error::RedirectRefused { .. }), "{err:?}");
    assert!(elsewhere.requests().is_empty(), "the other host got {:?}", elsewhere.requests());
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed() {
    let server = serve(|req: &Seen| {
        if req.target.starts_with("/old") {
            Reply::Http(308, vec![("location", "/users/PABC".into())], String::new())
        } else {
            json(200, json!({"user": {"id": "PABC"}}))
        }
    })
    .await;
    let body: Value = client(&server.url).jget("/old").await.unwrap();
    assert_eq!(body["user"]["id"], "PABC");
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let server = scripted(vec![Reply::Endless]).await;
    let pd = RestClient::builder("token-abcdefgh-1234")
        .base_url(&server.url)
        .max_body_size(4 * 1024 * 1024)
        .retry(fast())
        .build()
        .unwrap();
    let err = pd.jget::<Value>("/users").await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit } if limit == 4 * 1024 * 1024), "{err:?}");
    assert_eq!(server.requests().len(), 1, "over the limit is not retried");
}

#[tokio::test]
async fn an_announced_huge_body_is_refused_before_reading() {
    let server = scripted(vec![Reply::Http(200, vec![], "x".repeat(2 * 1024 * 1024))]).await;
    let pd =
        RestClient::builder("token-abcdefgh-1234").base_url(&server.url).max_body_size(1024 * 1024).build().unwrap();
    let err = pd.jget::<Value>("/users").await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn a_silent_server_is_given_up_on_by_the_deadline() {
    let server = scripted(vec![Reply::Silent(30_000), Reply::Silent(30_000), Reply::Silent(30_000)]).await;
    let pd = RestClient::builder("token-abcdefgh-1234")
        .base_url(&server.url)
        .retry(fast().deadline(Duration::from_millis(800)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = pd.jget::<Value>("/users").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_timeout());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_url_over_the_limit_is_refused_without_echoing_it() {
    let server = scripted(vec![]).await;
    let pd = client(&server.url);
    let long = "x".repeat(20_000);
    let err = pd.request(Method::GET, "/users").query("query", &long).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().len() < 300, "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn scheme_relative_paths_are_another_host() {
    let server = scripted(vec![]).await;
    let pd = client(&server.url);
    for target in ["//evil.example/users", "\\\\evil.example/users"] {
        let err = pd.jget::<Value>(target).await.unwrap_err();
        assert!(matches!(err, Error::UrlRefused(_)), "{target}: {err:?}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_failed_token_refresh_is_an_error_and_nothing_is_sent() {
    let identity = scripted(vec![Reply::Http(
        401,
        vec![("content-type", "application/json".into())],
        json!({"error": "invalid_client", "error_description": "Client authentication failed"}).to_string(),
    )])
    .await;
    let api = scripted(vec![json(200, json!({"abilities": []}))]).await;
    let oauth = OAuthClient::new("cid", Some(Secret::new("cs"))).unwrap().identity_url(&identity.url).unwrap();
    let expired = Token::new("old", Some(chrono::Utc::now() - chrono::Duration::seconds(5)), Some(Secret::new("r")));
    let source = Arc::new(TokenSource::new(oauth, expired, &[]));
    let pd = RestClient::builder_token_source(source).base_url(&api.url).build().unwrap();
    let err = pd.jget::<Value>("/abilities").await.unwrap_err();
    assert!(api.requests().is_empty(), "nothing may go out without a credential");
    let Error::TokenRefresh(inner) = &err else { panic!("{err:?}") };
    match &**inner {
        Error::OAuth { status, error, description } => {
            assert_eq!(status.as_u16(), 401);
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("Client authentication failed"));
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("Client authentication failed") && !text.contains("region"), "{text}");
    assert!(err.is_unauthorized());
}

#[tokio::test]
async fn a_per_request_header_wins_over_a_default_one() {
    let server = scripted(vec![json(200, json!({})), json(200, json!({}))]).await;
    let pd = RestClient::builder("token-abcdefgh-1234")
        .base_url(&server.url)
        .default_header("X-EARLY-ACCESS", "default-feature")
        .build()
        .unwrap();
    let _: Value = pd.request(Method::GET, "/things").header("X-EARLY-ACCESS", "per-request").json().await.unwrap();
    let _: Value = pd.jget("/things").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].header("x-early-access"), Some("per-request"));
    assert_eq!(seen[1].header("x-early-access"), Some("default-feature"));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3));
    let server = scripted(vec![Reply::Http(429, vec![("retry-after", at)], "{}".into()), json(200, json!({}))]).await;
    let waits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = waits.clone();
    let policy = fast().on_retry(move |_, wait, _| log.lock().unwrap().push(wait));
    let pd = RestClient::builder("token-abcdefgh-1234").base_url(&server.url).retry(policy).build().unwrap();
    let _: Value = pd.jget("/users").await.unwrap();
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    // The date has a resolution of one second (so 2 to 3 s from when it was written, less the
    // time to answer): the wait is the date's, not a 5 ms backoff.
    assert!(waits[0] >= Duration::from_millis(1000) && waits[0] <= Duration::from_secs(3), "{waits:?}");
}

#[tokio::test]
async fn an_absurd_rate_limit_hint_is_reported_not_waited_out() {
    let server = scripted(vec![Reply::Http(
        429,
        vec![("ratelimit-reset", "86400".into())],
        json!({"error": {"code": 2020, "message": "Daily limit"}}).to_string(),
    )])
    .await;
    let started = Instant::now();
    let err = client(&server.url).jget::<Value>("/analytics/metrics/incidents/all").await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(86400)),
        "{err:?}"
    );
    assert!(err.is_rate_limited());
    assert_eq!(err.code(), Some(2020));
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A `Retry-After` date millennia away is reported with a wait a caller can add to a clock
/// (at most 10^9 seconds), not one that overflows `Instant + Duration`.
#[tokio::test]
async fn a_retry_after_date_millennia_away_is_reported_with_a_bounded_wait() {
    let server = scripted(vec![Reply::Http(
        429,
        vec![("retry-after", "Wed, 21 Oct 7220 07:28:00 GMT".into())],
        json!({"error": {"code": 2020, "message": "Rate limit"}}).to_string(),
    )])
    .await;
    let started = Instant::now();
    let err = client(&server.url).jget::<Value>("/users").await.unwrap_err();
    let Error::RateLimited { retry_after, .. } = err else { panic!("{err:?}") };
    assert_eq!(retry_after, Duration::from_secs(1_000_000_000));
    assert!(Instant::now().checked_add(retry_after).is_some());
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// An error keeps the body it came with, to be read on purpose, but its `Debug` (what `unwrap`
/// and `{:?}` in a log print) shows only the body's length: a body may hold a credential.
#[tokio::test]
async fn an_errors_debug_never_shows_the_body_it_keeps() {
    let secret = "R0UTING-KEY-0123456789abcdef";
    let undecodable = json!({"integration": {"id": 5, "integration_key": secret}}).to_string();
    let refused =
        json!({"error": {"message": "Invalid Input Provided", "code": 2001}, "integration_key": secret}).to_string();
    let server =
        scripted(vec![Reply::Http(200, vec![], undecodable.clone()), Reply::Http(400, vec![], refused.clone())]).await;
    let pd = client(&server.url);
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Integration {
        id: String,
    }
    let decode = pd.rget::<Integration>("/services/PSVC/integrations/PINT").await.unwrap_err();
    let api = pd.rget::<Value>("/services/PSVC/integrations/PINT").await.unwrap_err();
    for err in [&decode, &api] {
        let debug = format!("{err:?}");
        assert!(!debug.contains(secret), "{debug}");
        assert!(debug.contains(" bytes>"), "{debug}");
        assert!(!err.to_string().contains(secret));
    }
    // The entity that did not decode (unwrapped from `integration`), and the refusal as sent.
    let Error::Decode { body, path, .. } = decode else { panic!("{decode:?}") };
    let kept: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((kept, path.as_str()), (json!({"id": 5, "integration_key": secret}), "id"));
    assert_eq!(&api.api().unwrap().body[..], refused.as_bytes());
}

#[tokio::test]
async fn typed_errors_name_the_host_and_status() {
    let server = scripted(vec![Reply::Http(401, vec![], json!({"error": {"message": "Bad token"}}).to_string())]).await;
    let err: Error = client(&server.url).api().get_user().id("PABC").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
}

#[tokio::test]
async fn statuses_the_operation_does_not_declare_are_read_as_pagerduty_sends_them() {
    // `getUser` declares 200 and a set of 4xx: a 202 with a user is still the user, a 409 is
    // still PagerDuty's error with its message; neither is retried.
    let conflict = json!({"error": {"code": 2001, "message": "Conflict", "errors": ["already there"]}});
    let server = scripted(vec![json(202, json!({"user": {"id": "PABC"}})), json(409, conflict)]).await;
    let pd = client(&server.url);
    let user = pd.api().get_user().id("PABC").send().await.unwrap();
    assert_eq!(user.status().as_u16(), 202);
    assert_eq!(user.into_inner().user.and_then(|u| u.id).as_deref(), Some("PABC"));
    let err: Error = pd.api().get_user().id("PABC").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{err}");
    let api = err.api().expect("an API error");
    assert_eq!(
        (api.code, api.message.as_deref(), api.errors.clone()),
        (Some(2001), Some("Conflict"), vec!["already there".to_string()])
    );
    assert_eq!(server.requests().len(), 2, "neither answer is retried");
}

#[test]
fn credentials_in_typed_records_are_redacted_in_debug() {
    let user: pdrs::rest::types::User = serde_json::from_value(json!({
        "id": "PABC",
        "http_cal_url": "https://acme.pagerduty.com/private/feed/SECRETKEY",
        "web_cal_url": "webcal://acme.pagerduty.com/private/feed/SECRETKEY"
    }))
    .unwrap();
    let text = format!("{user:?}");
    assert!(!text.contains("SECRETKEY"), "{text}");
    assert!(text.contains("PABC") && text.contains("<redacted>"));
}

#[tokio::test]
async fn server_text_is_sanitized_and_shortened_in_errors() {
    let message = format!("\x1b[2J\x1b[31mgotcha{}", "A".repeat(10 * 1024 * 1024));
    let server =
        scripted(vec![Reply::Http(400, vec![], json!({"error": {"message": message, "code": 2001}}).to_string())])
            .await;
    let err = client(&server.url).jget::<Value>("/users").await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('\x1b'), "control characters escaped");
    assert!(text.len() < 2000, "{} bytes", text.len());
    assert_eq!(err.code(), Some(2001));
}

#[tokio::test]
async fn the_oauth_token_endpoint_does_not_follow_redirects_elsewhere() {
    let elsewhere = serve(|_: &Seen| json(200, json!({"access_token": "stolen"}))).await;
    let identity =
        scripted(vec![Reply::Http(307, vec![("location", format!("{}/oauth/token", elsewhere.url))], String::new())])
            .await;
    let oauth =
        OAuthClient::new("cid", Some(Secret::new("client-secret"))).unwrap().identity_url(&identity.url).unwrap();
    let err = oauth.client_credentials(&["incidents.read"]).await.unwrap_err();
    assert!(matches!(err, Error::RedirectRefused { .. }), "{err:?}");
    assert!(elsewhere.requests().is_empty(), "the client secret went elsewhere");
}
