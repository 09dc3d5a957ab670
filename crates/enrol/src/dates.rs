//! Dates as passports state them: six MRZ digits (`YYMMDD`), possibly with unknown parts (`<`),
//! resolved to a full year, and the holder's age from them.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// A calendar date whose month or day may be unknown (ICAO 9303-3: unknown parts are `<` in the
/// MRZ; many issuers print `XX` in the visual zone). Serialised in ISO 8601 reduced precision:
/// `1974-08-12`, `1974-08`, or `1974`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    /// The year (four digits).
    pub year: i32,
    /// The month 1–12, if known.
    pub month: Option<u8>,
    /// The day of the month, if known (only when the month is known).
    pub day: Option<u8>,
}

/// A date that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not six characters of digits or `<`.
    #[error("{0:?} is not an MRZ date (six characters YYMMDD, digits or '<')")]
    Format(String),
    /// The year is unknown (`<<` in the year position).
    #[error("{0:?} has no year")]
    NoYear(String),
    /// The month or day is out of range for the year.
    #[error("{0:?} is not a calendar date")]
    NotADate(String),
}

fn two(s: &[u8]) -> Option<u8> {
    match s {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

fn split(yymmdd: &str) -> Result<(u8, Option<u8>, Option<u8>), DateError> {
    let b = yymmdd.as_bytes();
    if b.len() != 6 || !b.iter().all(|c| c.is_ascii_digit() || *c == b'<') {
        return Err(DateError::Format(yymmdd.to_owned()));
    }
    let yy = two(&b[0..2]).ok_or_else(|| DateError::NoYear(yymmdd.to_owned()))?;
    let mm = two(&b[2..4]);
    let dd = if mm.is_some() { two(&b[4..6]) } else { None };
    Ok((yy, mm, dd))
}

impl PartialDate {
    /// A checked date.
    ///
    /// # Errors
    /// [`DateError::NotADate`] when the month or day is out of range.
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Result<Self, DateError> {
        let d = Self { year, month, day };
        let bad = || DateError::NotADate(d.to_string());
        if let Some(m) = month {
            let month = Month::try_from(m).map_err(|_| bad())?;
            if let Some(day) = day {
                Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
            }
        } else if day.is_some() {
            return Err(bad());
        }
        Ok(d)
    }

    /// A birth date from the MRZ: the century is the one that puts the date in the past (or today)
    /// relative to `today` (ICAO leaves the century implicit; a 2-digit year is at most 100 years
    /// ambiguous and a holder is younger than 100 far more often than not).
    ///
    /// # Errors
    /// [`DateError`] for malformed or impossible dates.
    pub fn birth_from_mrz(yymmdd: &str, today: Date) -> Result<Self, DateError> {
        let (yy, mm, dd) = split(yymmdd)?;
        let century = today.year() - today.year().rem_euclid(100);
        let candidate = Self::new(century + i32::from(yy), mm, dd)
            .map_err(|_| DateError::NotADate(yymmdd.to_owned()))?;
        if candidate.earliest() > today {
            Self::new(century - 100 + i32::from(yy), mm, dd)
                .map_err(|_| DateError::NotADate(yymmdd.to_owned()))
        } else {
            Ok(candidate)
        }
    }

    /// An expiry date from the MRZ: 20YY (travel documents expire within this century).
    ///
    /// # Errors
    /// [`DateError`] for malformed or impossible dates.
    pub fn expiry_from_mrz(yymmdd: &str) -> Result<Self, DateError> {
        let (yy, mm, dd) = split(yymmdd)?;
        Self::new(2000 + i32::from(yy), mm, dd).map_err(|_| DateError::NotADate(yymmdd.to_owned()))
    }

    /// The earliest day this date can be.
    pub fn earliest(&self) -> Date {
        let month = self
            .month
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::January);
        let day = self.day.unwrap_or(1);
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MIN)
    }

    /// The latest day this date can be.
    pub fn latest(&self) -> Date {
        let month = self
            .month
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::December);
        let day = self
            .day
            .unwrap_or_else(|| time::util::days_in_month(month, self.year));
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MAX)
    }

    /// Whether month and day are both known.
    pub fn is_complete(&self) -> bool {
        self.month.is_some() && self.day.is_some()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError::Format(s.to_owned());
        let mut parts = s.split('-');
        let year: i32 = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())
            .ok_or_else(bad)?;
        let mut next = || -> Result<Option<u8>, DateError> {
            match parts.next() {
                None => Ok(None),
                Some(p) if p.len() == 2 => p.parse().map(Some).map_err(|_| bad()),
                Some(_) => Err(bad()),
            }
        };
        let month = next()?;
        let day = next()?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Self::new(year, month, day)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Completed years between `birth` and `on` (negative if `on` is before `birth`).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn birth_century_is_the_past_one() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(
            PartialDate::birth_from_mrz("740812", today)
                .unwrap()
                .to_string(),
            "1974-08-12"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("100101", today)
                .unwrap()
                .to_string(),
            "2010-01-01"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("261121", today)
                .unwrap()
                .to_string(),
            "2026-11-21"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("261122", today)
                .unwrap()
                .to_string(),
            "1926-11-22"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("74<<<<", today)
                .unwrap()
                .to_string(),
            "1974"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("7408<<", today)
                .unwrap()
                .to_string(),
            "1974-08"
        );
        assert_eq!(
            PartialDate::birth_from_mrz("<<0812", today),
            Err(DateError::NoYear("<<0812".into()))
        );
        assert_eq!(
            PartialDate::birth_from_mrz("741312", today),
            Err(DateError::NotADate("741312".into()))
        );
        assert_eq!(
            PartialDate::birth_from_mrz("74081", today),
            Err(DateError::Format("74081".into()))
        );
    }

    #[test]
    fn expiry_and_ranges() {
        let d = PartialDate::expiry_from_mrz("120415").unwrap();
        assert_eq!(d.to_string(), "2012-04-15");
        let partial = PartialDate::new(2000, Some(2), None).unwrap();
        assert_eq!(partial.earliest(), date!(2000 - 02 - 01));
        assert_eq!(partial.latest(), date!(2000 - 02 - 29));
        let year = PartialDate::new(2001, None, None).unwrap();
        assert_eq!(year.latest(), date!(2001 - 12 - 31));
        assert_eq!(
            "1974-08".parse::<PartialDate>().unwrap(),
            PartialDate::new(1974, Some(8), None).unwrap()
        );
        assert!("1974-8".parse::<PartialDate>().is_err());
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(date!(2013 - 11 - 21), date!(2026 - 11 - 21)), 13);
        assert_eq!(age_on(date!(2013 - 11 - 22), date!(2026 - 11 - 21)), 12);
        assert_eq!(age_on(date!(2012 - 02 - 29), date!(2025 - 02 - 28)), 12);
        assert_eq!(age_on(date!(2012 - 02 - 29), date!(2025 - 03 - 01)), 13);
    }
}
