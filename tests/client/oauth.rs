//! OAuth: token requests, PKCE, and a token source that refreshes before expiry.

use base64::Engine;
use httpmock::prelude::*;
use pdrs::oauth::{OAuthClient, Pkce, Token, TokenSource};
use pdrs::{RestClient, Secret};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[tokio::test]
async fn client_credentials_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("client_id", "app-id")
                .form_urlencoded_tuple("client_secret", "app-secret")
                .form_urlencoded_tuple("scope", "as_account-us.acme incidents.read");
            then.status(200).json_body(
                json!({"access_token": "tok-1", "token_type": "bearer", "expires_in": 3600, "scope": "incidents.read"}),
            );
        })
        .await;
    let oauth =
        OAuthClient::new("app-id", Some(Secret::new("app-secret"))).unwrap().identity_url(&server.base_url()).unwrap();
    let t = oauth.client_credentials(&["as_account-us.acme", "incidents.read"]).await.unwrap();
    token.assert_async().await;
    assert_eq!(t.access_token.expose(), "tok-1");
    assert!(!t.expires_within(std::time::Duration::from_secs(3000)));
    assert!(t.expires_within(std::time::Duration::from_secs(3700)));
}

#[test]
fn pkce_challenge_is_base64url_sha256_unpadded() {
    let pkce = Pkce::new();
    let verifier = pkce.verifier.expose();
    assert!((43..=128).contains(&verifier.len()));
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(pkce.challenge, expected);
    assert!(!pkce.challenge.contains('='));
    // RFC 7636 appendix B.
    assert_eq!(
        Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge,
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let oauth = OAuthClient::new("cid", None).unwrap();
    let url = oauth.authorize_url("https://app.example.com/cb", &["read"], "xyz", Some(&pkce));
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(query.contains(&("code_challenge_method".into(), "S256".into())));
    assert!(query.contains(&("code_challenge".into(), pkce.challenge.clone())));
}

async fn token_source_run(expires_in_secs: i64) -> (usize, Vec<String>) {
    let server = MockServer::start_async().await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("refresh_token", "r-1");
            then.status(200)
                .json_body(json!({"access_token": "fresh-token", "expires_in": 3600, "refresh_token": "r-2"}));
        })
        .await;
    let api_fresh = server
        .mock_async(|when, then| {
            when.method(GET).path("/abilities").header("authorization", "Bearer fresh-token");
            then.status(200).json_body(json!({"abilities": ["fresh"]}));
        })
        .await;
    let api_old = server
        .mock_async(|when, then| {
            when.method(GET).path("/abilities").header("authorization", "Bearer old-token");
            then.status(200).json_body(json!({"abilities": ["old"]}));
        })
        .await;
    let oauth = OAuthClient::new("cid", Some(Secret::new("cs"))).unwrap().identity_url(&server.base_url()).unwrap();
    let start = Token::new(
        "old-token",
        Some(chrono::Utc::now() + chrono::Duration::seconds(expires_in_secs)),
        Some(Secret::new("r-1")),
    );
    let source = Arc::new(TokenSource::new(oauth, start, &[]));
    let pd = RestClient::builder("unused").token_source(source).base_url(server.base_url()).build().unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let body: Value = pd.jget("/abilities").await.unwrap();
        seen.push(body["abilities"][0].as_str().unwrap().to_string());
    }
    let refreshes = refresh.calls_async().await;
    let _ = (api_fresh, api_old);
    (refreshes, seen)
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_once() {
    let (refreshes, seen) = token_source_run(30).await;
    assert_eq!(refreshes, 1);
    assert_eq!(seen, ["fresh", "fresh", "fresh"]);
}

#[tokio::test]
async fn a_fresh_token_is_not_refreshed() {
    let (refreshes, seen) = token_source_run(7200).await;
    assert_eq!(refreshes, 0);
    assert_eq!(seen, ["old", "old", "old"]);
}

/// An OAuth client whose token endpoint (a local server, kept alive by the first value)
/// answers every token request with `status` and `body`.
async fn token_endpoint(status: u16, body: Value) -> (MockServer, OAuthClient) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(status).json_body(body);
        })
        .await;
    let oauth = OAuthClient::new("app-id", None).unwrap().identity_url(&server.base_url()).unwrap();
    (server, oauth)
}

/// An `expires_in` no clock can hold (or a negative one) is a token that expires at a time pdrs
/// can represent, not a panic: a huge one is capped at ten years, a negative one has expired.
#[tokio::test]
async fn absurd_expires_in_values_give_a_token_not_a_panic() {
    let year = std::time::Duration::from_secs(365 * 86_400);
    for (expires_in, expired, within_ten_years) in
        [(json!(i64::MAX), false, true), (json!(10_000_000_000_000i64), false, true), (json!(-5), true, true)]
    {
        let (_server, oauth) = token_endpoint(200, json!({"access_token": "tok-1", "expires_in": expires_in})).await;
        let token = oauth.client_credentials(&["read"]).await.unwrap();
        assert_eq!(token.expires_within(std::time::Duration::ZERO), expired, "{expires_in}");
        assert_eq!(token.expires_within(10 * year + year / 10), within_ten_years, "{expires_in}");
    }
}

