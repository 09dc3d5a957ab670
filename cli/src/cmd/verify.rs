//! `epassport verify DIR --trust PATH... [--crl PATH...] [--json]`: passive authentication of a
//! dump written by `epassport read` (EF.SOD, data groups, EF.CardSecurity when present), or of a
//! lone `--sod FILE` (signature and chain only; data groups not checked).
//!
//! With a dump that has `read.json`, Chip and Active Authentication as `read` recorded them are
//! reported too, bound to this verification (a mechanism counts only when its key's file verified)
//! and judged by the one anti-cloning policy (`epassport::chip::anticlone`); a clone suspicion
//! makes the dump not authentic.
//!
//! Exit codes: 0 authentic (with `--sod`: signature and chain valid), 5 not authentic (or a clone
//! suspected), 2 usage or unreadable input.

use clap::Args as ClapArgs;
use epassport::chip::anticlone::{AntiCloneReport, Verdict as AntiCloneVerdict};
use epassport::pki::{
    Certificate, Options, Report, TrustStore, Verdict, time, verify_card_security, verify_sod,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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

/// Exit code for "not authentic".
pub const NOT_AUTHENTIC: u8 = 5;
/// Exit code for usage errors and unreadable inputs.
pub const USAGE: u8 = 2;

/// Arguments of `epassport verify`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// A folder written by `epassport read` (SOD.bin, DG1.bin ... DG16.bin, CardSecurity.bin).
    #[arg(required_unless_present = "sod", conflicts_with = "sod")]
    pub dir: Option<PathBuf>,
    /// Verify this EF.SOD alone: signature and chain only, data groups not checked.
    #[arg(long, value_name = "FILE")]
    pub sod: Option<PathBuf>,
    /// Trust sources: CSCA master lists (.ml), ICAO PKD LDIF (.ldif), certificate files or
    /// folders (DER or PEM), CRLs.
    #[arg(long, value_name = "PATH", required = true, num_args = 1..)]
    pub trust: Vec<PathBuf>,
    /// CRL files (DER or PEM).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub crl: Vec<PathBuf>,
    /// Roots that master-list signers must chain to (a master list whose signer chains to none
    /// of them is refused).
    #[arg(long, value_name = "CERT", num_args = 1..)]
    pub ml_root: Vec<PathBuf>,
    /// Trust the CSCAs of a master list whose signer does not chain to an --ml-root (signature
    /// valid and self-consistent only). Off by default.
    #[arg(long)]
    pub trust_unverified_master_list: bool,
    /// Treat a missing CRL as a failure.
    #[arg(long)]
    pub require_crl: bool,
    /// Verification time (YYYY-MM-DD, UTC midnight) instead of now.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    authentic: bool,
    sod: &'a Report,
    card_security: Option<&'a Report>,
    /// Chip and Active Authentication as `epassport read` recorded them, bound to this
    /// verification; absent without read.json.
    #[serde(skip_serializing_if = "Option::is_none")]
    anti_cloning: Option<serde_json::Value>,
}

/// The anti-cloning report of a dump's read.json with passive authentication's results bound to
/// it: a mechanism counts only when its key file (DG14, DG15, EF.CardSecurity) verified.
fn anti_cloning(
    dir: &Path,
    sod: &Report,
    cs: Option<&Report>,
) -> Result<Option<AntiCloneReport>, String> {
    let path = dir.join("read.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(block) = v.get("anti_cloning") else {
        return Ok(None);
    };
    let mut r = crate::cmd::read::anti_clone_from_json(block)
        .ok_or_else(|| format!("{}: malformed anti_cloning block", path.display()))?;
    r.bind_passive_authentication(&|file| {
        if file == "CardSecurity" {
            return cs.map(Report::is_authentic).filter(|ok| *ok);
        }
        sod.vouches_for_data_group(file)
    });
    Ok(Some(r))
}

fn anti_cloning_json(r: &AntiCloneReport) -> serde_json::Value {
    let v = r.verdict();
    let mut mechanisms = crate::cmd::read::anti_clone_json(r);
    for m in r.mechanisms() {
        mechanisms[m.mechanism.key()]["key_verified"] = serde_json::json!(m.key_verified);
    }
    serde_json::json!({
        "verdict": v.status(),
        "reasons": v.reasons(),
        "mechanisms": mechanisms,
    })
}

fn write_anti_cloning(out: &mut String, r: &AntiCloneReport) {
    let v = r.verdict();
    outln!(
        out,
        "anti-cloning: {}",
        v.status().replace('_', " ").to_uppercase()
    );
    for m in r.mechanisms() {
        let key = match (m.key_source.as_deref(), m.key_verified) {
            (Some(src), Some(true)) => format!(" (key from {src}, verified)"),
            (Some(src), Some(false)) => format!(" (key from {src}, NOT what the issuer signed)"),
            (Some(src), None) => format!(" (key from {src}, not verified)"),
            _ => String::new(),
        };
        outln!(
            out,
            "  {:<22} {}{key}: {}",
            m.mechanism.name(),
            m.outcome.status().replace('_', " "),
            m.outcome.text()
        );
    }
    for reason in v.reasons() {
        outln!(out, "  - {reason}");
    }
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(USAGE)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(time::unix_time(y, m, d, 0, 0, 0))
}

