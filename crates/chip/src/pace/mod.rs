//! PACE, Password Authenticated Connection Establishment (ICAO 9303-11 §4.4, BSI TR-03110-2 §3.2):
//! the cryptography shared by both roles, the terminal ([`terminal`]) and the chip ([`chip`]).
//!
//! - Passwords: the MRZ (`K = SHA-1(MRZ_information)`), the CAN, and the ID-card PIN/PUK
//!   ([`Password`]).
//! - Mappings: Generic (ECDH and DH), Integrated (ECDH with the point encoding of Appendix B, and
//!   DH), Chip Authentication Mapping (ECDH).
//! - Domain parameters: standardised IDs 0–2 and 8–18, or explicit ones from a
//!   PACEDomainParameterInfo ([`PaceParameters`]).
//! - Ciphers: 3DES and AES-128/192/256; `KDF(K, c)` with `c` = 1 (enc), 2 (MAC), 3 (password).
//! - Authentication tokens over the public-key data object `7F49` (§4.4.3.4).
//!
//! Ephemeral keys and nonces come from an [`Ephemeral`] source, so the worked examples of ICAO
//! 9303-11 Appendices G and H replay bit for bit.

pub mod access;
pub mod chip;
pub mod terminal;

use std::fmt;

use epassport_card::StatusWord;
use epassport_lds::Oid;
use epassport_lds::security_infos::{
    self as si, DomainParameters, KeyAgreement, Mapping, PaceInfo, PaceProtocol, SecurityInfos,
};
use epassport_tlv::{Tag, encode};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::crypto::{CryptoError, Curve, DhGroup, Element, Group, PrivateKey, RandomSource};
use crate::kdf::{Cipher, KdfCounter, SecretKey, kdf};
use crate::sm::{SmKeys, cbc_decrypt, cbc_encrypt, mac8, pad, unpad};

pub use terminal::{AccessChoice, PaceOutcome, PaceReport, establish};

/// The kind of password (the reference in MSE:Set AT DO'83', ICAO 9303-11 §4.4.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordKind {
    /// The MRZ (reference 01).
    Mrz,
    /// The card access number (02).
    Can,
    /// The eID PIN (03).
    Pin,
    /// The PIN unblocking key (04).
    Puk,
}

impl PasswordKind {
    /// The password reference of DO'83'.
    pub fn reference(self) -> u8 {
        match self {
            PasswordKind::Mrz => 1,
            PasswordKind::Can => 2,
            PasswordKind::Pin => 3,
            PasswordKind::Puk => 4,
        }
    }
    /// From the DO'83' reference.
    pub fn from_reference(r: u8) -> Option<PasswordKind> {
        Some(match r {
            1 => PasswordKind::Mrz,
            2 => PasswordKind::Can,
            3 => PasswordKind::Pin,
            4 => PasswordKind::Puk,
            _ => return None,
        })
    }
    /// `MRZ`, `CAN`, `PIN` or `PUK`.
    pub fn name(self) -> &'static str {
        match self {
            PasswordKind::Mrz => "MRZ",
            PasswordKind::Can => "CAN",
            PasswordKind::Pin => "PIN",
            PasswordKind::Puk => "PUK",
        }
    }
}

impl fmt::Display for PasswordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A PACE password. Zeroized on drop; prints as `REDACTED`.
#[derive(Clone)]
pub struct Password {
    kind: PasswordKind,
    /// MRZ_information for the MRZ, the digits for CAN/PIN/PUK.
    secret: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password({}, REDACTED)", self.kind)
    }
}

