//! Time to read the MRZ from a photo (JPEG decode included) at about 1 and 12 megapixels, one
//! core. The photos are synthetic TD3 pages (`scan::synth`), rotated 3 degrees, lightly blurred.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use criterion::{Criterion, criterion_group, criterion_main};
use epassport_mrz::Format;
use epassport_mrz::scan::{self, synth};
use std::hint::black_box;

fn page(pitch_px: f32) -> (Vec<String>, Vec<u8>, u32, u32) {
    let mut rng = synth::Rng::new(42);
    let mrz = synth::random_mrz(Format::Td3, &mut rng);
    let mut d = synth::Distortion::random(&mut rng);
    d.rotation_deg = 3.0;
    d.perspective = 0.01;
    d.pitch_px = pitch_px;
    d.fill = 0.8;
    d.blur_sigma = 0.03 * pitch_px;
    d.contrast = 0.8;
    d.glare = 0.0;
    d.noise = 3.0;
    d.jpeg_quality = 85;
    let p = synth::render(Format::Td3, &mrz, &d, 42);
    (mrz, p.jpeg(), p.width, p.height)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("scan");
    g.sample_size(10);
    for (name, pitch) in [("read_image_1mp", 18.8f32), ("read_image_12mp", 65.0)] {
        let (mrz, jpeg, w, h) = page(pitch);
        let report = scan::read_image(&jpeg).unwrap();
        assert_eq!(report.lines, mrz, "{name}: {w}x{h}");
        eprintln!(
            "{name}: {w}x{h} = {:.1} MP",
            f64::from(w) * f64::from(h) / 1e6
        );
        g.bench_function(name, |b| {
            b.iter(|| scan::read_image(black_box(&jpeg)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
