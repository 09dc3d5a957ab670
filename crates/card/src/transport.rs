//! The [`Transport`] trait and [`exchange`], the one place for GET RESPONSE and 6Cxx.

use crate::{CardError, Command, Response, Status};
use zeroize::Zeroizing;

/// What a reader and the chip behind it can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Extended-length APDUs are supported end to end (reader and chip), as far as known.
    pub extended_length: bool,
    /// Largest command APDU (header included) the link accepts, in bytes.
    pub max_command_len: usize,
    /// Largest response data (without SW) the link returns in one APDU, in bytes.
    pub max_response_len: usize,
}

impl Default for Capabilities {
    /// Short APDUs only: 261-byte commands, 256-byte responses.
    fn default() -> Self {
        Capabilities {
            extended_length: false,
            max_command_len: 261,
            max_response_len: 256,
        }
    }
}

/// Moves bytes between the terminal and a chip.
///
/// Implementations: the PC/SC backend (feature `pcsc`), trace replay, the recording wrapper, the
/// software chip, and secure messaging (which wraps another transport and is itself one).
pub trait Transport {
    /// Sends one command APDU and returns the full response APDU (data followed by SW1 SW2).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError>;

    /// What the link can do; short APDUs only unless the backend knows better.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Notes a terminal-side secret that makes the session reproducible (a nonce such as RND.IFD or
    /// K.IFD, an ephemeral private key), under a stable label such as `"bac.rnd_ifd"`.
    ///
    /// The recording wrapper ([`crate::Recorder`]) writes it into the trace; every other transport
    /// ignores it. Wrappers (secure messaging) forward it to the transport they wrap.
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        let _ = (label, value);
    }

    /// The next secret recorded under `label` in a replayed trace ([`crate::Replay`]), so protocol
    /// code can use the recorded nonce or ephemeral key instead of a fresh one and the replayed
    /// session matches byte for byte; `None` for live transports. Wrappers forward it.
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        let _ = label;
        None
    }

    /// Waits up to `timeout` for the card to be back after a lost link and powers it up afresh
    /// (every session with the chip is gone), so a read can resume in a new session. Backends
    /// that cannot (the default) say so with [`CardError::Transport`]. Wrappers forward it; a
    /// replayed trace continues with the exchanges recorded after the loss.
    fn reconnect(&mut self, timeout: std::time::Duration) -> Result<(), CardError> {
        let _ = timeout;
        Err(CardError::Transport(
            "this link cannot wait for the card to come back".into(),
        ))
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        (**self).note_secret(label, value)
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        (**self).recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: std::time::Duration) -> Result<(), CardError> {
        (**self).reconnect(timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        (**self).note_secret(label, value)
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        (**self).recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: std::time::Duration) -> Result<(), CardError> {
        (**self).reconnect(timeout)
    }
}

/// How many GET RESPONSE / re-issue rounds [`exchange`] follows before giving up.
pub const MAX_ROUNDS: usize = 64;

/// Sends `command` and returns the response, following `61xx` with GET RESPONSE (concatenating the
/// data) and re-issuing the command once with the exact Le on `6Cxx` (ISO/IEC 7816-4 §5.1.3).
///
/// Every other status word is returned as is for the caller to interpret.
pub fn exchange<T: Transport + ?Sized>(
    transport: &mut T,
    command: &Command,
) -> Result<Response, CardError> {
    let mut cmd_bytes = command.to_bytes()?;
    let mut response = Response::parse(&transport.transmit(&cmd_bytes)?)?;
    let mut rounds = 0usize;
    let mut data: Vec<u8> = Vec::new();
    loop {
        match response.sw.status() {
            Status::WrongLe(n) if rounds == 0 => {
                let le = if n == 0 { 256 } else { n as usize };
                let mut again = command.clone();
                again.le = Some(le);
                cmd_bytes = again.to_bytes()?;
                response = Response::parse(&transport.transmit(&cmd_bytes)?)?;
            }
            Status::MoreData(n) => {
                data.extend_from_slice(&response.data);
                let le = if n == 0 { 256 } else { n as usize };
                let get_response = Command::new(command.cla & 0x03, 0xC0, 0, 0).with_le(le);
                response = Response::parse(&transport.transmit(&get_response.to_bytes()?)?)?;
            }
            _ => {
                if data.is_empty() {
                    return Ok(response);
                }
                data.extend_from_slice(&response.data);
                return Ok(Response {
                    data,
                    sw: response.sw,
                });
            }
        }
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Err(CardError::TooManyRounds(MAX_ROUNDS));
        }
    }
}

