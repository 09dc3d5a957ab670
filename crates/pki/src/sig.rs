//! Signature algorithms (RFC 3279, RFC 4055, RFC 5758, BSI TR-03111) and their verification.
//!
//! The algorithm is taken from where it is named (the SignerInfo, the certificate's or CRL's
//! signatureAlgorithm), never from the key. `rsaEncryption` as a signature algorithm (the AU
//! sample) means PKCS#1 v1.5 with the hash of the SignerInfo's digestAlgorithm.

use crate::PkiError;
use crate::ber::{Reader, Tlv};
use crate::cert::{EcKey, PublicKey};
pub use epassport_lds::sod::HashAlgorithm;
use serde::Serialize;
use sha2::Digest;

/// A signature algorithm as named by an AlgorithmIdentifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5; `None`: plain `rsaEncryption`, hash given by the context.
    RsaPkcs1 {
        /// The hash, when the OID names one.
        #[serde(serialize_with = "ser_hash_opt")]
        hash: Option<HashAlgorithm>,
    },
    /// RSASSA-PSS with its parameters (RFC 4055 §3.1).
    RsaPss {
        /// Message hash.
        #[serde(serialize_with = "ser_hash")]
        hash: HashAlgorithm,
        /// MGF1 hash.
        #[serde(serialize_with = "ser_hash")]
        mgf_hash: HashAlgorithm,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA; `plain`: BSI TR-03111 r‖s encoding instead of DER.
    Ecdsa {
        /// The hash, when the OID names one.
        #[serde(serialize_with = "ser_hash_opt")]
        hash: Option<HashAlgorithm>,
        /// Plain (TR-03111) signature format.
        plain: bool,
    },
    /// An algorithm this crate does not implement (its OID).
    Unsupported(String),
}

fn ser_hash<S: serde::Serializer>(h: &HashAlgorithm, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(h.name())
}
fn ser_hash_opt<S: serde::Serializer>(h: &Option<HashAlgorithm>, s: S) -> Result<S::Ok, S::Error> {
    match h {
        Some(h) => s.serialize_str(h.name()),
        None => s.serialize_none(),
    }
}

impl std::fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hn = |h: &Option<HashAlgorithm>| h.map(|h| h.name()).unwrap_or("digestAlgorithm");
        match self {
            SignatureAlgorithm::RsaPkcs1 { hash: None } => {
                write!(f, "rsaEncryption (PKCS#1 v1.5 with the digestAlgorithm)")
            }
            SignatureAlgorithm::RsaPkcs1 { hash } => write!(f, "RSA PKCS#1 v1.5 {}", hn(hash)),
            SignatureAlgorithm::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            } => write!(
                f,
                "RSASSA-PSS {} MGF1-{} salt {}",
                hash.name(),
                mgf_hash.name(),
                salt_len
            ),
            SignatureAlgorithm::Ecdsa { hash, plain } => write!(
                f,
                "ECDSA {}{}",
                hn(hash),
                if *plain { " (plain)" } else { "" }
            ),
            SignatureAlgorithm::Unsupported(o) => write!(f, "unsupported algorithm {o}"),
        }
    }
}

/// The hash an OID names.
pub fn hash_by_oid(oid: &str) -> Option<HashAlgorithm> {
    HashAlgorithm::ALL
        .into_iter()
        .find(|h| h.oid_dotted() == oid)
}

/// Parses a digest AlgorithmIdentifier.
pub(crate) fn parse_digest_alg(t: &Tlv<'_>) -> Result<Result<HashAlgorithm, String>, PkiError> {
    const W: &str = "digestAlgorithm";
    let mut r = expect_seq(t, W)?;
    let oid = r.expect(0x06, W)?.oid(W)?;
    Ok(hash_by_oid(&oid).ok_or(oid))
}

