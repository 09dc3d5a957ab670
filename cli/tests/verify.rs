//! `epassport verify` and `epassport trust show`: output, JSON and exit codes against the fixture
//! PKI and software-chip fixtures (and the German master list in ../shared/realworld).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

fn root() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/..").to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

const DS: &str = "  DS    C=UT, O=Utopia Test PKI, OU=Document Signers, CN=DS UTO p256  sha256 2967dea9a67fcdb37b25e2fee3451358558ee85c76c84af2be3ca11ee565d45b\n";
const CSCA: &str = "  CSCA  C=UT, O=Utopia Test PKI, CN=CSCA UTO p256  sha256 76670714cf717cab63c76dd4229dc48dedcb37cf0beb0fbb586e7225f6d03a55\n";

#[test]
fn lone_sod_is_signature_valid_and_exits_0() {
    let o = run(&[
        "verify",
        "--sod",
        "fixtures/chips/demo/SOD.bin",
        "--trust",
        "fixtures/pki/trust",
        "--at",
        "2026-06-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
    let expected = format!(
        "EF.SOD: SIGNATURE VALID (data groups not checked)
  parse           passed (6 data-group hashes)
  content type    passed (2.23.136.1.1.1)
  message digest  passed (SHA-256)
  DS certificate  passed (embedded)
  signature       passed (ECDSA SHA-256)
  chain           passed (DS ← C=UT, O=Utopia Test PKI, CN=CSCA UTO p256)
  key usage       passed
  DS validity     passed (valid at signing time 2025-06-01T00:00:00Z)
  CSCA validity   passed (valid at verification time 2026-06-01T00:00:00Z)
  CRL             not performed: no CRL for C=UT, O=Utopia Test PKI, CN=CSCA UTO p256
  data groups     not performed: no data group supplied
    DG1   not read
    DG2   not read
    DG11  not read
    DG12  not read
    DG14  not read
    DG15  not read
  signature algorithm  ECDSA SHA-256
  data-group hash      SHA-256
  signing time         2025-06-01T00:00:00Z
  verified at          2026-06-01T00:00:00Z
{DS}{CSCA}"
    );
    assert_eq!(text(&o.stdout), expected);
}

#[test]
fn demo_dump_is_authentic_with_crl_checked() {
    let o = run(&[
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/trust",
        "--crl",
        "fixtures/pki/crl/csca-p256.crl",
        "--at",
        "2026-06-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("EF.SOD: AUTHENTIC\n"), "{out}");
    assert!(out.contains("\n  CRL             passed (not revoked)\n"));
    assert!(out.contains("\n  data groups     passed (6 match, 0 not read)\n"));
    assert!(out.contains("\nEF.CardSecurity: AUTHENTIC\n"));
}

#[test]
fn tampered_dump_fails_at_the_data_group_hash_with_exit_5() {
    let o = run(&[
        "verify",
        "fixtures/chips/tampered",
        "--trust",
        "fixtures/pki/trust",
        "--at",
        "2026-06-01",
    ]);
    assert_eq!(o.status.code(), Some(5));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("EF.SOD: NOT AUTHENTIC (failed at dg_hash)\n"),
        "{out}"
    );
    assert!(out.contains("\n  data groups     FAILED: DG1 hash mismatch\n    DG1   mismatch\n"));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn each_tamper_case_names_its_step() {
    for (case, extra, line) in [
        (
            "flipped-signature",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at sod_signature)",
        ),
        (
            "unrelated-ca",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at chain)",
        ),
        (
            "expired-ds",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at ds_validity)",
        ),
        (
            "revoked-ds",
            Some("fixtures/pki/crl/csca-p256.crl"),
            "EF.SOD: NOT AUTHENTIC (failed at crl)",
        ),
        (
            "bad-message-digest",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at message_digest)",
        ),
        (
            "wrong-content-type",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at content_type)",
        ),
        (
            "p256-nocert",
            None,
            "EF.SOD: NOT AUTHENTIC (failed at ds_certificate)",
        ),
    ] {
        let dir = format!("fixtures/pki/cases/{case}");
        let mut args = vec![
            "verify",
            &dir,
            "--trust",
            "fixtures/pki/trust",
            "--at",
            "2026-06-01",
        ];
        if let Some(c) = extra {
            args.extend(["--crl", c]);
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(5), "{case}");
        assert_eq!(text(&o.stdout).lines().next(), Some(line), "{case}");
    }
}

#[test]
fn no_anchor_is_not_authentic() {
    let o = run(&[
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/certs/csca-rogue.cer",
    ]);
    assert_eq!(o.status.code(), Some(5));
    assert!(text(&o.stdout).starts_with("EF.SOD: NOT AUTHENTIC (failed at chain)\n"));
}

