//! One module per subcommand.

pub mod apdu;
pub mod mrz;
pub mod readers;
pub mod sim;
pub mod transport;
pub mod version;
