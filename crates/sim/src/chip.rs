//! The software chip: command dispatch, secure-messaging seam, file system commands, faults.

use crate::SimError;
use crate::config::{ChipBuilder, ChipConfig, LargeLe, PastEof};
use crate::fs::{AccessCondition, Df, Ef, LDS1_AID, MF_FID};
use crate::protocol::{ChipContext, ProtocolHandler, Session};
use crate::rng::ChipRng;
use epassport_card::{Capabilities, CardError, Command, Response, StatusWord, Transport};
use epassport_tlv::Tag;
use std::path::Path;

const SW_WRONG_LENGTH: StatusWord = StatusWord(0x6700);
const SW_SM_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);
const SW_CHAINING_NOT_SUPPORTED: StatusWord = StatusWord(0x6884);
const SW_SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
const SW_CONDITIONS: StatusWord = StatusWord(0x6985);
const SW_NO_CURRENT_EF: StatusWord = StatusWord(0x6986);
const SW_SM_MISSING: StatusWord = StatusWord(0x6987);
const SW_INCORRECT_DATA: StatusWord = StatusWord(0x6A80);
const SW_NOT_FOUND: StatusWord = StatusWord(0x6A82);
const SW_INCORRECT_P1P2: StatusWord = StatusWord(0x6A86);
const SW_LC_INCONSISTENT: StatusWord = StatusWord(0x6A87);
const SW_WRONG_P1P2: StatusWord = StatusWord(0x6B00);
const SW_INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
const SW_CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
const SW_END_OF_FILE: StatusWord = StatusWord(0x6282);

fn sw(s: StatusWord) -> Response {
    Response::new(Vec::new(), s)
}

/// Counters of what the chip has seen since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChipStats {
    /// APDUs received (including failed ones and GET RESPONSE).
    pub apdus: usize,
    /// Command bytes received.
    pub bytes_in: usize,
    /// Response bytes sent.
    pub bytes_out: usize,
    /// Sessions ended by a secure-messaging error or a plain command under SM.
    pub sm_aborts: usize,
}

/// A software eMRTD chip. It implements [`Transport`], so terminal code talks to it exactly as to a
/// reader; [`crate::vpcd`] serves it into a virtual PC/SC reader.
pub struct SimChip {
    config: ChipConfig,
    rng: ChipRng,
    handlers: Vec<Box<dyn ProtocolHandler>>,
    session: Session,
    stats: ChipStats,
    removed: bool,
    removal_done: bool,
    corruption_done: bool,
    protected_total: usize,
    /// T=0 GET RESPONSE remainder and the final status word.
    pending_out: Option<(Vec<u8>, StatusWord)>,
    history: Vec<(u8, StatusWord)>,
}

impl std::fmt::Debug for SimChip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimChip")
            .field("description", &self.config.description)
            .field("stats", &self.stats)
            .field("removed", &self.removed)
            .finish_non_exhaustive()
    }
}

impl SimChip {
    /// A builder for an in-memory chip.
    pub fn builder() -> ChipBuilder {
        ChipBuilder::default()
    }
    /// Loads a fixture folder (`chip.json` + `<EF>.bin`) and builds the chip with its default
    /// protocol handlers.
    pub fn from_fixture(dir: &Path) -> Result<SimChip, SimError> {
        Ok(ChipBuilder::from_config(ChipConfig::load(dir)?).build())
    }
    pub(crate) fn from_parts(
        config: ChipConfig,
        rng: ChipRng,
        handlers: Vec<Box<dyn ProtocolHandler>>,
    ) -> SimChip {
        SimChip {
            config,
            rng,
            handlers,
            session: Session::default(),
            stats: ChipStats::default(),
            removed: false,
            removal_done: false,
            corruption_done: false,
            protected_total: 0,
            pending_out: None,
            history: Vec::new(),
        }
    }
    /// The chip's configuration.
    pub fn config(&self) -> &ChipConfig {
        &self.config
    }
    /// The chip's ATR.
    pub fn atr(&self) -> Vec<u8> {
        self.config.atr()
    }
    /// What the chip has seen.
    pub fn stats(&self) -> ChipStats {
        self.stats
    }
    /// INS and status word of every command answered, in order (for tests).
    pub fn history(&self) -> &[(u8, StatusWord)] {
        &self.history
    }
    /// True while the simulated card is out of the field.
    pub fn is_removed(&self) -> bool {
        self.removed
    }
    /// What the current session has established.
    pub fn security(&self) -> &crate::protocol::SecurityStatus {
        &self.session.security
    }
    /// True while secure messaging is active.
    pub fn secure_messaging_active(&self) -> bool {
        self.session.channel.is_some()
    }
    /// Power cycle (a PC/SC reset or reconnect): the session, secure messaging and every protocol
    /// handler's state are dropped; files and counters stay.
    pub fn reset(&mut self) {
        self.end_session();
        self.pending_out = None;
    }
    /// Puts a removed card back into the field (and powers it up afresh).
    pub fn reinsert(&mut self) {
        self.removed = false;
        self.reset();
    }
    fn end_session(&mut self) {
        self.session = Session::default();
        for h in &mut self.handlers {
            h.reset();
        }
    }