impl Password {
    /// The MRZ password from the MRZ key (document number, birth date, expiry date with check
    /// digits).
    pub fn mrz(key: &epassport_mrz::MrzKey) -> Password {
        Password::mrz_information(key.information())
    }
    /// The MRZ password from `MRZ_information` bytes.
    pub fn mrz_information(info: &[u8]) -> Password {
        Password {
            kind: PasswordKind::Mrz,
            secret: Zeroizing::new(info.to_vec()),
        }
    }
    /// The card access number: digits only (6 on ICAO documents; others are accepted).
    pub fn can(can: &str) -> Result<Password, PaceError> {
        Password::digits(PasswordKind::Can, can)
    }
    /// The eID PIN.
    pub fn pin(pin: &str) -> Result<Password, PaceError> {
        Password::digits(PasswordKind::Pin, pin)
    }
    /// The PUK.
    pub fn puk(puk: &str) -> Result<Password, PaceError> {
        Password::digits(PasswordKind::Puk, puk)
    }
    fn digits(kind: PasswordKind, s: &str) -> Result<Password, PaceError> {
        if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PaceError::BadPassword {
                kind,
                reason: "must be 1 to 16 decimal digits",
            });
        }
        Ok(Password {
            kind,
            secret: Zeroizing::new(s.as_bytes().to_vec()),
        })
    }
    /// The kind.
    pub fn kind(&self) -> PasswordKind {
        self.kind
    }
    /// `f(π)`: SHA-1 of MRZ_information for the MRZ, the ISO 8859-1 digits otherwise (§4.4.3.1).
    fn key_seed(&self) -> Zeroizing<Vec<u8>> {
        match self.kind {
            PasswordKind::Mrz => Zeroizing::new(Sha1::digest(&*self.secret).to_vec()),
            _ => self.secret.clone(),
        }
    }
    /// `K_π = KDF(f(π), 3)`.
    pub fn key(&self, cipher: Cipher) -> SecretKey {
        kdf(&self.key_seed(), KdfCounter::Pace, cipher)
    }
}

/// What went wrong in PACE.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaceError {
    /// The password is not usable (e.g. a CAN with letters).
    #[error("{kind}: {reason}")]
    BadPassword {
        /// Which password.
        kind: PasswordKind,
        /// What is wrong.
        reason: &'static str,
    },
    /// EF.CardAccess lists no PACEInfo this implementation supports.
    #[error("EF.CardAccess offers no supported PACE protocol ({offered} PACEInfos)")]
    NoSupportedProtocol {
        /// How many PACEInfos there were.
        offered: usize,
    },
    /// A PACEInfo refers to domain parameters that are unknown or unusable.
    #[error("domain parameters of {protocol}: {reason}")]
    DomainParameters {
        /// The protocol's name.
        protocol: String,
        /// What is wrong.
        reason: String,
    },
    /// MSE:Set AT was refused.
    #[error("MSE:Set AT refused with {sw}")]
    SetAtRefused {
        /// The status word.
        sw: StatusWord,
    },
    /// The password was refused by the chip (or the chip's token did not verify): wrong MRZ/CAN.
    #[error("the chip refused the {kind} ({sw}){}", retries_text(*.retries_left))]
    WrongPassword {
        /// Which password.
        kind: PasswordKind,
        /// The status word of the refusal (9000 when the chip's token did not verify).
        sw: StatusWord,
        /// Tries left when the chip said so (63Cx).
        retries_left: Option<u8>,
    },
    /// The password is blocked or suspended (6983, or 63C1 for a suspended PIN needing the CAN).
    #[error("the {kind} is blocked or suspended ({sw})")]
    PasswordBlocked {
        /// Which password.
        kind: PasswordKind,
        /// The status word.
        sw: StatusWord,
    },
    /// A GENERAL AUTHENTICATE step was refused with an unexpected status word.
    #[error("GENERAL AUTHENTICATE ({step}) refused with {sw}")]
    StepRefused {
        /// The step.
        step: Step,
        /// The status word.
        sw: StatusWord,
    },
    /// A dynamic-authentication-data object from the chip (or terminal, on the chip side) is
    /// malformed.
    #[error("GENERAL AUTHENTICATE ({step}): malformed data object: {reason}")]
    MalformedData {
        /// The step.
        step: Step,
        /// What is wrong, naming the tag.
        reason: String,
    },
    /// The chip's public key equals the terminal's (a reflection), or is otherwise refused.
    #[error("GENERAL AUTHENTICATE ({step}): the chip's public key is invalid: {source}")]
    BadPublicKey {
        /// The step.
        step: Step,
        /// The validation failure.
        source: CryptoError,
    },
    /// The chip's token `T_IC` did not verify (the chip accepted the terminal's token, so the
    /// session keys differ: a faulty or hostile chip).
    #[error("the chip's authentication token T_IC does not verify")]
    ChipTokenInvalid,
    /// The chip's public key equals the terminal's one (ICAO 9303-11 §4.4.3.3: must differ).
    #[error("GENERAL AUTHENTICATE ({step}): the chip returned the terminal's own public key")]
    ReflectedPublicKey {
        /// The step.
        step: Step,
    },
    /// A group computation failed (mapping to the identity, unsupported mapping...).
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    /// PACE-CAM: the chip-authentication data did not decrypt or does not match.
    #[error("Chip Authentication Mapping: {0}")]
    CamFailed(&'static str),
    /// The card layer failed.
    #[error(transparent)]
    Card(#[from] epassport_card::CardError),
    /// Secure-messaging cryptography failed (key length...).
    #[error(transparent)]
    Sm(#[from] crate::sm::SmError),
}

fn retries_text(r: Option<u8>) -> String {
    match r {
        Some(n) => format!(", {n} tries left"),
        None => String::new(),
    }
}

/// The steps of PACE, for error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Step 1: the encrypted nonce.
    EncryptedNonce,
    /// Step 2: the mapping.
    Mapping,
    /// Step 3: the key agreement.
    KeyAgreement,
    /// Step 4: mutual authentication (tokens).
    MutualAuthentication,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::EncryptedNonce => "encrypted nonce",
            Step::Mapping => "mapping",
            Step::KeyAgreement => "key agreement",
            Step::MutualAuthentication => "mutual authentication",
        })
    }
}

