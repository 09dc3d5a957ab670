//! ICAO Doc 9303-11 (8th ed.) Appendix H.2: PACE Integrated Mapping, DH on the 1024-bit MODP
//! group (ID 0), AES-128, CAN password 123456, published nonces and keys injected.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_chip::crypto::Group;
use epassport_chip::kdf::Cipher as SmCipher;
use epassport_chip::pace::{InjectedEphemeral, PaceParameters, Password, pseudo_random, terminal};
use epassport_lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use pace_common::{ScriptedCard, hex};

const Z: &str = "9ABB8864 CA0FF155 1E620D1E F4E13510";
const S: &str = "FA5B7E3E 49753A0D B9178B7B 9BD898C8";
const T: &str = "B3A6DB3C 870C3E99 245E0D1C 06B747DE";
const R: &str = "EAB98D13 E0905295 2AA72990 7C3C9461 84DEA0FE 74AD2B3A F506F0A8 3018459C
    38099CD1 F7FF4EA0 A078DB1F AC136550 5E3DC855 00EF95E2 0B4EEF2E 88489233 BEE0546B 472F994B
    618D1687 02406791 DEEF3CB4 810932EC 278F3533 FDB860EB 4835C36F A4F1BF3F A0B828A7 18C96BDE
    88FBA38A 3E6C35AA A1095925 1EB5FC71 0FC18725 8995944C 0F926E24 9373F485";
const MAPPED_G: &str = "1D7D767F 11E333BC D6DBAEF4 0E799E7A 926B9697 3550656F F3C83072 6D118D61
    C276CDCC 61D475CF 03A98E0C 0E79CAEB A5BE2557 8BD4551D 0B109032 36F0B0F9 76852FA7 8EEA14EA
    0ACA87D1 E91F688F E0DFF897 BBE35A47 2621D343 564B262F 34223AE8 FC59B664 BFEDFA2B FE7516CA
    5510A6BB B633D517 EC25D4E0 BBAA16C2";
const SK_T: &str = "4BD0E547 40F9A028 E6A515BF DAF96784 8C4F5F5F FF65AA09 15947FFD 1A0DF2FA
    6981271B C905F355 1457B7E0 3AC3B806 6DE4AA40 6C1171FB 43DD939C 4BA16175 103BA3DE E16419AA
    248118F9 0CC36A3D 6F4C3736 52E0C3CC E7F0F1D0 C5425B36 00F0F0D6 A67F004C 8BBA33F2 B4733C72
    52445C1D FC4F1107 203F71D2 EFB28161";
const PK_T: &str = "0F0CC629 45A80292 51FB7EF3 C094E12E C68E4EF0 7F27CB9D 9CD04C5C 4250FAE0
    E4F8A951 557E929A EB48E5C6 DD47F2F5 CD7C351A 9BD2CD72 2C07EDE1 66770F08 FFCB3702 62CF308D
    D7B07F2E 0DA9CAAA 1492344C 85290691 9538C98A 4BA4187E 76CE9D87 832386D3 19CE2E04 3C3343AE
    AE6EDBA1 A9894DC5 094D22F7 FE1351D5";
const PK_IC: &str = "928D9A0F 9DBA450F 13FC859C 6F290D1D 36E42431 138A4378 500BEB4E 0401854C
    FF111F71 CB6DC1D0 335807A1 1388CC8E AA87B079 07AAD9FB A6B169AF 6D8C26AF 8DDDC39A DC3AD2E3
    FF882B84 D23E9768 E95A80E4 746FB07A 9767679F E92133B4 D379935C 771BD7FB ED6C7BB4 B1708B27
    5EA75679 524CDC9C 6A91370C C662A2F3";

#[test]
fn appendix_h2_pseudo_random_function_and_mapping() {
    let r = pseudo_random(SmCipher::Aes128, &hex(S), &hex(T), 1024).unwrap();
    assert_eq!(*r, hex(R));
    let g = Group::standard(0).unwrap();
    let mapped = g.map_integrated(&r).unwrap();
    assert_eq!(g.encode(&mapped), hex(MAPPED_G));
}

#[test]
fn appendix_h2_as_published() {
    let protocol = PaceProtocol {
        agreement: KeyAgreement::Dh,
        mapping: Mapping::Integrated,
        cipher: Cipher::Aes128,
    };
    let params = PaceParameters::standard(protocol, 0).unwrap();
    let password = Password::can("123456").unwrap();
    let mut card = ScriptedCard::new(vec![
        (
            hex("00 22 C1A4 0F 800A04007F00070202040302 830102"),
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
            hex(&format!("10 86 0000 86 7C8183 838180 {PK_T} 00")),
            hex(&format!("7C8183 848180 {PK_IC} 9000")),
        ),
        (
            hex("00 86 0000 0C 7C0A 8508 55D61977 CBF5307E 00"),
            hex("7C0A 8608 C2F04230 187E1525 9000"),
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
    assert_eq!(t.mapped_generator, hex(MAPPED_G));
    assert_eq!(t.public_key_terminal, hex(PK_T));
    assert_eq!(
        *t.shared_secret,
        hex(
            "419410D6 C0A17A4C 07C54872 CE1CBCEB 0A2705C1 A434C8A8 9A4CFE41 F1D78124
             CA7EC52B DE7615E5 345E48AB 1ABB6E7D 1D59A57F 3174084D 3CA45703 97C1F622
             28BDFDB2 DA191EA2 239E2C06 0DBE3BBC 23C2FCD0 AF12E0F9 E0B99FCF 91FF1959
             011D5798 B2FCBC1F 14FCC24E 441F4C8F 9B08D977 E9498560 E63E7FFA B3134EA7"
        )
    );
    assert_eq!(
        out.sm.keys().k_enc().as_bytes(),
        hex("01AFC10C F87BE36D 8179E873 70171F07")
    );
    assert_eq!(
        out.sm.keys().k_mac().as_bytes(),
        hex("23F0FBD0 5FD6C7B8 B88F4C83 09669061")
    );
    assert_eq!(t.token_terminal, hex("55D61977 CBF5307E"));
    assert_eq!(t.token_chip, hex("C2F04230 187E1525"));
}
