//! The enrolment decision, in one place.
//!
//! Approved only when: the MRZ was scanned and checked, access control succeeded, the chip's files
//! were read, passive authentication is authentic, the chip is not a clone (Chip or Active
//! Authentication passed wherever the chip advertises them; a chip that advertises one and fails it,
//! or reports it "not supported", is a clone), DG1 matches the scanned MRZ, the document has not
//! expired, the holder is at least [`Policy::minimum_age`], the face matches, and the terms were
//! accepted. Anything else rejects, or refers to manual review where the [`Policy`] says so, and
//! every reason is listed. A step that was not performed never counts as passed.

use crate::dates::{PartialDate, age_on};
use crate::steps::{AgeEvidence, Document, Identity, Status, Step, Steps, ValidityEvidence};
use serde::{Deserialize, Serialize};
use time::Date;

/// What to do in a case the policy makes configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Let it pass.
    Approve,
    /// Refer the enrolment to a person.
    ManualReview,
    /// Reject.
    Reject,
}

/// The enrolment policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The minimum age in completed years (MitID: 13).
    pub minimum_age: u8,
    /// A chip that advertises neither Chip nor Active Authentication cannot prove it is not a clone
    /// (BAC-only passports without AA). Default [`Action::Approve`]: the document type allows no
    /// better, and the record says so.
    pub without_anti_cloning: Action,
    /// The birth date is unknown or too partial to decide the age. Default
    /// [`Action::ManualReview`].
    pub unknown_birth_date: Action,
    /// Face distances above the threshold but within this margin go to manual review instead of
    /// being rejected. Default 0 (no grey zone).
    pub face_review_margin: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            minimum_age: 13,
            without_anti_cloning: Action::Approve,
            unknown_birth_date: Action::ManualReview,
            face_review_margin: 0.0,
        }
    }
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Every check passed.
    Approved,
    /// No check failed outright, but a person must look.
    ManualReview,
    /// At least one check failed.
    Rejected,
}

/// Why the decision is not (only) "approved": a stable code and a message for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    /// The MRZ was not scanned and checked.
    MrzNotVerified,
    /// PACE / BAC failed.
    AccessControlFailed,
    /// PACE / BAC did not run.
    AccessControlNotPerformed,
    /// The chip's files were not all read.
    ChipReadIncomplete,
    /// Passive authentication failed.
    PassiveAuthenticationFailed,
    /// Passive authentication did not run.
    PassiveAuthenticationNotPerformed,
    /// The chip advertises Chip or Active Authentication and failed it.
    CloneSuspected,
    /// Chip Authentication did not run.
    ChipAuthenticationNotPerformed,
    /// Active Authentication did not run.
    ActiveAuthenticationNotPerformed,
    /// The chip supports neither Chip nor Active Authentication.
    NoAntiCloning,
    /// DG1 differs from the scanned MRZ.
    Dg1MrzMismatch,
    /// DG1 was not compared with the scanned MRZ.
    Dg1MrzNotCompared,
    /// The document data (DG1) is missing.
    DocumentDataMissing,
    /// The document has expired.
    DocumentExpired,
    /// The holder is younger than the minimum age.
    UnderMinimumAge,
    /// The birth date does not establish the age.
    BirthDateUnknown,
    /// The face does not match.
    FaceMismatch,
    /// The face distance is in the manual-review margin.
    FaceBorderline,
    /// The face step found no usable face.
    FaceFailed,
    /// The face step did not run.
    FaceNotPerformed,
    /// The holder did not accept the terms.
    TermsNotAccepted,
}

/// One reason with its effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// What it does to the decision.
    pub effect: Action,
    /// An explanation for people.
    pub message: String,
}

/// The decision with every reason, and the checks the policy made itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Approved, manual review, or rejected.
    pub status: DecisionStatus,
    /// Every reason (empty when approved without notes).
    pub reasons: Vec<Reason>,
    /// The policy applied.
    pub policy: Policy,
}

/// The checks the policy derives from DG1 itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedChecks {
    /// Not expired.
    pub document_validity: Step<ValidityEvidence>,
    /// Old enough.
    pub age: Step<AgeEvidence>,
}

/// What the policy decides from.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInput<'a> {
    /// The verification steps.
    pub steps: &'a Steps,
    /// DG1's document data (None when DG1 was not read).
    pub document: Option<&'a Document>,
    /// DG1's (and DG11's) identity (None when DG1 was not read).
    pub identity: Option<&'a Identity>,
    /// Whether the holder accepted the terms.
    pub terms_accepted: bool,
    /// The day of the enrolment.
    pub today: Date,
}

struct Reasons(Vec<Reason>);

