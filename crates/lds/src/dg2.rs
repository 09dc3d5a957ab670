//! DG2, the encoded face (ICAO 9303-10 §4.7.2): biometric templates holding ISO/IEC 19794-5
//! facial records or ISO/IEC 39794-5 face image data; several faces are allowed.
//! DG3 (fingers) and DG4 (irises) share the template structure; their records stay raw.

use crate::LdsError;
use crate::biometric::{BiometricGroup, BiometricHeader, BiometricTemplate};
use crate::image::DeclaredFormat;
use crate::iso19794_5::{FacialRecord, ImageDataType};
use crate::iso39794_5::FaceImageData;
use epassport_tlv::Tag;

/// Tag of DG2.
pub const TAG: Tag = Tag(0x75);
/// Tag of DG3.
pub const DG3_TAG: Tag = Tag(0x63);
/// Tag of DG4.
pub const DG4_TAG: Tag = Tag(0x76);

/// A face record in one of the two encodings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaceRecord {
    /// ISO/IEC 19794-5:2005.
    Iso19794(FacialRecord),
    /// ISO/IEC 39794-5.
    Iso39794(FaceImageData),
}

/// One biometric template of DG2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaceTemplate {
    /// The biometric header template.
    pub header: BiometricHeader,
    /// The record.
    pub record: FaceRecord,
    /// Whether the data block was stored under `7F2E` (else `5F2E`).
    pub constructed_bdb: bool,
}

/// DG2's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dg2 {
    /// The templates, in order.
    pub templates: Vec<FaceTemplate>,
}

/// One face image in DG2, whichever encoding carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Face<'a> {
    /// Index of the template it came from.
    pub template: usize,
    /// The encoded image.
    pub image: &'a [u8],
    /// What the record's header says the encoding is.
    pub declared: DeclaredFormat,
    /// Declared width.
    pub width: Option<u32>,
    /// Declared height.
    pub height: Option<u32>,
}

impl Face<'_> {
    /// Decodes the image (bytes trusted over the header; see `image::decode`), adding a warning
    /// when the declared size differs from the image's.
    #[cfg(feature = "images")]
    pub fn decode(
        &self,
        limits: &crate::image::DecodeLimits,
    ) -> Result<crate::image::DecodedImage, LdsError> {
        let mut img = crate::image::decode(self.image, self.declared, limits)?;
        if let (Some(w), Some(h)) = (self.width, self.height)
            && (w, h) != (img.width, img.height)
            && (w, h) != (0, 0)
        {
            img.warnings.push(crate::image::ImageWarning::SizeMismatch {
                declared: (w, h),
                actual: (img.width, img.height),
            });
        }
        Ok(img)
    }
}

impl Dg2 {
    /// Parses DG2.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let group = BiometricGroup::parse(bytes, TAG, "DG2")?;
        let mut templates = Vec::with_capacity(group.templates.len());
        for t in group.templates {
            let record = if FacialRecord::is_facial_record(&t.bdb) {
                FaceRecord::Iso19794(FacialRecord::parse(&t.bdb, t.bdb_offset)?)
            } else if FaceImageData::is_39794(&t.bdb) {
                FaceRecord::Iso39794(FaceImageData::parse(&t.bdb, t.bdb_offset)?)
            } else {
                return Err(LdsError::invalid(
                    "DG2 biometric data block",
                    t.bdb_offset,
                    "neither an ISO/IEC 19794-5 nor a 39794-5 face record",
                ));
            };
            templates.push(FaceTemplate {
                header: t.header,
                record,
                constructed_bdb: t.constructed_bdb,
            });
        }
        Ok(Dg2 { templates })
    }

    /// Encodes DG2.
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut templates = Vec::new();
        for t in &self.templates {
            let bdb = match &t.record {
                FaceRecord::Iso19794(r) => r.encode()?,
                FaceRecord::Iso39794(r) => r.encode(),
            };
            templates.push(BiometricTemplate {
                header: t.header.clone(),
                constructed_bdb: t.constructed_bdb,
                bdb,
                bdb_offset: 0,
            });
        }
        Ok(BiometricGroup {
            tag: TAG,
            templates,
        }
        .encode())
    }

    /// A DG2 with one 19794-5 template holding one image, and the usual ICAO header
    /// (header version 0101, type face, format owner 0101, format type 0008).
    pub fn single_19794(image: Vec<u8>, data_type: ImageDataType, width: u16, height: u16) -> Self {
        use crate::iso19794_5::{FaceImageInfo, VERSION_010};
        Dg2 {
            templates: vec![FaceTemplate {
                header: face_header(0x0008),
                record: FaceRecord::Iso19794(FacialRecord {
                    version: *VERSION_010,
                    images: vec![FaceImageInfo::new(image, data_type, width, height)],
                }),
                constructed_bdb: false,
            }],
        }
    }

    /// Every face image, in order.
    pub fn faces(&self) -> Vec<Face<'_>> {
        let mut out = Vec::new();
        for (i, t) in self.templates.iter().enumerate() {
            match &t.record {
                FaceRecord::Iso19794(r) => {
                    for im in &r.images {
                        out.push(Face {
                            template: i,
                            image: &im.image,
                            declared: match im.image_data_type {
                                ImageDataType::Jpeg => DeclaredFormat::Jpeg,
                                ImageDataType::Jpeg2000 => DeclaredFormat::Jpeg2000,
                                ImageDataType::Other(_) => DeclaredFormat::Unknown,
                            },
                            width: Some(im.width as u32),
                            height: Some(im.height as u32),
                        });
                    }
                }
                FaceRecord::Iso39794(r) => {
                    for rep in &r.representations {
                        out.push(Face {
                            template: i,
                            image: &rep.image,
                            declared: match rep.image_data_format {
                                Some(2) => DeclaredFormat::Jpeg,
                                Some(3) | Some(4) => DeclaredFormat::Jpeg2000,
                                Some(5) => DeclaredFormat::Png,
                                _ => DeclaredFormat::Unknown,
                            },
                            width: rep.width.and_then(|w| u32::try_from(w).ok()),
                            height: rep.height.and_then(|h| u32::try_from(h).ok()),
                        });
                    }
                }
            }
        }
        out
    }
}

