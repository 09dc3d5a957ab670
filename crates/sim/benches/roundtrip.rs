//! APDU round trips per second: in-process (the software chip as a `Transport`) and through the
//! real PC/SC stack (pcscd + vsmartcard-vpcd + the `pcsc` backend, feature `pcsc`), so later work
//! knows the fixed cost of the stack. Each figure is one READ BINARY of 1, 223 or 1024 bytes
//! (criterion reports time per APDU and APDUs/s as "elem/s").
//!
//! The PC/SC half needs `PCSCLITE_CSOCK_NAME` pointing at a private pcscd, so this binary starts
//! one (see `epassport_sim::harness`) and runs itself again as a child with that variable set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{Criterion, Throughput};
use epassport_card::Transport;
use epassport_sim::SimChip;
use epassport_sim::fs::Ef;
use std::time::Duration;

fn chip() -> SimChip {
    SimChip::builder()
        .seed(9)
        .file(Ef::CardAccess, vec![0x5A; 4096])
        .build()
}

const SIZES: [(usize, &[u8]); 3] = [
    (1, &[0x00, 0xB0, 0x9C, 0x00, 0x01]),
    (223, &[0x00, 0xB0, 0x9C, 0x00, 0xDF]),
    (1024, &[0x00, 0xB0, 0x9C, 0x00, 0x00, 0x04, 0x00]),
];

fn bench_transport(c: &mut Criterion, group_name: &str, t: &mut dyn Transport) {
    let mut g = c.benchmark_group(group_name);
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_millis(500));
    for (n, apdu) in SIZES {
        g.bench_function(format!("read_binary_{n}"), |b| {
            b.iter(|| {
                let r = t.transmit(apdu).unwrap();
                assert_eq!(r.len(), n + 2);
            })
        });
    }
    g.finish();
}

fn in_process(c: &mut Criterion) {
    let mut chip = chip();
    bench_transport(c, "apdu_in_process", &mut chip);
}

#[cfg(feature = "pcsc")]
fn through_pcsc(c: &mut Criterion) {
    use epassport_card::pcsc::PcscCard;
    use epassport_sim::harness::{READER_NAME, VirtualReader};
    use epassport_sim::vpcd::{ServeOptions, serve};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    if std::env::var_os("EPASSPORT_BENCH_CHILD").is_some() {
        let mut card = PcscCard::connect(Some(READER_NAME), Duration::from_secs(10)).unwrap();
        bench_transport(c, "apdu_pcscd_vpcd", &mut card);
        return;
    }
    let reader =
        VirtualReader::start().unwrap_or_else(|e| panic!("cannot benchmark through PC/SC: {e}"));
    let stop = Arc::new(AtomicBool::new(false));
    let options = ServeOptions {
        address: reader.address(),
        stop: stop.clone(),
        ..ServeOptions::default()
    };
    let server = std::thread::spawn(move || serve(&mut chip(), &options));
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(std::env::args_os().skip(1))
        .env("PCSCLITE_CSOCK_NAME", reader.socket())
        .env("EPASSPORT_BENCH_CHILD", "1")
        .status()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
    assert!(status.success(), "the PC/SC benchmark child failed");
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if std::env::var_os("EPASSPORT_BENCH_CHILD").is_none() {
        in_process(&mut c);
    }
    #[cfg(feature = "pcsc")]
    through_pcsc(&mut c);
    c.final_summary();
}
