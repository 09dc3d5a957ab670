//! The fixture PKI's EF.SOD cases (fixtures/pki/cases, made by fixtures/pki/make.py with
//! OpenSSL): every profile verifies, every tamper case fails at its exact step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use epassport_pki::{
    Certificate, Options, Outcome, Report, Step, TimePolicy, TrustStore, Verdict, time, verify_sod,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki")
}

fn opts() -> Options {
    Options {
        time: time::unix_time(2026, 6, 1, 0, 0, 0),
        ..Options::default()
    }
}

fn store() -> TrustStore {
    let mut s = TrustStore::new();
    let sum = s.load_path(&fixtures().join("trust"), &[]).unwrap();
    assert_eq!(sum.cscas, 10, "{sum:?}");
    for p in ["p256", "rsa", "bp256"] {
        s.load_path(&fixtures().join(format!("crl/csca-{p}.crl")), &[])
            .unwrap();
    }
    s
}

fn dump(name: &str) -> (Vec<u8>, BTreeMap<u8, Vec<u8>>) {
    let dir = fixtures().join("cases").join(name);
    let sod = std::fs::read(dir.join("SOD.bin")).unwrap();
    let mut dgs = BTreeMap::new();
    for n in 1..=16u8 {
        if let Ok(b) = std::fs::read(dir.join(format!("DG{n}.bin"))) {
            dgs.insert(n, b);
        }
    }
    (sod, dgs)
}

fn run(name: &str, store: &TrustStore) -> Report {
    let (sod, dgs) = dump(name);
    verify_sod(&sod, &dgs, store, &opts())
}

fn step_name(s: Step) -> String {
    serde_json::to_value(s)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn every_case_has_its_expected_outcome() {
    let store = store();
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("cases/cases.json")).unwrap())
            .unwrap();
    let mut ran = 0;
    for (name, c) in cases.as_object().unwrap() {
        let expect = c["expect"].as_str().unwrap();
        let r = run(name, &store);
        if expect == "authentic" {
            assert_eq!(r.verdict, Verdict::Authentic, "{name}: {r:#?}");
            assert_eq!(r.failed_step, None);
        } else {
            assert_eq!(r.verdict, Verdict::NotAuthentic, "{name}");
            assert_eq!(
                r.failed_step.map(step_name).as_deref(),
                Some(expect),
                "{name}: {r:#?}"
            );
        }
        ran += 1;
    }
    assert!(ran >= 24, "only {ran} cases ran");
}

#[test]
fn tamper_cases_fail_with_the_precise_reason() {
    let store = store();
    let r = run("flipped-signature", &store);
    assert_eq!(
        r.sod_signature,
        Outcome::Failed("ECDSA signature does not verify".into())
    );
    assert!(r.message_digest.passed() && r.content_type.passed());
    let r = run("dg-mismatch", &store);
    assert_eq!(r.dg_hash, Outcome::Failed("DG1 hash mismatch".into()));
    assert!(r.sod_signature.passed() && r.chain.passed());
    assert_eq!(r.data_groups[0].status, epassport_pki::DgStatus::Mismatch);
    assert_eq!(r.data_groups[1].status, epassport_pki::DgStatus::Match);
    let r = run("revoked-ds", &store);
    assert_eq!(
        r.crl,
        Outcome::Failed(
            "DS serial 3002 revoked on 2025-03-01T00:00:00Z (CRL of C=UT, O=Utopia Test PKI, CN=CSCA UTO p256, thisUpdate 2026-01-01T00:00:00Z)"
                .into()
        )
    );
    let r = run("expired-ds", &store);
    assert_eq!(
        r.ds_validity,
        Outcome::Failed(
            "DS certificate valid 2015-01-01T00:00:00Z to 2016-01-01T00:00:00Z, not at signing time 2025-06-01T00:00:00Z".into()
        )
    );
    let r = run("unrelated-ca", &store);
    assert!(
        matches!(&r.chain, Outcome::Failed(m) if m.starts_with("DS certificate signature by C=UT, O=Utopia Test PKI, CN=CSCA UTO p256")),
        "{:?}",
        r.chain
    );
    let r = run("p256-nocert", &store);
    assert_eq!(
        r.ds_certificate,
        Outcome::Failed("the signer's certificate is neither embedded nor supplied".into())
    );
    assert_eq!(
        r.sod_signature,
        Outcome::NotPerformed("no signer certificate".into())
    );
}

