//! The whole `epassport enrol --demo` in process: wall time and peak memory of each stage (read
//! chip, passive authentication, chip/active authentication, face match, decision and record), and
//! the one-off face model load.
//!
//! Peak memory is the process's peak resident set (`VmHWM`), reset at each stage start by writing
//! `5` to `/proc/self/clear_refs` (Linux): the figure is the largest RSS during that stage, which
//! includes what earlier stages left resident. Run with `cargo bench --features face --bench
//! enrol_demo` (10 enrolments); `cargo test` runs it once as a smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench code

use epassport::enrol::flow::{self, ChoicesInput, MrzInput, Observer, Request, Services, Stage};
use epassport::enrol::record::Tool;
use epassport::enrol::user_id::{Advice, NoAvailabilityCheck, check_user_id};
use epassport::enrol::{Authenticator, DecisionStatus, Email, Policy};
use epassport::face_step::TractFace;
use epassport::sim::SimChip;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[derive(Default)]
struct Meter {
    wall: BTreeMap<Stage, Vec<Duration>>,
    peak_kb: BTreeMap<Stage, u64>,
}

impl Observer for Meter {
    fn started(&mut self, _stage: Stage) {
        reset_peak();
    }
    fn finished(&mut self, stage: Stage, elapsed: Duration) {
        self.wall.entry(stage).or_default().push(elapsed);
        let peak = status_kb("VmHWM:").unwrap_or(0);
        let e = self.peak_kb.entry(stage).or_default();
        *e = (*e).max(peak);
    }
}

fn request(fixtures: &Path) -> Request {
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("chips/demo/chip.json")).unwrap())
            .unwrap();
    let now = epassport::enrol::time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
    let scanned = flow::scan(
        &MrzInput::Text {
            text: config["mrz"].as_str().unwrap().to_owned(),
            source: "demo",
        },
        None,
        now,
    )
    .unwrap();
    let (user_id, _) = check_user_id("blue-falcon-42", &Advice::default()).unwrap();
    Request {
        scanned,
        trust: flow::load_trust(&[fixtures.join("pki/certs/csca-p256.cer")]).unwrap(),
        selfie: Some(fixtures.join("faces/holder-selfie.jpg")),
        choices: ChoicesInput {
            user_id,
            authenticator: Authenticator::App,
            email: Some(Email::parse("anna.hansen@example.dk").unwrap()),
            phone: None,
            terms_accepted: true,
        },
        include_portrait: false,
        policy: Policy::default(),
        now,
        tool: Tool {
            name: "epassport".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            features: vec!["face".into()],
        },
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench { 10 } else { 1 };
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    let req = request(&fixtures);
    let rss_start = status_kb("VmRSS:").unwrap_or(0);
    reset_peak();
    let t = Instant::now();
    let face = TractFace::new().unwrap();
    let load = t.elapsed();
    let load_peak = status_kb("VmHWM:").unwrap_or(0);
    let mut meter = Meter::default();
    let mut total = Vec::new();
    for i in 0..runs {
        let mut chip = SimChip::from_fixture(&fixtures.join("chips/demo")).unwrap();
        let mut rng = rand::rng();
        let t = Instant::now();
        let outcome = flow::enrol(
            &req,
            Services {
                transport: &mut chip,
                rng: &mut rng,
                availability: &NoAvailabilityCheck,
                face: Some(&face),
            },
            &mut meter,
        )
        .unwrap();
        total.push(t.elapsed());
        assert_eq!(
            outcome.record.decision.status,
            DecisionStatus::Approved,
            "run {i}: {:?}",
            outcome.record.decision.reasons
        );
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let stats = |v: &[Duration]| {
        let mut s: Vec<f64> = v.iter().map(ms).collect();
        s.sort_by(f64::total_cmp);
        (s.iter().sum::<f64>() / s.len() as f64, s[0], s[s.len() - 1])
    };
    println!(
        "epassport enrol --demo, {runs} run(s) in process ({} build); RSS before model load {} KiB",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        rss_start
    );
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>12}",
        "stage", "mean ms", "min ms", "max ms", "peak RSS KiB"
    );
    println!(
        "{:<28} {:>9.1} {:>9.1} {:>9.1} {:>12}",
        "face models load (once)",
        ms(&load),
        ms(&load),
        ms(&load),
        load_peak
    );
    for stage in Stage::ALL {
        let (mean, min, max) = stats(&meter.wall[&stage]);
        println!(
            "{:<28} {:>9.1} {:>9.1} {:>9.1} {:>12}",
            stage.name(),
            mean,
            min,
            max,
            meter.peak_kb[&stage]
        );
    }
    let (mean, min, max) = stats(&total);
    println!(
        "{:<28} {:>9.1} {:>9.1} {:>9.1} {:>12}",
        "whole enrolment",
        mean,
        min,
        max,
        meter.peak_kb.values().max().unwrap()
    );
}
