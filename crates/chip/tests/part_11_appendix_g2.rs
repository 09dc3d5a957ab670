//! ICAO Doc 9303-11 (8th ed.) Appendix G.2: PACE Generic Mapping, DH on the 1024-bit MODP group
//! with 160-bit subgroup (standardised ID 0), AES-128, MRZ password, published keys injected.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_chip::pace::terminal;
use epassport_chip::pace::{InjectedEphemeral, PaceParameters, Password};
use epassport_lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use pace_common::{ScriptedCard, hex};

const TERM_MAP_PK: &str = "23FB3749 EA030D2A 25B278D2 A562047A DE3F01B7 4F17A154 02CB7352 CA7D2B3E
    B71C343D B13D1DEB CE9A3666 DBCFC920 B49174A6 02CB4796 5CAA73DC 702489A4 4D41DB91 4DE9613D
    C5E98C94 160551C0 DF86274B 9359BC04 90D01B03 AD54022D CB4F57FA D6322497 D7A1E28D 46710F46
    1AFE710F BBBC5F8B A166F431 1975EC6C";
const CHIP_MAP_PK: &str = "78879F57 225AA808 0D52ED0F C890A4B2 5336F699 AA89A2D3 A189654A F70729E6
    23EA5738 B26381E4 DA19E004 706FACE7 B235C2DB F2F38748 312F3C98 C2DD4882 A41947B3 24AA1259
    AC22579D B93F7085 655AF308 89DBB845 D9E6783F E42C9F24 49400306 254C8AE8 EE9DD812 A804C0B6
    6E8CAFC1 4F84D825 8950A91B 44126EE6";
const MAPPED_G: &str = "7C9CBFE9 8F9FBDDA 8D143506 FA7D9306 F4CB17E3 C71707AF F5E1C1A1 23702496
    84D64EE3 7AF44B8D BD9D45BF 6023919C BAA027AB 97ACC771 666C8E98 FF483301 BFA4872D EDE9034E
    DFACB708 14166B7F 36067682 9B826BEA 57291B5A D69FBC84 EF1E7790 32A30580 3F743417 93E86974
    2D401325 B37EE856 5FFCDEE6 18342DC5";
const TERM_PK: &str = "907D89E2 D425A178 AA81AF4A 7774EC8E 388C115C AE67031E 85EECE52 0BD91155
    1B9AE4D0 4369F29A 02626C86 FBC6747C C7BC3526 45B6161A 2A42D44E DA80A08F A8D61B76 D3A154AD
    8A5A5178 6B0BC071 47057871 A922212C 5F67F431 73172236 B7747D16 71E6D692 A3C7D40A 0C3C5CE3
    97545D01 5C175EB5 130551ED BC2EE5D4";
const CHIP_PK: &str = "075693D9 AE941877 573E634B 6E644F8E 60AF17A0 076B8B12 3D920107 4D36152B
    D8B3A213 F53820C4 2ADC79AB 5D0AEEC3 AEFB9139 4DA476BD 97B9B14D 0A65C1FC 71A0E019 CB08AF55
    E1F72900 5FBA7E3F A5DC4189 9238A250 767A6D46 DB974064 386CD456 743585F8 E5D90CC8 B4004B1F
    6D866C79 CE0584E4 9687FF61 BC29AEA1";
const SHARED: &str = "6BABC7B3 A72BCD7E A385E4C6 2DB2625B D8613B24 149E146A 629311C4 CA6698E3
    8B834B6A 9E9CD718 4BA8834A FF5043D4 36950C4C 1E783236 7C10CB8C 314D40E5 990B0DF7 013E64B4
    549E2270 923D06F0 8CFF6BD3 E977DDE6 ABE4C31D 55C0FA2E 465E553E 77BDF75E 3193D383 4FC26E8E
    B1EE2FA1 E4FC97C1 8C3F6CFF FE2607FD";

fn dh_step(cla_tag: &str, key: &str) -> Vec<u8> {
    hex(&format!("{cla_tag} {key}"))
}

