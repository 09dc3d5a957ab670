//! The content of EF.SOD: the LDSSecurityObject (ICAO 9303-10 §4.6.2, Appendix D of 9303-10).
//!
//! The CMS SignedData around it and its signature belong to `epassport-pki`; this module parses
//! and encodes the eContent DER only. [`econtent_of_ef_sod`] locates that eContent inside an
//! EF.SOD without checking anything, for display.

use crate::LdsError;
use crate::der::{self, AlgorithmIdentifier, Oid};
use crate::obj::{self, Obj};
use epassport_tlv::{Tag, encode};

/// Tag of EF.SOD.
pub const TAG: Tag = Tag(0x77);

/// `id-icao-mrtd-security-ldsSecurityObject` (2.23.136.1.1.1), the eContentType of EF.SOD.
pub const LDS_SECURITY_OBJECT_OID: &str = "2.23.136.1.1.1";

/// `id-data` (1.2.840.113549.1.7.1): some issuers (the CN sample) use it as eContentType.
pub const ID_DATA_OID: &str = "1.2.840.113549.1.7.1";

/// A hash algorithm the LDSSecurityObject may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1 (1.3.14.3.2.26).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Every algorithm known here.
    pub const ALL: [HashAlgorithm; 5] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];
    /// The OID in dotted form.
    pub fn oid_dotted(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "1.3.14.3.2.26",
            HashAlgorithm::Sha224 => "2.16.840.1.101.3.4.2.4",
            HashAlgorithm::Sha256 => "2.16.840.1.101.3.4.2.1",
            HashAlgorithm::Sha384 => "2.16.840.1.101.3.4.2.2",
            HashAlgorithm::Sha512 => "2.16.840.1.101.3.4.2.3",
        }
    }
    /// The OID.
    pub fn oid(self) -> Oid {
        // The dotted constants above are well formed.
        Oid::from_dotted(self.oid_dotted()).unwrap_or(Oid(Vec::new()))
    }
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
    /// Name (`"SHA-256"`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha224 => "SHA-224",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }
    /// The algorithm an OID names, if known.
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        let d = oid.to_dotted()?;
        Self::ALL.into_iter().find(|a| a.oid_dotted() == d)
    }
}

/// One data group's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataGroupHash {
    /// Data group number, 1..=16.
    pub number: u8,
    /// The hash value.
    pub hash: Vec<u8>,
}

/// LDS 1.8 LDSVersionInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsVersionInfo {
    /// LDS version (`"0108"`).
    pub lds_version: String,
    /// Unicode version (`"040000"`).
    pub unicode_version: String,
}

/// The LDSSecurityObject (EF.SOD's signed content).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// 0 (V0) or 1 (V1, with [`LdsSecurityObject::lds_version_info`]).
    pub version: i64,
    /// The digest algorithm of the data-group hashes.
    pub hash_algorithm: AlgorithmIdentifier,
    /// The data-group hashes in stored order.
    pub data_group_hashes: Vec<DataGroupHash>,
    /// LDS 1.8 version information (present in V1).
    pub lds_version_info: Option<LdsVersionInfo>,
}

impl LdsSecurityObject {
    /// Parses the LDSSecurityObject DER (the eContent octets of EF.SOD's SignedData).
    ///
    /// Checks: version 0 or 1, data group numbers 1..=16 without duplicates, and each hash's
    /// length equal to the named algorithm's output length (when the algorithm is known).
    pub fn from_der(econtent: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "LDSSecurityObject";
        let top = obj::top(econtent, der::SEQUENCE, F)?;
        let kids = top.children(F)?;
        if kids.len() < 3 || kids.len() > 4 {
            return Err(LdsError::invalid(
                F,
                top.offset,
                format!("SEQUENCE of {} elements, expected 3 or 4", kids.len()),
            ));
        }
        let version = der::int_i64(&kids[0], "LDSSecurityObject version")?;
        if !(0..=1).contains(&version) {
            return Err(LdsError::invalid(
                "LDSSecurityObject version",
                kids[0].value_offset,
                format!("version {version}, expected 0 or 1"),
            ));
        }
        let hash_algorithm =
            AlgorithmIdentifier::parse(&kids[1], "LDSSecurityObject hashAlgorithm")?;
        let known = HashAlgorithm::from_oid(&hash_algorithm.oid);
        const FH: &str = "LDSSecurityObject dataGroupHashValues";
        let list = kids[2].expect(der::SEQUENCE, FH)?;
        let mut data_group_hashes: Vec<DataGroupHash> = Vec::new();
        for item in list.children(FH)? {
            let item = item.expect(der::SEQUENCE, FH)?;
            let parts = item.children(FH)?;
            if parts.len() != 2 {
                return Err(LdsError::invalid(
                    FH,
                    item.offset,
                    format!("DataGroupHash of {} elements, expected 2", parts.len()),
                ));
            }
            let n = der::int_i64(&parts[0], "DataGroupHash dataGroupNumber")?;
            if !(1..=16).contains(&n) {
                return Err(LdsError::invalid(
                    "DataGroupHash dataGroupNumber",
                    parts[0].value_offset,
                    format!("data group {n} out of 1..=16"),
                ));
            }
            let number = n as u8;
            if data_group_hashes.iter().any(|h| h.number == number) {
                return Err(LdsError::invalid(
                    "DataGroupHash dataGroupNumber",
                    parts[0].value_offset,
                    format!("data group {n} listed twice"),
                ));
            }
            let h = parts[1].expect(der::OCTET_STRING, "DataGroupHash dataGroupHashValue")?;
            if let Some(alg) = known
                && h.value.len() != alg.output_len()
            {
                return Err(LdsError::invalid(
                    "DataGroupHash dataGroupHashValue",
                    h.value_offset,
                    format!(
                        "{} bytes for DG{n}, {} gives {}",
                        h.value.len(),
                        alg.name(),
                        alg.output_len()
                    ),
                ));
            }
            data_group_hashes.push(DataGroupHash {
                number,
                hash: h.value.to_vec(),
            });
        }
        let lds_version_info = match kids.get(3) {
            None => None,
            Some(v) => Some(parse_version_info(v)?),
        };
        Ok(LdsSecurityObject {
            version,
            hash_algorithm,
            data_group_hashes,
            lds_version_info,
        })
    }

