//! Feature selection: which operations this build compiles, and pruning of what they don't reach.

use crate::documents::{feature_enabled, tag_feature, Document};
use crate::json::{get, operations, ref_segments, refs};
use serde_json::Value;
use std::collections::BTreeSet;

/// `(path, method)` of every operation the enabled features ask for.
pub fn enabled_operations(doc: &Document, spec: &Value) -> BTreeSet<(String, String)> {
    let all = operations(spec);
    let wanted = |op: &Value| -> bool {
        match doc.feature {
            Some(feature) => feature_enabled(feature),
            None => feature_enabled("rest") || operation_tag(op).is_some_and(|t| feature_enabled(&tag_feature(&t))),
        }
    };
    all.into_iter().filter(|(_, _, op)| wanted(op)).map(|(p, m, _)| (p, m)).collect()
}

/// The first tag of an operation, which names its feature and its trait.
pub fn operation_tag(op: &Value) -> Option<String> {
    op.get("tags")?.as_array()?.first()?.as_str().map(String::from)
}

const COMPONENT_KINDS: &[&str] = &["schemas", "responses", "parameters", "requestBodies", "headers", "examples"];

/// A copy of `spec` holding only the `keep` operations and the components they reach.
pub fn prune(spec: &Value, keep: &BTreeSet<(String, String)>) -> Value {
    let mut out = spec.clone();
    if let Some(Value::Object(paths)) = out.get_mut("paths") {
        paths.retain(|path, item| {
            if let Value::Object(item) = item {
                item.retain(|method, _| {
                    !crate::json::METHODS.contains(&method.as_str()) || keep.contains(&(path.clone(), method.clone()))
                });
                item.keys().any(|m| crate::json::METHODS.contains(&m.as_str()))
            } else {
                false
            }
        });
    }
    // Components reachable from the kept paths, transitively.
    let mut reached: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut stack = Vec::new();
    refs(out.get("paths").unwrap_or(&Value::Null), &mut stack);
    while let Some(r) = stack.pop() {
        let Some(segs) = ref_segments(&r) else { continue };
        if segs.len() != 3 || segs[0] != "components" || !reached.insert(segs.clone()) {
            continue;
        }
        if let Some(target) = get(spec, &segs) {
            refs(target, &mut stack);
        }
    }
    if let Some(Value::Object(components)) = out.get_mut("components") {
        for kind in COMPONENT_KINDS {
            if let Some(Value::Object(items)) = components.get_mut(*kind) {
                items.retain(|name, _| {
                    reached.contains(&vec!["components".to_string(), kind.to_string(), name.clone()])
                });
            }
        }
    }
    out
}
