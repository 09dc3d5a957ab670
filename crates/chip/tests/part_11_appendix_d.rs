//! ICAO Doc 9303-11 (8th ed.) Appendix D: the BAC and secure-messaging worked example, every
//! intermediate value asserted, against a scripted card that answers 6988 to anything
//! unexpected. Plus an AES-256 secure-messaging exchange (gmrtd's EF.COM read vector).

#![allow(clippy::unwrap_used)]

use epassport_card::{CardError, Command, Response, StatusWord, Transport, exchange};
use epassport_chip::bac::{self, BacChip, BacNonces, BacTerminal};
use epassport_chip::sm::{SecureMessaging, SecureTransport, SmKeys, mac8, pad};
use epassport_chip::{Cipher, KdfCounter, SecretKey, kdf};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// A card that plays a script: each command must match exactly, else it answers 6988.
struct ScriptedCard {
    script: Vec<(Vec<u8>, Vec<u8>)>,
    pos: usize,
    unexpected: usize,
}

impl ScriptedCard {
    fn new(script: &[(&str, &str)]) -> Self {
        ScriptedCard {
            script: script.iter().map(|(c, r)| (h(c), h(r))).collect(),
            pos: 0,
            unexpected: 0,
        }
    }
    fn done(&self) {
        assert_eq!(self.unexpected, 0, "the card saw unexpected commands");
        assert_eq!(
            self.pos,
            self.script.len(),
            "not every scripted exchange ran"
        );
    }
}

impl Transport for ScriptedCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        match self.script.get(self.pos) {
            Some((c, r)) if c == command => {
                self.pos += 1;
                Ok(r.clone())
            }
            _ => {
                self.unexpected += 1;
                Ok(vec![0x69, 0x88])
            }
        }
    }
}

const MRZ_INFORMATION: &str = "L898902C<369080619406236";
const KSEED: &str = "239AB9CB282DAF66231DC5A4DF6BFBAE";
const KENC: &str = "AB94FDECF2674FDFB9B391F85D7F76F2";
const KMAC: &str = "7962D9ECE03D1ACD4C76089DCE131543";
const RND_IC: &str = "4608F91988702212";
const RND_IFD: &str = "781723860C06C226";
const K_IFD: &str = "0B795240CB7049B01C19B33E32804F0B";
const K_IC: &str = "0B4F80323EB3191CB04970CB4052790B";
const E_IFD: &str = "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2";
const M_IFD: &str = "5F1448EEA8AD90A7";
const RESP: &str =
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449";
const KSENC: &str = "979EC13B1CBFE9DCD01AB0FED307EAE5";
const KSMAC: &str = "F1CB1F1FB5ADF208806B89DC579DC1F8";
const SSC: &str = "887022120C06C226";

fn nonces() -> BacNonces {
    BacNonces::new(h(RND_IFD).try_into().unwrap(), h(K_IFD).try_into().unwrap())
}

/// D.2: computing the keys from the MRZ information.
#[test]
fn d2_key_derivation() {
    assert_eq!(bac::kseed(MRZ_INFORMATION.as_bytes()).as_bytes(), h(KSEED));
    let kseed = h(KSEED);
    assert_eq!(
        kdf(&kseed, KdfCounter::Enc, Cipher::Tdes).as_bytes(),
        h(KENC)
    );
    assert_eq!(
        kdf(&kseed, KdfCounter::Mac, Cipher::Tdes).as_bytes(),
        h(KMAC)
    );
    let keys = bac::bac_keys(MRZ_INFORMATION.as_bytes());
    assert_eq!(keys.k_enc().as_bytes(), h(KENC));
    assert_eq!(keys.k_mac().as_bytes(), h(KMAC));
}

