//! The extension point where the chip side of each access and authentication protocol plugs in.
//!
//! The core of the software chip ([`crate::SimChip`]) answers SELECT, READ BINARY (B0/B1), GET
//! CHALLENGE and GET RESPONSE itself. Every other instruction — MUTUAL AUTHENTICATE (`82`, BAC),
//! MSE:SET (`22`), GENERAL AUTHENTICATE (`86`, PACE and CA), INTERNAL AUTHENTICATE (`88`, AA) — is
//! offered to the [`ProtocolHandler`]s the chip was built with, in order, until one takes it.
//!
//! # Writing a handler
//!
//! ```
//! use epassport_card::{Command, Response, StatusWord};
//! use epassport_sim::protocol::{ChipContext, ProtocolHandler};
//!
//! /// Answers INTERNAL AUTHENTICATE with the challenge reversed (a toy, not AA).
//! struct Reverse;
//! impl ProtocolHandler for Reverse {
//!     fn name(&self) -> &'static str { "reverse" }
//!     fn handle(&mut self, cmd: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
//!         if cmd.ins != 0x88 { return None; } // not mine: the next handler (or 6D00) gets it
//!         if !ctx.security().access_control_done() {
//!             return Some(Response::new(vec![], StatusWord(0x6982)));
//!         }
//!         let mut data = cmd.data.clone();
//!         data.reverse();
//!         Some(Response::new(data, StatusWord::OK))
//!     }
//! }
//! let mut chip = epassport_sim::SimChip::builder().handler(Box::new(Reverse)).build();
//! ```
//!
//! A handler sees the command **after** secure-messaging unwrapping (plain CLA, data and Le), reads
//! the chip's configuration (MRZ, CAN, keys, files, per-protocol options) through [`ChipContext`],
//! draws randomness from the chip's injectable [`crate::ChipRng`], and records what it
//! established in [`SecurityStatus`]. A handler keeps its own state across commands (`&mut self`);
//! [`ProtocolHandler::reset`] is called whenever the chip's session ends (power cycle, card removed,
//! secure-messaging error, [`ChipContext::end_session`]).
//!
//! # Installing secure messaging
//!
//! When a protocol succeeds it calls [`ChipContext::install_secure_channel`] with its
//! [`ChipSecureChannel`]. The new channel takes effect **after** the current response has been
//! sent: BAC's MUTUAL AUTHENTICATE and PACE's last GENERAL AUTHENTICATE are answered in plain (or, if
//! a channel was already active, as for Chip Authentication, under the old keys), and every command
//! after it must be protected. From then on the chip:
//!
//! - calls [`ChipSecureChannel::unwrap_command`] on every command; a command without SM (CLA bits
//!   `0C` clear) is answered `6987`, and any [`SmError`] is answered with its status word
//!   (`6987`/`6988`) in plain — and in both cases the session ends: the channel and every access
//!   right are dropped (ICAO 9303-11 §9.8.6.2 "abort Secure Messaging");
//! - dispatches the plain command (core or handler) exactly as without SM;
//! - calls [`ChipSecureChannel::wrap_response`] on the plain response and sends what it returns.
//!   The behaviour `corrupt_mac_on_response` then flips the last byte of DO'8E' in the Nth
//!   protected response, so no channel needs to know about fault injection.
//!
//! # Registering a handler for every chip
//!
//! [`default_handlers`] builds the handlers a chip gets from its configuration; the BAC, PACE, CA
//! and AA modules (`bac.rs`, `sm.rs`, `pace.rs`, …) add one line each there. Tests can add more
//! with [`crate::ChipBuilder::handler`].

use crate::config::ChipConfig;
use crate::fs::{Df, Ef};
use crate::rng::ChipRng;
use epassport_card::{Command, Response, StatusWord};

/// The access-control protocol that opened the current session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMethod {
    /// Basic Access Control (ICAO 9303-11 §4.3).
    Bac,
    /// PACE (ICAO 9303-11 §4.4) with the MRZ or the CAN.
    Pace,
}

/// What the terminal has established in the current session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityStatus {
    /// BAC or PACE completed (and secure messaging is, or is about to be, active).
    pub access_control: Option<AccessMethod>,
    /// Chip Authentication (or PACE-CAM) completed.
    pub chip_authenticated: bool,
    /// Terminal Authentication completed (EAC; unlocks files whose condition is `denied` only if a
    /// handler chooses to, the core never does).
    pub terminal_authenticated: bool,
}

impl SecurityStatus {
    /// True once BAC or PACE has completed.
    pub fn access_control_done(&self) -> bool {
        self.access_control.is_some()
    }
}

