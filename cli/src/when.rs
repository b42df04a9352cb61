//! Times as a person types them: ISO 8601 as PagerDuty reads it, or relative to now (`now`,
//! `today`, `yesterday`, `-24h`, `+30m`, `-7d`, `-2w`), in flags and in `--data` bodies.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

/// A time as it goes to PagerDuty: an ISO 8601 text as given, or a relative time made
/// absolute (RFC 3339, UTC, seconds).
pub(crate) fn absolute(text: &str, now: DateTime<Utc>) -> Option<String> {
    if pdrs::time::parse(text).is_some() {
        return Some(text.to_string());
    }
    relative(text.trim(), now).map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn relative(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let midnight = |day: DateTime<Utc>| day.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    match text {
        "now" => return Some(now),
        "today" => return midnight(now),
        "yesterday" => return midnight(now - Duration::days(1)),
        _ => {}
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => return None,
    };
    let unit = rest.chars().last()?;
    let amount: i64 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let span = match unit {
        's' => Duration::try_seconds(amount)?,
        'm' => Duration::try_minutes(amount)?,
        'h' => Duration::try_hours(amount)?,
        'd' => Duration::try_days(amount)?,
        'w' => Duration::try_weeks(amount)?,
        _ => return None,
    };
    now.checked_add_signed(span * sign)
}

/// The flag parser of a date: [`absolute`] against the clock, or what a date may look like.
pub(crate) fn parse_flag(text: &str) -> Result<String, String> {
    absolute(text, Utc::now()).ok_or_else(|| {
        format!(
            "{text:?} is not a date: ISO 8601 (2026-11-01, 2026-11-01T09:00:00Z) or relative (now, today, yesterday, -24h, -7d, +30m)"
        )
    })
}

/// Relative times in the date-time fields of a body (as the operation's shape declares them)
/// made absolute; other values are left as they are, for the body check to judge.
pub(crate) fn in_body(shape: &Value, body: &mut Value, now: DateTime<Utc>) {
    match body {
        Value::String(text) if shape.get("format").and_then(Value::as_str) == Some("date-time") => {
            if let Some(at) = absolute(text, now) {
                *text = at;
            }
        }
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = shape.get("properties") {
                for (field, value) in map.iter_mut() {
                    if let Some(inner) = properties.get(field) {
                        in_body(inner, value, now);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(inner) = shape.get("items") {
                items.iter_mut().for_each(|item| in_body(inner, item, now));
            }
        }
        _ => {}
    }
}
