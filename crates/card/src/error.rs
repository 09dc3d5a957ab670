use crate::StatusWord;

/// Errors of the card layer: malformed APDUs, transport failures and unexpected status words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// A command could not be encoded (for example a body longer than extended length allows).
    #[error("invalid command APDU: {0}")]
    InvalidCommand(&'static str),
    /// A response shorter than the two status bytes.
    #[error("response APDU of {len} bytes has no status word")]
    ResponseTooShort {
        /// The length received.
        len: usize,
    },
    /// The card was removed, the tag was lost or the link broke; the session is gone.
    #[error("communication with the card was lost: {0}")]
    CommunicationLost(String),
    /// No card is present in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The reader went away (unplugged) or does not exist.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// Another application holds the card exclusively.
    #[error("the card is in use by another application (sharing violation)")]
    SharingViolation,
    /// Waiting for something (a card, a response) took longer than allowed.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A status word that the caller did not expect; carries the status word and the command's INS.
    #[error("card answered {sw} to INS {ins:02X}")]
    UnexpectedStatus {
        /// The status word the card returned.
        sw: StatusWord,
        /// The instruction byte of the command it answered.
        ins: u8,
    },
    /// The card kept answering 61xx / 6Cxx beyond the allowed number of rounds.
    #[error("the card kept asking for GET RESPONSE or a new Le (more than {0} rounds)")]
    TooManyRounds(usize),
    /// A replayed trace did not match what the terminal sent.
    #[error("replay mismatch at exchange {index}: expected {expected}, got {actual}")]
    ReplayMismatch {
        /// The zero-based index of the exchange in the trace.
        index: usize,
        /// The command recorded in the trace (hex).
        expected: String,
        /// The command the terminal sent (hex).
        actual: String,
    },
    /// An ATR that does not follow ISO/IEC 7816-3 §8.2.
    #[error("malformed ATR: {0}")]
    InvalidAtr(&'static str),
    /// A trace file could not be read, parsed or written.
    #[error("trace: {0}")]
    Trace(String),
    /// Any other backend failure, with its description.
    #[error("transport error: {0}")]
    Transport(String),
}
