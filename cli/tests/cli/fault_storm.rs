//! The fault storm script (`scripts/fault-storm.sh`), a few runs: `pdrs get /users --all`
//! against pdrs-mock injecting 5xx answers, resets and cut bodies prints every user exactly
//! once, in order, sequentially and with `--concurrency 8`.

#[test]
fn every_user_exactly_once_through_a_fault_storm() {
    let out = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/fault-storm.sh"))
        .arg("2")
        .env("PDRS", env!("CARGO_BIN_EXE_pdrs"))
        .env("PDRS_MOCK", env!("CARGO_BIN_EXE_pdrs-mock"))
        .env("USERS", "3000")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches("2 of 2 runs printed all 3000 users exactly once, in order").count(), 2, "{stdout}");
}
