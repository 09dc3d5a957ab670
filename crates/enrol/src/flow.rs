//! The onboarding sequence: MRZ → chip (access control, read) → passive authentication →
//! CA/AA → face → MitID choices → decision → record.
//!
//! Each stage fills its [`Step`]s from the library that does the work: `epassport-chip`'s
//! [`ChipSession`] (access control, every file, AA and CA), `epassport-pki` (passive
//! authentication), a [`FaceCompare`] (the face match). A stage that could not run reports
//! [`Status::NotPerformed`] with the reason (e.g. no face matcher in this build), which the policy
//! rejects: it never passes by default.

use crate::choices::{Authenticator, Email, Phone};
use crate::dates::{DateError, PartialDate};
use crate::policy::Policy;
use crate::record::{Contact, MitidChoices, Portrait, Record, RecordInput, Tool};
use crate::steps::{
    AccessEvidence, AntiCloningEvidence, CertificateId, DataGroupHash, Document, FaceEvidence,
    FileRead, FileSkipped, HashResult, Identity, MrzEvidence, MrzMatchEvidence, NOT_AVAILABLE,
    PassiveAuthEvidence, ReadEvidence, Status, Step, Steps,
};
use crate::user_id::{Advice, AvailabilityCheck, UserId, check_user_id};
use epassport_card::Transport;
use epassport_chip::anticlone::{MechanismReport, Outcome as AcOutcome};
use epassport_chip::crypto::RandomSource;
use epassport_chip::pace::access::{AccessMethod, Credentials};
use epassport_chip::pace::terminal::AccessChoice;
use epassport_chip::passport::{
    AntiCloneOptions, ChipSession, FailureKind, SessionError, chip_kind,
};
use epassport_chip::read::ReadOptions;
use epassport_chip::session::DocumentRead;
use epassport_mrz::{self as mrz, Mrz, MrzError, MrzKey, ParseOptions};
use epassport_pki::{DgStatus, Outcome as PkiOutcome, Report, TrustStore};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Where the MRZ comes from.
#[derive(Debug, Clone)]
pub enum MrzInput {
    /// The printed lines (from a file, a prompt, or the demo).
    Text {
        /// The lines.
        text: String,
        /// `file`, `image`, `prompt` or `demo`.
        source: &'static str,
    },
    /// Only the MRZ key: document number, birth date and expiry date (`YYMMDD`).
    Key {
        /// The document number.
        document_number: String,
        /// `YYMMDD`.
        date_of_birth: String,
        /// `YYMMDD`.
        date_of_expiry: String,
    },
}

/// The scanned MRZ, checked.
#[derive(Clone)]
pub struct Scanned {
    /// What the record says about it.
    pub evidence: MrzEvidence,
    /// The parsed MRZ (absent when only the key was given).
    pub mrz: Option<Mrz>,
    /// The BAC/PACE key material.
    pub key: MrzKey,
    /// The CAN, if one was given.
    pub can: Option<String>,
}

impl std::fmt::Debug for Scanned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scanned {{ {:?}, REDACTED }}", self.evidence)
    }
}

/// A date as the `mrz` crate needs it for two-digit years.
pub fn mrz_today(now: OffsetDateTime) -> mrz::Date {
    mrz::Date {
        year: u16::try_from(now.year()).unwrap_or(0),
        month: now.month() as u8,
        day: now.day(),
    }
}

/// Why the scanned MRZ cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The MRZ (or key) does not parse; names the field, line and column.
    #[error(transparent)]
    Mrz(#[from] MrzError),
    /// A date of the MRZ key is not a calendar date.
    #[error("{field}: {source}")]
    Date {
        /// `date_of_birth` or `date_of_expiry`.
        field: &'static str,
        /// What is wrong.
        source: DateError,
    },
}

