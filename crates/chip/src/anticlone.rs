//! Anti-cloning (ICAO 9303-11 §6.1, §6.2): what the chip advertises, what was performed, and the
//! one policy that turns it into a verdict.
//!
//! Passive authentication proves the data is genuine, not that the chip is: a copied chip passes
//! it. Chip Authentication (CA, key in DG14 or EF.CardSecurity), Active Authentication (AA, key in
//! DG15) and PACE with Chip Authentication Mapping (PACE-CAM, key in EF.CardSecurity) prove that the
//! chip holds a private key whose public key the issuer signed.
//!
//! The policy lives here and only here ([`AntiCloneReport::verdict`]):
//! - a mechanism the chip *advertises* (DG14 with a CA key, or DG15, listed in EF.SOD; PACE-CAM
//!   chosen by the chip) and then fails or refuses is a **clone suspicion**, never "not supported";
//! - a mechanism passes only when its public key came from a file that passive authentication
//!   verified ([`MechanismReport::key_verified`]); until then the chip is **unproven**;
//! - an advertised mechanism that was not performed (skipped by the caller, link lost, algorithm
//!   not implemented here) leaves the chip **unproven**, never genuine;
//! - a chip that advertises nothing is [`Verdict::NotSupported`] (BAC-era passports): whether that
//!   is acceptable is the caller's policy.

use std::fmt;

/// An anti-cloning mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mechanism {
    /// Chip Authentication (CA v1/v2, DH or ECDH).
    ChipAuthentication,
    /// Active Authentication (INTERNAL AUTHENTICATE, RSA ISO/IEC 9796-2 or ECDSA).
    ActiveAuthentication,
    /// PACE with Chip Authentication Mapping.
    PaceCam,
}

impl Mechanism {
    /// The mechanism's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::ChipAuthentication => "Chip Authentication",
            Mechanism::ActiveAuthentication => "Active Authentication",
            Mechanism::PaceCam => "PACE-CAM",
        }
    }
    /// A short machine name: `chip_authentication`, `active_authentication`, `pace_cam`.
    pub fn key(self) -> &'static str {
        match self {
            Mechanism::ChipAuthentication => "chip_authentication",
            Mechanism::ActiveAuthentication => "active_authentication",
            Mechanism::PaceCam => "pace_cam",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened to one mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The chip proved possession of the key.
    Passed {
        /// The protocol and its parameters (OID name, key type and size, cipher).
        protocol: String,
        /// How possession was proved.
        detail: String,
    },
    /// The chip failed or refused the mechanism (or its data is inconsistent).
    Failed {
        /// What failed, precisely.
        reason: String,
    },
    /// Not run: skipped by the caller, link lost, or not implementable here.
    NotPerformed {
        /// Why.
        why: String,
    },
    /// The chip does not advertise the mechanism.
    NotSupported {
        /// By what evidence (e.g. "EF.SOD lists no DG15").
        why: String,
    },
}

impl Outcome {
    /// `passed`, `failed`, `not_performed` or `not_supported`.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Passed { .. } => "passed",
            Outcome::Failed { .. } => "failed",
            Outcome::NotPerformed { .. } => "not_performed",
            Outcome::NotSupported { .. } => "not_supported",
        }
    }
    /// The reason, detail or why text.
    pub fn text(&self) -> &str {
        match self {
            Outcome::Passed { detail, .. } => detail,
            Outcome::Failed { reason } => reason,
            Outcome::NotPerformed { why } | Outcome::NotSupported { why } => why,
        }
    }
}

/// One mechanism's report: supported by what evidence, performed, result, why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechanismReport {
    /// Which mechanism.
    pub mechanism: Mechanism,
    /// True when the chip claims it (DG14 CA key / DG15 listed in EF.SOD, PACE-CAM chosen).
    pub advertised: bool,
    /// The evidence for (or against) the claim, e.g. `DG14 (listed in EF.SOD)`.
    pub advertised_by: Option<String>,
    /// The file the public key was taken from (`DG14`, `DG15`, `CardSecurity`).
    pub key_source: Option<String>,
    /// Whether passive authentication verified that file: `None` until it has been checked.
    pub key_verified: Option<bool>,
    /// What happened.
    pub outcome: Outcome,
}

impl MechanismReport {
    /// A mechanism the chip does not advertise.
    pub fn not_supported(mechanism: Mechanism, why: impl Into<String>) -> Self {
        MechanismReport {
            mechanism,
            advertised: false,
            advertised_by: None,
            key_source: None,
            key_verified: None,
            outcome: Outcome::NotSupported { why: why.into() },
        }
    }
    /// A mechanism not performed (advertised or not).
    pub fn not_performed(mechanism: Mechanism, advertised: bool, why: impl Into<String>) -> Self {
        MechanismReport {
            mechanism,
            advertised,
            advertised_by: None,
            key_source: None,
            key_verified: None,
            outcome: Outcome::NotPerformed { why: why.into() },
        }
    }
}

