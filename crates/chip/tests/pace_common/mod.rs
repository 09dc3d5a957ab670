//! Shared by the PACE worked-example tests: a scripted card and hex helpers.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use epassport_card::{CardError, Transport};

/// Hex (spaces and newlines ignored) to bytes.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A card that expects exactly the scripted commands, in order, and answers 6988 to anything
/// else (recording the mismatch, which the test then asserts is absent).
pub struct ScriptedCard {
    pub script: Vec<(Vec<u8>, Vec<u8>)>,
    pub pos: usize,
    pub mismatch: Option<(usize, String, String)>,
}

impl ScriptedCard {
    pub fn new(script: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        ScriptedCard {
            script,
            pos: 0,
            mismatch: None,
        }
    }
    /// Asserts that every scripted command came, in order, and nothing else.
    pub fn assert_done(&self) {
        if let Some((i, want, got)) = &self.mismatch {
            panic!("command #{i} differs\n want {want}\n  got {got}");
        }
        assert_eq!(
            self.pos,
            self.script.len(),
            "not every scripted command was sent"
        );
    }
}

fn h(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

impl Transport for ScriptedCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        match self.script.get(self.pos) {
            Some((want, answer)) if want.as_slice() == command => {
                self.pos += 1;
                Ok(answer.clone())
            }
            Some((want, _)) => {
                if self.mismatch.is_none() {
                    self.mismatch = Some((self.pos, h(want), h(command)));
                }
                Ok(vec![0x69, 0x88])
            }
            None => {
                if self.mismatch.is_none() {
                    self.mismatch = Some((self.pos, "nothing".into(), h(command)));
                }
                Ok(vec![0x69, 0x88])
            }
        }
    }
}
