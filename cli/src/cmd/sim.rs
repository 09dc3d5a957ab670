//! `epassport sim FIXTURE --vpcd ADDR`: serve a software passport chip into a virtual PC/SC reader
//! (vsmartcard-vpcd inside pcscd), so any PC/SC application — this tool with `--reader`
//! included — reads it like a real passport.

use crate::cmd::transport::resolve_fixture;
use clap::Args as ClapArgs;
use epassport::sim::vpcd::{DEFAULT_ADDRESS, ServeEnd, ServeOptions, serve};
use epassport::sim::{ChipBuilder, ChipConfig};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `epassport sim`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The fixture chip folder (a path, or a name under fixtures/chips/).
    pub fixture: PathBuf,
    /// Where vsmartcard-vpcd listens (host:port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_ADDRESS)]
    pub vpcd: String,
    /// Seed the chip's random numbers (reproducible sessions); overrides chip.json's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop when the simulated card is removed (behaviour remove_after_apdus) instead of
    /// reinserting it after a second.
    #[arg(long)]
    pub once: bool,
    /// Seconds to keep trying to reach vpcd.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub connect_timeout: u64,
}

/// Serves until pcscd goes away. Exit 0 then, 2 for a bad fixture, 4 when vpcd cannot be reached.
pub fn run(args: &Args) -> ExitCode {
    let dir = match resolve_fixture(&args.fixture) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("epassport sim: {e}");
            return ExitCode::from(2);
        }
    };
    let mut config = match ChipConfig::load(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("epassport sim: {e}");
            return ExitCode::from(2);
        }
    };
    if args.seed.is_some() {
        config.seed = args.seed;
    }
    let description = config.description.clone();
    let mut chip = ChipBuilder::from_config(config).build();
    let options = ServeOptions {
        address: args.vpcd.clone(),
        connect_timeout: std::time::Duration::from_secs(args.connect_timeout),
        reinsert_after: (!args.once).then(|| std::time::Duration::from_secs(1)),
        ..ServeOptions::default()
    };
    println!(
        "serving {} ({description}) into vpcd at {}",
        dir.display(),
        args.vpcd
    );
    match serve(&mut chip, &options) {
        Ok(summary) => {
            let why = match summary.end {
                ServeEnd::Stopped => "stopped",
                ServeEnd::ReaderClosed => "the reader closed the connection",
                ServeEnd::CardRemoved => "the card was removed",
            };
            println!("{why}; answered {} APDUs", summary.apdus);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("epassport sim: {e}");
            ExitCode::from(4)
        }
    }
}
