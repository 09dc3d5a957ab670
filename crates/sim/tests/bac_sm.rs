//! The chip side of BAC and secure messaging against the terminal side in `epassport-chip`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::path::PathBuf;

use epassport_card::{Command, Status, StatusWord, Transport, exchange};
use epassport_chip::bac::{self, BacError, BacNonces};
use epassport_chip::sm::SecureTransport;
use epassport_chip::{ChipError, SmError};
use epassport_sim::SimChip;
use epassport_sim::fs::LDS1_AID;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

fn mrz_info(chip: &SimChip) -> Vec<u8> {
    let mrz = chip.config().mrz.as_ref().unwrap();
    let parsed = epassport_mrz::parse(mrz.expose()).unwrap();
    parsed.access_key().unwrap().information().to_vec()
}

fn select_app(t: &mut impl Transport) {
    let r = exchange(t, &Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID)).unwrap();
    assert_eq!(r.sw, StatusWord::OK);
}

fn nonces() -> BacNonces {
    BacNonces::new([7; 8], [9; 16])
}

#[test]
fn bac_then_protected_read_of_dg1() {
    let dir = fixture("demo");
    let mut chip = SimChip::from_fixture(&dir).unwrap();
    let info = mrz_info(&chip);
    select_app(&mut chip);
    let sm = bac::authenticate(&mut chip, bac::bac_keys(&info), nonces()).unwrap();
    assert!(chip.secure_messaging_active());
    let mut st = SecureTransport::new(&mut chip, sm);
    let r = exchange(
        &mut st,
        &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    let r = exchange(&mut st, &Command::new(0, 0xB0, 0, 0).with_le(200)).unwrap();
    let expected = std::fs::read(dir.join("DG1.bin")).unwrap();
    assert_eq!(r.data, expected);
    // An error status comes back protected (DO'99') and as an error, never data.
    let r = exchange(
        &mut st,
        &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x03]),
    )
    .unwrap();
    assert_eq!(r.sw.status(), Status::FileNotFound);
    assert!(r.data.is_empty());
    // Odd INS B1: DO'85' in both directions.
    let r = exchange(
        &mut st,
        &Command::new(0, 0xB1, 0x01, 0x01)
            .with_data([0x54, 0x01, 0x02])
            .with_le(20),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(r.data[0], 0x53);
}

#[test]
fn wrong_mrz_is_refused_precisely() {
    let mut chip = SimChip::from_fixture(&fixture("demo")).unwrap();
    select_app(&mut chip);
    let wrong = epassport_mrz::MrzKey::new("UT1234567", "900812", "340416").unwrap();
    let err =
        bac::authenticate(&mut chip, bac::bac_keys(wrong.information()), nonces()).unwrap_err();
    assert_eq!(
        err,
        ChipError::Bac(BacError::AccessDenied {
            sw: StatusWord(0x6300)
        })
    );
    assert!(!chip.secure_messaging_active());
    // SELECT, GET CHALLENGE and one MUTUAL AUTHENTICATE: no retries.
    assert_eq!(chip.stats().apdus, 3);
}

#[test]
fn corrupted_mac_ends_the_session() {
    let dir = fixture("demo");
    let mut chip = SimChip::builder()
        .mrz(
            SimChip::from_fixture(&dir)
                .unwrap()
                .config()
                .mrz
                .as_ref()
                .unwrap()
                .expose(),
        )
        .file(epassport_sim::fs::Ef::Dg(1), vec![0x61, 0x01, 0x00])
        .corrupt_mac_on_response(2)
        .seed(3)
        .build();
    let info = mrz_info(&chip);
    select_app(&mut chip);
    let sm = bac::authenticate(&mut chip, bac::bac_keys(&info), nonces()).unwrap();
    let mut st = SecureTransport::new(&mut chip, sm);
    exchange(
        &mut st,
        &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]),
    )
    .unwrap();
    let err = exchange(&mut st, &Command::new(0, 0xB0, 0, 0).with_le(3)).unwrap_err();
    assert!(
        err.to_string()
            .contains("MAC of the response does not verify"),
        "{err}"
    );
    assert!(matches!(st.session_error(), Some(SmError::BadMac { .. })));
}
