//! One module per subcommand.

pub mod apdu;
pub mod enrol;
#[cfg(feature = "face")]
pub mod face;
pub mod lds;
pub mod mrz;
pub mod read;
pub mod readers;
pub mod record;
pub mod sim;
pub mod transport;
pub mod trust;
pub mod verify;
pub mod version;
