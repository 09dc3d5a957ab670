//! CSCA master lists (CMS) and ICAO PKD LDIF text.
#![no_main]

use epassport_pki::{TrustStore, inspect_master_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inspect_master_list(data, &[], "fuzz");
    let mut s = TrustStore::new();
    let _ = s.add_master_list(data, &[], "fuzz");
    let _ = s.add_ldif(&String::from_utf8_lossy(data), &[]);
    let mut sum = Default::default();
    let _ = s.add_bytes(data, &mut sum);
});
