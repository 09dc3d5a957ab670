//! Secure messaging (ICAO 9303-11 §9.8), 3DES and AES, both roles.
//!
//! [`SecureMessaging`] holds the session keys and the send sequence counter (SSC) and does the
//! cryptography once for both sides: the terminal wraps commands and unwraps responses
//! ([`SecureMessaging::wrap_command`], [`SecureMessaging::unwrap_response`]); the software chip
//! unwraps commands and wraps responses ([`SecureMessaging::unwrap_command`],
//! [`SecureMessaging::wrap_response`]). [`SecureTransport`] wraps any [`Transport`] and is
//! itself one, so reading files is the same code with or without secure messaging.
//!
//! Data objects: DO'87' (padding-content indicator `01` + cryptogram, even INS), DO'85'
//! (cryptogram, odd INS), DO'97' (Le), DO'99' (status word), DO'8E' (8-byte MAC). The SSC is
//! incremented before every command and before every response, on both sides.

use std::fmt;

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::{BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use epassport_card::{Capabilities, CardError, Command, Response, Status, StatusWord, Transport};
use epassport_tlv::{self as tlv, Tag};
use retail_mac::RetailMac;
use zeroize::Zeroizing;

use crate::kdf::{Cipher, KdfCounter, SecretKey, kdf};

/// What went wrong in secure messaging. Every variant ends the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// A key of the wrong length for the cipher.
    #[error("{cipher} needs {expected}-byte keys, got {actual}")]
    BadKeyLength {
        /// The cipher.
        cipher: Cipher,
        /// The key length it needs.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A send sequence counter of the wrong length.
    #[error("{cipher} needs a {expected}-byte send sequence counter, got {actual}")]
    BadSscLength {
        /// The cipher.
        cipher: Cipher,
        /// The SSC length it needs (the block length).
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// The response carried no DO'8E' (a success without a MAC, or data without a MAC).
    #[error("the chip's response (status {sw}) has no MAC (DO'8E'); it was not used")]
    MissingMac {
        /// The (unauthenticated) status word of the response.
        sw: StatusWord,
    },
    /// The MAC did not verify.
    #[error("the MAC of the {what} does not verify (SSC {ssc}); it was not used")]
    BadMac {
        /// `response` (terminal side) or `command` (chip side).
        what: &'static str,
        /// The SSC (hex) the MAC was checked with.
        ssc: String,
    },
    /// The secure-messaging data objects are malformed.
    #[error("malformed secure-messaging data objects in the {what}: {reason}")]
    Malformed {
        /// `response` or `command`.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A required data object is missing (DO'8E' in a command).
    #[error("secure-messaging data object missing: {0}")]
    MissingObject(&'static str),
    /// The chip answered 6987/6988 in plain: it rejected our protected command and ended secure
    /// messaging (ICAO 9303-11 §9.8.6.2).
    #[error("the chip ended secure messaging: it answered {sw} to a protected command")]
    ChipAborted {
        /// The status word (6987 or 6988).
        sw: StatusWord,
    },
    /// A command that is not protected (CLA without `0C`) reached the chip side.
    #[error("the command is not protected (CLA {cla:02X})")]
    NotProtected {
        /// The class byte.
        cla: u8,
    },
    /// The command is too large to protect in one APDU.
    #[error("the command cannot be protected: {0}")]
    CannotWrap(String),
    /// The secure-messaging session ended earlier; nothing more is sent.
    #[error("the secure-messaging session has ended: {0}")]
    SessionEnded(String),
    /// The link failed while a protected command was outstanding; the SSC of the chip is unknown.
    #[error("communication with the chip was lost during secure messaging: {0}")]
    Card(CardError),
}

/// Session keys of secure messaging: the cipher, `K_enc` and `K_mac`. Zeroized on drop; the
/// `Debug` output is `REDACTED`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmKeys {
    cipher: Cipher,
    k_enc: SecretKey,
    k_mac: SecretKey,
}

impl fmt::Debug for SmKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmKeys {{ cipher: {}, REDACTED }}", self.cipher)
    }
}

impl SmKeys {
    /// Keys from their bytes; the lengths must match `cipher`.
    pub fn new(cipher: Cipher, k_enc: SecretKey, k_mac: SecretKey) -> Result<Self, SmError> {
        for k in [&k_enc, &k_mac] {
            if k.len() != cipher.key_len() {
                return Err(SmError::BadKeyLength {
                    cipher,
                    expected: cipher.key_len(),
                    actual: k.len(),
                });
            }
        }
        Ok(SmKeys {
            cipher,
            k_enc,
            k_mac,
        })
    }
    /// `K_enc = KDF(K, 1)`, `K_mac = KDF(K, 2)` from a shared secret (ICAO 9303-11 §9.7.1).
    pub fn derive(shared_secret: &[u8], cipher: Cipher) -> Self {
        SmKeys {
            cipher,
            k_enc: kdf(shared_secret, KdfCounter::Enc, cipher),
            k_mac: kdf(shared_secret, KdfCounter::Mac, cipher),
        }
    }
    /// The cipher.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }
    /// `K_enc`.
    pub fn k_enc(&self) -> &SecretKey {
        &self.k_enc
    }
    /// `K_mac`.
    pub fn k_mac(&self) -> &SecretKey {
        &self.k_mac
    }
}

/// Appends ISO/IEC 9797-1 padding method 2 (`80 00 ...`) up to a multiple of `block`.
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block != 0 {
        out.push(0);
    }
    out
}

