//! Chip Authentication and Active Authentication end to end: the terminal in `epassport-chip`
//! against the chip side in the software chip, for the genuine fixture, the clone fixture (same
//! data and SOD, other private keys), and every CA key agreement × cipher combination.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use epassport_card::{Command, StatusWord, Transport, exchange};
use epassport_chip::aa::{self, AaError, AaEvidence, AaPublicKey};
use epassport_chip::bac::{self, BacNonces};
use epassport_chip::ca::{self, CaError, CaParameters};
use epassport_chip::crypto::Group;
use epassport_chip::hash::HashAlg;
use epassport_chip::kdf::Cipher;
use epassport_chip::sm::SecureTransport;
use epassport_lds::security_infos::{
    self as si, CaProtocol, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
    DomainParameters, KeyAgreement, SecurityInfo, SecurityInfos, SubjectPublicKey,
};
use epassport_sim::SimChip;
use epassport_sim::fs::{Ef, LDS1_AID};
use epassport_tlv::{Tag, encode};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

/// Selects the LDS1 application and runs BAC; returns the protected transport.
fn bac_session(chip: &mut SimChip) -> SecureTransport<&mut SimChip> {
    let mrz = chip.config().mrz.as_ref().unwrap().expose().to_string();
    let info = epassport_mrz::parse(&mrz)
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec();
    let r = exchange(chip, &Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID)).unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    let sm =
        bac::authenticate(chip, bac::bac_keys(&info), BacNonces::new([7; 8], [9; 16])).unwrap();
    SecureTransport::new(chip, sm)
}

