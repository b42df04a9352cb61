//! The operation table: the spec as data for the generic layer (stub, filled below).

use crate::documents::Document;
use serde_json::Value;
use std::path::Path;

/// One row per operation.
pub struct Row {}

/// Rows of one document.
pub fn rows(_doc: &Document, _spec: &Value) -> Vec<Row> {
    Vec::new()
}

/// Writes the table and the normalization report into `out_dir`.
pub fn write(_out_dir: &Path, _rows: &[Row], _report: &[String]) -> Result<(), String> {
    Ok(())
}