/// Removes ISO/IEC 9797-1 padding method 2; `None` when absent.
pub fn unpad(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().rposition(|&b| b != 0)?;
    (data[end] == 0x80).then(|| &data[..end])
}

/// Encrypts (`encrypt`) or decrypts whole blocks in CBC mode.
fn cbc_blocks<C>(key: &[u8], iv: &[u8], buf: &mut [u8], encrypt: bool) -> Result<(), SmError>
where
    C: cbc::cipher::BlockCipherEncrypt + cbc::cipher::BlockCipherDecrypt + KeyInit,
{
    let bad = |_| SmError::Malformed {
        what: "keys",
        reason: "key or IV length".into(),
    };
    if encrypt {
        let mut m = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(bad)?;
        for chunk in buf.chunks_exact_mut(C::block_size()) {
            let block = chunk.try_into().map_err(|_| SmError::Malformed {
                what: "cryptogram",
                reason: "not whole blocks".into(),
            })?;
            m.encrypt_block(block);
        }
    } else {
        let mut m = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(bad)?;
        for chunk in buf.chunks_exact_mut(C::block_size()) {
            let block = chunk.try_into().map_err(|_| SmError::Malformed {
                what: "cryptogram",
                reason: "not whole blocks".into(),
            })?;
            m.decrypt_block(block);
        }
    }
    Ok(())
}

/// Encrypts one block with the raw block cipher (for the AES IV `E(K_enc, SSC)`).
fn ecb_block<C: BlockCipherEncrypt + KeyInit>(key: &[u8], block: &mut [u8]) -> Result<(), SmError> {
    let c = C::new_from_slice(key).map_err(|_| SmError::Malformed {
        what: "keys",
        reason: "key length".into(),
    })?;
    let b = block.try_into().map_err(|_| SmError::Malformed {
        what: "keys",
        reason: "block length".into(),
    })?;
    c.encrypt_block(b);
    Ok(())
}

/// CBC-encrypts whole blocks of `buf` in place with `cipher`, `key` and `iv` (no padding added).
pub fn cbc_encrypt(cipher: Cipher, key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), SmError> {
    cbc_any(cipher, key, iv, buf, true)
}

/// CBC-decrypts whole blocks of `buf` in place with `cipher`, `key` and `iv` (padding kept).
pub fn cbc_decrypt(cipher: Cipher, key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), SmError> {
    cbc_any(cipher, key, iv, buf, false)
}

fn cbc_any(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    buf: &mut [u8],
    enc: bool,
) -> Result<(), SmError> {
    if !buf.len().is_multiple_of(cipher.block_len()) {
        return Err(SmError::Malformed {
            what: "cryptogram",
            reason: format!("{} bytes is not a whole number of blocks", buf.len()),
        });
    }
    match cipher {
        Cipher::Tdes => cbc_blocks::<TdesEde2>(key, iv, buf, enc),
        Cipher::Aes128 => cbc_blocks::<Aes128>(key, iv, buf, enc),
        Cipher::Aes192 => cbc_blocks::<Aes192>(key, iv, buf, enc),
        Cipher::Aes256 => cbc_blocks::<Aes256>(key, iv, buf, enc),
    }
}

/// The 8-byte secure-messaging MAC of `pad(data)` with `key`: ISO/IEC 9797-1 algorithm 3
/// (retail MAC, DES) for 3DES, CMAC truncated to 8 bytes for AES (ICAO 9303-11 §9.8.3).
pub fn mac8(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; 8], SmError> {
    let n = Zeroizing::new(pad(data, cipher.block_len()));
    match cipher {
        Cipher::Tdes => mac_of::<RetailMac<Des>>(key, &n),
        Cipher::Aes128 => mac_of::<Cmac<Aes128>>(key, &n),
        Cipher::Aes192 => mac_of::<Cmac<Aes192>>(key, &n),
        Cipher::Aes256 => mac_of::<Cmac<Aes256>>(key, &n),
    }
}

fn mac_of<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<[u8; 8], SmError> {
    let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| SmError::Malformed {
        what: "keys",
        reason: "MAC key length".into(),
    })?;
    m.update(data);
    let full = m.finalize().into_bytes();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    Ok(out)
}

