//! ISO/IEC 39794-5 face image data, tagged BER encoding (the LDS 2 / 9303-10 2021 format of
//! DG2's biometric data blocks, stored in `7F2E`).
//!
//! The module reads what a verifier needs from each representation (image bytes, format, size,
//! colour space, kind, identity metadata and pose) and decodes the quality blocks (algorithm
//! registry id, score or error code), landmark blocks (kind, code, 2D/texture/3D coordinates),
//! the presentation-attack-detection data block (ISO/IEC 39794-1: decision, score blocks,
//! extended data, capture context, supervision level, risk level, criteria category, parameter,
//! challenges, capture time) and the capture date and time. Representation elements it does not
//! model (session id, derived-from, capture device, future extensions) are kept as raw TLVs.
//! The encoder writes the image and its information, identity metadata and pose (what the fixture
//! generator needs), and the decoded capture time, quality, PAD and landmark blocks and the kept
//! raw elements, so a decoded record encodes back to an equal value.

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
    /// Capture date and time (`captureDateTimeBlock [2]`).
    pub capture_date_time: Option<DateTime>,
    /// Quality blocks (`qualityBlocks [3]`).
    pub quality: Vec<QualityBlock>,
    /// Presentation attack detection data (`padDataBlock [4]`).
    pub pad: Option<PadData>,
    /// Landmark blocks (`landmarkBlocks [9]`).
    pub landmarks: Vec<Landmark>,
    /// Representation elements not modelled here, kept as (tag, whole TLV in DER).
    pub other_elements: Vec<(u32, Vec<u8>)>,
}

/// A 39794-1 `DateTimeBlock` (fields absent in the record are `None`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DateTime {
    /// Year.
    pub year: Option<i64>,
    /// Month (1-12).
    pub month: Option<i64>,
    /// Day of month.
    pub day: Option<i64>,
    /// Hour.
    pub hour: Option<i64>,
    /// Minute.
    pub minute: Option<i64>,
    /// Second.
    pub second: Option<i64>,
    /// Millisecond.
    pub millisecond: Option<i64>,
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |x: Option<i64>| x.map_or("??".to_string(), |x| format!("{x:02}"));
        write!(
            f,
            "{}-{}-{}T{}:{}:{}",
            self.year.map_or("????".to_string(), |y| format!("{y:04}")),
            v(self.month),
            v(self.day),
            v(self.hour),
            v(self.minute),
            v(self.second)
        )?;
        if let Some(ms) = self.millisecond {
            write!(f, ".{ms:03}")?;
        }
        Ok(())
    }
}

/// A 39794-1 `RegistryIdBlock`: the organisation and the product/algorithm id it registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RegistryId {
    /// Organisation (CBEFF biometric organisation).
    pub organization: i64,
    /// The id within the organisation.
    pub id: i64,
}

/// A score, or the error code given instead of one (39794-1 `ScoreOrError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreOrError {
    /// The score (0-100 for quality).
    Score(i64),
    /// The error code (why no score was computed).
    Error(i64),
}

/// A 39794-1 `QualityBlock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualityBlock {
    /// The quality algorithm.
    pub algorithm: Option<RegistryId>,
    /// Its score or error.
    pub score: Option<ScoreOrError>,
}

/// A 39794-1 PAD score block: the mechanism and its score or error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PadScore {
    /// The PAD mechanism.
    pub mechanism: Option<RegistryId>,
    /// Its score or error.
    pub score: Option<ScoreOrError>,
}

/// A 39794-1 extended data block: a registered type and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedData {
    /// The data type.
    pub data_type: Option<RegistryId>,
    /// The data.
    pub data: Vec<u8>,
}

/// The 39794-1 `PADDataBlock`: codes as found (see ISO/IEC 39794-1 for their meaning).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PadData {
    /// PAD decision code `[0]`.
    pub decision: Option<i64>,
    /// Score blocks `[1]`.
    pub scores: Vec<PadScore>,
    /// Extended data blocks `[2]`.
    pub extended_data: Vec<ExtendedData>,
    /// Capture context code `[3]`.
    pub capture_context: Option<i64>,
    /// Supervision level code `[4]`.
    pub supervision_level: Option<i64>,
    /// Risk level `[5]`.
    pub risk_level: Option<i64>,
    /// Criteria category code `[6]`.
    pub criteria_category: Option<i64>,
    /// Parameter `[7]` (bytes as found).
    pub parameter: Option<Vec<u8>>,
    /// Challenges `[8]` (each as found).
    pub challenges: Vec<Vec<u8>>,
    /// Capture date and time `[9]`.
    pub capture_date_time: Option<DateTime>,
    /// Elements not modelled here, kept as (tag, whole TLV in DER).
    pub other_elements: Vec<(u32, Vec<u8>)>,
}

