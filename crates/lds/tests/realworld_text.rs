//! EF.COM, DG1, DG11-DG16 samples from ../shared/realworld: parse, check values, re-encode.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use epassport_lds::dg1::MrzFormat;
use epassport_lds::security_infos::SecurityInfo;
use epassport_lds::{AaPublicKey, Dg1, Dg11, Dg12, Dg15, Dg16, EfCom, FileId, LdsFile, parse_file};

#[test]
fn ef_com_samples() {
    let c = EfCom::parse(&common::read("lds/bsi2008/EF_COM.bin")).unwrap();
    assert_eq!(c.lds_version_dotted(), "1.7");
    assert_eq!(c.unicode_version_dotted(), "4.0.0");
    assert_eq!(
        c.data_groups(),
        [FileId::Dg(1), FileId::Dg(2), FileId::Dg(3), FileId::Dg(14)]
    );
    assert_eq!(c.encode(), common::read("lds/bsi2008/EF_COM.bin"));
    let g = EfCom::parse(&common::read("lds/gmrtd-samples/EF_COM.bin")).unwrap();
    assert_eq!(g.lds_version, "0106");
    assert_eq!(g.data_groups(), [FileId::Dg(1), FileId::Dg(2)]);
}

#[test]
fn dg1_td3_and_td2() {
    let b = common::read("lds/bsi2008/DG1.bin");
    let d = Dg1::parse(&b).unwrap();
    assert_eq!(d.format, MrzFormat::Td3);
    assert_eq!(d.encode(), b);
    let m = d.mrz_lenient().unwrap();
    assert_eq!(m.fields.document_number, "C11T002JM");
    assert_eq!(m.fields.issuing_state, "D");
    let b = common::read("lds/gmrtd-samples/DG1_TD2.bin");
    let d = Dg1::parse(&b).unwrap();
    assert_eq!(d.format, MrzFormat::Td2);
    assert_eq!(d.mrz().unwrap().fields.document_number, "D23145890");
}

#[test]
fn dg11_icao_worked_example() {
    let b = common::read("lds/gmrtd-samples/DG11.bin");
    let d = Dg11::parse(&b).unwrap();
    assert_eq!(d.full_name.as_deref(), Some("SMITH<<JOHN<J"));
    assert_eq!(d.place_of_birth.as_deref(), Some("ANYTOWN<MN"));
    assert_eq!(d.address.as_deref(), Some("123 MAPLE RD<ANYTOWN<MN"));
    assert_eq!(d.telephone.as_deref(), Some("16125551212"));
    assert_eq!(d.profession.as_deref(), Some("TRAVEL<AGENT"));
    assert_eq!(d.encode(), b);
}

#[test]
fn dg12_sample() {
    let b = common::read("lds/gmrtd-samples/DG12.bin");
    let d = Dg12::parse(&b).unwrap();
    assert_eq!(
        d.personalisation_time.as_ref().unwrap().to_string(),
        "2016-11-15T01:36:12"
    );
    assert_eq!(d.personalisation_device_serial.as_deref(), Some("N-4962"));
    assert_eq!(d.encode(), b);
}

#[test]
fn dg13_kept_raw() {
    let b = common::read("lds/gmrtd-samples/DG13.bin");
    let LdsFile::Raw(id, content) = parse_file(&b).unwrap() else {
        panic!()
    };
    assert_eq!(id, FileId::Dg(13));
    assert_eq!(content, b[2..]);
}

#[test]
fn dg14_parses_as_security_infos() {
    for f in ["lds/bsi2008/DG14.bin", "lds/gmrtd-samples/DG14.bin"] {
        let b = common::read(f);
        let file = parse_file(&b).unwrap();
        assert_eq!(file.id(), FileId::Dg(14), "{f}");
        let LdsFile::Dg14(s) = file else {
            panic!("{f}: not parsed as DG14 SecurityInfos")
        };
        let kinds: Vec<String> = s.infos.iter().map(kind).collect();
        let expect: &[&str] = if f.contains("bsi2008") {
            &["CA-PK Ecdh key None", "CA v1 key None", "TA v1"]
        } else {
            &[
                "CA-PK Ecdh key None",
                "CA v1 key None",
                "TA v1",
                "PACE id-PACE-ECDH-GM-AES-CBC-CMAC-256",
                "PACE id-PACE-ECDH-CAM-AES-CBC-CMAC-256",
            ]
        };
        assert_eq!(kinds, expect, "{f}");
        assert_eq!(s.to_dg14(), b, "{f}: re-encoding differs");
    }
}

fn kind(i: &SecurityInfo) -> String {
    match i {
        SecurityInfo::Pace(p) => format!("PACE {}", p.pace.name()),
        SecurityInfo::PaceDomainParameters(p) => format!("PACE-DP {}", p.protocol),
        SecurityInfo::ChipAuthentication(c) => format!("CA v{} key {:?}", c.version, c.key_id),
        SecurityInfo::ChipAuthenticationPublicKey(k) => {
            format!("CA-PK {:?} key {:?}", k.agreement, k.key_id)
        }
        SecurityInfo::ChipAuthenticationDomainParameters(d) => format!("CA-DP {}", d.protocol),
        SecurityInfo::TerminalAuthentication(t) => format!("TA v{}", t.version),
        SecurityInfo::ActiveAuthentication(a) => format!("AA {}", a.signature_algorithm),
        SecurityInfo::Unknown { protocol, .. } => format!("unknown {protocol}"),
        SecurityInfo::Malformed {
            protocol, error, ..
        } => format!("malformed {protocol}: {error}"),
    }
}

#[test]
fn dg15_rsa_keys() {
    for (f, bits) in [
        ("lds/bsi2008/DG15.bin", 1024),
        ("lds/gmrtd-samples/DG15.bin", 1792),
    ] {
        let b = common::read(f);
        let d = Dg15::parse(&b).unwrap();
        assert!(matches!(d.key, AaPublicKey::Rsa { .. }), "{f}");
        assert_eq!(d.key.bits(), Some(bits), "{f}");
        assert_eq!(d.encode(), b);
        let AaPublicKey::Rsa { exponent, .. } = &d.key else {
            panic!()
        };
        assert_eq!(exponent, &[1, 0, 1], "{f}");
        assert_eq!(d.spki, b[b.len() - d.spki.len()..]);
    }
}

#[test]
fn dg16_icao_worked_example() {
    let b = common::read("lds/gmrtd-samples/DG16.bin");
    let d = Dg16::parse(&b).unwrap();
    assert_eq!(d.persons.len(), 2);
    assert_eq!(d.persons[0].name.as_deref(), Some("SMITH<<CHARLES<R"));
    assert_eq!(
        d.persons[0].date_recorded.as_ref().unwrap().to_string(),
        "2002-01-01"
    );
    assert_eq!(
        d.persons[1].address.as_deref(),
        Some("49 REDWOOD LN<OCEAN BREEZE<CA<94000")
    );
    assert_eq!(d.encode().unwrap(), b);
}

#[test]
fn every_sample_file_parses_through_parse_file() {
    let mut n = 0;
    for dir in ["lds/bsi2008", "lds/gmrtd-samples"] {
        let path = common::realworld().join(dir);
        for e in std::fs::read_dir(&path).unwrap() {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            parse_file(&b).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert_eq!(n, 18);
}
