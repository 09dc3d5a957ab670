//! `epassport apdu HEX...`: send raw command APDUs to a chip and print the responses (a low-level
//! tool; GET RESPONSE and 6Cxx are followed).

use crate::cmd::transport::{ChipSource, OpenError, exit_code};
use clap::Args as ClapArgs;
use epassport::card::{Command, exchange};
use std::process::ExitCode;

/// Arguments of `epassport apdu`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Where the chip is.
    #[command(flatten)]
    pub source: ChipSource,
    /// Also print the reader and ATR first, and the number of exchanges last (lines starting `#`).
    #[arg(short, long)]
    pub verbose: bool,
    /// Command APDUs in hex (spaces inside one argument allowed).
    #[arg(required = true, value_name = "HEX")]
    pub apdus: Vec<String>,
}

/// Sends each APDU; prints `<response data hex> <SW> (<meaning>)` per line. Exit 0, 2 usage
/// (bad hex, bad APDU, no chip source), 4 communication.
pub fn run(args: &Args) -> ExitCode {
    let mut commands = Vec::new();
    for a in &args.apdus {
        let clean: String = a.chars().filter(|c| !c.is_whitespace()).collect();
        let parsed = hex::decode(&clean)
            .map_err(|e| e.to_string())
            .and_then(|b| Command::parse(&b).map_err(|e| e.to_string()));
        match parsed {
            Ok(c) => commands.push(c),
            Err(e) => {
                eprintln!("epassport apdu: {a:?}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut link = match args.source.open() {
        Ok(l) => l,
        Err(OpenError::Usage(m)) => {
            eprintln!("epassport apdu: {m}");
            return ExitCode::from(2);
        }
        Err(OpenError::Card(e)) => {
            eprintln!("epassport apdu: {e}");
            return ExitCode::from(exit_code(&e));
        }
    };
    if args.verbose {
        println!(
            "# reader {} ATR {}",
            link.reader,
            hex::encode_upper(&link.atr)
        );
    }
    for c in &commands {
        match exchange(&mut link, c) {
            Ok(r) if r.data.is_empty() => println!("{}", r.sw),
            Ok(r) => println!("{} {}", hex::encode_upper(&r.data), r.sw),
            Err(e) => {
                eprintln!("epassport apdu: {e}");
                return ExitCode::from(exit_code(&e));
            }
        }
    }
    if args.verbose {
        println!("# {} exchanges", link.trace().exchanges.len());
    }
    match link.finish() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("epassport apdu: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
