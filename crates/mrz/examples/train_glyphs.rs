//! Trains the glyph classifier committed as `crates/mrz/data/glyph-model.bin` (see
//! `epassport_mrz::scan::learned`): a one-hidden-layer network over the glyph windows that
//! the scanner cuts from synthetic pages, with the softmax over the characters each position
//! allows, exactly as the scanner applies it.
//!
//! ```sh
//! cargo run --release -p epassport-mrz --features image --example train_glyphs -- [PAGES] [FIRST_SEED] [OUT] [HIDDEN] [CACHE]
//! ```
//! Defaults: 3000 pages from seed 1000000 (the accuracy test reads seeds 0..300 and `ocr_eval`
//! 0..1000: never the same pages), half [`synth::random_page`], half [`synth::harsh_page`];
//! output `crates/mrz/data/glyph-model.bin`. Deterministic: the same arguments give the same
//! bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // example code

use epassport_mrz::scan::{self, learned, synth};

const INPUTS: usize = learned::INPUTS;
const CLASSES: usize = learned::CLASSES;
const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";

struct Sample {
    x: Vec<f32>,
    allowed: u64,
    label: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pages: u64 = args.get(1).map_or(3000, |s| s.parse().unwrap());
    let first: u64 = args.get(2).map_or(1_000_000, |s| s.parse().unwrap());
    let out = args.get(3).map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/data/glyph-model.bin").to_string(),
        Clone::clone,
    );
    let hidden: usize = args.get(4).map_or(HIDDEN, |s| s.parse().unwrap());
    // Optional: a file caching the samples between runs.
    let cache = args.get(5);
    let t0 = std::time::Instant::now();
    let samples = match cache.and_then(|c| load(c)) {
        Some(s) => s,
        None => {
            let s = collect(pages, first);
            if let Some(c) = cache {
                save(&s, c);
            }
            s
        }
    };
    eprintln!(
        "{} samples from {pages} pages in {:.1} s",
        samples.len(),
        t0.elapsed().as_secs_f64()
    );
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for (i, s) in samples.iter().enumerate() {
        if i % 20 == 0 {
            valid.push(s);
        } else {
            train.push(s);
        }
    }
    let layers = fit(&train, &valid, hidden);
    std::fs::write(&out, learned::encode(&layers)).unwrap();
    eprintln!("wrote {out} in {:.1} s", t0.elapsed().as_secs_f64());
}

/// Hidden units of the committed model.
const HIDDEN: usize = 96;

/// Glyph windows with their true characters. Lines where template matching agrees with the
/// truth on fewer than 70 % of positions are left out: they were cut at the wrong places, and
/// their labels would teach noise. Fillers are kept one in five.
fn collect(pages: u64, first: u64) -> Vec<Sample> {
    let per: Vec<Vec<Sample>> = synth::for_seeds(first..first + pages, |seed| {
        let page = if seed % 2 == 0 {
            synth::random_page(seed)
        } else {
            synth::harsh_page(seed)
        };
        let Ok(lines) = scan::glyph_windows(&page.jpeg()) else {
            return Vec::new();
        };
        let mut kept = Vec::new();
        let mut filler = 0usize;
        for (line, truth) in lines.iter().zip(&page.mrz) {
            let truth = truth.as_bytes();
            let agree = line
                .iter()
                .zip(truth)
                .filter(|(g, t)| g.template_best as u8 == **t)
                .count();
            if agree * 10 < line.len() * 7 || line.len() != truth.len() {
                continue;
            }
            for (g, &t) in line.iter().zip(truth) {
                let label = ALPHABET.iter().position(|&a| a == t).unwrap();
                if g.allowed & (1 << label) == 0 {
                    continue;
                }
                if t == b'<' {
                    filler += 1;
                    if !filler.is_multiple_of(5) {
                        continue;
                    }
                }
                kept.push(Sample {
                    x: g.pixels.clone(),
                    allowed: g.allowed,
                    label,
                });
            }
        }
        kept
    });
    per.into_iter().flatten().collect()
}

