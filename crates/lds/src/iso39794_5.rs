//! ISO/IEC 39794-5 face image data, tagged BER encoding (the LDS 2 / 9303-10 2021 format of
//! DG2's biometric data blocks, stored in `7F2E`).
//!
//! The module reads what a verifier needs from each representation (image bytes, format, size,
//! colour space, kind, identity metadata and pose) and ignores the blocks it does not model
//! (quality, PAD, landmarks, capture device details) after checking they are well-formed BER.
//! The encoder writes those modelled fields, which is what the fixture generator needs.

use crate::LdsError;
use crate::obj::{self, Obj};
use epassport_tlv::{Tag, encode};

/// `[APPLICATION 5]`, the FaceImageData tag.
pub const FACE_IMAGE_DATA: Tag = Tag(0x65);
/// The `[1]` wrapper some encoders put around FaceImageData inside `7F2E`.
pub const WRAPPER: Tag = Tag(0xA1);
/// The most representations one record may hold.
pub const MAX_REPRESENTATIONS: usize = 64;

/// Names of 39794-5 ImageDataFormat codes.
pub fn image_data_format_name(code: i64) -> &'static str {
    match code {
        0 => "unknown",
        1 => "other",
        2 => "JPEG",
        3 => "JPEG 2000 lossy",
        4 => "JPEG 2000 lossless",
        5 => "PNG",
        _ => "unassigned",
    }
}
/// Names of 39794-5 Gender codes.
pub fn gender_name(code: i64) -> &'static str {
    match code {
        0 => "unknown",
        1 => "other",
        2 => "male",
        3 => "female",
        _ => "unassigned",
    }
}
/// Names of 39794-5 EyeColour codes.
pub fn eye_colour_name(code: i64) -> &'static str {
    match code {
        0 => "unknown",
        1 => "other",
        2 => "black",
        3 => "blue",
        4 => "brown",
        5 => "grey",
        6 => "green",
        7 => "multi-coloured",
        8 => "pink",
        _ => "unassigned",
    }
}
/// Names of 39794-5 HairColour codes.
pub fn hair_colour_name(code: i64) -> &'static str {
    match code {
        0 => "unknown",
        1 => "other",
        2 => "bald",
        3 => "black",
        4 => "blonde",
        5 => "brown",
        6 => "grey",
        7 => "white",
        8 => "red",
        9 => "known coloured",
        _ => "unassigned",
    }
}

/// One face image representation.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Representation {
    /// `representationId`.
    pub id: i64,
    /// The encoded image (`representationData2D`).
    pub image: Vec<u8>,
    /// Absolute offset of the image bytes in the file.
    pub image_offset: usize,
    /// ImageDataFormat code (2 JPEG, 3/4 JPEG 2000, 5 PNG; see [`image_data_format_name`]).
    pub image_data_format: Option<i64>,
    /// FaceImageKind2D code (0 MRTD, 1 general purpose).
    pub face_image_kind: Option<i64>,
    /// LossyTransformationAttempts code.
    pub lossy_transformation_attempts: Option<i64>,
    /// Camera to subject distance (mm).
    pub camera_to_subject_distance: Option<i64>,
    /// Sensor diagonal (mm).
    pub sensor_diagonal: Option<i64>,
    /// Lens focal length (mm).
    pub lens_focal_length: Option<i64>,
    /// Declared width in pixels.
    pub width: Option<i64>,
    /// Declared height in pixels.
    pub height: Option<i64>,
    /// ImageColourSpace code (2 RGB 24-bit, 5 greyscale 8-bit...).
    pub colour_space: Option<i64>,
    /// Gender code (see [`gender_name`]).
    pub gender: Option<i64>,
    /// Eye colour code.
    pub eye_colour: Option<i64>,
    /// Hair colour code.
    pub hair_colour: Option<i64>,
    /// Subject height (mm).
    pub subject_height: Option<i64>,
    /// Pose yaw, pitch, roll angle values (degrees).
    pub pose: [Option<i64>; 3],
    /// Number of quality blocks present (not decoded further).
    pub quality_blocks: usize,
    /// Number of landmark blocks present (not decoded further).
    pub landmark_blocks: usize,
}

impl std::fmt::Debug for Representation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Representation")
            .field("id", &self.id)
            .field("image_data_format", &self.image_data_format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("image", &format_args!("{} bytes", self.image.len()))
            .finish_non_exhaustive()
    }
}

/// FaceImageData (ISO/IEC 39794-5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaceImageData {
    /// Version block generation (3 for the 2019 edition).
    pub generation: i64,
    /// Version block year (2019).
    pub year: i64,
    /// The representations.
    pub representations: Vec<Representation>,
    /// Whether FaceImageData was wrapped in `A1` inside the data block.
    pub wrapped: bool,
}

