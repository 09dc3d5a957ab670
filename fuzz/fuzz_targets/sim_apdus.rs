//! Whole APDU sequences against the software chip (as opcard-rs fuzzes its card): the input is a
//! series of length-prefixed command APDUs; the chip must answer every one with a well-formed
//! response (data + SW) and never panic.
#![no_main]

use epassport_card::{Response, Transport};
use epassport_sim::fs::{AccessCondition, Ef};
use epassport_sim::{LargeLe, PastEof, SimChip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, mut rest)) = data.split_first() else {
        return;
    };
    let mut chip = SimChip::builder()
        .seed(1)
        .file(Ef::CardAccess, vec![0x31; 40])
        .file(Ef::Com, vec![0x60; 20])
        .file(Ef::Dg(1), vec![0x61; 93])
        .file(Ef::Dg(2), vec![0x75; 3000])
        .access(Ef::Dg(3), AccessCondition::Denied)
        .extended_length(knobs & 1 != 0)
        .max_response(
            [65536, 256, 223, 160][usize::from(knobs >> 1 & 3)],
            [LargeLe::Truncate, LargeLe::WrongLength, LargeLe::WrongLe]
                [usize::from(knobs >> 3 & 3) % 3],
        )
        .past_eof(
            [
                PastEof::Truncate,
                PastEof::Truncate6282,
                PastEof::ZeroPad6282,
            ][usize::from(knobs >> 5 & 3) % 3],
        )
        .get_response_chunk(if knobs & 0x80 != 0 { 50 } else { 0 })
        .build();
    while let Some((&n, r)) = rest.split_first() {
        let n = usize::from(n).min(r.len());
        let (apdu, r) = r.split_at(n);
        rest = r;
        let out = chip.transmit(apdu).expect("the chip is never removed here");
        assert!(Response::parse(&out).is_ok());
    }
});