#[allow(clippy::needless_range_loop)] // class-indexed arrays
/// Forward pass: the activations of each layer (after ReLU except the last), then the softmax
/// over the allowed classes in `p`; returns the log-probability of the label.
fn forward(
    layers: &[learned::Layer],
    s: &Sample,
    acts: &mut Vec<Vec<f32>>,
    p: &mut [f32; CLASSES],
) -> f32 {
    acts.clear();
    acts.push(s.x.clone());
    for (i, l) in layers.iter().enumerate() {
        let a = acts.last().unwrap();
        let mut z: Vec<f32> =
            l.w.chunks_exact(l.inputs)
                .zip(&l.b)
                .map(|(row, b)| row.iter().zip(a).map(|(w, x)| w * x).sum::<f32>() + b)
                .collect();
        if i + 1 < layers.len() {
            z.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        acts.push(z);
    }
    let z = acts.last().unwrap();
    let mut max = f32::NEG_INFINITY;
    for c in 0..CLASSES {
        if s.allowed & (1 << c) != 0 {
            max = max.max(z[c]);
        }
    }
    let mut sum = 0.0;
    for c in 0..CLASSES {
        p[c] = if s.allowed & (1 << c) != 0 {
            (z[c] - max).exp()
        } else {
            0.0
        };
        sum += p[c];
    }
    p.iter_mut().for_each(|v| *v /= sum);
    p[s.label].max(1e-30).ln()
}

/// Adds the cross-entropy gradient of one sample to `grads` (weights then biases per layer);
/// returns its loss.
fn backward(layers: &[learned::Layer], s: &Sample, grads: &mut [(Vec<f32>, Vec<f32>)]) -> f32 {
    let mut acts = Vec::with_capacity(layers.len() + 1);
    let mut p = [0f32; CLASSES];
    let loss = -forward(layers, s, &mut acts, &mut p);
    let mut delta: Vec<f32> = (0..CLASSES)
        .map(|c| p[c] - if c == s.label { 1.0 } else { 0.0 })
        .collect();
    for li in (0..layers.len()).rev() {
        let l = &layers[li];
        let input = &acts[li];
        let (gw, gb) = &mut grads[li];
        for (o, &d) in delta.iter().enumerate() {
            if d == 0.0 {
                continue;
            }
            gb[o] += d;
            for (g, x) in gw[o * l.inputs..(o + 1) * l.inputs].iter_mut().zip(input) {
                *g += d * x;
            }
        }
        if li == 0 {
            break;
        }
        // Through the weights and the previous layer's ReLU.
        let mut back = vec![0f32; l.inputs];
        for (o, &d) in delta.iter().enumerate() {
            if d == 0.0 {
                continue;
            }
            for (b, w) in back.iter_mut().zip(&l.w[o * l.inputs..(o + 1) * l.inputs]) {
                *b += d * w;
            }
        }
        for (b, &a) in back.iter_mut().zip(input) {
            if a <= 0.0 {
                *b = 0.0;
            }
        }
        delta = back;
    }
    loss
}

#[allow(clippy::needless_range_loop)] // parameter-indexed arrays
/// Mini-batch Adam on the cross-entropy with a little L2, the batch's gradient computed on every
/// core; reports validation errors per epoch. `hidden` = 0 trains a linear model.
fn fit(train: &[&Sample], valid: &[&Sample], hidden: usize) -> Vec<learned::Layer> {
    const EPOCHS: usize = 16;
    const BATCH: usize = 256;
    const L2: f32 = 1e-5;
    let (lr0, b1, b2, eps) = (0.003f32, 0.9f32, 0.999f32, 1e-8f32);
    let mut rng = synth::Rng::new(7);
    let widths: Vec<usize> = if hidden == 0 {
        vec![INPUTS, CLASSES]
    } else {
        vec![INPUTS, hidden, CLASSES]
    };
    let mut layers: Vec<learned::Layer> = widths
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            // Inputs are unit-norm windows: unit weights give unit pre-activations.
            let std = if i == 0 {
                1.0
            } else {
                (2.0 / w[0] as f32).sqrt()
            };
            learned::Layer {
                outputs: w[1],
                inputs: w[0],
                w: (0..w[0] * w[1]).map(|_| rng.normal() * std).collect(),
                b: vec![0.0; w[1]],
            }
        })
        .collect();
    let zeros = |layers: &[learned::Layer]| -> Grads {
        layers
            .iter()
            .map(|l| (vec![0f32; l.w.len()], vec![0f32; l.b.len()]))
            .collect()
    };
    let mut m = zeros(&layers);
    let mut v = zeros(&layers);
    // A fixed split of each batch (not the core count): the same bytes on any machine.
    const PARTS: usize = 4;
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut step = 0i32;
    for epoch in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let lr = lr0 * 0.5f32.powf(epoch as f32 / 4.0);
        let mut loss = 0.0f64;
        for batch in order.chunks(BATCH) {
            let parts: Vec<(f32, Grads)> = std::thread::scope(|sc| {
                let layers = &layers;
                let handles: Vec<_> = batch
                    .chunks(batch.len().div_ceil(PARTS))
                    .map(|part| {
                        sc.spawn(move || {
                            let mut g = zeros(layers);
                            let l: f32 = part
                                .iter()
                                .map(|&i| backward(layers, train[i], &mut g))
                                .sum();
                            (l, g)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            step += 1;
            let scale = 1.0 / batch.len() as f32;
            let (c1, c2) = (1.0 - b1.powi(step), 1.0 - b2.powi(step));
            for (li, layer) in layers.iter_mut().enumerate() {
                let params = [(&mut layer.w, 0usize), (&mut layer.b, 1usize)];
                for (param, which) in params {
                    for k in 0..param.len() {
                        let mut g: f32 = parts
                            .iter()
                            .map(|p| {
                                if which == 0 {
                                    p.1[li].0[k]
                                } else {
                                    p.1[li].1[k]
                                }
                            })
                            .sum::<f32>()
                            * scale;
                        if which == 0 {
                            g += L2 * param[k];
                        }
                        let (mm, vv) = if which == 0 {
                            (&mut m[li].0[k], &mut v[li].0[k])
                        } else {
                            (&mut m[li].1[k], &mut v[li].1[k])
                        };
                        *mm = b1 * *mm + (1.0 - b1) * g;
                        *vv = b2 * *vv + (1.0 - b2) * g * g;
                        param[k] -= lr * (*mm / c1) / ((*vv / c2).sqrt() + eps);
                    }
                }
            }
            loss += parts.iter().map(|p| f64::from(p.0)).sum::<f64>();
        }
        let mut acts = Vec::new();
        let mut p = [0f32; CLASSES];
        let wrong = valid
            .iter()
            .filter(|s| {
                forward(&layers, s, &mut acts, &mut p);
                (0..CLASSES).max_by(|&a, &c| p[a].total_cmp(&p[c])) != Some(s.label)
            })
            .count();
        eprintln!(
            "epoch {epoch}: train loss {:.4}, validation errors {wrong}/{}",
            loss / train.len() as f64,
            valid.len()
        );
    }
    layers
}

/// Per layer: weight and bias gradients (or Adam moments).
type Grads = Vec<(Vec<f32>, Vec<f32>)>;

/// Saves samples (for re-training without re-reading the pages).
fn save(samples: &[Sample], path: &str) {
    let mut out = Vec::with_capacity(samples.len() * (INPUTS * 4 + 16));
    for s in samples {
        out.extend_from_slice(&s.allowed.to_le_bytes());
        out.extend_from_slice(&(s.label as u64).to_le_bytes());
        for v in &s.x {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    std::fs::write(path, out).unwrap();
}

fn load(path: &str) -> Option<Vec<Sample>> {
    let bytes = std::fs::read(path).ok()?;
    let rec = 16 + INPUTS * 4;
    Some(
        bytes
            .chunks_exact(rec)
            .map(|r| Sample {
                allowed: u64::from_le_bytes(r[0..8].try_into().unwrap()),
                label: u64::from_le_bytes(r[8..16].try_into().unwrap()) as usize,
                x: r[16..]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            })
            .collect(),
    )
}
