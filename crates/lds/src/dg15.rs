//! DG15, the Active Authentication public key (ICAO 9303-10 §4.7.15, 9303-11 §6.1): an X.509
//! SubjectPublicKeyInfo, RSA or EC. The raw SPKI DER is kept for verifiers; the typed
//! description says what kind of key it is.

use crate::LdsError;
use crate::der::{self, AlgorithmIdentifier, Oid};
use crate::obj::{self, Obj};
use epassport_tlv::{Tag, encode};

/// Tag of DG15.
pub const TAG: Tag = Tag(0x6F);
/// rsaEncryption.
pub const RSA_OID: &str = "1.2.840.113549.1.1.1";
/// id-ecPublicKey.
pub const EC_OID: &str = "1.2.840.10045.2.1";

/// Well-known named curves: (OID, name, field size in bits).
pub const NAMED_CURVES: [(&str, &str, usize); 11] = [
    ("1.2.840.10045.3.1.1", "secp192r1", 192),
    ("1.3.132.0.33", "secp224r1", 224),
    ("1.2.840.10045.3.1.7", "secp256r1 (P-256)", 256),
    ("1.3.132.0.34", "secp384r1 (P-384)", 384),
    ("1.3.132.0.35", "secp521r1 (P-521)", 521),
    ("1.3.36.3.3.2.8.1.1.3", "brainpoolP192r1", 192),
    ("1.3.36.3.3.2.8.1.1.5", "brainpoolP224r1", 224),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", 256),
    ("1.3.36.3.3.2.8.1.1.9", "brainpoolP320r1", 320),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1", 384),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1", 512),
];

/// The curve of an EC key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EcCurve {
    /// A named curve.
    Named(Oid),
    /// Explicit domain parameters (their DER), with the prime's size when readable.
    Explicit {
        /// The ECParameters DER.
        parameters: Vec<u8>,
        /// Bit length of the prime p.
        field_bits: Option<usize>,
    },
}

impl EcCurve {
    /// The curve's name when it is a well-known named curve.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            EcCurve::Named(oid) => {
                let d = oid.to_dotted()?;
                NAMED_CURVES.iter().find(|c| c.0 == d).map(|c| c.1)
            }
            EcCurve::Explicit { .. } => None,
        }
    }
    /// The field size in bits, when known.
    pub fn field_bits(&self) -> Option<usize> {
        match self {
            EcCurve::Named(oid) => {
                let d = oid.to_dotted()?;
                NAMED_CURVES.iter().find(|c| c.0 == d).map(|c| c.2)
            }
            EcCurve::Explicit { field_bits, .. } => *field_bits,
        }
    }
}

/// What kind of key DG15 holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AaPublicKey {
    /// RSA: modulus and public exponent, big-endian without leading zeros.
    Rsa {
        /// n.
        modulus: Vec<u8>,
        /// e.
        exponent: Vec<u8>,
    },
    /// EC: the curve and the encoded point (`04 X Y` or compressed).
    Ec {
        /// The curve.
        curve: EcCurve,
        /// The public point as stored in the BIT STRING.
        point: Vec<u8>,
    },
    /// Another algorithm (kept only as the SPKI).
    Other {
        /// The algorithm OID.
        algorithm: Oid,
    },
}

impl AaPublicKey {
    /// Key size in bits (RSA modulus or EC field size).
    pub fn bits(&self) -> Option<usize> {
        match self {
            AaPublicKey::Rsa { modulus, .. } => Some(bit_len(modulus)),
            AaPublicKey::Ec { curve, .. } => curve.field_bits(),
            AaPublicKey::Other { .. } => None,
        }
    }
    /// A one-line description (`RSA 1024-bit`, `EC brainpoolP256r1`).
    pub fn describe(&self) -> String {
        match self {
            AaPublicKey::Rsa { modulus, exponent } => {
                format!("RSA {}-bit, e = 0x{}", bit_len(modulus), der::hex(exponent))
            }
            AaPublicKey::Ec { curve, .. } => match (curve.name(), curve) {
                (Some(n), _) => format!("EC {n}"),
                (None, EcCurve::Named(oid)) => format!("EC curve {oid}"),
                (None, EcCurve::Explicit { field_bits, .. }) => match field_bits {
                    Some(b) => format!("EC explicit parameters, {b}-bit prime field"),
                    None => "EC explicit parameters".to_string(),
                },
            },
            AaPublicKey::Other { algorithm } => format!("algorithm {algorithm}"),
        }
    }
}