#[test]
fn supplied_ds_certificate_is_used() {
    let mut store = store();
    store
        .load_path(&fixtures().join("certs/ds-p256.cer"), &[])
        .unwrap();
    let r = run("p256-nocert", &store);
    assert_eq!(r.verdict, Verdict::Authentic, "{r:#?}");
    assert_eq!(r.ds_source, Some("supplied"));
}

#[test]
fn missing_anchors_never_yield_authentic() {
    let empty = TrustStore::new();
    for name in ["p256", "rsa", "rsapss", "bp512", "p256x"] {
        let r = run(name, &empty);
        assert_eq!(r.verdict, Verdict::NotAuthentic);
        assert_eq!(r.failed_step, Some(Step::Chain));
        assert!(r.sod_signature.passed(), "{name}");
    }
}

#[test]
fn missing_crl_is_not_checked_and_can_be_required() {
    let mut s = TrustStore::new();
    s.load_path(&fixtures().join("trust"), &[]).unwrap();
    let r = run("p384", &s);
    assert_eq!(
        r.crl,
        Outcome::NotPerformed("no CRL for C=UT, O=Utopia Test PKI, CN=CSCA UTO p384".into())
    );
    assert_eq!(r.verdict, Verdict::Authentic);
    let (sod, dgs) = dump("p384");
    let o = Options {
        require_crl: true,
        ..opts()
    };
    let r = verify_sod(&sod, &dgs, &s, &o);
    assert_eq!(r.verdict, Verdict::NotAuthentic);
    assert_eq!(r.failed_step, Some(Step::Crl));
}

#[test]
fn stale_and_forged_crls_do_not_count_as_checked() {
    for (file, expect) in [
        (
            "crl/csca-p256-stale.crl",
            "not on the CRL, but CRL expired at 2025-01-01T00:00:00Z",
        ),
        ("crl/csca-p256-forged.crl", "no CRL with a valid signature"),
    ] {
        let mut s = TrustStore::new();
        s.load_path(&fixtures().join("trust"), &[]).unwrap();
        s.load_path(&fixtures().join(file), &[]).unwrap();
        let r = run("p256", &s);
        assert_eq!(r.crl, Outcome::NotPerformed(expect.into()), "{file}");
    }
}

#[test]
fn sod_alone_is_signature_valid_not_authentic() {
    let (sod, _) = dump("p256");
    let r = verify_sod(&sod, &BTreeMap::new(), &store(), &opts());
    assert_eq!(r.verdict, Verdict::SignatureValid);
    assert!(!r.is_authentic());
    assert_eq!(
        r.dg_hash,
        Outcome::NotPerformed("no data group supplied".into())
    );
}

#[test]
fn data_group_not_in_sod_fails() {
    let (sod, mut dgs) = dump("p256");
    dgs.insert(11, vec![0x6B, 0x00]);
    let r = verify_sod(&sod, &dgs, &store(), &opts());
    assert_eq!(r.failed_step, Some(Step::DgHash));
    assert_eq!(r.dg_hash, Outcome::Failed("DG11 not in the SOD".into()));
}

#[test]
fn validity_policy_is_configurable() {
    let (sod, dgs) = dump("expired-ds");
    let s = store();
    let o = Options {
        ds_validity: TimePolicy::Skip,
        ..opts()
    };
    let r = verify_sod(&sod, &dgs, &s, &o);
    assert_eq!(
        r.ds_validity,
        Outcome::NotPerformed("skipped by policy".into())
    );
    // The revoked/expired DS is otherwise fine: signature and chain pass.
    assert_eq!(r.verdict, Verdict::Authentic);
}

#[test]
fn explicit_parameters_are_recognised() {
    let c = Certificate::from_der(&std::fs::read(fixtures().join("certs/ds-bp256x.cer")).unwrap())
        .unwrap();
    assert_eq!(
        c.public_key.kind(),
        "EC brainpoolP256r1 (explicit parameters)"
    );
    let c = Certificate::from_der(&std::fs::read(fixtures().join("certs/ds-bp512.cer")).unwrap())
        .unwrap();
    assert_eq!(c.public_key.kind(), "EC brainpoolP512r1");
}

