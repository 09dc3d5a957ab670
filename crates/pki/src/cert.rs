//! X.509 certificates (RFC 5280 §4) as ICAO 9303-12 §7 profiles them: the fields passive
//! authentication needs, public keys (RSA, EC with named or explicit domain parameters), and the
//! extensions that identify keys and constrain their use.

use crate::PkiError;
use crate::ber::{Reader, Tlv};
use crate::curves::{self, CurveDef, Domain};
use crate::name::Name;
use crate::sig::{self, SignatureAlgorithm};
use crate::time::parse_time;
use num_bigint::BigUint;
use serde::Serialize;

/// An EC public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcKey {
    /// The named curve (by OID, or recognised from explicit parameters).
    pub curve: Option<&'static CurveDef>,
    /// Explicit domain parameters, when the certificate carries them.
    pub explicit: Option<Domain>,
    /// The public point as encoded (SEC 1).
    pub point: Vec<u8>,
}

impl EcKey {
    /// The curve's name, when known.
    pub fn curve_name(&self) -> Option<&'static str> {
        self.curve.map(|c| c.name)
    }
    /// The domain parameters to compute with.
    pub fn domain(&self) -> Option<Domain> {
        self.explicit
            .clone()
            .or_else(|| self.curve.map(|c| c.domain()))
    }
    /// Field size in bytes.
    pub fn field_len(&self) -> usize {
        match (&self.explicit, self.curve) {
            (_, Some(c)) => c.field_len(),
            (Some(d), None) => d.field_len(),
            (None, None) => self.point.len().saturating_sub(1) / 2,
        }
    }
}

/// A subject public key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA modulus and exponent (big-endian, no leading zeros).
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// An EC key.
    Ec(EcKey),
    /// A key this crate cannot use (its algorithm OID or the reason).
    Unsupported(String),
}

