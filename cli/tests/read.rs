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