/// Parses and checks the MRZ before the chip is touched.
///
/// # Errors
/// [`ScanError`] naming the failing field (and line and column for MRZ text).
pub fn scan(
    input: &MrzInput,
    can: Option<&str>,
    now: OffsetDateTime,
) -> Result<Scanned, ScanError> {
    let (evidence, mrz, key) = match input {
        MrzInput::Text { text, source } => {
            let parsed = mrz::parse_with(text, &ParseOptions::strict().with_today(mrz_today(now)))?;
            let key = parsed.access_key()?;
            (
                MrzEvidence {
                    source: (*source).to_owned(),
                    format: parsed.format.to_string(),
                    check_digits_verified: true,
                    can_given: can.is_some(),
                },
                Some(parsed),
                key,
            )
        }
        MrzInput::Key {
            document_number,
            date_of_birth,
            date_of_expiry,
        } => {
            let today = now.date();
            PartialDate::birth_from_mrz(date_of_birth, today).map_err(|source| {
                ScanError::Date {
                    field: "date_of_birth",
                    source,
                }
            })?;
            PartialDate::expiry_from_mrz(date_of_expiry).map_err(|source| ScanError::Date {
                field: "date_of_expiry",
                source,
            })?;
            (
                MrzEvidence {
                    source: "key".to_owned(),
                    format: "key".to_owned(),
                    check_digits_verified: false,
                    can_given: can.is_some(),
                },
                None,
                MrzKey::new(document_number, date_of_birth, date_of_expiry)?,
            )
        }
    };
    Ok(Scanned {
        evidence,
        mrz,
        key,
        can: can.map(str::to_owned),
    })
}

/// Loads trust sources for passive authentication: CSCA certificates (DER/PEM), folders of them,
/// CRLs, ICAO PKD LDIF files, then CSCA master lists (`*.ml`, verified against the CSCAs loaded
/// so far, or self-consistently when none are).
///
/// # Errors
/// Which source could not be loaded, and why; or that no CSCA was found.
pub fn load_trust(paths: &[PathBuf]) -> Result<TrustStore, String> {
    let mut store = TrustStore::new();
    let is_ml = |p: &PathBuf| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ml"));
    for path in paths
        .iter()
        .filter(|p| !is_ml(p))
        .chain(paths.iter().filter(|p| is_ml(p)))
    {
        let roots = store.cscas().to_vec();
        store
            .load_path(path, &roots)
            .map_err(|e| format!("cannot load trust source {}: {e}", path.display()))?;
    }
    if store.cscas().is_empty() {
        return Err(format!(
            "no CSCA certificate in the trust sources ({})",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(store)
}

/// The MitID choices as given (flags or prompts), user ID already checked against the rules.
#[derive(Debug, Clone)]
pub struct ChoicesInput {
    /// The user ID.
    pub user_id: UserId,
    /// The authenticator.
    pub authenticator: Authenticator,
    /// E-mail.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Option<Phone>,
    /// Terms accepted.
    pub terms_accepted: bool,
}

/// Everything an enrolment needs.
#[derive(Debug, Clone)]
pub struct Request {
    /// The scanned MRZ.
    pub scanned: Scanned,
    /// Trust anchors for passive authentication ([`load_trust`]).
    pub trust: TrustStore,
    /// The selfie.
    pub selfie: Option<PathBuf>,
    /// The MitID choices.
    pub choices: ChoicesInput,
    /// Put the portrait into the record.
    pub include_portrait: bool,
    /// The policy.
    pub policy: Policy,
    /// The time of the enrolment.
    pub now: OffsetDateTime,
    /// The tool.
    pub tool: Tool,
}

/// A stage of the sequence, for progress and timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Stage {
    /// Connect, PACE/BAC, read every file.
    ReadChip,
    /// Passive authentication.
    PassiveAuthentication,
    /// Chip and Active Authentication.
    AntiCloning,
    /// The face match.
    Face,
    /// Identity, DG1 comparison, choices, policy, record.
    Decide,
}

impl Stage {
    /// Every stage in order.
    pub const ALL: [Stage; 5] = [
        Stage::ReadChip,
        Stage::PassiveAuthentication,
        Stage::AntiCloning,
        Stage::Face,
        Stage::Decide,
    ];

    /// The stage's name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::ReadChip => "read chip",
            Stage::PassiveAuthentication => "passive authentication",
            Stage::AntiCloning => "chip/active authentication",
            Stage::Face => "face match",
            Stage::Decide => "decision and record",
        }
    }
}

