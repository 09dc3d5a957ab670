//! DG2/DG3/DG4/DG7 and the 19794-5 / 39794-5 records from ../shared/realworld.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use epassport_lds::dg2::FaceRecord;
use epassport_lds::image::{DeclaredFormat, DecodeLimits, ImageFormat, ImageWarning};
use epassport_lds::iso19794_5::{FacialRecord, ImageDataType};
use epassport_lds::iso39794_5::FaceImageData;
use epassport_lds::iso39794_5::{
    Landmark, LandmarkCoordinates, LandmarkKind, PadScore, QualityBlock, RegistryId, ScoreOrError,
};
use epassport_lds::{Dg2, DisplayedImages, DisplayedKind, LdsError, RawBiometricDg};

#[test]
fn bsi2008_dg2_is_a_19794_record_with_a_jp2_face_that_decodes() {
    let bytes = common::read("lds/bsi2008/DG2.bin");
    let dg2 = Dg2::parse(&bytes).unwrap();
    assert_eq!(dg2.encode().unwrap(), bytes, "re-encodes byte for byte");
    assert_eq!(dg2.templates.len(), 1);
    let FaceRecord::Iso19794(r) = &dg2.templates[0].record else {
        panic!("expected 19794-5")
    };
    assert_eq!(r.images.len(), 1);
    let im = &r.images[0];
    assert_eq!(im.image_data_type, ImageDataType::Jpeg2000);
    let faces = dg2.faces();
    let img = faces[0].decode(&DecodeLimits::default()).unwrap();
    assert_eq!(img.format, ImageFormat::Jp2);
    // The record's header says 337x449; the JPEG 2000 image itself is 413x531.
    assert_eq!((im.width, im.height), (337, 449));
    assert_eq!((img.width, img.height), (413, 531));
    assert_eq!(
        img.warnings,
        [ImageWarning::SizeMismatch {
            declared: (337, 449),
            actual: (413, 531)
        }]
    );
    assert_eq!(
        img.pixels.len(),
        (img.width * img.height) as usize * img.channels as usize
    );
}

#[test]
fn gmrtd_dg2_says_jpeg2000_over_a_jpeg_and_decodes_as_jpeg_with_a_warning() {
    let bytes = common::read("lds/gmrtd-samples/DG2_19794-5_JPEG.bin");
    let dg2 = Dg2::parse(&bytes).unwrap();
    assert_eq!(dg2.encode().unwrap(), bytes);
    let faces = dg2.faces();
    assert_eq!(faces.len(), 1);
    assert_eq!(faces[0].declared, DeclaredFormat::Jpeg2000);
    let img = faces[0].decode(&DecodeLimits::default()).unwrap();
    assert_eq!(img.format, ImageFormat::Jpeg);
    assert_eq!((img.width, img.height), (148, 70));
    assert_eq!(
        img.warnings,
        [ImageWarning::FormatMismatch {
            declared: DeclaredFormat::Jpeg2000,
            actual: ImageFormat::Jpeg
        }]
    );
}

#[test]
fn iso19794_test1_record_has_all_header_fields() {
    let bytes = common::read("biometrics/ISO19794_Test1_Data.bin");
    let r = FacialRecord::parse(&bytes, 0).unwrap();
    assert_eq!(r.encode().unwrap(), bytes);
    let im = &r.images[0];
    assert_eq!((im.width, im.height), (148, 70));
    assert_eq!(im.image_data_type, ImageDataType::Jpeg2000);
    assert_eq!(im.feature_points.len(), 0);
    let face = epassport_lds::image::decode(
        &im.image,
        DeclaredFormat::Jpeg2000,
        &DecodeLimits::default(),
    )
    .unwrap();
    assert_eq!(face.format, ImageFormat::Jpeg);
}

#[test]
fn corrupted_image_record_parses_but_the_image_gives_a_clear_error() {
    let bytes = common::read("biometrics/ISO19794_Test2_Data_InvalidImage.bin");
    let r = FacialRecord::parse(&bytes, 0).unwrap();
    let im = &r.images[0];
    let err = epassport_lds::image::decode(
        &im.image,
        DeclaredFormat::Jpeg2000,
        &DecodeLimits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LdsError::ImageDecode { .. } | LdsError::UnknownImageFormat { .. }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().is_empty());
}

