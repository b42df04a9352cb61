//! The mock's own endpoints under `/_mock/`: the whole state, read (`GET /_mock/state`) and
//! replaced (`PUT /_mock/state`).

use super::answer::*;
use super::credentials::authorized;
use super::shared::Shared;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// `GET`/`PUT` of `/_mock/state`: dump or load the whole state, behind the same credential
/// rule as the API.
pub(super) fn state_endpoint(shared: &Shared, method: &Method, headers: &HeaderMap, body: &Bytes) -> Response {
    if !authorized(headers) {
        return error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", vec![]);
    }
    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
    match *method {
        Method::GET => Json(store.dump()).into_response(),
        Method::PUT | Method::POST => match serde_json::from_slice::<Value>(body)
            .map_err(|e| e.to_string())
            .and_then(|v| super::store::Store::load(&v))
        {
            Ok(mut loaded) => {
                loaded.clock = store.clock;
                *store = loaded;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => invalid(vec![e]),
        },
        _ => not_found(),
    }
}
