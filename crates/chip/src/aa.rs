//! Active Authentication (ICAO Doc 9303-11 §6.1): the chip proves that it holds the private key
//! whose public key is in DG15, by signing a fresh 8-byte challenge from the terminal.
//!
//! Both roles live here (ARCHITECTURE principle 9): the terminal's verification and the chip's
//! signing, which the software chip uses.
//!
//! - RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery
//!   (9303-11 §6.1.2.1): `J = 6A || M1 || H(M1 || RND.IFD) || trailer`, trailer `BC` (SHA-1
//!   implicit) or `xx CC` naming the hash (ISO/IEC 10118-3 identifiers).
//! - ECDSA: plain signatures `r || s` (BSI TR-03111 §5.2.1) over the hash that DG14's
//!   ActiveAuthenticationInfo names; DER-encoded signatures, which some cards return, are accepted.

use crate::hash::HashAlg;
use epassport_card::{CardError, Command, Transport, exchange};
use epassport_tlv::{self as tlv, Tag};
use rsa::BoxedUint;
use rsa::traits::PublicKeyParts;

/// OID 1.2.840.113549.1.1.1 rsaEncryption.
const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
/// OID 1.2.840.10045.2.1 id-ecPublicKey.
const OID_EC: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// The largest RSA modulus accepted (bits): bounds the work a hostile DG15 can cause.
pub const MAX_RSA_BITS: usize = 8192;

/// The curves Active Authentication verifies (each backed by a RustCrypto crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// brainpoolP256r1.
    BrainpoolP256r1,
    /// brainpoolP384r1.
    BrainpoolP384r1,
}

impl Curve {
    /// The curve's name (`P-256`, `brainpoolP256r1`).
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
        }
    }

    const ALL: [Curve; 5] = [
        Curve::P256,
        Curve::P384,
        Curve::P521,
        Curve::BrainpoolP256r1,
        Curve::BrainpoolP384r1,
    ];

    /// The named-curve OID's content bytes.
    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
            Curve::P384 => &[0x2B, 0x81, 0x04, 0x00, 0x22],
            Curve::P521 => &[0x2B, 0x81, 0x04, 0x00, 0x23],
            Curve::BrainpoolP256r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
            Curve::BrainpoolP384r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
        }
    }
    /// Field size in bytes.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::BrainpoolP256r1 => 32,
            Curve::P384 | Curve::BrainpoolP384r1 => 48,
            Curve::P521 => 66,
        }
    }
    /// The hash assumed when DG14 names none (the one matching the curve size).
    pub fn default_hash(self) -> HashAlg {
        match self {
            Curve::P256 | Curve::BrainpoolP256r1 => HashAlg::Sha256,
            Curve::P384 | Curve::BrainpoolP384r1 => HashAlg::Sha384,
            Curve::P521 => HashAlg::Sha512,
        }
    }
    /// The uncompressed SEC1 encoding of the curve's generator, to recognise explicit parameters.
    fn generator(self) -> Vec<u8> {
        use elliptic_curve::sec1::ToSec1Point;
        match self {
            Curve::P256 => p256::AffinePoint::GENERATOR
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            Curve::P384 => p384::AffinePoint::GENERATOR
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            Curve::P521 => p521::AffinePoint::GENERATOR
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            Curve::BrainpoolP256r1 => bp256::r1::AffinePoint::GENERATOR
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
            Curve::BrainpoolP384r1 => bp384::r1::AffinePoint::GENERATOR
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
        }
    }
}

/// The Active Authentication public key from DG15.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AaPublicKey {
    /// An RSA key (ISO/IEC 9796-2 signatures).
    Rsa {
        /// Modulus, big-endian without leading zeros.
        n: Vec<u8>,
        /// Public exponent, big-endian without leading zeros.
        e: Vec<u8>,
    },
    /// An EC key (ECDSA signatures).
    Ec {
        /// The curve (named, or recognised from explicit parameters).
        curve: Curve,
        /// The public point, SEC1-encoded as found in DG15.
        point: Vec<u8>,
        /// True when DG15 carried explicit domain parameters rather than a curve OID.
        explicit_parameters: bool,
    },
}