/// Told about each stage as it starts and ends (progress display, benchmarks).
pub trait Observer {
    /// A stage starts.
    fn started(&mut self, stage: Stage) {
        let _ = stage;
    }
    /// A stage ended after `elapsed`.
    fn finished(&mut self, stage: Stage, elapsed: Duration) {
        let _ = (stage, elapsed);
    }
}

/// An observer that does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;
impl Observer for Silent {}

/// The result of an enrolment.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The record.
    pub record: Record,
    /// Each stage's wall time.
    pub timings: Vec<(Stage, Duration)>,
}

/// What the chip stage produced.
#[derive(Debug, Default)]
struct ChipData {
    /// File name (`DG1`, `SOD` ...) → content.
    files: BTreeMap<String, Vec<u8>>,
    /// Data groups EF.SOD lists (from passive authentication), when known.
    sod_lists: Option<Vec<u8>>,
    /// Passive authentication's report.
    pa: Option<Report>,
    /// Whether EF.CardSecurity verified (when it was read).
    card_security_authentic: Option<bool>,
}

impl ChipData {
    fn dgs(&self) -> BTreeMap<u8, Vec<u8>> {
        self.files
            .iter()
            .filter_map(|(k, v)| {
                let n: u8 = k.strip_prefix("DG")?.parse().ok()?;
                Some((n, v.clone()))
            })
            .collect()
    }
}

/// The face comparison the sequence uses: the `epassport` crate's `face` feature provides one
/// (tract-onnx with the models shipped in the repository); a deployment may supply its own.
pub trait FaceCompare {
    /// Compares the chip's portrait (the image bytes DG2 holds: JPEG, JPEG 2000 or PNG) with the
    /// selfie (JPEG or PNG). Returns the evidence (model, distance, threshold); `selfie_sha256` is
    /// filled in by the sequence. The error says why no comparison was possible (no usable face,
    /// an image that does not decode) in words for the holder.
    fn compare(&self, portrait: &[u8], selfie: &[u8]) -> Result<FaceEvidence, String>;
}

/// Stage timing for the observer and the outcome.
struct Clock<'a> {
    observer: &'a mut dyn Observer,
    timings: Vec<(Stage, Duration)>,
    current: Option<(Stage, Instant)>,
}

impl Clock<'_> {
    fn start(&mut self, stage: Stage) {
        self.end();
        self.observer.started(stage);
        self.current = Some((stage, Instant::now()));
    }
    fn end(&mut self) {
        if let Some((stage, t)) = self.current.take() {
            let e = t.elapsed();
            self.observer.finished(stage, e);
            self.timings.push((stage, e));
        }
    }
}

/// What the sequence needs besides the request: the chip's link, randomness for the protocols,
/// the user-ID availability check and the face comparison.
pub struct Services<'a> {
    /// The link to the chip (PC/SC reader, software chip, replayed trace).
    pub transport: &'a mut dyn Transport,
    /// Randomness for BAC/PACE nonces, ephemeral keys and the AA challenge.
    pub rng: &'a mut dyn RandomSource,
    /// The "already taken" check of the deployment.
    pub availability: &'a dyn AvailabilityCheck,
    /// The face comparison (`None`: the face step is not performed, and the policy rejects).
    pub face: Option<&'a dyn FaceCompare>,
}

