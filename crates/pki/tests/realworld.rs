//! Real documents from other projects' test suites (../shared/realworld, see its MANIFEST.md):
//! six countries' SODs, the German master list, the Colombia CRL, a German EF.CardSecurity and the
//! BSI 2008 specimen LDS. These tests FAIL (never skip) when the folder is absent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use epassport_pki::{
    Certificate, Crl, Options, Outcome, TimePolicy, TrustStore, Verdict, time,
    verify_card_security, verify_sod,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

fn shared() -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/realworld"
    ));
    assert!(
        p.is_dir(),
        "../shared/realworld (beside the repository) is absent: these tests need the shared \
         real-world sample data at {}",
        p.display()
    );
    p
}

fn read(rel: &str) -> Vec<u8> {
    let p = shared().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn de_root() -> Certificate {
    Certificate::from_der(&read("pki/DE_ROOT_CA_CSCA07.cer")).unwrap()
}

fn de_ml() -> &'static TrustStore {
    static S: OnceLock<TrustStore> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = TrustStore::new();
        let info = s
            .add_master_list(
                &read("pki/DE_ML_2026-05-28-08-28-45.ml"),
                &[de_root()],
                "DE ML",
            )
            .unwrap();
        assert_eq!(
            info.signer_chain,
            Outcome::Passed(
                "signer issued by C=DE, O=bund, OU=bsi, CN=csca-germany, a given root".into()
            )
        );
        s
    })
}

/// Signature and chain only: the samples' certificates are not all valid today.
fn sig_and_chain() -> Options {
    Options {
        ds_validity: TimePolicy::Skip,
        csca_validity: TimePolicy::Skip,
        ..Options::default()
    }
}

const COUNTRIES: [(&str, &str); 6] = [
    ("AT", "ECDSA SHA-256"),
    ("AU", "rsaEncryption (PKCS#1 v1.5 with the digestAlgorithm)"),
    ("CN", "RSA PKCS#1 v1.5 SHA-256"),
    ("DE", "ECDSA SHA-384"),
    ("FR", "RSA PKCS#1 v1.5 SHA-256"),
    ("MY", "RSASSA-PSS SHA-256 MGF1-SHA-256 salt 32"),
];

#[test]
fn german_master_list_loads_with_its_signature_verified() {
    let s = de_ml();
    assert_eq!(s.cscas().len(), 588);
    let info = &s.master_lists[0];
    assert_eq!(info.signature, Outcome::Passed("ECDSA SHA-256".into()));
    assert_eq!(info.unparsable, 0);
    assert!(info.trusted);
    // Without a root it is only self-consistent, says so, and is refused.
    let ml = read("pki/DE_ML_2026-05-28-08-28-45.ml");
    let (info, _) = epassport_pki::inspect_master_list(&ml, &[], "x").unwrap();
    assert_eq!(
        info.signer_chain,
        Outcome::NotPerformed("no root given".into())
    );
    assert!(
        matches!(&info.self_consistency, Outcome::Passed(m) if m.contains("self-consistent only")),
        "{:?}",
        info.self_consistency
    );
    assert!(!info.trusted);
    let mut s = TrustStore::new();
    assert!(matches!(
        s.add_master_list(&ml, &[], "x"),
        Err(epassport_pki::PkiError::MasterListUntrusted(_))
    ));
    assert!(s.cscas().is_empty());
}

#[test]
fn every_real_sod_verifies_against_its_own_csca() {
    for (cc, alg) in COUNTRIES {
        let mut own = TrustStore::new();
        own.add_csca(
            Certificate::from_der(&read(&format!("sod/{cc}_CSCA_from_sod_test.cer"))).unwrap(),
        );
        let r = verify_sod(
            &read(&format!("sod/{cc}_EF_SOD.bin")),
            &BTreeMap::new(),
            &own,
            &sig_and_chain(),
        );
        assert!(r.sod_signature.passed(), "{cc}: {:?}", r.sod_signature);
        assert!(r.chain.passed(), "{cc}: {:?}", r.chain);
        assert_eq!(r.signature_algorithm.as_deref(), Some(alg), "{cc}");
        assert_eq!(r.verdict, Verdict::SignatureValid, "{cc}: {r:#?}");
        assert_eq!(r.ds_source, Some("embedded"));
        let ds = Certificate::from_der(&read(&format!("sod/{cc}_DSC_from_sod_test.cer"))).unwrap();
        assert_eq!(r.ds.as_ref().unwrap().sha256, ds.fingerprint(), "{cc}");
    }
}

