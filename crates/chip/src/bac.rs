//! Basic Access Control (ICAO 9303-11 §9.7 and §4.3), both roles.
//!
//! `K_seed = SHA-1(MRZ_information)[..16]`, `K_enc = KDF(K_seed, 1)`, `K_mac = KDF(K_seed, 2)`;
//! GET CHALLENGE gives `RND.IC`; the terminal sends `E_IFD || M_IFD` with
//! `E_IFD = 3DES(K_enc, RND.IFD || RND.IC || K.IFD)` and `M_IFD = MAC(K_mac, E_IFD)`; the chip
//! answers `E_IC || M_IC` over `RND.IC || RND.IFD || K.IC`. The session keys come from
//! `K.IFD xor K.IC`, the SSC from the low halves of `RND.IC` and `RND.IFD`.

use std::fmt;

use epassport_card::{Command, Status, StatusWord, Transport, exchange};
use rand_core::CryptoRng;
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::ChipError;
use crate::kdf::{Cipher, SecretKey};
use crate::sm::{self, SecureMessaging, SmKeys};

/// What went wrong in BAC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BacError {
    /// The chip refused the terminal's cryptogram: the access key (document number, date of
    /// birth, date of expiry) does not match the chip's.
    #[error(
        "the chip refused the document number, birth date or expiry date (MUTUAL AUTHENTICATE answered {sw})"
    )]
    AccessDenied {
        /// The status word (6300, 6982, 6988...).
        sw: StatusWord,
    },
    /// GET CHALLENGE failed.
    #[error("GET CHALLENGE answered {sw}")]
    GetChallenge {
        /// The status word.
        sw: StatusWord,
    },
    /// A message of the wrong length.
    #[error("{what} has {actual} bytes, expected {expected}")]
    BadLength {
        /// Which message.
        what: &'static str,
        /// The length expected.
        expected: usize,
        /// The length received.
        actual: usize,
    },
    /// The MAC of the other side's cryptogram does not verify.
    #[error("the MAC of the {0} cryptogram does not verify")]
    BadMac(&'static str),
    /// The decrypted cryptogram does not echo the nonces sent.
    #[error("the {0} cryptogram does not contain the expected nonces")]
    NonceMismatch(&'static str),
}

/// `K_seed = SHA-1(MRZ_information)[..16]`.
pub fn kseed(mrz_information: &[u8]) -> SecretKey {
    let h = Zeroizing::new(Sha1::digest(mrz_information).to_vec());
    SecretKey::new(h[..16].to_vec())
}

/// The BAC keys `K_enc`, `K_mac` (3DES) from `MRZ_information` (ICAO 9303-11 §9.7.2).
pub fn bac_keys(mrz_information: &[u8]) -> SmKeys {
    SmKeys::derive(kseed(mrz_information).as_bytes(), Cipher::Tdes)
}

/// The terminal's nonces `RND.IFD` (8 bytes) and `K.IFD` (16 bytes). Injectable so published
/// examples replay; zeroized on drop; `Debug` is `REDACTED`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BacNonces {
    rnd: [u8; 8],
    k: [u8; 16],
}

impl fmt::Debug for BacNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BacNonces(REDACTED)")
    }
}

impl BacNonces {
    /// Fixed nonces (tests, replay of recorded sessions).
    pub fn new(rnd: [u8; 8], k: [u8; 16]) -> Self {
        BacNonces { rnd, k }
    }
    /// Fresh nonces from `rng`.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut n = BacNonces {
            rnd: [0; 8],
            k: [0; 16],
        };
        rng.fill_bytes(&mut n.rnd);
        rng.fill_bytes(&mut n.k);
        n
    }
    /// The random nonce (`RND.IFD` or `RND.IC`).
    pub fn rnd(&self) -> &[u8; 8] {
        &self.rnd
    }
    /// The keying material (`K.IFD` or `K.IC`).
    pub fn key_material(&self) -> &[u8; 16] {
        &self.k
    }
}

