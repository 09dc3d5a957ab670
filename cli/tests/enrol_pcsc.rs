//! `epassport enrol` through the real PC/SC stack, exactly as with a USB reader: a private pcscd
//! with vsmartcard-vpcd, `epassport sim` serving the demo chip into the virtual reader, and
//! `epassport enrol --reader` reading it with PACE, CA and AA. Fails (never skips) without pcscd
//! or vpcd: CI installs them (scripts/setup.sh).
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport::sim::harness::{READER_NAME, VirtualReader};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn enrol_through_pcscd_and_vpcd() {
    let vr = VirtualReader::start()
        .unwrap_or_else(|e| panic!("cannot run the PC/SC enrolment test: {e}"));
    let mut sim = Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(["sim", "demo", "--vpcd", &vr.address()])
        .env("EPASSPORT_FIXTURES", repo().join("fixtures"))
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the card in the virtual reader.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let o = Command::new(env!("CARGO_BIN_EXE_epassport"))
            .args(["readers", "--json"])
            .env("PCSCLITE_CSOCK_NAME", vr.socket())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        if v["readers"][0]["card_present"] == true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the simulated card never appeared in {READER_NAME}; pcscd log:\n{}",
            vr.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = std::env::temp_dir().join(format!("epassport-enrol-pcsc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mrz = dir.join("mrz.txt");
    std::fs::write(
        &mrz,
        "P<UTOHANSEN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<\nUT12345675UTO9008124F3404159ZE184226B<<<<<16\n",
    )
    .unwrap();
    let record = dir.join("record.json");
    let fixtures = repo().join("fixtures");
    let o = Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(["enrol", "--reader", READER_NAME, "--mrz"])
        .arg(&mrz)
        .arg("--trust")
        .arg(fixtures.join("pki/certs/csca-p256.cer"))
        .arg("--selfie")
        .arg(fixtures.join("faces/holder-selfie.jpg"))
        .args([
            "--user-id",
            "blue-falcon-42",
            "--authenticator",
            "audio-code-reader",
            "--phone",
            "+4512345678",
            "--accept-terms",
            "--now",
            "2026-11-21T16:30:00Z",
            "--out",
        ])
        .arg(&record)
        .env("PCSCLITE_CSOCK_NAME", vr.socket())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    sim.kill().unwrap();
    let _ = sim.wait();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}\npcscd log:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
        vr.log()
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    assert_eq!(v["decision"]["status"], "approved");
    let ver = &v["verification"];
    assert_eq!(ver["access_control"]["evidence"]["protocol"], "PACE");
    assert_eq!(ver["chip_authentication"]["status"], "passed");
    assert_eq!(ver["active_authentication"]["status"], "passed");
    assert_eq!(
        ver["read"]["evidence"]["files"].as_array().unwrap().len(),
        8
    );
    assert_eq!(v["mitid"]["authenticator"], "audio-code-reader");
    std::fs::remove_dir_all(&dir).unwrap();
}
