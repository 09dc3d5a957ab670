//! Key derivation for secure messaging (ICAO 9303-11 §9.7.1).
//!
//! `KDF(K, c)`: the hash of the shared secret `K` followed by the 32-bit big-endian counter `c`
//! (1 for encryption, 2 for MAC, 3 for the PACE password key), cut to the key length. 3DES and
//! AES-128 use SHA-1, AES-192 and AES-256 use SHA-256. 3DES keys have their DES parity bits
//! adjusted.

use std::fmt;

use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The block cipher of a secure-messaging session (ICAO 9303-11 §9.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cipher {
    /// Two-key 3DES (112-bit), CBC with a zero IV, retail MAC (ISO/IEC 9797-1 algorithm 3).
    Tdes,
    /// AES-128, CBC with IV = E(K_enc, SSC), CMAC truncated to 8 bytes.
    Aes128,
    /// AES-192, as AES-128.
    Aes192,
    /// AES-256, as AES-128.
    Aes256,
}

impl Cipher {
    /// The key length in bytes (16 for 3DES: K1 || K2).
    pub const fn key_len(self) -> usize {
        match self {
            Cipher::Tdes | Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
        }
    }
    /// The block length in bytes (8 for 3DES, 16 for AES); also the send sequence counter's length.
    pub const fn block_len(self) -> usize {
        match self {
            Cipher::Tdes => 8,
            _ => 16,
        }
    }
    /// A short name for reports (`3DES`, `AES-128`...).
    pub const fn name(self) -> &'static str {
        match self {
            Cipher::Tdes => "3DES",
            Cipher::Aes128 => "AES-128",
            Cipher::Aes192 => "AES-192",
            Cipher::Aes256 => "AES-256",
        }
    }
}

impl fmt::Display for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The counter `c` of `KDF(K, c)` (ICAO 9303-11 §9.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KdfCounter {
    /// `c = 1`: the encryption key.
    Enc = 1,
    /// `c = 2`: the MAC key.
    Mac = 2,
    /// `c = 3`: the PACE password key `K_π`.
    Pace = 3,
}

/// A secret key: zeroized on drop, printed as `REDACTED`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// Wraps key bytes (the caller's copy should be zeroized by the caller).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        SecretKey(bytes.into())
    }
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The key length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True for an empty key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(REDACTED)")
    }
}

/// `KDF(K, c)` of ICAO 9303-11 §9.7.1 for `cipher`.
///
/// 3DES: SHA-1, the first 16 bytes, DES parity adjusted. AES-128: SHA-1, the first 16 bytes.
/// AES-192: SHA-256, the first 24 bytes. AES-256: SHA-256, all 32 bytes.
pub fn kdf(shared_secret: &[u8], counter: KdfCounter, cipher: Cipher) -> SecretKey {
    let c = (counter as u32).to_be_bytes();
    let hash: Zeroizing<Vec<u8>> = Zeroizing::new(match cipher {
        Cipher::Tdes | Cipher::Aes128 => {
            let mut h = Sha1::new();
            h.update(shared_secret);
            h.update(c);
            h.finalize().to_vec()
        }
        Cipher::Aes192 | Cipher::Aes256 => {
            let mut h = Sha256::new();
            h.update(shared_secret);
            h.update(c);
            h.finalize().to_vec()
        }
    });
    let mut key = hash[..cipher.key_len()].to_vec();
    if cipher == Cipher::Tdes {
        adjust_des_parity(&mut key);
    }
    SecretKey(key)
}

/// Sets each byte's least significant bit so that the byte has odd parity (FIPS 46-3).
pub fn adjust_des_parity(key: &mut [u8]) {
    for b in key {
        let ones = (*b >> 1).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity() {
        let mut k = [0x00, 0x01, 0xFE, 0xFF, 0x23];
        adjust_des_parity(&mut k);
        assert_eq!(k, [0x01, 0x01, 0xFE, 0xFE, 0x23]);
    }

    #[test]
    fn debug_is_redacted() {
        let k = SecretKey::new(vec![1, 2, 3]);
        assert_eq!(format!("{k:?}"), "SecretKey(REDACTED)");
    }

    #[test]
    fn lengths() {
        for (c, n) in [
            (Cipher::Tdes, 16),
            (Cipher::Aes128, 16),
            (Cipher::Aes192, 24),
            (Cipher::Aes256, 32),
        ] {
            assert_eq!(kdf(b"x", KdfCounter::Enc, c).len(), n);
        }
    }
}
