//! The passive-authentication report: every step's outcome with its evidence.

use crate::cert::CertInfo;
use serde::Serialize;

/// The outcome of one step. A step that did not run is `NotPerformed`, never success.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// The check ran and passed (with a short note).
    Passed(String),
    /// The check ran and failed (why).
    Failed(String),
    /// The check did not run (why).
    NotPerformed(String),
}

impl Outcome {
    /// True for `Passed`.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Passed(_))
    }
    /// True for `Failed`.
    pub fn failed(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
    pub(crate) fn not_yet() -> Self {
        Outcome::NotPerformed("an earlier step failed".into())
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Passed(s) if s.is_empty() => write!(f, "passed"),
            Outcome::Passed(s) => write!(f, "passed ({s})"),
            Outcome::Failed(s) => write!(f, "FAILED: {s}"),
            Outcome::NotPerformed(s) => write!(f, "not performed: {s}"),
        }
    }
}

/// The steps of passive authentication, in the order they are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Step {
    /// Parsing the CMS SignedData and its content.
    Parse,
    /// eContentType and the contentType attribute.
    ContentType,
    /// messageDigest attribute against the content.
    MessageDigest,
    /// Locating the DS certificate (embedded or supplied).
    DsCertificate,
    /// The SignerInfo signature.
    SodSignature,
    /// DS → CSCA path and signatures.
    Chain,
    /// Key usage of DS and CSCA.
    KeyUsage,
    /// DS validity period.
    DsValidity,
    /// CSCA validity period.
    CscaValidity,
    /// Revocation status of the DS.
    Crl,
    /// Data-group hashes.
    DgHash,
}

/// One data group's hash check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DgStatus {
    /// The hash of the bytes read equals the SOD's.
    Match,
    /// The hash differs.
    Mismatch,
    /// Listed in the SOD, not read (not supplied).
    NotRead,
    /// Read but not listed in the SOD: nothing vouches for it.
    NotInSod,
}

/// A data group's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DgResult {
    /// Data-group number.
    pub number: u8,
    /// The result.
    pub status: DgStatus,
    /// The hash in the SOD (hex).
    pub expected: Option<String>,
    /// The hash of the bytes read (hex).
    pub computed: Option<String>,
}

/// The overall verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every required step passed, and the data groups read match.
    Authentic,
    /// Signature, chain and time checks passed, but no data group was checked (a SOD alone).
    /// Not authentic: nothing vouches for any data.
    SignatureValid,
    /// At least one required step failed or did not run.
    NotAuthentic,
}

/// The report of passive authentication (EF.SOD) or of EF.CardSecurity verification.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// What was verified (`"EF.SOD"`, `"EF.CardSecurity"`).
    pub document: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// The first required step that did not pass.
    pub failed_step: Option<Step>,
    /// Parse.
    pub parse: Outcome,
    /// Content type.
    pub content_type: Outcome,
    /// Message digest.
    pub message_digest: Outcome,
    /// DS certificate found.
    pub ds_certificate: Outcome,
    /// SignerInfo signature.
    pub sod_signature: Outcome,
    /// DS → CSCA path.
    pub chain: Outcome,
    /// Key usage.
    pub key_usage: Outcome,
    /// DS validity.
    pub ds_validity: Outcome,
    /// CSCA validity.
    pub csca_validity: Outcome,
    /// Revocation (CRL).
    pub crl: Outcome,
    /// Data-group hashes overall.
    pub dg_hash: Outcome,
    /// Per data group.
    pub data_groups: Vec<DgResult>,
    /// The SignerInfo's signature algorithm.
    pub signature_algorithm: Option<String>,
    /// The LDS hash algorithm.
    pub lds_hash_algorithm: Option<String>,
    /// The DS certificate.
    pub ds: Option<CertInfo>,
    /// Where the DS certificate came from (`"embedded"`, `"supplied"`).
    pub ds_source: Option<&'static str>,
    /// The trust anchor reached.
    pub csca: Option<CertInfo>,
    /// signingTime attribute (ISO 8601).
    pub signing_time: Option<String>,
    /// Verification time used (ISO 8601).
    pub verification_time: String,
    /// SHA-256 of the verified document (hex).
    pub document_sha256: String,
    /// Anything worth knowing that did not fail a step.
    pub warnings: Vec<String>,
}

impl Report {
    /// True only for [`Verdict::Authentic`].
    pub fn is_authentic(&self) -> bool {
        self.verdict == Verdict::Authentic
    }

    /// Whether this verification vouches for the data group named `file` (`DG14`, `DG15`...):
    /// `Some(true)` when its hash matches and the report is authentic, `Some(false)` when its
    /// hash does not match what EF.SOD says, `None` otherwise (not read, not in EF.SOD, another
    /// file name, or EF.SOD's signature or chain not verified). What anti-cloning keys are bound
    /// to before they count.
    pub fn vouches_for_data_group(&self, file: &str) -> Option<bool> {
        let n: u8 = file.strip_prefix("DG")?.parse().ok()?;
        let dg = self.data_groups.iter().find(|d| d.number == n)?;
        match dg.status {
            DgStatus::Mismatch => Some(false),
            DgStatus::Match if self.is_authentic() => Some(true),
            _ => None,
        }
    }

    /// Each step with its outcome, in order.
    pub fn steps(&self) -> [(Step, &Outcome); 11] {
        [
            (Step::Parse, &self.parse),
            (Step::ContentType, &self.content_type),
            (Step::MessageDigest, &self.message_digest),
            (Step::DsCertificate, &self.ds_certificate),
            (Step::SodSignature, &self.sod_signature),
            (Step::Chain, &self.chain),
            (Step::KeyUsage, &self.key_usage),
            (Step::DsValidity, &self.ds_validity),
            (Step::CscaValidity, &self.csca_validity),
            (Step::Crl, &self.crl),
            (Step::DgHash, &self.dg_hash),
        ]
    }

    /// Decides the verdict: authentic only when every required step passed. Not required:
    /// the CRL unless `require_crl` (a missing CRL is "not checked", a failed one still
    /// fails), time checks the policy skipped, and data groups for a lone SOD / CardSecurity.
    pub(crate) fn decide(
        &mut self,
        require_crl: bool,
        skipped_time: (bool, bool),
        needs_dgs: bool,
    ) {
        let mut first = None;
        for (step, o) in self.steps() {
            let required = match step {
                Step::Crl => require_crl || o.failed(),
                Step::DsValidity => !skipped_time.0 || o.failed(),
                Step::CscaValidity => !skipped_time.1 || o.failed(),
                Step::DgHash => o.failed(),
                _ => true,
            };
            if required && !o.passed() && first.is_none() {
                first = Some(step);
            }
        }
        self.failed_step = first;
        self.verdict = if first.is_some() {
            Verdict::NotAuthentic
        } else if needs_dgs && !self.dg_hash.passed() {
            Verdict::SignatureValid
        } else {
            Verdict::Authentic
        };
    }
}
