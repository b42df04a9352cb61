//! [`McpClient`]: PagerDuty's MCP server, JSON-RPC 2.0 calls and the typed client, built by a
//! [`ClientBuilder`] like every client.

use crate::builder::{sealed, BuildClient, ClientBuilder};
use crate::spec::Api;
use crate::{ApiClient, Credential, Error, Result, Secret};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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

impl sealed::Sealed for McpClient {}
