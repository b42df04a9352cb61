//! Unit tests of build-script rules, on small JSON fixtures (the build script's modules are
//! included as they are).

use crate::{conform, credentials, normalize, postprocess, reference, same_types};
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

/// A response body schema at `/paths/{path}/get/responses/200`.
fn get_returning(path: &str, schema: serde_json::Value) -> serde_json::Value {
    json!({"paths": {path: {"get": {"responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": schema}}}}}}}})
}

fn schema_at<'a>(doc: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
}

#[test]
fn deep_refs_are_lifted_to_components_or_inlined() {
    let mut doc = get_returning("/a", json!({"$ref": "#/components/schemas/Tag/allOf/0"}));
    doc["paths"]["/b"] =
        get_returning("/b", json!({"$ref": "#/components/schemas/Name/properties/first"}))["paths"]["/b"].clone();
    doc["components"] = json!({"schemas": {
        "Tag": {"allOf": [{"type": "object", "properties": {"label": {"type": "string"}}}]},
        "Name": {"type": "object", "properties": {"first": {"type": "string"}}}
    }});
    assert_eq!(normalize::refs::lift_deep_refs(&mut doc), 2);
    assert_eq!(schema_at(&doc, "/a"), &json!({"$ref": "#/components/schemas/TagAllOf0"}));
    assert_eq!(doc["components"]["schemas"]["Tag"]["allOf"][0], json!({"$ref": "#/components/schemas/TagAllOf0"}));
    assert_eq!(doc["components"]["schemas"]["TagAllOf0"]["properties"]["label"]["type"], "string");
    assert_eq!(schema_at(&doc, "/b"), &json!({"type": "string"}), "a primitive target is inlined");
    assert_eq!(normalize::refs::lift_deep_refs(&mut doc), 0, "idempotent");
}

#[test]
fn a_response_referring_to_a_request_body_gets_its_content() {
    let mut doc = json!({
        "paths": {"/a": {"post": {"responses": {"200": {"$ref": "#/components/requestBodies/Body"}}}}},
        "components": {"requestBodies": {"Body": {"description": "b",
            "content": {"application/json": {"schema": {"type": "object"}}}}}}
    });
    assert_eq!(normalize::refs::fix_wrong_kind_refs(&mut doc), 1);
    assert_eq!(
        doc["paths"]["/a"]["post"]["responses"]["200"],
        json!({"description": "b", "content": {"application/json": {"schema": {"type": "object"}}}})
    );
}

#[test]
fn dangling_refs_are_repaired_by_the_kind_they_name() {
    let mut doc = json!({"paths": {"/a": {"get": {
        "parameters": [{"$ref": "#/components/parameters/Gone"}, {"$ref": "#/components/parameters/Here"}],
        "requestBody": {"$ref": "#/components/requestBodies/Gone"},
        "responses": {"200": {"$ref": "#/components/responses/Gone"}}
    }}}, "components": {"parameters": {"Here": {"name": "here", "in": "query"}}}});
    assert_eq!(normalize::refs::drop_dangling_refs(&mut doc), 3);
    let op = &doc["paths"]["/a"]["get"];
    assert_eq!(op["parameters"], json!([{"$ref": "#/components/parameters/Here"}]));
    assert!(op.get("requestBody").is_none());
    assert!(op["responses"]["200"]["description"].is_string());
    assert!(op["responses"]["200"].get("$ref").is_none());
}

#[test]
fn dangling_refs_become_any_value() {
    let mut doc = get_returning(
        "/a",
        json!({"type": "object", "properties": {
        "gone": {"$ref": "#/components/schemas/Gone"}, "here": {"$ref": "#/components/schemas/Here"}}}),
    );
    doc["components"] = json!({"schemas": {"Here": {"type": "string"}}});
    assert_eq!(normalize::refs::drop_dangling_refs(&mut doc), 1);
    let props = &schema_at(&doc, "/a")["properties"];
    assert_eq!(props["gone"], json!({}));
    assert_eq!(props["here"], json!({"$ref": "#/components/schemas/Here"}));
}

#[test]
fn all_of_objects_merge_into_one_object() {
    let mut doc = json!({"components": {"schemas": {
        "Reference": {"type": "object", "properties": {"id": {"type": "string"}}},
        "User": {"allOf": [{"$ref": "#/components/schemas/Reference"},
                           {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}]},
        "Either": {"allOf": [{"oneOf": [{"type": "string"}, {"type": "integer"}]}]}
    }}});
    assert_eq!(normalize::compose::merge_all_of(&mut doc), 1);
    let user = &doc["components"]["schemas"]["User"];
    assert_eq!(user["type"], "object");
    assert_eq!(user["properties"]["id"]["type"], "string", "the referenced part's properties are kept");
    assert_eq!(user["properties"]["name"]["type"], "string");
    assert_eq!(user["required"], json!(["name"]));
    assert!(user.get("allOf").is_none());
    assert!(doc["components"]["schemas"]["Either"].get("allOf").is_some(), "a union part is left alone");
}

