//! Clients of PagerDuty's other APIs, each on the shared pipeline with its own base URL and
//! `Accept` header: SCIM, MCP, Slack, Jira Cloud, Jira Server and Microsoft Teams.
//!
//! Each is built by a [`ClientBuilder`](crate::ClientBuilder) (so auth, retries, timeouts and a
//! test `base_url` work the same way): `ScimClient::builder(token).build()?`, or
//! `RestClient::builder(token).build_scim()?`.

use crate::builder::{BuildClient, ClientBuilder};
use crate::spec::Api;
use crate::{ApiClient, Credential, Error, Result, Secret};
use futures::stream::{BoxStream, StreamExt};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The SCIM API (`/scim/v2`): typed calls plus user listing as a stream.
#[derive(Clone, Debug)]
pub struct ScimClient {
    raw: ApiClient,
    #[cfg(pdrs_scim)]
    api: crate::scim::Client,
}

impl ScimClient {
    /// The typed SCIM client.
    #[cfg(pdrs_scim)]
    pub fn api(&self) -> &crate::scim::Client {
        &self.api
    }

    /// A builder of a SCIM client authenticating with an API token.
    pub fn builder(token: impl Into<Secret>) -> ClientBuilder<Self> {
        ClientBuilder::starting(Credential::ApiToken(token.into()))
    }

    /// The generic client on the SCIM base URL (raw and `j*` verbs, SCIM's operation table).
    pub fn raw(&self) -> &ApiClient {
        &self.raw
    }

    /// Every user, paged by `startIndex` (1-based) and `count`, optionally filtered
    /// (`userName eq "ann@example.com"`), with the checks of every listing (each user once,
    /// a typed error when the pages do not add up).
    pub fn iter_users(&self, filter: Option<&str>, page_size: u32) -> BoxStream<'static, Result<Value>> {
        let pager = crate::pager::ScimPager::new(self.raw.clone(), filter.map(String::from), u64::from(page_size));
        crate::pager::records(pager).map(|r| r.and_then(crate::page::decode)).boxed()
    }
}

/// PagerDuty's MCP server: JSON-RPC 2.0 calls.
#[derive(Clone, Debug)]
pub struct McpClient {
    raw: ApiClient,
    next_id: Arc<AtomicU64>,
    #[cfg(pdrs_mcp)]
    api: crate::mcp::Client,
}

impl McpClient {
    /// The typed MCP client generated from `mcp.json`, on the same pipeline.
    #[cfg(pdrs_mcp)]
    pub fn api(&self) -> &crate::mcp::Client {
        &self.api
    }

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
                body: bytes::Bytes::from(reply.to_string()).into(),
            })));
        }
        Ok(reply.get_mut("result").map(Value::take).unwrap_or(Value::Null))
    }

    /// A builder of an MCP client authenticating with an API token.
    pub fn builder(token: impl Into<Secret>) -> ClientBuilder<Self> {
        ClientBuilder::starting(Credential::ApiToken(token.into()))
    }

    /// The generic client on the MCP base URL.
    pub fn raw(&self) -> &ApiClient {
        &self.raw
    }
}

impl BuildClient for ScimClient {
    const API: Api = Api::Scim;

    fn from_core(raw: ApiClient, _: Option<Secret>) -> Result<Self> {
        Ok(ScimClient {
            #[cfg(pdrs_scim)]
            api: raw.typed(crate::scim::Client::new_with_client),
            raw,
        })
    }
}

impl BuildClient for McpClient {
    const API: Api = Api::Mcp;

    fn from_core(raw: ApiClient, _: Option<Secret>) -> Result<Self> {
        Ok(McpClient {
            #[cfg(pdrs_mcp)]
            api: raw.typed(crate::mcp::Client::new_with_client),
            raw,
            next_id: Arc::new(AtomicU64::new(1)),
        })
    }
}
