//! MRZs parsed per second (criterion reports the throughput in elements/s = MRZs/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use epassport_mrz::{ParseOptions, parse, parse_concatenated, parse_with};
use std::hint::black_box;

const SPECIMENS: [&str; 5] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("mrz");
    g.throughput(Throughput::Elements(SPECIMENS.len() as u64));
    g.bench_function("parse 5 specimens (TD1, TD2, TD3, MRV-A, MRV-B)", |b| {
        b.iter(|| {
            for s in SPECIMENS {
                let _ = black_box(parse(black_box(s)));
            }
        })
    });
    let concatenated: Vec<String> = SPECIMENS.iter().map(|s| s.replace('\n', "")).collect();
    g.bench_function("parse_concatenated 5 specimens (DG1 form)", |b| {
        b.iter(|| {
            for s in &concatenated {
                let _ = black_box(parse_concatenated(black_box(s)));
            }
        })
    });
    let garbled: Vec<String> = SPECIMENS
        .iter()
        .map(|s| s.replace('0', "O").to_lowercase())
        .collect();
    let opts = ParseOptions::lenient().with_repair_ocr(true);
    g.bench_function("parse 5 garbled specimens, lenient + OCR repair", |b| {
        b.iter(|| {
            for s in &garbled {
                let _ = black_box(parse_with(black_box(s), &opts));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
