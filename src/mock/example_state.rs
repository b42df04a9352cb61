//! State seeded from the document's examples, for the collections the seed does not build
//! itself (add-ons, status pages, contact methods, incident workflows...): each list operation
//! that has a GET-by-id companion holds its example records, so what a listing shows can be
//! fetched, changed and deleted by id. Nested lists are held under each of the first
//! [`MAX_PARENTS`] records of their parent collection.

use super::documented;
use super::store::Store;
use crate::spec::{self, Api, Operation};
use serde_json::Value;

/// How many records of a parent collection get their own copy of a nested list.
pub(crate) const MAX_PARENTS: usize = 100;

/// Adds the example collections to `store`; collections it already holds are left alone.
pub(crate) fn seed(store: &mut Store, base: &str) {
    let mut lists: Vec<(&Operation, &str)> = spec::operations()
        .iter()
        .filter(|op| op.api == Api::Rest && op.method == "GET" && !op.path.ends_with('}'))
        .filter(|op| documented::single_of(op).is_some())
        .filter_map(|op| Some((op, documented::list_field(op)?)))
        .collect();
    // Parents before children: `/status_pages` before `/status_pages/{id}/posts`.
    lists.sort_by_key(|(op, _)| op.path.matches('{').count());
    for (op, field) in lists {
        let Some(Value::Array(records)) = documented::example(op).and_then(|e| e.get(field)) else { continue };
        // A listing's example often shows a few fields; the single record's example shows the
        // whole record: each record held is that whole record with the listing's fields on top.
        let whole = documented::single_of(op).and_then(|single| {
            let example = documented::example(single)?;
            match single.response_wrapper {
                Some(w) => example.get(w).cloned(),
                None => Some(example.clone()),
            }
        });
        let records: Vec<Value> = records
            .iter()
            .filter(|r| r.get("id").is_some_and(Value::is_string))
            .map(|r| match (&whole, r) {
                (Some(Value::Object(whole)), Value::Object(listed)) => {
                    let mut record = whole.clone();
                    record.extend(listed.iter().map(|(k, v)| (k.clone(), v.clone())));
                    Value::Object(record)
                }
                _ => r.clone(),
            })
            .collect();
        if records.is_empty() {
            continue;
        }
        for path in concrete_paths(store, op.path) {
            if store.collections.contains_key(&path) {
                continue;
            }
            let held = records
                .iter()
                .map(|record| {
                    let mut record = documented::on_base(record, base);
                    if let (Some(id), Some(link)) = (record.get("id").cloned(), record.get_mut("self")) {
                        if link.is_string() {
                            *link = Value::String(format!("{base}{path}/{}", id.as_str().unwrap_or_default()));
                        }
                    }
                    record
                })
                .collect();
            store.collections.insert(path, held);
        }
    }
}

/// The concrete paths of a template, each parameter taken from the ids of the collection held
/// at the path so far (the first [`MAX_PARENTS`] of them).
fn concrete_paths(store: &Store, template: &str) -> Vec<String> {
    let mut paths = vec![String::new()];
    for segment in template.trim_start_matches('/').split('/') {
        if segment.starts_with('{') {
            paths = paths
                .iter()
                .flat_map(|prefix| {
                    store
                        .list(prefix)
                        .iter()
                        .filter_map(|r| r.get("id").and_then(Value::as_str))
                        .take(MAX_PARENTS)
                        .map(move |id| format!("{prefix}/{id}"))
                })
                .collect();
        } else {
            paths.iter_mut().for_each(|p| {
                p.push('/');
                p.push_str(segment);
            });
        }
    }
    paths
}
