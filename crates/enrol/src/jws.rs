//! Signing records: a detached JWS (RFC 7515 Appendix F) with an unencoded payload (RFC 7797),
//! by an Ed25519 (`EdDSA`) or ECDSA P-256 (`ES256`) key.
//!
//! The payload is the record without its `signature` member, in RFC 8785 canonical form
//! ([`crate::canonical`]). The protected header is
//! `{"alg":"EdDSA"|"ES256","b64":false,"crit":["b64"],"kid":THUMBPRINT}` where `THUMBPRINT` is the
//! key's RFC 7638 JWK SHA-256 thumbprint; the record carries `"signature": {"alg", "kid", "jws"}`
//! with `jws` in compact detached form `HEADER..SIGNATURE`. Verification recomputes the payload from
//! the record, so a record modified anywhere (other than in `signature` itself) fails.
//!
//! Keys are PEM: private keys as PKCS#8 (`PRIVATE KEY`, Ed25519 or P-256) or SEC1
//! (`EC PRIVATE KEY`, P-256); public keys as SubjectPublicKeyInfo (`PUBLIC KEY`). A private key
//! also verifies (its public half is used).

use crate::canonical::canonicalize;
use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// The record's `signature` member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// `EdDSA` or `ES256` (informative; the protected header is authoritative).
    pub alg: String,
    /// The signer key's RFC 7638 thumbprint, base64url (informative; as in the header).
    pub kid: String,
    /// The detached compact JWS: `BASE64URL(header)..BASE64URL(signature)`.
    pub jws: String,
}

/// A signing or verification failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The key file is not a PEM key of a supported kind.
    #[error("the key is not an Ed25519 or P-256 key in PEM ({0})")]
    Key(String),
    /// The record is not a JSON object.
    #[error("the record is not a JSON object")]
    NotAnObject,
    /// The record has no `signature` member.
    #[error("the record is not signed (it has no \"signature\")")]
    Unsigned,
    /// The `signature` member is malformed.
    #[error("the record's signature is malformed: {0}")]
    Malformed(String),
    /// The header names an algorithm the key cannot verify.
    #[error("the record is signed with {signed} but the key is {key}")]
    AlgorithmMismatch {
        /// The header's `alg`.
        signed: String,
        /// The key's algorithm.
        key: &'static str,
    },
    /// The header's key ID is not this key's thumbprint.
    #[error("the record was signed by another key (kid {signed}, this key is {key})")]
    OtherKey {
        /// The header's `kid`.
        signed: String,
        /// This key's thumbprint.
        key: String,
    },
    /// The signature does not verify: the record was modified after signing.
    #[error("the signature does not match the record: it was modified after signing")]
    Invalid,
}

/// A key that signs records (zeroized on drop; prints as `REDACTED`).
pub enum SigningKey {
    /// Ed25519.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// ECDSA P-256.
    P256(Box<p256::ecdsa::SigningKey>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, REDACTED)", self.algorithm())
    }
}

/// A key that verifies records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyingKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA P-256.
    P256(p256::ecdsa::VerifyingKey),
}

/// Which kind of key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Ed25519.
    Ed25519,
    /// ECDSA P-256.
    P256,
}

fn key_err(e: impl fmt::Display) -> SignatureError {
    SignatureError::Key(e.to_string())
}

fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let end = pem[start..].find("-----")? + start;
    Some(&pem[start..end])
}

impl SigningKey {
    /// Reads a PEM private key.
    ///
    /// # Errors
    /// [`SignatureError::Key`] when it is not a supported key.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        match pem_label(pem) {
            Some("PRIVATE KEY") => {
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(Self::Ed25519(Box::new(k)));
                }
                p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
                    .map(|k| Self::P256(Box::new(k)))
                    .map_err(|_| {
                        SignatureError::Key(
                            "a PKCS#8 private key, but neither Ed25519 nor P-256".into(),
                        )
                    })
            }
            Some("EC PRIVATE KEY") => p256::SecretKey::from_sec1_pem(pem)
                .map(|k| Self::P256(Box::new(k.into())))
                .map_err(|_| SignatureError::Key("a SEC1 EC private key, but not P-256".into())),
            Some(other) => Err(SignatureError::Key(format!(
                "PEM \"{other}\" is not a private key"
            ))),
            None => Err(SignatureError::Key("no PEM block found".into())),
        }
    }

    /// Generates a key from the operating system's random source.
    ///
    /// # Errors
    /// [`SignatureError::Key`] when the random source fails.
    pub fn generate(kind: KeyKind) -> Result<Self, SignatureError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(seed.as_mut()).map_err(key_err)?;
            match kind {
                KeyKind::Ed25519 => {
                    return Ok(Self::Ed25519(Box::new(
                        ed25519_dalek::SigningKey::from_bytes(&seed),
                    )));
                }
                KeyKind::P256 => {
                    // A random 32-byte string is a valid scalar except with probability ~2^-32.
                    if let Ok(k) = p256::ecdsa::SigningKey::from_slice(seed.as_ref()) {
                        return Ok(Self::P256(Box::new(k)));
                    }
                }
            }
        }
    }

    /// The private key as PKCS#8 PEM.
    ///
    /// # Errors
    /// [`SignatureError::Key`] when encoding fails.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, SignatureError> {
        let le = ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;
        match self {
            Self::Ed25519(k) => k.to_pkcs8_pem(le).map_err(key_err),
            Self::P256(k) => k.to_pkcs8_pem(le).map_err(key_err),
        }
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            Self::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
            Self::P256(k) => VerifyingKey::P256(*k.verifying_key()),
        }
    }

    /// The JWS `alg`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => "EdDSA",
            Self::P256(_) => "ES256",
        }
    }

    fn sign_bytes(&self, input: &[u8]) -> Vec<u8> {
        match self {
            Self::Ed25519(k) => k.sign(input).to_bytes().to_vec(),
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(input);
                sig.to_bytes().to_vec()
            }
        }
    }
}

