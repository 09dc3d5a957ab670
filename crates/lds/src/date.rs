//! Dates in DG11, DG12 and DG16: `YYYYMMDD` as ASCII digits or 4 bytes BCD, with unknown parts
//! (ICAO 9303-10 §4.7.11: "partial dates") written as `00`, `<<` or `??`... kept as `None`.

use crate::LdsError;

/// A possibly partial date, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsDate {
    /// Year, when known.
    pub year: Option<u16>,
    /// Month 1..=12, when known.
    pub month: Option<u8>,
    /// Day 1..=31, when known.
    pub day: Option<u8>,
    /// How it was encoded.
    pub encoding: DateEncoding,
    /// The raw value (for exact re-encoding and display of odd values).
    pub raw: Vec<u8>,
}

/// How a date was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateEncoding {
    /// 8 ASCII characters `YYYYMMDD`.
    Ascii,
    /// 4 bytes BCD `YY YY MM DD`.
    Bcd,
    /// Something else, kept as text (some issuers write free text).
    Text,
}

impl LdsDate {
    /// Decodes a date value. Never fails: unrecognised values are kept as [`DateEncoding::Text`].
    pub fn parse(v: &[u8]) -> LdsDate {
        let text = |raw: &[u8]| LdsDate {
            year: None,
            month: None,
            day: None,
            encoding: DateEncoding::Text,
            raw: raw.to_vec(),
        };
        if v.len() == 8
            && v.iter()
                .all(|c| c.is_ascii_digit() || *c == b'<' || *c == b'?' || *c == b' ')
        {
            let part = |s: &[u8]| -> Option<u16> {
                if s.iter().all(u8::is_ascii_digit) {
                    let n = s.iter().fold(0u16, |a, &c| a * 10 + (c - b'0') as u16);
                    (n != 0).then_some(n)
                } else {
                    None
                }
            };
            let (y, m, d) = (part(&v[..4]), part(&v[4..6]), part(&v[6..8]));
            if m.is_some_and(|m| m > 12) || d.is_some_and(|d| d > 31) {
                return text(v);
            }
            return LdsDate {
                year: y,
                month: m.map(|m| m as u8),
                day: d.map(|d| d as u8),
                encoding: DateEncoding::Ascii,
                raw: v.to_vec(),
            };
        }
        if v.len() == 4 {
            let digit = |b: u8| -> Option<[u8; 2]> {
                let (h, l) = (b >> 4, b & 0x0F);
                (h <= 9 && l <= 9).then_some([h, l])
            };
            if let (Some(a), Some(b), Some(c), Some(d)) =
                (digit(v[0]), digit(v[1]), digit(v[2]), digit(v[3]))
            {
                let y = a[0] as u16 * 1000 + a[1] as u16 * 100 + b[0] as u16 * 10 + b[1] as u16;
                let m = c[0] * 10 + c[1];
                let dd = d[0] * 10 + d[1];
                if m <= 12 && dd <= 31 {
                    return LdsDate {
                        year: (y != 0).then_some(y),
                        month: (m != 0).then_some(m),
                        day: (dd != 0).then_some(dd),
                        encoding: DateEncoding::Bcd,
                        raw: v.to_vec(),
                    };
                }
            }
        }
        text(v)
    }

    /// A full or partial date encoded as ASCII `YYYYMMDD` (unknown parts as `00`).
    pub fn ascii(
        year: Option<u16>,
        month: Option<u8>,
        day: Option<u8>,
    ) -> Result<LdsDate, LdsError> {
        if year.is_some_and(|y| y > 9999)
            || month.is_some_and(|m| m > 12)
            || day.is_some_and(|d| d > 31)
        {
            return Err(LdsError::Encode {
                field: "date",
                reason: "year, month or day out of range".into(),
            });
        }
        let raw = format!(
            "{:04}{:02}{:02}",
            year.unwrap_or(0),
            month.unwrap_or(0),
            day.unwrap_or(0)
        )
        .into_bytes();
        Ok(LdsDate {
            year,
            month,
            day,
            encoding: DateEncoding::Ascii,
            raw,
        })
    }

    /// True when year, month and day are all known.
    pub fn is_complete(&self) -> bool {
        self.year.is_some() && self.month.is_some() && self.day.is_some()
    }

    /// The stored bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.raw.clone()
    }
}

