//! Dumps the very tensors the pipeline feeds each model, tract's outputs for them and tract's time
//! per run, for `models/compare_onnxruntime.py` to set onnxruntime against (same ONNX files, same
//! inputs); and every fixture's detections and descriptors (`golden.json`, to check that a speed
//! change leaves the results alone).
//!
//! ```sh
//! taskset -c 0 cargo run --release -p epassport-face --example dump_tensors -- /tmp/face-tensors
//! taskset -c 0 python3 models/compare_onnxruntime.py /tmp/face-tensors
//! ```
//!
//! Inputs: the aligned 150x150 crops of the five portrait fixtures (descriptor); for
//! `holder-selfie.jpg`, the P-Net input of every pyramid level and the first R-Net and O-Net
//! batches, with how many runs of each one detection takes. Files are `.npy` (little-endian f32).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_face::{FaceMatcher, Role, align, decode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Writes a version 1.0 `.npy` file of little-endian f32.
fn write_npy(path: &Path, shape: &[usize], data: &[f32]) {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}",
        dims.join(", ")
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, out).unwrap();
}

/// This thread's time on a CPU so far, in ms (`/proc/thread-self/schedstat`): unlike wall time,
/// it does not count the time other processes hold the core. The kernel updates it at scheduler
/// ticks, so it is only read around many runs (see [`time_ms`]).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e6)
}

