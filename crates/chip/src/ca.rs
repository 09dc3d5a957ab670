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
//!
//! CA version 2 (BSI TR-03110 part 1 §3.4.1, part 3 §B.11.5): the chip answers GENERAL
//! AUTHENTICATE with a nonce `r_PICC` (DO'81') and an authentication token `T_PICC` (DO'82'); the
//! keys are then `KDF(K, r_PICC, 1)` and `KDF(K, r_PICC, 2)` (the nonce between the secret and the
//! counter) and `T_PICC = MAC(K_MAC, PK_PCD)` over the public-key data object of the terminal's
//! ephemeral key with the CA protocol OID. The terminal checks the token before it switches keys;
//! a chip answering `7C 00` is CA version 1 over GENERAL AUTHENTICATE (ICAO 9303-11 §6.2.4.2).
//!
//! The terminal's ephemeral key is injectable ([`authenticate_with_key`]) so the BSI worked example
//! replays bit for bit.

use crate::crypto::{CryptoError, Element, Group, PrivateKey, RandomSource};
use crate::kdf::{Cipher, KdfCounter, SecretKey};
use crate::pace::{group_from_domain_parameters, sm_cipher};
use crate::sm::{SecureMessaging, SecureTransport, SmError, SmKeys};
use epassport_card::{CardError, Command, StatusWord, Transport};
use epassport_lds::security_infos::{
    self as si, CaProtocol, ChipAuthenticationPublicKeyInfo, DomainParameters, KeyAgreement,
    SecurityInfos,
};
use epassport_tlv::{self as tlv, Tag};
use zeroize::Zeroizing;

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
    /// The link to the chip failed during Chip Authentication (card removed, reader gone, a
    /// time-out): the card layer's error, to tell a lost link (no evidence either way) from a
    /// chip that answered wrongly.
    #[error("the link to the chip failed during Chip Authentication: {0}")]
    Card(CardError),
    /// CA version 2: the chip's authentication token `T_PICC` does not verify under the keys
    /// derived from the DG14 / EF.CardSecurity public key: the chip does not hold that key.
    #[error(
        "the chip's authentication token T_PICC {got} is not MAC(K_MAC, PK_PCD) = {expected}: it does not hold the Chip Authentication key"
    )]
    TokenMismatch {
        /// The token the chip sent (hex).
        got: String,
        /// The token the keys give (hex).
        expected: String,
    },
}

/// A secure-messaging failure before the proof: the card layer's error kept as such (a lost
/// link), anything else as text.
fn sm_error(e: SmError) -> CaError {
    match e {
        SmError::Card(c) => CaError::Card(c),
        e => CaError::SecureMessaging(e.to_string()),
    }
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
    /// 1: keys `KDF(K, c)` (MSE:Set KAT, or GENERAL AUTHENTICATE answered `7C 00`); 2: the chip
    /// sent a nonce and an authentication token, and the token verified.
    pub version: u8,
}

/// The intermediate values of a Chip Authentication run (worked-example tests, diagnostics). The
/// shared secret is zeroized on drop and not printed.
#[derive(Clone, Default)]
pub struct CaTranscript {
    /// The terminal's ephemeral public key `PK_PCD` as sent.
    pub terminal_public_key: Vec<u8>,
    /// The shared secret `K` (secret).
    pub shared_secret: Zeroizing<Vec<u8>>,
    /// CA version 2: the chip's nonce `r_PICC`.
    pub nonce: Option<Vec<u8>>,
    /// CA version 2: the chip's authentication token `T_PICC`.
    pub token: Option<Vec<u8>>,
}

impl std::fmt::Debug for CaTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaTranscript(REDACTED)")
    }
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

/// `KDF(K, r, c)` of BSI TR-03110 part 3 §A.2.3: the hash of `K || r || c` (`c` 32-bit
/// big-endian), SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256, cut to the key length, DES
/// parity adjusted for 3DES. With an empty `r` it is `KDF(K, c)` of ICAO 9303-11 §9.7.1.
pub fn kdf_with_nonce(
    shared_secret: &[u8],
    nonce: &[u8],
    counter: KdfCounter,
    cipher: Cipher,
) -> SecretKey {
    use sha2::Digest;
    let c = (counter as u32).to_be_bytes();
    let hash: Zeroizing<Vec<u8>> = Zeroizing::new(match cipher {
        Cipher::Tdes | Cipher::Aes128 => sha1::Sha1::new()
            .chain_update(shared_secret)
            .chain_update(nonce)
            .chain_update(c)
            .finalize()
            .to_vec(),
        _ => sha2::Sha256::new()
            .chain_update(shared_secret)
            .chain_update(nonce)
            .chain_update(c)
            .finalize()
            .to_vec(),
    });
    let mut key = Zeroizing::new(hash[..cipher.key_len().min(hash.len())].to_vec());
    if cipher == Cipher::Tdes {
        crate::kdf::adjust_des_parity(&mut key);
    }
    SecretKey::new(key.to_vec())
}