#[test]
fn bodies_get_one_media_type_progenitor_handles() {
    let mut doc = json!({"paths": {
        "/a": {"post": {"requestBody": {"content": {
            "application/xml": {"schema": {"type": "string"}},
            "application/vnd.pagerduty+json": {"schema": {"type": "object"}}}}}},
        "/b": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}}}
    }});
    assert_eq!(normalize::media::reduce_media_types(&mut doc), 2);
    assert_eq!(
        doc["paths"]["/a"]["post"]["requestBody"]["content"],
        json!({"application/json": {"schema": {"type": "object"}}})
    );
    let b = &doc["paths"]["/b"]["post"];
    assert_eq!(b["requestBody"]["content"]["application/octet-stream"]["schema"]["format"], "binary");
    assert_eq!(b["x-pdrs-content-type"], "multipart/form-data", "the real media type is kept for the pipeline");
    assert_eq!(normalize::media::reduce_media_types(&mut doc), 0, "idempotent");
}

#[test]
fn every_error_response_gets_the_lenient_error_body() {
    let mut doc = json!({"paths": {"/a": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
        "404": {"description": "not found", "content": {"application/json": {"schema": {"type": "string"}}}},
        "429": {"description": "slow down"}
    }}}}});
    assert_eq!(normalize::responses::unify_error_responses(&mut doc), 1, "one operation touched");
    let responses = &doc["paths"]["/a"]["get"]["responses"];
    let lenient = json!({"application/json": {"schema": {"$ref": "#/components/schemas/PagerDutyError"}}});
    assert_eq!(responses["404"], json!({"description": "not found", "content": lenient}));
    assert_eq!(responses["429"]["content"], lenient);
    assert_eq!(responses["200"]["content"]["application/json"]["schema"]["type"], "object", "2xx untouched");
    assert!(doc["components"]["schemas"]["PagerDutyError"]["properties"]["error"].is_object());
    assert_eq!(normalize::responses::unify_error_responses(&mut doc), 0, "idempotent");
}

#[test]
fn disagreeing_success_responses_get_one_type() {
    let body = |t: &str| json!({"description": t, "content": {"application/json": {"schema": {"type": t}}}});
    let mut doc = json!({"paths": {
        "/a": {"post": {"responses": {"200": body("object"), "204": {"description": "no content"}}}},
        "/b": {"post": {"responses": {"200": body("object"), "201": body("array")}}},
        "/c": {"post": {"responses": {"200": body("object"), "201": body("object")}}}
    }});
    assert_eq!(normalize::responses::merge_success_responses(&mut doc), 2);
    let a = &doc["paths"]["/a"]["post"]["responses"];
    assert!(a["200"]["content"]["application/octet-stream"].is_object(), "a body-less 2xx makes bytes: {a}");
    assert!(a["204"]["content"]["application/octet-stream"].is_object());
    assert_eq!(doc["paths"]["/b"]["post"]["responses"]["201"]["content"]["application/json"]["schema"], json!({}));
    assert_eq!(doc["paths"]["/c"]["post"]["responses"]["201"], body("object"), "agreeing responses untouched");
}

#[test]
fn negotiation_headers_are_dropped() {
    let mut doc = json!({"paths": {"/a": {"get": {"parameters": [
        {"in": "header", "name": "Accept", "schema": {"type": "string"}},
        {"in": "header", "name": "content-type", "schema": {"type": "string"}},
        {"in": "query", "name": "limit", "schema": {"type": "integer"}}
    ]}}}});
    assert_eq!(normalize::params::drop_negotiation_headers(&mut doc), 2);
    assert_eq!(
        doc["paths"]["/a"]["get"]["parameters"],
        json!([{"in": "query", "name": "limit", "schema": {"type": "integer"}}])
    );
}

#[test]
fn headers_the_client_fills_in_become_optional() {
    let mut doc = json!({
        "paths": {"/a": {"post": {"parameters": [
            {"in": "header", "name": "From", "required": true, "schema": {"type": "string"}},
            {"$ref": "#/components/parameters/EarlyAccess"},
            {"in": "header", "name": "X-Other", "required": true, "schema": {"type": "string"}}
        ]}}},
        "components": {"parameters": {"EarlyAccess": {"in": "header", "name": "X-EARLY-ACCESS", "required": true}}}
    });
    assert_eq!(normalize::params::optional_client_headers(&mut doc), 2);
    let params = &doc["paths"]["/a"]["post"]["parameters"];
    assert_eq!(params[0]["required"], false);
    assert_eq!(params[0]["x-pdrs-was-required"], true, "the table still knows From was required");
    assert_eq!(params[1]["name"], "X-EARLY-ACCESS", "a referenced header is inlined");
    assert_eq!(params[1]["required"], false);
    assert_eq!(params[2]["required"], true, "other headers stay as they are");
}