    /// DER encoding (the eContent to sign).
    pub fn to_der(&self) -> Vec<u8> {
        let mut v = der::encode_int(self.version);
        v.extend(self.hash_algorithm.to_der());
        let mut list = Vec::new();
        for h in &self.data_group_hashes {
            let mut item = der::encode_int(h.number as i64);
            item.extend(encode(der::OCTET_STRING, &h.hash));
            list.extend(encode(der::SEQUENCE, &item));
        }
        v.extend(encode(der::SEQUENCE, &list));
        if let Some(info) = &self.lds_version_info {
            let mut i = encode(der::PRINTABLE_STRING, info.lds_version.as_bytes());
            i.extend(encode(
                der::PRINTABLE_STRING,
                info.unicode_version.as_bytes(),
            ));
            v.extend(encode(der::SEQUENCE, &i));
        }
        encode(der::SEQUENCE, &v)
    }

    /// The hash algorithm, when it is one this crate knows.
    pub fn hash_kind(&self) -> Option<HashAlgorithm> {
        HashAlgorithm::from_oid(&self.hash_algorithm.oid)
    }

    /// The stored hash of data group `number`.
    pub fn hash_of(&self, number: u8) -> Option<&[u8]> {
        self.data_group_hashes
            .iter()
            .find(|h| h.number == number)
            .map(|h| h.hash.as_slice())
    }

    /// A V0 or V1 object with `alg`'s OID and absent parameters (`hashes`: (DG number, hash)).
    pub fn new(
        alg: HashAlgorithm,
        hashes: Vec<(u8, Vec<u8>)>,
        lds_version_info: Option<LdsVersionInfo>,
    ) -> Self {
        LdsSecurityObject {
            version: if lds_version_info.is_some() { 1 } else { 0 },
            hash_algorithm: AlgorithmIdentifier {
                oid: alg.oid(),
                parameters: None,
            },
            data_group_hashes: hashes
                .into_iter()
                .map(|(number, hash)| DataGroupHash { number, hash })
                .collect(),
            lds_version_info,
        }
    }
}

fn parse_version_info(v: &Obj<'_>) -> Result<LdsVersionInfo, LdsError> {
    const F: &str = "LDSVersionInfo";
    let v = v.expect(der::SEQUENCE, F)?;
    let parts = v.children(F)?;
    if parts.len() != 2 {
        return Err(LdsError::invalid(
            F,
            v.offset,
            format!("{} elements, expected 2", parts.len()),
        ));
    }
    let s = |o: &Obj<'_>, f: &'static str| -> Result<String, LdsError> {
        let o = o.expect(der::PRINTABLE_STRING, f)?;
        Ok(o.text())
    };
    Ok(LdsVersionInfo {
        lds_version: s(&parts[0], "LDSVersionInfo ldsVersion")?,
        unicode_version: s(&parts[1], "LDSVersionInfo unicodeVersion")?,
    })
}