/// CA version 2 session keys `KDF(K, r_PICC, 1)`, `KDF(K, r_PICC, 2)`, SSC = 0.
pub fn session_keys_v2(
    cipher: Cipher,
    shared: &[u8],
    nonce: &[u8],
) -> Result<SecureMessaging, SmError> {
    let keys = SmKeys::new(
        cipher,
        kdf_with_nonce(shared, nonce, KdfCounter::Enc, cipher),
        kdf_with_nonce(shared, nonce, KdfCounter::Mac, cipher),
    )?;
    SecureMessaging::new(keys, &vec![0u8; cipher.block_len()])
}

/// CA version 2: `T_PICC = MAC(K_MAC, PK_PCD)` over the public-key data object
/// `7F49 { 06 <CA protocol OID>, 86 point | 84 value }` of the terminal's ephemeral key (retail
/// MAC for 3DES, CMAC truncated to 8 bytes for AES), as the PACE tokens.
pub fn authentication_token(
    cipher: Cipher,
    k_mac: &SecretKey,
    oid: &epassport_lds::Oid,
    group: &Group,
    terminal_public_key: &Element,
) -> Result<[u8; 8], CaError> {
    crate::pace::token(cipher, k_mac, oid, group, terminal_public_key)
        .map_err(|e| CaError::SecureMessaging(e.to_string()))
}

/// Runs Chip Authentication over an established secure channel (terminal role) and restarts its
/// secure messaging with the new keys. The chip proves possession with a READ BINARY of EF.COM's
/// first bytes (by short file identifier) answered under the new keys, and, for CA version 2,
/// with its authentication token first.
pub fn authenticate<T: Transport>(
    st: &mut SecureTransport<T>,
    params: &CaParameters,
    rng: &mut dyn RandomSource,
) -> Result<CaEvidence, CaError> {
    let sk: PrivateKey = params.group.generate_private_key(rng);
    authenticate_with_key(st, params, &sk).map(|(evidence, _)| evidence)
}

/// [`authenticate`] with the terminal's ephemeral private key given (worked examples), returning
/// the intermediate values too.
pub fn authenticate_with_key<T: Transport>(
    st: &mut SecureTransport<T>,
    params: &CaParameters,
    sk: &PrivateKey,
) -> Result<(CaEvidence, CaTranscript), CaError> {
    let group = &params.group;
    let pk = group.public_key(sk, &group.generator())?;
    let pk_bytes = group.encode(&pk);
    let shared = group.shared_secret(sk, &params.chip_public_key)?;
    let cipher = params.cipher();
    let sm_err = sm_error;
    let mut transcript = CaTranscript {
        terminal_public_key: pk_bytes.clone(),
        shared_secret: shared.clone(),
        nonce: None,
        token: None,
    };

    let mut key_ref = Vec::new();
    if let Some(id) = params.key_id {
        tlv::encode_into(Tag(0x84), &key_id_bytes(id), &mut key_ref);
    }
    let new_sm = if params.protocol.cipher == si::Cipher::Tdes {
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
        session_keys(cipher, &shared).map_err(sm_err)?
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
        // The answer is at most `7C { 81 r_PICC, 82 T_PICC }` (under 80 bytes): an Le that keeps
        // the protected response within a short APDU, for chips without extended length.
        let ga = Command::new(0x00, 0x86, 0x00, 0x00)
            .with_data(dyn_auth)
            .with_le(GA_LE);
        let r = st.send(&ga).map_err(sm_err)?;
        if !r.sw.is_success() {
            return Err(CaError::Refused {
                step: "GENERAL AUTHENTICATE",
                sw: r.sw,
            });
        }
        match parse_ga_response(&r.data)? {
            None => session_keys(cipher, &shared).map_err(sm_err)?,
            Some(CaV2Answer { nonce, token }) => {
                let sm = session_keys_v2(cipher, &shared, &nonce).map_err(sm_err)?;
                let expected =
                    authentication_token(cipher, sm.keys().k_mac(), &params.oid, group, &pk)?;
                transcript.nonce = Some(nonce);
                transcript.token = Some(token.clone());
                if expected.as_slice() != token.as_slice() {
                    return Err(CaError::TokenMismatch {
                        got: hex::encode_upper(&token),
                        expected: hex::encode_upper(expected),
                    });
                }
                sm
            }
        }
    };
    let version = if transcript.token.is_some() { 2 } else { 1 };
    st.restart(new_sm).map_err(sm_err)?;
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
        Err(SmError::Card(e)) => return Err(CaError::Card(e)),
        Err(e) => return Err(CaError::NotProved(e.to_string())),
    }
    Ok((
        CaEvidence {
            protocol_oid: params.oid.to_string(),
            agreement: params.protocol.agreement,
            cipher,
            standard_id: params.standard_id,
            key_id: params.key_id,
            proof: if version == 2 {
                "authentication token T_PICC verified, and a protected READ BINARY of EF.COM answered under the new session keys"
            } else {
                "protected READ BINARY of EF.COM answered under the new session keys"
            },
            version,
        },
        transcript,
    ))
}

