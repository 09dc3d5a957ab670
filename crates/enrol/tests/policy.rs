//! The enrolment policy: every decision path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may unwrap and panic

mod common;

use epassport_enrol::policy::{Action, DecisionStatus, Policy, PolicyInput, ReasonCode};
use epassport_enrol::steps::*;
use time::macros::date;

fn decide_with(
    policy: &Policy,
    steps: &Steps,
    doc: Option<&Document>,
    id: Option<&Identity>,
    terms: bool,
) -> (DecisionStatus, Vec<(ReasonCode, Action)>) {
    let (d, _) = policy.decide(PolicyInput {
        steps,
        document: doc,
        identity: id,
        terms_accepted: terms,
        today: date!(2026 - 11 - 21),
    });
    (
        d.status,
        d.reasons.iter().map(|r| (r.code, r.effect)).collect(),
    )
}

fn decide(steps: &Steps) -> (DecisionStatus, Vec<(ReasonCode, Action)>) {
    let doc = common::document();
    let id = common::identity("1974-08-12");
    decide_with(&Policy::default(), steps, Some(&doc), Some(&id), true)
}

const R: Action = Action::Reject;

#[test]
fn all_passed_is_approved() {
    assert_eq!(decide(&common::steps()), (DecisionStatus::Approved, vec![]));
}

#[test]
fn nothing_performed_rejects_with_every_reason() {
    let s = Steps::not_performed(NOT_AVAILABLE);
    let (status, reasons) = decide(&s);
    assert_eq!(status, DecisionStatus::Rejected);
    assert_eq!(
        reasons,
        vec![
            (ReasonCode::MrzNotVerified, R),
            (ReasonCode::AccessControlNotPerformed, R),
            (ReasonCode::ChipReadIncomplete, R),
            (ReasonCode::PassiveAuthenticationNotPerformed, R),
            (ReasonCode::ChipAuthenticationNotPerformed, R),
            (ReasonCode::ActiveAuthenticationNotPerformed, R),
            (ReasonCode::Dg1MrzNotCompared, R),
            (ReasonCode::FaceNotPerformed, R),
        ]
    );
}

#[test]
fn each_failure_has_its_reason() {
    type Edit = fn(&mut Steps);
    let cases: Vec<(Edit, ReasonCode)> = vec![
        (
            |s| s.access_control = Step::failed("6300: wrong MRZ", None),
            ReasonCode::AccessControlFailed,
        ),
        (
            |s| s.read = Step::failed("card removed", None),
            ReasonCode::ChipReadIncomplete,
        ),
        (
            |s| s.passive_authentication = Step::failed("DG2 hash mismatch", None),
            ReasonCode::PassiveAuthenticationFailed,
        ),
        (
            |s| {
                s.chip_authentication = Step::failed(
                    "the chip's response did not verify",
                    s.chip_authentication.evidence.clone(),
                )
            },
            ReasonCode::CloneSuspected,
        ),
        (
            |s| s.active_authentication = Step::failed("signature invalid", None),
            ReasonCode::CloneSuspected,
        ),
        (
            |s| s.dg1_matches_mrz = Step::failed("document number differs", None),
            ReasonCode::Dg1MrzMismatch,
        ),
        (
            |s| {
                if let Some(e) = s.face.evidence.as_mut() {
                    e.distance = 0.9;
                }
                s.face.status = Status::Failed;
            },
            ReasonCode::FaceMismatch,
        ),
        (
            |s| s.face = Step::failed("no face in the selfie", None),
            ReasonCode::FaceFailed,
        ),
        (
            |s| s.face = Step::not_performed("no selfie"),
            ReasonCode::FaceNotPerformed,
        ),
        (
            |s| s.mrz = Step::failed("check digit", None),
            ReasonCode::MrzNotVerified,
        ),
    ];
    for (edit, code) in cases {
        let mut s = common::steps();
        edit(&mut s);
        assert_eq!(
            decide(&s),
            (DecisionStatus::Rejected, vec![(code, R)]),
            "{code:?}"
        );
    }
}

#[test]
fn advertised_but_not_supported_is_a_clone() {
    let mut s = common::steps();
    s.active_authentication = Step::not_supported(
        "INTERNAL AUTHENTICATE answered 6D00",
        s.active_authentication.evidence.clone(),
    );
    let (status, reasons) = decide(&s);
    assert_eq!(status, DecisionStatus::Rejected);
    assert_eq!(reasons, vec![(ReasonCode::CloneSuspected, R)]);
}

#[test]
fn one_unadvertised_protocol_is_fine() {
    let mut s = common::steps();
    s.active_authentication = Step::not_supported("no DG15", Some(AntiCloningEvidence::default()));
    assert_eq!(decide(&s), (DecisionStatus::Approved, vec![]));
}