/// Runs the sequence after the MRZ scan.
///
/// # Errors
/// Only for failures that leave nothing to record (the availability back end failing); every
/// verification failure is a step in the record instead.
pub fn enrol(
    req: &Request,
    services: Services<'_>,
    observer: &mut dyn Observer,
) -> Result<Outcome, String> {
    let Services {
        transport,
        rng,
        availability,
        face: matcher,
    } = services;
    let mut steps = Steps::not_performed(NOT_AVAILABLE);
    steps.mrz = Step::passed(req.scanned.evidence.clone());
    let mut chip = ChipData::default();
    let mut clock = Clock {
        observer,
        timings: Vec::new(),
        current: None,
    };

    clock.start(Stage::ReadChip);
    let mut session = read_chip(req, transport, rng, &mut steps, &mut chip);
    clock.start(Stage::PassiveAuthentication);
    passive_authentication(req, &mut steps, &mut chip);
    clock.start(Stage::AntiCloning);
    anti_cloning(session.as_mut(), rng, &mut steps, &chip);
    drop(session);
    clock.start(Stage::Face);
    face(req, matcher, &mut steps, &chip);
    clock.start(Stage::Decide);
    let result = decide(req, &mut steps, &chip, availability);
    clock.end();
    let record = result?;
    Ok(Outcome {
        record,
        timings: clock.timings,
    })
}

type Session<'t> = (ChipSession<&'t mut dyn Transport>, DocumentRead);

fn read_chip<'t>(
    req: &Request,
    transport: &'t mut dyn Transport,
    rng: &mut dyn RandomSource,
    steps: &mut Steps,
    chip: &mut ChipData,
) -> Option<Session<'t>> {
    let creds = Credentials {
        mrz: Some(&req.scanned.key),
        can: req.scanned.can.as_deref(),
    };
    let mut session = match ChipSession::open(transport, &creds, AccessChoice::Auto, rng) {
        Ok(s) => s,
        Err(e) => {
            // The policy prefixes "access control failed"; say what the chip did.
            let what = match &e {
                SessionError::Access(inner) => inner.to_string(),
                other => other.to_string(),
            };
            let why = match e.kind() {
                FailureKind::AccessDenied => format!(
                    "{what} (check the document number, birth date and expiry date, or the CAN)"
                ),
                FailureKind::CommunicationLost => {
                    format!(
                        "the link to the chip was lost: {what} (hold the document still on the reader)"
                    )
                }
                _ => what,
            };
            steps.access_control = Step::failed(why, None);
            steps.read = Step::not_performed("access control failed");
            return None;
        }
    };
    let access = session.access();
    let (password, oid, mapping, domain) = match &access.method {
        AccessMethod::Pace(p) => (
            p.password.name().to_owned(),
            Some(p.oid.clone()),
            Some(p.mapping.to_owned()),
            Some(match p.domain_id {
                Some(id) => format!("{} (standardised ID {id})", p.domain),
                None => p.domain.clone(),
            }),
        ),
        AccessMethod::Bac => ("MRZ".to_owned(), None, None, None),
    };
    steps.access_control = Step::passed(AccessEvidence {
        protocol: access.protocol().to_owned(),
        password,
        oid,
        mapping,
        domain_parameters: domain,
        cipher: Some(access.cipher.name().to_owned()),
        note: Some(access.reason.clone()),
    });
    if let Some(cs) = &access.card_security {
        chip.files.insert("CardSecurity".into(), cs.clone());
    }
    let mut doc = DocumentRead::default();
    let result = session.read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {});
    for f in &doc.files {
        chip.files.insert(f.file.name(), f.data.clone());
    }
    let total = doc.total();
    let evidence = ReadEvidence {
        files: doc
            .files
            .iter()
            .map(|f| FileRead {
                file: f.file.name(),
                bytes: f.data.len() as u64,
                sha256: hex::encode(Sha256::digest(&f.data)),
            })
            .collect(),
        skipped: doc
            .skipped
            .iter()
            .map(|s| FileSkipped {
                file: s.file.name(),
                reason: s.reason.clone(),
            })
            .collect(),
        apdus: total.apdus,
        bytes_sent: total.bytes_sent,
        bytes_received: total.bytes_received,
        elapsed_ms: u64::try_from(total.elapsed.as_millis()).unwrap_or(u64::MAX),
    };
    steps.read = match result {
        Err(e) => {
            let why = match chip_kind(&e) {
                FailureKind::CommunicationLost => format!(
                    "the link to the chip was lost while reading: {e} (hold the document still and try again)"
                ),
                _ => format!("reading the chip failed: {e}"),
            };
            Step::failed(why, Some(evidence))
        }
        Ok(()) if !doc.missing.is_empty() => Step::failed(
            format!(
                "EF.SOD lists {} but the chip did not give them",
                doc.missing
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(evidence),
        ),
        Ok(()) => Step::passed(evidence),
    };
    Some((session, doc))
}

