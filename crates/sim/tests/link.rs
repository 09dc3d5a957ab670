//! Learning the link before reading: extended length from EF.ATR/INFO (DO'7F66'), from the ATR's
//! card-capabilities bytes, or from a probe, behind a transport that does not say by itself (a
//! PC/SC reader reports nothing about the chip). The read strategy then picks its block sizes
//! from what was learned: byte-exact reads of chips with and without extended length, capped at
//! 160 bytes, answering 6282 past the end of a file, and never a READ BINARY past the end of a
//! file under secure messaging.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};

use epassport_card::{Capabilities, CardError, StatusWord, Transport};
use epassport_chip::bac::BacNonces;
use epassport_chip::kdf::Cipher;
use epassport_chip::read::{FileId, LinkReport, LinkSource, ReadOptions};
use epassport_chip::session::{DocumentRead, Unauthenticated};
use epassport_chip::sm::max_plain_response;
use epassport_sim::fs::Ef;
use epassport_sim::{ChipBuilder, ChipConfig, LargeLe, PastEof, SimChip};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

fn builder(name: &str) -> ChipBuilder {
    ChipBuilder::from_config(ChipConfig::load(&fixture(name)).unwrap()).seed(11)
}

/// A link that knows nothing about extended length (short APDUs unless told otherwise).
struct Blind(SimChip);

impl Transport for Blind {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.0.transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}

/// Learns the link (with the chip's ATR), runs BAC and reads the document.
fn read(chip: SimChip, probe: bool) -> (LinkReport, DocumentRead, SimChip) {
    let mrz = chip.config().mrz.as_ref().unwrap().expose().to_string();
    let info = epassport_mrz::parse(&mrz)
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec();
    let atr = chip.atr();
    let mut un = Unauthenticated::new(Blind(chip));
    let link = un.learn_link(Some(&atr), probe).unwrap();
    un.select_application().unwrap();
    let mut doc = DocumentRead::default();
    let mut auth = un.bac(&info, BacNonces::new([3; 8], [4; 16])).unwrap();
    auth.read_document(&mut doc, &ReadOptions::default(), &mut |_, _| {})
        .unwrap();
    drop(auth);
    (link, doc, un.into_transport().0)
}

fn assert_byte_exact(doc: &DocumentRead, dir: &Path) {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".bin") else {
            continue;
        };
        let file = match stem {
            "COM" => FileId::Com,
            "SOD" => FileId::Sod,
            s if s.starts_with("DG") => FileId::Dg(s[2..].parse().unwrap()),
            _ => continue,
        };
        let expected = std::fs::read(dir.join(&name)).unwrap();
        assert_eq!(doc.get(file), Some(expected.as_slice()), "{name}");
        n += 1;
    }
    assert!(n >= 4, "only {n} files compared");
    assert!(doc.missing.is_empty(), "missing: {:?}", doc.missing);
}

fn dg2_apdus(doc: &DocumentRead) -> u64 {
    doc.files
        .iter()
        .find(|f| f.file == FileId::Dg(2))
        .unwrap()
        .stats
        .apdus
}

/// READ BINARY answers after access control (the protected session), as the chip saw them.
fn read_binary_status(chip: &SimChip) -> Vec<StatusWord> {
    let h = chip.history();
    let start = h.iter().position(|(ins, _)| *ins == 0x82).unwrap();
    h[start..]
        .iter()
        .filter(|(ins, _)| *ins == 0xB0 || *ins == 0xB1)
        .map(|(_, sw)| *sw)
        .collect()
}

const DG2_REST: u64 = 19151 - 8;

/// EF.ATR/INFO with DO'7F66': largest command 1024, largest response `resp` bytes.
fn atr_info(resp: u16) -> Vec<u8> {
    let [a, b] = resp.to_be_bytes();
    vec![0x7F, 0x66, 0x08, 0x02, 0x02, 0x04, 0x00, 0x02, 0x02, a, b]
}

#[test]
fn ef_atr_info_gives_extended_length_and_its_size() {
    // The ATR says nothing (no card capabilities); EF.ATR/INFO says 2048-byte responses.
    let chip = builder("large-dg2")
        .historical_bytes(Vec::new())
        .file(Ef::AtrInfo, atr_info(2048))
        .build();
    let (link, doc, _) = read(chip, true);
    assert_eq!(link.source, LinkSource::AtrInfo);
    assert_eq!(link.atr_info.as_deref(), Some(&atr_info(2048)[..]));
    assert!(link.capabilities.extended_length);
    assert_eq!(link.capabilities.max_response_len, 2048);
    assert_byte_exact(&doc, &fixture("large-dg2"));
    // 3DES secure messaging in 2048-byte protected responses.
    let block = max_plain_response(Cipher::Tdes, 2048, false) as u64;
    assert_eq!(dg2_apdus(&doc), 2 + DG2_REST.div_ceil(block));
}