fn encrypt_and_mac(keys: &SmKeys, s: &[u8; 32]) -> Result<[u8; 40], ChipError> {
    let mut e = Zeroizing::new(*s);
    sm::cbc_encrypt(Cipher::Tdes, keys.k_enc().as_bytes(), &[0; 8], &mut e[..])?;
    let m = sm::mac8(Cipher::Tdes, keys.k_mac().as_bytes(), &e[..])?;
    let mut out = [0u8; 40];
    out[..32].copy_from_slice(&e[..]);
    out[32..].copy_from_slice(&m);
    Ok(out)
}

fn check_and_decrypt(
    keys: &SmKeys,
    data: &[u8],
    what: &'static str,
) -> Result<Zeroizing<[u8; 32]>, ChipError> {
    if data.len() != 40 {
        return Err(BacError::BadLength {
            what,
            expected: 40,
            actual: data.len(),
        }
        .into());
    }
    let m = sm::mac8(Cipher::Tdes, keys.k_mac().as_bytes(), &data[..32])?;
    if m.iter().zip(&data[32..]).fold(0u8, |a, (x, y)| a | (x ^ y)) != 0 {
        return Err(BacError::BadMac(what).into());
    }
    let mut s = Zeroizing::new([0u8; 32]);
    s.copy_from_slice(&data[..32]);
    sm::cbc_decrypt(Cipher::Tdes, keys.k_enc().as_bytes(), &[0; 8], &mut s[..])?;
    Ok(s)
}

/// Session keys and SSC from both sides' material (ICAO 9303-11 §9.7.4 and §9.8.2).
fn session(k_ifd: &[u8; 16], k_ic: &[u8], rnd_ic: &[u8], rnd_ifd: &[u8]) -> SecureMessaging {
    let mut seed = Zeroizing::new([0u8; 16]);
    for (i, b) in seed.iter_mut().enumerate() {
        *b = k_ifd[i] ^ k_ic[i];
    }
    let keys = SmKeys::derive(&seed[..], Cipher::Tdes);
    let mut ssc = [0u8; 8];
    ssc[..4].copy_from_slice(&rnd_ic[4..8]);
    ssc[4..].copy_from_slice(&rnd_ifd[4..8]);
    // The SSC length matches 3DES by construction.
    SecureMessaging::from_parts(keys, ssc.to_vec())
}

/// Terminal side of BAC without I/O: the MUTUAL AUTHENTICATE data and, given the chip's answer,
/// the secure-messaging session.
#[derive(Debug)]
pub struct BacTerminal {
    keys: SmKeys,
    nonces: BacNonces,
    rnd_ic: [u8; 8],
}

impl BacTerminal {
    /// Starts from the BAC keys, the terminal's nonces and the chip's challenge `RND.IC`.
    pub fn new(keys: SmKeys, nonces: BacNonces, rnd_ic: [u8; 8]) -> Self {
        BacTerminal {
            keys,
            nonces,
            rnd_ic,
        }
    }
    /// `S = RND.IFD || RND.IC || K.IFD`.
    pub fn s(&self) -> Zeroizing<[u8; 32]> {
        let mut s = Zeroizing::new([0u8; 32]);
        s[..8].copy_from_slice(&self.nonces.rnd);
        s[8..16].copy_from_slice(&self.rnd_ic);
        s[16..].copy_from_slice(&self.nonces.k);
        s
    }
    /// The MUTUAL AUTHENTICATE command data `E_IFD || M_IFD`.
    pub fn command_data(&self) -> Result<[u8; 40], ChipError> {
        encrypt_and_mac(&self.keys, &self.s())
    }
    /// Checks the chip's `E_IC || M_IC` and derives the session (returns it with `K.IC`).
    pub fn finish(&self, response: &[u8]) -> Result<(SecureMessaging, SecretKey), ChipError> {
        let r = check_and_decrypt(&self.keys, response, "chip's")?;
        if r[..8] != self.rnd_ic || r[8..16] != self.nonces.rnd {
            return Err(BacError::NonceMismatch("chip's").into());
        }
        let k_ic = SecretKey::new(r[16..].to_vec());
        Ok((
            session(
                &self.nonces.k,
                k_ic.as_bytes(),
                &self.rnd_ic,
                &self.nonces.rnd,
            ),
            k_ic,
        ))
    }
}