fn passive_authentication(req: &Request, steps: &mut Steps, chip: &mut ChipData) {
    let Some(sod) = chip.files.get("SOD") else {
        steps.passive_authentication = Step::not_performed("EF.SOD was not read");
        return;
    };
    let options = epassport_pki::Options {
        time: req.now.unix_timestamp(),
        ..epassport_pki::Options::default()
    };
    let report = epassport_pki::verify_sod(sod, &chip.dgs(), &req.trust, &options);
    if report.parse.passed() {
        chip.sod_lists = Some(report.data_groups.iter().map(|d| d.number).collect());
    }
    steps.passive_authentication = pa_step(&report);
    chip.pa = Some(report);
    // EF.CardSecurity (read after PACE-CAM) vouches for the CAM key only once it verifies.
    if let Some(cs) = chip.files.get("CardSecurity") {
        let r = epassport_pki::verify_card_security(cs, &req.trust, &options);
        chip.card_security_authentic = Some(r.report.is_authentic());
    }
}

/// The passive-authentication step from `epassport_pki`'s report: passed only when the report
/// says authentic.
pub fn pa_step(report: &Report) -> Step<PassiveAuthEvidence> {
    let cert = |c: &Option<epassport_pki::CertInfo>| {
        c.as_ref().map(|c| CertificateId {
            subject: c.subject.clone(),
            sha256: c.sha256.clone(),
        })
    };
    let evidence = PassiveAuthEvidence {
        sod_sha256: report.document_sha256.clone(),
        digest_algorithm: report.lds_hash_algorithm.clone().unwrap_or_default(),
        signature_algorithm: report.signature_algorithm.clone().unwrap_or_default(),
        ds_certificate: cert(&report.ds),
        csca_certificate: cert(&report.csca),
        data_groups: report
            .data_groups
            .iter()
            .map(|d| DataGroupHash {
                dg: d.number,
                result: match d.status {
                    DgStatus::Match => HashResult::Match,
                    DgStatus::Mismatch => HashResult::Mismatch,
                    DgStatus::NotRead => HashResult::NotRead,
                    DgStatus::NotInSod => HashResult::NotInSod,
                },
            })
            .collect(),
        crl: match &report.crl {
            PkiOutcome::Passed(_) => "not_revoked",
            PkiOutcome::Failed(_) => "revoked",
            PkiOutcome::NotPerformed(_) => "not_checked",
        }
        .to_owned(),
        warnings: report.warnings.clone(),
    };
    if report.is_authentic() {
        return Step::passed(evidence);
    }
    let reason = report
        .steps()
        .into_iter()
        .find(|(step, _)| Some(*step) == report.failed_step)
        .map(|(step, outcome)| {
            let name = serde_json::to_value(step)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{name}: {outcome}")
        })
        .unwrap_or_else(|| format!("verdict {:?}", report.verdict));
    Step::failed(reason, Some(evidence))
}

