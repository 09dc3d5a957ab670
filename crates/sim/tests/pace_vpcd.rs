//! PACE end to end through the real PC/SC stack (private `pcscd` + `vsmartcard-vpcd`, as in
//! `vpcd_e2e.rs`): a representative subset, every mapping with an EC and (where defined) a DH
//! domain — ECDH-GM brainpoolP256r1 AES-128 with the MRZ, DH-GM 1024/160 3DES with the MRZ,
//! ECDH-IM P-256 AES-128 with the CAN, DH-IM 2048/256 AES-192 with the CAN (GENERAL AUTHENTICATE
//! data over 255 bytes), ECDH-CAM P-384 AES-256 with the CAN (CAM is ECDH only) — each followed by
//! a DG1 read under the new secure messaging. Without pcscd, vpcd or root the test FAILS with the
//! reason.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use epassport_card::pcsc::PcscCard;
use epassport_card::{Command, Transport, exchange};
use epassport_chip::crypto::{Group, PrivateKey};
use epassport_chip::pace::chip::ChipPasswords;
use epassport_chip::pace::{PaceParameters, Password, RandomEphemeral, terminal};
use epassport_chip::sm::SecureTransport;
use epassport_lds::security_infos::{
    Cipher, KeyAgreement, Mapping, PaceInfo, PaceProtocol, SecurityInfo, SecurityInfos,
};
use epassport_sim::SimChip;
use epassport_sim::fs::{Ef, LDS1_AID};
use epassport_sim::harness::{READER_NAME, VirtualReader};
use epassport_sim::pace::PaceHandler;
use epassport_sim::vpcd::{ServeOptions, serve};
use rand::SeedableRng;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use zeroize::Zeroizing;

const MRZ_INFO: &[u8] = b"T22000129364081251010318";
const CAN: &str = "123456";
const DG1: &[u8] = &[0x61, 0x05, 0x5F, 0x1F, 0x02, 0x41, 0x42];

fn runs() -> Vec<(PaceProtocol, u8, bool)> {
    vec![
        (
            PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Generic,
                cipher: Cipher::Aes128,
            },
            13,
            false,
        ),
        (
            PaceProtocol {
                agreement: KeyAgreement::Dh,
                mapping: Mapping::Generic,
                cipher: Cipher::Tdes,
            },
            0,
            false,
        ),
        (
            PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Integrated,
                cipher: Cipher::Aes128,
            },
            12,
            true,
        ),
        (
            PaceProtocol {
                agreement: KeyAgreement::Dh,
                mapping: Mapping::Integrated,
                cipher: Cipher::Aes192,
            },
            2,
            true,
        ),
        (
            PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping: Mapping::ChipAuthentication,
                cipher: Cipher::Aes256,
            },
            15,
            true,
        ),
    ]
}

fn infos() -> SecurityInfos {
    SecurityInfos {
        infos: runs()
            .into_iter()
            .map(|(p, id, _)| {
                SecurityInfo::Pace(PaceInfo {
                    protocol: p.oid(),
                    pace: p,
                    version: 2,
                    parameter_id: Some(id as i64),
                })
            })
            .collect(),
    }
}

fn cam_key() -> PrivateKey {
    Group::standard(15)
        .unwrap()
        .private_key(&[0x42; 40])
        .unwrap()
}

fn chip() -> SimChip {
    let passwords = ChipPasswords {
        mrz_information: Some(Zeroizing::new(MRZ_INFO.to_vec())),
        can: Some(Zeroizing::new(CAN.into())),
        pin: None,
        puk: None,
    };
    SimChip::builder()
        .seed(5)
        .bac(false)
        .file(Ef::CardAccess, infos().to_der())
        .file(Ef::Dg(1), DG1.to_vec())
        .handler(Box::new(PaceHandler::new(
            infos(),
            passwords,
            Some(cam_key()),
        )))
        .build()
}

#[test]
fn pace_through_pcscd_and_vpcd() {
    let reader =
        VirtualReader::start().unwrap_or_else(|e| panic!("cannot run the PC/SC PACE test: {e}"));
    let stop = Arc::new(AtomicBool::new(false));
    let options = ServeOptions {
        address: reader.address(),
        connect_timeout: Duration::from_secs(5),
        reinsert_after: Some(Duration::from_millis(300)),
        stop: stop.clone(),
    };
    let server = std::thread::spawn(move || {
        let mut c = chip();
        serve(&mut c, &options)
    });
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "pace_pcsc_client_side",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PCSCLITE_CSOCK_NAME", reader.socket())
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let _ = server.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "client side failed:\n{stdout}\n{}\npcscd log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        reader.log()
    );
}

#[test]
#[ignore = "the client half of pace_through_pcscd_and_vpcd, run by it with PCSCLITE_CSOCK_NAME set"]
fn pace_pcsc_client_side() {
    assert!(
        std::env::var_os("PCSCLITE_CSOCK_NAME").is_some(),
        "run through pace_through_pcscd_and_vpcd"
    );
    let mut card = PcscCard::connect(Some(READER_NAME), Duration::from_secs(10)).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    for (i, (protocol, id, use_can)) in runs().into_iter().enumerate() {
        if i > 0 {
            card.reconnect().unwrap();
        }
        let params = PaceParameters::standard(protocol, id).unwrap();
        let password = if use_can {
            Password::can(CAN).unwrap()
        } else {
            Password::mrz_information(MRZ_INFO)
        };
        let out = terminal::run(
            &mut card,
            &params,
            &password,
            Some(id),
            &mut RandomEphemeral(&mut rng),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", protocol.name()));
        if let Some(cam) = &out.cam {
            let g = Group::standard(id).unwrap();
            let pk = g.public_key(&cam_key(), &g.generator()).unwrap();
            cam.verify(&g.encode(&pk)).unwrap();
        }
        let mut sm = SecureTransport::new(&mut card, out.sm);
        let app = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
        assert!(exchange(&mut sm, &app).unwrap().sw.is_success());
        let sel = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]);
        assert!(exchange(&mut sm, &sel).unwrap().sw.is_success());
        let r = exchange(&mut sm, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256)).unwrap();
        assert_eq!(r.data, DG1, "{}", protocol.name());
        println!("{}: PACE + DG1 through pcscd/vpcd ok", protocol.name());
        let _ = sm.capabilities();
    }
}
