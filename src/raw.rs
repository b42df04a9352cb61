//! The generic layer: raw requests (any verb, any path) and pdpyras's `j*`/`r*` verbs, on the
//! same pipeline as the typed calls.

use crate::spec;
use crate::target::{canonical_path_in, Target};
use crate::{ApiClient, Error, Result};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// A raw request being built; finish with [`send`](Self::send) or [`json`](Self::json).
#[must_use]
pub struct RawRequest<'a> {
    client: &'a ApiClient,
    method: Method,
    target: Result<Target>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    retry: Option<crate::RetryPolicy>,
}

impl<'a> RawRequest<'a> {
    /// Adds a query parameter. Call again for repeated keys (`statuses[]=a&statuses[]=b`).
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a list query parameter, sent as `key[]=v` for each value.
    pub fn query_list<I, V>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: ToString,
    {
        let key = crate::listing::options::list_key(key);
        self.query.extend(values.into_iter().map(|v| (key.clone(), v.to_string())));
        self
    }

    /// Adds a header to this request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds the headers of a listing's options.
    pub(crate) fn headers_of(mut self, options: &crate::ListOptions) -> Self {
        self.headers.extend(options.headers().iter().cloned());
        self
    }

    /// Sets a JSON body.
    pub fn json_body(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(v) => self.body = Some(v),
            Err(e) => self.target = Err(Error::invalid(format!("the request body does not serialize: {e}"))),
        }
        self
    }

    /// Uses this retry policy (and its call deadline) for this request only.
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends the request through the pipeline; an error status becomes [`Error`]. The body is
    /// read whole (up to the client's body limit) before this returns, inside the retried
    /// attempt.
    pub async fn send(self) -> Result<reqwest::Response> {
        self.answer().await.map(crate::pipeline::Answer::into_response)
    }

    async fn answer(self) -> Result<crate::pipeline::Answer> {
        let owned;
        let pipeline = match self.retry {
            Some(policy) => {
                owned = self.client.pipeline().with_retry(policy);
                &owned
            }
            None => self.client.pipeline(),
        };
        let url = self.target?.resolve(pipeline.base_url())?;
        let mut builder = pipeline.http().request(self.method.clone(), url);
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(body) = self.body {
            builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        }
        let mut request =
            builder.build().map_err(|e| Error::invalid(format!("cannot build the request: {}", e.without_url())))?;
        pipeline.prepare(&mut request, None)?;
        pipeline.send(request, None).await?.into_result()
    }

    /// Sends the request and returns the body's bytes as they came; an empty body is
    /// [`Error::EmptyBody`].
    pub(crate) async fn body(self) -> Result<bytes::Bytes> {
        let answer = self.answer().await?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::EmptyBody { status: answer.status });
        }
        Ok(answer.body)
    }

    /// Sends the request and decodes the JSON body; an empty body is
    /// [`Error::EmptyBody`].
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        let answer = self.answer().await?;
        crate::decode::decode_bytes(answer.status, answer.body)
    }
}

impl RawRequest<'_> {
    /// Sends the request and returns the entity: unwrapped from the wrapper the operation table
    /// gives for this method and path (a body without it is [`Error::MissingWrapper`]), the
    /// whole body when the path is not in the table or has no wrapper.
    pub async fn entity<T: DeserializeOwned>(self) -> Result<T> {
        let op = match &self.target {
            Ok(target) => operation(self.client, self.method.as_str(), target)?,
            Err(_) => None, // `json` reports it
        };
        let value: Value = self.json().await?;
        unwrap(op, value)
    }
}

/// The operation of the table for `method` on the target's canonical path (a PATCH the spec does
/// not describe as the PUT of the same resource).
fn operation(client: &ApiClient, method: &str, target: &Target) -> Result<Option<&'static spec::Operation>> {
    let base = client.pipeline().base_url();
    let url = target.resolve(base)?;
    let api = client.pipeline().api();
    Ok(canonical_path_in(api, base, &url).and_then(|path| {
        spec::find_in(api, method, path)
            .or_else(|| (method == "PATCH").then(|| spec::find_in(api, "PUT", path)).flatten())
    }))
}

