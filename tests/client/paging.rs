//! Pagination streams, find/persist and metrics, against httpmock on loopback.

use futures::StreamExt;
use httpmock::prelude::*;
use pdrs::{Error, ListOptions, RestClient};
use serde_json::{json, Value};

fn client(server: &MockServer) -> RestClient {
    crate::support::client(&server.base_url())
}

fn users(from: usize, n: usize) -> Vec<Value> {
    (from..from + n).map(|i| json!({"id": format!("P{i:06}"), "name": format!("User {i}"), "type": "user"})).collect()
}

#[tokio::test]
async fn offset_paging_over_three_pages() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 0..3 {
        let offset = page * 10;
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/users")
                        .query_param("limit", "10")
                        .query_param("offset", offset.to_string())
                        .query_param("total", "true");
                    then.status(200).json_body(json!({
                        "users": users(offset, 10), "limit": 10, "offset": offset, "total": 30, "more": page < 2
                    }));
                })
                .await,
        );
    }
    let pd = client(&server);
    let all: Vec<Value> = pd.list_all("/users", ListOptions::new().page_size(10).total(true)).await.unwrap();
    assert_eq!(all.len(), 30);
    for (i, u) in all.iter().enumerate() {
        assert_eq!(u["id"], format!("P{i:06}"));
    }
    for m in mocks {
        m.assert_calls_async(1).await;
    }
    assert_eq!(pd.api_call_counts().get("GET /users"), Some(&3));
}

#[tokio::test]
async fn an_error_page_ends_the_stream_with_the_error() {
    let server = MockServer::start_async().await;
    for page in 0..3 {
        let offset = page * 10;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/users").query_param("offset", offset.to_string());
                then.status(200).json_body(json!({"users": users(offset, 10), "more": true}));
            })
            .await;
    }
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users").query_param("offset", "30");
            then.status(400)
                .json_body(json!({"error": {"code": 2001, "message": "Invalid Input Provided", "errors": ["bad"]}}));
        })
        .await;
    let pd = client(&server);
    let results: Vec<Result<Value, Error>> = pd.iter_all("/users", ListOptions::new().page_size(10)).collect().await;
    assert_eq!(results.len(), 31);
    assert!(results[..30].iter().all(Result::is_ok));
    let err = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("2001"), "{err}");
}

#[tokio::test]
async fn the_offset_cap_is_an_error_not_a_silent_stop() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/incidents").query_param("offset", "9901").query_param("limit", "99");
            then.status(200).json_body(json!({"incidents": users(9901, 99), "more": true}));
        })
        .await;
    let pd = client(&server);
    let results: Vec<Result<Value, Error>> =
        pd.iter_all("/incidents", ListOptions::new().param("offset", 9901)).collect().await;
    page.assert_calls_async(1).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 99);
    match results.last().unwrap() {
        Err(Error::PaginationCap { yielded, .. }) => assert_eq!(*yielded, 99),
        other => panic!("expected the cap error, got {other:?}"),
    }
}

/// The cap error's advice follows the listing: `iter_history` where the listing takes `since`
/// and `until`, else the listing's own filters.
#[tokio::test]
async fn the_cap_error_advises_what_reads_the_rest_of_that_listing() {
    let server = MockServer::start_async().await;
    for path in ["/incidents", "/users"] {
        let key = path.trim_start_matches('/');
        server
            .mock_async(|when, then| {
                when.method(GET).path(path).query_param("offset", "9901");
                then.status(200).json_body(json!({ key: users(9901, 99), "more": true }));
            })
            .await;
    }
    let pd = client(&server);
    let last_error = |path: &'static str| {
        let pd = pd.clone();
        async move {
            let results: Vec<Result<Value, Error>> =
                pd.iter_all(path, ListOptions::new().param("offset", 9901)).collect().await;
            match results.last() {
                Some(Err(Error::PaginationCap { hint, .. })) => hint.clone(),
                other => panic!("{path}: expected the cap error, got {other:?}"),
            }
        }
    };
    let incidents = last_error("/incidents").await;
    assert!(incidents.contains("iter_history"), "{incidents}");
    let users = last_error("/users").await;
    assert!(!users.contains("iter_history"), "/users takes no since/until: {users}");
    assert!(users.contains("query") && users.contains("team_ids[]"), "names /users's filters: {users}");
    assert!(!users.contains("limit") && !users.contains("offset"), "paging is not a filter: {users}");
}

