//! Clients of PagerDuty's other APIs, each on the shared pipeline with its own base URL and
//! `Accept` header: SCIM, MCP, Slack, Jira Cloud, Jira Server and Microsoft Teams.
//!
//! Each starts from a [`RestClientBuilder`] (so auth, retries, timeouts and a test `base_url`
//! work the same way): `RestClient::builder(token).build_scim()?`.

use crate::spec::Api;
use crate::{Error, RestClient, RestClientBuilder, Result};
use futures::stream::BoxStream;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The SCIM API (`/scim/v2`): typed calls plus user listing as a stream.
#[derive(Clone, Debug)]
pub struct ScimClient {
    raw: RestClient,
    #[cfg(pdrs_scim)]
    api: crate::scim::Client,
}

impl ScimClient {
    /// The typed SCIM client.
    #[cfg(pdrs_scim)]
    pub fn api(&self) -> &crate::scim::Client {
        &self.api
    }

    /// The generic client on the SCIM base URL (raw and `j*` verbs).
    pub fn raw(&self) -> &RestClient {
        &self.raw
    }

    /// Every user, paged by `startIndex` (1-based) and `count`, optionally filtered
    /// (`userName eq "ann@example.com"`), with the checks of every listing (each user once,
    /// a typed error when the pages do not add up).
    pub fn list_users(&self, filter: Option<&str>, page_size: u32) -> BoxStream<'static, Result<Value>> {
        let pager = crate::pager::ScimPager::new(self.raw.clone(), filter.map(String::from), u64::from(page_size));
        crate::pager::records(pager)
    }
}

/// PagerDuty's MCP server: JSON-RPC 2.0 calls.
#[derive(Clone, Debug)]
pub struct McpClient {
    raw: RestClient,
    next_id: Arc<AtomicU64>,
}

impl McpClient {
    /// Calls `method` with `params`; returns the `result`, or the JSON-RPC `error` as
    /// [`Error::Api`].
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let mut reply: Value = self.raw.jpost("/mcp", &body).await?;
        if let Some(error) = reply.get("error") {
            return Err(Error::Api(Box::new(crate::ApiError {
                status: reqwest::StatusCode::OK,
                code: error.get("code").and_then(Value::as_i64),
                message: error.get("message").and_then(Value::as_str).map(String::from),
                errors: error.get("data").map(|d| vec![d.to_string()]).unwrap_or_default(),
                request_id: None,
                body: bytes::Bytes::from(reply.to_string()),
            })));
        }
        Ok(reply.get_mut("result").map(Value::take).unwrap_or(Value::Null))
    }

    /// The generic client on the MCP base URL.
    pub fn raw(&self) -> &RestClient {
        &self.raw
    }
}

impl RestClientBuilder {
    /// A SCIM client (`https://api.pagerduty.com/scim/v2`, `application/scim+json`).
    pub fn build_scim(self) -> Result<ScimClient> {
        let raw = self.build_for(Api::Scim, "https://api.pagerduty.com/scim/v2", "application/scim+json")?;
        Ok(ScimClient {
            #[cfg(pdrs_scim)]
            api: crate::scim::Client::new_with_client(
                raw.base(),
                raw.pipeline().http().clone(),
                raw.pipeline().clone(),
            ),
            raw,
        })
    }

    /// An MCP client (`https://mcp.pagerduty.com/mcp`).
    pub fn build_mcp(self) -> Result<McpClient> {
        let raw = self.build_for(Api::Mcp, "https://mcp.pagerduty.com", "application/json, text/event-stream")?;
        Ok(McpClient { raw, next_id: Arc::new(AtomicU64::new(1)) })
    }

    /// The typed Slack integration client (`/integration-slack`).
    #[cfg(pdrs_slack)]
    pub fn build_slack(self) -> Result<crate::slack::Client> {
        let raw = self.build_for(Api::Slack, "https://api.pagerduty.com/integration-slack", "application/json")?;
        Ok(crate::slack::Client::new_with_client(raw.base(), raw.pipeline().http().clone(), raw.pipeline().clone()))
    }

    /// The typed Jira Cloud integration client.
    #[cfg(pdrs_jira_cloud)]
    pub fn build_jira_cloud(self) -> Result<crate::jira_cloud::Client> {
        let raw = self.build_for(Api::JiraCloud, "https://api.pagerduty.com", "application/json")?;
        Ok(crate::jira_cloud::Client::new_with_client(
            raw.base(),
            raw.pipeline().http().clone(),
            raw.pipeline().clone(),
        ))
    }

    /// The typed Jira Server integration client. It authenticates with a user's OAuth token
    /// ([`oauth_token`](Self::oauth_token)) and sends `signature`, the Jira instance's token from
    /// `GET /plugins/servlet/pagerduty/sign`, as `x-pagerduty-jira-signature` on every call.
    #[cfg(pdrs_jira_server)]
    pub fn build_jira_server(self, signature: &str) -> Result<crate::jira_server::Client> {
        let raw = self.default_header("x-pagerduty-jira-signature", signature).build_for(
            Api::JiraServer,
            "https://app.pagerduty.com/integration-jira-service",
            "application/json",
        )?;
        Ok(crate::jira_server::Client::new_with_client(
            raw.base(),
            raw.pipeline().http().clone(),
            raw.pipeline().clone(),
        ))
    }

    /// The typed Microsoft Teams integration client (`/integration-ms-teams`).
    #[cfg(pdrs_ms_teams)]
    pub fn build_ms_teams(self) -> Result<crate::ms_teams::Client> {
        let raw = self.build_for(Api::MsTeams, "https://api.pagerduty.com/integration-ms-teams", "application/json")?;
        Ok(crate::ms_teams::Client::new_with_client(raw.base(), raw.pipeline().http().clone(), raw.pipeline().clone()))
    }
}
