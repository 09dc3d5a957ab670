//! The MitID onboarding sequence and its enrolment record.
//!
//! * [`user_id`]: MitID's user-ID rules, advice warnings and the "already taken" hook;
//! * [`choices`]: authenticator, e-mail and phone validation;
//! * [`steps`]: the verification steps with their evidence (the policy's input);
//! * [`policy`]: the decision, in one place;
//! * [`record`]: the versioned JSON record, its JSON Schema, atomic writing;
//! * [`jws`]: detached JWS signatures (Ed25519, ECDSA P-256) over the RFC 8785 canonical record.

pub mod atomic;
pub mod canonical;
pub mod choices;
pub mod dates;
pub mod flow;
pub mod jws;
pub mod policy;
pub mod record;
pub mod steps;
pub mod user_id;

/// The `time` crate, re-exported for callers that build a [`flow::Request`].
pub use time;

pub use choices::{Authenticator, ContactError, Email, Phone};
pub use dates::PartialDate;
pub use jws::{KeyKind, Signature, SignatureError, SigningKey, VerifyingKey};
pub use policy::{Action, Decision, DecisionStatus, Policy, Reason, ReasonCode};
pub use record::{JSON_SCHEMA, MitidChoices, Record, RecordInput, SCHEMA_ID};
pub use steps::{Status, Step, Steps};
pub use user_id::{Availability, AvailabilityCheck, UserId, UserIdRejected, UserIdWarning};

/// The enrolment crate's errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user ID breaks MitID's rules.
    #[error(transparent)]
    UserId(#[from] UserIdRejected),
    /// A contact detail or choice is invalid.
    #[error(transparent)]
    Contact(#[from] ContactError),
    /// Signing or verifying failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The record could not be serialised or parsed.
    #[error("the record is not valid JSON: {0}")]
    Json(String),
    /// The record could not be written.
    #[error("could not write the record to {path}: {cause}")]
    Write {
        /// The destination.
        path: String,
        /// The I/O error.
        cause: String,
    },
}
