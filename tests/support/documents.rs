//! PagerDuty's documents as the tests read them: where the build found them, and `$ref`s followed.

use serde_json::Value;
use std::path::PathBuf;

/// Where this build read a document from (`rest.json`, `scim.json`...), whatever the layout of
/// the folder it was found in (the build script lists them in `OUT_DIR`); `None` when the build
/// did not read it, or in a package without pdrs's build script.
pub fn document(file: &str) -> Option<PathBuf> {
    let listing = std::fs::read_to_string(std::path::Path::new(option_env!("OUT_DIR")?).join("documents.tsv")).ok()?;
    listing
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .find(|(name, _)| *name == file)
        .map(|(_, path)| PathBuf::from(path))
}

/// `node`, or what its local `$ref` points at (followed through), when it has one that resolves.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).map(|t| resolve(doc, t)).unwrap_or(node),
        None => node,
    }
}
