//! ISO/IEC 7816-4 §5.6 status words, typed once where responses enter.

use std::fmt;

/// A two-byte status word (SW1 SW2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);

    /// Builds a status word from SW1 and SW2.
    pub const fn new(sw1: u8, sw2: u8) -> Self {
        StatusWord(((sw1 as u16) << 8) | sw2 as u16)
    }
    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.0 as u8
    }
    /// True for 9000 only.
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000
    }
    /// The classified meaning.
    pub fn status(self) -> Status {
        Status::from(self)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.status())
    }
}

/// The meaning of a status word, as a person can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// 9000.
    Success,
    /// 61xx: more data available; xx bytes (0 = 256 or more) can be fetched with GET RESPONSE.
    MoreData(u8),
    /// 6282: end of file or record reached before reading Le bytes.
    EndOfFile,
    /// 6281: part of returned data may be corrupted.
    DataMayBeCorrupted,
    /// 6300: verification failed (no counter).
    VerificationFailed,
    /// 63Cx: verification failed, x tries left.
    RetriesLeft(u8),
    /// 6581: memory failure.
    MemoryFailure,
    /// 6700: wrong length.
    WrongLength,
    /// 6881: logical channel not supported.
    LogicalChannelNotSupported,
    /// 6882: secure messaging not supported.
    SecureMessagingNotSupported,
    /// 6883: last command of the chain expected.
    LastCommandOfChainExpected,
    /// 6884: command chaining not supported.
    ChainingNotSupported,
    /// 6982: security status not satisfied.
    SecurityStatusNotSatisfied,
    /// 6983: authentication method blocked.
    AuthenticationBlocked,
    /// 6984: reference data not usable.
    ReferenceDataNotUsable,
    /// 6985: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// 6986: command not allowed (no current EF).
    CommandNotAllowed,
    /// 6987: expected secure messaging data objects missing.
    SmObjectsMissing,
    /// 6988: incorrect secure messaging data objects.
    SmObjectsIncorrect,
    /// 6A80: incorrect parameters in the command data field.
    IncorrectData,
    /// 6A81: function not supported.
    FunctionNotSupported,
    /// 6A82: file or application not found.
    FileNotFound,
    /// 6A86: incorrect parameters P1-P2.
    IncorrectP1P2,
    /// 6A87: Lc inconsistent with P1-P2.
    LcInconsistentWithP1P2,
    /// 6A88: referenced data not found.
    ReferencedDataNotFound,
    /// 6B00: wrong parameters P1-P2 (for READ BINARY: offset outside the EF).
    WrongP1P2,
    /// 6Cxx: wrong Le; xx is the exact length available (0 = 256).
    WrongLe(u8),
    /// 6D00: instruction code not supported or invalid.
    InsNotSupported,
    /// 6E00: class not supported.
    ClaNotSupported,
    /// 6F00: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Anything else.
    Other(u16),
}

impl From<StatusWord> for Status {
    fn from(sw: StatusWord) -> Self {
        match (sw.sw1(), sw.sw2()) {
            (0x90, 0x00) => Status::Success,
            (0x61, n) => Status::MoreData(n),
            (0x62, 0x81) => Status::DataMayBeCorrupted,
            (0x62, 0x82) => Status::EndOfFile,
            (0x63, 0x00) => Status::VerificationFailed,
            (0x63, n @ 0xC0..=0xCF) => Status::RetriesLeft(n & 0x0F),
            (0x65, 0x81) => Status::MemoryFailure,
            (0x67, 0x00) => Status::WrongLength,
            (0x68, 0x81) => Status::LogicalChannelNotSupported,
            (0x68, 0x82) => Status::SecureMessagingNotSupported,
            (0x68, 0x83) => Status::LastCommandOfChainExpected,
            (0x68, 0x84) => Status::ChainingNotSupported,
            (0x69, 0x82) => Status::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Status::AuthenticationBlocked,
            (0x69, 0x84) => Status::ReferenceDataNotUsable,
            (0x69, 0x85) => Status::ConditionsNotSatisfied,
            (0x69, 0x86) => Status::CommandNotAllowed,
            (0x69, 0x87) => Status::SmObjectsMissing,
            (0x69, 0x88) => Status::SmObjectsIncorrect,
            (0x6A, 0x80) => Status::IncorrectData,
            (0x6A, 0x81) => Status::FunctionNotSupported,
            (0x6A, 0x82) => Status::FileNotFound,
            (0x6A, 0x86) => Status::IncorrectP1P2,
            (0x6A, 0x87) => Status::LcInconsistentWithP1P2,
            (0x6A, 0x88) => Status::ReferencedDataNotFound,
            (0x6B, 0x00) => Status::WrongP1P2,
            (0x6C, n) => Status::WrongLe(n),
            (0x6D, 0x00) => Status::InsNotSupported,
            (0x6E, 0x00) => Status::ClaNotSupported,
            (0x6F, 0x00) => Status::NoPreciseDiagnosis,
            _ => Status::Other(sw.0),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Success => f.write_str("success"),
            Status::MoreData(0) => f.write_str("more data available"),
            Status::MoreData(n) => write!(f, "{n} more bytes available"),
            Status::EndOfFile => f.write_str("end of file reached before Le bytes"),
            Status::DataMayBeCorrupted => f.write_str("part of the returned data may be corrupted"),
            Status::VerificationFailed => f.write_str("verification failed"),
            Status::RetriesLeft(n) => write!(f, "verification failed, {n} tries left"),
            Status::MemoryFailure => f.write_str("memory failure"),
            Status::WrongLength => f.write_str("wrong length"),
            Status::LogicalChannelNotSupported => f.write_str("logical channel not supported"),
            Status::SecureMessagingNotSupported => f.write_str("secure messaging not supported"),
            Status::LastCommandOfChainExpected => f.write_str("last command of the chain expected"),
            Status::ChainingNotSupported => f.write_str("command chaining not supported"),
            Status::SecurityStatusNotSatisfied => f.write_str("security status not satisfied"),
            Status::AuthenticationBlocked => f.write_str("authentication method blocked"),
            Status::ReferenceDataNotUsable => f.write_str("reference data not usable"),
            Status::ConditionsNotSatisfied => f.write_str("conditions of use not satisfied"),
            Status::CommandNotAllowed => f.write_str("command not allowed (no current EF)"),
            Status::SmObjectsMissing => {
                f.write_str("expected secure messaging data objects missing")
            }
            Status::SmObjectsIncorrect => f.write_str("incorrect secure messaging data objects"),
            Status::IncorrectData => f.write_str("incorrect parameters in the data field"),
            Status::FunctionNotSupported => f.write_str("function not supported"),
            Status::FileNotFound => f.write_str("file or application not found"),
            Status::IncorrectP1P2 => f.write_str("incorrect parameters P1-P2"),
            Status::LcInconsistentWithP1P2 => f.write_str("Lc inconsistent with P1-P2"),
            Status::ReferencedDataNotFound => f.write_str("referenced data not found"),
            Status::WrongP1P2 => f.write_str("wrong parameters P1-P2 (offset outside the file)"),
            Status::WrongLe(0) => f.write_str("wrong Le: 256 bytes available"),
            Status::WrongLe(n) => write!(f, "wrong Le: {n} bytes available"),
            Status::InsNotSupported => f.write_str("instruction not supported"),
            Status::ClaNotSupported => f.write_str("class not supported"),
            Status::NoPreciseDiagnosis => f.write_str("no precise diagnosis"),
            Status::Other(sw) => write!(f, "unknown status {sw:04X}"),
        }
    }
}
