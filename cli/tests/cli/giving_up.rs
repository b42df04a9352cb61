//! `pdrs get` against servers that never give a usable answer: each run ends within the total
//! time (`--max-time`), says on stderr why it waits as it waits (forced with
//! `PDRS_HINTS=always`, as on a terminal), then what it saw, with the documented exit code.

use crate::runner;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The total time the runs are given, and the slack allowed over it (process start, the last
/// attempt's cleanup).
const MAX_TIME: u64 = 8;
const SLACK: Duration = Duration::from_secs(3);

/// A server on loopback answering each connection with `answer`, on its own threads.
fn server(answer: impl Fn(TcpStream) + Send + Sync + Clone + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            std::thread::spawn(move || answer(stream));
        }
    });
    url
}

/// Reads a request's head (the tests send no bodies).
fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

/// A server writing these bytes in answer to every request, then closing.
fn answering(bytes: Vec<u8>) -> String {
    server(move |mut stream| {
        read_head(&mut stream);
        let _ = stream.write_all(&bytes);
    })
}

/// Runs `pdrs get /users/PX` at `url`; returns the exit code, stderr and the time it took.
fn run(url: &str) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let max_time = MAX_TIME.to_string();
    let args = ["get", "/users/PX", "--max-time", &max_time, "--retry-base-ms", "1000"];
    let out = runner::output(url, &args, &[("PDRS_HINTS", "always")], b"");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), started.elapsed())
}

/// The run ended in time with `code`, told of a wait (`waits` in a line) before its last line,
/// and its last line says `last`.
fn assert_gave_up(what: &str, url: &str, code: i32, waits: &str, last: &str) {
    let (status, stderr, took) = run(url);
    assert!(took <= Duration::from_secs(MAX_TIME) + SLACK, "{what}: took {took:?}\n{stderr}");
    assert_eq!(status, Some(code), "{what}: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let (final_line, before) = lines.split_last().expect("something on stderr");
    assert!(before.iter().any(|l| l.contains(waits) && l.contains("of 10")), "{what}: no wait told\n{stderr}");
    assert!(final_line.contains(last), "{what}: last line {final_line:?}\n{stderr}");
}

fn http(status_line: &str, headers: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status_line}\r\ncontent-length: {}\r\n{headers}\r\n{body}", body.len()).into_bytes()
}

#[test]
fn a_429_forever_with_an_unreadable_hint() {
    let body = r#"{"error":{"code":2020,"message":"Rate Limit Exceeded"}}"#;
    std::thread::scope(|s| {
        for hint in ["abc", "-5", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let url = answering(http("429 Too Many Requests", &format!("retry-after: {hint}\r\n"), body));
            s.spawn(move || assert_gave_up(&format!("retry-after {hint}"), &url, 5, "rate limited (429)", "429"));
        }
    });
}

#[test]
fn a_5xx_forever() {
    std::thread::scope(|s| {
        for status in ["500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable"] {
            let url = answering(http(status, "", r#"{"error":{"message":"down"}}"#));
            let code = &status[..3];
            s.spawn(move || assert_gave_up(status, &url, 1, &format!("the server answered {code}"), code));
        }
    });
}

#[test]
fn broken_answers_forever() {
    let cut = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"user\":".to_vec();
    let garbage = b"HTTP/1.1 two hundred\r\n\r\n".to_vec();
    let many: String = (0..2000).map(|i| format!("x-header-{i}: {i}\r\n")).collect();
    let many = http("200 OK", &many, "{}");
    let long = http("200 OK", &format!("x-long: {}\r\n", "a".repeat(1 << 20)), "{}");
    let cases = [
        ("a cut body", cut),
        ("a garbage status line", garbage),
        ("2,000 headers", many),
        ("a 1 MB header line", long),
    ];
    std::thread::scope(|s| {
        for (what, bytes) in cases {
            let url = answering(bytes);
            s.spawn(move || assert_gave_up(what, &url, 6, "failed on the network", "gave up after"));
        }
    });
}

#[test]
fn a_server_that_never_answers() {
    let url = server(|mut stream| {
        read_head(&mut stream);
        std::thread::sleep(Duration::from_secs(3600));
    });
    assert_gave_up("silence", &url, 6, "no complete answer yet", "no complete answer within 8s");
}

#[test]
fn a_server_sending_a_byte_every_ten_seconds() {
    let url = server(|mut stream| {
        read_head(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n");
        while stream.write_all(b" ").is_ok() {
            std::thread::sleep(Duration::from_secs(10));
        }
    });
    assert_gave_up("a trickle", &url, 6, "no complete answer yet", "no complete answer within 8s");
}

#[test]
fn nothing_listening() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    assert_gave_up("connection refused", &url, 6, "Connection refused", "Connection refused");
}

#[test]
fn quiet_hides_the_waits_not_the_failure() {
    let url = answering(http("503 Service Unavailable", "", "{}"));
    let args = ["get", "/users/PX", "--max-time", "4", "--retry-base-ms", "1000", "--quiet"];
    let out = runner::output(&url, &args, &[("PDRS_HINTS", "always")], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("503"), "{stderr}");
}
