//! Recorded APDU traces: [`Recorder`] wraps a transport and writes every exchange (hex, timing) and
//! the terminal-side secrets that make the session reproducible; [`Replay`] plays a trace back
//! strictly, so a recorded session (with a real chip or the software one) runs in CI.
//!
//! A trace is JSON (`"format": "epassport.apdu-trace/1"`):
//!
//! ```json
//! {
//!   "format": "epassport.apdu-trace/1",
//!   "reader": "Virtual PCD 00 00",
//!   "atr": "3B8580018073000000C0F6",
//!   "capabilities": { "extended_length": true, "max_command_len": 65544, "max_response_len": 65536 },
//!   "exchanges": [
//!     { "command": "0084000008", "response": "0102030405060708 9000", "at_us": 0, "elapsed_us": 812 },
//!     { "command": "00B0810000", "error": { "kind": "communication_lost", "message": "..." }, "at_us": 901, "elapsed_us": 40 }
//!   ],
//!   "secrets": [ { "label": "bac.rnd_ifd", "value": "781723860C06C226", "before_exchange": 1 } ]
//! }
//! ```
//!
//! Hex is upper case without spaces when written; spaces are accepted when read. **A trace holds
//! the session's secrets and every byte the chip returned (personal data): treat it like the
//! document itself.**

use crate::{Capabilities, CardError, Transport};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;
use zeroize::Zeroizing;

/// The format tag written into every trace.
pub const TRACE_FORMAT: &str = "epassport.apdu-trace/1";

/// A recorded session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// Always [`TRACE_FORMAT`].
    pub format: String,
    /// The reader (or `sim:<fixture>`) the session ran on.
    pub reader: String,
    /// The chip's ATR, hex.
    pub atr: String,
    /// What the transport reported it could do.
    pub capabilities: TraceCapabilities,
    /// Every exchange, in order.
    pub exchanges: Vec<Exchange>,
    /// Terminal-side secrets noted by protocol code, in order.
    #[serde(default)]
    pub secrets: Vec<TraceSecret>,
}

/// [`Capabilities`] as stored in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceCapabilities {
    /// See [`Capabilities::extended_length`].
    pub extended_length: bool,
    /// See [`Capabilities::max_command_len`].
    pub max_command_len: usize,
    /// See [`Capabilities::max_response_len`].
    pub max_response_len: usize,
}

impl From<Capabilities> for TraceCapabilities {
    fn from(c: Capabilities) -> Self {
        TraceCapabilities {
            extended_length: c.extended_length,
            max_command_len: c.max_command_len,
            max_response_len: c.max_response_len,
        }
    }
}

impl From<TraceCapabilities> for Capabilities {
    fn from(c: TraceCapabilities) -> Self {
        Capabilities {
            extended_length: c.extended_length,
            max_command_len: c.max_command_len,
            max_response_len: c.max_response_len,
        }
    }
}

/// One command and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The command APDU, hex.
    pub command: String,
    /// The response APDU (data and SW), hex; absent when the transport failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The transport failure instead of a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TraceError>,
    /// Microseconds from the start of recording to the command.
    pub at_us: u64,
    /// Microseconds the exchange took.
    pub elapsed_us: u64,
}

/// A transport failure kept in a trace, replayed as the same [`CardError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceError {
    /// `communication_lost`, `no_card`, `reader_unavailable`, `sharing_violation`, `timeout` or
    /// `transport`.
    pub kind: String,
    /// The error's message.
    pub message: String,
}

