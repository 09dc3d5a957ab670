//! The typed view of an MRZ: format, fields, dates, names, and what parsing noticed.

use crate::Field;
use std::fmt;

/// The five MRZ layouts of ICAO Doc 9303 Parts 4–7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ID-1 size card: 3 lines of 30 characters (ICAO 9303-5).
    Td1,
    /// ID-2 size card or document: 2 lines of 36 characters (ICAO 9303-6).
    Td2,
    /// Passport booklet: 2 lines of 44 characters (ICAO 9303-4).
    Td3,
    /// Full-size visa: 2 lines of 44 characters, document code `V` (ICAO 9303-7).
    MrvA,
    /// Small visa: 2 lines of 36 characters, document code `V` (ICAO 9303-7).
    MrvB,
}

impl Format {
    /// Every format, in the order of Doc 9303's Parts 4 (TD3), 5 (TD1), 6 (TD2) and 7 (visas).
    pub const ALL: [Format; 5] = [
        Format::Td3,
        Format::Td1,
        Format::Td2,
        Format::MrvA,
        Format::MrvB,
    ];

    /// The number of lines.
    pub fn line_count(self) -> usize {
        match self {
            Format::Td1 => 3,
            _ => 2,
        }
    }

    /// The number of characters per line.
    pub fn line_length(self) -> usize {
        match self {
            Format::Td1 => 30,
            Format::Td2 | Format::MrvB => 36,
            Format::Td3 | Format::MrvA => 44,
        }
    }

    /// The machine name used in JSON: `TD1`, `TD2`, `TD3`, `MRVA`, `MRVB`.
    pub fn code(self) -> &'static str {
        match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRVA",
            Format::MrvB => "MRVB",
        }
    }

    /// Whether the format is a machine readable visa.
    pub fn is_visa(self) -> bool {
        matches!(self, Format::MrvA | Format::MrvB)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRV-A",
            Format::MrvB => "MRV-B",
        })
    }
}

/// A calendar date, used as "today" when resolving two-digit years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Full year, e.g. 2026.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// Today's date (UTC) from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The civil date `days` days after 1970-01-01 (H. Hinnant's algorithm).
    pub(crate) fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: year.clamp(0, i64::from(u16::MAX)) as u16,
            month,
            day,
        }
    }
}

/// A date from the MRZ: full year resolved from the two printed digits, with unknown parts
/// (printed `<<`) kept as `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MrzDate {
    /// Full year (two-digit year resolved), `None` when printed `<<`.
    pub year: Option<u16>,
    /// Month 1–12, `None` when printed `<<`.
    pub month: Option<u8>,
    /// Day 1–31, `None` when printed `<<`.
    pub day: Option<u8>,
}

impl MrzDate {
    /// The six MRZ characters `YYMMDD`, with `<<` for unknown parts.
    pub fn yymmdd(&self) -> String {
        let part = |v: Option<u16>| match v {
            Some(v) => format!("{:02}", v % 100),
            None => "<<".to_owned(),
        };
        format!(
            "{}{}{}",
            part(self.year),
            part(self.month.map(u16::from)),
            part(self.day.map(u16::from))
        )
    }

    /// Whether every part is known.
    pub fn is_complete(&self) -> bool {
        self.year.is_some() && self.month.is_some() && self.day.is_some()
    }
}

/// `YYYY-MM-DD`, with `XXXX` / `XX` for unknown parts.
impl fmt::Display for MrzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(y) => write!(f, "{y:04}")?,
            None => f.write_str("XXXX")?,
        }
        for part in [self.month, self.day] {
            match part {
                Some(v) => write!(f, "-{v:02}")?,
                None => f.write_str("-XX")?,
            }
        }
        Ok(())
    }
}

/// Sex as printed (ICAO 9303-3 §4.2.2 and Parts 4–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `X`: unspecified.
    Unspecified,
    /// `<`: not given.
    NotGiven,
}

impl Sex {
    /// The MRZ character.
    pub fn as_char(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => 'X',
            Sex::NotGiven => '<',
        }
    }

    /// From the MRZ character.
    pub fn from_char(c: char) -> Option<Sex> {
        match c {
            'M' => Some(Sex::Male),
            'F' => Some(Sex::Female),
            'X' => Some(Sex::Unspecified),
            '<' => Some(Sex::NotGiven),
            _ => None,
        }
    }
}

/// The name field: primary identifier (surname) and secondary identifier (given names), with
/// fillers turned into single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Name {
    /// Primary identifier(s), e.g. `ERIKSSON`.
    pub primary: String,
    /// Secondary identifier(s), e.g. `ANNA MARIA`; empty when there are none.
    pub secondary: String,
    /// The field is full to its last position, so the name may have been truncated
    /// (ICAO 9303-3 §4.6.1).
    pub truncated: bool,
}

