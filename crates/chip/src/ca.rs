//! Chip Authentication (ICAO Doc 9303-11 §6.2, BSI TR-03110 part 1 §3.4 CA version 1): an
//! ephemeral-static key agreement with the chip's key from DG14 (or EF.CardSecurity). Only the
//! genuine chip can derive the new session keys, so a protected response under those keys proves
//! it holds the private key; a clone whose data matches the SOD but whose key does not fails here.
//!
//! - 3DES (`id-CA-*-3DES-CBC-CBC`): MSE:Set KAT with the ephemeral public key in DO'91'.
//! - AES (`id-CA-*-AES-CBC-CMAC-*`): MSE:Set AT with the protocol OID in DO'80', then GENERAL
//!   AUTHENTICATE with the ephemeral public key in `7C { 80 }`.
//!
//! In both, `K = KA(SK_PCD, PK_PICC)`, the session keys are `KDF(K, 1)` and `KDF(K, 2)`, and
//! secure messaging restarts with SSC = 0. The cryptography serves the software chip too.

use crate::crypto::{CryptoError, Element, Group, PrivateKey, RandomSource};
use crate::kdf::Cipher;
use crate::pace::{group_from_domain_parameters, sm_cipher};
use crate::sm::{SecureMessaging, SecureTransport, SmError, SmKeys};
use epassport_card::{Command, StatusWord, Transport};
use epassport_lds::security_infos::{
    self as si, CaProtocol, ChipAuthenticationPublicKeyInfo, DomainParameters, KeyAgreement,
    SecurityInfos,
};
use epassport_tlv::{self as tlv, Tag};

/// Why Chip Authentication could not run or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaError {
    /// DG14 / EF.CardSecurity offers no Chip Authentication public key.
    #[error("the chip offers no Chip Authentication public key")]
    NoPublicKey,
    /// The key's domain parameters are not usable.
    #[error("the Chip Authentication key's domain parameters are unusable: {0}")]
    DomainParameters(String),
    /// The chip's public key is not a valid group element.
    #[error("the chip's Chip Authentication public key is invalid: {0}")]
    InvalidPublicKey(String),
    /// The chip refused a step (MSE:Set KAT/AT, GENERAL AUTHENTICATE) with a status word.
    #[error("the chip refused {step}: {sw}")]
    Refused {
        /// Which command.
        step: &'static str,
        /// What it answered.
        sw: StatusWord,
    },
    /// The chip's GENERAL AUTHENTICATE answer is malformed.
    #[error("the chip's GENERAL AUTHENTICATE answer is malformed: {0}")]
    MalformedResponse(String),
    /// A response under the new keys did not verify: the chip does not hold the DG14 private key.
    #[error("the chip did not prove possession of its Chip Authentication key: {0}")]
    NotProved(String),
    /// Secure messaging failed before the keys were switched (the session is gone).
    #[error("secure messaging failed during Chip Authentication: {0}")]
    SecureMessaging(String),
}

impl From<CryptoError> for CaError {
    fn from(e: CryptoError) -> Self {
        CaError::DomainParameters(e.to_string())
    }
}

/// Named curves in SubjectPublicKeyInfo mapped to their standardised domain parameter IDs
/// (ICAO 9303-11 §9.5.1, table 9): chips put `id-ecPublicKey` with a curve OID in DG14.
fn standard_id_for_named_curve(oid: &epassport_lds::Oid) -> Option<u8> {
    const CURVES: &[(&[u8], u8)] = &[
        (&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x01], 8), // P-192
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x03], 9), // brainpoolP192r1
        (&[0x2B, 0x81, 0x04, 0x00, 0x21], 10),                  // P-224
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x05], 11), // brainpoolP224r1
        (&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07], 12), // P-256
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07], 13), // brainpoolP256r1
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x09], 14), // brainpoolP320r1
        (&[0x2B, 0x81, 0x04, 0x00, 0x22], 15),                  // P-384
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B], 16), // brainpoolP384r1
        (&[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D], 17), // brainpoolP512r1
        (&[0x2B, 0x81, 0x04, 0x00, 0x23], 18),                  // P-521
    ];
    CURVES
        .iter()
        .find(|(o, _)| *o == oid.0.as_slice())
        .map(|(_, id)| *id)
}

/// The group of a Chip Authentication key: standardised, explicit, or a named curve.
pub fn group_of(dp: &DomainParameters) -> Result<(Group, Option<u8>), CaError> {
    match dp {
        DomainParameters::NamedCurve(oid) => {
            let id = standard_id_for_named_curve(oid).ok_or_else(|| {
                CaError::DomainParameters(format!("unknown named curve {}", hex::encode(&oid.0)))
            })?;
            Ok((Group::standard(id)?, Some(id)))
        }
        other => Ok(group_from_domain_parameters(other)?),
    }
}

