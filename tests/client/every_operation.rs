//! Every typed operation of every document, called against a scripted server that answers with
//! statuses the document does not declare: any 2xx is the operation's value, any other status
//! PagerDuty's error with its code and message, and each call is sent exactly once.

#![cfg(all(
    feature = "rest",
    feature = "events",
    feature = "scim",
    feature = "slack",
    feature = "jira",
    feature = "ms_teams",
    feature = "mcp"
))]

use crate::support::{json, serve, Reply};
use pdrs::spec::Api;
use pdrs::{Error, RetryPolicy};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

// `call_<module>(client, name)`: each operation called with sample values (the build script's).
include!(concat!(env!("OUT_DIR"), "/operation_calls.rs"));

type Decoder = fn(&Value) -> Result<(), String>;
/// (module, METHOD, path, request, success, error decoders), as written by the build script.
type Entry = (&'static str, &'static str, &'static str, Option<Decoder>, Option<Decoder>, Option<Decoder>);

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    T::deserialize(value).map(drop).map_err(|e| e.to_string())
}

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// The typed client of each document, all on one server, none retrying.
struct Clients {
    rest: pdrs::RestClient,
    events: pdrs::EventsClient,
    scim: pdrs::ScimClient,
    mcp: pdrs::McpClient,
    slack: pdrs::slack::Client,
    jira_cloud: pdrs::jira_cloud::Client,
    jira_server: pdrs::jira_server::Client,
    ms_teams: pdrs::ms_teams::Client,
}

impl Clients {
    fn new(url: &str) -> Self {
        let builder = || pdrs::RestClient::builder("every-operation-token").base_url(url).retry(RetryPolicy::none());
        Clients {
            rest: builder().build().unwrap(),
            events: pdrs::EventsClient::builder("routing-key")
                .base_url(url)
                .retry(RetryPolicy::none())
                .build()
                .unwrap(),
            scim: builder().for_client::<pdrs::ScimClient>().build().unwrap(),
            mcp: builder().for_client::<pdrs::McpClient>().build().unwrap(),
            slack: builder().build_slack().unwrap(),
            jira_cloud: builder().build_jira_cloud().unwrap(),
            jira_server: builder().build_jira_server("signature").unwrap(),
            ms_teams: builder().build_ms_teams().unwrap(),
        }
    }

    fn call(&self, op: &pdrs::spec::Operation) -> futures::future::BoxFuture<'_, pdrs::Result<u16>> {
        let call = match op.api {
            Api::Rest => call_rest(self.rest.api(), op.name),
            Api::EventsV2 => call_events_v2(self.events.api(), op.name),
            Api::EventsV1 => call_events_v1(self.events.api_v1(), op.name),
            Api::Scim => call_scim(self.scim.api(), op.name),
            Api::Mcp => call_mcp(self.mcp.api(), op.name),
            Api::Slack => call_slack(&self.slack, op.name),
            Api::JiraCloud => call_jira_cloud(&self.jira_cloud, op.name),
            Api::JiraServer => call_jira_server(&self.jira_server, op.name),
            Api::MsTeams => call_ms_teams(&self.ms_teams, op.name),
            other => panic!("no client for {other:?}"),
        };
        call.unwrap_or_else(|| panic!("{:?} {} is not generated", op.api, op.name))
    }
}

/// What the success type of an operation makes of a body: `None` when it has no JSON type
/// (no body, or bytes), else whether it decodes.
fn reads(decoder: Option<Decoder>, body: &Value) -> bool {
    decoder.is_none_or(|decode| decode(body).is_ok())
}

#[tokio::test]
async fn every_operation_reads_any_status_as_pagerduty_sends_it() {
    let next = Arc::new(Mutex::new(Reply::Drop));
    let answer = next.clone();
    let server = serve(move |_| answer.lock().unwrap().clone()).await;
    let clients = Clients::new(&server.url);
    let success: HashMap<(&str, &str, &str), Option<Decoder>> =
        decoders().into_iter().map(|(module, method, path, _, success, _)| ((module, method, path), success)).collect();

    let mut failures = Vec::new();
    let mut calls = 0;
    for op in pdrs::spec::operations() {
        let decoder = success[&(op.api.module(), op.method, op.path)];
        type Check = Box<dyn Fn(&pdrs::Result<u16>) -> bool>;
        let mut scenarios: Vec<(u16, Reply, Check)> = Vec::new();
        // Undeclared successes: the value, whatever the document lists.
        for status in [201, 202] {
            let readable = reads(decoder, &json!({}));
            scenarios.push((
                status,
                json(status, json!({})),
                Box::new(move |r| match r {
                    Ok(got) => readable && *got == status,
                    Err(Error::Decode { .. }) => !readable,
                    Err(_) => false,
                }),
            ));
        }
        // No content: the value when the type has one for no body, else `EmptyBody`.
        let empty_ok = reads(decoder, &Value::Null) || reads(decoder, &json!({}));
        scenarios.push((
            204,
            Reply::Http(204, vec![], String::new()),
            Box::new(move |r| match r {
                Ok(got) => empty_ok && *got == 204,
                Err(Error::EmptyBody { status }) => !empty_ok && status.as_u16() == 204,
                Err(_) => false,
            }),
        ));
        // Errors: PagerDuty's code and message, whatever the document lists.
        for status in [400, 404, 409, 422, 503] {
            let message = format!("refused with {status}");
            let body = json!({"error": {"code": 2001, "message": message, "errors": ["a detail"]}});
            scenarios.push((
                status,
                json(status, body),
                Box::new(move |r| match r {
                    Err(e) => e.api().is_some_and(|api| {
                        api.status.as_u16() == status
                            && api.code == Some(2001)
                            && api.message.as_deref() == Some(message.as_str())
                            && api.errors == ["a detail"]
                    }),
                    Ok(_) => false,
                }),
            ));
        }
        for (status, reply, check) in scenarios {
            *next.lock().unwrap() = reply;
            let before = server.count();
            let result = clients.call(op).await;
            let sent = server.count() - before;
            calls += 1;
            if sent != 1 || !check(&result) {
                failures.push(format!(
                    "{} {} ({}), answered {status}: sent {sent} time(s), {result:?}",
                    op.method, op.path, op.name
                ));
            }
        }
    }
    let operations = pdrs::spec::operations().len();
    assert!(failures.is_empty(), "{} of {calls} calls:\n{}", failures.len(), failures.join("\n"));
    let rest = pdrs::spec::operations().iter().filter(|op| op.api == Api::Rest).count();
    println!("{operations} operations ({rest} REST), {calls} calls, each answered as PagerDuty sent it");
    assert!(rest >= 400, "the REST document has {rest} operations");
}
