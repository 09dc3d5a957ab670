//! The terminal side of PACE (ICAO 9303-11 §4.4.4): MSE:Set AT, then four GENERAL AUTHENTICATE
//! commands chained with CLA `10`, then secure messaging with the new keys.

use epassport_card::{Command, Response, Status, Transport, exchange_chained};
use epassport_lds::security_infos::{Mapping, SecurityInfos};
use epassport_tlv::{Tag, encode, parse_exact};
use zeroize::Zeroizing;

use super::{
    Ephemeral, PaceError, PaceParameters, Password, PasswordKind, Step, candidates,
    decrypt_cam_data, decrypt_nonce, pseudo_random, session_keys, token, verify_cam,
};
use crate::crypto::{Element, Group};
use crate::kdf::{Cipher, SecretKey};
use crate::sm::SecureMessaging;

/// Which access control the caller wants (`epassport read --access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccessChoice {
    /// PACE when EF.CardAccess offers a supported protocol, else BAC when the chip supports it.
    #[default]
    Auto,
    /// PACE only.
    Pace,
    /// BAC only.
    Bac,
}

/// The PACE-CAM check, as far as it could be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CamCheck {
    /// Not a CAM protocol.
    NotApplicable,
    /// The CA data decrypted, but the check against EF.CardSecurity's public key has not been
    /// done (it needs EF.CardSecurity verified by passive authentication first): see
    /// [`CamData::verify`].
    NotPerformed,
    /// `PK_map,IC = CA_IC · PK_IC` holds for the verified EF.CardSecurity key.
    Passed,
    /// It does not hold: the chip does not own the key EF.CardSecurity names (a clone).
    Failed(String),
}

/// What the report says about a PACE run (for `read.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceReport {
    /// The protocol OID, dotted.
    pub oid: String,
    /// The protocol name (`id-PACE-ECDH-GM-AES-CBC-CMAC-128`).
    pub protocol: String,
    /// `GM`, `IM` or `CAM`.
    pub mapping: &'static str,
    /// `DH` or `ECDH`.
    pub key_agreement: &'static str,
    /// The standardised domain parameter ID, or `None` for explicit parameters.
    pub domain_id: Option<u8>,
    /// A name for the domain (`brainpoolP256r1`, `explicit`...).
    pub domain: String,
    /// The secure-messaging cipher.
    pub cipher: &'static str,
    /// The password used.
    pub password: PasswordKind,
    /// Whether MSE:Set AT carried DO'84' (the parameter ID).
    pub parameter_id_sent: bool,
    /// Tries left that the chip reported in MSE:Set AT (63Cx), if any.
    pub retries_left: Option<u8>,
    /// Why this protocol was chosen.
    pub reason: String,
    /// PACEInfos that were not usable, with the reason.
    pub skipped: Vec<(String, String)>,
    /// The PACE-CAM check.
    pub cam: CamCheck,
}

/// Intermediate values of a run (for the worked-example tests and diagnostics). Secret values
/// are zeroized on drop and not printed.
#[derive(Default, Clone)]
pub struct Transcript {
    /// The encrypted nonce `z`.
    pub encrypted_nonce: Vec<u8>,
    /// The decrypted nonce `s` (secret).
    pub nonce: Zeroizing<Vec<u8>>,
    /// IM: the terminal's nonce `t`.
    pub nonce_t: Vec<u8>,
    /// GM/CAM: the terminal's mapping public key.
    pub mapping_public_key_terminal: Vec<u8>,
    /// GM/CAM: the chip's mapping public key.
    pub mapping_public_key_chip: Vec<u8>,
    /// The mapped generator.
    pub mapped_generator: Vec<u8>,
    /// The terminal's ephemeral public key.
    pub public_key_terminal: Vec<u8>,
    /// The chip's ephemeral public key.
    pub public_key_chip: Vec<u8>,
    /// The shared secret `K` (secret).
    pub shared_secret: Zeroizing<Vec<u8>>,
    /// The terminal's token `T_IFD`.
    pub token_terminal: Vec<u8>,
    /// The chip's token `T_IC`.
    pub token_chip: Vec<u8>,
    /// CAM: the encrypted chip authentication data `A_IC`.
    pub encrypted_cam_data: Vec<u8>,
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transcript(REDACTED)")
    }
}

/// PACE-CAM: the decrypted chip-authentication data and what it is checked against.
#[derive(Clone)]
pub struct CamData {
    group: Group,
    ca_ic: Zeroizing<Vec<u8>>,
    chip_mapping_public_key: Element,
}

