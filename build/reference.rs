//! Links from the generated operations to PagerDuty's API reference.
//!
//! The documents' descriptions link to other reference pages with relative URLs
//! (`../../api-reference/a47605517c19a-api-concepts#users`), which are dead links in rustdoc: they
//! are made absolute. Each operation's description then ends with a link to the API reference
//! and the operation's title and id, under which the reference lists it. (The reference's
//! per-operation pages are keyed by ids of its publishing tool that the documents do not carry,
//! so a deep link cannot be derived from them.)

use serde_json::Value;

/// Where the documents' relative links point from (a page of the API reference).
pub const REFERENCE_PAGE: &str = "https://developer.pagerduty.com/api-reference/page";

/// The API reference's home.
pub const REFERENCE_HOME: &str = "https://developer.pagerduty.com/api-reference/";

/// `href` resolved against `page` when it is relative (`../x`, `./x`); absolute links, anchors
/// and other schemes are returned as they are.
pub fn resolve(page: &str, href: &str) -> String {
    if !(href.starts_with("../") || href.starts_with("./")) {
        return href.to_string();
    }
    let Some((origin, path)) = page.split_once("://").map(|(scheme, rest)| {
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        (format!("{scheme}://{host}"), path)
    }) else {
        return href.to_string();
    };
    // The page's directory, then each segment of the link.
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    let mut rest = href;
    loop {
        if let Some(r) = rest.strip_prefix("../") {
            segments.pop();
            rest = r;
        } else if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else {
            break;
        }
    }
    let mut out = origin;
    for s in segments.iter().filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(s);
    }
    out.push('/');
    out.push_str(rest);
    out
}

/// Markdown text with its relative link targets (`](../x)`) made absolute against `page`.
pub fn absolute_links(text: &str, page: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let end = rest.find([')', ' ']).unwrap_or(rest.len());
        out.push_str(&resolve(page, &rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Makes every operation's description links absolute and ends it with its reference line.
/// Returns the number of operations annotated.
pub fn annotate(spec: &mut Value) -> usize {
    let mut n = 0;
    crate::json::for_each_operation_mut(spec, |path, method, op| {
        let title = op.get("summary").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let line = match title {
            Some(title) => format!(
                "PagerDuty API reference: [{}]({REFERENCE_HOME}) (`{id}`, `{} {path}`).",
                title.replace(['[', ']'], ""),
                method.to_ascii_uppercase()
            ),
            None => format!(
                "PagerDuty API reference: <{REFERENCE_HOME}> (`{id}`, `{} {path}`).",
                method.to_ascii_uppercase()
            ),
        };
        let description = op.get("description").and_then(Value::as_str).unwrap_or_default();
        let text = absolute_links(description.trim_end(), REFERENCE_PAGE);
        let text = if text.is_empty() { line } else { format!("{text}\n\n{line}") };
        op.insert("description".into(), Value::String(text));
        n += 1;
    });
    n
}
