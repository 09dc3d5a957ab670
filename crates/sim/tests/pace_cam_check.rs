//! The PACE-CAM check after passive authentication (ICAO 9303-11 §4.4.3.5.2):
//! `epassport_chip::ca::check_pace_cam` takes the PACE session's CAM data, EF.CardSecurity as read
//! and what passive authentication (`epassport_pki::verify_card_security`, fixture trust store)
//! said about it. A genuine CAM chip passes; a chip whose private key is not the EF.CardSecurity
//! key (the clone fixture's) fails with the reason; an unverified EF.CardSecurity leaves the check
//! not performed; PACE without CAM has nothing to check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};

use epassport_chip::ca::{self, CamVerification, CardSecurityVerdict};
use epassport_chip::pace::terminal::{self, CamCheck, PaceOutcome};
use epassport_chip::pace::{Password, RandomEphemeral};
use epassport_lds::security_infos::SecurityInfos;
use epassport_pki::{Options, TrustStore, time, verify_card_security};
use epassport_sim::SimChip;
use epassport_sim::config::ChipBuilder;
use epassport_sim::fs::Ef;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

/// EF.CardAccess offering only `id-PACE-ECDH-CAM-AES-CBC-CMAC-128` on P-256 (ID 12), the curve of
/// the demo chip's Chip Authentication key in EF.CardSecurity.
const CAM_CARD_ACCESS: &str = "31143012060A04007F0007020204060202010202010C";

/// The fixture chip `dir` (demo or clone: same EF.CardSecurity, different private keys) turned
/// into a PACE-CAM chip: only its EF.CardAccess changes.
fn cam_chip(dir: &str) -> SimChip {
    cam_chip_with(dir, CAM_CARD_ACCESS)
}

fn cam_chip_with(dir: &str, card_access: &str) -> SimChip {
    let mut config = SimChip::from_fixture(&fixture(dir))
        .unwrap()
        .config()
        .clone();
    config
        .files
        .insert(Ef::CardAccess, hex::decode(card_access).unwrap());
    ChipBuilder::from_config(config).seed(7).build()
}

fn pace(chip: &mut SimChip) -> PaceOutcome {
    pace_with(chip, CAM_CARD_ACCESS)
}

fn pace_with(chip: &mut SimChip, card_access: &str) -> PaceOutcome {
    let infos = SecurityInfos::parse(&hex::decode(card_access).unwrap()).unwrap();
    let can = chip.config().can.as_ref().unwrap().expose().to_string();
    let mut rng = StdRng::seed_from_u64(1);
    let out = terminal::establish(
        chip,
        &infos,
        &Password::can(&can).unwrap(),
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap();
    assert_eq!(out.report.mapping, "CAM");
    // PACE alone cannot judge CAM: it needs the verified EF.CardSecurity.
    assert_eq!(out.report.cam, CamCheck::NotPerformed);
    out
}

fn trust() -> TrustStore {
    let mut s = TrustStore::new();
    s.load_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki/trust"),
        &[],
    )
    .unwrap();
    s
}

/// Passive authentication of EF.CardSecurity, as the read flow does it.
fn verdict(card_security: &[u8], store: &TrustStore) -> CardSecurityVerdict {
    let opts = Options {
        time: time::unix_time(2026, 6, 1, 0, 0, 0),
        ..Options::default()
    };
    let r = verify_card_security(card_security, store, &opts);
    if r.report.is_authentic() {
        CardSecurityVerdict::Verified
    } else {
        CardSecurityVerdict::NotVerified(format!("{:?}", r.report.verdict))
    }
}

fn card_security(dir: &str) -> Vec<u8> {
    std::fs::read(fixture(dir).join("CardSecurity.bin")).unwrap()
}

