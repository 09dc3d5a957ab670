//! Model load time and per-stage latency (decode, detect, align, embed), single-threaded; and the raw
//! per-model inference times with the pipeline's own plans. The comparison with onnxruntime on the
//! very same tensors is `examples/dump_tensors.rs` + `models/compare_onnxruntime.py`.
//!
//! Run: `taskset -c 0 cargo bench -p epassport-face` (tract runs on one thread).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use criterion::{Criterion, criterion_group, criterion_main};
use epassport_face::{FaceMatcher, Role, align, decode};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/faces")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A deterministic input: `v[i] = lo + (hi - lo) * frac(i * 0.618034)`.
fn pattern(n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n)
        .map(|i| lo + (hi - lo) * ((i as f64 * 0.618_034).fract() as f32))
        .collect()
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("face");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("load", |b| {
        b.iter(|| black_box(FaceMatcher::new().unwrap()))
    });
    let m = FaceMatcher::new().unwrap();
    let lt = m.load_times();
    eprintln!(
        "load: descriptor {:?}, pnet (9 levels) {:?}, rnet+onet {:?}, total {:?}",
        lt.descriptor,
        lt.pnet,
        lt.rnet_onet,
        lt.total()
    );
    let bytes = fixture("holder-selfie.jpg");
    g.bench_function("decode_selfie_360x480", |b| {
        b.iter(|| black_box(decode(&bytes, Role::Probe).unwrap()))
    });
    let rgb = decode(&bytes, Role::Probe).unwrap().to_rgb8();
    g.bench_function("detect_selfie_360x480", |b| {
        b.iter(|| black_box(m.detect(&rgb).unwrap()))
    });
    let faces = m.detect(&rgb).unwrap();
    let lm = faces[0].landmarks;
    g.bench_function("align", |b| {
        b.iter(|| black_box(align::align(&rgb, &lm).unwrap()))
    });
    let chip = align::align(&rgb, &lm).unwrap();
    g.bench_function("embed", |b| {
        b.iter(|| black_box(m.embed_chip(&chip).unwrap()))
    });
    let portrait = decode(&fixture("holder-portrait.jpg"), Role::Reference).unwrap();
    let selfie = decode(&bytes, Role::Probe).unwrap();
    g.bench_function("compare_portrait_selfie", |b| {
        b.iter(|| black_box(m.compare(&portrait, &selfie).unwrap()))
    });
    g.finish();
}

fn raw_models(c: &mut Criterion) {
    let mut g = c.benchmark_group("model");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let m = FaceMatcher::new().unwrap();
    // The shapes the pipeline runs: P-Net's largest pyramid level, R-Net's and O-Net's batches.
    for (file, shape) in [
        ("face_descriptor.onnx", [1, 150, 150, 3]),
        ("mtcnn_pnet.onnx", [1, 192, 192, 3]),
        ("mtcnn_rnet.onnx", [16, 24, 24, 3]),
        ("mtcnn_onet.onnx", [4, 48, 48, 3]),
    ] {
        let n: usize = shape.iter().product();
        let (lo, hi) = if file.starts_with("face") {
            (0.0, 255.0)
        } else {
            (-1.0, 1.0)
        };
        let input = pattern(n, lo, hi);
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let name = format!("{}_{}", file.trim_end_matches(".onnx"), dims.join("x"));
        g.bench_function(name, |b| {
            b.iter(|| black_box(m.run_model(file, &shape, input.clone()).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, stages, raw_models);
criterion_main!(benches);