impl TraceError {
    fn from_error(e: &CardError) -> Self {
        let (kind, message) = match e {
            CardError::CommunicationLost(m) => ("communication_lost", m.clone()),
            CardError::NoCard => ("no_card", String::new()),
            CardError::ReaderUnavailable(m) => ("reader_unavailable", m.clone()),
            CardError::SharingViolation => ("sharing_violation", String::new()),
            CardError::Timeout(m) => ("timeout", m.clone()),
            other => ("transport", other.to_string()),
        };
        TraceError {
            kind: kind.into(),
            message,
        }
    }
    fn to_error(&self) -> CardError {
        match self.kind.as_str() {
            "communication_lost" => CardError::CommunicationLost(self.message.clone()),
            "no_card" => CardError::NoCard,
            "reader_unavailable" => CardError::ReaderUnavailable(self.message.clone()),
            "sharing_violation" => CardError::SharingViolation,
            "timeout" => CardError::Timeout(self.message.clone()),
            _ => CardError::Transport(self.message.clone()),
        }
    }
}

/// A terminal-side secret noted during the session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSecret {
    /// What it is (`"bac.rnd_ifd"`, `"pace.ephemeral_private_key"`...).
    pub label: String,
    /// The value, hex.
    pub value: String,
    /// The index of the exchange that came next when it was noted.
    pub before_exchange: usize,
}

impl std::fmt::Debug for TraceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TraceSecret {{ {:?}: REDACTED, before exchange {} }}",
            self.label, self.before_exchange
        )
    }
}

impl Drop for TraceSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

fn unhex(s: &str) -> Result<Vec<u8>, CardError> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).map_err(|e| CardError::Trace(format!("bad hex {s:?}: {e}")))
}

impl Trace {
    /// An empty trace.
    pub fn new(reader: impl Into<String>, atr: &[u8], capabilities: Capabilities) -> Self {
        Trace {
            format: TRACE_FORMAT.into(),
            reader: reader.into(),
            atr: hex::encode_upper(atr),
            capabilities: capabilities.into(),
            exchanges: Vec::new(),
            secrets: Vec::new(),
        }
    }
    /// Reads a trace file.
    pub fn load(path: &Path) -> Result<Trace, CardError> {
        let text = std::fs::read(path)
            .map_err(|e| CardError::Trace(format!("cannot read {}: {e}", path.display())))?;
        Trace::from_json(&text).map_err(|e| match e {
            CardError::Trace(m) => CardError::Trace(format!("{}: {m}", path.display())),
            other => other,
        })
    }
    /// Parses a trace.
    pub fn from_json(bytes: &[u8]) -> Result<Trace, CardError> {
        let t: Trace =
            serde_json::from_slice(bytes).map_err(|e| CardError::Trace(e.to_string()))?;
        if t.format != TRACE_FORMAT {
            return Err(CardError::Trace(format!(
                "unknown trace format {:?} (expected {TRACE_FORMAT:?})",
                t.format
            )));
        }
        for (i, x) in t.exchanges.iter().enumerate() {
            unhex(&x.command)?;
            match (&x.response, &x.error) {
                (Some(r), None) => {
                    unhex(r)?;
                }
                (None, Some(_)) => {}
                _ => {
                    return Err(CardError::Trace(format!(
                        "exchange {i} needs exactly one of response and error"
                    )));
                }
            }
        }
        for s in &t.secrets {
            unhex(&s.value)?;
        }
        Ok(t)
    }
    /// The trace as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, numbers and vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
    /// Writes the trace to `path`.
    pub fn save(&self, path: &Path) -> Result<(), CardError> {
        std::fs::write(path, self.to_json() + "\n")
            .map_err(|e| CardError::Trace(format!("cannot write {}: {e}", path.display())))
    }
    /// The ATR as bytes.
    pub fn atr_bytes(&self) -> Result<Vec<u8>, CardError> {
        unhex(&self.atr)
    }
}

/// Wraps a transport and records every exchange and noted secret into a [`Trace`].
pub struct Recorder<T> {
    inner: T,
    trace: Trace,
    start: Instant,
}

