//! The MitID user ID: the published rules, our advice-level warnings, and the deployment's
//! "already taken" hook.
//!
//! MitID's rules for a user ID (as MitID publishes them for the "passport and app" route):
//!
//! * 5 to 48 characters (counted as characters, so `æ`, `ø` and `å` count once);
//! * only `abcdefghijklmnopqrstuvwxyzæøå0123456789{}!#$ ^,*()_+-=:;?.@` and the space; case does
//!   not matter, so `A`–`Z`, `Æ`, `Ø` and `Å` are allowed too (and nothing else: a character that
//!   merely *lowercases* to an allowed one, such as the Kelvin sign `K` (U+212A), is refused);
//! * not identical to a CPR number and not made of 10 digits, with or without a dash after the
//!   sixth;
//! * no space at the beginning or the end.
//!
//! [`check_user_id`] reports *every* rule an ID breaks, each with an explanation, so a person can fix
//! them all at once. On top of the rules, [`UserIdWarning`]s advise against IDs that contain the
//! holder's document number, birth date or name: allowed, but easy to guess.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The shortest user ID MitID accepts, in characters.
pub const MIN_LEN: usize = 5;
/// The longest user ID MitID accepts, in characters.
pub const MAX_LEN: usize = 48;
/// The characters MitID allows (lower case; the upper-case forms of the letters are allowed too).
pub const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzæøå0123456789{}!#$ ^,*()_+-=:;?.@";

/// One MitID rule that a proposed user ID breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UserIdViolation {
    /// Fewer than [`MIN_LEN`] characters.
    TooShort {
        /// The ID's length in characters.
        length: usize,
    },
    /// More than [`MAX_LEN`] characters.
    TooLong {
        /// The ID's length in characters.
        length: usize,
    },
    /// Characters outside the allowed set.
    ForbiddenCharacters {
        /// Each forbidden character (once, in order of first appearance) with its first position
        /// (1-based, in characters).
        characters: Vec<ForbiddenChar>,
    },
    /// Starts with a space.
    LeadingSpace,
    /// Ends with a space.
    TrailingSpace,
    /// Is a CPR number: ten digits (optionally `DDMMYY-SSSS`) whose first six are a valid date.
    CprNumber,
    /// Is made of ten digits (optionally with a dash after the sixth), which MitID refuses even when
    /// they are not a valid CPR number.
    TenDigits,
}

/// A character that MitID does not allow in a user ID, and where it first appears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForbiddenChar {
    /// The character.
    pub character: char,
    /// Its first position in the ID, 1-based, in characters.
    pub position: usize,
}

impl fmt::Display for UserIdViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { length } => write!(
                f,
                "is {length} character{} long; a MitID user ID needs at least {MIN_LEN}",
                plural(*length)
            ),
            Self::TooLong { length } => write!(
                f,
                "is {length} characters long; a MitID user ID may have at most {MAX_LEN}"
            ),
            Self::ForbiddenCharacters { characters } => {
                write!(f, "contains characters MitID does not allow: ")?;
                for (i, c) in characters.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(
                        f,
                        "{} at position {}",
                        describe_char(c.character),
                        c.position
                    )?;
                }
                write!(
                    f,
                    " (allowed: letters a-z and æ ø å in either case, digits 0-9, space and {{}}!#$^,*()_+-=:;?.@)"
                )
            }
            Self::LeadingSpace => write!(f, "starts with a space; remove it"),
            Self::TrailingSpace => write!(f, "ends with a space; remove it"),
            Self::CprNumber => write!(
                f,
                "is a CPR number; MitID never accepts a CPR number as user ID"
            ),
            Self::TenDigits => write!(
                f,
                "is made of 10 digits; MitID refuses 10 digits (with or without a dash after the sixth) because they could be a CPR number"
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}' (U+{:04X})", u32::from(c))
    }
}

/// Advice: the ID is allowed, but easy to guess for someone who has seen the passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UserIdWarning {
    /// Contains the document number.
    ContainsDocumentNumber,
    /// Contains the birth date (in one of the usual forms: `YYMMDD`, `DDMMYY`, `YYYYMMDD`,
    /// `DDMMYYYY`, or the birth year).
    ContainsBirthDate,
    /// Contains (a part of) the holder's name of at least three letters.
    ContainsName,
}

