//! ISO/IEC 19794-5:2005 facial records (`"FAC\0"`, version `"010\0"`), the format of DG2's
//! biometric data blocks in LDS 1.7 (ICAO 9303-9/-10).
//!
//! All header fields are decoded and kept as their codes, so encoding is byte-exact.

use crate::LdsError;
use crate::codes::code_enum;

/// The format identifier.
pub const FORMAT_ID: &[u8; 4] = b"FAC\0";
/// The version this module reads and writes.
pub const VERSION_010: &[u8; 4] = b"010\0";
const HEADER_LEN: usize = 14;
const INFO_LEN: usize = 20;
const POINT_LEN: usize = 8;
const IMAGE_INFO_LEN: usize = 12;
/// The most images one record may claim (bounds the work on hostile input).
pub const MAX_IMAGES: usize = 64;

code_enum! {
    /// Gender (19794-5:2005 §5.5.3).
    Gender: u8 { Unspecified = 0 => "unspecified", Male = 1 => "male", Female = 2 => "female", Unknown = 0xFF => "unknown" }
}
code_enum! {
    /// Eye colour (§5.5.4).
    EyeColour: u8 { Unspecified = 0 => "unspecified", Black = 1 => "black", Blue = 2 => "blue", Brown = 3 => "brown", Gray = 4 => "gray", Green = 5 => "green", MultiColoured = 6 => "multi-coloured", Pink = 7 => "pink", Unknown = 0xFF => "unknown" }
}
code_enum! {
    /// Hair colour (§5.5.5).
    HairColour: u8 { Unspecified = 0 => "unspecified", Bald = 1 => "bald", Black = 2 => "black", Blonde = 3 => "blonde", Brown = 4 => "brown", Gray = 5 => "gray", White = 6 => "white", Red = 7 => "red", Green = 8 => "green", Blue = 9 => "blue", Unknown = 0xFF => "unknown" }
}
code_enum! {
    /// Expression (§5.5.7).
    Expression: u16 { Unspecified = 0 => "unspecified", Neutral = 1 => "neutral", SmileClosed = 2 => "smile, closed jaw", SmileOpen = 3 => "smile, open jaw", RaisedEyebrows = 4 => "raised eyebrows", EyesLookingAway = 5 => "eyes looking away", Squinting = 6 => "squinting", Frowning = 7 => "frowning" }
}
code_enum! {
    /// Face image type (§5.7.1).
    FaceImageType: u8 { Basic = 0 => "basic", FullFrontal = 1 => "full frontal", TokenFrontal = 2 => "token frontal" }
}
code_enum! {
    /// Image data type (§5.7.2): what the header says the image is.
    ImageDataType: u8 { Jpeg = 0 => "JPEG", Jpeg2000 = 1 => "JPEG 2000" }
}
code_enum! {
    /// Image colour space (§5.7.5).
    ColourSpace: u8 { Unspecified = 0 => "unspecified", Rgb24 = 1 => "24-bit RGB", Yuv422 = 2 => "YUV422", Greyscale8 = 3 => "8-bit greyscale", OtherSpace = 4 => "other" }
}
code_enum! {
    /// Source type (§5.7.6).
    SourceType: u8 { Unspecified = 0 => "unspecified", StaticPhotoUnknown = 1 => "static photo, unknown source", StaticPhotoDigitalStill = 2 => "static photo, digital still", StaticPhotoScan = 3 => "static photo, scan", VideoFrameUnknown = 4 => "video frame, unknown source", VideoFrameAnalogue = 5 => "video frame, analogue", VideoFrameDigital = 6 => "video frame, digital", Unknown = 7 => "unknown" }
}

