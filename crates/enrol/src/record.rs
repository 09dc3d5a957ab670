//! The MitID enrolment record (`"schema": "epassport.mitid-enrolment/1"`), described by
//! `schema/mitid-enrolment-1.schema.json` in the repository.

use crate::choices::{Authenticator, Email, Phone};
use crate::jws::{self, Signature, SigningKey};
use crate::policy::{Decision, DerivedChecks, Policy, PolicyInput};
use crate::steps::{AgeEvidence, Document, Identity, Step, Steps, ValidityEvidence};
use crate::user_id::{Availability, UserId, UserIdWarning};
use crate::{Error, atomic};
use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The record's schema identifier.
pub const SCHEMA_ID: &str = "epassport.mitid-enrolment/1";

/// The JSON Schema describing the record (draft 2020-12).
pub const JSON_SCHEMA: &str = include_str!("../../../schema/mitid-enrolment-1.schema.json");

/// The tool that wrote the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `epassport`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Optional features compiled in (`face`, `pcsc`).
    pub features: Vec<String>,
}

/// Every verification step, including the policy's own checks of DG1's dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// The steps the chip, PKI and face match report.
    #[serde(flatten)]
    pub steps: Steps,
    /// The document has not expired.
    pub document_validity: Step<ValidityEvidence>,
    /// The holder is old enough.
    pub age: Step<AgeEvidence>,
}

/// The holder's contact details (MitID notifies the holder there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
}

/// The MitID choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MitidChoices {
    /// The user ID (valid by MitID's rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Advice the holder was given about the user ID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_id_warnings: Vec<UserIdWarning>,
    /// What the deployment's back end said about the user ID.
    pub user_id_availability: Availability,
    /// The authenticator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator: Option<Authenticator>,
    /// Contact details.
    pub contact: Contact,
    /// Whether the holder accepted the MitID terms.
    pub terms_accepted: bool,
}

/// The chip's portrait (only when asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Portrait {
    /// `image/jpeg`, `image/jp2` ...
    pub media_type: String,
    /// SHA-256 of the image bytes, hex.
    pub sha256: String,
    /// The image, base64 (standard alphabet, padded).
    pub data: String,
}

impl Portrait {
    /// A portrait from the image bytes.
    pub fn new(media_type: &str, bytes: &[u8]) -> Self {
        Self {
            media_type: media_type.to_owned(),
            sha256: hex::encode(Sha256::digest(bytes)),
            data: Base64::encode_string(bytes),
        }
    }
}

/// The enrolment record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// When the record was made (RFC 3339, UTC).
    pub created_at: String,
    /// The tool.
    pub tool: Tool,
    /// The holder, from DG1 (and DG11); absent when DG1 was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The document, from DG1; absent when DG1 was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Document>,
    /// Every step with its evidence.
    pub verification: Verification,
    /// The decision and its reasons.
    pub decision: Decision,
    /// The MitID choices.
    pub mitid: MitidChoices,
    /// The chip's portrait, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portrait: Option<Portrait>,
    /// The station's signature, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// Everything a record is made from.
#[derive(Debug, Clone)]
pub struct RecordInput {
    /// The steps.
    pub steps: Steps,
    /// DG1's document data.
    pub document: Option<Document>,
    /// DG1's (and DG11's) identity.
    pub identity: Option<Identity>,
    /// The MitID choices.
    pub mitid: MitidChoices,
    /// The portrait, if it is to be included.
    pub portrait: Option<Portrait>,
    /// The tool.
    pub tool: Tool,
    /// The time of the enrolment (injectable for reproducible records).
    pub now: OffsetDateTime,
}

impl Record {
    /// Applies `policy` and assembles the record.
    pub fn build(input: RecordInput, policy: &Policy) -> Self {
        let now = input.now.to_offset(time::UtcOffset::UTC);
        let (
            decision,
            DerivedChecks {
                document_validity,
                age,
            },
        ) = policy.decide(PolicyInput {
            steps: &input.steps,
            document: input.document.as_ref(),
            identity: input.identity.as_ref(),
            terms_accepted: input.mitid.terms_accepted,
            today: now.date(),
        });
        let created_at = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&Rfc3339)
            .unwrap_or_default();
        Self {
            schema: SCHEMA_ID.to_owned(),
            created_at,
            tool: input.tool,
            identity: input.identity,
            document: input.document,
            verification: Verification {
                steps: input.steps,
                document_validity,
                age,
            },
            decision,
            mitid: input.mitid,
            portrait: input.portrait,
            signature: None,
        }
    }

    /// The record as a JSON value, signed with `key` when given.
    ///
    /// # Errors
    /// [`Error::Json`] or [`Error::Signature`].
    pub fn to_value(&self, key: Option<&SigningKey>) -> Result<serde_json::Value, Error> {
        let value = serde_json::to_value(self).map_err(|e| Error::Json(e.to_string()))?;
        match key {
            Some(k) => Ok(jws::sign(&value, k)?),
            None => Ok(value),
        }
    }

    /// The record as pretty JSON with a final newline, signed with `key` when given.
    ///
    /// # Errors
    /// [`Error::Json`] or [`Error::Signature`].
    pub fn to_json(&self, key: Option<&SigningKey>) -> Result<String, Error> {
        // Serialise the struct itself (members in the documented order, not sorted); the
        // signature covers the canonical form, which does not depend on member order.
        let mut record = self.clone();
        if let Some(k) = key {
            let mut unsigned = self.clone();
            unsigned.signature = None;
            let signed = jws::sign(
                &serde_json::to_value(&unsigned).map_err(|e| Error::Json(e.to_string()))?,
                k,
            )?;
            record.signature = signed
                .get("signature")
                .cloned()
                .and_then(|s| serde_json::from_value(s).ok());
        }
        let mut s =
            serde_json::to_string_pretty(&record).map_err(|e| Error::Json(e.to_string()))?;
        s.push('\n');
        Ok(s)
    }

    /// Writes the record to `path` atomically (complete or not at all).
    ///
    /// # Errors
    /// [`Error::Write`] with the path and cause, or a serialisation/signing error.
    pub fn write(&self, path: &Path, key: Option<&SigningKey>) -> Result<(), Error> {
        let json = self.to_json(key)?;
        atomic::write_atomic(path, json.as_bytes()).map_err(|e| Error::Write {
            path: path.display().to_string(),
            cause: e.to_string(),
        })
    }
}