/// Loads the roots and trust sources; the error is the message for stderr.
pub fn load_trust(
    trust: &[PathBuf],
    crls: &[PathBuf],
    roots: &[PathBuf],
    trust_unverified_master_list: bool,
) -> Result<TrustStore, String> {
    let mut root_certs = Vec::new();
    for r in roots {
        let bytes = std::fs::read(r).map_err(|e| format!("{}: {e}", r.display()))?;
        root_certs
            .push(Certificate::from_der(&bytes).map_err(|e| format!("{}: {e}", r.display()))?);
    }
    let mut store = TrustStore::new();
    store.trust_unverified_master_lists(trust_unverified_master_list);
    for p in trust.iter().chain(crls) {
        if !p.exists() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
        store
            .load_path(p, &root_certs)
            .map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(store)
}

/// EF.SOD, the data groups and EF.CardSecurity of a dump.
type Dump = (Vec<u8>, BTreeMap<u8, Vec<u8>>, Option<Vec<u8>>);

fn read_dump(dir: &Path) -> Result<Dump, String> {
    let sod_path = dir.join("SOD.bin");
    let sod = std::fs::read(&sod_path).map_err(|e| format!("{}: {e}", sod_path.display()))?;
    let mut dgs = BTreeMap::new();
    for n in 1..=16u8 {
        if let Ok(b) = std::fs::read(dir.join(format!("DG{n}.bin"))) {
            dgs.insert(n, b);
        }
    }
    let cs = std::fs::read(dir.join("CardSecurity.bin")).ok();
    Ok((sod, dgs, cs))
}

/// Runs `epassport verify`.
pub fn run(args: &Args) -> ExitCode {
    let now = match &args.at {
        Some(s) => match parse_date(s) {
            Some(t) => t,
            None => return usage(format!("--at {s}: expected YYYY-MM-DD")),
        },
        None => time::now(),
    };
    let store = match load_trust(
        &args.trust,
        &args.crl,
        &args.ml_root,
        args.trust_unverified_master_list,
    ) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let opts = Options {
        time: now,
        require_crl: args.require_crl,
        ..Options::default()
    };
    let (sod, dgs, cs) = match (&args.dir, &args.sod) {
        (Some(dir), None) => match read_dump(dir) {
            Ok(x) => x,
            Err(e) => return usage(e),
        },
        (None, Some(f)) => match std::fs::read(f) {
            Ok(b) => (b, BTreeMap::new(), None),
            Err(e) => return usage(format!("{}: {e}", f.display())),
        },
        _ => return usage("give a dump folder or --sod FILE"),
    };
    let report = verify_sod(&sod, &dgs, &store, &opts);
    let cs_report = cs.map(|b| verify_card_security(&b, &store, &opts).report);
    let anti = match &args.dir {
        Some(dir) => match anti_cloning(dir, &report, cs_report.as_ref()) {
            Ok(a) => a,
            Err(e) => return usage(e),
        },
        None => None,
    };
    let clone = anti
        .as_ref()
        .is_some_and(|a| matches!(a.verdict(), AntiCloneVerdict::CloneSuspected { .. }));
    let ok = if args.sod.is_some() {
        report.verdict == Verdict::SignatureValid || report.is_authentic()
    } else {
        report.is_authentic() && cs_report.as_ref().is_none_or(|r| r.is_authentic()) && !clone
    };
    let mut out = String::new();
    if args.json {
        let json = JsonOut {
            authentic: ok && args.sod.is_none(),
            sod: &report,
            card_security: cs_report.as_ref(),
            anti_cloning: anti.as_ref().map(anti_cloning_json),
        };
        match serde_json::to_string_pretty(&json) {
            Ok(s) => outln!(out, "{s}"),
            Err(e) => return usage(e),
        }
    } else {
        for info in &store.master_lists {
            outln!(
                out,
                "master list {}: {} certificates, signer chain {}; {}",
                info.source,
                info.certificates,
                info.signer_chain,
                info.trust
            );
        }
        write_report(&mut out, &report);
        if let Some(r) = &cs_report {
            outln!(out);
            write_report(&mut out, r);
        }
        if let Some(a) = &anti {
            outln!(out);
            write_anti_cloning(&mut out, a);
        }
    }
    emit(&out);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_AUTHENTIC)
    }
}

fn verdict_text(r: &Report) -> String {
    match (r.verdict, r.failed_step) {
        (Verdict::Authentic, _) => "AUTHENTIC".into(),
        (Verdict::SignatureValid, _) => "SIGNATURE VALID (data groups not checked)".into(),
        (_, Some(step)) => format!(
            "NOT AUTHENTIC (failed at {})",
            serde_json::to_value(step)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
        _ => "NOT AUTHENTIC".into(),
    }
}

/// Writes a report as text.
pub fn write_report(out: &mut String, r: &Report) {
    outln!(out, "{}: {}", r.document, verdict_text(r));
    let names = [
        "parse",
        "content type",
        "message digest",
        "DS certificate",
        "signature",
        "chain",
        "key usage",
        "DS validity",
        "CSCA validity",
        "CRL",
        "data groups",
    ];
    for ((_, outcome), name) in r.steps().iter().zip(names) {
        outln!(out, "  {name:<15} {outcome}");
    }
    for dg in &r.data_groups {
        let status = serde_json::to_value(&dg.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        outln!(out, "    DG{:<3} {}", dg.number, status.replace('_', " "));
    }
    if let Some(a) = &r.signature_algorithm {
        outln!(out, "  signature algorithm  {a}");
    }
    if let Some(h) = &r.lds_hash_algorithm {
        outln!(out, "  data-group hash      {h}");
    }
    if let Some(t) = &r.signing_time {
        outln!(out, "  signing time         {t}");
    }
    outln!(out, "  verified at          {}", r.verification_time);
    if let Some(ds) = &r.ds {
        outln!(out, "  DS    {}  sha256 {}", ds.subject, ds.sha256);
    }
    if let Some(c) = &r.csca {
        outln!(out, "  CSCA  {}  sha256 {}", c.subject, c.sha256);
    }
    for w in &r.warnings {
        outln!(out, "  warning: {w}");
    }
}