/// Sends `command`, splitting its data over several APDUs with command chaining (CLA bit `10`,
/// ISO/IEC 7816-4 §5.3.3) when it does not fit the link's largest command APDU.
///
/// Each link but the last carries CLA | `10` and no Le, and must be answered 9000 (any other
/// response is returned as is: the chip refused the chain); the last carries the original CLA and
/// Le and goes through [`exchange`] (GET RESPONSE, 6Cxx). A command that fits is sent as one.
pub fn exchange_chained<T: Transport + ?Sized>(
    transport: &mut T,
    command: &Command,
) -> Result<Response, CardError> {
    let caps = transport.capabilities();
    let extended = caps.extended_length && command.needs_extended();
    let whole = command.encode(extended || command.needs_extended())?;
    if whole.len() <= caps.max_command_len || command.data.is_empty() {
        return exchange(transport, command);
    }
    let (lc_len, le_len) = if extended { (3, 3) } else { (1, 1) };
    let room = caps
        .max_command_len
        .saturating_sub(4 + lc_len + le_len)
        .min(if extended { 65535 } else { 255 });
    if room == 0 {
        return Err(CardError::InvalidCommand(
            "maximum command length leaves no room for data",
        ));
    }
    let chunks: Vec<&[u8]> = command.data.chunks(room).collect();
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.iter().enumerate() {
        if i == last {
            let mut c = command.clone();
            c.data = chunk.to_vec();
            return exchange(transport, &c);
        }
        let link = Command::new(command.cla | 0x10, command.ins, command.p1, command.p2)
            .with_data(chunk.to_vec());
        let r = Response::parse(&transport.transmit(&link.encode(extended)?)?)?;
        if !r.sw.is_success() {
            return Ok(r);
        }
    }
    Err(CardError::InvalidCommand("empty command chain"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusWord;

    /// A card that answers from a script and records what it was sent.
    struct Scripted {
        script: Vec<(Vec<u8>, Vec<u8>)>,
        pos: usize,
    }
    impl Transport for Scripted {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
            let (expect, answer) =
                self.script.get(self.pos).cloned().ok_or_else(|| {
                    CardError::Transport(format!("unexpected command #{}", self.pos))
                })?;
            assert_eq!(command, expect.as_slice(), "command #{}", self.pos);
            self.pos += 1;
            Ok(answer)
        }
    }

    #[test]
    fn get_response_concatenates() {
        let mut t = Scripted {
            script: vec![
                (vec![0, 0xB0, 0, 0, 0], vec![1, 2, 0x61, 0x03]),
                (vec![0, 0xC0, 0, 0, 3], vec![3, 4, 5, 0x61, 0x00]),
                (vec![0, 0xC0, 0, 0, 0], vec![6, 0x90, 0x00]),
            ],
            pos: 0,
        };
        let r = exchange(&mut t, &Command::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
        assert_eq!(r.data, [1, 2, 3, 4, 5, 6]);
        assert_eq!(r.sw, StatusWord::OK);
        assert_eq!(t.pos, 3);
    }

    #[test]
    fn wrong_le_reissues_once() {
        let mut t = Scripted {
            script: vec![
                (vec![0, 0xB0, 0, 0, 0x20], vec![0x6C, 0x10]),
                (
                    vec![0, 0xB0, 0, 0, 0x10],
                    vec![9; 17].into_iter().chain([0x90, 0]).collect(),
                ),
            ],
            pos: 0,
        };
        let mut expected = vec![9u8; 17];
        expected.truncate(17);
        let r = exchange(&mut t, &Command::new(0, 0xB0, 0, 0).with_le(0x20)).unwrap();
        assert_eq!(r.data, expected);
        // A second 6Cxx after the re-issue is returned, not followed forever.
        let mut t2 = Scripted {
            script: vec![
                (vec![0, 0xB0, 0, 0, 0x20], vec![0x6C, 0x10]),
                (vec![0, 0xB0, 0, 0, 0x10], vec![0x6C, 0x08]),
            ],
            pos: 0,
        };
        let r2 = exchange(&mut t2, &Command::new(0, 0xB0, 0, 0).with_le(0x20)).unwrap();
        assert_eq!(r2.sw.status(), Status::WrongLe(8));
    }

    #[test]
    fn chaining_splits_by_max_command_len() {
        struct Small(Scripted);
        impl Transport for Small {
            fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, CardError> {
                self.0.transmit(c)
            }
            fn capabilities(&self) -> Capabilities {
                Capabilities {
                    extended_length: false,
                    max_command_len: 10,
                    max_response_len: 256,
                }
            }
        }
        let data: Vec<u8> = (1..=9).collect();
        let mut t = Small(Scripted {
            script: vec![
                (vec![0x10, 0x86, 0, 0, 4, 1, 2, 3, 4], vec![0x90, 0]),
                (vec![0x10, 0x86, 0, 0, 4, 5, 6, 7, 8], vec![0x90, 0]),
                (vec![0x00, 0x86, 0, 0, 1, 9, 0], vec![0xAA, 0x90, 0]),
            ],
            pos: 0,
        });
        let cmd = Command::new(0, 0x86, 0, 0)
            .with_data(data.clone())
            .with_le(256);
        let r = exchange_chained(&mut t, &cmd).unwrap();
        assert_eq!((r.data, r.sw, t.0.pos), (vec![0xAA], StatusWord::OK, 3));
        // A refused link ends the chain with the chip's answer.
        let mut t = Small(Scripted {
            script: vec![(vec![0x10, 0x86, 0, 0, 4, 1, 2, 3, 4], vec![0x68, 0x84])],
            pos: 0,
        });
        let r = exchange_chained(&mut t, &cmd).unwrap();
        assert_eq!(r.sw.status(), Status::ChainingNotSupported);
        // A command that fits is sent whole.
        let mut t = Small(Scripted {
            script: vec![(vec![0x00, 0x86, 0, 0, 2, 1, 2], vec![0x90, 0])],
            pos: 0,
        });
        let short = Command::new(0, 0x86, 0, 0).with_data([1, 2]);
        assert_eq!(exchange_chained(&mut t, &short).unwrap().sw, StatusWord::OK);
    }

    #[test]
    fn secrets_default_to_nothing() {
        let mut t = Scripted {
            script: vec![],
            pos: 0,
        };
        t.note_secret("x", &[1]);
        assert_eq!(t.recorded_secret("x"), None);
    }

    #[test]
    fn endless_more_data_is_bounded() {
        struct Endless;
        impl Transport for Endless {
            fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, CardError> {
                Ok(vec![0, 0x61, 0x01])
            }
        }
        assert_eq!(
            exchange(&mut Endless, &Command::new(0, 0xB0, 0, 0).with_le(1)),
            Err(CardError::TooManyRounds(MAX_ROUNDS))
        );
    }

    #[test]
    fn status_words_classified() {
        assert_eq!(StatusWord(0x63C2).status(), Status::RetriesLeft(2));
        assert_eq!(StatusWord(0x6988).status(), Status::SmObjectsIncorrect);
        assert_eq!(StatusWord(0x6A87).status(), Status::LcInconsistentWithP1P2);
        assert_eq!(StatusWord(0x1234).status(), Status::Other(0x1234));
        assert_eq!(
            format!("{}", StatusWord(0x6982)),
            "6982 (security status not satisfied)"
        );
    }
}
