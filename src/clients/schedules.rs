//! A schedule whatever its version: read through Schedules v3, and through v2 when PagerDuty
//! answers that the schedule is not upgraded to v3 yet (a 400, as PagerDuty's docs say to do).

use super::rest::RestClient;
use crate::Result;
use serde_json::Value;

/// A schedule, and which API it was read through.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnySchedule {
    /// Read through Schedules v3 (`GET /v3/schedules/{id}`).
    V3(Value),
    /// Read through v2 (`GET /schedules/{id}`): PagerDuty has not upgraded this schedule to v3.
    V2(Value),
}

impl AnySchedule {
    /// The schedule's record, as the API that answered wrote it.
    pub fn record(&self) -> &Value {
        match self {
            AnySchedule::V3(record) | AnySchedule::V2(record) => record,
        }
    }

    /// Which Schedules API answered: 3 or 2.
    pub fn version(&self) -> u8 {
        match self {
            AnySchedule::V3(_) => 3,
            AnySchedule::V2(_) => 2,
        }
    }
}

impl RestClient {
    /// The schedule `id`, through Schedules v3 when PagerDuty has upgraded it, else through v2:
    /// a 400 from v3 (not upgraded) is the only answer that falls back; a 404 or any other error
    /// is returned as it is.
    pub async fn schedule(&self, id: &str) -> Result<AnySchedule> {
        let v3 = format!("/v3/schedules/{}", encode(id));
        match self.rget::<Value>(v3.as_str()).await {
            Ok(record) => Ok(AnySchedule::V3(record)),
            Err(e) if e.status() == Some(reqwest::StatusCode::BAD_REQUEST) => {
                let v2 = format!("/schedules/{}", encode(id));
                Ok(AnySchedule::V2(self.rget::<Value>(v2.as_str()).await?))
            }
            Err(e) => Err(e),
        }
    }
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}