/// A refused token request's `error` and `error_description` are shown with control characters
/// escaped: a server cannot write terminal escapes or fake lines into a log through them.
#[tokio::test]
async fn a_refusal_is_shown_without_the_servers_control_characters() {
    let (_server, oauth) = token_endpoint(
        400,
        json!({"error": "invalid_grant\u{1b}[2J\nlevel=info", "error_description": "expired\r\nX: 1"}),
    )
    .await;
    let err = oauth.client_credentials(&["read"]).await.unwrap_err();
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("invalid_grant\\u{1b}[2J\\nlevel=info"), "{shown}");
    assert!(matches!(err, pdrs::Error::OAuth { ref error, .. } if error == "invalid_grant\u{1b}[2J\nlevel=info"));
}

/// A token answer that does not decode is an error that holds none of the answer's tokens,
/// in its text or its `Debug`.
#[tokio::test]
async fn an_undecodable_token_answer_keeps_no_token_in_the_error() {
    let (_server, oauth) = token_endpoint(200, json!({"access_token": "pdus+_0XBPWQQ_secret_value", "refresh_token": "pdre+_refresh_value", "expires_in": "3600"})).await;
    let err = oauth.client_credentials(&["read"]).await.unwrap_err();
    assert!(matches!(err, pdrs::Error::Decode { .. }), "{err:?}");
    let (debug, text) = (format!("{err:?}"), err.to_string());
    for token in ["pdus+_0XBPWQQ_secret_value", "pdre+_refresh_value"] {
        assert!(!debug.contains(token) && !text.contains(token), "{debug} / {text}");
    }
    let pdrs::Error::Decode { body, path, .. } = err else { unreachable!() };
    assert!(!String::from_utf8_lossy(&body).contains("secret_value"));
    assert_eq!(path, "expires_in", "the error names the field that does not fit");
}

/// Token requests go through the request pipeline like every API call: a 429 from the token
/// endpoint is waited out and retried (not an error at once), the call is counted, and the
/// `User-Agent` is pdrs's.
#[tokio::test]
async fn token_requests_go_through_the_pipeline() {
    let server = crate::support::scripted(vec![
        crate::support::Reply::Http(429, vec![("ratelimit-reset", "0".into())], String::new()),
        crate::support::json(200, json!({"access_token": "tok-after-429", "expires_in": 3600})),
    ])
    .await;
    let oauth = OAuthClient::new("app-id", Some(Secret::new("app-secret"))).unwrap().identity_url(&server.url).unwrap();
    let token = oauth.client_credentials(&["incidents.read"]).await.unwrap();
    assert_eq!(token.access_token.expose(), "tok-after-429");
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "the 429 was retried");
    assert!(seen[1].header("user-agent").is_some_and(|ua| ua.starts_with("pdrs/")), "{:?}", seen[1].headers);
    assert_eq!(oauth.api_call_counts().get("POST /oauth/token"), Some(&2));
}

/// An ID token (unsigned for the test: pdrs reads its claims, not its signature) with `claims`.
fn id_token(claims: Value) -> String {
    let part = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.signature", part(&json!({"alg": "RS256"})), part(&claims))
}

/// A token source whose client-credentials answer carries `id_token`.
async fn source_with(server: &MockServer, id_token: String) -> Arc<TokenSource> {
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/oauth/token");
            then.status(200).json_body(json!({"access_token": "tok-eu", "expires_in": 3600, "id_token": id_token}));
        })
        .await;
    let oauth = OAuthClient::new("app-id", Some(Secret::new("s"))).unwrap().identity_url(&server.base_url()).unwrap();
    let token = oauth.client_credentials(&["incidents.read"]).await.unwrap();
    Arc::new(TokenSource::new(oauth, token, &["incidents.read"]))
}

#[tokio::test]
async fn an_account_in_the_eu_region_is_called_on_the_eu_hosts() {
    let server = MockServer::start_async().await;
    let source = source_with(&server, id_token(json!({"sub": "u", "region": "EU", "subdomain": "acme"}))).await;
    assert_eq!(source.region(), Some(pdrs::Region::Eu));
    let pd = RestClient::builder_token_source(source.clone()).build().unwrap();
    assert_eq!(pd.base_url().as_str(), "https://api.eu.pagerduty.com/");
    let scim = RestClient::builder_token_source(source.clone()).build_scim().unwrap();
    assert!(scim.raw().base_url().as_str().starts_with("https://api.eu.pagerduty.com/"), "{}", scim.raw().base_url());
    // The Events API (no OAuth token of its own) goes to the account's region too.
    let events = pdrs::EventsClient::builder("0123456789abcdef0123456789abcdef").region_of(&source).build().unwrap();
    assert_eq!(pdrs::rest::ClientInfo::baseurl(events.api()), "https://events.eu.pagerduty.com/v2");
    // A region set the same way is fine; another one is an error that says so.
    assert!(RestClient::builder_token_source(source.clone()).region(pdrs::Region::Eu).build().is_ok());
    let err = RestClient::builder_token_source(source).region(pdrs::Region::Us).build().unwrap_err();
    assert!(err.to_string().contains("OAuth token is for the account's Eu region"), "{err}");
}

#[tokio::test]
async fn the_region_comes_from_an_eu_audience_and_defaults_to_the_us() {
    let server = MockServer::start_async().await;
    let source = source_with(&server, id_token(json!({"aud": ["https://app.eu.pagerduty.com"]}))).await;
    assert_eq!(source.region(), Some(pdrs::Region::Eu));
    let other = MockServer::start_async().await;
    let source = source_with(&other, "not a jwt".into()).await;
    assert_eq!(source.region(), None);
    let pd = RestClient::builder_token_source(source).build().unwrap();
    assert_eq!(pd.base_url().as_str(), "https://api.pagerduty.com/");
}
