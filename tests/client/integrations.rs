//! SCIM paging and MCP calls on the shared pipeline.

use crate::support::{json, serve};
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
    let users: Vec<Value> = scim.iter_users(None, 2).try_collect().await.unwrap();
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

#[tokio::test]
async fn every_client_comes_from_one_builder_shape() {
    use pdrs::spec::Api;
    use pdrs::{ClientBuilder, Credential, EventsClient, McpClient, ScimClient};
    let server = serve(|req| {
        if req.target.starts_with("/v2/enqueue") {
            return json(202, json!({"status": "success", "message": "Event processed", "dedup_key": "k1"}));
        }
        json(200, json!({"id": "U1"}))
    })
    .await;
    // The same setters on each client's builder: base URL, retry, timeout, default headers.
    let scim = ScimClient::builder("scim-key-000000").base_url(&server.url).default_header("x-probe", "scim").build();
    let scim = scim.unwrap();
    assert_eq!(scim.raw().document(), Api::Scim);
    let _: Value = scim.raw().jget("/Users/U1").await.unwrap();
    let events = EventsClient::builder("R0UT1NGKEY00000000000000000000")
        .base_url(&server.url)
        .default_header("x-probe", "events")
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    assert_eq!(events.trigger("disk full", "db1").send().await.unwrap(), "k1");
    let mcp = McpClient::builder("mcp-key-0000000").base_url(&server.url).build().unwrap();
    assert_eq!(mcp.raw().document(), Api::Mcp);
    // A builder turned into another API's keeps its settings, credential included.
    let oauth = ClientBuilder::new(Credential::OAuth("oauth-tok-123456".into()))
        .base_url(&server.url)
        .for_client::<ScimClient>()
        .build()
        .unwrap();
    let _: Value = oauth.raw().jget("/Users/U1").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].target, "/scim/v2/Users/U1");
    assert_eq!(seen[0].header("x-probe"), Some("scim"));
    assert_eq!(seen[1].target, "/v2/enqueue");
    assert_eq!(seen[1].header("x-probe"), Some("events"));
    assert_eq!(seen[1].header("authorization"), None, "the Events API takes no Authorization header");
    assert_eq!(seen[2].header("authorization"), Some("Bearer oauth-tok-123456"));
    // An empty routing key is refused when building, before anything is sent.
    let err = EventsClient::builder("  ").base_url(&server.url).build().unwrap_err();
    assert!(matches!(err, pdrs::Error::Config(_)), "{err:?}");
}

#[test]
fn the_region_moves_every_pagerduty_host() {
    use pdrs::{EventsClient, Region, ScimClient};
    let scim = ScimClient::builder("scim-key-000000").region(Region::Eu).build().unwrap();
    assert_eq!(scim.raw().base_url().as_str(), "https://api.eu.pagerduty.com/scim/v2");
    let events = EventsClient::builder("R0UT1NGKEY00000000000000000000").region(Region::Eu).build().unwrap();
    assert!(format!("{events:?}").contains("https://events.eu.pagerduty.com/v2"), "{events:?}");
    let rest = RestClient::builder("rest-key-000000").region(Region::Eu).build().unwrap();
    assert_eq!(rest.base_url().as_str(), "https://api.eu.pagerduty.com/");
}
