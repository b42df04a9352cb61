//! Scripted faults: for one operation (or every request), the next N requests or the Nth one
//! answer as the test says, while the others stay clean. Set in process
//! (`MockServer::script`) or over HTTP (`POST /_mock/faults`); `/_mock/*` is never faulted.
//!
//! Whether the write happened, by kind: [`FaultKind::Status`], [`FaultKind::Reset`] and
//! [`FaultKind::RateLimited`] answer before the request is handled (nothing changes);
//! [`FaultKind::LostAnswer`] handles the request (a write lands) and then drops the connection
//! before the answer's body; [`FaultKind::Delay`] handles it after the delay.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::time::Duration;

/// The answer a scripted fault gives before the request is handled, if it gives one.
pub(crate) fn early_response(kind: &FaultKind) -> Option<Response> {
    match kind {
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(if status.is_server_error() {
                super::faults::server_error(status)
            } else {
                super::answer::error(status, 2001, status.canonical_reason().unwrap_or("Error"), vec![])
            })
        }
        FaultKind::Reset => Some(super::faults::reset_response()),
        FaultKind::RateLimited { headers } => {
            let mut response = super::answer::error(StatusCode::TOO_MANY_REQUESTS, 2020, "Rate Limit Exceeded", vec![]);
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) =
                    (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str()))
                {
                    response.headers_mut().insert(name, value);
                }
            }
            Some(response)
        }
        FaultKind::LostAnswer | FaultKind::Delay { .. } => None,
    }
}

/// What a scripted fault does.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer this status with PagerDuty's error body (code 2000 for a 5xx, 2001 otherwise);
    /// the request is not handled.
    Status {
        /// The status (400 to 599).
        status: u16,
    },
    /// Close the connection before any answer; the request is not handled.
    Reset,
    /// Handle the request (a write lands), then close the connection before the answer's body.
    LostAnswer,
    /// Wait this long, then handle the request.
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Answer 429 code 2020 with these headers (`retry-after`, `ratelimit-reset`...); the
    /// request is not handled.
    RateLimited {
        /// Headers of the answer.
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
}

/// Which requests a scripted fault strikes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Script {
    /// The method (`POST`); `None` for any.
    #[serde(default)]
    pub method: Option<String>,
    /// The operation's path template (`/incidents/{id}/notes`) or a concrete path; `None` for any.
    #[serde(default)]
    pub path: Option<String>,
    /// Matching requests to let through before the first strike (the Nth request is `skip: N-1`).
    #[serde(default)]
    pub skip: u32,
    /// How many matching requests it strikes, after `skip`.
    #[serde(default = "one")]
    pub times: u32,
    /// What it does.
    pub fault: FaultKind,
}

fn one() -> u32 {
    1
}

impl Script {
    /// A fault for requests to `method` and `path` (a template like `/incidents/{id}/notes`, or
    /// a concrete path), striking the next matching request.
    pub fn on(method: &str, path: &str, fault: FaultKind) -> Self {
        Self { method: Some(method.to_ascii_uppercase()), path: Some(path.to_string()), skip: 0, times: 1, fault }
    }

    /// A fault for every request (any method and path).
    pub fn any(fault: FaultKind) -> Self {
        Self { method: None, path: None, skip: 0, times: 1, fault }
    }

    /// Strikes the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Strikes the `n`th matching request (1 is the next), then `times` of them.
    pub fn nth(mut self, n: u32) -> Self {
        self.skip = n.saturating_sub(1);
        self
    }

    fn matches(&self, method: &str, path: &str, template: Option<&str>) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| p == path || Some(p) == template)
    }
}

/// The scripts of a running mock, in the order they were set.
#[derive(Default)]
pub(crate) struct Scripts {
    pending: Vec<Script>,
}

impl Scripts {
    pub fn add(&mut self, script: Script) {
        if script.times > 0 {
            self.pending.push(script);
        }
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The fault for this request, if a script strikes it (the first that matches and is due);
    /// counts the request against every matching script.
    pub fn strike(&mut self, method: &str, path: &str, template: Option<&str>) -> Option<FaultKind> {
        let mut struck = None;
        for script in self.pending.iter_mut().filter(|s| s.matches(method, path, template)) {
            if script.skip > 0 {
                script.skip -= 1;
            } else if struck.is_none() && script.times > 0 {
                script.times -= 1;
                struck = Some(script.fault.clone());
            }
        }
        self.pending.retain(|s| s.times > 0);
        struck
    }
}

impl FaultKind {
    /// How long a delay fault waits.
    pub(crate) fn delay(&self) -> Option<Duration> {
        match self {
            FaultKind::Delay { millis } => Some(Duration::from_millis(*millis)),
            _ => None,
        }
    }

    /// How the journal names it.
    pub(crate) fn name(&self) -> String {
        match self {
            FaultKind::Status { status } => format!("scripted {status}"),
            FaultKind::Reset => "scripted reset".into(),
            FaultKind::LostAnswer => "scripted lost answer".into(),
            FaultKind::Delay { millis } => format!("scripted delay {millis} ms"),
            FaultKind::RateLimited { .. } => "scripted 429".into(),
        }
    }
}