#[test]
fn bracket_parameters_become_arrays() {
    let mut doc = json!({"paths": {"/incidents": {"get": {"parameters": [
        {"in": "query", "name": "statuses[]", "schema": {"type": "string", "enum": ["triggered", "resolved"]}},
        {"in": "query", "name": "ids[]", "schema": {"type": "array", "items": {"type": "string"}}},
        {"in": "query", "name": "limit", "schema": {"type": "integer"}}
    ]}}}});
    assert_eq!(normalize::params::bracket_params_as_arrays(&mut doc), 1);
    let params = &doc["paths"]["/incidents"]["get"]["parameters"];
    assert_eq!(
        params[0]["schema"],
        json!({"type": "array", "items": {"type": "string", "enum": ["triggered", "resolved"]}})
    );
    assert_eq!(params[1]["schema"]["items"]["type"], "string", "already an array");
}

#[test]
fn paged_responses_get_their_paging_parameters() {
    let mut doc = get_returning(
        "/things",
        json!({"type": "object", "properties": {
        "things": {"type": "array"}, "more": {"type": "boolean"}, "offset": {"type": "integer"},
        "limit": {"type": "integer"}, "total": {"type": "integer"}}}),
    );
    doc["paths"]["/records"] = get_returning(
        "/records",
        json!({"type": "object", "properties": {
        "records": {"type": "array"}, "next_cursor": {"type": "string"}}}),
    )["paths"]["/records"]
        .clone();
    doc["paths"]["/records"]["get"]["parameters"] =
        json!([{"in": "query", "name": "limit", "schema": {"type": "integer"}}]);
    assert_eq!(normalize::params::inject_paging_params(&mut doc), 2);
    let names = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("/things"), ["limit", "offset", "total"]);
    assert_eq!(names("/records"), ["limit", "cursor"], "a declared parameter is not added twice");
    assert_eq!(normalize::params::inject_paging_params(&mut doc), 0, "idempotent");
}

#[test]
fn defaults_that_do_not_fit_are_dropped() {
    let mut doc = json!({"components": {"schemas": {"S": {"type": "object", "properties": {
        "limit": {"type": "integer", "default": "10"},
        "urgency": {"type": "string", "enum": ["high", "low"], "default": "medium"},
        "name": {"type": "string", "default": "x"}
    }}}}});
    assert_eq!(normalize::schemas::drop_bad_defaults(&mut doc), 2);
    let props = &doc["components"]["schemas"]["S"]["properties"];
    assert!(props["limit"].get("default").is_none());
    assert!(props["urgency"].get("default").is_none());
    assert_eq!(props["name"]["default"], "x");
}

#[test]
fn string_constraints_are_dropped() {
    let mut doc = json!({"components": {"schemas": {"Name": {"type": "string", "maxLength": 5, "pattern": "^a", "description": "d"}}}});
    assert_eq!(normalize::schemas::drop_string_constraints(&mut doc), 1);
    assert_eq!(doc["components"]["schemas"]["Name"], json!({"type": "string", "description": "d"}));
}

#[test]
fn inline_titles_are_stripped_but_component_titles_kept() {
    let mut doc = json!({"components": {"schemas": {"Team": {"title": "Team", "type": "object",
        "properties": {"owner": {"title": "Team", "type": "object"}}}}}});
    assert_eq!(normalize::schemas::strip_inline_titles(&mut doc), 1);
    let team = &doc["components"]["schemas"]["Team"];
    assert_eq!(team["title"], "Team");
    assert!(team["properties"]["owner"].get("title").is_none());
}

#[test]
fn nullable_compositions_lose_nullable() {
    let mut doc = json!({"components": {"schemas": {
        "Either": {"nullable": true, "oneOf": [{"type": "string"}, {"type": "integer"}]},
        "Text": {"nullable": true, "type": "string"}
    }}});
    assert_eq!(normalize::schemas::nullable_compositions(&mut doc), 1);
    assert!(doc["components"]["schemas"]["Either"].get("nullable").is_none());
    assert_eq!(doc["components"]["schemas"]["Text"]["nullable"], true);
}