impl std::fmt::Display for LdsDate {
    /// ISO 8601 with `??` for unknown parts (`1974-08-??`); free text as stored.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.encoding == DateEncoding::Text {
            return f.write_str(&crate::obj::text(&self.raw));
        }
        match self.year {
            Some(y) => write!(f, "{y:04}")?,
            None => f.write_str("????")?,
        }
        match self.month {
            Some(m) => write!(f, "-{m:02}")?,
            None => f.write_str("-??")?,
        }
        match self.day {
            Some(d) => write!(f, "-{d:02}"),
            None => f.write_str("-??"),
        }
    }
}

/// A date and time `YYYYMMDDhhmmss` (DG12 personalisation time): ASCII or 7 bytes BCD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdsDateTime {
    /// The date part.
    pub date: LdsDate,
    /// Hour, minute, second when decodable.
    pub time: Option<(u8, u8, u8)>,
    /// The raw value.
    pub raw: Vec<u8>,
}

impl LdsDateTime {
    /// Decodes a date-time value; never fails (odd values keep only `raw`, date as text).
    pub fn parse(v: &[u8]) -> LdsDateTime {
        let (date_part, time_part): (&[u8], Option<[u8; 3]>) = if v.len() == 14
            && v.iter().all(u8::is_ascii_digit)
        {
            let t = |i: usize| (v[i] - b'0') * 10 + (v[i + 1] - b'0');
            (&v[..8], Some([t(8), t(10), t(12)]))
        } else if v.len() == 7 {
            let bcd = |b: u8| ((b >> 4) <= 9 && (b & 0xF) <= 9).then(|| (b >> 4) * 10 + (b & 0xF));
            match (bcd(v[4]), bcd(v[5]), bcd(v[6])) {
                (Some(h), Some(m), Some(s)) => (&v[..4], Some([h, m, s])),
                _ => (v, None),
            }
        } else {
            (v, None)
        };
        let date = LdsDate::parse(date_part);
        let time = time_part
            .filter(|t| t[0] < 24 && t[1] < 60 && t[2] < 61 && date.encoding != DateEncoding::Text)
            .map(|t| (t[0], t[1], t[2]));
        LdsDateTime {
            date: if time.is_some() {
                date
            } else {
                LdsDate::parse(v)
            },
            time,
            raw: v.to_vec(),
        }
    }
}

impl std::fmt::Display for LdsDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time {
            Some((h, m, s)) => write!(f, "{}T{h:02}:{m:02}:{s:02}", self.date),
            None => write!(f, "{}", self.date),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_bcd_partial_and_text() {
        let d = LdsDate::parse(b"19740812");
        assert_eq!((d.year, d.month, d.day), (Some(1974), Some(8), Some(12)));
        assert_eq!(d.to_string(), "1974-08-12");
        let d = LdsDate::parse(b"19740000");
        assert_eq!((d.year, d.month, d.day), (Some(1974), None, None));
        assert_eq!(d.to_string(), "1974-??-??");
        let d = LdsDate::parse(b"1974<<<<");
        assert_eq!(d.to_string(), "1974-??-??");
        let d = LdsDate::parse(&[0x19, 0x74, 0x08, 0x12]);
        assert_eq!(d.encoding, DateEncoding::Bcd);
        assert_eq!(d.to_string(), "1974-08-12");
        let d = LdsDate::parse(&[0x19, 0x74, 0x00, 0x00]);
        assert_eq!(d.to_string(), "1974-??-??");
        let d = LdsDate::parse(b"about 1974");
        assert_eq!(d.encoding, DateEncoding::Text);
        assert_eq!(d.to_string(), "about 1974");
        assert_eq!(LdsDate::parse(b"19741312").encoding, DateEncoding::Text);
        assert_eq!(
            LdsDate::ascii(Some(1974), Some(8), None).unwrap().raw,
            b"19740800"
        );
        assert!(LdsDate::ascii(Some(1974), Some(13), None).is_err());
    }

    #[test]
    fn date_times() {
        let t = LdsDateTime::parse(b"20161115013612");
        assert_eq!(t.to_string(), "2016-11-15T01:36:12");
        let t = LdsDateTime::parse(&[0x20, 0x16, 0x11, 0x15, 0x01, 0x36, 0x12]);
        assert_eq!(t.to_string(), "2016-11-15T01:36:12");
        let t = LdsDateTime::parse(b"2016");
        assert_eq!(t.time, None);
        assert_eq!(t.to_string(), "2016");
    }
}
