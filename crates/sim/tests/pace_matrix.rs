//! Our terminal against the software chip: PACE for every mapping × every standardised domain
//! (0–2, 8–18) × every cipher the mapping is defined with, alternating MRZ and CAN, then DG1 read
//! under the new secure messaging. Plus the refusals: wrong CAN/MRZ, missing DO'84', CAM check.

#![allow(clippy::unwrap_used, clippy::panic)]

use epassport_card::{Command, Status, Transport, exchange};
use epassport_chip::crypto::{Group, PrivateKey, standard::STANDARD_IDS};
use epassport_chip::pace::chip::ChipPasswords;
use epassport_chip::pace::terminal::{self, CamCheck};
use epassport_chip::pace::{PaceError, Password, PasswordKind, RandomEphemeral};
use epassport_chip::sm::SecureTransport;
use epassport_lds::security_infos::{
    Cipher, KeyAgreement, Mapping, PaceInfo, PaceProtocol, SecurityInfo, SecurityInfos,
};
use epassport_sim::SimChip;
use epassport_sim::fs::{Ef, LDS1_AID};
use epassport_sim::pace::PaceHandler;
use rand::SeedableRng;
use zeroize::Zeroizing;

const MRZ: &str =
    "P<UTOHANSEN<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<\nUT12345675UTO9008124F3404159ZE184226B<<<<<16";
const CAN: &str = "123456";
const DG1: &[u8] = &[0x61, 0x05, 0x5F, 0x1F, 0x02, 0x41, 0x42];

fn mrz_info() -> Vec<u8> {
    let p = epassport_mrz::parse_with(MRZ, &epassport_mrz::ParseOptions::lenient()).unwrap();
    p.access_key().unwrap().information().to_vec()
}

fn card_access(infos: &[(PaceProtocol, u8)]) -> SecurityInfos {
    SecurityInfos {
        infos: infos
            .iter()
            .map(|(p, id)| {
                SecurityInfo::Pace(PaceInfo {
                    protocol: p.oid(),
                    pace: *p,
                    version: 2,
                    parameter_id: Some(*id as i64),
                })
            })
            .collect(),
    }
}

fn chip(infos: SecurityInfos, cam_key: Option<PrivateKey>, seed: u64) -> SimChip {
    let passwords = ChipPasswords {
        mrz_information: Some(Zeroizing::new(mrz_info())),
        can: Some(Zeroizing::new(CAN.to_string())),
        pin: None,
        puk: None,
    };
    SimChip::builder()
        .seed(seed)
        .bac(false)
        .file(Ef::CardAccess, infos.to_der())
        .file(Ef::Dg(1), DG1.to_vec())
        .handler(Box::new(PaceHandler::new(infos, passwords, cam_key)))
        .build()
}

fn read_card_access<T: Transport>(t: &mut T) -> SecurityInfos {
    let sel = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1C]);
    assert!(exchange(t, &sel).unwrap().sw.is_success());
    let r = exchange(t, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256)).unwrap();
    SecurityInfos::parse(&r.data).unwrap()
}

fn read_dg1<T: Transport>(t: &mut T) -> Vec<u8> {
    let app = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
    assert!(exchange(t, &app).unwrap().sw.is_success());
    let sel = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]);
    assert!(exchange(t, &sel).unwrap().sw.is_success());
    let r = exchange(t, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256)).unwrap();
    assert_eq!(r.sw.status(), Status::Success);
    r.data
}

fn ciphers(m: Mapping) -> &'static [Cipher] {
    match m {
        Mapping::ChipAuthentication => &[Cipher::Aes128, Cipher::Aes192, Cipher::Aes256],
        _ => &[Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256],
    }
}

