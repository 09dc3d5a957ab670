//! Secure messaging on a link without extended length: nothing but short APDUs may cross it, even
//! when the plaintext command asks for more than a short protected response holds (INTERNAL
//! AUTHENTICATE for RSA-2048: Le 256; Chip Authentication).
//! The chip answers `61xx` and the rest comes with GET RESPONSE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use epassport_card::{Capabilities, CardError, Command, StatusWord, Transport, exchange};
use epassport_chip::aa::{self, AaEvidence, AaPublicKey};
use epassport_chip::bac::{self, BacNonces};
use epassport_chip::ca::{self, CaParameters};
use epassport_chip::sm::SecureTransport;
use epassport_lds::security_infos::SecurityInfos;
use epassport_sim::fs::LDS1_AID;
use epassport_sim::{ChipBuilder, ChipConfig, SimChip};
use rand::SeedableRng;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

/// A short-APDU-only link (a reader without extended length) in front of the chip: it notes
/// every extended APDU the terminal tries to send.
struct ShortLink {
    chip: SimChip,
    extended_sent: Vec<Vec<u8>>,
    get_responses: usize,
}

impl Transport for ShortLink {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        if command.len() >= 7 && command[4] == 0 {
            self.extended_sent.push(command.to_vec());
        }
        if command.get(1) == Some(&0xC0) {
            self.get_responses += 1;
        }
        self.chip.transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}

fn short_link(name: &str) -> ShortLink {
    let config = ChipConfig::load(&fixture(name)).unwrap();
    ShortLink {
        chip: ChipBuilder::from_config(config)
            .extended_length(false)
            .seed(3)
            .build(),
        extended_sent: Vec::new(),
        get_responses: 0,
    }
}

fn bac_session(link: &mut ShortLink) -> SecureTransport<&mut ShortLink> {
    let mrz = link
        .chip
        .config()
        .mrz
        .as_ref()
        .unwrap()
        .expose()
        .to_string();
    let info = epassport_mrz::parse(&mrz)
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec();
    let r = exchange(link, &Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID)).unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    let sm =
        bac::authenticate(link, bac::bac_keys(&info), BacNonces::new([7; 8], [9; 16])).unwrap();
    SecureTransport::new(link, sm)
}

/// The INTERNAL AUTHENTICATE of RSA-2048 Active Authentication (Le 256): its protected answer
/// (over 300 bytes) cannot come in one short response, so secure messaging sends a short command
/// (Le 00) and fetches the rest with GET RESPONSE; the signature verifies. (`aa::authenticate`
/// itself declines such a signature on a short link, `AaError::AnswerDoesNotFit`: its policy, not
/// a limit of the transport.)
#[test]
fn rsa_2048_internal_authenticate_uses_short_apdus_and_get_response() {
    let key =
        AaPublicKey::from_dg15(&std::fs::read(fixture("demo").join("DG15.bin")).unwrap()).unwrap();
    let mut link = short_link("demo");
    let mut st = bac_session(&mut link);
    let challenge = [0x42; 8];
    let r = exchange(
        &mut st,
        &Command::new(0, 0x88, 0, 0)
            .with_data(challenge)
            .with_le(256),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(r.data.len(), 256);
    let ev = aa::verify(&key, None, &challenge, &r.data).unwrap();
    assert!(matches!(ev, AaEvidence::Rsa { .. }), "{ev:?}");
    // Secure messaging is intact afterwards.
    let r = exchange(
        &mut st,
        &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    assert!(st.session_error().is_none());
    drop(st);
    assert!(
        link.extended_sent.is_empty(),
        "extended APDUs on a short link: {:02X?}",
        link.extended_sent
    );
    // The 256-byte signature does not fit a short protected response: one GET RESPONSE.
    assert_eq!(link.get_responses, 1);
}

#[test]
fn chip_authentication_general_authenticate_uses_short_apdus() {
    // The demo chip's CA key (ECDH P-256, AES-128: MSE:Set AT + GENERAL AUTHENTICATE with Le 256).
    let dg14 = std::fs::read(fixture("demo").join("DG14.bin")).unwrap();
    let demo_params =
        CaParameters::from_security_infos(&SecurityInfos::parse_dg14(&dg14).unwrap()).unwrap();
    let mut link = short_link("demo");
    let mut st = bac_session(&mut link);
    ca::authenticate(
        &mut st,
        &demo_params[0],
        &mut rand::rngs::StdRng::seed_from_u64(1),
    )
    .unwrap();
    drop(st);
    assert!(
        link.extended_sent.is_empty(),
        "extended APDUs on a short link: {:02X?}",
        link.extended_sent
    );
}
