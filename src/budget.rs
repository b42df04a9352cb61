//! Pacing by the server's rate-limit budget.
//!
//! PagerDuty reports on every answer what is left of the caller's budget: `ratelimit-limit`,
//! `ratelimit-remaining` and `ratelimit-reset` (seconds until the window resets); answers of an
//! operation with a limit of its own also carry `x-pd-operation-limit`, and then the
//! `ratelimit-*` headers describe that operation's budget. A [`Budget`] keeps what the latest
//! answers said, per credential and API host (every client built with the same token shares
//! one), and every request asks it for a slot before it goes out:
//!
//! - while the server's count says something is left, a request goes at once (the requests
//!   still in flight count against what is left);
//! - when the requests in flight would use up what is left, it waits for one of their answers;
//! - when the server said nothing is left, it waits until the window resets;
//! - when the headers are absent, unreadable, or give no usable reset, nothing is paced (the
//!   retry policy's handling of a 429 and the optional fixed limiter apply), and a reset longer
//!   than the retry policy's longest wait is not waited out either.
//!
//! The newest answer is the reference, less every request sent after it and the older ones
//! still in flight; an older answer that leaves less replaces it (the server counted in another
//! order than the requests went out).

use reqwest::header::HeaderMap;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// What the server last said of a rate-limit budget ([`ApiClient::quota`](crate::ApiClient::quota)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// Requests allowed per window (`ratelimit-limit`), when given.
    pub limit: Option<u64>,
    /// Requests left in the window when the latest answer was sent (`ratelimit-remaining`).
    pub remaining: u64,
    /// Time until the window resets, from now, when given and not yet passed.
    pub reset_in: Option<Duration>,
    /// For an operation's own limit: the operation (`"POST /incidents"`); `None` for the
    /// credential's general budget.
    pub operation: Option<String>,
}

/// Why a request waits before its slot (see [`Budget::reserve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pause {
    /// The server said the budget is spent: until the window resets.
    Reset(Duration),
    /// The requests in flight use up what is left: until one of them is answered.
    InFlight,
}

/// The budget of one credential on one API host, shared by every client using them.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    state: Mutex<State>,
    answered: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct State {
    /// Slots handed out so far: each request's number, in the order they went out.
    issued: u64,
    /// Slots handed out and not yet answered.
    in_flight: BTreeSet<u64>,
    /// The general budget.
    general: Window,
    /// Budgets of operations with a limit of their own, by `"METHOD /path"`.
    operations: HashMap<String, Window>,
}

/// What the server said of one budget in its current window.
#[derive(Debug, Default, Clone)]
struct Window {
    /// The slot count when the window last turned: answers of older slots may tell of the old
    /// window and are not applied.
    turned: u64,
    limit: Option<u64>,
    /// The lowest `ratelimit-remaining` reported in this window; `None` when nothing is known.
    remaining: Option<u64>,
    reset_at: Option<Instant>,
    /// Requests of this window answered without a count (failures): the server may have
    /// counted them.
    unreported: u64,
}

/// A slot: the request's number, released when the request is answered or dropped.
pub(crate) struct Slot {
    budget: Arc<Budget>,
    number: u64,
    operation: String,
    /// Whether an answer came (else the request failed, maybe after the server counted it).
    answered: bool,
}

/// The rate-limit headers of one answer, read leniently: unreadable values are absent.
#[derive(Debug, Default, PartialEq)]
struct Reported {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<Duration>,
    operation_limit: bool,
}

fn reported(headers: &HeaderMap) -> Reported {
    let number = |name: &str| {
        let text = headers.get(name)?.to_str().ok()?.trim();
        let value: f64 = text.parse().ok()?;
        (value.is_finite() && value >= 0.0).then_some(value)
    };
    Reported {
        limit: number("ratelimit-limit").map(|v| v.min(u64::MAX as f64) as u64),
        remaining: number("ratelimit-remaining").map(|v| v.min(u64::MAX as f64) as u64),
        // A reset of zero is no reset to wait for.
        reset: number("ratelimit-reset")
            .filter(|s| *s > 0.0)
            .map(|s| Duration::from_secs_f64(s.min(crate::retry::MAX_HINT.as_secs_f64()))),
        operation_limit: headers.contains_key("x-pd-operation-limit"),
    }
}

impl Window {
    /// A window whose reset time has passed turns: its limit (when known) is what is left.
    fn turn(&mut self, now: Instant, issued: u64) {
        if self.reset_at.is_some_and(|at| now >= at) {
            *self = Window { turned: issued, limit: self.limit, remaining: self.limit, ..Window::default() };
        }
    }

    /// What is left now: the lowest count reported, less every request in flight and those
    /// answered without a count. Within a window the server's count only goes down, so every
    /// answered request was counted by the time of the lowest; those in flight may not be.
    fn left(&self, in_flight: &BTreeSet<u64>) -> Option<i128> {
        Some(i128::from(self.remaining?) - in_flight.len() as i128 - i128::from(self.unreported))
    }