fn anti_cloning(
    session: Option<&mut Session<'_>>,
    rng: &mut dyn RandomSource,
    steps: &mut Steps,
    chip: &ChipData,
) {
    let Some((session, doc)) = session else {
        steps.chip_authentication = Step::not_performed("the chip was not read");
        steps.active_authentication = Step::not_performed("the chip was not read");
        return;
    };
    if doc.partial.is_some() || steps.read.status == Status::Failed {
        // A read that ended early (link lost) proves nothing about the chip either way: a missing
        // DG14 or DG15 is not a clone's refusal, and the link is gone.
        let why = "the chip's files were not all read";
        steps.chip_authentication = Step::not_performed(why);
        steps.active_authentication = Step::not_performed(why);
        return;
    }
    let mut report = session.anti_cloning(doc, &AntiCloneOptions::default(), rng);
    let pa = chip.pa.as_ref();
    let cs = chip.card_security_authentic;
    report.bind_passive_authentication(&|file| {
        if file == "CardSecurity" {
            return cs.filter(|ok| *ok);
        }
        pa?.vouches_for_data_group(file)
    });
    // PACE-CAM stands in for Chip Authentication when the chip does not offer CA itself.
    let ca = match (
        &report.chip_authentication.outcome,
        report.pace_cam.advertised,
    ) {
        (AcOutcome::NotSupported { .. }, true) => &report.pace_cam,
        _ => &report.chip_authentication,
    };
    steps.chip_authentication = mechanism_step(ca);
    steps.active_authentication = mechanism_step(&report.active_authentication);
}

/// One anti-cloning mechanism as a record step. A mechanism passes only when its key came from a
/// file passive authentication verified.
pub fn mechanism_step(m: &MechanismReport) -> Step<AntiCloningEvidence> {
    let protocol = match &m.outcome {
        AcOutcome::Passed { protocol, .. } => Some(protocol.clone()),
        _ => None,
    };
    let evidence = AntiCloningEvidence {
        advertised: m.advertised,
        advertised_by: m.advertised_by.clone(),
        protocol,
        detail: Some(m.outcome.text().to_owned()).filter(|t| !t.is_empty()),
    };
    let src = m.key_source.as_deref().unwrap_or("its key file");
    match &m.outcome {
        AcOutcome::Passed { .. } => match m.key_verified {
            Some(true) => Step::passed(evidence),
            Some(false) => Step::failed(
                format!(
                    "the chip proved a key from {src}, but {src} is not what the issuer signed"
                ),
                Some(evidence),
            ),
            None => Step {
                status: Status::NotPerformed,
                reason: Some(format!(
                    "the chip proved its key, but {src} was not verified by passive authentication"
                )),
                evidence: Some(evidence),
            },
        },
        AcOutcome::Failed { reason } => Step::failed(reason.clone(), Some(evidence)),
        AcOutcome::NotPerformed { why } => Step {
            status: Status::NotPerformed,
            reason: Some(why.clone()),
            evidence: Some(evidence),
        },
        AcOutcome::NotSupported { why } => Step::not_supported(why.clone(), Some(evidence)),
    }
}

fn face(req: &Request, matcher: Option<&dyn FaceCompare>, steps: &mut Steps, chip: &ChipData) {
    steps.face = face_step(req, matcher, chip);
}

fn face_step(
    req: &Request,
    matcher: Option<&dyn FaceCompare>,
    chip: &ChipData,
) -> Step<FaceEvidence> {
    let Some(selfie_path) = &req.selfie else {
        return Step::not_performed("no selfie was given");
    };
    let Some(dg2) = chip.files.get("DG2") else {
        return Step::not_performed("the chip's portrait (DG2) was not read");
    };
    let portrait = match dg2_face_image(dg2) {
        Ok(image) => image,
        Err(why) => return Step::failed(why, None),
    };
    let Some(matcher) = matcher else {
        return Step::not_performed(
            "the face match is not in this build (the `face` feature of the epassport crate)",
        );
    };
    let selfie = match std::fs::read(selfie_path) {
        Ok(b) => b,
        Err(e) => {
            return Step::not_performed(format!(
                "cannot read the selfie {}: {e}",
                selfie_path.display()
            ));
        }
    };
    match matcher.compare(&portrait, &selfie) {
        Ok(mut evidence) => {
            evidence.selfie_sha256 = Some(hex::encode(Sha256::digest(&selfie)));
            if evidence.distance <= evidence.threshold {
                Step::passed(evidence)
            } else {
                Step::failed(
                    format!(
                        "the selfie does not match the chip's portrait (distance {:.3}, threshold {:.3})",
                        evidence.distance, evidence.threshold
                    ),
                    Some(evidence),
                )
            }
        }
        Err(why) => Step::failed(why, None),
    }
}

