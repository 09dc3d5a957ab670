//! `epassport readers`: the PC/SC readers, whether a card is in each, and its ATR.

use clap::Args as ClapArgs;
use std::process::ExitCode;

/// Arguments of `epassport readers`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Lists the readers. Exit 0 (even with no reader), 4 when PC/SC is unavailable, 2 without the
/// `pcsc` feature.
#[cfg(feature = "pcsc")]
pub fn run(args: &Args) -> ExitCode {
    use epassport::card::Atr;
    let readers = match epassport::card::pcsc::list_readers() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("epassport readers: {e}");
            return ExitCode::from(4);
        }
    };
    if args.json {
        let list: Vec<serde_json::Value> = readers
            .iter()
            .map(|r| {
                let ext = r
                    .atr
                    .as_deref()
                    .and_then(|a| Atr::parse(a).ok())
                    .and_then(|a| a.extended_length());
                serde_json::json!({
                    "name": r.name,
                    "card_present": r.card_present,
                    "in_use": r.in_use,
                    "atr": r.atr.as_deref().map(hex::encode_upper),
                    "extended_length": ext,
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "readers": list }));
        return ExitCode::SUCCESS;
    }
    if readers.is_empty() {
        println!("no PC/SC readers");
    }
    for r in &readers {
        match &r.atr {
            Some(atr) if r.card_present => {
                let ext = match Atr::parse(atr).ok().and_then(|a| a.extended_length()) {
                    Some(true) => ", extended length",
                    Some(false) => ", short APDUs only",
                    None => "",
                };
                let busy = if r.in_use { ", in use" } else { "" };
                println!(
                    "{}: card present, ATR {}{ext}{busy}",
                    r.name,
                    hex::encode_upper(atr)
                );
            }
            _ => println!("{}: no card", r.name),
        }
    }
    ExitCode::SUCCESS
}

/// Without the `pcsc` feature there are no readers to list.
#[cfg(not(feature = "pcsc"))]
pub fn run(args: &Args) -> ExitCode {
    let _ = args.json;
    eprintln!("epassport readers: this build has no PC/SC support (rebuild with --features pcsc)");
    ExitCode::from(2)
}