impl std::fmt::Debug for CamData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CamData(..)")
    }
}

impl CamData {
    /// `CA_IC` (not secret: it is a public function of the keys).
    pub fn ca_ic(&self) -> &[u8] {
        &self.ca_ic
    }
    /// Checks `PK_map,IC = CA_IC · PK_IC` for the chip's static public key `PK_IC` (uncompressed
    /// point from EF.CardSecurity's ChipAuthenticationPublicKeyInfo, after passive authentication
    /// verified EF.CardSecurity).
    pub fn verify(&self, chip_static_public_key: &[u8]) -> Result<(), PaceError> {
        let pk = self.group.decode(chip_static_public_key).map_err(|_| {
            PaceError::CamFailed("the EF.CardSecurity public key is not a point of the PACE curve")
        })?;
        verify_cam(&self.group, &self.ca_ic, &pk, &self.chip_mapping_public_key)
    }
}

/// The result of PACE: the secure-messaging session and the report.
pub struct PaceOutcome {
    /// Secure messaging with `KS_enc`, `KS_mac` and a zero send sequence counter.
    pub sm: SecureMessaging,
    /// What was done.
    pub report: PaceReport,
    /// Intermediate values.
    pub transcript: Transcript,
    /// PACE-CAM data, when the mapping was CAM.
    pub cam: Option<CamData>,
}

impl std::fmt::Debug for PaceOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaceOutcome")
            .field("report", &self.report)
            .finish()
    }
}

/// MSE:Set AT for PACE: `80` protocol OID, `83` password reference, `84` parameter ID when given.
pub fn mse_set_at(
    params: &PaceParameters,
    password: PasswordKind,
    parameter_id: Option<u8>,
) -> Command {
    let mut data = encode(Tag(0x80), &params.oid().0);
    data.extend_from_slice(&encode(Tag(0x83), &[password.reference()]));
    if let Some(id) = parameter_id {
        data.extend_from_slice(&encode(Tag(0x84), &[id]));
    }
    Command::new(0x00, 0x22, 0xC1, 0xA4).with_data(data)
}

/// GENERAL AUTHENTICATE with dynamic authentication data `7C { inner }`; CLA `10` unless last.
pub fn general_authenticate(inner: &[u8], last: bool) -> Command {
    Command::new(if last { 0x00 } else { 0x10 }, 0x86, 0x00, 0x00)
        .with_data(encode(Tag(0x7C), inner))
        .with_le(256)
}

/// The value of data object `tag` inside the `7C` of a GENERAL AUTHENTICATE response (or
/// command), with precise errors.
pub fn dynamic_data(step: Step, data: &[u8], tag: u8) -> Result<Vec<u8>, PaceError> {
    let outer = parse_exact(data, Tag(0x7C)).map_err(|e| PaceError::MalformedData {
        step,
        reason: format!("dynamic authentication data: {e}"),
    })?;
    let kids = outer.children().map_err(|e| PaceError::MalformedData {
        step,
        reason: format!("inside '7C': {e}"),
    })?;
    kids.iter()
        .find(|k| k.tag == Tag(tag as u32))
        .map(|k| k.value.to_vec())
        .ok_or_else(|| PaceError::MalformedData {
            step,
            reason: format!("data object '{tag:02X}' missing inside '7C'"),
        })
}

fn optional_dynamic_data(step: Step, data: &[u8], tag: u8) -> Result<Option<Vec<u8>>, PaceError> {
    match dynamic_data(step, data, tag) {
        Ok(v) => Ok(Some(v)),
        Err(PaceError::MalformedData { reason, .. }) if reason.contains("missing") => Ok(None),
        Err(e) => Err(e),
    }
}

fn step_status(step: Step, r: &Response, password: PasswordKind) -> Result<(), PaceError> {
    match r.sw.status() {
        Status::Success => Ok(()),
        Status::AuthenticationBlocked => Err(PaceError::PasswordBlocked {
            kind: password,
            sw: r.sw,
        }),
        Status::VerificationFailed | Status::RetriesLeft(_)
            if step == Step::MutualAuthentication =>
        {
            Err(PaceError::WrongPassword {
                kind: password,
                sw: r.sw,
                retries_left: match r.sw.status() {
                    Status::RetriesLeft(n) => Some(n),
                    _ => None,
                },
            })
        }
        // Some chips answer a wrong token with 6982 or 6A80.
        Status::SecurityStatusNotSatisfied | Status::IncorrectData
            if step == Step::MutualAuthentication =>
        {
            Err(PaceError::WrongPassword {
                kind: password,
                sw: r.sw,
                retries_left: None,
            })
        }
        _ => Err(PaceError::StepRefused { step, sw: r.sw }),
    }
}

