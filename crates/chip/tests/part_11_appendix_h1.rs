//! ICAO Doc 9303-11 (8th ed.) Appendix H.1: PACE Integrated Mapping, ECDH on brainpoolP256r1,
//! AES-128, CAN password 123456, published nonces and keys injected.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_chip::crypto::Group;
use epassport_chip::kdf::Cipher as SmCipher;
use epassport_chip::pace::{InjectedEphemeral, PaceParameters, Password, pseudo_random, terminal};
use epassport_lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use pace_common::{ScriptedCard, hex};

const Z: &str = "143DC40C 08C8E891 FBED7DED B92B64AD";
const S: &str = "2923BE84 E16CD6AE 529049F1 F1BBE9EB";
const T: &str = "5DD4CBFC 96F5453B 130D890A 1CDBAE32";
const R: &str = "E4447E2D FB3586BA C05DDB00 156B57FB B2179A39 49294C97 25418980 0C517BAA
    8DA0FF39 7ED8C445 D3E421E4 FEB57322";
const MAPPED_G: &str = "04 8E82D315 59ED0FDE 92A4D049 8ADD3C23 BABA94FB 77691E31 E90AEA77 FB17D427
    4C1AE14B D0C3DBAC 0C871B7F 36081693 64437CA3 0AC243A0 89D3F266 C1E60FAD";
const SK_T: &str = "A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595";
const PK_T: &str = "04 89CBA23F FE96AA18 D824627C 3E934E54 A9FD0B87 A95D1471 DC1C0ABF DCD640D4
    6755DE9B 7B778280 B6BEBD57 439ADFEB 0E21FD4E D6DF4257 8C13418A 59B34C37";
const PK_IC: &str = "04 67F78E5F 7F768608 2B293E8D 087E0569 16D0F74B C01A5F89 57D0DE45 691E51E8
    932B69A9 62B52A09 85AD2C0A 271EE6A1 3A8ADDDC D1A3A994 B9DED257 F4D22753";

#[test]
fn appendix_h1_pseudo_random_function_and_point_encoding() {
    let r = pseudo_random(SmCipher::Aes128, &hex(S), &hex(T), 256).unwrap();
    assert_eq!(*r, hex(R));
    let g = Group::standard(13).unwrap();
    let mapped = g.map_integrated(&r).unwrap();
    assert_eq!(g.encode(&mapped), hex(MAPPED_G));
}

#[test]
fn appendix_h1_as_published() {
    let protocol = PaceProtocol {
        agreement: KeyAgreement::Ecdh,
        mapping: Mapping::Integrated,
        cipher: Cipher::Aes128,
    };
    let params = PaceParameters::standard(protocol, 13).unwrap();
    let password = Password::can("123456").unwrap();
    assert_eq!(
        password.key(params.cipher()).as_bytes(),
        hex("591468CD A83D6521 9CCCB856 0233600F")
    );
    let mut card = ScriptedCard::new(vec![
        (
            hex("00 22 C1A4 0F 800A04007F00070202040402 830102"),
            hex("9000"),
        ),
        (
            hex("10 86 0000 02 7C00 00"),
            hex(&format!("7C12 8010 {Z} 9000")),
        ),
        (
            hex(&format!("10 86 0000 14 7C12 8110 {T} 00")),
            hex("7C02 8200 9000"),
        ),
        (
            hex(&format!("10 86 0000 45 7C43 8341 {PK_T} 00")),
            hex(&format!("7C43 8441 {PK_IC} 9000")),
        ),
        (
            hex("00 86 0000 0C 7C0A 8508 450F02B8 6F6A0909 00"),
            hex("7C0A 8608 75D4D96E 8D5B0308 9000"),
        ),
    ]);
    let mut eph = InjectedEphemeral {
        nonce: Some(hex(T)),
        mapping_key: None,
        agreement_key: Some(hex(SK_T)),
    };
    let out = terminal::run(&mut card, &params, &password, None, &mut eph).unwrap();
    card.assert_done();
    let t = &out.transcript;
    assert_eq!(*t.nonce, hex(S));
    assert_eq!(t.nonce_t, hex(T));
    assert_eq!(t.mapped_generator, hex(MAPPED_G));
    assert_eq!(t.public_key_terminal, hex(PK_T));
    assert_eq!(
        *t.shared_secret,
        hex("4F150FDE 1D4F0E38 E95017B8 91BAE171 33A0DF45 B0D3E18B 60BA7BEA FDC2C713")
    );
    assert_eq!(
        out.sm.keys().k_enc().as_bytes(),
        hex("0D3FEB33 251A6370 893D62AE 8DAAF51B")
    );
    assert_eq!(
        out.sm.keys().k_mac().as_bytes(),
        hex("B01E89E3 D9E8719E 586B50B4 A7506E0B")
    );
    assert_eq!(t.token_terminal, hex("450F02B8 6F6A0909"));
    assert_eq!(t.token_chip, hex("75D4D96E 8D5B0308"));
    assert_eq!(out.report.mapping, "IM");
    assert_eq!(out.report.oid, "0.4.0.127.0.7.2.2.4.4.2");
}