/// Bits of the 24-bit feature mask (§5.5.6).
pub mod feature_mask {
    /// The mask is meaningful.
    pub const SPECIFIED: u32 = 0x000001;
    /// Glasses.
    pub const GLASSES: u32 = 0x000002;
    /// Moustache.
    pub const MOUSTACHE: u32 = 0x000004;
    /// Beard.
    pub const BEARD: u32 = 0x000008;
    /// Teeth visible.
    pub const TEETH: u32 = 0x000010;
    /// Blink.
    pub const BLINK: u32 = 0x000020;
    /// Mouth open.
    pub const MOUTH_OPEN: u32 = 0x000040;
    /// Left eye patch.
    pub const LEFT_EYE_PATCH: u32 = 0x000080;
    /// Right eye patch.
    pub const RIGHT_EYE_PATCH: u32 = 0x000100;
    /// Dark glasses.
    pub const DARK_GLASSES: u32 = 0x000200;
    /// Distorting medical condition.
    pub const DISTORTING_CONDITION: u32 = 0x000400;
    /// Names of the bits, in order.
    pub const NAMES: [(u32, &str); 10] = [
        (GLASSES, "glasses"),
        (MOUSTACHE, "moustache"),
        (BEARD, "beard"),
        (TEETH, "teeth visible"),
        (BLINK, "blink"),
        (MOUTH_OPEN, "mouth open"),
        (LEFT_EYE_PATCH, "left eye patch"),
        (RIGHT_EYE_PATCH, "right eye patch"),
        (DARK_GLASSES, "dark glasses"),
        (DISTORTING_CONDITION, "distorting medical condition"),
    ];
}

/// A pose angle as stored: 0 = unspecified, 1..=181 encode -180..=180 degrees in steps of 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PoseAngle(pub u8);

impl PoseAngle {
    /// Degrees, when specified and in range.
    pub fn degrees(self) -> Option<i16> {
        (1..=181)
            .contains(&self.0)
            .then(|| (self.0 as i16 - 91) * 2)
    }
}

/// One feature point (§5.6): type, MPEG-4 feature point code (major.minor), position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeaturePoint {
    /// Feature point type (1 = MPEG-4 feature point).
    pub point_type: u8,
    /// Code: major in the high nibble, minor in the low nibble.
    pub code: u8,
    /// Horizontal position in pixels.
    pub x: u16,
    /// Vertical position in pixels.
    pub y: u16,
    /// Reserved (stored, normally 0).
    pub reserved: u16,
}

impl FeaturePoint {
    /// `"major.minor"` as in MPEG-4.
    pub fn label(&self) -> String {
        format!("{}.{}", self.code >> 4, self.code & 0x0F)
    }
}

/// One facial image with its facial information and image information blocks.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImageInfo {
    /// Gender.
    pub gender: Gender,
    /// Eye colour.
    pub eye_colour: EyeColour,
    /// Hair colour.
    pub hair_colour: HairColour,
    /// 24-bit feature mask (see [`feature_mask`]).
    pub feature_mask: u32,
    /// Expression.
    pub expression: Expression,
    /// Yaw, pitch, roll.
    pub pose_angle: [PoseAngle; 3],
    /// Uncertainty of yaw, pitch, roll (0 = unspecified, 1..=181).
    pub pose_angle_uncertainty: [u8; 3],
    /// Feature points.
    pub feature_points: Vec<FeaturePoint>,
    /// Face image type.
    pub face_image_type: FaceImageType,
    /// What the header says the image is (the bytes decide: see `image::decode`).
    pub image_data_type: ImageDataType,
    /// Width in pixels, as declared.
    pub width: u16,
    /// Height in pixels, as declared.
    pub height: u16,
    /// Colour space.
    pub colour_space: ColourSpace,
    /// Source type.
    pub source_type: SourceType,
    /// Device type (vendor-assigned, 0 = unspecified).
    pub device_type: u16,
    /// Quality (0 = unspecified).
    pub quality: u16,
    /// The encoded image (JPEG or JPEG 2000).
    pub image: Vec<u8>,
    /// Absolute offset of the image bytes in the record.
    pub image_offset: usize,
}

impl std::fmt::Debug for FaceImageInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceImageInfo")
            .field("face_image_type", &self.face_image_type)
            .field("image_data_type", &self.image_data_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("feature_points", &self.feature_points.len())
            .field("image", &format_args!("{} bytes", self.image.len()))
            .finish_non_exhaustive()
    }
}

impl FaceImageInfo {
    /// A full-frontal image with every descriptive field unspecified.
    pub fn new(image: Vec<u8>, data_type: ImageDataType, width: u16, height: u16) -> Self {
        FaceImageInfo {
            gender: Gender::Unspecified,
            eye_colour: EyeColour::Unspecified,
            hair_colour: HairColour::Unspecified,
            feature_mask: 0,
            expression: Expression::Unspecified,
            pose_angle: [PoseAngle(0); 3],
            pose_angle_uncertainty: [0; 3],
            feature_points: Vec::new(),
            face_image_type: FaceImageType::FullFrontal,
            image_data_type: data_type,
            width,
            height,
            colour_space: ColourSpace::Rgb24,
            source_type: SourceType::StaticPhotoDigitalStill,
            device_type: 0,
            quality: 0,
            image,
            image_offset: 0,
        }
    }

