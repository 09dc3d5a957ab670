//! Writes synthetic data-page photos (JPEG) and their MRZ text for `epassport_mrz::scan`.
//!
//! ```sh
//! cargo run -p epassport-mrz --features image --example synth_pages -- OUT_DIR [COUNT] [FIRST_SEED]
//! ```
//! Page `seed` is `scan::synth::random_page(seed)`: the same pages the accuracy test reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // example code

use epassport_mrz::scan::synth;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = std::path::PathBuf::from(
        args.get(1)
            .expect("usage: synth_pages OUT_DIR [COUNT] [FIRST_SEED]"),
    );
    let count: u64 = args.get(2).map_or(10, |s| s.parse().unwrap());
    let first: u64 = args.get(3).map_or(0, |s| s.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();
    for seed in first..first + count {
        let page = synth::random_page(seed);
        std::fs::write(out.join(format!("page{seed:04}.jpg")), page.jpeg()).unwrap();
        std::fs::write(
            out.join(format!("page{seed:04}.txt")),
            page.mrz.join("\n") + "\n",
        )
        .unwrap();
        println!("page{seed:04}: {:?} {:?}", page.format, page.distortion);
    }
}
