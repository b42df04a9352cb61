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
