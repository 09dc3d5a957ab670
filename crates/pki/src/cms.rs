//! CMS SignedData (RFC 5652 §5) as EF.SOD, EF.CardSecurity and master lists use it, tolerant of
//! BER (indefinite lengths, constructed OCTET STRINGs).

use crate::PkiError;
use crate::ber::{Reader, Tlv, encode};
use crate::cert::Certificate;
use crate::name::Name;
use crate::sig::{self, HashAlgorithm, SignatureAlgorithm};
use crate::time::parse_time;

/// `id-signedData`.
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
/// `id-contentType` attribute.
pub const ATTR_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
/// `id-messageDigest` attribute.
pub const ATTR_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// `id-signingTime` attribute.
pub const ATTR_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

/// How a SignerInfo names its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerId {
    /// issuerAndSerialNumber.
    IssuerSerial {
        /// Issuer name.
        issuer: Name,
        /// Serial number (no redundant leading zeros).
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    KeyId(Vec<u8>),
}

impl SignerId {
    /// True when `cert` is the certificate this identifier names.
    pub fn matches(&self, cert: &Certificate) -> bool {
        match self {
            SignerId::IssuerSerial { issuer, serial } => {
                *serial == cert.serial && *issuer == cert.issuer
            }
            SignerId::KeyId(k) => cert.subject_key_id.as_deref() == Some(k.as_slice()),
        }
    }
}

/// One SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerInfo {
    /// The signer identifier.
    pub sid: SignerId,
    /// digestAlgorithm (Err: the unknown OID).
    pub digest_algorithm: Result<HashAlgorithm, String>,
    /// The signed attributes re-tagged as `SET OF` (`31`), i.e. what the signature covers.
    pub signed_attrs_der: Option<Vec<u8>>,
    /// contentType attribute value.
    pub content_type: Option<String>,
    /// messageDigest attribute value.
    pub message_digest: Option<Vec<u8>>,
    /// signingTime attribute (seconds since the epoch).
    pub signing_time: Option<i64>,
    /// The signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// The signature value.
    pub signature: Vec<u8>,
}

/// A parsed SignedData.
#[derive(Clone, Debug)]
pub struct SignedData {
    /// eContentType.
    pub content_type: String,
    /// eContent octets (absent for detached content).
    pub content: Option<Vec<u8>>,
    /// Embedded certificates that parsed.
    pub certificates: Vec<Certificate>,
    /// Embedded certificates that did not parse (the reason).
    pub bad_certificates: Vec<String>,
    /// SignerInfos.
    pub signer_infos: Vec<SignerInfo>,
}

impl SignedData {
    /// Parses a ContentInfo holding SignedData; an EF.SOD's `77` wrapper is removed first.
    pub fn from_ber(input: &[u8]) -> Result<SignedData, PkiError> {
        const W: &str = "ContentInfo";
        let mut outer = Tlv::parse_one(input, W)?;
        if outer.tag == 0x77 {
            outer = Tlv::parse_one(outer.content, "EF.SOD")?;
        }
        if outer.tag != 0x30 {
            return Err(PkiError::UnexpectedTag {
                what: W,
                expected: 0x30,
                found: outer.tag,
                offset: outer.offset,
            });
        }
        let mut r = outer.reader();
        let ct = r.expect(0x06, W)?.oid(W)?;
        if ct != SIGNED_DATA {
            return Err(PkiError::invalid(
                W,
                format!("content type {ct}, not signedData"),
            ));
        }
        let sd = r.expect(0xA0, W)?.reader().expect(0x30, "SignedData")?;
        Self::parse_signed_data(&sd)
    }

