//! Rewrites of progenitor's output, each a named pass over the parsed file, run in the order of
//! [`PASSES`] (the order matters where a pass reads what another wrote; each entry says so).
//! What a pass changes is checked by a fixture test in `tests/build/build_rules.rs`.

mod builders;
mod docs;
pub mod inspect;
mod open_enums;
mod redact;
mod routing;
mod serde_on_use;
mod syntax;

pub use builders::{body_setters, drop_struct_builders};
pub use docs::untest_doc_snippets;
pub use open_enums::open_enums;
pub use redact::redact_credentials;
pub use routing::{codegen_on_use, route_operations, typed_streams};
pub use serde_on_use::derive_serde_on_use;
pub(crate) use syntax::types_items;

use std::collections::BTreeSet;

/// What the passes know of the document besides the generated code.
pub struct Context<'a> {
    /// (method name, paging kind, items field) of every operation.
    pub paging: &'a [(String, &'a str, Option<String>)],
    /// The wire names of the fields the document calls credentials.
    pub secrets: &'a BTreeSet<String>,
}

/// A named rewrite: returns how many places it changed, or why the generated code cannot be
/// used (the build stops with that message).
pub struct Pass {
    /// Stable name, for messages.
    pub name: &'static str,
    /// The rewrite.
    pub apply: fn(&mut syn::File, &Context) -> Result<usize, String>,
}

/// The passes in the order they run.
pub const PASSES: &[Pass] = &[
    // First: the struct builders' paths would otherwise be rewritten by every later pass.
    Pass { name: "drop_struct_builders", apply: |file, _| Ok(drop_struct_builders(file)) },
    Pass { name: "open_enums", apply: |file, _| Ok(open_enums(file)) },
    Pass { name: "untest_doc_snippets", apply: |file, _| Ok(untest_doc_snippets(file)) },
    // Before routing: it reads progenitor's own `send()` (the success type, the operation id).
    Pass { name: "typed_streams", apply: |file, context| Ok(typed_streams(file, context.paging)) },
    Pass {
        name: "route_operations",
        apply: |file, _| {
            route_operations(file).map_err(|unrouted| {
                format!(
                    "progenitor wrote {} operation(s) in a shape pdrs cannot route through its pipeline ({}); this progenitor version is not supported",
                    unrouted.len(),
                    unrouted.join(", ")
                )
            })
        },
    },
    // After routing: it marks `build_request`, which routing writes.
    Pass { name: "codegen_on_use", apply: |file, _| Ok(codegen_on_use(file)) },
    // After routing: what `send()` returns is what a response carries.
    Pass { name: "derive_serde_on_use", apply: |file, _| Ok(derive_serde_on_use(file)) },
    Pass { name: "body_setters", apply: |file, _| Ok(body_setters(file)) },
    Pass { name: "redact_credentials", apply: |file, context| Ok(redact_credentials(file, context.secrets)) },
    // Last: it compares whole types, derives and impls included, as the passes above left them.
    Pass { name: "alias_identical_types", apply: |file, _| Ok(crate::same_types::alias_identical_types(file)) },
];
