//! Fuzzes SecurityInfos parsing (EF.CardAccess, DG14, EF.CardSecurity's content walk), the
//! re-encoding round trip, and turning PACEInfos / domain parameters into groups.
#![no_main]

use epassport_chip::pace::{candidates, group_from_domain_parameters};
use epassport_lds::security_infos::{SecurityInfo, SecurityInfos, card_security_content};
use libfuzzer_sys::fuzz_target;

fn exercise(s: &SecurityInfos) {
    // Decoded infos re-encode to DER that decodes to the same value.
    let der = s.to_der();
    let again = SecurityInfos::parse(&der).expect("re-encoded SecurityInfos must parse");
    assert_eq!(again.infos.len(), s.infos.len());
    for (a, b) in again.infos.iter().zip(&s.infos) {
        if !matches!(b, SecurityInfo::Malformed { .. } | SecurityInfo::Unknown { .. }) {
            assert_eq!(a, b);
        }
    }
    let _ = candidates(s);
    for d in s.pace_domain_parameter_infos() {
        let _ = group_from_domain_parameters(&d.domain_parameters);
    }
    for k in s.chip_authentication_public_keys() {
        if let Ok((g, _)) = group_from_domain_parameters(&k.public_key.parameters) {
            let _ = g.decode(&k.public_key.key);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = SecurityInfos::parse(data) {
        exercise(&s);
    }
    if let Ok(s) = SecurityInfos::parse_dg14(data) {
        exercise(&s);
    }
    if let Ok(content) = card_security_content(data) {
        if let Ok(s) = SecurityInfos::parse(content) {
            exercise(&s);
        }
    }
});
