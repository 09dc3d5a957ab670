//! Trains the glyph classifier committed as `crates/mrz/data/glyph-model.bin` (see
//! `epassport_mrz::scan::learned`): multinomial logistic regression over the glyph windows that
//! the scanner cuts from synthetic pages, with the softmax over the characters each position
//! allows, exactly as the scanner applies it.
//!
//! ```sh
//! cargo run --release -p epassport-mrz --features image --example train_glyphs -- [PAGES] [FIRST_SEED] [OUT]
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
    let t0 = std::time::Instant::now();
    let samples = collect(pages, first);
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
    let (w, b) = fit(&train, &valid);
    std::fs::write(&out, learned::encode(&w, &b)).unwrap();
    eprintln!("wrote {out} in {:.1} s", t0.elapsed().as_secs_f64());
}

/// Glyph windows with their true characters. Lines where template matching agrees with the
/// truth on fewer than 70 % of positions are left out: they were cut at the wrong places, and
/// their labels would teach noise. Fillers are kept one in five.
fn collect(pages: u64, first: u64) -> Vec<Sample> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let mut per: Vec<(u64, Vec<Sample>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    for seed in (first + t..first + pages).step_by(threads as usize) {
                        let page = if seed % 2 == 0 {
                            synth::random_page(seed)
                        } else {
                            synth::harsh_page(seed)
                        };
                        let Ok(lines) = scan::glyph_windows(&page.jpeg()) else {
                            continue;
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
                                    if filler % 5 != 0 {
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
                        out.push((seed, kept));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    per.sort_by_key(|p| p.0);
    per.into_iter().flat_map(|p| p.1).collect()
}

/// Softmax over the allowed classes: (probabilities, log-probability of `label`).
fn forward(w: &[f32], b: &[f32], s: &Sample, p: &mut [f32; CLASSES]) -> f32 {
    let mut max = f32::NEG_INFINITY;
    for c in 0..CLASSES {
        if s.allowed & (1 << c) == 0 {
            p[c] = f32::NEG_INFINITY;
            continue;
        }
        let row = &w[c * INPUTS..(c + 1) * INPUTS];
        p[c] = row.iter().zip(&s.x).map(|(a, x)| a * x).sum::<f32>() + b[c];
        max = max.max(p[c]);
    }
    let mut sum = 0.0;
    for v in p.iter_mut() {
        *v = if v.is_finite() { (*v - max).exp() } else { 0.0 };
        sum += *v;
    }
    for v in p.iter_mut() {
        *v /= sum;
    }
    p[s.label].max(1e-30).ln()
}

/// Mini-batch Adam on the cross-entropy with a little L2; reports validation accuracy.
fn fit(train: &[&Sample], valid: &[&Sample]) -> (Vec<f32>, Vec<f32>) {
    const EPOCHS: usize = 12;
    const BATCH: usize = 128;
    const L2: f32 = 1e-5;
    let (lr0, b1, b2, eps) = (0.01f32, 0.9f32, 0.999f32, 1e-8f32);
    let n = CLASSES * INPUTS;
    let (mut w, mut b) = (vec![0f32; n], vec![0f32; CLASSES]);
    let (mut mw, mut vw) = (vec![0f32; n], vec![0f32; n]);
    let (mut mb, mut vb) = (vec![0f32; CLASSES], vec![0f32; CLASSES]);
    let (mut gw, mut gb) = (vec![0f32; n], vec![0f32; CLASSES]);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = synth::Rng::new(7);
    let mut step = 0i32;
    let mut p = [0f32; CLASSES];
    for epoch in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let lr = lr0 * 0.5f32.powf(epoch as f32 / 4.0);
        let mut loss = 0.0f64;
        for batch in order.chunks(BATCH) {
            gw.iter_mut().for_each(|g| *g = 0.0);
            gb.iter_mut().for_each(|g| *g = 0.0);
            for &i in batch {
                let s = train[i];
                loss -= f64::from(forward(&w, &b, s, &mut p));
                for c in 0..CLASSES {
                    let d = p[c] - if c == s.label { 1.0 } else { 0.0 };
                    if d == 0.0 {
                        continue;
                    }
                    gb[c] += d;
                    for (g, x) in gw[c * INPUTS..(c + 1) * INPUTS].iter_mut().zip(&s.x) {
                        *g += d * x;
                    }
                }
            }
            step += 1;
            let scale = 1.0 / batch.len() as f32;
            let (c1, c2) = (1.0 - b1.powi(step), 1.0 - b2.powi(step));
            for k in 0..n {
                let g = gw[k] * scale + L2 * w[k];
                mw[k] = b1 * mw[k] + (1.0 - b1) * g;
                vw[k] = b2 * vw[k] + (1.0 - b2) * g * g;
                w[k] -= lr * (mw[k] / c1) / ((vw[k] / c2).sqrt() + eps);
            }
            for k in 0..CLASSES {
                let g = gb[k] * scale;
                mb[k] = b1 * mb[k] + (1.0 - b1) * g;
                vb[k] = b2 * vb[k] + (1.0 - b2) * g * g;
                b[k] -= lr * (mb[k] / c1) / ((vb[k] / c2).sqrt() + eps);
            }
        }
        let wrong = valid
            .iter()
            .filter(|s| {
                forward(&w, &b, s, &mut p);
                (0..CLASSES).max_by(|&a, &c| p[a].total_cmp(&p[c])) != Some(s.label)
            })
            .count();
        eprintln!(
            "epoch {epoch}: train loss {:.4}, validation errors {wrong}/{}",
            loss / train.len() as f64,
            valid.len()
        );
    }
    (w, b)
}
