//! The crate's one error type.

use crate::report::Role;

/// Why a face comparison (or one of its steps) could not be made.
///
/// Quality problems that still allow a comparison are [`crate::QualityWarning`]s in the report, not
/// errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FaceError {
    /// The image bytes are not a JPEG or PNG image this crate can decode.
    #[error("{role}: cannot decode the image: {reason}")]
    Decode {
        /// Which image of the comparison.
        role: Role,
        /// The decoder's message.
        reason: String,
    },
    /// The image is smaller than a face comparison needs.
    #[error("{role}: image too small ({width}x{height} px; at least {min} px on each side)")]
    ImageTooSmall {
        /// Which image of the comparison.
        role: Role,
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// The smallest side accepted.
        min: u32,
    },
    /// The image is almost black.
    #[error("{role}: image too dark (mean brightness {mean:.0} of 255; at least {min:.0})")]
    TooDark {
        /// Which image of the comparison.
        role: Role,
        /// Mean luma (0..255) of the whole image.
        mean: f32,
        /// The smallest mean accepted.
        min: f32,
    },
    /// The detector found no face.
    #[error("{role}: no face found")]
    NoFace {
        /// Which image of the comparison.
        role: Role,
    },
    /// The subject's face is too small to compare reliably.
    #[error("{role}: face too small ({width} px wide; at least {min} px)")]
    FaceTooSmall {
        /// Which image of the comparison.
        role: Role,
        /// Width of the face box in the image's pixels.
        width: u32,
        /// The smallest width accepted.
        min: u32,
    },
    /// Several faces of similar size: it is not clear who the subject is.
    #[error(
        "{role}: {count} faces of similar size (the second largest is {ratio_percent}% of the largest's width); a selfie must show one person"
    )]
    SeveralFaces {
        /// Which image of the comparison.
        role: Role,
        /// How many faces are at least `ratio` as wide as the largest.
        count: usize,
        /// Width of the second largest face relative to the largest, in percent.
        ratio_percent: u32,
    },
    /// The face is turned too far from the camera to compare.
    #[error("{role}: extreme pose ({what})")]
    ExtremePose {
        /// Which image of the comparison.
        role: Role,
        /// Which angle is out of range and by how much.
        what: String,
    },
    /// An ONNX model failed to load or run.
    #[error("model {model}: {message}")]
    Model {
        /// The model's file name.
        model: &'static str,
        /// tract's message.
        message: String,
    },
}

impl FaceError {
    /// True for the errors that mean "no usable face" in an image (as opposed to a broken model or
    /// an undecodable file).
    pub fn is_no_usable_face(&self) -> bool {
        matches!(
            self,
            FaceError::ImageTooSmall { .. }
                | FaceError::TooDark { .. }
                | FaceError::NoFace { .. }
                | FaceError::FaceTooSmall { .. }
                | FaceError::SeveralFaces { .. }
                | FaceError::ExtremePose { .. }
        )
    }
}