/// A secure-messaging failure seen by the chip; the chip answers its status word and ends the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// A required SM data object (DO'8E', DO'87'/'85', DO'97') is missing: answered 6987.
    #[error("secure messaging data object missing: {0}")]
    MissingObject(&'static str),
    /// An SM data object is malformed (bad TLV, padding, length): answered 6988.
    #[error("secure messaging data object incorrect: {0}")]
    IncorrectObject(&'static str),
    /// The MAC did not verify (wrong key or wrong SSC): answered 6988.
    #[error("secure messaging MAC did not verify")]
    BadMac,
    /// The channel could not wrap a response (should not happen): answered 6F00.
    #[error("secure messaging failed: {0}")]
    Internal(String),
}

impl SmError {
    /// The status word the chip answers with (in plain) before ending the session.
    pub fn status_word(&self) -> StatusWord {
        match self {
            SmError::MissingObject(_) => StatusWord(0x6987),
            SmError::IncorrectObject(_) | SmError::BadMac => StatusWord(0x6988),
            SmError::Internal(_) => StatusWord(0x6F00),
        }
    }
}

/// The chip side of a secure-messaging channel (BAC 3DES, PACE/CA 3DES or AES).
///
/// The channel owns its session keys and send sequence counter; the chip calls it once per command
/// and once per response, in that order, so the SSC advances as the terminal's does.
pub trait ChipSecureChannel: Send {
    /// A short description for diagnostics ("3DES", "AES-128"), never key material.
    fn name(&self) -> &'static str;
    /// Verifies and decrypts a protected command (CLA with bits `0C` set) into the plain command the
    /// file system and handlers see (plain CLA, INS, P1, P2, data from DO'87'/DO'85', Le from DO'97').
    fn unwrap_command(&mut self, protected: &Command) -> Result<Command, SmError>;
    /// Protects a plain response: returns the response whose data holds DO'87'/DO'85', DO'99' and
    /// DO'8E' and whose status word is the plain one.
    fn wrap_response(&mut self, plain: &Response) -> Result<Response, SmError>;
}

/// The chip side of one protocol (BAC, PACE, CA, AA...), offered every command the core does not
/// answer itself.
pub trait ProtocolHandler: Send {
    /// A short name for diagnostics ("bac", "pace").
    fn name(&self) -> &'static str;
    /// Answers `command` (already unwrapped from secure messaging), or returns `None` when the
    /// command is not this handler's (the next handler gets it; if none takes it the chip answers
    /// 6D00). A handler that recognises the command but refuses it answers the status word a chip
    /// would (6982, 6985, 6300, 6A80...).
    fn handle(&mut self, command: &Command, ctx: &mut ChipContext<'_>) -> Option<Response>;
    /// Forgets any protocol state: called whenever the chip's session ends.
    fn reset(&mut self) {}
}

/// The per-session state the core and the handlers share.
#[derive(Default)]
pub(crate) struct Session {
    pub(crate) current_df: Option<Df>,
    pub(crate) current_ef: Option<Ef>,
    pub(crate) security: SecurityStatus,
    pub(crate) challenge: Option<Vec<u8>>,
    pub(crate) channel: Option<Box<dyn ChipSecureChannel>>,
    pub(crate) pending_channel: Option<Box<dyn ChipSecureChannel>>,
    pub(crate) end_requested: bool,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(c) = self.challenge.as_mut() {
            zeroize::Zeroize::zeroize(c);
        }
    }
}

/// What a [`ProtocolHandler`] may see and change while it answers a command.
pub struct ChipContext<'a> {
    pub(crate) config: &'a ChipConfig,
    pub(crate) rng: &'a mut ChipRng,
    pub(crate) session: &'a mut Session,
}

impl ChipContext<'_> {
    /// The chip's configuration: MRZ, CAN, keys, files, behaviours, per-protocol options.
    pub fn config(&self) -> &ChipConfig {
        self.config
    }
    /// The contents of an EF, if the chip has it.
    pub fn file(&self, ef: Ef) -> Option<&[u8]> {
        self.config.files.get(&ef).map(Vec::as_slice)
    }
    /// The chip's random number generator (seedable and scriptable).
    pub fn rng(&mut self) -> &mut ChipRng {
        self.rng
    }
    /// What has been established in this session.
    pub fn security(&self) -> &SecurityStatus {
        &self.session.security
    }
    /// Records what this handler established (access control done, chip authenticated...).
    pub fn security_mut(&mut self) -> &mut SecurityStatus {
        &mut self.session.security
    }
    /// The last challenge the chip gave with GET CHALLENGE in this session (RND.IC for BAC, the
    /// challenge AA signs over in some profiles).
    pub fn last_challenge(&self) -> Option<&[u8]> {
        self.session.challenge.as_deref()
    }
    /// Takes the last challenge, so it cannot be used twice.
    pub fn take_challenge(&mut self) -> Option<Vec<u8>> {
        self.session.challenge.take()
    }
    /// The currently selected DF, if any.
    pub fn current_df(&self) -> Option<Df> {
        self.session.current_df
    }
    /// True while a secure-messaging channel protects commands and responses.
    pub fn secure_messaging_active(&self) -> bool {
        self.session.channel.is_some()
    }
    /// Installs `channel` once the current response has been sent (under the previous channel, if
    /// any). Replaces any channel installed earlier in the same command.
    pub fn install_secure_channel(&mut self, channel: Box<dyn ChipSecureChannel>) {
        self.session.pending_channel = Some(channel);
    }
    /// Ends the session once the current response has been sent: secure messaging and every access
    /// right are dropped and every handler is reset (a chip that detected an attack or a wrong key).
    pub fn end_session(&mut self) {
        self.session.end_requested = true;
    }
}

/// The handlers a chip built from `config` gets, in the order they are offered commands.
///
/// The protocol modules register here: BAC (`bac.rs`) when `config.bac`, PACE (`pace.rs`) when
/// `config.pace`, CA when a CA key is configured, AA when an AA key is configured.
pub fn default_handlers(config: &ChipConfig) -> Vec<Box<dyn ProtocolHandler>> {
    let mut handlers: Vec<Box<dyn ProtocolHandler>> = Vec::new();
    if config.bac {
        handlers.push(Box::new(crate::bac::BacHandler));
    }
    // CA before PACE: CA claims GENERAL AUTHENTICATE only after its own MSE:Set AT (P1 41).
    if config.ca_private_key.is_some() {
        handlers.push(Box::new(crate::ca::CaHandler::default()));
    }
    if config.aa_private_key.is_some() {
        handlers.push(Box::new(crate::aa::AaHandler));
    }
    if let Some(pace) = crate::pace::PaceHandler::from_config(config) {
        handlers.push(Box::new(pace));
    }
    handlers
}
