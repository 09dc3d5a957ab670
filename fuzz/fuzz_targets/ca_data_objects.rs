//! Chip Authentication: the data objects a chip or a terminal sends (SecurityInfos from DG14 /
//! EF.CardSecurity, the terminal's ephemeral key in DO'91' / 7C{80}, PKCS#8 keys in fixtures).
//! The chip side of a P-256 key agreement is driven with the fuzzed public key (CA version 1 and 2),
//! and the chip's CA version 2 answer `7C { 81 r_PICC, 82 T_PICC }` is parsed. Nothing may panic.
#![no_main]

use epassport_chip::ca::{self, CaParameters};
use epassport_chip::crypto::Group;
use epassport_chip::kdf::Cipher;
use epassport_lds::security_infos::SecurityInfos;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(infos) = SecurityInfos::parse(data) {
        let _ = CaParameters::from_security_infos(&infos);
    }
    if let Ok(infos) = SecurityInfos::parse_dg14(data) {
        let _ = CaParameters::from_security_infos(&infos);
    }
    let _ = ca::pkcs8_private_value(data);
    if let Ok(Some(answer)) = ca::parse_ga_response(data) {
        assert!(!answer.nonce.is_empty() && answer.token.len() == 8);
        assert_eq!(
            ca::parse_ga_response(&ca::ga_response_v2(&answer.nonce, &answer.token)).ok(),
            Some(Some(answer))
        );
    }
    if let Ok(group) = Group::standard(12) {
        if let Ok(sk) = group.private_key(&[0x42; 32]) {
            let _ = ca::chip_session(&group, &sk, data, Cipher::Aes128);
            let oid = epassport_lds::Oid(vec![
                0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02,
            ]);
            let _ = ca::chip_session_v2(&group, &sk, data, Cipher::Aes128, &oid, &[1; 8]);
        }
    }
});
