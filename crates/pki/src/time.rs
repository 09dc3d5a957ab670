//! ASN.1 UTCTime / GeneralizedTime (RFC 5280 §4.1.2.5) as seconds since the Unix epoch, UTC.

use crate::PkiError;
use crate::ber::Tlv;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Seconds since the epoch of a calendar date and time (UTC).
pub fn unix_time(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * 86400 + (h * 3600 + mi * 60 + s) as i64
}

/// ISO 8601 text (`2025-06-01T00:00:00Z`) of seconds since the epoch.
pub fn format_time(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// The current time from the system clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn digits(s: &[u8], what: &'static str, offset: usize) -> Result<u32, PkiError> {
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return Err(PkiError::Asn1 {
                what,
                reason: "time with a non-digit",
                offset,
            });
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Ok(v)
}

/// Parses a UTCTime (`17`) or GeneralizedTime (`18`) ending in `Z`; seconds may be absent in
/// UTCTime, fractional seconds are ignored.
pub(crate) fn parse_time(t: &Tlv<'_>, what: &'static str) -> Result<i64, PkiError> {
    let c = t.content;
    let bad = |reason| PkiError::Asn1 {
        what,
        reason,
        offset: t.offset,
    };
    let (year, rest) = match t.tag {
        0x17 => {
            let yy = digits(
                c.get(0..2).ok_or_else(|| bad("short time"))?,
                what,
                t.offset,
            )? as i64;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &c[2..])
        }
        0x18 => (
            digits(
                c.get(0..4).ok_or_else(|| bad("short time"))?,
                what,
                t.offset,
            )? as i64,
            &c[4..],
        ),
        _ => return Err(bad("not a time")),
    };
    if rest.last() != Some(&b'Z') {
        return Err(bad("time not in UTC (no Z)"));
    }
    let body = &rest[..rest.len() - 1];
    let body = match body.iter().position(|&b| b == b'.') {
        Some(p) => &body[..p],
        None => body,
    };
    if body.len() != 8 && body.len() != 10 {
        return Err(bad("malformed time"));
    }
    let mo = digits(&body[0..2], what, t.offset)?;
    let d = digits(&body[2..4], what, t.offset)?;
    let h = digits(&body[4..6], what, t.offset)?;
    let mi = digits(&body[6..8], what, t.offset)?;
    let s = if body.len() == 10 {
        digits(&body[8..10], what, t.offset)?
    } else {
        0
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return Err(bad("time field out of range"));
    }
    Ok(unix_time(year, mo, d, h, mi, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = unix_time(2025, 6, 1, 12, 34, 56);
        assert_eq!(format_time(t), "2025-06-01T12:34:56Z");
        assert_eq!(unix_time(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(
            format_time(unix_time(2050, 2, 28, 0, 0, 0)),
            "2050-02-28T00:00:00Z"
        );
    }
}
