//! What reading the `large-dg2` fixture (a 19,151-byte JPEG DG2) costs with four read strategies,
//! on the wire and in a modelled contactless read time, against the software chip, under BAC and
//! 3DES secure messaging:
//!
//! - ours with extended length (header first, then the rest of each file in one READ BINARY);
//! - ours through a reader without extended length (short APDUs only: 231 plaintext bytes fill
//!   a 256-byte protected response under 3DES);
//! - fixed 223-byte blocks (JMRTD's default);
//! - fixed 160-byte blocks (NFCPassportReader's).
//!
//! The counts (APDUs, bytes each way) are deterministic and printed as a Markdown table before
//! criterion times the in-process read (CPU cost of the strategy and secure messaging). Modelled
//! time = APDUs × [`PER_APDU_MS`] + bytes both ways × 8 / bit rate: the per-APDU overhead stands
//! for the reader's turnaround, ISO/IEC 14443 framing and the chip's own processing; bit rates
//! 106 and 424 kbit/s.
//!
//! `cargo bench -p epassport-sim --bench read_strategies`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // bench code

use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;
use epassport_card::Capabilities;
use epassport_chip::bac::BacNonces;
use epassport_chip::read::{FileId, ReadOptions, Stats, WithCapabilities};
use epassport_chip::session::{DocumentRead, Unauthenticated};
use epassport_sim::{ChipBuilder, ChipConfig, SimChip};

/// Assumed fixed cost of one APDU on a contactless link, in milliseconds.
const PER_APDU_MS: f64 = 5.0;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chips/large-dg2")
}

#[derive(Clone, Copy)]
struct Strategy {
    name: &'static str,
    short_reader: bool,
    opts: ReadOptions,
}

fn strategies() -> [Strategy; 4] {
    [
        Strategy {
            name: "ours, extended length",
            short_reader: false,
            opts: ReadOptions::default(),
        },
        Strategy {
            name: "ours, short APDUs only (reader without extended length)",
            short_reader: true,
            opts: ReadOptions::default(),
        },
        Strategy {
            name: "fixed 223-byte blocks (JMRTD default)",
            short_reader: false,
            opts: ReadOptions {
                fixed_block: Some(223),
                ..ReadOptions::default()
            },
        },
        Strategy {
            name: "fixed 160-byte blocks (NFCPassportReader)",
            short_reader: false,
            opts: ReadOptions {
                fixed_block: Some(160),
                ..ReadOptions::default()
            },
        },
    ]
}

/// One whole read: SELECT the application, BAC, EF.COM, EF.SOD and every data group they list.
/// Returns the DG2 cost, the whole cost (BAC included) and the document.
fn read(config: &ChipConfig, info: &[u8], s: &Strategy) -> (Stats, Stats, DocumentRead) {
    let chip: SimChip = ChipBuilder::from_config(config.clone()).seed(1).build();
    let caps = if s.short_reader {
        Capabilities::default()
    } else {
        epassport_card::Transport::capabilities(&chip)
    };
    let mut un = Unauthenticated::new(WithCapabilities::new(chip, caps));
    un.select_application().unwrap();
    let mut doc = DocumentRead::default();
    {
        let mut auth = un.bac(info, BacNonces::new([1; 8], [2; 16])).unwrap();
        auth.read_document(&mut doc, &s.opts, &mut |_, _| {})
            .unwrap();
    }
    let dg2 = doc
        .files
        .iter()
        .find(|f| f.file == FileId::Dg(2))
        .unwrap()
        .stats;
    (dg2, un.stats(), doc)
}

fn modelled_s(s: &Stats, kbit: f64) -> f64 {
    let bits = (s.bytes_sent + s.bytes_received) as f64 * 8.0;
    (s.apdus as f64 * PER_APDU_MS) / 1000.0 + bits / (kbit * 1000.0)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table(config: &ChipConfig, info: &[u8]) {
    let dg2_len = std::fs::read(fixture().join("DG2.bin")).unwrap().len();
    println!(
        "\nRead cost of large-dg2 ({}-byte DG2), BAC + 3DES SM, software chip; modelled time = APDUs x {PER_APDU_MS} ms + bytes x 8 / bit rate\n",
        thousands(dg2_len as u64)
    );
    println!(
        "| strategy | DG2 APDUs | DG2 bytes sent / received | DG2 @106 kbit/s | DG2 @424 kbit/s | whole read APDUs | whole read bytes | whole @106 | whole @424 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let expected = std::fs::read(fixture().join("DG2.bin")).unwrap();
    for s in strategies() {
        let (dg2, whole, doc) = read(config, info, &s);
        assert_eq!(
            doc.get(FileId::Dg(2)),
            Some(expected.as_slice()),
            "{}",
            s.name
        );
        println!(
            "| {} | {} | {} / {} | {:.2} s | {:.2} s | {} | {} | {:.2} s | {:.2} s |",
            s.name,
            dg2.apdus,
            thousands(dg2.bytes_sent),
            thousands(dg2.bytes_received),
            modelled_s(&dg2, 106.0),
            modelled_s(&dg2, 424.0),
            whole.apdus,
            thousands(whole.bytes_sent + whole.bytes_received),
            modelled_s(&whole, 106.0),
            modelled_s(&whole, 424.0),
        );
    }
    println!(
        "\n\"Whole read\" = SELECT of the application, BAC, EF.COM, EF.SOD and every data group they list.\n"
    );
}

fn main() {
    let config = ChipConfig::load(&fixture()).unwrap();
    let mrz = config.mrz.as_ref().unwrap().expose().to_string();
    let info = epassport_mrz::parse(&mrz)
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec();
    table(&config, &info);
    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300))
        .configure_from_args();
    let mut g = c.benchmark_group("read_large_dg2_in_process");
    for s in strategies() {
        g.bench_function(s.name, |b| b.iter(|| read(&config, &info, &s)));
    }
    g.finish();
    c.final_summary();
}