impl std::fmt::Debug for AaPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AaPublicKey::Rsa { .. } => write!(f, "AaPublicKey::Rsa({} bits)", self.bits()),
            AaPublicKey::Ec { curve, .. } => write!(f, "AaPublicKey::Ec({curve:?})"),
        }
    }
}

/// Why Active Authentication could not be completed or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AaError {
    /// DG15 or its SubjectPublicKeyInfo is malformed.
    #[error("DG15 is malformed: {0}")]
    MalformedKey(String),
    /// DG15 holds a key type this implementation does not verify (algorithm OID in hex).
    #[error("DG15 holds an unsupported key algorithm (OID {0})")]
    UnsupportedKey(String),
    /// The EC key is on a curve without a verifier here (OID in hex, or "explicit").
    #[error("DG15 holds an EC key on an unsupported curve ({0})")]
    UnsupportedCurve(String),
    /// The RSA modulus is larger than [`MAX_RSA_BITS`].
    #[error("RSA modulus of {0} bits is larger than the {MAX_RSA_BITS} bits accepted")]
    KeyTooLarge(usize),
    /// The challenge is not 8 bytes.
    #[error("the challenge must be 8 bytes, not {0}")]
    BadChallenge(usize),
    /// The signature's length does not fit the key.
    #[error("signature of {found} bytes does not fit the key (expected {expected})")]
    SignatureLength {
        /// What the key implies.
        expected: usize,
        /// What the chip returned.
        found: usize,
    },
    /// The recovered RSA message does not end in 12 modulo 16 either way (not ISO/IEC 9796-2).
    #[error("the recovered message is not an ISO/IEC 9796-2 representative (wrong key or forged)")]
    NotARepresentative,
    /// The recovered message's header is not `6A` (partial recovery).
    #[error(
        "ISO/IEC 9796-2 header {0:02X} is not 6A (partial message recovery): not an ISO/IEC 9796-2 representative under the DG15 key (wrong key or forged)"
    )]
    BadHeader(u8),
    /// The trailer is neither `BC` nor a known `xx CC` hash identifier.
    #[error(
        "ISO/IEC 9796-2 trailer {0:04X} is neither BC nor a supported xx CC: not an ISO/IEC 9796-2 representative under the DG15 key (wrong key or forged), or a hash not supported here"
    )]
    BadTrailer(u16),
    /// The recovered message is too short for its hash.
    #[error(
        "the recovered message is too short for its hash: not an ISO/IEC 9796-2 representative under the DG15 key (wrong key or forged)"
    )]
    MessageTooShort,
    /// The digest in the signature does not match H(M1 || challenge): the chip does not hold the key.
    #[error(
        "the signature's digest does not match the challenge: the chip does not hold the DG15 key"
    )]
    DigestMismatch,
    /// The ECDSA signature does not verify.
    #[error("the ECDSA signature does not verify: the chip does not hold the DG15 key")]
    EcdsaInvalid,
    /// The ECDSA signature is neither a plain `r || s` nor a DER signature.
    #[error("the ECDSA signature is malformed ({0} bytes)")]
    EcdsaMalformed(usize),
    /// The chip refused INTERNAL AUTHENTICATE or the link failed.
    #[error("INTERNAL AUTHENTICATE failed: {0}")]
    Card(#[from] CardError),
    /// The signature cannot come back over this link: it needs a longer answer than a short APDU
    /// carries (under secure messaging 231 plain bytes with 3DES, 223 with AES; RSA-2048 needs
    /// 256) and the link does not report extended length, or the chip refused the
    /// extended-length command with 6700. This says nothing about the key.
    #[error(
        "the {needed}-byte signature does not fit a short answer ({link_max} bytes on this link) and extended length is not available: Active Authentication could not be run"
    )]
    AnswerDoesNotFit {
        /// The signature length the DG15 key implies.
        needed: usize,
        /// The largest plain answer the link carries without extended length.
        link_max: usize,
    },
}

