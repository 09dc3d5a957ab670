//! The one error type of this crate.

use epassport_tlv::{Tag, TlvError};

/// What went wrong while decoding or encoding an LDS structure, and where.
///
/// Offsets are byte offsets from the start of the elementary file (or of the record given to the
/// parser), so a hex dump shows exactly where decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdsError {
    /// The BER-TLV layer failed (truncated, overrunning length, nesting too deep...).
    #[error("{field}: {source}")]
    Tlv {
        /// The structure being read.
        field: &'static str,
        /// The TLV error, with offsets from the start of the file.
        source: TlvError,
    },
    /// A TLV had another tag than the one the structure requires.
    #[error("{field}: expected tag {expected}, found {found} at offset {offset}")]
    UnexpectedTag {
        /// The structure being read.
        field: &'static str,
        /// The tag required.
        expected: Tag,
        /// The tag found.
        found: Tag,
        /// Offset of the TLV.
        offset: usize,
    },
    /// A mandatory data object is absent.
    #[error("{field}: mandatory tag {tag} missing inside {parent} at offset {offset}")]
    Missing {
        /// The field that is missing.
        field: &'static str,
        /// Its tag.
        tag: Tag,
        /// The template it should be in.
        parent: Tag,
        /// Offset of the template.
        offset: usize,
    },
    /// A value is present but malformed.
    #[error("{field} at offset {offset}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Offset of the value.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A fixed-layout binary record (ISO/IEC 19794) ends early.
    #[error("{field} at offset {offset}: needs {needed} bytes, only {available} left")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Where it starts.
        offset: usize,
        /// How many bytes it needs.
        needed: usize,
        /// How many are left.
        available: usize,
    },
    /// The MRZ in DG1 does not parse.
    #[error("DG1 MRZ: {0}")]
    Mrz(epassport_mrz::MrzError),
    /// An image's declared size exceeds the decoder's memory limit (refused before allocating).
    #[error(
        "image of {width}x{height} with {channels} channels needs {needed} bytes, over the limit of {limit}"
    )]
    ImageTooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Channels.
        channels: u32,
        /// Bytes the decoded image would take.
        needed: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The image bytes are not a format this crate decodes (JPEG, JPEG 2000 JP2 or codestream, PNG).
    #[error("unrecognised image format (first bytes {magic})")]
    UnknownImageFormat {
        /// The first bytes, hex.
        magic: String,
    },
    /// The image decoder refused the bytes.
    #[error("{format} image does not decode: {reason}")]
    ImageDecode {
        /// The format detected from the bytes.
        format: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// A value cannot be encoded (too long for its length field...).
    #[error("cannot encode {field}: {reason}")]
    Encode {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl LdsError {
    pub(crate) fn invalid(field: &'static str, offset: usize, reason: impl Into<String>) -> Self {
        LdsError::Invalid {
            field,
            offset,
            reason: reason.into(),
        }
    }
}
