//! Smart-card APDUs (ISO/IEC 7816-4), typed status words and the [`Transport`] trait.
//!
//! Protocol code sees only [`Transport`]: one `transmit` of command bytes returning response bytes,
//! plus [`Capabilities`]. Backends (PC/SC behind the `pcsc` feature, trace replay, the recording
//! wrapper, the software chip, secure messaging itself) implement it. [`exchange`] is the one place
//! where `61xx` (GET RESPONSE) and `6Cxx` (wrong Le) are handled.

#![forbid(unsafe_code)]

mod apdu;
mod atr;
mod error;
#[cfg(feature = "pcsc")]
pub mod pcsc;
mod status;
mod trace;
mod transport;

pub use apdu::{Command, Response};
pub use atr::Atr;
pub use error::CardError;
pub use status::{Status, StatusWord};
pub use trace::{
    Exchange, Recorder, Replay, TRACE_FORMAT, Trace, TraceCapabilities, TraceError, TraceSecret,
};
pub use transport::{Capabilities, MAX_ROUNDS, Transport, exchange, exchange_chained};
