//! One module per subcommand.

pub mod mrz;
pub mod version;
