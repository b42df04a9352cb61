//! Unit tests of build-script rules, on small JSON fixtures (the build script's modules are
//! included as they are).

#[allow(dead_code)]
#[path = "../build/json.rs"]
mod json;

#[path = "../build/credentials.rs"]
mod credentials;

#[allow(dead_code)]
#[path = "../build/normalize/mod.rs"]
mod normalize;

use serde_json::json;

#[test]
fn missing_operation_ids_follow_pagerdutys_convention() {
    use normalize::operations::{conventional_id, synthesize_operation_ids};
    assert_eq!(conventional_id("delete", "/business_services/{id}"), "deleteBusinessService");
    assert_eq!(conventional_id("put", "/business_services/{id}"), "updateBusinessService");
    assert_eq!(conventional_id("get", "/users"), "listUsers");
    assert_eq!(conventional_id("post", "/users"), "createUser");
    assert_eq!(conventional_id("get", "/users/{id}/contact_methods/{contact_method_id}"), "getUserContactMethod");
    assert_eq!(conventional_id("get", "/escalation_policies/{id}"), "getEscalationPolicy");
    assert_eq!(conventional_id("get", "/incidents/{id}/status_updates"), "listIncidentStatusUpdates");

    let mut doc = json!({"paths": {
        "/teams": {"get": {"operationId": "listTeams"}, "post": {}},
        "/teams/{id}": {"get": {}, "delete": {"operationId": ""}},
        "/x/teams/{id}": {"get": {"operationId": "getTeam"}}
    }});
    assert_eq!(synthesize_operation_ids(&mut doc), 3);
    assert_eq!(doc["paths"]["/teams"]["get"]["operationId"], "listTeams", "existing names are kept");
    assert_eq!(doc["paths"]["/teams"]["post"]["operationId"], "createTeam");
    assert_eq!(doc["paths"]["/teams/{id}"]["delete"]["operationId"], "deleteTeam");
    assert_eq!(doc["paths"]["/teams/{id}"]["get"]["operationId"], "getTeam2", "unique when the name is taken");
    assert_eq!(synthesize_operation_ids(&mut doc), 0, "idempotent");
}

#[test]
fn credentials_are_found_by_name_format_and_description() {
    let doc = json!({"components": {"schemas": {"User": {"properties": {
        "name": {"type": "string"},
        "http_cal_url": {"type": "string", "description": "**Security:** this URL is a bearer credential."},
        "pin": {"type": "string", "format": "password"},
        "client_secret": {"type": "string"},
        "created_at": {"type": "string", "description": "When the credential was created."}
    }}}}});
    let found: Vec<String> = credentials::credential_fields(&doc).into_iter().collect();
    assert_eq!(found, ["client_secret", "http_cal_url", "pin"]);
}

#[test]
fn undeclared_path_parameters_are_declared_and_stray_ones_dropped() {
    let mut doc = json!({"paths": {
        "/rulesets/{id}/rules/{rule_id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "put": {"parameters": [{"name": "gone", "in": "path", "required": true}]},
            "get": {"parameters": [{"name": "rule_id", "in": "path", "required": true, "schema": {"type": "string"}}]}
        }
    }});
    assert_eq!(normalize::params::declare_path_params(&mut doc), 1);
    let put = &doc["paths"]["/rulesets/{id}/rules/{rule_id}"]["put"]["parameters"];
    assert_eq!(put.as_array().unwrap().len(), 1, "{put}");
    assert_eq!(put[0]["name"], "rule_id");
    assert_eq!(put[0]["in"], "path");
    assert_eq!(normalize::params::declare_path_params(&mut doc), 0, "idempotent");
}

#[test]
fn an_enum_on_an_array_moves_to_its_items() {
    let mut doc = json!({"paths": {"/users": {"get": {"parameters": [{
        "name": "include[]", "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}, "enum": ["contact_methods", "teams"]}
    }]}}}});
    assert_eq!(normalize::schemas::move_array_enums_to_items(&mut doc), 1);
    let schema = &doc["paths"]["/users"]["get"]["parameters"][0]["schema"];
    assert_eq!(schema, &json!({"type": "array", "items": {"type": "string", "enum": ["contact_methods", "teams"]}}));
}
