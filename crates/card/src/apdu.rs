//! Command and response APDUs (ISO/IEC 7816-4 §5.1): cases 1–4, short and extended length.

use crate::{CardError, StatusWord};

/// A command APDU.
///
/// `le` is the number of response bytes expected: `None` for none (cases 1 and 3), `Some(n)` with
/// `1 <= n <= 65536` otherwise; `256` encodes as `00` in short form and `65536` as `0000` in
/// extended form.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: Vec<u8>,
    /// Expected response length.
    pub le: Option<usize>,
}

impl std::fmt::Debug for Command {
    // Command data may carry secrets (MUTUAL AUTHENTICATE cryptograms): print only its length.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Command {{ {:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?} }}",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

impl Command {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }
    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }
    /// Sets Le.
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }
    /// True when the command needs extended length (body over 255 bytes or Le over 256).
    pub fn needs_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }
    /// Encodes in short form when it fits, extended form otherwise.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CardError> {
        self.encode(self.needs_extended())
    }
    /// Encodes the command, in extended form when `extended` is true (ISO/IEC 7816-4 §5.1).
    pub fn encode(&self, extended: bool) -> Result<Vec<u8>, CardError> {
        let lc = self.data.len();
        if self.le.is_some_and(|le| le == 0 || le > 65536) {
            return Err(CardError::InvalidCommand("Le must be 1..=65536"));
        }
        if lc > 65535 {
            return Err(CardError::InvalidCommand(
                "command data longer than 65535 bytes",
            ));
        }
        if !extended && (lc > 255 || self.le.is_some_and(|le| le > 256)) {
            return Err(CardError::InvalidCommand(
                "command needs extended length but short form was requested",
            ));
        }
        let mut out = Vec::with_capacity(4 + 3 + lc + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            if lc > 0 {
                out.push(0x00);
                out.extend_from_slice(&(lc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if lc == 0 {
                    out.push(0x00);
                }
                let v = if le == 65536 { 0u16 } else { le as u16 };
                out.extend_from_slice(&v.to_be_bytes());
            }
        } else {
            if lc > 0 {
                out.push(lc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.push(if le == 256 { 0 } else { le as u8 });
            }
        }
        Ok(out)
    }
    /// Decodes a command APDU (the software chip's side), short or extended.
    pub fn parse(bytes: &[u8]) -> Result<Command, CardError> {
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return Err(CardError::InvalidCommand(
                "command APDU shorter than 4 bytes",
            ));
        };
        let mut cmd = Command::new(*cla, *ins, *p1, *p2);
        match body {
            [] => {}
            [le] => cmd.le = Some(if *le == 0 { 256 } else { *le as usize }),
            [0, rest @ ..] if rest.len() >= 2 => {
                // Extended length.
                let n = u16::from_be_bytes([rest[0], rest[1]]) as usize;
                let rest = &rest[2..];
                if rest.is_empty() {
                    cmd.le = Some(if n == 0 { 65536 } else { n });
                } else {
                    if n == 0 {
                        return Err(CardError::InvalidCommand("extended Lc of zero"));
                    }
                    if rest.len() < n {
                        return Err(CardError::InvalidCommand("command data shorter than Lc"));
                    }
                    cmd.data = rest[..n].to_vec();
                    match &rest[n..] {
                        [] => {}
                        [a, b] => {
                            let le = u16::from_be_bytes([*a, *b]) as usize;
                            cmd.le = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return Err(CardError::InvalidCommand("bad extended Le")),
                    }
                }
            }
            [lc, rest @ ..] => {
                let n = *lc as usize;
                if n == 0 || rest.len() < n {
                    return Err(CardError::InvalidCommand("command data shorter than Lc"));
                }
                cmd.data = rest[..n].to_vec();
                match &rest[n..] {
                    [] => {}
                    [le] => cmd.le = Some(if *le == 0 { 256 } else { *le as usize }),
                    _ => return Err(CardError::InvalidCommand("trailing bytes after Le")),
                }
            }
        }
        Ok(cmd)
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The response data (without the status word).
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl std::fmt::Debug for Response {
    // Response data may be personal data (DG1, DG2): print only its length.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Response {{ {} data bytes, {:?} }}",
            self.data.len(),
            self.sw
        )
    }
}

impl Response {
    /// Builds a response.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        Response {
            data: data.into(),
            sw,
        }
    }
    /// Splits response bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<Response, CardError> {
        if bytes.len() < 2 {
            return Err(CardError::ResponseTooShort { len: bytes.len() });
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord::new(sw[0], sw[1]),
        })
    }
    /// Data followed by the status word.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.data.len() + 2);
        v.extend_from_slice(&self.data);
        v.push(self.sw.sw1());
        v.push(self.sw.sw2());
        v
    }
    /// The data when the status is 9000, otherwise [`CardError::UnexpectedStatus`] naming `ins`.
    pub fn into_success(self, ins: u8) -> Result<Vec<u8>, CardError> {
        if self.sw.is_success() {
            Ok(self.data)
        } else {
            Err(CardError::UnexpectedStatus { sw: self.sw, ins })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_short() {
        let c1 = Command::new(0x00, 0xA4, 0x04, 0x0C);
        assert_eq!(c1.to_bytes().unwrap(), [0x00, 0xA4, 0x04, 0x0C]);
        let c2 = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
        assert_eq!(c2.to_bytes().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x00]);
        let c3 = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        assert_eq!(
            c3.to_bytes().unwrap(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]
        );
        let c4 = Command::new(0x00, 0x88, 0x00, 0x00)
            .with_data([1, 2, 3])
            .with_le(0x20);
        assert_eq!(
            c4.to_bytes().unwrap(),
            [0x00, 0x88, 0x00, 0x00, 3, 1, 2, 3, 0x20]
        );
        for c in [c1, c2, c3, c4] {
            assert_eq!(Command::parse(&c.to_bytes().unwrap()).unwrap(), c);
        }
    }

    #[test]
    fn cases_extended() {
        let c2 = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(65536);
        assert_eq!(
            c2.to_bytes().unwrap(),
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]
        );
        let c2b = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(1000);
        assert_eq!(
            c2b.to_bytes().unwrap(),
            [0x00, 0xB0, 0x00, 0x00, 0x00, 0x03, 0xE8]
        );
        let body = vec![0xAB; 300];
        let c3 = Command::new(0x10, 0x86, 0x00, 0x00).with_data(body.clone());
        let enc = c3.to_bytes().unwrap();
        assert_eq!(&enc[4..7], &[0x00, 0x01, 0x2C]);
        assert_eq!(enc.len(), 7 + 300);
        let c4 = Command::new(0x00, 0x88, 0x00, 0x00)
            .with_data(body)
            .with_le(65536);
        let enc4 = c4.to_bytes().unwrap();
        assert_eq!(&enc4[enc4.len() - 2..], &[0x00, 0x00]);
        let c4s = Command::new(0x00, 0x88, 0x00, 0x00)
            .with_data([1])
            .with_le(5);
        assert_eq!(c4s.encode(true).unwrap(), [0, 0x88, 0, 0, 0, 0, 1, 1, 0, 5]);
        for c in [c2, c2b, c3, c4, c4s] {
            assert_eq!(Command::parse(&c.encode(true).unwrap()).unwrap(), c);
        }
    }

    #[test]
    fn invalid_commands() {
        assert!(matches!(
            Command::new(0, 0xB0, 0, 0).with_le(0).to_bytes(),
            Err(CardError::InvalidCommand(_))
        ));
        assert!(matches!(
            Command::new(0, 0xB0, 0, 0).with_le(300).encode(false),
            Err(CardError::InvalidCommand(_))
        ));
        assert!(Command::parse(&[0, 0xA4, 0]).is_err());
        assert!(Command::parse(&[0, 0xA4, 0, 0, 5, 1, 2]).is_err());
        assert!(Command::parse(&[0, 0xA4, 0, 0, 0, 0, 5, 1]).is_err());
    }

    #[test]
    fn responses() {
        assert_eq!(
            Response::parse(&[0x90]),
            Err(CardError::ResponseTooShort { len: 1 })
        );
        let r = Response::parse(&[1, 2, 0x62, 0x82]).unwrap();
        assert_eq!(r.data, [1, 2]);
        assert_eq!(r.sw.status(), crate::Status::EndOfFile);
        assert_eq!(r.to_bytes(), [1, 2, 0x62, 0x82]);
        assert_eq!(
            r.into_success(0xB0),
            Err(CardError::UnexpectedStatus {
                sw: StatusWord(0x6282),
                ins: 0xB0
            })
        );
    }
}