/// D.3: authentication and establishment of session keys, step by step.
#[test]
fn d3_mutual_authentication_steps() {
    let keys = bac::bac_keys(MRZ_INFORMATION.as_bytes());
    let term = BacTerminal::new(keys.clone(), nonces(), h(RND_IC).try_into().unwrap());
    assert_eq!(
        term.s().to_vec(),
        h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B")
    );
    let data = term.command_data().unwrap();
    assert_eq!(data[..32], h(E_IFD)[..]);
    assert_eq!(data[32..], h(M_IFD)[..]);
    // M_IFD is the retail MAC of the padded E_IFD.
    assert_eq!(
        mac8(Cipher::Tdes, &h(KMAC), &h(E_IFD)).unwrap().to_vec(),
        h(M_IFD)
    );

    let (sm, k_ic) = term.finish(&h(RESP)).unwrap();
    assert_eq!(k_ic.as_bytes(), h(K_IC));
    assert_eq!(sm.keys().k_enc().as_bytes(), h(KSENC));
    assert_eq!(sm.keys().k_mac().as_bytes(), h(KSMAC));
    assert_eq!(sm.ssc(), h(SSC));
    // K_seed of the session = K.IFD xor K.IC.
    let seed: Vec<u8> = h(K_IFD).iter().zip(h(K_IC)).map(|(a, b)| a ^ b).collect();
    assert_eq!(seed, h("0036D272F5C350ACAC50C3F572D23600"));

    // The chip side, fed the same nonces, produces the published response and the same session.
    let chip = BacChip::new(
        keys,
        BacNonces::new(h(RND_IC).try_into().unwrap(), h(K_IC).try_into().unwrap()),
    );
    let (resp, chip_sm) = chip.respond(&data).unwrap();
    assert_eq!(resp.to_vec(), h(RESP));
    assert_eq!(chip_sm.ssc(), h(SSC));
    assert_eq!(chip_sm.keys(), sm.keys());
}

const SELECT_COM: &str = "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800";
const SELECT_COM_RESP: &str = "990290008E08FA855A5D4C50A8ED9000";
const READ_4: &str = "0CB000000D9701048E08ED6705417E96BA5500";
const READ_4_RESP: &str = "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000";
const READ_18: &str = "0CB000040D9701128E082EA28A70F3C7B53500";
const READ_18_RESP: &str =
    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000";

fn session_keys() -> SmKeys {
    SmKeys::new(
        Cipher::Tdes,
        SecretKey::new(h(KSENC)),
        SecretKey::new(h(KSMAC)),
    )
    .unwrap()
}

