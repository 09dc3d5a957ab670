//! `epassport version`.

use std::process::ExitCode;

/// Prints the version and the optional features compiled in.
pub fn run() -> ExitCode {
    let mut features = Vec::new();
    if cfg!(feature = "face") {
        features.push("face");
    }
    if cfg!(feature = "pcsc") {
        features.push("pcsc");
    }
    println!(
        "epassport {} (features: {})",
        env!("CARGO_PKG_VERSION"),
        features.join(", ")
    );
    ExitCode::SUCCESS
}