/// `iter_history` over a listing that cannot be split by time is refused before any request,
/// with the listing's filters as the advice.
#[tokio::test]
async fn iter_history_on_a_listing_without_since_and_until_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let anything = server.mock_async(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"users": [], "more": false}));
    });
    let anything = anything.await;
    let pd = client(&server);
    let now = chrono::Utc::now();
    let results: Vec<Result<Value, Error>> =
        pd.iter_history("/users", now - chrono::Duration::days(1), now, ListOptions::new()).collect().await;
    assert_eq!(anything.calls_async().await, 0, "nothing was sent");
    match results.as_slice() {
        [Err(e @ Error::InvalidInput(message))] => {
            assert!(e.is_refused_before_sending());
            assert!(message.contains("since") && message.contains("query"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// A listing the document does not page (`/incidents/{id}/notes`) is one answer holding its
/// records: `list_all` returns them, as pdpyras does, after one request.
#[tokio::test]
async fn list_all_on_a_listing_the_document_does_not_page_returns_its_records() {
    let server = MockServer::start_async().await;
    let notes = server
        .mock_async(|when, then| {
            when.method(GET).path("/incidents/PI1/notes");
            then.status(200).json_body(json!({"notes": [{"id": "N1", "content": "a"}, {"id": "N2", "content": "b"}]}));
        })
        .await;
    let pd = client(&server);
    let all: Vec<Value> = pd.list_all("/incidents/PI1/notes", ListOptions::new()).await.unwrap();
    let contents: Vec<&str> = all.iter().filter_map(|n| n["content"].as_str()).collect();
    assert_eq!(contents, ["a", "b"]);
    notes.assert_calls_async(1).await;
    let typed: Vec<pdrs::rest::types::IncidentNote> =
        pd.list_all("/incidents/PI1/notes", ListOptions::new()).await.unwrap();
    assert_eq!(typed[1].content.as_deref(), Some("b"));
    // A single resource is still not a list.
    let single: Result<Vec<Value>, Error> = pd.list_all("/users/PABC", ListOptions::new()).await;
    assert!(matches!(single, Err(Error::NotPaged(_))), "{single:?}");
}

#[tokio::test]
async fn cursor_endpoints_page_by_cursor_even_through_iter_all() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET).path("/audit/records").query_param_missing("cursor").query_param_missing("offset");
            then.status(200).json_body(json!({"records": users(0, 3), "next_cursor": "2", "limit": 3}));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET).path("/audit/records").query_param("cursor", "2");
            then.status(200).json_body(json!({"records": users(3, 3), "next_cursor": "5"}));
        })
        .await;
    let last = server
        .mock_async(|when, then| {
            when.method(GET).path("/audit/records").query_param("cursor", "5");
            then.status(200).json_body(json!({"records": users(6, 3), "next_cursor": null}));
        })
        .await;
    let pd = client(&server);
    let all: Vec<Value> = pd.list_all("/audit/records", ListOptions::new()).await.unwrap();
    assert_eq!(all.len(), 9);
    assert_eq!(all[8]["id"], "P000008");
    for m in [first, second, last] {
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn find_matches_exactly_ignoring_case() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/users").query_param("query", "ann");
            then.status(200).json_body(json!({"users": [
                {"id": "P1", "name": "Annabel"}, {"id": "P2", "name": "ANN"}, {"id": "P3", "name": "ann"}
            ], "more": false}));
        })
        .await;
    let pd = client(&server);
    let found = pd.find("/users", "ann", "name").await.unwrap().unwrap();
    assert_eq!(found["id"], "P2");
    assert!(pd.find("/users", "ann", "email").await.unwrap().is_none());
}

