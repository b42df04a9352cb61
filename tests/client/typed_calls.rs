//! Typed (generated) calls go through pdrs's pipeline: headers, auth, decoding.

use futures::TryStreamExt;
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

/// The triage of the issue that found these: acknowledge a triggered incident and add a note,
/// typed, against the mock. The update's body is built with setters and `Default`, which holds
/// the `type` PagerDuty requires; the note's status is whatever the mock answers (the
/// document's 200, where PagerDuty itself may answer 201), and either is the note.
#[cfg(feature = "mock")]
#[tokio::test]
async fn a_typed_triage_acknowledges_and_notes_against_the_mock() {
    use pdrs::mock::{MockConfig, MockServer, Seed};
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().incidents(3))).await.unwrap();
    let pd = pdrs::RestClient::builder("triage-token")
        .base_url(mock.url())
        .default_from("oncall@example.com")
        .build()
        .unwrap();
    let listed = |status: types::ListIncidentsStatusesItem| {
        pd.api().list_incidents().statuses(vec![status]).stream().try_collect::<Vec<types::Incident>>()
    };
    let triggered = listed(types::ListIncidentsStatusesItem::Triggered).await.unwrap();
    let acknowledged_before = listed(types::ListIncidentsStatusesItem::Acknowledged).await.unwrap().len();
    assert!(!triggered.is_empty());
    for incident in &triggered {
        let id = incident.id.as_deref().unwrap();
        let update = types::UpdateIncidentBody::default()
            .incident(types::UpdateIncidentBodyIncident::default().status(types::IncidentStatus::Acknowledged));
        let acknowledged = pd.api().update_incident().id(id).body(update).send().await.unwrap().into_inner();
        assert_eq!(acknowledged.incident.and_then(|i| i.status), Some(types::IncidentStatus::Acknowledged));
        let note = types::CreateIncidentNoteBody::default()
            .note(types::CreateIncidentNoteBodyNote::default().content("on it"));
        let created = pd.api().create_incident_note().id(id).body(note).send().await.unwrap().into_inner();
        assert_eq!(created.note.and_then(|n| n.content).as_deref(), Some("on it"));
    }
    let acknowledged = listed(types::ListIncidentsStatusesItem::Acknowledged).await.unwrap();
    assert_eq!(acknowledged.len(), acknowledged_before + triggered.len());
    assert!(listed(types::ListIncidentsStatusesItem::Triggered).await.unwrap().is_empty());
}

/// What PagerDuty says stays in the typed error, whether or not the document declares the
/// status: the mock's 400 for a missing `From` (`PUT /incidents/{id}` declares no 400).
#[cfg(feature = "mock")]
#[tokio::test]
async fn pagerdutys_message_reaches_the_typed_error_for_any_status() {
    use pdrs::mock::{MockConfig, MockServer, Seed};
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().incidents(1))).await.unwrap();
    let pd = pdrs::RestClient::builder("no-from-token").base_url(mock.url()).build().unwrap();
    let op = pdrs::spec::find("PUT", "/incidents/{id}").unwrap();
    assert!(!op.params.is_empty() || op.success == 200, "the operation as the document has it");
    let update = types::UpdateIncidentBody::default()
        .incident(types::UpdateIncidentBodyIncident::default().status(types::IncidentStatus::Resolved));
    let err = pd.api().update_incident().id("PI00000").body(update).send().await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status.as_u16(), 400);
    assert!(api.message.as_deref().unwrap_or_default().contains("\"From\" header"), "{err}");
    assert!(err.to_string().contains("From"), "{err}");
}

/// A body without a field PagerDuty requires is refused before sending; a required field of
/// one kind (`incident.type`) is filled by the type's `Default`.
#[tokio::test]
async fn a_body_pagerduty_would_refuse_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"incident": {"id": "PI1"}, "note": {"id": "N1"}}));
        })
        .await;
    let pd = pdrs::RestClient::builder("required-token").base_url(server.base_url()).build().unwrap();
    // `note.content` is required and has no default.
    let empty_note = types::CreateIncidentNoteBody::default().note(types::CreateIncidentNoteBodyNote::default());
    let err = pd.api().create_incident_note().id("PI1").body(empty_note).send().await.unwrap_err();
    assert!(err.is_refused_before_sending(), "{err:?}");
    assert!(err.to_string().contains("note.content"), "{err}");
    // No `incident` at all.
    let err = pd.api().update_incident().id("PI1").body(types::UpdateIncidentBody::default()).send().await;
    assert!(err.unwrap_err().to_string().contains("lacks incident,"));
    assert_eq!(anything.calls_async().await, 0, "nothing was sent");
    anything.delete_async().await;

    // `..Default::default()` holds the `type` PagerDuty requires.
    let update = types::UpdateIncidentBodyIncident { title: Some("renamed".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&update).unwrap(), json!({"title": "renamed", "type": "incident"}));
    let sent = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::PUT)
                .path("/incidents/PI1")
                .json_body(json!({"incident": {"title": "renamed", "type": "incident"}}));
            then.status(200).json_body(json!({"incident": {"id": "PI1", "title": "renamed"}}));
        })
        .await;
    let body = types::UpdateIncidentBody::default().incident(update);
    pd.api().update_incident().id("PI1").body(body).send().await.unwrap();
    sent.assert_calls_async(1).await;
}

/// Request and response enums with the same values are one type.
#[test]
fn enums_with_the_same_values_are_one_type() {
    let status: types::UpdateIncidentBodyIncidentStatus = types::IncidentStatus::Acknowledged;
    let back: types::IncidentStatus = status;
    assert_eq!(back.as_str(), "acknowledged");
}