/// Constant-time comparison of two MACs.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secure-messaging state: keys and send sequence counter. Both roles use it.
pub struct SecureMessaging {
    keys: SmKeys,
    ssc: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecureMessaging {{ cipher: {}, REDACTED }}",
            self.keys.cipher
        )
    }
}

/// One parsed protected message: the bytes the MAC covers, the cryptogram, DO'97', DO'99'.
struct Parsed {
    maced: Vec<u8>,
    mac: Option<[u8; 8]>,
    /// Cryptogram and whether it came in DO'85' (no padding-content indicator).
    crypt: Option<(Vec<u8>, bool)>,
    plain: Option<Vec<u8>>,
    le: Option<Vec<u8>>,
    sw: Option<Vec<u8>>,
}

fn parse_dos(data: &[u8], what: &'static str) -> Result<Parsed, SmError> {
    let malformed = |reason: String| SmError::Malformed { what, reason };
    let mut p = Parsed {
        maced: Vec::new(),
        mac: None,
        crypt: None,
        plain: None,
        le: None,
        sw: None,
    };
    let mut offset = 0;
    while offset < data.len() {
        let t = tlv::parse_at(data, offset).map_err(|e| malformed(e.to_string()))?;
        if p.mac.is_some() {
            return Err(malformed(format!(
                "data object {} after DO'8E' at offset {offset}",
                t.tag
            )));
        }
        match t.tag {
            Tag(0x8E) => {
                let m: [u8; 8] = t
                    .value
                    .try_into()
                    .map_err(|_| malformed(format!("DO'8E' of {} bytes", t.value.len())))?;
                p.mac = Some(m);
            }
            Tag(0x87) | Tag(0x85) => {
                if p.crypt.is_some() {
                    return Err(malformed("two cryptograms".into()));
                }
                p.crypt = Some((t.value.to_vec(), t.tag == Tag(0x85)));
            }
            Tag(0x81) => p.plain = Some(t.value.to_vec()),
            Tag(0x97) => p.le = Some(t.value.to_vec()),
            Tag(0x99) => p.sw = Some(t.value.to_vec()),
            other => return Err(malformed(format!("unexpected data object {other}"))),
        }
        if t.tag != Tag(0x8E) {
            p.maced
                .extend_from_slice(&data[offset..offset + t.encoded_len]);
        }
        offset += t.encoded_len;
    }
    Ok(p)
}

/// The length of a protected response carrying `n` plaintext bytes (DO'87'/'85', DO'99', DO'8E').
pub fn protected_response_len(cipher: Cipher, n: usize, odd_ins: bool) -> usize {
    let mut total = 4 + 10;
    if n > 0 {
        let b = cipher.block_len();
        let v = (n / b + 1) * b + usize::from(!odd_ins);
        total += 1 + tlv_len_len(v) + v;
    }
    total
}

/// The largest plaintext response that fits in `max_protected` bytes of protected response.
pub fn max_plain_response(cipher: Cipher, max_protected: usize, odd_ins: bool) -> usize {
    let b = cipher.block_len();
    // Start from an upper bound and step down block by block, then byte by byte.
    let mut n = max_protected.saturating_sub(14);
    while n > 0 && protected_response_len(cipher, n, odd_ins) > max_protected {
        n = if n > b { n - b } else { n - 1 };
    }
    while protected_response_len(cipher, n + 1, odd_ins) <= max_protected {
        n += 1;
    }
    n
}

fn tlv_len_len(v: usize) -> usize {
    match v {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        _ => 4,
    }
}

fn encode_le(le: usize) -> Vec<u8> {
    if le <= 256 {
        vec![if le == 256 { 0 } else { le as u8 }]
    } else {
        let v = if le >= 65536 { 0 } else { le as u16 };
        v.to_be_bytes().to_vec()
    }
}

fn decode_le(v: &[u8]) -> Result<usize, SmError> {
    match v {
        [0] => Ok(256),
        [n] => Ok(*n as usize),
        [0, 0] => Ok(65536),
        [a, b] => Ok(u16::from_be_bytes([*a, *b]) as usize),
        _ => Err(SmError::Malformed {
            what: "command",
            reason: format!("DO'97' of {} bytes", v.len()),
        }),
    }
}

