//! `epassport read --reader` through the real PC/SC stack: a private pcscd + vsmartcard-vpcd
//! (`epassport_sim::harness::VirtualReader`), the demo fixture served into it by `epassport sim
//! --vpcd`, and every file read byte-exact against the fixture. Without pcscd, vpcd or root the
//! test FAILS with the reason (CI installs them; scripts/setup.sh).

#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport::sim::harness::{READER_NAME, VirtualReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Kills the `epassport sim` child however the test ends.
struct Sim(Child);
impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd`, killing it after `limit` (a hung PC/SC call must not hang CI).
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} did not finish within {limit:?}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_is_read_through_pcscd_and_vpcd_byte_exact() {
    let vr =
        VirtualReader::start().unwrap_or_else(|e| panic!("cannot run the PC/SC read test: {e}"));
    let fixture = root().join("fixtures/chips/demo");
    let _sim = Sim(Command::new(env!("CARGO_BIN_EXE_epassport"))
        .arg("sim")
        .arg(&fixture)
        .args(["--vpcd", &vr.address()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    let out = std::env::temp_dir().join(format!("epassport-read-vpcd-{}", std::process::id()));
    let mut read = Command::new(env!("CARGO_BIN_EXE_epassport"));
    read.args(["read", "--reader", READER_NAME, "--wait", "10"])
        .args(["--mrz-key", "UT1234567,900812,340415", "--out"])
        .arg(&out)
        .env("PCSCLITE_CSOCK_NAME", vr.socket());
    let o = output_within(read, Duration::from_secs(60));
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}\npcscd log:\n{}",
        String::from_utf8_lossy(&o.stderr),
        vr.log()
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["access"]["protocol"], "PACE");
    let mut compared = 0;
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".bin") || name == "CardSecurity.bin" {
            continue;
        }
        let want = std::fs::read(fixture.join(&name)).unwrap();
        let got = std::fs::read(out.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, want, "{name}");
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} files compared");
    let _ = std::fs::remove_dir_all(&out);
}

/// large-dg2 without extended length, leaving the field after 60 APDUs (mid-DG2): `epassport sim`
/// puts it back after a second, and `epassport read --reader` waits for it, opens a new session
/// and resumes DG2 where it stopped, through the real PC/SC stack.
#[test]
fn a_card_lost_mid_dg2_is_resumed_through_pcscd_and_vpcd() {
    let vr =
        VirtualReader::start().unwrap_or_else(|e| panic!("cannot run the PC/SC read test: {e}"));
    let src = root().join("fixtures/chips/large-dg2");
    let fixture =
        std::env::temp_dir().join(format!("epassport-read-vpcd-losing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fixture);
    std::fs::create_dir_all(fixture.join("keys")).unwrap();
    for sub in ["", "keys"] {
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), fixture.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    let mut cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(src.join("chip.json")).unwrap()).unwrap();
    cfg["behaviour"] = serde_json::json!({ "extended_length": false, "remove_after_apdus": 60 });
    std::fs::write(fixture.join("chip.json"), cfg.to_string()).unwrap();
    let _sim = Sim(Command::new(env!("CARGO_BIN_EXE_epassport"))
        .arg("sim")
        .arg(&fixture)
        .args(["--vpcd", &vr.address()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    let out = std::env::temp_dir().join(format!("epassport-read-vpcd-lost-{}", std::process::id()));
    let mut read = Command::new(env!("CARGO_BIN_EXE_epassport"));
    read.args(["read", "--reader", READER_NAME, "--wait", "10"])
        .args(["--mrz-key", "UT1234567,900812,340415", "--out"])
        .arg(&out)
        .env("PCSCLITE_CSOCK_NAME", vr.socket());
    let o = output_within(read, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {stderr}\npcscd log:\n{}",
        vr.log()
    );
    assert!(
        stderr.starts_with("epassport read: reading DG2 was interrupted at offset ")
            && stderr.ends_with("; waiting up to 10 s for the card to resume\n"),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["resumptions"], 1);
    for name in [
        "COM.bin", "SOD.bin", "DG1.bin", "DG2.bin", "DG14.bin", "DG15.bin",
    ] {
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(src.join(name)).unwrap(),
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&fixture);
}