/// What a landmark's kind is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandmarkKind {
    /// An MPEG-4 feature point (`mpeg4 [0]`), with its code.
    Mpeg4(i64),
    /// An anthropometric landmark (`anthropometricLandmark [1]`), with its code.
    Anthropometric(i64),
    /// A kind this crate does not know (the choice's tag number).
    Other(u32),
}

/// Where a landmark is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandmarkCoordinates {
    /// Image pixel coordinates (`coordinateCartesian2DBlock [0]`).
    Cartesian2D {
        /// x.
        x: i64,
        /// y.
        y: i64,
    },
    /// Texture image coordinates (`coordinateTextureImageBlock [1]`).
    TextureImage {
        /// u.
        u: i64,
        /// v.
        v: i64,
    },
    /// 3D coordinates (`coordinateCartesian3DBlock [2]`).
    Cartesian3D {
        /// x.
        x: i64,
        /// y.
        y: i64,
        /// z.
        z: i64,
    },
    /// A coordinate system this crate does not know (the choice's tag number).
    Other(u32),
}

/// A 39794-5 `LandmarkBlock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landmark {
    /// The kind and code.
    pub kind: Option<LandmarkKind>,
    /// The coordinates, when given.
    pub coordinates: Option<LandmarkCoordinates>,
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

/// The most quality, landmark, PAD score or challenge entries one block may hold.
pub const MAX_BLOCKS: usize = 256;

/// The elements of a SEQUENCE OF block `[n]` (each a SEQUENCE's children); a block whose
/// children are not SEQUENCEs is taken as one element.
fn sequence_of<'a>(
    kids: &[Obj<'a>],
    n: u32,
    field: &'static str,
) -> Result<Vec<Vec<Obj<'a>>>, LdsError> {
    let Some(o) = find(kids, n) else {
        return Ok(Vec::new());
    };
    if !o.tag.is_constructed() {
        return Err(LdsError::invalid(
            field,
            o.offset,
            "expected a constructed block",
        ));
    }
    let inner = o.children(field)?;
    if inner.len() > MAX_BLOCKS {
        return Err(LdsError::invalid(
            field,
            o.offset,
            format!("{} entries, at most {MAX_BLOCKS}", inner.len()),
        ));
    }
    if !inner.is_empty() && inner.iter().all(|c| c.tag == Tag(0x30)) {
        inner.iter().map(|c| c.children(field)).collect()
    } else {
        Ok(vec![inner])
    }
}

/// The whole TLV of `o` (its header re-encoded in DER).
fn raw(o: &Obj<'_>) -> Vec<u8> {
    // Header bytes are not kept by Obj: re-encode tag and length around the value.
    encode(o.tag, o.value)
}

fn date_time(o: &Obj<'_>, field: &'static str) -> Result<DateTime, LdsError> {
    if !o.tag.is_constructed() {
        return Err(LdsError::invalid(
            field,
            o.offset,
            "expected a constructed block",
        ));
    }
    let k = o.children(field)?;
    Ok(DateTime {
        year: opt_int(&k, 0, field)?,
        month: opt_int(&k, 1, field)?,
        day: opt_int(&k, 2, field)?,
        hour: opt_int(&k, 3, field)?,
        minute: opt_int(&k, 4, field)?,
        second: opt_int(&k, 5, field)?,
        millisecond: opt_int(&k, 6, field)?,
    })
}