/// The secure-messaging cipher of a PACE protocol.
pub fn sm_cipher(c: si::Cipher) -> Cipher {
    match c {
        si::Cipher::Tdes => Cipher::Tdes,
        si::Cipher::Aes128 => Cipher::Aes128,
        si::Cipher::Aes192 => Cipher::Aes192,
        si::Cipher::Aes256 => Cipher::Aes256,
    }
}

/// A chosen PACE configuration: protocol, group and the parameter ID to name in DO'84'.
#[derive(Debug, Clone)]
pub struct PaceParameters {
    /// The protocol (key agreement, mapping, cipher).
    pub protocol: PaceProtocol,
    /// The group of the domain parameters.
    pub group: Group,
    /// The parameterId of the PACEInfo, if any (standardised ID or reference to explicit ones).
    pub parameter_id: Option<u8>,
    /// The standardised domain ID when the parameters are standardised.
    pub standard_id: Option<u8>,
}

impl PaceParameters {
    /// Parameters for a standardised domain ID.
    pub fn standard(protocol: PaceProtocol, id: u8) -> Result<PaceParameters, PaceError> {
        let group = Group::standard(id)?;
        check_family(protocol, &group)?;
        Ok(PaceParameters {
            protocol,
            group,
            parameter_id: Some(id),
            standard_id: Some(id),
        })
    }

    /// The parameters a PACEInfo describes, resolving explicit ones from `infos`.
    pub fn from_info(info: &PaceInfo, infos: &SecurityInfos) -> Result<PaceParameters, PaceError> {
        let err = |reason: String| PaceError::DomainParameters {
            protocol: info.pace.name(),
            reason,
        };
        let explicit = infos.pace_domain_parameters_for(info);
        let (group, standard_id) = match (explicit, info.parameter_id) {
            (Some(d), _) => {
                let (g, s) = group_from_domain_parameters(&d.domain_parameters)
                    .map_err(|e| err(e.to_string()))?;
                (g, s)
            }
            (None, Some(id)) if (0..=31).contains(&id) => {
                let g = Group::standard(id as u8).map_err(|e| err(e.to_string()))?;
                (g, Some(id as u8))
            }
            (None, Some(id)) => {
                return Err(err(format!("no PACEDomainParameterInfo with ID {id}")));
            }
            (None, None) => {
                return Err(err("no parameter ID and no PACEDomainParameterInfo".into()));
            }
        };
        check_family(info.pace, &group)?;
        Ok(PaceParameters {
            protocol: info.pace,
            group,
            parameter_id: info.parameter_id.and_then(|i| u8::try_from(i).ok()),
            standard_id,
        })
    }

    /// The protocol OID.
    pub fn oid(&self) -> Oid {
        self.protocol.oid()
    }

    /// The secure-messaging cipher.
    pub fn cipher(&self) -> Cipher {
        sm_cipher(self.protocol.cipher)
    }
}

