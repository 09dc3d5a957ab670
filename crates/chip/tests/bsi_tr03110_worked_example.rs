//! BSI "Worked Example for Extended Access Control (EAC)" v1.01, section 3: PACE with ECDH Generic
//! Mapping on brainpoolP256r1 (parameter ID 13), AES-128, PIN 123456, with the published keys
//! injected on both sides. Every published value is asserted: encrypted and decrypted nonce, both
//! mapping key pairs, H, the mapped generator, both ephemeral key pairs, K, K_enc, K_mac, both
//! authentication tokens, and the first secure-messaging encryption and MAC. (Values as carried in
//! OpenPACE's `src/eactest.c`, which notes that v1.0 of the example had a wrong K_mac/K_enc.)
//!
//! The APDU framing is ours (the example's MSE:Set AT also carries a CHAT for an authentication
//! terminal): the data objects inside GENERAL AUTHENTICATE are the example's.

#![allow(clippy::unwrap_used)]

mod pace_common;

use epassport_chip::crypto::Group;
use epassport_chip::pace::chip::{ChipPasswords, ChipReply, PaceChip};
use epassport_chip::pace::{InjectedEphemeral, Password, PasswordKind, terminal};
use epassport_lds::security_infos::{SecurityInfo, SecurityInfos};
use pace_common::{ScriptedCard, hex};
use zeroize::Zeroizing;

const CARD_ACCESS: &str = "3181C6300D060804007F00070202020201023012060A04007F000702020302020201020201013012060A04007F0007020204020202010202010D301C060904007F000702020302300C060704007F0007010202010D020101302F060804007F0007020206162368747470733A2F2F7777772E686A702D636F6E73756C74696E672E636F6D2F686F6D65303E060804007F000702020831323012060A04007F00070202030202020102020102301C060904007F000702020302300C060704007F0007010202010D020102";
const NONCE_ENC: &str = "CE834CDE69FFBB1D1EB21585CD709F18";
const NONCE: &str = "7D98C00FC6C9E9543BBF94A87073A123";
const MAP_PCD_SK: &str = "752287F5B02DE3C4BC3E17945118C51B23C97278E4CD748048AC56BA5BDC3D46";
const MAP_PCD_PK: &str = "043DD29BBE5907FD21A152ADA4895FAAE7ACC55F5E50EFBFDE5AB0C6EB54F198D615913635F0FDF5BEB383E00355F82D3C41ED0DF2E28363433DFB73856A15DC9F";
const MAP_PICC_SK: &str = "19C428715663DE745D1824B855D2B967890C99D68ED5FEEE9DCDF8D7BBA289D2";
const MAP_PICC_PK: &str = "049CFCF7582AC986D0DD52FA53123414C3E1B96B4D00ABA8E574679B70EFB5BC3B45D2F13729CC2AE178E7E241B443213533B77DBB44649A815DDC4A2384BA422A";
const MAP_H: &str = "0471850CFD80FB475947E5B1AF10FE8E6663967C2D264935B31951F763A4B03A5749167388F88F52A109167E3E6592CA0820468D1157A8E781D2F7049179B1D114";
const MAPPED_G: &str = "043929D28BA1E5339D6C5DADE5E33BD3C2F0BD14DD77C7521532261659C918FA6014DD48FA84E62BDE438EDB4C9771D042CDB24B7788BDBAB2031C45751E777F66";
const PCD_SK: &str = "009D9A32DF93A57CCE33CA3CDD3457E33A976F293546C73550F397259C93BE0120";
const PCD_PK: &str = "04518BC4E532AD2A9BD6527804D5D665ABD51041037A0CC8AA922804EB501C222B3427388599AFAAE9FBACE2DF93E13C3C4979CD12F0AE3E3C0126028391554582";
const PICC_SK: &str = "15872C56908C144002177994CFAAEDD5467CE150853C44535051FF24183039D8";
const PICC_PK: &str = "04282CF38073036AFAC216AF135BD994DA0C357F10BD4C34AFEA1042B2EB0FD6804DF3658B835AC2E7133F13691184542BB50B109963A4662ABDC08B9763AF4B5B";
const SHARED_K: &str = "6E7D077CCD367C2EAA683F1E8EC534302E2D00B6ADAF8A87A6EDA78740F17606";
const K_MAC: &str = "73FF268784F72AF833FDC9464049AFC9";
const K_ENC: &str = "68406B4162100563D9C901A6154D2901";
const TOKEN_PCD: &str = "A27AE7B36573C1D9";
const TOKEN_PICC: &str = "A2658C2F38600B0F";
const SM_PLAIN_SSC1: &str = "830D44454356434141543030303031";
const SM_CIPHER_SSC1: &str = "BE90237EEB4BA0FF253EA246AE31C8B8";
const SM_MAC_DATA_SSC2: &str = "99029000";
const SM_MAC_SSC2: &str = "A89570A68664A7D6";

fn infos() -> SecurityInfos {
    SecurityInfos::parse(&hex(CARD_ACCESS)).unwrap()
}

#[test]
fn card_access_of_the_example() {
    let s = infos();
    assert_eq!(s.pace_infos().count(), 1);
    assert_eq!(s.pace_infos().next().unwrap().parameter_id, Some(13));
    assert_eq!(s.chip_authentication_infos().count(), 1);
    assert!(s.terminal_authentication().is_some());
    // CardInfoLocator (…2.2.6) and PrivilegedTerminalInfo (…2.2.8) are kept as unknown infos.
    let unknown: Vec<String> = s
        .infos
        .iter()
        .filter_map(|i| match i {
            SecurityInfo::Unknown { protocol, .. } => protocol.to_dotted(),
            _ => None,
        })
        .collect();
    assert_eq!(unknown, ["0.4.0.127.0.7.2.2.6", "0.4.0.127.0.7.2.2.8"]);
    assert_eq!(s.to_der(), hex(CARD_ACCESS));
}