impl<T: Transport> Recorder<T> {
    /// Starts recording `inner`, connected through `reader` to a chip with this ATR.
    pub fn new(inner: T, reader: impl Into<String>, atr: &[u8]) -> Self {
        let trace = Trace::new(reader, atr, inner.capabilities());
        Recorder {
            inner,
            trace,
            start: Instant::now(),
        }
    }
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// The wrapped transport.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// Stops recording: the transport and the trace.
    pub fn into_parts(self) -> (T, Trace) {
        (self.inner, self.trace)
    }
}

impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        let at = self.start.elapsed();
        let t0 = Instant::now();
        let result = self.inner.transmit(command);
        let elapsed = t0.elapsed();
        let (response, error) = match &result {
            Ok(r) => (Some(hex::encode_upper(r)), None),
            Err(e) => (None, Some(TraceError::from_error(e))),
        };
        self.trace.exchanges.push(Exchange {
            command: hex::encode_upper(command),
            response,
            error,
            at_us: at.as_micros() as u64,
            elapsed_us: elapsed.as_micros() as u64,
        });
        result
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        self.trace.secrets.push(TraceSecret {
            label: label.into(),
            value: hex::encode_upper(value),
            before_exchange: self.trace.exchanges.len(),
        });
        self.inner.note_secret(label, value);
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: std::time::Duration) -> Result<(), CardError> {
        self.inner.reconnect(timeout)
    }
}

/// Plays a [`Trace`] back: every command must equal the recorded one, byte for byte.
pub struct Replay {
    trace: Trace,
    next: usize,
    secrets_used: HashMap<String, usize>,
}

impl Replay {
    /// Replays `trace` from its first exchange.
    pub fn new(trace: Trace) -> Self {
        Replay {
            trace,
            next: 0,
            secrets_used: HashMap::new(),
        }
    }
    /// Loads and replays a trace file.
    pub fn load(path: &Path) -> Result<Self, CardError> {
        Ok(Replay::new(Trace::load(path)?))
    }
    /// The trace being replayed.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// Exchanges not yet replayed.
    pub fn remaining(&self) -> usize {
        self.trace.exchanges.len().saturating_sub(self.next)
    }
    /// Checks the whole trace was replayed: an exchange left over is a mismatch whose `actual` is
    /// `"<end of session>"`.
    pub fn finish(&self) -> Result<(), CardError> {
        match self.trace.exchanges.get(self.next) {
            None => Ok(()),
            Some(x) => Err(CardError::ReplayMismatch {
                index: self.next,
                expected: x.command.clone(),
                actual: "<end of session>".into(),
            }),
        }
    }
}

