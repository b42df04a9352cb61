//! OAuth 2.0 with PagerDuty's identity service: client credentials (scoped app tokens),
//! authorization code with PKCE (S256), refresh, and a [`TokenSource`] that keeps a
//! [`RestClient`](crate::RestClient)'s token fresh.
//!
//! Token requests go through the same request pipeline as every API call (retries where they
//! are safe, the body limit, the host guard, metrics and the `pdrs.request` span), on a pipeline
//! of the identity service's own.

use crate::auth::{Authorizer, Credential, Secret};
use crate::pipeline::{Pipeline, PipelineConfig, DEFAULT_USER_AGENT};
use crate::region::Region;
use crate::spec::Api;
use crate::{Error, Result};
use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The identity (OAuth) service, the same host for every service region.
pub const IDENTITY_URL: &str = "https://identity.pagerduty.com";

/// The largest token endpoint answer read.
const MAX_TOKEN_ANSWER: u64 = 1024 * 1024;

/// An access token and what came with it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Token {
    /// The access token (sent as `Authorization: Bearer ...`).
    pub access_token: Secret,
    /// Usually `bearer`.
    pub token_type: String,
    /// When the token expires, when the server said.
    pub expires_at: Option<DateTime<Utc>>,
    /// The refresh token, for authorization-code grants.
    pub refresh_token: Option<Secret>,
    /// The granted scopes.
    pub scope: Option<String>,
    /// The account's service region, as the answer's ID token names it (`region`, or an `aud`
    /// on the EU host); `None` when the answer has no ID token or it names none.
    pub region: Option<Region>,
}

impl Token {
    /// A token from parts (e.g. one stored between runs).
    pub fn new(
        access_token: impl Into<Secret>,
        expires_at: Option<DateTime<Utc>>,
        refresh_token: Option<Secret>,
    ) -> Self {
        Self {
            access_token: access_token.into(),
            token_type: "bearer".into(),
            expires_at,
            refresh_token,
            scope: None,
            region: None,
        }
    }

    /// Whether the token expires within `margin` (never, when no expiry is known).
    pub fn expires_within(&self, margin: Duration) -> bool {
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
        self.expires_at.is_some_and(|at| at - Utc::now() <= margin)
    }
}

/// A PKCE verifier and its S256 challenge.
#[derive(Clone, Debug)]
pub struct Pkce {
    /// The verifier (kept by the client until the code exchange).
    pub verifier: Secret,
    /// `base64url(sha256(verifier))`, unpadded.
    pub challenge: String,
}

impl Pkce {
    /// A new random verifier (64 characters from the unreserved set).
    pub fn new() -> Self {
        const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        let verifier: String = (0..64).map(|_| UNRESERVED[fastrand::usize(..UNRESERVED.len())] as char).collect();
        Self::from_verifier(verifier)
    }