/// Identity and document data from DG1's MRZ (never from the typed one).
///
/// # Errors
/// Why DG1 could not be used.
pub fn from_dg1(dg1: &[u8], now: OffsetDateTime) -> Result<(Mrz, Identity, Document), String> {
    let parsed = epassport_lds::Dg1::parse(dg1).map_err(|e| format!("DG1 does not parse: {e}"))?;
    let m = mrz::parse_concatenated_with(
        &parsed.mrz,
        &ParseOptions::lenient().with_today(mrz_today(now)),
    )
    .map_err(|e| format!("DG1's MRZ does not parse: {e}"))?;
    let f = &m.fields;
    let date = |d: &mrz::MrzDate| -> Option<PartialDate> {
        PartialDate::new(i32::from(d.year?), d.month, d.month.and(d.day)).ok()
    };
    let identity = Identity {
        sources: vec!["DG1".into()],
        primary_identifier: f.name.primary.clone(),
        secondary_identifier: f.name.secondary.clone(),
        full_name: None,
        nationality: f.nationality.clone(),
        date_of_birth: date(&f.date_of_birth),
        sex: match f.sex {
            mrz::Sex::Male => "M",
            mrz::Sex::Female => "F",
            _ => "X",
        }
        .into(),
        personal_number: None,
        place_of_birth: None,
    };
    let expiry = date(&f.date_of_expiry).ok_or("DG1 has no expiry year")?;
    let document = Document {
        format: m.format.to_string(),
        document_code: f.document_code.clone(),
        issuing_state: f.issuing_state.clone(),
        document_number: f.document_number.clone(),
        date_of_expiry: expiry,
        optional_data: f.optional_data.trim_end_matches('<').to_owned(),
    };
    Ok((m, identity, document))
}

/// Compares DG1 with the scanned MRZ: the whole MRZ when it was scanned, the key fields when only
/// the key was given.
pub fn compare_dg1(scanned: &Scanned, dg1: &Mrz) -> Step<MrzMatchEvidence> {
    let d = &dg1.fields;
    let mut compared = Vec::new();
    let mut mismatched = Vec::new();
    let mut cmp = |name: &str, a: String, b: String| {
        compared.push(name.to_owned());
        if a != b {
            mismatched.push(name.to_owned());
        }
    };
    match &scanned.mrz {
        Some(s) => {
            let s = &s.fields;
            cmp(
                "format",
                scanned.evidence.format.clone(),
                dg1.format.to_string(),
            );
            cmp(
                "document_code",
                s.document_code.clone(),
                d.document_code.clone(),
            );
            cmp(
                "issuing_state",
                s.issuing_state.clone(),
                d.issuing_state.clone(),
            );
            cmp(
                "primary_identifier",
                s.name.primary.clone(),
                d.name.primary.clone(),
            );
            cmp(
                "secondary_identifier",
                s.name.secondary.clone(),
                d.name.secondary.clone(),
            );
            cmp(
                "document_number",
                s.document_number.clone(),
                d.document_number.clone(),
            );
            cmp("nationality", s.nationality.clone(), d.nationality.clone());
            cmp(
                "date_of_birth",
                s.date_of_birth.yymmdd(),
                d.date_of_birth.yymmdd(),
            );
            cmp(
                "sex",
                s.sex.as_char().to_string(),
                d.sex.as_char().to_string(),
            );
            cmp(
                "date_of_expiry",
                s.date_of_expiry.yymmdd(),
                d.date_of_expiry.yymmdd(),
            );
            cmp(
                "optional_data",
                s.optional_data.clone(),
                d.optional_data.clone(),
            );
            cmp(
                "optional_data_2",
                s.optional_data_2.clone(),
                d.optional_data_2.clone(),
            );
        }
        None => {
            let key = dg1.access_key().ok();
            compared.push("document_number, date_of_birth, date_of_expiry".to_owned());
            if key.as_ref() != Some(&scanned.key) {
                mismatched.push("document_number, date_of_birth, date_of_expiry".to_owned());
            }
        }
    }
    let evidence = MrzMatchEvidence {
        compared,
        mismatched,
    };
    if evidence.mismatched.is_empty() {
        Step::passed(evidence)
    } else {
        let msg = format!("DG1 differs in {}", evidence.mismatched.join(", "));
        Step::failed(msg, Some(evidence))
    }
}