#[test]
fn terminal_side_of_the_example() {
    let password = Password::pin("123456").unwrap();
    let mut card = ScriptedCard::new(vec![
        (
            hex("00 22 C1A4 12 800A04007F00070202040202 830103 84010D"),
            hex("9000"),
        ),
        (
            hex("10 86 0000 02 7C00 00"),
            hex(&format!("7C12 8010 {NONCE_ENC} 9000")),
        ),
        (
            hex(&format!("10 86 0000 45 7C43 8141 {MAP_PCD_PK} 00")),
            hex(&format!("7C43 8241 {MAP_PICC_PK} 9000")),
        ),
        (
            hex(&format!("10 86 0000 45 7C43 8341 {PCD_PK} 00")),
            hex(&format!("7C43 8441 {PICC_PK} 9000")),
        ),
        (
            hex(&format!("00 86 0000 0C 7C0A 8508 {TOKEN_PCD} 00")),
            hex(&format!("7C0A 8608 {TOKEN_PICC} 9000")),
        ),
    ]);
    let mut eph = InjectedEphemeral {
        nonce: None,
        mapping_key: Some(hex(MAP_PCD_SK)),
        agreement_key: Some(hex(PCD_SK)),
    };
    let out = terminal::establish(&mut card, &infos(), &password, &mut eph).unwrap();
    card.assert_done();
    let t = &out.transcript;
    assert_eq!(*t.nonce, hex(NONCE));
    assert_eq!(t.mapping_public_key_terminal, hex(MAP_PCD_PK));
    assert_eq!(t.mapped_generator, hex(MAPPED_G));
    assert_eq!(t.public_key_terminal, hex(PCD_PK));
    assert_eq!(*t.shared_secret, hex(SHARED_K));
    assert_eq!(out.sm.keys().k_enc().as_bytes(), hex(K_ENC));
    assert_eq!(out.sm.keys().k_mac().as_bytes(), hex(K_MAC));
    assert_eq!(t.token_terminal, hex(TOKEN_PCD));
    assert_eq!(out.report.password, PasswordKind::Pin);

    // H = SK_map,PCD · PK_map,PICC, and the chip's key pairs are consistent.
    let g = Group::standard(13).unwrap();
    let h = g
        .agree_element(
            &g.private_key(&hex(MAP_PCD_SK)).unwrap(),
            &g.decode(&hex(MAP_PICC_PK)).unwrap(),
        )
        .unwrap();
    assert_eq!(g.encode(&h), hex(MAP_H));
    let picc_map = g
        .public_key(&g.private_key(&hex(MAP_PICC_SK)).unwrap(), &g.generator())
        .unwrap();
    assert_eq!(g.encode(&picc_map), hex(MAP_PICC_PK));
    let mapped = g.decode(&hex(MAPPED_G)).unwrap();
    let picc = g
        .public_key(&g.private_key(&hex(PICC_SK)).unwrap(), &mapped)
        .unwrap();
    assert_eq!(g.encode(&picc), hex(PICC_PK));

    // Secure messaging: the first command's encryption (SSC 1) and the first response's MAC (SSC 2).
    let mut sm = out.sm;
    sm.increment_ssc();
    assert_eq!(
        sm.encrypt(&hex(SM_PLAIN_SSC1)).unwrap(),
        hex(SM_CIPHER_SSC1)
    );
    sm.increment_ssc();
    assert_eq!(
        sm.mac(&hex(SM_MAC_DATA_SSC2)).unwrap().to_vec(),
        hex(SM_MAC_SSC2)
    );
}

#[test]
fn chip_side_of_the_example() {
    let passwords = ChipPasswords {
        pin: Some(Zeroizing::new("123456".into())),
        ..Default::default()
    };
    let mut chip = PaceChip::new(infos(), passwords, None);
    let mut eph = InjectedEphemeral {
        nonce: Some(hex(NONCE)),
        mapping_key: Some(hex(MAP_PICC_SK)),
        agreement_key: Some(hex(PICC_SK)),
    };
    chip.mse_set_at(&hex("800A04007F00070202040202 830103 84010D"))
        .unwrap();
    let step = |chip: &mut PaceChip, eph: &mut InjectedEphemeral, cla: u8, data: &str| {
        chip.general_authenticate(cla, &hex(data), eph).unwrap()
    };
    let ChipReply::Continue(r) = step(&mut chip, &mut eph, 0x10, "7C00") else {
        panic!()
    };
    assert_eq!(r, hex(&format!("7C12 8010 {NONCE_ENC}")));
    let ChipReply::Continue(r) = step(
        &mut chip,
        &mut eph,
        0x10,
        &format!("7C43 8141 {MAP_PCD_PK}"),
    ) else {
        panic!()
    };
    assert_eq!(r, hex(&format!("7C43 8241 {MAP_PICC_PK}")));
    let ChipReply::Continue(r) = step(&mut chip, &mut eph, 0x10, &format!("7C43 8341 {PCD_PK}"))
    else {
        panic!()
    };
    assert_eq!(r, hex(&format!("7C43 8441 {PICC_PK}")));
    let ChipReply::Done {
        data,
        sm,
        password,
        cam,
    } = step(&mut chip, &mut eph, 0x00, &format!("7C0A 8508 {TOKEN_PCD}"))
    else {
        panic!()
    };
    assert_eq!(data, hex(&format!("7C0A 8608 {TOKEN_PICC}")));
    assert_eq!(sm.keys().k_enc().as_bytes(), hex(K_ENC));
    assert_eq!(password, PasswordKind::Pin);
    assert!(!cam);
}