#[test]
fn master_list_link_certificate_and_ldif() {
    let root =
        Certificate::from_der(&std::fs::read(fixtures().join("certs/csca-p256.cer")).unwrap())
            .unwrap();
    let mut s = TrustStore::new();
    let info = s
        .add_master_list(
            &std::fs::read(fixtures().join("masterlist/fixtures.ml")).unwrap(),
            std::slice::from_ref(&root),
            "fixtures.ml",
        )
        .unwrap();
    assert!(
        info.signature.passed() && info.signer_chain.passed(),
        "{info:?}"
    );
    assert_eq!(info.certificates, 11);
    assert_eq!(s.cscas().len(), 11);
    let r = run("rsa2", &s);
    assert_eq!(r.verdict, Verdict::Authentic, "{r:#?}");

    let err = TrustStore::new()
        .add_master_list(
            &std::fs::read(fixtures().join("masterlist/tampered.ml")).unwrap(),
            std::slice::from_ref(&root),
            "tampered.ml",
        )
        .unwrap_err();
    assert!(err.to_string().contains("messageDigest"), "{err}");
    // A root that did not sign the list's signer.
    let other =
        Certificate::from_der(&std::fs::read(fixtures().join("certs/csca-rogue.cer")).unwrap())
            .unwrap();
    let err = TrustStore::new()
        .add_master_list(
            &std::fs::read(fixtures().join("masterlist/fixtures.ml")).unwrap(),
            &[other],
            "fixtures.ml",
        )
        .unwrap_err();
    assert!(err.to_string().contains("signer chain FAILED"), "{err}");

    let mut s = TrustStore::new();
    let sum = s
        .load_path(&fixtures().join("masterlist/fixtures.ldif"), &[root])
        .unwrap();
    assert_eq!((sum.cscas, sum.ds_certs, sum.crls), (11, 2, 1), "{sum:?}");
    let r = run("revoked-ds", &s);
    assert_eq!(r.failed_step, Some(Step::Crl));
}

fn chip_dump(name: &str) -> (Vec<u8>, BTreeMap<u8, Vec<u8>>) {
    let dir = fixtures().join("../chips").join(name);
    let sod = std::fs::read(dir.join("SOD.bin")).unwrap();
    let mut dgs = BTreeMap::new();
    for n in 1..=16u8 {
        if let Ok(b) = std::fs::read(dir.join(format!("DG{n}.bin"))) {
            dgs.insert(n, b);
        }
    }
    (sod, dgs)
}

#[test]
fn software_chips_pass_or_fail_passive_authentication_as_designed() {
    let s = store();
    for (chip, authentic) in [
        ("demo", true),
        ("clone", true),
        ("bac-only", true),
        ("id-card", true),
        ("large-dg2", true),
        ("tampered", false),
    ] {
        let (sod, dgs) = chip_dump(chip);
        let r = verify_sod(&sod, &dgs, &s, &opts());
        assert_eq!(r.is_authentic(), authentic, "{chip}: {r:#?}");
        if !authentic {
            assert_eq!(r.dg_hash, Outcome::Failed("DG1 hash mismatch".into()));
        }
        let cs = fixtures()
            .join("../chips")
            .join(chip)
            .join("CardSecurity.bin");
        if let Ok(bytes) = std::fs::read(cs) {
            let c = epassport_pki::verify_card_security(&bytes, &s, &opts());
            assert!(c.report.is_authentic(), "{chip}: {:#?}", c.report);
            assert!(c.security_infos.is_some());
        }
    }
}

fn cert(rel: &str) -> Certificate {
    Certificate::from_der(&std::fs::read(fixtures().join(rel)).unwrap()).unwrap()
}