#[test]
fn null_is_removed_from_enum_values() {
    let mut doc =
        json!({"components": {"schemas": {"Urgency": {"type": "string", "nullable": true, "enum": ["high", null]}}}});
    assert_eq!(normalize::schemas::null_enum_values(&mut doc), 1);
    assert_eq!(doc["components"]["schemas"]["Urgency"], json!({"type": "string", "enum": ["high"]}));
}

#[test]
fn an_inline_schema_named_like_a_component_is_lifted() {
    let mut doc = json!({"components": {"schemas": {
        "User": {"type": "object", "properties": {"role": {"type": "string", "enum": ["admin", "user"]}}},
        "UserRole": {"type": "object", "properties": {"id": {"type": "string"}}}
    }}});
    assert_eq!(normalize::schemas::lift_colliding_inline_names(&mut doc), 1);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["User"]["properties"]["role"], json!({"$ref": "#/components/schemas/UserRoleValue"}));
    assert_eq!(schemas["UserRoleValue"]["enum"], json!(["admin", "user"]));
    assert_eq!(schemas["UserRole"]["properties"]["id"]["type"], "string", "the component is untouched");
}

#[test]
fn types_the_examples_contradict_are_widened() {
    let mut doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
    "application/json": {
        "schema": {"type": "object", "properties": {
            "count": {"type": "integer", "description": "n"},
            "at": {"type": "string", "format": "date-time"},
            "name": {"type": "string"}}},
        "example": {"count": "ten", "at": "yesterday", "name": "ok"}
    }}}}}}}});
    assert_eq!(normalize::examples::widen_contradicted_types(&mut doc), 2);
    let props = &schema_at(&doc, "/a")["properties"];
    assert_eq!(props["count"], json!({"description": "n"}));
    assert_eq!(props["at"], json!({}));
    assert_eq!(props["name"], json!({"type": "string"}), "a fitting type is kept");
}

#[test]
fn unions_get_a_catch_all_and_any_of_becomes_one_of() {
    let mut doc = json!({"components": {"schemas": {"Either": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}});
    assert_eq!(normalize::examples::open_unions(&mut doc), 1);
    assert_eq!(doc["components"]["schemas"]["Either"], json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {}]}));
    assert_eq!(normalize::examples::open_unions(&mut doc), 0, "idempotent");
}

#[test]
fn required_lists_and_closed_objects_are_relaxed() {
    let mut doc = json!({"components": {"schemas": {"User": {"type": "object", "required": ["name"],
        "additionalProperties": false, "properties": {"name": {"type": "string"}}}}}});
    assert_eq!(normalize::schemas::tolerate_missing_fields(&mut doc), 1);
    assert_eq!(normalize::schemas::tolerate_extra_fields(&mut doc), 1);
    assert_eq!(
        doc["components"]["schemas"]["User"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "x-pdrs-required": ["name"]}),
        "the list is kept aside for request validation"
    );
}

#[test]
fn required_fields_of_one_kind_get_their_value_as_default() {
    let mut doc = json!({"components": {"schemas": {"Update": {"type": "object",
    "required": ["type", "target", "status", "name"],
    "properties": {
        "type": {"type": "string", "enum": ["incident", "incident_reference"]},
        "target": {"type": "string", "enum": ["user_reference", "schedule_reference"]},
        "status": {"type": "string", "enum": ["acknowledged"], "nullable": true},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["only"]}
    }}}}});
    assert_eq!(normalize::schemas::default_constant_kinds(&mut doc), 1);
    let properties = &doc["components"]["schemas"]["Update"]["properties"];
    assert_eq!(properties["type"]["default"], "incident", "one kind, the first value listed");
    assert!(properties["target"].get("default").is_none(), "two kinds: the caller says which");
    assert!(properties["status"].get("default").is_none(), "nullable: null is a value too");
    assert!(properties["kind"].get("default").is_none(), "not required");
    assert_eq!(normalize::schemas::default_constant_kinds(&mut doc), 0, "idempotent");
}

#[test]
fn the_report_lists_the_sites_a_rule_changed() {
    let before = json!({"paths": {"/a/{id}": {"get": {"parameters": [{"name": "x"}, {"name": "y", "required": true}]}}},
        "components": {"schemas": {"U": {"required": ["a"], "properties": {"a": {}}}, "V": {"type": "string"}}}});
    let mut after = before.clone();
    after["components"]["schemas"]["U"].as_object_mut().unwrap().remove("required");
    after["paths"]["/a/{id}"]["get"]["parameters"][1]["required"] = json!(false);
    assert_eq!(
        normalize::changed_sites(&before, &after),
        ["/components/schemas/U", "/paths/~1a~1{id}/get/parameters/1"]
    );
    assert!(normalize::changed_sites(&before, &before).is_empty());
    let mut doc = json!({"components": {"schemas": {"U": {"type": "object", "required": ["a"]}}}});
    let report = normalize::apply(&mut doc);
    let missing = report.iter().find(|(name, _)| *name == "tolerate_missing_fields").unwrap();
    assert_eq!(missing.1, ["/components/schemas/U"]);
}

