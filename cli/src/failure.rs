//! Why a run failed, and the exit code each failure gives.

use pdrs::Error;

/// Exit codes: see [`EXIT_CODES`].
pub(crate) fn exit_code(error: &Failure) -> u8 {
    let error = match error {
        Failure::NotFound { .. } => return 4,
        // `--fields` naming what the records do not have.
        Failure::Output(e) if e.kind() == std::io::ErrorKind::InvalidInput => return 2,
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

/// Why a run failed: pdrs's error (a 404 with what was not found), stdout refusing the output, or
/// a webhook signature.
pub(crate) enum Failure {
    Request(Error),
    /// A 404, with what it was about (`no incident PABC`, `no such path: /x`).
    NotFound {
        what: String,
        error: Error,
    },
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

impl Failure {
    /// `error`, or, when it is a 404 of `path`, what was not found.
    pub(crate) fn about(path: &str, error: Error) -> Failure {
        if error.is_not_found() {
            Failure::NotFound { what: crate::not_found::what_was_not_found(path), error }
        } else {
            Failure::Request(error)
        }
    }
}
