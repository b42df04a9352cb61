//! The build and the house: the build script's rules on fixtures, other revisions of the
//! documents, the committed manifests, the documents' examples, the README's examples, and the
//! module layers of ARCHITECTURE.md.

#[path = "../support/mod.rs"]
mod support;

// The build script's modules, as they are (at the crate root, where they expect each other).
#[allow(dead_code)]
#[path = "../../build/json.rs"]
mod json;
#[allow(dead_code)]
#[path = "../../src/naming.rs"]
mod naming;

#[path = "../../build/reference.rs"]
mod reference;

#[path = "../../build/credentials.rs"]
mod credentials;

#[allow(dead_code)]
#[path = "../../build/normalize/mod.rs"]
mod normalize;

#[allow(dead_code)]
#[path = "../../build/documents.rs"]
mod documents;

#[path = "../../build/conform.rs"]
mod conform;

#[allow(dead_code)]
#[path = "../../build/postprocess/mod.rs"]
mod postprocess;

#[path = "../../build/same_types.rs"]
mod same_types;

mod architecture;
mod build_rules;
mod defective_documents;
mod document_lookup;
mod drift;
mod examples;
mod links;
mod spec_table;