impl SecureMessaging {
    /// Starts secure messaging with `keys` and the initial send sequence counter `ssc` (8 bytes
    /// for 3DES, 16 for AES).
    pub fn new(keys: SmKeys, ssc: &[u8]) -> Result<Self, SmError> {
        let cipher = keys.cipher;
        if ssc.len() != cipher.block_len() {
            return Err(SmError::BadSscLength {
                cipher,
                expected: cipher.block_len(),
                actual: ssc.len(),
            });
        }
        Ok(SecureMessaging {
            keys,
            ssc: Zeroizing::new(ssc.to_vec()),
        })
    }
    /// Built by protocols that produce an SSC of the right length by construction.
    pub(crate) fn from_parts(keys: SmKeys, ssc: Vec<u8>) -> Self {
        SecureMessaging {
            keys,
            ssc: Zeroizing::new(ssc),
        }
    }
    /// The cipher.
    pub fn cipher(&self) -> Cipher {
        self.keys.cipher
    }
    /// The keys.
    pub fn keys(&self) -> &SmKeys {
        &self.keys
    }
    /// The current send sequence counter.
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
    }
    fn ssc_hex(&self) -> String {
        self.ssc.iter().map(|b| format!("{b:02X}")).collect()
    }
    /// Increments the SSC by one (big-endian, wrapping).
    pub fn increment_ssc(&mut self) {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    fn iv(&self) -> Result<Vec<u8>, SmError> {
        let k = self.keys.k_enc.as_bytes();
        let mut iv = self.ssc.to_vec();
        match self.keys.cipher {
            Cipher::Tdes => return Ok(vec![0; 8]),
            Cipher::Aes128 => ecb_block::<Aes128>(k, &mut iv)?,
            Cipher::Aes192 => ecb_block::<Aes192>(k, &mut iv)?,
            Cipher::Aes256 => ecb_block::<Aes256>(k, &mut iv)?,
        }
        Ok(iv)
    }
    /// Pads and encrypts `data` with `K_enc` at the current SSC.
    pub fn encrypt(&self, data: &[u8]) -> Result<Vec<u8>, SmError> {
        let mut buf = pad(data, self.keys.cipher.block_len());
        self.cbc(&mut buf, true)?;
        Ok(buf)
    }
    /// Decrypts `cryptogram` with `K_enc` at the current SSC and removes the padding.
    pub fn decrypt(&self, cryptogram: &[u8], what: &'static str) -> Result<Vec<u8>, SmError> {
        let b = self.keys.cipher.block_len();
        if cryptogram.is_empty() || !cryptogram.len().is_multiple_of(b) {
            return Err(SmError::Malformed {
                what,
                reason: format!("cryptogram of {} bytes", cryptogram.len()),
            });
        }
        let mut buf = Zeroizing::new(cryptogram.to_vec());
        self.cbc(&mut buf, false)?;
        let plain = unpad(&buf).ok_or_else(|| SmError::Malformed {
            what,
            reason: "no ISO/IEC 9797-1 method 2 padding after decryption".into(),
        })?;
        Ok(plain.to_vec())
    }
    fn cbc(&self, buf: &mut [u8], encrypt: bool) -> Result<(), SmError> {
        let iv = self.iv()?;
        cbc_any(
            self.keys.cipher,
            self.keys.k_enc.as_bytes(),
            &iv,
            buf,
            encrypt,
        )
    }
    /// The 8-byte MAC of `pad(SSC || data)` with `K_mac` (retail MAC for 3DES, CMAC for AES).
    pub fn mac(&self, data: &[u8]) -> Result<[u8; 8], SmError> {
        let mut input = Zeroizing::new(self.ssc.to_vec());
        input.extend_from_slice(data);
        mac8(self.keys.cipher, self.keys.k_mac.as_bytes(), &input)
    }

    fn padded_header(&self, cla: u8, ins: u8, p1: u8, p2: u8) -> Vec<u8> {
        pad(&[cla | 0x0C, ins, p1, p2], self.keys.cipher.block_len())
    }

    /// Terminal: protects `command` (ICAO 9303-11 §9.8.6). Increments the SSC first.
    ///
    /// The protected command uses extended length when the command or its protected response
    /// would not fit in short form; its Le is then `0000`, otherwise `00`.
    pub fn wrap_command(&mut self, command: &Command) -> Result<Command, SmError> {
        if command.cla & 0x0C == 0x0C {
            return Err(SmError::CannotWrap(format!(
                "CLA {:02X} already announces secure messaging",
                command.cla
            )));
        }
        self.increment_ssc();
        let odd = command.ins & 1 == 1;
        let mut dos = Vec::new();
        if !command.data.is_empty() {
            let c = self.encrypt(&command.data)?;
            if odd {
                tlv::encode_into(Tag(0x85), &c, &mut dos);
            } else {
                let mut v = Vec::with_capacity(c.len() + 1);
                v.push(0x01);
                v.extend_from_slice(&c);
                tlv::encode_into(Tag(0x87), &v, &mut dos);
            }
        }
        if let Some(le) = command.le {
            tlv::encode_into(Tag(0x97), &encode_le(le), &mut dos);
        }
        let mut m = self.padded_header(command.cla, command.ins, command.p1, command.p2);
        m.extend_from_slice(&dos);
        let cc = self.mac(&m)?;
        tlv::encode_into(Tag(0x8E), &cc, &mut dos);
        if dos.len() > 65535 {
            return Err(SmError::CannotWrap(format!(
                "{} bytes of protected data",
                dos.len()
            )));
        }
        let expected = command
            .le
            .map_or(14, |le| protected_response_len(self.keys.cipher, le, odd));
        let extended = command.needs_extended() || dos.len() > 255 || expected > 256;
        Ok(Command {
            cla: command.cla | 0x0C,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data: dos,
            le: Some(if extended { 65536 } else { 256 }),
        })
    }

    /// Terminal: checks and opens a response (ICAO 9303-11 §9.8.6). Increments the SSC first.
    ///
    /// A response whose MAC verifies is accepted whatever optional objects it carries (DO'99'
    /// may be absent; odd-INS data may come in DO'87' or DO'85'). A response without data is
    /// returned as its bare status word when that status is an error (chips answer 6A82, 6B00,
    /// 6282... without secure messaging): an error, never data. A success without a MAC, or any
    /// data without a valid MAC, is refused.
    pub fn unwrap_response(&mut self, response: &Response) -> Result<Response, SmError> {
        self.increment_ssc();
        if response.data.is_empty() {
            return match response.sw.status() {
                Status::Success | Status::EndOfFile | Status::DataMayBeCorrupted => {
                    Err(SmError::MissingMac { sw: response.sw })
                }
                Status::SmObjectsMissing | Status::SmObjectsIncorrect => {
                    Err(SmError::ChipAborted { sw: response.sw })
                }
                _ => Ok(Response::new(Vec::new(), response.sw)),
            };
        }
        let p = parse_dos(&response.data, "response")?;
        let Some(mac) = p.mac else {
            return Err(SmError::MissingMac { sw: response.sw });
        };
        let expected = self.mac(&p.maced)?;
        if !ct_eq(&expected, &mac) {
            return Err(SmError::BadMac {
                what: "response",
                ssc: self.ssc_hex(),
            });
        }
        let sw = match p.sw.as_deref() {
            Some([a, b]) => StatusWord::new(*a, *b),
            Some(v) => {
                return Err(SmError::Malformed {
                    what: "response",
                    reason: format!("DO'99' of {} bytes", v.len()),
                });
            }
            None => response.sw,
        };
        let data = match (p.crypt, p.plain) {
            (Some((c, is85)), _) => {
                let c = if is85 {
                    &c[..]
                } else {
                    match c.split_first() {
                        Some((0x01, rest)) => rest,
                        _ => {
                            return Err(SmError::Malformed {
                                what: "response",
                                reason: "DO'87' without padding-content indicator 01".into(),
                            });
                        }
                    }
                };
                self.decrypt(c, "response")?
            }
            (None, Some(plain)) => plain,
            (None, None) => Vec::new(),
        };
        Ok(Response::new(data, sw))
    }

    /// Chip: checks and opens a protected command. Increments the SSC first.
    pub fn unwrap_command(&mut self, command: &Command) -> Result<Command, SmError> {
        if command.cla & 0x0C != 0x0C {
            return Err(SmError::NotProtected { cla: command.cla });
        }
        self.increment_ssc();
        let p = parse_dos(&command.data, "command")?;
        let Some(mac) = p.mac else {
            return Err(SmError::MissingObject("DO'8E'"));
        };
        let mut m = self.padded_header(command.cla, command.ins, command.p1, command.p2);
        m.extend_from_slice(&p.maced);
        let expected = self.mac(&m)?;
        if !ct_eq(&expected, &mac) {
            return Err(SmError::BadMac {
                what: "command",
                ssc: self.ssc_hex(),
            });
        }
        let data = match p.crypt {
            Some((c, true)) => self.decrypt(&c, "command")?,
            Some((c, false)) => match c.split_first() {
                Some((0x01, rest)) => self.decrypt(rest, "command")?,
                _ => {
                    return Err(SmError::Malformed {
                        what: "command",
                        reason: "DO'87' without padding-content indicator 01".into(),
                    });
                }
            },
            None => p.plain.unwrap_or_default(),
        };
        let le = p.le.as_deref().map(decode_le).transpose()?;
        Ok(Command {
            cla: command.cla & !0x0C,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data,
            le,
        })
    }

    /// Chip: protects a response to a command with instruction `ins` (data in DO'85' for odd
    /// INS, DO'87' otherwise; DO'99' always). Increments the SSC first.
    pub fn wrap_response(&mut self, response: &Response, ins: u8) -> Result<Response, SmError> {
        self.increment_ssc();
        let mut dos = Vec::new();
        if !response.data.is_empty() {
            let c = self.encrypt(&response.data)?;
            if ins & 1 == 1 {
                tlv::encode_into(Tag(0x85), &c, &mut dos);
            } else {
                let mut v = Vec::with_capacity(c.len() + 1);
                v.push(0x01);
                v.extend_from_slice(&c);
                tlv::encode_into(Tag(0x87), &v, &mut dos);
            }
        }
        tlv::encode_into(Tag(0x99), &[response.sw.sw1(), response.sw.sw2()], &mut dos);
        let cc = self.mac(&dos)?;
        tlv::encode_into(Tag(0x8E), &cc, &mut dos);
        Ok(Response::new(dos, response.sw))
    }
}

