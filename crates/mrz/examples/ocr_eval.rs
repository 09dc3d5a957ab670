//! Reads synthetic pages and prints accuracy figures (a development tool; the accuracy test
//! in tests/scan.rs asserts the same on a fixed set).
//!
//! ```sh
//! cargo run --release -p epassport-mrz --features image --example ocr_eval -- [COUNT] [FIRST_SEED] [-v]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // example code

use epassport_mrz::Format;
use epassport_mrz::scan::{self, synth};

/// As `synth::random_page` with the pitch drawn from `lo..hi` pixels and the blur scaled to it.
fn small_page(seed: u64, lo: f32, hi: f32) -> synth::Page {
    let mut rng = synth::Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let format = [Format::Td1, Format::Td2, Format::Td3][(seed % 3) as usize];
    let mrz = synth::random_mrz(format, &mut rng);
    let mut d = synth::Distortion::random(&mut rng);
    let pitch = rng.range(lo, hi);
    d.blur_sigma *= pitch / d.pitch_px;
    d.pitch_px = pitch;
    synth::render(format, &mrz, &d, rng.next_u64())
}

/// (seed, `None` when exact or (wrong-valid?, line to print), read time).
type Outcome = (u64, Option<(bool, String)>, std::time::Duration);

/// Rival costs of right positions; (truth cost, read, truth) of wrong ones.
type Costs = (Vec<f32>, Vec<(f32, char, char)>);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args.get(1).map_or(100, |s| s.parse().unwrap());
    let first: u64 = args.get(2).map_or(0, |s| s.parse().unwrap());
    let verbose = args.iter().any(|a| a == "-v");
    let harsh = args.iter().any(|a| a == "--harsh");
    // `--pitch LO,HI`: the random distortion with the character pitch drawn from LO..HI pixels
    // (blur scaled with it), for measuring small text.
    let pitch: Option<(f32, f32)> = args.iter().position(|a| a == "--pitch").map(|i| {
        let v: Vec<f32> = args[i + 1].split(',').map(|x| x.parse().unwrap()).collect();
        (v[0], v[1])
    });
    if args.iter().any(|a| a == "--margins") {
        margins(count, first);
        return;
    }
    let (mut ok, mut wrong, mut err) = (0, 0, 0);
    let t0 = std::time::Instant::now();
    let results: Vec<Outcome> = synth::for_seeds(first..first + count, |seed| {
        let page = if let Some((lo, hi)) = pitch {
            small_page(seed, lo, hi)
        } else if harsh {
            synth::harsh_page(seed)
        } else {
            synth::random_page(seed)
        };
        let jpeg = page.jpeg();
        let t = std::time::Instant::now();
        let r = scan::read_image(&jpeg);
        let took = t.elapsed();
        let outcome = match r {
            Ok(rep) if rep.lines == page.mrz => None,
            Ok(rep) => Some((
                true,
                format!(
                    "seed {seed}: WRONG {:?} vs {:?} {:?}",
                    rep.lines, page.mrz, page.distortion
                ),
            )),
            Err(e) => Some((
                false,
                format!("seed {seed}: {e} {:?} {:?}", page.format, page.distortion),
            )),
        };
        (seed, outcome, took)
    });
    let mut read_time = std::time::Duration::ZERO;
    for (_, outcome, took) in results {
        read_time += took;
        match outcome {
            None => ok += 1,
            Some((true, line)) => {
                wrong += 1;
                println!("{line}");
            }
            Some((false, line)) => {
                err += 1;
                if verbose {
                    println!("{line}");
                }
            }
        }
    }
    println!(
        "{count} pages: {ok} exact, {wrong} wrong-valid, {err} errors; read {:.1} ms/page, total {:.1} s",
        read_time.as_secs_f64() * 1000.0 / count as f64,
        t0.elapsed().as_secs_f64()
    );
}

/// Cost statistics of the raw classifier (`--margins`): for positions read right, the cost of
/// the nearest rival (a false alarm when below the ambiguity margin); for positions read wrong,
/// the cost of the truth (a wrong-valid risk when above it, or when the truth is not listed).
pub fn margins(count: u64, first: u64) {
    let per: Vec<Costs> = synth::for_seeds(first..first + count, |seed| {
        let (mut right, mut wrong) = (Vec::new(), Vec::new());
        let page = synth::random_page(seed);
        if let Ok(c) = scan::raw_candidates(&page.jpeg()) {
            for (l, truth) in c.iter().zip(&page.mrz) {
                for (cands, t) in l.iter().zip(truth.chars()) {
                    if cands[0].0 == t {
                        right.push(cands.get(1).map_or(9.0, |x| x.2));
                    } else {
                        let c = cands.iter().find(|x| x.0 == t).map_or(9.0, |x| x.2);
                        wrong.push((c, cands[0].0, t));
                    }
                }
            }
        }
        (right, wrong)
    });
    let mut right: Vec<f32> = per.iter().flat_map(|p| p.0.iter().copied()).collect();
    let mut wrong: Vec<(f32, char, char)> = per.iter().flat_map(|p| p.1.iter().copied()).collect();
    right.sort_by(f32::total_cmp);
    wrong.sort_by(|a, b| a.0.total_cmp(&b.0));
    let below = |t: f32| right.iter().filter(|&&m| m < t).count();
    println!(
        "right {}: rival cost (nats) < 1: {}, < 2: {}, < 3: {}, < 4: {}, < 6: {}",
        right.len(),
        below(1.0),
        below(2.0),
        below(3.0),
        below(4.0),
        below(6.0)
    );
    println!(
        "wrong {} (truth cost, read, truth): {:?}",
        wrong.len(),
        wrong
    );
}
