//! Runs progenitor over a normalized document and post-processes its output.

use crate::documents::Document;
use crate::postprocess;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;
use std::path::Path;

/// Generated types the hand-written layer uses where a revision has them: (module, type, the
/// feature of what uses it, what uses it). The build emits `cfg(pdrs_has_<module>_<type>)` for
/// each one generated, and a warning naming what is left out when that feature is on but the
/// revision has no such type.
pub const OPTIONAL_TYPES: &[(&str, &str, &str, &str)] = &[
    ("rest", "Incident", "incidents", "webhooks::Event::incident"),
    ("rest", "Service", "services", "webhooks::Event::service"),
];

/// Generated source of one document.
pub struct Generated {
    /// The module's source text.
    pub source: String,
    /// Names of the top-level items of the `types` module.
    pub type_names: Vec<String>,
    /// Request and response types per operation (for the examples test).
    pub operations: Vec<postprocess::inspect::OperationTypes>,
}

/// Generates the client and types of one document.
pub fn generate(doc: &Document, spec: &Value, paging: &[(String, &str, Option<String>)]) -> Result<Generated, String> {
    let mut annotated = spec.clone();
    crate::reference::annotate(&mut annotated);
    let api: openapiv3::OpenAPI = serde_json::from_value(annotated)
        .map_err(|e| format!("{}: normalized document is not OpenAPI 3.0: {e}", doc.file))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Optional)
        .with_inner_type(quote!(crate::pipeline::Pipeline));
    let mut generator = Generator::new(&settings);
    let tokens = generator.generate_tokens(&api).map_err(|e| format!("{}: progenitor failed: {e}", doc.file))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{}: generated code does not parse: {e}", doc.file))?;
    let operations = postprocess::inspect::operation_types(&file);
    let type_names = postprocess::inspect::type_names(&file);
    let secrets = crate::credentials::credential_fields(spec);
    let context = postprocess::Context { paging, secrets: &secrets };
    for pass in postprocess::PASSES {
        (pass.apply)(&mut file, &context).map_err(|e| format!("{}: {}: {e}", doc.file, pass.name))?;
    }
    Ok(Generated { source: prettyplease::unparse(&file), type_names, operations })
}

/// Writes `<module>.rs` into `out_dir` (empty when the module's features are off); returns the
/// directives that tell cargo whether the module exists (`cfg(pdrs_<module>)`), for the caller
/// to print in document order.
pub fn write_module(out_dir: &Path, doc: &Document, generated: Option<&Generated>) -> Result<Vec<String>, String> {
    let mut directives = vec![format!("cargo::rustc-check-cfg=cfg(pdrs_{})", doc.module)];
    for (module, ty, feature, user) in OPTIONAL_TYPES.iter().filter(|(m, _, _, _)| *m == doc.module) {
        let cfg = format!("pdrs_has_{module}_{}", ty.to_ascii_lowercase());
        directives.push(format!("cargo::rustc-check-cfg=cfg({cfg})"));
        match generated {
            Some(g) if g.type_names.iter().any(|n| n == ty) => directives.push(format!("cargo::rustc-cfg={cfg}")),
            Some(_) if crate::documents::feature_enabled(feature) => directives
                .push(format!("cargo::warning={}: no type {ty} in this revision; {user} is left out", doc.file)),
            _ => {}
        }
    }
    let path = out_dir.join(format!("{}.rs", doc.module));
    let text = match generated {
        Some(g) => {
            directives.push(format!("cargo::rustc-cfg=pdrs_{}", doc.module));
            g.source.clone()
        }
        None => String::new(),
    };
    write_if_changed(&path, &text)?;
    Ok(directives)
}

/// Writes a file unless it already holds `text` (keeps timestamps, and so rebuilds, stable).
pub fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Whether the examples test can decode a JSON value into this generated type.
fn decodable(ty: &str) -> bool {
    ty != "()" && !ty.contains("ByteStream") && !ty.contains("reqwest::Body")
}

/// One generated operation, joined to its row of the operation table.
pub struct Entry<'a> {
    /// The module generated from its document.
    pub module: &'static str,
    /// `GET`, `POST`...
    pub method: String,
    /// The path template.
    pub path: String,
    /// Its generated types and required values.
    pub types: &'a postprocess::inspect::OperationTypes,
    /// A request body holding the fields it requires, as JSON text.
    pub sample_body: Option<String>,
}

/// Source of `examples.rs`: for each generated operation, functions that decode a JSON value
/// into its request body, success and error types.
pub fn examples_source(entries: &[Entry]) -> String {
    let mut out = String::from(
        "/// (module, METHOD, path, request decoder, success decoder, error decoder)\n\
         pub fn decoders() -> Vec<Entry> {\n    vec![\n",
    );
    for Entry { module, method, path, types, .. } in entries {
        let decoder = |ty: Option<&str>| match ty {
            Some(t) if decodable(t) => {
                format!("Some(decode::<{}>)", t.replace("types::", &format!("pdrs::{module}::types::")))
            }
            _ => "None".to_string(),
        };
        out.push_str(&format!(
            "        ({module:?}, {method:?}, {path:?}, {}, {}, {}),\n",
            decoder(types.body.as_deref()),
            decoder(Some(&types.success)),
            decoder(Some(&types.error)),
        ));
    }
    out.push_str("    ]\n}\n");
    out
}

