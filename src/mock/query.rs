//! PagerDuty's query rules: dates in the ISO 8601 forms PagerDuty accepts, booleans as clients
//! send them, numbers with bounds, cursors the mock issued. Each violation is a 400 code 2001
//! naming the parameter, as PagerDuty answers.

use chrono::{DateTime, FixedOffset};

/// The query of one request.
pub(crate) struct Query<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Query<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Self {
        Self { pairs }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of a list parameter (`key[]`, or `key` repeated).
    pub fn list(&self, key: &str) -> Vec<&'a str> {
        let bracketed = format!("{key}[]");
        self.pairs.iter().filter(|(k, _)| *k == bracketed || k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// A boolean flag, read as PagerDuty reads one ([`query_true`](crate::spec::query_true)).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).is_some_and(crate::spec::query_true)
    }

    /// A whole number between `min` and `max` (`default` when absent).
    pub fn number(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, String> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                Ok(_) => Err(format!("{key} must be between {min} and {max}")),
                Err(_) => Err(format!("{key} must be a whole number")),
            },
        }
    }

    /// A date or date-time parameter.
    pub fn time(&self, key: &str) -> Result<Option<DateTime<FixedOffset>>, String> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(text) => crate::time::parse(text)
                .map(Some)
                .ok_or_else(|| format!("{key} is not a valid ISO 8601 date: {text:?}")),
        }
    }
}

/// A length of time as PagerDuty's documents state it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Span {
    Months(u32),
    Days(i64),
    Hours(i64),
}

impl Span {
    fn before(self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Span::Months(n) => t.checked_sub_months(chrono::Months::new(n)).unwrap_or(t),
            Span::Days(n) => t - chrono::Duration::days(n),
            Span::Hours(n) => t - chrono::Duration::hours(n),
        }
    }

    fn after(self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Span::Months(n) => t.checked_add_months(chrono::Months::new(n)).unwrap_or(t),
            Span::Days(n) => t + chrono::Duration::days(n),
            Span::Hours(n) => t + chrono::Duration::hours(n),
        }
    }

    fn describe(self) -> String {
        match self {
            Span::Months(n) => format!("{n} months"),
            Span::Days(n) => format!("{n} days"),
            Span::Hours(n) => format!("{n} hours"),
        }
    }
}

/// The default window and widest range PagerDuty documents for a listing's `since`/`until`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The window when `since` is not given (ending at `until`, else now).
    default: Span,
    /// The widest `since`..`until` range accepted.
    widest: Span,
    /// Whether `until` left out ends the default window after `since` (else it is now).
    until_after_since: bool,
}

/// The documented windows: incidents, the last month and at most six months (`until` alone or
/// `since` alone spans one month); audit records, the last 24 hours and at most 31 days
/// (`until` defaults to now).
pub(crate) fn documented_limits(template: &str) -> Option<Limits> {
    if template == "/incidents" {
        Some(Limits { default: Span::Months(1), widest: Span::Months(6), until_after_since: true })
    } else if template.ends_with("/audit/records") {
        Some(Limits { default: Span::Hours(24), widest: Span::Days(31), until_after_since: false })
    } else {
        None
    }
}

/// The time window of a listing: `since`/`until` as given, with the listing's documented
/// defaults and widest range; `date_range=all` drops both.
pub(crate) struct Window {
    pub since: Option<DateTime<FixedOffset>>,
    pub until: Option<DateTime<FixedOffset>>,
}

impl Window {
    /// Whether the window has neither end: every record is in it.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    pub fn of(query: &Query<'_>, limits: Option<Limits>, now: DateTime<chrono::Utc>) -> Result<Self, String> {
        let since = query.time("since")?;
        let until = query.time("until")?;
        if query.get("date_range") == Some("all") {
            return Ok(Self { since: None, until: None });
        }
        if let (Some(s), Some(u)) = (since, until) {
            if u < s {
                return Err("until must not be before since".into());
            }
        }
        let Some(limits) = limits else { return Ok(Self { since, until }) };
        let now = now.fixed_offset();
        let (since, until) = match (since, until) {
            (None, None) => (limits.default.before(now), None),
            (Some(s), None) if limits.until_after_since => (s, Some(limits.default.after(s))),
            (Some(s), None) => (s, None),
            (None, Some(u)) => (limits.default.before(u), Some(u)),
            (Some(s), Some(u)) => (s, Some(u)),
        };
        let end = until.unwrap_or(now);
        if end > limits.widest.after(since) {
            return Err(format!("the range from since to until must not be over {}", limits.widest.describe()));
        }
        Ok(Self { since: Some(since), until })
    }
    /// Whether a span from `start` to `end` (open-ended without one) overlaps the window.
    pub fn overlaps(&self, start: &str, end: Option<&str>) -> bool {
        let Some(start) = crate::time::parse(start) else { return true };
        let end = end.and_then(crate::time::parse);
        self.until.is_none_or(|u| start < u) && self.since.is_none_or(|s| end.is_none_or(|e| e > s))
    }

    /// Whether a record stamped `at` (RFC 3339) falls in the window; a record without a stamp does.
    pub fn holds(&self, at: Option<&str>) -> bool {
        let Some(at) = at.and_then(crate::time::parse) else { return true };
        self.since.is_none_or(|s| at >= s) && self.until.is_none_or(|u| at < u)
    }
}

/// A cursor the mock issues for position `n` of a listing, and reads back; anything else is a
/// cursor the mock never issued.
pub(crate) fn cursor(n: usize) -> String {
    format!("c{n}")
}

/// The position a cursor stands for.
pub(crate) fn position(cursor: &str) -> Result<usize, String> {
    cursor.strip_prefix('c').and_then(|n| n.parse().ok()).ok_or_else(|| format!("invalid cursor {cursor:?}"))
}