impl VerifyingKey {
    /// Reads a PEM public key (SubjectPublicKeyInfo), or takes the public half of a private key.
    ///
    /// # Errors
    /// [`SignatureError::Key`] when it is not a supported key.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        match pem_label(pem) {
            Some("PUBLIC KEY") => {
                if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(Self::Ed25519(k));
                }
                p256::ecdsa::VerifyingKey::from_public_key_pem(pem)
                    .map(Self::P256)
                    .map_err(|_| {
                        SignatureError::Key("a public key, but neither Ed25519 nor P-256".into())
                    })
            }
            _ => SigningKey::from_pem(pem).map(|k| k.verifying_key()),
        }
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    ///
    /// # Errors
    /// [`SignatureError::Key`] when encoding fails.
    pub fn to_pem(&self) -> Result<String, SignatureError> {
        let le = ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;
        match self {
            Self::Ed25519(k) => k.to_public_key_pem(le).map_err(key_err),
            Self::P256(k) => k.to_public_key_pem(le).map_err(key_err),
        }
    }

    /// The JWS `alg`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => "EdDSA",
            Self::P256(_) => "ES256",
        }
    }

    /// The RFC 7638 JWK SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> String {
        let jwk = match self {
            Self::Ed25519(k) => format!(
                r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
                Base64UrlUnpadded::encode_string(k.as_bytes())
            ),
            Self::P256(k) => {
                let point = k.to_sec1_point(false);
                let x = point.x().map(|x| x.to_vec()).unwrap_or_default();
                let y = point.y().map(|y| y.to_vec()).unwrap_or_default();
                format!(
                    r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                    Base64UrlUnpadded::encode_string(&x),
                    Base64UrlUnpadded::encode_string(&y)
                )
            }
        };
        Base64UrlUnpadded::encode_string(&Sha256::digest(jwk.as_bytes()))
    }

    fn verify_bytes(&self, input: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(input, &s).is_ok()),
            Self::P256(k) => {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(input, &s).is_ok())
            }
        }
    }
}

