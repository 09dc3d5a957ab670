//! The PC/SC backend (feature `pcsc`): readers through `pcscd` / WinSCard.
//!
//! Nothing outside this module names a `pcsc` type: every failure is mapped onto [`CardError`]
//! (no reader, no card, card removed, reader unplugged, sharing violation, timeout, service down).

use crate::{Atr, Capabilities, CardError, Transport};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::{Duration, Instant};

/// A reader and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name as PC/SC gives it (for `--reader`).
    pub name: String,
    /// A card is in the reader (or in its field).
    pub card_present: bool,
    /// Another application holds the card exclusively.
    pub in_use: bool,
    /// The card's ATR, when a card is present.
    pub atr: Option<Vec<u8>>,
}

/// Maps a PC/SC error onto the card layer's error.
fn map_err(e: pcsc::Error) -> CardError {
    use pcsc::Error as E;
    match e {
        E::NoReadersAvailable => CardError::ReaderUnavailable("no PC/SC reader connected".into()),
        E::UnknownReader => CardError::ReaderUnavailable("no reader of that name".into()),
        E::ReaderUnavailable => {
            CardError::ReaderUnavailable("the reader was unplugged or is unavailable".into())
        }
        E::NoSmartcard => CardError::NoCard,
        E::RemovedCard => CardError::CommunicationLost("the card was removed".into()),
        E::ResetCard => CardError::CommunicationLost(
            "the card was reset (by another application or the reader); the session is gone".into(),
        ),
        E::UnpoweredCard | E::UnresponsiveCard | E::UnsupportedCard => {
            CardError::CommunicationLost(format!("the card does not respond: {e}"))
        }
        E::SharingViolation => CardError::SharingViolation,
        E::Timeout => CardError::Timeout("PC/SC operation".into()),
        E::NoService | E::ServiceStopped => {
            CardError::ReaderUnavailable("the PC/SC service (pcscd) is not running".into())
        }
        E::CommError | E::NotTransacted => {
            CardError::CommunicationLost(format!("transmission failed: {e}"))
        }
        other => CardError::Transport(format!("PC/SC: {other}")),
    }
}

fn context() -> Result<Context, CardError> {
    Context::establish(Scope::User).map_err(map_err)
}

fn reader_names(ctx: &Context) -> Result<Vec<CString>, CardError> {
    match ctx.list_readers_owned() {
        Ok(r) => Ok(r),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_err(e)),
    }
}

/// Lists the readers and whether a card is in each.
pub fn list_readers() -> Result<Vec<ReaderInfo>, CardError> {
    let ctx = context()?;
    let names = reader_names(&ctx)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
        .collect();
    ctx.get_status_change(Duration::from_millis(0), &mut states)
        .or_else(|e| {
            if e == pcsc::Error::Timeout {
                Ok(())
            } else {
                Err(e)
            }
        })
        .map_err(map_err)?;
    Ok(states
        .iter()
        .map(|s| {
            let present = s.event_state().contains(State::PRESENT);
            ReaderInfo {
                name: s.name().to_string_lossy().into_owned(),
                card_present: present,
                in_use: s.event_state().contains(State::EXCLUSIVE),
                atr: present.then(|| s.atr().to_vec()),
            }
        })
        .collect())
}

/// A card in a PC/SC reader, connected exclusively: no other application can send it APDUs (or
/// reset it) until this handle is dropped, which is stronger than a PC/SC transaction.
pub struct PcscCard {
    _ctx: Context,
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
    caps: Capabilities,
    buf: Vec<u8>,
}

impl std::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscCard")
            .field("reader", &self.reader)
            .field("atr", &hex::encode_upper(&self.atr))
            .finish_non_exhaustive()
    }
}

