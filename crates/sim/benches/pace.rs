//! PACE CPU time on the terminal side, per mapping and standardised domain (AES-128; CAM and IM
//! where defined), and BAC for comparison. The chip's answers are recorded once from the software
//! chip and replayed, so only the terminal's computation is timed (the terminal's keys come from a
//! freshly seeded RNG each iteration, so the replayed answers fit).
//!
//! Times are the benchmark thread's CPU time (`/proc/thread-self/schedstat`, nanoseconds on the
//! CPU, batches of at least 50 ms), not wall-clock time, so a busy machine does not inflate them;
//! where that file is missing the wall clock is used. `cargo bench -p epassport-sim --bench pace`

#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use epassport_card::{CardError, Transport};
use epassport_chip::bac::{BacNonces, authenticate, bac_keys};
use epassport_chip::crypto::{Group, standard::STANDARD_IDS};
use epassport_chip::pace::chip::ChipPasswords;
use epassport_chip::pace::{Password, RandomEphemeral, terminal};
use epassport_lds::security_infos::{
    Cipher, KeyAgreement, Mapping, PaceInfo, PaceProtocol, SecurityInfo, SecurityInfos,
};
use epassport_sim::SimChip;
use epassport_sim::pace::PaceHandler;
use rand::SeedableRng;
use std::hint::black_box;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const MRZ_INFO: &[u8] = b"T22000129364081251010318";

struct Recorder<'a> {
    inner: &'a mut SimChip,
    log: Vec<Vec<u8>>,
}
impl Transport for Recorder<'_> {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, CardError> {
        let r = self.inner.transmit(c)?;
        self.log.push(r.clone());
        Ok(r)
    }
}

struct Replay<'a> {
    answers: &'a [Vec<u8>],
    pos: usize,
}
impl Transport for Replay<'_> {
    fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, CardError> {
        let r = self
            .answers
            .get(self.pos)
            .cloned()
            .unwrap_or_else(|| vec![0x6F, 0x00]);
        self.pos += 1;
        Ok(r)
    }
}

/// Nanoseconds this thread has run on a CPU, if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Runs `f` `iters` times and returns the CPU time it took (wall time without schedstat).
///
/// The kernel updates a running thread's schedstat at scheduler ticks (a few ms), so the batch is
/// repeated until it has run for at least 50 ms and the mean per batch is returned.
fn cpu_time(iters: u64, mut f: impl FnMut()) -> Duration {
    let wall = Instant::now();
    let start = thread_cpu_ns();
    let mut batches = 0u32;
    while batches == 0 || wall.elapsed() < Duration::from_millis(50) {
        for _ in 0..iters {
            f();
        }
        batches += 1;
    }
    match (start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => Duration::from_nanos(b - a) / batches,
        _ => wall.elapsed() / batches,
    }
}

fn infos(p: PaceProtocol, id: u8) -> SecurityInfos {
    SecurityInfos {
        infos: vec![SecurityInfo::Pace(PaceInfo {
            protocol: p.oid(),
            pace: p,
            version: 2,
            parameter_id: Some(id as i64),
        })],
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pace-terminal");
    g.sample_size(10);
    g.measurement_time(Duration::from_millis(800));
    g.warm_up_time(Duration::from_millis(200));
    let password = Password::mrz_information(MRZ_INFO);
    for id in STANDARD_IDS {
        let group = Group::standard(id).expect("standard group");
        let agreement = if group.is_ec() {
            KeyAgreement::Ecdh
        } else {
            KeyAgreement::Dh
        };
        for mapping in [
            Mapping::Generic,
            Mapping::Integrated,
            Mapping::ChipAuthentication,
        ] {
            if (mapping == Mapping::ChipAuthentication && !group.is_ec())
                || (mapping == Mapping::Integrated && id == 10)
            {
                continue;
            }
            let p = PaceProtocol {
                agreement,
                mapping,
                cipher: Cipher::Aes128,
            };
            let offered = infos(p, id);
            let cam_key = (mapping == Mapping::ChipAuthentication)
                .then(|| group.generate_private_key(&mut rand::rngs::StdRng::seed_from_u64(9)));
            let passwords = ChipPasswords {
                mrz_information: Some(Zeroizing::new(MRZ_INFO.to_vec())),
                ..Default::default()
            };
            let mut chip = SimChip::builder()
                .seed(1)
                .bac(false)
                .handler(Box::new(PaceHandler::new(
                    offered.clone(),
                    passwords,
                    cam_key,
                )))
                .build();
            let mut rec = Recorder {
                inner: &mut chip,
                log: Vec::new(),
            };
            let mut rng = rand::rngs::StdRng::seed_from_u64(2);
            terminal::establish(
                &mut rec,
                &offered,
                &password,
                &mut RandomEphemeral(&mut rng),
            )
            .expect("PACE against the software chip");
            let answers = rec.log;
            let m = match mapping {
                Mapping::Generic => "GM",
                Mapping::Integrated => "IM",
                Mapping::ChipAuthentication => "CAM",
            };
            let name = epassport_chip::crypto::standard::name(id).unwrap_or("?");
            let short = name.split(' ').next().unwrap_or(name);
            g.bench_function(format!("{m} id {id:02} {short}"), |b| {
                b.iter_custom(|iters| {
                    cpu_time(iters, || {
                        let mut t = Replay {
                            answers: &answers,
                            pos: 0,
                        };
                        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
                        black_box(
                            terminal::establish(
                                &mut t,
                                &offered,
                                &password,
                                &mut RandomEphemeral(&mut rng),
                            )
                            .expect("replayed PACE"),
                        );
                    })
                })
            });
        }
    }
    // BAC for comparison (3DES, SHA-1 key derivation, two APDUs).
    let mut chip = SimChip::builder()
        .seed(1)
        .mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
        .build();
    let mut rec = Recorder {
        inner: &mut chip,
        log: Vec::new(),
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    authenticate(
        &mut rec,
        bac_keys(b"L898902C3674081221204159"),
        BacNonces::random(&mut rng),
    )
    .expect("BAC against the software chip");
    let answers = rec.log;
    g.bench_function("BAC 3DES", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                let mut t = Replay {
                    answers: &answers,
                    pos: 0,
                };
                let mut rng = rand::rngs::StdRng::seed_from_u64(2);
                black_box(
                    authenticate(
                        &mut t,
                        bac_keys(b"L898902C3674081221204159"),
                        BacNonces::random(&mut rng),
                    )
                    .expect("replayed BAC"),
                );
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