/// Each rule of the pass, with the test above that shows what it handles on a fixture.
const TESTED: &[(&str, &str)] = &[
    ("synthesize_operation_ids", "missing_operation_ids_follow_pagerdutys_convention"),
    ("lift_deep_refs", "deep_refs_are_lifted_to_components_or_inlined"),
    ("fix_wrong_kind_refs", "a_response_referring_to_a_request_body_gets_its_content"),
    ("drop_dangling_refs", "dangling_refs_are_repaired_by_the_kind_they_name"),
    ("merge_all_of", "all_of_objects_merge_into_one_object"),
    ("reduce_media_types", "bodies_get_one_media_type_progenitor_handles"),
    ("unify_error_responses", "every_error_response_gets_the_lenient_error_body"),
    ("merge_success_responses", "disagreeing_success_responses_get_one_type"),
    ("declare_path_params", "undeclared_path_parameters_are_declared_and_stray_ones_dropped"),
    ("drop_negotiation_headers", "negotiation_headers_are_dropped"),
    ("optional_client_headers", "headers_the_client_fills_in_become_optional"),
    ("bracket_params_as_arrays", "bracket_parameters_become_arrays"),
    ("inject_paging_params", "paged_responses_get_their_paging_parameters"),
    ("move_array_enums_to_items", "an_enum_on_an_array_moves_to_its_items"),
    ("drop_bad_defaults", "defaults_that_do_not_fit_are_dropped"),
    ("drop_string_constraints", "string_constraints_are_dropped"),
    ("strip_inline_titles", "inline_titles_are_stripped_but_component_titles_kept"),
    ("nullable_compositions", "nullable_compositions_lose_nullable"),
    ("null_enum_values", "null_is_removed_from_enum_values"),
    ("lift_colliding_inline_names", "an_inline_schema_named_like_a_component_is_lifted"),
    ("widen_contradicted_types", "types_the_examples_contradict_are_widened"),
    ("open_unions", "unions_get_a_catch_all_and_any_of_becomes_one_of"),
    ("default_constant_kinds", "required_fields_of_one_kind_get_their_value_as_default"),
    ("tolerate_missing_fields", "required_lists_and_closed_objects_are_relaxed"),
    ("tolerate_extra_fields", "required_lists_and_closed_objects_are_relaxed"),
];

#[test]
fn every_rule_has_a_fixture_test() {
    let rules: Vec<&str> = normalize::RULES.iter().map(|r| r.name).collect();
    let tested: Vec<&str> = TESTED.iter().map(|(rule, _)| *rule).collect();
    assert_eq!(rules, tested, "a rule was added, renamed or removed: give it a fixture test and list it here");
    let source = include_str!("build_rules.rs");
    for (_, test) in TESTED {
        assert!(source.contains(&format!("fn {test}()")), "no test named {test}");
    }
}

#[test]
fn operations_link_to_the_api_reference_and_relative_links_become_absolute() {
    assert_eq!(
        reference::resolve(reference::REFERENCE_PAGE, "../../api-reference/a47605517c19a-api-concepts#users"),
        "https://developer.pagerduty.com/api-reference/a47605517c19a-api-concepts#users"
    );
    assert_eq!(reference::resolve(reference::REFERENCE_PAGE, "./x"), "https://developer.pagerduty.com/api-reference/x");
    assert_eq!(reference::resolve(reference::REFERENCE_PAGE, "https://example.com/a"), "https://example.com/a");
    assert_eq!(reference::resolve(reference::REFERENCE_PAGE, "#users"), "#users");
    let mut doc = json!({"paths": {"/users": {"get": {"operationId": "listUsers", "summary": "List users",
        "description": "See the [API Concepts Document](../../api-reference/a4-api-concepts#users) and [more](https://x.test/y)."}},
        "/users/{id}": {"delete": {"operationId": "deleteUser"}}}});
    assert_eq!(reference::annotate(&mut doc), 2);
    assert_eq!(
        doc["paths"]["/users"]["get"]["description"],
        "See the [API Concepts Document](https://developer.pagerduty.com/api-reference/a4-api-concepts#users) and [more](https://x.test/y).\n\n\
         PagerDuty API reference: [List users](https://developer.pagerduty.com/api-reference/) (`listUsers`, `GET /users`)."
    );
    assert_eq!(
        doc["paths"]["/users/{id}"]["delete"]["description"],
        "PagerDuty API reference: <https://developer.pagerduty.com/api-reference/> (`deleteUser`, `DELETE /users/{id}`)."
    );
}