#[test]
fn genuine_cam_chip_passes_once_card_security_is_verified() {
    let mut chip = cam_chip("demo");
    let out = pace(&mut chip);
    let cs = card_security("demo");
    let v = verdict(&cs, &trust());
    assert_eq!(v, CardSecurityVerdict::Verified);
    let r = ca::check_pace_cam(out.cam.as_ref(), &cs, &v);
    assert_eq!(
        r,
        CamVerification::Passed {
            key_id: None,
            standard_id: Some(12)
        }
    );
    assert!(r.performed() && r.passed());
    assert_eq!(r.to_cam_check(), CamCheck::Passed);
}

#[test]
fn cam_chip_without_the_card_security_key_fails() {
    // The clone fixture carries the demo's EF.CardSecurity (authentic) but another private key.
    let mut chip = cam_chip("clone");
    let out = pace(&mut chip);
    let cs = card_security("clone");
    assert_eq!(cs, card_security("demo"));
    let v = verdict(&cs, &trust());
    assert_eq!(v, CardSecurityVerdict::Verified);
    let r = ca::check_pace_cam(out.cam.as_ref(), &cs, &v);
    assert_eq!(
        r,
        CamVerification::Failed(
            "Chip Authentication Mapping: PK_map,IC differs from CA_IC · PK_IC: the chip does not \
             hold the EF.CardSecurity key"
                .into()
        )
    );
    assert!(r.performed() && !r.passed());
    assert!(matches!(r.to_cam_check(), CamCheck::Failed(_)));
}

#[test]
fn unverified_card_security_leaves_the_check_not_performed() {
    let mut chip = cam_chip("demo");
    let out = pace(&mut chip);
    let cs = card_security("demo");
    // No trust anchor: passive authentication cannot verify EF.CardSecurity.
    let v = verdict(&cs, &TrustStore::new());
    assert!(matches!(v, CardSecurityVerdict::NotVerified(_)), "{v:?}");
    let r = ca::check_pace_cam(out.cam.as_ref(), &cs, &v);
    let CamVerification::NotPerformed(why) = &r else {
        panic!("{r:?}")
    };
    assert!(
        why.starts_with("EF.CardSecurity is not verified by passive authentication"),
        "{why}"
    );
    assert!(!r.performed());
    assert_eq!(r.to_cam_check(), CamCheck::NotPerformed);
}

/// A chip running PACE-CAM on P-521 while EF.CardSecurity names a P-256 key: no key on the PACE
/// curve, the check fails and says so.
#[test]
fn cam_on_another_curve_than_the_card_security_key_fails() {
    const P521_CAM: &str = "31143012060A04007F00070202040602020102020112";
    let mut chip = cam_chip_with("demo", P521_CAM);
    let out = pace_with(&mut chip, P521_CAM);
    let cs = card_security("demo");
    let r = ca::check_pace_cam(out.cam.as_ref(), &cs, &verdict(&cs, &trust()));
    assert_eq!(
        r,
        CamVerification::Failed(
            "Chip Authentication Mapping: the EF.CardSecurity public key is not a point of the \
             PACE curve"
                .into()
        )
    );
}

#[test]
fn unreadable_card_security_fails_and_no_cam_is_not_performed() {
    let mut chip = cam_chip("demo");
    let out = pace(&mut chip);
    // A SignedData shell without content (taken as verified): nothing names a key.
    let bare = epassport_tlv::encode(
        epassport_tlv::Tag(0x30),
        &[
            epassport_tlv::encode(
                epassport_tlv::Tag(0x06),
                &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02],
            ),
            epassport_tlv::encode(epassport_tlv::Tag(0xA0), &[]),
        ]
        .concat(),
    );
    let r = ca::check_pace_cam(out.cam.as_ref(), &bare, &CardSecurityVerdict::Verified);
    assert!(
        matches!(&r, CamVerification::Failed(why) if why.starts_with("the verified EF.CardSecurity's SecurityInfos do not parse")),
        "{r:?}"
    );
    assert_eq!(
        ca::check_pace_cam(None, &card_security("demo"), &CardSecurityVerdict::Verified),
        CamVerification::NotPerformed("PACE did not use Chip Authentication Mapping".into())
    );
}