#[test]
fn no_anti_cloning_follows_policy() {
    let mut s = common::steps();
    s.chip_authentication = Step::not_supported("no DG14", None);
    s.active_authentication = Step::not_supported("no DG15", None);
    assert_eq!(decide(&s), (DecisionStatus::Approved, vec![]));
    let doc = common::document();
    let id = common::identity("1974-08-12");
    for (action, status) in [
        (Action::ManualReview, DecisionStatus::ManualReview),
        (Action::Reject, DecisionStatus::Rejected),
    ] {
        let p = Policy {
            without_anti_cloning: action,
            ..Policy::default()
        };
        assert_eq!(
            decide_with(&p, &s, Some(&doc), Some(&id), true),
            (status, vec![(ReasonCode::NoAntiCloning, action)])
        );
    }
}

#[test]
fn expiry() {
    let s = common::steps();
    let id = common::identity("1974-08-12");
    let p = Policy::default();
    let mut doc = common::document();
    doc.date_of_expiry = "2026-11-21".parse().unwrap();
    assert_eq!(
        decide_with(&p, &s, Some(&doc), Some(&id), true).0,
        DecisionStatus::Approved
    );
    doc.date_of_expiry = "2026-11-20".parse().unwrap();
    assert_eq!(
        decide_with(&p, &s, Some(&doc), Some(&id), true),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::DocumentExpired, R)]
        )
    );
    assert_eq!(
        decide_with(&p, &s, None, Some(&id), true),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::DocumentDataMissing, R)]
        )
    );
}

#[test]
fn minimum_age() {
    let s = common::steps();
    let doc = common::document();
    let p = Policy::default();
    let on = |dob: &str| decide_with(&p, &s, Some(&doc), Some(&common::identity(dob)), true);
    assert_eq!(on("2013-11-21").0, DecisionStatus::Approved);
    assert_eq!(
        on("2013-11-22"),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::UnderMinimumAge, R)]
        )
    );
    // Partial: November 2013 is 12 or 13 today; 2013 alone is 12 or 13; 2012 is at least 13.
    assert_eq!(
        on("2013-11"),
        (
            DecisionStatus::ManualReview,
            vec![(ReasonCode::BirthDateUnknown, Action::ManualReview)]
        )
    );
    assert_eq!(on("2013").0, DecisionStatus::ManualReview);
    assert_eq!(on("2012").0, DecisionStatus::Approved);
    assert_eq!(on("2014").0, DecisionStatus::Rejected);
    let mut id = common::identity("2000-01-01");
    id.date_of_birth = None;
    assert_eq!(
        decide_with(&p, &s, Some(&doc), Some(&id), true),
        (
            DecisionStatus::ManualReview,
            vec![(ReasonCode::BirthDateUnknown, Action::ManualReview)]
        )
    );
    let strict = Policy {
        minimum_age: 18,
        ..Policy::default()
    };
    assert_eq!(
        decide_with(
            &strict,
            &s,
            Some(&doc),
            Some(&common::identity("2010-01-01")),
            true
        ),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::UnderMinimumAge, R)]
        )
    );
}

#[test]
fn face_margin_refers_to_review() {
    let mut s = common::steps();
    if let Some(e) = s.face.evidence.as_mut() {
        e.distance = 0.62;
    }
    let doc = common::document();
    let id = common::identity("1974-08-12");
    let p = Policy {
        face_review_margin: 0.05,
        ..Policy::default()
    };
    assert_eq!(
        decide_with(&p, &s, Some(&doc), Some(&id), true),
        (
            DecisionStatus::ManualReview,
            vec![(ReasonCode::FaceBorderline, Action::ManualReview)]
        )
    );
    assert_eq!(
        decide(&s),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::FaceMismatch, R)]
        )
    );
    // A pass without numbers is not a pass.
    s.face = Step {
        status: Status::Passed,
        reason: None,
        evidence: None,
    };
    assert_eq!(
        decide(&s),
        (
            DecisionStatus::Rejected,
            vec![(ReasonCode::FaceNotPerformed, R)]
        )
    );
}

#[test]
fn terms_and_messages() {
    let s = common::steps();
    let doc = common::document();
    let id = common::identity("1974-08-12");
    let (d, checks) = Policy::default().decide(PolicyInput {
        steps: &s,
        document: Some(&doc),
        identity: Some(&id),
        terms_accepted: false,
        today: date!(2026 - 11 - 21),
    });
    assert_eq!(d.status, DecisionStatus::Rejected);
    assert_eq!(
        d.reasons[0].message,
        "the holder did not accept the MitID terms"
    );
    assert!(checks.document_validity.is_passed());
    assert_eq!(checks.age.evidence.unwrap().age, Some(52));

    let mut s = common::steps();
    s.chip_authentication = Step::failed(
        "the chip's response did not verify",
        s.chip_authentication.evidence.clone(),
    );
    let (d, _) = Policy::default().decide(PolicyInput {
        steps: &s,
        document: Some(&doc),
        identity: Some(&id),
        terms_accepted: true,
        today: date!(2026 - 11 - 21),
    });
    assert_eq!(
        d.reasons[0].message,
        "the chip advertises Chip Authentication (DG14) and failed it: the chip's response did not verify: it may be a clone"
    );
}