    /// What this window makes a request wait for; `longest` bounds a wait for a reset.
    fn pause(&self, now: Instant, in_flight: &BTreeSet<u64>, longest: Duration) -> Option<Pause> {
        if self.remaining? == 0 {
            // The server said the budget is spent.
            let wait = self.reset_at?.saturating_duration_since(now);
            return (wait <= longest).then_some(Pause::Reset(wait));
        }
        // The requests in flight may use up what is left: wait for one of their answers. With
        // nothing in flight there is nothing to wait for (the count is not the server's).
        (self.left(in_flight)? <= 0 && !in_flight.is_empty()).then_some(Pause::InFlight)
    }

    /// Applies the count reported in the answer to slot `number`: a lower one is kept; a
    /// higher one only when it tells of a later window (its reset a second or more after the
    /// current one's), as a server whose count never goes down would otherwise pace nothing.
    fn apply(&mut self, number: u64, now: Instant, report: &Reported) {
        if number <= self.turned {
            return;
        }
        let Some(remaining) = report.remaining else {
            self.unreported += 1;
            return;
        };
        let reset_at = report.reset.and_then(|r| now.checked_add(r));
        let take = match (self.remaining, self.reset_at) {
            (None, _) => true,
            (Some(current), _) if remaining <= current => true,
            (Some(_), None) => true,
            (Some(_), Some(current)) => reset_at.is_some_and(|at| at >= current + Duration::from_secs(1)),
        };
        if take {
            let unreported = if self.remaining.is_some_and(|c| remaining <= c) { self.unreported } else { 0 };
            self.remaining = Some(remaining);
            self.limit = report.limit.or(self.limit);
            self.reset_at = reset_at;
            self.unreported = unreported;
        }
    }

    fn quota(&self, now: Instant, operation: Option<String>) -> Option<Quota> {
        Some(Quota {
            limit: self.limit,
            remaining: self.remaining?,
            reset_in: self.reset_at.and_then(|at| at.checked_duration_since(now)),
            operation,
        })
    }
}

impl State {
    fn pause(&mut self, operation: &str, now: Instant, longest: Duration) -> Option<Pause> {
        let issued = self.issued;
        self.general.turn(now, issued);
        let mut pause = self.general.pause(now, &self.in_flight, longest);
        if let Some(window) = self.operations.get_mut(operation) {
            window.turn(now, issued);
            let own = window.pause(now, &self.in_flight, longest);
            pause = match (pause, own) {
                (Some(Pause::Reset(a)), Some(Pause::Reset(b))) => Some(Pause::Reset(a.max(b))),
                (Some(Pause::Reset(a)), _) | (_, Some(Pause::Reset(a))) => Some(Pause::Reset(a)),
                (a, b) => a.or(b),
            };
        }
        pause
    }
}

impl Budget {
    /// The budget shared by every client of this credential on this host (`key` identifies
    /// both; see [`key`]).
    pub(crate) fn shared(key: u64) -> Arc<Budget> {
        static BUDGETS: OnceLock<Mutex<HashMap<u64, Weak<Budget>>>> = OnceLock::new();
        let mut budgets = BUDGETS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(budget) = budgets.get(&key).and_then(Weak::upgrade) {
            return budget;
        }
        budgets.retain(|_, weak| weak.strong_count() > 0);
        let budget = Arc::new(Budget::default());
        budgets.insert(key, Arc::downgrade(&budget));
        budget
    }

    /// Waits, if the budget says so, then hands out a slot for one request of `operation`
    /// (`"METHOD /path"`). `on_pause` is told of each wait before it starts; a wait for a reset
    /// is at most `longest`.
    pub(crate) async fn reserve(
        self: &Arc<Self>,
        operation: &str,
        longest: Duration,
        mut on_pause: impl FnMut(Pause),
    ) -> Slot {
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            let pause = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                match state.pause(operation, Instant::now(), longest) {
                    Some(pause) => pause,
                    None => {
                        state.issued += 1;
                        let number = state.issued;
                        state.in_flight.insert(number);
                        return Slot {
                            budget: self.clone(),
                            number,
                            operation: operation.to_string(),
                            answered: false,
                        };
                    }
                }
            };
            on_pause(pause);
            match pause {
                // A few milliseconds past the reset, so that the server's window has turned too.
                Pause::Reset(wait) => tokio::time::sleep(wait + Duration::from_millis(20)).await,
                // An answer wakes the waiters; the timeout covers answers that never come.
                Pause::InFlight => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), answered).await;
                }
            }
        }
    }

    /// The general budget and the operations' own, as last reported.
    pub(crate) fn quotas(&self) -> Vec<Quota> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let mut quotas: Vec<Quota> = state.general.quota(now, None).into_iter().collect();
        let mut own: Vec<Quota> =
            state.operations.iter().filter_map(|(name, w)| w.quota(now, Some(name.clone()))).collect();
        own.sort_by(|a, b| a.operation.cmp(&b.operation));
        quotas.extend(own);
        quotas
    }
}