#[test]
fn examples_are_made_to_fit_their_schema_and_nothing_else_changes() {
    let doc = json!({"components": {"schemas": {
        "Ref": {"type": "object", "properties": {"id": {"type": "string"}, "type": {"type": "string", "enum": ["user_reference"]}},
                "required": ["id", "type"]},
        "Thing": {"type": "object", "required": ["name", "owner", "count", "tags"], "properties": {
            "name": {"type": "string"}, "enabled": {"type": "boolean"}, "count": {"type": "integer", "minimum": 1},
            "kind": {"type": "string", "enum": ["a", "b"]}, "note": {"type": "string", "nullable": true},
            "when": {"type": "string", "format": "date-time"}, "owner": {"$ref": "#/components/schemas/Ref"},
            "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "choice": {"oneOf": [{"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
                                 {"type": "object", "required": ["y"], "properties": {"y": {"type": "string"}}}]},
            "loose": {"oneOf": [{"type": "object"}, {"type": "integer"}]}}}}}});
    let schema = json!({"$ref": "#/components/schemas/Thing"});
    let mut example = json!({"name": "n", "enabled": "true,", "kind": "c", "note": null, "when": null,
                             "choice": {"y": "kept"}, "loose": "text", "extra": 1});
    conform::conform(&doc, &schema, &mut example);
    assert_eq!(example["enabled"], true, "a boolean written as text is read as one");
    assert_eq!(example["kind"], "a", "a value outside the enum becomes the first allowed");
    assert_eq!(example["note"], serde_json::Value::Null, "null stays where the schema allows it");
    assert_eq!(example["when"], "2026-01-01T00:00:00Z", "null becomes a value of the declared format");
    assert_eq!(example["owner"], json!({"id": "", "type": "user_reference"}), "a missing required object is made");
    assert_eq!(example["count"], 1, "a missing integer starts at its minimum");
    assert_eq!(example["tags"], json!([""]), "a required list gets its minimum of items");
    assert_eq!(example["choice"], json!({"y": "kept"}), "a oneOf value fitting its second choice is left alone");
    assert_eq!(example["loose"], "text", "a value no choice has the type of is left as the document has it");
    assert_eq!(example["name"], "n");
    assert_eq!(example["extra"], 1, "fields the schema does not name are kept");
}

/// The items of the inline module `name` of a generated file.
fn module_items<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .expect("the module")
}

mod serde_on_use {
    use super::postprocess;