fn read_dg1(t: &mut impl Transport) -> Vec<u8> {
    let r = exchange(
        t,
        &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    exchange(t, &Command::new(0, 0xB0, 0, 0).with_le(256))
        .unwrap()
        .data
}

fn dg14(dir: &str) -> SecurityInfos {
    SecurityInfos::parse_dg14(&std::fs::read(fixture(dir).join("DG14.bin")).unwrap()).unwrap()
}

#[test]
fn genuine_chip_passes_chip_authentication() {
    let mut chip = SimChip::from_fixture(&fixture("demo")).unwrap();
    let params = CaParameters::from_security_infos(&dg14("demo")).unwrap();
    let mut st = bac_session(&mut chip);
    let mut rng = StdRng::seed_from_u64(1);
    let ev = ca::authenticate(&mut st, &params[0], &mut rng).unwrap();
    assert_eq!(ev.agreement, KeyAgreement::Ecdh);
    assert_eq!(ev.cipher, Cipher::Aes128);
    assert_eq!(
        ev.standard_id,
        Some(12),
        "the demo CA key is P-256 by curve OID"
    );
    assert_eq!(ev.protocol_oid, "0.4.0.127.0.7.2.2.3.2.2");
    // Everything after CA is protected by the new keys (AES, SSC from 0).
    assert_eq!(st.secure_messaging().cipher(), Cipher::Aes128);
    let dg1 = read_dg1(&mut st);
    assert_eq!(dg1, std::fs::read(fixture("demo").join("DG1.bin")).unwrap());
}

#[test]
fn clone_fails_chip_authentication_with_a_precise_reason() {
    let mut chip = SimChip::from_fixture(&fixture("clone")).unwrap();
    // The clone carries the genuine DG14, so the terminal expects the genuine key.
    let params = CaParameters::from_security_infos(&dg14("clone")).unwrap();
    let mut st = bac_session(&mut chip);
    let err = ca::authenticate(&mut st, &params[0], &mut StdRng::seed_from_u64(1)).unwrap_err();
    assert!(matches!(err, CaError::NotProved(_)), "{err:?}");
    // The session is over: nothing more can be read under either key.
    assert!(exchange(&mut st, &Command::new(0, 0xB0, 0x81, 0).with_le(4)).is_err());
}

#[test]
fn a_card_removed_during_chip_authentication_is_a_lost_link_not_a_failed_proof() {
    use epassport_card::CardError;
    use epassport_sim::ChipBuilder;
    use epassport_sim::config::ChipConfig;
    // Count the APDUs access control takes, then remove the card at the first CA command.
    let mut probe = SimChip::from_fixture(&fixture("demo")).unwrap();
    drop(bac_session(&mut probe));
    let before_ca = probe.stats().apdus;
    let config = ChipConfig::load(&fixture("demo")).unwrap();
    let mut chip = ChipBuilder::from_config(config)
        .remove_after_apdus(before_ca)
        .build();
    let params = CaParameters::from_security_infos(&dg14("demo")).unwrap();
    let mut st = bac_session(&mut chip);
    let err = ca::authenticate(&mut st, &params[0], &mut StdRng::seed_from_u64(1)).unwrap_err();
    assert!(
        matches!(err, CaError::Card(CardError::CommunicationLost(_))),
        "{err:?}"
    );
}

#[test]
fn chip_authentication_needs_access_control_first() {
    let mut chip = SimChip::from_fixture(&fixture("demo")).unwrap();
    let r = exchange(
        &mut chip,
        &Command::new(0, 0x22, 0x41, 0xA6).with_data(encode(Tag(0x91), &[4; 65])),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord(0x6982));
}

/// A chip with a CA key on `group` (standardised `id`) for `protocol`, built around the demo files.
fn chip_with_ca(id: u8, protocol: CaProtocol, with_info: bool) -> (SimChip, SecurityInfos) {
    chip_with_ca_key(id, protocol, with_info.then_some(1), false)
}

/// As [`chip_with_ca`], with the ChipAuthenticationInfo's `version` (none: no info), and as a
/// clone (DG14 names the genuine key, the chip holds another) when `clone`. Keys come from a
/// RNG seeded by the domain ID, so every run is the same.
fn chip_with_ca_key(
    id: u8,
    protocol: CaProtocol,
    version: Option<i64>,
    clone: bool,
) -> (SimChip, SecurityInfos) {
    let with_info = version.is_some();
    let group = Group::standard(id).unwrap();
    let mut rng = StdRng::seed_from_u64(u64::from(id));
    let genuine = group.generate_private_key(&mut rng);
    let pk = group.public_key(&genuine, &group.generator()).unwrap();
    let sk = if clone {
        group.generate_private_key(&mut rng)
    } else {
        genuine
    };
    let (pk_protocol, dh_oid) = match protocol.agreement {
        KeyAgreement::Dh => ("04007F000702020101", "2A8648CE3E0201"),
        KeyAgreement::Ecdh => ("04007F000702020102", "2A8648CE3D0201"),
    };
    let mut infos = vec![SecurityInfo::ChipAuthenticationPublicKey(
        ChipAuthenticationPublicKeyInfo {
            protocol: epassport_lds::Oid(hex::decode(pk_protocol).unwrap()),
            agreement: protocol.agreement,
            public_key: SubjectPublicKey {
                parameters: DomainParameters::Standardized(u32::from(id)),
                key: group.encode(&pk),
            },
            key_id: None,
        },
    )];
    if with_info {
        infos.push(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
            protocol: protocol.oid(),
            ca: protocol,
            version: version.unwrap_or(1),
            key_id: None,
        }));
    }
    let infos = SecurityInfos { infos };
    // PKCS#8 as fixtures store it: EC keys as ECPrivateKey, DH keys as an INTEGER.
    let value = sk.as_bytes().to_vec();
    let inner = match protocol.agreement {
        KeyAgreement::Ecdh => encode(
            Tag(0x30),
            &[encode(Tag(0x02), &[1]), encode(Tag(0x04), &value)].concat(),
        ),
        KeyAgreement::Dh => encode(Tag(0x02), &[&[0u8][..], &value].concat()),
    };
    let pk8 = encode(
        Tag(0x30),
        &[
            encode(Tag(0x02), &[0]),
            encode(Tag(0x30), &encode(Tag(0x06), &hex::decode(dh_oid).unwrap())),
            encode(Tag(0x04), &inner),
        ]
        .concat(),
    );
    let mut config = SimChip::from_fixture(&fixture("demo"))
        .unwrap()
        .config()
        .clone();
    config.files.insert(Ef::Dg(14), infos.to_dg14());
    config.ca_private_key = Some(zeroize::Zeroizing::new(pk8));
    (
        epassport_sim::config::ChipBuilder::from_config(config).build(),
        infos,
    )
}

