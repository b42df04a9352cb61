//! Media types: what progenitor can encode and decode.

use crate::json::walk_mut;
use serde_json::{json, Map, Value};

/// Whether a media type carries JSON (`application/json`, `application/scim+json`, ...).
pub fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Media types progenitor handles natively besides JSON.
fn is_native(media: &str) -> bool {
    matches!(media, "application/x-www-form-urlencoded" | "application/octet-stream" | "text/plain")
}

/// Extension recording the media type a raw-bytes body really has; the request pipeline sends it
/// as `Content-Type` and the operation table reports it.
pub const CONTENT_TYPE_EXT: &str = "x-pdrs-content-type";

/// Reduces one `content` map to a single media type progenitor can handle. Returns the original
/// media type when the body had to become raw bytes.
fn reduce(content: &mut Map<String, Value>) -> (bool, Option<String>) {
    if content.len() <= 1 && content.keys().all(|m| m == "application/json" || is_native(m)) {
        return (false, None);
    }
    if let Some((_, media)) = content.iter().find(|(k, _)| is_json(k)) {
        let media = media.clone();
        content.clear();
        content.insert("application/json".into(), media);
        return (true, None);
    }
    if let Some((k, media)) = content.iter().find(|(k, _)| is_native(k)) {
        let (k, media) = (k.clone(), media.clone());
        content.clear();
        content.insert(k, media);
        return (true, None);
    }
    let original = content.keys().next().cloned();
    content.clear();
    content.insert("application/octet-stream".into(), json!({ "schema": { "type": "string", "format": "binary" } }));
    (true, original)
}

/// Rule: every request and response body is reduced to one media type progenitor supports.
/// JSON wins (vendor `+json` types become `application/json`); otherwise a natively supported
/// type; otherwise (multipart, CSV) the body becomes raw bytes and the original media type is
/// kept in `x-pdrs-content-type` on the operation, so the call stays possible with the right
/// `Content-Type`.
pub fn reduce_media_types(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_mut(doc, &mut |path, node| {
        let is_op = path.len() == 3 && path[0] == "paths";
        if !is_op {
            return;
        }
        let Value::Object(op) = node else { return };
        let mut raw_type = None;
        if let Some(Value::Object(content)) = op.get_mut("requestBody").and_then(|b| b.get_mut("content")) {
            let (changed, original) = reduce(content);
            n += usize::from(changed);
            raw_type = original;
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for response in responses.values_mut() {
                if let Some(Value::Object(content)) = response.get_mut("content") {
                    n += usize::from(reduce(content).0);
                }
            }
        }
        if let Some(t) = raw_type {
            op.insert(CONTENT_TYPE_EXT.into(), Value::String(t));
        }
    });
    // Components hold bodies and responses too.
    for kind in ["requestBodies", "responses"] {
        if let Some(Value::Object(items)) = doc.pointer_mut(&format!("/components/{kind}")) {
            for item in items.values_mut() {
                if let Some(Value::Object(content)) = item.get_mut("content") {
                    n += usize::from(reduce(content).0);
                }
            }
        }
    }
    n
}