#[test]
fn every_real_sod_verifies_against_the_german_master_list() {
    for (cc, _) in COUNTRIES {
        let r = verify_sod(
            &read(&format!("sod/{cc}_EF_SOD.bin")),
            &BTreeMap::new(),
            de_ml(),
            &sig_and_chain(),
        );
        assert!(r.sod_signature.passed() && r.chain.passed(), "{cc}: {r:#?}");
        let own =
            Certificate::from_der(&read(&format!("sod/{cc}_CSCA_from_sod_test.cer"))).unwrap();
        assert_eq!(
            r.csca.as_ref().unwrap().subject,
            own.subject.to_string(),
            "{cc}"
        );
    }
}

#[test]
fn quirks_are_handled_where_they_occur() {
    // MY: SignerInfo issuer RDNs in another order than the certificate's issuer.
    let sd = epassport_pki::cms::SignedData::from_ber(&read("sod/MY_EF_SOD.bin")).unwrap();
    let epassport_pki::cms::SignerId::IssuerSerial { issuer, .. } = &sd.signer_infos[0].sid else {
        panic!("MY uses issuerAndSerialNumber")
    };
    let ds = Certificate::from_der(&read("sod/MY_DSC_from_sod_test.cer")).unwrap();
    assert_ne!(issuer.attributes, ds.issuer.attributes, "RDN order differs");
    assert_eq!(*issuer, ds.issuer, "but the names are equal");
    // AT and DE: explicit EC domain parameters, recognised as named curves.
    for (cc, curve) in [
        ("AT", "EC brainpoolP256r1 (explicit parameters)"),
        ("DE", "EC brainpoolP384r1 (explicit parameters)"),
    ] {
        let c = Certificate::from_der(&read(&format!("sod/{cc}_DSC_from_sod_test.cer"))).unwrap();
        assert_eq!(c.public_key.kind(), curve, "{cc}");
    }
    // CN: id-data as eContentType, accepted with a warning.
    let r = verify_sod(
        &read("sod/CN_EF_SOD.bin"),
        &BTreeMap::new(),
        de_ml(),
        &sig_and_chain(),
    );
    assert_eq!(
        r.warnings,
        vec!["eContentType is id-data instead of the LDS security object OID".to_string()]
    );
}

#[test]
fn bsi_2008_specimen_data_groups_match_its_sod() {
    let mut dgs = BTreeMap::new();
    for n in [1u8, 2, 3, 14] {
        dgs.insert(n, read(&format!("lds/bsi2008/DG{n}.bin")));
    }
    let r = verify_sod(
        &read("lds/bsi2008/EF_SOD.bin"),
        &dgs,
        de_ml(),
        &sig_and_chain(),
    );
    assert_eq!(
        r.dg_hash,
        Outcome::Passed("4 match, 0 not read".into()),
        "{r:#?}"
    );
    assert!(r.sod_signature.passed(), "{:?}", r.sod_signature);
    // Its CSCA ("CSCA BDR TEST 19.09.07") is not public: never authentic.
    assert_eq!(r.verdict, Verdict::NotAuthentic);
    assert_eq!(r.failed_step, Some(epassport_pki::Step::Chain));
}

#[test]
fn colombia_crl_parses_and_verifies() {
    let crl = Crl::from_der(&read("pki/COL.crl")).unwrap();
    assert_eq!(crl.issuer.country(), Some("CO"));
    let signers: Vec<&Certificate> = de_ml().cscas().iter().filter(|c| crl.is_from(c)).collect();
    assert!(
        !signers.is_empty(),
        "a Colombian CSCA in the German master list"
    );
    assert!(
        signers
            .iter()
            .any(|c| crl.verify_signed_by(&c.public_key).is_ok()),
        "CRL signature by the CSCA"
    );
    assert!(crl.next_update.is_some());
}

#[test]
fn german_card_security_verifies_and_releases_its_security_infos() {
    let o = Options {
        time: time::unix_time(2026, 1, 1, 0, 0, 0),
        ..sig_and_chain()
    };
    let r = verify_card_security(&read("sod/DE_EF_CardSecurity.bin"), de_ml(), &o);
    assert!(r.report.sod_signature.passed(), "{:#?}", r.report);
    assert!(r.report.chain.passed(), "{:#?}", r.report);
    assert_eq!(r.report.verdict, Verdict::Authentic);
    let infos = r.security_infos.unwrap();
    assert_eq!(infos[0], 0x31, "SecurityInfos is a SET");
    // Without anchors nothing is released.
    let r = verify_card_security(&read("sod/DE_EF_CardSecurity.bin"), &TrustStore::new(), &o);
    assert_eq!(r.security_infos, None);
}
