//! A software eMRTD chip: the chip side of BAC, PACE, secure messaging, CA and AA over a file system
//! of data groups, with the faults real chips show on demand; served in-process (it implements
//! [`epassport_card::Transport`]) or into a virtual PC/SC reader ([`vpcd`]).
//!
//! - [`fs`]: the MF / LDS1 file system with ICAO 9303-10 FIDs and SFIs.
//! - [`config`]: the chip's configuration, the fixture loader (`fixtures/chips/<name>/`) and
//!   [`ChipBuilder`].
//! - [`protocol`]: **the seam** where BAC, PACE, CA, AA and secure messaging plug in
//!   ([`protocol::ProtocolHandler`], [`protocol::ChipSecureChannel`]).
//! - [`SimChip`]: SELECT, READ BINARY (B0/B1), GET CHALLENGE, GET RESPONSE, access conditions,
//!   behaviours.
//!
//! ```
//! use epassport_card::{exchange, Command, Status};
//! use epassport_sim::{fs::Ef, SimChip};
//! let mut chip = SimChip::builder().seed(1).file(Ef::CardAccess, vec![0x31, 0x00]).build();
//! let select = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1C]);
//! assert!(exchange(&mut chip, &select).unwrap().sw.is_success());
//! let read = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
//! assert_eq!(exchange(&mut chip, &read).unwrap().data, [0x31, 0x00]);
//! // DG1 (in the LDS1 application) needs BAC or PACE first.
//! let mut chip = SimChip::builder().seed(1).file(Ef::Dg(1), vec![0x61, 0x00]).build();
//! let app = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(epassport_sim::fs::LDS1_AID);
//! assert!(exchange(&mut chip, &app).unwrap().sw.is_success());
//! let dg1 = Command::new(0x00, 0xB0, 0x81, 0x00).with_le(4);
//! assert_eq!(
//!     exchange(&mut chip, &dg1).unwrap().sw.status(),
//!     Status::SecurityStatusNotSatisfied
//! );
//! ```

#![forbid(unsafe_code)]

pub mod aa;
pub mod bac;
pub mod ca;
mod chip;
pub mod config;
mod error;
pub mod fs;
pub mod harness;
pub mod pace;
pub mod protocol;
mod rng;
pub mod sm;
pub mod vpcd;

pub use chip::{ChipStats, SimChip};
pub use config::{Behaviour, ChipBuilder, ChipConfig, LargeLe, PastEof, SecretString};
pub use error::SimError;
pub use rng::ChipRng;
