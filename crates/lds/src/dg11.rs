//! DG11, additional personal details (ICAO 9303-10 §4.7.11). Personal data: never log it.

use crate::LdsError;
use crate::date::LdsDate;
use crate::obj::{self, Builder, Fields};
use epassport_tlv::Tag;

/// Tag of DG11.
pub const TAG: Tag = Tag(0x6B);
const KNOWN: [u32; 15] = [
    0x5C, 0x5F0E, 0xA0, 0x5F0F, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F12, 0x5F13, 0x5F14, 0x5F15,
    0x5F16, 0x5F17, 0x5F18,
];

/// DG11's content. Text is as stored (`<` separates name parts and address lines).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Dg11 {
    /// `5F0E` full name, in national characters (`SMITH<<JOHN<J`).
    pub full_name: Option<String>,
    /// `5F0F` other names (in `A0` with a count, or bare).
    pub other_names: Vec<String>,
    /// `5F10` personal number.
    pub personal_number: Option<String>,
    /// `5F2B` full date of birth (ASCII or BCD, possibly partial).
    pub date_of_birth: Option<LdsDate>,
    /// `5F11` place of birth.
    pub place_of_birth: Option<String>,
    /// `5F42` permanent address.
    pub address: Option<String>,
    /// `5F12` telephone.
    pub telephone: Option<String>,
    /// `5F13` profession.
    pub profession: Option<String>,
    /// `5F14` title.
    pub title: Option<String>,
    /// `5F15` personal summary.
    pub personal_summary: Option<String>,
    /// `5F16` proof of citizenship (an image, JPEG or JPEG 2000).
    pub proof_of_citizenship: Option<Vec<u8>>,
    /// `5F17` other valid travel document numbers (`<`-separated).
    pub other_travel_documents: Option<String>,
    /// `5F18` custody information.
    pub custody_information: Option<String>,
    /// The tag list (`5C`) as stored.
    pub tag_list: Vec<Tag>,
    /// Data objects with other tags, kept for exact re-encoding.
    pub other: Vec<(Tag, Vec<u8>)>,
}

impl std::fmt::Debug for Dg11 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dg11 {{ tags {:?}, values REDACTED }}", self.tag_list)
    }
}

impl Dg11 {
    /// Parses DG11.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "DG11";
        let top = obj::top(bytes, TAG, F)?;
        let f = Fields::new(top, F)?;
        let list = f
            .get(Tag(0x5C))
            .ok_or_else(|| top.missing(Tag(0x5C), "DG11 tag list"))?;
        Ok(Dg11 {
            tag_list: obj::tag_list(&list, "DG11 tag list")?,
            full_name: f.text(0x5F0E),
            other_names: f.list(0x5F0F, "DG11 other names")?,
            personal_number: f.text(0x5F10),
            date_of_birth: f.get(Tag(0x5F2B)).map(|o| LdsDate::parse(o.value)),
            place_of_birth: f.text(0x5F11),
            address: f.text(0x5F42),
            telephone: f.text(0x5F12),
            profession: f.text(0x5F13),
            title: f.text(0x5F14),
            personal_summary: f.text(0x5F15),
            proof_of_citizenship: f.bytes(0x5F16),
            other_travel_documents: f.text(0x5F17),
            custody_information: f.text(0x5F18),
            other: f.others(&KNOWN),
        })
    }

    /// Encodes DG11 (the tag list is rebuilt from the fields present).
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Builder::new();
        b.text(0x5F0E, &self.full_name);
        b.list(0x5F0F, &self.other_names);
        b.text(0x5F10, &self.personal_number);
        b.bytes(
            0x5F2B,
            self.date_of_birth.as_ref().map(|d| d.raw.as_slice()),
        );
        b.text(0x5F11, &self.place_of_birth);
        b.text(0x5F42, &self.address);
        b.text(0x5F12, &self.telephone);
        b.text(0x5F13, &self.profession);
        b.text(0x5F14, &self.title);
        b.text(0x5F15, &self.personal_summary);
        b.bytes(0x5F16, self.proof_of_citizenship.as_deref());
        b.text(0x5F17, &self.other_travel_documents);
        b.text(0x5F18, &self.custody_information);
        b.others(&self.other);
        b.finish(TAG)
    }

    /// The other travel document numbers, split.
    pub fn other_travel_document_list(&self) -> Vec<String> {
        self.other_travel_documents
            .as_deref()
            .map(|s| {
                s.split('<')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `SMITH<<JOHN<J` → `SMITH, JOHN J` (`<<` separates primary and secondary identifiers).
pub fn display_name(s: &str) -> String {
    match s.split_once("<<") {
        Some((a, b)) => format!(
            "{}, {}",
            a.replace('<', " ").trim(),
            b.replace('<', " ").trim()
        ),
        None => s.replace('<', " ").trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_field() {
        let d = Dg11 {
            full_name: Some("ERIKSSON<<ANNA<MARIA".into()),
            other_names: vec!["ANNA<MARIA<ERIKSSON".into(), "ÅSA".into()],
            personal_number: Some("123456789".into()),
            date_of_birth: Some(LdsDate::parse(&[0x19, 0x74, 0x08, 0x12])),
            place_of_birth: Some("ZENITH<UTOPIA".into()),
            address: Some("123 MAPLE RD<ANYTOWN".into()),
            telephone: Some("1-555-555-1212".into()),
            profession: Some("TRAVEL<AGENT".into()),
            title: Some("DR".into()),
            personal_summary: Some("BROWN EYES".into()),
            proof_of_citizenship: Some(vec![0xFF, 0xD8, 0xFF]),
            other_travel_documents: Some("A1234<B5678".into()),
            custody_information: Some("NONE".into()),
            tag_list: Vec::new(),
            other: vec![(Tag(0x5F7F), vec![1, 2])],
        };
        let enc = d.encode();
        let mut back = Dg11::parse(&enc).unwrap();
        assert_eq!(back.tag_list.len(), 13);
        assert_eq!(back.tag_list[1], Tag(0xA0));
        back.tag_list.clear();
        assert_eq!(back.other, d.other);
        assert_eq!(back.other_names, d.other_names);
        assert_eq!(back.date_of_birth, d.date_of_birth);
        assert_eq!(back, d);
        assert_eq!(back.other_travel_document_list(), ["A1234", "B5678"]);
        assert_eq!(display_name("SMITH<<JOHN<J"), "SMITH, JOHN J");
        assert!(!format!("{back:?}").contains("ERIKSSON"));
    }

    #[test]
    fn errors() {
        let bad = epassport_tlv::encode(TAG, &epassport_tlv::encode(Tag(0x5F0E), b"X"));
        assert_eq!(
            Dg11::parse(&bad).unwrap_err(),
            LdsError::Missing {
                field: "DG11 tag list",
                tag: Tag(0x5C),
                parent: TAG,
                offset: 0
            }
        );
        // A0 with a count that does not match.
        let mut v = epassport_tlv::encode(Tag(0x5C), &[0xA0]);
        let mut inner = epassport_tlv::encode(Tag(0x02), &[2]);
        inner.extend(epassport_tlv::encode(Tag(0x5F0F), b"A"));
        v.extend(epassport_tlv::encode(Tag(0xA0), &inner));
        assert!(matches!(
            Dg11::parse(&epassport_tlv::encode(TAG, &v)).unwrap_err(),
            LdsError::Invalid {
                field: "DG11 other names",
                offset: 9,
                ..
            }
        ));
    }
}
