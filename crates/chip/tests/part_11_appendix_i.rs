//! ICAO Doc 9303-11 (8th ed.) Appendix I.1: PACE with Chip Authentication Mapping, ECDH on
//! brainpoolP256r1, AES-128, MRZ password (C11T002JM4 / 960812 / 231031), with the published
//! ephemeral keys injected. Every published value is asserted: K and K_π, the encrypted and
//! decrypted nonce, both mapping key pairs, H, the mapped generator, both ephemeral key pairs, the
//! shared secret, KS_enc, KS_mac, both tokens, the encrypted and decrypted chip-authentication data
//! A_IC / CA_IC, the IV E(KS_enc, -1), and the check PK_map,IC = CA_IC · PK_IC with the published
//! ChipAuthenticationPublicKeyInfo (key ID 13), also through `ca::check_pace_cam`.
//!
//! The appendix gives the ChipAuthenticationPublicKeyInfo from EF.CardSecurity, not the signed
//! file: for `check_pace_cam` it is wrapped in a SignedData shell of ours and passive
//! authentication's verdict is given as "verified" (the pki crate's tests cover that part).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod pace_common;

use epassport_chip::ca::{self, CamVerification, CardSecurityVerdict};
use epassport_chip::crypto::Group;
use epassport_chip::kdf::Cipher;
use epassport_chip::pace::terminal::{self, CamCheck};
use epassport_chip::pace::{self, InjectedEphemeral, PaceParameters, Password, PasswordKind};
use epassport_chip::sm::cbc_encrypt;
use epassport_lds::security_infos::{KeyAgreement, SecurityInfo, SecurityInfos};
use epassport_tlv::{Tag, encode};
use pace_common::{ScriptedCard, hex};

/// Document number, date of birth, date of expiry, each with its check digit.
const MRZ_INFORMATION: &[u8] = b"C11T002JM496081222310314";
const K_MRZ: &str = "894D03F1 48C6265E 89845B21 8856EA34 D00EF8E8";
const K_PI: &str = "4E6F6FBF 7BE748B9 32C7B741 61BBA9DF";
/// The appendix's PACEInfo, as EF.CardAccess.
const CARD_ACCESS: &str = "3114 3012060A 04007F00 07020204 06020201 0202010D";
const NONCE_S: &str = "658B860B C94DF6F0 44FCE6D5 C82CF8E5";
const NONCE_Z: &str = "CB60E8E0 D85B76A9 BD304747 C2AD42E2";
const MAP_SK_IFD: &str = "5D8BB87B D74D985A 4B7D4325 B9F7B976 FE835122 77340079 8914AA22 738135CC";
const MAP_PK_IFD: &str =
    "04 7F1D410A DB7DDB3B 84BF1030 800981A9 105D7457 B4A3ADE0 02384F30 86C67EDE
    1AB88910 4A27DB6D 842B0190 20FBF3CE ACB0DC62 7F7BDCAC 29969E19 D0E553C1";
const MAP_SK_IC: &str = "9E56A6B5 9C95D06E CE5CD10F 983BB2F4 F1943528 E577F238 81D89D8C 3BBEE0AA";
const MAP_PK_IC: &str = "04 A234236A A9B9621E 8EFB73B5 245C0E09 D2576E52 77183C12 08BDD552 80CAE8B3
    04F36571 3A356E65 A451E165 ECC9AC0A C46E3771 342C8FE5 AEDD0926 85338E23";
const H: &str = "04 2C1DCC17 73346492 C6636A36 EE4B965E 292E9AAE 7EE37736 EF58B9D0 A043F348
    403A8CF3 3CA7DC0D 9DF61D08 89CE2442 4FF97C1A AD48A5CA 2A554B07 1EF7638D";
const MAPPED_G: &str = "04 89F0B5EA BF3BE293 C75903A3 98613192 5C9F5B51 5CA95AF4 85DC7E88 6F03245D
    44BEFB2D D3A0DBD7 1CB5E618 971CF474 7F12B79E 548379A4 0E45963B AAF3E829";
const SK_IFD: &str = "76ECFDAA 9841C323 A3F5FC5E 88B88DB3 EFF7E35E BF57A7E6 946CB630 006C2120";
const PK_IFD: &str = "04 446C9340 84D9DAB8 63944F21 9520076C 29EE3F7A E6722B11 FF319EC1 C7728F95
    5483400B FF60BF0C 59292700 09277DC2 A515E125 75010AD9 BA916CF1 BF86FEFC";
const SK_IC: &str = "CD626EF3 C256E235 FE8912CA C28279E6 26008EDA 6B3A05C4 CF862A3B DAB79E78";
const PK_IC_EPH: &str = "04 02AD566F 3C6EC7F9 324509AD 50A51FA5 2030782A 4968FCFE DF737DAE A9933331
    11C3B9B4 C2287789 BD137E7F 8AA882E2 A3C633CC D6ECC2C6 3C57AD40 1A09C2E1";
