//! PagerDuty's documents as the tests read them: where they are, and `$ref`s followed.

use serde_json::Value;
use std::path::PathBuf;

/// The documents' directory: `PDRS_OPENAPI_DIR`, else the project's `openapi/`.
pub fn openapi_dir() -> PathBuf {
    std::env::var_os("PDRS_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi"))
}

/// `node`, or what its local `$ref` points at (followed through), when it has one that resolves.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).map(|t| resolve(doc, t)).unwrap_or(node),
        None => node,
    }
}