    /// The challenge of a given verifier.
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        let verifier = verifier.into();
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self { verifier: Secret::new(verifier), challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// A client of the identity service's token endpoint.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    pipeline: Pipeline,
    client_id: String,
    client_secret: Option<Secret>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

impl OAuthClient {
    /// A client for an app's credentials (the secret is optional for public PKCE clients).
    pub fn new(client_id: impl Into<String>, client_secret: Option<Secret>) -> Result<Self> {
        Ok(Self { pipeline: identity_pipeline(IDENTITY_URL)?, client_id: client_id.into(), client_secret })
    }

    /// Uses another identity service URL (e.g. a mock server's).
    pub fn identity_url(mut self, url: &str) -> Result<Self> {
        self.pipeline = identity_pipeline(url)?;
        Ok(self)
    }

    fn endpoint(&self, path: &str) -> reqwest::Url {
        let identity = self.pipeline.base_url();
        let mut url = identity.clone();
        url.set_path(&format!("{}/{}", identity.path().trim_end_matches('/'), path));
        url
    }

    /// Calls made to the identity service and time spent, per `"METHOD path"`.
    pub fn api_call_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.pipeline.metrics().into_iter().map(|(k, v)| (k, v.calls)).collect()
    }

    async fn token_request(&self, mut form: Vec<(&str, String)>) -> Result<Token> {
        form.push(("client_id", self.client_id.clone()));
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose().to_string()));
        }
        let body = serde_urlencoded::to_string(&form).map_err(|e| Error::config(e.to_string()))?;
        let mut request = self
            .pipeline
            .http()
            .post(self.endpoint("oauth/token"))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .build()
            .map_err(|e| Error::invalid(format!("cannot build the token request: {}", e.without_url())))?;
        self.pipeline.prepare(&mut request, None)?;
        let answer = self.pipeline.send(request, None).await?;
        let (status, bytes) = (answer.status, answer.body);
        token_from_response(status, bytes, Utc::now())
    }

    /// A scoped app token (client credentials grant). `scopes` such as
    /// `["as_account-us.mycompany", "incidents.read"]`.
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<Token> {
        self.token_request(vec![("grant_type", "client_credentials".into()), ("scope", scopes.join(" "))]).await
    }

    /// Exchanges an authorization code (with the PKCE verifier when one was used).
    pub async fn exchange_code(&self, code: &str, redirect_uri: &str, pkce: Option<&Pkce>) -> Result<Token> {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.to_string()),
            ("redirect_uri", redirect_uri.to_string()),
        ];
        if let Some(p) = pkce {
            form.push(("code_verifier", p.verifier.expose().to_string()));
        }
        self.token_request(form).await
    }

    /// A new access token from a refresh token.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<Token> {
        self.token_request(vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token.expose().into()),
        ])
        .await
    }

    /// The URL to send a user to for the authorization-code grant.
    pub fn authorize_url(&self, redirect_uri: &str, scopes: &[&str], state: &str, pkce: Option<&Pkce>) -> reqwest::Url {
        let mut url = self.endpoint("oauth/authorize");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", &scopes.join(" "))
                .append_pair("state", state);
            if let Some(p) = pkce {
                q.append_pair("code_challenge", &p.challenge).append_pair("code_challenge_method", "S256");
            }
        }
        url
    }
}

/// Keeps an access token fresh: refreshed (with its refresh token, else a new client-credentials
/// grant for `scopes`) when it expires within the margin (default 5 minutes), once for all
/// concurrent requests.
#[derive(Debug)]
pub struct TokenSource {
    client: OAuthClient,
    scopes: Vec<String>,
    margin: Duration,
    /// The account's region, from the first token's ID token.
    region: Option<Region>,
    token: tokio::sync::Mutex<Token>,
}

impl TokenSource {
    /// A source starting from `token`.
    pub fn new(client: OAuthClient, token: Token, scopes: &[&str]) -> Self {
        Self {
            client,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            margin: Duration::from_secs(300),
            region: token.region,
            token: tokio::sync::Mutex::new(token),
        }
    }

    /// The account's service region, when the token's ID token named it: a client built with
    /// this source goes to that region's hosts unless a region or base URL is set.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// Refresh this long before expiry.
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The current token, refreshed first when it is about to expire.
    pub async fn token(&self) -> Result<Token> {
        let mut token = self.token.lock().await;
        if token.expires_within(self.margin) {
            let fresh = match &token.refresh_token {
                Some(refresh) => self.client.refresh(refresh).await?,
                None => {
                    let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
                    self.client.client_credentials(&scopes).await?
                }
            };
            let refresh_token = fresh.refresh_token.clone().or_else(|| token.refresh_token.clone());
            *token = Token { refresh_token, ..fresh };
        }
        Ok(token.clone())
    }
}

impl Authorizer for TokenSource {
    /// `Bearer` and the current token, refreshed first when it is about to expire.
    fn authorization(&self) -> futures::future::BoxFuture<'_, Result<HeaderValue>> {
        Box::pin(async move {
            let token = self.token().await?;
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.access_token.expose()))
                .map_err(|_| Error::config("the access token is not a valid header value"))?;
            value.set_sensitive(true);
            Ok(value)
        })
    }
}

