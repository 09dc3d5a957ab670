//! A genuine chip without extended length (short APDUs only) and an RSA-2048 Active
//! Authentication key: its 256-byte signature cannot come back under secure messaging in a short
//! answer, so AA is "not performed" (named), never a clone suspicion; Chip Authentication still
//! passes and the chip is judged by it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use epassport_chip::anticlone::{Outcome, Verdict};
use epassport_chip::pace::access::Credentials;
use epassport_chip::pace::terminal::AccessChoice;
use epassport_chip::passport::{AntiCloneOptions, ChipSession};
use epassport_chip::read::ReadOptions;
use epassport_chip::session::DocumentRead;
use epassport_sim::SimChip;
use epassport_sim::config::ChipBuilder;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

#[test]
fn rsa_2048_aa_without_extended_length_is_not_performed_and_ca_decides() {
    let config = SimChip::from_fixture(&fixture("demo"))
        .unwrap()
        .config()
        .clone();
    let mut chip = ChipBuilder::from_config(config)
        .extended_length(false)
        .build();
    let mrz = chip.config().mrz.as_ref().unwrap().expose().to_string();
    let key = epassport_mrz::parse(&mrz).unwrap().access_key().unwrap();
    let creds = Credentials {
        mrz: Some(&key),
        can: None,
    };
    let mut rng = StdRng::seed_from_u64(7);
    let mut session = ChipSession::open(&mut chip, &creds, AccessChoice::Auto, &mut rng).unwrap();
    let mut doc = DocumentRead::default();
    session
        .read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
        .unwrap();
    let mut report = session.anti_cloning(&doc, &AntiCloneOptions::default(), &mut rng);

    let aa = &report.active_authentication;
    assert!(aa.advertised);
    let Outcome::NotPerformed { why } = &aa.outcome else {
        panic!("{:?}", aa.outcome)
    };
    assert!(
        why.starts_with("the 256-byte signature does not fit a short answer (223 bytes"),
        "{why}"
    );
    assert!(
        matches!(report.chip_authentication.outcome, Outcome::Passed { .. }),
        "{:?}",
        report.chip_authentication.outcome
    );
    // Once passive authentication vouches for DG14 and DG15, CA alone does not make the chip a
    // clone suspect; AA not performed leaves it short of "genuine by every mechanism".
    report.bind_passive_authentication(&|_| Some(true));
    let verdict = report.verdict();
    assert!(
        !matches!(verdict, Verdict::CloneSuspected { .. }),
        "{verdict:?}"
    );
}
