//! A schedule whatever its version: v3 for the schedules PagerDuty has upgraded, v2 after
//! PagerDuty's 400 for the others, and a 404 that is no reason to fall back.

use pdrs::mock::{MockConfig, MockServer, Seed};
use pdrs::{AnySchedule, RestClient};
use serde_json::json;

#[tokio::test]
async fn v3_for_upgraded_schedules_v2_for_the_others_and_404_as_it_is() {
    let mock = MockServer::start_with(MockConfig::default().seed(Seed::empty().schedules(2))).await.unwrap();
    mock.insert("/v3/schedules", json!({"id": "PC00001", "type": "schedule_v3", "name": "Schedule 1 (v3)"})).unwrap();
    let pd = RestClient::builder("any").base_url(mock.url()).build().unwrap();

    let upgraded = pd.schedule("PC00001").await.unwrap();
    assert!(matches!(&upgraded, AnySchedule::V3(record) if record["name"] == "Schedule 1 (v3)"), "{upgraded:?}");
    assert_eq!(mock.calls("GET", "/schedules/{id}"), 0);

    let classic = pd.schedule("PC00000").await.unwrap();
    assert_eq!(classic.version(), 2);
    assert_eq!(classic.record()["name"], "Schedule 0");
    let v3 = mock.requests_to("GET", "/v3/schedules/{id}");
    assert_eq!(v3.last().unwrap().status, 400, "PagerDuty's answer for a schedule not upgraded");

    let missing = pd.schedule("PNOPE").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(mock.calls("GET", "/schedules/{id}"), 1, "a 404 does not fall back");
}