#[test]
fn every_mapping_domain_and_cipher_with_mrz_and_can() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut runs = 0;
    let mut by_password = [0usize; 2];
    let started = std::time::Instant::now();
    for id in STANDARD_IDS {
        let group = Group::standard(id).unwrap();
        let agreement = if group.is_ec() {
            KeyAgreement::Ecdh
        } else {
            KeyAgreement::Dh
        };
        for mapping in [
            Mapping::Generic,
            Mapping::Integrated,
            Mapping::ChipAuthentication,
        ] {
            if mapping == Mapping::ChipAuthentication && !group.is_ec() {
                continue; // CAM is ECDH only
            }
            if mapping == Mapping::Integrated && id == 10 {
                continue; // P-224: p ≡ 1 (mod 4), no IM point encoding (tested below)
            }
            for (i, &cipher) in ciphers(mapping).iter().enumerate() {
                let protocol = PaceProtocol {
                    agreement,
                    mapping,
                    cipher,
                };
                let infos = card_access(&[(protocol, id)]);
                let cam_key = (mapping == Mapping::ChipAuthentication)
                    .then(|| group.generate_private_key(&mut rng));
                let mut card = chip(infos, cam_key.clone(), runs as u64);
                let offered = read_card_access(&mut card);
                let password = if (i + id as usize).is_multiple_of(2) {
                    by_password[0] += 1;
                    Password::mrz_information(&mrz_info())
                } else {
                    by_password[1] += 1;
                    Password::can(CAN).unwrap()
                };
                let out = terminal::establish(
                    &mut card,
                    &offered,
                    &password,
                    &mut RandomEphemeral(&mut rng),
                )
                .unwrap_or_else(|e| panic!("{} on domain {id}: {e}", protocol.name()));
                assert_eq!(out.report.domain_id, Some(id));
                assert_eq!(out.report.protocol, protocol.name());
                assert!(out.report.parameter_id_sent);
                if let Some(cam) = &out.cam {
                    let pk = group
                        .public_key(cam_key.as_ref().unwrap(), &group.generator())
                        .unwrap();
                    cam.verify(&group.encode(&pk)).unwrap();
                    assert_eq!(out.report.cam, CamCheck::NotPerformed);
                }
                let mut sm = SecureTransport::new(&mut card, out.sm);
                assert_eq!(read_dg1(&mut sm), DG1, "{} on domain {id}", protocol.name());
                runs += 1;
            }
        }
    }
    // 3 DH domains × 8 + 11 EC domains × 11 − P-224 IM × 4.
    assert_eq!(runs, 3 * 8 + 11 * 11 - 4);
    assert!(
        by_password[0] > 60 && by_password[1] > 60,
        "{by_password:?}"
    );
    eprintln!("{runs} PACE runs + DG1 reads in {:?}", started.elapsed());
}

#[test]
fn wrong_can_is_reported_at_the_token_step() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let p = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Generic,
        cipher: Cipher::Aes128,
    };
    let mut card = chip(card_access(&[(p, 13)]), None, 1);
    let offered = read_card_access(&mut card);
    let err = terminal::establish(
        &mut card,
        &offered,
        &Password::can("654321").unwrap(),
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PaceError::WrongPassword {
            kind: PasswordKind::Can,
            sw: epassport_card::StatusWord(0x6300),
            retries_left: None
        }
    );
    let wrong_mrz = Password::mrz_information(b"X00000000064081251010318");
    let err = terminal::establish(
        &mut card,
        &offered,
        &wrong_mrz,
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PaceError::WrongPassword {
                kind: PasswordKind::Mrz,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn strongest_of_several_paceinfos_is_chosen_and_do84_is_required() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let gm = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Generic,
        cipher: Cipher::Aes128,
    };
    let dh = PaceProtocol {
        agreement: KeyAgreement::Dh,
        mapping: Mapping::Generic,
        cipher: Cipher::Tdes,
    };
    let im = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Integrated,
        cipher: Cipher::Aes256,
    };
    let infos = card_access(&[(dh, 0), (gm, 13), (im, 16)]);
    let mut card = chip(infos.clone(), None, 3);
    let out = terminal::establish(
        &mut card,
        &infos,
        &Password::can(CAN).unwrap(),
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap();
    assert_eq!(out.report.protocol, im.name());
    assert_eq!(out.report.domain_id, Some(16));
    assert!(
        out.report.reason.contains("3 PACEInfos, 3 supported"),
        "{}",
        out.report.reason
    );

    // Without DO'84' such a chip refuses MSE:Set AT with 6A87.
    let mut card = chip(infos.clone(), None, 4);
    let params = epassport_chip::pace::PaceParameters::standard(gm, 13).unwrap();
    let err = terminal::run(
        &mut card,
        &params,
        &Password::can(CAN).unwrap(),
        None,
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PaceError::SetAtRefused {
            sw: epassport_card::StatusWord(0x6A87)
        }
    );
}

#[test]
fn p224_integrated_mapping_is_skipped_with_the_reason() {
    let im = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Integrated,
        cipher: Cipher::Aes128,
    };
    let infos = card_access(&[(im, 10)]);
    let (ok, skipped) = epassport_chip::pace::candidates(&infos);
    assert!(ok.is_empty());
    assert_eq!(skipped[0].1, "Integrated Mapping needs p ≡ 3 (mod 4)");
}

#[test]
fn cam_check_fails_against_another_key() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let group = Group::standard(12).unwrap();
    let cam = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::ChipAuthentication,
        cipher: Cipher::Aes128,
    };
    let key = group.generate_private_key(&mut rng);
    let mut card = chip(card_access(&[(cam, 12)]), Some(key), 9);
    let offered = read_card_access(&mut card);
    let out = terminal::establish(
        &mut card,
        &offered,
        &Password::can(CAN).unwrap(),
        &mut RandomEphemeral(&mut rng),
    )
    .unwrap();
    let other = group.generate_private_key(&mut rng);
    let pk = group.public_key(&other, &group.generator()).unwrap();
    assert!(matches!(
        out.cam.unwrap().verify(&group.encode(&pk)),
        Err(PaceError::CamFailed(_))
    ));
}

