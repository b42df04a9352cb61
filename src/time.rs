//! Times as PagerDuty reads them: the ISO 8601 forms its API takes in queries and bodies.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// Parses the ISO 8601 forms PagerDuty accepts: RFC 3339 (`2026-11-01T09:00:00Z`,
/// `+01:00`), offsets without a colon (`+0000`, as python-pagerduty sends them), date-times
/// without a zone (UTC), and plain dates (midnight UTC).
pub fn parse(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    let utc = FixedOffset::east_opt(0)?;
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return utc.from_local_datetime(&t).single();
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    utc.from_local_datetime(&date.and_hms_opt(0, 0, 0)?).single()
}