#[test]
fn a_master_list_that_is_only_self_consistent_is_refused_unless_opted_in() {
    let ml = std::fs::read(fixtures().join("masterlist/fixtures.ml")).unwrap();
    // No root given: refused, and the error says why.
    let err = TrustStore::new()
        .add_master_list(&ml, &[], "fixtures.ml")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "master list not trusted: fixtures.ml: signature passed (ECDSA SHA-256); signer chain \
         not performed: no root given; self-consistency passed (signer issued by C=UT, \
         O=Utopia Test PKI, CN=CSCA UTO p256, a CSCA in the list itself (self-consistent only)); \
         not trusted: the signer does not chain to a given root"
    );
    let (info, _) = epassport_pki::inspect_master_list(&ml, &[], "fixtures.ml").unwrap();
    assert!(!info.trusted);
    assert_eq!(
        info.signer_chain,
        Outcome::NotPerformed("no root given".into())
    );
    // A root that is not the signer's issuer: refused too (the list's own CSCA does not help).
    let mut s = TrustStore::new();
    let err = s
        .add_master_list(&ml, &[cert("certs/csca-rogue.cer")], "fixtures.ml")
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "signer chain FAILED: no certificate named C=UT, O=Utopia Test PKI, CN=CSCA UTO p256 among them"
        ),
        "{err}"
    );
    assert!(s.cscas().is_empty());
    // Opted in: trusted, and the report says it was without a verified chain.
    let mut s = TrustStore::new();
    s.trust_unverified_master_lists(true);
    let info = s.add_master_list(&ml, &[], "fixtures.ml").unwrap();
    assert!(info.trusted);
    assert!(
        info.trust
            .starts_with("trusted WITHOUT a verified signer chain (opted in): passed (signer issued by C=UT, O=Utopia Test PKI, CN=CSCA UTO p256"),
        "{}",
        info.trust
    );
    assert_eq!(s.cscas().len(), 11);
    // Opting in never admits a list whose signature fails.
    let err = s
        .add_master_list(
            &std::fs::read(fixtures().join("masterlist/tampered.ml")).unwrap(),
            &[],
            "tampered.ml",
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("master list not trusted: tampered.ml: signature FAILED: messageDigest "),
        "{err}"
    );
    // With the right root: trusted without opting in.
    let info = TrustStore::new()
        .add_master_list(&ml, &[cert("certs/csca-p256.cer")], "fixtures.ml")
        .unwrap();
    assert!(info.trusted && info.signer_chain.passed(), "{info:?}");
    assert_eq!(
        info.trust,
        "trusted: signer chains to the given root C=UT, O=Utopia Test PKI, CN=CSCA UTO p256"
    );
}

#[test]
fn link_certificate_is_reverified_with_the_previous_csca() {
    // Trust: the old RSA CSCA and the link certificate (new key, issued by the old CSCA); the new
    // generation's self-signed certificate is absent, so the path must go through the link.
    let mut s = TrustStore::new();
    s.add_csca(cert("certs/csca-rsa.cer"));
    let link_der = std::fs::read(fixtures().join("certs/link-rsa2-by-rsa.cer")).unwrap();
    s.add_csca(Certificate::from_der(&link_der).unwrap());
    let r = run("rsa2", &s);
    assert_eq!(r.verdict, Verdict::Authentic, "{r:#?}");
    assert_eq!(
        r.chain,
        Outcome::Passed(
            "DS ← C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa2 (link certificate, serial 2001, \
             signature verified) ← C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa"
                .into()
        )
    );

    // The link certificate with one bit of its signature flipped: the DS still verifies with the
    // link's key, the link itself does not verify with the old CSCA's key.
    let mut bad = link_der.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let mut s = TrustStore::new();
    s.add_csca(cert("certs/csca-rsa.cer"));
    s.add_csca(Certificate::from_der(&bad).unwrap());
    let r = run("rsa2", &s);
    assert_eq!(r.verdict, Verdict::NotAuthentic);
    assert_eq!(r.failed_step, Some(Step::Chain), "{r:#?}");
    match &r.chain {
        Outcome::Failed(m) => assert!(
            m.starts_with(
                "link certificate C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa2 (serial 2001): \
                 signature by the previous CSCA C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa: "
            ),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }

    // The link certificate without the CSCA that issued it: not trusted as listed.
    let mut s = TrustStore::new();
    s.add_csca(Certificate::from_der(&link_der).unwrap());
    let r = run("rsa2", &s);
    assert_eq!(r.failed_step, Some(Step::Chain), "{r:#?}");
    assert_eq!(
        r.chain,
        Outcome::Failed(
            "link certificate C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa2 (serial 2001): its \
             issuer C=UT, O=Utopia Test PKI, CN=CSCA UTO rsa is not in the trust store"
                .into()
        )
    );
}