/// A [`Transport`] that protects every command with secure messaging and checks every
/// response. It is itself a [`Transport`].
///
/// Any secure-messaging failure (a response without a valid MAC, malformed objects, a lost
/// link while a command was outstanding) ends the session: the failing response is never
/// used, [`SecureTransport::session_error`] says why, and every later `transmit` fails.
pub struct SecureTransport<T: Transport> {
    inner: T,
    sm: SecureMessaging,
    ended: Option<SmError>,
}

impl<T: Transport> fmt::Debug for SecureTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureTransport")
            .field("sm", &self.sm)
            .field("ended", &self.ended)
            .finish()
    }
}

/// How many GET RESPONSE rounds the secure transport follows on the link.
const MAX_GET_RESPONSE: usize = 64;

impl<T: Transport> SecureTransport<T> {
    /// Wraps `inner` with secure messaging `sm`.
    pub fn new(inner: T, sm: SecureMessaging) -> Self {
        SecureTransport {
            inner,
            sm,
            ended: None,
        }
    }
    /// The secure-messaging state (keys, SSC).
    pub fn secure_messaging(&self) -> &SecureMessaging {
        &self.sm
    }
    /// Why the session ended, if it did.
    pub fn session_error(&self) -> Option<&SmError> {
        self.ended.as_ref()
    }
    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
    /// The wrapped transport, mutably (commands sent through it bypass secure messaging and
    /// desynchronise the SSC).
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// Gives the wrapped transport back.
    pub fn into_inner(self) -> T {
        self.inner
    }
    /// Restarts secure messaging with new keys and SSC (Chip Authentication, ICAO 9303-11
    /// §6.2: every command after the key agreement uses the new keys). Refused once the session
    /// has ended.
    pub fn restart(&mut self, sm: SecureMessaging) -> Result<(), SmError> {
        if let Some(e) = &self.ended {
            return Err(SmError::SessionEnded(e.to_string()));
        }
        self.sm = sm;
        Ok(())
    }

