//! PACE refusals and malformed chip data: each gives its precise error.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_card::StatusWord;
use epassport_chip::pace::{
    InjectedEphemeral, PaceError, PaceParameters, Password, PasswordKind, Step, terminal,
};
use epassport_lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use pace_common::{ScriptedCard, hex};

// Appendix G.1's exchange, so every step before the one under test succeeds.
const SET_AT: &str = "00 22 C1A4 0F 800A04007F00070202040202 830102";
const STEP1: (&str, &str) = (
    "10 86 0000 02 7C00 00",
    "7C12 8010 95A3A016522EE98D01E76CB6B98B42C3 9000",
);

fn params() -> PaceParameters {
    let p = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Generic,
        cipher: Cipher::Aes128,
    };
    PaceParameters::standard(p, 13).unwrap()
}

fn eph() -> InjectedEphemeral {
    InjectedEphemeral {
        nonce: None,
        mapping_key: Some(vec![7; 32]),
        agreement_key: Some(vec![9; 32]),
    }
}

fn run(script: Vec<(&str, &str)>) -> (Result<terminal::PaceOutcome, PaceError>, ScriptedCard) {
    let mut card = ScriptedCard::new(script.into_iter().map(|(c, r)| (hex(c), hex(r))).collect());
    let r = terminal::run(
        &mut card,
        &params(),
        &Password::can("123456").unwrap(),
        None,
        &mut eph(),
    );
    (r, card)
}

#[test]
fn blocked_and_refused_set_at() {
    let (r, _) = run(vec![(SET_AT, "6983")]);
    assert_eq!(
        r.unwrap_err(),
        PaceError::PasswordBlocked {
            kind: PasswordKind::Can,
            sw: StatusWord(0x6983)
        }
    );
    let (r, _) = run(vec![(SET_AT, "63C0")]);
    assert_eq!(
        r.unwrap_err(),
        PaceError::PasswordBlocked {
            kind: PasswordKind::Can,
            sw: StatusWord(0x63C0)
        }
    );
    let (r, _) = run(vec![(SET_AT, "6A80")]);
    assert_eq!(
        r.unwrap_err(),
        PaceError::SetAtRefused {
            sw: StatusWord(0x6A80)
        }
    );
}

#[test]
fn malformed_nonce_objects() {
    let (r, _) = run(vec![(SET_AT, "9000"), (STEP1.0, "7C02 8100 9000")]);
    assert_eq!(
        r.unwrap_err(),
        PaceError::MalformedData {
            step: Step::EncryptedNonce,
            reason: "data object '80' missing inside '7C'".into()
        }
    );
    let (r, _) = run(vec![(SET_AT, "9000"), (STEP1.0, "7D00 9000")]);
    assert!(matches!(
        r.unwrap_err(),
        PaceError::MalformedData { step: Step::EncryptedNonce, reason } if reason.starts_with("dynamic authentication data: expected tag '7C'")
    ));
    let (r, _) = run(vec![(SET_AT, "9000"), (STEP1.0, "7C05 8003 010203 9000")]);
    assert_eq!(
        r.unwrap_err(),
        PaceError::MalformedData {
            step: Step::EncryptedNonce,
            reason: "encrypted nonce of 3 bytes is not a whole number of 16-byte blocks".into()
        }
    );
    let (r, _) = run(vec![(SET_AT, "9000"), (STEP1.0, "7C12 8020 00 9000")]);
    assert!(matches!(
        r.unwrap_err(),
        PaceError::MalformedData {
            step: Step::EncryptedNonce,
            ..
        }
    ));
}

#[test]
fn invalid_chip_mapping_key_is_refused() {
    // A point off the curve in '82'.
    let mut off = hex(
        "04 824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57
                          30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54",
    );
    off[64] ^= 1;
    let resp = format!(
        "7C43 8241 {} 9000",
        off.iter().map(|b| format!("{b:02X}")).collect::<String>()
    );
    let mut card = ScriptedCard::new(vec![
        (hex(SET_AT), hex("9000")),
        (hex(STEP1.0), hex(STEP1.1)),
    ]);
    // The terminal's mapping key is injected, so its step-2 command is known only at run time:
    // answer whatever comes with the bad point.
    card.script.push((Vec::new(), hex(&resp)));
    struct AnyThird(ScriptedCard);
    impl epassport_card::Transport for AnyThird {
        fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, epassport_card::CardError> {
            if self.0.pos == 2 {
                self.0.pos += 1;
                return Ok(self.0.script[2].1.clone());
            }
            self.0.transmit(c)
        }
    }
    let mut t = AnyThird(card);
    let err = terminal::run(
        &mut t,
        &params(),
        &Password::can("123456").unwrap(),
        None,
        &mut eph(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &err,
            PaceError::BadPublicKey {
                step: Step::Mapping,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "GENERAL AUTHENTICATE (mapping): the chip's public key is invalid: invalid public key (65 bytes): point is not on the curve"
    );
}

#[test]
fn retry_counter_at_the_token_step_is_surfaced() {
    // Answer steps 2-4 generically: a valid mapping key, a valid agreement key, then 63C2.
    struct Chip {
        n: usize,
    }
    impl epassport_card::Transport for Chip {
        fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, epassport_card::CardError> {
            self.n += 1;
            Ok(match self.n {
                1 => hex("9000"),
                2 => hex(STEP1.1),
                3 => hex("7C43 8241 04
                    824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57
                    30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54 9000"),
                4 => hex("7C43 8441 04
                    9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB
                    7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094 9000"),
                _ => hex("63C2"),
            })
        }
    }
    let err = terminal::run(
        &mut Chip { n: 0 },
        &params(),
        &Password::can("123456").unwrap(),
        None,
        &mut eph(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PaceError::WrongPassword {
            kind: PasswordKind::Can,
            sw: StatusWord(0x63C2),
            retries_left: Some(2)
        }
    );
    assert_eq!(
        err.to_string(),
        "the chip refused the CAN (63C2 (verification failed, 2 tries left)), 2 tries left"
    );
}
