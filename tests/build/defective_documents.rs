//! Documents with defects, through the whole build script: what a rule repairs builds, what no
//! rule repairs stops the build with the document, the JSON pointer and what is wrong, never a
//! panic's backtrace.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the build script on a flat folder holding `rest` as rest.json; returns its output and
/// the OUT_DIR it wrote.
fn build(name: &str, rest: &Value) -> (Output, PathBuf) {
    let root = std::env::temp_dir().join(format!("pdrs-defects-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (docs, out) = (root.join("docs"), root.join("out"));
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(docs.join("rest.json"), serde_json::to_vec_pretty(rest).unwrap()).unwrap();
    let output = Command::new(crate::drift::build_script())
        .env("OUT_DIR", &out)
        .env("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"))
        .env("PDRS_OPENAPI_DIR", &docs)
        .env("CARGO_FEATURE_REST", "1")
        .output()
        .unwrap();
    (output, out)
}

fn document(paths: Value) -> Value {
    json!({
        "openapi": "3.0.2",
        "info": {"title": "fixture", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    })
}

fn id_parameter() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}})
}

#[test]
fn dangling_references_of_every_kind_build() {
    let rest = document(json!({
        "/things/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Gone"}],
            "get": {
                "operationId": "getThing",
                "tags": ["Things"],
                "parameters": [id_parameter(), {"$ref": "#/components/parameters/AlsoGone"}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "thing": {"$ref": "#/components/schemas/Thing"},
                            "gone": {"$ref": "#/components/schemas/Gone"}
                        }},
                        "examples": {"one": {"$ref": "#/components/examples/Gone"}}
                    }}},
                    "404": {"$ref": "#/components/responses/Gone"}
                }
            },
            "put": {
                "operationId": "putThing",
                "tags": ["Things"],
                "parameters": [id_parameter()],
                "requestBody": {"$ref": "#/components/requestBodies/Gone"},
                "responses": {"200": {
                    "description": "ok",
                    "headers": {"X-Gone": {"$ref": "#/components/headers/Gone"}},
                    "links": {"next": {"$ref": "#/components/links/Gone"}}
                }}
            }
        }
    }));
    let (output, out) = build("dangling", &rest);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let generated = std::fs::read_to_string(out.join("rest.rs")).unwrap();
    assert_eq!(generated.matches("fn build_request(").count(), 2, "both operations typed");
    let report = std::fs::read_to_string(out.join("normalization.tsv")).unwrap();
    let repaired = report.lines().filter(|line| line.contains("\tdrop_dangling_refs\t")).count();
    assert!(repaired >= 7, "every dangling reference is in the report ({repaired}):\n{report}");
}

#[test]
fn a_reference_no_rule_repairs_names_the_document_and_the_pointer() {
    let rest = document(json!({
        "/things": {"get": {
            "operationId": "listThings",
            "tags": ["Things"],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "common.json#/components/schemas/Thing"}
            }}}}
        }}
    }));
    let (output, _) = build("external", &rest);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("rest.json"), "{stderr}");
    assert!(stderr.contains("/paths/~1things/get/responses/200/content/application~1json/schema"), "{stderr}");
    assert!(stderr.contains("points outside the document"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn a_generator_panic_names_the_document_and_the_operation_without_a_backtrace() {
    // A path parameter that is an object: progenitor gives up on it with a panic.
    let rest = document(json!({
        "/things": {"get": {
            "operationId": "listThings", "tags": ["Things"],
            "responses": {"200": {"description": "ok"}}
        }},
        "/things/{id}": {"get": {
            "operationId": "getThing",
            "tags": ["Things"],
            "parameters": [{"name": "id", "in": "path", "required": true,
                "schema": {"type": "object", "properties": {"x": {"type": "string"}}}}],
            "responses": {"200": {"description": "ok"}}
        }}
    }));
    let (output, _) = build("panic", &rest);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("rest.json at /paths/~1things~1{id}/get: the code generator stopped"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "one message: {stderr}");
}
