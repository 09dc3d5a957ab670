//! Reads synthetic pages and prints accuracy figures (a development tool; the accuracy test
//! in tests/scan.rs asserts the same on a fixed set).
//!
//! ```sh
//! cargo run --release -p epassport-mrz --features image --example ocr_eval -- [COUNT] [FIRST_SEED] [-v]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // example code

use epassport_mrz::scan::{self, synth};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args.get(1).map_or(100, |s| s.parse().unwrap());
    let first: u64 = args.get(2).map_or(0, |s| s.parse().unwrap());
    let verbose = args.iter().any(|a| a == "-v");
    let harsh = args.iter().any(|a| a == "--harsh");
    if args.iter().any(|a| a == "--margins") {
        margins(count);
        return;
    }
    let (mut ok, mut wrong, mut err) = (0, 0, 0);
    let t0 = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    // (seed, outcome line or None when exact, read time)
    let mut results: Vec<(u64, Option<(bool, String)>, std::time::Duration)> =
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let mut out = Vec::new();
                        for seed in (first + t..first + count).step_by(threads as usize) {
                            let page = if harsh {
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
                            out.push((seed, outcome, took));
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
    results.sort_by_key(|r| r.0);
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

/// Margin statistics of the raw classifier (`--margins`).
#[allow(dead_code)]
pub fn margins(count: u64) {
    let mut right = Vec::new();
    let mut wrong = Vec::new();
    for seed in 0..count {
        let page = synth::random_page(seed);
        let Ok(c) = scan::raw_candidates(&page.jpeg()) else {
            continue;
        };
        for (l, truth) in c.iter().zip(&page.mrz) {
            for (cands, t) in l.iter().zip(truth.chars()) {
                let m = cands[0].1 - cands.get(1).map_or(0.0, |x| x.1);
                if cands[0].0 == t {
                    right.push(m)
                } else {
                    wrong.push((m, cands[0].0, t, cands.iter().position(|x| x.0 == t)))
                }
            }
        }
    }
    right.sort_by(f32::total_cmp);
    let q = |p: f64| right[((right.len() as f64 - 1.0) * p) as usize];
    println!(
        "right {}: q001 {:.3} q01 {:.3} q05 {:.3} q50 {:.3}",
        right.len(),
        q(0.001),
        q(0.01),
        q(0.05),
        q(0.5)
    );
    println!("wrong {}: {:?}", wrong.len(), wrong);
}
