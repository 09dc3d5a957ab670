//! The crate's one error type.

/// Why a structure could not be parsed or a trust source could not be loaded.
///
/// Verification outcomes (a bad signature, a broken chain) are not errors: they are steps of the
/// [`crate::Report`]. Errors are for input that is not what it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// Malformed BER/DER.
    #[error("{what}: {reason} at offset {offset}")]
    Asn1 {
        /// The structure or field being read.
        what: &'static str,
        /// What was wrong.
        reason: &'static str,
        /// Byte offset in the input.
        offset: usize,
    },
    /// A tag other than the one the structure requires.
    #[error("{what}: expected tag {expected:02X}, found {found:02X} at offset {offset}")]
    UnexpectedTag {
        /// The structure or field being read.
        what: &'static str,
        /// The tag required.
        expected: u8,
        /// The tag found.
        found: u8,
        /// Byte offset in the input.
        offset: usize,
    },
    /// Well-formed but not acceptable content (wrong OID, unsupported version...).
    #[error("{what}: {reason}")]
    Invalid {
        /// The structure or field.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A trust source file could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// The OS error text.
        reason: String,
    },
    /// A master list whose signature or signer chain did not verify.
    #[error("master list not trusted: {0}")]
    MasterListUntrusted(String),
}

impl PkiError {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        PkiError::Invalid {
            what,
            reason: reason.into(),
        }
    }
}