fn check_family(p: PaceProtocol, g: &Group) -> Result<(), PaceError> {
    let ok = matches!(
        (p.agreement, g),
        (KeyAgreement::Ecdh, Group::Ec(_)) | (KeyAgreement::Dh, Group::Dh(_))
    );
    if ok {
        Ok(())
    } else {
        Err(PaceError::DomainParameters {
            protocol: p.name(),
            reason: "domain parameters of the other key-agreement family".into(),
        })
    }
}

/// The largest explicit curve accepted (bytes of `p`): bounds the work hostile parameters cause.
pub const MAX_EC_FIELD_BYTES: usize = 128;
/// The largest explicit DH prime accepted (bytes).
pub const MAX_DH_FIELD_BYTES: usize = 512;

/// The group of domain parameters from SecurityInfos (standardised or explicit); returns the
/// standardised ID too when there is one.
pub fn group_from_domain_parameters(
    dp: &DomainParameters,
) -> Result<(Group, Option<u8>), CryptoError> {
    match dp {
        DomainParameters::Standardized(id) => {
            let id8 = u8::try_from(*id).map_err(|_| CryptoError::UnknownDomainParameterId(*id))?;
            Ok((Group::standard(id8)?, Some(id8)))
        }
        DomainParameters::Ec(e) => {
            if e.p.len() > MAX_EC_FIELD_BYTES || e.order.len() > MAX_EC_FIELD_BYTES + 1 {
                return Err(CryptoError::InvalidDomainParameters(
                    "curve larger than 1024 bits",
                ));
            }
            let base = &e.base;
            let l = base.len().saturating_sub(1) / 2;
            if base.first() != Some(&0x04) || base.len() != 1 + 2 * l || l == 0 {
                return Err(CryptoError::InvalidDomainParameters(
                    "base point is not an uncompressed point",
                ));
            }
            let h = match &e.cofactor {
                None => 1,
                Some(h) if h.len() <= 8 => h.iter().fold(0u64, |a, &b| (a << 8) | b as u64),
                Some(_) => {
                    return Err(CryptoError::InvalidDomainParameters("cofactor too large"));
                }
            };
            let c = Curve::new(
                &e.p,
                &e.a,
                &e.b,
                &base[1..1 + l],
                &base[1 + l..],
                &e.order,
                h,
            )?;
            Ok((Group::Ec(c), None))
        }
        DomainParameters::Dh(d) if d.p.len() > MAX_DH_FIELD_BYTES => Err(
            CryptoError::InvalidDomainParameters("DH group larger than 4096 bits"),
        ),
        DomainParameters::Dh(d) => Ok((Group::Dh(DhGroup::new(&d.p, &d.g, d.q.as_deref())?), None)),
        DomainParameters::NamedCurve(_) | DomainParameters::Other { .. } => {
            Err(CryptoError::InvalidDomainParameters(
                "named curves and other algorithms are not supported",
            ))
        }
    }
}

/// How strong a protocol is, for choosing among several PACEInfos: the security of the weaker of
/// group and cipher (symmetric-equivalent bits, NIST SP 800-57), then the mapping (CAM, IM, GM),
/// then ECDH over DH, then the cipher.
pub fn strength(p: &PaceParameters) -> (u32, u8, u8, u8) {
    let mapping = match p.protocol.mapping {
        Mapping::ChipAuthentication => 3,
        Mapping::Integrated => 2,
        Mapping::Generic => 1,
    };
    let group_bits = match &p.group {
        Group::Ec(c) => c.field_bits() / 2,
        Group::Dh(d) => match d.field_bits() {
            0..=1024 => 80,
            1025..=2048 => 112,
            2049..=3072 => 128,
            _ => 152,
        },
    };
    let (cipher_bits, cipher) = match p.protocol.cipher {
        si::Cipher::Tdes => (112, 0),
        si::Cipher::Aes128 => (128, 1),
        si::Cipher::Aes192 => (192, 2),
        si::Cipher::Aes256 => (256, 3),
    };
    let ka = match p.protocol.agreement {
        KeyAgreement::Ecdh => 1,
        KeyAgreement::Dh => 0,
    };
    (group_bits.min(cipher_bits), mapping, ka, cipher)
}

