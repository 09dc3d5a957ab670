//! Certificate revocation lists (RFC 5280 §5) as CSCAs publish them (ICAO 9303-12 §7.1.4).

use crate::PkiError;
use crate::ber::Tlv;
use crate::cert::{Certificate, PublicKey};
use crate::name::Name;
use crate::sig::{self, SignatureAlgorithm};
use crate::time::parse_time;

/// A parsed CRL.
#[derive(Clone, Debug)]
pub struct Crl {
    /// The whole encoding.
    pub der: Vec<u8>,
    tbs_range: (usize, usize),
    /// Issuer name.
    pub issuer: Name,
    /// thisUpdate.
    pub this_update: i64,
    /// nextUpdate, when present.
    pub next_update: Option<i64>,
    /// Revoked serial numbers (no redundant leading zeros) with revocation dates.
    pub revoked: Vec<(Vec<u8>, i64)>,
    /// Authority key identifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// The signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// The signature value.
    pub signature: Vec<u8>,
}

impl Crl {
    /// Parses a DER CertificateList.
    pub fn from_der(der: &[u8]) -> Result<Crl, PkiError> {
        const W: &str = "CertificateList";
        let t = Tlv::parse_one(der, W)?;
        if t.tag != 0x30 {
            return Err(PkiError::UnexpectedTag {
                what: W,
                expected: 0x30,
                found: t.tag,
                offset: t.offset,
            });
        }
        let mut r = t.reader();
        let tbs = r.expect(0x30, "TBSCertList")?;
        let alg = sig::parse_sig_alg(&r.expect(0x30, "signatureAlgorithm")?)?;
        let signature = r
            .expect(0x03, "signatureValue")?
            .bit_string("signatureValue")?
            .to_vec();
        let mut tr = tbs.reader();
        tr.optional(0x02, "version")?;
        tr.expect(0x30, "TBSCertList signature")?;
        let issuer = Name::parse(&tr.next("issuer")?)?;
        let this_update = parse_time(&tr.next("thisUpdate")?, "thisUpdate")?;
        let mut next_update = None;
        if matches!(tr.peek_tag(), Some(0x17) | Some(0x18)) {
            next_update = Some(parse_time(&tr.next("nextUpdate")?, "nextUpdate")?);
        }
        let mut revoked = Vec::new();
        if let Some(list) = tr.optional(0x30, "revokedCertificates")? {
            for entry in list.children("revokedCertificate")? {
                let mut er = entry.reader();
                let s = er.expect(0x02, "userCertificate")?;
                let mut serial = s.content;
                while serial.len() > 1 && serial[0] == 0 {
                    serial = &serial[1..];
                }
                let date = parse_time(&er.next("revocationDate")?, "revocationDate")?;
                revoked.push((serial.to_vec(), date));
            }
        }
        let mut authority_key_id = None;
        if let Some(exts) = tr.optional(0xA0, "crlExtensions")? {
            for ext in exts
                .reader()
                .expect(0x30, "crlExtensions")?
                .children("extension")?
            {
                let mut er = ext.reader();
                let oid = er.expect(0x06, "extension")?.oid("extension")?;
                er.optional(0x01, "extension")?;
                let value = er.expect(0x04, "extension")?.content;
                if oid == "2.5.29.35" {
                    let v = Tlv::parse_one(value, "authorityKeyIdentifier")?;
                    if let Some(k) = v.reader().optional(0x80, "authorityKeyIdentifier")? {
                        authority_key_id = Some(k.content.to_vec());
                    }
                }
            }
        }
        Ok(Crl {
            der: t.raw.to_vec(),
            tbs_range: (tbs.offset, tbs.offset + tbs.raw.len()),
            issuer,
            this_update,
            next_update,
            revoked,
            authority_key_id,
            signature_algorithm: alg,
            signature,
        })
    }

    /// The TBSCertList bytes.
    pub fn tbs(&self) -> &[u8] {
        &self.der[self.tbs_range.0..self.tbs_range.1]
    }

    /// Verifies the CRL's signature with `key`.
    pub fn verify_signed_by(&self, key: &PublicKey) -> Result<(), String> {
        sig::verify(
            key,
            &self.signature_algorithm,
            None,
            self.tbs(),
            &self.signature,
        )
    }

    /// True when this CRL plausibly comes from `ca` (issuer name, and key identifier if both
    /// name one).
    pub fn is_from(&self, ca: &Certificate) -> bool {
        if let (Some(a), Some(s)) = (&self.authority_key_id, &ca.subject_key_id)
            && a != s
        {
            return false;
        }
        self.issuer == ca.subject
    }

    /// The revocation date of `serial`, if revoked.
    pub fn revoked_at(&self, serial: &[u8]) -> Option<i64> {
        self.revoked
            .iter()
            .find(|(s, _)| s.as_slice() == serial)
            .map(|(_, d)| *d)
    }
}
