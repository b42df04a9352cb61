//! iter_history gets every record of a range past the 10,000 record cap, each exactly once.

use crate::support::{json, serve};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::TryStreamExt;
use pdrs::{ListOptions, RestClient, RetryPolicy};
use serde_json::{json, Value};
use std::collections::HashSet;

const RECORDS: i64 = 25_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

#[tokio::test]
async fn iter_history_reads_25000_records_each_once() {
    // One incident every 7 seconds; the server treats `until` as inclusive, like a server whose
    // windows overlap on the boundary, so the client must de-duplicate.
    let server = serve(|req| {
        let parse = |k: &str| req.param(k).map(|v| DateTime::parse_from_rfc3339(&v).unwrap().with_timezone(&Utc));
        let (since, until) = (parse("since").unwrap(), parse("until").unwrap());
        let offset: usize = req.param("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let limit: usize = req.param("limit").and_then(|v| v.parse().ok()).unwrap_or(25);
        if offset + limit > 10_000 {
            return json(400, json!({"error": {"code": 2002, "message": "Offset must be less than 10000."}}));
        }
        let matching: Vec<i64> = (0..RECORDS)
            .filter(|i| {
                let at = t0() + Duration::seconds(i * 7);
                at >= since && at <= until
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|i| json!({"id": format!("Q{i:07}"), "created_at": (t0() + Duration::seconds(i * 7)).to_rfc3339()}))
            .collect();
        let total = (req.param("total").as_deref() == Some("true")).then_some(matching.len());
        json(200, json!({"incidents": page, "offset": offset, "limit": limit, "total": total, "more": offset + limit < matching.len()}))
    })
    .await;
    let pd = RestClient::builder("history-token-000").base_url(&server.url).retry(RetryPolicy::none()).build().unwrap();
    let until = t0() + Duration::seconds(RECORDS * 7);
    let all: Vec<Value> = pd.iter_history("/incidents", t0(), until, ListOptions::new()).try_collect().await.unwrap();
    assert_eq!(all.len(), RECORDS as usize);
    let ids: HashSet<&str> = all.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), RECORDS as usize);
    // In order.
    assert!(all.windows(2).all(|w| w[0]["id"].as_str() < w[1]["id"].as_str()));
}
