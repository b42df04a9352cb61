//! The only names the normalization pass knows. Everything else is matched by shape.

/// Header parameters the client fills in itself, so the generated builders must not demand them.
///
/// - `From`: the pipeline sends the configured default requester email on every request.
/// - `X-EARLY-ACCESS`: the pipeline sends the configured early-access headers.
/// - `Authorization`: the pipeline authenticates every call (mcp.json declares it as a parameter).
/// - `x-pagerduty-jira-signature`: the Jira Server client sends the instance's signature token on
///   every call (integration-jira-service.json declares it on each operation).
pub const CLIENT_FILLED_HEADERS: &[&str] = &["from", "x-early-access", "authorization", "x-pagerduty-jira-signature"];

/// Header parameters that negotiate media types; the pipeline sets them once for every call.
pub const NEGOTIATION_HEADERS: &[&str] = &["accept", "content-type"];

/// Name of the lenient error schema every error response is rewritten to.
pub const ERROR_SCHEMA: &str = "PagerDutyError";

/// Extension set on a client-filled header parameter that the document marked required, so the
/// operation table can tell callers where `From` is mandatory.
pub const WAS_REQUIRED_EXT: &str = "x-pdrs-was-required";
