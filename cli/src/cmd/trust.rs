//! `epassport trust show PATH [--ml-root CERT...] [--trust-unverified-master-list] [--json]`: the
//! CSCAs a trust source holds, by country with validity; for a master list, its signature and
//! signer chain.
//!
//! Exit codes: 0 listed (a master list verified and chained to an --ml-root, or only
//! self-consistent with --trust-unverified-master-list), 5 a master list that is not trusted,
//! 2 usage or unreadable input.

use clap::{Args as ClapArgs, Subcommand};
use epassport::pki::{
    CertInfo, Certificate, MasterListInfo, TrustStore, inspect_master_list, time,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Appends a line to the output buffer (written once at the end; a closed pipe is not an error).
macro_rules! outln {
    ($o:expr) => {{
        $o.push('\n');
    }};
    ($o:expr, $($t:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($o, $($t)*);
    }};
}

fn emit(out: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(out.as_bytes());
}

/// Arguments of `epassport trust`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: TrustCommand,
}

#[derive(Subcommand, Debug)]
enum TrustCommand {
    /// List the CSCA certificates of a master list, LDIF file, certificate file or folder.
    Show(ShowArgs),
}

#[derive(ClapArgs, Debug)]
struct ShowArgs {
    /// The trust source.
    path: PathBuf,
    /// Roots the master-list signer must chain to (without one, a master list is not trusted).
    #[arg(long, value_name = "CERT", num_args = 1..)]
    ml_root: Vec<PathBuf>,
    /// Accept a master list whose signer does not chain to an --ml-root (signature valid and
    /// self-consistent only). Off by default.
    #[arg(long)]
    trust_unverified_master_list: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    master_list: Option<&'a MasterListInfo>,
    countries: BTreeMap<String, Vec<JsonCert>>,
}

#[derive(Serialize)]
struct JsonCert {
    #[serde(flatten)]
    info: CertInfo,
    valid_now: bool,
    link: bool,
}

/// Runs `epassport trust`.
pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        TrustCommand::Show(a) => show(a),
    }
}

fn show(args: &ShowArgs) -> ExitCode {
    let usage = |m: String| {
        eprintln!("error: {m}");
        ExitCode::from(super::verify::USAGE)
    };
    let mut roots = Vec::new();
    for r in &args.ml_root {
        match std::fs::read(r)
            .map_err(|e| e.to_string())
            .and_then(|b| Certificate::from_der(&b).map_err(|e| e.to_string()))
        {
            Ok(c) => roots.push(c),
            Err(e) => return usage(format!("{}: {e}", r.display())),
        }
    }
    if !args.path.exists() {
        return usage(format!("{}: no such file or folder", args.path.display()));
    }
    let is_ml = args
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ml"));
    let (ml, certs): (Option<MasterListInfo>, Vec<Certificate>) = if is_ml {
        let bytes = match std::fs::read(&args.path) {
            Ok(b) => b,
            Err(e) => return usage(format!("{}: {e}", args.path.display())),
        };
        match inspect_master_list(&bytes, &roots, &args.path.display().to_string()) {
            Ok((mut info, certs)) => {
                if !info.trusted
                    && args.trust_unverified_master_list
                    && info.signature.passed()
                    && info.self_consistency.passed()
                {
                    info.trusted = true;
                    info.trust = format!(
                        "trusted WITHOUT a verified signer chain (--trust-unverified-master-list): {}",
                        info.self_consistency
                    );
                }
                (Some(info), certs)
            }
            Err(e) => return usage(format!("{}: {e}", args.path.display())),
        }
    } else {
        let mut store = TrustStore::new();
        store.trust_unverified_master_lists(args.trust_unverified_master_list);
        if let Err(e) = store.load_path(&args.path, &roots) {
            return usage(format!("{}: {e}", args.path.display()));
        }
        (store.master_lists.first().cloned(), store.cscas().to_vec())
    };
    let now = time::now();
    let mut countries: BTreeMap<String, Vec<JsonCert>> = BTreeMap::new();
    for c in &certs {
        let cc = c.subject.country().unwrap_or("??").to_uppercase();
        countries.entry(cc).or_default().push(JsonCert {
            info: c.info(),
            valid_now: c.valid_at(now),
            link: !c.is_self_issued(),
        });
    }
    let verified = ml.as_ref().is_none_or(|m| m.trusted);
    let mut out = String::new();
    if args.json {
        let json = JsonOut {
            master_list: ml.as_ref(),
            countries,
        };
        match serde_json::to_string_pretty(&json) {
            Ok(s) => outln!(out, "{s}"),
            Err(e) => return usage(e.to_string()),
        }
    } else {
        if let Some(m) = &ml {
            outln!(out, "master list {}", m.source);
            if let Some(s) = &m.signer {
                outln!(out, "  signer        {}  sha256 {}", s.subject, s.sha256);
            }
            outln!(out, "  signature     {}", m.signature);
            outln!(out, "  signer chain  {}", m.signer_chain);
            if !m.signer_chain.passed() {
                outln!(out, "  self-consistency  {}", m.self_consistency);
            }
            outln!(out, "  {}", m.trust);
        }
        outln!(
            out,
            "{} CSCA certificates from {} countries",
            certs.len(),
            countries.len()
        );
        for (cc, list) in &countries {
            outln!(out, "{cc}");
            for c in list {
                outln!(
                    out,
                    "  {}  {} – {}{}{}  {}",
                    c.info.subject,
                    &c.info.not_before[..10],
                    &c.info.not_after[..10],
                    if c.valid_now { "" } else { " (not valid now)" },
                    if c.link { " (link)" } else { "" },
                    c.info.key
                );
            }
        }
    }
    emit(&out);
    if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::verify::NOT_AUTHENTIC)
    }
}
