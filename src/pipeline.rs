//! The request pipeline shared by typed and raw calls.
//!
//! Every request pdrs sends, from a generated builder's `.send()` or from the raw
//! [`RestClient::request`](crate::RestClient) escape hatch, goes through [`Pipeline::prepare`]
//! (headers, auth) and [`Pipeline::execute`] (transport). The generated clients reach it through
//! progenitor's `ClientHooks`, implemented by [`impl_hooks!`].

use crate::auth::Credential;
use crate::spec::{self, Api};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use std::fmt;
use std::sync::{Arc, RwLock};

/// The `Accept` header of the REST API.
pub const REST_ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

/// The default `User-Agent`: `pdrs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("pdrs/", env!("CARGO_PKG_VERSION"));

/// Shared state of one configured client: cheap to clone, safe to share across tasks.
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
}

struct Shared {
    api: Api,
    http: reqwest::Client,
    base_url: reqwest::Url,
    credential: Credential,
    /// Headers sent on every request (Accept, User-Agent, Authorization, extras).
    headers: HeaderMap,
    /// `From`, changeable at run time.
    from: RwLock<Option<HeaderValue>>,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("api", &self.shared.api)
            .field("base_url", &self.shared.base_url.as_str())
            .field("credential", &self.shared.credential)
            .finish_non_exhaustive()
    }
}

/// Settings a [`Pipeline`] is built from.
pub(crate) struct PipelineConfig {
    pub api: Api,
    pub http: reqwest::Client,
    pub base_url: reqwest::Url,
    pub credential: Credential,
    pub accept: &'static str,
    pub user_agent: String,
    pub extra_headers: HeaderMap,
    pub from: Option<String>,
}

impl Pipeline {
    pub(crate) fn new(config: PipelineConfig) -> crate::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(config.accept));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&config.user_agent).map_err(|_| crate::Error::config("invalid User-Agent"))?,
        );
        if let Some(auth) = config.credential.header()? {
            headers.insert(AUTHORIZATION, auth);
        }
        for (name, value) in &config.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
        let from = config.from.as_deref().map(header_value).transpose()?;
        Ok(Self {
            shared: Arc::new(Shared {
                api: config.api,
                http: config.http,
                base_url: config.base_url,
                credential: config.credential,
                headers,
                from: RwLock::new(from),
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &reqwest::Url {
        &self.shared.base_url
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// Sets (or clears) the `From` header sent on every request.
    pub fn set_default_from(&self, from: Option<&str>) -> crate::Result<()> {
        let value = from.map(header_value).transpose()?;
        *self.shared.from.write().unwrap_or_else(|e| e.into_inner()) = value;
        Ok(())
    }

    /// Adds the pipeline's headers to a request and removes progenitor's defaults
    /// (`api-version`, `Accept: application/json`). `operation` is the generated method name
    /// when the call is typed.
    pub fn prepare(&self, request: &mut reqwest::Request, operation: Option<&str>) -> crate::Result<()> {
        let headers = request.headers_mut();
        headers.remove(HeaderName::from_static("api-version"));
        for (name, value) in &self.shared.headers {
            headers.insert(name.clone(), value.clone());
        }
        let from = self.shared.from.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(from) = from {
            headers.entry(HeaderName::from_static("from")).or_insert(from);
        }
        let raw_type =
            operation.and_then(|name| spec::by_name(self.shared.api, name)).and_then(|op| op.raw_content_type);
        if let Some(media) = raw_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media));
        }
        Ok(())
    }

    /// Sends a prepared request.
    pub async fn execute(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        self.shared.http.execute(request).await
    }
}

fn header_value(text: &str) -> crate::Result<HeaderValue> {
    HeaderValue::from_str(text).map_err(|_| crate::Error::config(format!("{text:?} is not a valid header value")))
}

/// Implements progenitor's `ClientHooks` for a generated `Client` by delegating to its
/// [`Pipeline`]; invoked at the end of every generated module.
macro_rules! impl_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::pipeline::Pipeline> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner
                    .prepare(request, Some(info.operation_id))
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(request).await
            }
        }
    };
}
pub(crate) use impl_hooks;