impl fmt::Display for UserIdWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ContainsDocumentNumber => write!(
                f,
                "contains your document number, which anyone who has seen your passport knows"
            ),
            Self::ContainsBirthDate => {
                write!(f, "contains your birth date, which is easy to find out")
            }
            Self::ContainsName => write!(f, "contains your name, which is easy to guess"),
        }
    }
}

/// What the advice checks compare the ID against: facts from the document (all optional).
#[derive(Debug, Clone, Default)]
pub struct Advice<'a> {
    /// The document number.
    pub document_number: Option<&'a str>,
    /// The birth date as `(year, month, day)`; a component may be unknown.
    pub birth_date: Option<(Option<i32>, Option<u8>, Option<u8>)>,
    /// Name parts (surname, given names), as on the document.
    pub names: Vec<&'a str>,
}

/// A user ID that satisfies every MitID rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// The ID as typed (case preserved).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The user ID was refused: every rule it breaks, in the order the rules are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdRejected {
    /// The violations (never empty).
    pub violations: Vec<UserIdViolation>,
}

impl fmt::Display for UserIdRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the user ID ")?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                write!(f, "; and it ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserIdRejected {}

/// Checks a proposed user ID against MitID's rules; on success also returns the advice warnings.
///
/// # Errors
/// [`UserIdRejected`] with every rule the ID breaks.
pub fn check_user_id(
    candidate: &str,
    advice: &Advice<'_>,
) -> Result<(UserId, Vec<UserIdWarning>), UserIdRejected> {
    let violations = violations(candidate);
    if !violations.is_empty() {
        return Err(UserIdRejected { violations });
    }
    let warnings = warnings(candidate, advice);
    Ok((UserId(candidate.to_owned()), warnings))
}

fn is_allowed(c: char) -> bool {
    ALLOWED.contains(c) || c.is_ascii_uppercase() || matches!(c, 'Æ' | 'Ø' | 'Å')
}

/// Every MitID rule `candidate` breaks (empty when it is a valid user ID).
pub fn violations(candidate: &str) -> Vec<UserIdViolation> {
    let mut out = Vec::new();
    let length = candidate.chars().count();
    if length < MIN_LEN {
        out.push(UserIdViolation::TooShort { length });
    }
    if length > MAX_LEN {
        out.push(UserIdViolation::TooLong { length });
    }
    let mut forbidden: Vec<ForbiddenChar> = Vec::new();
    for (i, c) in candidate.chars().enumerate() {
        if !is_allowed(c) && !forbidden.iter().any(|f| f.character == c) {
            forbidden.push(ForbiddenChar {
                character: c,
                position: i + 1,
            });
        }
    }
    if !forbidden.is_empty() {
        out.push(UserIdViolation::ForbiddenCharacters {
            characters: forbidden,
        });
    }
    if candidate.starts_with(' ') {
        out.push(UserIdViolation::LeadingSpace);
    }
    if candidate.ends_with(' ') && length > 0 {
        out.push(UserIdViolation::TrailingSpace);
    }
    if let Some(digits) = ten_digits(candidate) {
        if is_cpr_date(&digits) {
            out.push(UserIdViolation::CprNumber);
        } else {
            out.push(UserIdViolation::TenDigits);
        }
    }
    out
}

/// `Some(the ten digits)` when `s` is `DDDDDDDDDD` or `DDDDDD-DDDD`.
fn ten_digits(s: &str) -> Option<[u8; 10]> {
    let b = s.as_bytes();
    let digits: Vec<u8> = match b.len() {
        10 => b.to_vec(),
        11 if b[6] == b'-' => b[..6].iter().chain(&b[7..]).copied().collect(),
        _ => return None,
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; 10];
    for (o, d) in out.iter_mut().zip(&digits) {
        *o = d - b'0';
    }
    Some(out)
}