/// After `warm` unmeasured runs: the median wall milliseconds of a run, and the mean CPU
/// milliseconds per run over at least `min_reps` runs and 400 ms of CPU time.
fn time_ms(warm: usize, min_reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..warm {
        f();
    }
    let mut wall = Vec::new();
    let c0 = cpu_ms();
    while wall.len() < min_reps || (cpu_ms() - c0 < 400.0 && wall.len() < 100_000) {
        let s = Instant::now();
        f();
        wall.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu = (cpu_ms() - c0) / wall.len() as f64;
    wall.sort_by(f64::total_cmp);
    (wall[wall.len() / 2], cpu)
}

struct Case {
    name: String,
    model: &'static str,
    shape: Vec<usize>,
    data: Vec<f32>,
    runs_per_detect: usize,
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: dump_tensors OUT_DIR"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");

    // Per-stage times on one selfie (run under `taskset -c 0`; tract uses one thread).
    let mut stages = serde_json::Map::new();
    let mut stage = |name: &str, (wall, cpu): (f64, f64)| {
        println!("stage {name:<10} {wall:>9.3} ms wall (median) {cpu:>9.3} ms cpu (mean)");
        stages.insert(name.into(), json!({ "wall_ms": wall, "cpu_ms": cpu }));
    };
    stage(
        "load",
        time_ms(1, 5, || {
            std::hint::black_box(FaceMatcher::new().unwrap());
        }),
    );
    let m = FaceMatcher::new().unwrap();
    let selfie = std::fs::read(root.join("fixtures/faces/holder-selfie.jpg")).unwrap();
    stage(
        "decode",
        time_ms(3, 21, || {
            std::hint::black_box(decode(&selfie, Role::Probe).unwrap());
        }),
    );
    let rgb = decode(&selfie, Role::Probe).unwrap().to_rgb8();
    stage(
        "detect",
        time_ms(3, 21, || {
            std::hint::black_box(m.detect(&rgb).unwrap());
        }),
    );
    let lm = m.detect(&rgb).unwrap()[0].landmarks;
    stage(
        "align",
        time_ms(3, 21, || {
            std::hint::black_box(align::align(&rgb, &lm).unwrap());
        }),
    );
    let chip = align::align(&rgb, &lm).unwrap();
    stage(
        "embed",
        time_ms(3, 21, || {
            std::hint::black_box(m.embed_chip(&chip).unwrap());
        }),
    );
    let mut cases = Vec::new();
    let mut golden = serde_json::Map::new();

    // Descriptor inputs: the aligned crops of the portrait fixtures.
    for name in [
        "holder-portrait",
        "holder-selfie",
        "impostor-selfie",
        "obama",
        "obama2",
    ] {
        let bytes = std::fs::read(root.join(format!("fixtures/faces/{name}.jpg"))).unwrap();
        let e = m
            .analyse(&decode(&bytes, Role::Probe).unwrap(), Role::Probe)
            .unwrap();
        cases.push(Case {
            name: format!("descriptor_{name}"),
            model: "face_descriptor.onnx",
            shape: vec![1, 150, 150, 3],
            data: e.chip.as_raw().iter().map(|&v| f32::from(v)).collect(),
            runs_per_detect: 0,
        });
    }

    // MTCNN inputs of one selfie: each distinct (model, shape) once, with its run count.
    let bytes = std::fs::read(root.join("fixtures/faces/holder-selfie.jpg")).unwrap();
    let rgb = decode(&bytes, Role::Probe).unwrap().to_rgb8();
    let mut seen: BTreeMap<(&'static str, Vec<usize>), usize> = BTreeMap::new();
    m.detect_inspect(&rgb, |model, shape, data| {
        let key = (model, shape.to_vec());
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        if *n == 1 {
            let net = model.trim_start_matches("mtcnn_").trim_end_matches(".onnx");
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            cases.push(Case {
                name: format!("{net}_{}", dims.join("x")),
                model,
                shape: shape.to_vec(),
                data: data.to_vec(),
                runs_per_detect: 0,
            });
        }
    })
    .unwrap();
    for c in &mut cases {
        if let Some(n) = seen.get(&(c.model, c.shape.clone())) {
            c.runs_per_detect = *n;
        }
    }

    // tract: outputs and time per run (the plans the pipeline uses).
    let mut manifest = Vec::new();
    for c in &cases {
        let outs = m.run_model(c.model, &c.shape, c.data.clone()).unwrap();
        let (wall, cpu) = time_ms(3, 21, || {
            std::hint::black_box(m.run_model(c.model, &c.shape, c.data.clone()).unwrap());
        });
        write_npy(&out.join(format!("{}.in.npy", c.name)), &c.shape, &c.data);
        for (k, o) in outs.iter().enumerate() {
            write_npy(&out.join(format!("{}.out{k}.npy", c.name)), &[o.len()], o);
        }
        println!(
            "{:<32} {wall:>8.3} ms wall (median) {cpu:>8.3} ms cpu (mean){}",
            c.name,
            if c.runs_per_detect > 0 {
                format!(", {} run(s) per detection", c.runs_per_detect)
            } else {
                String::new()
            }
        );
        manifest.push(json!({
            "name": c.name,
            "model": c.model,
            "shape": c.shape,
            "outputs": outs.len(),
            // The MTCNN plans end in the two class logits (the pipeline softmaxes them itself).
            "logits_outputs": if c.model.starts_with("mtcnn") { vec![outs.len() - 1] } else { vec![] },
            "tract_ms": wall,
            "tract_cpu_ms": cpu,
            "runs_per_detect": c.runs_per_detect,
        }));
    }
    let doc = json!({ "stages": stages, "cases": manifest });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .unwrap();

    // Golden results: every face of every fixture (and of the shared photos when present).
    let mut images: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/faces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    let shared = root.join("../shared/faces");
    for n in [
        "bald_guys.jpg",
        "Tom_Cruise_avp_2014_4.jpg",
        "2008_002506.jpg",
    ] {
        if shared.join(n).is_file() {
            images.push(shared.join(n));
        }
    }
    images.sort();
    for p in images {
        let rgb = decode(&std::fs::read(&p).unwrap(), Role::Probe)
            .unwrap()
            .to_rgb8();
        let faces: Vec<Value> = m
            .detect(&rgb)
            .unwrap()
            .iter()
            .map(|f| {
                let d = align::align(&rgb, &f.landmarks).map(|c| m.embed_chip(&c).unwrap());
                json!({ "box": [f.x, f.y, f.width, f.height], "confidence": f.confidence,
                        "landmarks": f.landmarks, "descriptor": d })
            })
            .collect();
        golden.insert(
            p.file_name().unwrap().to_string_lossy().into_owned(),
            Value::Array(faces),
        );
    }
    std::fs::write(
        out.join("golden.json"),
        serde_json::to_string(&golden).unwrap(),
    )
    .unwrap();
    println!("wrote {}", out.display());
}
