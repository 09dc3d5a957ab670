//! The sequence's own parts: MRZ scan, identity from DG1, DG1 against the scanned MRZ.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may unwrap and panic

use epassport_enrol::flow::{MrzInput, ScanError, compare_dg1, from_dg1, scan};
use epassport_enrol::steps::Status;
use time::macros::datetime;

const DEMO_MRZ: &str =
    "P<UTOHANSEN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<\nUT12345675UTO9008124F3404159ZE184226B<<<<<16";

fn chip_file(chip: &str, file: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/chips/{chip}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path} missing: {e}"))
}

fn text(s: &str) -> MrzInput {
    MrzInput::Text {
        text: s.into(),
        source: "file",
    }
}

#[test]
fn identity_comes_from_dg1() {
    let now = datetime!(2026-11-21 16:30 UTC);
    let (_, id, doc) = from_dg1(&chip_file("demo", "DG1.bin"), now).unwrap();
    assert_eq!(id.primary_identifier, "HANSEN");
    assert_eq!(id.secondary_identifier, "ANNA MARIA");
    assert_eq!(id.date_of_birth.unwrap().to_string(), "1990-08-12");
    assert_eq!(id.sex, "F");
    assert_eq!(id.nationality, "UTO");
    assert_eq!(id.sources, vec!["DG1"]);
    assert_eq!(doc.document_number, "UT1234567");
    assert_eq!(doc.date_of_expiry.to_string(), "2034-04-15");
    assert_eq!(doc.format, "TD3");
    assert_eq!(doc.document_code, "P");
    assert!(
        from_dg1(b"\x61\x03\x5f\x1f\x00", now)
            .unwrap_err()
            .starts_with("DG1")
    );
}

#[test]
fn dg1_against_the_scanned_mrz() {
    let now = datetime!(2026-11-21 16:30 UTC);
    let scanned = scan(&text(DEMO_MRZ), None, now).unwrap();
    let (demo, _, _) = from_dg1(&chip_file("demo", "DG1.bin"), now).unwrap();
    let step = compare_dg1(&scanned, &demo);
    assert_eq!(step.status, Status::Passed);
    assert_eq!(step.evidence.unwrap().compared.len(), 12);
    // The tampered chip's DG1 has other names.
    let (tampered, _, _) = from_dg1(&chip_file("tampered", "DG1.bin"), now).unwrap();
    let step = compare_dg1(&scanned, &tampered);
    assert_eq!(step.status, Status::Failed);
    assert_eq!(
        step.reason.as_deref(),
        Some("DG1 differs in secondary_identifier")
    );
    // Key only: the three key fields.
    let key = MrzInput::Key {
        document_number: "UT1234567".into(),
        date_of_birth: "900812".into(),
        date_of_expiry: "340415".into(),
    };
    let scanned = scan(&key, Some("123456"), now).unwrap();
    assert!(scanned.evidence.can_given);
    assert_eq!(compare_dg1(&scanned, &demo).status, Status::Passed);
    let other = MrzInput::Key {
        document_number: "UT1234568".into(),
        date_of_birth: "900812".into(),
        date_of_expiry: "340415".into(),
    };
    let scanned = scan(&other, None, now).unwrap();
    assert_eq!(compare_dg1(&scanned, &demo).status, Status::Failed);
    assert!(matches!(
        scan(
            &MrzInput::Key {
                document_number: "X".into(),
                date_of_birth: "901312".into(),
                date_of_expiry: "340415".into()
            },
            None,
            now
        ),
        Err(ScanError::Date {
            field: "date_of_birth",
            ..
        })
    ));
    assert!(matches!(
        scan(&text("P<UTO"), None, now),
        Err(ScanError::Mrz(_))
    ));
}

fn dgs(chip: &str, numbers: &[u8]) -> std::collections::BTreeMap<u8, Vec<u8>> {
    numbers
        .iter()
        .map(|n| (*n, chip_file(chip, &format!("DG{n}.bin"))))
        .collect()
}

fn trust() -> epassport_pki::TrustStore {
    let csca = std::path::PathBuf::from(format!(
        "{}/../../fixtures/pki/certs/csca-p256.cer",
        env!("CARGO_MANIFEST_DIR")
    ));
    epassport_enrol::flow::load_trust(&[csca]).unwrap()
}

#[test]
fn passive_authentication_evidence() {
    use epassport_enrol::flow::pa_step;
    use epassport_enrol::steps::HashResult;
    let opts = epassport_pki::Options {
        time: datetime!(2026-11-21 16:30 UTC).unix_timestamp(),
        ..epassport_pki::Options::default()
    };
    let all = [1, 2, 11, 12, 14, 15];
    let report = epassport_pki::verify_sod(
        &chip_file("demo", "SOD.bin"),
        &dgs("demo", &all),
        &trust(),
        &opts,
    );
    let step = pa_step(&report);
    assert_eq!(step.status, Status::Passed, "{:?}", step.reason);
    let e = step.evidence.unwrap();
    assert_eq!(e.sod_sha256.len(), 64);
    assert_eq!(
        e.digest_algorithm,
        report.lds_hash_algorithm.clone().unwrap()
    );
    assert!(e.ds_certificate.unwrap().subject.contains("UT"));
    assert!(e.csca_certificate.is_some());
    assert_eq!(e.crl, "not_checked");
    assert!(e.data_groups.iter().all(|d| d.result == HashResult::Match));
    assert_eq!(e.data_groups.len(), all.len());

    // The tampered chip: DG1 no longer matches; the reason names the step.
    let report = epassport_pki::verify_sod(
        &chip_file("tampered", "SOD.bin"),
        &dgs("tampered", &all),
        &trust(),
        &opts,
    );
    let step = pa_step(&report);
    assert_eq!(step.status, Status::Failed);
    assert!(
        step.reason
            .as_deref()
            .unwrap()
            .starts_with("dg_hash: FAILED"),
        "{:?}",
        step.reason
    );
    let e = step.evidence.unwrap();
    assert_eq!(
        e.data_groups.iter().find(|d| d.dg == 1).unwrap().result,
        HashResult::Mismatch
    );

    // No trust anchor for the signer: never authentic.
    let rogue = std::path::PathBuf::from(format!(
        "{}/../../fixtures/pki/certs/csca-rogue.cer",
        env!("CARGO_MANIFEST_DIR")
    ));
    let store = epassport_enrol::flow::load_trust(&[rogue]).unwrap();
    let report = epassport_pki::verify_sod(
        &chip_file("demo", "SOD.bin"),
        &dgs("demo", &all),
        &store,
        &opts,
    );
    assert_eq!(pa_step(&report).status, Status::Failed);
    assert!(
        epassport_enrol::flow::load_trust(&[])
            .unwrap_err()
            .starts_with("no CSCA certificate")
    );
}

#[test]
fn portrait_is_the_image_not_dg2() {
    let p = epassport_enrol::flow::portrait_from_dg2(&chip_file("demo", "DG2.bin")).unwrap();
    assert!(
        ["image/jpeg", "image/jp2", "image/j2k", "image/png"].contains(&p.media_type.as_str()),
        "{}",
        p.media_type
    );
    assert_eq!(p.sha256.len(), 64);
    assert!(epassport_enrol::flow::portrait_from_dg2(b"\x75\x00").is_none());
}
