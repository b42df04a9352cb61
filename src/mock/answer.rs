//! PagerDuty-shaped answers: the error body (`{"error": {"code", "message", "errors"}}`), a
//! success with a JSON body, and a listing's page written straight from the records held.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A PagerDuty-shaped error response.
pub(crate) fn error(status: StatusCode, code: i64, message: &str, errors: Vec<String>) -> Response {
    let mut body = json!({"error": {"message": message, "errors": errors}});
    if code != 0 {
        body["error"]["code"] = json!(code);
    }
    (status, Json(body)).into_response()
}

pub(super) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, 2100, "Not Found", vec![])
}

pub(super) fn invalid(errors: Vec<String>) -> Response {
    error(StatusCode::BAD_REQUEST, 2001, "Invalid Input Provided", errors)
}

/// An answer decided under the state lock. A `Json` value is serialized after the lock is
/// released; a listing's page is already bytes (see [`page_answer`]).
pub(super) enum Answer {
    Json(StatusCode, Value),
    Page(Vec<u8>),
    Empty(StatusCode),
    Done(Response),
}

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        Answer::Done(response)
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self {
            Answer::Json(status, body) => (status, Json(body)).into_response(),
            Answer::Page(bytes) => ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Answer::Empty(status) => status.into_response(),
            Answer::Done(response) => response,
        }
    }
}

pub(super) fn ok(body: Value) -> Answer {
    Answer::Json(StatusCode::OK, body)
}

/// A listing's page written straight from the records the state holds: `{field: [records...],
/// and the paging fields}`. Serializing borrowed records under the lock costs less than copying
/// them to serialize after it (a deep copy of every record allocates per field).
pub(super) fn page_answer(field: &str, records: &[&Value], paging: &[(&str, Value)]) -> Answer {
    struct Body<'a> {
        field: &'a str,
        records: &'a [&'a Value],
        paging: &'a [(&'a str, Value)],
    }
    impl serde::Serialize for Body<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1 + self.paging.len()))?;
            map.serialize_entry(self.field, self.records)?;
            for (key, value) in self.paging {
                map.serialize_entry(key, value)?;
            }
            map.end()
        }
    }
    match serde_json::to_vec(&Body { field, records, paging }) {
        Ok(bytes) => Answer::Page(bytes),
        // Values the mock holds always serialize; should one not, say so rather than send half.
        Err(e) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, 0, "The mock could not write the page", vec![e.to_string()]).into()
        }
    }
}
