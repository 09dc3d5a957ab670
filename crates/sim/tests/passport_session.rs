//! `epassport_chip::passport::ChipSession` end to end against the software chip: access control,
//! every file, Active and Chip Authentication, and the anti-cloning verdict for the genuine demo
//! chip, the clone (same data and EF.SOD, other private keys), a BAC-only chip with AA only, and a
//! CAN-only ID card.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use epassport_chip::anticlone::{Mechanism, Outcome, Verdict};
use epassport_chip::pace::access::{AccessMethod, Credentials};
use epassport_chip::pace::terminal::AccessChoice;
use epassport_chip::passport::{AntiCloneOptions, ChipSession, FailureKind};
use epassport_chip::read::{FileId, ReadOptions};
use epassport_chip::session::DocumentRead;
use epassport_mrz::MrzKey;
use epassport_sim::SimChip;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

fn mrz_key(chip: &SimChip) -> MrzKey {
    let mrz = chip.config().mrz.as_ref().unwrap().expose().to_string();
    epassport_mrz::parse(&mrz).unwrap().access_key().unwrap()
}

struct Run {
    doc: DocumentRead,
    report: epassport_chip::anticlone::AntiCloneReport,
    protocol: &'static str,
}

fn run(name: &str, choice: AccessChoice, can: Option<&str>, opts: AntiCloneOptions) -> Run {
    let mut chip = SimChip::from_fixture(&fixture(name)).unwrap();
    let key = mrz_key(&chip);
    let creds = Credentials {
        mrz: Some(&key),
        can,
    };
    let mut rng = StdRng::seed_from_u64(7);
    let mut session = ChipSession::open(&mut chip, &creds, choice, &mut rng).unwrap();
    let protocol = session.access().protocol();
    let mut doc = DocumentRead::default();
    session
        .read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
        .unwrap();
    let report = session.anti_cloning(&doc, &opts, &mut rng);
    Run {
        doc,
        report,
        protocol,
    }
}

fn files_equal_fixture(name: &str, doc: &DocumentRead) {
    for f in &doc.files {
        let expected = std::fs::read(fixture(name).join(format!("{}.bin", f.file.name()))).unwrap();
        assert_eq!(f.data, expected, "{} differs from the fixture", f.file);
    }
}

#[test]
fn genuine_chip_passes_aa_and_ca_and_is_genuine_once_bound() {
    let mut r = run(
        "demo",
        AccessChoice::Auto,
        None,
        AntiCloneOptions::default(),
    );
    assert_eq!(r.protocol, "PACE");
    files_equal_fixture("demo", &r.doc);
    assert!(r.doc.get(FileId::Dg(14)).is_some() && r.doc.get(FileId::Dg(15)).is_some());
    let ca = &r.report.chip_authentication;
    assert!(ca.advertised);
    assert_eq!(ca.key_source.as_deref(), Some("DG14"));
    assert!(
        matches!(&ca.outcome, Outcome::Passed { protocol, .. } if protocol.contains("0.4.0.127.0.7.2.2.3.2.2")),
        "{:?}",
        ca.outcome
    );
    let aa = &r.report.active_authentication;
    assert!(
        matches!(&aa.outcome, Outcome::Passed { protocol, .. } if protocol.starts_with("RSA-2048 ISO/IEC 9796-2 scheme 1 with SHA-")),
        "{:?}",
        aa.outcome
    );
    assert_eq!(r.report.pace_cam.outcome.status(), "not_supported");
    // Before passive authentication: passed, but unproven.
    assert_eq!(r.report.verdict().status(), "unproven");
    r.report.bind_passive_authentication(&|_| Some(true));
    assert_eq!(
        r.report.verdict(),
        Verdict::Genuine {
            by: vec![
                Mechanism::ChipAuthentication,
                Mechanism::ActiveAuthentication
            ]
        }
    );
}

