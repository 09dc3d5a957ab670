//! A complete, passing enrolment to vary in tests.
#![allow(dead_code, clippy::unwrap_used)] // shared by several test binaries; tests may unwrap

use epassport_enrol::choices::{Authenticator, Email, Phone};
use epassport_enrol::record::{Contact, RecordInput, Tool};
use epassport_enrol::steps::*;
use epassport_enrol::user_id::{Advice, Availability, check_user_id};
use epassport_enrol::{MitidChoices, PartialDate};
use time::macros::datetime;

pub fn steps() -> Steps {
    Steps {
        mrz: Step::passed(MrzEvidence {
            source: "file".into(),
            format: "TD3".into(),
            check_digits_verified: true,
            can_given: false,
        }),
        access_control: Step::passed(AccessEvidence {
            protocol: "PACE".into(),
            password: "MRZ".into(),
            oid: Some("0.4.0.127.0.7.2.2.4.2.2".into()),
            mapping: Some("GM".into()),
            domain_parameters: Some("brainpoolP256r1 (13)".into()),
            cipher: Some("AES-128".into()),
            note: None,
        }),
        read: Step::passed(ReadEvidence {
            files: vec![FileRead {
                file: "DG1".into(),
                bytes: 93,
                sha256: "0".repeat(64),
            }],
            skipped: vec![],
            apdus: 12,
            bytes_sent: 300,
            bytes_received: 4000,
            elapsed_ms: 80,
        }),
        passive_authentication: Step::passed(PassiveAuthEvidence {
            sod_sha256: "a".repeat(64),
            digest_algorithm: "SHA-256".into(),
            signature_algorithm: "ecdsa-with-SHA256".into(),
            ds_certificate: Some(CertificateId {
                subject: "CN=DS,C=UT".into(),
                sha256: "b".repeat(64),
            }),
            csca_certificate: Some(CertificateId {
                subject: "CN=CSCA,C=UT".into(),
                sha256: "c".repeat(64),
            }),
            data_groups: vec![DataGroupHash {
                dg: 1,
                result: HashResult::Match,
            }],
            crl: "not_checked".into(),
            warnings: vec![],
        }),
        chip_authentication: Step::passed(AntiCloningEvidence {
            advertised: true,
            advertised_by: Some("DG14".into()),
            protocol: Some("id-CA-ECDH-AES-CBC-CMAC-128".into()),
            detail: None,
        }),
        active_authentication: Step::passed(AntiCloningEvidence {
            advertised: true,
            advertised_by: Some("DG15".into()),
            protocol: Some("RSA-2048 ISO/IEC 9796-2".into()),
            detail: None,
        }),
        dg1_matches_mrz: Step::passed(MrzMatchEvidence {
            compared: vec!["mrz".into()],
            mismatched: vec![],
        }),
        face: Step::passed(FaceEvidence {
            model: "dlib-resnet".into(),
            model_sha256: "d".repeat(64),
            distance: 0.31,
            threshold: 0.6,
            score: Some(0.8),
            selfie_sha256: Some("e".repeat(64)),
            warnings: vec![],
        }),
    }
}

pub fn document() -> Document {
    Document {
        format: "TD3".into(),
        document_code: "P".into(),
        issuing_state: "UTO".into(),
        document_number: "L898902C3".into(),
        date_of_expiry: "2031-04-15".parse().unwrap(),
        optional_data: "ZE184226B".into(),
    }
}

pub fn identity(dob: &str) -> Identity {
    Identity {
        sources: vec!["DG1".into()],
        primary_identifier: "ERIKSSON".into(),
        secondary_identifier: "ANNA MARIA".into(),
        full_name: None,
        nationality: "UTO".into(),
        date_of_birth: Some(dob.parse::<PartialDate>().unwrap()),
        sex: "F".into(),
        personal_number: None,
        place_of_birth: None,
    }
}

pub fn mitid() -> MitidChoices {
    let (id, warnings) = check_user_id("blue-falcon", &Advice::default()).unwrap();
    MitidChoices {
        user_id: Some(id),
        user_id_warnings: warnings,
        user_id_availability: Availability::NotChecked,
        authenticator: Some(Authenticator::App),
        contact: Contact {
            email: Some(Email::parse("anna@example.dk").unwrap()),
            phone: Some(Phone::parse("12345678").unwrap()),
        },
        terms_accepted: true,
    }
}

pub fn input() -> RecordInput {
    RecordInput {
        steps: steps(),
        document: Some(document()),
        identity: Some(identity("1974-08-12")),
        mitid: mitid(),
        portrait: None,
        tool: Tool {
            name: "epassport".into(),
            version: "0.1.0".into(),
            features: vec![],
        },
        now: datetime!(2026-11-21 16:30:00 UTC),
    }
}
