//! ICAO 9303-3/4/5/6/7 machine readable zones: TD1, TD2, TD3, MRV-A, MRV-B, check digits and
//! access keys.
//!
//! ```
//! let mrz = epassport_mrz::parse(
//!     "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
//!      L898902C36UTO7408122F1204159ZE184226B<<<<<10",
//! )
//! .unwrap();
//! assert_eq!(mrz.format, epassport_mrz::Format::Td3);
//! assert_eq!(mrz.fields.name.primary, "ERIKSSON");
//! assert_eq!(mrz.fields.date_of_birth.to_string(), "1974-08-12");
//! let key = mrz.access_key().unwrap();
//! assert_eq!(key.information(), b"L898902C3674081221204159");
//! ```
//!
//! Parsing is total: any input gives an [`Mrz`] or an [`MrzError`] naming the field, line and
//! column; it never panics. [`parse_with`] offers a lenient mode (every failure reported at once
//! in [`Mrz::errors`]) and OCR-confusion repair guided by the check digits.

mod build;
mod check;
mod countries;
mod error;
mod key;
mod normalise;
mod ocr;
mod parse;
#[cfg(feature = "image")]
pub mod scan;
mod types;

pub use build::format_mrz;
pub use check::{char_value, check_digit};
pub use countries::{ICAO_CODES, ISO_3166_ALPHA3, is_known_country};
pub use error::{CharClass, DateProblem, Field, MrzError};
pub use key::MrzKey;
pub use types::{
    Date, Fields, FillerConvention, Format, MrzDate, Name, Normalisation, Repair, Sex, Warning,
};

/// How to parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Report every field failure in [`Mrz::errors`] instead of returning the first as `Err`.
    /// Failures that leave no MRZ to look at (empty input, unknown format, wrong line length)
    /// are still `Err`.
    pub lenient: bool,
    /// Repair OCR confusions (O/0, I/1, B/8, S/5, Z/2, G/6 ...) where the position's character
    /// class or a check digit says which is meant. Off by default; changes are listed in
    /// [`Mrz::repairs`].
    pub repair_ocr: bool,
    /// "Today" for resolving two-digit years; the system clock when `None`.
    pub today: Option<Date>,
}

impl ParseOptions {
    /// Strict parsing, no repair, system clock (the default).
    pub fn strict() -> Self {
        Self::default()
    }

    /// Lenient parsing: every failure is collected in [`Mrz::errors`].
    pub fn lenient() -> Self {
        Self {
            lenient: true,
            ..Self::default()
        }
    }

    /// Turns OCR-confusion repair on or off.
    pub fn with_repair_ocr(mut self, on: bool) -> Self {
        self.repair_ocr = on;
        self
    }

    /// Sets "today" for two-digit year resolution.
    pub fn with_today(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }
}

/// A parsed machine readable zone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mrz {
    /// The layout.
    pub format: Format,
    /// The MRZ lines after normalisation (and repair, if asked for).
    pub lines: Vec<String>,
    /// The typed fields.
    pub fields: Fields,
    /// Every failure found (lenient mode only; strict parsing returns the first as `Err`),
    /// ordered by line and column.
    pub errors: Vec<MrzError>,
    /// Things worth knowing that are not failures (unknown country codes, a name that may be
    /// truncated, which check-digit convention a long document number follows ...).
    pub warnings: Vec<Warning>,
    /// What was changed in the input text before parsing.
    pub normalisations: Vec<Normalisation>,
    /// Characters changed by OCR-confusion repair.
    pub repairs: Vec<Repair>,
}

impl Mrz {
    /// Whether every check passed (always true for a strict parse).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The BAC/PACE key material from the document number and the two dates.
    ///
    /// # Errors
    /// [`MrzError::InvalidValue`] when those fields cannot form a key (e.g. an empty document
    /// number in a lenient parse).
    pub fn access_key(&self) -> Result<MrzKey, MrzError> {
        MrzKey::new(
            &self.fields.document_number,
            &self.fields.date_of_birth.yymmdd(),
            &self.fields.date_of_expiry.yymmdd(),
        )
    }

    /// The MRZ lines (normalised, repaired if asked for).
    pub fn to_lines(&self) -> Vec<String> {
        self.lines.clone()
    }

    /// The lines concatenated without breaks, as in DG1's tag 5F1F.
    pub fn to_concatenated(&self) -> String {
        self.lines.concat()
    }
}

/// Parses MRZ text strictly: lines separated by `\n` or `\r\n`; stray spaces, lowercase, blank
/// lines and CR LF are normalised and reported in [`Mrz::normalisations`]. A single line of 90,
/// 72 or 88 characters is split as in [`parse_concatenated`].
///
/// # Errors
/// The first failure, by line and column, as an [`MrzError`] naming the field.
pub fn parse(text: &str) -> Result<Mrz, MrzError> {
    parse_with(text, &ParseOptions::default())
}

/// Parses MRZ text with options (lenient mode, OCR repair, the date of "today").
///
/// # Errors
/// See [`ParseOptions::lenient`].
pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Mrz, MrzError> {
    parse::parse_text(text, options)
}

/// Parses DG1's MRZ (the content of tag 5F1F): 90 (TD1), 72 (TD2, MRV-B) or 88 (TD3, MRV-A)
/// characters without line breaks. No normalisation is applied.
///
/// # Errors
/// [`MrzError::ConcatenatedLength`] for other lengths, otherwise as [`parse`].
pub fn parse_concatenated(text: &str) -> Result<Mrz, MrzError> {
    parse_concatenated_with(text, &ParseOptions::default())
}

/// [`parse_concatenated`] with options.
///
/// # Errors
/// As [`parse_concatenated`].
pub fn parse_concatenated_with(text: &str, options: &ParseOptions) -> Result<Mrz, MrzError> {
    parse::parse_concat(text, options)
}
