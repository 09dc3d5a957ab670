//! The onboarding sequence: MRZ → chip (access control, read) → passive authentication →
//! CA/AA → face → MitID choices → decision → record.
//!
//! Each stage fills its [`Step`]s from the library that does the work. A stage whose library is not
//! in this build reports [`Status::NotPerformed`] with [`NOT_AVAILABLE`], which the policy rejects:
//! it never passes by default.

use crate::choices::{Authenticator, Email, Phone};
use crate::dates::{DateError, PartialDate};
use crate::policy::Policy;
use crate::record::{Contact, MitidChoices, Portrait, Record, RecordInput, Tool};
use crate::steps::{
    AntiCloningEvidence, CertificateId, DataGroupHash, Document, FaceEvidence, HashResult,
    Identity, MrzEvidence, MrzMatchEvidence, NOT_AVAILABLE, PassiveAuthEvidence, Step, Steps,
};
use crate::user_id::{Advice, AvailabilityCheck, UserId, check_user_id};
use epassport_card::Transport;
use epassport_mrz::{self as mrz, Mrz, MrzError, MrzKey, ParseOptions};
use epassport_pki::{DgStatus, Outcome as PkiOutcome, Report, TrustStore};
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
        /// `file`, `prompt` or `demo`.
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

/// Runs the sequence after the MRZ scan.
///
/// # Errors
/// Only for failures that leave nothing to record (the availability back end failing); every
/// verification failure is a step in the record instead.
pub fn enrol(
    req: &Request,
    transport: &mut dyn Transport,
    availability: &dyn AvailabilityCheck,
    observer: &mut dyn Observer,
) -> Result<Outcome, String> {
    let mut timings = Vec::new();
    let mut steps = Steps::not_performed(NOT_AVAILABLE);
    steps.mrz = Step::passed(req.scanned.evidence.clone());
    let mut chip = ChipData::default();

    let mut timed = |stage: Stage, f: &mut dyn FnMut()| {
        observer.started(stage);
        let t = Instant::now();
        f();
        let e = t.elapsed();
        observer.finished(stage, e);
        timings.push((stage, e));
    };

    timed(Stage::ReadChip, &mut || {
        read_chip(req, transport, &mut steps, &mut chip);
    });
    timed(Stage::PassiveAuthentication, &mut || {
        passive_authentication(req, &mut steps, &mut chip);
    });
    timed(Stage::AntiCloning, &mut || {
        anti_cloning(req, &mut steps, &chip);
    });
    timed(Stage::Face, &mut || {
        face(req, &mut steps, &chip);
    });

    let mut result: Result<Record, String> = Err(String::new());
    timed(Stage::Decide, &mut || {
        result = decide(req, &mut steps, &chip, availability);
    });
    let record = result?;
    Ok(Outcome { record, timings })
}

fn read_chip(
    _req: &Request,
    _transport: &mut dyn Transport,
    steps: &mut Steps,
    _chip: &mut ChipData,
) {
    let why = "reading the chip (BAC/PACE and the read strategy) is not available in this build";
    steps.access_control = Step::not_performed(why);
    steps.read = Step::not_performed(why);
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

fn anti_cloning(_req: &Request, steps: &mut Steps, chip: &ChipData) {
    let read = !chip.files.is_empty();
    for (step, dg, n) in [
        (&mut steps.chip_authentication, "DG14", 14u8),
        (&mut steps.active_authentication, "DG15", 15u8),
    ] {
        // Advertised when EF.SOD lists the data group (or, if EF.SOD could not be parsed, when
        // the chip holds it).
        let advertised = match &chip.sod_lists {
            Some(list) => list.contains(&n),
            None => chip.files.contains_key(dg),
        };
        *step = if !read {
            Step::not_performed("the chip was not read")
        } else if !advertised {
            Step::not_supported(
                format!("the chip does not advertise it ({dg} is not in EF.SOD)"),
                Some(AntiCloningEvidence::default()),
            )
        } else {
            Step::not_performed(NOT_AVAILABLE)
        };
    }
}

fn face(req: &Request, steps: &mut Steps, chip: &ChipData) {
    steps.face = if req.selfie.is_none() {
        Step::not_performed("no selfie was given")
    } else if !chip.files.contains_key("DG2") {
        Step::not_performed("the chip's portrait (DG2) was not read")
    } else {
        Step::<FaceEvidence>::not_performed(NOT_AVAILABLE)
    };
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

/// The first portrait image in DG2 (the image itself, not DG2's CBEFF wrapping).
pub fn portrait_from_dg2(dg2: &[u8]) -> Option<Portrait> {
    let dg2 = epassport_lds::Dg2::parse(dg2).ok()?;
    let faces = dg2.faces();
    let face = faces.first()?;
    let media_type =
        epassport_lds::image::sniff(face.image).map_or("application/octet-stream", |f| f.mime());
    Some(Portrait::new(media_type, face.image))
}