/// Whether the first six digits are a valid `DDMMYY` date (a CPR number's birth date).
fn is_cpr_date(d: &[u8; 10]) -> bool {
    let day = d[0] * 10 + d[1];
    let month = d[2] * 10 + d[3];
    let year = d[4] * 10 + d[5];
    let max_day = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // A two-digit year cannot tell 1900 from 2000; allow 29 February whenever YY % 4 == 0.
        2 if year.is_multiple_of(4) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max_day).contains(&day)
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The advice warnings for an ID (which should already satisfy the rules).
pub fn warnings(candidate: &str, advice: &Advice<'_>) -> Vec<UserIdWarning> {
    let id = fold(candidate);
    let mut out = Vec::new();
    if let Some(no) = advice.document_number {
        let no = fold(no);
        if no.len() >= 4 && id.contains(&no) {
            out.push(UserIdWarning::ContainsDocumentNumber);
        }
    }
    if let Some((year, month, day)) = advice.birth_date
        && birth_date_forms(year, month, day)
            .iter()
            .any(|form| id.contains(form.as_str()))
    {
        out.push(UserIdWarning::ContainsBirthDate);
    }
    let name_hit = advice
        .names
        .iter()
        .flat_map(|n| n.split(|c: char| !c.is_alphabetic()))
        .map(fold)
        .any(|part| part.chars().count() >= 3 && id.contains(&part));
    if name_hit {
        out.push(UserIdWarning::ContainsName);
    }
    out
}

fn birth_date_forms(year: Option<i32>, month: Option<u8>, day: Option<u8>) -> Vec<String> {
    let mut forms = Vec::new();
    if let Some(y) = year {
        forms.push(format!("{y:04}"));
        if let (Some(m), Some(d)) = (month, day) {
            let yy = y.rem_euclid(100);
            forms.push(format!("{yy:02}{m:02}{d:02}"));
            forms.push(format!("{d:02}{m:02}{yy:02}"));
            forms.push(format!("{d:02}{m:02}{y:04}"));
            forms.push(format!("{y:04}{m:02}{d:02}"));
        }
    }
    forms
}

/// Whether a user ID is still free, as the deployment's MitID back end says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Availability {
    /// Nobody has it.
    Available,
    /// Somebody already has it.
    Taken {
        /// Free alternatives the back end proposes (may be empty).
        suggestions: Vec<String>,
    },
    /// No check was made (this build has no back end to ask).
    NotChecked,
}

/// The deployment's "is this user ID already taken?" check. The tool itself cannot know; a
/// deployment plugs its MitID back end in here.
pub trait AvailabilityCheck {
    /// Asks whether `id` is free.
    ///
    /// # Errors
    /// A message saying why the back end could not answer (the enrolment then stops: it never
    /// guesses "available").
    fn check(&self, id: &UserId) -> Result<Availability, String>;
}

/// The check used when no back end is configured: it answers [`Availability::NotChecked`], which
/// the record shows as such.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAvailabilityCheck;