#[test]
fn demo_fixture_pace_with_mrz_and_can() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chips");
    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    for (name, use_can) in [("demo", false), ("demo", true), ("id-card", true)] {
        let mut card = SimChip::from_fixture(&dir.join(name)).unwrap();
        let cfg = card.config().clone();
        let offered = read_card_access(&mut card);
        let password = if use_can {
            Password::can(cfg.can.as_ref().unwrap().expose()).unwrap()
        } else {
            let p = epassport_mrz::parse_with(
                cfg.mrz.as_ref().unwrap().expose(),
                &epassport_mrz::ParseOptions::lenient(),
            )
            .unwrap();
            Password::mrz(&p.access_key().unwrap())
        };
        let out = terminal::establish(
            &mut card,
            &offered,
            &password,
            &mut RandomEphemeral(&mut rng),
        )
        .unwrap();
        let dg1 = cfg.files.get(&Ef::Dg(1)).unwrap().clone();
        let mut sm = SecureTransport::new(&mut card, out.sm);
        let app = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
        assert!(exchange(&mut sm, &app).unwrap().sw.is_success());
        let sel = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]);
        assert!(exchange(&mut sm, &sel).unwrap().sw.is_success());
        let r = exchange(
            &mut sm,
            &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(dg1.len().min(200)),
        )
        .unwrap();
        assert_eq!(r.data, dg1[..dg1.len().min(200)], "{name}");
    }
}

/// The chip's RNG and the terminal's are seeded differently: with the same seed both would draw
/// the same keys, and the chip rightly refuses a terminal key equal to its own (6A80).
#[test]
fn dh_integrated_mapping_many_seeds() {
    let p = PaceProtocol {
        agreement: KeyAgreement::Dh,
        mapping: Mapping::Integrated,
        cipher: Cipher::Aes128,
    };
    let mut failures = Vec::new();
    for seed in 0..10u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed + 1000);
        let infos = card_access(&[(p, 0)]);
        let mut card = chip(infos.clone(), None, seed);
        if let Err(e) = terminal::establish(
            &mut card,
            &infos,
            &Password::can(CAN).unwrap(),
            &mut RandomEphemeral(&mut rng),
        ) {
            failures.push((seed, e.to_string()));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

mod access {
    use super::*;
    use epassport_chip::pace::access::{AccessError, AccessMethod, Credentials, open};
    use epassport_chip::pace::terminal::AccessChoice;

    fn fixture(name: &str) -> SimChip {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chips");
        SimChip::from_fixture(&dir.join(name)).unwrap()
    }

    fn key(card: &SimChip) -> epassport_mrz::MrzKey {
        let cfg = card.config();
        let p = epassport_mrz::parse_with(
            cfg.mrz.as_ref().unwrap().expose(),
            &epassport_mrz::ParseOptions::lenient(),
        )
        .unwrap();
        p.access_key().unwrap()
    }

    #[test]
    fn auto_uses_pace_when_offered_and_bac_otherwise() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut card = fixture("demo");
        let k = key(&card);
        let s = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: None,
            },
            AccessChoice::Auto,
            &mut rng,
        )
        .unwrap();
        match &s.method {
            AccessMethod::Pace(r) => {
                assert_eq!(r.mapping, "GM");
                assert_eq!(r.domain_id, Some(13));
                assert_eq!(r.password, PasswordKind::Mrz);
            }
            other => panic!("{other:?}"),
        }
        assert!(s.card_access.is_some());

        let mut card = fixture("bac-only");
        let k = key(&card);
        let s = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: None,
            },
            AccessChoice::Auto,
            &mut rng,
        )
        .unwrap();
        assert_eq!(s.method, AccessMethod::Bac);
        assert_eq!(s.reason, "EF.CardAccess absent: BAC");

        let mut card = fixture("bac-only");
        let err = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: None,
            },
            AccessChoice::Pace,
            &mut rng,
        )
        .unwrap_err();
        assert_eq!(
            err,
            AccessError::PaceUnavailable("EF.CardAccess absent".into())
        );
    }

    #[test]
    fn can_is_preferred_and_a_wrong_can_is_not_retried_with_bac() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        let mut card = fixture("demo");
        let k = key(&card);
        let s = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: Some("123456"),
            },
            AccessChoice::Auto,
            &mut rng,
        )
        .unwrap();
        assert!(matches!(&s.method, AccessMethod::Pace(r) if r.password == PasswordKind::Can));
        let mut card = fixture("demo");
        let err = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: Some("000000"),
            },
            AccessChoice::Auto,
            &mut rng,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                AccessError::Pace(PaceError::WrongPassword {
                    kind: PasswordKind::Can,
                    ..
                })
            ),
            "{err}"
        );
        let mut card = fixture("demo");
        let s = open(
            &mut card,
            &Credentials {
                mrz: Some(&k),
                can: None,
            },
            AccessChoice::Bac,
            &mut rng,
        )
        .unwrap();
        assert_eq!(s.method, AccessMethod::Bac);
        assert_eq!(s.reason, "BAC requested");
    }
}