    /// Sends a command: protects it, sends it (following `61xx` on the link), checks and opens
    /// the response.
    pub fn send(&mut self, command: &Command) -> Result<Response, SmError> {
        if let Some(e) = &self.ended {
            return Err(SmError::SessionEnded(e.to_string()));
        }
        let result = self.send_inner(command);
        if let Err(e) = &result {
            self.ended = Some(e.clone());
        }
        result
    }

    fn send_inner(&mut self, command: &Command) -> Result<Response, SmError> {
        let caps = self.inner.capabilities();
        if !caps.extended_length && !command.data.is_empty() {
            // A command whose protected form needs extended Lc on a short-only link is split with
            // command chaining (ISO/IEC 7816-4 §5.3.3), each link protected on its own.
            let room = short_command_room(self.sm.cipher(), command.le.is_some());
            if command.data.len() > room {
                return self.send_chained(command, room);
            }
        }
        self.send_one(command, &caps)
    }

    /// Sends `command`'s data in links of at most `room` plaintext bytes (CLA `1x` on all but the
    /// last); every link but the last must be answered 9000.
    fn send_chained(&mut self, command: &Command, room: usize) -> Result<Response, SmError> {
        let caps = self.inner.capabilities();
        let chunks: Vec<&[u8]> = command.data.chunks(room.max(1)).collect();
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.iter().enumerate() {
            if i == last {
                let mut c = command.clone();
                c.data = chunk.to_vec();
                return self.send_one(&c, &caps);
            }
            let link = Command::new(command.cla | 0x10, command.ins, command.p1, command.p2)
                .with_data(chunk.to_vec());
            let r = self.send_one(&link, &caps)?;
            if !r.sw.is_success() {
                return Ok(r);
            }
        }
        Err(SmError::CannotWrap("empty command chain".into()))
    }

