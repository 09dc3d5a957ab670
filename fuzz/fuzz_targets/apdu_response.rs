//! Response APDU parsing and the GET RESPONSE / 6Cxx loop in `exchange`, fed by a chip whose
//! answers are the fuzzer's bytes; also ATR parsing and trace loading. Nothing may panic, and
//! `exchange` must end (bounded rounds) with a response or an error.
#![no_main]

use epassport_card::{Atr, CardError, Command, Response, Trace, Transport, exchange};
use libfuzzer_sys::fuzz_target;

/// Answers each command with the next length-prefixed chunk of the input.
struct FuzzChip<'a> {
    data: &'a [u8],
}

impl Transport for FuzzChip<'_> {
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, CardError> {
        let Some((&n, rest)) = self.data.split_first() else {
            return Err(CardError::CommunicationLost("input exhausted".into()));
        };
        let n = usize::from(n).min(rest.len());
        let (chunk, rest) = rest.split_at(n);
        self.data = rest;
        Ok(chunk.to_vec())
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Response::parse(data) {
        assert_eq!(r.to_bytes(), data);
        let _ = r.sw.status().to_string();
    }
    if let Ok(c) = Command::parse(data) {
        // Whatever parses re-encodes to something that parses to the same command.
        if let Ok(b) = c.encode(c.needs_extended()) {
            assert_eq!(Command::parse(&b).ok(), Some(c));
        }
    }
    if let Ok(a) = Atr::parse(data) {
        let _ = (a.extended_length(), a.command_chaining());
    }
    let _ = Trace::from_json(data);
    let mut chip = FuzzChip { data };
    let _ = exchange(&mut chip, &Command::new(0, 0xB0, 0, 0).with_le(256));
});
