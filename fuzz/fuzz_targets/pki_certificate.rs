//! X.509 certificates and SubjectPublicKeyInfo: parse, print, and verify a self-signature
//! (explicit EC parameters go through the generic curve code).
#![no_main]

use epassport_pki::{Certificate, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Certificate::from_der(data) {
        let _ = c.info();
        let _ = c.verify_signed_by(&c.public_key);
    }
    let _ = PublicKey::from_spki_der(data);
});
