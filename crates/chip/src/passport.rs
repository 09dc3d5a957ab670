//! One chip session as a verifier runs it, for `epassport read`, `epassport enrol` and services
//! linking the library: access control (PACE or BAC, [`crate::pace::access`]), the eMRTD
//! application, every file EF.COM and EF.SOD list (the read strategy, resumable), then Active and
//! Chip Authentication with the per-mechanism report of [`crate::anticlone`].
//!
//! ```no_run
//! # use epassport_chip::passport::{ChipSession, AntiCloneOptions};
//! # use epassport_chip::pace::access::Credentials;
//! # use epassport_chip::pace::terminal::AccessChoice;
//! # use epassport_chip::read::ReadOptions;
//! # use epassport_chip::session::DocumentRead;
//! # fn run(link: &mut dyn epassport_card::Transport, key: &epassport_mrz::MrzKey) -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = rand::rng();
//! let creds = Credentials { mrz: Some(key), can: None };
//! let mut session = ChipSession::open(link, &creds, AccessChoice::Auto, &mut rng)?;
//! let mut doc = DocumentRead::default();
//! session.read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})?;
//! let report = session.anti_cloning(&doc, &AntiCloneOptions::default(), &mut rng);
//! // ... passive authentication, then report.bind_passive_authentication(...) and report.verdict()
//! # Ok(()) }
//! ```
//!
//! Order: AA runs before CA, under the access-control session keys, so that each result stands on
//! its own (a failed CA ends the session; AA after it would fail for that reason alone). CA then
//! restarts secure messaging and proves the new keys with a protected read.

use epassport_card::{CardError, Command, StatusWord, Transport, exchange};
use epassport_lds::security_infos::SecurityInfos;

use crate::ChipError;
use crate::aa::{self, AaError, AaEvidence, AaPublicKey};
use crate::anticlone::{AntiCloneReport, Mechanism, MechanismReport, Outcome};
use crate::ca::{self, CaError, CaParameters};
use crate::crypto::RandomSource;
use crate::kdf::Cipher;
use crate::pace::access::{self, AccessError, AccessMethod, Credentials};
use crate::pace::terminal::{AccessChoice, CamData};
use crate::read::{self, FileId, Metered, ReadOptions, Stats};
use crate::session::{AccessInfo, Authenticated, DocumentRead, LDS1_AID};
use crate::sm::SecureTransport;

/// Why a chip session could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Access control (PACE or BAC) failed.
    #[error("access control failed: {0}")]
    Access(#[from] AccessError),
    /// The chip refused to select the eMRTD application.
    #[error("the chip refused the eMRTD application (LDS1): {0}")]
    Application(StatusWord),
    /// The card layer failed.
    #[error(transparent)]
    Card(#[from] CardError),
}

/// The class of a failure, for exit codes and user messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The caller gave nothing usable (no MRZ or CAN).
    Usage,
    /// The chip refused the password (wrong MRZ or CAN, blocked PIN) or the protocol.
    AccessDenied,
    /// The link to the chip was lost.
    CommunicationLost,
    /// Anything else (a chip answering outside the standard).
    Other,
}

fn card_kind(e: &CardError) -> FailureKind {
    if ChipError::Card(e.clone()).is_communication_lost() {
        FailureKind::CommunicationLost
    } else {
        FailureKind::Other
    }
}

impl SessionError {
    /// What kind of failure this is.
    pub fn kind(&self) -> FailureKind {
        match self {
            SessionError::Access(AccessError::NoCredentials(_)) => FailureKind::Usage,
            SessionError::Access(AccessError::Card(e)) | SessionError::Card(e) => card_kind(e),
            SessionError::Access(AccessError::Bac(c)) => chip_kind(c),
            SessionError::Access(_) => FailureKind::AccessDenied,
            SessionError::Application(_) => FailureKind::Other,
        }
    }
}

/// What kind of failure a [`ChipError`] (from reading) is.
pub fn chip_kind(e: &ChipError) -> FailureKind {
    if e.is_access_denied() {
        FailureKind::AccessDenied
    } else if e.is_communication_lost() {
        FailureKind::CommunicationLost
    } else {
        FailureKind::Other
    }
}

/// How the session was opened.
#[derive(Debug, Clone)]
pub struct AccessOutcome {
    /// PACE (with its parameters) or BAC.
    pub method: AccessMethod,
    /// Why this protocol.
    pub reason: String,
    /// The secure-messaging cipher.
    pub cipher: Cipher,
    /// EF.CardAccess as read (absent on BAC-only chips).
    pub card_access: Option<Vec<u8>>,
    /// EF.CardSecurity, read after PACE-CAM (its key is what the CAM check needs).
    pub card_security: Option<Vec<u8>>,
    /// What access control cost on the wire.
    pub stats: Stats,
}

