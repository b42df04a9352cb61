//! Decoding JSON into the caller's type, with the serde path of a failure kept in the error.

use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes a JSON body; an empty one is [`Error::EmptyBody`]; a failure names the serde path.
pub(crate) fn decode_bytes<T: DeserializeOwned>(status: reqwest::StatusCode, body: bytes::Bytes) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::EmptyBody { status });
    }
    decode_slice(&body, || body.clone())
}

/// Decodes JSON text; a failure is [`Error::Decode`] naming the serde path, its body made by
/// `body` (only then).
pub(crate) fn decode_slice<T: DeserializeOwned>(text: &[u8], body: impl FnOnce() -> bytes::Bytes) -> Result<T> {
    // The fast path first; on failure, parse again to find where it failed.
    serde_json::from_slice(text).map_err(|first| {
        let de = &mut serde_json::Deserializer::from_slice(text);
        let (path, source) = match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) => (e.path().to_string(), e.into_inner()),
            Ok(_) => (String::new(), first),
        };
        Error::Decode { path, source, body: body().into() }
    })
}

/// Decodes a JSON value into `T`; on failure the error carries the serde path and the value's
/// text (serialized only then).
pub(crate) fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    match serde_path_to_error::deserialize::<_, T>(&value) {
        Ok(v) => Ok(v),
        Err(e) => Err(Error::Decode {
            path: e.path().to_string(),
            source: e.into_inner(),
            body: bytes::Bytes::from(value.to_string()).into(),
        }),
    }
}

/// The JSON type of a value, for messages (`object`, `array`...).
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