#[test]
fn clone_fails_both_with_precise_reasons() {
    let mut r = run(
        "clone",
        AccessChoice::Auto,
        None,
        AntiCloneOptions::default(),
    );
    files_equal_fixture("clone", &r.doc);
    let ca = &r.report.chip_authentication;
    assert!(
        matches!(&ca.outcome, Outcome::Failed { reason } if reason.contains("did not prove possession")),
        "{:?}",
        ca.outcome
    );
    let aa = &r.report.active_authentication;
    assert!(
        matches!(&aa.outcome, Outcome::Failed { reason } if reason.contains("does not hold the DG15 key") || reason.contains("not an ISO/IEC 9796-2 representative")),
        "{:?}",
        aa.outcome
    );
    // Even with every hash verified, the clone is a clone.
    r.report.bind_passive_authentication(&|_| Some(true));
    let v = r.report.verdict();
    assert_eq!(v.status(), "clone_suspected");
    assert_eq!(v.reasons().len(), 2);
}

#[test]
fn skipping_an_advertised_mechanism_leaves_the_chip_unproven() {
    let mut r = run(
        "demo",
        AccessChoice::Auto,
        None,
        AntiCloneOptions {
            chip_authentication: true,
            active_authentication: false,
        },
    );
    assert_eq!(
        r.report.active_authentication.outcome,
        Outcome::NotPerformed {
            why: "skipped at the caller's request".into()
        }
    );
    r.report.bind_passive_authentication(&|_| Some(true));
    assert_eq!(r.report.verdict().status(), "unproven");
}

#[test]
fn bac_only_chip_with_aa_only() {
    let mut r = run(
        "bac-only",
        AccessChoice::Auto,
        None,
        AntiCloneOptions::default(),
    );
    assert_eq!(r.protocol, "BAC");
    files_equal_fixture("bac-only", &r.doc);
    assert_eq!(
        r.report.chip_authentication.outcome,
        Outcome::NotSupported {
            why: "EF.SOD lists no DG14".into()
        }
    );
    assert_eq!(r.report.active_authentication.outcome.status(), "passed");
    r.report.bind_passive_authentication(&|_| Some(true));
    assert_eq!(
        r.report.verdict(),
        Verdict::Genuine {
            by: vec![Mechanism::ActiveAuthentication]
        }
    );
}

#[test]
fn explicit_bac_selects_the_application_first() {
    let r = run("demo", AccessChoice::Bac, None, AntiCloneOptions::default());
    assert_eq!(r.protocol, "BAC");
    files_equal_fixture("demo", &r.doc);
    assert_eq!(r.report.chip_authentication.outcome.status(), "passed");
}

#[test]
fn id_card_with_can_runs_ca() {
    let mut chip = SimChip::from_fixture(&fixture("id-card")).unwrap();
    let can = chip.config().can.clone().unwrap();
    let creds = Credentials {
        mrz: None,
        can: Some(can.expose()),
    };
    let mut rng = StdRng::seed_from_u64(9);
    let mut session = ChipSession::open(&mut chip, &creds, AccessChoice::Auto, &mut rng).unwrap();
    assert!(matches!(session.access().method, AccessMethod::Pace(_)));
    let mut doc = DocumentRead::default();
    session
        .read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
        .unwrap();
    let report = session.anti_cloning(&doc, &AntiCloneOptions::default(), &mut rng);
    assert_eq!(report.chip_authentication.outcome.status(), "passed");
    assert_eq!(
        report.active_authentication.outcome,
        Outcome::NotSupported {
            why: "EF.SOD lists no DG15".into()
        }
    );
}

#[test]
fn wrong_mrz_is_access_denied() {
    let mut chip = SimChip::from_fixture(&fixture("demo")).unwrap();
    let key = MrzKey::new("UT1234568", "900812", "340415").unwrap();
    let creds = Credentials {
        mrz: Some(&key),
        can: None,
    };
    let mut rng = StdRng::seed_from_u64(1);
    let err = ChipSession::open(&mut chip, &creds, AccessChoice::Auto, &mut rng)
        .err()
        .unwrap();
    assert_eq!(err.kind(), FailureKind::AccessDenied, "{err}");
}

