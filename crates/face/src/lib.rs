//! Face detection, alignment and embedding with tract-onnx: the chip portrait against a selfie.
//!
//! The pipeline, per image: decode (JPEG, PNG; or take an [`image::DynamicImage`] such as the DG2
//! portrait), detect faces with MTCNN ([`detect`]), pick the subject (the largest face; several
//! faces of similar size are rejected), check quality, align the five landmarks to the descriptor's
//! template with a similarity transform ([`align`]), and compute the 128-D dlib ResNet descriptor.
//! Two descriptors are compared by Euclidean distance against a threshold calibrated on measured
//! pairs (`models/MODELS.md`).
//!
//! The models are embedded in the crate (made by `models/make_models.py`; nothing is downloaded at
//! run time) and optimised once by [`FaceMatcher::new`]; reuse the matcher across comparisons.
//!
//! ```no_run
//! use epassport_face::{FaceMatcher, Role, decode};
//! let matcher = FaceMatcher::new()?;
//! let portrait = decode(&std::fs::read("portrait.jpg").unwrap(), Role::Reference)?;
//! let selfie = decode(&std::fs::read("selfie.jpg").unwrap(), Role::Probe)?;
//! let result = matcher.compare(&portrait, &selfie)?;
//! println!("distance {:.3}, match {}", result.distance, result.is_match);
//! # Ok::<(), epassport_face::FaceError>(())
//! ```

pub mod align;
pub mod detect;
mod error;
mod models;
mod report;

pub use error::FaceError;
pub use models::LoadTimes;
pub use report::{FaceAnalysis, FaceBox, FaceComparison, ModelHashes, QualityWarning, Role};

use image::{DynamicImage, RgbImage};
use models::{DESCRIPTOR_FILE, Plan};
use std::time::Duration;

/// Same person when the descriptors' Euclidean distance is below this. Calibrated on measured
/// pairs; see `models/MODELS.md` for the false match and false non-match rates behind it.
pub const DEFAULT_THRESHOLD: f32 = 0.55;
/// Images with a side shorter than this are rejected.
pub const MIN_IMAGE_SIDE: u32 = 64;
/// Faces narrower than this (image pixels) are rejected.
pub const MIN_FACE_WIDTH: u32 = 40;
/// Faces narrower than this get a [`QualityWarning::LowResolutionFace`].
pub const LOW_RES_FACE_WIDTH: u32 = 80;
/// Images darker than this mean luma (0..255) are rejected.
pub const MIN_IMAGE_BRIGHTNESS: f32 = 20.0;
/// Faces darker than this mean luma get a [`QualityWarning::DarkFace`].
pub const DARK_FACE: f32 = 60.0;
/// A second face at least this fraction of the subject's width makes the subject ambiguous.
pub const SEVERAL_FACES_RATIO: f32 = 0.6;

/// The loaded, optimised models and the decision threshold. Create once, reuse.
pub struct FaceMatcher {
    mtcnn: detect::Mtcnn,
    descriptor: Plan,
    threshold: f32,
    load_times: LoadTimes,
}

impl std::fmt::Debug for FaceMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceMatcher")
            .field("threshold", &self.threshold)
            .field("load_times", &self.load_times)
            .finish_non_exhaustive()
    }
}

/// One image's subject face, aligned and embedded.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceEmbedding {
    /// What the pipeline saw.
    pub analysis: FaceAnalysis,
    /// The aligned 150x150 RGB crop the descriptor saw.
    pub chip: RgbImage,
    /// The 128-D descriptor.
    pub descriptor: Vec<f32>,
}

/// Decodes JPEG or PNG bytes (the format is sniffed from the bytes).
pub fn decode(bytes: &[u8], role: Role) -> Result<DynamicImage, FaceError> {
    image::load_from_memory(bytes).map_err(|e| FaceError::Decode {
        role,
        reason: e.to_string(),
    })
}

impl FaceMatcher {
    /// Loads and optimises the embedded models (tract: parse, fix input shapes, optimise) with
    /// [`DEFAULT_THRESHOLD`].
    pub fn new() -> Result<Self, FaceError> {
        Self::with_detector(detect::DetectorOptions::default())
    }