    /// Protects one command, sends it (following `61xx` on the link), checks and opens the
    /// response. On a link without extended length the protected command is always short: Le
    /// `00` (the chip answers `61xx` when the protected response exceeds 256 bytes).
    fn send_one(&mut self, command: &Command, caps: &Capabilities) -> Result<Response, SmError> {
        let mut protected = self.sm.wrap_command(command)?;
        let extended = if caps.extended_length {
            protected.le.is_some_and(|le| le > 256) || protected.data.len() > 255
        } else {
            // The MAC covers DO'97' (the plaintext Le), not the outer Le, so it may change.
            protected.le = Some(256);
            false
        };
        let bytes = protected
            .encode(extended)
            .map_err(|e| SmError::CannotWrap(e.to_string()))?;
        if bytes.len() > caps.max_command_len {
            return Err(SmError::CannotWrap(format!(
                "protected command of {} bytes exceeds the link's {} bytes",
                bytes.len(),
                caps.max_command_len
            )));
        }
        let raw = self.inner.transmit(&bytes).map_err(SmError::Card)?;
        let mut response = Response::parse(&raw).map_err(SmError::Card)?;
        // The rest of a long response: (unprotected) GET RESPONSE.
        let mut data = Vec::new();
        let mut rounds = 0;
        while let Status::MoreData(n) = response.sw.status() {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE {
                return Err(SmError::Card(CardError::TooManyRounds(MAX_GET_RESPONSE)));
            }
            data.extend_from_slice(&response.data);
            let le = if n == 0 { 256 } else { n as usize };
            let gr = Command::new(0x00, 0xC0, 0, 0).with_le(le);
            let raw = self
                .inner
                .transmit(&gr.to_bytes().map_err(SmError::Card)?)
                .map_err(SmError::Card)?;
            response = Response::parse(&raw).map_err(SmError::Card)?;
        }
        if !data.is_empty() {
            data.extend_from_slice(&response.data);
            response.data = data;
        }
        self.sm.unwrap_response(&response)
    }
}

/// The most plaintext command data whose protected form fits a short APDU (Lc ≤ 255):
/// DO'87' (tag, 2 length bytes, indicator, padded cryptogram) + DO'97' (up to 4) + DO'8E' (10).
fn short_command_room(cipher: Cipher, has_le: bool) -> usize {
    let b = cipher.block_len();
    let fixed = 10 + if has_le { 4 } else { 0 } + 4;
    // The padded cryptogram is at most 255 - fixed, whole blocks, with at least one padding byte.
    ((255 - fixed) / b) * b - 1
}

