//! EF.COM (ICAO 9303-10 §4.6.1): LDS version, Unicode version and the list of data groups present.

use crate::obj::{self, Obj};
use crate::{FileId, LdsError};
use epassport_tlv::{Tag, encode, encode_into};

/// Tag of EF.COM.
pub const TAG: Tag = Tag(0x60);
const LDS_VERSION: Tag = Tag(0x5F01);
const UNICODE_VERSION: Tag = Tag(0x5F36);
const TAG_LIST: Tag = Tag(0x5C);

/// EF.COM's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EfCom {
    /// LDS version `aabb` (`"0107"` = LDS 1.7), as stored.
    pub lds_version: String,
    /// Unicode version `aabbcc` (`"040000"` = 4.0.0), as stored.
    pub unicode_version: String,
    /// The tags of the data groups present (`0x61` = DG1 ...), in the order stored.
    pub tags: Vec<u8>,
}

impl EfCom {
    /// Parses EF.COM (tag `60`).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const F: &str = "EF.COM";
        let top = obj::top(bytes, TAG, F)?;
        let kids = top.children(F)?;
        let find = |t: Tag, field: &'static str| -> Result<Obj<'_>, LdsError> {
            kids.iter()
                .find(|k| k.tag == t)
                .copied()
                .ok_or_else(|| top.missing(t, field))
        };
        let lds = find(LDS_VERSION, "EF.COM LDS version")?;
        let uni = find(UNICODE_VERSION, "EF.COM Unicode version")?;
        let list = find(TAG_LIST, "EF.COM tag list")?;
        let lds_version = digits(&lds, 4, "EF.COM LDS version")?;
        let unicode_version = digits(&uni, 6, "EF.COM Unicode version")?;
        Ok(EfCom {
            lds_version,
            unicode_version,
            tags: list.value.to_vec(),
        })
    }

    /// Encodes EF.COM.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::new();
        encode_into(LDS_VERSION, self.lds_version.as_bytes(), &mut v);
        encode_into(UNICODE_VERSION, self.unicode_version.as_bytes(), &mut v);
        encode_into(TAG_LIST, &self.tags, &mut v);
        encode(TAG, &v)
    }

    /// The data groups listed, in order (unknown tags are skipped; see [`EfCom::tags`]).
    pub fn data_groups(&self) -> Vec<FileId> {
        self.tags
            .iter()
            .filter_map(|&t| FileId::from_tag(Tag(t as u32)))
            .collect()
    }

    /// The LDS version in dotted form (`"1.7"`).
    pub fn lds_version_dotted(&self) -> String {
        dotted(&self.lds_version)
    }

    /// The Unicode version in dotted form (`"4.0.0"`).
    pub fn unicode_version_dotted(&self) -> String {
        dotted(&self.unicode_version)
    }
}

/// `"0107"` → `"1.7"`, `"040000"` → `"4.0.0"`.
pub(crate) fn dotted(s: &str) -> String {
    let b = s.as_bytes();
    b.chunks(2)
        .map(|c| {
            let t = String::from_utf8_lossy(c);
            t.trim_start_matches('0').to_string()
        })
        .map(|s| if s.is_empty() { "0".to_string() } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

fn digits(o: &Obj<'_>, len: usize, field: &'static str) -> Result<String, LdsError> {
    if o.value.len() != len || !o.value.iter().all(u8::is_ascii_digit) {
        return Err(LdsError::invalid(
            field,
            o.value_offset,
            format!("expected {len} ASCII digits"),
        ));
    }
    Ok(o.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_example_round_trips() {
        // ICAO 9303-10 worked example: LDS 1.7, Unicode 4.0.0, DG1 DG2 DG4... as bytes below.
        let bytes = [
            0x60, 0x16, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7', 0x5F, 0x36, 0x06, b'0', b'4',
            b'0', b'0', b'0', b'0', 0x5C, 0x04, 0x61, 0x75, 0x63, 0x6E,
        ];
        let com = EfCom::parse(&bytes).unwrap();
        assert_eq!(com.lds_version_dotted(), "1.7");
        assert_eq!(com.unicode_version_dotted(), "4.0.0");
        assert_eq!(
            com.data_groups(),
            [FileId::Dg(1), FileId::Dg(2), FileId::Dg(3), FileId::Dg(14)]
        );
        assert_eq!(com.encode(), bytes);
    }

    #[test]
    fn errors() {
        let bad = encode(TAG, &encode(LDS_VERSION, b"0107"));
        assert_eq!(
            EfCom::parse(&bad).unwrap_err(),
            LdsError::Missing {
                field: "EF.COM Unicode version",
                tag: UNICODE_VERSION,
                parent: TAG,
                offset: 0
            }
        );
        let mut v = encode(LDS_VERSION, b"01x7");
        v.extend(encode(UNICODE_VERSION, b"040000"));
        v.extend(encode(TAG_LIST, &[0x61]));
        assert_eq!(
            EfCom::parse(&encode(TAG, &v)).unwrap_err(),
            LdsError::Invalid {
                field: "EF.COM LDS version",
                offset: 5,
                reason: "expected 4 ASCII digits".into()
            }
        );
        assert!(matches!(
            EfCom::parse(&[0x61, 0x00]).unwrap_err(),
            LdsError::UnexpectedTag { .. }
        ));
    }
}