    /// Like [`FaceMatcher::new`], with other detector settings (e.g. a larger canvas for group
    /// photos with small faces).
    pub fn with_detector(options: detect::DetectorOptions) -> Result<Self, FaceError> {
        let (descriptor, d) = models::timed(|| {
            models::load(DESCRIPTOR_FILE, models::DESCRIPTOR_ONNX, &[1, 150, 150, 3])
        })?;
        let (levels, p) = models::timed(|| detect::Mtcnn::load_pnet(&options))?;
        let ((rnet, onet), r) = models::timed(detect::Mtcnn::load_rnet_onet)?;
        Ok(FaceMatcher {
            mtcnn: detect::Mtcnn::new(options, levels, rnet, onet),
            descriptor,
            threshold: DEFAULT_THRESHOLD,
            load_times: LoadTimes {
                descriptor: d,
                pnet: p,
                rnet_onet: r,
            },
        })
    }

    /// The same matcher with another decision threshold.
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = threshold;
        self
    }

    /// The decision threshold on the distance.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// How long [`FaceMatcher::new`] took, per model.
    pub fn load_times(&self) -> LoadTimes {
        self.load_times
    }

    /// sha256 of the models in use.
    pub fn model_hashes(&self) -> ModelHashes {
        models::hashes()
    }

    /// Detects the faces in an image: boxes and landmarks, best score first.
    pub fn detect(&self, image: &RgbImage) -> Result<Vec<FaceBox>, FaceError> {
        self.detect_inspect(image, |_, _, _| {})
    }

    /// Like [`FaceMatcher::detect`], handing every MTCNN input tensor to `inspect` (model file
    /// name, shape, data) before it runs: for checking tract against another runtime on the very
    /// tensors the pipeline feeds it (`models/compare_onnxruntime.py`).
    pub fn detect_inspect(
        &self,
        image: &RgbImage,
        mut inspect: impl FnMut(&'static str, &[usize], &[f32]),
    ) -> Result<Vec<FaceBox>, FaceError> {
        Ok(self
            .mtcnn
            .detect(image, &mut inspect)?
            .into_iter()
            .map(to_box)
            .collect())
    }

    /// Runs one model (`face_descriptor.onnx`, `mtcnn_pnet.onnx`, `mtcnn_rnet.onnx`,
    /// `mtcnn_onet.onnx`) on a raw f32 input, with the optimised plan the pipeline uses for that
    /// shape (see [`FaceMatcher::detect_inspect`] for the shapes); returns its outputs flattened.
    /// For benchmarks and cross-runtime checks.
    pub fn run_model(
        &self,
        model: &str,
        shape: &[usize],
        data: Vec<f32>,
    ) -> Result<Vec<Vec<f32>>, FaceError> {
        match model {
            DESCRIPTOR_FILE if shape == [1, 150, 150, 3] => {
                models::run(DESCRIPTOR_FILE, &self.descriptor, shape, data)
            }
            DESCRIPTOR_FILE => Err(FaceError::Model {
                model: DESCRIPTOR_FILE,
                message: format!("no plan for input shape {shape:?}"),
            }),
            models::PNET_FILE => self.mtcnn.run_model(models::PNET_FILE, shape, data),
            models::RNET_FILE => self.mtcnn.run_model(models::RNET_FILE, shape, data),
            models::ONET_FILE => self.mtcnn.run_model(models::ONET_FILE, shape, data),
            _ => Err(FaceError::Model {
                model: "unknown",
                message: format!("no model named {model:?}"),
            }),
        }
    }

    /// The 128-D descriptor of an aligned 150x150 RGB crop.
    pub fn embed_chip(&self, chip: &RgbImage) -> Result<Vec<f32>, FaceError> {
        if chip.dimensions() != (align::CHIP, align::CHIP) {
            return Err(FaceError::Model {
                model: DESCRIPTOR_FILE,
                message: format!("input must be 150x150, got {:?}", chip.dimensions()),
            });
        }
        let data: Vec<f32> = chip.as_raw().iter().map(|&v| f32::from(v)).collect();
        let mut out = models::run(DESCRIPTOR_FILE, &self.descriptor, &[1, 150, 150, 3], data)?;
        match out.pop() {
            Some(d) if d.len() == 128 && out.is_empty() => Ok(d),
            _ => Err(FaceError::Model {
                model: DESCRIPTOR_FILE,
                message: "unexpected output".into(),
            }),
        }
    }

    /// The whole pipeline for one image: quality checks, detection, subject choice, alignment,
    /// descriptor.
    pub fn analyse(&self, image: &DynamicImage, role: Role) -> Result<FaceEmbedding, FaceError> {
        let rgb = image.to_rgb8();
        let (width, height) = rgb.dimensions();
        if width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE {
            return Err(FaceError::ImageTooSmall {
                role,
                width,
                height,
                min: MIN_IMAGE_SIDE,
            });
        }
        let mean = mean_luma(&rgb, 0, 0, width, height);
        if mean < MIN_IMAGE_BRIGHTNESS {
            return Err(FaceError::TooDark {
                role,
                mean,
                min: MIN_IMAGE_BRIGHTNESS,
            });
        }
        let faces = self.detect(&rgb)?;
        let (subject, others) = pick_subject(&faces, role)?;
        let mut warnings = Vec::new();
        let fw = subject.width.round().max(0.0) as u32;
        if fw < MIN_FACE_WIDTH {
            return Err(FaceError::FaceTooSmall {
                role,
                width: fw,
                min: MIN_FACE_WIDTH,
            });
        }
        if fw < LOW_RES_FACE_WIDTH {
            warnings.push(QualityWarning::LowResolutionFace { width: fw });
        }
        let x0 = subject.x.max(0.0) as u32;
        let y0 = subject.y.max(0.0) as u32;
        let face_mean = mean_luma(
            &rgb,
            x0,
            y0,
            subject.width.max(1.0) as u32,
            subject.height.max(1.0) as u32,
        );
        if face_mean < DARK_FACE {
            warnings.push(QualityWarning::DarkFace { mean: face_mean });
        }
        let (cx, cy) = (
            subject.x + subject.width / 2.0,
            subject.y + subject.height / 2.0,
        );
        let (w, h) = (width as f32, height as f32);
        if cx < w * 0.2 || cx > w * 0.8 || cy < h * 0.15 || cy > h * 0.85 {
            warnings.push(QualityWarning::OffCentre);
        }
        if others > 0 {
            warnings.push(QualityWarning::OtherFaces { count: others });
        }
        pose_checks(&subject.landmarks, role, &mut warnings)?;
        let chip = align::align(&rgb, &subject.landmarks).ok_or(FaceError::ExtremePose {
            role,
            what: "landmarks degenerate".into(),
        })?;
        let descriptor = self.embed_chip(&chip)?;
        Ok(FaceEmbedding {
            analysis: FaceAnalysis {
                role,
                width,
                height,
                face: subject,
                faces_detected: faces.len(),
                warnings,
            },
            chip,
            descriptor,
        })
    }

    /// Compares the subject of `reference` (the chip portrait) with the subject of `probe` (the
    /// selfie).
    pub fn compare(
        &self,
        reference: &DynamicImage,
        probe: &DynamicImage,
    ) -> Result<FaceComparison, FaceError> {
        let r = self.analyse(reference, Role::Reference)?;
        let p = self.analyse(probe, Role::Probe)?;
        Ok(self.compare_embeddings(r, p))
    }

    /// Compares two analysed images.
    pub fn compare_embeddings(
        &self,
        reference: FaceEmbedding,
        probe: FaceEmbedding,
    ) -> FaceComparison {
        let distance = distance(&reference.descriptor, &probe.descriptor);
        FaceComparison {
            distance,
            score: score(distance, self.threshold),
            threshold: self.threshold,
            is_match: distance < self.threshold,
            reference: reference.analysis,
            probe: probe.analysis,
            models: models::hashes(),
        }
    }
}

