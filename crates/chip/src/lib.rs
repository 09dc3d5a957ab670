//! The terminal side of the eMRTD chip protocols (ICAO Doc 9303-11): BAC, PACE, secure
//! messaging, Chip Authentication, Active Authentication and the read strategy. The
//! cryptography of each protocol lives here once and serves both the terminal and the
//! software chip (`epassport-sim`).
//!
//! - [`bac`]: Basic Access Control (§9.7), terminal and chip.
//! - [`kdf`]: key derivation `KDF(K, c)` (§9.7.1).
//! - [`read`]: the read strategy, [`read::Metered`] wire counts.
//! - [`passport`]: one whole chip session (access, files, AA, CA) for readers and verifiers.
//! - [`anticlone`]: the anti-cloning report and its one policy.
//! - [`session`]: session phases as types, document reading with resumption.
//! - [`sm`]: secure messaging with 3DES and AES, both roles, and [`sm::SecureTransport`].

#![forbid(unsafe_code)]

pub mod aa;
pub mod anticlone;
pub mod bac;
pub mod ca;
pub mod crypto;
mod error;
pub mod hash;
pub mod kdf;
pub mod pace;
pub mod passport;
pub mod read;
pub mod session;
pub mod sm;

pub use error::ChipError;
pub use kdf::{Cipher, KdfCounter, SecretKey, kdf};
pub use sm::{SecureMessaging, SecureTransport, SmError, SmKeys};