impl Transport for Replay {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        let index = self.next;
        let actual = hex::encode_upper(command);
        let Some(x) = self.trace.exchanges.get(index) else {
            return Err(CardError::ReplayMismatch {
                index,
                expected: "<end of trace>".into(),
                actual,
            });
        };
        let expected = unhex(&x.command)?;
        if expected != command {
            return Err(CardError::ReplayMismatch {
                index,
                expected: hex::encode_upper(expected),
                actual,
            });
        }
        self.next += 1;
        match (&x.response, &x.error) {
            (Some(r), _) => unhex(r),
            (None, Some(e)) => Err(e.to_error()),
            (None, None) => Err(CardError::Trace(format!(
                "exchange {index} has neither response nor error"
            ))),
        }
    }
    fn capabilities(&self) -> Capabilities {
        self.trace.capabilities.into()
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        let used = self.secrets_used.entry(label.to_string()).or_insert(0);
        let s = self
            .trace
            .secrets
            .iter()
            .filter(|s| s.label == label)
            .nth(*used)?;
        *used += 1;
        unhex(&s.value).ok().map(Zeroizing::new)
    }
    /// The recorded session went on after the loss: so does the replay.
    fn reconnect(&mut self, _timeout: std::time::Duration) -> Result<(), CardError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo(u8);
    impl Transport for Echo {
        fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, CardError> {
            self.0 += 1;
            if c[1] == 0xEE {
                return Err(CardError::CommunicationLost("tag lost".into()));
            }
            Ok(vec![self.0, 0x90, 0x00])
        }
    }

    #[test]
    fn record_then_replay_byte_exact() {
        let mut rec = Recorder::new(Echo(0), "test reader", &[0x3B, 0x80, 0x80, 0x01, 0x01]);
        rec.note_secret("bac.rnd_ifd", &[1, 2, 3]);
        assert_eq!(rec.transmit(&[0, 0x84, 0, 0, 8]).unwrap(), [1, 0x90, 0]);
        rec.note_secret("bac.k_ifd", &[4, 5]);
        rec.note_secret("bac.rnd_ifd", &[6]);
        assert_eq!(rec.transmit(&[0, 0xB0, 0, 0, 1]).unwrap(), [2, 0x90, 0]);
        assert_eq!(
            rec.transmit(&[0, 0xEE, 0, 0]),
            Err(CardError::CommunicationLost("tag lost".into()))
        );
        let (_, trace) = rec.into_parts();
        assert_eq!(trace.exchanges.len(), 3);
        assert_eq!(trace.secrets[1].before_exchange, 1);
        assert_eq!(
            format!("{:?}", trace.secrets[0]),
            "TraceSecret { \"bac.rnd_ifd\": REDACTED, before exchange 0 }"
        );
        let json = trace.to_json();
        let back = Trace::from_json(json.as_bytes()).unwrap();
        assert_eq!(back, trace);

        let mut r = Replay::new(back);
        assert_eq!(r.capabilities(), Capabilities::default());
        assert_eq!(
            r.recorded_secret("bac.rnd_ifd").unwrap().as_slice(),
            [1, 2, 3]
        );
        assert_eq!(r.recorded_secret("bac.rnd_ifd").unwrap().as_slice(), [6]);
        assert_eq!(r.recorded_secret("bac.rnd_ifd"), None);
        assert_eq!(r.transmit(&[0, 0x84, 0, 0, 8]).unwrap(), [1, 0x90, 0]);
        assert!(r.finish().is_err());
        assert_eq!(
            r.transmit(&[0, 0xB0, 0, 0, 2]),
            Err(CardError::ReplayMismatch {
                index: 1,
                expected: "00B0000001".into(),
                actual: "00B0000002".into()
            })
        );
        assert_eq!(r.transmit(&[0, 0xB0, 0, 0, 1]).unwrap(), [2, 0x90, 0]);
        assert_eq!(
            r.transmit(&[0, 0xEE, 0, 0]),
            Err(CardError::CommunicationLost("tag lost".into()))
        );
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(
            r.transmit(&[0, 0xA4, 0, 0]),
            Err(CardError::ReplayMismatch {
                index: 3,
                expected: "<end of trace>".into(),
                actual: "00A40000".into()
            })
        );
    }

    #[test]
    fn bad_traces_are_refused() {
        assert!(matches!(Trace::from_json(b"{}"), Err(CardError::Trace(_))));
        let mut t = Trace::new("r", &[], Capabilities::default());
        t.format = "other/1".into();
        assert_eq!(
            Trace::from_json(t.to_json().as_bytes()),
            Err(CardError::Trace(
                "unknown trace format \"other/1\" (expected \"epassport.apdu-trace/1\")".into()
            ))
        );
        let mut t = Trace::new("r", &[], Capabilities::default());
        t.exchanges.push(Exchange {
            command: "00ZZ".into(),
            response: Some("9000".into()),
            error: None,
            at_us: 0,
            elapsed_us: 0,
        });
        assert!(
            matches!(Trace::from_json(t.to_json().as_bytes()), Err(CardError::Trace(m)) if m.contains("00ZZ"))
        );
        t.exchanges[0].command = "00A4 0000".into();
        t.exchanges[0].response = None;
        assert_eq!(
            Trace::from_json(t.to_json().as_bytes()),
            Err(CardError::Trace(
                "exchange 0 needs exactly one of response and error".into()
            ))
        );
    }
}