#[test]
fn silver_dg2_holds_a_39794_record_with_a_jp2() {
    let bytes = common::read("biometrics/dg2_silver_all_fields.bin");
    let dg2 = Dg2::parse(&bytes).unwrap();
    let t = &dg2.templates[0];
    assert_eq!(t.header.format_type_u16(), Some(0x002A));
    assert!(t.header.creation_date_time.is_some());
    let FaceRecord::Iso39794(r) = &t.record else {
        panic!("expected 39794-5")
    };
    assert_eq!((r.generation, r.year), (3, 2019));
    assert_eq!(r.representations.len(), 1);
    let rep = &r.representations[0];
    assert_eq!(rep.image.len(), 15000);
    assert_eq!(rep.image, common::read("biometrics/silver.jp2"));
    let faces = dg2.faces();
    let img = faces[0].decode(&DecodeLimits::default()).unwrap();
    assert_eq!(img.format, ImageFormat::Jp2);
    // The modelled fields survive our own encoding.
    let mut back = FaceImageData::parse(&r.encode(), 0).unwrap();
    back.representations[0].image_offset = rep.image_offset;
    // Everything decoded survives our own encoding (capture time, quality, PAD, landmarks and
    // the raw elements included).
    assert_eq!(&back, r);
    assert_eq!((rep.width, rep.height), (Some(572), Some(731)));
    assert_eq!((img.width, img.height), (413, 531));
    assert_eq!(rep.image_data_format, Some(3));
    assert_eq!(
        (rep.gender, rep.eye_colour, rep.hair_colour),
        (Some(3), Some(3), Some(5))
    );
    assert_eq!(rep.subject_height, Some(1786));
    assert_eq!(rep.pose, [Some(2), Some(3), Some(1)]);
    // Capture time, quality, PAD and landmark blocks decoded (JMRTD's all-fields sample).
    assert_eq!(
        rep.capture_date_time
            .as_ref()
            .map(|d| d.to_string())
            .as_deref(),
        Some("2024-01-20T13:23:09.908")
    );
    assert_eq!(
        rep.quality,
        [QualityBlock {
            algorithm: Some(RegistryId {
                organization: 1,
                id: 1
            }),
            score: Some(ScoreOrError::Score(99)),
        }]
    );
    assert_eq!(
        rep.landmarks,
        [Landmark {
            kind: Some(LandmarkKind::Mpeg4(10)),
            coordinates: Some(LandmarkCoordinates::Cartesian2D { x: 90, y: 22 }),
        }]
    );
    let pad = rep.pad.as_ref().unwrap();
    assert_eq!(pad.decision, Some(0));
    assert_eq!(
        pad.scores,
        [PadScore {
            mechanism: Some(RegistryId {
                organization: 1,
                id: 1
            }),
            score: Some(ScoreOrError::Score(99)),
        }]
    );
    assert_eq!(pad.extended_data.len(), 1);
    assert_eq!(pad.extended_data[0].data, b"ExtendedDataBlock data");
    assert_eq!(
        (
            pad.capture_context,
            pad.supervision_level,
            pad.risk_level,
            pad.criteria_category
        ),
        (Some(0), Some(0), Some(5), Some(2))
    );
    assert_eq!(pad.parameter.as_deref(), Some(&b"PAD Parameter"[..]));
    assert_eq!(pad.challenges, [b"Challenge1".to_vec()]);
    assert_eq!(
        pad.capture_date_time
            .as_ref()
            .map(|d| d.to_string())
            .as_deref(),
        Some("2024-01-22T15:16:17.018")
    );
    assert!(pad.other_elements.is_empty());
    // Session id [5], derived-from [6] and the capture device block [7] are kept raw.
    let tags: Vec<u32> = rep.other_elements.iter().map(|(t, _)| *t).collect();
    assert_eq!(tags, [0x85, 0x86, 0xA7]);
    assert_eq!(rep.other_elements[0].1, [0x85, 0x01, 0x09]);
}

#[test]
fn bsi2008_dg3_dg4_headers() {
    let dg3 = RawBiometricDg::parse_dg3(&common::read("lds/bsi2008/DG3.bin")).unwrap();
    assert_eq!(dg3.encode(), common::read("lds/bsi2008/DG3.bin"));
    assert_eq!(dg3.group.templates.len(), 2);
    for t in &dg3.group.templates {
        assert_eq!(t.record_format_identifier().as_deref(), Some("FIR"));
        assert_eq!(t.header.biometric_type_u32(), Some(8));
    }
    let dg4 = RawBiometricDg::parse_dg4(&common::read("lds/bsi2008/DG4.bin")).unwrap();
    assert_eq!(dg4.encode(), common::read("lds/bsi2008/DG4.bin"));
    assert_eq!(
        dg4.group.templates[0].record_format_identifier().as_deref(),
        Some("IIR")
    );
}

#[test]
fn gmrtd_dg7_displayed_signature() {
    let bytes = common::read("lds/gmrtd-samples/DG7.bin");
    let dg7 = DisplayedImages::parse(&bytes, DisplayedKind::Signature).unwrap();
    assert_eq!(dg7.encode(), bytes);
    assert_eq!(dg7.images.len(), 1);
    let img = epassport_lds::image::decode(
        &dg7.images[0],
        DeclaredFormat::Unknown,
        &DecodeLimits::default(),
    )
    .unwrap();
    assert_eq!(img.format, ImageFormat::Jpeg);
}
