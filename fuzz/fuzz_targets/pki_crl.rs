//! Certificate revocation lists: parse and verify against the fixture P-256 CSCA.
#![no_main]

use epassport_pki::{Certificate, Crl};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn csca() -> Option<&'static Certificate> {
    static C: OnceLock<Option<Certificate>> = OnceLock::new();
    C.get_or_init(|| {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/pki/certs/csca-p256.cer");
        std::fs::read(p).ok().and_then(|b| Certificate::from_der(&b).ok())
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    if let Ok(crl) = Crl::from_der(data) {
        if let Some(ca) = csca() {
            let _ = crl.is_from(ca);
            let _ = crl.verify_signed_by(&ca.public_key);
        }
        let _ = crl.revoked_at(&[0x30, 0x02]);
    }
});