    /// Processes one command APDU and returns the response APDU, or the transport error a terminal
    /// would see (the card removed).
    pub fn process(&mut self, apdu: &[u8]) -> Result<Vec<u8>, CardError> {
        if self.removed {
            return Err(CardError::CommunicationLost(
                "the simulated card was removed".into(),
            ));
        }
        self.stats.apdus += 1;
        self.stats.bytes_in += apdu.len();
        if let Some(n) = self.config.behaviour.remove_after_apdus
            && !self.removal_done
            && self.stats.apdus > n
        {
            self.removal_done = true;
            self.removed = true;
            self.end_session();
            return Err(CardError::CommunicationLost(format!(
                "the simulated card was removed after {n} APDUs"
            )));
        }
        if self.config.behaviour.delay_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(
                self.config.behaviour.delay_ms,
            ));
        }
        let out = match self.pending_out.take() {
            Some(pending) if apdu.get(1) == Some(&0xC0) => self.get_response(apdu, pending),
            _ => {
                let r = self.process_command(apdu);
                self.chunk(r, !is_extended(apdu))
            }
        };
        self.history
            .push((apdu.get(1).copied().unwrap_or(0), out.sw));
        let bytes = out.to_bytes();
        self.stats.bytes_out += bytes.len();
        Ok(bytes)
    }

    /// Splitting of long responses, answered `61xx` with the rest fetched by GET RESPONSE: T=0
    /// style when configured, and always when a response exceeds the 256 bytes a short command
    /// allows (a protected response to a short command with Le `00`, ISO/IEC 7816-4 §5.3.4).
    fn chunk(&mut self, r: Response, short: bool) -> Response {
        let limit = match self.config.behaviour.get_response_chunk {
            Some(c) if c > 0 => Some(if short { c.min(256) } else { c }),
            _ => short.then_some(256),
        };
        match limit {
            Some(c) if r.data.len() > c => {
                let mut data = r.data;
                let rest = data.split_off(c);
                let sw2 = if rest.len() >= 256 {
                    0
                } else {
                    rest.len() as u8
                };
                self.pending_out = Some((rest, r.sw));
                Response::new(data, StatusWord::new(0x61, sw2))
            }
            _ => r,
        }
    }

    fn get_response(
        &mut self,
        apdu: &[u8],
        (mut rest, final_sw): (Vec<u8>, StatusWord),
    ) -> Response {
        let le = match Command::parse(apdu) {
            Ok(c) if c.p1 == 0 && c.p2 == 0 => c.le.unwrap_or(256),
            Ok(_) => {
                self.pending_out = Some((rest, final_sw));
                return sw(SW_INCORRECT_P1P2);
            }
            Err(_) => return sw(SW_WRONG_LENGTH),
        };
        let c = self
            .config
            .behaviour
            .get_response_chunk
            .unwrap_or(256)
            .max(1);
        let n = le.min(c).min(rest.len());
        let tail = rest.split_off(n);
        if tail.is_empty() {
            Response::new(rest, final_sw)
        } else {
            let sw2 = if tail.len() >= 256 {
                0
            } else {
                tail.len() as u8
            };
            self.pending_out = Some((tail, final_sw));
            Response::new(rest, StatusWord::new(0x61, sw2))
        }
    }

    fn process_command(&mut self, apdu: &[u8]) -> Response {
        if is_extended(apdu) && !self.config.behaviour.extended_length {
            return sw(SW_WRONG_LENGTH);
        }
        let Ok(cmd) = Command::parse(apdu) else {
            return sw(SW_WRONG_LENGTH);
        };
        if cmd.cla == 0xFF || cmd.cla & 0x80 != 0 {
            return sw(SW_CLA_NOT_SUPPORTED);
        }
        if cmd.cla & 0x0C != 0 {
            let Some(channel) = self.session.channel.as_mut() else {
                return sw(SW_SM_NOT_SUPPORTED);
            };
            let plain = match channel.unwrap_command(&cmd) {
                Ok(p) => p,
                Err(e) => {
                    self.stats.sm_aborts += 1;
                    self.end_session();
                    return sw(e.status_word());
                }
            };
            let response = self.dispatch(&plain);
            let wrapped = match self.session.channel.as_mut() {
                Some(ch) => ch.wrap_response(&response),
                // A handler cannot remove the channel during dispatch; keep this total anyway.
                None => Ok(response),
            };
            let mut wrapped = match wrapped {
                Ok(w) => w,
                Err(e) => {
                    self.end_session();
                    return sw(e.status_word());
                }
            };
            self.protected_total += 1;
            if let Some(n) = self.config.behaviour.corrupt_mac_on_response
                && !self.corruption_done
                && self.protected_total == n
            {
                self.corruption_done = true;
                corrupt_mac(&mut wrapped.data);
            }
            self.after_response();
            wrapped
        } else {
            if self.session.channel.is_some() {
                // A plain command while secure messaging is active: abort (ICAO 9303-11 §9.8.6.2).
                self.stats.sm_aborts += 1;
                self.end_session();
                return sw(SW_SM_MISSING);
            }
            let response = self.dispatch(&cmd);
            self.after_response();
            response
        }
    }

    fn after_response(&mut self) {
        if self.session.end_requested {
            self.end_session();
        } else if let Some(ch) = self.session.pending_channel.take() {
            self.session.channel = Some(ch);
        }
    }

    fn dispatch(&mut self, cmd: &Command) -> Response {
        let core = matches!(cmd.ins, 0xA4 | 0xB0 | 0xB1 | 0x84);
        if core && cmd.cla & 0x10 != 0 {
            return sw(SW_CHAINING_NOT_SUPPORTED);
        }
        match cmd.ins {
            0xA4 => self.select(cmd),
            0xB0 | 0xB1 => self.read_binary(cmd),
            0x84 => self.get_challenge(cmd),
            0xC0 => sw(SW_CONDITIONS),
            _ => {
                let mut ctx = ChipContext {
                    config: &self.config,
                    rng: &mut self.rng,
                    session: &mut self.session,
                };
                for h in &mut self.handlers {
                    if let Some(r) = h.handle(cmd, &mut ctx) {
                        return r;
                    }
                }
                sw(SW_INS_NOT_SUPPORTED)
            }
        }
    }

    /// SELECT (ISO/IEC 7816-4 §11.2.2): by AID (P1 04), by FID (00, 02), parent (03), path (08, 09);
    /// P2 00 FCI, 04 FCP, 08 FMD, 0C no data.
    fn select(&mut self, cmd: &Command) -> Response {
        if cmd.p2 & 0xF3 != 0 {
            return sw(SW_INCORRECT_P1P2);
        }
        let current = self.session.current_df.unwrap_or(Df::Mf);
        let fid = |d: &[u8]| -> Result<u16, StatusWord> {
            match d {
                [a, b] => Ok(u16::from_be_bytes([*a, *b])),
                _ => Err(SW_LC_INCONSISTENT),
            }
        };
        let target: Result<(Df, Option<Ef>), StatusWord> = match cmd.p1 {
            0x04 => {
                if cmd.data == LDS1_AID {
                    Ok((Df::Lds1, None))
                } else {
                    Err(SW_NOT_FOUND)
                }
            }
            0x00 if cmd.data.is_empty() => Ok((Df::Mf, None)),
            0x00 => fid(&cmd.data).and_then(|f| {
                if f == MF_FID {
                    Ok((Df::Mf, None))
                } else {
                    Ef::by_fid(current, f)
                        .map(|e| (current, Some(e)))
                        .ok_or(SW_NOT_FOUND)
                }
            }),
            0x02 => fid(&cmd.data).and_then(|f| {
                Ef::by_fid(current, f)
                    .map(|e| (current, Some(e)))
                    .ok_or(SW_NOT_FOUND)
            }),
            0x03 => Ok((Df::Mf, None)),
            0x08 | 0x09 => {
                let mut path: Vec<u16> = cmd
                    .data
                    .chunks(2)
                    .map(|c| match c {
                        [a, b] => u16::from_be_bytes([*a, *b]),
                        _ => 0xFFFF,
                    })
                    .collect();
                let start = if cmd.p1 == 0x08 { Df::Mf } else { current };
                if cmd.p1 == 0x08 && path.first() == Some(&MF_FID) {
                    path.remove(0);
                }
                match path.as_slice() {
                    _ if !cmd.data.len().is_multiple_of(2) || cmd.data.is_empty() => {
                        Err(SW_LC_INCONSISTENT)
                    }
                    [] => Ok((Df::Mf, None)),
                    [f] => Ef::by_fid(start, *f)
                        .map(|e| (start, Some(e)))
                        .ok_or(SW_NOT_FOUND),
                    _ => Err(SW_NOT_FOUND),
                }
            }
            _ => Err(SW_INCORRECT_P1P2),
        };
        let (df, ef) = match target {
            Ok(t) => t,
            Err(s) => return sw(s),
        };
        if let Some(e) = ef
            && !self.config.files.contains_key(&e)
        {
            return sw(SW_NOT_FOUND);
        }
        self.session.current_df = Some(df);
        self.session.current_ef = ef;
        let Some(le) = cmd.le else {
            return sw(StatusWord::OK);
        };
        let inner = match ef {
            Some(e) => {
                let size = self.config.files.get(&e).map_or(0, Vec::len);
                let mut v = Vec::new();
                epassport_tlv::encode_into(
                    Tag(0x80),
                    &(size.min(0xFFFF) as u16).to_be_bytes(),
                    &mut v,
                );
                epassport_tlv::encode_into(Tag(0x82), &[0x01], &mut v);
                epassport_tlv::encode_into(Tag(0x83), &e.fid().to_be_bytes(), &mut v);
                epassport_tlv::encode_into(Tag(0x88), &[e.sfi() << 3], &mut v);
                v
            }
            None => {
                let mut v = Vec::new();
                epassport_tlv::encode_into(Tag(0x82), &[0x38], &mut v);
                match df {
                    Df::Mf => epassport_tlv::encode_into(Tag(0x83), &MF_FID.to_be_bytes(), &mut v),
                    Df::Lds1 => epassport_tlv::encode_into(Tag(0x84), &LDS1_AID, &mut v),
                }
                v
            }
        };
        let mut data = match cmd.p2 & 0x0C {
            0x00 => epassport_tlv::encode(Tag(0x6F), &inner),
            0x04 => epassport_tlv::encode(Tag(0x62), &inner),
            0x08 => epassport_tlv::encode(Tag(0x64), &[]),
            _ => Vec::new(),
        };
        data.truncate(le);
        Response::new(data, StatusWord::OK)
    }

    /// READ BINARY: B0 with a 15-bit offset or an SFI in P1 and an 8-bit offset in P2; odd B1 with
    /// the file in P1-P2 (0000 current EF, 00xx SFI, else FID) and the offset in DO'54', answered in
    /// DO'53' (ISO/IEC 7816-4 §11.3.3, ICAO 9303-10 §3.5).
    fn read_binary(&mut self, cmd: &Command) -> Response {
        let df = self.session.current_df.unwrap_or(Df::Mf);
        let (ef, offset) = if cmd.ins == 0xB0 {
            if cmd.p1 & 0x80 != 0 {
                if cmd.p1 & 0x60 != 0 {
                    return sw(SW_INCORRECT_P1P2);
                }
                match Ef::by_sfi(df, cmd.p1 & 0x1F) {
                    Some(e) => (Some(e), usize::from(cmd.p2)),
                    None => return sw(SW_NOT_FOUND),
                }
            } else {
                (
                    self.session.current_ef,
                    usize::from(u16::from_be_bytes([cmd.p1 & 0x7F, cmd.p2])),
                )
            }
        } else {
            let p1p2 = u16::from_be_bytes([cmd.p1, cmd.p2]);
            let ef = match p1p2 {
                0 => self.session.current_ef,
                1..=0x1E => match Ef::by_sfi(df, cmd.p2) {
                    Some(e) => Some(e),
                    None => return sw(SW_NOT_FOUND),
                },
                f => match Ef::by_fid(df, f) {
                    Some(e) => Some(e),
                    None => return sw(SW_NOT_FOUND),
                },
            };
            let offset = match epassport_tlv::parse_exact(&cmd.data, Tag(0x54)) {
                Ok(t) if (1..=4).contains(&t.value.len()) => t
                    .value
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | usize::from(*b)),
                _ => return sw(SW_INCORRECT_DATA),
            };
            (ef, offset)
        };
        let Some(ef) = ef else {
            return sw(SW_NO_CURRENT_EF);
        };
        let Some(contents) = self.config.files.get(&ef) else {
            return sw(SW_NOT_FOUND);
        };
        self.session.current_ef = Some(ef);
        match self.config.access_condition(ef) {
            AccessCondition::Always => {}
            AccessCondition::AccessControl => {
                if !self.session.security.access_control_done() || self.session.channel.is_none() {
                    return sw(SW_SECURITY_NOT_SATISFIED);
                }
            }
            AccessCondition::Denied => return sw(SW_SECURITY_NOT_SATISFIED),
        }
        let Some(le) = cmd.le else {
            return sw(SW_WRONG_LENGTH);
        };
        let b = &self.config.behaviour;
        let le = if le > b.max_response {
            match b.large_le {
                LargeLe::Truncate => b.max_response,
                LargeLe::WrongLength => return sw(SW_WRONG_LENGTH),
                LargeLe::WrongLe if b.max_response <= 256 => {
                    return sw(StatusWord::new(0x6C, b.max_response as u8));
                }
                LargeLe::WrongLe => return sw(SW_WRONG_LENGTH),
            }
        } else {
            le
        };
        // Odd INS: Le covers DO'53' (tag, length, value).
        let n = if cmd.ins == 0xB1 {
            odd_data_len(le)
        } else {
            le
        };
        if offset >= contents.len() {
            return sw(SW_WRONG_P1P2);
        }
        let available = contents.len() - offset;
        let (mut data, status) = if n <= available {
            (contents[offset..offset + n].to_vec(), StatusWord::OK)
        } else {
            let mut d = contents[offset..].to_vec();
            match b.past_eof {
                PastEof::Truncate => (d, StatusWord::OK),
                PastEof::Truncate6282 => (d, SW_END_OF_FILE),
                PastEof::ZeroPad6282 => {
                    d.resize(n, 0);
                    (d, SW_END_OF_FILE)
                }
            }
        };
        if cmd.ins == 0xB1 {
            data = epassport_tlv::encode(Tag(0x53), &data);
        }
        Response::new(data, status)
    }

    /// GET CHALLENGE (ISO/IEC 7816-4 §11.5.3): Le random bytes, remembered for the protocols.
    fn get_challenge(&mut self, cmd: &Command) -> Response {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return sw(SW_INCORRECT_P1P2);
        }
        match cmd.le {
            Some(le) if le <= 256 => {
                let c = self.rng.bytes(le);
                self.session.challenge = Some(c.clone());
                Response::new(c, StatusWord::OK)
            }
            _ => sw(SW_WRONG_LENGTH),
        }
    }
}

