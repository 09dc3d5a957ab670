//! Serving the software chip into a virtual PC/SC reader: Debian's `vsmartcard-vpcd` driver inside
//! `pcscd` listens on TCP (default 127.0.0.1:35963, reader "Virtual PCD 00 00"); the chip connects
//! to it, and every PC/SC application then sees a card in that reader.
//!
//! Wire protocol (vsmartcard `vpcd`): each message is a 2-byte big-endian length and that many
//! bytes. From the reader, a 1-byte message is a control code — `00` power off, `01` power on, `02`
//! reset, `04` "send the ATR" (answered with the ATR) — and a longer one is a command APDU,
//! answered with the response APDU. Closing the connection removes the card.
//!
//! Bookworm's vpcd writes the length and the payload in two sends, so the chip's socket sets
//! `TCP_NODELAY` and re-arms `TCP_QUICKACK` before every read; without them each APDU waits for
//! the delayed-ACK timer (~40 ms).

use crate::{SimChip, SimError};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The address vpcd listens on by default.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

/// How [`serve`] behaves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where vpcd listens (`host:port`).
    pub address: String,
    /// How long to keep trying to connect when vpcd is not (yet) listening.
    pub connect_timeout: Duration,
    /// After the simulated card is removed (behaviour `remove_after_apdus`), how long it stays out
    /// of the field before it is reinserted; `None` ends serving instead. pcscd polls vpcd for the
    /// card about every 400 ms: a card back sooner than that is never seen leaving, and pcscd 1.9
    /// then reports the reader empty for good (0.3 s fails, 0.8 s works; the default is 1 s).
    pub reinsert_after: Option<Duration>,
    /// Set to true to stop serving (checked at least every 100 ms).
    pub stop: Arc<AtomicBool>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            address: DEFAULT_ADDRESS.into(),
            connect_timeout: Duration::from_secs(10),
            reinsert_after: Some(Duration::from_secs(1)),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Why [`serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// The `stop` flag was set.
    Stopped,
    /// vpcd (pcscd) closed the connection.
    ReaderClosed,
    /// The card was removed and `reinsert_after` is `None`.
    CardRemoved,
}

/// What happened while serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeSummary {
    /// Why serving ended.
    pub end: ServeEnd,
    /// APDUs answered.
    pub apdus: usize,
    /// Times the chip connected to the reader (1 + reinsertions).
    pub connections: usize,
}

fn vpcd_err(address: &str, message: impl Into<String>) -> SimError {
    SimError::Vpcd {
        address: address.into(),
        message: message.into(),
    }
}

/// Connects to vpcd, retrying until `timeout`.
pub fn connect(address: &str, timeout: Duration) -> Result<TcpStream, SimError> {
    let deadline = Instant::now() + timeout;
    loop {
        match TcpStream::connect(address) {
            Ok(s) => {
                s.set_nodelay(true)
                    .map_err(|e| vpcd_err(address, format!("TCP_NODELAY: {e}")))?;
                quickack(&s);
                return Ok(s);
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(vpcd_err(
                    address,
                    format!(
                        "cannot connect ({e}); is pcscd running with the vsmartcard-vpcd driver?"
                    ),
                ));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Re-arms TCP_QUICKACK (Linux clears it after each delayed ACK decision). Best effort.
fn quickack(s: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = socket2::SockRef::from(s).set_tcp_quickack(true);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = s;
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` when stopped or closed before the first byte.
fn read_full(s: &mut TcpStream, buf: &mut [u8], stop: &AtomicBool) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        quickack(s);
        match s.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "vpcd closed mid-message",
                ));
            }
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if got == 0 && stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn send(s: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message over 65535 bytes"))?;
    let mut msg = Vec::with_capacity(2 + payload.len());
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(payload);
    s.write_all(&msg)
}

/// Serves `chip` into vpcd until stopped, the reader goes away, or the card is removed for good.
pub fn serve(chip: &mut SimChip, options: &ServeOptions) -> Result<ServeSummary, SimError> {
    let addr = options.address.as_str();
    let mut summary = ServeSummary {
        end: ServeEnd::Stopped,
        apdus: 0,
        connections: 0,
    };
    'connection: loop {
        let mut s = connect(addr, options.connect_timeout)?;
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| vpcd_err(addr, e.to_string()))?;
        summary.connections += 1;
        loop {
            let mut len = [0u8; 2];
            let io = |e: io::Error| vpcd_err(addr, e.to_string());
            if !read_full(&mut s, &mut len, &options.stop).map_err(io)? {
                summary.end = if options.stop.load(Ordering::Relaxed) {
                    ServeEnd::Stopped
                } else {
                    ServeEnd::ReaderClosed
                };
                return Ok(summary);
            }
            let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if !read_full(&mut s, &mut msg, &AtomicBool::new(false)).map_err(io)? {
                summary.end = ServeEnd::ReaderClosed;
                return Ok(summary);
            }
            match msg.as_slice() {
                [0x00] => chip.reset(),
                [0x01] | [0x02] => chip.reset(),
                [0x04] => send(&mut s, &chip.atr()).map_err(io)?,
                [_] | [] => {}
                apdu => match chip.process(apdu) {
                    Ok(r) => {
                        summary.apdus += 1;
                        send(&mut s, &r).map_err(io)?;
                    }
                    Err(_) => {
                        // The simulated card left the field: drop the link (vpcd reports the card
                        // removed), wait, and come back as a fresh card.
                        drop(s);
                        match options.reinsert_after {
                            Some(pause) => {
                                std::thread::sleep(pause);
                                chip.reinsert();
                                continue 'connection;
                            }
                            None => {
                                summary.end = ServeEnd::CardRemoved;
                                return Ok(summary);
                            }
                        }
                    }
                },
            }
        }
    }
}
