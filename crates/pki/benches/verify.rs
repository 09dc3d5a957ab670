//! Passive-authentication speed: one EF.SOD verification per signature algorithm (fixture PKI,
//! data groups included) and loading the German CSCA master list (../shared/realworld).

use criterion::{Criterion, criterion_group, criterion_main};
use epassport_pki::{Certificate, Options, TrustStore, time, verify_sod};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki")
}

fn sod_verification(c: &mut Criterion) {
    let mut store = TrustStore::new();
    if let Err(e) = store.load_path(&fixtures().join("trust"), &[]) {
        eprintln!("fixtures/pki/trust: {e}");
        return;
    }
    let opts = Options {
        time: time::unix_time(2026, 6, 1, 0, 0, 0),
        ..Options::default()
    };
    let mut g = c.benchmark_group("verify_sod");
    for case in [
        "rsa", "rsapss", "p256", "p384", "bp256", "bp384", "bp512", "p256x", "bp256x",
    ] {
        let dir = fixtures().join("cases").join(case);
        let (Ok(sod), Ok(dg1), Ok(dg2)) = (
            std::fs::read(dir.join("SOD.bin")),
            std::fs::read(dir.join("DG1.bin")),
            std::fs::read(dir.join("DG2.bin")),
        ) else {
            eprintln!("fixture case {case} missing");
            continue;
        };
        let dgs = BTreeMap::from([(1u8, dg1), (2u8, dg2)]);
        g.bench_function(case, |b| {
            b.iter(|| verify_sod(black_box(&sod), &dgs, &store, &opts))
        });
    }
    g.finish();
}

fn master_list_load(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realworld/pki");
    let p = dir.join("DE_ML_2026-05-28-08-28-45.ml");
    let (Ok(bytes), Ok(root)) = (
        std::fs::read(&p),
        std::fs::read(dir.join("DE_ROOT_CA_CSCA07.cer")),
    ) else {
        eprintln!(
            "{} absent: the German master list benchmark did not run",
            dir.display()
        );
        return;
    };
    let Ok(root) = Certificate::from_der(&root) else {
        eprintln!("DE_ROOT_CA_CSCA07.cer does not parse: the master list benchmark did not run");
        return;
    };
    let mut g = c.benchmark_group("master_list");
    g.sample_size(10);
    g.bench_function("load_DE_ML_588_cscas", |b| {
        b.iter(|| {
            let mut s = TrustStore::new();
            s.add_master_list(black_box(&bytes), std::slice::from_ref(&root), "DE")
                .map(|_| s.cscas().len())
        })
    });
    g.finish();
}

criterion_group!(benches, sod_verification, master_list_load);
criterion_main!(benches);
