//! Conformance of pdrs-mock to PagerDuty's REST document: every GET operation of `rest.json`
//! is called on the seeded mock, with path ids taken from the mock's own data, and every body
//! is validated against the operation's documented response schema with a JSON Schema
//! validator (OpenAPI 3.0's `nullable` honoured).
#![cfg(feature = "mock")]

use pdrs::mock::MockServer;
use serde_json::{json, Map, Value};

use crate::support::documents::{document, resolve};

/// Operations whose bodies fail their schema because the document contradicts itself: the mock
/// answers what the document's examples show (and PagerDuty sends), which its schema refuses.
/// Each entry is checked: the document's own examples fail the schema, and the body still fails.
const SPEC_INVALID_EXAMPLES: &[(&str, &str)] = &[
    ("GET /addons/{id}", "the listing shows add-ons as `*_reference` types; the single add-on allows only full types"),
    ("GET /automation_actions/invocations", "`metadata.agent` is a oneOf whose choices all match a user reference"),
    (
        "GET /automation_actions/invocations/{id}",
        "`metadata.agent` is a oneOf whose choices all match a user reference",
    ),
    (
        "GET /event_orchestrations/services/{service_id}/cache_variables/{cache_variable_id}",
        "the cache variable's oneOf choices overlap, and the example matches none of them",
    ),
    (
        "GET /incidents/types/{type_id_or_name}/custom_fields",
        "`default_value` is a oneOf of objects holding `value`; the example sends plain values",
    ),
    (
        "GET /incidents/types/{type_id_or_name}/custom_fields/{field_id}",
        "`default_value` is a oneOf of objects holding `value`; the listing sends plain values",
    ),
    ("GET /incidents/{id}/custom_fields/values", "`value` is a oneOf of objects; the example sends plain values"),
    ("GET /services/{id}/custom_fields/values", "`value` is a oneOf of objects; the example sends plain values"),
    (
        "GET /users/{id}/oauth_delegations",
        "the last page's `next_cursor` is null, as the example shows; the schema declares a non-null string",
    ),
    ("GET /v3/schedules/{id}", "the listing shows `schedule_v3_reference`s without `name` or `time_zone`"),
    ("GET /vendors/{id}", "the schema declares `vendor` a list; the listing shows vendors as objects"),
];

/// An OpenAPI 3.0 schema as a JSON Schema (draft 4): `nullable: true` admits `null`.
fn json_schema(node: &Value) -> Value {
    match node {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "nullable" | "example" | "examples" | "discriminator"))
                .map(|(k, v)| {
                    // `properties` and `definitions`-like maps hold schemas by name; recurse.
                    (k.clone(), json_schema(v))
                })
                .collect();
            if map.get("nullable") != Some(&Value::Bool(true)) {
                return Value::Object(out);
            }
            match out.get("type").cloned() {
                Some(Value::String(t)) => {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                    Value::Object(out)
                }
                _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

/// The documented 2xx response of an operation: status and JSON schema (none for 204).
fn success_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<(u16, Option<&'a Value>)> {
    let responses = op.get("responses")?.as_object()?;
    let (code, response) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    let response = resolve(doc, response);
    let schema = response.get("content").and_then(|c| c.get("application/json")).and_then(|m| m.get("schema"));
    Some((code.parse().ok()?, schema))
}

/// The documented example of a media type, if any (`example`, else the first `examples`).
fn documented_example<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    let media = resolve(doc, response).get("content")?.get("application/json")?;
    media.get("example").or_else(|| {
        media.get("examples")?.as_object()?.values().next().map(|e| resolve(doc, e)).and_then(|e| e.get("value"))
    })
}

fn parameters<'a>(doc: &'a Value, item: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for list in [item.get("parameters"), op.get("parameters")].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten() {
            out.push(resolve(doc, p));
        }
    }
    out
}