#[test]
fn json_output() {
    let o = run(&[
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/trust",
        "--json",
        "--at",
        "2026-06-01",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["authentic"], true);
    assert_eq!(v["sod"]["verdict"], "authentic");
    assert_eq!(v["sod"]["failed_step"], serde_json::Value::Null);
    assert_eq!(v["sod"]["sod_signature"]["status"], "passed");
    assert_eq!(v["sod"]["crl"]["status"], "not_performed");
    assert_eq!(v["sod"]["data_groups"][0]["number"], 1);
    assert_eq!(v["sod"]["data_groups"][0]["status"], "match");
    assert_eq!(
        v["sod"]["csca"]["sha256"],
        "76670714cf717cab63c76dd4229dc48dedcb37cf0beb0fbb586e7225f6d03a55"
    );
    assert_eq!(v["card_security"]["verdict"], "authentic");
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["verify", "fixtures/chips/demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--trust <PATH>"));
    let o = run(&["verify", "--trust", "fixtures/pki/trust"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["verify", "fixtures/chips/demo", "--trust", "no/such/place"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "error: no/such/place: no such file or folder\n"
    );
    assert_eq!(text(&o.stdout), "");
    let o = run(&[
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/trust",
        "--at",
        "June",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stderr), "error: --at June: expected YYYY-MM-DD\n");
    let o = run(&["verify", "fixtures/pki", "--trust", "fixtures/pki/trust"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error: fixtures/pki/SOD.bin: "));
    let o = run(&[
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/masterlist/tampered.ml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr)
            .starts_with("error: fixtures/pki/masterlist/tampered.ml: master list not trusted: ")
    );
}

#[test]
fn trust_show_master_list() {
    let o = run(&[
        "trust",
        "show",
        "fixtures/pki/masterlist/fixtures.ml",
        "--ml-root",
        "fixtures/pki/certs/csca-p256.cer",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let head: Vec<&str> = out.lines().take(7).collect();
    assert_eq!(
        head,
        [
            "master list fixtures/pki/masterlist/fixtures.ml",
            "  signer        C=UT, O=Utopia Test PKI, CN=Master List Signer UTO  sha256 e500a33064bc36b7374aa16fa749372eb6ed4eeaf578255699468bb45c75f0ed",
            "  signature     passed (ECDSA SHA-256)",
            "  signer chain  passed (signer issued by C=UT, O=Utopia Test PKI, CN=CSCA UTO p256, a given root)",
            "  trusted: signer chains to the given root C=UT, O=Utopia Test PKI, CN=CSCA UTO p256",
            "11 CSCA certificates from 1 countries",
            "UT",
        ]
    );
    assert!(out.contains(
        "  C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa2  2024-06-01 – 2039-01-01 (link)  RSA-2048\n"
    ));
    assert!(out.contains("  C=UT, O=Utopia Test PKI, CN=CSCA UTO bp256x  2024-01-01 – 2039-01-01  EC brainpoolP256r1 (explicit parameters)\n"));
}

#[test]
fn trust_show_tampered_master_list_exits_5() {
    let o = run(&["trust", "show", "fixtures/pki/masterlist/tampered.ml"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(text(&o.stdout).contains("\n  signature     FAILED: messageDigest "));
}

#[test]
fn trust_show_folder_json() {
    let o = run(&["trust", "show", "fixtures/pki/trust", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["master_list"], serde_json::Value::Null);
    assert_eq!(v["countries"]["UT"].as_array().unwrap().len(), 10);
}

#[test]
fn trust_show_german_master_list() {
    let ml = "../shared/realworld/pki/DE_ML_2026-05-28-08-28-45.ml";
    assert!(
        std::path::Path::new(&root()).join(ml).exists(),
        "../shared/realworld is absent beside the repository: this test needs the German master list"
    );
    let o = run(&[
        "trust",
        "show",
        ml,
        "--ml-root",
        "../shared/realworld/pki/DE_ROOT_CA_CSCA07.cer",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(
        out.contains("\n588 CSCA certificates from 112 countries\n"),
        "{out}"
    );
    assert!(out.contains("\n  signer chain  passed (signer issued by C=DE, O=bund, OU=bsi, CN=csca-germany, a given root)\n"));
}

#[test]
fn real_sod_verifies_against_the_german_master_list() {
    let o = run(&[
        "verify",
        "--sod",
        "../shared/realworld/sod/FR_EF_SOD.bin",
        "--trust",
        "../shared/realworld/pki/DE_ML_2026-05-28-08-28-45.ml",
        "--ml-root",
        "../shared/realworld/pki/DE_ROOT_CA_CSCA07.cer",
        "--json",
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("../shared/realworld must be present");
    assert_eq!(v["sod"]["sod_signature"]["status"], "passed");
    assert_eq!(v["sod"]["chain"]["status"], "passed");
}

#[test]
fn a_master_list_without_a_root_is_refused_unless_opted_in() {
    // verify: refused (exit 2, the reason on stderr).
    let args = [
        "verify",
        "fixtures/chips/demo",
        "--trust",
        "fixtures/pki/masterlist/fixtures.ml",
        "--at",
        "2026-06-01",
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "error: fixtures/pki/masterlist/fixtures.ml: master list not trusted: \
         fixtures/pki/masterlist/fixtures.ml: signature passed (ECDSA SHA-256); signer chain not \
         performed: no root given; self-consistency passed (signer issued by C=UT, O=Utopia Test \
         PKI, CN=CSCA UTO p256, a CSCA in the list itself (self-consistent only)); not trusted: \
         the signer does not chain to a given root\n"
    );
    // Opted in: the list is used, and the output says it was trusted without a verified chain.
    let mut opted = args.to_vec();
    opted.push("--trust-unverified-master-list");
    let o = run(&opted);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with(
            "master list fixtures/pki/masterlist/fixtures.ml: 11 certificates, signer chain not \
             performed: no root given; trusted WITHOUT a verified signer chain (opted in): passed"
        ),
        "{out}"
    );
    // trust show: exit 5 without a root, 0 when opted in; the report says which.
    let o = run(&["trust", "show", "fixtures/pki/masterlist/fixtures.ml"]);
    assert_eq!(o.status.code(), Some(5));
    let out = text(&o.stdout);
    let head: Vec<&str> = out.lines().take(6).collect();
    assert_eq!(
        head[2..],
        [
            "  signature     passed (ECDSA SHA-256)",
            "  signer chain  not performed: no root given",
            "  self-consistency  passed (signer issued by C=UT, O=Utopia Test PKI, CN=CSCA UTO p256, a CSCA in the list itself (self-consistent only))",
            "  not trusted: the signer does not chain to a given root",
        ]
    );
    let o = run(&[
        "trust",
        "show",
        "fixtures/pki/masterlist/fixtures.ml",
        "--trust-unverified-master-list",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["master_list"]["trusted"], true);
    assert!(
        v["master_list"]["trust"].as_str().unwrap().starts_with(
            "trusted WITHOUT a verified signer chain (--trust-unverified-master-list)"
        )
    );
}

/// `read` then `verify` of the genuine demo chip and its clone: read.json's Chip and Active
/// Authentication results are bound to passive authentication and judged by the anti-cloning
/// policy; the clone passes passive authentication (same data, same EF.SOD) but is not authentic.
#[test]
fn verify_reports_anti_cloning_from_read_json() {
    for (chip, verdict, code) in [("demo", "genuine", 0), ("clone", "clone_suspected", 5)] {
        let out =
            std::env::temp_dir().join(format!("epassport-verify-ac-{chip}-{}", std::process::id()));
        let o = run(&[
            "read",
            "--sim",
            &format!("fixtures/chips/{chip}"),
            "--mrz-key",
            "UT1234567,900812,340415",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let o = run(&[
            "verify",
            out.to_str().unwrap(),
            "--trust",
            "fixtures/pki/trust",
            "--at",
            "2026-06-01",
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(code), "{chip}: {}", text(&o.stdout));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["sod"]["verdict"], "authentic", "{chip}");
        let ac = &v["anti_cloning"];
        assert_eq!(ac["verdict"], verdict, "{chip}: {ac}");
        for m in ["chip_authentication", "active_authentication"] {
            assert_eq!(ac["mechanisms"][m]["key_verified"], true, "{chip} {m}");
            assert_eq!(
                ac["mechanisms"][m]["status"],
                if chip == "demo" { "passed" } else { "failed" }
            );
        }
        assert_eq!(ac["mechanisms"]["pace_cam"]["status"], "not_supported");
        if chip == "clone" {
            assert_eq!(ac["reasons"].as_array().unwrap().len(), 2);
        }
        let o = run(&[
            "verify",
            out.to_str().unwrap(),
            "--trust",
            "fixtures/pki/trust",
            "--at",
            "2026-06-01",
        ]);
        let t = text(&o.stdout);
        assert!(
            t.contains(&format!(
                "anti-cloning: {}\n",
                verdict.replace('_', " ").to_uppercase()
            )),
            "{t}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}
