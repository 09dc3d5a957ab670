//! The eMRTD file system (ICAO 9303-10 §3.10–3.11, §4.6): the MF with EF.CardAccess, EF.CardSecurity,
//! EF.ATR/INFO and EF.DIR, and the LDS1 application with EF.COM, EF.SOD and DG1–DG16.

use std::fmt;

/// The LDS1 eMRTD application identifier (ICAO 9303-10 §3.10.1).
pub const LDS1_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// The MF's file identifier.
pub const MF_FID: u16 = 0x3F00;

/// A dedicated file: the master file or the LDS1 application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Df {
    /// The master file (FID 3F00).
    Mf,
    /// The LDS1 eMRTD application (AID A0000002471001).
    Lds1,
}

/// An elementary file of the eMRTD, with its FID and SFI from ICAO 9303-10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ef {
    /// EF.CardAccess, MF, FID 011C, SFI 1C: PACE parameters, readable without access control.
    CardAccess,
    /// EF.CardSecurity, MF, FID 011D, SFI 1D: signed SecurityInfos (PACE-CAM, CA), after access control.
    CardSecurity,
    /// EF.ATR/INFO, MF, FID 2F01, SFI 01: extended-length and buffer-size information.
    AtrInfo,
    /// EF.DIR, MF, FID 2F00, SFI 1E: the list of applications (LDS2).
    Dir,
    /// EF.COM, LDS1, FID 011E, SFI 1E: LDS version and the list of data groups present.
    Com,
    /// EF.SOD, LDS1, FID 011D, SFI 1D: the document security object.
    Sod,
    /// DG1–DG16, LDS1, FID 0101–0110, SFI 01–10.
    Dg(u8),
}

impl Ef {
    /// Every EF the chip knows, in file-system order.
    pub fn all() -> impl Iterator<Item = Ef> {
        [
            Ef::CardAccess,
            Ef::CardSecurity,
            Ef::AtrInfo,
            Ef::Dir,
            Ef::Com,
            Ef::Sod,
        ]
        .into_iter()
        .chain((1..=16).map(Ef::Dg))
    }
    /// The DF the EF lives in.
    pub fn df(self) -> Df {
        match self {
            Ef::CardAccess | Ef::CardSecurity | Ef::AtrInfo | Ef::Dir => Df::Mf,
            Ef::Com | Ef::Sod | Ef::Dg(_) => Df::Lds1,
        }
    }
    /// The file identifier.
    pub fn fid(self) -> u16 {
        match self {
            Ef::CardAccess => 0x011C,
            Ef::CardSecurity => 0x011D,
            Ef::AtrInfo => 0x2F01,
            Ef::Dir => 0x2F00,
            Ef::Com => 0x011E,
            Ef::Sod => 0x011D,
            Ef::Dg(n) => 0x0100 | u16::from(n),
        }
    }
    /// The short file identifier.
    pub fn sfi(self) -> u8 {
        match self {
            Ef::CardAccess => 0x1C,
            Ef::CardSecurity => 0x1D,
            Ef::AtrInfo => 0x01,
            Ef::Dir => 0x1E,
            Ef::Com => 0x1E,
            Ef::Sod => 0x1D,
            Ef::Dg(n) => n,
        }
    }
    /// The EF with this FID in `df`.
    pub fn by_fid(df: Df, fid: u16) -> Option<Ef> {
        Ef::all().find(|e| e.df() == df && e.fid() == fid)
    }
    /// The EF with this SFI in `df`.
    pub fn by_sfi(df: Df, sfi: u8) -> Option<Ef> {
        Ef::all().find(|e| e.df() == df && e.sfi() == sfi)
    }
    /// The name used for the file in a fixture folder and by `epassport read --out`: `CardAccess`,
    /// `CardSecurity`, `ATRINFO`, `DIR`, `COM`, `SOD`, `DG1` … `DG16` (files are `<name>.bin`).
    pub fn name(self) -> String {
        match self {
            Ef::CardAccess => "CardAccess".into(),
            Ef::CardSecurity => "CardSecurity".into(),
            Ef::AtrInfo => "ATRINFO".into(),
            Ef::Dir => "DIR".into(),
            Ef::Com => "COM".into(),
            Ef::Sod => "SOD".into(),
            Ef::Dg(n) => format!("DG{n}"),
        }
    }
    /// The EF named `name` (as [`Ef::name`] spells it).
    pub fn from_name(name: &str) -> Option<Ef> {
        Ef::all().find(|e| e.name() == name)
    }
    /// The access condition a real chip applies unless the fixture says otherwise: EF.CardAccess,
    /// EF.ATR/INFO and EF.DIR are free; everything else needs BAC or PACE and secure messaging.
    pub fn default_access(self) -> AccessCondition {
        match self {
            Ef::CardAccess | Ef::AtrInfo | Ef::Dir => AccessCondition::Always,
            _ => AccessCondition::AccessControl,
        }
    }
}

impl fmt::Display for Ef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ef::AtrInfo => f.write_str("EF.ATR/INFO"),
            Ef::Dg(n) => write!(f, "DG{n}"),
            other => write!(f, "EF.{}", other.name()),
        }
    }
}

/// Who may read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessCondition {
    /// Readable at any time (in plain before access control, under secure messaging after it).
    Always,
    /// Readable only after BAC or PACE, under secure messaging.
    #[serde(alias = "protected")]
    AccessControl,
    /// Never readable by this terminal (EAC-protected DG3/DG4: answers 6982).
    Denied,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fids_and_sfis_follow_9303_10() {
        assert_eq!(Ef::by_fid(Df::Mf, 0x011D), Some(Ef::CardSecurity));
        assert_eq!(Ef::by_fid(Df::Lds1, 0x011D), Some(Ef::Sod));
        assert_eq!(Ef::by_sfi(Df::Mf, 0x01), Some(Ef::AtrInfo));
        assert_eq!(Ef::by_sfi(Df::Lds1, 0x01), Some(Ef::Dg(1)));
        assert_eq!(Ef::by_fid(Df::Lds1, 0x0110), Some(Ef::Dg(16)));
        assert_eq!(Ef::by_sfi(Df::Lds1, 0x1E), Some(Ef::Com));
        assert_eq!(Ef::by_fid(Df::Mf, 0x011C), Some(Ef::CardAccess));
        assert_eq!(Ef::by_fid(Df::Lds1, 0x011C), None);
        assert_eq!(Ef::from_name("DG14"), Some(Ef::Dg(14)));
        assert_eq!(Ef::from_name("ATRINFO"), Some(Ef::AtrInfo));
        assert_eq!(Ef::all().count(), 22);
        assert_eq!(Ef::AtrInfo.to_string(), "EF.ATR/INFO");
        assert_eq!(Ef::Sod.to_string(), "EF.SOD");
    }
}
