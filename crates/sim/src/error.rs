use std::path::PathBuf;

/// Errors of the software chip: loading fixtures and serving into a virtual reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A fixture file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// `chip.json` is malformed or names something unknown.
    #[error("bad chip configuration {path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The virtual reader (vpcd) could not be reached or broke the connection.
    #[error("virtual reader at {address}: {message}")]
    Vpcd {
        /// The address connected to.
        address: String,
        /// What happened.
        message: String,
    },
}
