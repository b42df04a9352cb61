//! Why a run failed, and the exit code each failure gives.

use pdrs::Error;

/// Exit codes: see [`EXIT_CODES`].
pub(crate) fn exit_code(error: &Failure) -> u8 {
    let error = match error {
        Failure::Output(_) | Failure::Signature(_) => return 1,
        Failure::Request(e) => e,
    };
    match error {
        e if e.is_unauthorized() => 3,
        e if e.is_not_found() => 4,
        e if e.is_rate_limited() => 5,
        Error::Network(_) | Error::RetriesExhausted { .. } | Error::Timeout { .. } => 6,
        e if e.is_refused_before_sending() => 2,
        _ => 1,
    }
}

/// Why a run failed: pdrs's error, stdout refusing the output, or a webhook signature.
pub(crate) enum Failure {
    Request(Error),
    Output(std::io::Error),
    Signature(pdrs::webhooks::WebhookError),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Request(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Output(e)
    }
}