/// D.4: the three protected APDUs, every intermediate value and SSC.
#[test]
fn d4_secure_messaging_steps() {
    let mut sm = SecureMessaging::new(session_keys(), &h(SSC)).unwrap();
    let cipher = Cipher::Tdes;

    // 1. SELECT EF.COM.
    let select = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E"));
    assert_eq!(select.to_bytes().unwrap(), h("00A4020C02011E"));
    assert_eq!(pad(&h("0CA4020C"), 8), h("0CA4020C80000000"));
    assert_eq!(pad(&h("011E"), 8), h("011E800000000000"));
    let p = sm.wrap_command(&select).unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C227"));
    assert_eq!(p.data[..11], h("8709016375432908C044F6")[..]);
    // N = SSC || padded header || DO'87' || padding; CC = retail MAC.
    let n = h("887022120C06C2270CA4020C800000008709016375432908C044F6");
    assert_eq!(
        pad(&n, 8),
        h("887022120C06C2270CA4020C800000008709016375432908C044F68000000000")
    );
    assert_eq!(
        mac8(cipher, &h(KSMAC), &n).unwrap().to_vec(),
        h("BF8B92D635FF24F8")
    );
    assert_eq!(p.to_bytes().unwrap(), h(SELECT_COM));
    let r = sm
        .unwrap_response(&Response::parse(&h(SELECT_COM_RESP)).unwrap())
        .unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C228"));
    assert_eq!(
        mac8(cipher, &h(KSMAC), &h("887022120C06C22899029000"))
            .unwrap()
            .to_vec(),
        h("FA855A5D4C50A8ED")
    );
    assert_eq!(r, Response::new(vec![], StatusWord::OK));

    // 2. READ BINARY of the first four bytes.
    let read4 = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
    assert_eq!(read4.to_bytes().unwrap(), h("00B0000004"));
    let p = sm.wrap_command(&read4).unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C229"));
    assert_eq!(
        mac8(
            cipher,
            &h(KSMAC),
            &h("887022120C06C2290CB0000080000000970104")
        )
        .unwrap()
        .to_vec(),
        h("ED6705417E96BA55")
    );
    assert_eq!(p.to_bytes().unwrap(), h(READ_4));
    let r = sm
        .unwrap_response(&Response::parse(&h(READ_4_RESP)).unwrap())
        .unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C22A"));
    assert_eq!(
        mac8(
            cipher,
            &h(KSMAC),
            &h("887022120C06C22A8709019FF0EC34F992265199029000")
        )
        .unwrap()
        .to_vec(),
        h("AD55CC17140B2DED")
    );
    assert_eq!(r.data, h("60145F01"));
    assert_eq!(r.sw, StatusWord::OK);

    // 3. READ BINARY of the remaining 18 bytes from offset 4.
    let read18 = Command::new(0x00, 0xB0, 0x00, 0x04).with_le(0x12);
    assert_eq!(read18.to_bytes().unwrap(), h("00B0000412"));
    let p = sm.wrap_command(&read18).unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C22B"));
    assert_eq!(
        mac8(
            cipher,
            &h(KSMAC),
            &h("887022120C06C22B0CB0000480000000970112")
        )
        .unwrap()
        .to_vec(),
        h("2EA28A70F3C7B535")
    );
    assert_eq!(p.to_bytes().unwrap(), h(READ_18));
    let r = sm
        .unwrap_response(&Response::parse(&h(READ_18_RESP)).unwrap())
        .unwrap();
    assert_eq!(sm.ssc(), h("887022120C06C22C"));
    assert_eq!(
        mac8(
            cipher,
            &h(KSMAC),
            &h("887022120C06C22C871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A99029000")
        )
        .unwrap()
        .to_vec(),
        h("C8B2787EAEA07D74")
    );
    assert_eq!(r.data, h("04303130365F36063034303030305C026175"));
}

/// D.3 + D.4 end to end over a transport: GET CHALLENGE, MUTUAL AUTHENTICATE, then EF.COM read
/// through [`SecureTransport`] against the scripted card.
#[test]
fn appendix_d_end_to_end() {
    let mut card = ScriptedCard::new(&[
        ("0084000008", "4608F919887022129000"),
        (
            "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
            &format!("{RESP}9000"),
        ),
        (SELECT_COM, SELECT_COM_RESP),
        (READ_4, READ_4_RESP),
        (READ_18, READ_18_RESP),
    ]);
    let sm = bac::authenticate(
        &mut card,
        bac::bac_keys(MRZ_INFORMATION.as_bytes()),
        nonces(),
    )
    .unwrap();
    assert_eq!(sm.ssc(), h(SSC));
    let mut st = SecureTransport::new(&mut card, sm);
    let r = exchange(
        &mut st,
        &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E")),
    )
    .unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    let r = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4)).unwrap();
    assert_eq!(r.data, h("60145F01"));
    let r = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x04).with_le(0x12)).unwrap();
    assert_eq!(r.data, h("04303130365F36063034303030305C026175"));
    assert_eq!(st.secure_messaging().ssc(), h("887022120C06C22C"));
    drop(st);
    card.done();
}