    fn parse_signed_data(sd: &Tlv<'_>) -> Result<SignedData, PkiError> {
        const W: &str = "SignedData";
        let mut r = sd.reader();
        let version = r.expect(0x02, "SignedData version")?.small_uint(W)?;
        if !(1..=5).contains(&version) {
            return Err(PkiError::invalid(W, format!("version {version}")));
        }
        r.expect(0x31, "digestAlgorithms")?;
        let mut encap = r.expect(0x30, "encapContentInfo")?.reader();
        let content_type = encap.expect(0x06, "eContentType")?.oid("eContentType")?;
        let content = match encap.optional(0xA0, "eContent")? {
            Some(e) => Some(e.reader().next("eContent")?.octets("eContent")?),
            None => None,
        };
        let mut certificates = Vec::new();
        let mut bad_certificates = Vec::new();
        if let Some(certs) = r.optional(0xA0, "certificates")? {
            let mut cr = certs.reader();
            while !cr.is_empty() {
                let c = cr.next("certificate")?;
                if c.tag != 0x30 {
                    continue; // other certificate formats (attribute certificates) are skipped
                }
                match Certificate::from_tlv(&c) {
                    Ok(cert) => certificates.push(cert),
                    Err(e) => bad_certificates.push(e.to_string()),
                }
            }
        }
        r.optional(0xA1, "crls")?;
        let infos = r.expect(0x31, "signerInfos")?;
        let mut signer_infos = Vec::new();
        for si in infos.children("SignerInfo")? {
            signer_infos.push(parse_signer_info(&si)?);
        }
        Ok(SignedData {
            content_type,
            content,
            certificates,
            bad_certificates,
            signer_infos,
        })
    }
}

fn parse_signer_info(t: &Tlv<'_>) -> Result<SignerInfo, PkiError> {
    const W: &str = "SignerInfo";
    if t.tag != 0x30 {
        return Err(PkiError::UnexpectedTag {
            what: W,
            expected: 0x30,
            found: t.tag,
            offset: t.offset,
        });
    }
    let mut r = t.reader();
    r.expect(0x02, "SignerInfo version")?;
    let sid_t = r.next("SignerIdentifier")?;
    let sid = match sid_t.tag {
        0x30 => {
            let mut s = sid_t.reader();
            let issuer = Name::parse(&s.next("issuer")?)?;
            let st = s.expect(0x02, "serialNumber")?;
            let mut serial = st.content;
            while serial.len() > 1 && serial[0] == 0 {
                serial = &serial[1..];
            }
            SignerId::IssuerSerial {
                issuer,
                serial: serial.to_vec(),
            }
        }
        0x80 => SignerId::KeyId(sid_t.content.to_vec()),
        found => {
            return Err(PkiError::UnexpectedTag {
                what: "SignerIdentifier",
                expected: 0x30,
                found,
                offset: sid_t.offset,
            });
        }
    };
    let digest_algorithm = sig::parse_digest_alg(&r.expect(0x30, "digestAlgorithm")?)?;
    let mut info = SignerInfo {
        sid,
        digest_algorithm,
        signed_attrs_der: None,
        content_type: None,
        message_digest: None,
        signing_time: None,
        signature_algorithm: SignatureAlgorithm::Unsupported(String::new()),
        signature: Vec::new(),
    };
    if let Some(attrs) = r.optional(0xA0, "signedAttrs")? {
        // RFC 5652 §5.4: the signature covers the DER of SET OF Attribute (tag 31).
        info.signed_attrs_der = Some(encode(0x31, attrs.content));
        let mut ar = attrs.reader();
        while !ar.is_empty() {
            let a = ar.expect(0x30, "Attribute")?;
            let mut x = a.reader();
            let oid = x.expect(0x06, "Attribute type")?.oid("Attribute type")?;
            let values = x.expect(0x31, "Attribute values")?;
            let mut vr: Reader<'_> = values.reader();
            match oid.as_str() {
                ATTR_CONTENT_TYPE => {
                    info.content_type = Some(vr.expect(0x06, "contentType")?.oid("contentType")?)
                }
                ATTR_MESSAGE_DIGEST => {
                    info.message_digest = Some(vr.next("messageDigest")?.octets("messageDigest")?)
                }
                ATTR_SIGNING_TIME => {
                    info.signing_time = parse_time(&vr.next("signingTime")?, "signingTime").ok()
                }
                _ => {}
            }
        }
    }
    info.signature_algorithm = sig::parse_sig_alg(&r.expect(0x30, "signatureAlgorithm")?)?;
    info.signature = r.next("signature")?.octets("signature")?;
    Ok(info)
}