impl AaError {
    /// True when the error says nothing about whether the chip holds the DG15 key: the key in
    /// DG15 is unusable here, or the signature could not be fetched (the link, or a chip without
    /// extended length for a long signature). Such a run is "not performed", never a failure.
    pub fn is_inconclusive(&self) -> bool {
        matches!(
            self,
            AaError::UnsupportedKey(_)
                | AaError::UnsupportedCurve(_)
                | AaError::KeyTooLarge(_)
                | AaError::AnswerDoesNotFit { .. }
        )
    }
}

fn der_err(e: tlv::TlvError) -> AaError {
    AaError::MalformedKey(e.to_string())
}

/// Strips leading zero bytes of a DER INTEGER's content (a positive integer).
fn unsigned(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes[skip..].to_vec()
}

/// The content of a BIT STRING with zero unused bits.
fn bit_string(t: &tlv::Tlv<'_>) -> Result<Vec<u8>, AaError> {
    match t.value.split_first() {
        Some((0, rest)) => Ok(rest.to_vec()),
        _ => Err(AaError::MalformedKey(
            "public key BIT STRING has unused bits".into(),
        )),
    }
}

impl AaPublicKey {
    /// Parses DG15 (`6F` wrapping a SubjectPublicKeyInfo, ICAO 9303-10 §4.7.15).
    pub fn from_dg15(dg15: &[u8]) -> Result<Self, AaError> {
        let outer = tlv::parse_exact(dg15, Tag(0x6F)).map_err(der_err)?;
        Self::from_spki(outer.value)
    }

    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub fn from_spki(spki: &[u8]) -> Result<Self, AaError> {
        let seq = tlv::parse_exact(spki, Tag(0x30)).map_err(der_err)?;
        let parts = seq.children().map_err(der_err)?;
        let [alg, key] = parts.as_slice() else {
            return Err(AaError::MalformedKey(
                "SubjectPublicKeyInfo needs 2 elements".into(),
            ));
        };
        if alg.tag != Tag(0x30) || key.tag != Tag(0x03) {
            return Err(AaError::MalformedKey(
                "SubjectPublicKeyInfo has wrong tags".into(),
            ));
        }
        let alg_parts = alg.children().map_err(der_err)?;
        let oid = alg_parts
            .first()
            .filter(|t| t.tag == Tag(0x06))
            .ok_or_else(|| AaError::MalformedKey("AlgorithmIdentifier without OID".into()))?;
        let key_bytes = bit_string(key)?;
        if oid.value == OID_RSA {
            let rsa = tlv::parse_exact(&key_bytes, Tag(0x30)).map_err(der_err)?;
            let ints = rsa.children().map_err(der_err)?;
            let [n, e] = ints.as_slice() else {
                return Err(AaError::MalformedKey(
                    "RSAPublicKey needs modulus and exponent".into(),
                ));
            };
            if n.tag != Tag(0x02) || e.tag != Tag(0x02) {
                return Err(AaError::MalformedKey(
                    "RSAPublicKey elements are not INTEGERs".into(),
                ));
            }
            let key = AaPublicKey::Rsa {
                n: unsigned(n.value),
                e: unsigned(e.value),
            };
            if key.bits() > MAX_RSA_BITS {
                return Err(AaError::KeyTooLarge(key.bits()));
            }
            if key.bits() < 512 {
                return Err(AaError::MalformedKey(format!(
                    "RSA modulus of {} bits",
                    key.bits()
                )));
            }
            Ok(key)
        } else if oid.value == OID_EC {
            let params = alg_parts
                .get(1)
                .ok_or_else(|| AaError::MalformedKey("EC key without domain parameters".into()))?;
            let (curve, explicit) = match params.tag {
                Tag(0x06) => (
                    Curve::ALL
                        .into_iter()
                        .find(|c| c.oid() == params.value)
                        .ok_or_else(|| AaError::UnsupportedCurve(hex::encode(params.value)))?,
                    false,
                ),
                Tag(0x30) => (curve_from_explicit(params)?, true),
                _ => {
                    return Err(AaError::MalformedKey(
                        "EC parameters of unknown form".into(),
                    ));
                }
            };
            Ok(AaPublicKey::Ec {
                curve,
                point: key_bytes,
                explicit_parameters: explicit,
            })
        } else {
            Err(AaError::UnsupportedKey(hex::encode(oid.value)))
        }
    }