/// One usable Chip Authentication configuration of the chip.
#[derive(Clone)]
pub struct CaParameters {
    /// The protocol (key agreement and cipher).
    pub protocol: CaProtocol,
    /// The protocol OID sent in MSE:Set AT.
    pub oid: epassport_lds::Oid,
    /// The chip's static public key's group.
    pub group: Group,
    /// The standardised domain parameter ID, when there is one.
    pub standard_id: Option<u8>,
    /// The chip's static public key.
    pub chip_public_key: Element,
    /// The key ID (DO'84'), when the chip has several keys.
    pub key_id: Option<i64>,
    /// The ChipAuthenticationInfo version (1 or 2), when DG14 has one.
    pub version: Option<i64>,
}

impl std::fmt::Debug for CaParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaParameters")
            .field("protocol", &self.protocol)
            .field("standard_id", &self.standard_id)
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .finish()
    }
}

impl CaParameters {
    /// Every usable Chip Authentication configuration in `infos` (DG14 or EF.CardSecurity),
    /// AES before 3DES. A public key without a ChipAuthenticationInfo is CA version 1 with 3DES
    /// (ICAO 9303-11 §9.2.5: the info "MAY" be absent).
    pub fn from_security_infos(infos: &SecurityInfos) -> Result<Vec<CaParameters>, CaError> {
        let keys: Vec<&ChipAuthenticationPublicKeyInfo> =
            infos.chip_authentication_public_keys().collect();
        if keys.is_empty() {
            return Err(CaError::NoPublicKey);
        }
        let infos_ca: Vec<_> = infos.chip_authentication_infos().collect();
        let mut out = Vec::new();
        let mut last_err = None;
        for key in keys {
            let (group, standard_id) = match group_of(&key.public_key.parameters) {
                Ok(g) => g,
                Err(e) => {
                    last_err = Some(e);
                    continue;
                }
            };
            let chip_public_key = match group.decode(&key.public_key.key) {
                Ok(p) => p,
                Err(e) => {
                    last_err = Some(CaError::InvalidPublicKey(e.to_string()));
                    continue;
                }
            };
            let matching: Vec<_> = infos_ca
                .iter()
                .filter(|i| i.ca.agreement == key.agreement)
                .filter(|i| i.key_id.is_none() || key.key_id.is_none() || i.key_id == key.key_id)
                .collect();
            if matching.is_empty() {
                let protocol = CaProtocol {
                    agreement: key.agreement,
                    cipher: si::Cipher::Tdes,
                };
                out.push(CaParameters {
                    protocol,
                    oid: protocol.oid(),
                    group: group.clone(),
                    standard_id,
                    chip_public_key: chip_public_key.clone(),
                    key_id: key.key_id,
                    version: None,
                });
            }
            for info in matching {
                out.push(CaParameters {
                    protocol: info.ca,
                    oid: info.protocol.clone(),
                    group: group.clone(),
                    standard_id,
                    chip_public_key: chip_public_key.clone(),
                    key_id: key.key_id.or(info.key_id),
                    version: Some(info.version),
                });
            }
        }
        if out.is_empty() {
            return Err(last_err.unwrap_or(CaError::NoPublicKey));
        }
        out.sort_by_key(|p| std::cmp::Reverse(sm_cipher(p.protocol.cipher).key_len()));
        Ok(out)
    }

    /// The secure-messaging cipher after Chip Authentication.
    pub fn cipher(&self) -> Cipher {
        sm_cipher(self.protocol.cipher)
    }
}

/// What a successful Chip Authentication showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaEvidence {
    /// The protocol OID (dotted).
    pub protocol_oid: String,
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// The new secure-messaging cipher.
    pub cipher: Cipher,
    /// The standardised domain parameter ID, when there is one.
    pub standard_id: Option<u8>,
    /// The key ID used, if any.
    pub key_id: Option<i64>,
    /// How possession was proved.
    pub proof: &'static str,
}