impl AccessOutcome {
    /// `PACE` or `BAC`.
    pub fn protocol(&self) -> &'static str {
        match self.method {
            AccessMethod::Pace(_) => "PACE",
            AccessMethod::Bac => "BAC",
        }
    }
}

/// Which anti-cloning mechanisms to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AntiCloneOptions {
    /// Run Chip Authentication when the chip advertises it (default true).
    pub chip_authentication: bool,
    /// Run Active Authentication when the chip advertises it (default true).
    pub active_authentication: bool,
}

impl Default for AntiCloneOptions {
    fn default() -> Self {
        AntiCloneOptions {
            chip_authentication: true,
            active_authentication: true,
        }
    }
}

/// An open chip session: secure messaging established, the eMRTD application selected.
pub struct ChipSession<T: Transport> {
    auth: Authenticated<Metered<T>>,
    access: AccessOutcome,
    cam: Option<CamData>,
}

fn select_lds1<T: Transport + ?Sized>(t: &mut T) -> Result<(), SessionError> {
    let sel = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
    let r = exchange(t, &sel)?;
    if r.sw.is_success() {
        Ok(())
    } else {
        Err(SessionError::Application(r.sw))
    }
}

impl<T: Transport> ChipSession<T> {
    /// Opens the chip: EF.CardAccess, PACE or BAC as `choice` and [`access::open`]'s policy say,
    /// EF.CardSecurity after PACE-CAM, and the eMRTD application under secure messaging.
    ///
    /// # Errors
    /// [`SessionError`]; [`SessionError::kind`] classifies it.
    pub fn open(
        transport: T,
        creds: &Credentials<'_>,
        choice: AccessChoice,
        rng: &mut dyn RandomSource,
    ) -> Result<Self, SessionError> {
        let mut metered = Metered::new(transport);
        if choice == AccessChoice::Bac {
            // BAC runs inside the LDS1 application.
            select_lds1(&mut metered)?;
        }
        let session = access::open(&mut metered, creds, choice, rng)?;
        let stats = metered.stats();
        let cipher = session.sm.cipher();
        let mut access = AccessOutcome {
            method: session.method,
            reason: session.reason,
            cipher,
            card_access: session.card_access,
            card_security: None,
            stats,
        };
        let info = AccessInfo {
            protocol: access.protocol().into(),
            cipher,
            parameters: Vec::new(),
        };
        let mut auth = Authenticated::new(SecureTransport::new(metered, session.sm), info);
        if session.cam.is_some() {
            // PACE-CAM: the chip's static key is in EF.CardSecurity (master file, read under
            // secure messaging before the application is selected). A chip that does not give
            // it leaves the CAM check failed; the read goes on.
            access.card_security = auth
                .read_file(FileId::CardSecurity, &ReadOptions::default())
                .ok();
        }
        if choice != AccessChoice::Bac || session.cam.is_some() {
            select_lds1(auth.transport_mut())?;
        }
        Ok(ChipSession {
            auth,
            access,
            cam: session.cam,
        })
    }

    /// How the session was opened.
    pub fn access(&self) -> &AccessOutcome {
        &self.access
    }

    /// Everything on the wire so far (access control included).
    pub fn wire_stats(&self) -> Stats {
        self.auth.transport_ref().inner().stats()
    }

    /// Reads EF.COM, EF.SOD and every data group they list into `doc` (see
    /// [`Authenticated::read_document`]; a `doc` interrupted in an earlier session resumes).
    ///
    /// # Errors
    /// The read failed; `doc` keeps what was read.
    pub fn read_document(
        &mut self,
        doc: &mut DocumentRead,
        opts: &ReadOptions,
        progress: &mut dyn FnMut(&DocumentRead, FileId),
    ) -> Result<(), ChipError> {
        self.auth.read_document(doc, opts, progress)
    }

    /// The protected transport (for further commands of the caller's own).
    pub fn transport_mut(&mut self) -> &mut SecureTransport<Metered<T>> {
        self.auth.transport_mut()
    }

