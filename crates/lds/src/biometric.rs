//! CBEFF biometric information templates as ICAO 9303-10 §4.7.2 uses them for DG2, DG3 and DG4:
//! `7F61` (biometric information group template: `02` count, then one `7F60` per instance),
//! `7F60` (biometric information template: `A1` biometric header template + `5F2E` or `7F2E`
//! biometric data block).

use crate::LdsError;
use crate::obj::{self, Obj};
use epassport_tlv::{Tag, encode, encode_into};

/// Tag of the biometric information group template.
pub const GROUP: Tag = Tag(0x7F61);
/// Tag of one biometric information template.
pub const TEMPLATE: Tag = Tag(0x7F60);
/// Tag of the biometric header template (BHT).
pub const HEADER: Tag = Tag(0xA1);
/// Tag of a biometric data block (primitive).
pub const BDB: Tag = Tag(0x5F2E);
/// Tag of a constructed biometric data block (enciphered in 9303-10; ISO/IEC 39794 records use it).
pub const BDB_CONSTRUCTED: Tag = Tag(0x7F2E);
const COUNT: Tag = Tag(0x02);

/// The most templates a group may hold (bounds the work on hostile input).
pub const MAX_TEMPLATES: usize = 64;

/// The biometric header template (`A1`), ISO/IEC 7816-11 / CBEFF. Every element optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BiometricHeader {
    /// `80`: ICAO header version (`0101`).
    pub icao_header_version: Option<Vec<u8>>,
    /// `81`: biometric type (`02` face, `08` finger, `10` iris).
    pub biometric_type: Option<Vec<u8>>,
    /// `82`: biometric subtype.
    pub biometric_subtype: Option<Vec<u8>>,
    /// `83`: creation date and time (BCD `YYYYMMDDhhmmss`).
    pub creation_date_time: Option<Vec<u8>>,
    /// `85`: validity period (BCD from, to).
    pub validity_period: Option<Vec<u8>>,
    /// `86`: creator of the biometric reference data.
    pub creator: Option<Vec<u8>>,
    /// `87`: format owner (`0101` = ISO/IEC JTC 1/SC 37).
    pub format_owner: Option<Vec<u8>>,
    /// `88`: format type (`0008` = 19794-5 face, `0007` finger image, `0009` iris).
    pub format_type: Option<Vec<u8>>,
    /// Elements with other tags, in order (kept for exact re-encoding).
    pub other: Vec<(u8, Vec<u8>)>,
}

impl BiometricHeader {
    /// The format owner as a number.
    pub fn format_owner_u16(&self) -> Option<u16> {
        be16(self.format_owner.as_deref())
    }
    /// The format type as a number.
    pub fn format_type_u16(&self) -> Option<u16> {
        be16(self.format_type.as_deref())
    }
    /// The biometric type as a number.
    pub fn biometric_type_u32(&self) -> Option<u32> {
        let b = self.biometric_type.as_deref()?;
        (b.len() <= 4).then(|| b.iter().fold(0u32, |a, &x| (a << 8) | x as u32))
    }

    fn parse(o: &Obj<'_>) -> Result<Self, LdsError> {
        const F: &str = "biometric header template";
        let mut h = BiometricHeader::default();
        for e in o.children(F)? {
            let v = Some(e.value.to_vec());
            match e.tag.0 {
                0x80 => h.icao_header_version = v,
                0x81 => h.biometric_type = v,
                0x82 => h.biometric_subtype = v,
                0x83 => h.creation_date_time = v,
                0x85 => h.validity_period = v,
                0x86 => h.creator = v,
                0x87 => h.format_owner = v,
                0x88 => h.format_type = v,
                t if t <= 0xFF => h.other.push((t as u8, e.value.to_vec())),
                _ => {
                    return Err(LdsError::invalid(
                        F,
                        e.offset,
                        format!("unexpected tag {} in the header", e.tag),
                    ));
                }
            }
        }
        Ok(h)
    }

    /// Encodes the `A1` template.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::new();
        let fields = [
            (0x80, &self.icao_header_version),
            (0x81, &self.biometric_type),
            (0x82, &self.biometric_subtype),
            (0x83, &self.creation_date_time),
            (0x85, &self.validity_period),
            (0x86, &self.creator),
            (0x87, &self.format_owner),
            (0x88, &self.format_type),
        ];
        for (t, f) in fields {
            if let Some(x) = f {
                encode_into(Tag(t), x, &mut v);
            }
        }
        for (t, x) in &self.other {
            encode_into(Tag(*t as u32), x, &mut v);
        }
        encode(HEADER, &v)
    }
}

fn be16(b: Option<&[u8]>) -> Option<u16> {
    match b? {
        [a, b] => Some(u16::from_be_bytes([*a, *b])),
        [a] => Some(*a as u16),
        _ => None,
    }
}