/// The verdict of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// At least one mechanism passed with a key passive authentication verified, and none failed.
    Genuine {
        /// The mechanisms that proved it.
        by: Vec<Mechanism>,
    },
    /// An advertised mechanism failed or was refused, or a key did not match its signed data.
    CloneSuspected {
        /// Every reason.
        reasons: Vec<String>,
    },
    /// Nothing failed, but nothing proved the chip genuine either.
    Unproven {
        /// Why (each advertised mechanism not performed, or a key not yet verified).
        reasons: Vec<String>,
    },
    /// The chip advertises no anti-cloning mechanism.
    NotSupported,
}

impl Verdict {
    /// `genuine`, `clone_suspected`, `unproven` or `not_supported`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Genuine { .. } => "genuine",
            Verdict::CloneSuspected { .. } => "clone_suspected",
            Verdict::Unproven { .. } => "unproven",
            Verdict::NotSupported => "not_supported",
        }
    }
    /// The reasons (empty for genuine and not supported).
    pub fn reasons(&self) -> &[String] {
        match self {
            Verdict::CloneSuspected { reasons } | Verdict::Unproven { reasons } => reasons,
            _ => &[],
        }
    }
}

/// Every mechanism's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AntiCloneReport {
    /// Chip Authentication.
    pub chip_authentication: MechanismReport,
    /// Active Authentication.
    pub active_authentication: MechanismReport,
    /// PACE-CAM.
    pub pace_cam: MechanismReport,
}

impl AntiCloneReport {
    /// A report where nothing was performed (the chip was not reached), for `why`.
    pub fn not_performed(why: &str) -> Self {
        AntiCloneReport {
            chip_authentication: MechanismReport::not_performed(
                Mechanism::ChipAuthentication,
                false,
                why,
            ),
            active_authentication: MechanismReport::not_performed(
                Mechanism::ActiveAuthentication,
                false,
                why,
            ),
            pace_cam: MechanismReport::not_performed(Mechanism::PaceCam, false, why),
        }
    }

    /// The three reports in order.
    pub fn mechanisms(&self) -> [&MechanismReport; 3] {
        [
            &self.chip_authentication,
            &self.active_authentication,
            &self.pace_cam,
        ]
    }

    /// Records what passive authentication said about the files the keys came from: `verified`
    /// answers, for a file name (`DG14`, `DG15`, `CardSecurity`), whether its hash (or signature)
    /// was verified (`Some(true)`), contradicted (`Some(false)`) or not checked (`None`).
    pub fn bind_passive_authentication(&mut self, verified: &dyn Fn(&str) -> Option<bool>) {
        for m in [
            &mut self.chip_authentication,
            &mut self.active_authentication,
            &mut self.pace_cam,
        ] {
            if let Some(src) = &m.key_source {
                m.key_verified = verified(src);
            }
        }
    }

    /// The one anti-cloning policy (see the module documentation), over every mechanism.
    pub fn verdict(&self) -> Verdict {
        let mut clone = Vec::new();
        let mut unproven = Vec::new();
        let mut by = Vec::new();
        let mut any_advertised = false;
        for m in self.mechanisms() {
            any_advertised |= m.advertised;
            match judge(m) {
                Judgement::Proves => by.push(m.mechanism),
                Judgement::Clone(r) => clone.push(r),
                Judgement::Unproven(r) => unproven.push(r),
                Judgement::Neutral => {}
            }
        }
        if !clone.is_empty() {
            Verdict::CloneSuspected { reasons: clone }
        } else if !unproven.is_empty() {
            // A passed mechanism does not cover for an advertised one that was skipped or whose
            // key is unverified: each must be explained.
            Verdict::Unproven { reasons: unproven }
        } else if !by.is_empty() {
            Verdict::Genuine { by }
        } else if any_advertised {
            Verdict::Unproven {
                reasons: vec!["no advertised mechanism was performed".into()],
            }
        } else {
            Verdict::NotSupported
        }
    }
}

/// What one mechanism's report means under the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// It proves the chip genuine (passed with a key passive authentication verified).
    Proves,
    /// It makes the chip a clone suspect, with the reason.
    Clone(String),
    /// It leaves the chip unproven (advertised and not performed, or the key not verified).
    Unproven(String),
    /// It says nothing (not advertised, not performed).
    Neutral,
}

