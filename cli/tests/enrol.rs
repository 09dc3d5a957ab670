//! `epassport enrol` and `epassport record`: messages, exit codes and the record's shape, pinned.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers unwrap and panic too

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-11-21T16:30:00Z";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn enrol(args: &[&str]) -> Output {
    let mut all = vec!["enrol", "--now", NOW];
    all.extend_from_slice(args);
    run(&all)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("epassport-enrol-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn schema_errors(v: &Value) -> Vec<String> {
    let text =
        std::fs::read_to_string(repo().join("schema/mitid-enrolment-1.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Runs `enrol --demo` with `extra` flags; expects a usage error and returns its stderr.
fn usage_error(extra: &[&str]) -> String {
    let mut args = vec!["--demo"];
    args.extend_from_slice(extra);
    let o = enrol(&args);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "");
    stderr(&o)
}

#[test]
fn user_id_rules_each_explained() {
    let cases: [(&str, &str); 8] = [
        (
            "abcd",
            "the user ID is 4 characters long; a MitID user ID needs at least 5",
        ),
        (
            &"a".repeat(49),
            "the user ID is 49 characters long; a MitID user ID may have at most 48",
        ),
        (
            "anna/b",
            "the user ID contains characters MitID does not allow: '/' (U+002F) at position 5 (allowed: letters a-z and æ ø å in either case, digits 0-9, space and {}!#$^,*()_+-=:;?.@)",
        ),
        (" anna", "the user ID starts with a space; remove it"),
        ("anna ", "the user ID ends with a space; remove it"),
        (
            "0101901234",
            "the user ID is a CPR number; MitID never accepts a CPR number as user ID",
        ),
        (
            "010190-1234",
            "the user ID is a CPR number; MitID never accepts a CPR number as user ID",
        ),
        (
            "9999999999",
            "the user ID is made of 10 digits; MitID refuses 10 digits (with or without a dash after the sixth) because they could be a CPR number",
        ),
    ];
    for (id, message) in cases {
        let id = id.to_owned();
        assert_eq!(
            usage_error(&["--user-id", &id]),
            format!("epassport enrol: --user-id: {message}\n"),
            "{id:?}"
        );
    }
    // Several rules at once, all explained; valid IDs in either case pass the check.
    assert_eq!(
        usage_error(&["--user-id", " a/"]),
        "epassport enrol: --user-id: the user ID is 3 characters long; a MitID user ID needs at least 5; and it contains characters MitID does not allow: '/' (U+002F) at position 3 (allowed: letters a-z and æ ø å in either case, digits 0-9, space and {}!#$^,*()_+-=:;?.@); and it starts with a space; remove it\n"
    );
}

#[test]
fn missing_flags_without_a_terminal() {
    let o = enrol(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let reader = if cfg!(feature = "pcsc") {
        ""
    } else {
        "--reader NAME, --sim FIXTURE or --replay TRACE, "
    };
    assert_eq!(
        stderr(&o),
        format!(
            "epassport enrol: missing --mrz FILE (or --mrz-image PHOTO, or --mrz-key), {reader}--trust PATH, --selfie IMAGE, --user-id ID, --authenticator app|code-display|audio-code-reader, --email ADDRESS or --phone NUMBER, --accept-terms; standard input is not a terminal, so nothing can be asked\n"
        )
    );
    // Only what is missing is named.
    let o = enrol(&[
        "--mrz-key",
        "UT1234567,900812,340415",
        "--sim",
        "x",
        "--user-id",
        "blue-falcon",
    ]);
    assert_eq!(
        stderr(&o),
        "epassport enrol: missing --trust PATH, --selfie IMAGE, --authenticator app|code-display|audio-code-reader, --email ADDRESS or --phone NUMBER, --accept-terms; standard input is not a terminal, so nothing can be asked\n"
    );
}

#[test]
fn every_invalid_flag_reported_before_the_chip() {
    let err = usage_error(&[
        "--authenticator",
        "sms",
        "--email",
        "anna@",
        "--phone",
        "123",
        "--can",
        "12ab",
        "--mrz-key",
        "UT1234567,901312,340415",
    ]);
    assert_eq!(
        err,
        "epassport enrol: --authenticator: unknown authenticator \"sms\"; choose app, code-display or audio-code-reader\n\
         epassport enrol: --email: the e-mail address \"anna@\" has nothing after the @\n\
         epassport enrol: --phone: the phone number \"123\" must be 8 digits (a Danish number) or start with + and the country code\n\
         epassport enrol: --can \"12ab\" must be the 6 digits printed on the card\n\
         epassport enrol: the MRZ is not valid: date_of_birth: \"901312\" is not a calendar date\n"
    );
    let err = usage_error(&["--mrz-key", "UT1234567"]);
    assert_eq!(
        err,
        "epassport enrol: --mrz-key \"UT1234567\" must be DOCNO,YYMMDD,YYMMDD (document number, birth date, expiry date)\n"
    );
}

#[test]
fn mrz_typo_names_the_field() {
    let d = scratch("typo");
    let mrz = d.join("mrz.txt");
    // The demo MRZ with the document number's check digit changed 5 -> 6.
    std::fs::write(
        &mrz,
        "P<UTOHANSEN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<\nUT12345676UTO9008124F3404159ZE184226B<<<<<16\n",
    )
    .unwrap();
    let err = usage_error(&["--mrz", mrz.to_str().unwrap()]);
    assert_eq!(
        err,
        "epassport enrol: the MRZ is not valid: document_number: check digit at line 2, column 10 is '6', expected '5'\n"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_paths_and_keys() {
    let err = usage_error(&[
        "--selfie",
        "/nonexistent/selfie.jpg",
        "--sign-key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(
        err,
        "epassport enrol: /nonexistent/selfie.jpg does not exist\n\
         epassport enrol: cannot read --sign-key /nonexistent/key.pem: No such file or directory (os error 2)\n"
    );
}

/// The demo record with its decision; checks it against the schema and the exit code.
fn demo(case: &str, extra: &[&str]) -> (Value, Output) {
    let mut args = vec!["--demo", case];
    args.extend_from_slice(extra);
    let o = enrol(&args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&o), stderr(&o)));
    assert_eq!(schema_errors(&v), Vec::<String>::new());
    let code = match v["decision"]["status"].as_str().unwrap() {
        "approved" => 0,
        "rejected" => 8,
        "manual_review" => 9,
        s => panic!("status {s}"),
    };
    assert_eq!(o.status.code(), Some(code));
    assert_eq!(stderr(&o), "", "nothing on stderr when piped");
    (v, o)
}

fn reason_codes(v: &Value) -> Vec<String> {
    v["decision"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn demo_record_shape() {
    let (v, _) = demo("holder", &[]);
    assert_eq!(v["schema"], "epassport.mitid-enrolment/1");
    assert_eq!(v["created_at"], NOW);
    assert_eq!(v["tool"]["name"], "epassport");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        v["verification"]["mrz"],
        json!({"status": "passed", "evidence": {"source": "demo", "format": "TD3", "check_digits_verified": true, "can_given": false}})
    );
    assert_eq!(
        v["mitid"],
        json!({
            "user_id": "blue-falcon-42",
            "user_id_availability": {"status": "not_checked"},
            "authenticator": "app",
            "contact": {"email": "anna.hansen@example.dk"},
            "terms_accepted": true
        })
    );
    assert_eq!(v["decision"]["policy"]["minimum_age"], 13);
    // Member order follows the schema's documentation order, not the alphabet.
    let (v2, o) = demo("holder", &[]);
    assert_eq!(v2["decision"], v["decision"]);
    assert!(
        stdout(&o)
            .starts_with("{\n  \"schema\": \"epassport.mitid-enrolment/1\",\n  \"created_at\"")
    );
    // Every step that did not pass says why.
    for (name, step) in v["verification"].as_object().unwrap() {
        if step["status"] != "passed" {
            assert!(
                step["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{name}"
            );
        }
    }
}

#[test]
fn demo_decisions() {
    // Every step is wired: the holder is approved, each demo rejection names its cause.
    let expected: [(&str, &str, &[&str]); 4] = [
        ("holder", "approved", &[]),
        ("clone", "rejected", &["clone_suspected", "clone_suspected"]),
        (
            "tampered",
            "rejected",
            &[
                "passive_authentication_failed",
                "chip_authentication_not_performed",
                "active_authentication_not_performed",
            ],
        ),
        ("impostor", "rejected", &["face_mismatch"]),
    ];
    if !cfg!(feature = "face") {
        // Without the face match the holder cannot be approved: the step is not performed.
        let (v, _) = demo("holder", &[]);
        assert_eq!(v["decision"]["status"], "rejected");
        assert_eq!(reason_codes(&v), ["face_not_performed"]);
        return;
    }
    for (case, status, codes) in expected {
        let (v, _) = demo(case, &[]);
        assert_eq!(
            v["decision"]["status"],
            status,
            "{case}: {:?}",
            reason_codes(&v)
        );
        assert_eq!(reason_codes(&v), codes, "{case}");
    }
    let (v, _) = demo("holder", &[]);
    let ver = &v["verification"];
    for step in [
        "mrz",
        "access_control",
        "read",
        "passive_authentication",
        "chip_authentication",
        "active_authentication",
        "dg1_matches_mrz",
        "face",
        "document_validity",
        "age",
    ] {
        assert_eq!(ver[step]["status"], "passed", "{step}: {}", ver[step]);
    }
    assert_eq!(ver["access_control"]["evidence"]["protocol"], "PACE");
    assert_eq!(ver["access_control"]["evidence"]["mapping"], "GM");
    assert!(ver["face"]["evidence"]["distance"].as_f64().unwrap() < 0.55);
    assert_eq!(
        ver["face"]["evidence"]["model_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let (v, _) = demo("clone", &[]);
    let reasons = v["decision"]["reasons"].as_array().unwrap();
    assert!(
        reasons[0]["message"]
            .as_str()
            .unwrap()
            .contains("did not prove possession of its Chip Authentication key"),
        "{reasons:?}"
    );
    let (v, _) = demo("impostor", &[]);
    assert!(
        v["verification"]["face"]["evidence"]["distance"]
            .as_f64()
            .unwrap()
            > 0.55
    );
}

#[test]
fn minimum_age_flag_reaches_the_policy() {
    let (v, _) = demo("holder", &["--minimum-age", "18"]);
    assert_eq!(v["decision"]["policy"]["minimum_age"], 18);
}

#[test]
fn out_writes_atomically_and_summarises() {
    let d = scratch("out");
    let path = d.join("record.json");
    let o = enrol(&["--demo", "--out", path.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(schema_errors(&v), Vec::<String>::new());
    let out = stdout(&o);
    let status = v["decision"]["status"].as_str().unwrap();
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        match status {
            "approved" => "enrolment approved",
            "rejected" => "enrolment rejected",
            _ => "enrolment referred to manual review",
        }
    );
    for r in v["decision"]["reasons"].as_array().unwrap() {
        let line = format!(
            "  - {}: {}",
            r["code"].as_str().unwrap(),
            r["message"].as_str().unwrap()
        );
        assert!(out.lines().any(|l| l == line), "{line} missing from\n{out}");
    }
    assert_eq!(
        out.lines().last().unwrap(),
        format!("record written to {}", path.display())
    );
    // Only the record is in the folder: no temporary file left behind.
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    // --json prints the record itself.
    let o = enrol(&["--demo", "--out", path.to_str().unwrap(), "--json"]);
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()).unwrap()
    );
    // An unwritable destination: exit 1, nothing written.
    let bad = d.join("missing/record.json");
    let o = enrol(&["--demo", "--out", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(&format!(
            "epassport enrol: could not write the record to {}: ",
            bad.display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(!bad.exists());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn signed_record_verifies_and_modified_fails() {
    let d = scratch("sign");
    for algorithm in ["ed25519", "p256"] {
        let key = d.join(format!("station-{algorithm}.pem"));
        let o = run(&[
            "record",
            "keygen",
            "--out",
            key.to_str().unwrap(),
            "--algorithm",
            algorithm,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let public = d.join(format!("station-{algorithm}.pem.pub"));
        assert!(stdout(&o).starts_with(&format!(
            "wrote {} (private) and {} (public); key id ",
            key.display(),
            public.display()
        )));
        // Never overwrites a key.
        let again = run(&["record", "keygen", "--out", key.to_str().unwrap()]);
        assert_eq!(again.status.code(), Some(2));
        assert_eq!(
            stderr(&again),
            format!(
                "epassport record: {} exists; not overwriting a key\n",
                key.display()
            )
        );

        let record = d.join(format!("record-{algorithm}.json"));
        enrol(&[
            "--demo",
            "--sign-key",
            key.to_str().unwrap(),
            "--out",
            record.to_str().unwrap(),
        ]);
        let v: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
        assert_eq!(schema_errors(&v), Vec::<String>::new());
        let alg = if algorithm == "ed25519" {
            "EdDSA"
        } else {
            "ES256"
        };
        assert_eq!(v["signature"]["alg"], alg);

        let o = run(&[
            "record",
            "verify",
            record.to_str().unwrap(),
            "--key",
            public.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        assert_eq!(
            stdout(&o),
            format!(
                "verified: signed with {alg} by key {}; decision {}\n",
                v["signature"]["kid"].as_str().unwrap(),
                v["decision"]["status"].as_str().unwrap()
            )
        );

        let mut modified = v.clone();
        modified["mitid"]["user_id"] = json!("someone-else");
        let tampered = d.join(format!("tampered-{algorithm}.json"));
        std::fs::write(&tampered, serde_json::to_vec_pretty(&modified).unwrap()).unwrap();
        let o = run(&[
            "record",
            "verify",
            tampered.to_str().unwrap(),
            "--key",
            public.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            stdout(&o),
            "not verified: the signature does not match the record: it was modified after signing\n"
        );
    }
    // Unsigned record; wrong key; not a key.
    let unsigned = d.join("unsigned.json");
    enrol(&["--demo", "--out", unsigned.to_str().unwrap()]);
    let ed_pub = d.join("station-ed25519.pem.pub");
    let o = run(&[
        "record",
        "verify",
        unsigned.to_str().unwrap(),
        "--key",
        ed_pub.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "not verified: the record is not signed (it has no \"signature\")\n"
    );
    let p256_signed = d.join("record-p256.json");
    let o = run(&[
        "record",
        "verify",
        p256_signed.to_str().unwrap(),
        "--key",
        ed_pub.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "not verified: the record is signed with ES256 but the key is EdDSA\n"
    );
    let o = run(&[
        "record",
        "verify",
        p256_signed.to_str().unwrap(),
        "--key",
        unsigned.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "epassport record: the key is not an Ed25519 or P-256 key in PEM (no PEM block found)\n"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// The card leaves the field in the middle of the read: the record is still written, rejected,
/// with the read named as the cause and "try again" advice; anti-cloning is not performed (a lost
/// link is no evidence of a clone).
#[test]
fn card_removed_mid_read() {
    let d = scratch("lost");
    let chip = d.join("chip");
    std::fs::create_dir_all(&chip).unwrap();
    for e in std::fs::read_dir(repo().join("fixtures/chips/demo")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), chip.join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(chip.join("keys")).unwrap();
    for e in std::fs::read_dir(repo().join("fixtures/chips/demo/keys")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), chip.join("keys").join(e.file_name())).unwrap();
    }
    let mut cfg: Value =
        serde_json::from_slice(&std::fs::read(chip.join("chip.json")).unwrap()).unwrap();
    cfg["behaviour"] = json!({ "remove_after_apdus": 20 });
    std::fs::write(chip.join("chip.json"), cfg.to_string()).unwrap();
    let (v, _) = demo("holder", &["--sim", chip.to_str().unwrap()]);
    assert_eq!(v["decision"]["status"], "rejected");
    let mut expected = vec![
        "chip_read_incomplete",
        "chip_authentication_not_performed",
        "active_authentication_not_performed",
    ];
    if !cfg!(feature = "face") {
        expected.push("face_not_performed");
    }
    assert_eq!(reason_codes(&v), expected);
    let msg = v["decision"]["reasons"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("the link to the chip was lost while reading")
            && msg.contains("hold the document still and try again"),
        "{msg}"
    );
    for m in ["chip_authentication", "active_authentication"] {
        assert_eq!(v["verification"][m]["status"], "not_performed");
        assert_eq!(
            v["verification"][m]["reason"],
            "the chip's files were not all read"
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// No PC/SC service: a clear error, exit 4, nothing written.
#[cfg(feature = "pcsc")]
#[test]
fn reader_absent() {
    let d = scratch("noreader");
    let out = d.join("record.json");
    let o = Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args([
            "enrol",
            "--demo",
            "--reader",
            "ACS ACR122U",
            "--wait",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "epassport enrol: reader unavailable: the PC/SC service (pcscd) is not running\n"
    );
    assert!(!out.exists(), "no record without a chip");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Each remaining rejection reason from the command line, on the demo chip: the decision, the
/// reason codes and the main message, pinned.
#[cfg(feature = "face")]
#[test]
fn rejections_from_the_command_line() {
    let d = scratch("rejections");
    let other_name = d.join("other-name.txt");
    // The demo MRZ with another given name: the same access key and check digits, another DG1.
    std::fs::write(
        &other_name,
        "P<UTOHANSEN<<ANNE<MARIA<<<<<<<<<<<<<<<<<<<<<\nUT12345675UTO9008124F3404159ZE184226B<<<<<16\n",
    )
    .unwrap();
    let rsa = repo().join("fixtures/pki/certs/csca-rsa.cer");
    let cases: Vec<(Vec<&str>, Vec<&str>, &str)> = vec![
        (
            vec!["--minimum-age", "40"],
            vec!["under_minimum_age"],
            "the holder is 36 years old; the minimum age is 40",
        ),
        (
            vec!["--mrz", other_name.to_str().unwrap()],
            vec!["dg1_mrz_mismatch"],
            "the chip's DG1 differs from the scanned MRZ: DG1 differs in secondary_identifier",
        ),
        (
            vec!["--trust", rsa.to_str().unwrap()],
            vec![
                "passive_authentication_failed",
                "chip_authentication_not_performed",
                "active_authentication_not_performed",
            ],
            "no CSCA in the trust store for issuer",
        ),
        (
            vec!["--mrz-key", "UT1234568,900812,340415"],
            vec![
                "access_control_failed",
                "chip_read_incomplete",
                "passive_authentication_not_performed",
                "chip_authentication_not_performed",
                "active_authentication_not_performed",
                "dg1_mrz_not_compared",
                "document_data_missing",
                "face_not_performed",
            ],
            "access control failed: PACE: the chip refused the MRZ (6300 (verification failed)) (check the document number, birth date and expiry date, or the CAN)",
        ),
    ];
    for (extra, codes, message) in cases {
        let (v, _) = demo("holder", &extra);
        assert_eq!(v["decision"]["status"], "rejected", "{extra:?}");
        assert_eq!(reason_codes(&v), codes, "{extra:?}");
        let first = v["decision"]["reasons"][0]["message"].as_str().unwrap();
        assert!(first.contains(message), "{extra:?}: {first}");
    }
    // Expired: the document's last valid day was 2034-04-15.
    let o = run(&["enrol", "--demo", "--now", "2034-04-16T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(8));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reason_codes(&v), ["document_expired"]);
    assert_eq!(
        v["decision"]["reasons"][0]["message"],
        "the document expired on 2034-04-15"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--record` then `--replay`: the terminal's nonces come back from the trace, so the replayed
/// enrolment sends the same commands and writes the same record.
#[cfg(feature = "face")]
#[test]
fn record_then_replay_gives_the_same_record() {
    let d = scratch("replay");
    let trace = d.join("trace.json");
    let (mut live, _) = demo("holder", &["--record", trace.to_str().unwrap()]);
    assert_eq!(live["decision"]["status"], "approved");
    let (mut replayed, _) = demo("holder", &["--replay", trace.to_str().unwrap()]);
    // Only the measured read time may differ.
    for v in [&mut live, &mut replayed] {
        v["verification"]["read"]["evidence"]["elapsed_ms"] = json!(0);
    }
    assert_eq!(replayed, live);
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--mrz-image`: the first step from a photo of the data page (a synthetic page with the demo
/// holder's MRZ, turned upside down and slightly skewed), then the whole enrolment.
#[cfg(feature = "face")]
#[test]
fn mrz_from_a_photo_of_the_data_page() {
    use epassport_mrz::Format;
    use epassport_mrz::scan::synth;
    let d = scratch("mrz-image");
    let lines: Vec<String> = [
        "P<UTOHANSEN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<",
        "UT12345675UTO9008124F3404159ZE184226B<<<<<16",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut rng = synth::Rng::new(11);
    let dist = synth::Distortion::clean(&mut rng, 183.0, 16.0);
    let photo = d.join("page.jpg");
    std::fs::write(&photo, synth::render(Format::Td3, &lines, &dist, 11).jpeg()).unwrap();
    let (v, _) = demo("holder", &["--mrz-image", photo.to_str().unwrap()]);
    assert_eq!(
        v["decision"]["status"],
        "approved",
        "{:?}",
        reason_codes(&v)
    );
    assert_eq!(
        v["verification"]["mrz"]["evidence"],
        json!({"source": "image", "format": "TD3", "check_digits_verified": true, "can_given": false})
    );
    // A photo without an MRZ: a usage error before the chip is touched.
    let blank = d.join("blank.png");
    std::fs::copy(repo().join("fixtures/faces/no-face-coffee.jpg"), &blank).unwrap();
    let err = usage_error(&["--mrz-image", blank.to_str().unwrap()]);
    assert!(
        err.starts_with(&format!(
            "epassport enrol: --mrz-image {}: no valid MRZ could be read: ",
            blank.display()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}
