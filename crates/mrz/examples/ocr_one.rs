//! Debug: reads one synthetic page (by seed) or an image file and prints the outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // example code
use epassport_mrz::scan::{self, synth};
fn main() {
    let arg = std::env::args().nth(1).unwrap();
    let bytes = if let Ok(seed) = arg.parse::<u64>() {
        let p = synth::random_page(seed);
        println!(
            "truth:\n{}\n{:?} {:?}",
            p.mrz.join("\n"),
            p.format,
            p.distortion
        );
        let j = p.jpeg();
        std::fs::write("/tmp/ocr_one.jpg", &j).unwrap();
        j
    } else {
        std::fs::read(&arg).unwrap()
    };
    let t = std::time::Instant::now();
    let r = scan::read_image(&bytes);
    println!("{:?}", t.elapsed());
    match r {
        Ok(rep) => println!(
            "OK\n{}\ncorrections {:?}\norientation {} skew {:.1} pitch {:.1} min score {:.2} margin {:.2}",
            rep.text(),
            rep.corrections,
            rep.orientation,
            rep.skew_degrees,
            rep.pitch_px,
            rep.min_score,
            rep.min_margin
        ),
        Err(e) => println!("ERR {e}"),
    }
}