/// Euclidean distance between two descriptors.
pub fn distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

/// The score: a logistic of the distance, 0.5 at `threshold`, falling by about 0.25 for each 0.1 of
/// distance around it. A display aid, not a probability.
pub fn score(distance: f32, threshold: f32) -> f32 {
    1.0 / (1.0 + (12.0 * (distance - threshold)).exp())
}

/// Time spent in each stage of one image's analysis (for benchmarks and `--verbose` output).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Decoding.
    pub decode: Duration,
    /// MTCNN.
    pub detect: Duration,
    /// Alignment.
    pub align: Duration,
    /// Descriptor.
    pub embed: Duration,
}

fn to_box(d: detect::Detection) -> FaceBox {
    FaceBox {
        x: d.x1,
        y: d.y1,
        width: d.x2 - d.x1,
        height: d.y2 - d.y1,
        confidence: d.score,
        landmarks: d.landmarks,
    }
}

/// The largest face is the subject; returns it and the number of other (smaller) faces, or an
/// error when there is none or when another face is nearly as large.
fn pick_subject(faces: &[FaceBox], role: Role) -> Result<(FaceBox, usize), FaceError> {
    let mut by_size: Vec<&FaceBox> = faces.iter().collect();
    by_size.sort_by(|a, b| b.width.total_cmp(&a.width));
    let subject = **by_size.first().ok_or(FaceError::NoFace { role })?;
    let similar = by_size
        .iter()
        .filter(|f| f.width >= SEVERAL_FACES_RATIO * subject.width)
        .count();
    if similar > 1 {
        let second = by_size.get(1).map_or(0.0, |f| f.width);
        return Err(FaceError::SeveralFaces {
            role,
            count: similar,
            ratio_percent: (100.0 * second / subject.width).round() as u32,
        });
    }
    Ok((subject, faces.len() - 1))
}