/// Source of `body_checks.rs`: `check_body`, which decodes a JSON value into an operation's
/// generated request body type, naming the field that does not fit.
pub fn body_checks_source(entries: &[Entry]) -> String {
    let mut out = String::from(
        "/// Decodes `body` into the generated request type of `op`: `None` when the operation has no\n\
         /// typed JSON body in this build, else `Err` naming the first field that does not fit\n\
         /// (`user.role: invalid type: integer, expected a string`).\n\
         pub fn check_body(op: &Operation, body: &serde_json::Value) -> Option<Result<(), String>> {\n\
         \x20   fn decode<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<(), String> {\n\
         \x20       serde_path_to_error::deserialize::<_, T>(body).map(drop).map_err(|e| {\n\
         \x20           let path = e.path().to_string();\n\
         \x20           format!(\"{path}: {}\", e.into_inner())\n\
         \x20       })\n\
         \x20   }\n\
         \x20   match (op.api, op.method, op.path) {\n",
    );
    for Entry { module, method, path, types, .. } in entries {
        let Some(body) = types.body.as_deref().filter(|t| decodable(t)) else { continue };
        out.push_str(&format!(
            "        (Api::{}, {method:?}, {path:?}) => Some(decode::<{}>(body)),\n",
            crate::json::pascal(module),
            body.replace("types::", &format!("crate::{module}::types::"))
        ));
    }
    out.push_str("        _ => None,\n    }\n}\n");
    out
}

/// A value of the Rust type `ty` (as written in a generated builder) for a required parameter,
/// as Rust source in a crate that depends on pdrs.
fn sample_value(module: &str, ty: &str) -> String {
    match ty {
        "::std::string::String" => "::std::string::String::from(\"PX00001\")".to_string(),
        "::chrono::DateTime<::chrono::offset::Utc>" => "::chrono::Utc::now()".to_string(),
        "::chrono::naive::NaiveDate" | "::chrono::NaiveDate" => "::chrono::NaiveDate::MIN".to_string(),
        "::uuid::Uuid" => "::uuid::Uuid::nil()".to_string(),
        "bool" => "true".to_string(),
        "reqwest::Body" => "\"x\"".to_string(),
        "::serde_json::Map<::std::string::String,::serde_json::Value>" => "::serde_json::Map::new()".to_string(),
        _ if ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"].contains(&ty) => format!("1{ty}"),
        _ => match ty.strip_prefix("::std::vec::Vec<").and_then(|t| t.strip_suffix('>')) {
            Some(item) => format!("vec![{}]", sample_value(module, item)),
            // A generated type: an open enum takes any string.
            None => format!("{}::from(\"x\")", ty.replace("types::", &format!("pdrs::{module}::types::"))),
        },
    }
}

/// Source of `operation_calls.rs`, for the tests that call every operation: per generated
/// module, `call_<module>(client, name)`, which calls the operation `name` with a sample value
/// for each required parameter and, where the document requires fields of the body, a body
/// holding them; the future gives the answer's status, or the error.
pub fn calls_source(entries: &[Entry]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut modules: Vec<&str> = entries.iter().map(|e| e.module).collect();
    modules.dedup();
    for module in modules {
        let _ = writeln!(
            out,
            "/// Calls the operation `name` of the `{module}` client with sample values; `None` when the module has no such operation.\n\
             #[allow(unused_imports, clippy::all)]\n\
             pub fn call_{module}<'a>(client: &'a pdrs::{module}::Client, name: &str) -> Option<::futures::future::BoxFuture<'a, pdrs::Result<u16>>> {{\n\
             \x20   use pdrs::{module}::prelude::*;\n\
             \x20   // One function per operation, so that no stack frame holds every operation's future.\n\
             \x20   let call: fn(&'a pdrs::{module}::Client) -> ::futures::future::BoxFuture<'a, pdrs::Result<u16>> = match name {{"
        );
        for Entry { types, sample_body, .. } in entries.iter().filter(|e| e.module == module) {
            let mut call = format!("client.{}()", types.operation_id);
            for (setter, ty) in &types.required {
                if setter == "body" {
                    continue;
                }
                let _ = write!(call, ".{setter}({})", sample_value(module, ty));
            }
            let body_required = types.required.iter().any(|(setter, _)| setter == "body");
            let has_fields = sample_body.as_deref().is_some_and(|b| b != "{}");
            match types.body.as_deref() {
                Some("reqwest::Body") => call.push_str(".body(\"x\")"),
                Some(body) if decodable(body) && (has_fields || body_required) => {
                    let body = body.replace("types::", &format!("pdrs::{module}::types::"));
                    let json = sample_body.as_deref().unwrap_or("{}");
                    let _ = write!(
                        call,
                        ".body(::serde_json::from_str::<{body}>({json:?}).expect(\"the sample body fits its type\"))"
                    );
                }
                _ => {}
            }
            let _ = writeln!(
                out,
                "        {:?} => |client| Box::pin(async move {{ {call}.send().await.map(|answer| answer.status().as_u16()) }}),",
                types.operation_id
            );
        }
        out.push_str("        _ => return None,\n    };\n    Some(call(client))\n}\n\n");
    }
    out
}
