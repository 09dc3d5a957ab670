//! SecurityInfos from real documents (../shared/realworld) and from the repository's fixture chips.

#![allow(clippy::unwrap_used, clippy::panic)]

use epassport_lds::security_infos::{
    DomainParameters, KeyAgreement, SecurityInfo, SecurityInfos, card_security_content,
};
use std::path::PathBuf;

fn shared(rel: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realworld");
    assert!(
        root.is_dir(),
        "the shared sample folder {} is absent: these tests need ../shared beside the repository",
        root.display()
    );
    std::fs::read(root.join(rel)).unwrap()
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/chips")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn dg14_samples_have_explicit_ec_ca_keys() {
    for f in ["lds/bsi2008/DG14.bin", "lds/gmrtd-samples/DG14.bin"] {
        let b = shared(f);
        let s = SecurityInfos::parse_dg14(&b).unwrap();
        let pk: Vec<_> = s.chip_authentication_public_keys().collect();
        assert!(!pk.is_empty(), "{f}");
        let k = pk[0];
        assert_eq!(k.agreement, KeyAgreement::Ecdh, "{f}");
        match &k.public_key.parameters {
            DomainParameters::Ec(e) => {
                let l = e.p.len();
                assert!(l == 28 || l == 48, "{f}: field of {l} bytes");
                assert_eq!(k.public_key.key.len(), 1 + 2 * l, "{f}");
                assert_eq!(e.base.len(), 1 + 2 * l, "{f}");
            }
            other => panic!("{f}: {other:?}"),
        }
        assert!(s.chip_authentication_infos().count() >= 1, "{f}");
        assert_eq!(s.to_dg14(), b, "{f}: re-encoding differs");
    }
}

#[test]
fn german_card_security() {
    let b = shared("sod/DE_EF_CardSecurity.bin");
    let content = card_security_content(&b).unwrap();
    let s = SecurityInfos::parse(content).unwrap();
    assert!(s.pace_infos().count() >= 1);
    assert!(s.chip_authentication_public_keys().count() >= 1);
    for i in &s.infos {
        assert!(!matches!(i, SecurityInfo::Malformed { .. }), "{i:?}");
    }
}

#[test]
fn fixture_chips_parse() {
    let mut n = 0;
    for chip in ["demo", "id-card", "clone", "large-dg2", "tampered"] {
        let ca = SecurityInfos::parse(&fixture(&format!("{chip}/CardAccess.bin"))).unwrap();
        assert!(ca.pace_infos().count() >= 1, "{chip}");
        let dg14 = SecurityInfos::parse_dg14(&fixture(&format!("{chip}/DG14.bin"))).unwrap();
        assert!(
            dg14.chip_authentication_public_keys().count() >= 1,
            "{chip}"
        );
        let cs = fixture(&format!("{chip}/CardSecurity.bin"));
        let s = SecurityInfos::parse(card_security_content(&cs).unwrap()).unwrap();
        assert!(s.pace_infos().count() >= 1, "{chip}");
        n += 1;
    }
    assert_eq!(n, 5);
}