/// The most data bytes a DO'53' fits in `le` bytes.
fn odd_data_len(le: usize) -> usize {
    let header = |n: usize| {
        1 + match n {
            0..=0x7F => 1,
            0x80..=0xFF => 2,
            0x100..=0xFFFF => 3,
            _ => 4,
        }
    };
    let mut n = le.saturating_sub(2);
    while n > 0 && header(n) + n > le {
        n -= 1;
    }
    n
}

/// True when the APDU uses the extended-length encoding.
fn is_extended(apdu: &[u8]) -> bool {
    apdu.len() >= 7 && apdu[4] == 0
}

/// Flips the last byte of DO'8E' (or, failing that, of the data).
fn corrupt_mac(data: &mut [u8]) {
    let pos = epassport_tlv::parse_all(data).ok().and_then(|tlvs| {
        tlvs.iter()
            .find(|t| t.tag == Tag(0x8E))
            .map(|t| t.offset + t.encoded_len - 1)
    });
    if let Some(p) = pos.or(data.len().checked_sub(1))
        && let Some(b) = data.get_mut(p)
    {
        *b ^= 0x01;
    }
}

impl Transport for SimChip {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.process(command)
    }
    /// The card is put back (if it was removed) and powered up afresh.
    fn reconnect(&mut self, _timeout: std::time::Duration) -> Result<(), CardError> {
        self.reinsert();
        Ok(())
    }
    /// Extended length as configured; the response cap is the chip's to reveal, not the link's.
    fn capabilities(&self) -> Capabilities {
        if self.config.behaviour.extended_length {
            Capabilities {
                extended_length: true,
                max_command_len: 65544,
                max_response_len: 65536,
            }
        } else {
            Capabilities::default()
        }
    }
}