impl PublicKey {
    /// A short description (`"RSA-2048"`, `"EC brainpoolP256r1 (explicit parameters)"`).
    pub fn kind(&self) -> String {
        match self {
            PublicKey::Rsa { n, .. } => {
                let bits = BigUint::from_bytes_be(n).bits();
                format!("RSA-{bits}")
            }
            PublicKey::Ec(k) => format!(
                "EC {}{}",
                k.curve_name().unwrap_or("(unnamed curve)"),
                if k.explicit.is_some() {
                    " (explicit parameters)"
                } else {
                    ""
                }
            ),
            PublicKey::Unsupported(o) => format!("unsupported key {o}"),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo (DG15's AA key, DG14's CA key, a certificate's key).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, PkiError> {
        Self::from_spki(&Tlv::parse_one(der, "SubjectPublicKeyInfo")?)
    }

    /// Parses a SubjectPublicKeyInfo.
    pub(crate) fn from_spki(t: &Tlv<'_>) -> Result<PublicKey, PkiError> {
        const W: &str = "SubjectPublicKeyInfo";
        let mut r = seq(t, W)?;
        let alg = r.expect(0x30, W)?;
        let bits = r.expect(0x03, W)?.bit_string(W)?;
        let mut a = alg.reader();
        let oid = a.expect(0x06, W)?.oid(W)?;
        match oid.as_str() {
            "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
                let k = Tlv::parse_one(bits, "RSAPublicKey")?;
                let mut kr = seq(&k, "RSAPublicKey")?;
                let n = kr
                    .expect(0x02, "RSA modulus")?
                    .uint("RSA modulus")?
                    .to_vec();
                let e = kr
                    .expect(0x02, "RSA exponent")?
                    .uint("RSA exponent")?
                    .to_vec();
                Ok(PublicKey::Rsa { n, e })
            }
            "1.2.840.10045.2.1" => {
                let params = a.next("ECParameters")?;
                let (curve, explicit) = match params.tag {
                    0x06 => {
                        let c = params.oid("namedCurve")?;
                        match curves::by_oid(&c) {
                            Some(d) => (Some(d), None),
                            None => return Ok(PublicKey::Unsupported(format!("EC curve {c}"))),
                        }
                    }
                    0x30 => match parse_explicit(&params)? {
                        Ok(d) => (curves::identify(&d), Some(d)),
                        Err(why) => return Ok(PublicKey::Unsupported(why)),
                    },
                    _ => {
                        return Ok(PublicKey::Unsupported(
                            "EC key with implicit parameters".into(),
                        ));
                    }
                };
                Ok(PublicKey::Ec(EcKey {
                    curve,
                    explicit,
                    point: bits.to_vec(),
                }))
            }
            other => Ok(PublicKey::Unsupported(other.to_string())),
        }
    }
}

/// ECParameters with explicit prime-field domain parameters (RFC 3279 §2.3.5).
fn parse_explicit(t: &Tlv<'_>) -> Result<Result<Domain, String>, PkiError> {
    const W: &str = "ECParameters";
    let mut r = t.reader();
    r.expect(0x02, W)?;
    let mut field = r.expect(0x30, W)?.reader();
    let ftype = field.expect(0x06, W)?.oid(W)?;
    if ftype != "1.2.840.10045.1.1" {
        return Ok(Err(format!("EC field type {ftype}")));
    }
    let p = BigUint::from_bytes_be(field.expect(0x02, W)?.uint(W)?);
    let mut curve = r.expect(0x30, W)?.reader();
    let a = BigUint::from_bytes_be(curve.expect(0x04, W)?.content);
    let b = BigUint::from_bytes_be(curve.expect(0x04, W)?.content);
    let base = r.expect(0x04, W)?.content;
    let n = BigUint::from_bytes_be(r.expect(0x02, W)?.uint(W)?);
    if base.first() != Some(&0x04) || base.len().is_multiple_of(2) {
        return Ok(Err("explicit EC base point not uncompressed".into()));
    }
    let half = base.len() / 2;
    let d = Domain {
        p,
        a,
        b,
        gx: BigUint::from_bytes_be(&base[1..1 + half]),
        gy: BigUint::from_bytes_be(&base[1 + half..]),
        n,
    };
    // A named curve's parameters are known good; only unknown ones need the (big-number) checks.
    if curves::identify(&d).is_none()
        && (d.p.bits() < 160 || d.p.bits() > 1024 || !d.on_curve(&d.gx, &d.gy))
    {
        return Ok(Err("explicit EC parameters are not a usable curve".into()));
    }
    Ok(Ok(d))
}

fn seq<'a>(t: &Tlv<'a>, what: &'static str) -> Result<Reader<'a>, PkiError> {
    if t.tag != 0x30 {
        return Err(PkiError::UnexpectedTag {
            what,
            expected: 0x30,
            found: t.tag,
            offset: t.offset,
        });
    }
    Ok(t.reader())
}

/// Key usage bits (RFC 5280 §4.2.1.3) this crate checks.
pub mod key_usage {
    /// digitalSignature.
    pub const DIGITAL_SIGNATURE: u16 = 0x8000;
    /// keyCertSign.
    pub const KEY_CERT_SIGN: u16 = 0x0400;
    /// cRLSign.
    pub const CRL_SIGN: u16 = 0x0200;
}

/// A parsed X.509 certificate.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The whole encoding.
    pub der: Vec<u8>,
    tbs_range: (usize, usize),
    /// Serial number (big-endian, without redundant leading zeros).
    pub serial: Vec<u8>,
    /// Issuer name.
    pub issuer: Name,
    /// Subject name.
    pub subject: Name,
    /// notBefore, seconds since the epoch.
    pub not_before: i64,
    /// notAfter, seconds since the epoch.
    pub not_after: i64,
    /// The subject public key.
    pub public_key: PublicKey,
    /// The certificate's signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// The signature value.
    pub signature: Vec<u8>,
    /// Subject key identifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// Authority key identifier (keyIdentifier).
    pub authority_key_id: Option<Vec<u8>>,
    /// Key usage bits (first byte high), when present.
    pub key_usage: Option<u16>,
    /// basicConstraints cA, when present.
    pub is_ca: Option<bool>,
    /// Extended key usage OIDs.
    pub ext_key_usage: Vec<String>,
}

/// A certificate's identity for reports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number (hex).
    pub serial: String,
    /// SHA-256 of the DER encoding (hex).
    pub sha256: String,
    /// notBefore (ISO 8601).
    pub not_before: String,
    /// notAfter (ISO 8601).
    pub not_after: String,
    /// Public key kind.
    pub key: String,
}

impl Certificate {
    /// Parses one DER (or BER) certificate; trailing bytes are refused.
    pub fn from_der(der: &[u8]) -> Result<Certificate, PkiError> {
        let t = Tlv::parse_one(der, "Certificate")?;
        Self::from_tlv(&t)
    }