    /// The names of the feature-mask bits set (empty when the mask is not specified).
    pub fn features(&self) -> Vec<&'static str> {
        if self.feature_mask & feature_mask::SPECIFIED == 0 {
            return Vec::new();
        }
        feature_mask::NAMES
            .iter()
            .filter(|(b, _)| self.feature_mask & b != 0)
            .map(|(_, n)| *n)
            .collect()
    }
}

/// An ISO/IEC 19794-5:2005 facial record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacialRecord {
    /// The version as stored (`"010\0"`).
    pub version: [u8; 4],
    /// The images.
    pub images: Vec<FaceImageInfo>,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], LdsError> {
        let available = self.b.len() - self.pos;
        if n > available {
            return Err(LdsError::Truncated {
                field,
                offset: self.base + self.pos,
                needed: n,
                available,
            });
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, f: &'static str) -> Result<u8, LdsError> {
        Ok(self.take(1, f)?[0])
    }
    fn u16(&mut self, f: &'static str) -> Result<u16, LdsError> {
        let s = self.take(2, f)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u24(&mut self, f: &'static str) -> Result<u32, LdsError> {
        let s = self.take(3, f)?;
        Ok(u32::from_be_bytes([0, s[0], s[1], s[2]]))
    }
    fn u32(&mut self, f: &'static str) -> Result<u32, LdsError> {
        let s = self.take(4, f)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
}

impl FacialRecord {
    /// True when `bdb` starts with the 19794-5 format identifier.
    pub fn is_facial_record(bdb: &[u8]) -> bool {
        bdb.starts_with(FORMAT_ID)
    }

    /// Parses a record; `base` is the record's offset in the file, for error reports.
    ///
    /// The record length must equal the bytes given (a shorter one is refused; trailing bytes
    /// after the declared length are refused too), each block length must fit in what is left.
    pub fn parse(bdb: &[u8], base: usize) -> Result<Self, LdsError> {
        let mut r = Reader {
            b: bdb,
            pos: 0,
            base,
        };
        let id = r.take(4, "19794-5 format identifier")?;
        if id != FORMAT_ID {
            return Err(LdsError::invalid(
                "19794-5 format identifier",
                base,
                format!("{:02X?}, expected \"FAC\\0\"", id),
            ));
        }
        let v = r.take(4, "19794-5 version")?;
        let version = [v[0], v[1], v[2], v[3]];
        if &version != VERSION_010 {
            return Err(LdsError::invalid(
                "19794-5 version",
                base + 4,
                format!("{:02X?}, only \"010\\0\" (2005) is supported", version),
            ));
        }
        let record_len = r.u32("19794-5 record length")? as usize;
        if record_len != bdb.len() {
            return Err(LdsError::invalid(
                "19794-5 record length",
                base + 8,
                format!(
                    "says {record_len} bytes, the data block holds {}",
                    bdb.len()
                ),
            ));
        }
        let count = r.u16("19794-5 number of facial images")? as usize;
        if count == 0 || count > MAX_IMAGES {
            return Err(LdsError::invalid(
                "19794-5 number of facial images",
                base + 12,
                format!("{count}, expected 1..={MAX_IMAGES}"),
            ));
        }
        let mut images = Vec::with_capacity(count);
        for _ in 0..count {
            let start = r.pos;
            let block_len = r.u32("19794-5 facial record data length")? as usize;
            let left = bdb.len() - start;
            if block_len > left || block_len < INFO_LEN + IMAGE_INFO_LEN {
                return Err(LdsError::invalid(
                    "19794-5 facial record data length",
                    base + start,
                    format!(
                        "{block_len} bytes, {left} left (at least {} needed)",
                        INFO_LEN + IMAGE_INFO_LEN
                    ),
                ));
            }
            let npoints = r.u16("19794-5 number of feature points")? as usize;
            let gender = Gender::from_code(r.u8("19794-5 gender")?);
            let eye_colour = EyeColour::from_code(r.u8("19794-5 eye colour")?);
            let hair_colour = HairColour::from_code(r.u8("19794-5 hair colour")?);
            let feature_mask = r.u24("19794-5 feature mask")?;
            let expression = Expression::from_code(r.u16("19794-5 expression")?);
            let p = r.take(3, "19794-5 pose angle")?;
            let pose_angle = [PoseAngle(p[0]), PoseAngle(p[1]), PoseAngle(p[2])];
            let u = r.take(3, "19794-5 pose angle uncertainty")?;
            let pose_angle_uncertainty = [u[0], u[1], u[2]];
            let fixed = INFO_LEN + npoints * POINT_LEN + IMAGE_INFO_LEN;
            if fixed > block_len {
                return Err(LdsError::invalid(
                    "19794-5 number of feature points",
                    base + start + 4,
                    format!("{npoints} points do not fit in a block of {block_len} bytes"),
                ));
            }
            let mut feature_points = Vec::with_capacity(npoints);
            for _ in 0..npoints {
                feature_points.push(FeaturePoint {
                    point_type: r.u8("19794-5 feature point type")?,
                    code: r.u8("19794-5 feature point code")?,
                    x: r.u16("19794-5 feature point x")?,
                    y: r.u16("19794-5 feature point y")?,
                    reserved: r.u16("19794-5 feature point reserved")?,
                });
            }
            let face_image_type = FaceImageType::from_code(r.u8("19794-5 face image type")?);
            let image_data_type = ImageDataType::from_code(r.u8("19794-5 image data type")?);
            let width = r.u16("19794-5 width")?;
            let height = r.u16("19794-5 height")?;
            let colour_space = ColourSpace::from_code(r.u8("19794-5 colour space")?);
            let source_type = SourceType::from_code(r.u8("19794-5 source type")?);
            let device_type = r.u16("19794-5 device type")?;
            let quality = r.u16("19794-5 quality")?;
            let image_offset = base + r.pos;
            let image = r.take(block_len - fixed, "19794-5 image data")?.to_vec();
            images.push(FaceImageInfo {
                gender,
                eye_colour,
                hair_colour,
                feature_mask,
                expression,
                pose_angle,
                pose_angle_uncertainty,
                feature_points,
                face_image_type,
                image_data_type,
                width,
                height,
                colour_space,
                source_type,
                device_type,
                quality,
                image,
                image_offset,
            });
        }
        if r.pos != bdb.len() {
            return Err(LdsError::invalid(
                "19794-5 record",
                base + r.pos,
                format!("{} bytes after the last image", bdb.len() - r.pos),
            ));
        }
        Ok(FacialRecord { version, images })
    }

    /// Encodes the record.
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut body = Vec::new();
        for im in &self.images {
            let block_len =
                INFO_LEN + im.feature_points.len() * POINT_LEN + IMAGE_INFO_LEN + im.image.len();
            let block_len = u32::try_from(block_len).map_err(|_| LdsError::Encode {
                field: "19794-5 facial record data length",
                reason: "over 4 GiB".into(),
            })?;
            let npoints = u16::try_from(im.feature_points.len()).map_err(|_| LdsError::Encode {
                field: "19794-5 number of feature points",
                reason: "over 65535".into(),
            })?;
            body.extend(block_len.to_be_bytes());
            body.extend(npoints.to_be_bytes());
            body.push(im.gender.code());
            body.push(im.eye_colour.code());
            body.push(im.hair_colour.code());
            body.extend(&(im.feature_mask & 0xFF_FFFF).to_be_bytes()[1..]);
            body.extend(im.expression.code().to_be_bytes());
            body.extend(im.pose_angle.iter().map(|p| p.0));
            body.extend(im.pose_angle_uncertainty);
            for p in &im.feature_points {
                body.push(p.point_type);
                body.push(p.code);
                body.extend(p.x.to_be_bytes());
                body.extend(p.y.to_be_bytes());
                body.extend(p.reserved.to_be_bytes());
            }
            body.push(im.face_image_type.code());
            body.push(im.image_data_type.code());
            body.extend(im.width.to_be_bytes());
            body.extend(im.height.to_be_bytes());
            body.push(im.colour_space.code());
            body.push(im.source_type.code());
            body.extend(im.device_type.to_be_bytes());
            body.extend(im.quality.to_be_bytes());
            body.extend(&im.image);
        }
        let total = u32::try_from(HEADER_LEN + body.len()).map_err(|_| LdsError::Encode {
            field: "19794-5 record length",
            reason: "over 4 GiB".into(),
        })?;
        let count = u16::try_from(self.images.len()).map_err(|_| LdsError::Encode {
            field: "19794-5 number of facial images",
            reason: "over 65535".into(),
        })?;
        let mut out = Vec::with_capacity(total as usize);
        out.extend(FORMAT_ID);
        out.extend(self.version);
        out.extend(total.to_be_bytes());
        out.extend(count.to_be_bytes());
        out.extend(body);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FacialRecord {
        let mut a = FaceImageInfo::new(
            vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
            ImageDataType::Jpeg,
            413,
            531,
        );
        a.gender = Gender::Female;
        a.eye_colour = EyeColour::Blue;
        a.hair_colour = HairColour::Other(0x42);
        a.feature_mask = feature_mask::SPECIFIED | feature_mask::GLASSES | feature_mask::TEETH;
        a.expression = Expression::Neutral;
        a.pose_angle = [PoseAngle(91), PoseAngle(1), PoseAngle(181)];
        a.pose_angle_uncertainty = [1, 2, 3];
        a.feature_points = vec![FeaturePoint {
            point_type: 1,
            code: 0x31,
            x: 150,
            y: 200,
            reserved: 0,
        }];
        a.quality = 77;
        a.device_type = 0x1234;
        let b = FaceImageInfo::new(
            vec![0, 0, 0, 0x0C, b'j', b'P'],
            ImageDataType::Jpeg2000,
            10,
            20,
        );
        FacialRecord {
            version: *VERSION_010,
            images: vec![a, b],
        }
    }

    #[test]
    fn round_trip_two_images() {
        let r = sample();
        let enc = r.encode().unwrap();
        let mut back = FacialRecord::parse(&enc, 0).unwrap();
        assert_eq!(back.images[0].image_offset, 14 + 20 + 8 + 12);
        for i in &mut back.images {
            i.image_offset = 0;
        }
        assert_eq!(back, r);
        assert_eq!(back.images[0].pose_angle[0].degrees(), Some(0));
        assert_eq!(back.images[0].pose_angle[1].degrees(), Some(-180));
        assert_eq!(back.images[0].pose_angle[2].degrees(), Some(180));
        assert_eq!(back.images[1].pose_angle[2].degrees(), None);
        assert_eq!(back.images[0].features(), ["glasses", "teeth visible"]);
        assert_eq!(back.images[0].feature_points[0].label(), "3.1");
        assert_eq!(back.images[0].hair_colour.name(), "code 66");
        assert_eq!(FacialRecord::parse(&enc, 0).unwrap().encode().unwrap(), enc);
    }

    #[test]
    fn errors_name_field_and_offset() {
        let enc = sample().encode().unwrap();
        // Truncated: the record length no longer matches.
        assert_eq!(
            FacialRecord::parse(&enc[..enc.len() - 1], 100).unwrap_err(),
            LdsError::Invalid {
                field: "19794-5 record length",
                offset: 108,
                reason: format!(
                    "says {} bytes, the data block holds {}",
                    enc.len(),
                    enc.len() - 1
                )
            }
        );
        assert_eq!(
            FacialRecord::parse(&enc[..6], 0).unwrap_err(),
            LdsError::Truncated {
                field: "19794-5 version",
                offset: 4,
                needed: 4,
                available: 2
            }
        );
        // A block length past the end.
        let mut bad = enc.clone();
        bad[14..18].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
        assert!(matches!(
            FacialRecord::parse(&bad, 0).unwrap_err(),
            LdsError::Invalid {
                field: "19794-5 facial record data length",
                offset: 14,
                ..
            }
        ));
        // Feature points that do not fit.
        let mut bad = enc.clone();
        bad[18..20].copy_from_slice(&0x4000u16.to_be_bytes());
        assert!(matches!(
            FacialRecord::parse(&bad, 0).unwrap_err(),
            LdsError::Invalid {
                field: "19794-5 number of feature points",
                offset: 18,
                ..
            }
        ));
        let mut bad = enc;
        bad[0] = b'F';
        bad[2] = b'R';
        assert!(matches!(
            FacialRecord::parse(&bad, 0).unwrap_err(),
            LdsError::Invalid {
                field: "19794-5 format identifier",
                ..
            }
        ));
    }
}