fn send<T: Transport + ?Sized>(
    t: &mut T,
    step: Step,
    inner: &[u8],
    last: bool,
    password: PasswordKind,
) -> Result<Vec<u8>, PaceError> {
    let r = exchange_chained(t, &general_authenticate(inner, last))?;
    step_status(step, &r, password)?;
    Ok(r.data)
}

/// Runs PACE with the given parameters. `parameter_id` is sent in DO'84' when given.
pub fn run<T: Transport + ?Sized>(
    transport: &mut T,
    params: &PaceParameters,
    password: &Password,
    parameter_id: Option<u8>,
    eph: &mut dyn Ephemeral,
) -> Result<PaceOutcome, PaceError> {
    let kind = password.kind();
    let cipher = params.cipher();
    let group = &params.group;
    let oid = params.oid();
    let mut tr = Transcript::default();

    // MSE:Set AT.
    let r = exchange_chained(transport, &mse_set_at(params, kind, parameter_id))?;
    let retries_left = match r.sw.status() {
        Status::Success => None,
        // A PIN with tries left (63C2, 63C1 suspended: resume with CAN first) still runs.
        Status::RetriesLeft(n) if n > 0 => Some(n),
        Status::RetriesLeft(_) | Status::AuthenticationBlocked => {
            return Err(PaceError::PasswordBlocked { kind, sw: r.sw });
        }
        _ => return Err(PaceError::SetAtRefused { sw: r.sw }),
    };

    // Step 1: encrypted nonce.
    let data = send(transport, Step::EncryptedNonce, &[], false, kind)?;
    tr.encrypted_nonce = dynamic_data(Step::EncryptedNonce, &data, 0x80)?;
    let k_pi = password.key(cipher);
    let s = decrypt_nonce(cipher, &k_pi, &tr.encrypted_nonce)?;
    tr.nonce = s.clone();

    // Step 2: mapping.
    let (generator, chip_map_pk) = match params.protocol.mapping {
        Mapping::Generic | Mapping::ChipAuthentication => {
            let sk = eph.mapping_key(group);
            let pk = group.public_key(&sk, &group.generator())?;
            tr.mapping_public_key_terminal = group.encode(&pk);
            let data = send(
                transport,
                Step::Mapping,
                &encode(Tag(0x81), &tr.mapping_public_key_terminal),
                false,
                kind,
            )?;
            tr.mapping_public_key_chip = dynamic_data(Step::Mapping, &data, 0x82)?;
            let chip_pk = group
                .decode(&tr.mapping_public_key_chip)
                .map_err(|source| PaceError::BadPublicKey {
                    step: Step::Mapping,
                    source,
                })?;
            if chip_pk == pk {
                return Err(PaceError::ReflectedPublicKey {
                    step: Step::Mapping,
                });
            }
            let h = group.agree_element(&sk, &chip_pk)?;
            (group.map_generic(&s, &h)?, Some(chip_pk))
        }
        Mapping::Integrated => {
            let t = eph.nonce(s.len().max(cipher.key_len()));
            tr.nonce_t = t.to_vec();
            let data = send(
                transport,
                Step::Mapping,
                &encode(Tag(0x81), &t),
                false,
                kind,
            )?;
            // The chip answers an empty '82'.
            dynamic_data(Step::Mapping, &data, 0x82)?;
            let x = pseudo_random(cipher, &s, &t, group.field_bits())?;
            (group.map_integrated(&x)?, None)
        }
    };
    tr.mapped_generator = group.encode(&generator);

    // Step 3: key agreement on the mapped generator.
    let sk = eph.agreement_key(group);
    let pk = group.public_key(&sk, &generator)?;
    tr.public_key_terminal = group.encode(&pk);
    let data = send(
        transport,
        Step::KeyAgreement,
        &encode(Tag(0x83), &tr.public_key_terminal),
        false,
        kind,
    )?;
    tr.public_key_chip = dynamic_data(Step::KeyAgreement, &data, 0x84)?;
    let chip_pk = group
        .decode(&tr.public_key_chip)
        .map_err(|source| PaceError::BadPublicKey {
            step: Step::KeyAgreement,
            source,
        })?;
    if chip_pk == pk {
        return Err(PaceError::ReflectedPublicKey {
            step: Step::KeyAgreement,
        });
    }
    // Validate the chip's key against the mapped group too (DH: subgroup check already done).
    let shared = group.shared_secret(&sk, &chip_pk)?;
    tr.shared_secret = shared.clone();
    let keys = session_keys(cipher, &shared);

    // Step 4: mutual authentication.
    let t_ifd = token(cipher, keys.k_mac(), &oid, group, &chip_pk)?;
    tr.token_terminal = t_ifd.to_vec();
    let data = send(
        transport,
        Step::MutualAuthentication,
        &encode(Tag(0x85), &t_ifd),
        true,
        kind,
    )?;
    tr.token_chip = dynamic_data(Step::MutualAuthentication, &data, 0x86)?;
    let expected = token(cipher, keys.k_mac(), &oid, group, &pk)?;
    if !ct_eq(&expected, &tr.token_chip) {
        return Err(PaceError::ChipTokenInvalid);
    }

    let cam = if params.protocol.mapping == Mapping::ChipAuthentication {
        let a_ic = optional_dynamic_data(Step::MutualAuthentication, &data, 0x8A)?.ok_or(
            PaceError::MalformedData {
                step: Step::MutualAuthentication,
                reason: "PACE-CAM: encrypted chip authentication data '8A' missing".into(),
            },
        )?;
        tr.encrypted_cam_data = a_ic.clone();
        let ca_ic = decrypt_cam_data(cipher, keys.k_enc(), &a_ic)?;
        Some(CamData {
            group: group.clone(),
            ca_ic,
            chip_mapping_public_key: chip_map_pk.ok_or(PaceError::CamFailed("no mapping key"))?,
        })
    } else {
        None
    };

    let ssc = vec![0u8; cipher.block_len()];
    let sm = SecureMessaging::new(keys, &ssc)?;
    let report = PaceReport {
        oid: oid.to_dotted().unwrap_or_default(),
        protocol: params.protocol.name(),
        mapping: match params.protocol.mapping {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        },
        key_agreement: if group.is_ec() { "ECDH" } else { "DH" },
        domain_id: params.standard_id,
        domain: params
            .standard_id
            .and_then(crate::crypto::standard::name)
            .unwrap_or("explicit domain parameters")
            .to_string(),
        cipher: cipher.name(),
        password: kind,
        parameter_id_sent: parameter_id.is_some(),
        retries_left,
        reason: String::new(),
        skipped: Vec::new(),
        cam: if cam.is_some() {
            CamCheck::NotPerformed
        } else {
            CamCheck::NotApplicable
        },
    };
    Ok(PaceOutcome {
        sm,
        report,
        transcript: tr,
        cam,
    })
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Chooses the strongest supported PACEInfo of EF.CardAccess and runs PACE with it. MSE:Set AT
/// carries DO'84' whenever the chosen PACEInfo has a parameter ID (ICAO 9303-11 §4.4.4.1; chips
/// with several PACEInfos drop the link or answer 6A87 without it).
pub fn establish<T: Transport + ?Sized>(
    transport: &mut T,
    card_access: &SecurityInfos,
    password: &Password,
    eph: &mut dyn Ephemeral,
) -> Result<PaceOutcome, PaceError> {
    let (cands, skipped) = candidates(card_access);
    let offered = card_access.pace_infos().count();
    let chosen = cands
        .first()
        .ok_or(PaceError::NoSupportedProtocol { offered })?;
    let mut outcome = run(transport, chosen, password, chosen.parameter_id, eph)?;
    outcome.report.reason = if cands.len() == 1 {
        format!(
            "EF.CardAccess offers {offered} PACEInfo(s); {} is the only supported one",
            outcome.report.protocol
        )
    } else {
        format!(
            "EF.CardAccess offers {offered} PACEInfos, {} supported; {} is the strongest",
            cands.len(),
            outcome.report.protocol
        )
    };
    outcome.report.skipped = skipped;
    Ok(outcome)
}

/// `KS_enc` of an outcome (for CA/CAM consumers).
pub fn k_enc(outcome: &PaceOutcome) -> &SecretKey {
    outcome.sm.keys().k_enc()
}

/// The cipher of an outcome.
pub fn cipher(outcome: &PaceOutcome) -> Cipher {
    outcome.sm.cipher()
}