/// A value for a path parameter, from the mock's own data: the first record of the collection
/// named by the path so far (`/users` for `/users/{id}`), else the first record of the listing
/// at that path, else the first record anywhere that has a field of the parameter's name
/// (`url_slug`), else the first enum value the document allows.
async fn path_value(mock: &MockServer, state: &Value, prefix: &str, param: &Value) -> Option<String> {
    let name = param.get("name").and_then(Value::as_str).unwrap_or("");
    if let Some(Value::Array(values)) = param.pointer("/schema/enum") {
        return values.first().and_then(Value::as_str).map(String::from);
    }
    let first_id = |records: &Value| {
        records.as_array()?.iter().find_map(|r| match r {
            Value::Object(_) => r.get("id").and_then(Value::as_str).map(String::from),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
    };
    if let Some(id) =
        state.pointer(&format!("/collections/{}", prefix.replace('~', "~0").replace('/', "~1"))).and_then(first_id)
    {
        return Some(id);
    }
    let (status, body) = get(mock, prefix).await;
    if status == 200 {
        if let Some(id) = body.as_object().into_iter().flat_map(|m| m.values()).find_map(first_id) {
            return Some(id);
        }
    }
    if name == "id" || name.ends_with("_id") {
        return None;
    }
    let collections = state.get("collections")?.as_object()?;
    collections
        .values()
        .flat_map(|v| v.as_array().into_iter().flatten())
        .find_map(|r| r.get(name).and_then(Value::as_str).map(String::from))
}

/// A plain HTTP client: the reqwest client pdrs built, built once (building one loads the TLS
/// roots, which took most of this test's time when done per request).
fn http() -> &'static reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(|| pdrs::RestClient::builder("unused").build().unwrap().http().clone())
}

async fn get(mock: &MockServer, path_and_query: &str) -> (u16, Value) {
    let response = http()
        .get(format!("{}{path_and_query}", mock.url()))
        .header("authorization", "Token token=conformance")
        .header("accept", "application/vnd.pagerduty+json;version=2")
        .header("from", "user0@example.com")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    (status, body)
}

/// A value for a required query parameter the document declares.
fn query_value(param: &Value) -> String {
    let schema = param.get("schema").cloned().unwrap_or_default();
    if let Some(first) = schema.pointer("/enum/0").or_else(|| schema.pointer("/items/enum/0")).and_then(Value::as_str) {
        return first.to_string();
    }
    match param.get("name").and_then(Value::as_str) {
        Some("since") => "2026-01-01T00:00:00Z".into(),
        Some("until") => "2026-01-08T00:00:00Z".into(),
        _ => "PNONE00".into(),
    }
}

struct Outcome {
    operation: String,
    status: u16,
    problem: Option<String>,
}

#[tokio::test]
async fn every_get_of_the_rest_document_answers_from_seeded_data_with_a_documented_body() {
    let text = std::fs::read_to_string(document("rest.json").expect("the build read rest.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let components = json_schema(doc.get("components").unwrap_or(&Value::Null));
    let mock = MockServer::start().await.unwrap();
    let state = mock.dump();
    let mut answers = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let params = parameters(&doc, item, op);
        let mut path = String::new();
        for segment in template.trim_start_matches('/').split('/') {
            let value = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let param = params.iter().find(|p| p["name"] == name && p["in"] == "path").copied();
                    let param = param.cloned().unwrap_or_else(|| json!({"name": name}));
                    path_value(&mock, &state, &path, &param).await.unwrap_or_else(|| "PNOTHELD".into())
                }
                None => segment.to_string(),
            };
            path.push('/');
            path.push_str(&value);
        }
        let query: Vec<String> = params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| {
                let name = p["name"].as_str().unwrap_or("");
                let array = p.pointer("/schema/type") == Some(&json!("array"));
                format!("{name}{}={}", if array && !name.ends_with("[]") { "[]" } else { "" }, query_value(p))
            })
            .collect();
        let target = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
        let (status, body) = get(&mock, &target).await;
        answers.push((format!("GET {template}"), op, target, status, body));
    }
    // Validating is most of the time (a validator over the document's components per body): the
    // bodies are validated on every core.
    let outcomes = on_every_core(&answers, |(operation, op, target, status, body)| {
        let problem = match success_schema(&doc, op) {
            _ if !(200..300).contains(status) => Some(format!("{target} answered {status}: {body}")),
            Some((_, Some(schema))) => validate(&components, schema, body).err(),
            _ => None,
        };
        Outcome { operation: operation.clone(), status: *status, problem }
    });

    let total = outcomes.len();
    let ok_status: Vec<&Outcome> = outcomes.iter().filter(|o| (200..300).contains(&o.status)).collect();
    let known = |op: &str| SPEC_INVALID_EXAMPLES.iter().any(|(k, _)| *k == op);
    let valid = ok_status.iter().filter(|o| o.problem.is_none()).count();
    let failing: Vec<&&Outcome> = ok_status.iter().filter(|o| o.problem.is_some()).collect();
    let unexplained: Vec<&&&Outcome> = failing.iter().filter(|o| !known(&o.operation)).collect();
    eprintln!(
        "GET operations: {total}; 2xx: {}; bodies valid: {valid} of {}; spec's own invalid examples: {}; other failures: {}",
        ok_status.len(),
        ok_status.len(),
        failing.len() - unexplained.len(),
        unexplained.len()
    );
    for o in outcomes.iter().filter(|o| o.problem.is_some()) {
        let contradiction = contradiction(&doc, &components, o.operation.trim_start_matches("GET "));
        let tag = match (known(&o.operation), &contradiction) {
            (true, _) => "known".to_string(),
            (false, Some(why)) => format!("FAIL(the document's: {why})"),
            (false, None) => "FAIL".to_string(),
        };
        eprintln!(
            "{tag} {} ({}): {}",
            o.operation,
            o.status,
            o.problem.as_deref().unwrap_or("").chars().take(300).collect::<String>()
        );
    }

    // Every known exception is really the document's own, and still fails.
    for (operation, reason) in SPEC_INVALID_EXAMPLES {
        let template = operation.trim_start_matches("GET ");
        assert!(
            contradiction(&doc, &components, template).is_some(),
            "{operation} is listed as the document's own ({reason}), but its examples fit its schema"
        );
        assert!(
            failing.iter().any(|o| o.operation == *operation),
            "{operation} is listed as a known exception ({reason}) but its body validates: remove it"
        );
    }
    assert!(
        ok_status.len() * 100 >= total * 95,
        "{} of {total} GET operations answered 2xx (95% wanted)",
        ok_status.len()
    );
    let judged = ok_status.len() - (failing.len() - unexplained.len());
    assert!(
        (judged - unexplained.len()) * 100 >= judged * 98,
        "{} of {judged} bodies validate (98% wanted)",
        judged - unexplained.len()
    );
}

