//! Unit tests of build-script rules, on small JSON fixtures (the build script's modules are
//! included as they are).

#[allow(dead_code)]
#[path = "../build/json.rs"]
mod json;

#[path = "../build/credentials.rs"]
mod credentials;

#[path = "../build/normalize/operations.rs"]
mod operations;

use serde_json::json;

#[test]
fn missing_operation_ids_follow_pagerdutys_convention() {
    use operations::{conventional_id, synthesize_operation_ids};
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
