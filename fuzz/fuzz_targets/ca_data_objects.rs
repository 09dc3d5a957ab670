//! Chip Authentication: the data objects a chip or a terminal sends (SecurityInfos from DG14 /
//! EF.CardSecurity, the terminal's ephemeral key in DO'91' / 7C{80}, PKCS#8 keys in fixtures).
//! The chip side of a P-256 key agreement is driven with the fuzzed public key. Nothing may panic.
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
    if let Ok(group) = Group::standard(12) {
        if let Ok(sk) = group.private_key(&[0x42; 32]) {
            let _ = ca::chip_session(&group, &sk, data, Cipher::Aes128);
        }
    }
});