impl<T: Transport> Transport for SecureTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        let cmd = Command::parse(command)?;
        match self.send(&cmd) {
            Ok(r) => Ok(r.to_bytes()),
            Err(SmError::Card(e)) => Err(e),
            Err(e) => Err(CardError::Transport(format!("secure messaging: {e}"))),
        }
    }

    /// The plaintext sizes that fit the link once protected.
    fn capabilities(&self) -> Capabilities {
        let inner = self.inner.capabilities();
        let cipher = self.sm.cipher();
        let max_protected = if inner.extended_length {
            inner.max_response_len
        } else {
            inner.max_response_len.min(256)
        };
        let max_plain = max_plain_response(cipher, max_protected, false).min(max_plain_response(
            cipher,
            max_protected,
            true,
        ));
        // Command: header (4) + Lc/Le (up to 3 + 2) + DO'87' + DO'97' (up to 4) + DO'8E' (10).
        let b = cipher.block_len();
        let room = inner.max_command_len.saturating_sub(4 + 5 + 4 + 10 + 5);
        let max_cmd_data = (room / b).saturating_sub(1) * b;
        Capabilities {
            extended_length: inner.extended_length,
            max_command_len: max_cmd_data + 4 + 5,
            max_response_len: max_plain,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding() {
        assert_eq!(pad(&[1, 2], 8), [1, 2, 0x80, 0, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(unpad(&[1, 2, 0x80, 0, 0]), Some(&[1u8, 2][..]));
        assert_eq!(unpad(&[1, 2, 0, 0]), None);
        assert_eq!(unpad(&[0, 0]), None);
        assert_eq!(unpad(&[]), None);
    }

    #[test]
    fn response_sizes() {
        // Short APDUs: 231 bytes under 3DES, 223 under AES (the classic limits).
        assert_eq!(max_plain_response(Cipher::Tdes, 256, false), 231);
        assert_eq!(max_plain_response(Cipher::Aes128, 256, false), 223);
        assert_eq!(protected_response_len(Cipher::Tdes, 4, false), 25);
        assert_eq!(protected_response_len(Cipher::Tdes, 0x12, false), 41);
        for c in [Cipher::Tdes, Cipher::Aes256] {
            for max in [20usize, 100, 256, 1000, 65536] {
                for odd in [false, true] {
                    let n = max_plain_response(c, max, odd);
                    assert!(protected_response_len(c, n, odd) <= max);
                    assert!(protected_response_len(c, n + 1, odd) > max);
                }
            }
        }
    }

    fn pair(cipher: Cipher) -> (SecureMessaging, SecureMessaging) {
        let keys = SmKeys::derive(b"shared secret", cipher);
        let ssc = vec![0x11; cipher.block_len()];
        (
            SecureMessaging::new(keys.clone(), &ssc).unwrap(),
            SecureMessaging::new(keys, &ssc).unwrap(),
        )
    }

    #[test]
    fn both_roles_round_trip() {
        for cipher in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
            let (mut term, mut chip) = pair(cipher);
            for (cmd, resp) in [
                (
                    Command::new(0, 0xA4, 2, 0x0C).with_data([1, 0x1E]),
                    Response::new(vec![], StatusWord::OK),
                ),
                (
                    Command::new(0, 0xB0, 0, 0).with_le(4),
                    Response::new(vec![1, 2, 3, 4], StatusWord::OK),
                ),
                (
                    Command::new(0, 0xB1, 0x01, 0x02)
                        .with_data([0x54, 2, 0x80, 0])
                        .with_le(1000),
                    Response::new(vec![0x53, 3, 1, 2, 3], StatusWord(0x6282)),
                ),
            ] {
                let p = term.wrap_command(&cmd).unwrap();
                assert_eq!(p.cla, 0x0C);
                assert_eq!(chip.unwrap_command(&p).unwrap(), cmd);
                let pr = chip.wrap_response(&resp, cmd.ins).unwrap();
                assert_eq!(term.unwrap_response(&pr).unwrap(), resp);
                assert_eq!(term.ssc(), chip.ssc());
            }
        }
    }

    #[test]
    fn tampering_is_refused() {
        let (mut term, mut chip) = pair(Cipher::Aes128);
        let cmd = Command::new(0, 0xB0, 0, 0).with_le(4);
        let p = term.wrap_command(&cmd).unwrap();
        chip.unwrap_command(&p).unwrap();
        let mut pr = chip
            .wrap_response(&Response::new(vec![1, 2, 3, 4], StatusWord::OK), 0xB0)
            .unwrap();
        pr.data[3] ^= 1;
        assert!(matches!(
            term.unwrap_response(&pr),
            Err(SmError::BadMac {
                what: "response",
                ..
            })
        ));
        // A success without a MAC is never accepted; an unprotected error is an error status.
        assert_eq!(
            term.unwrap_response(&Response::new(vec![], StatusWord::OK)),
            Err(SmError::MissingMac { sw: StatusWord::OK })
        );
        assert_eq!(
            term.unwrap_response(&Response::new(vec![], StatusWord(0x6A82)))
                .unwrap(),
            Response::new(vec![], StatusWord(0x6A82))
        );
        assert_eq!(
            term.unwrap_response(&Response::new(vec![1, 2, 3], StatusWord::OK)),
            Err(SmError::Malformed {
                what: "response",
                reason: "value of tag '01' at offset 0 claims 2 bytes, only 1 left".into()
            })
        );
    }

    /// The chip role behind a short-only link: it refuses extended APDUs, opens every protected
    /// command and answers 9000 (protected), noting CLA and plaintext.
    struct ShortChip {
        sm: SecureMessaging,
        seen: Vec<(u8, Vec<u8>)>,
    }
    impl Transport for ShortChip {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
            if command.len() >= 7 && command[4] == 0 {
                return Ok(vec![0x67, 0x00]);
            }
            let c = Command::parse(command)?;
            let plain = self.sm.unwrap_command(&c).unwrap();
            self.seen.push((c.cla, plain.data));
            let r = self
                .sm
                .wrap_response(&Response::new(vec![], StatusWord::OK), c.ins)
                .unwrap();
            Ok(r.to_bytes())
        }
    }

    #[test]
    fn long_commands_are_chained_on_a_short_link() {
        for cipher in [Cipher::Tdes, Cipher::Aes128] {
            let (term, chip) = pair(cipher);
            let mut st = SecureTransport::new(
                ShortChip {
                    sm: chip,
                    seen: Vec::new(),
                },
                term,
            );
            let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
            let r = st
                .send(&Command::new(0, 0x22, 0x41, 0xA6).with_data(data.clone()))
                .unwrap();
            assert_eq!(r.sw, StatusWord::OK);
            let seen = &st.inner().seen;
            let room = short_command_room(cipher, false);
            assert_eq!(seen.len(), 600usize.div_ceil(room), "{cipher}");
            assert!(seen[..seen.len() - 1].iter().all(|(cla, _)| *cla == 0x1C));
            assert_eq!(seen.last().unwrap().0, 0x0C);
            assert_eq!(
                seen.iter().flat_map(|(_, d)| d.clone()).collect::<Vec<_>>(),
                data
            );
        }
    }

    #[test]
    fn keys_are_redacted() {
        let keys = SmKeys::derive(b"k", Cipher::Tdes);
        assert_eq!(format!("{keys:?}"), "SmKeys { cipher: 3DES, REDACTED }");
        assert!(matches!(
            SmKeys::new(
                Cipher::Aes256,
                SecretKey::new(vec![0; 16]),
                SecretKey::new(vec![0; 32])
            ),
            Err(SmError::BadKeyLength {
                expected: 32,
                actual: 16,
                ..
            })
        ));
    }
}