impl Reasons {
    fn add(&mut self, code: ReasonCode, effect: Action, message: impl Into<String>) {
        if effect != Action::Approve {
            self.0.push(Reason {
                code,
                effect,
                message: message.into(),
            });
        }
    }
    fn reject(&mut self, code: ReasonCode, message: impl Into<String>) {
        self.add(code, Action::Reject, message);
    }
}

fn because<E>(step: &Step<E>) -> String {
    match &step.reason {
        Some(r) if !r.is_empty() => format!(": {r}"),
        _ => String::new(),
    }
}

impl Policy {
    /// Decides, and returns the checks made on DG1's dates (for the record).
    pub fn decide(&self, input: PolicyInput<'_>) -> (Decision, DerivedChecks) {
        let s = input.steps;
        let mut r = Reasons(Vec::new());

        if !s.mrz.is_passed() {
            r.reject(
                ReasonCode::MrzNotVerified,
                format!("the MRZ was not scanned and checked{}", because(&s.mrz)),
            );
        }
        match s.access_control.status {
            Status::Passed => {}
            Status::Failed => r.reject(
                ReasonCode::AccessControlFailed,
                format!("access control failed{}", because(&s.access_control)),
            ),
            _ => r.reject(
                ReasonCode::AccessControlNotPerformed,
                format!(
                    "access control was not performed{}",
                    because(&s.access_control)
                ),
            ),
        }
        if !s.read.is_passed() {
            r.reject(
                ReasonCode::ChipReadIncomplete,
                format!("the chip's files were not all read{}", because(&s.read)),
            );
        }
        match s.passive_authentication.status {
            Status::Passed => {}
            Status::Failed => r.reject(
                ReasonCode::PassiveAuthenticationFailed,
                format!(
                    "passive authentication failed: the chip's data is not proven to come from the issuer{}",
                    because(&s.passive_authentication)
                ),
            ),
            _ => r.reject(
                ReasonCode::PassiveAuthenticationNotPerformed,
                format!(
                    "passive authentication was not performed{}",
                    because(&s.passive_authentication)
                ),
            ),
        }
        self.anti_cloning(s, &mut r);
        match s.dg1_matches_mrz.status {
            Status::Passed => {}
            Status::Failed => r.reject(
                ReasonCode::Dg1MrzMismatch,
                format!(
                    "the chip's DG1 differs from the scanned MRZ{}",
                    because(&s.dg1_matches_mrz)
                ),
            ),
            _ => r.reject(
                ReasonCode::Dg1MrzNotCompared,
                format!(
                    "DG1 was not compared with the scanned MRZ{}",
                    because(&s.dg1_matches_mrz)
                ),
            ),
        }
        let checked_on = input.today.to_string();
        let dg1_missing = input.document.is_none() || input.identity.is_none();
        if dg1_missing {
            r.reject(
                ReasonCode::DocumentDataMissing,
                "the document data (DG1) was not read",
            );
        }
        let document_validity = match input.document {
            None => Step::not_performed("DG1 was not read"),
            Some(doc) => {
                let evidence = ValidityEvidence {
                    date_of_expiry: doc.date_of_expiry,
                    checked_on: checked_on.clone(),
                };
                // Conservative for partial dates: the earliest day the document could expire.
                if doc.date_of_expiry.earliest() < input.today {
                    let msg = format!("the document expired on {}", doc.date_of_expiry);
                    r.reject(ReasonCode::DocumentExpired, msg.clone());
                    Step::failed(msg, Some(evidence))
                } else {
                    Step::passed(evidence)
                }
            }
        };
        let age = if dg1_missing {
            Step::not_performed("DG1 was not read")
        } else {
            self.age(input, &checked_on, &mut r)
        };
        self.face(&s.face, &mut r);
        if !input.terms_accepted {
            r.reject(
                ReasonCode::TermsNotAccepted,
                "the holder did not accept the MitID terms",
            );
        }

        let status = if r.0.iter().any(|x| x.effect == Action::Reject) {
            DecisionStatus::Rejected
        } else if r.0.iter().any(|x| x.effect == Action::ManualReview) {
            DecisionStatus::ManualReview
        } else {
            DecisionStatus::Approved
        };
        (
            Decision {
                status,
                reasons: r.0,
                policy: self.clone(),
            },
            DerivedChecks {
                document_validity,
                age,
            },
        )
    }