const SHARED_K: &str = "67950559 D0C06B4D 4B86972D 14460837 461087F8 419FDBC3 6AAF6CEA AC462832";
const KS_ENC: &str = "0A9DA4DB 03BDDE39 FC5202BC 44B2E89E";
const KS_MAC: &str = "4B1C0649 1ED5140C A2B537D3 44C6C0B1";
const T_IFD: &str = "E86BD060 18A1CD3B";
const T_IC: &str = "8596CF05 5C67C1A3";
const A_IC: &str = "1EEA964D AAE372AC 990E3EFD E6333353 BFC89A67 04D93DA8 798CF77F 5B7A54BD
    10CBA372 B42BE0B9 B5F28AA8 DE2F4F92";
const CA_IC: &str = "85DC3FA9 3D0952BF A82F5FD1 89EE75BD 82F11D1F 0B8ED4BF 5319AC9B 53C426B3";
const IV_CAM: &str = "F6A3B75A 1E933941 DD7A13E2 520779DF";
/// The ChipAuthenticationPublicKeyInfo from EF.CardSecurity (id-PK-ECDH, brainpoolP256r1, key ID 13).
const CA_PK_INFO: &str = "30620609 04007F00 07020201 02305230 0C060704 007F0007 01020201 0D034200
    04187270 9494399E 7470A643 1BE25E83 EEE24FEA 568C2ED2 8DB48E05 DB3A610D C884D256 A40E35EF
    CB59BF67 53D3A489 D28C7A4D 973C2DA1 38A6E7A4 A08F68E1 6F02010D";
const PK_IC_STATIC: &str =
    "04 18727094 94399E74 70A6431B E25E83EE E24FEA56 8C2ED28D B48E05DB 3A610DC8
    84D256A4 0E35EFCB 59BF6753 D3A489D2 8C7A4D97 3C2DA138 A6E7A4A0 8F68E16F";

/// The appendix's APDUs (its MSE:Set AT carries no DO'84').
fn script() -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (
            hex("00 22 C1A4 0F 800A04007F00070202040602 830101"),
            hex("9000"),
        ),
        (
            hex("10 86 0000 02 7C00 00"),
            hex(&format!("7C12 8010 {NONCE_Z} 9000")),
        ),
        (
            hex(&format!("10 86 0000 45 7C43 8141 {MAP_PK_IFD} 00")),
            hex(&format!("7C43 8241 {MAP_PK_IC} 9000")),
        ),
        (
            hex(&format!("10 86 0000 45 7C43 8341 {PK_IFD} 00")),
            hex(&format!("7C43 8441 {PK_IC_EPH} 9000")),
        ),
        (
            hex(&format!("00 86 0000 0C 7C0A 8508 {T_IFD} 00")),
            hex(&format!("7C3C 8608 {T_IC} 8A30 {A_IC} 9000")),
        ),
    ]
}

/// EF.CardSecurity's eContent around the published ChipAuthenticationPublicKeyInfo, in a
/// SignedData shell (no certificates, no signer: the signature is not what this test checks).
fn card_security_shell() -> Vec<u8> {
    let content = encode(Tag(0x31), &hex(CA_PK_INFO));
    let encap = encode(
        Tag(0x30),
        &[
            encode(Tag(0x06), &hex("04007F0007030201")),
            encode(Tag(0xA0), &encode(Tag(0x04), &content)),
        ]
        .concat(),
    );
    let signed_data = encode(
        Tag(0x30),
        &[
            encode(Tag(0x02), &[3]),
            encode(Tag(0x31), &[]),
            encap,
            encode(Tag(0x31), &[]),
        ]
        .concat(),
    );
    encode(
        Tag(0x30),
        &[
            encode(Tag(0x06), &hex("2A864886F70D010702")),
            encode(Tag(0xA0), &signed_data),
        ]
        .concat(),
    )
}