/// Why a failing body is the document's own doing, if it is: the operation's documented
/// example fails its own schema, or the records the document shows for the same collection
/// fail this operation's schema (a listing's record read by id, or the single record's example
/// in its listing).
fn contradiction(doc: &Value, components: &Value, template: &str) -> Option<String> {
    let op = doc.pointer(&format!("/paths/{}/get", template.replace('~', "~0").replace('/', "~1")))?;
    let (_, schema) = success_schema(doc, op)?;
    let schema = schema?;
    if let Some(example) = documented_example(doc, op) {
        if let Err(e) = validate(components, schema, example) {
            return Some(format!("its example: {e}"));
        }
    }
    let list_field = |body: &Value| -> Option<String> {
        body.as_object()?.iter().find(|(_, v)| v.is_array()).map(|(k, _)| k.clone())
    };
    let one_key = |body: &Value| -> Option<String> {
        let map = body.as_object()?;
        (map.len() == 1).then(|| map.keys().next().cloned()).flatten()
    };
    if let Some((parent, _)) = template.rsplit_once('/').filter(|_| template.ends_with('}')) {
        // A record read by id, as the listing documents it.
        let listing = documented_example(doc, doc.pointer(&format!("/paths/{}/get", parent.replace('/', "~1")))?)?;
        let record = listing.get(list_field(listing)?)?.get(0)?.clone();
        let body = match documented_example(doc, op).and_then(one_key) {
            Some(key) => json!({ key: record }),
            None => record,
        };
        return validate(components, schema, &body).err().map(|e| format!("the listing's record read by id: {e}"));
    }
    // A listing holding the single record as its example documents it.
    let (_, item) = doc["paths"].as_object()?.iter().find(|(path, item)| {
        path.strip_prefix(template).and_then(|rest| rest.strip_prefix("/{")).is_some_and(|r| !r.contains('/'))
            && item.get("get").is_some()
    })?;
    let single = documented_example(doc, &item["get"])?;
    let record = match one_key(single) {
        Some(key) => single[key.as_str()].clone(),
        None => single.clone(),
    };
    let mut listing = documented_example(doc, op)?.clone();
    let field = list_field(&listing)?;
    listing[field.as_str()] = json!([record]);
    validate(components, schema, &listing).err().map(|e| format!("the single record in its listing: {e}"))
}

/// `f` of every item, in order, the items shared out among the machine's cores.
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = items.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let threads: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>())).collect();
        threads.into_iter().flat_map(|thread| thread.join().unwrap()).collect()
    })
}

/// Validates `body` against an OpenAPI schema whose `$ref`s point into `components`.
fn validate(components: &Value, schema: &Value, body: &Value) -> Result<(), String> {
    let root = json!({"components": components, "allOf": [json_schema(schema)]});
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .map_err(|e| format!("the documented schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .take(3)
        .map(|e| format!("{} at {}", tail(&e.to_string()), e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The end of a long message (the validator's messages start with the whole instance).
fn tail(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let from = chars.len().saturating_sub(160);
    let end: String = chars[from..].iter().collect();
    if from > 0 {
        format!("...{end}")
    } else {
        end
    }
}