    /// Anti-cloning through the one policy of `epassport_chip::anticlone::judge`, applied to the
    /// record's steps (so a verifier re-checking a record applies the same rule). A step passes
    /// only once its key's file was verified, so a passed step is a verified pass here; a step not
    /// performed counts as advertised unless its evidence says otherwise (nothing unperformed is
    /// ever taken as a pass).
    fn anti_cloning(&self, s: &Steps, r: &mut Reasons) {
        use epassport_chip::anticlone::{Judgement, Mechanism, MechanismReport, Outcome, judge};
        let mut proven = false;
        let mut bad = false;
        for (mechanism, step, not_performed) in [
            (
                Mechanism::ChipAuthentication,
                &s.chip_authentication,
                ReasonCode::ChipAuthenticationNotPerformed,
            ),
            (
                Mechanism::ActiveAuthentication,
                &s.active_authentication,
                ReasonCode::ActiveAuthenticationNotPerformed,
            ),
        ] {
            let ev = step.evidence.as_ref();
            let why = step.reason_or_empty().to_owned();
            let report = MechanismReport {
                mechanism,
                advertised: ev.map_or(step.status == Status::NotPerformed, |e| {
                    e.advertised || step.status == Status::NotPerformed
                }),
                advertised_by: ev.and_then(|e| e.advertised_by.clone()),
                key_source: None,
                key_verified: Some(true),
                outcome: match step.status {
                    Status::Passed => Outcome::Passed {
                        protocol: ev.and_then(|e| e.protocol.clone()).unwrap_or_default(),
                        detail: why.clone(),
                    },
                    Status::Failed => Outcome::Failed { reason: why },
                    Status::NotSupported => Outcome::NotSupported { why },
                    Status::NotPerformed => Outcome::NotPerformed { why },
                },
            };
            match judge(&report) {
                Judgement::Proves => proven = true,
                Judgement::Clone(msg) => {
                    bad = true;
                    r.reject(
                        ReasonCode::CloneSuspected,
                        format!("{msg}: it may be a clone"),
                    );
                }
                Judgement::Unproven(msg) => {
                    bad = true;
                    r.reject(not_performed, msg);
                }
                Judgement::Neutral => {}
            }
        }
        if !proven && !bad {
            r.add(
                ReasonCode::NoAntiCloning,
                self.without_anti_cloning,
                "the chip supports neither Chip nor Active Authentication, so it cannot prove it is not a clone",
            );
        }
    }

    fn age(&self, input: PolicyInput<'_>, checked_on: &str, r: &mut Reasons) -> Step<AgeEvidence> {
        let dob: Option<PartialDate> = input.identity.and_then(|i| i.date_of_birth);
        let mut evidence = AgeEvidence {
            date_of_birth: dob,
            age: None,
            minimum_age: self.minimum_age,
            checked_on: checked_on.to_owned(),
        };
        let Some(dob) = dob else {
            let msg = "the birth date is unknown, so the holder's age cannot be established";
            r.add(ReasonCode::BirthDateUnknown, self.unknown_birth_date, msg);
            return Step::not_performed(msg);
        };
        let min = i32::from(self.minimum_age);
        // The youngest the holder can be, and the oldest.
        let youngest = age_on(dob.latest(), input.today);
        let oldest = age_on(dob.earliest(), input.today);
        evidence.age = Some(youngest);
        if youngest >= min {
            Step::passed(evidence)
        } else if oldest >= min {
            let msg = format!(
                "the birth date {dob} is partial: the holder is {youngest} to {oldest} years old, and the minimum is {min}"
            );
            r.add(
                ReasonCode::BirthDateUnknown,
                self.unknown_birth_date,
                msg.clone(),
            );
            Step::failed(msg, Some(evidence))
        } else {
            let msg = format!("the holder is {youngest} years old; the minimum age is {min}");
            r.reject(ReasonCode::UnderMinimumAge, msg.clone());
            Step::failed(msg, Some(evidence))
        }
    }

    fn face(&self, face: &Step<crate::steps::FaceEvidence>, r: &mut Reasons) {
        match (face.status, &face.evidence) {
            (Status::Passed | Status::Failed, Some(e))
                if e.distance.is_finite() && e.threshold.is_finite() =>
            {
                if e.distance <= e.threshold {
                    return;
                }
                let msg = format!(
                    "the selfie does not match the chip's portrait (distance {:.3}, threshold {:.3})",
                    e.distance, e.threshold
                );
                if e.distance <= e.threshold + self.face_review_margin {
                    r.add(ReasonCode::FaceBorderline, Action::ManualReview, msg);
                } else {
                    r.reject(ReasonCode::FaceMismatch, msg);
                }
            }
            (Status::Failed, _) => r.reject(
                ReasonCode::FaceFailed,
                format!("the face comparison failed{}", because(face)),
            ),
            (Status::Passed, _) => r.reject(
                ReasonCode::FaceNotPerformed,
                "the face step reported a pass without its distance and threshold",
            ),
            _ => r.reject(
                ReasonCode::FaceNotPerformed,
                format!("the face comparison was not performed{}", because(face)),
            ),
        }
    }
}