#[cfg(any(fuzzing, test))]
impl Budget {
    /// A slot at once, or what the budget would make the request wait for (the fuzz target's
    /// step, without the waiting).
    pub(crate) fn try_reserve(self: &Arc<Self>, operation: &str, longest: Duration) -> Result<Slot, Pause> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pause) = state.pause(operation, Instant::now(), longest) {
            return Err(pause);
        }
        state.issued += 1;
        let number = state.issued;
        state.in_flight.insert(number);
        Ok(Slot { budget: self.clone(), number, operation: operation.to_string(), answered: false })
    }
}

impl Slot {
    /// The request was answered with these headers: what they say of the budget is applied.
    pub(crate) fn answered(mut self, headers: &HeaderMap) {
        self.answered = true;
        let report = reported(headers);
        {
            let mut state = self.budget.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let state = &mut *state;
            let window = if report.operation_limit {
                state.operations.entry(self.operation.clone()).or_default()
            } else {
                &mut state.general
            };
            window.apply(self.number, now, &report);
        }
        // Dropping the slot releases it and wakes the waiters.
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.budget.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_flight.remove(&self.number);
        if !self.answered && self.number > state.general.turned {
            state.general.unreported += 1;
        }
        drop(state);
        self.budget.answered.notify_waiters();
    }
}

/// The key of a credential on a host: a hash (with this process's random keys) of the host and
/// the credential's identity, so that the table of budgets holds no secret.
pub(crate) fn key(origin: &str, credential: &[u8]) -> u64 {
    static KEYS: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    let mut hasher = KEYS.get_or_init(Default::default).build_hasher();
    origin.hash(&mut hasher);
    credential.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::tests::headers;

    #[test]
    fn unreadable_headers_are_absent() {
        let r = reported(&headers(&[
            ("ratelimit-limit", "abc"),
            ("ratelimit-remaining", "-5"),
            ("ratelimit-reset", "NaN"),
        ]));
        assert_eq!(r, Reported::default());
        let r = reported(&headers(&[("ratelimit-remaining", "1e300"), ("ratelimit-reset", "1e300")]));
        assert_eq!(r.remaining, Some(u64::MAX));
        assert_eq!(r.reset, Some(crate::retry::MAX_HINT));
    }

    #[tokio::test]
    async fn a_spent_budget_waits_for_the_reset_and_stale_answers_do_not_raise_it() {
        let budget = Arc::new(Budget::default());
        let long = Duration::from_secs(60);
        let first = budget.reserve("GET /users", long, |_| panic!("no wait yet")).await;
        let second = budget.reserve("GET /users", long, |_| panic!("no wait yet")).await;
        second.answered(&headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1")]));
        // The first request's answer came later but was counted earlier: it is stale.
        first.answered(&headers(&[("ratelimit-remaining", "1"), ("ratelimit-reset", "1")]));
        let mut pauses = Vec::new();
        let started = Instant::now();
        let _third = budget.reserve("GET /users", long, |p| pauses.push(p)).await;
        assert!(matches!(pauses.as_slice(), [Pause::Reset(w)] if *w <= Duration::from_secs(1)), "{pauses:?}");
        assert!(started.elapsed() >= Duration::from_millis(900));
    }

    #[tokio::test]
    async fn a_reset_longer_than_the_longest_wait_is_not_waited_for() {
        let budget = Arc::new(Budget::default());
        let slot = budget.reserve("GET /users", Duration::from_secs(60), |_| {}).await;
        slot.answered(&headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "86400")]));
        let _next = budget.reserve("GET /users", Duration::from_secs(60), |p| panic!("waited: {p:?}")).await;
    }

    #[tokio::test]
    async fn an_operations_own_limit_paces_that_operation_only() {
        let budget = Arc::new(Budget::default());
        let long = Duration::from_secs(60);
        let slot = budget.reserve("POST /incidents", long, |_| {}).await;
        slot.answered(&headers(&[
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", "30"),
            ("x-pd-operation-limit", "post-incidents"),
        ]));
        let _other = budget.reserve("GET /users", long, |p| panic!("waited: {p:?}")).await;
        let quotas = budget.quotas();
        assert_eq!(quotas.len(), 1);
        assert_eq!(quotas[0].operation.as_deref(), Some("POST /incidents"));
        let mut paused = None;
        let wait = budget.reserve("POST /incidents", long, |p| paused = Some(p));
        assert!(tokio::time::timeout(Duration::from_millis(200), wait).await.is_err());
        assert!(matches!(paused, Some(Pause::Reset(_))));
    }
}
