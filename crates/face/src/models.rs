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
    let onnx = tract_onnx::onnx();
    let proto = onnx
        .proto_model_for_read(&mut std::io::Cursor::new(bytes))
        .map_err(&err)?;
    optimise(&onnx, proto, shape).map_err(err)
}

/// Like [`load`] for the MTCNN nets, after [`rewrite_mtcnn`].
pub(crate) fn load_mtcnn(
    model: &'static str,
    bytes: &[u8],
    shape: &[usize],
) -> Result<Plan, FaceError> {
    let err = model_err(model);
    let onnx = tract_onnx::onnx();
    let mut proto = onnx
        .proto_model_for_read(&mut std::io::Cursor::new(bytes))
        .map_err(&err)?;
    rewrite_mtcnn(&mut proto, shape.first().copied().unwrap_or(1));
    optimise(&onnx, proto, shape).map_err(err)
}

/// Two edits to an MTCNN graph for tract's speed, neither changing a result:
///
/// - `PRelu(x, s)` becomes `Relu(x) + s * Min(x, 0)`: the same value bit for bit (for `x > 0`,
///   `x + s * 0 = x`; otherwise `0 + s * x = s * x`), but made of ops tract runs with its
///   vectorised kernels, where it runs `PRelu` as a generic comparison and select.
///   With a batch of `batch` > 1, a per-channel slope `[1, C, 1, 1]` is first broadcast to
///   `[batch, C, 1, 1]` (tract folds this constant), which puts the multiplication on tract's
///   vectorised per-channel path instead of its generic broadcasting loop.
/// - The final two-class `Softmax` becomes `Identity`: the net outputs the two logits and
///   [`face_probability`] turns them into the face probability. tract's softmax over an axis of 2
///   costs as much as a convolution layer in P-Net.
pub(crate) fn rewrite_mtcnn(proto: &mut tract_onnx::pb::ModelProto, batch: usize) {
    use tract_onnx::pb::{NodeProto, TensorProto};
    let Some(graph) = proto.graph.as_mut() else {
        return;
    };
    const ZERO: &str = "epassport_face/zero";
    const BATCH: &str = "epassport_face/batch";
    let rank4: Vec<String> = graph
        .initializer
        .iter()
        .filter(|t| t.dims.len() == 4)
        .map(|t| t.name.clone())
        .collect();
    let mut nodes = Vec::with_capacity(graph.node.len() + 16);
    let (mut uses_zero, mut uses_batch) = (false, false);
    for node in std::mem::take(&mut graph.node) {
        match (
            node.op_type.as_str(),
            node.input.as_slice(),
            node.output.as_slice(),
        ) {
            ("PRelu", [x, slope], [y]) => {
                uses_zero = true;
                let n = |op: &str, input: Vec<String>, out: String| NodeProto {
                    op_type: op.into(),
                    name: format!("{}/{op}", node.name),
                    input,
                    output: vec![out],
                    ..NodeProto::default()
                };
                let (pos, neg, scaled) = (
                    format!("{y}/pos"),
                    format!("{y}/neg"),
                    format!("{y}/scaled"),
                );
                let slope = if batch > 1 && rank4.contains(slope) {
                    uses_batch = true;
                    let tiled = format!("{y}/slope");
                    nodes.push(n(
                        "Expand",
                        vec![slope.clone(), BATCH.into()],
                        tiled.clone(),
                    ));
                    tiled
                } else {
                    slope.clone()
                };
                nodes.push(n("Relu", vec![x.clone()], pos.clone()));
                nodes.push(n("Min", vec![x.clone(), ZERO.into()], neg.clone()));
                nodes.push(n("Mul", vec![neg, slope], scaled.clone()));
                nodes.push(n("Add", vec![pos, scaled], y.clone()));
            }
            ("Softmax", [_], [_]) => nodes.push(NodeProto {
                op_type: "Identity".into(),
                attribute: Vec::new(),
                ..node
            }),
            _ => nodes.push(node),
        }
    }
    graph.node = nodes;
    if uses_zero {
        graph.initializer.push(TensorProto {
            name: ZERO.into(),
            data_type: 1, // FLOAT
            float_data: vec![0.0],
            ..TensorProto::default()
        });
    }
    if uses_batch {
        graph.initializer.push(TensorProto {
            name: BATCH.into(),
            data_type: 7, // INT64
            dims: vec![4],
            int64_data: vec![batch as i64, 1, 1, 1],
            ..TensorProto::default()
        });
    }
}

/// The face probability from an MTCNN net's two logits (not-face, face): the second component of
/// their softmax.
pub(crate) fn face_probability(logits: &[f32]) -> f32 {
    match logits {
        [not_face, face] => 1.0 / (1.0 + (not_face - face).exp()),
        _ => f32::NAN,
    }
}

fn optimise(
    onnx: &tract_onnx::Onnx,
    proto: tract_onnx::pb::ModelProto,
    shape: &[usize],
) -> TractResult<Plan> {
    onnx.model_for_proto_model(&proto)?
        .with_input_fact(0, f32::fact(shape).into())?
        .into_optimized()?
        .into_runnable()
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
    fn mtcnn_rewrite_keeps_the_results() {
        // PRelu rewritten: box regressions and landmarks equal bit for bit; the face probability,
        // now from the logits, within float rounding of the graph's own softmax.
        for (file, bytes, shape) in [
            (PNET_FILE, PNET_ONNX, [1, 30, 30, 3]),
            (RNET_FILE, RNET_ONNX, [2, 24, 24, 3]),
            (ONET_FILE, ONET_ONNX, [2, 48, 48, 3]),
        ] {
            let n: usize = shape.iter().product();
            let input: Vec<f32> = (0..n)
                .map(|i| ((i as f64 * 0.618_034).fract() * 2.0 - 1.0) as f32)
                .collect();
            let original = run(
                file,
                &load(file, bytes, &shape).unwrap(),
                &shape,
                input.clone(),
            );
            let rewritten = run(
                file,
                &load_mtcnn(file, bytes, &shape).unwrap(),
                &shape,
                input,
            );
            let (mut original, mut rewritten) = (original.unwrap(), rewritten.unwrap());
            let (probs, logits) = (original.pop().unwrap(), rewritten.pop().unwrap());
            assert_eq!(original, rewritten, "{file}");
            assert_eq!(probs.len(), logits.len());
            for (p, l) in probs.chunks(2).zip(logits.chunks(2)) {
                assert!(
                    (p[1] - face_probability(l)).abs() < 1e-6,
                    "{file}: {p:?} {l:?}"
                );
            }
        }
    }

    #[test]
    fn face_probability_is_the_softmax() {
        assert_eq!(face_probability(&[0.0, 0.0]), 0.5);
        assert!((face_probability(&[-1.0, 2.0]) - 0.952_574_1).abs() < 1e-6);
        assert!(face_probability(&[1.0]).is_nan());
    }

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
