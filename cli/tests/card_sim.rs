//! `epassport apdu`, `readers` and `sim`: output, exit codes, recording and replay, and the PC/SC
//! path through a private pcscd + vsmartcard-vpcd.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn tiny() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/sim/tests/fixtures/tiny"
    )
    .to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("epassport-cli-card-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

const CARD_ACCESS: &str = "31143012060A04007F0007020204020202010202010D 9000 (success)\n";

#[test]
fn apdu_against_the_software_chip() {
    let o = run(&[
        "apdu",
        "-v",
        "--sim",
        &tiny(),
        "00A4020C02011C",
        "00 B0 00 00 00",
        "00B0810000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        format!(
            "# reader sim:{} ATR 3B858001807300008077\n9000 (success)\n{CARD_ACCESS}6A82 (file or application not found)\n# 4 exchanges\n",
            tiny()
        )
    );
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn record_then_replay_byte_exact_and_a_mismatch_names_both_commands() {
    let trace = tmp("session.json");
    let trace_s = trace.to_str().unwrap();
    let cmds = [
        "00B09C0000",
        "0084000008",
        "00A4040C07A0000002471001",
        "00B0810000",
    ];
    let mut args = vec!["apdu", "--sim", tiny().leak(), "--record", trace_s];
    args.extend(cmds);
    let live = run(&args);
    assert_eq!(live.status.code(), Some(0), "{}", text(&live.stderr));
    let mut args = vec!["apdu", "--replay", trace_s];
    args.extend(cmds);
    let replayed = run(&args);
    assert_eq!(
        replayed.status.code(),
        Some(0),
        "{}",
        text(&replayed.stderr)
    );
    assert_eq!(text(&replayed.stdout), text(&live.stdout));
    assert!(text(&live.stdout).ends_with("6982 (security status not satisfied)\n"));

    let bad = run(&["apdu", "--replay", trace_s, "00B09C0000", "0084000010"]);
    assert_eq!(bad.status.code(), Some(4));
    assert_eq!(
        text(&bad.stderr),
        "epassport apdu: replay mismatch at exchange 2: expected 0084000008, got 0084000010\n"
    );
    let short = run(&["apdu", "--replay", trace_s, "00B09C0000"]);
    assert_eq!(short.status.code(), Some(4));
    assert_eq!(
        text(&short.stderr),
        "epassport apdu: replay mismatch at exchange 2: expected 0084000008, got <end of session>\n"
    );
    let missing = run(&["apdu", "--replay", "/nonexistent/trace.json", "00B09C0000"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr)
            .starts_with("epassport apdu: trace: cannot read /nonexistent/trace.json:")
    );
}

#[test]
fn apdu_usage_errors() {
    let o = run(&["apdu", "--sim", &tiny(), "00"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "epassport apdu: \"00\": invalid command APDU: command APDU shorter than 4 bytes\n"
    );
    let o = run(&["apdu", "--sim", &tiny(), "0G"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["apdu", "--sim", "/nonexistent", "00A40000"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "epassport apdu: /nonexistent: not a fixture chip folder (no chip.json)\n"
    );
    let o = run(&["apdu", "--sim", &tiny(), "--replay", "x", "00A40000"]);
    assert_eq!(o.status.code(), Some(2), "clap refuses two sources");
}

#[test]
fn sim_usage_errors() {
    let o = run(&["sim", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "epassport sim: /nonexistent: not a fixture chip folder (no chip.json)\n"
    );
    // Nothing listens on port 1.
    let o = run(&[
        "sim",
        &tiny(),
        "--vpcd",
        "127.0.0.1:1",
        "--connect-timeout",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        text(&o.stderr).starts_with("epassport sim: virtual reader at 127.0.0.1:1: cannot connect"),
        "{}",
        text(&o.stderr)
    );
}

#[cfg(not(feature = "pcsc"))]
#[test]
fn readers_needs_the_pcsc_feature() {
    let o = run(&["readers"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "epassport readers: this build has no PC/SC support (rebuild with --features pcsc)\n"
    );
}

#[cfg(feature = "pcsc")]
mod pcsc {
    use super::*;
    use epassport::sim::harness::{READER_NAME, VirtualReader};
    use std::time::{Duration, Instant};

    #[test]
    fn readers_without_pcscd() {
        let o = Command::new(env!("CARGO_BIN_EXE_epassport"))
            .arg("readers")
            .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(4));
        assert_eq!(
            text(&o.stderr),
            "epassport readers: reader unavailable: the PC/SC service (pcscd) is not running\n"
        );
    }

    /// `epassport sim` serves the fixture into vpcd; `readers` sees it; `apdu --reader` reads it
    /// exactly as `apdu --sim` does.
    #[test]
    fn sim_into_vpcd_then_readers_and_apdu_through_pcsc() {
        let vr =
            VirtualReader::start().unwrap_or_else(|e| panic!("cannot run the PC/SC CLI test: {e}"));
        let env = |c: &mut Command| {
            c.env("PCSCLITE_CSOCK_NAME", vr.socket());
        };
        let mut readers = Command::new(env!("CARGO_BIN_EXE_epassport"));
        readers.arg("readers");
        env(&mut readers);
        let o = readers.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout),
            format!("{READER_NAME}: no card\nVirtual PCD 00 01: no card\n")
        );

        let mut sim = Command::new(env!("CARGO_BIN_EXE_epassport"))
            .args(["sim", &tiny(), "--vpcd", &vr.address()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let json = loop {
            let mut c = Command::new(env!("CARGO_BIN_EXE_epassport"));
            c.args(["readers", "--json"]);
            env(&mut c);
            let o = c.output().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            if v["readers"][0]["card_present"] == true || Instant::now() > deadline {
                break v;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut apdu = Command::new(env!("CARGO_BIN_EXE_epassport"));
        apdu.args([
            "apdu",
            "--reader",
            READER_NAME,
            "00A4020C02011C",
            "00B0000000",
        ]);
        env(&mut apdu);
        let o = apdu.output().unwrap();
        let mut plain = Command::new(env!("CARGO_BIN_EXE_epassport"));
        plain.args(["readers"]);
        env(&mut plain);
        let human = plain.output().unwrap();
        sim.kill().unwrap();
        sim.wait().unwrap();

        assert_eq!(
            json["readers"][0],
            serde_json::json!({
                "name": READER_NAME,
                "card_present": true,
                "in_use": false,
                "atr": "3B858001807300008077",
                "extended_length": false,
            })
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(text(&o.stdout), format!("9000 (success)\n{CARD_ACCESS}"));
        assert!(
            text(&human.stdout).starts_with(&format!(
                "{READER_NAME}: card present, ATR 3B858001807300008077, short APDUs only\n"
            )),
            "{}",
            text(&human.stdout)
        );
    }
}
