//! What the tests share: a scripted HTTP/1.1 server on loopback (answers each request with
//! the next scripted reply, or drops the connection, and records what it received), the test
//! clients, PagerDuty's documents as the tests read them, and the property tests' settings.

#![allow(dead_code)]

pub mod documents;

use pdrs::{RestClient, RetryPolicy};

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted reply.
#[derive(Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, Vec<(&'static str, String)>, String),
    /// Close the connection without answering (a network failure).
    Drop,
    /// Status, headers and the full `Content-Length`, then half the body, then close.
    Cut(u16, String),
    /// A 200 whose chunked body never ends (until the client goes away or 2 GB are sent).
    Endless,
    /// Read the request, then say nothing for this many milliseconds.
    Silent(u64),
}

/// A reply with a JSON body.
pub fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply::Http(status, vec![("content-type", "application/json".into())], body.to_string())
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    /// Query parameters of the request target.
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
    }

    /// The first value of a query parameter.
    pub fn param(&self, key: &str) -> Option<String> {
        self.query().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub struct Scripted {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// Starts the server; after the script runs out it answers 500.
pub async fn scripted(replies: Vec<Reply>) -> Scripted {
    let script = Mutex::new(replies.into_iter());
    serve(move |_| script.lock().unwrap().next().unwrap_or(Reply::Http(500, vec![], "script ended".into()))).await
}

/// Starts the server answering each request with `handler(request)`.
pub async fn serve(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Scripted {
    let handler = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let first: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let length: usize =
                    headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
                while buf.len() < head_end + length {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                let request = Seen {
                    method: first.first().unwrap_or(&"").to_string(),
                    target: first.get(1).unwrap_or(&"").to_string(),
                    headers,
                    body,
                };
                log.lock().unwrap().push(request.clone());
                let reply = handler(&request);
                match reply {
                    Reply::Drop => drop(socket),
                    Reply::Cut(status, body) => {
                        let head = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(&body.as_bytes()[..body.len() / 2]).await;
                        let _ = socket.flush().await;
                        drop(socket);
                    }
                    Reply::Endless => {
                        let head =
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
                        for _ in 0..(2u64 << 30) / (64 * 1024) {
                            if socket.write_all(chunk.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                    Reply::Silent(ms) => {
                        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                        drop(socket);
                    }
                    Reply::Http(status, headers, body) => {
                        let mut out =
                            format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
                        for (k, v) in headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&body);
                        let _ = socket.write_all(out.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                }
            });
        }
    });
    Scripted { url, seen }
}

/// Drains a listing: the `id` of every record until the end or the first error.
pub async fn drain(
    mut stream: futures::stream::BoxStream<'_, pdrs::Result<serde_json::Value>>,
) -> (Vec<String>, Option<pdrs::Error>) {
    use futures::TryStreamExt;
    let mut ids = Vec::new();
    loop {
        match stream.try_next().await {
            Ok(Some(v)) => ids.push(v["id"].as_str().unwrap_or_default().to_string()),
            Ok(None) => return (ids, None),
            Err(e) => return (ids, Some(e)),
        }
    }
}

/// Property tests' settings: `cases` cases, failing ones kept in
/// `proptest-regressions/<name>.txt` of the package (where the unit tests' are too) and run
/// first next time.
pub fn proptest_config(cases: u32, name: &str) -> proptest::test_runner::Config {
    let file: &'static str = Box::leak(format!("proptest-regressions/{name}.txt").into_boxed_str());
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(file))),
        ..proptest::test_runner::Config::default()
    }
}

/// The token every test client sends.
pub const TOKEN: &str = "token-abcdefgh-1234";

/// A REST client of the server at `url` that does not retry.
pub fn client(url: &str) -> RestClient {
    client_with(url, RetryPolicy::none())
}

/// A REST client of the server at `url` that retries as `policy` says.
pub fn client_with(url: &str, policy: RetryPolicy) -> RestClient {
    RestClient::builder(TOKEN).base_url(url).retry(policy).build().unwrap()
}
