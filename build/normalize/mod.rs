//! The normalization pass: one named rule per class of defect in PagerDuty's documents.
//!
//! Every rule is a function `fn(&mut Value) -> usize` that rewrites the parsed document in place
//! and returns how many places it rewrote. Rules match by shape, never by operation name; the few
//! names that cannot be derived from shape are in [`targets`], each with its reason. The sites
//! each rule changed (found by comparing the document before and after it) are written to
//! `generated/normalization.tsv`, so a new revision of the documents shows up as a reviewable
//! diff. Each rule has a unit test on a small fixture in `tests/build/build_rules.rs`.

pub mod compose;
pub mod examples;
pub mod media;
pub mod operations;
pub mod params;
pub mod refs;
pub mod responses;
pub mod schemas;
pub mod targets;

use serde_json::Value;

/// A named normalization rule.
pub struct Rule {
    /// Stable name, used in the report.
    pub name: &'static str,
    /// The rewrite; returns the number of sites touched.
    pub apply: fn(&mut Value) -> usize,
}

/// The rules in the order they run. Reference fixes come first so later rules see plain
/// components; response and schema rules come after media types are settled.
pub const RULES: &[Rule] = &[
    Rule { name: "synthesize_operation_ids", apply: operations::synthesize_operation_ids },
    Rule { name: "lift_deep_refs", apply: refs::lift_deep_refs },
    Rule { name: "fix_wrong_kind_refs", apply: refs::fix_wrong_kind_refs },
    Rule { name: "drop_dangling_refs", apply: refs::drop_dangling_refs },
    Rule { name: "merge_all_of", apply: compose::merge_all_of },
    Rule { name: "reduce_media_types", apply: media::reduce_media_types },
    Rule { name: "unify_error_responses", apply: responses::unify_error_responses },
    Rule { name: "merge_success_responses", apply: responses::merge_success_responses },
    Rule { name: "declare_path_params", apply: params::declare_path_params },
    Rule { name: "drop_negotiation_headers", apply: params::drop_negotiation_headers },
    Rule { name: "optional_client_headers", apply: params::optional_client_headers },
    Rule { name: "bracket_params_as_arrays", apply: params::bracket_params_as_arrays },
    Rule { name: "inject_paging_params", apply: params::inject_paging_params },
    Rule { name: "move_array_enums_to_items", apply: schemas::move_array_enums_to_items },
    Rule { name: "drop_bad_defaults", apply: schemas::drop_bad_defaults },
    Rule { name: "drop_string_constraints", apply: schemas::drop_string_constraints },
    Rule { name: "strip_inline_titles", apply: schemas::strip_inline_titles },
    Rule { name: "nullable_compositions", apply: schemas::nullable_compositions },
    Rule { name: "null_enum_values", apply: schemas::null_enum_values },
    Rule { name: "lift_colliding_inline_names", apply: schemas::lift_colliding_inline_names },
    Rule { name: "widen_contradicted_types", apply: examples::widen_contradicted_types },
    Rule { name: "open_unions", apply: examples::open_unions },
    Rule { name: "default_constant_kinds", apply: schemas::default_constant_kinds },
    Rule { name: "tolerate_missing_fields", apply: schemas::tolerate_missing_fields },
    Rule { name: "tolerate_extra_fields", apply: schemas::tolerate_extra_fields },
];

/// The diff thread's stack: the diff recurses once per level of the document.
const DIFF_STACK: usize = 16 << 20;

/// Runs every rule over `doc`; returns each rule's name and the sites it changed, in order.
///
/// The sites are a diff of the document before and after each rule. The diffs run on a second
/// thread while the next rule runs on this one: each rule's result is snapshotted once, shared by
/// its diff and the next rule's, and at most a few snapshots are alive at a time (the channel
/// holds one pair).
pub fn apply(doc: &mut Value) -> Vec<(&'static str, Vec<String>)> {
    use std::sync::{mpsc, Arc};
    type Pair = (&'static str, Arc<Value>, Arc<Value>);
    let (send, receive) = mpsc::sync_channel::<Pair>(1);
    std::thread::scope(|scope| {
        let differ = std::thread::Builder::new()
            .name("normalization report".into())
            .stack_size(DIFF_STACK)
            .spawn_scoped(scope, move || {
                receive.into_iter().map(|(rule, before, after)| (rule, changed_sites(&before, &after))).collect()
            })
            .expect("spawning the normalization report's thread");
        let mut before = Arc::new(doc.clone());
        for rule in RULES {
            (rule.apply)(doc);
            let after = Arc::new(doc.clone());
            // Fails only if the diff thread panicked; its panic is raised by the join below.
            if send.send((rule.name, before, Arc::clone(&after))).is_err() {
                break;
            }
            before = after;
        }
        drop(send);
        differ.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// JSON pointers of the nodes whose own entries differ between `before` and `after`: an object
/// that gained, lost or changed a scalar entry, an array that changed length or a scalar item,
/// or a node that changed kind. Unchanged subtrees are skipped; each site is listed once.
pub fn changed_sites(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(before, after, &mut String::new(), &mut out);
    out
}

/// Whether two values are containers the diff can descend into together.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(_), Value::Object(_)) => true,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len(),
        _ => false,
    }
}

fn diff(before: &Value, after: &Value, at: &mut String, out: &mut Vec<String>) {
    if before == after {
        return;
    }
    let mut own_change = !same_shape(before, after);
    let mut descend = |at: &mut String, segment: &str, a: &Value, b: &Value, own_change: &mut bool| {
        if a == b {
            return;
        }
        if !same_shape(a, b) {
            *own_change = true;
            return;
        }
        let len = at.len();
        at.push('/');
        at.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        diff(a, b, at, out);
        at.truncate(len);
    };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            if a.len() != b.len() || a.keys().any(|k| !b.contains_key(k)) {
                own_change = true;
            }
            for (key, x) in a {
                if let Some(y) = b.get(key) {
                    descend(at, key, x, y, &mut own_change);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                descend(at, &i.to_string(), x, y, &mut own_change);
            }
        }
        _ => {}
    }
    if own_change {
        out.push(at.clone());
    }
}
