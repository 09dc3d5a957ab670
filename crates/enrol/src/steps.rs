//! The verification steps as the policy and the record see them: each step's outcome, why, and
//! its evidence.
//!
//! These types are this crate's own, so the policy and the record can be tested without a chip;
//! the orchestration fills them from the other crates' reports. A step that did not run is
//! [`Status::NotPerformed`], and the policy never counts that as success.

use crate::dates::PartialDate;
use serde::{Deserialize, Serialize};

/// A step's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The step ran and succeeded.
    Passed,
    /// The step ran and failed.
    Failed,
    /// The chip or document does not support the step (and does not claim to).
    NotSupported,
    /// The step did not run (never success).
    NotPerformed,
}

/// One verification step: outcome, reason (for anything but a plain pass) and evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step<E> {
    /// The outcome.
    pub status: Status,
    /// Why it failed, was not performed, or is not supported; notes for a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the step saw.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub evidence: Option<E>,
}

fn none<E>() -> Option<E> {
    None
}

impl<E> Step<E> {
    /// A passed step with its evidence.
    pub fn passed(evidence: E) -> Self {
        Self {
            status: Status::Passed,
            reason: None,
            evidence: Some(evidence),
        }
    }

    /// A failed step.
    pub fn failed(reason: impl Into<String>, evidence: Option<E>) -> Self {
        Self {
            status: Status::Failed,
            reason: Some(reason.into()),
            evidence,
        }
    }

    /// A step that did not run.
    pub fn not_performed(reason: impl Into<String>) -> Self {
        Self {
            status: Status::NotPerformed,
            reason: Some(reason.into()),
            evidence: None,
        }
    }

    /// A step the chip does not support (and does not claim to).
    pub fn not_supported(reason: impl Into<String>, evidence: Option<E>) -> Self {
        Self {
            status: Status::NotSupported,
            reason: Some(reason.into()),
            evidence,
        }
    }

    /// Whether the step passed.
    pub fn is_passed(&self) -> bool {
        self.status == Status::Passed
    }

    /// The reason, or `""`.
    pub fn reason_or_empty(&self) -> &str {
        self.reason.as_deref().unwrap_or("")
    }
}

/// The reason given for every step whose library is not in this build.
pub const NOT_AVAILABLE: &str = "not available in this build";

/// How the MRZ was obtained and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzEvidence {
    /// `file`, `image` (read from a photo of the data page), `prompt`, `key` (`--mrz-key`) or
    /// `demo`.
    pub source: String,
    /// `TD1`, `TD2`, `TD3`, `MRV-A`, `MRV-B`, or `key` when only the MRZ key was given.
    pub format: String,
    /// Whether every check digit was verified.
    pub check_digits_verified: bool,
    /// A CAN was also given (ID cards).
    pub can_given: bool,
}

/// Access control: which protocol opened the chip and with which parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEvidence {
    /// `PACE` or `BAC`.
    pub protocol: String,
    /// `MRZ` or `CAN`.
    pub password: String,
    /// The PACE protocol OID (dotted), when PACE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// The PACE mapping (`GM`, `IM`, `CAM`), when PACE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// The domain parameters (e.g. `brainpoolP256r1`, standardised ID 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_parameters: Option<String>,
    /// The secure-messaging cipher (`3DES`, `AES-128`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    /// Why this protocol was chosen (e.g. "PACE not offered: BAC").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One file read from the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRead {
    /// `COM`, `SOD`, `DG1` ...
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of its content, hex.
    pub sha256: String,
}

/// A file that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSkipped {
    /// `DG3` ...
    pub file: String,
    /// Why (e.g. "access denied: EAC terminal authentication required").
    pub reason: String,
}

/// Reading the chip's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReadEvidence {
    /// What was read.
    pub files: Vec<FileRead>,
    /// What was not, with reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<FileSkipped>,
    /// Command APDUs sent.
    pub apdus: u64,
    /// Bytes sent to the chip.
    pub bytes_sent: u64,
    /// Bytes received from the chip.
    pub bytes_received: u64,
    /// Time spent, in milliseconds.
    pub elapsed_ms: u64,
}

/// A certificate's identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateId {
    /// The subject distinguished name.
    pub subject: String,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
}

/// The hash check of one data group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashResult {
    /// The data group's hash equals EF.SOD's.
    Match,
    /// It does not.
    Mismatch,
    /// EF.SOD lists it but it was not read.
    NotRead,
    /// It was read but EF.SOD does not list it.
    NotInSod,
}

/// One data group's hash result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataGroupHash {
    /// The data group number (1–16).
    pub dg: u8,
    /// The result.
    pub result: HashResult,
}

