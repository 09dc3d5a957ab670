//! DG16, persons to notify (ICAO 9303-10 §4.7.16): `02` count, then one `A1`, `A2`... template
//! per person with `5F50` date recorded, `5F51` name, `5F52` telephone, `5F53` address.

use crate::LdsError;
use crate::date::LdsDate;
use crate::obj::{self, Fields};
use epassport_tlv::{Tag, encode, encode_into};

/// Tag of DG16.
pub const TAG: Tag = Tag(0x70);

/// One person to notify.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PersonToNotify {
    /// `5F50` date the data was recorded.
    pub date_recorded: Option<LdsDate>,
    /// `5F51` name.
    pub name: Option<String>,
    /// `5F52` telephone.
    pub telephone: Option<String>,
    /// `5F53` address.
    pub address: Option<String>,
}

impl std::fmt::Debug for PersonToNotify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonToNotify { REDACTED }")
    }
}

/// DG16's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dg16 {
    /// The persons, in order.
    pub persons: Vec<PersonToNotify>,
}

impl Dg16 {
    /// Parses DG16.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "DG16";
        let top = obj::top(bytes, TAG, F)?;
        let kids = top.children(F)?;
        let count = kids
            .iter()
            .find(|k| k.tag == Tag(0x02))
            .ok_or_else(|| top.missing(Tag(0x02), "DG16 number of persons"))?;
        let n = obj::small_uint(count, "DG16 number of persons")? as usize;
        let mut persons = Vec::new();
        for k in kids.iter().filter(|k| (0xA1..=0xBF).contains(&k.tag.0)) {
            let f = Fields::new(*k, "DG16 person")?;
            persons.push(PersonToNotify {
                date_recorded: f.get(Tag(0x5F50)).map(|o| LdsDate::parse(o.value)),
                name: f.text(0x5F51),
                telephone: f.text(0x5F52),
                address: f.text(0x5F53),
            });
        }
        if n != persons.len() {
            return Err(LdsError::invalid(
                "DG16 number of persons",
                count.value_offset,
                format!("says {n}, the data group holds {}", persons.len()),
            ));
        }
        Ok(Dg16 { persons })
    }

    /// Encodes DG16 (templates `A1`, `A2`...; at most 31 persons).
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        if self.persons.len() > 31 {
            return Err(LdsError::Encode {
                field: "DG16",
                reason: format!("{} persons, at most 31", self.persons.len()),
            });
        }
        let mut v = encode(Tag(0x02), &obj::count_bytes(self.persons.len()));
        for (i, p) in self.persons.iter().enumerate() {
            let mut t = Vec::new();
            if let Some(d) = &p.date_recorded {
                encode_into(Tag(0x5F50), &d.raw, &mut t);
            }
            for (tag, s) in [
                (0x5F51, &p.name),
                (0x5F52, &p.telephone),
                (0x5F53, &p.address),
            ] {
                if let Some(s) = s {
                    encode_into(Tag(tag), s.as_bytes(), &mut t);
                }
            }
            encode_into(Tag(0xA1 + i as u32), &t, &mut v);
        }
        Ok(encode(TAG, &v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_count() {
        let d = Dg16 {
            persons: vec![
                PersonToNotify {
                    date_recorded: Some(LdsDate::parse(b"20020101")),
                    name: Some("SMITH<<CHARLES<R".into()),
                    telephone: Some("19525551212".into()),
                    address: Some("123 MAPLE RD".into()),
                },
                PersonToNotify::default(),
            ],
        };
        let enc = d.encode().unwrap();
        assert_eq!(Dg16::parse(&enc).unwrap(), d);
        let mut bad = enc.clone();
        bad[4] = 3; // 70 L 02 01 [02]
        assert!(matches!(
            Dg16::parse(&bad).unwrap_err(),
            LdsError::Invalid {
                field: "DG16 number of persons",
                offset: 4,
                ..
            }
        ));
    }
}