/// Maximum length accepted for the CA version 2 nonce `r_PICC` (TR-03110 uses 8 bytes).
const MAX_NONCE_LEN: usize = 64;

/// Le of the CA GENERAL AUTHENTICATE: room for the largest answer accepted (a 64-byte nonce and
/// the token) whose protected form still fits a short response APDU.
const GA_LE: usize = 128;

/// The data objects of a CA version 2 GENERAL AUTHENTICATE answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaV2Answer {
    /// The chip's nonce `r_PICC` (DO'81').
    pub nonce: Vec<u8>,
    /// The chip's authentication token `T_PICC` (DO'82'), 8 bytes.
    pub token: Vec<u8>,
}

/// The chip's GENERAL AUTHENTICATE answer: `7C 00` (CA version 1) or `7C { 81 r_PICC, 82 T_PICC }`
/// (CA version 2). Anything else is malformed.
pub fn parse_ga_response(data: &[u8]) -> Result<Option<CaV2Answer>, CaError> {
    let bad = |w: String| CaError::MalformedResponse(w);
    let outer = tlv::parse_exact(data, Tag(0x7C)).map_err(|e| bad(e.to_string()))?;
    if outer.value.is_empty() {
        return Ok(None);
    }
    let inner = tlv::parse_all(outer.value).map_err(|e| bad(e.to_string()))?;
    let nonce = inner.iter().find(|t| t.tag == Tag(0x81));
    let token = inner.iter().find(|t| t.tag == Tag(0x82));
    match (nonce, token) {
        (Some(n), Some(t)) => {
            if n.value.is_empty() || n.value.len() > MAX_NONCE_LEN {
                return Err(bad(format!("nonce r_PICC of {} bytes", n.value.len())));
            }
            if t.value.len() != 8 {
                return Err(bad(format!(
                    "authentication token T_PICC of {} bytes, expected 8",
                    t.value.len()
                )));
            }
            Ok(Some(CaV2Answer {
                nonce: n.value.to_vec(),
                token: t.value.to_vec(),
            }))
        }
        (None, _) => Err(bad("no nonce r_PICC (DO'81')".into())),
        (_, None) => Err(bad("no authentication token T_PICC (DO'82')".into())),
    }
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

/// The chip's side of CA version 2: the keys `KDF(K, r_PICC, c)` from its nonce and the token
/// `T_PICC` over the terminal's ephemeral key, for the answer `7C { 81 r_PICC, 82 T_PICC }`.
pub fn chip_session_v2(
    group: &Group,
    static_key: &PrivateKey,
    terminal_public: &[u8],
    cipher: Cipher,
    oid: &epassport_lds::Oid,
    nonce: &[u8],
) -> Result<(SecureMessaging, [u8; 8]), CaError> {
    let peer = group
        .decode(terminal_public)
        .map_err(|e| CaError::InvalidPublicKey(e.to_string()))?;
    let shared = group.shared_secret(static_key, &peer)?;
    let sm = session_keys_v2(cipher, &shared, nonce)
        .map_err(|e| CaError::SecureMessaging(e.to_string()))?;
    let token = authentication_token(cipher, sm.keys().k_mac(), oid, group, &peer)?;
    Ok((sm, token))
}

/// The answer `7C { 81 r_PICC, 82 T_PICC }` of a CA version 2 GENERAL AUTHENTICATE.
pub fn ga_response_v2(nonce: &[u8], token: &[u8]) -> Vec<u8> {
    let mut inner = tlv::encode(Tag(0x81), nonce);
    inner.extend_from_slice(&tlv::encode(Tag(0x82), token));
    tlv::encode(Tag(0x7C), &inner)
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

/// What passive authentication said about EF.CardSecurity (its CMS signature and the DS → CSCA
/// chain, e.g. `epassport_pki::verify_card_security(..).report.is_authentic()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardSecurityVerdict {
    /// Verified: its SecurityInfos are what the issuer signed.
    Verified,
    /// Not verified (a check failed, no trust anchor, or not checked), with why.
    NotVerified(String),
}

/// The PACE-CAM chip-authentication check against the EF.CardSecurity public key (ICAO 9303-11
/// §4.4.3.5.2): performed and passed, performed and failed (with the reason), or not performed
/// (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CamVerification {
    /// `PK_map,IC = CA_IC · PK_IC` holds for a Chip Authentication public key of the verified
    /// EF.CardSecurity: the chip holds that key.
    Passed {
        /// The key's ID in EF.CardSecurity, if it has one.
        key_id: Option<i64>,
        /// The key's standardised domain parameter ID, if any.
        standard_id: Option<u8>,
    },
    /// The check ran and failed: the chip does not hold the key the verified EF.CardSecurity
    /// names (a clone), or that file names no key the check could use.
    Failed(String),
    /// The check did not run (PACE did not use CAM, or EF.CardSecurity is not verified).
    NotPerformed(String),
}