/// The per-mechanism rule of the policy; [`AntiCloneReport::verdict`] combines these, and the
/// enrolment policy (`epassport-enrol`) applies the same function to the steps of a record.
pub fn judge(m: &MechanismReport) -> Judgement {
    let name = m.mechanism.name();
    let src = m.key_source.as_deref().unwrap_or("its key file");
    let by = m
        .advertised_by
        .as_deref()
        .map(|b| format!(" ({b})"))
        .unwrap_or_default();
    match &m.outcome {
        Outcome::Passed { .. } => match m.key_verified {
            Some(true) => Judgement::Proves,
            Some(false) => Judgement::Clone(format!(
                "{name} passed with a key from {src}, but {src} does not match what the issuer \
                 signed"
            )),
            None => Judgement::Unproven(format!(
                "{name} passed, but {src} has not been verified by passive authentication"
            )),
        },
        Outcome::Failed { reason } => Judgement::Clone(format!(
            "the chip advertises {name}{by} and failed it: {reason}"
        )),
        Outcome::NotSupported { why } if m.advertised => Judgement::Clone(format!(
            "the chip advertises {name}{by} but does not perform it: {why}"
        )),
        Outcome::NotPerformed { why } if m.advertised => Judgement::Unproven(format!(
            "the chip advertises {name}{by}, which was not performed: {why}"
        )),
        Outcome::NotPerformed { .. } | Outcome::NotSupported { .. } => Judgement::Neutral,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(m: Mechanism, src: &str, verified: Option<bool>) -> MechanismReport {
        MechanismReport {
            mechanism: m,
            advertised: true,
            advertised_by: Some(format!("{src} (listed in EF.SOD)")),
            key_source: Some(src.into()),
            key_verified: verified,
            outcome: Outcome::Passed {
                protocol: "p".into(),
                detail: "d".into(),
            },
        }
    }

    fn report(ca: MechanismReport, aa: MechanismReport) -> AntiCloneReport {
        AntiCloneReport {
            chip_authentication: ca,
            active_authentication: aa,
            pace_cam: MechanismReport::not_supported(Mechanism::PaceCam, "PACE-GM"),
        }
    }

    #[test]
    fn passed_with_verified_key_is_genuine() {
        let r = report(
            passed(Mechanism::ChipAuthentication, "DG14", Some(true)),
            passed(Mechanism::ActiveAuthentication, "DG15", Some(true)),
        );
        assert_eq!(
            r.verdict(),
            Verdict::Genuine {
                by: vec![
                    Mechanism::ChipAuthentication,
                    Mechanism::ActiveAuthentication
                ]
            }
        );
    }

    #[test]
    fn passed_before_passive_authentication_is_unproven() {
        let r = report(
            passed(Mechanism::ChipAuthentication, "DG14", None),
            MechanismReport::not_supported(Mechanism::ActiveAuthentication, "no DG15"),
        );
        assert_eq!(r.verdict().status(), "unproven");
        assert!(r.verdict().reasons()[0].contains("not been verified"));
    }

    #[test]
    fn passed_with_contradicted_key_is_a_clone() {
        let r = report(
            passed(Mechanism::ChipAuthentication, "DG14", Some(false)),
            MechanismReport::not_supported(Mechanism::ActiveAuthentication, "no DG15"),
        );
        assert_eq!(r.verdict().status(), "clone_suspected");
    }

    #[test]
    fn advertised_and_failed_is_a_clone_even_when_another_passed() {
        let mut aa = passed(Mechanism::ActiveAuthentication, "DG15", Some(true));
        aa.outcome = Outcome::Failed {
            reason: "digest mismatch".into(),
        };
        let r = report(
            passed(Mechanism::ChipAuthentication, "DG14", Some(true)),
            aa,
        );
        let v = r.verdict();
        assert_eq!(v.status(), "clone_suspected");
        assert_eq!(
            v.reasons(),
            [
                "the chip advertises Active Authentication (DG15 (listed in EF.SOD)) and failed it: digest mismatch"
            ]
        );
    }

    #[test]
    fn advertised_but_skipped_is_unproven_not_genuine() {
        let r = report(
            passed(Mechanism::ChipAuthentication, "DG14", Some(true)),
            MechanismReport::not_performed(Mechanism::ActiveAuthentication, true, "--no-aa"),
        );
        assert_eq!(r.verdict().status(), "unproven");
    }

    #[test]
    fn advertised_but_not_supported_is_a_clone() {
        let mut aa = passed(Mechanism::ActiveAuthentication, "DG15", None);
        aa.outcome = Outcome::NotSupported {
            why: "INTERNAL AUTHENTICATE answered 6D00".into(),
        };
        assert!(matches!(judge(&aa), Judgement::Clone(r) if r.contains("does not perform it")));
    }

    #[test]
    fn nothing_advertised_is_not_supported() {
        let r = report(
            MechanismReport::not_supported(Mechanism::ChipAuthentication, "no DG14"),
            MechanismReport::not_supported(Mechanism::ActiveAuthentication, "no DG15"),
        );
        assert_eq!(r.verdict(), Verdict::NotSupported);
    }

    #[test]
    fn binding_sets_key_verification_by_source() {
        let mut r = report(
            passed(Mechanism::ChipAuthentication, "DG14", None),
            passed(Mechanism::ActiveAuthentication, "DG15", None),
        );
        r.bind_passive_authentication(&|f| match f {
            "DG14" => Some(true),
            "DG15" => Some(false),
            _ => None,
        });
        assert_eq!(r.chip_authentication.key_verified, Some(true));
        assert_eq!(r.active_authentication.key_verified, Some(false));
        assert_eq!(r.verdict().status(), "clone_suspected");
    }
}
