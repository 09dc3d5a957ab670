//! One entry point for any elementary file: the outer tag says which it is.

use crate::{
    Dg1, Dg2, Dg11, Dg12, Dg15, Dg16, DisplayedImages, DisplayedKind, EfCom, FileId, LdsError,
    LdsSecurityObject, RawBiometricDg, obj, security_infos::SecurityInfos,
};

/// A parsed elementary file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LdsFile {
    /// EF.COM.
    Com(EfCom),
    /// EF.SOD: the LDSSecurityObject found inside (nothing verified here).
    Sod(LdsSecurityObject),
    /// DG1.
    Dg1(Dg1),
    /// DG2.
    Dg2(Dg2),
    /// DG3 or DG4 (records raw).
    Biometric(FileId, RawBiometricDg),
    /// DG5, DG6 or DG7.
    Displayed(FileId, DisplayedImages),
    /// DG11.
    Dg11(Dg11),
    /// DG12.
    Dg12(Dg12),
    /// DG14: the SecurityInfos (Chip Authentication, its public keys, Terminal and Active
    /// Authentication, PACE; unknown and malformed infos kept with their DER).
    Dg14(SecurityInfos),
    /// DG15.
    Dg15(Dg15),
    /// DG16.
    Dg16(Dg16),
    /// EF.CardAccess: the SecurityInfos (PACE, and on some chips CA/TA).
    CardAccess(SecurityInfos),
    /// EF.CardSecurity: the SecurityInfos of its signed content (the signature is not verified
    /// here; `epassport_pki::verify_card_security` does that).
    CardSecurity(SecurityInfos),
    /// A file kept as its content bytes (DG8-DG10, DG13).
    Raw(FileId, Vec<u8>),
}

impl LdsFile {
    /// Which file it is.
    pub fn id(&self) -> FileId {
        match self {
            LdsFile::Com(_) => FileId::Com,
            LdsFile::Sod(_) => FileId::Sod,
            LdsFile::Dg1(_) => FileId::Dg(1),
            LdsFile::Dg2(_) => FileId::Dg(2),
            LdsFile::Biometric(id, _) | LdsFile::Displayed(id, _) | LdsFile::Raw(id, _) => *id,
            LdsFile::Dg11(_) => FileId::Dg(11),
            LdsFile::Dg12(_) => FileId::Dg(12),
            LdsFile::Dg14(_) => FileId::Dg(14),
            LdsFile::CardAccess(_) => FileId::CardAccess,
            LdsFile::CardSecurity(_) => FileId::CardSecurity,
            LdsFile::Dg15(_) => FileId::Dg(15),
            LdsFile::Dg16(_) => FileId::Dg(16),
        }
    }
}

/// Parses any LDS elementary file, recognised by its outer tag (EF.CardAccess and
/// EF.CardSecurity have none: use [`parse_as`]).
pub fn parse_file(bytes: &[u8]) -> Result<LdsFile, LdsError> {
    let first = obj::obj_at(bytes, 0, 0, "elementary file")?;
    let id = FileId::from_tag(first.tag).ok_or_else(|| {
        LdsError::invalid(
            "elementary file",
            0,
            format!(
                "tag {} is not an LDS file tag (EF.COM, EF.SOD, DG1-DG16)",
                first.tag
            ),
        )
    })?;
    parse_as(id, bytes)
}

/// Parses `bytes` as file `id`.
pub fn parse_as(id: FileId, bytes: &[u8]) -> Result<LdsFile, LdsError> {
    Ok(match id {
        FileId::Com => LdsFile::Com(EfCom::parse(bytes)?),
        FileId::Sod => LdsFile::Sod(LdsSecurityObject::from_der(
            crate::sod::econtent_of_ef_sod(bytes)?,
        )?),
        FileId::Dg(1) => LdsFile::Dg1(Dg1::parse(bytes)?),
        FileId::Dg(2) => LdsFile::Dg2(Dg2::parse(bytes)?),
        FileId::Dg(3) => LdsFile::Biometric(id, RawBiometricDg::parse_dg3(bytes)?),
        FileId::Dg(4) => LdsFile::Biometric(id, RawBiometricDg::parse_dg4(bytes)?),
        FileId::Dg(5) => {
            LdsFile::Displayed(id, DisplayedImages::parse(bytes, DisplayedKind::Portrait)?)
        }
        FileId::Dg(6) => {
            LdsFile::Displayed(id, DisplayedImages::parse(bytes, DisplayedKind::Reserved)?)
        }
        FileId::Dg(7) => {
            LdsFile::Displayed(id, DisplayedImages::parse(bytes, DisplayedKind::Signature)?)
        }
        FileId::Dg(11) => LdsFile::Dg11(Dg11::parse(bytes)?),
        FileId::Dg(12) => LdsFile::Dg12(Dg12::parse(bytes)?),
        FileId::Dg(14) => LdsFile::Dg14(SecurityInfos::parse_dg14(bytes)?),
        FileId::CardAccess => LdsFile::CardAccess(SecurityInfos::parse(bytes)?),
        FileId::CardSecurity => LdsFile::CardSecurity(SecurityInfos::parse(
            crate::security_infos::card_security_content(bytes)?,
        )?),
        FileId::Dg(15) => LdsFile::Dg15(Dg15::parse(bytes)?),
        FileId::Dg(16) => LdsFile::Dg16(Dg16::parse(bytes)?),
        FileId::Dg(n @ (8..=10 | 13)) => {
            let tag = FileId::Dg(n)
                .tag()
                .ok_or_else(|| LdsError::invalid("elementary file", 0, "no tag"))?;
            let top = obj::top(bytes, tag, "data group")?;
            LdsFile::Raw(id, top.value.to_vec())
        }
        other => {
            return Err(LdsError::invalid(
                "elementary file",
                0,
                format!("{other} is not parsed by this crate"),
            ));
        }
    })
}
