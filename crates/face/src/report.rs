//! The structured results: one analysed image, and the comparison of two.

use serde::Serialize;
use std::fmt;

/// Which image of a comparison a result or an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The trusted image (the chip's DG2 portrait), the first argument of a comparison.
    Reference,
    /// The image to check against it (the selfie), the second argument.
    Probe,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Reference => "reference image",
            Role::Probe => "probe image",
        })
    }
}

/// A face the detector found, in the analysed image's pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The detector's (O-Net's) face probability.
    pub confidence: f32,
    /// Five landmarks `[x, y]`: the eye on the image's left, the other eye, the nose tip, the mouth
    /// corner on the image's left, the other mouth corner.
    pub landmarks: [[f32; 2]; 5],
}

/// A quality problem that still allows a comparison, but makes its result less reliable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum QualityWarning {
    /// The face is small: fewer pixels than the descriptor's 150-pixel crop wants.
    LowResolutionFace {
        /// Face box width in pixels.
        width: u32,
    },
    /// The face region is dark.
    DarkFace {
        /// Mean luma (0..255) inside the face box.
        mean: f32,
    },
    /// The face is turned left or right (nose off the eyes' midline).
    Yaw {
        /// Nose position between the eyes in the aligned crop: 0.5 is frontal.
        nose_position: f32,
    },
    /// The face is tilted up or down.
    Pitch {
        /// Nose height between the eyes and the mouth in the aligned crop (about 0.53 when level).
        nose_height: f32,
    },
    /// The head is tilted sideways (corrected by the alignment).
    Roll {
        /// Angle of the eye line, in degrees.
        degrees: f32,
    },
    /// The subject's face is far from the image's centre.
    OffCentre,
    /// Smaller faces are in the image too (the largest one was taken as the subject).
    OtherFaces {
        /// How many other faces.
        count: usize,
    },
}

impl fmt::Display for QualityWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QualityWarning::LowResolutionFace { width } => {
                write!(f, "low-resolution face ({width} px wide)")
            }
            QualityWarning::DarkFace { mean } => write!(f, "dark face (mean brightness {mean:.0})"),
            QualityWarning::Yaw { nose_position } => {
                write!(
                    f,
                    "face turned sideways (nose at {nose_position:.2} between the eyes)"
                )
            }
            QualityWarning::Pitch { nose_height } => {
                write!(f, "face tilted up or down (nose height {nose_height:.2})")
            }
            QualityWarning::Roll { degrees } => write!(f, "head tilted by {degrees:.0} degrees"),
            QualityWarning::OffCentre => f.write_str("face far from the image centre"),
            QualityWarning::OtherFaces { count } => {
                write!(f, "{count} smaller face(s) in the background")
            }
        }
    }
}

/// What the pipeline saw in one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceAnalysis {
    /// Which image.
    pub role: Role,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The face taken as the subject.
    pub face: FaceBox,
    /// How many faces the detector found in all.
    pub faces_detected: usize,
    /// Quality problems that did not prevent the comparison.
    pub warnings: Vec<QualityWarning>,
}

/// sha256 of the ONNX models that produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelHashes {
    /// The face descriptor (`face_descriptor.onnx`).
    pub descriptor: String,
    /// MTCNN P-Net.
    pub pnet: String,
    /// MTCNN R-Net.
    pub rnet: String,
    /// MTCNN O-Net.
    pub onet: String,
}

/// The comparison of a reference image with a probe image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceComparison {
    /// Euclidean distance between the two 128-D descriptors (0 = identical; same person below
    /// `threshold`).
    pub distance: f32,
    /// A monotone mapping of the distance to 0..1, 0.5 at the threshold, higher is more alike. Not a
    /// probability.
    pub score: f32,
    /// The decision threshold on `distance`.
    pub threshold: f32,
    /// `distance < threshold`.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// The reference image's analysis.
    pub reference: FaceAnalysis,
    /// The probe image's analysis.
    pub probe: FaceAnalysis,
    /// The models used.
    pub models: ModelHashes,
}
