//! SCIM paging and MCP calls on the shared pipeline.

mod common;

use common::{json, serve};
use futures::TryStreamExt;
use pdrs::RestClient;
use serde_json::{json, Value};

#[tokio::test]
async fn scim_pages_by_start_index() {
    let server = serve(|req| {
        if req.target.starts_with("/scim/v2/Users/") {
            return json(200, json!({"id": "U1", "userName": "u1@example.com"}));
        }
        let start: usize = req.param("startIndex").unwrap().parse().unwrap();
        let count: usize = req.param("count").unwrap().parse().unwrap();
        let users: Vec<Value> = (start..=5)
            .take(count)
            .map(|i| json!({"id": format!("U{i}"), "userName": format!("u{i}@example.com")}))
            .collect();
        json(
            200,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 5,
                         "itemsPerPage": users.len(), "startIndex": start, "Resources": users}),
        )
    })
    .await;
    let scim = RestClient::builder("scim-token-0000").base_url(&server.url).build_scim().unwrap();
    let users: Vec<Value> = scim.list_users(None, 2).try_collect().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["U1", "U2", "U3", "U4", "U5"]);
    let starts: Vec<String> = server.requests().iter().map(|r| r.param("startIndex").unwrap()).collect();
    assert_eq!(starts, ["1", "3", "5"]);
    let first = &server.requests()[0];
    assert!(first.target.starts_with("/scim/v2/Users?"), "{}", first.target);
    assert_eq!(first.header("accept"), Some("application/scim+json"));
    assert_eq!(first.header("authorization"), Some("Token token=scim-token-0000"));
    // The SCIM client reads SCIM's own operation table: metrics by SCIM's path templates.
    let user: Value = scim.raw().jget("/Users/U1").await.unwrap();
    assert_eq!(user["id"], "U1");
    let counts = scim.raw().api_call_counts();
    assert_eq!(counts.get("GET /Users"), Some(&3), "{counts:?}");
    assert_eq!(counts.get("GET /Users/{id}"), Some(&1), "{counts:?}");
}

#[tokio::test]
async fn mcp_call_body_and_result() {
    let server = serve(|req| {
        let body: Value = serde_json::from_str(&req.body).unwrap();
        json(200, json!({"jsonrpc": "2.0", "id": body["id"], "result": {"tools": [{"name": "list_incidents"}]}}))
    })
    .await;
    let mcp = RestClient::builder("mcp-token-00000").base_url(&server.url).build_mcp().unwrap();
    let result = mcp.call("tools/list", json!({})).await.unwrap();
    assert_eq!(result["tools"][0]["name"], "list_incidents");
    let seen = &server.requests()[0];
    assert_eq!((seen.method.as_str(), seen.target.as_str()), ("POST", "/mcp"));
    assert_eq!(
        serde_json::from_str::<Value>(&seen.body).unwrap(),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
    );
    assert_eq!(seen.header("accept"), Some("application/json, text/event-stream"));
}

#[tokio::test]
async fn jira_server_sends_the_signature_on_typed_calls() {
    let server = serve(|_| json(200, json!({"rules": [], "limit": 25, "offset": 0, "more": false}))).await;
    let jira = RestClient::builder("unused")
        .oauth_token("user-oauth-token-1")
        .base_url(&server.url)
        .build_jira_server("sig-token-xyz")
        .unwrap();
    use pdrs::jira_server::prelude::*;
    jira.get_rules().send().await.unwrap();
    let seen = &server.requests()[0];
    assert!(seen.target.starts_with("/integration-jira-service/rules"), "{}", seen.target);
    assert_eq!(seen.header("x-pagerduty-jira-signature"), Some("sig-token-xyz"));
    assert_eq!(seen.header("authorization"), Some("Bearer user-oauth-token-1"));
}
