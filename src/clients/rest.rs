//! [`RestClient`]: the typed REST client of every REST operation and the generic verbs of
//! [`ApiClient`], on one pipeline; and the builder's REST-side methods.

use crate::auth::{Credential, Secret};
use crate::builder::{sealed, BuildClient, ClientBuilder};
use crate::spec::Api;
use crate::{ApiClient, Result};

/// The builder of [`RestClient`].
pub type RestClientBuilder = ClientBuilder<RestClient>;

/// A PagerDuty REST API client: the typed client of every REST operation (`api()`)
/// and the generic verbs of [`ApiClient`] (through `Deref`), on one pipeline. Cheap to clone;
/// clones share one connection pool and pipeline.
///
/// ```no_run
/// # async fn demo() -> pdrs::Result<()> {
/// use pdrs::prelude::*;
/// let pd = pdrs::RestClient::new("my-api-key")?;
/// let page = pd.api().list_users().limit(25).send().await?;
/// let user: serde_json::Value = pd.rget("/users/PABC123").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RestClient {
    core: ApiClient,
    #[cfg(pdrs_rest)]
    api: crate::rest::Client,
}

impl std::ops::Deref for RestClient {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.core
    }
}

impl RestClient {
    /// A client for the US region with an API token and default settings.
    pub fn new(token: impl Into<Secret>) -> crate::Result<Self> {
        Self::builder(token).build()
    }

    /// A builder, starting from an API token.
    pub fn builder(token: impl Into<Secret>) -> ClientBuilder<Self> {
        ClientBuilder::new(Credential::ApiToken(token.into()))
    }

    /// A builder starting from any credential (an API token, an OAuth access token, a verbatim
    /// `Authorization` value, or none).
    pub fn builder_with(credential: Credential) -> ClientBuilder<Self> {
        ClientBuilder::new(credential)
    }

    /// A builder authenticating with OAuth tokens from `source`, refreshed before they expire.
    pub fn builder_token_source(source: std::sync::Arc<crate::oauth::TokenSource>) -> ClientBuilder<Self> {
        ClientBuilder::new(Credential::None).token_source(source)
    }

    /// The REST client of a generic client on the REST API.
    pub(crate) fn on_core(core: ApiClient) -> Self {
        Self {
            #[cfg(pdrs_rest)]
            api: core.typed(crate::rest::Client::new_with_client),
            core,
        }
    }

    /// The typed client for every REST operation, on this client's pipeline.
    #[cfg(pdrs_rest)]
    pub fn api(&self) -> &crate::rest::Client {
        &self.api
    }

    /// The generic client (raw, entity and paging verbs) this client is built on.
    pub fn raw(&self) -> &ApiClient {
        &self.core
    }

    /// A client sharing everything with this one (connections, rate limiter, metrics) but using
    /// `policy` for retries and the call deadline: `pd.with_retry(RetryPolicy::none()).api()…`
    /// overrides the policy for the typed and raw calls made through it.
    pub fn with_retry(&self, policy: crate::RetryPolicy) -> Self {
        Self::on_core(self.core.with_retry(policy))
    }
}

impl BuildClient for RestClient {
    const API: Api = Api::Rest;

    fn from_core(core: ApiClient, _: Option<Secret>) -> crate::Result<Self> {
        Ok(Self::on_core(core))
    }
}

impl sealed::Sealed for RestClient {}

impl ClientBuilder<RestClient> {
    /// A builder of a [`RestClient`] starting from any credential (an API token, an OAuth access
    /// token, a verbatim `Authorization` value, or none).
    pub fn new(credential: Credential) -> Self {
        Self::starting(credential)
    }

    /// A SCIM client with these settings (`/scim/v2`, `application/scim+json`).
    pub fn build_scim(self) -> Result<crate::ScimClient> {
        self.for_client().build()
    }

    /// An MCP client with these settings.
    pub fn build_mcp(self) -> Result<crate::McpClient> {
        self.for_client().build()
    }
}
