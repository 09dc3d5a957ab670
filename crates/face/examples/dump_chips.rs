//! Writes, for `models/ort_check.py`: each fixture's aligned 150x150 chip (PNG) with tract's
//! descriptor of it, and tract's outputs of the four models on the deterministic pattern inputs.
//!
//! `cargo run --release -p epassport-face --example dump_chips -- OUT_DIR`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_face::{FaceMatcher, Role, decode};
use std::path::PathBuf;
use tract_onnx::prelude::*;

fn pattern(n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n)
        .map(|i| lo + (hi - lo) * ((i as f64 * 0.618_034).fract() as f32))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: dump_chips OUT_DIR")?);
    std::fs::create_dir_all(&out)?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let m = FaceMatcher::new()?;
    let mut descriptors = serde_json::Map::new();
    for name in [
        "holder-portrait",
        "holder-selfie",
        "impostor-selfie",
        "obama",
        "obama2",
    ] {
        let bytes = std::fs::read(root.join("fixtures/faces").join(format!("{name}.jpg")))?;
        let e = m.analyse(&decode(&bytes, Role::Probe)?, Role::Probe)?;
        e.chip.save(out.join(format!("{name}.png")))?;
        descriptors.insert(name.into(), serde_json::to_value(&e.descriptor)?);
    }
    let mut raw = serde_json::Map::new();
    for (file, shape) in [
        ("face_descriptor.onnx", vec![1usize, 150, 150, 3]),
        ("mtcnn_pnet.onnx", vec![1, 320, 320, 3]),
        ("mtcnn_rnet.onnx", vec![16, 24, 24, 3]),
        ("mtcnn_onet.onnx", vec![16, 48, 48, 3]),
    ] {
        let plan = tract_onnx::onnx()
            .model_for_path(root.join("models").join(file))?
            .with_input_fact(0, f32::fact(&shape).into())?
            .into_optimized()?
            .into_runnable()?;
        let n = shape.iter().product();
        let (lo, hi) = if file.starts_with("face") {
            (0.0, 255.0)
        } else {
            (-1.0, 1.0)
        };
        let input = tract_ndarray::ArrayD::from_shape_vec(shape, pattern(n, lo, hi))?.into_tensor();
        let outs = plan.run(tvec!(input.into()))?;
        let vals: Vec<Vec<f32>> = outs
            .iter()
            .map(|t| Ok(t.try_as_plain_ram()?.as_slice::<f32>()?.to_vec()))
            .collect::<TractResult<_>>()?;
        raw.insert(file.into(), serde_json::to_value(vals)?);
    }
    let doc = serde_json::json!({ "descriptors": descriptors, "raw": raw });
    std::fs::write(out.join("tract.json"), serde_json::to_string(&doc)?)?;
    println!("wrote {}", out.display());
    Ok(())
}