/// The entity out of an answer as `op` wraps it (the whole answer for a path the table does not
/// know); an answer without its wrapper is [`Error::MissingWrapper`].
fn unwrap<T: DeserializeOwned>(op: Option<&spec::Operation>, body: Value) -> Result<T> {
    let inner = match op {
        Some(op) => op.unwrap_response(body).map_err(|body| {
            let expected = op.response_wrapper.or(op.items).unwrap_or_default();
            Error::missing_wrapper(expected, &body)
        })?,
        None => body,
    };
    crate::decode::decode_value(inner)
}

impl ApiClient {
    /// A raw request for any method and target, on the shared pipeline (auth, headers, retries).
    pub fn request(&self, method: Method, target: impl Into<Target>) -> RawRequest<'_> {
        RawRequest {
            client: self,
            method,
            target: Ok(target.into()),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            retry: None,
        }
    }

    /// A raw request whose method is given by name; unknown methods (`"poke"`) are refused before
    /// anything is sent.
    pub fn request_named(&self, method: &str, target: impl Into<Target>) -> Result<RawRequest<'_>> {
        let upper = method.to_ascii_uppercase();
        let method = match upper.as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            _ => {
                return Err(Error::invalid(format!("unsupported HTTP method {:?}", crate::error::sanitize(method, 20))))
            }
        };
        Ok(self.request(method, target))
    }

    /// GET, returning the decoded body.
    pub async fn jget<T: DeserializeOwned>(&self, target: impl Into<Target>) -> Result<T> {
        self.request(Method::GET, target).json().await
    }

    /// POST a JSON body, returning the decoded response body.
    pub async fn jpost<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.request(Method::POST, target).json_body(body).json().await
    }

    /// PUT a JSON body, returning the decoded response body.
    pub async fn jput<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.request(Method::PUT, target).json_body(body).json().await
    }

    /// PATCH a JSON body, returning the decoded response body.
    pub async fn jpatch<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        self.request(Method::PATCH, target).json_body(body).json().await
    }

    async fn entity<T: DeserializeOwned>(&self, method: Method, target: Target, body: Option<Value>) -> Result<T> {
        let op = operation(self, method.as_str(), &target)?;
        let mut raw = self.request(method, target);
        if let Some(body) = body {
            let body = match op {
                Some(op) => op.wrap_request(body),
                None => body,
            };
            raw = raw.json_body(&body);
        }
        let value: Value = raw.json().await?;
        unwrap(op, value)
    }

    /// GET an entity, unwrapped (`GET /users/PABC` -> the `user` object), as `Value` or any
    /// generated type.
    pub async fn rget<T: DeserializeOwned>(&self, target: impl Into<Target>) -> Result<T> {
        self.entity(Method::GET, target.into(), None).await
    }

    /// POST an entity: the body is wrapped as the operation table says (unless already wrapped),
    /// the created entity unwrapped.
    pub async fn rpost<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        let body =
            serde_json::to_value(body).map_err(|e| Error::invalid(format!("the body does not serialize: {e}")))?;
        self.entity(Method::POST, target.into(), Some(body)).await
    }

    /// PUT an entity, wrapped and unwrapped like [`rpost`](Self::rpost).
    pub async fn rput<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        let body =
            serde_json::to_value(body).map_err(|e| Error::invalid(format!("the body does not serialize: {e}")))?;
        self.entity(Method::PUT, target.into(), Some(body)).await
    }

    /// PATCH an entity, wrapped and unwrapped like [`rpost`](Self::rpost) (as the PUT of the same
    /// resource when the spec describes no PATCH for it).
    pub async fn rpatch<T: DeserializeOwned>(&self, target: impl Into<Target>, body: &impl Serialize) -> Result<T> {
        let body =
            serde_json::to_value(body).map_err(|e| Error::invalid(format!("the body does not serialize: {e}")))?;
        self.entity(Method::PATCH, target.into(), Some(body)).await
    }

    /// DELETE; succeeds on any 2xx.
    pub async fn rdelete(&self, target: impl Into<Target>) -> Result<()> {
        self.request(Method::DELETE, target).send().await.map(drop)
    }
}