    /// Runs Active Authentication, then Chip Authentication, as far as the chip advertises them
    /// and `opts` allows, and reports PACE-CAM's check. Keys come from the files in `doc`; the
    /// report's [`MechanismReport::key_verified`] stays `None` until the caller binds passive
    /// authentication's result ([`AntiCloneReport::bind_passive_authentication`]).
    pub fn anti_cloning(
        &mut self,
        doc: &DocumentRead,
        opts: &AntiCloneOptions,
        rng: &mut dyn RandomSource,
    ) -> AntiCloneReport {
        let sod_lists: Vec<FileId> = doc
            .get(FileId::Sod)
            .and_then(|s| read::sod_data_groups(s).ok())
            .unwrap_or_default();
        let dg14 = doc.get(FileId::Dg(14));
        let dg14_infos = dg14.map(SecurityInfos::parse_dg14);
        let active_authentication =
            self.active_authentication(doc, &sod_lists, dg14_infos.as_ref(), opts, rng);
        let chip_authentication = self.chip_authentication(
            doc.partial.is_some(),
            &sod_lists,
            dg14_infos.as_ref(),
            opts,
            rng,
        );
        let pace_cam = self.pace_cam();
        AntiCloneReport {
            chip_authentication,
            active_authentication,
            pace_cam,
        }
    }

    fn active_authentication(
        &mut self,
        doc: &DocumentRead,
        sod_lists: &[FileId],
        dg14: Option<&Result<SecurityInfos, epassport_lds::LdsError>>,
        opts: &AntiCloneOptions,
        rng: &mut dyn RandomSource,
    ) -> MechanismReport {
        const M: Mechanism = Mechanism::ActiveAuthentication;
        if !sod_lists.contains(&FileId::Dg(15)) {
            return MechanismReport::not_supported(M, "EF.SOD lists no DG15");
        }
        MechanismReport {
            mechanism: M,
            advertised: true,
            advertised_by: Some("DG15 listed in EF.SOD".into()),
            key_source: Some("DG15".into()),
            key_verified: None,
            outcome: self.aa_outcome(doc, dg14, opts, rng),
        }
    }

    fn aa_outcome(
        &mut self,
        doc: &DocumentRead,
        dg14: Option<&Result<SecurityInfos, epassport_lds::LdsError>>,
        opts: &AntiCloneOptions,
        rng: &mut dyn RandomSource,
    ) -> Outcome {
        if !opts.active_authentication {
            return Outcome::NotPerformed {
                why: "skipped at the caller's request".into(),
            };
        }
        let Some(dg15) = doc.get(FileId::Dg(15)) else {
            if doc.partial.is_some() {
                return Outcome::NotPerformed {
                    why: "DG15 was not read: the read was interrupted".into(),
                };
            }
            return Outcome::Failed {
                reason: "DG15 is listed in EF.SOD but the chip did not give it".into(),
            };
        };
        let key = match AaPublicKey::from_dg15(dg15) {
            Ok(k) => k,
            Err(e @ (AaError::UnsupportedKey(_) | AaError::UnsupportedCurve(_))) => {
                return Outcome::NotPerformed {
                    why: format!("not implemented here: {e}"),
                };
            }
            Err(e) => {
                return Outcome::Failed {
                    reason: e.to_string(),
                };
            }
        };
        let ec_hash = dg14
            .and_then(|r| r.as_ref().ok())
            .and_then(|i| i.active_authentication())
            .and_then(|i| aa::ec_hash_from_oid(&i.signature_algorithm.0));
        let mut challenge = [0u8; 8];
        rng.fill(&mut challenge);
        match aa::authenticate(self.auth.transport_mut(), &key, ec_hash, challenge) {
            Ok(ev) => Outcome::Passed {
                protocol: describe_aa(&ev),
                detail: "INTERNAL AUTHENTICATE with a fresh 8-byte challenge; the signature \
                         verifies under the DG15 key"
                    .into(),
            },
            Err(AaError::Card(e)) if card_kind(&e) == FailureKind::CommunicationLost => {
                Outcome::NotPerformed {
                    why: format!("the link was lost: {e}"),
                }
            }
            // E.g. a 256-byte signature from a chip without extended length: no evidence either way.
            Err(e) if e.is_inconclusive() => Outcome::NotPerformed { why: e.to_string() },
            Err(e) => Outcome::Failed {
                reason: e.to_string(),
            },
        }
    }

