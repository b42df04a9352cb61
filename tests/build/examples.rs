//! Every example in every document decodes into its generated request or response type.

use serde_json::Value;
use std::collections::HashMap;

type Decoder = fn(&Value) -> Result<(), String>;
/// Request, success and error decoders of one operation.
type Decoders = (Option<Decoder>, Option<Decoder>, Option<Decoder>);
/// (module, METHOD, path, request, success, error), as written by the build script.
type Entry = (&'static str, &'static str, &'static str, Option<Decoder>, Option<Decoder>, Option<Decoder>);

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    T::deserialize(value).map(drop).map_err(|e| e.to_string())
}

use crate::support::documents::{document, resolve};

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// Example values of a media type object: `example` and each `examples.*.value`.
/// String examples are taken as JSON text when they parse; the rest count as invalid JSON.
fn examples(doc: &Value, media: &Value) -> Vec<Option<Value>> {
    let mut out = Vec::new();
    let mut push = |v: &Value| match v {
        Value::String(s) => out.push(serde_json::from_str(s).ok().or(Some(v.clone()))),
        other => out.push(Some(other.clone())),
    };
    if let Some(v) = media.get("example") {
        push(v);
    }
    if let Some(Value::Object(map)) = media.get("examples") {
        for e in map.values() {
            if let Some(v) = resolve(doc, e).get("value") {
                push(v);
            }
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    total: usize,
    ok: usize,
    skipped_raw: usize,
    failures: Vec<String>,
}

#[test]
fn every_valid_example_decodes() {
    let decoders: HashMap<(&str, &str, &str), Decoders> =
        decoders().into_iter().map(|(m, method, path, a, b, c)| ((m, method, path), (a, b, c))).collect();
    let mut tally = Tally::default();
    for api in pdrs::spec::Api::ALL {
        let (module, file) = (&api.module(), api.file());
        let Some(path) = document(file) else { continue };
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (api_path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let upper = method.to_ascii_uppercase();
                let Some(&(request, success, error)) = decoders.get(&(*module, upper.as_str(), api_path.as_str()))
                else {
                    continue;
                };
                let mut check = |decoder: Option<Decoder>, value: Option<Value>, what: String| {
                    tally.total += 1;
                    match (decoder, value) {
                        (None, _) => tally.skipped_raw += 1,
                        (Some(d), Some(v)) => match d(&v) {
                            Ok(()) => tally.ok += 1,
                            Err(e) => tally.failures.push(format!("{module} {upper} {api_path} {what}: {e}")),
                        },
                        (Some(_), None) => tally.failures.push(format!("{module} {upper} {api_path} {what}: no value")),
                    }
                };
                if let Some(body) = op.get("requestBody") {
                    for (media_type, media) in resolve(&doc, body)["content"].as_object().into_iter().flatten() {
                        let json = media_type.contains("json");
                        for v in examples(&doc, media) {
                            check(if json { request } else { None }, v, "request".into());
                        }
                    }
                }
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    let decoder = if status.starts_with('2') { success } else { error };
                    for (media_type, media) in resolve(&doc, response)["content"].as_object().into_iter().flatten() {
                        let json = media_type.contains("json");
                        for v in examples(&doc, media) {
                            check(if json { decoder } else { None }, v, format!("response {status}"));
                        }
                    }
                }
            }
        }
    }
    let checked = tally.total - tally.skipped_raw;
    println!(
        "{}/{} valid examples decode ({} examples of raw-bytes bodies not decoded)",
        tally.ok, checked, tally.skipped_raw
    );
    assert!(
        tally.failures.is_empty(),
        "{} examples fail to decode:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.ok > 600, "too few examples checked: {}", tally.ok);
}

/// The README's examples are the examples' own code: each documented function (`/// ...`
/// then `fn`) of the Rust blocks of README.md and docs/usage.md appears, line for line, in one of `examples/*.rs`
/// (which the test command runs against the mock), so that neither drifts from the other.
#[test]
fn the_readmes_example_functions_are_the_examples_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The front page and the usage guide, whose examples people copy.
    let readme =
        ["README.md", "docs/usage.md"].map(|page| std::fs::read_to_string(root.join(page)).unwrap()).join("\n");
    let examples: Vec<String> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut checked = 0;
    let blocks = readme.split("```rust").skip(1).filter_map(|rest| rest.split_once('\n')?.1.split("```").next());
    for block in blocks {
        // The function itself: from its doc comment to its closing brace.
        let Some(start) = block.find("/// ") else { continue };
        let function = block[start..].trim_end();
        if !function.contains("fn ") || !function.ends_with('}') {
            continue;
        }
        assert!(
            examples.iter().any(|example| example.contains(function)),
            "this README function is in no example:\n{function}"
        );
        checked += 1;
    }
    assert!(checked >= 2, "too few README example functions found ({checked})");
}
