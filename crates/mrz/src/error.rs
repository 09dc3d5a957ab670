//! The crate's one error enum and the names it uses for fields and character classes.

use crate::Format;
use std::fmt;

/// A field of the MRZ, as named in errors, warnings and the CLI's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// Document code (`P`, `I`, `A`, `C`, `V` and a second letter or `<`).
    DocumentCode,
    /// Issuing State or organisation (three-letter code).
    IssuingState,
    /// The name field (primary and secondary identifiers).
    Name,
    /// Document number (and, for TD1/TD2, its continuation in the optional data).
    DocumentNumber,
    /// Nationality (three-letter code).
    Nationality,
    /// Date of birth, YYMMDD.
    DateOfBirth,
    /// Sex: `M`, `F`, `X` or `<`.
    Sex,
    /// Date of expiry, YYMMDD.
    DateOfExpiry,
    /// Optional data (TD3: personal number; TD1: upper line; TD2, MRV: lower line).
    OptionalData,
    /// TD1's second optional data element (middle line).
    OptionalData2,
    /// The composite check digit (TD1, TD2, TD3).
    Composite,
}

impl Field {
    /// The snake_case name used in messages and JSON (`document_number`, `composite`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Field::DocumentCode => "document_code",
            Field::IssuingState => "issuing_state",
            Field::Name => "name",
            Field::DocumentNumber => "document_number",
            Field::Nationality => "nationality",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::DateOfExpiry => "date_of_expiry",
            Field::OptionalData => "optional_data",
            Field::OptionalData2 => "optional_data_2",
            Field::Composite => "composite",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which characters a position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharClass {
    /// `A`–`Z` or the filler `<`.
    Alpha,
    /// `0`–`9`.
    Digit,
    /// `0`–`9` or the filler `<`.
    DigitOrFiller,
    /// `A`–`Z`, `0`–`9` or `<`.
    AlphaNumeric,
}

impl fmt::Display for CharClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharClass::Alpha => "A-Z or <",
            CharClass::Digit => "0-9",
            CharClass::DigitOrFiller => "0-9 or <",
            CharClass::AlphaNumeric => "A-Z, 0-9 or <",
        })
    }
}

/// Why a date field is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateProblem {
    /// A two-character part mixes a digit and `<` (each of YY, MM, DD is all digits or all `<`).
    MixedUnknown,
    /// The month is not 01–12.
    Month(u8),
    /// The day is not within the month.
    Day(u8),
    /// A character other than a digit or `<`.
    Character(char),
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateProblem::MixedUnknown => {
                f.write_str("each of YY, MM, DD must be two digits or '<<' when unknown")
            }
            DateProblem::Month(m) => write!(f, "month {m:02} is not 01-12"),
            DateProblem::Day(d) => write!(f, "day {d:02} does not exist in that month"),
            DateProblem::Character(c) => write!(f, "{c:?} is neither a digit nor '<'"),
        }
    }
}

/// Everything that can go wrong reading, checking or building an MRZ. Lines and columns are
/// 1-based, as printed on the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MrzError {
    /// No MRZ text at all (empty or only whitespace).
    #[error("no MRZ text: the input is empty")]
    Empty,
    /// The number and lengths of the lines match no format.
    #[error(
        "cannot tell the MRZ format from {lines} line(s) of length {lengths:?}: expected 3 lines of 30 \
         characters (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)"
    )]
    UnknownFormat {
        /// How many non-blank lines there were.
        lines: usize,
        /// Their lengths in characters (after normalisation).
        lengths: Vec<usize>,
    },
    /// The first line fixed the format but another line has the wrong length.
    #[error("line {line} has {found} characters; {format} lines have {expected}")]
    LineLength {
        /// The format the first line implies.
        format: Format,
        /// The offending line (1-based).
        line: usize,
        /// The length the format requires.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// DG1-style MRZ text without line breaks of a length no format has.
    #[error(
        "concatenated MRZ has {found} characters; expected 90 (TD1), 72 (TD2, MRV-B) or 88 (TD3, MRV-A)"
    )]
    ConcatenatedLength {
        /// The length found.
        found: usize,
    },
    /// A character that the field does not accept.
    #[error(
        "{field}: character {found:?} at line {line}, column {column} is not allowed (expected {expected})"
    )]
    InvalidCharacter {
        /// The field the position belongs to.
        field: Field,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The character found.
        found: char,
        /// What the position accepts.
        expected: CharClass,
    },
    /// A check digit that does not match the data it covers (ICAO 9303-3 §4.9).
    #[error(
        "{field}: check digit at line {line}, column {column} is {found:?}, expected {expected:?}"
    )]
    CheckDigit {
        /// The field (or `composite`) the check digit protects.
        field: Field,
        /// Line of the check digit (1-based).
        line: usize,
        /// Column of the check digit (1-based).
        column: usize,
        /// The digit computed from the data.
        expected: char,
        /// The character printed.
        found: char,
    },
    /// A date field that is not a calendar date.
    #[error("{field}: {value:?} at line {line}, column {column} is not a date: {problem}")]
    InvalidDate {
        /// `date_of_birth` or `date_of_expiry`.
        field: Field,
        /// Line (1-based).
        line: usize,
        /// Column of the first character of the date (1-based).
        column: usize,
        /// The six characters found.
        value: String,
        /// What is wrong.
        problem: DateProblem,
    },
    /// The sex position holds something other than `M`, `F`, `X` or `<`.
    #[error("sex: {found:?} at line {line}, column {column} is not M, F, X or <")]
    InvalidSex {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The character found.
        found: char,
    },
    /// [`crate::check_digit`] was given a character outside `0-9`, `A-Z`, `<`.
    #[error(
        "cannot compute a check digit: character {found:?} at index {index} is not 0-9, A-Z or <"
    )]
    CheckDigitInput {
        /// 0-based index in the input.
        index: usize,
        /// The character found.
        found: char,
    },
    /// A value given to build an MRZ or an access key does not fit.
    #[error("{field}: {reason}")]
    InvalidValue {
        /// The field concerned.
        field: Field,
        /// What is wrong with the value.
        reason: String,
    },
}

impl MrzError {
    /// The field an error concerns, when it concerns one (`None` for whole-MRZ problems such as
    /// an unknown format).
    pub fn field(&self) -> Option<Field> {
        match self {
            MrzError::InvalidCharacter { field, .. }
            | MrzError::CheckDigit { field, .. }
            | MrzError::InvalidDate { field, .. }
            | MrzError::InvalidValue { field, .. } => Some(*field),
            MrzError::InvalidSex { .. } => Some(Field::Sex),
            _ => None,
        }
    }
}
