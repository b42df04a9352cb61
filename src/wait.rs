//! The waits a call makes, told as they begin: to `tracing` (target `pdrs::wait`, `INFO` for a
//! second or more and for a server slow to answer, else `DEBUG`) and to the observer set with
//! [`ClientBuilder::on_wait`](crate::ClientBuilder::on_wait), so that an application can show
//! them.

use crate::retry::RetryReason;
use std::sync::Arc;
use std::time::Duration;

/// Why a call waits.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server said the rate-limit budget is spent: until its window resets.
    RateLimitBudget,
    /// The requests in flight on the same credential use up what is left of the budget: until
    /// one of them is answered.
    RequestsInFlight,
    /// Before a retry.
    Retry(RetryReason),
    /// The server has not answered yet (told once per attempt, after a second).
    NoAnswerYet,
}

/// A wait a call is about to make (or, for [`WaitReason::NoAnswerYet`], is making).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Wait {
    /// Why.
    pub reason: WaitReason,
    /// How long, when known.
    pub duration: Option<Duration>,
    /// The call, as `"METHOD /canonical/path"`.
    pub operation: String,
    /// The attempt this wait comes before (or, for [`WaitReason::NoAnswerYet`], is in).
    pub attempt: u32,
    /// The policy's attempts in all.
    pub max_attempts: u32,
    /// What is left of the call's deadline.
    pub time_left: Duration,
    /// Before a retry: what the failed attempt came to (`503 Service Unavailable`,
    /// `Connection refused (os error 111)`).
    pub detail: Option<String>,
}

impl std::fmt::Display for Wait {
    /// One line: why, how long, which attempt, what is left.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match &self.reason {
            WaitReason::RateLimitBudget => "the rate limit's budget is spent".to_string(),
            WaitReason::RequestsInFlight => "the requests in flight use up the rate limit's budget".to_string(),
            WaitReason::Retry(RetryReason::Status(429)) => "rate limited (429)".to_string(),
            WaitReason::Retry(RetryReason::Status(code)) => format!("the server answered {code}"),
            WaitReason::Retry(RetryReason::Network) => "the request failed on the network".to_string(),
            WaitReason::NoAnswerYet => "no complete answer yet".to_string(),
        };
        let why = match &self.detail {
            Some(detail) if !matches!(self.reason, WaitReason::Retry(RetryReason::Status(_))) => {
                format!("{why} ({detail})")
            }
            _ => why,
        };
        match (&self.reason, self.duration) {
            (WaitReason::NoAnswerYet, _) => write!(f, "{}: {why}", self.operation)?,
            (_, Some(d)) => write!(f, "{}: {why}; waiting {:.1} s", self.operation, d.as_secs_f64())?,
            (_, None) => write!(f, "{}: {why}; waiting", self.operation)?,
        }
        write!(
            f,
            " (attempt {} of {}, gives up in {} s)",
            self.attempt,
            self.max_attempts,
            self.time_left.as_secs_f64().ceil() as u64
        )
    }
}

/// Called at the start of each wait.
pub type WaitObserver = Arc<dyn Fn(&Wait) + Send + Sync>;

/// Tells a wait to `tracing` and to the observer, if any.
pub(crate) fn tell(observer: Option<&WaitObserver>, wait: Wait) {
    // A wait for an answer in flight is short and frequent under load: DEBUG, as short waits are.
    let long = match wait.reason {
        WaitReason::NoAnswerYet => true,
        WaitReason::RequestsInFlight => false,
        _ => wait.duration.is_some_and(|d| d >= Duration::from_secs(1)),
    };
    if long {
        tracing::info!(target: "pdrs::wait", "{wait}");
    } else {
        tracing::debug!(target: "pdrs::wait", "{wait}");
    }
    if let Some(observer) = observer {
        observer(&wait);
    }
}