impl AvailabilityCheck for NoAvailabilityCheck {
    fn check(&self, _id: &UserId) -> Result<Availability, String> {
        Ok(Availability::NotChecked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<UserIdViolation> {
        violations(s)
    }

    #[test]
    fn accepts_valid_ids() {
        for ok in [
            "anna5",
            "Anna Eriksson",
            "ÆbleØstÅ",
            "{}!#$ ^,*()_+-=:;?.@x",
            &"a".repeat(48),
            "12345678901",
            "123456-78901",
            "12345-67890",
        ] {
            assert_eq!(v(ok), vec![], "{ok:?}");
        }
    }

    #[test]
    fn length_limits_count_characters() {
        assert_eq!(v("abcd"), vec![UserIdViolation::TooShort { length: 4 }]);
        assert_eq!(v("æøåæ"), vec![UserIdViolation::TooShort { length: 4 }]);
        assert_eq!(v("æøåæø"), vec![]);
        assert_eq!(
            v(&"a".repeat(49)),
            vec![UserIdViolation::TooLong { length: 49 }]
        );
        assert_eq!(v(""), vec![UserIdViolation::TooShort { length: 0 }]);
    }

    #[test]
    fn forbidden_characters_listed_once_with_position() {
        assert_eq!(
            v("anna/b/e&"),
            vec![UserIdViolation::ForbiddenCharacters {
                characters: vec![
                    ForbiddenChar {
                        character: '/',
                        position: 5
                    },
                    ForbiddenChar {
                        character: '&',
                        position: 9
                    },
                ]
            }]
        );
        // Kelvin sign lowercases to 'k' but is not allowed; nor are other letters or tabs.
        for bad in [
            '\u{212A}', 'é', 'ü', '\t', '"', '\'', '%', '~', '<', '>', '[', ']', '|',
        ] {
            let id = format!("abcde{bad}");
            assert_eq!(
                v(&id),
                vec![UserIdViolation::ForbiddenCharacters {
                    characters: vec![ForbiddenChar {
                        character: bad,
                        position: 6
                    }]
                }],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn spaces_at_the_ends() {
        assert_eq!(v(" anna"), vec![UserIdViolation::LeadingSpace]);
        assert_eq!(v("anna "), vec![UserIdViolation::TrailingSpace]);
        assert_eq!(
            v(" ann "),
            vec![
                UserIdViolation::LeadingSpace,
                UserIdViolation::TrailingSpace
            ]
        );
        assert_eq!(v("an na"), vec![]);
    }

    #[test]
    fn cpr_and_ten_digits() {
        assert_eq!(v("0101901234"), vec![UserIdViolation::CprNumber]);
        assert_eq!(v("010190-1234"), vec![UserIdViolation::CprNumber]);
        assert_eq!(v("2902001234"), vec![UserIdViolation::CprNumber]);
        assert_eq!(v("3002001234"), vec![UserIdViolation::TenDigits]);
        assert_eq!(v("9999999999"), vec![UserIdViolation::TenDigits]);
        assert_eq!(v("999999-9999"), vec![UserIdViolation::TenDigits]);
        // Dash elsewhere, or a space: not the CPR pattern.
        assert_eq!(v("01019-01234"), vec![]);
        assert_eq!(v("010190 1234"), vec![]);
    }

    #[test]
    fn every_violation_reported_together() {
        let got = v(" /");
        assert_eq!(
            got,
            vec![
                UserIdViolation::TooShort { length: 2 },
                UserIdViolation::ForbiddenCharacters {
                    characters: vec![ForbiddenChar {
                        character: '/',
                        position: 2
                    }]
                },
                UserIdViolation::LeadingSpace,
            ]
        );
        let msg = UserIdRejected { violations: got }.to_string();
        assert_eq!(
            msg,
            "the user ID is 2 characters long; a MitID user ID needs at least 5; and it contains characters MitID does not allow: '/' (U+002F) at position 2 (allowed: letters a-z and æ ø å in either case, digits 0-9, space and {}!#$^,*()_+-=:;?.@); and it starts with a space; remove it"
        );
    }

    #[test]
    fn warnings_for_guessable_ids() {
        let advice = Advice {
            document_number: Some("L898902C3"),
            birth_date: Some((Some(1974), Some(8), Some(12))),
            names: vec!["ERIKSSON", "ANNA MARIA"],
        };
        let w = |s: &str| check_user_id(s, &advice).map(|(_, w)| w);
        assert_eq!(
            w("l898902c3 fan"),
            Ok(vec![UserIdWarning::ContainsDocumentNumber])
        );
        assert_eq!(w("bob740812"), Ok(vec![UserIdWarning::ContainsBirthDate]));
        assert_eq!(w("bob12081974"), Ok(vec![UserIdWarning::ContainsBirthDate]));
        assert_eq!(w("bob1974x"), Ok(vec![UserIdWarning::ContainsBirthDate]));
        assert_eq!(w("Maria.K"), Ok(vec![UserIdWarning::ContainsName]));
        assert_eq!(
            w("eriksson1974"),
            Ok(vec![
                UserIdWarning::ContainsBirthDate,
                UserIdWarning::ContainsName
            ])
        );
        assert_eq!(w("blue-falcon"), Ok(vec![]));
    }

    #[test]
    fn no_check_means_not_checked() {
        let (id, _) = check_user_id("anna5", &Advice::default()).unwrap();
        assert_eq!(NoAvailabilityCheck.check(&id), Ok(Availability::NotChecked));
    }
}