    pub(crate) fn from_tlv(t: &Tlv<'_>) -> Result<Certificate, PkiError> {
        const W: &str = "Certificate";
        let mut r = seq(t, W)?;
        let tbs = r.expect(0x30, "TBSCertificate")?;
        let sig_alg = r.expect(0x30, "signatureAlgorithm")?;
        let sig = r
            .expect(0x03, "signatureValue")?
            .bit_string("signatureValue")?;
        let mut tr = tbs.reader();
        const T: &str = "TBSCertificate";
        tr.optional(0xA0, T)?;
        let serial_t = tr.expect(0x02, "serialNumber")?;
        let mut serial = serial_t.content;
        while serial.len() > 1 && serial[0] == 0 {
            serial = &serial[1..];
        }
        tr.expect(0x30, "TBSCertificate signature")?;
        let issuer = Name::parse(&tr.next("issuer")?)?;
        let mut validity = tr.expect(0x30, "validity")?.reader();
        let not_before = parse_time(&validity.next("notBefore")?, "notBefore")?;
        let not_after = parse_time(&validity.next("notAfter")?, "notAfter")?;
        let subject = Name::parse(&tr.next("subject")?)?;
        let public_key = PublicKey::from_spki(&tr.next("subjectPublicKeyInfo")?)?;
        tr.optional(0x81, T)?;
        tr.optional(0x82, T)?;
        let mut cert = Certificate {
            der: t.raw.to_vec(),
            tbs_range: (tbs.offset - t.offset, tbs.offset - t.offset + tbs.raw.len()),
            serial: serial.to_vec(),
            issuer,
            subject,
            not_before,
            not_after,
            public_key,
            signature_algorithm: sig::parse_sig_alg(&sig_alg)?,
            signature: sig.to_vec(),
            subject_key_id: None,
            authority_key_id: None,
            key_usage: None,
            is_ca: None,
            ext_key_usage: Vec::new(),
        };
        if let Some(exts) = tr.optional(0xA3, T)? {
            let list = exts.reader().expect(0x30, "extensions")?;
            for ext in list.children("extension")? {
                cert.extension(&ext)?;
            }
        }
        Ok(cert)
    }

    fn extension(&mut self, ext: &Tlv<'_>) -> Result<(), PkiError> {
        const W: &str = "extension";
        let mut r = seq(ext, W)?;
        let oid = r.expect(0x06, W)?.oid(W)?;
        r.optional(0x01, W)?;
        let value = r.expect(0x04, W)?.content;
        match oid.as_str() {
            "2.5.29.14" => {
                let v = Tlv::parse_one(value, "subjectKeyIdentifier")?;
                self.subject_key_id = Some(v.octets("subjectKeyIdentifier")?);
            }
            "2.5.29.35" => {
                let v = Tlv::parse_one(value, "authorityKeyIdentifier")?;
                let mut a = seq(&v, "authorityKeyIdentifier")?;
                if let Some(k) = a.optional(0x80, "authorityKeyIdentifier")? {
                    self.authority_key_id = Some(k.content.to_vec());
                }
            }
            "2.5.29.15" => {
                let v = Tlv::parse_one(value, "keyUsage")?;
                if v.tag == 0x03 && !v.content.is_empty() {
                    let b1 = *v.content.get(1).unwrap_or(&0) as u16;
                    let b2 = *v.content.get(2).unwrap_or(&0) as u16;
                    self.key_usage = Some((b1 << 8) | b2);
                }
            }
            "2.5.29.19" => {
                let v = Tlv::parse_one(value, "basicConstraints")?;
                let mut a = seq(&v, "basicConstraints")?;
                let ca = a
                    .optional(0x01, "basicConstraints cA")?
                    .map(|b| b.content.first().is_some_and(|&x| x != 0))
                    .unwrap_or(false);
                self.is_ca = Some(ca);
            }
            "2.5.29.37" => {
                let v = Tlv::parse_one(value, "extKeyUsage")?;
                for o in v.children("extKeyUsage")? {
                    self.ext_key_usage.push(o.oid("extKeyUsage")?);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The TBSCertificate bytes (what the issuer signed).
    pub fn tbs(&self) -> &[u8] {
        &self.der[self.tbs_range.0..self.tbs_range.1]
    }

    /// SHA-256 fingerprint (hex).
    pub fn fingerprint(&self) -> String {
        hex::encode(sig::digest(sig::HashAlgorithm::Sha256, &self.der))
    }

    /// Issuer name equals subject name.
    pub fn is_self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// Verifies this certificate's signature with `issuer_key`.
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), String> {
        sig::verify(
            issuer_key,
            &self.signature_algorithm,
            None,
            self.tbs(),
            &self.signature,
        )
    }

    /// True when `t` (seconds since the epoch) is within the validity period.
    pub fn valid_at(&self, t: i64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// The identity for reports.
    pub fn info(&self) -> CertInfo {
        CertInfo {
            subject: self.subject.to_string(),
            issuer: self.issuer.to_string(),
            serial: hex::encode(&self.serial),
            sha256: self.fingerprint(),
            not_before: crate::time::format_time(self.not_before),
            not_after: crate::time::format_time(self.not_after),
            key: self.public_key.kind(),
        }
    }
}