fn header(alg: &str, kid: &str) -> String {
    format!(r#"{{"alg":"{alg}","b64":false,"crit":["b64"],"kid":"{kid}"}}"#)
}

/// Signs a record (a JSON object): returns it with its `signature` member set (any previous one is
/// replaced).
///
/// # Errors
/// [`SignatureError::NotAnObject`] when the record is not an object.
pub fn sign(record: &Value, key: &SigningKey) -> Result<Value, SignatureError> {
    let mut record = record.clone();
    let obj = record.as_object_mut().ok_or(SignatureError::NotAnObject)?;
    obj.remove("signature");
    let payload = canonicalize(&Value::Object(obj.clone()));
    let kid = key.verifying_key().thumbprint();
    let protected = Base64UrlUnpadded::encode_string(header(key.algorithm(), &kid).as_bytes());
    let signing_input = format!("{protected}.{payload}");
    let sig = Base64UrlUnpadded::encode_string(&key.sign_bytes(signing_input.as_bytes()));
    let signature = Signature {
        alg: key.algorithm().to_owned(),
        kid,
        jws: format!("{protected}..{sig}"),
    };
    obj.insert(
        "signature".into(),
        serde_json::to_value(signature).map_err(|e| SignatureError::Malformed(e.to_string()))?,
    );
    Ok(record)
}

/// Verifies a signed record with `key`.
///
/// # Errors
/// Which check failed: unsigned, malformed, another algorithm or key, or [`SignatureError::Invalid`]
/// when the record was modified.
pub fn verify(record: &Value, key: &VerifyingKey) -> Result<Signature, SignatureError> {
    let mut obj = record
        .as_object()
        .ok_or(SignatureError::NotAnObject)?
        .clone();
    let sig_value = obj.remove("signature").ok_or(SignatureError::Unsigned)?;
    let signature: Signature =
        serde_json::from_value(sig_value).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let malformed = |m: &str| SignatureError::Malformed(m.to_owned());
    let (protected, rest) = signature
        .jws
        .split_once('.')
        .ok_or_else(|| malformed("the JWS is not HEADER..SIGNATURE"))?;
    let sig_b64 = rest
        .strip_prefix('.')
        .ok_or_else(|| malformed("the JWS payload is not detached (expected HEADER..SIGNATURE)"))?;
    let header_bytes = Base64UrlUnpadded::decode_vec(protected)
        .map_err(|_| malformed("the JWS header is not base64url"))?;
    let header: Value = serde_json::from_slice(&header_bytes)
        .map_err(|_| malformed("the JWS header is not JSON"))?;
    if header.get("b64") != Some(&Value::Bool(false))
        || !header
            .get("crit")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|x| x == "b64"))
    {
        return Err(malformed(
            "the JWS header must have \"b64\": false and \"crit\": [\"b64\"] (RFC 7797)",
        ));
    }
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != key.algorithm() {
        return Err(SignatureError::AlgorithmMismatch {
            signed: alg.to_owned(),
            key: key.algorithm(),
        });
    }
    let kid = header.get("kid").and_then(Value::as_str).unwrap_or("");
    let thumbprint = key.thumbprint();
    if kid != thumbprint {
        return Err(SignatureError::OtherKey {
            signed: kid.to_owned(),
            key: thumbprint,
        });
    }
    let sig = Base64UrlUnpadded::decode_vec(sig_b64)
        .map_err(|_| malformed("the JWS signature is not base64url"))?;
    let payload = canonicalize(&Value::Object(obj));
    let signing_input = format!("{protected}.{payload}");
    if key.verify_bytes(signing_input.as_bytes(), &sig) {
        Ok(signature)
    } else {
        Err(SignatureError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys() -> Vec<SigningKey> {
        vec![
            SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]))),
            SigningKey::P256(Box::new(
                p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap(),
            )),
        ]
    }

    #[test]
    fn sign_verify_and_tamper() {
        let record = json!({"schema": "epassport.mitid-enrolment/1", "decision": {"status": "approved"}, "distance": 0.42});
        for key in keys() {
            let signed = sign(&record, &key).unwrap();
            let vk = key.verifying_key();
            let sig = verify(&signed, &vk).unwrap();
            assert_eq!(sig.alg, key.algorithm());
            // Member order and white space do not matter; content does.
            let text = serde_json::to_string_pretty(&signed).unwrap();
            let reparsed: Value = serde_json::from_str(&text).unwrap();
            assert!(verify(&reparsed, &vk).is_ok());
            let mut modified = signed.clone();
            modified["decision"]["status"] = json!("rejected");
            assert_eq!(verify(&modified, &vk), Err(SignatureError::Invalid));
            let mut added = signed.clone();
            added["extra"] = json!(1);
            assert_eq!(verify(&added, &vk), Err(SignatureError::Invalid));
            assert_eq!(verify(&record, &vk), Err(SignatureError::Unsigned));
        }
    }

    #[test]
    fn wrong_key_and_algorithm() {
        let record = json!({"a": 1});
        let [ed, p]: [SigningKey; 2] = keys().try_into().unwrap();
        let signed = sign(&record, &ed).unwrap();
        assert_eq!(
            verify(&signed, &p.verifying_key()),
            Err(SignatureError::AlgorithmMismatch {
                signed: "EdDSA".into(),
                key: "ES256"
            })
        );
        let other =
            SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&[8u8; 32])));
        assert!(matches!(
            verify(&signed, &other.verifying_key()),
            Err(SignatureError::OtherKey { .. })
        ));
    }

    #[test]
    fn pem_round_trip() {
        for key in keys() {
            let pem = key.to_pem().unwrap();
            let back = SigningKey::from_pem(&pem).unwrap();
            assert_eq!(back.verifying_key(), key.verifying_key());
            let public = key.verifying_key().to_pem().unwrap();
            assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
            assert_eq!(
                VerifyingKey::from_pem(&public).unwrap(),
                key.verifying_key()
            );
            assert_eq!(VerifyingKey::from_pem(&pem).unwrap(), key.verifying_key());
            assert!(format!("{key:?}").contains("REDACTED"));
        }
        assert_eq!(
            SigningKey::from_pem("hello").unwrap_err(),
            SignatureError::Key("no PEM block found".into())
        );
        let generated = SigningKey::generate(KeyKind::P256).unwrap();
        assert_eq!(generated.algorithm(), "ES256");
    }

    #[test]
    fn rfc8037_ed25519_signature() {
        // RFC 8037 Appendix A.4: the signing input and signature of the worked example.
        let d =
            Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
        let key = SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(
            &d.try_into().unwrap(),
        )));
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        let sig = key.sign_bytes(input.as_bytes());
        assert_eq!(
            Base64UrlUnpadded::encode_string(&sig),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
        assert!(key.verifying_key().verify_bytes(input.as_bytes(), &sig));
    }

    #[test]
    fn rfc8037_ed25519_thumbprint() {
        // RFC 8037 Appendix A.3: the thumbprint of the A.2 public key.
        let x =
            Base64UrlUnpadded::decode_vec("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        assert_eq!(
            VerifyingKey::Ed25519(vk).thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