/// Every domain Chip Authentication supports (RFC 5114 DH groups 0–2; NIST P-192..P-521 and
/// brainpool 192..512, IDs 8–18) × 3DES (CA version 1, MSE:Set KAT) and AES-128/192/256 (MSE:Set AT
/// and GENERAL AUTHENTICATE, as CA version 1 answering `7C 00` and as CA version 2 answering a
/// nonce and a token): the genuine chip passes, secure messaging restarts with the new keys and a
/// protected read of DG1 proves it; a clone (same DG14, another private key) fails with the
/// precise reason: it cannot answer under the new keys (version 1), or its token
/// does not (version 2).
#[test]
fn ca_matrix_every_domain_cipher_and_version() {
    let dh = [0u8, 1, 2].map(|id| (id, KeyAgreement::Dh));
    let ec = [8u8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map(|id| (id, KeyAgreement::Ecdh));
    let modes = [
        (si::Cipher::Tdes, 1),
        (si::Cipher::Aes128, 1),
        (si::Cipher::Aes128, 2),
        (si::Cipher::Aes192, 1),
        (si::Cipher::Aes192, 2),
        (si::Cipher::Aes256, 1),
        (si::Cipher::Aes256, 2),
    ];
    let dg1 = std::fs::read(fixture("demo").join("DG1.bin")).unwrap();
    let (mut passed, mut clones_caught) = (0, 0);
    for (id, agreement) in dh.into_iter().chain(ec) {
        for (cipher, version) in modes {
            let protocol = CaProtocol { agreement, cipher };
            let case = format!("domain {id} {cipher:?} CA v{version}");

            let (mut chip, infos) = chip_with_ca_key(id, protocol, Some(version), false);
            let params = CaParameters::from_security_infos(&infos).unwrap();
            assert_eq!(params.len(), 1, "{case}");
            assert_eq!(params[0].version, Some(version), "{case}");
            let mut st = bac_session(&mut chip);
            let ev = ca::authenticate(&mut st, &params[0], &mut StdRng::seed_from_u64(9))
                .unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(ev.standard_id, Some(id), "{case}");
            assert_eq!(ev.agreement, agreement, "{case}");
            assert_eq!(ev.cipher, epassport_chip::pace::sm_cipher(cipher), "{case}");
            assert_eq!(ev.protocol_oid, protocol.oid().to_string(), "{case}");
            // 3DES goes through MSE:Set KAT, which has no token: always version 1.
            let expect_version = if cipher == si::Cipher::Tdes {
                1
            } else {
                version
            };
            assert_eq!(ev.version, expect_version as u8, "{case}");
            // Secure messaging restarted: new cipher, SSC counted from zero (the proof read
            // took two steps of it), and the protected read of DG1 works.
            assert_eq!(st.secure_messaging().cipher(), ev.cipher, "{case}");
            let mut ssc = vec![0u8; ev.cipher.block_len()];
            *ssc.last_mut().unwrap() = 2;
            assert_eq!(st.secure_messaging().ssc(), &ssc[..], "{case}");
            assert_eq!(read_dg1(&mut st), dg1, "{case}");
            drop(st);
            assert!(chip.security().chip_authenticated, "{case}");
            passed += 1;

            let (mut clone, infos) = chip_with_ca_key(id, protocol, Some(version), true);
            let params = CaParameters::from_security_infos(&infos).unwrap();
            let mut st = bac_session(&mut clone);
            let err = ca::authenticate(&mut st, &params[0], &mut StdRng::seed_from_u64(9))
                .expect_err(&case);
            match (expect_version, &err) {
                (1, CaError::NotProved(why)) => {
                    assert!(why.contains("answered 6988"), "{case}: {why}");
                }
                (2, CaError::TokenMismatch { got, expected }) => {
                    assert_ne!(got, expected, "{case}");
                    assert_eq!(got.len(), 16, "{case}");
                }
                _ => panic!("{case}: unexpected {err:?}"),
            }
            // Nothing more is read from the clone.
            let after = exchange(&mut st, &Command::new(0, 0xB0, 0x81, 0).with_le(4));
            assert!(
                after.as_ref().map_or(true, |r| !r.sw.is_success()),
                "{case}: {after:?}"
            );
            clones_caught += 1;
        }
    }
    assert_eq!((passed, clones_caught), (98, 98));
}

#[test]
fn malformed_ca_v2_answers_are_named() {
    use epassport_chip::ca::parse_ga_response;
    assert_eq!(parse_ga_response(&[0x7C, 0x00]).unwrap(), None);
    let cases: [(&[u8], &str); 5] = [
        (
            &[0x7C, 0x0A, 0x82, 0x08, 1, 2, 3, 4, 5, 6, 7, 8],
            "no nonce",
        ),
        (&[0x7C, 0x04, 0x81, 0x02, 1, 2], "no authentication token"),
        (
            &[0x7C, 0x0C, 0x81, 0x02, 1, 2, 0x82, 0x06, 1, 2, 3, 4, 5, 6],
            "of 6 bytes, expected 8",
        ),
        (
            &[0x7C, 0x0C, 0x81, 0x00, 0x82, 0x08, 1, 2, 3, 4, 5, 6, 7, 8],
            "nonce r_PICC of 0 bytes",
        ),
        (&[0x7C, 0x05, 0x81, 0x02], "7C"),
    ];
    for (bytes, want) in cases {
        match parse_ga_response(bytes) {
            Err(CaError::MalformedResponse(why)) => {
                assert!(why.contains(want), "{}: {why}", hex::encode(bytes));
            }
            other => panic!("{}: {other:?}", hex::encode(bytes)),
        }
    }
}

#[test]
fn a_key_without_chip_authentication_info_is_ca_v1_with_3des() {
    let (mut chip, infos) = chip_with_ca(
        12,
        CaProtocol {
            agreement: KeyAgreement::Ecdh,
            cipher: si::Cipher::Tdes,
        },
        false,
    );
    let params = CaParameters::from_security_infos(&infos).unwrap();
    assert_eq!(params[0].cipher(), Cipher::Tdes);
    assert_eq!(params[0].version, None);
    let mut st = bac_session(&mut chip);
    ca::authenticate(&mut st, &params[0], &mut StdRng::seed_from_u64(3)).unwrap();
    assert_eq!(st.secure_messaging().ssc(), &[0, 0, 0, 0, 0, 0, 0, 2][..]);
}

#[test]
fn no_chip_authentication_key_is_named() {
    assert!(matches!(
        CaParameters::from_security_infos(&SecurityInfos::default()),
        Err(CaError::NoPublicKey)
    ));
}

fn dg15(dir: &str) -> AaPublicKey {
    AaPublicKey::from_dg15(&std::fs::read(fixture(dir).join("DG15.bin")).unwrap()).unwrap()
}

#[test]
fn genuine_chip_passes_active_authentication() {
    for dir in ["demo", "bac-only"] {
        let mut chip = SimChip::from_fixture(&fixture(dir)).unwrap();
        let key = dg15(dir);
        let mut st = bac_session(&mut chip);
        let ev = aa::authenticate(&mut st, &key, None, *b"\x01\x23\x45\x67\x89\xAB\xCD\xEF")
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert!(
            matches!(
                ev,
                AaEvidence::Rsa {
                    hash: HashAlg::Sha1,
                    implicit_trailer: true,
                    ..
                }
            ),
            "{dir}: {ev:?}"
        );
        // Secure messaging is intact afterwards.
        assert_eq!(
            read_dg1(&mut st),
            std::fs::read(fixture(dir).join("DG1.bin")).unwrap()
        );
    }
}

#[test]
fn clone_fails_active_authentication_with_a_precise_reason() {
    let mut chip = SimChip::from_fixture(&fixture("clone")).unwrap();
    let key = dg15("clone");
    let mut st = bac_session(&mut chip);
    let err = aa::authenticate(&mut st, &key, None, [5; 8]).unwrap_err();
    assert!(
        matches!(
            err,
            AaError::NotARepresentative | AaError::DigestMismatch | AaError::BadHeader(_)
        ),
        "{err:?}"
    );
}

#[test]
fn active_authentication_needs_access_control_and_8_bytes() {
    let mut chip = SimChip::from_fixture(&fixture("demo")).unwrap();
    let r = exchange(
        &mut chip,
        &Command::new(0, 0x88, 0, 0).with_data([0; 8]).with_le(256),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord(0x6982));
    let mut st = bac_session(&mut chip);
    let r = exchange(
        &mut st,
        &Command::new(0, 0x88, 0, 0).with_data([0; 7]).with_le(256),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord(0x6700));
}

/// RSA-2048 Active Authentication needs a 256-byte answer, over 300 bytes under secure messaging:
/// with extended length it comes in one response. Over a link without extended length the
/// command is not sent (the chip would refuse it outside secure messaging and the session would
/// be lost): that is named as "does not fit", an inconclusive error (not evidence of a clone), and
/// secure messaging is intact afterwards.
#[test]
fn rsa_2048_active_authentication_with_and_without_extended_length() {
    let key = dg15("demo");
    assert_eq!(key.max_signature_len(), 256);
    let chip = |extended: bool| {
        epassport_sim::config::ChipBuilder::from_config(
            SimChip::from_fixture(&fixture("demo"))
                .unwrap()
                .config()
                .clone(),
        )
        .extended_length(extended)
        .build()
    };
    let mut with = chip(true);
    let mut st = bac_session(&mut with);
    let ev = aa::authenticate(&mut st, &key, None, [3; 8]).unwrap();
    assert!(
        matches!(ev, AaEvidence::Rsa { key_bits: 2048, .. }),
        "{ev:?}"
    );

    let mut without = chip(false);
    let mut st = bac_session(&mut without);
    let err = aa::authenticate(&mut st, &key, None, [3; 8]).unwrap_err();
    assert_eq!(
        err,
        AaError::AnswerDoesNotFit {
            needed: 256,
            link_max: 231
        }
    );
    assert!(err.is_inconclusive());
    assert!(!AaError::DigestMismatch.is_inconclusive());
    // Secure messaging is intact: a short protected read of DG1's first bytes works.
    let r = exchange(&mut st, &Command::new(0, 0xB0, 0x81, 0).with_le(4)).unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(
        r.data,
        std::fs::read(fixture("demo").join("DG1.bin")).unwrap()[..4]
    );
}
