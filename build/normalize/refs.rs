//! Reference fixes: refs into the inside of definitions, refs of the wrong kind, dangling refs.

use crate::json::{get, get_mut, pascal, ref_segments, refs, segments_ref, walk_mut};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Whether a reference names a whole component (`#/components/<kind>/<name>`).
fn is_component_ref(segs: &[String]) -> bool {
    segs.len() == 3 && segs[0] == "components"
}

/// A schema with no structure of its own (no properties, compositions or enum): inlining it at the
/// reference site is better than a newtype around a primitive.
fn is_primitive(schema: &Value) -> bool {
    let Value::Object(map) = schema else { return false };
    let structural = ["properties", "allOf", "oneOf", "anyOf", "enum", "additionalProperties", "$ref"];
    if structural.iter().any(|k| map.contains_key(*k)) {
        return false;
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => true,
        Some("array") => map.get("items").is_none_or(is_primitive),
        _ => false,
    }
}

/// Replaces every `{"$ref": r, ..}` node in `doc` whose `r` is a key of `with` by its value, in
/// one walk; returns the count.
fn replace_ref_sites(doc: &mut Value, with: &BTreeMap<String, Value>) -> usize {
    if with.is_empty() {
        return 0;
    }
    let mut n = 0;
    walk_mut(doc, &mut |_, node| {
        if let Some(value) = node.get("$ref").and_then(Value::as_str).and_then(|r| with.get(r)) {
            *node = value.clone();
            n += 1;
        }
    });
    n
}

/// Name for a definition lifted out of `segs`: the meaningful segments in PascalCase
/// (`components/schemas/Tag/allOf/0` -> `TagAllOf0`).
fn lifted_name(segs: &[String], taken: &BTreeSet<String>) -> String {
    const NOISE: &[&str] = &["components", "schemas", "content", "schema", "properties", "paths"];
    let base: String = segs
        .iter()
        .filter(|s| !NOISE.contains(&s.as_str()))
        // Media types (`application/json`) are noise too; path templates (`/users/{id}`) are not.
        .filter(|s| !s.contains('/') || s.starts_with('/'))
        .map(|s| pascal(s))
        .collect();
    let base = if base.is_empty() { "Lifted".to_string() } else { base };
    let mut name = base.clone();
    let mut i = 2;
    while taken.contains(&name) {
        name = format!("{base}{i}");
        i += 1;
    }
    name
}

/// Rule: a `$ref` that points inside another definition (`#/components/schemas/Tag/allOf/0`,
/// `#/components/responses/X/content/application~1json/schema`, `#/paths/...`) is rewritten to
/// a whole component. Primitive targets are inlined at each site; structured targets are lifted
/// into `components/schemas` under a derived name, and their original location becomes a ref to
/// the lifted component so both uses share one type.
pub fn lift_deep_refs(doc: &mut Value) -> usize {
    let mut touched = 0;
    for _round in 0..8 {
        let mut all = Vec::new();
        refs(doc, &mut all);
        let mut deep: Vec<Vec<String>> = all
            .iter()
            .filter_map(|r| ref_segments(r))
            .filter(|s| !is_component_ref(s))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if deep.is_empty() {
            break;
        }
        // Innermost targets first, so an outer target lifted later carries a ref to the inner one.
        deep.sort_by_key(|s| std::cmp::Reverse(s.len()));
        // What each deep ref becomes, applied in one walk at the end of the round (the lifted
        // copies are in the document by then, so refs inside them are rewritten too).
        let mut replace: BTreeMap<String, Value> = BTreeMap::new();
        for segs in deep {
            let from = segments_ref(&segs);
            let original: Vec<String> =
                all.iter().filter(|r| ref_segments(r).as_ref() == Some(&segs)).cloned().collect();
            let Some(target) = get(doc, &segs).cloned() else { continue };
            if let Some(inner) = target.get("$ref") {
                for r in &original {
                    replace.insert(r.clone(), json!({ "$ref": inner }));
                }
                continue;
            }
            if is_primitive(&target) {
                for r in &original {
                    replace.insert(r.clone(), target.clone());
                }
                continue;
            }
            let taken: BTreeSet<String> = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let name = lifted_name(&segs, &taken);
            let new_ref = json!({ "$ref": format!("#/components/schemas/{name}") });
            ensure_schemas(doc).insert(name, target);
            if let Some(slot) = get_mut(doc, &segs) {
                *slot = new_ref.clone();
            }
            for r in original.iter().chain(std::iter::once(&from)) {
                replace.insert(r.clone(), new_ref.clone());
            }
        }
        touched += replace_ref_sites(doc, &replace);
    }
    touched
}

/// `components/schemas`, created when missing.
pub fn ensure_schemas(doc: &mut Value) -> &mut Map<String, Value> {
    let root = doc.as_object_mut().expect("an OpenAPI document is a JSON object");
    let components = root.entry("components").or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let schemas = components.as_object_mut().expect("object").entry("schemas").or_insert_with(|| json!({}));
    if !schemas.is_object() {
        *schemas = json!({});
    }
    schemas.as_object_mut().expect("object")
}