/// One biometric information template (`7F60`): header and biometric data block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BiometricTemplate {
    /// The header (`A1`).
    pub header: BiometricHeader,
    /// Whether the data block was `7F2E` (constructed) rather than `5F2E`.
    pub constructed_bdb: bool,
    /// The biometric data block's bytes (an ISO/IEC 19794 or 39794 record).
    pub bdb: Vec<u8>,
    /// Absolute offset of the data block's value in the file (for error reports).
    pub bdb_offset: usize,
}

impl BiometricTemplate {
    /// A template with a `5F2E` data block.
    pub fn new(header: BiometricHeader, bdb: Vec<u8>) -> Self {
        BiometricTemplate {
            header,
            constructed_bdb: false,
            bdb,
            bdb_offset: 0,
        }
    }

    fn parse(o: &Obj<'_>) -> Result<Self, LdsError> {
        const F: &str = "biometric information template";
        let o = o.expect(TEMPLATE, F)?;
        let kids = o.children(F)?;
        let header = kids
            .iter()
            .find(|k| k.tag == HEADER)
            .ok_or_else(|| o.missing(HEADER, F))?;
        let header = BiometricHeader::parse(header)?;
        let bdb = kids
            .iter()
            .find(|k| k.tag == BDB || k.tag == BDB_CONSTRUCTED)
            .ok_or_else(|| o.missing(BDB, "biometric data block"))?;
        Ok(BiometricTemplate {
            header,
            constructed_bdb: bdb.tag == BDB_CONSTRUCTED,
            bdb: bdb.value.to_vec(),
            bdb_offset: bdb.value_offset,
        })
    }

    /// Encodes the `7F60` template.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = self.header.encode();
        let tag = if self.constructed_bdb {
            BDB_CONSTRUCTED
        } else {
            BDB
        };
        encode_into(tag, &self.bdb, &mut v);
        encode(TEMPLATE, &v)
    }

    /// The record's format identifier (first 4 bytes of a 19794 record, `"FAC\0"` ...), if ASCII.
    pub fn record_format_identifier(&self) -> Option<String> {
        let id = self.bdb.get(..4)?;
        let t = id.strip_suffix(&[0]).unwrap_or(id);
        (t.iter().all(|c| c.is_ascii_uppercase())).then(|| String::from_utf8_lossy(t).into_owned())
    }

    /// The record's version (bytes 4..8 of a 19794 record, `"010"` ...), if ASCII digits.
    pub fn record_version(&self) -> Option<String> {
        let v = self.bdb.get(4..8)?;
        let t = v.strip_suffix(&[0]).unwrap_or(v);
        (t.iter().all(u8::is_ascii_digit)).then(|| String::from_utf8_lossy(t).into_owned())
    }
}

/// A data group made of one biometric information group template (DG2, DG3, DG4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BiometricGroup {
    /// The data group's tag (`75`, `63` or `76`).
    pub tag: Tag,
    /// The templates, in order.
    pub templates: Vec<BiometricTemplate>,
}

impl BiometricGroup {
    /// Parses a data group `tag` holding a `7F61` group. The stored count must match.
    pub fn parse(bytes: &[u8], tag: Tag, field: &'static str) -> Result<Self, LdsError> {
        let top = obj::top(bytes, tag, field)?;
        let kids = top.children(field)?;
        let group = kids
            .iter()
            .find(|k| k.tag == GROUP)
            .ok_or_else(|| top.missing(GROUP, field))?;
        let parts = group.children(field)?;
        let count = parts
            .iter()
            .find(|k| k.tag == COUNT)
            .ok_or_else(|| group.missing(COUNT, "number of instances"))?;
        let n = obj::small_uint(count, "number of instances")? as usize;
        let templates_obj: Vec<&Obj<'_>> = parts.iter().filter(|k| k.tag == TEMPLATE).collect();
        if templates_obj.len() > MAX_TEMPLATES {
            return Err(LdsError::invalid(
                field,
                group.offset,
                format!("{} templates, at most {MAX_TEMPLATES}", templates_obj.len()),
            ));
        }
        if n != templates_obj.len() {
            return Err(LdsError::invalid(
                "number of instances",
                count.value_offset,
                format!("says {n}, the group holds {}", templates_obj.len()),
            ));
        }
        let templates = templates_obj
            .into_iter()
            .map(BiometricTemplate::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BiometricGroup { tag, templates })
    }

    /// Encodes the data group.
    pub fn encode(&self) -> Vec<u8> {
        let mut g = encode(COUNT, &obj::count_bytes(self.templates.len()));
        for t in &self.templates {
            g.extend(t.encode());
        }
        encode(self.tag, &encode(GROUP, &g))
    }
}
