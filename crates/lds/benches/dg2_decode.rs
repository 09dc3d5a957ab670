//! DG2 → decoded portrait: the BSI 2008 specimen's JPEG 2000 face (413x531, 15 KB JP2) and the
//! same portrait re-encoded as JPEG (quality 85), each wrapped in a 19794-5 DG2.
//! Needs ../shared/realworld beside the repository.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use epassport_lds::Dg2;
use epassport_lds::image::DecodeLimits;
use epassport_lds::iso19794_5::ImageDataType;
use std::hint::black_box;
use std::path::PathBuf;

fn bsi_dg2() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realworld/lds/bsi2008/DG2.bin");
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "benchmark needs ../shared/realworld beside the repository ({}): {e}",
            p.display()
        )
    })
}

fn bench(c: &mut Criterion) {
    let jp2_dg2 = bsi_dg2();
    let limits = DecodeLimits::default();
    let face = Dg2::parse(&jp2_dg2).unwrap().faces()[0]
        .decode(&limits)
        .unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode(
            &face.to_rgb8(),
            face.width,
            face.height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    let jpeg_dg2 = Dg2::single_19794(
        jpeg,
        ImageDataType::Jpeg,
        face.width as u16,
        face.height as u16,
    )
    .encode()
    .unwrap();
    let mut g = c.benchmark_group("dg2_decode");
    g.sample_size(20);
    g.bench_function("jpeg2000_413x531", |b| {
        b.iter(|| {
            let d = Dg2::parse(black_box(&jp2_dg2)).unwrap();
            d.faces()[0].decode(&limits).unwrap()
        })
    });
    g.bench_function("jpeg_413x531", |b| {
        b.iter(|| {
            let d = Dg2::parse(black_box(&jpeg_dg2)).unwrap();
            d.faces()[0].decode(&limits).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