impl CamVerification {
    /// True when the check ran (passed or failed).
    pub fn performed(&self) -> bool {
        !matches!(self, CamVerification::NotPerformed(_))
    }
    /// True when the check ran and passed.
    pub fn passed(&self) -> bool {
        matches!(self, CamVerification::Passed { .. })
    }
    /// The PACE report's form ([`crate::pace::terminal::PaceReport::cam`]).
    pub fn to_cam_check(&self) -> crate::pace::terminal::CamCheck {
        use crate::pace::terminal::CamCheck;
        match self {
            CamVerification::Passed { .. } => CamCheck::Passed,
            CamVerification::Failed(why) => CamCheck::Failed(why.clone()),
            CamVerification::NotPerformed(_) => CamCheck::NotPerformed,
        }
    }
}

impl std::fmt::Display for CamVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CamVerification::Passed { key_id, .. } => {
                write!(
                    f,
                    "passed: PK_map,IC = CA_IC · PK_IC for the EF.CardSecurity key"
                )?;
                match key_id {
                    Some(id) => write!(f, " (key ID {id})"),
                    None => Ok(()),
                }
            }
            CamVerification::Failed(why) => write!(f, "FAILED: {why}"),
            CamVerification::NotPerformed(why) => write!(f, "not performed: {why}"),
        }
    }
}

/// Runs the PACE-CAM check once passive authentication has judged EF.CardSecurity: `cam` is the
/// PACE session's CAM data ([`crate::pace::terminal::PaceOutcome::cam`], `None` when PACE did not
/// use CAM), `card_security` the EF.CardSecurity bytes as read, `verdict` what passive
/// authentication said about exactly those bytes. Every ECDH Chip Authentication public key in
/// EF.CardSecurity is tried; the check passes when one of them is the chip's.
pub fn check_pace_cam(
    cam: Option<&crate::pace::terminal::CamData>,
    card_security: &[u8],
    verdict: &CardSecurityVerdict,
) -> CamVerification {
    let Some(cam) = cam else {
        return CamVerification::NotPerformed(
            "PACE did not use Chip Authentication Mapping".into(),
        );
    };
    if let CardSecurityVerdict::NotVerified(why) = verdict {
        return CamVerification::NotPerformed(format!(
            "EF.CardSecurity is not verified by passive authentication ({why}), so its key \
             cannot vouch for the chip"
        ));
    }
    cam_key_check(cam, card_security, "the verified EF.CardSecurity")
}

/// The CAM key check alone: does `cam` prove possession of one of EF.CardSecurity's ECDH Chip
/// Authentication public keys? Says nothing about whether EF.CardSecurity itself is genuine:
/// [`check_pace_cam`] requires that first; a chip session runs it as soon as the file is read
/// and leaves the trust to passive authentication. `file` names the file in messages.
pub fn cam_key_check(
    cam: &crate::pace::terminal::CamData,
    card_security: &[u8],
    file: &str,
) -> CamVerification {
    let infos = match si::card_security_content(card_security)
        .map_err(|e| e.to_string())
        .and_then(|c| SecurityInfos::parse(c).map_err(|e| e.to_string()))
    {
        Ok(i) => i,
        Err(e) => {
            return CamVerification::Failed(format!("{file}'s SecurityInfos do not parse: {e}"));
        }
    };
    let keys: Vec<&ChipAuthenticationPublicKeyInfo> = infos
        .chip_authentication_public_keys()
        .filter(|k| k.agreement == KeyAgreement::Ecdh)
        .collect();
    if keys.is_empty() {
        return CamVerification::Failed(format!(
            "{file} lists no ECDH Chip Authentication public key"
        ));
    }
    let mut reasons = Vec::new();
    for key in keys {
        match cam.verify(&key.public_key.key) {
            Ok(()) => {
                return CamVerification::Passed {
                    key_id: key.key_id,
                    standard_id: group_of(&key.public_key.parameters)
                        .ok()
                        .and_then(|(_, id)| id),
                };
            }
            Err(e) => reasons.push(match key.key_id {
                Some(id) => format!("key ID {id}: {e}"),
                None => e.to_string(),
            }),
        }
    }
    CamVerification::Failed(reasons.join("; "))
}
