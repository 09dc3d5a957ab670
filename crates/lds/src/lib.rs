//! The eMRTD logical data structure (ICAO 9303-10): EF.COM, EF.SOD content, DG1-DG16 and face
//! images.
//!
//! Every parser takes the bytes of one elementary file (or record), is total (lengths bounded
//! by what is left, nesting capped, no panics) and returns [`LdsError`] naming the field, tag and
//! byte offset on failure. Every structure the software chip and the fixture generator write
//! also has an encoder, and decoding what was encoded gives back the same value.

#![forbid(unsafe_code)]

pub mod biometric;
mod codes;
pub mod com;
pub mod date;
pub mod der;
pub mod dg1;
pub mod dg11;
pub mod dg12;
pub mod dg15;
pub mod dg16;
pub mod dg2;
pub mod displayed;
mod error;
pub mod file;
pub mod image;
pub mod iso19794_5;
pub mod iso39794_5;
mod obj;
pub mod security_infos;
pub mod sod;

pub use com::EfCom;
pub use der::{AlgorithmIdentifier, Oid};
pub use dg1::Dg1;
pub use dg2::{Dg2, Face, FaceRecord, RawBiometricDg};
pub use dg11::Dg11;
pub use dg12::Dg12;
pub use dg15::{AaPublicKey, Dg15};
pub use dg16::Dg16;
pub use displayed::{DisplayedImages, DisplayedKind};
pub use error::LdsError;
pub use file::{LdsFile, parse_as, parse_file};
pub use sod::{DataGroupHash, HashAlgorithm, LdsSecurityObject, LdsVersionInfo};

use epassport_tlv::Tag;

/// An elementary file of the eMRTD application (or the master file's CardAccess/CardSecurity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileId {
    /// EF.COM (tag `60`).
    Com,
    /// EF.SOD (tag `77`).
    Sod,
    /// Data group 1..=16.
    Dg(u8),
    /// EF.CardAccess (master file).
    CardAccess,
    /// EF.CardSecurity (master file).
    CardSecurity,
}

/// The data-group tags of ICAO 9303-10 Table 34, DG1..DG16.
const DG_TAGS: [u8; 16] = [
    0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70,
];

impl FileId {
    /// The file's outer tag (none for CardAccess/CardSecurity, which are bare DER).
    pub fn tag(self) -> Option<Tag> {
        match self {
            FileId::Com => Some(Tag(0x60)),
            FileId::Sod => Some(Tag(0x77)),
            FileId::Dg(n @ 1..=16) => Some(Tag(DG_TAGS[n as usize - 1] as u32)),
            _ => None,
        }
    }
    /// The file from its outer tag.
    pub fn from_tag(tag: Tag) -> Option<FileId> {
        match tag.0 {
            0x60 => Some(FileId::Com),
            0x77 => Some(FileId::Sod),
            t => DG_TAGS
                .iter()
                .position(|&x| x as u32 == t)
                .map(|i| FileId::Dg(i as u8 + 1)),
        }
    }
    /// The short file identifier (ICAO 9303-10 Table 34).
    pub fn short_id(self) -> Option<u8> {
        match self {
            FileId::Com => Some(0x1E),
            FileId::Sod => Some(0x1D),
            FileId::Dg(n @ 1..=16) => Some(n),
            FileId::CardAccess => Some(0x1C),
            FileId::CardSecurity => Some(0x1D),
            FileId::Dg(_) => None,
        }
    }
    /// The file identifier (`011E` for EF.COM, `0101` for DG1 ...).
    pub fn fid(self) -> Option<u16> {
        match self {
            FileId::Com => Some(0x011E),
            FileId::Sod => Some(0x011D),
            FileId::Dg(n @ 1..=16) => Some(0x0100 + n as u16),
            FileId::CardAccess => Some(0x011C),
            FileId::CardSecurity => Some(0x011D),
            FileId::Dg(_) => None,
        }
    }
    /// The name `epassport read --out` gives the file (`COM.bin`, `DG2.bin`...).
    pub fn file_name(self) -> String {
        match self {
            FileId::Com => "COM.bin".into(),
            FileId::Sod => "SOD.bin".into(),
            FileId::Dg(n) => format!("DG{n}.bin"),
            FileId::CardAccess => "CardAccess.bin".into(),
            FileId::CardSecurity => "CardSecurity.bin".into(),
        }
    }
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileId::Com => f.write_str("EF.COM"),
            FileId::Sod => f.write_str("EF.SOD"),
            FileId::Dg(n) => write!(f, "DG{n}"),
            FileId::CardAccess => f.write_str("EF.CardAccess"),
            FileId::CardSecurity => f.write_str("EF.CardSecurity"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids() {
        for n in 1..=16u8 {
            let f = FileId::Dg(n);
            assert_eq!(FileId::from_tag(f.tag().unwrap()), Some(f));
            assert_eq!(f.fid(), Some(0x0100 + n as u16));
        }
        assert_eq!(FileId::Dg(2).tag(), Some(Tag(0x75)));
        assert_eq!(FileId::from_tag(Tag(0x77)), Some(FileId::Sod));
        assert_eq!(FileId::Dg(17).tag(), None);
        assert_eq!(FileId::Com.file_name(), "COM.bin");
    }
}
