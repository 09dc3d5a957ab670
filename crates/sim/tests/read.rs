//! The read strategy against the software chip: every file byte-exact against the fixture, with
//! and without extended length, capped responses, 6282 past the end of files, EAC-denied DG3,
//! and a card lost in the middle of DG2 then a resumed read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::path::{Path, PathBuf};

use epassport_chip::ChipError;
use epassport_chip::bac::BacNonces;
use epassport_chip::read::{FileId, ReadError, ReadOptions};
use epassport_chip::session::{DocumentRead, Unauthenticated};
use epassport_sim::fs::{AccessCondition, Ef};
use epassport_sim::{ChipBuilder, ChipConfig, LargeLe, PastEof, SimChip};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

fn builder(name: &str) -> ChipBuilder {
    ChipBuilder::from_config(ChipConfig::load(&fixture(name)).unwrap()).seed(5)
}

fn mrz_info(chip: &SimChip) -> Vec<u8> {
    let mrz = chip.config().mrz.as_ref().unwrap();
    epassport_mrz::parse(mrz.expose())
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec()
}

/// One session: SELECT, BAC, read (or resume) the document.
fn session(
    un: &mut Unauthenticated<SimChip>,
    info: &[u8],
    doc: &mut DocumentRead,
    opts: &ReadOptions,
) -> Result<(), ChipError> {
    un.select_application()?;
    let mut auth = un.bac(info, BacNonces::new([1; 8], [2; 16]))?;
    auth.read_document(doc, opts, &mut |_, _| {})
}

fn read(chip: SimChip, opts: &ReadOptions) -> (DocumentRead, SimChip) {
    let info = mrz_info(&chip);
    let mut un = Unauthenticated::new(chip);
    let mut doc = DocumentRead::default();
    session(&mut un, &info, &mut doc, opts).unwrap();
    (doc, un.into_transport())
}

/// Every file of the fixture folder that the LDS1 application holds, byte-exact.
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

#[test]
fn extended_length_reads_each_file_in_three_apdus() {
    let (doc, _) = read(builder("large-dg2").build(), &ReadOptions::default());
    assert_byte_exact(&doc, &fixture("large-dg2"));
    // SELECT, the 8-byte header read, the rest in one extended READ BINARY.
    assert_eq!(dg2_apdus(&doc), 3);
    for f in &doc.files {
        assert_eq!(f.stats.apdus, 3, "{}", f.file);
    }
}

#[test]
fn short_apdus_only() {
    let (doc, _) = read(
        builder("large-dg2").extended_length(false).build(),
        &ReadOptions::default(),
    );
    assert_byte_exact(&doc, &fixture("large-dg2"));
    // 19151 bytes under 3DES secure messaging: SELECT + 8 + ceil(19143 / 231) = 85 APDUs
    // (231 plaintext bytes fill a 256-byte protected response).
    assert_eq!(dg2_apdus(&doc), 2 + 19143u64.div_ceil(231));
}

#[test]
fn capped_at_160_bytes_every_way_a_chip_says_so() {
    for large_le in [LargeLe::Truncate, LargeLe::WrongLength, LargeLe::WrongLe] {
        for ext in [true, false] {
            let (doc, _) = read(
                builder("large-dg2")
                    .extended_length(ext)
                    .max_response(160, large_le)
                    .build(),
                &ReadOptions::default(),
            );
            assert_byte_exact(&doc, &fixture("large-dg2"));
            let blocks = 19143u64.div_ceil(160);
            let apdus = dg2_apdus(&doc);
            // After learning the cap, every block is 160 bytes; learning costs at most a few.
            assert!(
                apdus >= 2 + blocks && apdus <= 2 + blocks + 4,
                "{large_le:?} extended={ext}: {apdus} APDUs"
            );
        }
    }
}

#[test]
fn end_of_file_answers_do_not_matter() {
    for past in [
        PastEof::Truncate,
        PastEof::Truncate6282,
        PastEof::ZeroPad6282,
    ] {
        let (doc, _) = read(
            builder("demo").past_eof(past).build(),
            &ReadOptions::default(),
        );
        assert_byte_exact(&doc, &fixture("demo"));
    }
}

#[test]
fn dg3_denied_is_skipped_with_its_reason() {
    let com = hex::decode("601A5F0104303130375F36063034303030305C0861756B6C6E6F6376").unwrap();
    let chip = builder("demo")
        .file(Ef::Com, com)
        .file(Ef::Dg(3), vec![0x63, 0x02, 0x01, 0x02])
        .access(Ef::Dg(3), AccessCondition::Denied)
        .build();
    let (doc, _) = read(chip, &ReadOptions::default());
    assert!(doc.get(FileId::Dg(3)).is_none());
    let s: Vec<_> = doc
        .skipped
        .iter()
        .map(|s| (s.file, s.reason.as_str()))
        .collect();
    assert_eq!(
        s,
        [
            (
                FileId::Dg(3),
                "access denied (6982 (security status not satisfied)): EAC (terminal authentication) required"
            ),
            (
                FileId::Dg(4),
                "not on the chip (6A82 (file or application not found))"
            ),
        ]
    );
}

#[test]
fn card_lost_mid_dg2_then_resumed() {
    let dir = fixture("large-dg2");
    let opts = ReadOptions::default();
    let chip = builder("large-dg2")
        .extended_length(false)
        .remove_after_apdus(60)
        .build();
    let info = mrz_info(&chip);
    let mut un = Unauthenticated::new(chip);
    let mut doc = DocumentRead::default();
    let err = session(&mut un, &info, &mut doc, &opts).unwrap_err();
    let ChipError::Read(ReadError::Interrupted {
        file,
        offset,
        cause,
    }) = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*file, FileId::Dg(2));
    assert!(*offset > 1000, "{offset}");
    assert!(cause.contains("removed"), "{cause}");
    assert!(err.is_communication_lost());
    let partial = doc.partial.clone().unwrap();
    assert_eq!(partial.data.len(), *offset);
    assert_eq!(
        partial.data[..],
        std::fs::read(dir.join("DG2.bin")).unwrap()[..*offset]
    );

    // The card comes back: a new session resumes DG2 at the last good offset.
    un.transport_mut().inner_mut().reinsert();
    session(&mut un, &info, &mut doc, &opts).unwrap();
    assert_byte_exact(&doc, &dir);
    assert_eq!(doc.resumptions, 1);
    // DG2 over both sessions: about what one uninterrupted read costs plus one SELECT and the
    // APDU that failed, not a restart.
    let uninterrupted = 2 + 19143u64.div_ceil(231);
    let total = dg2_apdus(&doc);
    assert!(total <= uninterrupted + 3, "{total} vs {uninterrupted}");
}

#[test]
fn fixed_blocks_like_other_readers() {
    for block in [223usize, 160] {
        let (doc, _) = read(
            builder("large-dg2").build(),
            &ReadOptions {
                fixed_block: Some(block),
                ..ReadOptions::default()
            },
        );
        assert_byte_exact(&doc, &fixture("large-dg2"));
        // Without the header read: SELECT + ceil(19151 / block).
        assert_eq!(dg2_apdus(&doc), 1 + 19151u64.div_ceil(block as u64));
    }
}
