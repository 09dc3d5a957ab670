//! The holder's MitID choices: authenticator, contact details, terms.
//!
//! Contact validation is pragmatic, not a full RFC 5322 / E.164 implementation; the rules are:
//!
//! **E-mail** ([`Email::parse`]): surrounding white space is trimmed; exactly one `@`; at most 254
//! characters in all; the local part is 1–64 characters of letters, digits (any script) and
//! ``!#$%&'*+/=?^_`{|}~-``, with dots only between other characters (no quoted local parts); the
//! domain has at least two dot-separated labels of 1–63 letters, digits (any script) or hyphens, no
//! label starts or ends with a hyphen, and the last label is not all digits (no bare IP addresses).
//! The domain is stored in lower case.
//!
//! **Phone** ([`Phone::parse`]): spaces, dots, hyphens and parentheses are ignored; a leading `+`
//! or `00` introduces an international number of 8–15 digits in all (E.164) whose country code
//! does not start with 0; without it, exactly 8 digits are a Danish number and become `+45…`.
//! Danish numbers (`+45`) must have exactly 8 digits after the country code. Stored as E.164
//! (`+4512345678`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the holder will approve MitID logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Authenticator {
    /// The MitID app on the holder's phone.
    App,
    /// A MitID code display (a small device showing one-time codes).
    CodeDisplay,
    /// A MitID audio code reader (for blind and partially sighted holders).
    AudioCodeReader,
}

impl Authenticator {
    /// Every authenticator, in the order offered.
    pub const ALL: [Self; 3] = [Self::App, Self::CodeDisplay, Self::AudioCodeReader];

    /// The name used on the command line and in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::CodeDisplay => "code-display",
            Self::AudioCodeReader => "audio-code-reader",
        }
    }
}

impl fmt::Display for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Authenticator {
    type Err = ContactError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| ContactError::UnknownAuthenticator(s.to_owned()))
    }
}

/// A contact detail or choice that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContactError {
    /// Not one of `app`, `code-display`, `audio-code-reader`.
    #[error("unknown authenticator {0:?}; choose app, code-display or audio-code-reader")]
    UnknownAuthenticator(String),
    /// The e-mail address breaks a rule.
    #[error("the e-mail address {address:?} {problem}")]
    Email {
        /// The address as given.
        address: String,
        /// Which rule it breaks.
        problem: &'static str,
    },
    /// The phone number breaks a rule.
    #[error("the phone number {number:?} {problem}")]
    Phone {
        /// The number as given.
        number: String,
        /// Which rule it breaks.
        problem: &'static str,
    },
}

