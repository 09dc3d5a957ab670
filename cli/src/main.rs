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
    /// List the PC/SC readers, whether a card is present, and its ATR.
    Readers(cmd::readers::Args),
    /// Serve a software passport chip (a fixture folder) into a virtual PC/SC reader (vsmartcard-vpcd).
    Sim(cmd::sim::Args),
    /// Send raw command APDUs to a chip (--reader, --sim or --replay) and print the responses.
    Apdu(cmd::apdu::Args),
    /// Read a passport or ID card (PACE or BAC, every file EF.COM and EF.SOD list) into a folder.
    Read(Box<cmd::read::ReadArgs>),
    /// Show what a dump or a single EF holds (EF.COM, EF.SOD, DG1-DG16); export the DG2 portrait.
    Lds(cmd::lds::Args),
    /// Enrol a passport holder in MitID: MRZ, chip, face, choices, decision, signed record.
    Enrol(Box<cmd::enrol::Args>),
    /// Verify an enrolment record's signature, or make a station signing key.
    Record(cmd::record::Args),
    /// Passive authentication of a dump (EF.SOD, data groups, EF.CardSecurity) or a lone --sod.
    Verify(cmd::verify::Args),
    /// Inspect trust sources: CSCA master lists, LDIF, certificate folders.
    Trust(cmd::trust::Args),
    /// Face match: compare the face in two images (feature `face`).
    #[cfg(feature = "face")]
    #[command(subcommand)]
    Face(cmd::face::FaceCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => cmd::version::run(),
        Command::Mrz(args) => cmd::mrz::run(&args),
        Command::Readers(args) => cmd::readers::run(&args),
        Command::Sim(args) => cmd::sim::run(&args),
        Command::Apdu(args) => cmd::apdu::run(&args),
        Command::Read(args) => cmd::read::run(*args),
        Command::Lds(args) => cmd::lds::run(&args),
        Command::Enrol(args) => cmd::enrol::run(&args),
        Command::Record(args) => cmd::record::run(&args),
        Command::Verify(args) => cmd::verify::run(&args),
        Command::Trust(args) => cmd::trust::run(&args),
        #[cfg(feature = "face")]
        Command::Face(c) => cmd::face::run(c),
    }
}