/// Encodes an integer key ID as DO'84' content (minimal unsigned big-endian).
fn key_id_bytes(id: i64) -> Vec<u8> {
    let b = id.to_be_bytes();
    let skip = b.iter().take(7).take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

/// The session keys both sides derive from the shared secret (ICAO 9303-11 §9.7.1).
pub fn session_keys(cipher: Cipher, shared: &[u8]) -> Result<SecureMessaging, SmError> {
    let keys = SmKeys::derive(shared, cipher);
    SecureMessaging::new(keys, &vec![0u8; cipher.block_len()])
}

/// Runs Chip Authentication over an established secure channel (terminal role) and restarts its
/// secure messaging with the new keys. The chip proves possession with a READ BINARY of EF.COM's
/// first bytes (by short file identifier) answered under the new keys.
pub fn authenticate<T: Transport>(
    st: &mut SecureTransport<T>,
    params: &CaParameters,
    rng: &mut dyn RandomSource,
) -> Result<CaEvidence, CaError> {
    let group = &params.group;
    let sk: PrivateKey = group.generate_private_key(rng);
    let pk = group.public_key(&sk, &group.generator())?;
    let pk_bytes = group.encode(&pk);
    let shared = group.shared_secret(&sk, &params.chip_public_key)?;
    let cipher = params.cipher();
    let sm_err = |e: SmError| CaError::SecureMessaging(e.to_string());

    let mut key_ref = Vec::new();
    if let Some(id) = params.key_id {
        tlv::encode_into(Tag(0x84), &key_id_bytes(id), &mut key_ref);
    }
    if params.protocol.cipher == si::Cipher::Tdes {
        // MSE:Set KAT (ICAO 9303-11 §6.2.4.1).
        let mut data = tlv::encode(Tag(0x91), &pk_bytes);
        data.extend_from_slice(&key_ref);
        let r = st
            .send(&Command::new(0x00, 0x22, 0x41, 0xA6).with_data(data))
            .map_err(sm_err)?;
        if !r.sw.is_success() {
            return Err(CaError::Refused {
                step: "MSE:Set KAT",
                sw: r.sw,
            });
        }
    } else {
        // MSE:Set AT then GENERAL AUTHENTICATE (ICAO 9303-11 §6.2.4.2).
        let mut data = tlv::encode(Tag(0x80), &params.oid.0);
        data.extend_from_slice(&key_ref);
        let r = st
            .send(&Command::new(0x00, 0x22, 0x41, 0xA4).with_data(data))
            .map_err(sm_err)?;
        if !r.sw.is_success() {
            return Err(CaError::Refused {
                step: "MSE:Set AT",
                sw: r.sw,
            });
        }
        let dyn_auth = tlv::encode(Tag(0x7C), &tlv::encode(Tag(0x80), &pk_bytes));
        let ga = Command::new(0x00, 0x86, 0x00, 0x00)
            .with_data(dyn_auth)
            .with_le(256);
        let r = st.send(&ga).map_err(sm_err)?;
        if !r.sw.is_success() {
            return Err(CaError::Refused {
                step: "GENERAL AUTHENTICATE",
                sw: r.sw,
            });
        }
        tlv::parse_exact(&r.data, Tag(0x7C))
            .map_err(|e| CaError::MalformedResponse(e.to_string()))?;
    }
    st.restart(session_keys(cipher, &shared).map_err(sm_err)?)
        .map_err(sm_err)?;
    // Proof of possession: only the genuine chip derived the keys this response must verify under.
    let read = Command::new(0x00, 0xB0, 0x80 | 0x1E, 0x00).with_le(4);
    match st.send(&read) {
        Ok(r) if r.sw.is_success() || r.sw.sw1() == 0x62 => {}
        Ok(r) => {
            return Err(CaError::Refused {
                step: "READ BINARY after CA",
                sw: r.sw,
            });
        }
        Err(e) => return Err(CaError::NotProved(e.to_string())),
    }
    Ok(CaEvidence {
        protocol_oid: params.oid.to_string(),
        agreement: params.protocol.agreement,
        cipher,
        standard_id: params.standard_id,
        key_id: params.key_id,
        proof: "protected READ BINARY of EF.COM answered under the new session keys",
    })
}

/// The chip's side: the shared secret from the terminal's ephemeral public key (DO'91' or
/// `7C { 80 }`) and the chip's static private key, and the new secure messaging.
pub fn chip_session(
    group: &Group,
    static_key: &PrivateKey,
    terminal_public: &[u8],
    cipher: Cipher,
) -> Result<SecureMessaging, CaError> {
    let peer = group
        .decode(terminal_public)
        .map_err(|e| CaError::InvalidPublicKey(e.to_string()))?;
    let shared = group.shared_secret(static_key, &peer)?;
    session_keys(cipher, &shared).map_err(|e| CaError::SecureMessaging(e.to_string()))
}

/// Extracts the private scalar (EC `ECPrivateKey.privateKey`) or exponent (DH `INTEGER`) from a
/// PKCS#8 `PrivateKeyInfo` (RFC 5208), as chip fixtures store their CA keys.
pub fn pkcs8_private_value(der: &[u8]) -> Result<Vec<u8>, CaError> {
    let bad = |w: &str| CaError::DomainParameters(format!("PKCS#8 private key: {w}"));
    let pki = tlv::parse_exact(der, Tag(0x30)).map_err(|e| bad(&e.to_string()))?;
    let parts = pki.children().map_err(|e| bad(&e.to_string()))?;
    let octets = parts
        .get(2)
        .filter(|t| t.tag == Tag(0x04))
        .ok_or_else(|| bad("no privateKey"))?;
    let inner = tlv::parse_one(octets.value)
        .map_err(|e| bad(&e.to_string()))?
        .0;
    let strip = |v: &[u8]| {
        let skip = v.iter().take_while(|&&b| b == 0).count();
        v[skip..].to_vec()
    };
    match inner.tag {
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, ... }
        Tag(0x30) => {
            let f = inner.children().map_err(|e| bad(&e.to_string()))?;
            let d = f
                .get(1)
                .filter(|t| t.tag == Tag(0x04))
                .ok_or_else(|| bad("no EC scalar"))?;
            Ok(d.value.to_vec())
        }
        // DH: the private value x as an INTEGER.
        Tag(0x02) => Ok(strip(inner.value)),
        _ => Err(bad("unknown private key form")),
    }
}