/// Wrong MRZ data: the chip answers 6300 to MUTUAL AUTHENTICATE; BAC says so precisely and sends
/// nothing more.
#[test]
fn wrong_mrz_is_access_denied() {
    let mut card = ScriptedCard::new(&[
        ("0084000008", "4608F919887022129000"),
        (
            "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
            "6300",
        ),
    ]);
    let err = bac::authenticate(
        &mut card,
        bac::bac_keys(MRZ_INFORMATION.as_bytes()),
        nonces(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        epassport_chip::ChipError::Bac(bac::BacError::AccessDenied {
            sw: StatusWord(0x6300)
        })
    );
    assert_eq!(
        err.to_string(),
        "the chip refused the document number, birth date or expiry date (MUTUAL AUTHENTICATE answered 6300 (verification failed))"
    );
    assert!(err.is_access_denied());
    card.done();
}

/// A response whose MAC does not verify ends the session: the data is never returned and
/// nothing more is sent.
#[test]
fn bad_response_mac_ends_session() {
    let mut tampered = h(READ_4_RESP);
    tampered[5] ^= 0x01;
    let mut card = ScriptedCard {
        script: vec![(h(READ_4), tampered)],
        pos: 0,
        unexpected: 0,
    };
    let sm = SecureMessaging::new(session_keys(), &h("887022120C06C228")).unwrap();
    let mut st = SecureTransport::new(&mut card, sm);
    let err = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4)).unwrap_err();
    assert_eq!(
        err,
        CardError::Transport(
            "secure messaging: the MAC of the response does not verify (SSC 887022120C06C22A); it was not used".into()
        )
    );
    assert!(st.session_error().is_some());
    let again = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4)).unwrap_err();
    assert!(again.to_string().contains("session has ended"), "{again}");
    drop(st);
    card.done();
}

/// AES-256 secure messaging: gmrtd's EF.COM read (SSC 0x20 → 0x26), every APDU byte-exact.
#[test]
fn aes256_secure_messaging_ef_com() {
    let keys = SmKeys::new(
        Cipher::Aes256,
        SecretKey::new(h(
            "74B94F408BBB2CD92571FD5B6370A94CCE7A2FA42AE3EB4DA47B97CE6EAA24C6",
        )),
        SecretKey::new(h(
            "9E28D5D9FF1D979BE752E8926BF0E1D35A440FC0AEFC4AA3BC5610055AC8B113",
        )),
    )
    .unwrap();
    let mut card = ScriptedCard::new(&[
        (
            "0CA4020C1D8711011D35E7EB510E21A0DD12380D9AD2B92D8E0828CB68B81D3FAFC000",
            "990290008E08E083EAA61ADABFCE9000",
        ),
        (
            "0CB000000D9701048E084AFC933E0CDBE5F000",
            "871101D8059A9CF835105082CA2B1837E4AEC0990290008E08B36DB56761D706BB9000",
        ),
        (
            "0CB000040D9701168E0811F7EFC907D1F27400",
            "87210142E919C115FAF69350B01813D77A9E8D91912A7F717AFD073F199070E61B79C6990290008E083382E3D983F441369000",
        ),
    ]);
    let sm = SecureMessaging::new(keys, &h("00000000000000000000000000000020")).unwrap();
    let mut st = SecureTransport::new(&mut card, sm);
    exchange(
        &mut st,
        &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E")),
    )
    .unwrap();
    let a = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4)).unwrap();
    let b = exchange(&mut st, &Command::new(0x00, 0xB0, 0x00, 0x04).with_le(0x16)).unwrap();
    assert_eq!(
        [a.data, b.data].concat(),
        h("60185F0104303130385F36063034303030305C06617563766D6E")
    );
    assert_eq!(
        st.secure_messaging().ssc(),
        h("00000000000000000000000000000026")
    );
    drop(st);
    card.done();
}

/// ICAO 9303-11 Appendix G.1 key derivation for AES-128 from the ECDH shared secret.
#[test]
fn kdf_aes128_appendix_g1() {
    let k = h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
    assert_eq!(
        kdf(&k, KdfCounter::Enc, Cipher::Aes128).as_bytes(),
        h("F5F0E35C0D7161EE6724EE513A0D9A7F")
    );
    assert_eq!(
        kdf(&k, KdfCounter::Mac, Cipher::Aes128).as_bytes(),
        h("FE251C7858B356B24514B3BD5F4297D1")
    );
}
