//! Active Authentication: DG15 parsing and signature verification (ISO/IEC 9796-2 recovery and
//! ECDSA) on hostile bytes. The first byte splits the input into a DG15 and a signature; a real
//! DG15 (RSA-1792 from gmrtd's test data) is also tried with the fuzzed signature so the recovery
//! path is reached, and the rest is fed to ISO/IEC 9796-2 message recovery as a representative.
//! Nothing may panic, and nothing but a correct signature may verify.
#![no_main]

use epassport_chip::aa::{self, AaPublicKey};
use epassport_chip::hash::HashAlg;

const REAL_DG15: &[u8] = include_bytes!("../../fixtures/chips/demo/DG15.bin");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let cut = (split as usize).min(rest.len());
    let (dg15, sig) = rest.split_at(cut);
    let challenge = [0x11u8; 8];
    if let Ok(key) = AaPublicKey::from_dg15(dg15) {
        let _ = aa::verify(&key, Some(HashAlg::Sha256), &challenge, sig);
        let _ = key.max_signature_len();
    }
    if let Ok(key) = AaPublicKey::from_dg15(REAL_DG15) {
        assert!(aa::verify(&key, None, &challenge, rest).is_err() || rest.len() >= 128);
    }
    let _ = aa::ec_hash_from_oid(dg15);
    if let Ok(r) = aa::recover_message(rest, &challenge) {
        // Recovery only succeeds when the digest in the representative is hash(M1 || challenge).
        assert_eq!(r.digest, r.hash.digest(&[&r.m1, &challenge]));
    }
});