fn expect_seq<'a>(t: &Tlv<'a>, what: &'static str) -> Result<Reader<'a>, PkiError> {
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

/// Parses a signature AlgorithmIdentifier.
pub(crate) fn parse_sig_alg(t: &Tlv<'_>) -> Result<SignatureAlgorithm, PkiError> {
    const W: &str = "signatureAlgorithm";
    let mut r = expect_seq(t, W)?;
    let oid = r.expect(0x06, W)?.oid(W)?;
    use HashAlgorithm::*;
    let rsa = |h| SignatureAlgorithm::RsaPkcs1 { hash: Some(h) };
    let ec = |h| SignatureAlgorithm::Ecdsa {
        hash: Some(h),
        plain: false,
    };
    let plain = |h| SignatureAlgorithm::Ecdsa {
        hash: Some(h),
        plain: true,
    };
    Ok(match oid.as_str() {
        "1.2.840.113549.1.1.1" => SignatureAlgorithm::RsaPkcs1 { hash: None },
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => rsa(Sha1),
        "1.2.840.113549.1.1.14" => rsa(Sha224),
        "1.2.840.113549.1.1.11" => rsa(Sha256),
        "1.2.840.113549.1.1.12" => rsa(Sha384),
        "1.2.840.113549.1.1.13" => rsa(Sha512),
        "1.2.840.113549.1.1.10" => parse_pss(&mut r)?,
        "1.2.840.10045.4.1" => ec(Sha1),
        "1.2.840.10045.4.3.1" => ec(Sha224),
        "1.2.840.10045.4.3.2" => ec(Sha256),
        "1.2.840.10045.4.3.3" => ec(Sha384),
        "1.2.840.10045.4.3.4" => ec(Sha512),
        // id-ecPublicKey named as a signature algorithm: hash from the context
        "1.2.840.10045.2.1" => SignatureAlgorithm::Ecdsa {
            hash: None,
            plain: false,
        },
        "0.4.0.127.0.7.1.1.4.1.1" => plain(Sha1),
        "0.4.0.127.0.7.1.1.4.1.2" => plain(Sha224),
        "0.4.0.127.0.7.1.1.4.1.3" => plain(Sha256),
        "0.4.0.127.0.7.1.1.4.1.4" => plain(Sha384),
        "0.4.0.127.0.7.1.1.4.1.5" => plain(Sha512),
        _ => SignatureAlgorithm::Unsupported(oid),
    })
}

/// RSASSA-PSS-params with the RFC 4055 defaults (SHA-1, MGF1-SHA-1, salt 20).
fn parse_pss(r: &mut Reader<'_>) -> Result<SignatureAlgorithm, PkiError> {
    const W: &str = "RSASSA-PSS-params";
    let mut hash = HashAlgorithm::Sha1;
    let mut mgf_hash = HashAlgorithm::Sha1;
    let mut salt_len = 20usize;
    let Some(params) = r.optional(0x30, W)? else {
        return Ok(SignatureAlgorithm::RsaPss {
            hash,
            mgf_hash,
            salt_len,
        });
    };
    let mut p = params.reader();
    let unsupported = |o: String| {
        Ok(SignatureAlgorithm::Unsupported(format!(
            "RSASSA-PSS with {o}"
        )))
    };
    if let Some(h) = p.optional(0xA0, W)? {
        let alg = h.reader().expect(0x30, W)?;
        match parse_digest_alg(&alg)? {
            Ok(x) => hash = x,
            Err(o) => return unsupported(o),
        }
    }
    if let Some(m) = p.optional(0xA1, W)? {
        let mut alg = m.reader().expect(0x30, W)?.reader();
        let mgf = alg.expect(0x06, W)?.oid(W)?;
        if mgf != "1.2.840.113549.1.1.8" {
            return unsupported(mgf);
        }
        match parse_digest_alg(&alg.expect(0x30, W)?)? {
            Ok(x) => mgf_hash = x,
            Err(o) => return unsupported(o),
        }
    }
    if let Some(s) = p.optional(0xA2, W)? {
        salt_len = s.reader().expect(0x02, W)?.small_uint(W)? as usize;
    }
    if let Some(t) = p.optional(0xA3, W)?
        && t.reader().expect(0x02, W)?.small_uint(W)? != 1
    {
        return unsupported("a trailer field other than 1".into());
    }
    Ok(SignatureAlgorithm::RsaPss {
        hash,
        mgf_hash,
        salt_len,
    })
}

/// The digest of `data`.
pub fn digest(h: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    match h {
        HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        HashAlgorithm::Sha224 => sha2::Sha224::digest(data).to_vec(),
        HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        _ => sha2::Sha256::digest(data).to_vec(),
    }
}

impl SignatureAlgorithm {
    /// The hash the signature is computed with (`context`: the SignerInfo's digestAlgorithm
    /// for algorithms that do not name one).
    pub fn hash(&self, context: Option<HashAlgorithm>) -> Option<HashAlgorithm> {
        match self {
            SignatureAlgorithm::RsaPkcs1 { hash } | SignatureAlgorithm::Ecdsa { hash, .. } => {
                hash.or(context)
            }
            SignatureAlgorithm::RsaPss { hash, .. } => Some(*hash),
            SignatureAlgorithm::Unsupported(_) => None,
        }
    }
}

/// Verifies `signature` over `message` with `key` under `alg`; `context` is the hash used when
/// the algorithm does not name one. The error is the reason, for the report.
pub fn verify(
    key: &PublicKey,
    alg: &SignatureAlgorithm,
    context: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let Some(h) = alg.hash(context) else {
        return Err(format!("{alg}: no hash algorithm"));
    };
    let hashed = digest(h, message);
    match (alg, key) {
        (SignatureAlgorithm::RsaPkcs1 { .. }, PublicKey::Rsa { n, e }) => {
            let k = rsa_key(n, e)?;
            let sig = left_pad(signature, n.len());
            let scheme = match h {
                HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                _ => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            };
            k.verify(scheme, &hashed, &sig)
                .map_err(|_| format!("{alg} signature does not verify"))
        }
        (
            SignatureAlgorithm::RsaPss {
                mgf_hash, salt_len, ..
            },
            PublicKey::Rsa { n, e },
        ) => {
            if *mgf_hash != h {
                return Err(format!("{alg}: MGF1 hash differs from the message hash"));
            }
            let k = rsa_key(n, e)?;
            let sig = left_pad(signature, n.len());
            let s = *salt_len;
            let r = match h {
                HashAlgorithm::Sha1 => {
                    k.verify(rsa::Pss::<sha1::Sha1>::new_with_salt(s), &hashed, &sig)
                }
                HashAlgorithm::Sha224 => {
                    k.verify(rsa::Pss::<sha2::Sha224>::new_with_salt(s), &hashed, &sig)
                }
                HashAlgorithm::Sha384 => {
                    k.verify(rsa::Pss::<sha2::Sha384>::new_with_salt(s), &hashed, &sig)
                }
                HashAlgorithm::Sha512 => {
                    k.verify(rsa::Pss::<sha2::Sha512>::new_with_salt(s), &hashed, &sig)
                }
                _ => k.verify(rsa::Pss::<sha2::Sha256>::new_with_salt(s), &hashed, &sig),
            };
            r.map_err(|_| format!("{alg} signature does not verify"))
        }
        (SignatureAlgorithm::Ecdsa { plain, .. }, PublicKey::Ec(ec)) => {
            let fl = ec.field_len();
            let (r, s) = ecdsa_rs(signature, *plain, fl)?;
            verify_ec(ec, &hashed, &r, &s)
        }
        (SignatureAlgorithm::Unsupported(o), _) => {
            Err(format!("unsupported signature algorithm {o}"))
        }
        (a, k) => Err(format!("{a} does not match the {} key", k.kind())),
    }
}

fn left_pad(sig: &[u8], len: usize) -> Vec<u8> {
    if sig.len() >= len {
        return sig.to_vec();
    }
    let mut v = vec![0u8; len - sig.len()];
    v.extend_from_slice(sig);
    v
}

fn rsa_key(n: &[u8], e: &[u8]) -> Result<rsa::RsaPublicKey, String> {
    let nb = rsa::BoxedUint::from_be_slice_vartime(n);
    let eb = rsa::BoxedUint::from_be_slice_vartime(e);
    rsa::RsaPublicKey::new_with_size_limits(nb, eb, 1024..=16384)
        .map_err(|err| format!("unusable RSA key: {err}"))
}

/// (r, s) as big-endian bytes, each left-padded to the field length.
fn ecdsa_rs(sig: &[u8], plain: bool, fl: usize) -> Result<(Vec<u8>, Vec<u8>), String> {
    let from_plain = |sig: &[u8]| {
        let (r, s) = sig.split_at(sig.len() / 2);
        (r.to_vec(), s.to_vec())
    };
    if plain {
        if !sig.len().is_multiple_of(2) || sig.is_empty() {
            return Err("plain ECDSA signature of odd length".into());
        }
        return Ok(from_plain(sig));
    }
    let der = (|| -> Result<(Vec<u8>, Vec<u8>), PkiError> {
        let t = Tlv::parse_one(sig, "ECDSA-Sig-Value")?;
        let mut r = expect_seq(&t, "ECDSA-Sig-Value")?;
        let a = r.expect(0x02, "ECDSA r")?.uint("ECDSA r")?.to_vec();
        let b = r.expect(0x02, "ECDSA s")?.uint("ECDSA s")?.to_vec();
        Ok((a, b))
    })();
    match der {
        Ok(v) => Ok(v),
        // Some issuers put a plain r‖s under the DER OID.
        Err(_) if sig.len() == 2 * fl => Ok(from_plain(sig)),
        Err(e) => Err(format!("malformed DER ECDSA signature: {e}")),
    }
}

fn pad_to(v: &[u8], len: usize) -> Result<Vec<u8>, String> {
    let v = &v[v.iter().take_while(|&&b| b == 0).count()..];
    if v.len() > len {
        return Err("ECDSA signature value longer than the curve order".into());
    }
    Ok(left_pad(v, len))
}

fn verify_ec(key: &EcKey, hashed: &[u8], r: &[u8], s: &[u8]) -> Result<(), String> {
    use ecdsa::signature::hazmat::PrehashVerifier;
    let fl = key.field_len();
    let mut rs = pad_to(r, fl)?;
    rs.extend(pad_to(s, fl)?);
    let bad = || "ECDSA signature does not verify".to_string();
    let name = key.curve_name();
    // The RustCrypto curves need a prehash of at least half the field size.
    let crate_ok = hashed.len() * 2 >= fl;
    macro_rules! rc {
        ($vk:ty, $sig:ty) => {{
            let vk = <$vk>::from_sec1_bytes(&key.point)
                .map_err(|_| "public point is not on the curve".to_string())?;
            let sig = <$sig>::from_slice(&rs)
                .map_err(|_| "ECDSA signature value out of range".to_string())?;
            vk.verify_prehash(hashed, &sig).map_err(|_| bad())
        }};
    }
    match name {
        Some("P-256") if crate_ok => rc!(p256::ecdsa::VerifyingKey, p256::ecdsa::Signature),
        Some("P-384") if crate_ok => rc!(p384::ecdsa::VerifyingKey, p384::ecdsa::Signature),
        Some("P-521") if crate_ok => rc!(p521::ecdsa::VerifyingKey, p521::ecdsa::Signature),
        Some("brainpoolP256r1") if crate_ok => rc!(
            ecdsa::VerifyingKey<bp256::BrainpoolP256r1>,
            bp256::r1::ecdsa::Signature
        ),
        Some("brainpoolP384r1") if crate_ok => rc!(
            ecdsa::VerifyingKey<bp384::BrainpoolP384r1>,
            bp384::r1::ecdsa::Signature
        ),
        _ => match key.domain() {
            Some(d) => d.verify(&key.point, hashed, &rs[..fl], &rs[fl..]),
            None => Err("EC key without usable domain parameters".into()),
        },
    }
}