fn decide(
    req: &Request,
    steps: &mut Steps,
    chip: &ChipData,
    availability: &dyn AvailabilityCheck,
) -> Result<Record, String> {
    let mut identity = None;
    let mut document = None;
    let mut advice_names: Vec<String> = Vec::new();
    match chip.files.get("DG1") {
        None => {
            steps.dg1_matches_mrz = Step::not_performed("DG1 was not read");
        }
        Some(bytes) => match from_dg1(bytes, req.now) {
            Ok((m, id, doc)) => {
                steps.dg1_matches_mrz = compare_dg1(&req.scanned, &m);
                advice_names = vec![
                    id.primary_identifier.clone(),
                    id.secondary_identifier.clone(),
                ];
                identity = Some(id);
                document = Some(doc);
            }
            Err(e) => steps.dg1_matches_mrz = Step::failed(e, None),
        },
    }
    let advice = Advice {
        document_number: document
            .as_ref()
            .map(|d: &Document| d.document_number.as_str()),
        birth_date: identity
            .as_ref()
            .and_then(|i: &Identity| i.date_of_birth)
            .map(|d| (Some(d.year), d.month, d.day)),
        names: advice_names.iter().map(String::as_str).collect(),
    };
    let (user_id, warnings) =
        check_user_id(req.choices.user_id.as_str(), &advice).map_err(|e| e.to_string())?;
    let user_id_availability = availability
        .check(&user_id)
        .map_err(|e| format!("the user-ID availability check failed: {e}"))?;
    let portrait = if req.include_portrait {
        portrait(chip)
    } else {
        None
    };
    let input = RecordInput {
        steps: steps.clone(),
        document,
        identity,
        mitid: MitidChoices {
            user_id: Some(user_id),
            user_id_warnings: warnings,
            user_id_availability,
            authenticator: Some(req.choices.authenticator),
            contact: Contact {
                email: req.choices.email.clone(),
                phone: req.choices.phone.clone(),
            },
            terms_accepted: req.choices.terms_accepted,
        },
        portrait,
        tool: req.tool.clone(),
        now: req.now,
    };
    Ok(Record::build(input, &req.policy))
}

fn portrait(chip: &ChipData) -> Option<Portrait> {
    portrait_from_dg2(chip.files.get("DG2")?)
}

/// The first face image in DG2 (the image itself, not DG2's CBEFF wrapping), or why there is none.
fn dg2_face_image(dg2: &[u8]) -> Result<Vec<u8>, String> {
    let dg2 = epassport_lds::Dg2::parse(dg2).map_err(|e| format!("DG2 does not parse: {e}"))?;
    dg2.faces()
        .first()
        .map(|f| f.image.to_vec())
        .ok_or_else(|| "DG2 holds no face image".to_owned())
}

/// The first portrait image in DG2 (the image itself, not DG2's CBEFF wrapping).
pub fn portrait_from_dg2(dg2: &[u8]) -> Option<Portrait> {
    let image = dg2_face_image(dg2).ok()?;
    let media_type =
        epassport_lds::image::sniff(&image).map_or("application/octet-stream", |f| f.mime());
    Some(Portrait::new(media_type, &image))
}
