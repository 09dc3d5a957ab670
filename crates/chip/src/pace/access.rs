//! Access control as `epassport read --access pace|bac|auto` needs it: read EF.CardAccess, run
//! PACE with the strongest supported PACEInfo (CAN when given, else the MRZ), fall back to BAC when
//! allowed, and say which protocol opened the session and why.
//!
//! Policy (ICAO 9303-11 §4.2): a chip that offers PACE is accessed with PACE. `Auto` falls back to
//! BAC only when EF.CardAccess is absent or lists nothing supported, or when PACE failed for a
//! reason other than the password (a chip refusing MSE:Set AT or a step); a refused password is
//! reported as such and never retried with BAC (it would burn a try of a PIN, and a wrong MRZ is
//! wrong for BAC too).

use epassport_card::{Command, Status, Transport, exchange};
use epassport_lds::security_infos::SecurityInfos;
use zeroize::Zeroizing;

use super::terminal::{AccessChoice, CamData, PaceReport, establish};
use super::{PaceError, Password, RandomEphemeral, candidates};
use crate::ChipError;
use crate::bac::{BacNonces, authenticate, bac_keys};
use crate::crypto::RandomSource;
use crate::sm::SecureMessaging;

/// What the caller knows to open the chip.
#[derive(Default)]
pub struct Credentials<'a> {
    /// The MRZ key (document number, birth and expiry dates), for BAC and PACE-MRZ.
    pub mrz: Option<&'a epassport_mrz::MrzKey>,
    /// The card access number, for PACE-CAN (preferred over the MRZ when both are given).
    pub can: Option<&'a str>,
}

/// The protocol that opened the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessMethod {
    /// PACE, with its report (OID, mapping, domain, cipher, password).
    Pace(Box<PaceReport>),
    /// Basic Access Control.
    Bac,
}

/// An opened session: secure messaging, the method, and why it was chosen.
pub struct AccessSession {
    /// Secure messaging with the session keys.
    pub sm: SecureMessaging,
    /// PACE or BAC.
    pub method: AccessMethod,
    /// Why this protocol (e.g. "EF.CardAccess absent: BAC").
    pub reason: String,
    /// PACE-CAM data to check against EF.CardSecurity once passive authentication verified it.
    pub cam: Option<CamData>,
    /// EF.CardAccess as read (absent on BAC-only chips).
    pub card_access: Option<Vec<u8>>,
}

impl std::fmt::Debug for AccessSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessSession")
            .field("method", &self.method)
            .field("reason", &self.reason)
            .finish()
    }
}