/// The demo (or clone) chip offering only PACE-CAM on P-256, the curve of its EF.CardSecurity key.
fn cam_chip(dir: &str) -> SimChip {
    let mut config = SimChip::from_fixture(&fixture(dir))
        .unwrap()
        .config()
        .clone();
    config.files.insert(
        epassport_sim::fs::Ef::CardAccess,
        hex::decode("31143012060A04007F0007020204060202010202010C").unwrap(),
    );
    epassport_sim::config::ChipBuilder::from_config(config)
        .seed(7)
        .build()
}

fn cam_report(dir: &str) -> epassport_chip::anticlone::AntiCloneReport {
    let mut chip = cam_chip(dir);
    let key = mrz_key(&chip);
    let creds = Credentials {
        mrz: Some(&key),
        can: None,
    };
    let mut rng = StdRng::seed_from_u64(3);
    let mut session = ChipSession::open(&mut chip, &creds, AccessChoice::Auto, &mut rng).unwrap();
    assert!(
        matches!(&session.access().method, AccessMethod::Pace(p) if p.mapping == "CAM"),
        "{:?}",
        session.access().method
    );
    assert!(
        session.access().card_security.is_some(),
        "EF.CardSecurity read after CAM"
    );
    let mut doc = DocumentRead::default();
    session
        .read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
        .unwrap();
    files_equal_fixture(dir, &doc);
    session.anti_cloning(&doc, &AntiCloneOptions::default(), &mut rng)
}

#[test]
fn pace_cam_chip_proves_its_card_security_key() {
    let mut r = cam_report("demo");
    assert!(r.pace_cam.advertised);
    assert_eq!(r.pace_cam.key_source.as_deref(), Some("CardSecurity"));
    assert_eq!(r.pace_cam.outcome.status(), "passed", "{:?}", r.pace_cam);
    // Until EF.CardSecurity verifies, the CAM key vouches for nothing.
    r.bind_passive_authentication(&|f| (f != "CardSecurity").then_some(true));
    assert_eq!(r.verdict().status(), "unproven");
    r.bind_passive_authentication(&|_| Some(true));
    assert_eq!(
        r.verdict(),
        Verdict::Genuine {
            by: vec![
                Mechanism::ChipAuthentication,
                Mechanism::ActiveAuthentication,
                Mechanism::PaceCam
            ]
        }
    );
}

#[test]
fn pace_cam_clone_fails_the_cam_check() {
    let r = cam_report("clone");
    assert!(
        matches!(&r.pace_cam.outcome, Outcome::Failed { .. }),
        "{:?}",
        r.pace_cam.outcome
    );
    assert_eq!(r.verdict().status(), "clone_suspected");
}

#[test]
fn a_card_removed_at_chip_authentication_leaves_it_not_performed_not_failed() {
    let open_and_read = |chip: &mut SimChip, opts: &AntiCloneOptions| {
        let key = mrz_key(chip);
        let creds = Credentials {
            mrz: Some(&key),
            can: None,
        };
        let mut rng = StdRng::seed_from_u64(7);
        let mut session = ChipSession::open(chip, &creds, AccessChoice::Auto, &mut rng).unwrap();
        let mut doc = DocumentRead::default();
        session
            .read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
            .unwrap();
        session.anti_cloning(&doc, opts, &mut rng)
    };
    // Everything before Chip Authentication, on an untouched chip: how many APDUs it takes.
    let mut probe = SimChip::from_fixture(&fixture("demo")).unwrap();
    let none = AntiCloneOptions {
        chip_authentication: false,
        active_authentication: false,
    };
    open_and_read(&mut probe, &none);
    let before_ca = probe.stats().apdus;
    // The card leaves the field at the first CA command.
    let config = epassport_sim::ChipConfig::load(&fixture("demo")).unwrap();
    let mut chip = epassport_sim::ChipBuilder::from_config(config)
        .remove_after_apdus(before_ca)
        .build();
    let ca_only = AntiCloneOptions {
        chip_authentication: true,
        active_authentication: false,
    };
    let report = open_and_read(&mut chip, &ca_only);
    match &report.chip_authentication.outcome {
        Outcome::NotPerformed { why } => assert!(why.starts_with("the link was lost"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_ne!(report.verdict().status(), "genuine");
}
