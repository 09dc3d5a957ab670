//! ICAO Doc 9303-11 (8th ed.) Appendix G.1: PACE Generic Mapping, ECDH on brainpoolP256r1,
//! AES-128, MRZ password (T22000129 / 640812 / 101031), with the published ephemeral keys
//! injected. Every published value is asserted.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_chip::pace::terminal::{self, CamCheck};
use epassport_chip::pace::{InjectedEphemeral, PaceParameters, Password, PasswordKind};
use epassport_lds::security_infos::SecurityInfos;
use pace_common::{ScriptedCard, hex};

const MRZ_INFORMATION: &[u8] = b"T22000129364081251010318";
const CARD_ACCESS: &str = "31143012060A04007F0007020204020202010202010D";
const SK_MAP: &str = "7F4EF07B 9EA82FD7 8AD689B3 8D0BC78C F21F249D 953BC46F 4C6E1925 9C010F99";
const SK_AGREE: &str = "A73FB703 AC1436A1 8E0CFA5A BB3F7BEC 7A070E7A 6788486B EE230C4A 22762595";

fn script(mse_set_at: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (hex(mse_set_at), hex("9000")),
        (
            hex("10 86 0000 02 7C00 00"),
            hex("7C12 8010 95A3A016522EE98D01E76CB6B98B42C3 9000"),
        ),
        (
            hex("10 86 0000 45 7C43 8141 04
                7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E
                544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D 00"),
            hex("7C43 8241 04
                824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57
                30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54 9000"),
        ),
        (
            hex("10 86 0000 45 7C43 8341 04
                2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C
                3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462 00"),
            hex("7C43 8441 04
                9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB
                7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094 9000"),
        ),
        (
            hex("00 86 0000 0C 7C0A 8508 C2B0BD78D94BA866 00"),
            hex("7C0A 8608 3ABB9674BCE93C08 9000"),
        ),
    ]
}

fn eph() -> InjectedEphemeral {
    InjectedEphemeral {
        nonce: None,
        mapping_key: Some(hex(SK_MAP)),
        agreement_key: Some(hex(SK_AGREE)),
    }
}

#[test]
fn appendix_g1_as_published() {
    let infos = SecurityInfos::parse(&hex(CARD_ACCESS)).unwrap();
    let info = infos.pace_infos().next().unwrap().clone();
    let params = PaceParameters::from_info(&info, &infos).unwrap();
    let password = Password::mrz_information(MRZ_INFORMATION);
    assert_eq!(
        password.key(params.cipher()).as_bytes(),
        hex("89DED1B26624EC1E634C1989302849DD")
    );

    // The appendix's MSE:Set AT carries no DO'84'.
    let mut card = ScriptedCard::new(script("00 22 C1A4 0F 800A04007F00070202040202 830101"));
    let out = terminal::run(&mut card, &params, &password, None, &mut eph()).unwrap();
    card.assert_done();

    let t = &out.transcript;
    assert_eq!(t.encrypted_nonce, hex("95A3A016522EE98D01E76CB6B98B42C3"));
    assert_eq!(*t.nonce, hex("3F00C4D39D153F2B2A214A078D899B22"));
    assert_eq!(
        t.mapped_generator,
        hex(
            "04 8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2
                8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
        )
    );
    assert_eq!(
        *t.shared_secret,
        hex("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
    );
    assert_eq!(
        out.sm.keys().k_enc().as_bytes(),
        hex("F5F0E35C0D7161EE6724EE513A0D9A7F")
    );
    assert_eq!(
        out.sm.keys().k_mac().as_bytes(),
        hex("FE251C7858B356B24514B3BD5F4297D1")
    );
    assert_eq!(t.token_terminal, hex("C2B0BD78D94BA866"));
    assert_eq!(t.token_chip, hex("3ABB9674BCE93C08"));
    assert_eq!(out.sm.ssc(), [0u8; 16]);
    assert_eq!(out.report.oid, "0.4.0.127.0.7.2.2.4.2.2");
    assert_eq!(out.report.mapping, "GM");
    assert_eq!(out.report.domain_id, Some(13));
    assert_eq!(out.report.cipher, "AES-128");
    assert_eq!(out.report.password, PasswordKind::Mrz);
    assert_eq!(out.report.cam, CamCheck::NotApplicable);
    assert!(!out.report.parameter_id_sent);
}

#[test]
fn appendix_g1_chosen_from_card_access_sends_do84() {
    // Our rule: EF.CardAccess names parameter ID 13, so MSE:Set AT carries 84 01 0D.
    let infos = SecurityInfos::parse(&hex(CARD_ACCESS)).unwrap();
    let password = Password::mrz_information(MRZ_INFORMATION);
    let mut card = ScriptedCard::new(script(
        "00 22 C1A4 12 800A04007F00070202040202 830101 84010D",
    ));
    let out = terminal::establish(&mut card, &infos, &password, &mut eph()).unwrap();
    card.assert_done();
    assert!(out.report.parameter_id_sent);
    assert_eq!(out.report.domain, "brainpoolP256r1");
    assert_eq!(
        out.sm.keys().k_enc().as_bytes(),
        hex("F5F0E35C0D7161EE6724EE513A0D9A7F")
    );
}