/// Every supported PACEInfo with its parameters, strongest first, and the PACEInfos skipped with
/// the reason.
pub fn candidates(infos: &SecurityInfos) -> (Vec<PaceParameters>, Vec<(String, String)>) {
    let mut ok = Vec::new();
    let mut skipped = Vec::new();
    for info in infos.pace_infos() {
        match PaceParameters::from_info(info, infos) {
            Ok(p) => {
                if p.protocol.mapping == Mapping::Integrated
                    && let Group::Ec(c) = &p.group
                    && c.p_bytes().last().is_some_and(|b| b & 3 != 3)
                {
                    // The point encoding needs p ≡ 3 (mod 4).
                    skipped.push((
                        info.pace.name(),
                        "Integrated Mapping needs p ≡ 3 (mod 4)".to_string(),
                    ));
                    continue;
                }
                ok.push(p)
            }
            Err(e) => skipped.push((info.pace.name(), e.to_string())),
        }
    }
    ok.sort_by_key(|p| std::cmp::Reverse(strength(p)));
    (ok, skipped)
}

/// Ephemeral values of one PACE run: the nonce (chip) or `t` (IM terminal), and the mapping and
/// key-agreement private keys. Injectable for the worked examples.
pub trait Ephemeral {
    /// A nonce of `len` bytes (the chip's `s`, or the IM terminal's `t`).
    fn nonce(&mut self, len: usize) -> Zeroizing<Vec<u8>>;
    /// The private key for the mapping step (GM/CAM).
    fn mapping_key(&mut self, group: &Group) -> PrivateKey;
    /// The private key for the key agreement step, on the mapped generator.
    fn agreement_key(&mut self, group: &Group) -> PrivateKey;
}

/// Fresh randomness from a [`RandomSource`].
pub struct RandomEphemeral<'a>(pub &'a mut dyn RandomSource);

impl Ephemeral for RandomEphemeral<'_> {
    fn nonce(&mut self, len: usize) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(vec![0u8; len]);
        self.0.fill(&mut v);
        v
    }
    fn mapping_key(&mut self, group: &Group) -> PrivateKey {
        group.generate_private_key(self.0)
    }
    fn agreement_key(&mut self, group: &Group) -> PrivateKey {
        group.generate_private_key(self.0)
    }
}

/// Fixed values (worked examples, tests). Each is used once; a missing one falls back to `rng`.
pub struct InjectedEphemeral {
    /// The nonce.
    pub nonce: Option<Vec<u8>>,
    /// The mapping private key.
    pub mapping_key: Option<Vec<u8>>,
    /// The key-agreement private key.
    pub agreement_key: Option<Vec<u8>>,
}

impl Ephemeral for InjectedEphemeral {
    fn nonce(&mut self, len: usize) -> Zeroizing<Vec<u8>> {
        let mut v = self.nonce.take().unwrap_or_default();
        v.resize(len, 0);
        Zeroizing::new(v)
    }
    fn mapping_key(&mut self, _group: &Group) -> PrivateKey {
        PrivateKey::from_bytes(&self.mapping_key.take().unwrap_or_else(|| vec![1]))
    }
    fn agreement_key(&mut self, _group: &Group) -> PrivateKey {
        PrivateKey::from_bytes(&self.agreement_key.take().unwrap_or_else(|| vec![1]))
    }
}

/// The nonce length for a cipher: one AES block for AES-128 and 3DES' two blocks (16 bytes), 32
/// bytes for AES-192/256 (Integrated Mapping needs `l ≥ k`).
pub fn nonce_len(cipher: Cipher) -> usize {
    match cipher {
        Cipher::Tdes | Cipher::Aes128 => 16,
        _ => 32,
    }
}

/// `z = E(K_π, s)`, CBC with a zero IV (§4.4.3.1).
pub fn encrypt_nonce(cipher: Cipher, k_pi: &SecretKey, s: &[u8]) -> Result<Vec<u8>, PaceError> {
    let mut buf = s.to_vec();
    cbc_encrypt(
        cipher,
        k_pi.as_bytes(),
        &vec![0; cipher.block_len()],
        &mut buf,
    )?;
    Ok(buf)
}