/// The ICAO biometric header for a face with `format_type` (0008 for 19794-5).
pub fn face_header(format_type: u16) -> BiometricHeader {
    BiometricHeader {
        icao_header_version: Some(vec![0x01, 0x01]),
        biometric_type: Some(vec![0x02]),
        biometric_subtype: Some(vec![0x00]),
        format_owner: Some(vec![0x01, 0x01]),
        format_type: Some(format_type.to_be_bytes().to_vec()),
        ..Default::default()
    }
}

/// DG3 (fingerprints) or DG4 (irises): headers decoded, records kept raw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBiometricDg {
    /// The templates (header + raw record).
    pub group: BiometricGroup,
}

impl RawBiometricDg {
    /// Parses DG3.
    pub fn parse_dg3(bytes: &[u8]) -> Result<Self, LdsError> {
        Ok(RawBiometricDg {
            group: BiometricGroup::parse(bytes, DG3_TAG, "DG3")?,
        })
    }
    /// Parses DG4.
    pub fn parse_dg4(bytes: &[u8]) -> Result<Self, LdsError> {
        Ok(RawBiometricDg {
            group: BiometricGroup::parse(bytes, DG4_TAG, "DG4")?,
        })
    }
    /// Encodes it.
    pub fn encode(&self) -> Vec<u8> {
        self.group.encode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso39794_5::Representation;

    #[test]
    fn round_trip_two_templates_both_encodings() {
        let mut dg2 = Dg2::single_19794(vec![0xFF, 0xD8, 0xFF, 0xE0], ImageDataType::Jpeg, 4, 5);
        dg2.templates.push(FaceTemplate {
            header: face_header(0x002A),
            record: FaceRecord::Iso39794(FaceImageData {
                generation: 3,
                year: 2019,
                wrapped: true,
                representations: vec![Representation {
                    image: vec![0xFF, 0x4F, 0xFF, 0x51],
                    image_data_format: Some(3),
                    width: Some(7),
                    height: Some(8),
                    ..Default::default()
                }],
            }),
            constructed_bdb: true,
        });
        let enc = dg2.encode().unwrap();
        let back = Dg2::parse(&enc).unwrap();
        assert_eq!(back.encode().unwrap(), enc);
        let faces = back.faces();
        assert_eq!(faces.len(), 2);
        assert_eq!(faces[0].declared, DeclaredFormat::Jpeg);
        assert_eq!(faces[1].declared, DeclaredFormat::Jpeg2000);
        assert_eq!((faces[1].width, faces[1].height), (Some(7), Some(8)));
        assert_eq!(faces[1].template, 1);
    }

    #[test]
    fn count_must_match() {
        let dg2 = Dg2::single_19794(vec![0xFF, 0xD8, 0xFF], ImageDataType::Jpeg, 1, 1);
        let mut enc = dg2.encode().unwrap();
        // 75 L 7F61 L 02 01 [01] -> 02
        let pos = enc
            .windows(3)
            .position(|w| w == [0x02, 0x01, 0x01])
            .unwrap();
        enc[pos + 2] = 2;
        assert!(matches!(
            Dg2::parse(&enc).unwrap_err(),
            LdsError::Invalid { field: "number of instances", reason, .. } if reason == "says 2, the group holds 1"
        ));
    }
}
