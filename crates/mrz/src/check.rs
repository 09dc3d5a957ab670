//! ICAO 9303-3 §4.9: check digits (modulus 10, weights 7-3-1).

use crate::MrzError;

/// The numeric value of an MRZ character for check-digit computation (ICAO 9303-3 §4.9):
/// `0`–`9` are themselves, `A`–`Z` are 10–35, the filler `<` is 0. `None` for anything else.
pub fn char_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        '<' => Some(0),
        _ => None,
    }
}

/// Computes the check digit of `s` (ICAO 9303-3 §4.9): each character's value times the
/// repeating weights 7, 3, 1, summed, modulo 10.
///
/// ```
/// assert_eq!(epassport_mrz::check_digit("520727").unwrap(), '3');
/// assert_eq!(epassport_mrz::check_digit("AB2134<<<").unwrap(), '5');
/// ```
///
/// # Errors
/// [`MrzError::CheckDigitInput`] naming the first character outside `0-9`, `A-Z`, `<`.
pub fn check_digit(s: &str) -> Result<char, MrzError> {
    let mut sum: u32 = 0;
    for (i, c) in s.chars().enumerate() {
        let v = char_value(c).ok_or(MrzError::CheckDigitInput { index: i, found: c })?;
        sum = (sum + v * WEIGHTS[i % 3]) % 10;
    }
    Ok(digit(sum))
}

const WEIGHTS: [u32; 3] = [7, 3, 1];

/// Check digit over a sequence of characters already known to be valid MRZ characters
/// (invalid characters count as 0; callers report them separately).
pub(crate) fn check_digit_lossy<I: IntoIterator<Item = char>>(chars: I) -> char {
    let sum = chars.into_iter().enumerate().fold(0u32, |acc, (i, c)| {
        (acc + char_value(c).unwrap_or(0) * WEIGHTS[i % 3]) % 10
    });
    digit(sum)
}

fn digit(v: u32) -> char {
    char::from_digit(v % 10, 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(char_value('<'), Some(0));
        assert_eq!(char_value('A'), Some(10));
        assert_eq!(char_value('Z'), Some(35));
        assert_eq!(char_value('a'), None);
    }

    #[test]
    fn empty_is_zero() {
        assert_eq!(check_digit("").unwrap(), '0');
    }

    #[test]
    fn rejects_lowercase() {
        assert_eq!(
            check_digit("ab"),
            Err(MrzError::CheckDigitInput {
                index: 0,
                found: 'a'
            })
        );
    }
}
