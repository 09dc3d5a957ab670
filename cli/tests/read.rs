//! `epassport read` against the software chip: PACE, BAC, wrong MRZ.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::Command;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(fixture: &str, key: &str, out: &std::path::Path) -> std::process::Output {
    read_with(fixture, key, out, &[])
}

fn read_with(
    fixture: &str,
    key: &str,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(["read", "--sim"])
        .arg(root().join("fixtures/chips").join(fixture))
        .args(["--mrz-key", key, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn demo_is_read_with_pace_byte_exact() {
    let out = std::env::temp_dir().join(format!("epassport-read-demo-{}", std::process::id()));
    let o = read("demo", "UT1234567,900812,340415", &out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["access"]["protocol"], "PACE");
    assert_eq!(report["access"]["mapping"], "GM");
    let ac = &report["anti_cloning"];
    assert_eq!(ac["chip_authentication"]["status"], "passed", "{ac}");
    assert_eq!(ac["chip_authentication"]["key_source"], "DG14");
    assert_eq!(ac["active_authentication"]["status"], "passed", "{ac}");
    assert!(
        ac["active_authentication"]["protocol"]
            .as_str()
            .unwrap()
            .starts_with("RSA-2048")
    );
    assert_eq!(ac["pace_cam"]["status"], "not_supported");
    assert!(report["stats"]["anti_cloning"]["apdus"].as_u64().unwrap() >= 4);
    for f in ["COM", "SOD", "DG1", "DG2", "DG14", "DG15"] {
        let want =
            std::fs::read(root().join("fixtures/chips/demo").join(format!("{f}.bin"))).unwrap();
        assert_eq!(
            std::fs::read(out.join(format!("{f}.bin"))).unwrap(),
            want,
            "{f}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bac_only_chip_is_read_with_bac_and_wrong_mrz_exits_3() {
    let out = std::env::temp_dir().join(format!("epassport-read-bac-{}", std::process::id()));
    let key = {
        let cfg: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root().join("fixtures/chips/bac-only/chip.json")).unwrap(),
        )
        .unwrap();
        let l = cfg["mrz"]
            .as_str()
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_string();
        format!(
            "{},{},{}",
            l[0..9].trim_end_matches('<'),
            &l[13..19],
            &l[21..27]
        )
    };
    let o = read("bac-only", &key, &out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["access"]["protocol"], "BAC");
    let o = read("demo", "X12345678,900101,300101", &out);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refused the MRZ"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn clone_is_read_and_fails_ca_and_aa_and_no_aa_skips() {
    let out = std::env::temp_dir().join(format!("epassport-read-clone-{}", std::process::id()));
    let o = read("clone", "UT1234567,900812,340415", &out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "reading succeeds; the verdict is verify's: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    let ac = &report["anti_cloning"];
    assert_eq!(ac["chip_authentication"]["status"], "failed", "{ac}");
    assert!(
        ac["chip_authentication"]["reason"]
            .as_str()
            .unwrap()
            .contains("did not prove possession"),
        "{ac}"
    );
    assert_eq!(ac["active_authentication"]["status"], "failed", "{ac}");

    let o = read_with(
        "demo",
        "UT1234567,900812,340415",
        &out,
        &["--no-aa", "--no-ca"],
    );
    assert_eq!(o.status.code(), Some(0));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    for m in ["chip_authentication", "active_authentication"] {
        assert_eq!(report["anti_cloning"][m]["status"], "not_performed");
        assert_eq!(
            report["anti_cloning"][m]["why"],
            "skipped at the caller's request"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

const DEMO_KEY: &str = "UT1234567,900812,340415";

fn run(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(args)
        .output()
        .unwrap()
}

fn temp(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("epassport-read-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// The `.bin` files of `dir` (name → bytes).
fn bins(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".bin"))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect()
}

/// Every file `out` holds that the fixture has, byte-exact (at least `min` of them).
fn assert_files_match(fixture: &str, out: &std::path::Path, min: usize) {
    let want = bins(&root().join("fixtures/chips").join(fixture));
    let got = bins(out);
    let mut n = 0;
    for (name, data) in &got {
        assert_eq!(Some(data), want.get(name), "{name}");
        n += 1;
    }
    assert!(n >= min, "only {n} files: {:?}", got.keys());
}

/// large-dg2 on a chip without extended length that leaves the field after 60 APDUs (in the
/// middle of DG2): a copy of the fixture with that behaviour.
fn losing_fixture() -> std::path::PathBuf {
    let src = root().join("fixtures/chips/large-dg2");
    let dir = temp("losing-fixture");
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    for sub in ["", "keys"] {
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    let mut cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(src.join("chip.json")).unwrap()).unwrap();
    cfg["behaviour"] = serde_json::json!({ "extended_length": false, "remove_after_apdus": 60 });
    std::fs::write(dir.join("chip.json"), cfg.to_string()).unwrap();
    dir
}

#[test]
fn card_lost_mid_dg2_exits_4_cleanly_then_a_resumed_read_gets_everything() {
    let fixture = losing_fixture();
    let out = temp("lost");
    let o = run(&[
        "read".as_ref(),
        "--sim".as_ref(),
        fixture.as_os_str(),
        "--mrz-key".as_ref(),
        DEMO_KEY.as_ref(),
        "--resume".as_ref(),
        "0".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(4), "{stderr}");
    // One clean line: which file, where, why.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("epassport read: reading DG2 was interrupted at offset ")
            && stderr.contains("the simulated card was removed after 60 APDUs"),
        "{stderr}"
    );
    assert!(!out.join("read.json").exists());

    // The same chip, but the read may resume once: a new PACE session, DG2 from its last good
    // offset, every file byte-exact.
    let o = run(&[
        "read".as_ref(),
        "--sim".as_ref(),
        fixture.as_os_str(),
        "--mrz-key".as_ref(),
        DEMO_KEY.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("epassport read: reading DG2 was interrupted at offset ")
            && stderr.ends_with("; waiting up to 10 s for the card to resume\n"),
        "{stderr}"
    );
    assert_files_match("large-dg2", &out, 9);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["resumptions"], 1);
    assert_eq!(report["link"]["extended_length"], false);
    assert_eq!(report["link"]["learned_from"], "ATR");
    // DG2 was resumed, not restarted: about one uninterrupted short read (SELECT, header, 19143
    // bytes in 223-byte AES blocks) plus the re-SELECT and the APDU that failed.
    let dg2 = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "DG2")
        .unwrap();
    let apdus = dg2["stats"]["apdus"].as_u64().unwrap();
    let uninterrupted = 2 + 19143u64.div_ceil(223);
    assert!(apdus <= uninterrupted + 3, "{apdus} vs {uninterrupted}");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&fixture);
}

#[test]
fn id_card_is_read_with_its_can_and_a_wrong_can_is_refused() {
    let can = {
        let cfg: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root().join("fixtures/chips/id-card/chip.json")).unwrap(),
        )
        .unwrap();
        cfg["can"].as_str().unwrap().to_string()
    };
    let fixture = root().join("fixtures/chips/id-card");
    let out = temp("id-card");
    let args = |can: &str| {
        run(&[
            "read".as_ref(),
            "--sim".as_ref(),
            fixture.as_os_str(),
            "--can".as_ref(),
            can.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
    };
    let o = args(&can);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("read.json")).unwrap()).unwrap();
    assert_eq!(report["access"]["protocol"], "PACE");
    assert_eq!(report["access"]["password"], "CAN");
    assert_files_match("id-card", &out, 6);
    // 123456 is not this card's CAN.
    assert_ne!(can, "123456");
    let o = args("123456");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with("epassport read: access control failed: ") && stderr.contains("CAN"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_recorded_read_replays_byte_exact() {
    let fixture = root().join("fixtures/chips/demo");
    let live = temp("record");
    let replayed = temp("replayed");
    let trace = std::env::temp_dir().join(format!("epassport-read-{}.json", std::process::id()));
    let o = run(&[
        "read".as_ref(),
        "--sim".as_ref(),
        fixture.as_os_str(),
        "--mrz-key".as_ref(),
        DEMO_KEY.as_ref(),
        "--record".as_ref(),
        trace.as_os_str(),
        "--out".as_ref(),
        live.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&[
        "read".as_ref(),
        "--replay".as_ref(),
        trace.as_os_str(),
        "--mrz-key".as_ref(),
        DEMO_KEY.as_ref(),
        "--out".as_ref(),
        replayed.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(bins(&replayed), bins(&live));
    assert_files_match("demo", &replayed, 9);
    let report = |d: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join("read.json")).unwrap()).unwrap()
    };
    let (a, b) = (report(&live), report(&replayed));
    assert_eq!(a["access"], b["access"]);
    assert_eq!(a["access"]["protocol"], "PACE");
    for f in ["files", "skipped", "missing", "link"] {
        let strip = |v: &serde_json::Value| {
            let mut v = v.clone();
            if let Some(files) = v.as_array_mut() {
                for x in files {
                    if let Some(s) = x.get_mut("stats") {
                        s["elapsed_ms"] = 0.into();
                    }
                }
            }
            v
        };
        assert_eq!(strip(&a[f]), strip(&b[f]), "{f}");
    }
    // A different key does not match the recorded session.
    let o = run(&[
        "read".as_ref(),
        "--replay".as_ref(),
        trace.as_os_str(),
        "--mrz-key".as_ref(),
        "X12345678,900101,300101".as_ref(),
        "--out".as_ref(),
        replayed.as_os_str(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    for d in [&live, &replayed] {
        let _ = std::fs::remove_dir_all(d);
    }
    let _ = std::fs::remove_file(&trace);
}