    /// The derive attributes of each type in the `types` module, as text.
    fn derives(file: &syn::File) -> Vec<(String, String)> {
        super::module_items(file, "types")
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some((s.ident.to_string(), &s.attrs)),
                syn::Item::Enum(e) => Some((e.ident.to_string(), &e.attrs)),
                _ => None,
            })
            .map(|(name, attrs)| {
                let text =
                    attrs.iter().map(|a| quote::quote!(#a).to_string().replace(' ', "")).collect::<Vec<_>>().join("");
                (name, text)
            })
            .collect()
    }

    #[test]
    fn each_serde_direction_is_derived_where_an_operation_needs_it() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Listing { pub users: Vec<User> }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct User { pub role: Role }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub enum Role { Admin(Note), Other }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Note { pub text: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct CreateBody { pub note: Note, pub kind: Kind }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Kind { pub name: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Filter { pub value: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Problem { pub message: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Unused { pub value: String }
            }
            pub mod builder {
                pub struct ListUsers<'a> { client: &'a super::Client, filter: Result<Option<types::Filter>, String> }
                impl<'a> ListUsers<'a> {
                    pub fn send(self) -> impl Future<Output = Result<ResponseValue<types::Listing>, crate::Error>> + 'a { todo!() }
                    fn build_request(self) -> Result<(&'a super::Client, Request, OperationInfo), Error<types::Problem>> { todo!() }
                }
                pub struct CreateThing<'a> { client: &'a super::Client, body: Result<types::CreateBody, String> }
                impl<'a> CreateThing<'a> {
                    pub fn send(self) -> impl Future<Output = Result<ResponseValue<()>, crate::Error>> + 'a { todo!() }
                    fn build_request(self) -> Result<(&'a super::Client, Request, OperationInfo), Error<types::Problem>> { todo!() }
                }
            }
        };
        let moved = postprocess::derive_serde_on_use(&mut file);
        let both = "#[derive(::serde::Deserialize,::serde::Serialize,Clone,Debug)]";
        let de =
            "#[derive(::serde::Deserialize,Clone,Debug)]#[cfg_attr(feature=\"serde_all\",derive(::serde::Serialize))]";
        let ser =
            "#[derive(::serde::Serialize,Clone,Debug)]#[cfg_attr(feature=\"serde_all\",derive(::serde::Deserialize))]";
        let want = [
            ("Listing", de), // a response
            ("User", de),    // inside a response
            ("Role", de),    // an enum inside a response
            ("Note", both),  // inside a response (through `Role`) and inside a request body
            ("CreateBody", ser),
            ("Kind", ser),   // inside a request body only
            ("Filter", ser), // a query value
            ("Problem", de), // an error body: read as PagerDuty's error, never into this type
            ("Unused", de),  // no operation uses it
        ];
        let got = derives(&file);
        for (name, expected) in want {
            let found = &got.iter().find(|(n, _)| n == name).expect(name).1;
            assert_eq!(found, expected, "{name}");
        }
        assert_eq!(moved, 8);
        assert_eq!(postprocess::derive_serde_on_use(&mut file), 0, "idempotent");
    }
}

mod route_operations {
    use super::postprocess;

    /// The function `function` of the impl for `name`, as text without spaces.
    fn function(file: &syn::File, name: &str, function: &str) -> String {
        super::module_items(file, "builder")
            .iter()
            .find_map(|item| match item {
                syn::Item::Impl(imp) if quote::quote!(#imp).to_string().contains(&format!("impl < 'a > {name}")) => {
                    imp.items.iter().find_map(|it| match it {
                        syn::ImplItem::Fn(f) if f.sig.ident == function => {
                            Some(quote::quote!(#f).to_string().replace(' ', ""))
                        }
                        _ => None,
                    })
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}::{function}"))
    }

    /// progenitor's `send()` of an operation: build the request, run the hooks, match the status.
    fn operation(name: &str, id: &str, value: syn::Type, arms: proc_macro2::TokenStream) -> syn::ItemImpl {
        let name = quote::format_ident!("{name}");
        syn::parse_quote! {
            impl<'a> #name<'a> {
                ///Sends a `GET` request
                pub async fn send(self) -> Result<ResponseValue<#value>, Error<types::Problem>> {
                    let Self { client, id } = self;
                    let id = id.map_err(Error::InvalidRequest)?;
                    #[allow(unused_mut)]
                    let mut request = client.client.get(url).build()?;
                    let info = OperationInfo { operation_id: #id };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    match response.status().as_u16() { #arms }
                }
            }
        }
    }

    #[test]
    fn every_operation_sends_through_one_function_of_the_typed_bridge() {
        let json = operation(
            "GetThing",
            "get_thing",
            syn::parse_quote!(types::Thing),
            quote::quote! {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                _ => Err(Error::UnexpectedResponse(response)),
            },
        );
        let empty = operation(
            "DeleteThing",
            "delete_thing",
            syn::parse_quote!(()),
            quote::quote! { 204u16 => Ok(ResponseValue::empty(response)), _ => Err(Error::UnexpectedResponse(response)) },
        );
        let bytes = operation(
            "Download",
            "download",
            syn::parse_quote!(ByteStream),
            quote::quote! { 200u16..=299u16 => Ok(ResponseValue::stream(response)), _ => Err(Error::UnexpectedResponse(response)) },
        );
        // A `default` error arm: progenitor's shapes vary, pdrs routes whatever the arms are.
        let unusual = operation(
            "Unusual",
            "unusual",
            syn::parse_quote!(types::Thing),
            quote::quote! {
                200u16 => ResponseValue::from_response(response).await,
                _ => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            },
        );
        let mut file: syn::File = syn::parse_quote! { pub mod builder { #json #empty #bytes #unusual } };
        assert_eq!(postprocess::route_operations(&mut file), Ok(4));

        let build = function(&file, "GetThing", "build_request");
        assert!(
            build.starts_with(
                "fnbuild_request(self)->Result<(&'asuper::Client,::reqwest::Request,OperationInfo),Error<types::Problem>>{letSelf{client,id}=self;letid=id.map_err(Error::InvalidRequest)?;"
            ),
            "the request is built as progenitor builds it, without `async`: {build}"
        );
        assert!(
            build.ends_with("letinfo=OperationInfo{operation_id:\"get_thing\"};Ok((client,request,info))}"),
            "{build}"
        );
        assert!(!build.contains("client.pre") && !build.contains("exec"), "no hook runs: {build}");
        let send = function(&file, "GetThing", "send");
        assert!(send.starts_with("#[doc=r\"Sendsa`GET`request\"]"), "the docs stay on send: {send}");
        assert!(
            send.contains("Output=::std::result::Result<ResponseValue<types::Thing>,crate::Error>"),
            "send returns pdrs's error: {send}"
        );
        assert!(send.ends_with("{crate::typed::json::<_,types::Thing,_>(self.build_request())}"), "{send}");
        assert!(function(&file, "DeleteThing", "send").ends_with("{crate::typed::empty(self.build_request())}"));
        assert!(function(&file, "Download", "send").ends_with("{crate::typed::bytes(self.build_request())}"));
        assert!(function(&file, "Unusual", "send")
            .ends_with("{crate::typed::json::<_,types::Thing,_>(self.build_request())}"));
        assert_eq!(postprocess::route_operations(&mut file), Ok(0), "idempotent");
    }

    #[test]
    fn an_operation_that_cannot_be_routed_stops_the_build() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> Odd<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> {
                        let info = OperationInfo { operation_id: "odd" };
                        let response = client.client.execute(request).await?;
                        ResponseValue::from_response(response).await
                    }
                }
            }
        };
        assert_eq!(postprocess::route_operations(&mut file), Err(vec!["odd".to_string()]));
    }
}

mod same_types_rule {
    use super::same_types;

    /// Each item of `types` as text: `pub type A = B ;` for aliases, else the item's header.
    fn summary(file: &syn::File) -> Vec<String> {
        super::module_items(file, "types")
            .iter()
            .map(|item| match item {
                syn::Item::Type(t) => {
                    let docs = t.attrs.iter().filter(|a| a.path().is_ident("doc")).count();
                    let (ident, ty) = (&t.ident, &t.ty);
                    format!("{ident} = {} ({docs} doc)", quote::quote!(#ty))
                }
                syn::Item::Struct(s) => format!("struct {}", s.ident),
                syn::Item::Enum(e) => format!("enum {}", e.ident),
                syn::Item::Impl(i) => {
                    let (t, s) = (i.trait_.as_ref().map(|t| &t.1), &i.self_ty);
                    format!("impl {} for {}", quote::quote!(#t), quote::quote!(#s)).replace(' ', "")
                }
                other => panic!("unexpected item {}", quote::quote!(#other)),
            })
            .collect()
    }

    #[test]
    fn identical_types_become_aliases_of_one_and_near_misses_stay() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                /// The urgency of a new incident.
                #[derive(Clone, Debug)]
                pub enum CreateUrgency { High, Low }
                impl ::std::fmt::Display for CreateUrgency {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(match self { CreateUrgency::High => "high", CreateUrgency::Low => "low" })
                    }
                }
                /// An urgency.
                #[derive(Clone, Debug)]
                pub enum Urgency { High, Low }
                impl ::std::fmt::Display for Urgency {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(match self { Urgency::High => "high", Urgency::Low => "low" })
                    }
                }
                /// Same variants, but written out differently.
                #[derive(Clone, Debug)]
                pub enum Priority { High, Low }
                impl ::std::fmt::Display for Priority {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(match self { Priority::High => "HIGH", Priority::Low => "low" })
                    }
                }
                /// Same variants, other derives.
                #[derive(Clone)]
                pub enum Level { High, Low }
                /// Identical once their fields' types are merged.
                #[derive(Clone, Debug)]
                pub struct IncidentBody { pub urgency: Option<CreateUrgency> }
                #[derive(Clone, Debug)]
                pub struct ServiceBody { pub urgency: Option<Urgency> }
                /// A field doc of its own.
                #[derive(Clone, Debug)]
                pub struct Documented {
                    /// How urgent.
                    pub urgency: Option<Urgency>,
                }
                /// An untagged enum whose variants' types merge.
                #[derive(Clone, Debug)]
                pub enum Either { Variant0(IncidentBody), Variant1(ServiceBody) }
                impl ::std::convert::From<IncidentBody> for Either {
                    fn from(value: IncidentBody) -> Self { Self::Variant0(value) }
                }
                impl ::std::convert::From<ServiceBody> for Either {
                    fn from(value: ServiceBody) -> Self { Self::Variant1(value) }
                }
            }
        };
        assert_eq!(same_types::alias_identical_types(&mut file), 2);
        assert_eq!(
            summary(&file),
            [
                "CreateUrgency = Urgency (1 doc)",
                "enum Urgency",
                "impl::std::fmt::DisplayforUrgency",
                "enum Priority",
                "impl::std::fmt::DisplayforPriority",
                "enum Level",
                "IncidentBody = ServiceBody (1 doc)",
                "struct ServiceBody",
                "struct Documented",
                "enum Either",
                // Both `From` impls now convert the same type: the first is kept.
                "impl::std::convert::From<IncidentBody>forEither",
            ]
        );
        assert_eq!(same_types::alias_identical_types(&mut file), 0, "idempotent");
    }
}
