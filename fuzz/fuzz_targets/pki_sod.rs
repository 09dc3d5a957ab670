//! EF.SOD / CMS SignedData: parse and fully verify arbitrary bytes against the fixture trust store
//! (with DG1 taken from the input's tail so data-group hashing runs too).
#![no_main]

use epassport_pki::{Options, TrustStore, verify_card_security, verify_sod};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn store() -> &'static TrustStore {
    static S: OnceLock<TrustStore> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = TrustStore::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/pki");
        let _ = s.load_path(std::path::Path::new(&format!("{dir}/trust")), &[]);
        let _ = s.load_path(std::path::Path::new(&format!("{dir}/crl/csca-p256.crl")), &[]);
        s
    })
}

fuzz_target!(|data: &[u8]| {
    let opts = Options { time: 1_780_000_000, ..Options::default() };
    let _ = epassport_pki::cms::SignedData::from_ber(data);
    let split = data.len().saturating_sub(16);
    let dgs = BTreeMap::from([(1u8, data[split..].to_vec())]);
    let r = verify_sod(data, &dgs, store(), &opts);
    assert!(!r.is_authentic() || r.sod_signature.passed());
    let c = verify_card_security(data, store(), &opts);
    assert!(c.security_infos.is_none() || c.report.is_authentic());
});
