//! What every generated operation's `send()` is: the request its `build_request()` built, sent
//! through the client's pipeline, and the answer read by one rule for every operation.
//!
//! The rule is the raw layer's ([`Answer::into_result`]): any 2xx is a success and any other
//! status is PagerDuty's error (code, message, `errors`, the body kept), whatever statuses the
//! document lists for the operation. A success is then decoded with the operation's success
//! type: a body that does not decode is [`Error::Decode`]; an empty body (a 204, say) is the
//! type's value for `null` or `{}` when it has one (an `Option`, a type whose fields are all
//! optional), else [`Error::EmptyBody`].

use crate::pipeline::{Answer, Pipeline};
use crate::{spec, Error, Result};
use progenitor_client::{ByteStream, ClientInfo, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;

/// What an operation's `build_request()` returns: its client, the request it built and the
/// operation's name; or progenitor's error for a value that was missing or did not convert.
pub(crate) type Prepared<'a, C, E> =
    std::result::Result<(&'a C, reqwest::Request, OperationInfo), progenitor_client::Error<E>>;

/// An operation whose success body is JSON of type `T`.
#[allow(dead_code, reason = "called by the operations the enabled features generate")]
pub(crate) async fn json<C, T, E>(prepared: Prepared<'_, C, E>) -> Result<ResponseValue<T>>
where
    C: ClientInfo<Pipeline>,
    T: DeserializeOwned,
{
    let answer = exchange(prepared).await?;
    let value = decode_success(&answer)?;
    Ok(ResponseValue::new(value, answer.status, answer.headers))
}

/// An operation whose success has no body (whatever body comes is not read).
#[allow(dead_code, reason = "called by the operations the enabled features generate")]
pub(crate) async fn empty<C, E>(prepared: Prepared<'_, C, E>) -> Result<ResponseValue<()>>
where
    C: ClientInfo<Pipeline>,
{
    let answer = exchange(prepared).await?;
    Ok(ResponseValue::new((), answer.status, answer.headers))
}

/// An operation whose success body is handed out as bytes.
#[allow(dead_code, reason = "called by the operations the enabled features generate")]
pub(crate) async fn bytes<C, E>(prepared: Prepared<'_, C, E>) -> Result<ResponseValue<ByteStream>>
where
    C: ClientInfo<Pipeline>,
{
    let answer = exchange(prepared).await?;
    let body = answer.body;
    let stream = ByteStream::new(Box::pin(futures::stream::once(async move { Ok(body) })));
    Ok(ResponseValue::new(stream, answer.status, answer.headers))
}

/// Sends a built request through its client's pipeline: the pipeline's headers, the check of
/// the body's required fields, then the retried exchange; returns a 2xx answer, else the error.
async fn exchange<C, E>(prepared: Prepared<'_, C, E>) -> Result<Answer>
where
    C: ClientInfo<Pipeline>,
{
    let (client, mut request, info) = prepared.map_err(build_error)?;
    let pipeline = client.inner();
    let op = spec::by_name(pipeline.api(), info.operation_id);
    pipeline.prepare(&mut request, Some(info.operation_id))?;
    if let Some(op) = op {
        super::required::check(op, &request)?;
    }
    pipeline.send(request, op.map(|op| op.path)).await?.into_result()
}

/// The error of a request that could not be built (a missing path parameter, a value that does
/// not convert, a header that is not valid): nothing was sent.
pub(crate) fn build_error<E>(error: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidInput(message),
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
            Error::invalid(format!("cannot build the request: {}", e.without_url()))
        }
        // A response's errors: building a request makes none of them.
        P::ErrorResponse(_) | P::InvalidResponsePayload(..) | P::UnexpectedResponse(_) => {
            Error::invalid("cannot build the request")
        }
    }
}

/// The success value of a 2xx answer (see the module's documentation for empty bodies).
fn decode_success<T: DeserializeOwned>(answer: &Answer) -> Result<T> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_str("null")
            .or_else(|_| serde_json::from_str("{}"))
            .map_err(|_| Error::EmptyBody { status: answer.status });
    }
    crate::decode::decode_slice(&answer.body, || answer.body.clone())
}