/// Yaw, pitch and roll from the landmarks, measured in the aligned frame.
fn pose_checks(
    landmarks: &[[f32; 2]; 5],
    role: Role,
    warnings: &mut Vec<QualityWarning>,
) -> Result<(), FaceError> {
    let [le, re, nose, ml, mr] = *landmarks;
    let roll = (re[1] - le[1]).atan2(re[0] - le[0]).to_degrees();
    if re[0] <= le[0] {
        return Err(FaceError::ExtremePose {
            role,
            what: format!("eyes in the wrong order (roll {roll:.0}°)"),
        });
    }
    if roll.abs() > 30.0 {
        warnings.push(QualityWarning::Roll { degrees: roll });
    }
    // Undo the roll, then place the nose between the eyes (x) and between eyes and mouth (y).
    let (c, s) = ((-roll).to_radians().cos(), (-roll).to_radians().sin());
    let rot = |p: [f32; 2]| [c * p[0] - s * p[1], s * p[0] + c * p[1]];
    let (le, re, nose, ml, mr) = (rot(le), rot(re), rot(nose), rot(ml), rot(mr));
    let nose_position = (nose[0] - le[0]) / (re[0] - le[0]);
    let eyes_y = (le[1] + re[1]) / 2.0;
    let mouth_y = (ml[1] + mr[1]) / 2.0;
    let nose_height = if mouth_y > eyes_y {
        (nose[1] - eyes_y) / (mouth_y - eyes_y)
    } else {
        f32::NAN
    };
    if !(0.0..=1.0).contains(&nose_position) {
        return Err(FaceError::ExtremePose {
            role,
            what: format!("yaw: nose outside the eyes (at {nose_position:.2})"),
        });
    }
    if !(0.1..=0.9).contains(&nose_height) {
        return Err(FaceError::ExtremePose {
            role,
            what: format!("pitch: nose height {nose_height:.2}"),
        });
    }
    if !(0.25..=0.75).contains(&nose_position) {
        warnings.push(QualityWarning::Yaw { nose_position });
    }
    if !(0.3..=0.75).contains(&nose_height) {
        warnings.push(QualityWarning::Pitch { nose_height });
    }
    Ok(())
}

/// Mean luma (Rec. 601) of a rectangle, clamped to the image.
fn mean_luma(img: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> f32 {
    let x1 = x.saturating_add(w).min(img.width());
    let y1 = y.saturating_add(h).min(img.height());
    let (mut sum, mut n) = (0f64, 0u64);
    for yy in y.min(y1)..y1 {
        for xx in x.min(x1)..x1 {
            let p = img.get_pixel(xx, yy);
            sum += 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, w: f32) -> FaceBox {
        FaceBox {
            x,
            y: 0.0,
            width: w,
            height: w,
            confidence: 0.99,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn subject_is_the_largest_face() {
        let (s, others) =
            pick_subject(&[face(0.0, 30.0), face(100.0, 120.0)], Role::Probe).unwrap();
        assert_eq!((s.x, others), (100.0, 1));
    }

    #[test]
    fn similar_faces_are_rejected() {
        assert_eq!(
            pick_subject(&[face(0.0, 100.0), face(200.0, 90.0)], Role::Probe),
            Err(FaceError::SeveralFaces {
                role: Role::Probe,
                count: 2,
                ratio_percent: 90
            })
        );
        assert_eq!(
            pick_subject(&[], Role::Reference),
            Err(FaceError::NoFace {
                role: Role::Reference
            })
        );
    }

    #[test]
    fn score_is_half_at_threshold_and_monotone() {
        assert!((score(0.55, 0.55) - 0.5).abs() < 1e-6);
        assert!(score(0.2, 0.55) > 0.95 && score(0.9, 0.55) < 0.05);
    }

    #[test]
    fn frontal_template_passes_pose_checks() {
        let mut w = Vec::new();
        pose_checks(&align::TEMPLATE, Role::Probe, &mut w).unwrap();
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn profile_is_extreme_pose() {
        let mut lm = align::TEMPLATE;
        lm[2][0] = 110.0; // nose beyond the right eye
        let mut w = Vec::new();
        assert!(matches!(
            pose_checks(&lm, Role::Probe, &mut w),
            Err(FaceError::ExtremePose {
                role: Role::Probe,
                ..
            })
        ));
    }
}