#[tokio::test]
async fn persist_creates_updates_or_leaves_alone() {
    let server = MockServer::start_async().await;
    let pd = client(&server);
    let values = json!({"name": "Ops", "description": "new"});

    // Nothing found: created.
    let mut search = server
        .mock_async(|when, then| {
            when.method(GET).path("/teams").query_param("query", "Ops");
            then.status(200).json_body(json!({"teams": [], "more": false}));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/teams").json_body(json!({"team": {"name": "Ops", "description": "new"}}));
            then.status(201).json_body(json!({"team": {"id": "PT1", "name": "Ops", "description": "new"}}));
        })
        .await;
    let created = pd.persist("/teams", "name", &values, true).await.unwrap();
    assert_eq!(created["id"], "PT1");
    create.assert_calls_async(1).await;
    search.delete_async().await;

    // Found and different: updated.
    let self_url = format!("{}/teams/PT1", server.base_url());
    search = server
        .mock_async(|when, then| {
            when.method(GET).path("/teams").query_param("query", "Ops");
            then.status(200).json_body(
                json!({"teams": [{"id": "PT1", "name": "Ops", "description": "old", "self": self_url}], "more": false}),
            );
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PUT).path("/teams/PT1").json_body_includes(r#"{"team": {"description": "new"}}"#);
            then.status(200).json_body(json!({"team": {"id": "PT1", "name": "Ops", "description": "new"}}));
        })
        .await;
    let updated = pd.persist("/teams", "name", &values, true).await.unwrap();
    assert_eq!(updated["description"], "new");
    update.assert_calls_async(1).await;
    search.delete_async().await;

    // Found and equal: left alone.
    server
        .mock_async(|when, then| {
            when.method(GET).path("/teams").query_param("query", "Ops");
            then.status(200)
                .json_body(json!({"teams": [{"id": "PT1", "name": "Ops", "description": "new"}], "more": false}));
        })
        .await;
    let same = pd.persist("/teams", "name", &values, true).await.unwrap();
    assert_eq!(same["id"], "PT1");
    update.assert_calls_async(1).await;
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn metrics_use_canonical_paths() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/users/PABC/contact_methods");
            then.status(201).json_body(json!({"contact_method": {"id": "PC1"}}));
        })
        .await;
    let pd = client(&server);
    let cm: Value = pd.rpost("/users/PABC/contact_methods", &json!({"type": "email_contact_method"})).await.unwrap();
    assert_eq!(cm["id"], "PC1");
    assert_eq!(pd.api_call_counts().get("POST /users/{id}/contact_methods"), Some(&1));
    assert!(pd.api_time().contains_key("POST /users/{id}/contact_methods"));
}

#[tokio::test]
async fn concurrent_prefetch_keeps_order_and_fetches_each_page_once() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 0..5 {
        let offset = page * 10;
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/users")
                        .query_param("offset", offset.to_string())
                        .query_param("limit", "10");
                    then.status(200)
                        .delay(std::time::Duration::from_millis(if page == 1 { 60 } else { 5 }))
                        .json_body(json!({"users": users(offset, 10), "total": 50, "more": page < 4}));
                })
                .await,
        );
    }
    let pd = client(&server);
    let all: Vec<Value> = pd.list_all("/users", ListOptions::new().page_size(10).concurrency(3)).await.unwrap();
    assert_eq!(all.len(), 50);
    assert!(all.iter().enumerate().all(|(i, u)| u["id"] == format!("P{i:06}")));
    for m in mocks {
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn the_total_is_watched_as_the_listing_goes() {
    let server = MockServer::start_async().await;
    // The collection grows by one after the first page: the watch follows.
    for (offset, total, n, more) in [(0, 5, 2, true), (2, 6, 2, true), (4, 6, 2, false)] {
        server
            .mock_async(move |when, then| {
                when.method(GET).path("/users").query_param("offset", offset.to_string()).query_param("total", "true");
                then.status(200).json_body(json!({"users": users(offset, n), "more": more, "total": total}));
            })
            .await;
    }
    let pd = client(&server);
    let watch = pdrs::TotalWatch::new();
    let mut stream = pd.iter_all::<Value>("/users", ListOptions::new().page_size(2).watch_total(&watch));
    assert_eq!(watch.get(), None, "nothing read yet");
    let mut seen = Vec::new();
    while let Some(user) = stream.next().await {
        user.unwrap();
        seen.push(watch.get());
    }
    assert_eq!(seen.len(), 6);
    assert_eq!(seen.first(), Some(&Some(5)));
    assert_eq!(watch.get(), Some(6), "the latest page's total");
}