    /// Key size in bits (modulus bits for RSA, field bits for EC).
    pub fn bits(&self) -> usize {
        match self {
            AaPublicKey::Rsa { n, .. } => match n.first() {
                Some(&b) => n.len() * 8 - b.leading_zeros() as usize,
                None => 0,
            },
            AaPublicKey::Ec { curve, .. } => match curve {
                Curve::P521 => 521,
                c => c.field_len() * 8,
            },
        }
    }

    /// The largest signature the chip should return, for INTERNAL AUTHENTICATE's Le.
    pub fn max_signature_len(&self) -> usize {
        match self {
            AaPublicKey::Rsa { n, .. } => n.len(),
            // A DER signature is at most 2 * (len + 3) + 3 bytes.
            AaPublicKey::Ec { curve, .. } => 2 * (curve.field_len() + 3) + 3,
        }
    }
}

/// Recognises explicit EC domain parameters (X9.62 ECParameters) by their generator.
fn curve_from_explicit(params: &tlv::Tlv<'_>) -> Result<Curve, AaError> {
    let fields = params.children().map_err(der_err)?;
    // version, fieldID, curve, base, order [, cofactor]
    let base = fields
        .get(3)
        .filter(|t| t.tag == Tag(0x04))
        .ok_or_else(|| AaError::MalformedKey("explicit EC parameters without base point".into()))?;
    Curve::ALL
        .into_iter()
        .find(|c| {
            let g = c.generator();
            base.value == g.as_slice()
                || (base.value.len() == c.field_len() + 1
                    && base.value.get(1..) == g.get(1..1 + c.field_len())
                    && matches!(base.value.first(), Some(0x02 | 0x03)))
        })
        .ok_or_else(|| AaError::UnsupportedCurve("explicit parameters".into()))
}

/// What a verified Active Authentication signature showed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AaEvidence {
    /// ISO/IEC 9796-2 scheme 1 over RSA.
    Rsa {
        /// Modulus size.
        key_bits: usize,
        /// The hash the trailer named.
        hash: HashAlg,
        /// True for the implicit `BC` trailer, false for `xx CC`.
        implicit_trailer: bool,
        /// Length of the recoverable part M1 chosen by the chip.
        m1_len: usize,
    },
    /// ECDSA.
    Ecdsa {
        /// The curve.
        curve: Curve,
        /// The hash used.
        hash: HashAlg,
        /// True when DG14 did not name the hash and the curve's default was assumed.
        hash_assumed: bool,
        /// True when the chip returned a DER signature instead of plain `r || s`.
        der_signature: bool,
    },
}

