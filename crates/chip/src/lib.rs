//! The terminal side of the eMRTD chip protocols (ICAO Doc 9303-11): BAC, PACE, secure
//! messaging, Chip Authentication, Active Authentication and the read strategy. The
//! cryptography of each protocol lives here once and serves both the terminal and the
//! software chip (`epassport-sim`).

#![forbid(unsafe_code)]

pub mod aa;
pub mod crypto;
pub mod hash;
