//! The second half of every generated operation: send the request it built through the
//! client's hooks (the [pipeline](crate::pipeline)), then turn the response into the
//! operation's value by the statuses its document declares.
//!
//! progenitor writes this half into each operation's own `async` body, once per operation;
//! the build script (`postprocess::shared_dispatch`) leaves each operation the plain function
//! that builds its request and replaces those copies with a call to one of the generic
//! functions here, so that rustc checks this code once instead of for every operation. What a call does is unchanged: the hooks run in progenitor's order, a declared
//! success status gives the value, a declared error status gives
//! [`Error::ErrorResponse`] with the decoded body, any other status
//! [`Error::UnexpectedResponse`].

use progenitor_client::{ByteStream, ClientHooks, Error, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;

/// The statuses an operation declares: success ranges (inclusive) and error statuses.
#[allow(dead_code, reason = "used by the operations the enabled features generate")]
pub(crate) struct Statuses {
    /// Success statuses, as inclusive ranges (`(201, 201)`, `(200, 299)`).
    pub success: &'static [(u16, u16)],
    /// Statuses whose body is the operation's error type.
    pub errors: &'static [u16],
}

/// What an operation's first half returns: its client, the request it built, its name; or
/// the error found while building (a missing or invalid value).
type Prepared<'a, C, E> = Result<(&'a C, reqwest::Request, OperationInfo), Error<E>>;

/// Runs the hooks and sends `request`; returns the response when its status is a declared
/// success, and the operation's error otherwise.
async fn exchange<C, E>(prepared: Prepared<'_, C, E>, statuses: &Statuses) -> Result<reqwest::Response, Error<E>>
where
    C: ClientHooks<crate::pipeline::Pipeline>,
    E: DeserializeOwned,
{
    let (client, mut request, info) = prepared?;
    client.pre(&mut request, &info).await?;
    let result = client.exec(request, &info).await;
    client.post(&result, &info).await?;
    let response = result?;
    let status = response.status().as_u16();
    if statuses.success.iter().any(|&(low, high)| (low..=high).contains(&status)) {
        Ok(response)
    } else if statuses.errors.contains(&status) {
        Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))
    } else {
        Err(Error::UnexpectedResponse(response))
    }
}

/// An operation whose success body is JSON of type `T`.
#[allow(dead_code, reason = "used by the operations the enabled features generate")]
pub(crate) async fn json<C, T, E>(
    prepared: Prepared<'_, C, E>,
    statuses: &Statuses,
) -> Result<ResponseValue<T>, Error<E>>
where
    C: ClientHooks<crate::pipeline::Pipeline>,
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    let response = exchange(prepared, statuses).await?;
    ResponseValue::from_response(response).await
}

/// An operation whose success has no body.
#[allow(dead_code, reason = "used by the operations the enabled features generate")]
pub(crate) async fn empty<C, E>(
    prepared: Prepared<'_, C, E>,
    statuses: &Statuses,
) -> Result<ResponseValue<()>, Error<E>>
where
    C: ClientHooks<crate::pipeline::Pipeline>,
    E: DeserializeOwned,
{
    exchange(prepared, statuses).await.map(ResponseValue::empty)
}

/// An operation whose success body is handed out as a stream of bytes.
#[allow(dead_code, reason = "used by the operations the enabled features generate")]
pub(crate) async fn stream<C, E>(
    prepared: Prepared<'_, C, E>,
    statuses: &Statuses,
) -> Result<ResponseValue<ByteStream>, Error<E>>
where
    C: ClientHooks<crate::pipeline::Pipeline>,
    E: DeserializeOwned,
{
    exchange(prepared, statuses).await.map(ResponseValue::stream)
}