impl PcscCard {
    /// Waits up to `timeout` for a card in `reader` (the exact PC/SC name, or `None` for the first
    /// reader that has a card) and connects to it exclusively.
    pub fn connect(reader: Option<&str>, timeout: Duration) -> Result<PcscCard, CardError> {
        let ctx = context()?;
        let deadline = Instant::now() + timeout;
        let names = reader_names(&ctx)?;
        let candidates: Vec<CString> = match reader {
            Some(r) => match names.iter().find(|n| n.to_string_lossy() == r) {
                Some(n) => vec![n.clone()],
                None => {
                    let known: Vec<String> = names
                        .iter()
                        .map(|n| n.to_string_lossy().into_owned())
                        .collect();
                    return Err(CardError::ReaderUnavailable(format!(
                        "no reader named {r:?} (readers: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )));
                }
            },
            None if names.is_empty() => {
                return Err(CardError::ReaderUnavailable(
                    "no PC/SC reader connected".into(),
                ));
            }
            None => names,
        };
        let mut states: Vec<ReaderState> = candidates
            .iter()
            .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
            .collect();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match ctx.get_status_change(left, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => {
                    return Err(CardError::Timeout(format!(
                        "no card presented within {} ms",
                        timeout.as_millis()
                    )));
                }
                Err(e) => return Err(map_err(e)),
            }
            if let Some(s) = states.iter().find(|s| {
                s.event_state().contains(State::PRESENT) && !s.event_state().contains(State::MUTE)
            }) {
                let name = s.name().to_owned();
                let card = ctx
                    .connect(&name, ShareMode::Exclusive, Protocols::ANY)
                    .map_err(map_err)?;
                let mut me = PcscCard {
                    _ctx: ctx,
                    card,
                    reader: name.to_string_lossy().into_owned(),
                    atr: Vec::new(),
                    caps: Capabilities::default(),
                    buf: vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED],
                };
                me.refresh_atr()?;
                return Ok(me);
            }
            if Instant::now() >= deadline {
                return Err(CardError::Timeout(format!(
                    "no card presented within {} ms",
                    timeout.as_millis()
                )));
            }
            for s in &mut states {
                s.sync_current_state();
            }
        }
    }

    fn refresh_atr(&mut self) -> Result<(), CardError> {
        let status = self.card.status2_owned().map_err(map_err)?;
        self.atr = status.atr().to_vec();
        let extended = Atr::parse(&self.atr)
            .ok()
            .and_then(|a| a.extended_length())
            .unwrap_or(false);
        self.caps = if extended {
            Capabilities {
                extended_length: true,
                max_command_len: 65544,
                max_response_len: 65536,
            }
        } else {
            Capabilities::default()
        };
        Ok(())
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }
    /// The card's ATR.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }
    /// Resets the card and reconnects (a warm reset: any session with the chip is gone).
    pub fn reconnect(&mut self) -> Result<(), CardError> {
        self.card
            .reconnect(ShareMode::Exclusive, Protocols::ANY, Disposition::ResetCard)
            .map_err(map_err)?;
        self.refresh_atr()
    }
}

impl Transport for PcscCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        match self.card.transmit(command, &mut self.buf) {
            // Some drivers (vpcd when the card's link drops) report success with no bytes at all:
            // no status word means no answer.
            Ok([]) => Err(CardError::CommunicationLost(
                "the reader returned no response (card gone?)".into(),
            )),
            Ok(r) => Ok(r.to_vec()),
            Err(pcsc::Error::ResetCard) => {
                // Someone reset the card: reattach so the caller can start a new session.
                let _ = self.card.reconnect(
                    ShareMode::Exclusive,
                    Protocols::ANY,
                    Disposition::LeaveCard,
                );
                Err(map_err(pcsc::Error::ResetCard))
            }
            Err(e) => Err(map_err(e)),
        }
    }
    fn capabilities(&self) -> Capabilities {
        self.caps
    }
    /// Reconnects this handle (a reset: the chip's session is gone), retrying until the card is
    /// back in the reader or `timeout` has passed. (A new exclusive connection would collide with
    /// this handle's own: PC/SC answers it with a sharing violation.)
    fn reconnect(&mut self, timeout: Duration) -> Result<(), CardError> {
        let deadline = Instant::now() + timeout;
        loop {
            match PcscCard::reconnect(self) {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() >= deadline => {
                    return Err(CardError::Timeout(format!(
                        "the card did not come back within {} ms ({e})",
                        timeout.as_millis()
                    )));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_card_errors() {
        assert_eq!(map_err(pcsc::Error::NoSmartcard), CardError::NoCard);
        assert_eq!(
            map_err(pcsc::Error::SharingViolation),
            CardError::SharingViolation
        );
        assert_eq!(
            map_err(pcsc::Error::RemovedCard),
            CardError::CommunicationLost("the card was removed".into())
        );
        assert!(
            matches!(map_err(pcsc::Error::ReaderUnavailable), CardError::ReaderUnavailable(m) if m.contains("unplugged"))
        );
        assert!(
            matches!(map_err(pcsc::Error::NoService), CardError::ReaderUnavailable(m) if m.contains("pcscd"))
        );
        assert!(matches!(
            map_err(pcsc::Error::NoReadersAvailable),
            CardError::ReaderUnavailable(_)
        ));
        assert!(matches!(
            map_err(pcsc::Error::Timeout),
            CardError::Timeout(_)
        ));
    }
}
