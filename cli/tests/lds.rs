//! `epassport lds show` and `epassport lds face` on the real samples in ../shared/realworld.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

fn realworld() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld");
    assert!(
        p.join("MANIFEST.md").is_file(),
        "real-world samples absent: expected ../shared/realworld/ beside the repository ({})",
        p.display()
    );
    p
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn show_single_files() {
    let rw = realworld();
    let (code, out, err) = run(&[
        "lds",
        "show",
        rw.join("lds/bsi2008/EF_COM.bin").to_str().unwrap(),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "EF_COM.bin (24 bytes): EF.COM\n  data_groups: [\"DG1\",\"DG2\",\"DG3\",\"DG14\"]\n  lds_version: 1.7\n  unicode_version: 4.0.0\n"
    );
    let (code, out, _) = run(&[
        "lds",
        "show",
        rw.join("lds/gmrtd-samples/DG11.bin").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["fields"]["full_name"], "SMITH<<JOHN<J");
    let (code, out, _) = run(&[
        "lds",
        "show",
        rw.join("lds/bsi2008/EF_SOD.bin").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["fields"]["hash_algorithm"], "SHA-1");
    assert_eq!(
        v["files"][0]["fields"]["hashes"].as_array().unwrap().len(),
        4
    );
}

#[test]
fn show_a_dump_folder() {
    let rw = realworld();
    let dir = std::env::temp_dir().join(format!("lds-show-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("EF_COM.bin", "COM.bin"),
        ("EF_SOD.bin", "SOD.bin"),
        ("DG1.bin", "DG1.bin"),
        ("DG2.bin", "DG2.bin"),
        ("DG15.bin", "DG15.bin"),
    ] {
        std::fs::copy(rw.join("lds/bsi2008").join(from), dir.join(to)).unwrap();
    }
    let (code, out, err) = run(&["lds", "show", dir.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let heads: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        heads,
        [
            "COM.bin (24 bytes): EF.COM",
            "SOD.bin (1076 bytes): EF.SOD (LDSSecurityObject; signature not verified here, see `epassport verify`)",
            "DG1.bin (93 bytes): DG1 (MRZ)",
            "DG2.bin (15083 bytes): DG2 (encoded face)",
            "DG15.bin (164 bytes): DG15 (Active Authentication public key)",
        ]
    );
    assert!(out.contains("  key: RSA 1024-bit, e = 0x010001\n"), "{out}");
    // A corrupt file: reported, exit 1, the others still shown.
    std::fs::write(dir.join("DG11.bin"), [0x6B, 0x05, 0x5C]).unwrap();
    let (code, out, _) = run(&["lds", "show", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("DG11.bin (3 bytes): ERROR DG11: value of tag '6B' at offset 0 claims 5 bytes, only 1 left\n"), "{out}");
    // The face export.
    let png = dir.join("face.png");
    let (code, out, err) = run(&[
        "lds",
        "face",
        dir.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "wrote {} (413x531, from JPEG 2000 (JP2))\nwarning: the record says 337x449 but the image is 413x531\n",
            png.display()
        )
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let (code, _, err) = run(&[
        "lds",
        "face",
        dir.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
        "--index",
        "3",
    ]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: DG2 holds 1 face(s), no index 3\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn face_says_jpeg2000_over_jpeg() {
    let rw = realworld();
    let png = std::env::temp_dir().join(format!("lds-face-{}.png", std::process::id()));
    let (code, out, err) = run(&[
        "lds",
        "face",
        rw.join("lds/gmrtd-samples/DG2_19794-5_JPEG.bin")
            .to_str()
            .unwrap(),
        "--out",
        png.to_str().unwrap(),
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.ends_with("(148x70, from JPEG)\nwarning: the record says Jpeg2000 but the image bytes are JPEG; decoded as JPEG\n"), "{out}");
    std::fs::remove_file(&png).unwrap();
}

#[test]
fn errors() {
    let (code, out, err) = run(&["lds", "show", "/nonexistent/x"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (2, "", "error: /nonexistent/x does not exist\n")
    );
    let empty = std::env::temp_dir().join(format!("lds-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _, err) = run(&["lds", "show", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: {} holds no LDS files (CardAccess.bin, CardSecurity.bin, COM.bin, SOD.bin, DG1.bin ... DG16.bin)\n",
            empty.display()
        )
    );
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn show_dg14_security_infos() {
    use epassport::lds::der::Oid;
    use epassport::lds::security_infos::{SecurityInfo, SecurityInfos};
    let rw = realworld();
    let f = rw.join("lds/bsi2008/DG14.bin");
    let (code, out, err) = run(&["lds", "show", f.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let items: Vec<&str> = out.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(
        items,
        [
            "  - ChipAuthenticationPublicKeyInfo ECDH key (explicit EC parameters, 224-bit prime field), 57 bytes",
            "  - ChipAuthenticationInfo CA-ECDH with 3DES v1",
            "  - TerminalAuthenticationInfo v1",
        ],
        "{out}"
    );
    assert!(
        out.starts_with("DG14.bin (334 bytes): DG14 (security infos)\n"),
        "{out}"
    );
    // An unknown SecurityInfo is kept and reported; JSON carries its DER.
    let mut s = SecurityInfos::parse_dg14(&std::fs::read(&f).unwrap()).unwrap();
    let der = vec![0x30, 0x08, 0x06, 0x03, 0x2A, 0x03, 0x04, 0x02, 0x01, 0x01];
    s.infos.push(SecurityInfo::Unknown {
        protocol: Oid(vec![0x2A, 0x03, 0x04]),
        der,
    });
    let dir = std::env::temp_dir().join(format!("lds-dg14-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("DG14.bin");
    std::fs::write(&p, s.to_dg14()).unwrap();
    let (code, out, err) = run(&["lds", "show", p.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.contains("  unknown: 1\n")
            && out.contains("  - unknown SecurityInfo 1.2.3.4 (10 bytes, kept)\n"),
        "{out}"
    );
    let (code, out, _) = run(&["lds", "show", "--json", dir.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let file = &v["files"][0];
    assert_eq!(file["kind"], "DG14 (security infos)");
    assert_eq!(file["fields"]["chip_authentication_public_keys"], 1);
    assert_eq!(file["items"][3]["type"], "unknown");
    assert_eq!(file["items"][3]["der"], "300806032a0304020101");
    assert_eq!(file["items"][1]["type"], "ChipAuthenticationInfo");
    assert_eq!(file["items"][1]["version"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn show_card_security_by_name() {
    let rw = realworld();
    let dir = std::env::temp_dir().join(format!("lds-cs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("CardSecurity.bin");
    std::fs::copy(rw.join("sod/DE_EF_CardSecurity.bin"), &p).unwrap();
    let (code, out, err) = run(&["lds", "show", p.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.starts_with("CardSecurity.bin (1862 bytes): EF.CardSecurity (security infos; signature not verified here, see `epassport verify`)\n"),
        "{out}"
    );
    assert!(out.contains("  - PACEInfo id-PACE-"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn show_39794_quality_landmarks_and_pad() {
    let f = realworld().join("biometrics/dg2_silver_all_fields.bin");
    let (code, out, err) = run(&["lds", "show", "--json", f.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rep = &v["files"][0]["fields"]["records"][0]["representations"][0];
    assert_eq!(
        rep["quality"],
        serde_json::json!([{"algorithm": {"organization": 1, "id": 1}, "score": {"score": 99}}])
    );
    assert_eq!(
        rep["landmarks"],
        serde_json::json!([{"kind": "MPEG-4", "code": 10, "coordinates": {"system": "2D", "x": 90, "y": 22}}])
    );
    assert_eq!(rep["pad"]["decision"], 0);
    assert_eq!(rep["pad"]["risk_level"], 5);
    assert_eq!(rep["pad"]["challenges"][0], "4368616c6c656e676531");
    assert_eq!(rep["capture_date_time"], "2024-01-20T13:23:09.908");
    assert_eq!(rep["other_elements"].as_array().unwrap().len(), 3);
}