    fn chip_authentication(
        &mut self,
        doc_interrupted: bool,
        sod_lists: &[FileId],
        dg14: Option<&Result<SecurityInfos, epassport_lds::LdsError>>,
        opts: &AntiCloneOptions,
        rng: &mut dyn RandomSource,
    ) -> MechanismReport {
        const M: Mechanism = Mechanism::ChipAuthentication;
        if !sod_lists.contains(&FileId::Dg(14)) {
            return MechanismReport::not_supported(M, "EF.SOD lists no DG14");
        }
        // Stopped before the protocol ran: advertised by DG14, nothing more known.
        let stopped = |outcome: Outcome| MechanismReport {
            mechanism: M,
            advertised: true,
            advertised_by: None,
            key_source: Some("DG14".into()),
            key_verified: None,
            outcome,
        };
        let infos = match dg14 {
            None if doc_interrupted => {
                return stopped(Outcome::NotPerformed {
                    why: "DG14 was not read: the read was interrupted".into(),
                });
            }
            None => {
                return stopped(Outcome::Failed {
                    reason: "DG14 is listed in EF.SOD but the chip did not give it".into(),
                });
            }
            Some(Err(e)) => {
                return stopped(Outcome::NotPerformed {
                    why: format!("DG14 does not parse: {e}"),
                });
            }
            Some(Ok(i)) => i,
        };
        let params = match CaParameters::from_security_infos(infos) {
            Ok(p) => p,
            Err(CaError::NoPublicKey) => {
                return MechanismReport::not_supported(
                    M,
                    "DG14 (listed in EF.SOD) holds no Chip Authentication public key",
                );
            }
            Err(e) => {
                return stopped(Outcome::NotPerformed {
                    why: format!("not implemented here: {e}"),
                });
            }
        };
        let mut report = MechanismReport {
            mechanism: M,
            advertised: true,
            advertised_by: Some("DG14 listed in EF.SOD, with a Chip Authentication key".into()),
            key_source: Some("DG14".into()),
            key_verified: None,
            outcome: Outcome::NotPerformed { why: String::new() },
        };
        if !opts.chip_authentication {
            report.outcome = Outcome::NotPerformed {
                why: "skipped at the caller's request".into(),
            };
            return report;
        }
        let Some(p) = params.first() else {
            report.outcome = Outcome::NotPerformed {
                why: "no usable Chip Authentication configuration".into(),
            };
            return report;
        };
        report.outcome = match ca::authenticate(self.auth.transport_mut(), p, rng) {
            Ok(ev) => Outcome::Passed {
                protocol: format!(
                    "{} ({}, {}{})",
                    ev.protocol_oid,
                    match ev.agreement {
                        epassport_lds::security_infos::KeyAgreement::Dh => "DH",
                        _ => "ECDH",
                    },
                    ev.cipher.name(),
                    ev.standard_id
                        .map(|d| format!(", domain {d}"))
                        .unwrap_or_default()
                ),
                detail: ev.proof.into(),
            },
            Err(CaError::Card(e)) if card_kind(&e) == FailureKind::CommunicationLost => {
                Outcome::NotPerformed {
                    why: format!("the link was lost: {e}"),
                }
            }
            Err(e) => Outcome::Failed {
                reason: e.to_string(),
            },
        };
        report
    }

    fn pace_cam(&self) -> MechanismReport {
        const M: Mechanism = Mechanism::PaceCam;
        let Some(cam) = &self.cam else {
            return MechanismReport::not_supported(
                M,
                match &self.access.method {
                    AccessMethod::Pace(p) => format!("PACE used {} mapping", p.mapping),
                    AccessMethod::Bac => "BAC was used".into(),
                },
            );
        };
        let outcome = match &self.access.card_security {
            None => Outcome::Failed {
                reason: "the chip ran PACE-CAM but did not give EF.CardSecurity".into(),
            },
            // Every ECDH key is tried; whether EF.CardSecurity is genuine is bound later.
            Some(cs) => match ca::cam_key_check(cam, cs, "EF.CardSecurity") {
                ca::CamVerification::Passed { .. } => Outcome::Passed {
                    protocol: "PACE-CAM".into(),
                    detail: "PK_map,IC = CA_IC · PK_IC holds for the EF.CardSecurity key".into(),
                },
                ca::CamVerification::Failed(reason) => Outcome::Failed { reason },
                ca::CamVerification::NotPerformed(why) => Outcome::NotPerformed { why },
            },
        };
        MechanismReport {
            mechanism: M,
            advertised: true,
            advertised_by: Some("the chip ran PACE with Chip Authentication Mapping".into()),
            key_source: Some("CardSecurity".into()),
            key_verified: None,
            outcome,
        }
    }

    /// Ends the session and gives the transport back.
    pub fn into_transport(self) -> T {
        self.auth.into_transport().into_inner().into_inner()
    }
}

fn describe_aa(ev: &AaEvidence) -> String {
    match ev {
        AaEvidence::Rsa { key_bits, hash, .. } => {
            format!(
                "RSA-{key_bits} ISO/IEC 9796-2 scheme 1 with {}",
                hash.name()
            )
        }
        AaEvidence::Ecdsa { curve, hash, .. } => {
            format!("ECDSA {} with {}", curve.name(), hash.name())
        }
        #[allow(unreachable_patterns)]
        _ => format!("{ev:?}"),
    }
}
