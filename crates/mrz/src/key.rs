//! The MRZ-derived access key material for BAC and PACE (ICAO 9303-11 §9.7.1).

use crate::check::check_digit;
use crate::{Field, MrzError};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The MRZ information that BAC and PACE derive their keys from: a secret, zeroized on drop,
/// printed as `REDACTED`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MrzKey {
    info: Vec<u8>,
}

impl MrzKey {
    /// Builds the key material from the document number and the two dates as printed in the MRZ
    /// (`YYMMDD`, `<` for unknown parts). Lowercase is accepted and upper-cased; filler `<` at the
    /// end of the document number is ignored and re-added as padding.
    ///
    /// Document numbers longer than nine characters (TD1/TD2 numbers continued in the optional
    /// data) are used in full, followed by the check digit over the full number, as in ICAO
    /// 9303-11 Appendix D.2 (`D23145890734` → `D231458907349…`).
    ///
    /// # Errors
    /// [`MrzError::InvalidValue`] naming the field when the document number is empty or holds
    /// characters outside `A-Z0-9<`, or a date is not six characters of `0-9<`.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<MrzKey, MrzError> {
        let mut number: String = document_number.trim().to_ascii_uppercase();
        while number.ends_with('<') {
            number.pop();
        }
        if number.is_empty() {
            return Err(MrzError::InvalidValue {
                field: Field::DocumentNumber,
                reason: "the document number is empty".into(),
            });
        }
        if let Some(c) = number
            .chars()
            .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
        {
            let reason = format!("{c:?} is not A-Z, 0-9 or <");
            number.zeroize();
            return Err(MrzError::InvalidValue {
                field: Field::DocumentNumber,
                reason,
            });
        }
        while number.len() < 9 {
            number.push('<');
        }
        let dob = key_date(Field::DateOfBirth, date_of_birth)?;
        let doe = key_date(Field::DateOfExpiry, date_of_expiry)?;
        let mut info = Vec::with_capacity(number.len() + 15);
        for part in [&number, &dob, &doe] {
            info.extend_from_slice(part.as_bytes());
            info.push(check_digit(part)? as u8);
        }
        number.zeroize();
        Ok(MrzKey { info })
    }

    /// ICAO 9303-11 §9.7.1 `MRZ_information`: the document number (padded with `<` to at least
    /// nine characters) and its check digit, the date of birth and its check digit, the date of
    /// expiry and its check digit, as ASCII. `Kseed = SHA-1(MRZ_information)[..16]` is computed by
    /// the chip crate.
    pub fn information(&self) -> &[u8] {
        &self.info
    }
}

fn key_date(field: Field, s: &str) -> Result<String, MrzError> {
    let s = s.trim();
    if s.len() != 6 || !s.chars().all(|c| c.is_ascii_digit() || c == '<') {
        return Err(MrzError::InvalidValue {
            field,
            reason: "expected six characters YYMMDD (digits, or '<' for unknown parts)".into(),
        });
    }
    Ok(s.to_owned())
}

impl fmt::Debug for MrzKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MrzKey(REDACTED)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ICAO 9303-11 Appendix D.2.
    #[test]
    fn appendix_d2_information() {
        let key = MrzKey::new("L898902C<", "690806", "940623").unwrap();
        assert_eq!(key.information(), b"L898902C<369080619406236");
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(key.information(), b"L898902C<369080619406236");
    }

    /// ICAO 9303-11 Appendix D.2, TD1/TD2 with a 12-character document number.
    #[test]
    fn long_document_number() {
        let key = MrzKey::new("D23145890734", "340712", "950712").unwrap();
        assert_eq!(key.information(), b"D23145890734934071279507122");
    }

    #[test]
    fn debug_is_redacted() {
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(format!("{key:?}"), "MrzKey(REDACTED)");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            MrzKey::new("<<<", "690806", "940623"),
            Err(MrzError::InvalidValue {
                field: Field::DocumentNumber,
                reason: "the document number is empty".into()
            })
        );
        assert!(matches!(
            MrzKey::new("L89-8902C", "690806", "940623"),
            Err(MrzError::InvalidValue {
                field: Field::DocumentNumber,
                ..
            })
        ));
        assert!(matches!(
            MrzKey::new("L898902C", "69086", "940623"),
            Err(MrzError::InvalidValue {
                field: Field::DateOfBirth,
                ..
            })
        ));
        assert!(matches!(
            MrzKey::new("L898902C", "690806", "94O623"),
            Err(MrzError::InvalidValue {
                field: Field::DateOfExpiry,
                ..
            })
        ));
    }
}