fn ctx(o: &Obj<'_>, n: u32) -> bool {
    o.tag.0 == 0x80 | n || o.tag.0 == 0xA0 | n
}

fn find<'a>(kids: &[Obj<'a>], n: u32) -> Option<Obj<'a>> {
    kids.iter().find(|k| ctx(k, n)).copied()
}

fn int(o: &Obj<'_>, field: &'static str) -> Result<i64, LdsError> {
    if o.value.is_empty() || o.value.len() > 8 {
        return Err(LdsError::invalid(
            field,
            o.value_offset,
            format!("integer of {} bytes", o.value.len()),
        ));
    }
    let mut v: i64 = if o.value[0] & 0x80 != 0 { -1 } else { 0 };
    for &b in o.value {
        v = (v << 8) | b as i64;
    }
    Ok(v)
}

/// An optional INTEGER `[n]`.
fn opt_int(kids: &[Obj<'_>], n: u32, field: &'static str) -> Result<Option<i64>, LdsError> {
    find(kids, n).map(|o| int(&o, field)).transpose()
}

/// A code `[n]`: either `[n] INTEGER` or the choice `[n] { code [0] INTEGER | extension [1] }`.
fn opt_code(kids: &[Obj<'_>], n: u32, field: &'static str) -> Result<Option<i64>, LdsError> {
    let Some(o) = find(kids, n) else {
        return Ok(None);
    };
    if o.tag.is_constructed() {
        let inner = o.children(field)?;
        match (find(&inner, 0), find(&inner, 1)) {
            (Some(c), _) if !c.tag.is_constructed() => Ok(Some(int(&c, field)?)),
            // An extension block `[1]`: some encoders (JMRTD) put the code at its `[0]`.
            (_, Some(ext)) if ext.tag.is_constructed() => {
                let e = ext.children(field)?;
                match find(&e, 0) {
                    Some(c) if !c.tag.is_constructed() => Ok(Some(int(&c, field)?)),
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    } else {
        Ok(Some(int(&o, field)?))
    }
}

fn constructed<'a>(
    kids: &[Obj<'a>],
    n: u32,
    field: &'static str,
) -> Result<Option<Vec<Obj<'a>>>, LdsError> {
    match find(kids, n) {
        None => Ok(None),
        Some(o) if o.tag.is_constructed() => Ok(Some(o.children(field)?)),
        Some(o) => Err(LdsError::invalid(
            field,
            o.offset,
            "expected a constructed block",
        )),
    }
}

/// How many elements a (possibly SEQUENCE OF) block holds.
fn block_count(kids: &[Obj<'_>], n: u32, field: &'static str) -> Result<usize, LdsError> {
    match find(kids, n) {
        None => Ok(0),
        Some(o) => {
            let inner = o.children(field)?;
            if inner.iter().all(|c| c.tag == Tag(0x30)) && !inner.is_empty() {
                Ok(inner.len())
            } else {
                Ok(1)
            }
        }
    }
}

impl FaceImageData {
    /// True when a biometric data block looks like a 39794-5 record.
    pub fn is_39794(bdb: &[u8]) -> bool {
        matches!(bdb.first(), Some(0x65) | Some(0xA1))
    }

    /// Parses a data block's bytes; `base` is their offset in the file.
    pub fn parse(bdb: &[u8], base: usize) -> Result<Self, LdsError> {
        const F: &str = "39794-5 FaceImageData";
        let first = obj::obj_at(bdb, 0, base, F)?;
        let end = first.value_offset - base + first.value.len();
        if end != bdb.len() {
            return Err(LdsError::invalid(
                F,
                base + end,
                format!("{} trailing bytes", bdb.len() - end),
            ));
        }
        let (fid, wrapped) = if first.tag == WRAPPER {
            let inner = first.children(F)?;
            match inner.as_slice() {
                [one] => (*one, true),
                _ => {
                    return Err(LdsError::invalid(
                        F,
                        first.offset,
                        "wrapper must hold one FaceImageData",
                    ));
                }
            }
        } else {
            (first, false)
        };
        let fid = fid.expect(FACE_IMAGE_DATA, F)?;
        let kids = fid.children(F)?;
        let version = constructed(&kids, 0, "39794-5 version block")?
            .ok_or_else(|| fid.missing(Tag(0xA0), "39794-5 version block"))?;
        let generation = opt_int(&version, 0, "39794-5 generation")?.unwrap_or(0);
        let year = opt_int(&version, 1, "39794-5 year")?.unwrap_or(0);
        let reps_obj = find(&kids, 1)
            .ok_or_else(|| fid.missing(Tag(0xA1), "39794-5 representation blocks"))?;
        let mut reps_list = reps_obj.children("39794-5 representation blocks")?;
        // SEQUENCE OF RepresentationBlock, or a single block's elements directly.
        if !reps_list.iter().all(|r| r.tag == Tag(0x30)) {
            reps_list = vec![reps_obj];
        }
        if reps_list.len() > MAX_REPRESENTATIONS {
            return Err(LdsError::invalid(
                "39794-5 representation blocks",
                reps_obj.offset,
                format!(
                    "{} representations, at most {MAX_REPRESENTATIONS}",
                    reps_list.len()
                ),
            ));
        }
        let mut representations = Vec::new();
        for r in reps_list {
            representations.push(parse_representation(&r)?);
        }
        Ok(FaceImageData {
            generation,
            year,
            representations,
            wrapped,
        })
    }

    /// Encodes FaceImageData with the fields modelled here.
    pub fn encode(&self) -> Vec<u8> {
        let mut version = encode(Tag(0x80), &int_bytes(self.generation));
        version.extend(encode(Tag(0x81), &int_bytes(self.year)));
        let mut body = encode(Tag(0xA0), &version);
        let mut reps = Vec::new();
        for r in &self.representations {
            reps.extend(encode_representation(r));
        }
        body.extend(encode(Tag(0xA1), &reps));
        let fid = encode(FACE_IMAGE_DATA, &body);
        if self.wrapped {
            encode(WRAPPER, &fid)
        } else {
            fid
        }
    }
}

fn parse_representation(r: &Obj<'_>) -> Result<Representation, LdsError> {
    const F: &str = "39794-5 representation block";
    let kids = r.children(F)?;
    let id = opt_int(&kids, 0, "39794-5 representation id")?.unwrap_or(0);
    // imageRepresentation [1] -> base [0] -> imageRepresentation2DBlock [0]
    let ir = constructed(&kids, 1, "39794-5 image representation")?
        .ok_or_else(|| r.missing(Tag(0xA1), "39794-5 image representation"))?;
    let base = constructed(&ir, 0, "39794-5 image representation base")?.ok_or_else(|| {
        LdsError::invalid(
            "39794-5 image representation",
            r.offset,
            "no base (2D) representation",
        )
    })?;
    let two_d = constructed(&base, 0, "39794-5 2D representation")?.ok_or_else(|| {
        LdsError::invalid("39794-5 image representation", r.offset, "no 2D block")
    })?;
    let data = find(&two_d, 0).ok_or_else(|| {
        LdsError::invalid("39794-5 representation data", r.offset, "no image data")
    })?;
    if data.tag.is_constructed() {
        return Err(LdsError::invalid(
            "39794-5 representation data",
            data.offset,
            "constructed image data",
        ));
    }
    let mut rep = Representation {
        id,
        image: data.value.to_vec(),
        image_offset: data.value_offset,
        ..Default::default()
    };
    if let Some(info) = constructed(&two_d, 1, "39794-5 image information")? {
        rep.image_data_format = opt_code(&info, 0, "39794-5 image data format")?;
        rep.face_image_kind = opt_code(&info, 1, "39794-5 face image kind")?;
        rep.lossy_transformation_attempts =
            opt_code(&info, 3, "39794-5 lossy transformation attempts")?;
        rep.camera_to_subject_distance = opt_int(&info, 4, "39794-5 camera to subject distance")?;
        rep.sensor_diagonal = opt_int(&info, 5, "39794-5 sensor diagonal")?;
        rep.lens_focal_length = opt_int(&info, 6, "39794-5 lens focal length")?;
        if let Some(size) = constructed(&info, 7, "39794-5 image size")? {
            rep.width = opt_int(&size, 0, "39794-5 width")?;
            rep.height = opt_int(&size, 1, "39794-5 height")?;
        }
        rep.colour_space = opt_code(&info, 9, "39794-5 colour space")?;
    }
    rep.quality_blocks = block_count(&kids, 3, "39794-5 quality blocks")?;
    rep.landmark_blocks = block_count(&kids, 9, "39794-5 landmark blocks")?;
    if let Some(idm) = constructed(&kids, 8, "39794-5 identity metadata")? {
        rep.gender = opt_code(&idm, 0, "39794-5 gender")?;
        rep.eye_colour = opt_code(&idm, 1, "39794-5 eye colour")?;
        rep.hair_colour = opt_code(&idm, 2, "39794-5 hair colour")?;
        rep.subject_height = opt_int(&idm, 3, "39794-5 subject height")?;
        if let Some(pose) = constructed(&idm, 6, "39794-5 pose angle")? {
            for (i, slot) in rep.pose.iter_mut().enumerate() {
                if let Some(angle) = constructed(&pose, i as u32, "39794-5 angle")? {
                    *slot = opt_int(&angle, 0, "39794-5 angle value")?;
                }
            }
        }
    }
    Ok(rep)
}

fn int_bytes(v: i64) -> Vec<u8> {
    // crate::der::encode_int gives `02 len value`; keep the value.
    let e = crate::der::encode_int(v);
    e[2..].to_vec()
}

fn code(n: u32, v: i64) -> Vec<u8> {
    encode(Tag(0xA0 | n), &encode(Tag(0x80), &int_bytes(v)))
}

fn encode_representation(r: &Representation) -> Vec<u8> {
    let mut info = Vec::new();
    if let Some(v) = r.image_data_format {
        info.extend(code(0, v));
    }
    if let Some(v) = r.face_image_kind {
        info.extend(code(1, v));
    }
    if let Some(v) = r.lossy_transformation_attempts {
        info.extend(code(3, v));
    }
    for (n, v) in [
        (4, r.camera_to_subject_distance),
        (5, r.sensor_diagonal),
        (6, r.lens_focal_length),
    ] {
        if let Some(v) = v {
            info.extend(encode(Tag(0x80 | n), &int_bytes(v)));
        }
    }
    if r.width.is_some() || r.height.is_some() {
        let mut s = Vec::new();
        if let Some(w) = r.width {
            s.extend(encode(Tag(0x80), &int_bytes(w)));
        }
        if let Some(h) = r.height {
            s.extend(encode(Tag(0x81), &int_bytes(h)));
        }
        info.extend(encode(Tag(0xA7), &s));
    }
    if let Some(v) = r.colour_space {
        info.extend(code(9, v));
    }
    let mut two_d = encode(Tag(0x80), &r.image);
    two_d.extend(encode(Tag(0xA1), &info));
    let ir = encode(Tag(0xA1), &encode(Tag(0xA0), &encode(Tag(0xA0), &two_d)));
    let mut rep = encode(Tag(0x80), &int_bytes(r.id));
    rep.extend(ir);
    let mut idm = Vec::new();
    for (n, v) in [(0, r.gender), (1, r.eye_colour), (2, r.hair_colour)] {
        if let Some(v) = v {
            idm.extend(code(n, v));
        }
    }
    if let Some(h) = r.subject_height {
        idm.extend(encode(Tag(0x83), &int_bytes(h)));
    }
    if r.pose.iter().any(Option::is_some) {
        let mut p = Vec::new();
        for (i, a) in r.pose.iter().enumerate() {
            if let Some(a) = a {
                p.extend(encode(
                    Tag(0xA0 | i as u32),
                    &encode(Tag(0x80), &int_bytes(*a)),
                ));
            }
        }
        idm.extend(encode(Tag(0xA6), &p));
    }
    if !idm.is_empty() {
        rep.extend(encode(Tag(0xA8), &idm));
    }
    encode(Tag(0x30), &rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d = FaceImageData {
            generation: 3,
            year: 2019,
            wrapped: true,
            representations: vec![Representation {
                id: 0,
                image: vec![0xFF, 0xD8, 0xFF, 1, 2, 3],
                image_data_format: Some(2),
                face_image_kind: Some(0),
                width: Some(413),
                height: Some(531),
                colour_space: Some(2),
                gender: Some(3),
                eye_colour: Some(4),
                hair_colour: Some(5),
                subject_height: Some(1700),
                pose: [Some(0), Some(-5), Some(10)],
                lossy_transformation_attempts: Some(1),
                camera_to_subject_distance: Some(1500),
                ..Default::default()
            }],
        };
        let enc = d.encode();
        let mut back = FaceImageData::parse(&enc, 0).unwrap();
        assert!(back.representations[0].image_offset > 0);
        back.representations[0].image_offset = 0;
        assert_eq!(back, d);
        let mut d2 = d.clone();
        d2.wrapped = false;
        let mut back = FaceImageData::parse(&d2.encode(), 0).unwrap();
        back.representations[0].image_offset = 0;
        assert_eq!(back, d2);
    }

    #[test]
    fn errors() {
        assert!(matches!(
            FaceImageData::parse(&[0x65, 0x00], 0).unwrap_err(),
            LdsError::Missing {
                field: "39794-5 version block",
                ..
            }
        ));
        assert!(matches!(
            FaceImageData::parse(&[0x65, 0x05, 0xA0, 0x03], 7).unwrap_err(),
            LdsError::Tlv { .. }
        ));
        assert!(matches!(
            FaceImageData::parse(&[0x30, 0x00], 0).unwrap_err(),
            LdsError::UnexpectedTag { .. }
        ));
    }
}
