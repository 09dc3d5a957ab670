//! DG12, additional document details (ICAO 9303-10 §4.7.12).

use crate::LdsError;
use crate::date::{LdsDate, LdsDateTime};
use crate::obj::{self, Builder, Fields};
use epassport_tlv::Tag;

/// Tag of DG12.
pub const TAG: Tag = Tag(0x6C);
const KNOWN: [u32; 11] = [
    0x5C, 0x5F19, 0x5F26, 0xA0, 0x5F1A, 0x5F1B, 0x5F1C, 0x5F1D, 0x5F1E, 0x5F55, 0x5F56,
];

/// DG12's content.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Dg12 {
    /// `5F19` issuing authority.
    pub issuing_authority: Option<String>,
    /// `5F26` date of issue (ASCII or BCD).
    pub date_of_issue: Option<LdsDate>,
    /// `5F1A` names of other persons (in `A0` with a count, or bare).
    pub other_persons: Vec<String>,
    /// `5F1B` endorsements and observations.
    pub endorsements: Option<String>,
    /// `5F1C` tax/exit requirements.
    pub tax_exit_requirements: Option<String>,
    /// `5F1D` image of the front of the document.
    pub image_front: Option<Vec<u8>>,
    /// `5F1E` image of the rear of the document.
    pub image_rear: Option<Vec<u8>>,
    /// `5F55` date and time of personalisation.
    pub personalisation_time: Option<LdsDateTime>,
    /// `5F56` serial number of the personalisation system.
    pub personalisation_device_serial: Option<String>,
    /// The tag list (`5C`) as stored.
    pub tag_list: Vec<Tag>,
    /// Data objects with other tags, kept for exact re-encoding.
    pub other: Vec<(Tag, Vec<u8>)>,
}

impl std::fmt::Debug for Dg12 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dg12 {{ tags {:?}, values REDACTED }}", self.tag_list)
    }
}

impl Dg12 {
    /// Parses DG12.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "DG12";
        let top = obj::top(bytes, TAG, F)?;
        let f = Fields::new(top, F)?;
        let list = f
            .get(Tag(0x5C))
            .ok_or_else(|| top.missing(Tag(0x5C), "DG12 tag list"))?;
        Ok(Dg12 {
            tag_list: obj::tag_list(&list, "DG12 tag list")?,
            issuing_authority: f.text(0x5F19),
            date_of_issue: f.get(Tag(0x5F26)).map(|o| LdsDate::parse(o.value)),
            other_persons: f.list(0x5F1A, "DG12 other persons")?,
            endorsements: f.text(0x5F1B),
            tax_exit_requirements: f.text(0x5F1C),
            image_front: f.bytes(0x5F1D),
            image_rear: f.bytes(0x5F1E),
            personalisation_time: f.get(Tag(0x5F55)).map(|o| LdsDateTime::parse(o.value)),
            personalisation_device_serial: f.text(0x5F56),
            other: f.others(&KNOWN),
        })
    }

    /// Encodes DG12 (the tag list is rebuilt from the fields present).
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Builder::new();
        b.text(0x5F19, &self.issuing_authority);
        b.bytes(
            0x5F26,
            self.date_of_issue.as_ref().map(|d| d.raw.as_slice()),
        );
        b.list(0x5F1A, &self.other_persons);
        b.text(0x5F1B, &self.endorsements);
        b.text(0x5F1C, &self.tax_exit_requirements);
        b.bytes(0x5F1D, self.image_front.as_deref());
        b.bytes(0x5F1E, self.image_rear.as_deref());
        b.bytes(
            0x5F55,
            self.personalisation_time.as_ref().map(|d| d.raw.as_slice()),
        );
        b.text(0x5F56, &self.personalisation_device_serial);
        b.others(&self.other);
        b.finish(TAG)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_field() {
        let d = Dg12 {
            issuing_authority: Some("UTOPIA PASSPORT OFFICE".into()),
            date_of_issue: Some(LdsDate::parse(b"20120415")),
            other_persons: vec!["SMITH<<BABY".into()],
            endorsements: Some("NONE".into()),
            tax_exit_requirements: Some("PAID".into()),
            image_front: Some(vec![0xFF, 0xD8, 0xFF, 1]),
            image_rear: Some(vec![0xFF, 0xD8, 0xFF, 2]),
            personalisation_time: Some(LdsDateTime::parse(&[
                0x20, 0x12, 0x04, 0x15, 0x10, 0x20, 0x30,
            ])),
            personalisation_device_serial: Some("N-4962".into()),
            tag_list: Vec::new(),
            other: Vec::new(),
        };
        let mut back = Dg12::parse(&d.encode()).unwrap();
        assert_eq!(back.tag_list.len(), 9);
        back.tag_list.clear();
        assert_eq!(back, d);
        assert_eq!(
            back.personalisation_time.unwrap().to_string(),
            "2012-04-15T10:20:30"
        );
    }
}