/// Chip side of BAC without I/O (the software chip uses it).
#[derive(Debug)]
pub struct BacChip {
    keys: SmKeys,
    nonces: BacNonces,
}

impl BacChip {
    /// The chip's BAC keys and its nonces (`RND.IC` is the challenge GET CHALLENGE returned).
    pub fn new(keys: SmKeys, nonces: BacNonces) -> Self {
        BacChip { keys, nonces }
    }
    /// Checks the terminal's MUTUAL AUTHENTICATE data; returns the response data `E_IC || M_IC`
    /// and the session. Any failure should be answered with 6300 (the key does not match).
    pub fn respond(&self, command_data: &[u8]) -> Result<([u8; 40], SecureMessaging), ChipError> {
        let s = check_and_decrypt(&self.keys, command_data, "terminal's")?;
        if s[8..16] != self.nonces.rnd {
            return Err(BacError::NonceMismatch("terminal's").into());
        }
        let mut r = Zeroizing::new([0u8; 32]);
        r[..8].copy_from_slice(&self.nonces.rnd);
        r[8..16].copy_from_slice(&s[..8]);
        r[16..].copy_from_slice(&self.nonces.k);
        let out = encrypt_and_mac(&self.keys, &r)?;
        let mut k_ifd = Zeroizing::new([0u8; 16]);
        k_ifd.copy_from_slice(&s[16..]);
        Ok((
            out,
            session(&k_ifd, &self.nonces.k, &self.nonces.rnd, &s[..8]),
        ))
    }
}

/// Runs BAC over `transport` (GET CHALLENGE, MUTUAL AUTHENTICATE) and returns the session.
///
/// A refusal of MUTUAL AUTHENTICATE (6300, 6982, 6988, 63Cx...) is
/// [`BacError::AccessDenied`]; nothing is retried.
pub fn authenticate<T: Transport + ?Sized>(
    transport: &mut T,
    keys: SmKeys,
    nonces: BacNonces,
) -> Result<SecureMessaging, ChipError> {
    let challenge = exchange(transport, &Command::new(0x00, 0x84, 0x00, 0x00).with_le(8))?;
    if !challenge.sw.is_success() {
        return Err(BacError::GetChallenge { sw: challenge.sw }.into());
    }
    let rnd_ic: [u8; 8] =
        challenge
            .data
            .as_slice()
            .try_into()
            .map_err(|_| BacError::BadLength {
                what: "GET CHALLENGE response",
                expected: 8,
                actual: challenge.data.len(),
            })?;
    let term = BacTerminal::new(keys, nonces, rnd_ic);
    let data = Zeroizing::new(term.command_data()?);
    let cmd = Command::new(0x00, 0x82, 0x00, 0x00)
        .with_data(data.to_vec())
        .with_le(40);
    let resp = exchange(transport, &cmd)?;
    match resp.sw.status() {
        Status::Success => {}
        Status::VerificationFailed
        | Status::RetriesLeft(_)
        | Status::SecurityStatusNotSatisfied
        | Status::SmObjectsIncorrect
        | Status::SmObjectsMissing
        | Status::AuthenticationBlocked
        | Status::ReferenceDataNotUsable
        | Status::ConditionsNotSatisfied
        | Status::IncorrectData => return Err(BacError::AccessDenied { sw: resp.sw }.into()),
        _ => {
            return Err(epassport_card::CardError::UnexpectedStatus {
                sw: resp.sw,
                ins: 0x82,
            }
            .into());
        }
    }
    Ok(term.finish(&resp.data)?.0)
}