/// Rule: a response that references a `requestBodies` component (or a request body that
/// references a `responses` component) is replaced by an inline object carrying the target's
/// `content`, which has the same shape in both kinds.
pub fn fix_wrong_kind_refs(doc: &mut Value) -> usize {
    let snapshot = doc.clone();
    let mut n = 0;
    walk_mut(doc, &mut |path, node| {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else { return };
        let Some(segs) = ref_segments(r) else { return };
        let expected = match path {
            [.., parent, _code] if parent == "responses" && path.len() >= 4 && path[0] == "paths" => "responses",
            [.., last] if last == "requestBody" => "requestBodies",
            _ => return,
        };
        if segs.len() != 3 || segs[0] != "components" || segs[1] == expected {
            return;
        }
        let Some(target) = get(&snapshot, &segs) else { return };
        let description = target.get("description").cloned().unwrap_or_else(|| json!(""));
        let mut replacement = Map::new();
        replacement.insert("description".into(), description);
        if let Some(content) = target.get("content") {
            replacement.insert("content".into(), content.clone());
        }
        *node = Value::Object(replacement);
        n += 1;
    });
    n
}

/// What stands in for a reference whose target does not exist, by the kind it names.
enum Repair {
    /// The node is replaced (a schema by `{}`, any value; a response by one without content).
    Replace(Value),
    /// The node leaves its object or list (a parameter, request body, example, header, link,
    /// callback or security scheme that is not there describes nothing).
    Remove,
}

fn repair_of(r: &str) -> Repair {
    let segments = ref_segments(r).unwrap_or_default();
    let kind = if segments.first().is_some_and(|s| s == "components") { segments.get(1) } else { None };
    match kind.map(String::as_str) {
        Some("responses") => {
            Repair::Replace(json!({"description": "(the document refers to a response it does not define)"}))
        }
        Some("parameters" | "requestBodies" | "examples" | "headers" | "links" | "callbacks" | "securitySchemes") => {
            Repair::Remove
        }
        _ => Repair::Replace(json!({})),
    }
}

/// Rule: a local `$ref` whose target does not exist is repaired by the kind it names: a schema
/// becomes `{}` (any value), a response one without content, and a parameter, request body,
/// example, header, link, callback or security scheme is removed from where it was listed.
/// progenitor would otherwise fail on the missing definition.
pub fn drop_dangling_refs(doc: &mut Value) -> usize {
    let mut all = Vec::new();
    refs(doc, &mut all);
    let missing: BTreeSet<String> =
        all.into_iter().filter(|r| ref_segments(r).is_some_and(|segs| get(doc, &segs).is_none())).collect();
    if missing.is_empty() {
        return 0;
    }
    repair_dangling(doc, &missing)
}

/// The dangling reference a node is, if it is one.
fn dangling<'a>(node: &Value, missing: &'a BTreeSet<String>) -> Option<&'a String> {
    node.get("$ref").and_then(Value::as_str).and_then(|r| missing.get(r))
}

fn repair_dangling(node: &mut Value, missing: &BTreeSet<String>) -> usize {
    let mut n = 0;
    match node {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                match dangling(&map[&key], missing).map(|r| repair_of(r)) {
                    Some(Repair::Remove) => {
                        map.retain(|k, _| *k != key);
                        n += 1;
                    }
                    Some(Repair::Replace(with)) => {
                        map.insert(key, with);
                        n += 1;
                    }
                    None => n += repair_dangling(&mut map[&key], missing),
                }
            }
        }
        Value::Array(items) => {
            let before = items.len();
            items.retain(|item| !matches!(dangling(item, missing).map(|r| repair_of(r)), Some(Repair::Remove)));
            n += before - items.len();
            for item in items.iter_mut() {
                match dangling(item, missing).map(|r| repair_of(r)) {
                    Some(Repair::Replace(with)) => {
                        *item = with;
                        n += 1;
                    }
                    _ => n += repair_dangling(item, missing),
                }
            }
        }
        _ => {}
    }
    n
}

/// What no rule repairs: a `$ref` that is not local to the document (another file, a URL), or a
/// local one that still resolves to nothing. Names the document's JSON pointer of the first.
pub fn unresolvable_ref(doc: &Value) -> Option<(String, String)> {
    fn go(root: &Value, node: &Value, pointer: &mut String) -> Option<(String, String)> {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    match ref_segments(r) {
                        None => return Some((pointer.clone(), format!("$ref {r:?} points outside the document"))),
                        Some(segs) if get(root, &segs).is_none() => {
                            return Some((pointer.clone(), format!("$ref {r:?} points at nothing")))
                        }
                        Some(_) => {}
                    }
                }
                for (key, child) in map {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    let found = go(root, child, pointer);
                    pointer.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            Value::Array(items) => items.iter().enumerate().find_map(|(i, child)| {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                let found = go(root, child, pointer);
                pointer.truncate(len);
                found
            }),
            _ => None,
        }
    }
    go(doc, doc, &mut String::new())
}
