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
