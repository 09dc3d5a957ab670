//! End to end through the real PC/SC stack: a private `pcscd` with `vsmartcard-vpcd`, the software
//! chip served into the virtual reader, and APDUs exchanged through the `pcsc` backend.
//!
//! The PC/SC client must reach the private pcscd through `PCSCLITE_CSOCK_NAME`, which cannot be set
//! inside this (multi-threaded) process, so `apdus_through_pcscd_and_vpcd` runs the client half,
//! `pcsc_client_side`, as a child process of this test binary. Without pcscd, vpcd or root the
//! test FAILS with the reason.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use epassport_card::pcsc::{PcscCard, list_readers};
use epassport_card::{CardError, Command, StatusWord, Transport, exchange};
use epassport_sim::SimChip;
use epassport_sim::fs::Ef;
use epassport_sim::harness::{READER_NAME, VirtualReader};
use epassport_sim::vpcd::{ServeEnd, ServeOptions, serve};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const APDUS: usize = 7;

fn card_access() -> Vec<u8> {
    (0..3000u32).map(|i| (i * 7 % 256) as u8).collect()
}

fn chip() -> SimChip {
    SimChip::builder()
        .seed(5)
        .file(Ef::CardAccess, card_access())
        .remove_after_apdus(APDUS)
        .build()
}

#[test]
fn apdus_through_pcscd_and_vpcd() {
    let reader = VirtualReader::start()
        .unwrap_or_else(|e| panic!("cannot run the PC/SC end-to-end test: {e}"));
    let stop = Arc::new(AtomicBool::new(false));
    let options = ServeOptions {
        address: reader.address(),
        connect_timeout: Duration::from_secs(5),
        reinsert_after: Some(Duration::from_millis(1000)),
        stop: stop.clone(),
    };
    let server = std::thread::spawn(move || {
        let mut c = chip();
        serve(&mut c, &options)
    });
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "pcsc_client_side",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PCSCLITE_CSOCK_NAME", reader.socket())
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let summary = server.join().unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "client side failed:\n{stdout}\n{}\npcscd log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        reader.log()
    );
    assert_eq!(summary.end, ServeEnd::Stopped);
    assert_eq!(summary.connections, 2, "removed once, reinserted once");
    assert_eq!(summary.apdus, APDUS + 1, "{summary:?}");
}

#[test]
#[ignore = "the client half of apdus_through_pcscd_and_vpcd, run by it with PCSCLITE_CSOCK_NAME set"]
fn pcsc_client_side() {
    assert!(
        std::env::var_os("PCSCLITE_CSOCK_NAME").is_some(),
        "run through apdus_through_pcscd_and_vpcd"
    );
    let expected_atr = chip().atr();
    // The chip connects to vpcd on its own schedule: wait for the card.
    let mut card = PcscCard::connect(Some(READER_NAME), Duration::from_secs(10)).unwrap();
    assert_eq!(card.reader(), READER_NAME);
    assert_eq!(card.atr(), expected_atr.as_slice());
    assert!(
        card.capabilities().extended_length,
        "ATR says extended length"
    );
    let readers = list_readers().unwrap();
    let me = readers.iter().find(|r| r.name == READER_NAME).unwrap();
    assert!(me.card_present);
    assert_eq!(me.atr.as_deref(), Some(expected_atr.as_slice()));

    // 1: SELECT EF.CardAccess; 2: short READ BINARY; 3: extended READ BINARY of the whole file;
    // 4: odd INS at an offset; 5: GET CHALLENGE; 6: unknown INS.
    let sel = Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1C]);
    assert_eq!(exchange(&mut card, &sel).unwrap().sw, StatusWord::OK);
    let r = exchange(&mut card, &Command::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
    assert_eq!(r.data, card_access()[..256]);
    let r = exchange(&mut card, &Command::new(0, 0xB0, 0, 0).with_le(65536)).unwrap();
    assert_eq!(r.data, card_access());
    let odd = Command::new(0, 0xB1, 0, 0)
        .with_data([0x54, 0x02, 0x0B, 0xB0])
        .with_le(256);
    let r = exchange(&mut card, &odd).unwrap();
    assert_eq!(r.data, [&[0x53, 0x08][..], &card_access()[2992..]].concat());
    assert_eq!(
        exchange(&mut card, &Command::new(0, 0x84, 0, 0).with_le(8))
            .unwrap()
            .data
            .len(),
        8
    );
    let r = exchange(&mut card, &Command::new(0, 0x88, 0, 0).with_le(256)).unwrap();
    assert_eq!(r.sw, StatusWord(0x6D00));

    // Reset (warm) and read again: the chip's session starts afresh.
    card.reconnect().unwrap();
    let r = exchange(&mut card, &Command::new(0, 0xB0, 0x9C, 0).with_le(16)).unwrap();
    assert_eq!(r.data, card_access()[..16]);
    // The next APDU: the simulated card leaves the field.
    let lost = card.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap_err();
    assert!(matches!(lost, CardError::CommunicationLost(_)), "{lost:?}");
    drop(card);
    // It comes back; a new connection works.
    let mut card = PcscCard::connect(Some(READER_NAME), Duration::from_secs(10)).unwrap();
    let r = exchange(&mut card, &Command::new(0, 0xB0, 0x9C, 0).with_le(16)).unwrap();
    assert_eq!(r.data, card_access()[..16]);
}
