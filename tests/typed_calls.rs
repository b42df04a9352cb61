//! Typed (generated) calls go through pdrs's pipeline: headers, auth, decoding.

use httpmock::prelude::*;
use pdrs::prelude::*;
use pdrs::rest::types;
use serde_json::json;

#[tokio::test]
async fn list_users_sends_vendor_headers_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/users")
                .query_param("limit", "2")
                .header("accept", "application/vnd.pagerduty+json;version=2")
                .header("authorization", "Token token=secret-token-1234")
                .header("user-agent", concat!("pdrs/", env!("CARGO_PKG_VERSION")))
                .header_missing("api-version");
            then.status(200).json_body(json!({
                "users": [
                    {"id": "PABC123", "type": "user", "name": "Ann", "email": "ann@example.com", "role": "admin"},
                    {"id": "PDEF456", "type": "user", "name": "Bob", "role": "a_role_from_the_future"}
                ],
                "limit": 2, "offset": 0, "more": false, "total": null
            }));
        })
        .await;
    let pd = pdrs::RestClient::builder("secret-token-1234").base_url(server.base_url()).build().unwrap();
    let page = pd.api().list_users().limit(2).send().await.unwrap().into_inner();
    mock.assert_async().await;
    assert_eq!(page.more, Some(false));
    assert_eq!(page.users.len(), 2);
    assert_eq!(page.users[0].name.as_deref(), Some("Ann"));
    assert_eq!(page.users[0].role, Some(types::UserRoleValue::Admin));
    // A value the spec does not know is kept, not an error.
    assert_eq!(page.users[1].role, Some(types::UserRoleValue::Unknown("a_role_from_the_future".into())));
    assert_eq!(page.users[1].role.as_ref().unwrap().as_str(), "a_role_from_the_future");
}

#[tokio::test]
async fn only_one_accept_header_is_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/abilities").header_count("accept", ".*", 1);
            then.status(200).json_body(json!({"abilities": ["teams"]}));
        })
        .await;
    let pd = pdrs::RestClient::builder("t0ken-value-xyz").base_url(server.base_url()).build().unwrap();
    let abilities = pd.api().list_abilities().send().await.unwrap().into_inner();
    mock.assert_async().await;
    assert_eq!(abilities.abilities, vec!["teams".to_string()]);
}

#[test]
fn unknown_enum_values_round_trip() {
    let role: types::UserRoleValue = serde_json::from_value(json!("galactic_admin")).unwrap();
    assert_eq!(role, types::UserRoleValue::Unknown("galactic_admin".into()));
    assert_eq!(serde_json::to_value(&role).unwrap(), json!("galactic_admin"));
    let known: types::UserRoleValue = "observer".parse().unwrap();
    assert_eq!(known, types::UserRoleValue::Observer);
}

#[test]
fn debug_output_never_contains_the_token() {
    let pd = pdrs::RestClient::builder("super-secret-token-abcd").build().unwrap();
    let text = format!("{pd:?}");
    assert!(!text.contains("super-secret-token"), "{text}");
    assert!(text.contains("…abcd"), "{text}");
}

/// Typed calls return `pdrs::Error`: `?` works, with the same question methods as raw calls.
#[tokio::test]
async fn typed_calls_use_pdrs_error_with_question_mark() {
    async fn fetch(pd: &pdrs::RestClient, id: &str) -> Result<String, pdrs::Error> {
        let user = pd.api().get_user().id(id).send().await?.into_inner();
        Ok(user.user.and_then(|u| u.id).unwrap_or_default())
    }
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/users/P401");
            then.status(401).json_body(serde_json::json!({"error": {"message": "Invalid token", "code": 2006}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/users/P404");
            then.status(404).json_body(serde_json::json!({"error": {"message": "Not Found", "code": 2100}}));
        })
        .await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/users/P429");
            then.status(429).header("ratelimit-reset", "0").json_body(serde_json::json!({"error": {"code": 2020}}));
        })
        .await;
    let pd = pdrs::RestClient::builder("typed-token-0000")
        .base_url(server.base_url())
        .retry(pdrs::RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    let err = fetch(&pd, "P401").await.unwrap_err();
    assert!(err.is_unauthorized() && err.status().map(|s| s.as_u16()) == Some(401), "{err}");
    assert!(err.to_string().contains("127.0.0.1"), "names the host: {err}");
    let err = fetch(&pd, "P404").await.unwrap_err();
    assert!(err.is_not_found() && err.code() == Some(2100), "{err:?}");
    let err = fetch(&pd, "P429").await.unwrap_err();
    assert!(err.is_rate_limited() && err.code() == Some(2020), "{err:?}");
    limited.assert_calls_async(3).await;
}