/// The hash an ActiveAuthenticationInfo's `signatureAlgorithm` names (DG14, ICAO 9303-11
/// §9.2.8): X9.62 `ecdsa-with-SHA*` (1.2.840.10045.4.1 and 4.3.1–4.3.4) or BSI TR-03111
/// `ecdsa-plain-SHA*` (0.4.0.127.0.7.1.1.4.1.1–5). `oid` is the OID's content bytes.
pub fn ec_hash_from_oid(oid: &[u8]) -> Option<HashAlg> {
    match oid {
        [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01] => Some(HashAlg::Sha1),
        [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, x]
        | [0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, x] => {
            let plain = oid.len() == 10;
            match (plain, x) {
                (true, 1) => Some(HashAlg::Sha1),
                (true, 2) | (false, 1) => Some(HashAlg::Sha224),
                (true, 3) | (false, 2) => Some(HashAlg::Sha256),
                (true, 4) | (false, 3) => Some(HashAlg::Sha384),
                (true, 5) | (false, 4) => Some(HashAlg::Sha512),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Verifies an Active Authentication signature over `challenge` (RND.IFD, 8 bytes).
///
/// `ec_hash` is the hash named by DG14's ActiveAuthenticationInfo (ignored for RSA, whose trailer
/// names it); when it is `None` for an EC key, the curve's default is assumed and the evidence
/// says so.
pub fn verify(
    key: &AaPublicKey,
    ec_hash: Option<HashAlg>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<AaEvidence, AaError> {
    if challenge.len() != 8 {
        return Err(AaError::BadChallenge(challenge.len()));
    }
    match key {
        AaPublicKey::Rsa { n, e } => verify_rsa(n, e, challenge, signature),
        AaPublicKey::Ec { curve, point, .. } => {
            let hash = ec_hash.unwrap_or(curve.default_hash());
            let digest = hash.digest(&[challenge]);
            let der = verify_ecdsa(*curve, point, &digest, signature)?;
            Ok(AaEvidence::Ecdsa {
                curve: *curve,
                hash,
                hash_assumed: ec_hash.is_none(),
                der_signature: der,
            })
        }
    }
}

fn rsa_key(n: &[u8], e: &[u8]) -> Result<rsa::RsaPublicKey, AaError> {
    let n = BoxedUint::from_be_slice_vartime(n);
    let e = BoxedUint::from_be_slice_vartime(e);
    rsa::RsaPublicKey::new_with_size_limits(n, e, 512..=MAX_RSA_BITS)
        .map_err(|err| AaError::MalformedKey(format!("RSA key rejected: {err}")))
}

/// ISO/IEC 10118-3 hash identifiers used in `xx CC` trailers.
fn trailer_hash(id: u8) -> Option<HashAlg> {
    match id {
        0x33 => Some(HashAlg::Sha1),
        0x38 => Some(HashAlg::Sha224),
        0x34 => Some(HashAlg::Sha256),
        0x36 => Some(HashAlg::Sha384),
        0x35 => Some(HashAlg::Sha512),
        _ => None,
    }
}

fn trailer_id(hash: HashAlg) -> u8 {
    match hash {
        HashAlg::Sha1 => 0x33,
        HashAlg::Sha224 => 0x38,
        HashAlg::Sha256 => 0x34,
        HashAlg::Sha384 => 0x36,
        HashAlg::Sha512 => 0x35,
    }
}

fn verify_rsa(n: &[u8], e: &[u8], challenge: &[u8], sig: &[u8]) -> Result<AaEvidence, AaError> {
    let key = rsa_key(n, e)?;
    let k = key.size();
    // Some chips drop leading zero bytes of the signature; never accept a longer one.
    if sig.len() > k || sig.len() + 8 < k {
        return Err(AaError::SignatureLength {
            expected: k,
            found: sig.len(),
        });
    }
    let precision = key.n_bits_precision();
    let s = BoxedUint::from_be_slice(sig, precision).map_err(|_| AaError::SignatureLength {
        expected: k,
        found: sig.len(),
    })?;
    if s >= *key.n().as_ref() {
        return Err(AaError::NotARepresentative);
    }
    let j = rsa::hazmat::rsa_encrypt(&key, &s).map_err(|_| AaError::NotARepresentative)?;
    // ISO/IEC 9796-2 §B.6: the signer sends min(J^d, n - J^d), so J is J' or n - J'.
    let low = |x: &BoxedUint| x.to_be_bytes().last().copied().unwrap_or(0) & 0x0F;
    let j = if low(&j) == 12 {
        j
    } else {
        let alt = key.n().as_ref().wrapping_sub(&j);
        if low(&alt) != 12 {
            return Err(AaError::NotARepresentative);
        }
        alt
    };
    let bytes = j.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let recovered = recover_message(&bytes[skip..], challenge)?;
    Ok(AaEvidence::Rsa {
        key_bits: key.n().bits() as usize,
        hash: recovered.hash,
        implicit_trailer: recovered.implicit_trailer,
        m1_len: recovered.m1.len(),
    })
}

/// What ISO/IEC 9796-2 scheme 1 message recovery found in a message representative
/// `F = 6A || M1 || H || T` (ICAO 9303-11 §6.1, Appendix F steps 12–18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredMessage {
    /// The recovered part `M1` (the chip's nonce).
    pub m1: Vec<u8>,
    /// The digest `D` carried in the representative, equal to `hash(M1 || M2)` when this was
    /// returned.
    pub digest: Vec<u8>,
    /// The hash the trailer names.
    pub hash: HashAlg,
    /// True for the implicit trailer `BC` (SHA-1), false for `xx CC`.
    pub implicit_trailer: bool,
}

/// ISO/IEC 9796-2 scheme 1 message recovery with partial recovery (header `6A`): splits the
/// representative `f` (the RSA public operation's result, leading zero bytes removed) into
/// header, `M1`, digest and trailer, and checks the digest against `hash(M1 || M2)` with the
/// non-recoverable part `M2` = `challenge` (RND.IFD).
pub fn recover_message(f: &[u8], challenge: &[u8]) -> Result<RecoveredMessage, AaError> {
    let (&header, _) = f.split_first().ok_or(AaError::NotARepresentative)?;
    if header != 0x6A {
        return Err(AaError::BadHeader(header));
    }
    let (hash, t_len, implicit) = match f {
        [.., 0xBC] => (HashAlg::Sha1, 1, true),
        [.., id, 0xCC] => {
            let hash =
                trailer_hash(*id).ok_or(AaError::BadTrailer(u16::from_be_bytes([*id, 0xCC])))?;
            (hash, 2, false)
        }
        [.., a, b] => return Err(AaError::BadTrailer(u16::from_be_bytes([*a, *b]))),
        _ => return Err(AaError::MessageTooShort),
    };
    let h_len = hash.len();
    if f.len() < 1 + h_len + t_len {
        return Err(AaError::MessageTooShort);
    }
    let m1 = &f[1..f.len() - h_len - t_len];
    let d = &f[f.len() - h_len - t_len..f.len() - t_len];
    let expected = hash.digest(&[m1, challenge]);
    if !ct_eq(d, &expected) {
        return Err(AaError::DigestMismatch);
    }
    Ok(RecoveredMessage {
        m1: m1.to_vec(),
        digest: d.to_vec(),
        hash,
        implicit_trailer: implicit,
    })
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Verifies an ECDSA signature (plain `r || s` or DER) over a prehashed digest.
/// Returns whether the signature was DER-encoded.
fn verify_ecdsa(curve: Curve, point: &[u8], digest: &[u8], sig: &[u8]) -> Result<bool, AaError> {
    macro_rules! check {
        ($c:ty) => {{
            use ecdsa::signature::hazmat::PrehashVerifier;
            let vk = ecdsa::VerifyingKey::<$c>::from_sec1_bytes(point)
                .map_err(|_| AaError::MalformedKey("EC public point is not on the curve".into()))?;
            let (s, der) = if sig.len() == 2 * curve.field_len() {
                (
                    ecdsa::Signature::<$c>::from_slice(sig).map_err(|_| AaError::EcdsaInvalid)?,
                    false,
                )
            } else {
                (
                    ecdsa::Signature::<$c>::from_der(sig)
                        .map_err(|_| AaError::EcdsaMalformed(sig.len()))?,
                    true,
                )
            };
            vk.verify_prehash(digest, &s)
                .map_err(|_| AaError::EcdsaInvalid)?;
            Ok(der)
        }};
    }
    match curve {
        Curve::P256 => check!(p256::NistP256),
        Curve::P384 => check!(p384::NistP384),
        Curve::P521 => check!(p521::NistP521),
        Curve::BrainpoolP256r1 => check!(bp256::BrainpoolP256r1),
        Curve::BrainpoolP384r1 => check!(bp384::BrainpoolP384r1),
    }
}

/// Sends INTERNAL AUTHENTICATE with `challenge` and verifies the answer (terminal role).
///
/// Le is the largest signature the key allows; above 256 bytes the command uses extended length
/// (and a chip answering `61xx` is followed with GET RESPONSE by [`exchange`]).
pub fn authenticate<T: Transport + ?Sized>(
    transport: &mut T,
    key: &AaPublicKey,
    ec_hash: Option<HashAlg>,
    challenge: [u8; 8],
) -> Result<AaEvidence, AaError> {
    let le = key.max_signature_len().clamp(1, 65536);
    let cmd = Command::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge)
        .with_le(le);
    let caps = transport.capabilities();
    let link_max = caps.max_response_len;
    // A link that does not report extended length (ATR) cannot carry the answer: sending the
    // extended command anyway gets 6700 from such a chip without its secure messaging seeing the
    // command, which leaves the send sequence counters apart and ends the session (and with it
    // Chip Authentication after us). Say so instead.
    if !caps.extended_length && le > link_max {
        return Err(AaError::AnswerDoesNotFit {
            needed: le,
            link_max,
        });
    }
    let response = exchange(transport, &cmd)?;
    if response.sw == epassport_card::StatusWord(0x6700) && le > link_max {
        return Err(AaError::AnswerDoesNotFit {
            needed: le,
            link_max,
        });
    }
    let signature = response.into_success(0x88)?;
    verify(key, ec_hash, &challenge, &signature)
}

/// The chip's Active Authentication private key (the software chip's role).
#[non_exhaustive]
pub enum AaPrivateKey {
    /// RSA: ISO/IEC 9796-2 scheme 1 with the given hash (`Sha1` uses the implicit `BC` trailer).
    Rsa(Box<rsa::RsaPrivateKey>, HashAlg),
    /// ECDSA on P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for AaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AaPrivateKey(REDACTED)")
    }
}

impl AaPrivateKey {
    /// Signs `challenge` as a chip does. `m1` is the chip's random recoverable part for RSA
    /// (its length must be the modulus length minus the hash and trailer, minus one header byte);
    /// `ec_hash` is the hash DG14 names for ECDSA.
    pub fn sign<R: rand_core::CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        challenge: &[u8],
        m1: &[u8],
        ec_hash: HashAlg,
    ) -> Result<Vec<u8>, AaError> {
        use ecdsa::signature::hazmat::PrehashSigner;
        match self {
            AaPrivateKey::Rsa(key, hash) => {
                let k = key.size();
                let t_len = if *hash == HashAlg::Sha1 { 1 } else { 2 };
                let want = k - 1 - hash.len() - t_len;
                if m1.len() != want {
                    return Err(AaError::SignatureLength {
                        expected: want,
                        found: m1.len(),
                    });
                }
                let mut j = Vec::with_capacity(k);
                j.push(0x6A);
                j.extend_from_slice(m1);
                j.extend_from_slice(&hash.digest(&[m1, challenge]));
                if t_len == 1 {
                    j.push(0xBC);
                } else {
                    j.extend_from_slice(&[trailer_id(*hash), 0xCC]);
                }
                // J must be below n: with a leading 6A byte it is when n's top byte is above 6A;
                // for other moduli ISO/IEC 9796-2 shortens J by one bit, which chips here avoid.
                let precision = key.n_bits_precision();
                let jn = BoxedUint::from_be_slice(&j, precision).map_err(|_| {
                    AaError::SignatureLength {
                        expected: k,
                        found: j.len(),
                    }
                })?;
                // Blinded with the caller's RNG.
                let s = rsa::hazmat::rsa_decrypt(Some(rng), key.as_ref(), &jn)
                    .map_err(|_| AaError::NotARepresentative)?;
                let alt = key.n().as_ref().wrapping_sub(&s);
                let s = if alt < s { alt } else { s };
                let bytes = s.to_be_bytes();
                Ok(bytes[bytes.len() - k..].to_vec())
            }
            AaPrivateKey::P256(sk) => {
                let sig: p256::ecdsa::Signature = sk
                    .sign_prehash(&ec_hash.digest(&[challenge]))
                    .map_err(|_| AaError::EcdsaInvalid)?;
                Ok(sig.to_bytes().to_vec())
            }
            AaPrivateKey::P384(sk) => {
                let sig: p384::ecdsa::Signature = sk
                    .sign_prehash(&ec_hash.digest(&[challenge]))
                    .map_err(|_| AaError::EcdsaInvalid)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}