#[test]
fn ef_atr_info_saying_short_wins_over_the_atr() {
    let chip = builder("large-dg2")
        .file(
            Ef::AtrInfo,
            vec![0x7F, 0x66, 0x06, 0x02, 0x01, 0xFF, 0x02, 0x01, 0xFF],
        )
        .build();
    let (link, doc, _) = read(chip, true);
    assert_eq!(link.source, LinkSource::AtrInfo);
    assert!(!link.capabilities.extended_length);
    assert_byte_exact(&doc, &fixture("large-dg2"));
    assert_eq!(dg2_apdus(&doc), 2 + DG2_REST.div_ceil(231));
}

#[test]
fn the_atr_card_capabilities_say_extended_length_or_not() {
    for ext in [true, false] {
        let (link, doc, chip) = read(builder("large-dg2").extended_length(ext).build(), true);
        assert_eq!(link.source, LinkSource::Atr, "extended={ext}");
        assert_eq!(link.capabilities.extended_length, ext);
        assert_byte_exact(&doc, &fixture("large-dg2"));
        let expected = if ext { 3 } else { 2 + DG2_REST.div_ceil(231) };
        assert_eq!(dg2_apdus(&doc), expected, "extended={ext}");
        // Nothing was refused for its length.
        assert!(
            !chip
                .history()
                .iter()
                .any(|(_, sw)| *sw == StatusWord(0x6700)),
            "extended={ext}: {:?}",
            chip.history()
        );
    }
}

#[test]
fn a_probe_decides_when_nothing_says() {
    for ext in [true, false] {
        let chip = builder("large-dg2")
            .extended_length(ext)
            .historical_bytes(Vec::new())
            .build();
        let (link, doc, chip) = read(chip, true);
        assert_eq!(link.source, LinkSource::Probe, "extended={ext}");
        assert_eq!(link.capabilities.extended_length, ext);
        assert_byte_exact(&doc, &fixture("large-dg2"));
        let expected = if ext { 3 } else { 2 + DG2_REST.div_ceil(231) };
        assert_eq!(dg2_apdus(&doc), expected, "extended={ext}");
        // The probe is the only command refused for its length.
        let refused = chip
            .history()
            .iter()
            .filter(|(_, sw)| *sw == StatusWord(0x6700))
            .count();
        assert_eq!(refused, usize::from(!ext), "extended={ext}");
    }
    // Without probing, the transport's own word stands (short here).
    let chip = builder("large-dg2").historical_bytes(Vec::new()).build();
    let (link, doc, _) = read(chip, false);
    assert_eq!(link.source, LinkSource::Transport);
    assert!(!link.capabilities.extended_length);
    assert_byte_exact(&doc, &fixture("large-dg2"));
}

#[test]
fn capped_at_160_bytes_and_6282_past_the_end_with_a_learned_link() {
    for ext in [true, false] {
        for large_le in [LargeLe::Truncate, LargeLe::WrongLength, LargeLe::WrongLe] {
            for past in [PastEof::Truncate6282, PastEof::ZeroPad6282] {
                let chip = builder("large-dg2")
                    .extended_length(ext)
                    .max_response(160, large_le)
                    .past_eof(past)
                    .build();
                let (link, doc, chip) = read(chip, true);
                let what = format!("extended={ext} {large_le:?} {past:?}");
                assert_eq!(link.capabilities.extended_length, ext, "{what}");
                assert_byte_exact(&doc, &fixture("large-dg2"));
                let apdus = dg2_apdus(&doc);
                let blocks = DG2_REST.div_ceil(160);
                assert!(
                    apdus >= 2 + blocks && apdus <= 2 + blocks + 4,
                    "{what}: {apdus} APDUs"
                );
                // Under secure messaging nothing is read past the end of a file: no 6282.
                let sws = read_binary_status(&chip);
                assert!(
                    !sws.contains(&StatusWord(0x6282)),
                    "{what}: read past the end: {sws:?}"
                );
            }
        }
    }
}
