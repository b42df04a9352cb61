//! [`ScimClient`]: PagerDuty's SCIM API (`/scim/v2`), typed calls and user listing as a stream,
//! built by a [`ClientBuilder`] like every client (`ScimClient::builder(token).build()?`, or
//! `RestClient::builder(token).build_scim()?`).

use crate::builder::{sealed, BuildClient, ClientBuilder};
use crate::error::PagingProblem;
use crate::listing::engine::{owned, Pager, Tracker};
use crate::listing::page::{Page, Record};
use crate::spec::Api;
use crate::{ApiClient, Credential, Result, Secret};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};
use serde_json::Value;

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
        let pager = ScimPager::new(self.raw.clone(), filter.map(String::from), u64::from(page_size));
        crate::listing::engine::records(pager).map(|r| r.and_then(crate::listing::page::decode)).boxed()
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

impl sealed::Sealed for ScimClient {}

/// SCIM paging: `startIndex` (1-based) and `count` in; `Resources` and `totalResults` out.
struct ScimPager {
    client: ApiClient,
    filter: Option<String>,
    count: u64,
    next: Option<u64>,
    tracker: Tracker,
}

impl ScimPager {
    pub fn new(client: ApiClient, filter: Option<String>, count: u64) -> Self {
        Self { client, filter, count: count.max(1), next: Some(1), tracker: Tracker::new("/Users") }
    }

    async fn next(&mut self) -> Result<Option<Vec<Record>>> {
        let Some(start) = self.next.take() else { return Ok(None) };
        let mut request =
            self.client.request(reqwest::Method::GET, "/Users").query("startIndex", start).query("count", self.count);
        if let Some(f) = &self.filter {
            request = request.query("filter", f);
        }
        let body = request.body().await?;
        let page = Page::parse(&body, "Resources")?;
        let users = owned(page.records());
        let total = page.field::<u64>("totalResults").unwrap_or(0);
        let arrived = users.len() as u64;
        let (fresh, repeats) = self.tracker.admit(users);
        if arrived > 0 && fresh.is_empty() && start > 1 {
            return Err(self.tracker.error(PagingProblem::OffsetIgnored { offset: start - 1 }));
        }
        let after = start + arrived - repeats as u64;
        if after <= total {
            if arrived == 0 {
                return Err(self.tracker.error(PagingProblem::MoreWithoutRecords));
            }
            self.next = Some(after);
        }
        Ok(Some(fresh))
    }
}

impl Pager for ScimPager {
    fn next_batch(&mut self) -> BoxFuture<'_, Result<Option<Vec<Record>>>> {
        Box::pin(self.next())
    }
}