#[test]
fn appendix_i1_as_published() {
    let infos = SecurityInfos::parse(&hex(CARD_ACCESS)).unwrap();
    let info = infos.pace_infos().next().unwrap().clone();
    let params = PaceParameters::from_info(&info, &infos).unwrap();
    assert_eq!(params.cipher(), Cipher::Aes128);

    // K = SHA-1(MRZ information), K_π = KDF(K, 3).
    use sha1::Digest;
    assert_eq!(sha1::Sha1::digest(MRZ_INFORMATION).to_vec(), hex(K_MRZ));
    let password = Password::mrz_information(MRZ_INFORMATION);
    assert_eq!(password.key(Cipher::Aes128).as_bytes(), hex(K_PI));

    let mut card = ScriptedCard::new(script());
    let mut eph = InjectedEphemeral {
        nonce: None,
        mapping_key: Some(hex(MAP_SK_IFD)),
        agreement_key: Some(hex(SK_IFD)),
    };
    let out = terminal::run(&mut card, &params, &password, None, &mut eph).unwrap();
    card.assert_done();

    let t = &out.transcript;
    assert_eq!(t.encrypted_nonce, hex(NONCE_Z));
    assert_eq!(*t.nonce, hex(NONCE_S));
    assert_eq!(t.mapping_public_key_terminal, hex(MAP_PK_IFD));
    assert_eq!(t.mapping_public_key_chip, hex(MAP_PK_IC));
    assert_eq!(t.mapped_generator, hex(MAPPED_G));
    assert_eq!(t.public_key_terminal, hex(PK_IFD));
    assert_eq!(t.public_key_chip, hex(PK_IC_EPH));
    assert_eq!(*t.shared_secret, hex(SHARED_K));
    assert_eq!(out.sm.keys().k_enc().as_bytes(), hex(KS_ENC));
    assert_eq!(out.sm.keys().k_mac().as_bytes(), hex(KS_MAC));
    assert_eq!(t.token_terminal, hex(T_IFD));
    assert_eq!(t.token_chip, hex(T_IC));
    assert_eq!(t.encrypted_cam_data, hex(A_IC));
    assert_eq!(out.report.mapping, "CAM");
    assert_eq!(out.report.oid, "0.4.0.127.0.7.2.2.4.6.2");
    assert_eq!(out.report.password, PasswordKind::Mrz);
    // PACE alone cannot judge CAM: EF.CardSecurity must be verified first.
    assert_eq!(out.report.cam, CamCheck::NotPerformed);

    // The chip's key pairs are consistent; H = SK_map,IFD · PK_map,IC.
    let g = Group::standard(13).unwrap();
    let pk = |sk: &str| {
        let k = g.private_key(&hex(sk)).unwrap();
        g.encode(&g.public_key(&k, &g.generator()).unwrap())
    };
    assert_eq!(pk(MAP_SK_IC), hex(MAP_PK_IC));
    let h = g
        .agree_element(
            &g.private_key(&hex(MAP_SK_IFD)).unwrap(),
            &g.decode(&hex(MAP_PK_IC)).unwrap(),
        )
        .unwrap();
    assert_eq!(g.encode(&h), hex(H));
    let mapped = g.decode(&hex(MAPPED_G)).unwrap();
    // The published SK_IC (CD62...) is above brainpoolP256r1's order n (A9FB...), so it is not a
    // private key our chip would generate; as a scalar it still gives the published PK_IC.
    assert!(g.private_key(&hex(SK_IC)).is_err());
    assert_eq!(
        g.encode(&g.mul_bytes(&hex(SK_IC), &mapped).unwrap()),
        hex(PK_IC_EPH)
    );

    // IV = E(KS_enc, -1); A_IC decrypts to CA_IC.
    let mut iv = vec![0xFF; 16];
    cbc_encrypt(Cipher::Aes128, &hex(KS_ENC), &[0; 16], &mut iv).unwrap();
    assert_eq!(iv, hex(IV_CAM));
    let cam = out.cam.as_ref().unwrap();
    assert_eq!(cam.ca_ic(), hex(CA_IC));
    let ca_ic = pace::decrypt_cam_data(Cipher::Aes128, out.sm.keys().k_enc(), &hex(A_IC)).unwrap();
    assert_eq!(*ca_ic, hex(CA_IC));

    // The published ChipAuthenticationPublicKeyInfo and PK_map,IC = CA_IC · PK_IC.
    let cs = SecurityInfos::parse(&encode(Tag(0x31), &hex(CA_PK_INFO))).unwrap();
    let key = match &cs.infos[0] {
        SecurityInfo::ChipAuthenticationPublicKey(k) => k,
        other => panic!("{other:?}"),
    };
    assert_eq!(key.agreement, KeyAgreement::Ecdh);
    assert_eq!(key.key_id, Some(13));
    assert_eq!(key.public_key.key, hex(PK_IC_STATIC));
    cam.verify(&hex(PK_IC_STATIC)).unwrap();
    assert_eq!(
        g.encode(
            &g.mul_bytes(&hex(CA_IC), &g.decode(&hex(PK_IC_STATIC)).unwrap())
                .unwrap()
        ),
        hex(MAP_PK_IC)
    );

    // The same check as the read flow runs it, once EF.CardSecurity is verified.
    let r = ca::check_pace_cam(
        Some(cam),
        &card_security_shell(),
        &CardSecurityVerdict::Verified,
    );
    assert_eq!(
        r,
        CamVerification::Passed {
            key_id: Some(13),
            standard_id: Some(13)
        }
    );
    // Another key (the chip's ephemeral one, as a stand-in) does not pass.
    assert!(cam.verify(&hex(PK_IC_EPH)).is_err());
}