/// Passive authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PassiveAuthEvidence {
    /// SHA-256 of EF.SOD, hex.
    pub sod_sha256: String,
    /// The LDS security object's hash algorithm (e.g. `SHA-256`).
    pub digest_algorithm: String,
    /// The SignerInfo's signature algorithm (e.g. `ecdsa-with-SHA256`).
    pub signature_algorithm: String,
    /// The document signer certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ds_certificate: Option<CertificateId>,
    /// The CSCA that anchored the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csca_certificate: Option<CertificateId>,
    /// Each data group's hash result.
    pub data_groups: Vec<DataGroupHash>,
    /// CRL status: `not_revoked`, `revoked` or `not_checked`.
    pub crl: String,
    /// Warnings the verifier raised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Chip Authentication or Active Authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AntiCloningEvidence {
    /// Whether the chip claims to support it (DG14 / DG15 listed in EF.SOD, EF.CardSecurity,
    /// PACE-CAM).
    pub advertised: bool,
    /// By what evidence (e.g. `DG14`, `DG15`, `PACE-CAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertised_by: Option<String>,
    /// The protocol or algorithm used (OID name, key type and size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Details (e.g. which check failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The comparison of DG1 with the scanned MRZ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MrzMatchEvidence {
    /// The fields compared.
    pub compared: Vec<String>,
    /// The fields that differ.
    pub mismatched: Vec<String>,
}

/// The face comparison of the DG2 portrait with the selfie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FaceEvidence {
    /// The embedding model's name.
    pub model: String,
    /// SHA-256 of the model file(s), hex.
    pub model_sha256: String,
    /// The embedding distance (lower is more alike).
    pub distance: f64,
    /// The decision threshold: a match when `distance <= threshold`.
    pub threshold: f64,
    /// A similarity score (0–1) if the face step gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// SHA-256 of the selfie file, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selfie_sha256: Option<String>,
    /// Quality warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Whether the document is still valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityEvidence {
    /// The expiry date from DG1.
    pub date_of_expiry: PartialDate,
    /// The day of the check.
    pub checked_on: String,
}

/// Whether the holder is old enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeEvidence {
    /// The birth date from DG1 (or DG11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<PartialDate>,
    /// The holder's age in completed years on the day of the check (the lowest possible when the
    /// birth date is partial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<i32>,
    /// The policy's minimum.
    pub minimum_age: u8,
    /// The day of the check.
    pub checked_on: String,
}

/// Every step the chip, the PKI and the face match report: the policy's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Steps {
    /// The scanned MRZ.
    pub mrz: Step<MrzEvidence>,
    /// PACE or BAC.
    pub access_control: Step<AccessEvidence>,
    /// Reading the files.
    pub read: Step<ReadEvidence>,
    /// Passive authentication.
    pub passive_authentication: Step<PassiveAuthEvidence>,
    /// Chip Authentication (or PACE-CAM).
    pub chip_authentication: Step<AntiCloningEvidence>,
    /// Active Authentication.
    pub active_authentication: Step<AntiCloningEvidence>,
    /// DG1 against the scanned MRZ.
    pub dg1_matches_mrz: Step<MrzMatchEvidence>,
    /// The face match.
    pub face: Step<FaceEvidence>,
}

impl Steps {
    /// Every step not performed, with `reason` (the starting point of an enrolment).
    pub fn not_performed(reason: &str) -> Self {
        Self {
            mrz: Step::not_performed(reason),
            access_control: Step::not_performed(reason),
            read: Step::not_performed(reason),
            passive_authentication: Step::not_performed(reason),
            chip_authentication: Step::not_performed(reason),
            active_authentication: Step::not_performed(reason),
            dg1_matches_mrz: Step::not_performed(reason),
            face: Step::not_performed(reason),
        }
    }
}

/// The document's data from DG1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// `TD1`, `TD2`, `TD3`, `MRV-A` or `MRV-B`.
    pub format: String,
    /// The document code (`P`, `PD`, `I`, `ID`, ...), fillers removed.
    pub document_code: String,
    /// The issuing state or organisation (ICAO 9303-3 three-letter code).
    pub issuing_state: String,
    /// The document number.
    pub document_number: String,
    /// The expiry date.
    pub date_of_expiry: PartialDate,
    /// Optional data (fillers removed; may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub optional_data: String,
}

/// The holder's identity from DG1, completed from DG11 where present. Never from the typed MRZ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Where each attribute came from: `DG1`, and `DG11` when it contributed.
    pub sources: Vec<String>,
    /// The primary identifier (surname), as in DG1's MRZ.
    pub primary_identifier: String,
    /// The secondary identifier (given names), as in DG1's MRZ.
    pub secondary_identifier: String,
    /// The full name from DG11 (more complete than the MRZ's), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The nationality (three-letter code).
    pub nationality: String,
    /// The birth date (DG11's full date where present, else DG1's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<PartialDate>,
    /// `F`, `M`, or `X` (unspecified).
    pub sex: String,
    /// A personal number (DG11, or DG1's optional data where the issuer puts it there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    /// Place of birth (DG11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
}
