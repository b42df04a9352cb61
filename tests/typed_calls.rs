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
