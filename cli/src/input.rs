//! A request body from `--data`: JSON, `@file` or `@-`, read up to a bound.

use pdrs::Error;
use serde_json::Value;

/// The largest `--data` body read (from a file or stdin).
pub(crate) const MAX_DATA_BYTES: u64 = 10 * 1024 * 1024;

/// Reads at most [`MAX_DATA_BYTES`] from `reader`; more is an error, not a truncation.
pub(crate) fn read_bounded(reader: impl std::io::Read, name: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_DATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InvalidInput(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_DATA_BYTES {
        return Err(Error::InvalidInput(format!("{name} is larger than {MAX_DATA_BYTES} bytes")));
    }
    Ok(bytes)
}

/// The `--data` body: JSON, `@file` or `@-` (standard input).
pub(crate) fn body(data: Option<&str>) -> Result<Option<Value>, Error> {
    let bytes = match data {
        None => return Ok(None),
        Some("@-") => read_bounded(std::io::stdin().lock(), "standard input")?,
        Some(d) if d.starts_with('@') => {
            let path = &d[1..];
            let file =
                std::fs::File::open(path).map_err(|e| Error::InvalidInput(format!("cannot read {path}: {e}")))?;
            read_bounded(file, path)?
        }
        Some(d) => d.as_bytes().to_vec(),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::InvalidInput(format!("--data is not valid JSON: {e}")))
}
