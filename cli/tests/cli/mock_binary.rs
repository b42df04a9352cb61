//! The `pdrs-mock` binary: its help and its usage errors.

#[test]
fn the_mock_binary_describes_the_server() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pdrs-mock")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("a local PagerDuty for tests"), "{help}");
    assert!(!help.contains("SDK"), "{help}");
    for bad in [
        ["--error-rate", "7"],
        ["--error-rate", "NaN"],
        ["--users", "18446744073709551615"],
        ["--error-statuses", "404"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pdrs-mock")).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?} is a usage error");
    }
}

/// `pdrs-mock` under a low limit of open files: connections past it wait, the accept loop
/// lives on, and once the idle connections close the mock serves again.
#[cfg(unix)]
#[test]
fn out_of_file_descriptors_the_mock_serves_again_as_connections_close() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let mut mock = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 48 && exec \"$0\" --port 0 --users 5 --incidents 0")
        .arg(env!("CARGO_BIN_EXE_pdrs-mock"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(mock.stderr.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("http://").nth(1).map(|a| a.split_whitespace().next().unwrap_or("").to_string()))
        .expect("the mock prints its address");
    let address = address.trim_end_matches('/').to_string();
    std::thread::spawn(move || lines.for_each(drop));
    let get = |address: &str| -> Option<String> {
        let mut stream = TcpStream::connect(address).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
        let request =
            "GET /users?limit=1 HTTP/1.1\r\nhost: mock\r\nauthorization: Token token=fd\r\nconnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer.lines().next().map(String::from)
    };
    assert_eq!(get(&address).as_deref(), Some("HTTP/1.1 200 OK"));
    // More idle connections than the mock has descriptors for.
    let idle: Vec<TcpStream> = (0..100).filter_map(|_| TcpStream::connect(&address).ok()).collect();
    assert_eq!(idle.len(), 100);
    std::thread::sleep(Duration::from_millis(500));
    assert!(mock.try_wait().unwrap().is_none(), "the mock died out of descriptors");
    // A request now waits in the queue; it is served once the idle ones close.
    let waiting = {
        let address = address.clone();
        std::thread::spawn(move || get(&address))
    };
    std::thread::sleep(Duration::from_millis(500));
    drop(idle);
    assert_eq!(waiting.join().unwrap().as_deref(), Some("HTTP/1.1 200 OK"));
    assert_eq!(get(&address).as_deref(), Some("HTTP/1.1 200 OK"));
    let _ = mock.kill();
    let _ = mock.wait();
}
