//! Which properties the documents call credentials: their values never show in `Debug`.

use serde_json::Value;
use std::collections::BTreeSet;

/// Property names that hold secrets wherever they appear.
const SECRET_NAMES: &[&str] = &[
    "password",
    "secret",
    "secrets",
    "client_secret",
    "routing_key",
    "integration_key",
    "access_token",
    "refresh_token",
    "api_key",
];

/// Whether a property schema describes a credential: a secret's name, `format: password`, a
/// write-only password or token, or a description that says it is a credential.
fn is_credential(name: &str, schema: &Value) -> bool {
    let lower = name.to_ascii_lowercase();
    if SECRET_NAMES.contains(&lower.as_str()) || schema.get("format").and_then(Value::as_str) == Some("password") {
        return true;
    }
    let write_only = schema.get("writeOnly").and_then(Value::as_bool) == Some(true);
    if write_only && ["password", "secret", "token"].iter().any(|w| lower.contains(w)) {
        return true;
    }
    let description = schema.get("description").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    ["bearer credential", "is a credential", "is a secret", "are credentials"].iter().any(|p| description.contains(p))
}

/// The names of every property, anywhere in `doc`, that is a credential.
pub fn credential_fields(doc: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    out.extend(props.iter().filter(|(k, v)| is_credential(k, v)).map(|(k, _)| k.clone()));
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(doc, &mut out);
    out
}