/// The pipeline of token requests to the identity service at `url`: no credential (the app's
/// credentials travel in the form), JSON answers of at most 1 MiB, 30 s per attempt, the default
/// retry policy (a token POST is retried only when nothing reached the server, or on a 429). The
/// token endpoint is in no API document: its calls are looked up in the REST table, which has
/// no entry for them, so their metrics key is the path itself (`POST /oauth/token`).
fn identity_pipeline(url: &str) -> Result<Pipeline> {
    Pipeline::new(PipelineConfig {
        api: Api::Rest,
        http: crate::http::client(Duration::from_secs(30))?,
        base_url: crate::http::parse_base_url(url)?,
        credential: Credential::None,
        accept: "application/json",
        user_agent: DEFAULT_USER_AGENT.to_string(),
        extra_headers: reqwest::header::HeaderMap::new(),
        from: None,
        retry: crate::RetryPolicy::default(),
        max_body: MAX_TOKEN_ANSWER,
        limiter: None,
        authorizer: None,
        pace: false,
        counted_by: None,
        on_wait: None,
    })
}

/// The longest lifetime a token response is taken at its word for (ten years): a longer
/// `expires_in` (up to `i64::MAX` seconds, past what a clock holds) is taken as this.
const MAX_EXPIRES_IN: i64 = 10 * 365 * 86_400;

/// The token in a token endpoint's answer received at `now`, or the error it stands for (which
/// never holds the answer's tokens). A negative `expires_in` is a token that has already expired.
pub(crate) fn token_from_response(
    status: reqwest::StatusCode,
    bytes: bytes::Bytes,
    now: DateTime<Utc>,
) -> Result<Token> {
    if !status.is_success() {
        return Err(oauth_error(status, bytes));
    }
    // The error keeps neither the body nor serde's message, which can quote the answer's values:
    // either may hold the access and refresh tokens. It names the field and the position.
    let not_kept = || bytes::Bytes::from_static(b"(a token endpoint's answer, not kept: it may hold tokens)");
    let parsed: TokenResponse = crate::decode::decode_slice(&bytes, not_kept).map_err(|e| match e {
        Error::Decode { path, body, source } => Error::Decode {
            path,
            body,
            source: <serde_json::Error as serde::de::Error>::custom(format!(
                "the token endpoint's answer does not fit ({:?} error at line {}, column {})",
                source.classify(),
                source.line(),
                source.column()
            )),
        },
        other => other,
    })?;
    Ok(Token {
        access_token: Secret::new(parsed.access_token),
        token_type: parsed.token_type.unwrap_or_else(|| "bearer".into()),
        expires_at: parsed.expires_in.map(|s| now + chrono::Duration::seconds(s.clamp(0, MAX_EXPIRES_IN))),
        refresh_token: parsed.refresh_token.map(Secret::new),
        scope: parsed.scope,
        region: parsed.id_token.as_deref().and_then(region_of_id_token),
    })
}

/// The service region an OpenID Connect ID token names: its `region` claim (`us`, `eu`), else
/// an audience on the EU host. The token's signature is not checked: it came over TLS from the
/// identity service, and only chooses which of PagerDuty's hosts the calls go to.
pub(crate) fn region_of_id_token(jwt: &str) -> Option<Region> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match claims.get("region").and_then(serde_json::Value::as_str).map(str::to_ascii_lowercase).as_deref() {
        Some("eu") => return Some(Region::Eu),
        Some("us") => return Some(Region::Us),
        _ => {}
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(serde_json::Value::String(one)) => vec![one.as_str()],
        Some(serde_json::Value::Array(many)) => many.iter().filter_map(serde_json::Value::as_str).collect(),
        _ => Vec::new(),
    };
    audiences.iter().any(|aud| aud.contains(".eu.pagerduty.com")).then_some(Region::Eu)
}

/// The error of a refused token request: RFC 6749's `error` and `error_description` when the
/// body has them, else whatever PagerDuty's usual error shapes say.
fn oauth_error(status: reqwest::StatusCode, body: bytes::Bytes) -> Error {
    #[derive(serde::Deserialize)]
    struct Rfc6749 {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_slice::<Rfc6749>(&body) {
        Ok(e) => Error::OAuth { status, error: e.error, description: e.error_description },
        Err(_) => {
            let api = crate::error::api_error(status, None, body);
            let error = api.code.map(|c| c.to_string()).unwrap_or_else(|| format!("http_{}", status.as_u16()));
            Error::OAuth { status, error, description: api.message }
        }
    }
}