/// `s = D(K_π, z)`.
pub fn decrypt_nonce(
    cipher: Cipher,
    k_pi: &SecretKey,
    z: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PaceError> {
    if z.is_empty() || !z.len().is_multiple_of(cipher.block_len()) {
        return Err(PaceError::MalformedData {
            step: Step::EncryptedNonce,
            reason: format!(
                "encrypted nonce of {} bytes is not a whole number of {}-byte blocks",
                z.len(),
                cipher.block_len()
            ),
        });
    }
    let mut buf = Zeroizing::new(z.to_vec());
    cbc_decrypt(
        cipher,
        k_pi.as_bytes(),
        &vec![0; cipher.block_len()],
        &mut buf,
    )?;
    Ok(buf)
}

const C0_128: [u8; 16] = [
    0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0, 0x57, 0xd8, 0x59, 0x04,
];
const C1_128: [u8; 16] = [
    0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02, 0x17, 0xc1, 0x88, 0xad,
];
const C0_256: [u8; 32] = [
    0xd4, 0x63, 0xd6, 0x52, 0x34, 0x12, 0x4e, 0xf7, 0x89, 0x70, 0x54, 0x98, 0x6d, 0xca, 0x0a, 0x17,
    0x4e, 0x28, 0xdf, 0x75, 0x8c, 0xba, 0xa0, 0x3f, 0x24, 0x06, 0x16, 0x41, 0x4d, 0x5a, 0x16, 0x76,
];
const C1_256: [u8; 32] = [
    0x54, 0xbd, 0x72, 0x55, 0xf0, 0xaa, 0xf8, 0x31, 0xbe, 0xc3, 0x42, 0x3f, 0xcf, 0x39, 0xd6, 0x9b,
    0x6c, 0xbf, 0x06, 0x66, 0x77, 0xd0, 0xfa, 0xae, 0x5a, 0xad, 0xd9, 0x9d, 0xf8, 0xe5, 0x35, 0x17,
];

/// The pseudo-random function `R_p(s, t)` of Integrated Mapping (ICAO 9303-11 §4.4.3.3.2): a
/// block-cipher based generator keyed by `t`, producing `n = ⌈(log2 p + 64) / l⌉` blocks of
/// `l = |s|` bits.
pub fn pseudo_random(
    cipher: Cipher,
    s: &[u8],
    t: &[u8],
    field_bits: u32,
) -> Result<Zeroizing<Vec<u8>>, PaceError> {
    let (c0, c1): (&[u8], &[u8]) = match s.len() {
        16 => (&C0_128, &C1_128),
        32 => (&C0_256, &C1_256),
        n => {
            return Err(PaceError::MalformedData {
                step: Step::Mapping,
                reason: format!("Integrated Mapping nonce of {n} bytes (16 or 32 expected)"),
            });
        }
    };
    let k = cipher.key_len();
    if t.len() < k {
        return Err(PaceError::MalformedData {
            step: Step::Mapping,
            reason: format!(
                "nonce t of {} bytes is shorter than the {k}-byte key",
                t.len()
            ),
        });
    }
    let l_bits = (s.len() * 8) as u32;
    let n = (field_bits + 64).div_ceil(l_bits) as usize;
    let iv = vec![0u8; cipher.block_len()];
    let enc = |key: &[u8], data: &[u8]| -> Result<Zeroizing<Vec<u8>>, PaceError> {
        let mut b = Zeroizing::new(data.to_vec());
        cbc_encrypt(cipher, &key[..k], &iv, &mut b)?;
        Ok(b)
    };
    let mut key = enc(t, s)?;
    let mut out = Zeroizing::new(Vec::with_capacity(n * s.len()));
    for _ in 0..n {
        let next = enc(&key, c0)?;
        out.extend_from_slice(&enc(&key, c1)?);
        key = next;
    }
    Ok(out)
}

/// The public-key data object `7F49 { 06 OID, 86 point | 84 value }` over which the tokens are
/// computed (ICAO 9303-11 §4.4.3.4, §9.4).
pub fn public_key_data_object(oid: &Oid, group: &Group, key: &Element) -> Vec<u8> {
    let mut inner = encode(Tag(0x06), &oid.0);
    let tag = if group.is_ec() { 0x86 } else { 0x84 };
    inner.extend_from_slice(&encode(Tag(tag), &group.encode(key)));
    encode(Tag(0x7F49), &inner)
}

/// An authentication token: retail MAC (3DES, padded) or CMAC truncated to 8 bytes (AES, no
/// padding) over the public-key data object.
pub fn token(
    cipher: Cipher,
    k_mac: &SecretKey,
    oid: &Oid,
    group: &Group,
    key: &Element,
) -> Result<[u8; 8], PaceError> {
    let data = public_key_data_object(oid, group, key);
    match cipher {
        Cipher::Tdes => Ok(mac8(cipher, k_mac.as_bytes(), &data)?),
        _ => Ok(cmac8(cipher, k_mac.as_bytes(), &data)?),
    }
}

fn cmac8(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; 8], PaceError> {
    use aes::{Aes128, Aes192, Aes256};
    use cmac::{Cmac, KeyInit, Mac};
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Option<[u8; 8]> {
        let mut m = <M as KeyInit>::new_from_slice(key).ok()?;
        m.update(data);
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 8];
        out.copy_from_slice(&full[..8]);
        Some(out)
    }
    let r = match cipher {
        Cipher::Aes128 => run::<Cmac<Aes128>>(key, data),
        Cipher::Aes192 => run::<Cmac<Aes192>>(key, data),
        _ => run::<Cmac<Aes256>>(key, data),
    };
    r.ok_or(PaceError::Sm(crate::sm::SmError::BadKeyLength {
        cipher,
        expected: cipher.key_len(),
        actual: key.len(),
    }))
}