/// Why no session could be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// Neither an MRZ key nor a CAN was given (or only a CAN for a BAC-only chip).
    #[error("no usable credentials: {0}")]
    NoCredentials(&'static str),
    /// PACE was required but the chip does not offer a supported protocol.
    #[error("PACE was requested but is not available: {0}")]
    PaceUnavailable(String),
    /// PACE failed (and BAC was not tried: see the module policy).
    #[error("PACE: {0}")]
    Pace(#[from] PaceError),
    /// BAC failed.
    #[error("BAC: {0}")]
    Bac(#[from] ChipError),
    /// Reading EF.CardAccess failed at the card layer.
    #[error(transparent)]
    Card(#[from] epassport_card::CardError),
}

/// The largest EF.CardAccess accepted (real ones are under 1 KB).
pub const MAX_CARD_ACCESS: usize = 8192;

/// Reads EF.CardAccess (MF, FID 011C) without secure messaging; `None` when the chip has none.
pub fn read_card_access<T: Transport + ?Sized>(
    t: &mut T,
) -> Result<Option<Vec<u8>>, epassport_card::CardError> {
    let sel = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1C]);
    let r = exchange(t, &sel)?;
    if !r.sw.is_success() {
        return Ok(None);
    }
    let mut out = Vec::new();
    loop {
        let off = out.len();
        if off > 0x7FFF || off >= MAX_CARD_ACCESS {
            break;
        }
        let cmd = Command::new(0x00, 0xB0, (off >> 8) as u8, off as u8).with_le(256);
        let r = exchange(t, &cmd)?;
        match r.sw.status() {
            Status::Success | Status::EndOfFile => {
                let n = r.data.len();
                out.extend_from_slice(&r.data);
                if n < 256 || r.sw.status() == Status::EndOfFile {
                    break;
                }
            }
            Status::WrongP1P2 if off > 0 => break,
            _ if off == 0 => return Ok(None),
            _ => break,
        }
    }
    // Trim to the DER length when the chip padded.
    if let Ok((tlv, _)) = epassport_tlv::parse_one(&out) {
        let n = tlv.encoded_len;
        out.truncate(n);
    }
    Ok(Some(out))
}

fn bac<T: Transport + ?Sized>(
    t: &mut T,
    creds: &Credentials<'_>,
    rng: &mut dyn RandomSource,
) -> Result<SecureMessaging, AccessError> {
    let mrz = creds
        .mrz
        .ok_or(AccessError::NoCredentials("BAC needs the MRZ"))?;
    let mut rnd = [0u8; 8];
    let mut k = Zeroizing::new([0u8; 16]);
    rng.fill(&mut rnd);
    rng.fill(&mut k[..]);
    Ok(authenticate(
        t,
        bac_keys(mrz.information()),
        BacNonces::new(rnd, *k),
    )?)
}

/// Opens the chip: reads EF.CardAccess, then PACE and/or BAC as `choice` and the policy above say.
pub fn open<T: Transport + ?Sized>(
    t: &mut T,
    creds: &Credentials<'_>,
    choice: AccessChoice,
    rng: &mut dyn RandomSource,
) -> Result<AccessSession, AccessError> {
    if creds.mrz.is_none() && creds.can.is_none() {
        return Err(AccessError::NoCredentials("give the MRZ or the CAN"));
    }
    if choice == AccessChoice::Bac {
        let sm = bac(t, creds, rng)?;
        return Ok(AccessSession {
            sm,
            method: AccessMethod::Bac,
            reason: "BAC requested".into(),
            cam: None,
            card_access: None,
        });
    }
    let raw = read_card_access(t)?;
    let infos = raw.as_deref().map(SecurityInfos::parse);
    let why_not_pace: Option<String> = match &infos {
        None => Some("EF.CardAccess absent".into()),
        Some(Err(e)) => Some(format!("EF.CardAccess does not parse ({e})")),
        Some(Ok(s)) if candidates(s).0.is_empty() => Some(format!(
            "EF.CardAccess lists no supported PACE protocol ({} PACEInfos)",
            s.pace_infos().count()
        )),
        Some(Ok(_)) => None,
    };
    if let Some(why) = why_not_pace {
        if choice == AccessChoice::Pace {
            return Err(AccessError::PaceUnavailable(why));
        }
        let sm = bac(t, creds, rng)?;
        return Ok(AccessSession {
            sm,
            method: AccessMethod::Bac,
            reason: format!("{why}: BAC"),
            cam: None,
            card_access: raw,
        });
    }
    let Some(Ok(infos)) = infos else {
        return Err(AccessError::PaceUnavailable("EF.CardAccess".into()));
    };
    let password = match (creds.can, creds.mrz) {
        (Some(can), _) => Password::can(can)?,
        (None, Some(mrz)) => Password::mrz(mrz),
        (None, None) => return Err(AccessError::NoCredentials("give the MRZ or the CAN")),
    };
    let result = establish(t, &infos, &password, &mut RandomEphemeral(rng));
    match result {
        Ok(out) => {
            let reason = out.report.reason.clone();
            Ok(AccessSession {
                sm: out.sm,
                method: AccessMethod::Pace(Box::new(out.report)),
                reason,
                cam: out.cam,
                card_access: raw,
            })
        }
        Err(e @ (PaceError::WrongPassword { .. } | PaceError::PasswordBlocked { .. })) => {
            Err(AccessError::Pace(e))
        }
        Err(e) if choice == AccessChoice::Auto && creds.mrz.is_some() => {
            let sm = bac(t, creds, rng)?;
            Ok(AccessSession {
                sm,
                method: AccessMethod::Bac,
                reason: format!("PACE failed ({e}): fell back to BAC"),
                cam: None,
                card_access: raw,
            })
        }
        Err(e) => Err(AccessError::Pace(e)),
    }
}