fn bit_len(mag: &[u8]) -> usize {
    let skip = mag.iter().take_while(|&&b| b == 0).count();
    match mag.get(skip) {
        None => 0,
        Some(&b) => (mag.len() - skip - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// DG15's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg15 {
    /// The SubjectPublicKeyInfo DER, exactly as stored.
    pub spki: Vec<u8>,
    /// Its algorithm identifier.
    pub algorithm: AlgorithmIdentifier,
    /// The typed key.
    pub key: AaPublicKey,
}

impl Dg15 {
    /// Parses DG15.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let top = obj::top(bytes, TAG, "DG15")?;
        Self::from_spki_at(top.value, top.value_offset)
    }

    /// Parses a bare SubjectPublicKeyInfo.
    pub fn from_spki(spki: &[u8]) -> Result<Self, LdsError> {
        Self::from_spki_at(spki, 0)
    }

    fn from_spki_at(spki: &[u8], base: usize) -> Result<Self, LdsError> {
        const F: &str = "DG15 SubjectPublicKeyInfo";
        let s = obj::obj_at(spki, 0, base, F)?.expect(der::SEQUENCE, F)?;
        let end = s.value_offset - base + s.value.len();
        if end != spki.len() {
            return Err(LdsError::invalid(
                F,
                base + end,
                format!("{} trailing bytes", spki.len() - end),
            ));
        }
        let kids = s.children(F)?;
        if kids.len() != 2 {
            return Err(LdsError::invalid(
                F,
                s.offset,
                format!("{} elements, expected 2", kids.len()),
            ));
        }
        let algorithm = AlgorithmIdentifier::parse(&kids[0], "DG15 algorithm")?;
        let bits = kids[1].expect(der::BIT_STRING, "DG15 subjectPublicKey")?;
        let key_bytes = match bits.value.split_first() {
            Some((0, rest)) => rest,
            _ => {
                return Err(LdsError::invalid(
                    "DG15 subjectPublicKey",
                    bits.value_offset,
                    "BIT STRING without a zero unused-bits byte",
                ));
            }
        };
        let key_base = bits.value_offset + 1;
        let key = match algorithm.oid.to_dotted().as_deref() {
            Some(RSA_OID) => parse_rsa(key_bytes, key_base)?,
            Some(EC_OID) => AaPublicKey::Ec {
                curve: parse_curve(&algorithm, s.offset)?,
                point: key_bytes.to_vec(),
            },
            _ => AaPublicKey::Other {
                algorithm: algorithm.oid.clone(),
            },
        };
        Ok(Dg15 {
            spki: spki.to_vec(),
            algorithm,
            key,
        })
    }

    /// Encodes DG15 around the stored SPKI.
    pub fn encode(&self) -> Vec<u8> {
        encode(TAG, &self.spki)
    }

    /// A DG15 for an RSA key (`rsaEncryption` with NULL parameters).
    pub fn rsa(modulus: &[u8], exponent: &[u8]) -> Result<Self, LdsError> {
        let mut k = der::encode_uint_bytes(modulus);
        k.extend(der::encode_uint_bytes(exponent));
        let alg = AlgorithmIdentifier {
            oid: oid(RSA_OID),
            parameters: Some(vec![0x05, 0x00]),
        };
        Self::from_spki(&spki(&alg, &encode(der::SEQUENCE, &k)))
    }

    /// A DG15 for an EC key on a named curve (`curve`: dotted OID) with an encoded point.
    pub fn ec_named(curve: &str, point: &[u8]) -> Result<Self, LdsError> {
        let c = Oid::from_dotted(curve).ok_or_else(|| LdsError::Encode {
            field: "DG15 curve",
            reason: format!("{curve} is not an OID"),
        })?;
        let alg = AlgorithmIdentifier {
            oid: oid(EC_OID),
            parameters: Some(c.to_der()),
        };
        Self::from_spki(&spki(&alg, point))
    }
}

fn oid(d: &str) -> Oid {
    Oid::from_dotted(d).unwrap_or(Oid(Vec::new()))
}

fn spki(alg: &AlgorithmIdentifier, key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(key);
    let mut v = alg.to_der();
    v.extend(encode(der::BIT_STRING, &bits));
    encode(der::SEQUENCE, &v)
}

fn parse_rsa(key: &[u8], base: usize) -> Result<AaPublicKey, LdsError> {
    const F: &str = "DG15 RSAPublicKey";
    let s = obj::obj_at(key, 0, base, F)?.expect(der::SEQUENCE, F)?;
    let kids = s.children(F)?;
    if kids.len() != 2 {
        return Err(LdsError::invalid(
            F,
            s.offset,
            format!("{} elements, expected 2", kids.len()),
        ));
    }
    let uint = |o: &Obj<'_>, f: &'static str| -> Result<Vec<u8>, LdsError> {
        let o = o.expect(der::INTEGER, f)?;
        // The BSI 2008 specimen encodes its modulus without the leading zero DER requires
        // (so it reads as negative): RSA values are magnitudes, taken as unsigned here.
        if o.value.is_empty() {
            return Err(LdsError::invalid(f, o.value_offset, "empty INTEGER"));
        }
        let skip = o.value.iter().take_while(|&&b| b == 0).count();
        Ok(o.value[skip..].to_vec())
    };
    Ok(AaPublicKey::Rsa {
        modulus: uint(&kids[0], "DG15 RSA modulus")?,
        exponent: uint(&kids[1], "DG15 RSA public exponent")?,
    })
}

fn parse_curve(alg: &AlgorithmIdentifier, offset: usize) -> Result<EcCurve, LdsError> {
    const F: &str = "DG15 EC parameters";
    let p = alg
        .parameters
        .as_deref()
        .ok_or_else(|| LdsError::invalid(F, offset, "EC key without domain parameters"))?;
    let o = obj::obj_at(p, 0, 0, F)?;
    if o.tag == der::OID {
        return Ok(EcCurve::Named(der::oid(&o, F)?));
    }
    let o = o.expect(der::SEQUENCE, F)?;
    // ECParameters: version, fieldID { prime-field OID, p }, ...
    let field_bits = o
        .children(F)?
        .get(1)
        .and_then(|f| f.children(F).ok())
        .and_then(|f| f.get(1).copied())
        .filter(|p| p.tag == der::INTEGER)
        .map(|p| bit_len(p.value));
    Ok(EcCurve::Explicit {
        parameters: p.to_vec(),
        field_bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_round_trip() {
        let mut n = vec![0xC5u8; 128];
        n[127] = 0x01;
        let d = Dg15::rsa(&n, &[1, 0, 1]).unwrap();
        let back = Dg15::parse(&d.encode()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.key.bits(), Some(1024));
        assert_eq!(back.key.describe(), "RSA 1024-bit, e = 0x010001");
    }

    #[test]
    fn ec_round_trip() {
        let mut point = vec![0x04];
        point.extend([7u8; 64]);
        let d = Dg15::ec_named("1.3.36.3.3.2.8.1.1.7", &point).unwrap();
        let back = Dg15::parse(&d.encode()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.key.describe(), "EC brainpoolP256r1");
        assert_eq!(back.key.bits(), Some(256));
    }

    #[test]
    fn errors() {
        let d = Dg15::rsa(&[0xC5; 16], &[3]).unwrap();
        let mut enc = d.encode();
        let last = enc.len() - 1;
        enc.truncate(last);
        assert!(matches!(
            Dg15::parse(&enc).unwrap_err(),
            LdsError::Tlv { .. }
        ));
        assert!(matches!(
            Dg15::parse(&encode(TAG, &encode(der::SEQUENCE, &[]))).unwrap_err(),
            LdsError::Invalid {
                field: "DG15 SubjectPublicKeyInfo",
                offset: 2,
                ..
            }
        ));
    }
}
