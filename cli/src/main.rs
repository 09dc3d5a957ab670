//! The `epassport` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;

/// Read, verify and enrol ICAO 9303 travel documents.
#[derive(Parser, Debug)]
#[command(name = "epassport", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Subcommands; each lives in its own module under `cmd/`.
#[derive(Subcommand, Debug)]
enum Command {
    /// Print the tool's build information (features compiled in).
    Version,
    /// Parse and check a machine readable zone (TD1, TD2, TD3, MRV-A, MRV-B) from FILE or stdin.
    Mrz(cmd::mrz::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => cmd::version::run(),
        Command::Mrz(args) => cmd::mrz::run(&args),
    }
}