/// Locates the eContent (the LDSSecurityObject DER) inside EF.SOD's CMS SignedData, checking only
/// the shape (`77` → ContentInfo → SignedData → encapContentInfo → `[0]` → OCTET STRING) and
/// that the eContentType is the LDSSecurityObject's OID or, as some issuers write, `id-data`.
///
/// Nothing is verified here: passive authentication is `epassport-pki`'s. Definite lengths only.
pub fn econtent_of_ef_sod(ef_sod: &[u8]) -> Result<&[u8], LdsError> {
    const F: &str = "EF.SOD";
    let top = obj::top(ef_sod, TAG, F)?;
    let ci = first(&top, der::SEQUENCE, "EF.SOD ContentInfo")?;
    let ci_kids = ci.children("EF.SOD ContentInfo")?;
    let content = ci_kids
        .get(1)
        .ok_or_else(|| ci.missing(Tag(0xA0), "EF.SOD ContentInfo content"))?
        .expect(Tag(0xA0), "EF.SOD ContentInfo content")?;
    let sd = first(&content, der::SEQUENCE, "EF.SOD SignedData")?;
    let sd_kids = sd.children("EF.SOD SignedData")?;
    let encap = sd_kids
        .get(2)
        .ok_or_else(|| sd.missing(der::SEQUENCE, "EF.SOD encapContentInfo"))?
        .expect(der::SEQUENCE, "EF.SOD encapContentInfo")?;
    let e_kids = encap.children("EF.SOD encapContentInfo")?;
    let ty = e_kids
        .first()
        .ok_or_else(|| encap.missing(der::OID, "EF.SOD eContentType"))?;
    let ty = der::oid(ty, "EF.SOD eContentType")?;
    // The Chinese sample names id-data (1.2.840.113549.1.7.1) instead: accepted, the content is
    // the same LDSSecurityObject.
    let d = ty.to_dotted();
    if d.as_deref() != Some(LDS_SECURITY_OBJECT_OID) && d.as_deref() != Some(ID_DATA_OID) {
        return Err(LdsError::invalid(
            "EF.SOD eContentType",
            e_kids[0].value_offset,
            format!("{ty}, expected {LDS_SECURITY_OBJECT_OID}"),
        ));
    }
    let explicit = e_kids
        .get(1)
        .ok_or_else(|| encap.missing(Tag(0xA0), "EF.SOD eContent"))?
        .expect(Tag(0xA0), "EF.SOD eContent")?;
    let octets = first(&explicit, der::OCTET_STRING, "EF.SOD eContent")?;
    Ok(octets.value)
}

fn first<'a>(parent: &Obj<'a>, tag: Tag, field: &'static str) -> Result<Obj<'a>, LdsError> {
    let o = obj::obj_at(parent.value, 0, parent.value_offset, field)?;
    o.expect(tag, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_v0_and_v1() {
        let v0 = LdsSecurityObject::new(
            HashAlgorithm::Sha256,
            vec![(1, vec![1; 32]), (2, vec![2; 32])],
            None,
        );
        let der0 = v0.to_der();
        assert_eq!(LdsSecurityObject::from_der(&der0).unwrap(), v0);
        let v1 = LdsSecurityObject::new(
            HashAlgorithm::Sha1,
            vec![(1, vec![1; 20]), (15, vec![2; 20])],
            Some(LdsVersionInfo {
                lds_version: "0108".into(),
                unicode_version: "040000".into(),
            }),
        );
        let der1 = v1.to_der();
        let p = LdsSecurityObject::from_der(&der1).unwrap();
        assert_eq!(p, v1);
        assert_eq!(p.version, 1);
        assert_eq!(p.hash_kind(), Some(HashAlgorithm::Sha1));
        assert_eq!(p.hash_of(15), Some(&[2u8; 20][..]));
        assert_eq!(p.hash_of(3), None);
    }

    #[test]
    fn checks() {
        let mut bad = LdsSecurityObject::new(HashAlgorithm::Sha256, vec![(1, vec![1; 20])], None);
        assert_eq!(
            LdsSecurityObject::from_der(&bad.to_der()).unwrap_err(),
            LdsError::Invalid {
                field: "DataGroupHash dataGroupHashValue",
                offset: 27,
                reason: "20 bytes for DG1, SHA-256 gives 32".into()
            }
        );
        bad.data_group_hashes = vec![
            DataGroupHash {
                number: 2,
                hash: vec![0; 32],
            },
            DataGroupHash {
                number: 2,
                hash: vec![0; 32],
            },
        ];
        assert!(matches!(
            LdsSecurityObject::from_der(&bad.to_der()).unwrap_err(),
            LdsError::Invalid { field: "DataGroupHash dataGroupNumber", reason, .. } if reason == "data group 2 listed twice"
        ));
        bad.data_group_hashes[1].number = 17;
        assert!(matches!(
            LdsSecurityObject::from_der(&bad.to_der()).unwrap_err(),
            LdsError::Invalid { reason, .. } if reason == "data group 17 out of 1..=16"
        ));
        bad.version = 2;
        assert!(matches!(
            LdsSecurityObject::from_der(&bad.to_der()).unwrap_err(),
            LdsError::Invalid {
                field: "LDSSecurityObject version",
                ..
            }
        ));
        assert!(matches!(
            LdsSecurityObject::from_der(&[0x30, 0x05, 0x02]).unwrap_err(),
            LdsError::Tlv { .. }
        ));
    }
}