#[test]
fn appendix_g2_as_published() {
    let protocol = PaceProtocol {
        agreement: KeyAgreement::Dh,
        mapping: Mapping::Generic,
        cipher: Cipher::Aes128,
    };
    let params = PaceParameters::standard(protocol, 0).unwrap();
    let password = Password::mrz_information(b"T22000129364081251010318");
    assert_eq!(
        password.key(params.cipher()).as_bytes(),
        hex("89DED1B26624EC1E634C1989302849DD")
    );

    let mut card = ScriptedCard::new(vec![
        (
            hex("00 22 C1A4 0F 800A04007F00070202040102 830101"),
            hex("9000"),
        ),
        (
            hex("10 86 0000 02 7C00 00"),
            hex("7C12 8010 854D8DF5827FA6852D1A4FA701CDDDCA 9000"),
        ),
        (
            dh_step("10 86 0000 86 7C8183 818180", &format!("{TERM_MAP_PK} 00")),
            dh_step("7C8183 828180", &format!("{CHIP_MAP_PK} 9000")),
        ),
        (
            dh_step("10 86 0000 86 7C8183 838180", &format!("{TERM_PK} 00")),
            dh_step("7C8183 848180", &format!("{CHIP_PK} 9000")),
        ),
        (
            hex("00 86 0000 0C 7C0A 8508 B46DD9BD4D98381F 00"),
            hex("7C0A 8608 917F37B5C0E6D8D1 9000"),
        ),
    ]);
    let mut eph = InjectedEphemeral {
        nonce: None,
        mapping_key: Some(hex("5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D")),
        agreement_key: Some(hex("89CCD99B 0E8D3B1F 11E1296D CA68EC53 411CF2CA")),
    };
    let out = terminal::run(&mut card, &params, &password, None, &mut eph).unwrap();
    card.assert_done();
    let t = &out.transcript;
    assert_eq!(*t.nonce, hex("FA5B7E3E 49753A0D B9178B7B 9BD898C8"));
    assert_eq!(t.mapping_public_key_terminal, hex(TERM_MAP_PK));
    assert_eq!(t.mapping_public_key_chip, hex(CHIP_MAP_PK));
    assert_eq!(t.mapped_generator, hex(MAPPED_G));
    assert_eq!(t.public_key_terminal, hex(TERM_PK));
    assert_eq!(*t.shared_secret, hex(SHARED));
    assert_eq!(
        out.sm.keys().k_enc().as_bytes(),
        hex("2F7F46AD CC9E7E52 1B45D192 FAFA9126")
    );
    assert_eq!(
        out.sm.keys().k_mac().as_bytes(),
        hex("805A1D27 D45A5116 F73C5446 9462B7D8")
    );
    assert_eq!(t.token_terminal, hex("B46DD9BD 4D98381F"));
    assert_eq!(t.token_chip, hex("917F37B5 C0E6D8D1"));
    assert_eq!(out.report.key_agreement, "DH");
    assert_eq!(out.report.domain_id, Some(0));
}

#[test]
fn appendix_g2_intermediate_h() {
    // h = PK_map,IC ^ SK_map,IFD: the published value, and g' = g^s · h.
    use epassport_chip::crypto::Group;
    let g = Group::standard(0).unwrap();
    let sk = g
        .private_key(&hex("5265030F 751F4AD1 8B08AC56 5FC7AC95 2E41618D"))
        .unwrap();
    let h = g
        .agree_element(&sk, &g.decode(&hex(CHIP_MAP_PK)).unwrap())
        .unwrap();
    assert_eq!(
        g.encode(&h),
        hex(
            "5BABEBEF 5B74E5BA 94B5C063 FDA15F1F 1CDE9487 3EE0A5D3 A2FCAB49 F258D07F
             544F13CB 66658C3A FEE9E727 389BE3F6 CBBBD321 28A8C21D D6EEA3CF 7091CDDF
             B08B8D00 7D40318D CCA4FFBF 51208790 FB4BD111 E5A968ED 6B6F08B2 6CA87C41
             0B3CE0C3 10CE104E ABD16629 AA48620C 1279270C B0750C0D 37C57FFF E302AE7F"
        )
    );
    let mapped = g
        .map_generic(&hex("FA5B7E3E 49753A0D B9178B7B 9BD898C8"), &h)
        .unwrap();
    assert_eq!(g.encode(&mapped), hex(MAPPED_G));
}