/// A validated e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates an address by the rules in the module documentation.
    ///
    /// # Errors
    /// [`ContactError::Email`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let err = |problem| ContactError::Email {
            address: input.to_owned(),
            problem,
        };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("is empty"));
        }
        if s.chars().count() > 254 {
            return Err(err("is longer than 254 characters"));
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err("must contain exactly one @"));
        };
        if local.is_empty() {
            return Err(err("has nothing before the @"));
        }
        if local.chars().count() > 64 {
            return Err(err("has more than 64 characters before the @"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(err("has a misplaced dot before the @"));
        }
        if !local
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || "!#$%&'*+/=?^_`{|}~-".contains(c))
        {
            return Err(err("has a character that is not allowed before the @"));
        }
        if domain.is_empty() {
            return Err(err("has nothing after the @"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(err("needs a domain with a dot, such as example.dk"));
        }
        for label in &labels {
            if label.is_empty() || label.chars().count() > 63 {
                return Err(err("has an empty or over-long part in its domain"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(err("has a domain part that starts or ends with a hyphen"));
            }
            if !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
                return Err(err("has a character that is not allowed in its domain"));
            }
        }
        if labels
            .last()
            .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(err("must name a domain, not an IP address"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated phone number in E.164 form (`+4512345678`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Validates and normalises a number by the rules in the module documentation.
    ///
    /// # Errors
    /// [`ContactError::Phone`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let err = |problem| ContactError::Phone {
            number: input.to_owned(),
            problem,
        };
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        if s.is_empty() {
            return Err(err("is empty"));
        }
        let (international, digits) = if let Some(rest) = s.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = s.strip_prefix("00") {
            (true, rest)
        } else {
            (false, s.as_str())
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(err(
                "may contain only digits, spaces, dashes, dots, brackets and a leading +",
            ));
        }
        if !international {
            if digits.len() != 8 {
                return Err(err(
                    "must be 8 digits (a Danish number) or start with + and the country code",
                ));
            }
            return Ok(Self(format!("+45{digits}")));
        }
        if digits.starts_with('0') {
            return Err(err("has a country code that starts with 0"));
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(err("must have 8 to 15 digits including the country code"));
        }
        if let Some(national) = digits.strip_prefix("45")
            && national.len() != 8
        {
            return Err(err("must have exactly 8 digits after +45"));
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authenticator_names() {
        for a in Authenticator::ALL {
            assert_eq!(a.as_str().parse::<Authenticator>(), Ok(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        assert_eq!(
            "sms".parse::<Authenticator>(),
            Err(ContactError::UnknownAuthenticator("sms".into()))
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Anna.E+mitid@Example.DK ").unwrap().as_str(),
            "Anna.E+mitid@example.dk"
        );
        assert_eq!(
            Email::parse("søren@æble.dk").unwrap().as_str(),
            "søren@æble.dk"
        );
        for (bad, problem) in [
            ("", "is empty"),
            ("anna", "must contain exactly one @"),
            ("a@b@c.dk", "must contain exactly one @"),
            ("@example.dk", "has nothing before the @"),
            ("anna@", "has nothing after the @"),
            (
                "anna@localhost",
                "needs a domain with a dot, such as example.dk",
            ),
            (".anna@example.dk", "has a misplaced dot before the @"),
            ("an..na@example.dk", "has a misplaced dot before the @"),
            (
                "an na@example.dk",
                "has a character that is not allowed before the @",
            ),
            (
                "anna@exa_mple.dk",
                "has a character that is not allowed in its domain",
            ),
            (
                "anna@-example.dk",
                "has a domain part that starts or ends with a hyphen",
            ),
            (
                "anna@example..dk",
                "has an empty or over-long part in its domain",
            ),
            ("anna@10.0.0.1", "must name a domain, not an IP address"),
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(ContactError::Email {
                    address: bad.into(),
                    problem
                }),
                "{bad:?}"
            );
        }
        let long = format!("{}@example.dk", "a".repeat(65));
        assert_eq!(
            Email::parse(&long).unwrap_err().to_string(),
            format!("the e-mail address {long:?} has more than 64 characters before the @")
        );
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("12 34 56 78").unwrap().as_str(), "+4512345678");
        assert_eq!(
            Phone::parse("+45 12-34-56-78").unwrap().as_str(),
            "+4512345678"
        );
        assert_eq!(
            Phone::parse("0045 12345678").unwrap().as_str(),
            "+4512345678"
        );
        assert_eq!(
            Phone::parse("+46 (70) 123 45 67").unwrap().as_str(),
            "+46701234567"
        );
        for (bad, problem) in [
            ("", "is empty"),
            (
                "1234567",
                "must be 8 digits (a Danish number) or start with + and the country code",
            ),
            ("+45 1234567", "must have exactly 8 digits after +45"),
            (
                "+1 234",
                "must have 8 to 15 digits including the country code",
            ),
            ("+0123456789", "has a country code that starts with 0"),
            (
                "12a45678",
                "may contain only digits, spaces, dashes, dots, brackets and a leading +",
            ),
            (
                "+1234567890123456",
                "must have 8 to 15 digits including the country code",
            ),
        ] {
            assert_eq!(
                Phone::parse(bad),
                Err(ContactError::Phone {
                    number: bad.into(),
                    problem
                }),
                "{bad:?}"
            );
        }
    }
}