fn registry_id(
    kids: &[Obj<'_>],
    n: u32,
    field: &'static str,
) -> Result<Option<RegistryId>, LdsError> {
    let Some(k) = constructed(kids, n, field)? else {
        return Ok(None);
    };
    Ok(Some(RegistryId {
        organization: opt_int(&k, 0, field)?.unwrap_or(0),
        id: opt_int(&k, 1, field)?.unwrap_or(0),
    }))
}

/// `ScoreOrError ::= CHOICE { score [0] INTEGER, error [1] code }` at `[n]`.
fn score_or_error(
    kids: &[Obj<'_>],
    n: u32,
    field: &'static str,
) -> Result<Option<ScoreOrError>, LdsError> {
    let Some(k) = constructed(kids, n, field)? else {
        return Ok(None);
    };
    if let Some(s) = opt_int(&k, 0, field)? {
        return Ok(Some(ScoreOrError::Score(s)));
    }
    Ok(opt_code(&k, 1, field)?.map(ScoreOrError::Error))
}

fn quality_block(k: &[Obj<'_>]) -> Result<QualityBlock, LdsError> {
    Ok(QualityBlock {
        algorithm: registry_id(k, 0, "39794-5 quality algorithm id")?,
        score: score_or_error(k, 1, "39794-5 quality score")?,
    })
}

fn pad_data(k: &[Obj<'_>]) -> Result<PadData, LdsError> {
    let mut pad = PadData {
        decision: opt_code(k, 0, "39794-5 PAD decision")?,
        capture_context: opt_code(k, 3, "39794-5 PAD capture context")?,
        supervision_level: opt_code(k, 4, "39794-5 PAD supervision level")?,
        risk_level: opt_int(k, 5, "39794-5 PAD risk level")?,
        criteria_category: opt_code(k, 6, "39794-5 PAD criteria category")?,
        parameter: find(k, 7).map(|o| o.value.to_vec()),
        ..Default::default()
    };
    for s in sequence_of(k, 1, "39794-5 PAD score blocks")? {
        pad.scores.push(PadScore {
            mechanism: registry_id(&s, 0, "39794-5 PAD mechanism id")?,
            score: score_or_error(&s, 1, "39794-5 PAD score")?,
        });
    }
    for e in sequence_of(k, 2, "39794-5 PAD extended data blocks")? {
        pad.extended_data.push(ExtendedData {
            data_type: registry_id(&e, 0, "39794-5 PAD extended data type")?,
            data: find(&e, 1).map(|o| o.value.to_vec()).unwrap_or_default(),
        });
    }
    if let Some(c) = constructed(k, 8, "39794-5 PAD challenges")? {
        if c.len() > MAX_BLOCKS {
            return Err(LdsError::invalid(
                "39794-5 PAD challenges",
                c[0].offset,
                format!("{} challenges, at most {MAX_BLOCKS}", c.len()),
            ));
        }
        pad.challenges = c.iter().map(|o| o.value.to_vec()).collect();
    }
    if let Some(o) = find(k, 9) {
        pad.capture_date_time = Some(date_time(&o, "39794-5 PAD capture date and time")?);
    }
    for o in k {
        let known = (o.tag.0 & 0xC0) == 0x80 && (o.tag.0 & 0x1F) <= 9;
        if !known {
            pad.other_elements.push((o.tag.0, raw(o)));
        }
    }
    Ok(pad)
}

/// The one alternative a CHOICE-tagged element holds.
fn choice<'a>(o: Obj<'a>, field: &'static str) -> Result<Obj<'a>, LdsError> {
    let kids = o.children(field)?;
    match kids.as_slice() {
        [one] => Ok(*one),
        _ => Err(LdsError::invalid(
            field,
            o.offset,
            format!("a CHOICE holds {} elements, not 1", kids.len()),
        )),
    }
}

fn landmark(k: &[Obj<'_>]) -> Result<Landmark, LdsError> {
    const KF: &str = "39794-5 landmark kind";
    const CF: &str = "39794-5 landmark coordinates";
    let mut lm = Landmark {
        kind: None,
        coordinates: None,
    };
    if let Some(kind) = find(k, 0).filter(|o| o.tag.is_constructed()) {
        // landmarkKind [0] CHOICE { base [0] CHOICE { mpeg4 [0], anthropometric [1] }, ext [1] }
        let base = choice(kind, KF)?;
        lm.kind = Some(if base.tag.0 == 0xA0 {
            let which = choice(base, KF)?;
            let code = opt_code(std::slice::from_ref(&which), which.tag.0 & 0x1F, KF)?;
            match (which.tag.0 & 0x1F, code) {
                (0, Some(c)) => LandmarkKind::Mpeg4(c),
                (1, Some(c)) => LandmarkKind::Anthropometric(c),
                (n, _) => LandmarkKind::Other(n),
            }
        } else {
            LandmarkKind::Other(base.tag.0 & 0x1F)
        });
    }
    if let Some(coords) = find(k, 1).filter(|o| o.tag.is_constructed()) {
        // landmarkCoordinates [1] CHOICE { base [0] CHOICE { 2D [0], texture [1], 3D [2] }, ext [1] }
        let base = choice(coords, CF)?;
        lm.coordinates = Some(if base.tag.0 == 0xA0 {
            let which = choice(base, CF)?;
            let n = which.tag.0 & 0x1F;
            let c = if which.tag.is_constructed() {
                which.children(CF)?
            } else {
                Vec::new()
            };
            let at = |i| opt_int(&c, i, CF).map(|v| v.unwrap_or(0));
            match n {
                0 => LandmarkCoordinates::Cartesian2D {
                    x: at(0)?,
                    y: at(1)?,
                },
                1 => LandmarkCoordinates::TextureImage {
                    u: at(0)?,
                    v: at(1)?,
                },
                2 => LandmarkCoordinates::Cartesian3D {
                    x: at(0)?,
                    y: at(1)?,
                    z: at(2)?,
                },
                n => LandmarkCoordinates::Other(n),
            }
        } else {
            LandmarkCoordinates::Other(base.tag.0 & 0x1F)
        });
    }
    Ok(lm)
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
    if let Some(o) = find(&kids, 2) {
        rep.capture_date_time = Some(date_time(&o, "39794-5 capture date and time")?);
    }
    for q in sequence_of(&kids, 3, "39794-5 quality blocks")? {
        rep.quality.push(quality_block(&q)?);
    }
    if let Some(pad) = constructed(&kids, 4, "39794-5 PAD data block")? {
        rep.pad = Some(pad_data(&pad)?);
    }
    for l in sequence_of(&kids, 9, "39794-5 landmark blocks")? {
        rep.landmarks.push(landmark(&l)?);
    }
    for k in &kids {
        let n = k.tag.0 & 0x1F;
        let known = matches!(n, 0..=4 | 8 | 9) && (k.tag.0 & 0xC0) == 0x80;
        if !known {
            rep.other_elements.push((k.tag.0, raw(k)));
        }
    }
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
    // Elements after the image representation, in tag-number order ([2]..[9], then others).
    let mut parts: Vec<(u32, Vec<u8>)> = Vec::new();
    if let Some(d) = &r.capture_date_time {
        parts.push((2, encode_date_time(2, d)));
    }
    if !r.quality.is_empty() {
        let mut q = Vec::new();
        for b in &r.quality {
            let mut e = Vec::new();
            if let Some(a) = b.algorithm {
                e.extend(encode_registry(0, a));
            }
            if let Some(sc) = b.score {
                e.extend(encode_score(1, sc));
            }
            q.extend(encode(Tag(0x30), &e));
        }
        parts.push((3, encode(Tag(0xA3), &q)));
    }
    if let Some(pad) = &r.pad {
        parts.push((4, encode_pad(pad)));
    }
    if !idm.is_empty() {
        parts.push((8, encode(Tag(0xA8), &idm)));
    }
    if !r.landmarks.is_empty() {
        let mut l = Vec::new();
        for lm in &r.landmarks {
            l.extend(encode_landmark(lm));
        }
        parts.push((9, encode(Tag(0xA9), &l)));
    }
    for (tag, raw) in &r.other_elements {
        let n = if tag & 0xC0 == 0x80 { tag & 0x1F } else { 0xFF };
        parts.push((n, raw.clone()));
    }
    parts.sort_by_key(|(n, _)| *n);
    for (_, p) in parts {
        rep.extend(p);
    }
    encode(Tag(0x30), &rep)
}

fn encode_date_time(n: u32, d: &DateTime) -> Vec<u8> {
    let mut v = Vec::new();
    for (i, x) in [
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        d.millisecond,
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(x) = x {
            v.extend(encode(Tag(0x80 | i as u32), &int_bytes(x)));
        }
    }
    encode(Tag(0xA0 | n), &v)
}

fn encode_registry(n: u32, r: RegistryId) -> Vec<u8> {
    let mut v = encode(Tag(0x80), &int_bytes(r.organization));
    v.extend(encode(Tag(0x81), &int_bytes(r.id)));
    encode(Tag(0xA0 | n), &v)
}

fn encode_score(n: u32, s: ScoreOrError) -> Vec<u8> {
    let inner = match s {
        ScoreOrError::Score(v) => encode(Tag(0x80), &int_bytes(v)),
        ScoreOrError::Error(e) => code(1, e),
    };
    encode(Tag(0xA0 | n), &inner)
}

fn encode_pad(p: &PadData) -> Vec<u8> {
    let mut parts: Vec<(u32, Vec<u8>)> = Vec::new();
    if let Some(v) = p.decision {
        parts.push((0, code(0, v)));
    }
    if !p.scores.is_empty() {
        let mut v = Vec::new();
        for s in &p.scores {
            let mut e = Vec::new();
            if let Some(m) = s.mechanism {
                e.extend(encode_registry(0, m));
            }
            if let Some(sc) = s.score {
                e.extend(encode_score(1, sc));
            }
            v.extend(encode(Tag(0x30), &e));
        }
        parts.push((1, encode(Tag(0xA1), &v)));
    }
    if !p.extended_data.is_empty() {
        let mut v = Vec::new();
        for x in &p.extended_data {
            let mut e = Vec::new();
            if let Some(t) = x.data_type {
                e.extend(encode_registry(0, t));
            }
            e.extend(encode(Tag(0x81), &x.data));
            v.extend(encode(Tag(0x30), &e));
        }
        parts.push((2, encode(Tag(0xA2), &v)));
    }
    for (n, v) in [
        (3, p.capture_context),
        (4, p.supervision_level),
        (6, p.criteria_category),
    ] {
        if let Some(v) = v {
            parts.push((n, code(n, v)));
        }
    }
    if let Some(v) = p.risk_level {
        parts.push((5, encode(Tag(0x85), &int_bytes(v))));
    }
    if let Some(v) = &p.parameter {
        parts.push((7, encode(Tag(0x87), v)));
    }
    if !p.challenges.is_empty() {
        let mut v = Vec::new();
        for c in &p.challenges {
            v.extend(encode(Tag(0x04), c));
        }
        parts.push((8, encode(Tag(0xA8), &v)));
    }
    if let Some(d) = &p.capture_date_time {
        parts.push((9, encode_date_time(9, d)));
    }
    for (tag, raw) in &p.other_elements {
        let n = if tag & 0xC0 == 0x80 { tag & 0x1F } else { 0xFF };
        parts.push((n, raw.clone()));
    }
    parts.sort_by_key(|(n, _)| *n);
    let body: Vec<u8> = parts.into_iter().flat_map(|(_, p)| p).collect();
    encode(Tag(0xA4), &body)
}

/// A landmark block. A kind or coordinate system this crate does not know (`Other(n)`) is
/// written as an empty alternative `[n]` of the outer CHOICE, which decodes back to `Other(n)`.
fn encode_landmark(l: &Landmark) -> Vec<u8> {
    let mut e = Vec::new();
    if let Some(k) = l.kind {
        let alt = match k {
            LandmarkKind::Mpeg4(c) => encode(Tag(0xA0), &code(0, c)),
            LandmarkKind::Anthropometric(c) => encode(Tag(0xA0), &code(1, c)),
            LandmarkKind::Other(n) => encode(Tag(0xA0 | (n & 0x1F)), &[]),
        };
        e.extend(encode(Tag(0xA0), &alt));
    }
    if let Some(c) = l.coordinates {
        let ints = |n: u32, vs: &[i64]| {
            let mut v = Vec::new();
            for (i, x) in vs.iter().enumerate() {
                v.extend(encode(Tag(0x80 | i as u32), &int_bytes(*x)));
            }
            encode(Tag(0xA0), &encode(Tag(0xA0 | n), &v))
        };
        let alt = match c {
            LandmarkCoordinates::Cartesian2D { x, y } => ints(0, &[x, y]),
            LandmarkCoordinates::TextureImage { u, v } => ints(1, &[u, v]),
            LandmarkCoordinates::Cartesian3D { x, y, z } => ints(2, &[x, y, z]),
            LandmarkCoordinates::Other(n) => encode(Tag(0xA0 | (n & 0x1F)), &[]),
        };
        e.extend(encode(Tag(0xA1), &alt));
    }
    encode(Tag(0x30), &e)
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
                quality: vec![QualityBlock {
                    algorithm: Some(RegistryId {
                        organization: 0x0101,
                        id: 7,
                    }),
                    score: Some(ScoreOrError::Error(2)),
                }],
                landmarks: vec![
                    Landmark {
                        kind: Some(LandmarkKind::Anthropometric(3)),
                        coordinates: Some(LandmarkCoordinates::Cartesian3D {
                            x: 1,
                            y: -2,
                            z: 300,
                        }),
                    },
                    Landmark {
                        kind: Some(LandmarkKind::Other(2)),
                        coordinates: Some(LandmarkCoordinates::TextureImage { u: 4, v: 5 }),
                    },
                    Landmark {
                        kind: None,
                        coordinates: Some(LandmarkCoordinates::Other(1)),
                    },
                ],
                pad: Some(PadData {
                    decision: Some(1),
                    risk_level: Some(2),
                    challenges: vec![b"c1".to_vec(), b"c2".to_vec()],
                    other_elements: vec![(0x8C, vec![0x8C, 0x01, 0x05])],
                    ..Default::default()
                }),
                capture_date_time: Some(DateTime {
                    year: Some(2026),
                    month: Some(11),
                    day: Some(21),
                    ..Default::default()
                }),
                other_elements: vec![(0x85, vec![0x85, 0x01, 0x09]), (0x04, vec![0x04, 0x00])],
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
