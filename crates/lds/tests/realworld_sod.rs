//! EF.SOD samples from six countries and the BSI 2008 set: the LDSSecurityObject inside each.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use epassport_lds::{HashAlgorithm, LdsSecurityObject, sod::econtent_of_ef_sod};

fn lso(rel: &str) -> LdsSecurityObject {
    let sod = common::read(rel);
    let ec = econtent_of_ef_sod(&sod).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let lso = LdsSecurityObject::from_der(ec).unwrap_or_else(|e| panic!("{rel}: {e}"));
    // Encoding gives back the same DER.
    assert_eq!(lso.to_der(), ec, "{rel} re-encodes differently");
    lso
}

#[test]
fn bsi2008_sod_holds_sha1_hashes_of_dg1_dg2_dg3_dg14() {
    let l = lso("lds/bsi2008/EF_SOD.bin");
    assert_eq!(l.hash_kind(), Some(HashAlgorithm::Sha1));
    let dgs: Vec<u8> = l.data_group_hashes.iter().map(|h| h.number).collect();
    assert_eq!(dgs, [1, 2, 3, 14]);
}

#[test]
fn six_countries() {
    let mut seen = 0;
    for (c, alg) in [
        ("AT", None),
        ("AU", None),
        ("CN", None),
        ("DE", Some(HashAlgorithm::Sha384)),
        ("FR", None),
        ("MY", None),
    ] {
        let l = lso(&format!("sod/{c}_EF_SOD.bin"));
        assert!(l.hash_kind().is_some(), "{c}: unknown hash algorithm");
        if let Some(a) = alg {
            assert_eq!(l.hash_kind(), Some(a), "{c}");
        }
        assert!(l.hash_of(1).is_some(), "{c}: no DG1 hash");
        seen += 1;
    }
    assert_eq!(seen, 6);
}
