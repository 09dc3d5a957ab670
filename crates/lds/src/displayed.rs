//! DG5 (displayed portrait), DG6 (reserved) and DG7 (displayed signature or usual mark),
//! ICAO 9303-10 §4.7.5-4.7.7: `02` number of instances, then one image object per instance
//! (`5F40` portrait, `5F43` signature).

use crate::LdsError;
use crate::obj;
use epassport_tlv::{Tag, encode, encode_into};

/// Which displayed-image data group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayedKind {
    /// DG5: displayed portrait (`65`, images `5F40`).
    Portrait,
    /// DG6: reserved for future use (`66`, images `5F41`).
    Reserved,
    /// DG7: displayed signature or usual mark (`67`, images `5F43`).
    Signature,
}

impl DisplayedKind {
    /// The data group tag.
    pub fn tag(self) -> Tag {
        match self {
            DisplayedKind::Portrait => Tag(0x65),
            DisplayedKind::Reserved => Tag(0x66),
            DisplayedKind::Signature => Tag(0x67),
        }
    }
    /// The image tag.
    pub fn image_tag(self) -> Tag {
        match self {
            DisplayedKind::Portrait => Tag(0x5F40),
            DisplayedKind::Reserved => Tag(0x5F41),
            DisplayedKind::Signature => Tag(0x5F43),
        }
    }
    fn field(self) -> &'static str {
        match self {
            DisplayedKind::Portrait => "DG5",
            DisplayedKind::Reserved => "DG6",
            DisplayedKind::Signature => "DG7",
        }
    }
}

/// DG5, DG6 or DG7: a list of encoded images (JPEG or JPEG 2000, as the bytes say).
#[derive(Clone, PartialEq, Eq)]
pub struct DisplayedImages {
    /// Which data group.
    pub kind: DisplayedKind,
    /// The images.
    pub images: Vec<Vec<u8>>,
}

impl std::fmt::Debug for DisplayedImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<usize> = self.images.iter().map(Vec::len).collect();
        write!(
            f,
            "DisplayedImages {{ {:?}, image sizes {sizes:?} }}",
            self.kind
        )
    }
}

impl DisplayedImages {
    /// Parses the data group of `kind`. The stored count must match the images present.
    pub fn parse(bytes: &[u8], kind: DisplayedKind) -> Result<Self, LdsError> {
        let f = kind.field();
        let top = obj::top(bytes, kind.tag(), f)?;
        let kids = top.children(f)?;
        let count = kids
            .iter()
            .find(|k| k.tag == Tag(0x02))
            .ok_or_else(|| top.missing(Tag(0x02), "number of instances"))?;
        let n = obj::small_uint(count, "number of instances")? as usize;
        let images: Vec<Vec<u8>> = kids
            .iter()
            .filter(|k| k.tag == kind.image_tag())
            .map(|k| k.value.to_vec())
            .collect();
        if images.len() != n {
            return Err(LdsError::invalid(
                "number of instances",
                count.value_offset,
                format!("says {n}, the data group holds {}", images.len()),
            ));
        }
        Ok(DisplayedImages { kind, images })
    }

    /// Encodes it.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = encode(Tag(0x02), &obj::count_bytes(self.images.len()));
        for i in &self.images {
            encode_into(self.kind.image_tag(), i, &mut v);
        }
        encode(self.kind.tag(), &v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_count() {
        for kind in [
            DisplayedKind::Portrait,
            DisplayedKind::Reserved,
            DisplayedKind::Signature,
        ] {
            let d = DisplayedImages {
                kind,
                images: vec![vec![0xFF, 0xD8, 0xFF], vec![1; 300]],
            };
            let enc = d.encode();
            assert_eq!(DisplayedImages::parse(&enc, kind).unwrap(), d);
        }
        let enc = encode(Tag(0x67), &encode(Tag(0x02), &[2]));
        assert_eq!(
            DisplayedImages::parse(&enc, DisplayedKind::Signature).unwrap_err(),
            LdsError::Invalid {
                field: "number of instances",
                offset: 4,
                reason: "says 2, the data group holds 0".into()
            }
        );
    }
}