/// The typed fields of an MRZ. Text fields have their trailing fillers removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fields {
    /// Document code, one or two letters (`P`, `I`, `ID`, `V`, `AC` ...).
    pub document_code: String,
    /// Issuing State or organisation, e.g. `UTO`, `D`.
    pub issuing_state: String,
    /// Primary and secondary identifiers.
    pub name: Name,
    /// Document number, in full (TD1/TD2 numbers continued in the optional data included).
    pub document_number: String,
    /// Nationality, e.g. `UTO`.
    pub nationality: String,
    /// Date of birth (two-digit year resolved so that it is not in the future).
    pub date_of_birth: MrzDate,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry (two-digit year resolved within [today − 50 years, today + 50 years)).
    pub date_of_expiry: MrzDate,
    /// Optional data: TD3 personal number; TD1 upper line (after any document-number
    /// continuation); TD2, MRV-A, MRV-B lower line.
    pub optional_data: String,
    /// TD1's second optional data element (middle line); empty for other formats.
    pub optional_data_2: String,
}

/// How a long TD1/TD2 document number's check digit was computed, i.e. whether the `<` at the
/// regular check-digit position was included (issuers differ; ICAO 9303-5 note j / 9303-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FillerConvention {
    /// Over the full number without the `<` (ICAO's specimens do this).
    FillerExcluded,
    /// Over the first nine characters, the `<`, and the continuation.
    FillerIncluded,
    /// Both computations give the same digit, so the convention cannot be told.
    Either,
}

/// Something parsing noticed that is not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// A country code not in the ICAO 9303-3 list (ISO 3166-1 alpha-3 plus ICAO's own codes).
    UnknownCountry {
        /// `issuing_state` or `nationality`.
        field: Field,
        /// The code as printed, fillers removed.
        code: String,
    },
    /// The name fills the whole field, so it may be truncated.
    NameMayBeTruncated,
    /// A long document number continues in the optional data; which check-digit convention held.
    LongDocumentNumber(FillerConvention),
    /// OCR repair found several equally valid corrections for a field and made none.
    RepairAmbiguous {
        /// The field.
        field: Field,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnknownCountry { field, code } => {
                write!(f, "{field}: {code:?} is not an ICAO 9303-3 country code")
            }
            Warning::NameMayBeTruncated => {
                f.write_str("name: the name fills the field and may be truncated")
            }
            Warning::LongDocumentNumber(c) => write!(
                f,
                "document_number: continues in the optional data; check digit {}",
                match c {
                    FillerConvention::FillerExcluded => "computed without the '<' filler",
                    FillerConvention::FillerIncluded => "computed with the '<' filler",
                    FillerConvention::Either => "the same with or without the '<' filler",
                }
            ),
            Warning::RepairAmbiguous { field } => {
                write!(
                    f,
                    "{field}: several OCR corrections fit the check digit; none applied"
                )
            }
        }
    }
}

/// A change made to the input before parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Normalisation {
    /// CR LF or CR line endings were read as line breaks.
    LineEndings,
    /// A byte order mark at the start was dropped.
    ByteOrderMark,
    /// Blank lines were dropped.
    BlankLines {
        /// How many.
        count: usize,
    },
    /// Spaces or tabs were removed from a line.
    Whitespace {
        /// The line (1-based, counting non-blank lines).
        line: usize,
        /// How many characters were removed.
        count: usize,
    },
    /// Lowercase letters were upper-cased.
    Lowercase {
        /// The line (1-based).
        line: usize,
        /// How many letters.
        count: usize,
    },
    /// A single line of 90, 72 or 88 characters was split into the format's lines.
    SplitSingleLine {
        /// Its length.
        length: usize,
    },
}

impl fmt::Display for Normalisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Normalisation::LineEndings => {
                f.write_str("CR LF / CR line endings read as line breaks")
            }
            Normalisation::ByteOrderMark => f.write_str("byte order mark removed"),
            Normalisation::BlankLines { count } => write!(f, "{count} blank line(s) removed"),
            Normalisation::Whitespace { line, count } => {
                write!(f, "line {line}: {count} space(s)/tab(s) removed")
            }
            Normalisation::Lowercase { line, count } => {
                write!(f, "line {line}: {count} lowercase letter(s) upper-cased")
            }
            Normalisation::SplitSingleLine { length } => {
                write!(
                    f,
                    "a single line of {length} characters split into MRZ lines"
                )
            }
        }
    }
}

/// A character changed by OCR-confusion repair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repair {
    /// The field.
    pub field: Field,
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based).
    pub column: usize,
    /// The character read.
    pub from: char,
    /// The character it was taken to be.
    pub to: char,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line {}, column {}: {:?} read as {:?}",
            self.field, self.line, self.column, self.from, self.to
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(
            Date::from_days_since_epoch(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016),
            Date {
                year: 2000,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            Date::from_days_since_epoch(20_778),
            Date {
                year: 2026,
                month: 11,
                day: 21
            }
        );
    }

    #[test]
    fn partial_date_display() {
        let d = MrzDate {
            year: Some(1974),
            month: None,
            day: None,
        };
        assert_eq!(d.to_string(), "1974-XX-XX");
        assert_eq!(d.yymmdd(), "74<<<<");
    }
}
