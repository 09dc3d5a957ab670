//! The four ONNX models, embedded in the binary, loaded and optimised once by tract.

use crate::error::FaceError;
use crate::report::ModelHashes;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tract_onnx::prelude::*;

/// A runnable, optimised tract plan.
pub(crate) type Plan = Arc<TypedRunnableModel>;

pub(crate) const DESCRIPTOR_FILE: &str = "face_descriptor.onnx";
pub(crate) const PNET_FILE: &str = "mtcnn_pnet.onnx";
pub(crate) const RNET_FILE: &str = "mtcnn_rnet.onnx";
pub(crate) const ONET_FILE: &str = "mtcnn_onet.onnx";

/// The embedded model files (made by `models/make_models.py`; provenance in `models/`).
pub(crate) const DESCRIPTOR_ONNX: &[u8] = include_bytes!("../../../models/face_descriptor.onnx");
pub(crate) const PNET_ONNX: &[u8] = include_bytes!("../../../models/mtcnn_pnet.onnx");
pub(crate) const RNET_ONNX: &[u8] = include_bytes!("../../../models/mtcnn_rnet.onnx");
pub(crate) const ONET_ONNX: &[u8] = include_bytes!("../../../models/mtcnn_onet.onnx");

/// sha256 of the embedded files, as `models/provenance.json` records them (a test re-hashes the
/// embedded bytes, so these cannot drift).
pub(crate) const DESCRIPTOR_SHA256: &str =
    "0ba2d4fca83ba8624e316a5c79490a36cc2c2aed6c8ed13478be0f9e7fe42956";
pub(crate) const PNET_SHA256: &str =
    "07a69013008e612c4d2ad31b09645038911dfec67411cd68ccd0da55ca291a35";
pub(crate) const RNET_SHA256: &str =
    "de0f837f02b57e1e85959c3ae5c46bcd16162e6e95be5db8794e3c7c85a89004";
pub(crate) const ONET_SHA256: &str =
    "d80f19b44f72e45dd2b7d01384d56994220f60d9417b2a7fbba9041ef1d75e52";

pub(crate) fn model_err(model: &'static str) -> impl Fn(TractError) -> FaceError {
    move |e| FaceError::Model {
        model,
        message: format!("{e:#}"),
    }
}

/// Parses `bytes` as ONNX, fixes input 0 to `shape` (f32), optimises, and makes it runnable.
pub(crate) fn load(model: &'static str, bytes: &[u8], shape: &[usize]) -> Result<Plan, FaceError> {
    let err = model_err(model);
    tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .map_err(&err)?
        .with_input_fact(0, f32::fact(shape).into())
        .map_err(&err)?
        .into_optimized()
        .map_err(&err)?
        .into_runnable()
        .map_err(err)
}

/// Runs `plan` on one f32 tensor of `shape`, returning its outputs as flat f32 vectors.
pub(crate) fn run(
    model: &'static str,
    plan: &Plan,
    shape: &[usize],
    data: Vec<f32>,
) -> Result<Vec<Vec<f32>>, FaceError> {
    let err = model_err(model);
    let input =
        tract_ndarray::ArrayD::from_shape_vec(shape, data).map_err(|e| FaceError::Model {
            model,
            message: e.to_string(),
        })?;
    let outputs = plan.run(tvec!(input.into_tensor().into())).map_err(&err)?;
    outputs
        .iter()
        .map(|t| {
            let view = t.try_as_plain_ram().map_err(&err)?;
            Ok(view.as_slice::<f32>().map_err(&err)?.to_vec())
        })
        .collect()
}

/// Timings of [`crate::FaceMatcher::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadTimes {
    /// The descriptor (parse + optimise).
    pub descriptor: Duration,
    /// The P-Net, once per pyramid level.
    pub pnet: Duration,
    /// R-Net and O-Net.
    pub rnet_onet: Duration,
}

impl LoadTimes {
    /// The whole load.
    pub fn total(&self) -> Duration {
        self.descriptor + self.pnet + self.rnet_onet
    }
}

pub(crate) fn hashes() -> ModelHashes {
    ModelHashes {
        descriptor: DESCRIPTOR_SHA256.to_owned(),
        pnet: PNET_SHA256.to_owned(),
        rnet: RNET_SHA256.to_owned(),
        onet: ONET_SHA256.to_owned(),
    }
}

pub(crate) fn timed<T>(
    f: impl FnOnce() -> Result<T, FaceError>,
) -> Result<(T, Duration), FaceError> {
    let t = Instant::now();
    let v = f()?;
    Ok((v, t.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn embedded_models_match_their_recorded_sha256() {
        for (bytes, want) in [
            (DESCRIPTOR_ONNX, DESCRIPTOR_SHA256),
            (PNET_ONNX, PNET_SHA256),
            (RNET_ONNX, RNET_SHA256),
            (ONET_ONNX, ONET_SHA256),
        ] {
            assert_eq!(hex::encode(Sha256::digest(bytes)), want);
        }
        let provenance = include_str!("../../../models/provenance.json");
        for h in [DESCRIPTOR_SHA256, PNET_SHA256, RNET_SHA256, ONET_SHA256] {
            assert!(provenance.contains(h), "{h} not in models/provenance.json");
        }
    }
}