/// The session keys `KS_enc = KDF(K, 1)`, `KS_mac = KDF(K, 2)`.
pub fn session_keys(cipher: Cipher, shared: &[u8]) -> SmKeys {
    SmKeys::derive(shared, cipher)
}

/// PACE-CAM: the IV `E(KS_enc, -1)` for the chip-authentication data (`-1` = all bits set).
fn cam_iv(cipher: Cipher, k_enc: &SecretKey) -> Result<Vec<u8>, PaceError> {
    let mut b = vec![0xFFu8; cipher.block_len()];
    // One-block CBC with a zero IV is the raw block encryption.
    cbc_encrypt(
        cipher,
        k_enc.as_bytes(),
        &vec![0; cipher.block_len()],
        &mut b,
    )?;
    Ok(b)
}

/// PACE-CAM (chip side): `A_IC = E(KS_enc, CA_IC)` with padding and IV `E(KS_enc, -1)`.
pub fn encrypt_cam_data(
    cipher: Cipher,
    k_enc: &SecretKey,
    ca_ic: &[u8],
) -> Result<Vec<u8>, PaceError> {
    let iv = cam_iv(cipher, k_enc)?;
    let mut buf = pad(ca_ic, cipher.block_len());
    cbc_encrypt(cipher, k_enc.as_bytes(), &iv, &mut buf)?;
    Ok(buf)
}

/// PACE-CAM (terminal side): decrypts `A_IC` into `CA_IC`.
pub fn decrypt_cam_data(
    cipher: Cipher,
    k_enc: &SecretKey,
    a_ic: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PaceError> {
    if a_ic.is_empty() || !a_ic.len().is_multiple_of(cipher.block_len()) {
        return Err(PaceError::CamFailed(
            "encrypted chip authentication data is not whole blocks",
        ));
    }
    let iv = cam_iv(cipher, k_enc)?;
    let mut buf = Zeroizing::new(a_ic.to_vec());
    cbc_decrypt(cipher, k_enc.as_bytes(), &iv, &mut buf)?;
    let plain = unpad(&buf).ok_or(PaceError::CamFailed(
        "chip authentication data has bad padding",
    ))?;
    Ok(Zeroizing::new(plain.to_vec()))
}

/// The PACE-CAM check (ICAO 9303-11 §4.4.3.5.2): `PK_map,IC = CA_IC · PK_IC`, with `PK_IC` the
/// chip's static public key from EF.CardSecurity (which passive authentication must have verified
/// first). Returns `Ok(())` when it holds.
pub fn verify_cam(
    group: &Group,
    ca_ic: &[u8],
    chip_static_public_key: &Element,
    chip_mapping_public_key: &Element,
) -> Result<(), PaceError> {
    let expected = group.mul_bytes(ca_ic, chip_static_public_key)?;
    if &expected == chip_mapping_public_key {
        Ok(())
    } else {
        Err(PaceError::CamFailed(
            "PK_map,IC differs from CA_IC · PK_IC: the chip does not hold the EF.CardSecurity key",
        ))
    }
}
