//! DG1 (ICAO 9303-10 §4.7.1): the MRZ, stored without line breaks in `5F1F` inside `61`.

use crate::LdsError;
use crate::obj;
use epassport_tlv::{Tag, encode};

/// Tag of DG1.
pub const TAG: Tag = Tag(0x61);
const MRZ: Tag = Tag(0x5F1F);

/// The document format, from the MRZ length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MrzFormat {
    /// TD1: 3 lines of 30.
    Td1,
    /// TD2 or MRV-B: 2 lines of 36.
    Td2,
    /// TD3 or MRV-A: 2 lines of 44.
    Td3,
}

impl MrzFormat {
    /// Line length.
    pub fn line_len(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 => 36,
            MrzFormat::Td3 => 44,
        }
    }
}

/// DG1's content: the MRZ as the chip stores it. Personal data: keep it out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg1 {
    /// The MRZ characters, lines concatenated (90, 72 or 88 characters).
    pub mrz: String,
    /// The format its length implies.
    pub format: MrzFormat,
}

impl std::fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dg1 {{ {:?}, mrz: REDACTED }}", self.format)
    }
}

impl Dg1 {
    /// Parses DG1. The MRZ must be 90, 72 or 88 characters of `A-Z 0-9 <`.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "DG1";
        let top = obj::top(bytes, TAG, F)?;
        let kids = top.children(F)?;
        let m = kids
            .iter()
            .find(|k| k.tag == MRZ)
            .ok_or_else(|| top.missing(MRZ, "DG1 MRZ"))?;
        let format = match m.value.len() {
            90 => MrzFormat::Td1,
            72 => MrzFormat::Td2,
            88 => MrzFormat::Td3,
            n => {
                return Err(LdsError::invalid(
                    "DG1 MRZ",
                    m.value_offset,
                    format!("{n} characters, expected 90 (TD1), 72 (TD2) or 88 (TD3)"),
                ));
            }
        };
        if let Some(i) = m
            .value
            .iter()
            .position(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<'))
        {
            return Err(LdsError::invalid(
                "DG1 MRZ",
                m.value_offset + i,
                "character outside A-Z 0-9 <",
            ));
        }
        Ok(Dg1 {
            mrz: m.text(),
            format,
        })
    }

    /// Encodes DG1 from the MRZ lines (with or without line breaks).
    pub fn encode_mrz(mrz: &str) -> Vec<u8> {
        let flat: String = mrz.chars().filter(|c| !c.is_whitespace()).collect();
        encode(TAG, &encode(MRZ, flat.as_bytes()))
    }

    /// Encodes this DG1.
    pub fn encode(&self) -> Vec<u8> {
        Self::encode_mrz(&self.mrz)
    }

    /// The MRZ parsed strictly (check digits, fields) by `epassport-mrz`.
    pub fn mrz(&self) -> Result<epassport_mrz::Mrz, LdsError> {
        epassport_mrz::parse_concatenated(&self.mrz).map_err(LdsError::Mrz)
    }

    /// The MRZ parsed leniently: every failure is listed in `Mrz::errors` instead.
    pub fn mrz_lenient(&self) -> Result<epassport_mrz::Mrz, LdsError> {
        epassport_mrz::parse_concatenated_with(&self.mrz, &epassport_mrz::ParseOptions::lenient())
            .map_err(LdsError::Mrz)
    }

    /// The MRZ split into its printed lines.
    pub fn lines(&self) -> Vec<&str> {
        let n = self.format.line_len();
        (0..self.mrz.len() / n)
            .filter_map(|i| self.mrz.get(i * n..(i + 1) * n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: &str =
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn round_trip_td3() {
        let enc = Dg1::encode_mrz(TD3);
        let d = Dg1::parse(&enc).unwrap();
        assert_eq!(d.format, MrzFormat::Td3);
        assert_eq!(d.lines().len(), 2);
        assert_eq!(d.lines()[0], &TD3[..44]);
        assert_eq!(d.encode(), enc);
        assert!(!format!("{d:?}").contains("ERIKSSON"));
        let m = d.mrz().unwrap();
        assert_eq!(m.fields.document_number, "L898902C3");
        assert_eq!(m.to_concatenated(), TD3);
    }

    #[test]
    fn errors() {
        let enc = Dg1::encode_mrz(&TD3[..80]);
        assert_eq!(
            Dg1::parse(&enc).unwrap_err(),
            LdsError::Invalid {
                field: "DG1 MRZ",
                offset: 5,
                reason: "80 characters, expected 90 (TD1), 72 (TD2) or 88 (TD3)".into()
            }
        );
        let enc = Dg1::encode_mrz(&TD3.replace('E', "e"));
        assert!(matches!(
            Dg1::parse(&enc).unwrap_err(),
            LdsError::Invalid { offset: 10, .. }
        ));
    }
}
